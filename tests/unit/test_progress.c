/*
 * progress: when a partition worker counts as stalled, when it is restarted
 * again, and when the process stops being healthy (daemon/progress.h).
 */
#include "testutil.h"

#include "progress.h"

#define STALL 1000

static void test_unwatched_never_stalls(void **state)
{
	(void)state;
	struct progress pr;
	progress_init(&pr);
	for (int64_t t = 0; t < 10 * STALL; t += 100) {
		assert_int_equal(progress_check(&pr, false, t, STALL), PROGRESS_OK);
		assert_true(progress_healthy(&pr, t, STALL));
	}
	assert_false(pr.stalled);
}

static void test_progress_keeps_it_ok(void **state)
{
	(void)state;
	struct progress pr;
	progress_init(&pr);
	/* a commit or an empty read every 900 ms: never stalled */
	for (int64_t t = 5000; t < 5000 + 20 * STALL; t += 100) {
		if (t % 900 == 0)
			assert_false(progress_made(&pr, t));
		assert_int_equal(progress_check(&pr, true, t, STALL), PROGRESS_OK);
		assert_true(progress_healthy(&pr, t, STALL));
	}
}

static void test_the_clock_starts_when_watched(void **state)
{
	(void)state;
	struct progress pr;
	progress_init(&pr);
	/* progress long ago, then unwatched (no lease, Redis away): taking
	 * the lease again gives a full stall_ms before a verdict */
	progress_made(&pr, 0);
	assert_int_equal(progress_check(&pr, false, 50000, STALL), PROGRESS_OK);
	assert_int_equal(progress_check(&pr, true, 60000, STALL), PROGRESS_OK);
	assert_int_equal(progress_check(&pr, true, 60000 + STALL - 1, STALL), PROGRESS_OK);
	assert_int_equal(progress_check(&pr, true, 60000 + STALL, STALL), PROGRESS_STALLED);
}

static void test_stall_reported_once_then_restarts(void **state)
{
	(void)state;
	struct progress pr;
	progress_init(&pr);
	assert_int_equal(progress_check(&pr, true, 0, STALL), PROGRESS_OK);
	assert_int_equal(progress_check(&pr, true, 999, STALL), PROGRESS_OK);
	assert_false(pr.stalled);
	assert_int_equal(progress_check(&pr, true, 1000, STALL), PROGRESS_STALLED);
	assert_true(pr.stalled);
	/* checked every 100 ms: no second report, a restart every stall_ms */
	int stalled = 0, restarts = 0;
	for (int64_t t = 1100; t <= 5000; t += 100) {
		enum progress_verdict v = progress_check(&pr, true, t, STALL);
		stalled += v == PROGRESS_STALLED;
		restarts += v == PROGRESS_RESTART;
		assert_true(v == PROGRESS_WAITING || v == PROGRESS_RESTART);
	}
	assert_int_equal(stalled, 0);
	assert_int_equal(restarts, 4); /* at 2000, 3000, 4000, 5000 */
	/* progress ends the stall, and says so once */
	assert_true(progress_made(&pr, 5050));
	assert_false(pr.stalled);
	assert_false(progress_made(&pr, 5060));
	assert_int_equal(progress_check(&pr, true, 5100, STALL), PROGRESS_OK);
}

static void test_health_allows_one_restart(void **state)
{
	(void)state;
	struct progress pr;
	progress_init(&pr);
	progress_check(&pr, true, 0, STALL);
	assert_true(progress_healthy(&pr, 1000, STALL)); /* stalled, restart under way */
	assert_true(progress_healthy(&pr, 1999, STALL));
	assert_false(progress_healthy(&pr, 2000, STALL)); /* the restart did not cure it */
	progress_made(&pr, 2500);
	assert_true(progress_healthy(&pr, 2600, STALL));
	/* a worker nobody expects anything of is healthy */
	progress_check(&pr, false, 9000, STALL);
	assert_true(progress_healthy(&pr, 9000, STALL));
}

static void test_losing_the_lease_ends_a_stall(void **state)
{
	(void)state;
	struct progress pr;
	progress_init(&pr);
	progress_check(&pr, true, 0, STALL);
	assert_int_equal(progress_check(&pr, true, 1500, STALL), PROGRESS_STALLED);
	assert_int_equal(progress_check(&pr, false, 1600, STALL), PROGRESS_OK);
	assert_false(pr.stalled);
	assert_true(progress_healthy(&pr, 99999, STALL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unwatched_never_stalls),
		cmocka_unit_test(test_progress_keeps_it_ok),
		cmocka_unit_test(test_the_clock_starts_when_watched),
		cmocka_unit_test(test_stall_reported_once_then_restarts),
		cmocka_unit_test(test_health_allows_one_restart),
		cmocka_unit_test(test_losing_the_lease_ends_a_stall),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
