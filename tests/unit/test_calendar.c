/*
 * test_calendar: the shipped Noord 2026-2027 calendar (school days, lesson
 * weeks, windows, enrolled days, per-school closures) and the loader's
 * errors.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

static int setup_cal(void **state)
{
	*state = tu_noord_calendar();
	return 0;
}

static int teardown_cal(void **state)
{
	calendar_free(*state);
	return 0;
}

static const struct cal_view *base_view(void **state)
{
	return calendar_view(*state, NULL);
}

static void test_first_and_last_day(void **state)
{
	const struct calendar *cal = *state;
	const struct cal_view *v = base_view(state);
	assert_string_equal(calendar_region(cal), "noord");
	assert_string_equal(calendar_year(cal), "2026-2027");
	assert_int_equal(v->first_day, tu_date("2026-08-17"));
	assert_int_equal(v->last_day, tu_date("2027-07-09"));
	assert_int_equal(v->ndays, 327);
	assert_true(cal_in_year(v, tu_date("2026-08-17")));
	assert_true(cal_in_year(v, tu_date("2027-07-09")));
	assert_false(cal_in_year(v, tu_date("2026-08-16")));
	assert_false(cal_in_year(v, tu_date("2027-07-10")));
	assert_true(cal_is_school_day(v, tu_date("2026-08-17")));
	assert_true(cal_is_school_day(v, tu_date("2027-07-09")));
	assert_false(cal_is_school_day(v, tu_date("2026-08-14"))); /* a Friday before */
	assert_false(cal_is_school_day(v, tu_date("2027-07-12"))); /* a Monday after */
	assert_int_equal(cal_ordinal(v, tu_date("2026-08-17")), 0);
	assert_int_equal(cal_ordinal(v, tu_date("2027-07-09")), 205);
	assert_int_equal(cal_ordinal(v, tu_date("2026-08-16")), -1);
	assert_int_equal(v->school_day[0], tu_date("2026-08-17"));
	assert_int_equal(v->school_day[205], tu_date("2027-07-09"));
}

static void test_holidays_and_closed_days(void **state)
{
	const struct cal_view *v = base_view(state);
	static const char *const not_school[] = {
		/* autumn 10-18 Oct 2026 */
		"2026-10-12", "2026-10-13", "2026-10-14", "2026-10-15", "2026-10-16",
		/* Christmas 19 Dec 2026 - 3 Jan 2027 */
		"2026-12-21", "2026-12-25", "2026-12-28", "2026-12-31", "2027-01-01",
		/* spring 20-28 Feb 2027 */
		"2027-02-22", "2027-02-26",
		/* May 24 Apr - 2 May 2027 */
		"2027-04-26", "2027-04-27", "2027-04-30",
		/* closed days */
		"2027-03-29", "2027-05-06", "2027-05-07", "2027-05-17",
	};
	for (size_t i = 0; i < sizeof not_school / sizeof *not_school; i++) {
		int32_t d = tu_date(not_school[i]);
		assert_true(date_weekday(d) < 5);
		if (cal_is_school_day(v, d))
			fail_msg("%s is a school day", not_school[i]);
		assert_int_equal(cal_ordinal(v, d), -1);
	}
	static const char *const school[] = {
		"2026-10-09", "2026-10-19", "2026-12-18", "2027-01-04", "2027-02-19",
		"2027-03-01", "2027-03-26", /* Good Friday */
		"2027-03-30", "2027-04-23", "2027-05-03", "2027-05-05", /* 5 May */
		"2027-05-10", "2027-05-14", "2027-05-18",
	};
	for (size_t i = 0; i < sizeof school / sizeof *school; i++)
		if (!cal_is_school_day(v, tu_date(school[i])))
			fail_msg("%s is not a school day", school[i]);
	assert_int_equal(cal_ordinal(v, tu_date("2026-10-19")), 40);
	assert_int_equal(cal_ordinal(v, tu_date("2026-10-09")), 39);
	assert_int_equal(cal_ordinal(v, tu_date("2027-01-04")), 85);
	assert_int_equal(cal_ordinal(v, tu_date("2026-12-18")), 84);
	assert_int_equal(cal_prev_school_day(v, tu_date("2026-10-19")), tu_date("2026-10-09"));
	assert_int_equal(cal_prev_school_day(v, tu_date("2027-01-04")), tu_date("2026-12-18"));
	assert_int_equal(cal_prev_school_day(v, tu_date("2027-03-30")), tu_date("2027-03-26"));
	assert_int_equal(cal_prev_school_day(v, tu_date("2027-05-10")), tu_date("2027-05-05"));
	assert_int_equal(cal_prev_school_day(v, tu_date("2026-08-18")), tu_date("2026-08-17"));
	assert_int_equal(cal_prev_school_day(v, tu_date("2026-08-17")), DATE_NONE);
	assert_int_equal(cal_prev_school_day(v, tu_date("2026-08-01")), DATE_NONE);
	assert_int_equal(cal_prev_school_day(v, tu_date("2027-08-01")), tu_date("2027-07-09"));
	/* a holiday day: the school day before it */
	assert_int_equal(cal_prev_school_day(v, tu_date("2026-10-14")), tu_date("2026-10-09"));
}

static void test_weekends(void **state)
{
	const struct cal_view *v = base_view(state);
	int weekend_days = 0;
	for (int32_t d = v->first_day; d <= v->last_day; d++)
		if (date_weekday(d) >= 5) {
			weekend_days++;
			if (cal_is_school_day(v, d))
				fail_msg("day %d (weekday %d) is a school day", d, date_weekday(d));
		}
	assert_int_equal(weekend_days, 92);
	assert_false(cal_is_school_day(v, tu_date("2026-08-22")));
	assert_false(cal_is_school_day(v, tu_date("2026-08-23")));
	assert_false(cal_is_school_day(v, tu_date("2027-07-03")));
}

static void test_number_of_school_days(void **state)
{
	const struct cal_view *v = base_view(state);
	assert_int_equal(v->n_school, 206);
	int count = 0;
	for (int32_t d = v->first_day - 10; d <= v->last_day + 10; d++) {
		assert_int_equal(cal_school_days_before(v, d), count);
		if (cal_is_school_day(v, d)) {
			assert_int_equal(cal_ordinal(v, d), count);
			assert_int_equal(v->school_day[count], d);
			count++;
		}
	}
	assert_int_equal(count, 206);
	assert_int_equal(cal_school_days_between(v, v->first_day, v->last_day), 206);
	assert_int_equal(cal_school_days_between(v, tu_date("2026-01-01"), tu_date("2027-12-31")),
			 206);
	assert_int_equal(cal_school_days_between(v, tu_date("2026-09-01"), tu_date("2026-09-30")),
			 22);
	assert_int_equal(cal_school_days_between(v, tu_date("2026-10-10"), tu_date("2026-10-18")),
			 0);
	assert_int_equal(cal_school_days_between(v, tu_date("2026-10-19"), tu_date("2026-10-19")),
			 1);
	assert_int_equal(cal_school_days_between(v, tu_date("2026-10-20"), tu_date("2026-10-19")),
			 0);
	assert_int_equal(cal_school_days_before(v, tu_date("2026-09-01")), 11);
	/* through the last day before Christmas */
	assert_int_equal(cal_school_days_between(v, v->first_day, tu_date("2026-12-18")), 85);
}

static void test_lesson_weeks(void **state)
{
	const struct cal_view *v = base_view(state);
	assert_int_equal(v->n_weeks, 42);
	assert_int_equal(cal_lesson_week(v, tu_date("2026-08-17")), 0);
	assert_int_equal(cal_lesson_week(v, tu_date("2026-08-23")), 0); /* its Sunday */
	assert_int_equal(cal_lesson_week(v, tu_date("2026-08-24")), 1);
	assert_int_equal(cal_lesson_week(v, tu_date("2026-10-09")), 7);
	/* autumn holiday week is skipped */
	assert_int_equal(cal_lesson_week(v, tu_date("2026-10-12")), -1);
	assert_int_equal(cal_lesson_week(v, tu_date("2026-10-18")), -1);
	assert_int_equal(cal_lesson_week(v, tu_date("2026-10-19")), 8);
	/* 19 Dec (Saturday, holiday) lies in a lesson week */
	assert_int_equal(cal_lesson_week(v, tu_date("2026-12-19")), 16);
	/* both Christmas weeks skipped */
	assert_int_equal(cal_lesson_week(v, tu_date("2026-12-21")), -1);
	assert_int_equal(cal_lesson_week(v, tu_date("2026-12-28")), -1);
	assert_int_equal(cal_lesson_week(v, tu_date("2027-01-03")), -1);
	assert_int_equal(cal_lesson_week(v, tu_date("2027-01-04")), 17);
	/* spring and May holiday weeks skipped */
	assert_int_equal(cal_lesson_week(v, tu_date("2027-02-19")), 23);
	assert_int_equal(cal_lesson_week(v, tu_date("2027-02-22")), -1);
	assert_int_equal(cal_lesson_week(v, tu_date("2027-03-01")), 24);
	assert_int_equal(cal_lesson_week(v, tu_date("2027-04-26")), -1);
	/* Ascension week (3 school days) and Easter week (Monday closed) count */
	assert_int_equal(cal_lesson_week(v, tu_date("2027-03-29")), 28);
	assert_int_equal(cal_lesson_week(v, tu_date("2027-05-07")), 32);
	assert_int_equal(cal_lesson_week(v, tu_date("2027-07-09")), 41);
	/* outside the year */
	assert_int_equal(cal_lesson_week(v, tu_date("2026-08-16")), -1);
	assert_int_equal(cal_lesson_week(v, tu_date("2027-07-10")), -1);
	/* each lesson week's first school day */
	assert_int_equal(v->school_day[v->week_first[0]], tu_date("2026-08-17"));
	assert_int_equal(v->school_day[v->week_first[8]], tu_date("2026-10-19"));
	assert_int_equal(v->school_day[v->week_first[17]], tu_date("2027-01-04"));
	assert_int_equal(v->school_day[v->week_first[28]], tu_date("2027-03-30"));
	assert_int_equal(v->school_day[v->week_first[41]], tu_date("2027-07-05"));
	/* week ordinals step by one over school days */
	int prev = 0;
	for (int i = 0; i < v->n_school; i++) {
		int w = cal_lesson_week(v, v->school_day[i]);
		assert_true(w == prev || w == prev + 1);
		prev = w;
	}
	assert_int_equal(prev, 41);
}

static void test_window_last_n_lesson_weeks(void **state)
{
	const struct cal_view *v = base_view(state);
	/* first week back after autumn: 4 lesson weeks = Oct 19 and the three
	 * weeks before the holiday, back to Mon 21 Sep */
	int o = cal_window_first_ordinal(v, tu_date("2026-10-19"), 4);
	assert_int_equal(o, 25);
	assert_int_equal(v->school_day[o], tu_date("2026-09-21"));
	assert_int_equal(cal_window_first_ordinal(v, tu_date("2026-10-23"), 4), 25);
	assert_int_equal(cal_window_first_ordinal(v, tu_date("2026-10-23"), 2), 35); /* 5 Oct */
	assert_int_equal(cal_window_first_ordinal(v, tu_date("2026-10-19"), 1), 40);
	/* 12 weeks from Oct 19 reach the first week of the year */
	assert_int_equal(cal_window_first_ordinal(v, tu_date("2026-10-19"), 12), 0);
	assert_int_equal(cal_window_first_ordinal(v, tu_date("2026-10-19"), 9), 0);
	assert_int_equal(cal_window_first_ordinal(v, tu_date("2026-10-19"), 8), 5);
	/* first week back after Christmas: two holiday weeks skipped */
	o = cal_window_first_ordinal(v, tu_date("2027-01-04"), 4);
	assert_int_equal(o, 70);
	assert_int_equal(v->school_day[o], tu_date("2026-11-30"));
	assert_int_equal(cal_window_first_ordinal(v, tu_date("2027-01-08"), 4), 70);
	/* 12 weeks back from Jan 4 skip both the Christmas and the autumn
	 * holidays: back to Mon 28 Sep */
	o = cal_window_first_ordinal(v, tu_date("2027-01-04"), 12);
	assert_int_equal(o, 30);
	assert_int_equal(v->school_day[o], tu_date("2026-09-28"));
	/* at the start of the year the window is clipped */
	assert_int_equal(cal_window_first_ordinal(v, tu_date("2026-08-19"), 4), 0);
	assert_int_equal(cal_window_first_ordinal(v, tu_date("2026-09-04"), 4), 0);
	assert_int_equal(cal_window_first_ordinal(v, tu_date("2026-09-14"), 4), 5);
	/* Easter week: the window's own week starts on Tuesday (Monday closed) */
	o = cal_window_first_ordinal(v, tu_date("2027-04-01"), 1);
	assert_int_equal(v->school_day[o], tu_date("2027-03-30"));
}

static void test_enrolled_days(void **state)
{
	const struct cal_view *v = base_view(state);
	int32_t first = tu_date("2026-08-17");
	assert_int_equal(cal_enrolled_days(v, DATE_NONE, first), 1);
	assert_int_equal(cal_enrolled_days(v, DATE_NONE, tu_date("2026-09-01")), 12);
	assert_int_equal(cal_enrolled_days(v, DATE_NONE, tu_date("2027-07-09")), 206);
	/* enrolment before the first day: counted from the first day */
	assert_int_equal(cal_enrolled_days(v, tu_date("2026-08-01"), first), 1);
	assert_int_equal(cal_enrolled_days(v, tu_date("2026-08-01"), tu_date("2026-09-01")), 12);
	assert_int_equal(cal_enrolled_days(v, tu_date("2025-09-01"), tu_date("2026-12-18")), 85);
	/* enrolment after the first day */
	assert_int_equal(cal_enrolled_days(v, tu_date("2026-10-01"), tu_date("2026-10-31")), 17);
	assert_int_equal(cal_enrolled_days(v, tu_date("2026-10-01"), tu_date("2026-10-01")), 1);
	assert_int_equal(cal_enrolled_days(v, tu_date("2026-09-01"), tu_date("2026-09-30")), 22);
	/* enrolment on a holiday or a weekend: from the next school day */
	assert_int_equal(cal_enrolled_days(v, tu_date("2026-10-14"), tu_date("2026-10-23")), 5);
	assert_int_equal(cal_enrolled_days(v, tu_date("2026-08-22"), tu_date("2026-08-24")), 1);
	/* before enrolment: none */
	assert_int_equal(cal_enrolled_days(v, tu_date("2026-10-01"), tu_date("2026-09-30")), 0);
	assert_int_equal(cal_enrolled_days(v, DATE_NONE, tu_date("2026-08-16")), 0);
	/* after the last day: the whole rest of the year */
	assert_int_equal(cal_enrolled_days(v, DATE_NONE, tu_date("2027-08-31")), 206);
}

static void test_school_closed_days(void **state)
{
	const struct calendar *cal = *state;
	const struct cal_view *base = calendar_view(cal, NULL);
	const struct cal_view *ab = calendar_view(cal, "01AB");
	int32_t study = tu_date("2026-11-20");
	assert_ptr_not_equal(ab, base);
	assert_ptr_equal(calendar_view(cal, "01AC"), base);
	assert_true(cal_is_school_day(base, study));
	assert_false(cal_is_school_day(ab, study));
	assert_int_equal(base->n_school, 206);
	assert_int_equal(ab->n_school, 205);
	assert_int_equal(ab->first_day, base->first_day);
	assert_int_equal(ab->last_day, base->last_day);
	assert_int_equal(cal_ordinal(ab, tu_date("2026-11-19")),
			 cal_ordinal(base, tu_date("2026-11-19")));
	assert_int_equal(cal_ordinal(ab, tu_date("2026-11-23")),
			 cal_ordinal(base, tu_date("2026-11-23")) - 1);
	assert_int_equal(cal_prev_school_day(ab, tu_date("2026-11-23")), tu_date("2026-11-19"));
	assert_int_equal(cal_prev_school_day(base, tu_date("2026-11-23")), study);
	assert_int_equal(cal_enrolled_days(ab, DATE_NONE, tu_date("2027-07-09")), 205);
	/* the week keeps its lesson-week ordinal */
	assert_int_equal(cal_lesson_week(ab, study), cal_lesson_week(base, study));
	assert_int_equal(ab->n_weeks, 42);
}

static void test_calendar_close_day(void **state)
{
	struct calendar *cal = *state;
	int32_t d1 = tu_date("2026-11-23"), d2 = tu_date("2026-12-01");
	/* a school without own days yet */
	assert_int_equal(calendar_close_day(cal, "02CD", d1), 0);
	const struct cal_view *cd = calendar_view(cal, "02CD");
	const struct cal_view *base = calendar_view(cal, NULL);
	assert_ptr_not_equal(cd, base);
	assert_false(cal_is_school_day(cd, d1));
	assert_true(cal_is_school_day(base, d1));
	assert_true(cal_is_school_day(cd, tu_date("2026-11-20")));
	assert_int_equal(cd->n_school, 205);
	assert_int_equal(base->n_school, 206);
	/* a further day for 01AB */
	assert_int_equal(calendar_close_day(cal, "01AB", d1), 0);
	const struct cal_view *ab = calendar_view(cal, "01AB");
	assert_false(cal_is_school_day(ab, d1));
	assert_false(cal_is_school_day(ab, tu_date("2026-11-20")));
	assert_int_equal(ab->n_school, 204);
	/* closing the same day again changes nothing */
	assert_int_equal(calendar_close_day(cal, "01AB", d1), 0);
	ab = calendar_view(cal, "01AB");
	assert_int_equal(ab->n_school, 204);
	/* a day for every school */
	assert_int_equal(calendar_close_day(cal, NULL, d2), 0);
	base = calendar_view(cal, NULL);
	ab = calendar_view(cal, "01AB");
	cd = calendar_view(cal, "02CD");
	assert_false(cal_is_school_day(base, d2));
	assert_false(cal_is_school_day(ab, d2));
	assert_false(cal_is_school_day(cd, d2));
	assert_false(cal_is_school_day(calendar_view(cal, "09ZZ"), d2));
	assert_int_equal(base->n_school, 205);
	assert_int_equal(ab->n_school, 203);
	assert_int_equal(cd->n_school, 204);
	assert_int_equal(cal_prev_school_day(base, tu_date("2026-12-02")), tu_date("2026-11-30"));
	/* outside the school year */
	assert_int_equal(calendar_close_day(cal, NULL, tu_date("2026-08-16")), -1);
	assert_int_equal(calendar_close_day(cal, NULL, tu_date("2027-07-10")), -1);
	assert_int_equal(calendar_close_day(cal, "01AB", tu_date("2027-08-01")), -1);
	assert_int_equal(calendar_close_day(cal, "03EF", tu_date("2026-01-05")), -1);
	assert_int_equal(calendar_view(cal, NULL)->n_school, 205);
	assert_int_equal(calendar_view(cal, "01AB")->n_school, 203);
}

/* ---- loader errors ---- */

/* Loads text as a calendar; returns the calendar (NULL on error) and copies
 * the errors into errs. */
static struct calendar *load_text(const char *text, char *errs, size_t cap)
{
	struct jconf jc;
	struct calendar *cal = NULL;
	if (jconf_open_text(&jc, "cal.json", text) == 0)
		cal = calendar_from_json(&jc, jc.root, "");
	snprintf(errs, cap, "%s", jc.errors ? jc.errors : "");
	jconf_free(&jc);
	return cal;
}

static void expect_error(const char *text, const char *expected)
{
	char errs[4096];
	struct calendar *cal = load_text(text, errs, sizeof errs);
	if (cal) {
		calendar_free(cal);
		fail_msg("calendar accepted; expected: %s", expected);
	}
	assert_string_equal(errs, expected);
}

static void test_loader_minimal(void **state)
{
	(void)state;
	char errs[1024];
	struct calendar *cal = load_text("{\"region\": \"x\", \"school_year\": \"y\",\n"
					 " \"first_day\": \"2026-08-17\",\n"
					 " \"last_day\": \"2026-08-30\",\n"
					 " \"closed_days\": [\"2026-08-19\"]}\n",
					 errs, sizeof errs);
	assert_non_null(cal);
	assert_string_equal(errs, "");
	const struct cal_view *v = calendar_view(cal, NULL);
	assert_int_equal(v->n_school, 9);
	assert_int_equal(v->n_weeks, 2);
	assert_false(cal_is_school_day(v, tu_date("2026-08-19")));
	calendar_free(cal);
}

static void test_loader_missing_first_day(void **state)
{
	(void)state;
	expect_error("{\n"
		     "  \"region\": \"noord\",\n"
		     "  \"last_day\": \"2027-07-09\"\n"
		     "}\n",
		     "cal.json:1:1: (document): a calendar needs \"first_day\" and \"last_day\" "
		     "(YYYY-MM-DD)\n");
}

static void test_loader_bad_first_day(void **state)
{
	(void)state;
	expect_error("{\n"
		     "  \"first_day\": \"2026-02-30\",\n"
		     "  \"last_day\": \"2027-07-09\"\n"
		     "}\n",
		     "cal.json:2:16: first_day: found \"2026-02-30\"; expected a date YYYY-MM-DD\n"
		     "cal.json:1:1: (document): a calendar needs \"first_day\" and \"last_day\" "
		     "(YYYY-MM-DD)\n");
}

static void test_loader_last_day_before_first(void **state)
{
	(void)state;
	expect_error("{\n"
		     "  \"first_day\": \"2026-08-17\",\n"
		     "  \"last_day\":  \"2026-08-16\"\n"
		     "}\n",
		     "cal.json:3:16: last_day: expected a date after first_day, at most 400 days "
		     "later\n");
}

static void test_loader_holiday_to_before_from(void **state)
{
	(void)state;
	expect_error("{\n"
		     "  \"first_day\": \"2026-08-17\",\n"
		     "  \"last_day\": \"2027-07-09\",\n"
		     "  \"holidays\": [\n"
		     "    {\"name\": \"herfst\", \"from\": \"2026-10-10\", \"to\": \"2026-10-18\"},\n"
		     "    {\"name\": \"kerst\", \"from\": \"2026-12-19\",\n"
		     "     \"to\": \"2026-12-03\"}\n"
		     "  ]\n"
		     "}\n",
		     "cal.json:7:12: holidays[1].to: expected a date on or after \"from\"\n");
}

static void test_loader_unknown_key(void **state)
{
	(void)state;
	expect_error("{\n"
		     "  \"first_day\": \"2026-08-17\",\n"
		     "  \"last_day\": \"2027-07-09\",\n"
		     "  \"holidays\": [{\"name\": \"herfst\", \"from\": \"2026-10-10\", "
		     "\"until\": \"2026-10-18\"}],\n"
		     "  \"closed\": []\n"
		     "}\n",
		     "cal.json:5:13: closed: unknown key; expected one of: region, school_year, "
		     "first_day, last_day, holidays, holidays_file, closed_days, schools\n"
		     "cal.json:4:66: holidays[0].until: unknown key; expected one of: name, from, "
		     "to\n"
		     "cal.json:4:16: holidays[0]: a holiday needs \"from\" and \"to\" dates\n");
}

static void test_loader_closed_day_outside_year(void **state)
{
	(void)state;
	expect_error("{\n"
		     "  \"first_day\": \"2026-08-17\",\n"
		     "  \"last_day\": \"2027-07-09\",\n"
		     "  \"closed_days\": [\"2027-03-29\", \"2027-07-12\"],\n"
		     "  \"schools\": {\n"
		     "    \"01AB\": {\"closed_days\": [\n"
		     "      {\"date\": \"2026-11-20\", \"name\": \"studiedag\"},\n"
		     "      {\"date\": \"2026-08-14\", \"name\": \"te vroeg\"}]}\n"
		     "  }\n"
		     "}\n",
		     "cal.json:4:33: closed_days[1]: date lies outside the school year\n"
		     "cal.json:8:7: schools.01AB.closed_days[1]: date lies outside the school "
		     "year\n");
}

static void test_loader_no_school_days(void **state)
{
	(void)state;
	expect_error("{\"first_day\": \"2026-08-22\", \"last_day\": \"2026-08-23\"}",
		     "cal.json:1:1: (document): the calendar has no school days\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_first_and_last_day, setup_cal, teardown_cal),
		cmocka_unit_test_setup_teardown(test_holidays_and_closed_days, setup_cal,
						teardown_cal),
		cmocka_unit_test_setup_teardown(test_weekends, setup_cal, teardown_cal),
		cmocka_unit_test_setup_teardown(test_number_of_school_days, setup_cal,
						teardown_cal),
		cmocka_unit_test_setup_teardown(test_lesson_weeks, setup_cal, teardown_cal),
		cmocka_unit_test_setup_teardown(test_window_last_n_lesson_weeks, setup_cal,
						teardown_cal),
		cmocka_unit_test_setup_teardown(test_enrolled_days, setup_cal, teardown_cal),
		cmocka_unit_test_setup_teardown(test_school_closed_days, setup_cal, teardown_cal),
		cmocka_unit_test_setup_teardown(test_calendar_close_day, setup_cal, teardown_cal),
		cmocka_unit_test(test_loader_minimal),
		cmocka_unit_test(test_loader_missing_first_day),
		cmocka_unit_test(test_loader_bad_first_day),
		cmocka_unit_test(test_loader_last_day_before_first),
		cmocka_unit_test(test_loader_holiday_to_before_from),
		cmocka_unit_test(test_loader_unknown_key),
		cmocka_unit_test(test_loader_closed_day_outside_year),
		cmocka_unit_test(test_loader_no_school_days),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
