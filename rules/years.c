/*
 * years: see years.h. A region runs for a handful of years at a time, so
 * every lookup is a linear scan over the years.
 */
#include "years.h"

#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct school_years {
	struct calendar **cal;
	int n;
};

struct school_years *school_years_new(void)
{
	return xcalloc(1, sizeof(struct school_years));
}

void school_years_free(struct school_years *ys)
{
	if (!ys)
		return;
	for (int i = 0; i < ys->n; i++)
		calendar_free(ys->cal[i]);
	free(ys->cal);
	free(ys);
}

static int32_t first_of(const struct calendar *cal)
{
	return calendar_view(cal, NULL)->first_day;
}

static int32_t last_of(const struct calendar *cal)
{
	return calendar_view(cal, NULL)->last_day;
}

int school_years_append(struct school_years *ys, struct calendar *cal, char *err, size_t cap)
{
	if (ys->n > 0) {
		const struct calendar *prev = ys->cal[ys->n - 1];
		char a[DATE_STRLEN], b[DATE_STRLEN];
		date_format(last_of(prev), a);
		date_format(first_of(cal), b);
		const char *why = NULL;
		if (first_of(cal) <= last_of(prev))
			why = "must start after the previous year's last day";
		else if (first_of(cal) - last_of(prev) - 1 > SCHOOL_YEARS_MAX_GAP)
			why = "must follow the previous year (at most a summer between them)";
		else if (calendar_region(prev)[0] && calendar_region(cal)[0] &&
			 strcasecmp(calendar_region(prev), calendar_region(cal)) != 0)
			why = "must be of the same region as the previous year";
		if (why) {
			snprintf(err, cap,
				 "school year %s (first day %s) %s (%s, last day %s); list the "
				 "calendars of consecutive years in order",
				 calendar_year(cal), b, why, calendar_year(prev), a);
			calendar_free(cal);
			return -1;
		}
	}
	ys->cal = xrealloc(ys->cal, (size_t)(ys->n + 1) * sizeof *ys->cal);
	ys->cal[ys->n++] = cal;
	return 0;
}

int school_years_count(const struct school_years *ys)
{
	return ys->n;
}

const struct calendar *school_years_calendar(const struct school_years *ys, int i)
{
	return ys->cal[i];
}

int32_t school_years_first_day(const struct school_years *ys)
{
	return first_of(ys->cal[0]);
}

int32_t school_years_last_day(const struct school_years *ys)
{
	return last_of(ys->cal[ys->n - 1]);
}

int school_years_index(const struct school_years *ys, int32_t day)
{
	for (int i = 0; i < ys->n; i++)
		if (day >= first_of(ys->cal[i]) && day <= last_of(ys->cal[i]))
			return i;
	return -1;
}

int school_years_index_next(const struct school_years *ys, int32_t day)
{
	for (int i = 0; i < ys->n; i++)
		if (day <= last_of(ys->cal[i]))
			return i;
	return -1;
}

const struct cal_view *school_years_view(const struct school_years *ys, int i,
					 const char *school)
{
	return calendar_view(ys->cal[i], school);
}

const struct cal_view *school_years_view_at(const struct school_years *ys, int32_t day,
					    const char *school)
{
	int i = school_years_index(ys, day);
	return i < 0 ? NULL : calendar_view(ys->cal[i], school);
}

bool school_years_is_school_day(const struct school_years *ys, const char *school, int32_t day)
{
	const struct cal_view *v = school_years_view_at(ys, day, school);
	return v && cal_is_school_day(v, day);
}

int32_t school_years_prev_school_day(const struct school_years *ys, const char *school,
				     int32_t day)
{
	for (int i = ys->n - 1; i >= 0; i--) {
		const struct cal_view *v = calendar_view(ys->cal[i], school);
		if (day <= v->first_day)
			continue;
		int32_t p = cal_prev_school_day(v, day);
		if (p != DATE_NONE)
			return p;
	}
	return DATE_NONE;
}

int32_t school_years_next_school_day(const struct school_years *ys, const char *school,
				     int32_t day)
{
	for (int i = 0; i < ys->n; i++) {
		const struct cal_view *v = calendar_view(ys->cal[i], school);
		if (day >= v->last_day)
			continue;
		int k = cal_school_days_before(v, day + 1);
		if (k < v->n_school)
			return v->school_day[k];
	}
	return DATE_NONE;
}

int school_years_school_days_between(const struct school_years *ys, const char *school,
				     int32_t from, int32_t to)
{
	int n = 0;
	for (int i = 0; i < ys->n; i++)
		n += cal_school_days_between(calendar_view(ys->cal[i], school), from, to);
	return n;
}

int school_years_ord_base(const struct school_years *ys, int i, const char *school)
{
	int base = 0;
	for (int j = 0; j < i && j < ys->n; j++)
		base += calendar_view(ys->cal[j], school)->n_school;
	return base;
}

int school_years_ordinal(const struct school_years *ys, const char *school, int32_t day)
{
	int i = school_years_index(ys, day);
	if (i < 0)
		return -1;
	int ord = cal_ordinal(calendar_view(ys->cal[i], school), day);
	return ord < 0 ? -1 : school_years_ord_base(ys, i, school) + ord;
}

int school_years_close_day(struct school_years *ys, const char *school, int32_t day)
{
	int i = school_years_index(ys, day);
	return i < 0 ? -1 : calendar_close_day(ys->cal[i], school, day);
}

void school_years_names(const struct school_years *ys, char *buf, size_t cap)
{
	size_t len = 0;
	buf[0] = '\0';
	for (int i = 0; i < ys->n && len < cap; i++) {
		int w = snprintf(buf + len, cap - len, "%s%s", i ? ", " : "",
				 calendar_year(ys->cal[i])[0] ? calendar_year(ys->cal[i]) : "?");
		if (w < 0)
			break;
		len += (size_t)w;
	}
}
