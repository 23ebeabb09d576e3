/*
 * entries: see entries.h.
 */
#include "entries.h"

#include "date.h"
#include "routing.h"

#include <stdbool.h>
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

void task_append(struct cmdargs *out, const struct signal *s, const char *id, unsigned roles_set,
		 int64_t now_ms, int64_t due_ms, int window_hours)
{
	char roles[128], facts[SIGNAL_FACTS_JSON_MAX], created[40], due[40], date[DATE_STRLEN],
		pkey[DATE_STRLEN];
	route_roles_format(roles_set, roles, sizeof roles);
	signal_facts_json(s, facts, sizeof facts);
	format_instant(now_ms, created, sizeof created);
	format_instant(due_ms, due, sizeof due);
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
	int keep = nfields < DEAD_FIELDS_MAX ? nfields : DEAD_FIELDS_MAX;
	int names_cut = 0, values_cut = 0;
	for (int i = 0; i < keep; i++) {
		names_cut += fields[i].name_len > DEAD_NAME_MAX;
		values_cut += fields[i].value_len > DEAD_VALUE_MAX;
	}
	bool cut = keep < nfields || names_cut || values_cut;
	cmdargs_addf(out, "%d", (3 + (cut ? 1 : 0) + keep) * 2);
	cmdargs_adds(out, "reason");
	cmdargs_adds(out, reason);
	cmdargs_adds(out, "message");
	if (cut)
		cmdargs_addf(out, "%s (its fields were cut to the dead-letter limits)", message);
	else
		cmdargs_adds(out, message);
	cmdargs_adds(out, "stream_id");
	cmdargs_adds(out, stream_id);
	if (cut) {
		char what[160];
		size_t n = 0;
		what[0] = '\0';
		if (keep < nfields)
			n += (size_t)snprintf(what + n, sizeof what - n, "kept %d of %d fields", keep,
					      nfields);
		if (names_cut)
			n += (size_t)snprintf(what + n, sizeof what - n, "%s%d name%s cut to %d bytes",
					      n ? "; " : "", names_cut, names_cut == 1 ? "" : "s",
					      DEAD_NAME_MAX);
		if (values_cut)
			snprintf(what + n, sizeof what - n, "%s%d value%s cut to %d bytes",
				 n ? "; " : "", values_cut, values_cut == 1 ? "" : "s", DEAD_VALUE_MAX);
		cmdargs_adds(out, "cut");
		cmdargs_adds(out, what);
	}
	for (int i = 0; i < keep; i++) {
		const struct event_field *f = &fields[i];
		size_t len = f->name_len > DEAD_NAME_MAX ? DEAD_NAME_MAX : f->name_len;
		char suffix[16] = "";
		if (f->name_len > DEAD_NAME_MAX)
			snprintf(suffix, sizeof suffix, "~%d", i + 1);
		size_t slen = strlen(suffix);
		char *name = cmdargs_add_space(out, 6 + len + slen);
		memcpy(name, "field.", 6);
		memcpy(name + 6, f->name, len);
		memcpy(name + 6 + len, suffix, slen);
		cmdargs_add(out, f->value, f->value_len > DEAD_VALUE_MAX ? DEAD_VALUE_MAX : f->value_len);
	}
}
