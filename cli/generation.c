/*
 * generation: `vroegsignaal generation show|confirm`, the operator's side of
 * the Redis generation marker (daemon/generation.h). show prints the marker;
 * confirm replaces it with a new id and a newer confirmation time (and no
 * refused field: a refusal sticks until then), after
 * which every daemon that refused (the marker gone, another one, or older
 * than it remembered) takes it as its own and consumes again.
 */
#include "args.h"
#include "cli.h"
#include "redisopt.h"

#include "generation.h"

#include <getopt.h>
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

static void usage(FILE *f)
{
	fputs("usage: vroegsignaal generation [--config FILE] [--redis ADDR] show|confirm\n"
	      "\n"
	      "The generation marker vs:generation lets the daemons notice a Redis that was\n"
	      "emptied, replaced, or rolled back (an old backup, a stale replica promoted):\n"
	      "they then refuse to consume and dispatch, and say why in the log, on /readyz\n"
	      "and on the status page.\n"
	      "\n"
	      "  show      print the marker (id, counter, confirmed_ms, and a refusal)\n"
	      "  confirm   after checking what Redis lost (see docs/operations.md,\n"
	      "            \"Durability\"), write a new marker; the daemons take it within\n"
	      "            a second or two and go on with what Redis holds\n",
	      f);
}

static int64_t wall_ms(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static int read_mark(redisContext *c, struct gen_mark *m)
{
	redisReply *r = redisCommand(c, "HGETALL %s", GENERATION_KEY);
	if (!r) {
		fprintf(stderr, "vroegsignaal generation: redis: %s\n", c->errstr);
		return -1;
	}
	int rc = generation_mark_read(r, m);
	if (rc != 0)
		fprintf(stderr, "vroegsignaal generation: %s: %s\n", GENERATION_KEY,
			r->type == REDIS_REPLY_ERROR ? r->str : "malformed");
	freeReplyObject(r);
	return rc;
}

int cmd_generation(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'}, {"redis", required_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},	  {NULL, 0, NULL, 0},
	};
	const char *config = NULL, *redis = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:r:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'r': redis = optarg; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	static const char *const actions[] = {"show", "confirm", NULL};
	if (argc - optind != 1)
		return cli_usage_error(stderr, "generation", "expected show or confirm");
	if (cli_choice_arg(stderr, "generation", "the action", argv[optind], actions) != 0)
		return EXIT_USAGE;
	bool confirm = strcmp(argv[optind], "confirm") == 0;
	int partitions = 0;
	struct vsd_config cfg;
	redisContext *rc = cli_redis_open("generation", config, redis, &partitions, &cfg);
	if (!rc)
		return EXIT_FAILURE_RUN;
	int status = EXIT_OK;
	struct gen_mark m;
	if (read_mark(rc, &m) != 0 && !confirm) {
		status = EXIT_FAILURE_RUN;
		goto out;
	}
	if (!confirm) {
		if (!m.present)
			printf("no marker %s (the daemons write one on a first start)\n", GENERATION_KEY);
		else
			printf("id %s\ncounter %lld\nconfirmed_ms %lld\n", m.id[0] ? m.id : "(none)",
			       m.counter, m.confirmed_ms);
		if (m.present && m.refused != GEN_OK)
			printf("refused since %lld ms%s: the daemons refuse until `generation "
			       "confirm`\n",
			       m.refused_ms,
			       generation_refusal_applies(&m) ? "" : " (an older marker's, ignored)");
		goto out;
	}
	char id[GENERATION_ID_LEN + 1], counter[24], at[24];
	generation_new_id(id);
	int64_t now = wall_ms();
	if (m.present && now <= m.confirmed_ms)
		now = m.confirmed_ms + 1; /* newer than any confirmation before */
	snprintf(counter, sizeof counter, "%d", 1);
	snprintf(at, sizeof at, "%lld", (long long)now);
	redisReply *r = redisCommand(rc, "MULTI");
	freeReplyObject(r);
	redisAppendCommand(rc, "DEL %s", GENERATION_KEY);
	redisAppendCommand(rc, "HSET %s id %s counter %s confirmed_ms %s", GENERATION_KEY, id,
			   counter, at);
	redisAppendCommand(rc, "EXEC");
	for (int i = 0; i < 3; i++) {
		r = NULL;
		if (redisGetReply(rc, (void **)&r) != REDIS_OK) {
			fprintf(stderr, "vroegsignaal generation: redis: %s\n", rc->errstr);
			status = EXIT_FAILURE_RUN;
			goto out;
		}
		if (i == 2 && (r->type != REDIS_REPLY_ARRAY || r->elements != 2)) {
			fprintf(stderr, "vroegsignaal generation: confirm refused: %s\n",
				r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
			status = EXIT_FAILURE_RUN;
		}
		freeReplyObject(r);
	}
	if (status == EXIT_OK)
		printf("generation confirmed: new marker %s (confirmed_ms %s); the daemons go on "
		       "with what Redis holds within a second or two\n",
		       id, at);
out:
	cli_redis_close(rc, &cfg);
	return status;
}
