/*
 * attendance_tier: the MD-MTSS attendance bands (tier 1 <= 5 % absent,
 * tier 2 > 5 %, tier 3 >= 10 %; Attendance Works' severe >= 20 %).
 *
 * rate(x) = sum of f over enrolled school days <= x / E(x), every reason
 * counted, compared exactly in integers:
 * rate > p % <=> 10000 * sum(min(missed, full_day)) > p_bp * E * full_day.
 *
 * Persistence (v2): a band is entered at d when at each of the last
 * persist_days enrolled school days up to d the rate was in the band or
 * above it, and E >= min_enrolled_days at the first of them. The past days'
 * rates are recomputed from what is known now (a late registration counts
 * for the days after its date). Each band is raised on its first entry this
 * school year; entering several at once raises the highest only.
 *
 * Sweep wake-up: without a new registration the rate falls from day to day;
 * the rule tells the sweep the first later day at which a band not raised
 * yet could still be entered (band_wake), so a pupil is not evaluated daily
 * while nothing can change.
 */
#include "engine.h"

/* The band of sum / enrolled: AT_SEVERE, AT_TIER3, AT_TIER2, or -1. */
static int band_of(const struct rules_config *rc, int64_t sum, int64_t enrolled)
{
	int64_t lhs = 10000 * sum;
	int64_t denom = enrolled * rc->full_day_minutes;
	if (lhs >= rc->attendance_tier.severe_bp * denom)
		return AT_SEVERE;
	if (lhs >= rc->attendance_tier.tier3_bp * denom)
		return AT_TIER3;
	if (lhs > rc->attendance_tier.tier2_bp * denom)
		return AT_TIER2;
	return -1;
}

/* The first later school day at which band b, not raised yet, can be
 * entered if nothing new is registered (INT32_MAX: never). band[] holds the
 * bands of the days ord lo .. d_ord. Without new registrations each later
 * day's rate is sum / E and falls day by day, so the window ending at y > d
 * holds the band exactly when it starts after the last past day below the
 * band, starts at E >= min_enrolled_days, and rate(y) is in the band: the
 * first such y is the earliest candidate, or none is. */
static int32_t band_wake(const struct eval_ctx *c, int b, const int8_t *band, int lo,
			 int64_t sum, int enrolled)
{
	const struct rules_config *rc = c->rc;
	int persist = rc->attendance_tier.persist_days;
	int y = c->d_ord + 1;
	for (int ord = c->d_ord; ord >= lo && ord > c->d_ord - persist + 1; ord--)
		if (band[ord - lo] < b) {
			y = ord + persist;
			break;
		}
	int from_ord = c->d_ord - enrolled + 1;
	int gate = from_ord + rc->attendance_tier.min_enrolled_days - 1 + persist - 1;
	if (y < gate)
		y = gate;
	if (y >= c->v->n_school || band_of(rc, sum, enrolled + (y - c->d_ord)) < b)
		return INT32_MAX;
	return c->v->school_day[y];
}

#define MAX_PERSIST 200 /* config.c's upper bound for persist_days */

static void attendance_tier_eval(struct eval_ctx *c)
{
	const struct rules_config *rc = c->rc;
	if (!rc->attendance_tier.enabled || c->d_ord < 0)
		return;
	int enrolled = cal_enrolled_days(c->v, c->from, c->d);
	int persist = rc->attendance_tier.persist_days;
	/* The bands of the last persist_days enrolled days (fewer early on),
	 * each rate(x) from the days up to x only: E(x) = E(d) - (d_ord - x). */
	int lo = c->d_ord - persist + 1;
	if (lo < c->d_ord - enrolled + 1)
		lo = c->d_ord - enrolled + 1;
	int8_t band[MAX_PERSIST];
	int64_t sum = 0;
	/* days[].ord counts across years, d_ord and lo within this year's v */
	int i = c->i_year;
	for (; i < c->n_upto && c->days[i].ord - c->ord_base < lo; i++)
		sum += agg_capped(c, &c->days[i]);
	for (int ord = lo; ord <= c->d_ord; ord++) {
		for (; i < c->n_upto && c->days[i].ord - c->ord_base <= ord; i++)
			sum += agg_capped(c, &c->days[i]);
		band[ord - lo] = (int8_t)band_of(rc, sum, enrolled - (c->d_ord - ord));
	}

	/* Entered: the lowest band over the window, once E >= min_enrolled_days
	 * at its first day. */
	int first_ord = c->d_ord - persist + 1;
	if (enrolled - persist + 1 >= rc->attendance_tier.min_enrolled_days) {
		int level = AT_SEVERE;
		for (int ord = first_ord; ord <= c->d_ord; ord++)
			if (band[ord - lo] < level)
				level = band[ord - lo];
		if (level >= 0 && !engine_mark_this_year(c, RULE_ATTENDANCE_TIER, level)) {
			for (int lower = AT_TIER2; lower < level; lower++)
				if (!engine_mark_this_year(c, RULE_ATTENDANCE_TIER, lower))
					engine_imply(c, RULE_ATTENDANCE_TIER, lower,
						     c->v->first_day);
			int64_t denom = (int64_t)enrolled * rc->full_day_minutes;
			struct signal *s =
				engine_raise(c, RULE_ATTENDANCE_TIER, level, c->v->first_day);
			signal_fact(s, "rate_pct", FACT_PCT, 10000 * sum / denom);
			signal_fact(s, "missed_minutes", FACT_INT, sum);
			signal_fact(s, "enrolled_days", FACT_INT, enrolled);
			signal_fact(s, "full_day_minutes", FACT_INT, rc->full_day_minutes);
			signal_fact(s, "persist_days", FACT_INT, persist);
			signal_fact(s, "band_since", FACT_DATE, c->v->school_day[first_ord]);
		}
	}

	for (int b = AT_TIER2; b <= AT_SEVERE; b++) {
		if (engine_mark_this_year(c, RULE_ATTENDANCE_TIER, b))
			continue;
		int32_t w = band_wake(c, b, band, lo, sum, enrolled);
		if (w < c->wake)
			c->wake = w;
	}
}

static const char *const attendance_tier_levels[] = {"tier2", "tier3", "severe", NULL};

const struct rule_def rule_attendance_tier = {
	.id = RULE_ATTENDANCE_TIER,
	.name = "attendance_tier",
	.level_key = "level",
	.levels = attendance_tier_levels,
	.in_sweep = true,
	.eval = attendance_tier_eval,
};
