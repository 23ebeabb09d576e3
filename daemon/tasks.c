/*
 * tasks: see tasks.h.
 */
#include "tasks.h"

#include "date.h"
#include "routing.h"

#include <stdio.h>
#include <string.h>

void format_instant(int64_t ms, char *buf, size_t cap)
{
	/* an instant read back from Redis may be anything: outside the valid
	 * range (date.h) it is shown as no time at all, never overflowing */
	if (!instant_valid(ms)) {
		snprintf(buf, cap, "0000-00-00T00:00:00.000Z");
		return;
	}
	int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
	int msec = (int)(ms - secs * 1000);
	int32_t day = (int32_t)(secs >= 0 ? secs / 86400 : (secs - 86399) / 86400);
	int rem = (int)(secs - (int64_t)day * 86400);
	char d[DATE_STRLEN];
	date_format(day, d);
	snprintf(buf, cap, "%sT%02d:%02d:%02d.%03dZ", d, rem / 3600, rem / 60 % 60, rem % 60, msec);
}

void task_append(struct cmdargs *out, const struct signal *s, unsigned roles_set, int64_t now_ms,
		 int window_hours)
{
	char id[SIGNAL_ID_LEN], roles[128], facts[SIGNAL_FACTS_JSON_MAX], created[40], due[40], date[DATE_STRLEN],
		pkey[DATE_STRLEN];
	signal_id(s, id);
	route_roles_format(roles_set, roles, sizeof roles);
	signal_facts_json(s, facts, sizeof facts);
	format_instant(now_ms, created, sizeof created);
	format_instant(now_ms + (int64_t)window_hours * 3600000, due, sizeof due);
	date_format(s->date, date);
	date_format(s->period_key, pkey);
	const char *lk = rule_level_key(s->rule);
	int nfields = 12 + (lk ? 1 : 0) + (s->age >= 0 ? 1 : 0);
	cmdargs_addf(out, "%d", nfields * 2);
	cmdargs_adds(out, "id");
	cmdargs_adds(out, id);
	cmdargs_adds(out, "rule");
	cmdargs_adds(out, rule_name(s->rule));
	if (lk) {
		cmdargs_adds(out, lk);
		cmdargs_adds(out, rule_level_name(s->rule, s->level));
	}
	cmdargs_adds(out, "student");
	cmdargs_adds(out, s->student);
	cmdargs_adds(out, "school");
	cmdargs_adds(out, s->school);
	cmdargs_adds(out, "sector");
	cmdargs_adds(out, sector_name((enum sector)s->sector));
	cmdargs_adds(out, "roles");
	cmdargs_adds(out, roles);
	cmdargs_adds(out, "facts");
	cmdargs_adds(out, facts);
	cmdargs_adds(out, "date");
	cmdargs_adds(out, date);
	cmdargs_adds(out, "period_key");
	cmdargs_adds(out, pkey);
	if (s->age >= 0) {
		cmdargs_adds(out, "age");
		cmdargs_addf(out, "%d", s->age);
	}
	cmdargs_adds(out, "created_at");
	cmdargs_adds(out, created);
	cmdargs_adds(out, "due_at");
	cmdargs_adds(out, due);
	cmdargs_adds(out, "window_hours");
	cmdargs_addf(out, "%d", window_hours);
}

void dead_letter_append(struct cmdargs *out, const char *stream_id, const char *reason,
			const char *message, const struct event_field *fields, int nfields)
{
	cmdargs_addf(out, "%d", (3 + nfields) * 2);
	cmdargs_adds(out, "reason");
	cmdargs_adds(out, reason);
	cmdargs_adds(out, "message");
	cmdargs_adds(out, message);
	cmdargs_adds(out, "stream_id");
	cmdargs_adds(out, stream_id);
	for (int i = 0; i < nfields; i++) {
		char name[80];
		int n = snprintf(name, sizeof name, "field.%.*s", (int)(fields[i].name_len > 64 ? 64 : fields[i].name_len),
				 fields[i].name);
		cmdargs_add(out, name, (size_t)n);
		cmdargs_add(out, fields[i].value, fields[i].value_len);
	}
}
