/*
 * routing: which partner roles a signal's task goes to.
 *
 * The default route table of RULES.md ("From signal to task") and route
 * matching; partners.h reads configured routes. Pure: no I/O.
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

int role_by_name(const char *name);

/* One route: signals it matches and the roles (1 << role) their task goes
 * to. -1 (or "") matches anything. */
struct route {
	int rule;              /* rule_id */
	int level;             /* level/trigger index */
	int sector;            /* enum sector */
	char school[32];       /* fnmatch pattern */
	int age_min, age_max;  /* a pupil of unknown age matches no bounded band */
	unsigned roles;
};

/* The RULES.md default routes ("From signal to task"). */
const struct route *route_defaults(int *n);

/* The roles of the first route matching s (0 when none matches), with
 * leerplicht replaced by rmc for a pupil aged adult_age or over. */
unsigned route_match(const struct route *routes, int n, const struct signal *s, int adult_age);

/* route_match over the defaults. */
unsigned route_default_roles(const struct signal *s, int adult_age);

/* Writes the roles as a comma-separated list ("school,leerplicht"). */
void route_roles_format(unsigned roles, char *buf, size_t cap);

/* The case topic of a rule (RULES.md "Cases"): attendance (first_month,
 * attendance_tier), health (mazl, long_sick), unauthorised
 * (leerplicht_16u, lrv, luxe), enrolment (absolute); NULL for another. */
const char *rule_topic(const char *rule);

#endif
