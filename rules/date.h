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

/* The valid date range: what date_parse accepts, 1900-01-01 .. 2199-12-31.
 * Every date read back from storage (a state record, a task record) is
 * checked against it before use; one outside is treated as corrupt. */
#define DATE_MIN (-25567) /* 1900-01-01 */
#define DATE_MAX 84005    /* 2199-12-31 */

/* The valid instant range: what instant_parse can produce, the valid date
 * range widened by a day on each side for UTC offsets. */
#define INSTANT_MIN_MS ((int64_t)(DATE_MIN - 1) * 86400000)
#define INSTANT_MAX_MS ((int64_t)(DATE_MAX + 2) * 86400000 - 1)

static inline int date_valid(int32_t days)
{
	return days >= DATE_MIN && days <= DATE_MAX;
}

static inline int instant_valid(int64_t ms)
{
	return ms >= INSTANT_MIN_MS && ms <= INSTANT_MAX_MS;
}

/* The conversions are exact over the proleptic Gregorian calendar and free of
 * overflow for every int input: date_from_civil returns DATE_NONE when the
 * result does not fit an int32_t day number (m outside 1..12 or d outside
 * 1..31 give an unspecified day but never undefined behaviour). */
int32_t date_from_civil(int y, int m, int d);
void date_to_civil(int32_t days, int *y, int *m, int *d);

/* 0 = Monday ... 6 = Sunday. */
int date_weekday(int32_t days);

/* Parses exactly "YYYY-MM-DD" (a real calendar date, years 1900..2199).
 * Returns 0 and stores the day number, or -1. */
int date_parse(const char *s, int32_t *out);

/* Writes "YYYY-MM-DD" into buf (at least DATE_STRLEN bytes); "0000-00-00"
 * for a day outside the years 0..9999. */
void date_format(int32_t days, char *buf);

/* Parses an RFC 3339 date-time ("2026-09-01T08:15:00Z",
 * "2026-09-01T08:15:00.250+02:00"; 'T' or 't' or ' ' as separator,
 * fractional seconds to any precision, truncated to milliseconds).
 * Returns 0 and stores milliseconds since the epoch (UTC), or -1. */
int instant_parse(const char *s, int64_t *out_ms);

/* Full years of age on date `on` of someone born on `birth`
 * (a birthday on 29 February counts on 1 March in common years); -1 when
 * either date lies outside the valid range (date_valid). */
int date_age_years(int32_t birth, int32_t on);

/* The first day of the month after the `years`-th birthday of someone born
 * on `birth` (the start of compulsory school age for years = 5). Someone
 * born on 29 February has the birthday on 1 March in common years, so the
 * month after it is April. */
int32_t date_month_after_birthday(int32_t birth, int years);

/* ISO week key of a date: the day number of the Monday of its week
 * (DATE_NONE for the few days before the first representable Monday). */
static inline int32_t date_week_monday(int32_t days)
{
	int w = date_weekday(days);
	return days >= INT32_MIN + w ? days - w : DATE_NONE;
}

#endif
