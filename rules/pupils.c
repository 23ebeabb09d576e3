/*
 * pupils: see pupils.h.
 */
#include "pupils.h"

#include "util.h"

#include <stdlib.h>
#include <string.h>

/* Keys live in blocks of at least KEY_BLOCK bytes, filled front to back. */
enum { KEY_BLOCK = 64 * 1024 };

struct pupil_key_block {
	struct pupil_key_block *next;
	size_t used, cap;
	char data[];
};

static char *key_copy(struct pupil_table *t, const char *key, size_t len)
{
	struct pupil_key_block *b = t->keys;
	if (!b || b->cap - b->used < len + 1) {
		size_t cap = len + 1 > KEY_BLOCK ? len + 1 : KEY_BLOCK;
		b = xmalloc(sizeof *b + cap);
		b->next = t->keys;
		b->used = 0;
		b->cap = cap;
		t->keys = b;
	}
	char *p = b->data + b->used;
	memcpy(p, key, len + 1);
	b->used += len + 1;
	return p;
}

void pupil_table_init(struct pupil_table *t)
{
	memset(t, 0, sizeof *t);
}

void pupil_table_free(struct pupil_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		pupil_state_free(&t->v[i].st);
	while (t->keys) {
		struct pupil_key_block *next = t->keys->next;
		free(t->keys);
		t->keys = next;
	}
	free(t->v);
	free(t->slots);
	memset(t, 0, sizeof *t);
}

static uint32_t hash_of(const char *student, size_t len)
{
	return (uint32_t)fnv1a64(FNV1A64_INIT, student, len);
}

/* The slot holding student, or the empty slot where it would go. */
static size_t slot_of(const struct pupil_table *t, const char *student, uint32_t h)
{
	size_t mask = t->nslots - 1;
	size_t i = (size_t)h & mask;
	for (;; i = (i + 1) & mask) {
		const struct pupil_slot *s = &t->slots[i];
		if (!s->idx || (s->hash == h && strcmp(t->v[s->idx - 1].student, student) == 0))
			return i;
	}
}

struct pupil_entry *pupil_table_find(const struct pupil_table *t, const char *student)
{
	if (!t->nslots)
		return NULL;
	uint32_t idx = t->slots[slot_of(t, student, hash_of(student, strlen(student)))].idx;
	return idx ? &t->v[idx - 1] : NULL;
}

#if defined(__GNUC__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif

/* The slot where a lookup of student starts. */
static const struct pupil_slot *first_slot(const struct pupil_table *t, const char *student,
					   uint32_t *h)
{
	*h = hash_of(student, strlen(student));
	return &t->slots[(size_t)*h & (t->nslots - 1)];
}

void pupil_table_prefetch_slot(const struct pupil_table *t, const char *student)
{
	uint32_t h;
	if (t->nslots)
		PREFETCH(first_slot(t, student, &h));
}

/* The entry in the slot where a lookup of student starts, when that slot
 * holds a key with student's hash (no string compare: a hint only). */
static const struct pupil_entry *likely_entry(const struct pupil_table *t, const char *student)
{
	uint32_t h;
	if (!t->nslots)
		return NULL;
	const struct pupil_slot *s = first_slot(t, student, &h);
	return s->idx && s->hash == h ? &t->v[s->idx - 1] : NULL;
}

void pupil_entry_prefetch(const struct pupil_entry *e)
{
	PREFETCH(e);
	PREFETCH((const char *)e + sizeof *e - 1);
}

void pupil_entry_prefetch_state(const struct pupil_entry *e)
{
	const char *r = (const char *)e->st.regs;
	size_t n = e->st.nregs * sizeof *e->st.regs;
	for (size_t o = 0; o < n && o < 1024; o += 64)
		PREFETCH(r + o);
	if (e->st.nmarks)
		PREFETCH(e->st.marks);
	PREFETCH(e->student);
}

void pupil_table_prefetch_entry(const struct pupil_table *t, const char *student)
{
	const struct pupil_entry *e = likely_entry(t, student);
	if (e)
		pupil_entry_prefetch(e);
}

void pupil_table_prefetch_state(const struct pupil_table *t, const char *student)
{
	const struct pupil_entry *e = likely_entry(t, student);
	if (e)
		pupil_entry_prefetch_state(e);
}

static void rehash(struct pupil_table *t)
{
	free(t->slots);
	t->nslots = t->nslots ? t->nslots * 2 : 1024;
	t->slots = xcalloc(t->nslots, sizeof *t->slots);
	size_t mask = t->nslots - 1;
	for (size_t i = 0; i < t->n; i++) {
		const char *k = t->v[i].student;
		uint32_t h = hash_of(k, strlen(k));
		size_t j = (size_t)h & mask;
		while (t->slots[j].idx) /* keys are distinct: the first empty slot */
			j = (j + 1) & mask;
		t->slots[j].idx = (uint32_t)(i + 1);
		t->slots[j].hash = h;
	}
}

struct pupil_entry *pupil_table_get(struct pupil_table *t, const char *student,
				    int32_t base)
{
	size_t len = strlen(student);
	uint32_t h = hash_of(student, len);
	size_t j = 0;
	if (t->nslots) {
		j = slot_of(t, student, h);
		if (t->slots[j].idx)
			return &t->v[t->slots[j].idx - 1];
	}
	if ((t->n + 1) * 2 > t->nslots) {
		rehash(t);
		j = slot_of(t, student, h);
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 1024;
		t->v = xrealloc(t->v, t->cap * sizeof *t->v);
	}
	struct pupil_entry *e = &t->v[t->n];
	e->student = key_copy(t, student, len);
	e->flags = 0;
	pupil_state_init(&e->st, base);
	t->slots[j].idx = (uint32_t)(t->n + 1);
	t->slots[j].hash = h;
	t->n++;
	return e;
}

size_t pupil_table_memory(const struct pupil_table *t)
{
	size_t m = t->cap * sizeof *t->v + t->nslots * sizeof *t->slots;
	for (const struct pupil_key_block *b = t->keys; b; b = b->next)
		m += sizeof *b + b->cap;
	for (size_t i = 0; i < t->n; i++)
		m += pupil_state_memory(&t->v[i].st) - sizeof t->v[i].st;
	return m;
}

void pupil_wakeq_init(struct pupil_wakeq *q)
{
	memset(q, 0, sizeof *q);
	q->taken = INT32_MIN;
}

void pupil_wakeq_free(struct pupil_wakeq *q)
{
	for (size_t b = 0; b < PUPIL_WAKEQ_DAYS; b++)
		free(q->bucket[b].v);
	free(q->queued);
	free(q->out);
	pupil_wakeq_init(q);
}

void pupil_wakeq_push(struct pupil_wakeq *q, uint32_t idx, int32_t day)
{
	if (day == INT32_MAX)
		return;
	if (q->taken != INT32_MIN && day <= q->taken)
		day = q->taken + 1;
	if (idx >= q->nqueued) {
		size_t n = q->nqueued ? q->nqueued : 1024;
		while (n <= idx)
			n *= 2;
		q->queued = xrealloc(q->queued, n * sizeof *q->queued);
		for (size_t i = q->nqueued; i < n; i++)
			q->queued[i] = INT32_MAX;
		q->nqueued = n;
	}
	if (q->queued[idx] <= day)
		return;
	q->queued[idx] = day; /* an entry for a later day is now stale */
	uint32_t b = (uint32_t)day & (PUPIL_WAKEQ_DAYS - 1);
	if (q->bucket[b].n == q->bucket[b].cap) {
		q->bucket[b].cap = q->bucket[b].cap ? q->bucket[b].cap * 2 : 64;
		q->bucket[b].v = xrealloc(q->bucket[b].v, q->bucket[b].cap * sizeof *q->bucket[b].v);
	}
	q->bucket[b].v[q->bucket[b].n++] = (struct pupil_wake){day, idx};
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

size_t pupil_wakeq_take(struct pupil_wakeq *q, int32_t day, const uint32_t **out)
{
	size_t n = 0;
	/* the buckets of the days since the last take (all of them after a long
	 * gap, and at the first take: pushes before it may be for any day) */
	int64_t from = q->taken == INT32_MIN ? INT64_MIN : (int64_t)q->taken + 1;
	if (from == INT64_MIN || (int64_t)day - from >= PUPIL_WAKEQ_DAYS)
		from = (int64_t)day - PUPIL_WAKEQ_DAYS + 1;
	for (int64_t d = from; d <= day; d++) {
		uint32_t b = (uint32_t)d & (PUPIL_WAKEQ_DAYS - 1);
		struct pupil_wake *v = q->bucket[b].v;
		size_t keep = 0;
		for (size_t i = 0; i < q->bucket[b].n; i++) {
			struct pupil_wake w = v[i];
			if (q->queued[w.idx] != w.day)
				continue; /* moved to an earlier day, or taken */
			if (w.day > day) {
				v[keep++] = w;
				continue;
			}
			if (n == q->out_cap) {
				q->out_cap = q->out_cap ? q->out_cap * 2 : 1024;
				q->out = xrealloc(q->out, q->out_cap * sizeof *q->out);
			}
			q->out[n++] = w.idx;
			q->queued[w.idx] = INT32_MAX;
		}
		q->bucket[b].n = keep;
		if (keep == 0) { /* a crowded day must not hold its memory for the year */
			free(q->bucket[b].v);
			q->bucket[b].v = NULL;
			q->bucket[b].cap = 0;
		}
	}
	q->taken = day;
	if (n > 1) /* never qsort(NULL, 0, ...): out is NULL before the first pupil */
		qsort(q->out, n, sizeof *q->out, cmp_u32);
	*out = q->out;
	return n;
}
