/*
 * partners: who receives which task, and what each of them may see.
 *
 * Read from the configuration file's "partners", "routes", "schools",
 * "dispatch" and "templates" sections (docs/partners.md describes them):
 *
 *   routes    (rule, level/trigger, sector, school pattern, age band) → roles.
 *             The first route that matches a signal gives its roles; with no
 *             "routes" section the RULES.md defaults apply (routing.h). A pupil
 *             aged 18 or over goes to rmc where a route names leerplicht.
 *   partners  one per organisation: a role, the schools (patterns) or
 *             municipalities it serves, a connector (and an optional
 *             fallback), the hash of its API token, its webhook secret, the
 *             fields it may receive and the legal basis of its receipt.
 *
 * A task goes to every partner that has one of the task's roles and serves
 * the task's school. Everything here is pure (no I/O after loading, no
 * clock): routing, minimisation, templates, due times and the retry delay
 * are unit-tested.
 *
 * A loaded configuration is reference-counted: deliveries in flight keep
 * the configuration they started with when SIGHUP installs a new one.
 */
#ifndef VS_PARTNERS_H
#define VS_PARTNERS_H

#include "jsonconf.h"
#include "routing.h"
#include "rules.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* A partner's connector: which one (connector.h's registry, by the
 * section's "type") and its own settings, which only that connector reads
 * (it parses and frees them: connector_cfg_load in connector.c). */
struct connector_ops;
struct connector_cfg {
	const struct connector_ops *ops; /* NULL when the section was invalid */
	void *settings;
};

/* For the connectors' settings parsers: an optional string (NULL when
 * absent), a secret given inline (key) or in a file (key_file), and a list
 * of strings; errors go to jc. */
char *conf_string(struct jconf *jc, json_t *o, const char *at, const char *key);
char *conf_secret(struct jconf *jc, json_t *o, const char *at, const char *key);
char **conf_string_list(struct jconf *jc, json_t *o, const char *at, const char *key, int *n);
void conf_strv_free(char **v, int n);
/* Frees a secret after overwriting it. */
void conf_secret_free(char *secret);

/* Optional payload fields; the others (id, kind, rule, level, times, action,
 * legal basis, links) always go. */
enum payload_field { PF_STUDENT, PF_SCHOOL, PF_SECTOR, PF_AGE, PF_DATE, PF_PERIOD_KEY, PF_FACTS,
		     PF_COUNT };
const char *payload_field_name(enum payload_field f);

struct partner {
	char id[64];
	enum role role;
	char **schools;        /* fnmatch patterns ("01AB", "02*") */
	int nschools;
	char **municipalities;
	int nmunicipalities;
	struct connector_cfg primary;
	struct connector_cfg fallback;
	bool has_fallback;
	unsigned char token_sha256[32];
	bool has_token;
	unsigned fields;       /* bit set of 1 << payload_field */
	bool health_data;      /* may receive sickness facts */
	char legal_basis[256];
	int max_in_flight;     /* concurrent deliveries to this partner */
};

struct school_info {
	char code[16];
	char municipality[64];
	int pupils;            /* enrolled pupils, for the flood guard's share; 0 unknown */
};

struct dispatch_config {
	bool enabled;              /* partners are configured */
	int reminder_percent;      /* reminder at this share of the window; 0 = none */
	bool working_days;         /* the window does not count Saturdays and Sundays */
	int duo_report_working_days; /* leerplicht_16u school task: due within this many */
	int undeliverable_after_s; /* not delivered this long: operator alert, fallback */
	int task_retention_days;   /* task records expire this long after creation */
	int poll_ms;               /* how often due times and the outbox are checked */
	int retry_base_ms, retry_max_ms;
	int window_s;              /* > 0: the action window in seconds (drills, tests) */
	int audit_retention_days;  /* audit entries older than this are trimmed */
	int case_idle_days;        /* an acknowledged case idle this long closes (90) */
	char api_base_url[200];    /* links in payloads: <base>/v1/tasks/<id>/ack */
};

/* The Dutch texts partners read (templates_nl.c holds the defaults, texts.c
 * picks and renders them). Each has a key that the configuration's
 * "templates" section may replace; the first two are used by index. */
struct text_default {
	const char *key;
	const char *text;
};
extern const struct text_default text_defaults[];
extern const int text_defaults_count;
enum template_key { TPL_REMINDER, TPL_EMAIL_SUBJECT };
#define TPL_COUNT 160 /* room for every key of text_defaults */

/* The template's key in the "templates" section, and its Dutch default;
 * template_index is -1 for an unknown key. */
const char *template_key_name(int k);
const char *template_default(int k);
int template_index(const char *key);

/* What a text is for. */
enum text_kind { TEXT_TASK, TEXT_UPDATE, TEXT_SEPARATE, TEXT_REMINDER, TEXT_ESCALATION,
		 TEXT_REFERRAL, TEXT_TEST };
/* "task", "update", "separate" (also "separate_task"), "reminder",
 * "escalation", "referral", "test"; unknown names are TEXT_TASK. */
enum text_kind text_kind_of(const char *name);

/* What the text needs besides rule, level and role: any of "id", "school",
 * "student", "escalates", "escalated_role", "refers", "sector" (strings) may
 * be set in it, and "facts" (an object, already minimised for the partner:
 * a fact left out makes the text fall back to its ".plain" wording).
 * due_local is the deadline as "DD-MM-YYYY HH:MM" in local time (what the
 * dispatcher formats), rendered as a Dutch date ("woensdag 2 december 2026
 * om 14:30"); NULL or "" when the kind has none. */
struct partners_config;
void partner_text(const struct partners_config *pc, const char *rule, const char *level,
		  const char *role, enum text_kind kind, const json_t *info, const char *due_local,
		  char *buf, size_t cap);
/* The e-mail subject: school (when info has it), topic and deadline. */
void partner_subject(const struct partners_config *pc, const char *rule, const char *level,
		     enum text_kind kind, const json_t *info, const char *due_local, char *buf,
		     size_t cap);
/* "woensdag 2 december 2026 om 14:30" from "02-12-2026 14:30"; a date that
 * does not parse is copied as it is. */
void dutch_deadline(const char *due_local, char *buf, size_t cap);
/* The key of the text used for (rule, level, role, kind) and part ("fact",
 * "fact.plain", "ask", "topic" or "frame"): texts.c's one selection
 * function, exposed for the tests. Returns the index, or -1 when none. */
int text_select(const struct partners_config *pc, const char *rule, const char *level,
		const char *role, enum text_kind kind, const char *part);

struct partners_config {
	int refs;
	struct partner *partners;
	int npartners;
	struct route *routes;      /* NULL: the RULES.md defaults */
	int nroutes;
	struct school_info *schools;
	int nschools;
	struct dispatch_config dispatch;
	char *templates[TPL_COUNT];
};

/* Reads the sections from an open configuration document; errors go to jc.
 * Always returns a configuration (possibly empty) for partners_unref. */
struct partners_config *partners_load(struct jconf *jc);
struct partners_config *partners_ref(struct partners_config *pc);
void partners_unref(struct partners_config *pc);

/* The roles of a signal's task: the first matching route (or the defaults),
 * with leerplicht replaced by rmc for a pupil aged adult_age or over. */
unsigned partners_route(const struct partners_config *pc, const struct signal *s, int adult_age);

/* Whether partner p serves school (by pattern, or through the school's
 * municipality in the "schools" section). */
bool partner_serves(const struct partners_config *pc, const struct partner *p, const char *school);
const struct partner *partners_find(const struct partners_config *pc, const char *id);
/* The "schools" section's entry for a school code, or NULL. */
const struct school_info *partners_school(const struct partners_config *pc, const char *code);
/* The longest API token accepted; a presented token beyond it is refused
 * without being hashed. */
#define PARTNER_TOKEN_MAX 256
/* Whether token could be an API token: 1 to PARTNER_TOKEN_MAX printable
 * ASCII characters (0x21-0x7e), so no space, control character or NUL. */
bool token_well_formed(const char *token);
/* The partner whose stored SHA-256 matches the token's, or NULL. The token
 * is hashed at most once (never when it is not well formed) and compared
 * with every partner's hash in constant time. */
const struct partner *partners_by_token(const struct partners_config *pc, const char *token);

/* Writes to out (one line each) every route role that resolves to no
 * partner for a known school (the "schools" section, the calendar's schools
 * and the partners' literal school codes; when none is known, for any
 * school). Returns the number of lines. */
int partners_check_routes(const struct partners_config *pc, const char *const *extra_schools,
			  int nextra, char **out);

/* Writes to *out (appending, one line each) every route that can send a
 * health rule's task (mazl, long_sick) to leerplicht or rmc. Returns the
 * number of lines. */
int partners_check_health_routes(const struct partners_config *pc, char **out);
/* Everything that breaks a region, one line each in *out (NULL when none):
 * no partners at all, health routes to leerplicht or rmc, and
 * partners_check_routes (with no known school at all, each route role is
 * checked to have a partner for some school). Returns the number of lines. */
int partners_check(const struct partners_config *pc, const char *const *extra_schools, int nextra,
		   char **out);

/* Whether a fact is health data: every fact of mazl and long_sick, and any
 * fact about sickness elsewhere. */
bool fact_is_health(const char *rule, const char *fact);

/* Builds the payload one partner receives (docs/partners.md) from the
 * task's stored record `task` (the JSON the dispatcher keeps), keeping only
 * the partner's fields and never health facts for a partner without
 * health_data. kind is "task" or "reminder"; due_at is this partner's due
 * time. Returns a new reference. */
json_t *payload_build(const struct partners_config *pc, const struct partner *p, const json_t *task,
		      const char *kind, const char *due_at);

/* Renders the Dutch action text for a task record into buf: partner_text
 * with the record's rule, level (or trigger), kind, facts and ids. */
void action_text(const struct partners_config *pc, const json_t *task, const char *role,
		 const char *due_at_local, char *buf, size_t cap);
void template_render(const char *tpl, const json_t *vars, char *buf, size_t cap);

/* Due time of a window of `hours` starting at start_ms; with working_days
 * Saturdays and Sundays (local time) do not count. */
int64_t due_after_hours(int64_t start_ms, int hours, bool working_days);
/* The end of the n-th working day after start (local time), for the DUO
 * report of a 16-hour task. */
int64_t due_after_working_days(int64_t start_ms, int days);
/* The one due time of a task created at created_ms with an action window of
 * window_hours: what the task entry records (due_at) and what a partner is
 * told both come from here (dispatch window_s and working_days applied;
 * dc NULL: plain hours). duo_school: the school's DUO-report task of
 * leerplicht_16u, due within duo_report_working_days if that is sooner. */
int64_t task_due_ms(const struct dispatch_config *dc, int64_t created_ms, int window_hours,
		    bool duo_school);

/* Delay before the next delivery attempt: exponential from base_ms,
 * capped at max_ms, with jitter from rnd in [half, full]; at least the
 * partner's Retry-After (seconds, capped at an hour) when it sent one. */
int64_t retry_delay_ms(int attempt, int base_ms, int max_ms, uint64_t rnd, long retry_after_s);

/* A task's id: HMAC-SHA-256 keyed with the region's secret (ids.secret_file)
 * over signal_id_material, as "vs" and 16 hex digits; deterministic for a
 * given secret, so a replayed or re-read signal gets the same id (it is the
 * idempotency key), and not computable without it. There is no unkeyed id:
 * secret must be one ids_secret_read accepted (aborts otherwise). */
#define IDS_SECRET_MIN 32
void signal_id_keyed(const struct signal *s, const char *secret, char out[SIGNAL_ID_LEN]);

/* Reads the region's id secret: the first line of path, at least
 * IDS_SECRET_MIN bytes, from a regular file neither group nor others may
 * read or write. Returns it (free with ids_secret_free), or NULL with why
 * saying what is wrong and what to run to create one. path NULL: no
 * ids.secret_file configured. */
char *ids_secret_read(const char *path, char *why, size_t cap);
void ids_secret_free(char *secret);

/* X-Vroegsignaal-Signature value: "sha256=" + hex HMAC-SHA256(secret,
 * timestamp "." body). out holds at least 72 bytes. */
void webhook_signature(const char *secret, const char *timestamp, const char *body, size_t body_len,
		       char *out, size_t cap);

/* The outcomes a partner may acknowledge a task with (planned, contacted,
 * done, consult_requested, referred, not_applicable). */
bool ack_outcome_valid(const char *outcome);
#define ACK_OUTCOMES "planned, contacted, done, consult_requested, referred or not_applicable"

/* Lower-case hex SHA-256 of a token (for "token_sha256" in the file). */
void token_hash_hex(const char *token, char out[65]);
/* Fills out with the SHA-256 given as 64 hex digits (hex), or of token when
 * hex is NULL. Returns 0, or -1 when hex is not 64 hex digits. */
int token_sha256_parse(const char *hex, const char *token, unsigned char out[32]);
/* Whether token hashes to sha256 (constant time). */
bool token_matches(const unsigned char sha256[32], const char *token);

#endif
