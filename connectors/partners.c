/*
 * partners: see partners.h. Loading the configuration's partner sections,
 * reference counting, and looking partners and schools up. The other jobs
 * of partners.h have their own files: partner_routing.c, payload.c (payloads
 * and templates), signing.c (tokens, webhook signatures), due.c (due times,
 * retry delay).
 */
#include "partners.h"

#include "connector.h"

#include "event.h"
#include "signing.h"
#include "util.h"

#include <errno.h>
#include <fnmatch.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const field_names[PF_COUNT] = {"student", "school",     "sector", "age",
						  "date",    "period_key", "facts"};

const char *payload_field_name(enum payload_field f)
{
	return (unsigned)f < PF_COUNT ? field_names[f] : "unknown";
}

/* ---- loading ------------------------------------------------------------ */

char **conf_string_list(struct jconf *jc, json_t *o, const char *at, const char *key, int *n)
{
	char path[160];
	jconf_path_key(path, sizeof path, at, key);
	json_t *a = json_object_get(o, key);
	*n = 0;
	if (!a)
		return NULL;
	if (!json_is_array(a)) {
		jconf_error(jc, path, "expected an array of strings");
		return NULL;
	}
	char **out = xcalloc(json_array_size(a) + 1, sizeof *out);
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v) {
		if (!json_is_string(v) || !*json_string_value(v)) {
			char p2[180];
			jconf_error(jc, jconf_path_index(p2, sizeof p2, path, i),
				    "expected a non-empty string");
			continue;
		}
		out[(*n)++] = xstrdup(json_string_value(v));
	}
	return out;
}

void conf_strv_free(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

char *conf_string(struct jconf *jc, json_t *o, const char *at, const char *key)
{
	const char *s = NULL;
	if (jconf_string(jc, o, at, key, &s) == 0 && s)
		return xstrdup(s);
	return NULL;
}

/* A secret inline ("secret") or from a file ("secret_file"); never both. */
char *conf_secret(struct jconf *jc, json_t *o, const char *at, const char *key)
{
	char fkey[64], path[200];
	snprintf(fkey, sizeof fkey, "%s_file", key);
	char *inline_value = conf_string(jc, o, at, key);
	const char *file = NULL;
	if (jconf_string(jc, o, at, fkey, &file) != 0 || !file)
		return inline_value;
	if (inline_value) {
		jconf_error(jc, jconf_path_key(path, sizeof path, at, key),
			    "found both %s and %s; expected one", key, fkey);
		free(inline_value);
		return NULL;
	}
	char *v = read_secret_file(file);
	if (!v)
		jconf_error(jc, jconf_path_key(path, sizeof path, at, fkey),
			    "cannot read the file %s: %s", file, strerror(errno));
	return v;
}

void conf_secret_free(char *secret)
{
	if (secret)
		OPENSSL_cleanse(secret, strlen(secret));
	free(secret);
}

static void load_token(struct jconf *jc, json_t *o, const char *at, struct partner *p)
{
	char path[200];
	const char *hex = NULL;
	char *token = conf_secret(jc, o, at, "token");
	if (jconf_string(jc, o, at, "token_sha256", &hex) == 0 && hex) {
		if (token || token_sha256_parse(hex, NULL, p->token_sha256) != 0)
			jconf_error(jc, jconf_path_key(path, sizeof path, at, "token_sha256"),
				    "expected 64 hex digits (and no token or token_file beside it)");
		else
			p->has_token = true;
	} else if (token) {
		if (strlen(token) < 16 || !token_well_formed(token))
			jconf_error(jc, jconf_path_key(path, sizeof path, at, "token_file"),
				    "expected a token of 16 to %d printable ASCII characters without "
				    "spaces", PARTNER_TOKEN_MAX);
		token_sha256_parse(NULL, token, p->token_sha256);
		p->has_token = true;
	}
	if (token) {
		OPENSSL_cleanse(token, strlen(token));
		free(token);
	}
}

static void load_partner(struct jconf *jc, json_t *o, const char *at, struct partner *p)
{
	static const char *const keys[] = {"id", "role", "schools", "municipalities", "connector",
					   "fallback", "token", "token_file", "token_sha256",
					   "fields", "health_data", "legal_basis", "max_in_flight",
					   NULL};
	char path[200];
	p->max_in_flight = 16;
	p->fields = (1u << PF_COUNT) - 1;
	if (jconf_expect_object(jc, o, at) != 0)
		return;
	jconf_only_keys(jc, o, at, keys);
	const char *s = NULL;
	if (jconf_string(jc, o, at, "id", &s) != 0 || !s || !*s || strlen(s) >= sizeof p->id ||
	    strpbrk(s, "|/ \t\r\n"))
		jconf_error(jc, jconf_path_key(path, sizeof path, at, "id"),
			    "expected an id of 1 to %zu characters without '|', '/' or spaces",
			    sizeof p->id - 1);
	else
		str_copy(p->id, s, sizeof p->id);
	s = NULL;
	int role = -1;
	if (jconf_string(jc, o, at, "role", &s) == 0 && s)
		role = role_by_name(s);
	if (role < 0)
		jconf_error(jc, jconf_path_key(path, sizeof path, at, "role"),
			    "expected one of school, jeugdarts, leerplicht, rmc, swv, wij, "
			    "escalation");
	else
		p->role = (enum role)role;
	p->schools = conf_string_list(jc, o, at, "schools", &p->nschools);
	p->municipalities = conf_string_list(jc, o, at, "municipalities", &p->nmunicipalities);
	if (p->nschools == 0 && p->nmunicipalities == 0)
		jconf_error(jc, jconf_path_key(path, sizeof path, at, "schools"),
			    "expected the schools (patterns such as \"01AB\" or \"*\") or the "
			    "municipalities this partner serves");
	json_t *c = json_object_get(o, "connector");
	if (!c)
		jconf_error(jc, jconf_path_key(path, sizeof path, at, "connector"),
			    "expected a connector object");
	else
		connector_cfg_load(jc, c, jconf_path_key(path, sizeof path, at, "connector"), &p->primary);
	if ((c = json_object_get(o, "fallback"))) {
		connector_cfg_load(jc, c, jconf_path_key(path, sizeof path, at, "fallback"), &p->fallback);
		p->has_fallback = true;
	}
	load_token(jc, o, at, p);
	json_t *f = json_object_get(o, "fields");
	if (f) {
		int n;
		char **names = conf_string_list(jc, o, at, "fields", &n);
		p->fields = 0;
		for (int i = 0; i < n; i++) {
			int k = -1;
			for (int j = 0; j < PF_COUNT; j++)
				if (strcmp(names[i], field_names[j]) == 0)
					k = j;
			char p2[220], p3[240];
			if (k < 0)
				jconf_error(jc, jconf_path_index(p3, sizeof p3,
								 jconf_path_key(p2, sizeof p2, at, "fields"),
								 (size_t)i),
					    "found \"%s\"; expected one of student, school, sector, "
					    "age, date, period_key, facts",
					    names[i]);
			else
				p->fields |= 1u << k;
		}
		conf_strv_free(names, n);
	}
	p->health_data = p->role == ROLE_SCHOOL || p->role == ROLE_JEUGDARTS;
	jconf_bool(jc, o, at, "health_data", &p->health_data);
	if (p->health_data && (p->role == ROLE_LEERPLICHT || p->role == ROLE_RMC))
		jconf_error(jc, jconf_path_key(path, sizeof path, at, "health_data"),
			    "found true for a %s partner; sickness facts never go to leerplicht "
			    "or rmc",
			    role_name(p->role));
	s = NULL;
	if (jconf_string(jc, o, at, "legal_basis", &s) != 0 || !s || !*s)
		jconf_error(jc, jconf_path_key(path, sizeof path, at, "legal_basis"),
			    "expected the legal basis of this partner's receipt (recorded with "
			    "every delivery)");
	else
		str_copy(p->legal_basis, s, sizeof p->legal_basis);
	jconf_int_field(jc, o, at, "max_in_flight", 1, 256, &p->max_in_flight);
}

static void load_route(struct jconf *jc, json_t *o, const char *at, struct route *r)
{
	static const char *const keys[] = {"rule", "level", "trigger", "sector", "school", "age",
					   "roles", NULL};
	char path[200];
	r->rule = r->level = r->sector = r->age_min = r->age_max = -1;
	if (jconf_expect_object(jc, o, at) != 0)
		return;
	jconf_only_keys(jc, o, at, keys);
	const char *s = NULL;
	if (jconf_string(jc, o, at, "rule", &s) == 0 && s) {
		r->rule = rule_by_name(s);
		if (r->rule < 0)
			jconf_error(jc, jconf_path_key(path, sizeof path, at, "rule"),
				    "found \"%s\"; expected a rule name (docs/rules.md)", s);
	}
	for (int k = 0; k < 2; k++) {
		const char *key = k ? "trigger" : "level";
		s = NULL;
		if (jconf_string(jc, o, at, key, &s) != 0 || !s)
			continue;
		if (r->rule < 0 || !rule_level_key(r->rule) || strcmp(rule_level_key(r->rule), key) != 0) {
			jconf_error(jc, jconf_path_key(path, sizeof path, at, key),
				    "the route's rule has no %s", key);
			continue;
		}
		for (int l = 0; l < rule_level_count(r->rule); l++)
			if (strcmp(rule_level_name(r->rule, l), s) == 0)
				r->level = l;
		if (r->level < 0)
			jconf_error(jc, jconf_path_key(path, sizeof path, at, key),
				    "found \"%s\"; not a %s of %s", s, key, rule_name(r->rule));
	}
	s = NULL;
	if (jconf_string(jc, o, at, "sector", &s) == 0 && s) {
		for (int i = 0; i < SECTOR_COUNT; i++)
			if (strcmp(sector_name((enum sector)i), s) == 0)
				r->sector = i;
		if (r->sector < 0)
			jconf_error(jc, jconf_path_key(path, sizeof path, at, "sector"),
				    "expected po, so, vo, vso or mbo");
	}
	s = NULL;
	if (jconf_string(jc, o, at, "school", &s) == 0 && s) {
		if (strlen(s) >= sizeof r->school)
			jconf_error(jc, jconf_path_key(path, sizeof path, at, "school"),
				    "expected a pattern of at most %zu characters", sizeof r->school - 1);
		else
			str_copy(r->school, s, sizeof r->school);
	}
	json_t *age = json_object_get(o, "age");
	if (age) {
		static const char *const akeys[] = {"min", "max", NULL};
		char apath[200];
		jconf_path_key(apath, sizeof apath, at, "age");
		if (jconf_expect_object(jc, age, apath) == 0) {
			jconf_only_keys(jc, age, apath, akeys);
			jconf_int_field(jc, age, apath, "min", 0, 120, &r->age_min);
			jconf_int_field(jc, age, apath, "max", 0, 120, &r->age_max);
		}
	}
	int n;
	char **roles = conf_string_list(jc, o, at, "roles", &n);
	for (int i = 0; i < n; i++) {
		int role = role_by_name(roles[i]);
		if (role < 0)
			jconf_error(jc, jconf_path_key(path, sizeof path, at, "roles"),
				    "found \"%s\"; expected school, jeugdarts, leerplicht, rmc, swv, "
				    "wij or escalation",
				    roles[i]);
		else
			r->roles |= 1u << role;
	}
	if (!json_object_get(o, "roles"))
		jconf_error(jc, jconf_path_key(path, sizeof path, at, "roles"),
			    "expected the roles this route's tasks go to");
	conf_strv_free(roles, n);
}

static void load_dispatch(struct jconf *jc, json_t *o, struct dispatch_config *dc)
{
	static const char *const keys[] = {"reminder_percent", "working_days",
					   "duo_report_working_days", "undeliverable_after_s",
					   "task_retention_days", "poll_ms", "retry_base_ms",
					   "retry_max_ms", "api_base_url", "window_s",
					   "audit_retention_days", "case_idle_days",
					   "task_entry_retention_hours", NULL};
	if (jconf_expect_object(jc, o, "dispatch") != 0)
		return;
	jconf_only_keys(jc, o, "dispatch", keys);
	jconf_int_field(jc, o, "dispatch", "reminder_percent", 0, 99, &dc->reminder_percent);
	jconf_bool(jc, o, "dispatch", "working_days", &dc->working_days);
	jconf_int_field(jc, o, "dispatch", "duo_report_working_days", 1, 30,
			&dc->duo_report_working_days);
	jconf_int_field(jc, o, "dispatch", "undeliverable_after_s", 1, 7 * 86400,
			&dc->undeliverable_after_s);
	jconf_int_field(jc, o, "dispatch", "task_retention_days", 1, 3660, &dc->task_retention_days);
	jconf_int_field(jc, o, "dispatch", "task_entry_retention_hours", 0, 3660 * 24,
			&dc->task_entry_retention_hours);
	jconf_int_field(jc, o, "dispatch", "poll_ms", 10, 60000, &dc->poll_ms);
	jconf_int_field(jc, o, "dispatch", "retry_base_ms", 10, 3600000, &dc->retry_base_ms);
	jconf_int_field(jc, o, "dispatch", "retry_max_ms", 10, 86400000, &dc->retry_max_ms);
	jconf_int_field(jc, o, "dispatch", "window_s", 0, 86400 * 60, &dc->window_s);
	jconf_int_field(jc, o, "dispatch", "audit_retention_days", 1, 36600, &dc->audit_retention_days);
	jconf_int_field(jc, o, "dispatch", "case_idle_days", 1, 3660, &dc->case_idle_days);
	if (dc->retry_base_ms > dc->retry_max_ms)
		jconf_error(jc, "dispatch.retry_base_ms", "found more than retry_max_ms (%d); expected "
							  "at most that",
			    dc->retry_max_ms);
	const char *s = NULL;
	if (jconf_string(jc, o, "dispatch", "api_base_url", &s) == 0 && s) {
		size_t n = strlen(s);
		while (n && s[n - 1] == '/')
			n--;
		if (n == 0 || n >= sizeof dc->api_base_url)
			jconf_error(jc, "dispatch.api_base_url", "expected a URL such as "
								 "https://vroegsignaal.example.nl");
		else
			snprintf(dc->api_base_url, sizeof dc->api_base_url, "%.*s", (int)n, s);
	}
}

static void load_templates(struct jconf *jc, json_t *o, struct partners_config *pc)
{
	if (jconf_expect_object(jc, o, "templates") != 0)
		return;
	const char *key;
	json_t *v;
	json_object_foreach(o, key, v) {
		char path[160];
		int k = template_index(key);
		jconf_path_key(path, sizeof path, "templates", key);
		static const char *const v1_keys[] = {
			"first_month", "attendance_tier.tier2", "attendance_tier.tier3",
			"attendance_tier.severe", "mazl", "leerplicht_16u.school", "leerplicht_16u",
			"lrv.4w", "lrv.3m", "long_sick.4w", "long_sick.3m", "luxe", "absolute", NULL};
		for (int i = 0; k < 0 && v1_keys[i]; i++)
			if (strcmp(v1_keys[i], key) == 0)
				k = -2;
		if (k == -2) {
			jconf_error(jc, path, "a text of the old scheme: texts are now \"fact.<rule>\", "
					      "\"ask.<rule>.<role>\" and one frame per kind "
					      "(docs/partners.md 2.6)");
			continue;
		}
		if (k < 0) {
			jconf_error(jc, path, "unknown template (docs/partners.md lists them)");
			continue;
		}
		if (!json_is_string(v) || !*json_string_value(v)) {
			jconf_error(jc, path, "expected a non-empty string");
			continue;
		}
		free(pc->templates[k]);
		pc->templates[k] = xstrdup(json_string_value(v));
	}
}

static void load_schools(struct jconf *jc, json_t *o, struct partners_config *pc)
{
	if (jconf_expect_object(jc, o, "schools") != 0)
		return;
	pc->schools = xcalloc(json_object_size(o) + 1, sizeof *pc->schools);
	const char *key;
	json_t *v;
	json_object_foreach(o, key, v) {
		static const char *const keys[] = {"municipality", "name", "pupils", NULL};
		char path[160];
		jconf_path_key(path, sizeof path, "schools", key);
		if (strlen(key) >= sizeof pc->schools[0].code) {
			jconf_error(jc, path, "expected a school code of at most %zu characters",
				    sizeof pc->schools[0].code - 1);
			continue;
		}
		if (jconf_expect_object(jc, v, path) != 0)
			continue;
		jconf_only_keys(jc, v, path, keys);
		struct school_info *si = &pc->schools[pc->nschools++];
		str_copy(si->code, key, sizeof si->code);
		const char *m = NULL;
		if (jconf_string(jc, v, path, "municipality", &m) == 0 && m)
			str_copy(si->municipality, m, sizeof si->municipality);
		jconf_int_field(jc, v, path, "pupils", 0, 1000000, &si->pupils);
	}
}

struct partners_config *partners_load(struct jconf *jc)
{
	struct partners_config *pc = xcalloc(1, sizeof *pc);
	pc->refs = 1;
	struct dispatch_config *dc = &pc->dispatch;
	dc->reminder_percent = 50;
	dc->duo_report_working_days = 5;
	dc->undeliverable_after_s = 900;
	dc->task_retention_days = 400;
	dc->task_entry_retention_hours = 48;
	dc->audit_retention_days = 730;
	dc->case_idle_days = 90;
	dc->poll_ms = 250;
	dc->retry_base_ms = 1000;
	dc->retry_max_ms = 120000;
	str_copy(dc->api_base_url, "http://127.0.0.1:9464", sizeof dc->api_base_url);
	for (int i = 0; i < text_defaults_count; i++)
		pc->templates[i] = xstrdup(template_default(i));
	json_t *root = jc->root, *o;
	if (!root)
		return pc;
	if ((o = json_object_get(root, "dispatch")))
		load_dispatch(jc, o, dc);
	if ((o = json_object_get(root, "templates")))
		load_templates(jc, o, pc);
	if ((o = json_object_get(root, "schools")))
		load_schools(jc, o, pc);
	if ((o = json_object_get(root, "routes"))) {
		if (!json_is_array(o)) {
			jconf_error(jc, "routes", "expected an array of routes");
		} else {
			pc->nroutes = (int)json_array_size(o);
			if (pc->nroutes == 0)
				jconf_error(jc, "routes", "found no routes; expected at least one (leave "
							  "the section out for the RULES.md defaults)");
			pc->routes = xcalloc((size_t)pc->nroutes + 1, sizeof *pc->routes);
			for (int i = 0; i < pc->nroutes; i++) {
				char path[64];
				load_route(jc, json_array_get(o, (size_t)i),
					   jconf_path_index(path, sizeof path, "routes", (size_t)i),
					   &pc->routes[i]);
			}
		}
	}
	if ((o = json_object_get(root, "partners"))) {
		if (!json_is_array(o)) {
			jconf_error(jc, "partners", "expected an array of partners");
		} else {
			size_t n = json_array_size(o);
			pc->partners = xcalloc(n + 1, sizeof *pc->partners);
			for (size_t i = 0; i < n; i++) {
				char path[64];
				struct partner *p = &pc->partners[pc->npartners++];
				load_partner(jc, json_array_get(o, i),
					     jconf_path_index(path, sizeof path, "partners", i), p);
				for (int j = 0; j + 1 < pc->npartners && p->id[0]; j++) {
					if (strcmp(pc->partners[j].id, p->id) == 0)
						jconf_error(jc, path, "found the id \"%s\" twice; "
								      "expected unique partner ids",
							    p->id);
					if (p->has_token && pc->partners[j].has_token &&
					    CRYPTO_memcmp(p->token_sha256, pc->partners[j].token_sha256, 32) == 0)
						jconf_error(jc, path, "has the same API token as partner "
								      "\"%s\"; expected a token per partner",
							    pc->partners[j].id);
				}
			}
			dc->enabled = pc->npartners > 0;
		}
	}
	return pc;
}

struct partners_config *partners_ref(struct partners_config *pc)
{
	pc->refs++;
	return pc;
}

void partners_unref(struct partners_config *pc)
{
	if (!pc || --pc->refs > 0)
		return;
	for (int i = 0; i < pc->npartners; i++) {
		struct partner *p = &pc->partners[i];
		conf_strv_free(p->schools, p->nschools);
		conf_strv_free(p->municipalities, p->nmunicipalities);
		connector_cfg_free(&p->primary);
		connector_cfg_free(&p->fallback);
		OPENSSL_cleanse(p->token_sha256, sizeof p->token_sha256);
	}
	free(pc->partners);
	free(pc->routes);
	free(pc->schools);
	for (int i = 0; i < TPL_COUNT; i++)
		free(pc->templates[i]);
	free(pc);
}

const struct school_info *partners_school(const struct partners_config *pc, const char *code)
{
	for (int i = 0; pc && i < pc->nschools; i++)
		if (strcmp(pc->schools[i].code, code) == 0)
			return &pc->schools[i];
	return NULL;
}

const struct partner *partners_find(const struct partners_config *pc, const char *id)
{
	for (int i = 0; pc && i < pc->npartners; i++)
		if (strcmp(pc->partners[i].id, id) == 0)
			return &pc->partners[i];
	return NULL;
}
