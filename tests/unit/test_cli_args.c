/*
 * The CLI's argument checks (cli/args.c): a bad value is refused with a
 * message naming the option, the value and what is expected.
 */
#include "testutil.h"

#include "args.h"
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static void test_int_arg(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	int v = -7;
	assert_int_equal(cli_int_arg(f, "status", "--wait", "60", 0, 86400, &v), 0);
	assert_int_equal(v, 60);
	assert_int_equal(cli_int_arg(f, "status", "--wait", "0", 0, 86400, &v), 0);
	assert_int_equal(v, 0);
	fflush(f);
	assert_int_equal(len, 0);
	const char *bad[] = {"", "abc", "12abc", "-1", "86401", "99999999999999999999", " 5x"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		v = 42;
		assert_int_equal(cli_int_arg(f, "status", "--wait", bad[i], 0, 86400, &v), -1);
		assert_int_equal(v, 42); /* untouched */
	}
	fclose(f);
	assert_non_null(strstr(buf, "vroegsignaal status: --wait: expected a whole number from 0 to 86400, not 'abc'\n"));
	assert_non_null(strstr(buf, "not '86401'"));
	free(buf);
}

static void test_choice_arg(void **state)
{
	(void)state;
	static const char *const states[] = {"open", "overdue", "acked", "all", NULL};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(cli_choice_arg(f, "tasks", "--state", "overdue", states), 0);
	assert_int_equal(cli_choice_arg(f, "tasks", "--state", "bogus", states), -1);
	assert_int_equal(cli_choice_arg(f, "tasks", "--state", "Open", states), -1);
	assert_int_equal(cli_choice_arg(NULL, "tasks", "--state", "", states), -1);
	fclose(f);
	assert_string_equal(buf, "vroegsignaal tasks: --state: 'bogus' is not one of open, overdue, acked, all\n"
				 "vroegsignaal tasks: --state: 'Open' is not one of open, overdue, acked, all\n");
	free(buf);
}

static void test_usage_error(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(cli_usage_error(f, "ack", "--partner is required"), EXIT_USAGE);
	fclose(f);
	assert_string_equal(buf, "vroegsignaal ack: --partner is required\n"
				 "'vroegsignaal ack --help' describes the command.\n");
	assert_int_equal(EXIT_USAGE, 2);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_int_arg),
		cmocka_unit_test(test_choice_arg),
		cmocka_unit_test(test_usage_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
