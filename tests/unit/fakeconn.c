/*
 * fakeconn: the fake Redis connection of fakeconn.h.
 */
#include "testutil.h"

#include "fakeconn.h"

#include <stdlib.h>
#include <string.h>

/* ---- the fake connection ---- */

struct call calls[MAX_CALLS];
int ncalls;
int fake_conn;
int fake_flushes;
int fake_pumps;

struct rconn *__wrap_rconn_new(struct event_base *base, const struct redis_config *cfg,
			       const char *name, rconn_state_fn fn, void *arg);
void __wrap_rconn_start(struct rconn *rc);
void __wrap_rconn_free(struct rconn *rc);
enum rconn_state __wrap_rconn_state(const struct rconn *rc);
int __wrap_rconn_command(struct rconn *rc, rconn_reply_fn fn, void *privdata, int extra_timeout_ms,
			 int argc, const char **argv, const size_t *lens);
void __wrap_rconn_flush(struct rconn *rc);
void __wrap_rconn_pump(struct rconn *rc);

struct rconn *__wrap_rconn_new(struct event_base *base, const struct redis_config *cfg,
			       const char *name, rconn_state_fn fn, void *arg)
{
	(void)base, (void)cfg, (void)name, (void)fn, (void)arg;
	return (struct rconn *)&fake_conn;
}
void __wrap_rconn_start(struct rconn *rc)
{
	(void)rc;
}
void __wrap_rconn_free(struct rconn *rc)
{
	(void)rc;
}
enum rconn_state __wrap_rconn_state(const struct rconn *rc)
{
	(void)rc;
	return RC_READY;
}
int __wrap_rconn_command(struct rconn *rc, rconn_reply_fn fn, void *privdata, int extra_timeout_ms,
			 int argc, const char **argv, const size_t *lens)
{
	(void)rc, (void)extra_timeout_ms;
	assert_true(ncalls < MAX_CALLS);
	struct call *c = &calls[ncalls++];
	c->fn = fn;
	c->priv = privdata;
	c->argc = argc;
	c->flushes = fake_flushes;
	for (int i = 0; i < argc && i < FAKE_ARGS; i++) {
		size_t n = lens[i] < sizeof c->argv[i] - 1 ? lens[i] : sizeof c->argv[i] - 1;
		memcpy(c->argv[i], argv[i], n);
		c->argv[i][n] = '\0';
	}
	return 0;
}

void __wrap_rconn_flush(struct rconn *rc)
{
	(void)rc;
	fake_flushes++;
}

/* A pump writes what was sent (a flush) and reads what is there: the fake
 * holds the replies itself, so only the flush shows. */
void __wrap_rconn_pump(struct rconn *rc)
{
	(void)rc;
	fake_flushes++;
	fake_pumps++;
}

void drop_pending(void)
{
	for (int guard = 0; ncalls > 0 && guard < 100; guard++) {
		struct call c = calls[0];
		memmove(calls, calls + 1, (size_t)(ncalls - 1) * sizeof *calls);
		ncalls--;
		if (c.fn)
			c.fn((struct rconn *)&fake_conn, NULL, c.priv);
	}
}


int fake_count(const char *a0)
{
	int n = 0;
	for (int i = 0; i < ncalls; i++)
		n += strcmp(calls[i].argv[0], a0) == 0;
	return n;
}
