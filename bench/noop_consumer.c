/*
 * noop_consumer: the floor the daemon is measured against (bench/daemon.sh).
 * Reads a stream with XREADGROUP in batches, as the daemon does, and
 * acknowledges each batch with one XACK; nothing else: no parsing, no
 * rules, no state, no Lua. Blocking hiredis, one command in flight.
 *
 *   noop_consumer SOCKET [STREAM] [COUNT]
 *
 * STREAM defaults to vs:{0}:events, COUNT to 500; group "rules", consumer
 * "noop" (the group is created at 0 if it does not exist). Exits when a read
 * returns nothing (the stream is drained); prints
 *   entries N wall_s W
 * on stdout.
 */
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: noop_consumer SOCKET [STREAM] [COUNT]\n");
		return 1;
	}
	const char *stream = argc > 2 ? argv[2] : "vs:{0}:events";
	const char *count = argc > 3 ? argv[3] : "500";
	redisContext *c = redisConnectUnix(argv[1]);
	if (!c || c->err) {
		fprintf(stderr, "noop_consumer: cannot connect to %s: %s\n", argv[1],
			c ? c->errstr : "no memory");
		return 1;
	}
	redisReply *r = redisCommand(c, "XGROUP CREATE %s rules 0 MKSTREAM", stream);
	if (!r || (r->type == REDIS_REPLY_ERROR && strncmp(r->str, "BUSYGROUP", 9) != 0)) {
		fprintf(stderr, "noop_consumer: XGROUP CREATE: %s\n", r ? r->str : c->errstr);
		return 1;
	}
	freeReplyObject(r);
	size_t cap = 0;
	const char **av = NULL;
	size_t *al = NULL;
	unsigned long long total = 0;
	double t0 = now_s();
	for (;;) {
		r = redisCommand(c, "XREADGROUP GROUP rules noop COUNT %s STREAMS %s >", count,
				 stream);
		if (!r || r->type == REDIS_REPLY_ERROR) {
			fprintf(stderr, "noop_consumer: XREADGROUP: %s\n", r ? r->str : c->errstr);
			return 1;
		}
		if (r->type != REDIS_REPLY_ARRAY || r->elements == 0 ||
		    r->element[0]->element[1]->elements == 0) {
			freeReplyObject(r);
			break;
		}
		redisReply *entries = r->element[0]->element[1];
		size_t n = entries->elements;
		if (n + 3 > cap) {
			cap = n + 3;
			av = realloc(av, cap * sizeof *av);
			al = realloc(al, cap * sizeof *al);
			if (!av || !al)
				return 1;
		}
		av[0] = "XACK";
		al[0] = 4;
		av[1] = stream;
		al[1] = strlen(stream);
		av[2] = "rules";
		al[2] = 5;
		for (size_t i = 0; i < n; i++) {
			av[3 + i] = entries->element[i]->element[0]->str;
			al[3 + i] = entries->element[i]->element[0]->len;
		}
		redisReply *a = redisCommandArgv(c, (int)(n + 3), av, al);
		if (!a || a->type != REDIS_REPLY_INTEGER || (size_t)a->integer != n) {
			fprintf(stderr, "noop_consumer: XACK: %s\n",
				a ? (a->type == REDIS_REPLY_ERROR ? a->str : "short count") : c->errstr);
			return 1;
		}
		freeReplyObject(a);
		freeReplyObject(r);
		total += n;
	}
	printf("entries %llu wall_s %.3f\n", total, now_s() - t0);
	free(av);
	free(al);
	redisFree(c);
	return 0;
}
