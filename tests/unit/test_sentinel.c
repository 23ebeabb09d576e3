/*
 * Sentinel's pure parts (daemon/sentinel.c) and the redis.sentinels /
 * redis.master_name keys of the configuration (daemon/dconfig.c).
 */
#include "dconfig.h"
#include "replies.h"
#include "sentinel.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* ---- replies built by hand (replies.h; freed with freeReplyObject) ---- */

static redisReply *str(const char *s) { return r_str(REDIS_REPLY_STRING, s); }
static redisReply *err(const char *s) { return r_str(REDIS_REPLY_ERROR, s); }

/* ---- addresses ---- */

static void test_address_forms(void **state)
{
	(void)state;
	struct sentinel_addr a;
	assert_int_equal(sentinel_parse_address("127.0.0.1:26379", &a), 0);
	assert_string_equal(a.host, "127.0.0.1");
	assert_int_equal(a.port, 26379);
	assert_string_equal(a.unix_path, "");

	assert_int_equal(sentinel_parse_address("sentinel-a.example:5000", &a), 0);
	assert_string_equal(a.host, "sentinel-a.example");
	assert_int_equal(a.port, 5000);

	assert_int_equal(sentinel_parse_address("[::1]:26380", &a), 0);
	assert_string_equal(a.host, "::1");
	assert_int_equal(a.port, 26380);

	assert_int_equal(sentinel_parse_address("/run/sentinel.sock", &a), 0);
	assert_string_equal(a.unix_path, "/run/sentinel.sock");
	assert_int_equal(sentinel_parse_address("unix:/run/s.sock", &a), 0);
	assert_string_equal(a.unix_path, "/run/s.sock");

	char buf[80];
	sentinel_parse_address("[::1]:26380", &a);
	sentinel_addr_format(&a, buf, sizeof buf);
	assert_string_equal(buf, "[::1]:26380");
	sentinel_parse_address("10.0.0.2:26379", &a);
	sentinel_addr_format(&a, buf, sizeof buf);
	assert_string_equal(buf, "10.0.0.2:26379");
}

static void test_address_rejects(void **state)
{
	(void)state;
	struct sentinel_addr a;
	const char *bad[] = {"", "127.0.0.1", "127.0.0.1:", ":26379", "127.0.0.1:0",
			     "127.0.0.1:65536", "127.0.0.1:26a79", "::1:26379", "[::1]26379",
			     "[::1", "127.0.0.1:-5", "relative/path.sock", NULL};
	for (int i = 0; bad[i]; i++) {
		if (sentinel_parse_address(bad[i], &a) == 0)
			fail_msg("accepted '%s'", bad[i]);
	}
	char longpath[200];
	memset(longpath, 'x', sizeof longpath - 1);
	longpath[0] = '/';
	longpath[sizeof longpath - 1] = '\0';
	assert_int_equal(sentinel_parse_address(longpath, &a), -1);
	assert_int_equal(sentinel_parse_address(NULL, &a), -1);
}

/* ---- replies ---- */

static void test_role(void **state)
{
	(void)state;
	redisReply *m = r_arr(3, str("master"), r_int(1234), r_arr(0));
	assert_int_equal(sentinel_parse_role(m), ROLE_MASTER);
	freeReplyObject(m);
	redisReply *s = r_arr(5, str("slave"), str("127.0.0.1"), r_int(6380), str("connected"), r_int(99));
	assert_int_equal(sentinel_parse_role(s), ROLE_REPLICA);
	freeReplyObject(s);
	redisReply *t = r_arr(2, str("sentinel"), r_arr(1, str("mymaster")));
	assert_int_equal(sentinel_parse_role(t), ROLE_SENTINEL);
	freeReplyObject(t);
	redisReply *e = err("NOPERM this user has no permissions to run the 'role' command");
	assert_int_equal(sentinel_parse_role(e), ROLE_UNKNOWN);
	freeReplyObject(e);
	redisReply *empty = r_arr(0);
	assert_int_equal(sentinel_parse_role(empty), ROLE_UNKNOWN);
	freeReplyObject(empty);
	redisReply *odd = r_arr(1, r_int(1));
	assert_int_equal(sentinel_parse_role(odd), ROLE_UNKNOWN);
	freeReplyObject(odd);
	assert_int_equal(sentinel_parse_role(NULL), ROLE_UNKNOWN);
}

static void test_master_addr(void **state)
{
	(void)state;
	struct sentinel_addr a;
	redisReply *ok = r_arr(2, str("127.0.0.1"), str("6380"));
	assert_int_equal(sentinel_parse_master(ok, &a), SENTINEL_MASTER_OK);
	assert_string_equal(a.host, "127.0.0.1");
	assert_int_equal(a.port, 6380);
	freeReplyObject(ok);

	redisReply *nil = reply_new(REDIS_REPLY_NIL);
	assert_int_equal(sentinel_parse_master(nil, &a), SENTINEL_MASTER_UNKNOWN);
	freeReplyObject(nil);

	redisReply *bad[] = {
		err("ERR Unknown sentinel subcommand"),
		r_arr(1, str("127.0.0.1")),
		r_arr(2, str("127.0.0.1"), str("port")),
		r_arr(2, str("127.0.0.1"), str("70000")),
		r_arr(2, str(""), str("6380")),
		r_arr(2, r_int(1), str("6380")),
		str("127.0.0.1:6380"),
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		if (sentinel_parse_master(bad[i], &a) != SENTINEL_MASTER_BAD)
			fail_msg("reply %zu accepted", i);
		freeReplyObject(bad[i]);
	}
	assert_int_equal(sentinel_parse_master(NULL, &a), SENTINEL_MASTER_BAD);
}

static void test_switch_message(void **state)
{
	(void)state;
	struct sentinel_addr to;
	redisReply *m = r_arr(3, str("message"), str("+switch-master"),
			    str("vs 127.0.0.1 6380 127.0.0.1 6381"));
	assert_true(sentinel_is_switch(m, "vs", &to));
	assert_string_equal(to.host, "127.0.0.1");
	assert_int_equal(to.port, 6381);
	/* another master's switch is not ours */
	assert_false(sentinel_is_switch(m, "other", &to));
	assert_false(sentinel_is_switch(m, "v", &to));
	freeReplyObject(m);

	redisReply *sub = r_arr(3, str("subscribe"), str("+switch-master"), r_int(1));
	assert_false(sentinel_is_switch(sub, "vs", NULL));
	freeReplyObject(sub);
	redisReply *other = r_arr(3, str("message"), str("+sdown"), str("vs 127.0.0.1 6380 x y"));
	assert_false(sentinel_is_switch(other, "vs", NULL));
	freeReplyObject(other);
	redisReply *shortm = r_arr(3, str("message"), str("+switch-master"), str("vs 127.0.0.1 6380"));
	assert_false(sentinel_is_switch(shortm, "vs", NULL));
	freeReplyObject(shortm);
	assert_false(sentinel_is_switch(NULL, "vs", NULL));
}

static void test_errors_that_mean_failover(void **state)
{
	(void)state;
	const char *yes[] = {"READONLY You can't write against a read only replica.",
			     "NOREPLICAS Not enough good replicas to write.",
			     "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
			     "UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)",
			     "READONLY", NULL};
	const char *no[] = {"NOSCRIPT No matching script. Please use EVAL.",
			    "ERR wrong number of arguments",
			    "BUSY Redis is busy running a script.",
			    "NOGROUP No such key",
			    "READONLYX something else",
			    "WRONGPASS invalid username-password pair", NULL};
	for (int i = 0; yes[i]; i++) {
		redisReply *r = err(yes[i]);
		if (!sentinel_error_means_failover(r))
			fail_msg("not a failover: %s", yes[i]);
		freeReplyObject(r);
	}
	for (int i = 0; no[i]; i++) {
		redisReply *r = err(no[i]);
		if (sentinel_error_means_failover(r))
			fail_msg("taken for a failover: %s", no[i]);
		freeReplyObject(r);
	}
	/* a status or string reply with the same words is no error */
	redisReply *s = r_str(REDIS_REPLY_STATUS, "READONLY");
	assert_false(sentinel_error_means_failover(s));
	freeReplyObject(s);
	assert_false(sentinel_error_means_failover(NULL));
}

/* ---- configuration ---- */

static char cfgpath[64];

/* Loads {"redis": REDIS} with the shipped calendar; returns the load's
 * result, the errors in *errors. */
static int load_redis(const char *redis, struct vsd_config *cfg, char **errors)
{
	snprintf(cfgpath, sizeof cfgpath, "/tmp/vs-sentinel-cfg.XXXXXX");
	int fd = mkstemp(cfgpath);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fprintf(f,
		"{\"calendars\": [\"%s/config/calendars/noord-2026-2027.json\"],\n"
		" \"redis\": %s}\n",
		VS_SOURCE_DIR, redis);
	fclose(f);
	*errors = NULL;
	int rc = vsd_config_load(cfgpath, cfg, errors);
	unlink(cfgpath);
	return rc;
}

/* AUTH on a sentinel: accepted, not needed (no password configured there),
 * or refused (every other error, a lost connection) */
static void test_sentinel_auth_answer(void **state)
{
	(void)state;
	redisReply *r = r_str(REDIS_REPLY_STATUS, "OK");
	assert_int_equal(sentinel_auth_answer(r), SENTINEL_AUTH_OK);
	freeReplyObject(r);
	/* Redis 7.0's words for AUTH to a server without a password */
	r = err("ERR AUTH <password> called without any password configured for the default "
		"user. Are you sure your configuration is correct?");
	assert_int_equal(sentinel_auth_answer(r), SENTINEL_AUTH_UNNEEDED);
	freeReplyObject(r);
	const char *refused[] = {"WRONGPASS invalid username-password pair or user is disabled.",
				 "NOPERM this user has no permissions",
				 "ERR unknown command 'AUTH'",
				 "WRONGPASS called without any password configured", NULL};
	for (int i = 0; refused[i]; i++) {
		r = err(refused[i]);
		if (sentinel_auth_answer(r) != SENTINEL_AUTH_REFUSED)
			fail_msg("not taken for a refusal: %s", refused[i]);
		freeReplyObject(r);
	}
	assert_int_equal(sentinel_auth_answer(NULL), SENTINEL_AUTH_REFUSED);
}

static void test_config_sentinels(void **state)
{
	(void)state;
	struct vsd_config cfg;
	char *errors;
	int rc = load_redis("{\"sentinels\": [\"127.0.0.1:26379\", \"[::1]:26380\", "
			    "\"/run/s.sock\"], \"master_name\": \"vs\"}",
			    &cfg, &errors);
	if (rc != 0)
		fail_msg("%s", errors);
	assert_int_equal(cfg.redis.nsentinels, 3);
	assert_string_equal(cfg.redis.master_name, "vs");
	assert_string_equal(cfg.redis.sentinels[0].host, "127.0.0.1");
	assert_int_equal(cfg.redis.sentinels[0].port, 26379);
	assert_string_equal(cfg.redis.sentinels[1].host, "::1");
	assert_string_equal(cfg.redis.sentinels[2].unix_path, "/run/s.sock");
	assert_null(cfg.redis.sentinel_password);
	vsd_config_free(&cfg);

	/* sentinel credentials beside the master's own */
	rc = load_redis("{\"sentinels\": [\"127.0.0.1:26379\"], \"master_name\": \"vs\", "
			"\"password\": \"m-pw\", \"sentinel_user\": \"watcher\", "
			"\"sentinel_password\": \"s-pw\"}",
			&cfg, &errors);
	if (rc != 0)
		fail_msg("%s", errors);
	assert_string_equal(cfg.redis.password, "m-pw");
	assert_string_equal(cfg.redis.user, "");
	assert_string_equal(cfg.redis.sentinel_user, "watcher");
	assert_string_equal(cfg.redis.sentinel_password, "s-pw");
	vsd_config_free(&cfg);

	/* without the keys: no Sentinel */
	rc = load_redis("{\"unix\": \"/tmp/r.sock\"}", &cfg, &errors);
	assert_int_equal(rc, 0);
	assert_int_equal(cfg.redis.nsentinels, 0);
	vsd_config_free(&cfg);
}

static void test_config_sentinel_errors(void **state)
{
	(void)state;
	struct {
		const char *redis, *want;
	} cases[] = {
		{"{\"sentinels\": [\"127.0.0.1:26379\"]}", "redis.sentinels: given without redis.master_name"},
		{"{\"master_name\": \"vs\"}", "redis.master_name: given without redis.sentinels"},
		{"{\"sentinels\": [], \"master_name\": \"vs\"}", "redis.sentinels: expected an array"},
		{"{\"sentinels\": \"127.0.0.1:26379\", \"master_name\": \"vs\"}", "redis.sentinels: expected an array"},
		{"{\"sentinels\": [\"127.0.0.1\"], \"master_name\": \"vs\"}", "redis.sentinels[0]: expected"},
		{"{\"sentinels\": [\"127.0.0.1:1\", 5], \"master_name\": \"vs\"}", "redis.sentinels[1]: expected"},
		{"{\"sentinels\": [\"127.0.0.1:1\"], \"master_name\": \"my master\"}", "redis.master_name: expected"},
		{"{\"sentinels\": [\"127.0.0.1:1\"], \"master_name\": \"\"}", "redis.master_name: expected"},
		{"{\"unix\": \"/tmp/r.sock\", \"sentinel_password\": \"x\"}",
		 "redis.sentinel_password: sentinel credentials given without redis.sentinels"},
		{"{\"sentinels\": [\"127.0.0.1:1\"], \"master_name\": \"vs\", "
		 "\"sentinel_password_file\": \"/nonexistent/pw\"}",
		 "redis.sentinel_password_file: cannot read the file"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct vsd_config cfg;
		char *errors;
		int rc = load_redis(cases[i].redis, &cfg, &errors);
		if (rc == 0) {
			vsd_config_free(&cfg);
			fail_msg("accepted %s", cases[i].redis);
		}
		if (!errors || !strstr(errors, cases[i].want))
			fail_msg("%s: expected '%s' in:\n%s", cases[i].redis, cases[i].want,
				 errors ? errors : "(none)");
		free(errors);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_address_forms),
		cmocka_unit_test(test_address_rejects),
		cmocka_unit_test(test_role),
		cmocka_unit_test(test_master_addr),
		cmocka_unit_test(test_switch_message),
		cmocka_unit_test(test_errors_that_mean_failover),
		cmocka_unit_test(test_sentinel_auth_answer),
		cmocka_unit_test(test_config_sentinels),
		cmocka_unit_test(test_config_sentinel_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
