/*
 * ops: the operator's commands for the flood guard and closures.
 *
 *   vroegsignaal quarantine list                   school days held, and their tasks
 *   vroegsignaal quarantine release SCHOOL DATE    deliver the held tasks after all
 *   vroegsignaal quarantine discard SCHOOL DATE    drop them (audited)
 *   vroegsignaal closure add SCHOOL DATE [--reason TEXT]
 *   vroegsignaal closure remove SCHOOL DATE
 *   vroegsignaal closure list
 *   vroegsignaal dead list [--reason R]            the dead letters, as JSON Lines
 *   vroegsignaal dead requeue [--reason R] [--id STREAM-ID]
 *                                                  back onto the event stream
 *   vroegsignaal dead discard [--reason R] [--id STREAM-ID] [--all]
 *                                                  drop them for good
 *
 * A closure (a strike, a snow day) makes DATE no school day at SCHOOL: the
 * daemons read vs:closures every few seconds and apply it to their
 * calendar, so registrations on that day are refused (not_school_day) and
 * the day no longer counts in any window. Signals already raised stay.
 */
#include "args.h"
#include "cli.h"
#include "redisopt.h"

#include "date.h"
#include "keys.h"
#include "scripts.h"
#include "util.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int parse_common(int argc, char **argv, const char **config, const char **redis,
			const char **reason, bool *all, const char *usage)
{
	static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
					     {"redis", required_argument, NULL, 'r'},
					     {"reason", required_argument, NULL, 'm'},
					     {"all", no_argument, NULL, 'a'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	int c;
	while ((c = getopt_long(argc, argv, "c:r:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': *config = optarg; break;
		case 'r': *redis = optarg; break;
		case 'm':
			if (reason) {
				*reason = optarg;
				break;
			}
			fputs(usage, stderr);
			return -1;
		case 'a':
			if (all) {
				*all = true;
				break;
			}
			/* fall through */
		default:
			fputs(usage, c == 'h' ? stdout : stderr);
			return c == 'h' ? 1 : -1;
		}
	}
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool valid_date(const char *s)
{
	int32_t d;
	return date_parse(s, &d) == 0;
}

int cmd_quarantine(int argc, char **argv)
{
	static const char usage[] =
		"usage: vroegsignaal quarantine [--config FILE] [--redis ADDR] list\n"
		"       vroegsignaal quarantine [--config FILE] [--redis ADDR] release|discard SCHOOL DATE\n"
		"       vroegsignaal quarantine [--config FILE] [--redis ADDR] release|discard --all\n\n"
		"The flood guard holds a school day's new tasks when there are more than its\n"
		"limit (operations.flood). list shows the held school days and how many tasks\n"
		"each holds; release sends them to the partners after all; discard drops them.\n"
		"Both are audited.\n";
	const char *config = NULL, *redis = NULL;
	bool all = false;
	int pr = parse_common(argc, argv, &config, &redis, NULL, &all, usage);
	if (pr != 0)
		return pr > 0 ? EXIT_OK : EXIT_USAGE;
	int rest = argc - optind;
	const char *action = rest > 0 ? argv[optind] : "";
	static const char *const actions[] = {"list", "release", "discard", NULL};
	if (rest == 0)
		return cli_usage_error(stderr, "quarantine", "expected list, release or discard");
	if (cli_choice_arg(stderr, "quarantine", "the action", action, actions) != 0)
		return EXIT_USAGE;
	if (strcmp(action, "list") == 0 && (rest != 1 || all))
		return cli_usage_error(stderr, "quarantine", "list takes no school day and no --all");
	if (strcmp(action, "list") != 0) {
		if (all && rest != 1)
			return cli_usage_error(stderr, "quarantine", "%s: either SCHOOL DATE or --all, not both",
					       action);
		if (!all && rest != 3)
			return cli_usage_error(stderr, "quarantine", "%s: expected SCHOOL DATE, or --all", action);
		if (!all && !valid_date(argv[optind + 2])) {
			fprintf(stderr, "vroegsignaal quarantine: expected a date YYYY-MM-DD, not '%s'\n",
				argv[optind + 2]);
			return EXIT_USAGE;
		}
	}
	int partitions = 0;
	struct vsd_config cfg;
	redisContext *rc = cli_redis_open("quarantine", config, redis, &partitions, &cfg);
	if (!rc)
		return EXIT_FAILURE_RUN;
	int status = EXIT_OK;
	char key[128] = "*";
	if (!all && rest == 3)
		snprintf(key, sizeof key, "%s|%s", argv[optind + 1], argv[optind + 2]);
	long long handled = 0, days = 0;
	for (int p = 0; p < partitions && status == EXIT_OK; p++) {
		char k_q[48], k_set[48], k_tasks[48], k_audit[48], pre[KEY_PREFIX_MAX], now[24], window[16];
		key_prefix(pre, p);
		key_build(k_q, sizeof k_q, p, KEY_QUARANTINE, NULL);
		key_build(k_set, sizeof k_set, p, KEY_QUARANTINED, NULL);
		key_build(k_tasks, sizeof k_tasks, p, KEY_TASKS, NULL);
		key_build(k_audit, sizeof k_audit, p, KEY_AUDIT, NULL);
		if (strcmp(action, "list") == 0) {
			redisReply *r = redisCommand(rc, "SMEMBERS %s", k_set);
			redisReply *e = redisCommand(rc, "XRANGE %s - +", k_q);
			if (!r || r->type != REDIS_REPLY_ARRAY || !e || e->type != REDIS_REPLY_ARRAY) {
				fprintf(stderr, "quarantine: redis: %s\n", rc->errstr[0] ? rc->errstr : "unexpected reply");
				status = EXIT_FAILURE_RUN;
			} else {
				for (size_t i = 0; i < r->elements; i++) {
					long n = 0;
					for (size_t j = 0; j < e->elements; j++) {
						const redisReply *f = e->element[j]->element[1];
						for (size_t k = 0; k + 1 < f->elements; k += 2)
							if (strcmp(f->element[k]->str, "key") == 0 &&
							    strcmp(f->element[k + 1]->str, r->element[i]->str) == 0)
								n++;
					}
					char *bar = strchr(r->element[i]->str, '|');
					if (bar)
						*bar = ' ';
					printf("%s\t%ld task(s) held\n", r->element[i]->str, n);
					days++;
				}
			}
			freeReplyObject(r);
			freeReplyObject(e);
			continue;
		}
		snprintf(now, sizeof now, "%lld", now_ms());
		snprintf(window, sizeof window, "%d", cfg.daemon.action_window_hours);
		const char *args[] = {"EVAL", script_source(SCRIPT_QUARANTINE), "4", k_q, k_set, k_tasks,
				      k_audit, pre, key, action, now, window};
		redisReply *r = redisCommandArgv(rc, 12, args, NULL);
		if (!r || r->type != REDIS_REPLY_INTEGER) {
			fprintf(stderr, "quarantine: redis: %s\n",
				r && r->type == REDIS_REPLY_ERROR ? r->str : rc->errstr);
			status = EXIT_FAILURE_RUN;
		} else {
			handled += r->integer;
		}
		freeReplyObject(r);
	}
	if (status == EXIT_OK && strcmp(action, "list") == 0 && days == 0)
		printf("no school day is in quarantine\n");
	else if (status == EXIT_OK && strcmp(action, "list") != 0)
		printf("%s: %lld task(s) %s\n", all ? "all school days" : key, handled,
		       strcmp(action, "release") == 0 ? "released to the partners" : "discarded");
	cli_redis_close(rc, &cfg);
	return status;
}

/* Why a closure of school on day cannot be right, or NULL: a school the
 * configuration's schools section (when there is one) does not know, or a
 * Saturday or Sunday (never a school day anyway). */
static const char *closure_refusal(const struct vsd_config *cfg, const char *school, int32_t day)
{
	static char why[160];
	if (date_weekday(day) >= 5)
		return "the date is a Saturday or Sunday, never a school day";
	const struct partners_config *pc = cfg->partners;
	if (pc && pc->nschools > 0) {
		for (int i = 0; i < pc->nschools; i++)
			if (strcmp(pc->schools[i].code, school) == 0)
				return NULL;
		snprintf(why, sizeof why, "'%.40s' is not a school of the configuration's schools section",
			 school);
		return why;
	}
	return NULL;
}

int cmd_closure(int argc, char **argv)
{
	static const char usage[] =
		"usage: vroegsignaal closure [--config FILE] [--redis ADDR] add SCHOOL DATE [--reason TEXT]\n"
		"       vroegsignaal closure [--config FILE] [--redis ADDR] remove SCHOOL DATE\n"
		"       vroegsignaal closure [--config FILE] [--redis ADDR] list\n\n"
		"Declares DATE no school day at SCHOOL (a strike, a snow day). The daemons\n"
		"apply it within seconds: registrations on that day are refused and the day\n"
		"no longer counts in any rule's window. Signals already raised stay. SCHOOL\n"
		"must be in the configuration's schools section (when it has one) and DATE\n"
		"a weekday. remove takes a closure back (from then on, as above).\n";
	const char *config = NULL, *redis = NULL, *reason = "";
	int pr = parse_common(argc, argv, &config, &redis, &reason, NULL, usage);
	if (pr != 0)
		return pr > 0 ? EXIT_OK : EXIT_USAGE;
	int rest = argc - optind;
	const char *action = rest > 0 ? argv[optind] : "";
	static const char *const actions[] = {"add", "list", "remove", NULL};
	if (rest == 0)
		return cli_usage_error(stderr, "closure", "expected add, list or remove");
	if (cli_choice_arg(stderr, "closure", "the action", action, actions) != 0)
		return EXIT_USAGE;
	bool add = strcmp(action, "add") == 0, remove = strcmp(action, "remove") == 0;
	if ((add || remove) && rest != 3)
		return cli_usage_error(stderr, "closure", "%s: expected SCHOOL DATE", action);
	if (!add && !remove && rest != 1)
		return cli_usage_error(stderr, "closure", "list takes no arguments");
	if ((add || remove) && (!valid_date(argv[optind + 2]) || strlen(argv[optind + 1]) == 0 ||
		    strchr(argv[optind + 1], '|'))) {
		fprintf(stderr, "vroegsignaal closure: expected a school code and a date YYYY-MM-DD, "
				"not '%s' '%s'\n",
			argv[optind + 1], argv[optind + 2]);
		return EXIT_USAGE;
	}
	int partitions = 0;
	struct vsd_config cfg;
	if (cli_redis_setup("closure", config, redis, &partitions, &cfg) != 0)
		return EXIT_FAILURE_RUN;
	int status = EXIT_OK;
	if (add) {
		int32_t day;
		date_parse(argv[optind + 2], &day);
		const char *why = closure_refusal(&cfg, argv[optind + 1], day);
		if (why) {
			fprintf(stderr, "vroegsignaal closure: add: %s\n", why);
			vsd_config_free(&cfg);
			return EXIT_USAGE;
		}
	}
	if (add && cfg.base.years) {
		int32_t day;
		date_parse(argv[optind + 2], &day);
		if (school_years_index(cfg.base.years, day) < 0) {
			fprintf(stderr, "closure: %s lies outside the configured school years\n",
				argv[optind + 2]);
			vsd_config_free(&cfg);
			return EXIT_USAGE;
		}
	}
	redisContext *rc = cli_redis_connect(&cfg.redis);
	if (!rc) {
		vsd_config_free(&cfg);
		return EXIT_FAILURE_RUN;
	}
	redisReply *r;
	if (remove) {
		char field[128];
		snprintf(field, sizeof field, "%s|%s", argv[optind + 1], argv[optind + 2]);
		r = redisCommand(rc, "HDEL vs:closures %s", field);
		if (!r || r->type != REDIS_REPLY_INTEGER) {
			fprintf(stderr, "closure: redis: %s\n", r && r->type == REDIS_REPLY_ERROR ? r->str : rc->errstr);
			status = EXIT_FAILURE_RUN;
		} else if (r->integer == 0) {
			fprintf(stderr, "closure: %s at %s was not declared\n", argv[optind + 2], argv[optind + 1]);
			status = EXIT_FAILURE_RUN;
		} else {
			printf("%s is a school day at %s again\n", argv[optind + 2], argv[optind + 1]);
		}
	} else if (add) {
		char field[128];
		snprintf(field, sizeof field, "%s|%s", argv[optind + 1], argv[optind + 2]);
		r = redisCommand(rc, "HSET vs:closures %s %s", field, *reason ? reason : "(no reason given)");
		if (!r || r->type != REDIS_REPLY_INTEGER) {
			fprintf(stderr, "closure: redis: %s\n", r && r->type == REDIS_REPLY_ERROR ? r->str : rc->errstr);
			status = EXIT_FAILURE_RUN;
		} else {
			printf("%s is no school day at %s%s\n", argv[optind + 2], argv[optind + 1],
			       r->integer ? "" : " (already declared)");
		}
	} else {
		r = redisCommand(rc, "HGETALL vs:closures");
		if (!r || r->type != REDIS_REPLY_ARRAY) {
			fprintf(stderr, "closure: redis: %s\n", rc->errstr);
			status = EXIT_FAILURE_RUN;
		} else {
			for (size_t i = 0; i + 1 < r->elements; i += 2) {
				char *bar = strchr(r->element[i]->str, '|');
				if (bar)
					*bar = '\t';
				printf("%s\t%s\n", r->element[i]->str, r->element[i + 1]->str);
			}
			if (r->elements == 0)
				printf("no closures declared\n");
		}
	}
	freeReplyObject(r);
	cli_redis_close(rc, &cfg);
	return status;
}

/* Bytes as JSON text for an operator: as they are when they are UTF-8,
 * otherwise every byte above 0x7f written as the four characters \xHH, so
 * a name or value that is not UTF-8 is shown rather than dropped. NUL
 * bytes stay (JSON writes them as \u0000), so names that differ after a
 * NUL stay apart. */
static json_t *display_string(const char *s, size_t len)
{
	json_t *j = json_stringn(s, len);
	if (j)
		return j;
	char *buf = xmalloc(4 * len + 1), *w = buf;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80)
			*w++ = (char)c;
		else
			w += sprintf(w, "\\x%02x", c);
	}
	j = json_stringn(buf, (size_t)(w - buf));
	free(buf);
	return j;
}

/* obj[name] = value, both shown with display_string. */
static void set_display(json_t *obj, const char *name, size_t name_len, const char *val,
			size_t val_len)
{
	json_t *k = display_string(name, name_len);
	json_object_setn_new(obj, json_string_value(k), json_string_length(k),
			     display_string(val, val_len));
	json_decref(k);
}

int cmd_dead(int argc, char **argv)
{
	static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
					     {"redis", required_argument, NULL, 'r'},
					     {"reason", required_argument, NULL, 'm'},
					     {"id", required_argument, NULL, 'i'},
					     {"all", no_argument, NULL, 'a'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	static const char usage[] =
		"usage: vroegsignaal dead [--config FILE] [--redis ADDR] list [--reason REASON]\n"
		"       vroegsignaal dead [--config FILE] [--redis ADDR] requeue [--reason REASON] [--id ID]\n"
		"       vroegsignaal dead [--config FILE] [--redis ADDR] discard [--reason REASON] [--id ID] [--all]\n\n"
		"list prints the dead letters (registrations the daemon refused, with the reason\n"
		"and the original fields) as JSON Lines. requeue puts them back on the event\n"
		"stream, after the cause is fixed (a calendar, a closure, a school system's\n"
		"export), and removes them from the dead letters; the daemon judges them again.\n"
		"discard deletes them for good (those of --reason, the one of --id, or --all);\n"
		"the daemon also drops them after dead_retention_days.\n";
	const char *config = NULL, *redis = NULL, *reason = "", *id = "";
	bool all = false;
	int c;
	while ((c = getopt_long(argc, argv, "c:r:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'r': redis = optarg; break;
		case 'm': reason = optarg; break;
		case 'i': id = optarg; break;
		case 'a': all = true; break;
		default:
			fputs(usage, c == 'h' ? stdout : stderr);
			return c == 'h' ? EXIT_OK : EXIT_USAGE;
		}
	}
	int rest = argc - optind;
	static const char *const actions[] = {"list", "requeue", "discard", NULL};
	if (rest == 0)
		return cli_usage_error(stderr, "dead", "expected list, requeue or discard");
	if (rest > 1)
		return cli_usage_error(stderr, "dead", "unexpected argument '%s'", argv[optind + 1]);
	const char *action = argv[optind];
	if (cli_choice_arg(stderr, "dead", "the action", action, actions) != 0)
		return EXIT_USAGE;
	bool discard = strcmp(action, "discard") == 0;
	if (discard && !all && !*reason && !*id)
		return cli_usage_error(stderr, "dead", "discard: give --reason, --id or --all");
	if (all && !discard)
		return cli_usage_error(stderr, "dead", "--all is only for discard");
	if (all && (*reason || *id))
		return cli_usage_error(stderr, "dead", "discard: --all goes without --reason and --id");
	if (*reason) {
		const char *reasons[EV_REASON_COUNT + 3];
		int n = 0;
		for (int r = 1; r < EV_REASON_COUNT; r++)
			reasons[n++] = event_reason_code((enum event_reason)r);
		reasons[n++] = "state_corrupt";
		reasons[n++] = "delivery_limit";
		reasons[n] = NULL;
		if (cli_choice_arg(stderr, "dead", "--reason", reason, reasons) != 0)
			return EXIT_USAGE;
	}
	int partitions = 0;
	struct vsd_config cfg;
	redisContext *rc = cli_redis_open("dead", config, redis, &partitions, &cfg);
	if (!rc)
		return EXIT_FAILURE_RUN;
	int status = EXIT_OK;
	long long n = 0;
	for (int p = 0; p < partitions && status == EXIT_OK; p++) {
		char k_dead[48], k_events[48];
		key_build(k_dead, sizeof k_dead, p, KEY_DEAD, NULL);
		key_build(k_events, sizeof k_events, p, KEY_EVENTS, NULL);
		if (strcmp(action, "requeue") == 0) {
			const char *args[] = {"EVAL", script_source(SCRIPT_REQUEUE), "2", k_dead, k_events, reason, id};
			redisReply *r = redisCommandArgv(rc, 7, args, NULL);
			if (!r || r->type != REDIS_REPLY_INTEGER) {
				fprintf(stderr, "dead: redis: %s\n", r && r->type == REDIS_REPLY_ERROR ? r->str : rc->errstr);
				status = EXIT_FAILURE_RUN;
			} else {
				n += r->integer;
			}
			freeReplyObject(r);
			continue;
		}
		redisReply *r = redisCommand(rc, "XRANGE %s - +", k_dead);
		if (!r || r->type != REDIS_REPLY_ARRAY) {
			fprintf(stderr, "dead: redis: %s\n", rc->errstr);
			status = EXIT_FAILURE_RUN;
			freeReplyObject(r);
			break;
		}
		if (discard) {
			for (size_t i = 0; i < r->elements && status == EXIT_OK; i++) {
				const redisReply *e = r->element[i], *f = e->element[1];
				const char *sid = e->element[0]->str, *why = "";
				for (size_t k = 0; f->type == REDIS_REPLY_ARRAY && k + 1 < f->elements; k += 2)
					if (strcmp(f->element[k]->str, "reason") == 0)
						why = f->element[k + 1]->str;
				if ((*reason && strcmp(why, reason) != 0) || (*id && strcmp(sid, id) != 0))
					continue;
				redisReply *d = redisCommand(rc, "XDEL %s %s", k_dead, sid);
				if (!d || d->type != REDIS_REPLY_INTEGER) {
					fprintf(stderr, "dead: redis: %s\n",
						d && d->type == REDIS_REPLY_ERROR ? d->str : rc->errstr);
					status = EXIT_FAILURE_RUN;
				} else {
					n += d->integer;
				}
				freeReplyObject(d);
			}
			freeReplyObject(r);
			continue;
		}
		for (size_t i = 0; i < r->elements; i++) {
			const redisReply *e = r->element[i];
			if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 ||
			    e->element[0]->type != REDIS_REPLY_STRING ||
			    e->element[1]->type != REDIS_REPLY_ARRAY)
				continue; /* trimmed meanwhile, or not an entry */
			const redisReply *f = e->element[1];
			json_t *o = json_object(), *fields = json_object();
			json_object_set_new(o, "partition", json_integer(p));
			json_object_set_new(o, "id", json_string(e->element[0]->str));
			const char *why = "";
			for (size_t k = 0; k + 1 < f->elements; k += 2) {
				const redisReply *kr = f->element[k], *vr = f->element[k + 1];
				if (kr->type != REDIS_REPLY_STRING || vr->type != REDIS_REPLY_STRING)
					continue;
				bool field = kr->len > 6 && memcmp(kr->str, "field.", 6) == 0;
				set_display(field ? fields : o, field ? kr->str + 6 : kr->str,
					    field ? kr->len - 6 : kr->len, vr->str, vr->len);
				if (strcmp(kr->str, "reason") == 0)
					why = vr->str;
			}
			json_object_set_new(o, "fields", fields);
			if (!*reason || strcmp(reason, why) == 0) {
				char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
				puts(line ? line : "{}");
				free(line);
				n++;
			}
			json_decref(o);
		}
		freeReplyObject(r);
	}
	if (status == EXIT_OK)
		fprintf(stderr, "dead: %lld dead letter(s) %s\n", n, strcmp(action, "requeue") == 0 ? "requeued" : discard ? "discarded" : "listed");
	cli_redis_close(rc, &cfg);
	return status;
}
