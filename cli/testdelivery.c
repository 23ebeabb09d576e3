/*
 * testdelivery: `vroegsignaal test-delivery --partner ID` sends one signed
 * test payload ("event" and "kind" "test", no pupil data) through the
 * partner's connector (primary, or --fallback) and reports the answer, for
 * going live with a partner (issue 10 item 7). It uses the same connector
 * code as the daemon, so a webhook gets the same signature headers and an
 * Idempotency-Key ("test-<ms>").
 */
#include "cli.h"

#include "connector.h"
#include "dconfig.h"
#include "redisopt.h"
#include "util.h"

#include <event2/event.h>
#include <getopt.h>
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct td {
	struct event_base *base;
	redisContext *rc;
	bool finished;
};

/* The redis connector's port: one blocking command, answered at once. */
static int td_redis_command(void *ctx, int argc, const char **argv, const size_t *lens,
			    redis_port_done_fn done, void *arg)
{
	struct td *td = ctx;
	if (!td->rc)
		return -1;
	redisReply *r = redisCommandArgv(td->rc, argc, argv, lens);
	const char *err = !r ? "no answer" : r->type == REDIS_REPLY_ERROR ? r->str : NULL;
	char copy[160];
	if (err)
		snprintf(copy, sizeof copy, "%s", err);
	if (r)
		freeReplyObject(r);
	done(arg, err ? copy : NULL);
	return 0;
}

static void td_done(struct delivery *dl)
{
	struct td *td = dl->arg;
	td->finished = true;
	if (td->base)
		event_base_loopbreak(td->base);
}

int cmd_test_delivery(int argc, char **argv)
{
	const char *path = "/etc/vroegsignaal/vroegsignaal.json", *partner = NULL;
	bool fallback = false;
	static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
					     {"partner", required_argument, NULL, 'p'},
					     {"fallback", no_argument, NULL, 'f'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:p:fh", opts, NULL)) != -1) {
		if (c == 'c') {
			path = optarg;
		} else if (c == 'p') {
			partner = optarg;
		} else if (c == 'f') {
			fallback = true;
		} else {
			fputs("usage: vroegsignaal test-delivery [--config PATH] --partner ID [--fallback]\n"
			      "Sends one signed test payload (no pupil data) through the partner's\n"
			      "connector and reports the answer. Exit status: 0 delivered, 2 refused\n"
			      "or not delivered, 1 usage or configuration error.\n",
			      c == 'h' ? stdout : stderr);
			return c == 'h' ? EXIT_OK : EXIT_FAILURE_RUN;
		}
	}
	if (!partner || optind < argc) {
		fprintf(stderr, "test-delivery: --partner ID is required\n");
		return EXIT_FAILURE_RUN;
	}
	struct vsd_config cfg;
	char *errors = NULL;
	if (vsd_config_load(path, &cfg, &errors) != 0) {
		fprintf(stderr, "%s: invalid:\n%s", path, errors);
		free(errors);
		return EXIT_FAILURE_RUN;
	}
	const struct partner *p = partners_find(cfg.partners, partner);
	if (!p || (fallback && !p->has_fallback)) {
		fprintf(stderr, "test-delivery: %s\n",
			p ? "this partner has no fallback connector" : "no partner with that id");
		vsd_config_free(&cfg);
		return EXIT_FAILURE_RUN;
	}
	struct td td = {0};
	td.base = event_base_new();
	struct delivery *dl = xcalloc(1, sizeof *dl);
	dl->pc = partners_ref(cfg.partners);
	dl->partner = p;
	dl->via_fallback = fallback;
	dl->cc = fallback ? &p->fallback : &p->primary;
	if (strcmp(connector_name(dl->cc), "redis") == 0)
		td.rc = cli_redis_connect(&cfg.redis);
	struct connector_env env = {curlev_new(td.base), {&td, 5000, td_redis_command}};
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	long long now = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	snprintf(dl->idempotency_key, sizeof dl->idempotency_key, "test-%lld", now);
	str_copy(dl->task_id, dl->idempotency_key, sizeof dl->task_id);
	snprintf(dl->member, sizeof dl->member, "%s|test", dl->task_id);
	str_copy(dl->event, "test", sizeof dl->event);
	dl->started_ms = dl->task_created_ms = now;
	char text[1024];
	partner_text(cfg.partners, "test", NULL, role_name(p->role), TEXT_TEST, NULL, "", text,
		     sizeof text);
	json_t *payload = json_pack("{si ss ss ss ss ss ss ss}", "v", 1, "event", "test", "id",
				    dl->task_id, "kind", "test", "partner", p->id, "role",
				    role_name(p->role), "legal_basis", p->legal_basis, "action", text);
	dl->body = json_dumps(payload, JSON_COMPACT);
	dl->body_len = strlen(dl->body);
	if (dl->cc->ops->compose)
		dl->cc->ops->compose(dl, cfg.partners, p, payload, "");
	json_decref(payload);
	dl->done = td_done;
	dl->arg = &td;
	if (dl->cc->ops->send(&env, dl) == CONNECTOR_DONE)
		td.finished = true;
	while (!td.finished && event_base_dispatch(td.base) == 0 && !td.finished)
		;
	bool ok = td.finished && dl->outcome == DL_DELIVERED;
	printf("test delivery %s to %s via %s (%s): %s%s\n", dl->task_id, p->id, connector_name(dl->cc),
	       fallback ? "fallback" : "primary",
	       !td.finished ? "no answer" : ok ? "delivered" : dl->outcome == DL_RETRY ? "failed, would be retried"
										: "refused",
	       *dl->detail ? "" : "");
	if (*dl->detail)
		printf("answer: %s\n", dl->detail);
	delivery_free(dl);
	curlev_free(env.curl);
	if (td.rc)
		redisFree(td.rc);
	event_base_free(td.base);
	vsd_config_free(&cfg);
	return ok ? EXIT_OK : EXIT_INVALID;
}
