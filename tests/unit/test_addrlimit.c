/*
 * Unit tests of addrlimit, the per-address limit on the partner API's
 * failed requests: a bucket per address that refills over time, IPv6 per
 * /64, and a table that does not grow with the number of addresses.
 */
#include "testutil.h"

#include "addrlimit.h"

#include <stdio.h>

static void test_burst_then_refill(void **state)
{
	(void)state;
	struct addrlimit *l = addrlimit_new(64, 1, 3);
	int64_t t = 1000000;
	assert_false(addrlimit_blocked(l, "192.0.2.1", t));
	for (int i = 0; i < 3; i++) {
		assert_false(addrlimit_blocked(l, "192.0.2.1", t));
		addrlimit_charge(l, "192.0.2.1", t);
	}
	assert_true(addrlimit_blocked(l, "192.0.2.1", t));
	assert_true(addrlimit_blocked(l, "192.0.2.1", t + 999));
	/* another address has its own bucket */
	assert_false(addrlimit_blocked(l, "192.0.2.2", t));
	/* one token a second comes back */
	assert_false(addrlimit_blocked(l, "192.0.2.1", t + 1000));
	addrlimit_charge(l, "192.0.2.1", t + 1000);
	assert_true(addrlimit_blocked(l, "192.0.2.1", t + 1000));
	/* never more than the burst */
	assert_false(addrlimit_blocked(l, "192.0.2.1", t + 100000));
	for (int i = 0; i < 3; i++)
		addrlimit_charge(l, "192.0.2.1", t + 100000);
	assert_true(addrlimit_blocked(l, "192.0.2.1", t + 100000));
	addrlimit_free(l);
}

static void test_address_forms(void **state)
{
	(void)state;
	struct addrlimit *l = addrlimit_new(64, 1, 1);
	int64_t t = 5000;
	/* an IPv6 /64 is one client */
	addrlimit_charge(l, "2001:db8:1:2::1", t);
	assert_true(addrlimit_blocked(l, "2001:db8:1:2::ffff", t));
	assert_true(addrlimit_blocked(l, "2001:db8:1:2:aaaa:bbbb:cccc:dddd", t));
	assert_false(addrlimit_blocked(l, "2001:db8:1:3::1", t));
	/* an IPv4-mapped IPv6 address is the IPv4 address */
	addrlimit_charge(l, "::ffff:198.51.100.7", t);
	assert_true(addrlimit_blocked(l, "198.51.100.7", t));
	assert_false(addrlimit_blocked(l, "198.51.100.8", t));
	/* what is no address shares one bucket */
	addrlimit_charge(l, "", t);
	assert_true(addrlimit_blocked(l, "not an address", t));
	addrlimit_free(l);
}

static void test_many_addresses(void **state)
{
	(void)state;
	/* 16 slots, 10000 addresses: the table keeps its size and the most
	 * recently limited address is still limited */
	struct addrlimit *l = addrlimit_new(16, 1, 1);
	char a[32];
	for (int i = 0; i < 10000; i++) {
		snprintf(a, sizeof a, "10.%d.%d.%d", i >> 16 & 255, i >> 8 & 255, i & 255);
		addrlimit_charge(l, a, 1000);
		assert_true(addrlimit_blocked(l, a, 1000));
	}
	addrlimit_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_then_refill),
		cmocka_unit_test(test_address_forms),
		cmocka_unit_test(test_many_addresses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
