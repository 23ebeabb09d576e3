/*
 * rarena: hiredis reply objects of one connection, built in reusable memory
 * (rarena.h).
 */
#include "rarena.h"

#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "util.h"

/* Chunks are this large unless one object needs more; after a reply, the
 * arena keeps up to KEEP_BYTES of them for the next (a read of 6,000
 * registrations takes about 10 MB), and frees the rest. Each connection
 * has its arena (the command connection and each partition's blocking
 * read). */
#define CHUNK_BYTES ((size_t)1 << 20)
#define KEEP_BYTES ((size_t)16 << 20)

struct chunk {
	struct chunk *next;
	size_t size, used;
	alignas(max_align_t) unsigned char data[];
};

struct rarena {
	struct chunk *first, *cur;
	size_t held;   /* bytes in chunks */
	size_t nroots; /* replies built and not yet freed */
	bool detached; /* the connection is gone: free with the last reply */
};

/* A reply's top object carries its arena: hiredis's freeObject gets only the
 * object. */
struct root {
	struct rarena *arena;
	redisReply reply;
};

static void *arena_alloc(struct rarena *a, size_t n)
{
	n = (n + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1);
	while (a->cur && a->cur->size - a->cur->used < n) {
		if (!a->cur->next)
			break;
		a->cur = a->cur->next; /* chunks after cur are empty */
	}
	if (!a->cur || a->cur->size - a->cur->used < n) {
		size_t size = n > CHUNK_BYTES ? n : CHUNK_BYTES;
		struct chunk *c = malloc(sizeof *c + size);
		if (!c)
			return NULL; /* hiredis reports out of memory */
		c->size = size;
		c->used = 0;
		if (a->cur) {
			c->next = a->cur->next;
			a->cur->next = c;
		} else {
			c->next = NULL;
			a->first = c;
		}
		a->cur = c;
		a->held += size;
	}
	void *p = a->cur->data + a->cur->used;
	a->cur->used += n;
	return p;
}

static void arena_free(struct rarena *a)
{
	struct chunk *c = a->first;
	while (c) {
		struct chunk *next = c->next;
		free(c);
		c = next;
	}
	free(a);
}

/* Every reply freed: the chunks are empty again, and those past KEEP_BYTES go. */
static void arena_reset(struct rarena *a)
{
	size_t kept = 0;
	struct chunk **link = &a->first;
	while (*link) {
		struct chunk *c = *link;
		if (kept + c->size > KEEP_BYTES) {
			*link = c->next;
			a->held -= c->size;
			free(c);
			continue;
		}
		kept += c->size;
		c->used = 0;
		link = &c->next;
	}
	a->cur = a->first;
}

/* A new object for the task, linked into its parent array. */
static redisReply *new_object(const redisReadTask *task, int type)
{
	struct rarena *a = task->privdata;
	redisReply *r;
	if (task->parent) {
		r = arena_alloc(a, sizeof *r);
		if (!r)
			return NULL;
		redisReply *parent = task->parent->obj;
		parent->element[task->idx] = r;
	} else {
		struct root *root = arena_alloc(a, sizeof *root);
		if (!root)
			return NULL;
		root->arena = a;
		r = &root->reply;
		a->nroots++;
	}
	memset(r, 0, sizeof *r);
	r->type = type;
	return r;
}

static void *create_string(const redisReadTask *task, char *str, size_t len)
{
	struct rarena *a = task->privdata;
	char *buf = arena_alloc(a, len + 1);
	if (!buf)
		return NULL;
	redisReply *r = new_object(task, task->type);
	if (!r)
		return NULL;
	memcpy(buf, str, len);
	buf[len] = '\0';
	r->str = buf;
	r->len = len;
	return r;
}

static void *create_array(const redisReadTask *task, int elements)
{
	struct rarena *a = task->privdata;
	redisReply **element = NULL;
	if (elements > 0) {
		if ((size_t)elements > SIZE_MAX / sizeof *element)
			return NULL; /* (a 32-bit build) */
		element = arena_alloc(a, (size_t)elements * sizeof *element);
		if (!element)
			return NULL;
		memset(element, 0, (size_t)elements * sizeof *element);
	}
	redisReply *r = new_object(task, REDIS_REPLY_ARRAY);
	if (!r)
		return NULL;
	r->element = element;
	r->elements = elements > 0 ? (size_t)elements : 0;
	return r;
}

static void *create_integer(const redisReadTask *task, long long value)
{
	redisReply *r = new_object(task, REDIS_REPLY_INTEGER);
	if (r)
		r->integer = value;
	return r;
}

static void *create_nil(const redisReadTask *task)
{
	return new_object(task, REDIS_REPLY_NIL);
}

/* hiredis frees only a reply's top object (a whole reply, or the half-parsed
 * one of a reader that is freed or meets a protocol error). */
static void free_object(void *obj)
{
	struct root *root = (struct root *)((char *)obj - offsetof(struct root, reply));
	struct rarena *a = root->arena;
	if (--a->nroots > 0)
		return;
	if (a->detached)
		arena_free(a);
	else
		arena_reset(a);
}

static redisReplyObjectFunctions arena_functions = {
	create_string, create_array, create_integer, create_nil, free_object,
};

/* A detached reader's, should hiredis ever parse after the disconnect
 * callback: every object fails (hiredis reports out of memory), nothing is
 * built or freed. */
static void *none_string(const redisReadTask *task, char *str, size_t len)
{
	(void)task, (void)str, (void)len;
	return NULL;
}
static void *none_array(const redisReadTask *task, int elements)
{
	(void)task, (void)elements;
	return NULL;
}
static void *none_integer(const redisReadTask *task, long long value)
{
	(void)task, (void)value;
	return NULL;
}
static void *none_nil(const redisReadTask *task)
{
	(void)task;
	return NULL;
}
static void none_free(void *obj)
{
	(void)obj;
}
static redisReplyObjectFunctions no_functions = {
	none_string, none_array, none_integer, none_nil, none_free,
};

int rarena_attach(redisReader *r)
{
	if (r->fn == &arena_functions || r->fn == &no_functions)
		return -1;
	struct rarena *a = xcalloc(1, sizeof *a);
	r->fn = &arena_functions;
	r->privdata = a;
	return 0;
}

void rarena_detach(redisReader *r)
{
	if (r->fn != &arena_functions)
		return;
	struct rarena *a = r->privdata;
	if (a->nroots > 0) {
		a->detached = true; /* the reply being parsed frees it */
		return;
	}
	arena_free(a);
	r->fn = &no_functions;
	r->privdata = NULL;
}

size_t rarena_held(const redisReader *r)
{
	if (r->fn != &arena_functions)
		return 0;
	const struct rarena *a = r->privdata;
	return a->held;
}
