/*
 * prefetch: the pupil states of the read sent ahead, asked as soon as that
 * read arrives, while the read in hand is still applied and committed. One
 * step of a partition worker (partition.h); what the steps share is
 * partition_int.h.
 *
 * Without it, a read's states were asked only when its turn came: behind
 * the commits of the read before, so the worker sat idle until Redis had
 * served them, and Redis then sat idle while the worker applied the first
 * batch (0.49 s of the benchmark's 3.5 s).
 *
 * Asked early is as good as asked late: the states asked are of pupils not
 * in the cache, and only pupils in the cache are written until then (the
 * read in hand's pupils were loaded before it was applied; a cached sweep
 * sweeps the cache). The exceptions drop what was fetched: an HSCAN sweep
 * (it loads and purges pupils that are not cached), a restart or a dropped
 * cache. A pupil cached meanwhile keeps its cached state; one the prefetch
 * missed (a student key the parse reads otherwise) is asked as before.
 */
#include "partition_int.h"

void pt_prefetch_drop(struct partition *p)
{
	struct prefetch *f = &p->prefetch;
	for (size_t i = 0; i < f->n; i++) {
		free(f->student[i]);
		free(f->value[i]);
	}
	free(f->student);
	free(f->value);
	free(f->len);
	name_index_free(&f->asked);
	memset(f, 0, sizeof *f); /* PF_NONE: a reply still to come is ignored */
}

static const char *asked_student(const void *f, uint32_t i)
{
	return ((const struct prefetch *)f)->student[i];
}

/* The slot of student, or the empty slot where it would go. */
static size_t slot_of(const struct prefetch *f, const char *student)
{
	return name_index_slot(&f->asked, student, asked_student, f);
}

static const char *student_of(const struct entry *en)
{
	for (int k = 0; k < en->nfields; k++)
		if (en->fields[k].name_len == 7 && memcmp(en->fields[k].name, "student", 7) == 0)
			return en->fields[k].value;
	return NULL;
}

static void on_prefetch(struct rconn *rc, redisReply *r, void *arg)
{
	(void)rc;
	struct partition *p = arg;
	struct prefetch *f = &p->prefetch;
	/* Dropped meanwhile: ignored. A later ask cannot be waiting for this
	 * reply: the next is sent on the next read ahead's arrival, which
	 * Redis answers after this. (A restart drops replies of the old
	 * chain before they get here.) */
	if (f->state != PF_SENT)
		return;
	bool waiting = f->waiting; /* the read's turn came: it waits for this */
	bool ok = r && r->type == REDIS_REPLY_ARRAY && r->elements == f->n;
	for (size_t i = 0; ok && i < f->n; i++) {
		const redisReply *v = r->element[i];
		if (v->type == REDIS_REPLY_STRING) {
			f->value[i] = xmalloc(v->len ? v->len : 1);
			memcpy(f->value[i], v->str, v->len);
			f->len[i] = v->len;
		} else if (v->type != REDIS_REPLY_NIL) {
			ok = false;
		}
	}
	if (ok)
		f->state = PF_READY;
	else
		pt_prefetch_drop(p); /* the states are asked as before */
	f->waiting = false;
	if (waiting)
		pt_load_states(p);
}

void pt_prefetch_send(struct partition *p)
{
	pt_prefetch_drop(p);
	struct prefetch *f = &p->prefetch;
	const struct batch_buf *b = &p->ahead;
	if (b->n == 0)
		return;
	name_index_init(&f->asked, (size_t)b->n);
	f->student = xmalloc((size_t)b->n * sizeof *f->student);
	struct cmdargs a;
	cmdargs_init(&a);
	cmdargs_adds(&a, "HMGET");
	cmdargs_adds(&a, p->k_state);
	for (int i = 0; i < b->n; i++) {
		const char *student = b->v[i].trimmed ? NULL : student_of(&b->v[i]);
		if (!student || !student[0] || pupil_table_find(&p->cache, student))
			continue;
		size_t k = slot_of(f, student);
		if (f->asked.slot[k])
			continue; /* asked already */
		f->student[f->n] = xstrdup(student);
		f->asked.slot[k] = (uint32_t)++f->n;
		cmdargs_adds(&a, student);
	}
	if (f->n == 0) {
		cmdargs_free(&a);
		pt_prefetch_drop(p);
		return;
	}
	f->value = xcalloc(f->n, sizeof *f->value);
	f->len = xcalloc(f->n, sizeof *f->len);
	f->state = PF_SENT;
	f->scans = p->scans;
	pt_send_args(p, on_prefetch, &a);
	cmdargs_free(&a);
}

int pt_prefetch_find(struct partition *p, const char *student, const char **value, size_t *len)
{
	struct prefetch *f = &p->prefetch;
	if (f->state != PF_READY || f->scans != p->scans)
		return -1;
	size_t k = slot_of(f, student);
	if (!f->asked.slot[k])
		return -1;
	size_t i = f->asked.slot[k] - 1;
	*value = f->value[i];
	*len = f->len[i];
	return f->value[i] ? 1 : 0;
}
