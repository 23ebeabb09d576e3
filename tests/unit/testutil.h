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

/* The shipped school years: Noord 2026-2027 and 2027-2028 (both files), or
 * 2026-2027 alone. */
struct school_years *tu_noord_years(void);
struct school_years *tu_noord_years_first(void);

/* Day number of "YYYY-MM-DD"; fails the test on a bad date. */
int32_t tu_date(const char *ymd);

/* Builds a registration from "key=value" pairs separated by spaces, e.g.
 * tu_reg("student=p1 kind=sick date=2026-09-01"). Defaults: v=1, id=t,
 * school=01AC, sector=vo, recorded_at = date at 08:00Z plus a counter
 * (so later calls are later). Parses it with event_parse against cal (may be
 * NULL); fails the test when it is invalid. */
struct registration tu_reg(const struct school_years *cal, const char *spec);

/* Same, but returns event_parse's result and error. */
int tu_parse(const struct school_years *cal, const char *spec, struct registration *out,
	     struct event_error *err);


/* ---- one pupil driven through the public API (rules_apply, rules_sweep) ----
 *
 * Owns the school years (Noord 2026-2027 and 2027-2028), a configuration (RULES.md defaults; change p->rc before
 * applying anything), the pupil's state and every signal raised so far, in
 * the order raised. Registrations get student, school and a recorded_at that
 * increases with every call (date T12:00:00Z plus a per-pupil counter in
 * seconds) unless the spec gives them; p->extra is appended to every spec
 * (e.g. "birth_date=2008-08-26"). */
struct tu_pupil {
	struct school_years *years;
	const struct calendar *cal; /* the first year's (2026-2027) */
	struct rules_config rc;
	struct rules_env env;
	struct pupil_state st;
	struct signal_list out;
	char student[EVENT_TEXT_MAX + 1];
	char school[EVENT_SCHOOL_MAX + 1];
	char extra[128];
	int seq;
	bool last_changed; /* rules_apply's result for the last registration */
};

/* Student and school may be NULL ("p1", "01AC"). */
void tu_pupil_init(struct tu_pupil *p, const char *student, const char *school);
void tu_pupil_free(struct tu_pupil *p);

/* Disables every rule but `keep` (so a test sees only that rule's signals). */
void tu_only(struct rules_config *rc, enum rule_id keep);

/* Builds the registration tu_apply would apply (for re-applying it). */
struct registration tu_pupil_reg(struct tu_pupil *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Applies one registration; returns the number of signals it raised. */
size_t tu_apply(struct tu_pupil *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
size_t tu_apply_reg(struct tu_pupil *p, const struct registration *r);

/* Applies "date=D <spec>" for every school day D of the pupil's school in
 * [from, to] (in date order, or in reverse order for tu_apply_days_rev). */
size_t tu_apply_days(struct tu_pupil *p, const char *from, const char *to, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
size_t tu_apply_days_rev(struct tu_pupil *p, const char *from, const char *to,
			 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The daily sweep of every school day in [from, to]. */
size_t tu_sweep(struct tu_pupil *p, const char *from, const char *to);

/* Live operation: for every school day D in [from, to], applies
 * "date=D <spec>" and then runs the sweep of D. */
size_t tu_live(struct tu_pupil *p, const char *from, const char *to, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* One expected signal; a NULL pkey means "the same as date". */
struct tu_want {
	enum rule_id rule;
	int level;
	const char *date;
	const char *pkey;
};

/* Asserts that the signals raised from index `from` on are exactly `want`,
 * in order (rule, level, student, date, period key). Prints both lists on a
 * mismatch. */
void tu_assert_signals(const struct tu_pupil *p, size_t from, const struct tu_want *want,
		       size_t n);
#define TU_EXPECT(p, from, ...)                                                                \
	do {                                                                                   \
		const struct tu_want tu_w_[] = {__VA_ARGS__};                                 \
		tu_assert_signals((p), (from), tu_w_, sizeof tu_w_ / sizeof *tu_w_);           \
	} while (0)
#define TU_EXPECT_NONE(p, from) tu_assert_signals((p), (from), NULL, 0)

/* The i-th signal raised (fails when there is none). */
const struct signal *tu_signal(const struct tu_pupil *p, size_t i);

/* A fact's value; fails when the signal has no such fact. */
int64_t tu_fact(const struct signal *s, const char *name);
/* Asserts a FACT_DATE fact equals ymd. */
void tu_assert_fact_date(const struct signal *s, const char *name, const char *ymd);

/* Number of signals of (rule, level); level -1 matches any level. */
size_t tu_count(const struct tu_pupil *p, enum rule_id rule, int level);

/* Writes every signal raised to stderr (for diagnosis). */
void tu_dump(const struct tu_pupil *p);

/* The pupil state record in format version 2 (fixed-width fields), as
 * rules/state.c wrote it before version 3: the records Redis still holds
 * after an upgrade. Returns a heap buffer of *len bytes. */
uint8_t *tu_state_encode_v2(const struct pupil_state *st, size_t *len);

#endif
