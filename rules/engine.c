/*
 * engine: builds the day aggregates, runs the registry's rules at an
 * evaluation date, and records what they raise. See engine.h and rules.h.
 */
#include "engine.h"

#include "clock.h"
#include "date.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

const struct rule_def *const rule_registry[] = {
	&rule_first_month, &rule_attendance_tier, &rule_mazl, &rule_leerplicht_16u,
	&rule_lrv,         &rule_long_sick,       &rule_luxe, &rule_absolute,
	NULL,
};

static const struct rule_def *def_of(enum rule_id r)
{
	for (const struct rule_def *const *d = rule_registry; *d; d++)
		if ((*d)->id == r)
			return *d;
	return NULL;
}

const char *rule_name(enum rule_id r)
{
	const struct rule_def *d = def_of(r);
	return d ? d->name : "unknown";
}

const char *rule_level_key(enum rule_id r)
{
	const struct rule_def *d = def_of(r);
	return d ? d->level_key : NULL;
}

int rule_level_count(enum rule_id r)
{
	const struct rule_def *d = def_of(r);
	int n = 0;
	if (d && d->levels)
		while (d->levels[n])
			n++;
	return n ? n : 1;
}

const char *rule_level_name(enum rule_id r, int level)
{
	const struct rule_def *d = def_of(r);
	if (!d || !d->levels || level < 0 || level >= rule_level_count(r))
		return NULL;
	return d->levels[level];
}

int rule_by_name(const char *name)
{
	for (const struct rule_def *const *d = rule_registry; *d; d++)
		if (strcmp((*d)->name, name) == 0)
			return (int)(*d)->id;
	return -1;
}

void signal_fact(struct signal *s, const char *name, enum fact_type t, int64_t v)
{
	if (s->nfacts < SIGNAL_MAX_FACTS)
		s->facts[s->nfacts++] = (struct fact){name, t, v};
}

const struct day_agg *engine_day(const struct eval_ctx *c, int32_t day)
{
	int lo = 0, hi = c->n_upto;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (c->days[mid].day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->n_upto && c->days[lo].day == day ? &c->days[lo] : NULL;
}

int engine_run(const struct eval_ctx *c, day_pred pred, int32_t *first, int32_t *last_known)
{
	*first = *last_known = c->d;
	if (c->n_upto == 0)
		return 0;
	int i = c->n_upto - 1;
	if (c->days[i].day != c->d || !pred(c, &c->days[i]))
		return 0;
	int len = 1;
	while (i > 0 && c->days[i - 1].ord == c->days[i].ord - 1 && pred(c, &c->days[i - 1])) {
		i--;
		len++;
	}
	*first = c->days[i].day;
	int j = c->n_upto - 1;
	while (j + 1 < c->ndays && c->days[j + 1].ord == c->days[j].ord + 1 &&
	       pred(c, &c->days[j + 1]))
		j++;
	*last_known = c->days[j].day;
	return len;
}

const char *const engine_run_level_names[] = {"4w", "3m", NULL};

void engine_run_levels(struct eval_ctx *c, enum rule_id rule, day_pred pred, int d4w, int d3m)
{
	if (c->d_ord < 0)
		return;
	int32_t first, last_known;
	int len = engine_run(c, pred, &first, &last_known);
	int level;
	if (len >= d3m)
		level = RUN_3M;
	else if (len >= d4w)
		level = RUN_4W;
	else
		return;
	int from = engine_off(c, first), to = engine_off(c, last_known);
	if (pupil_mark_in(c->st, (int)rule, level, from, to))
		return;
	if (level == RUN_3M && !pupil_mark_in(c->st, (int)rule, RUN_4W, from, to))
		engine_imply(c, rule, RUN_4W, first);
	struct signal *s = engine_raise(c, rule, level, first);
	signal_fact(s, "run_first", FACT_DATE, first);
	signal_fact(s, "days", FACT_INT, len);
}

struct signal *engine_raise(struct eval_ctx *c, enum rule_id rule, int level, int32_t pkey)
{
	/* Marked on the day raised and on the period key's day, so neither a
	 * run that later grows backwards over the raise day nor one that a
	 * correction later cuts short of it raises the same level again. */
	pupil_mark_add(c->st, (int)rule, level, engine_off(c, c->d));
	pupil_mark_add(c->st, (int)rule, level, engine_off(c, pkey));
	c->changed = true;
	struct signal *s = signal_list_push(c->out);
	s->rule = rule;
	s->level = level;
	str_copy(s->student, c->student, sizeof s->student);
	str_copy(s->school, c->st->school, sizeof s->school);
	s->sector = c->st->sector;
	s->age = c->st->birth == DATE_NONE ? -1 : date_age_years(c->st->birth, c->d);
	s->date = c->d;
	s->period_key = pkey;
	return s;
}

void engine_imply(struct eval_ctx *c, enum rule_id rule, int level, int32_t pkey)
{
	pupil_mark_add(c->st, (int)rule, level, engine_off(c, c->d));
	pupil_mark_add(c->st, (int)rule, level, engine_off(c, pkey));
	c->changed = true;
}

static int reg_minutes(const struct rules_config *rc, const struct pupil_reg *r)
{
	if (r->minutes != MINUTES_DEFAULT)
		return r->minutes;
	return r->period == 0 ? rc->full_day_minutes : rc->period_minutes;
}

/* Fills days (capacity >= st->nregs) and returns how many: every school day
 * with data from the enrolment on, in every configured year. */
static int aggregate(const struct eval_ctx *c, struct day_agg *days)
{
	int n = 0;
	const struct pupil_state *st = c->st;
	int nyears = school_years_count(c->ys);
	int y = 0, ord_base = 0;
	const struct cal_view *v = school_years_view(c->ys, 0, st->school);
	for (uint32_t i = 0; i < st->nregs; i++) {
		const struct pupil_reg *r = &st->regs[i];
		int32_t day = st->base + r->day;
		if (st->enrol != DATE_NONE && day < st->enrol)
			continue;
		while (day > v->last_day && y + 1 < nyears) {
			ord_base += v->n_school;
			v = school_years_view(c->ys, ++y, st->school);
		}
		if (!cal_is_school_day(v, day))
			continue;
		int kind = r->kind & DR_KIND_MASK;
		if (kind == DR_PRESENT || kind == DR_LATE_AUTH)
			continue;
		if (n == 0 || days[n - 1].day != day) {
			struct day_agg *a = &days[n++];
			memset(a, 0, sizeof *a);
			a->day = day;
			a->ord = ord_base + cal_ordinal(v, day);
		}
		struct day_agg *a = &days[n - 1];
		int m = reg_minutes(c->rc, r);
		switch (kind) {
		case DR_ABSENT_AUTH:
			a->missed += m;
			break;
		case DR_ABSENT_UNAUTH:
			a->missed += m;
			a->unauth_abs += m;
			a->unauth += m;
			if (r->kind & DR_FLAG_LUXE)
				a->luxe = true;
			break;
		case DR_SICK:
			a->missed += m;
			a->sick += m;
			break;
		case DR_LATE_UNAUTH:
			a->unauth += m;
			break;
		}
	}
	return n;
}

#define STACK_DAYS 96

/* Sets up c for an evaluation at d (no registration, no output) and
 * aggregates the days into c->days (malloc'ed when stack is too small).
 * Returns false when d lies after every configured year. */
static bool ctx_init(struct eval_ctx *c, const struct rules_env *env, struct pupil_state *st,
		     int32_t d, struct day_agg *stack)
{
	memset(c, 0, sizeof *c);
	c->rc = env->rc;
	c->ys = env->years;
	c->st = st;
	c->d = d;
	c->year = school_years_index_next(c->ys, d);
	if (c->year < 0)
		return false;
	c->v = school_years_view(c->ys, c->year, st->school);
	c->ord_base = school_years_ord_base(c->ys, c->year, st->school);
	c->from = cal_enrolled_from(c->v, st->enrol);
	c->lp_from = st->birth == DATE_NONE
			     ? INT32_MIN
			     : date_month_after_birthday(st->birth, env->rc->leerplicht_age);
	c->wake = INT32_MAX;
	c->d_ord = d >= c->from ? cal_ordinal(c->v, d) : -1;
	c->days = st->nregs <= STACK_DAYS ? stack : xmalloc(st->nregs * sizeof *c->days);
	c->ndays = aggregate(c, c->days);
	c->n_upto = c->ndays;
	while (c->n_upto > 0 && c->days[c->n_upto - 1].day > d)
		c->n_upto--;
	while (c->i_year < c->n_upto && c->days[c->i_year].day < c->from)
		c->i_year++;
	return true;
}

/* A late registration (applied after its date's sweep ran) also evaluates
 * the run rules at the last school day of the run holding its date whose
 * sweep has run (through), when that day is after the date: a gap filled
 * late completes the run (RULES.md, "Late registrations and runs"). */
static void late_runs(struct eval_ctx *c, const struct rules_env *env, int32_t date,
		      int32_t through)
{
	int i = 0;
	while (i < c->ndays && c->days[i].day < date)
		i++;
	if (i == c->ndays || c->days[i].day != date)
		return;
	static const struct {
		day_pred pred;
		const struct rule_def *rules[2];
	} runs[] = {
		{agg_sick, {&rule_mazl, &rule_long_sick}},
		{agg_unauth_day, {&rule_lrv, NULL}},
	};
	for (size_t k = 0; k < sizeof runs / sizeof *runs; k++) {
		if (!runs[k].pred(c, &c->days[i]))
			continue;
		int j = i;
		while (j + 1 < c->ndays && c->days[j + 1].ord == c->days[j].ord + 1 &&
		       c->days[j + 1].day <= through && runs[k].pred(c, &c->days[j + 1]))
			j++;
		if (j == i)
			continue;
		/* the run's last swept day may lie in another school year */
		struct eval_ctx e;
		struct day_agg stack_days[STACK_DAYS];
		if (!ctx_init(&e, env, c->st, c->days[j].day, stack_days))
			continue;
		e.student = c->student;
		e.out = c->out;
		e.sweep = true; /* mazl evaluates its duration trigger only */
		if (e.d_ord >= 0)
			for (int r = 0; r < 2 && runs[k].rules[r]; r++)
				runs[k].rules[r]->eval(&e);
		if (e.changed)
			c->changed = true;
		if (e.days != stack_days)
			free(e.days);
	}
}

/* Evaluates at d: the registration's rules (reg set, or reg NULL and sweep
 * false for an announced registration's date), or the sweep's. late_through
 * is DATE_NONE, or the last swept day for a late registration. *wake (may
 * be NULL) receives the earliest later day a rule asked to be evaluated
 * again (INT32_MAX: none). */
static bool evaluate(const struct rules_env *env, struct pupil_state *st, const char *student,
		     const struct registration *reg, bool sweep, int32_t d,
		     int32_t late_through, struct signal_list *out, int32_t *wake)
{
	struct eval_ctx c;
	struct day_agg stack_days[STACK_DAYS];
	if (wake)
		*wake = INT32_MAX;
	if (reg == NULL && !school_years_is_school_day(env->years, st->school, d))
		return false;
	if (st->kept_from != DATE_NONE && d < st->kept_from)
		return false; /* a purged year: its data and marks are gone */
	if (!ctx_init(&c, env, st, d, stack_days))
		return false;
	c.student = student;
	c.reg = reg;
	c.sweep = sweep;
	c.out = out;
	if (c.sweep && c.d_ord < 0) {
		if (c.days != stack_days)
			free(c.days);
		return false;
	}
	for (const struct rule_def *const *def = rule_registry; *def; def++)
		if (!c.sweep || (*def)->in_sweep)
			(*def)->eval(&c);
	if (late_through != DATE_NONE && reg)
		late_runs(&c, env, reg->date, late_through);
	if (c.days != stack_days)
		free(c.days);
	if (wake)
		*wake = c.wake;
	return c.changed;
}

/* Day data dated before the state's base: count from its school year's
 * first day (never before what a purge kept). */
static void rebase_for(const struct rules_env *env, struct pupil_state *st,
		       const struct registration *r)
{
	if (reg_kind_is_day(r->kind) && r->date < st->base) {
		/* day data before the base: count from its school year's first day */
		int y = school_years_index(env->years, r->date);
		int32_t base = y < 0 ? r->date : school_years_view(env->years, y, NULL)->first_day;
		if (st->kept_from != DATE_NONE && base < st->kept_from)
			base = st->kept_from;
		if (base < st->base)
			pupil_state_rebase(st, base);
	}
}

bool rules_apply(const struct rules_env *env, struct pupil_state *st,
		 const struct registration *r, struct signal_list *out)
{
	st->touched = true;
	rebase_for(env, st, r);
	bool changed = pupil_state_apply(st, r, env->rc->luxe.enabled ? env->rc->luxe.reason : NULL);
	if (evaluate(env, st, r->student, r, false, r->date, DATE_NONE, out, NULL))
		changed = true;
	return changed;
}

bool rules_apply_clocked(const struct rules_env *env, struct pupil_state *st,
			 const struct registration *r, int32_t swept_through,
			 struct signal_list *out)
{
	st->touched = true;
	rebase_for(env, st, r);
	bool changed = pupil_state_apply(st, r, env->rc->luxe.enabled ? env->rc->luxe.reason : NULL);
	bool date_swept = swept_through != DATE_NONE && r->date <= swept_through;
	if (!date_swept && clock_is_announced(r))
		return changed; /* evaluated in the sweep of its date (rules_sweep) */
	bool late = date_swept && reg_kind_is_day(r->kind) && r->kind != KIND_CONCERN;
	if (evaluate(env, st, r->student, r, false, r->date, late ? swept_through : DATE_NONE,
		     out, NULL))
		changed = true;
	return changed;
}

/* True when day holds a registration recorded before its date: an announced
 * one, whose registration rules the sweep of day evaluates. Registrations
 * are sorted by day: only those of day and later are looked at. */
static bool announced_on(const struct pupil_state *st, int32_t day)
{
	int off = day - st->base;
	for (uint32_t i = st->nregs; i-- > 0 && st->regs[i].day >= off;)
		if (st->regs[i].day == off && clock_local_date_before(st->regs[i].recorded_ms, day))
			return true;
	return false;
}

/* After a sweep evaluation at `day`: the first later day on which a sweep
 * rule could raise if no registration is applied in between. Until then
 * each rule's outcome can only stay or fall:
 * - first_month: evaluated every day up to the end of the pupil's window;
 * - attendance_tier: asks for the next day itself while a band it has not
 *   raised may still be entered (rule_attendance_tier.c);
 * - mazl duration, lrv, long_sick: a run must end at a day with data, and the
 *   next such day is the next registration's;
 * - leerplicht_16u: the window's minutes can only fall, except that a report
 *   may be waiting for the minimum gap: then every day until the gap is met.
 * Exact, not a heuristic: replay's output is the same with and without it
 * (bench/README.md records the check). */
static int32_t sweep_wake(const struct rules_env *env, const struct pupil_state *st,
			  int32_t day, int32_t rule_wake)
{
	const struct rules_config *rc = env->rc;
	const struct cal_view *v = school_years_view_at(env->years, day, st->school);
	int32_t wake = INT32_MAX;
	int off = day - st->base;
	for (uint32_t i = st->nregs; i-- > 0 && st->regs[i].day > off;)
		wake = st->base + st->regs[i].day;
	if (rule_wake < wake)
		wake = rule_wake;
	if (!v)
		return wake;
	int32_t from = cal_enrolled_from(v, st->enrol);
	int first_ord = cal_school_days_before(v, from);
	if (cal_school_days_before(v, day + 1) < first_ord + rc->first_month.days)
		return day + 1;
	int prev_end;
	if (pupil_mark_latest(st, RULE_LEERPLICHT_16U, LEVEL_NONE, &prev_end) &&
	    day - (st->base + prev_end) < rc->leerplicht_16u.min_gap_days)
		return day + 1;
	return wake;
}

bool rules_sweep(const struct rules_env *env, struct pupil_state *st, const char *student,
		 int32_t day, struct signal_list *out)
{
	if (rules_sweep_idle(st))
		return false;
	/* A day closed only for the pupil's school is no sweep for the pupil:
	 * it must not count as swept, or the next real one could be skipped. */
	if (!school_years_is_school_day(env->years, st->school, day))
		return false;
	if (!st->touched && st->swept_day != DATE_NONE && day > st->swept_day &&
	    day < st->sweep_wake) {
		st->swept_day = day;
		return false;
	}
	int32_t rule_wake;
	bool changed = evaluate(env, st, student, NULL, !announced_on(st, day), day, DATE_NONE,
				out, &rule_wake);
	st->swept_day = day;
	st->touched = false;
	st->sweep_wake = sweep_wake(env, st, day, rule_wake);
	return changed;
}

bool rules_sweep_idle(const struct pupil_state *st)
{
	return st->nregs == 0;
}

/* The first day of the run of days satisfying pred that reaches d, or
 * DATE_NONE when d is not such a day. */
static int32_t run_start(const struct eval_ctx *c, day_pred pred)
{
	int32_t first, last_known;
	return engine_run(c, pred, &first, &last_known) > 0 ? first : DATE_NONE;
}

static bool agg_luxe_day(const struct eval_ctx *c, const struct day_agg *a)
{
	(void)c;
	return a->luxe;
}

bool rules_purge(const struct rules_env *env, struct pupil_state *st, int32_t today,
		 int retention_days, bool *empty)
{
	*empty = false;
	int y = -1;
	for (int i = 0; i < school_years_count(env->years); i++)
		if (school_years_view(env->years, i, NULL)->last_day + retention_days < today)
			y = i;
	if (y < 0)
		return false;
	const struct cal_view *v = school_years_view(env->years, y, st->school);
	int32_t cut = v->last_day + 1;
	/* nothing left of a later year: no data, no mark, no later enrolment */
	bool changed = false;
	if (st->kept_from != DATE_NONE && st->kept_from >= cut)
		goto out;
	/* what a run open at the year's last school day needs */
	if (v->n_school > 0) {
		struct eval_ctx c;
		struct day_agg stack_days[STACK_DAYS];
		if (ctx_init(&c, env, st, v->school_day[v->n_school - 1], stack_days)) {
			day_pred preds[] = {agg_sick, agg_unauth_day, agg_luxe_day};
			for (size_t i = 0; i < sizeof preds / sizeof *preds; i++) {
				int32_t first = run_start(&c, preds[i]);
				if (first != DATE_NONE && first < cut)
					cut = first;
			}
			if (c.days != stack_days)
				free(c.days);
		}
	}
	changed = pupil_state_drop_before(st, cut);
out:
	*empty = st->nregs == 0 && st->nmarks == 0 &&
		 (st->enrol == DATE_NONE || st->enrol <= v->last_day);
	return changed;
}
