/*
 * calendar: loading (see the file format in docs/calendar.md) and the
 * precomputed views of calendar.h.
 */
#include "calendar.h"

#include "date.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SCHOOL_MAX 16

struct school_cal {
	char school[SCHOOL_MAX + 1];
	uint8_t *closed; /* [ndays] the school's own closed days */
	struct cal_view view;
};

struct calendar {
	char region[64];
	char year[32];
	int32_t first_day, last_day;
	int ndays;
	uint8_t *closed; /* [ndays] holidays and closed days of the region */
	struct cal_view base;
	struct school_cal *schools;
	int nschools;
};

static void view_free(struct cal_view *v)
{
	free(v->is_school);
	free(v->before);
	free(v->week);
	free(v->week_first);
	free(v->school_day);
	memset(v, 0, sizeof *v);
}

/* (Re)builds a view from the region's closed days and, if extra is not NULL,
 * a school's own. */
static void view_build(struct cal_view *v, const struct calendar *cal, const uint8_t *extra)
{
	view_free(v);
	int n = cal->ndays;
	v->first_day = cal->first_day;
	v->last_day = cal->last_day;
	v->ndays = n;
	v->is_school = xcalloc((size_t)n, 1);
	v->before = xcalloc((size_t)n, sizeof *v->before);
	v->week = xcalloc((size_t)n, sizeof *v->week);
	v->week_first = xcalloc((size_t)(n / 7 + 2), sizeof *v->week_first);
	int count = 0;
	for (int i = 0; i < n; i++) {
		int32_t day = cal->first_day + i;
		v->before[i] = (int16_t)count;
		int wd = date_weekday(day);
		if (wd < 5 && !cal->closed[i] && !(extra && extra[i])) {
			v->is_school[i] = 1;
			count++;
		}
	}
	v->n_school = count;
	v->school_day = xcalloc((size_t)(count ? count : 1), sizeof *v->school_day);
	for (int i = 0, k = 0; i < n; i++)
		if (v->is_school[i])
			v->school_day[k++] = cal->first_day + i;
	/* lesson weeks: walk the ISO weeks that overlap the year */
	int nw = 0;
	for (int i = 0; i < n;) {
		int32_t monday = date_week_monday(cal->first_day + i);
		int end = (int)(monday + 7 - cal->first_day); /* offset of next Monday */
		if (end > n)
			end = n;
		int first_sd = -1;
		for (int j = i; j < end; j++)
			if (v->is_school[j]) {
				first_sd = v->before[j];
				break;
			}
		int w = -1;
		if (first_sd >= 0) {
			w = nw;
			v->week_first[nw++] = (int16_t)first_sd;
		}
		for (int j = i; j < end; j++)
			v->week[j] = (int16_t)w;
		i = end;
	}
	v->n_weeks = nw;
}

static int parse_day_list(struct jconf *jc, struct calendar *cal, json_t *arr, const char *at,
			  uint8_t *mark)
{
	int rc = 0;
	if (!json_is_array(arr)) {
		jconf_error(jc, at, "expected an array of {\"date\": \"YYYY-MM-DD\", \"name\": ...}");
		return -1;
	}
	size_t i;
	json_t *item;
	json_array_foreach(arr, i, item) {
		char path[256];
		jconf_path_index(path, sizeof path, at, i);
		int32_t day = DATE_NONE;
		if (json_is_string(item)) {
			if (date_parse(json_string_value(item), &day) != 0) {
				jconf_error(jc, path, "expected a date YYYY-MM-DD");
				rc = -1;
				continue;
			}
		} else {
			static const char *const keys[] = {"date", "name", NULL};
			if (jconf_expect_object(jc, item, path) != 0) {
				rc = -1;
				continue;
			}
			jconf_only_keys(jc, item, path, keys);
			if (jconf_date(jc, item, path, "date", &day) != 0)
				rc = -1;
			else if (day == DATE_NONE) {
				jconf_error(jc, path, "missing \"date\"");
				rc = -1;
			}
		}
		if (day == DATE_NONE)
			continue;
		if (day < cal->first_day || day > cal->last_day) {
			jconf_error(jc, path, "date lies outside the school year");
			rc = -1;
			continue;
		}
		mark[day - cal->first_day] = 1;
	}
	return rc;
}

/* Marks the days from..to (inclusive) that lie in the school year. */
static void mark_range(struct calendar *cal, int32_t from, int32_t to)
{
	for (int32_t d = from; d <= to; d++)
		if (d >= cal->first_day && d <= cal->last_day)
			cal->closed[d - cal->first_day] = 1;
}

/* A Rijksoverheid time stamp ("2026-10-10T00:00:00.000Z", or local midnight
 * written in UTC as "2026-10-09T22:00:00.000Z") as a Dutch calendar date:
 * the date two hours later, which is the same date for the first form and
 * the next for the second. */
static int rijks_date(const char *s, int32_t *out)
{
	int64_t ms;
	if (instant_parse(s, &ms) != 0)
		return date_parse(s, out);
	*out = (int32_t)((ms / 1000 + 2 * 3600) / 86400);
	return 0;
}

/* Loads the holidays of the calendar's region (and those of "heel
 * Nederland") from a file in the format of Rijksoverheid's open data
 * (infotypes/schoolholidays, JSON): content[].vacations[].regions[] with
 * region, startdate and enddate. The file name is relative to the file that
 * names it. Errors go to jc, pointing at `at`; the file's own problems name
 * the file. */
static void load_rijksoverheid(struct jconf *jc, struct calendar *cal, const char *name,
			       const char *at)
{
	char path[512];
	const char *slash = strrchr(jc->file, '/');
	if (name[0] == '/' || !slash)
		snprintf(path, sizeof path, "%s", name);
	else
		snprintf(path, sizeof path, "%.*s/%s", (int)(slash - jc->file), jc->file, name);
	if (!cal->region[0]) {
		jconf_error(jc, at, "a holidays_file needs the calendar's \"region\"");
		return;
	}
	struct jconf hj;
	if (jconf_open(&hj, path) != 0) {
		jconf_error(jc, at, "cannot read the holidays file %s: %.200s", path,
			    hj.errors ? hj.errors : "");
		jconf_free(&hj);
		return;
	}
	json_t *content = json_object_get(hj.root, "content");
	size_t i, j, k;
	json_t *year, *vac, *reg;
	int found = 0;
	if (!json_is_array(content))
		jconf_error(&hj, "content", "expected the open-data array \"content\"");
	json_array_foreach(content, i, year) {
		json_array_foreach(json_object_get(year, "vacations"), j, vac) {
			json_array_foreach(json_object_get(vac, "regions"), k, reg) {
				const char *region = json_string_value(json_object_get(reg, "region"));
				const char *sd = json_string_value(json_object_get(reg, "startdate"));
				const char *ed = json_string_value(json_object_get(reg, "enddate"));
				char rp[200];
				snprintf(rp, sizeof rp, "content[%zu].vacations[%zu].regions[%zu]", i, j,
					 k);
				int32_t from, to;
				if (!region || !sd || !ed || rijks_date(sd, &from) != 0 ||
				    rijks_date(ed, &to) != 0 || to < from) {
					jconf_error(&hj, rp, "expected region, startdate and enddate");
					continue;
				}
				if (strcasecmp(region, cal->region) != 0 &&
				    strcasecmp(region, "heel Nederland") != 0)
					continue;
				mark_range(cal, from, to);
				found++;
			}
		}
	}
	if (hj.nerrors)
		jconf_error(jc, at, "the holidays file is not usable:\n%s", hj.errors);
	else if (!found)
		jconf_error(jc, at, "the holidays file has no holidays for region %s", cal->region);
	jconf_free(&hj);
}

struct calendar *calendar_from_json(struct jconf *jc, json_t *obj, const char *at)
{
	static const char *const keys[] = {"region", "school_year", "first_day", "last_day",
					   "holidays", "holidays_file", "closed_days", "schools",
					   NULL};
	if (jconf_expect_object(jc, obj, at) != 0)
		return NULL;
	int errors_before = jc->nerrors;
	jconf_only_keys(jc, obj, at, keys);
	struct calendar *cal = xcalloc(1, sizeof *cal);
	const char *s = "";
	char path[256];
	jconf_string(jc, obj, at, "region", &s);
	str_copy(cal->region, s, sizeof cal->region);
	s = "";
	jconf_string(jc, obj, at, "school_year", &s);
	str_copy(cal->year, s, sizeof cal->year);
	cal->first_day = cal->last_day = DATE_NONE;
	jconf_date(jc, obj, at, "first_day", &cal->first_day);
	jconf_date(jc, obj, at, "last_day", &cal->last_day);
	if (cal->first_day == DATE_NONE || cal->last_day == DATE_NONE) {
		jconf_error(jc, at, "a calendar needs \"first_day\" and \"last_day\" (YYYY-MM-DD)");
		calendar_free(cal);
		return NULL;
	}
	if (cal->last_day < cal->first_day || cal->last_day - cal->first_day > 400) {
		jconf_error(jc, jconf_path_key(path, sizeof path, at, "last_day"),
			    "expected a date after first_day, at most 400 days later");
		calendar_free(cal);
		return NULL;
	}
	cal->ndays = cal->last_day - cal->first_day + 1;
	cal->closed = xcalloc((size_t)cal->ndays, 1);

	json_t *hol = json_object_get(obj, "holidays");
	if (hol && !json_is_array(hol))
		jconf_error(jc, jconf_path_key(path, sizeof path, at, "holidays"),
			    "expected an array of {\"name\", \"from\", \"to\"}");
	else if (hol) {
		size_t i;
		json_t *h;
		char hp[256];
		jconf_path_key(hp, sizeof hp, at, "holidays");
		json_array_foreach(hol, i, h) {
			static const char *const hkeys[] = {"name", "from", "to", NULL};
			jconf_path_index(path, sizeof path, hp, i);
			if (jconf_expect_object(jc, h, path) != 0)
				continue;
			jconf_only_keys(jc, h, path, hkeys);
			int32_t from = DATE_NONE, to = DATE_NONE;
			jconf_date(jc, h, path, "from", &from);
			jconf_date(jc, h, path, "to", &to);
			if (from == DATE_NONE || to == DATE_NONE) {
				jconf_error(jc, path, "a holiday needs \"from\" and \"to\" dates");
				continue;
			}
			if (to < from) {
				char tp[300];
				jconf_error(jc, jconf_path_key(tp, sizeof tp, path, "to"),
					    "expected a date on or after \"from\"");
				continue;
			}
			if (to < cal->first_day || from > cal->last_day) {
				jconf_error(jc, path, "holiday lies entirely outside the school year");
				continue;
			}
			mark_range(cal, from, to);
		}
	}
	const char *hfile = NULL;
	if (jconf_string(jc, obj, at, "holidays_file", &hfile) == 0 && hfile)
		load_rijksoverheid(jc, cal, hfile, jconf_path_key(path, sizeof path, at, "holidays_file"));

	json_t *closed = json_object_get(obj, "closed_days");
	if (closed)
		parse_day_list(jc, cal, closed, jconf_path_key(path, sizeof path, at, "closed_days"),
			       cal->closed);

	json_t *schools = json_object_get(obj, "schools");
	if (schools) {
		char sp[256];
		jconf_path_key(sp, sizeof sp, at, "schools");
		if (jconf_expect_object(jc, schools, sp) == 0) {
			size_t n = json_object_size(schools);
			cal->schools = xcalloc(n ? n : 1, sizeof *cal->schools);
			const char *name;
			json_t *sobj;
			json_object_foreach(schools, name, sobj) {
				static const char *const skeys[] = {"closed_days", NULL};
				jconf_path_key(path, sizeof path, sp, name);
				if (strlen(name) == 0 || strlen(name) > SCHOOL_MAX) {
					jconf_error(jc, path, "school code must be 1 to %d characters",
						    SCHOOL_MAX);
					continue;
				}
				if (jconf_expect_object(jc, sobj, path) != 0)
					continue;
				jconf_only_keys(jc, sobj, path, skeys);
				struct school_cal *sc = &cal->schools[cal->nschools++];
				str_copy(sc->school, name, sizeof sc->school);
				sc->closed = xcalloc((size_t)cal->ndays, 1);
				json_t *cd = json_object_get(sobj, "closed_days");
				if (cd) {
					char cp[300];
					parse_day_list(jc, cal, cd,
						       jconf_path_key(cp, sizeof cp, path, "closed_days"),
						       sc->closed);
				}
			}
		}
	}
	if (jc->nerrors > errors_before) {
		calendar_free(cal);
		return NULL;
	}
	view_build(&cal->base, cal, NULL);
	for (int i = 0; i < cal->nschools; i++)
		view_build(&cal->schools[i].view, cal, cal->schools[i].closed);
	if (cal->base.n_school == 0) {
		jconf_error(jc, at, "the calendar has no school days");
		calendar_free(cal);
		return NULL;
	}
	return cal;
}

struct calendar *calendar_load_file(const char *path, char **errors)
{
	struct jconf jc;
	struct calendar *cal = NULL;
	if (jconf_open(&jc, path) == 0)
		cal = calendar_from_json(&jc, jc.root, "");
	*errors = cal ? NULL : xstrdup(jc.errors ? jc.errors : "unknown error\n");
	jconf_free(&jc);
	return cal;
}

void calendar_free(struct calendar *cal)
{
	if (!cal)
		return;
	for (int i = 0; i < cal->nschools; i++) {
		view_free(&cal->schools[i].view);
		free(cal->schools[i].closed);
	}
	free(cal->schools);
	view_free(&cal->base);
	free(cal->closed);
	free(cal);
}

const char *calendar_region(const struct calendar *cal)
{
	return cal->region;
}

const char *calendar_year(const struct calendar *cal)
{
	return cal->year;
}

/* The school's own entry; a BRIN with a location ("01AB00") falls back to
 * its school's entry ("01AB") when it has none of its own. */
static struct school_cal *find_school(const struct calendar *cal, const char *school)
{
	if (!school)
		return NULL;
	for (int i = 0; i < cal->nschools; i++)
		if (strcmp(cal->schools[i].school, school) == 0)
			return &cal->schools[i];
	if (strlen(school) > 4)
		for (int i = 0; i < cal->nschools; i++)
			if (strlen(cal->schools[i].school) == 4 &&
			    strncmp(cal->schools[i].school, school, 4) == 0)
				return &cal->schools[i];
	return NULL;
}

const struct cal_view *calendar_view(const struct calendar *cal, const char *school)
{
	struct school_cal *sc = find_school(cal, school);
	return sc ? &sc->view : &cal->base;
}

int calendar_close_day(struct calendar *cal, const char *school, int32_t day)
{
	if (day < cal->first_day || day > cal->last_day)
		return -1;
	if (!school) {
		cal->closed[day - cal->first_day] = 1;
		view_build(&cal->base, cal, NULL);
		for (int i = 0; i < cal->nschools; i++)
			view_build(&cal->schools[i].view, cal, cal->schools[i].closed);
		return 0;
	}
	struct school_cal *sc = find_school(cal, school);
	if (!sc) {
		if (strlen(school) > SCHOOL_MAX)
			return -1;
		cal->schools = xrealloc(cal->schools, (size_t)(cal->nschools + 1) * sizeof *sc);
		sc = &cal->schools[cal->nschools++];
		memset(sc, 0, sizeof *sc);
		str_copy(sc->school, school, sizeof sc->school);
		sc->closed = xcalloc((size_t)cal->ndays, 1);
	}
	sc->closed[day - cal->first_day] = 1;
	view_build(&sc->view, cal, sc->closed);
	return 0;
}

int cal_school_days_before(const struct cal_view *v, int32_t day)
{
	if (day <= v->first_day)
		return 0;
	if (day > v->last_day)
		return v->n_school;
	return v->before[day - v->first_day];
}

int cal_school_days_between(const struct cal_view *v, int32_t from, int32_t to)
{
	if (to < from)
		return 0;
	return cal_school_days_before(v, to + 1) - cal_school_days_before(v, from);
}

int32_t cal_prev_school_day(const struct cal_view *v, int32_t day)
{
	int k = cal_school_days_before(v, day);
	return k > 0 ? v->school_day[k - 1] : DATE_NONE;
}

int cal_lesson_week(const struct cal_view *v, int32_t day)
{
	if (!cal_in_year(v, day))
		return -1;
	return v->week[day - v->first_day];
}

int cal_window_first_ordinal(const struct cal_view *v, int32_t day, int n_weeks)
{
	int w = cal_lesson_week(v, day);
	if (w < 0)
		return cal_school_days_before(v, day);
	int first = w - n_weeks + 1;
	if (first < 0)
		first = 0;
	return v->week_first[first];
}

int cal_enrolled_days(const struct cal_view *v, int32_t enrol, int32_t day)
{
	return cal_school_days_between(v, cal_enrolled_from(v, enrol), day);
}
