/*
 * lrv: langdurig relatief verzuim. The run of consecutive unauthorised days
 * ending at d is at least `4w` (20) or `3m` (65) school days; each level once
 * per run (the pact's ambition: nobody longer than 3 months at home without
 * an offer). The run logic is shared with long_sick (engine_run_levels).
 * A leerplicht rule: only days of compulsory school age belong to a run, so
 * nothing is raised before it and a run starts no earlier than its first day.
 */
#include "engine.h"

static bool agg_unauth_leerplichtig(const struct eval_ctx *c, const struct day_agg *a)
{
	return engine_leerplichtig(c, a->day) && agg_unauth_day(c, a);
}

static void lrv_eval(struct eval_ctx *c)
{
	if (c->rc->lrv.enabled)
		engine_run_levels(c, RULE_LRV, agg_unauth_leerplichtig, c->rc->lrv.days_4w,
				  c->rc->lrv.days_3m);
}

const struct rule_def rule_lrv = {
	.id = RULE_LRV,
	.name = "lrv",
	.level_key = "level",
	.levels = engine_run_level_names,
	.in_sweep = true,
	.eval = lrv_eval,
};
