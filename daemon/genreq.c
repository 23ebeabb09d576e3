/*
 * genreq: see genreq.h.
 */
#include "genreq.h"

#include "util.h"

#include <stdlib.h>

struct gen_call {
	struct gen_req q;
	gen_deliver_fn deliver;
};

static void on_gen_reply(struct rconn *rc, redisReply *r, void *arg)
{
	struct gen_call *c = arg;
	if (*c->q.now == c->q.gen)
		c->deliver(&c->q, rc, r);
	free(c);
}

int gen_command(struct rconn *rc, int extra_timeout_ms, const struct gen_req *q,
		gen_deliver_fn deliver, int argc, const char **argv, const size_t *lens)
{
	struct gen_call *c = xmalloc(sizeof *c);
	c->q = *q;
	c->deliver = deliver;
	if (rwait_command(rc, q->wait, on_gen_reply, c, extra_timeout_ms, argc, argv, lens) != 0) {
		free(c);
		return -1;
	}
	return 0;
}
