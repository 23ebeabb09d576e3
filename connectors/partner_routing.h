/*
 * partner_routing: which partners a signal's task reaches (partner_routing.c),
 * and the configuration checks of the routes. Types: partners.h.
 */
#ifndef VS_PARTNER_ROUTING_H
#define VS_PARTNER_ROUTING_H

#include "partners.h"

/* The roles of a signal's task: the first matching route (or the defaults),
 * with leerplicht replaced by rmc for a pupil aged adult_age or over. */
unsigned partners_route(const struct partners_config *pc, const struct signal *s, int adult_age);

/* Whether partner p serves school (by pattern, or through the school's
 * municipality in the "schools" section). */
bool partner_serves(const struct partners_config *pc, const struct partner *p, const char *school);

/* Writes to out (one line each) every route role that resolves to no
 * partner for a known school (the "schools" section, the calendar's schools
 * and the partners' literal school codes; when none is known, for any
 * school). Returns the number of lines. */
int partners_check_routes(const struct partners_config *pc, const char *const *extra_schools,
			  int nextra, char **out);

/* Writes to *out (appending, one line each) every route that can send a
 * health rule's task (mazl, long_sick) to leerplicht or rmc. Returns the
 * number of lines. */
int partners_check_health_routes(const struct partners_config *pc, char **out);
/* Everything that breaks a region, one line each in *out (NULL when none):
 * no partners at all, health routes to leerplicht or rmc, and
 * partners_check_routes (with no known school at all, each route role is
 * checked to have a partner for some school). Returns the number of lines. */
int partners_check(const struct partners_config *pc, const char *const *extra_schools, int nextra,
		   char **out);

#endif
