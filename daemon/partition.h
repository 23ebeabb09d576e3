/*
 * partition: consuming one partition's event stream (vs:{p}:events) with
 * effectively-once commits. The life of a partition worker:
 *
 *   IDLE ──lease_take──▶ SETUP (RESUME script: the committed offset and its
 *   start count; GET swept) ──▶ READING (blocking XREAD after the offset) ◀──┐
 *        each batch: LOADING (HMGET of uncached states) ─▶ COMMITTING ────┘
 *   COMMIT moves the offset (vs:{p}:offset) to the batch's last entry, and
 *   only if it still is where the batch was read after; so a takeover needs
 *   no claiming: the next owner reads after the same offset. The delivery
 *   limit without a pending list: RESUME counts the starts at one offset;
 *   at daemon.max_deliveries the entries after it are read one at a time,
 *   and past it the first of them goes to the dead letters unapplied.
 *   SWEEPING (the cached states swept, then HSCAN of the stored ones; a
 *   commit per batch's worth of changed states and tasks) runs between
 *   batches.
 *   Any failure (a reply lost, a refused commit, the lease lost) drops the
 *   state cache and goes back to IDLE; the next round starts again from the
 *   lease, so there is one recovery path for every kind of failure. A partition
 *   that holds its lease and makes no progress for daemon.stall_ms (progress.h)
 *   is restarted the same way; a restart keeps the lease and takes it back.
 *   STOPPED: SIGTERM; the batch in flight was committed and the lease released.
 *
 * Only one operation of a partition is in flight at a time, so the cache,
 * the batch and the sweep never see each other half-done. The one exception
 * is a read: a read brings daemon.read_batches batches' worth of entries,
 * and after a full one the next XREAD (after its last entry) is sent at once
 * on the command connection (Redis serves it while the read in hand is
 * applied); its entries are kept aside and become the next read in hand,
 * and the states of its uncached pupils are asked as soon as it arrives
 * (prefetch.c), so its turn rarely waits for an HMGET. A
 * handover, a stop or a restart drops them unread: they are read again, in
 * order, after the committed offset. Each batch's worth is committed on its
 * own and not waited for (COMMITS_BATCHES, COMMITS_MAX in partition_int.h):
 * the next is applied on top of it, and its commit, read after the first
 * one's offset, is refused (STALE) if the first was. The part of a batch
 * before a sweep is not waited for either; a sweep inside a batch has no
 * commit of its own, its changes join the commit of the batch's rest. While
 * the partition's dispatcher is behind, the next read waits briefly and
 * fewer commits go in flight (dispatcher_behind, pt_commits_batches).
 */
#ifndef VS_PARTITION_H
#define VS_PARTITION_H

#include "daemon.h"

#include <stdbool.h>

enum part_state {
	PS_IDLE,       /* no lease; waiting to (re)acquire it */
	PS_ACQUIRING,  /* lease_take sent */
	PS_SETUP,      /* reading the committed offset (RESUME) and the swept marker */
	PS_READING,    /* blocking read of new entries */
	PS_LOADING,    /* loading pupil states of a batch */
	PS_COMMITTING, /* commit script in flight */
	PS_SWEEPING,   /* daily sweep in progress */
	PS_STOPPING,   /* releasing the lease */
	PS_STOPPED,
};

struct partition *partition_new(struct vsd *d, int index);
void partition_free(struct partition *p);
/* Something changed (a connection became ready, scripts loaded): move on if
 * the partition waits for it. */
void partition_kick(struct partition *p);
/* A connection left READY: whatever was in flight has an unknown outcome. */
void partition_connection_lost(struct partition *p);
/* Stops what the partition is doing and starts over from the lease (which
 * then waits while the daemon may not consume, e.g. generation_ok). */
void partition_hold(struct partition *p, const char *why);
/* SIGTERM: finish what is in flight, release the lease, stop. */
void partition_stop(struct partition *p);
/* Periodic trim of processed entries. */
void partition_trim(struct partition *p);
enum part_state partition_state(const struct partition *p);
const char *partition_state_name(enum part_state s);
bool partition_holds_lease(const struct partition *p);
/* The lease token the partition's scripts present (fencing). */
const char *partition_token(const struct partition *p);
/* Periodic progress watch (progress.h): a partition holding its lease that
 * made no progress for daemon.stall_ms is reported (a warning, once) and
 * restarted from its lease, again every stall_ms until it moves. */
void partition_watch(struct partition *p);
/* Stalled now (reported, not progressing since). */
bool partition_stalled(const struct partition *p);
/* False once a stall outlasted a restart (twice stall_ms without progress):
 * the systemd watchdog is then not fed. */
bool partition_healthy(const struct partition *p);
unsigned long long partition_stall_restarts(const struct partition *p);
/* The committed offset as the partition last read or wrote it ("" before
 * its first start), and the entries it holds read and not yet committed. */
const char *partition_offset(const struct partition *p);
long long partition_in_hand(const struct partition *p);

#endif
