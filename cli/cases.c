/*
 * cases: `vroegsignaal cases --partner ID [--state S]` lists a partner's
 * cases (docs/partners.md "Cases") over every partition, oldest first, as
 * tab-separated lines: case, topic, state, opened (UTC), last signal (UTC),
 * tasks, updates, outcome. The pupil key is left out (use `tasks` or `audit`
 * for one pupil).
 */
#include "cli.h"

#include "dconfig.h"
#include "entries.h"
#include "keys.h"
#include "redisopt.h"

#include <getopt.h>
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *field_of(const redisReply *h, const char *name)
{
	for (size_t i = 0; h && h->type == REDIS_REPLY_ARRAY && i + 1 < h->elements; i += 2)
		if (h->element[i]->type == REDIS_REPLY_STRING && strcmp(h->element[i]->str, name) == 0 &&
		    h->element[i + 1]->type == REDIS_REPLY_STRING)
			return h->element[i + 1]->str;
	return NULL;
}

int cmd_cases(int argc, char **argv)
{
	const char *config = "/etc/vroegsignaal/vroegsignaal.json", *redis = NULL, *partner = NULL;
	const char *state = "all";
	static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
					     {"redis", required_argument, NULL, 'r'},
					     {"partner", required_argument, NULL, 'p'},
					     {"state", required_argument, NULL, 's'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:r:p:s:h", opts, NULL)) != -1) {
		if (c == 'c') {
			config = optarg;
		} else if (c == 'r') {
			redis = optarg;
		} else if (c == 'p') {
			partner = optarg;
		} else if (c == 's') {
			state = optarg;
		} else {
			fputs("usage: vroegsignaal cases [--config PATH] [--redis ADDR] --partner ID\n"
			      "       [--state open|in_progress|closed|all]\n"
			      "Lists the partner's cases, oldest first: case, topic, state, opened,\n"
			      "last signal, tasks, updates, outcome (tab-separated, with a header).\n",
			      c == 'h' ? stdout : stderr);
			return c == 'h' ? EXIT_OK : EXIT_USAGE;
		}
	}
	if (!partner || optind < argc) {
		fprintf(stderr, "cases: --partner ID is required\n");
		return EXIT_USAGE;
	}
	if (strcmp(state, "open") != 0 && strcmp(state, "in_progress") != 0 &&
	    strcmp(state, "closed") != 0 && strcmp(state, "all") != 0) {
		fprintf(stderr, "cases: --state: expected open, in_progress, closed or all\n");
		return EXIT_USAGE;
	}
	struct vsd_config cfg;
	int parts = 1;
	redisContext *rc = cli_redis_open("cases", config, redis, &parts, &cfg);
	if (!rc)
		return EXIT_FAILURE_RUN;
	int rcode = EXIT_OK;
	printf("case\ttopic\tstate\topened\tlast_signal\ttasks\tupdates\toutcome\n");
	for (int p = 0; p < parts && rcode == EXIT_OK; p++) {
		char key[KEY_MAX];
		key_build(key, sizeof key, p, KEY_CASESET, partner);
		redisReply *ids = redisCommand(rc, "ZRANGE %s 0 -1", key);
		if (!ids || ids->type != REDIS_REPLY_ARRAY) {
			fprintf(stderr, "cases: redis: %s\n", ids && ids->type == REDIS_REPLY_ERROR ? ids->str : "no answer");
			rcode = EXIT_FAILURE_RUN;
			if (ids)
				freeReplyObject(ids);
			break;
		}
		for (size_t i = 0; i < ids->elements; i++) {
			if (ids->element[i]->type != REDIS_REPLY_STRING)
				continue;
			key_build(key, sizeof key, p, KEY_CASE, ids->element[i]->str);
			redisReply *h = redisCommand(rc, "HGETALL %s", key);
			const char *st = field_of(h, "state");
			if (st && (strcmp(state, "all") == 0 || strcmp(state, st) == 0)) {
				char opened[40], last[40];
				const char *o = field_of(h, "opened_ms"), *l = field_of(h, "last_signal_ms");
				format_instant(o ? atoll(o) : 0, opened, sizeof opened);
				format_instant(l ? atoll(l) : 0, last, sizeof last);
				const char *tp = field_of(h, "topic"), *nt = field_of(h, "tasks"),
					   *nu = field_of(h, "updates"), *oc = field_of(h, "outcome");
				printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", ids->element[i]->str, tp ? tp : "", st,
				       opened, last, nt ? nt : "0", nu ? nu : "0", oc ? oc : "");
			}
			if (h)
				freeReplyObject(h);
		}
		freeReplyObject(ids);
	}
	cli_redis_close(rc, &cfg);
	return rcode;
}
