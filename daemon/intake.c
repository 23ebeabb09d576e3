/*
 * intake: from the stream to a batch: where to read (the committed offset),
 * the delivery limit, reading, loading the batch's pupil states and applying
 * the rules to them. One step of a partition worker
 * (partition.h); what the steps share is partition_int.h.
 */
#include "partition_int.h"

static void on_swept(struct rconn *rc, redisReply *r, void *arg);
static void on_resume(struct rconn *rc, redisReply *r, void *arg);
static int parse_entries(redisReply *r, struct batch_buf *b);
static void batch_take(struct partition *p, struct batch_buf *b);
static int take_entries(struct partition *p, redisReply *r);
static void on_ahead(struct rconn *rc, redisReply *r, void *arg);
static void send_ahead(struct partition *p);
static void mark_poison(struct partition *p);
static void on_read(struct rconn *rc, redisReply *r, void *arg);
static void do_read(struct partition *p);
static void batch_apply(struct partition *p);
static void on_states(struct rconn *rc, redisReply *r, void *arg);
static void process_batch(struct partition *p);

static void on_swept(struct rconn *rc, redisReply *r, void *arg)
{
	(void)rc;
	struct partition *p = arg;
	if (!r || reply_is_error(r, NULL)) {
		pt_restart(p, "reading the sweep marker failed");
		return;
	}
	int32_t day;
	if (r->type == REDIS_REPLY_STRING && date_parse(r->str, &day) == 0) {
		p->swept_through = day;
	} else if (pt_cfg_of(p)->daemon.sweep_clock == SWEEP_WALL) {
		/* A new installation starts sweeping from now on. */
		p->swept_through = pt_wall_sweep_target(p);
		char d[DATE_STRLEN];
		date_format(p->swept_through, d);
		const char *argv[] = {"SET", p->k_swept, d, "NX"};
		size_t lens[4] = {3, strlen(p->k_swept), strlen(d), 2};
		if (pt_send_cmd(p, NULL, 4, argv, lens) != 0)
			return;
	} else {
		p->swept_through = DATE_NONE;
	}
	pt_read_next(p);
}

/* RESUME's reply: {offset, tries} (store/lua/resume.lua). */
static void on_resume(struct rconn *rc, redisReply *r, void *arg)
{
	(void)rc;
	struct partition *p = arg;
	if (r && reply_is_error(r, "LEASE")) {
		pt_lose_lease(p, "the resume script found another token");
		return;
	}
	if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
	    r->element[0]->type != REDIS_REPLY_STRING ||
	    r->element[1]->type != REDIS_REPLY_INTEGER) {
		if (r && r->type == REDIS_REPLY_ERROR)
			log_err("partition %d: reading the committed offset failed: %.200s", p->index,
				r->str);
		pt_restart(p, r ? "reading the committed offset failed" : "reading the offset lost");
		return;
	}
	const struct daemon_config *dc = &pt_cfg_of(p)->daemon;
	str_copy(p->offset, r->element[0]->str, sizeof p->offset);
	str_copy(p->read_after, p->offset, sizeof p->read_after);
	p->tries = (int)r->element[1]->integer;
	p->careful = 0;
	p->poison_first = false;
	/* The delivery limit: a read after this offset failed to commit this
	 * often. At the limit the entries go one at a time (a read's worth),
	 * so the failing one is found; past it the first entry is the one that
	 * failed alone, and goes to the dead letters unapplied. */
	if (p->tries >= dc->max_deliveries) {
		p->careful = dc->read_batches * dc->batch_size; /* the read that failed */
		p->poison_first = p->tries > dc->max_deliveries;
		log_warn("partition %d: start %d after the same offset (max_deliveries %d): "
			 "reading one entry at a time%s",
			 p->index, p->tries, dc->max_deliveries,
			 p->poison_first ? "; the first goes to the dead letters" : "");
	}
	/* the GET swept sent right after continues */
}

void pt_start_setup(struct partition *p)
{
	pt_set_state(p, PS_SETUP);
	pt_batch_clear(p);
	pt_commit_clear(p);
	const char *g[] = {"EVALSHA", p->d->script_sha[SCRIPT_RESUME], "3", p->k_lease, p->k_offset,
			   p->k_events, p->token, OLD_GROUP};
	size_t gl[8];
	for (int i = 0; i < 8; i++)
		gl[i] = strlen(g[i]);
	if (pt_send_cmd(p, on_resume, 8, g, gl) != 0)
		return;
	const char *s[] = {"GET", p->k_swept};
	size_t sl[2] = {3, strlen(p->k_swept)};
	pt_send_cmd(p, on_swept, 2, s, sl);
}

/* ---- reading ---- */

/* Entries per read: daemon.read_batches commits' worth (a batch's commit
 * each), so the read after them is in flight while they are applied, and
 * Redis has a read or a commit to serve while the daemon applies any of
 * them. With one batch per read the two took turns (bench/README.md). */
static int read_count(const struct partition *p)
{
	const struct daemon_config *dc = &pt_cfg_of(p)->daemon;
	return p->careful > 0 ? 1 : dc->read_batches * dc->batch_size;
}


/* Copies the entries of an XREAD reply ([[key, [[id, fields]...]]]) into
 * b: one allocation for the entries, one for all their fields and one for
 * the text, whatever the count. Returns the number of entries, -1 on a
 * malformed reply. */
static int parse_entries(redisReply *r, struct batch_buf *b)
{
	memset(b, 0, sizeof *b);
	if (r->type == REDIS_REPLY_NIL)
		return 0;
	if (r->type != REDIS_REPLY_ARRAY || r->elements < 1 ||
	    r->element[0]->type != REDIS_REPLY_ARRAY || r->element[0]->elements < 2 ||
	    r->element[0]->element[1]->type != REDIS_REPLY_ARRAY)
		return -1;
	redisReply *entries = r->element[0]->element[1];
	size_t nfields = 0, text = 0;
	for (size_t i = 0; i < entries->elements; i++) {
		redisReply *e = entries->element[i];
		if (e->type != REDIS_REPLY_ARRAY || e->elements < 2 ||
		    e->element[0]->type != REDIS_REPLY_STRING)
			return -1;
		redisReply *f = e->element[1];
		if (f->type != REDIS_REPLY_ARRAY)
			continue;
		nfields += f->elements / 2;
		for (size_t k = 0; k < f->elements; k++)
			text += f->element[k]->len + 1;
	}
	b->v = xcalloc(entries->elements ? entries->elements : 1, sizeof *b->v);
	b->fields = xmalloc((nfields ? nfields : 1) * sizeof *b->fields);
	b->blob = xmalloc(text ? text : 1);
	struct event_field *fl = b->fields;
	char *w = b->blob;
	for (size_t i = 0; i < entries->elements; i++) {
		redisReply *e = entries->element[i];
		struct entry *en = &b->v[b->n++];
		str_copy(en->id, e->element[0]->str, sizeof en->id);
		redisReply *f = e->element[1];
		if (f->type != REDIS_REPLY_ARRAY) {
			en->trimmed = true;
			continue;
		}
		en->nfields = (int)(f->elements / 2);
		en->fields = fl;
		for (int k = 0; k < en->nfields; k++, fl++) {
			redisReply *name = f->element[2 * k], *val = f->element[2 * k + 1];
			memcpy(w, name->str, name->len);
			w[name->len] = '\0';
			fl->name = w;
			fl->name_len = name->len;
			w += name->len + 1;
			memcpy(w, val->str, val->len);
			w[val->len] = '\0';
			fl->value = w;
			fl->value_len = val->len;
			w += val->len + 1;
		}
	}
	return b->n;
}

/* Makes b the batch in hand (which owns b's memory from then on). */
static void batch_take(struct partition *p, struct batch_buf *b)
{
	pt_batch_clear(p);
	p->batch = b->v;
	p->nbatch = b->n;
	p->batch_fields = b->fields;
	p->batch_blob = b->blob;
	memset(b, 0, sizeof *b);
}

static int take_entries(struct partition *p, redisReply *r)
{
	struct batch_buf b;
	int n = parse_entries(r, &b);
	if (n < 0) {
		pt_batch_buf_free(&b);
		pt_batch_clear(p);
		return -1;
	}
	batch_take(p, &b);
	return n;
}

/* The reply to the read sent ahead: kept until the batch in hand is
 * committed. */
static void on_ahead(struct rconn *rc, redisReply *r, void *arg)
{
	(void)rc;
	struct partition *p = arg;
	if (p->ahead_state != AHEAD_SENT)
		return;
	pt_batch_buf_free(&p->ahead);
	if (r && !reply_is_error(r, NULL) && parse_entries(r, &p->ahead) >= 0) {
		p->ahead_state = AHEAD_READY;
		pt_prefetch_send(p); /* its states, behind the commits in flight */
	} else {
		/* a lost connection restarts through the commit behind it; an
		 * error is met again by the ordinary read, which handles it */
		pt_batch_buf_free(&p->ahead);
		p->ahead_state = AHEAD_FAILED;
	}
	if (p->ahead_waiting) {
		p->ahead_waiting = false;
		pt_read_next(p);
	}
}

/* Sends the next read now, on the command connection, so that Redis serves
 * it while this batch is applied (the replies come in order: the read's
 * before the commit's). It reads after the batch's last entry. Only after a
 * full batch (more is probably waiting) and not while stopping; a read
 * changes nothing in Redis, so one served late (after the lease passed on)
 * costs nothing: the commit behind it is refused. */
static void send_ahead(struct partition *p)
{
	if (p->nbatch < read_count(p) || p->careful > 0 || p->d->stopping)
		return;
	char count[16];
	snprintf(count, sizeof count, "%d", read_count(p));
	const char *argv[] = {"XREAD", "COUNT", count, "STREAMS", p->k_events, p->read_after};
	size_t lens[6];
	for (int i = 0; i < 6; i++)
		lens[i] = strlen(argv[i]);
	p->ahead_clock_ms = p->d->events_clock_ms;
	p->ahead_state = AHEAD_SENT;
	pt_send_cmd(p, on_ahead, 6, argv, lens);
}

/* The first entry of the first read after a start past the delivery limit
 * goes to the dead letters unapplied (on_resume). */
static void mark_poison(struct partition *p)
{
	if (!p->poison_first || p->nbatch == 0)
		return;
	p->poison_first = false;
	p->batch[0].poison = true;
	log_warn("partition %d: entry %s read more than %d times without a commit; it goes to "
		 "the dead letters",
		 p->index, p->batch[0].id, pt_cfg_of(p)->daemon.max_deliveries);
}

static void on_read(struct rconn *rc, redisReply *r, void *arg)
{
	(void)rc;
	struct partition *p = arg;
	if (p->state != PS_READING)
		return;
	if (!r) {
		pt_restart(p, "read lost");
		return;
	}
	int n = reply_is_error(r, NULL) ? -1 : take_entries(p, r);
	if (n < 0) {
		if (r->type == REDIS_REPLY_ERROR)
			log_err("partition %d: XREAD failed: %.200s", p->index, r->str);
		pt_restart(p, "unexpected XREAD reply");
		return;
	}
	if (n == 0) {
		p->read_empty = true;
		/* the entries that failed are gone (erased, trimmed): the
		 * next one to arrive has never been tried */
		p->poison_first = false;
		pt_note_progress(p); /* caught up */
		if (p->careful > 0) {
			/* the window of single entries ends with the stream */
			p->careful = 0;
			log_notice("partition %d: caught up; reading whole batches again", p->index);
			if (p->tries > 0) {
				p->clear_tries = true;
				pt_commit_send(p, pt_read_next);
				return;
			}
		}
		pt_read_next(p);
		return;
	}
	str_copy(p->read_after, p->batch[n - 1].id, sizeof p->read_after);
	mark_poison(p);
	process_batch(p);
}


static void do_read(struct partition *p)
{
	const struct daemon_config *dc = &pt_cfg_of(p)->daemon;
	/* A read is served up to a block later; the lease must still be ours
	 * then (renewals keep two thirds of it ahead). An owner that was
	 * paused past its lease (SIGSTOP, a VM frozen) finds it stale on
	 * waking and asks for the lease again instead of working on a batch
	 * whose commit would be refused. */
	int block_ms = dc->block_ms < dc->lease_ms / 3 ? dc->block_ms : dc->lease_ms / 3;
	if (vsd_mono_ms() + block_ms + dc->lease_ms / 6 > p->lease_sure_until) {
		pt_restart(p, "the lease was not renewed in time (paused?)");
		return;
	}
	if (p->ahead_state == AHEAD_READY && p->ahead.n > 0) {
		/* the read sent ahead is the next batch */
		struct batch_buf b = p->ahead;
		memset(&p->ahead, 0, sizeof p->ahead);
		p->ahead_state = AHEAD_NONE;
		pt_set_state(p, PS_READING);
		p->read_clock_ms = p->ahead_clock_ms;
		p->read_empty = false;
		batch_take(p, &b);
		str_copy(p->read_after, p->batch[p->nbatch - 1].id, sizeof p->read_after);
		process_batch(p);
		return;
	}
	pt_ahead_drop(p); /* none, failed or empty */
	char count[16], block[16];
	snprintf(count, sizeof count, "%d", read_count(p));
	snprintf(block, sizeof block, "%d", block_ms);
	pt_set_state(p, PS_READING);
	p->read_clock_ms = p->d->events_clock_ms;
	p->read_empty = false;
	const char *argv[] = {"XREAD",	 "COUNT", count,       "BLOCK",
			      block,	 "STREAMS", p->k_events, p->read_after};
	size_t lens[8];
	for (int i = 0; i < 8; i++)
		lens[i] = strlen(argv[i]);
	pt_send_on(p, p->blk, block_ms, on_read, 8, argv, lens);
}

/* The partition's deliveries are behind its tasks (dispatcher_behind);
 * false without a dispatcher. */
static bool deliveries_behind(const struct partition *p)
{
	const struct dispatcher *ds = p->d->disp ? p->d->disp[p->index] : NULL;
	return ds && dispatcher_behind(ds);
}

/* Commits a partition keeps in flight before it waits (COMMITS_BATCHES):
 * fewer while its deliveries are behind, so that their commands wait
 * behind fewer commits in Redis. */
int pt_commits_batches(const struct partition *p)
{
	return deliveries_behind(p) ? COMMITS_BATCHES_BEHIND : COMMITS_BATCHES;
}

/* Deliveries first: while the partition's dispatcher has more due
 * deliveries than one TAKE takes, the next read waits a little (the
 * dispatcher's commands share Redis with the commits, and a backlog's
 * tasks were made faster than they could be delivered: p99 from task to
 * partner ~300 ms instead of ~200). At most PAUSE_MAX_STEPS steps in a row
 * (about 250 ms), then one read goes on whatever the dispatcher says, so a
 * stale flag slows the intake but cannot stop it. (Counted in steps, not
 * time: the bound holds however late the timer fires.) */
#define PAUSE_STEP_MS 2
#define PAUSE_MAX_STEPS 125
static bool pause_for_deliveries(struct partition *p)
{
	if (p->careful > 0 || !deliveries_behind(p) || p->pause_steps >= PAUSE_MAX_STEPS) {
		p->pause_steps = 0;
		return false;
	}
	p->pause_steps++;
	p->pause_gen = p->chain_gen;
	timer_arm_ms(p->pause_ev, PAUSE_STEP_MS);
	return true;
}

void pt_on_pause(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct partition *p = arg;
	if (p->pause_gen != p->chain_gen)
		return; /* restarted meanwhile */
	pt_read_next(p);
}

void pt_read_next(struct partition *p)
{
	if (p->ahead_state == AHEAD_SENT) {
		/* its reply comes before the one that brought us here, so this
		 * is rare; on_ahead calls again */
		p->ahead_waiting = true;
		return;
	}
	if (p->ncommits >= pt_commits_batches(p) ||
	    (p->ncommits > 0 && (p->d->stopping || pt_over_share(p)))) {
		/* the next batch waits for a commit's reply; the lease goes
		 * once every commit sent is answered */
		p->drain_waiting = true;
		return;
	}
	if (p->d->stopping) {
		pt_ahead_drop(p);
		pt_release_lease(p);
		return;
	}
	if (pt_over_share(p)) {
		pt_ahead_drop(p);
		pt_hand_over(p);
		return;
	}
	if (pause_for_deliveries(p))
		return;
	if (pt_cfg_of(p)->daemon.sweep_clock == SWEEP_WALL) {
		pt_maybe_sweep_then(p, do_read);
		return;
	}
	if (pt_cfg_of(p)->daemon.sweep_clock == SWEEP_EVENTS && p->read_empty) {
		p->read_empty = false;
		pt_events_catch_up_then(p, do_read);
		return;
	}
	do_read(p);
}


/* Applies entries from p->pos on, in order. Stops early when the events
 * clock needs a sweep before the next entry; commits what it has. */
static void batch_apply(struct partition *p)
{
	struct rules_env env = pt_env_of(p);
	bool events_clock = pt_cfg_of(p)->daemon.sweep_clock == SWEEP_EVENTS;
	for (; p->pos < p->nbatch; p->pos++) {
		struct entry *en = &p->batch[p->pos];
		if ((p->pos & 255) == 255)
			rconn_pump(p->d->cmd); /* the next read's reply, while applying */
		if (p->nacks >= pt_cfg_of(p)->daemon.batch_size) {
			/* a batch's worth: committed while the rest is applied */
			pt_commit_send(p, pt_batch_continue);
			return;
		}
		if (en->trimmed) {
			pt_add_ack(p, en->id);
			continue;
		}
		if (en->poison) {
			pt_add_dead(p, en, DEAD_DELIVERY_LIMIT, "delivery_limit",
				 "read more often than max_deliveries without a commit");
			p->commit_poison = true;
			pt_add_ack(p, en->id);
			continue;
		}
		if (!en->valid || en->dead_reason) {
			pt_add_dead(p, en, en->dead_reason ? DEAD_STATE_CORRUPT : (int)en->err.reason,
				 en->dead_reason ? en->dead_reason : event_reason_code(en->err.reason),
				 en->dead_reason ? "the pupil's stored state is unreadable"
						 : en->err.message);
			pt_add_ack(p, en->id);
			continue;
		}
		if (events_clock) {
			/* The clock is the latest recorded_at (this one included):
			 * every sweep due at it runs before the entry is applied. */
			int32_t due = clock_swept_through(en->reg.recorded_ms,
							  pt_cfg_of(p)->base.rules.sweep_minute);
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
				if (pt_commit_empty(p))
					pt_batch_resume(p); /* nothing to commit before it */
				else
					pt_commit_send(p, pt_batch_resume);
				return;
			}
		}
		struct pupil_entry *e = pupil_table_get(&p->cache, en->reg.student,
							pt_state_base(p, en->reg.date));
		if (rules_apply_clocked(&env, &e->st, &en->reg, p->swept_through, &p->signals))
			pt_mark_dirty(p, e);
		if (en->reg.kind == KIND_ABSENT || en->reg.kind == KIND_SICK)
			pt_count_day(p, en->reg.school, en->reg.date);
		pt_add_signals(p);
		pt_add_ack(p, en->id);
		p->pend.registrations++;
	}
	pt_commit_send(p, pt_batch_done);
}


/* After a batch's worth of a read was committed: the rest of the read, on
 * the loop's next turn, so the dispatcher's replies and deliveries are
 * served between the batches of a long read (a read of three batches
 * applied in one go held them up ~36 ms, and a backlog's deliveries fell
 * behind the tasks: p99 from task to partner 452 ms). */
void pt_batch_continue(struct partition *p)
{
	p->apply_gen = p->chain_gen;
	/* a timer of 0, not event_active: an event made active in a callback
	 * runs in the same pass of the loop, before any waiting I/O or timer */
	static const struct timeval now = {0, 0};
	evtimer_add(p->apply_ev, &now);
}

void pt_on_apply(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct partition *p = arg;
	if (p->apply_gen != p->chain_gen || !p->batch || p->pos >= p->nbatch)
		return; /* restarted meanwhile */
	batch_apply(p);
}

/* After a partial commit: sweep the pending range, then apply the rest. */
void pt_batch_resume(struct partition *p)
{
	p->after_sweep = batch_apply;
	p->sweep_in_batch = true;
	pt_sweep_then_apply(p);
}

/* Puts the stored state of entry i's pupil into the cache (stored false: none
 * in Redis, a new pupil). An unreadable one sends the pupil's entries of the
 * batch to the dead letters instead. */
static void install_state(struct partition *p, int i, bool stored, const char *str, size_t len)
{
	struct entry *en = &p->batch[i];
	int32_t base = pt_state_base(p, en->reg.date);
	bool dirty = false;
	struct pupil_state st;
	pupil_state_init(&st, base);
	if (stored) {
		const char *why;
		if (pupil_state_decode((const uint8_t *)str, len, &st, &why) != 0) {
			log_err("partition %d: a stored pupil state is unreadable (%s); its "
				"registrations go to the dead letters",
				p->index, why);
			/* The record is left as it is in Redis (nothing is lost);
			 * the pupil is not cached, so it is never written back. */
			for (int j = i; j < p->nbatch; j++)
				if (p->batch[j].valid &&
				    strcmp(p->batch[j].reg.student, en->reg.student) == 0)
					p->batch[j].dead_reason = "state_corrupt";
			return;
		}
		/* finished school years past their retention go, but for what
		 * an open run needs (the HSCAN of the sweep would otherwise do
		 * it later) */
		bool empty;
		if (pt_purge_state(p, &st, &empty)) {
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
		pt_mark_dirty(p, e);
}

static void on_states(struct rconn *rc, redisReply *r, void *arg)
{
	(void)rc;
	struct partition *p = arg;
	if (!r || r->type != REDIS_REPLY_ARRAY) {
		pt_restart(p, "loading pupil states failed");
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
		install_state(p, i, v->type == REDIS_REPLY_STRING, v->str, v->len);
	}
	batch_apply(p);
}

static const char *batch_student(const void *batch, uint32_t i)
{
	return ((const struct entry *)batch)[i].reg.student;
}

/* True the first time entry i of a batch of n is seen in the set of the
 * students it asks the states of (it is added then). (Comparing each with
 * every earlier entry cost ~9 million string compares for a cold cache's
 * read of 6,000.) */
static bool asked_first(struct name_index *s, const struct entry *batch, int i, int n)
{
	if (!s->slot)
		name_index_init(s, (size_t)n);
	size_t k = name_index_slot(s, batch[i].reg.student, batch_student, batch);
	if (s->slot[k])
		return false;
	s->slot[k] = (uint32_t)i + 1;
	return true;
}

/* Parses every entry, then loads the states of uncached pupils and applies. */
static void process_batch(struct partition *p)
{
	const struct school_years *years = pt_cfg_of(p)->base.years;
	/* The wall clock refuses a recorded_at more than a day after now; the
	 * events clock, which simulates time from recorded_at, applies replay's
	 * bound instead (rules/clock.h). */
	int64_t read_ms = pt_cfg_of(p)->daemon.sweep_clock == SWEEP_WALL ? vsd_wall_ms() : -1;
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
	}
	p->pos = 0;
	pt_load_states(p);
}

/* The states of the batch's uncached pupils: from the prefetch (waiting for
 * its reply if it is on its way: Redis serves it before anything asked now),
 * the rest with an HMGET; then applies. */
void pt_load_states(struct partition *p)
{
	if (p->prefetch.state == PF_SENT) {
		p->prefetch.waiting = true;
		pt_set_state(p, PS_LOADING);
		return;
	}
	struct name_index seen = {NULL, 0};
	struct cmdargs a;
	cmdargs_init(&a);
	cmdargs_adds(&a, "HMGET");
	cmdargs_adds(&a, p->k_state);
	int asked = 0;
	for (int i = 0; i < p->nbatch; i++) {
		struct entry *en = &p->batch[i];
		if (en->trimmed || !en->valid || en->poison ||
		    pupil_table_find(&p->cache, en->reg.student))
			continue;
		if (!asked_first(&seen, p->batch, i, p->nbatch))
			continue; /* asked already */
		const char *value;
		size_t len;
		if (pt_prefetch_find(p, en->reg.student, &value, &len) >= 0) {
			/* installed below, after this loop: an unreadable state
			 * dead-letters the pupil's later entries, which must not
			 * be asked for then */
			en->prefetched = true;
			continue;
		}
		cmdargs_adds(&a, en->reg.student);
		asked++;
	}
	name_index_free(&seen);
	for (int i = 0; i < p->nbatch; i++) {
		struct entry *en = &p->batch[i];
		if (!en->prefetched)
			continue;
		const char *value;
		size_t len;
		int found = pt_prefetch_find(p, en->reg.student, &value, &len);
		install_state(p, i, found == 1, value, len);
	}
	pt_prefetch_drop(p);
	if (asked == 0) {
		cmdargs_free(&a);
		send_ahead(p);
		batch_apply(p);
		return;
	}
	pt_set_state(p, PS_LOADING);
	/* poisoned entries were skipped above; make on_states skip them too */
	for (int i = 0; i < p->nbatch; i++)
		if (p->batch[i].poison)
			p->batch[i].valid = false, p->batch[i].err.reason = EV_OK;
	/* The states first, then the next read: Redis answers in order, and
	 * the batch waits for the states, not for the read. (The read first
	 * put a whole read between every batch with a new pupil and its
	 * states.) */
	int sent = pt_send_args(p, on_states, &a);
	cmdargs_free(&a);
	if (sent == 0)
		send_ahead(p);
}
