/*
 * routing: see routing.h.
 */
#include "routing.h"

#include <string.h>

#define R(x) (1u << (x))

const char *role_name(enum role r)
{
	static const char *const names[ROLE_COUNT] = {
		"school", "jeugdarts", "leerplicht", "rmc", "swv", "wij", "escalation",
	};
	return (unsigned)r < ROLE_COUNT ? names[r] : "unknown";
}

unsigned route_default_roles(const struct signal *s, int adult_age)
{
	unsigned roles = 0;
	switch (s->rule) {
	case RULE_FIRST_MONTH:
	case RULE_MAZL:
		roles = R(ROLE_SCHOOL);
		break;
	case RULE_ATTENDANCE_TIER:
		roles = s->level == AT_TIER2 ? R(ROLE_SCHOOL) : R(ROLE_SCHOOL) | R(ROLE_SWV);
		break;
	case RULE_LEERPLICHT_16U:
		roles = R(ROLE_SCHOOL) | R(ROLE_LEERPLICHT);
		break;
	case RULE_LRV:
		roles = s->level == RUN_4W ? R(ROLE_LEERPLICHT) | R(ROLE_SWV) : R(ROLE_ESCALATION);
		break;
	case RULE_LONG_SICK:
		roles = s->level == RUN_4W ? R(ROLE_SWV) : R(ROLE_SWV) | R(ROLE_ESCALATION);
		break;
	case RULE_LUXE:
	case RULE_ABSOLUTE:
		roles = R(ROLE_LEERPLICHT);
		break;
	case RULE_COUNT:
		break;
	}
	if (s->age >= adult_age && (roles & R(ROLE_LEERPLICHT)))
		roles = (roles & ~R(ROLE_LEERPLICHT)) | R(ROLE_RMC);
	return roles;
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
