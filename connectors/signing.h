/*
 * signing: API tokens, task ids keyed with the region's secret and the
 * webhook signature (signing.c).
 */
#ifndef VS_SIGNING_H
#define VS_SIGNING_H

#include "rules.h"

#include <stdbool.h>
#include <stddef.h>

struct partner;
struct partners_config;

/* The longest API token accepted; a presented token beyond it is refused
 * without being hashed. */
#define PARTNER_TOKEN_MAX 256
/* Whether token could be an API token: 1 to PARTNER_TOKEN_MAX printable
 * ASCII characters (0x21-0x7e), so no space, control character or NUL. */
bool token_well_formed(const char *token);
/* The partner whose stored SHA-256 matches the token's, or NULL. The token
 * is hashed at most once (never when it is not well formed) and compared
 * with every partner's hash in constant time. */
const struct partner *partners_by_token(const struct partners_config *pc, const char *token);

/* A task's id: HMAC-SHA-256 keyed with the region's secret (ids.secret_file)
 * over signal_id_material, as "vs" and 16 hex digits; deterministic for a
 * given secret, so a replayed or re-read signal gets the same id (it is the
 * idempotency key), and not computable without it. There is no unkeyed id:
 * secret must be one ids_secret_read accepted (aborts otherwise). */
#define IDS_SECRET_MIN 32
void signal_id_keyed(const struct signal *s, const char *secret, char out[SIGNAL_ID_LEN]);

/* Reads the region's id secret: the first line of path, at least
 * IDS_SECRET_MIN bytes, from a regular file neither group nor others may
 * read or write. Returns it (free with ids_secret_free), or NULL with why
 * saying what is wrong and what to run to create one. path NULL: no
 * ids.secret_file configured. */
char *ids_secret_read(const char *path, char *why, size_t cap);
void ids_secret_free(char *secret);

/* X-Vroegsignaal-Signature value: "sha256=" + hex HMAC-SHA256(secret,
 * timestamp "." body). out holds at least 72 bytes. */
void webhook_signature(const char *secret, const char *timestamp, const char *body, size_t body_len,
		       char *out, size_t cap);

/* Lower-case hex SHA-256 of a token (for "token_sha256" in the file). */
void token_hash_hex(const char *token, char out[65]);
/* Fills out with the SHA-256 given as 64 hex digits (hex), or of token when
 * hex is NULL. Returns 0, or -1 when hex is not 64 hex digits. */
int token_sha256_parse(const char *hex, const char *token, unsigned char out[32]);
/* Whether token hashes to sha256 (constant time). */
bool token_matches(const unsigned char sha256[32], const char *token);

#endif
