/*
 * Unit tests of the partner token lookup's cost (issue 11, finding 4): a
 * presented token is hashed at most once per request whatever the number of
 * partners, never when it is malformed or too long, and it still finds the
 * right partner. The hashes are counted by wrapping libcrypto's EVP_Digest
 * (this executable links with -Wl,--wrap=EVP_Digest, tests/CMakeLists.txt).
 */
#include "signing.h"
#include "testutil.h"

#include "jsonconf.h"
#include "partners.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long digests;

int __real_EVP_Digest(const void *data, size_t count, unsigned char *md, unsigned int *size,
		      const EVP_MD *type, ENGINE *impl);
int __wrap_EVP_Digest(const void *data, size_t count, unsigned char *md, unsigned int *size,
		      const EVP_MD *type, ENGINE *impl);

int __wrap_EVP_Digest(const void *data, size_t count, unsigned char *md, unsigned int *size,
		      const EVP_MD *type, ENGINE *impl)
{
	digests++;
	return __real_EVP_Digest(data, count, md, size, type, impl);
}

#define NPARTNERS 300

/* A configuration of NPARTNERS partners, each with token "token-<i>-" and
 * padding to 24 characters. */
static struct partners_config *many_partners(struct jconf *jc)
{
	size_t cap = (size_t)NPARTNERS * 300 + 100, len = 0;
	char *text = malloc(cap);
	assert_non_null(text);
	len += (size_t)snprintf(text + len, cap - len, "{\"partners\": [");
	for (int i = 0; i < NPARTNERS; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"%s{\"id\": \"p%d\", \"role\": \"school\", \"schools\": [\"*\"], "
					"\"connector\": {\"type\": \"file\", \"path\": \"/tmp/vs-t.jsonl\"}, "
					"\"legal_basis\": \"x\", \"token\": \"token-%03d-abcdefghijklmnop\"}",
					i ? "," : "", i, i);
	snprintf(text + len, cap - len, "]}");
	assert_int_equal(jconf_open_text(jc, "p.json", text), 0);
	free(text);
	struct partners_config *pc = partners_load(jc);
	if (jc->nerrors)
		print_error("unexpected configuration errors:\n%s", jc->errors);
	assert_int_equal(jc->nerrors, 0);
	assert_int_equal(pc->npartners, NPARTNERS);
	return pc;
}

static void test_one_hash_per_lookup(void **state)
{
	(void)state;
	struct jconf jc;
	struct partners_config *pc = many_partners(&jc);

	digests = 0;
	const struct partner *p = partners_by_token(pc, "token-299-abcdefghijklmnop");
	assert_non_null(p);
	assert_string_equal(p->id, "p299");
	assert_int_equal(digests, 1);

	digests = 0;
	p = partners_by_token(pc, "token-000-abcdefghijklmnop");
	assert_non_null(p);
	assert_string_equal(p->id, "p0");
	assert_int_equal(digests, 1);

	/* an unknown token costs one hash too, not one per partner */
	digests = 0;
	assert_null(partners_by_token(pc, "token-300-abcdefghijklmnop"));
	assert_int_equal(digests, 1);

	partners_unref(pc);
	jconf_free(&jc);
}

static void test_malformed_tokens_are_not_hashed(void **state)
{
	(void)state;
	struct jconf jc;
	struct partners_config *pc = many_partners(&jc);
	char big[8193];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';

	digests = 0;
	assert_null(partners_by_token(pc, big));               /* 8 KB */
	big[PARTNER_TOKEN_MAX + 1] = '\0';
	assert_null(partners_by_token(pc, big));               /* one over the cap */
	assert_null(partners_by_token(pc, ""));
	assert_null(partners_by_token(pc, "token-001-abc defghijklmnop"));
	assert_null(partners_by_token(pc, "token-001-abc\tdefghijklmnop"));
	assert_null(partners_by_token(pc, "token-001-abc\x01" "defghijklmnop"));
	assert_null(partners_by_token(pc, "token-001-abc\x7f" "defghijklmnop"));
	assert_null(partners_by_token(pc, "token-001-abc\xc3\xa9" "defghijklmnop"));
	assert_int_equal(digests, 0);

	/* exactly at the cap is still a token (and is hashed once) */
	big[PARTNER_TOKEN_MAX] = '\0';
	assert_true(token_well_formed(big));
	assert_null(partners_by_token(pc, big));
	assert_int_equal(digests, 1);

	partners_unref(pc);
	jconf_free(&jc);
}

static void test_configured_token_must_be_well_formed(void **state)
{
	(void)state;
	struct jconf jc;
	assert_int_equal(jconf_open_text(&jc, "p.json",
					 "{\"partners\": [{\"id\": \"a\", \"role\": \"school\", "
					 "\"schools\": [\"*\"], \"connector\": {\"type\": \"file\", "
					 "\"path\": \"/tmp/vs-t.jsonl\"}, \"legal_basis\": \"x\", "
					 "\"token\": \"has a space in it 0123456789\"}]}"),
			 0);
	struct partners_config *pc = partners_load(&jc);
	assert_true(jc.nerrors > 0);
	assert_non_null(strstr(jc.errors, "printable ASCII"));
	partners_unref(pc);
	jconf_free(&jc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_hash_per_lookup),
		cmocka_unit_test(test_malformed_tokens_are_not_hashed),
		cmocka_unit_test(test_configured_token_must_be_well_formed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
