/*
 * erase: the right to erasure (AVG art. 17).
 *
 *   vroegsignaal erase [--config FILE] [--redis ADDR] --student KEY
 *
 * Runs the ERASE script (store/lua/erase.lua) on the pupil's partition: it
 * removes everything store/keys.c's erase_plan lists and fences the
 * partition's lease for one lease time, so the owning daemon drops its
 * cached pupil states and cannot write the old state back
 * (docs/privacy.md). Then it names the partners whose copies the region
 * must erase itself: what a connector delivered is outside Redis's keys.
 */
#include "args.h"
#include "cli.h"
#include "redisopt.h"

#include "calls.h"
#include "connector.h"
#include "scripts.h"
#include "util.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *where(const char *type)
{
	if (strcmp(type, "redis") == 0)
		return "delete the pupil's messages from the partner's Redis queue (its stream)";
	if (strcmp(type, "smtp") == 0)
		return "delete the e-mails about the pupil from the partner's mailbox";
	if (strcmp(type, "file") == 0)
		return "delete the pupil's lines from the connector's file";
	return "ask the partner to erase its copies (its own system)";
}

/* Where a connector section of partner id in the configuration file puts
 * its copies (the stream, the addresses, the path), or "" when the file
 * does not say. The settings themselves are each connector's own. */
static void target(json_t *root, const char *id, const char *section, char *out, size_t n)
{
	out[0] = '\0';
	json_t *list = json_object_get(root, "partners"), *pt;
	size_t i;
	json_array_foreach(list, i, pt)
	{
		if (!json_is_string(json_object_get(pt, "id")) ||
		    strcmp(json_string_value(json_object_get(pt, "id")), id) != 0)
			continue;
		json_t *c = json_object_get(pt, section);
		static const char *const keys[] = {"stream", "path", "to", NULL};
		for (int k = 0; keys[k]; k++) {
			json_t *v = json_object_get(c, keys[k]);
			if (json_is_string(v)) {
				snprintf(out, n, " %s", json_string_value(v));
			} else if (json_is_array(v)) {
				size_t j, len = 0;
				json_t *a;
				json_array_foreach(v, j, a)
				{
					if (json_is_string(a) && len < n)
						len += (size_t)snprintf(out + len, n - len, " %s", json_string_value(a));
				}
			}
		}
	}
}

static void report_partner(const struct vsd_config *cfg, json_t *root, const char *id)
{
	const struct partner *pt = NULL;
	for (int i = 0; cfg->partners && i < cfg->partners->npartners; i++)
		if (strcmp(cfg->partners->partners[i].id, id) == 0)
			pt = &cfg->partners->partners[i];
	if (!pt) {
		printf("  %s: no longer configured: find out how it received tasks\n", id);
		return;
	}
	const struct connector_cfg *cc[2] = {&pt->primary, pt->has_fallback ? &pt->fallback : NULL};
	for (int k = 0; k < 2; k++) {
		if (!cc[k] || !cc[k]->ops)
			continue;
		char to[256];
		target(root, id, k ? "fallback" : "connector", to, sizeof to);
		printf("  %s (%s connector%s%s): %s\n", id, cc[k]->ops->name, k ? ", fallback" : "",
		       to[0] ? to : "", where(cc[k]->ops->name));
	}
}

static redisReply *run(redisContext *rc, struct cmdargs *args)
{
	redisReply *r = redisCommandArgv(rc, args->n, (const char **)args->argv, args->lens);
	cmdargs_clear(args);
	return r;
}

/* One erasure: the fence, the search (SCAN per pattern of the plan), ERASE
 * with every key found. Returns ERASE's reply, or the first failed one.
 * With the fence "": no fence, and ERASE only checks (reply "CHECKED"). */
static redisReply *erase_attempt(redisContext *rc, struct erase_call *e)
{
	struct cmdargs args;
	cmdargs_init(&args);
	redisReply *r = NULL;
	if (*e->fence) {
		erase_fence(&args, e);
		r = run(rc, &args);
		if (!r || r->type == REDIS_REPLY_ERROR) {
			cmdargs_free(&args);
			return r;
		}
		freeReplyObject(r);
		r = NULL;
	}
	char **found = NULL;
	enum erase_how *how = NULL;
	size_t n = 0;
	bool failed = false;
	for (size_t i = 0; i < erase_plan_len && !failed; i++) {
		if (!erase_plan[i].sub)
			continue;
		char cursor[32] = "0";
		do {
			erase_scan(&args, e, &erase_plan[i], cursor);
			redisReply *s = run(rc, &args);
			if (!s || s->type != REDIS_REPLY_ARRAY || s->elements != 2 ||
			    s->element[0]->type != REDIS_REPLY_STRING || s->element[1]->type != REDIS_REPLY_ARRAY) {
				/* no erasure with part of the keys: the error (or none) is the answer */
				failed = true;
				r = s && s->type == REDIS_REPLY_ERROR ? s : NULL;
				if (s && !r)
					freeReplyObject(s);
				break;
			}
			snprintf(cursor, sizeof cursor, "%s", s->element[0]->str);
			const redisReply *keys = s->element[1];
			found = xrealloc(found, (n + keys->elements) * sizeof *found);
			how = xrealloc(how, (n + keys->elements) * sizeof *how);
			for (size_t k = 0; k < keys->elements; k++)
				if (keys->element[k]->type == REDIS_REPLY_STRING) {
					found[n] = xstrdup(keys->element[k]->str);
					how[n++] = erase_plan[i].how;
				}
			freeReplyObject(s);
		} while (strcmp(cursor, "0") != 0);
	}
	if (!failed) {
		e->found = (const char *const *)found;
		e->found_how = how;
		e->nfound = n;
		call_erase(&args, (struct script_ref){script_source(SCRIPT_ERASE), false}, e);
		r = run(rc, &args);
		e->found = NULL;
		e->found_how = NULL;
		e->nfound = 0;
	}
	for (size_t k = 0; k < n; k++)
		free(found[k]);
	free(found);
	free(how);
	cmdargs_free(&args);
	return r;
}

/* The erasure: first a check that writes nothing (a key of the wrong type
 * is refused as it is); then fence, find the keys of the plan's patterns
 * and erase, again if the fence expired during the search. */
static redisReply *erase_run(redisContext *rc, struct erase_call *e)
{
	const char *fence = e->fence;
	e->fence = "";
	redisReply *r = erase_attempt(rc, e);
	e->fence = fence;
	if (!r || r->type != REDIS_REPLY_STATUS)
		return r; /* refused by the check (or no answer) */
	for (int attempt = 0; attempt < 3; attempt++) {
		freeReplyObject(r);
		r = erase_attempt(rc, e);
		if (!r || r->type != REDIS_REPLY_ERROR || strncmp(r->str, "FENCE", 5) != 0)
			break;
	}
	return r;
}

int cmd_erase(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'}, {"redis", required_argument, NULL, 'r'},
		{"student", required_argument, NULL, 's'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	const char *config = NULL, *redis = NULL, *student = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "c:r:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'r': redis = optarg; break;
		case 's': student = optarg; break;
		default:
			fputs("usage: vroegsignaal erase [--config FILE] [--redis ADDR] --student KEY\n\n"
			      "Erases a pupil (AVG art. 17): its state, tasks, task records, deliveries,\n"
			      "dead letters, quarantined tasks, audit entries and registrations, through\n"
			      "the partition's lease, and leaves an audit entry without the key. Names the\n"
			      "partners whose copies the region must erase itself.\n",
			      c == 'h' ? stdout : stderr);
			return c == 'h' ? EXIT_OK : EXIT_USAGE;
		}
	}
	if (optind < argc)
		return cli_usage_error(stderr, "erase", "unexpected argument '%s'", argv[optind]);
	if (!student || !*student)
		return cli_usage_error(stderr, "erase", "--student KEY is required");
	int partitions = 0;
	struct vsd_config cfg;
	redisContext *rc = cli_redis_open("erase", config, redis, &partitions, &cfg);
	if (!rc)
		return EXIT_FAILURE_RUN;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	char fence[64];
	/* "(erase)" is no consumer name a daemon's token can start with */
	snprintf(fence, sizeof fence, "(erase)/%ld.%ld", (long)getpid(), (long)ts.tv_nsec);
	struct erase_call e = {
		.part = (int)(fnv1a32(student) % (uint32_t)partitions),
		.student = student,
		.fence = fence,
		.fence_ms = cfg.daemon.lease_ms,
		.now_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000,
	};
	redisReply *r = erase_run(rc, &e);
	struct erase_reply er;
	int rcode = EXIT_OK;
	if (!r || r->type == REDIS_REPLY_ERROR || erase_reply_read(r, &er) != 0) {
		fprintf(stderr, "erase: %s\n",
			!r ? rc->errstr : r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
		rcode = EXIT_FAILURE_RUN;
	} else {
		printf("erased from partition %d: state %lld, task records %lld, stream entries %lld, "
		       "outbox/open/due members %lld, task ids %lld, other keys %lld\n",
		       e.part, er.fields, er.records, er.entries, er.members, er.ids, er.named);
		printf("the partition's owner resumes within %d ms, without the pupil\n",
		       cfg.daemon.lease_ms);
		if (er.partners->elements == 0) {
			printf("no partner received a task of this pupil\n");
		} else {
			printf("partners that had tasks of this pupil; the region must erase these "
			       "copies itself:\n");
			json_t *root = config ? json_load_file(config, 0, NULL) : NULL;
			for (size_t i = 0; i < er.partners->elements; i++)
				report_partner(&cfg, root, er.partners->element[i]->str);
			json_decref(root);
		}
		printf("back-ups of Redis still hold the pupil until they expire "
		       "(docs/privacy.md)\n");
	}
	freeReplyObject(r);
	cli_redis_close(rc, &cfg);
	return rcode;
}
