/*
 * census: `vroegsignaal census`, the pact's quarterly count (issue 16,
 * docs/census.md). For each census date and scope (the region, each school,
 * each sector) it counts the pupils in a run of unauthorised (lrv) or sick
 * (long_sick) days by run length, the absolute and leerplicht_16u signals of
 * the period, and the cases opened per role.
 *
 * Two sources, one count (rules/census.c):
 *   replay mode (--replay FILE) runs the rules over a file of registrations
 *     under the same clock as `vroegsignaal replay`, then counts from the
 *     pupil states it built; cases per role are the first signal of each
 *     (pupil, default-route role, topic) (no acknowledgements, so no case
 *     closes: null for the share acknowledged);
 *   live mode (--config with redis settings, or --redis) reads every
 *     partition's pupil states (HSCAN vs:{p}:state) and task records
 *     (vs:{p}:task:<id>): an assignment that opened its case (or has
 *     none) counts, an update or a later separate task of a case does
 *     not; read only, with blocking hiredis.
 *
 * Counts only: no pupil key is ever printed. A scope with fewer pupils than
 * census.min_pupils shows "< N" for every value.
 */
#include "cli.h"
#include "jsonl.h"
#include "redisopt.h"

#include "census.h"
#include "clock.h"
#include "config.h"
#include "date.h"
#include "dconfig.h"
#include "keys.h"
#include "pupils.h"
#include "rdecode.h"
#include "routing.h"
#include "rules.h"
#include "statescan.h"
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <hiredis/hiredis.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CENSUS_MAX_DATES 64

struct scope {
	char name[48]; /* "region", "school:<code>", "sector:<name>" */
	struct census_counts n[CENSUS_MAX_DATES];
	long long roles[CENSUS_MAX_DATES][ROLE_COUNT];
	long long assigned[CENSUS_MAX_DATES], acked[CENSUS_MAX_DATES];
};

struct census {
	const struct rules_env *env;
	int ndates;
	int32_t dates[CENSUS_MAX_DATES], from[CENSUS_MAX_DATES];
	struct scope *scopes; /* [0] is the region */
	int nscopes;
	bool roles_known;     /* cases per role can be counted (replay, or live with task records) */
	bool acks_known;      /* acknowledgements can be counted (live with task records) */
	int min_pupils;
};

/* The scope's index (scopes move when one is added: hold indices, not
 * pointers). */
static int scope_get(struct census *cs, const char *kind, const char *name)
{
	char full[sizeof cs->scopes->name];
	if (kind)
		snprintf(full, sizeof full, "%s:%s", kind, name);
	else
		str_copy(full, name, sizeof full);
	for (int i = 0; i < cs->nscopes; i++)
		if (strcmp(cs->scopes[i].name, full) == 0)
			return i;
	cs->scopes = xrealloc(cs->scopes, (size_t)(cs->nscopes + 1) * sizeof *cs->scopes);
	struct scope *s = &cs->scopes[cs->nscopes++];
	memset(s, 0, sizeof *s);
	str_copy(s->name, full, sizeof s->name);
	return cs->nscopes - 1;
}

/* The scopes a pupil or task counts in: region, its school, its sector. */
static int scopes_of(struct census *cs, const char *school, int sector, int out[3])
{
	int n = 0;
	out[n++] = scope_get(cs, NULL, "region");
	if (school && *school)
		out[n++] = scope_get(cs, "school", school);
	if (sector >= 0 && sector < SECTOR_COUNT)
		out[n++] = scope_get(cs, "sector", sector_name((enum sector)sector));
	return n;
}

static void add_counts(struct census_counts *to, const struct census_counts *c)
{
	to->pupils += c->pupils;
	for (int b = 0; b < CENSUS_BUCKETS; b++) {
		to->lrv[b] += c->lrv[b];
		to->long_sick[b] += c->long_sick[b];
	}
	to->absolute_new += c->absolute_new;
	to->reports_16u += c->reports_16u;
}

static void census_add_pupil(struct census *cs, const struct pupil_state *st)
{
	int sc[3];
	int n = scopes_of(cs, st->school, st->sector, sc);
	for (int q = 0; q < cs->ndates; q++) {
		struct census_counts c;
		memset(&c, 0, sizeof c);
		census_count_pupil(cs->env, st, cs->dates[q], cs->from[q], &c);
		for (int i = 0; i < n; i++)
			add_counts(&cs->scopes[sc[i]].n[q], &c);
	}
}

/* One task of a role, dated `date`, for school and sector; acked: -1 no
 * acknowledgement data, 0 not within the window, 1 within. */
static void census_add_task(struct census *cs, int32_t date, const char *school, int sector,
			    int role, int acked)
{
	if (role < 0 || role >= ROLE_COUNT)
		return;
	int sc[3];
	int n = scopes_of(cs, school, sector, sc);
	for (int q = 0; q < cs->ndates; q++) {
		if (date < cs->from[q] || date > cs->dates[q])
			continue;
		for (int i = 0; i < n; i++) {
			struct scope *s = &cs->scopes[sc[i]];
			s->roles[q][role]++;
			if (acked >= 0) {
				s->assigned[q]++;
				s->acked[q] += acked;
			}
		}
	}
}

/* ---- replay mode ---- */

struct census_replay {
	struct rules_env env;
	struct pupil_table pupils;
	struct signal_list signals;
	int32_t swept_through;
	int64_t clock_ms;
	struct census *cs;       /* NULL until the dates are known */
	struct signal_list kept; /* signals raised, for cases per role */
};

static void keep_signals(struct census_replay *rp)
{
	for (size_t i = 0; i < rp->signals.n; i++)
		*signal_list_push(&rp->kept) = rp->signals.v[i];
	signal_list_clear(&rp->signals);
}

static void replay_sweep_through(struct census_replay *rp, const struct school_years *ys,
				 int32_t through)
{
	for (int32_t day = rp->swept_through + 1; day <= through; day++) {
		if (!school_years_is_school_day(ys, NULL, day))
			continue;
		for (size_t i = 0; i < rp->pupils.n; i++) {
			struct pupil_entry *e = &rp->pupils.v[i];
			rules_sweep(&rp->env, &e->st, e->student, day, &rp->signals);
		}
		keep_signals(rp);
	}
	if (through > rp->swept_through)
		rp->swept_through = through;
}

/* Applies the file's registrations as `vroegsignaal replay` does. Returns
 * 0 (with *last_date the latest registration date) or -1. */
static int replay_file(struct census_replay *rp, const struct vs_config *cfg, const char *path,
		       int32_t *last_date)
{
	FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (!in) {
		fprintf(stderr, "census: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	struct jsonl_reader rd;
	jsonl_open(&rd, in);
	unsigned long long invalid = 0;
	int got;
	*last_date = DATE_NONE;
	while ((got = jsonl_next(&rd)) == 1) {
		struct registration reg;
		struct event_error err;
		if (jsonl_parse_registration(rd.line, cfg->years, &reg, &err) != 0 ||
		    clock_recorded_at_bad(&reg, -1)) {
			invalid++;
			continue;
		}
		if (rp->swept_through == DATE_NONE || reg.recorded_ms > rp->clock_ms)
			rp->clock_ms = reg.recorded_ms;
		int32_t due = clock_swept_through(rp->clock_ms, cfg->rules.sweep_minute);
		if (rp->swept_through == DATE_NONE)
			rp->swept_through = due;
		replay_sweep_through(rp, cfg->years, due);
		int y = school_years_index_next(cfg->years, reg.date);
		struct pupil_entry *e = pupil_table_get(
			&rp->pupils, reg.student,
			y < 0 ? reg.date : school_years_view(cfg->years, y, NULL)->first_day);
		rules_apply_clocked(&rp->env, &e->st, &reg, rp->swept_through, &rp->signals);
		keep_signals(rp);
		if (*last_date == DATE_NONE || reg.date > *last_date)
			*last_date = reg.date;
	}
	jsonl_close(&rd);
	if (in != stdin)
		fclose(in);
	if (got < 0) {
		fprintf(stderr, "census: read error on %s\n", path);
		return -1;
	}
	if (invalid)
		fprintf(stderr, "census: %llu invalid lines skipped (vroegsignaal replay names them)\n",
			invalid);
	return 0;
}

/* One (pupil, role, topic) a signal reaches, in raise order. */
struct case_key {
	char key[EVENT_TEXT_MAX + 48];
	size_t order;
};

static int case_key_cmp(const void *a, const void *b)
{
	const struct case_key *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : x->order < y->order ? -1 : x->order > y->order;
}

/* Without partners or acknowledgements no case closes, so a case opens at
 * the first signal of each (pupil, role, topic) (RULES.md "Cases"); the
 * later ones are its updates or its separate tasks. */
static void replay_count(struct census_replay *rp, struct census *cs, int adult_age)
{
	for (size_t i = 0; i < rp->pupils.n; i++)
		census_add_pupil(cs, &rp->pupils.v[i].st);
	struct case_key *keys = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < rp->kept.n; i++) {
		const struct signal *s = &rp->kept.v[i];
		unsigned roles = route_default_roles(s, adult_age);
		const char *topic = rule_topic(rule_name(s->rule));
		for (int r = 0; r < ROLE_COUNT; r++) {
			if (!(roles & (1u << r)))
				continue;
			if (n == cap) {
				cap = cap ? 2 * cap : 256;
				keys = xrealloc(keys, cap * sizeof *keys);
			}
			snprintf(keys[n].key, sizeof keys[n].key, "%s|%d|%s", s->student, r,
				 topic ? topic : "");
			keys[n].order = i * ROLE_COUNT + (size_t)r;
			n++;
		}
	}
	if (n)
		qsort(keys, n, sizeof *keys, case_key_cmp);
	for (size_t k = 0; k < n; k++) {
		if (k > 0 && strcmp(keys[k].key, keys[k - 1].key) == 0)
			continue;
		const struct signal *s = &rp->kept.v[keys[k].order / ROLE_COUNT];
		census_add_task(cs, s->date, s->school, s->sector, (int)(keys[k].order % ROLE_COUNT), -1);
	}
	free(keys);
	cs->roles_known = true;
}

/* ---- live mode ---- */

static bool reply_failed(redisContext *c, redisReply *r, const char *what)
{
	if (!r) {
		fprintf(stderr, "census: redis: %s: %s\n", what, c->errstr);
		return true;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		fprintf(stderr, "census: redis: %s: %s\n", what, r->str);
		freeReplyObject(r);
		return true;
	}
	return false;
}

/* census_add_pupil for statescan_page. */
static void census_add_state(const struct pupil_state *st, void *arg)
{
	census_add_pupil(arg, st);
}

static int live_states(redisContext *c, int p, struct census *cs, long long *bad)
{
	char cursor[32] = "0", key[KEY_MAX];
	key_build(key, sizeof key, p, KEY_STATE, NULL);
	do {
		redisReply *r = redisCommand(c, "HSCAN %s %s COUNT 500", key, cursor);
		if (reply_failed(c, r, "HSCAN"))
			return -1;
		if (statescan_page(r, cursor, sizeof cursor, census_add_state, cs, bad) != 0) {
			fprintf(stderr, "census: redis: unexpected HSCAN reply\n");
			freeReplyObject(r);
			return -1;
		}
		freeReplyObject(r);
	} while (strcmp(cursor, "0") != 0);
	return 0;
}

static redisReply *hash_field(redisReply *h, const char *name)
{
	for (size_t i = 0; i + 1 < h->elements; i += 2)
		if (h->element[i]->type == REDIS_REPLY_STRING && strcmp(h->element[i]->str, name) == 0)
			return h->element[i + 1];
	return NULL;
}

/* Whether partner pid's assignment of task id opened its case: the case
 * record names its opening task. */
static bool opened_case(redisContext *c, const char *pre, const char *cid, const char *id)
{
	redisReply *r = redisCommand(c, "HGET %scase:%s task", pre, cid);
	bool yes = r && r->type == REDIS_REPLY_STRING && strcmp(r->str, id) == 0;
	freeReplyObject(r);
	return yes;
}

/* One task record: a partner assignment counts for its role when it opened
 * a case, or has none (a task of its own); an update, or a separate task
 * of a case already open, is no new case. */
static void live_task(redisContext *c, const char *pre, struct census *cs, redisReply *h)
{
	redisReply *parts = hash_field(h, "partners");
	if (!parts || parts->type != REDIS_REPLY_STRING)
		return;
	char *js = rd_task_json(rd_flat_get, h);
	json_t *t = js ? json_loads(js, 0, NULL) : NULL;
	free(js);
	if (!t)
		return;
	const char *date_s = json_string_value(json_object_get(t, "date"));
	const char *school = json_string_value(json_object_get(t, "school"));
	const char *sector_s = json_string_value(json_object_get(t, "sector"));
	const char *id = json_string_value(json_object_get(t, "id"));
	int32_t date;
	int sector = -1;
	for (int s = 0; sector_s && s < SECTOR_COUNT; s++)
		if (strcmp(sector_s, sector_name((enum sector)s)) == 0)
			sector = s;
	if (date_s && date_parse(date_s, &date) == 0) {
		char list[512];
		str_copy(list, parts->str, sizeof list);
		char *save = NULL;
		for (char *pid = strtok_r(list, ",", &save); pid; pid = strtok_r(NULL, ",", &save)) {
			char key[160];
			snprintf(key, sizeof key, "%s.role", pid);
			redisReply *role = hash_field(h, key);
			snprintf(key, sizeof key, "%s.due", pid);
			redisReply *due = hash_field(h, key);
			snprintf(key, sizeof key, "%s.acked_ms", pid);
			redisReply *acked = hash_field(h, key);
			snprintf(key, sizeof key, "%s.state", pid);
			redisReply *state = hash_field(h, key);
			snprintf(key, sizeof key, "%s.case", pid);
			redisReply *cid = hash_field(h, key);
			if (!role || role->type != REDIS_REPLY_STRING)
				continue;
			if (state && state->type == REDIS_REPLY_STRING && strcmp(state->str, "update") == 0)
				continue;
			if (cid && cid->type == REDIS_REPLY_STRING &&
			    (!id || !opened_case(c, pre, cid->str, id)))
				continue;
			int within = acked && acked->type == REDIS_REPLY_STRING && due &&
				     due->type == REDIS_REPLY_STRING &&
				     atoll(acked->str) <= atoll(due->str);
			census_add_task(cs, date, school, sector, role_by_name(role->str), within);
		}
	}
	json_decref(t);
}

static int live_tasks(redisContext *c, int p, struct census *cs, long long *records)
{
	char cursor[32] = "0", pattern[KEY_MAX], pre[KEY_PREFIX_MAX];
	key_build(pattern, sizeof pattern, p, KEY_TASK, "*");
	key_prefix(pre, p);
	do {
		redisReply *r = redisCommand(c, "SCAN %s MATCH %s COUNT 500", cursor, pattern);
		if (reply_failed(c, r, "SCAN"))
			return -1;
		if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
		    r->element[1]->type != REDIS_REPLY_ARRAY) {
			freeReplyObject(r);
			return -1;
		}
		str_copy(cursor, r->element[0]->str, sizeof cursor);
		for (size_t i = 0; i < r->element[1]->elements; i++) {
			redisReply *k = r->element[1]->element[i];
			if (k->type != REDIS_REPLY_STRING)
				continue;
			redisReply *h = redisCommand(c, "HGETALL %b", k->str, k->len);
			if (reply_failed(c, h, "HGETALL")) {
				freeReplyObject(r);
				return -1;
			}
			if (h->type == REDIS_REPLY_ARRAY && h->elements > 0) {
				(*records)++;
				live_task(c, pre, cs, h);
			}
			freeReplyObject(h);
		}
		freeReplyObject(r);
	} while (strcmp(cursor, "0") != 0);
	return 0;
}

/* ---- output ---- */

static int scope_cmp(const void *a, const void *b)
{
	return strcmp(((const struct scope *)a)->name, ((const struct scope *)b)->name);
}

static void put_count(FILE *f, const struct census *cs, bool hide, long long v)
{
	if (hide)
		fprintf(f, "\"< %d\"", cs->min_pupils);
	else
		fprintf(f, "%lld", v);
}

static void put_buckets(FILE *f, const struct census *cs, bool hide, const long long *v)
{
	fputc('{', f);
	for (int b = 0; b < CENSUS_BUCKETS; b++) {
		fprintf(f, "%s\"%s\":", b ? "," : "", census_bucket_names[b]);
		put_count(f, cs, hide, v[b]);
	}
	fputc('}', f);
}

static void write_json(FILE *f, const struct census *cs, const char *only)
{
	for (int q = 0; q < cs->ndates; q++)
		for (int i = 0; i < cs->nscopes; i++) {
			const struct scope *s = &cs->scopes[i];
			if (only && strcmp(only, s->name) != 0)
				continue;
			bool hide = s->n[q].pupils < cs->min_pupils;
			char date[11], from[11];
			date_format(cs->dates[q], date);
			date_format(cs->from[q], from);
			fprintf(f, "{\"census_date\":\"%s\",\"period_from\":\"%s\",\"scope\":\"%s\",",
				date, from, s->name);
			fputs("\"lrv\":", f);
			put_buckets(f, cs, hide, s->n[q].lrv);
			fputs(",\"long_sick\":", f);
			put_buckets(f, cs, hide, s->n[q].long_sick);
			fputs(",\"absolute_new\":", f);
			put_count(f, cs, hide, s->n[q].absolute_new);
			fputs(",\"reports_16u\":", f);
			put_count(f, cs, hide, s->n[q].reports_16u);
			fputs(",\"cases_opened\":", f);
			if (!cs->roles_known) {
				fputs("null", f);
			} else {
				fputc('{', f);
				for (int r = 0; r < ROLE_COUNT; r++) {
					fprintf(f, "%s\"%s\":", r ? "," : "", role_name((enum role)r));
					put_count(f, cs, hide, s->roles[q][r]);
				}
				fputc('}', f);
			}
			fputs(",\"acked_within_window\":", f);
			if (!cs->acks_known || s->assigned[q] == 0)
				fputs("null", f);
			else if (hide)
				fprintf(f, "\"< %d\"", cs->min_pupils);
			else
				fprintf(f, "%.3f", (double)s->acked[q] / (double)s->assigned[q]);
			fputs("}\n", f);
		}
}

/* A table cell: the count, "< N", or "-" where there is no data. */
static void cell(char *buf, size_t cap, const struct census *cs, bool hide, long long v)
{
	if (hide)
		snprintf(buf, cap, "< %d", cs->min_pupils);
	else
		snprintf(buf, cap, "%lld", v);
}

enum row_kind { ROW_LRV, ROW_SICK, ROW_LRV_TOTAL, ROW_SICK_TOTAL, ROW_ABS, ROW_16U, ROW_ROLE,
		ROW_ACKED };

/* One row of a scope's table: its label and what it counts. */
struct row {
	char label[64];
	enum row_kind k;
	int arg;
};

static void row_add(struct row *rows, int *nrows, enum row_kind k, int arg, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void row_add(struct row *rows, int *nrows, enum row_kind k, int arg, const char *fmt, ...)
{
	struct row *w = &rows[(*nrows)++];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->label, sizeof w->label, fmt, ap);
	va_end(ap);
	w->k = k;
	w->arg = arg;
}

static void row_value(char *buf, size_t cap, const struct census *cs, const struct scope *s,
		      int q, enum row_kind k, int arg)
{
	bool hide = s->n[q].pupils < cs->min_pupils;
	const struct census_counts *n = &s->n[q];
	long long v = 0;
	switch (k) {
	case ROW_LRV: v = n->lrv[arg]; break;
	case ROW_SICK: v = n->long_sick[arg]; break;
	case ROW_LRV_TOTAL:
		for (int b = 0; b < CENSUS_BUCKETS; b++)
			v += n->lrv[b];
		break;
	case ROW_SICK_TOTAL:
		for (int b = 0; b < CENSUS_BUCKETS; b++)
			v += n->long_sick[b];
		break;
	case ROW_ABS: v = n->absolute_new; break;
	case ROW_16U: v = n->reports_16u; break;
	case ROW_ROLE:
		if (!cs->roles_known) {
			snprintf(buf, cap, "-");
			return;
		}
		v = s->roles[q][arg];
		break;
	case ROW_ACKED:
		if (!cs->acks_known || s->assigned[q] == 0)
			snprintf(buf, cap, "-");
		else if (hide)
			snprintf(buf, cap, "< %d", cs->min_pupils);
		else
			snprintf(buf, cap, "%.0f %%", 100.0 * (double)s->acked[q] / (double)s->assigned[q]);
		return;
	}
	cell(buf, cap, cs, hide, v);
}

static void write_table(FILE *f, const struct census *cs, const char *only, bool csv)
{
	static const char *const bucket_label[CENSUS_BUCKETS] = {
		"4 weeks - 3 months", "3 months - 1 year", "longer than 1 year"};
	for (int i = 0; i < cs->nscopes; i++) {
		const struct scope *s = &cs->scopes[i];
		if (only && strcmp(only, s->name) != 0)
			continue;
		if (csv)
			fprintf(f, "%s%s", i && !only ? "\n" : "", s->name);
		else
			fprintf(f, "%s### %s\n\n| |", i && !only ? "\n" : "", s->name);
		for (int q = 0; q < cs->ndates; q++) {
			char d[11];
			date_format(cs->dates[q], d);
			fprintf(f, csv ? ",%s" : " %s |", d);
		}
		if (!csv) {
			fputs("\n|---|", f);
			for (int q = 0; q < cs->ndates; q++)
				fputs("---:|", f);
		}
		fputc('\n', f);
		struct row rows[32];
		int nrows = 0;
		for (int b = 0; b < CENSUS_BUCKETS; b++)
			row_add(rows, &nrows, ROW_LRV, b, "LRV / thuiszitters, %s", bucket_label[b]);
		row_add(rows, &nrows, ROW_LRV_TOTAL, 0, "LRV / thuiszitters, total");
		for (int b = 0; b < CENSUS_BUCKETS; b++)
			row_add(rows, &nrows, ROW_SICK, b, "long-sick, %s", bucket_label[b]);
		row_add(rows, &nrows, ROW_SICK_TOTAL, 0, "long-sick, total");
		row_add(rows, &nrows, ROW_ABS, 0, "new absolute verzuimers");
		row_add(rows, &nrows, ROW_16U, 0, "16-hour reports (leerplicht)");
		for (int r = 0; r < ROLE_COUNT; r++)
			row_add(rows, &nrows, ROW_ROLE, r, "cases for %s", role_name((enum role)r));
		row_add(rows, &nrows, ROW_ACKED, 0, "acknowledged within window");
		for (int r = 0; r < nrows; r++) {
			fprintf(f, csv ? "%s" : "| %s |", rows[r].label);
			for (int q = 0; q < cs->ndates; q++) {
				char v[32];
				row_value(v, sizeof v, cs, s, q, rows[r].k, rows[r].arg);
				fprintf(f, csv ? ",%s" : " %s |", v);
			}
			fputc('\n', f);
		}
	}
}

static void usage(FILE *f)
{
	fputs("usage: vroegsignaal census --config FILE [--replay EVENTS.jsonl | --redis ADDR]\n"
	      "                           [--partitions P] [--date YYYY-MM-DD] [--from YYYY-MM-DD]\n"
	      "                           [--quarters N] [--format json|markdown|csv]\n"
	      "                           [--scope NAME] [--min-pupils N]\n"
	      "\n"
	      "The pact's quarterly census (docs/census.md): pupils in a run of unauthorised\n"
	      "(lrv) or sick (long_sick) days by run length, new absolute verzuimers, 16-hour\n"
	      "reports and cases opened per role, per scope (region, school:<code>, sector:<name>).\n"
	      "\n"
	      "  --replay FILE    count from a file of registrations (replay mode); without\n"
	      "                   it, from the partitions' pupil states in Redis (read only)\n"
	      "  --date DATE      the census date (default: today; replay: the latest\n"
	      "                   registration date)\n"
	      "  --quarters N     the last N quarterly census dates on or before --date (the\n"
	      "                   last school day of September, December, March and June)\n"
	      "  --from DATE      the first period starts on DATE (default: the day after the\n"
	      "                   previous quarterly census date)\n"
	      "  --format F       json (one object per census date and scope, the default),\n"
	      "                   markdown or csv (rows the categories, columns the dates)\n"
	      "  --scope NAME     only this scope (e.g. region, school:01AC, sector:vo)\n"
	      "  --min-pupils N   scopes with fewer pupils show \"< N\" (census.min_pupils, 5)\n",
	      f);
}

static int32_t today_local(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return clock_local_date((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* Fills the census dates and periods. */
static int set_dates(struct census *cs, const struct school_years *ys, int32_t date,
		     int quarters, int32_t from)
{
	if (quarters > 0) {
		cs->ndates = census_quarter_dates(ys, date, quarters, cs->dates);
		if (cs->ndates == 0) {
			fprintf(stderr, "census: no quarterly census date on or before the date in the "
				"configured school years\n");
			return -1;
		}
	} else {
		cs->ndates = 1;
		cs->dates[0] = date;
	}
	for (int q = 0; q < cs->ndates; q++)
		cs->from[q] = q > 0 ? cs->dates[q - 1] + 1 : census_period_from(ys, cs->dates[q]);
	if (from != DATE_NONE) {
		if (from > cs->dates[0]) {
			fprintf(stderr, "census: --from lies after the first census date\n");
			return -1;
		}
		cs->from[0] = from;
	}
	return 0;
}

int cmd_census(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},  {"redis", required_argument, NULL, 'r'},
		{"partitions", required_argument, NULL, 'p'}, {"replay", required_argument, NULL, 'R'},
		{"date", required_argument, NULL, 'd'},    {"from", required_argument, NULL, 'f'},
		{"quarters", required_argument, NULL, 'q'}, {"format", required_argument, NULL, 'F'},
		{"scope", required_argument, NULL, 's'},   {"min-pupils", required_argument, NULL, 'm'},
		{"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
	};
	const char *config_path = NULL, *redis_addr = NULL, *replay_path = NULL;
	const char *date_text = NULL, *from_text = NULL, *format = "json", *only = NULL;
	int partitions = 0, quarters = 0, min_pupils = 0;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:r:p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config_path = optarg; break;
		case 'r': redis_addr = optarg; break;
		case 'p': partitions = atoi(optarg); break;
		case 'R': replay_path = optarg; break;
		case 'd': date_text = optarg; break;
		case 'f': from_text = optarg; break;
		case 'q': quarters = atoi(optarg); break;
		case 'F': format = optarg; break;
		case 's': only = optarg; break;
		case 'm': min_pupils = atoi(optarg); break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_FAILURE_RUN;
		}
	}
	bool csv = strcmp(format, "csv") == 0, md = strcmp(format, "markdown") == 0;
	if (optind != argc || !config_path || partitions < 0 || partitions > 1024 ||
	    quarters < 0 || quarters > CENSUS_MAX_DATES || min_pupils < 0 ||
	    (!csv && !md && strcmp(format, "json") != 0) || (replay_path && redis_addr)) {
		usage(stderr);
		return EXIT_FAILURE_RUN;
	}
	int32_t date = DATE_NONE, from = DATE_NONE;
	if ((date_text && date_parse(date_text, &date) != 0) ||
	    (from_text && date_parse(from_text, &from) != 0)) {
		fprintf(stderr, "census: --date and --from take a date YYYY-MM-DD\n");
		return EXIT_FAILURE_RUN;
	}

	struct vsd_config cfg;
	memset(&cfg, 0, sizeof cfg);
	if (cli_redis_setup("census", config_path, redis_addr, &partitions, &cfg) != 0)
		return EXIT_FAILURE_RUN;
	struct rules_env env = {&cfg.base.rules, cfg.base.years};
	static struct census cs; /* large; one per process */
	memset(&cs, 0, sizeof cs);
	cs.env = &env;
	cs.min_pupils = min_pupils > 0 ? min_pupils : cfg.base.census_min_pupils;
	scope_get(&cs, NULL, "region");
	int result = EXIT_OK;
	redisContext *rc = NULL;
	struct census_replay rp;
	memset(&rp, 0, sizeof rp);
	pupil_table_init(&rp.pupils);

	if (replay_path) {
		rp.env = env;
		rp.swept_through = DATE_NONE;
		int32_t last;
		if (replay_file(&rp, &cfg.base, replay_path, &last) != 0) {
			result = EXIT_FAILURE_RUN;
			goto out;
		}
		if (date == DATE_NONE)
			date = last != DATE_NONE ? last : today_local();
		if (set_dates(&cs, cfg.base.years, date, quarters, from) != 0) {
			result = EXIT_FAILURE_RUN;
			goto out;
		}
		/* the sweeps through the last census date, as the clock would run them */
		int32_t through = cs.dates[cs.ndates - 1];
		if (last != DATE_NONE && last > through)
			through = last;
		if (through > school_years_last_day(cfg.base.years))
			through = school_years_last_day(cfg.base.years);
		if (rp.swept_through != DATE_NONE)
			replay_sweep_through(&rp, cfg.base.years, through);
		replay_count(&rp, &cs, cfg.base.rules.adult_age);
	} else {
		if (date == DATE_NONE)
			date = today_local();
		if (set_dates(&cs, cfg.base.years, date, quarters, from) != 0) {
			result = EXIT_FAILURE_RUN;
			goto out;
		}
		rc = cli_redis_connect(&cfg.redis);
		if (!rc) {
			result = EXIT_FAILURE_RUN;
			goto out;
		}
		long long bad = 0, records = 0;
		for (int p = 0; p < partitions; p++)
			if (live_states(rc, p, &cs, &bad) != 0 || live_tasks(rc, p, &cs, &records) != 0) {
				result = EXIT_FAILURE_RUN;
				goto out;
			}
		if (bad)
			fprintf(stderr, "census: %lld unreadable pupil states left out\n", bad);
		cs.roles_known = cs.acks_known = records > 0;
	}
	qsort(cs.scopes + 1, (size_t)(cs.nscopes - 1), sizeof *cs.scopes, scope_cmp);
	if (csv || md)
		write_table(stdout, &cs, only, csv);
	else
		write_json(stdout, &cs, only);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "census: writing the output failed: %s\n", strerror(errno));
		result = EXIT_FAILURE_RUN;
	}
out:
	if (rc)
		redisFree(rc);
	pupil_table_free(&rp.pupils);
	signal_list_free(&rp.signals);
	signal_list_free(&rp.kept);
	free(cs.scopes);
	vsd_config_free(&cfg);
	return result;
}
