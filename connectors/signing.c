/*
 * signing: API tokens (stored as SHA-256, compared in constant time),
 * webhook signatures (HMAC-SHA256) and the keyed task and case ids with the
 * region's id secret, with libcrypto (partners.h).
 */
#include "partners.h"

#include "signing.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	/* There is no unkeyed id: a caller without the region's secret is a
	 * bug (the daemon and replay refuse to start without one). */
	if (!secret || strlen(secret) < IDS_SECRET_MIN)
		abort();
	char material[200];
	size_t n = signal_id_material(s, material, sizeof material);
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)material, n, mac,
	     &maclen);
	/* "vs" and the first 8 bytes in hex */
	memcpy(out, "vs", 2);
	for (int i = 0; i < 8; i++)
		snprintf(out + 2 + 2 * i, 3, "%02x", mac[i]);
	OPENSSL_cleanse(mac, sizeof mac);
	OPENSSL_cleanse(material, sizeof material);
}

/* The way to make a secret, named in every error about one. */
#define IDS_SECRET_HOWTO "create it with: (umask 077 && openssl rand -hex 32 >%s), owned by the service user"

char *ids_secret_read(const char *path, char *why, size_t cap)
{
	if (!path || !*path) {
		snprintf(why, cap, "no \"ids\": {\"secret_file\": FILE} in the configuration: task and "
				   "case ids are keyed with the region's secret (docs/configuration.md)");
		return NULL;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		int e = errno;
		snprintf(why, cap, "cannot read the id secret %s (%s); " IDS_SECRET_HOWTO, path,
			 strerror(e), path);
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(why, cap, "the id secret %s is not a regular file", path);
		close(fd);
		return NULL;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(why, cap, "the id secret %s is open to group or others (mode %04o): "
				   "chmod 600 %s",
			 path, (unsigned)(st.st_mode & 07777), path);
		close(fd);
		return NULL;
	}
	char buf[512];
	ssize_t got = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (got < 0) {
		snprintf(why, cap, "cannot read the id secret %s (%s)", path, strerror(errno));
		return NULL;
	}
	buf[got] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	size_t len = strlen(buf);
	if (len < IDS_SECRET_MIN) {
		snprintf(why, cap, "the id secret in %s has %zu bytes; expected at least %d: "
				   IDS_SECRET_HOWTO,
			 path, len, IDS_SECRET_MIN, path);
		OPENSSL_cleanse(buf, sizeof buf);
		return NULL;
	}
	char *secret = xstrdup(buf);
	OPENSSL_cleanse(buf, sizeof buf);
	return secret;
}

void ids_secret_free(char *secret)
{
	if (!secret)
		return;
	OPENSSL_cleanse(secret, strlen(secret));
	free(secret);
}
