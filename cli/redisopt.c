/*
 * redisopt: see redisopt.h.
 */
#include "redisopt.h"

#include "sentinel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int cli_redis_setup(const char *cmd, const char *config_path, const char *redis_addr,
		    int *partitions, struct vsd_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	redis_config_defaults(&cfg->redis);
	if (config_path) {
		char *errors = NULL;
		if (vsd_config_load(config_path, cfg, &errors) != 0) {
			fprintf(stderr, "%s: invalid configuration:\n%s", cmd, errors);
			free(errors);
			return -1;
		}
		if (!*partitions)
			*partitions = cfg->daemon.partitions;
	}
	if (!*partitions)
		*partitions = 1;
	if (redis_addr && redis_config_parse_address(&cfg->redis, redis_addr) != 0) {
		fprintf(stderr, "%s: --redis: expected unix:/path, /path or HOST:PORT\n", cmd);
		vsd_config_free(cfg);
		return -1;
	}
	if (redis_addr)
		cfg->redis.nsentinels = 0; /* an address given outright wins over the sentinels */
	return 0;
}

/* A blocking connection with the configured timeouts; NULL with the reason
 * in why. */
static redisContext *connect_to(const struct redis_config *rc, const char *unix_path,
				const char *host, int port, char *why, size_t cap)
{
	struct timeval tv = {rc->connect_timeout_ms / 1000, (rc->connect_timeout_ms % 1000) * 1000};
	redisContext *c = unix_path[0] ? redisConnectUnixWithTimeout(unix_path, tv)
				       : redisConnectWithTimeout(host, port, tv);
	if (!c || c->err) {
		snprintf(why, cap, "cannot connect to %.120s: %.100s", unix_path[0] ? unix_path : host,
			 c ? c->errstr : "no memory");
		if (c)
			redisFree(c);
		return NULL;
	}
	struct timeval ct = {rc->command_timeout_ms / 1000, (rc->command_timeout_ms % 1000) * 1000};
	redisSetTimeout(c, ct);
	return c;
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* AUTH with an ACL user (or the default user) and a password; what names the
 * server in the message of a refusal. */
static int auth_as(redisContext *c, const char *user, const char *password, const char *what)
{
	if (!password)
		return 0;
	redisReply *r = user[0] ? redisCommand(c, "AUTH %s %s", user, password)
				: redisCommand(c, "AUTH %s", password);
	bool ok = r && r->type != REDIS_REPLY_ERROR;
	if (!ok)
		fprintf(stderr, "redis: %s refused AUTH: %s\n", what, r ? r->str : c->errstr);
	if (r)
		freeReplyObject(r);
	return ok ? 0 : -1;
}

/* Sentinel mode: asks the sentinels in turn for the master, connects to it
 * and keeps it only when ROLE says master. Rounds over all sentinels are
 * repeated (200 ms apart) for up to connect_timeout_ms, so a command started
 * during a failover waits for its end rather than failing at once. */
static redisContext *connect_via_sentinels(const struct redis_config *rc, char *why, size_t cap)
{
	int64_t deadline = mono_ms() + rc->connect_timeout_ms;
	snprintf(why, cap, "no sentinel answered");
	for (;;) {
		for (int i = 0; i < rc->nsentinels; i++) {
			const struct sentinel_addr *sa = &rc->sentinels[i];
			char swhy[256];
			redisContext *s = connect_to(rc, sa->unix_path, sa->host, sa->port, swhy,
						     sizeof swhy);
			if (!s) {
				snprintf(why, cap, "sentinel %d: %.200s", i, swhy);
				continue;
			}
			char who[32];
			snprintf(who, sizeof who, "sentinel %d", i);
			if (auth_as(s, rc->sentinel_user, rc->sentinel_password, who) != 0) {
				redisFree(s);
				snprintf(why, cap, "sentinel %d refused AUTH (redis.sentinel_password_file)", i);
				return NULL; /* the same credentials fail everywhere */
			}
			redisReply *r = redisCommand(s, "SENTINEL get-master-addr-by-name %s",
						     rc->master_name);
			struct sentinel_addr m;
			enum sentinel_master_result res = sentinel_parse_master(r, &m);
			char r_err[160] = "";
			if (r && r->type == REDIS_REPLY_ERROR)
				snprintf(r_err, sizeof r_err, "%s", r->str);
			if (r)
				freeReplyObject(r);
			redisFree(s);
			if (res != SENTINEL_MASTER_OK && r_err[0]) {
				snprintf(why, cap, "sentinel %d answered %.160s", i, r_err);
				continue;
			}
			if (res != SENTINEL_MASTER_OK) {
				snprintf(why, cap, "sentinel %d %s master %s", i,
					 res == SENTINEL_MASTER_UNKNOWN ? "knows no" : "gave no address for",
					 rc->master_name);
				continue;
			}
			char mstr[80];
			sentinel_addr_format(&m, mstr, sizeof mstr);
			redisContext *c = connect_to(rc, "", m.host, m.port, swhy, sizeof swhy);
			if (!c) {
				snprintf(why, cap, "master %.80s: %.200s", mstr, swhy);
				continue;
			}
			if (cli_redis_auth(c, rc) != 0) {
				redisFree(c);
				snprintf(why, cap, "master %s: AUTH refused", mstr);
				return NULL; /* the same credentials fail everywhere */
			}
			r = redisCommand(c, "ROLE");
			enum redis_role role = sentinel_parse_role(r);
			if (r)
				freeReplyObject(r);
			if (role == ROLE_MASTER)
				return c;
			redisFree(c);
			snprintf(why, cap, "%s, named master by sentinel %d, is not a master (yet)",
				 mstr, i);
		}
		if (mono_ms() >= deadline)
			return NULL;
		struct timespec pause = {0, 200 * 1000000};
		nanosleep(&pause, NULL);
	}
}

redisContext *cli_redis_connect(const struct redis_config *rc)
{
	char why[300];
	if (rc->nsentinels > 0) {
		redisContext *c = connect_via_sentinels(rc, why, sizeof why);
		if (!c)
			fprintf(stderr, "redis: no master %s found through the sentinels: %s\n",
				rc->master_name, why);
		return c;
	}
	redisContext *c = connect_to(rc, rc->unix_path, rc->host, rc->port, why, sizeof why);
	if (!c) {
		fprintf(stderr, "redis: %s\n", why);
		return NULL;
	}
	if (cli_redis_auth(c, rc) != 0) {
		redisFree(c);
		return NULL;
	}
	return c;
}

int cli_redis_auth(redisContext *c, const struct redis_config *rc)
{
	return auth_as(c, rc->user, rc->password, "the server");
}

redisContext *cli_redis_open(const char *cmd, const char *config_path, const char *redis_addr,
			     int *partitions, struct vsd_config *cfg)
{
	if (cli_redis_setup(cmd, config_path, redis_addr, partitions, cfg) != 0)
		return NULL;
	redisContext *c = cli_redis_connect(&cfg->redis);
	if (!c)
		vsd_config_free(cfg);
	return c;
}

void cli_redis_close(redisContext *c, struct vsd_config *cfg)
{
	redisFree(c);
	vsd_config_free(cfg);
}
