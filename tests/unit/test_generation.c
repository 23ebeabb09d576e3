/*
 * generation: the pure parts of the Redis generation marker
 * (daemon/generation.c): the verdict for each combination of memory and
 * marker, reading an HGETALL reply, and the memory file round trip.
 */
#include "testutil.h"

#include "generation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct gen_mark mark(const char *id, long long counter, long long confirmed)
{
	struct gen_mark m = {.present = true, .counter = counter, .confirmed_ms = confirmed};
	snprintf(m.id, sizeof m.id, "%s", id);
	return m;
}

static void test_judge(void **state)
{
	(void)state;
	struct gen_mark none = {0}, mem = mark("aa", 10, 5);
	/* first start: create, or take what is there */
	assert_int_equal(generation_judge(&none, &none), GEN_CREATE);
	assert_int_equal(generation_judge(&none, &(struct gen_mark){.present = true, .counter = 3}),
			 GEN_CREATE);
	assert_int_equal(generation_judge(&none, &mem), GEN_ADOPT);
	/* as remembered, or advanced by another instance */
	assert_int_equal(generation_judge(&mem, &mem), GEN_OK);
	struct gen_mark later = mark("aa", 25, 5);
	assert_int_equal(generation_judge(&mem, &later), GEN_OK);
	/* wiped, replaced, rolled back */
	assert_int_equal(generation_judge(&mem, &none), GEN_GONE);
	struct gen_mark counter_only = {.present = true, .counter = 1};
	assert_int_equal(generation_judge(&mem, &counter_only), GEN_REPLACED);
	struct gen_mark other = mark("bb", 100, 5);
	assert_int_equal(generation_judge(&mem, &other), GEN_REPLACED);
	struct gen_mark older = mark("aa", 9, 5);
	assert_int_equal(generation_judge(&mem, &older), GEN_ROLLED_BACK);
	/* an operator's confirmation: a newer confirmed_ms; an old backup's
	 * confirmation is not newer than the one remembered */
	struct gen_mark confirmed = mark("cc", 1, 6);
	assert_int_equal(generation_judge(&mem, &confirmed), GEN_ADOPT);
	struct gen_mark old_confirmed = mark("dd", 50, 5);
	assert_int_equal(generation_judge(&mem, &old_confirmed), GEN_REPLACED);
}

static redisReply *str(const char *s)
{
	redisReply *r = calloc(1, sizeof *r);
	r->type = REDIS_REPLY_STRING;
	r->len = strlen(s);
	r->str = strdup(s);
	return r;
}

static void test_mark_read(void **state)
{
	(void)state;
	redisReply *r = calloc(1, sizeof *r);
	r->type = REDIS_REPLY_ARRAY;
	r->elements = 6;
	r->element = calloc(6, sizeof *r->element);
	const char *kv[] = {"id", "0123abcd", "counter", "42", "confirmed_ms", "1790000000000"};
	for (int i = 0; i < 6; i++)
		r->element[i] = str(kv[i]);
	struct gen_mark m;
	assert_int_equal(generation_mark_read(r, &m), 0);
	assert_true(m.present);
	assert_string_equal(m.id, "0123abcd");
	assert_int_equal(m.counter, 42);
	assert_int_equal(m.confirmed_ms, 1790000000000LL);
	free(r->element[3]->str);
	r->element[3]->str = strdup("-1");
	assert_int_equal(generation_mark_read(r, &m), -1);
	freeReplyObject(r);
	redisReply *empty = calloc(1, sizeof *empty);
	empty->type = REDIS_REPLY_ARRAY;
	assert_int_equal(generation_mark_read(empty, &m), 0);
	assert_false(m.present);
	freeReplyObject(empty);
}

static void test_file(void **state)
{
	(void)state;
	char dir[] = "/tmp/vs-gen-test.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[64], err[200];
	snprintf(path, sizeof path, "%s/%s", dir, GENERATION_FILE);
	struct gen_mark m;
	assert_int_equal(generation_file_read(path, &m, err, sizeof err), 1);
	assert_false(m.present);
	struct gen_mark w = mark("", 7, 3);
	generation_new_id(w.id);
	assert_int_equal(strlen(w.id), GENERATION_ID_LEN);
	assert_int_equal(generation_file_write(path, &w), 0);
	assert_int_equal(generation_file_read(path, &m, err, sizeof err), 0);
	assert_true(m.present);
	assert_string_equal(m.id, w.id);
	assert_int_equal(m.counter, 7);
	assert_int_equal(m.confirmed_ms, 3);
	FILE *f = fopen(path, "w");
	fputs("id abc\n", f);
	fclose(f);
	assert_int_equal(generation_file_read(path, &m, err, sizeof err), -1);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_judge),
		cmocka_unit_test(test_mark_read),
		cmocka_unit_test(test_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
