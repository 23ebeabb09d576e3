/*
 * signing: API tokens (stored as SHA-256, compared in constant time) and
 * webhook signatures (HMAC-SHA256), with libcrypto (partners.h).
 */
#include "partners.h"

#include "signing.h"
#include "util.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void sha256(const void *data, size_t len, unsigned char out[32])
{
	unsigned int n = 32;
	EVP_Digest(data, len, out, &n, EVP_sha256(), NULL);
}

void token_hash_hex(const char *token, char out[65])
{
	unsigned char h[32];
	sha256(token, strlen(token), h);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
}

int token_sha256_parse(const char *hex, const char *token, unsigned char out[32])
{
	if (!hex) {
		sha256(token, strlen(token), out);
		return 0;
	}
	if (strlen(hex) != 64)
		return -1;
	for (int i = 0; i < 32; i++) {
		int hi = hex_nibble(hex[2 * i]), lo = hex_nibble(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

bool token_matches(const unsigned char want[32], const char *token)
{
	unsigned char h[32];
	sha256(token, strlen(token), h);
	return CRYPTO_memcmp(h, want, 32) == 0;
}

bool token_well_formed(const char *token)
{
	size_t n = 0;
	for (; token[n]; n++)
		if (n >= PARTNER_TOKEN_MAX || (unsigned char)token[n] < 0x21 ||
		    (unsigned char)token[n] > 0x7e)
			return false;
	return n > 0;
}

/* The presented token is hashed once, whatever the number of partners, and
 * only when it could be a token at all; the hash is then compared with every
 * partner's stored hash in constant time (no early exit), so neither the
 * CPU spent nor the time taken says which partner nearly matched. */
const struct partner *partners_by_token(const struct partners_config *pc, const char *token)
{
	if (!pc || !token_well_formed(token))
		return NULL;
	unsigned char h[32];
	sha256(token, strlen(token), h);
	const struct partner *found = NULL;
	for (int i = 0; i < pc->npartners; i++)
		if (CRYPTO_memcmp(h, pc->partners[i].token_sha256, 32) == 0 && pc->partners[i].has_token)
			found = &pc->partners[i];
	OPENSSL_cleanse(h, sizeof h);
	return found;
}

void webhook_signature(const char *secret, const char *timestamp, const char *body, size_t body_len,
		       char *out, size_t cap)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	size_t tlen = strlen(timestamp);
	unsigned char *msg = xmalloc(tlen + 1 + body_len);
	memcpy(msg, timestamp, tlen);
	msg[tlen] = '.';
	memcpy(msg + tlen + 1, body, body_len);
	HMAC(EVP_sha256(), secret, (int)strlen(secret), msg, tlen + 1 + body_len, mac, &maclen);
	free(msg);
	size_t len = str_copy(out, "sha256=", cap);
	for (unsigned i = 0; i < maclen && len + 3 <= cap; i++)
		len += (size_t)snprintf(out + len, cap - len, "%02x", mac[i]);
}

void signal_id_keyed(const struct signal *s, const char *secret, char out[SIGNAL_ID_LEN])
{
	if (!secret || !*secret) {
		signal_id(s, out);
		return;
	}
	char material[200];
	size_t n = signal_id_material(s, material, sizeof material);
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)material, n, mac,
	     &maclen);
	/* the same layout as signal_id: "vs" and the first 8 bytes in hex */
	memcpy(out, "vs", 2);
	for (int i = 0; i < 8; i++)
		snprintf(out + 2 + 2 * i, 3, "%02x", mac[i]);
	OPENSSL_cleanse(mac, sizeof mac);
}
