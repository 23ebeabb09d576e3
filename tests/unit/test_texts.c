/*
 * The Dutch texts partners read (connectors/templates_nl.c, texts.c): every
 * rule × level × role it can route to × kind is rendered with realistic
 * facts and checked for leftover placeholders, English codes, the Dutch
 * deadline, the concern text, and the e-mail's acknowledgement wording; a
 * configured text replaces the default one.
 */
#include "testutil.h"

#include "connector.h"
#include "jsonconf.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DUE "02-12-2026 14:30"
#define DUE_NL "uiterlijk woensdag 2 december 2026 om 14:30"

static const char *const smtp_conn =
	"{\"type\": \"smtp\", \"url\": \"smtp://127.0.0.1:2525\", \"from\": \"vs@example.nl\", "
	"\"to\": [\"zorg@example.nl\"]}";

static struct partners_config *load(struct jconf *jc, const char *templates, bool token)
{
	char text[4000];
	snprintf(text, sizeof text,
		 "{%s%s%s\"partners\": [{\"id\": \"p1\", \"role\": \"school\", \"schools\": [\"*\"],\n"
		 " \"connector\": %s, %s\"legal_basis\": \"Wet op het onderwijstoezicht\"}]}",
		 templates ? "\"templates\": " : "", templates ? templates : "", templates ? ",\n" : "",
		 smtp_conn, token ? "\"token\": \"0123456789abcdef0123\", " : "");
	assert_int_equal(jconf_open_text(jc, "p.json", text), 0);
	struct partners_config *pc = partners_load(jc);
	if (jc->nerrors)
		print_error("unexpected configuration errors:\n%s", jc->errors);
	return pc;
}

/* One signal with the facts the rules write (rules/rule_*.c) and the roles
 * it can be routed to (docs/partners.md 2.3, leerplicht → rmc at 18). */
static const struct sig {
	const char *rule, *level, *facts;
	const char *roles[4];
} sigs[] = {
	{"first_month", "elevated",
	 "{\"absent_days\": 2, \"enrolled_days\": 6, \"window_first\": \"2026-08-31\", "
	 "\"window_last\": \"2026-09-25\"}", {"school"}},
	{"first_month", "high",
	 "{\"absent_days\": 5, \"enrolled_days\": 9, \"window_first\": \"2026-08-31\"}", {"school"}},
	{"attendance_tier", "tier2",
	 "{\"rate_pct\": 5.42, \"missed_minutes\": 1300, \"enrolled_days\": 60, "
	 "\"persist_days\": 10, \"band_since\": \"2026-11-02\"}", {"school"}},
	{"attendance_tier", "tier3",
	 "{\"rate_pct\": 10.0, \"missed_minutes\": 2400, \"enrolled_days\": 60, "
	 "\"persist_days\": 10}", {"school"}},
	{"attendance_tier", "severe",
	 "{\"rate_pct\": 21.37, \"missed_minutes\": 5100, \"enrolled_days\": 60, "
	 "\"persist_days\": 10}", {"school", "swv"}},
	{"mazl", "frequency",
	 "{\"sick_reports\": 4, \"window_weeks\": 12, \"window_first\": \"2026-09-07\", "
	 "\"first_report\": \"2026-09-14\"}", {"school"}},
	{"mazl", "duration", "{\"run_first\": \"2026-11-20\", \"days\": 7}", {"school"}},
	{"mazl", "concern", "{}", {"school"}},
	{"leerplicht_16u", "",
	 "{\"start\": \"2026-11-02\", \"end\": \"2026-11-27\", \"minutes\": 850, "
	 "\"threshold_minutes\": 800}", {"school", "leerplicht", "rmc"}},
	{"lrv", "4w", "{\"run_first\": \"2026-10-26\", \"days\": 20}", {"leerplicht", "swv", "rmc"}},
	{"lrv", "3m", "{\"run_first\": \"2026-08-31\", \"days\": 65}",
	 {"leerplicht", "swv", "escalation", "rmc"}},
	{"long_sick", "4w", "{\"run_first\": \"2026-10-26\", \"days\": 20}", {"swv"}},
	{"long_sick", "3m", "{\"run_first\": \"2026-08-31\", \"days\": 65}", {"swv", "escalation"}},
	{"luxe", "", "{\"first_day\": \"2026-10-16\"}", {"leerplicht", "rmc"}},
	{"absolute", "", "{\"unenrolled_on\": \"2026-11-27\"}", {"leerplicht", "rmc"}},
};

/* English codes and field names that must never reach a partner's text. */
static const char *const codes[] = {
	"elevated", "frequency", "duration", "concern", "tier2", "tier3", "severe", " 4w", " 3m",
	"(4w)", "(3m)", "first_month", "attendance_tier", "leerplicht_16u", "long_sick", "lrv",
	"mazl", "absolute", "rate_pct", "run_first", "consult_requested", "escalation",
	"referral", "null", "_", NULL};

static int nrendered;

/* "ziek" in any case (Ziek, ZIEK, ziekte, ziekgemeld). */
static bool mentions_sickness(const char *text)
{
	for (const char *t = text; *t; t++)
		if (strncasecmp(t, "ziek", 4) == 0)
			return true;
	return false;
}

static void check_text(const char *what, const struct sig *s, const char *text, bool deadline)
{
	if (strchr(text, '{') || strchr(text, '}'))
		fail_msg("%s: leftover placeholder: %s", what, text);
	for (int i = 0; codes[i]; i++)
		if (strstr(text, codes[i]))
			fail_msg("%s: English code \"%s\" in: %s", what, codes[i], text);
	if (deadline && !strstr(text, DUE_NL))
		fail_msg("%s: no Dutch deadline \"%s\" in: %s", what, DUE_NL, text);
	if (!deadline && strstr(text, "uiterlijk"))
		fail_msg("%s: a deadline where there is none: %s", what, text);
	if (s && strcmp(s->level, "concern") == 0 && mentions_sickness(text))
		fail_msg("%s: a concern called sickness: %s", what, text);
	if (s && strcmp(s->level, "tier3") == 0 && !strstr(text, "10 % of meer"))
		fail_msg("%s: no \"10 %% of meer\": %s", what, text);
	if (strlen(text) < 40)
		fail_msg("%s: too short to act on: %s", what, text);
	nrendered++;
}

static json_t *info_of(const struct sig *s, const char *kind)
{
	json_t *info = json_pack("{ss ss ss ss ss so}", "id", "vs0123456789abcdef", "school", "01AB",
				 "student", "k-7f3a9c", "sector", "vo", "kind", kind, "facts",
				 json_loads(s->facts, 0, NULL));
	return info;
}

static void test_every_text(void **state)
{
	(void)state;
	struct jconf jc;
	struct partners_config *pc = load(&jc, NULL, false);
	assert_int_equal(jc.nerrors, 0);
	char buf[2400], what[160];
	static const enum text_kind kinds[] = {TEXT_TASK, TEXT_UPDATE, TEXT_REMINDER};
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		const struct sig *s = &sigs[i];
		json_t *info = info_of(s, "task");
		for (int r = 0; r < 4 && s->roles[r]; r++) {
			for (size_t k = 0; k < 3; k++) {
				snprintf(what, sizeof what, "%s %s → %s (%d)", s->rule, s->level,
					 s->roles[r], (int)kinds[k]);
				partner_text(pc, s->rule, s->level, s->roles[r], kinds[k], info,
					     kinds[k] == TEXT_UPDATE ? NULL : DUE, buf, sizeof buf);
				check_text(what, s, buf, kinds[k] != TEXT_UPDATE);
				assert_non_null(strstr(buf, "k-7f3a9c"));
			}
			/* the task, through action_text as the dispatcher calls it */
			json_object_set_new(info, "rule", json_string(s->rule));
			json_object_set_new(info, *s->level ? "level" : "x", json_string(s->level));
			action_text(pc, info, s->roles[r], DUE, buf, sizeof buf);
			check_text("action_text", s, buf, true);
			/* the escalation of this role's overdue task */
			json_t *esc = json_deep_copy(info);
			json_object_set_new(esc, "kind", json_string("escalation"));
			json_object_set_new(esc, "escalates", json_string("vs00000000000000aa"));
			json_object_set_new(esc, "escalated_role", json_string(s->roles[r]));
			action_text(pc, esc, "escalation", DUE, buf, sizeof buf);
			check_text("escalation", s, buf, true);
			assert_non_null(strstr(buf, "vs00000000000000aa"));
			json_decref(esc);
		}
		/* the school's DUO report is its own task */
		if (strcmp(s->rule, "leerplicht_16u") == 0) {
			partner_text(pc, s->rule, "", "school", TEXT_SEPARATE, info, DUE, buf,
				     sizeof buf);
			check_text("separate", s, buf, true);
			assert_non_null(strstr(buf, "binnen 5 werkdagen bij het Verzuimloket van DUO"));
			assert_non_null(strstr(buf, "17 lesuren"));
		}
		json_decref(info);
	}
	/* the MAZL referral to the jeugdarts, and a test delivery */
	json_t *ref = json_pack("{ss ss ss ss ss}", "id", "vs0123456789abcdef", "kind", "referral",
				"rule", "mazl", "trigger", "concern", "refers", "vs00000000000000bb");
	action_text(pc, ref, "jeugdarts", DUE, buf, sizeof buf);
	check_text("referral", NULL, buf, true);
	assert_non_null(strstr(buf, "vs00000000000000bb"));
	partner_text(pc, "", "", "leerplicht", TEXT_TEST, ref, NULL, buf, sizeof buf);
	check_text("test", NULL, buf, false);
	json_decref(ref);
	assert_true(nrendered > 100);

	/* different roles are asked different things */
	json_t *info = info_of(&sigs[4], "task");
	char school[2400];
	partner_text(pc, "attendance_tier", "severe", "school", TEXT_TASK, info, DUE, school,
		     sizeof school);
	partner_text(pc, "attendance_tier", "severe", "swv", TEXT_TASK, info, DUE, buf, sizeof buf);
	assert_string_not_equal(school, buf);
	assert_non_null(strstr(school, "21,4 %"));
	/* a fact withheld from the partner: the wording without numbers */
	json_object_set_new(info, "facts", json_object());
	json_object_del(info, "student");
	partner_text(pc, "attendance_tier", "severe", "swv", TEXT_TASK, info, DUE, buf, sizeof buf);
	check_text("no facts", NULL, buf, true);
	assert_null(strstr(buf, "21,4"));
	assert_non_null(strstr(buf, "vs0123456789abcdef")); /* the task number instead */
	json_decref(info);
	partners_unref(pc);
	jconf_free(&jc);
}

/* The e-mail as the smtp connector composes it (minimised payload). */
static char *compose(struct partners_config *pc, const json_t *payload, size_t *len)
{
	const struct partner *p = &pc->partners[0];
	struct delivery *dl = calloc(1, sizeof *dl);
	dl->cc = &p->primary;
	dl->started_ms = 1796220000000;
	p->primary.ops->compose(dl, pc, p, payload, DUE);
	char *msg = dl->message;
	*len = dl->message_len;
	free(dl);
	return msg;
}

static void test_email(void **state)
{
	(void)state;
	struct jconf jc;
	char subject[400];
	static const enum text_kind kinds[] = {TEXT_TASK, TEXT_UPDATE, TEXT_REMINDER,
					       TEXT_ESCALATION, TEXT_REFERRAL, TEXT_TEST};
	for (int token = 0; token < 2; token++) {
		struct partners_config *pc = load(&jc, NULL, token);
		assert_int_equal(jc.nerrors, 0);
		for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
			json_t *pl = info_of(&sigs[i], "task");
			json_object_set_new(pl, "rule", json_string(sigs[i].rule));
			json_object_set_new(pl, "level", json_string(sigs[i].level));
			json_object_set_new(pl, "event", json_string(i % 2 ? "reminder" : "task"));
			json_object_set_new(pl, "links",
					    json_pack("{ss}", "ack", "https://vs.example.nl/v1/tasks/x/ack"));
			size_t len;
			char *msg = compose(pc, pl, &len);
			assert_non_null(msg);
			const char *body = strstr(msg, "\r\n\r\n");
			assert_non_null(body);
			check_text("e-mail", &sigs[i], body + 4, true);
			if (!token && (strstr(body, "POST") || strstr(body, "API")))
				fail_msg("an e-mail to a partner without integration mentions the API: %s",
					 body);
			if (!token)
				assert_non_null(strstr(body, "beantwoorden"));
			else
				assert_non_null(strstr(body, "https://vs.example.nl/v1/tasks/x/ack"));
			/* no sickness numbers in the body unless health_facts_in_body */
			if (strcmp(sigs[i].level, "duration") == 0)
				assert_null(strstr(body, "7 schooldagen achter elkaar"));
			free(msg);
			for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
				partner_subject(pc, sigs[i].rule, sigs[i].level, kinds[k], pl, DUE,
						subject, sizeof subject);
				if (strchr(subject, '{') || !strstr(subject, "school 01AB"))
					fail_msg("subject: %s", subject);
				for (int c = 0; codes[c]; c++)
					if (strstr(subject, codes[c]))
						fail_msg("English code in subject: %s", subject);
				if (strcmp(sigs[i].level, "concern") == 0 && mentions_sickness(subject))
					fail_msg("concern subject: %s", subject);
			}
			json_decref(pl);
		}
		partners_unref(pc);
		jconf_free(&jc);
	}
	/* the subject names the school and the topic */
	struct partners_config *pc = load(&jc, NULL, false);
	json_t *pl = info_of(&sigs[8], "task");
	partner_subject(pc, "leerplicht_16u", "", TEXT_TASK, pl, DUE, subject, sizeof subject);
	assert_string_equal(subject, "vroegsignaal – school 01AB, 16 uur ongeoorloofd verzuim – "
				     "uiterlijk woensdag 2 december 2026 om 14:30");
	/* an update has no deadline of its own: its subject names none */
	partner_subject(pc, "leerplicht_16u", "", TEXT_UPDATE, pl, "", subject, sizeof subject);
	assert_string_equal(subject, "vroegsignaal – school 01AB, 16 uur ongeoorloofd verzuim – "
				     "nieuw signaal bij een lopende casus");
	json_decref(pl);
	partners_unref(pc);
	jconf_free(&jc);
}

static void test_override(void **state)
{
	(void)state;
	struct jconf jc;
	struct partners_config *pc = load(
		&jc,
		"{\"ask.attendance_tier.tier3.school\": \"Eigen vraag, {deadline}.\",\n"
		" \"fact.luxe\": \"Luxe vanaf {first_day} ({onbekend}).\", \"task\": \"{fact} {ask}\"}",
		false);
	assert_int_equal(jc.nerrors, 0);
	char buf[2400];
	json_t *info = info_of(&sigs[3], "task");
	partner_text(pc, "attendance_tier", "tier3", "school", TEXT_TASK, info, DUE, buf, sizeof buf);
	assert_non_null(strstr(buf, "Eigen vraag, woensdag 2 december 2026 om 14:30."));
	json_decref(info);
	/* a configured fact that cannot be filled falls back to the plain default */
	info = info_of(&sigs[13], "task");
	partner_text(pc, "luxe", "", "leerplicht", TEXT_TASK, info, DUE, buf, sizeof buf);
	assert_null(strstr(buf, "Luxe vanaf"));
	assert_non_null(strstr(buf, "mogelijk luxeverzuim"));
	/* other roles keep their defaults */
	info = (json_decref(info), info_of(&sigs[4], "task"));
	partner_text(pc, "attendance_tier", "severe", "school", TEXT_TASK, info, DUE, buf, sizeof buf);
	assert_null(strstr(buf, "Eigen vraag"));
	json_decref(info);
	partners_unref(pc);
	jconf_free(&jc);

	/* an unknown key is an error at its place in the file */
	pc = load(&jc, "{\"ask.lrv.school.extra\": \"x\"}", false);
	assert_int_equal(jc.nerrors, 1);
	assert_non_null(strstr(jc.errors, "p.json:1:"));
	assert_non_null(strstr(jc.errors, "templates.ask.lrv.school.extra"));
	partners_unref(pc);
	jconf_free(&jc);
	/* a key of the old scheme says what replaced it */
	pc = load(&jc, "{\"luxe\": \"x\"}", false);
	assert_int_equal(jc.nerrors, 1);
	assert_non_null(strstr(jc.errors, "p.json:1:"));
	assert_non_null(strstr(jc.errors, "templates.luxe: a text of the old scheme"));
	partners_unref(pc);
	jconf_free(&jc);
}

static void test_dutch_deadline(void **state)
{
	(void)state;
	char buf[100];
	dutch_deadline("02-12-2026 14:30", buf, sizeof buf);
	assert_string_equal(buf, "woensdag 2 december 2026 om 14:30");
	dutch_deadline("29-02-2028 09:05", buf, sizeof buf);
	assert_string_equal(buf, "dinsdag 29 februari 2028 om 09:05");
	dutch_deadline("01-01-2027 00:00", buf, sizeof buf);
	assert_string_equal(buf, "vrijdag 1 januari 2027 om 00:00");
	dutch_deadline("not a date", buf, sizeof buf);
	assert_string_equal(buf, "not a date");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_text),
		cmocka_unit_test(test_email),
		cmocka_unit_test(test_override),
		cmocka_unit_test(test_dutch_deadline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
