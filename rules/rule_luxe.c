/*
 * luxe: luxe verzuim (a holiday outside the school holidays without
 * permission) must be reported to leerplicht whatever the hours.
 *
 * On a registration dated d, when d holds an `absent authorized=no`
 * registration whose reason is the configured luxe reason and the previous
 * school day holds none (or lies before the enrolment, or before the pupil
 * was of compulsory school age): once per run of such days. A leerplicht
 * rule: days before compulsory school age hold no luxe day.
 */
#include "engine.h"

static bool agg_luxe(const struct eval_ctx *c, const struct day_agg *a)
{
	return a->luxe && engine_leerplichtig(c, a->day);
}

static void luxe_eval(struct eval_ctx *c)
{
	if (!c->rc->luxe.enabled || c->sweep || c->d_ord < 0)
		return;
	int32_t first, last_known;
	int len = engine_run(c, agg_luxe, &first, &last_known);
	if (len != 1)
		return; /* d holds none, or the previous school day holds one */
	if (pupil_mark_in(c->st, RULE_LUXE, LEVEL_NONE, engine_off(c, first),
			  engine_off(c, last_known)))
		return;
	struct signal *s = engine_raise(c, RULE_LUXE, LEVEL_NONE, first);
	signal_fact(s, "first_day", FACT_DATE, first);
}

const struct rule_def rule_luxe = {
	.id = RULE_LUXE,
	.name = "luxe",
	.level_key = NULL,
	.levels = NULL,
	.in_sweep = false,
	.eval = luxe_eval,
};
