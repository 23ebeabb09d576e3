/*
 * dconfig: the daemon's sections of the configuration file ("redis",
 * "daemon"), validated with the same file:line:column errors as the rules
 * (docs/configuration.md lists every key). Loaded at start and on SIGHUP.
 */
#ifndef VS_DCONFIG_H
#define VS_DCONFIG_H

#include "config.h"
#include "partners.h"
#include "sentinel.h"

#include <stdbool.h>
#include <stdint.h>

struct redis_config {
	char unix_path[256];  /* non-empty: connect over this unix socket */
	char host[64];        /* IP literal (resolved at load time) */
	int port;
	char user[64];        /* ACL user, "" = default user */
	char *password;       /* NULL = no AUTH; read from password_file if given */
	int connect_timeout_ms;
	int command_timeout_ms;
	int min_replicas;     /* WAIT for this many replicas after each write that
			       * commits work (0: no WAIT) */
	int wait_timeout_ms;  /* WAIT's timeout */
	/* Sentinel (redis.sentinels, redis.master_name): with nsentinels > 0 the
	 * master is asked of these sentinels and unix_path/host/port are unused. */
	struct sentinel_addr sentinels[SENTINEL_MAX];
	int nsentinels;
	char master_name[64];
	/* AUTH on the sentinels (redis.sentinel_user, sentinel_password[_file]):
	 * a sentinel with `requirepass` or an ACL user of its own */
	char sentinel_user[64];
	char *sentinel_password; /* NULL = the sentinels are asked without AUTH */
};

enum sweep_clock {
	SWEEP_WALL,   /* sweep each school day at sweep_time (local time) */
	SWEEP_EVENTS, /* sweep days before each registration's date, as replay does */
};

struct daemon_config {
	int partitions;         /* P: keys vs:{0}..vs:{P-1} */
	char consumer[64];      /* consumer name in the group, default host-pid */
	int batch_size;         /* registrations per commit */
	int read_batches;       /* batches' worth per read (XREAD COUNT batch_size x this) */
	int block_ms;           /* XREAD BLOCK */
	int lease_ms;           /* lease time; renewed every lease_ms / 3 */
	int claim_idle_ms;      /* no longer used (no consumer group); accepted in older files */
	int max_deliveries;     /* starts after one offset before entries go one at a time (intake.c) */
	enum sweep_clock sweep_clock;
	char timezone[64];
	int trim_interval_s;    /* how often processed entries are trimmed */
	int64_t events_retention_ms; /* processed entries are kept at least this long */
	int state_retention_days;    /* state of a finished year is kept this long */
	int dead_retention_days;     /* dead letters are trimmed after this long */
	int action_window_hours;     /* due_at = created_at + window */
	int max_cached_pupils;
	int stall_ms;
	char state_dir[256];    /* the daemon's own files (the Redis generation); "" =
				 * $STATE_DIRECTORY, else none */           /* a partition with the lease and no progress this long is stalled */
};

struct http_config {
	bool enabled;     /* "http": {"listen": "127.0.0.1:9464"} given */
	char host[64];    /* IP literal */
	int port;         /* 0: any free port (the log says which) */
	int rate_per_s;   /* partner API: requests per second per partner */
	int burst;        /* ... and the burst above that rate */
	int unauth_rate_per_s; /* requests without a valid token, per client address */
	int unauth_burst;
	int max_connections;   /* open HTTP connections (also capped by the descriptor limit) */
	int idle_timeout_s;    /* a connection silent this long is closed */
	int request_timeout_s; /* a request must arrive whole within this time */
};

/* "operations": the operator's token (status page, operator endpoints) and
 * the flood guard. */
struct ops_config {
	unsigned char token_sha256[32];
	bool has_token;
	int flood_max_tasks;     /* tasks per school and signal date; 0 = off */
	int flood_max_registrations; /* absences per school and date; 0 = off */
	int flood_share_percent; /* absences as a share of the school's pupils ("schools"); 0 = off */
};

struct vsd_config {
	struct vs_config base; /* calendar and rules */
	struct redis_config redis;
	struct daemon_config daemon;
	struct http_config http;
	struct partners_config *partners; /* partners, routes, dispatch (never NULL once loaded) */
	struct ops_config ops;
};

/* Loads the whole file. Returns 0, or -1 with newline-separated errors in
 * *errors (caller frees). */
int vsd_config_load(const char *path, struct vsd_config *cfg, char **errors);
/* Same; with resolve false a redis.host name is kept as written, unresolved
 * (the SIGHUP reload runs on the event loop, which never resolves names;
 * Redis settings only take effect at a restart anyway). */
int vsd_config_load_opts(const char *path, struct vsd_config *cfg, char **errors, bool resolve);
void vsd_config_free(struct vsd_config *cfg);

/* The flood limits of a school: more tasks on one signal date
 * (ops_flood_task_limit, the same for every school), or more absences registered for one date
 * (ops_flood_reg_limit: the absolute limit or the share of its pupils,
 * whichever is lower), put that school day in quarantine. Counted per
 * partition, so the limits are divided over the P partitions (rounded up).
 * 0 = no limit. */
int ops_flood_task_limit(const struct vsd_config *cfg);
int ops_flood_reg_limit(const struct vsd_config *cfg, const char *school);


/* Defaults only (used by the CLI tools that take --redis). */
void redis_config_defaults(struct redis_config *rc);

/* Parses a --redis address: "unix:/path", "/path" or "HOST:PORT" (HOST an IP
 * literal or a name resolved now). Returns 0 or -1. */
int redis_config_parse_address(struct redis_config *rc, const char *addr);

#endif
