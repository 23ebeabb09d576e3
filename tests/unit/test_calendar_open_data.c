/*
 * Holidays loaded from a file in the layout of Rijksoverheid's open data
 * (schoolholidays JSON) give the same school days as the shipped calendar,
 * whose holidays are written out by hand; the region filter, the
 * "heel Nederland" entries and local midnight written in UTC all count.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#define FIXTURES VS_SOURCE_DIR "/tests/fixtures/calendars/"

static void test_same_school_days_as_shipped(void **state)
{
	(void)state;
	char *errors = NULL;
	struct calendar *od = calendar_load_file(FIXTURES "noord-from-open-data.json", &errors);
	if (!od)
		fprintf(stderr, "%s", errors);
	assert_non_null(od);
	struct calendar *shipped = tu_noord_calendar();
	const char *schools[] = {NULL, "01AB"};
	for (int s = 0; s < 2; s++) {
		const struct cal_view *a = calendar_view(od, schools[s]);
		const struct cal_view *b = calendar_view(shipped, schools[s]);
		assert_int_equal(a->n_school, b->n_school);
		for (int32_t d = b->first_day; d <= b->last_day; d++)
			assert_int_equal(cal_is_school_day(a, d), cal_is_school_day(b, d));
	}
	/* spot checks: Christmas from "heel Nederland" written as 23:00Z the
	 * evening before; midden's autumn holiday is not noord's */
	assert_false(cal_is_school_day(calendar_view(od, NULL), tu_date("2026-12-21")));
	assert_true(cal_is_school_day(calendar_view(od, NULL), tu_date("2026-10-19")));
	assert_true(cal_is_school_day(calendar_view(od, NULL), tu_date("2026-12-18")));
	assert_true(cal_is_school_day(calendar_view(od, NULL), tu_date("2027-01-04")));
	calendar_free(shipped);
	calendar_free(od);
}

static void test_errors(void **state)
{
	(void)state;
	struct jconf jc;
	/* a missing file names itself */
	assert_int_equal(jconf_open_text(&jc, FIXTURES "x.json",
					 "{\"region\": \"noord\", \"first_day\": \"2026-08-17\", "
					 "\"last_day\": \"2027-07-09\", \"holidays_file\": \"nope.json\"}"),
			 0);
	assert_null(calendar_from_json(&jc, jc.root, ""));
	assert_non_null(strstr(jc.errors, "holidays_file: cannot read the holidays file"));
	assert_non_null(strstr(jc.errors, "nope.json"));
	jconf_free(&jc);
	/* a region the file does not have */
	assert_int_equal(jconf_open_text(&jc, FIXTURES "x.json",
					 "{\"region\": \"oost\", \"first_day\": \"2026-08-17\", "
					 "\"last_day\": \"2027-07-09\", \"holidays_file\": "
					 "\"schoolholidays-2026-2027.json\"}"),
			 0);
	struct calendar *cal = calendar_from_json(&jc, jc.root, "");
	/* "heel Nederland" entries still apply, so the file is usable */
	assert_non_null(cal);
	calendar_free(cal);
	jconf_free(&jc);
	/* no region: the file cannot be used */
	assert_int_equal(jconf_open_text(&jc, FIXTURES "x.json",
					 "{\"first_day\": \"2026-08-17\", \"last_day\": \"2027-07-09\", "
					 "\"holidays_file\": \"schoolholidays-2026-2027.json\"}"),
			 0);
	assert_null(calendar_from_json(&jc, jc.root, ""));
	assert_non_null(strstr(jc.errors, "needs the calendar's \"region\""));
	jconf_free(&jc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_school_days_as_shipped),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
