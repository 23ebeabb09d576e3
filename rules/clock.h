/*
 * clock: when the daily sweeps run, as the daemon and replay share it
 * (RULES.md, "When rules are evaluated").
 *
 * Sweeps run by Europe/Amsterdam local time: school day d is swept at
 * `sweep_time` on d (default 18:00). Local time is computed here, with the
 * EU summer-time rule built in (UTC+2 from the last Sunday of March 01:00 UTC
 * to the last Sunday of October 01:00 UTC, UTC+1 otherwise), so no result
 * depends on the process's TZ.
 *
 * The clock is an instant: the wall clock in the daemon, or the latest
 * `recorded_at` seen so far (replay and the daemon's `events` clock). Every
 * sweep whose time is at or before it has run: clock_swept_through gives the
 * last such day. Pure functions, no state.
 */
#ifndef VS_CLOCK_H
#define VS_CLOCK_H

#include "event.h"

#include <stdbool.h>
#include <stdint.h>

#define CLOCK_DAY_MS 86400000LL
/* A recorded_at later than this after the moment the daemon reads it is refused. */
#define CLOCK_MAX_AHEAD_MS CLOCK_DAY_MS
/* Replay: a recorded_at whose local date is more than this many days after
 * the registration's date is refused (it would win every correction). */
#define CLOCK_MAX_LATE_DAYS 366

/* The offset of Amsterdam local time from UTC at an instant (ms): 3600000
 * or 7200000. */
int64_t clock_utc_offset_ms(int64_t utc_ms);

/* Amsterdam local date (day number) and milliseconds since local midnight. */
void clock_local(int64_t utc_ms, int32_t *date, int64_t *ms_of_day);
int32_t clock_local_date(int64_t utc_ms);

/* clock_local_date(utc_ms) < day, without the calendar arithmetic unless
 * the instant lies within two hours of day's UTC midnight (the sweep calls
 * it for every registration of the day). */
bool clock_local_date_before(int64_t utc_ms, int32_t day);

/* The instant (UTC ms) of the sweep of day d at minute sweep_minute of the
 * local day. A local time that a summer-time change skips or repeats (only
 * on Sundays, between 02:00 and 03:00) resolves to the first instant. */
int64_t clock_sweep_instant(int32_t day, int sweep_minute);

/* The last day whose sweep time is at or before the instant. */
int32_t clock_swept_through(int64_t clock_ms, int sweep_minute);

/* An announced registration: a day registration other than `concern` dated
 * after the local date of its recorded_at (a planned absence). */
bool clock_is_announced(const struct registration *r);

/* Item 6 of the clock: recorded_at is implausible. The daemon passes the
 * moment it read the entry (a recorded_at more than CLOCK_MAX_AHEAD_MS after
 * it is refused); replay passes read_ms < 0 (a recorded_at more than
 * CLOCK_MAX_LATE_DAYS after the registration's date is refused). */
bool clock_recorded_at_bad(const struct registration *r, int64_t read_ms);

#endif
