/*
 * commit: collecting a batch's (or a sweep's) states, tasks, dead letters,
 * the new offset and day counts, and sending them as one COMMIT script.
 * One step of a partition worker (partition.h); what the steps share is
 * partition_int.h.
 */
#include "due.h"
#include "partition_int.h"
#include "partner_routing.h"
#include "signing.h"

static void on_commit(struct rconn *rc, redisReply *r, void *arg);
static void note_date(struct partition *p, int32_t date);

/* ---- commit ---- */

static void on_commit(struct rconn *rc, redisReply *r, void *arg)
{
	(void)rc;
	struct partition *p = arg;
	if (!r) {
		pt_restart(p, "commit outcome unknown (connection lost, or too few replicas confirmed it)");
		return;
	}
	if (p->ncommits == 0)
		return; /* (cannot happen: a restart drops the replies of its chain) */
	if (reply_is_error(r, "LEASE")) {
		pt_lose_lease(p, "the commit script found another token");
		return;
	}
	if (reply_is_error(r, "STALE")) {
		/* another owner committed after us, or a commit of ours before
		 * this one was refused: what we hold is not what is committed */
		log_warn("partition %d: commit refused: %.200s", p->index, r->str);
		pt_restart(p, "the committed offset moved");
		return;
	}
	if (reply_is_error(r, "NOSCRIPT")) {
		p->d->scripts_loaded = false;
		rconn_reset(p->d->cmd, "scripts missing in Redis; reloading them");
		pt_restart(p, "commit script missing");
		return;
	}
	if (r->type != REDIS_REPLY_INTEGER) {
		log_err("partition %d: commit refused: %.200s", p->index,
			r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
		pt_restart(p, "commit refused");
		return;
	}
	struct commit_rec *c = &p->commits[0];
	c->pend.commits = 1;
	pt_note_progress(p);
	c->pend.tasks = (unsigned long long)r->integer;
	if (r->integer > 0 && p->d->disp)
		dispatcher_kick(p->d->disp[p->index]);
	vsd_stats_add(&p->d->stats, &c->pend);
	part_next_fn next = c->next;
	p->ncommits--;
	memmove(p->commits, p->commits + 1, (size_t)p->ncommits * sizeof *p->commits);
	if (next) {
		pt_commit_clear(p);
		next(p);
	} else if (p->drain_waiting) {
		p->drain_waiting = false;
		pt_read_next(p); /* (it waits again while it must) */
	}
}

/* What a commit sent changes in the partition's view, taken as done at
 * once: a commit refused restarts the partition from its lease, which
 * reads the offset and the swept marker again. */
static void commit_sent(struct partition *p)
{
	if (p->commit_swept != DATE_NONE)
		p->swept_through = p->commit_swept;
	if (p->upto[0])
		str_copy(p->offset, p->upto, sizeof p->offset);
	if (p->commit_tries < 0 ? p->upto[0] != '\0' : p->commit_tries == 0)
		p->tries = 0; /* the start count was cleared */
	if (p->careful > 0) {
		p->careful -= p->nacks;
		if (p->careful <= 0) {
			p->careful = 0;
			log_notice("partition %d: reading whole batches again", p->index);
		}
	}
}

/* Sends everything collected as one commit; next runs after it succeeded,
 * or at once for a batch's commit that moves the offset (pt_batch_done; not
 * while the entries go one at a time): the next batch is applied while
 * Redis runs this one (pt_read_next waits while pt_commits_batches are in
 * flight).
 * The command points into the sections (no copies but hiredis' own). */
void pt_commit_send(struct partition *p, part_next_fn next)
{
	for (size_t i = 0; i < p->ndirty; i++) {
		struct pupil_entry *e = &p->cache.v[p->dirty[i]];
		cmdargs_adds(&p->states, e->student);
		pupil_state_encode(&e->st,
				   cmdargs_add_space(&p->states, pupil_state_encoded_size(&e->st)));
		p->nstates++;
	}
	char counts[3][16], swept[DATE_STRLEN] = "", nhdel[16], tries[16] = "";
	snprintf(counts[0], sizeof counts[0], "%d", p->nstates);
	snprintf(counts[1], sizeof counts[1], "%d", p->ntasks);
	snprintf(counts[2], sizeof counts[2], "%d", p->ndead);
	/* While entries are read one at a time for the delivery limit, a
	 * single entry's commit leaves the offset's start count one below the
	 * limit: the next start (whatever ended this one: the next entry
	 * failing, or a clean stop, a handover, a lost lease) reads one entry
	 * at a time again, and only a second start at the same offset without
	 * a commit dead-letters the entry there. (Keeping the count at the
	 * limit sent a healthy entry to the dead letters after a clean
	 * restart.) It is cleared once the window of single entries ends (used
	 * up, or the stream read to its end: an empty commit then clears it),
	 * or right after a dead-lettered one. */
	p->commit_tries = -1;
	if (p->careful > p->nacks && p->nacks > 0 && !p->commit_poison && p->tries > 0)
		p->commit_tries = pt_cfg_of(p)->daemon.max_deliveries - 1;
	else if (p->clear_tries)
		p->commit_tries = 0;
	if (p->commit_tries >= 0)
		snprintf(tries, sizeof tries, "%d", p->commit_tries);
	snprintf(nhdel, sizeof nhdel, "%d", p->nhdel);
	if (p->commit_swept != DATE_NONE)
		date_format(p->commit_swept, swept);
	struct argview v;
	argview_init(&v);
	argview_adds(&v, "EVALSHA");
	argview_adds(&v, p->d->script_sha[SCRIPT_COMMIT]);
	char nkeys[16];
	snprintf(nkeys, sizeof nkeys, "%d", 9 + p->nkdates);
	argview_adds(&v, nkeys);
	/* Task ids are kept per school year and expire with the year's states:
	 * the year the partition's clock is in (between two years: the next). */
	const struct school_years *ys = pt_cfg_of(p)->base.years;
	int32_t clock = p->swept_through != DATE_NONE ? p->swept_through : pt_wall_sweep_target(p);
	int yi = school_years_index_next(ys, clock);
	if (yi < 0)
		yi = school_years_count(ys) - 1;
	const struct calendar *cal = school_years_calendar(ys, yi);
	char k_taskids[80], expire[24];
	key_build(k_taskids, sizeof k_taskids, p->index, KEY_TASKIDS, calendar_year(cal));
	int64_t keep = (int64_t)pt_cfg_of(p)->daemon.state_retention_days * 86400000;
	int64_t until = ((int64_t)calendar_view(cal, NULL)->last_day + 1) * 86400000 + keep;
	int64_t from_now = vsd_wall_ms() + keep;
	if (until < from_now) /* a past year replayed now: keep them from now */
		until = from_now;
	snprintf(expire, sizeof expire, "%lld", (long long)until);
	const char *keys[9] = {p->k_lease, p->k_state,	 p->k_tasks, p->k_dead,	      p->k_offset,
			       k_taskids,  p->k_swept, p->k_daily, p->k_quarantined};
	for (int i = 0; i < 9; i++)
		argview_adds(&v, keys[i]);
	struct cmdargs dkeys;
	cmdargs_init_arena(&dkeys);
	for (int i = 0; i < p->nkdates; i++) {
		char d[DATE_STRLEN], k[KEY_MAX];
		date_format(p->kdates[i], d);
		key_build(k, sizeof k, p->index, KEY_DAILY, d);
		cmdargs_adds(&dkeys, k);
	}
	argview_add_all(&v, &dkeys);
	argview_adds(&v, p->token);
	argview_adds(&v, p->offset);
	argview_adds(&v, expire);
	const struct cmdargs *sections[3] = {&p->states, &p->tasks, &p->dead};
	for (int i = 0; i < 3; i++) {
		argview_adds(&v, counts[i]);
		argview_add_all(&v, sections[i]);
	}
	argview_adds(&v, p->upto);
	argview_adds(&v, tries);
	argview_adds(&v, swept);
	argview_adds(&v, nhdel);
	argview_add_all(&v, &p->hdel);
	/* absences per school day, with the school's flood limit */
	struct cmdargs days;
	cmdargs_init_arena(&days);
	cmdargs_addf(&days, "%d", p->ndays);
	for (int i = 0; i < p->ndays; i++) {
		char d[DATE_STRLEN];
		date_format(p->days[i].date, d);
		cmdargs_adds(&days, d);
		cmdargs_adds(&days, p->days[i].school);
		cmdargs_addf(&days, "%d", p->days[i].count);
		cmdargs_addf(&days, "%d", ops_flood_reg_limit(pt_cfg_of(p), p->days[i].school));
	}
	argview_add_all(&v, &days);
	/* The part of a batch before a sweep goes the same way (the sweep
	 * runs while Redis commits it), when there is room for the sweep's
	 * commit behind it: that one moves no offset and waits for its reply. */
	bool pipelined = (next == pt_batch_done ||
			  ((next == pt_batch_resume || next == pt_batch_continue) &&
			   p->ncommits < pt_commits_batches(p))) &&
			 p->nacks > 0 && p->careful == 0 && !p->d->stopping;
	pt_set_state(p, p->state == PS_SWEEPING ? PS_SWEEPING : PS_COMMITTING);
	int sent = p->ncommits < COMMITS_MAX ? pt_send_durable(p, on_commit, v.n, v.argv, v.lens) : -1;
	argview_free(&v);
	cmdargs_free(&days);
	cmdargs_free(&dkeys);
	if (sent != 0) {
		if (p->ncommits >= COMMITS_MAX)
			pt_restart(p, "too many commits in flight");
		return; /* restarted */
	}
	struct commit_rec *c = &p->commits[p->ncommits++];
	c->pend = p->pend;
	c->pend.entries = (unsigned long long)p->nacks;
	c->pend.dead = (unsigned long long)p->ndead;
	c->next = pipelined ? NULL : next;
	commit_sent(p);
	if (pipelined) {
		pt_commit_clear(p);
		next(p);
	}
}

bool pt_commit_empty(const struct partition *p)
{
	return p->nacks == 0 && p->ndirty == 0 && p->nstates == 0 && p->ntasks == 0 &&
	       p->ndead == 0 && p->nhdel == 0 && p->ndays == 0 && !p->clear_tries &&
	       p->commit_swept == DATE_NONE && p->signals.n == 0;
}

/* Notes a date the commit counts on (its "daily:<date>" key goes in KEYS). */
static void note_date(struct partition *p, int32_t date)
{
	for (int i = p->nkdates - 1; i >= 0; i--)
		if (p->kdates[i] == date)
			return;
	if (p->nkdates == p->cap_kdates) {
		p->cap_kdates = p->cap_kdates ? p->cap_kdates * 2 : 16;
		p->kdates = xrealloc(p->kdates, (size_t)p->cap_kdates * sizeof *p->kdates);
	}
	p->kdates[p->nkdates++] = date;
}

/* Counts an absence for the flood guard (COMMIT adds the counts to the
 * school day's counter and quarantines a school day past its limit). */
void pt_count_day(struct partition *p, const char *school, int32_t date)
{
	/* a batch counts on dozens of school days, mostly of one date: the
	 * hash spares a string compare per school for every absence */
	uint32_t h = fnv1a32(school);
	for (int i = p->ndays - 1; i >= 0; i--) {
		if (p->days[i].date == date && p->days[i].hash == h &&
		    strcmp(p->days[i].school, school) == 0) {
			p->days[i].count++;
			return;
		}
	}
	if (p->ndays == p->cap_days) {
		p->cap_days = p->cap_days ? p->cap_days * 2 : 64;
		p->days = xrealloc(p->days, (size_t)p->cap_days * sizeof *p->days);
	}
	note_date(p, date);
	struct day_count *dc = &p->days[p->ndays++];
	str_copy(dc->school, school, sizeof dc->school);
	dc->date = date;
	dc->hash = h;
	dc->count = 1;
}

void pt_mark_dirty(struct partition *p, struct pupil_entry *e)
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

void pt_add_signals(struct partition *p)
{
	if (!p->signals.n)
		return;
	int64_t now = vsd_wall_ms();
	const struct vsd_config *c = pt_cfg_of(p);
	for (size_t i = 0; i < p->signals.n; i++) {
		const struct signal *sg = &p->signals.v[i];
		unsigned roles = partners_route(c->partners, sg, c->base.rules.adult_age);
		int win = c->daemon.action_window_hours;
		char id[SIGNAL_ID_LEN];
		signal_id_keyed(sg, c->base.ids_secret, id);
		note_date(p, sg->date);
		task_append(&p->tasks, sg, id, roles, now,
			    task_due_ms(c->partners ? &c->partners->dispatch : NULL, now, win, false), win);
		p->ntasks++;
		if (sg->level >= 0 && sg->level < STATS_LEVELS)
			p->pend.signals[sg->rule][sg->level]++;
		for (int r = 0; r < STATS_ROLES; r++)
			if (roles & (1u << r))
				p->pend.roles[r]++;
	}
	signal_list_clear(&p->signals);
}

void pt_add_dead(struct partition *p, const struct entry *en, int reason_index,
		 const char *reason, const char *message)
{
	p->pend.dead_by_reason[reason_index]++;
	dead_letter_append(&p->dead, en->id, reason, message, en->fields, en->nfields);
	p->ndead++;
	log_notice("partition %d: entry %s dead-lettered: %s", p->index, en->id, reason);
}

/* The entry is done with this commit: the offset moves past it. */
void pt_add_ack(struct partition *p, const char *id)
{
	str_copy(p->upto, id, sizeof p->upto);
	p->nacks++;
}

/* ---- batch processing ---- */

void pt_batch_done(struct partition *p)
{
	pt_batch_clear(p);
	if ((int)p->cache.n > pt_cfg_of(p)->daemon.max_cached_pupils)
		pt_cache_drop(p); /* every cached state is committed: safe to drop */
	pt_read_next(p);
}
