/*
 * partner_routing: which partners a task goes to (the route's roles, the
 * partners serving the school), and the configuration checks that every
 * route reaches a partner and no health task reaches leerplicht or rmc
 * (partners.h).
 */
#include "partner_routing.h"

#include "util.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned partners_route(const struct partners_config *pc, const struct signal *s, int adult_age)
{
	if (!pc || !pc->routes)
		return route_default_roles(s, adult_age);
	return route_match(pc->routes, pc->nroutes, s, adult_age);
}

bool partner_serves(const struct partners_config *pc, const struct partner *p, const char *school)
{
	for (int i = 0; i < p->nschools; i++)
		if (fnmatch(p->schools[i], school, 0) == 0)
			return true;
	const struct school_info *si = p->nmunicipalities ? partners_school(pc, school) : NULL;
	for (int j = 0; si && j < p->nmunicipalities; j++)
		if (strcmp(p->municipalities[j], si->municipality) == 0)
			return true;
	return false;
}

/* Whether a partner with role serves school; school NULL: any school. */
static bool role_served(const struct partners_config *pc, int role, const char *school)
{
	for (int i = 0; i < pc->npartners; i++)
		if ((int)pc->partners[i].role == role &&
		    (!school || partner_serves(pc, &pc->partners[i], school)))
			return true;
	return false;
}

static void describe_route(const struct route *r, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s%s%s%s%s%s", r->rule >= 0 ? rule_name(r->rule) : "any rule",
		 r->level >= 0 ? " " : "", r->level >= 0 ? rule_level_name(r->rule, r->level) : "",
		 r->sector >= 0 ? " in " : "", r->sector >= 0 ? sector_name((enum sector)r->sector) : "",
		 r->school[0] ? " (school pattern)" : "");
}

int partners_check_routes(const struct partners_config *pc, const char *const *extra_schools,
			  int nextra, char **out)
{
	*out = NULL;
	size_t len = 0;
	int lines = 0;
	const char **schools = xcalloc((size_t)(pc->nschools + nextra) + 1 + 64, sizeof *schools);
	int ns = 0, cap = pc->nschools + nextra + 64;
	for (int i = 0; i < pc->nschools; i++)
		schools[ns++] = pc->schools[i].code;
	for (int i = 0; i < nextra; i++)
		schools[ns++] = extra_schools[i];
	for (int i = 0; i < pc->npartners; i++)
		for (int j = 0; j < pc->partners[i].nschools; j++) {
			const char *s = pc->partners[i].schools[j];
			if (strpbrk(s, "*?[") || ns >= cap)
				continue;
			schools[ns++] = s;
		}
	/* No school is known at all: check that each role has a partner for
	 * some school (NULL stands for "any school" below). */
	bool any = ns == 0;
	if (any)
		ns = 1;
	int nroutes;
	const struct route *routes = pc->routes ? pc->routes : route_defaults(&nroutes);
	if (pc->routes)
		nroutes = pc->nroutes;
	for (int si = 0; si < ns; si++) {
		bool dup = false;
		for (int k = 0; k < si && !dup; k++)
			dup = strcmp(schools[k], schools[si]) == 0;
		if (dup)
			continue;
		const char *school = any ? NULL : schools[si];
		const char *label = any ? "any school (none is known: no \"schools\" section, no "
					  "school in the calendars, no literal code in partners)"
					: school;
		char sname[200];
		snprintf(sname, sizeof sname, "%s%s", any ? "" : "school ", label);
		unsigned missing_reported = 0;
		for (int ri = 0; ri < nroutes; ri++) {
			const struct route *r = &routes[ri];
			if (r->school[0] && school && fnmatch(r->school, school, 0) != 0)
				continue;
			char what[160];
			describe_route(r, what, sizeof what);
			for (int role = 0; role < ROLE_COUNT; role++) {
				if (!(r->roles & (1u << role)) || role_served(pc, role, school))
					continue;
				str_appendf(out, &len, "%s: route %d (%s) goes to %s, but no partner "
						       "with that role serves this school\n",
					 sname, ri + 1, what, role_name((enum role)role));
				lines++;
				missing_reported |= 1u << role;
			}
			if ((r->roles & (1u << ROLE_LEERPLICHT)) && !role_served(pc, ROLE_RMC, school) &&
			    !(missing_reported & (1u << ROLE_RMC))) {
				str_appendf(out, &len, "%s: route %d (%s) goes to rmc for pupils aged "
						       "18 or over, but no rmc partner serves this school\n",
					 sname, ri + 1, what);
				lines++;
				missing_reported |= 1u << ROLE_RMC;
			}
		}
		if (!role_served(pc, ROLE_ESCALATION, school) &&
		    !(missing_reported & (1u << ROLE_ESCALATION))) {
			str_appendf(out, &len, "%s: overdue tasks escalate to the escalation role, "
					       "but no escalation partner serves this school\n",
				 sname);
			lines++;
		}
		if (!role_served(pc, ROLE_JEUGDARTS, school)) {
			str_appendf(out, &len, "%s: a MAZL consult referral goes to jeugdarts, but "
					       "no jeugdarts partner serves this school\n",
				 sname);
			lines++;
		}
	}
	free(schools);
	return lines;
}

static bool rule_is_health(int rule)
{
	return rule == RULE_MAZL || rule == RULE_LONG_SICK;
}

int partners_check_health_routes(const struct partners_config *pc, char **out)
{
	int nroutes, lines = 0;
	size_t len = strlen(*out ? *out : "");
	const struct route *routes = pc->routes ? pc->routes : route_defaults(&nroutes);
	if (pc->routes)
		nroutes = pc->nroutes;
	const unsigned enforcement = (1u << ROLE_LEERPLICHT) | (1u << ROLE_RMC);
	for (int ri = 0; ri < nroutes; ri++) {
		const struct route *r = &routes[ri];
		if (!(r->roles & enforcement) || (r->rule >= 0 && !rule_is_health(r->rule)))
			continue;
		for (int rule = 0; rule < RULE_COUNT; rule++) {
			if (!rule_is_health(rule) || (r->rule >= 0 && r->rule != rule))
				continue;
			char what[160];
			describe_route(r, what, sizeof what);
			str_appendf(out, &len, "route %d (%s) sends %s tasks (health data) to %s; "
					       "health signals go to school, jeugdarts or swv, never "
					       "to leerplicht or rmc\n",
				    ri + 1, what, rule_name(rule),
				    (r->roles & (1u << ROLE_LEERPLICHT)) ? "leerplicht" : "rmc");
			lines++;
		}
	}
	return lines;
}

int partners_check(const struct partners_config *pc, const char *const *extra_schools, int nextra,
		   char **out)
{
	*out = NULL;
	size_t len = 0;
	int lines = 0;
	if (pc->npartners == 0) {
		str_appendf(out, &len, "no partners: every task would reach nobody (add a "
				       "\"partners\" section, docs/partners.md)\n");
		lines++;
	}
	lines += partners_check_health_routes(pc, out);
	char *routes = NULL;
	lines += partners_check_routes(pc, extra_schools, nextra, &routes);
	if (routes) {
		len = strlen(*out ? *out : "");
		str_append(out, &len, routes, strlen(routes));
		free(routes);
	}
	return lines;
}
