/*
 * dispatch: from task entries to deliveries, reminders and escalations, for
 * one partition, in the daemon that holds the partition's lease.
 *
 *   vs:{p}:tasks ──XREADGROUP "dispatch"──▶ ACCEPT script: task record
 *   (vs:{p}:task:<id>), one assignment per partner, its outbox member, its
 *   due time and reminder (vs:{p}:due), audit; XACK the entry (atomic)
 *        │
 *   vs:{p}:outbox:<partner> (sorted by next attempt) ──TAKE──▶ connector
 *        ──▶ RESULT script: delivered, retry at t, fallback, failed; audit
 *        │
 *   vs:{p}:due ──DUE──▶ reminder into the outbox; overdue → escalation task
 *   (XADD vs:{p}:tasks, so it is dispatched like any other task)
 *
 * Everything durable is in Redis, so a restart (or another instance taking
 * the lease) resumes exactly there: a member taken but not finished comes
 * due again after its hold time and is sent again with the same
 * Idempotency-Key. Each partner has its own outbox and its own limit of
 * deliveries in flight, so a partner that is down or slow never delays the
 * others. Phases of the entry reader:
 *
 *   CREATE (XGROUP CREATE, BUSYGROUP is fine) ─▶ CLAIM (XAUTOCLAIM from
 *   0-0: entries of a previous owner or life) ─▶ NEW (XREADGROUP >)
 *
 * A lost lease or connection resets the reader to CREATE; replies from
 * before the reset are dropped (generation counter).
 *
 * A voluntary handover (the partition goes to a newcomer) drains the
 * dispatcher before the lease is given up, so that every result is recorded
 * under the lease that started the delivery (the RESULT script checks it):
 *
 *   NONE ─dispatcher_drain─▶ WAITING: nothing new is read, fired or taken;
 *   members a take in flight returns are made due again at once; deliveries
 *   under way end and their results are recorded (transfers still running
 *   after the grace are ended and made due again at once) ─ all replies in,
 *   drained() ─▶ RELEASING: quiet until the partition no longer holds the
 *   lease (or drained() declined) ─▶ NONE
 */
#ifndef VS_DISPATCH_H
#define VS_DISPATCH_H

#include "daemon.h"

struct dispatcher;

/* What the dispatcher sees of its partition's lease: the token its scripts
 * present (fencing), whether the lease is held, and whether the partition
 * is giving it up (a handover). */
struct lease_view {
	const void *ctx;
	const char *(*token)(const void *ctx);
	bool (*held)(const void *ctx);
	bool (*releasing)(const void *ctx);
};

/* Where the dispatcher counts deliveries, per partner and connector. */
struct delivery_sink {
	void *ctx;
	struct partner_stats *(*partner)(void *ctx, const char *partner, const char *connector);
};

/* What a dispatcher gets from the daemon besides its connections and
 * configuration (struct vsd): its lease, a clock and its counters. */
struct dispatch_env {
	struct lease_view lease;
	int64_t (*wall_ms)(void); /* milliseconds since the epoch */
	struct delivery_sink stats;
};

struct dispatcher *dispatcher_new(struct vsd *d, const struct dispatch_env *env, int index);
void dispatcher_free(struct dispatcher *ds);
/* Tasks were created (or the configuration changed): look now. */
void dispatcher_kick(struct dispatcher *ds);
/* The deliveries are behind the tasks: the last read of the tasks stream
 * was full (more wait to be accepted), or some partner's outbox holds more
 * due deliveries than one TAKE takes (the partition pauses its intake
 * briefly, intake.c). False without partners. */
bool dispatcher_behind(const struct dispatcher *ds);
/* Runs once the dispatcher is drained (see above); returns true if the
 * partition now gives up its lease, false if the handover was dropped (the
 * dispatcher then goes on as before). */
typedef bool (*dispatcher_drained_fn)(void *arg);
/* Starts draining for a handover; drained(arg) runs from the dispatcher's
 * timer once nothing is in flight, at the latest grace_ms plus the time the
 * recording of the last results takes. A later call replaces the callback. */
void dispatcher_drain(struct dispatcher *ds, int grace_ms, dispatcher_drained_fn drained, void *arg);

#endif
