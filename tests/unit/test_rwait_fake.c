/*
 * rwait: a write confirmed by WAIT (daemon/rwait.c), driven over the fake
 * connection (fakeconn.h). Covers min_replicas 0 (no WAIT), a reply held
 * until WAIT counts enough replicas, a WAIT below min_replicas (the handler
 * sees NULL: outcome unknown, and the shortfall is counted), an error reply
 * passed at once, a lost connection, the one-probe-at-a-time rule while
 * degraded, and the deep copy of a reply.
 */
#include "testutil.h"

#include "fakeconn.h"
#include "rwait.h"

#include <stdlib.h>
#include <string.h>

static int nseen;
static int seen_type;
static long long seen_int;
static bool seen_null;

static void handler(struct rconn *rc, redisReply *r, void *priv)
{
	(void)rc;
	assert_ptr_equal(priv, &nseen);
	nseen++;
	seen_null = r == NULL;
	seen_type = r ? r->type : -1;
	seen_int = r && r->type == REDIS_REPLY_INTEGER ? r->integer : 0;
}

/* Answers the oldest command in flight with r (freed here). */
static void answer(const char *a0, redisReply *r)
{
	assert_true(ncalls > 0);
	struct call c = calls[0];
	assert_string_equal(c.argv[0], a0);
	memmove(calls, calls + 1, (size_t)(ncalls - 1) * sizeof *calls);
	ncalls--;
	if (c.fn)
		c.fn((struct rconn *)&fake_conn, r, c.priv);
	if (r)
		reply_free(r);
}

static struct rwait w;

static int setup(void **state)
{
	(void)state;
	struct redis_config rc;
	redis_config_defaults(&rc);
	rc.min_replicas = 1;
	rc.wait_timeout_ms = 250;
	rwait_init(&w, &rc);
	ncalls = 0;
	nseen = 0;
	seen_null = false;
	return 0;
}

static int send_write(void)
{
	const char *argv[] = {"EVALSHA", "sha", "0"};
	size_t lens[] = {7, 3, 1};
	return rwait_command((struct rconn *)&fake_conn, &w, handler, &nseen, 0, 3, argv, lens);
}

static void test_no_wait_when_zero(void **state)
{
	(void)state;
	w.min_replicas = 0;
	assert_int_equal(send_write(), 0);
	assert_int_equal(ncalls, 1); /* no WAIT */
	answer("EVALSHA", r_int(7));
	assert_int_equal(nseen, 1);
	assert_int_equal(seen_int, 7);
}

static void test_reply_held_until_wait(void **state)
{
	(void)state;
	assert_int_equal(send_write(), 0);
	assert_int_equal(ncalls, 2);
	assert_string_equal(calls[1].argv[0], "WAIT");
	assert_string_equal(calls[1].argv[1], "1");
	assert_string_equal(calls[1].argv[2], "250");
	answer("EVALSHA", r_int(7));
	assert_int_equal(nseen, 0); /* not before WAIT */
	answer("WAIT", r_int(1));
	assert_int_equal(nseen, 1);
	assert_int_equal(seen_type, REDIS_REPLY_INTEGER);
	assert_int_equal(seen_int, 7); /* the copy of the script's reply */
	assert_int_equal(w.shortfalls, 0);
	assert_false(rwait_degraded(&w));
}

static void test_shortfall_is_unknown(void **state)
{
	(void)state;
	assert_int_equal(send_write(), 0);
	answer("EVALSHA", r_int(7));
	answer("WAIT", r_int(0));
	assert_int_equal(nseen, 1);
	assert_true(seen_null);
	assert_int_equal(w.shortfalls, 1);
	assert_true(rwait_degraded(&w));
	/* a WAIT that fails is a shortfall too */
	assert_int_equal(send_write(), 0);
	answer("EVALSHA", r_int(7));
	answer("WAIT", r_str(REDIS_REPLY_ERROR, "ERR WAIT cannot be used with replica instances"));
	assert_int_equal(nseen, 2);
	assert_true(seen_null);
	assert_int_equal(w.shortfalls, 2);
}

static void test_error_passed_at_once(void **state)
{
	(void)state;
	assert_int_equal(send_write(), 0);
	answer("EVALSHA", r_str(REDIS_REPLY_ERROR, "LEASE not yours"));
	assert_int_equal(nseen, 1);
	assert_int_equal(seen_type, REDIS_REPLY_ERROR);
	answer("WAIT", r_int(1));
	assert_int_equal(nseen, 1); /* once only */
}

static void test_connection_lost(void **state)
{
	(void)state;
	assert_int_equal(send_write(), 0);
	answer("EVALSHA", r_int(7));
	drop_pending();
	assert_int_equal(nseen, 1);
	assert_true(seen_null);
	assert_int_equal(w.shortfalls, 0); /* says nothing of the replicas */
	assert_int_equal(w.in_flight, 0);
}

static void test_degraded_one_probe(void **state)
{
	(void)state;
	assert_int_equal(send_write(), 0);
	answer("EVALSHA", r_int(7));
	answer("WAIT", r_int(0));
	assert_true(rwait_degraded(&w));
	/* one write with its WAIT goes through as a probe; the next is refused */
	assert_int_equal(send_write(), 0);
	assert_int_equal(send_write(), -1);
	assert_int_equal(ncalls, 2);
	answer("EVALSHA", r_int(7));
	answer("WAIT", r_int(0));
	/* hold: a bare WAIT, only one at a time */
	assert_true(rwait_hold((struct rconn *)&fake_conn, &w));
	assert_true(rwait_hold((struct rconn *)&fake_conn, &w));
	assert_int_equal(ncalls, 1);
	assert_string_equal(calls[0].argv[0], "WAIT");
	answer("WAIT", r_int(1));
	assert_false(rwait_degraded(&w));
	assert_false(rwait_hold((struct rconn *)&fake_conn, &w));
	assert_int_equal(ncalls, 0);
	assert_int_equal(send_write(), 0);
	assert_int_equal(ncalls, 2);
	drop_pending();
}

static int nwaits(void)
{
	return fake_count("WAIT");
}

/* Replicas lost before any WAIT has said so: writes sent meanwhile must not
 * each queue a WAIT of their own, or a command behind them (a lease renewal,
 * an API read) waits one WAIT timeout per write and passes the command
 * timeout (the connection is then torn down). At most one WAIT is in flight;
 * the writes sent meanwhile share the next one. */
static void test_one_wait_in_flight(void **state)
{
	(void)state;
	assert_int_equal(send_write(), 0);
	assert_int_equal(send_write(), 0);
	assert_int_equal(send_write(), 0);
	assert_int_equal(nwaits(), 1);
	assert_int_equal(ncalls, 4);
	assert_string_equal(calls[1].argv[0], "WAIT");
	answer("EVALSHA", r_int(7));
	answer("WAIT", r_int(0));
	assert_int_equal(nseen, 1);
	assert_true(seen_null);
	/* the two writes sent meanwhile: one WAIT after both */
	assert_int_equal(ncalls, 3);
	assert_string_equal(calls[2].argv[0], "WAIT");
	answer("EVALSHA", r_int(8));
	answer("EVALSHA", r_int(9));
	assert_int_equal(nseen, 1);
	answer("WAIT", r_int(1));
	assert_int_equal(nseen, 3);
	assert_int_equal(seen_int, 9);
	assert_false(rwait_degraded(&w));
	assert_int_equal(w.in_flight, 0);
	assert_int_equal(ncalls, 0);
}

/* The connection lost with writes waiting for the next WAIT: each handler
 * runs once, with NULL. */
static void test_connection_lost_with_writes_waiting(void **state)
{
	(void)state;
	assert_int_equal(send_write(), 0);
	assert_int_equal(send_write(), 0);
	answer("EVALSHA", r_int(7));
	drop_pending();
	assert_int_equal(nseen, 2);
	assert_true(seen_null);
	assert_int_equal(w.in_flight, 0);
	assert_int_equal(ncalls, 0);
	assert_int_equal(send_write(), 0);
	assert_int_equal(nwaits(), 1);
	drop_pending();
}

static void test_reply_copy(void **state)
{
	(void)state;
	redisReply *r = r_arr(3, r_str(REDIS_REPLY_STRING, "OK"), r_int(-4),
			      r_arr(1, r_str(REDIS_REPLY_STATUS, "x")));
	redisReply *c = rwait_reply_copy(r);
	reply_free(r);
	assert_int_equal(c->type, REDIS_REPLY_ARRAY);
	assert_int_equal(c->elements, 3);
	assert_string_equal(c->element[0]->str, "OK");
	assert_int_equal(c->element[0]->len, 2);
	assert_int_equal(c->element[1]->integer, -4);
	assert_string_equal(c->element[2]->element[0]->str, "x");
	freeReplyObject(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_no_wait_when_zero, setup),
		cmocka_unit_test_setup(test_reply_held_until_wait, setup),
		cmocka_unit_test_setup(test_shortfall_is_unknown, setup),
		cmocka_unit_test_setup(test_error_passed_at_once, setup),
		cmocka_unit_test_setup(test_connection_lost, setup),
		cmocka_unit_test_setup(test_degraded_one_probe, setup),
		cmocka_unit_test_setup(test_one_wait_in_flight, setup),
		cmocka_unit_test_setup(test_connection_lost_with_writes_waiting, setup),
		cmocka_unit_test_setup(test_reply_copy, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
