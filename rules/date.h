/*
 * date: civil dates as day numbers, and RFC 3339 instants.
 *
 * A date is an int32_t counting days since 1970-01-01 (proleptic Gregorian),
 * so date arithmetic is integer arithmetic and comparisons are exact. An
 * instant (recorded_at) is int64_t milliseconds since the Unix epoch, UTC;
 * offsets in the RFC 3339 text are applied, so instants compare as instants.
 */
#ifndef VS_DATE_H
#define VS_DATE_H

#include <stdint.h>
#include <stddef.h>

#define DATE_NONE INT32_MIN   /* "no date" (enrolment or birth date unknown) */
#define DATE_STRLEN 11        /* "YYYY-MM-DD" plus NUL */

int32_t date_from_civil(int y, int m, int d);
void date_to_civil(int32_t days, int *y, int *m, int *d);

/* 0 = Monday ... 6 = Sunday. */
int date_weekday(int32_t days);

/* Parses exactly "YYYY-MM-DD" (a real calendar date, years 1900..2199).
 * Returns 0 and stores the day number, or -1. */
int date_parse(const char *s, int32_t *out);

/* Writes "YYYY-MM-DD" into buf (at least DATE_STRLEN bytes). */
void date_format(int32_t days, char *buf);

/* Parses an RFC 3339 date-time ("2026-09-01T08:15:00Z",
 * "2026-09-01T08:15:00.250+02:00"; 'T' or 't' or ' ' as separator,
 * fractional seconds to any precision, truncated to milliseconds).
 * Returns 0 and stores milliseconds since the epoch (UTC), or -1. */
int instant_parse(const char *s, int64_t *out_ms);

/* Full years of age on date `on` of someone born on `birth`
 * (a birthday on 29 February counts on 1 March in common years). */
int date_age_years(int32_t birth, int32_t on);

/* The first day of the month after the `years`-th birthday of someone born
 * on `birth` (the start of compulsory school age for years = 5). Someone
 * born on 29 February has the birthday on 1 March in common years, so the
 * month after it is April. */
int32_t date_month_after_birthday(int32_t birth, int years);

/* ISO week key of a date: the day number of the Monday of its week. */
static inline int32_t date_week_monday(int32_t days)
{
	return days - date_weekday(days);
}

#endif
