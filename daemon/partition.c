/*
 * partition: see partition.h for the life of a worker. This file holds the
 * Redis side (commands and replies); the rule library does the thinking and
 * tasks.c the task layout.
 *
 * Invariants:
 * - at most one command of the worker's own chain is in flight (the lease
 *   renewal runs beside it: it touches only the lease);
 * - the cache holds only states as committed in Redis; when a commit's
 *   outcome is unknown or refused the whole cache is dropped;
 * - an entry is acknowledged only by the commit script that also writes its
 *   state changes, tasks and dead letters.
 */
#include "partition.h"

#include "dispatch.h"
#include "keys.h"

#include "clock.h"
#include "cmdargs.h"
#include "date.h"
#include "log.h"
#include "progress.h"
#include "pupils.h"
#include "routing.h"
#include "rules.h"
#include "entries.h"
#include "util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define GROUP "rules"
#define RETRY_MS 500
#define SWEEP_SCAN_COUNT "256"
#define DIRTY 1u
/* A handover waits this long for the partition's deliveries under way to
 * end before it ends them (they are then due again at once). */
#define HANDOVER_GRACE_MS 5000

/* One stream entry of the batch in hand. */
struct entry {
	char id[48];
	bool trimmed; /* [id, NIL]: deleted before it was processed; just ack it */
	bool poison;  /* delivered more often than max_deliveries */
	int nfields;
	struct event_field *fields; /* point into blob */
	char *blob;
	bool valid;
	struct registration reg;
	struct event_error err;
	const char *dead_reason; /* overrides err when set ("state_corrupt", ...) */
};

typedef void (*part_next_fn)(struct partition *p);

struct partition {
	struct vsd *d;
	int index;
	char k_events[40], k_state[40], k_tasks[40], k_dead[40], k_lease[40], k_taskids[40],
		k_swept[40], k_daily[40];
	enum part_state state;
	struct rconn *blk;
	char token[128];
	bool lease_held;
	bool renew_in_flight;
	struct event *lease_timer;
	struct event *retry_timer;
	struct pupil_table cache;
	int32_t swept_through; /* DATE_NONE: not yet known (events clock, no entry yet) */
	int64_t read_clock_ms; /* events clock: the instance's clock when the last read was sent */
	bool read_empty;       /* the last read of new entries returned none */
	char cursor[48];       /* XAUTOCLAIM cursor / pending re-read position */
	char **poison;
	int npoison;
	bool read_new;         /* pending entries are done; read new ones */
	int64_t last_claim_ms; /* when entries of other consumers were last claimed */
	unsigned chain_gen;    /* replies to commands sent before the last restart are stale */
	bool commit_in_flight; /* a commit script was sent and has not answered */
	struct progress progress;           /* progress.h: stalled or not */
	unsigned long long stall_restarts;  /* restarts for a stall */
	bool handing_over;     /* waiting for the dispatcher to drain (hand_over) */
	unsigned handover_gen; /* chain_gen when the handover began */
	/* the batch in hand */
	struct entry *batch;
	int nbatch, pos;
	/* the commit being built */
	struct cmdargs states, tasks, dead, acks, hdel;
	int nstates, ntasks, ndead, nacks, nhdel;
	/* absences per school and date in the commit being built (flood guard) */
	struct day_count {
		char school[EVENT_SCHOOL_MAX + 1];
		int32_t date;
		int count;
	} *days;
	int ndays, cap_days;
	uint32_t *dirty;
	size_t ndirty, cap_dirty;
	struct signal_list signals;
	/* the sweep in progress */
	int32_t sweep_from, sweep_to;
	char sweep_cursor[32];
	size_t sweep_next;      /* next cache index when sweeping from the cache */
	bool cache_complete;    /* the cache holds every pupil of the partition */
	int64_t last_scan_ms;   /* last full HSCAN (it also purges finished years) */
	part_next_fn after_sweep;
	part_next_fn after_commit;
	int32_t commit_swept; /* swept marker the commit writes, DATE_NONE = none */
	struct vsd_stats pend; /* counters of the commit being built */
};

static const char *const state_names[] = {
	"idle", "acquiring", "setup", "claiming", "checking", "pending",
	"reading", "loading", "committing", "sweeping", "stopping", "stopped",
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

bool partition_holds_lease(const struct partition *p)
{
	return p->lease_held;
}

static const struct vsd_config *cfg_of(const struct partition *p)
{
	return p->d->cfg;
}

static struct rules_env env_of(const struct partition *p)
{
	struct rules_env env = {&cfg_of(p)->base.rules, cfg_of(p)->base.years};
	return env;
}

/* The base of a new pupil state: the first day of the school year a
 * registration dated `date` belongs to. */
static int32_t state_base(const struct partition *p, int32_t date)
{
	const struct school_years *ys = cfg_of(p)->base.years;
	int y = school_years_index_next(ys, date);
	return y < 0 ? date : school_years_view(ys, y, NULL)->first_day;
}

static int32_t wall_sweep_target(const struct partition *p);

/* Purges finished school years from a state (rules_purge) by the wall
 * clock's date. Returns true when the state changed; *empty as there. */
static bool purge_state(const struct partition *p, struct pupil_state *st, bool *empty)
{
	struct rules_env env = env_of(p);
	return rules_purge(&env, st, wall_sweep_target(p) + 1,
			   cfg_of(p)->daemon.state_retention_days, empty);
}

/* ---- batch and commit buffers ---- */

static void batch_clear(struct partition *p)
{
	for (int i = 0; i < p->nbatch; i++) {
		free(p->batch[i].fields);
		free(p->batch[i].blob);
	}
	free(p->batch);
	p->batch = NULL;
	p->nbatch = p->pos = 0;
}

static void commit_clear(struct partition *p)
{
	cmdargs_clear(&p->states);
	cmdargs_clear(&p->tasks);
	cmdargs_clear(&p->dead);
	cmdargs_clear(&p->acks);
	cmdargs_clear(&p->hdel);
	p->nstates = p->ntasks = p->ndead = p->nacks = p->nhdel = 0;
	p->ndays = 0;
	for (size_t i = 0; i < p->ndirty; i++)
		if (p->dirty[i] < p->cache.n)
			p->cache.v[p->dirty[i]].flags &= ~DIRTY;
	p->ndirty = 0;
	p->commit_swept = DATE_NONE;
	memset(&p->pend, 0, sizeof p->pend);
}

static void cache_drop(struct partition *p)
{
	if (p->cache.n)
		log_info("partition %d: dropping the state cache (%zu pupils)", p->index,
			 p->cache.n);
	pupil_table_free(&p->cache);
	pupil_table_init(&p->cache);
	p->ndirty = 0;
	p->cache_complete = false;
}

static void poison_clear(struct partition *p)
{
	for (int i = 0; i < p->npoison; i++)
		free(p->poison[i]);
	free(p->poison);
	p->poison = NULL;
	p->npoison = 0;
}

static void set_state(struct partition *p, enum part_state s)
{
	if (p->state != s)
		log_debug("partition %d: %s -> %s", p->index, partition_state_name(p->state),
			  partition_state_name(s));
	p->state = s;
}

/* ---- failure: one recovery path ---- */

static void restart(struct partition *p, const char *why)
{
	if (p->state == PS_STOPPED)
		return;
	log_warn("partition %d: %s; starting over from the lease", p->index, why);
	p->chain_gen++; /* whatever is still in flight belongs to the old chain */
	batch_clear(p);
	commit_clear(p);
	cache_drop(p);
	poison_clear(p);
	/* a commit of a batch or of a sweep (whose state stays SWEEPING) */
	p->d->stats.commit_failures += p->commit_in_flight;
	p->commit_in_flight = false;
	set_state(p, PS_IDLE);
	if (p->d->stopping) {
		set_state(p, PS_STOPPED);
		vsd_partition_stopped(p->d);
		return;
	}
	timer_arm_ms(p->retry_timer, RETRY_MS);
}

static void lose_lease(struct partition *p, const char *why)
{
	if (p->lease_held)
		log_notice("partition %d: lease lost (%s); no longer consuming", p->index, why);
	p->lease_held = false;
	restart(p, "lease lost");
}

/* Every command of the partition's chain carries the chain's generation: a
 * reply that arrives after a restart (the restart started a new chain) is
 * dropped, so two chains never run at once over one batch and one cache. */
struct chain_req {
	struct partition *p;
	unsigned gen;
	rconn_reply_fn fn;
};

static void on_chain_reply(struct rconn *rc, redisReply *r, void *arg)
{
	struct chain_req *q = arg;
	struct partition *p = q->p;
	bool current = q->gen == p->chain_gen;
	rconn_reply_fn fn = q->fn;
	free(q);
	if (current && fn)
		fn(rc, r, p);
}

/* Sends a command of the chain on conn; on refusal restarts. Returns 0 if
 * sent. */
static int send_on(struct partition *p, struct rconn *conn, int extra_ms, rconn_reply_fn fn,
		   int argc, const char **argv, const size_t *lens)
{
	struct chain_req *q = xmalloc(sizeof *q);
	*q = (struct chain_req){p, p->chain_gen, fn};
	if (rconn_command(conn, on_chain_reply, q, extra_ms, argc, argv, lens) != 0) {
		free(q);
		restart(p, "connection not ready");
		return -1;
	}
	return 0;
}

static int send_cmd(struct partition *p, rconn_reply_fn fn, int argc, const char **argv,
		    const size_t *lens)
{
	return send_on(p, p->d->cmd, 0, fn, argc, argv, lens);
}

static int send_args(struct partition *p, rconn_reply_fn fn, const struct cmdargs *a)
{
	return send_cmd(p, fn, a->n, (const char **)a->argv, a->lens);
}

/* ---- progress ---- */

/* A commit succeeded, or a read found nothing new: the partition moves. */
static void note_progress(struct partition *p)
{
	if (progress_made(&p->progress, vsd_mono_ms()))
		log_notice("partition %d: making progress again", p->index);
}

void partition_watch(struct partition *p)
{
	const struct daemon_config *dc = &cfg_of(p)->daemon;
	/* not while the lease is being released (a handover): that ends soon */
	bool expected = p->lease_held && !p->d->stopping && p->state != PS_STOPPING &&
			p->state != PS_STOPPED && rconn_state(p->d->cmd) == RC_READY;
	switch (progress_check(&p->progress, expected, vsd_mono_ms(), dc->stall_ms)) {
	case PROGRESS_STALLED:
		log_warn("partition %d: stalled: no commit and no caught-up read for %d ms while "
			 "holding the lease (state %s); restarting it from its lease, and again "
			 "every %d ms until it moves",
			 p->index, dc->stall_ms, partition_state_name(p->state), dc->stall_ms);
		p->stall_restarts++;
		restart(p, "restart for a stall");
		break;
	case PROGRESS_RESTART:
		p->stall_restarts++;
		restart(p, "still stalled");
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
	return progress_healthy(&p->progress, vsd_mono_ms(), cfg_of(p)->daemon.stall_ms);
}

unsigned long long partition_stall_restarts(const struct partition *p)
{
	return p->stall_restarts;
}

/* ---- lease ---- */

static void on_lease_renew(struct rconn *rc, redisReply *r, void *arg)
{
	(void)rc;
	struct partition *p = arg;
	p->renew_in_flight = false;
	if (!r)
		return; /* the connection's loss restarts the partition */
	if (r->type == REDIS_REPLY_INTEGER && r->integer == 1)
		return;
	if (p->lease_held)
		lose_lease(p, reply_is_error(r, NULL) ? r->str : "token no longer in the lease key");
}

static void on_lease_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct partition *p = arg;
	if (!p->lease_held || p->renew_in_flight)
		return;
	char ttl[24];
	snprintf(ttl, sizeof ttl, "%d", cfg_of(p)->daemon.lease_ms);
	const char *argv[] = {"EVALSHA", p->d->script_sha[SCRIPT_LEASE_RENEW], "1", p->k_lease,
			      p->token, ttl};
	size_t lens[6];
	for (int i = 0; i < 6; i++)
		lens[i] = strlen(argv[i]);
	if (rconn_command(p->d->cmd, on_lease_renew, p, 0, 6, argv, lens) == 0)
		p->renew_in_flight = true;
}

static void start_setup(struct partition *p);

static void on_lease_take(struct rconn *rc, redisReply *r, void *arg)
{
	(void)rc;
	struct partition *p = arg;
	if (!r) {
		restart(p, "lease request lost");
		return;
	}
	if (r->type == REDIS_REPLY_INTEGER && r->integer == 1) {
		if (!p->lease_held)
			log_info("partition %d: lease taken; consuming %s", p->index, p->k_events);
		p->lease_held = true;
		start_setup(p);
		return;
	}
	if (reply_is_error(r, NULL))
		log_err("partition %d: lease request refused: %.200s", p->index, r->str);
	else
		log_debug("partition %d: lease held by another instance", p->index);
	set_state(p, PS_IDLE);
	timer_arm_ms(p->retry_timer, cfg_of(p)->daemon.lease_ms / 3);
}

static void acquire(struct partition *p)
{
	if (p->state != PS_IDLE || p->d->stopping)
		return;
	if (!p->d->scripts_loaded || rconn_state(p->d->cmd) != RC_READY ||
	    rconn_state(p->blk) != RC_READY)
		return; /* kicked again when they are */
	/* A partition restarted while it still holds its lease is already
	 * counted in vsd_owned: it takes its own lease back (lease_take accepts
	 * our token) whatever the share, or it would never run again while the
	 * lease timer kept renewing the lease for it. */
	if (!p->lease_held && vsd_owned(p->d) >= vsd_fair_share(p->d)) {
		timer_arm_ms(p->retry_timer, cfg_of(p)->daemon.lease_ms / 3);
		return; /* this instance has its share; another takes this one */
	}
	set_state(p, PS_ACQUIRING);
	char ttl[24];
	snprintf(ttl, sizeof ttl, "%d", cfg_of(p)->daemon.lease_ms);
	const char *argv[] = {"EVALSHA", p->d->script_sha[SCRIPT_LEASE_TAKE], "1", p->k_lease,
			      p->token, cfg_of(p)->daemon.consumer, ttl};
	size_t lens[7];
	for (int i = 0; i < 7; i++)
		lens[i] = strlen(argv[i]);
	send_cmd(p, on_lease_take, 7, argv, lens);
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	acquire(arg);
}

/* ---- setup and recovery ---- */

static void start_claim(struct partition *p);
static void read_next(struct partition *p);

/* The school day the wall-clock sweep has reached: today once the sweep time
 * has passed, else yesterday (Europe/Amsterdam, rules/clock.h). */
static int32_t wall_sweep_target(const struct partition *p)
{
	return clock_swept_through(vsd_wall_ms(), cfg_of(p)->base.rules.sweep_minute);
}

static void on_swept(struct rconn *rc, redisReply *r, void *arg)
{
	(void)rc;
	struct partition *p = arg;
	if (!r || reply_is_error(r, NULL)) {
		restart(p, "reading the sweep marker failed");
		return;
	}
	int32_t day;
	if (r->type == REDIS_REPLY_STRING && date_parse(r->str, &day) == 0) {
		p->swept_through = day;
	} else if (cfg_of(p)->daemon.sweep_clock == SWEEP_WALL) {
		/* A new installation starts sweeping from now on. */
		p->swept_through = wall_sweep_target(p);
		char d[DATE_STRLEN];
		date_format(p->swept_through, d);
		const char *argv[] = {"SET", p->k_swept, d, "NX"};
		size_t lens[4] = {3, strlen(p->k_swept), strlen(d), 2};
		if (send_cmd(p, NULL, 4, argv, lens) != 0)
			return;
	} else {
		p->swept_through = DATE_NONE;
	}
	start_claim(p);
}

static void on_group(struct rconn *rc, redisReply *r, void *arg)
{
	(void)rc;
	struct partition *p = arg;
	if (!r || (reply_is_error(r, NULL) && !reply_is_error(r, "BUSYGROUP")))
		restart(p, r ? "cannot create the consumer group" : "group creation lost");
	/* on success the GET swept sent right after continues */
}

static void start_setup(struct partition *p)
{
	set_state(p, PS_SETUP);
	batch_clear(p);
	commit_clear(p);
	poison_clear(p);
	p->read_new = false;
	const char *g[] = {"XGROUP", "CREATE", p->k_events, GROUP, "0", "MKSTREAM"};
	size_t gl[6];
	for (int i = 0; i < 6; i++)
		gl[i] = strlen(g[i]);
	if (send_cmd(p, on_group, 6, g, gl) != 0)
		return;
	const char *s[] = {"GET", p->k_swept};
	size_t sl[2] = {3, strlen(p->k_swept)};
	send_cmd(p, on_swept, 2, s, sl);
}

static void start_check(struct partition *p);

static void send_claim(struct partition *p);

static void on_claim(struct rconn *rc, redisReply *r, void *arg)
{
	(void)rc;
	struct partition *p = arg;
	if (!r || r->type != REDIS_REPLY_ARRAY || r->elements < 2 ||
	    r->element[0]->type != REDIS_REPLY_STRING) {
		restart(p, "XAUTOCLAIM failed");
		return;
	}
	size_t claimed = r->element[1]->type == REDIS_REPLY_ARRAY ? r->element[1]->elements : 0;
	if (claimed)
		log_info("partition %d: claimed %zu entries left pending by another consumer",
			 p->index, claimed);
	str_copy(p->cursor, r->element[0]->str, sizeof p->cursor);
	if (strcmp(p->cursor, "0-0") == 0)
		start_check(p);
	else
		send_claim(p);
}

static void send_claim(struct partition *p)
{
	char idle[24];
	snprintf(idle, sizeof idle, "%d", cfg_of(p)->daemon.claim_idle_ms);
	const char *argv[] = {"XAUTOCLAIM", p->k_events, GROUP, cfg_of(p)->daemon.consumer,
			      idle, p->cursor, "COUNT", "500", "JUSTID"};
	size_t lens[9];
	for (int i = 0; i < 9; i++)
		lens[i] = strlen(argv[i]);
	send_cmd(p, on_claim, 9, argv, lens);
}

static void start_claim(struct partition *p)
{
	set_state(p, PS_CLAIMING);
	p->last_claim_ms = vsd_wall_ms();
	p->read_new = false;
	str_copy(p->cursor, "0-0", sizeof p->cursor);
	send_claim(p);
}

static void on_check(struct rconn *rc, redisReply *r, void *arg)
{
	(void)rc;
	struct partition *p = arg;
	if (!r || r->type != REDIS_REPLY_ARRAY) {
		restart(p, "XPENDING failed");
		return;
	}
	poison_clear(p);
	for (size_t i = 0; i < r->elements; i++) {
		redisReply *e = r->element[i];
		if (e->type != REDIS_REPLY_ARRAY || e->elements < 4 ||
		    e->element[3]->type != REDIS_REPLY_INTEGER)
			continue;
		if (e->element[3]->integer > cfg_of(p)->daemon.max_deliveries) {
			p->poison = xrealloc(p->poison, (size_t)(p->npoison + 1) * sizeof *p->poison);
			p->poison[p->npoison++] = xstrdup(e->element[0]->str);
		}
	}
	if (p->npoison)
		log_warn("partition %d: %d entries exceeded %d deliveries; they go to the dead "
			 "letters",
			 p->index, p->npoison, cfg_of(p)->daemon.max_deliveries);
	set_state(p, PS_PENDING);
	str_copy(p->cursor, "0", sizeof p->cursor);
	read_next(p);
}

static void start_check(struct partition *p)
{
	set_state(p, PS_CHECKING);
	const char *argv[] = {"XPENDING", p->k_events, GROUP, "-", "+", "1000",
			      cfg_of(p)->daemon.consumer};
	size_t lens[7];
	for (int i = 0; i < 7; i++)
		lens[i] = strlen(argv[i]);
	send_cmd(p, on_check, 7, argv, lens);
}

static bool is_poison(const struct partition *p, const char *id)
{
	for (int i = 0; i < p->npoison; i++)
		if (strcmp(p->poison[i], id) == 0)
			return true;
	return false;
}

/* ---- reading ---- */

static void process_batch(struct partition *p);
static void maybe_sweep_then(struct partition *p, part_next_fn next);
static void events_catch_up_then(struct partition *p, part_next_fn next);

/* Copies the entries of an XREADGROUP reply ([[key, [[id, fields]...]]]) into
 * the batch. Returns the number of entries, -1 on a malformed reply. */
static int take_entries(struct partition *p, redisReply *r)
{
	batch_clear(p);
	if (r->type == REDIS_REPLY_NIL)
		return 0;
	if (r->type != REDIS_REPLY_ARRAY || r->elements < 1 ||
	    r->element[0]->type != REDIS_REPLY_ARRAY || r->element[0]->elements < 2 ||
	    r->element[0]->element[1]->type != REDIS_REPLY_ARRAY)
		return -1;
	redisReply *entries = r->element[0]->element[1];
	p->batch = xcalloc(entries->elements ? entries->elements : 1, sizeof *p->batch);
	for (size_t i = 0; i < entries->elements; i++) {
		redisReply *e = entries->element[i];
		if (e->type != REDIS_REPLY_ARRAY || e->elements < 2 ||
		    e->element[0]->type != REDIS_REPLY_STRING)
			return -1;
		struct entry *en = &p->batch[p->nbatch++];
		str_copy(en->id, e->element[0]->str, sizeof en->id);
		redisReply *f = e->element[1];
		if (f->type != REDIS_REPLY_ARRAY) {
			en->trimmed = true;
			continue;
		}
		size_t total = 0;
		for (size_t k = 0; k < f->elements; k++)
			total += f->element[k]->len + 1;
		en->blob = xmalloc(total ? total : 1);
		en->nfields = (int)(f->elements / 2);
		en->fields = xcalloc((size_t)(en->nfields ? en->nfields : 1), sizeof *en->fields);
		char *w = en->blob;
		for (int k = 0; k < en->nfields; k++) {
			redisReply *name = f->element[2 * k], *val = f->element[2 * k + 1];
			memcpy(w, name->str, name->len);
			w[name->len] = '\0';
			en->fields[k].name = w;
			en->fields[k].name_len = name->len;
			w += name->len + 1;
			memcpy(w, val->str, val->len);
			w[val->len] = '\0';
			en->fields[k].value = w;
			en->fields[k].value_len = val->len;
			w += val->len + 1;
		}
		en->poison = is_poison(p, en->id);
	}
	return p->nbatch;
}

static void on_read(struct rconn *rc, redisReply *r, void *arg)
{
	(void)rc;
	struct partition *p = arg;
	if (p->state != PS_PENDING && p->state != PS_READING)
		return;
	if (!r) {
		restart(p, "read lost");
		return;
	}
	if (reply_is_error(r, "NOGROUP")) {
		restart(p, "the consumer group disappeared; re-creating it");
		return;
	}
	int n = reply_is_error(r, NULL) ? -1 : take_entries(p, r);
	if (n < 0) {
		restart(p, "unexpected XREADGROUP reply");
		return;
	}
	if (n == 0) {
		p->read_empty = p->state == PS_READING;
		note_progress(p); /* caught up */
		if (p->state == PS_PENDING)
			p->read_new = true;
		read_next(p);
		return;
	}
	if (p->state == PS_PENDING)
		str_copy(p->cursor, p->batch[n - 1].id, sizeof p->cursor);
	process_batch(p);
}

static void release_lease(struct partition *p);

static void do_read(struct partition *p)
{
	const struct daemon_config *dc = &cfg_of(p)->daemon;
	char count[16], block[16];
	snprintf(count, sizeof count, "%d", dc->batch_size);
	snprintf(block, sizeof block, "%d", dc->block_ms);
	if (!p->read_new) {
		set_state(p, PS_PENDING);
		const char *argv[] = {"XREADGROUP", "GROUP", GROUP, dc->consumer, "COUNT", count,
				      "STREAMS", p->k_events, p->cursor};
		size_t lens[9];
		for (int i = 0; i < 9; i++)
			lens[i] = strlen(argv[i]);
		send_cmd(p, on_read, 9, argv, lens);
		return;
	}
	set_state(p, PS_READING);
	p->read_clock_ms = p->d->events_clock_ms;
	p->read_empty = false;
	const char *argv[] = {"XREADGROUP", "GROUP", GROUP, dc->consumer, "COUNT", count,
			      "BLOCK", block, "STREAMS", p->k_events, ">"};
	size_t lens[11];
	for (int i = 0; i < 11; i++)
		lens[i] = strlen(argv[i]);
	send_on(p, p->blk, dc->block_ms, on_read, 11, argv, lens);
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
	release_lease(p);
	return true;
}

/* A voluntary handover: the lease goes only once the deliveries under way
 * have ended and their results are recorded (or they were made due again),
 * as the RESULT script refuses a result without the lease; the dispatcher
 * drains first. A stop (SIGTERM) ends the transfers itself (main.c). */
static void hand_over(struct partition *p)
{
	log_info("partition %d: handing over to another instance (%d live, share %d)", p->index,
		 p->d->live_instances, vsd_fair_share(p->d));
	set_state(p, PS_STOPPING);
	struct dispatcher *ds = p->d->disp ? p->d->disp[p->index] : NULL;
	if (!ds) {
		release_lease(p);
		return;
	}
	p->handing_over = true;
	p->handover_gen = p->chain_gen;
	dispatcher_drain(ds, HANDOVER_GRACE_MS, on_handover_drained, p);
}

/* Between batches: stop, sweep, or read the next batch. */
/* True when this instance owns more than its share and this is the
 * highest-numbered partition it owns: the one to hand over. */
static bool over_share(const struct partition *p)
{
	const struct vsd *d = p->d;
	if (vsd_owned(d) <= vsd_fair_share(d))
		return false;
	for (int i = d->nparts - 1; i >= 0; i--)
		if (d->parts[i]->lease_held)
			return d->parts[i] == p;
	return false;
}

static void read_next(struct partition *p)
{
	if (p->d->stopping) {
		release_lease(p);
		return;
	}
	if (over_share(p)) {
		hand_over(p);
		return;
	}
	/* Entries delivered to a consumer that died or lost its lease stay
	 * pending under its name: claim them again every claim_idle_ms. */
	if (p->read_new && vsd_wall_ms() - p->last_claim_ms >= cfg_of(p)->daemon.claim_idle_ms) {
		start_claim(p);
		return;
	}
	if (cfg_of(p)->daemon.sweep_clock == SWEEP_WALL && p->read_new) {
		maybe_sweep_then(p, do_read);
		return;
	}
	if (cfg_of(p)->daemon.sweep_clock == SWEEP_EVENTS && p->read_empty) {
		p->read_empty = false;
		events_catch_up_then(p, do_read);
		return;
	}
	do_read(p);
}

/* ---- commit ---- */

static void on_commit(struct rconn *rc, redisReply *r, void *arg)
{
	(void)rc;
	struct partition *p = arg;
	if (!r) {
		restart(p, "commit outcome unknown (connection lost)");
		return;
	}
	if (r->type == REDIS_REPLY_INTEGER)
		p->commit_in_flight = false; /* committed; any error restarts with it set */
	if (reply_is_error(r, "LEASE")) {
		lose_lease(p, "the commit script found another token");
		return;
	}
	if (reply_is_error(r, "NOSCRIPT")) {
		p->d->scripts_loaded = false;
		rconn_reset(p->d->cmd, "scripts missing in Redis; reloading them");
		restart(p, "commit script missing");
		return;
	}
	if (r->type != REDIS_REPLY_INTEGER) {
		log_err("partition %d: commit refused: %.200s", p->index,
			r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
		restart(p, "commit refused");
		return;
	}
	p->pend.commits = 1;
	note_progress(p);
	p->pend.tasks = (unsigned long long)r->integer;
	if (r->integer > 0 && p->d->disp)
		dispatcher_kick(p->d->disp[p->index]);
	p->pend.entries = (unsigned long long)p->nacks;
	p->pend.dead = (unsigned long long)p->ndead;
	vsd_stats_add(&p->d->stats, &p->pend);
	if (p->commit_swept != DATE_NONE)
		p->swept_through = p->commit_swept;
	part_next_fn next = p->after_commit;
	commit_clear(p);
	next(p);
}

/* Sends everything collected as one commit; next runs after it succeeded.
 * The command points into the sections (no copies but hiredis' own). */
static void commit_send(struct partition *p, part_next_fn next)
{
	for (size_t i = 0; i < p->ndirty; i++) {
		struct pupil_entry *e = &p->cache.v[p->dirty[i]];
		cmdargs_adds(&p->states, e->student);
		pupil_state_encode(&e->st,
				   cmdargs_add_space(&p->states, pupil_state_encoded_size(&e->st)));
		p->nstates++;
	}
	char counts[5][16], swept[DATE_STRLEN] = "", nhdel[16];
	snprintf(counts[0], sizeof counts[0], "%d", p->nstates);
	snprintf(counts[1], sizeof counts[1], "%d", p->ntasks);
	snprintf(counts[2], sizeof counts[2], "%d", p->ndead);
	snprintf(counts[3], sizeof counts[3], "%d", p->nacks);
	snprintf(nhdel, sizeof nhdel, "%d", p->nhdel);
	if (p->commit_swept != DATE_NONE)
		date_format(p->commit_swept, swept);
	struct argview v;
	argview_init(&v);
	argview_adds(&v, "EVALSHA");
	argview_adds(&v, p->d->script_sha[SCRIPT_COMMIT]);
	argview_adds(&v, "8");
	/* Task ids are kept per school year and expire with the year's states:
	 * the year the partition's clock is in (between two years: the next). */
	const struct school_years *ys = cfg_of(p)->base.years;
	int32_t clock = p->swept_through != DATE_NONE ? p->swept_through : wall_sweep_target(p);
	int yi = school_years_index_next(ys, clock);
	if (yi < 0)
		yi = school_years_count(ys) - 1;
	const struct calendar *cal = school_years_calendar(ys, yi);
	char k_taskids[80], expire[24];
	key_build(k_taskids, sizeof k_taskids, p->index, KEY_TASKIDS, calendar_year(cal));
	int64_t keep = (int64_t)cfg_of(p)->daemon.state_retention_days * 86400000;
	int64_t until = ((int64_t)calendar_view(cal, NULL)->last_day + 1) * 86400000 + keep;
	int64_t from_now = vsd_wall_ms() + keep;
	if (until < from_now) /* a past year replayed now: keep them from now */
		until = from_now;
	snprintf(expire, sizeof expire, "%lld", (long long)until);
	const char *keys[8] = {p->k_lease, p->k_state, p->k_tasks, p->k_dead,
			       p->k_events, k_taskids, p->k_swept, p->k_daily};
	for (int i = 0; i < 8; i++)
		argview_adds(&v, keys[i]);
	argview_adds(&v, p->token);
	argview_adds(&v, GROUP);
	argview_adds(&v, expire);
	const struct cmdargs *sections[4] = {&p->states, &p->tasks, &p->dead, &p->acks};
	for (int i = 0; i < 4; i++) {
		argview_adds(&v, counts[i]);
		argview_add_all(&v, sections[i]);
	}
	argview_adds(&v, swept);
	argview_adds(&v, nhdel);
	argview_add_all(&v, &p->hdel);
	/* absences per school day, with the school's flood limit */
	struct cmdargs days;
	cmdargs_init(&days);
	cmdargs_addf(&days, "%d", p->ndays);
	for (int i = 0; i < p->ndays; i++) {
		char d[DATE_STRLEN];
		date_format(p->days[i].date, d);
		cmdargs_adds(&days, d);
		cmdargs_adds(&days, p->days[i].school);
		cmdargs_addf(&days, "%d", p->days[i].count);
		cmdargs_addf(&days, "%d", ops_flood_reg_limit(cfg_of(p), p->days[i].school));
	}
	argview_add_all(&v, &days);
	p->after_commit = next;
	set_state(p, p->state == PS_SWEEPING ? PS_SWEEPING : PS_COMMITTING);
	p->commit_in_flight = true;
	send_cmd(p, on_commit, v.n, v.argv, v.lens);
	argview_free(&v);
	cmdargs_free(&days);
}

/* Counts an absence for the flood guard (COMMIT adds the counts to the
 * school day's counter and quarantines a school day past its limit). */
static void count_day(struct partition *p, const char *school, int32_t date)
{
	for (int i = p->ndays - 1; i >= 0; i--) {
		if (p->days[i].date == date && strcmp(p->days[i].school, school) == 0) {
			p->days[i].count++;
			return;
		}
	}
	if (p->ndays == p->cap_days) {
		p->cap_days = p->cap_days ? p->cap_days * 2 : 64;
		p->days = xrealloc(p->days, (size_t)p->cap_days * sizeof *p->days);
	}
	struct day_count *dc = &p->days[p->ndays++];
	str_copy(dc->school, school, sizeof dc->school);
	dc->date = date;
	dc->count = 1;
}

static void mark_dirty(struct partition *p, struct pupil_entry *e)
{
	if (e->flags & DIRTY)
		return;
	e->flags |= DIRTY;
	if (p->ndirty == p->cap_dirty) {
		p->cap_dirty = p->cap_dirty ? p->cap_dirty * 2 : 256;
		p->dirty = xrealloc(p->dirty, p->cap_dirty * sizeof *p->dirty);
	}
	p->dirty[p->ndirty++] = (uint32_t)(e - p->cache.v);
}

static void add_signals(struct partition *p)
{
	if (!p->signals.n)
		return;
	int64_t now = vsd_wall_ms();
	const struct vsd_config *c = cfg_of(p);
	for (size_t i = 0; i < p->signals.n; i++) {
		const struct signal *sg = &p->signals.v[i];
		unsigned roles = partners_route(c->partners, sg, c->base.rules.adult_age);
		task_append(&p->tasks, sg, roles, now, c->daemon.action_window_hours);
		p->ntasks++;
		if (sg->level >= 0 && sg->level < STATS_LEVELS)
			p->pend.signals[sg->rule][sg->level]++;
		for (int r = 0; r < STATS_ROLES; r++)
			if (roles & (1u << r))
				p->pend.roles[r]++;
	}
	signal_list_clear(&p->signals);
}

static void add_dead(struct partition *p, const struct entry *en, int reason_index,
		     const char *reason, const char *message)
{
	p->pend.dead_by_reason[reason_index]++;
	dead_letter_append(&p->dead, en->id, reason, message, en->fields, en->nfields);
	p->ndead++;
	log_notice("partition %d: entry %s dead-lettered: %s", p->index, en->id, reason);
}

static void add_ack(struct partition *p, const char *id)
{
	cmdargs_adds(&p->acks, id);
	p->nacks++;
}

/* ---- batch processing ---- */

static void batch_done(struct partition *p)
{
	batch_clear(p);
	if ((int)p->cache.n > cfg_of(p)->daemon.max_cached_pupils)
		cache_drop(p); /* every cached state is committed: safe to drop */
	read_next(p);
}

static void batch_resume(struct partition *p);

/* Applies entries from p->pos on, in order. Stops early when the events
 * clock needs a sweep before the next entry; commits what it has. */
static void batch_apply(struct partition *p)
{
	struct rules_env env = env_of(p);
	bool events_clock = cfg_of(p)->daemon.sweep_clock == SWEEP_EVENTS;
	for (; p->pos < p->nbatch; p->pos++) {
		struct entry *en = &p->batch[p->pos];
		if (en->trimmed) {
			add_ack(p, en->id);
			continue;
		}
		if (en->poison) {
			add_dead(p, en, DEAD_DELIVERY_LIMIT, "delivery_limit",
				 "delivered more often than max_deliveries without a commit");
			add_ack(p, en->id);
			continue;
		}
		if (!en->valid || en->dead_reason) {
			add_dead(p, en, en->dead_reason ? DEAD_STATE_CORRUPT : (int)en->err.reason,
				 en->dead_reason ? en->dead_reason : event_reason_code(en->err.reason),
				 en->dead_reason ? "the pupil's stored state is unreadable"
						 : en->err.message);
			add_ack(p, en->id);
			continue;
		}
		if (events_clock) {
			/* The clock is the latest recorded_at (this one included):
			 * every sweep due at it runs before the entry is applied. */
			int32_t due = clock_swept_through(en->reg.recorded_ms,
							  cfg_of(p)->base.rules.sweep_minute);
			if (p->swept_through == DATE_NONE) {
				/* no pupil of the partition has state yet */
				p->swept_through = due;
				p->commit_swept = due;
			}
			if (en->reg.recorded_ms > p->d->events_clock_ms)
				p->d->events_clock_ms = en->reg.recorded_ms;
			if (p->swept_through < due &&
			    school_years_school_days_between(env.years, NULL, p->swept_through + 1,
							     due) > 0) {
				/* commit the entries so far, sweep, then go on */
				p->sweep_from = p->swept_through + 1;
				p->sweep_to = due;
				commit_send(p, batch_resume);
				return;
			}
		}
		struct pupil_entry *e = pupil_table_get(&p->cache, en->reg.student,
							state_base(p, en->reg.date));
		if (rules_apply_clocked(&env, &e->st, &en->reg, p->swept_through, &p->signals))
			mark_dirty(p, e);
		if (en->reg.kind == KIND_ABSENT || en->reg.kind == KIND_SICK)
			count_day(p, en->reg.school, en->reg.date);
		add_signals(p);
		add_ack(p, en->id);
		p->pend.registrations++;
	}
	commit_send(p, batch_done);
}

static void sweep_then_apply(struct partition *p);

/* After a partial commit: sweep the pending range, then apply the rest. */
static void batch_resume(struct partition *p)
{
	p->after_sweep = batch_apply;
	sweep_then_apply(p);
}

static void on_states(struct rconn *rc, redisReply *r, void *arg)
{
	(void)rc;
	struct partition *p = arg;
	if (!r || r->type != REDIS_REPLY_ARRAY) {
		restart(p, "loading pupil states failed");
		return;
	}
	/* The reply lists the states in the order the students were asked:
	 * every valid entry whose pupil was not cached, first occurrence only. */
	size_t k = 0;
	for (int i = 0; i < p->nbatch && k < r->elements; i++) {
		struct entry *en = &p->batch[i];
		if (!en->valid || !(en->reg.student[0]) || en->trimmed || en->dead_reason)
			continue;
		if (pupil_table_find(&p->cache, en->reg.student))
			continue;
		redisReply *v = r->element[k++];
		int32_t base = state_base(p, en->reg.date);
		bool dirty = false;
		struct pupil_state st;
		pupil_state_init(&st, base);
		if (v->type == REDIS_REPLY_STRING) {
			const char *why;
			if (pupil_state_decode((const uint8_t *)v->str, v->len, &st, &why) != 0) {
				log_err("partition %d: a stored pupil state is unreadable (%s); its "
					"registrations go to the dead letters",
					p->index, why);
				/* The record is left as it is in Redis (nothing is lost);
				 * the pupil is not cached, so it is never written back. */
				for (int j = i; j < p->nbatch; j++)
					if (p->batch[j].valid &&
					    strcmp(p->batch[j].reg.student, en->reg.student) == 0)
						p->batch[j].dead_reason = "state_corrupt";
				continue;
			}
			/* finished school years past their retention go, but for
			 * what an open run needs (the HSCAN of the sweep would
			 * otherwise do it later) */
			bool empty;
			if (purge_state(p, &st, &empty)) {
				dirty = true;
				if (empty) {
					pupil_state_free(&st);
					pupil_state_init(&st, base);
				}
			}
		}
		struct pupil_entry *e = pupil_table_get(&p->cache, en->reg.student, base);
		pupil_state_free(&e->st);
		e->st = st;
		if (dirty)
			mark_dirty(p, e);
	}
	batch_apply(p);
}

/* Parses every entry, loads the states of uncached pupils, then applies. */
static void process_batch(struct partition *p)
{
	const struct school_years *years = cfg_of(p)->base.years;
	/* The wall clock refuses a recorded_at more than a day after now; the
	 * events clock, which simulates time from recorded_at, applies replay's
	 * bound instead (rules/clock.h). */
	int64_t read_ms = cfg_of(p)->daemon.sweep_clock == SWEEP_WALL ? vsd_wall_ms() : -1;
	struct cmdargs a;
	cmdargs_init(&a);
	cmdargs_adds(&a, "HMGET");
	cmdargs_adds(&a, p->k_state);
	int asked = 0;
	for (int i = 0; i < p->nbatch; i++) {
		struct entry *en = &p->batch[i];
		if (en->trimmed)
			continue;
		en->valid =
			event_parse(en->fields, (size_t)en->nfields, years, &en->reg, &en->err) == 0;
		if (en->valid && clock_recorded_at_bad(&en->reg, read_ms)) {
			if (read_ms >= 0)
				event_error_set(&en->err, EV_BAD_RECORDED_AT, "recorded_at",
						"recorded_at is more than a day after the moment "
						"it was read");
			else
				event_error_set(&en->err, EV_BAD_RECORDED_AT, "recorded_at",
						"recorded_at is more than %d days after the date",
						CLOCK_MAX_LATE_DAYS);
			en->valid = false;
		}
		if (!en->valid || en->poison || pupil_table_find(&p->cache, en->reg.student))
			continue;
		bool dup = false;
		for (int j = 0; j < i && !dup; j++)
			dup = p->batch[j].valid && !p->batch[j].poison && !p->batch[j].trimmed &&
			      strcmp(p->batch[j].reg.student, en->reg.student) == 0;
		if (dup)
			continue;
		cmdargs_adds(&a, en->reg.student);
		asked++;
	}
	p->pos = 0;
	if (asked == 0) {
		cmdargs_free(&a);
		batch_apply(p);
		return;
	}
	set_state(p, PS_LOADING);
	/* poisoned entries were skipped above; make on_states skip them too */
	for (int i = 0; i < p->nbatch; i++)
		if (p->batch[i].poison)
			p->batch[i].valid = false, p->batch[i].err.reason = EV_OK;
	send_args(p, on_states, &a);
	cmdargs_free(&a);
}

/* ---- sweep ---- */

static void sweep_scan(struct partition *p);

/* Runs the sweep days for one pupil; its signals join the commit. */
static void sweep_pupil(struct partition *p, const struct rules_env *env,
			struct pupil_entry *e)
{
	bool changed = false;
	for (int32_t day = p->sweep_from; day <= p->sweep_to; day++)
		if (school_years_is_school_day(env->years, NULL, day) &&
		    rules_sweep(env, &e->st, e->student, day, &p->signals))
			changed = true;
	if (changed)
		mark_dirty(p, e);
	add_signals(p);
}

/* The last commit of a sweep also moves the swept marker. */
static void sweep_finish(struct partition *p)
{
	p->commit_swept = p->sweep_to;
	p->pend.sweeps = (unsigned long long)school_years_school_days_between(
		cfg_of(p)->base.years, NULL, p->sweep_from, p->sweep_to);
	commit_send(p, p->after_sweep);
}

#define SWEEP_CACHE_CHUNK 2000

/* A sweep over a complete cache: no reads, a commit per chunk of pupils. */
static void sweep_cached(struct partition *p)
{
	set_state(p, PS_SWEEPING);
	struct rules_env env = env_of(p);
	size_t end = p->sweep_next + SWEEP_CACHE_CHUNK;
	if (end > p->cache.n)
		end = p->cache.n;
	for (; p->sweep_next < end; p->sweep_next++)
		sweep_pupil(p, &env, &p->cache.v[p->sweep_next]);
	if (p->sweep_next >= p->cache.n)
		sweep_finish(p);
	else
		commit_send(p, sweep_cached);
}

static void on_scan(struct rconn *rc, redisReply *r, void *arg)
{
	(void)rc;
	struct partition *p = arg;
	if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
	    r->element[0]->type != REDIS_REPLY_STRING ||
	    r->element[1]->type != REDIS_REPLY_ARRAY) {
		restart(p, "HSCAN of the pupil states failed");
		return;
	}
	struct rules_env env = env_of(p);
	redisReply *kv = r->element[1];
	for (size_t i = 0; i + 1 < kv->elements; i += 2) {
		redisReply *k = kv->element[i], *v = kv->element[i + 1];
		char student[EVENT_TEXT_MAX + 1];
		if (k->len > EVENT_TEXT_MAX)
			continue;
		memcpy(student, k->str, k->len);
		student[k->len] = '\0';
		struct pupil_entry *e = pupil_table_find(&p->cache, student);
		bool empty = false, purged;
		if (!e) {
			struct pupil_state st;
			const char *why;
			if (pupil_state_decode((const uint8_t *)v->str, v->len, &st, &why) != 0) {
				log_err("partition %d: sweep skips an unreadable pupil state (%s)",
					p->index, why);
				continue;
			}
			/* finished school years go after the retention, but for
			 * what an open run needs; nothing left: the record goes */
			purged = purge_state(p, &st, &empty);
			if (empty) {
				cmdargs_add(&p->hdel, k->str, k->len);
				p->nhdel++;
				pupil_state_free(&st);
				continue;
			}
			e = pupil_table_get(&p->cache, student, st.base);
			pupil_state_free(&e->st);
			e->st = st;
		} else {
			purged = purge_state(p, &e->st, &empty);
			if (empty) {
				/* the cached state stays, empty: as good as none */
				cmdargs_add(&p->hdel, k->str, k->len);
				p->nhdel++;
				continue;
			}
		}
		if (purged)
			mark_dirty(p, e);
		sweep_pupil(p, &env, e);
	}
	str_copy(p->sweep_cursor, r->element[0]->str, sizeof p->sweep_cursor);
	bool last = strcmp(p->sweep_cursor, "0") == 0;
	if (last) {
		/* every stored pupil is in the cache now, and new ones enter it
		 * through batches: later sweeps need not read them again */
		p->cache_complete = true;
		p->last_scan_ms = vsd_wall_ms();
		sweep_finish(p);
		return;
	}
	commit_send(p, sweep_scan);
}

static void sweep_scan(struct partition *p)
{
	set_state(p, PS_SWEEPING);
	const char *argv[] = {"HSCAN", p->k_state, p->sweep_cursor, "COUNT", SWEEP_SCAN_COUNT};
	size_t lens[5];
	for (int i = 0; i < 5; i++)
		lens[i] = strlen(argv[i]);
	send_cmd(p, on_scan, 5, argv, lens);
}

/* Sweeps [sweep_from, sweep_to] for every pupil, then runs after_sweep. */
static void sweep_then_apply(struct partition *p)
{
	char a[DATE_STRLEN], b[DATE_STRLEN];
	date_format(p->sweep_from, a);
	date_format(p->sweep_to, b);
	/* once a day on the wall clock; on the events clock as often as the data
	 * moves on a day, which is debug detail */
	log_msg(cfg_of(p)->daemon.sweep_clock == SWEEP_WALL ? LOG_INFO : LOG_DEBUG,
		"partition %d: daily sweep %s .. %s", p->index, a, b);
	/* A full scan at least daily: it also purges finished school years. */
	if (p->cache_complete && vsd_wall_ms() - p->last_scan_ms < 24LL * 3600 * 1000) {
		p->sweep_next = 0;
		sweep_cached(p);
		return;
	}
	str_copy(p->sweep_cursor, "0", sizeof p->sweep_cursor);
	sweep_scan(p);
}

/* Events clock, when a read found no new entries: every entry recorded
 * before the instance's clock (as it was when the read was sent) has been
 * applied, so the sweeps due at that clock run now, as they would in replay
 * before the next registration. Without this a partition whose
 * registrations stop earlier than another's would lack the last sweeps. */
static void events_catch_up_then(struct partition *p, part_next_fn next)
{
	if (p->swept_through == DATE_NONE || p->read_clock_ms == INT64_MIN) {
		next(p);
		return;
	}
	int32_t due = clock_swept_through(p->read_clock_ms, cfg_of(p)->base.rules.sweep_minute);
	if (due <= p->swept_through ||
	    school_years_school_days_between(cfg_of(p)->base.years, NULL, p->swept_through + 1,
					     due) == 0) {
		next(p);
		return;
	}
	p->sweep_from = p->swept_through + 1;
	p->sweep_to = due;
	p->after_sweep = next;
	sweep_then_apply(p);
}

/* Wall clock: sweeps the school days that came due, then runs next. */
static void maybe_sweep_then(struct partition *p, part_next_fn next)
{
	int32_t target = wall_sweep_target(p);
	if (p->swept_through == DATE_NONE || target <= p->swept_through ||
	    school_years_school_days_between(cfg_of(p)->base.years, NULL, p->swept_through + 1,
					     target) == 0) {
		next(p);
		return;
	}
	p->sweep_from = p->swept_through + 1;
	p->sweep_to = target;
	p->after_sweep = next;
	sweep_then_apply(p);
}

/* ---- stop, trim, life cycle ---- */

static void on_lease_drop(struct rconn *rc, redisReply *r, void *arg)
{
	(void)rc;
	(void)r;
	struct partition *p = arg;
	if (p->lease_held)
		log_info("partition %d: lease released", p->index);
	p->lease_held = false;
	if (p->d->stopping) {
		set_state(p, PS_STOPPED);
		vsd_partition_stopped(p->d);
		return;
	}
	/* handed over: wait, so another instance can take it first */
	batch_clear(p);
	cache_drop(p);
	set_state(p, PS_IDLE);
	timer_arm_ms(p->retry_timer, cfg_of(p)->daemon.lease_ms);
}

static void release_lease(struct partition *p)
{
	p->handing_over = false;
	set_state(p, PS_STOPPING);
	const char *argv[] = {"EVALSHA", p->d->script_sha[SCRIPT_LEASE_DROP], "1", p->k_lease,
			      p->token};
	size_t lens[5];
	for (int i = 0; i < 5; i++)
		lens[i] = strlen(argv[i]);
	if (rconn_command(p->d->cmd, on_lease_drop, p, 0, 5, argv, lens) != 0)
		on_lease_drop(NULL, NULL, p);
}

void partition_stop(struct partition *p)
{
	switch (p->state) {
	case PS_IDLE:
	case PS_ACQUIRING:
		/* nothing in hand; an acquire in flight is answered first */
		if (p->state == PS_IDLE) {
			evtimer_del(p->retry_timer);
			if (p->lease_held)
				release_lease(p);
			else {
				set_state(p, PS_STOPPED);
				vsd_partition_stopped(p->d);
			}
		}
		break;
	case PS_READING:
		/* the blocking read returns within block_ms; read_next then stops */
		break;
	default:
		/* in flight: read_next or restart stops after it */
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
	int64_t c = vsd_wall_ms() - cfg_of(p)->daemon.events_retention_ms;
	snprintf(cutoff, sizeof cutoff, "%" PRId64 "-0", c > 0 ? c : 0);
	const char *argv[] = {"EVALSHA", p->d->script_sha[SCRIPT_TRIM], "1", p->k_events, GROUP,
			      cutoff};
	size_t lens[6];
	for (int i = 0; i < 6; i++)
		lens[i] = strlen(argv[i]);
	rconn_command(p->d->cmd, on_trim, p, 0, 6, argv, lens);
}

void partition_kick(struct partition *p)
{
	if (p->state == PS_IDLE)
		acquire(p);
}

void partition_connection_lost(struct partition *p)
{
	/* Commands in flight come back with NULL and restart the partition;
	 * a partition waiting on a timer only needs to wait for readiness. */
	(void)p;
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
	snprintf(p->token, sizeof p->token, "%s/%08lx%08lx", d->cfg->daemon.consumer,
		 (unsigned long)random(), (unsigned long)random());
	p->state = PS_IDLE;
	p->swept_through = DATE_NONE;
	p->commit_swept = DATE_NONE;
	pupil_table_init(&p->cache);
	progress_init(&p->progress);
	cmdargs_init(&p->states);
	cmdargs_init(&p->tasks);
	cmdargs_init(&p->dead);
	cmdargs_init(&p->acks);
	cmdargs_init(&p->hdel);
	char name[32];
	snprintf(name, sizeof name, "read-%d", index);
	p->blk = rconn_new(d->base, &d->cfg->redis, name, on_blk_state, p);
	p->lease_timer = event_new(d->base, -1, EV_PERSIST, on_lease_timer, p);
	p->retry_timer = evtimer_new(d->base, on_retry, p);
	if (!p->lease_timer || !p->retry_timer) {
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
	batch_clear(p);
	commit_clear(p);
	poison_clear(p);
	cmdargs_free(&p->states);
	cmdargs_free(&p->tasks);
	cmdargs_free(&p->dead);
	cmdargs_free(&p->acks);
	cmdargs_free(&p->hdel);
	free(p->dirty);
	free(p->days);
	signal_list_free(&p->signals);
	pupil_table_free(&p->cache);
	free(p);
}
