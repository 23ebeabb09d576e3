/*
 * absolute: absoluut verzuim. An `unenrol` without a destination for a pupil
 * under adult_age (or of unknown age) may leave a child of compulsory school
 * age enrolled nowhere. Only for pupils of compulsory school age at its date
 * (birth date unknown counts as such). Once per pupil per date.
 */
#include "engine.h"

#include "date.h"

static void absolute_eval(struct eval_ctx *c)
{
	const struct registration *r = c->reg;
	if (!c->rc->absolute.enabled || !r || r->kind != KIND_UNENROL || r->has_destination)
		return;
	if (c->st->enrol != DATE_NONE && c->d < c->st->enrol)
		return; /* nothing dated before the enrolment raises */
	if (!engine_leerplichtig(c, c->d))
		return;
	if (c->st->birth != DATE_NONE && date_age_years(c->st->birth, c->d) >= c->rc->adult_age)
		return;
	if (pupil_mark_on(c->st, RULE_ABSOLUTE, LEVEL_NONE, engine_off(c, c->d)))
		return;
	struct signal *s = engine_raise(c, RULE_ABSOLUTE, LEVEL_NONE, c->d);
	signal_fact(s, "unenrolled_on", FACT_DATE, c->d);
}

const struct rule_def rule_absolute = {
	.id = RULE_ABSOLUTE,
	.name = "absolute",
	.level_key = NULL,
	.levels = NULL,
	.in_sweep = false,
	.eval = absolute_eval,
};
