/*
 * pupils: an in-memory table of pupil states by student key, iterated in
 * insertion order (so sweeps, and the signals they raise, come out in a
 * deterministic order). Open addressing with linear probing over indices
 * into a dense array; each slot keeps its key's hash, so a probe compares
 * strings only when the hashes match. Keys are copied into an arena of
 * large blocks (one allocation per block, not per key; never moved).
 */
#ifndef VS_PUPILS_H
#define VS_PUPILS_H

#include "state.h"

#include <stddef.h>

struct pupil_entry {
	char *student;
	struct pupil_state st;
	unsigned flags; /* free for the table's user (the daemon marks dirty states) */
};

struct pupil_slot {
	uint32_t idx;  /* index + 1 into v, 0 = empty */
	uint32_t hash; /* low 32 bits of the key's hash */
};

struct pupil_key_block; /* the key arena (pupils.c) */

struct pupil_table {
	struct pupil_entry *v; /* dense, insertion order */
	size_t n, cap;
	struct pupil_slot *slots;
	size_t nslots;         /* power of two */
	struct pupil_key_block *keys;
};

void pupil_table_init(struct pupil_table *t);
void pupil_table_free(struct pupil_table *t);

/* The entry for student, or NULL. */
struct pupil_entry *pupil_table_find(const struct pupil_table *t, const char *student);

/* The entry for student, created (state initialised with that base) when
 * missing. The pointer is valid until the next insertion. */
struct pupil_entry *pupil_table_get(struct pupil_table *t, const char *student,
				    int32_t base);

/* Bytes the table and its states occupy (for the benchmark). */
size_t pupil_table_memory(const struct pupil_table *t);

#endif
