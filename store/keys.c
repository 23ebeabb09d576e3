/*
 * keys: see keys.h.
 */
#include "keys.h"

#include <stdio.h>

static const char *const names[KEY_KINDS] = {
	[KEY_EVENTS] = "events",     [KEY_STATE] = "state",   [KEY_TASKS] = "tasks",
	[KEY_DEAD] = "dead",         [KEY_LEASE] = "lease",   [KEY_TASKIDS] = "taskids",
	[KEY_SWEPT] = "swept",       [KEY_DAILY] = "daily",   [KEY_DUE] = "due",
	[KEY_AUDIT] = "audit",       [KEY_QUARANTINE] = "quarantine",
	[KEY_QUARANTINED] = "quarantined",                    [KEY_OUTBOX] = "outbox",
	[KEY_OPEN] = "open",         [KEY_TASK] = "task",
	[KEY_CASE] = "case",         [KEY_CASES] = "cases",   [KEY_CASEITEMS] = "caseitems",
	[KEY_CASESET] = "caseset",   [KEY_UNDELIVERABLE] = "undeliverable",
};

void key_prefix(char out[KEY_PREFIX_MAX], int part)
{
	snprintf(out, KEY_PREFIX_MAX, "vs:{%d}:", part);
}

bool key_build(char *out, size_t n, int part, enum key_kind kind, const char *sub)
{
	int len = sub ? snprintf(out, n, "vs:{%d}:%s:%s", part, names[kind], sub)
		      : snprintf(out, n, "vs:{%d}:%s", part, names[kind]);
	return len >= 0 && (size_t)len < n;
}
