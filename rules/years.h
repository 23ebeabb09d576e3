/*
 * years: the school years the service runs for, one calendar each
 * (RULES.md "Calendar and school years", v2).
 *
 * The configuration names the calendars of consecutive school years, in
 * order; they never overlap and each starts after the previous one's last
 * day, with only a summer between them. A date belongs to the year whose
 * first-to-last-day range holds it; an `enrol` or `unenrol` dated between two
 * years belongs to the next one (school_years_index_next).
 *
 * Within one year the calendar's views answer the rules' questions; across
 * years this module does: "consecutive school days" skip the summer between
 * two configured years as they skip any holiday, so the previous school day
 * of a year's first day is the last school day of the year before, and a
 * school-day ordinal counted across every configured year
 * (school_years_ordinal) is contiguous over the summer. Counting that is per
 * year uses the year's own view and its ordinals.
 *
 * The set owns its calendars. It is immutable after loading except for
 * closures (school_years_close_day), which rebuild one year's views.
 */
#ifndef VS_YEARS_H
#define VS_YEARS_H

#include "calendar.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest summer accepted between two consecutive years, in days
 * (first day of a year minus the last day of the one before, minus one). */
#define SCHOOL_YEARS_MAX_GAP 100

struct school_years;

struct school_years *school_years_new(void);
void school_years_free(struct school_years *ys);

/* Appends the next school year and takes ownership of cal (freed on
 * failure too). Fails with a message in err when cal does not follow the
 * last year appended: it must start after that year's last day, at most
 * SCHOOL_YEARS_MAX_GAP days later, and be of the same region. */
int school_years_append(struct school_years *ys, struct calendar *cal, char *err, size_t cap);

int school_years_count(const struct school_years *ys);

/* The i-th calendar (0 = the earliest). */
const struct calendar *school_years_calendar(const struct school_years *ys, int i);

/* First day of the first year, last day of the last. */
int32_t school_years_first_day(const struct school_years *ys);
int32_t school_years_last_day(const struct school_years *ys);

/* Index of the year whose first-to-last-day range holds day, -1 if none. */
int school_years_index(const struct school_years *ys, int32_t day);

/* Index of the year holding day or, when day lies before or between years,
 * of the first year after it (where an `enrol` or `unenrol` belongs); -1
 * after the last year. */
int school_years_index_next(const struct school_years *ys, int32_t day);

/* Year i's view for a school (school may be NULL: the region's). */
const struct cal_view *school_years_view(const struct school_years *ys, int i,
					 const char *school);

/* The view of the year holding day, NULL when no year holds it. */
const struct cal_view *school_years_view_at(const struct school_years *ys, int32_t day,
					    const char *school);

/* A school day for the school in some configured year. */
bool school_years_is_school_day(const struct school_years *ys, const char *school, int32_t day);

/* The school day before (after) day, across the summers between years;
 * DATE_NONE when there is none in any configured year. */
int32_t school_years_prev_school_day(const struct school_years *ys, const char *school,
				     int32_t day);
int32_t school_years_next_school_day(const struct school_years *ys, const char *school,
				     int32_t day);

/* School days of the school in [from, to] (inclusive), over every
 * configured year. */
int school_years_school_days_between(const struct school_years *ys, const char *school,
				     int32_t from, int32_t to);

/* School days of the school in the years before year i (year i's first
 * school day has this ordinal across years). */
int school_years_ord_base(const struct school_years *ys, int i, const char *school);

/* Ordinal of a school day counted across every configured year (0 = the
 * first year's first school day); -1 when day is not a school day. Two
 * school days are consecutive exactly when their ordinals differ by one. */
int school_years_ordinal(const struct school_years *ys, const char *school, int32_t day);

/* calendar_close_day in the year holding day; -1 when no year holds it.
 * Invalidates that year's view pointers (see calendar_close_day). */
int school_years_close_day(struct school_years *ys, const char *school, int32_t day);

/* "2026-2027, 2027-2028": the years' names, for messages. */
void school_years_names(const struct school_years *ys, char *buf, size_t cap);

#endif
