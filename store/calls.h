/*
 * calls: the script calls that more than one program makes, each built in
 * one place (its keys and arguments in the order store/lua/ expects) and
 * its reply read in one place. The daemon sends them with EVALSHA, the CLI
 * with EVAL.
 */
#ifndef VS_CALLS_H
#define VS_CALLS_H

#include "cmdargs.h"
#include "keys.h"

#include <hiredis/hiredis.h>
#include <stdbool.h>
#include <stdint.h>

/* How a call names its script: by SHA1 (EVALSHA, the script loaded) or by
 * its source (EVAL). */
struct script_ref {
	const char *text; /* the SHA1 or the source */
	bool sha;
};

/* ACK (store/lua/ack.lua): partner acknowledges task id in partition part.
 * The script must be given the task's case (its key declared): send it
 * first with case_id "" and, on ACK_CASE, again with the case id the reply
 * names (ACK_CASE_TRIES times at most: the case changes only when the task
 * is made again). */
struct ack_call {
	int part;
	const char *id, *partner, *outcome, *note;
	int64_t now_ms;
	const char *now_iso; /* now_ms as RFC 3339 (format_instant) */
	int window_hours;
	const char *case_id; /* the record's "<partner>.case", "" for none */
};
#define ACK_CASE_TRIES 3
void call_ack(struct cmdargs *c, struct script_ref script, const struct ack_call *a);

enum ack_status {
	ACK_OK,        /* acknowledged */
	ACK_LATE,      /* acknowledged after it was due */
	ACK_REPEAT,    /* the same outcome again: harmless */
	ACK_CONFLICT,  /* acknowledged before with another outcome (previous) */
	ACK_FORBIDDEN, /* not this partner's task */
	ACK_DENIED,    /* an outcome this partner may not give (the MAZL consult: school only) */
	ACK_NOTFOUND,  /* no such task in this partition */
	ACK_CASE,      /* nothing done: send again with case_id = reply's case_id */
};
struct ack_reply {
	enum ack_status status;
	const char *previous; /* ACK_CONFLICT: the earlier outcome (points into the reply) */
	const char *referral; /* the referral task created, "" for none (into the reply) */
	const char *case_id;  /* ACK_CASE: the task's case id (into the reply) */
};
/* Reads ACK's reply; -1 when it is not one. */
int ack_reply_read(const redisReply *r, struct ack_reply *out);

/* ERASE (store/lua/erase.lua): removes the pupil student from partition
 * part along store/keys.c's erase_plan and fences the partition's lease
 * with the value fence for fence_ms. Three steps, so that every key the
 * script touches is declared: erase_fence (SET the lease to the fence),
 * the keys of each pattern of the plan found with erase_scan (SCAN ...
 * TYPE, repeated until the cursor is "0"), then call_erase with them. On a
 * "FENCE" refusal (the fence expired meanwhile) start over. */
struct erase_call {
	int part;
	const char *student, *fence;
	int fence_ms;
	int64_t now_ms;
	size_t nfound;
	const char *const *found;        /* keys found for the plan's patterns */
	const enum erase_how *found_how; /* and how each names the pupil */
};
void erase_fence(struct cmdargs *c, const struct erase_call *e);
/* SCAN for the plan's line item from cursor (the reply: {next cursor, keys}). */
void erase_scan(struct cmdargs *c, const struct erase_call *e, const struct erase_item *item,
		const char *cursor);
void call_erase(struct cmdargs *c, struct script_ref script, const struct erase_call *e);

struct erase_reply {
	long long fields, records, entries, members, ids, named;
	const redisReply *partners; /* array of partner ids (points into the reply) */
};
/* Reads ERASE's reply; -1 when it is not one. */
int erase_reply_read(const redisReply *r, struct erase_reply *out);

#endif
