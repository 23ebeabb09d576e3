/*
 * rdecode: see rdecode.h.
 */
#include "rdecode.h"

#include "date.h"

#include <stdbool.h>
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
