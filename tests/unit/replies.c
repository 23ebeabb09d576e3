/*
 * replies: Redis replies built by hand for the unit tests (replies.h).
 */
#include "replies.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

redisReply *reply_new(int type)
{
	redisReply *r = calloc(1, sizeof *r);
	r->type = type;
	return r;
}
redisReply *r_int(long long v)
{
	redisReply *r = reply_new(REDIS_REPLY_INTEGER);
	r->integer = v;
	return r;
}
redisReply *r_str(int type, const char *s)
{
	redisReply *r = reply_new(type);
	r->str = strdup(s);
	r->len = strlen(s);
	return r;
}
redisReply *r_arr(size_t n, ...)
{
	redisReply *r = reply_new(REDIS_REPLY_ARRAY);
	r->elements = n;
	r->element = calloc(n ? n : 1, sizeof *r->element);
	va_list ap;
	va_start(ap, n);
	for (size_t i = 0; i < n; i++)
		r->element[i] = va_arg(ap, redisReply *);
	va_end(ap);
	return r;
}
void reply_free(redisReply *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->elements; i++)
		reply_free(r->element[i]);
	free(r->element);
	free(r->str);
	free(r);
}
