/*
 * test_jsonconf: the value locator behind every configuration error, the
 * syntax error positions, the typed getters and their messages.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

static const char doc[] =
	"{\n"                                                 /* 1 */
	"  \"name\": \"x\",\n"                                /* 2 */
	"  \"rules\": {\n"                                    /* 3 */
	"    \"lrv\": {\"enabled\": true, \"4w\": 20},\n"     /* 4 */
	"    \"text\": \"a \\\" { [ , } ] b\",\n"             /* 5: braces in a string */
	"    \"long_sick\": {\n"                              /* 6 */
	"      \"4w\":\n"                                     /* 7 */
	"        21\n"                                        /* 8 */
	"    }\n"                                             /* 9 */
	"  },\n"                                              /* 10 */
	"  \"holidays\": [\n"                                 /* 11 */
	"    {\"from\": \"2026-10-10\", \"to\": \"2026-10-18\"},\n" /* 12 */
	"    [1, [2, 3], {\"4w\": 4}],\n"                     /* 13 */
	"    {\"from\": \"2026-12-19\",\n"                    /* 14 */
	"     \"to\": \"2027-01-03\"}\n"                      /* 15 */
	"  ],\n"                                              /* 16 */
	"  \"4w\": 99\n"                                      /* 17 */
	"}\n";

struct loc {
	const char *path;
	int line, col;
};

static void test_locate_nested_paths(void **state)
{
	(void)state;
	static const struct loc cases[] = {
		{"", 1, 1},
		{"name", 2, 11},
		{"rules", 3, 12},
		{"rules.lrv", 4, 12},
		{"rules.lrv.enabled", 4, 24},
		{"rules.lrv.4w", 4, 36},
		{"rules.text", 5, 13},
		{"rules.long_sick", 6, 18},
		{"rules.long_sick.4w", 8, 9},
		{"holidays", 11, 15},
		{"holidays[0]", 12, 5},
		{"holidays[0].from", 12, 14},
		{"holidays[0].to", 12, 34},
		{"holidays[1]", 13, 5},
		{"holidays[1][0]", 13, 6},
		{"holidays[1][1]", 13, 9},
		{"holidays[1][1][1]", 13, 13},
		{"holidays[1][2]", 13, 17},
		{"holidays[1][2].4w", 13, 24},
		{"holidays[2]", 14, 5},
		{"holidays[2].to", 15, 12},
		{"4w", 17, 9}, /* not the nested "4w" keys */
		/* paths that do not exist: the deepest existing ancestor */
		{"rules.lrv.3m", 4, 12},
		{"rules.mazl.enabled", 3, 12},
		{"holidays[3]", 11, 15},
		{"holidays[7].from", 11, 15},
		{"nothing", 1, 1},
		{"name.sub", 2, 11},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		int line = -1, col = -1;
		jconf_locate(doc, cases[i].path, &line, &col);
		if (line != cases[i].line || col != cases[i].col)
			fail_msg("%s: got %d:%d, expected %d:%d", cases[i].path, line, col,
				 cases[i].line, cases[i].col);
	}
}

static void test_locate_leading_whitespace_and_crlf(void **state)
{
	(void)state;
	int line, col;
	jconf_locate("\r\n  \t{\"a\": {\"b\":\r\n\t[true,\r\n  false]}}", "a.b[1]", &line, &col);
	assert_int_equal(line, 4);
	assert_int_equal(col, 3);
	jconf_locate("\n\n   {}", "", &line, &col);
	assert_int_equal(line, 3);
	assert_int_equal(col, 4);
	jconf_locate("{\"a\": []}", "a[0]", &line, &col);
	assert_int_equal(line, 1);
	assert_int_equal(col, 7);
	/* a key that is a prefix of another */
	jconf_locate("{\"ab\": 1, \"a\": 2}", "a", &line, &col);
	assert_int_equal(line, 1);
	assert_int_equal(col, 16);
}

static void test_syntax_error_position(void **state)
{
	(void)state;
	struct jconf jc;
	assert_int_equal(jconf_open_text(&jc, "bad.json", "{\n  \"a\": 1,\n  \"b\": }\n"), -1);
	assert_null(jc.root);
	assert_int_equal(jc.nerrors, 1);
	assert_string_equal(jc.errors, "bad.json:3:8: unexpected token near '}'\n");
	jconf_free(&jc);

	assert_int_equal(jconf_open_text(&jc, "bad.json", "{\"a\": 1 \"b\": 2}"), -1);
	assert_string_equal(jc.errors, "bad.json:1:11: '}' expected near '\"b\"'\n");
	jconf_free(&jc);

	assert_int_equal(jconf_open_text(&jc, "bad.json", "{\"a\": 1,\n \"a\": 2}"), -1);
	assert_string_equal(jc.errors, "bad.json:2:4: duplicate object key near '\"a\"'\n");
	jconf_free(&jc);

	assert_int_equal(jconf_open_text(&jc, "empty.json", ""), -1);
	assert_string_equal(jc.errors, "empty.json:1:0: '[' or '{' expected near end of file\n");
	jconf_free(&jc);
}

static void test_open_missing_file(void **state)
{
	(void)state;
	struct jconf jc;
	assert_int_equal(jconf_open(&jc, "/nonexistent/vs.json"), -1);
	assert_string_equal(jc.errors,
			    "/nonexistent/vs.json: cannot open: No such file or directory\n");
	jconf_free(&jc);
}

static void test_open_file(void **state)
{
	(void)state;
	struct jconf jc;
	assert_int_equal(jconf_open(&jc, VS_SOURCE_DIR "/config/vroegsignaal.json"), 0);
	assert_non_null(jc.root);
	assert_int_equal(jc.nerrors, 0);
	assert_null(jc.errors);
	int line, col;
	jconf_locate(jc.text, "rules.lrv.3m", &line, &col);
	assert_int_equal(line, 17);
	assert_int_equal(col, 46);
	jconf_free(&jc);
}

static void test_getters_and_messages(void **state)
{
	(void)state;
	struct jconf jc;
	assert_int_equal(jconf_open_text(&jc, "g.json",
					 "{\"s\": {\n"
					 "  \"i\": 5, \"big\": 500, \"str\": \"x\", \"b\": true,\n"
					 "  \"nb\": 1, \"d\": \"2026-08-17\", \"bd\": \"2026-02-29\",\n"
					 "  \"nd\": 20260817, \"p\": 7.25, \"p3\": 7.125, "
					 "\"pn\": \"5\",\n"
					 "  \"ph\": 101, \"r\": 1.5, \"n\": null}}"),
			 0);
	json_t *s = json_object_get(jc.root, "s");
	int64_t i = -1;
	assert_int_equal(jconf_int(&jc, s, "s", "i", 0, 10, &i), 0);
	assert_int_equal(i, 5);
	assert_int_equal(jconf_int(&jc, s, "s", "missing", 0, 10, &i), 0);
	assert_int_equal(i, 5);
	assert_int_equal(jconf_int(&jc, s, "s", "big", 0, 10, &i), -1);
	assert_int_equal(jconf_int(&jc, s, "s", "str", 0, 10, &i), -1);
	assert_int_equal(jconf_int(&jc, s, "s", "r", 0, 10, &i), -1);
	assert_int_equal(i, 5);
	bool b = false;
	assert_int_equal(jconf_bool(&jc, s, "s", "b", &b), 0);
	assert_true(b);
	assert_int_equal(jconf_bool(&jc, s, "s", "nb", &b), -1);
	int32_t d = 0;
	assert_int_equal(jconf_date(&jc, s, "s", "d", &d), 0);
	assert_int_equal(d, tu_date("2026-08-17"));
	assert_int_equal(jconf_date(&jc, s, "s", "bd", &d), -1);
	assert_int_equal(jconf_date(&jc, s, "s", "nd", &d), -1);
	const char *str = NULL;
	assert_int_equal(jconf_string(&jc, s, "s", "str", &str), 0);
	assert_string_equal(str, "x");
	assert_int_equal(jconf_string(&jc, s, "s", "n", &str), -1);
	int64_t bp = 0;
	assert_int_equal(jconf_percent_bp(&jc, s, "s", "p", 0, 100, &bp), 0);
	assert_int_equal(bp, 725);
	assert_int_equal(jconf_percent_bp(&jc, s, "s", "i", 0, 100, &bp), 0);
	assert_int_equal(bp, 500);
	assert_int_equal(jconf_percent_bp(&jc, s, "s", "p3", 0, 100, &bp), -1);
	assert_int_equal(jconf_percent_bp(&jc, s, "s", "pn", 0, 100, &bp), -1);
	assert_int_equal(jconf_percent_bp(&jc, s, "s", "ph", 0, 100, &bp), -1);
	assert_int_equal(bp, 500);
	assert_int_equal(jc.nerrors, 10);
	assert_string_equal(
		jc.errors,
		"g.json:2:18: s.big: found 500; expected an integer from 0 to 10\n"
		"g.json:2:30: s.str: found a string; expected an integer from 0 to 10\n"
		"g.json:5:19: s.r: found a decimal number; expected an integer from 0 to 10\n"
		"g.json:3:9: s.nb: found an integer; expected true or false\n"
		"g.json:3:37: s.bd: found \"2026-02-29\"; expected a date YYYY-MM-DD\n"
		"g.json:4:9: s.nd: found an integer; expected a date \"YYYY-MM-DD\"\n"
		"g.json:5:29: s.n: found null; expected a string\n"
		"g.json:4:36: s.p3: found 7.125; expected at most two decimals\n"
		"g.json:4:49: s.pn: found a string; expected a percentage from 0 to 100\n"
		"g.json:5:9: s.ph: found 101; expected a percentage from 0 to 100\n");
	jconf_free(&jc);
}

static void test_only_keys_and_expect_object(void **state)
{
	(void)state;
	struct jconf jc;
	assert_int_equal(jconf_open_text(&jc, "k.json", "{\"a\": 1, \"zz\": 2, \"o\": [1]}"), 0);
	static const char *const allowed[] = {"a", "o", NULL};
	assert_int_equal(jconf_only_keys(&jc, jc.root, "", allowed), 1);
	assert_int_equal(jconf_expect_object(&jc, jc.root, ""), 0);
	assert_int_equal(jconf_expect_object(&jc, json_object_get(jc.root, "o"), "o"), -1);
	assert_int_equal(jconf_expect_object(&jc, NULL, "missing"), -1);
	assert_string_equal(jc.errors,
			    "k.json:1:16: zz: unknown key; expected one of: a, o\n"
			    "k.json:1:24: o: found an array; expected an object\n"
			    "k.json:1:1: missing: found nothing; expected an object\n");
	jconf_free(&jc);
}

static void test_errors_capped(void **state)
{
	(void)state;
	struct jconf jc;
	assert_int_equal(jconf_open_text(&jc, "c.json", "{}"), 0);
	for (int i = 0; i < JCONF_MAX_ERRORS + 5; i++)
		jconf_error(&jc, "", "error %d", i);
	assert_int_equal(jc.nerrors, JCONF_MAX_ERRORS + 5);
	int lines = 0;
	for (const char *p = jc.errors; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, JCONF_MAX_ERRORS + 1);
	assert_non_null(strstr(jc.errors, "c.json:1:1: (document): error 31\n"));
	assert_non_null(strstr(jc.errors, "(more errors follow; fix these first)\n"));
	assert_null(strstr(jc.errors, "error 32"));
	jconf_free(&jc);
}

static void test_path_helpers(void **state)
{
	(void)state;
	char buf[64];
	assert_string_equal(jconf_path_key(buf, sizeof buf, "", "rules"), "rules");
	assert_string_equal(jconf_path_key(buf, sizeof buf, "rules", "lrv"), "rules.lrv");
	assert_string_equal(jconf_path_index(buf, sizeof buf, "holidays", 2), "holidays[2]");
	assert_string_equal(jconf_path_index(buf, sizeof buf, "a[1]", 0), "a[1][0]");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_locate_nested_paths),
		cmocka_unit_test(test_locate_leading_whitespace_and_crlf),
		cmocka_unit_test(test_syntax_error_position),
		cmocka_unit_test(test_open_missing_file),
		cmocka_unit_test(test_open_file),
		cmocka_unit_test(test_getters_and_messages),
		cmocka_unit_test(test_only_keys_and_expect_object),
		cmocka_unit_test(test_errors_capped),
		cmocka_unit_test(test_path_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
