/*
 * daemon: the process-wide state of vroegsignaald, shared by its modules.
 *
 * One libevent loop drives everything. The command connection carries every
 * non-blocking command of every partition (pipelined); each owned partition
 * has its own connection for its blocking XREADGROUP (STYLE.md: a BLOCKing
 * read holds up every other command on its connection).
 */
#ifndef VS_DAEMON_H
#define VS_DAEMON_H

#include "dconfig.h"
#include "rconn.h"
#include "scripts.h"

#include <event2/event.h>
#include <stdbool.h>
#include <stdint.h>

struct partition;

struct vsd_stats {
	unsigned long long entries;      /* stream entries consumed (acked) */
	unsigned long long registrations; /* valid registrations applied */
	unsigned long long dead;         /* entries dead-lettered */
	unsigned long long tasks;        /* tasks created */
	unsigned long long commits;      /* commit scripts that succeeded */
	unsigned long long commit_failures;
	unsigned long long sweeps;       /* school days swept (per partition) */
};

struct vsd {
	struct event_base *base;
	struct vsd_config *cfg;       /* current configuration */
	char *config_path;
	struct rconn *cmd;            /* non-blocking commands */
	char script_sha[SCRIPT_COUNT][41];
	bool scripts_loaded;
	struct partition **parts;     /* cfg->daemon.partitions of them */
	int nparts;
	bool stopping;                /* SIGTERM received */
	int live_instances;           /* daemons heartbeating in vs:instances (>= 1) */
	struct vsd_stats stats;
};

/* Called by partitions when they have stopped (lease released) so the
 * daemon can exit once all have. */
void vsd_partition_stopped(struct vsd *d);

/* Partitions spread over the live instances: an instance owns at most
 * ceil(P / live instances) of them (vsd_fair_share), and hands the highest
 * ones back at a batch boundary when more instances come up. */
int vsd_fair_share(const struct vsd *d);
int vsd_owned(const struct vsd *d);

#endif
