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
 *
 * This header is the configuration (partners.c); each other job has its
 * own: partner_routing.h (who receives a task, the route checks), payload.h
 * (what a partner receives), texts.h (the Dutch texts), signing.h (tokens,
 * task ids, webhook signatures), due.h (due times, the retry delay).
 */
#ifndef VS_PARTNERS_H
#define VS_PARTNERS_H

#include "jsonconf.h"
#include "routing.h"
#include "rules.h"
#include "texts.h" /* TPL_COUNT */

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
	int task_entry_retention_hours; /* processed task entries are trimmed after this */
	int poll_ms;               /* how often due times and the outbox are checked */
	int retry_base_ms, retry_max_ms;
	int window_s;              /* > 0: the action window in seconds (drills, tests) */
	int audit_retention_days;  /* audit entries older than this are trimmed */
	int case_idle_days;        /* an acknowledged case idle this long closes (90) */
	char api_base_url[200];    /* links in payloads: <base>/v1/tasks/<id>/ack */
};

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

const struct partner *partners_find(const struct partners_config *pc, const char *id);
/* The "schools" section's entry for a school code, or NULL. */
const struct school_info *partners_school(const struct partners_config *pc, const char *code);

#endif
