/*
 * texts: the Dutch texts partners read (templates_nl.c holds the defaults,
 * texts.c picks and renders them).
 */
#ifndef VS_TEXTS_H
#define VS_TEXTS_H

#include <jansson.h>
#include <stddef.h>

struct partners_config;

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

/* Renders the Dutch action text for a task record into buf: partner_text
 * with the record's rule, level (or trigger), kind, facts and ids. */
void action_text(const struct partners_config *pc, const json_t *task, const char *role,
		 const char *due_at_local, char *buf, size_t cap);

#endif
