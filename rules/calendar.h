/*
 * calendar: one region's school year, and the questions the rules ask of it.
 *
 * A school day is Monday to Friday inside [first_day, last_day] and not in a
 * holiday range or a closed day; a school may close further days (study
 * days). A lesson week is an ISO week holding at least one school day.
 *
 * Every question is answered from arrays precomputed at load time, indexed by
 * the day's offset from first_day, so the rules ask them in O(1). Each school
 * with closed days of its own gets its own view; all others share the base
 * view. Views are immutable after loading.
 */
#ifndef VS_CALENDAR_H
#define VS_CALENDAR_H

#include "date.h"
#include "jsonconf.h"

#include <stdbool.h>
#include <stdint.h>

struct calendar;

struct cal_view {
	int32_t first_day;  /* day number of the school year's first day */
	int32_t last_day;   /* ... and of its last day */
	int ndays;          /* last_day - first_day + 1 */
	int n_school;       /* school days in the year */
	uint8_t *is_school; /* [ndays] 1 for a school day */
	int16_t *before;    /* [ndays] school days strictly before the day */
	int16_t *week;      /* [ndays] lesson-week ordinal of the day's ISO week, -1 if none */
	int16_t *week_first; /* [n_weeks] ordinal of the first school day of each lesson week */
	int n_weeks;
	int32_t *school_day; /* [n_school] day number of each school day by ordinal */
};

/* Loads a calendar from the object `obj` located at path `at` of jc's
 * document (errors go to jc). Returns NULL on error. */
struct calendar *calendar_from_json(struct jconf *jc, json_t *obj, const char *at);

/* Loads a calendar file. Returns NULL with the errors written to stderr
 * style lines in *errors (caller frees) on failure. */
struct calendar *calendar_load_file(const char *path, char **errors);

void calendar_free(struct calendar *cal);

const char *calendar_region(const struct calendar *cal);
const char *calendar_year(const struct calendar *cal);

/* The view for a school (its own closed days applied), or the base view when
 * the school has none of its own (school may be NULL). */
const struct cal_view *calendar_view(const struct calendar *cal, const char *school);

/* Adds a closed day for one school (an operator's closure) or, with school
 * NULL, for every school. Rebuilds the affected views. Returns -1 when the
 * date lies outside the school year.
 * Invalidates every view pointer obtained before (views are rebuilt and the
 * school table may move): callers must not hold views across this call. */
int calendar_close_day(struct calendar *cal, const char *school, int32_t day);

static inline bool cal_in_year(const struct cal_view *v, int32_t day)
{
	return day >= v->first_day && day <= v->last_day;
}

static inline bool cal_is_school_day(const struct cal_view *v, int32_t day)
{
	return cal_in_year(v, day) && v->is_school[day - v->first_day];
}

/* Number of school days strictly before `day` in the school year (0 before
 * the first day, n_school after the last). */
int cal_school_days_before(const struct cal_view *v, int32_t day);

/* School days in [from, to] (inclusive; 0 when to < from). */
int cal_school_days_between(const struct cal_view *v, int32_t from, int32_t to);

/* Ordinal (0-based) of a school day; -1 if day is not one. */
static inline int cal_ordinal(const struct cal_view *v, int32_t day)
{
	return cal_is_school_day(v, day) ? v->before[day - v->first_day] : -1;
}

/* The school day before `day`, or DATE_NONE when there is none this year. */
int32_t cal_prev_school_day(const struct cal_view *v, int32_t day);

/* Lesson-week ordinal of the ISO week holding day, -1 when that week has no
 * school day (or lies outside the year). */
int cal_lesson_week(const struct cal_view *v, int32_t day);

/* First school-day ordinal of "the last n lesson weeks at day": day's own
 * week and the n-1 lesson weeks before it. day must be a school day. */
int cal_window_first_ordinal(const struct cal_view *v, int32_t day, int n_weeks);

/* The first day that counts for a pupil: the later of the year's first day
 * and enrol (DATE_NONE = the first day). */
static inline int32_t cal_enrolled_from(const struct cal_view *v, int32_t enrol)
{
	return enrol != DATE_NONE && enrol > v->first_day ? enrol : v->first_day;
}

/* E(d): school days from the later of the year's first day and enrol
 * (DATE_NONE = the first day) through day. */
int cal_enrolled_days(const struct cal_view *v, int32_t enrol, int32_t day);

#endif
