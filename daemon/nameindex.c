/*
 * nameindex: see nameindex.h.
 */
#include "nameindex.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void name_index_init(struct name_index *x, size_t n)
{
	size_t cap = 64;
	while (cap < 2 * n)
		cap *= 2;
	x->slot = xcalloc(cap, sizeof *x->slot);
	x->mask = cap - 1;
}

void name_index_free(struct name_index *x)
{
	free(x->slot);
	x->slot = NULL;
	x->mask = 0;
}

size_t name_index_slot(const struct name_index *x, const char *name, name_of_fn name_of,
		       const void *ctx)
{
	size_t k = fnv1a32(name) & x->mask;
	while (x->slot[k] && strcmp(name_of(ctx, x->slot[k] - 1), name) != 0)
		k = (k + 1) & x->mask;
	return k;
}
