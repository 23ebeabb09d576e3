/*
 * leerplicht_16u (RULES.md): at d, over the school days of the last 4 lesson
 * weeks up to d and after the end of the previous report, the unauthorised
 * minutes (absent authorized=no plus late not authorised) reach 960. Facts:
 * start (first day with unauthorised minutes in the span), end = d, minutes.
 * Two reports at least 7 calendar days apart: a threshold reached sooner is
 * reported at the first evaluation 7 days after the previous end, with the
 * span as it is then. Pupils aged 18 or more only if report_18plus. Period
 * key: the end date. A day's unauthorised minutes count at most 360.
 */
#include "testutil.h"

#define UNAUTH "kind=absent authorized=no"
#define AUTH "kind=absent authorized=yes"
#define SICK "kind=sick"

/* A po pupil (threshold 960) unless the test says otherwise. */
static void setup_pupil(struct tu_pupil *p, const char *student)
{
	tu_pupil_init(p, student, NULL);
	tu_only(&p->rc, RULE_LEERPLICHT_16U);
	snprintf(p->extra, sizeof p->extra, "sector=po");
}

static void set_minutes(struct rules_config *rc, int minutes)
{
	for (int s = 0; s < SECTOR_COUNT; s++)
		rc->leerplicht_16u.minutes[s] = minutes;
}

static void assert_report(const struct tu_pupil *p, size_t i, const char *start,
			  const char *end, int64_t minutes)
{
	const struct signal *s = tu_signal(p, i);
	assert_int_equal(s->rule, RULE_LEERPLICHT_16U);
	assert_int_equal(s->level, LEVEL_NONE);
	tu_assert_fact_date(s, "start", start);
	tu_assert_fact_date(s, "end", end);
	assert_int_equal(tu_fact(s, "minutes"), minutes);
	assert_int_equal(s->date, tu_date(end));
	assert_int_equal(s->period_key, tu_date(end));
}

static void test_reaches_960_minutes(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, NULL);
	tu_live(&p, "2026-08-17", "2026-08-18", UNAUTH);
	/* 360 + 360 + 239 = 959. */
	tu_apply(&p, "date=2026-08-19 minutes=239 " UNAUTH);
	tu_sweep(&p, "2026-08-19", "2026-08-19");
	TU_EXPECT_NONE(&p, 0);
	/* One late minute: 960. */
	assert_int_equal(tu_apply(&p, "date=2026-08-19 period=2 kind=late minutes=1"), 1);
	TU_EXPECT(&p, 0, {RULE_LEERPLICHT_16U, LEVEL_NONE, "2026-08-19", NULL});
	assert_report(&p, 0, "2026-08-17", "2026-08-19", 960);
	tu_sweep(&p, "2026-08-20", "2026-09-04");
	assert_int_equal(p.out.n, 1);
	tu_pupil_free(&p);
}

static void test_only_unauthorised_minutes_count(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, NULL);
	/* sick is always authorised, whatever its `authorized` field says. */
	tu_live(&p, "2026-08-17", "2026-08-21", SICK " authorized=no");
	tu_live(&p, "2026-08-24", "2026-08-28", AUTH);
	tu_live(&p, "2026-08-31", "2026-09-11", "kind=late authorized=yes minutes=120");
	tu_sweep(&p, "2026-09-14", "2026-09-18");
	TU_EXPECT_NONE(&p, 0);
	tu_pupil_free(&p);
}

static void test_late_minutes_count(void **state)
{
	(void)state;
	/* 120 late minutes a day: 840 on the 7th day (Aug 25), 960 on Aug 26. */
	struct tu_pupil p;
	setup_pupil(&p, NULL);
	tu_live(&p, "2026-08-17", "2026-08-25", "kind=late minutes=120");
	TU_EXPECT_NONE(&p, 0);
	tu_live(&p, "2026-08-26", "2026-08-26", "kind=late minutes=120");
	TU_EXPECT(&p, 0, {RULE_LEERPLICHT_16U, LEVEL_NONE, "2026-08-26", NULL});
	assert_report(&p, 0, "2026-08-17", "2026-08-26", 960);
	tu_pupil_free(&p);
}

static void test_lesson_hours(void **state)
{
	(void)state;
	/* Six unauthorised hours (300 minutes) on Aug 17, 18, 19: 900. */
	struct tu_pupil p;
	setup_pupil(&p, NULL);
	for (int d = 17; d <= 19; d++)
		for (int h = 1; h <= 6; h++)
			tu_apply(&p, "date=2026-08-%02d period=%d " UNAUTH, d, h);
	assert_int_equal(tu_apply(&p, "date=2026-08-20 period=1 " UNAUTH), 0);
	assert_int_equal(tu_apply(&p, "date=2026-08-20 period=2 " UNAUTH), 1);
	TU_EXPECT(&p, 0, {RULE_LEERPLICHT_16U, LEVEL_NONE, "2026-08-20", NULL});
	assert_report(&p, 0, "2026-08-17", "2026-08-20", 1000);
	tu_pupil_free(&p);
}

static void test_a_day_counts_at_most_a_whole_day(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, NULL);
	/* Whole day unauthorised plus 100 late minutes: 360 for the day. */
	for (int d = 17; d <= 18; d++) {
		tu_apply(&p, "date=2026-08-%02d " UNAUTH, d);
		tu_apply(&p, "date=2026-08-%02d period=1 kind=late minutes=100", d);
	}
	tu_apply(&p, "date=2026-08-19 minutes=239 " UNAUTH);
	tu_sweep(&p, "2026-08-17", "2026-08-19");
	TU_EXPECT_NONE(&p, 0);
	assert_int_equal(tu_apply(&p, "date=2026-08-19 period=1 kind=late minutes=1"), 1);
	assert_report(&p, 0, "2026-08-17", "2026-08-19", 960);
	tu_pupil_free(&p);
}

static void test_four_lesson_weeks_skip_the_holiday(void **state)
{
	(void)state;
	/* At Fri Oct 30 (wk44) the 4 lesson weeks are wk44, 43, 41, 40
	 * (Sep 28 - Oct 30; wk42 is the autumn holiday). */
	struct tu_pupil a;
	setup_pupil(&a, "a");
	tu_live(&a, "2026-09-28", "2026-09-28", UNAUTH);
	tu_live(&a, "2026-10-05", "2026-10-05", UNAUTH);
	tu_sweep(&a, "2026-10-06", "2026-10-29");
	TU_EXPECT_NONE(&a, 0);
	tu_apply(&a, "date=2026-10-30 minutes=240 " UNAUTH);
	TU_EXPECT(&a, 0, {RULE_LEERPLICHT_16U, LEVEL_NONE, "2026-10-30", NULL});
	assert_report(&a, 0, "2026-09-28", "2026-10-30", 960);
	tu_pupil_free(&a);

	/* Mon Sep 21 (wk39) lies outside the window at Oct 30. */
	struct tu_pupil b;
	setup_pupil(&b, "b");
	tu_live(&b, "2026-09-21", "2026-09-21", UNAUTH);
	tu_live(&b, "2026-10-05", "2026-10-05", UNAUTH);
	tu_apply(&b, "date=2026-10-30 minutes=240 " UNAUTH);
	tu_sweep(&b, "2026-09-22", "2026-11-06");
	TU_EXPECT_NONE(&b, 0);
	tu_pupil_free(&b);

	/* At Mon Nov 2 (wk45) the window is wk45, 44, 43, 41: Sep 28 is out. */
	struct tu_pupil c;
	setup_pupil(&c, "c");
	tu_live(&c, "2026-09-28", "2026-09-28", UNAUTH);
	tu_live(&c, "2026-10-05", "2026-10-05", UNAUTH);
	tu_apply(&c, "date=2026-11-02 minutes=240 " UNAUTH);
	tu_sweep(&c, "2026-09-29", "2026-11-30");
	TU_EXPECT_NONE(&c, 0);
	tu_pupil_free(&c);
}

static void test_next_report_at_least_seven_days_after(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, NULL);
	tu_live(&p, "2026-08-17", "2026-08-19", UNAUTH);
	TU_EXPECT(&p, 0, {RULE_LEERPLICHT_16U, LEVEL_NONE, "2026-08-19", NULL});
	assert_report(&p, 0, "2026-08-17", "2026-08-19", 1080);
	/* Counting restarts on Aug 20: Aug 20, 21, 24 reach 1080 on Aug 24, only
	 * 5 days after Aug 19; Aug 25 is 6 days after. */
	tu_live(&p, "2026-08-20", "2026-08-24", UNAUTH);
	tu_sweep(&p, "2026-08-25", "2026-08-25");
	assert_int_equal(p.out.n, 1);
	/* Wed Aug 26: 7 days after, with the span as it is then. */
	tu_sweep(&p, "2026-08-26", "2026-08-26");
	TU_EXPECT(&p, 1, {RULE_LEERPLICHT_16U, LEVEL_NONE, "2026-08-26", NULL});
	assert_report(&p, 1, "2026-08-20", "2026-08-26", 1080);
	/* Aug 27, 28: 720 after Aug 26: nothing. */
	tu_live(&p, "2026-08-27", "2026-08-28", UNAUTH);
	tu_sweep(&p, "2026-08-31", "2026-09-11");
	assert_int_equal(p.out.n, 2);
	tu_pupil_free(&p);
}

static void test_continuous_absence_reported_weekly(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, NULL);
	tu_live(&p, "2026-08-17", "2026-09-04", UNAUTH);
	TU_EXPECT(&p, 0, {RULE_LEERPLICHT_16U, LEVEL_NONE, "2026-08-19", NULL},
		  {RULE_LEERPLICHT_16U, LEVEL_NONE, "2026-08-26", NULL},
		  {RULE_LEERPLICHT_16U, LEVEL_NONE, "2026-09-02", NULL});
	assert_report(&p, 0, "2026-08-17", "2026-08-19", 1080);
	/* Aug 20, 21, 24, 25, 26. */
	assert_report(&p, 1, "2026-08-20", "2026-08-26", 1800);
	/* Aug 27, 28, 31, Sep 1, 2. */
	assert_report(&p, 2, "2026-08-27", "2026-09-02", 1800);
	tu_pupil_free(&p);
}

static void test_a_later_report_after_a_quiet_week(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, NULL);
	tu_live(&p, "2026-08-17", "2026-08-19", UNAUTH);
	tu_sweep(&p, "2026-08-20", "2026-08-26");
	tu_live(&p, "2026-08-27", "2026-08-28", UNAUTH);
	assert_int_equal(p.out.n, 1);
	tu_live(&p, "2026-08-31", "2026-08-31", UNAUTH);
	TU_EXPECT(&p, 1, {RULE_LEERPLICHT_16U, LEVEL_NONE, "2026-08-31", NULL});
	assert_report(&p, 1, "2026-08-27", "2026-08-31", 1080);
	tu_pupil_free(&p);
}

static void test_eighteen_year_olds(void **state)
{
	(void)state;
	/* 18 on Aug 26 itself: skipped. */
	struct tu_pupil a;
	setup_pupil(&a, "a");
	snprintf(a.extra, sizeof a.extra, "sector=po birth_date=2008-08-26");
	tu_live(&a, "2026-08-24", "2026-08-26", UNAUTH);
	tu_sweep(&a, "2026-08-27", "2026-09-11");
	TU_EXPECT_NONE(&a, 0);
	tu_pupil_free(&a);

	/* 18 the day after: still reported. */
	struct tu_pupil b;
	setup_pupil(&b, "b");
	snprintf(b.extra, sizeof b.extra, "sector=po birth_date=2008-08-27");
	tu_live(&b, "2026-08-24", "2026-08-26", UNAUTH);
	TU_EXPECT(&b, 0, {RULE_LEERPLICHT_16U, LEVEL_NONE, "2026-08-26", NULL});
	assert_int_equal(tu_signal(&b, 0)->age, 17);
	tu_pupil_free(&b);

	/* report_18plus. */
	struct tu_pupil c;
	setup_pupil(&c, "c");
	c.rc.leerplicht_16u.report_18plus = true;
	snprintf(c.extra, sizeof c.extra, "sector=po birth_date=2008-08-26");
	tu_live(&c, "2026-08-24", "2026-08-26", UNAUTH);
	TU_EXPECT(&c, 0, {RULE_LEERPLICHT_16U, LEVEL_NONE, "2026-08-26", NULL});
	assert_int_equal(tu_signal(&c, 0)->age, 18);
	tu_pupil_free(&c);

	/* The birth date known from an earlier registration only. */
	struct tu_pupil d;
	setup_pupil(&d, "d");
	tu_apply(&d, "date=2026-08-17 kind=enrol birth_date=2008-01-31");
	tu_live(&d, "2026-08-24", "2026-08-28", UNAUTH);
	TU_EXPECT_NONE(&d, 0);
	tu_pupil_free(&d);
}

static void test_late_registration_completes_the_hours(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, NULL);
	tu_live(&p, "2026-08-24", "2026-08-24", UNAUTH);
	tu_sweep(&p, "2026-08-25", "2026-08-25");
	tu_live(&p, "2026-08-26", "2026-08-26", UNAUTH);
	/* On Aug 27, Aug 25 arrives: at Aug 25 only 720 (Aug 26 is after it). */
	assert_int_equal(tu_apply(&p, "date=2026-08-25 " UNAUTH), 0);
	TU_EXPECT_NONE(&p, 0);
	tu_sweep(&p, "2026-08-27", "2026-08-27");
	TU_EXPECT(&p, 0, {RULE_LEERPLICHT_16U, LEVEL_NONE, "2026-08-27", NULL});
	assert_report(&p, 0, "2026-08-24", "2026-08-27", 1080);
	tu_pupil_free(&p);
}

static void test_corrections(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, NULL);
	tu_live(&p, "2026-08-17", "2026-08-18", UNAUTH);
	/* Aug 18 was authorised after all. */
	tu_apply(&p, "date=2026-08-18 " AUTH);
	tu_apply(&p, "date=2026-08-19 minutes=240 " UNAUTH);
	tu_sweep(&p, "2026-08-19", "2026-08-19");
	TU_EXPECT_NONE(&p, 0);
	/* 360 + 240 + 360. */
	tu_live(&p, "2026-08-20", "2026-08-20", UNAUTH);
	TU_EXPECT(&p, 0, {RULE_LEERPLICHT_16U, LEVEL_NONE, "2026-08-20", NULL});
	assert_report(&p, 0, "2026-08-17", "2026-08-20", 960);
	/* A later `present` for Aug 20 does not withdraw the report. */
	tu_apply(&p, "date=2026-08-20 kind=present");
	tu_sweep(&p, "2026-08-20", "2026-09-04");
	assert_int_equal(p.out.n, 1);
	tu_pupil_free(&p);
}

static void test_configured_thresholds(void **state)
{
	(void)state;
	/* 600 minutes in 2 lesson weeks, reports 14 days apart. */
	struct tu_rc_case {
		const char *student;
		const char *second;
		const char *minutes;
		bool due;
	} cases[] = {
		/* Aug 24 (wk35): window wk34-35. */
		{"a", "2026-08-24", "240", true},
		{"b", "2026-08-24", "239", false},
		/* Aug 31 (wk36): window wk35-36, Aug 17 out. */
		{"c", "2026-08-31", "240", false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct tu_pupil p;
		setup_pupil(&p, cases[i].student);
		set_minutes(&p.rc, 600);
		p.rc.leerplicht_16u.weeks = 2;
		p.rc.leerplicht_16u.min_gap_days = 14;
		tu_apply(&p, "date=2026-08-17 " UNAUTH);
		tu_apply(&p, "date=%s minutes=%s " UNAUTH, cases[i].second, cases[i].minutes);
		tu_sweep(&p, "2026-08-17", "2026-09-04");
		if (cases[i].due) {
			TU_EXPECT(&p, 0, {RULE_LEERPLICHT_16U, LEVEL_NONE, "2026-08-24", NULL});
			assert_report(&p, 0, "2026-08-17", "2026-08-24", 600);
		} else {
			TU_EXPECT_NONE(&p, 0);
		}
		tu_pupil_free(&p);
	}

	/* After a report on Aug 24, absent every day from Aug 25: the next
	 * report waits until Sep 7 (14 days), with the span of wk36-37. */
	struct tu_pupil g;
	setup_pupil(&g, "g");
	set_minutes(&g.rc, 600);
	g.rc.leerplicht_16u.weeks = 2;
	g.rc.leerplicht_16u.min_gap_days = 14;
	tu_apply(&g, "date=2026-08-17 " UNAUTH);
	tu_live(&g, "2026-08-24", "2026-08-24", "minutes=240 " UNAUTH);
	TU_EXPECT(&g, 0, {RULE_LEERPLICHT_16U, LEVEL_NONE, "2026-08-24", NULL});
	tu_live(&g, "2026-08-25", "2026-09-04", UNAUTH);
	assert_int_equal(g.out.n, 1);
	tu_live(&g, "2026-09-07", "2026-09-07", UNAUTH);
	TU_EXPECT(&g, 1, {RULE_LEERPLICHT_16U, LEVEL_NONE, "2026-09-07", NULL});
	/* Aug 31 - Sep 4 and Sep 7. */
	assert_report(&g, 1, "2026-08-31", "2026-09-07", 2160);
	tu_pupil_free(&g);

	struct tu_pupil off;
	setup_pupil(&off, "off");
	off.rc.leerplicht_16u.enabled = false;
	tu_live(&off, "2026-08-17", "2026-09-04", UNAUTH);
	TU_EXPECT_NONE(&off, 0);
	tu_pupil_free(&off);
}

/* v2: 16 hours per sector: po and so 960 clock minutes, vo and vso 800
 * (16 lessons of 50 minutes), mbo 960. At each threshold minus one minute
 * nothing; one late minute more reaches it. */
static void test_sector_thresholds(void **state)
{
	(void)state;
	static const struct {
		const char *sector;
		int threshold;
	} cases[] = {
		{"po", 960}, {"so", 960}, {"vo", 800}, {"vso", 800}, {"mbo", 960},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct tu_pupil p;
		setup_pupil(&p, cases[i].sector);
		snprintf(p.extra, sizeof p.extra, "sector=%s", cases[i].sector);
		tu_live(&p, "2026-08-17", "2026-08-18", UNAUTH);
		/* 720 + (threshold - 721) = threshold - 1: 799 or 959 */
		tu_apply(&p, "date=2026-08-19 minutes=%d " UNAUTH, cases[i].threshold - 721);
		tu_sweep(&p, "2026-08-19", "2026-08-19");
		TU_EXPECT_NONE(&p, 0);
		assert_int_equal(tu_apply(&p, "date=2026-08-19 period=2 kind=late minutes=1"), 1);
		TU_EXPECT(&p, 0, {RULE_LEERPLICHT_16U, LEVEL_NONE, "2026-08-19", NULL});
		assert_report(&p, 0, "2026-08-17", "2026-08-19", cases[i].threshold);
		assert_int_equal(tu_fact(tu_signal(&p, 0), "threshold_minutes"),
				 cases[i].threshold);
		tu_pupil_free(&p);
	}

	/* A configured threshold for one sector leaves the others alone. */
	struct tu_pupil v;
	setup_pupil(&v, "v");
	snprintf(v.extra, sizeof v.extra, "sector=vo");
	v.rc.leerplicht_16u.minutes[SECTOR_VO] = 700;
	tu_live(&v, "2026-08-17", "2026-08-18", UNAUTH);
	TU_EXPECT(&v, 0, {RULE_LEERPLICHT_16U, LEVEL_NONE, "2026-08-18", NULL});
	tu_pupil_free(&v);
	struct tu_pupil w;
	setup_pupil(&w, "w");
	snprintf(w.extra, sizeof w.extra, "sector=vso");
	w.rc.leerplicht_16u.minutes[SECTOR_VO] = 700;
	tu_live(&w, "2026-08-17", "2026-08-18", UNAUTH);
	TU_EXPECT_NONE(&w, 0);
	tu_pupil_free(&w);
}

/* The sector is the pupil's, from the latest enrol: a vo pupil whose first
 * registrations came from a po school is counted against 800. */
static void test_sector_follows_the_enrolment(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, NULL);
	snprintf(p.extra, sizeof p.extra, "sector=po");
	tu_apply(&p, "date=2026-08-17 " UNAUTH);
	tu_apply(&p, "date=2026-08-18 " UNAUTH);
	p.extra[0] = '\0';
	tu_apply(&p, "date=2026-08-17 kind=enrol sector=vo school=02CD");
	assert_int_equal(p.st.sector, SECTOR_VO);
	assert_int_equal(tu_apply(&p, "date=2026-08-19 minutes=80 " UNAUTH " school=02CD sector=vo"),
			 1);
	assert_report(&p, 0, "2026-08-17", "2026-08-19", 800);
	tu_pupil_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reaches_960_minutes),
		cmocka_unit_test(test_only_unauthorised_minutes_count),
		cmocka_unit_test(test_late_minutes_count),
		cmocka_unit_test(test_lesson_hours),
		cmocka_unit_test(test_a_day_counts_at_most_a_whole_day),
		cmocka_unit_test(test_four_lesson_weeks_skip_the_holiday),
		cmocka_unit_test(test_next_report_at_least_seven_days_after),
		cmocka_unit_test(test_continuous_absence_reported_weekly),
		cmocka_unit_test(test_a_later_report_after_a_quiet_week),
		cmocka_unit_test(test_eighteen_year_olds),
		cmocka_unit_test(test_late_registration_completes_the_hours),
		cmocka_unit_test(test_corrections),
		cmocka_unit_test(test_configured_thresholds),
		cmocka_unit_test(test_sector_thresholds),
		cmocka_unit_test(test_sector_follows_the_enrolment),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
