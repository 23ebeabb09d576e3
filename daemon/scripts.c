/*
 * scripts: the Lua sources. See scripts.h.
 *
 * COMMIT
 *   KEYS  1 lease, 2 state, 3 tasks, 4 dead, 5 events, 6 task ids (of the
 *         school year), 7 swept
 *   ARGV  token, group, task ids expiry (ms since the epoch), then
 *         nstates, (student, record)...,
 *         ntasks, (nfields, field, value, ...)...   -- first pair is ("id", task id)
 *         ndead, (nfields, field, value, ...)...,
 *         nacks, id...,
 *         swept ("" = leave as is),
 *         nhdel, student...  -- states of a finished school year to purge
 *   Refuses with "LEASE" unless the lease holds the token (fencing). A task
 *   whose id was created before is skipped (HSETNX on the task ids hash), so
 *   a task is never written twice, whatever happened before. Returns the
 *   number of tasks created. Acknowledgements go in chunks of 1,000 (Lua's
 *   unpack has a stack limit near 8,000), so any batch size fits.
 */
#include "scripts.h"

static const char commit_lua[] =
	"if redis.call('GET', KEYS[1]) ~= ARGV[1] then\n"
	"  return redis.error_reply('LEASE not held')\n"
	"end\n"
	"local i = 4\n"
	"local n = tonumber(ARGV[i]); i = i + 1\n"
	"for _ = 1, n do\n"
	"  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]); i = i + 2\n"
	"end\n"
	"local created = 0\n"
	"n = tonumber(ARGV[i]); i = i + 1\n"
	"if n > 0 then redis.call('PEXPIREAT', KEYS[6], ARGV[3]) end\n"
	"for _ = 1, n do\n"
	"  local nf = tonumber(ARGV[i]); i = i + 1\n"
	"  if redis.call('HSETNX', KEYS[6], ARGV[i + 1], ARGV[1]) == 1 then\n"
	"    redis.call('XADD', KEYS[3], '*', unpack(ARGV, i, i + nf - 1))\n"
	"    created = created + 1\n"
	"  end\n"
	"  i = i + nf\n"
	"end\n"
	"n = tonumber(ARGV[i]); i = i + 1\n"
	"for _ = 1, n do\n"
	"  local nf = tonumber(ARGV[i]); i = i + 1\n"
	"  redis.call('XADD', KEYS[4], '*', unpack(ARGV, i, i + nf - 1))\n"
	"  i = i + nf\n"
	"end\n"
	"n = tonumber(ARGV[i]); i = i + 1\n"
	"local j = 0\n"
	"while j < n do\n"
	"  local k = math.min(n - j, 1000)\n"
	"  redis.call('XACK', KEYS[5], ARGV[2], unpack(ARGV, i + j, i + j + k - 1))\n"
	"  j = j + k\n"
	"end\n"
	"i = i + n\n"
	"if ARGV[i] ~= '' then redis.call('SET', KEYS[7], ARGV[i]) end\n"
	"i = i + 1\n"
	"n = tonumber(ARGV[i]); i = i + 1\n"
	"for j = 0, n - 1 do redis.call('HDEL', KEYS[2], ARGV[i + j]) end\n"
	"return created\n";

/* KEYS 1 lease; ARGV token ("consumer/random"), consumer, ttl ms. */
static const char lease_take_lua[] =
	"local v = redis.call('GET', KEYS[1])\n"
	"if not v or v == ARGV[1] or string.sub(v, 1, #ARGV[2] + 1) == ARGV[2] .. '/' then\n"
	"  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])\n"
	"  return 1\n"
	"end\n"
	"return 0\n";

/* KEYS 1 lease; ARGV token, ttl ms. */
static const char lease_renew_lua[] =
	"if redis.call('GET', KEYS[1]) == ARGV[1] then\n"
	"  redis.call('PEXPIRE', KEYS[1], ARGV[2])\n"
	"  return 1\n"
	"end\n"
	"return 0\n";

/* KEYS 1 lease; ARGV token. */
static const char lease_drop_lua[] =
	"if redis.call('GET', KEYS[1]) == ARGV[1] then\n"
	"  redis.call('DEL', KEYS[1])\n"
	"  return 1\n"
	"end\n"
	"return 0\n";

/* KEYS 1 events; ARGV group, retention cutoff id ("ms-0"). Trims entries
 * older than both the oldest pending entry (or, with none pending, the last
 * delivered one) and the cutoff: never an unprocessed entry. Returns the
 * number of entries removed. */
static const char trim_lua[] =
	"local function parse(id)\n"
	"  local ms, seq = string.match(id, '^(%d+)-(%d+)$')\n"
	"  return tonumber(ms), tonumber(seq)\n"
	"end\n"
	"local function less(a, b)\n"
	"  local am, as = parse(a); local bm, bs = parse(b)\n"
	"  return am < bm or (am == bm and as < bs)\n"
	"end\n"
	"local ok, groups = pcall(redis.call, 'XINFO', 'GROUPS', KEYS[1])\n"
	"if not ok then return 0 end\n"
	"local floor = nil\n"
	"for _, g in ipairs(groups) do\n"
	"  local name, last, pending\n"
	"  for j = 1, #g, 2 do\n"
	"    if g[j] == 'name' then name = g[j + 1] end\n"
	"    if g[j] == 'last-delivered-id' then last = g[j + 1] end\n"
	"    if g[j] == 'pending' then pending = g[j + 1] end\n"
	"  end\n"
	"  if name == ARGV[1] then\n"
	"    floor = last\n"
	"    if pending > 0 then\n"
	"      floor = redis.call('XPENDING', KEYS[1], name)[2]\n"
	"    end\n"
	"  end\n"
	"end\n"
	"if not floor then return 0 end\n"
	"if less(ARGV[2], floor) then floor = ARGV[2] end\n"
	"return redis.call('XTRIM', KEYS[1], 'MINID', floor)\n";

static const struct {
	const char *name;
	const char *source;
} scripts[SCRIPT_COUNT] = {
	[SCRIPT_COMMIT] = {"commit", commit_lua},
	[SCRIPT_LEASE_TAKE] = {"lease_take", lease_take_lua},
	[SCRIPT_LEASE_RENEW] = {"lease_renew", lease_renew_lua},
	[SCRIPT_LEASE_DROP] = {"lease_drop", lease_drop_lua},
	[SCRIPT_TRIM] = {"trim", trim_lua},
};

const char *script_source(enum script_id id)
{
	return scripts[id].source;
}

const char *script_name(enum script_id id)
{
	return scripts[id].name;
}
