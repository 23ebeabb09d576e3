/*
 * mazl: worrying sickness absence (NCJ, "Meer Aandacht voor Ziekgemelde
 * Leerlingen"). Three triggers:
 *
 *  frequency  on a registration dated d, when d is a sick report (a sick day
 *             whose previous school day was not a sick day or lay before the
 *             enrolment): the sick reports in the last `frequency_weeks`
 *             lesson weeks up to d number >= frequency_reports, and at least
 *             that many are dated after the latest frequency signal's date.
 *  duration   the run of consecutive sick school days ending at d is at least
 *             `duration_days` long; once per sick episode (registrations and
 *             sweep).
 *  concern    a `concern` registration; once per pupil per day.
 */
#include "engine.h"

#include "date.h"

/* A sick day at index i whose previous school day is not a sick day. */
static bool is_sick_report(const struct eval_ctx *c, int i)
{
	if (!agg_sick(c, &c->days[i]))
		return false;
	if (i == 0)
		return true;
	const struct day_agg *prev = &c->days[i - 1];
	return prev->ord != c->days[i].ord - 1 || !agg_sick(c, prev);
}

static void mazl_frequency(struct eval_ctx *c)
{
	const struct rules_config *rc = c->rc;
	int last = c->n_upto - 1;
	if (last < 0 || c->days[last].day != c->d || !is_sick_report(c, last))
		return;
	int first_ord = cal_window_first_ordinal(c->v, c->d, rc->mazl.frequency_weeks);
	int first_ord_all = c->ord_base + first_ord; /* the window lies in d's school year */
	int latest = 0;
	bool have_latest = pupil_mark_latest(c->st, RULE_MAZL, MAZL_FREQUENCY, &latest);
	int32_t latest_day = c->st->base + latest;
	int reports = 0, after_latest = 0;
	int32_t first_report = c->d;
	for (int i = last; i >= 0 && c->days[i].ord >= first_ord_all; i--) {
		if (!is_sick_report(c, i))
			continue;
		reports++;
		first_report = c->days[i].day;
		if (!have_latest || c->days[i].day > latest_day)
			after_latest++;
	}
	if (reports < rc->mazl.frequency_reports || after_latest < rc->mazl.frequency_reports)
		return;
	struct signal *s = engine_raise(c, RULE_MAZL, MAZL_FREQUENCY, c->d);
	signal_fact(s, "sick_reports", FACT_INT, reports);
	signal_fact(s, "window_weeks", FACT_INT, rc->mazl.frequency_weeks);
	signal_fact(s, "window_first", FACT_DATE, c->v->school_day[first_ord]);
	signal_fact(s, "first_report", FACT_DATE, first_report);
}

static void mazl_duration(struct eval_ctx *c)
{
	int32_t first, last_known;
	int len = engine_run(c, agg_sick, &first, &last_known);
	if (len < c->rc->mazl.duration_days)
		return;
	if (pupil_mark_in(c->st, RULE_MAZL, MAZL_DURATION, engine_off(c, first),
			  engine_off(c, last_known)))
		return;
	struct signal *s = engine_raise(c, RULE_MAZL, MAZL_DURATION, first);
	signal_fact(s, "run_first", FACT_DATE, first);
	signal_fact(s, "days", FACT_INT, len);
}

static void mazl_concern(struct eval_ctx *c)
{
	if (!c->rc->mazl.concern || c->d < c->from)
		return;
	if (pupil_mark_on(c->st, RULE_MAZL, MAZL_CONCERN, engine_off(c, c->d)))
		return;
	engine_raise(c, RULE_MAZL, MAZL_CONCERN, c->d);
}

static void mazl_eval(struct eval_ctx *c)
{
	if (!c->rc->mazl.enabled)
		return;
	if (c->reg && c->reg->kind == KIND_CONCERN)
		mazl_concern(c);
	if (c->d_ord < 0)
		return;
	if (!c->sweep)
		mazl_frequency(c);
	mazl_duration(c);
}

static const char *const mazl_triggers[] = {"frequency", "duration", "concern", NULL};

const struct rule_def rule_mazl = {
	.id = RULE_MAZL,
	.name = "mazl",
	.level_key = "trigger",
	.levels = mazl_triggers,
	.in_sweep = true,
	.eval = mazl_eval,
};
