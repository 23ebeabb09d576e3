/*
 * pupils: see pupils.h.
 */
#include "pupils.h"

#include "util.h"

#include <stdlib.h>
#include <string.h>

void pupil_table_init(struct pupil_table *t)
{
	memset(t, 0, sizeof *t);
}

void pupil_table_free(struct pupil_table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		pupil_state_free(&t->v[i].st);
		free(t->v[i].student);
	}
	free(t->v);
	free(t->slots);
	memset(t, 0, sizeof *t);
}

static size_t slot_of(const struct pupil_table *t, const char *student)
{
	uint64_t h = fnv1a64(FNV1A64_INIT, student, strlen(student));
	size_t mask = t->nslots - 1;
	size_t i = (size_t)h & mask;
	while (t->slots[i] && strcmp(t->v[t->slots[i] - 1].student, student) != 0)
		i = (i + 1) & mask;
	return i;
}

struct pupil_entry *pupil_table_find(const struct pupil_table *t, const char *student)
{
	if (!t->nslots)
		return NULL;
	uint32_t s = t->slots[slot_of(t, student)];
	return s ? &t->v[s - 1] : NULL;
}

static void rehash(struct pupil_table *t)
{
	free(t->slots);
	t->nslots = t->nslots ? t->nslots * 2 : 1024;
	t->slots = xcalloc(t->nslots, sizeof *t->slots);
	for (size_t i = 0; i < t->n; i++)
		t->slots[slot_of(t, t->v[i].student)] = (uint32_t)(i + 1);
}

struct pupil_entry *pupil_table_get(struct pupil_table *t, const char *student,
				    int32_t base)
{
	struct pupil_entry *e = pupil_table_find(t, student);
	if (e)
		return e;
	if ((t->n + 1) * 2 > t->nslots)
		rehash(t);
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 1024;
		t->v = xrealloc(t->v, t->cap * sizeof *t->v);
	}
	e = &t->v[t->n];
	e->student = xstrdup(student);
	e->flags = 0;
	pupil_state_init(&e->st, base);
	t->slots[slot_of(t, student)] = (uint32_t)(t->n + 1);
	t->n++;
	return e;
}

size_t pupil_table_memory(const struct pupil_table *t)
{
	size_t m = t->cap * sizeof *t->v + t->nslots * sizeof *t->slots;
	for (size_t i = 0; i < t->n; i++)
		m += pupil_state_memory(&t->v[i].st) - sizeof t->v[i].st +
		     strlen(t->v[i].student) + 1;
	return m;
}
