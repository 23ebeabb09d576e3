/*
 * partition: the state machine of daemon/partition.c driven with a fake
 * Redis connection (a reply script): every command the partition sends is
 * recorded (tests/unit/fakeconn.c; rconn_command is wrapped at link time),
 * and the test answers it. Covers the start from the lease to reading, a
 * batch committed, the next batch read ahead of a commit, a commit refused
 * because the lease was lost, and the restart that follows it from the
 * lease.
 */
#include "testutil.h"

#include "fakeconn.h"
#include "partition.h"
#include "rconn.h"

#include <string.h>
#include <unistd.h>

/* ---- the daemon around one partition ---- */

static struct vsd d;
static struct vsd_config cfg;
static struct partition *part;

static void run_loop(void)
{
	for (int i = 0; i < 5; i++)
		event_base_loop(d.base, EVLOOP_NONBLOCK);
}

/* Takes the oldest call, checks its first two arguments (NULL: any), answers
 * it with r (freed after) and runs the loop. */
static void answer(const char *a0, const char *a1, redisReply *r)
{
	run_loop();
	if (ncalls == 0)
		fail_msg("no command sent; expected %s %s", a0, a1 ? a1 : "");
	struct call c = calls[0];
	memmove(calls, calls + 1, (size_t)(ncalls - 1) * sizeof *calls);
	ncalls--;
	if (strcmp(c.argv[0], a0) != 0 || (a1 && strcmp(c.argv[1], a1) != 0))
		fail_msg("sent %s %s, expected %s %s", c.argv[0], c.argv[1], a0, a1 ? a1 : "");
	c.fn((struct rconn *)&fake_conn, r, c.priv);
	reply_free(r);
	run_loop();
}

static redisReply *entry(const char *id)
{
	const char *f[] = {"v", "1", "id", "a1-2026-08-17-sick-0", "student", "a1", "school", "01AC",
			   "sector", "vo", "kind", "sick", "date", "2026-08-17", "recorded_at",
			   "2026-08-17T08:00:00Z"};
	redisReply *fields = reply_new(REDIS_REPLY_ARRAY);
	fields->elements = sizeof f / sizeof f[0];
	fields->element = calloc(fields->elements, sizeof *fields->element);
	for (size_t i = 0; i < fields->elements; i++)
		fields->element[i] = r_str(REDIS_REPLY_STRING, f[i]);
	return r_arr(2, r_str(REDIS_REPLY_STRING, id), fields);
}

static int setup(void **state)
{
	(void)state;
	memset(&d, 0, sizeof d);
	memset(calls, 0, sizeof calls);
	ncalls = 0;
	char *errors = NULL;
	if (vsd_config_load(VS_SOURCE_DIR "/config/vroegsignaal.json", &cfg, &errors) != 0)
		fail_msg("config: %s", errors ? errors : "?");
	cfg.daemon.sweep_clock = SWEEP_EVENTS;
	d.base = event_base_new();
	d.cfg = &cfg;
	d.cmd = (struct rconn *)&fake_conn;
	d.scripts_loaded = true;
	d.gen.checked = true; /* the Redis generation checked (generation.h) */
	for (int i = 0; i < SCRIPT_COUNT; i++)
		snprintf(d.script_sha[i], sizeof d.script_sha[i], "sha-%s", script_name((enum script_id)i));
	d.nparts = 1;
	d.live_instances = 1;
	d.events_clock_ms = INT64_MIN;
	part = partition_new(&d, 0);
	d.parts = &part;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	drop_pending();
	partition_free(part);
	event_base_free(d.base);
	vsd_config_free(&cfg);
	return 0;
}

/* From the lease to the blocking read, with nothing pending. */
static void start_to_reading(void)
{
	partition_kick(part);
	answer("EVALSHA", "sha-lease_take", r_int(1));
	assert_true(partition_holds_lease(part));
	answer("XGROUP", "CREATE", r_str(REDIS_REPLY_STATUS, "OK"));
	answer("GET", NULL, reply_new(REDIS_REPLY_NIL));
	answer("XAUTOCLAIM", NULL, r_arr(3, r_str(REDIS_REPLY_STRING, "0-0"), r_arr(0), r_arr(0)));
	answer("XPENDING", NULL, r_arr(0));
	answer("XREADGROUP", NULL, r_arr(1, r_arr(2, r_str(REDIS_REPLY_STRING, "vs:{0}:events"), r_arr(0))));
}

static void test_start_reads_after_the_lease(void **state)
{
	(void)state;
	assert_int_equal(partition_state(part), PS_IDLE);
	start_to_reading();
	assert_int_equal(partition_state(part), PS_READING);
	assert_int_equal(ncalls, 1);
	assert_string_equal(calls[0].argv[0], "XREADGROUP");
}

/* The oldest call is the COMMIT of entry id: EVALSHA sha nkeys keys...
 * token group expiry ...: fenced by the lease token, and every key it
 * touches declared (the 9 fixed ones, then the day hash of each date it
 * counts: here the entry's). */
static void assert_commit_of(const char *id)
{
	assert_string_equal(calls[0].argv[1], "sha-commit");
	assert_string_equal(calls[0].argv[2], "10");
	assert_string_equal(calls[0].argv[3], "vs:{0}:lease");
	assert_string_equal(calls[0].argv[11], "vs:{0}:quarantined");
	assert_string_equal(calls[0].argv[12], "vs:{0}:daily:2026-08-17");
	assert_string_equal(calls[0].argv[13], partition_token(part));
	bool acked = false;
	int kept = (int)(sizeof calls[0].argv / sizeof calls[0].argv[0]); /* the fake keeps 24 */
	for (int i = 14; i < calls[0].argc && i < kept; i++)
		acked |= strcmp(calls[0].argv[i], id) == 0;
	assert_true(acked);
}

static redisReply *batch_reply(const char *id)
{
	return r_arr(1, r_arr(2, r_str(REDIS_REPLY_STRING, "vs:{0}:events"), r_arr(1, entry(id))));
}

/* Reading: a batch of one entry arrives, its state is loaded (none yet). */
static void one_batch(const char *id)
{
	answer("XREADGROUP", NULL,
	       r_arr(1, r_arr(2, r_str(REDIS_REPLY_STRING, "vs:{0}:events"), r_arr(1, entry(id)))));
	answer("HMGET", "vs:{0}:state", r_arr(1, reply_new(REDIS_REPLY_NIL)));
	assert_int_equal(partition_state(part), PS_COMMITTING);
	run_loop();
	assert_int_equal(ncalls, 1);
	assert_commit_of(id);
}

static void test_a_batch_is_committed(void **state)
{
	(void)state;
	start_to_reading();
	one_batch("5-1");
	answer("EVALSHA", "sha-commit", r_int(1));
	assert_int_equal(d.stats.commits, 1);
	assert_int_equal(d.stats.entries, 1);
	assert_int_equal(d.stats.commit_failures, 0);
	assert_int_equal(partition_state(part), PS_READING);
	assert_true(partition_holds_lease(part));
}

static void test_a_refused_commit_loses_the_lease_and_restarts(void **state)
{
	(void)state;
	start_to_reading();
	one_batch("5-1");
	answer("EVALSHA", "sha-commit", r_str(REDIS_REPLY_ERROR, "LEASE not held"));
	assert_false(partition_holds_lease(part));
	assert_int_equal(partition_state(part), PS_IDLE);
	assert_int_equal(d.stats.commits, 0);
	assert_int_equal(d.stats.commit_failures, 1);
	/* the reply of the blocking read still in flight belongs to the old
	 * chain; the retry timer starts over from the lease */
	drop_pending();
	event_base_loop(d.base, EVLOOP_ONCE);
	answer("EVALSHA", "sha-lease_take", r_int(1));
	assert_true(partition_holds_lease(part));
	answer("XGROUP", "CREATE", r_str(REDIS_REPLY_ERROR, "BUSYGROUP Consumer Group name already exists"));
	answer("GET", NULL, reply_new(REDIS_REPLY_NIL));
	answer("XAUTOCLAIM", NULL, r_arr(3, r_str(REDIS_REPLY_STRING, "0-0"), r_arr(0), r_arr(0)));
	answer("XPENDING", NULL, r_arr(0));
	/* the entry the refused commit did not acknowledge is pending: read again
	 * from id 0 and committed once, under the lease taken again */
	one_batch("5-1");
	answer("EVALSHA", "sha-commit", r_int(1));
	assert_int_equal(d.stats.commits, 1);
	assert_int_equal(d.stats.entries, 1);
	answer("XREADGROUP", NULL, r_arr(1, r_arr(2, r_str(REDIS_REPLY_STRING, "vs:{0}:events"), r_arr(0))));
	assert_int_equal(partition_state(part), PS_READING);
}

static void test_a_lost_reply_restarts_from_the_lease(void **state)
{
	(void)state;
	start_to_reading();
	one_batch("5-1");
	answer("EVALSHA", "sha-commit", NULL); /* the connection dropped */
	assert_int_equal(partition_state(part), PS_IDLE);
	assert_int_equal(d.stats.commit_failures, 1);
	drop_pending();
	event_base_loop(d.base, EVLOOP_ONCE);
	answer("EVALSHA", "sha-lease_take", r_int(1));
	assert_int_equal(partition_state(part), PS_SETUP);
}

/* A full batch sends the next read at once, before its own commit, so
 * Redis serves it while the batch is applied; that batch is applied next,
 * without another read, and sends the following read ahead in turn. */
static void test_a_full_batch_reads_the_next_ahead(void **state)
{
	(void)state;
	cfg.daemon.batch_size = 1;
	start_to_reading();
	answer("XREADGROUP", NULL, batch_reply("5-1"));
	run_loop();
	assert_int_equal(ncalls, 2);
	assert_string_equal(calls[0].argv[0], "XREADGROUP"); /* ahead: not blocking */
	assert_int_equal(calls[0].argc, 9);
	assert_string_equal(calls[0].argv[8], ">");
	assert_string_equal(calls[1].argv[0], "HMGET");
	answer("XREADGROUP", NULL, batch_reply("6-1"));
	answer("HMGET", "vs:{0}:state", r_arr(1, reply_new(REDIS_REPLY_NIL)));
	assert_commit_of("5-1");
	answer("EVALSHA", "sha-commit", r_int(1));
	/* the batch read ahead: its pupil is cached, so the next read ahead and
	 * its commit go out at once */
	assert_int_equal(ncalls, 2);
	assert_string_equal(calls[0].argv[0], "XREADGROUP");
	assert_int_equal(calls[0].argc, 9);
	calls[0].fn((struct rconn *)&fake_conn, NULL, calls[0].priv); /* (nothing more) */
	memmove(calls, calls + 1, sizeof *calls);
	ncalls--;
	assert_commit_of("6-1");
	answer("EVALSHA", "sha-commit", r_int(1));
	assert_int_equal(d.stats.commits, 2);
	assert_int_equal(d.stats.entries, 2);
	/* the read ahead failed (no reply): an ordinary read follows */
	run_loop();
	assert_int_equal(ncalls, 1);
	assert_string_equal(calls[0].argv[0], "XREADGROUP");
	assert_int_equal(calls[0].argc, 11); /* BLOCK */
	assert_int_equal(partition_state(part), PS_READING);
}

/* When the periodic claim is due, nothing is read ahead: the claim would
 * drop that read and its entries would count a delivery more. */
static void test_no_read_ahead_when_the_claim_is_due(void **state)
{
	(void)state;
	cfg.daemon.batch_size = 1;
	start_to_reading();
	cfg.daemon.claim_idle_ms = 0; /* from now on */
	answer("XREADGROUP", NULL, batch_reply("5-1"));
	run_loop();
	assert_int_equal(ncalls, 1);
	assert_string_equal(calls[0].argv[0], "HMGET");
	answer("HMGET", "vs:{0}:state", r_arr(1, reply_new(REDIS_REPLY_NIL)));
	assert_commit_of("5-1");
	answer("EVALSHA", "sha-commit", r_int(1));
	/* then the claim, with no read of ours to drop */
	assert_int_equal(ncalls, 1);
	assert_string_equal(calls[0].argv[0], "XAUTOCLAIM");
}

static void test_a_lease_taken_by_another_waits(void **state)
{
	(void)state;
	partition_kick(part);
	answer("EVALSHA", "sha-lease_take", r_int(0));
	assert_false(partition_holds_lease(part));
	assert_int_equal(partition_state(part), PS_IDLE);
	assert_int_equal(ncalls, 0);
}

/* A read ahead goes out on the command connection, where it may queue
 * behind another write's WAIT (up to redis.wait_timeout_ms): it is sent
 * only while the lease is sure past that too, or Redis could serve it (and
 * deliver the entries to this consumer) after the lease passed to another
 * instance. */
static void test_no_read_ahead_past_the_lease_with_wait(void **state)
{
	(void)state;
	cfg.daemon.batch_size = 1;
	start_to_reading();
	cfg.redis.min_replicas = 1;
	cfg.redis.wait_timeout_ms = cfg.daemon.lease_ms - 1;
	answer("XREADGROUP", NULL, batch_reply("5-1"));
	run_loop();
	assert_int_equal(ncalls, 1);
	assert_string_equal(calls[0].argv[0], "HMGET");
	drop_pending();
}

/* A generation mismatch holds the partition (it keeps its lease): a known,
 * reported reason, not a stall; no stall restart however long it lasts. */
static void test_no_stall_while_refusing(void **state)
{
	(void)state;
	cfg.daemon.stall_ms = 30;
	start_to_reading();
	d.gen.mismatch = true;
	partition_hold(part, "redis generation mismatch");
	assert_int_equal(partition_state(part), PS_IDLE);
	assert_true(partition_holds_lease(part));
	for (int i = 0; i < 4; i++) {
		partition_watch(part);
		usleep(40 * 1000);
	}
	partition_watch(part);
	assert_false(partition_stalled(part));
	assert_int_equal(partition_stall_restarts(part), 0);
	assert_true(partition_healthy(part));
	drop_pending();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_start_reads_after_the_lease, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_batch_is_committed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_refused_commit_loses_the_lease_and_restarts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_lost_reply_restarts_from_the_lease, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_full_batch_reads_the_next_ahead, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_read_ahead_when_the_claim_is_due, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_lease_taken_by_another_waits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_stall_while_refusing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_read_ahead_past_the_lease_with_wait, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
