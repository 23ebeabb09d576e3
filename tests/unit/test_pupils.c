/*
 * test_pupils: the pupil table: lookups over many keys, insertion order,
 * and entries that survive the table's growth; the wake queue against a
 * plain model of it.
 */
#include "testutil.h"

#include "pupils.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_KEYS 5000

static void key_of(int i, char *buf, size_t cap)
{
	/* similar keys, to exercise probing */
	snprintf(buf, cap, "pupil-%05d", (i * 7919) % 100000);
}

static void test_empty_table(void **state)
{
	(void)state;
	struct pupil_table t;
	pupil_table_init(&t);
	assert_null(pupil_table_find(&t, "x"));
	assert_null(pupil_table_find(&t, ""));
	assert_int_equal(t.n, 0);
	pupil_table_free(&t);
	pupil_table_free(&t); /* freeing twice is harmless */
}

static void test_insert_and_find_many(void **state)
{
	(void)state;
	struct pupil_table t;
	pupil_table_init(&t);
	int32_t yf = tu_date("2026-08-17");
	char key[32];
	for (int i = 0; i < N_KEYS; i++) {
		key_of(i, key, sizeof key);
		assert_null(pupil_table_find(&t, key));
		struct pupil_entry *e = pupil_table_get(&t, key, yf);
		assert_non_null(e);
		assert_string_equal(e->student, key);
		assert_ptr_not_equal(e->student, key); /* copied */
		assert_int_equal(e->st.base, yf);
		assert_int_equal(e->st.enrol, DATE_NONE);
		assert_int_equal(e->st.nregs, 0);
		e->st.enrol = i; /* a tag to recognise the entry by */
		assert_int_equal(t.n, (size_t)i + 1);
	}
	/* every key found, with its own state */
	for (int i = 0; i < N_KEYS; i++) {
		key_of(i, key, sizeof key);
		struct pupil_entry *e = pupil_table_find(&t, key);
		assert_non_null(e);
		assert_string_equal(e->student, key);
		assert_int_equal(e->st.enrol, i);
	}
	/* get on an existing key returns it and creates nothing */
	key_of(1234, key, sizeof key);
	struct pupil_entry *e = pupil_table_get(&t, key, yf + 365);
	assert_int_equal(e->st.enrol, 1234);
	assert_int_equal(e->st.base, yf);
	assert_int_equal(t.n, N_KEYS);
	/* keys never inserted */
	assert_null(pupil_table_find(&t, "pupil-"));
	assert_null(pupil_table_find(&t, "pupil-000000"));
	assert_null(pupil_table_find(&t, "PUPIL-00000"));
	assert_null(pupil_table_find(&t, ""));
	/* the table stays at most half full */
	assert_true(t.nslots >= 2 * t.n);
	assert_int_equal(t.nslots & (t.nslots - 1), 0);
	assert_true(pupil_table_memory(&t) > 0);
	pupil_table_free(&t);
	assert_int_equal(t.n, 0);
	assert_null(t.v);
}

static void test_insertion_order(void **state)
{
	(void)state;
	struct pupil_table t;
	pupil_table_init(&t);
	char key[32];
	for (int i = 0; i < N_KEYS; i++) {
		key_of(i, key, sizeof key);
		pupil_table_get(&t, key, 0);
		/* re-getting older keys does not reorder */
		if (i % 10 == 9) {
			key_of(i / 2, key, sizeof key);
			pupil_table_get(&t, key, 0);
		}
	}
	assert_int_equal(t.n, N_KEYS);
	for (size_t i = 0; i < t.n; i++) {
		key_of((int)i, key, sizeof key);
		assert_string_equal(t.v[i].student, key);
	}
	pupil_table_free(&t);
}

static void test_state_survives_growth(void **state)
{
	struct school_years *cal = tu_noord_years();
	(void)state;
	struct pupil_table t;
	pupil_table_init(&t);
	int32_t yf = tu_date("2026-08-17");
	struct pupil_entry *first = pupil_table_get(&t, "first", yf);
	struct registration r = tu_reg(cal, "student=first kind=sick date=2026-09-01");
	assert_true(pupil_state_apply(&first->st, &r, "luxe"));
	pupil_mark_add(&first->st, 1, 2, 3);
	/* grow the dense array and the slots several times */
	char key[32];
	size_t cap_before = t.cap, slots_before = t.nslots;
	for (int i = 0; i < 3 * N_KEYS; i++) {
		snprintf(key, sizeof key, "k%d", i);
		struct pupil_entry *e = pupil_table_get(&t, key, yf);
		if (i % 97 == 0) {
			struct registration x = tu_reg(cal, "student=k kind=late minutes=5 "
							    "date=2026-09-02");
			pupil_state_apply(&e->st, &x, "luxe");
		}
	}
	assert_true(t.cap > cap_before);
	assert_true(t.nslots > slots_before);
	/* the entry may have moved: find it again; its state is intact */
	struct pupil_entry *again = pupil_table_find(&t, "first");
	assert_non_null(again);
	assert_ptr_equal(again, &t.v[0]);
	assert_string_equal(again->student, "first");
	assert_int_equal(again->st.nregs, 1);
	assert_int_equal(again->st.regs[0].kind, DR_SICK);
	assert_int_equal(again->st.regs[0].day, 15);
	assert_true(pupil_mark_on(&again->st, 1, 2, 3));
	for (int i = 0; i < 3 * N_KEYS; i++) {
		snprintf(key, sizeof key, "k%d", i);
		struct pupil_entry *e = pupil_table_find(&t, key);
		assert_non_null(e);
		assert_ptr_equal(e, &t.v[i + 1]);
		assert_int_equal(e->st.nregs, i % 97 == 0 ? 1 : 0);
	}
	/* the pointer is stable while nothing is inserted */
	struct pupil_entry *p = pupil_table_find(&t, "k77");
	assert_ptr_equal(pupil_table_get(&t, "k77", yf), p);
	assert_ptr_equal(pupil_table_find(&t, "k77"), p);
	pupil_table_free(&t);
	school_years_free(cal);
}

static void test_long_and_unusual_keys(void **state)
{
	(void)state;
	struct pupil_table t;
	pupil_table_init(&t);
	char long_key[65];
	memset(long_key, 'a', 64);
	long_key[64] = '\0';
	pupil_table_get(&t, long_key, 0);
	pupil_table_get(&t, "a", 0);
	pupil_table_get(&t, "a:b.c-d_e", 0);
	long_key[63] = 'b';
	assert_null(pupil_table_find(&t, long_key));
	long_key[63] = 'a';
	assert_non_null(pupil_table_find(&t, long_key));
	assert_non_null(pupil_table_find(&t, "a:b.c-d_e"));
	assert_null(pupil_table_find(&t, "a:b.c-d_"));
	assert_int_equal(t.n, 3);
	pupil_table_free(&t);
}

/* A key longer than the key arena's blocks gets a block of its own, and
 * the keys before and after it stay readable. */
static void test_key_longer_than_a_block(void **state)
{
	(void)state;
	struct pupil_table t;
	pupil_table_init(&t);
	size_t len = 200 * 1024;
	char *big = malloc(len + 1);
	assert_non_null(big);
	memset(big, 'k', len);
	big[len] = '\0';
	pupil_table_get(&t, "before", 0);
	pupil_table_get(&t, big, 0);
	pupil_table_get(&t, "after", 0);
	assert_string_equal(pupil_table_find(&t, "before")->student, "before");
	assert_string_equal(pupil_table_find(&t, big)->student, big);
	assert_string_equal(pupil_table_find(&t, "after")->student, "after");
	big[len - 1] = 'x';
	assert_null(pupil_table_find(&t, big));
	assert_true(pupil_table_memory(&t) > len);
	free(big);
	pupil_table_free(&t);
}

static void expect_take(struct pupil_wakeq *q, int32_t day, const uint32_t *want, size_t nwant)
{
	const uint32_t *got;
	size_t n = pupil_wakeq_take(q, day, &got);
	assert_int_equal(n, nwant);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(got[i], want[i]);
}

static void test_wakeq_basics(void **state)
{
	(void)state;
	struct pupil_wakeq q;
	pupil_wakeq_init(&q);
	/* the first take also returns pupils queued for earlier days */
	pupil_wakeq_push(&q, 3, 50);
	expect_take(&q, 60, (const uint32_t[]){3}, 1);
	expect_take(&q, 100, NULL, 0);
	/* taken in index order, whatever the order of the pushes */
	pupil_wakeq_push(&q, 5, 110);
	pupil_wakeq_push(&q, 2, 110);
	pupil_wakeq_push(&q, 9, 111);
	pupil_wakeq_push(&q, 3000, 110); /* grows the per-pupil array */
	pupil_wakeq_push(&q, 4, INT32_MAX); /* never */
	for (int32_t d = 101; d < 110; d++)
		expect_take(&q, d, NULL, 0);
	expect_take(&q, 110, (const uint32_t[]){2, 5, 3000}, 3);
	expect_take(&q, 111, (const uint32_t[]){9}, 1);
	/* an earlier day moves the pupil; a later one leaves it */
	pupil_wakeq_push(&q, 1, 130);
	pupil_wakeq_push(&q, 1, 120);
	pupil_wakeq_push(&q, 1, 125);
	for (int32_t d = 112; d < 120; d++)
		expect_take(&q, d, NULL, 0);
	expect_take(&q, 120, (const uint32_t[]){1}, 1);
	/* queued again for the day of its stale entry: taken once */
	pupil_wakeq_push(&q, 1, 130);
	for (int32_t d = 121; d < 130; d++)
		expect_take(&q, d, NULL, 0);
	expect_take(&q, 130, (const uint32_t[]){1}, 1);
	/* a day already taken counts for the next one */
	pupil_wakeq_push(&q, 7, 100);
	expect_take(&q, 131, (const uint32_t[]){7}, 1);
	/* days skipped by the taker: their pupils come with the next take */
	pupil_wakeq_push(&q, 8, 140);
	pupil_wakeq_push(&q, 6, 150);
	pupil_wakeq_push(&q, 11, 151);
	expect_take(&q, 150, (const uint32_t[]){6, 8}, 2);
	/* further ahead than the ring of buckets, and a gap longer than it */
	pupil_wakeq_push(&q, 12, 151 + 3 * PUPIL_WAKEQ_DAYS);
	expect_take(&q, 151, (const uint32_t[]){11}, 1);
	for (int32_t d = 152; d < 151 + 3 * PUPIL_WAKEQ_DAYS; d++)
		expect_take(&q, d, NULL, 0);
	expect_take(&q, 151 + 3 * PUPIL_WAKEQ_DAYS, (const uint32_t[]){12}, 1);
	pupil_wakeq_push(&q, 13, 2000);
	pupil_wakeq_push(&q, 14, 2000 + PUPIL_WAKEQ_DAYS / 2);
	expect_take(&q, 5000, (const uint32_t[]){13, 14}, 2);
	pupil_wakeq_free(&q);
	pupil_wakeq_free(&q); /* freeing twice is harmless */
}

/* Random pushes and daily takes against a model: an array of the day each
 * pupil is queued for. */
static void test_wakeq_against_model(void **state)
{
	(void)state;
	enum { PUPILS = 300, DAYS = 2000 };
	static int32_t model[PUPILS];
	struct pupil_wakeq q;
	pupil_wakeq_init(&q);
	for (int i = 0; i < PUPILS; i++)
		model[i] = INT32_MAX;
	srand(15);
	uint32_t want[PUPILS];
	for (int32_t day = 1; day <= DAYS; day++) {
		int pushes = rand() % 40;
		for (int k = 0; k < pushes; k++) {
			uint32_t idx = (uint32_t)(rand() % PUPILS);
			/* mostly near, sometimes beyond the ring, sometimes in the past */
			int32_t ahead = rand() % 10 == 0 ? rand() % (2 * PUPIL_WAKEQ_DAYS)
							 : rand() % 30 - 3;
			int32_t d = day + ahead;
			pupil_wakeq_push(&q, idx, d);
			if (d < day)
				d = day;
			if (d < model[idx])
				model[idx] = d;
		}
		size_t nwant = 0;
		for (uint32_t i = 0; i < PUPILS; i++)
			if (model[i] <= day) {
				want[nwant++] = i;
				model[i] = INT32_MAX;
			}
		expect_take(&q, day, want, nwant);
	}
	pupil_wakeq_free(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_table),
		cmocka_unit_test(test_insert_and_find_many),
		cmocka_unit_test(test_insertion_order),
		cmocka_unit_test(test_state_survives_growth),
		cmocka_unit_test(test_long_and_unusual_keys),
		cmocka_unit_test(test_key_longer_than_a_block),
		cmocka_unit_test(test_wakeq_basics),
		cmocka_unit_test(test_wakeq_against_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
