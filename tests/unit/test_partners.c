/*
 * partners (connectors/partners.c): loading the partner sections, routing,
 * token look-up, route coverage, payload minimisation, the Dutch action
 * texts, due times, the retry delay and the webhook signature.
 *
 * Every expected value here was worked out by hand or with an independent
 * tool (openssl, sha256sum, date), never copied from the code's output.
 */
#include "due.h"
#include "partner_routing.h"
#include "payload.h"
#include "signing.h"
#include "testutil.h"

#include "connector.h"
#include "jsonconf.h"
#include "routing.h"
#include "util.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- helpers ------------------------------------------------------------ */

static struct partners_config *load(struct jconf *jc, const char *text)
{
	assert_int_equal(jconf_open_text(jc, "p.json", text), 0);
	return partners_load(jc);
}

static struct partners_config *load_ok(struct jconf *jc, const char *text)
{
	struct partners_config *pc = load(jc, text);
	if (jc->nerrors)
		print_error("unexpected configuration errors:\n%s", jc->errors);
	assert_int_equal(jc->nerrors, 0);
	return pc;
}

/* The error line that names path ("p.json:L:C: <path>: ..."), or NULL. */
static const char *error_line(const struct jconf *jc, const char *path, char *buf, size_t cap)
{
	char want[200];
	snprintf(want, sizeof want, ": %s: ", path);
	for (const char *s = jc->errors; s && *s;) {
		size_t n = strcspn(s, "\n");
		snprintf(buf, cap, "%.*s", (int)n, s);
		if (strstr(buf, want))
			return buf;
		s += n + (s[n] == '\n');
	}
	return NULL;
}

/* Loading text gives exactly one error, at path, whose message contains what. */
static void expect_one_error(const char *text, const char *path, const char *what)
{
	struct jconf jc;
	struct partners_config *pc = load(&jc, text);
	char line[800];
	const char *l = error_line(&jc, path, line, sizeof line);
	if (jc.nerrors != 1 || !l || !strstr(l, what))
		print_error("want one error at %s with \"%s\"; got %d:\n%s", path, what, jc.nerrors,
			    jc.errors ? jc.errors : "(none)\n");
	assert_int_equal(jc.nerrors, 1);
	assert_non_null(l);
	assert_non_null(strstr(l, what));
	partners_unref(pc);
	jconf_free(&jc);
}

static const struct partner *find(const struct partners_config *pc, const char *id)
{
	const struct partner *p = partners_find(pc, id);
	if (!p)
		print_error("no partner %s\n", id);
	assert_non_null(p);
	return p;
}

static void hex32(const unsigned char h[32], char out[65])
{
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
}

static struct signal sig(enum rule_id rule, int level, const char *school, enum sector sector,
			 int age)
{
	struct signal s;
	memset(&s, 0, sizeof s);
	s.rule = rule;
	s.level = level;
	strcpy(s.student, "p1");
	strcpy(s.school, school);
	s.sector = (uint8_t)sector;
	s.age = age;
	s.date = s.period_key = tu_date("2026-10-20");
	return s;
}

static const char *roles_fmt(unsigned roles)
{
	static char buf[128];
	route_roles_format(roles, buf, sizeof buf);
	return buf;
}

static json_t *record(const char *text)
{
	json_error_t err;
	json_t *t = json_loads(text, 0, &err);
	if (!t)
		print_error("bad test JSON: %s\n", err.text);
	assert_non_null(t);
	return t;
}

static const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* ---- webhook_signature, token_hash_hex ---------------------------------- */

static void test_webhook_signature(void **state)
{
	(void)state;
	char sig1[80], sig2[80];
	const char *body = "what do ya want for nothing?";
	/* RFC 4231 test case 2 is HMAC-SHA256(key "Jefe", "what do ya want for
	 * nothing?") = 5bdcc146...ec3843; the signed message here is
	 * timestamp "." body, which cannot equal that data (it has no '.'), so
	 * the expected value was computed independently with
	 *   printf '%s' '1700000000.what do ya want for nothing?' |
	 *       openssl dgst -sha256 -hmac Jefe
	 * (the same command reproduces the RFC's 5bdcc146...ec3843 for the
	 * undotted data, and Python's hmac module agrees). */
	webhook_signature("Jefe", "1700000000", body, strlen(body), sig1, sizeof sig1);
	assert_string_equal(sig1, "sha256=1cdd0650c8be1cb0974b1788d458b1e781206cfef59b85faafc582d2e182c57e");

	/* '?' -> '!' in the body: openssl dgst gives 952fa3fa...be1fc24 */
	const char *body2 = "what do ya want for nothing!";
	webhook_signature("Jefe", "1700000000", body2, strlen(body2), sig2, sizeof sig2);
	assert_string_not_equal(sig1, sig2);
	assert_string_equal(sig2, "sha256=952fa3fa52dbdb06b67f947f5d36897e51b156a272e440daeea3413a5be1fc24");

	/* body_len counts, not a NUL: only the first 27 bytes are signed, which
	 * differs from the 28-byte signature */
	webhook_signature("Jefe", "1700000000", body, strlen(body) - 1, sig2, sizeof sig2);
	assert_string_not_equal(sig1, sig2);

	/* form: "sha256=" + 64 lower-case hex digits, in a 72-byte buffer */
	char exact[72];
	webhook_signature("a-webhook-secret-of-some-length", "1795172400", "{}", 2, exact,
			  sizeof exact);
	assert_int_equal(strlen(exact), 7 + 64);
	assert_memory_equal(exact, "sha256=", 7);
	for (int i = 7; i < 71; i++)
		assert_non_null(strchr("0123456789abcdef", exact[i]));
}

static void test_token_hash_hex(void **state)
{
	(void)state;
	char out[65];
	/* FIPS 180-2 example: SHA-256("abc") */
	token_hash_hex("abc", out);
	assert_string_equal(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	/* SHA-256("") */
	token_hash_hex("", out);
	assert_string_equal(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/* ---- loading ------------------------------------------------------------ */

/* A partner that loads without errors; the error tests below change one
 * thing in it. */
#define CONN_FILE_JSON "{\"type\": \"file\", \"path\": \"/tmp/vs-a.jsonl\"}"
#define PARTNER_OK                                                                              \
	"{\"id\": \"a\", \"role\": \"school\", \"schools\": [\"*\"], \"connector\": " CONN_FILE_JSON \
	", \"legal_basis\": \"Wet op het onderwijstoezicht\"}"

static const char *const full_config =
	"{\n"
	"  \"schools\": {\"01AB\": {\"municipality\": \"0014\", \"name\": \"Noorderlicht\"},\n"
	"              \"02CD\": {\"municipality\": \"0034\"}},\n"
	"  \"partners\": [\n"
	"    {\"id\": \"school-01ab\", \"role\": \"school\", \"schools\": [\"01AB\"],\n"
	"     \"connector\": {\"type\": \"webhook\", \"url\": \"https://school.example.nl/hook\",\n"
	"                   \"secret\": \"0123456789abcdef-secret\", \"timeout_ms\": 2000},\n"
	"     \"token\": \"school-token-0123456789\",\n"
	"     \"legal_basis\": \"Leerplichtwet 1969 art. 21a\"},\n"
	"    {\"id\": \"lp-groningen\", \"role\": \"leerplicht\", \"municipalities\": [\"0014\"],\n"
	"     \"connector\": {\"type\": \"redis\", \"stream\": \"vs:partner:lp\", \"maxlen\": 1000},\n"
	"     \"fields\": [\"student\", \"school\", \"date\"],\n"
	"     \"legal_basis\": \"Leerplichtwet 1969 art. 22\", \"max_in_flight\": 9},\n"
	"    {\"id\": \"jgz\", \"role\": \"jeugdarts\", \"schools\": [\"*\"],\n"
	"     \"connector\": {\"type\": \"file\", \"path\": \"/var/lib/vs/jgz.jsonl\"},\n"
	"     \"legal_basis\": \"Wet publieke gezondheid\"},\n"
	"    {\"id\": \"swv-noord\", \"role\": \"swv\", \"schools\": [\"02*\", \"01AB\"],\n"
	"     \"connector\": {\"type\": \"smtp\", \"url\": \"smtp://mail.example.nl:587\",\n"
	"                   \"from\": \"vs@example.nl\",\n"
	"                   \"to\": [\"swv@example.nl\", \"zorg@example.nl\"]},\n"
	"     \"fallback\": {\"type\": \"file\", \"path\": \"/var/lib/vs/swv.jsonl\"},\n"
	"     \"legal_basis\": \"Wet passend onderwijs\"}\n"
	"  ]\n"
	"}\n";

static void test_load_fields(void **state)
{
	(void)state;
	struct jconf jc;
	struct partners_config *pc = load_ok(&jc, full_config);
	assert_int_equal(pc->npartners, 4);
	assert_null(pc->routes);

	const struct partner *s = find(pc, "school-01ab");
	assert_int_equal(s->role, ROLE_SCHOOL);
	assert_int_equal(s->nschools, 1);
	assert_string_equal(s->schools[0], "01AB");
	assert_int_equal(s->nmunicipalities, 0);
	assert_ptr_equal(s->primary.ops, &connector_webhook);
	const struct webhook_settings *ws = s->primary.settings;
	assert_string_equal(ws->curl.url, "https://school.example.nl/hook");
	assert_string_equal(ws->secret, "0123456789abcdef-secret");
	assert_int_equal(ws->curl.connect_timeout_ms, 5000);
	assert_int_equal(ws->curl.timeout_ms, 2000);
	assert_false(s->has_fallback);
	assert_true(s->has_token);
	char hex[65];
	hex32(s->token_sha256, hex);
	/* printf %s school-token-0123456789 | sha256sum */
	assert_string_equal(hex, "ec7553e4a767cd5e962f53a0f1ed4462cc346393cc7179c03b566a5242ac6eb9");
	assert_int_equal(s->fields, 0x7f); /* all seven optional fields */
	assert_true(s->health_data);       /* default for school */
	assert_string_equal(s->legal_basis, "Leerplichtwet 1969 art. 21a");
	assert_int_equal(s->max_in_flight, 16); /* the default */

	const struct partner *lp = find(pc, "lp-groningen");
	assert_int_equal(lp->role, ROLE_LEERPLICHT);
	assert_int_equal(lp->nschools, 0);
	assert_int_equal(lp->nmunicipalities, 1);
	assert_string_equal(lp->municipalities[0], "0014");
	assert_ptr_equal(lp->primary.ops, &connector_redis);
	const struct rqueue_settings *rs = lp->primary.settings;
	assert_string_equal(rs->stream, "vs:partner:lp");
	assert_int_equal(rs->maxlen, 1000);
	assert_false(lp->has_token);
	assert_int_equal(lp->fields, (1u << PF_STUDENT) | (1u << PF_SCHOOL) | (1u << PF_DATE));
	assert_int_equal(lp->fields, 0x13);
	assert_false(lp->health_data);
	assert_int_equal(lp->max_in_flight, 9);

	const struct partner *j = find(pc, "jgz");
	assert_int_equal(j->role, ROLE_JEUGDARTS);
	assert_true(j->health_data); /* default for jeugdarts */
	assert_ptr_equal(j->primary.ops, &connector_file);
	assert_string_equal(((const struct file_settings *)j->primary.settings)->path,
			    "/var/lib/vs/jgz.jsonl");

	const struct partner *w = find(pc, "swv-noord");
	assert_int_equal(w->role, ROLE_SWV);
	assert_false(w->health_data); /* default for every other role */
	assert_int_equal(w->nschools, 2);
	assert_ptr_equal(w->primary.ops, &connector_smtp);
	const struct smtp_settings *ss = w->primary.settings;
	assert_string_equal(ss->from, "vs@example.nl");
	assert_int_equal(ss->nto, 2);
	assert_string_equal(ss->to[1], "zorg@example.nl");
	assert_true(ss->starttls_required);
	assert_int_equal(ss->curl.timeout_ms, 15000); /* default */
	assert_true(w->has_fallback);
	assert_ptr_equal(w->fallback.ops, &connector_file);
	assert_string_equal(((const struct file_settings *)w->fallback.settings)->path,
			    "/var/lib/vs/swv.jsonl");

	assert_null(partners_find(pc, "nobody"));

	/* the "schools" section */
	assert_int_equal(pc->nschools, 2);
	const char *m01 = NULL, *m02 = NULL;
	for (int i = 0; i < pc->nschools; i++) {
		if (strcmp(pc->schools[i].code, "01AB") == 0)
			m01 = pc->schools[i].municipality;
		if (strcmp(pc->schools[i].code, "02CD") == 0)
			m02 = pc->schools[i].municipality;
	}
	assert_non_null(m01);
	assert_non_null(m02);
	assert_string_equal(m01, "0014");
	assert_string_equal(m02, "0034");

	/* dispatch defaults */
	assert_true(pc->dispatch.enabled);
	assert_int_equal(pc->dispatch.reminder_percent, 50);
	assert_int_equal(pc->dispatch.undeliverable_after_s, 900);
	assert_int_equal(pc->dispatch.duo_report_working_days, 5);
	assert_false(pc->dispatch.working_days);
	assert_string_equal(pc->dispatch.api_base_url, "http://127.0.0.1:9464");
	assert_int_equal(pc->dispatch.task_entry_retention_hours, 48);

	/* reference counting: the extra reference keeps it alive */
	assert_ptr_equal(partners_ref(pc), pc);
	assert_int_equal(pc->refs, 2);
	partners_unref(pc);
	assert_int_equal(pc->refs, 1);
	assert_string_equal(find(pc, "jgz")->id, "jgz");
	partners_unref(pc);
	jconf_free(&jc);
}

static void test_load_dispatch_and_empty(void **state)
{
	(void)state;
	struct jconf jc;
	struct partners_config *pc =
		load_ok(&jc, "{\"dispatch\": {\"reminder_percent\": 0, \"working_days\": true,\n"
			     "  \"duo_report_working_days\": 3, \"undeliverable_after_s\": 60,\n"
			     "  \"api_base_url\": \"https://vs.example.nl//\", \"task_entry_retention_hours\": 0}}");
	assert_false(pc->dispatch.enabled); /* no partners */
	assert_int_equal(pc->dispatch.task_entry_retention_hours, 0);
	assert_int_equal(pc->npartners, 0);
	assert_int_equal(pc->dispatch.reminder_percent, 0);
	assert_true(pc->dispatch.working_days);
	assert_int_equal(pc->dispatch.duo_report_working_days, 3);
	assert_int_equal(pc->dispatch.undeliverable_after_s, 60);
	assert_string_equal(pc->dispatch.api_base_url, "https://vs.example.nl");
	partners_unref(pc);
	jconf_free(&jc);
	expect_one_error("{\"dispatch\": {\"task_entry_retention_hours\": -1}}",
			 "dispatch.task_entry_retention_hours", "");

	/* the base partner of the error tests is valid on its own */
	pc = load_ok(&jc, "{\"partners\": [" PARTNER_OK "]}");
	assert_int_equal(pc->npartners, 1);
	assert_true(pc->dispatch.enabled);
	partners_unref(pc);
	jconf_free(&jc);
}

static void test_load_errors(void **state)
{
	(void)state;
	expect_one_error("{\"partners\": [{\"id\": \"a\", \"role\": \"politie\", \"schools\": [\"*\"],\n"
			 "  \"connector\": " CONN_FILE_JSON ", \"legal_basis\": \"x\"}]}",
			 "partners[0].role", "expected one of school, jeugdarts, leerplicht");
	expect_one_error("{\"partners\": [{\"id\": \"a\", \"role\": \"school\", \"schools\": [\"*\"],\n"
			 "  \"connector\": " CONN_FILE_JSON "}]}",
			 "partners[0].legal_basis", "expected the legal basis");
	expect_one_error("{\"partners\": [{\"id\": \"a\", \"role\": \"leerplicht\", \"schools\": "
			 "[\"*\"],\n  \"connector\": " CONN_FILE_JSON
			 ", \"health_data\": true, \"legal_basis\": \"x\"}]}",
			 "partners[0].health_data", "found true for a leerplicht partner");
	/* rmc is refused as well */
	expect_one_error("{\"partners\": [{\"id\": \"a\", \"role\": \"rmc\", \"schools\": [\"*\"],\n"
			 "  \"connector\": " CONN_FILE_JSON
			 ", \"health_data\": true, \"legal_basis\": \"x\"}]}",
			 "partners[0].health_data", "found true for a rmc partner");
	expect_one_error("{\"partners\": [" PARTNER_OK ",\n" PARTNER_OK "]}", "partners[1]",
			 "found the id \"a\" twice");
	expect_one_error("{\"partners\": [{\"id\": \"a\", \"role\": \"swv\", \"schools\": [\"*\"],\n"
			 "  \"connector\": " CONN_FILE_JSON
			 ", \"fields\": [\"student\", \"bsn\"], \"legal_basis\": \"x\"}]}",
			 "partners[0].fields[1]", "found \"bsn\"");
	expect_one_error("{\"templates\": {\"fact.luxe\": \"ok\", \"bogus\": \"x\"},\n"
			 " \"partners\": [" PARTNER_OK "]}",
			 "templates.bogus", "unknown template");
	expect_one_error("{\"partners\": [{\"id\": \"a\", \"role\": \"school\", \"schools\": [\"*\"],\n"
			 "  \"connector\": {\"type\": \"smtp\", \"url\": \"smtp://mail.example.nl:587\",\n"
			 "                 \"from\": \"vs@example.nl\"},\n"
			 "  \"legal_basis\": \"x\"}]}",
			 "partners[0].connector.to", "expected at least one recipient");
	/* a few more: a short webhook secret, a route trigger the rule lacks */
	expect_one_error("{\"partners\": [{\"id\": \"a\", \"role\": \"school\", \"schools\": [\"*\"],\n"
			 "  \"connector\": {\"type\": \"webhook\", \"url\": \"https://x.example.nl\",\n"
			 "                 \"secret\": \"short\"},\n"
			 "  \"legal_basis\": \"x\"}]}",
			 "partners[0].connector.secret_file", "at least 16 characters");
	/* an unreadable secret or token file is named, so the operator knows which */
	{
		struct jconf jc;
		struct partners_config *pc = load(
			&jc, "{\"partners\": [{\"id\": \"a\", \"role\": \"school\", \"schools\": [\"*\"],\n"
			     "  \"connector\": {\"type\": \"webhook\", \"url\": \"https://x.example.nl\",\n"
			     "                 \"secret_file\": \"/nonexistent/vs-test/hook.secret\"},\n"
			     "  \"legal_basis\": \"x\"}]}");
		assert_non_null(jc.errors);
		assert_non_null(strstr(jc.errors, "partners[0].connector.secret_file: cannot read the file "
						  "/nonexistent/vs-test/hook.secret: No such file or directory"));
		partners_unref(pc);
		jconf_free(&jc);
	}
	expect_one_error("{\"partners\": [{\"id\": \"a\", \"role\": \"school\", \"schools\": [\"*\"],\n"
			 "  \"connector\": " CONN_FILE_JSON ", \"token_file\": \"/nonexistent/vs-test/a.token\",\n"
			 "  \"legal_basis\": \"x\"}]}",
			 "partners[0].token_file", "cannot read the file /nonexistent/vs-test/a.token");
	expect_one_error("{\"routes\": [{\"rule\": \"attendance_tier\", \"trigger\": \"tier2\",\n"
			 "  \"roles\": [\"school\"]}]}",
			 "routes[0].trigger", "the route's rule has no trigger");

	/* the error carries the file name and the value's line */
	struct jconf jc;
	struct partners_config *pc =
		load(&jc, "{\"partners\": [\n  {\"id\": \"a\", \"role\": \"politie\", \"schools\": "
			  "[\"*\"], \"connector\": " CONN_FILE_JSON ", \"legal_basis\": \"x\"}]}");
	assert_int_equal(jc.nerrors, 1);
	assert_memory_equal(jc.errors, "p.json:2:", 9);
	partners_unref(pc);
	jconf_free(&jc);
}

/* ---- routing ------------------------------------------------------------ */

static const char *const routes_config =
	"{\"routes\": [\n"
	"  {\"rule\": \"mazl\", \"trigger\": \"concern\", \"roles\": [\"school\", \"jeugdarts\"]},\n"
	"  {\"rule\": \"mazl\", \"roles\": [\"school\"]},\n"
	"  {\"rule\": \"attendance_tier\", \"level\": \"tier3\", \"school\": \"02*\",\n"
	"   \"roles\": [\"school\", \"swv\", \"wij\"]},\n"
	"  {\"rule\": \"attendance_tier\", \"roles\": [\"school\"]},\n"
	"  {\"rule\": \"leerplicht_16u\", \"age\": {\"min\": 12, \"max\": 15},\n"
	"   \"roles\": [\"leerplicht\"]},\n"
	"  {\"rule\": \"leerplicht_16u\", \"roles\": [\"school\", \"leerplicht\"]},\n"
	"  {\"rule\": \"lrv\", \"sector\": \"mbo\", \"roles\": [\"rmc\"]},\n"
	"  {\"rule\": \"lrv\", \"roles\": [\"leerplicht\", \"swv\"]}\n"
	"]}";

static void test_route_configured(void **state)
{
	(void)state;
	struct jconf jc;
	struct partners_config *pc = load_ok(&jc, routes_config);
	assert_int_equal(pc->nroutes, 8);
	struct signal s;

	/* first match wins: concern matches routes 1 and 2, route 1 decides */
	s = sig(RULE_MAZL, MAZL_CONCERN, "01AB", SECTOR_VO, 12);
	assert_string_equal(roles_fmt(partners_route(pc, &s, 18)), "school,jeugdarts");
	s = sig(RULE_MAZL, MAZL_FREQUENCY, "01AB", SECTOR_VO, 12);
	assert_string_equal(roles_fmt(partners_route(pc, &s, 18)), "school");

	/* level and school pattern */
	s = sig(RULE_ATTENDANCE_TIER, AT_TIER3, "02CD", SECTOR_VO, 12);
	assert_string_equal(roles_fmt(partners_route(pc, &s, 18)), "school,swv,wij");
	s = sig(RULE_ATTENDANCE_TIER, AT_TIER3, "01AB", SECTOR_VO, 12);
	assert_string_equal(roles_fmt(partners_route(pc, &s, 18)), "school");
	s = sig(RULE_ATTENDANCE_TIER, AT_TIER3, "102C", SECTOR_VO, 12);
	assert_string_equal(roles_fmt(partners_route(pc, &s, 18)), "school");
	s = sig(RULE_ATTENDANCE_TIER, AT_TIER2, "02CD", SECTOR_VO, 12);
	assert_string_equal(roles_fmt(partners_route(pc, &s, 18)), "school");

	/* age band [12, 15], inclusive at both ends */
	s = sig(RULE_LEERPLICHT_16U, LEVEL_NONE, "01AB", SECTOR_VO, 12);
	assert_string_equal(roles_fmt(partners_route(pc, &s, 18)), "leerplicht");
	s = sig(RULE_LEERPLICHT_16U, LEVEL_NONE, "01AB", SECTOR_VO, 15);
	assert_string_equal(roles_fmt(partners_route(pc, &s, 18)), "leerplicht");
	s = sig(RULE_LEERPLICHT_16U, LEVEL_NONE, "01AB", SECTOR_PO, 11);
	assert_string_equal(roles_fmt(partners_route(pc, &s, 18)), "school,leerplicht");
	s = sig(RULE_LEERPLICHT_16U, LEVEL_NONE, "01AB", SECTOR_VO, 16);
	assert_string_equal(roles_fmt(partners_route(pc, &s, 18)), "school,leerplicht");
	/* unknown age matches no bounded band */
	s = sig(RULE_LEERPLICHT_16U, LEVEL_NONE, "01AB", SECTOR_VO, -1);
	assert_string_equal(roles_fmt(partners_route(pc, &s, 18)), "school,leerplicht");
	/* 18 and over: rmc instead of leerplicht */
	s = sig(RULE_LEERPLICHT_16U, LEVEL_NONE, "01AB", SECTOR_MBO, 18);
	assert_string_equal(roles_fmt(partners_route(pc, &s, 18)), "school,rmc");
	/* ... with the adult age as given */
	assert_string_equal(roles_fmt(partners_route(pc, &s, 21)), "school,leerplicht");

	/* sector */
	s = sig(RULE_LRV, RUN_4W, "01AB", SECTOR_MBO, 16);
	assert_string_equal(roles_fmt(partners_route(pc, &s, 18)), "rmc");
	s = sig(RULE_LRV, RUN_4W, "01AB", SECTOR_VO, 16);
	assert_string_equal(roles_fmt(partners_route(pc, &s, 18)), "leerplicht,swv");
	s = sig(RULE_LRV, RUN_3M, "01AB", SECTOR_VO, 19);
	assert_string_equal(roles_fmt(partners_route(pc, &s, 18)), "rmc,swv");

	/* no route for absolute: no roles (the defaults do not apply) */
	s = sig(RULE_ABSOLUTE, LEVEL_NONE, "01AB", SECTOR_VO, 12);
	assert_int_equal(partners_route(pc, &s, 18), 0);
	partners_unref(pc);
	jconf_free(&jc);
}

/* The shipped configuration spells out the RULES.md routes; they must stay
 * the same table as the built-in defaults. */
static void test_shipped_routes(void **state)
{
	(void)state;
	struct jconf jc;
	assert_int_equal(jconf_open(&jc, VS_SOURCE_DIR "/config/vroegsignaal.json"), 0);
	struct partners_config *pc = partners_load(&jc);
	if (jc.nerrors)
		print_error("%s", jc.errors);
	assert_int_equal(jc.nerrors, 0);
	int n;
	const struct route *def = route_defaults(&n);
	assert_non_null(pc->routes);
	assert_int_equal(pc->nroutes, n);
	for (int i = 0; i < n; i++) {
		assert_int_equal(pc->routes[i].rule, def[i].rule);
		assert_int_equal(pc->routes[i].level, def[i].level);
		assert_int_equal(pc->routes[i].sector, def[i].sector);
		assert_string_equal(pc->routes[i].school, def[i].school);
		assert_int_equal(pc->routes[i].age_min, def[i].age_min);
		assert_int_equal(pc->routes[i].age_max, def[i].age_max);
		assert_int_equal(pc->routes[i].roles, def[i].roles);
	}
	partners_unref(pc);
	jconf_free(&jc);
}

static void test_route_defaults(void **state)
{
	(void)state;
	struct jconf jc;
	struct partners_config *pc = load_ok(&jc, "{\"partners\": [" PARTNER_OK "]}");
	assert_null(pc->routes);
	struct signal s;
	/* RULES.md "From signal to task" */
	s = sig(RULE_ATTENDANCE_TIER, AT_TIER2, "01AB", SECTOR_VO, 12);
	assert_string_equal(roles_fmt(partners_route(pc, &s, 18)), "school");
	s = sig(RULE_ATTENDANCE_TIER, AT_SEVERE, "01AB", SECTOR_VO, 12);
	assert_string_equal(roles_fmt(partners_route(pc, &s, 18)), "school,swv");
	s = sig(RULE_LEERPLICHT_16U, LEVEL_NONE, "01AB", SECTOR_VO, 14);
	assert_string_equal(roles_fmt(partners_route(pc, &s, 18)), "school,leerplicht");
	s = sig(RULE_LEERPLICHT_16U, LEVEL_NONE, "01AB", SECTOR_MBO, 18);
	assert_string_equal(roles_fmt(partners_route(pc, &s, 18)), "school,rmc");
	s = sig(RULE_LONG_SICK, RUN_3M, "01AB", SECTOR_VO, 12);
	assert_string_equal(roles_fmt(partners_route(pc, &s, 18)), "swv,escalation");
	s = sig(RULE_ABSOLUTE, LEVEL_NONE, "01AB", SECTOR_VO, -1);
	assert_string_equal(roles_fmt(partners_route(pc, &s, 18)), "leerplicht");
	/* and the same with no configuration at all */
	assert_string_equal(roles_fmt(partners_route(NULL, &s, 18)), "leerplicht");
	s = sig(RULE_LRV, RUN_4W, "01AB", SECTOR_VO, 18);
	assert_string_equal(roles_fmt(partners_route(NULL, &s, 18)), "rmc,swv");
	partners_unref(pc);
	jconf_free(&jc);
}

/* ---- partner_serves, partners_by_token ---------------------------------- */

static void test_partner_serves(void **state)
{
	(void)state;
	struct jconf jc;
	struct partners_config *pc = load_ok(
		&jc,
		"{\"schools\": {\"01AB\": {\"municipality\": \"0014\"},\n"
		"              \"01XY\": {\"municipality\": \"0034\"}},\n"
		" \"partners\": [\n"
		"  {\"id\": \"pat\", \"role\": \"school\", \"schools\": [\"02*\", \"03EF\"],\n"
		"   \"connector\": " CONN_FILE_JSON ", \"legal_basis\": \"x\"},\n"
		"  {\"id\": \"gem\", \"role\": \"leerplicht\", \"municipalities\": [\"0014\"],\n"
		"   \"connector\": " CONN_FILE_JSON ", \"legal_basis\": \"x\"}]}");
	const struct partner *pat = find(pc, "pat"), *gem = find(pc, "gem");
	assert_true(partner_serves(pc, pat, "02CD"));
	assert_true(partner_serves(pc, pat, "02"));
	assert_true(partner_serves(pc, pat, "03EF"));
	assert_false(partner_serves(pc, pat, "03EG"));
	assert_false(partner_serves(pc, pat, "01AB"));
	assert_false(partner_serves(pc, pat, "102C"));
	/* through the school's municipality */
	assert_true(partner_serves(pc, gem, "01AB"));
	assert_false(partner_serves(pc, gem, "01XY")); /* another municipality */
	assert_false(partner_serves(pc, gem, "04ZZ")); /* not in "schools" */
	partners_unref(pc);
	jconf_free(&jc);
}

static void test_partners_by_token(void **state)
{
	(void)state;
	struct jconf jc;
	struct partners_config *pc = load_ok(
		&jc,
		"{\"partners\": [\n"
		"  {\"id\": \"none\", \"role\": \"swv\", \"schools\": [\"*\"],\n"
		"   \"connector\": " CONN_FILE_JSON ", \"legal_basis\": \"x\"},\n"
		"  {\"id\": \"t1\", \"role\": \"school\", \"schools\": [\"*\"],\n"
		"   \"connector\": " CONN_FILE_JSON ", \"legal_basis\": \"x\",\n"
		"   \"token\": \"school-token-0123456789\"},\n"
		"  {\"id\": \"t2\", \"role\": \"leerplicht\", \"schools\": [\"*\"],\n"
		"   \"connector\": " CONN_FILE_JSON ", \"legal_basis\": \"x\",\n"
		"   \"token_sha256\": "
		"\"BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD\"}]}");
	const struct partner *p = partners_by_token(pc, "school-token-0123456789");
	assert_non_null(p);
	assert_string_equal(p->id, "t1");
	/* the stored hash is SHA-256("abc") (upper-case hex is accepted) */
	p = partners_by_token(pc, "abc");
	assert_non_null(p);
	assert_string_equal(p->id, "t2");
	assert_null(partners_by_token(pc, "school-token-012345678"));
	assert_null(partners_by_token(pc, "school-token-0123456789 "));
	assert_null(partners_by_token(pc, "abd"));
	assert_null(partners_by_token(pc, ""));
	assert_null(partners_by_token(NULL, "abc"));
	partners_unref(pc);
	jconf_free(&jc);
}

/* ---- partners_check_routes ---------------------------------------------- */

static int count_lines(const char *s)
{
	int n = 0;
	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

static void test_check_routes(void **state)
{
	(void)state;
	struct jconf jc;
	char *out = NULL;
	/* only school partners, for the known school 01AB (a literal code) and
	 * for the pattern 02* (a pattern is no known school), default routes */
	struct partners_config *pc =
		load_ok(&jc, "{\"partners\": [{\"id\": \"s\", \"role\": \"school\", \"schools\": "
			     "[\"01AB\"],\n  \"connector\": " CONN_FILE_JSON
			     ", \"legal_basis\": \"x\"},\n"
			     " {\"id\": \"s2\", \"role\": \"school\", \"schools\": [\"02*\"],\n"
			     "  \"connector\": " CONN_FILE_JSON ", \"legal_basis\": \"x\"}]}");
	int n = partners_check_routes(pc, NULL, 0, &out);
	/* Worked out over the 12 default routes, one line per (route, missing
	 * role): 4 attendance_tier severe (swv), 6 leerplicht_16u (leerplicht,
	 * rmc), 7 lrv 4w (leerplicht, swv; rmc already named), 8 lrv 3m
	 * (leerplicht, swv, escalation), 9 long_sick 4w (swv), 10 long_sick 3m
	 * (swv, escalation), 11 luxe (leerplicht), 12 absolute (leerplicht),
	 * and the jeugdarts referral line: 14. The closing escalation line is
	 * not repeated (route 8 named it). */
	assert_non_null(out);
	assert_int_equal(n, 14);
	assert_int_equal(count_lines(out), 14);
	assert_non_null(strstr(out, "school 01AB: route 6 (leerplicht_16u) goes to leerplicht, "
				    "but no partner with that role serves this school\n"));
	assert_non_null(strstr(out, "school 01AB: route 6 (leerplicht_16u) goes to rmc for pupils "
				    "aged 18 or over, but no rmc partner serves this school\n"));
	assert_non_null(strstr(out, "school 01AB: route 8 (lrv 3m) goes to escalation, but no "
				    "partner with that role serves this school\n"));
	assert_non_null(strstr(out, "school 01AB: route 8 (lrv 3m) goes to swv, but no "
				    "partner with that role serves this school\n"));
	assert_non_null(strstr(out, "school 01AB: a MAZL consult referral goes to jeugdarts, but "
				    "no jeugdarts partner serves this school\n"));
	assert_null(strstr(out, "goes to school,"));
	assert_null(strstr(out, "02*"));
	free(out);

	/* an extra (calendar) school no partner serves at all: 01AB as
	 * before, plus every role of every route for 03EF */
	out = NULL;
	const char *const extra[] = {"03EF"};
	n = partners_check_routes(pc, extra, 1, &out);
	assert_true(n > 14);
	assert_non_null(strstr(out, "school 03EF: route 1 (first_month) goes to school, but no "
				    "partner with that role serves this school\n"));
	free(out);
	partners_unref(pc);
	jconf_free(&jc);

	/* every role the defaults name (and rmc, jeugdarts, escalation) served */
#define ALL(id, role)                                                                           \
	"{\"id\": \"" id "\", \"role\": \"" role "\", \"schools\": [\"*\"], \"connector\": "   \
	CONN_FILE_JSON ", \"legal_basis\": \"x\"}"
	pc = load_ok(&jc, "{\"schools\": {\"01AB\": {\"municipality\": \"0014\"}},\n"
			  " \"partners\": [" ALL("s", "school") ", " ALL("j", "jeugdarts") ",\n"
			  ALL("l", "leerplicht") ", " ALL("r", "rmc") ",\n"
			  ALL("w", "swv") ", " ALL("e", "escalation") "]}");
#undef ALL
	out = NULL;
	n = partners_check_routes(pc, extra, 1, &out);
	if (n)
		print_error("%s", out);
	assert_int_equal(n, 0);
	assert_null(out);
	free(out);
	partners_unref(pc);
	jconf_free(&jc);
}

/* ---- payload_build ------------------------------------------------------- */

static const char *const payload_config =
	"{\"dispatch\": {\"api_base_url\": \"https://vs.example.nl/\"},\n"
	" \"partners\": [\n"
	"  {\"id\": \"lp\", \"role\": \"leerplicht\", \"schools\": [\"*\"],\n"
	"   \"connector\": " CONN_FILE_JSON ", \"legal_basis\": \"Leerplichtwet art. 22\"},\n"
	"  {\"id\": \"sch\", \"role\": \"school\", \"schools\": [\"*\"],\n"
	"   \"connector\": " CONN_FILE_JSON ", \"legal_basis\": \"WVO\"},\n"
	"  {\"id\": \"swv\", \"role\": \"swv\", \"schools\": [\"*\"],\n"
	"   \"connector\": " CONN_FILE_JSON ", \"legal_basis\": \"Wet passend onderwijs\"},\n"
	"  {\"id\": \"swv-h\", \"role\": \"swv\", \"schools\": [\"*\"], \"health_data\": true,\n"
	"   \"connector\": " CONN_FILE_JSON ", \"legal_basis\": \"Wet passend onderwijs\"},\n"
	"  {\"id\": \"min\", \"role\": \"wij\", \"schools\": [\"*\"], \"fields\": [\"school\"],\n"
	"   \"connector\": " CONN_FILE_JSON ", \"legal_basis\": \"Jeugdwet\"}]}";

static const char *const mazl_record =
	"{\"id\": \"vs00112233445566-t\", \"kind\": \"task\", \"rule\": \"mazl\",\n"
	" \"trigger\": \"frequency\", \"student\": \"p1\", \"school\": \"01AB\", \"sector\": \"vo\",\n"
	" \"age\": 14, \"date\": \"2026-10-20\", \"period_key\": \"2026-10-20\",\n"
	" \"created_at\": \"2026-10-20T10:00:00.000Z\", \"window_hours\": 48,\n"
	" \"facts\": {\"sick_reports\": 4, \"window_weeks\": 12, \"first_report\": \"2026-08-25\"}}";

static const char *const tier_record =
	"{\"id\": \"vsaabbccddeeff0011-t\", \"kind\": \"task\", \"rule\": \"attendance_tier\",\n"
	" \"level\": \"tier3\", \"student\": \"p2\", \"school\": \"02CD\", \"sector\": \"vo\",\n"
	" \"age\": 15, \"date\": \"2026-11-02\", \"period_key\": \"2026-08-17\",\n"
	" \"created_at\": \"2026-11-02T07:00:00.000Z\", \"window_hours\": 48,\n"
	" \"facts\": {\"rate_pct\": 12.5, \"missed_minutes\": 900, \"sick_minutes\": 300}}";

/* The keys every payload has, whoever receives it. */
static void assert_always(const json_t *pl, const char *id, const char *event, const char *partner,
			  const char *role, const char *rule, const char *due_at,
			  const char *legal_basis)
{
	assert_int_equal(json_integer_value(json_object_get(pl, "v")), 1);
	assert_true(json_is_integer(json_object_get(pl, "v")));
	assert_string_equal(jstr(pl, "event"), event);
	assert_string_equal(jstr(pl, "id"), id);
	assert_string_equal(jstr(pl, "kind"), "task");
	assert_string_equal(jstr(pl, "partner"), partner);
	assert_string_equal(jstr(pl, "role"), role);
	assert_string_equal(jstr(pl, "rule"), rule);
	assert_string_equal(jstr(pl, "due_at"), due_at);
	assert_string_equal(jstr(pl, "legal_basis"), legal_basis);
	json_t *links = json_object_get(pl, "links");
	assert_true(json_is_object(links));
	char want[200];
	snprintf(want, sizeof want, "https://vs.example.nl/v1/tasks/%s/ack", id);
	assert_string_equal(jstr(links, "ack"), want);
	snprintf(want, sizeof want, "https://vs.example.nl/v1/tasks/%s", id);
	assert_string_equal(jstr(links, "task"), want);
}

static void test_payload_minimisation(void **state)
{
	(void)state;
	struct jconf jc;
	struct partners_config *pc = load_ok(&jc, payload_config);
	json_t *mazl = record(mazl_record), *tier = record(tier_record), *pl;
	const char *due = "2026-10-22T10:00:00.000Z";

	/* mazl to leerplicht (no health data): no facts at all */
	pl = payload_build(pc, find(pc, "lp"), mazl, "task", due);
	assert_always(pl, "vs00112233445566-t", "task", "lp", "leerplicht", "mazl", due,
		      "Leerplichtwet art. 22");
	assert_null(json_object_get(pl, "facts"));
	assert_string_equal(jstr(pl, "student"), "p1");
	assert_string_equal(jstr(pl, "trigger"), "frequency");
	assert_int_equal(json_integer_value(json_object_get(pl, "age")), 14);
	assert_int_equal(json_integer_value(json_object_get(pl, "window_hours")), 48);
	assert_string_equal(jstr(pl, "created_at"), "2026-10-20T10:00:00.000Z");
	json_decref(pl);

	/* mazl to the school: the facts as recorded */
	pl = payload_build(pc, find(pc, "sch"), mazl, "task", due);
	assert_always(pl, "vs00112233445566-t", "task", "sch", "school", "mazl", due, "WVO");
	json_t *facts = json_object_get(pl, "facts");
	assert_true(json_is_object(facts));
	assert_int_equal(json_object_size(facts), 3);
	assert_int_equal(json_integer_value(json_object_get(facts, "sick_reports")), 4);
	assert_string_equal(jstr(facts, "first_report"), "2026-08-25");
	json_decref(pl);

	/* attendance_tier to swv: rate_pct stays, sick_minutes goes */
	pl = payload_build(pc, find(pc, "swv"), tier, "task", due);
	assert_always(pl, "vsaabbccddeeff0011-t", "task", "swv", "swv", "attendance_tier", due,
		      "Wet passend onderwijs");
	assert_string_equal(jstr(pl, "level"), "tier3");
	facts = json_object_get(pl, "facts");
	assert_true(json_is_object(facts));
	assert_true(json_real_value(json_object_get(facts, "rate_pct")) == 12.5);
	assert_int_equal(json_integer_value(json_object_get(facts, "missed_minutes")), 900);
	assert_null(json_object_get(facts, "sick_minutes"));
	assert_int_equal(json_object_size(facts), 2);
	json_decref(pl);

	/* ... unless the partner may receive health data */
	pl = payload_build(pc, find(pc, "swv-h"), tier, "task", due);
	facts = json_object_get(pl, "facts");
	assert_int_equal(json_integer_value(json_object_get(facts, "sick_minutes")), 300);
	assert_int_equal(json_object_size(facts), 3);
	json_decref(pl);

	/* fields ["school"]: only the school of the optional fields */
	pl = payload_build(pc, find(pc, "min"), tier, "reminder", due);
	assert_always(pl, "vsaabbccddeeff0011-t", "reminder", "min", "wij", "attendance_tier", due,
		      "Jeugdwet");
	assert_string_equal(jstr(pl, "school"), "02CD");
	assert_null(json_object_get(pl, "student"));
	assert_null(json_object_get(pl, "sector"));
	assert_null(json_object_get(pl, "age"));
	assert_null(json_object_get(pl, "date"));
	assert_null(json_object_get(pl, "period_key"));
	assert_null(json_object_get(pl, "facts"));
	assert_string_equal(jstr(pl, "level"), "tier3");
	json_decref(pl);

	/* non-health facts of another rule do go to leerplicht */
	json_t *l16 = record("{\"id\": \"vs1-t\", \"kind\": \"task\", \"rule\": \"leerplicht_16u\",\n"
			     " \"student\": \"p3\", \"school\": \"01AB\", \"created_at\": "
			     "\"2026-11-20T09:00:00.000Z\",\n"
			     " \"facts\": {\"start\": \"2026-10-26\", \"end\": \"2026-11-20\", "
			     "\"minutes\": 1000}}");
	pl = payload_build(pc, find(pc, "lp"), l16, "task", due);
	facts = json_object_get(pl, "facts");
	assert_int_equal(json_object_size(facts), 3);
	assert_int_equal(json_integer_value(json_object_get(facts, "minutes")), 1000);
	assert_null(json_object_get(pl, "level"));
	json_decref(pl);

	/* an escalation keeps its kind and the escalated task */
	json_t *esc = record("{\"id\": \"vs1-t-esc\", \"kind\": \"escalation\", \"rule\": "
			     "\"leerplicht_16u\",\n \"escalates\": \"vs1-t\", \"escalated_role\": "
			     "\"leerplicht\", \"school\": \"01AB\"}");
	pl = payload_build(pc, find(pc, "lp"), esc, "task", due);
	assert_string_equal(jstr(pl, "kind"), "escalation");
	assert_string_equal(jstr(pl, "escalates"), "vs1-t");
	assert_string_equal(jstr(pl, "escalated_role"), "leerplicht");
	assert_string_equal(jstr(json_object_get(pl, "links"), "ack"),
			    "https://vs.example.nl/v1/tasks/vs1-t-esc/ack");
	json_decref(pl);

	json_decref(esc);
	json_decref(l16);
	json_decref(mazl);
	json_decref(tier);
	partners_unref(pc);
	jconf_free(&jc);
}

static void test_payload_default_base_url(void **state)
{
	(void)state;
	struct jconf jc;
	struct partners_config *pc = load_ok(&jc, "{\"partners\": [" PARTNER_OK "]}");
	json_t *t = record("{\"id\": \"vs9\", \"rule\": \"luxe\", \"school\": \"01AB\"}");
	json_t *pl = payload_build(pc, find(pc, "a"), t, "task", "2026-11-22T12:00:00.000Z");
	const char *ack = jstr(json_object_get(pl, "links"), "ack");
	assert_string_equal(ack, "http://127.0.0.1:9464/v1/tasks/vs9/ack");
	/* a record without a kind is a task */
	assert_string_equal(jstr(pl, "kind"), "task");
	json_decref(pl);
	json_decref(t);
	partners_unref(pc);
	jconf_free(&jc);
}

/* ---- action_text, template_render --------------------------------------- */

static void test_action_text(void **state)
{
	(void)state;
	struct jconf jc;
	struct partners_config *pc = load_ok(&jc, "{\"partners\": [" PARTNER_OK "]}");
	char buf[1200];
	json_t *l16 = record("{\"id\": \"vs1-t\", \"kind\": \"task\", \"rule\": \"leerplicht_16u\",\n"
			     " \"school\": \"01AB\", \"student\": \"k-1\"}");

	/* the school files the DUO report; leerplicht is asked something else */
	action_text(pc, l16, "school", "27-11-2026 23:59", buf, sizeof buf);
	assert_non_null(strstr(buf, "Verzuimloket van DUO"));
	assert_non_null(strstr(buf, "uiterlijk vrijdag 27 november 2026 om 23:59."));
	assert_non_null(strstr(buf, "Leerling: k-1 "));
	assert_null(strchr(buf, '{'));
	char school_text[1200];
	strcpy(school_text, buf);

	action_text(pc, l16, "leerplicht", "24-11-2026 12:00", buf, sizeof buf);
	assert_string_not_equal(buf, school_text);
	assert_null(strstr(buf, "DUO"));
	assert_non_null(strstr(buf, "uiterlijk dinsdag 24 november 2026 om 12:00."));
	assert_null(strchr(buf, '{'));

	/* a trigger selects the text: a concern is not called sickness */
	json_t *mazl = record("{\"id\": \"vs2-t\", \"rule\": \"mazl\", \"trigger\": \"concern\"}");
	action_text(pc, mazl, "school", "D", buf, sizeof buf);
	assert_non_null(strstr(buf, "maakt zich zorgen"));
	assert_null(strstr(buf, "ziek"));

	/* an escalation names the escalated task and the escalated role (not
	 * the receiving role) */
	json_t *esc = record("{\"id\": \"vs1-t-esc\", \"kind\": \"escalation\", \"rule\": "
			     "\"leerplicht_16u\",\n \"escalates\": \"vs1-t\", \"escalated_role\": "
			     "\"school\", \"school\": \"01AB\"}");
	action_text(pc, esc, "escalation", "25-11-2026 09:00", buf, sizeof buf);
	assert_non_null(strstr(buf, "De taak vs1-t (16 uur ongeoorloofd verzuim) voor de school "));
	assert_non_null(strstr(buf, "uiterlijk woensdag 25 november 2026 om 09:00."));
	assert_null(strstr(buf, "DUO"));
	partners_unref(pc);
	jconf_free(&jc);

	/* a text from the configuration replaces the default one */
	pc = load_ok(&jc, "{\"templates\": {\"task\": \"Luxe op {school} tot {due_at} ({onbekend}).\"},\n"
			  " \"partners\": [" PARTNER_OK "]}");
	json_t *luxe = record("{\"id\": \"vs3-t\", \"rule\": \"luxe\", \"school\": \"01AB\"}");
	action_text(pc, luxe, "leerplicht", "22-11-2026 12:00", buf, sizeof buf);
	assert_string_equal(buf, "Luxe op 01AB tot zondag 22 november 2026 om 12:00 ({onbekend}).");
	/* the others keep their defaults */
	action_text(pc, esc, "escalation", "X", buf, sizeof buf);
	assert_non_null(strstr(buf, "De taak vs1-t"));
	partners_unref(pc);
	jconf_free(&jc);

	json_decref(luxe);
	json_decref(esc);
	json_decref(mazl);
	json_decref(l16);
}

static void test_template_render(void **state)
{
	(void)state;
	char buf[200];
	json_t *vars = record("{\"school\": \"01AB\", \"n\": 5, \"due_at\": \"morgen\"}");
	template_render("Hallo {naam}, school {school} vóór {due_at}.", vars, buf, sizeof buf);
	assert_string_equal(buf, "Hallo {naam}, school 01AB vóór morgen.");
	/* a non-string value, an empty name, an unclosed brace: left as they are */
	template_render("{n} {} {school", vars, buf, sizeof buf);
	assert_string_equal(buf, "{n} {} {school");
	/* truncated, never overrun: 5 characters and the NUL */
	template_render("abc{school}def", vars, buf, 6);
	assert_string_equal(buf, "abc01");
	template_render("abcdefgh", vars, buf, 4);
	assert_string_equal(buf, "abc");
	json_decref(vars);
}

/* ---- retry_delay_ms ----------------------------------------------------- */

static void test_retry_delay(void **state)
{
	(void)state;
	/* attempt 1: base 1000, jitter in [500, 1000] */
	assert_int_equal(retry_delay_ms(1, 1000, 600000, 0, 0), 500);
	assert_int_equal(retry_delay_ms(1, 1000, 600000, 500, 0), 1000);
	assert_int_equal(retry_delay_ms(1, 1000, 600000, 501, 0), 500); /* 501 % 501 = 0 */
	for (uint64_t r = 0; r < 2000; r += 37) {
		int64_t d = retry_delay_ms(1, 1000, 600000, r * 2654435761u, 0);
		assert_true(d >= 500 && d <= 1000);
	}
	/* doubling: attempt 3 = 4000 -> [2000, 4000] */
	assert_int_equal(retry_delay_ms(3, 1000, 600000, 0, 0), 2000);
	assert_int_equal(retry_delay_ms(3, 1000, 600000, 2000, 0), 4000);
	/* attempt 10 would be 512000; attempt 11 hits the cap of 600000 */
	assert_int_equal(retry_delay_ms(10, 1000, 600000, 256000, 0), 512000);
	assert_int_equal(retry_delay_ms(11, 1000, 600000, 300000, 0), 600000);
	assert_int_equal(retry_delay_ms(11, 1000, 600000, 0, 0), 300000);
	/* far past it, no overflow */
	assert_int_equal(retry_delay_ms(1000, 1000, 600000, 300000, 0), 600000);
	assert_int_equal(retry_delay_ms(1000, 1000, 600000, UINT64_MAX, 0) <= 600000, 1);
	/* Retry-After: 30 s is at least 30000 */
	assert_int_equal(retry_delay_ms(1, 1000, 600000, 500, 30), 30000);
	assert_true(retry_delay_ms(2, 1000, 600000, 7, 30) >= 30000);
	/* ... but never shortens a longer backoff */
	assert_int_equal(retry_delay_ms(11, 1000, 600000, 300000, 30), 600000);
	/* above an hour: capped at an hour */
	assert_int_equal(retry_delay_ms(1, 1000, 600000, 0, 7200), 3600000);
	assert_int_equal(retry_delay_ms(1, 1000, 600000, 0, 3600), 3600000);
	assert_int_equal(retry_delay_ms(1, 1000, 600000, 0, 3599), 3599000);
}

/* ---- due times ------------------------------------------------------------ */

static int amsterdam(void **state)
{
	(void)state;
	setenv("TZ", "Europe/Amsterdam", 1);
	tzset();
	return 0;
}

/* Epoch values from TZ=Europe/Amsterdam date -d '...' +%s (and checked by
 * hand: November is CET, UTC+1; 2026-11-20 is a Friday). */
#define FRI_20_1000 1795165200000LL /* Fri 2026-11-20 10:00 CET */
#define FRI_20_1200 1795172400000LL /* Fri 2026-11-20 12:00 CET = 11:00Z */
#define SAT_21_0000 1795215600000LL /* Sat 2026-11-21 00:00 CET */
#define SAT_21_1200 1795258800000LL /* Sat 2026-11-21 12:00 CET */
#define SUN_22_1200 1795345200000LL /* Sun 2026-11-22 12:00 CET */
#define MON_23_0900 1795420800000LL /* Mon 2026-11-23 09:00 CET */
#define TUE_24_0000 1795474800000LL /* Tue 2026-11-24 00:00 CET */
#define TUE_24_1200 1795518000000LL /* Tue 2026-11-24 12:00 CET */
#define WED_25_0000 1795561200000LL /* Wed 2026-11-25 00:00 CET */
#define SAT_28_0000 1795820400000LL /* Sat 2026-11-28 00:00 CET */

static void test_due_after_hours(void **state)
{
	(void)state;
	/* without working days: plain arithmetic, 48 h = 172800000 ms */
	assert_int_equal(due_after_hours(FRI_20_1200, 48, false), FRI_20_1200 + 172800000LL);
	assert_int_equal(due_after_hours(FRI_20_1200, 48, false), SUN_22_1200);
	assert_int_equal(due_after_hours(123, 1, false), 123 + 3600000);
	/* working days: Fri 12:00 + 12 h (to midnight) + Mon 24 h + Tue 12 h */
	assert_int_equal(due_after_hours(FRI_20_1200, 48, true), TUE_24_1200);
	/* exactly the rest of Friday */
	assert_int_equal(due_after_hours(FRI_20_1200, 12, true), SAT_21_0000);
	/* starting on a Saturday: the clock starts Monday 00:00 */
	assert_int_equal(due_after_hours(SAT_21_1200, 24, true), TUE_24_0000);
	/* across the start of summer time (Sun 2027-03-28): Fri 2027-03-26
	 * 12:00 CET (1806058800) -> Tue 2027-03-30 12:00 CEST (1806400800),
	 * 4 days less 1 h later */
	assert_int_equal(due_after_hours(1806058800000LL, 48, true), 1806400800000LL);
}

/* Issue 10 item 6: one due time. A Friday task with working days on is
 * due on Tuesday both in the entry and for every partner (it was Sunday in
 * the entry); the school's DUO task is due no later than its working days. */
static void test_task_due_one_place(void **state)
{
	(void)state;
	struct dispatch_config dc = {.working_days = true, .duo_report_working_days = 5};
	assert_int_equal(task_due_ms(&dc, FRI_20_1200, 48, false), TUE_24_1200);
	assert_int_equal(task_due_ms(&dc, FRI_20_1200, 48, true), TUE_24_1200);
	/* a window longer than the DUO term: the DUO term wins for the school */
	assert_int_equal(task_due_ms(&dc, FRI_20_1000, 240, true), SAT_28_0000 - 1);
	assert_int_equal(task_due_ms(&dc, FRI_20_1000, 240, false) > SAT_28_0000, 1);
	dc.working_days = false;
	assert_int_equal(task_due_ms(&dc, FRI_20_1200, 48, false), SUN_22_1200);
	dc.window_s = 60;
	assert_int_equal(task_due_ms(&dc, FRI_20_1200, 48, false), FRI_20_1200 + 60000);
	assert_int_equal(task_due_ms(NULL, FRI_20_1200, 48, false), SUN_22_1200);
}

static void test_due_after_working_days(void **state)
{
	(void)state;
	/* Fri 10:00 + 5 working days: Mon 23 .. Fri 27; the end of Friday 27
	 * is Sat 28 00:00 CET less 1 ms = 23:59:59.999 */
	assert_int_equal(due_after_working_days(FRI_20_1000, 5), SAT_28_0000 - 1);
	assert_int_equal(due_after_working_days(FRI_20_1000, 5), 1795820399999LL);
	/* Mon 09:00 + 1: the end of Tuesday */
	assert_int_equal(due_after_working_days(MON_23_0900, 1), WED_25_0000 - 1);
	/* from Saturday + 1: the end of Monday (Tue 00:00 less 1 ms) */
	assert_int_equal(due_after_working_days(SAT_21_1200, 1), TUE_24_0000 - 1);
}

/* Issue 10 item 5: ids are an HMAC keyed with the region's secret, never
 * a hash anyone can recompute from (rule, level, pupil, date) and a list of
 * candidate pupil keys; deterministic for the same secret (the idempotency
 * key), different under another secret. */
#define SECRET_A "regio-noord-synthetisch-geheim-0001-aaaa"
#define SECRET_B "regio-zuid-synthetisch-geheim-0002-bbbbb"
static void test_keyed_ids(void **state)
{
	(void)state;
	struct signal s = sig(RULE_LEERPLICHT_16U, LEVEL_NONE, "01AB", SECTOR_VO, 14);
	char a[SIGNAL_ID_LEN], b[SIGNAL_ID_LEN], c[SIGNAL_ID_LEN], d[SIGNAL_ID_LEN];
	signal_id_keyed(&s, SECRET_A, a);
	signal_id_keyed(&s, SECRET_A, b);
	signal_id_keyed(&s, SECRET_B, c);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_int_equal(strlen(a), 18);
	assert_memory_equal(a, "vs", 2);
	assert_int_equal(strspn(a + 2, "0123456789abcdef"), 16);
	/* what someone without the secret could compute from the material
	 * gives neither id: its FNV-1a (the old id), its SHA-256, an HMAC
	 * with an empty key */
	char material[200], guess[SIGNAL_ID_LEN];
	size_t n = signal_id_material(&s, material, sizeof material);
	assert_string_equal(material, "leerplicht_16u||p1|2026-10-20");
	snprintf(guess, sizeof guess, "vs%016llx", (unsigned long long)fnv1a64(0xcbf29ce484222325ULL,
									     material, n));
	assert_string_not_equal(a, guess);
	assert_string_not_equal(c, guess);
	char hex[65];
	token_hash_hex(material, hex); /* hex SHA-256 of the material */
	snprintf(guess, sizeof guess, "vs%.16s", hex);
	assert_string_not_equal(a, guess);
	assert_string_not_equal(c, guess);
	/* another pupil, another id */
	strcpy(s.student, "p2");
	signal_id_keyed(&s, SECRET_A, d);
	assert_string_not_equal(a, d);
}

/* The id secret's file: refused when missing, open to group or others,
 * too short, or not configured, each time saying what to run. */
static void test_ids_secret_read(void **state)
{
	(void)state;
	char dir[] = "/tmp/vs-ids-XXXXXX", path[64], why[400];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/ids.secret", dir);
	assert_null(ids_secret_read(NULL, why, sizeof why));
	assert_non_null(strstr(why, "secret_file"));
	assert_null(ids_secret_read(path, why, sizeof why));
	assert_non_null(strstr(why, "No such file"));
	assert_non_null(strstr(why, "openssl rand -hex 32"));
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(SECRET_A "\n", f);
	fclose(f);
	assert_int_equal(chmod(path, 0640), 0);
	assert_null(ids_secret_read(path, why, sizeof why));
	assert_non_null(strstr(why, "chmod 600"));
	assert_int_equal(chmod(path, 0604), 0);
	assert_null(ids_secret_read(path, why, sizeof why));
	assert_int_equal(chmod(path, 0600), 0);
	char *secret = ids_secret_read(path, why, sizeof why);
	assert_non_null(secret);
	assert_string_equal(secret, SECRET_A);
	ids_secret_free(secret);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("kort-geheim-0123456789abcdef\n", f); /* 28 bytes */
	fclose(f);
	assert_null(ids_secret_read(path, why, sizeof why));
	assert_non_null(strstr(why, "has 28 bytes"));
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_webhook_signature),
		cmocka_unit_test(test_token_hash_hex),
		cmocka_unit_test(test_load_fields),
		cmocka_unit_test(test_load_dispatch_and_empty),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_route_configured),
		cmocka_unit_test(test_route_defaults),
		cmocka_unit_test(test_shipped_routes),
		cmocka_unit_test(test_partner_serves),
		cmocka_unit_test(test_partners_by_token),
		cmocka_unit_test(test_check_routes),
		cmocka_unit_test(test_payload_minimisation),
		cmocka_unit_test(test_payload_default_base_url),
		cmocka_unit_test(test_action_text),
		cmocka_unit_test(test_template_render),
		cmocka_unit_test(test_retry_delay),
		cmocka_unit_test_setup(test_due_after_hours, amsterdam),
		cmocka_unit_test_setup(test_due_after_working_days, amsterdam),
		cmocka_unit_test_setup(test_task_due_one_place, amsterdam),
		cmocka_unit_test(test_keyed_ids),
		cmocka_unit_test(test_ids_secret_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
