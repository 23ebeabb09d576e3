/*
 * redisopt: what the CLI commands that talk to Redis (send, status) share:
 * the configuration with --redis and --partitions applied (or, with
 * redis.sentinels in the file and no --redis, the master the sentinels name), and a blocking
 * connection with the configured timeouts and AUTH.
 */
#ifndef VS_REDISOPT_H
#define VS_REDISOPT_H

#include "dconfig.h"

#include <hiredis/hiredis.h>

/* Loads config_path (may be NULL: defaults, no calendar), then applies
 * redis_addr (may be NULL) and fills *partitions when it is 0 (the file's
 * daemon.partitions, else 1). Errors are reported as "CMD: ...". Returns 0,
 * or -1 with nothing left to free. */
int cli_redis_setup(const char *cmd, const char *config_path, const char *redis_addr,
		    int *partitions, struct vsd_config *cfg);

/* Connects with the configured timeouts and authenticates. NULL on error
 * (reported on stderr). With redis.sentinels (and no --redis) the master is
 * asked of the sentinels in turn and a server whose ROLE is not master is
 * not used; a failover in progress is waited for up to connect_timeout_ms. */
redisContext *cli_redis_connect(const struct redis_config *rc);
/* AUTH with the configured user and password (nothing without a password).
 * Returns 0, or -1 (reported on stderr). */
int cli_redis_auth(redisContext *c, const struct redis_config *rc);

/* Both: cli_redis_setup, then cli_redis_connect. NULL (reported, nothing
 * left to free) on failure; else close with cli_redis_close. */
redisContext *cli_redis_open(const char *cmd, const char *config_path, const char *redis_addr,
			     int *partitions, struct vsd_config *cfg);
void cli_redis_close(redisContext *c, struct vsd_config *cfg);

#endif
