/*
 * caseguess and caseid (daemon/caseguess.c, store/caseid.c): the id a new
 * case gets is the script's (a SHA-1 vector computed with sha1sum), and the
 * guesses of what the case index names are found again, replaced, forgotten
 * and cleared; no pupil key is kept in the table.
 */
#include "testutil.h"

#include "caseguess.h"
#include "caseid.h"

#include <stdio.h>
#include <string.h>

static void test_the_new_case_id_is_the_scripts(void **state)
{
	(void)state;
	char id[CASE_ID_MAX];
	/* printf 'case|T1|p1' | sha1sum: dad4044b704ee245... */
	case_new_id("T1", "p1", id);
	assert_string_equal(id, "vsdad4044b704ee245");
	case_new_id("vs01", "school", id);
	assert_string_equal(id, "vsa2c39a6914ff953b");
	assert_int_equal(strlen(id), CASE_ID_MAX - 1);
}

static void test_a_guess_is_found_again(void **state)
{
	(void)state;
	struct case_guesses g = {0};
	uint64_t k = case_guess_key("school", "a1", "health");
	assert_string_equal(case_guess_get(&g, k), ""); /* nothing allocated yet */
	case_guess_put(&g, k, ""); /* forgetting allocates nothing */
	assert_null(g.slot);
	case_guess_put(&g, k, "vs1");
	assert_string_equal(case_guess_get(&g, k), "vs1");
	case_guess_put(&g, k, "vs2");
	assert_string_equal(case_guess_get(&g, k), "vs2");
	/* other partners, pupils and topics are other guesses */
	assert_string_equal(case_guess_get(&g, case_guess_key("swv", "a1", "health")), "");
	assert_string_equal(case_guess_get(&g, case_guess_key("school", "a2", "health")), "");
	assert_string_equal(case_guess_get(&g, case_guess_key("school", "a1", "attendance")), "");
	/* the names are separated: ("school", "a1h") is not ("school", "a1", "h") */
	assert_true(case_guess_key("school", "a1", "h") != case_guess_key("school", "a1h", ""));
	case_guess_put(&g, k, "");
	assert_string_equal(case_guess_get(&g, k), "");
	case_guess_put(&g, k, "vs3");
	case_guess_clear(&g);
	assert_string_equal(case_guess_get(&g, k), "");
	case_guess_free(&g);
	assert_null(g.slot);
}

/* An id longer than a slot holds is not kept, and does not leave the one
 * before it either (it would be a wrong guess). */
static void test_a_long_id_is_not_kept(void **state)
{
	(void)state;
	struct case_guesses g = {0};
	uint64_t k = case_guess_key("school", "a1", "health");
	case_guess_put(&g, k, "vs1");
	char longid[64];
	memset(longid, 'x', sizeof longid - 1);
	longid[sizeof longid - 1] = '\0';
	case_guess_put(&g, k, longid);
	assert_string_equal(case_guess_get(&g, k), "");
	case_guess_free(&g);
}

/* Many guesses: each is found or (its bucket full of later ones) unknown,
 * never another's id; nearly all of 10,000 stay in 32,768 slots. */
static void test_guesses_never_answer_for_another(void **state)
{
	(void)state;
	struct case_guesses g = {0};
	enum { N = 10000 };
	for (int i = 0; i < N; i++) {
		char s[16], id[16];
		snprintf(s, sizeof s, "p%05d", i);
		snprintf(id, sizeof id, "vs%05d", i);
		case_guess_put(&g, case_guess_key("school", s, "health"), id);
	}
	int found = 0;
	for (int i = 0; i < N; i++) {
		char s[16], id[16];
		snprintf(s, sizeof s, "p%05d", i);
		snprintf(id, sizeof id, "vs%05d", i);
		const char *got = case_guess_get(&g, case_guess_key("school", s, "health"));
		if (*got) {
			assert_string_equal(got, id);
			found++;
		}
	}
	/* a direct-mapped table of 32,768 kept about 86 % of 10,000 */
	assert_true(found > N * 99 / 100);
	/* no pupil key in the table */
	const char *bytes = (const char *)g.slot;
	size_t n = CASE_GUESS_SLOTS * sizeof *g.slot;
	for (size_t i = 0; i + 6 <= n; i++)
		assert_false(memcmp(bytes + i, "p00042", 6) == 0);
	case_guess_free(&g);
}

/* Five guesses of one bucket: the least recently put one goes; putting one
 * again makes it the most recent; forgetting one leaves the others. */
static void test_a_full_bucket_drops_the_oldest(void **state)
{
	(void)state;
	struct case_guesses g = {0};
	uint64_t k[CASE_GUESS_WAYS + 1];
	int n = 0;
	uint64_t want = case_guess_key("school", "p0", "health") & (CASE_GUESS_SLOTS / CASE_GUESS_WAYS - 1);
	for (int i = 0; n <= CASE_GUESS_WAYS && i < 10000000; i++) {
		char s[16];
		snprintf(s, sizeof s, "p%d", i);
		uint64_t key = case_guess_key("school", s, "health");
		if ((key & (CASE_GUESS_SLOTS / CASE_GUESS_WAYS - 1)) == want)
			k[n++] = key;
	}
	assert_int_equal(n, CASE_GUESS_WAYS + 1);
	case_guess_put(&g, k[0], "vs0");
	case_guess_put(&g, k[1], "vs1");
	case_guess_put(&g, k[2], "vs2");
	case_guess_put(&g, k[3], "vs3");
	case_guess_put(&g, k[0], "vs0b"); /* k[1] is now the least recent */
	case_guess_put(&g, k[4], "vs4");
	assert_string_equal(case_guess_get(&g, k[1]), "");
	assert_string_equal(case_guess_get(&g, k[0]), "vs0b");
	assert_string_equal(case_guess_get(&g, k[2]), "vs2");
	assert_string_equal(case_guess_get(&g, k[3]), "vs3");
	assert_string_equal(case_guess_get(&g, k[4]), "vs4");
	case_guess_put(&g, k[1], ""); /* not there: nothing goes */
	assert_string_equal(case_guess_get(&g, k[0]), "vs0b");
	assert_string_equal(case_guess_get(&g, k[2]), "vs2");
	assert_string_equal(case_guess_get(&g, k[3]), "vs3");
	assert_string_equal(case_guess_get(&g, k[4]), "vs4");
	case_guess_put(&g, k[2], "");
	assert_string_equal(case_guess_get(&g, k[2]), "");
	assert_string_equal(case_guess_get(&g, k[0]), "vs0b");
	assert_string_equal(case_guess_get(&g, k[3]), "vs3");
	assert_string_equal(case_guess_get(&g, k[4]), "vs4");
	case_guess_put(&g, k[1], "vs1b"); /* room again: nothing else goes */
	assert_string_equal(case_guess_get(&g, k[1]), "vs1b");
	assert_string_equal(case_guess_get(&g, k[0]), "vs0b");
	assert_string_equal(case_guess_get(&g, k[3]), "vs3");
	assert_string_equal(case_guess_get(&g, k[4]), "vs4");
	case_guess_free(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_new_case_id_is_the_scripts),
		cmocka_unit_test(test_a_guess_is_found_again),
		cmocka_unit_test(test_a_long_id_is_not_kept),
		cmocka_unit_test(test_guesses_never_answer_for_another),
		cmocka_unit_test(test_a_full_bucket_drops_the_oldest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
