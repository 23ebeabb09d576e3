/*
 * util: the checksum and hashes have published check values.
 */
#include "testutil.h"

#include "util.h"

#include <string.h>

static void test_crc32_check_values(void **state)
{
	(void)state;
	/* the standard check value of CRC-32/ISO-HDLC */
	assert_int_equal(crc32_ieee("123456789", 9), 0xcbf43926u);
	assert_int_equal(crc32_ieee("", 0), 0);
	/* every length around the 8-byte step gives the byte-at-a-time result */
	unsigned char buf[40];
	for (int i = 0; i < 40; i++)
		buf[i] = (unsigned char)(i * 37 + 11);
	for (size_t len = 0; len <= sizeof buf; len++) {
		uint32_t crc = 0xffffffffu;
		for (size_t k = 0; k < len; k++) {
			crc ^= buf[k];
			for (int b = 0; b < 8; b++)
				crc = (crc & 1) ? 0xedb88320u ^ (crc >> 1) : crc >> 1;
		}
		assert_int_equal(crc32_ieee(buf, len), crc ^ 0xffffffffu);
	}
}

static void test_fnv_check_values(void **state)
{
	(void)state;
	/* FNV-1a reference values */
	assert_int_equal(fnv1a32(""), 0x811c9dc5u);
	assert_int_equal(fnv1a32("a"), 0xe40c292cu);
	assert_true(fnv1a64(FNV1A64_INIT, "a", 1) == 0xaf63dc4c8601ec8cULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32_check_values),
		cmocka_unit_test(test_fnv_check_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
