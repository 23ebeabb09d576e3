/*
 * leerplicht_16u: the legal report of 16 hours of unauthorised absence in 4
 * lesson weeks (Leerplichtwet art. 21a; the school files it with DUO within 5
 * working days).
 *
 * At d: over the school days of the last `weeks` lesson weeks up to d and
 * after the end of the previous report, the unauthorised minutes reach the
 * pupil's sector's `minutes` (po/so 960 clock minutes, vo/vso 800: 16
 * lessons of 50 minutes, mbo 960). Facts: start (the first day with unauthorised minutes in that
 * span), end = d, minutes. The next count starts the day after `end`. Two
 * reports are at least `min_gap_days` calendar days apart: a threshold
 * reached sooner is reported at the first evaluation that many days after the
 * previous end, with the span as it is then. Only for pupils of compulsory
 * school age at d (days before it count for nothing); pupils of adult_age or
 * older only when report_18plus.
 *
 * A day's unauthorised minutes count at most full_day_minutes (a whole-day
 * registration and an hour registration on the same day are not added up
 * past a whole day); see docs/rules.md.
 */
#include "engine.h"

#include "date.h"

static void leerplicht_16u_eval(struct eval_ctx *c)
{
	const struct rules_config *rc = c->rc;
	if (!rc->leerplicht_16u.enabled || c->d_ord < 0 || !engine_leerplichtig(c, c->d))
		return;
	int prev_off;
	bool have_prev = pupil_mark_latest(c->st, RULE_LEERPLICHT_16U, LEVEL_NONE, &prev_off);
	int32_t prev_end = c->st->base + prev_off;
	if (have_prev && c->d <= prev_end)
		return;
	/* the window lies in d's school year: ordinals across years from its first */
	int first_ord = c->ord_base + cal_window_first_ordinal(c->v, c->d, rc->leerplicht_16u.weeks);
	int64_t minutes = 0;
	int32_t start = c->d;
	for (int i = c->n_upto - 1; i >= 0 && c->days[i].ord >= first_ord; i--) {
		const struct day_agg *a = &c->days[i];
		if ((have_prev && a->day <= prev_end) || !engine_leerplichtig(c, a->day))
			break;
		if (a->unauth <= 0)
			continue;
		minutes += a->unauth < rc->full_day_minutes ? a->unauth : rc->full_day_minutes;
		start = a->day;
	}
	int threshold = rc->leerplicht_16u.minutes[c->st->sector < SECTOR_COUNT ? c->st->sector
										 : SECTOR_PO];
	if (minutes < threshold)
		return;
	if (have_prev && c->d - prev_end < rc->leerplicht_16u.min_gap_days)
		return;
	if (!rc->leerplicht_16u.report_18plus && c->st->birth != DATE_NONE &&
	    date_age_years(c->st->birth, c->d) >= rc->adult_age)
		return;
	struct signal *s = engine_raise(c, RULE_LEERPLICHT_16U, LEVEL_NONE, c->d);
	signal_fact(s, "start", FACT_DATE, start);
	signal_fact(s, "end", FACT_DATE, c->d);
	signal_fact(s, "minutes", FACT_INT, minutes);
	signal_fact(s, "threshold_minutes", FACT_INT, threshold);
}

const struct rule_def rule_leerplicht_16u = {
	.id = RULE_LEERPLICHT_16U,
	.name = "leerplicht_16u",
	.level_key = NULL,
	.levels = NULL,
	.in_sweep = true,
	.eval = leerplicht_16u_eval,
};
