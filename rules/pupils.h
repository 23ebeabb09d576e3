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

/* Hints for a caller that knows which students come next (replay): each
 * asks the CPU to start loading what the next step will read, and changes
 * nothing. In order, each a while after the previous one: the student's
 * slot; then (reading the slot) its entry; then (reading the entry) its key
 * and its state's registrations and marks. A student not in the table is a
 * no-op. */
void pupil_table_prefetch_slot(const struct pupil_table *t, const char *student);
void pupil_table_prefetch_entry(const struct pupil_table *t, const char *student);
void pupil_table_prefetch_state(const struct pupil_table *t, const char *student);
/* The same two for an entry at hand (a sweep going through its pupils). */
void pupil_entry_prefetch(const struct pupil_entry *e);
void pupil_entry_prefetch_state(const struct pupil_entry *e);

/* Bytes the table and its states occupy (for the benchmark). */
size_t pupil_table_memory(const struct pupil_table *t);

/*
 * pupil_wakeq: a calendar queue of pupils (indices into a pupil_table) by the
 * day they next need a visit, so that a daily sweep looks only at the pupils
 * due that day instead of at every pupil. A pupil is queued for at most one
 * day: queuing it for an earlier day moves it there, for a later one is a
 * no-op. Days are taken in increasing order; a push for a day already taken
 * counts for the next day not taken yet. Entries live in PUPIL_WAKEQ_DAYS
 * buckets by day modulo that number; an entry further ahead waits in its
 * bucket until its day comes round.
 */
enum { PUPIL_WAKEQ_DAYS = 512 }; /* a power of two */

struct pupil_wake {
	int32_t day;
	uint32_t idx;
};

struct pupil_wakeq {
	struct {
		struct pupil_wake *v;
		size_t n, cap;
	} bucket[PUPIL_WAKEQ_DAYS];
	int32_t *queued;     /* per index: the day it is queued for, INT32_MAX none */
	size_t nqueued;
	int32_t taken;       /* the last day taken, INT32_MIN before the first */
	uint32_t *out;       /* what the last take returned */
	size_t out_cap;
};

void pupil_wakeq_init(struct pupil_wakeq *q);
void pupil_wakeq_free(struct pupil_wakeq *q);

/* Queues idx for day (INT32_MAX: nothing). */
void pupil_wakeq_push(struct pupil_wakeq *q, uint32_t idx, int32_t day);

/* Dequeues the pupils queued for day (and any queued for an earlier day):
 * their indices in increasing order in *out (valid until the next call),
 * their number returned. day must be later than the day taken before. */
size_t pupil_wakeq_take(struct pupil_wakeq *q, int32_t day, const uint32_t **out);

#endif
