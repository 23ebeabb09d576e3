/*
 * rd_task_json (daemon/rdecode.c): a task record's JSON from its chunks
 * "j1".."j<jn>", or from the whole "json" of a record written before the
 * chunks; damaged chunks read as "" (unreadable), a missing record as NULL.
 */
#include "testutil.h"

#include "rdecode.h"

#include <stdlib.h>
#include <string.h>

struct rec {
	const char *const *kv; /* name, value, ..., NULL */
};

static const char *get(const void *ctx, const char *name)
{
	const struct rec *r = ctx;
	for (const char *const *p = r->kv; *p; p += 2)
		if (strcmp(p[0], name) == 0)
			return p[1];
	return NULL;
}

static char *json_of(const char *const *kv)
{
	struct rec r = {kv};
	return rd_task_json(get, &r);
}

static void test_chunks_joined(void **state)
{
	(void)state;
	static const char *const kv[] = {"student", "s1", "j2", "\"b\"}", "jn", "2",
					 "j1", "{\"a\":", NULL};
	char *j = json_of(kv);
	assert_string_equal(j, "{\"a\":\"b\"}");
	free(j);
}

static void test_member_names_written_out(void **state)
{
	(void)state;
	/* "jk": bytes 1.. stand for '"<name>":' of store/lua/record.lua's
	 * dictionary (1 id, 3 rule, 12 age, 31 run_first), across chunks; a
	 * name byte in a "jn" record is left as it is */
	static const char *const kv[] = {"jk", "2", "j1", "{\001\"t1\",\003\"mazl\",", "j2",
					 "\01412,\037\"x\"}", NULL};
	char *j = json_of(kv);
	assert_string_equal(j, "{\"id\":\"t1\",\"rule\":\"mazl\",\"age\":12,\"run_first\":\"x\"}");
	free(j);
	static const char *const plain[] = {"jn", "1", "j1", "{\001}", NULL};
	j = json_of(plain);
	assert_string_equal(j, "{\001}");
	free(j);
}

static void test_previous_layout_still_reads(void **state)
{
	(void)state;
	static const char *const kv[] = {"json", "{\"rule\":\"mazl\"}", "student", "s1", NULL};
	char *j = json_of(kv);
	assert_string_equal(j, "{\"rule\":\"mazl\"}");
	free(j);
}

static void test_damaged_or_missing(void **state)
{
	(void)state;
	static const char *const none[] = {"student", "s1", NULL};
	assert_null(json_of(none));
	static const char *const gap[] = {"jn", "3", "j1", "{", "j3", "}", NULL};
	static const char *const bad[] = {"jn", "x2", "j1", "{}", NULL};
	static const char *const huge[] = {"jn", "99999999999", NULL};
	const char *const *damaged[] = {gap, bad, huge};
	for (size_t i = 0; i < 3; i++) {
		char *j = json_of(damaged[i]);
		assert_non_null(j);
		assert_string_equal(j, "");
		free(j);
	}
}

static void test_flat_reply_lookup(void **state)
{
	(void)state;
	redisReply k = {.type = REDIS_REPLY_STRING, .str = "jn", .len = 2};
	redisReply v = {.type = REDIS_REPLY_STRING, .str = "1", .len = 1};
	redisReply k1 = {.type = REDIS_REPLY_STRING, .str = "j1", .len = 2};
	redisReply v1 = {.type = REDIS_REPLY_STRING, .str = "{}", .len = 2};
	redisReply *el[] = {&k, &v, &k1, &v1};
	redisReply flat = {.type = REDIS_REPLY_ARRAY, .elements = 4, .element = el};
	char *j = rd_task_json(rd_flat_get, &flat);
	assert_string_equal(j, "{}");
	free(j);
	assert_null(rd_flat_get(&flat, "json"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chunks_joined),
		cmocka_unit_test(test_member_names_written_out),
		cmocka_unit_test(test_previous_layout_still_reads),
		cmocka_unit_test(test_damaged_or_missing),
		cmocka_unit_test(test_flat_reply_lookup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
