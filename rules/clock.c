/*
 * clock: Amsterdam local time without the process's TZ, and the sweep
 * instants derived from it. See clock.h.
 */
#include "clock.h"

#include "date.h"

#define HOUR_MS 3600000LL

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* The last Sunday of a 31-day month. */
static int32_t last_sunday(int y, int m)
{
	int32_t d = date_from_civil(y, m, 31);
	return d - (date_weekday(d) + 1) % 7;
}

int64_t clock_utc_offset_ms(int64_t utc_ms)
{
	int y, m, d;
	date_to_civil((int32_t)floor_div(utc_ms, CLOCK_DAY_MS), &y, &m, &d);
	int64_t start = (int64_t)last_sunday(y, 3) * CLOCK_DAY_MS + HOUR_MS;
	int64_t end = (int64_t)last_sunday(y, 10) * CLOCK_DAY_MS + HOUR_MS;
	return utc_ms >= start && utc_ms < end ? 2 * HOUR_MS : HOUR_MS;
}

void clock_local(int64_t utc_ms, int32_t *date, int64_t *ms_of_day)
{
	int64_t local = utc_ms + clock_utc_offset_ms(utc_ms);
	int64_t day = floor_div(local, CLOCK_DAY_MS);
	*date = (int32_t)day;
	*ms_of_day = local - day * CLOCK_DAY_MS;
}

int32_t clock_local_date(int64_t utc_ms)
{
	int32_t date;
	int64_t ms;
	clock_local(utc_ms, &date, &ms);
	return date;
}

bool clock_local_date_before(int64_t utc_ms, int32_t day)
{
	int64_t midnight = (int64_t)day * CLOCK_DAY_MS; /* local midnight, as if UTC */
	if (utc_ms + 2 * HOUR_MS < midnight)
		return true; /* before midnight whatever the offset */
	if (utc_ms + HOUR_MS >= midnight)
		return false;
	return clock_local_date(utc_ms) < day;
}

int64_t clock_sweep_instant(int32_t day, int sweep_minute)
{
	int64_t local = (int64_t)day * CLOCK_DAY_MS + (int64_t)sweep_minute * 60000;
	int64_t summer = local - 2 * HOUR_MS;
	if (clock_utc_offset_ms(summer) == 2 * HOUR_MS)
		return summer;
	return local - HOUR_MS;
}

int32_t clock_swept_through(int64_t clock_ms, int sweep_minute)
{
	int32_t date;
	int64_t ms;
	clock_local(clock_ms, &date, &ms);
	return ms >= (int64_t)sweep_minute * 60000 ? date : date - 1;
}

bool clock_is_announced(const struct registration *r)
{
	return reg_kind_is_day(r->kind) && r->kind != KIND_CONCERN &&
	       clock_local_date_before(r->recorded_ms, r->date);
}

bool clock_recorded_at_bad(const struct registration *r, int64_t read_ms)
{
	if (read_ms >= 0)
		return r->recorded_ms > read_ms + CLOCK_MAX_AHEAD_MS;
	return clock_local_date(r->recorded_ms) > r->date + CLOCK_MAX_LATE_DAYS;
}
