/*
 * lrv and long_sick (RULES.md): the run of consecutive unauthorised (lrv) or
 * sick (long_sick) days ending at d is at least 20 (`4w`) or 65 (`3m`) school
 * days; once per run; crossing both at once raises `3m` only. Runs count
 * school days, so they continue across weekends, holidays and closed days,
 * include d itself and never reach back before the enrolment date. Period
 * key: the run's first day. Facts: run_first, days.
 *
 * School day 20 = Fri 2026-09-11; day 65 = Fri 2026-11-20 (school 01AC) or
 * Mon 2026-11-23 (school 01AB, whose study day is Nov 20).
 */
#include "testutil.h"

#include <stdlib.h>

#define UNAUTH "kind=absent authorized=no"
#define AUTH "kind=absent authorized=yes"
#define SICK "kind=sick"

static void setup_pupil(struct tu_pupil *p, const char *student, const char *school,
			enum rule_id rule)
{
	tu_pupil_init(p, student, school);
	tu_only(&p->rc, rule);
}

static void assert_run(const struct tu_pupil *p, size_t i, const char *first, int64_t days)
{
	const struct signal *s = tu_signal(p, i);
	tu_assert_fact_date(s, "run_first", first);
	assert_int_equal(tu_fact(s, "days"), days);
}

/* ---- lrv ---- */

static void test_lrv_4w_on_the_twentieth_day(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, NULL, NULL, RULE_LRV);
	tu_live(&p, "2026-08-17", "2026-09-10", UNAUTH);
	TU_EXPECT_NONE(&p, 0);
	tu_live(&p, "2026-09-11", "2026-09-11", UNAUTH);
	TU_EXPECT(&p, 0, {RULE_LRV, RUN_4W, "2026-09-11", "2026-08-17"});
	assert_run(&p, 0, "2026-08-17", 20);
	tu_live(&p, "2026-09-14", "2026-10-09", UNAUTH);
	assert_int_equal(p.out.n, 1);
	tu_pupil_free(&p);
}

static void test_lrv_run_continues_across_the_holiday(void **state)
{
	(void)state;
	/* Mon Sep 21 (day 26) .. Fri Oct 9 (day 40) = 15, Oct 19..23 = 20. */
	struct tu_pupil p;
	setup_pupil(&p, NULL, NULL, RULE_LRV);
	tu_live(&p, "2026-09-21", "2026-10-22", UNAUTH);
	TU_EXPECT_NONE(&p, 0);
	tu_live(&p, "2026-10-23", "2026-10-23", UNAUTH);
	TU_EXPECT(&p, 0, {RULE_LRV, RUN_4W, "2026-10-23", "2026-09-21"});
	assert_run(&p, 0, "2026-09-21", 20);
	tu_pupil_free(&p);
}

static void test_lrv_3m_and_a_school_study_day(void **state)
{
	(void)state;
	struct tu_pupil ac;
	setup_pupil(&ac, "ac", "01AC", RULE_LRV);
	tu_live(&ac, "2026-08-17", "2026-11-19", UNAUTH);
	TU_EXPECT(&ac, 0, {RULE_LRV, RUN_4W, "2026-09-11", "2026-08-17"});
	tu_live(&ac, "2026-11-20", "2026-11-20", UNAUTH);
	TU_EXPECT(&ac, 1, {RULE_LRV, RUN_3M, "2026-11-20", "2026-08-17"});
	assert_run(&ac, 1, "2026-08-17", 65);
	tu_live(&ac, "2026-11-23", "2026-12-18", UNAUTH);
	assert_int_equal(ac.out.n, 2);
	tu_pupil_free(&ac);

	/* 01AB is closed on Nov 20: the run continues over it. */
	struct tu_pupil ab;
	setup_pupil(&ab, "ab", "01AB", RULE_LRV);
	tu_live(&ab, "2026-08-17", "2026-11-20", UNAUTH);
	TU_EXPECT(&ab, 0, {RULE_LRV, RUN_4W, "2026-09-11", "2026-08-17"});
	tu_live(&ab, "2026-11-23", "2026-11-23", UNAUTH);
	TU_EXPECT(&ab, 1, {RULE_LRV, RUN_3M, "2026-11-23", "2026-08-17"});
	assert_run(&ab, 1, "2026-08-17", 65);
	tu_pupil_free(&ab);
}

static void test_lrv_both_levels_at_once(void **state)
{
	(void)state;
	/* 65 days registered newest first (each evaluation sees a run of one);
	 * the sweep of Nov 20 sees all 65: 3m only, 4w counts as raised. */
	struct tu_pupil p;
	setup_pupil(&p, NULL, NULL, RULE_LRV);
	assert_int_equal(tu_apply_days_rev(&p, "2026-08-17", "2026-11-20", UNAUTH), 0);
	tu_sweep(&p, "2026-11-20", "2026-11-20");
	TU_EXPECT(&p, 0, {RULE_LRV, RUN_3M, "2026-11-20", "2026-08-17"});
	assert_run(&p, 0, "2026-08-17", 65);
	tu_live(&p, "2026-11-23", "2026-12-04", UNAUTH);
	assert_int_equal(p.out.n, 1);
	tu_pupil_free(&p);
}

static void test_lrv_break_starts_a_new_run(void **state)
{
	(void)state;
	/* Authorised on Mon Sep 14; a new run from Sep 15 (day 22): its 20th day
	 * is day 41, Mon Oct 19. */
	struct tu_pupil p;
	setup_pupil(&p, NULL, NULL, RULE_LRV);
	tu_live(&p, "2026-08-17", "2026-09-11", UNAUTH);
	tu_live(&p, "2026-09-14", "2026-09-14", AUTH);
	tu_live(&p, "2026-09-15", "2026-10-09", UNAUTH);
	assert_int_equal(p.out.n, 1);
	tu_live(&p, "2026-10-19", "2026-10-19", UNAUTH);
	TU_EXPECT(&p, 0, {RULE_LRV, RUN_4W, "2026-09-11", "2026-08-17"},
		  {RULE_LRV, RUN_4W, "2026-10-19", "2026-09-15"});
	assert_run(&p, 1, "2026-09-15", 20);
	tu_pupil_free(&p);

	/* A school day without any registration (at school) breaks it too. */
	struct tu_pupil q;
	setup_pupil(&q, "q", NULL, RULE_LRV);
	tu_live(&q, "2026-08-17", "2026-09-03", UNAUTH);
	tu_sweep(&q, "2026-09-04", "2026-09-04");
	tu_live(&q, "2026-09-07", "2026-09-18", UNAUTH);
	TU_EXPECT_NONE(&q, 0);
	tu_pupil_free(&q);
}

static void test_lrv_unauthorised_day(void **state)
{
	(void)state;
	/* 3-day runs; the middle day (Aug 18) varies. */
	static const struct {
		const char *student;
		const char *regs[2];
		bool due;
	} cases[] = {
		{"whole", {"period=0 " UNAUTH, NULL}, true},
		{"hours4", {"period=1 minutes=200 " UNAUTH, NULL}, true},
		{"hours3", {"period=1 minutes=179 " UNAUTH, NULL}, false},
		{"tie", {"period=1 minutes=180 " UNAUTH, "period=2 minutes=180 kind=sick"}, false},
		{"majority",
		 {"period=1 minutes=181 " UNAUTH, "period=2 minutes=179 kind=sick"},
		 true},
		{"auth", {"period=0 " AUTH, NULL}, false},
		{"late", {"period=0 kind=late minutes=360", NULL}, false},
		{"sick_no", {"period=0 kind=sick authorized=no", NULL}, false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct tu_pupil p;
		setup_pupil(&p, cases[i].student, NULL, RULE_LRV);
		p.rc.lrv.days_4w = 3;
		p.rc.lrv.days_3m = 5;
		tu_apply(&p, "date=2026-08-17 " UNAUTH);
		for (int r = 0; r < 2 && cases[i].regs[r]; r++)
			tu_apply(&p, "date=2026-08-18 %s", cases[i].regs[r]);
		tu_apply(&p, "date=2026-08-19 " UNAUTH);
		tu_sweep(&p, "2026-08-17", "2026-08-21");
		if (cases[i].due) {
			TU_EXPECT(&p, 0, {RULE_LRV, RUN_4W, "2026-08-19", "2026-08-17"});
			assert_run(&p, 0, "2026-08-17", 3);
		} else {
			TU_EXPECT_NONE(&p, 0);
		}
		tu_pupil_free(&p);
	}
}

static void test_lrv_run_starts_at_enrolment(void **state)
{
	(void)state;
	/* Enrolled Mon Aug 24 (day 6): the 20th enrolled day is day 25, Sep 18. */
	struct tu_pupil p;
	setup_pupil(&p, NULL, NULL, RULE_LRV);
	tu_apply(&p, "date=2026-08-24 kind=enrol");
	tu_live(&p, "2026-08-17", "2026-09-17", UNAUTH);
	TU_EXPECT_NONE(&p, 0);
	tu_live(&p, "2026-09-18", "2026-09-18", UNAUTH);
	TU_EXPECT(&p, 0, {RULE_LRV, RUN_4W, "2026-09-18", "2026-08-24"});
	assert_run(&p, 0, "2026-08-24", 20);
	tu_pupil_free(&p);
}

static void test_lrv_run_completed_by_a_late_registration(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, NULL, NULL, RULE_LRV);
	tu_live(&p, "2026-08-17", "2026-08-25", UNAUTH);
	tu_sweep(&p, "2026-08-26", "2026-08-26");
	tu_live(&p, "2026-08-27", "2026-09-11", UNAUTH);
	TU_EXPECT_NONE(&p, 0);
	/* On Mon Sep 14: Sep 14 registered, then Wed Aug 26 late. */
	tu_apply(&p, "date=2026-09-14 " UNAUTH);
	assert_int_equal(tu_apply(&p, "date=2026-08-26 " UNAUTH), 0);
	TU_EXPECT_NONE(&p, 0);
	tu_sweep(&p, "2026-09-14", "2026-09-14");
	TU_EXPECT(&p, 0, {RULE_LRV, RUN_4W, "2026-09-14", "2026-08-17"});
	assert_run(&p, 0, "2026-08-17", 21);
	tu_pupil_free(&p);
}

static void test_lrv_late_day_bridging_into_a_raised_run(void **state)
{
	(void)state;
	/* 5-day levels. Aug 24-28 raised on Aug 28; Aug 17-20 arrive newest
	 * first, then Fri Aug 21: at Aug 21 the run Aug 17-21 is 5 days, but it
	 * is one run with Aug 24-28, which has raised. */
	struct tu_pupil p;
	setup_pupil(&p, NULL, NULL, RULE_LRV);
	p.rc.lrv.days_4w = 5;
	p.rc.lrv.days_3m = 65;
	tu_live(&p, "2026-08-24", "2026-08-28", UNAUTH);
	TU_EXPECT(&p, 0, {RULE_LRV, RUN_4W, "2026-08-28", "2026-08-24"});
	tu_apply_days_rev(&p, "2026-08-17", "2026-08-20", UNAUTH);
	assert_int_equal(tu_apply(&p, "date=2026-08-21 " UNAUTH), 0);
	tu_live(&p, "2026-08-31", "2026-09-04", UNAUTH);
	assert_int_equal(p.out.n, 1);
	tu_pupil_free(&p);
}

static void test_lrv_3m_counts_for_4w_after_a_correction(void **state)
{
	(void)state;
	/* 3m raised at once on Nov 20 (4w counts as raised). Thu Oct 1 is then
	 * corrected: the run Oct 2 - Nov 23 (32 days) holds the day 3m was raised
	 * on, so its 4w counts as raised too. */
	struct tu_pupil p;
	setup_pupil(&p, NULL, NULL, RULE_LRV);
	tu_apply_days_rev(&p, "2026-08-17", "2026-11-20", UNAUTH);
	tu_sweep(&p, "2026-11-20", "2026-11-20");
	TU_EXPECT(&p, 0, {RULE_LRV, RUN_3M, "2026-11-20", "2026-08-17"});
	tu_apply(&p, "date=2026-10-01 kind=present");
	tu_live(&p, "2026-11-23", "2026-11-27", UNAUTH);
	assert_int_equal(p.out.n, 1);
	tu_pupil_free(&p);
}

/* An lrv pupil freed by the teardown, so that a failing test leaks nothing. */
static int setup_lrv_fixture(void **state)
{
	struct tu_pupil *p = malloc(sizeof *p);
	assert_non_null(p);
	setup_pupil(p, NULL, NULL, RULE_LRV);
	*state = p;
	return 0;
}

static int teardown_fixture(void **state)
{
	tu_pupil_free(*state);
	free(*state);
	return 0;
}

static void test_lrv_same_run_not_raised_twice_after_correction(void **state)
{
	/* The run Aug 17 - Sep 14 is raised late, at the sweep of Sep 14. */
	struct tu_pupil *p = *state;
	tu_live(p, "2026-08-17", "2026-08-25", UNAUTH);
	tu_sweep(p, "2026-08-26", "2026-08-26");
	tu_live(p, "2026-08-27", "2026-09-11", UNAUTH);
	tu_apply(p, "date=2026-09-14 " UNAUTH);
	tu_apply(p, "date=2026-08-26 " UNAUTH);
	tu_sweep(p, "2026-09-14", "2026-09-14");
	TU_EXPECT(p, 0, {RULE_LRV, RUN_4W, "2026-09-14", "2026-08-17"});
	/* Sep 14 is corrected (authorised); a late registration dated Sep 11
	 * evaluates the run Aug 17 - Sep 11 (20 days): the same run, the same
	 * identity (lrv, 4w, p1, 2026-08-17), raised at most once. */
	tu_apply(p, "date=2026-09-14 " AUTH);
	tu_apply(p, "date=2026-09-11 period=3 kind=late minutes=10");
	TU_EXPECT(p, 0, {RULE_LRV, RUN_4W, "2026-09-14", "2026-08-17"});
}

static void test_lrv_configured(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, NULL, NULL, RULE_LRV);
	p.rc.lrv.days_4w = 5;
	p.rc.lrv.days_3m = 10;
	tu_live(&p, "2026-08-17", "2026-08-20", UNAUTH);
	TU_EXPECT_NONE(&p, 0);
	tu_live(&p, "2026-08-21", "2026-08-27", UNAUTH);
	TU_EXPECT(&p, 0, {RULE_LRV, RUN_4W, "2026-08-21", "2026-08-17"});
	tu_live(&p, "2026-08-28", "2026-09-04", UNAUTH);
	TU_EXPECT(&p, 1, {RULE_LRV, RUN_3M, "2026-08-28", "2026-08-17"});
	assert_run(&p, 1, "2026-08-17", 10);
	tu_pupil_free(&p);

	struct tu_pupil off;
	setup_pupil(&off, "off", NULL, RULE_LRV);
	off.rc.lrv.enabled = false;
	tu_live(&off, "2026-08-17", "2026-09-30", UNAUTH);
	TU_EXPECT_NONE(&off, 0);
	tu_pupil_free(&off);
}

/* ---- long_sick ---- */

static void test_long_sick_4w_across_christmas(void **state)
{
	(void)state;
	/* Mon Dec 7 (day 76) .. Fri Dec 18 = 10, Jan 4..15 = 20. */
	struct tu_pupil p;
	setup_pupil(&p, NULL, NULL, RULE_LONG_SICK);
	tu_live(&p, "2026-12-07", "2027-01-14", SICK);
	TU_EXPECT_NONE(&p, 0);
	tu_live(&p, "2027-01-15", "2027-01-15", SICK);
	TU_EXPECT(&p, 0, {RULE_LONG_SICK, RUN_4W, "2027-01-15", "2026-12-07"});
	assert_run(&p, 0, "2026-12-07", 20);
	tu_pupil_free(&p);
}

static void test_long_sick_4w_and_3m(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, NULL, NULL, RULE_LONG_SICK);
	tu_live(&p, "2026-08-17", "2026-11-19", SICK);
	TU_EXPECT(&p, 0, {RULE_LONG_SICK, RUN_4W, "2026-09-11", "2026-08-17"});
	tu_live(&p, "2026-11-20", "2026-12-18", SICK);
	TU_EXPECT(&p, 1, {RULE_LONG_SICK, RUN_3M, "2026-11-20", "2026-08-17"});
	assert_run(&p, 1, "2026-08-17", 65);
	tu_pupil_free(&p);
}

static void test_long_sick_both_levels_at_once(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, NULL, NULL, RULE_LONG_SICK);
	tu_apply_days_rev(&p, "2026-08-17", "2026-11-23", SICK);
	TU_EXPECT_NONE(&p, 0);
	tu_sweep(&p, "2026-11-23", "2026-11-23");
	TU_EXPECT(&p, 0, {RULE_LONG_SICK, RUN_3M, "2026-11-23", "2026-08-17"});
	assert_run(&p, 0, "2026-08-17", 66);
	tu_pupil_free(&p);
}

static void test_long_sick_day_needs_a_sick_majority(void **state)
{
	(void)state;
	static const struct {
		const char *student;
		const char *regs[2];
		bool due;
	} cases[] = {
		{"hours4", {"period=1 minutes=200 " SICK, NULL}, true},
		{"hours3", {"period=1 minutes=179 " SICK, NULL}, false},
		{"tie", {"period=1 minutes=180 " SICK, "period=2 minutes=180 " AUTH}, false},
		{"majority", {"period=1 minutes=181 " SICK, "period=2 minutes=179 " AUTH}, true},
		{"unauth", {"period=0 " UNAUTH, NULL}, false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct tu_pupil p;
		setup_pupil(&p, cases[i].student, NULL, RULE_LONG_SICK);
		p.rc.long_sick.days_4w = 3;
		p.rc.long_sick.days_3m = 5;
		tu_apply(&p, "date=2026-08-17 " SICK);
		for (int r = 0; r < 2 && cases[i].regs[r]; r++)
			tu_apply(&p, "date=2026-08-18 %s", cases[i].regs[r]);
		tu_apply(&p, "date=2026-08-19 " SICK);
		tu_sweep(&p, "2026-08-17", "2026-08-21");
		if (cases[i].due) {
			TU_EXPECT(&p, 0, {RULE_LONG_SICK, RUN_4W, "2026-08-19", "2026-08-17"});
		} else {
			TU_EXPECT_NONE(&p, 0);
		}
		tu_pupil_free(&p);
	}
}

static void test_long_sick_correction_stands_and_new_run(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, NULL, NULL, RULE_LONG_SICK);
	tu_live(&p, "2026-08-17", "2026-09-11", SICK);
	TU_EXPECT(&p, 0, {RULE_LONG_SICK, RUN_4W, "2026-09-11", "2026-08-17"});
	/* Sep 11 was a mistake: the signal stands. */
	tu_apply(&p, "date=2026-09-11 kind=present");
	tu_sweep(&p, "2026-09-11", "2026-09-11");
	assert_int_equal(p.out.n, 1);
	/* A new run from Mon Sep 14 (day 21); its 20th day is Fri Oct 9. */
	tu_live(&p, "2026-09-14", "2026-10-08", SICK);
	assert_int_equal(p.out.n, 1);
	tu_live(&p, "2026-10-09", "2026-10-09", SICK);
	TU_EXPECT(&p, 1, {RULE_LONG_SICK, RUN_4W, "2026-10-09", "2026-09-14"});
	tu_pupil_free(&p);
}

static void test_long_sick_run_extended_backwards_raises_once(void **state)
{
	(void)state;
	/* Aug 18 (day 2) .. Sep 14 (day 21) = 20 days. */
	struct tu_pupil p;
	setup_pupil(&p, NULL, NULL, RULE_LONG_SICK);
	tu_live(&p, "2026-08-18", "2026-09-14", SICK);
	TU_EXPECT(&p, 0, {RULE_LONG_SICK, RUN_4W, "2026-09-14", "2026-08-18"});
	tu_apply(&p, "date=2026-08-17 " SICK);
	tu_live(&p, "2026-09-15", "2026-10-09", SICK);
	assert_int_equal(p.out.n, 1);
	tu_pupil_free(&p);
}

static void test_sick_and_unauthorised_runs_do_not_combine(void **state)
{
	(void)state;
	struct tu_pupil p;
	tu_pupil_init(&p, NULL, NULL);
	tu_only(&p.rc, RULE_LRV);
	p.rc.long_sick.enabled = true;
	/* 10 sick days then 10 unauthorised days. */
	tu_live(&p, "2026-08-17", "2026-08-28", SICK);
	tu_live(&p, "2026-08-31", "2026-09-11", UNAUTH);
	tu_sweep(&p, "2026-09-14", "2026-09-18");
	TU_EXPECT_NONE(&p, 0);
	tu_pupil_free(&p);
}

static void test_long_sick_configured(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, NULL, NULL, RULE_LONG_SICK);
	p.rc.long_sick.days_4w = 2;
	p.rc.long_sick.days_3m = 4;
	tu_live(&p, "2026-08-17", "2026-08-17", SICK);
	TU_EXPECT_NONE(&p, 0);
	tu_live(&p, "2026-08-18", "2026-08-19", SICK);
	TU_EXPECT(&p, 0, {RULE_LONG_SICK, RUN_4W, "2026-08-18", "2026-08-17"});
	tu_live(&p, "2026-08-20", "2026-08-21", SICK);
	TU_EXPECT(&p, 1, {RULE_LONG_SICK, RUN_3M, "2026-08-20", "2026-08-17"});
	tu_pupil_free(&p);

	struct tu_pupil off;
	setup_pupil(&off, "off", NULL, RULE_LONG_SICK);
	off.rc.long_sick.enabled = false;
	tu_live(&off, "2026-08-17", "2026-09-30", SICK);
	TU_EXPECT_NONE(&off, 0);
	tu_pupil_free(&off);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lrv_4w_on_the_twentieth_day),
		cmocka_unit_test(test_lrv_run_continues_across_the_holiday),
		cmocka_unit_test(test_lrv_3m_and_a_school_study_day),
		cmocka_unit_test(test_lrv_both_levels_at_once),
		cmocka_unit_test(test_lrv_break_starts_a_new_run),
		cmocka_unit_test(test_lrv_unauthorised_day),
		cmocka_unit_test(test_lrv_run_starts_at_enrolment),
		cmocka_unit_test(test_lrv_run_completed_by_a_late_registration),
		cmocka_unit_test(test_lrv_late_day_bridging_into_a_raised_run),
		cmocka_unit_test(test_lrv_3m_counts_for_4w_after_a_correction),
		cmocka_unit_test_setup_teardown(test_lrv_same_run_not_raised_twice_after_correction,
						setup_lrv_fixture, teardown_fixture),
		cmocka_unit_test(test_lrv_configured),
		cmocka_unit_test(test_long_sick_4w_across_christmas),
		cmocka_unit_test(test_long_sick_4w_and_3m),
		cmocka_unit_test(test_long_sick_both_levels_at_once),
		cmocka_unit_test(test_long_sick_day_needs_a_sick_majority),
		cmocka_unit_test(test_long_sick_correction_stands_and_new_run),
		cmocka_unit_test(test_long_sick_run_extended_backwards_raises_once),
		cmocka_unit_test(test_sick_and_unauthorised_runs_do_not_combine),
		cmocka_unit_test(test_long_sick_configured),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
