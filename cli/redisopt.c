/*
 * redisopt: see redisopt.h.
 */
#include "redisopt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_redis_setup(const char *cmd, const char *config_path, const char *redis_addr,
		    int *partitions, struct vsd_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	redis_config_defaults(&cfg->redis);
	if (config_path) {
		char *errors = NULL;
		if (vsd_config_load(config_path, cfg, &errors) != 0) {
			fprintf(stderr, "%s: invalid configuration:\n%s", cmd, errors);
			free(errors);
			return -1;
		}
		if (!*partitions)
			*partitions = cfg->daemon.partitions;
	}
	if (!*partitions)
		*partitions = 1;
	if (redis_addr && redis_config_parse_address(&cfg->redis, redis_addr) != 0) {
		fprintf(stderr, "%s: --redis: expected unix:/path, /path or HOST:PORT\n", cmd);
		vsd_config_free(cfg);
		return -1;
	}
	return 0;
}

redisContext *cli_redis_connect(const struct redis_config *rc)
{
	struct timeval tv = {rc->connect_timeout_ms / 1000, (rc->connect_timeout_ms % 1000) * 1000};
	redisContext *c = rc->unix_path[0] ? redisConnectUnixWithTimeout(rc->unix_path, tv)
					   : redisConnectWithTimeout(rc->host, rc->port, tv);
	if (!c || c->err) {
		fprintf(stderr, "redis: cannot connect to %s: %s\n",
			rc->unix_path[0] ? rc->unix_path : rc->host, c ? c->errstr : "no memory");
		if (c)
			redisFree(c);
		return NULL;
	}
	struct timeval ct = {rc->command_timeout_ms / 1000, (rc->command_timeout_ms % 1000) * 1000};
	redisSetTimeout(c, ct);
	if (rc->password) {
		redisReply *r = rc->user[0] ? redisCommand(c, "AUTH %s %s", rc->user, rc->password)
					    : redisCommand(c, "AUTH %s", rc->password);
		bool ok = r && r->type != REDIS_REPLY_ERROR;
		if (!ok)
			fprintf(stderr, "redis: AUTH refused: %s\n",
				r ? r->str : c->errstr);
		if (r)
			freeReplyObject(r);
		if (!ok) {
			redisFree(c);
			return NULL;
		}
	}
	return c;
}


redisContext *cli_redis_open(const char *cmd, const char *config_path, const char *redis_addr,
			     int *partitions, struct vsd_config *cfg)
{
	if (cli_redis_setup(cmd, config_path, redis_addr, partitions, cfg) != 0)
		return NULL;
	redisContext *c = cli_redis_connect(&cfg->redis);
	if (!c)
		vsd_config_free(cfg);
	return c;
}

void cli_redis_close(redisContext *c, struct vsd_config *cfg)
{
	redisFree(c);
	vsd_config_free(cfg);
}
