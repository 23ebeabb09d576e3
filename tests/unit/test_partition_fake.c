/*
 * partition: the state machine of daemon/partition.c driven with a fake
 * Redis connection (a reply script): every command the partition sends is
 * recorded (tests/unit/fakeconn.c; rconn_command is wrapped at link time),
 * and the test answers it. Covers the start from the lease to reading after
 * the committed offset, a batch committed (moving the offset), the next
 * batch read ahead of a commit, a commit refused because the lease was lost
 * or the offset moved, the restart that follows it from the lease, and the
 * delivery limit.
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

static redisReply *entry_of(const char *id, const char *date, const char *student)
{
	char rid[48], at[32];
	snprintf(rid, sizeof rid, "%s-%s-sick-0", student, date);
	snprintf(at, sizeof at, "%sT08:00:00Z", date);
	const char *f[] = {"v", "1", "id", rid, "student", student, "school", "01AC",
			   "sector", "vo", "kind", "sick", "date", date, "recorded_at", at};
	redisReply *fields = reply_new(REDIS_REPLY_ARRAY);
	fields->elements = sizeof f / sizeof f[0];
	fields->element = calloc(fields->elements, sizeof *fields->element);
	for (size_t i = 0; i < fields->elements; i++)
		fields->element[i] = r_str(REDIS_REPLY_STRING, f[i]);
	return r_arr(2, r_str(REDIS_REPLY_STRING, id), fields);
}

static redisReply *entry_on(const char *id, const char *date)
{
	return entry_of(id, date, "a1");
}

static redisReply *entry(const char *id)
{
	return entry_on(id, "2026-08-17");
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

/* RESUME's answer: the committed offset and its start count. */
static redisReply *resumed(const char *offset, long long tries)
{
	return r_arr(2, r_str(REDIS_REPLY_STRING, offset), r_int(tries));
}

/* From the lease and RESUME (offset, tries) to the blocking read. */
static void start_at(const char *offset, long long tries)
{
	partition_kick(part);
	answer("EVALSHA", "sha-lease_take", r_int(1));
	assert_true(partition_holds_lease(part));
	answer("EVALSHA", "sha-resume", resumed(offset, tries));
	answer("GET", NULL, reply_new(REDIS_REPLY_NIL));
	run_loop();
	assert_int_equal(ncalls, 1);
	assert_string_equal(calls[0].argv[0], "XREAD");
	assert_string_equal(calls[0].argv[7], offset); /* after the offset */
}

/* With nothing to read: the first blocking read after 4-1 is answered
 * empty, and the next one goes out. */
static void start_to_reading(void)
{
	start_at("4-1", 0);
	answer("XREAD", NULL, reply_new(REDIS_REPLY_NIL));
}

static void test_start_reads_after_the_lease(void **state)
{
	(void)state;
	assert_int_equal(partition_state(part), PS_IDLE);
	start_to_reading();
	assert_int_equal(partition_state(part), PS_READING);
	assert_int_equal(ncalls, 1);
	assert_string_equal(calls[0].argv[0], "XREAD");
	assert_int_equal(calls[0].argc, 8);
	assert_string_equal(calls[0].argv[3], "BLOCK");
	assert_string_equal(calls[0].argv[7], "4-1");
	assert_string_equal(partition_offset(part), "4-1");
}

/* The oldest call is the COMMIT of one entry, id, read after `after`:
 * EVALSHA sha nkeys keys... token after expiry, one state, no task, no dead
 * letter, the new offset (id): fenced by the lease token and the offset, and
 * every key it touches declared (the 9 fixed ones, then the day hash of
 * each date it counts: here the entry's). */
static void assert_commit_after(const char *after, const char *id)
{
	assert_string_equal(calls[0].argv[1], "sha-commit");
	assert_string_equal(calls[0].argv[2], "10");
	assert_string_equal(calls[0].argv[3], "vs:{0}:lease");
	assert_string_equal(calls[0].argv[7], "vs:{0}:offset");
	assert_string_equal(calls[0].argv[11], "vs:{0}:quarantined");
	assert_string_equal(calls[0].argv[12], "vs:{0}:daily:2026-08-17");
	assert_string_equal(calls[0].argv[13], partition_token(part));
	assert_string_equal(calls[0].argv[14], after);
	int at = 17 + 2 * atoi(calls[0].argv[16]); /* past the states */
	assert_string_equal(calls[0].argv[at], "0");     /* no task */
	assert_string_equal(calls[0].argv[at + 1], "0"); /* no dead letter */
	assert_string_equal(calls[0].argv[at + 2], id);  /* the new offset */
	assert_string_equal(calls[0].argv[at + 3], "");  /* the start count: cleared as it moves */
}


static redisReply *batch_reply(const char *id)
{
	return r_arr(1, r_arr(2, r_str(REDIS_REPLY_STRING, "vs:{0}:events"), r_arr(1, entry(id))));
}

static const char *commit_after(int i);
static const char *commit_tail(int i, int what);

/* A read of two entries, of two pupils (a1, b1) on the first school day. */
static redisReply *two_entries(const char *id1, const char *id2)
{
	return r_arr(1, r_arr(2, r_str(REDIS_REPLY_STRING, "vs:{0}:events"),
			      r_arr(2, entry_of(id1, "2026-08-17", "a1"),
				    entry_of(id2, "2026-08-17", "b1"))));
}

/* Reading: a batch of one entry arrives, its state is loaded (none yet),
 * and its commit goes out; the partition does not wait for its reply but
 * reads on after the entry at once. */
static void one_batch(const char *id)
{
	char before[48];
	snprintf(before, sizeof before, "%s", partition_offset(part));
	answer("XREAD", NULL,
	       r_arr(1, r_arr(2, r_str(REDIS_REPLY_STRING, "vs:{0}:events"), r_arr(1, entry(id)))));
	answer("HMGET", "vs:{0}:state", r_arr(1, reply_new(REDIS_REPLY_NIL)));
	run_loop();
	assert_int_equal(ncalls, 2);
	assert_commit_after(before, id);
	assert_string_equal(calls[1].argv[0], "XREAD");
	assert_string_equal(calls[1].argv[7], id);
	assert_int_equal(partition_state(part), PS_READING);
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
	assert_string_equal(partition_offset(part), "5-1");
	/* the next read starts after the batch */
	assert_int_equal(ncalls, 1);
	assert_string_equal(calls[0].argv[7], "5-1");
}

/* A commit refused because the stored offset is not the one the batch was
 * read after (another owner committed meanwhile): the partition starts over
 * from its lease (which it still holds) and reads after the offset stored. */
static void test_a_stale_commit_restarts_from_the_offset_stored(void **state)
{
	(void)state;
	start_to_reading();
	one_batch("5-1");
	answer("EVALSHA", "sha-commit", r_str(REDIS_REPLY_ERROR, "STALE the committed offset is 9-1, not 4-1"));
	assert_int_equal(partition_state(part), PS_IDLE);
	assert_int_equal(d.stats.commits, 0);
	assert_int_equal(d.stats.commit_failures, 1);
	drop_pending();
	event_base_loop(d.base, EVLOOP_ONCE);
	start_at("9-1", 1);
	one_batch("10-1");
	assert_commit_after("9-1", "10-1");
	answer("EVALSHA", "sha-commit", r_int(0));
	assert_string_equal(partition_offset(part), "10-1");
}

/* The delivery limit: at max_deliveries starts after one offset the
 * entries are read one at a time, and a single entry's commit leaves the
 * start count one below the limit (the next start reads one at a time
 * again; a clean restart must not dead-letter a healthy entry); past the
 * limit the first entry read goes to the dead letters unapplied. */
static void test_the_delivery_limit(void **state)
{
	(void)state;
	int max = cfg.daemon.max_deliveries;
	start_at("4-1", max);
	assert_string_equal(calls[0].argv[2], "1"); /* COUNT 1 */
	answer("XREAD", NULL, batch_reply("5-1"));
	answer("HMGET", "vs:{0}:state", r_arr(1, reply_new(REDIS_REPLY_NIL)));
	run_loop();
	char want[16];
	snprintf(want, sizeof want, "%d", max - 1);
	assert_string_equal(calls[0].argv[21], "5-1");
	assert_string_equal(calls[0].argv[22], want); /* one below the limit */
	answer("EVALSHA", "sha-commit", r_int(0));
	assert_string_equal(calls[0].argv[2], "1"); /* still one at a time */
	/* the stream read to its end: the window ends, the start count is
	 * cleared (an empty commit), then whole batches again */
	answer("XREAD", NULL, reply_new(REDIS_REPLY_NIL));
	run_loop();
	assert_string_equal(calls[0].argv[1], "sha-commit");
	assert_string_equal(calls[0].argv[2], "9");
	assert_string_equal(calls[0].argv[13], "5-1");
	assert_string_equal(calls[0].argv[18], ""); /* the offset unmoved */
	assert_string_equal(calls[0].argv[19], "0"); /* the count cleared */
	answer("EVALSHA", "sha-commit", r_int(0));
	assert_string_equal(calls[0].argv[0], "XREAD");
	assert_string_not_equal(calls[0].argv[2], "1");
	/* the next entry fails: a restart past the limit */
	partition_hold(part, "a test");
	drop_pending();
	event_base_loop(d.base, EVLOOP_ONCE);
	start_at("5-1", max + 1);
	assert_string_equal(calls[0].argv[2], "1");
	answer("XREAD", NULL, batch_reply("6-1"));
	run_loop();
	/* no state loaded: the entry is not applied (nor its day counted) */
	assert_string_equal(calls[0].argv[1], "sha-commit");
	assert_string_equal(calls[0].argv[2], "9");
	assert_string_equal(calls[0].argv[13], "5-1");
	assert_string_equal(calls[0].argv[15], "0"); /* no state */
	assert_string_equal(calls[0].argv[16], "0"); /* no task */
	assert_string_equal(calls[0].argv[17], "1"); /* one dead letter */
	answer("EVALSHA", "sha-commit", r_int(0));
	assert_int_equal(d.stats.dead_by_reason[DEAD_DELIVERY_LIMIT], 1);
	assert_string_equal(partition_offset(part), "6-1");
	/* the count was cleared with the dead letter: the window's next
	 * entries one at a time, without keeping it */
	assert_string_equal(calls[0].argv[2], "1");
	answer("XREAD", NULL, batch_reply("7-1"));
	answer("HMGET", "vs:{0}:state", r_arr(1, reply_new(REDIS_REPLY_NIL)));
	run_loop();
	assert_commit_after("6-1", "7-1");
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
	/* the offset did not move: the entry is read again after it and
	 * committed once, under the lease taken again */
	start_at("4-1", 1);
	one_batch("5-1");
	answer("EVALSHA", "sha-commit", r_int(1));
	assert_int_equal(d.stats.commits, 1);
	assert_int_equal(d.stats.entries, 1);
	answer("XREAD", NULL, reply_new(REDIS_REPLY_NIL));
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
 * while Redis runs the first commit (not waiting for its reply), and sends
 * the following read ahead in turn. */
static void test_a_full_batch_reads_the_next_ahead(void **state)
{
	(void)state;
	cfg.daemon.batch_size = 1;
	cfg.daemon.read_batches = 2; /* a read brings two */
	start_to_reading();
	answer("XREAD", NULL, two_entries("5-1", "5-2"));
	run_loop();
	assert_int_equal(ncalls, 2);
	/* the states first: the batch waits for them, not for the read */
	assert_string_equal(calls[0].argv[0], "HMGET");
	assert_string_equal(calls[1].argv[0], "XREAD"); /* ahead: not blocking */
	assert_int_equal(calls[1].argc, 6);
	assert_string_equal(calls[1].argv[2], "2");
	assert_string_equal(calls[1].argv[5], "5-2"); /* after the read */
	/* written out before the batch is applied, not with what follows it */
	assert_true(calls[1].flushes > calls[0].flushes);
	/* the states' reply, the loop not run after it: the first batch's worth
	 * is applied and committed, the rest waits for the loop's next turn
	 * (the dispatcher's replies are handled between batches) */
	struct call c = calls[0];
	memmove(calls, calls + 1, (size_t)(ncalls - 1) * sizeof *calls);
	ncalls--;
	redisReply *nils = r_arr(2, reply_new(REDIS_REPLY_NIL), reply_new(REDIS_REPLY_NIL));
	c.fn((struct rconn *)&fake_conn, nils, c.priv);
	reply_free(nils);
	assert_int_equal(ncalls, 2);
	assert_string_equal(calls[1].argv[1], "sha-commit");
	run_loop();
	/* applied and committed a batch's worth at a time, before the read's
	 * reply came */
	assert_int_equal(ncalls, 3);
	assert_string_equal(calls[1].argv[1], "sha-commit");
	assert_string_equal(commit_after(1), "4-1");
	assert_string_equal(commit_tail(1, 0), "5-1");
	assert_string_equal(calls[2].argv[1], "sha-commit");
	assert_string_equal(commit_after(2), "5-1");
	assert_string_equal(commit_tail(2, 0), "5-2");
	assert_true(calls[2].flushes > calls[1].flushes);
	answer("XREAD", NULL, two_entries("6-1", "6-2"));
	/* both pupils cached: the next read ahead, then a commit each */
	assert_int_equal(ncalls, 5);
	assert_string_equal(calls[2].argv[0], "XREAD");
	assert_string_equal(calls[2].argv[5], "6-2");
	assert_string_equal(commit_after(3), "5-2");
	assert_string_equal(commit_tail(3, 0), "6-1");
	assert_string_equal(commit_after(4), "6-1");
	assert_string_equal(commit_tail(4, 0), "6-2");
	assert_true(fake_flushes > calls[4].flushes);
	answer("EVALSHA", "sha-commit", r_int(1));
	answer("EVALSHA", "sha-commit", r_int(1));
	assert_int_equal(d.stats.commits, 2);
	calls[0].fn((struct rconn *)&fake_conn, NULL, calls[0].priv); /* (nothing more) */
	memmove(calls, calls + 1, (size_t)(ncalls - 1) * sizeof *calls);
	ncalls--;
	run_loop();
	/* the read ahead failed (no reply): an ordinary read follows */
	assert_int_equal(ncalls, 3);
	assert_string_equal(calls[2].argv[0], "XREAD");
	assert_int_equal(calls[2].argc, 8); /* BLOCK */
	assert_string_equal(calls[2].argv[7], "6-2");
	answer("EVALSHA", "sha-commit", r_int(1));
	answer("EVALSHA", "sha-commit", r_int(1));
	assert_int_equal(d.stats.commits, 4);
	assert_int_equal(d.stats.entries, 4);
	assert_int_equal(partition_state(part), PS_READING);
}

/* The `after` argument of the commit in calls[i] (past its keys). */
static const char *commit_after(int i)
{
	return calls[i].argv[3 + atoi(calls[i].argv[2]) + 1];
}

/* The argument of a commit at `what` past the dead letters: 0 = upto (the
 * new offset), 1 = tries, 2 = swept (store/lua/commit.lua's ARGV). */
static const char *commit_tail(int i, int what)
{
	char (*a)[96] = calls[i].argv;
	int at = 3 + atoi(a[2]) + 3; /* past the keys, token, after and expiry */
	at += 1 + 2 * atoi(a[at]);   /* the states */
	for (int section = 0; section < 2; section++) { /* tasks, dead letters */
		int n = atoi(a[at++]);
		for (int k = 0; k < n; k++)
			at += 1 + atoi(a[at]);
	}
	return a[at + what];
}

/* A batch that crosses a school day on the events clock commits its part
 * before the day, sweeps, then applies the rest. The part goes like a
 * batch's commit: the sweep runs at once (its HSCAN sent behind the part's
 * commit, not after its reply). The sweep has no commit of its own: its
 * changes and the swept marker join the commit of the batch's rest, which
 * is read after the part's offset (so Redis refuses it, STALE, if the part
 * was refused) and is not waited for either. */
static void test_the_part_before_a_sweep_does_not_wait(void **state)
{
	(void)state;
	cfg.daemon.batch_size = 1;
	cfg.daemon.read_batches = 2; /* a read brings two */
	start_to_reading();
	answer("XREAD", NULL,
	       r_arr(1, r_arr(2, r_str(REDIS_REPLY_STRING, "vs:{0}:events"),
			      r_arr(2, entry_on("5-1", "2026-09-14"), entry_on("6-1", "2026-09-15")))));
	answer("HMGET", "vs:{0}:state", r_arr(1, reply_new(REDIS_REPLY_NIL)));
	answer("XREAD", NULL, reply_new(REDIS_REPLY_NIL)); /* the read ahead: nothing more */
	assert_int_equal(ncalls, 2);
	assert_string_equal(calls[0].argv[1], "sha-commit"); /* the part: 5-1 */
	assert_string_equal(commit_after(0), "4-1");
	assert_string_equal(commit_tail(0, 0), "5-1");
	assert_string_equal(commit_tail(0, 2), "2026-09-13"); /* where the clock starts; not the sweep */
	assert_string_equal(calls[1].argv[0], "HSCAN"); /* the sweep, not waiting */
	assert_true(calls[1].flushes > calls[0].flushes);
	answer("EVALSHA", "sha-commit", r_int(0)); /* the part */
	answer("HSCAN", "vs:{0}:state", r_arr(2, r_str(REDIS_REPLY_STRING, "0"), r_arr(0)));
	/* the rest of the batch with the sweep, and the next read sent at once */
	assert_int_equal(ncalls, 2);
	assert_string_equal(calls[0].argv[1], "sha-commit");
	assert_string_equal(commit_after(0), "5-1");
	assert_string_equal(commit_tail(0, 0), "6-1");
	assert_string_equal(commit_tail(0, 2), "2026-09-14"); /* the swept marker */
	assert_string_equal(calls[1].argv[0], "XREAD");
	assert_string_equal(calls[1].argv[7], "6-1");
	answer("EVALSHA", "sha-commit", r_int(0)); /* the rest and the sweep */
	assert_int_equal(d.stats.commits, 2);
	assert_int_equal(d.stats.entries, 2);
	assert_int_equal(d.stats.sweeps, 1);
	assert_int_equal(d.stats.commit_failures, 0);
	assert_string_equal(partition_offset(part), "6-1");
}

/* A sweep due at a batch's first entry has nothing before it to commit:
 * no empty commit is sent (it would be waited for). */
static void test_a_sweep_at_the_first_entry_sends_no_empty_commit(void **state)
{
	(void)state;
	cfg.daemon.batch_size = 2;
	start_to_reading();
	/* the events clock starts on 2026-09-14 (past the first month: no signal) */
	answer("XREAD", NULL,
	       r_arr(1, r_arr(2, r_str(REDIS_REPLY_STRING, "vs:{0}:events"),
			      r_arr(1, entry_on("5-1", "2026-09-14")))));
	answer("HMGET", "vs:{0}:state", r_arr(1, reply_new(REDIS_REPLY_NIL)));
	answer("EVALSHA", "sha-commit", r_int(0));
	answer("XREAD", NULL,
	       r_arr(1, r_arr(2, r_str(REDIS_REPLY_STRING, "vs:{0}:events"),
			      r_arr(1, entry_on("6-1", "2026-09-15")))));
	/* the pupil is cached: no states to load; the sweep's HSCAN first */
	assert_int_equal(ncalls, 1);
	assert_string_equal(calls[0].argv[0], "HSCAN");
	answer("HSCAN", "vs:{0}:state", r_arr(2, r_str(REDIS_REPLY_STRING, "0"), r_arr(0)));
	assert_int_equal(ncalls, 2);
	assert_string_equal(calls[0].argv[1], "sha-commit");
	assert_string_equal(commit_after(0), "5-1");
	assert_string_equal(commit_tail(0, 0), "6-1");
	assert_string_equal(commit_tail(0, 2), "2026-09-14");
	assert_string_equal(calls[1].argv[0], "XREAD");
}

/* The part before a sweep refused: the sweep's commit behind it is dropped
 * with it, and the partition starts over from its lease. */
static void test_a_refused_part_fails_the_sweep_behind_it(void **state)
{
	(void)state;
	cfg.daemon.batch_size = 1;
	cfg.daemon.read_batches = 2; /* a read brings two */
	start_to_reading();
	answer("XREAD", NULL,
	       r_arr(1, r_arr(2, r_str(REDIS_REPLY_STRING, "vs:{0}:events"),
			      r_arr(2, entry_on("5-1", "2026-09-14"), entry_on("6-1", "2026-09-15")))));
	answer("HMGET", "vs:{0}:state", r_arr(1, reply_new(REDIS_REPLY_NIL)));
	answer("XREAD", NULL, reply_new(REDIS_REPLY_NIL));
	assert_int_equal(ncalls, 2);
	answer("EVALSHA", "sha-commit", r_str(REDIS_REPLY_ERROR, "STALE the committed offset is 9-1, not 4-1"));
	assert_int_equal(partition_state(part), PS_IDLE);
	assert_int_equal(d.stats.commits, 0);
	assert_int_equal(d.stats.commit_failures, 1);
	/* the HSCAN's reply, late, belongs to the old chain: nothing follows */
	answer("HSCAN", "vs:{0}:state", r_arr(2, r_str(REDIS_REPLY_STRING, "0"), r_arr(0)));
	assert_int_equal(ncalls, 0);
	assert_int_equal(partition_state(part), PS_IDLE);
}

/* Two commits in flight: the first refused, the partition starts over
 * from the lease; the second (read after the first's offset, so Redis
 * refuses it too: STALE) counts as failed with it. */
static void test_a_refused_commit_fails_the_one_behind_it(void **state)
{
	(void)state;
	cfg.daemon.batch_size = 1;
	cfg.daemon.read_batches = 2; /* a read brings two */
	start_to_reading();
	answer("XREAD", NULL, two_entries("5-1", "5-2"));
	answer("HMGET", "vs:{0}:state", r_arr(2, reply_new(REDIS_REPLY_NIL), reply_new(REDIS_REPLY_NIL)));
	/* a commit per batch's worth (one entry), neither waited for */
	assert_int_equal(ncalls, 3);
	assert_string_equal(calls[0].argv[0], "XREAD"); /* ahead */
	answer("XREAD", NULL, reply_new(REDIS_REPLY_NIL));
	assert_int_equal(ncalls, 3);
	assert_commit_after("4-1", "5-1");
	assert_string_equal(calls[1].argv[1], "sha-commit");
	assert_string_equal(commit_after(1), "5-1");
	assert_string_equal(calls[2].argv[0], "XREAD");
	answer("EVALSHA", "sha-commit", r_str(REDIS_REPLY_ERROR, "WRONGTYPE a test"));
	assert_int_equal(partition_state(part), PS_IDLE);
	assert_int_equal(d.stats.commits, 0);
	assert_int_equal(d.stats.commit_failures, 2);
}

/* At the delivery limit the entries go one at a time for as many as the
 * read that failed held (read_batches x batch_size), not a batch's worth:
 * the entry that fails may be in the read's last batch. */
static void test_the_delivery_window_covers_the_failed_read(void **state)
{
	(void)state;
	cfg.daemon.batch_size = 1;
	cfg.daemon.read_batches = 2; /* the failed read was 5-1, 5-2 */
	start_at("4-1", cfg.daemon.max_deliveries);
	answer("XREAD", NULL, batch_reply("5-1"));
	answer("HMGET", "vs:{0}:state", r_arr(1, reply_new(REDIS_REPLY_NIL)));
	run_loop();
	answer("EVALSHA", "sha-commit", r_int(0));
	assert_string_equal(calls[0].argv[0], "XREAD");
	assert_string_equal(calls[0].argv[2], "1"); /* still one at a time */
}

/* A long batch reads Redis' replies while it is applied (rconn_pump):
 * the next read's reply, larger than a socket's buffer, keeps coming. */
static void test_a_long_batch_pumps_the_replies(void **state)
{
	(void)state;
	cfg.daemon.batch_size = 300;
	cfg.daemon.read_batches = 1;
	start_to_reading();
	redisReply *list = reply_new(REDIS_REPLY_ARRAY);
	list->elements = 300;
	list->element = calloc(list->elements, sizeof *list->element);
	for (size_t i = 0; i < list->elements; i++) {
		char id[32], student[32];
		snprintf(id, sizeof id, "5-%zu", i + 1);
		snprintf(student, sizeof student, "p%zu", i);
		list->element[i] = entry_of(id, "2026-08-17", student);
	}
	answer("XREAD", NULL, r_arr(1, r_arr(2, r_str(REDIS_REPLY_STRING, "vs:{0}:events"), list)));
	redisReply *nils = reply_new(REDIS_REPLY_ARRAY);
	nils->elements = 300;
	nils->element = calloc(nils->elements, sizeof *nils->element);
	for (size_t i = 0; i < nils->elements; i++)
		nils->element[i] = reply_new(REDIS_REPLY_NIL);
	int before = fake_pumps;
	answer("HMGET", "vs:{0}:state", nils);
	assert_int_equal(fake_pumps - before, 1); /* every 256 entries */
	assert_string_equal(calls[1].argv[1], "sha-commit");
}

/* Between the batches of a read the loop turns: I/O waiting meanwhile (a
 * delivery's socket, a lease renewal's reply) is served before the next
 * batch is applied. */
static int io_commits = -1;
static struct call states_call;

static void on_pipe(evutil_socket_t fd, short what, void *arg)
{
	(void)what, (void)arg;
	char c;
	if (read(fd, &c, 1) == 1 && io_commits < 0)
		io_commits = fake_count("EVALSHA");
}

static void answer_states_in_loop(evutil_socket_t fd, short what, void *arg)
{
	(void)fd, (void)what;
	int *pipefd = arg;
	assert_int_equal(write(pipefd[1], "x", 1), 1); /* I/O arrives meanwhile */
	redisReply *nils = r_arr(2, reply_new(REDIS_REPLY_NIL), reply_new(REDIS_REPLY_NIL));
	states_call.fn((struct rconn *)&fake_conn, nils, states_call.priv);
	reply_free(nils);
}

static void test_io_is_served_between_the_batches_of_a_read(void **state)
{
	(void)state;
	cfg.daemon.batch_size = 1;
	cfg.daemon.read_batches = 2;
	start_to_reading();
	answer("XREAD", NULL, two_entries("5-1", "5-2"));
	assert_string_equal(calls[0].argv[0], "HMGET");
	states_call = calls[0];
	memmove(calls, calls + 1, (size_t)(ncalls - 1) * sizeof *calls);
	ncalls--;
	int pipefd[2];
	assert_int_equal(pipe(pipefd), 0);
	struct event *io = event_new(d.base, pipefd[0], EV_READ | EV_PERSIST, on_pipe, NULL);
	event_add(io, NULL);
	struct timeval zero = {0, 0};
	event_base_once(d.base, -1, EV_TIMEOUT, answer_states_in_loop, pipefd, &zero);
	io_commits = -1;
	event_base_loop(d.base, EVLOOP_ONCE);
	event_base_loop(d.base, EVLOOP_ONCE);
	run_loop();
	assert_int_equal(io_commits, 1); /* only the first batch's commit before it */
	event_free(io);
	close(pipefd[0]);
	close(pipefd[1]);
}

/* Deliveries first: while the dispatcher is behind, the next read waits
 * (a few ms at a time), and goes on once it is not; a dispatcher that
 * stays behind slows the intake but cannot stop it. */
static bool fake_behind;
bool __wrap_dispatcher_behind(const struct dispatcher *ds);
bool __wrap_dispatcher_behind(const struct dispatcher *ds)
{
	(void)ds;
	return fake_behind;
}

static int reads_sent(void)
{
	return fake_count("XREAD");
}

static void test_the_intake_waits_for_deliveries_behind(void **state)
{
	(void)state;
	struct dispatcher *disp[1] = {(struct dispatcher *)&fake_behind}; /* (never called but wrapped) */
	start_to_reading();
	d.disp = disp;
	fake_behind = true;
	answer("XREAD", NULL, batch_reply("5-1"));
	answer("HMGET", "vs:{0}:state", r_arr(1, reply_new(REDIS_REPLY_NIL)));
	assert_int_equal(ncalls, 1); /* the commit; the next read waits */
	assert_string_equal(calls[0].argv[1], "sha-commit");
	usleep(5000);
	run_loop();
	assert_int_equal(reads_sent(), 0);
	fake_behind = false;
	usleep(5000);
	run_loop();
	assert_int_equal(reads_sent(), 1); /* caught up: the read goes out */
	/* behind for good: the read still goes out, only later */
	fake_behind = true;
	answer("EVALSHA", "sha-commit", r_int(0));
	answer("XREAD", NULL, batch_reply("6-1"));
	assert_int_equal(reads_sent(), 0);
	for (int i = 0; i < 400 && reads_sent() == 0; i++) {
		usleep(5000);
		run_loop();
	}
	assert_int_equal(reads_sent(), 1);
	fake_behind = false;
	d.disp = NULL;
}

/* A read of two entries of the given pupils on the first school day. */
static redisReply *read_of(const char *id1, const char *s1, const char *id2, const char *s2)
{
	return r_arr(1, r_arr(2, r_str(REDIS_REPLY_STRING, "vs:{0}:events"),
			      r_arr(2, entry_of(id1, "2026-08-17", s1),
				    entry_of(id2, "2026-08-17", s2))));
}

/* answer() without running the loop before or after. */
static void answer_now(const char *a0, const char *a1, redisReply *r)
{
	assert_true(ncalls > 0);
	assert_string_equal(calls[0].argv[0], a0);
	assert_string_equal(calls[0].argv[1], a1);
	struct call c = calls[0];
	memmove(calls, calls + 1, (size_t)(ncalls - 1) * sizeof *calls);
	ncalls--;
	c.fn((struct rconn *)&fake_conn, r, c.priv);
	reply_free(r);
}

/* The number of dead letters in the commit in calls[i]. */
static int commit_dead(int i)
{
	char (*a)[96] = calls[i].argv;
	int at = 3 + atoi(a[2]) + 3;
	at += 1 + 2 * atoi(a[at]); /* the states */
	int n = atoi(a[at++]);     /* the tasks */
	for (int k = 0; k < n; k++)
		at += 1 + atoi(a[at]);
	return atoi(a[at]);
}

/* Reads of two batches of one entry: 5-1 (a1) and 5-2 (b1) read, their
 * states (none) answered; with run the loop runs after (both batches
 * applied), without it only the first batch is. */
static void read_two_pupils(bool run)
{
	cfg.daemon.batch_size = 1;
	cfg.daemon.read_batches = 2;
	start_to_reading();
	answer("XREAD", NULL, read_of("5-1", "a1", "5-2", "b1"));
	redisReply *nils = r_arr(2, reply_new(REDIS_REPLY_NIL), reply_new(REDIS_REPLY_NIL));
	if (run)
		answer("HMGET", "vs:{0}:state", nils);
	else
		answer_now("HMGET", "vs:{0}:state", nils);
}

/* The read sent ahead asks for its pupils' states as soon as it arrives,
 * behind the commits still in flight, and its turn then needs no HMGET of
 * its own: c1 has no state yet, d1's is unreadable (its entry goes to the
 * dead letters), a1 is cached and not asked. */
static void test_the_read_ahead_asks_its_states_when_it_arrives(void **state)
{
	(void)state;
	/* the states' reply applies the first batch (the second waits for
	 * the loop's next turn) */
	read_two_pupils(false);
	assert_int_equal(ncalls, 2);
	/* the read ahead arrives while the read in hand is applied */
	answer_now("XREAD", "COUNT",
		   r_arr(1, r_arr(2, r_str(REDIS_REPLY_STRING, "vs:{0}:events"),
				  r_arr(3, entry_of("6-1", "2026-08-17", "c1"),
					entry_of("6-2", "2026-08-17", "a1"),
					entry_of("6-3", "2026-08-17", "d1")))));
	assert_int_equal(ncalls, 2);
	assert_string_equal(calls[1].argv[0], "HMGET"); /* asked at once */
	assert_int_equal(calls[1].argc, 4);
	assert_string_equal(calls[1].argv[2], "c1");
	assert_string_equal(calls[1].argv[3], "d1");
	answer_now("EVALSHA", "sha-commit", r_int(1));
	answer_now("HMGET", "vs:{0}:state",
		   r_arr(2, reply_new(REDIS_REPLY_NIL), r_str(REDIS_REPLY_STRING, "not a state")));
	run_loop(); /* the second batch of the read in hand, then the next read's */
	/* no other HMGET: the states were there; the read after it goes
	 * ahead, and each batch is committed */
	assert_int_equal(fake_count("HMGET"), 0);
	assert_int_equal(ncalls, 5);
	assert_string_equal(commit_tail(0, 0), "5-2");
	assert_string_equal(calls[1].argv[0], "XREAD");
	assert_string_equal(commit_tail(2, 0), "6-1");
	assert_int_equal(commit_dead(2), 0);
	assert_string_equal(commit_tail(3, 0), "6-2");
	assert_string_equal(commit_tail(4, 0), "6-3");
	assert_int_equal(commit_dead(4), 1); /* d1: state_corrupt */
	drop_pending();
}

/* The read in hand is done before the read ahead arrives: its turn waits
 * for the prefetch's reply (already on its way) instead of asking again. */
static void test_the_read_ahead_waits_for_its_states_on_the_way(void **state)
{
	(void)state;
	read_two_pupils(true);
	assert_int_equal(ncalls, 3); /* the read ahead, two commits */
	answer("XREAD", NULL, read_of("6-1", "c1", "6-2", "b1"));
	/* its turn came at once (the read in hand was done): it waits */
	assert_int_equal(fake_count("HMGET"), 1);
	assert_string_equal(calls[2].argv[2], "c1");
	assert_int_equal(calls[2].argc, 3);
	assert_int_equal(partition_state(part), PS_LOADING);
	answer_now("EVALSHA", "sha-commit", r_int(1));
	answer_now("EVALSHA", "sha-commit", r_int(1));
	answer("HMGET", "vs:{0}:state", r_arr(1, reply_new(REDIS_REPLY_NIL)));
	assert_int_equal(fake_count("HMGET"), 0);
	assert_int_equal(ncalls, 3);
	assert_string_equal(calls[0].argv[0], "XREAD");
	assert_string_equal(commit_tail(1, 0), "6-1");
	assert_string_equal(commit_tail(2, 0), "6-2");
	drop_pending();
}

/* A sweep by HSCAN (it loads and purges pupils outside the cache) between
 * the prefetch and its use makes the prefetched states stale: they are
 * asked again. */
static void test_a_scan_makes_the_prefetch_stale(void **state)
{
	(void)state;
	cfg.daemon.batch_size = 1;
	cfg.daemon.read_batches = 2;
	start_to_reading();
	answer("XREAD", NULL,
	       r_arr(1, r_arr(2, r_str(REDIS_REPLY_STRING, "vs:{0}:events"),
			      r_arr(2, entry_on("5-1", "2026-09-14"), entry_on("6-1", "2026-09-15")))));
	answer_now("HMGET", "vs:{0}:state", r_arr(1, reply_new(REDIS_REPLY_NIL)));
	answer_now("XREAD", "COUNT",
		   r_arr(1, r_arr(2, r_str(REDIS_REPLY_STRING, "vs:{0}:events"),
				  r_arr(1, entry_of("7-1", "2026-09-15", "b1")))));
	answer_now("EVALSHA", "sha-commit", r_int(1)); /* 5-1 */
	/* what b1 had before the sweep */
	answer_now("HMGET", "vs:{0}:state", r_arr(1, r_str(REDIS_REPLY_STRING, "old")));
	run_loop(); /* 6-1: the day before is swept first */
	assert_string_equal(calls[0].argv[0], "HSCAN");
	answer("HSCAN", "vs:{0}:state", r_arr(2, r_str(REDIS_REPLY_STRING, "0"), r_arr(0)));
	/* 6-1 with the sweep, then the read ahead's turn: b1 asked again */
	assert_int_equal(ncalls, 2);
	assert_string_equal(commit_tail(0, 0), "6-1");
	assert_string_equal(calls[1].argv[0], "HMGET");
	assert_string_equal(calls[1].argv[2], "b1");
	drop_pending();
}

/* A restart drops what was prefetched: after a refused commit another
 * owner may have written those pupils, so the read after the stored offset
 * asks for their states again. */
static void test_a_restart_drops_the_prefetch(void **state)
{
	(void)state;
	read_two_pupils(false);
	answer_now("XREAD", "COUNT", read_of("6-1", "c1", "6-2", "d1"));
	assert_string_equal(calls[1].argv[0], "HMGET");
	answer_now("EVALSHA", "sha-commit",
		   r_str(REDIS_REPLY_ERROR, "STALE the committed offset is 9-1, not 4-1"));
	assert_int_equal(partition_state(part), PS_IDLE);
	drop_pending(); /* the prefetch's reply never comes: it belongs to the old chain */
	event_base_loop(d.base, EVLOOP_ONCE);
	start_at("9-1", 1);
	answer("XREAD", NULL, read_of("10-1", "c1", "10-2", "d1"));
	assert_string_equal(calls[0].argv[0], "HMGET");
	assert_int_equal(calls[0].argc, 4);
	assert_string_equal(calls[0].argv[2], "c1");
	assert_string_equal(calls[0].argv[3], "d1");
	drop_pending();
}

/* A read of eight entries, <ms>-1 .. <ms>-8, of the pupil a1. */
static redisReply *read_of_eight(const char *ms)
{
	redisReply *list = reply_new(REDIS_REPLY_ARRAY);
	list->elements = 8;
	list->element = calloc(8, sizeof *list->element);
	for (int i = 0; i < 8; i++) {
		char id[32];
		snprintf(id, sizeof id, "%s-%d", ms, i + 1);
		list->element[i] = entry(id);
	}
	return r_arr(1, r_arr(2, r_str(REDIS_REPLY_STRING, "vs:{0}:events"), list));
}

/* Commits in flight are bounded: a read's batches go on without waiting
 * while fewer than seven are in flight (its last always), so at most eight;
 * the next read then waits until a reply brings them below seven. */
static void test_commits_in_flight_are_bounded(void **state)
{
	(void)state;
	cfg.daemon.batch_size = 1;
	cfg.daemon.read_batches = 8;
	start_to_reading();
	answer("XREAD", NULL, read_of_eight("5"));
	answer("HMGET", "vs:{0}:state", r_arr(1, reply_new(REDIS_REPLY_NIL)));
	for (int i = 0; i < 8; i++)
		run_loop(); /* one batch a turn */
	assert_int_equal(fake_count("EVALSHA"), 8);
	assert_string_equal(calls[0].argv[0], "XREAD"); /* the next read, ahead */
	answer("XREAD", NULL, read_of_eight("6"));
	assert_int_equal(fake_count("EVALSHA"), 8); /* it waits */
	answer("EVALSHA", "sha-commit", r_int(0));
	assert_int_equal(fake_count("EVALSHA"), 7); /* still */
	answer("EVALSHA", "sha-commit", r_int(0));
	for (int i = 0; i < 8; i++)
		run_loop();
	assert_true(fake_count("EVALSHA") > 6); /* the next read's commits */
	assert_int_equal(d.stats.commits, 2);
	drop_pending();
}

/* While the partition's deliveries are behind, fewer commits go in flight
 * (their TAKEs and RESULTs wait in Redis behind every one): a read's
 * batches wait once four are. */
static void test_fewer_commits_in_flight_while_deliveries_are_behind(void **state)
{
	(void)state;
	struct dispatcher *disp[1] = {(struct dispatcher *)&fake_behind}; /* (never called but wrapped) */
	cfg.daemon.batch_size = 1;
	cfg.daemon.read_batches = 8;
	start_to_reading();
	d.disp = disp;
	fake_behind = true;
	answer("XREAD", NULL, read_of_eight("5"));
	answer("HMGET", "vs:{0}:state", r_arr(1, reply_new(REDIS_REPLY_NIL)));
	for (int i = 0; i < 8; i++)
		run_loop();
	assert_int_equal(fake_count("EVALSHA"), 4);
	/* the next read arrives; the fourth commit is waited for, then the
	 * read's last four batches go, three and its last */
	answer("XREAD", NULL, read_of_eight("6"));
	answer("EVALSHA", "sha-commit", r_int(0));
	assert_int_equal(fake_count("EVALSHA"), 3);
	for (int i = 0; i < 3; i++)
		answer("EVALSHA", "sha-commit", r_int(0));
	for (int i = 0; i < 8; i++)
		run_loop();
	assert_int_equal(d.stats.commits, 4);
	/* four in flight: the next read waits for their replies, however
	 * long (the pause for deliveries alone would end after 125 steps) */
	assert_int_equal(fake_count("EVALSHA"), 4);
	for (int i = 0; i < 200; i++) {
		usleep(2000);
		run_loop();
	}
	assert_int_equal(fake_count("EVALSHA"), 4);
	fake_behind = false;
	answer("EVALSHA", "sha-commit", r_int(0));
	for (int i = 0; i < 8; i++)
		run_loop();
	assert_true(fake_count("EVALSHA") > 3); /* the next read's batches */
	assert_int_equal(d.stats.commits, 5);
	fake_behind = false;
	d.disp = NULL;
	drop_pending();
}

/* A batch asks for each uncached pupil's state once, in the order the
 * pupils first appear. */
static void test_states_are_asked_once_per_pupil(void **state)
{
	(void)state;
	start_to_reading();
	answer("XREAD", NULL,
	       r_arr(1, r_arr(2, r_str(REDIS_REPLY_STRING, "vs:{0}:events"),
			      r_arr(4, entry_of("5-1", "2026-08-17", "a1"), entry_of("5-2", "2026-08-17", "b1"),
				    entry_of("5-3", "2026-08-17", "a1"), entry_of("5-4", "2026-08-17", "c1")))));
	assert_string_equal(calls[0].argv[0], "HMGET");
	assert_int_equal(calls[0].argc, 5);
	assert_string_equal(calls[0].argv[2], "a1");
	assert_string_equal(calls[0].argv[3], "b1");
	assert_string_equal(calls[0].argv[4], "c1");
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
		cmocka_unit_test_setup_teardown(test_a_refused_commit_fails_the_one_behind_it, setup, teardown),
		cmocka_unit_test_setup_teardown(test_the_part_before_a_sweep_does_not_wait, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_sweep_at_the_first_entry_sends_no_empty_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_refused_part_fails_the_sweep_behind_it, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_stale_commit_restarts_from_the_offset_stored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_the_delivery_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_the_delivery_window_covers_the_failed_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_long_batch_pumps_the_replies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_io_is_served_between_the_batches_of_a_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_the_intake_waits_for_deliveries_behind, setup, teardown),
		cmocka_unit_test_setup_teardown(test_states_are_asked_once_per_pupil, setup, teardown),
		cmocka_unit_test_setup_teardown(test_the_read_ahead_asks_its_states_when_it_arrives, setup, teardown),
		cmocka_unit_test_setup_teardown(test_the_read_ahead_waits_for_its_states_on_the_way, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_scan_makes_the_prefetch_stale, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_restart_drops_the_prefetch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commits_in_flight_are_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fewer_commits_in_flight_while_deliveries_are_behind, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_lease_taken_by_another_waits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_stall_while_refusing, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
