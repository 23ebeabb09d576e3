/*
 * scripts: the Lua scripts, one file each in store/lua/ (their KEYS and
 * ARGV are described at the top of each), embedded at build time by
 * cmake/embed_lua.cmake. See scripts.h.
 *
 * Every script that writes more than one thing is all-or-nothing in effect:
 * Redis does not roll a script back when a command inside it fails, so a
 * script first checks everything that could make a later command fail
 * (argument counts and sizes, the types of the keys it writes, the counters
 * it increments) and returns an error before its first write. Only then
 * does it write. (Redis refuses a write for lack of memory only before a
 * script's first write, never in the middle.) The checks they share are
 * store/lua/check.lua, pasted in where a script says "--@include check.lua".
 */
#include "scripts.h"
#include "scripts_lua.h"

static const struct {
	const char *name;
	const char *source;
} scripts[SCRIPT_COUNT] = {
	[SCRIPT_COMMIT] = {"commit", vs_lua_commit},
	[SCRIPT_LEASE_TAKE] = {"lease_take", vs_lua_lease_take},
	[SCRIPT_LEASE_RENEW] = {"lease_renew", vs_lua_lease_renew},
	[SCRIPT_LEASE_DROP] = {"lease_drop", vs_lua_lease_drop},
	[SCRIPT_TRIM] = {"trim", vs_lua_trim},
	[SCRIPT_ACCEPT] = {"accept", vs_lua_accept},
	[SCRIPT_TAKE] = {"take", vs_lua_take},
	[SCRIPT_RESULT] = {"result", vs_lua_result},
	[SCRIPT_DUE] = {"due", vs_lua_due},
	[SCRIPT_ACK] = {"ack", vs_lua_ack},
	[SCRIPT_LIST] = {"list", vs_lua_list},
	[SCRIPT_QUARANTINE] = {"quarantine", vs_lua_quarantine},
	[SCRIPT_REQUEUE] = {"requeue", vs_lua_requeue},
	[SCRIPT_REDELIVER] = {"redeliver", vs_lua_redeliver},
	[SCRIPT_ERASE] = {"erase", vs_lua_erase},
	[SCRIPT_CASEREAD] = {"caseread", vs_lua_caseread},
	[SCRIPT_RESUME] = {"resume", vs_lua_resume},
};

const char *script_source(enum script_id id)
{
	return scripts[id].source;
}

const char *script_name(enum script_id id)
{
	return scripts[id].name;
}
