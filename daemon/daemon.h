/*
 * daemon: the process-wide state of vroegsignaald, shared by its modules.
 *
 * One libevent loop drives everything. The command connection carries every
 * non-blocking command of every partition (pipelined); each owned partition
 * has its own connection for its blocking XREAD (STYLE.md: a BLOCKing
 * read holds up every other command on its connection).
 */
#ifndef VS_DAEMON_H
#define VS_DAEMON_H

#include "dconfig.h"
#include "rules.h"
#include "rconn.h"
#include "rwait.h"
#include "generation.h"
#include "scripts.h"
#include "connector.h"
#include "opsdata_types.h"

#include <event2/event.h>
#include <stdbool.h>
#include <stdint.h>

struct partition;
struct vsd;
struct dispatcher;

/* Dead-letter reasons: the event reason codes, then two of the daemon's. */
enum { DEAD_STATE_CORRUPT = EV_REASON_COUNT, DEAD_DELIVERY_LIMIT, DEAD_REASONS };
#define STATS_LEVELS 4
#define STATS_ROLES 8

/* Counters, as committed: a partition counts a batch in its own copy and
 * adds it here when the commit succeeded (vsd_stats_add). */
struct vsd_stats {
	unsigned long long entries;      /* stream entries consumed (acked) */
	unsigned long long registrations; /* valid registrations applied */
	unsigned long long dead;         /* entries dead-lettered */
	unsigned long long tasks;        /* tasks created */
	unsigned long long commits;      /* commit scripts that succeeded */
	unsigned long long commit_failures;
	unsigned long long sweeps;       /* school days swept (per partition) */
	unsigned long long dead_by_reason[DEAD_REASONS];
	unsigned long long signals[RULE_COUNT][STATS_LEVELS];
	unsigned long long roles[STATS_ROLES]; /* tasks by partner role (routing.h) */
	unsigned long long reloads_ok, reloads_failed;
};

void vsd_stats_add(struct vsd_stats *into, const struct vsd_stats *batch);

/* Delivery latency histogram bounds (seconds from task creation to
 * delivery), for /metrics. */
#define DELIVERY_BUCKETS 12
extern const double delivery_bucket_le[DELIVERY_BUCKETS];

/* Per partner and connector: what the dispatcher and the ack API did. */
struct partner_stats {
	char partner[64];
	char connector[16];
	unsigned long long delivered, retried, failed, undeliverable;
	unsigned long long acks, acks_late;
	unsigned long long updates; /* updates of open cases delivered (in delivered too) */
	unsigned long long latency_bucket[DELIVERY_BUCKETS]; /* cumulative on output only */
	double latency_sum;
	unsigned long long latency_count;
};

struct dispatch_stats {
	unsigned long long accepted;         /* task records created */
	unsigned long long unrouted;         /* task roles no partner serves */
	unsigned long long tasks_unrouted;   /* tasks that reached no partner at all */
	char (*unrouted_logged)[112];        /* "rule level role school" already logged */
	int nunrouted_logged;
	unsigned long long escalations, reminders_scheduled, referrals;
	unsigned long long acks_rejected;    /* 401/403/404/409/422 answers */
	unsigned long long quarantined;      /* tasks held by the flood guard */
	struct partner_stats *partners;
	int npartners;
};

struct partner_stats *vsd_partner_stats(struct vsd *d, const char *partner, const char *connector);
/* Counts a delivery secs after its task was created. */
void partner_stats_latency(struct partner_stats *st, double secs);

/* main.c's start-up and stop state: loading the scripts (again after each
 * reconnection) and the deadline of a stop. */
struct vsd_start {
	int scripts_pending, scripts_failed;
	struct event *script_retry;       /* loading again after a failure */
	struct event *stop_deadline;      /* exit even if partitions have not stopped */
	struct vsd_script_load {
		struct vsd *d;
		int id;
	} loads[SCRIPT_COUNT];            /* the SCRIPT LOAD replies' arguments */
};
struct api_state;      /* api.c */
struct status_memory;  /* status_page.c */

struct vsd {
	struct event_base *base;
	struct vsd_config *cfg;       /* current configuration */
	char *config_path;
	struct rconn *cmd;            /* non-blocking commands */
	struct rwait wait;            /* WAIT after writes that commit work (rwait.h) */
	struct generation gen;        /* the marker of a wiped or rolled-back Redis (generation.h) */
	char script_sha[SCRIPT_COUNT][41];
	bool scripts_loaded;
	struct partition **parts;     /* cfg->daemon.partitions of them */
	int nparts;
	bool stopping;                /* SIGTERM received */
	int64_t events_clock_ms;      /* events clock: latest recorded_at applied by any
				       * partition of this instance (INT64_MIN: none) */
	int live_instances;           /* daemons heartbeating in vs:instances (>= 1) */
	long long *pending, *lag;     /* per partition: read, not committed; entries after
				       * the committed offset up to 100 (-1 unknown) */
	long long *lag_age_ms;        /* per partition: age of the first entry after the
				       * committed offset, 0 none (-1 unknown) */
	int64_t started_ms;
	struct vsd_http *http;        /* NULL when no http.listen is configured */
	struct vsd_stats stats;
	struct dispatch_stats dstats;
	struct dispatcher **disp;     /* one per partition, NULL when no partners are configured */
	struct ops_snapshot ops;      /* opsdata.h: what the status page and gauges show */
	struct ops_memory opsmem;     /* opsdata.c: what its poll remembers between rounds */
	struct connector_env cenv;    /* the connectors' shared machinery (curl multi) */
	void (*ownership_changed)(struct vsd *d); /* main.c: STATUS= to the service manager */
	struct vsd_start start;       /* main.c */
	struct api_state *api;        /* api.c: the partners' token buckets (NULL until used) */
	struct status_memory *statusmem; /* status_page.c: census cache, error log time (NULL until used) */
};

/* Wall-clock time in milliseconds since the epoch (task times, heartbeats,
 * retention cutoffs). */
int64_t vsd_wall_ms(void);
/* Monotonic milliseconds (progress and stall timing). */
int64_t vsd_mono_ms(void);

/* Called by partitions when they have stopped (lease released) so the
 * daemon can exit once all have. */
void vsd_partition_stopped(struct vsd *d);
/* Called by partitions when they take or lose their lease, so that the
 * service manager's STATUS= says at once how many are owned. */
void vsd_ownership_changed(struct vsd *d);

/* Partitions spread over the live instances: an instance owns at most
 * ceil(P / live instances) of them (vsd_fair_share), and hands the highest
 * ones back at a batch boundary when more instances come up. */
int vsd_fair_share(const struct vsd *d);
int vsd_owned(const struct vsd *d);

#endif
