/*
 * nameindex: an open-addressed index of up to n items by a name (a pupil
 * key): each slot holds an item's index + 1, found by the fnv1a32 of its
 * name, in at least twice as many slots as items. The items stay where the
 * caller keeps them; name_of gives item i's name. Used for the students a
 * batch asks the states of (intake.c) and those the prefetch asked
 * (prefetch.c).
 */
#ifndef VS_NAMEINDEX_H
#define VS_NAMEINDEX_H

#include <stddef.h>
#include <stdint.h>

struct name_index {
	uint32_t *slot; /* index + 1, 0 empty */
	size_t mask;
};

typedef const char *(*name_of_fn)(const void *ctx, uint32_t i);

/* Room for n items (64 slots at least). */
void name_index_init(struct name_index *x, size_t n);
void name_index_free(struct name_index *x);
/* The slot of the item named name, or the empty slot where it would go
 * (x->slot[k] == 0: set it to the item's index + 1). */
size_t name_index_slot(const struct name_index *x, const char *name, name_of_fn name_of,
		       const void *ctx);

#endif
