/*
 * Default routes (RULES.md "From signal to task"), the task entry layout the
 * commit script relies on, and the daemon's configuration sections.
 */
#include "due.h"
#include "testutil.h"

#include "cmdargs.h"
#include "dconfig.h"
#include "routing.h"
#include "entries.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static unsigned roles_of(enum rule_id rule, int level, int age)
{
	struct signal s;
	memset(&s, 0, sizeof s);
	s.rule = rule;
	s.level = level;
	s.age = age;
	return route_default_roles(&s, 18);
}

static const char *fmt(unsigned roles)
{
	static char buf[128];
	route_roles_format(roles, buf, sizeof buf);
	return buf;
}

static void test_default_routes(void **state)
{
	(void)state;
	assert_string_equal(fmt(roles_of(RULE_FIRST_MONTH, FM_ELEVATED, 12)), "school");
	assert_string_equal(fmt(roles_of(RULE_FIRST_MONTH, FM_HIGH, 12)), "school");
	assert_string_equal(fmt(roles_of(RULE_ATTENDANCE_TIER, AT_TIER2, 12)), "school");
	assert_string_equal(fmt(roles_of(RULE_ATTENDANCE_TIER, AT_TIER3, 12)), "school");
	assert_string_equal(fmt(roles_of(RULE_ATTENDANCE_TIER, AT_SEVERE, 12)), "school,swv");
	assert_string_equal(fmt(roles_of(RULE_MAZL, MAZL_FREQUENCY, 12)), "school");
	assert_string_equal(fmt(roles_of(RULE_MAZL, MAZL_DURATION, 12)), "school");
	assert_string_equal(fmt(roles_of(RULE_MAZL, MAZL_CONCERN, 12)), "school");
	assert_string_equal(fmt(roles_of(RULE_LEERPLICHT_16U, LEVEL_NONE, 12)),
			    "school,leerplicht");
	assert_string_equal(fmt(roles_of(RULE_LRV, RUN_4W, 12)), "leerplicht,swv");
	assert_string_equal(fmt(roles_of(RULE_LRV, RUN_3M, 12)), "leerplicht,swv,escalation");
	assert_string_equal(fmt(roles_of(RULE_LONG_SICK, RUN_4W, 12)), "swv");
	assert_string_equal(fmt(roles_of(RULE_LONG_SICK, RUN_3M, 12)), "swv,escalation");
	assert_string_equal(fmt(roles_of(RULE_LUXE, LEVEL_NONE, 12)), "leerplicht");
	assert_string_equal(fmt(roles_of(RULE_ABSOLUTE, LEVEL_NONE, -1)), "leerplicht");
}

static void test_adults_go_to_rmc(void **state)
{
	(void)state;
	assert_string_equal(fmt(roles_of(RULE_LEERPLICHT_16U, LEVEL_NONE, 18)), "school,rmc");
	assert_string_equal(fmt(roles_of(RULE_LEERPLICHT_16U, LEVEL_NONE, 17)),
			    "school,leerplicht");
	assert_string_equal(fmt(roles_of(RULE_LRV, RUN_4W, 19)), "rmc,swv");
	assert_string_equal(fmt(roles_of(RULE_LUXE, LEVEL_NONE, 18)), "rmc");
	/* age unknown: treated as under 18 */
	assert_string_equal(fmt(roles_of(RULE_LUXE, LEVEL_NONE, -1)), "leerplicht");
	/* routes without leerplicht are unchanged */
	assert_string_equal(fmt(roles_of(RULE_ATTENDANCE_TIER, AT_SEVERE, 19)), "school,swv");
	assert_string_equal(fmt(roles_of(RULE_LRV, RUN_3M, 18)), "rmc,swv,escalation");
}

/* Value of field name in a task's (count, field, value, ...) layout. */
static const char *task_field(const struct cmdargs *a, const char *name)
{
	int n = atoi(a->argv[0]);
	for (int i = 1; i + 1 <= n; i += 2)
		if (strcmp(a->argv[i], name) == 0)
			return a->argv[i + 1];
	return NULL;
}

static void test_task_layout(void **state)
{
	(void)state;
	struct signal s;
	memset(&s, 0, sizeof s);
	s.rule = RULE_LEERPLICHT_16U;
	s.level = LEVEL_NONE;
	strcpy(s.student, "p1");
	strcpy(s.school, "01AC");
	s.sector = SECTOR_VO;
	s.age = 14;
	s.date = tu_date("2026-09-29");
	s.period_key = s.date;
	s.facts[0] = (struct fact){"start", FACT_DATE, tu_date("2026-09-21")};
	s.facts[1] = (struct fact){"minutes", FACT_INT, 1000};
	s.nfacts = 2;
	struct cmdargs a;
	cmdargs_init(&a);
	/* 2026-11-22T10:00:00.250Z */
	int64_t now = (int64_t)tu_date("2026-11-22") * 86400000 + 10 * 3600000 + 250;
	task_append(&a, &s, "vs0123456789abcdef", route_default_roles(&s, 18), now, task_due_ms(NULL, now, 48, false), 48);
	/* the count covers exactly the pairs that follow */
	assert_int_equal(atoi(a.argv[0]), a.n - 1);
	assert_int_equal((a.n - 1) % 2, 0);
	/* the commit script expects ("id", id) first */
	assert_string_equal(a.argv[1], "id");
	assert_string_equal(a.argv[2], "vs0123456789abcdef");
	assert_string_equal(task_field(&a, "rule"), "leerplicht_16u");
	assert_null(task_field(&a, "level"));
	assert_string_equal(task_field(&a, "roles"), "school,leerplicht");
	assert_string_equal(task_field(&a, "facts"), "{\"start\":\"2026-09-21\",\"minutes\":1000}");
	assert_string_equal(task_field(&a, "created_at"), "2026-11-22T10:00:00.250Z");
	assert_string_equal(task_field(&a, "due_at"), "2026-11-24T10:00:00.250Z");
	assert_string_equal(task_field(&a, "age"), "14");
	assert_string_equal(task_field(&a, "sector"), "vo");
	cmdargs_free(&a);

	/* a rule with a level and an unknown age */
	memset(&s, 0, sizeof s);
	s.rule = RULE_MAZL;
	s.level = MAZL_FREQUENCY;
	s.age = -1;
	strcpy(s.student, "p2");
	strcpy(s.school, "01AC");
	s.date = s.period_key = tu_date("2026-10-20");
	cmdargs_init(&a);
	task_append(&a, &s, "vs0123456789abcdef", route_default_roles(&s, 18), now, task_due_ms(NULL, now, 48, false), 48);
	assert_int_equal(atoi(a.argv[0]), a.n - 1);
	assert_string_equal(task_field(&a, "trigger"), "frequency");
	assert_null(task_field(&a, "age"));
	cmdargs_free(&a);
}

/* Issue 10 item 6: the entry's due_at is the due time the partner is told
 * (task_due_ms): a Friday-noon task with working days on is due on Tuesday
 * noon in the entry, not on Sunday. */
static void test_entry_due_working_days(void **state)
{
	(void)state;
	setenv("TZ", "Europe/Amsterdam", 1);
	tzset();
	struct signal s;
	memset(&s, 0, sizeof s);
	s.rule = RULE_LUXE;
	s.level = LEVEL_NONE;
	s.age = 12;
	strcpy(s.student, "p3");
	strcpy(s.school, "01AB");
	s.date = s.period_key = tu_date("2026-11-20");
	struct dispatch_config dc = {.working_days = true, .duo_report_working_days = 5};
	int64_t fri = 1795172400000LL; /* Fri 2026-11-20 12:00 CET */
	struct cmdargs a;
	cmdargs_init(&a);
	task_append(&a, &s, "vs0123456789abcdef", route_default_roles(&s, 18), fri, task_due_ms(&dc, fri, 48, false), 48);
	assert_string_equal(task_field(&a, "due_at"), "2026-11-24T11:00:00.000Z");
	cmdargs_free(&a);
}

static void test_dead_letter_layout(void **state)
{
	(void)state;
	struct event_field f[2] = {{"kind", 4, "bogus", 5}, {"student", 7, "p1", 2}};
	struct cmdargs a;
	cmdargs_init(&a);
	dead_letter_append(&a, "1-0", "unknown_kind", "unknown kind", f, 2);
	assert_int_equal(atoi(a.argv[0]), a.n - 1);
	assert_string_equal(task_field(&a, "reason"), "unknown_kind");
	assert_string_equal(task_field(&a, "stream_id"), "1-0");
	assert_string_equal(task_field(&a, "field.kind"), "bogus");
	assert_string_equal(task_field(&a, "field.student"), "p1");
	assert_null(task_field(&a, "cut"));
	cmdargs_free(&a);
}

/* An entry beyond the dead-letter limits: its first DEAD_FIELDS_MAX fields
 * are kept, long names cut (with a unique suffix) and long values cut, and
 * the "cut" field and the message say so. Names are kept binary-safe. */
static void test_dead_letter_cut(void **state)
{
	(void)state;
	enum { N = 5000 };
	static char names[N][16];
	static struct event_field f[N];
	char longa[DEAD_NAME_MAX + 10], longb[DEAD_NAME_MAX + 10];
	memset(longa, 'n', sizeof longa);
	memset(longb, 'n', sizeof longb);
	longa[sizeof longa - 1] = 'A';
	longb[sizeof longb - 1] = 'B';
	static char big[DEAD_VALUE_MAX * 10];
	memset(big, 'y', sizeof big);
	for (int i = 0; i < N; i++) {
		int n = snprintf(names[i], sizeof names[i], "f%d", i);
		f[i] = (struct event_field){names[i], (size_t)n, "v", 1};
	}
	f[0] = (struct event_field){longa, sizeof longa, "1", 1};
	f[1] = (struct event_field){longb, sizeof longb, "2", 1};
	f[2] = (struct event_field){"z\0one", 5, big, sizeof big};
	f[3] = (struct event_field){"z\0two", 5, "4", 1};
	struct cmdargs a;
	cmdargs_init(&a);
	dead_letter_append(&a, "1-0", "unknown_field", "unknown field", f, N);
	assert_int_equal(atoi(a.argv[0]), a.n - 1);
	assert_int_equal(a.n - 1, (4 + DEAD_FIELDS_MAX) * 2);
	assert_string_equal(task_field(&a, "reason"), "unknown_field");
	assert_non_null(strstr(task_field(&a, "message"), "cut"));
	assert_string_equal(task_field(&a, "cut"),
			    "kept 100 of 5000 fields; 2 names cut to 128 bytes; 1 value cut to 1024 bytes");
	/* the original fields follow reason, message, stream_id and cut */
	const int first = 1 + 8;
	assert_int_equal(a.lens[first], 6 + DEAD_NAME_MAX + 2);
	assert_memory_equal(a.argv[first] + 6 + DEAD_NAME_MAX, "~1", 2);
	assert_memory_equal(a.argv[first + 2] + 6 + DEAD_NAME_MAX, "~2", 2);
	assert_int_equal(a.lens[first + 4], 11);
	assert_memory_equal(a.argv[first + 4], "field.z\0one", 11);
	assert_int_equal(a.lens[first + 5], DEAD_VALUE_MAX);
	assert_memory_equal(a.argv[first + 6], "field.z\0two", 11);
	for (int i = first; i < a.n; i += 2)
		for (int j = i + 2; j < a.n; j += 2)
			assert_false(a.lens[i] == a.lens[j] &&
				     memcmp(a.argv[i], a.argv[j], a.lens[i]) == 0);
	cmdargs_free(&a);
}

static void test_redis_address(void **state)
{
	(void)state;
	struct redis_config rc;
	redis_config_defaults(&rc);
	assert_int_equal(redis_config_parse_address(&rc, "unix:/tmp/r.sock"), 0);
	assert_string_equal(rc.unix_path, "/tmp/r.sock");
	assert_int_equal(redis_config_parse_address(&rc, "127.0.0.1:6380"), 0);
	assert_string_equal(rc.unix_path, "");
	assert_string_equal(rc.host, "127.0.0.1");
	assert_int_equal(rc.port, 6380);
	assert_int_equal(redis_config_parse_address(&rc, "[::1]:6380") == 0 ? 0 : -1, -1);
	assert_int_equal(redis_config_parse_address(&rc, "127.0.0.1:0"), -1);
	assert_int_equal(redis_config_parse_address(&rc, "127.0.0.1"), -1);
}

static void test_daemon_config_errors(void **state)
{
	(void)state;
	char path[] = "/tmp/vs-dconfig-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *text =
		"{\n"
		"  \"calendar\": \"" VS_SOURCE_DIR "/config/calendars/noord-2026-2027.json\",\n"
		"  \"daemon\": {\"partitions\": 0, \"sweep_clock\": \"sometimes\",\n"
		"             \"sweep_time\": \"25:00\", \"bogus\": 1}\n"
		"}\n";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	struct vsd_config cfg;
	char *errors = NULL;
	assert_int_equal(vsd_config_load(path, &cfg, &errors), -1);
	assert_non_null(errors);
	assert_non_null(strstr(errors, ":3:28: daemon.partitions: found 0; expected an integer from 1 to 1024"));
	assert_non_null(strstr(errors, ":3:46: daemon.sweep_clock: expected \"wall\" or \"events\""));
	assert_non_null(strstr(errors, ":4:28: daemon.sweep_time: moved to rules.sweep_time"));
	assert_non_null(strstr(errors, "daemon.bogus: unknown key"));
	free(errors);
	unlink(path);
}

/* daemon.stall_ms must leave an idle partition (one empty read every
 * block_ms) room to show progress. */
static void test_stall_ms_bounds(void **state)
{
	(void)state;
	static const struct {
		const char *daemon;
		const char *error; /* NULL: valid */
	} cases[] = {
		{"\"block_ms\": 1000, \"stall_ms\": 1999",
		 "daemon.stall_ms: expected at least twice daemon.block_ms (2000)"},
		{"\"block_ms\": 1000, \"stall_ms\": 2000", NULL},
		{"\"stall_ms\": 999", "daemon.stall_ms: found 999; expected an integer from 1000"},
		{"\"block_ms\": 100", NULL},
		{"\"read_batches\": 9", "daemon.read_batches: found 9; expected an integer from 1 to 8"},
		{"\"read_batches\": 0", "daemon.read_batches: found 0; expected an integer from 1 to 8"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char path[] = "/tmp/vs-dconfig-XXXXXX";
		int fd = mkstemp(path);
		assert_true(fd >= 0);
		char text[512];
		int n = snprintf(text, sizeof text,
				 "{\"calendar\": \"" VS_SOURCE_DIR
				 "/config/calendars/noord-2026-2027.json\",\n \"daemon\": {%s}}\n",
				 cases[i].daemon);
		assert_int_equal(write(fd, text, (size_t)n), n);
		close(fd);
		struct vsd_config cfg;
		memset(&cfg, 0, sizeof cfg);
		char *errors = NULL;
		int rc = vsd_config_load(path, &cfg, &errors);
		unlink(path);
		if (!cases[i].error) {
			assert_int_equal(rc, 0);
			assert_int_equal(cfg.daemon.stall_ms, i == 1 ? 2000 : 60000);
			assert_int_equal(cfg.daemon.read_batches, 3); /* the default */
			vsd_config_free(&cfg);
			continue;
		}
		assert_int_equal(rc, -1);
		assert_non_null(errors);
		assert_non_null(strstr(errors, cases[i].error));
		free(errors);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_routes),
		cmocka_unit_test(test_adults_go_to_rmc),
		cmocka_unit_test(test_task_layout),
		cmocka_unit_test(test_entry_due_working_days),
		cmocka_unit_test(test_dead_letter_layout),
		cmocka_unit_test(test_dead_letter_cut),
		cmocka_unit_test(test_redis_address),
		cmocka_unit_test(test_daemon_config_errors),
		cmocka_unit_test(test_stall_ms_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
