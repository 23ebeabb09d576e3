/*
 * sentinel: the pure parts of running on Redis Sentinel, shared by the
 * daemon's connections (rconn.c) and the CLI's (cli/redisopt.c):
 *   - the address of a sentinel as written in redis.sentinels
 *     ("HOST:PORT", "[V6]:PORT", "unix:/path" or "/path");
 *   - the replies of SENTINEL get-master-addr-by-name and ROLE;
 *   - the +switch-master message a sentinel publishes;
 *   - which error replies mean "this is not (or no longer) a usable
 *     master": the client then asks the sentinels again.
 * No I/O here: everything takes a string or a parsed hiredis reply.
 */
#ifndef VS_SENTINEL_H
#define VS_SENTINEL_H

#include <hiredis/hiredis.h>
#include <stdbool.h>
#include <stddef.h>

#define SENTINEL_MAX 8

/* A sentinel, or the master a sentinel named: a unix socket path, or a host
 * (as written: the configuration resolves names) and a port. */
struct sentinel_addr {
	char unix_path[108]; /* non-empty: a unix socket */
	char host[64];
	int port;
};

/* Parses one address. Returns 0, or -1 (empty, no port, port out of range,
 * too long). */
int sentinel_parse_address(const char *s, struct sentinel_addr *out);

/* Writes "host:port" or the socket path into buf (for logs). */
void sentinel_addr_format(const struct sentinel_addr *a, char *buf, size_t cap);

enum redis_role {
	ROLE_UNKNOWN, /* not a ROLE reply (an error, an old server, garbage) */
	ROLE_MASTER,
	ROLE_REPLICA,
	ROLE_SENTINEL,
};

/* The role in a ROLE reply (its first element). */
enum redis_role sentinel_parse_role(const redisReply *r);

enum sentinel_master_result {
	SENTINEL_MASTER_OK,      /* *out holds the master's address */
	SENTINEL_MASTER_UNKNOWN, /* this sentinel does not know the name (nil) */
	SENTINEL_MASTER_BAD,     /* an error reply or a malformed one */
};

/* Parses the reply of SENTINEL get-master-addr-by-name: [host, port]. */
enum sentinel_master_result sentinel_parse_master(const redisReply *r, struct sentinel_addr *out);

/* True when r is a pub/sub message on +switch-master about master_name
 * ("message", "+switch-master", "NAME OLDIP OLDPORT NEWIP NEWPORT"); *to
 * (may be NULL) then receives the new address. */
bool sentinel_is_switch(const redisReply *r, const char *master_name, struct sentinel_addr *to);

/* True when an error reply means the server is no master we may write to
 * any more: READONLY (a replica), NOREPLICAS (min-replicas-to-write not
 * met, usually a master cut off from its replicas), MASTERDOWN (a replica
 * that lost its master), UNBLOCKED (a blocking read ended because the
 * server changed role). The client then drops the connection, treats the
 * command's outcome as unknown and asks the sentinels again. */
bool sentinel_error_means_failover(const redisReply *r);

/* The answer to AUTH on a sentinel: accepted; or an error only because the
 * sentinel demands no password at all (Redis: "AUTH <password> called
 * without any password configured ..."), which lets credentials be given
 * to vroegsignaal before `requirepass` is set on the sentinels; or refused
 * (WRONGPASS and any other error): that sentinel is not to be used. */
enum sentinel_auth_result {
	SENTINEL_AUTH_OK,
	SENTINEL_AUTH_UNNEEDED,
	SENTINEL_AUTH_REFUSED,
};
enum sentinel_auth_result sentinel_auth_answer(const redisReply *r);

#endif
