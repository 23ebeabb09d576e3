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
