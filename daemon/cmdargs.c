/*
 * cmdargs: see cmdargs.h.
 */
#include "cmdargs.h"

#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cmdargs_init(struct cmdargs *a)
{
	memset(a, 0, sizeof *a);
}

void cmdargs_clear(struct cmdargs *a)
{
	for (int i = 0; i < a->n; i++)
		free(a->argv[i]);
	a->n = 0;
}

void cmdargs_free(struct cmdargs *a)
{
	cmdargs_clear(a);
	free(a->argv);
	free(a->lens);
	memset(a, 0, sizeof *a);
}

void cmdargs_add(struct cmdargs *a, const void *data, size_t len)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 32;
		a->argv = xrealloc(a->argv, (size_t)a->cap * sizeof *a->argv);
		a->lens = xrealloc(a->lens, (size_t)a->cap * sizeof *a->lens);
	}
	char *copy = xmalloc(len + 1);
	memcpy(copy, data, len);
	copy[len] = '\0';
	a->argv[a->n] = copy;
	a->lens[a->n] = len;
	a->n++;
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

void cmdargs_append(struct cmdargs *a, const struct cmdargs *src)
{
	for (int i = 0; i < src->n; i++)
		cmdargs_add(a, src->argv[i], src->lens[i]);
}
