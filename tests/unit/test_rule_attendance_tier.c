/*
 * attendance_tier (RULES.md): only when E(d) >= 20; rate = sum of f over the
 * enrolled school days <= d / E(d), every reason counted; tier2 when rate
 * > 5 %, tier3 when >= 10 %, severe when >= 20 %; each band on its first
 * entry this school year; crossing several at once raises the highest only.
 * Period key: the school year's first day. rate_pct is in hundredths of a
 * percent, truncated.
 *
 * E = 20 on Fri 2026-09-11: 20 x 360 = 7200 minutes; 5 % = 360 minutes.
 */
#include "testutil.h"

#define SICK "kind=sick"
#define AUTH "kind=absent authorized=yes"
#define YEAR "2026-08-17"

/* The bands at single days: persist_days 1 (a band entered at d when the
 * rate at d is in it). Persistence itself: the tests further down. */
static void setup_pupil(struct tu_pupil *p, const char *student)
{
	tu_pupil_init(p, student, NULL);
	tu_only(&p->rc, RULE_ATTENDANCE_TIER);
	p->rc.attendance_tier.persist_days = 1;
}

static void test_not_before_twenty_enrolled_days(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, NULL);
	/* 2 of 2 days absent (100 %), but E < 20 until Sep 11. */
	tu_live(&p, "2026-08-17", "2026-08-18", SICK);
	tu_sweep(&p, "2026-08-19", "2026-09-10");
	TU_EXPECT_NONE(&p, 0);
	/* Sep 11: 720 / 7200 = 10 %: tier3 only (tier2 counts as raised). */
	assert_int_equal(tu_sweep(&p, "2026-09-11", "2026-09-11"), 1);
	TU_EXPECT(&p, 0, {RULE_ATTENDANCE_TIER, AT_TIER3, "2026-09-11", YEAR});
	const struct signal *s = tu_signal(&p, 0);
	assert_int_equal(tu_fact(s, "rate_pct"), 1000);
	assert_int_equal(tu_fact(s, "missed_minutes"), 720);
	assert_int_equal(tu_fact(s, "enrolled_days"), 20);
	/* The rate only falls from here; tier2 is never raised, neither by the
	 * sweep nor at a registration (a late does not count: 720 / 7560 =
	 * 9.52 % on Sep 14). */
	tu_sweep(&p, "2026-09-14", "2026-10-30");
	assert_int_equal(tu_apply(&p, "date=2026-09-14 kind=late minutes=5"), 0);
	assert_int_equal(tu_apply(&p, "date=2026-10-30 kind=late minutes=5"), 0);
	assert_int_equal(p.out.n, 1);
	tu_pupil_free(&p);
}

static void test_tier2_is_strictly_above_five_percent(void **state)
{
	(void)state;
	/* Exactly 5 % at E = 20: nothing. */
	struct tu_pupil a;
	setup_pupil(&a, "a");
	tu_live(&a, "2026-08-17", "2026-08-17", SICK);
	tu_sweep(&a, "2026-08-18", "2026-09-11");
	TU_EXPECT_NONE(&a, 0);
	/* One more minute: 361 / 7200 = 5.01 %. */
	assert_int_equal(tu_apply(&a, "date=2026-09-11 period=1 minutes=1 " AUTH), 1);
	TU_EXPECT(&a, 0, {RULE_ATTENDANCE_TIER, AT_TIER2, "2026-09-11", YEAR});
	assert_int_equal(tu_fact(tu_signal(&a, 0), "rate_pct"), 501);
	assert_int_equal(tu_fact(tu_signal(&a, 0), "missed_minutes"), 361);
	tu_pupil_free(&a);

	/* The same minute a day later: 361 / (21 x 360) = 4.78 %. */
	struct tu_pupil b;
	setup_pupil(&b, "b");
	tu_live(&b, "2026-08-17", "2026-08-17", SICK);
	tu_sweep(&b, "2026-08-18", "2026-09-11");
	tu_apply(&b, "date=2026-09-14 period=1 minutes=1 " AUTH);
	tu_sweep(&b, "2026-09-14", "2026-09-30");
	TU_EXPECT_NONE(&b, 0);
	tu_pupil_free(&b);
}

static void test_tier3_at_ten_percent_not_below(void **state)
{
	(void)state;
	/* 719 / 7200 = 9.99 %: tier2. */
	struct tu_pupil p;
	setup_pupil(&p, NULL);
	tu_apply(&p, "date=2026-08-17 " SICK);
	tu_apply(&p, "date=2026-08-18 minutes=359 " AUTH);
	tu_sweep(&p, "2026-08-17", "2026-09-11");
	TU_EXPECT(&p, 0, {RULE_ATTENDANCE_TIER, AT_TIER2, "2026-09-11", YEAR});
	assert_int_equal(tu_fact(tu_signal(&p, 0), "rate_pct"), 998);
	tu_pupil_free(&p);
}

static void test_severe_at_twenty_percent_not_below(void **state)
{
	(void)state;
	/* 4 days: 1440 / 7200 = 20 %: severe only. */
	struct tu_pupil a;
	setup_pupil(&a, "a");
	tu_live(&a, "2026-08-17", "2026-08-20", SICK);
	tu_sweep(&a, "2026-08-21", "2026-09-30");
	TU_EXPECT(&a, 0, {RULE_ATTENDANCE_TIER, AT_SEVERE, "2026-09-11", YEAR});
	assert_int_equal(tu_fact(tu_signal(&a, 0), "rate_pct"), 2000);
	tu_pupil_free(&a);

	/* 1439 / 7200 = 19.99 %: tier3. */
	struct tu_pupil b;
	setup_pupil(&b, "b");
	tu_live(&b, "2026-08-17", "2026-08-19", SICK);
	tu_apply(&b, "date=2026-08-20 minutes=359 " SICK);
	tu_sweep(&b, "2026-08-20", "2026-09-30");
	TU_EXPECT(&b, 0, {RULE_ATTENDANCE_TIER, AT_TIER3, "2026-09-11", YEAR});
	assert_int_equal(tu_fact(tu_signal(&b, 0), "rate_pct"), 1998);
	tu_pupil_free(&b);
}

static void test_each_band_once_while_the_rate_wavers(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, NULL);
	tu_live(&p, "2026-08-17", "2026-08-17", SICK);
	tu_sweep(&p, "2026-08-18", "2026-09-10");
	tu_apply(&p, "date=2026-09-11 period=1 minutes=1 " AUTH);
	tu_sweep(&p, "2026-09-11", "2026-09-25");
	TU_EXPECT(&p, 0, {RULE_ATTENDANCE_TIER, AT_TIER2, "2026-09-11", YEAR});
	/* Sep 28 (E = 31): 721 / 11160 = 6.46 %, back in tier2: no repeat.
	 * Sep 29 (E = 32): 1081 / 11520 = 9.38 %.
	 * Sep 30 (E = 33): 1441 / 11880 = 12.13 %: tier3. */
	tu_live(&p, "2026-09-28", "2026-09-29", SICK);
	assert_int_equal(p.out.n, 1);
	tu_live(&p, "2026-09-30", "2026-09-30", SICK);
	TU_EXPECT(&p, 1, {RULE_ATTENDANCE_TIER, AT_TIER3, "2026-09-30", YEAR});
	assert_int_equal(tu_fact(tu_signal(&p, 1), "rate_pct"), 1212);
	assert_int_equal(tu_fact(tu_signal(&p, 1), "enrolled_days"), 33);
	/* Falling below and rising into tier3 again: no repeat. */
	tu_sweep(&p, "2026-10-01", "2026-11-30");
	tu_live(&p, "2026-12-01", "2026-12-04", SICK);
	assert_int_equal(p.out.n, 2);
	tu_pupil_free(&p);
}

static void test_a_day_counts_at_most_one_whole_day(void **state)
{
	(void)state;
	/* Aug 17: whole day sick plus an hour absent: f = min(1, 410/360) = 1. */
	struct tu_pupil p;
	setup_pupil(&p, NULL);
	tu_apply(&p, "date=2026-08-17 " SICK);
	tu_apply(&p, "date=2026-08-17 period=1 " AUTH);
	tu_sweep(&p, "2026-08-17", "2026-09-11");
	TU_EXPECT_NONE(&p, 0);
	assert_int_equal(tu_apply(&p, "date=2026-09-11 period=1 minutes=1 " AUTH), 1);
	TU_EXPECT(&p, 0, {RULE_ATTENDANCE_TIER, AT_TIER2, "2026-09-11", YEAR});
	assert_int_equal(tu_fact(tu_signal(&p, 0), "missed_minutes"), 361);
	tu_pupil_free(&p);
}

static void test_lesson_hours_count_as_fractions(void **state)
{
	(void)state;
	/* One lesson hour (50 minutes) on each of 8 days: no absent day, but
	 * 400 / 7200 = 5.55 % at E = 20. */
	struct tu_pupil p;
	setup_pupil(&p, NULL);
	tu_live(&p, "2026-08-17", "2026-08-26", "period=3 " AUTH);
	tu_sweep(&p, "2026-08-27", "2026-09-10");
	TU_EXPECT_NONE(&p, 0);
	tu_sweep(&p, "2026-09-11", "2026-09-11");
	TU_EXPECT(&p, 0, {RULE_ATTENDANCE_TIER, AT_TIER2, "2026-09-11", YEAR});
	assert_int_equal(tu_fact(tu_signal(&p, 0), "rate_pct"), 555);
	assert_int_equal(tu_fact(tu_signal(&p, 0), "missed_minutes"), 400);
	tu_pupil_free(&p);
}

static void test_lates_do_not_count(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, NULL);
	tu_live(&p, "2026-08-17", "2026-08-21", "kind=late minutes=200");
	tu_sweep(&p, "2026-08-24", "2026-09-30");
	TU_EXPECT_NONE(&p, 0);
	tu_pupil_free(&p);
}

static void test_enrolment_after_the_year_started(void **state)
{
	(void)state;
	/* Enrolled Thu Oct 1: E = 20 on Wed Nov 4 (autumn holiday skipped). Sick
	 * Sep 29 and 30 lie before the enrolment and count for nothing. */
	struct tu_pupil p;
	setup_pupil(&p, NULL);
	tu_apply(&p, "date=2026-10-01 kind=enrol");
	tu_apply(&p, "date=2026-09-29 " SICK);
	tu_apply(&p, "date=2026-09-30 " SICK);
	tu_sweep(&p, "2026-09-28", "2026-09-30");
	tu_live(&p, "2026-10-01", "2026-10-02", SICK);
	tu_sweep(&p, "2026-10-05", "2026-11-03");
	TU_EXPECT_NONE(&p, 0);
	tu_sweep(&p, "2026-11-04", "2026-11-04");
	TU_EXPECT(&p, 0, {RULE_ATTENDANCE_TIER, AT_TIER3, "2026-11-04", YEAR});
	const struct signal *s = tu_signal(&p, 0);
	assert_int_equal(tu_fact(s, "enrolled_days"), 20);
	assert_int_equal(tu_fact(s, "missed_minutes"), 720);
	assert_int_equal(tu_fact(s, "rate_pct"), 1000);
	tu_pupil_free(&p);
}

static void test_configured_minimum_after_the_first_month(void **state)
{
	(void)state;
	/* From E = 25 (Fri Sep 18), after the first-month window: the sweep of
	 * that day, with no registration on it, raises. 1080 / 9000 = 12 %. */
	struct tu_pupil p;
	setup_pupil(&p, NULL);
	p.rc.attendance_tier.min_enrolled_days = 25;
	tu_live(&p, "2026-08-17", "2026-08-19", SICK);
	tu_sweep(&p, "2026-08-20", "2026-09-17");
	TU_EXPECT_NONE(&p, 0);
	tu_sweep(&p, "2026-09-18", "2026-09-18");
	TU_EXPECT(&p, 0, {RULE_ATTENDANCE_TIER, AT_TIER3, "2026-09-18", YEAR});
	assert_int_equal(tu_fact(tu_signal(&p, 0), "rate_pct"), 1200);
	assert_int_equal(tu_fact(tu_signal(&p, 0), "enrolled_days"), 25);
	tu_pupil_free(&p);
}

static void test_configured_bands(void **state)
{
	(void)state;
	/* From E = 10 (Fri Aug 28); tier2 > 10 %, tier3 >= 15 %, severe >= 30 %. */
	struct tu_pupil p;
	setup_pupil(&p, NULL);
	p.rc.attendance_tier.min_enrolled_days = 10;
	p.rc.attendance_tier.tier2_bp = 1000;
	p.rc.attendance_tier.tier3_bp = 1500;
	p.rc.attendance_tier.severe_bp = 3000;
	tu_apply(&p, "date=2026-08-17 " SICK);
	tu_apply(&p, "date=2026-08-18 period=1 minutes=1 " AUTH);
	tu_sweep(&p, "2026-08-17", "2026-08-27");
	TU_EXPECT_NONE(&p, 0);
	/* E = 10: 361 / 3600 = 10.03 %. */
	tu_sweep(&p, "2026-08-28", "2026-08-28");
	TU_EXPECT(&p, 0, {RULE_ATTENDANCE_TIER, AT_TIER2, "2026-08-28", YEAR});
	assert_int_equal(tu_fact(tu_signal(&p, 0), "rate_pct"), 1002);
	/* Aug 31 (E = 11): 721 / 3960 = 18.21 %: tier3. */
	tu_live(&p, "2026-08-31", "2026-08-31", SICK);
	TU_EXPECT(&p, 1, {RULE_ATTENDANCE_TIER, AT_TIER3, "2026-08-31", YEAR});
	assert_int_equal(tu_fact(tu_signal(&p, 1), "rate_pct"), 1820);
	/* Sep 1 (E = 12): 1081 / 4320 = 25.02 %: not yet severe. */
	tu_live(&p, "2026-09-01", "2026-09-01", SICK);
	assert_int_equal(p.out.n, 2);
	/* Sep 2 (E = 13): 1441 / 4680 = 30.79 %. */
	tu_live(&p, "2026-09-02", "2026-09-02", SICK);
	TU_EXPECT(&p, 2, {RULE_ATTENDANCE_TIER, AT_SEVERE, "2026-09-02", YEAR});
	assert_int_equal(tu_fact(tu_signal(&p, 2), "rate_pct"), 3079);
	tu_pupil_free(&p);

	struct tu_pupil off;
	setup_pupil(&off, "off");
	off.rc.attendance_tier.enabled = false;
	tu_live(&off, "2026-08-17", "2026-09-30", SICK);
	TU_EXPECT_NONE(&off, 0);
	tu_pupil_free(&off);
}

/* ---- persistence (v2, default persist_days 10) ----
 *
 * E = 20 on Fri Sep 11; the 10th enrolled day from there is Thu Sep 24
 * (E = 29). With S missed minutes and nothing later, rate(x) > 5 % while
 * S > 18 E(x). */
static void setup_persist(struct tu_pupil *p, const char *student)
{
	tu_pupil_init(p, student, NULL);
	tu_only(&p->rc, RULE_ATTENDANCE_TIER);
	assert_int_equal(p->rc.attendance_tier.persist_days, 10);
}

static void test_band_held_nine_days_is_no_entry(void **state)
{
	(void)state;
	/* S = 510: in tier2 from E = 20 through E = 28 (510 > 504), out at
	 * E = 29 (510 <= 522): nine days, never ten. */
	struct tu_pupil a;
	setup_persist(&a, "a");
	tu_apply(&a, "date=2026-08-17 " SICK);
	tu_apply(&a, "date=2026-08-18 period=1 minutes=150 " AUTH);
	tu_sweep(&a, "2026-08-17", "2026-12-18");
	TU_EXPECT_NONE(&a, 0);
	tu_pupil_free(&a);

	/* S = 530: in tier2 at E = 29 too (530 > 522): the 10th day raises. */
	struct tu_pupil b;
	setup_persist(&b, "b");
	tu_apply(&b, "date=2026-08-17 " SICK);
	tu_apply(&b, "date=2026-08-18 period=1 minutes=170 " AUTH);
	tu_sweep(&b, "2026-08-17", "2026-09-23");
	TU_EXPECT_NONE(&b, 0);
	assert_int_equal(tu_sweep(&b, "2026-09-24", "2026-09-24"), 1);
	TU_EXPECT(&b, 0, {RULE_ATTENDANCE_TIER, AT_TIER2, "2026-09-24", YEAR});
	const struct signal *s = tu_signal(&b, 0);
	assert_int_equal(tu_fact(s, "enrolled_days"), 29);
	assert_int_equal(tu_fact(s, "persist_days"), 10);
	tu_assert_fact_date(s, "band_since", "2026-09-11");
	/* 530 / 10440 = 5.07 % */
	assert_int_equal(tu_fact(s, "rate_pct"), 507);
	tu_sweep(&b, "2026-09-25", "2026-12-18");
	assert_int_equal(b.out.n, 1);
	tu_pupil_free(&b);
}

/* The sweep may skip a pupil whose state did not change, but not past the
 * day a band can be entered, even when a registration dated later (entered
 * in advance) is already known. */
static void test_persistence_day_not_skipped_before_an_announced_day(void **state)
{
	(void)state;
	struct tu_pupil b;
	setup_persist(&b, "b");
	tu_apply(&b, "date=2026-08-17 " SICK);
	tu_apply(&b, "date=2026-08-18 period=1 minutes=170 " AUTH);
	tu_apply(&b, "date=2026-10-30 " AUTH " recorded_at=2026-08-18T13:00:00Z");
	tu_sweep(&b, "2026-08-17", "2026-09-23");
	TU_EXPECT_NONE(&b, 0);
	tu_sweep(&b, "2026-09-24", "2026-09-24");
	TU_EXPECT(&b, 0, {RULE_ATTENDANCE_TIER, AT_TIER2, "2026-09-24", YEAR});
	tu_pupil_free(&b);
}

static void test_persistence_waits_for_min_enrolled_days(void **state)
{
	(void)state;
	/* Absent the first five days: in every band from day 1, but E >= 20
	 * is needed at the first of the ten days: Sep 11 .. Sep 24. By then
	 * 1800 / (E x 360) has fallen below 20 % (at E = 26, Sep 21): the
	 * band held is tier3. */
	struct tu_pupil p;
	setup_persist(&p, NULL);
	tu_live(&p, "2026-08-17", "2026-08-21", SICK);
	tu_sweep(&p, "2026-08-24", "2026-09-23");
	TU_EXPECT_NONE(&p, 0);
	tu_sweep(&p, "2026-09-24", "2026-09-24");
	TU_EXPECT(&p, 0, {RULE_ATTENDANCE_TIER, AT_TIER3, "2026-09-24", YEAR});
	assert_int_equal(tu_fact(tu_signal(&p, 0), "rate_pct"), 1724);
	/* tier2 counts as raised; severe is never held for ten days. */
	tu_sweep(&p, "2026-09-25", "2026-12-18");
	assert_int_equal(p.out.n, 1);
	tu_pupil_free(&p);
}

static void test_persistence_uses_what_is_known_now(void **state)
{
	(void)state;
	/* S = 510 (nine days in tier2, as above), swept through Sep 24. On
	 * Fri Sep 25 a registration dated Sep 1 arrives late (60 minutes):
	 * S = 570 for every day from Sep 1, so the rate was in tier2 from
	 * E = 20 through E = 31 (570 > 558) as known now. The sweep of Sep 25
	 * (E = 30) sees ten days in the band, E = 21 .. 30. */
	struct tu_pupil p;
	setup_persist(&p, NULL);
	tu_apply(&p, "date=2026-08-17 " SICK);
	tu_apply(&p, "date=2026-08-18 period=1 minutes=150 " AUTH);
	tu_sweep(&p, "2026-08-17", "2026-09-24");
	TU_EXPECT_NONE(&p, 0);
	tu_apply(&p, "date=2026-09-01 period=2 minutes=60 " AUTH
		     " recorded_at=2026-09-25T09:00:00Z");
	TU_EXPECT_NONE(&p, 0);
	tu_sweep(&p, "2026-09-25", "2026-09-25");
	TU_EXPECT(&p, 0, {RULE_ATTENDANCE_TIER, AT_TIER2, "2026-09-25", YEAR});
	tu_assert_fact_date(tu_signal(&p, 0), "band_since", "2026-09-14");
	assert_int_equal(tu_fact(tu_signal(&p, 0), "missed_minutes"), 570);
	tu_pupil_free(&p);
}

static void test_persistence_jump_raises_the_highest_held(void **state)
{
	(void)state;
	/* Sick Oct 5 - Oct 30 (15 school days; autumn holiday Oct 12-16):
	 * the rate climbs through tier2 and tier3 into severe. Each band is
	 * entered once it has held ten days, the highest first reached wins,
	 * and a lower band entered later counts as raised. */
	struct tu_pupil p;
	setup_persist(&p, NULL);
	tu_sweep(&p, "2026-08-17", "2026-10-02");
	tu_live(&p, "2026-10-05", "2026-10-30", SICK);
	tu_live(&p, "2026-11-02", "2026-12-18", "kind=late minutes=1");
	/* rate(x) = n / E: Oct 5 (E = 36) 2.8 %, Oct 6 5.4 % (> 5 %), Oct 8
	 * 10.3 %, Oct 22 (E = 44, 9 days) 20.5 %. tier2 from Oct 6 holds ten
	 * school days on Oct 26 (Oct 6-9, 19-23, 26); tier3 from Oct 8 on
	 * Oct 28; severe from Oct 22 (up to 15 / 50 = 30 % on Oct 30, falling
	 * after) on Nov 4 (E = 53, 15 / 53 = 28.3 %). */
	TU_EXPECT(&p, 0, {RULE_ATTENDANCE_TIER, AT_TIER2, "2026-10-26", YEAR},
		  {RULE_ATTENDANCE_TIER, AT_TIER3, "2026-10-28", YEAR},
		  {RULE_ATTENDANCE_TIER, AT_SEVERE, "2026-11-04", YEAR});
	tu_pupil_free(&p);

	/* The same absence registered only on Fri Oct 30, newest first (each
	 * registration's own evaluation sees no earlier sick day): at the sweep
	 * of Oct 30 tier2 and tier3 have both held ten days: tier3 alone. */
	struct tu_pupil q;
	setup_persist(&q, "q");
	tu_sweep(&q, "2026-08-17", "2026-10-29");
	tu_apply_days_rev(&q, "2026-10-05", "2026-10-30", SICK " recorded_at=2026-10-30T09:00:00Z");
	TU_EXPECT_NONE(&q, 0);
	tu_sweep(&q, "2026-10-30", "2026-10-30");
	TU_EXPECT(&q, 0, {RULE_ATTENDANCE_TIER, AT_TIER3, "2026-10-30", YEAR});
	tu_sweep(&q, "2026-11-02", "2026-11-04");
	TU_EXPECT(&q, 1, {RULE_ATTENDANCE_TIER, AT_SEVERE, "2026-11-04", YEAR});
	tu_pupil_free(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_before_twenty_enrolled_days),
		cmocka_unit_test(test_tier2_is_strictly_above_five_percent),
		cmocka_unit_test(test_tier3_at_ten_percent_not_below),
		cmocka_unit_test(test_severe_at_twenty_percent_not_below),
		cmocka_unit_test(test_each_band_once_while_the_rate_wavers),
		cmocka_unit_test(test_a_day_counts_at_most_one_whole_day),
		cmocka_unit_test(test_lesson_hours_count_as_fractions),
		cmocka_unit_test(test_lates_do_not_count),
		cmocka_unit_test(test_enrolment_after_the_year_started),
		cmocka_unit_test(test_configured_minimum_after_the_first_month),
		cmocka_unit_test(test_configured_bands),
		cmocka_unit_test(test_band_held_nine_days_is_no_entry),
		cmocka_unit_test(test_persistence_day_not_skipped_before_an_announced_day),
		cmocka_unit_test(test_persistence_waits_for_min_enrolled_days),
		cmocka_unit_test(test_persistence_uses_what_is_known_now),
		cmocka_unit_test(test_persistence_jump_raises_the_highest_held),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
