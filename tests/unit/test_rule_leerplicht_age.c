/*
 * Compulsory school age (RULES.md v2): a pupil is leerplichtig at d from the
 * first day of the month after the 5th birthday (birth date unknown counts
 * as leerplichtig; born 29 February: the birthday is 1 March in common
 * years). The leerplicht rules (leerplicht_16u, lrv, luxe, absolute) are
 * evaluated only at such days, and days before count for nothing in them.
 *
 * Born 2021-09-10: 5 on Thu 2026-09-10, leerplichtig from Thu 2026-10-01.
 */
#include "testutil.h"

#define UNAUTH "kind=absent authorized=no"
#define BORN_SEP "birth_date=2021-09-10"
#define BORN_AUG "birth_date=2021-08-31" /* leerplichtig from 2026-09-01 */

static void setup(struct tu_pupil *p, const char *student, enum rule_id rule, const char *extra)
{
	tu_pupil_init(p, student, NULL);
	tu_only(&p->rc, rule);
	snprintf(p->extra, sizeof p->extra, "%s", extra);
}

static void test_absolute_the_day_before_at_and_after(void **state)
{
	(void)state;
	static const struct {
		const char *student, *date, *extra;
		bool raised;
	} cases[] = {
		{"before", "2026-09-30", BORN_SEP, false},
		{"at", "2026-10-01", BORN_SEP, true},
		{"after", "2026-10-02", BORN_SEP, true},
		{"unknown", "2026-09-30", "", true},
		{"aug", "2026-09-01", BORN_AUG, true},
		{"aug-before", "2026-08-31", BORN_AUG, false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct tu_pupil p;
		setup(&p, cases[i].student, RULE_ABSOLUTE, cases[i].extra);
		tu_apply(&p, "date=%s kind=unenrol", cases[i].date);
		if (cases[i].raised)
			TU_EXPECT(&p, 0, {RULE_ABSOLUTE, LEVEL_NONE, cases[i].date, NULL});
		else
			TU_EXPECT_NONE(&p, 0);
		tu_pupil_free(&p);
	}
}

static void test_16u_counts_from_the_first_leerplichtig_day(void **state)
{
	(void)state;
	/* po (960): Mon-Wed Sep 28-30 make 1080 minutes, all before Oct 1. */
	struct tu_pupil p;
	setup(&p, "p", RULE_LEERPLICHT_16U, "sector=po " BORN_SEP);
	tu_live(&p, "2026-09-28", "2026-09-30", UNAUTH);
	TU_EXPECT_NONE(&p, 0);
	/* Oct 1 (the first day) and Oct 2: 720; Sep 28-30 count for nothing. */
	tu_live(&p, "2026-10-01", "2026-10-02", UNAUTH);
	TU_EXPECT_NONE(&p, 0);
	tu_live(&p, "2026-10-05", "2026-10-05", UNAUTH);
	TU_EXPECT(&p, 0, {RULE_LEERPLICHT_16U, LEVEL_NONE, "2026-10-05", NULL});
	tu_assert_fact_date(tu_signal(&p, 0), "start", "2026-10-01");
	assert_int_equal(tu_fact(tu_signal(&p, 0), "minutes"), 1080);
	tu_pupil_free(&p);

	/* Leerplichtig since Sep 1: the same days are reported on Sep 30. */
	struct tu_pupil q;
	setup(&q, "q", RULE_LEERPLICHT_16U, "sector=po " BORN_AUG);
	tu_live(&q, "2026-09-28", "2026-09-30", UNAUTH);
	TU_EXPECT(&q, 0, {RULE_LEERPLICHT_16U, LEVEL_NONE, "2026-09-30", NULL});
	tu_assert_fact_date(tu_signal(&q, 0), "start", "2026-09-28");
	tu_pupil_free(&q);
}

static void test_lrv_run_starts_at_compulsory_age(void **state)
{
	(void)state;
	/* Unauthorised every school day from Aug 17: the run that counts starts
	 * Oct 1; its 20th school day is Wed Nov 4 (autumn holiday Oct 12-16). */
	struct tu_pupil p;
	setup(&p, "p", RULE_LRV, BORN_SEP);
	tu_live(&p, "2026-08-17", "2026-11-03", UNAUTH);
	TU_EXPECT_NONE(&p, 0);
	tu_live(&p, "2026-11-04", "2026-11-04", UNAUTH);
	TU_EXPECT(&p, 0, {RULE_LRV, RUN_4W, "2026-11-04", "2026-10-01"});
	assert_int_equal(tu_fact(tu_signal(&p, 0), "days"), 20);
	tu_pupil_free(&p);

	/* Birth date unknown: leerplichtig, the run starts Aug 17. */
	struct tu_pupil q;
	setup(&q, "q", RULE_LRV, "");
	tu_live(&q, "2026-08-17", "2026-09-11", UNAUTH);
	TU_EXPECT(&q, 0, {RULE_LRV, RUN_4W, "2026-09-11", "2026-08-17"});
	tu_pupil_free(&q);
}

static void test_luxe_before_compulsory_age(void **state)
{
	(void)state;
	/* Luxe Tue Sep 29 - Fri Oct 2: nothing before Oct 1; on Oct 1 the
	 * previous school day lies before compulsory school age, so Oct 1
	 * starts the run. */
	struct tu_pupil p;
	setup(&p, "p", RULE_LUXE, BORN_SEP);
	tu_live(&p, "2026-09-29", "2026-09-30", UNAUTH " reason=luxe");
	TU_EXPECT_NONE(&p, 0);
	tu_live(&p, "2026-10-01", "2026-10-02", UNAUTH " reason=luxe");
	TU_EXPECT(&p, 0, {RULE_LUXE, LEVEL_NONE, "2026-10-01", NULL});
	tu_assert_fact_date(tu_signal(&p, 0), "first_day", "2026-10-01");
	tu_pupil_free(&p);
}

static void test_other_rules_whatever_the_age(void **state)
{
	(void)state;
	/* A four-year-old's sickness is still the school's and the jeugdarts'
	 * concern: mazl is no leerplicht rule. */
	struct tu_pupil p;
	setup(&p, "p", RULE_MAZL, BORN_SEP);
	tu_live(&p, "2026-08-17", "2026-08-25", "kind=sick");
	TU_EXPECT(&p, 0, {RULE_MAZL, MAZL_DURATION, "2026-08-25", "2026-08-17"});
	tu_pupil_free(&p);
}

static void test_born_29_february(void **state)
{
	(void)state;
	/* With leerplicht_age 7 the boundary falls in this calendar: born
	 * 2020-02-29, 7 on 1 March 2027 (a common year), leerplichtig from
	 * Thu 1 April 2027; born 2020-02-28, from Mon 1 March 2027. */
	static const struct {
		const char *student, *birth, *date;
		bool raised;
	} cases[] = {
		{"leap-before", "2020-02-29", "2027-03-31", false},
		{"leap-march", "2020-02-29", "2027-03-01", false},
		{"leap-at", "2020-02-29", "2027-04-01", true},
		{"feb28-before", "2020-02-28", "2027-02-28", false},
		{"feb28-at", "2020-02-28", "2027-03-01", true},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct tu_pupil p;
		setup(&p, cases[i].student, RULE_ABSOLUTE, "");
		p.rc.leerplicht_age = 7;
		snprintf(p.extra, sizeof p.extra, "birth_date=%s", cases[i].birth);
		tu_apply(&p, "date=%s kind=unenrol", cases[i].date);
		if (cases[i].raised)
			TU_EXPECT(&p, 0, {RULE_ABSOLUTE, LEVEL_NONE, cases[i].date, NULL});
		else
			TU_EXPECT_NONE(&p, 0);
		tu_pupil_free(&p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_absolute_the_day_before_at_and_after),
		cmocka_unit_test(test_16u_counts_from_the_first_leerplichtig_day),
		cmocka_unit_test(test_lrv_run_starts_at_compulsory_age),
		cmocka_unit_test(test_luxe_before_compulsory_age),
		cmocka_unit_test(test_other_rules_whatever_the_age),
		cmocka_unit_test(test_born_29_february),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
