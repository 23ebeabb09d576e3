/*
 * replies: Redis replies built by hand for the unit tests, as hiredis would
 * hand them to a callback. Free them with reply_free (or freeReplyObject:
 * the same allocator).
 */
#ifndef VS_TEST_REPLIES_H
#define VS_TEST_REPLIES_H

#include <hiredis/hiredis.h>
#include <stddef.h>

redisReply *reply_new(int type);
redisReply *r_int(long long v);
/* a reply of type (string, status, error) holding a copy of s */
redisReply *r_str(int type, const char *s);
/* an array of the n replies given (taken over) */
redisReply *r_arr(size_t n, ...);
void reply_free(redisReply *r);

#endif
