/*
 * state: the compact record vroegsignaal keeps per pupil, across school years.
 *
 * It holds the registrations that carry day data (by (day, period), last
 * writer wins on recorded_at), the enrolment and birth dates, the pupil's
 * current school and sector, and each rule's memory of what it has raised
 * ("marks"). Everything the rules need is derived from it; nothing else is
 * kept about a pupil.
 *
 * Invariants: regs are sorted by (day, period) with no two equal keys;
 * marks are sorted by (rule, level, day) with no duplicates. Days are
 * offsets from `base`, a day on or before every day the record holds (the
 * first day of the first school year it was made for, moved on when older
 * data is purged). A record spans school years: per-year counting takes only
 * the days of the year it counts, runs reach back over the summer. What lies
 * before `kept_from` was purged (rules_purge): registrations dated before it
 * count for nothing.
 *
 * The binary form (docs/state-format.md) is versioned, compact (version 3:
 * varints, days and instants as differences), CRC-checked and canonical:
 * pupil_state_decode accepts only what
 * pupil_state_encode can produce, so decode(encode(s)) == s and
 * encode(decode(b)) == b byte for byte. The daemon stores it in Redis.
 */
#ifndef VS_STATE_H
#define VS_STATE_H

#include "event.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STATE_FORMAT_VERSION 3 /* written; versions 1 and 2 are still read */
/* The latest day a record holds, as an offset from its base (about eleven
 * years: purging keeps a record to its open runs and the years since). */
#define STATE_MAX_DAY_OFFSET 4000
#define MINUTES_DEFAULT 0xFFFF /* minutes not given: the configured default applies */

/* What a stored registration says about its (day, period). */
enum day_reg_kind {
	DR_ABSENT_AUTH,   /* absent, authorized=yes */
	DR_ABSENT_UNAUTH, /* absent, authorized=no */
	DR_SICK,
	DR_LATE_AUTH,
	DR_LATE_UNAUTH,
	DR_PRESENT,       /* a retraction: counts for nothing, but wins by recorded_at */
	DR_COUNT
};
#define DR_FLAG_LUXE 0x80 /* absent unauthorised with the luxe reason */
#define DR_KIND_MASK 0x0F

struct pupil_reg {
	int16_t day;       /* offset from the state's base */
	uint8_t period;    /* 0 whole day, 1..16 */
	uint8_t kind;      /* enum day_reg_kind | flags */
	uint16_t minutes;  /* missed minutes, or MINUTES_DEFAULT */
	int64_t recorded_ms;
};

/* A rule's memory: rule raised (or implied) level on day. */
struct pupil_mark {
	uint8_t rule;
	uint8_t level;
	int16_t day;
};

struct pupil_state {
	int32_t base;       /* day offsets count from this day */
	int32_t kept_from;  /* data dated before this day was purged; DATE_NONE: nothing was */
	int32_t enrol;      /* latest applied enrol date, DATE_NONE if none */
	int32_t birth;      /* DATE_NONE if unknown */
	char school[EVENT_SCHOOL_MAX + 1];
	uint8_t sector;
	int64_t school_key; /* order of the registration that set school and sector:
			     * pupil_school_key(date, recorded_at); INT64_MIN none */
	uint32_t nregs, cap_regs;
	struct pupil_reg *regs;
	uint32_t nmarks, cap_marks;
	struct pupil_mark *marks;
	/* Runtime only, not encoded: lets the sweep skip a pupil whose state is
	 * unchanged since it was swept on the previous school day. */
	int32_t swept_day;  /* last day rules_sweep was called for, DATE_NONE if none */
	int32_t sweep_wake; /* first later day on which a sweep rule could raise */
	bool touched;       /* a registration was applied since */
};

/* Orders registrations by date, then recorded_at (an `enrol`'s key is
 * irrelevant: the latest applied enrol always sets the school). One int64:
 * date * 2^43 + recorded_at in ms, clamped to [0, 2^43) (until 2248). */
int64_t pupil_school_key(int32_t date, int64_t recorded_ms);

/* An empty state whose offsets count from base (any day on or before the
 * days it will hold; pupil_state_apply moves it back when needed). */
void pupil_state_init(struct pupil_state *st, int32_t base);
void pupil_state_free(struct pupil_state *st);

/* Applies one registration's data to the state (no rule evaluation).
 * luxe_reason is the configured reason that marks luxe verzuim.
 * Returns true when the state changed. Day data dated before kept_from is
 * ignored (that year was purged); the base moves back for data dated before
 * it. */
bool pupil_state_apply(struct pupil_state *st, const struct registration *r,
		       const char *luxe_reason);

/* Marks. */
bool pupil_mark_exists(const struct pupil_state *st, int rule, int level);
/* A mark of (rule, level) on a day in [from, to] (offsets). */
bool pupil_mark_in(const struct pupil_state *st, int rule, int level, int from, int to);
bool pupil_mark_on(const struct pupil_state *st, int rule, int level, int day);
/* The latest day marked for (rule, level); returns false when none. */
bool pupil_mark_latest(const struct pupil_state *st, int rule, int level, int *day);
void pupil_mark_add(struct pupil_state *st, int rule, int level, int day);

/* Moves the base (every offset follows; marks may lie before the base). */
void pupil_state_rebase(struct pupil_state *st, int32_t base);

/* Deletes the registrations and marks dated before `day` (a day number),
 * sets kept_from to day and moves the base to it. Returns true when the
 * state changed. */
bool pupil_state_drop_before(struct pupil_state *st, int32_t day);

/* Encoded size in bytes. */
size_t pupil_state_encoded_size(const struct pupil_state *st);
/* Encodes into buf (at least pupil_state_encoded_size bytes). Returns the
 * number of bytes written. */
size_t pupil_state_encode(const struct pupil_state *st, uint8_t *buf);
/* Decodes a record (the current version, or an older one, which is read
 * into the current form: encoding it writes the current version). Returns 0, or -1 with a short reason in *why (a static
 * string); st is left initialised-empty on failure. Never reads past len. */
int pupil_state_decode(const uint8_t *buf, size_t len, struct pupil_state *st, const char **why);

/* Bytes of heap and struct the state occupies in memory. */
size_t pupil_state_memory(const struct pupil_state *st);

#endif
