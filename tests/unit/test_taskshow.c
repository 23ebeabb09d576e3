/*
 * `tasks --show` (cli/taskshow.c): a task record is printed in one fixed
 * order whatever order Redis returns its fields in, with times in local
 * time.
 */
#include "testutil.h"

#include "taskshow.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static char *show(const struct task_field *f, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	assert_non_null(out);
	taskshow_print(out, f, n);
	fclose(out);
	return buf;
}

/* 1789200000000 ms = 2026-09-12 08:00:00 UTC */
static const struct task_field record[] = {
	{"json", "{\"rule\":\"mazl\"}"},
	{"swv.state", "open"},
	{"school.delivery", "delivered"},
	{"school.due", "1789200000000"},
	{"zz_future", "x"},
	{"created_ms", "1789200000000"},
	{"school.role", "school"},
	{"partners", "school,swv"},
	{"school.delivered_ms", "1789200001000"},
	{"student", "S-TEST-1"},
	{"swv.role", "swv"},
	{"school.state", "acked"},
	{"school.acked_ms", "not a number"},
	{"alpha_future", "y"},
};

static const char expected_amsterdam[] =
	"  student: S-TEST-1\n"
	"  created_ms: 2026-09-12 10:00:00 +0200\n"
	"  partners: school,swv\n"
	"  school.role: school\n"
	"  school.state: acked\n"
	"  school.due: 2026-09-12 10:00:00 +0200\n"
	"  school.delivery: delivered\n"
	"  school.delivered_ms: 2026-09-12 10:00:01 +0200\n"
	"  school.acked_ms: not a number\n"
	"  swv.role: swv\n"
	"  swv.state: open\n"
	"  alpha_future: y\n"
	"  zz_future: x\n"
	"  json: {\"rule\":\"mazl\"}\n";

static void test_fixed_order_local_time(void **state)
{
	(void)state;
	setenv("TZ", "Europe/Amsterdam", 1);
	tzset();
	size_t n = sizeof record / sizeof *record;
	char *a = show(record, n);
	assert_string_equal(a, expected_amsterdam);
	/* the same fields in the reverse order print the same */
	struct task_field rev[sizeof record / sizeof *record];
	for (size_t i = 0; i < n; i++)
		rev[i] = record[n - 1 - i];
	char *b = show(rev, n);
	assert_string_equal(a, b);
	free(a);
	free(b);
}

static void test_time_zone_followed(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	char buf[64];
	assert_string_equal(taskshow_local_time(1789200000000LL, buf, sizeof buf), "2026-09-12 08:00:00 +0000");
	setenv("TZ", "Europe/Amsterdam", 1);
	tzset();
	/* winter time */
	assert_string_equal(taskshow_local_time(1800000000000LL, buf, sizeof buf), "2027-01-15 09:00:00 +0100");
}

/* The JSON kept in chunks "j1".."j<jn>" prints as one "json", last. */
static void test_json_chunks_joined(void **state)
{
	(void)state;
	static const struct task_field chunked[] = {
		{"j2", "\"mazl\"}"}, {"student", "s1"}, {"jn", "2"}, {"j1", "{\"rule\":"}};
	char *text = show(chunked, 4);
	assert_string_equal(text, "  student: s1\n  json: {\"rule\":\"mazl\"}\n");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed_order_local_time),
		cmocka_unit_test(test_time_zone_followed),
		cmocka_unit_test(test_json_chunks_joined),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
