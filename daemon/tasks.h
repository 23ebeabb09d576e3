/*
 * tasks: what the daemon writes to vs:{p}:tasks and vs:{p}:dead.
 *
 * A task entry (docs/redis-keys.md) carries the signal and the roles it is
 * routed to: id (the signal's deterministic id), rule, level or trigger,
 * student, school, sector, roles, facts (JSON), date, period_key, age,
 * created_at and due_at (RFC 3339, UTC; due = created + the action window).
 * A dead letter carries reason, message, stream_id and the original fields
 * as "field.<name>".
 */
#ifndef VS_TASKS_H
#define VS_TASKS_H

#include "cmdargs.h"
#include "event.h"
#include "rules.h"

#include <stdint.h>

/* Appends (nfields, field, value, ...) for one task to out, in the layout
 * the commit script expects; the first pair is ("id", id). roles is the
 * route's role set (partners_route). */
void task_append(struct cmdargs *out, const struct signal *s, unsigned roles, int64_t now_ms,
		 int window_hours);

/* Appends (nfields, field, value, ...) for one dead letter. */
void dead_letter_append(struct cmdargs *out, const char *stream_id, const char *reason,
			const char *message, const struct event_field *fields, int nfields);

/* Writes an RFC 3339 UTC time with milliseconds ("2026-09-01T08:15:00.000Z");
 * "0000-00-00T00:00:00.000Z" for an instant outside the valid range (date.h). */
void format_instant(int64_t ms, char *buf, size_t cap);

#endif
