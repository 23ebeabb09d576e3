/*
 * redis: XADD the payload to the partner's queue stream (the jeugdarts
 * queue) on the daemon's Redis. Fields: id, event, partner, payload (the
 * JSON). MAXLEN ~ when configured.
 */
#include "connector.h"

#include "util.h"

#include <stdio.h>
#include <string.h>

static void rqueue_reply(void *arg, const char *error)
{
	struct delivery *dl = arg;
	if (!error) {
		dl->outcome = DL_DELIVERED;
		str_copy(dl->detail, "queued", sizeof dl->detail);
	} else {
		dl->outcome = DL_RETRY;
		snprintf(dl->detail, sizeof dl->detail, "redis: %s", error);
	}
	dl->done(dl);
}

static int rqueue_send(struct connector_env *env, struct delivery *dl)
{
	const char *argv[16];
	size_t lens[16];
	int n = 0;
	char maxlen[24];
#define ARG(s) (argv[n] = (s), lens[n] = strlen(argv[n]), n++)
	ARG("XADD");
	ARG(dl->cc->stream);
	if (dl->cc->maxlen > 0) {
		snprintf(maxlen, sizeof maxlen, "%ld", dl->cc->maxlen);
		ARG("MAXLEN");
		ARG("~");
		ARG(maxlen);
	}
	ARG("*");
	ARG("id");
	ARG(dl->idempotency_key);
	ARG("event");
	ARG(dl->event);
	ARG("partner");
	ARG(dl->partner->id);
	ARG("payload");
	argv[n] = dl->body;
	lens[n++] = dl->body_len;
#undef ARG
	if (env->redis.command(env->redis.ctx, n, argv, lens, rqueue_reply, dl) != 0) {
		dl->outcome = DL_RETRY;
		str_copy(dl->detail, "redis: not connected", sizeof dl->detail);
		return CONNECTOR_DONE;
	}
	return CONNECTOR_PENDING;
}

/* Held for Redis's command timeout, and some. */
static int rqueue_hold_ms(const struct connector_env *env, const struct connector_cfg *cc)
{
	(void)cc;
	return env->redis.timeout_ms + 10000;
}

const struct connector_ops connector_redis = {CONN_REDIS, rqueue_send, rqueue_hold_ms, NULL};
