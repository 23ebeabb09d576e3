/*
 * first_month: absence in the pupil's first enrolled school days this year
 * (Olson 2014: 2-4 days missed in September ~ 5x the odds of chronic
 * absence, more than 4 ~ 16x).
 *
 * At a date d among the first `days` enrolled school days, the absent days
 * (any reason) among those days up to d reach `elevated` or `high`. Each
 * level once a school year; crossing both at once raises `high` only.
 */
#include "engine.h"

static void first_month_eval(struct eval_ctx *c)
{
	const struct rules_config *rc = c->rc;
	if (!rc->first_month.enabled || c->d_ord < 0)
		return;
	int first_ord = cal_school_days_before(c->v, c->from);
	int last_ord = first_ord + rc->first_month.days - 1;
	if (c->d_ord > last_ord)
		return;
	if (engine_mark_this_year(c, RULE_FIRST_MONTH, FM_HIGH))
		return;
	int absent = 0;
	for (int i = c->i_year; i < c->n_upto; i++)
		if (agg_absent(c, &c->days[i]))
			absent++;
	int level;
	if (absent >= rc->first_month.high)
		level = FM_HIGH;
	else if (absent >= rc->first_month.elevated)
		level = FM_ELEVATED;
	else
		return;
	if (engine_mark_this_year(c, RULE_FIRST_MONTH, level))
		return;
	if (level == FM_HIGH && !engine_mark_this_year(c, RULE_FIRST_MONTH, FM_ELEVATED))
		engine_imply(c, RULE_FIRST_MONTH, FM_ELEVATED, c->v->first_day);
	struct signal *s = engine_raise(c, RULE_FIRST_MONTH, level, c->v->first_day);
	signal_fact(s, "absent_days", FACT_INT, absent);
	signal_fact(s, "enrolled_days", FACT_INT, c->d_ord - first_ord + 1);
	signal_fact(s, "window_first", FACT_DATE, c->v->school_day[first_ord]);
	int last = last_ord < c->v->n_school ? last_ord : c->v->n_school - 1;
	signal_fact(s, "window_last", FACT_DATE, c->v->school_day[last]);
}

static const char *const first_month_levels[] = {"elevated", "high", NULL};

const struct rule_def rule_first_month = {
	.id = RULE_FIRST_MONTH,
	.name = "first_month",
	.level_key = "level",
	.levels = first_month_levels,
	.in_sweep = true,
	.eval = first_month_eval,
};
