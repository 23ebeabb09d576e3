/*
 * rdecode: numbers read back from Redis replies, range-checked.
 *
 * Whatever the daemon reads from Redis may be damaged or hostile (a key
 * written by hand, a bug in another version, an attacker with write access):
 * a due time, a counter or a task's creation time is decoded strictly
 * (decimal digits only, no overflow) and checked against its valid range
 * before use. A value that fails is treated like a corrupt record by the
 * caller, never clamped into something plausible.
 */
#ifndef VS_RDECODE_H
#define VS_RDECODE_H

#include <hiredis/hiredis.h>
#include <stdint.h>

/* The largest counter believed (a day's signals per school or rule): far
 * above any real count, far below where sums of them could overflow. */
#define RD_COUNTER_MAX 1000000000LL

/* Parses s, exactly an optional '-' and 1..19 decimal digits, into a value in
 * [min, max]. Returns 0, or -1 (and leaves *out untouched). */
int rd_int64(const char *s, int64_t min, int64_t max, int64_t *out);

/* The text of a string reply without an embedded NUL; NULL for any other
 * reply (nil, integer, array, error) or for r NULL. */
const char *rd_string(const redisReply *r);

struct cmdargs;
/* A script's {"KEYS", key...} reply (CASEREAD, TRIM's cases mode:
 * docs/redis-keys.md), naming keys it needs declared: appends them to keys
 * and returns how many (at least 1); -1 for any other reply. */
int rd_keys_reply(const redisReply *r, struct cmdargs *keys);

/* An instant (ms since the epoch) stored as decimal text, within the valid
 * instant range (date.h, instant_valid). Returns 0 or -1. */
int rd_instant(const redisReply *r, int64_t *out_ms);

/* A counter: a string or integer reply in [0, RD_COUNTER_MAX]. 0 or -1. */
int rd_counter(const redisReply *r, int64_t *out);

/* The most chunks a task record's JSON is read from (64 bytes each). */
#define RD_JSON_CHUNKS_MAX 4096

/* The JSON of a task record (docs/redis-keys.md) whose fields get(ctx, name)
 * looks up (NULL when absent): the chunks "j1".."j<jn>" joined (with "jk"
 * instead of "jn": joined and the member names kept as one byte each
 * written out, store/lua/record.lua), or the whole
 * "json" of a record written before the chunks. Returns a string to free(),
 * or NULL when the record holds neither (missing or expired); "" when "jn" or a chunk is damaged
 * (the caller then finds the JSON unreadable, like damaged JSON). */
char *rd_task_json(const char *(*get)(const void *ctx, const char *name), const void *ctx);

/* get for rd_task_json over a flat HGETALL reply (name, value, ...). */
const char *rd_flat_get(const void *flat_reply, const char *name);

#endif
