/*
 * rconn: see rconn.h.
 */
#include "rconn.h"

#include "log.h"
#include "rarena.h"
#include "util.h"

#include <hiredis/adapters/libevent.h>
#include <hiredis/async.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 10000
#define CHECK_INTERVAL_MS 100
#define SENTINEL_BACKOFF_MAX_MS 1000 /* a failover takes seconds: ask again soon */
#define WATCH_RETRY_MS 1000          /* a lost +switch-master subscription */

struct pending_cmd {
	struct rconn *rc;
	rconn_reply_fn fn;
	void *privdata;
	int64_t deadline_ms;
	struct pending_cmd *next; /* FIFO: Redis answers in order */
};

struct rconn {
	struct event_base *base;
	const struct redis_config *cfg;
	char name[32];
	enum rconn_state state;
	redisAsyncContext *ac;
	rconn_state_fn on_state;
	void *arg;
	struct event *timer;      /* connect timeout / backoff */
	struct event *check;      /* periodic deadline check */
	struct event *deferred;   /* teardown outside hiredis callbacks */
	struct event *pumped;     /* replies read by rconn_pump, handled on the loop */
	struct pending_cmd *head, *tail;
	size_t npending;
	int backoff_ms;
	int64_t connect_deadline_ms;
	char reset_why[80];
	/* Sentinel mode (cfg->nsentinels > 0) */
	redisAsyncContext *sac;     /* the get-master-addr-by-name in flight */
	int sentinel_next;          /* the sentinel to ask first (the last that answered) */
	int round_tries;            /* sentinels asked since the connect began */
	bool sentinel_refused;      /* the sentinel asked refused our AUTH */
	struct sentinel_addr master; /* the address connected to, or last named */
	char master_str[80];
	redisAsyncContext *wac;     /* the +switch-master subscription */
	int watch_next;
	struct event *watch_timer;  /* resubscribes after a lost subscription */
	int failover_streak;        /* connections in a row ended by READONLY & co. soon after READY */
	bool failover_counted;      /* this connection was counted in the streak */
	int64_t ready_since_ms;
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *rconn_state_name(enum rconn_state s)
{
	static const char *const names[] = {"disconnected", "connecting", "authenticating",
					    "ready", "backoff", "closed", "resolving"};
	return (unsigned)s < sizeof names / sizeof *names ? names[s] : "unknown";
}

static void set_state(struct rconn *rc, enum rconn_state s, const char *why)
{
	if (rc->state == s)
		return;
	enum rconn_state old = rc->state;
	rc->state = s;
	if (s == RC_BACKOFF || (s == RC_CLOSED && old == RC_READY))
		log_info("redis %s: %s -> %s%s%s", rc->name, rconn_state_name(old),
			 rconn_state_name(s), why ? ": " : "", why ? why : "");
	else
		log_info("redis %s: %s -> %s", rc->name, rconn_state_name(old), rconn_state_name(s));
	if (rc->on_state && (s == RC_READY || old == RC_READY))
		rc->on_state(rc, s, rc->arg);
}

void timer_arm_ms(struct event *ev, int ms)
{
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
	evtimer_add(ev, &tv);
}

bool reply_is_error(const redisReply *r, const char *prefix)
{
	return r && r->type == REDIS_REPLY_ERROR &&
	       (!prefix || strncmp(r->str, prefix, strlen(prefix)) == 0);
}

static void connect_now(struct rconn *rc);

static bool sentinel_mode(const struct rconn *rc)
{
	return rc->cfg->nsentinels > 0;
}

/* Enters BACKOFF: waits the current backoff with +-25 % jitter, then
 * connects again; the next wait doubles, up to BACKOFF_MAX_MS. */
static void enter_backoff(struct rconn *rc, const char *why)
{
	set_state(rc, RC_BACKOFF, why);
	int jitter = rc->backoff_ms / 4;
	int wait = rc->backoff_ms + (jitter ? (int)(random() % (2 * jitter + 1)) - jitter : 0);
	timer_arm_ms(rc->timer, wait);
	int max = sentinel_mode(rc) ? SENTINEL_BACKOFF_MAX_MS : BACKOFF_MAX_MS;
	rc->backoff_ms = rc->backoff_ms * 2 > max ? max : rc->backoff_ms * 2;
}

/* Runs pending callbacks with NULL; they were answered by nobody. */
static void fail_pending(struct rconn *rc)
{
	while (rc->head) {
		struct pending_cmd *p = rc->head;
		rc->head = p->next;
		if (!rc->head)
			rc->tail = NULL;
		rc->npending--;
		if (p->fn)
			p->fn(rc, NULL, p->privdata);
		free(p);
	}
}

/* Frees a sentinel context of ours (never from inside its own callbacks);
 * its callbacks then see data NULL and do nothing. */
static void free_side_context(redisAsyncContext **slot)
{
	redisAsyncContext *ac = *slot;
	*slot = NULL;
	if (ac) {
		ac->data = NULL;
		redisAsyncFree(ac);
	}
}

/* Frees the context (never from inside a hiredis callback) and moves to
 * BACKOFF or CLOSED. */
static void teardown(struct rconn *rc, const char *why, bool closing)
{
	free_side_context(&rc->sac);
	if (closing) {
		free_side_context(&rc->wac);
		evtimer_del(rc->watch_timer);
	}
	redisAsyncContext *ac = rc->ac;
	rc->ac = NULL;
	if (ac) {
		ac->data = NULL;
		redisAsyncFree(ac); /* runs the hiredis callbacks with NULL */
	}
	fail_pending(rc);
	evtimer_del(rc->timer);
	if (closing) {
		set_state(rc, RC_CLOSED, why);
		return;
	}
	enter_backoff(rc, why);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct rconn *rc = arg;
	if (rc->state == RC_BACKOFF || rc->state == RC_DISCONNECTED)
		connect_now(rc);
}

static void on_deferred(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct rconn *rc = arg;
	if (rc->state != RC_CLOSED && rc->state != RC_BACKOFF)
		teardown(rc, rc->reset_why, false);
}

void rconn_reset(struct rconn *rc, const char *why)
{
	if (rc->state == RC_CLOSED || rc->state == RC_BACKOFF)
		return;
	str_copy(rc->reset_why, why, sizeof rc->reset_why);
	struct timeval zero = {0, 0};
	evtimer_add(rc->deferred, &zero);
}

static void ask_sentinel(struct rconn *rc);

static void on_check(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct rconn *rc = arg;
	int64_t t = now_ms();
	if (rc->state == RC_RESOLVING && t > rc->connect_deadline_ms) {
		free_side_context(&rc->sac);
		log_warn("redis %s: sentinel %d did not answer within %d ms", rc->name,
			 rc->sentinel_next % rc->cfg->nsentinels, rc->cfg->connect_timeout_ms);
		rc->sentinel_next++;
		ask_sentinel(rc);
	} else if ((rc->state == RC_CONNECTING || rc->state == RC_AUTHENTICATING) &&
	    t > rc->connect_deadline_ms)
		teardown(rc, "connect timeout", false);
	else if (rc->head && t > rc->head->deadline_ms)
		teardown(rc, "command timeout", false);
}

/* The hiredis callback of every command. */
static void on_reply(redisAsyncContext *ac, void *r, void *privdata)
{
	(void)ac;
	struct pending_cmd *p = privdata;
	struct rconn *rc = p->rc;
	/* Commands complete in order; p is the head. */
	if (rc->head == p) {
		rc->head = p->next;
		if (!rc->head)
			rc->tail = NULL;
		rc->npending--;
	}
	redisReply *reply = r;
	if (reply && sentinel_mode(rc) && sentinel_error_means_failover(reply)) {
		/* not a master we may write to (any more): the outcome counts as
		 * unknown, and the sentinels are asked again */
		/* a master that keeps refusing (NOREPLICAS while its replicas
		 * are away) is asked again ever more slowly, as after a failed
		 * connect: the backoff does not start over at each READY that
		 * ends this way within 2 s */
		if (!rc->failover_counted) {
			rc->failover_counted = true;
			if (now_ms() - rc->ready_since_ms > 2000)
				rc->failover_streak = 0;
			if (rc->failover_streak == 0)
				log_warn("redis %s: %.100s; asking the sentinels for the master again",
					 rc->name, reply->str);
			if (rc->failover_streak < 8)
				rc->failover_streak++;
			int b = BACKOFF_MIN_MS << rc->failover_streak;
			rc->backoff_ms = b > SENTINEL_BACKOFF_MAX_MS ? SENTINEL_BACKOFF_MAX_MS : b;
		}
		rconn_reset(rc, "the server is no writable master");
		reply = NULL;
	}
	if (p->fn)
		p->fn(rc, reply, p->privdata);
	free(p);
}

static int send_raw(struct rconn *rc, rconn_reply_fn fn, void *privdata, int extra_ms, int argc,
		    const char **argv, const size_t *argvlen)
{
	struct pending_cmd *p = xcalloc(1, sizeof *p);
	p->rc = rc;
	p->fn = fn;
	p->privdata = privdata;
	p->deadline_ms = now_ms() + rc->cfg->command_timeout_ms + extra_ms;
	if (redisAsyncCommandArgv(rc->ac, on_reply, p, argc, argv, argvlen) != REDIS_OK) {
		free(p); /* hiredis will not call back */
		return -1;
	}
	if (rc->tail)
		rc->tail->next = p;
	else
		rc->head = p;
	rc->tail = p;
	rc->npending++;
	return 0;
}

int rconn_command(struct rconn *rc, rconn_reply_fn fn, void *privdata, int extra_timeout_ms,
		  int argc, const char **argv, const size_t *argvlen)
{
	if (rc->state != RC_READY || !rc->ac)
		return -1;
	return send_raw(rc, fn, privdata, extra_timeout_ms, argc, argv, argvlen);
}

void rconn_flush(struct rconn *rc)
{
	/* redisBufferWrite, not redisAsyncHandleWrite: an error must not run
	 * the disconnect (and every pending callback) inside the caller; it
	 * stays in the context, and the write event still registered for the
	 * command meets it on the loop, which tears the connection down there. */
	if (rc->state != RC_READY || !rc->ac || rc->ac->c.err ||
	    !(rc->ac->c.flags & REDIS_CONNECTED))
		return;
	int done = 0;
	(void)redisBufferWrite(&rc->ac->c, &done);
}

/* Replies rconn_pump read ahead: handled here, on the loop, if the read
 * event did not come first (the socket may have nothing more to say). */
static void on_pumped(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct rconn *rc = arg;
	if (rc->ac && !rc->ac->c.err && rc->ac->c.reader && rc->ac->c.reader->len > rc->ac->c.reader->pos)
		redisAsyncHandleRead(rc->ac); /* (a read that would block adds nothing) */
}

void rconn_pump(struct rconn *rc)
{
	if (rc->state != RC_READY || !rc->ac || rc->ac->c.err ||
	    !(rc->ac->c.flags & REDIS_CONNECTED) || !rc->head)
		return;
	rconn_flush(rc);
	redisContext *c = &rc->ac->c;
	/* redisBufferRead reads at most 16 KiB a call; a would-block read
	 * adds nothing. An error stays in the context for the loop. */
	for (int i = 0; i < 64; i++) {
		size_t before = c->reader->len;
		if (redisBufferRead(c) != REDIS_OK || c->reader->len == before)
			break;
	}
	if (c->reader->len > c->reader->pos)
		event_active(rc->pumped, 0, 0);
}

/* Names the connection in Redis (CLIENT LIST shows "vsd-commands",
 * "vsd-read-0", ...) so an operator can tell them apart, then goes READY.
 * Pipelined before any command of the user; its reply is ignored. */
static void become_ready(struct rconn *rc)
{
	char cname[48];
	snprintf(cname, sizeof cname, "vsd-%s", rc->name);
	const char *argv[3] = {"CLIENT", "SETNAME", cname};
	size_t lens[3] = {6, 7, strlen(cname)};
	send_raw(rc, NULL, NULL, 0, 3, argv, lens);
	if (rc->failover_streak == 0)
		rc->backoff_ms = BACKOFF_MIN_MS;
	rc->failover_counted = false;
	rc->ready_since_ms = now_ms();
	set_state(rc, RC_READY, NULL);
}

/* Sentinel mode: READY only when ROLE says master. */
static void on_role(struct rconn *rc, redisReply *reply, void *privdata)
{
	(void)privdata;
	if (!reply)
		return; /* torn down already */
	enum redis_role role = sentinel_parse_role(reply);
	if (role == ROLE_MASTER) {
		become_ready(rc);
		return;
	}
	char why[160];
	snprintf(why, sizeof why, "%s is %s, not a master", rc->master_str,
		 role == ROLE_REPLICA	 ? "a replica"
		 : role == ROLE_SENTINEL ? "a sentinel"
					 : "of an unknown role");
	log_warn("redis %s: %s; asking the sentinels again", rc->name, why);
	rconn_reset(rc, why);
}

/* After AUTH: ROLE first in sentinel mode, else READY at once. */
static void after_auth(struct rconn *rc)
{
	if (!sentinel_mode(rc)) {
		become_ready(rc);
		return;
	}
	set_state(rc, RC_AUTHENTICATING, NULL);
	const char *argv[1] = {"ROLE"};
	size_t lens[1] = {4};
	if (send_raw(rc, on_role, NULL, 0, 1, argv, lens) != 0)
		rconn_reset(rc, "cannot send ROLE");
}

static void on_auth(struct rconn *rc, redisReply *reply, void *privdata)
{
	(void)privdata;
	if (!reply)
		return; /* torn down already */
	if (reply->type == REDIS_REPLY_ERROR) {
		log_err("redis %s: AUTH refused: %.200s", rc->name, reply->str);
		rc->backoff_ms = BACKOFF_MAX_MS;
		rconn_reset(rc, "authentication failed");
		return;
	}
	after_auth(rc);
}

static void on_connect(const redisAsyncContext *ac, int status)
{
	struct rconn *rc = ac->data;
	if (!rc)
		return;
	if (status != REDIS_OK) {
		/* hiredis frees the context after this callback (it was never
		 * connected: no disconnect callback, and no arena) */
		char why[160];
		snprintf(why, sizeof why, "connect failed: %.120s", ac->errstr);
		rc->ac = NULL;
		fail_pending(rc);
		enter_backoff(rc, why);
		return;
	}
	/* replies are built in an arena (rarena.h): the daemon's callbacks
	 * copy what they keep */
	rarena_attach(ac->c.reader);
	if (rc->cfg->password) {
		set_state(rc, RC_AUTHENTICATING, NULL);
		const char *argv[3] = {"AUTH", rc->cfg->user, rc->cfg->password};
		int argc = rc->cfg->user[0] ? 3 : 2;
		if (argc == 2)
			argv[1] = rc->cfg->password;
		size_t lens[3];
		for (int i = 0; i < argc; i++)
			lens[i] = strlen(argv[i]);
		if (send_raw(rc, on_auth, NULL, 0, argc, argv, lens) != 0)
			rconn_reset(rc, "cannot send AUTH");
		return;
	}
	after_auth(rc);
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
	/* also for a context we free ourselves (data NULL): the reader frees
	 * a half-parsed reply after this callback, then the arena goes */
	rarena_detach(ac->c.reader);
	struct rconn *rc = ac->data;
	if (!rc)
		return; /* we freed it ourselves */
	/* hiredis frees the context after this callback; pending callbacks have
	 * already run with NULL. */
	rc->ac = NULL;
	fail_pending(rc);
	char why[160];
	snprintf(why, sizeof why, "%s", status == REDIS_OK ? "closed" : ac->errstr);
	enter_backoff(rc, why);
}

/* Connects to the configured address, or in sentinel mode to rc->master. */
static void connect_server(struct rconn *rc)
{
	const char *unix_path = rc->cfg->unix_path, *host = rc->cfg->host;
	int port = rc->cfg->port;
	if (sentinel_mode(rc)) {
		unix_path = rc->master.unix_path;
		host = rc->master.host;
		port = rc->master.port;
	}
	redisAsyncContext *ac = unix_path[0] ? redisAsyncConnectUnix(unix_path)
					     : redisAsyncConnect(host, port);
	if (!ac || ac->err) {
		char why[160];
		snprintf(why, sizeof why, "connect failed: %.120s", ac ? ac->errstr : "no memory");
		if (ac)
			redisAsyncFree(ac);
		rc->state = RC_CONNECTING;
		enter_backoff(rc, why);
		return;
	}
	ac->data = rc;
	rc->ac = ac;
	redisLibeventAttach(ac, rc->base);
	redisAsyncSetConnectCallback(ac, on_connect);
	redisAsyncSetDisconnectCallback(ac, on_disconnect);
	rc->connect_deadline_ms = now_ms() + rc->cfg->connect_timeout_ms;
	set_state(rc, RC_CONNECTING, NULL);
}

/* ---- Sentinel: resolving the master ---- */

static void on_sentinel_reply(redisAsyncContext *ac, void *r, void *privdata)
{
	(void)privdata;
	struct rconn *rc = ac->data;
	redisReply *reply = r;
	if (!rc || !reply)
		return; /* freed by us, or the disconnect callback goes on */
	struct sentinel_addr m;
	enum sentinel_master_result res = sentinel_parse_master(reply, &m);
	/* done with this sentinel: hiredis closes it after this callback */
	ac->data = NULL;
	rc->sac = NULL;
	redisAsyncDisconnect(ac);
	if (rc->sentinel_refused) {
		rc->sentinel_refused = false;
		rc->sentinel_next++;
		ask_sentinel(rc);
		return;
	}
	if (res != SENTINEL_MASTER_OK && reply->type == REDIS_REPLY_ERROR) {
		/* NOAUTH: the sentinel wants redis.sentinel_password */
		log_warn("redis %s: sentinel %d answered %.160s", rc->name,
			 rc->sentinel_next % rc->cfg->nsentinels, reply->str);
		rc->sentinel_next++;
		ask_sentinel(rc);
		return;
	}
	if (res != SENTINEL_MASTER_OK) {
		log_warn("redis %s: sentinel %d %s master %s", rc->name,
			 rc->sentinel_next % rc->cfg->nsentinels,
			 res == SENTINEL_MASTER_UNKNOWN ? "knows no" : "gave no usable address for",
			 rc->cfg->master_name);
		rc->sentinel_next++;
		ask_sentinel(rc);
		return;
	}
	rc->master = m;
	sentinel_addr_format(&m, rc->master_str, sizeof rc->master_str);
	log_info("redis %s: sentinel %d names %s as master %s", rc->name,
		 rc->sentinel_next % rc->cfg->nsentinels, rc->master_str, rc->cfg->master_name);
	connect_server(rc);
}

/* The sentinel could not be reached, or closed before answering. */
static void sentinel_failed(const redisAsyncContext *ac)
{
	struct rconn *rc = ac->data;
	if (!rc)
		return;
	/* hiredis frees it after this callback; whichever of the connect and
	 * the disconnect callback comes first counts */
	((redisAsyncContext *)ac)->data = NULL;
	rc->sac = NULL;
	rc->sentinel_next++;
	ask_sentinel(rc);
}

static void on_sentinel_connect(const redisAsyncContext *ac, int status)
{
	if (status != REDIS_OK)
		sentinel_failed(ac);
}

static void on_sentinel_disconnect(const redisAsyncContext *ac, int status)
{
	(void)status;
	sentinel_failed(ac);
}

static redisAsyncContext *connect_sentinel(struct rconn *rc, int idx, void (*on_conn)(const redisAsyncContext *, int),
					   void (*on_disc)(const redisAsyncContext *, int))
{
	const struct sentinel_addr *sa = &rc->cfg->sentinels[idx];
	redisAsyncContext *ac = sa->unix_path[0] ? redisAsyncConnectUnix(sa->unix_path)
						 : redisAsyncConnect(sa->host, sa->port);
	if (!ac || ac->err) {
		if (ac)
			redisAsyncFree(ac);
		return NULL;
	}
	ac->data = rc;
	redisLibeventAttach(ac, rc->base);
	redisAsyncSetConnectCallback(ac, on_conn);
	redisAsyncSetDisconnectCallback(ac, on_disc);
	return ac;
}

/* The answer to AUTH on a sentinel. A refusal is logged here; the command
 * queued behind it then fails too (NOAUTH) and the next sentinel is asked
 * (on the +switch-master watch, hiredis drops the connection on the error
 * and the watch is tried again later). */
static void on_sentinel_auth(redisAsyncContext *ac, void *r, void *privdata)
{
	struct rconn *rc = ac->data;
	redisReply *reply = r;
	if (!rc || !reply || !privdata)
		return;
	switch (sentinel_auth_answer(reply)) {
	case SENTINEL_AUTH_OK:
		return;
	case SENTINEL_AUTH_UNNEEDED:
		log_warn("redis %s: sentinel %d demands no password (redis.sentinel_password_file "
			 "is given): set requirepass on it",
			 rc->name, rc->sentinel_next % rc->cfg->nsentinels);
		return;
	case SENTINEL_AUTH_REFUSED:
		log_err("redis %s: sentinel %d refused AUTH (redis.sentinel_user, "
			"redis.sentinel_password_file): %.160s",
			rc->name, rc->sentinel_next % rc->cfg->nsentinels, reply->str);
		rc->sentinel_refused = true; /* its answer, if any, is not used */
		return;
	}
}

/* Queues AUTH on a fresh sentinel context when sentinel credentials are
 * configured; the command queued next is answered after it. `resolving`
 * says whether a refusal is to be logged (the watch stays quiet: the
 * resolving connection reports the same credentials). */
static int sentinel_auth(struct rconn *rc, redisAsyncContext *ac, bool resolving)
{
	const struct redis_config *cfg = rc->cfg;
	if (!cfg->sentinel_password)
		return REDIS_OK;
	const char *argv[3] = {"AUTH", cfg->sentinel_user, cfg->sentinel_password};
	int argc = cfg->sentinel_user[0] ? 3 : 2;
	if (argc == 2)
		argv[1] = cfg->sentinel_password;
	size_t lens[3];
	for (int i = 0; i < argc; i++)
		lens[i] = strlen(argv[i]);
	return redisAsyncCommandArgv(ac, on_sentinel_auth, resolving ? (void *)rc : NULL, argc,
				     argv, lens);
}

/* Asks the next sentinel of this round; after every sentinel failed once,
 * backs off. */
static void ask_sentinel(struct rconn *rc)
{
	int n = rc->cfg->nsentinels;
	while (rc->round_tries < n) {
		int idx = rc->sentinel_next % n;
		rc->round_tries++;
		redisAsyncContext *ac = connect_sentinel(rc, idx, on_sentinel_connect,
							 on_sentinel_disconnect);
		if (!ac) {
			rc->sentinel_next++;
			continue;
		}
		const char *argv[3] = {"SENTINEL", "get-master-addr-by-name", rc->cfg->master_name};
		size_t lens[3] = {8, 23, strlen(rc->cfg->master_name)};
		rc->sentinel_refused = false;
		if (sentinel_auth(rc, ac, true) != REDIS_OK ||
		    redisAsyncCommandArgv(ac, on_sentinel_reply, NULL, 3, argv, lens) != REDIS_OK) {
			ac->data = NULL;
			redisAsyncFree(ac);
			rc->sentinel_next++;
			continue;
		}
		rc->sac = ac;
		rc->connect_deadline_ms = now_ms() + rc->cfg->connect_timeout_ms;
		set_state(rc, RC_RESOLVING, NULL);
		return;
	}
	if (rc->state == RC_DISCONNECTED)
		rc->state = RC_RESOLVING;
	enter_backoff(rc, "no sentinel named a master");
}

/* ---- Sentinel: the +switch-master subscription ---- */

static void watch_lost(const redisAsyncContext *ac, struct rconn *rc)
{
	((redisAsyncContext *)ac)->data = NULL; /* counted once */
	rc->wac = NULL;
	rc->watch_next++;
	if (rc->state != RC_CLOSED)
		timer_arm_ms(rc->watch_timer, WATCH_RETRY_MS);
}

static void on_watch_connect(const redisAsyncContext *ac, int status)
{
	struct rconn *rc = ac->data;
	if (rc && status != REDIS_OK)
		watch_lost(ac, rc);
}

static void on_watch_disconnect(const redisAsyncContext *ac, int status)
{
	(void)status;
	struct rconn *rc = ac->data;
	if (rc)
		watch_lost(ac, rc);
}

/* A message on +switch-master: a connection to the old master is dropped, a
 * backoff cut short; the connect then asks the sentinels again. */
static void on_watch_message(redisAsyncContext *ac, void *r, void *privdata)
{
	(void)privdata;
	struct rconn *rc = ac->data;
	struct sentinel_addr to;
	if (!rc || !r || !sentinel_is_switch(r, rc->cfg->master_name, &to))
		return;
	char to_str[80];
	sentinel_addr_format(&to, to_str, sizeof to_str);
	bool same = strcmp(to.host, rc->master.host) == 0 && to.port == rc->master.port &&
		    !rc->master.unix_path[0];
	log_info("redis %s: the sentinels switched master %s to %s", rc->name,
		 rc->cfg->master_name, to_str);
	rc->backoff_ms = BACKOFF_MIN_MS;
	if (rc->state == RC_BACKOFF) {
		timer_arm_ms(rc->timer, (int)(random() % 50));
	} else if (!same && (rc->state == RC_READY || rc->state == RC_CONNECTING ||
			     rc->state == RC_AUTHENTICATING)) {
		rconn_reset(rc, "the sentinels switched the master");
	}
}

static void watch_start(struct rconn *rc)
{
	if (rc->wac || rc->state == RC_CLOSED)
		return;
	int idx = rc->watch_next % rc->cfg->nsentinels;
	redisAsyncContext *ac = connect_sentinel(rc, idx, on_watch_connect, on_watch_disconnect);
	if (!ac) {
		rc->watch_next++;
		timer_arm_ms(rc->watch_timer, WATCH_RETRY_MS);
		return;
	}
	const char *argv[2] = {"SUBSCRIBE", "+switch-master"};
	size_t lens[2] = {9, 14};
	if (sentinel_auth(rc, ac, false) != REDIS_OK ||
	    redisAsyncCommandArgv(ac, on_watch_message, NULL, 2, argv, lens) != REDIS_OK) {
		ac->data = NULL;
		redisAsyncFree(ac);
		rc->watch_next++;
		timer_arm_ms(rc->watch_timer, WATCH_RETRY_MS);
		return;
	}
	rc->wac = ac;
}

static void on_watch_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	watch_start(arg);
}

static void connect_now(struct rconn *rc)
{
	if (sentinel_mode(rc)) {
		rc->round_tries = 0;
		ask_sentinel(rc);
		return;
	}
	connect_server(rc);
}

struct rconn *rconn_new(struct event_base *base, const struct redis_config *cfg,
			const char *name, rconn_state_fn on_state, void *arg)
{
	struct rconn *rc = xcalloc(1, sizeof *rc);
	rc->base = base;
	rc->cfg = cfg;
	str_copy(rc->name, name, sizeof rc->name);
	rc->on_state = on_state;
	rc->arg = arg;
	rc->state = RC_DISCONNECTED;
	rc->backoff_ms = BACKOFF_MIN_MS;
	rc->timer = evtimer_new(base, on_timer, rc);
	rc->deferred = evtimer_new(base, on_deferred, rc);
	rc->pumped = event_new(base, -1, 0, on_pumped, rc);
	rc->check = event_new(base, -1, EV_PERSIST, on_check, rc);
	rc->watch_timer = evtimer_new(base, on_watch_timer, rc);
	if (!rc->timer || !rc->deferred || !rc->pumped || !rc->check || !rc->watch_timer) {
		log_err("redis %s: cannot create timers", name);
		abort();
	}
	timer_arm_ms(rc->check, CHECK_INTERVAL_MS);
	return rc;
}

void rconn_start(struct rconn *rc)
{
	if (rc->state != RC_DISCONNECTED)
		return;
	if (sentinel_mode(rc))
		watch_start(rc);
	connect_now(rc);
}

void rconn_close(struct rconn *rc)
{
	if (rc->state != RC_CLOSED)
		teardown(rc, "closed", true);
}

void rconn_free(struct rconn *rc)
{
	if (!rc)
		return;
	rconn_close(rc);
	event_free(rc->watch_timer);
	event_free(rc->check);
	event_free(rc->deferred);
	event_free(rc->pumped);
	event_free(rc->timer);
	free(rc);
}

enum rconn_state rconn_state(const struct rconn *rc)
{
	return rc->state;
}

size_t rconn_pending(const struct rconn *rc)
{
	return rc->npending;
}

const char *rconn_master(const struct rconn *rc)
{
	return sentinel_mode(rc) ? rc->master_str : "";
}
