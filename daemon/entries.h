/*
 * entries: the entries the daemon writes to vs:{p}:tasks and vs:{p}:dead.
 *
 * A task entry (docs/redis-keys.md) carries the signal and the roles it is
 * routed to: id (the signal's deterministic id), rule, level or trigger,
 * student, school, sector, roles, facts (JSON), date, period_key, age,
 * created_at and due_at (RFC 3339, UTC; due: task_due_ms, the action window).
 * A dead letter carries reason, message, stream_id and the original fields
 * as "field.<name>" (names and values binary-safe, NUL bytes included),
 * within the limits below (docs/events.md): an entry beyond them is
 * dead-lettered with its fields cut, a "cut" field saying what was cut and
 * the message saying so, so that any entry, however large, can be
 * dead-lettered and its partition goes on.
 */
#ifndef VS_ENTRIES_H
#define VS_ENTRIES_H

#include "cmdargs.h"
#include "event.h"
#include "rules.h"

#include <stdint.h>

/* Appends (nfields, field, value, ...) for one task to out, in the layout
 * the commit script expects; the first pair is ("id", id), id from
 * signal_id_keyed with the region's secret. roles is the
 * route's role set (partners_route); due_ms the task's due time, from
 * task_due_ms (connectors/due.c) so the entry and the partner agree. */
void task_append(struct cmdargs *out, const struct signal *s, const char *id, unsigned roles,
		 int64_t now_ms, int64_t due_ms, int window_hours);

/* The dead-letter limits: original fields kept (the first ones), bytes of a
 * field name kept, bytes of a value kept. A name cut to DEAD_NAME_MAX bytes
 * gets "~<position>" (1 = the entry's first field) appended: longer than any
 * whole name, and unique, so no two names in a dead letter collide that did
 * not in the entry. */
#define DEAD_FIELDS_MAX 100
#define DEAD_NAME_MAX 128
#define DEAD_VALUE_MAX 1024

/* Appends (nfields, field, value, ...) for one dead letter, its fields cut
 * to the limits above. */
void dead_letter_append(struct cmdargs *out, const char *stream_id, const char *reason,
			const char *message, const struct event_field *fields, int nfields);

/* Writes an RFC 3339 UTC time with milliseconds ("2026-09-01T08:15:00.000Z");
 * "0000-00-00T00:00:00.000Z" for an instant outside the valid range (date.h). */
void format_instant(int64_t ms, char *buf, size_t cap);

#endif
