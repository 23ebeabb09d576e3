/*
 * signal: the signal list, deterministic ids and the JSON form replay
 * writes (docs/replay.md lists its fields).
 */
#include "rules.h"

#include "date.h"
#include "util.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void signal_list_free(struct signal_list *l)
{
	free(l->v);
	memset(l, 0, sizeof *l);
}

void signal_list_clear(struct signal_list *l)
{
	l->n = 0;
}

struct signal *signal_list_push(struct signal_list *l)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	struct signal *s = &l->v[l->n++];
	memset(s, 0, sizeof *s);
	return s;
}

size_t signal_id_material(const struct signal *s, char *buf, size_t cap)
{
	char day[DATE_STRLEN];
	const char *level = rule_level_name(s->rule, s->level);
	date_format(s->period_key, day);
	int n = snprintf(buf, cap, "%s|%s|%s|%s", rule_name(s->rule), level ? level : "", s->student,
			 day);
	return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

void signal_facts_json(const struct signal *s, char *buf, size_t cap)
{
	size_t len = (size_t)snprintf(buf, cap, "{");
	for (int i = 0; i < s->nfacts && len < cap; i++) {
		const struct fact *f = &s->facts[i];
		char value[DATE_STRLEN + 24];
		if (f->type == FACT_DATE) {
			char d[DATE_STRLEN];
			date_format((int32_t)f->value, d);
			snprintf(value, sizeof value, "\"%s\"", d);
		} else if (f->type == FACT_PCT) {
			snprintf(value, sizeof value, "%" PRId64 ".%02" PRId64, f->value / 100,
				 f->value % 100);
		} else {
			snprintf(value, sizeof value, "%" PRId64, f->value);
		}
		len += (size_t)snprintf(buf + len, cap - len, "%s\"%s\":%s", i ? "," : "", f->name,
					value);
	}
	if (len < cap)
		snprintf(buf + len, cap - len, "}");
}

void signal_write_json(const struct signal *s, const char *id, FILE *f)
{
	char date[DATE_STRLEN], pkey[DATE_STRLEN];
	date_format(s->date, date);
	date_format(s->period_key, pkey);
	/* student and school are validated to [A-Za-z0-9._:-], so they need no
	 * escaping. */
	fprintf(f, "{\"id\":\"%s\",\"rule\":\"%s\"", id, rule_name(s->rule));
	const char *lk = rule_level_key(s->rule);
	if (lk)
		fprintf(f, ",\"%s\":\"%s\"", lk, rule_level_name(s->rule, s->level));
	fprintf(f, ",\"student\":\"%s\",\"school\":\"%s\",\"date\":\"%s\",\"period_key\":\"%s\"",
		s->student, s->school, date, pkey);
	char facts[SIGNAL_FACTS_JSON_MAX];
	signal_facts_json(s, facts, sizeof facts);
	fprintf(f, ",\"facts\":%s}\n", facts);
}
