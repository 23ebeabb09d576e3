/*
 * test_config: loading the configuration file: the shipped file gives the
 * RULES.md defaults, and every kind of mistake is reported with file, line,
 * column and path.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONFIG_DIR VS_SOURCE_DIR "/config"
#define CAL_LINE "  \"calendar\": \"calendars/noord-2026-2027.json\",\n"

static void assert_rules_md_defaults(const struct rules_config *rc)
{
	assert_int_equal(rc->full_day_minutes, 360);
	assert_int_equal(rc->period_minutes, 50);
	assert_int_equal(rc->adult_age, 18);
	assert_int_equal(rc->leerplicht_age, 5);
	assert_true(rc->first_month.enabled);
	assert_int_equal(rc->first_month.days, 20);
	assert_int_equal(rc->first_month.elevated, 2);
	assert_int_equal(rc->first_month.high, 5);
	assert_true(rc->attendance_tier.enabled);
	assert_int_equal(rc->attendance_tier.min_enrolled_days, 20);
	assert_int_equal(rc->attendance_tier.persist_days, 10);
	assert_int_equal(rc->attendance_tier.tier2_bp, 500);
	assert_int_equal(rc->attendance_tier.tier3_bp, 1000);
	assert_int_equal(rc->attendance_tier.severe_bp, 2000);
	assert_true(rc->mazl.enabled);
	assert_int_equal(rc->mazl.frequency_reports, 4);
	assert_int_equal(rc->mazl.frequency_weeks, 12);
	assert_int_equal(rc->mazl.duration_days, 7);
	assert_true(rc->mazl.concern);
	assert_true(rc->leerplicht_16u.enabled);
	assert_int_equal(rc->leerplicht_16u.minutes[SECTOR_PO], 960);
	assert_int_equal(rc->leerplicht_16u.minutes[SECTOR_SO], 960);
	assert_int_equal(rc->leerplicht_16u.minutes[SECTOR_VO], 800);
	assert_int_equal(rc->leerplicht_16u.minutes[SECTOR_VSO], 800);
	assert_int_equal(rc->leerplicht_16u.minutes[SECTOR_MBO], 960);
	assert_int_equal(rc->leerplicht_16u.weeks, 4);
	assert_int_equal(rc->leerplicht_16u.min_gap_days, 7);
	assert_false(rc->leerplicht_16u.report_18plus);
	assert_true(rc->lrv.enabled);
	assert_int_equal(rc->lrv.days_4w, 20);
	assert_int_equal(rc->lrv.days_3m, 65);
	assert_true(rc->long_sick.enabled);
	assert_int_equal(rc->long_sick.days_4w, 20);
	assert_int_equal(rc->long_sick.days_3m, 65);
	assert_true(rc->luxe.enabled);
	assert_string_equal(rc->luxe.reason, "luxe");
	assert_true(rc->absolute.enabled);
}

static void test_defaults(void **state)
{
	(void)state;
	struct rules_config rc;
	rules_config_defaults(&rc);
	assert_rules_md_defaults(&rc);
}

static void test_load_shipped_config(void **state)
{
	(void)state;
	struct vs_config cfg;
	char *errors = (char *)1;
	assert_int_equal(config_load(CONFIG_DIR "/vroegsignaal.json", &cfg, &errors), 0);
	assert_null(errors);
	assert_non_null(cfg.years);
	assert_string_equal(cfg.path, CONFIG_DIR "/vroegsignaal.json");
	assert_rules_md_defaults(&cfg.rules);
	struct rules_config def;
	rules_config_defaults(&def);
	assert_memory_equal(&cfg.rules, &def, sizeof def);
	const struct cal_view *v = calendar_view(school_years_calendar(cfg.years, 0), NULL);
	assert_string_equal(calendar_region(school_years_calendar(cfg.years, 0)), "noord");
	assert_int_equal(v->first_day, tu_date("2026-08-17"));
	assert_int_equal(v->last_day, tu_date("2027-07-09"));
	assert_int_equal(v->n_school, 206);
	assert_int_equal(calendar_view(school_years_calendar(cfg.years, 0), "01AB")->n_school, 205);
	/* the document stays open for the other sections */
	assert_non_null(json_object_get(cfg.doc.root, "rules"));
	config_free(&cfg);
}

static void test_empty_rules_keep_defaults(void **state)
{
	(void)state;
	struct vs_config cfg;
	char *errors = NULL;
	const char *text = "{" CAL_LINE "\"rules\": {}, \"redis\": {\"x\": 1}}";
	assert_int_equal(config_load_text("t.json", text, CONFIG_DIR, &cfg, &errors), 0);
	assert_null(errors);
	assert_rules_md_defaults(&cfg.rules);
	config_free(&cfg);
}

static void test_changed_values(void **state)
{
	(void)state;
	struct vs_config cfg;
	char *errors = NULL;
	int rc = config_load_text(
		"t.json",
		"{" CAL_LINE
		"  \"rules\": {\"full_day_minutes\": 300, \"period_minutes\": 45, \"adult_age\": 23,\n"
		"    \"first_month\": {\"enabled\": false, \"days\": 15, \"elevated\": 3,\n"
		"                    \"high\": 6},\n"
		"    \"leerplicht_age\": 6,\n"
		"    \"attendance_tier\": {\"min_enrolled_days\": 10, \"tier2_pct\": 4.5,\n"
		"                        \"persist_days\": 5,\n"
		"                        \"tier3_pct\": 9.99, \"severe_pct\": 25},\n"
		"    \"mazl\": {\"frequency_reports\": 3, \"frequency_weeks\": 10,\n"
		"             \"duration_days\": 5, \"concern\": false},\n"
		"    \"leerplicht_16u\": {\"minutes\": 600, \"weeks\": 3, \"min_gap_days\": 0,\n"
		"                       \"report_18plus\": true},\n"
		"    \"lrv\": {\"4w\": 15, \"3m\": 60}, \"long_sick\": {\"enabled\": false},\n"
		"    \"luxe\": {\"reason\": \"vakantie\"}, \"absolute\": {\"enabled\": false}}}\n",
		CONFIG_DIR, &cfg, &errors);
	if (rc != 0)
		fail_msg("%s", errors);
	const struct rules_config *r = &cfg.rules;
	assert_int_equal(r->full_day_minutes, 300);
	assert_int_equal(r->period_minutes, 45);
	assert_int_equal(r->adult_age, 23);
	assert_false(r->first_month.enabled);
	assert_int_equal(r->first_month.days, 15);
	assert_int_equal(r->first_month.elevated, 3);
	assert_int_equal(r->first_month.high, 6);
	assert_int_equal(r->attendance_tier.min_enrolled_days, 10);
	assert_int_equal(r->attendance_tier.persist_days, 5);
	assert_int_equal(r->leerplicht_age, 6);
	assert_int_equal(r->attendance_tier.tier2_bp, 450);
	assert_int_equal(r->attendance_tier.tier3_bp, 999);
	assert_int_equal(r->attendance_tier.severe_bp, 2500);
	assert_int_equal(r->mazl.frequency_reports, 3);
	assert_int_equal(r->mazl.frequency_weeks, 10);
	assert_int_equal(r->mazl.duration_days, 5);
	assert_false(r->mazl.concern);
	assert_true(r->mazl.enabled);
	for (int sec = 0; sec < SECTOR_COUNT; sec++)
		assert_int_equal(r->leerplicht_16u.minutes[sec], 600);
	assert_int_equal(r->leerplicht_16u.weeks, 3);
	assert_int_equal(r->leerplicht_16u.min_gap_days, 0);
	assert_true(r->leerplicht_16u.report_18plus);
	assert_int_equal(r->lrv.days_4w, 15);
	assert_int_equal(r->lrv.days_3m, 60);
	assert_false(r->long_sick.enabled);
	assert_int_equal(r->long_sick.days_4w, 20);
	assert_int_equal(r->long_sick.days_3m, 65);
	assert_string_equal(r->luxe.reason, "vakantie");
	assert_true(r->luxe.enabled);
	assert_false(r->absolute.enabled);
	config_free(&cfg);
}

/* Loads text (relative calendar names resolve in config/) and expects
 * exactly the given errors. */
static void expect_errors(const char *text, const char *expected)
{
	struct vs_config cfg;
	char *errors = NULL;
	int rc = config_load_text("t.json", text, CONFIG_DIR, &cfg, &errors);
	if (rc == 0) {
		config_free(&cfg);
		fail_msg("accepted; expected:\n%s", expected);
	}
	assert_int_equal(rc, -1);
	assert_null(cfg.years);
	assert_non_null(errors);
	assert_string_equal(errors, expected);
	free(errors);
	config_free(&cfg);
}

/* census.min_pupils: 5 unless set; 0 and other keys are refused. */
static void test_census_min_pupils(void **state)
{
	(void)state;
	struct vs_config cfg;
	char *errors = NULL;
	assert_int_equal(config_load_text("t.json", "{\"calendars\": [\"calendars/noord-2026-2027.json\"]}",
					  CONFIG_DIR, &cfg, &errors), 0);
	assert_int_equal(cfg.census_min_pupils, 5);
	config_free(&cfg);
	assert_int_equal(config_load_text("t.json", "{\"calendars\": [\"calendars/noord-2026-2027.json\"], "
					  "\"census\": {\"min_pupils\": 10}}",
					  CONFIG_DIR, &cfg, &errors), 0);
	assert_int_equal(cfg.census_min_pupils, 10);
	config_free(&cfg);
	assert_int_not_equal(config_load_text("t.json", "{\"calendars\": [\"calendars/noord-2026-2027.json\"], "
					      "\"census\": {\"min_pupils\": 0, \"x\": 1}}",
					      CONFIG_DIR, &cfg, &errors), 0);
	assert_non_null(strstr(errors, "census.min_pupils"));
	assert_non_null(strstr(errors, "census.x: unknown key"));
	free(errors);
	config_free(&cfg);
}

static void test_wrong_types(void **state)
{
	(void)state;
	expect_errors("{\n" CAL_LINE
		      "  \"rules\": {\n"
		      "    \"full_day_minutes\": \"360\",\n"
		      "    \"lrv\": {\"enabled\": \"yes\"},\n"
		      "    \"attendance_tier\": {\"tier2_pct\": \"5\"},\n"
		      "    \"luxe\": {\"reason\": 7},\n"
		      "    \"mazl\": [],\n"
		      "    \"absolute\": {\"enabled\": 1}\n"
		      "  }\n"
		      "}\n",
		      "t.json:4:25: rules.full_day_minutes: found a string; expected an integer "
		      "from 1 to 1440\n"
		      "t.json:6:38: rules.attendance_tier.tier2_pct: found a string; expected a "
		      "percentage from 0 to 100\n"
		      "t.json:8:13: rules.mazl: found an array; expected an object\n"
		      "t.json:5:24: rules.lrv.enabled: found a string; expected true or false\n"
		      "t.json:7:24: rules.luxe.reason: found an integer; expected a string\n"
		      "t.json:9:29: rules.absolute.enabled: found an integer; expected true or "
		      "false\n");
	expect_errors("{" CAL_LINE "\"rules\": 5}",
		      "t.json:2:10: rules: found an integer; expected an object\n");
	expect_errors("[1, 2]", "t.json:1:1: (document): found an array; expected an object\n");
}

static void test_out_of_range(void **state)
{
	(void)state;
	expect_errors("{\n" CAL_LINE
		      "  \"rules\": {\"period_minutes\": 0, \"adult_age\": 31,\n"
		      "            \"mazl\": {\"frequency_weeks\": 61},\n"
		      "            \"leerplicht_16u\": {\"min_gap_days\": -1},\n"
		      "            \"attendance_tier\": {\"severe_pct\": 100.5}}\n"
		      "}\n",
		      "t.json:3:31: rules.period_minutes: found 0; expected an integer from 1 to "
		      "1440\n"
		      "t.json:3:47: rules.adult_age: found 31; expected an integer from 12 to 30\n"
		      "t.json:6:47: rules.attendance_tier.severe_pct: found 100.5; expected a "
		      "percentage from 0 to 100\n"
		      "t.json:4:41: rules.mazl.frequency_weeks: found 61; expected an integer "
		      "from 1 to 60\n"
		      "t.json:5:48: rules.leerplicht_16u.min_gap_days: found -1; expected an "
		      "integer from 0 to 366\n");
	expect_errors("{" CAL_LINE "\"rules\": {\"luxe\": {\"reason\": \"\"}}}",
		      "t.json:2:30: rules.luxe.reason: expected 1 to 31 characters\n");
	expect_errors("{" CAL_LINE "\"rules\": {\"attendance_tier\": {\"tier2_pct\": 5.555}}}",
		      "t.json:2:44: rules.attendance_tier.tier2_pct: found 5.555; expected at most "
		      "two decimals\n");
}

/* leerplicht_16u.minutes per sector: an object sets the sectors it names. */
static void test_sector_minutes(void **state)
{
	(void)state;
	struct vs_config cfg;
	char *errors = NULL;
	int rc = config_load_text("t.json",
				  "{" CAL_LINE "\"rules\": {\"leerplicht_16u\": "
				  "{\"minutes\": {\"vo\": 750, \"mbo\": 900}}}}",
				  CONFIG_DIR, &cfg, &errors);
	if (rc != 0)
		fail_msg("%s", errors);
	const int *m = cfg.rules.leerplicht_16u.minutes;
	assert_int_equal(m[SECTOR_PO], 960);
	assert_int_equal(m[SECTOR_SO], 960);
	assert_int_equal(m[SECTOR_VO], 750);
	assert_int_equal(m[SECTOR_VSO], 800);
	assert_int_equal(m[SECTOR_MBO], 900);
	config_free(&cfg);
	expect_errors("{" CAL_LINE "\"rules\": {\"leerplicht_16u\": "
		      "{\"minutes\": {\"vwo\": 800, \"po\": 0}}}}",
		      "t.json:2:49: rules.leerplicht_16u.minutes.vwo: unknown key; expected one "
		      "of: po, so, vo, vso, mbo\n"
		      "t.json:2:60: rules.leerplicht_16u.minutes.po: found 0; expected an integer "
		      "from 1 to 100000\n");
	expect_errors("{" CAL_LINE "\"rules\": {\"attendance_tier\": {\"persist_days\": 0}}}",
		      "t.json:2:47: rules.attendance_tier.persist_days: found 0; expected an "
		      "integer from 1 to 200\n");
}

static void test_unknown_keys(void **state)
{
	(void)state;
	expect_errors("{\n" CAL_LINE
		      "  \"rules\": {\"lrv\": {\"5w\": 30}, \"full_day\": 360},\n"
		      "  \"redis\": {},\n"
		      "  \"colour\": \"blue\"\n"
		      "}\n",
		      "t.json:5:13: colour: unknown key; expected one of: calendar, calendars, rules, redis, "
		      "daemon, partners, routes, http, connectors, operations, schools, dispatch, templates, census, ids\n"
		      "t.json:3:44: rules.full_day: unknown key; expected one of: "
		      "full_day_minutes, period_minutes, adult_age, leerplicht_age, first_month, "
		      "attendance_tier, "
		      "mazl, leerplicht_16u, lrv, long_sick, luxe, absolute, sweep_time\n"
		      "t.json:3:27: rules.lrv.5w: unknown key; expected one of: enabled, 4w, 3m\n");
}

static void test_tier_order(void **state)
{
	(void)state;
	expect_errors("{\n" CAL_LINE
		      "  \"rules\": {\n"
		      "    \"attendance_tier\": {\"tier2_pct\": 10, \"tier3_pct\": 5}\n"
		      "  }\n"
		      "}\n",
		      "t.json:4:24: rules.attendance_tier: expected tier2_pct < tier3_pct < "
		      "severe_pct\n");
	/* equal bands are out of order too */
	expect_errors("{" CAL_LINE "\"rules\": {\"attendance_tier\": {\"tier3_pct\": 20}}}",
		      "t.json:2:30: rules.attendance_tier: expected tier2_pct < tier3_pct < "
		      "severe_pct\n");
	expect_errors("{" CAL_LINE "\"rules\": {\"first_month\": {\"high\": 2}}}",
		      "t.json:2:26: rules.first_month: \"high\" (2) must be greater than "
		      "\"elevated\" (2)\n");
}

static void test_3m_not_above_4w(void **state)
{
	(void)state;
	expect_errors("{\n" CAL_LINE
		      "  \"rules\": {\n"
		      "    \"lrv\": {\"4w\": 20, \"3m\": 20},\n"
		      "    \"long_sick\": {\"3m\": 19}\n"
		      "  }\n"
		      "}\n",
		      "t.json:4:12: rules.lrv: \"3m\" (20) must be greater than \"4w\" (20)\n"
		      "t.json:5:18: rules.long_sick: \"3m\" (19) must be greater than \"4w\" (20)\n");
	expect_errors("{" CAL_LINE "\"rules\": {\"lrv\": {\"4w\": 70}}}",
		      "t.json:2:18: rules.lrv: \"3m\" (65) must be greater than \"4w\" (70)\n");
}

static void test_several_errors_at_once(void **state)
{
	(void)state;
	expect_errors("{\n"
		      "  \"calendar\": {\"first_day\": \"2026-08-17\", \"last_day\": \"2027-07-09\",\n"
		      "               \"holidays\": [{\"from\": \"2026-10-18\", "
		      "\"to\": \"2026-10-10\"}],\n"
		      "               \"closed_days\": [\"2027-13-01\"]},\n"
		      "  \"rules\": {\"full_day_minutes\": 2000,\n"
		      "            \"lrv\": {\"4w\": 0},\n"
		      "            \"mazl\": {\"concern\": \"yes\", \"extra\": 1}},\n"
		      "  \"http\": {}\n"
		      "}\n",
		      "t.json:5:33: rules.full_day_minutes: found 2000; expected an integer from 1 "
		      "to 1440\n"
		      "t.json:7:49: rules.mazl.extra: unknown key; expected one of: enabled, "
		      "frequency_reports, frequency_weeks, duration_days, concern\n"
		      "t.json:7:33: rules.mazl.concern: found a string; expected true or false\n"
		      "t.json:6:27: rules.lrv.4w: found 0; expected an integer from 1 to 400\n"
		      "t.json:3:58: calendar.holidays[0].to: expected a date on or after "
		      "\"from\"\n"
		      "t.json:4:32: calendar.closed_days[0]: expected a date YYYY-MM-DD\n");
}

static void test_inline_calendar(void **state)
{
	(void)state;
	struct vs_config cfg;
	char *errors = NULL;
	int rc = config_load_text(
		"t.json",
		"{\n"
		"  \"calendar\": {\"region\": \"test\", \"school_year\": \"2026-2027\",\n"
		"               \"first_day\": \"2026-08-17\", \"last_day\": \"2027-07-09\",\n"
		"               \"holidays\": [{\"name\": \"h\", \"from\": \"2026-10-10\",\n"
		"                              \"to\": \"2026-10-18\"}],\n"
		"               \"schools\": {\"02CD\": {\"closed_days\": [\"2026-09-01\"]}}},\n"
		"  \"rules\": {\"lrv\": {\"enabled\": false}}\n"
		"}\n",
		NULL, &cfg, &errors);
	if (rc != 0)
		fail_msg("%s", errors);
	assert_null(errors);
	assert_non_null(cfg.years);
	assert_string_equal(calendar_region(school_years_calendar(cfg.years, 0)), "test");
	assert_string_equal(calendar_year(school_years_calendar(cfg.years, 0)), "2026-2027");
	const struct cal_view *v = calendar_view(school_years_calendar(cfg.years, 0), NULL);
	assert_int_equal(v->n_school, 230);
	assert_false(cal_is_school_day(v, tu_date("2026-10-12")));
	assert_true(cal_is_school_day(v, tu_date("2026-12-21")));
	assert_int_equal(calendar_view(school_years_calendar(cfg.years, 0), "02CD")->n_school, 229);
	assert_false(cfg.rules.lrv.enabled);
	assert_int_equal(cfg.rules.lrv.days_4w, 20);
	config_free(&cfg);

	expect_errors("{\"calendar\": {\"first_day\": \"2026-08-17\",\n"
		      "              \"last_day\": \"2026-08-01\"}}",
		      "t.json:2:27: calendar.last_day: expected a date after first_day, at most "
		      "400 days later\n");
	expect_errors("{\"calendar\": 5}",
		      "t.json:1:14: calendar: found an integer; expected an object\n");
}

static void test_missing_calendar(void **state)
{
	(void)state;
	expect_errors("{\n"
		      "  \"calendar\": \"calendars/missing.json\",\n"
		      "  \"rules\": {}\n"
		      "}\n",
		      "t.json:2:15: calendar: cannot load the calendar file " CONFIG_DIR
		      "/calendars/missing.json\n" CONFIG_DIR
		      "/calendars/missing.json: cannot open: No such file or directory\n");
	expect_errors("{\"rules\": {}}",
		      "t.json:1:1: (document): missing \"calendars\": an array of calendars (file "
		      "names or objects) of consecutive school years\n");
	/* rule errors and the calendar file's errors together */
	expect_errors("{\n"
		      "  \"calendar\": \"/nonexistent/cal.json\",\n"
		      "  \"rules\": {\"adult_age\": 1}\n"
		      "}\n",
		      "t.json:3:26: rules.adult_age: found 1; expected an integer from 12 to 30\n"
		      "t.json:2:15: calendar: cannot load the calendar file /nonexistent/cal.json\n"
		      "/nonexistent/cal.json: cannot open: No such file or directory\n");
}

/* config_load resolves the calendar next to the configuration file and
 * passes the calendar file's own positions through. */
static void test_calendar_file_errors(void **state)
{
	(void)state;
	char dir[] = "/tmp/vs-test-config-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char cfg_path[128], cal_path[128];
	snprintf(cfg_path, sizeof cfg_path, "%s/vs.json", dir);
	snprintf(cal_path, sizeof cal_path, "%s/cal.json", dir);
	FILE *f = fopen(cfg_path, "w");
	assert_non_null(f);
	fputs("{\"calendar\": \"cal.json\"}\n", f);
	fclose(f);
	f = fopen(cal_path, "w");
	assert_non_null(f);
	fputs("{\n  \"first_day\": \"2026-08-17\",\n  \"last_day\": \"2027-07-09\",\n"
	      "  \"closed_days\": [\"2027-07-10\"]\n}\n",
	      f);
	fclose(f);

	struct vs_config cfg;
	char *errors = NULL;
	assert_int_equal(config_load(cfg_path, &cfg, &errors), -1);
	char expected[1024];
	snprintf(expected, sizeof expected,
		 "%s:1:14: calendar: cannot load the calendar file %s\n"
		 "%s:4:19: closed_days[0]: date lies outside the school year\n",
		 cfg_path, cal_path, cal_path);
	assert_string_equal(errors, expected);
	free(errors);
	config_free(&cfg);

	/* fixed, it loads */
	f = fopen(cal_path, "w");
	assert_non_null(f);
	fputs("{\"first_day\": \"2026-08-17\", \"last_day\": \"2027-07-09\"}\n", f);
	fclose(f);
	errors = NULL;
	assert_int_equal(config_load(cfg_path, &cfg, &errors), 0);
	assert_null(errors);
	assert_int_equal(calendar_view(school_years_calendar(cfg.years, 0), NULL)->n_school, 235);
	config_free(&cfg);

	assert_int_equal(unlink(cal_path), 0);
	assert_int_equal(unlink(cfg_path), 0);
	assert_int_equal(rmdir(dir), 0);
}

static void test_missing_and_broken_file(void **state)
{
	(void)state;
	struct vs_config cfg;
	char *errors = NULL;
	assert_int_equal(config_load("/nonexistent/vs.json", &cfg, &errors), -1);
	assert_string_equal(errors, "/nonexistent/vs.json: cannot open: No such file or directory\n");
	free(errors);
	config_free(&cfg);

	errors = NULL;
	assert_int_equal(config_load_text("t.json", "{\"rules\": {,}}", NULL, &cfg, &errors), -1);
	assert_string_equal(errors, "t.json:1:12: string or '}' expected near ','\n");
	free(errors);
	config_free(&cfg);
}

/* ids.secret_file (issue 10 item 5): resolved relative to the
 * configuration's directory (an absolute path as given); loading does not
 * read it (only the daemon and replay do, connectors/signing.c), so a
 * missing file is not a configuration error here; no section, no path. */
static void test_ids_secret_file(void **state)
{
	(void)state;
	struct vs_config cfg;
	char *errors = NULL;
	int rc = config_load_text("t.json", "{\"calendars\": [\"" CONFIG_DIR "/calendars/noord-2026-2027.json\"], \"ids\": {\"secret_file\": \"ids.secret\"}}", "/etc/vs-test", &cfg,
				  &errors);
	if (rc)
		print_error("%s", errors);
	assert_int_equal(rc, 0);
	assert_string_equal(cfg.ids_secret_file, "/etc/vs-test/ids.secret");
	assert_null(cfg.ids_secret);
	config_free(&cfg);

	assert_int_equal(config_load_text("t.json", "{\"calendars\": [\"" CONFIG_DIR "/calendars/noord-2026-2027.json\"], \"ids\": {\"secret_file\": \"/srv/x/ids.secret\"}}", "/etc/vs-test", &cfg, &errors), 0);
	assert_string_equal(cfg.ids_secret_file, "/srv/x/ids.secret");
	config_free(&cfg);

	assert_int_equal(config_load_text("t.json", "{\"calendars\": [\"" CONFIG_DIR "/calendars/noord-2026-2027.json\"]}", "/etc/vs-test", &cfg, &errors), 0);
	assert_null(cfg.ids_secret_file);
	config_free(&cfg);

	assert_int_equal(config_load_text("t.json", "{\"calendars\": [\"" CONFIG_DIR "/calendars/noord-2026-2027.json\"], \"ids\": {\"secret\": \"x\"}}", "/etc/vs-test",
					  &cfg, &errors), -1);
	assert_non_null(strstr(errors, "secret_file"));
	free(errors);
	config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_load_shipped_config),
		cmocka_unit_test(test_empty_rules_keep_defaults),
		cmocka_unit_test(test_changed_values),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_sector_minutes),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_census_min_pupils),
		cmocka_unit_test(test_tier_order),
		cmocka_unit_test(test_3m_not_above_4w),
		cmocka_unit_test(test_several_errors_at_once),
		cmocka_unit_test(test_inline_calendar),
		cmocka_unit_test(test_missing_calendar),
		cmocka_unit_test(test_calendar_file_errors),
		cmocka_unit_test(test_missing_and_broken_file),
		cmocka_unit_test(test_ids_secret_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
