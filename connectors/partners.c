/*
 * partners: see partners.h. Loading the sections, routing a task to
 * partners, minimising what each partner receives, the Dutch templates, due
 * times and the retry delay.
 */
#include "partners.h"

#include "event.h"
#include "util.h"

#include <errno.h>
#include <fnmatch.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const connector_names[CONN_TYPE_COUNT] = {"webhook", "redis", "smtp", "file"};
static const char *const field_names[PF_COUNT] = {"student", "school",     "sector", "age",
						  "date",    "period_key", "facts"};

const char *connector_type_name(enum connector_type t)
{
	return (unsigned)t < CONN_TYPE_COUNT ? connector_names[t] : "unknown";
}

const char *payload_field_name(enum payload_field f)
{
	return (unsigned)f < PF_COUNT ? field_names[f] : "unknown";
}

/* Dutch action texts (text partners read), by template key. */
static const struct {
	const char *key;
	const char *text;
} default_templates[TPL_COUNT] = {
	[TPL_FIRST_MONTH] = {"first_month",
			     "Verzuim in de eerste schoolmaand ({level}). Neem contact op met de "
			     "leerling en de ouders en bespreek de afwezigheid. Actie vóór {due_at}."},
	[TPL_TIER2] = {"attendance_tier.tier2",
		       "Het verzuim van deze leerling is boven de 5 % gekomen. Bespreek de "
		       "aanwezigheid met de leerling en de ouders en maak afspraken. Actie vóór "
		       "{due_at}."},
	[TPL_TIER3] = {"attendance_tier.tier3",
		       "Het verzuim van deze leerling is boven de 10 % gekomen. Zet intensieve "
		       "begeleiding in met het zorgteam en het samenwerkingsverband. Actie vóór "
		       "{due_at}."},
	[TPL_SEVERE] = {"attendance_tier.severe",
			"Ernstig verzuim. Stem direct af met het zorgteam en het "
			"samenwerkingsverband over een plan. Actie vóór {due_at}."},
	[TPL_MAZL] = {"mazl",
		      "Zorgwekkend ziekteverzuim volgens de MAZL-criteria ({level}). Plan het "
		      "MAZL-gesprek met de leerling en de ouders; vraag zo nodig een consult bij de "
		      "jeugdarts aan. Actie vóór {due_at}."},
	[TPL_LEERPLICHT_16U_SCHOOL] = {"leerplicht_16u.school",
				       "Ongeoorloofd verzuim van 16 uur of meer in 4 lesweken. Meld "
				       "dit verzuim bij DUO (wettelijke meldplicht). Actie vóór "
				       "{due_at}."},
	[TPL_LEERPLICHT_16U] = {"leerplicht_16u",
				"Ongeoorloofd verzuim van 16 uur of meer in 4 lesweken op school "
				"{school}. Beoordeel de situatie en neem contact op met leerling en "
				"ouders. Actie vóór {due_at}."},
	[TPL_LRV_4W] = {"lrv.4w",
			"Deze leerling staat 4 weken ingeschreven zonder onderwijs te volgen. "
			"Stem met school en samenwerkingsverband een plan af. Actie vóór "
			"{due_at}."},
	[TPL_LRV_3M] = {"lrv.3m",
			"Deze leerling zit al 3 maanden thuis. Beoordeel de inzet van "
			"doorzettingsmacht. Actie vóór {due_at}."},
	[TPL_LONG_SICK_4W] = {"long_sick.4w",
			      "Deze leerling is 4 weken aaneengesloten ziek gemeld. Bespreek "
			      "passende ondersteuning. Actie vóór {due_at}."},
	[TPL_LONG_SICK_3M] = {"long_sick.3m",
			      "Deze leerling is 3 maanden aaneengesloten ziek gemeld. Beoordeel of "
			      "doorzettingsmacht nodig is. Actie vóór {due_at}."},
	[TPL_LUXE] = {"luxe",
		      "Mogelijk luxeverzuim: ongeoorloofde afwezigheid direct rond een "
		      "schoolvakantie. Beoordeel de situatie. Actie vóór {due_at}."},
	[TPL_ABSOLUTE] = {"absolute",
			  "Leerling is uitgeschreven zonder nieuwe school (mogelijk absoluut "
			  "verzuim). Zoek uit waar de leerling onderwijs volgt. Actie vóór "
			  "{due_at}."},
	[TPL_ESCALATION] = {"escalation",
			    "Escalatie: taak {escalates} ({rule}) voor de rol {role} is niet binnen "
			    "de termijn afgehandeld. Zorg dat er actie volgt. Actie vóór {due_at}."},
	[TPL_REFERRAL] = {"referral",
			  "Consultverzoek: na het MAZL-gesprek vraagt de school een consult bij de "
			  "jeugdarts aan (taak {refers}). Plan het consult. Actie vóór {due_at}."},
	[TPL_REMINDER] = {"reminder",
			  "Herinnering: deze taak is nog niet afgehandeld. {action}"},
	[TPL_EMAIL_SUBJECT] = {"email_subject", "vroegsignaal: taak {id}, actie vóór {due_at}"},
};

/* ---- loading ------------------------------------------------------------ */

static char **string_list(struct jconf *jc, json_t *o, const char *at, const char *key, int *n)
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

static void strv_free(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static char *opt_string(struct jconf *jc, json_t *o, const char *at, const char *key)
{
	const char *s = NULL;
	if (jconf_string(jc, o, at, key, &s) == 0 && s)
		return xstrdup(s);
	return NULL;
}

/* A secret inline ("secret") or from a file ("secret_file"); never both. */
static char *load_secret(struct jconf *jc, json_t *o, const char *at, const char *key)
{
	char fkey[64], path[200];
	snprintf(fkey, sizeof fkey, "%s_file", key);
	char *inline_value = opt_string(jc, o, at, key);
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

static void connector_free(struct connector_cfg *c)
{
	free(c->url);
	free(c->ca_file);
	if (c->secret)
		OPENSSL_cleanse(c->secret, strlen(c->secret));
	free(c->secret);
	free(c->stream);
	free(c->from);
	strv_free(c->to, c->nto);
	free(c->username);
	if (c->password)
		OPENSSL_cleanse(c->password, strlen(c->password));
	free(c->password);
	free(c->path);
	memset(c, 0, sizeof *c);
}

static void load_connector(struct jconf *jc, json_t *o, const char *at, struct connector_cfg *c)
{
	static const char *const keys[CONN_TYPE_COUNT][16] = {
		[CONN_WEBHOOK] = {"type", "url", "ca_file", "secret", "secret_file",
				  "connect_timeout_ms", "timeout_ms", NULL},
		[CONN_REDIS] = {"type", "stream", "maxlen", NULL},
		[CONN_SMTP] = {"type", "url", "ca_file", "from", "to", "username", "password",
			       "password_file", "starttls", "health_facts_in_body",
			       "connect_timeout_ms", "timeout_ms", NULL},
		[CONN_FILE] = {"type", "path", NULL},
	};
	char path[200];
	c->connect_timeout_ms = 5000;
	c->timeout_ms = 15000;
	c->starttls_required = true;
	if (jconf_expect_object(jc, o, at) != 0)
		return;
	const char *type = NULL;
	jconf_string(jc, o, at, "type", &type);
	int t = -1;
	for (int i = 0; type && i < CONN_TYPE_COUNT; i++)
		if (strcmp(type, connector_names[i]) == 0)
			t = i;
	if (t < 0) {
		jconf_error(jc, jconf_path_key(path, sizeof path, at, "type"),
			    "expected \"webhook\", \"redis\", \"smtp\" or \"file\"");
		return;
	}
	c->type = (enum connector_type)t;
	jconf_only_keys(jc, o, at, keys[t]);
	jconf_int_field(jc, o, at, "connect_timeout_ms", 100, 600000, &c->connect_timeout_ms);
	jconf_int_field(jc, o, at, "timeout_ms", 100, 600000, &c->timeout_ms);
	switch (c->type) {
	case CONN_WEBHOOK:
		c->url = opt_string(jc, o, at, "url");
		c->ca_file = opt_string(jc, o, at, "ca_file");
		c->secret = load_secret(jc, o, at, "secret");
		if (!c->url || (strncmp(c->url, "https://", 8) != 0 && strncmp(c->url, "http://", 7) != 0))
			jconf_error(jc, jconf_path_key(path, sizeof path, at, "url"),
				    "expected an https:// (or http://) URL");
		if (!c->secret || strlen(c->secret) < 16)
			jconf_error(jc, jconf_path_key(path, sizeof path, at, "secret_file"),
				    "expected a webhook secret of at least 16 characters "
				    "(secret_file, or secret)");
		break;
	case CONN_REDIS: {
		c->stream = opt_string(jc, o, at, "stream");
		if (!c->stream)
			jconf_error(jc, jconf_path_key(path, sizeof path, at, "stream"),
				    "expected the key of the partner's queue stream");
		int64_t maxlen = 0;
		jconf_int(jc, o, at, "maxlen", 0, 1000000000, &maxlen);
		c->maxlen = (long)maxlen;
		break;
	}
	case CONN_SMTP: {
		c->url = opt_string(jc, o, at, "url");
		c->ca_file = opt_string(jc, o, at, "ca_file");
		c->from = opt_string(jc, o, at, "from");
		c->to = string_list(jc, o, at, "to", &c->nto);
		c->username = opt_string(jc, o, at, "username");
		c->password = load_secret(jc, o, at, "password");
		jconf_bool(jc, o, at, "health_facts_in_body", &c->health_in_body);
		const char *st = NULL;
		if (jconf_string(jc, o, at, "starttls", &st) == 0 && st) {
			if (strcmp(st, "required") == 0)
				c->starttls_required = true;
			else if (strcmp(st, "off") == 0)
				c->starttls_required = false;
			else
				jconf_error(jc, jconf_path_key(path, sizeof path, at, "starttls"),
					    "expected \"required\" or \"off\"");
		}
		if (!c->url || (strncmp(c->url, "smtp://", 7) != 0 && strncmp(c->url, "smtps://", 8) != 0))
			jconf_error(jc, jconf_path_key(path, sizeof path, at, "url"),
				    "expected smtp://HOST:PORT or smtps://HOST:PORT");
		if (!c->from)
			jconf_error(jc, jconf_path_key(path, sizeof path, at, "from"),
				    "expected the sender's address");
		if (c->nto == 0)
			jconf_error(jc, jconf_path_key(path, sizeof path, at, "to"),
				    "expected at least one recipient");
		break;
	}
	case CONN_FILE:
		c->path = opt_string(jc, o, at, "path");
		if (!c->path || c->path[0] != '/')
			jconf_error(jc, jconf_path_key(path, sizeof path, at, "path"),
				    "expected an absolute file path");
		break;
	case CONN_TYPE_COUNT:
		break;
	}
}

static int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void sha256(const void *data, size_t len, unsigned char out[32])
{
	unsigned int n = 32;
	EVP_Digest(data, len, out, &n, EVP_sha256(), NULL);
}

void token_hash_hex(const char *token, char out[65])
{
	unsigned char h[32];
	sha256(token, strlen(token), h);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
}

int token_sha256_parse(const char *hex, const char *token, unsigned char out[32])
{
	if (!hex) {
		sha256(token, strlen(token), out);
		return 0;
	}
	if (strlen(hex) != 64)
		return -1;
	for (int i = 0; i < 32; i++) {
		int hi = hex_nibble(hex[2 * i]), lo = hex_nibble(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

bool token_matches(const unsigned char want[32], const char *token)
{
	unsigned char h[32];
	sha256(token, strlen(token), h);
	return CRYPTO_memcmp(h, want, 32) == 0;
}

static void load_token(struct jconf *jc, json_t *o, const char *at, struct partner *p)
{
	char path[200];
	const char *hex = NULL;
	char *token = load_secret(jc, o, at, "token");
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
	p->max_in_flight = 4;
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
	p->schools = string_list(jc, o, at, "schools", &p->nschools);
	p->municipalities = string_list(jc, o, at, "municipalities", &p->nmunicipalities);
	if (p->nschools == 0 && p->nmunicipalities == 0)
		jconf_error(jc, jconf_path_key(path, sizeof path, at, "schools"),
			    "expected the schools (patterns such as \"01AB\" or \"*\") or the "
			    "municipalities this partner serves");
	json_t *c = json_object_get(o, "connector");
	if (!c)
		jconf_error(jc, jconf_path_key(path, sizeof path, at, "connector"),
			    "expected a connector object");
	else
		load_connector(jc, c, jconf_path_key(path, sizeof path, at, "connector"), &p->primary);
	if ((c = json_object_get(o, "fallback"))) {
		load_connector(jc, c, jconf_path_key(path, sizeof path, at, "fallback"), &p->fallback);
		p->has_fallback = true;
	}
	load_token(jc, o, at, p);
	json_t *f = json_object_get(o, "fields");
	if (f) {
		int n;
		char **names = string_list(jc, o, at, "fields", &n);
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
		strv_free(names, n);
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
	char **roles = string_list(jc, o, at, "roles", &n);
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
	strv_free(roles, n);
}

static void load_dispatch(struct jconf *jc, json_t *o, struct dispatch_config *dc)
{
	static const char *const keys[] = {"reminder_percent", "working_days",
					   "duo_report_working_days", "undeliverable_after_s",
					   "task_retention_days", "poll_ms", "retry_base_ms",
					   "retry_max_ms", "api_base_url", "window_s",
					   "audit_retention_days", NULL};
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
	jconf_int_field(jc, o, "dispatch", "poll_ms", 10, 60000, &dc->poll_ms);
	jconf_int_field(jc, o, "dispatch", "retry_base_ms", 10, 3600000, &dc->retry_base_ms);
	jconf_int_field(jc, o, "dispatch", "retry_max_ms", 10, 86400000, &dc->retry_max_ms);
	jconf_int_field(jc, o, "dispatch", "window_s", 0, 86400 * 60, &dc->window_s);
	jconf_int_field(jc, o, "dispatch", "audit_retention_days", 1, 36600, &dc->audit_retention_days);
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
		int k = -1;
		for (int i = 0; i < TPL_COUNT; i++)
			if (strcmp(default_templates[i].key, key) == 0)
				k = i;
		jconf_path_key(path, sizeof path, "templates", key);
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
	dc->audit_retention_days = 730;
	dc->poll_ms = 250;
	dc->retry_base_ms = 1000;
	dc->retry_max_ms = 120000;
	str_copy(dc->api_base_url, "http://127.0.0.1:9464", sizeof dc->api_base_url);
	for (int i = 0; i < TPL_COUNT; i++)
		pc->templates[i] = xstrdup(default_templates[i].text);
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
		strv_free(p->schools, p->nschools);
		strv_free(p->municipalities, p->nmunicipalities);
		connector_free(&p->primary);
		connector_free(&p->fallback);
		OPENSSL_cleanse(p->token_sha256, sizeof p->token_sha256);
	}
	free(pc->partners);
	free(pc->routes);
	free(pc->schools);
	for (int i = 0; i < TPL_COUNT; i++)
		free(pc->templates[i]);
	free(pc);
}

/* ---- routing to partners ---------------------------------------------- */

unsigned partners_route(const struct partners_config *pc, const struct signal *s, int adult_age)
{
	if (!pc || !pc->routes)
		return route_default_roles(s, adult_age);
	return route_match(pc->routes, pc->nroutes, s, adult_age);
}

bool partner_serves(const struct partners_config *pc, const struct partner *p, const char *school)
{
	for (int i = 0; i < p->nschools; i++)
		if (fnmatch(p->schools[i], school, 0) == 0)
			return true;
	const struct school_info *si = p->nmunicipalities ? partners_school(pc, school) : NULL;
	for (int j = 0; si && j < p->nmunicipalities; j++)
		if (strcmp(p->municipalities[j], si->municipality) == 0)
			return true;
	return false;
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

bool token_well_formed(const char *token)
{
	size_t n = 0;
	for (; token[n]; n++)
		if (n >= PARTNER_TOKEN_MAX || (unsigned char)token[n] < 0x21 ||
		    (unsigned char)token[n] > 0x7e)
			return false;
	return n > 0;
}

/* The presented token is hashed once, whatever the number of partners, and
 * only when it could be a token at all; the hash is then compared with every
 * partner's stored hash in constant time (no early exit), so neither the
 * CPU spent nor the time taken says which partner nearly matched. */
const struct partner *partners_by_token(const struct partners_config *pc, const char *token)
{
	if (!pc || !token_well_formed(token))
		return NULL;
	unsigned char h[32];
	sha256(token, strlen(token), h);
	const struct partner *found = NULL;
	for (int i = 0; i < pc->npartners; i++)
		if (CRYPTO_memcmp(h, pc->partners[i].token_sha256, 32) == 0 && pc->partners[i].has_token)
			found = &pc->partners[i];
	OPENSSL_cleanse(h, sizeof h);
	return found;
}

/* Whether a partner with role serves school; school NULL: any school. */
static bool role_served(const struct partners_config *pc, int role, const char *school)
{
	for (int i = 0; i < pc->npartners; i++)
		if ((int)pc->partners[i].role == role &&
		    (!school || partner_serves(pc, &pc->partners[i], school)))
			return true;
	return false;
}

static void describe_route(const struct route *r, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s%s%s%s%s%s", r->rule >= 0 ? rule_name(r->rule) : "any rule",
		 r->level >= 0 ? " " : "", r->level >= 0 ? rule_level_name(r->rule, r->level) : "",
		 r->sector >= 0 ? " in " : "", r->sector >= 0 ? sector_name((enum sector)r->sector) : "",
		 r->school[0] ? " (school pattern)" : "");
}

int partners_check_routes(const struct partners_config *pc, const char *const *extra_schools,
			  int nextra, char **out)
{
	*out = NULL;
	size_t len = 0;
	int lines = 0;
	const char **schools = xcalloc((size_t)(pc->nschools + nextra) + 1 + 64, sizeof *schools);
	int ns = 0, cap = pc->nschools + nextra + 64;
	for (int i = 0; i < pc->nschools; i++)
		schools[ns++] = pc->schools[i].code;
	for (int i = 0; i < nextra; i++)
		schools[ns++] = extra_schools[i];
	for (int i = 0; i < pc->npartners; i++)
		for (int j = 0; j < pc->partners[i].nschools; j++) {
			const char *s = pc->partners[i].schools[j];
			if (strpbrk(s, "*?[") || ns >= cap)
				continue;
			schools[ns++] = s;
		}
	/* No school is known at all: check that each role has a partner for
	 * some school (NULL stands for "any school" below). */
	bool any = ns == 0;
	if (any)
		ns = 1;
	int nroutes;
	const struct route *routes = pc->routes ? pc->routes : route_defaults(&nroutes);
	if (pc->routes)
		nroutes = pc->nroutes;
	for (int si = 0; si < ns; si++) {
		bool dup = false;
		for (int k = 0; k < si && !dup; k++)
			dup = strcmp(schools[k], schools[si]) == 0;
		if (dup)
			continue;
		const char *school = any ? NULL : schools[si];
		const char *label = any ? "any school (none is known: no \"schools\" section, no "
					  "school in the calendars, no literal code in partners)"
					: school;
		char sname[200];
		snprintf(sname, sizeof sname, "%s%s", any ? "" : "school ", label);
		unsigned missing_reported = 0;
		for (int ri = 0; ri < nroutes; ri++) {
			const struct route *r = &routes[ri];
			if (r->school[0] && school && fnmatch(r->school, school, 0) != 0)
				continue;
			char what[160];
			describe_route(r, what, sizeof what);
			for (int role = 0; role < ROLE_COUNT; role++) {
				if (!(r->roles & (1u << role)) || role_served(pc, role, school))
					continue;
				str_appendf(out, &len, "%s: route %d (%s) goes to %s, but no partner "
						       "with that role serves this school\n",
					 sname, ri + 1, what, role_name((enum role)role));
				lines++;
				missing_reported |= 1u << role;
			}
			if ((r->roles & (1u << ROLE_LEERPLICHT)) && !role_served(pc, ROLE_RMC, school) &&
			    !(missing_reported & (1u << ROLE_RMC))) {
				str_appendf(out, &len, "%s: route %d (%s) goes to rmc for pupils aged "
						       "18 or over, but no rmc partner serves this school\n",
					 sname, ri + 1, what);
				lines++;
				missing_reported |= 1u << ROLE_RMC;
			}
		}
		if (!role_served(pc, ROLE_ESCALATION, school) &&
		    !(missing_reported & (1u << ROLE_ESCALATION))) {
			str_appendf(out, &len, "%s: overdue tasks escalate to the escalation role, "
					       "but no escalation partner serves this school\n",
				 sname);
			lines++;
		}
		if (!role_served(pc, ROLE_JEUGDARTS, school)) {
			str_appendf(out, &len, "%s: a MAZL consult referral goes to jeugdarts, but "
					       "no jeugdarts partner serves this school\n",
				 sname);
			lines++;
		}
	}
	free(schools);
	return lines;
}

static bool rule_is_health(int rule)
{
	return rule == RULE_MAZL || rule == RULE_LONG_SICK;
}

int partners_check_health_routes(const struct partners_config *pc, char **out)
{
	int nroutes, lines = 0;
	size_t len = strlen(*out ? *out : "");
	const struct route *routes = pc->routes ? pc->routes : route_defaults(&nroutes);
	if (pc->routes)
		nroutes = pc->nroutes;
	const unsigned enforcement = (1u << ROLE_LEERPLICHT) | (1u << ROLE_RMC);
	for (int ri = 0; ri < nroutes; ri++) {
		const struct route *r = &routes[ri];
		if (!(r->roles & enforcement) || (r->rule >= 0 && !rule_is_health(r->rule)))
			continue;
		for (int rule = 0; rule < RULE_COUNT; rule++) {
			if (!rule_is_health(rule) || (r->rule >= 0 && r->rule != rule))
				continue;
			char what[160];
			describe_route(r, what, sizeof what);
			str_appendf(out, &len, "route %d (%s) sends %s tasks (health data) to %s; "
					       "health signals go to school, jeugdarts or swv, never "
					       "to leerplicht or rmc\n",
				    ri + 1, what, rule_name(rule),
				    (r->roles & (1u << ROLE_LEERPLICHT)) ? "leerplicht" : "rmc");
			lines++;
		}
	}
	return lines;
}

int partners_check(const struct partners_config *pc, const char *const *extra_schools, int nextra,
		   char **out)
{
	*out = NULL;
	size_t len = 0;
	int lines = 0;
	if (pc->npartners == 0) {
		str_appendf(out, &len, "no partners: every task would reach nobody (add a "
				       "\"partners\" section, docs/partners.md)\n");
		lines++;
	}
	lines += partners_check_health_routes(pc, out);
	char *routes = NULL;
	lines += partners_check_routes(pc, extra_schools, nextra, &routes);
	if (routes) {
		len = strlen(*out ? *out : "");
		str_append(out, &len, routes, strlen(routes));
		free(routes);
	}
	return lines;
}

/* ---- payloads ----------------------------------------------------------- */

bool fact_is_health(const char *rule, const char *fact)
{
	if (strcmp(rule, "mazl") == 0 || strcmp(rule, "long_sick") == 0)
		return true;
	return strstr(fact, "sick") != NULL || strstr(fact, "ziek") != NULL;
}

static const char *str_of(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

json_t *payload_build(const struct partners_config *pc, const struct partner *p, const json_t *task,
		      const char *kind, const char *due_at)
{
	json_t *out = json_object();
	const char *id = str_of(task, "id");
	const char *rule = str_of(task, "rule");
	json_object_set_new(out, "v", json_integer(1));
	json_object_set_new(out, "event", json_string(kind));
	json_object_set_new(out, "id", json_string(id));
	json_object_set_new(out, "kind", json_string(*str_of(task, "kind") ? str_of(task, "kind") : "task"));
	json_object_set_new(out, "partner", json_string(p->id));
	json_object_set_new(out, "role", json_string(role_name(p->role)));
	json_object_set_new(out, "rule", json_string(rule));
	static const char *const always[] = {"level", "trigger", "escalates", "escalated_role",
					     "refers", NULL};
	for (int i = 0; always[i]; i++) {
		json_t *v = json_object_get(task, always[i]);
		if (v)
			json_object_set(out, always[i], v);
	}
	for (int f = 0; f < PF_COUNT; f++) {
		if (!(p->fields & (1u << f)))
			continue;
		json_t *v = json_object_get(task, field_names[f]);
		if (!v)
			continue;
		if (f != PF_FACTS) {
			json_object_set(out, field_names[f], v);
			continue;
		}
		if (!p->health_data && (strcmp(rule, "mazl") == 0 || strcmp(rule, "long_sick") == 0))
			continue;
		json_t *facts = json_object();
		const char *k;
		json_t *fv;
		json_object_foreach(v, k, fv) {
			if (p->health_data || !fact_is_health(rule, k))
				json_object_set(facts, k, fv);
		}
		json_object_set_new(out, "facts", facts);
	}
	json_object_set(out, "created_at", json_object_get(task, "created_at"));
	json_object_set_new(out, "due_at", json_string(due_at));
	if (json_object_get(task, "window_hours"))
		json_object_set(out, "window_hours", json_object_get(task, "window_hours"));
	json_object_set_new(out, "legal_basis", json_string(p->legal_basis));
	char url[400];
	json_t *links = json_object();
	snprintf(url, sizeof url, "%s/v1/tasks/%s/ack", pc->dispatch.api_base_url, id);
	json_object_set_new(links, "ack", json_string(url));
	snprintf(url, sizeof url, "%s/v1/tasks/%s", pc->dispatch.api_base_url, id);
	json_object_set_new(links, "task", json_string(url));
	json_object_set_new(out, "links", links);
	return out;
}

void template_render(const char *tpl, const json_t *vars, char *buf, size_t cap)
{
	size_t len = 0;
	if (!cap)
		return;
	for (const char *s = tpl; *s && len + 1 < cap; s++) {
		const char *end;
		if (*s == '{' && (end = strchr(s + 1, '}')) && end - s - 1 < 32) {
			char name[32];
			memcpy(name, s + 1, (size_t)(end - s - 1));
			name[end - s - 1] = '\0';
			json_t *v = json_object_get(vars, name);
			if (v && json_is_string(v)) {
				len += str_copy(buf + len, json_string_value(v), cap - len);
				if (len >= cap)
					len = cap - 1;
				s = end;
				continue;
			}
		}
		buf[len++] = *s;
	}
	buf[len] = '\0';
}

static enum template_key template_for(const json_t *task, const char *role)
{
	const char *kind = str_of(task, "kind");
	if (strcmp(kind, "escalation") == 0)
		return TPL_ESCALATION;
	if (strcmp(kind, "referral") == 0)
		return TPL_REFERRAL;
	const char *rule = str_of(task, "rule");
	const char *level = *str_of(task, "level") ? str_of(task, "level") : str_of(task, "trigger");
	if (strcmp(rule, "first_month") == 0)
		return TPL_FIRST_MONTH;
	if (strcmp(rule, "attendance_tier") == 0)
		return strcmp(level, "tier2") == 0 ? TPL_TIER2
		       : strcmp(level, "tier3") == 0 ? TPL_TIER3 : TPL_SEVERE;
	if (strcmp(rule, "mazl") == 0)
		return TPL_MAZL;
	if (strcmp(rule, "leerplicht_16u") == 0)
		return strcmp(role, "school") == 0 ? TPL_LEERPLICHT_16U_SCHOOL : TPL_LEERPLICHT_16U;
	if (strcmp(rule, "lrv") == 0)
		return strcmp(level, "3m") == 0 ? TPL_LRV_3M : TPL_LRV_4W;
	if (strcmp(rule, "long_sick") == 0)
		return strcmp(level, "3m") == 0 ? TPL_LONG_SICK_3M : TPL_LONG_SICK_4W;
	if (strcmp(rule, "luxe") == 0)
		return TPL_LUXE;
	return TPL_ABSOLUTE;
}

void action_text(const struct partners_config *pc, const json_t *task, const char *role,
		 const char *due_at_local, char *buf, size_t cap)
{
	json_t *vars = json_object();
	static const char *const copy[] = {"id", "school", "rule", "level", "trigger", "escalates",
					   "refers", NULL};
	for (int i = 0; copy[i]; i++)
		if (json_is_string(json_object_get(task, copy[i])))
			json_object_set(vars, copy[i], json_object_get(task, copy[i]));
	if (!json_object_get(vars, "level") && json_object_get(vars, "trigger"))
		json_object_set(vars, "level", json_object_get(vars, "trigger"));
	const char *er = str_of(task, "escalated_role");
	json_object_set_new(vars, "role", json_string(*er ? er : role));
	json_object_set_new(vars, "due_at", json_string(due_at_local));
	template_render(pc->templates[template_for(task, role)], vars, buf, cap);
	json_decref(vars);
}

/* ---- times -------------------------------------------------------------- */

static bool weekend(time_t t)
{
	struct tm tm;
	localtime_r(&t, &tm);
	return tm.tm_wday == 0 || tm.tm_wday == 6;
}

static int64_t next_midnight_ms(int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	tm.tm_mday += 1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm) * 1000;
}

int64_t due_after_hours(int64_t start_ms, int hours, bool working_days)
{
	int64_t remaining = (int64_t)hours * 3600000;
	if (!working_days)
		return start_ms + remaining;
	int64_t t = start_ms;
	while (remaining > 0) {
		int64_t midnight = next_midnight_ms(t);
		if (weekend((time_t)(t / 1000))) {
			t = midnight;
			continue;
		}
		int64_t step = midnight - t < remaining ? midnight - t : remaining;
		t += step;
		remaining -= step;
	}
	return t;
}

int64_t due_after_working_days(int64_t start_ms, int days)
{
	int64_t t = start_ms;
	for (int n = 0; n < days;) {
		t = next_midnight_ms(t);
		if (!weekend((time_t)(t / 1000)))
			n++;
	}
	return next_midnight_ms(t) - 1;
}

int64_t retry_delay_ms(int attempt, int base_ms, int max_ms, uint64_t rnd, long retry_after_s)
{
	int64_t d = base_ms;
	for (int i = 1; i < attempt && d < max_ms; i++)
		d *= 2;
	if (d > max_ms)
		d = max_ms;
	int64_t half = d / 2;
	d = half + (int64_t)(rnd % (uint64_t)(d - half + 1));
	if (retry_after_s > 0) {
		int64_t ra = (retry_after_s > 3600 ? 3600 : retry_after_s) * 1000;
		if (ra > d)
			d = ra;
	}
	return d;
}

void webhook_signature(const char *secret, const char *timestamp, const char *body, size_t body_len,
		       char *out, size_t cap)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	size_t tlen = strlen(timestamp);
	unsigned char *msg = xmalloc(tlen + 1 + body_len);
	memcpy(msg, timestamp, tlen);
	msg[tlen] = '.';
	memcpy(msg + tlen + 1, body, body_len);
	HMAC(EVP_sha256(), secret, (int)strlen(secret), msg, tlen + 1 + body_len, mac, &maclen);
	free(msg);
	size_t len = str_copy(out, "sha256=", cap);
	for (unsigned i = 0; i < maclen && len + 3 <= cap; i++)
		len += (size_t)snprintf(out + len, cap - len, "%02x", mac[i]);
}

bool ack_outcome_valid(const char *outcome)
{
	static const char *const outcomes[] = {"planned",  "contacted",      "done", "consult_requested",
					       "referred", "not_applicable", NULL};
	for (int i = 0; outcome && outcomes[i]; i++)
		if (strcmp(outcomes[i], outcome) == 0)
			return true;
	return false;
}
