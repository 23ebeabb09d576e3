/*
 * payload: what a partner receives (partners.h): the payload minimised to
 * the partner's fields, never health facts for a partner without
 * health_data; the placeholder substitution of the Dutch texts (texts.c
 * picks them); the outcomes a partner may acknowledge with.
 */
#include "partners.h"

#include "payload.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

bool ack_outcome_valid(const char *outcome)
{
	static const char *const outcomes[] = {"planned",  "contacted",      "done", "consult_requested",
					       "referred", "not_applicable", NULL};
	for (int i = 0; outcome && outcomes[i]; i++)
		if (strcmp(outcomes[i], outcome) == 0)
			return true;
	return false;
}
