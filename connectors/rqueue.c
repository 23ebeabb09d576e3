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
	const struct rqueue_settings *rs = dl->cc->settings;
	ARG("XADD");
	ARG(rs->stream);
	if (rs->maxlen > 0) {
		snprintf(maxlen, sizeof maxlen, "%ld", rs->maxlen);
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

static void *rqueue_parse(struct jconf *jc, json_t *o, const char *at)
{
	static const char *const keys[] = {"type", "stream", "maxlen", NULL};
	char path[200];
	struct rqueue_settings *rs = xcalloc(1, sizeof *rs);
	jconf_only_keys(jc, o, at, keys);
	rs->stream = conf_string(jc, o, at, "stream");
	if (!rs->stream)
		jconf_error(jc, jconf_path_key(path, sizeof path, at, "stream"),
			    "expected the key of the partner's queue stream");
	int64_t maxlen = 0;
	jconf_int(jc, o, at, "maxlen", 0, 1000000000, &maxlen);
	rs->maxlen = (long)maxlen;
	return rs;
}

static void rqueue_free(void *settings)
{
	struct rqueue_settings *rs = settings;
	free(rs->stream);
	free(rs);
}

const struct connector_ops connector_redis = {"redis", rqueue_parse, rqueue_free, rqueue_send,
					      rqueue_hold_ms, NULL};
