/*
 * caseguess: which case the case index ("cases:<partner>", field
 * "<student>|<topic>") names, as the dispatcher last learnt it from ACCEPT,
 * so that its next ACCEPT passes the right current case id at once rather
 * than none (the script would then answer {"CASES", ...} and the call go
 * again: two scripts and two round trips per batch). A guess is only a
 * guess: ACCEPT checks every id it is given, and a wrong one costs that one
 * extra round, nothing else. Guesses go stale when something other than
 * this dispatcher changes the index (an acknowledgement closing a case, the
 * trim, another instance holding the partition meanwhile); the dispatcher
 * forgets them all whenever it starts over.
 *
 * A table of CASE_GUESS_SLOTS entries in buckets of CASE_GUESS_WAYS,
 * allocated at first use: each slot holds the 64-bit hash of (partner,
 * student, topic) and the case id; a bucket keeps its most recently put
 * guesses (a direct-mapped table lost a sixth of 5,600 guesses to
 * collisions in 32,768 slots, each one a second round). No pupil key is
 * kept, only the hash.
 */
#ifndef VS_CASEGUESS_H
#define VS_CASEGUESS_H

#include <stddef.h>
#include <stdint.h>

#include "caseid.h"

#define CASE_GUESS_SLOTS 32768 /* 1 MiB a partition */
#define CASE_GUESS_WAYS 4
/* the longest id a guess keeps, with its NUL: a derived id and some room */
#define CASE_GUESS_ID_MAX (CASE_ID_MAX + 5)

struct case_guess {
	uint64_t key; /* 0: empty */
	char id[CASE_GUESS_ID_MAX];
};

struct case_guesses {
	struct case_guess *slot; /* NULL until the first put */
};

/* The key of (partner, student, topic): never 0. */
uint64_t case_guess_key(const char *partner, const char *student, const char *topic);
/* The case id last put for key, "" when none is known. */
const char *case_guess_get(const struct case_guesses *g, uint64_t key);
/* Puts id ("" forgets key); an id longer than a slot holds is not kept. */
void case_guess_put(struct case_guesses *g, uint64_t key, const char *id);
/* Forgets every guess (the memory stays for the next ones). */
void case_guess_clear(struct case_guesses *g);
void case_guess_free(struct case_guesses *g);

#endif
