/*
 * opsdata: what operations watches, read from Redis every few seconds by
 * every instance (all partitions, not only its own): school days in
 * quarantine (logged once each), the operators' closures (vs:closures),
 * which it applies to the calendar, and, when http.listen serves them,
 * open and overdue assignments per partner, dead letters and held tasks.
 * /metrics and the status page read the last complete snapshot.
 */
#ifndef VS_OPSDATA_H
#define VS_OPSDATA_H

#include "daemon.h"

/* Starts a polling round (skipped while one is still running). */
void opsdata_poll(struct vsd *d);
/* Re-applies every known closure to the (reloaded) calendar. */
void opsdata_reapply_closures(struct vsd *d);
void opsdata_free(struct vsd *d);

#endif
