/*
 * keys: the names of the Redis keys, built in one place. Every key of a
 * partition p starts with its prefix "vs:{p}:", whose hash tag {p} puts all
 * of them in one Cluster slot, so each script stays atomic there.
 * docs/redis-keys.md describes each key.
 */
#ifndef VS_KEYS_H
#define VS_KEYS_H

#include <stdbool.h>
#include <stddef.h>

/* Room for a key with a sub-name (a task id, a partner id, a date). */
#define KEY_MAX 160
/* Room for the prefix "vs:{p}:". */
#define KEY_PREFIX_MAX 32

enum key_kind {
	KEY_EVENTS,      /* stream: registrations, consumer group "rules" */
	KEY_STATE,       /* hash: pupil -> state record */
	KEY_TASKS,       /* stream: tasks, consumer group "dispatch" */
	KEY_DEAD,        /* stream: dead letters */
	KEY_LEASE,       /* string: the partition's lease token */
	KEY_TASKIDS,     /* hash per school year (sub: the year): task ids created */
	KEY_SWEPT,       /* string: the last date swept */
	KEY_DAILY,       /* string: latest signal date; with sub (a date) the day's hash */
	KEY_DUE,         /* sorted set: reminders and due times */
	KEY_AUDIT,       /* stream: what happened to tasks */
	KEY_QUARANTINE,  /* stream: tasks held by the flood guard */
	KEY_QUARANTINED, /* set: school days in quarantine */
	KEY_OUTBOX,      /* sorted set per partner (sub): members to deliver */
	KEY_OPEN,        /* sorted set per partner (sub): open tasks by due time */
	KEY_TASK,        /* hash per task (sub: the task id; "*" for a SCAN pattern) */
	KEY_CASE,        /* hash per case (sub: the case id); store/lua/cases.lua */
	KEY_CASES,       /* hash per partner (sub): "<student>|<topic>" -> open case id */
	KEY_CASEITEMS,   /* list per case (sub: the case id): "<task id>|<kind>" */
	KEY_CASESET,     /* sorted set per partner (sub): case ids by opening time */
	KEY_UNDELIVERABLE, /* sorted set per partner (sub): undeliverable task ids (RESULT) */
	KEY_PROGRESS,    /* sorted set per partner (sub): tasks acknowledged in progress, by ack time */
	KEY_CLOSED,      /* sorted set per partner (sub): tasks acknowledged closed, by ack time */
	KEY_CASEOPEN,    /* sorted set per partner (sub): open case ids by their task's due ms */
	KEY_CASEPROG,    /* sorted set per partner (sub): in-progress case ids by last activity */
	KEY_CASESBUILT,  /* string per partner (sub): "1" once TRIM filed the older cases in
			  * caseopen:/caseprog: */
	KEY_KINDS
};

/* The prefix "vs:{part}:", which the scripts get to name the keys of data
 * they read (task records, outboxes). */
void key_prefix(char out[KEY_PREFIX_MAX], int part);
/* "vs:{part}:<kind>", or "vs:{part}:<kind>:<sub>" when sub is not NULL.
 * Returns false (out holds a cut-off name) when it does not fit in n. */
bool key_build(char *out, size_t n, int part, enum key_kind kind, const char *sub);

/* Erasure (`vroegsignaal erase`, store/lua/erase.lua): every key that can
 * name a pupil, and how it does. This list is the one place that says what
 * an erasure covers: a new kind of key that names pupils gets a line in
 * erase_plan (keys.c) and is erased from then on. Keys that name no pupil
 * (lease, swept, daily counters, quarantined school days, closures,
 * instances) are not listed. docs/privacy.md explains the order of work. */
enum erase_how {
	ERASE_FIELD,   /* hash: the field named by the pupil key (HDEL) */
	ERASE_RECORDS, /* hashes (pattern): those whose "student" is the pupil (DEL); the
			* last ':' part of each such key is a task id of the pupil */
	ERASE_ENTRIES, /* stream: entries with a value naming the pupil (XDEL, and XACK in
			* every consumer group); their "id" and "task" values are task ids */
	ERASE_MEMBERS, /* sorted sets (a key or a pattern): members of which a '|' part is a
			* task id of the pupil or the pupil key (ZREM) */
	ERASE_IDS,     /* hashes (pattern): the fields that are task ids of the pupil, or
			* have the pupil key as a '|' part (HDEL) */
	ERASE_NAMED,   /* keys (pattern) whose name has the pupil key, or one of its task or
			* case ids, as a ':' or '|' part (DEL) */
	ERASE_HOWS
};
struct erase_item {
	enum key_kind kind;
	const char *sub; /* NULL, or "*": all keys of the kind (a SCAN pattern) */
	enum erase_how how;
};
extern const struct erase_item erase_plan[];
extern const size_t erase_plan_len;
/* The how's name as erase.lua reads it ("field", "records", ...). */
const char *erase_how_name(enum erase_how how);

#endif
