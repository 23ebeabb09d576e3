/*
 * rconn: see rconn.h.
 */
#include "rconn.h"

#include "log.h"
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
	struct pending_cmd *head, *tail;
	size_t npending;
	int backoff_ms;
	int64_t connect_deadline_ms;
	char reset_why[80];
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
					    "ready", "backoff", "closed"};
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

/* Enters BACKOFF: waits the current backoff with +-25 % jitter, then
 * connects again; the next wait doubles, up to BACKOFF_MAX_MS. */
static void enter_backoff(struct rconn *rc, const char *why)
{
	set_state(rc, RC_BACKOFF, why);
	int jitter = rc->backoff_ms / 4;
	int wait = rc->backoff_ms + (jitter ? (int)(random() % (2 * jitter + 1)) - jitter : 0);
	timer_arm_ms(rc->timer, wait);
	rc->backoff_ms = rc->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : rc->backoff_ms * 2;
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

/* Frees the context (never from inside a hiredis callback) and moves to
 * BACKOFF or CLOSED. */
static void teardown(struct rconn *rc, const char *why, bool closing)
{
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

static void on_check(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct rconn *rc = arg;
	int64_t t = now_ms();
	if ((rc->state == RC_CONNECTING || rc->state == RC_AUTHENTICATING) &&
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
	if (p->fn)
		p->fn(rc, r, p->privdata);
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
	rc->backoff_ms = BACKOFF_MIN_MS;
	set_state(rc, RC_READY, NULL);
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
	become_ready(rc);
}

static void on_connect(const redisAsyncContext *ac, int status)
{
	struct rconn *rc = ac->data;
	if (!rc)
		return;
	if (status != REDIS_OK) {
		/* hiredis frees the context after this callback */
		char why[160];
		snprintf(why, sizeof why, "connect failed: %.120s", ac->errstr);
		rc->ac = NULL;
		fail_pending(rc);
		enter_backoff(rc, why);
		return;
	}
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
	become_ready(rc);
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
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

static void connect_now(struct rconn *rc)
{
	redisAsyncContext *ac = rc->cfg->unix_path[0]
					? redisAsyncConnectUnix(rc->cfg->unix_path)
					: redisAsyncConnect(rc->cfg->host, rc->cfg->port);
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
	rc->check = event_new(base, -1, EV_PERSIST, on_check, rc);
	if (!rc->timer || !rc->deferred || !rc->check) {
		log_err("redis %s: cannot create timers", name);
		abort();
	}
	timer_arm_ms(rc->check, CHECK_INTERVAL_MS);
	return rc;
}

void rconn_start(struct rconn *rc)
{
	if (rc->state == RC_DISCONNECTED)
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
	event_free(rc->check);
	event_free(rc->deferred);
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
