/*
 * rarena (daemon/rarena.c): hiredis's reader builds its replies in an arena.
 * Real hiredis readers fed with RESP; the replies must read exactly as with
 * hiredis's own objects, and the sanitizer and valgrind builds check that
 * nothing leaks or is used after it is freed (a detached arena with a
 * half-parsed reply, a protocol error in the middle of a reply).
 */
#include "testutil.h"

#include "rarena.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

static redisReader *arena_reader(void)
{
	redisReader *r = redisReaderCreate();
	assert_non_null(r);
	assert_int_equal(rarena_attach(r), 0);
	return r;
}

/* As the connection's disconnect callback does, then hiredis. */
static void reader_done(redisReader *r)
{
	rarena_detach(r);
	redisReaderFree(r);
}

static redisReply *next_reply(redisReader *r)
{
	void *reply = NULL;
	assert_int_equal(redisReaderGetReply(r, &reply), REDIS_OK);
	return reply;
}

static void feed_n(redisReader *r, const char *resp, size_t len)
{
	assert_int_equal(redisReaderFeed(r, resp, len), REDIS_OK);
}

static void feed(redisReader *r, const char *resp)
{
	feed_n(r, resp, strlen(resp));
}

/* An XREAD-shaped reply: [[stream, [[id, [k, v, ...]], ...]]], nil and
 * integers and status and error replies, each as hiredis would give it. */
static void test_replies_read_as_hiredis_builds_them(void **state)
{
	(void)state;
	redisReader *r = arena_reader();
	feed(r, "*1\r\n*2\r\n$6\r\nevents\r\n*2\r\n"
		"*2\r\n$3\r\n1-0\r\n*4\r\n$7\r\nstudent\r\n$2\r\nS1\r\n$4\r\nkind\r\n$4\r\nsick\r\n"
		"*2\r\n$3\r\n1-1\r\n*0\r\n");
	redisReply *x = next_reply(r);
	assert_non_null(x);
	assert_int_equal(x->type, REDIS_REPLY_ARRAY);
	assert_int_equal(x->elements, 1);
	redisReply *s = x->element[0];
	assert_int_equal(s->elements, 2);
	assert_string_equal(s->element[0]->str, "events");
	assert_int_equal(s->element[0]->len, 6);
	redisReply *entries = s->element[1];
	assert_int_equal(entries->elements, 2);
	assert_string_equal(entries->element[0]->element[0]->str, "1-0");
	redisReply *f = entries->element[0]->element[1];
	assert_int_equal(f->elements, 4);
	assert_string_equal(f->element[1]->str, "S1");
	assert_string_equal(f->element[3]->str, "sick");
	redisReply *empty = entries->element[1]->element[1];
	assert_int_equal(empty->type, REDIS_REPLY_ARRAY);
	assert_int_equal(empty->elements, 0);
	assert_null(empty->element);
	r->fn->freeObject(x);

	static const char more[] = "$-1\r\n:-42\r\n+OK\r\n-LEASE not held\r\n$0\r\n\r\n*-1\r\n"
				   "*3\r\n$-1\r\n:7\r\n$3\r\na\0b\r\n";
	feed_n(r, more, sizeof more - 1);
	redisReply *nil = next_reply(r);
	assert_int_equal(nil->type, REDIS_REPLY_NIL);
	r->fn->freeObject(nil);
	redisReply *i = next_reply(r);
	assert_int_equal(i->type, REDIS_REPLY_INTEGER);
	assert_int_equal(i->integer, -42);
	r->fn->freeObject(i);
	redisReply *ok = next_reply(r);
	assert_int_equal(ok->type, REDIS_REPLY_STATUS);
	assert_string_equal(ok->str, "OK");
	r->fn->freeObject(ok);
	redisReply *err = next_reply(r);
	assert_int_equal(err->type, REDIS_REPLY_ERROR);
	assert_string_equal(err->str, "LEASE not held");
	r->fn->freeObject(err);
	redisReply *es = next_reply(r);
	assert_int_equal(es->type, REDIS_REPLY_STRING);
	assert_int_equal(es->len, 0);
	assert_string_equal(es->str, "");
	r->fn->freeObject(es);
	redisReply *na = next_reply(r);
	assert_int_equal(na->type, REDIS_REPLY_NIL);
	r->fn->freeObject(na);
	redisReply *mixed = next_reply(r);
	assert_int_equal(mixed->elements, 3);
	assert_int_equal(mixed->element[0]->type, REDIS_REPLY_NIL);
	assert_int_equal(mixed->element[1]->integer, 7);
	assert_int_equal(mixed->element[2]->len, 3);
	assert_memory_equal(mixed->element[2]->str, "a\0b", 4);
	r->fn->freeObject(mixed);
	assert_null(next_reply(r)); /* nothing left */
	reader_done(r);
}

/* A reply fed in pieces (as a socket delivers it) is built across the
 * pieces, and the memory of one reply is used again for the next. */
static void test_memory_is_reused(void **state)
{
	(void)state;
	redisReader *r = arena_reader();
	size_t held = 0;
	for (int round = 0; round < 50; round++) {
		/* 2,000 entries of 4 strings, fed a few bytes at a time */
		char buf[64];
		feed(r, "*2000\r\n");
		for (int k = 0; k < 2000; k++) {
			snprintf(buf, sizeof buf, "*4\r\n$1\r\nk\r\n$%d\r\n%d\r\n$1\r\nv\r\n", k < 10 ? 1 : k < 100 ? 2 : k < 1000 ? 3 : 4, k);
			feed(r, buf);
			assert_null(next_reply(r)); /* not complete yet */
			feed(r, "$3\r\nend\r\n");
		}
		redisReply *x = next_reply(r);
		assert_non_null(x);
		assert_int_equal(x->elements, 2000);
		for (int k = 0; k < 2000; k += 499) {
			snprintf(buf, sizeof buf, "%d", k);
			assert_string_equal(x->element[k]->element[1]->str, buf);
			assert_string_equal(x->element[k]->element[3]->str, "end");
		}
		r->fn->freeObject(x);
		if (round == 0)
			held = rarena_held(r);
		else
			assert_int_equal(rarena_held(r), held); /* no new chunk */
	}
	assert_true(held > 0);
	reader_done(r);
}

/* Two replies alive at once (not what hiredis does, but what the arena
 * allows): freeing one leaves the other intact, whatever the order, and the
 * memory is used again only when both are freed. */
static void test_two_live_replies(void **state)
{
	(void)state;
	for (int order = 0; order < 2; order++) {
		redisReader *r = arena_reader();
		feed(r, "*2\r\n$5\r\nfirst\r\n:1\r\n*2\r\n$6\r\nsecond\r\n:2\r\n");
		redisReply *a = next_reply(r), *b = next_reply(r);
		r->fn->freeObject(order == 0 ? a : b);
		redisReply *live = order == 0 ? b : a;
		/* a third reply, larger than the first two, must not be built
		 * over the live one */
		char big[400];
		memset(big, 'z', 300);
		big[300] = '\0';
		feed(r, "*2\r\n$300\r\n");
		feed(r, big);
		feed(r, "\r\n:3\r\n");
		redisReply *c = next_reply(r);
		assert_string_equal(c->element[0]->str, big);
		assert_string_equal(live->element[0]->str, order == 0 ? "second" : "first");
		assert_int_equal(live->element[1]->integer, order == 0 ? 2 : 1);
		r->fn->freeObject(live);
		r->fn->freeObject(c);
		reader_done(r);
	}
}

/* A reply larger than what the arena keeps: built whole, and afterwards the
 * arena holds no more than it keeps. */
static void test_a_huge_reply_is_built_and_let_go(void **state)
{
	(void)state;
	redisReader *r = arena_reader();
	size_t n = 40 << 20; /* one 40 MB string: past the 16 MB kept */
	char head[32];
	snprintf(head, sizeof head, "*2\r\n$%zu\r\n", n);
	feed(r, head);
	char *big = malloc(n);
	assert_non_null(big);
	memset(big, 'x', n);
	assert_int_equal(redisReaderFeed(r, big, n), REDIS_OK);
	free(big);
	feed(r, "\r\n:1\r\n");
	redisReply *x = next_reply(r);
	assert_non_null(x);
	assert_int_equal(x->element[0]->len, n);
	assert_int_equal(x->element[0]->str[n - 1], 'x');
	assert_int_equal(x->element[1]->integer, 1);
	assert_true(rarena_held(r) > n);
	r->fn->freeObject(x);
	assert_true(rarena_held(r) <= (size_t)16 << 20);
	feed(r, "+OK\r\n");
	redisReply *ok = next_reply(r);
	assert_string_equal(ok->str, "OK");
	r->fn->freeObject(ok);
	reader_done(r);
}

/* The connection goes while a reply is half parsed: the arena stays until
 * the reader frees that reply, then goes with it (no leak, no use after
 * free under the sanitizers and valgrind). */
static void test_detached_with_a_half_parsed_reply(void **state)
{
	(void)state;
	redisReader *r = arena_reader();
	feed(r, "*3\r\n$2\r\nab\r\n:1\r\n");
	assert_null(next_reply(r));
	reader_done(r); /* frees the half-built reply, then the arena */
}

/* Detached with nothing parsed: the arena goes at once; a second detach is
 * harmless, an attach refused, and a reply parsed after it (hiredis does
 * not) fails as out of memory instead of building anything. */
static void test_detached_idle(void **state)
{
	(void)state;
	redisReader *r = arena_reader();
	assert_int_equal(rarena_attach(r), -1);
	feed(r, "+PONG\r\n");
	redisReply *p = next_reply(r);
	r->fn->freeObject(p);
	rarena_detach(r);
	assert_int_equal(rarena_held(r), 0);
	assert_int_equal(rarena_attach(r), -1);
	feed(r, "+PONG\r\n");
	void *after = NULL;
	assert_int_equal(redisReaderGetReply(r, &after), REDIS_ERR);
	assert_null(after);
	reader_done(r);
}

/* A protocol error in the middle of a reply: hiredis frees what it built. */
static void test_protocol_error_mid_reply(void **state)
{
	(void)state;
	redisReader *r = arena_reader();
	feed(r, "*2\r\n$2\r\nab\r\n?bad\r\n");
	void *reply = NULL;
	assert_int_equal(redisReaderGetReply(r, &reply), REDIS_ERR);
	assert_null(reply);
	reader_done(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replies_read_as_hiredis_builds_them),
		cmocka_unit_test(test_memory_is_reused),
		cmocka_unit_test(test_two_live_replies),
		cmocka_unit_test(test_a_huge_reply_is_built_and_let_go),
		cmocka_unit_test(test_detached_with_a_half_parsed_reply),
		cmocka_unit_test(test_detached_idle),
		cmocka_unit_test(test_protocol_error_mid_reply),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
