/*
 * test_years: the service across school years (RULES.md "Calendar and
 * school years", v2), with the shipped Noord 2026-2027 and 2027-2028
 * calendars.
 *
 * Boundaries: the last school day of 2026-2027 is Fri 2027-07-09, the first
 * of 2027-2028 Mon 2027-08-23; they are consecutive school days. Year
 * 2027-2028 has 206 school days; its 20th is Fri 2027-09-17, its 45th Fri
 * 2027-10-29 (autumn holiday 16-24 Oct).
 *
 * Per-year counting restarts on a year's first day (first_month,
 * attendance_tier, leerplicht_16u spans, mazl frequency windows); runs
 * (mazl duration, lrv, long_sick, luxe's previous day) continue over the
 * summer. Finished years are purged after the retention, but for what an
 * open run needs.
 */
#include "testutil.h"

#include "pupils.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNAUTH "kind=absent authorized=no"
#define AUTH "kind=absent authorized=yes"
#define SICK "kind=sick"
#define LUXE "kind=absent authorized=no reason=luxe"

static void setup_pupil(struct tu_pupil *p, enum rule_id rule)
{
	tu_pupil_init(p, NULL, NULL);
	tu_only(&p->rc, rule);
}

/* ---- the set of years ---- */

static void test_years_lookup(void **state)
{
	(void)state;
	struct school_years *ys = tu_noord_years();
	assert_int_equal(school_years_count(ys), 2);
	assert_string_equal(calendar_year(school_years_calendar(ys, 1)), "2027-2028");
	assert_int_equal(school_years_first_day(ys), tu_date("2026-08-17"));
	assert_int_equal(school_years_last_day(ys), tu_date("2028-07-14"));
	assert_int_equal(school_years_view(ys, 1, NULL)->n_school, 206);
	/* the year holding a date */
	assert_int_equal(school_years_index(ys, tu_date("2027-07-09")), 0);
	assert_int_equal(school_years_index(ys, tu_date("2027-07-10")), -1);
	assert_int_equal(school_years_index(ys, tu_date("2027-08-22")), -1);
	assert_int_equal(school_years_index(ys, tu_date("2027-08-23")), 1);
	assert_int_equal(school_years_index(ys, tu_date("2028-07-15")), -1);
	/* where an enrol or unenrol belongs: between two years, the next */
	assert_int_equal(school_years_index_next(ys, tu_date("2026-06-01")), 0);
	assert_int_equal(school_years_index_next(ys, tu_date("2027-07-09")), 0);
	assert_int_equal(school_years_index_next(ys, tu_date("2027-07-10")), 1);
	assert_int_equal(school_years_index_next(ys, tu_date("2027-08-22")), 1);
	assert_int_equal(school_years_index_next(ys, tu_date("2028-07-15")), -1);
	/* the summer between two years is skipped like a holiday */
	assert_int_equal(school_years_prev_school_day(ys, NULL, tu_date("2027-08-23")),
			 tu_date("2027-07-09"));
	assert_int_equal(school_years_prev_school_day(ys, NULL, tu_date("2027-08-01")),
			 tu_date("2027-07-09"));
	assert_int_equal(school_years_next_school_day(ys, NULL, tu_date("2027-07-09")),
			 tu_date("2027-08-23"));
	assert_int_equal(school_years_next_school_day(ys, NULL, tu_date("2027-07-20")),
			 tu_date("2027-08-23"));
	assert_int_equal(school_years_prev_school_day(ys, NULL, tu_date("2026-08-17")), DATE_NONE);
	assert_int_equal(school_years_next_school_day(ys, NULL, tu_date("2028-07-14")), DATE_NONE);
	assert_int_equal(school_years_ordinal(ys, NULL, tu_date("2027-07-09")), 205);
	assert_int_equal(school_years_ordinal(ys, NULL, tu_date("2027-08-23")), 206);
	assert_int_equal(school_years_ordinal(ys, NULL, tu_date("2027-08-22")), -1);
	/* a school's own closed day (01AB's study day) counts in its ordinals */
	assert_int_equal(school_years_ordinal(ys, "01AB", tu_date("2027-08-23")), 205);
	assert_int_equal(school_years_school_days_between(ys, NULL, tu_date("2027-07-05"),
							  tu_date("2027-08-27")),
			 10);
	assert_true(school_years_is_school_day(ys, NULL, tu_date("2027-08-23")));
	assert_false(school_years_is_school_day(ys, NULL, tu_date("2027-07-12")));
	char names[64];
	school_years_names(ys, names, sizeof names);
	assert_string_equal(names, "2026-2027, 2027-2028");
	/* a closure lands in the year holding it */
	assert_int_equal(school_years_close_day(ys, "02CD", tu_date("2027-09-01")), 0);
	assert_false(school_years_is_school_day(ys, "02CD", tu_date("2027-09-01")));
	assert_int_equal(school_years_close_day(ys, "02CD", tu_date("2027-07-20")), -1);
	school_years_free(ys);
}

static struct calendar *inline_calendar(const char *region, const char *first, const char *last)
{
	char text[256];
	snprintf(text, sizeof text, "{\"region\": \"%s\", \"first_day\": \"%s\", \"last_day\": \"%s\"}",
		 region, first, last);
	struct jconf jc;
	assert_int_equal(jconf_open_text(&jc, "c.json", text), 0);
	struct calendar *cal = calendar_from_json(&jc, jc.root, "");
	jconf_free(&jc);
	assert_non_null(cal);
	return cal;
}

static void expect_refused(struct school_years *ys, struct calendar *cal, const char *part)
{
	char err[300];
	assert_int_equal(school_years_append(ys, cal, err, sizeof err), -1);
	if (!strstr(err, part))
		fail_msg("message \"%s\" lacks \"%s\"", err, part);
}

static void test_years_must_be_consecutive(void **state)
{
	(void)state;
	struct school_years *ys = school_years_new();
	char err[300];
	assert_int_equal(school_years_append(ys, inline_calendar("noord", "2026-08-17",
								 "2027-07-09"),
					     err, sizeof err),
			 0);
	/* overlapping, out of order, more than a summer apart, another region */
	expect_refused(ys, inline_calendar("noord", "2027-07-09", "2028-07-14"),
		       "must start after the previous year's last day");
	expect_refused(ys, inline_calendar("noord", "2025-08-18", "2026-07-10"),
		       "must start after the previous year's last day");
	expect_refused(ys, inline_calendar("noord", "2028-08-21", "2029-07-13"),
		       "at most a summer between them");
	expect_refused(ys, inline_calendar("zuid", "2027-08-23", "2028-07-14"),
		       "same region");
	assert_int_equal(school_years_count(ys), 1);
	/* the day after is fine, and so is a long summer of 100 days */
	assert_int_equal(school_years_append(ys, inline_calendar("noord", "2027-07-10",
								 "2027-08-31"),
					     err, sizeof err),
			 0);
	assert_int_equal(school_years_append(ys, inline_calendar("noord", "2027-12-10",
								 "2028-07-14"),
					     err, sizeof err),
			 0);
	assert_int_equal(school_years_count(ys), 3);
	school_years_free(ys);
}

#define CONFIG_DIR VS_SOURCE_DIR "/config"

static void test_config_calendars(void **state)
{
	(void)state;
	struct vs_config cfg;
	char *errors = NULL;
	/* the shipped configuration names both years */
	assert_int_equal(config_load(CONFIG_DIR "/vroegsignaal.json", &cfg, &errors), 0);
	assert_int_equal(school_years_count(cfg.years), 2);
	config_free(&cfg);
	/* the older single key loads one year */
	assert_int_equal(config_load_text("t.json",
					  "{\"calendar\": \"calendars/noord-2027-2028.json\"}",
					  CONFIG_DIR, &cfg, &errors),
			 0);
	assert_int_equal(school_years_count(cfg.years), 1);
	assert_int_equal(school_years_first_day(cfg.years), tu_date("2027-08-23"));
	config_free(&cfg);
	/* out of order: named with file, line and column */
	assert_int_equal(config_load_text("t.json",
					  "{\"calendars\": [\"calendars/noord-2027-2028.json\",\n"
					  "  \"calendars/noord-2026-2027.json\"]}",
					  CONFIG_DIR, &cfg, &errors),
			 -1);
	assert_null(cfg.years);
	assert_non_null(strstr(errors, "t.json:2:3: calendars[1]: school year 2026-2027 "
				       "(first day 2026-08-17) must start after the previous "
				       "year's last day (2027-2028, last day 2028-07-14)"));
	free(errors);
	config_free(&cfg);
	/* both keys, or an empty list */
	assert_int_equal(config_load_text("t.json",
					  "{\"calendar\": \"calendars/noord-2026-2027.json\",\n"
					  " \"calendars\": [\"calendars/noord-2027-2028.json\"]}",
					  CONFIG_DIR, &cfg, &errors),
			 -1);
	assert_non_null(strstr(errors, "give either \"calendars\" or the older \"calendar\""));
	free(errors);
	config_free(&cfg);
	assert_int_equal(config_load_text("t.json", "{\"calendars\": []}", CONFIG_DIR, &cfg,
					  &errors),
			 -1);
	assert_non_null(strstr(errors, "t.json:1:15: calendars: expected a non-empty array"));
	free(errors);
	config_free(&cfg);
}

static int reason_of(const struct school_years *ys, const char *spec)
{
	struct registration r;
	struct event_error err;
	return tu_parse(ys, spec, &r, &err) == 0 ? EV_OK : (int)err.reason;
}

static void test_registrations_belong_to_a_year(void **state)
{
	(void)state;
	struct school_years *ys = tu_noord_years();
	/* day registrations: on a school day of some configured year */
	assert_int_equal(reason_of(ys, "student=s kind=sick date=2027-07-09"), EV_OK);
	assert_int_equal(reason_of(ys, "student=s kind=sick date=2027-08-23"), EV_OK);
	assert_int_equal(reason_of(ys, "student=s kind=sick date=2028-07-14"), EV_OK);
	assert_int_equal(reason_of(ys, "student=s kind=sick date=2027-07-12"),
			 EV_OUTSIDE_SCHOOL_YEAR);
	assert_int_equal(reason_of(ys, "student=s kind=concern date=2027-08-20"),
			 EV_OUTSIDE_SCHOOL_YEAR);
	assert_int_equal(reason_of(ys, "student=s kind=sick date=2026-08-14"),
			 EV_OUTSIDE_SCHOOL_YEAR);
	assert_int_equal(reason_of(ys, "student=s kind=sick date=2028-07-17"),
			 EV_OUTSIDE_SCHOOL_YEAR);
	assert_int_equal(reason_of(ys, "student=s kind=sick date=2027-10-18"), EV_NOT_SCHOOL_DAY);
	/* enrol and unenrol between two years belong to the next */
	assert_int_equal(reason_of(ys, "student=s kind=enrol date=2027-08-01"), EV_OK);
	assert_int_equal(reason_of(ys, "student=s kind=unenrol date=2027-07-20"), EV_OK);
	assert_int_equal(reason_of(ys, "student=s kind=unenrol date=2026-08-16"),
			 EV_OUTSIDE_SCHOOL_YEAR);
	assert_int_equal(reason_of(ys, "student=s kind=enrol date=2028-07-15"),
			 EV_OUTSIDE_SCHOOL_YEAR);
	struct registration r;
	struct event_error err;
	assert_int_equal(tu_parse(ys, "student=s kind=sick date=2027-07-12", &r, &err), -1);
	assert_string_equal(err.message,
			    "date lies outside the configured school years (2026-2027, 2027-2028)");
	school_years_free(ys);
}

/* ---- runs continue over the summer ---- */

static void test_lrv_run_over_the_summer(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, RULE_LRV);
	/* 10 school days at the end of 2026-2027, 10 at the start of 2027-2028 */
	tu_live(&p, "2027-06-28", "2027-09-02", UNAUTH);
	TU_EXPECT_NONE(&p, 0);
	tu_live(&p, "2027-09-03", "2027-09-03", UNAUTH);
	TU_EXPECT(&p, 0, {RULE_LRV, RUN_4W, "2027-09-03", "2027-06-28"});
	tu_assert_fact_date(tu_signal(&p, 0), "run_first", "2027-06-28");
	assert_int_equal(tu_fact(tu_signal(&p, 0), "days"), 20);
	tu_pupil_free(&p);
}

static void test_mazl_duration_over_the_summer(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, RULE_MAZL);
	/* Tue 6 .. Fri 9 July and Mon 23 .. Wed 25 August: the 7th day */
	tu_live(&p, "2027-07-06", "2027-08-24", SICK);
	TU_EXPECT_NONE(&p, 0);
	tu_live(&p, "2027-08-25", "2027-08-25", SICK);
	TU_EXPECT(&p, 0, {RULE_MAZL, MAZL_DURATION, "2027-08-25", "2027-07-06"});
	tu_pupil_free(&p);
}

static void test_long_sick_raised_in_june_counts_after_the_summer(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, RULE_LONG_SICK);
	/* 20 days from Mon 14 June; 45 more through Fri 29 October = 65 */
	tu_live(&p, "2027-06-14", "2027-10-28", SICK);
	TU_EXPECT(&p, 0, {RULE_LONG_SICK, RUN_4W, "2027-07-09", "2027-06-14"});
	tu_live(&p, "2027-10-29", "2027-10-29", SICK);
	TU_EXPECT(&p, 0, {RULE_LONG_SICK, RUN_4W, "2027-07-09", "2027-06-14"},
		  {RULE_LONG_SICK, RUN_3M, "2027-10-29", "2027-06-14"});
	assert_int_equal(tu_fact(tu_signal(&p, 1), "days"), 65);
	tu_pupil_free(&p);
}

static void test_luxe_previous_day_over_the_summer(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, RULE_LUXE);
	tu_apply(&p, "date=2027-07-09 " LUXE);
	TU_EXPECT(&p, 0, {RULE_LUXE, LEVEL_NONE, "2027-07-09", NULL});
	/* the previous school day of 23 August is 9 July: the same run */
	tu_apply(&p, "date=2027-08-23 " LUXE);
	assert_int_equal(p.out.n, 1);
	tu_pupil_free(&p);

	setup_pupil(&p, RULE_LUXE);
	tu_apply(&p, "date=2027-07-08 " LUXE);
	tu_apply(&p, "date=2027-08-23 " LUXE);
	TU_EXPECT(&p, 0, {RULE_LUXE, LEVEL_NONE, "2027-07-08", NULL},
		  {RULE_LUXE, LEVEL_NONE, "2027-08-23", NULL});
	tu_pupil_free(&p);
}

/* A late registration for the last school day of the old year joins a run
 * that started after the summer (the state's base moves back). */
static void test_late_registration_of_the_old_year(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, RULE_MAZL);
	pupil_state_free(&p.st);
	pupil_state_init(&p.st, tu_date("2027-08-23"));
	tu_live(&p, "2027-08-23", "2027-08-27", SICK);
	TU_EXPECT_NONE(&p, 0);
	tu_apply(&p, "date=2027-07-08 " SICK);
	TU_EXPECT_NONE(&p, 0);
	tu_apply(&p, "date=2027-07-09 " SICK);
	assert_int_equal(p.st.base, tu_date("2026-08-17"));
	tu_live(&p, "2027-08-30", "2027-08-30", SICK);
	/* 8 Jul .. 30 Aug = 8 days: one episode over the summer, raised once
	 * (when depends on how late registrations are evaluated) */
	assert_int_equal(tu_count(&p, RULE_MAZL, MAZL_DURATION), 1);
	assert_int_equal(tu_signal(&p, 0)->period_key, tu_date("2027-07-08"));
	tu_pupil_free(&p);
}

/* ---- per-year counting restarts ---- */

static void test_first_month_restarts(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, RULE_FIRST_MONTH);
	tu_apply_days(&p, "2026-08-17", "2026-08-18", SICK);
	TU_EXPECT(&p, 0, {RULE_FIRST_MONTH, FM_ELEVATED, "2026-08-18", "2026-08-17"});
	/* absent at the end of the year: none of it counts in the new one */
	tu_apply_days(&p, "2027-07-07", "2027-07-09", SICK);
	tu_live(&p, "2027-08-23", "2027-08-23", SICK);
	assert_int_equal(p.out.n, 1);
	tu_live(&p, "2027-08-24", "2027-08-24", SICK);
	TU_EXPECT(&p, 1, {RULE_FIRST_MONTH, FM_ELEVATED, "2027-08-24", "2027-08-23"});
	tu_assert_fact_date(tu_signal(&p, 1), "window_first", "2027-08-23");
	tu_assert_fact_date(tu_signal(&p, 1), "window_last", "2027-09-17");
	assert_int_equal(tu_fact(tu_signal(&p, 1), "absent_days"), 2);
	tu_pupil_free(&p);
}

static void test_attendance_tier_restarts(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, RULE_ATTENDANCE_TIER);
	/* absent the last 20 school days of 2026-2027: tier 2 that year */
	tu_live(&p, "2027-06-14", "2027-07-09", AUTH);
	assert_int_equal(tu_count(&p, RULE_ATTENDANCE_TIER, AT_TIER2), 1);
	size_t year1 = p.out.n;
	/* present after the summer: the new year's rate is 0 */
	tu_sweep(&p, "2027-08-23", "2027-10-29");
	TU_EXPECT_NONE(&p, year1);
	tu_pupil_free(&p);

	/* the same, and absent the first 3 days of 2027-2028: 15 % at day 20,
	 * tier 3 of the new year, keyed by its first day */
	setup_pupil(&p, RULE_ATTENDANCE_TIER);
	tu_live(&p, "2027-06-14", "2027-07-09", AUTH);
	year1 = p.out.n;
	tu_live(&p, "2027-08-23", "2027-08-25", AUTH);
	tu_sweep(&p, "2027-08-26", "2027-10-29");
	assert_int_equal(p.out.n, year1 + 1);
	const struct signal *s = tu_signal(&p, year1);
	assert_int_equal(s->rule, RULE_ATTENDANCE_TIER);
	assert_int_equal(s->level, AT_TIER3);
	assert_int_equal(s->period_key, tu_date("2027-08-23"));
	assert_int_equal(tu_fact(s, "missed_minutes"), 3 * 360);
	tu_pupil_free(&p);
}

static void test_mazl_frequency_window_restarts(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, RULE_MAZL);
	/* three sick reports in the last weeks of 2026-2027, one in the first
	 * week of 2027-2028: 4 within 12 lesson weeks only across years */
	tu_apply(&p, "date=2027-06-21 " SICK);
	tu_apply(&p, "date=2027-06-28 " SICK);
	tu_apply(&p, "date=2027-07-05 " SICK);
	tu_apply(&p, "date=2027-08-23 " SICK);
	TU_EXPECT_NONE(&p, 0);
	tu_apply(&p, "date=2027-08-30 " SICK);
	tu_apply(&p, "date=2027-09-06 " SICK);
	TU_EXPECT_NONE(&p, 0);
	tu_apply(&p, "date=2027-09-13 " SICK);
	TU_EXPECT(&p, 0, {RULE_MAZL, MAZL_FREQUENCY, "2027-09-13", NULL});
	assert_int_equal(tu_fact(tu_signal(&p, 0), "sick_reports"), 4);
	tu_assert_fact_date(tu_signal(&p, 0), "first_report", "2027-08-23");
	tu_pupil_free(&p);
}

static void test_leerplicht_16u_span_restarts(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, RULE_LEERPLICHT_16U);
	/* 720 minutes at the end of 2026-2027, 360 on the first day of
	 * 2027-2028: 1,080 only across years */
	tu_live(&p, "2027-07-08", "2027-07-09", UNAUTH);
	tu_live(&p, "2027-08-23", "2027-08-24", UNAUTH);
	TU_EXPECT_NONE(&p, 0);
	tu_live(&p, "2027-08-25", "2027-08-25", UNAUTH);
	TU_EXPECT(&p, 0, {RULE_LEERPLICHT_16U, LEVEL_NONE, "2027-08-25", NULL});
	tu_assert_fact_date(tu_signal(&p, 0), "start", "2027-08-23");
	assert_int_equal(tu_fact(tu_signal(&p, 0), "minutes"), 1080);
	tu_pupil_free(&p);
}

/* An enrol dated in the summer belongs to the new year: the old year's
 * days before it count for nothing, so no run reaches back over them. */
static void test_enrol_between_years(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, RULE_MAZL);
	tu_live(&p, "2027-07-05", "2027-07-09", SICK);
	tu_apply(&p, "date=2027-08-01 kind=enrol");
	tu_live(&p, "2027-08-23", "2027-08-30", SICK);
	TU_EXPECT_NONE(&p, 0);
	tu_live(&p, "2027-08-31", "2027-08-31", SICK);
	TU_EXPECT(&p, 0, {RULE_MAZL, MAZL_DURATION, "2027-08-31", "2027-08-23"});
	tu_pupil_free(&p);
}

/* An unenrol without destination dated in the summer raises `absolute`. */
static void test_unenrol_in_the_summer(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, RULE_ABSOLUTE);
	tu_apply(&p, "date=2027-07-20 kind=unenrol");
	TU_EXPECT(&p, 0, {RULE_ABSOLUTE, LEVEL_NONE, "2027-07-20", NULL});
	tu_pupil_free(&p);
}

/* ---- purging finished years ---- */

static void test_purge_keeps_the_open_run(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, RULE_LONG_SICK);
	tu_apply(&p, "date=2026-09-01 " SICK);
	tu_apply(&p, "date=2027-03-01 kind=late minutes=10");
	/* sick from 14 June to the last day: 4w raised, the run open */
	tu_live(&p, "2027-06-14", "2027-07-09", SICK);
	assert_int_equal(p.out.n, 1);
	uint32_t nregs = p.st.nregs;
	bool empty = true;
	/* within the retention nothing goes */
	assert_false(rules_purge(&p.env, &p.st, tu_date("2027-08-08"), 30, &empty));
	assert_false(empty);
	assert_int_equal(p.st.nregs, nregs);
	/* after it, all but the run */
	assert_true(rules_purge(&p.env, &p.st, tu_date("2027-08-09"), 30, &empty));
	assert_false(empty);
	assert_int_equal(p.st.nregs, 20);
	assert_int_equal(p.st.kept_from, tu_date("2027-06-14"));
	assert_int_equal(p.st.base, tu_date("2027-06-14"));
	assert_true(pupil_mark_exists(&p.st, RULE_LONG_SICK, RUN_4W));
	/* the purged record round-trips; one whose kept_from is not its base
	 * is no record encode writes */
	size_t n = pupil_state_encoded_size(&p.st);
	uint8_t *buf = xmalloc(n);
	pupil_state_encode(&p.st, buf);
	struct pupil_state d;
	const char *why = NULL;
	assert_int_equal(pupil_state_decode(buf, n, &d, &why), 0);
	assert_int_equal(d.kept_from, tu_date("2027-06-14"));
	assert_int_equal(d.nregs, 20);
	pupil_state_free(&d);
	/* version 3 has no kept_from of its own (a flag: set, and then equal
	 * to the base); a version 2 record holds one */
	free(buf);
	buf = tu_state_encode_v2(&p.st, &n);
	assert_int_equal(pupil_state_decode(buf, n, &d, &why), 0);
	assert_int_equal(d.kept_from, tu_date("2027-06-14"));
	pupil_state_free(&d);
	buf[8] ^= 1; /* kept_from's lowest byte */
	uint32_t c = crc32_ieee(buf, n - 4);
	for (int i = 0; i < 4; i++)
		buf[n - 4 + i] = (uint8_t)(c >> (8 * i));
	assert_int_equal(pupil_state_decode(buf, n, &d, &why), -1);
	assert_string_equal(why, "bad kept_from");
	free(buf);
	/* again: nothing more to do */
	assert_false(rules_purge(&p.env, &p.st, tu_date("2027-08-20"), 30, &empty));
	/* the run goes on and is still the run that raised 4w */
	tu_live(&p, "2027-08-23", "2027-10-29", SICK);
	TU_EXPECT(&p, 1, {RULE_LONG_SICK, RUN_3M, "2027-10-29", "2027-06-14"});
	/* a registration of the purged part counts for nothing */
	n = p.out.n;
	nregs = p.st.nregs;
	tu_apply(&p, "date=2027-06-11 " SICK);
	assert_int_equal(p.st.nregs, nregs);
	assert_int_equal(p.out.n, n);
	tu_pupil_free(&p);
}

static void test_purge_empties_a_finished_pupil(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, RULE_MAZL);
	tu_apply(&p, "date=2026-08-10 kind=enrol");
	tu_live(&p, "2027-06-01", "2027-06-09", SICK); /* a finished episode */
	assert_int_equal(p.out.n, 1);
	bool empty = false;
	assert_true(rules_purge(&p.env, &p.st, tu_date("2027-10-08"), 90, &empty));
	assert_true(empty);
	assert_int_equal(p.st.nregs, 0);
	assert_int_equal(p.st.nmarks, 0);
	tu_pupil_free(&p);

	/* data of the new year keeps the record */
	setup_pupil(&p, RULE_MAZL);
	tu_apply(&p, "date=2027-06-01 " SICK);
	tu_apply(&p, "date=2027-09-01 " SICK);
	assert_true(rules_purge(&p.env, &p.st, tu_date("2027-10-08"), 90, &empty));
	assert_false(empty);
	assert_int_equal(p.st.nregs, 1);
	tu_pupil_free(&p);

	/* so does an enrolment in the new year */
	setup_pupil(&p, RULE_MAZL);
	tu_apply(&p, "date=2027-06-01 " SICK);
	tu_apply(&p, "date=2027-08-23 kind=enrol");
	assert_true(rules_purge(&p.env, &p.st, tu_date("2027-10-08"), 90, &empty));
	assert_false(empty);
	tu_pupil_free(&p);
}

/* ---- state records of format version 1 ---- */

/* A version 1 record: the version 2 encoding without kept_from. */
static uint8_t *as_version1(const struct pupil_state *st, size_t *len)
{
	size_t n;
	uint8_t *b = tu_state_encode_v2(st, &n);
	assert_int_equal(b[2], 2);
	memmove(b + 8, b + 12, n - 12);
	n -= 4;
	b[2] = 1;
	uint32_t c = crc32_ieee(b, n - 4);
	for (int i = 0; i < 4; i++)
		b[n - 4 + i] = (uint8_t)(c >> (8 * i));
	*len = n;
	return b;
}

static void test_state_version1_is_read(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_pupil(&p, RULE_MAZL);
	tu_apply(&p, "date=2026-08-10 kind=enrol birth_date=2012-03-04");
	tu_live(&p, "2027-06-30", "2027-07-09", SICK);
	assert_int_equal(p.out.n, 1);
	size_t n;
	uint8_t *v1 = as_version1(&p.st, &n);
	struct pupil_state d;
	const char *why = NULL;
	if (pupil_state_decode(v1, n, &d, &why) != 0)
		fail_msg("a version 1 record was refused: %s", why);
	assert_int_equal(d.base, tu_date("2026-08-17"));
	assert_int_equal(d.kept_from, DATE_NONE);
	assert_int_equal(d.enrol, tu_date("2026-08-10"));
	assert_int_equal(d.birth, tu_date("2012-03-04"));
	assert_int_equal(d.nregs, p.st.nregs);
	assert_memory_equal(d.regs, p.st.regs, d.nregs * sizeof *d.regs);
	assert_int_equal(d.nmarks, p.st.nmarks);
	assert_memory_equal(d.marks, p.st.marks, d.nmarks * sizeof *d.marks);
	/* written back as the current version, which decodes to the same */
	size_t n2 = pupil_state_encoded_size(&d);
	uint8_t *v2 = xmalloc(n2);
	pupil_state_encode(&d, v2);
	assert_int_equal(v2[2], STATE_FORMAT_VERSION);
	struct pupil_state d2;
	assert_int_equal(pupil_state_decode(v2, n2, &d2, &why), 0);
	assert_int_equal(d2.base, d.base);
	assert_int_equal(d2.nregs, d.nregs);
	assert_memory_equal(d2.regs, d.regs, d.nregs * sizeof *d.regs);
	assert_int_equal(d2.nmarks, d.nmarks);
	assert_memory_equal(d2.marks, d.marks, d.nmarks * sizeof *d.marks);
	pupil_state_free(&d2);
	/* and the decoded record goes on into the next year: the run continues */
	pupil_state_free(&p.st);
	p.st = d;
	tu_live(&p, "2027-08-23", "2027-08-23", SICK);
	assert_int_equal(p.out.n, 1); /* the episode raised duration in July */
	free(v2);
	/* a version 1 record's offsets stay within one year */
	v1[35 - 4] = 0x91; /* first registration's day: 401 (0x191) */
	v1[36 - 4] = 0x01;
	uint32_t c = crc32_ieee(v1, n - 4);
	for (int i = 0; i < 4; i++)
		v1[n - 4 + i] = (uint8_t)(c >> (8 * i));
	assert_int_equal(pupil_state_decode(v1, n, &d, &why), -1);
	assert_string_equal(why, "bad registration");
	pupil_state_free(&d);
	free(v1);
	tu_pupil_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_years_lookup),
		cmocka_unit_test(test_years_must_be_consecutive),
		cmocka_unit_test(test_config_calendars),
		cmocka_unit_test(test_registrations_belong_to_a_year),
		cmocka_unit_test(test_lrv_run_over_the_summer),
		cmocka_unit_test(test_mazl_duration_over_the_summer),
		cmocka_unit_test(test_long_sick_raised_in_june_counts_after_the_summer),
		cmocka_unit_test(test_luxe_previous_day_over_the_summer),
		cmocka_unit_test(test_late_registration_of_the_old_year),
		cmocka_unit_test(test_first_month_restarts),
		cmocka_unit_test(test_attendance_tier_restarts),
		cmocka_unit_test(test_mazl_frequency_window_restarts),
		cmocka_unit_test(test_leerplicht_16u_span_restarts),
		cmocka_unit_test(test_enrol_between_years),
		cmocka_unit_test(test_unenrol_in_the_summer),
		cmocka_unit_test(test_purge_keeps_the_open_run),
		cmocka_unit_test(test_purge_empties_a_finished_pupil),
		cmocka_unit_test(test_state_version1_is_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
