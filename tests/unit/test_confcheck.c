/*
 * Unit tests for what check-config catches beyond validity (confcheck.h,
 * partners_check): no partners, route roles without a partner when no
 * school is known and for calendar schools, health rules routed to
 * leerplicht or rmc, and files the service user cannot read.
 */
#include "partner_routing.h"
#include "testutil.h"

#include "confcheck.h"
#include "dconfig.h"
#include "jsonconf.h"
#include "util.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILE_CONN "{\"type\": \"file\", \"path\": \"/tmp/vs-confcheck.jsonl\"}"
#define PARTNER(id, role, schools)                                                             \
	"{\"id\": \"" id "\", \"role\": \"" role "\", \"schools\": " schools                   \
	", \"connector\": " FILE_CONN ", \"legal_basis\": \"x\"}"
#define ALL_ROLES(schools)                                                                     \
	PARTNER("s", "school", schools) ", " PARTNER("j", "jeugdarts", schools) ", "           \
	PARTNER("l", "leerplicht", schools) ", " PARTNER("r", "rmc", schools) ", "             \
	PARTNER("w", "swv", schools) ", " PARTNER("e", "escalation", schools)

static struct partners_config *load_ok(struct jconf *jc, const char *text)
{
	assert_int_equal(jconf_open_text(jc, "p.json", text), 0);
	struct partners_config *pc = partners_load(jc);
	if (jc->nerrors)
		print_error("unexpected configuration errors:\n%s", jc->errors);
	assert_int_equal(jc->nerrors, 0);
	return pc;
}

static int count_lines(const char *s)
{
	int n = 0;
	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

static int check(const char *text, char **out)
{
	struct jconf jc;
	struct partners_config *pc = load_ok(&jc, text);
	int n = partners_check(pc, NULL, 0, out);
	assert_int_equal(n, count_lines(*out));
	partners_unref(pc);
	jconf_free(&jc);
	return n;
}

static void test_no_partners(void **state)
{
	(void)state;
	char *out = NULL;
	int n = check("{}", &out);
	assert_true(n > 1);
	assert_non_null(out);
	/* named first, then every role of the default routes for any school */
	assert_non_null(strstr(out, "no partners: every task would reach nobody"));
	assert_ptr_equal(strstr(out, "no partners"), out);
	assert_non_null(strstr(out, "any school (none is known"));
	free(out);
}

static void test_no_school_known(void **state)
{
	(void)state;
	char *out = NULL;
	/* only patterns, no "schools" section, no calendar: before, nothing
	 * was checked at all; now each role must have some partner */
	int n = check("{\"partners\": [" PARTNER("s", "school", "[\"0*\"]") "]}", &out);
	assert_true(n > 0);
	assert_null(strstr(out, "no partners"));
	assert_non_null(strstr(out, "any school (none is known: no \"schools\" section, no school "
				    "in the calendars, no literal code in partners): route 6 "
				    "(leerplicht_16u) goes to leerplicht, but no partner with that "
				    "role serves this school\n"));
	assert_null(strstr(out, "goes to school,"));
	free(out);

	/* every role served by a pattern: nothing to report */
	out = NULL;
	n = check("{\"partners\": [" ALL_ROLES("[\"0*\"]") "]}", &out);
	if (n)
		print_error("%s", out);
	assert_int_equal(n, 0);
	assert_null(out);
}

static void test_health_routes(void **state)
{
	(void)state;
	char *out = NULL;
	/* the default routes send no health rule to leerplicht or rmc */
	int n = check("{\"partners\": [" ALL_ROLES("[\"*\"]") "]}", &out);
	assert_int_equal(n, 0);

	out = NULL;
	n = check("{\"partners\": [" ALL_ROLES("[\"*\"]") "],\n \"routes\": [\n"
		  "  {\"rule\": \"mazl\", \"roles\": [\"school\", \"leerplicht\"]},\n"
		  "  {\"rule\": \"long_sick\", \"level\": \"3m\", \"roles\": [\"rmc\"]},\n"
		  "  {\"rule\": \"long_sick\", \"roles\": [\"swv\"]},\n"
		  "  {\"rule\": \"lrv\", \"roles\": [\"leerplicht\"]},\n"
		  "  {\"roles\": [\"school\", \"leerplicht\"]}]}",
		  &out);
	assert_non_null(out);
	assert_non_null(strstr(out, "route 1 (mazl) sends mazl tasks (health data) to leerplicht"));
	assert_non_null(strstr(out, "route 2 (long_sick 3m) sends long_sick tasks (health data) to rmc"));
	/* a route for any rule reaches both health rules */
	assert_non_null(strstr(out, "route 5 (any rule) sends mazl tasks (health data) to leerplicht"));
	assert_non_null(strstr(out, "route 5 (any rule) sends long_sick tasks (health data) to "
				    "leerplicht"));
	/* lrv and swv are fine */
	assert_null(strstr(out, "route 3 "));
	assert_null(strstr(out, "route 4 "));
	assert_int_equal(n, 4);
	free(out);
}

/* ---- files and calendars ------------------------------------------------ */

static char dir[64];

static void write_file(const char *name, const char *text, mode_t mode)
{
	char path[160];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static int setup_dir(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/vs-confcheck.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	chmod(dir, 0755);
	return 0;
}

static int teardown_dir(void **state)
{
	(void)state;
	const char *names[] = {"c.json", "cal.json", "secret", "open", "ids.secret", NULL};
	char path[160];
	for (int i = 0; names[i]; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
	return 0;
}

static const char *other_user(void);

/* The region's id secret (mode 0600) in dir, owned by the user the checks
 * run as (see other_user), so that only its absence is a problem. */
static void write_ids_secret(void)
{
	write_file("ids.secret", "regio-noord-synthetisch-geheim-confcheck-01\n", 0600);
	if (geteuid() == 0) {
		char path[160];
		snprintf(path, sizeof path, "%s/ids.secret", dir);
		struct passwd *pw = getpwnam(other_user());
		assert_non_null(pw);
		assert_int_equal(chown(path, pw->pw_uid, pw->pw_gid), 0);
	}
}

static void write_config(const char *partners)
{
	char cal[4096], cfg[4096];
	FILE *f = fopen(VS_SOURCE_DIR "/config/calendars/noord-2026-2027.json", "r");
	assert_non_null(f);
	size_t n = fread(cal, 1, sizeof cal - 1, f);
	fclose(f);
	cal[n] = '\0';
	/* the calendar names 01AB; add 07XY */
	char *at = strstr(cal, "\"schools\": {");
	assert_non_null(at);
	char edited[4200];
	snprintf(edited, sizeof edited, "%.*s\"schools\": {\"07XY\": {}, %s", (int)(at - cal), cal,
		 at + strlen("\"schools\": {"));
	write_file("cal.json", edited, 0644);
	snprintf(cfg, sizeof cfg,
		 "{\"calendars\": [\"cal.json\"],\n"
		 " \"ids\": {\"secret_file\": \"ids.secret\"},\n"
		 " \"redis\": {\"unix\": \"/nonexistent/redis.sock\", \"password_file\": \"%s/open\"},\n"
		 " \"partners\": [%s]}\n",
		 dir, partners);
	write_file("c.json", cfg, 0644);
}

static void test_files_and_calendar_schools(void **state)
{
	(void)state;
	write_file("open", "pw\n", 0644);
	write_config(PARTNER("s", "school", "[\"01*\"]"));
	char path[160];
	snprintf(path, sizeof path, "%s/c.json", dir);

	char **files = NULL;
	int n = confcheck_files(path, &files);
	assert_int_equal(n, 4);
	char want[160];
	assert_string_equal(files[0], path);
	snprintf(want, sizeof want, "%s/cal.json", dir);
	assert_string_equal(files[1], want);
	snprintf(want, sizeof want, "%s/ids.secret", dir);
	assert_string_equal(files[2], want);
	snprintf(want, sizeof want, "%s/open", dir);
	assert_string_equal(files[3], want);
	confcheck_strv_free(files);

	char **schools = NULL;
	n = confcheck_calendar_schools(path, &schools);
	assert_int_equal(n, 2);
	assert_string_equal(schools[0], "07XY");
	assert_string_equal(schools[1], "01AB");
	confcheck_strv_free(schools);

	/* the school partner serves 01*, not the calendar's 07XY */
	struct vsd_config cfg;
	char *errors = NULL;
	if (vsd_config_load(path, &cfg, &errors) != 0)
		print_error("%s", errors);
	assert_null(errors);
	char *out = NULL;
	n = confcheck_run(path, &cfg, NULL, &out);
	assert_true(n > 0);
	assert_non_null(strstr(out, "school 07XY: route 1 (first_month) goes to school, but no "
				    "partner with that role serves this school\n"));
	assert_null(strstr(out, "school 01AB: route 1 "));
	/* without the id secret the daemon does not start: a problem too,
	 * saying how to make one; with it, none */
	assert_non_null(strstr(out, "cannot read the id secret"));
	assert_non_null(strstr(out, "openssl rand -hex 32"));
	free(out);
	write_ids_secret();
	n = confcheck_run(path, &cfg, NULL, &out);
	assert_null(strstr(out, "id secret"));
	free(out);
	vsd_config_free(&cfg);
}

/* The user to check as: "nobody" when root (a root-only file is then
 * unreadable), else the caller (a file of mode 000 is). */
static const char *other_user(void)
{
	if (geteuid() == 0)
		return "nobody";
	return getpwuid(geteuid())->pw_name;
}

static void test_readable_as(void **state)
{
	(void)state;
	const char *user = other_user();
	write_file("secret", "s3cret\n", geteuid() == 0 ? 0600 : 0000);
	write_file("open", "pw\n", 0644);
	char path[160], why[300];
	snprintf(path, sizeof path, "%s/secret", dir);
	errno = 0;
	assert_int_equal(confcheck_readable_as(path, user, why, sizeof why), 0);
	assert_int_equal(errno, EACCES);
	snprintf(path, sizeof path, "%s/open", dir);
	assert_int_equal(confcheck_readable_as(path, user, why, sizeof why), 1);
	snprintf(path, sizeof path, "%s/missing", dir);
	assert_int_equal(confcheck_readable_as(path, user, why, sizeof why), 0);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(confcheck_readable_as(path, "no-such-user-vs", why, sizeof why), -1);
	assert_non_null(strstr(why, "no such user"));

	/* the whole run names the unreadable password file */
	write_config(ALL_ROLES("[\"*\"]"));
	write_ids_secret();
	char cfgpath[160];
	snprintf(cfgpath, sizeof cfgpath, "%s/c.json", dir);
	struct vsd_config cfg;
	char *errors = NULL;
	if (vsd_config_load(cfgpath, &cfg, &errors) != 0)
		print_error("%s", errors);
	assert_null(errors);
	char *out = NULL;
	assert_int_equal(confcheck_run(cfgpath, &cfg, user, &out), 0);
	assert_null(out);
	write_file("open", "pw\n", geteuid() == 0 ? 0600 : 0000);
	assert_int_equal(confcheck_run(cfgpath, &cfg, user, &out), 1);
	char want[300];
	snprintf(want, sizeof want, "the service user %s cannot read %s/open (%s)\n", user, dir,
		 strerror(EACCES));
	assert_string_equal(out, want);
	free(out);
	vsd_config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_partners),
		cmocka_unit_test(test_no_school_known),
		cmocka_unit_test(test_health_routes),
		cmocka_unit_test(test_files_and_calendar_schools),
		cmocka_unit_test(test_readable_as),
	};
	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
