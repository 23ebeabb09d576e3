/*
 * generation: the pure parts of the Redis generation marker
 * (daemon/generation.c): the verdict for each combination of memory and
 * marker, reading an HGETALL reply, and the memory file round trip.
 */
#include "testutil.h"

#include "generation.h"
#include "replies.h"

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

/* A refusal sticks: neither a counter advanced again nor a refused field
 * removed ends it; only an operator's confirmation does. A refused field
 * naming the marker's id stops every instance, one naming an older id not. */
static void test_judge_sticky(void **state)
{
	(void)state;
	struct gen_mark mem = mark("aa", 10, 5);
	mem.refused = GEN_ROLLED_BACK;
	mem.refused_ms = 123;
	struct gen_mark later = mark("aa", 25, 5);
	assert_int_equal(generation_judge(&mem, &later), GEN_ROLLED_BACK);
	struct gen_mark confirmed = mark("cc", 1, 6);
	assert_int_equal(generation_judge(&mem, &confirmed), GEN_ADOPT);

	struct gen_mark clean = mark("aa", 10, 5), none = {0};
	struct gen_mark held = mark("aa", 30, 5);
	char buf[96];
	generation_refusal_format(GEN_ROLLED_BACK, 123, &held, buf, sizeof buf);
	assert_string_equal(buf, "aa rolled_back 123");
	snprintf(held.refused_id, sizeof held.refused_id, "aa");
	held.refused = GEN_ROLLED_BACK;
	assert_true(generation_refusal_applies(&held));
	assert_int_equal(generation_judge(&clean, &held), GEN_HELD);
	assert_int_equal(generation_judge(&none, &held), GEN_HELD);
	/* written after a confirmation, for the old id: ignored */
	struct gen_mark stale = confirmed;
	snprintf(stale.refused_id, sizeof stale.refused_id, "aa");
	stale.refused = GEN_ROLLED_BACK;
	assert_false(generation_refusal_applies(&stale));
	assert_int_equal(generation_judge(&mem, &stale), GEN_ADOPT);
}

static redisReply *str(const char *s) { return r_str(REDIS_REPLY_STRING, s); }

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
	assert_int_equal(m.refused, GEN_OK);
	/* a refusal is kept across a restart */
	w.refused = GEN_GONE;
	w.refused_ms = 99;
	assert_int_equal(generation_file_write(path, &w), 0);
	assert_int_equal(generation_file_read(path, &m, err, sizeof err), 0);
	assert_int_equal(m.refused, GEN_GONE);
	assert_int_equal(m.refused_ms, 99);
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
		cmocka_unit_test(test_judge_sticky),
		cmocka_unit_test(test_mark_read),
		cmocka_unit_test(test_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
