/*
 * sweep: the school days without registrations (rules_sweep) over every
 * pupil of the partition, from the cache or by HSCAN, and the events clock.
 * One step of a partition worker (partition.h); what the steps share is
 * partition_int.h.
 */
#include "partition_int.h"

static void sweep_pupil(struct partition *p, const struct rules_env *env,
			struct pupil_entry *e);
static void sweep_finish(struct partition *p);
static void sweep_cached(struct partition *p);
static void on_scan(struct rconn *rc, redisReply *r, void *arg);
static void sweep_scan(struct partition *p);

/* Purges finished school years from a state (rules_purge) by the wall
 * clock's date. Returns true when the state changed; *empty as there. */
bool pt_purge_state(const struct partition *p, struct pupil_state *st, bool *empty)
{
	struct rules_env env = pt_env_of(p);
	return rules_purge(&env, st, pt_wall_sweep_target(p) + 1,
			   pt_cfg_of(p)->daemon.state_retention_days, empty);
}

/* ---- setup and recovery ---- */


/* The school day the wall-clock sweep has reached: today once the sweep time
 * has passed, else yesterday (Europe/Amsterdam, rules/clock.h). */
int32_t pt_wall_sweep_target(const struct partition *p)
{
	return clock_swept_through(vsd_wall_ms(), pt_cfg_of(p)->base.rules.sweep_minute);
}

/* ---- sweep ---- */


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
		pt_mark_dirty(p, e);
	pt_add_signals(p);
}

/* The last commit of a sweep also moves the swept marker. A sweep inside a
 * batch (the events clock passed a sweep time) does not commit on its own:
 * its states, tasks and the marker join the commit of the batch's rest,
 * which is sent without waiting. Waiting for a separate sweep commit made
 * the daemon sit idle behind every commit in flight once a simulated day
 * (about a third of the benchmark's idle time). It is as safe: the batch's
 * commit checks the offset as every commit does, and writes the sweep and
 * the entries after it at once or not at all. */
static void sweep_finish(struct partition *p)
{
	p->commit_swept = p->sweep_to;
	p->pend.sweeps += (unsigned long long)school_years_school_days_between(
		pt_cfg_of(p)->base.years, NULL, p->sweep_from, p->sweep_to);
	if (p->sweep_in_batch) {
		p->sweep_in_batch = false;
		p->swept_through = p->sweep_to; /* the batch's rest is applied after it */
		pt_set_state(p, PS_COMMITTING);
		p->after_sweep(p);
		return;
	}
	pt_commit_send(p, p->after_sweep);
}

/* Pupils swept in one step at most (a few ms), so the loop runs between. */
#define SWEEP_CACHE_CHUNK 32768

/* A sweep over a complete cache: no reads, a commit per step. A step ends
 * with the cache, after SWEEP_CACHE_CHUNK pupils, or once its commit holds
 * a batch's worth of states and tasks. A day's sweep changes few states
 * (about 1 in 300 pupils on the benchmark region), and each commit waits
 * for its reply: steps of a fixed 2,000 pupils made 15 round trips a day
 * for 30,000 pupils, a quarter of the benchmark's wall time. */
static void sweep_cached(struct partition *p)
{
	pt_set_state(p, PS_SWEEPING);
	struct rules_env env = pt_env_of(p);
	size_t end = p->sweep_next + SWEEP_CACHE_CHUNK;
	if (end > p->cache.n)
		end = p->cache.n;
	size_t full = (size_t)pt_cfg_of(p)->daemon.batch_size;
	for (; p->sweep_next < end && p->ndirty + (size_t)p->ntasks < full; p->sweep_next++) {
		if ((p->sweep_next & 4095) == 4095)
			rconn_pump(p->d->cmd); /* the replies coming meanwhile */
		sweep_pupil(p, &env, &p->cache.v[p->sweep_next]);
	}
	if (p->sweep_next >= p->cache.n)
		sweep_finish(p);
	else
		pt_commit_send(p, sweep_cached);
}

static void on_scan(struct rconn *rc, redisReply *r, void *arg)
{
	(void)rc;
	struct partition *p = arg;
	if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
	    r->element[0]->type != REDIS_REPLY_STRING ||
	    r->element[1]->type != REDIS_REPLY_ARRAY) {
		pt_restart(p, "HSCAN of the pupil states failed");
		return;
	}
	/* it loads and purges pupils outside the cache: states asked before
	 * are stale now (prefetch.c) */
	p->scans++;
	struct rules_env env = pt_env_of(p);
	redisReply *kv = r->element[1];
	for (size_t i = 0; i + 1 < kv->elements; i += 2) {
		redisReply *k = kv->element[i], *v = kv->element[i + 1];
		char student[EVENT_TEXT_MAX + 1];
		if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING ||
		    k->len > EVENT_TEXT_MAX)
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
			purged = pt_purge_state(p, &st, &empty);
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
			purged = pt_purge_state(p, &e->st, &empty);
			if (empty) {
				/* the cached state stays, empty: as good as none */
				cmdargs_add(&p->hdel, k->str, k->len);
				p->nhdel++;
				continue;
			}
		}
		if (purged)
			pt_mark_dirty(p, e);
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
	pt_commit_send(p, sweep_scan);
}

static void sweep_scan(struct partition *p)
{
	pt_set_state(p, PS_SWEEPING);
	const char *argv[] = {"HSCAN", p->k_state, p->sweep_cursor, "COUNT", SWEEP_SCAN_COUNT};
	size_t lens[5];
	for (int i = 0; i < 5; i++)
		lens[i] = strlen(argv[i]);
	pt_send_cmd(p, on_scan, 5, argv, lens);
}

/* Sweeps [sweep_from, sweep_to] for every pupil, then runs after_sweep. */
void pt_sweep_then_apply(struct partition *p)
{
	char a[DATE_STRLEN], b[DATE_STRLEN];
	date_format(p->sweep_from, a);
	date_format(p->sweep_to, b);
	/* once a day on the wall clock; on the events clock as often as the data
	 * moves on a day, which is debug detail */
	log_msg(pt_cfg_of(p)->daemon.sweep_clock == SWEEP_WALL ? LOG_INFO : LOG_DEBUG,
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
void pt_events_catch_up_then(struct partition *p, part_next_fn next)
{
	if (p->swept_through == DATE_NONE || p->read_clock_ms == INT64_MIN) {
		next(p);
		return;
	}
	int32_t due = clock_swept_through(p->read_clock_ms, pt_cfg_of(p)->base.rules.sweep_minute);
	if (due <= p->swept_through ||
	    school_years_school_days_between(pt_cfg_of(p)->base.years, NULL, p->swept_through + 1,
					     due) == 0) {
		next(p);
		return;
	}
	p->sweep_from = p->swept_through + 1;
	p->sweep_to = due;
	p->after_sweep = next;
	p->sweep_in_batch = false;
	pt_sweep_then_apply(p);
}

/* Wall clock: sweeps the school days that came due, then runs next. */
void pt_maybe_sweep_then(struct partition *p, part_next_fn next)
{
	int32_t target = pt_wall_sweep_target(p);
	if (p->swept_through == DATE_NONE || target <= p->swept_through ||
	    school_years_school_days_between(pt_cfg_of(p)->base.years, NULL, p->swept_through + 1,
					     target) == 0) {
		next(p);
		return;
	}
	p->sweep_from = p->swept_through + 1;
	p->sweep_to = target;
	p->after_sweep = next;
	p->sweep_in_batch = false;
	pt_sweep_then_apply(p);
}
