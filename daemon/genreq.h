/*
 * genreq: a command whose reply counts only in the generation it was sent
 * in. The partition's chain and the dispatcher each keep a generation
 * counter that they advance when they start over (a restart, a lost lease or
 * connection); a reply to a command of an earlier generation is dropped, so
 * two chains never run at once over the same state. Written once here for
 * both (partition.c, dispatch.c).
 */
#ifndef VS_GENREQ_H
#define VS_GENREQ_H

#include "rconn.h"
#include "rwait.h"

/* Any handler type; the owner's deliver function casts it back. */
typedef void (*gen_any_fn)(void);

struct gen_req {
	void *owner;           /* the partition or the dispatcher */
	const unsigned *now;   /* the owner's generation counter */
	unsigned gen;          /* its value when the command was sent */
	gen_any_fn fn;         /* the owner's handler for this command (NULL: none) */
	char tag[64];          /* what the command was about (a partner id), or "" */
	struct rwait *wait;    /* non-NULL: a write that commits work, confirmed by WAIT (rwait.h) */
};

/* Runs the handler of a current reply (r NULL: the connection was lost). */
typedef void (*gen_deliver_fn)(const struct gen_req *q, struct rconn *rc, redisReply *r);

/* Sends the command with a copy of q; deliver runs for its reply only while
 * *q->now still equals q->gen. Returns 0, or -1 when the connection refused
 * it (deliver will not run). */
int gen_command(struct rconn *rc, int extra_timeout_ms, const struct gen_req *q,
		gen_deliver_fn deliver, int argc, const char **argv, const size_t *lens);

#endif
