/*
 * test_clock: Amsterdam local time and the sweep clock (rules/clock.h), and
 * the evaluation clock as replay and the daemon drive it (RULES.md, "When
 * rules are evaluated"): announced registrations wait for their date's
 * sweep, a registration recorded just after the sweep time is late, a late
 * gap-filler completes its run.
 */
#include "testutil.h"

#include "clock.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t at(const char *rfc3339)
{
	int64_t ms;
	assert_int_equal(instant_parse(rfc3339, &ms), 0);
	return ms;
}

#define HOUR 3600000LL

/* EU summer time 2027 starts Sunday 28 March at 01:00 UTC; 2026's ends
 * Sunday 25 October at 01:00 UTC. */
static void test_dst_boundaries(void **state)
{
	(void)state;
	assert_int_equal(clock_utc_offset_ms(at("2027-03-28T00:59:59.999Z")), HOUR);
	assert_int_equal(clock_utc_offset_ms(at("2027-03-28T01:00:00Z")), 2 * HOUR);
	assert_int_equal(clock_utc_offset_ms(at("2026-10-25T00:59:59.999Z")), 2 * HOUR);
	assert_int_equal(clock_utc_offset_ms(at("2026-10-25T01:00:00Z")), HOUR);
	/* 2028: the last Sunday of March is the 26th, of October the 29th */
	assert_int_equal(clock_utc_offset_ms(at("2028-03-26T00:59:59Z")), HOUR);
	assert_int_equal(clock_utc_offset_ms(at("2028-03-26T01:00:00Z")), 2 * HOUR);
	assert_int_equal(clock_utc_offset_ms(at("2028-10-29T00:59:59Z")), 2 * HOUR);
	assert_int_equal(clock_utc_offset_ms(at("2028-10-29T01:00:00Z")), HOUR);

	int32_t d;
	int64_t ms;
	/* 00:59:59.999Z on 28 March 2027 is 01:59:59.999 CET; a millisecond
	 * later it is 03:00 CEST */
	clock_local(at("2027-03-28T00:59:59.999Z"), &d, &ms);
	assert_int_equal(d, tu_date("2027-03-28"));
	assert_int_equal(ms, 2 * HOUR - 1);
	clock_local(at("2027-03-28T01:00:00Z"), &d, &ms);
	assert_int_equal(ms, 3 * HOUR);
	/* local midnight: the date changes at 22:00Z in summer, 23:00Z in winter */
	assert_int_equal(clock_local_date(at("2026-09-01T21:59:59Z")), tu_date("2026-09-01"));
	assert_int_equal(clock_local_date(at("2026-09-01T22:00:00Z")), tu_date("2026-09-02"));
	assert_int_equal(clock_local_date(at("2026-12-01T22:59:59Z")), tu_date("2026-12-01"));
	assert_int_equal(clock_local_date(at("2026-12-01T23:00:00Z")), tu_date("2026-12-02"));
	assert_int_equal(clock_local_date(at("2027-01-01T00:30:00+01:00")), tu_date("2027-01-01"));
}

/* Every quarter hour of 2020..2031 against the system's time zone data (an
 * independent implementation; the product itself never reads TZ). */
static void test_local_time_matches_zoneinfo(void **state)
{
	(void)state;
	setenv("TZ", "Europe/Amsterdam", 1);
	tzset();
	int64_t from = at("2020-01-01T00:00:00Z"), to = at("2032-01-01T00:00:00Z");
	for (int64_t t = from; t < to; t += HOUR / 4) {
		time_t secs = (time_t)(t / 1000);
		struct tm tm;
		localtime_r(&secs, &tm);
		int32_t d;
		int64_t ms;
		clock_local(t, &d, &ms);
		int32_t want = date_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
		int64_t want_ms = ((int64_t)tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec) * 1000;
		if (d != want || ms != want_ms)
			fail_msg("at %lld: %d %lld, zoneinfo %d %lld", (long long)t, d,
				 (long long)ms, want, (long long)want_ms);
	}
	unsetenv("TZ");
	tzset();
}

static void test_sweep_instants(void **state)
{
	(void)state;
	int m18 = 18 * 60;
	/* 18:00 CEST = 16:00Z; 18:00 CET = 17:00Z */
	assert_int_equal(clock_sweep_instant(tu_date("2026-09-01"), m18), at("2026-09-01T16:00:00Z"));
	assert_int_equal(clock_sweep_instant(tu_date("2026-12-01"), m18), at("2026-12-01T17:00:00Z"));
	assert_int_equal(clock_swept_through(at("2026-09-01T15:59:59Z"), m18), tu_date("2026-08-31"));
	assert_int_equal(clock_swept_through(at("2026-09-01T16:00:00Z"), m18), tu_date("2026-09-01"));
	assert_int_equal(clock_swept_through(at("2026-12-01T16:59:59.999Z"), m18),
			 tu_date("2026-11-30"));
	assert_int_equal(clock_swept_through(at("2026-12-01T17:00:00Z"), m18), tu_date("2026-12-01"));
	/* the Monday after the change to winter time */
	assert_int_equal(clock_sweep_instant(tu_date("2026-10-26"), m18), at("2026-10-26T17:00:00Z"));
	/* a configured sweep time */
	assert_int_equal(clock_swept_through(at("2026-09-01T05:29:59Z"), 7 * 60 + 30),
			 tu_date("2026-08-31"));
	assert_int_equal(clock_swept_through(at("2026-09-01T05:30:00Z"), 7 * 60 + 30),
			 tu_date("2026-09-01"));
	for (int32_t day = tu_date("2026-01-01"); day < tu_date("2028-12-31"); day++)
		assert_int_equal(clock_swept_through(clock_sweep_instant(day, m18), m18), day);
}

/* The shortcut agrees with clock_local_date every minute around midnight,
 * in winter, in summer and on both change days. */
static void test_local_date_before(void **state)
{
	(void)state;
	const char *days[] = {"2026-12-01", "2026-09-01", "2027-03-28", "2027-03-29",
			      "2026-10-25", "2026-10-26"};
	for (size_t i = 0; i < sizeof days / sizeof *days; i++) {
		int32_t day = tu_date(days[i]);
		int64_t midnight = (int64_t)day * CLOCK_DAY_MS;
		for (int64_t t = midnight - 4 * HOUR; t <= midnight + HOUR; t += 60000)
			assert_int_equal(clock_local_date_before(t, day), clock_local_date(t) < day);
	}
}

static void test_announced_and_bad_recorded_at(void **state)
{
	(void)state;
	struct registration r =
		tu_reg(NULL, "student=a kind=sick date=2026-09-02 recorded_at=2026-09-01T21:59:59Z");
	assert_true(clock_is_announced(&r)); /* 23:59:59 local on 1 September */
	r = tu_reg(NULL, "student=a kind=sick date=2026-09-02 recorded_at=2026-09-01T22:00:00Z");
	assert_false(clock_is_announced(&r));
	r = tu_reg(NULL, "student=a kind=concern date=2026-09-02 recorded_at=2026-08-20T10:00:00Z");
	assert_false(clock_is_announced(&r));
	r = tu_reg(NULL, "student=a kind=enrol date=2026-09-02 recorded_at=2026-08-20T10:00:00Z");
	assert_false(clock_is_announced(&r));
	r = tu_reg(NULL, "student=a kind=present date=2026-09-02 recorded_at=2026-08-20T10:00:00Z");
	assert_true(clock_is_announced(&r));

	/* the daemon: more than a day after the moment it reads the entry */
	r = tu_reg(NULL, "student=a kind=sick date=2026-09-02 recorded_at=2026-09-03T10:00:00Z");
	assert_false(clock_recorded_at_bad(&r, at("2026-09-02T10:00:00Z")));
	r = tu_reg(NULL, "student=a kind=sick date=2026-09-02 recorded_at=2026-09-03T10:00:00.001Z");
	assert_true(clock_recorded_at_bad(&r, at("2026-09-02T10:00:00Z")));
	/* replay: more than 366 days after the date (local date) */
	r = tu_reg(NULL, "student=a kind=sick date=2026-09-02 recorded_at=2027-09-03T21:59:59Z");
	assert_false(clock_recorded_at_bad(&r, -1));
	r = tu_reg(NULL, "student=a kind=sick date=2026-09-02 recorded_at=2027-09-03T22:00:00Z");
	assert_true(clock_recorded_at_bad(&r, -1));
}

/* ---- one pupil under the clock, as replay drives it ---- */

struct clocked {
	struct tu_pupil p;
	int64_t clock;
	int32_t swept;      /* last day swept, DATE_NONE before the first registration */
	size_t sweep_raised; /* signals the sweeps run by the last ck_apply raised */
};

static void ck_init(struct clocked *k, enum rule_id only)
{
	memset(k, 0, sizeof *k);
	tu_pupil_init(&k->p, "c1", NULL);
	tu_only(&k->p.rc, only);
	k->swept = DATE_NONE;
}

static size_t ck_sweep(struct clocked *k, int32_t through)
{
	size_t before = k->p.out.n;
	for (int32_t day = k->swept + 1; day <= through; day++)
		rules_sweep(&k->p.env, &k->p.st, k->p.student, day, &k->p.out);
	if (through > k->swept)
		k->swept = through;
	return k->p.out.n - before;
}

/* Moves the clock to the registration's recorded_at, runs the sweeps due,
 * applies it; returns what the application raised. */
static size_t ck_apply(struct clocked *k, const char *spec)
{
	struct registration r = tu_pupil_reg(&k->p, "%s", spec);
	if (k->swept == DATE_NONE || r.recorded_ms > k->clock)
		k->clock = r.recorded_ms;
	int32_t due = clock_swept_through(k->clock, k->p.rc.sweep_minute);
	if (k->swept == DATE_NONE)
		k->swept = due;
	k->sweep_raised = ck_sweep(k, due);
	size_t before = k->p.out.n;
	rules_apply_clocked(&k->p.env, &k->p.st, &r, k->swept, &k->p.out);
	return k->p.out.n - before;
}

#define LUXE "kind=absent authorized=no reason=luxe"

/* A planned luxe absence entered a week ahead is evaluated in the sweep of
 * its date, not when it is entered; retracted before its date, nothing. */
static void test_announced_waits_for_its_sweep(void **state)
{
	(void)state;
	struct clocked k;
	ck_init(&k, RULE_LUXE);
	assert_int_equal(ck_apply(&k, "date=2026-10-08 recorded_at=2026-10-01T10:00:00Z " LUXE), 0);
	assert_int_equal(ck_sweep(&k, tu_date("2026-10-07")), 0);
	assert_int_equal(ck_sweep(&k, tu_date("2026-10-08")), 1);
	TU_EXPECT(&k.p, 0, {RULE_LUXE, LEVEL_NONE, "2026-10-08", NULL});
	tu_pupil_free(&k.p);

	ck_init(&k, RULE_LUXE);
	assert_int_equal(ck_apply(&k, "date=2026-10-08 recorded_at=2026-10-01T10:00:00Z " LUXE), 0);
	assert_int_equal(ck_apply(&k, "date=2026-10-08 recorded_at=2026-10-05T10:00:00Z kind=present"),
			 0);
	assert_int_equal(k.sweep_raised, 0);
	assert_int_equal(ck_sweep(&k, tu_date("2026-10-16")), 0);
	TU_EXPECT_NONE(&k.p, 0);
	tu_pupil_free(&k.p);
}

/* Input out of recording order: the date's sweep already ran, so an
 * announced registration is evaluated at once. */
static void test_announced_after_its_sweep_is_evaluated_at_once(void **state)
{
	(void)state;
	struct clocked k;
	ck_init(&k, RULE_LUXE);
	assert_int_equal(ck_apply(&k, "date=2026-10-09 recorded_at=2026-10-09T17:00:00Z kind=present"),
			 0);
	assert_int_equal(ck_apply(&k, "date=2026-10-08 recorded_at=2026-10-01T10:00:00Z " LUXE), 1);
	TU_EXPECT(&k.p, 0, {RULE_LUXE, LEVEL_NONE, "2026-10-08", NULL});
	tu_pupil_free(&k.p);
}

#define SICK "kind=sick"

/* Sick Mon 7 .. Fri 11 September and Tue 15 (all entered on the day);
 * Mon 14 is entered on Tuesday 15 a second before or a second after 18:00
 * (16:00Z). The run of seven reaches MAZL duration at the 15th either way:
 * before, the 15th's sweep sees it; after, that sweep ran without the 14th
 * and the late registration completes the run. */
static void run_six_of_seven(struct clocked *k)
{
	ck_init(k, RULE_MAZL);
	const char *days[] = {"07", "08", "09", "10", "11"};
	for (int i = 0; i < 5; i++) {
		char spec[128];
		snprintf(spec, sizeof spec, "date=2026-09-%s recorded_at=2026-09-%sT08:00:00Z " SICK,
			 days[i], days[i]);
		assert_int_equal(ck_apply(k, spec), 0);
	}
	assert_int_equal(ck_apply(k, "date=2026-09-15 recorded_at=2026-09-15T08:00:00Z " SICK), 0);
}

static void test_recorded_a_second_before_the_sweep_time(void **state)
{
	(void)state;
	struct clocked k;
	run_six_of_seven(&k);
	assert_int_equal(ck_apply(&k, "date=2026-09-14 recorded_at=2026-09-15T15:59:59Z " SICK), 0);
	assert_int_equal(k.swept, tu_date("2026-09-14"));
	assert_int_equal(ck_sweep(&k, tu_date("2026-09-15")), 1);
	TU_EXPECT(&k.p, 0, {RULE_MAZL, MAZL_DURATION, "2026-09-15", "2026-09-07"});
	tu_pupil_free(&k.p);
}

static void test_recorded_a_second_after_the_sweep_time(void **state)
{
	(void)state;
	struct clocked k;
	run_six_of_seven(&k);
	assert_int_equal(ck_apply(&k, "date=2026-09-14 recorded_at=2026-09-15T16:00:01Z " SICK), 1);
	assert_int_equal(k.sweep_raised, 0);
	assert_int_equal(k.swept, tu_date("2026-09-15"));
	TU_EXPECT(&k.p, 0, {RULE_MAZL, MAZL_DURATION, "2026-09-15", "2026-09-07"});
	assert_int_equal(tu_fact(tu_signal(&k.p, 0), "days"), 7);
	tu_pupil_free(&k.p);
}

/* A sick episode Mon 7 .. Tue 15 September whose middle day (Thu 10) is
 * entered a week after the episode: it completes the run, and MAZL duration
 * is raised at the run's last day. Once only: entering it again raises
 * nothing. */
static void test_late_gap_filler_completes_mazl_duration(void **state)
{
	(void)state;
	struct clocked k;
	ck_init(&k, RULE_MAZL);
	const char *days[] = {"07", "08", "09", "11", "14", "15"};
	for (int i = 0; i < 6; i++) {
		char spec[128];
		snprintf(spec, sizeof spec, "date=2026-09-%s recorded_at=2026-09-%sT08:00:00Z " SICK,
			 days[i], days[i]);
		assert_int_equal(ck_apply(&k, spec), 0);
	}
	assert_int_equal(ck_apply(&k, "date=2026-09-18 recorded_at=2026-09-18T08:00:00Z kind=present"),
			 0);
	assert_int_equal(ck_apply(&k, "date=2026-09-10 recorded_at=2026-09-21T08:00:00Z " SICK), 1);
	TU_EXPECT(&k.p, 0, {RULE_MAZL, MAZL_DURATION, "2026-09-15", "2026-09-07"});
	tu_assert_fact_date(tu_signal(&k.p, 0), "run_first", "2026-09-07");
	assert_int_equal(tu_fact(tu_signal(&k.p, 0), "days"), 7);
	assert_int_equal(ck_apply(&k, "date=2026-09-10 recorded_at=2026-09-22T08:00:00Z " SICK), 0);
	tu_pupil_free(&k.p);
}

/* The same for lrv: a run of 20 unauthorised days with a gap, filled late. */
static void test_late_gap_filler_completes_lrv(void **state)
{
	(void)state;
	struct clocked k;
	ck_init(&k, RULE_LRV);
	/* school days 1..20: Mon 17 August .. Fri 11 September; day 5 (Fri 21
	 * August) missing */
	for (int32_t d = tu_date("2026-08-17"); d <= tu_date("2026-09-11"); d++) {
		if (date_weekday(d) >= 5 || d == tu_date("2026-08-21"))
			continue;
		char ymd[DATE_STRLEN], spec[160];
		date_format(d, ymd);
		snprintf(spec, sizeof spec,
			 "date=%s recorded_at=%sT08:00:00Z kind=absent authorized=no", ymd, ymd);
		assert_int_equal(ck_apply(&k, spec), 0);
	}
	assert_int_equal(ck_apply(&k, "date=2026-08-21 recorded_at=2026-09-14T08:00:00Z "
				      "kind=absent authorized=no"),
			 1);
	TU_EXPECT(&k.p, 0, {RULE_LRV, RUN_4W, "2026-09-11", "2026-08-17"});
	tu_pupil_free(&k.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dst_boundaries),
		cmocka_unit_test(test_local_time_matches_zoneinfo),
		cmocka_unit_test(test_sweep_instants),
		cmocka_unit_test(test_local_date_before),
		cmocka_unit_test(test_announced_and_bad_recorded_at),
		cmocka_unit_test(test_announced_waits_for_its_sweep),
		cmocka_unit_test(test_announced_after_its_sweep_is_evaluated_at_once),
		cmocka_unit_test(test_recorded_a_second_before_the_sweep_time),
		cmocka_unit_test(test_recorded_a_second_after_the_sweep_time),
		cmocka_unit_test(test_late_gap_filler_completes_mazl_duration),
		cmocka_unit_test(test_late_gap_filler_completes_lrv),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
