/*
 * attendance_tier: the MD-MTSS attendance bands (tier 1 <= 5 % absent,
 * tier 2 > 5 %, tier 3 >= 10 %; Attendance Works' severe >= 20 %).
 *
 * Only when E(d) >= min_enrolled_days. rate = sum of f over enrolled school
 * days <= d / E(d), every reason counted. Compared exactly in integers:
 * rate > p % <=> 10000 * sum(min(missed, full_day)) > p_bp * E * full_day.
 * Each band is raised on its first entry this school year; crossing several
 * at once raises the highest only.
 */
#include "engine.h"

static void attendance_tier_eval(struct eval_ctx *c)
{
	const struct rules_config *rc = c->rc;
	if (!rc->attendance_tier.enabled || c->d_ord < 0)
		return;
	int enrolled = cal_enrolled_days(c->v, c->from, c->d);
	if (enrolled < rc->attendance_tier.min_enrolled_days)
		return;
	int64_t sum = 0;
	for (int i = c->i_year; i < c->n_upto; i++)
		sum += agg_capped(c, &c->days[i]);
	int64_t lhs = 10000 * sum;
	int64_t denom = (int64_t)enrolled * rc->full_day_minutes;
	int level;
	if (lhs >= rc->attendance_tier.severe_bp * denom)
		level = AT_SEVERE;
	else if (lhs >= rc->attendance_tier.tier3_bp * denom)
		level = AT_TIER3;
	else if (lhs > rc->attendance_tier.tier2_bp * denom)
		level = AT_TIER2;
	else
		return;
	if (engine_mark_this_year(c, RULE_ATTENDANCE_TIER, level))
		return;
	for (int lower = AT_TIER2; lower < level; lower++)
		if (!engine_mark_this_year(c, RULE_ATTENDANCE_TIER, lower))
			engine_imply(c, RULE_ATTENDANCE_TIER, lower, c->v->first_day);
	struct signal *s = engine_raise(c, RULE_ATTENDANCE_TIER, level, c->v->first_day);
	signal_fact(s, "rate_pct", FACT_PCT, lhs / denom);
	signal_fact(s, "missed_minutes", FACT_INT, sum);
	signal_fact(s, "enrolled_days", FACT_INT, enrolled);
	signal_fact(s, "full_day_minutes", FACT_INT, rc->full_day_minutes);
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
