/*
 * daemon: what the modules of vroegsignaald share (daemon.h): the clocks,
 * the counters and their per-partner table, the partitions' fair share, and
 * the exit once every partition has stopped. main.c only wires things
 * together, so the daemon's library links without it.
 */
#include "daemon.h"

#include "log.h"
#include "partition.h"
#include "util.h"

#include <string.h>
#include <time.h>

void vsd_partition_stopped(struct vsd *d)
{
	if (!d->stopping)
		return;
	for (int i = 0; i < d->nparts; i++)
		if (partition_state(d->parts[i]) != PS_STOPPED)
			return;
	log_info("all partitions stopped; exiting");
	event_base_loopexit(d->base, NULL);
}

void vsd_ownership_changed(struct vsd *d)
{
	if (d->ownership_changed)
		d->ownership_changed(d);
}

int64_t vsd_wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t vsd_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const double delivery_bucket_le[DELIVERY_BUCKETS] = {0.05, 0.1, 0.25, 0.5, 1,   2.5,
						     5,    10,  30,   60,  300, 900};

struct partner_stats *vsd_partner_stats(struct vsd *d, const char *partner, const char *connector)
{
	struct dispatch_stats *ds = &d->dstats;
	for (int i = 0; i < ds->npartners; i++)
		if (strcmp(ds->partners[i].partner, partner) == 0 &&
		    strcmp(ds->partners[i].connector, connector) == 0)
			return &ds->partners[i];
	ds->partners = xrealloc(ds->partners, (size_t)(ds->npartners + 1) * sizeof *ds->partners);
	struct partner_stats *st = &ds->partners[ds->npartners++];
	memset(st, 0, sizeof *st);
	str_copy(st->partner, partner, sizeof st->partner);
	str_copy(st->connector, connector, sizeof st->connector);
	return st;
}

void vsd_stats_add(struct vsd_stats *into, const struct vsd_stats *batch)
{
	into->entries += batch->entries;
	into->registrations += batch->registrations;
	into->dead += batch->dead;
	into->tasks += batch->tasks;
	into->commits += batch->commits;
	into->commit_failures += batch->commit_failures;
	into->sweeps += batch->sweeps;
	for (int i = 0; i < DEAD_REASONS; i++)
		into->dead_by_reason[i] += batch->dead_by_reason[i];
	for (int r = 0; r < RULE_COUNT; r++)
		for (int l = 0; l < STATS_LEVELS; l++)
			into->signals[r][l] += batch->signals[r][l];
	for (int i = 0; i < STATS_ROLES; i++)
		into->roles[i] += batch->roles[i];
	into->reloads_ok += batch->reloads_ok;
	into->reloads_failed += batch->reloads_failed;
}

void partner_stats_latency(struct partner_stats *st, double secs)
{
	if (secs < 0)
		secs = 0;
	st->latency_sum += secs;
	st->latency_count++;
	for (int b = 0; b < DELIVERY_BUCKETS; b++)
		if (secs <= delivery_bucket_le[b]) {
			st->latency_bucket[b]++;
			break;
		}
}

int vsd_fair_share(const struct vsd *d)
{
	int live = d->live_instances > 0 ? d->live_instances : 1;
	return (d->nparts + live - 1) / live;
}

int vsd_owned(const struct vsd *d)
{
	int n = 0;
	for (int i = 0; i < d->nparts; i++)
		n += partition_holds_lease(d->parts[i]);
	return n;
}
