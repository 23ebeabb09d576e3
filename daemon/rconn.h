/*
 * rconn: one asynchronous Redis connection on the libevent loop, with what
 * hiredis 0.14 leaves to its user (STYLE.md, "Pitfalls"):
 *
 *   DISCONNECTED --start--> CONNECTING --connected--> AUTHENTICATING --OK--> READY
 *        ^                      |  (connect timeout)         | (AUTH refused)   |
 *        |                      v                            v                  | (error, timeout,
 *        +--------------- BACKOFF <--------------------------+------------------+  server gone)
 *   BACKOFF waits 100 ms doubling to 10 s, with +-25 % jitter, then connects again.
 *   CLOSED: rconn_close was called; nothing reconnects.
 *
 * A context is never reused after a disconnect; it is freed only from a
 * timer or from rconn_close, never inside a hiredis callback. Every command
 * has a deadline (command_timeout_ms, plus the BLOCK time for blocking
 * reads); a missed deadline tears the connection down, and every pending
 * command's callback then runs once with reply NULL ("outcome unknown").
 * Each state change is logged once, at info level.
 *
 * With redis.sentinels (Sentinel), a connect first asks the sentinels in
 * turn for the master's address (RESOLVING), and after AUTH sends ROLE: the
 * connection is READY only when the server says it is a master; a replica
 * (or a sentinel that knows no master) sends it to BACKOFF, after which the
 * sentinels are asked again. An error reply READONLY, NOREPLICAS,
 * MASTERDOWN or UNBLOCKED (sentinel_error_means_failover) reaches its
 * callback as NULL (outcome unknown) and drops the connection. Each
 * connection also subscribes to +switch-master on a sentinel: a switch of
 * its master drops a connection to the old one and cuts a backoff short.
 * In sentinel mode the backoff is capped at 1 s (a failover takes seconds),
 * and connections that end in such an error within 2 s of READY keep
 * doubling it rather than starting over at 100 ms.
 */
#ifndef VS_RCONN_H
#define VS_RCONN_H

#include "dconfig.h"

#include <event2/event.h>
#include <hiredis/hiredis.h>
#include <stdbool.h>
#include <stddef.h>

enum rconn_state {
	RC_DISCONNECTED, /* not started */
	RC_CONNECTING,   /* TCP/unix connect in progress, connect timer armed */
	RC_AUTHENTICATING, /* connected, AUTH sent */
	RC_READY,        /* commands accepted */
	RC_BACKOFF,      /* waiting to reconnect */
	RC_CLOSED,       /* closed for good */
	RC_RESOLVING,    /* Sentinel: asking a sentinel for the master's address */
};

struct rconn;

/* reply is NULL when the command failed without an answer (connection lost
 * or timed out): its outcome is unknown. The reply is freed after the
 * callback returns: copy what you need. */
typedef void (*rconn_reply_fn)(struct rconn *rc, redisReply *reply, void *privdata);
/* Called when the connection becomes READY, and when it leaves READY. */
typedef void (*rconn_state_fn)(struct rconn *rc, enum rconn_state state, void *arg);

struct rconn *rconn_new(struct event_base *base, const struct redis_config *cfg,
			const char *name, rconn_state_fn on_state, void *arg);
void rconn_start(struct rconn *rc);
/* Sends a command. Returns 0 (fn will run exactly once), or -1 when the
 * connection is not READY or hiredis refused it (fn will not run).
 * extra_timeout_ms extends the deadline (a BLOCKing read's block time). */
int rconn_command(struct rconn *rc, rconn_reply_fn fn, void *privdata, int extra_timeout_ms,
		  int argc, const char **argv, const size_t *argvlen);
/* Writes the commands sent so far to the socket now, instead of when the
 * loop next runs (hiredis writes on the next write event): a command sent
 * before a long computation reaches Redis while it runs. Never runs a
 * callback; a write error is met on the loop as usual. */
void rconn_flush(struct rconn *rc);
/* rconn_flush, then reads what Redis has answered so far into hiredis'
 * buffer without running a callback; the replies are handled when the loop
 * next runs. Called now and then during a long computation: a reply larger
 * than the socket's buffer (a batch's read, ~600 KB) is otherwise written
 * by Redis only as the loop reads it, so Redis would wait for the
 * computation to end before it can send the rest, and the computation's
 * next step would then wait for Redis. */
void rconn_pump(struct rconn *rc);
/* Drops the connection now (pending callbacks run with NULL) and reconnects
 * after the backoff. Safe to call from a reply callback. */
void rconn_reset(struct rconn *rc, const char *why);
/* Closes for good; pending callbacks run with NULL. */
void rconn_close(struct rconn *rc);
void rconn_free(struct rconn *rc);
enum rconn_state rconn_state(const struct rconn *rc);
const char *rconn_state_name(enum rconn_state s);
size_t rconn_pending(const struct rconn *rc);
/* Sentinel mode: the master this connection uses or was last told of
 * ("host:port"); "" without Sentinel. */
const char *rconn_master(const struct rconn *rc);

/* r is an error reply starting with prefix (any error when prefix is NULL). */
bool reply_is_error(const redisReply *r, const char *prefix);
/* (Re)arms the timer ev to fire in ms milliseconds. */
void timer_arm_ms(struct event *ev, int ms);

#endif
