/*
 * api: the partners' HTTP API (docs/partners.md), served by http.c under
 * /v1/:
 *
 *   POST /v1/tasks/{id}/ack   {"outcome": "...", "note": "..."}
 *   GET  /v1/tasks?state=open|overdue|in_progress|closed&limit=N&cursor=C
 *   GET  /v1/tasks/{id}
 *   GET  /v1/cases?state=open|overdue|in_progress|closed&limit=N&cursor=C
 *   GET  /v1/cases/{id}        (with its tasks and updates)
 *
 * Every request carries "Authorization: Bearer <token>"; the token names
 * the partner (only its SHA-256 is configured). A request costs at most one
 * hash of the presented token, and an address whose requests failed too
 * often (http.unauthenticated_*) gets 429 before any token work. A partner sees and
 * acknowledges only its own assignments. Errors are JSON {"error": ...}
 * with 401 (no or unknown token), 403 (not this partner's task), 404,
 * 409 (acknowledged before with another outcome), 422 (a body that is not
 * what is expected), 429 (over the rate limit), 503 (Redis unreachable).
 *
 * A task's partition is not in its id, so requests look in each partition
 * in turn (P is small; each look is one script or HMGET). Replies are sent
 * exactly once, from the Redis reply callback; a client that went away
 * meanwhile is handled by evhttp (the request is freed after the reply).
 */
#include "api.h"

#include "addrlimit.h"
#include "calls.h"
#include "dispatch.h"
#include "date.h"
#include "keys.h"
#include "log.h"
#include "entries.h"
#include "payload.h"
#include "rdecode.h"
#include "signing.h"
#include "util.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define API_MAX_BODY 4096
#define API_NOTE_MAX 1000

enum api_op { OP_ACK, OP_LIST, OP_GET, OP_CASES, OP_CASE };

struct api_req {
	struct vsd *d;
	struct evhttp_request *req;
	struct partners_config *pc; /* reference held */
	const struct partner *p;
	enum api_op op;
	int part;                   /* partition being looked at */
	char id[24];
	char outcome[32];
	char *note;
	char max_due[24];
	int limit;
	json_t *tasks;              /* OP_LIST, OP_CASES: collected so far */
	char filter[16];            /* OP_CASES: the state asked for, "" for all */
	char after[32];             /* OP_LIST, OP_CASES: cursor score in a->part ("-inf": start) */
	char after_id[24];          /* OP_LIST, OP_CASES: cursor id ("" for none) */
	char case_id[24];           /* OP_ACK: the task's case as ACK last named it ("" none) */
	enum key_kind index;        /* OP_LIST: KEY_OPEN, KEY_PROGRESS or KEY_CLOSED */
	const redisReply *members;  /* OP_LIST: the members just read (during step only) */
	int case_tries;             /* OP_ACK: ACK calls made in a->part */
	struct cmdargs keys;        /* OP_CASES, OP_CASE: keys CASEREAD named for this call */
	int keys_tries;             /* OP_CASES, OP_CASE: CASEREAD calls made for this call */
};

/* CASEREAD calls for one answer (one page or case in one partition): each
 * names keys it lacks (case, then task keys), at least doubling what it was
 * given, so even a page whose filter matches little over the whole budget
 * needs about ten (docs/redis-keys.md); a case changed in between may name
 * one more. */
#define API_CASE_KEY_TRIES 16

/* Members examined per script call of a case list, so that a filter that
 * matches little does not hold Redis up: the page then ends early with a
 * cursor. */
#define API_CASE_BUDGET 2000

/* Token buckets: one per partner (by index in the configuration). Requests
 * without a valid token are limited per client address (addrlimit). */
struct bucket {
	double tokens;
	int64_t at_ms;
};
struct api_state {
	struct bucket *buckets;
	int nbuckets;
};

void api_free(struct vsd *d)
{
	if (!d->api)
		return;
	free(d->api->buckets);
	free(d->api);
	d->api = NULL;
}

static bool take_token(struct vsd *d, int index)
{
	if (!d->api)
		d->api = xcalloc(1, sizeof *d->api);
	struct api_state *st = d->api;
	if (index + 1 > st->nbuckets) {
		st->buckets = xrealloc(st->buckets, (size_t)(index + 1) * sizeof *st->buckets);
		for (int i = st->nbuckets; i <= index; i++)
			st->buckets[i] = (struct bucket){-1, 0};
		st->nbuckets = index + 1;
	}
	struct bucket *b = &st->buckets[index];
	int64_t now = vsd_wall_ms();
	double rate = d->cfg->http.rate_per_s, burst = d->cfg->http.burst;
	if (b->tokens < 0)
		b->tokens = burst;
	b->tokens += (double)(now - b->at_ms) / 1000.0 * rate;
	if (b->tokens > burst)
		b->tokens = burst;
	b->at_ms = now;
	if (b->tokens < 1)
		return false;
	b->tokens -= 1;
	return true;
}

static void send_json(struct evhttp_request *req, int code, const char *reason, json_t *body)
{
	struct evbuffer *b = evbuffer_new();
	char *text = json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(10));
	if (b && text) {
		evbuffer_add(b, text, strlen(text));
		evbuffer_add(b, "\n", 1);
	}
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Content-Type", "application/json");
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_send_reply(req, code, reason, b);
	free(text);
	if (b)
		evbuffer_free(b);
	json_decref(body);
}

static void send_error(struct vsd *d, struct evhttp_request *req, int code, const char *reason,
		       const char *message)
{
	if (code != 503)
		d->dstats.acks_rejected++;
	if (code == 401)
		evhttp_add_header(evhttp_request_get_output_headers(req), "WWW-Authenticate",
				  "Bearer realm=\"vroegsignaal\"");
	if (code == 429)
		evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", "1");
	send_json(req, code, reason, json_pack("{ss}", "error", message));
}

static void areq_free(struct api_req *a)
{
	partners_unref(a->pc);
	free(a->note);
	json_decref(a->tasks);
	cmdargs_free(&a->keys);
	free(a);
}

static bool valid_task_id(const char *id)
{
	if (strlen(id) != 18 || strncmp(id, "vs", 2) != 0)
		return false;
	for (int i = 2; i < 18; i++)
		if (!strchr("0123456789abcdef", id[i]))
			return false;
	return true;
}

static void step(struct api_req *a);
static void case_item(struct api_req *a, const redisReply *it);
static void case_reply(struct api_req *a, const redisReply *r);

static void unavailable(struct api_req *a)
{
	send_error(a->d, a->req, 503, "Service Unavailable", "redis is not reachable; try again");
	areq_free(a);
}

/* An acknowledgement whose outcome is unknown: the connection was lost, or
 * fewer than redis.min_replicas replicas confirmed it (rwait.h). */
static void unconfirmed(struct api_req *a)
{
	send_error(a->d, a->req, 503, "Service Unavailable",
		   "the acknowledgement was not confirmed: redis is not reachable or fewer than "
		   "redis.min_replicas replicas confirmed it; it may or may not be stored, so send it "
		   "again");
	areq_free(a);
}

/* ---- acknowledge ---------------------------------------------------------- */

static void ack_reply(struct api_req *a, const redisReply *r)
{
	struct ack_reply ack;
	if (ack_reply_read(r, &ack) != 0) {
		unavailable(a);
		return;
	}
	if (ack.status == ACK_CASE && a->case_tries < ACK_CASE_TRIES &&
	    strlen(ack.case_id) < sizeof a->case_id) {
		/* the script names the task's case: send it again with its key */
		str_copy(a->case_id, ack.case_id, sizeof a->case_id);
		step(a);
		return;
	}
	if (ack.status == ACK_CASE) {
		unavailable(a);
		return;
	}
	if (ack.status == ACK_NOTFOUND) {
		a->case_id[0] = '\0';
		a->case_tries = 0;
		if (++a->part < a->d->nparts) {
			step(a);
			return;
		}
		send_error(a->d, a->req, 404, "Not Found", "no such task");
	} else if (ack.status == ACK_FORBIDDEN) {
		send_error(a->d, a->req, 403, "Forbidden", "this task is not assigned to you");
	} else if (ack.status == ACK_DENIED) {
		send_error(a->d, a->req, 403, "Forbidden", "only the school may request the MAZL consult");
	} else if (ack.status == ACK_CONFLICT) {
		char msg[120];
		if (strcmp(ack.previous, "update") == 0)
			snprintf(msg, sizeof msg, "an update is acknowledged through its case's task");
		else
			snprintf(msg, sizeof msg, "already acknowledged with outcome %s, which closes it",
				 ack.previous);
		send_error(a->d, a->req, 409, "Conflict", msg);
	} else {
		bool repeat = ack.status == ACK_REPEAT, late = ack.status == ACK_LATE;
		const char *ref = ack.referral;
		if (!repeat) {
			struct partner_stats *st = vsd_partner_stats(a->d, a->p->id,
								     connector_name(&a->p->primary));
			st->acks++;
			if (late)
				st->acks_late++;
		}
		json_t *body = json_pack("{ss ss ss ss sb}", "task", a->id, "partner", a->p->id, "outcome",
					 a->outcome, "status", repeat ? "already_acknowledged" : "acknowledged",
					 "late", late);
		if (*ref) {
			json_object_set_new(body, "referral", json_string(ref));
			a->d->dstats.referrals++;
			if (a->d->disp)
				dispatcher_kick(a->d->disp[a->part]);
		}
		log_info("task %s acknowledged by %s: %s%s", a->id, a->p->id, a->outcome,
			 repeat ? " (repeated)" : late ? " (after it was due)" : "");
		send_json(a->req, 200, "OK", body);
	}
	areq_free(a);
}

/* ---- list and get ------------------------------------------------------- */

static json_t *task_view(struct api_req *a, const char *record, const char *due, const char *state,
			 const char *delivery)
{
	/* a due time out of range makes the record unreadable, like bad JSON */
	int64_t due_ms = 0;
	if (due && rd_int64(due, INSTANT_MIN_MS, INSTANT_MAX_MS, &due_ms) != 0)
		return NULL;
	json_t *t = json_loads(record, 0, NULL);
	if (!t)
		return NULL;
	char due_iso[40];
	format_instant(due_ms, due_iso, sizeof due_iso);
	json_t *v = payload_build(a->pc, a->p, t, "task", due_iso);
	json_object_del(v, "event");
	json_object_set_new(v, "state", json_string(state ? state : "unknown"));
	json_object_set_new(v, "delivery", json_string(delivery ? delivery : "unknown"));
	json_decref(t);
	return v;
}

static const char *str_el(const redisReply *r, size_t i)
{
	return i < r->elements && r->element[i]->type == REDIS_REPLY_STRING ? r->element[i]->str : NULL;
}

/* Ends one page of a cursor listing (tasks or cases, gathered in a->tasks):
 * when the partition has more after (score, id), the cursor points there;
 * otherwise the next partition is read at once while the page has room, or
 * the cursor points to its start. member names the array in the answer. */
static void page_done(struct api_req *a, bool more, const char *score, const char *id,
		      const char *member)
{
	char next[80] = "";
	if (more) {
		snprintf(next, sizeof next, "%d.%s.%s", a->part, score, id);
	} else if (++a->part < a->d->nparts) {
		if ((int)json_array_size(a->tasks) < a->limit) {
			str_copy(a->after, "-inf", sizeof a->after);
			a->after_id[0] = '\0';
			step(a);
			return;
		}
		snprintf(next, sizeof next, "%d.-inf.", a->part);
	}
	json_t *body = json_pack("{ss sO}", "partner", a->p->id, member, a->tasks);
	if (*next)
		json_object_set_new(body, "next_cursor", json_string(next));
	send_json(a->req, 200, "OK", body);
	areq_free(a);
}

/* A page as LIST and CASEREAD answer it: {items, next score, next id}.
 * Adds each item (its own shape checked by add) to a->tasks and finishes
 * the page, whose array is named member; another shape is a 503. */
static void page_reply(struct api_req *a, const redisReply *r, const char *member,
		       void (*add)(struct api_req *a, const redisReply *item))
{
	const redisReply *items = r->elements == 3 ? r->element[0] : NULL;
	if (!items || items->type != REDIS_REPLY_ARRAY) {
		unavailable(a);
		return;
	}
	for (size_t i = 0; i < items->elements; i++)
		add(a, items->element[i]);
	const char *score = str_el(r, 1), *id = str_el(r, 2);
	page_done(a, score && *score && id && *id, score, id, member);
}

/* One task of a LIST page. */
static void list_item(struct api_req *a, const redisReply *it)
{
	if (it->type != REDIS_REPLY_ARRAY || !str_el(it, 1))
		return;
	json_t *v = task_view(a, str_el(it, 1), str_el(it, 2), str_el(it, 3), str_el(it, 4));
	if (v && str_el(it, 7))
		json_object_set_new(v, "outcome", json_string(str_el(it, 7)));
	if (v)
		json_array_append_new(a->tasks, v);
}

static void get_reply(struct api_req *a, const redisReply *r)
{
	/* the record's fields (HGETALL): the JSON and the partner's own */
	char *record = rd_task_json(rd_flat_get, r);
	char f[4][100];
	static const char *const suffix[] = {"due", "state", "delivery", "outcome"};
	const char *pv[4];
	for (int i = 0; i < 4; i++) {
		snprintf(f[i], sizeof f[i], "%s.%s", a->p->id, suffix[i]);
		pv[i] = rd_flat_get(r, f[i]);
	}
	if (!record) {
		if (++a->part < a->d->nparts) {
			step(a);
			return;
		}
		send_error(a->d, a->req, 404, "Not Found", "no such task");
	} else if (!pv[1]) {
		send_error(a->d, a->req, 403, "Forbidden", "this task is not assigned to you");
	} else {
		json_t *v = task_view(a, record, pv[0], pv[1], pv[2]);
		if (v && pv[3])
			json_object_set_new(v, "outcome", json_string(pv[3]));
		if (v)
			send_json(a->req, 200, "OK", v);
		else
			send_error(a->d, a->req, 500, "Internal Server Error", "unreadable task record");
	}
	free(record);
	areq_free(a);
}

static void on_reply(struct rconn *rc, redisReply *r, void *arg)
{
	(void)rc;
	struct api_req *a = arg;
	if (!r && a->op == OP_ACK) {
		unconfirmed(a); /* rwait.h: the connection was lost or too few replicas */
		return;
	}
	if (!r || r->type != REDIS_REPLY_ARRAY) {
		if (r && r->type == REDIS_REPLY_ERROR)
			log_warn("api: redis answered: %s", r->str);
		unavailable(a);
		return;
	}
	switch (a->op) {
	case OP_ACK:
		ack_reply(a, r);
		break;
	case OP_LIST:
		if (r->elements == 3 && r->element[0]->type == REDIS_REPLY_ARRAY) {
			page_reply(a, r, "tasks", list_item);
		} else {
			/* the members read: now LIST with their records' keys */
			a->members = r;
			step(a); /* clears a->members; may end the request */
		}
		break;
	case OP_GET:
		get_reply(a, r);
		break;
	case OP_CASES:
	case OP_CASE:
		if (rd_keys_reply(r, &a->keys) > 0) {
			/* CASEREAD named keys to declare: the same call with them */
			if (a->keys_tries < API_CASE_KEY_TRIES)
				step(a);
			else
				unavailable(a);
			break;
		}
		/* answered: the next call (page, partition) learns its own keys */
		cmdargs_clear(&a->keys);
		a->keys_tries = 0;
		if (a->op == OP_CASES)
			page_reply(a, r, "cases", case_item);
		else
			case_reply(a, r);
		break;
	}
}

/* ---- cases ---------------------------------------------------------------- */

/* A case hash (HGETALL reply, flat) as the API shows it. */
static json_t *case_view(const redisReply *flat, long long overdue)
{
	json_t *v = json_object();
	for (size_t i = 0; i + 1 < flat->elements; i += 2) {
		const char *k = str_el(flat, i), *val = str_el(flat, i + 1);
		if (!k || !val)
			continue;
		static const char *const text[] = {"id", "student", "topic", "state", "task",
						   "outcome", "closed_by"};
		static const char *const count[] = {"tasks", "updates"};
		static const char *const when[][2] = {{"opened_ms", "opened_at"},
						      {"last_signal_ms", "last_signal_at"},
						      {"last_ack_ms", "last_ack_at"},
						      {"closed_ms", "closed_at"}};
		for (size_t j = 0; j < sizeof text / sizeof *text; j++)
			if (strcmp(k, text[j]) == 0)
				json_object_set_new(v, k, json_string(val));
		for (size_t j = 0; j < sizeof count / sizeof *count; j++)
			if (strcmp(k, count[j]) == 0)
				json_object_set_new(v, k, json_integer(strtoll(val, NULL, 10)));
		for (size_t j = 0; j < sizeof when / sizeof *when; j++) {
			int64_t ms;
			if (strcmp(k, when[j][0]) == 0 &&
			    rd_int64(val, INSTANT_MIN_MS, INSTANT_MAX_MS, &ms) == 0) {
				char iso[40];
				format_instant(ms, iso, sizeof iso);
				json_object_set_new(v, when[j][1], json_string(iso));
			}
		}
	}
	json_object_set_new(v, "overdue", json_boolean(overdue == 1));
	return v;
}

static long long int_el(const redisReply *r, size_t i)
{
	return i < r->elements && r->element[i]->type == REDIS_REPLY_INTEGER ? r->element[i]->integer : 0;
}

/* One case of a CASEREAD list page: {id, fields, overdue}. */
static void case_item(struct api_req *a, const redisReply *it)
{
	if (it->type == REDIS_REPLY_ARRAY && it->elements == 3 &&
	    it->element[1]->type == REDIS_REPLY_ARRAY)
		json_array_append_new(a->tasks, case_view(it->element[1], int_el(it, 2)));
}

static void case_reply(struct api_req *a, const redisReply *r)
{
	if (r->elements == 0) {
		if (++a->part < a->d->nparts) {
			step(a);
			return;
		}
		send_error(a->d, a->req, 404, "Not Found", "no such case");
	} else if (r->elements == 1) {
		send_error(a->d, a->req, 403, "Forbidden", "this case is not yours");
	} else if (r->elements == 3 && r->element[0]->type == REDIS_REPLY_ARRAY &&
		   r->element[2]->type == REDIS_REPLY_ARRAY) {
		json_t *v = case_view(r->element[0], int_el(r, 1));
		json_t *items = json_array();
		const redisReply *its = r->element[2];
		for (size_t i = 0; i < its->elements; i++) {
			const redisReply *it = its->element[i];
			if (it->type != REDIS_REPLY_ARRAY || !str_el(it, 0) || !str_el(it, 1))
				continue;
			json_t *t = json_pack("{ss ss}", "id", str_el(it, 0), "kind", str_el(it, 1));
			const char *st = str_el(it, 2), *due = str_el(it, 3), *del = str_el(it, 4);
			int64_t ms;
			if (st && *st)
				json_object_set_new(t, "state", json_string(st));
			if (due && *due && rd_int64(due, INSTANT_MIN_MS, INSTANT_MAX_MS, &ms) == 0) {
				char iso[40];
				format_instant(ms, iso, sizeof iso);
				json_object_set_new(t, "due_at", json_string(iso));
			}
			if (del && *del)
				json_object_set_new(t, "delivery", json_string(del));
			json_array_append_new(items, t);
		}
		json_object_set_new(v, "items", items);
		send_json(a->req, 200, "OK", v);
	} else {
		unavailable(a);
		return;
	}
	areq_free(a);
}

/* OP_LIST's command: two calls, the index's members after the cursor, then
 * the page with their records' keys (every key declared). */
static void list_args(struct api_req *a, struct cmdargs *c)
{
	struct vsd *d = a->d;
	char k1[200];
	int room = a->limit - (int)json_array_size(a->tasks);
	key_build(k1, sizeof k1, a->part, a->index, a->p->id);
	if (!a->members) {
		cmdargs_adds(c, "EVALSHA");
		cmdargs_adds(c, d->script_sha[SCRIPT_LIST]);
		cmdargs_adds(c, "1");
		cmdargs_adds(c, k1);
		cmdargs_adds(c, "members");
		cmdargs_adds(c, a->after);
		cmdargs_adds(c, a->after_id);
		cmdargs_adds(c, a->max_due);
		cmdargs_addf(c, "%d", room);
		return;
	}
	const redisReply *m = a->members;
	bool more = m->elements % 2 == 1; /* "more" last */
	size_t n = m->elements / 2;
	cmdargs_adds(c, "EVALSHA");
	cmdargs_adds(c, d->script_sha[SCRIPT_LIST]);
	cmdargs_addf(c, "%zu", 1 + n);
	cmdargs_adds(c, k1);
	for (size_t i = 0; i < n; i++) {
		char kt[KEY_MAX];
		const char *id = rd_string(m->element[2 * i]);
		key_build(kt, sizeof kt, a->part, KEY_TASK, id ? id : "");
		cmdargs_adds(c, kt);
	}
	cmdargs_adds(c, "page");
	cmdargs_adds(c, a->p->id);
	cmdargs_adds(c, a->after);
	cmdargs_adds(c, a->after_id);
	cmdargs_addf(c, "%d", room);
	cmdargs_adds(c, more ? "1" : "0");
	for (size_t i = 0; i < 2 * n; i++) {
		const char *v = rd_string(m->element[i]);
		cmdargs_adds(c, v ? v : "");
	}
}

/* Sends the request's command for partition a->part. */
static void step(struct api_req *a)
{
	struct vsd *d = a->d;
	struct cmdargs c;
	cmdargs_init(&c);
	char pre[KEY_PREFIX_MAX], k1[200];
	key_prefix(pre, a->part);
	switch (a->op) {
	case OP_ACK: {
		char iso[40];
		int64_t now = vsd_wall_ms();
		format_instant(now, iso, sizeof iso);
		struct ack_call ack = {a->part, a->id, a->p->id, a->outcome, a->note, now, iso,
				       d->cfg->daemon.action_window_hours, a->case_id};
		a->case_tries++;
		call_ack(&c, (struct script_ref){d->script_sha[SCRIPT_ACK], true}, &ack);
		break;
	}
	case OP_LIST:
		list_args(a, &c);
		break;
	case OP_CASES:
	case OP_CASE: {
		char now[24];
		snprintf(now, sizeof now, "%lld", (long long)vsd_wall_ms());
		key_build(k1, sizeof k1, a->part, a->op == OP_CASES ? KEY_CASESET : KEY_CASE,
			  a->op == OP_CASES ? a->p->id : a->id);
		cmdargs_adds(&c, "EVALSHA");
		cmdargs_adds(&c, d->script_sha[SCRIPT_CASEREAD]);
		cmdargs_addf(&c, "%d", 1 + a->keys.n);
		cmdargs_adds(&c, k1);
		for (int k = 0; k < a->keys.n; k++)
			cmdargs_add(&c, a->keys.argv[k], a->keys.lens[k]);
		a->keys_tries++;
		cmdargs_adds(&c, a->op == OP_CASES ? "list" : "get");
		cmdargs_adds(&c, pre);
		cmdargs_adds(&c, a->p->id);
		cmdargs_adds(&c, now);
		if (a->op == OP_CASES) {
			cmdargs_adds(&c, a->filter);
			cmdargs_adds(&c, a->after);
			cmdargs_adds(&c, a->after_id);
			cmdargs_addf(&c, "%d", a->limit - (int)json_array_size(a->tasks));
			cmdargs_addf(&c, "%d", API_CASE_BUDGET);
		}
		break;
	}
	case OP_GET:
		/* the whole record: its JSON is in chunks (docs/redis-keys.md) */
		key_build(k1, sizeof k1, a->part, KEY_TASK, a->id);
		cmdargs_adds(&c, "HGETALL");
		cmdargs_adds(&c, k1);
		break;
	}
	a->members = NULL;
	/* an acknowledgement is answered only once enough replicas have it */
	int rc = rwait_command(d->cmd, a->op == OP_ACK ? &d->wait : NULL, on_reply, a, 0, c.n,
			       (const char **)c.argv, c.lens);
	cmdargs_free(&c);
	if (rc != 0 && a->op == OP_ACK && rwait_degraded(&d->wait))
		unconfirmed(a);
	else if (rc != 0)
		unavailable(a);
}

/* ---- requests --------------------------------------------------------------- */

static char *request_body(struct evhttp_request *req, size_t *len)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	*len = evbuffer_get_length(in);
	if (*len > API_MAX_BODY)
		return NULL;
	char *s = xmalloc(*len + 1);
	evbuffer_copyout(in, s, *len);
	s[*len] = '\0';
	return s;
}

/* Fills a->outcome and a->note from the body; NULL or an error message. */
static const char *parse_ack(struct api_req *a, struct evhttp_request *req)
{
	size_t len;
	char *text = request_body(req, &len);
	if (!text)
		return "the body is too large";
	json_error_t err;
	json_t *o = json_loadb(text, len, 0, &err);
	free(text);
	if (!json_is_object(o)) {
		json_decref(o);
		return "expected a JSON object {\"outcome\": ..., \"note\": ...}";
	}
	const char *msg = NULL;
	const char *outcome = json_string_value(json_object_get(o, "outcome"));
	json_t *note = json_object_get(o, "note");
	bool known = ack_outcome_valid(outcome);
	const char *key;
	json_t *v;
	json_object_foreach(o, key, v) {
		if (strcmp(key, "outcome") != 0 && strcmp(key, "note") != 0)
			msg = "unknown field; expected only outcome and note";
	}
	if (!known)
		msg = "outcome: expected " ACK_OUTCOMES;
	else if (note && (!json_is_string(note) || strlen(json_string_value(note)) > API_NOTE_MAX))
		msg = "note: expected a string of at most 1000 bytes";
	if (!msg) {
		str_copy(a->outcome, outcome, sizeof a->outcome);
		a->note = note ? xstrdup(json_string_value(note)) : NULL;
	}
	json_decref(o);
	return msg;
}

/* Reads a cursor "<partition>.<score>.<id>" (as page_done makes it) into
 * a; false when it is not one. */
static bool parse_cursor(struct api_req *a, const char *cur)
{
	char *end;
	long part = strtol(cur, &end, 10);
	if (end == cur || *end != '.' || part < 0 || part >= a->d->nparts)
		return false;
	const char *score = end + 1;
	const char *dot = strchr(score, '.');
	if (!dot || dot == score || (size_t)(dot - score) >= sizeof a->after)
		return false;
	snprintf(a->after, sizeof a->after, "%.*s", (int)(dot - score), score);
	if (strcmp(a->after, "-inf") != 0) {
		int64_t ms;
		if (rd_int64(a->after, 0, INT64_MAX, &ms) != 0)
			return false;
	}
	const char *id = dot + 1;
	if (*id && !valid_task_id(id))
		return false;
	str_copy(a->after_id, id, sizeof a->after_id);
	a->part = (int)part;
	return true;
}

/* /v1/cases and /v1/cases/{id}; rest is what follows "/v1/cases". */
static void cases_request(struct api_req *a, enum evhttp_cmd_type method, const char *rest)
{
	struct vsd *d = a->d;
	struct evhttp_request *req = a->req;
	size_t idlen = rest[0] == '/' ? strlen(rest + 1) : 0;
	bool get = method == EVHTTP_REQ_GET || method == EVHTTP_REQ_HEAD;
	if ((rest[0] && rest[0] != '/') || (rest[0] == '/' && (idlen == 0 || strchr(rest + 1, '/')))) {
		send_error(d, req, 404, "Not Found", "not found");
	} else if (!get) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "GET, HEAD");
		send_error(d, req, 405, "Method Not Allowed", "method not allowed");
	} else if (idlen) {
		a->op = OP_CASE;
		if (idlen >= sizeof a->id || !valid_task_id(rest + 1)) {
			send_error(d, req, 404, "Not Found", "no such case");
		} else {
			str_copy(a->id, rest + 1, sizeof a->id);
			step(a);
			return;
		}
	} else {
		a->op = OP_CASES;
		a->limit = 100;
		str_copy(a->after, "-inf", sizeof a->after);
		const char *bad = NULL;
		int unknown = 0;
		struct evkeyvalq q;
		const char *query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
		if (query && evhttp_parse_query_str(query, &q) == 0) {
			const char *state = evhttp_find_header(&q, "state");
			const char *limit = evhttp_find_header(&q, "limit");
			const char *cursor = evhttp_find_header(&q, "cursor");
			for (struct evkeyval *kv = q.tqh_first; kv; kv = kv->next.tqe_next)
				unknown += strcmp(kv->key, "state") != 0 && strcmp(kv->key, "limit") != 0 &&
					   strcmp(kv->key, "cursor") != 0;
			if (state && strcmp(state, "open") != 0 && strcmp(state, "overdue") != 0 &&
			    strcmp(state, "in_progress") != 0 && strcmp(state, "closed") != 0)
				bad = "state: expected open, overdue, in_progress or closed";
			else if (state)
				str_copy(a->filter, state, sizeof a->filter);
			if (limit) {
				char *end;
				long n = strtol(limit, &end, 10);
				if (*end || n < 1 || n > 1000)
					bad = "limit: expected 1 to 1000";
				else
					a->limit = (int)n;
			}
			if (cursor && !parse_cursor(a, cursor))
				bad = "cursor: expected the next_cursor of an earlier page";
			evhttp_clear_headers(&q);
		}
		if (unknown) {
			send_error(d, req, 400, "Bad Request",
				   "unknown query parameter; expected state, limit and cursor");
		} else if (bad) {
			send_error(d, req, 422, "Unprocessable Entity", bad);
		} else {
			a->tasks = json_array();
			step(a);
			return;
		}
	}
	areq_free(a);
}

void api_handle(struct vsd *d, struct evhttp_request *req, const char *path,
		struct addrlimit *unauth)
{
	enum evhttp_cmd_type method = evhttp_request_get_command(req);
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	char *peer = NULL;
	ev_uint16_t port = 0;
	if (evcon)
		evhttp_connection_get_peer(evcon, &peer, &port);
	const char *addr = peer ? peer : "";
	int64_t now = vsd_wall_ms();
	/* an address that used up its failed requests gets no token work */
	if (addrlimit_blocked(unauth, addr, now)) {
		send_error(d, req, 429, "Too Many Requests", "too many requests");
		return;
	}
	const char *auth = evhttp_find_header(evhttp_request_get_input_headers(req), "Authorization");
	struct partners_config *pc = d->cfg->partners;
	const struct partner *p = NULL;
	bool malformed = false;
	if (auth && strncmp(auth, "Bearer ", 7) == 0) {
		malformed = !token_well_formed(auth + 7);
		if (!malformed)
			p = partners_by_token(pc, auth + 7);
	}
	if (!p) {
		addrlimit_charge(unauth, addr, now);
		if (malformed)
			send_error(d, req, 400, "Bad Request",
				   "expected Authorization: Bearer <partner token>, the token being 1 "
				   "to 256 printable characters");
		else
			send_error(d, req, 401, "Unauthorized",
				   "expected Authorization: Bearer <partner token>");
		return;
	}
	if (!take_token(d, (int)(p - pc->partners))) {
		send_error(d, req, 429, "Too Many Requests", "too many requests");
		return;
	}
	if (rconn_state(d->cmd) != RC_READY || !d->scripts_loaded) {
		send_error(d, req, 503, "Service Unavailable", "redis is not reachable; try again");
		return;
	}
	struct api_req *a = xcalloc(1, sizeof *a);
	cmdargs_init(&a->keys);
	a->d = d;
	a->req = req;
	a->pc = partners_ref(pc);
	a->p = p;
	if (strncmp(path, "/v1/cases", 9) == 0) {
		cases_request(a, method, path + strlen("/v1/cases"));
		return;
	}
	const char *rest = path + strlen("/v1/tasks");
	size_t idlen = rest[0] == '/' ? strcspn(rest + 1, "/") : 0;
	if (idlen > 0 && idlen < sizeof a->id)
		snprintf(a->id, sizeof a->id, "%.*s", (int)idlen, rest + 1);
	const char *tail = idlen ? rest + 1 + idlen : rest;
	if (method == EVHTTP_REQ_POST && idlen && strcmp(tail, "/ack") == 0) {
		a->op = OP_ACK;
		const char *msg = valid_task_id(a->id) ? parse_ack(a, req) : NULL;
		if (!valid_task_id(a->id)) {
			send_error(d, req, 404, "Not Found", "no such task");
			areq_free(a);
			return;
		}
		if (msg) {
			send_error(d, req, 422, "Unprocessable Entity", msg);
			areq_free(a);
			return;
		}
	} else if ((method == EVHTTP_REQ_GET || method == EVHTTP_REQ_HEAD) && idlen && !*tail) {
		a->op = OP_GET;
		if (!valid_task_id(a->id)) {
			send_error(d, req, 404, "Not Found", "no such task");
			areq_free(a);
			return;
		}
	} else if ((method == EVHTTP_REQ_GET || method == EVHTTP_REQ_HEAD) && !idlen && !*rest) {
		a->op = OP_LIST;
		a->index = KEY_OPEN;
		a->limit = 100;
		str_copy(a->max_due, "+inf", sizeof a->max_due);
		str_copy(a->after, "-inf", sizeof a->after);
		struct evkeyvalq q;
		const char *query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
		if (query && evhttp_parse_query_str(query, &q) == 0) {
			const char *state = evhttp_find_header(&q, "state");
			const char *limit = evhttp_find_header(&q, "limit");
			const char *cursor = evhttp_find_header(&q, "cursor");
			const char *bad = NULL;
			int unknown = 0;
			for (struct evkeyval *kv = q.tqh_first; kv; kv = kv->next.tqe_next)
				unknown += strcmp(kv->key, "state") != 0 && strcmp(kv->key, "limit") != 0 &&
					   strcmp(kv->key, "cursor") != 0;
			if (cursor && !parse_cursor(a, cursor))
				bad = "cursor: expected the next_cursor of an earlier page";
			if (state && strcmp(state, "overdue") == 0)
				snprintf(a->max_due, sizeof a->max_due, "%lld", (long long)vsd_wall_ms());
			else if (state && strcmp(state, "in_progress") == 0)
				a->index = KEY_PROGRESS;
			else if (state && strcmp(state, "closed") == 0)
				a->index = KEY_CLOSED;
			else if (state && strcmp(state, "open") != 0)
				bad = "state: expected open, overdue, in_progress or closed";
			if (limit) {
				char *end;
				long n = strtol(limit, &end, 10);
				if (*end || n < 1 || n > 1000)
					bad = "limit: expected 1 to 1000";
				else
					a->limit = (int)n;
			}
			evhttp_clear_headers(&q);
			if (unknown) {
				/* a misspelt filter must not silently list everything */
				send_error(d, req, 400, "Bad Request",
					   "unknown query parameter; expected state, limit and cursor");
				areq_free(a);
				return;
			}
			if (bad) {
				send_error(d, req, 422, "Unprocessable Entity", bad);
				areq_free(a);
				return;
			}
		}
		a->tasks = json_array();
	} else {
		bool known = (idlen && (!*tail || strcmp(tail, "/ack") == 0)) || (!idlen && !*rest);
		if (known) {
			evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
					  idlen && *tail ? "POST" : "GET, HEAD");
			send_error(d, req, 405, "Method Not Allowed", "method not allowed");
		} else {
			send_error(d, req, 404, "Not Found", "not found");
		}
		areq_free(a);
		return;
	}
	step(a);
}
