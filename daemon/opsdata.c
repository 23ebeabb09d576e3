/*
 * opsdata: see opsdata.h. One round sends, for every partition, ZCARD and
 * ZCOUNT of each partner's open set, XLEN of the dead letters and of the
 * quarantine stream and SMEMBERS of the quarantined school days, plus one
 * HGETALL of vs:closures; the snapshot is swapped in when the last reply
 * arrived. A round whose replies are lost (the connection failed) is dropped
 * whole. An error reply (a key of the wrong type, an ACL refusal) spoils only
 * its own value: a sum it belongs to becomes unknown (-1), a quarantine list
 * it belongs to keeps the last known one, and the rest is kept; the errors
 * are logged, at most once every ten minutes.
 */
#include "opsdata.h"

#include "date.h"
#include "keys.h"
#include "log.h"
#include "rdecode.h"
#include "scripts.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct round {
	struct vsd *d;
	struct ops_snapshot s;
	int waiting;
	bool failed;          /* a reply was lost: drop the round */
	bool quarantine_unknown; /* an SMEMBERS failed: keep the last known list */
	const char *first_cmd; /* the first error reply's command, and its text */
	char first_error[128];
};

#define ERROR_LOG_EVERY_MS (10 * 60 * 1000)

/* What a command of a round asks, and so how its reply is used. */
enum round_kind {
	RK_OPEN,        /* ZCARD of a partner's open set */
	RK_OVERDUE,     /* ZCOUNT of a partner's open set up to now */
	RK_DEAD,        /* XLEN of the dead letters */
	RK_QUARANTINED, /* SMEMBERS of the quarantined school days */
	RK_HELD,        /* XLEN of the quarantine stream */
	RK_CLOSURES,    /* HGETALL vs:closures */
	RK_CASES,       /* HLEN of a partner's open cases */
	RK_UNDELIV,     /* ZCARD of a partner's undeliverable set */
	RK_CASESTATES,  /* CASEREAD count: a partner's cases by state */
};

struct round_req {
	struct round *r;
	enum round_kind kind;
	int partner;
};

static void snapshot_free(struct ops_snapshot *s)
{
	free(s->partner);
	free(s->open);
	free(s->overdue);
	free(s->cases);
	free(s->case_states);
	free(s->undeliverable);
	for (int i = 0; i < s->nquarantined; i++)
		free(s->quarantined[i]);
	free(s->quarantined);
	memset(s, 0, sizeof *s);
}

static int apply_closure(struct vsd *d, const char *field)
{
	char school[64];
	const char *bar = strchr(field, '|');
	int32_t day;
	if (!bar || (size_t)(bar - field) >= sizeof school || date_parse(bar + 1, &day) != 0)
		return -1;
	snprintf(school, sizeof school, "%.*s", (int)(bar - field), field);
	return school_years_close_day(d->cfg->base.years, school, day);
}

void opsdata_reapply_closures(struct vsd *d)
{
	struct ops_memory *m = &d->opsmem;
	for (int i = 0; i < m->napplied; i++)
		apply_closure(d, m->applied[i]);
}

static void closures_reply(struct round *r, const redisReply *rep)
{
	struct vsd *d = r->d;
	struct ops_memory *m = &d->opsmem;
	for (size_t i = 0; i + 1 < rep->elements; i += 2) {
		const char *f = rd_string(rep->element[i]);
		if (!f)
			continue; /* not a field name: a damaged reply */
		bool known = false;
		for (int k = 0; k < m->napplied && !known; k++)
			known = strcmp(m->applied[k], f) == 0;
		if (known)
			continue;
		m->applied = xrealloc(m->applied, (size_t)(m->napplied + 1) * sizeof *m->applied);
		m->applied[m->napplied++] = xstrdup(f);
		if (apply_closure(d, f) == 0)
			log_notice("closure applied: %s is no school day at %.*s", strchr(f, '|') + 1,
				   (int)(strchr(f, '|') - f), f);
		else
			log_warn("closure %s ignored: not a school code and a date of this school year", f);
	}
	r->s.closures = m->napplied;
}

/* One warning per school day when it enters quarantine (whether for its
 * tasks, in ACCEPT, or for its absences, in COMMIT). */
static void log_new_quarantines(struct ops_memory *m, const struct ops_snapshot *s)
{
	char **keep = xcalloc((size_t)s->nquarantined + 1, sizeof *keep);
	int nkeep = 0;
	for (int i = 0; i < s->nquarantined; i++) {
		int found = -1;
		for (int k = 0; k < m->nlogged && found < 0; k++)
			if (m->logged[k] && strcmp(m->logged[k], s->quarantined[i]) == 0)
				found = k;
		if (found >= 0) {
			keep[nkeep++] = m->logged[found];
			m->logged[found] = NULL;
			continue;
		}
		log_warn("flood guard: school day %s is in quarantine: more tasks or absences than "
			 "operations.flood allows; its new tasks are held (vroegsignaal quarantine "
			 "list|release|discard)",
			 s->quarantined[i]);
		keep[nkeep++] = xstrdup(s->quarantined[i]);
	}
	for (int k = 0; k < m->nlogged; k++)
		free(m->logged[k]);
	free(m->logged);
	m->logged = keep;
	m->nlogged = nkeep;
}

/* A count (ZCARD, XLEN, ...) from a reply, range-checked (rdecode.h); -1
 * when the reply is not one or is out of range (the value is unknown). */
static long long count_of(const redisReply *rep)
{
	int64_t n;
	return rd_counter(rep, &n) != 0 ? -1 : n;
}

/* Adds a count to a sum unless the sum is unknown (-1); an unknown count
 * makes the sum unknown. */
static void add_known(long long *sum, long long v)
{
	if (v < 0)
		*sum = -1;
	else if (*sum >= 0)
		*sum += v;
}

static void on_reply(struct rconn *rc, redisReply *rep, void *arg)
{
	(void)rc;
	struct round_req *q = arg;
	struct round *r = q->r;
	static const char *const cmds[] = {
		[RK_OPEN] = "ZCARD of an open set",
		[RK_OVERDUE] = "ZCOUNT of an open set",
		[RK_DEAD] = "XLEN of the dead letters",
		[RK_QUARANTINED] = "SMEMBERS of the quarantined days",
		[RK_HELD] = "XLEN of the quarantine",
		[RK_CLOSURES] = "HGETALL vs:closures",
		[RK_CASES] = "HLEN of a cases index",
		[RK_UNDELIV] = "ZCARD of an undeliverable set",
		[RK_CASESTATES] = "CASEREAD count",
	};
	if (!rep) {
		r->failed = true;
	} else if (rep->type == REDIS_REPLY_ERROR) {
		if (!r->s.errors++) {
			r->first_cmd = cmds[q->kind];
			snprintf(r->first_error, sizeof r->first_error, "%.120s", rep->str);
		}
		switch (q->kind) {
		case RK_OPEN: r->s.open[q->partner] = -1; break;
		case RK_OVERDUE: r->s.overdue[q->partner] = -1; break;
		case RK_DEAD: r->s.dead = -1; break;
		case RK_QUARANTINED: r->quarantine_unknown = true; break;
		case RK_HELD: r->s.held = -1; break;
		case RK_CLOSURES: break; /* nothing to mark unknown */
		case RK_CASES: r->s.cases[q->partner] = -1; break;
		case RK_UNDELIV: r->s.undeliverable[q->partner] = -1; break;
		case RK_CASESTATES:
			for (int k = 0; k < 3; k++)
				r->s.case_states[3 * q->partner + k] = -1;
			break;
		}
	} else {
		switch (q->kind) {
		case RK_OPEN: add_known(&r->s.open[q->partner], count_of(rep)); break;
		case RK_OVERDUE: add_known(&r->s.overdue[q->partner], count_of(rep)); break;
		case RK_CASES: add_known(&r->s.cases[q->partner], count_of(rep)); break;
		case RK_UNDELIV: add_known(&r->s.undeliverable[q->partner], count_of(rep)); break;
		case RK_CASESTATES:
			for (size_t k = 0; k < 3; k++)
				add_known(&r->s.case_states[3 * q->partner + (int)k],
					  rep->type == REDIS_REPLY_ARRAY && rep->elements == 3
						  ? count_of(rep->element[k]) : -1);
			break;
		case RK_DEAD: add_known(&r->s.dead, count_of(rep)); break;
		case RK_QUARANTINED:
			for (size_t i = 0; i < rep->elements; i++) {
				if (!rd_string(rep->element[i]))
					continue; /* not a key name: a damaged reply */
				r->s.quarantined = xrealloc(r->s.quarantined,
							    (size_t)(r->s.nquarantined + 1) * sizeof(char *));
				r->s.quarantined[r->s.nquarantined++] = xstrdup(rep->element[i]->str);
			}
			break;
		case RK_HELD: add_known(&r->s.held, count_of(rep)); break;
		case RK_CLOSURES: closures_reply(r, rep); break;
		}
	}
	free(q);
	if (--r->waiting > 0)
		return;
	struct ops_memory *m = &r->d->opsmem;
	m->polling = false;
	if (!r->failed) {
		struct ops_snapshot *old = &r->d->ops;
		if (r->s.errors && log_due(&m->error_logged_ms, vsd_wall_ms(), ERROR_LOG_EVERY_MS))
			log_warn("operations poll: %d Redis repl%s an error (first: %s: %s); the "
				 "values they feed are unknown, the rest is kept (logged at most every "
				 "10 minutes)",
				 r->s.errors, r->s.errors == 1 ? "y was" : "ies were",
				 r->first_cmd ? r->first_cmd : "?", r->first_error);
		if (r->quarantine_unknown) {
			/* keep the last known list (and what was logged of it) */
			for (int i = 0; i < r->s.nquarantined; i++)
				free(r->s.quarantined[i]);
			free(r->s.quarantined);
			r->s.quarantined = old->quarantined;
			r->s.nquarantined = old->nquarantined;
			old->quarantined = NULL;
			old->nquarantined = 0;
		} else {
			log_new_quarantines(&r->d->opsmem, &r->s);
		}
		r->s.closures = m->napplied;
		r->s.at_ms = vsd_wall_ms();
		snapshot_free(&r->d->ops);
		r->d->ops = r->s;
	} else {
		snapshot_free(&r->s);
	}
	free(r);
}

static void round_send(struct round *r, enum round_kind kind, int partner, int argc, const char **argv)
{
	if (argc > 12)
		abort(); /* a programming error: lens below holds 12 */
	struct round_req *q = xmalloc(sizeof *q);
	*q = (struct round_req){r, kind, partner};
	size_t lens[12];
	for (int i = 0; i < argc; i++)
		lens[i] = strlen(argv[i]);
	r->waiting++;
	if (rconn_command(r->d->cmd, on_reply, q, 0, argc, argv, lens) != 0) {
		free(q);
		r->waiting--;
		r->failed = true;
	}
}

void opsdata_poll(struct vsd *d)
{
	if (d->opsmem.polling || rconn_state(d->cmd) != RC_READY)
		return;
	const struct partners_config *pc = d->cfg->partners;
	struct round *r = xcalloc(1, sizeof *r);
	r->d = d;
	r->s.npartners = pc->npartners;
	r->s.partner = xcalloc((size_t)pc->npartners + 1, sizeof *r->s.partner);
	r->s.open = xcalloc((size_t)pc->npartners + 1, sizeof *r->s.open);
	r->s.overdue = xcalloc((size_t)pc->npartners + 1, sizeof *r->s.overdue);
	r->s.cases = xcalloc((size_t)pc->npartners + 1, sizeof *r->s.cases);
	r->s.undeliverable = xcalloc((size_t)pc->npartners + 1, sizeof *r->s.undeliverable);
	r->s.case_states = xcalloc(3 * (size_t)pc->npartners + 1, sizeof *r->s.case_states);
	for (int i = 0; i < pc->npartners; i++)
		str_copy(r->s.partner[i], pc->partners[i].id, sizeof r->s.partner[i]);
	r->waiting = 1; /* held until every command is sent */
	d->opsmem.polling = true;
	char now[24];
	snprintf(now, sizeof now, "%lld", (long long)vsd_wall_ms());
	const char *hg[] = {"HGETALL", "vs:closures"};
	round_send(r, RK_CLOSURES, 0, 2, hg);
	for (int p = 0; p < d->nparts; p++) {
		char key[160];
		key_build(key, sizeof key, p, KEY_QUARANTINED, NULL);
		const char *sm[] = {"SMEMBERS", key};
		round_send(r, RK_QUARANTINED, 0, 2, sm);
		/* the rest only /metrics and the status page show */
		if (!d->http)
			continue;
		for (int i = 0; i < pc->npartners; i++) {
			key_build(key, sizeof key, p, KEY_OPEN, pc->partners[i].id);
			const char *zc[] = {"ZCARD", key};
			round_send(r, RK_OPEN, i, 2, zc);
			const char *zo[] = {"ZCOUNT", key, "-inf", now};
			round_send(r, RK_OVERDUE, i, 4, zo);
			key_build(key, sizeof key, p, KEY_CASES, pc->partners[i].id);
			const char *hl[] = {"HLEN", key};
			round_send(r, RK_CASES, i, 2, hl);
			if (d->scripts_loaded) {
				/* three O(log n) counts of the per-state sets
				 * (store/lua/caseread.lua), not a read of every case */
				char pre[KEY_PREFIX_MAX], kopen[160], kprog[160];
				key_prefix(pre, p);
				key_build(kopen, sizeof kopen, p, KEY_CASEOPEN, pc->partners[i].id);
				key_build(kprog, sizeof kprog, p, KEY_CASEPROG, pc->partners[i].id);
				const char *cs[] = {"EVALSHA", d->script_sha[SCRIPT_CASEREAD], "2", kopen, kprog,
						    "count", pre, pc->partners[i].id, now};
				round_send(r, RK_CASESTATES, i, 9, cs);
			} else {
				for (int k = 0; k < 3; k++)
					r->s.case_states[3 * i + k] = -1;
			}
			key_build(key, sizeof key, p, KEY_UNDELIVERABLE, pc->partners[i].id);
			const char *uz[] = {"ZCARD", key};
			round_send(r, RK_UNDELIV, i, 2, uz);
		}
		key_build(key, sizeof key, p, KEY_DEAD, NULL);
		const char *xl[] = {"XLEN", key};
		round_send(r, RK_DEAD, 0, 2, xl);
		key_build(key, sizeof key, p, KEY_QUARANTINE, NULL);
		const char *ql[] = {"XLEN", key};
		round_send(r, RK_HELD, 0, 2, ql);
	}
	/* release the hold: completes the round if every reply is already in */
	struct round_req *q = xmalloc(sizeof *q);
	*q = (struct round_req){r, -1, 0};
	redisReply fake = {.type = REDIS_REPLY_NIL};
	on_reply(NULL, &fake, q);
}

void opsdata_free(struct vsd *d)
{
	struct ops_memory *m = &d->opsmem;
	snapshot_free(&d->ops);
	for (int i = 0; i < m->napplied; i++)
		free(m->applied[i]);
	free(m->applied);
	m->applied = NULL;
	m->napplied = 0;
	for (int i = 0; i < m->nlogged; i++)
		free(m->logged[i]);
	free(m->logged);
	m->logged = NULL;
	m->nlogged = 0;
}
