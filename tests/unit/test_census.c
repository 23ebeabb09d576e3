/*
 * census (rules/census.h, docs/census.md): run lengths at a census date
 * from a pupil state, the bucket edges (19/20, 64/65, 189/190 school days),
 * runs across the summer, a run that ended the day before the census,
 * registrations recorded after the census's sweep, signals in the period,
 * and the quarterly census dates.
 *
 * School day numbers below are counted by the calendar (tu_nth_before), so
 * each test states only the run length it means.
 */
#include "testutil.h"

#include "census.h"
#include "clock.h"

#include <stdio.h>
#include <string.h>

#define UNAUTH "kind=absent authorized=no"
#define SICK "kind=sick"

/* The school day n-1 school days before s (the first day of a run of n
 * school days ending at s), for school 01AC. */
static void nth_before(const struct tu_pupil *p, const char *s, int n, char out[11])
{
	int32_t d = tu_date(s);
	for (int i = 1; i < n; i++)
		d = school_years_prev_school_day(p->years, "01AC", d);
	assert_true(d != DATE_NONE);
	date_format(d, out);
}

/* A pupil with a run of n days of `spec` ending at school day s. */
static void run_of(struct tu_pupil *p, const char *s, int n, const char *spec)
{
	char first[11];
	nth_before(p, s, n, first);
	tu_apply_days(p, first, s, "%s", spec);
}

static int run_at(const struct tu_pupil *p, enum census_run k, const char *s)
{
	return census_run_length(&p->env, &p->st, k, tu_date(s), INT64_MAX);
}

static struct census_counts count_at(const struct tu_pupil *p, const char *c, const char *from)
{
	struct census_counts n;
	memset(&n, 0, sizeof n);
	census_count_pupil(&p->env, &p->st, tu_date(c), tu_date(from), &n);
	return n;
}

static void test_bucket_edges(void **state)
{
	(void)state;
	struct rules_config rc;
	rules_config_defaults(&rc);
	static const struct {
		int days, bucket;
	} want[] = {{0, -1},  {19, -1}, {20, CENSUS_4W_3M},  {64, CENSUS_4W_3M},
		    {65, CENSUS_3M_1Y}, {189, CENSUS_3M_1Y}, {190, CENSUS_OVER_1Y},
		    {400, CENSUS_OVER_1Y}};
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		assert_int_equal(census_bucket(&rc, CENSUS_LRV, want[i].days), want[i].bucket);
		assert_int_equal(census_bucket(&rc, CENSUS_LONG_SICK, want[i].days),
				 want[i].bucket);
	}
	rc.lrv.days_4w = 10; /* the rule's thresholds are the buckets' edges */
	assert_int_equal(census_bucket(&rc, CENSUS_LRV, 10), CENSUS_4W_3M);
	assert_int_equal(census_bucket(&rc, CENSUS_LONG_SICK, 10), -1);
}

/* 19 and 20, 64 and 65 unauthorised days ending at the census day. */
static void check_run_edge(int n, enum census_run k, const char *spec, int bucket)
{
	struct tu_pupil p;
	tu_pupil_init(&p, NULL, NULL);
	run_of(&p, "2026-12-18", n, spec);
	assert_int_equal(run_at(&p, k, "2026-12-18"), n);
	struct census_counts c = count_at(&p, "2026-12-18", "2026-10-01");
	long long *v = k == CENSUS_LRV ? c.lrv : c.long_sick;
	long long *other = k == CENSUS_LRV ? c.long_sick : c.lrv;
	for (int b = 0; b < CENSUS_BUCKETS; b++) {
		assert_int_equal(v[b], b == bucket ? 1 : 0);
		assert_int_equal(other[b], 0);
	}
	assert_int_equal(c.pupils, 1);
	tu_pupil_free(&p);
}

static void test_edges_19_20(void **state)
{
	(void)state;
	check_run_edge(19, CENSUS_LRV, UNAUTH, -1);
	check_run_edge(20, CENSUS_LRV, UNAUTH, CENSUS_4W_3M);
	check_run_edge(19, CENSUS_LONG_SICK, SICK, -1);
	check_run_edge(20, CENSUS_LONG_SICK, SICK, CENSUS_4W_3M);
}

static void test_edges_64_65(void **state)
{
	(void)state;
	check_run_edge(64, CENSUS_LRV, UNAUTH, CENSUS_4W_3M);
	check_run_edge(65, CENSUS_LRV, UNAUTH, CENSUS_3M_1Y);
	check_run_edge(64, CENSUS_LONG_SICK, SICK, CENSUS_4W_3M);
	check_run_edge(65, CENSUS_LONG_SICK, SICK, CENSUS_3M_1Y);
}

/* 189 and 190 days: the run starts in the first school year and ends in the
 * second (a census in December 2027), across the summer. */
static void check_long_edge(int n, int bucket)
{
	struct tu_pupil p;
	tu_pupil_init(&p, NULL, NULL);
	run_of(&p, "2027-12-24", n, UNAUTH);
	char first[11];
	nth_before(&p, "2027-12-24", n, first);
	assert_true(tu_date(first) < tu_date("2027-07-09")); /* it crosses the summer */
	assert_int_equal(run_at(&p, CENSUS_LRV, "2027-12-24"), n);
	struct census_counts c = count_at(&p, "2027-12-24", "2027-10-01");
	for (int b = 0; b < CENSUS_BUCKETS; b++)
		assert_int_equal(c.lrv[b], b == bucket ? 1 : 0);
	tu_pupil_free(&p);
}

static void test_edges_189_190(void **state)
{
	(void)state;
	check_long_edge(189, CENSUS_3M_1Y);
	check_long_edge(190, CENSUS_OVER_1Y);
}

/* A run from 2027-05-03 to the census of 2027-09-30 continues over the
 * summer: every school day of both years in between. */
static void test_run_across_the_summer(void **state)
{
	(void)state;
	struct tu_pupil p;
	tu_pupil_init(&p, NULL, NULL);
	tu_apply_days(&p, "2027-05-03", "2027-09-30", SICK);
	int want = school_years_school_days_between(p.years, "01AC", tu_date("2027-05-03"),
						    tu_date("2027-09-30"));
	assert_true(want >= 65);
	assert_int_equal(run_at(&p, CENSUS_LONG_SICK, "2027-09-30"), want);
	struct census_counts c = count_at(&p, "2027-09-30", "2027-07-01");
	assert_int_equal(c.long_sick[CENSUS_3M_1Y], 1);
	/* one school day missing in August ends the run there */
	struct tu_pupil q;
	tu_pupil_init(&q, NULL, NULL);
	tu_apply_days(&q, "2027-06-01", "2027-08-24", SICK);
	tu_apply_days(&q, "2027-08-26", "2027-09-30", SICK);
	assert_int_equal(run_at(&q, CENSUS_LONG_SICK, "2027-09-30"),
			 school_years_school_days_between(q.years, "01AC", tu_date("2027-08-26"),
							  tu_date("2027-09-30")));
	tu_pupil_free(&q);
	tu_pupil_free(&p);
}

/* A run that ended the school day before the census day does not count,
 * however long it was; neither does a day registered after the census. */
static void test_run_ended_the_day_before(void **state)
{
	(void)state;
	struct tu_pupil p;
	tu_pupil_init(&p, NULL, NULL);
	run_of(&p, "2026-12-17", 40, UNAUTH);
	assert_int_equal(run_at(&p, CENSUS_LRV, "2026-12-17"), 40);
	assert_int_equal(run_at(&p, CENSUS_LRV, "2026-12-18"), 0);
	struct census_counts c = count_at(&p, "2026-12-18", "2026-10-01");
	for (int b = 0; b < CENSUS_BUCKETS; b++)
		assert_int_equal(c.lrv[b], 0);
	/* the census on a holiday (2026-12-31) reads the last school day, the 18th */
	c = count_at(&p, "2026-12-31", "2026-10-01");
	assert_int_equal(c.lrv[CENSUS_4W_3M], 0);
	tu_apply(&p, "date=2026-12-18 %s", UNAUTH);
	c = count_at(&p, "2026-12-31", "2026-10-01");
	assert_int_equal(c.lrv[CENSUS_4W_3M], 1);
	tu_pupil_free(&p);
}

/* What was known at the sweep of the census day: a registration recorded
 * after it (here: the census day itself, entered a day late) does not count. */
static void test_known_at_the_sweep(void **state)
{
	(void)state;
	struct tu_pupil p;
	tu_pupil_init(&p, NULL, NULL);
	run_of(&p, "2026-12-17", 25, UNAUTH);
	tu_apply(&p, "date=2026-12-18 %s recorded_at=2026-12-18T17:30:00Z", UNAUTH);
	int32_t s = tu_date("2026-12-18");
	int64_t sweep = clock_sweep_instant(s, p.rc.sweep_minute); /* 18:00 CET = 17:00Z */
	assert_int_equal(census_run_length(&p.env, &p.st, CENSUS_LRV, s, sweep), 0);
	assert_int_equal(census_run_length(&p.env, &p.st, CENSUS_LRV, s, INT64_MAX), 26);
	struct census_counts c = count_at(&p, "2026-12-18", "2026-10-01");
	assert_int_equal(c.lrv[CENSUS_4W_3M], 0);
	tu_pupil_free(&p);
}

/* lrv counts only days of compulsory school age; long_sick all. */
static void test_lrv_only_when_leerplichtig(void **state)
{
	(void)state;
	struct tu_pupil p;
	tu_pupil_init(&p, NULL, NULL);
	/* 5 on 2026-10-14: leerplichtig from 2026-11-01 */
	snprintf(p.extra, sizeof p.extra, "birth_date=2021-10-14");
	tu_apply_days(&p, "2026-09-01", "2026-12-18", UNAUTH);
	assert_int_equal(run_at(&p, CENSUS_LRV, "2026-12-18"),
			 school_years_school_days_between(p.years, "01AC", tu_date("2026-11-01"),
							  tu_date("2026-12-18")));
	tu_pupil_free(&p);
}

/* absolute and leerplicht_16u signals count in (previous census, c]. */
static void test_signals_in_the_period(void **state)
{
	(void)state;
	struct tu_pupil p;
	tu_pupil_init(&p, NULL, NULL);
	tu_apply(&p, "date=2026-09-01 kind=enrol");
	tu_apply(&p, "date=2026-10-01 kind=unenrol");
	tu_apply(&p, "date=2026-11-02 kind=enrol");
	tu_apply(&p, "date=2026-12-18 kind=unenrol");
	assert_int_equal(tu_count(&p, RULE_ABSOLUTE, -1), 2);
	struct census_counts c = count_at(&p, "2026-12-18", "2026-10-01");
	assert_int_equal(c.absolute_new, 2);
	c = count_at(&p, "2026-12-18", "2026-10-02");
	assert_int_equal(c.absolute_new, 1);
	c = count_at(&p, "2026-12-17", "2026-10-02");
	assert_int_equal(c.absolute_new, 0);
	tu_pupil_free(&p);

	tu_pupil_init(&p, "p2", NULL);
	tu_apply_days(&p, "2026-11-02", "2026-11-06", UNAUTH); /* 5 x 360 = 1800 >= 800 */
	tu_sweep(&p, "2026-11-02", "2026-12-18");
	size_t n16 = tu_count(&p, RULE_LEERPLICHT_16U, -1);
	assert_true(n16 >= 1);
	c = count_at(&p, "2026-12-18", "2026-10-01");
	assert_int_equal(c.reports_16u, (long long)n16);
	c = count_at(&p, "2026-09-30", "2026-08-17");
	assert_int_equal(c.reports_16u, 0);
	assert_int_equal(c.pupils, 0); /* nothing known yet on 2026-09-30 */
	tu_pupil_free(&p);
}

static void test_quarter_dates(void **state)
{
	(void)state;
	struct school_years *ys = tu_noord_years();
	int32_t got[10];
	int n = census_quarter_dates(ys, tu_date("2028-07-14"), 10, got);
	static const char *const want[] = {"2026-09-30", "2026-12-18", "2027-03-31",
					   "2027-06-30", "2027-09-30", "2027-12-24",
					   "2028-03-31", "2028-06-30"};
	assert_int_equal(n, 8);
	for (int i = 0; i < n; i++) {
		char buf[11];
		date_format(got[i], buf);
		assert_string_equal(buf, want[i]);
	}
	n = census_quarter_dates(ys, tu_date("2027-06-29"), 2, got);
	assert_int_equal(n, 2);
	assert_int_equal(got[0], tu_date("2026-12-18"));
	assert_int_equal(got[1], tu_date("2027-03-31"));
	assert_int_equal(census_period_from(ys, tu_date("2027-03-31")), tu_date("2026-12-19"));
	assert_int_equal(census_period_from(ys, tu_date("2026-09-30")), tu_date("2026-08-17"));
	assert_int_equal(census_school_day(ys, NULL, tu_date("2027-01-01")), tu_date("2026-12-18"));
	school_years_free(ys);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bucket_edges),
		cmocka_unit_test(test_edges_19_20),
		cmocka_unit_test(test_edges_64_65),
		cmocka_unit_test(test_edges_189_190),
		cmocka_unit_test(test_run_across_the_summer),
		cmocka_unit_test(test_run_ended_the_day_before),
		cmocka_unit_test(test_known_at_the_sweep),
		cmocka_unit_test(test_lrv_only_when_leerplichtig),
		cmocka_unit_test(test_signals_in_the_period),
		cmocka_unit_test(test_quarter_dates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
