/*
 * long_sick: the run of consecutive sick days ending at d is at least `4w`
 * (20) or `3m` (65) school days; each level once per run (the ECT discusses
 * every long-sick pupil: 4 weeks to 3 months, 3 months to a year).
 */
#include "engine.h"

static void long_sick_eval(struct eval_ctx *c)
{
	if (c->rc->long_sick.enabled)
		engine_run_levels(c, RULE_LONG_SICK, agg_sick, c->rc->long_sick.days_4w,
				  c->rc->long_sick.days_3m);
}

const struct rule_def rule_long_sick = {
	.id = RULE_LONG_SICK,
	.name = "long_sick",
	.level_key = "level",
	.levels = engine_run_level_names,
	.in_sweep = true,
	.eval = long_sick_eval,
};
