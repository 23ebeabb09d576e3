/*
 * dispatch: the dispatcher's entry reader (daemon/dispatch.c) driven with a
 * fake Redis connection (a reply script, as in test_partition_fake.c) and a
 * fake lease view and clock (struct dispatch_env). Covers the start
 * (CREATE, CLAIM, NEW), a task entry accepted under the lease's token, an
 * ACCEPT refused because the lease was lost (back to CREATE, the reply of
 * the old round dropped), a dispatcher whose partition has no lease
 * (it sends nothing), one held by a Redis generation mismatch (nothing
 * either) and one whose replicas are missing (only a WAIT probe).
 */
#include "testutil.h"

#include "fakeconn.h"
#include "dispatch.h"
#include "rconn.h"

#include <stdlib.h>
#include <string.h>

/* ---- the daemon around one dispatcher ---- */

static struct vsd d;
static struct vsd_config cfg;
static struct dispatcher *ds;
static bool held = true;
static int64_t now_ms = 1790000000000LL;
static struct partner_stats stats;

static const char *fake_token(const void *ctx)
{
	(void)ctx;
	return "me/0001";
}
static bool fake_held(const void *ctx)
{
	(void)ctx;
	return held;
}
static bool fake_releasing(const void *ctx)
{
	(void)ctx;
	return false;
}
static int64_t fake_clock(void)
{
	return now_ms;
}
static struct partner_stats *fake_stats(void *ctx, const char *partner, const char *connector)
{
	(void)ctx, (void)partner, (void)connector;
	return &stats;
}

static void run_loop(void)
{
	for (int i = 0; i < 5; i++)
		event_base_loop(d.base, EVLOOP_NONBLOCK);
}

/* Takes the first call whose first two arguments match (a1 NULL: any),
 * answers it with r (freed after) and runs the loop. */
static void answer(const char *a0, const char *a1, redisReply *r)
{
	run_loop();
	int i = 0;
	while (i < ncalls && (strcmp(calls[i].argv[0], a0) != 0 || (a1 && strcmp(calls[i].argv[1], a1) != 0)))
		i++;
	if (i == ncalls)
		fail_msg("no %s %s sent (%d calls)", a0, a1 ? a1 : "", ncalls);
	struct call c = calls[i];
	memmove(calls + i, calls + i + 1, (size_t)(ncalls - i - 1) * sizeof *calls);
	ncalls--;
	if (c.fn)
		c.fn((struct rconn *)&fake_conn, r, c.priv);
	reply_free(r);
	run_loop();
}

static bool sent(const char *a0, const char *a1)
{
	for (int i = 0; i < ncalls; i++)
		if (strcmp(calls[i].argv[0], a0) == 0 && (!a1 || strcmp(calls[i].argv[1], a1) == 0))
			return true;
	return false;
}

static int setup(void **state)
{
	(void)state;
	memset(&d, 0, sizeof d);
	memset(calls, 0, sizeof calls);
	ncalls = 0;
	held = true;
	char *errors = NULL;
	if (vsd_config_load(VS_SOURCE_DIR "/config/vroegsignaal.json", &cfg, &errors) != 0)
		fail_msg("config: %s", errors ? errors : "?");
	/* one school partner for every school (a file connector: nothing is
	 * delivered in these tests) */
	struct jconf jc;
	if (jconf_open_text(&jc, "p.json",
			    "{\"partners\": [{\"id\": \"school\", \"role\": \"school\", \"schools\": [\"*\"], "
			    "\"connector\": {\"type\": \"file\", \"path\": \"/dev/null\"}, "
			    "\"legal_basis\": \"Leerplichtwet 1969\"}]}") != 0)
		fail_msg("partners configuration");
	struct partners_config *pc = partners_load(&jc);
	if (jc.nerrors)
		fail_msg("partners: %s", jc.errors);
	jconf_free(&jc);
	partners_unref(cfg.partners);
	cfg.partners = pc;
	cfg.partners->dispatch.enabled = true;
	d.base = event_base_new();
	d.cfg = &cfg;
	d.cmd = (struct rconn *)&fake_conn;
	d.scripts_loaded = true;
	d.gen.checked = true; /* the Redis generation checked (generation.h) */
	for (int i = 0; i < SCRIPT_COUNT; i++)
		snprintf(d.script_sha[i], sizeof d.script_sha[i], "sha-%s", script_name((enum script_id)i));
	d.nparts = 1;
	struct dispatch_env env = {{NULL, fake_token, fake_held, fake_releasing}, fake_clock,
				   {NULL, fake_stats}};
	ds = dispatcher_new(&d, &env, 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	drop_pending();
	dispatcher_free(ds);
	event_base_free(d.base);
	vsd_config_free(&cfg);
	/* the once-per-route log of unrouted tasks (main.c frees it in the daemon) */
	free(d.dstats.unrouted_logged);
	d.dstats.unrouted_logged = NULL;
	d.dstats.nunrouted_logged = 0;
	return 0;
}

/* A task entry of pupil student. */
static redisReply *task_entry_of(const char *id, const char *task, const char *student)
{
	const char *f[] = {"id", task, "rule", "mazl", "level", "1", "student", student, "school", "01AC",
			   "sector", "vo", "date", "2026-09-01", "roles", "school", "created_at",
			   "2026-09-01T08:00:00Z", "window_hours", "48", "facts", "{}", "kind", "task"};
	redisReply *fields = reply_new(REDIS_REPLY_ARRAY);
	fields->elements = sizeof f / sizeof f[0];
	fields->element = calloc(fields->elements, sizeof *fields->element);
	for (size_t i = 0; i < fields->elements; i++)
		fields->element[i] = r_str(REDIS_REPLY_STRING, f[i]);
	return r_arr(2, r_str(REDIS_REPLY_STRING, id), fields);
}

static redisReply *task_entry(const char *id, const char *task)
{
	return task_entry_of(id, task, "a1");
}

/* CREATE, CLAIM (nothing left by a previous owner), NEW: one task entry
 * read, and ACCEPT sent for it. */
static void start_to_accept(void)
{
	run_loop();
	answer("XGROUP", "CREATE", r_str(REDIS_REPLY_STATUS, "OK"));
	answer("XAUTOCLAIM", NULL, r_arr(3, r_str(REDIS_REPLY_STRING, "0-0"), r_arr(0), r_arr(0)));
	dispatcher_kick(ds);
	answer("XREADGROUP", NULL,
	       r_arr(1, r_arr(2, r_str(REDIS_REPLY_STRING, "vs:{0}:tasks"), r_arr(1, task_entry("7-1", "vs01")))));
	run_loop();
	assert_true(sent("EVALSHA", "sha-accept"));
}

/* ACCEPT's reply for one task created whose one assignment with a case
 * landed in case cid. */
static redisReply *accepted(const char *cid)
{
	return r_arr(4, r_int(1), r_arr(0), r_int(0), r_arr(1, r_str(REDIS_REPLY_STRING, cid)));
}

/* The task accepted, then the reader kicked: the school's outbox is read
 * (ZRANGEBYSCORE, the first step of taking). */
static void start_to_take(void)
{
	start_to_accept();
	answer("EVALSHA", "sha-accept", accepted("vsa2c39a6914ff953b"));
	dispatcher_kick(ds);
	run_loop();
}

static const struct call *find(const char *a0, const char *a1)
{
	for (int i = 0; i < ncalls; i++)
		if (strcmp(calls[i].argv[0], a0) == 0 && strcmp(calls[i].argv[1], a1) == 0)
			return &calls[i];
	return NULL;
}

static void test_a_task_entry_is_accepted_under_the_lease(void **state)
{
	(void)state;
	start_to_accept();
	const struct call *c = find("EVALSHA", "sha-accept");
	/* EVALSHA sha nkeys lease tasks due audit ... token group ...: fenced */
	int nkeys = atoi(c->argv[2]);
	assert_true(nkeys >= 8 && 3 + nkeys < c->argc);
	assert_string_equal(c->argv[3], "vs:{0}:lease");
	assert_string_equal(c->argv[3 + nkeys], "me/0001");
	bool entry = false, record = false;
	for (int i = 3 + nkeys; i < c->argc && i < FAKE_ARGS && i < 3 + nkeys + 16; i++)
		entry |= strcmp(c->argv[i], "7-1") == 0;
	/* every key declared: the task record among the keys */
	for (int i = 3; i < 3 + nkeys; i++)
		record |= strncmp(c->argv[i], "vs:{0}:task:", 12) == 0;
	assert_true(entry);
	assert_true(record);
	answer("EVALSHA", "sha-accept", accepted("vsa2c39a6914ff953b"));
	assert_int_equal(d.dstats.accepted, 1);
	/* the reader goes on reading */
	dispatcher_kick(ds);
	run_loop();
	assert_true(sent("XREADGROUP", NULL));
}

static void test_a_refused_accept_starts_over(void **state)
{
	(void)state;
	start_to_accept();
	answer("EVALSHA", "sha-accept", r_str(REDIS_REPLY_ERROR, "LEASE not held"));
	assert_int_equal(d.dstats.accepted, 0);
	dispatcher_kick(ds);
	run_loop();
	assert_true(sent("XGROUP", "CREATE"));
}

static void test_no_lease_no_commands(void **state)
{
	(void)state;
	held = false;
	dispatcher_kick(ds);
	run_loop();
	assert_int_equal(ncalls, 0);
}

/* A Redis generation mismatch (generation.h): nothing is read or taken. */
static void test_generation_mismatch_no_commands(void **state)
{
	(void)state;
	d.gen.mismatch = true;
	dispatcher_kick(ds);
	run_loop();
	d.gen.mismatch = false;
	assert_int_equal(ncalls, 0);
}

/* Too few replicas confirmed the last write (rwait.h): only a bare WAIT
 * goes out, asking whether they have caught up; nothing is read or taken. */
static void test_degraded_replicas_only_probe(void **state)
{
	(void)state;
	d.wait.min_replicas = 1;
	d.wait.timeout_ms = 100;
	d.wait.degraded = true;
	dispatcher_kick(ds);
	run_loop();
	int n = ncalls;
	const char *first = n ? calls[0].argv[0] : "";
	bool waits = n == 1 && strcmp(first, "WAIT") == 0;
	drop_pending();
	d.wait = (struct rwait){0};
	assert_true(waits);
}

static void test_replies_of_before_a_lost_lease_are_dropped(void **state)
{
	(void)state;
	run_loop();
	assert_true(sent("XGROUP", "CREATE"));
	held = false; /* the partition lost its lease meanwhile */
	dispatcher_kick(ds);
	run_loop();
	held = true;
	answer("XGROUP", "CREATE", r_str(REDIS_REPLY_STATUS, "OK"));
	/* the old round's reply moved nothing on: no claim; the new round
	 * starts with CREATE again */
	assert_false(sent("XAUTOCLAIM", NULL));
	dispatcher_kick(ds);
	run_loop();
	assert_true(sent("XGROUP", "CREATE"));
}

/* The argument after the keys at (EVALSHA's argv) offset at, "" past the end. */
static const char *arg_after_keys(const struct call *c, int at)
{
	int i = 3 + atoi(c->argv[2]) + at;
	return i < c->argc && i < FAKE_ARGS ? c->argv[i] : "";
}

/* The first entry's first assignment's case ids in an ACCEPT call: its 12
 * arguments after the 5 fixed ones, then partner, role, due, remind, legal
 * basis, fields, case spec, current id, new id. */
#define CUR_ID_AT (5 + 12 + 7)

/* ACCEPT of a task with a case: when the script names other case ids than
 * those passed, the same call goes again with them and their keys. */
static void test_accept_goes_again_with_the_case_ids(void **state)
{
	(void)state;
	start_to_accept();
	const struct call *c = find("EVALSHA", "sha-accept");
	int nkeys = atoi(c->argv[2]);
	/* 6 fixed, task and daily, then per assignment outbox, open and 8 case keys */
	assert_true(nkeys >= 18 && (nkeys - 8) % 10 == 0);
	assert_string_equal(c->argv[3 + 8 + 2], "vs:{0}:cases:school");
	assert_int_equal((nkeys - 8) / 10, 1); /* one assignment, with its case */
	redisReply *ids = r_arr(2, r_str(REDIS_REPLY_STRING, "vscur"), r_str(REDIS_REPLY_STRING, "vsnew"));
	answer("EVALSHA", "sha-accept", r_arr(2, r_str(REDIS_REPLY_STRING, "CASES"), ids));
	c = find("EVALSHA", "sha-accept");
	assert_non_null(c);
	assert_string_equal(c->argv[3 + 8 + 6], "vs:{0}:case:vscur");
	assert_string_equal(c->argv[3 + 8 + 7], "vs:{0}:caseitems:vscur");
	assert_string_equal(c->argv[3 + 8 + 8], "vs:{0}:case:vsnew");
	assert_string_equal(c->argv[3 + 8 + 9], "vs:{0}:caseitems:vsnew");
	assert_string_equal(arg_after_keys(c, CUR_ID_AT), "vscur");
	assert_string_equal(arg_after_keys(c, CUR_ID_AT + 1), "vsnew");
	answer("EVALSHA", "sha-accept", accepted("vsnew"));
	assert_int_equal(d.dstats.accepted, 1);
}

/* Reads one more task entry (entry id eid, task id task, of the same pupil
 * as task_entry's) after the last ACCEPT was answered: the call sent for it. */
static const struct call *read_next(const char *eid, const char *task)
{
	dispatcher_kick(ds);
	answer("XREADGROUP", NULL,
	       r_arr(1, r_arr(2, r_str(REDIS_REPLY_STRING, "vs:{0}:tasks"), r_arr(1, task_entry(eid, task)))));
	run_loop();
	return find("EVALSHA", "sha-accept");
}

/* The first ACCEPT knows no case for the pupil and passes none as the
 * current one, and the id the new case gets (derived from the task and the
 * partner as the script derives it: "vs" and 16 hex digits of SHA-1 of
 * "case|vs01|school"), with their keys: the script needs no second round
 * (issue 15: every batch with a case was two calls). */
static void test_accept_passes_the_new_case_id(void **state)
{
	(void)state;
	start_to_accept();
	const struct call *c = find("EVALSHA", "sha-accept");
	assert_string_equal(arg_after_keys(c, CUR_ID_AT), "");
	assert_string_equal(arg_after_keys(c, CUR_ID_AT + 1), "vsa2c39a6914ff953b");
	/* the record's JSON with its names one byte each (recordjson.h): the
	 * script stores it as it comes ("names") */
	assert_memory_equal(arg_after_keys(c, 5 + 2), "{\001\"vs01\"", 7);
	assert_string_equal(arg_after_keys(c, 5 + 10), "names");
	assert_string_equal(c->argv[3 + 8 + 6], "vs:{0}:case:");
	assert_string_equal(c->argv[3 + 8 + 7], "vs:{0}:caseitems:");
	assert_string_equal(c->argv[3 + 8 + 8], "vs:{0}:case:vsa2c39a6914ff953b");
	assert_string_equal(c->argv[3 + 8 + 9], "vs:{0}:caseitems:vsa2c39a6914ff953b");
}

/* The case an assignment landed in (ACCEPT's reply) is the current case the
 * next ACCEPT for that pupil, partner and topic passes. */
static void test_the_next_accept_passes_the_case_it_learnt(void **state)
{
	(void)state;
	start_to_accept();
	answer("EVALSHA", "sha-accept", accepted("vslanded"));
	const struct call *c = read_next("7-2", "vs02");
	assert_non_null(c);
	assert_string_equal(arg_after_keys(c, CUR_ID_AT), "vslanded");
	assert_string_equal(c->argv[3 + 8 + 6], "vs:{0}:case:vslanded");
	assert_string_equal(c->argv[3 + 8 + 7], "vs:{0}:caseitems:vslanded");
	assert_string_equal(arg_after_keys(c, CUR_ID_AT + 1), "vs80eb0864f82f6704");
}

/* Two entries of one pupil in a batch: the second passes the case the
 * first opens as the current one (what the script's simulation of the
 * batch names). */
static void test_a_batch_passes_the_case_it_opens(void **state)
{
	(void)state;
	run_loop();
	answer("XGROUP", "CREATE", r_str(REDIS_REPLY_STATUS, "OK"));
	answer("XAUTOCLAIM", NULL, r_arr(3, r_str(REDIS_REPLY_STRING, "0-0"), r_arr(0), r_arr(0)));
	dispatcher_kick(ds);
	answer("XREADGROUP", NULL,
	       r_arr(1, r_arr(2, r_str(REDIS_REPLY_STRING, "vs:{0}:tasks"),
			      r_arr(2, task_entry("7-1", "vs01"), task_entry("7-2", "vs02")))));
	run_loop();
	const struct call *c = find("EVALSHA", "sha-accept");
	assert_non_null(c);
	/* the second entry's ids: after the first's 12 + 9 + 1 (no unrouted role) arguments */
	assert_string_equal(arg_after_keys(c, CUR_ID_AT + 22), "vsa2c39a6914ff953b");
	assert_string_equal(arg_after_keys(c, CUR_ID_AT + 23), "vs80eb0864f82f6704");
}

/* Reads two task entries (tasks t1 and t2 of pupils s1 and s2) after the
 * last ACCEPT was answered: the call sent for them. */
static const struct call *read_two(const char *t1, const char *s1, const char *t2, const char *s2)
{
	dispatcher_kick(ds);
	answer("XREADGROUP", NULL,
	       r_arr(1, r_arr(2, r_str(REDIS_REPLY_STRING, "vs:{0}:tasks"),
			      r_arr(2, task_entry_of("7-2", t1, s1), task_entry_of("7-3", t2, s2)))));
	run_loop();
	return find("EVALSHA", "sha-accept");
}

/* The first entry accepted into case landed, then two entries (tasks vs02
 * and vs03 of pupils s1 and s2) read: the call sent for them. */
static const struct call *two_after(const char *landed, const char *s1, const char *s2)
{
	start_to_accept();
	answer("EVALSHA", "sha-accept", accepted(landed));
	const struct call *c = read_two("vs02", s1, "vs03", s2);
	assert_non_null(c);
	return c;
}

/* The cases of a batch's assignments, in the reply's order (the
 * assignments'), are each its own pupil's current case at the next call. */
static void test_each_landed_case_is_its_pupils(void **state)
{
	(void)state;
	const struct call *c = two_after("vsfirst", "a1", "b2");
	answer("EVALSHA", "sha-accept",
	       r_arr(4, r_int(2), r_arr(0), r_int(0),
		     r_arr(2, r_str(REDIS_REPLY_STRING, "vsA"), r_str(REDIS_REPLY_STRING, "vsB"))));
	c = read_two("vs04", "b2", "vs05", "a1");
	assert_non_null(c);
	assert_string_equal(arg_after_keys(c, CUR_ID_AT), "vsB");
	assert_string_equal(arg_after_keys(c, CUR_ID_AT + 22), "vsA");
}

/* A batch whose pupil has a known open case: both of its entries pass that
 * case as the current one (assumed to stay open), not the one the first
 * would open. */
static void test_a_batch_keeps_the_case_it_knows(void **state)
{
	(void)state;
	const struct call *c = two_after("vsknown", "a1", "a1");
	assert_string_equal(arg_after_keys(c, CUR_ID_AT), "vsknown");
	assert_string_equal(arg_after_keys(c, CUR_ID_AT + 22), "vsknown");
}

/* A dispatcher that lost its lease and holds it again forgets what it
 * learnt: another instance may have changed the cases meanwhile. */
static void test_a_new_lease_forgets_the_cases(void **state)
{
	(void)state;
	start_to_accept();
	answer("EVALSHA", "sha-accept", accepted("vslanded"));
	held = false;
	dispatcher_kick(ds);
	run_loop();
	held = true;
	drop_pending();
	dispatcher_kick(ds);
	answer("XGROUP", "CREATE", r_str(REDIS_REPLY_STATUS, "OK"));
	answer("XAUTOCLAIM", NULL, r_arr(3, r_str(REDIS_REPLY_STRING, "0-0"), r_arr(0), r_arr(0)));
	const struct call *c = read_next("7-2", "vs02");
	assert_non_null(c);
	assert_string_equal(arg_after_keys(c, CUR_ID_AT), "");
}

/* Taking is two steps: the due members of the outbox, then TAKE with the
 * task record of each declared. */
static void test_take_declares_the_records(void **state)
{
	(void)state;
	start_to_take();
	char outbox[160];
	snprintf(outbox, sizeof outbox, "vs:{0}:outbox:school");
	answer("ZRANGEBYSCORE", outbox, r_arr(2, r_str(REDIS_REPLY_STRING, "vs01|task"),
					     r_str(REDIS_REPLY_STRING, "odd")));
	const struct call *c = find("EVALSHA", "sha-take");
	assert_non_null(c);
	assert_string_equal(c->argv[2], "4");
	assert_string_equal(c->argv[4], outbox);
	assert_string_equal(c->argv[5], "vs:{0}:task:vs01");
	assert_string_equal(c->argv[6], outbox); /* a member of no known form: a declared key */
	assert_string_equal(c->argv[11], "vs01|task");
}

/* A partner whose taken members start at once gets more windows per TAKE
 * (issue 15: with 4 windows and each round trip a few ms late behind the
 * partitions' commits, a fast partner fell behind the intake); a partner
 * not yet seen starting members quickly gets the usual 4. */
static void test_a_fast_partner_takes_more_windows(void **state)
{
	(void)state;
	start_to_take();
	const struct call *zr = find("ZRANGEBYSCORE", "vs:{0}:outbox:school");
	assert_non_null(zr);
	int mif = cfg.partners->partners[0].max_in_flight;
	assert_int_equal(atoi(zr->argv[6]), 4 * mif);
	answer("ZRANGEBYSCORE", "vs:{0}:outbox:school", r_arr(1, r_str(REDIS_REPLY_STRING, "vs01|task")));
	/* TAKE: [items, next score]; an item is member, record, due, via,
	 * attempts, student, created, first failed, alerted, case id (its
	 * record unreadable: it is skipped once started) */
	redisReply *item = r_arr(10, r_str(REDIS_REPLY_STRING, "vs01|task"), r_str(REDIS_REPLY_STRING, "{"),
				 reply_new(REDIS_REPLY_NIL), reply_new(REDIS_REPLY_NIL),
				 reply_new(REDIS_REPLY_NIL), reply_new(REDIS_REPLY_NIL),
				 reply_new(REDIS_REPLY_NIL), reply_new(REDIS_REPLY_NIL),
				 reply_new(REDIS_REPLY_NIL), reply_new(REDIS_REPLY_NIL));
	answer("EVALSHA", "sha-take", r_arr(2, r_arr(1, item), reply_new(REDIS_REPLY_NIL)));
	dispatcher_kick(ds);
	run_loop();
	zr = find("ZRANGEBYSCORE", "vs:{0}:outbox:school");
	assert_non_null(zr);
	assert_true(atoi(zr->argv[6]) > 4 * mif);
}

/* The deliveries are behind (the intake then pauses, intake.c) when an
 * outbox read finds as many due members as it asked for; not when it finds
 * fewer. */
static void outbox_read_of(int members)
{
	start_to_take();
	assert_false(dispatcher_behind(ds)); /* nothing read from the outbox yet */
	const struct call *zr = find("ZRANGEBYSCORE", "vs:{0}:outbox:school");
	assert_non_null(zr);
	int limit = atoi(zr->argv[6]);
	if (members < 0)
		members = limit;
	redisReply *m = reply_new(REDIS_REPLY_ARRAY);
	m->elements = (size_t)members;
	m->element = calloc(m->elements ? m->elements : 1, sizeof *m->element);
	for (int i = 0; i < members; i++) {
		char id[32];
		snprintf(id, sizeof id, "vs%02d|task", i);
		m->element[i] = r_str(REDIS_REPLY_STRING, id);
	}
	answer("ZRANGEBYSCORE", "vs:{0}:outbox:school", m);
}

static void test_behind_when_an_outbox_holds_more_than_a_take(void **state)
{
	(void)state;
	outbox_read_of(-1); /* as many as asked for */
	assert_true(dispatcher_behind(ds));
}

static void test_not_behind_when_a_take_empties_the_outbox(void **state)
{
	(void)state;
	outbox_read_of(1);
	assert_false(dispatcher_behind(ds));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_a_task_entry_is_accepted_under_the_lease, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_refused_accept_starts_over, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_lease_no_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_generation_mismatch_no_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_degraded_replicas_only_probe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replies_of_before_a_lost_lease_are_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_accept_goes_again_with_the_case_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_accept_passes_the_new_case_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_the_next_accept_passes_the_case_it_learnt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_batch_passes_the_case_it_opens, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_new_lease_forgets_the_cases, setup, teardown),
		cmocka_unit_test_setup_teardown(test_each_landed_case_is_its_pupils, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_batch_keeps_the_case_it_knows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_take_declares_the_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_fast_partner_takes_more_windows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_behind_when_an_outbox_holds_more_than_a_take, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_behind_when_a_take_empties_the_outbox, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
