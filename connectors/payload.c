/*
 * payload: what a partner receives (partners.h): the payload minimised to
 * the partner's fields, never health facts for a partner without
 * health_data; the Dutch action texts and their default templates; the
 * outcomes a partner may acknowledge with.
 */
#include "partners.h"

#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	[TPL_UPDATE] = {"update",
			"Aanvulling op de lopende zaak {case}: er is een nieuwe melding voor deze "
			"leerling. Voeg die toe aan het dossier. Er geldt geen nieuwe termijn; de "
			"zaak loopt door tot u die afsluit."},
};

const char *template_key_name(enum template_key k)
{
	return (unsigned)k < TPL_COUNT ? default_templates[k].key : "unknown";
}

const char *template_default(enum template_key k)
{
	return (unsigned)k < TPL_COUNT ? default_templates[k].text : "";
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
		json_t *v = json_object_get(task, payload_field_name((enum payload_field)f));
		if (!v)
			continue;
		if (f != PF_FACTS) {
			json_object_set(out, payload_field_name((enum payload_field)f), v);
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

bool ack_outcome_valid(const char *outcome)
{
	static const char *const outcomes[] = {"planned",  "contacted",      "done", "consult_requested",
					       "referred", "not_applicable", NULL};
	for (int i = 0; outcome && outcomes[i]; i++)
		if (strcmp(outcomes[i], outcome) == 0)
			return true;
	return false;
}
