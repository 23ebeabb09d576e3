/*
 * vroegsignaald: the daemon. Consumes registrations from the partitions'
 * Redis streams, runs the rules, and commits state, tasks, dead letters and
 * acknowledgements atomically (DESIGN.md, "Why this shape").
 *
 * Start-up may block (configuration, name resolution); after the loop starts
 * nothing blocks. Signals: SIGTERM/SIGINT finish the batch in flight, release
 * the leases and exit 0; SIGHUP reloads the configuration (an invalid one is
 * rejected with its errors and the old one kept).
 */
#include "api.h"
#include "confcheck.h"
#include "daemon.h"
#include "http.h"
#include "keys.h"
#include "log.h"
#include "dispatch.h"
#include "opsdata.h"
#include "partition.h"
#include "partners.h"
#include "signing.h"
#include "status_page.h"

#include "util.h"

#include <errno.h>
#include <event2/event.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#ifndef VS_DEFAULT_CONFIG
#error "VS_DEFAULT_CONFIG (the default configuration file) comes from CMakeLists.txt"
#endif

#define STOP_GRACE_S 30
#define STATS_INTERVAL_S 60

static void usage(FILE *f)
{
	fputs("usage: vroegsignaald [--config FILE] [--redis ADDR] [--verbose] [--check]\n"
	      "       vroegsignaald --version\n"
	      "\n"
	      "  --config FILE  configuration (default " VS_DEFAULT_CONFIG ")\n"
	      "  --redis ADDR   override the configured Redis: unix:/path, /path or HOST:PORT\n"
	      "  --verbose      log debug lines too (they may name pupil keys)\n"
	      "  --check        validate the configuration and exit: 0 valid, 1 invalid,\n"
	      "                 2 valid but breaks a region (no partners, unserved roles)\n"
	      "  --version      print the version and exit\n"
	      "\n"
	      "Exit status: 0 stopped on SIGTERM (or --check: valid), 1 the configuration\n"
	      "is invalid or the daemon could not start, 2 an invalid option or value\n"
	      "(or --check: the configuration would break a region).\n",
	      f);
}

static void notify_status(struct vsd *d)
{
	int held = 0, stalled = 0;
	for (int i = 0; i < d->nparts; i++) {
		held += partition_holds_lease(d->parts[i]);
		stalled += partition_stalled(d->parts[i]);
	}
	char msg[256];
	snprintf(msg, sizeof msg,
		 "STATUS=redis %s, %d/%d partitions owned, %d stalled, %llu entries, %llu tasks",
		 rconn_state_name(rconn_state(d->cmd)), held, d->nparts, stalled, d->stats.entries,
		 d->stats.tasks);
	sd_notify(0, msg);
}

/* ---- the queue connector's Redis (connector.h: struct redis_port) ---- */

struct port_call {
	redis_port_done_fn done;
	void *arg;
};

static void on_port_reply(struct rconn *rc, redisReply *r, void *arg)
{
	(void)rc;
	struct port_call c = *(struct port_call *)arg;
	free(arg);
	if (r && r->type == REDIS_REPLY_STRING)
		c.done(c.arg, NULL);
	else
		c.done(c.arg, r && r->type == REDIS_REPLY_ERROR ? r->str : "no answer");
}

static int port_command(void *rc, int argc, const char **argv, const size_t *lens,
			redis_port_done_fn done, void *arg)
{
	struct port_call *c = xmalloc(sizeof *c);
	*c = (struct port_call){done, arg};
	if (rconn_command(rc, on_port_reply, c, 0, argc, argv, lens) != 0) {
		free(c);
		return -1;
	}
	return 0;
}

/* ---- what a dispatcher sees of its partition and the daemon (dispatch.h) ---- */

static const char *lease_token(const void *part)
{
	return partition_token(part);
}

static bool lease_held(const void *part)
{
	return partition_holds_lease(part);
}

static bool lease_releasing(const void *part)
{
	return partition_state(part) == PS_STOPPING;
}

static struct partner_stats *partner_stats_of(void *d, const char *partner, const char *connector)
{
	return vsd_partner_stats(d, partner, connector);
}

/* ---- pending and lag per owned partition, for /metrics ---- */

struct lag_req {
	struct vsd *d;
	int part;
};

/* The lag: the entries after the committed offset, counted up to LAG_MAX
 * (one XRANGE; more shows as LAG_MAX: a count of every waiting entry would
 * read the whole backlog every poll, just when the daemon is catching up),
 * and the age of the first of them from its id (XADD's arrival time), which
 * has no cap and is what the backlog alert watches. */
#define LAG_MAX 100
static void on_lag(struct rconn *rc, redisReply *r, void *arg)
{
	(void)rc;
	struct lag_req *q = arg;
	struct vsd *d = q->d;
	int i = q->part;
	free(q);
	if (!r || r->type != REDIS_REPLY_ARRAY)
		return;
	d->lag[i] = (long long)r->elements;
	d->lag_age_ms[i] = 0;
	if (r->elements == 0)
		return;
	const redisReply *e = r->element[0];
	if (e->type == REDIS_REPLY_ARRAY && e->elements >= 1 &&
	    e->element[0]->type == REDIS_REPLY_STRING) {
		char *end;
		long long id_ms = strtoll(e->element[0]->str, &end, 10);
		long long age = (long long)vsd_wall_ms() - id_ms;
		if (*end == '-' && id_ms > 0)
			d->lag_age_ms[i] = age > 0 ? age : 0;
	}
}

static void on_lag_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct vsd *d = arg;
	opsdata_poll(d);
	for (int i = 0; i < d->nparts; i++) {
		const char *offset = partition_offset(d->parts[i]);
		if (!partition_holds_lease(d->parts[i]) || !offset[0]) {
			d->pending[i] = d->lag[i] = d->lag_age_ms[i] = -1;
			continue;
		}
		d->pending[i] = partition_in_hand(d->parts[i]);
		char key[48], from[52], count[16];
		key_build(key, sizeof key, i, KEY_EVENTS, NULL);
		snprintf(from, sizeof from, "(%s", offset);
		snprintf(count, sizeof count, "%d", LAG_MAX);
		const char *argv[] = {"XRANGE", key, from, "+", "COUNT", count};
		size_t lens[6];
		for (int k = 0; k < 6; k++)
			lens[k] = strlen(argv[k]);
		struct lag_req *q = xmalloc(sizeof *q);
		*q = (struct lag_req){d, i};
		if (rconn_command(d->cmd, on_lag, q, 0, 6, argv, lens) != 0)
			free(q);
	}
}

/* ---- instances: a heartbeat in vs:instances (sorted set, score = ms) ---- */

static void on_live_count(struct rconn *rc, redisReply *r, void *arg)
{
	(void)rc;
	struct vsd *d = arg;
	if (!r || r->type != REDIS_REPLY_INTEGER) {
		if (r && r->type == REDIS_REPLY_ERROR)
			log_err("instances: counting live instances failed: %.200s", r->str);
		return;
	}
	int live = r->integer > 0 ? (int)r->integer : 1;
	if (live != d->live_instances)
		log_info("instances: %d live; this one owns at most %d of %d partitions", live,
			 (d->nparts + live - 1) / live, d->nparts);
	d->live_instances = live;
	for (int i = 0; i < d->nparts; i++)
		partition_kick(d->parts[i]);
}

static void on_beat(struct rconn *rc, redisReply *r, void *arg)
{
	(void)rc;
	(void)arg;
	if (r && r->type == REDIS_REPLY_ERROR)
		log_err("instances: heartbeat refused: %.200s", r->str);
}

static void heartbeat(struct vsd *d, bool leaving)
{
	long long now = (long long)vsd_wall_ms();
	long long lease = d->cfg->daemon.lease_ms;
	char snow[32], sold[32], slive[32];
	snprintf(snow, sizeof snow, "%lld", now);
	snprintf(sold, sizeof sold, "%lld", now - 3 * lease);
	/* dead after one lease period without a heartbeat: its leases have
	 * expired by then, and its partitions are shared out at once */
	snprintf(slive, sizeof slive, "%lld", now - lease);
	const char *consumer = d->cfg->daemon.consumer;
	if (leaving) {
		const char *argv[] = {"ZREM", "vs:instances", consumer};
		size_t lens[] = {4, 12, strlen(consumer)};
		rconn_command(d->cmd, NULL, NULL, 0, 3, argv, lens);
		return;
	}
	const char *add[] = {"ZADD", "vs:instances", snow, consumer};
	size_t addl[] = {4, 12, strlen(snow), strlen(consumer)};
	const char *rem[] = {"ZREMRANGEBYSCORE", "vs:instances", "-inf", sold};
	size_t reml[] = {16, 12, 4, strlen(sold)};
	const char *cnt[] = {"ZCOUNT", "vs:instances", slive, "+inf"};
	size_t cntl[] = {6, 12, strlen(slive), 4};
	if (rconn_command(d->cmd, on_beat, NULL, 0, 4, add, addl) == 0 &&
	    rconn_command(d->cmd, on_beat, NULL, 0, 4, rem, reml) == 0)
		rconn_command(d->cmd, on_live_count, d, 0, 4, cnt, cntl);
}

static void on_heartbeat(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct vsd *d = arg;
	if (!d->stopping && rconn_state(d->cmd) == RC_READY)
		heartbeat(d, false);
}

/* ---- scripts ---- */

/* SCRIPT LOAD of every script whenever the command connection becomes ready
 * (scripts do not survive a Redis restart). */

static void on_script_loaded(struct rconn *rc, redisReply *r, void *arg)
{
	(void)rc;
	struct vsd_script_load *sl = arg;
	struct vsd *d = sl->d;
	if (!r)
		return; /* loaded again on the next READY */
	if (r->type != REDIS_REPLY_STRING || r->len != 40) {
		log_err("SCRIPT LOAD %s failed: %.200s", script_name((enum script_id)sl->id),
			r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
		d->start.scripts_failed++;
	} else {
		memcpy(d->script_sha[sl->id], r->str, 40);
		d->script_sha[sl->id][40] = '\0';
	}
	if (--d->start.scripts_pending > 0)
		return;
	if (d->start.scripts_failed) {
		/* LOADING while Redis reads its AOF after a restart, say: try again */
		struct timeval tv = {0, 500000};
		evtimer_add(d->start.script_retry, &tv);
		return;
	}
	d->scripts_loaded = true;
	for (int i = 0; i < d->nparts; i++)
		partition_kick(d->parts[i]);
	notify_status(d);
}

static void load_scripts(struct vsd *d)
{
	d->start.scripts_pending = SCRIPT_COUNT;
	d->start.scripts_failed = 0;
	for (int i = 0; i < SCRIPT_COUNT; i++) {
		const char *src = script_source((enum script_id)i);
		const char *argv[] = {"SCRIPT", "LOAD", src};
		size_t lens[] = {6, 4, strlen(src)};
		d->start.loads[i] = (struct vsd_script_load){d, i};
		if (rconn_command(d->cmd, on_script_loaded, &d->start.loads[i], 0, 3, argv, lens) !=
		    0) {
			d->start.scripts_pending--;
			d->start.scripts_failed++;
		}
	}
}

static void on_script_retry(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct vsd *d = arg;
	if (rconn_state(d->cmd) == RC_READY && !d->scripts_loaded && d->start.scripts_pending == 0)
		load_scripts(d);
}

static void on_cmd_state(struct rconn *rc, enum rconn_state s, void *arg)
{
	(void)rc;
	struct vsd *d = arg;
	if (s == RC_READY) {
		heartbeat(d, false);
		load_scripts(d);
		generation_kick(d);
	} else {
		d->scripts_loaded = false;
		generation_connection_lost(d);
		for (int i = 0; i < d->nparts; i++)
			partition_connection_lost(d->parts[i]);
	}
	notify_status(d);
}

/* ---- signals and timers ---- */

static void on_stop_deadline(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct vsd *d = arg;
	log_warn("partitions did not stop within %d s; exiting anyway", STOP_GRACE_S);
	event_base_loopexit(d->base, NULL);
}

static void on_sigterm(evutil_socket_t fd, short what, void *arg)
{
	(void)what;
	struct vsd *d = arg;
	if (d->stopping)
		return;
	log_info("signal %d: finishing the batch in flight, then stopping", (int)fd);
	sd_notify(0, "STOPPING=1");
	d->stopping = true;
	if (rconn_state(d->cmd) == RC_READY)
		heartbeat(d, true);
	struct timeval tv = {STOP_GRACE_S, 0};
	evtimer_add(d->start.stop_deadline, &tv);
	/* Deliveries in flight are ended now and made due again (dispatch.c), so
	 * the next owner sends them at once rather than after their hold. */
	curlev_abort_all(d->cenv.curl);
	for (int i = 0; i < d->nparts; i++)
		partition_stop(d->parts[i]);
	vsd_partition_stopped(d);
}

/* Reads the region's id secret into base (connectors/signing.c): task and
 * case ids are keyed with it, so without one the daemon does not start. */
static int load_ids_secret(struct vs_config *base)
{
	char why[600];
	base->ids_secret = ids_secret_read(base->ids_secret_file, why, sizeof why);
	if (!base->ids_secret) {
		log_err("%s", why);
		return -1;
	}
	return 0;
}

static void on_sighup(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct vsd *d = arg;
	struct vsd_config *next = xcalloc(1, sizeof *next);
	char *errors = NULL;
	if (vsd_config_load_opts(d->config_path, next, &errors, false) != 0) {
		d->stats.reloads_failed++;
		log_err("configuration reload rejected; keeping the running configuration:");
		for (char *line = strtok(errors, "\n"); line; line = strtok(NULL, "\n"))
			log_err("  %s", line);
		free(errors);
		free(next);
		return;
	}
	/* Every id derives from the secret: a new one mid-run would give a
	 * signal already sent a second id (and a second delivery). */
	if (load_ids_secret(&next->base) != 0 ||
	    strcmp(next->base.ids_secret, d->cfg->base.ids_secret) != 0) {
		d->stats.reloads_failed++;
		log_err("configuration reload rejected; keeping the running configuration: %s",
			next->base.ids_secret ? "the id secret changed (every task and case id would "
						"change); that takes a restart"
					      : "the id secret (above)");
		vsd_config_free(next);
		free(next);
		return;
	}
	/* Rules and calendar take effect now (nothing holds them across
	 * callbacks); Redis and daemon settings need a restart. */
	if (memcmp(&next->daemon, &d->cfg->daemon, sizeof next->daemon) != 0 ||
	    strcmp(next->redis.host, d->cfg->redis.host) != 0 ||
	    strcmp(next->redis.unix_path, d->cfg->redis.unix_path) != 0 ||
	    next->redis.port != d->cfg->redis.port ||
	    next->redis.min_replicas != d->cfg->redis.min_replicas ||
	    next->redis.wait_timeout_ms != d->cfg->redis.wait_timeout_ms ||
	    next->redis.nsentinels != d->cfg->redis.nsentinels ||
	    strcmp(next->redis.master_name, d->cfg->redis.master_name) != 0 ||
	    memcmp(&next->http, &d->cfg->http, sizeof next->http) != 0 ||
	    memcmp(&next->ops, &d->cfg->ops, sizeof next->ops) != 0)
		log_notice("configuration reload: redis, daemon, http and operations settings take "
			   "effect at the next restart");
	struct vs_config old = d->cfg->base;
	d->cfg->base = next->base;
	next->base = old;
	/* Partners, routes and templates too; deliveries in flight keep a
	 * reference to the configuration they started with. */
	struct partners_config *old_partners = d->cfg->partners;
	d->cfg->partners = next->partners;
	next->partners = old_partners;
	vsd_config_free(next);
	opsdata_reapply_closures(d);
	for (int i = 0; i < d->nparts; i++)
		dispatcher_kick(d->disp[i]);
	free(next);
	d->stats.reloads_ok++;
	log_info("configuration reloaded from %s", d->config_path);
}

static void on_trim_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct vsd *d = arg;
	for (int i = 0; i < d->nparts; i++)
		partition_trim(d->parts[i]);
}

static void on_stats_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct vsd *d = arg;
	log_info("stats: %llu entries, %llu registrations, %llu tasks, %llu dead letters, "
		 "%llu commits, %llu failed, %llu days swept",
		 d->stats.entries, d->stats.registrations, d->stats.tasks, d->stats.dead,
		 d->stats.commits, d->stats.commit_failures, d->stats.sweeps);
	notify_status(d);
}

static void on_progress_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct vsd *d = arg;
	static int last_stalled;
	int stalled = 0;
	for (int i = 0; i < d->nparts; i++) {
		partition_watch(d->parts[i]);
		stalled += partition_stalled(d->parts[i]);
	}
	if (stalled != last_stalled)
		notify_status(d); /* systemctl status shows a stall, and its end, at once */
	last_stalled = stalled;
}

/* The watchdog proves more than a turning loop: it is fed only while every
 * partition this instance holds makes progress, or is within its first
 * restart for a stall. A partition a restart did not cure leaves it unfed,
 * so systemd restarts the daemon (WatchdogSec after the last feed). */
static void on_watchdog(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct vsd *d = arg;
	static bool starving;
	int stuck = -1;
	for (int i = 0; i < d->nparts && stuck < 0; i++)
		if (!partition_healthy(d->parts[i]))
			stuck = i;
	if (stuck >= 0) {
		if (!starving)
			log_err("partition %d is still stalled after a restart; the systemd watchdog "
				"is no longer fed, so systemd restarts the daemon",
				stuck);
		starving = true;
		return;
	}
	if (starving)
		log_notice("partitions progress again; feeding the systemd watchdog");
	starving = false;
	sd_notify(0, "WATCHDOG=1");
}

static struct event *periodic(struct event_base *base, int seconds, event_callback_fn fn,
			      void *arg)
{
	struct event *ev = event_new(base, -1, EV_PERSIST, fn, arg);
	if (!ev) {
		log_err("cannot create a timer");
		exit(1);
	}
	struct timeval tv = {seconds, 0};
	event_add(ev, &tv);
	return ev;
}

/* Raises the soft limit on open descriptors to the hard one: every HTTP
 * connection, delivery socket and file takes one, and the default soft
 * limit (1024) is what a thousand slow clients used up (issue 11). The
 * HTTP server sizes its connection cap from the result. */
static void raise_open_files_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
		log_warn("cannot read the open files limit: %s", strerror(errno));
		return;
	}
	rlim_t was = rl.rlim_cur;
	if (rl.rlim_cur != rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
			log_warn("cannot raise the open files limit to %llu: %s",
				 (unsigned long long)rl.rlim_max, strerror(errno));
			rl.rlim_cur = was;
		}
	}
	log_info("open files limit: %llu (soft limit was %llu)", (unsigned long long)rl.rlim_cur,
		 (unsigned long long)was);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'}, {"verbose", no_argument, NULL, 'v'},
		{"check", no_argument, NULL, 'k'},        {"help", no_argument, NULL, 'h'},
		{"redis", required_argument, NULL, 'r'},   {"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *config_path = VS_DEFAULT_CONFIG;
	const char *redis_addr = NULL;
	bool check_only = false;
	int c;
	while ((c = getopt_long(argc, argv, "c:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config_path = optarg; break;
		case 'v': log_set_level(LOG_DEBUG); break;
		case 'k': check_only = true; break;
		case 'r': redis_addr = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("vroegsignaald %s\n", VS_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "vroegsignaald: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	struct vsd d;
	memset(&d, 0, sizeof d);
	d.config_path = xstrdup(config_path);
	d.cfg = xcalloc(1, sizeof *d.cfg);
	char *errors = NULL;
	if (vsd_config_load(config_path, d.cfg, &errors) != 0) {
		log_err("invalid configuration:");
		for (char *line = strtok(errors, "\n"); line; line = strtok(NULL, "\n"))
			log_err("  %s", line);
		free(errors);
		free(d.cfg);
		free(d.config_path);
		return 1;
	}
	if (redis_addr && redis_config_parse_address(&d.cfg->redis, redis_addr) != 0) {
		log_err("--redis: expected unix:/path, /path or HOST:PORT, not '%s'", redis_addr);
		vsd_config_free(d.cfg);
		free(d.cfg);
		free(d.config_path);
		return 2;
	}
	if (check_only) {
		/* what breaks a region too (confcheck.h): no partners, roles
		 * no partner serves, health rules to leerplicht or rmc */
		char *problems = NULL;
		int n = confcheck_run(config_path, d.cfg, NULL, &problems);
		if (n)
			printf("%s: valid, but %d problem(s) (vroegsignaal check-config):\n%s",
			       config_path, n, problems);
		else
			printf("%s: valid\n", config_path);
		free(problems);
		vsd_config_free(d.cfg);
		free(d.cfg);
		free(d.config_path);
		return n ? 2 : 0;
	}
	if (load_ids_secret(&d.cfg->base) != 0) {
		vsd_config_free(d.cfg);
		free(d.cfg);
		free(d.config_path);
		return 1;
	}
	raise_open_files_limit();
	setenv("TZ", d.cfg->daemon.timezone, 1);
	tzset();
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	signal(SIGPIPE, SIG_IGN);

	d.ownership_changed = notify_status;
	d.base = event_base_new();
	if (!d.base) {
		log_err("cannot create the event loop");
		return 1;
	}
	d.start.script_retry = evtimer_new(d.base, on_script_retry, &d);
	if (!d.start.script_retry) {
		log_err("cannot create a timer");
		return 1;
	}
	d.cmd = rconn_new(d.base, &d.cfg->redis, "commands", on_cmd_state, &d);
	rwait_init(&d.wait, &d.cfg->redis);
	d.nparts = d.cfg->daemon.partitions;
	d.live_instances = 1;
	d.pending = xcalloc((size_t)d.nparts, sizeof *d.pending);
	d.lag = xcalloc((size_t)d.nparts, sizeof *d.lag);
	d.lag_age_ms = xcalloc((size_t)d.nparts, sizeof *d.lag_age_ms);
	for (int i = 0; i < d.nparts; i++)
		d.pending[i] = d.lag[i] = d.lag_age_ms[i] = -1;
	d.started_ms = vsd_wall_ms();
	d.events_clock_ms = INT64_MIN;
	d.parts = xcalloc((size_t)d.nparts, sizeof *d.parts);
	for (int i = 0; i < d.nparts; i++)
		d.parts[i] = partition_new(&d, i);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_err("cannot initialise libcurl");
		return 1;
	}
	d.cenv.curl = curlev_new(d.base);
	d.cenv.redis = (struct redis_port){d.cmd, d.cfg->redis.command_timeout_ms, port_command};
	d.disp = xcalloc((size_t)d.nparts, sizeof *d.disp);
	for (int i = 0; i < d.nparts; i++) {
		struct dispatch_env env = {
			.lease = {d.parts[i], lease_token, lease_held, lease_releasing},
			.wall_ms = vsd_wall_ms,
			.stats = {&d, partner_stats_of},
		};
		d.disp[i] = dispatcher_new(&d, &env, i);
	}
	if (generation_start(&d) != 0)
		return 1;
	rconn_start(d.cmd);

	struct event *sigterm = evsignal_new(d.base, SIGTERM, on_sigterm, &d);
	struct event *sigint = evsignal_new(d.base, SIGINT, on_sigterm, &d);
	struct event *sighup = evsignal_new(d.base, SIGHUP, on_sighup, &d);
	d.start.stop_deadline = evtimer_new(d.base, on_stop_deadline, &d);
	if (!sigterm || !sigint || !sighup || !d.start.stop_deadline) {
		log_err("cannot install signal handlers");
		return 1;
	}
	event_add(sigterm, NULL);
	event_add(sigint, NULL);
	event_add(sighup, NULL);
	struct event *trim = periodic(d.base, d.cfg->daemon.trim_interval_s, on_trim_timer, &d);
	struct event *stats = periodic(d.base, STATS_INTERVAL_S, on_stats_timer, &d);
	int hb_ms = d.cfg->daemon.lease_ms / 3;
	struct event *beat = event_new(d.base, -1, EV_PERSIST, on_heartbeat, &d);
	struct timeval hb = {hb_ms / 1000, (hb_ms % 1000) * 1000};
	if (!beat || event_add(beat, &hb) != 0) {
		log_err("cannot create the heartbeat timer");
		return 1;
	}
	struct event *watchdog = NULL;
	uint64_t wd_usec = 0;
	if (sd_watchdog_enabled(0, &wd_usec) > 0 && wd_usec > 0) {
		watchdog = event_new(d.base, -1, EV_PERSIST, on_watchdog, &d);
		struct timeval tv = {(time_t)(wd_usec / 2 / 1000000), (suseconds_t)(wd_usec / 2 % 1000000)};
		event_add(watchdog, &tv);
	}
	if (d.cfg->redis.nsentinels > 0)
		log_info("vroegsignaald starting: %d partition(s), consumer %s, redis master %s through "
			 "%d sentinel(s), sweep clock %s",
			 d.nparts, d.cfg->daemon.consumer, d.cfg->redis.master_name,
			 d.cfg->redis.nsentinels,
			 d.cfg->daemon.sweep_clock == SWEEP_WALL ? "wall" : "events");
	else
		log_info("vroegsignaald starting: %d partition(s), consumer %s, redis %s%s%s, sweep "
			 "clock %s",
			 d.nparts, d.cfg->daemon.consumer, d.cfg->redis.unix_path[0] ? "unix:" : "",
			 d.cfg->redis.unix_path[0] ? d.cfg->redis.unix_path : d.cfg->redis.host,
			 d.cfg->redis.unix_path[0] ? "" : "",
			 d.cfg->daemon.sweep_clock == SWEEP_WALL ? "wall" : "events");
	struct event *lagt = periodic(d.base, 5, on_lag_timer, &d);
	int watch_ms = d.cfg->daemon.stall_ms / 4 < 1000 ? d.cfg->daemon.stall_ms / 4 : 1000;
	struct event *progress = event_new(d.base, -1, EV_PERSIST, on_progress_timer, &d);
	struct timeval wtv = {watch_ms / 1000, (watch_ms % 1000) * 1000};
	if (!progress || event_add(progress, &wtv) != 0) {
		log_err("cannot create the progress timer");
		return 1;
	}
	if (d.cfg->http.enabled) {
		d.http = vsd_http_start(&d, &d.cfg->http);
		if (!d.http)
			return 1;
	}
	/* READY once the configuration is loaded and the listener is bound */
	sd_notify(0, "READY=1");
	notify_status(&d);

	event_base_dispatch(d.base);

	on_stats_timer(-1, 0, &d);
	/* Deliveries still in flight end as aborted (their outbox members come
	 * due again); then the command connection closes while the partitions
	 * and dispatchers still exist: its pending callbacks reach them. */
	curlev_free(d.cenv.curl);
	rconn_close(d.cmd);
	for (int i = 0; i < d.nparts; i++) {
		dispatcher_free(d.disp[i]);
		partition_free(d.parts[i]);
	}
	free(d.disp);
	free(d.parts);
	free(d.dstats.partners);
	free(d.dstats.unrouted_logged);
	opsdata_free(&d);
	curl_global_cleanup();
	rconn_free(d.cmd);
	generation_free(&d);
	if (watchdog)
		event_free(watchdog);
	vsd_http_free(d.http);
	event_free(d.start.script_retry);
	event_free(lagt);
	event_free(progress);
	free(d.pending);
	free(d.lag);
	free(d.lag_age_ms);
	event_free(beat);
	event_free(trim);
	event_free(stats);
	event_free(d.start.stop_deadline);
	api_free(&d);
	status_page_free(&d);
	event_free(sighup);
	event_free(sigint);
	event_free(sigterm);
	event_base_free(d.base);
	vsd_config_free(d.cfg);
	free(d.cfg);
	free(d.config_path);
	return 0;
}
