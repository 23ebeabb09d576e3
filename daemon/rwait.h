/*
 * rwait: a write that counts only once enough replicas have it. After a
 * command that commits work (COMMIT, ACCEPT, TAKE, RESULT, DUE, ACK) the
 * daemon pipelines `WAIT min_replicas timeout` on the same connection, and
 * the command's handler sees its reply only when WAIT has answered:
 *
 *   - WAIT counted at least min_replicas: the handler gets the reply;
 *   - fewer (or WAIT failed, or the connection was lost): the handler gets
 *     NULL, the same "outcome unknown" as a lost connection, so nothing is
 *     delivered, answered or counted on the strength of that write;
 *   - the command itself answered an error: the handler gets it at once
 *     (nothing was committed that WAIT could confirm).
 *
 * WAIT confirms every earlier write of the connection, not just the one
 * before it. It narrows the window in which a failover loses acknowledged
 * work; it does not make Redis strongly consistent (docs/operations.md).
 * With min_replicas 0 a call is exactly rconn_command.
 *
 * Redis answers a connection's commands in order, so every command sent
 * after a WAIT waits for it (up to the timeout). So at most one WAIT is in
 * flight: writes sent while one is share the next WAIT, sent when it
 * answers. Replicas lost before any WAIT has said so thus cost a command
 * behind at most one WAIT timeout, never one per queued write (which would
 * pass redis.command_timeout_ms, the configuration's bound on
 * wait_timeout_ms, and tear the connection down). Once a WAIT has come short
 * ("degraded"), only one WAIT at a time is let through, as a probe: further
 * calls are refused (-1, nothing sent) until it answers, so a lease renewal
 * behind it waits at most one timeout. A WAIT with enough replicas ends it.
 */
#ifndef VS_RWAIT_H
#define VS_RWAIT_H

#include "rconn.h"

#include <stdbool.h>
#include <stdint.h>

struct wait_group;

struct rwait {
	int min_replicas;             /* 0: no WAIT */
	int timeout_ms;               /* WAIT's timeout */
	unsigned long long shortfalls; /* WAITs answered below min_replicas, or failed */
	int64_t logged_ms;            /* when a shortfall was last logged (monotonic) */
	int in_flight;                /* WAITs sent and not answered */
	bool degraded;                /* the last WAIT answered came short */
	struct wait_group *pending;   /* writes sent while a WAIT was in flight */
};

/* Takes min_replicas and wait_timeout_ms from the configuration. */
void rwait_init(struct rwait *w, const struct redis_config *cfg);

/* rconn_command followed by WAIT (see above). w may be NULL: no WAIT.
 * Returns 0 (fn will run exactly once) or -1 (fn will not run: the
 * connection refused it, or degraded and a WAIT is in flight). */
int rwait_command(struct rconn *rc, struct rwait *w, rconn_reply_fn fn, void *privdata,
		  int extra_timeout_ms, int argc, const char **argv, const size_t *argvlen);

/* Too few replicas confirmed the last WAIT answered. */
bool rwait_degraded(const struct rwait *w);

/* For a partition or dispatcher about to start work: true while degraded,
 * and then, unless one is in flight, it sends a bare WAIT on rc (which asks
 * whether the replicas now have every earlier write of the connection);
 * enough replicas end the degraded state. Working while degraded would only
 * read the same entries again and again (each start counting toward
 * daemon.max_deliveries) without a write that counts. */
bool rwait_hold(struct rconn *rc, struct rwait *w);

/* A deep copy of a reply, freed with freeReplyObject (exposed for tests). */
redisReply *rwait_reply_copy(const redisReply *r);

#endif
