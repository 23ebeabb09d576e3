/*
 * scripts: the Lua scripts the daemon runs in Redis. Each touches only keys
 * of one partition (hash tag {p}), so it stays atomic in Redis Cluster.
 * docs/redis-keys.md describes the keys and the scripts' arguments.
 */
#ifndef VS_SCRIPTS_H
#define VS_SCRIPTS_H

enum script_id {
	SCRIPT_COMMIT,      /* a batch: states, tasks, dead letters, acks, swept marker */
	SCRIPT_LEASE_TAKE,  /* take a free lease, or our own from a previous life */
	SCRIPT_LEASE_RENEW, /* extend the lease if the token still matches */
	SCRIPT_LEASE_DROP,  /* delete the lease if the token still matches */
	SCRIPT_TRIM,        /* XTRIM MINID behind the oldest pending entry */
	SCRIPT_COUNT
};

const char *script_source(enum script_id id);
const char *script_name(enum script_id id);

#endif
