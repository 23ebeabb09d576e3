/*
 * first_month (RULES.md): at a date d among the pupil's first 20 enrolled
 * school days, the absent days (any reason) among those days up to d reach 2
 * (elevated) or 5 (high); each level once a year; period key = the school
 * year's first day (2026-08-17).
 *
 * Calendar Noord 2026-2027: school day 1 = Mon 2026-08-17, day 2 = 08-18,
 * day 5 = Fri 08-21, day 20 = Fri 2026-09-11, day 21 = Mon 09-14.
 */
#include "testutil.h"

#define SICK "kind=sick"
#define AUTH "kind=absent authorized=yes"
#define UNAUTH "kind=absent authorized=no"
#define YEAR "2026-08-17"

static void setup_pupil(struct tu_pupil *p, const char *student, const char *school)
{
	tu_pupil_init(p, student, school);
	tu_only(&p->rc, RULE_FIRST_MONTH);
}

static void test_elevated_on_second_and_high_on_fifth_absent_day(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, NULL, NULL);
	/* Day 1: one absent day, nothing due. */
	assert_int_equal(tu_live(&p, "2026-08-17", "2026-08-17", SICK), 0);
	/* Day 2: the second absent day (another reason: any reason counts). */
	assert_int_equal(tu_live(&p, "2026-08-18", "2026-08-18", AUTH), 1);
	TU_EXPECT(&p, 0, {RULE_FIRST_MONTH, FM_ELEVATED, "2026-08-18", YEAR});
	const struct signal *s = tu_signal(&p, 0);
	assert_int_equal(tu_fact(s, "absent_days"), 2);
	assert_int_equal(tu_fact(s, "enrolled_days"), 2);
	tu_assert_fact_date(s, "window_first", "2026-08-17");
	tu_assert_fact_date(s, "window_last", "2026-09-11");
	/* Days 3 and 4: 3 and 4 absent days: elevated is not repeated, high not due. */
	assert_int_equal(tu_live(&p, "2026-08-19", "2026-08-19", UNAUTH), 0);
	assert_int_equal(tu_live(&p, "2026-08-20", "2026-08-20", SICK), 0);
	/* Day 5: the fifth. */
	assert_int_equal(tu_live(&p, "2026-08-21", "2026-08-21", SICK), 1);
	TU_EXPECT(&p, 1, {RULE_FIRST_MONTH, FM_HIGH, "2026-08-21", YEAR});
	assert_int_equal(tu_fact(tu_signal(&p, 1), "absent_days"), 5);
	/* The rest of the window and beyond: each level once a year. */
	tu_live(&p, "2026-08-24", "2026-09-18", SICK);
	assert_int_equal(p.out.n, 2);
	tu_pupil_free(&p);
}

static void test_one_absent_day_raises_nothing(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, NULL, NULL);
	tu_apply(&p, "date=2026-08-17 " SICK);
	tu_sweep(&p, "2026-08-17", "2026-09-30");
	TU_EXPECT_NONE(&p, 0);
	tu_pupil_free(&p);
}

static void test_window_is_the_first_twenty_school_days(void **state)
{
	(void)state;
	/* Days 19 and 20: on the last day of the window. */
	struct tu_pupil a;
	setup_pupil(&a, "a", NULL);
	tu_live(&a, "2026-09-10", "2026-09-11", SICK);
	TU_EXPECT(&a, 0, {RULE_FIRST_MONTH, FM_ELEVATED, "2026-09-11", YEAR});
	assert_int_equal(tu_fact(tu_signal(&a, 0), "enrolled_days"), 20);
	tu_pupil_free(&a);

	/* Days 20 and 21: the second lies after the window. */
	struct tu_pupil b;
	setup_pupil(&b, "b", NULL);
	tu_live(&b, "2026-09-11", "2026-09-14", SICK);
	tu_sweep(&b, "2026-09-15", "2026-09-30");
	TU_EXPECT_NONE(&b, 0);
	tu_pupil_free(&b);

	/* Days 17..20 absent (4: elevated on day 18), day 21 would be the fifth. */
	struct tu_pupil c;
	setup_pupil(&c, "c", NULL);
	tu_live(&c, "2026-09-08", "2026-09-14", SICK);
	TU_EXPECT(&c, 0, {RULE_FIRST_MONTH, FM_ELEVATED, "2026-09-09", YEAR});
	tu_pupil_free(&c);
}

static void test_absent_day_is_half_a_day(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, NULL, NULL);
	tu_apply(&p, "date=2026-08-17 " SICK);
	/* Three lesson hours: 150 of 360 minutes, f < 0.5. */
	for (int h = 1; h <= 3; h++)
		assert_int_equal(tu_apply(&p, "date=2026-08-18 period=%d " AUTH, h), 0);
	tu_sweep(&p, "2026-08-17", "2026-08-18");
	TU_EXPECT_NONE(&p, 0);
	/* The fourth: 200 >= 180. */
	assert_int_equal(tu_apply(&p, "date=2026-08-18 period=4 " AUTH), 1);
	TU_EXPECT(&p, 0, {RULE_FIRST_MONTH, FM_ELEVATED, "2026-08-18", YEAR});
	tu_pupil_free(&p);

	/* minutes: 179 is not half a day, 180 is (the same key, corrected). */
	struct tu_pupil q;
	setup_pupil(&q, "q", NULL);
	tu_apply(&q, "date=2026-08-17 " SICK);
	assert_int_equal(tu_apply(&q, "date=2026-08-18 minutes=179 " SICK), 0);
	tu_sweep(&q, "2026-08-18", "2026-08-18");
	TU_EXPECT_NONE(&q, 0);
	assert_int_equal(tu_apply(&q, "date=2026-08-18 minutes=180 " SICK), 1);
	TU_EXPECT(&q, 0, {RULE_FIRST_MONTH, FM_ELEVATED, "2026-08-18", YEAR});
	tu_pupil_free(&q);
}

static void test_late_is_not_absence(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, NULL, NULL);
	tu_live(&p, "2026-08-17", "2026-08-21", "kind=late minutes=360");
	tu_sweep(&p, "2026-08-24", "2026-09-11");
	TU_EXPECT_NONE(&p, 0);
	tu_pupil_free(&p);
}

static void test_both_levels_at_once_raise_high_only(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, NULL, NULL);
	/* Sweeps of days 1..4 with no state yet; then five sick days arrive in
	 * reverse order (each evaluation sees only days up to its date: one). */
	tu_sweep(&p, "2026-08-17", "2026-08-20");
	assert_int_equal(tu_apply_days_rev(&p, "2026-08-17", "2026-08-21", SICK), 0);
	/* The sweep of day 5 sees all five. */
	assert_int_equal(tu_sweep(&p, "2026-08-21", "2026-08-21"), 1);
	TU_EXPECT(&p, 0, {RULE_FIRST_MONTH, FM_HIGH, "2026-08-21", YEAR});
	assert_int_equal(tu_fact(tu_signal(&p, 0), "absent_days"), 5);
	/* elevated counts as raised. */
	tu_live(&p, "2026-08-24", "2026-09-11", SICK);
	assert_int_equal(p.out.n, 1);
	tu_pupil_free(&p);
}

static void test_enrolment_after_the_year_started(void **state)
{
	(void)state;
	/* Enrolled Thu 2026-10-01: window = Oct 1, 2, 5-9, (autumn holiday),
	 * Oct 19-23, 26-30, Nov 2, 3, 4: day 20 = Wed 2026-11-04. */
	struct tu_pupil a;
	setup_pupil(&a, "a", NULL);
	tu_apply(&a, "date=2026-10-01 kind=enrol");
	/* Sep 30 lies before the enrolment: it counts for nothing. */
	tu_apply(&a, "date=2026-09-30 " SICK);
	tu_live(&a, "2026-10-01", "2026-10-01", SICK);
	tu_sweep(&a, "2026-10-02", "2026-11-03");
	TU_EXPECT_NONE(&a, 0);
	tu_live(&a, "2026-11-04", "2026-11-04", SICK);
	TU_EXPECT(&a, 0, {RULE_FIRST_MONTH, FM_ELEVATED, "2026-11-04", YEAR});
	const struct signal *s = tu_signal(&a, 0);
	assert_int_equal(tu_fact(s, "absent_days"), 2);
	assert_int_equal(tu_fact(s, "enrolled_days"), 20);
	tu_assert_fact_date(s, "window_first", "2026-10-01");
	tu_assert_fact_date(s, "window_last", "2026-11-04");
	tu_pupil_free(&a);

	/* Days 20 and 21 of the enrolment (Nov 4 and 5). */
	struct tu_pupil b;
	setup_pupil(&b, "b", NULL);
	tu_apply(&b, "date=2026-10-01 kind=enrol");
	tu_live(&b, "2026-11-04", "2026-11-05", SICK);
	tu_sweep(&b, "2026-11-06", "2026-11-30");
	TU_EXPECT_NONE(&b, 0);
	tu_pupil_free(&b);

	/* An enrolment before the year's first day: the window starts Aug 17. */
	struct tu_pupil c;
	setup_pupil(&c, "c", NULL);
	tu_apply(&c, "date=2026-08-10 kind=enrol");
	tu_live(&c, "2026-09-10", "2026-09-11", SICK);
	TU_EXPECT(&c, 0, {RULE_FIRST_MONTH, FM_ELEVATED, "2026-09-11", YEAR});
	tu_assert_fact_date(tu_signal(&c, 0), "window_first", "2026-08-17");
	tu_pupil_free(&c);
}

static void test_school_study_day_shifts_the_window(void **state)
{
	(void)state;
	/* Enrolled Mon 2026-11-02. For 01AB (study day Fri Nov 20) the 20th
	 * enrolled school day is Mon Nov 30; for 01AC it is Fri Nov 27. */
	struct tu_pupil ab;
	setup_pupil(&ab, "ab", "01AB");
	tu_apply(&ab, "date=2026-11-02 kind=enrol");
	tu_live(&ab, "2026-11-02", "2026-11-02", SICK);
	tu_sweep(&ab, "2026-11-03", "2026-11-27");
	tu_live(&ab, "2026-11-30", "2026-11-30", SICK);
	TU_EXPECT(&ab, 0, {RULE_FIRST_MONTH, FM_ELEVATED, "2026-11-30", YEAR});
	tu_assert_fact_date(tu_signal(&ab, 0), "window_last", "2026-11-30");
	tu_pupil_free(&ab);

	struct tu_pupil ac;
	setup_pupil(&ac, "ac", "01AC");
	tu_apply(&ac, "date=2026-11-02 kind=enrol");
	tu_live(&ac, "2026-11-02", "2026-11-02", SICK);
	tu_sweep(&ac, "2026-11-03", "2026-11-27");
	tu_live(&ac, "2026-11-30", "2026-11-30", SICK);
	TU_EXPECT_NONE(&ac, 0);
	tu_pupil_free(&ac);
}

static void test_configured_thresholds(void **state)
{
	(void)state;
	/* A window of 10 days (last: Fri Aug 28), elevated at 3, high at 4. */
	struct tu_pupil a;
	setup_pupil(&a, "a", NULL);
	a.rc.first_month.days = 10;
	a.rc.first_month.elevated = 3;
	a.rc.first_month.high = 4;
	tu_live(&a, "2026-08-17", "2026-08-18", SICK);
	TU_EXPECT_NONE(&a, 0);
	tu_live(&a, "2026-08-19", "2026-08-19", SICK);
	TU_EXPECT(&a, 0, {RULE_FIRST_MONTH, FM_ELEVATED, "2026-08-19", YEAR});
	tu_live(&a, "2026-08-20", "2026-08-20", SICK);
	TU_EXPECT(&a, 1, {RULE_FIRST_MONTH, FM_HIGH, "2026-08-20", YEAR});
	tu_assert_fact_date(tu_signal(&a, 0), "window_last", "2026-08-28");
	tu_pupil_free(&a);

	/* Days 8, 9, 10: the third on the window's last day. */
	struct tu_pupil b;
	setup_pupil(&b, "b", NULL);
	b.rc.first_month.days = 10;
	b.rc.first_month.elevated = 3;
	b.rc.first_month.high = 4;
	tu_live(&b, "2026-08-26", "2026-08-28", SICK);
	TU_EXPECT(&b, 0, {RULE_FIRST_MONTH, FM_ELEVATED, "2026-08-28", YEAR});
	tu_pupil_free(&b);

	/* Days 9, 10, 11: the third lies after the window. */
	struct tu_pupil c;
	setup_pupil(&c, "c", NULL);
	c.rc.first_month.days = 10;
	c.rc.first_month.elevated = 3;
	c.rc.first_month.high = 4;
	tu_live(&c, "2026-08-27", "2026-09-04", SICK);
	TU_EXPECT_NONE(&c, 0);
	tu_pupil_free(&c);

	/* Disabled. */
	struct tu_pupil d;
	setup_pupil(&d, "d", NULL);
	d.rc.first_month.enabled = false;
	tu_live(&d, "2026-08-17", "2026-09-11", SICK);
	TU_EXPECT_NONE(&d, 0);
	tu_pupil_free(&d);
}

static void test_correction_neither_withdraws_nor_repeats(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, NULL, NULL);
	tu_live(&p, "2026-08-17", "2026-08-18", SICK);
	TU_EXPECT(&p, 0, {RULE_FIRST_MONTH, FM_ELEVATED, "2026-08-18", YEAR});
	/* Aug 18 was a mistake. */
	assert_int_equal(tu_apply(&p, "date=2026-08-18 kind=present"), 0);
	assert_true(p.last_changed);
	/* Absent again on Aug 19: two absent days again, elevated stands. */
	tu_live(&p, "2026-08-19", "2026-08-21", SICK);
	assert_int_equal(p.out.n, 1);
	/* Aug 17, 19, 20, 21 = 4; Aug 24 is the fifth. */
	tu_live(&p, "2026-08-24", "2026-08-24", SICK);
	TU_EXPECT(&p, 1, {RULE_FIRST_MONTH, FM_HIGH, "2026-08-24", YEAR});
	assert_int_equal(tu_fact(tu_signal(&p, 1), "absent_days"), 5);
	tu_pupil_free(&p);
}

static void test_late_registration_evaluated_at_its_date(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, NULL, NULL);
	tu_live(&p, "2026-08-17", "2026-08-17", SICK);
	tu_sweep(&p, "2026-08-18", "2026-09-10");
	/* On Sep 11 (day 20) the school registers Aug 18 after the fact. */
	assert_int_equal(tu_apply(&p, "date=2026-08-18 " AUTH), 1);
	TU_EXPECT(&p, 0, {RULE_FIRST_MONTH, FM_ELEVATED, "2026-08-18", YEAR});
	assert_int_equal(tu_fact(tu_signal(&p, 0), "enrolled_days"), 2);
	tu_pupil_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elevated_on_second_and_high_on_fifth_absent_day),
		cmocka_unit_test(test_one_absent_day_raises_nothing),
		cmocka_unit_test(test_window_is_the_first_twenty_school_days),
		cmocka_unit_test(test_absent_day_is_half_a_day),
		cmocka_unit_test(test_late_is_not_absence),
		cmocka_unit_test(test_both_levels_at_once_raise_high_only),
		cmocka_unit_test(test_enrolment_after_the_year_started),
		cmocka_unit_test(test_school_study_day_shifts_the_window),
		cmocka_unit_test(test_configured_thresholds),
		cmocka_unit_test(test_correction_neither_withdraws_nor_repeats),
		cmocka_unit_test(test_late_registration_evaluated_at_its_date),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
