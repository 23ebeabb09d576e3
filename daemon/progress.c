/*
 * progress: see progress.h.
 */
#include "progress.h"

#include <string.h>

void progress_init(struct progress *pr)
{
	memset(pr, 0, sizeof *pr);
}

bool progress_made(struct progress *pr, int64_t now_ms)
{
	bool was = pr->stalled;
	pr->last_ms = now_ms;
	pr->stalled = false;
	return was;
}

enum progress_verdict progress_check(struct progress *pr, bool expected, int64_t now_ms,
				     int64_t stall_ms)
{
	if (!expected) {
		pr->watched = false;
		pr->stalled = false;
		return PROGRESS_OK;
	}
	if (!pr->watched) {
		pr->watched = true;
		pr->last_ms = now_ms;
		return PROGRESS_OK;
	}
	if (now_ms - pr->last_ms < stall_ms)
		return PROGRESS_OK;
	if (!pr->stalled) {
		pr->stalled = true;
		pr->restart_ms = now_ms;
		return PROGRESS_STALLED;
	}
	if (now_ms - pr->restart_ms >= stall_ms) {
		pr->restart_ms = now_ms;
		return PROGRESS_RESTART;
	}
	return PROGRESS_WAITING;
}

bool progress_healthy(const struct progress *pr, int64_t now_ms, int64_t stall_ms)
{
	return !pr->watched || now_ms - pr->last_ms < 2 * stall_ms;
}
