/*
 * replay: `vroegsignaal replay` runs the rules over a file of registrations
 * with no Redis, exactly as the daemon would (RULES.md, "When rules are
 * evaluated"): registrations are applied in input order under a clock that
 * is the latest recorded_at seen (rules/clock.h); before one is applied,
 * every daily sweep whose time is at or before the clock and has not run
 * yet runs, in date order; at the end the sweeps run through --until
 * (default: the latest registration date).
 *
 * Signals go to stdout as JSON Lines in the order raised; invalid lines,
 * progress and the summary go to stderr. docs/replay.md is the reference.
 */
#include "args.h"
#include "cli.h"
#include "jsonl.h"

#include "clock.h"
#include "config.h"
#include "date.h"
#include "pupils.h"
#include "rules.h"
#include "signing.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct replay {
	struct vs_config cfg;
	struct rules_env env;
	struct pupil_table pupils;
	struct pupil_wakeq wake; /* the pupils each sweep must visit */
	struct signal_list signals;
	int32_t swept_through; /* last day swept, DATE_NONE before the first registration */
	int64_t clock_ms;      /* the latest recorded_at of a valid registration so far */
	bool summary;
	FILE *out;
	/* counts */
	unsigned long long lines, applied, invalid, nsignals;
	unsigned long long invalid_by_reason[EV_REASON_COUNT];
	unsigned long long by_rule_level[RULE_COUNT][4];
};

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void emit_signals(struct replay *rp)
{
	for (size_t i = 0; i < rp->signals.n; i++) {
		const struct signal *s = &rp->signals.v[i];
		char id[SIGNAL_ID_LEN];
		signal_id_keyed(s, rp->cfg.ids_secret, id);
		signal_write_json(s, id, rp->out);
		rp->nsignals++;
		if (s->level >= 0 && s->level < 4)
			rp->by_rule_level[s->rule][s->level]++;
	}
	signal_list_clear(&rp->signals);
}

enum { SWEEP_AHEAD = 8 }; /* pupils ahead of the sweep whose state is prefetched */

/* Runs the sweeps of the school days in (swept_through, through].
 *
 * A sweep calls rules_sweep for the pupils, in table order, that it could
 * evaluate: those with a registration applied since their last evaluation
 * and those whose sweep_wake has come. For every other pupil rules_sweep
 * would only note the day (rules/engine.c), so those are left out: the wake
 * queue holds each pupil under the first day it needs a visit. The signals
 * are the same as with a call for every pupil every school day. */
static void sweep_through(struct replay *rp, int32_t through)
{
	for (int32_t day = rp->swept_through + 1; day <= through; day++) {
		const uint32_t *due;
		size_t n = pupil_wakeq_take(&rp->wake, day, &due);
		if (!school_years_is_school_day(rp->cfg.years, NULL, day)) {
			for (size_t i = 0; i < n; i++)
				pupil_wakeq_push(&rp->wake, due[i], day + 1);
			continue;
		}
		/* pushes below go to later days: they do not touch `due` */
		for (size_t i = 0; i < n; i++) {
			if (i + 2 * SWEEP_AHEAD < n)
				pupil_entry_prefetch(&rp->pupils.v[due[i + 2 * SWEEP_AHEAD]]);
			if (i + SWEEP_AHEAD < n)
				pupil_entry_prefetch_state(&rp->pupils.v[due[i + SWEEP_AHEAD]]);
			struct pupil_entry *e = &rp->pupils.v[due[i]];
			rules_sweep(&rp->env, &e->st, e->student, day, &rp->signals);
			if (rules_sweep_idle(&e->st))
				continue; /* until a registration is applied */
			if (e->st.swept_day != day) /* a day without school for the pupil */
				pupil_wakeq_push(&rp->wake, due[i], day + 1);
			else if (e->st.sweep_wake != INT32_MAX)
				pupil_wakeq_push(&rp->wake, due[i],
						 e->st.sweep_wake > day ? e->st.sweep_wake : day + 1);
		}
		emit_signals(rp);
	}
	if (through > rp->swept_through)
		rp->swept_through = through;
}

/* Applies one valid registration: the sweeps its recorded_at makes due,
 * then its rules. */
static void apply_one(struct replay *rp, const struct registration *reg, int32_t *last_date)
{
	if (rp->swept_through == DATE_NONE || reg->recorded_ms > rp->clock_ms)
		rp->clock_ms = reg->recorded_ms;
	int32_t due = clock_swept_through(rp->clock_ms, rp->cfg.rules.sweep_minute);
	if (rp->swept_through == DATE_NONE)
		rp->swept_through = due; /* no pupil has state yet: nothing to sweep */
	sweep_through(rp, due);
	int y = school_years_index_next(rp->cfg.years, reg->date);
	struct pupil_entry *e = pupil_table_get(
		&rp->pupils, reg->student,
		y < 0 ? reg->date : school_years_view(rp->cfg.years, y, NULL)->first_day);
	rules_apply_clocked(&rp->env, &e->st, reg, rp->swept_through, &rp->signals);
	pupil_wakeq_push(&rp->wake, (uint32_t)(e - rp->pupils.v), rp->swept_through + 1);
	emit_signals(rp);
	rp->applied++;
	if (*last_date == DATE_NONE || reg->date > *last_date)
		*last_date = reg->date;
}

/* Valid registrations are parsed a few at a time and then applied in input
 * order, exactly as one by one (parsing changes nothing). Parsing ahead
 * lets each pupil's slot, entry and state be on their way into the cache
 * (pupils.h) before they are needed: at 300,000 pupils they rarely are. */
enum { REPLAY_BATCH = 16 };

static void apply_batch(struct replay *rp, const struct registration *b, size_t n,
			int32_t *last_date)
{
	for (size_t i = 0; i < n; i++) {
		if (i + 2 < n)
			pupil_table_prefetch_entry(&rp->pupils, b[i + 2].student);
		if (i + 1 < n)
			pupil_table_prefetch_state(&rp->pupils, b[i + 1].student);
		apply_one(rp, &b[i], last_date);
	}
}

/* --stats: the size of the pupil state, in memory and as encoded records. */
static void print_state_stats(const struct pupil_table *t)
{
	size_t total = 0, max = 0, regs = 0;
	for (size_t i = 0; i < t->n; i++) {
		size_t n = pupil_state_encoded_size(&t->v[i].st);
		total += n;
		if (n > max)
			max = n;
		regs += t->v[i].st.nregs;
	}
	double pupils = t->n ? (double)t->n : 1.0;
	fprintf(stderr,
		"replay: state: %zu pupils, %zu stored registrations, encoded %.0f bytes per pupil "
		"(max %zu), in memory %.0f bytes per pupil\n",
		t->n, regs, (double)total / pupils, max, (double)pupil_table_memory(t) / pupils);
}

static void usage(FILE *f)
{
	fputs("usage: vroegsignaal replay --config FILE [--until YYYY-MM-DD] [--strict]\n"
	      "                           [--summary] [--parse-only] [--stats]\n"
	      "                           [--no-final-sweep] [--ids-secret FILE]\n"
	      "                           [EVENTS.jsonl | -]\n"
	      "\n"
	      "Runs the rules over registrations (one JSON object per line) and writes one\n"
	      "JSON object per signal to stdout. Invalid lines are reported on stderr as\n"
	      "'line N: <reason code>: <message>' and skipped.\n"
	      "\n"
	      "  --config FILE      configuration (calendar and thresholds)\n"
	      "  --until DATE       run the daily sweeps through DATE (default: the latest\n"
	      "                     registration date)\n"
	      "  --strict           stop at the first invalid line with exit code 2\n"
	      "  --summary          print a table of signals per rule and level on stderr\n"
	      "  --parse-only       only read and validate (the benchmark's baseline)\n"
	      "  --stats            print the pupil state's size per pupil on stderr\n"
	      "  --no-final-sweep   no sweeps after the last registration: what the daemon's\n"
	      "                     events clock has done once it consumed the same input\n"
	      "  --ids-secret FILE  the region's id secret (default: the configuration's\n"
	      "                     ids.secret_file); signal ids are keyed with it, the same\n"
	      "                     as the daemon's task ids given the same secret\n",
	      f);
}

static void print_summary(struct replay *rp, double secs)
{
	fprintf(stderr,
		"replay: %llu lines, %llu registrations applied, %llu invalid, %llu signals, "
		"%zu pupils, %.2f s\n",
		rp->lines, rp->applied, rp->invalid, rp->nsignals, rp->pupils.n, secs);
	for (int r = 0; r < EV_REASON_COUNT; r++)
		if (rp->invalid_by_reason[r])
			fprintf(stderr, "replay:   invalid %-22s %llu\n",
				event_reason_code((enum event_reason)r), rp->invalid_by_reason[r]);
	if (!rp->summary)
		return;
	fprintf(stderr, "\n%-16s %-10s %8s\n", "rule", "level", "signals");
	fprintf(stderr, "%-16s %-10s %8s\n", "----------------", "----------", "--------");
	for (int r = 0; r < RULE_COUNT; r++)
		for (int l = 0; l < rule_level_count((enum rule_id)r); l++) {
			const char *ln = rule_level_name((enum rule_id)r, l);
			fprintf(stderr, "%-16s %-10s %8llu\n", rule_name((enum rule_id)r),
				ln ? ln : "-", rp->by_rule_level[r][l]);
		}
	fprintf(stderr, "%-16s %-10s %8llu\n", "total", "", rp->nsignals);
}

int cmd_replay(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'}, {"until", required_argument, NULL, 'u'},
		{"strict", no_argument, NULL, 's'},       {"summary", no_argument, NULL, 'S'},
		{"parse-only", no_argument, NULL, 'P'},   {"help", no_argument, NULL, 'h'},
		{"stats", no_argument, NULL, 'T'},
		{"no-final-sweep", no_argument, NULL, 'N'},
		{"ids-secret", required_argument, NULL, 'I'},
		{NULL, 0, NULL, 0},
	};
	const char *config_path = NULL, *until_text = NULL, *secret_path = NULL;
	bool strict = false, parse_only = false, summary = false, stats = false;
	bool final_sweep = true;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:u:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config_path = optarg; break;
		case 'u': until_text = optarg; break;
		case 's': strict = true; break;
		case 'S': summary = true; break;
		case 'P': parse_only = true; break;
		case 'T': stats = true; break;
		case 'N': final_sweep = false; break;
		case 'I': secret_path = optarg; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (!config_path)
		return cli_usage_error(stderr, "replay", "--config FILE is required");
	if (argc - optind > 1)
		return cli_usage_error(stderr, "replay", "expected one input file, not also '%s'",
				       argv[optind + 1]);
	int32_t until = DATE_NONE;
	if (until_text && date_parse(until_text, &until) != 0) {
		fprintf(stderr, "vroegsignaal replay: --until: expected a date YYYY-MM-DD, not '%s'\n",
			until_text);
		return EXIT_USAGE;
	}
	const char *input = optind < argc ? argv[optind] : "-";
	FILE *in = strcmp(input, "-") == 0 ? stdin : fopen(input, "r");
	if (!in) {
		fprintf(stderr, "replay: cannot open %s: %s\n", input, strerror(errno));
		return EXIT_FAILURE_RUN;
	}

	static struct replay rp; /* large; zeroed, one per process */
	memset(&rp, 0, sizeof rp);
	char *errors = NULL;
	if (config_load(config_path, &rp.cfg, &errors) != 0) {
		fprintf(stderr, "replay: invalid configuration:\n%s", errors);
		free(errors);
		config_free(&rp.cfg);
		if (in != stdin)
			fclose(in);
		return EXIT_FAILURE_RUN;
	}
	if (!parse_only) {
		/* ids are keyed, as the daemon's (connectors/signing.c) */
		char why[600];
		rp.cfg.ids_secret = ids_secret_read(secret_path ? secret_path : rp.cfg.ids_secret_file,
						    why, sizeof why);
		if (!rp.cfg.ids_secret) {
			fprintf(stderr, "replay: %s%s\n", why,
				secret_path ? "" : " (or give one with --ids-secret FILE)");
			config_free(&rp.cfg);
			if (in != stdin)
				fclose(in);
			return EXIT_FAILURE_RUN;
		}
	}
	rp.env.rc = &rp.cfg.rules;
	rp.env.years = rp.cfg.years;
	rp.summary = summary;
	rp.out = stdout;
	rp.swept_through = DATE_NONE;
	pupil_table_init(&rp.pupils);
	pupil_wakeq_init(&rp.wake);
	static char outbuf[1 << 16];
	setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);

	struct jsonl_reader rd;
	jsonl_open(&rd, in);
	int exit_code = EXIT_OK;
	int32_t last_date = DATE_NONE;
	static struct registration batch[REPLAY_BATCH];
	size_t nbatch = 0;
	double start = now_seconds(), last_progress = start;
	int got;
	while ((got = jsonl_next(&rd)) == 1) {
		rp.lines++;
		if ((rp.lines & 0x3fff) == 0) {
			double t = now_seconds();
			if (t - last_progress >= 2.0) {
				fprintf(stderr, "replay: line %ld, %.0f lines/s, %llu signals\n",
					rd.lineno, (double)rp.lines / (t - start), rp.nsignals);
				last_progress = t;
			}
		}
		struct registration reg;
		struct event_error err;
		int parsed = jsonl_parse_registration(rd.line, rp.cfg.years, &reg, &err);
		if (parsed == 0 && clock_recorded_at_bad(&reg, -1))
			parsed = event_error_set(&err, EV_BAD_RECORDED_AT, "recorded_at",
						 "recorded_at is more than %d days after the date",
						 CLOCK_MAX_LATE_DAYS);
		if (parsed != 0) {
			rp.invalid++;
			rp.invalid_by_reason[err.reason]++;
			fprintf(stderr, "line %ld: %s: %s\n", rd.lineno, event_reason_code(err.reason),
				err.message);
			if (strict) {
				exit_code = EXIT_INVALID;
				break;
			}
			continue;
		}
		if (parse_only) {
			rp.applied++;
			continue;
		}
		batch[nbatch++] = reg;
		pupil_table_prefetch_slot(&rp.pupils, reg.student);
		if (nbatch == REPLAY_BATCH) {
			apply_batch(&rp, batch, nbatch, &last_date);
			nbatch = 0;
		}
	}
	apply_batch(&rp, batch, nbatch, &last_date);
	if (got < 0) {
		fprintf(stderr, "replay: read error on %s\n", input);
		exit_code = EXIT_FAILURE_RUN;
	}
	if (exit_code == EXIT_OK && !parse_only && final_sweep && rp.swept_through != DATE_NONE)
		sweep_through(&rp, until != DATE_NONE ? until : last_date);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "replay: writing the signals failed: %s\n", strerror(errno));
		exit_code = EXIT_FAILURE_RUN;
	}
	print_summary(&rp, now_seconds() - start);
	if (stats)
		print_state_stats(&rp.pupils);
	jsonl_close(&rd);
	if (in != stdin)
		fclose(in);
	pupil_table_free(&rp.pupils);
	pupil_wakeq_free(&rp.wake);
	signal_list_free(&rp.signals);
	config_free(&rp.cfg);
	return exit_code;
}
