/*
 * recordjson: see recordjson.h.
 */
#include "recordjson.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* byte k for name k (from 1): the same list, in the same order, as
 * store/lua/record.lua */
static const char *const names[32] = {
	NULL, "id", "kind", "rule", "level", "trigger", "student", "school", "sector", "date",
	"period_key", "created_at", "age", "window_hours", "facts", "escalates", "escalated_partner",
	"escalated_role", "refers", "enrolled_days", "rate_pct", "persist_days", "missed_minutes",
	"full_day_minutes", "band_since", "window_first", "window_weeks", "sick_reports",
	"first_report", "window_last", "absent_days", "run_first"};

const char *record_json_name(unsigned char code)
{
	return code < 32 ? names[code] : NULL;
}

static bool word_char(char c)
{
	/* Lua's %w and '_' in the C locale */
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static unsigned char code_of(const char *name, size_t n)
{
	for (unsigned char k = 1; k < 32; k++)
		if (strlen(names[k]) == n && memcmp(names[k], name, n) == 0)
			return k;
	return 0;
}

char *record_json_encode(const char *json, size_t *len)
{
	size_t n = strlen(json);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)json[i] < 32)
			return NULL;
	char *out = xmalloc(n + 1);
	size_t at = 0;
	/* as string.gsub(json, '"([%w_]+)":', codes): left to right, a match
	 * is replaced (or kept, for a name not in the list) whole and the scan
	 * goes on after it; elsewhere one byte at a time */
	for (size_t p = 0; p < n;) {
		size_t q = p + 1;
		if (json[p] == '"') {
			while (q < n && word_char(json[q]))
				q++;
		}
		if (json[p] == '"' && q > p + 1 && q + 1 < n && json[q] == '"' && json[q + 1] == ':') {
			unsigned char c = code_of(json + p + 1, q - p - 1);
			if (c) {
				out[at++] = (char)c;
			} else {
				memcpy(out + at, json + p, q + 2 - p);
				at += q + 2 - p;
			}
			p = q + 2;
		} else {
			out[at++] = json[p++];
		}
	}
	out[at] = '\0';
	*len = at;
	return out;
}
