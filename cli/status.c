/*
 * status: `vroegsignaal status`, what the streams of each partition hold:
 * registrations, those after the committed offset (not yet applied), tasks
 * and dead letters, the lease holder and the last swept day. --wait blocks
 * until the daemon has caught up (the committed offset is the stream's last
 * entry); --tasks aggregates the tasks
 * per rule and level and per role, and the dead letters per reason.
 *
 * A tool for operators and scripts, outside the event loop: blocking hiredis.
 */
#include "args.h"
#include "cli.h"
#include "redisopt.h"

#include "dconfig.h"
#include "keys.h"
#include "util.h"

#include <getopt.h>
#include <stdarg.h>
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct part_status {
	long long events, pending, tasks, dead;
	char last_generated[48], last_delivered[48], offset[48];
	char lease[128], swept[16];
	bool group, has_offset;
	bool caught_up;
};

static redisReply *cmd(redisContext *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static redisReply *cmd(redisContext *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	redisReply *r = redisvCommand(c, fmt, ap);
	va_end(ap);
	return r;
}

/* Value of key in a flat [k, v, k, v...] reply, or NULL. */
static redisReply *field(redisReply *r, const char *key)
{
	if (!r || r->type != REDIS_REPLY_ARRAY)
		return NULL;
	for (size_t i = 0; i + 1 < r->elements; i += 2)
		if (r->element[i]->type == REDIS_REPLY_STRING && strcmp(r->element[i]->str, key) == 0)
			return r->element[i + 1];
	return NULL;
}

static long long int_of(redisReply *r)
{
	return r && r->type == REDIS_REPLY_INTEGER ? r->integer : 0;
}

static void copy_str(redisReply *r, char *out, size_t cap)
{
	str_copy(out, r && r->type == REDIS_REPLY_STRING ? r->str : "-", cap);
}

/* A reply that is no reply: NULL or an error (LOADING while Redis reads its
 * AOF, NOPERM, ...). Reported in errbuf. */
static char errbuf[200];

static bool failed(redisContext *c, redisReply *r)
{
	if (!r) {
		snprintf(errbuf, sizeof errbuf, "%s", c->errstr);
		return true;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		snprintf(errbuf, sizeof errbuf, "%s", r->str);
		freeReplyObject(r);
		return true;
	}
	return false;
}

/* The entries after the offset (at most this many are counted). */
#define WAITING_MAX 10000

static int read_status(redisContext *c, int p, struct part_status *s, bool count)
{
	memset(s, 0, sizeof *s);
	redisReply *r;
	char k_events[KEY_MAX], k_tasks[KEY_MAX], k_dead[KEY_MAX], k_lease[KEY_MAX], k_swept[KEY_MAX],
		k_offset[KEY_MAX];
	key_build(k_offset, sizeof k_offset, p, KEY_OFFSET, NULL);
	key_build(k_events, sizeof k_events, p, KEY_EVENTS, NULL);
	key_build(k_tasks, sizeof k_tasks, p, KEY_TASKS, NULL);
	key_build(k_dead, sizeof k_dead, p, KEY_DEAD, NULL);
	key_build(k_lease, sizeof k_lease, p, KEY_LEASE, NULL);
	key_build(k_swept, sizeof k_swept, p, KEY_SWEPT, NULL);
	if (failed(c, r = cmd(c, "XLEN %s", k_events)))
		return -1;
	s->events = int_of(r);
	freeReplyObject(r);
	if (failed(c, r = cmd(c, "XLEN %s", k_tasks)))
		return -1;
	s->tasks = int_of(r);
	freeReplyObject(r);
	if (failed(c, r = cmd(c, "XLEN %s", k_dead)))
		return -1;
	s->dead = int_of(r);
	freeReplyObject(r);
	if (failed(c, r = cmd(c, "GET %s", k_lease)))
		return -1;
	copy_str(r, s->lease, sizeof s->lease);
	freeReplyObject(r);
	if (failed(c, r = cmd(c, "GET %s", k_swept)))
		return -1;
	copy_str(r, s->swept, sizeof s->swept);
	freeReplyObject(r);
	str_copy(s->last_generated, "0-0", sizeof s->last_generated);
	r = cmd(c, "XINFO STREAM %s", k_events);
	if (!r || (r->type == REDIS_REPLY_ERROR && strncmp(r->str, "ERR no such key", 15) != 0)) {
		failed(c, r);
		return -1;
	}
	if (r->type == REDIS_REPLY_ARRAY)
		copy_str(field(r, "last-generated-id"), s->last_generated, sizeof s->last_generated);
	freeReplyObject(r);
	if (failed(c, r = cmd(c, "HGET %s id", k_offset)))
		return -1;
	s->has_offset = r->type == REDIS_REPLY_STRING;
	copy_str(r, s->offset, sizeof s->offset);
	freeReplyObject(r);
	if (s->has_offset) {
		s->caught_up = s->events == 0 || strcmp(s->offset, s->last_generated) == 0;
		if (count && !s->caught_up) {
			if (failed(c, r = cmd(c, "XRANGE %s (%s + COUNT %d", k_events, s->offset,
					      WAITING_MAX)))
				return -1;
			s->pending = r->type == REDIS_REPLY_ARRAY ? (long long)r->elements : 0;
			freeReplyObject(r);
		}
		return 0;
	}
	/* not yet started by a daemon that reads from an offset: the consumer
	 * group "rules" of earlier versions */
	r = cmd(c, "XINFO GROUPS %s", k_events);
	if (!r || (r->type == REDIS_REPLY_ERROR && strncmp(r->str, "ERR no such key", 15) != 0)) {
		failed(c, r);
		return -1;
	}
	for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
		redisReply *g = r->element[i];
		redisReply *name = field(g, "name");
		if (!name || name->type != REDIS_REPLY_STRING || strcmp(name->str, "rules") != 0)
			continue;
		s->group = true;
		s->pending = int_of(field(g, "pending"));
		copy_str(field(g, "last-delivered-id"), s->last_delivered, sizeof s->last_delivered);
	}
	freeReplyObject(r);
	s->caught_up = s->events == 0 || (s->group && s->pending == 0 &&
					  strcmp(s->last_delivered, s->last_generated) == 0);
	return 0;
}

struct count {
	char key[80];
	long long n;
};

static void bump(struct count **v, int *n, const char *key)
{
	for (int i = 0; i < *n; i++)
		if (strcmp((*v)[i].key, key) == 0) {
			(*v)[i].n++;
			return;
		}
	*v = xrealloc(*v, (size_t)(*n + 1) * sizeof **v);
	str_copy((*v)[*n].key, key, sizeof (*v)[*n].key);
	(*v)[*n].n = 1;
	(*n)++;
}

static int count_cmp(const void *a, const void *b)
{
	return strcmp(((const struct count *)a)->key, ((const struct count *)b)->key);
}

static void print_counts(const char *title, struct count *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, count_cmp);
	printf("\n%-40s %8s\n", title, "count");
	long long total = 0;
	for (int i = 0; i < n; i++) {
		printf("%-40s %8lld\n", v[i].key, v[i].n);
		total += v[i].n;
	}
	printf("%-40s %8lld\n", "total", total);
}

/* Walks a stream with XRANGE in pages and counts fields' values. */
static int aggregate(redisContext *c, int partitions)
{
	struct count *by_rule = NULL, *by_role = NULL, *by_reason = NULL;
	int nrule = 0, nrole = 0, nreason = 0;
	for (int p = 0; p < partitions; p++) {
		for (int stream = 0; stream < 2; stream++) {
			char start[64] = "-";
			for (;;) {
				char stream_key[KEY_MAX];
				key_build(stream_key, sizeof stream_key, p, stream ? KEY_DEAD : KEY_TASKS, NULL);
				redisReply *r = cmd(c, "XRANGE %s %s + COUNT 1000", stream_key, start);
				if (!r || r->type != REDIS_REPLY_ARRAY) {
					if (r)
						freeReplyObject(r);
					return -1;
				}
				for (size_t i = 0; i < r->elements; i++) {
					redisReply *e = r->element[i];
					redisReply *f = e->element[1];
					if (stream) {
						redisReply *reason = field(f, "reason");
						bump(&by_reason, &nreason,
						     reason ? reason->str : "(none)");
						continue;
					}
					redisReply *rule = field(f, "rule");
					redisReply *lvl = field(f, "level");
					if (!lvl)
						lvl = field(f, "trigger");
					char key[80];
					snprintf(key, sizeof key, "%s %s", rule ? rule->str : "?",
						 lvl ? lvl->str : "-");
					bump(&by_rule, &nrule, key);
					redisReply *roles = field(f, "roles");
					char buf[128];
					str_copy(buf, roles ? roles->str : "", sizeof buf);
					for (char *t = strtok(buf, ","); t; t = strtok(NULL, ","))
						bump(&by_role, &nrole, t);
				}
				size_t n = r->elements;
				if (n)
					snprintf(start, sizeof start, "(%s",
						 r->element[n - 1]->element[0]->str);
				freeReplyObject(r);
				if (n < 1000)
					break;
			}
		}
	}
	print_counts("tasks by rule and level", by_rule, nrule);
	print_counts("tasks by role", by_role, nrole);
	print_counts("dead letters by reason", by_reason, nreason);
	free(by_rule);
	free(by_role);
	free(by_reason);
	return 0;
}

static void usage(FILE *f)
{
	fputs("usage: vroegsignaal status [--config FILE] [--redis ADDR] [--partitions P]\n"
	      "                           [--wait SECONDS [--interval MS]] [--tasks] [--quiet]\n"
	      "\n"
	      "  --wait SECONDS   wait until every partition has caught up (exit 3 on timeout)\n"
	      "  --interval MS    with --wait: look every MS milliseconds (default 200, 10 to\n"
	      "                   10000; bench/daemon.sh looks every 10 to time a run)\n"
	      "  --tasks          count tasks per rule/level and role, dead letters per reason\n"
	      "  --quiet          print nothing but errors (with --wait)\n"
	      "\n"
	      "Exit status: 0 shown (and caught up), 1 an error, 2 an invalid option or\n"
	      "value, 3 not caught up within --wait.\n",
	      f);
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'}, {"redis", required_argument, NULL, 'r'},
		{"partitions", required_argument, NULL, 'p'}, {"wait", required_argument, NULL, 'w'},
		{"interval", required_argument, NULL, 'i'}, {"tasks", no_argument, NULL, 't'}, {"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	const char *config_path = NULL, *redis_addr = NULL;
	int partitions = 0, wait_s = -1, interval_ms = 200;
	bool tasks = false, quiet = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:r:p:w:i:tqh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config_path = optarg; break;
		case 'r': redis_addr = optarg; break;
		case 'p':
			if (cli_int_arg(stderr, "status", "--partitions", optarg, 1, 1024, &partitions) != 0)
				return EXIT_USAGE;
			break;
		case 'w':
			if (cli_int_arg(stderr, "status", "--wait", optarg, 0, 86400, &wait_s) != 0)
				return EXIT_USAGE;
			break;
		case 'i':
			if (cli_int_arg(stderr, "status", "--interval", optarg, 10, 10000, &interval_ms) != 0)
				return EXIT_USAGE;
			break;
		case 't': tasks = true; break;
		case 'q': quiet = true; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return cli_usage_error(stderr, "status", "unexpected argument '%s'", argv[optind]);
	struct vsd_config cfg;
	if (cli_redis_setup("status", config_path, redis_addr, &partitions, &cfg) != 0)
		return EXIT_FAILURE_RUN;
	redisContext *rc = cli_redis_connect(&cfg.redis);
	if (!rc && wait_s < 0) {
		vsd_config_free(&cfg);
		return EXIT_FAILURE_RUN;
	}
	struct part_status *st = xcalloc((size_t)partitions, sizeof *st);
	time_t start = time(NULL);
	int result = EXIT_OK;
	for (;;) {
		bool all = true, ok = rc != NULL;
		for (int p = 0; ok && p < partitions; p++) {
			ok = read_status(rc, p, &st[p], !quiet) == 0;
			all = all && st[p].caught_up;
		}
		if (!ok && wait_s < 0) {
			fprintf(stderr, "status: redis: %s\n", errbuf);
			result = EXIT_FAILURE_RUN;
			goto out;
		}
		if (ok && (wait_s < 0 || all))
			break;
		if (time(NULL) - start >= wait_s) {
			if (ok)
				fprintf(stderr, "status: not caught up after %d s\n", wait_s);
			else
				fprintf(stderr, "status: redis: %s\n", errbuf);
			result = ok ? 3 : EXIT_FAILURE_RUN;
			if (!ok)
				goto out;
			break;
		}
		usleep((useconds_t)interval_ms * 1000);
		if (!ok || rc->err) { /* Redis restarting or loading: connect again */
			if (rc)
				redisFree(rc);
			rc = cli_redis_connect(&cfg.redis);
		}
	}
	if (!quiet) {
		printf("%-9s %9s %8s %8s %6s %-10s %-8s %s\n", "partition", "events", "waiting",
		       "tasks", "dead", "swept", "caught", "lease");
		for (int p = 0; p < partitions; p++)
			printf("%-9d %9lld %8lld %8lld %6lld %-10s %-8s %s\n", p, st[p].events,
			       st[p].pending, st[p].tasks, st[p].dead, st[p].swept,
			       st[p].caught_up ? "yes" : "no", st[p].lease);
	}
	if (tasks && rc && aggregate(rc, partitions) != 0) {
		fprintf(stderr, "status: redis: %s\n", rc->errstr);
		result = EXIT_FAILURE_RUN;
	}
out:
	free(st);
	if (rc)
		redisFree(rc);
	vsd_config_free(&cfg);
	return result;
}
