/*
 * rules: the public face of the rule library.
 *
 * Pure functions: (pupil state, registration or sweep date, school years,
 * configuration) -> (new pupil state, signals). No I/O, no clock: the date
 * comes from the registration or the sweep. docs/rules.md is the reference
 * for what they compute.
 *
 *   rules_apply   applies one registration and evaluates, at its date, the
 *                 rules that registrations trigger (all of them);
 *   rules_apply_clocked  the same under the sweep clock (clock.h): announced
 *                 registrations wait for their date's sweep, late ones also
 *                 complete the run they belong to (replay and the daemon);
 *   rules_sweep   evaluates, at a school day d, the rules of the daily sweep
 *                 (all except mazl frequency and concern, luxe, absolute).
 *
 * A signal is identified by (rule, level or trigger, student, period key)
 * and raised at most once; the pupil state remembers what was raised.
 */
#ifndef VS_RULES_H
#define VS_RULES_H

#include "calendar.h"
#include "config.h"
#include "years.h"
#include "event.h"
#include "state.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum rule_id {
	RULE_FIRST_MONTH,
	RULE_ATTENDANCE_TIER,
	RULE_MAZL,
	RULE_LEERPLICHT_16U,
	RULE_LRV,
	RULE_LONG_SICK,
	RULE_LUXE,
	RULE_ABSOLUTE,
	RULE_COUNT
};

/* Levels and triggers, per rule (values are stored in pupil state marks:
 * never renumber). Rules without a level use 0. */
enum { FM_ELEVATED = 0, FM_HIGH = 1 };
enum { AT_TIER2 = 0, AT_TIER3 = 1, AT_SEVERE = 2 };
enum { MAZL_FREQUENCY = 0, MAZL_DURATION = 1, MAZL_CONCERN = 2 };
enum { RUN_4W = 0, RUN_3M = 1 };
#define LEVEL_NONE 0

enum fact_type {
	FACT_INT,  /* a count */
	FACT_DATE, /* a day number, written YYYY-MM-DD */
	FACT_PCT,  /* hundredths of a percent, written as a decimal number (12.34) */
};

struct fact {
	const char *name; /* static string */
	enum fact_type type;
	int64_t value;
};

#define SIGNAL_MAX_FACTS 8
#define SIGNAL_ID_LEN 20 /* "vs" + 16 hex digits + NUL, rounded */

struct signal {
	enum rule_id rule;
	int level;            /* see the enums above; LEVEL_NONE where the rule has none */
	char student[EVENT_TEXT_MAX + 1];
	char school[EVENT_SCHOOL_MAX + 1];
	uint8_t sector;
	int age;              /* age in years at date, -1 when unknown (routing uses it) */
	int32_t date;         /* the evaluation date */
	int32_t period_key;   /* school year's first day, run's first day, or the date */
	int nfacts;
	struct fact facts[SIGNAL_MAX_FACTS];
};

struct signal_list {
	struct signal *v;
	size_t n, cap;
};

struct rules_env {
	const struct rules_config *rc;
	const struct school_years *years;
};

/* Applies r to st and evaluates at r->date. Appends raised signals to out.
 * Returns true when the state changed (registration data or marks). */
bool rules_apply(const struct rules_env *env, struct pupil_state *st,
		 const struct registration *r, struct signal_list *out);

/* The same under the sweep clock (RULES.md, "When rules are evaluated"):
 * swept_through is the last day whose sweep has run (DATE_NONE: none yet).
 * An announced registration (clock.h) whose date has not been swept is
 * applied but evaluated only in the sweep of its date; a registration whose
 * date has been swept (a late one) also evaluates the run rules (mazl
 * duration, long_sick, lrv) at the last swept school day of the run that
 * holds its date, when that day is after its date. enrol, unenrol and
 * concern are evaluated at once. Replay and the daemon apply through this. */
bool rules_apply_clocked(const struct rules_env *env, struct pupil_state *st,
			 const struct registration *r, int32_t swept_through,
			 struct signal_list *out);

/* The daily sweep of one pupil at school day `day`. When day holds an
 * announced registration, the sweep also evaluates the rules a registration
 * dated day triggers (mazl frequency, luxe). Returns true when the
 * state changed (a mark was added). */
bool rules_sweep(const struct rules_env *env, struct pupil_state *st, const char *student,
		 int32_t day, struct signal_list *out);

/* Purges what the state holds of the school years whose last day lies more
 * than retention_days before `today`, except what a run still open at the
 * end of such a year needs: the registrations and marks from the first day
 * of the run of sick, unauthorised or luxe days that reaches that year's
 * last school day. Returns true when the state changed; *empty tells that
 * nothing of a later year is left (no registration, no mark, no enrolment
 * after the purged year): the caller may delete the record. Registrations dated
 * before the purge are ignored afterwards (state.h, kept_from). */
bool rules_purge(const struct rules_env *env, struct pupil_state *st, int32_t today,
		 int retention_days, bool *empty);

/* True when a sweep of this pupil can raise nothing at any day (no day data
 * at all); the sweep skips such pupils. */
bool rules_sweep_idle(const struct pupil_state *st);

const char *rule_name(enum rule_id r);
/* "level", "trigger", or NULL for rules without a level. */
const char *rule_level_key(enum rule_id r);
/* The level's or trigger's name; NULL for rules without a level. */
const char *rule_level_name(enum rule_id r, int level);
/* Number of levels a rule has (1 for rules without one). */
int rule_level_count(enum rule_id r);
/* Looks a rule up by name; -1 when unknown. */
int rule_by_name(const char *name);

void signal_list_free(struct signal_list *l);
void signal_list_clear(struct signal_list *l);
struct signal *signal_list_push(struct signal_list *l);

/* What a signal's id is made of: "rule|level|student|period key"; returns
 * its length (truncated, never overrun, past cap). The id itself is keyed
 * with the region's secret (signal_id_keyed, connectors/signing.c), so
 * nobody can recompute it from candidate pupil keys; rules/ makes no ids. */
size_t signal_id_material(const struct signal *s, char *buf, size_t cap);

/* Writes the signal's facts as a JSON object into buf (the layout replay
 * and the task entries share). Truncated, never overrun, past cap. */
#define SIGNAL_FACTS_JSON_MAX 512
void signal_facts_json(const struct signal *s, char *buf, size_t cap);

/* Writes the signal as one JSON object and a newline, with the given id. */
void signal_write_json(const struct signal *s, const char *id, FILE *f);

#endif
