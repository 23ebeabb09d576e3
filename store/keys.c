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
	[KEY_PROGRESS] = "progress", [KEY_CLOSED] = "closed",
	[KEY_CASEOPEN] = "caseopen", [KEY_CASEPROG] = "caseprog",
	[KEY_CASESBUILT] = "casesbuilt",
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

/* What an erasure covers (keys.h). The order does not matter: the script
 * first finds the pupil's task ids (records and entries), then removes
 * members and ids. */
const struct erase_item erase_plan[] = {
	{KEY_STATE, NULL, ERASE_FIELD},	      {KEY_TASK, "*", ERASE_RECORDS},
	{KEY_EVENTS, NULL, ERASE_ENTRIES},    {KEY_TASKS, NULL, ERASE_ENTRIES},
	{KEY_DEAD, NULL, ERASE_ENTRIES},      {KEY_QUARANTINE, NULL, ERASE_ENTRIES},
	{KEY_AUDIT, NULL, ERASE_ENTRIES},     {KEY_OUTBOX, "*", ERASE_MEMBERS},
	{KEY_OPEN, "*", ERASE_MEMBERS},	      {KEY_DUE, NULL, ERASE_MEMBERS},
	{KEY_TASKIDS, "*", ERASE_IDS},
	/* cases (store/lua/cases.lua): the record names the pupil, the index
	 * has "<student>|<topic>" fields, the rest name the case or task ids */
	{KEY_CASE, "*", ERASE_RECORDS},	      {KEY_CASES, "*", ERASE_IDS},
	{KEY_CASEITEMS, "*", ERASE_NAMED},    {KEY_CASESET, "*", ERASE_MEMBERS},
	{KEY_UNDELIVERABLE, "*", ERASE_MEMBERS},
	{KEY_PROGRESS, "*", ERASE_MEMBERS},   {KEY_CLOSED, "*", ERASE_MEMBERS},
	{KEY_CASEOPEN, "*", ERASE_MEMBERS},   {KEY_CASEPROG, "*", ERASE_MEMBERS},
};
const size_t erase_plan_len = sizeof erase_plan / sizeof erase_plan[0];

const char *erase_how_name(enum erase_how how)
{
	static const char *const hows[ERASE_HOWS] = {
		[ERASE_FIELD] = "field",     [ERASE_RECORDS] = "records", [ERASE_ENTRIES] = "entries",
		[ERASE_MEMBERS] = "members", [ERASE_IDS] = "ids",	  [ERASE_NAMED] = "named",
	};
	return hows[how];
}
