/*
 * opsdata: what operations watches, read from Redis every few seconds by
 * every instance (all partitions, not only its own): open and overdue
 * assignments per partner, dead letters, school days in quarantine; and
 * the operators' closures (vs:closures), which it applies to the calendar.
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
