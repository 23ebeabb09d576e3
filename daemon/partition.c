/*
 * partition: see partition.h for the life of a worker. This file holds its
 * state machine (states, restarts, the chain of commands, progress, start and
 * stop); lease.c, intake.c, commit.c and sweep.c its steps. The rule library
 * does the thinking and entries.c the task layout.
 *
 * Invariants:
 * - at most one command of the worker's own chain is in flight (the lease
 *   renewal runs beside it: it touches only the lease), but for the read sent
 *   ahead of a commit (intake.c, send_ahead), whose entries wait aside, and
 *   a batch's commit, which the next batch (or the sweep after the part of
 *   a batch before it) does not wait for (commit.c); each command is
 *   written to the socket as it is sent (rconn_flush), so that Redis works
 *   on it while the worker computes;
 * - the cache holds only states as committed in Redis or in a commit sent
 *   after which only commits follow that are refused if it is (STALE); when
 *   a commit's outcome is unknown or refused the whole cache is dropped;
 * - an entry is acknowledged only by the commit script that also writes its
 *   state changes, tasks and dead letters.
 */
#include "partition_int.h"

#include "genreq.h"

static void on_trim(struct rconn *rc, redisReply *r, void *arg);
static void on_blk_state(struct rconn *rc, enum rconn_state s, void *arg);

static const char *const state_names[] = {
	"idle", "acquiring", "setup", "reading", "loading", "committing", "sweeping", "stopping", "stopped",
};

const char *partition_state_name(enum part_state s)
{
	return (unsigned)s < sizeof state_names / sizeof *state_names ? state_names[s] : "unknown";
}

enum part_state partition_state(const struct partition *p)
{
	return p->state;
}

const char *partition_token(const struct partition *p)
{
	return p->token;
}

const char *partition_offset(const struct partition *p)
{
	return p->offset;
}

long long partition_in_hand(const struct partition *p)
{
	return (long long)p->nbatch + p->ahead.n;
}

bool partition_holds_lease(const struct partition *p)
{
	return p->lease_held;
}

const struct vsd_config *pt_cfg_of(const struct partition *p)
{
	return p->d->cfg;
}

struct rules_env pt_env_of(const struct partition *p)
{
	struct rules_env env = {&pt_cfg_of(p)->base.rules, pt_cfg_of(p)->base.years};
	return env;
}

/* The base of a new pupil state: the first day of the school year a
 * registration dated `date` belongs to. */
int32_t pt_state_base(const struct partition *p, int32_t date)
{
	const struct school_years *ys = pt_cfg_of(p)->base.years;
	int y = school_years_index_next(ys, date);
	return y < 0 ? date : school_years_view(ys, y, NULL)->first_day;
}

/* ---- batch and commit buffers ---- */

void pt_batch_clear(struct partition *p)
{
	free(p->batch);
	free(p->batch_fields);
	free(p->batch_blob);
	p->batch = NULL;
	p->batch_fields = NULL;
	p->batch_blob = NULL;
	p->nbatch = p->pos = 0;
}

void pt_batch_buf_free(struct batch_buf *b)
{
	free(b->v);
	free(b->fields);
	free(b->blob);
	memset(b, 0, sizeof *b);
}

/* Forgets the read ahead: its entries are read again, in order, by the next
 * read after the committed offset (a restart reads from there). A reply
 * still to come is dropped (ahead_state NONE). */
void pt_ahead_drop(struct partition *p)
{
	pt_batch_buf_free(&p->ahead);
	pt_prefetch_drop(p);
	p->ahead_state = AHEAD_NONE;
	p->ahead_waiting = false;
}

void pt_commit_clear(struct partition *p)
{
	cmdargs_clear(&p->states);
	cmdargs_clear(&p->tasks);
	cmdargs_clear(&p->dead);
	cmdargs_clear(&p->hdel);
	p->nstates = p->ntasks = p->ndead = p->nacks = p->nhdel = 0;
	p->upto[0] = '\0';
	p->commit_poison = false;
	p->clear_tries = false;
	p->commit_tries = -1;
	p->ndays = 0;
	p->nkdates = 0;
	for (size_t i = 0; i < p->ndirty; i++)
		if (p->dirty[i] < p->cache.n)
			p->cache.v[p->dirty[i]].flags &= ~DIRTY;
	p->ndirty = 0;
	p->commit_swept = DATE_NONE;
	memset(&p->pend, 0, sizeof p->pend);
}

void pt_cache_drop(struct partition *p)
{
	if (p->cache.n)
		log_info("partition %d: dropping the state cache (%zu pupils)", p->index,
			 p->cache.n);
	pupil_table_free(&p->cache);
	pupil_table_init(&p->cache);
	pt_prefetch_drop(p); /* asked of pupils that were not cached then */
	p->ndirty = 0;
	p->cache_complete = false;
}

void pt_set_state(struct partition *p, enum part_state s)
{
	if (p->state != s)
		log_debug("partition %d: %s -> %s", p->index, partition_state_name(p->state),
			  partition_state_name(s));
	p->state = s;
}

/* ---- failure: one recovery path ---- */

void pt_restart(struct partition *p, const char *why)
{
	if (p->state == PS_STOPPED)
		return;
	log_warn("partition %d: %s; starting over from the lease", p->index, why);
	p->chain_gen++; /* whatever is still in flight belongs to the old chain */
	pt_batch_clear(p);
	pt_ahead_drop(p);
	pt_commit_clear(p);
	pt_cache_drop(p);
	/* commits of batches or of a sweep (whose state stays SWEEPING) */
	p->d->stats.commit_failures += (unsigned long long)p->ncommits;
	p->ncommits = 0;
	p->drain_waiting = false;
	pt_set_state(p, PS_IDLE);
	if (p->d->stopping) {
		pt_set_state(p, PS_STOPPED);
		vsd_partition_stopped(p->d);
		return;
	}
	timer_arm_ms(p->retry_timer, RETRY_MS);
}

void pt_lose_lease(struct partition *p, const char *why)
{
	bool was = p->lease_held;
	if (was)
		log_notice("partition %d: lease lost (%s); no longer consuming", p->index, why);
	p->lease_held = false;
	if (was)
		vsd_ownership_changed(p->d);
	pt_restart(p, "lease lost");
}

/* Every command of the partition's chain carries the chain's generation
 * (genreq.h): a reply that arrives after a pt_restart (the pt_restart started
 * a new chain) is dropped, so two chains never run at once over one batch and
 * one cache. */
static void chain_deliver(const struct gen_req *q, struct rconn *rc, redisReply *r)
{
	if (q->fn)
		((rconn_reply_fn)q->fn)(rc, r, q->owner);
}

/* Sends a command of the chain on conn; on refusal restarts. Returns 0 if
 * sent. */
int pt_send_on(struct partition *p, struct rconn *conn, int extra_ms, rconn_reply_fn fn,
	       int argc, const char **argv, const size_t *lens)
{
	struct gen_req q = {.owner = p, .now = &p->chain_gen, .gen = p->chain_gen, .fn = (gen_any_fn)fn};
	if (gen_command(conn, extra_ms, &q, chain_deliver, argc, argv, lens) != 0) {
		pt_restart(p, "connection not ready");
		return -1;
	}
	/* out now: Redis serves it while this worker goes on computing */
	rconn_flush(conn);
	return 0;
}

int pt_send_cmd(struct partition *p, rconn_reply_fn fn, int argc, const char **argv,
		const size_t *lens)
{
	return pt_send_on(p, p->d->cmd, 0, fn, argc, argv, lens);
}

int pt_send_durable(struct partition *p, rconn_reply_fn fn, int argc, const char **argv,
		    const size_t *lens)
{
	struct gen_req q = {.owner = p, .now = &p->chain_gen, .gen = p->chain_gen, .fn = (gen_any_fn)fn,
			    .wait = &p->d->wait};
	if (gen_command(p->d->cmd, 0, &q, chain_deliver, argc, argv, lens) != 0) {
		pt_restart(p, rwait_degraded(&p->d->wait) ? "too few replicas confirm writes"
							  : "connection not ready");
		return -1;
	}
	rconn_flush(p->d->cmd);
	return 0;
}

int pt_send_args(struct partition *p, rconn_reply_fn fn, const struct cmdargs *a)
{
	return pt_send_cmd(p, fn, a->n, (const char **)a->argv, a->lens);
}

/* ---- progress ---- */

/* A commit succeeded, or a read found nothing new: the partition moves. */
void pt_note_progress(struct partition *p)
{
	if (progress_made(&p->progress, vsd_mono_ms()))
		log_notice("partition %d: making progress again", p->index);
}

void partition_watch(struct partition *p)
{
	const struct daemon_config *dc = &pt_cfg_of(p)->daemon;
	/* not while the lease is being released (a handover): that ends soon.
	 * Nor while Redis's generation is refused or too few replicas confirm
	 * writes: the partition is held on purpose, for a reason already
	 * reported (log, /readyz, metrics); counting it as a stall would restart
	 * it in vain and let the watchdog kill the daemon. The held partition
	 * keeps its lease (renewed as before): released, an instance that
	 * noticed nothing yet (its first generation check not due, its WAIT not
	 * yet short) could take it over and consume from the very Redis this
	 * instance refuses. */
	bool held = !generation_ok(p->d) || rwait_degraded(&p->d->wait);
	bool expected = p->lease_held && !held && !p->d->stopping && p->state != PS_STOPPING &&
			p->state != PS_STOPPED && rconn_state(p->d->cmd) == RC_READY;
	switch (progress_check(&p->progress, expected, vsd_mono_ms(), dc->stall_ms)) {
	case PROGRESS_STALLED:
		log_warn("partition %d: stalled: no commit and no caught-up read for %d ms while "
			 "holding the lease (state %s); restarting it from its lease, and again "
			 "every %d ms until it moves",
			 p->index, dc->stall_ms, partition_state_name(p->state), dc->stall_ms);
		p->stall_restarts++;
		pt_restart(p, "restart for a stall");
		break;
	case PROGRESS_RESTART:
		p->stall_restarts++;
		pt_restart(p, "still stalled");
		break;
	case PROGRESS_OK:
	case PROGRESS_WAITING:
		break;
	}
}

bool partition_stalled(const struct partition *p)
{
	return p->progress.stalled;
}

bool partition_healthy(const struct partition *p)
{
	return progress_healthy(&p->progress, vsd_mono_ms(), pt_cfg_of(p)->daemon.stall_ms);
}

unsigned long long partition_stall_restarts(const struct partition *p)
{
	return p->stall_restarts;
}

void partition_stop(struct partition *p)
{
	switch (p->state) {
	case PS_IDLE:
	case PS_ACQUIRING:
		/* nothing in hand; an pt_acquire in flight is answered first */
		if (p->state == PS_IDLE) {
			evtimer_del(p->retry_timer);
			if (p->lease_held)
				pt_release_lease(p);
			else {
				pt_set_state(p, PS_STOPPED);
				vsd_partition_stopped(p->d);
			}
		}
		break;
	case PS_READING:
		/* the blocking read returns within block_ms; pt_read_next then stops */
		break;
	default:
		/* in flight: pt_read_next or pt_restart stops after it */
		break;
	}
}

static void on_trim(struct rconn *rc, redisReply *r, void *arg)
{
	(void)rc;
	struct partition *p = arg;
	if (r && r->type == REDIS_REPLY_INTEGER && r->integer > 0)
		log_debug("partition %d: trimmed %lld processed entries", p->index, r->integer);
	else if (r && r->type == REDIS_REPLY_ERROR)
		log_warn("partition %d: trim failed: %.200s", p->index, r->str);
}

void partition_trim(struct partition *p)
{
	if (!p->lease_held || !p->d->scripts_loaded)
		return;
	char cutoff[48];
	int64_t c = vsd_wall_ms() - pt_cfg_of(p)->daemon.events_retention_ms;
	snprintf(cutoff, sizeof cutoff, "%" PRId64 "-0", c > 0 ? c : 0);
	const char *argv[] = {"EVALSHA", p->d->script_sha[SCRIPT_TRIM], "2", p->k_events,
			      p->k_offset, "offset", cutoff};
	size_t lens[7];
	for (int i = 0; i < 7; i++)
		lens[i] = strlen(argv[i]);
	rconn_command(p->d->cmd, on_trim, p, 0, 7, argv, lens);
}

void partition_hold(struct partition *p, const char *why)
{
	if (p->state != PS_IDLE && p->state != PS_STOPPING && p->state != PS_STOPPED)
		pt_restart(p, why);
}

void partition_kick(struct partition *p)
{
	if (p->state == PS_IDLE)
		pt_acquire(p);
}

void partition_connection_lost(struct partition *p)
{
	/* Commands in flight come back with NULL and pt_restart the partition;
	 * a partition waiting on a timer only needs to wait for readiness.
	 * With Sentinel the next connection may be to another server (a
	 * promoted replica that lacks the last writes): the cache is dropped
	 * and the partition starts over from its lease in any case. */
	if (pt_cfg_of(p)->redis.nsentinels > 0 && p->state != PS_STOPPED &&
	    (p->state != PS_IDLE || p->cache.n > 0))
		pt_restart(p, "redis connection lost (sentinel mode: the master may have changed)");
}

static void on_blk_state(struct rconn *rc, enum rconn_state s, void *arg)
{
	(void)rc;
	struct partition *p = arg;
	if (s == RC_READY)
		partition_kick(p);
}

struct partition *partition_new(struct vsd *d, int index)
{
	struct partition *p = xcalloc(1, sizeof *p);
	p->d = d;
	p->index = index;
	key_build(p->k_events, sizeof p->k_events, index, KEY_EVENTS, NULL);
	key_build(p->k_state, sizeof p->k_state, index, KEY_STATE, NULL);
	key_build(p->k_tasks, sizeof p->k_tasks, index, KEY_TASKS, NULL);
	key_build(p->k_dead, sizeof p->k_dead, index, KEY_DEAD, NULL);
	key_build(p->k_lease, sizeof p->k_lease, index, KEY_LEASE, NULL);
	key_build(p->k_taskids, sizeof p->k_taskids, index, KEY_TASKIDS, NULL);
	key_build(p->k_swept, sizeof p->k_swept, index, KEY_SWEPT, NULL);
	key_build(p->k_daily, sizeof p->k_daily, index, KEY_DAILY, NULL);
	key_build(p->k_quarantined, sizeof p->k_quarantined, index, KEY_QUARANTINED, NULL);
	key_build(p->k_offset, sizeof p->k_offset, index, KEY_OFFSET, NULL);
	snprintf(p->token, sizeof p->token, "%s/%08lx%08lx", d->cfg->daemon.consumer,
		 (unsigned long)random(), (unsigned long)random());
	p->state = PS_IDLE;
	p->swept_through = DATE_NONE;
	p->commit_swept = DATE_NONE;
	pupil_table_init(&p->cache);
	progress_init(&p->progress);
	cmdargs_init_arena(&p->states);
	cmdargs_init_arena(&p->tasks);
	cmdargs_init_arena(&p->dead);
	cmdargs_init(&p->hdel);
	char name[32];
	snprintf(name, sizeof name, "read-%d", index);
	p->blk = rconn_new(d->base, &d->cfg->redis, name, on_blk_state, p);
	p->lease_timer = event_new(d->base, -1, EV_PERSIST, pt_on_lease_timer, p);
	p->retry_timer = evtimer_new(d->base, pt_on_retry, p);
	p->apply_ev = evtimer_new(d->base, pt_on_apply, p);
	p->pause_ev = evtimer_new(d->base, pt_on_pause, p);
	if (!p->lease_timer || !p->retry_timer || !p->apply_ev || !p->pause_ev) {
		log_err("partition %d: cannot create timers", index);
		abort();
	}
	timer_arm_ms(p->lease_timer, d->cfg->daemon.lease_ms / 3);
	rconn_start(p->blk);
	return p;
}

void partition_free(struct partition *p)
{
	if (!p)
		return;
	rconn_free(p->blk);
	event_free(p->lease_timer);
	event_free(p->retry_timer);
	event_free(p->apply_ev);
	event_free(p->pause_ev);
	pt_batch_clear(p);
	pt_ahead_drop(p);
	pt_commit_clear(p);
	cmdargs_free(&p->states);
	cmdargs_free(&p->tasks);
	cmdargs_free(&p->dead);
	cmdargs_free(&p->hdel);
	free(p->dirty);
	free(p->days);
	free(p->kdates);
	signal_list_free(&p->signals);
	pupil_table_free(&p->cache);
	free(p);
}
