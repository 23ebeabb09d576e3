/*
 * scripts: the Lua scripts the daemon runs in Redis. Each touches only keys
 * of one partition (hash tag {p}), so it stays atomic in Redis Cluster.
 * docs/redis-keys.md describes the keys and the scripts' arguments.
 */
#ifndef VS_SCRIPTS_H
#define VS_SCRIPTS_H

enum script_id {
	SCRIPT_COMMIT,      /* a batch: states, tasks, dead letters, the offset, swept marker */
	SCRIPT_LEASE_TAKE,  /* take a free lease, or our own from a previous life */
	SCRIPT_LEASE_RENEW, /* extend the lease if the token still matches */
	SCRIPT_LEASE_DROP,  /* delete the lease if the token still matches */
	SCRIPT_TRIM,        /* XTRIM MINID behind the committed offset / oldest pending entry */
	SCRIPT_ACCEPT,      /* dispatcher: task entries -> task records, outbox, due times */
	SCRIPT_TAKE,        /* dispatcher: due outbox members of one partner, held while in flight */
	SCRIPT_RESULT,      /* dispatcher: a delivery's outcome (done, retry, fallback, failed) */
	SCRIPT_DUE,         /* dispatcher: reminders and escalations whose time has come */
	SCRIPT_ACK,         /* a partner's acknowledgement (and the MAZL referral) */
	SCRIPT_LIST,        /* a partner's open tasks */
	SCRIPT_QUARANTINE,  /* release or discard a quarantined school day's tasks */
	SCRIPT_REQUEUE,     /* dead letters back onto the event stream (operator) */
	SCRIPT_REDELIVER,   /* a failed delivery sent again from scratch (operator) */
	SCRIPT_ERASE,       /* everything naming a pupil, fenced by the lease (operator) */
	SCRIPT_CASEREAD,    /* a partner's cases, paged, or one case (read-only) */
	SCRIPT_RESUME,      /* where a partition starts reading its events (the committed offset) */
	SCRIPT_COUNT
};

const char *script_source(enum script_id id);
const char *script_name(enum script_id id);

#endif
