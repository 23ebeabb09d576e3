/*
 * texts: which Dutch text a partner reads for a rule, level, role and kind
 * (text_select, the one place that decides), and rendering it with the
 * signal's facts in Dutch words and numbers and the deadline as a Dutch
 * date. The default texts are in templates_nl.c.
 */
#include "partners.h"

#include "payload.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *template_key_name(int k)
{
	return k >= 0 && k < text_defaults_count ? text_defaults[k].key : "unknown";
}

const char *template_default(int k)
{
	return k >= 0 && k < text_defaults_count ? text_defaults[k].text : "";
}

int template_index(const char *key)
{
	for (int i = 0; i < text_defaults_count; i++)
		if (strcmp(text_defaults[i].key, key) == 0)
			return i;
	return -1;
}

enum text_kind text_kind_of(const char *name)
{
	static const struct {
		const char *name;
		enum text_kind kind;
	} kinds[] = {{"update", TEXT_UPDATE},         {"separate", TEXT_SEPARATE},
		     {"separate_task", TEXT_SEPARATE}, {"reminder", TEXT_REMINDER},
		     {"escalation", TEXT_ESCALATION},  {"referral", TEXT_REFERRAL},
		     {"test", TEXT_TEST}};
	for (size_t i = 0; name && i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(kinds[i].name, name) == 0)
			return kinds[i].kind;
	return TEXT_TASK;
}

static const char *const frame_keys[] = {"task",       "update",   "separate", "reminder",
					 "escalation", "referral", "test"};

static const char *text_of(const struct partners_config *pc, int idx)
{
	if (idx < 0)
		return "";
	return pc && pc->templates[idx] ? pc->templates[idx] : template_default(idx);
}

/* The first of up to three keys that exists. */
static int first_key(const char *a, const char *b, const char *c)
{
	int i = a ? template_index(a) : -1;
	if (i < 0 && b)
		i = template_index(b);
	if (i < 0 && c)
		i = template_index(c);
	return i;
}

int text_select(const struct partners_config *pc, const char *rule, const char *level,
		const char *role, enum text_kind kind, const char *part)
{
	(void)pc;
	char k1[96], k2[96], k3[96];
	const char *lv = level && *level ? level : NULL;
	rule = rule ? rule : "";
	role = role ? role : "";
	if (strcmp(part, "frame") == 0)
		return template_index(frame_keys[kind]);
	if (strcmp(part, "fact") == 0 || strcmp(part, "fact.plain") == 0) {
		const char *sfx = strcmp(part, "fact") == 0 ? "" : ".plain";
		snprintf(k1, sizeof k1, "fact.%s.%s%s", rule, lv ? lv : "", sfx);
		snprintf(k2, sizeof k2, "fact.%s%s", rule, sfx);
		return first_key(lv ? k1 : NULL, k2, NULL);
	}
	if (strcmp(part, "ask") == 0) {
		snprintf(k1, sizeof k1, "ask.%s.%s.%s", rule, lv ? lv : "", role);
		snprintf(k2, sizeof k2, "ask.%s.%s", rule, role);
		snprintf(k3, sizeof k3, "ask.%s", role);
		return first_key(lv ? k1 : NULL, k2, k3);
	}
	if (strcmp(part, "topic") == 0) {
		if (kind == TEXT_ESCALATION)
			return template_index("topic.escalation");
		if (kind == TEXT_REFERRAL)
			return template_index("topic.referral");
		if (kind == TEXT_TEST)
			return template_index("topic.test");
		snprintf(k1, sizeof k1, "topic.%s.%s", rule, lv ? lv : "");
		snprintf(k2, sizeof k2, "topic.%s", rule);
		return first_key(lv ? k1 : NULL, k2, NULL);
	}
	return -1;
}

/* ---- Dutch dates and numbers ------------------------------------------- */

static const char *const months[] = {"januari", "februari", "maart",     "april",
				     "mei",     "juni",     "juli",      "augustus",
				     "september", "oktober", "november", "december"};
static const char *const weekdays[] = {"zondag",   "maandag", "dinsdag", "woensdag",
				       "donderdag", "vrijdag", "zaterdag"};

static int weekday(int y, int m, int d)
{
	static const int t[] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
	if (m < 3)
		y -= 1;
	return (y + y / 4 - y / 100 + y / 400 + t[m - 1] + d) % 7;
}

static bool valid_date(int y, int m, int d)
{
	return y >= 1900 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

void dutch_deadline(const char *due_local, char *buf, size_t cap)
{
	int d, m, y, hh, mm;
	char tail;
	if (!due_local || sscanf(due_local, "%2d-%2d-%4d %2d:%2d%c", &d, &m, &y, &hh, &mm, &tail) != 5 ||
	    !valid_date(y, m, d)) {
		str_copy(buf, due_local ? due_local : "", cap);
		return;
	}
	snprintf(buf, cap, "%s %d %s %d om %02d:%02d", weekdays[weekday(y, m, d)], d, months[m - 1],
		 y, hh, mm);
}

/* "2 november 2026" from "2026-11-02"; false when s is no date. */
static bool dutch_date(const char *s, char *buf, size_t cap)
{
	int y, m, d;
	char tail;
	if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || !valid_date(y, m, d))
		return false;
	snprintf(buf, cap, "%d %s %d", d, months[m - 1], y);
	return true;
}

static const char *role_dutch(const char *role)
{
	static const char *const names[][2] = {
		{"school", "de school"},       {"jeugdarts", "de jeugdarts"},
		{"leerplicht", "de leerplichtambtenaar"}, {"rmc", "het RMC"},
		{"swv", "het samenwerkingsverband"}, {"wij", "het WIJ-team"},
		{"escalation", "de escalatie"}};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(names[i][0], role) == 0)
			return names[i][1];
	return "de partner";
}

/* The facts as Dutch words and numbers: dates spelled out, numbers with a
 * decimal comma, and for leerplicht_16u the absence in lessons (VO) or
 * clock hours. */
static void facts_vars(json_t *vars, const char *rule, const json_t *info)
{
	const json_t *facts = json_object_get(info, "facts");
	const char *k;
	json_t *v;
	char val[64];
	json_object_foreach((json_t *)facts, k, v) {
		if (json_is_string(v) && dutch_date(json_string_value(v), val, sizeof val))
			json_object_set_new(vars, k, json_string(val));
		else if (json_is_string(v))
			json_object_set(vars, k, v);
		else if (json_is_integer(v))
			json_object_set_new(vars, k,
					    json_sprintf("%lld", (long long)json_integer_value(v)));
		else if (json_is_real(v)) {
			snprintf(val, sizeof val, "%.1f", json_real_value(v));
			char *dot = strchr(val, '.');
			if (dot)
				*dot = ',';
			json_object_set_new(vars, k, json_string(val));
		}
	}
	json_t *rate = json_object_get(vars, "rate_pct");
	if (rate)
		json_object_set(vars, "rate", rate);
	json_t *mins = json_object_get(facts, "minutes");
	if (strcmp(rule, "leerplicht_16u") == 0 && json_is_integer(mins)) {
		long long m = json_integer_value(mins);
		const char *sector = json_string_value(json_object_get(info, "sector"));
		json_t *thr = json_object_get(facts, "threshold_minutes");
		bool lessons = (sector && (strcmp(sector, "vo") == 0 || strcmp(sector, "vso") == 0)) ||
			       (!sector && json_integer_value(thr) == 800);
		if (lessons)
			snprintf(val, sizeof val, "%lld lesuren (van 50 minuten)", m / 50);
		else if (m % 60)
			snprintf(val, sizeof val, "%lld uur en %lld minuten", m / 60, m % 60);
		else
			snprintf(val, sizeof val, "%lld uur", m / 60);
		json_object_set_new(vars, "absence", json_string(val));
	}
}

static void render_part(const struct partners_config *pc, int idx, const json_t *vars, char *buf,
			size_t cap)
{
	template_render(text_of(pc, idx), vars, buf, cap);
}

void partner_text(const struct partners_config *pc, const char *rule, const char *level,
		  const char *role, enum text_kind kind, const json_t *info, const char *due_local,
		  char *buf, size_t cap)
{
	char part[1200];
	rule = rule ? rule : "";
	role = role ? role : "";
	json_t *vars = json_object();
	static const char *const copy[] = {"id", "school", "student", "escalates", "refers", NULL};
	for (int i = 0; copy[i]; i++)
		if (json_is_string(json_object_get(info, copy[i])))
			json_object_set(vars, copy[i], json_object_get(info, copy[i]));
	const char *er = json_string_value(json_object_get(info, "escalated_role"));
	json_object_set_new(vars, "role", json_string(role_dutch(er && *er ? er : role)));
	facts_vars(vars, rule, info);
	dutch_deadline(due_local, part, sizeof part);
	json_object_set_new(vars, "deadline", json_string(part));
	json_object_set_new(vars, "due_at", json_string(part));
	json_object_set_new(vars, "duo_days",
			    json_sprintf("%d", pc && pc->dispatch.duo_report_working_days
						   ? pc->dispatch.duo_report_working_days : 5));
	/* the topic of the signal itself (an escalation's names the overdue one) */
	render_part(pc, text_select(pc, rule, level, role, TEXT_TASK, "topic"), vars, part, sizeof part);
	json_object_set_new(vars, "topic", json_string(part));
	render_part(pc, text_select(pc, rule, level, role, kind, "fact"), vars, part, sizeof part);
	if (strchr(part, '{'))
		render_part(pc, text_select(pc, rule, level, role, kind, "fact.plain"), vars, part,
			    sizeof part);
	json_object_set_new(vars, "fact", json_string(part));
	render_part(pc, text_select(pc, rule, level, role, kind, "ask"), vars, part, sizeof part);
	json_object_set_new(vars, "ask", json_string(part));
	render_part(pc, template_index(json_object_get(vars, "student") ? "pupil" : "pupil.none"), vars,
		    part, sizeof part);
	json_object_set_new(vars, "pupil", json_string(part));
	if (kind == TEXT_REMINDER) {
		render_part(pc, text_select(pc, rule, level, role, TEXT_TASK, "frame"), vars, part,
			    sizeof part);
		json_object_set_new(vars, "action", json_string(part));
	}
	render_part(pc, text_select(pc, rule, level, role, kind, "frame"), vars, buf, cap);
	json_decref(vars);
}

void partner_subject(const struct partners_config *pc, const char *rule, const char *level,
		     enum text_kind kind, const json_t *info, const char *due_local, char *buf,
		     size_t cap)
{
	char part[400];
	rule = rule ? rule : "";
	json_t *vars = json_object();
	const char *school = json_string_value(json_object_get(info, "school"));
	if (school && *school)
		json_object_set_new(vars, "school_label", json_sprintf("school %s, ", school));
	else
		json_object_set_new(vars, "school_label", json_string(""));
	if (json_is_string(json_object_get(info, "id")))
		json_object_set(vars, "id", json_object_get(info, "id"));
	dutch_deadline(due_local, part, sizeof part);
	json_object_set_new(vars, "deadline", json_string(part));
	json_object_set_new(vars, "due_at", json_string(part));
	render_part(pc, text_select(pc, rule, level, "", TEXT_TASK, "topic"), vars, part, sizeof part);
	json_object_set_new(vars, "topic", json_string(part));
	if (kind == TEXT_ESCALATION || kind == TEXT_REFERRAL || kind == TEXT_TEST) {
		render_part(pc, text_select(pc, rule, level, "", kind, "topic"), vars, part,
			    sizeof part);
		json_object_set_new(vars, "topic", json_string(part));
	}
	int subject = kind == TEXT_UPDATE ? template_index("email_subject.update") : TPL_EMAIL_SUBJECT;
	render_part(pc, subject, vars, buf, cap);
	json_decref(vars);
}

void action_text(const struct partners_config *pc, const json_t *task, const char *role,
		 const char *due_at_local, char *buf, size_t cap)
{
	const char *level = json_string_value(json_object_get(task, "level"));
	if (!level || !*level)
		level = json_string_value(json_object_get(task, "trigger"));
	partner_text(pc, json_string_value(json_object_get(task, "rule")), level, role,
		     text_kind_of(json_string_value(json_object_get(task, "kind"))), task, due_at_local,
		     buf, cap);
}
