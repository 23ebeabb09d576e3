/*
 * partition_int: what the files of a partition worker share (partition.c,
 * lease.c, intake.c, commit.c, sweep.c); not for use outside them. See
 * partition.h for the life of a worker.
 */
#ifndef VS_PARTITION_INT_H
#define VS_PARTITION_INT_H

#include "partition.h"

#include "dispatch.h"
#include "keys.h"
#include "nameindex.h"

#include "clock.h"
#include "cmdargs.h"
#include "date.h"
#include "log.h"
#include "progress.h"
#include "pupils.h"
#include "routing.h"
#include "rules.h"
#include "entries.h"
#include "util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The consumer group earlier versions read the events with: the first start
 * with no committed offset begins where it stood (RESUME). */
#define OLD_GROUP "rules"
#define RETRY_MS 500
#define SWEEP_SCAN_COUNT "256"
#define DIRTY 1u
/* A handover waits this long for the partition's deliveries under way to
 * end before it ends them (they are then due again at once). */
#define HANDOVER_GRACE_MS 5000

/* One stream entry of the batch in hand. */
struct entry {
	char id[48];
	bool trimmed; /* [id, NIL]: deleted before it was processed; just pass it */
	bool poison;  /* read more often than max_deliveries without a commit */
	int nfields;
	struct event_field *fields; /* point into blob */
	char *blob;
	bool valid;
	struct registration reg;
	struct event_error err;
	const char *dead_reason; /* overrides err when set ("state_corrupt", ...) */
	bool prefetched;         /* its pupil's state came with the prefetch */
};

/* Entries read in one reply: three allocations (the entries, every entry's
 * fields, and the text they point into), whatever the count. */
struct batch_buf {
	struct entry *v;
	int n;
	struct event_field *fields;
	char *blob;
};

/* The states of the read sent ahead, asked when it arrived (prefetch.c). */
enum prefetch_state { PF_NONE, PF_SENT, PF_READY };
struct prefetch {
	enum prefetch_state state;
	unsigned scans;  /* the partition's scans when asked: one since makes it stale */
	size_t n;        /* students asked, in the order of the HMGET */
	char **student;
	char **value;    /* the stored state (NULL: none), from the reply */
	size_t *len;
	struct name_index asked; /* the students, by name */
	bool waiting;    /* the batch waits for the reply (pt_load_states) */
};

/* The read sent ahead (intake.c): while the batch in hand is applied and
 * committed, Redis already serves the next read on the same connection. */
enum ahead_state { AHEAD_NONE, AHEAD_SENT, AHEAD_READY, AHEAD_FAILED };

typedef void (*part_next_fn)(struct partition *p);

/* A commit sent and not yet answered (commit.c); the replies come in order.
 * A batch's commit, and the part of a batch committed before a sweep, do
 * not wait for their reply (at most COMMITS_MAX at once): a commit after a
 * refused one is refused in turn (STALE), as the offset it was read after
 * was never committed. Eight, not four: a batch costs the two sides
 * differently (the daemon's rules, Redis's writes), and with four in
 * flight each side sat idle 0.8-1.2 s of a 3.3 s benchmark waiting for the
 * other; eight with the prefetch (prefetch.c) gave 3.0 s, sixteen no more
 * (bench/README.md). */
#define COMMITS_MAX 8
/* A batch's commit (also the first batch of a read, and the part of a
 * batch before a sweep) is left in flight while the partition goes on only
 * while fewer than this many are; a read's last batch always is, so up to
 * COMMITS_MAX are in flight before the next read waits (intake.c). While
 * the partition's dispatcher is behind, COMMITS_BATCHES_BEHIND: its TAKEs
 * and RESULTs wait in Redis behind every commit in flight, and with eight
 * the p99 from task to partner rose from ~205 to ~232 ms
 * (pt_commits_batches). */
#define COMMITS_BATCHES 7
#define COMMITS_BATCHES_BEHIND 3
struct commit_rec {
	struct vsd_stats pend; /* counted once it is committed */
	part_next_fn next;     /* runs after it; NULL: the partition went on at once */
};

struct partition {
	struct vsd *d;
	int index;
	char k_events[40], k_state[40], k_tasks[40], k_dead[40], k_lease[40], k_taskids[40],
		k_swept[40], k_daily[40], k_quarantined[48], k_offset[40];
	enum part_state state;
	struct rconn *blk;
	char token[128];
	bool lease_held;
	bool renew_in_flight;
	struct event *lease_timer;
	struct event *retry_timer;
	struct event *apply_ev;  /* the rest of a read, applied on the next turn of the loop */
	struct event *pause_ev;  /* the next read, after a pause for the deliveries */
	int pause_steps;         /* pause steps in a row before this read (intake.c) */
	unsigned pause_gen;      /* chain_gen when pause_ev was armed */
	unsigned apply_gen;      /* chain_gen when apply_ev was made active */
	struct pupil_table cache;
	int32_t swept_through; /* DATE_NONE: not yet known (events clock, no entry yet) */
	int64_t read_clock_ms; /* events clock: the instance's clock when the last read was sent */
	bool read_empty;       /* the last read of new entries returned none */
	char offset[48];       /* the committed offset: the last entry applied */
	char read_after[48];   /* the next read starts after this id */
	int tries;             /* starts at the offset without a commit (RESUME) */
	int careful;           /* entries still to read one at a time (the delivery limit) */
	bool poison_first;     /* the first entry read is dead-lettered unread */
	int64_t lease_sure_until; /* monotonic ms: the lease is ours until then at least */
	int64_t lease_asked_at;   /* monotonic ms the last take or renewal was sent */
	unsigned chain_gen;    /* replies to commands sent before the last pt_restart are stale */
	struct commit_rec commits[COMMITS_MAX]; /* sent, not yet answered, oldest first */
	int ncommits;
	bool drain_waiting;    /* pt_read_next waits for commits in flight (pt_commits_batches, a stop, a handover) */
	struct progress progress;           /* progress.h: stalled or not */
	unsigned long long stall_restarts;  /* restarts for a stall */
	bool handing_over;     /* waiting for the dispatcher to drain (pt_hand_over) */
	unsigned handover_gen; /* chain_gen when the handover began */
	/* the batch in hand */
	struct entry *batch;
	int nbatch, pos;
	struct event_field *batch_fields;
	char *batch_blob;
	/* the next batch, read ahead */
	struct batch_buf ahead;
	enum ahead_state ahead_state;
	bool ahead_waiting;     /* pt_read_next waits for the read sent ahead */
	int64_t ahead_clock_ms; /* the instance's events clock when it was sent */
	struct prefetch prefetch; /* its states */
	unsigned scans;         /* HSCAN pages of sweeps handled (stale prefetches) */
	/* the commit being built */
	struct cmdargs states, tasks, dead, hdel;
	char upto[48];         /* the last entry the commit applies ("" none): the new offset */
	bool commit_poison;    /* the commit dead-letters an entry for the delivery limit */
	bool clear_tries;      /* the commit clears the offset's start count (even unmoved) */
	int commit_tries;      /* the start count the commit sent: -1 none, 0 cleared */
	int nstates, ntasks, ndead, nacks, nhdel;
	/* absences per school and date in the commit being built (flood guard) */
	struct day_count {
		char school[EVENT_SCHOOL_MAX + 1];
		int32_t date;
		uint32_t hash; /* of school: compared before the string */
		int count;
	} *days;
	int ndays, cap_days;
	/* the distinct dates the commit counts on (tasks' and school days'):
	 * their "daily:<date>" keys are declared in the script's KEYS */
	int32_t *kdates;
	int nkdates, cap_kdates;
	uint32_t *dirty;
	size_t ndirty, cap_dirty;
	struct signal_list signals;
	/* the sweep in progress */
	int32_t sweep_from, sweep_to;
	char sweep_cursor[32];
	size_t sweep_next;      /* next cache index when sweeping from the cache */
	bool cache_complete;    /* the cache holds every pupil of the partition */
	int64_t last_scan_ms;   /* last full HSCAN (it also purges finished years) */
	part_next_fn after_sweep;
	bool sweep_in_batch;  /* the sweep interrupts a batch: its changes join the batch's commit */
	int32_t commit_swept; /* swept marker the commit writes, DATE_NONE = none */
	struct vsd_stats pend; /* counters of the commit being built */
};

/* partition.c */
const struct vsd_config *pt_cfg_of(const struct partition *p);
struct rules_env pt_env_of(const struct partition *p);
int32_t pt_state_base(const struct partition *p, int32_t date);
void pt_batch_clear(struct partition *p);
void pt_batch_buf_free(struct batch_buf *b);
void pt_ahead_drop(struct partition *p);
void pt_commit_clear(struct partition *p);
void pt_cache_drop(struct partition *p);
void pt_set_state(struct partition *p, enum part_state s);
void pt_restart(struct partition *p, const char *why);
void pt_lose_lease(struct partition *p, const char *why);
int pt_send_on(struct partition *p, struct rconn *conn, int extra_ms, rconn_reply_fn fn,
	       int argc, const char **argv, const size_t *lens);
int pt_send_cmd(struct partition *p, rconn_reply_fn fn, int argc, const char **argv,
		const size_t *lens);
int pt_send_args(struct partition *p, rconn_reply_fn fn, const struct cmdargs *a);
/* pt_send_cmd for a write that commits work: confirmed by WAIT (rwait.h). */
int pt_send_durable(struct partition *p, rconn_reply_fn fn, int argc, const char **argv,
		    const size_t *lens);
void pt_note_progress(struct partition *p);

/* lease.c */
void pt_on_lease_timer(evutil_socket_t fd, short what, void *arg);
void pt_acquire(struct partition *p);
void pt_on_retry(evutil_socket_t fd, short what, void *arg);
void pt_hand_over(struct partition *p);
bool pt_over_share(const struct partition *p);
void pt_release_lease(struct partition *p);

/* prefetch.c */
void pt_prefetch_send(struct partition *p);
void pt_prefetch_drop(struct partition *p);
/* The state the prefetch holds of student: 1 (*value, *len), 0 none stored,
 * -1 unknown (not asked, not answered yet, or stale). */
int pt_prefetch_find(struct partition *p, const char *student, const char **value, size_t *len);

/* intake.c */
void pt_start_setup(struct partition *p);
void pt_read_next(struct partition *p);
void pt_batch_resume(struct partition *p);
void pt_batch_continue(struct partition *p);
void pt_load_states(struct partition *p);
int pt_commits_batches(const struct partition *p);
void pt_on_apply(evutil_socket_t fd, short what, void *arg);
void pt_on_pause(evutil_socket_t fd, short what, void *arg);

/* commit.c */
void pt_commit_send(struct partition *p, part_next_fn next);
/* true when the commit being built would change nothing */
bool pt_commit_empty(const struct partition *p);
void pt_count_day(struct partition *p, const char *school, int32_t date);
void pt_mark_dirty(struct partition *p, struct pupil_entry *e);
void pt_add_signals(struct partition *p);
void pt_add_dead(struct partition *p, const struct entry *en, int reason_index,
		 const char *reason, const char *message);
void pt_add_ack(struct partition *p, const char *id);
void pt_batch_done(struct partition *p);

/* sweep.c */
bool pt_purge_state(const struct partition *p, struct pupil_state *st, bool *empty);
int32_t pt_wall_sweep_target(const struct partition *p);
void pt_sweep_then_apply(struct partition *p);
void pt_events_catch_up_then(struct partition *p, part_next_fn next);
void pt_maybe_sweep_then(struct partition *p, part_next_fn next);

#endif
