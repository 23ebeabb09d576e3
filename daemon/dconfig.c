/*
 * dconfig: see dconfig.h.
 */
#include "dconfig.h"

#include "signing.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void redis_config_defaults(struct redis_config *rc)
{
	memset(rc, 0, sizeof *rc);
	str_copy(rc->host, "127.0.0.1", sizeof rc->host);
	rc->port = 6379;
	rc->connect_timeout_ms = 2000;
	rc->command_timeout_ms = 5000;
	rc->wait_timeout_ms = 1000;
}

static void daemon_defaults(struct daemon_config *dc)
{
	memset(dc, 0, sizeof *dc);
	dc->partitions = 1;
	char host[40] = "vsd";
	gethostname(host, sizeof host - 1);
	host[sizeof host - 1] = '\0';
	snprintf(dc->consumer, sizeof dc->consumer, "%s-%ld", host, (long)getpid());
	dc->batch_size = 2000;
	dc->read_batches = 3;
	dc->block_ms = 1000;
	dc->lease_ms = 15000;
	dc->claim_idle_ms = 60000;
	dc->max_deliveries = 5;
	dc->sweep_clock = SWEEP_WALL;
	str_copy(dc->timezone, "Europe/Amsterdam", sizeof dc->timezone);
	dc->trim_interval_s = 60;
	dc->events_retention_ms = 7LL * 24 * 3600 * 1000;
	dc->state_retention_days = 90;
	dc->dead_retention_days = 30;
	dc->action_window_hours = 48;
	dc->max_cached_pupils = 1000000;
	dc->stall_ms = 60000;
}

/* Resolves host to an IP literal now (start-up may block; the event loop
 * never resolves names). */
static int resolve_host(const char *host, char *out, size_t cap)
{
	unsigned char buf[sizeof(struct in6_addr)];
	if (inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1) {
		str_copy(out, host, cap);
		return 0;
	}
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res;
	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		return -1;
	int rc = -1;
	for (struct addrinfo *a = res; a && rc != 0; a = a->ai_next) {
		void *addr = a->ai_family == AF_INET ? (void *)&((struct sockaddr_in *)a->ai_addr)->sin_addr
						     : (void *)&((struct sockaddr_in6 *)a->ai_addr)->sin6_addr;
		if (inet_ntop(a->ai_family, addr, out, (socklen_t)cap))
			rc = 0;
	}
	freeaddrinfo(res);
	return rc;
}

int redis_config_parse_address(struct redis_config *rc, const char *addr)
{
	if (strncmp(addr, "unix:", 5) == 0)
		addr += 5;
	if (addr[0] == '/') {
		if (strlen(addr) >= sizeof rc->unix_path)
			return -1;
		str_copy(rc->unix_path, addr, sizeof rc->unix_path);
		return 0;
	}
	const char *colon = strrchr(addr, ':');
	char host[64];
	if (!colon || (size_t)(colon - addr) >= sizeof host)
		return -1;
	memcpy(host, addr, (size_t)(colon - addr));
	host[colon - addr] = '\0';
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || port < 1 || port > 65535)
		return -1;
	rc->port = (int)port;
	rc->unix_path[0] = '\0';
	return resolve_host(host, rc->host, sizeof rc->host);
}

/* ---- redis.sentinels and redis.master_name (Sentinel) ---- */

static void load_redis_sentinels(struct jconf *jc, json_t *o, struct redis_config *rc,
				 bool resolve)
{
	const char *name = NULL;
	if (jconf_string(jc, o, "redis", "master_name", &name) == 0 && name) {
		if (!name[0] || strlen(name) >= sizeof rc->master_name || strchr(name, ' '))
			jconf_error(jc, "redis.master_name",
				    "expected the master's name as the sentinels know it (no spaces)");
		else
			str_copy(rc->master_name, name, sizeof rc->master_name);
	}
	json_t *a = json_object_get(o, "sentinels");
	if (!a) {
		if (name)
			jconf_error(jc, "redis.master_name", "given without redis.sentinels");
		if (rc->sentinel_password || rc->sentinel_user[0])
			jconf_error(jc, "redis.sentinel_password",
				    "sentinel credentials given without redis.sentinels");
		return;
	}
	if (!json_is_array(a) || json_array_size(a) == 0 ||
	    json_array_size(a) > SENTINEL_MAX) {
		jconf_error(jc, "redis.sentinels",
			    "expected an array of 1 to %d addresses (\"HOST:PORT\" or a socket path)",
			    SENTINEL_MAX);
		return;
	}
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v) {
		char at[48];
		snprintf(at, sizeof at, "redis.sentinels[%zu]", i);
		struct sentinel_addr *sa = &rc->sentinels[rc->nsentinels];
		if (!json_is_string(v) || sentinel_parse_address(json_string_value(v), sa) != 0) {
			jconf_error(jc, at, "expected \"HOST:PORT\", \"[IPV6]:PORT\" or a socket path");
			continue;
		}
		char written[sizeof sa->host];
		str_copy(written, sa->host, sizeof written);
		if (!sa->unix_path[0] && resolve && resolve_host(written, sa->host, sizeof sa->host) != 0) {
			jconf_error(jc, at, "cannot resolve this host name");
			continue;
		}
		rc->nsentinels++;
	}
	if (!name)
		jconf_error(jc, "redis.sentinels", "given without redis.master_name");
}

/* An ACL user and a password (given outright or, better, read from a file
 * that is never logged) under the keys named, for the master or the
 * sentinels. */
static void load_auth(struct jconf *jc, json_t *o, const char *user_key, const char *pw_key,
		      const char *pwfile_key, char *user, size_t user_cap, char **password)
{
	const char *s = NULL;
	if (jconf_string(jc, o, "redis", user_key, &s) == 0 && s)
		str_copy(user, s, user_cap);
	s = NULL;
	if (jconf_string(jc, o, "redis", pw_key, &s) == 0 && s)
		*password = xstrdup(s);
	s = NULL;
	if (jconf_string(jc, o, "redis", pwfile_key, &s) == 0 && s) {
		free(*password);
		*password = read_secret_file(s);
		if (!*password) {
			char where[64];
			snprintf(where, sizeof where, "redis.%s", pwfile_key);
			jconf_error(jc, where, "cannot read the file %s: %s", s, strerror(errno));
		}
	}
}

static void load_redis(struct jconf *jc, json_t *o, struct redis_config *rc, bool resolve)
{
	static const char *const keys[] = {"unix", "host", "port", "user", "password",
					   "password_file", "connect_timeout_ms",
					   "command_timeout_ms", "min_replicas", "wait_timeout_ms",
					   "sentinels", "master_name", "sentinel_user",
					   "sentinel_password", "sentinel_password_file", NULL};
	if (jconf_expect_object(jc, o, "redis") != 0)
		return;
	jconf_only_keys(jc, o, "redis", keys);
	const char *s = NULL;
	if (jconf_string(jc, o, "redis", "unix", &s) == 0 && s) {
		if (s[0] != '/' || strlen(s) >= sizeof rc->unix_path)
			jconf_error(jc, "redis.unix", "expected an absolute socket path");
		else
			str_copy(rc->unix_path, s, sizeof rc->unix_path);
	}
	s = NULL;
	if (jconf_string(jc, o, "redis", "host", &s) == 0 && s) {
		if (!resolve)
			str_copy(rc->host, s, sizeof rc->host);
		else if (resolve_host(s, rc->host, sizeof rc->host) != 0)
			jconf_error(jc, "redis.host", "cannot resolve this host name");
	}
	jconf_int_field(jc, o, "redis", "port", 1, 65535, &rc->port);
	load_auth(jc, o, "user", "password", "password_file", rc->user, sizeof rc->user,
		  &rc->password);
	load_auth(jc, o, "sentinel_user", "sentinel_password", "sentinel_password_file",
		  rc->sentinel_user, sizeof rc->sentinel_user, &rc->sentinel_password);
	jconf_int_field(jc, o, "redis", "connect_timeout_ms", 10, 600000, &rc->connect_timeout_ms);
	jconf_int_field(jc, o, "redis", "command_timeout_ms", 10, 600000, &rc->command_timeout_ms);
	jconf_int_field(jc, o, "redis", "min_replicas", 0, 16, &rc->min_replicas);
	jconf_int_field(jc, o, "redis", "wait_timeout_ms", 1, 600000, &rc->wait_timeout_ms);
	if (rc->min_replicas > 0 && rc->wait_timeout_ms >= rc->command_timeout_ms)
		jconf_error(jc, "redis.wait_timeout_ms",
			    "expected less than redis.command_timeout_ms (commands queue behind WAIT)");
	load_redis_sentinels(jc, o, rc, resolve);
}

static void load_daemon(struct jconf *jc, json_t *o, struct daemon_config *dc)
{
	static const char *const keys[] = {
		"partitions", "consumer", "batch_size", "read_batches", "block_ms", "lease_ms", "claim_idle_ms",
		"max_deliveries", "sweep_clock", "sweep_time", "timezone", "trim_interval_s",
		"events_retention_hours", "state_retention_days", "dead_retention_days", "action_window_hours",
		"max_cached_pupils", "stall_ms", "state_dir", NULL};
	if (jconf_expect_object(jc, o, "daemon") != 0)
		return;
	jconf_only_keys(jc, o, "daemon", keys);
	jconf_int_field(jc, o, "daemon", "partitions", 1, 1024, &dc->partitions);
	const char *s = NULL;
	if (jconf_string(jc, o, "daemon", "consumer", &s) == 0 && s) {
		if (!*s || strlen(s) >= sizeof dc->consumer)
			jconf_error(jc, "daemon.consumer", "expected 1 to %zu characters",
				    sizeof dc->consumer - 1);
		else
			str_copy(dc->consumer, s, sizeof dc->consumer);
	}
	jconf_int_field(jc, o, "daemon", "batch_size", 1, 10000, &dc->batch_size);
	jconf_int_field(jc, o, "daemon", "read_batches", 1, 8, &dc->read_batches);
	jconf_int_field(jc, o, "daemon", "block_ms", 10, 60000, &dc->block_ms);
	jconf_int_field(jc, o, "daemon", "lease_ms", 1000, 600000, &dc->lease_ms);
	jconf_int_field(jc, o, "daemon", "claim_idle_ms", 100, 86400000, &dc->claim_idle_ms);
	jconf_int_field(jc, o, "daemon", "max_deliveries", 1, 1000, &dc->max_deliveries);
	s = NULL;
	if (jconf_string(jc, o, "daemon", "sweep_clock", &s) == 0 && s) {
		if (strcmp(s, "wall") == 0)
			dc->sweep_clock = SWEEP_WALL;
		else if (strcmp(s, "events") == 0)
			dc->sweep_clock = SWEEP_EVENTS;
		else
			jconf_error(jc, "daemon.sweep_clock", "expected \"wall\" or \"events\"");
	}
	if (json_object_get(o, "sweep_time"))
		jconf_error(jc, "daemon.sweep_time", "moved to rules.sweep_time (replay uses it too)");
	s = NULL;
	if (jconf_string(jc, o, "daemon", "timezone", &s) == 0 && s) {
		char zone[300];
		snprintf(zone, sizeof zone, "/usr/share/zoneinfo/%s", s);
		if (!*s || strlen(s) >= sizeof dc->timezone || strstr(s, "..") ||
		    access(zone, R_OK) != 0)
			jconf_error(jc, "daemon.timezone", "expected a time zone name such as "
							    "Europe/Amsterdam");
		else
			str_copy(dc->timezone, s, sizeof dc->timezone);
	}
	jconf_int_field(jc, o, "daemon", "trim_interval_s", 1, 86400, &dc->trim_interval_s);
	int hours = (int)(dc->events_retention_ms / 3600000);
	jconf_int_field(jc, o, "daemon", "events_retention_hours", 0, 24 * 366, &hours);
	dc->events_retention_ms = (int64_t)hours * 3600000;
	jconf_int_field(jc, o, "daemon", "state_retention_days", 0, 3660, &dc->state_retention_days);
	jconf_int_field(jc, o, "daemon", "dead_retention_days", 1, 3660, &dc->dead_retention_days);
	jconf_int_field(jc, o, "daemon", "action_window_hours", 1, 24 * 60, &dc->action_window_hours);
	jconf_int_field(jc, o, "daemon", "max_cached_pupils", 1000, 100000000, &dc->max_cached_pupils);
	jconf_int_field(jc, o, "daemon", "stall_ms", 1000, 3600000, &dc->stall_ms);
	const char *sd = NULL;
	if (jconf_string(jc, o, "daemon", "state_dir", &sd) == 0 && sd) {
		if (sd[0] != '/' || strlen(sd) >= sizeof dc->state_dir - 40)
			jconf_error(jc, "daemon.state_dir", "expected an absolute directory path");
		else
			str_copy(dc->state_dir, sd, sizeof dc->state_dir);
	}
	/* an idle partition progresses with each empty read, every block_ms */
	if (dc->stall_ms < 2 * dc->block_ms)
		jconf_error(jc, "daemon.stall_ms", "expected at least twice daemon.block_ms (%d)",
			    2 * dc->block_ms);
}

static void load_http(struct jconf *jc, json_t *o, struct http_config *hc)
{
	static const char *const keys[] = {"listen", "rate_per_s", "burst",
					   "unauthenticated_rate_per_s", "unauthenticated_burst",
					   "max_connections", "idle_timeout_s", "request_timeout_s",
					   NULL};
	if (jconf_expect_object(jc, o, "http") != 0)
		return;
	jconf_only_keys(jc, o, "http", keys);
	jconf_int_field(jc, o, "http", "rate_per_s", 1, 100000, &hc->rate_per_s);
	jconf_int_field(jc, o, "http", "burst", 1, 100000, &hc->burst);
	jconf_int_field(jc, o, "http", "unauthenticated_rate_per_s", 1, 100000,
			&hc->unauth_rate_per_s);
	jconf_int_field(jc, o, "http", "unauthenticated_burst", 1, 100000, &hc->unauth_burst);
	jconf_int_field(jc, o, "http", "max_connections", 8, 1000000, &hc->max_connections);
	jconf_int_field(jc, o, "http", "idle_timeout_s", 1, 3600, &hc->idle_timeout_s);
	jconf_int_field(jc, o, "http", "request_timeout_s", 1, 3600, &hc->request_timeout_s);
	const char *s = NULL;
	if (jconf_string(jc, o, "http", "listen", &s) != 0 || !s)
		return;
	const char *colon = strrchr(s, ':');
	unsigned char buf[sizeof(struct in6_addr)];
	char host[64];
	char *end = NULL;
	long port = colon ? strtol(colon + 1, &end, 10) : -1;
	if (colon && (size_t)(colon - s) < sizeof host) {
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
	} else {
		host[0] = '\0';
	}
	if (!colon || !end || *end || port < 0 || port > 65535 ||
	    (inet_pton(AF_INET, host, buf) != 1 && inet_pton(AF_INET6, host, buf) != 1)) {
		jconf_error(jc, "http.listen", "expected IP:PORT, such as 127.0.0.1:9464");
		return;
	}
	hc->enabled = true;
	str_copy(hc->host, host, sizeof hc->host);
	hc->port = (int)port;
}

static void load_ops(struct jconf *jc, json_t *o, struct ops_config *oc)
{
	static const char *const keys[] = {"token_file", "token_sha256", "flood", NULL};
	if (jconf_expect_object(jc, o, "operations") != 0)
		return;
	jconf_only_keys(jc, o, "operations", keys);
	const char *s = NULL;
	if (jconf_string(jc, o, "operations", "token_file", &s) == 0 && s) {
		char *token = read_secret_file(s);
		if (!token)
			jconf_error(jc, "operations.token_file", "cannot read the file %s: %s", s,
				    strerror(errno));
		else if (strlen(token) < 16)
			jconf_error(jc, "operations.token_file",
				    "expected a token of at least 16 characters in the file %s", s);
		else
			oc->has_token = token_sha256_parse(NULL, token, oc->token_sha256) == 0;
		free(token);
	}
	s = NULL;
	if (jconf_string(jc, o, "operations", "token_sha256", &s) == 0 && s) {
		if (token_sha256_parse(s, NULL, oc->token_sha256) != 0)
			jconf_error(jc, "operations.token_sha256", "expected 64 hex digits");
		else
			oc->has_token = true;
	}
	json_t *f = json_object_get(o, "flood");
	if (f) {
		static const char *const fkeys[] = {"max_tasks_per_school_day",
						    "max_registrations_per_school_day",
						    "max_share_percent", NULL};
		if (jconf_expect_object(jc, f, "operations.flood") == 0) {
			jconf_only_keys(jc, f, "operations.flood", fkeys);
			jconf_int_field(jc, f, "operations.flood", "max_tasks_per_school_day", 0, 1000000,
					&oc->flood_max_tasks);
			jconf_int_field(jc, f, "operations.flood", "max_registrations_per_school_day", 0,
					10000000, &oc->flood_max_registrations);
			jconf_int_field(jc, f, "operations.flood", "max_share_percent", 0, 100,
					&oc->flood_share_percent);
		}
	}
}

static int per_partition(const struct vsd_config *cfg, int limit)
{
	int parts = cfg->daemon.partitions > 0 ? cfg->daemon.partitions : 1;
	return limit > 0 ? (limit + parts - 1) / parts : 0;
}

int ops_flood_task_limit(const struct vsd_config *cfg)
{
	return per_partition(cfg, cfg->ops.flood_max_tasks);
}

int ops_flood_reg_limit(const struct vsd_config *cfg, const char *school)
{
	int limit = cfg->ops.flood_max_registrations;
	const struct school_info *si = cfg->ops.flood_share_percent ? partners_school(cfg->partners, school) : NULL;
	if (si && si->pupils > 0) {
		int share = (si->pupils * cfg->ops.flood_share_percent + 99) / 100;
		if (limit == 0 || share < limit)
			limit = share;
	}
	return per_partition(cfg, limit);
}

int vsd_config_load(const char *path, struct vsd_config *cfg, char **errors)
{
	return vsd_config_load_opts(path, cfg, errors, true);
}

int vsd_config_load_opts(const char *path, struct vsd_config *cfg, char **errors, bool resolve)
{
	memset(cfg, 0, sizeof *cfg);
	redis_config_defaults(&cfg->redis);
	daemon_defaults(&cfg->daemon);
	cfg->http.rate_per_s = 20;
	cfg->http.burst = 40;
	cfg->http.unauth_rate_per_s = 1;
	cfg->http.unauth_burst = 10;
	cfg->http.max_connections = 512;
	cfg->http.idle_timeout_s = 10;
	cfg->http.request_timeout_s = 10;
	if (config_load(path, &cfg->base, errors) != 0) {
		vsd_config_free(cfg);
		return -1;
	}
	struct jconf *jc = &cfg->base.doc;
	json_t *o;
	if ((o = json_object_get(jc->root, "redis")))
		load_redis(jc, o, &cfg->redis, resolve);
	if ((o = json_object_get(jc->root, "daemon")))
		load_daemon(jc, o, &cfg->daemon);
	if ((o = json_object_get(jc->root, "http")))
		load_http(jc, o, &cfg->http);
	cfg->partners = partners_load(jc);
	cfg->ops.flood_max_tasks = 200;
	cfg->ops.flood_share_percent = 50;
	if ((o = json_object_get(jc->root, "operations")))
		load_ops(jc, o, &cfg->ops);
	if (jc->nerrors) {
		*errors = xstrdup(jc->errors);
		vsd_config_free(cfg);
		return -1;
	}
	return 0;
}

void vsd_config_free(struct vsd_config *cfg)
{
	free(cfg->redis.password);
	cfg->redis.password = NULL;
	free(cfg->redis.sentinel_password);
	cfg->redis.sentinel_password = NULL;
	partners_unref(cfg->partners);
	cfg->partners = NULL;
	config_free(&cfg->base);
}
