/*
 * event: parsing and validating one registration from the flat field/value
 * pairs of the event stream (docs/events.md is the reference for producers).
 *
 * The same parser serves `vroegsignaal replay` (fields from a JSON line),
 * `vroegsignaal send` and the daemon (fields from a Redis stream entry), so
 * all three accept and reject exactly the same registrations. A rejection
 * carries a stable machine-readable reason code (event_reason_code) and a
 * human message naming the field; it never includes the field's value, so
 * it may be logged.
 */
#ifndef VS_EVENT_H
#define VS_EVENT_H

#include "years.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EVENT_TEXT_MAX 64   /* longest student, id, reason, ... */
#define EVENT_SCHOOL_MAX 6  /* BRIN: 2 digits, 2 letters, optional 2-digit location */
#define EVENT_MAX_PERIOD 16

enum reg_kind {
	KIND_ABSENT,  /* needs authorized=yes|no */
	KIND_SICK,    /* always authorised */
	KIND_LATE,    /* needs minutes; unauthorised unless authorized=yes */
	KIND_PRESENT, /* retracts what the same (date, period) registered */
	KIND_CONCERN, /* the school's "niet-pluis" flag */
	KIND_ENROL,
	KIND_UNENROL,
	KIND_COUNT
};

enum sector { SECTOR_PO, SECTOR_SO, SECTOR_VO, SECTOR_VSO, SECTOR_MBO, SECTOR_COUNT };

/* Stable reason codes; the strings (event_reason_code) are the interface. */
enum event_reason {
	EV_OK = 0,
	EV_BAD_ENCODING,      /* not a flat object of string/number values */
	EV_MISSING_FIELD,
	EV_UNKNOWN_FIELD,
	EV_DUPLICATE_FIELD,
	EV_FIELD_TOO_LONG,
	EV_BAD_VERSION,
	EV_UNKNOWN_KIND,
	EV_BAD_STUDENT,
	EV_BAD_SCHOOL,
	EV_BAD_SECTOR,
	EV_BAD_DATE,
	EV_BAD_RECORDED_AT,
	EV_BAD_PERIOD,
	EV_BAD_MINUTES,
	EV_MISSING_MINUTES,   /* late without minutes */
	EV_BAD_AUTHORIZED,
	EV_MISSING_AUTHORIZED, /* absent without authorized */
	EV_BAD_BIRTH_DATE,
	EV_OUTSIDE_SCHOOL_YEAR,
	EV_NOT_SCHOOL_DAY,
	EV_REASON_COUNT
};

struct event_field {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
};

struct registration {
	char id[EVENT_TEXT_MAX + 1];
	char student[EVENT_TEXT_MAX + 1];
	char school[EVENT_SCHOOL_MAX + 1];
	enum sector sector;
	enum reg_kind kind;
	int32_t date;          /* day number */
	int64_t recorded_ms;   /* instant, ms since the epoch */
	int period;            /* 0 = whole day, 1..16 lesson hour */
	int minutes;           /* -1 when not given */
	int authorized;        /* -1 not given, 0 no, 1 yes */
	char reason[EVENT_TEXT_MAX + 1];
	int32_t birth_date;    /* DATE_NONE when not given */
	bool has_destination;
	char destination[EVENT_TEXT_MAX + 1];
	char municipality[EVENT_TEXT_MAX + 1];
	char source[EVENT_TEXT_MAX + 1];
};

struct event_error {
	enum event_reason reason;
	char field[24];     /* the field concerned, "" if none */
	char message[160];  /* human text; never contains a field's value */
};

/* Parses and validates. years may be NULL (no calendar checks: the producer
 * side without configuration). A day registration must lie on a school day
 * of a configured year; an `enrol` may lie before the first year or between
 * two (it belongs to the next), an `unenrol` between two years. Returns 0,
 * or -1 with err filled. */
int event_parse(const struct event_field *fields, size_t n, const struct school_years *years,
		struct registration *out, struct event_error *err);

const char *event_reason_code(enum event_reason r);
const char *reg_kind_name(enum reg_kind k);
const char *sector_name(enum sector s);

/* True for the kinds that register a fact about a school day. */
static inline bool reg_kind_is_day(enum reg_kind k)
{
	return k <= KIND_CONCERN;
}

/* Sets err (and returns -1): for callers outside this module that reject
 * input before it reaches event_parse (a line that is not JSON). */
int event_error_set(struct event_error *err, enum event_reason r, const char *field,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
