/*
 * tasks: the operator's commands about partners and their tasks.
 *
 *   vroegsignaal check-config  validate the file; list every route role no
 *                              partner serves for a known school
 *   vroegsignaal tasks         list (filtered) or --show one task
 *   vroegsignaal audit         who received what about a pupil key (an AVG
 *                              access request), from vs:{p}:audit
 *   vroegsignaal ack           acknowledge a task for a partner without an
 *                              integration (the same script as the API)
 *   vroegsignaal redeliver     send failed deliveries again once the partner
 *                              fixed its end
 *
 * Blocking hiredis: these are short-lived tools, not the daemon.
 */
#include "args.h"
#include "cli.h"
#include "confcheck.h"
#include "payload.h"
#include "redisopt.h"
#include "calls.h"
#include "keys.h"
#include "taskshow.h"

#include "rules.h"
#include "scripts.h"
#include "entries.h"
#include "rdecode.h"
#include "util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void redis_error(const char *cmd, redisContext *c, redisReply *r)
{
	fprintf(stderr, "%s: redis: %s\n", cmd, r && r->type == REDIS_REPLY_ERROR ? r->str : c->errstr);
}

/* ---- check-config ----------------------------------------------------- */

int cmd_check_config(int argc, char **argv)
{
	static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
					     {"as-user", required_argument, NULL, 'u'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *path = "/etc/vroegsignaal/vroegsignaal.json";
	const char *as_user = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "c:u:h", opts, NULL)) != -1) {
		if (c == 'c') {
			path = optarg;
		} else if (c == 'u') {
			as_user = optarg;
		} else {
			fputs("usage: vroegsignaal check-config [--config FILE] [--as-user NAME]\n\n"
			      "Validates the whole configuration (the daemon's checks) and names every\n"
			      "problem that breaks a region: no partners; a route role that no partner\n"
			      "serves for a school (the schools named in the \"schools\" section, the\n"
			      "calendars' \"schools\" and the partners' literal codes; with none named,\n"
			      "a role without any partner); a health rule (mazl, long_sick) routed to\n"
			      "leerplicht or rmc; with --as-user, a file the daemon reads (this file,\n"
			      "its calendars, every \"..._file\") that user cannot read (needs root).\n"
			      "Exit status: 0 valid and complete, 2 invalid or with problems,\n"
			      "1 usage error or the user's access cannot be checked.\n",
			      c == 'h' ? stdout : stderr);
			return c == 'h' ? EXIT_OK : EXIT_FAILURE_RUN;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "check-config: unexpected argument \"%s\"\n", argv[optind]);
		return EXIT_FAILURE_RUN;
	}
	struct vsd_config cfg;
	char *errors = NULL;
	if (vsd_config_load(path, &cfg, &errors) != 0) {
		fprintf(stderr, "%s: invalid:\n", path);
		fputs(errors, stderr);
		free(errors);
		return EXIT_INVALID;
	}
	char *lines = NULL;
	int n = confcheck_run(path, &cfg, as_user, &lines);
	if (n < 0) {
		fputs(lines, stderr);
		free(lines);
		vsd_config_free(&cfg);
		return EXIT_FAILURE_RUN;
	}
	printf("%s: valid; %d partner(s), %s routes\n", path, cfg.partners->npartners,
	       cfg.partners->routes ? "configured" : "default");
	if (n)
		printf("%d problem(s):\n%s", n, lines);
	free(lines);
	vsd_config_free(&cfg);
	return n ? EXIT_INVALID : EXIT_OK;
}

/* ---- shared ----------------------------------------------------------------- */

struct common {
	const char *config, *redis;
	int partitions;
	struct vsd_config cfg;
	redisContext *rc;
};

static int connect_common(const char *cmd, struct common *co)
{
	co->rc = cli_redis_open(cmd, co->config, co->redis, &co->partitions, &co->cfg);
	return co->rc ? 0 : -1;
}

static void close_common(struct common *co)
{
	cli_redis_close(co->rc, &co->cfg);
}

static const char *hget(const redisReply *h, const char *field)
{
	for (size_t i = 0; h && i + 1 < h->elements; i += 2)
		if (strcmp(h->element[i]->str, field) == 0)
			return h->element[i + 1]->str;
	return NULL;
}

/* Calls fn with every task record key of partition p (SCAN; a record may
 * be seen twice if the keyspace changes meanwhile, as SCAN allows). Stops
 * at fn's first -1. Returns 0, or -1 (a Redis error is reported as cmd's). */
typedef int (*task_key_fn)(struct common *co, const char *key, void *arg);

static int scan_task_keys(struct common *co, const char *cmd, int p, task_key_fn fn, void *arg)
{
	char cursor[32] = "0";
	do {
		char pattern[KEY_MAX];
		key_build(pattern, sizeof pattern, p, KEY_TASK, "*");
		redisReply *r = redisCommand(co->rc, "SCAN %s MATCH %s COUNT 1000", cursor, pattern);
		if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
			redis_error(cmd, co->rc, r);
			freeReplyObject(r);
			return -1;
		}
		str_copy(cursor, r->element[0]->str, sizeof cursor);
		for (size_t i = 0; i < r->element[1]->elements; i++) {
			if (fn(co, r->element[1]->element[i]->str, arg) != 0) {
				freeReplyObject(r);
				return -1;
			}
		}
		freeReplyObject(r);
	} while (strcmp(cursor, "0") != 0);
	return 0;
}

/* ---- tasks ----------------------------------------------------------------- */


static void print_assignments(const redisReply *h, const char *id, const char *partner,
			      const char *state, const char *rule, const char *delivery)
{
	char *js = rd_task_json(rd_flat_get, h);
	json_t *t = json_loads(js ? js : "{}", 0, NULL);
	free(js);
	const char *trule = json_string_value(json_object_get(t, "rule"));
	const char *level = json_string_value(json_object_get(t, "level"));
	if (!level)
		level = json_string_value(json_object_get(t, "trigger"));
	if (rule && (!trule || strcmp(rule, trule) != 0)) {
		json_decref(t);
		return;
	}
	const char *partners = hget(h, "partners");
	char list[1024];
	str_copy(list, partners ? partners : "", sizeof list);
	for (char *save = NULL, *p = strtok_r(list, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		if (partner && strcmp(partner, p) != 0)
			continue;
		char k[160];
		snprintf(k, sizeof k, "%s.state", p);
		const char *st = hget(h, k);
		if (state && strcmp(state, "all") != 0 && (!st || strcmp(st, state) != 0))
			continue;
		snprintf(k, sizeof k, "%s.delivery", p);
		const char *dv = hget(h, k);
		if (delivery && (!dv || strcmp(dv, delivery) != 0))
			continue;
		snprintf(k, sizeof k, "%s.due", p);
		const char *due = hget(h, k);
		char due_iso[40] = "-";
		if (due)
			format_instant(atoll(due), due_iso, sizeof due_iso);
		printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", id, trule ? trule : "-", level ? level : "-",
		       json_string_value(json_object_get(t, "school")) ? json_string_value(json_object_get(t, "school")) : "-",
		       p, st ? st : "-", dv ? dv : "-", due_iso);
	}
	json_decref(t);
}

struct task_filter {
	const char *partner, *state, *rule, *delivery;
};

static int list_task(struct common *co, const char *key, void *arg)
{
	const struct task_filter *f = arg;
	redisReply *h = redisCommand(co->rc, "HGETALL %s", key);
	if (h && h->type == REDIS_REPLY_ARRAY)
		print_assignments(h, strrchr(key, ':') + 1, f->partner, f->state, f->rule, f->delivery);
	freeReplyObject(h);
	return 0;
}

int cmd_tasks(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'}, {"redis", required_argument, NULL, 'r'},
		{"partner", required_argument, NULL, 'p'}, {"state", required_argument, NULL, 's'},
		{"rule", required_argument, NULL, 'R'},   {"show", required_argument, NULL, 'S'},
		{"delivery", required_argument, NULL, 'D'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	struct common co = {0};
	const char *partner = NULL, *state = "open", *rule = NULL, *show = NULL, *delivery = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "c:r:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': co.config = optarg; break;
		case 'r': co.redis = optarg; break;
		case 'p': partner = optarg; break;
		case 's': state = optarg; break;
		case 'R': rule = optarg; break;
		case 'S': show = optarg; break;
		case 'D': delivery = optarg; break;
		default:
			fputs("usage: vroegsignaal tasks [--config FILE] [--redis ADDR] [--partner ID]\n"
			      "                          [--state open|overdue|acked|all] [--rule RULE]\n"
			      "                          [--delivery pending|delivered|undeliverable|fallback|failed]\n"
			      "       vroegsignaal tasks [--config FILE] [--redis ADDR] --show TASK-ID\n\n"
			      "Lists assignments (task, rule, level, school, partner, state, delivery,\n"
			      "due) as tab-separated lines, or shows one task's record and every\n"
			      "partner's fields in a fixed order, times in local time. Default state:\n"
			      "open. Exit status: 0 listed or shown, 1 error or no such task, 2 an\n"
			      "invalid option or value.\n",
			      c == 'h' ? stdout : stderr);
			return c == 'h' ? EXIT_OK : EXIT_USAGE;
		}
	}
	static const char *const states[] = {"open", "overdue", "acked", "all", NULL};
	static const char *const deliveries[] = {"pending", "delivered", "undeliverable", "fallback",
						 "failed", NULL};
	const char *rules[RULE_COUNT + 1];
	for (int r = 0; r < RULE_COUNT; r++)
		rules[r] = rule_name((enum rule_id)r);
	rules[RULE_COUNT] = NULL;
	if (cli_choice_arg(stderr, "tasks", "--state", state, states) != 0 ||
	    (delivery && cli_choice_arg(stderr, "tasks", "--delivery", delivery, deliveries) != 0) ||
	    (rule && cli_choice_arg(stderr, "tasks", "--rule", rule, rules) != 0))
		return EXIT_USAGE;
	if (optind != argc)
		return cli_usage_error(stderr, "tasks", "unexpected argument '%s'", argv[optind]);
	if (connect_common("tasks", &co) != 0)
		return EXIT_FAILURE_RUN;
	int rc = EXIT_OK;
	bool found = false;
	if (!show)
		printf("task\trule\tlevel\tschool\tpartner\tstate\tdelivery\tdue\n");
	for (int p = 0; p < co.partitions && rc == EXIT_OK; p++) {
		if (show) {
			char key[KEY_MAX];
			key_build(key, sizeof key, p, KEY_TASK, show);
			redisReply *h = redisCommand(co.rc, "HGETALL %s", key);
			if (!h || h->type != REDIS_REPLY_ARRAY) {
				redis_error("tasks", co.rc, h);
				rc = EXIT_FAILURE_RUN;
			} else if (h->elements) {
				found = true;
				size_t n = h->elements / 2;
				struct task_field *f = xcalloc(n ? n : 1, sizeof *f);
				for (size_t i = 0; i < n; i++)
					f[i] = (struct task_field){h->element[2 * i]->str,
								   h->element[2 * i + 1]->str};
				printf("task %s\npartition %d\n", show, p);
				taskshow_print(stdout, f, n);
				free(f);
			}
			freeReplyObject(h);
			continue;
		}
		struct task_filter f = {partner, state, rule, delivery};
		if (scan_task_keys(&co, "tasks", p, list_task, &f) != 0)
			rc = EXIT_FAILURE_RUN;
	}
	if (show && !found && rc == EXIT_OK) {
		fprintf(stderr, "tasks: no task %s\n", show);
		rc = EXIT_FAILURE_RUN;
	}
	close_common(&co);
	return rc;
}

/* ---- audit ----------------------------------------------------------------- */

/* The columns of the readable audit report (--format csv|markdown). */
static const char *const report_cols[] = {"at", "event", "partner", "role", "task", "fields",
					  "legal_basis", "outcome", "detail", NULL};

/* One value of the report: CSV quotes a value with a comma, quote or line
 * break (RFC 4180); Markdown escapes '|' and turns line breaks into spaces. */
static void report_value(const char *v, bool csv)
{
	if (csv) {
		if (!strpbrk(v, ",\"\r\n")) {
			fputs(v, stdout);
			return;
		}
		putchar('"');
		for (; *v; v++) {
			if (*v == '"')
				putchar('"');
			putchar(*v);
		}
		putchar('"');
		return;
	}
	for (; *v; v++) {
		if (*v == '|')
			fputs("\\|", stdout);
		else
			putchar(*v == '\n' || *v == '\r' ? ' ' : *v);
	}
}

static void report_header(bool csv, const char *student)
{
	if (!csv)
		printf("# Audit report for pupil key %s\n\n", student ? student : "(by task)");
	for (int i = 0; report_cols[i]; i++)
		printf(csv ? "%s%s" : "%s %s", i ? (csv ? "," : " |") : (csv ? "" : "|"), report_cols[i]);
	puts(csv ? "" : " |");
	if (!csv) {
		for (int i = 0; report_cols[i]; i++)
			fputs("|---", stdout);
		puts("|");
	}
}

static void report_row(bool csv, json_t *o)
{
	if (!csv)
		fputs("| ", stdout);
	for (int i = 0; report_cols[i]; i++) {
		if (i)
			fputs(csv ? "," : " | ", stdout);
		const char *v = json_string_value(json_object_get(o, report_cols[i]));
		report_value(v ? v : "", csv);
	}
	puts(csv ? "" : " |");
}

/* A delivery's audit entry leaves out the fields and legal basis when they
 * are those of the assignment's "assigned" entry (store/lua/result.lua):
 * they are shown from that entry, which comes first in the stream. assigned
 * maps "<task>|<partner>" to the assigned entries shown (event objects).
 * Returns the assigned entry to fill entry f's empty ones from, or NULL. */
static const json_t *audit_assigned(const json_t *assigned, const redisReply *f)
{
	const char *event = hget(f, "event"), *task = hget(f, "task"), *partner = hget(f, "partner");
	static const char *const deliveries[] = {"delivered", "reminder_delivered", "delivery_retry",
						 "delivery_failed", "undeliverable", "fallback", NULL};
	bool delivery = false;
	for (int i = 0; event && deliveries[i]; i++)
		delivery = delivery || strcmp(event, deliveries[i]) == 0;
	if (!delivery || !task || !partner)
		return NULL;
	char key[256];
	snprintf(key, sizeof key, "%s|%s", task, partner);
	return json_object_get(assigned, key);
}

int cmd_audit(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'}, {"redis", required_argument, NULL, 'r'},
		{"student", required_argument, NULL, 's'}, {"task", required_argument, NULL, 't'},
		{"format", required_argument, NULL, 'f'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	struct common co = {0};
	const char *student = NULL, *task = NULL, *format = "jsonl";
	int c;
	while ((c = getopt_long(argc, argv, "c:r:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': co.config = optarg; break;
		case 'r': co.redis = optarg; break;
		case 's': student = optarg; break;
		case 't': task = optarg; break;
		case 'f': format = optarg; break;
		default: c = c == 'h' ? 'h' : '?'; goto usage;
		}
	}
	if (!student && !task)
		return cli_usage_error(stderr, "audit", "--student KEY or --task TASK-ID is required");
	static const char *const formats[] = {"jsonl", "csv", "markdown", NULL};
	if (cli_choice_arg(stderr, "audit", "--format", format, formats) != 0)
		return EXIT_USAGE;
	bool jsonl = strcmp(format, "jsonl") == 0, csv = strcmp(format, "csv") == 0;
	if (false) {
	usage:
		fputs("usage: vroegsignaal audit [--config FILE] [--redis ADDR] --student KEY [--format F]\n"
		      "       vroegsignaal audit [--config FILE] [--redis ADDR] --task TASK-ID [--format F]\n\n"
		      "Prints, as JSON Lines, every audit event about a pupil key (for an AVG\n"
		      "access request: who received what, when, which fields, on which legal\n"
		      "basis, and what they did) or about one task. --format csv or markdown\n"
		      "prints a readable report instead (one row per event) to hand over.\n",
		      c == 'h' ? stdout : stderr);
		return c == 'h' ? EXIT_OK : EXIT_USAGE;
	}
	if (connect_common("audit", &co) != 0)
		return EXIT_FAILURE_RUN;
	int first = 0, last = co.partitions - 1;
	if (student)
		first = last = (int)(fnv1a32(student) % (uint32_t)co.partitions);
	int rc = EXIT_OK;
	unsigned long shown = 0;
	json_t *assigned = json_object();
	if (!jsonl)
		report_header(csv, student);
	for (int p = first; p <= last && rc == EXIT_OK; p++) {
		char start[48] = "-";
		for (;;) {
			char audit[KEY_MAX];
			key_build(audit, sizeof audit, p, KEY_AUDIT, NULL);
			redisReply *r = redisCommand(co.rc, "XRANGE %s %s + COUNT 1000", audit, start);
			if (!r || r->type != REDIS_REPLY_ARRAY) {
				redis_error("audit", co.rc, r);
				freeReplyObject(r);
				rc = EXIT_FAILURE_RUN;
				break;
			}
			size_t n = r->elements;
			for (size_t i = 0; i < n; i++) {
				const redisReply *e = r->element[i];
				const redisReply *f = e->element[1];
				snprintf(start, sizeof start, "(%s", e->element[0]->str);
				const char *s = hget(f, "student"), *t = hget(f, "task");
				if ((student && (!s || strcmp(s, student) != 0)) || (task && (!t || strcmp(t, task) != 0)))
					continue;
				json_t *o = json_object();
				const json_t *from = audit_assigned(assigned, f);
				for (size_t k = 0; k + 1 < f->elements; k += 2) {
					const char *key = f->element[k]->str, *val = f->element[k + 1]->str;
					if (strcmp(key, "at") == 0) {
						char iso[40];
						format_instant(atoll(val), iso, sizeof iso);
						json_object_set_new(o, "at", json_string(iso));
					} else if (*val) {
						json_object_set_new(o, key, json_string(val));
					} else if (from && (strcmp(key, "fields") == 0 || strcmp(key, "legal_basis") == 0) &&
						   json_object_get(from, key)) {
						json_object_set(o, key, json_object_get(from, key));
					}
				}
				const char *ev = hget(f, "event"), *pt = hget(f, "partner");
				if (ev && t && pt && strcmp(ev, "assigned") == 0) {
					char akey[256];
					snprintf(akey, sizeof akey, "%s|%s", t, pt);
					json_object_set(assigned, akey, o);
				}
				if (jsonl) {
					char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
					puts(line);
					free(line);
				} else {
					report_row(csv, o);
				}
				json_decref(o);
				shown++;
			}
			freeReplyObject(r);
			if (n < 1000)
				break;
		}
	}
	json_decref(assigned);
	fprintf(stderr, "audit: %lu event(s)\n", shown);
	close_common(&co);
	return rc;
}

/* ---- ack ------------------------------------------------------------------- */

static void ack_usage(FILE *f)
{
	fputs("usage: vroegsignaal ack [--config FILE] [--redis ADDR] TASK-ID --partner ID\n"
	      "                        --outcome OUTCOME [--note TEXT]\n\n"
	      "Acknowledges a task on behalf of a partner without an integration, as\n"
	      "POST /v1/tasks/ID/ack would. OUTCOME: " ACK_OUTCOMES ".\n"
	      "Exit status: 0 acknowledged, 1 refused or an error, 2 an invalid option or value.\n",
	      f);
}

/* Sends ACK (call->case_id ""), again with the task's case when the script
 * names it. Returns the reply read into ack, or NULL after an error
 * (reported, reply freed). */
static redisReply *ack_send(redisContext *rc, struct ack_call *call, struct ack_reply *ack)
{
	char cid[64] = "";
	redisReply *r = NULL;
	for (int try = 0; try < ACK_CASE_TRIES; try++) {
		call->case_id = cid;
		struct cmdargs args;
		cmdargs_init(&args);
		call_ack(&args, (struct script_ref){script_source(SCRIPT_ACK), false}, call);
		freeReplyObject(r);
		r = redisCommandArgv(rc, args.n, (const char **)args.argv, args.lens);
		cmdargs_free(&args);
		if (ack_reply_read(r, ack) != 0)
			break;
		if (ack->status != ACK_CASE) {
			call->case_id = "";
			return r;
		}
		if (strlen(ack->case_id) >= sizeof cid)
			break;
		snprintf(cid, sizeof cid, "%s", ack->case_id);
	}
	call->case_id = "";
	redis_error("ack", rc, r);
	freeReplyObject(r);
	return NULL;
}

int cmd_ack(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'}, {"redis", required_argument, NULL, 'r'},
		{"partner", required_argument, NULL, 'p'}, {"outcome", required_argument, NULL, 'o'},
		{"note", required_argument, NULL, 'n'},   {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	struct common co = {0};
	const char *partner = NULL, *outcome = NULL, *note = "";
	int c;
	while ((c = getopt_long(argc, argv, "c:r:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': co.config = optarg; break;
		case 'r': co.redis = optarg; break;
		case 'p': partner = optarg; break;
		case 'o': outcome = optarg; break;
		case 'n': note = optarg; break;
		case 'h': ack_usage(stdout); return EXIT_OK;
		default: ack_usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind == argc)
		return cli_usage_error(stderr, "ack", "which task? expected a TASK-ID");
	if (optind + 1 != argc)
		return cli_usage_error(stderr, "ack", "expected one TASK-ID, not also '%s'", argv[optind + 1]);
	if (!partner)
		return cli_usage_error(stderr, "ack", "--partner ID is required");
	if (!outcome)
		return cli_usage_error(stderr, "ack", "--outcome is required (" ACK_OUTCOMES ")");
	if (!ack_outcome_valid(outcome)) {
		fprintf(stderr, "vroegsignaal ack: --outcome: '%s' is not one of %s\n", outcome, ACK_OUTCOMES);
		return EXIT_USAGE;
	}
	const char *id = argv[optind];
	if (connect_common("ack", &co) != 0)
		return EXIT_FAILURE_RUN;
	int rc = EXIT_FAILURE_RUN;
	bool found = false;
	for (int p = 0; p < co.partitions && !found; p++) {
		char iso[40];
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		long long ms = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
		format_instant(ms, iso, sizeof iso);
		struct ack_call call = {p, id, partner, outcome, note, ms, iso,
					co.cfg.daemon.action_window_hours, ""};
		struct ack_reply ack;
		redisReply *r = ack_send(co.rc, &call, &ack);
		if (!r)
			break;
		if (ack.status != ACK_NOTFOUND) {
			found = true;
			if (ack.status == ACK_FORBIDDEN) {
				fprintf(stderr, "ack: task %s is not assigned to %s\n", id, partner);
			} else if (ack.status == ACK_DENIED) {
				fprintf(stderr, "ack: only the school may request the MAZL consult\n");
			} else if (ack.status == ACK_CONFLICT) {
				fprintf(stderr, "ack: task %s was acknowledged before with outcome %s\n", id,
					ack.previous);
			} else {
				printf("task %s acknowledged for %s: %s%s%s%s\n", id, partner, outcome,
				       ack.status == ACK_REPEAT ? " (already so)" : "",
				       ack.status == ACK_LATE ? " (after it was due)" : "",
				       *ack.referral ? "; referral created" : "");
				rc = EXIT_OK;
			}
		}
		freeReplyObject(r);
	}
	if (!found && rc != EXIT_OK)
		fprintf(stderr, "ack: no task %s\n", id);
	close_common(&co);
	return rc;
}

/* ---- redeliver --------------------------------------------------------------- */

static int redeliver_one(struct common *co, const char *id, const char *partner, long long *done)
{
	for (int p = 0; p < co->partitions; p++) {
		char pre[KEY_PREFIX_MAX], k_out[KEY_MAX], k_audit[KEY_MAX], k_task[KEY_MAX], now[24];
		key_prefix(pre, p);
		key_build(k_out, sizeof k_out, p, KEY_OUTBOX, partner);
		key_build(k_audit, sizeof k_audit, p, KEY_AUDIT, NULL);
		key_build(k_task, sizeof k_task, p, KEY_TASK, id);
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		snprintf(now, sizeof now, "%lld", (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
		const char *args[] = {"EVAL", script_source(SCRIPT_REDELIVER), "3", k_out, k_audit, k_task, pre,
				      id, partner, now};
		redisReply *r = redisCommandArgv(co->rc, 10, args, NULL);
		if (!r || (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_STATUS)) {
			redis_error("redeliver", co->rc, r);
			freeReplyObject(r);
			return -1;
		}
		bool found = strcmp(r->str, "NOTFOUND") != 0;
		if (strcmp(r->str, "OK") == 0)
			(*done)++;
		freeReplyObject(r);
		if (found)
			return 0;
	}
	return 1;
}

struct redeliver_all {
	const char *partner;
	char field[160]; /* "<partner>.delivery" */
	long long *done;
};

static int redeliver_failed(struct common *co, const char *key, void *arg)
{
	struct redeliver_all *ra = arg;
	redisReply *h = redisCommand(co->rc, "HGET %s %s", key, ra->field);
	bool failed = h && h->type == REDIS_REPLY_STRING &&
		      (strcmp(h->str, "failed") == 0 || strcmp(h->str, "undeliverable") == 0);
	freeReplyObject(h);
	return failed && redeliver_one(co, strrchr(key, ':') + 1, ra->partner, ra->done) < 0 ? -1 : 0;
}

static void redeliver_usage(FILE *f)
{
	fputs("usage: vroegsignaal redeliver [--config FILE] [--redis ADDR] --partner ID [TASK-ID...]\n\n"
	      "Sends the partner's failed deliveries again (delivery state failed or\n"
	      "undeliverable), after the partner has fixed its end: the named tasks, or\n"
	      "without task ids every such delivery of the partner. Attempts, the alert and\n"
	      "the connector (back to the primary) start afresh; the daemon sends them within\n"
	      "its poll interval. Audited as \"redeliver\".\n",
	      f);
}

int cmd_redeliver(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'}, {"redis", required_argument, NULL, 'r'},
		{"partner", required_argument, NULL, 'p'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	struct common co = {0};
	const char *partner = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "c:r:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': co.config = optarg; break;
		case 'r': co.redis = optarg; break;
		case 'p': partner = optarg; break;
		case 'h': redeliver_usage(stdout); return EXIT_OK;
		default: redeliver_usage(stderr); return EXIT_USAGE;
		}
	}
	if (!partner)
		return cli_usage_error(stderr, "redeliver", "--partner ID is required");
	if (connect_common("redeliver", &co) != 0)
		return EXIT_FAILURE_RUN;
	long long done = 0;
	int rc = EXIT_OK;
	if (optind < argc) {
		for (int i = optind; i < argc && rc == EXIT_OK; i++) {
			int r = redeliver_one(&co, argv[i], partner, &done);
			if (r < 0)
				rc = EXIT_FAILURE_RUN;
			else if (r > 0)
				fprintf(stderr, "redeliver: no task %s for %s\n", argv[i], partner);
		}
	} else {
		struct redeliver_all ra = {partner, "", &done};
		snprintf(ra.field, sizeof ra.field, "%s.delivery", partner);
		for (int p = 0; p < co.partitions && rc == EXIT_OK; p++)
			if (scan_task_keys(&co, "redeliver", p, redeliver_failed, &ra) != 0)
				rc = EXIT_FAILURE_RUN;
	}
	if (rc == EXIT_OK)
		printf("%lld deliver%s to %s will be sent again\n", done, done == 1 ? "y" : "ies", partner);
	close_common(&co);
	return rc;
}
