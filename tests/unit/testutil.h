/*
 * testutil: helpers for the unit tests: a rules environment over the Noord
 * 2026-2027 calendar with the default configuration, and a compact way to
 * build registrations.
 */
#ifndef VS_TESTUTIL_H
#define VS_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "calendar.h"
#include "config.h"
#include "date.h"
#include "event.h"
#include "rules.h"
#include "state.h"

/* The shipped calendar (config/calendars/noord-2026-2027.json). */
struct calendar *tu_noord_calendar(void);

/* Day number of "YYYY-MM-DD"; fails the test on a bad date. */
int32_t tu_date(const char *ymd);

/* Builds a registration from "key=value" pairs separated by spaces, e.g.
 * tu_reg("student=p1 kind=sick date=2026-09-01"). Defaults: v=1, id=t,
 * school=01AC, sector=vo, recorded_at = date at 08:00Z plus a counter
 * (so later calls are later). Parses it with event_parse against cal (may be
 * NULL); fails the test when it is invalid. */
struct registration tu_reg(const struct calendar *cal, const char *spec);

/* Same, but returns event_parse's result and error. */
int tu_parse(const struct calendar *cal, const char *spec, struct registration *out,
	     struct event_error *err);

#endif
