/*
 * census: counting pupils in runs and signals in a period at a census date
 * (census.h). Reads the pupil state as known at the sweep of the census's
 * school day, walking its registrations backwards from that day.
 */
#include "census.h"

#include "clock.h"
#include "date.h"
#include "engine.h"

#include <string.h>

const char *const census_bucket_names[CENSUS_BUCKETS] = {"4w_3m", "3m_1y", "over_1y"};

int census_bucket(const struct rules_config *rc, enum census_run kind, int days)
{
	int d4w = kind == CENSUS_LRV ? rc->lrv.days_4w : rc->long_sick.days_4w;
	int d3m = kind == CENSUS_LRV ? rc->lrv.days_3m : rc->long_sick.days_3m;
	if (days >= CENSUS_DAYS_1Y && CENSUS_DAYS_1Y > d3m)
		return CENSUS_OVER_1Y;
	if (days >= d3m)
		return CENSUS_3M_1Y;
	if (days >= d4w)
		return CENSUS_4W_3M;
	return -1;
}

int32_t census_school_day(const struct school_years *ys, const char *school, int32_t c)
{
	if (school_years_is_school_day(ys, school, c))
		return c;
	return school_years_prev_school_day(ys, school, c);
}

static int reg_minutes(const struct rules_config *rc, const struct pupil_reg *r)
{
	if (r->minutes != MINUTES_DEFAULT)
		return r->minutes;
	return r->period == 0 ? rc->full_day_minutes : rc->period_minutes;
}

int census_run_length(const struct rules_env *env, const struct pupil_state *st,
		      enum census_run kind, int32_t s, int64_t known_ms)
{
	const struct school_years *ys = env->years;
	int expect = school_years_ordinal(ys, st->school, s);
	if (expect < 0)
		return 0;
	int32_t lp_from = INT32_MIN;
	if (kind == CENSUS_LRV && st->birth != DATE_NONE)
		lp_from = date_month_after_birthday(st->birth, env->rc->leerplicht_age);
	/* the predicates of engine.h, with the configuration only */
	struct eval_ctx c;
	memset(&c, 0, sizeof c);
	c.rc = env->rc;
	int len = 0;
	uint32_t i = st->nregs;
	while (i > 0 && st->base + st->regs[i - 1].day > s)
		i--;
	while (i > 0) {
		int32_t day = st->base + st->regs[i - 1].day;
		struct day_agg a;
		memset(&a, 0, sizeof a);
		a.day = day;
		for (; i > 0 && st->base + st->regs[i - 1].day == day; i--) {
			const struct pupil_reg *r = &st->regs[i - 1];
			if (r->recorded_ms > known_ms)
				continue;
			int m = reg_minutes(env->rc, r);
			switch (r->kind & DR_KIND_MASK) {
			case DR_ABSENT_AUTH: a.missed += m; break;
			case DR_ABSENT_UNAUTH: a.missed += m; a.unauth_abs += m; break;
			case DR_SICK: a.missed += m; a.sick += m; break;
			default: break;
			}
		}
		if (st->enrol != DATE_NONE && day < st->enrol)
			break; /* nothing before the enrolment counts */
		int ord = school_years_ordinal(ys, st->school, day);
		if (ord < 0)
			continue; /* not a school day for the school: no part of a run */
		if (ord != expect)
			break;
		bool in_run = kind == CENSUS_LRV ? day >= lp_from && agg_unauth_day(&c, &a)
						 : agg_sick(&c, &a);
		if (!in_run)
			break;
		len++;
		expect--;
	}
	return len;
}

/* Marks of (rule, level) dated in [from, to]: one per signal for the rules
 * whose period key is their date (absolute, leerplicht_16u). */
static long long marks_between(const struct pupil_state *st, enum rule_id rule, int32_t from,
			       int32_t to)
{
	long long n = 0;
	for (uint32_t i = 0; i < st->nmarks; i++) {
		const struct pupil_mark *m = &st->marks[i];
		int32_t day = st->base + m->day;
		if (m->rule == (uint8_t)rule && m->level == LEVEL_NONE && day >= from && day <= to)
			n++;
	}
	return n;
}

/* Known at c: enrolled on or before c, or with a registration dated on or
 * before it. */
static bool known_at(const struct pupil_state *st, int32_t c)
{
	if (st->enrol != DATE_NONE && st->enrol <= c)
		return true;
	return st->nregs > 0 && st->base + st->regs[0].day <= c;
}

void census_count_pupil(const struct rules_env *env, const struct pupil_state *st, int32_t c,
			int32_t from, struct census_counts *out)
{
	if (known_at(st, c))
		out->pupils++;
	int32_t s = census_school_day(env->years, st->school, c);
	if (s != DATE_NONE) {
		int64_t known = clock_sweep_instant(s, env->rc->sweep_minute);
		int b = census_bucket(env->rc, CENSUS_LRV,
				      census_run_length(env, st, CENSUS_LRV, s, known));
		if (b >= 0)
			out->lrv[b]++;
		b = census_bucket(env->rc, CENSUS_LONG_SICK,
				  census_run_length(env, st, CENSUS_LONG_SICK, s, known));
		if (b >= 0)
			out->long_sick[b]++;
	}
	out->absolute_new += marks_between(st, RULE_ABSOLUTE, from, c);
	out->reports_16u += marks_between(st, RULE_LEERPLICHT_16U, from, c);
}

/* The last school day of the region's calendar in month (y, m) that lies
 * in a configured year, DATE_NONE if none. */
static int32_t last_school_day_of_month(const struct school_years *ys, int y, int m)
{
	int ny = m == 12 ? y + 1 : y, nm = m == 12 ? 1 : m + 1;
	int32_t first = date_from_civil(y, m, 1);
	int32_t d = census_school_day(ys, NULL, date_from_civil(ny, nm, 1) - 1);
	return d != DATE_NONE && d >= first ? d : DATE_NONE;
}

/* Calls back every quarterly census date in ascending order while fn
 * returns true. */
static void each_quarter(const struct school_years *ys, bool (*fn)(int32_t, void *), void *arg)
{
	int y0, m0, d0, y1, m1, d1;
	date_to_civil(school_years_first_day(ys), &y0, &m0, &d0);
	date_to_civil(school_years_last_day(ys), &y1, &m1, &d1);
	for (int y = y0; y <= y1; y++)
		for (int m = 3; m <= 12; m += 3) {
			int32_t d = last_school_day_of_month(ys, y, m);
			if (d != DATE_NONE && !fn(d, arg))
				return;
		}
}

struct quarter_walk {
	int32_t upto;
	int n, count;
	int32_t *out;
};

static bool collect(int32_t d, void *arg)
{
	struct quarter_walk *w = arg;
	if (d > w->upto)
		return false;
	if (w->count == w->n) { /* keep the last n: shift left */
		memmove(w->out, w->out + 1, (size_t)(w->n - 1) * sizeof *w->out);
		w->out[w->n - 1] = d;
	} else {
		w->out[w->count++] = d;
	}
	return true;
}

int census_quarter_dates(const struct school_years *ys, int32_t upto, int n, int32_t *out)
{
	if (n <= 0)
		return 0;
	struct quarter_walk w = {upto, n, 0, out};
	each_quarter(ys, collect, &w);
	return w.count;
}

int32_t census_period_from(const struct school_years *ys, int32_t c)
{
	int32_t prev;
	if (census_quarter_dates(ys, c - 1, 1, &prev) == 1)
		return prev + 1;
	return school_years_first_day(ys);
}
