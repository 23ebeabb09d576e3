/*
 * routing: see routing.h.
 */
#include "routing.h"

#include "event.h"

#include <fnmatch.h>
#include <string.h>

#define R(x) (1u << (x))

static const char *const role_names[ROLE_COUNT] = {
	"school", "jeugdarts", "leerplicht", "rmc", "swv", "wij", "escalation",
};

const char *role_name(enum role r)
{
	return (unsigned)r < ROLE_COUNT ? role_names[r] : "unknown";
}

int role_by_name(const char *name)
{
	for (int r = 0; r < ROLE_COUNT; r++)
		if (strcmp(role_names[r], name) == 0)
			return r;
	return -1;
}

const char *rule_topic(const char *rule)
{
	static const struct {
		const char *rule, *topic;
	} topics[] = {
		{"first_month", "attendance"},  {"attendance_tier", "attendance"},
		{"mazl", "health"},             {"long_sick", "health"},
		{"leerplicht_16u", "unauthorised"}, {"lrv", "unauthorised"},
		{"luxe", "unauthorised"},       {"absolute", "enrolment"},
	};
	for (size_t i = 0; rule && i < sizeof topics / sizeof topics[0]; i++)
		if (strcmp(topics[i].rule, rule) == 0)
			return topics[i].topic;
	return NULL;
}

#define ANY -1, ""
static const struct route defaults[] = {
	{RULE_FIRST_MONTH, -1, ANY, -1, -1, R(ROLE_SCHOOL)},
	{RULE_ATTENDANCE_TIER, AT_TIER2, ANY, -1, -1, R(ROLE_SCHOOL)},
	{RULE_ATTENDANCE_TIER, AT_TIER3, ANY, -1, -1, R(ROLE_SCHOOL)},
	{RULE_ATTENDANCE_TIER, -1, ANY, -1, -1, R(ROLE_SCHOOL) | R(ROLE_SWV)},
	{RULE_MAZL, -1, ANY, -1, -1, R(ROLE_SCHOOL)},
	{RULE_LEERPLICHT_16U, -1, ANY, -1, -1, R(ROLE_SCHOOL) | R(ROLE_LEERPLICHT)},
	{RULE_LRV, RUN_4W, ANY, -1, -1, R(ROLE_LEERPLICHT) | R(ROLE_SWV)},
	{RULE_LRV, RUN_3M, ANY, -1, -1, R(ROLE_LEERPLICHT) | R(ROLE_SWV) | R(ROLE_ESCALATION)},
	{RULE_LONG_SICK, RUN_4W, ANY, -1, -1, R(ROLE_SWV)},
	{RULE_LONG_SICK, RUN_3M, ANY, -1, -1, R(ROLE_SWV) | R(ROLE_ESCALATION)},
	{RULE_LUXE, -1, ANY, -1, -1, R(ROLE_LEERPLICHT)},
	{RULE_ABSOLUTE, -1, ANY, -1, -1, R(ROLE_LEERPLICHT)},
};
#undef ANY

const struct route *route_defaults(int *n)
{
	*n = (int)(sizeof defaults / sizeof defaults[0]);
	return defaults;
}

static bool route_matches(const struct route *r, const struct signal *s)
{
	if (r->rule >= 0 && r->rule != (int)s->rule)
		return false;
	if (r->level >= 0 && r->level != s->level)
		return false;
	if (r->sector >= 0 && r->sector != (int)s->sector)
		return false;
	if (r->school[0] && fnmatch(r->school, s->school, 0) != 0)
		return false;
	if ((r->age_min >= 0 || r->age_max >= 0) && s->age < 0)
		return false;
	if (r->age_min >= 0 && s->age < r->age_min)
		return false;
	if (r->age_max >= 0 && s->age > r->age_max)
		return false;
	return true;
}

unsigned route_match(const struct route *routes, int n, const struct signal *s, int adult_age)
{
	unsigned roles = 0;
	for (int i = 0; i < n; i++) {
		if (route_matches(&routes[i], s)) {
			roles = routes[i].roles;
			break;
		}
	}
	if (s->age >= adult_age && (roles & R(ROLE_LEERPLICHT)))
		roles = (roles & ~R(ROLE_LEERPLICHT)) | R(ROLE_RMC);
	return roles;
}

unsigned route_default_roles(const struct signal *s, int adult_age)
{
	int n;
	const struct route *r = route_defaults(&n);
	return route_match(r, n, s, adult_age);
}

void route_roles_format(unsigned roles, char *buf, size_t cap)
{
	size_t len = 0;
	if (cap)
		buf[0] = '\0';
	for (int r = 0; r < ROLE_COUNT; r++) {
		if (!(roles & R(r)))
			continue;
		const char *n = role_name((enum role)r);
		size_t need = strlen(n) + (len ? 1 : 0);
		if (len + need + 1 > cap)
			break;
		if (len)
			buf[len++] = ',';
		memcpy(buf + len, n, strlen(n));
		len += strlen(n);
		buf[len] = '\0';
	}
}
