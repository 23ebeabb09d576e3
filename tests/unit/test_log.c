/*
 * daemon/log.c: journald priority prefixes only where journald or a file
 * reads stderr, not on an operator's terminal.
 */
#include "testutil.h"

#include "log.h"

static void test_prefix_choice(void **state)
{
	(void)state;
	/* a file or a pipe (the unit's stderr without journald, a test log) */
	assert_true(log_wants_prefix(false, NULL));
	assert_true(log_wants_prefix(false, "8:1234"));
	/* a terminal: no "<3>" */
	assert_false(log_wants_prefix(true, NULL));
	assert_false(log_wants_prefix(true, ""));
	/* systemd connected stderr to journald (JOURNAL_STREAM set) */
	assert_true(log_wants_prefix(true, "8:1234"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix_choice),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
