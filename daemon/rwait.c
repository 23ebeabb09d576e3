/*
 * rwait: see rwait.h.
 */
#include "rwait.h"

#include "log.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOG_EVERY_MS 60000

struct wait_call {
	struct rwait *w;
	rconn_reply_fn fn;
	void *privdata;
	redisReply *held;  /* the command's reply, until WAIT answers */
	bool delivered;    /* fn has run */
	bool answered;     /* the command's reply has come */
	bool wait_sent;    /* a WAIT covers it (sent, or the next one): freed there */
};

/* The writes one WAIT confirms: those sent since the WAIT before it. */
struct wait_group {
	struct rwait *w;
	struct wait_call **calls;
	size_t n, cap;
};

static void group_add(struct wait_group *g, struct wait_call *c)
{
	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 4;
		g->calls = xrealloc(g->calls, g->cap * sizeof *g->calls);
	}
	g->calls[g->n++] = c;
}

static void group_free(struct wait_group *g)
{
	free(g->calls);
	free(g);
}

void rwait_init(struct rwait *w, const struct redis_config *cfg)
{
	memset(w, 0, sizeof *w);
	w->min_replicas = cfg->min_replicas;
	w->timeout_ms = cfg->wait_timeout_ms > 0 ? cfg->wait_timeout_ms : 1000;
	w->logged_ms = INT64_MIN;
}

redisReply *rwait_reply_copy(const redisReply *r)
{
	redisReply *c = xcalloc(1, sizeof *c);
	c->type = r->type;
	c->integer = r->integer;
	switch (r->type) {
	case REDIS_REPLY_STRING:
	case REDIS_REPLY_STATUS:
	case REDIS_REPLY_ERROR:
		c->len = r->len;
		c->str = xmalloc(r->len + 1);
		if (r->len)
			memcpy(c->str, r->str, r->len);
		c->str[r->len] = '\0';
		break;
	case REDIS_REPLY_ARRAY:
		c->elements = r->elements;
		if (r->elements) {
			c->element = xcalloc(r->elements, sizeof *c->element);
			for (size_t i = 0; i < r->elements; i++)
				c->element[i] = rwait_reply_copy(r->element[i]);
		}
		break;
	default:
		break;
	}
	return c;
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void shortfall(struct rwait *w, struct rconn *rc, const redisReply *r)
{
	w->shortfalls++;
	int64_t now = mono_ms();
	if (w->logged_ms != INT64_MIN && now - w->logged_ms < LOG_EVERY_MS)
		return;
	w->logged_ms = now;
	(void)rc;
	if (r && r->type == REDIS_REPLY_INTEGER)
		log_warn("redis: WAIT: %lld of %d replica(s) confirmed a write within %d ms; its "
			 "outcome counts as unknown (logged at most once a minute)",
			 r->integer, w->min_replicas, w->timeout_ms);
	else
		log_warn("redis: WAIT failed (%.160s); the write's outcome counts as unknown (logged "
			 "at most once a minute)",
			 r && r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
}

static void deliver(struct wait_call *c, struct rconn *rc, redisReply *r)
{
	c->delivered = true;
	if (c->fn)
		c->fn(rc, r, c->privdata);
}

/* The command's own reply. */
static void on_command(struct rconn *rc, redisReply *r, void *arg)
{
	struct wait_call *c = arg;
	bool failed = !r || r->type == REDIS_REPLY_ERROR;
	c->answered = true;
	if (!c->wait_sent) {
		/* nothing follows to confirm a success: unknown */
		deliver(c, rc, failed ? r : NULL);
		free(c);
		return;
	}
	if (failed) {
		deliver(c, rc, r); /* lost or refused: nothing for WAIT to confirm */
		return;
	}
	c->held = rwait_reply_copy(r);
}

bool rwait_degraded(const struct rwait *w)
{
	return w->degraded;
}

static void next_wait(struct rconn *rc, struct rwait *w, bool lost);

static void on_probe(struct rconn *rc, redisReply *r, void *arg)
{
	struct rwait *w = arg;
	w->in_flight--;
	if (r)
		w->degraded = !(r->type == REDIS_REPLY_INTEGER && r->integer >= w->min_replicas);
	if (r && !w->degraded)
		log_info("redis: WAIT: %lld replica(s) confirm the writes again", r->integer);
	next_wait(rc, w, !r);
}

static int send_wait(struct rconn *rc, struct rwait *w, rconn_reply_fn fn, void *privdata)
{
	char n[16], t[16];
	snprintf(n, sizeof n, "%d", w->min_replicas);
	snprintf(t, sizeof t, "%d", w->timeout_ms);
	const char *argv[3] = {"WAIT", n, t};
	size_t lens[3] = {4, strlen(n), strlen(t)};
	if (rconn_command(rc, fn, privdata, w->timeout_ms, 3, argv, lens) != 0)
		return -1;
	w->in_flight++;
	return 0;
}

bool rwait_hold(struct rconn *rc, struct rwait *w)
{
	if (!w->degraded)
		return false;
	if (w->in_flight == 0)
		send_wait(rc, w, on_probe, w); /* not ready: tried again next time */
	return true;
}

static void on_wait(struct rconn *rc, redisReply *r, void *arg)
{
	struct wait_group *g = arg;
	struct rwait *w = g->w;
	bool enough = r && r->type == REDIS_REPLY_INTEGER && r->integer >= w->min_replicas;
	w->in_flight--;
	if (r) /* NULL: the connection went, which says nothing of the replicas */
		w->degraded = !enough;
	bool counted = false;
	for (size_t i = 0; i < g->n; i++) {
		struct wait_call *c = g->calls[i];
		if (!c->delivered) {
			if (!c->held) {
				deliver(c, rc, NULL);
			} else if (enough) {
				deliver(c, rc, c->held);
			} else {
				if (r && !counted) /* NULL: the connection went; rconn has said so */
					shortfall(w, rc, r);
				counted = true;
				deliver(c, rc, NULL);
			}
		}
		if (c->held)
			freeReplyObject(c->held);
		free(c);
	}
	group_free(g);
	next_wait(rc, w, !r);
}

/* A WAIT answered (or the connection went): the writes sent meanwhile get
 * theirs now, so that at most one WAIT is ever queued on the connection and
 * a command sent behind it waits at most one WAIT timeout. When none can be
 * sent (the connection lost or refusing), their outcome is unknown: each
 * handler gets NULL, or its error, once its command has answered. */
static void next_wait(struct rconn *rc, struct rwait *w, bool lost)
{
	struct wait_group *g = w->pending;
	if (!g || w->in_flight > 0)
		return;
	w->pending = NULL;
	if (!lost && send_wait(rc, w, on_wait, g) == 0)
		return;
	for (size_t i = 0; i < g->n; i++) {
		struct wait_call *c = g->calls[i];
		if (!c->answered) {
			c->wait_sent = false; /* on_command finishes it */
			continue;
		}
		if (!c->delivered)
			deliver(c, rc, NULL);
		if (c->held)
			freeReplyObject(c->held);
		free(c);
	}
	group_free(g);
}

int rwait_command(struct rconn *rc, struct rwait *w, rconn_reply_fn fn, void *privdata,
		  int extra_timeout_ms, int argc, const char **argv, const size_t *argvlen)
{
	if (!w || w->min_replicas <= 0)
		return rconn_command(rc, fn, privdata, extra_timeout_ms, argc, argv, argvlen);
	if (w->degraded && w->in_flight > 0)
		return -1; /* one probe at a time while replicas are missing */
	struct wait_call *c = xcalloc(1, sizeof *c);
	c->w = w;
	c->fn = fn;
	c->privdata = privdata;
	if (rconn_command(rc, on_command, c, extra_timeout_ms, argc, argv, argvlen) != 0) {
		free(c);
		return -1;
	}
	if (w->in_flight > 0) {
		/* a WAIT is queued already: this write waits for the next one,
		 * sent once that one answers (next_wait) */
		if (!w->pending) {
			w->pending = xcalloc(1, sizeof *w->pending);
			w->pending->w = w;
		}
		group_add(w->pending, c);
		c->wait_sent = true;
		return 0;
	}
	struct wait_group *g = xcalloc(1, sizeof *g);
	g->w = w;
	group_add(g, c);
	if (send_wait(rc, w, on_wait, g) == 0)
		c->wait_sent = true;
	else /* on_command delivers NULL (nothing confirms the write) and frees c */
		group_free(g);
	return 0;
}
