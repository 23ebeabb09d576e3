/*
 * mazl (RULES.md):
 *  frequency  on a registration dated d that is a sick report once applied
 *             (a sick day whose previous school day was not a sick day):
 *             >= 4 sick reports in the last 12 lesson weeks up to d, and >= 4
 *             dated after the latest frequency signal. Period key: d.
 *  duration   the run of consecutive sick school days ending at d reaches 7;
 *             once per episode. Period key: the run's first day.
 *  concern    a `concern` registration; once per pupil per day. Key: d.
 *
 * Lesson weeks (ISO): wk34 = Aug 17-21 ... wk41 = Oct 5-9, wk42 autumn
 * holiday (no lesson week), wk43 = Oct 19-23 ... wk46 = Nov 9-13,
 * wk47 = Nov 16-20.
 */
#include "testutil.h"

#include <stdlib.h>

#define SICK "kind=sick"
#define AUTH "kind=absent authorized=yes"

static void setup_pupil(struct tu_pupil *p, const char *student)
{
	tu_pupil_init(p, student, NULL);
	tu_only(&p->rc, RULE_MAZL);
}

static void sick_on(struct tu_pupil *p, const char *date)
{
	tu_live(p, date, date, SICK);
}

static void test_frequency_on_the_fourth_sick_report(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, NULL);
	sick_on(&p, "2026-08-17");
	sick_on(&p, "2026-08-24");
	sick_on(&p, "2026-08-31");
	tu_sweep(&p, "2026-09-01", "2026-09-04");
	TU_EXPECT_NONE(&p, 0);
	sick_on(&p, "2026-09-07");
	TU_EXPECT(&p, 0, {RULE_MAZL, MAZL_FREQUENCY, "2026-09-07", NULL});
	const struct signal *s = tu_signal(&p, 0);
	assert_int_equal(tu_fact(s, "sick_reports"), 4);
	assert_int_equal(tu_fact(s, "window_weeks"), 12);
	tu_assert_fact_date(s, "first_report", "2026-08-17");
	tu_assert_fact_date(s, "window_first", "2026-08-17");
	tu_sweep(&p, "2026-09-08", "2026-09-11");
	assert_int_equal(p.out.n, 1);
	tu_pupil_free(&p);
}

static void test_consecutive_sick_days_are_one_report(void **state)
{
	(void)state;
	/* Report 1: Mon-Tue Aug 17-18. Report 2: Fri Aug 21 + Mon Aug 24 (over
	 * the weekend). Report 3: Fri Oct 9 + Mon Oct 19 (over the autumn
	 * holiday). Report 4: Wed Oct 21. */
	struct tu_pupil p;
	setup_pupil(&p, NULL);
	tu_live(&p, "2026-08-17", "2026-08-18", SICK);
	sick_on(&p, "2026-08-21");
	sick_on(&p, "2026-08-24");
	sick_on(&p, "2026-10-09");
	sick_on(&p, "2026-10-19");
	TU_EXPECT_NONE(&p, 0);
	sick_on(&p, "2026-10-21");
	TU_EXPECT(&p, 0, {RULE_MAZL, MAZL_FREQUENCY, "2026-10-21", NULL});
	assert_int_equal(tu_fact(tu_signal(&p, 0), "sick_reports"), 4);
	tu_assert_fact_date(tu_signal(&p, 0), "first_report", "2026-08-17");
	tu_pupil_free(&p);
}

static void test_frequency_window_of_twelve_lesson_weeks(void **state)
{
	(void)state;
	/* At Fri Nov 13 (wk46) the 12 lesson weeks are wk46..43, 41..34 (the
	 * autumn holiday week is skipped): Mon Aug 17 is inside. */
	struct tu_pupil a;
	setup_pupil(&a, "a");
	sick_on(&a, "2026-08-17");
	sick_on(&a, "2026-11-09");
	sick_on(&a, "2026-11-11");
	TU_EXPECT_NONE(&a, 0);
	sick_on(&a, "2026-11-13");
	TU_EXPECT(&a, 0, {RULE_MAZL, MAZL_FREQUENCY, "2026-11-13", NULL});
	tu_assert_fact_date(tu_signal(&a, 0), "window_first", "2026-08-17");
	tu_assert_fact_date(tu_signal(&a, 0), "first_report", "2026-08-17");
	tu_pupil_free(&a);

	/* At Fri Nov 20 (wk47) the window starts Mon Aug 24: Aug 17 is out. */
	struct tu_pupil b;
	setup_pupil(&b, "b");
	sick_on(&b, "2026-08-17");
	sick_on(&b, "2026-11-16");
	sick_on(&b, "2026-11-18");
	sick_on(&b, "2026-11-20");
	TU_EXPECT_NONE(&b, 0);
	tu_pupil_free(&b);

	/* ... and Aug 24 is in. */
	struct tu_pupil c;
	setup_pupil(&c, "c");
	sick_on(&c, "2026-08-24");
	sick_on(&c, "2026-11-16");
	sick_on(&c, "2026-11-18");
	sick_on(&c, "2026-11-20");
	TU_EXPECT(&c, 0, {RULE_MAZL, MAZL_FREQUENCY, "2026-11-20", NULL});
	tu_assert_fact_date(tu_signal(&c, 0), "window_first", "2026-08-24");
	tu_assert_fact_date(tu_signal(&c, 0), "first_report", "2026-08-24");
	tu_pupil_free(&c);
}

static void test_frequency_needs_four_reports_after_the_last_signal(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, NULL);
	const char *mondays[] = {"2026-08-17", "2026-08-24", "2026-08-31", "2026-09-07",
				 "2026-09-14", "2026-09-21", "2026-09-28"};
	for (size_t i = 0; i < sizeof mondays / sizeof *mondays; i++)
		sick_on(&p, mondays[i]);
	/* Sep 7: the fourth; Sep 14..28 are only 1..3 after it. */
	TU_EXPECT(&p, 0, {RULE_MAZL, MAZL_FREQUENCY, "2026-09-07", NULL});
	sick_on(&p, "2026-10-05");
	TU_EXPECT(&p, 1, {RULE_MAZL, MAZL_FREQUENCY, "2026-10-05", NULL});
	assert_int_equal(tu_fact(tu_signal(&p, 1), "sick_reports"), 8);
	tu_pupil_free(&p);
}

static void test_frequency_only_at_registrations(void **state)
{
	(void)state;
	/* Four Monday reports registered late, newest first: each evaluation
	 * sees only the days up to its date (one report). */
	struct tu_pupil p;
	setup_pupil(&p, NULL);
	tu_apply(&p, "date=2026-09-07 " SICK);
	tu_apply(&p, "date=2026-08-31 " SICK);
	tu_apply(&p, "date=2026-08-24 " SICK);
	tu_apply(&p, "date=2026-08-17 " SICK);
	TU_EXPECT_NONE(&p, 0);
	/* The sweep does not evaluate frequency. */
	tu_sweep(&p, "2026-08-17", "2026-09-11");
	TU_EXPECT_NONE(&p, 0);
	/* The next report counts all five. */
	sick_on(&p, "2026-09-14");
	TU_EXPECT(&p, 0, {RULE_MAZL, MAZL_FREQUENCY, "2026-09-14", NULL});
	assert_int_equal(tu_fact(tu_signal(&p, 0), "sick_reports"), 5);
	tu_pupil_free(&p);
}

static void test_frequency_when_lesson_hours_make_a_sick_day(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, NULL);
	sick_on(&p, "2026-08-17");
	sick_on(&p, "2026-08-24");
	sick_on(&p, "2026-08-31");
	/* Sep 7: three sick hours (150 minutes) is not an absent day. */
	for (int h = 1; h <= 3; h++)
		assert_int_equal(tu_apply(&p, "date=2026-09-07 period=%d " SICK, h), 0);
	/* The fourth hour (200 >= 180) makes Sep 7 a sick report. */
	assert_int_equal(tu_apply(&p, "date=2026-09-07 period=4 " SICK), 1);
	TU_EXPECT(&p, 0, {RULE_MAZL, MAZL_FREQUENCY, "2026-09-07", NULL});
	tu_pupil_free(&p);
}

static void test_a_tie_is_not_a_sick_day(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, NULL);
	sick_on(&p, "2026-08-17");
	sick_on(&p, "2026-08-24");
	sick_on(&p, "2026-08-31");
	/* Sep 7: 180 absent authorised + 180 sick: sick is not more than half. */
	tu_apply(&p, "date=2026-09-07 period=2 minutes=180 " AUTH);
	tu_apply(&p, "date=2026-09-07 period=1 minutes=180 " SICK);
	TU_EXPECT_NONE(&p, 0);
	/* 181 of 361: more than half. */
	assert_int_equal(tu_apply(&p, "date=2026-09-07 period=3 minutes=1 " SICK), 1);
	TU_EXPECT(&p, 0, {RULE_MAZL, MAZL_FREQUENCY, "2026-09-07", NULL});
	tu_pupil_free(&p);
}

static void test_frequency_reports_before_enrolment_do_not_count(void **state)
{
	(void)state;
	/* Enrolled Mon Aug 24: Fri Aug 21 counts for nothing, and Aug 24 is a
	 * sick report (its previous school day lies before the enrolment). */
	struct tu_pupil p;
	setup_pupil(&p, NULL);
	tu_apply(&p, "date=2026-08-24 kind=enrol");
	sick_on(&p, "2026-08-21");
	sick_on(&p, "2026-08-24");
	sick_on(&p, "2026-08-31");
	sick_on(&p, "2026-09-07");
	TU_EXPECT_NONE(&p, 0);
	sick_on(&p, "2026-09-14");
	TU_EXPECT(&p, 0, {RULE_MAZL, MAZL_FREQUENCY, "2026-09-14", NULL});
	assert_int_equal(tu_fact(tu_signal(&p, 0), "sick_reports"), 4);
	tu_assert_fact_date(tu_signal(&p, 0), "first_report", "2026-08-24");
	tu_pupil_free(&p);
}

static void test_duration_on_the_seventh_consecutive_day(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, NULL);
	/* Aug 17-21, 24: six school days. */
	tu_live(&p, "2026-08-17", "2026-08-24", SICK);
	TU_EXPECT_NONE(&p, 0);
	tu_live(&p, "2026-08-25", "2026-08-25", SICK);
	TU_EXPECT(&p, 0, {RULE_MAZL, MAZL_DURATION, "2026-08-25", "2026-08-17"});
	tu_assert_fact_date(tu_signal(&p, 0), "run_first", "2026-08-17");
	assert_int_equal(tu_fact(tu_signal(&p, 0), "days"), 7);
	/* Once per episode. */
	tu_live(&p, "2026-08-26", "2026-09-04", SICK);
	assert_int_equal(p.out.n, 1);
	/* At school on Mon Sep 7; a new episode Sep 8..16 (7 school days). */
	tu_sweep(&p, "2026-09-07", "2026-09-07");
	tu_live(&p, "2026-09-08", "2026-09-15", SICK);
	assert_int_equal(p.out.n, 1);
	tu_live(&p, "2026-09-16", "2026-09-16", SICK);
	TU_EXPECT(&p, 1, {RULE_MAZL, MAZL_DURATION, "2026-09-16", "2026-09-08"});
	tu_pupil_free(&p);
}

static void test_duration_across_the_autumn_holiday(void **state)
{
	(void)state;
	/* Oct 5-9 and Oct 19: six; Oct 20 the seventh. */
	struct tu_pupil p;
	setup_pupil(&p, NULL);
	tu_live(&p, "2026-10-05", "2026-10-19", SICK);
	TU_EXPECT_NONE(&p, 0);
	tu_live(&p, "2026-10-20", "2026-10-20", SICK);
	TU_EXPECT(&p, 0, {RULE_MAZL, MAZL_DURATION, "2026-10-20", "2026-10-05"});
	assert_int_equal(tu_fact(tu_signal(&p, 0), "days"), 7);
	tu_pupil_free(&p);
}

static void test_duration_broken_by_other_absence(void **state)
{
	(void)state;
	/* An authorised absence on Mon Aug 24 ends the episode. */
	struct tu_pupil p;
	setup_pupil(&p, NULL);
	tu_live(&p, "2026-08-17", "2026-08-21", SICK);
	tu_live(&p, "2026-08-24", "2026-08-24", AUTH);
	tu_live(&p, "2026-08-25", "2026-09-01", SICK);
	TU_EXPECT_NONE(&p, 0);
	tu_live(&p, "2026-09-02", "2026-09-02", SICK);
	TU_EXPECT(&p, 0, {RULE_MAZL, MAZL_DURATION, "2026-09-02", "2026-08-25"});
	tu_pupil_free(&p);
}

static void test_duration_run_completed_by_a_late_registration(void **state)
{
	(void)state;
	/* Sick Aug 17-19 and 21-27; Thu Aug 20 is registered late, on Aug 27. */
	struct tu_pupil p;
	setup_pupil(&p, NULL);
	tu_live(&p, "2026-08-17", "2026-08-19", SICK);
	tu_sweep(&p, "2026-08-20", "2026-08-20");
	tu_live(&p, "2026-08-21", "2026-08-26", SICK);
	tu_apply(&p, "date=2026-08-27 " SICK);
	/* Evaluated at Aug 20: the run Aug 17-20 is 4 days. */
	assert_int_equal(tu_apply(&p, "date=2026-08-20 " SICK), 0);
	TU_EXPECT_NONE(&p, 0);
	/* The sweep of Aug 27 sees the run Aug 17-27: 9 school days. */
	tu_sweep(&p, "2026-08-27", "2026-08-27");
	TU_EXPECT(&p, 0, {RULE_MAZL, MAZL_DURATION, "2026-08-27", "2026-08-17"});
	assert_int_equal(tu_fact(tu_signal(&p, 0), "days"), 9);
	tu_live(&p, "2026-08-28", "2026-09-04", SICK);
	assert_int_equal(p.out.n, 1);
	tu_pupil_free(&p);
}

/* A pupil freed by the teardown, so that a failing test leaks nothing. */
static int setup_fixture(void **state)
{
	struct tu_pupil *p = malloc(sizeof *p);
	assert_non_null(p);
	setup_pupil(p, NULL);
	*state = p;
	return 0;
}

static int teardown_fixture(void **state)
{
	tu_pupil_free(*state);
	free(*state);
	return 0;
}

static void test_duration_same_episode_not_raised_twice_after_correction(void **state)
{
	/* As above: the episode Aug 17-27 is raised late, on Aug 27 (days 9). */
	struct tu_pupil *p = *state;
	tu_live(p, "2026-08-17", "2026-08-19", SICK);
	tu_sweep(p, "2026-08-20", "2026-08-20");
	tu_live(p, "2026-08-21", "2026-08-26", SICK);
	tu_apply(p, "date=2026-08-27 " SICK);
	tu_apply(p, "date=2026-08-20 " SICK);
	tu_sweep(p, "2026-08-27", "2026-08-27");
	TU_EXPECT(p, 0, {RULE_MAZL, MAZL_DURATION, "2026-08-27", "2026-08-17"});
	/* Aug 27 is corrected to an authorised absence; then a late registration
	 * dated Aug 25 evaluates there: the run Aug 17-25 (7 days) is the same
	 * episode, with the same identity (mazl, duration, p1, 2026-08-17),
	 * which RULES.md raises at most once. */
	tu_apply(p, "date=2026-08-27 " AUTH);
	tu_apply(p, "date=2026-08-25 period=2 kind=late minutes=10");
	TU_EXPECT(p, 0, {RULE_MAZL, MAZL_DURATION, "2026-08-27", "2026-08-17"});
}

static void test_duration_run_extended_backwards_raises_once(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, NULL);
	tu_live(&p, "2026-08-18", "2026-08-26", SICK);
	TU_EXPECT(&p, 0, {RULE_MAZL, MAZL_DURATION, "2026-08-26", "2026-08-18"});
	/* Mon Aug 17 registered late: the run now starts Aug 17, but the signal
	 * already raised counts for the whole run. */
	tu_apply(&p, "date=2026-08-17 " SICK);
	tu_live(&p, "2026-08-27", "2026-09-04", SICK);
	assert_int_equal(p.out.n, 1);
	tu_pupil_free(&p);
}

static void test_duration_gap_filled_late_is_one_episode(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, NULL);
	tu_live(&p, "2026-08-17", "2026-08-25", SICK);
	TU_EXPECT(&p, 0, {RULE_MAZL, MAZL_DURATION, "2026-08-25", "2026-08-17"});
	tu_sweep(&p, "2026-08-26", "2026-08-26");
	tu_live(&p, "2026-08-27", "2026-08-31", SICK);
	/* Wed Aug 26 was a sick day too: one episode Aug 17..., no new signal
	 * when it reaches Sep 4 (which would be the 7th day of Aug 27-Sep 4). */
	tu_apply(&p, "date=2026-08-26 " SICK);
	tu_live(&p, "2026-09-01", "2026-09-08", SICK);
	assert_int_equal(p.out.n, 1);
	tu_pupil_free(&p);

	/* Without the late registration there are two episodes. */
	struct tu_pupil q;
	setup_pupil(&q, "q");
	tu_live(&q, "2026-08-17", "2026-08-25", SICK);
	tu_sweep(&q, "2026-08-26", "2026-08-26");
	tu_live(&q, "2026-08-27", "2026-09-04", SICK);
	TU_EXPECT(&q, 0, {RULE_MAZL, MAZL_DURATION, "2026-08-25", "2026-08-17"},
		  {RULE_MAZL, MAZL_DURATION, "2026-09-04", "2026-08-27"});
	tu_pupil_free(&q);
}

static void test_duration_late_day_bridging_into_a_raised_run(void **state)
{
	(void)state;
	/* Aug 27 - Sep 4 raised on Sep 4. Then Aug 17-25 arrive newest first
	 * (no evaluation sees 7) and Wed Aug 26 last: at Aug 26 the run Aug 17-26
	 * is 8 days, but it is one run with Aug 27 - Sep 4, which has raised. */
	struct tu_pupil p;
	setup_pupil(&p, NULL);
	tu_live(&p, "2026-08-27", "2026-09-04", SICK);
	TU_EXPECT(&p, 0, {RULE_MAZL, MAZL_DURATION, "2026-09-04", "2026-08-27"});
	tu_apply_days_rev(&p, "2026-08-17", "2026-08-25", SICK);
	assert_int_equal(tu_apply(&p, "date=2026-08-26 " SICK), 0);
	tu_live(&p, "2026-09-07", "2026-09-11", SICK);
	assert_int_equal(p.out.n, 1);
	tu_pupil_free(&p);
}

static void test_duration_never_reaches_back_before_enrolment(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, NULL);
	tu_apply(&p, "date=2026-08-24 kind=enrol");
	/* Aug 17..28: ten sick days, five of them enrolled. */
	tu_live(&p, "2026-08-17", "2026-08-28", SICK);
	TU_EXPECT_NONE(&p, 0);
	tu_live(&p, "2026-08-31", "2026-08-31", SICK);
	TU_EXPECT_NONE(&p, 0);
	tu_live(&p, "2026-09-01", "2026-09-01", SICK);
	TU_EXPECT(&p, 0, {RULE_MAZL, MAZL_DURATION, "2026-09-01", "2026-08-24"});
	assert_int_equal(tu_fact(tu_signal(&p, 0), "days"), 7);
	tu_pupil_free(&p);
}

static void test_concern_once_per_day(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, NULL);
	assert_int_equal(tu_apply(&p, "date=2026-09-01 kind=concern"), 1);
	TU_EXPECT(&p, 0, {RULE_MAZL, MAZL_CONCERN, "2026-09-01", NULL});
	/* A second concern the same day (later recorded_at): nothing. */
	assert_int_equal(tu_apply(&p, "date=2026-09-01 kind=concern"), 0);
	/* The sweep does not evaluate concern. */
	tu_apply(&p, "date=2026-09-01 " SICK);
	tu_sweep(&p, "2026-09-01", "2026-09-04");
	assert_int_equal(p.out.n, 1);
	assert_int_equal(tu_apply(&p, "date=2026-09-02 kind=concern"), 1);
	TU_EXPECT(&p, 1, {RULE_MAZL, MAZL_CONCERN, "2026-09-02", NULL});
	tu_pupil_free(&p);
}

static void test_concern_configuration_and_enrolment(void **state)
{
	(void)state;
	struct tu_pupil off;
	setup_pupil(&off, "off");
	off.rc.mazl.concern = false;
	tu_apply(&off, "date=2026-09-01 kind=concern");
	TU_EXPECT_NONE(&off, 0);
	tu_pupil_free(&off);

	/* Dated before the enrolment: counts for nothing. */
	struct tu_pupil late;
	setup_pupil(&late, "late");
	tu_apply(&late, "date=2026-09-07 kind=enrol");
	tu_apply(&late, "date=2026-09-01 kind=concern");
	TU_EXPECT_NONE(&late, 0);
	tu_apply(&late, "date=2026-09-07 kind=concern");
	TU_EXPECT(&late, 0, {RULE_MAZL, MAZL_CONCERN, "2026-09-07", NULL});
	tu_pupil_free(&late);
}

static void test_configured_thresholds(void **state)
{
	(void)state;
	/* 2 reports in 2 lesson weeks; duration 3 days. */
	struct tu_pupil p;
	setup_pupil(&p, NULL);
	p.rc.mazl.frequency_reports = 2;
	p.rc.mazl.frequency_weeks = 2;
	p.rc.mazl.duration_days = 3;
	sick_on(&p, "2026-08-17");
	TU_EXPECT_NONE(&p, 0);
	sick_on(&p, "2026-08-24");
	TU_EXPECT(&p, 0, {RULE_MAZL, MAZL_FREQUENCY, "2026-08-24", NULL});
	assert_int_equal(tu_fact(tu_signal(&p, 0), "window_weeks"), 2);
	tu_live(&p, "2026-08-25", "2026-08-25", SICK);
	assert_int_equal(p.out.n, 1);
	tu_live(&p, "2026-08-26", "2026-08-26", SICK);
	TU_EXPECT(&p, 1, {RULE_MAZL, MAZL_DURATION, "2026-08-26", "2026-08-24"});
	/* Mon Sep 7 (wk37; the window is wk36-37): one report after Aug 24. */
	sick_on(&p, "2026-09-07");
	assert_int_equal(p.out.n, 2);
	sick_on(&p, "2026-09-09");
	TU_EXPECT(&p, 2, {RULE_MAZL, MAZL_FREQUENCY, "2026-09-09", NULL});
	tu_assert_fact_date(tu_signal(&p, 2), "window_first", "2026-08-31");
	tu_pupil_free(&p);

	struct tu_pupil off;
	setup_pupil(&off, "off");
	off.rc.mazl.enabled = false;
	tu_live(&off, "2026-08-17", "2026-09-11", SICK);
	tu_apply(&off, "date=2026-09-14 kind=concern");
	TU_EXPECT_NONE(&off, 0);
	tu_pupil_free(&off);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frequency_on_the_fourth_sick_report),
		cmocka_unit_test(test_consecutive_sick_days_are_one_report),
		cmocka_unit_test(test_frequency_window_of_twelve_lesson_weeks),
		cmocka_unit_test(test_frequency_needs_four_reports_after_the_last_signal),
		cmocka_unit_test(test_frequency_only_at_registrations),
		cmocka_unit_test(test_frequency_when_lesson_hours_make_a_sick_day),
		cmocka_unit_test(test_a_tie_is_not_a_sick_day),
		cmocka_unit_test(test_frequency_reports_before_enrolment_do_not_count),
		cmocka_unit_test(test_duration_on_the_seventh_consecutive_day),
		cmocka_unit_test(test_duration_across_the_autumn_holiday),
		cmocka_unit_test(test_duration_broken_by_other_absence),
		cmocka_unit_test(test_duration_run_completed_by_a_late_registration),
		cmocka_unit_test_setup_teardown(
			test_duration_same_episode_not_raised_twice_after_correction, setup_fixture,
			teardown_fixture),
		cmocka_unit_test(test_duration_run_extended_backwards_raises_once),
		cmocka_unit_test(test_duration_gap_filled_late_is_one_episode),
		cmocka_unit_test(test_duration_late_day_bridging_into_a_raised_run),
		cmocka_unit_test(test_duration_never_reaches_back_before_enrolment),
		cmocka_unit_test(test_concern_once_per_day),
		cmocka_unit_test(test_concern_configuration_and_enrolment),
		cmocka_unit_test(test_configured_thresholds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
