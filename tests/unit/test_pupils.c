/*
 * test_pupils: the pupil table: lookups over many keys, insertion order,
 * and entries that survive the table's growth.
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_table),
		cmocka_unit_test(test_insert_and_find_many),
		cmocka_unit_test(test_insertion_order),
		cmocka_unit_test(test_state_survives_growth),
		cmocka_unit_test(test_long_and_unusual_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
