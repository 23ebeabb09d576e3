/*
 * due: due times in local time (working days skip Saturdays and Sundays)
 * and the delay before a delivery's next attempt (partners.h).
 */
#include "due.h"
#include "partners.h"

#include <time.h>

static bool weekend(time_t t)
{
	struct tm tm;
	localtime_r(&t, &tm);
	return tm.tm_wday == 0 || tm.tm_wday == 6;
}

static int64_t next_midnight_ms(int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	tm.tm_mday += 1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm) * 1000;
}

int64_t due_after_hours(int64_t start_ms, int hours, bool working_days)
{
	int64_t remaining = (int64_t)hours * 3600000;
	if (!working_days)
		return start_ms + remaining;
	int64_t t = start_ms;
	while (remaining > 0) {
		int64_t midnight = next_midnight_ms(t);
		if (weekend((time_t)(t / 1000))) {
			t = midnight;
			continue;
		}
		int64_t step = midnight - t < remaining ? midnight - t : remaining;
		t += step;
		remaining -= step;
	}
	return t;
}

int64_t due_after_working_days(int64_t start_ms, int days)
{
	int64_t t = start_ms;
	for (int n = 0; n < days;) {
		t = next_midnight_ms(t);
		if (!weekend((time_t)(t / 1000)))
			n++;
	}
	return next_midnight_ms(t) - 1;
}

int64_t task_due_ms(const struct dispatch_config *dc, int64_t created_ms, int window_hours,
		    bool duo_school)
{
	if (!dc)
		return created_ms + (int64_t)window_hours * 3600000;
	int64_t due = dc->window_s > 0 ? created_ms + (int64_t)dc->window_s * 1000
				       : due_after_hours(created_ms, window_hours, dc->working_days);
	if (duo_school && dc->duo_report_working_days > 0) {
		int64_t duo = due_after_working_days(created_ms, dc->duo_report_working_days);
		if (duo < due)
			due = duo;
	}
	return due;
}

int64_t retry_delay_ms(int attempt, int base_ms, int max_ms, uint64_t rnd, long retry_after_s)
{
	int64_t d = base_ms;
	for (int i = 1; i < attempt && d < max_ms; i++)
		d *= 2;
	if (d > max_ms)
		d = max_ms;
	int64_t half = d / 2;
	d = half + (int64_t)(rnd % (uint64_t)(d - half + 1));
	if (retry_after_s > 0) {
		int64_t ra = (retry_after_s > 3600 ? 3600 : retry_after_s) * 1000;
		if (ra > d)
			d = ra;
	}
	return d;
}
