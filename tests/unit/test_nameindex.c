/*
 * nameindex (daemon/nameindex.c): items found by name, each once, among
 * more items than the index's minimum of 64 slots (so probes wrap and
 * collide); a name not added finds an empty slot.
 */
#include "testutil.h"

#include "nameindex.h"

#include <stdio.h>

#define N 1000

static char names[N][16];

static const char *name_of(const void *ctx, uint32_t i)
{
	return ((const char (*)[16])ctx)[i];
}

static void test_names_found_once(void **state)
{
	(void)state;
	struct name_index x;
	name_index_init(&x, N);
	assert_true(x.mask + 1 >= 2 * N);
	for (uint32_t i = 0; i < N; i++) {
		snprintf(names[i], sizeof names[i], "s%04u", i);
		size_t k = name_index_slot(&x, names[i], name_of, names);
		assert_int_equal(x.slot[k], 0); /* new */
		x.slot[k] = i + 1;
	}
	for (uint32_t i = 0; i < N; i++) {
		size_t k = name_index_slot(&x, names[i], name_of, names);
		assert_int_equal(x.slot[k], i + 1);
	}
	assert_int_equal(x.slot[name_index_slot(&x, "s9999", name_of, names)], 0);
	name_index_free(&x);
	assert_null(x.slot);
}

static void test_a_small_index_has_64_slots(void **state)
{
	(void)state;
	struct name_index x;
	name_index_init(&x, 1);
	assert_int_equal(x.mask, 63);
	snprintf(names[0], sizeof names[0], "a1");
	size_t k = name_index_slot(&x, "a1", name_of, names);
	x.slot[k] = 1;
	assert_int_equal(name_index_slot(&x, "a1", name_of, names), k);
	assert_int_equal(x.slot[name_index_slot(&x, "b1", name_of, names)], 0);
	name_index_free(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_found_once),
		cmocka_unit_test(test_a_small_index_has_64_slots),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
