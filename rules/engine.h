/*
 * engine: what the rule files share (internal to rules/).
 *
 * An evaluation at date d first condenses the pupil's registrations into one
 * aggregate per school day (struct day_agg), in day order, leaving out
 * registrations dated before the enrolment date and days that are not school
 * days for the pupil's school. The state spans school years: days of earlier
 * years are kept at the start of the array, their ordinals counted across
 * years so that runs continue over the summer; per-year counting starts at
 * index i_year (the first day of d's year that counts). Days after d are kept at the end of the array
 * (from index n_upto on): conditions use only days <= d, but "once per run"
 * looks at the whole run as known, so a run extended backwards by a late
 * registration is still recognised as the run that already raised.
 */
#ifndef VS_ENGINE_H
#define VS_ENGINE_H

#include "rules.h"

struct day_agg {
	int32_t day;      /* day number */
	int ord;          /* school-day ordinal across the school years (years.h) */
	int missed;       /* minutes of absent and sick registrations */
	int sick;         /* ... of which sick */
	int unauth_abs;   /* ... of which absent authorized=no */
	int unauth;       /* unauthorised minutes: unauth_abs + late not authorised */
	bool luxe;        /* holds an absent authorized=no registration with the luxe reason */
};

struct eval_ctx {
	const struct rules_config *rc;
	const struct school_years *ys;
	int year;        /* index of d's school year (for enrol/unenrol between years: the next) */
	const struct cal_view *v; /* d's school year, for the pupil's school */
	int ord_base;    /* ordinal across years of v's first school day */
	struct pupil_state *st;
	const char *student;
	const struct registration *reg; /* the trigger, NULL in the sweep */
	bool sweep;
	int32_t d;       /* evaluation date */
	int d_ord;       /* its school-day ordinal in v, -1 when not a school day */
	int32_t from;    /* first day that counts this year: max(year's first day, enrolment) */
	int32_t lp_from; /* first day of compulsory school age (INT32_MIN: birth unknown) */
	struct day_agg *days;
	int ndays;       /* all aggregated days */
	int i_year;      /* days[i_year ..] are >= from: d's school year */
	int n_upto;      /* days[0 .. n_upto) are <= d */
	struct signal_list *out;
	bool changed;    /* a mark was added */
	int32_t wake;    /* a rule may raise at this later day without a new
			  * registration (INT32_MAX: none); the sweep uses it */
};

/* Day predicates (RULES.md "Registrations"). */
static inline int agg_capped(const struct eval_ctx *c, const struct day_agg *a)
{
	return a->missed < c->rc->full_day_minutes ? a->missed : c->rc->full_day_minutes;
}
static inline bool agg_absent(const struct eval_ctx *c, const struct day_agg *a)
{
	return 2 * agg_capped(c, a) >= c->rc->full_day_minutes;
}
static inline bool agg_sick(const struct eval_ctx *c, const struct day_agg *a)
{
	return agg_absent(c, a) && 2 * a->sick > a->missed;
}
static inline bool agg_unauth_day(const struct eval_ctx *c, const struct day_agg *a)
{
	return agg_absent(c, a) && 2 * a->unauth_abs > a->missed;
}

/* The leerplicht rules (leerplicht_16u, lrv, luxe, absolute) are evaluated
 * only at days the pupil is leerplichtig, and days before count for nothing
 * in them. */
static inline bool engine_leerplichtig(const struct eval_ctx *c, int32_t day)
{
	return day >= c->lp_from;
}

typedef bool (*day_pred)(const struct eval_ctx *c, const struct day_agg *a);

/* The aggregate of day d (index < n_upto), or NULL when d holds no data. */
const struct day_agg *engine_day(const struct eval_ctx *c, int32_t day);

/* The run of consecutive school days satisfying pred that ends at d:
 * returns its length (0 when d itself does not satisfy pred) and its first
 * day in *first. *last_known is the run's last day when extended past d over
 * the days known (for "once per run"). */
int engine_run(const struct eval_ctx *c, day_pred pred, int32_t *first, int32_t *last_known);

/* Day offset of a day number in the pupil's state (for marks). */
static inline int engine_off(const struct eval_ctx *c, int32_t day)
{
	return day - c->st->base;
}

/* A mark of (rule, level) dated in d's school year (per-year rules). */
static inline bool engine_mark_this_year(const struct eval_ctx *c, enum rule_id rule, int level)
{
	return pupil_mark_in(c->st, (int)rule, level, engine_off(c, c->v->first_day),
			     engine_off(c, c->v->last_day));
}

/* Records the mark and appends a signal for (rule, level) at c->d with
 * period key pkey; returns the signal so the caller adds facts. */
struct signal *engine_raise(struct eval_ctx *c, enum rule_id rule, int level, int32_t pkey);

/* Records a mark without a signal (a lower level crossed together with a
 * higher one counts as raised), for period key pkey. */
void engine_imply(struct eval_ctx *c, enum rule_id rule, int level, int32_t pkey);

/* The two-level run rules (lrv, long_sick): the run of days satisfying pred
 * ending at d reaches d4w (level RUN_4W) or d3m (RUN_3M) school days; each
 * level once per run, and crossing both at once raises RUN_3M only. */
void engine_run_levels(struct eval_ctx *c, enum rule_id rule, day_pred pred, int d4w, int d3m);
extern const char *const engine_run_level_names[];

void signal_fact(struct signal *s, const char *name, enum fact_type t, int64_t v);

/* The rule registry: one entry per rule file. */
struct rule_def {
	enum rule_id id;
	const char *name;
	const char *level_key;          /* "level", "trigger" or NULL */
	const char *const *levels;      /* level names by value, NULL-terminated */
	bool in_sweep;                  /* evaluated by the daily sweep */
	void (*eval)(struct eval_ctx *c);
};

extern const struct rule_def rule_first_month, rule_attendance_tier, rule_mazl,
	rule_leerplicht_16u, rule_lrv, rule_long_sick, rule_luxe, rule_absolute;

/* NULL-terminated, in evaluation (and output) order. */
extern const struct rule_def *const rule_registry[];

#endif
