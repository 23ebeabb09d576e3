/*
 * generation: noticing a Redis that was wiped, replaced or rolled back
 * (issue 12, item 5). Redis keeps a marker, the hash vs:generation:
 *
 *   id            random, written when the marker is created (first start on
 *                 an empty Redis) or confirmed by an operator
 *   counter       advanced by every daemon every few seconds (HINCRBY)
 *   confirmed_ms  when an operator last confirmed (0: never)
 *   refused       "<id or -> <what> <ms>": an instance refused this marker
 *                 (what: gone, replaced, rolled_back) at wall time ms; every
 *                 instance refuses while it is set for the marker's id, and
 *                 nobody advances the counter; `generation confirm` removes it
 *
 * Each daemon remembers the id, the highest counter it advanced to itself
 * (confirmed by WAIT when redis.min_replicas is set) and the confirmation
 * time, in a small file under daemon.state_dir (or in memory only when there
 * is none). Several instances on different hosts each remember their own
 * advances; any of them notices a marker that is gone, that carries another
 * id, or whose counter is below what it advanced it to. Such an instance
 * refuses to consume and dispatch until an operator runs `vroegsignaal
 * generation confirm`, which writes a new id with a newer confirmation time;
 * each daemon then takes that marker as its own. The refusal sticks: it is
 * kept in the memory file and written into the marker (refused), so neither
 * a counter advanced again by an instance that noticed nothing, nor a
 * restart ends it; only the operator's confirmation does. docs/operations.md,
 * "Durability", says what it catches and what it cannot.
 *
 * The marker has no partition tag: it is read and written only outside
 * scripts (keep Redis Cluster possible).
 */
#ifndef VS_GENERATION_H
#define VS_GENERATION_H

#include <event2/event.h>
#include <hiredis/hiredis.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GENERATION_KEY "vs:generation"
#define GENERATION_FILE "redis-generation"
#define GENERATION_ID_LEN 32

enum gen_verdict {
	GEN_OK,          /* the marker is the one remembered, not older */
	GEN_CREATE,      /* nothing remembered and no marker: write one (first start) */
	GEN_ADOPT,       /* nothing remembered, or an operator confirmed a new one: take it */
	GEN_GONE,        /* the marker remembered is missing */
	GEN_REPLACED,    /* another marker, not confirmed by an operator */
	GEN_ROLLED_BACK, /* the marker remembered, with a counter below ours */
	GEN_HELD,        /* another instance refused this marker (its refused field) */
};

struct gen_mark {
	bool present;         /* the key exists (remembered: there is a memory) */
	char id[GENERATION_ID_LEN + 1]; /* "" when the hash has no id */
	long long counter;
	long long confirmed_ms;
	/* a refusal: in the memory, one that sticks until an operator confirms;
	 * in a marker, its refused field (refused_id "-" for a marker without an
	 * id). GEN_OK: none */
	enum gen_verdict refused;
	long long refused_ms;
	char refused_id[GENERATION_ID_LEN + 1];
};

/* Pure: what to make of marker m (from Redis) given memory mem. */
enum gen_verdict generation_judge(const struct gen_mark *mem, const struct gen_mark *m);
/* One line for the log, /readyz and the status page (no quotes). */
void generation_describe(enum gen_verdict v, const struct gen_mark *mem, const struct gen_mark *m,
			 char *buf, size_t cap);
/* Reads an HGETALL reply; -1 when it is not one or a field is malformed. */
int generation_mark_read(const redisReply *r, struct gen_mark *out);
/* The marker's refused field applies to it (names its id). */
bool generation_refusal_applies(const struct gen_mark *m);
/* The refused field's value for a refusal of marker m (cap >= 80). */
void generation_refusal_format(enum gen_verdict why, long long at_ms, const struct gen_mark *m,
			       char *buf, size_t cap);
/* A new random id (hex). */
void generation_new_id(char out[GENERATION_ID_LEN + 1]);
/* The memory file: 0 read, 1 no such file (mem->present false), -1
 * unreadable (errno-style message in err). */
int generation_file_read(const char *path, struct gen_mark *mem, char *err, size_t cap);
/* Writes it (a temporary file renamed over it). 0 or -1. */
int generation_file_write(const char *path, const struct gen_mark *mem);

/* ---- the daemon's watch ---- */

struct vsd;

struct generation {
	struct gen_mark mem;  /* remembered */
	char path[320];       /* the memory file, "" for memory only */
	bool checked;         /* a check passed since the connection became ready */
	bool mismatch;        /* refused until an operator confirms */
	char reason[240];
	int64_t logged_ms;    /* the refusal last logged (monotonic), INT64_MIN never */
	bool busy;            /* a check in flight */
	unsigned rounds;
	struct event *timer;
};

/* Reads the memory (daemon.state_dir, else $STATE_DIRECTORY, else none)
 * and starts the periodic check. -1 when the memory file is unreadable. */
int generation_start(struct vsd *d);
void generation_free(struct vsd *d);
/* The command connection left READY: consuming waits for a new check. */
void generation_connection_lost(struct vsd *d);
/* The connection is ready: check now. */
void generation_kick(struct vsd *d);
/* Consuming and dispatching may go on: checked, no mismatch. */
bool generation_ok(const struct vsd *d);

#endif
