/*
 * calls: see calls.h.
 */
#include "calls.h"

#include "keys.h"

#include <string.h>

static void script_head(struct cmdargs *c, struct script_ref script, int nkeys)
{
	cmdargs_adds(c, script.sha ? "EVALSHA" : "EVAL");
	cmdargs_adds(c, script.text);
	cmdargs_addf(c, "%d", nkeys);
}

static void add_key(struct cmdargs *c, int part, enum key_kind kind, const char *sub)
{
	char key[KEY_MAX];
	key_build(key, sizeof key, part, kind, sub);
	cmdargs_adds(c, key);
}

void call_ack(struct cmdargs *c, struct script_ref script, const struct ack_call *a)
{
	const char *cid = a->case_id ? a->case_id : "";
	script_head(c, script, 11);
	add_key(c, a->part, KEY_AUDIT, NULL);
	add_key(c, a->part, KEY_TASKS, NULL);
	add_key(c, a->part, KEY_DUE, NULL);
	add_key(c, a->part, KEY_TASK, a->id);
	add_key(c, a->part, KEY_OPEN, a->partner);
	add_key(c, a->part, KEY_CASE, cid);
	add_key(c, a->part, KEY_CASES, a->partner);
	add_key(c, a->part, KEY_PROGRESS, a->partner);
	add_key(c, a->part, KEY_CLOSED, a->partner);
	add_key(c, a->part, KEY_CASEOPEN, a->partner);
	add_key(c, a->part, KEY_CASEPROG, a->partner);
	cmdargs_adds(c, a->id);
	cmdargs_adds(c, a->partner);
	cmdargs_adds(c, a->outcome);
	cmdargs_adds(c, a->note ? a->note : "");
	cmdargs_addf(c, "%lld", (long long)a->now_ms);
	cmdargs_adds(c, a->now_iso);
	cmdargs_addf(c, "%d", a->window_hours);
	cmdargs_adds(c, cid);
}

int ack_reply_read(const redisReply *r, struct ack_reply *out)
{
	if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
	    r->element[0]->type != REDIS_REPLY_STRING || r->element[1]->type != REDIS_REPLY_STRING)
		return -1;
	const char *s = r->element[0]->str;
	static const struct {
		const char *name;
		enum ack_status status;
	} names[] = {{"OK", ACK_OK},		 {"LATE", ACK_LATE},	       {"REPEAT", ACK_REPEAT},
		     {"FORBIDDEN", ACK_FORBIDDEN}, {"DENIED", ACK_DENIED}, {"NOTFOUND", ACK_NOTFOUND},
		     {"CASE", ACK_CASE}};
	out->previous = "";
	out->referral = r->element[1]->str;
	out->case_id = r->element[1]->str;
	if (strncmp(s, "CONFLICT:", 9) == 0) {
		out->status = ACK_CONFLICT;
		out->previous = s + 9;
		return 0;
	}
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(s, names[i].name) == 0) {
			out->status = names[i].status;
			return 0;
		}
	return -1;
}

void erase_fence(struct cmdargs *c, const struct erase_call *e)
{
	cmdargs_adds(c, "SET");
	add_key(c, e->part, KEY_LEASE, NULL);
	cmdargs_adds(c, e->fence);
	cmdargs_adds(c, "PX");
	cmdargs_addf(c, "%d", e->fence_ms);
}

void erase_scan(struct cmdargs *c, const struct erase_call *e, const struct erase_item *item,
		const char *cursor)
{
	cmdargs_adds(c, "SCAN");
	cmdargs_adds(c, cursor);
	cmdargs_adds(c, "MATCH");
	add_key(c, e->part, item->kind, item->sub);
	cmdargs_adds(c, "COUNT");
	cmdargs_adds(c, "1000");
	/* the type the how works on; "named" takes any key */
	const char *type = item->how == ERASE_MEMBERS ? "zset"
			   : item->how == ERASE_NAMED ? NULL
						      : "hash";
	if (type) {
		cmdargs_adds(c, "TYPE");
		cmdargs_adds(c, type);
	}
}

void call_erase(struct cmdargs *c, struct script_ref script, const struct erase_call *e)
{
	int nfixed = 0;
	for (size_t i = 0; i < erase_plan_len; i++)
		nfixed += erase_plan[i].sub == NULL;
	script_head(c, script, 2 + nfixed + (int)e->nfound);
	add_key(c, e->part, KEY_LEASE, NULL);
	add_key(c, e->part, KEY_AUDIT, NULL);
	for (size_t i = 0; i < erase_plan_len; i++)
		if (!erase_plan[i].sub)
			add_key(c, e->part, erase_plan[i].kind, NULL);
	for (size_t i = 0; i < e->nfound; i++)
		cmdargs_adds(c, e->found[i]);
	cmdargs_adds(c, e->fence);
	cmdargs_addf(c, "%d", e->fence_ms);
	cmdargs_adds(c, e->student);
	cmdargs_addf(c, "%lld", (long long)e->now_ms);
	for (size_t i = 0; i < erase_plan_len; i++)
		if (!erase_plan[i].sub)
			cmdargs_adds(c, erase_how_name(erase_plan[i].how));
	for (size_t i = 0; i < e->nfound; i++)
		cmdargs_adds(c, erase_how_name(e->found_how[i]));
}

int erase_reply_read(const redisReply *r, struct erase_reply *out)
{
	if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 7)
		return -1;
	long long *n[] = {&out->fields, &out->records, &out->entries,
			  &out->members, &out->ids, &out->named};
	for (size_t i = 0; i < 6; i++) {
		if (r->element[i]->type != REDIS_REPLY_INTEGER)
			return -1;
		*n[i] = r->element[i]->integer;
	}
	const redisReply *p = r->element[6];
	if (p->type != REDIS_REPLY_ARRAY)
		return -1;
	for (size_t i = 0; i < p->elements; i++)
		if (p->element[i]->type != REDIS_REPLY_STRING)
			return -1;
	out->partners = p;
	return 0;
}
