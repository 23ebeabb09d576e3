/*
 * recordjson (store/recordjson.c): the record JSON's member names one byte
 * each, as store/lua/record.lua codes them (the byte-for-byte comparison
 * with the script is in tests/integration/scripts_each.sh), and back
 * through rd_task_json (daemon/rdecode.c) to the same JSON.
 */
#include "testutil.h"

#include "rdecode.h"
#include "recordjson.h"

#include <stdlib.h>
#include <string.h>

/* rd_task_json's view of a record holding coded in "j1" with "jk" 1 */
static const char *one_chunk(const void *ctx, const char *name)
{
	if (strcmp(name, "jk") == 0)
		return "1";
	if (strcmp(name, "j1") == 0)
		return ctx;
	return NULL;
}

static void round_trip(const char *json)
{
	size_t len = 0;
	char *coded = record_json_encode(json, &len);
	assert_non_null(coded);
	assert_int_equal(len, strlen(coded));
	char *back = rd_task_json(one_chunk, coded);
	assert_string_equal(back, json);
	free(back);
	free(coded);
}

static void test_names_become_bytes(void **state)
{
	(void)state;
	size_t len = 0;
	char *c = record_json_encode("{\"id\":\"t1\",\"rule\":\"mazl\",\"student\":\"s1\",\"school\":\"01AC\","
				     "\"date\":\"2026-09-01\",\"kind\":\"task\"}", &len);
	assert_string_equal(c, "{\001\"t1\",\003\"mazl\",\006\"s1\",\007\"01AC\",\011\"2026-09-01\",\002\"task\"}");
	free(c);
	assert_string_equal(record_json_name(1), "id");
	assert_string_equal(record_json_name(31), "run_first");
	assert_null(record_json_name(0));
	assert_null(record_json_name(32));
	assert_null(record_json_name('{'));
}

/* A name not in the list, or one in a value or after a backslash: the
 * scan goes on as the script's gsub does, and every JSON reads back whole. */
static void test_other_text_stays(void **state)
{
	(void)state;
	size_t len = 0;
	char *c = record_json_encode("{\"days\":9,\"facts\":{\"x\\\"rule\":\"\\\"rule\\\":\"},\"a\":\"\":\"}", &len);
	/* "days": kept whole; "facts": 14; x\"rule": the '"rule":' after the
	 * backslash is a match too (reversible all the same); the value's
	 * \"rule\": has no '"' right before ':' after the name: kept */
	assert_string_equal(c, "{\"days\":9,\016{\"x\\\003\"\\\"rule\\\":\"},\"a\":\"\":\"}");
	free(c);
	/* the edges, byte for byte as gsub gives them */
	static const char *const cases[][2] = {
		{"\"id\":", "\001"},                 /* a name at the very end */
		{"\"id\":\"id\":", "\001\001"},     /* one after the other */
		{"\"zz\":\"id\":", "\"zz\":\001"}, /* an unknown one kept whole, then a known one */
		{"\"\"id\":", "\"\001"},             /* a quote that starts no name */
		{"\"id\"", "\"id\""},                 /* no colon */
		{"\"id\":x", "\001x"},
		{"\"i d\":", "\"i d\":"},
		{"\"run_first\":\"absent_days\":", "\037\036"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		c = record_json_encode(cases[i][0], &len);
		assert_string_equal(c, cases[i][1]);
		free(c);
		round_trip(cases[i][0]);
	}
	round_trip("{\"days\":9,\"facts\":{\"x\\\"rule\":\"\\\"rule\\\":\"},\"a\":\"\":\"}");
	round_trip("{}");
	round_trip("");
	round_trip("\"id\":");
	round_trip("\"id\"");
	round_trip("{\"id\":\"vs01\",\"facts\":{\"rate_pct\":10.5,\"absent_days\":3},\"refers\":\"jeugdarts\"}");
	round_trip("{\"idx\":1,\"_id\":2,\"id_\":3,\"ID\":4}");
}

static void test_a_raw_control_byte_is_not_coded(void **state)
{
	(void)state;
	size_t len = 7;
	assert_null(record_json_encode("{\"id\":\"a\001\"}", &len));
	assert_null(record_json_encode("{\"id\":\n1}", &len));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_become_bytes),
		cmocka_unit_test(test_other_text_stays),
		cmocka_unit_test(test_a_raw_control_byte_is_not_coded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
