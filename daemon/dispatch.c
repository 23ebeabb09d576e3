/*
 * dispatch: see dispatch.h. One timer per partition drives three steps,
 * each with at most one command in flight: reading task entries, firing due
 * times, and taking each partner's due outbox members.
 */
#include "dispatch.h"

#include "caseguess.h"
#include "date.h"
#include "due.h"
#include "keys.h"
#include "log.h"
#include "entries.h"
#include "genreq.h"
#include "partner_routing.h"
#include "payload.h"
#include "rdecode.h"
#include "recordjson.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define GROUP "dispatch"
#define READ_COUNT 100
#define DUE_LIMIT 200
#define UNROUTED_LOGGED_MAX 1000 /* distinct (rule, level, role, school) warnings */

/* A handover in progress (dispatch.h). */
enum drain_state {
	DRAIN_NONE,      /* dispatching as usual */
	DRAIN_WAITING,   /* starting nothing; waiting for what is in flight */
	DRAIN_RELEASING, /* drained; quiet until the partition's lease is gone */
};

enum read_phase {
	RD_CREATE, /* the group may not exist yet */
	RD_CLAIM,  /* claiming entries left pending (by anyone) from 0-0 */
	RD_NEW,    /* reading new entries */
};

struct pslot {
	char id[64];
	bool failing;    /* the last delivery failed (logged once until one succeeds) */
	int in_flight;
	int64_t next_ms; /* earliest next outbox score, at most 5 s ahead */
	bool taking;
	/* Members taken but not started yet (copies of TAKE's items, oldest at
	 * queue[qhead]): a TAKE asks for up to TAKE_WINDOWS windows of
	 * max_in_flight, so a slot that frees starts the next delivery at once
	 * instead of waiting for a TAKE's round trip. Held in the outbox like
	 * those under way. */
	struct taken *queue;
	int qhead, nqueued, qcap;
	/* The last member started from the queue had waited there less than
	 * TAKE_FAST_WAIT_MS: the partner gets TAKE_WINDOWS_FAST windows. */
	bool fast;
	/* The last outbox read found as many due members as it asked for:
	 * more are waiting than one TAKE takes (dispatcher_behind). */
	int take_limit;
	int take_room;   /* windows x max_in_flight: a slot this full is the partner's limit */
	bool more_due;
};

struct taken {
	redisReply *item;
	int64_t at_ms; /* when TAKE returned it */
};

/* A TAKE fills up to this many windows of max_in_flight; the next goes
 * out once no more than one window is left. */
#define TAKE_WINDOWS 4
/* ... or this many for a partner whose taken members start within
 * TAKE_FAST_WAIT_MS. Each TAKE is two round trips, and while the intake
 * runs, Redis is busy with the partitions' commits and answers each a few
 * ms late: with 4 windows a partner answering in 1 ms was held to about one
 * TAKE per 10 ms, fewer deliveries than the intake made tasks, and its
 * outbox grew over the whole intake (issue 15: p50 from task to delivery
 * 26 ms -> 290 ms). A queue of 7 windows waits at most 7/3 of the fast
 * bound, well within TAKEN_PATIENCE_MS. */
#define TAKE_WINDOWS_FAST 8
#define TAKE_FAST_WAIT_MS 500
/* A taken member starts within this long or is made due again at once: its
 * hold (the connector's timeout + 10 s) must outlast the wait, the request
 * and the recording of its result. */
#define TAKEN_PATIENCE_MS 5000

struct dispatcher {
	struct vsd *d;
	struct dispatch_env env;
	int index;
	char pre[KEY_PREFIX_MAX], k_tasks[40], k_due[40], k_audit[40], k_lease[40];
	struct event *timer;
	unsigned gen;
	bool active;
	enum read_phase phase;
	char cursor[48];
	bool reading, due_busy;
	/* While idle, the reader and the due times are looked at once per
	 * poll_ms, not at every tick (ticks follow every finished delivery):
	 * a commit or an accepted batch kicks the reader at once. */
	int64_t read_idle_until, due_idle_until;
	struct pslot *slots;
	int nslots;
	const struct partners_config *slots_pc;
	uint64_t rng;
	int64_t audit_trimmed_ms; /* last trim of the audit stream */
	/* Since audit_since (wall ms), every task this dispatcher accepted got
	 * its "assigned" audit entries with audit_pc's fields and legal bases:
	 * a delivery of such a task with that same configuration leaves both
	 * out of its audit entry (they would repeat the assigned entry's). Set
	 * again when the dispatcher becomes active and on a reload. */
	const struct partners_config *audit_pc;
	int64_t audit_since;
	enum drain_state drain;
	dispatcher_drained_fn drained;
	void *drained_arg;
	int64_t drain_abort_ms; /* WAITING: transfers still running then are ended */
	bool drain_aborted;
	/* the ACCEPT call in flight, kept to be sent again with the case ids
	 * the script names (accept_again) */
	struct cmdargs acc;
	int *acc_case; /* per assignment with a case: argv index of its first case key and of its ids */
	uint64_t *acc_guess; /* per assignment with a case: its case_guess_key */
	int acc_ncase, acc_tries;
	struct case_guesses guesses; /* what the case index names (caseguess.h) */
	/* Finished deliveries whose outcomes are not recorded yet: queued, then
	 * sent as one RESULT batch (one batch in flight at a time). */
	struct finished *results;
	int nresults, capresults;
	int recording; /* deliveries in the RESULT batch in flight (0: none) */
	bool read_full; /* the last read of the tasks stream was full */
};

/* A finished delivery waiting for its RESULT: its next attempt and the time
 * it ended. */
struct finished {
	struct delivery *dl;
	int64_t next_ms, at_ms;
};

/* Deliveries recorded in one RESULT call at most. */
#define RESULT_BATCH_MAX 128

/* A reply handler of the dispatcher; partner is the one the command was
 * about ("" if none). Runs only for replies of the current generation. */
typedef void (*dreply_fn)(struct dispatcher *ds, const redisReply *r, const char *partner);

static uint64_t next_rand(struct dispatcher *ds)
{
	uint64_t z = (ds->rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static const struct partners_config *pcfg(const struct dispatcher *ds)
{
	return ds->d->cfg->partners;
}

static struct pslot *slot_of(struct dispatcher *ds, const char *partner)
{
	for (int i = 0; i < ds->nslots; i++)
		if (strcmp(ds->slots[i].id, partner) == 0)
			return &ds->slots[i];
	return NULL;
}

static void make_due_now(struct dispatcher *ds, const char *partner, const char *member);

static void queue_push(struct pslot *s, redisReply *item, int64_t now)
{
	if (s->qhead + s->nqueued == s->qcap) {
		if (s->qhead > 0) {
			memmove(s->queue, s->queue + s->qhead, (size_t)s->nqueued * sizeof *s->queue);
			s->qhead = 0;
		} else {
			s->qcap = s->qcap ? s->qcap * 2 : 16;
			s->queue = xrealloc(s->queue, (size_t)s->qcap * sizeof *s->queue);
		}
	}
	s->queue[s->qhead + s->nqueued++] = (struct taken){item, now};
}

static redisReply *queue_pop(struct pslot *s, int64_t *at_ms)
{
	if (s->nqueued == 0)
		return NULL;
	s->nqueued--;
	if (at_ms)
		*at_ms = s->queue[s->qhead].at_ms;
	return s->queue[s->qhead++].item;
}

/* Empties a slot's queue of taken members. due_now (only while the lease is
 * held): each is made due at once for whoever sends it next; otherwise they
 * stay held and come due after their hold, like after a crash. */
static void queue_drop(struct dispatcher *ds, struct pslot *s, bool due_now)
{
	redisReply *it;
	while ((it = queue_pop(s, NULL))) {
		if (due_now)
			make_due_now(ds, s->id, it->element[0]->str);
		freeReplyObject(it);
	}
	s->qhead = 0;
}

/* Keeps one slot per configured partner, carrying counts over a reload. */
static void sync_slots(struct dispatcher *ds)
{
	const struct partners_config *pc = pcfg(ds);
	bool same = ds->slots_pc == pc && ds->nslots == pc->npartners;
	for (int i = 0; same && i < pc->npartners; i++)
		same = strcmp(ds->slots[i].id, pc->partners[i].id) == 0;
	if (same)
		return;
	struct pslot *slots = xcalloc((size_t)pc->npartners + 1, sizeof *slots);
	/* a partner no longer configured: its taken members stay held */
	for (int i = 0; i < ds->nslots; i++)
		if (!partners_find(pc, ds->slots[i].id)) {
			queue_drop(ds, &ds->slots[i], false);
			free(ds->slots[i].queue);
		}
	for (int i = 0; i < pc->npartners; i++) {
		struct pslot *old = slot_of(ds, pc->partners[i].id);
		if (old)
			slots[i] = *old;
		str_copy(slots[i].id, pc->partners[i].id, sizeof slots[i].id);
		slots[i].next_ms = 0;
	}
	free(ds->slots);
	ds->slots = slots;
	ds->nslots = pc->npartners;
	ds->slots_pc = pc;
}

static void reset(struct dispatcher *ds)
{
	ds->gen++;
	ds->active = false;
	ds->phase = RD_CREATE;
	ds->reading = ds->due_busy = false;
	ds->read_full = false;
	ds->read_idle_until = ds->due_idle_until = 0;
	for (int i = 0; i < ds->nslots; i++) {
		ds->slots[i].taking = false;
		ds->slots[i].more_due = false;
		ds->slots[i].next_ms = 0;
		queue_drop(ds, &ds->slots[i], false);
	}
}

static void arm(struct dispatcher *ds, int ms)
{
	timer_arm_ms(ds->timer, ms);
}

bool dispatcher_behind(const struct dispatcher *ds)
{
	if (!ds->active || ds->nslots == 0)
		return false; /* (no partner: nothing to deliver) */
	if (ds->read_full)
		return true;
	/* a partner whose deliveries fill its windows (slow, failing) is its
	 * own limit: the intake waiting would not help it, only slow the rest */
	for (int i = 0; i < ds->nslots; i++) {
		const struct pslot *s = &ds->slots[i];
		if (s->more_due && s->in_flight + s->nqueued < s->take_room)
			return true;
	}
	return false;
}

void dispatcher_kick(struct dispatcher *ds)
{
	if (!ds)
		return;
	for (int i = 0; i < ds->nslots; i++)
		ds->slots[i].next_ms = 0;
	ds->read_idle_until = 0;
	arm(ds, 0);
}

static bool ready(const struct dispatcher *ds)
{
	const struct vsd *d = ds->d;
	/* It runs without partners too: every task then reaches nobody, and
	 * is counted, logged and audited as such. */
	return d->scripts_loaded && !d->stopping &&
	       rconn_state(d->cmd) == RC_READY && ds->env.lease.held(ds->env.lease.ctx);
}

/* Replies to commands sent before the last reset (a lost lease or
 * connection) are dropped (genreq.h); the others go to the command's
 * handler. */
static void dreq_deliver(const struct gen_req *q, struct rconn *rc, redisReply *r)
{
	(void)rc;
	((dreply_fn)q->fn)(q->owner, r, q->tag);
}

/* Sends a command whose reply goes to fn (about partner, or NULL).
 * Returns 0, or -1 when it could not be sent (fn will not run). */
static int send_args(struct dispatcher *ds, dreply_fn fn, const char *partner, const struct cmdargs *a)
{
	struct gen_req q = {.owner = ds, .now = &ds->gen, .gen = ds->gen, .fn = (gen_any_fn)fn};
	if (partner)
		str_copy(q.tag, partner, sizeof q.tag);
	return gen_command(ds->d->cmd, 0, &q, dreq_deliver, a->n, (const char **)a->argv, a->lens);
}

/* send_args for a write that commits work: confirmed by WAIT (rwait.h). */
static int send_durable(struct dispatcher *ds, dreply_fn fn, const char *partner, const struct cmdargs *a)
{
	struct gen_req q = {.owner = ds, .now = &ds->gen, .gen = ds->gen, .fn = (gen_any_fn)fn,
			    .wait = &ds->d->wait};
	if (partner)
		str_copy(q.tag, partner, sizeof q.tag);
	return gen_command(ds->d->cmd, 0, &q, dreq_deliver, a->n, (const char **)a->argv, a->lens);
}

/* A reply that ends the current chain: NULL (outcome unknown), a lost
 * lease, or an unexpected error. */
static void chain_failed(struct dispatcher *ds, const redisReply *r, const char *what)
{
	if (r && r->type == REDIS_REPLY_ERROR && !reply_is_error(r, "LEASE"))
		log_warn("partition %d: dispatch %s failed: %s", ds->index, what, r->str);
	reset(ds);
	arm(ds, 500);
}

static void tick(evutil_socket_t fd, short what, void *arg);

/* ---- reading task entries ------------------------------------------------ */

static const char *field(const redisReply *fields, const char *name)
{
	for (size_t i = 0; i + 1 < fields->elements; i += 2)
		if (fields->element[i]->type == REDIS_REPLY_STRING &&
		    strcmp(fields->element[i]->str, name) == 0 &&
		    fields->element[i + 1]->type == REDIS_REPLY_STRING)
			return fields->element[i + 1]->str;
	return NULL;
}

/* The task record the dispatcher keeps (and payloads are built from). */
static json_t *record_from_entry(const redisReply *fields)
{
	json_t *t = json_object();
	static const char *const strings[] = {"id", "kind", "rule", "level", "trigger", "student",
					      "school", "sector", "date", "period_key", "created_at",
					      "escalates", "escalated_partner", "escalated_role",
					      "refers", NULL};
	for (int i = 0; strings[i]; i++) {
		const char *v = field(fields, strings[i]);
		if (v)
			json_object_set_new(t, strings[i], json_string(v));
	}
	if (!json_object_get(t, "kind"))
		json_object_set_new(t, "kind", json_string("task"));
	const char *v;
	int64_t n;
	/* numbers out of range (a damaged entry) are left out, never wrapped */
	if ((v = field(fields, "age")) && rd_int64(v, 0, 200, &n) == 0)
		json_object_set_new(t, "age", json_integer(n));
	if ((v = field(fields, "window_hours")) && rd_int64(v, 0, 1000000, &n) == 0)
		json_object_set_new(t, "window_hours", json_integer(n));
	json_t *facts = NULL;
	if ((v = field(fields, "facts")))
		facts = json_loads(v, 0, NULL);
	json_object_set_new(t, "facts", json_is_object(facts) ? facts : json_object());
	if (facts && !json_is_object(facts))
		json_decref(facts);
	return t;
}

static void fields_shared(const struct partner *p, const json_t *t, char *buf, size_t cap)
{
	size_t len = 0;
	buf[0] = '\0';
	for (int f = 0; f < PF_COUNT; f++) {
		if (!(p->fields & (1u << f)) || !json_object_get(t, payload_field_name((enum payload_field)f)))
			continue;
		const char *name = payload_field_name((enum payload_field)f);
		if (f == PF_FACTS && !p->health_data)
			name = "facts(no health)";
		len += (size_t)snprintf(buf + len, cap - len, "%s%s", len ? "," : "", name);
		if (len >= cap)
			break;
	}
}

static const char *level_of(const json_t *t)
{
	const char *level = json_string_value(json_object_get(t, "level"));
	if (!level)
		level = json_string_value(json_object_get(t, "trigger"));
	return level ? level : "";
}

/* Logs a task role no partner serves once per rule, level, role and
 * school (the counters and the audit stream record every one). */
static void log_unrouted(struct dispatcher *ds, const char *rule, const char *level,
			 const char *role, const char *school)
{
	struct dispatch_stats *st = &ds->d->dstats;
	char key[112];
	snprintf(key, sizeof key, "%s %s %s %s", rule ? rule : "?", level, role, school);
	for (int i = 0; i < st->nunrouted_logged; i++)
		if (strcmp(st->unrouted_logged[i], key) == 0)
			return;
	if (st->nunrouted_logged == UNROUTED_LOGGED_MAX)
		return;
	st->unrouted_logged = xrealloc(st->unrouted_logged,
				       (size_t)(st->nunrouted_logged + 1) * sizeof *st->unrouted_logged);
	memcpy(st->unrouted_logged[st->nunrouted_logged++], key, sizeof key);
	if (strcmp(role, "none") == 0)
		log_warn("partition %d: no route matches a %s%s%s task of school %s, so it reaches "
			 "nobody (logged once; counted in vs_tasks_unrouted_total, audited as "
			 "\"unrouted\"; see vroegsignaal check-config)",
			 ds->index, rule ? rule : "?", *level ? " " : "", level, school);
	else
		log_warn("partition %d: a %s%s%s task goes to the %s role, but no partner of that "
			 "role serves school %s (logged once; counted in vs_task_roles_unrouted_total, "
			 "audited as \"unrouted\"; see vroegsignaal check-config)",
			 ds->index, rule ? rule : "?", *level ? " " : "", level, role, school);
	if (st->nunrouted_logged == UNROUTED_LOGGED_MAX)
		log_warn("%d unserved routes and schools logged; further ones are only counted and "
			 "audited", UNROUTED_LOGGED_MAX);
}

/* The keys of an assignment with a case (to akeys) and its two case ids
 * (to assign): the partner's case index, set and open and in-progress sets,
 * and the current and the new case with their items. The new case's id is
 * derived from the task as ACCEPT derives it (caseid.h); the current one
 * is the dispatcher's guess of what the index names (caseguess.h: "" when
 * it knows none), noted as the index after this assignment (the case
 * assumed to stay open; a new one opened otherwise) for the batch's next
 * assignment of the same case. ACCEPT checks both and names the right ones
 * when a guess was wrong (accept_again, which finds them at key_at and
 * arg_at, indexes into the entry's keys and arguments: after its task and
 * daily keys, and after its 12 arguments). */
static void accept_case_keys(struct dispatcher *ds, const struct partner *p, const char *task_id,
			     const char *student, const char *topic, int key_at, int arg_at,
			     struct cmdargs *akeys, struct cmdargs *assign)
{
	uint64_t gk = case_guess_key(p->id, student, topic);
	char cur[CASE_GUESS_ID_MAX], fresh[CASE_ID_MAX];
	str_copy(cur, case_guess_get(&ds->guesses, gk), sizeof cur);
	case_new_id(task_id, p->id, fresh);
	case_guess_put(&ds->guesses, gk, *cur ? cur : fresh);
	cmdargs_adds(assign, cur);
	cmdargs_adds(assign, fresh);
	char key[KEY_MAX];
	key_build(key, sizeof key, ds->index, KEY_CASES, p->id);
	cmdargs_adds(akeys, key);
	key_build(key, sizeof key, ds->index, KEY_CASESET, p->id);
	cmdargs_adds(akeys, key);
	key_build(key, sizeof key, ds->index, KEY_CASEOPEN, p->id);
	cmdargs_adds(akeys, key);
	key_build(key, sizeof key, ds->index, KEY_CASEPROG, p->id);
	cmdargs_adds(akeys, key);
	ds->acc_case = xrealloc(ds->acc_case, (size_t)(ds->acc_ncase + 1) * 2 * sizeof *ds->acc_case);
	ds->acc_guess = xrealloc(ds->acc_guess, (size_t)(ds->acc_ncase + 1) * sizeof *ds->acc_guess);
	ds->acc_case[2 * ds->acc_ncase] = key_at + 4;
	ds->acc_case[2 * ds->acc_ncase + 1] = arg_at;
	ds->acc_guess[ds->acc_ncase] = gk;
	ds->acc_ncase++;
	const char *ids[2] = {cur, fresh};
	for (int j = 0; j < 2; j++) {
		key_build(key, sizeof key, ds->index, KEY_CASE, ids[j]);
		cmdargs_adds(akeys, key);
		key_build(key, sizeof key, ds->index, KEY_CASEITEMS, ids[j]);
		cmdargs_adds(akeys, key);
	}
}

/* Appends one entry's keys (to k) and arguments (to a) to the ACCEPT
 * script, noting where each assignment with a case has its case keys and
 * ids (ds->acc_case: indexes into k and a until accept_entries makes them
 * absolute). */
static void accept_entry(struct dispatcher *ds, struct cmdargs *k, struct cmdargs *a, const char *entry_id,
			 const redisReply *fields, int64_t now)
{
	const struct partners_config *pc = pcfg(ds);
	const struct dispatch_config *dc = &pc->dispatch;
	json_t *t = record_from_entry(fields);
	const char *id = json_string_value(json_object_get(t, "id"));
	const char *school = json_string_value(json_object_get(t, "school"));
	const char *student = json_string_value(json_object_get(t, "student"));
	const char *rule = json_string_value(json_object_get(t, "rule"));
	const char *kind = json_string_value(json_object_get(t, "kind"));
	const char *roles = field(fields, "roles");
	int64_t created = now;
	const char *ca = json_string_value(json_object_get(t, "created_at"));
	if (ca)
		instant_parse(ca, &created);
	json_int_t window = json_integer_value(json_object_get(t, "window_hours"));
	if (window <= 0)
		window = ds->d->cfg->daemon.action_window_hours;
	char *json = json_dumps(t, JSON_COMPACT | JSON_REAL_PRECISION(10));
	char plist[1024] = "";
	size_t plen = 0;
	struct cmdargs assign, unrouted, akeys;
	cmdargs_init(&assign);
	cmdargs_init(&unrouted);
	cmdargs_init(&akeys);
	int nassign = 0, nunrouted = 0;
	for (int r = 0; r < ROLE_COUNT && id && school && roles; r++) {
		const char *rn = role_name((enum role)r);
		/* roles is a comma-separated list of role names */
		bool wanted = false;
		for (const char *s = roles; *s;) {
			size_t n = strcspn(s, ",");
			if (n == strlen(rn) && strncmp(s, rn, n) == 0)
				wanted = true;
			s += n + (s[n] == ',');
		}
		if (!wanted)
			continue;
		int found = 0;
		for (int i = 0; i < pc->npartners; i++) {
			const struct partner *p = &pc->partners[i];
			if ((int)p->role != r || !partner_serves(pc, p, school))
				continue;
			found++;
			bool duo = rule && kind && strcmp(rule, "leerplicht_16u") == 0 &&
				   r == ROLE_SCHOOL && strcmp(kind, "task") == 0;
			int64_t due = task_due_ms(dc, created, (int)window, duo);
			int64_t remind = dc->reminder_percent ? created + (due - created) * dc->reminder_percent / 100 : 0;
			char fl[200];
			fields_shared(p, t, fl, sizeof fl);
			cmdargs_adds(&assign, p->id);
			cmdargs_adds(&assign, rn);
			cmdargs_addf(&assign, "%lld", (long long)due);
			cmdargs_addf(&assign, "%lld", (long long)remind);
			cmdargs_adds(&assign, p->legal_basis);
			cmdargs_adds(&assign, fl);
			char key[KEY_MAX];
			key_build(key, sizeof key, ds->index, KEY_OUTBOX, p->id);
			cmdargs_adds(&akeys, key);
			key_build(key, sizeof key, ds->index, KEY_OPEN, p->id);
			cmdargs_adds(&akeys, key);
			/* the case: escalations and referrals are tasks of their own */
			const char *topic = kind && strcmp(kind, "task") == 0 ? rule_topic(rule) : NULL;
			if (topic) {
				cmdargs_addf(&assign, "%s|%s|%lld", duo ? "separate" : "case", topic,
					     (long long)dc->case_idle_days * 86400000LL);
				accept_case_keys(ds, p, id, student ? student : "", topic, k->n + 2 + akeys.n,
						 a->n + 12 + assign.n, &akeys, &assign);
			} else {
				cmdargs_adds(&assign, "");
				cmdargs_adds(&assign, "");
				cmdargs_adds(&assign, "");
			}
			nassign++;
			plen += (size_t)snprintf(plist + plen, plen < sizeof plist ? sizeof plist - plen : 0,
						 "%s%s", plen ? "," : "", p->id);
			if (plen >= sizeof plist)
				plen = sizeof plist - 1;
		}
		if (!found) {
			cmdargs_adds(&unrouted, rn);
			nunrouted++;
			ds->d->dstats.unrouted++;
			log_unrouted(ds, rule, level_of(t), rn, school);
		}
	}
	if (id && (!roles || !*roles)) {
		/* no route matched the signal: its task has no role at all */
		cmdargs_adds(&unrouted, "none");
		nunrouted++;
		log_unrouted(ds, rule, level_of(t), "none", school ? school : "?");
	}
	if (id && nassign == 0)
		ds->d->dstats.tasks_unrouted++;
	char key[KEY_MAX];
	key_build(key, sizeof key, ds->index, KEY_TASK, id ? id : "");
	cmdargs_adds(k, key);
	const char *date = json_string_value(json_object_get(t, "date"));
	key_build(key, sizeof key, ds->index, KEY_DAILY, date ? date : "");
	cmdargs_adds(k, key);
	for (int i = 0; i < akeys.n; i++)
		cmdargs_add(k, akeys.argv[i], akeys.lens[i]);
	cmdargs_adds(a, entry_id);
	cmdargs_adds(a, id ? id : "");
	/* the member names one byte each, as the record keeps them: here
	 * rather than in Redis, where the pattern substitution cost about
	 * 4 us a task (bench/lua_calls.sh) */
	size_t clen = 0;
	char *coded = record_json_encode(json, &clen);
	if (coded)
		cmdargs_add(a, coded, clen);
	else
		cmdargs_adds(a, json);
	cmdargs_adds(a, student ? student : "");
	cmdargs_adds(a, plist);
	cmdargs_adds(a, roles ? roles : "");
	cmdargs_adds(a, school ? school : "");
	cmdargs_adds(a, date ? date : "");
	cmdargs_addf(a, "%d", school ? ops_flood_task_limit(ds->d->cfg) : 0);
	const char *released = field(fields, "released");
	cmdargs_adds(a, released ? released : "0");
	cmdargs_adds(a, coded ? "names" : "plain");
	free(coded);
	cmdargs_addf(a, "%d", nassign);
	for (int i = 0; i < assign.n; i++)
		cmdargs_add(a, assign.argv[i], assign.lens[i]);
	cmdargs_addf(a, "%d", nunrouted);
	for (int i = 0; i < unrouted.n; i++)
		cmdargs_add(a, unrouted.argv[i], unrouted.lens[i]);
	cmdargs_free(&assign);
	cmdargs_free(&unrouted);
	cmdargs_free(&akeys);
	free(json);
	json_decref(t);
}

static void on_accept(struct dispatcher *ds, const redisReply *r, const char *partner);

/* Sends ds->acc (ACCEPT) again after the script named the case ids it
 * needs (its reply {"CASES", {current, new}...}): they and their keys
 * replace those sent. Returns -1 when the reply does not fit the call. */
static int accept_again(struct dispatcher *ds, const redisReply *ids)
{
	if (ids->type != REDIS_REPLY_ARRAY || ids->elements != 2 * (size_t)ds->acc_ncase || ++ds->acc_tries > 4)
		return -1;
	static const enum key_kind kinds[] = {KEY_CASE, KEY_CASEITEMS};
	for (int c = 0; c < ds->acc_ncase; c++) {
		for (int j = 0; j < 2; j++) {
			const char *id = rd_string(ids->element[2 * c + j]);
			char key[KEY_MAX];
			if (!id || strlen(id) > 64)
				return -1;
			for (int x = 0; x < 2; x++) {
				int at = ds->acc_case[2 * c] + 2 * j + x;
				key_build(key, sizeof key, ds->index, kinds[x], id);
				free(ds->acc.argv[at]);
				ds->acc.argv[at] = xstrdup(key);
				ds->acc.lens[at] = strlen(key);
			}
			int at = ds->acc_case[2 * c + 1] + j;
			free(ds->acc.argv[at]);
			ds->acc.argv[at] = xstrdup(id);
			ds->acc.lens[at] = strlen(id);
		}
	}
	return send_durable(ds, on_accept, NULL, &ds->acc);
}

static void on_accept(struct dispatcher *ds, const redisReply *r, const char *partner)
{
	(void)partner;
	if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 && rd_string(r->element[0]) &&
	    strcmp(r->element[0]->str, "CASES") == 0) {
		if (accept_again(ds, r->element[1]) != 0)
			chain_failed(ds, NULL, "accept (case ids)");
		return;
	}
	if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 4) {
		chain_failed(ds, r, "accept");
		return;
	}
	/* the case each assignment joined or opened: what the index names now */
	const redisReply *landed = r->element[3];
	if (landed->type == REDIS_REPLY_ARRAY && landed->elements == (size_t)ds->acc_ncase)
		for (int c = 0; c < ds->acc_ncase; c++) {
			const char *cid = rd_string(landed->element[c]);
			if (cid && *cid)
				case_guess_put(&ds->guesses, ds->acc_guess[c], cid);
		}
	ds->d->dstats.accepted += (unsigned long long)r->element[0]->integer;
	ds->d->dstats.quarantined += (unsigned long long)r->element[2]->integer;
	/* newly quarantined school days (element 1) are logged by opsdata.c,
	 * which also sees those the COMMIT script quarantined for absences */
	ds->reading = false;
	dispatcher_kick(ds);
}

/* Accepts the entries of an XREADGROUP/XAUTOCLAIM reply (an array of
 * [id, [field, value...]]). Returns 1 if a command was sent, 0 if there
 * was nothing to accept. */
static int accept_entries(struct dispatcher *ds, const redisReply *entries)
{
	struct cmdargs a, k;
	cmdargs_init(&a);
	cmdargs_init(&k);
	int64_t now = ds->env.wall_ms();
	const struct partners_config *pc = pcfg(ds);
	ds->acc_ncase = 0;
	ds->acc_tries = 0;
	cmdargs_adds(&a, ds->env.lease.token(ds->env.lease.ctx));
	cmdargs_adds(&a, GROUP);
	cmdargs_addf(&a, "%lld", (long long)now);
	cmdargs_addf(&a, "%lld", (long long)pc->dispatch.task_retention_days * 86400000LL);
	int ncount_at = a.n;
	cmdargs_adds(&a, "0");
	int n = 0;
	for (size_t i = 0; entries && i < entries->elements; i++) {
		const redisReply *e = entries->element[i];
		if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 || e->element[0]->type != REDIS_REPLY_STRING ||
		    e->element[1]->type != REDIS_REPLY_ARRAY)
			continue;
		accept_entry(ds, &k, &a, e->element[0]->str, e->element[1], now);
		n++;
	}
	if (n == 0) {
		cmdargs_free(&a);
		cmdargs_free(&k);
		return 0;
	}
	free(a.argv[ncount_at]);
	char num[16];
	snprintf(num, sizeof num, "%d", n);
	a.argv[ncount_at] = xstrdup(num);
	a.lens[ncount_at] = strlen(num);
	/* EVALSHA sha nkeys, the 6 fixed keys, the entries' keys, the arguments */
	struct cmdargs *c = &ds->acc;
	cmdargs_clear(c);
	cmdargs_adds(c, "EVALSHA");
	cmdargs_adds(c, ds->d->script_sha[SCRIPT_ACCEPT]);
	cmdargs_addf(c, "%d", 6 + k.n);
	cmdargs_adds(c, ds->k_lease);
	cmdargs_adds(c, ds->k_tasks);
	cmdargs_adds(c, ds->k_due);
	cmdargs_adds(c, ds->k_audit);
	char key[KEY_MAX];
	key_build(key, sizeof key, ds->index, KEY_QUARANTINE, NULL);
	cmdargs_adds(c, key);
	key_build(key, sizeof key, ds->index, KEY_QUARANTINED, NULL);
	cmdargs_adds(c, key);
	for (int i = 0; i < ds->acc_ncase; i++) {
		ds->acc_case[2 * i] += 9;
		ds->acc_case[2 * i + 1] += 9 + k.n;
	}
	for (int i = 0; i < k.n; i++)
		cmdargs_add(c, k.argv[i], k.lens[i]);
	for (int i = 0; i < a.n; i++)
		cmdargs_add(c, a.argv[i], a.lens[i]);
	int rc = send_durable(ds, on_accept, NULL, c);
	cmdargs_free(&a);
	cmdargs_free(&k);
	if (rc != 0) {
		chain_failed(ds, NULL, "accept");
		return 1;
	}
	return 1;
}

static void read_step(struct dispatcher *ds);

static void on_read(struct dispatcher *ds, const redisReply *r, const char *partner)
{
	(void)partner;
	if (reply_is_error(r, "NOGROUP")) {
		ds->phase = RD_CREATE;
		ds->reading = false;
		arm(ds, 0);
		return;
	}
	if (!r || (r->type != REDIS_REPLY_NIL && r->type != REDIS_REPLY_ARRAY) ||
	    (ds->phase == RD_CLAIM && (r->type != REDIS_REPLY_ARRAY || r->elements < 2))) {
		chain_failed(ds, r, "read");
		return;
	}
	const redisReply *entries = NULL;
	if (ds->phase == RD_CLAIM) {
		if (r->element[0]->type == REDIS_REPLY_STRING)
			str_copy(ds->cursor, r->element[0]->str, sizeof ds->cursor);
		if (strcmp(ds->cursor, "0-0") == 0)
			ds->phase = RD_NEW;
		entries = r->element[1];
	} else if (r->type == REDIS_REPLY_ARRAY && r->elements > 0 && r->element[0]->elements == 2) {
		entries = r->element[0]->element[1]; /* [[stream, entries]] */
	}
	/* a full read: more tasks wait to be accepted (dispatcher_behind) */
	ds->read_full = entries && entries->type == REDIS_REPLY_ARRAY && entries->elements >= READ_COUNT;
	if (!entries || !accept_entries(ds, entries)) {
		ds->reading = false;
		if (ds->phase == RD_NEW)
			ds->read_idle_until = ds->env.wall_ms() + pcfg(ds)->dispatch.poll_ms;
		if (ds->phase == RD_CLAIM)
			arm(ds, 0);
	}
}

static void on_group(struct dispatcher *ds, const redisReply *r, const char *partner)
{
	(void)partner;
	if (!r || (r->type == REDIS_REPLY_ERROR && !reply_is_error(r, "BUSYGROUP"))) {
		chain_failed(ds, r, "group creation");
		return;
	}
	ds->phase = RD_CLAIM;
	str_copy(ds->cursor, "0-0", sizeof ds->cursor);
	read_step(ds);
}

static void read_step(struct dispatcher *ds)
{
	struct cmdargs a;
	cmdargs_init(&a);
	dreply_fn fn = on_read;
	const char *consumer = ds->d->cfg->daemon.consumer;
	switch (ds->phase) {
	case RD_CREATE:
		cmdargs_adds(&a, "XGROUP");
		cmdargs_adds(&a, "CREATE");
		cmdargs_adds(&a, ds->k_tasks);
		cmdargs_adds(&a, GROUP);
		cmdargs_adds(&a, "0");
		cmdargs_adds(&a, "MKSTREAM");
		fn = on_group;
		break;
	case RD_CLAIM:
		cmdargs_adds(&a, "XAUTOCLAIM");
		cmdargs_adds(&a, ds->k_tasks);
		cmdargs_adds(&a, GROUP);
		cmdargs_adds(&a, consumer);
		cmdargs_adds(&a, "0");
		cmdargs_adds(&a, ds->cursor);
		cmdargs_adds(&a, "COUNT");
		cmdargs_addf(&a, "%d", READ_COUNT);
		break;
	case RD_NEW:
		cmdargs_adds(&a, "XREADGROUP");
		cmdargs_adds(&a, "GROUP");
		cmdargs_adds(&a, GROUP);
		cmdargs_adds(&a, consumer);
		cmdargs_adds(&a, "COUNT");
		cmdargs_addf(&a, "%d", READ_COUNT);
		cmdargs_adds(&a, "STREAMS");
		cmdargs_adds(&a, ds->k_tasks);
		cmdargs_adds(&a, ">");
		break;
	}
	ds->reading = true;
	if (send_args(ds, fn, NULL, &a) != 0)
		chain_failed(ds, NULL, "read");
	cmdargs_free(&a);
}

/* ---- due times ------------------------------------------------------------ */

static void on_due(struct dispatcher *ds, const redisReply *r, const char *partner)
{
	(void)partner;
	if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 3) {
		chain_failed(ds, r, "due times");
		return;
	}
	ds->due_busy = false;
	const redisReply *partners = r->element[1];
	for (size_t i = 0; i < partners->elements; i++) {
		struct pslot *s = partners->element[i]->type == REDIS_REPLY_STRING
					  ? slot_of(ds, partners->element[i]->str)
					  : NULL;
		if (s)
			s->next_ms = 0;
		ds->d->dstats.reminders_scheduled++;
	}
	long long esc = r->element[2]->integer;
	if (esc > 0) {
		ds->d->dstats.escalations += (unsigned long long)esc;
		log_notice("partition %d: %lld task(s) overdue, escalated", ds->index, esc);
	}
	if (r->element[0]->integer > 0)
		arm(ds, 0);
	else
		ds->due_idle_until = ds->env.wall_ms() + pcfg(ds)->dispatch.poll_ms;
}

/* A due item "<what>|<task id>|<partner>" as DUE reads it: its task record
 * and the partner's outbox into rec and out; false for an item of no known
 * form. */
static bool due_item_keys(const struct dispatcher *ds, const char *m, char *rec, char *out)
{
	const char *b1 = strchr(m, '|');
	const char *b2 = b1 ? strchr(b1 + 1, '|') : NULL;
	if (!b1 || b1 == m || !b2 || b2 == b1 + 1 || !b2[1])
		return false;
	for (const char *c = m; c < b1; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z')))
			return false;
	char id[KEY_MAX];
	if ((size_t)(b2 - b1 - 1) >= sizeof id)
		return false;
	memcpy(id, b1 + 1, (size_t)(b2 - b1 - 1));
	id[b2 - b1 - 1] = '\0';
	key_build(rec, KEY_MAX, ds->index, KEY_TASK, id);
	key_build(out, KEY_MAX, ds->index, KEY_OUTBOX, b2 + 1);
	return true;
}

/* The second step of firing due times: DUE over the items just read, each
 * with its task record's and outbox's keys (every key declared). */
static void on_due_read(struct dispatcher *ds, const redisReply *r, const char *partner)
{
	(void)partner;
	if (!r || r->type != REDIS_REPLY_ARRAY) {
		chain_failed(ds, r, "due times");
		return;
	}
	if (r->elements == 0) {
		ds->due_busy = false;
		return;
	}
	struct cmdargs a;
	cmdargs_init(&a);
	int64_t now = ds->env.wall_ms();
	char iso[40], rec[KEY_MAX], out[KEY_MAX];
	format_instant(now, iso, sizeof iso);
	cmdargs_adds(&a, "EVALSHA");
	cmdargs_adds(&a, ds->d->script_sha[SCRIPT_DUE]);
	cmdargs_addf(&a, "%zu", 4 + 2 * r->elements);
	cmdargs_adds(&a, ds->k_lease);
	cmdargs_adds(&a, ds->k_due);
	cmdargs_adds(&a, ds->k_tasks);
	cmdargs_adds(&a, ds->k_audit);
	for (size_t i = 0; i < r->elements; i++) {
		const char *m = rd_string(r->element[i]);
		if (m && due_item_keys(ds, m, rec, out)) {
			cmdargs_adds(&a, rec);
			cmdargs_adds(&a, out);
		} else {
			cmdargs_adds(&a, ds->k_due);
			cmdargs_adds(&a, ds->k_due);
		}
	}
	cmdargs_adds(&a, ds->env.lease.token(ds->env.lease.ctx));
	cmdargs_addf(&a, "%lld", (long long)now);
	cmdargs_adds(&a, iso);
	cmdargs_addf(&a, "%d", ds->d->cfg->daemon.action_window_hours);
	for (size_t i = 0; i < r->elements; i++)
		cmdargs_adds(&a, rd_string(r->element[i]) ? r->element[i]->str : "");
	if (send_durable(ds, on_due, NULL, &a) != 0)
		chain_failed(ds, NULL, "due times");
	cmdargs_free(&a);
}

/* Firing due times is two steps: the items that have come (plain read),
 * then DUE with their keys (on_due_read). */
static void due_step(struct dispatcher *ds, int64_t now)
{
	struct cmdargs a;
	cmdargs_init(&a);
	cmdargs_adds(&a, "ZRANGEBYSCORE");
	cmdargs_adds(&a, ds->k_due);
	cmdargs_adds(&a, "-inf");
	cmdargs_addf(&a, "%lld", (long long)now);
	cmdargs_adds(&a, "LIMIT");
	cmdargs_adds(&a, "0");
	cmdargs_addf(&a, "%d", DUE_LIMIT);
	ds->due_busy = true;
	if (send_args(ds, on_due_read, NULL, &a) != 0)
		chain_failed(ds, NULL, "due times");
	cmdargs_free(&a);
}

/* ---- deliveries ------------------------------------------------------------ */

static void format_local(int64_t ms, char *buf, size_t cap)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(buf, cap, "%d-%m-%Y %H:%M", &tm);
}

static void on_requeued(struct rconn *rc, redisReply *r, void *arg);
static void record_results(struct dispatcher *ds);

static void delivery_finished(struct delivery *dl)
{
	struct dispatcher *ds = dl->arg;
	struct vsd *d = ds->d;
	int64_t now = ds->env.wall_ms();
	struct partner_stats *st = ds->env.stats.partner(ds->env.stats.ctx, dl->partner->id, connector_name(dl->cc));
	bool reminder = strcmp(dl->event, "reminder") == 0;
	struct pslot *slot = slot_of(ds, dl->partner->id);
	int64_t next = now;
	if (dl->aborted) {
		/* The daemon is stopping: make the member due now (instead of after
		 * its hold time) so whoever owns the partition next sends it at once;
		 * so are the partner's members taken but not started. */
		if (slot)
			queue_drop(ds, slot, true);
		char key[160], at[24];
		key_build(key, sizeof key, ds->index, KEY_OUTBOX, dl->partner->id);
		snprintf(at, sizeof at, "%lld", (long long)now);
		const char *argv[] = {"ZADD", key, "XX", at, dl->member};
		size_t lens[] = {4, strlen(key), 2, strlen(at), strlen(dl->member)};
		if (rconn_command(d->cmd, on_requeued, dl, 0, 5, argv, lens) != 0) {
			if (slot)
				slot->in_flight--;
			delivery_free(dl);
		}
		return;
	}
	switch (dl->outcome) {
	case DL_DELIVERED:
		if (!reminder) {
			st->delivered++;
			if (strcmp(dl->event, "update") == 0)
				st->updates++;
			partner_stats_latency(st, (double)(now - dl->task_created_ms) / 1000.0);
		}
		log_debug("partition %d: %s %s delivered to %s (%s)", ds->index, dl->event, dl->task_id,
			  dl->partner->id, dl->detail);
		if (slot && slot->failing) {
			slot->failing = false;
			log_info("partner %s: deliveries succeed again", dl->partner->id);
		}
		break;
	case DL_RETRY: {
		st->retried++;
		next = now + retry_delay_ms(dl->attempts + 1, d->cfg->partners->dispatch.retry_base_ms,
					    d->cfg->partners->dispatch.retry_max_ms, next_rand(ds),
					    dl->retry_after_s);
		if (dl->alert_at_ms > now && next > dl->alert_at_ms)
			next = dl->alert_at_ms; /* try once more when the alert is due */
		log_msg(slot && !slot->failing ? LOG_INFO : LOG_DEBUG,
			"partition %d: delivery to %s failed (%s); retrying in %.1f s%s", ds->index,
			dl->partner->id, dl->detail, (double)(next - now) / 1000.0,
			slot && !slot->failing ? " (further failures at debug level)" : "");
		if (slot)
			slot->failing = true;
		break;
	}
	case DL_FAILED:
		st->failed++;
		if (slot)
			slot->failing = true;
		break;
	}
	/* The partner has answered: its slot is free for the next delivery. The
	 * member stays held in the outbox until the batch with its outcome is
	 * recorded (or, if that never happens, until its hold has passed). */
	if (slot) {
		slot->in_flight--;
		slot->next_ms = 0;
	}
	if (ds->nresults == ds->capresults) {
		ds->capresults = ds->capresults ? ds->capresults * 2 : 64;
		ds->results = xrealloc(ds->results, (size_t)ds->capresults * sizeof *ds->results);
	}
	ds->results[ds->nresults++] = (struct finished){dl, next, now};
	record_results(ds);
	if (!d->stopping || ds->drain != DRAIN_NONE)
		arm(ds, 0);
}

/* The reply to an aborted delivery's ZADD (made due at once). */
static void on_requeued(struct rconn *rc, redisReply *r, void *arg)
{
	(void)rc;
	(void)r;
	struct delivery *dl = arg;
	struct dispatcher *ds = dl->arg;
	struct pslot *s = slot_of(ds, dl->partner->id);
	if (s) {
		s->in_flight--;
		s->next_ms = 0;
	}
	delivery_free(dl);
	if (!ds->d->stopping || ds->drain != DRAIN_NONE)
		arm(ds, 0);
}

/* What the RESULT script answered for one delivery (NULL: no answer). */
static void result_outcome(struct dispatcher *ds, const struct delivery *dl, const redisReply *r)
{
	struct vsd *d = ds->d;
	if (r && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS) && r->str) {
		struct partner_stats *st = ds->env.stats.partner(ds->env.stats.ctx, dl->partner->id, connector_name(dl->cc));
		int after = d->cfg->partners->dispatch.undeliverable_after_s;
		if (strcmp(r->str, "alert") == 0) {
			st->undeliverable++;
			log_warn("partner %s: task %s not delivered for %d s (%s); still retrying",
				 dl->partner->id, dl->task_id, after, dl->detail);
		} else if (strcmp(r->str, "fallback") == 0) {
			st->undeliverable++;
			log_warn("partner %s: task %s not delivered (%s); switching to the fallback "
				 "connector (%s)",
				 dl->partner->id, dl->task_id, dl->detail,
				 connector_name(&dl->partner->fallback));
		} else if (strcmp(r->str, "failed") == 0) {
			st->undeliverable++;
			log_warn("partner %s: task %s refused for good (%s); see vroegsignaal tasks "
				 "--state all --delivery failed",
				 dl->partner->id, dl->task_id, dl->detail);
		}
	} else if (reply_is_error(r, "LEASE")) {
		/* Delivered (or tried) under a lease this instance no longer holds:
		 * the member stays held in its outbox, and the partition's new owner
		 * sends it again once its hold has passed. */
		log_warn("partition %d: the outcome of %s %s for partner %s was not recorded: the "
			 "partition's lease is no longer held (it is sent again after its hold)",
			 ds->index, dl->event, dl->task_id, dl->partner->id);
	} else if (r && r->type == REDIS_REPLY_ERROR) {
		log_warn("partition %d: recording a delivery failed: %s", ds->index, r->str);
	}
}

static void on_results(struct rconn *rc, redisReply *r, void *arg)
{
	(void)rc;
	struct dispatcher *ds = arg;
	int n = ds->recording;
	/* one reply per delivery; an error for the whole batch (a lost lease)
	 * or no answer applies to each */
	bool each = r && r->type == REDIS_REPLY_ARRAY && r->elements == (size_t)n;
	for (int i = 0; i < n; i++) {
		struct delivery *dl = ds->results[i].dl;
		result_outcome(ds, dl, each ? r->element[i] : r);
		delivery_free(dl);
	}
	ds->nresults -= n;
	memmove(ds->results, ds->results + n, (size_t)ds->nresults * sizeof *ds->results);
	ds->recording = 0;
	record_results(ds);
	if (!ds->d->stopping || ds->drain != DRAIN_NONE)
		arm(ds, 0);
}

/* Sends the outcomes of the finished deliveries waiting (up to
 * RESULT_BATCH_MAX) as one RESULT call, unless a batch is in flight: the
 * next batch goes out when its reply is in, with whatever finished
 * meanwhile. So a lone delivery is recorded at once, and under load a call
 * records many. One script call is one atomic step: a crash records all of
 * a batch or none of it (those are sent again after their hold, with the
 * same Idempotency-Key). */
static void record_results(struct dispatcher *ds)
{
	if (ds->recording || ds->nresults == 0)
		return;
	struct vsd *d = ds->d;
	int n = ds->nresults < RESULT_BATCH_MAX ? ds->nresults : RESULT_BATCH_MAX;
	struct cmdargs a;
	cmdargs_init(&a);
	char key[160];
	cmdargs_adds(&a, "EVALSHA");
	cmdargs_adds(&a, d->script_sha[SCRIPT_RESULT]);
	cmdargs_addf(&a, "%d", 2 + 3 * n);
	cmdargs_adds(&a, ds->k_lease);
	cmdargs_adds(&a, ds->k_audit);
	for (int i = 0; i < n; i++) {
		const struct delivery *dl = ds->results[i].dl;
		key_build(key, sizeof key, ds->index, KEY_OUTBOX, dl->partner->id);
		cmdargs_adds(&a, key);
		key_build(key, sizeof key, ds->index, KEY_TASK, dl->task_id);
		cmdargs_adds(&a, key);
		key_build(key, sizeof key, ds->index, KEY_UNDELIVERABLE, dl->partner->id);
		cmdargs_adds(&a, key);
	}
	cmdargs_adds(&a, ds->env.lease.token(ds->env.lease.ctx));
	cmdargs_adds(&a, ds->pre);
	cmdargs_addf(&a, "%lld", (long long)d->cfg->partners->dispatch.undeliverable_after_s * 1000LL);
	cmdargs_addf(&a, "%d", n);
	for (int i = 0; i < n; i++) {
		const struct finished *f = &ds->results[i];
		const struct delivery *dl = f->dl;
		cmdargs_adds(&a, dl->partner->id);
		cmdargs_adds(&a, dl->member);
		cmdargs_adds(&a, dl->outcome == DL_DELIVERED ? "delivered" : dl->outcome == DL_RETRY ? "retry" : "failed");
		cmdargs_addf(&a, "%lld", (long long)f->next_ms);
		cmdargs_addf(&a, "%lld", (long long)f->at_ms);
		cmdargs_adds(&a, dl->detail);
		/* a task accepted by this dispatcher under this configuration:
		 * its assigned entry holds the same fields and legal basis */
		bool as_assigned = dl->task_created_known && dl->pc == ds->audit_pc &&
				   dl->task_created_ms > ds->audit_since;
		cmdargs_adds(&a, as_assigned ? "" : dl->fields);
		cmdargs_adds(&a, as_assigned ? "" : dl->partner->legal_basis);
		cmdargs_adds(&a, dl->partner->has_fallback ? "1" : "0");
		cmdargs_adds(&a, dl->via_fallback ? "fallback" : "primary");
		cmdargs_adds(&a, connector_name(dl->cc));
	}
	ds->recording = n;
	/* the reply needs the deliveries (their outcomes): they are freed there */
	int rc = rwait_command(d->cmd, &d->wait, on_results, ds, 0, a.n, (const char **)a.argv, a.lens);
	cmdargs_free(&a);
	if (rc != 0) {
		/* Not recorded (no connection): the held members come due again
		 * and are resent. Dropped here, and so is everything queued. */
		for (int i = 0; i < ds->nresults; i++)
			delivery_free(ds->results[i].dl);
		ds->nresults = 0;
		ds->recording = 0;
	}
}

/* A member taken while the partition is being handed over: instead of its
 * hold, it is due at once for the next owner. Sent on the command connection
 * before the lease is given up, so it needs no lease check of its own. */
static void make_due_now(struct dispatcher *ds, const char *partner, const char *member)
{
	char key[160], at[24];
	key_build(key, sizeof key, ds->index, KEY_OUTBOX, partner);
	snprintf(at, sizeof at, "%lld", (long long)ds->env.wall_ms());
	const char *argv[] = {"ZADD", key, "XX", at, member};
	size_t lens[] = {4, strlen(key), 2, strlen(at), strlen(member)};
	rconn_command(ds->d->cmd, NULL, NULL, 0, 5, argv, lens);
}

static void start_delivery(struct dispatcher *ds, const struct partner *p, const redisReply *item)
{
	/* item: member, record, due ms, via, attempts, student, created ms,
	 * first failed ms, alerted, case id */
	const char *member = item->element[0]->str;
	/* times and counts are range-checked: one out of range makes the record
	 * unreadable, like bad JSON (an absent one takes its default) */
	int64_t due = 0, created = 0, alert_first = 0, attempts = 0;
	const redisReply *const *e = (const redisReply *const *)item->element;
	bool has_created = e[6]->type == REDIS_REPLY_STRING;
	bool has_alert = e[7]->type == REDIS_REPLY_STRING && e[8]->type != REDIS_REPLY_STRING;
	bool bad = (e[2]->type == REDIS_REPLY_STRING && rd_instant(e[2], &due) != 0) ||
		   (has_created && rd_instant(e[6], &created) != 0) ||
		   (has_alert && rd_instant(e[7], &alert_first) != 0) ||
		   (e[4]->type == REDIS_REPLY_STRING && rd_int64(e[4]->str, 0, 1000000, &attempts) != 0);
	if (bad) {
		log_warn("partner %s: an outbox entry has times or counts out of range; it is skipped",
			 p->id);
		return;
	}
	json_t *t = json_loads(item->element[1]->str, 0, NULL);
	if (!t || strlen(member) >= sizeof(((struct delivery *)0)->member)) {
		json_decref(t);
		return;
	}
	struct partners_config *pc = ds->d->cfg->partners;
	struct delivery *dl = xcalloc(1, sizeof *dl);
	dl->pc = partners_ref(pc);
	dl->partner = p;
	const char *via = item->element[3]->type == REDIS_REPLY_STRING ? item->element[3]->str : "primary";
	dl->via_fallback = strcmp(via, "fallback") == 0 && p->has_fallback;
	dl->cc = dl->via_fallback ? &p->fallback : &p->primary;
	str_copy(dl->member, member, sizeof dl->member);
	const char *bar = strrchr(member, '|');
	str_copy(dl->event, bar ? bar + 1 : "task", sizeof dl->event);
	snprintf(dl->task_id, sizeof dl->task_id, "%.*s", (int)(bar ? bar - member : 0), member);
	bool reminder = strcmp(dl->event, "reminder") == 0;
	bool update = strcmp(dl->event, "update") == 0;
	const char *case_id = e[9]->type == REDIS_REPLY_STRING ? e[9]->str : NULL;
	snprintf(dl->idempotency_key, sizeof dl->idempotency_key, "%s%s", dl->task_id,
		 reminder ? ".reminder" : "");
	dl->started_ms = ds->env.wall_ms();
	dl->task_created_ms = has_created ? created : dl->started_ms;
	dl->task_created_known = has_created;
	dl->attempts = (int)attempts;
	/* the first failed attempt on this connector, unless already alerted:
	 * retries are never scheduled past the alert's time */
	if (has_alert)
		dl->alert_at_ms = alert_first + (int64_t)pc->dispatch.undeliverable_after_s * 1000;
	fields_shared(p, t, dl->fields, sizeof dl->fields);
	char due_iso[40], due_local[40], action[1024];
	format_instant(due, due_iso, sizeof due_iso);
	format_local(due, due_local, sizeof due_local);
	json_t *payload = payload_build(pc, p, t, dl->event, due_iso);
	if (case_id)
		json_object_set_new(payload, "case", json_string(case_id));
	if (update) {
		/* an update of an open case: no window of its own */
		json_object_set_new(payload, "kind", json_string("update"));
		json_object_del(payload, "due_at");
	} else if (case_id && p->role == ROLE_SCHOOL &&
		   json_is_string(json_object_get(payload, "kind")) &&
		   json_is_string(json_object_get(t, "rule")) &&
		   strcmp(json_string_value(json_object_get(payload, "kind")), "task") == 0 &&
		   strcmp(json_string_value(json_object_get(t, "rule")), "leerplicht_16u") == 0) {
		/* the school's DUO report: a task of its own in the case, with
		 * its own frame ("separate"); its reminder too is one of that
		 * task (the separate text inside the reminder's) */
		json_object_set_new(payload, "kind", json_string("separate"));
	}
	/* the action text may name the school only to a partner that may see it */
	if (!(p->fields & (1u << PF_SCHOOL)))
		json_object_del(t, "school");
	/* an update's text says it is no new task and has no deadline */
	action_text(pc, payload, role_name(p->role), update ? "" : due_local, action, sizeof action);
	if (reminder) {
		char wrapped[1200];
		json_t *vars = json_pack("{ss}", "action", action);
		template_render(pc->templates[TPL_REMINDER], vars, wrapped, sizeof wrapped);
		json_decref(vars);
		json_object_set_new(payload, "action", json_string(wrapped));
	} else {
		json_object_set_new(payload, "action", json_string(action));
	}
	dl->body = json_dumps(payload, JSON_COMPACT | JSON_REAL_PRECISION(10));
	dl->body_len = strlen(dl->body);
	const struct connector_ops *ops = dl->cc->ops;
	if (ops->compose)
		ops->compose(dl, pc, p, payload, update ? "" : due_local);
	json_decref(payload);
	json_decref(t);
	dl->done = delivery_finished;
	dl->arg = ds;
	struct pslot *s = slot_of(ds, p->id);
	if (s)
		s->in_flight++;
	if (ops->send(&ds->d->cenv, dl) == CONNECTOR_DONE)
		delivery_finished(dl);
}

/* Starts taken members while the partner has free slots. */
static void start_queued(struct dispatcher *ds, struct pslot *s, const struct partner *p)
{
	int64_t now = ds->env.wall_ms();
	while (s->in_flight < p->max_in_flight && s->nqueued > 0) {
		int64_t at;
		redisReply *it = queue_pop(s, &at);
		s->fast = now - at < TAKE_FAST_WAIT_MS;
		if (now - at > TAKEN_PATIENCE_MS)
			make_due_now(ds, p->id, it->element[0]->str);
		else
			start_delivery(ds, p, it);
		freeReplyObject(it);
	}
}

static void on_take(struct dispatcher *ds, const redisReply *r, const char *partner)
{
	struct pslot *s = slot_of(ds, partner);
	if (s)
		s->taking = false;
	if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
		chain_failed(ds, r, "outbox");
		return;
	}
	const struct partner *p = partners_find(pcfg(ds), partner);
	const redisReply *items = r->element[0];
	for (size_t i = 0; p && i < items->elements; i++) {
		const redisReply *it = items->element[i];
		if (it->type != REDIS_REPLY_ARRAY || it->elements != 10 ||
		    it->element[0]->type != REDIS_REPLY_STRING || it->element[1]->type != REDIS_REPLY_STRING)
			continue;
		if (ds->drain != DRAIN_NONE)
			make_due_now(ds, p->id, it->element[0]->str);
		else if (s)
			queue_push(s, rwait_reply_copy(it), ds->env.wall_ms());
		else
			start_delivery(ds, p, it);
	}
	if (s && p)
		start_queued(ds, s, p);
	if (ds->drain != DRAIN_NONE)
		arm(ds, 0);
	if (s) {
		const redisReply *nx = r->element[1];
		/* look again at the next score, and at least every 5 s: operators
		 * (vroegsignaal redeliver) add to outboxes from outside */
		int64_t again = ds->env.wall_ms() + 5000;
		int64_t next;
		s->next_ms = rd_string(nx) && rd_int64(nx->str, INT64_MIN, INT64_MAX, &next) == 0 ? next : again;
		if (s->next_ms > again)
			s->next_ms = again;
	}
}

/* How long a taken outbox member is held: longer than a delivery through
 * the connector can take (its timeout, or Redis's command timeout for the
 * queue connector, which runs on the command connection), plus a margin for
 * recording the result. Past it, the member is sent again: after a crash
 * that is the resend; in a live daemon it cannot happen before the attempt
 * ended. */
static int hold_ms(const struct dispatcher *ds, const struct connector_cfg *cc)
{
	return cc->ops->hold_ms(&ds->d->cenv, cc);
}

static int take_hold(const struct dispatcher *ds, const struct partner *p)
{
	int hold = hold_ms(ds, &p->primary);
	if (p->has_fallback && hold_ms(ds, &p->fallback) > hold)
		hold = hold_ms(ds, &p->fallback);
	return hold;
}

/* The task id of an outbox member "<id>|<kind>" as TAKE reads it: into id,
 * false for a member of no known form. */
static bool member_id(const char *m, char *id, size_t cap)
{
	const char *bar = strrchr(m, '|');
	if (!bar || !bar[1] || (size_t)(bar - m) >= cap)
		return false;
	for (const char *c = bar + 1; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z')))
			return false;
	memcpy(id, m, (size_t)(bar - m));
	id[bar - m] = '\0';
	return true;
}

/* The second step of taking: TAKE over the due members just read, each
 * with its task record's key (docs/redis-keys.md: every key declared). */
static void on_take_read(struct dispatcher *ds, const redisReply *r, const char *partner)
{
	const struct partner *p = partners_find(pcfg(ds), partner);
	struct pslot *s = slot_of(ds, partner);
	if (!p || !r || r->type != REDIS_REPLY_ARRAY) {
		if (s) {
			s->taking = false;
			s->more_due = false;
		}
		chain_failed(ds, r, "outbox");
		return;
	}
	if (s)
		s->more_due = s->take_limit > 0 && (long long)r->elements >= s->take_limit;
	struct cmdargs a;
	cmdargs_init(&a);
	char key[KEY_MAX], id[KEY_MAX];
	cmdargs_adds(&a, "EVALSHA");
	cmdargs_adds(&a, ds->d->script_sha[SCRIPT_TAKE]);
	cmdargs_addf(&a, "%zu", 2 + r->elements);
	cmdargs_adds(&a, ds->k_lease);
	key_build(key, sizeof key, ds->index, KEY_OUTBOX, p->id);
	cmdargs_adds(&a, key);
	for (size_t i = 0; i < r->elements; i++) {
		const redisReply *m = r->element[i];
		if (rd_string(m) && member_id(m->str, id, sizeof id))
			key_build(key, sizeof key, ds->index, KEY_TASK, id);
		else
			key_build(key, sizeof key, ds->index, KEY_OUTBOX, p->id);
		cmdargs_adds(&a, key);
	}
	cmdargs_adds(&a, ds->env.lease.token(ds->env.lease.ctx));
	cmdargs_adds(&a, p->id);
	cmdargs_addf(&a, "%lld", (long long)ds->env.wall_ms());
	cmdargs_addf(&a, "%d", take_hold(ds, p));
	for (size_t i = 0; i < r->elements; i++)
		cmdargs_adds(&a, rd_string(r->element[i]) ? r->element[i]->str : "");
	if (send_durable(ds, on_take, p->id, &a) != 0) {
		if (s)
			s->taking = false;
		chain_failed(ds, NULL, "outbox");
	}
	cmdargs_free(&a);
}

static int take_windows(const struct pslot *s)
{
	return s->fast ? TAKE_WINDOWS_FAST : TAKE_WINDOWS;
}

/* Taking is two steps: the due members (plain read), then TAKE with their
 * records' keys (on_take_read). */
static void take_step(struct dispatcher *ds, struct pslot *s, const struct partner *p, int64_t now)
{
	struct cmdargs a;
	cmdargs_init(&a);
	char key[KEY_MAX];
	key_build(key, sizeof key, ds->index, KEY_OUTBOX, p->id);
	cmdargs_adds(&a, "ZRANGEBYSCORE");
	cmdargs_adds(&a, key);
	cmdargs_adds(&a, "-inf");
	cmdargs_addf(&a, "%lld", (long long)now);
	cmdargs_adds(&a, "LIMIT");
	cmdargs_adds(&a, "0");
	s->take_room = take_windows(s) * p->max_in_flight;
	s->take_limit = s->take_room - s->in_flight - s->nqueued;
	cmdargs_addf(&a, "%d", s->take_limit);
	s->taking = true;
	if (send_args(ds, on_take_read, p->id, &a) != 0)
		chain_failed(ds, NULL, "outbox");
	cmdargs_free(&a);
}

/* ---- handover ------------------------------------------------------------- */

static bool in_flight(const struct dispatcher *ds)
{
	if (ds->reading || ds->due_busy || ds->nresults > 0)
		return true;
	for (int i = 0; i < ds->nslots; i++)
		if (ds->slots[i].taking || ds->slots[i].in_flight > 0 || ds->slots[i].nqueued > 0)
			return true;
	return false;
}

/* One step of a drain, from the timer. */
static void drain_step(struct dispatcher *ds)
{
	if (ds->drain == DRAIN_RELEASING) {
		/* the lease drop is on its way; starting anything now would only be
		 * refused (or, past a restart of the partition, is up to it again) */
		if (!ds->env.lease.held(ds->env.lease.ctx) || !ds->env.lease.releasing(ds->env.lease.ctx)) {
			ds->drain = DRAIN_NONE;
			reset(ds);
			arm(ds, 0);
		}
		return;
	}
	if (in_flight(ds)) {
		if (!ds->drain_aborted && ds->env.wall_ms() >= ds->drain_abort_ms) {
			ds->drain_aborted = true;
			log_info("partition %d: ending the deliveries still under way for the handover; "
				 "they are due again at once",
				 ds->index);
			transfers_abort_owned(&ds->d->cenv, ds);
		}
		return;
	}
	dispatcher_drained_fn fn = ds->drained;
	void *arg = ds->drained_arg;
	ds->drained = NULL;
	ds->drain = DRAIN_RELEASING;
	if (!fn || !fn(arg)) {
		ds->drain = DRAIN_NONE;
		arm(ds, 0);
	}
}

void dispatcher_drain(struct dispatcher *ds, int grace_ms, dispatcher_drained_fn drained, void *arg)
{
	if (ds->drain != DRAIN_WAITING) {
		ds->drain = DRAIN_WAITING;
		ds->drain_abort_ms = ds->env.wall_ms() + grace_ms;
		ds->drain_aborted = false;
	}
	ds->drained = drained;
	ds->drained_arg = arg;
	arm(ds, 0);
}

/* TRIM's cases mode for one partner. The script names the case (and task)
 * keys it needs and writes nothing until every one is declared
 * (docs/redis-keys.md): the first call passes none, each reply {"KEYS",
 * key...} adds the keys named and sends again, TRIM_CASES_TRIES calls at
 * most (a case opened between two calls names one more). Otherwise the reply
 * is not needed: a failure is tried again at the next hourly trim. */
#define TRIM_CASES_TRIES 4
struct trim_req {
	struct dispatcher *ds;
	char *partner;
	char cutoff[24];
	struct cmdargs keys; /* the case and task keys learned so far */
	int tries;
};

static void trim_cases_send(struct trim_req *t);

static void on_trim_cases(struct rconn *rc, redisReply *r, void *arg)
{
	(void)rc;
	struct trim_req *t = arg;
	/* NULL: the connection went (the dispatcher may be going too) */
	if (r && t->ds->active && rd_keys_reply(r, &t->keys) > 0) {
		if (t->tries < TRIM_CASES_TRIES) {
			trim_cases_send(t);
			return;
		}
		log_warn("dispatcher %d: cases trim kept naming new keys; tried again in an hour",
			 t->ds->index);
	} else if (r && r->type == REDIS_REPLY_ERROR) {
		log_warn("dispatcher %d: cases trim failed: %.200s", t->ds->index, r->str);
	}
	cmdargs_free(&t->keys);
	free(t->partner);
	free(t);
}

static void trim_cases_send(struct trim_req *t)
{
	struct dispatcher *ds = t->ds;
	struct cmdargs a;
	cmdargs_init(&a);
	cmdargs_adds(&a, "EVALSHA");
	cmdargs_adds(&a, ds->d->script_sha[SCRIPT_TRIM]);
	cmdargs_addf(&a, "%d", 5 + t->keys.n);
	static const enum key_kind kinds[] = {KEY_CASES, KEY_CASEOPEN, KEY_CASEPROG, KEY_CASESET,
					      KEY_CASESBUILT};
	for (int k = 0; k < 5; k++) {
		char key[KEY_MAX];
		key_build(key, sizeof key, ds->index, kinds[k], t->partner);
		cmdargs_adds(&a, key);
	}
	for (int k = 0; k < t->keys.n; k++)
		cmdargs_add(&a, t->keys.argv[k], t->keys.lens[k]);
	cmdargs_adds(&a, "cases");
	cmdargs_adds(&a, ds->pre);
	cmdargs_adds(&a, t->cutoff);
	t->tries++;
	int rc = rconn_command(ds->d->cmd, on_trim_cases, t, 0, a.n, (const char **)a.argv, a.lens);
	cmdargs_free(&a);
	if (rc != 0) {
		cmdargs_free(&t->keys);
		free(t->partner);
		free(t);
	}
}

static void trim_cases(struct dispatcher *ds, const char *partner, const char *cutoff)
{
	struct trim_req *t = xmalloc(sizeof *t);
	t->ds = ds;
	t->partner = xstrdup(partner);
	str_copy(t->cutoff, cutoff, sizeof t->cutoff);
	cmdargs_init(&t->keys);
	t->tries = 0;
	trim_cases_send(t);
}

/* ---- the timer ------------------------------------------------------------- */

static void tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct dispatcher *ds = arg;
	const struct partners_config *pc = pcfg(ds);
	if (ds->drain != DRAIN_NONE) {
		/* taken members not started are due at once for the next owner */
		for (int i = 0; ds->drain == DRAIN_WAITING && i < ds->nslots; i++)
			queue_drop(ds, &ds->slots[i], true);
		drain_step(ds);
		if (!evtimer_pending(ds->timer, NULL))
			arm(ds, pc->dispatch.poll_ms);
		return;
	}
	/* a generation mismatch (generation.h) or too few replicas confirming
	 * writes (rwait.h): nothing is taken until that ends */
	if (!ready(ds) || !generation_ok(ds->d) || rwait_hold(ds->d->cmd, &ds->d->wait)) {
		/* stopping: members taken but not started are due at once for the
		 * next owner, while this instance still holds the lease */
		bool due_now = ds->d->stopping && rconn_state(ds->d->cmd) == RC_READY &&
			       ds->env.lease.held(ds->env.lease.ctx);
		for (int i = 0; i < ds->nslots; i++)
			queue_drop(ds, &ds->slots[i], due_now);
		if (ds->active)
			reset(ds);
		arm(ds, pc->dispatch.poll_ms);
		return;
	}
	int64_t now = ds->env.wall_ms();
	if (!ds->active || ds->audit_pc != pc) {
		ds->audit_pc = pc;
		ds->audit_since = now;
	}
	/* starting over (a restart, a lost lease, a failed call): another
	 * instance may have held the partition meanwhile, so what the case
	 * index names is learnt again */
	if (!ds->active)
		case_guess_clear(&ds->guesses);
	ds->active = true;
	sync_slots(ds);
	if (!ds->reading && now >= ds->read_idle_until)
		read_step(ds);
	if (ds->active && !ds->due_busy && now >= ds->due_idle_until)
		due_step(ds, now);
	if (ds->active && now - ds->audit_trimmed_ms > 3600000) {
		/* Once an hour: audit entries past their retention go (the stream
		 * id is the entry's time), exactly ("=": "~" leaves whole radix
		 * nodes of older entries); so do dead letters. */
		char minid[32];
		snprintf(minid, sizeof minid, "%lld-0",
			 (long long)(now - (int64_t)pc->dispatch.audit_retention_days * 86400000));
		const char *argv[] = {"XTRIM", ds->k_audit, "MINID", "=", minid};
		size_t lens[] = {5, strlen(ds->k_audit), 5, 1, strlen(minid)};
		if (rconn_command(ds->d->cmd, NULL, NULL, 0, 5, argv, lens) == 0)
			ds->audit_trimmed_ms = now;
		char k_dead[KEY_MAX];
		key_build(k_dead, sizeof k_dead, ds->index, KEY_DEAD, NULL);
		snprintf(minid, sizeof minid, "%lld-0",
			 (long long)(now - (int64_t)ds->d->cfg->daemon.dead_retention_days * 86400000));
		const char *dargv[] = {"XTRIM", k_dead, "MINID", "=", minid};
		size_t dlens[] = {5, strlen(k_dead), 5, 1, strlen(minid)};
		rconn_command(ds->d->cmd, NULL, NULL, 0, 5, dargv, dlens);
		/* Task entries the dispatcher has processed go after
		 * task_entry_retention_hours (ACCEPT made their records, which
		 * hold the same; nothing reads a processed entry again); never
		 * one still pending. */
		snprintf(minid, sizeof minid, "%lld-0",
			 (long long)(now - (int64_t)pc->dispatch.task_entry_retention_hours * 3600000));
		const char *targv[] = {"EVALSHA", ds->d->script_sha[SCRIPT_TRIM], "1", ds->k_tasks, GROUP, minid};
		size_t tlens[] = {7, 40, 1, strlen(ds->k_tasks), strlen(GROUP), strlen(minid)};
		rconn_command(ds->d->cmd, NULL, NULL, 0, 6, targv, tlens);
		/* The cases index and the per-state sets with the same
		 * retention: a pupil with no further signal leaves a field
		 * whose case record has expired (store/lua/trim.lua). */
		char cutoff[24];
		snprintf(cutoff, sizeof cutoff, "%lld",
			 (long long)(now - (int64_t)pc->dispatch.task_retention_days * 86400000));
		for (int i = 0; i < pc->npartners; i++)
			trim_cases(ds, pc->partners[i].id, cutoff);
	}
	for (int i = 0; ds->active && i < ds->nslots && i < pc->npartners; i++) {
		struct pslot *s = &ds->slots[i];
		const struct partner *p = &pc->partners[i];
		start_queued(ds, s, p);
		/* the next TAKE once no more than one window is left beyond
		 * what is under way: it asks for what fills take_windows */
		if (!s->taking && s->nqueued <= p->max_in_flight &&
		    s->in_flight + s->nqueued < take_windows(s) * p->max_in_flight && s->next_ms <= now)
			take_step(ds, s, p, now);
	}
	if (!evtimer_pending(ds->timer, NULL))
		arm(ds, pc->dispatch.poll_ms);
}

struct dispatcher *dispatcher_new(struct vsd *d, const struct dispatch_env *env, int index)
{
	struct dispatcher *ds = xcalloc(1, sizeof *ds);
	ds->d = d;
	ds->env = *env;
	ds->index = index;
	key_prefix(ds->pre, index);
	key_build(ds->k_tasks, sizeof ds->k_tasks, index, KEY_TASKS, NULL);
	key_build(ds->k_due, sizeof ds->k_due, index, KEY_DUE, NULL);
	key_build(ds->k_audit, sizeof ds->k_audit, index, KEY_AUDIT, NULL);
	key_build(ds->k_lease, sizeof ds->k_lease, index, KEY_LEASE, NULL);
	ds->rng = (uint64_t)ds->env.wall_ms() ^ ((uint64_t)index << 32) ^ (uint64_t)getpid();
	ds->timer = evtimer_new(d->base, tick, ds);
	if (!ds->timer)
		abort();
	arm(ds, 0);
	return ds;
}

void dispatcher_free(struct dispatcher *ds)
{
	if (!ds)
		return;
	event_free(ds->timer);
	for (int i = 0; i < ds->nresults; i++)
		delivery_free(ds->results[i].dl);
	free(ds->results);
	for (int i = 0; i < ds->nslots; i++) {
		queue_drop(ds, &ds->slots[i], false);
		free(ds->slots[i].queue);
	}
	free(ds->slots);
	cmdargs_free(&ds->acc);
	free(ds->acc_case);
	free(ds->acc_guess);
	case_guess_free(&ds->guesses);
	free(ds);
}
