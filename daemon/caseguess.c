/*
 * caseguess: see caseguess.h.
 */
#include "caseguess.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

uint64_t case_guess_key(const char *partner, const char *student, const char *topic)
{
	/* the three names and a separator no name holds */
	uint64_t h = fnv1a64(1469598103934665603ULL, partner, strlen(partner) + 1);
	h = fnv1a64(h, student, strlen(student) + 1);
	h = fnv1a64(h, topic, strlen(topic));
	/* a final mix, so that the slot's bits depend on every byte */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h ? h : 1;
}

/* The first of the CASE_GUESS_WAYS slots of key's bucket, most recently
 * put first. */
static struct case_guess *bucket_of(const struct case_guesses *g, uint64_t key)
{
	return &g->slot[(key & (CASE_GUESS_SLOTS / CASE_GUESS_WAYS - 1)) * CASE_GUESS_WAYS];
}

const char *case_guess_get(const struct case_guesses *g, uint64_t key)
{
	if (!g->slot)
		return "";
	const struct case_guess *b = bucket_of(g, key);
	for (int w = 0; w < CASE_GUESS_WAYS; w++)
		if (b[w].key == key)
			return b[w].id;
	return "";
}

void case_guess_put(struct case_guesses *g, uint64_t key, const char *id)
{
	size_t n = strlen(id);
	if (!g->slot) {
		if (n == 0)
			return;
		g->slot = xcalloc(CASE_GUESS_SLOTS, sizeof *g->slot);
	}
	struct case_guess *b = bucket_of(g, key);
	int w = 0; /* where key is, or the last (least recent) slot */
	while (w < CASE_GUESS_WAYS - 1 && b[w].key != key)
		w++;
	if (n == 0 || n >= sizeof b[0].id) {
		/* forgotten: the bucket closes up behind it */
		if (b[w].key == key) {
			memmove(&b[w], &b[w + 1], (size_t)(CASE_GUESS_WAYS - 1 - w) * sizeof *b);
			b[CASE_GUESS_WAYS - 1].key = 0;
		}
		return;
	}
	/* in front, as the most recent; slot w's guess goes */
	memmove(&b[1], &b[0], (size_t)w * sizeof *b);
	b[0].key = key;
	memcpy(b[0].id, id, n + 1);
}

void case_guess_clear(struct case_guesses *g)
{
	if (g->slot)
		memset(g->slot, 0, CASE_GUESS_SLOTS * sizeof *g->slot);
}

void case_guess_free(struct case_guesses *g)
{
	free(g->slot);
	g->slot = NULL;
}
