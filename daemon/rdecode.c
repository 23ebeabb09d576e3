/*
 * rdecode: see rdecode.h.
 */
#include "rdecode.h"

#include "cmdargs.h"
#include "date.h"
#include "recordjson.h"
#include "util.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

int rd_int64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	bool neg = *s == '-';
	const char *p = s + neg;
	if (*p == '\0')
		return -1;
	/* accumulate the magnitude in uint64_t: INT64_MIN's fits too */
	uint64_t mag = 0;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		unsigned digit = (unsigned)(*p - '0');
		if (mag > (UINT64_MAX - digit) / 10)
			return -1;
		mag = mag * 10 + digit;
	}
	int64_t v;
	if (neg) {
		if (mag > (uint64_t)INT64_MAX + 1)
			return -1;
		v = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
	} else {
		if (mag > (uint64_t)INT64_MAX)
			return -1;
		v = (int64_t)mag;
	}
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

const char *rd_string(const redisReply *r)
{
	if (!r || r->type != REDIS_REPLY_STRING || !r->str || strlen(r->str) != r->len)
		return NULL;
	return r->str;
}

int rd_instant(const redisReply *r, int64_t *out_ms)
{
	const char *s = rd_string(r);
	return s ? rd_int64(s, INSTANT_MIN_MS, INSTANT_MAX_MS, out_ms) : -1;
}

int rd_counter(const redisReply *r, int64_t *out)
{
	if (r && r->type == REDIS_REPLY_INTEGER) {
		if (r->integer < 0 || r->integer > RD_COUNTER_MAX)
			return -1;
		*out = r->integer;
		return 0;
	}
	const char *s = rd_string(r);
	return s ? rd_int64(s, 0, RD_COUNTER_MAX, out) : -1;
}

const char *rd_flat_get(const void *flat_reply, const char *name)
{
	const redisReply *r = flat_reply;
	if (!r || r->type != REDIS_REPLY_ARRAY)
		return NULL;
	for (size_t i = 0; i + 1 < r->elements; i += 2) {
		const char *k = rd_string(r->element[i]);
		if (k && strcmp(k, name) == 0)
			return rd_string(r->element[i + 1]);
	}
	return NULL;
}

static char *dup_or_null(const char *s)
{
	size_t n = strlen(s);
	char *d = xmalloc(n + 1);
	memcpy(d, s, n + 1);
	return d;
}

char *rd_task_json(const char *(*get)(const void *ctx, const char *name), const void *ctx)
{
	const char *whole = get(ctx, "json");
	if (whole)
		return dup_or_null(whole);
	const char *jk = get(ctx, "jk");
	const char *jn = jk ? jk : get(ctx, "jn");
	if (!jn)
		return NULL;
	int64_t n;
	if (rd_int64(jn, 0, RD_JSON_CHUNKS_MAX, &n) != 0)
		return dup_or_null("");
	size_t len = 0;
	char name[16];
	for (int64_t k = 1; k <= n; k++) {
		snprintf(name, sizeof name, "j%d", (int)k);
		const char *part = get(ctx, name);
		if (!part)
			return dup_or_null("");
		/* a name byte becomes '"<name>":' */
		for (const unsigned char *c = (const unsigned char *)part; *c; c++) {
			const char *nm = jk ? record_json_name(*c) : NULL;
			len += nm ? strlen(nm) + 3 : 1;
		}
	}
	char *out = xmalloc(len + 1);
	size_t at = 0;
	for (int64_t k = 1; k <= n; k++) {
		snprintf(name, sizeof name, "j%d", (int)k);
		for (const unsigned char *c = (const unsigned char *)get(ctx, name); *c; c++) {
			const char *nm = jk ? record_json_name(*c) : NULL;
			if (nm) {
				size_t nl = strlen(nm);
				out[at++] = '"';
				memcpy(out + at, nm, nl);
				at += nl;
				out[at++] = '"';
				out[at++] = ':';
			} else {
				out[at++] = (char)*c;
			}
		}
	}
	out[at] = '\0';
	return out;
}

int rd_keys_reply(const redisReply *r, struct cmdargs *keys)
{
	if (!r || r->type != REDIS_REPLY_ARRAY || r->elements < 2 || !rd_string(r->element[0]) ||
	    strcmp(r->element[0]->str, "KEYS") != 0)
		return -1;
	for (size_t i = 1; i < r->elements; i++)
		if (!rd_string(r->element[i]))
			return -1;
	for (size_t i = 1; i < r->elements; i++)
		cmdargs_add(keys, r->element[i]->str, r->element[i]->len);
	return (int)r->elements - 1;
}
