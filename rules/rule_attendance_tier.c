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
 * Sweep wake-up: without a new registration the rate falls from day to day,
 * so a band not yet raised can only be entered later while tomorrow's rate
 * still reaches it; the rule asks for tomorrow's sweep exactly then.
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

static void attendance_tier_eval(struct eval_ctx *c)
{
	const struct rules_config *rc = c->rc;
	if (!rc->attendance_tier.enabled || c->d_ord < 0)
		return;
	int enrolled = cal_enrolled_days(c->v, c->from, c->d);
	int64_t sum = 0;
	for (int i = 0; i < c->n_upto; i++)
		sum += agg_capped(c, &c->days[i]);

	/* Tomorrow's rate, with nothing new, in a band not raised yet: the
	 * window may fill up without a registration. */
	int tomorrow = band_of(rc, sum, enrolled + 1);
	for (int b = AT_TIER2; b <= tomorrow; b++)
		if (!pupil_mark_exists(c->st, RULE_ATTENDANCE_TIER, b) && c->d < c->wake) {
			c->wake = c->d + 1;
			break;
		}

	int persist = rc->attendance_tier.persist_days;
	if (enrolled - persist + 1 < rc->attendance_tier.min_enrolled_days)
		return;
	/* The lowest band over the window's days x: each rate(x) from the days
	 * up to x only; E(x) = E(d) - (school days from x to d) + 1. */
	int first_ord = c->d_ord - persist + 1;
	int level = AT_SEVERE;
	int64_t upto = 0;
	int i = 0;
	for (int ord = first_ord; ord <= c->d_ord && level >= 0; ord++) {
		while (i < c->n_upto && c->days[i].ord <= ord)
			upto += agg_capped(c, &c->days[i++]);
		int band = band_of(rc, upto, enrolled - (c->d_ord - ord));
		if (band < level)
			level = band;
	}
	if (level < 0 || pupil_mark_exists(c->st, RULE_ATTENDANCE_TIER, level))
		return;
	for (int lower = AT_TIER2; lower < level; lower++)
		if (!pupil_mark_exists(c->st, RULE_ATTENDANCE_TIER, lower))
			engine_imply(c, RULE_ATTENDANCE_TIER, lower, c->v->first_day);
	int64_t denom = (int64_t)enrolled * rc->full_day_minutes;
	struct signal *s = engine_raise(c, RULE_ATTENDANCE_TIER, level, c->v->first_day);
	signal_fact(s, "rate_pct", FACT_PCT, 10000 * sum / denom);
	signal_fact(s, "missed_minutes", FACT_INT, sum);
	signal_fact(s, "enrolled_days", FACT_INT, enrolled);
	signal_fact(s, "full_day_minutes", FACT_INT, rc->full_day_minutes);
	signal_fact(s, "persist_days", FACT_INT, persist);
	signal_fact(s, "band_since", FACT_DATE, c->v->school_day[first_ord]);
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
