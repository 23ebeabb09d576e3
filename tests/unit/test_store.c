/*
 * store: key names (store/keys.h) and the ACK call, built and read in one
 * place for the daemon's API and the CLI (store/calls.h).
 */
#include "testutil.h"

#include "calls.h"
#include "keys.h"

#include <string.h>

static void test_key_names(void **state)
{
	(void)state;
	char k[KEY_MAX], pre[KEY_PREFIX_MAX];
	key_prefix(pre, 7);
	assert_string_equal(pre, "vs:{7}:");
	assert_true(key_build(k, sizeof k, 0, KEY_EVENTS, NULL));
	assert_string_equal(k, "vs:{0}:events");
	assert_true(key_build(k, sizeof k, 3, KEY_OUTBOX, "ggd"));
	assert_string_equal(k, "vs:{3}:outbox:ggd");
	assert_true(key_build(k, sizeof k, 12, KEY_DAILY, "2026-09-01"));
	assert_string_equal(k, "vs:{12}:daily:2026-09-01");
	assert_true(key_build(k, sizeof k, 1, KEY_TASK, "*"));
	assert_string_equal(k, "vs:{1}:task:*");
	/* every kind has a name, each its own */
	char seen[KEY_KINDS][KEY_MAX];
	for (int i = 0; i < KEY_KINDS; i++) {
		assert_true(key_build(seen[i], sizeof seen[i], 0, (enum key_kind)i, NULL));
		assert_true(strlen(seen[i]) > strlen("vs:{0}:"));
		for (int j = 0; j < i; j++)
			assert_string_not_equal(seen[i], seen[j]);
	}
}

static void test_key_too_long(void **state)
{
	(void)state;
	char k[16];
	assert_false(key_build(k, sizeof k, 0, KEY_OUTBOX, "a-partner-with-a-long-name"));
}

static void test_ack_call(void **state)
{
	(void)state;
	struct cmdargs c;
	cmdargs_init(&c);
	struct ack_call a = {2, "vs0123", "leerplicht", "contacted", NULL, 1790000000000LL,
			     "2026-09-21T14:13:20Z", 48, "vscase1"};
	call_ack(&c, (struct script_ref){"0123abcd", true}, &a);
	const char *want[] = {"EVALSHA", "0123abcd", "11", "vs:{2}:audit", "vs:{2}:tasks", "vs:{2}:due",
			      "vs:{2}:task:vs0123", "vs:{2}:open:leerplicht", "vs:{2}:case:vscase1",
			      "vs:{2}:cases:leerplicht", "vs:{2}:progress:leerplicht", "vs:{2}:closed:leerplicht",
			      "vs:{2}:caseopen:leerplicht", "vs:{2}:caseprog:leerplicht", "vs0123", "leerplicht", "contacted", "", "1790000000000",
			      "2026-09-21T14:13:20Z", "48", "vscase1"};
	assert_int_equal(c.n, (int)(sizeof want / sizeof want[0]));
	for (int i = 0; i < c.n; i++) {
		assert_int_equal(c.lens[i], strlen(want[i]));
		assert_memory_equal(c.argv[i], want[i], c.lens[i]);
	}
	cmdargs_clear(&c);
	call_ack(&c, (struct script_ref){"return 1", false}, &a);
	assert_memory_equal(c.argv[0], "EVAL", 4);
	cmdargs_free(&c);
}

static redisReply *str(const char *s)
{
	redisReply *r = calloc(1, sizeof *r);
	r->type = REDIS_REPLY_STRING;
	r->str = (char *)s;
	r->len = strlen(s);
	return r;
}

static void test_ack_reply(void **state)
{
	(void)state;
	redisReply *el[2];
	redisReply arr = {.type = REDIS_REPLY_ARRAY, .elements = 2, .element = el};
	struct ack_reply out;
	static const struct {
		const char *status, *ref;
		enum ack_status want;
		const char *previous;
	} cases[] = {{"OK", "", ACK_OK, ""},
		     {"LATE", "vsref", ACK_LATE, ""},
		     {"REPEAT", "", ACK_REPEAT, ""},
		     {"CONFLICT:contacted", "", ACK_CONFLICT, "contacted"},
		     {"FORBIDDEN", "", ACK_FORBIDDEN, ""},
		     {"NOTFOUND", "", ACK_NOTFOUND, ""},
		     {"CASE", "vscase1", ACK_CASE, ""}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		el[0] = str(cases[i].status);
		el[1] = str(cases[i].ref);
		assert_int_equal(ack_reply_read(&arr, &out), 0);
		assert_int_equal(out.status, cases[i].want);
		assert_string_equal(out.previous, cases[i].previous);
		assert_string_equal(out.referral, cases[i].ref);
		free(el[0]);
		free(el[1]);
	}
	/* not an ACK reply */
	el[0] = str("WHAT");
	el[1] = str("");
	assert_int_equal(ack_reply_read(&arr, &out), -1);
	arr.elements = 1;
	assert_int_equal(ack_reply_read(&arr, &out), -1);
	assert_int_equal(ack_reply_read(NULL, &out), -1);
	free(el[0]);
	free(el[1]);
}

/* An arena cmdargs keeps every argument intact across its blocks, and after
 * a clear holds the next command of that size in one block. */
static void test_cmdargs_arena(void **state)
{
	(void)state;
	struct cmdargs a;
	cmdargs_init_arena(&a);
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 3000; i++)
			cmdargs_addf(&a, "argument-%d-%0*d", i, i % 40, 7);
		assert_int_equal(a.n, 3000);
		for (int i = 0; i < 3000; i++) {
			char want[128];
			snprintf(want, sizeof want, "argument-%d-%0*d", i, i % 40, 7);
			assert_string_equal(a.argv[i], want);
			assert_int_equal(a.lens[i], strlen(want));
		}
		cmdargs_clear(&a);
		assert_int_equal(a.n, 0);
		assert_non_null(a.blocks);
	}
	char big[40000];
	memset(big, 'x', sizeof big);
	cmdargs_add(&a, big, sizeof big); /* larger than any block so far */
	cmdargs_adds(&a, "after");
	assert_int_equal(a.lens[0], sizeof big);
	assert_int_equal(a.argv[0][sizeof big - 1], 'x');
	assert_int_equal(a.argv[0][sizeof big], '\0');
	assert_string_equal(a.argv[1], "after");
	cmdargs_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_names),
		cmocka_unit_test(test_cmdargs_arena),
		cmocka_unit_test(test_key_too_long),
		cmocka_unit_test(test_ack_call),
		cmocka_unit_test(test_ack_reply),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
