/*
 * statescan: one page of an HSCAN over a partition's state hash, decoded.
 *
 * The census is counted both by the CLI (cli/census.c, a blocking
 * connection) and by the status page (daemon/status_page.c, asynchronous):
 * both read the state hash page by page and want every pupil state that
 * decodes; one that does not is counted, never guessed at.
 */
#ifndef VS_STATESCAN_H
#define VS_STATESCAN_H

#include "state.h"

#include <hiredis/hiredis.h>
#include <stddef.h>

/* Checks that r is an HSCAN page (the next cursor and a field/value array),
 * copies the cursor into cursor (size bytes), calls fn for every value that
 * decodes as a pupil state (the state is freed after) and adds one to *bad
 * for every value that does not. Returns 0, or -1 when r is NULL or not an
 * HSCAN page (nothing called, cursor untouched). */
int statescan_page(const redisReply *r, char *cursor, size_t size,
		   void (*fn)(const struct pupil_state *st, void *arg), void *arg, long long *bad);

#endif
