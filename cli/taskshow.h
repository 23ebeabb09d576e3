/*
 * taskshow: how `vroegsignaal tasks --show` prints a task record (the hash
 * vs:{p}:task:<id>, docs/redis-keys.md): always in the same order, times in
 * local time.
 *
 * Order: student, created_ms, partners; then per partner, in the order of the
 * partners field, role, state, due, delivery, via, attempts, first_ms,
 * alerted, delivered_ms, outcome, note, acked_ms; then any other field by
 * name; json last (it is long; a record keeps it in chunks "j1".."j<jn>",
 * printed joined as one "json"). A time (created_ms, and a partner's due,
 * first_ms, delivered_ms, acked_ms: milliseconds since the epoch) is printed
 * as "YYYY-MM-DD HH:MM:SS +hhmm" in the local time zone (TZ); a value that is
 * not a number is printed as it is. Absent fields are left out.
 *
 * Pure: no Redis; unit-tested in tests/unit/test_taskshow.c.
 */
#ifndef VS_CLI_TASKSHOW_H
#define VS_CLI_TASKSHOW_H

#include <stddef.h>
#include <stdio.h>

struct task_field {
	const char *name, *value;
};

/* Prints the n fields as "  NAME: VALUE" lines to out in the order above. */
void taskshow_print(FILE *out, const struct task_field *fields, size_t n);

/* Formats ms (since the epoch) as local time into buf; returns buf. */
char *taskshow_local_time(long long ms, char *buf, size_t size);

#endif
