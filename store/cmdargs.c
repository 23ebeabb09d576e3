/*
 * cmdargs: see cmdargs.h.
 */
#include "cmdargs.h"

#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cmdargs_block {
	struct cmdargs_block *next;
	size_t cap, used;
	char data[];
};

#define CMDARGS_BLOCK_MIN 16384

void cmdargs_init(struct cmdargs *a)
{
	memset(a, 0, sizeof *a);
}

void cmdargs_init_arena(struct cmdargs *a)
{
	memset(a, 0, sizeof *a);
	a->use_arena = 1;
}

static struct cmdargs_block *block_new(size_t cap, struct cmdargs_block *next)
{
	struct cmdargs_block *b = xmalloc(sizeof *b + cap);
	b->next = next;
	b->cap = cap;
	b->used = 0;
	return b;
}

static void blocks_free(struct cmdargs_block *b)
{
	while (b) {
		struct cmdargs_block *next = b->next;
		free(b);
		b = next;
	}
}

void cmdargs_clear(struct cmdargs *a)
{
	if (a->use_arena) {
		/* one block as large as all of them: the next command of this
		 * size needs no allocation */
		if (a->blocks && a->blocks->next) {
			size_t total = 0;
			for (struct cmdargs_block *b = a->blocks; b; b = b->next)
				total += b->cap;
			blocks_free(a->blocks);
			a->blocks = block_new(total, NULL);
		} else if (a->blocks) {
			a->blocks->used = 0;
		}
	} else {
		for (int i = 0; i < a->n; i++)
			free(a->argv[i]);
	}
	a->n = 0;
}

void cmdargs_free(struct cmdargs *a)
{
	int arena = a->use_arena;
	if (!arena)
		cmdargs_clear(a);
	blocks_free(a->blocks);
	free(a->argv);
	free(a->lens);
	memset(a, 0, sizeof *a);
	a->use_arena = arena;
}

void cmdargs_add(struct cmdargs *a, const void *data, size_t len)
{
	memcpy(cmdargs_add_space(a, len), data, len);
}

void cmdargs_adds(struct cmdargs *a, const char *s)
{
	cmdargs_add(a, s, strlen(s));
}

void cmdargs_addf(struct cmdargs *a, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	cmdargs_add(a, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

void *cmdargs_add_space(struct cmdargs *a, size_t len)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 32;
		a->argv = xrealloc(a->argv, (size_t)a->cap * sizeof *a->argv);
		a->lens = xrealloc(a->lens, (size_t)a->cap * sizeof *a->lens);
	}
	char *buf;
	if (a->use_arena) {
		struct cmdargs_block *b = a->blocks;
		if (!b || b->cap - b->used < len + 1) {
			size_t cap = b ? 2 * b->cap : CMDARGS_BLOCK_MIN;
			if (cap < len + 1)
				cap = len + 1;
			b = a->blocks = block_new(cap, b);
		}
		buf = b->data + b->used;
		b->used += len + 1;
	} else {
		buf = xmalloc(len + 1);
	}
	buf[len] = '\0';
	a->argv[a->n] = buf;
	a->lens[a->n] = len;
	a->n++;
	return buf;
}

void argview_init(struct argview *v)
{
	memset(v, 0, sizeof *v);
}

void argview_free(struct argview *v)
{
	free(v->argv);
	free(v->lens);
	memset(v, 0, sizeof *v);
}

void argview_add(struct argview *v, const char *data, size_t len)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 64;
		v->argv = xrealloc(v->argv, (size_t)v->cap * sizeof *v->argv);
		v->lens = xrealloc(v->lens, (size_t)v->cap * sizeof *v->lens);
	}
	v->argv[v->n] = data;
	v->lens[v->n] = len;
	v->n++;
}

void argview_adds(struct argview *v, const char *s)
{
	argview_add(v, s, strlen(s));
}

void argview_add_all(struct argview *v, const struct cmdargs *a)
{
	for (int i = 0; i < a->n; i++)
		argview_add(v, a->argv[i], a->lens[i]);
}
