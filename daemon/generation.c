/*
 * generation: see generation.h.
 */
#include "generation.h"

#include "daemon.h"
#include "dispatch.h"
#include "log.h"
#include "partition.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHECK_MS 1000       /* how often the marker is read */
#define ADVANCE_EVERY 5     /* checks between two advances of the counter */
#define LOG_EVERY_MS 60000  /* the refusal is logged at most this often */

/* ---- pure parts ---- */

static const char *const verdict_names[] = {
	[GEN_GONE] = "gone", [GEN_REPLACED] = "replaced", [GEN_ROLLED_BACK] = "rolled_back",
	[GEN_HELD] = "held",
};

static enum gen_verdict verdict_named(const char *s)
{
	for (size_t i = 0; i < sizeof verdict_names / sizeof *verdict_names; i++)
		if (verdict_names[i] && strcmp(verdict_names[i], s) == 0)
			return (enum gen_verdict)i;
	return GEN_OK;
}

bool generation_refusal_applies(const struct gen_mark *m)
{
	if (!m->present || m->refused == GEN_OK)
		return false;
	return strcmp(m->refused_id, m->id[0] ? m->id : "-") == 0;
}

void generation_refusal_format(enum gen_verdict why, long long at_ms, const struct gen_mark *m,
			       char *buf, size_t cap)
{
	const char *name = why < sizeof verdict_names / sizeof *verdict_names && verdict_names[why]
				   ? verdict_names[why]
				   : "held";
	snprintf(buf, cap, "%s %s %lld", m->present && m->id[0] ? m->id : "-", name, at_ms);
}

enum gen_verdict generation_judge(const struct gen_mark *mem, const struct gen_mark *m)
{
	bool has_id = m->present && m->id[0];
	/* an operator's confirmation: another id with a newer confirmation */
	bool confirmed = mem->present && has_id && strcmp(m->id, mem->id) != 0 &&
			 m->confirmed_ms > mem->confirmed_ms;
	/* a refusal remembered sticks until then, whatever the counter does */
	if (mem->present && mem->refused != GEN_OK && !confirmed)
		return mem->refused;
	/* another instance refused this very marker: so do we */
	if (generation_refusal_applies(m))
		return GEN_HELD;
	if (!mem->present)
		return has_id ? GEN_ADOPT : GEN_CREATE;
	if (!m->present)
		return GEN_GONE;
	if (!has_id)
		return GEN_REPLACED;
	if (strcmp(m->id, mem->id) != 0)
		return confirmed ? GEN_ADOPT : GEN_REPLACED;
	return m->counter < mem->counter ? GEN_ROLLED_BACK : GEN_OK;
}

void generation_describe(enum gen_verdict v, const struct gen_mark *mem, const struct gen_mark *m,
			 char *buf, size_t cap)
{
	switch (v) {
	case GEN_GONE:
		snprintf(buf, cap, "the marker " GENERATION_KEY " is gone: Redis was emptied or "
				   "replaced (remembered generation %.12s, counter %lld)",
			 mem->id, mem->counter);
		break;
	case GEN_REPLACED:
		snprintf(buf, cap, "the marker " GENERATION_KEY " is another one (%.12s, remembered "
				   "%.12s) that no operator confirmed: Redis was emptied or replaced",
			 m->id[0] ? m->id : "without an id", mem->id);
		break;
	case GEN_ROLLED_BACK:
		snprintf(buf, cap, "the marker " GENERATION_KEY " is older than remembered (counter %lld, "
				   "remembered %lld): Redis was rolled back (an old backup, a stale "
				   "replica promoted, or writes lost in a crash)",
			 m->counter, mem->counter);
		break;
	case GEN_HELD:
		snprintf(buf, cap, "an instance refused the marker " GENERATION_KEY " (%s, at %lld "
				   "ms): every instance refuses until an operator confirms",
			 m->refused < sizeof verdict_names / sizeof *verdict_names &&
					 verdict_names[m->refused]
				 ? verdict_names[m->refused]
				 : "held",
			 m->refused_ms);
		break;
	default:
		snprintf(buf, cap, "the marker " GENERATION_KEY " is as remembered");
		break;
	}
}

static int parse_ll(const char *s, long long *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < 0)
		return -1;
	*out = v;
	return 0;
}

int generation_mark_read(const redisReply *r, struct gen_mark *out)
{
	memset(out, 0, sizeof *out);
	if (!r || r->type != REDIS_REPLY_ARRAY || r->elements % 2)
		return -1;
	out->present = r->elements > 0;
	for (size_t i = 0; i < r->elements; i += 2) {
		const redisReply *k = r->element[i], *v = r->element[i + 1];
		if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING)
			return -1;
		if (strcmp(k->str, "id") == 0) {
			if (v->len == 0 || v->len > GENERATION_ID_LEN)
				return -1;
			str_copy(out->id, v->str, sizeof out->id);
		} else if (strcmp(k->str, "counter") == 0) {
			if (parse_ll(v->str, &out->counter) != 0)
				return -1;
		} else if (strcmp(k->str, "confirmed_ms") == 0) {
			if (parse_ll(v->str, &out->confirmed_ms) != 0)
				return -1;
		} else if (strcmp(k->str, "refused") == 0) {
			/* "<id or -> <what> <ms>"; one not understood still refuses */
			char id[GENERATION_ID_LEN + 2], what[24];
			long long at;
			if (sscanf(v->str, "%33s %23s %lld", id, what, &at) != 3 ||
			    strlen(id) > GENERATION_ID_LEN || at < 0)
				return -1;
			str_copy(out->refused_id, id, sizeof out->refused_id);
			out->refused = verdict_named(what);
			if (out->refused == GEN_OK)
				out->refused = GEN_HELD;
			out->refused_ms = at;
		}
	}
	return 0;
}

void generation_new_id(char out[GENERATION_ID_LEN + 1])
{
	unsigned char raw[GENERATION_ID_LEN / 2];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t got = fd >= 0 ? read(fd, raw, sizeof raw) : -1;
	if (fd >= 0)
		close(fd);
	if (got != (ssize_t)sizeof raw) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		srandom((unsigned)(ts.tv_nsec ^ ts.tv_sec ^ getpid()));
		for (size_t i = 0; i < sizeof raw; i++)
			raw[i] = (unsigned char)random();
	}
	for (size_t i = 0; i < sizeof raw; i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
}

int generation_file_read(const char *path, struct gen_mark *mem, char *err, size_t cap)
{
	memset(mem, 0, sizeof *mem);
	FILE *f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT)
			return 1;
		snprintf(err, cap, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	char line[128], key[32], val[64];
	int seen = 0;
	while (fgets(line, sizeof line, f)) {
		if (sscanf(line, "%31s %63s", key, val) != 2)
			continue;
		if (strcmp(key, "id") == 0 && strlen(val) <= GENERATION_ID_LEN) {
			str_copy(mem->id, val, sizeof mem->id);
			seen |= 1;
		} else if (strcmp(key, "counter") == 0 && parse_ll(val, &mem->counter) == 0) {
			seen |= 2;
		} else if (strcmp(key, "confirmed_ms") == 0 &&
			   parse_ll(val, &mem->confirmed_ms) == 0) {
			seen |= 4;
		} else if (strcmp(key, "refused") == 0) {
			/* optional: a refusal that sticks until an operator confirms */
			mem->refused = verdict_named(val);
			if (mem->refused == GEN_OK)
				mem->refused = GEN_HELD;
		} else if (strcmp(key, "refused_ms") == 0) {
			parse_ll(val, &mem->refused_ms);
		}
	}
	fclose(f);
	if (seen != 7 || !mem->id[0]) {
		snprintf(err, cap, "%s: expected the lines id, counter and confirmed_ms", path);
		return -1;
	}
	mem->present = true;
	return 0;
}

int generation_file_write(const char *path, const struct gen_mark *mem)
{
	char tmp[400];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return -1;
	fprintf(f, "id %s\ncounter %lld\nconfirmed_ms %lld\n", mem->id, mem->counter,
		mem->confirmed_ms);
	if (mem->refused != GEN_OK)
		fprintf(f, "refused %s\nrefused_ms %lld\n",
			mem->refused < sizeof verdict_names / sizeof *verdict_names &&
					verdict_names[mem->refused]
				? verdict_names[mem->refused]
				: "held",
			mem->refused_ms);
	int rc = fflush(f) == 0 && fsync(fileno(f)) == 0 ? 0 : -1;
	if (fclose(f) != 0)
		rc = -1;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -1;
	if (rc != 0)
		unlink(tmp);
	return rc;
}

/* ---- the daemon's watch ---- */

static void remember(struct vsd *d)
{
	struct generation *g = &d->gen;
	if (g->path[0] && generation_file_write(g->path, &g->mem) != 0)
		log_err("redis generation: cannot write %s: %s", g->path, strerror(errno));
}

static void refuse(struct vsd *d, const char *reason)
{
	struct generation *g = &d->gen;
	bool was = g->mismatch;
	g->mismatch = true;
	str_copy(g->reason, reason, sizeof g->reason);
	int64_t now = vsd_mono_ms();
	if (!was || g->logged_ms == INT64_MIN || now - g->logged_ms >= LOG_EVERY_MS) {
		g->logged_ms = now;
		log_err("redis generation mismatch: %s; not consuming or dispatching until an operator "
			"checks Redis and runs `vroegsignaal generation confirm` (docs/operations.md, "
			"\"Durability\")",
			reason);
	}
	if (!was)
		for (int i = 0; i < d->nparts; i++)
			partition_hold(d->parts[i], "redis generation mismatch");
}

/* The refusal sticks: remembered (file) until an operator confirms, and
 * written into the marker so that every instance refuses and none advances
 * the counter (which would end a refusal judged on the counter alone). */
static void stick(struct vsd *d, enum gen_verdict v, const struct gen_mark *m)
{
	struct generation *g = &d->gen;
	if (g->mem.present && g->mem.refused == GEN_OK) {
		g->mem.refused = v;
		g->mem.refused_ms = vsd_wall_ms();
		remember(d);
	}
	if (generation_refusal_applies(m))
		return;
	char val[GENERATION_ID_LEN + 64];
	generation_refusal_format(g->mem.refused != GEN_OK ? g->mem.refused : v,
				  g->mem.refused_ms ? g->mem.refused_ms : vsd_wall_ms(), m, val,
				  sizeof val);
	const char *argv[] = {"HSET", GENERATION_KEY, "refused", val};
	size_t lens[] = {4, strlen(GENERATION_KEY), 7, strlen(val)};
	rconn_command(d->cmd, NULL, NULL, 0, 4, argv, lens);
}

static void on_advance(struct rconn *rc, redisReply *r, void *arg)
{
	(void)rc;
	struct vsd *d = arg;
	struct generation *g = &d->gen;
	/* NULL: unknown (or too few replicas): remember nothing new */
	if (!r || r->type != REDIS_REPLY_INTEGER || r->integer <= g->mem.counter)
		return;
	g->mem.counter = r->integer;
	remember(d);
}

static void advance(struct vsd *d)
{
	const char *argv[] = {"HINCRBY", GENERATION_KEY, "counter", "1"};
	size_t lens[] = {7, strlen(GENERATION_KEY), 7, 1};
	rwait_command(d->cmd, &d->wait, on_advance, d, 0, 4, argv, lens);
}

static void create(struct vsd *d)
{
	char id[GENERATION_ID_LEN + 1];
	generation_new_id(id);
	const char *a1[] = {"HSETNX", GENERATION_KEY, "id", id};
	size_t l1[] = {6, strlen(GENERATION_KEY), 2, strlen(id)};
	const char *a2[] = {"HSETNX", GENERATION_KEY, "counter", "0"};
	size_t l2[] = {6, strlen(GENERATION_KEY), 7, 1};
	const char *a3[] = {"HSETNX", GENERATION_KEY, "confirmed_ms", "0"};
	size_t l3[] = {6, strlen(GENERATION_KEY), 12, 1};
	/* HSETNX: of two instances starting at once, the first id stays */
	if (rconn_command(d->cmd, NULL, NULL, 0, 4, a1, l1) == 0 &&
	    rconn_command(d->cmd, NULL, NULL, 0, 4, a2, l2) == 0)
		rconn_command(d->cmd, NULL, NULL, 0, 4, a3, l3);
	log_info("redis generation: no marker and nothing remembered (a first start): writing "
		 GENERATION_KEY);
	timer_arm_ms(d->gen.timer, 0); /* and take it at once */
}

static void on_read(struct rconn *rc, redisReply *r, void *arg)
{
	(void)rc;
	struct vsd *d = arg;
	struct generation *g = &d->gen;
	g->busy = false;
	if (!r)
		return; /* the connection went: checked again once it is back */
	if (r->type == REDIS_REPLY_ERROR) {
		/* LOADING, an ACL refusal...: nothing learnt; asked again next round */
		log_warn("redis generation: reading " GENERATION_KEY " failed: %.160s", r->str);
		return;
	}
	struct gen_mark m;
	if (generation_mark_read(r, &m) != 0) {
		refuse(d, "the marker " GENERATION_KEY " is malformed");
		return;
	}
	bool stuck = g->mem.present && g->mem.refused != GEN_OK;
	enum gen_verdict v = generation_judge(&g->mem, &m);
	char why[sizeof g->reason];
	switch (v) {
	case GEN_CREATE:
		create(d);
		return;
	case GEN_ADOPT:
		if (g->mem.present)
			log_notice("redis generation: an operator confirmed a new marker (%.12s); "
				   "consuming and dispatching again",
				   m.id);
		else
			log_info("redis generation %.12s (counter %lld) remembered%s%s", m.id,
				 m.counter, g->path[0] ? " in " : " in memory only",
				 g->path[0] ? g->path : "");
		g->mem = m;
		g->mem.present = true;
		g->mem.refused = GEN_OK; /* the confirmation ends a refusal */
		g->mem.refused_ms = 0;
		g->mem.refused_id[0] = '\0';
		remember(d);
		break;
	case GEN_OK:
		break;
	default:
		if (stuck && v == g->mem.refused && g->mismatch && g->reason[0])
			str_copy(why, g->reason, sizeof why); /* as first noticed */
		else if (stuck && v == g->mem.refused)
			snprintf(why, sizeof why, "refused since %lld ms (the marker " GENERATION_KEY
				 " %s): the refusal stands until an operator confirms",
				 g->mem.refused_ms,
				 v == GEN_GONE ? "was gone" : v == GEN_REPLACED ? "was another one"
				 : v == GEN_ROLLED_BACK ? "was older than remembered"
							: "was refused by an instance");
		else
			generation_describe(v, &g->mem, &m, why, sizeof why);
		stick(d, v, &m);
		refuse(d, why);
		return;
	}
	if (g->mismatch && v == GEN_OK)
		log_notice("redis generation: the marker is as remembered again; consuming again");
	bool was_ok = g->checked && !g->mismatch;
	g->mismatch = false;
	g->reason[0] = '\0';
	g->checked = true;
	if (!was_ok) /* the partitions waiting for it go on at once */
		for (int i = 0; i < d->nparts; i++)
			partition_kick(d->parts[i]);
	if (v == GEN_ADOPT || g->rounds % ADVANCE_EVERY == 0)
		advance(d);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct vsd *d = arg;
	struct generation *g = &d->gen;
	timer_arm_ms(g->timer, CHECK_MS);
	if (g->busy || rconn_state(d->cmd) != RC_READY || d->stopping)
		return;
	const char *argv[] = {"HGETALL", GENERATION_KEY};
	size_t lens[] = {7, strlen(GENERATION_KEY)};
	if (rconn_command(d->cmd, on_read, d, 0, 2, argv, lens) == 0) {
		g->busy = true;
		g->rounds++;
	}
}

int generation_start(struct vsd *d)
{
	struct generation *g = &d->gen;
	memset(g, 0, sizeof *g);
	g->logged_ms = INT64_MIN;
	const char *dir = d->cfg->daemon.state_dir;
	char envdir[256] = "";
	if (!dir[0] && getenv("STATE_DIRECTORY")) {
		/* systemd's StateDirectory=: the first of a colon-separated list */
		str_copy(envdir, getenv("STATE_DIRECTORY"), sizeof envdir);
		char *colon = strchr(envdir, ':');
		if (colon)
			*colon = '\0';
		dir = envdir;
	}
	if (dir[0]) {
		snprintf(g->path, sizeof g->path, "%s/%s", dir, GENERATION_FILE);
		char err[400];
		if (generation_file_read(g->path, &g->mem, err, sizeof err) < 0) {
			log_err("redis generation: %s", err);
			return -1;
		}
	} else {
		log_notice("redis generation: no daemon.state_dir: the generation of Redis is "
			   "remembered only while this process runs");
	}
	g->timer = evtimer_new(d->base, on_timer, d);
	if (!g->timer)
		return -1;
	timer_arm_ms(g->timer, 0);
	return 0;
}

void generation_free(struct vsd *d)
{
	if (d->gen.timer)
		event_free(d->gen.timer);
	d->gen.timer = NULL;
}

void generation_connection_lost(struct vsd *d)
{
	d->gen.checked = false;
	d->gen.busy = false; /* its callback ran with NULL already, or will not matter */
}

void generation_kick(struct vsd *d)
{
	if (d->gen.timer)
		timer_arm_ms(d->gen.timer, 0);
}

bool generation_ok(const struct vsd *d)
{
	return d->gen.checked && !d->gen.mismatch;
}
