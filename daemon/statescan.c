/*
 * statescan: see statescan.h.
 */
#include "statescan.h"

#include "util.h"

#include <stdint.h>

int statescan_page(const redisReply *r, char *cursor, size_t size,
		   void (*fn)(const struct pupil_state *st, void *arg), void *arg, long long *bad)
{
	if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
	    r->element[0]->type != REDIS_REPLY_STRING || r->element[1]->type != REDIS_REPLY_ARRAY)
		return -1;
	str_copy(cursor, r->element[0]->str, size);
	const redisReply *kv = r->element[1];
	for (size_t i = 1; i < kv->elements; i += 2) {
		const redisReply *v = kv->element[i];
		struct pupil_state st;
		const char *why;
		if (v->type != REDIS_REPLY_STRING ||
		    pupil_state_decode((const uint8_t *)v->str, v->len, &st, &why) != 0) {
			(*bad)++;
			continue;
		}
		fn(&st, arg);
		pupil_state_free(&st);
	}
	return 0;
}
