/*
 * send: `vroegsignaal send`, the producer. Validates registrations (JSON
 * Lines, or CSV with a header row of field names) with the shared parser and
 * XADDs the valid ones, pipelined, to their partition's stream
 * vs:{p}:events, p = FNV-1a(student) mod P. Rejected lines are reported with
 * their line number and reason code and are not sent; nothing valid is held
 * back because of them.
 *
 * When Redis goes away mid-file the summary says what is known: the lines
 * Redis confirmed (stored), those sent without a reply (perhaps stored), and
 * the line from which nothing was sent; SIGPIPE is ignored so that a closed
 * connection is an error to report, not the end of the process. The exit
 * codes tell invalid lines (2) from entries Redis refused (3), a lost
 * connection (4) and entries too few replicas confirmed (5); see usage().
 *
 * With redis.min_replicas (or --min-replicas) N > 0, every pipeline of
 * XADDs is followed by `WAIT N timeout`, and its lines count as stored only
 * when WAIT says N replicas have them (docs/operations.md).
 *
 * Runs outside the event loop, so it uses hiredis' blocking API.
 */
#include "args.h"
#include "cli.h"
#include "jsonl.h"
#include "redisopt.h"

#include "config.h"
#include "dconfig.h"
#include "event.h"
#include "keys.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <hiredis/hiredis.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define PIPELINE 1000
#define CSV_MAX_FIELDS JSONL_MAX_FIELDS

/* Splits one CSV record (RFC 4180 quoting, no embedded newlines) in place.
 * Returns the number of fields or -1. */
static int csv_split(char *line, char **out, int max)
{
	int n = 0;
	char *p = line;
	for (;;) {
		if (n == max)
			return -1;
		if (*p == '"') {
			char *w = ++p;
			out[n++] = w;
			for (;;) {
				if (*p == '\0')
					return -1;
				if (*p == '"') {
					if (p[1] == '"') {
						*w++ = '"';
						p += 2;
						continue;
					}
					p++;
					break;
				}
				*w++ = *p++;
			}
			*w = '\0';
			if (*p == ',') {
				p++;
				continue;
			}
			return *p == '\0' ? n : -1;
		}
		out[n++] = p;
		char *comma = strchr(p, ',');
		if (!comma)
			return n;
		*comma = '\0';
		p = comma + 1;
	}
}

/* Exit codes of send beyond cli.h's (documented in usage()). */
enum {
	SEND_REFUSED = 3, /* Redis refused some entries (error replies); the rest is stored */
	SEND_LOST = 4,    /* the connection to Redis was lost mid-file */
	SEND_UNCONFIRMED = 5, /* fewer than min_replicas replicas confirmed some entries */
};

struct sender {
	redisContext *c;
	int partitions;
	int queued;                      /* sent, reply not read yet */
	unsigned long long sent, failed; /* confirmed stored; refused by Redis */
	bool lost;                       /* the connection failed: queued is unconfirmed */
	int min_replicas, wait_timeout_ms; /* WAIT after each pipeline (0: no WAIT) */
	unsigned long long awaiting;     /* accepted by Redis, WAIT not read yet */
	unsigned long long unconfirmed;  /* accepted, but too few replicas confirmed them */
};

/* Reads the replies of every queued entry. Returns 0, or -1 when the
 * connection failed (s->lost set; s->queued entries stay unconfirmed). */
static int drain(struct sender *s)
{
	bool wait = s->min_replicas > 0 && s->queued > 0;
	if (wait && redisAppendCommand(s->c, "WAIT %d %d", s->min_replicas, s->wait_timeout_ms) !=
			    REDIS_OK) {
		fprintf(stderr, "send: redis: %s\n", s->c->errstr);
		s->lost = true;
		return -1;
	}
	while (s->queued > 0) {
		redisReply *r = NULL;
		if (redisGetReply(s->c, (void **)&r) != REDIS_OK) {
			fprintf(stderr, "send: redis: %s\n", s->c->errstr);
			s->lost = true;
			return -1;
		}
		if (r->type == REDIS_REPLY_ERROR) {
			fprintf(stderr, "send: redis refused an entry: %s\n", r->str);
			s->failed++;
		} else if (wait) {
			s->awaiting++;
		} else {
			s->sent++;
		}
		freeReplyObject(r);
		s->queued--;
	}
	if (!wait)
		return 0;
	redisReply *r = NULL;
	if (redisGetReply(s->c, (void **)&r) != REDIS_OK) {
		fprintf(stderr, "send: redis: %s\n", s->c->errstr);
		s->lost = true;
		return -1;
	}
	if (r->type == REDIS_REPLY_INTEGER && r->integer >= s->min_replicas) {
		s->sent += s->awaiting;
	} else {
		if (!s->unconfirmed)
			fprintf(stderr, "send: WAIT: %s; the lines of this pipeline are not reported stored\n",
				r->type == REDIS_REPLY_ERROR ? r->str : "too few replicas confirmed in time");
		s->unconfirmed += s->awaiting;
	}
	s->awaiting = 0;
	freeReplyObject(r);
	return 0;
}

static int enqueue(struct sender *s, const struct event_field *f, int n, const char *student)
{
	const char *argv[3 + 2 * CSV_MAX_FIELDS];
	size_t lens[3 + 2 * CSV_MAX_FIELDS];
	char key[48];
	unsigned p = fnv1a32(student) % (unsigned)s->partitions;
	key_build(key, sizeof key, (int)p, KEY_EVENTS, NULL);
	argv[0] = "XADD";
	lens[0] = 4;
	argv[1] = key;
	lens[1] = strlen(key);
	argv[2] = "*";
	lens[2] = 1;
	for (int i = 0; i < n; i++) {
		argv[3 + 2 * i] = f[i].name;
		lens[3 + 2 * i] = f[i].name_len;
		argv[4 + 2 * i] = f[i].value;
		lens[4 + 2 * i] = f[i].value_len;
	}
	if (redisAppendCommandArgv(s->c, 3 + 2 * n, argv, lens) != REDIS_OK) {
		fprintf(stderr, "send: redis: %s\n", s->c->errstr);
		s->lost = true;
		return -1;
	}
	if (++s->queued >= PIPELINE)
		return drain(s);
	return 0;
}

static void usage(FILE *f)
{
	fputs("usage: vroegsignaal send [--config FILE] [--redis ADDR] [--partitions P]\n"
	      "                         [--format jsonl|csv] [--raw] [--min-replicas N]\n"
	      "                         [FILE | -]\n"
	      "\n"
	      "Validates registrations and adds the valid ones to Redis (vs:{p}:events).\n"
	      "Rejected lines are reported as 'line N: <reason code>: <message>'.\n"
	      "\n"
	      "  --config FILE     configuration: the calendar for validation, the redis\n"
	      "                    address and the number of partitions\n"
	      "  --redis ADDR      unix:/path/to/socket, /path/to/socket or HOST:PORT\n"
	      "                    (default: the configuration's, else 127.0.0.1:6379)\n"
	      "  --partitions P    number of partitions (default: the configuration's, else 1)\n"
	      "  --format F        jsonl (default) or csv (first row: field names)\n"
	      "  --raw             send lines that fail validation too (the daemon then\n"
	      "                    dead-letters them): for testing the daemon's checks\n"
	      "  --min-replicas N  a line counts as stored only when N replicas have it\n"
	      "                    (WAIT after each pipeline of 1000 lines, waiting at most\n"
	      "                    redis.wait_timeout_ms; default: the configuration's\n"
	      "                    redis.min_replicas, else 0: no WAIT)\n"
	      "\n"
	      "Exit codes:\n"
	      "  0  every line is stored\n"
	      "  1  nothing was sent: the configuration, the input file or the first\n"
	      "     connection to Redis failed (or the input could not be read)\n"
	      "  2  an invalid option or value; or some lines were invalid and not sent\n"
	      "     (the valid ones are stored)\n"
	      "  3  Redis refused some entries (error replies, named on stderr); the rest\n"
	      "     is stored\n"
	      "  4  the connection to Redis was lost mid-file: the summary says how many\n"
	      "     lines are stored, how many were sent without a reply (perhaps stored)\n"
	      "     and from which line on nothing was sent\n"
	      "  5  Redis accepted some lines but fewer than --min-replicas replicas\n"
	      "     confirmed them in time: they are not reported stored (a failover may\n"
	      "     lose them); the summary says how many\n"
	      "When several apply, the highest code is returned.\n",
	      f);
}

int cmd_send(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'}, {"redis", required_argument, NULL, 'r'},
		{"partitions", required_argument, NULL, 'p'},
		{"format", required_argument, NULL, 'f'}, {"help", no_argument, NULL, 'h'},
		{"raw", no_argument, NULL, 'R'},
		{"min-replicas", required_argument, NULL, 'm'},
		{NULL, 0, NULL, 0},
	};
	const char *config_path = NULL, *redis_addr = NULL, *format = "jsonl";
	int partitions = 0, min_replicas = -1;
	bool raw = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:r:p:f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config_path = optarg; break;
		case 'r': redis_addr = optarg; break;
		case 'p':
			if (cli_int_arg(stderr, "send", "--partitions", optarg, 1, 1024, &partitions) != 0)
				return EXIT_USAGE;
			break;
		case 'f': format = optarg; break;
		case 'R': raw = true; break;
		case 'm':
			if (cli_int_arg(stderr, "send", "--min-replicas", optarg, 0, 16, &min_replicas) != 0)
				return EXIT_USAGE;
			break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	static const char *const formats[] = {"jsonl", "csv", NULL};
	if (cli_choice_arg(stderr, "send", "--format", format, formats) != 0)
		return EXIT_USAGE;
	bool csv = strcmp(format, "csv") == 0;
	if (argc - optind > 1)
		return cli_usage_error(stderr, "send", "expected one input file, not also '%s'",
				       argv[optind + 1]);
	struct vsd_config cfg;
	if (cli_redis_setup("send", config_path, redis_addr, &partitions, &cfg) != 0)
		return EXIT_FAILURE_RUN;
	const struct school_years *cal = cfg.base.years; /* NULL without --config */
	const char *input = optind < argc ? argv[optind] : "-";
	FILE *in = strcmp(input, "-") == 0 ? stdin : fopen(input, "r");
	if (!in) {
		fprintf(stderr, "send: cannot open %s: %s\n", input, strerror(errno));
		vsd_config_free(&cfg);
		return EXIT_FAILURE_RUN;
	}
	struct sender s = {.partitions = partitions,
			   .min_replicas = min_replicas >= 0 ? min_replicas : cfg.redis.min_replicas,
			   .wait_timeout_ms = cfg.redis.wait_timeout_ms};
	/* a connection Redis closed is then an error of the write, reported
	 * with what was stored, rather than a silent death */
	signal(SIGPIPE, SIG_IGN);
	s.c = cli_redis_connect(&cfg.redis);
	if (!s.c) {
		if (in != stdin)
			fclose(in);
		vsd_config_free(&cfg);
		return EXIT_FAILURE_RUN;
	}
	if (s.min_replicas > 0) {
		/* a read may now last the WAIT timeout too */
		int ms = cfg.redis.command_timeout_ms + s.wait_timeout_ms;
		struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
		redisSetTimeout(s.c, tv);
	}

	struct jsonl_reader rd;
	jsonl_open(&rd, in);
	char *header[CSV_MAX_FIELDS];
	char *header_line = NULL;
	int nheader = 0;
	unsigned long long lines = 0, rejected = 0;
	long first_unsent = 0; /* after a lost connection: the first line not sent */
	int rc = EXIT_OK, got;
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	double last_progress = 0;
	while ((got = jsonl_next(&rd)) == 1) {
		lines++;
		struct event_field fields[JSONL_MAX_FIELDS];
		char numbufs[JSONL_MAX_FIELDS][24];
		void *handle = NULL;
		struct event_error err;
		struct registration reg;
		int n;
		if (csv) {
			if (!header_line) {
				header_line = xstrdup(rd.line);
				nheader = csv_split(header_line, header, CSV_MAX_FIELDS);
				if (nheader <= 0) {
					fprintf(stderr, "line %ld: bad_encoding: unreadable CSV header\n",
						rd.lineno);
					rc = EXIT_FAILURE_RUN;
					break;
				}
				continue;
			}
			char *vals[CSV_MAX_FIELDS];
			int nv = csv_split(rd.line, vals, CSV_MAX_FIELDS);
			if (nv != nheader) {
				n = event_error_set(&err, EV_BAD_ENCODING, "",
						    "expected %d comma-separated values, as in the header",
						    nheader);
			} else {
				n = 0;
				for (int i = 0; i < nv; i++) {
					if (!vals[i][0])
						continue; /* an empty cell is an absent field */
					fields[n++] = (struct event_field){header[i], strlen(header[i]),
									   vals[i], strlen(vals[i])};
				}
			}
		} else {
			n = jsonl_decode_fields(rd.line, fields, numbufs, &handle, &err);
		}
		if (n >= 0 && event_parse(fields, (size_t)n, cal, &reg, &err) != 0) {
			if (raw) {
				/* sent as it is: the daemon dead-letters it; the partition
				 * comes from the student field when there is one */
				str_copy(reg.student, "", sizeof reg.student);
				for (int i = 0; i < n; i++)
					if (fields[i].name_len == 7 &&
					    memcmp(fields[i].name, "student", 7) == 0 &&
					    fields[i].value_len < sizeof reg.student)
						str_copy(reg.student, fields[i].value, sizeof reg.student);
			} else {
				n = -1;
			}
		}
		if (n < 0) {
			rejected++;
			fprintf(stderr, "line %ld: %s: %s\n", rd.lineno, event_reason_code(err.reason),
				err.message);
		} else if (enqueue(&s, fields, n, reg.student) != 0) {
			jsonl_release(handle);
			/* this line was appended (its reply is unknown) unless
			 * appending itself failed; nothing after it was sent */
			first_unsent = rd.lineno + 1;
			break;
		}
		jsonl_release(handle);
		clock_gettime(CLOCK_MONOTONIC, &t);
		double el = (double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9;
		if (el - last_progress >= 2.0) {
			fprintf(stderr, "send: line %ld, %.0f lines/s\n", rd.lineno, (double)lines / el);
			last_progress = el;
		}
	}
	if (got < 0) {
		fprintf(stderr, "send: read error on %s\n", input);
		rc = EXIT_FAILURE_RUN;
	}
	if (!s.lost && drain(&s) != 0)
		first_unsent = rd.lineno + 1;
	if (s.lost) {
		/* count what was not read, so the summary can say it; not from a
		 * pipe, which may never end */
		struct stat sb;
		bool regular = fstat(fileno(in), &sb) == 0 && S_ISREG(sb.st_mode);
		unsigned long long unread = 0;
		while (regular && got == 1 && (got = jsonl_next(&rd)) == 1)
			unread++;
		char rest[64] = "";
		if (regular)
			snprintf(rest, sizeof rest, " (%llu line(s))", unread);
		fprintf(stderr,
			"send: the connection to redis was lost: %llu line(s) stored, %llu sent without "
			"a reply (perhaps stored), %llu refused, %llu invalid; from line %ld on%s "
			"nothing was sent\n",
			s.sent, (unsigned long long)s.queued + s.awaiting, s.failed, rejected,
			first_unsent, rest);
	}
	if (s.unconfirmed)
		fprintf(stderr,
			"send: %llu line(s) not stored: redis accepted them but fewer than %d "
			"replica(s) confirmed them within %d ms (a failover may lose them)\n",
			s.unconfirmed, s.min_replicas, s.wait_timeout_ms);
	fprintf(stderr, "send: %llu lines, %llu sent, %llu rejected, %llu refused by redis, "
			"%d partition(s)\n",
		lines, s.sent, rejected, s.failed, partitions);
	if (s.unconfirmed)
		rc = SEND_UNCONFIRMED;
	else if (s.lost)
		rc = SEND_LOST;
	else if (rc == EXIT_OK && s.failed)
		rc = SEND_REFUSED;
	else if (rc == EXIT_OK && rejected)
		rc = EXIT_INVALID;
	free(header_line);
	jsonl_close(&rd);
	if (in != stdin)
		fclose(in);
	redisFree(s.c);
	vsd_config_free(&cfg);
	return rc;
}
