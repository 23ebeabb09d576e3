/*
 * progress: whether a partition worker still makes progress (docs/operations.md,
 * "Stalled partitions"). Pure: no clock, no I/O; every function takes the time
 * (a monotonic clock in milliseconds) from its caller.
 *
 * A worker is watched while progress is expected of it: it holds its
 * partition's lease, Redis is reachable and the daemon is not stopping.
 * Progress is a commit that succeeded or a read that found nothing new (the
 * partition is caught up), so a healthy idle partition progresses every
 * block_ms and a busy one with every batch. A watched worker without progress
 * for stall_ms is stalled: reported once, restarted from its lease, and
 * restarted again after every further stall_ms without progress. One without
 * progress for twice stall_ms was not cured by a restart: the process is
 * not healthy (the systemd watchdog goes unfed).
 */
#ifndef VS_PROGRESS_H
#define VS_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct progress {
	bool watched;       /* progress is expected of the worker */
	bool stalled;       /* reported stalled and not progressing since */
	int64_t last_ms;    /* last progress, or when the watch began */
	int64_t restart_ms; /* last restart for a stall */
};

enum progress_verdict {
	PROGRESS_OK,      /* not watched, or progressing */
	PROGRESS_STALLED, /* stalled just now: report it, restart the worker */
	PROGRESS_RESTART, /* still stalled stall_ms after the last restart: restart again */
	PROGRESS_WAITING, /* stalled; the last restart is recent */
};

void progress_init(struct progress *pr);
/* The worker made progress. Returns true when this ends a stall. */
bool progress_made(struct progress *pr, int64_t now_ms);
/* Called periodically; expected says whether progress is expected now. A
 * worker not expected to progress is not stalled, and its clock starts
 * afresh when it is expected again. */
enum progress_verdict progress_check(struct progress *pr, bool expected, int64_t now_ms,
				     int64_t stall_ms);
/* False when the worker is watched and has made no progress for twice
 * stall_ms: a restart for the stall did not help. */
bool progress_healthy(const struct progress *pr, int64_t now_ms, int64_t stall_ms);

#endif
