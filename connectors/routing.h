/*
 * routing: which partner roles a signal's task goes to.
 *
 * This is the default route table of RULES.md ("From signal to task"); the
 * partner issue makes routes configurable on top of it. Pure: no I/O.
 */
#ifndef VS_ROUTING_H
#define VS_ROUTING_H

#include "rules.h"

#include <stddef.h>

enum role {
	ROLE_SCHOOL,
	ROLE_JEUGDARTS,
	ROLE_LEERPLICHT,
	ROLE_RMC,
	ROLE_SWV,
	ROLE_WIJ,
	ROLE_ESCALATION,
	ROLE_COUNT
};

const char *role_name(enum role r);

/* The roles for a signal, as a bit set (1 << role). A pupil aged adult_age
 * or over goes to rmc where the route names leerplicht. */
unsigned route_default_roles(const struct signal *s, int adult_age);

/* Writes the roles as a comma-separated list ("school,leerplicht"). */
void route_roles_format(unsigned roles, char *buf, size_t cap);

#endif
