/*
 * luxe (RULES.md): on a registration dated d, when d holds an `absent
 * authorized=no` registration with reason=luxe (the configured reason) and
 * the previous school day holds none; once per run. Period key: the run's
 * first day. Never in the sweep.
 *
 * absolute: an `unenrol` without destination for a pupil under 18 (or of
 * unknown age). Period key: the date. Never in the sweep.
 */
#include "testutil.h"

#define LUXE "kind=absent authorized=no reason=luxe"
#define UNAUTH "kind=absent authorized=no"

static void setup_pupil(struct tu_pupil *p, const char *student, enum rule_id rule)
{
	tu_pupil_init(p, student, NULL);
	tu_only(&p->rc, rule);
}

/* ---- luxe ---- */

static void test_luxe_on_the_first_day_of_a_run(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, NULL, RULE_LUXE);
	assert_int_equal(tu_apply(&p, "date=2026-10-19 " LUXE), 1);
	TU_EXPECT(&p, 0, {RULE_LUXE, LEVEL_NONE, "2026-10-19", NULL});
	tu_assert_fact_date(tu_signal(&p, 0), "first_day", "2026-10-19");
	assert_int_equal(tu_apply(&p, "date=2026-10-20 " LUXE), 0);
	assert_int_equal(tu_apply(&p, "date=2026-10-21 " LUXE), 0);
	/* At school on Thu Oct 22; a new run on Fri Oct 23. */
	assert_int_equal(tu_apply(&p, "date=2026-10-23 " LUXE), 1);
	TU_EXPECT(&p, 1, {RULE_LUXE, LEVEL_NONE, "2026-10-23", NULL});
	tu_pupil_free(&p);
}

static void test_luxe_run_across_the_holiday(void **state)
{
	(void)state;
	/* Fri Oct 9 and Mon Oct 19: the autumn holiday lengthened, one run. */
	struct tu_pupil p;
	setup_pupil(&p, NULL, RULE_LUXE);
	tu_apply(&p, "date=2026-10-09 " LUXE);
	tu_apply(&p, "date=2026-10-19 " LUXE);
	TU_EXPECT(&p, 0, {RULE_LUXE, LEVEL_NONE, "2026-10-09", NULL});
	tu_pupil_free(&p);
}

static void test_luxe_needs_the_reason_and_no_authorisation(void **state)
{
	(void)state;
	static const char *const specs[] = {
		"kind=absent authorized=no reason=vakantie",
		"kind=absent authorized=no",
		"kind=absent authorized=yes reason=luxe",
		"kind=sick reason=luxe",
		"kind=late minutes=30 reason=luxe",
		"kind=absent authorized=no reason=Luxe",
	};
	for (size_t i = 0; i < sizeof specs / sizeof *specs; i++) {
		struct tu_pupil p;
		setup_pupil(&p, NULL, RULE_LUXE);
		tu_apply(&p, "date=2026-10-19 %s", specs[i]);
		TU_EXPECT_NONE(&p, 0);
		tu_pupil_free(&p);
	}
}

static void test_luxe_lesson_hour(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, NULL, RULE_LUXE);
	assert_int_equal(tu_apply(&p, "date=2026-10-19 period=7 " LUXE), 1);
	TU_EXPECT(&p, 0, {RULE_LUXE, LEVEL_NONE, "2026-10-19", NULL});
	tu_pupil_free(&p);
}

static void test_luxe_run_extended_backwards_raises_once(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, NULL, RULE_LUXE);
	tu_apply(&p, "date=2026-10-20 " LUXE);
	TU_EXPECT(&p, 0, {RULE_LUXE, LEVEL_NONE, "2026-10-20", NULL});
	/* Mon Oct 19 registered late: same run. */
	assert_int_equal(tu_apply(&p, "date=2026-10-19 " LUXE), 0);
	assert_int_equal(p.out.n, 1);
	tu_pupil_free(&p);
}

static void test_luxe_not_in_the_sweep(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, NULL, RULE_LUXE);
	tu_apply(&p, "date=2026-10-19 " LUXE);
	tu_apply(&p, "date=2026-10-20 " LUXE);
	/* Oct 19 corrected: Oct 20 now starts a run, but only a registration
	 * dated Oct 20 would evaluate luxe there. */
	tu_apply(&p, "date=2026-10-19 kind=present");
	tu_sweep(&p, "2026-10-19", "2026-10-30");
	TU_EXPECT(&p, 0, {RULE_LUXE, LEVEL_NONE, "2026-10-19", NULL});
	/* Oct 21's previous school day (Oct 20) holds one: nothing. */
	assert_int_equal(tu_apply(&p, "date=2026-10-21 " LUXE), 0);
	tu_pupil_free(&p);
}

static void test_luxe_after_a_correction(void **state)
{
	(void)state;
	/* The previous school day no longer holds one: a new run. */
	struct tu_pupil p;
	setup_pupil(&p, NULL, RULE_LUXE);
	tu_apply(&p, "date=2026-10-19 " LUXE);
	tu_apply(&p, "date=2026-10-19 kind=present");
	assert_int_equal(tu_apply(&p, "date=2026-10-20 " LUXE), 1);
	TU_EXPECT(&p, 0, {RULE_LUXE, LEVEL_NONE, "2026-10-19", NULL},
		  {RULE_LUXE, LEVEL_NONE, "2026-10-20", NULL});
	tu_pupil_free(&p);
}

static void test_luxe_and_enrolment(void **state)
{
	(void)state;
	/* Enrolled Tue Oct 20: Oct 19 counts for nothing, so Oct 20 starts. */
	struct tu_pupil p;
	setup_pupil(&p, NULL, RULE_LUXE);
	tu_apply(&p, "date=2026-10-20 kind=enrol");
	assert_int_equal(tu_apply(&p, "date=2026-10-19 " LUXE), 0);
	assert_int_equal(tu_apply(&p, "date=2026-10-20 " LUXE), 1);
	TU_EXPECT(&p, 0, {RULE_LUXE, LEVEL_NONE, "2026-10-20", NULL});
	tu_pupil_free(&p);
}

static void test_luxe_configured(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, NULL, RULE_LUXE);
	snprintf(p.rc.luxe.reason, sizeof p.rc.luxe.reason, "vakantie");
	tu_apply(&p, "date=2026-10-19 " LUXE);
	TU_EXPECT_NONE(&p, 0);
	tu_apply(&p, "date=2026-10-21 kind=absent authorized=no reason=vakantie");
	TU_EXPECT(&p, 0, {RULE_LUXE, LEVEL_NONE, "2026-10-21", NULL});
	tu_pupil_free(&p);

	struct tu_pupil off;
	setup_pupil(&off, "off", RULE_LUXE);
	off.rc.luxe.enabled = false;
	tu_apply(&off, "date=2026-10-19 " LUXE);
	TU_EXPECT_NONE(&off, 0);
	tu_pupil_free(&off);
}

/* ---- absolute ---- */

static void test_absolute_unenrol_without_destination(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, NULL, RULE_ABSOLUTE);
	assert_int_equal(tu_apply(&p, "date=2026-09-01 kind=unenrol"), 1);
	TU_EXPECT(&p, 0, {RULE_ABSOLUTE, LEVEL_NONE, "2026-09-01", NULL});
	tu_assert_fact_date(tu_signal(&p, 0), "unenrolled_on", "2026-09-01");
	assert_int_equal(tu_signal(&p, 0)->age, -1);
	tu_pupil_free(&p);

	struct tu_pupil dest;
	setup_pupil(&dest, "dest", RULE_ABSOLUTE);
	tu_apply(&dest, "date=2026-09-01 kind=unenrol destination=02BC");
	TU_EXPECT_NONE(&dest, 0);
	tu_pupil_free(&dest);

	/* An empty destination is no destination (docs/rules.md). */
	struct tu_pupil empty;
	setup_pupil(&empty, "empty", RULE_ABSOLUTE);
	tu_apply(&empty, "date=2026-09-01 kind=unenrol destination=");
	TU_EXPECT(&empty, 0, {RULE_ABSOLUTE, LEVEL_NONE, "2026-09-01", NULL});
	tu_pupil_free(&empty);
}

static void test_absolute_age(void **state)
{
	(void)state;
	static const struct {
		const char *birth;
		const char *date;
		int adult_age;
		bool due;
	} cases[] = {
		{"2008-09-01", "2026-09-01", 18, false}, /* 18 on the day */
		{"2008-09-02", "2026-09-01", 18, true},  /* 18 tomorrow */
		{"2012-03-15", "2026-09-01", 18, true},
		{"2009-09-01", "2026-09-01", 17, false}, /* configured: 17 is adult */
		{"2009-09-02", "2026-09-01", 17, true},
		/* Born on 29 February: the birthday counts on 1 March in 2027. */
		{"2012-02-29", "2027-02-28", 15, true},
		{"2012-02-29", "2027-03-01", 15, false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct tu_pupil p;
		setup_pupil(&p, NULL, RULE_ABSOLUTE);
		p.rc.adult_age = cases[i].adult_age;
		tu_apply(&p, "date=%s kind=unenrol birth_date=%s", cases[i].date, cases[i].birth);
		if (cases[i].due)
			TU_EXPECT(&p, 0, {RULE_ABSOLUTE, LEVEL_NONE, cases[i].date, NULL});
		else
			TU_EXPECT_NONE(&p, 0);
		tu_pupil_free(&p);
	}

	/* The birth date from an earlier registration. */
	struct tu_pupil q;
	setup_pupil(&q, "q", RULE_ABSOLUTE);
	tu_apply(&q, "date=2026-08-17 kind=sick birth_date=2008-01-01");
	tu_apply(&q, "date=2026-09-01 kind=unenrol");
	TU_EXPECT_NONE(&q, 0);
	tu_pupil_free(&q);
}

static void test_absolute_on_a_day_without_school(void **state)
{
	(void)state;
	/* Sat Oct 10, in the autumn holiday. */
	struct tu_pupil p;
	setup_pupil(&p, NULL, RULE_ABSOLUTE);
	assert_int_equal(tu_apply(&p, "date=2026-10-10 kind=unenrol"), 1);
	TU_EXPECT(&p, 0, {RULE_ABSOLUTE, LEVEL_NONE, "2026-10-10", NULL});
	tu_pupil_free(&p);
}

static void test_absolute_once_per_date(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, NULL, RULE_ABSOLUTE);
	struct registration r = tu_pupil_reg(&p, "date=2026-09-01 kind=unenrol");
	assert_int_equal(tu_apply_reg(&p, &r), 1);
	assert_int_equal(tu_apply_reg(&p, &r), 0);
	assert_int_equal(tu_apply(&p, "date=2026-09-01 kind=unenrol"), 0);
	/* Data on the day and the sweep: still one. */
	tu_apply(&p, "date=2026-09-01 kind=sick");
	tu_sweep(&p, "2026-08-17", "2026-09-30");
	assert_int_equal(p.out.n, 1);
	assert_int_equal(tu_apply(&p, "date=2026-09-02 kind=unenrol"), 1);
	TU_EXPECT(&p, 1, {RULE_ABSOLUTE, LEVEL_NONE, "2026-09-02", NULL});
	tu_pupil_free(&p);
}

static void test_absolute_and_enrolment(void **state)
{
	(void)state;
	/* Unenrolled, then enrolled elsewhere: the unenrol stands. */
	struct tu_pupil a;
	setup_pupil(&a, "a", RULE_ABSOLUTE);
	tu_apply(&a, "date=2026-08-17 kind=enrol");
	tu_apply(&a, "date=2026-09-01 kind=unenrol");
	tu_apply(&a, "date=2026-10-01 kind=enrol school=02BC");
	TU_EXPECT(&a, 0, {RULE_ABSOLUTE, LEVEL_NONE, "2026-09-01", NULL});
	tu_pupil_free(&a);

	/* An unenrol dated before the (latest) enrolment counts for nothing. */
	struct tu_pupil b;
	setup_pupil(&b, "b", RULE_ABSOLUTE);
	tu_apply(&b, "date=2026-10-01 kind=enrol");
	tu_apply(&b, "date=2026-09-01 kind=unenrol");
	TU_EXPECT_NONE(&b, 0);
	tu_pupil_free(&b);

	struct tu_pupil off;
	setup_pupil(&off, "off", RULE_ABSOLUTE);
	off.rc.absolute.enabled = false;
	tu_apply(&off, "date=2026-09-01 kind=unenrol");
	TU_EXPECT_NONE(&off, 0);
	tu_pupil_free(&off);
}

static void test_unenrol_does_not_end_the_state(void **state)
{
	(void)state;
	/* After an unenrol the day rules keep counting. */
	struct tu_pupil p;
	tu_pupil_init(&p, NULL, NULL);
	tu_only(&p.rc, RULE_ABSOLUTE);
	p.rc.mazl.enabled = true;
	tu_live(&p, "2026-08-17", "2026-08-21", "kind=sick");
	tu_apply(&p, "date=2026-08-21 kind=unenrol");
	tu_live(&p, "2026-08-24", "2026-08-25", "kind=sick");
	TU_EXPECT(&p, 0, {RULE_ABSOLUTE, LEVEL_NONE, "2026-08-21", NULL},
		  {RULE_MAZL, MAZL_DURATION, "2026-08-25", "2026-08-17"});
	tu_pupil_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_luxe_on_the_first_day_of_a_run),
		cmocka_unit_test(test_luxe_run_across_the_holiday),
		cmocka_unit_test(test_luxe_needs_the_reason_and_no_authorisation),
		cmocka_unit_test(test_luxe_lesson_hour),
		cmocka_unit_test(test_luxe_run_extended_backwards_raises_once),
		cmocka_unit_test(test_luxe_not_in_the_sweep),
		cmocka_unit_test(test_luxe_after_a_correction),
		cmocka_unit_test(test_luxe_and_enrolment),
		cmocka_unit_test(test_luxe_configured),
		cmocka_unit_test(test_absolute_unenrol_without_destination),
		cmocka_unit_test(test_absolute_age),
		cmocka_unit_test(test_absolute_on_a_day_without_school),
		cmocka_unit_test(test_absolute_once_per_date),
		cmocka_unit_test(test_absolute_and_enrolment),
		cmocka_unit_test(test_unenrol_does_not_end_the_state),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
