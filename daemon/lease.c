/*
 * lease: taking, renewing, handing over and dropping a partition's lease.
 * One step of a partition worker (partition.h); what the steps share is
 * partition_int.h.
 */
#include "partition_int.h"

static void on_lease_renew(struct rconn *rc, redisReply *r, void *arg);
static void on_lease_take(struct rconn *rc, redisReply *r, void *arg);
static bool on_handover_drained(void *arg);
static void on_lease_drop(struct rconn *rc, redisReply *r, void *arg);

/* ---- lease ---- */

static void on_lease_renew(struct rconn *rc, redisReply *r, void *arg)
{
	(void)rc;
	struct partition *p = arg;
	p->renew_in_flight = false;
	if (!r)
		return; /* the connection's loss restarts the partition */
	if (r->type == REDIS_REPLY_INTEGER && r->integer == 1) {
		p->lease_sure_until = p->lease_asked_at + pt_cfg_of(p)->daemon.lease_ms;
		return;
	}
	if (p->lease_held)
		pt_lose_lease(p, reply_is_error(r, NULL) ? r->str : "token no longer in the lease key");
}

void pt_on_lease_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct partition *p = arg;
	if (!p->lease_held || p->renew_in_flight)
		return;
	char ttl[24];
	snprintf(ttl, sizeof ttl, "%d", pt_cfg_of(p)->daemon.lease_ms);
	const char *argv[] = {"EVALSHA", p->d->script_sha[SCRIPT_LEASE_RENEW], "1", p->k_lease,
			      p->token, ttl};
	size_t lens[6];
	for (int i = 0; i < 6; i++)
		lens[i] = strlen(argv[i]);
	p->lease_asked_at = vsd_mono_ms();
	if (rconn_command(p->d->cmd, on_lease_renew, p, 0, 6, argv, lens) == 0)
		p->renew_in_flight = true;
}


static void on_lease_take(struct rconn *rc, redisReply *r, void *arg)
{
	(void)rc;
	struct partition *p = arg;
	if (!r) {
		pt_restart(p, "lease request lost");
		return;
	}
	if (r->type == REDIS_REPLY_INTEGER && r->integer == 1) {
		bool was = p->lease_held;
		p->lease_sure_until = p->lease_asked_at + pt_cfg_of(p)->daemon.lease_ms;
		if (!was)
			log_info("partition %d: lease taken; consuming %s", p->index, p->k_events);
		p->lease_held = true;
		if (!was)
			vsd_ownership_changed(p->d);
		pt_start_setup(p);
		return;
	}
	if (reply_is_error(r, NULL))
		log_err("partition %d: lease request refused: %.200s", p->index, r->str);
	else
		log_debug("partition %d: lease held by another instance", p->index);
	pt_set_state(p, PS_IDLE);
	timer_arm_ms(p->retry_timer, pt_cfg_of(p)->daemon.lease_ms / 3);
	/* This request held the others back (it counted toward the share):
	 * let the partitions after it try now, or the same held lease would
	 * be asked for first every round while a free one waits. */
	for (int i = p->index + 1; i < p->d->nparts; i++)
		partition_kick(p->d->parts[i]);
}

/* Lease requests in flight: they count toward the fair share, or several
 * sent at once could all be granted and one handed back at once. */
static int acquiring(const struct vsd *d)
{
	int n = 0;
	for (int i = 0; i < d->nparts; i++)
		n += !d->parts[i]->lease_held && d->parts[i]->state == PS_ACQUIRING;
	return n;
}

void pt_acquire(struct partition *p)
{
	if (p->state != PS_IDLE || p->d->stopping)
		return;
	if (!p->d->scripts_loaded || rconn_state(p->d->cmd) != RC_READY ||
	    rconn_state(p->blk) != RC_READY)
		return; /* kicked again when they are */
	if (!generation_ok(p->d) || rwait_hold(p->d->cmd, &p->d->wait)) {
		/* Redis not checked yet or a generation mismatch (generation.h), or
		 * too few replicas confirm writes (rwait.h): wait until that ends */
		timer_arm_ms(p->retry_timer, RETRY_MS);
		return;
	}
	/* A partition restarted while it still holds its lease is already
	 * counted in vsd_owned: it takes its own lease back (lease_take accepts
	 * our token) whatever the share, or it would never run again while the
	 * lease timer kept renewing the lease for it. */
	if (!p->lease_held && vsd_owned(p->d) + acquiring(p->d) >= vsd_fair_share(p->d)) {
		timer_arm_ms(p->retry_timer, pt_cfg_of(p)->daemon.lease_ms / 3);
		return; /* this instance has its share; another takes this one */
	}
	pt_set_state(p, PS_ACQUIRING);
	char ttl[24];
	snprintf(ttl, sizeof ttl, "%d", pt_cfg_of(p)->daemon.lease_ms);
	const char *argv[] = {"EVALSHA", p->d->script_sha[SCRIPT_LEASE_TAKE], "1", p->k_lease,
			      p->token, pt_cfg_of(p)->daemon.consumer, ttl};
	size_t lens[7];
	for (int i = 0; i < 7; i++)
		lens[i] = strlen(argv[i]);
	p->lease_asked_at = vsd_mono_ms();
	pt_send_cmd(p, on_lease_take, 7, argv, lens);
}

void pt_on_retry(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	pt_acquire(arg);
}

/* Runs when the partition's dispatcher has drained: gives up the lease,
 * unless the partition was restarted meanwhile (a new chain owns it). */
static bool on_handover_drained(void *arg)
{
	struct partition *p = arg;
	if (!p->handing_over || p->handover_gen != p->chain_gen || p->state != PS_STOPPING) {
		p->handing_over = false;
		return false;
	}
	pt_release_lease(p);
	return true;
}

/* A voluntary handover: the lease goes only once the deliveries under way
 * have ended and their results are recorded (or they were made due again),
 * as the RESULT script refuses a result without the lease; the dispatcher
 * drains first. A stop (SIGTERM) ends the transfers itself (main.c). */
void pt_hand_over(struct partition *p)
{
	log_info("partition %d: handing over to another instance (%d live, share %d)", p->index,
		 p->d->live_instances, vsd_fair_share(p->d));
	pt_set_state(p, PS_STOPPING);
	struct dispatcher *ds = p->d->disp ? p->d->disp[p->index] : NULL;
	if (!ds) {
		pt_release_lease(p);
		return;
	}
	p->handing_over = true;
	p->handover_gen = p->chain_gen;
	dispatcher_drain(ds, HANDOVER_GRACE_MS, on_handover_drained, p);
}

/* Between batches: stop, sweep, or read the next batch. */
/* True when this instance owns more than its share and this is the
 * highest-numbered partition it owns: the one to hand over. */
bool pt_over_share(const struct partition *p)
{
	const struct vsd *d = p->d;
	if (vsd_owned(d) <= vsd_fair_share(d))
		return false;
	for (int i = d->nparts - 1; i >= 0; i--)
		if (d->parts[i]->lease_held)
			return d->parts[i] == p;
	return false;
}

/* ---- stop, trim, life cycle ---- */

static void on_lease_drop(struct rconn *rc, redisReply *r, void *arg)
{
	(void)rc;
	(void)r;
	struct partition *p = arg;
	bool was = p->lease_held;
	if (was)
		log_info("partition %d: lease released", p->index);
	p->lease_held = false;
	if (was)
		vsd_ownership_changed(p->d);
	if (p->d->stopping) {
		pt_set_state(p, PS_STOPPED);
		vsd_partition_stopped(p->d);
		return;
	}
	/* handed over: wait, so another instance can take it first */
	pt_batch_clear(p);
	pt_cache_drop(p);
	pt_set_state(p, PS_IDLE);
	timer_arm_ms(p->retry_timer, pt_cfg_of(p)->daemon.lease_ms);
}

void pt_release_lease(struct partition *p)
{
	p->handing_over = false;
	pt_set_state(p, PS_STOPPING);
	const char *argv[] = {"EVALSHA", p->d->script_sha[SCRIPT_LEASE_DROP], "1", p->k_lease,
			      p->token};
	size_t lens[5];
	for (int i = 0; i < 5; i++)
		lens[i] = strlen(argv[i]);
	if (rconn_command(p->d->cmd, on_lease_drop, p, 0, 5, argv, lens) != 0)
		on_lease_drop(NULL, NULL, p);
}
