/*
 * state: see state.h. Lookups are binary searches over the sorted arrays; a
 * typical pupil has a few dozen registrations and marks, so inserts by
 * memmove are cheap.
 */
#include "state.h"

#include "date.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

int64_t pupil_school_key(int32_t date, int64_t recorded_ms)
{
	const int64_t span = INT64_C(1) << 43;
	int64_t ms = recorded_ms < 0 ? 0 : recorded_ms >= span ? span - 1 : recorded_ms;
	return (int64_t)date * span + ms;
}

void pupil_state_init(struct pupil_state *st, int32_t base)
{
	memset(st, 0, sizeof *st);
	st->base = base;
	st->kept_from = DATE_NONE;
	st->enrol = DATE_NONE;
	st->birth = DATE_NONE;
	st->school_key = INT64_MIN;
	st->swept_day = DATE_NONE;
	st->sweep_wake = DATE_NONE;
	st->touched = true;
}

void pupil_state_free(struct pupil_state *st)
{
	free(st->regs);
	free(st->marks);
	st->regs = NULL;
	st->marks = NULL;
	st->nregs = st->cap_regs = st->nmarks = st->cap_marks = 0;
}

static int reg_cmp_key(const struct pupil_reg *a, int day, int period)
{
	if (a->day != day)
		return a->day < day ? -1 : 1;
	if (a->period != period)
		return a->period < period ? -1 : 1;
	return 0;
}

/* Index of the first reg with key >= (day, period). */
static uint32_t reg_lower_bound(const struct pupil_state *st, int day, int period)
{
	uint32_t lo = 0, hi = st->nregs;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (reg_cmp_key(&st->regs[mid], day, period) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static uint8_t day_kind_of(const struct registration *r, const char *luxe_reason)
{
	switch (r->kind) {
	case KIND_ABSENT:
		if (r->authorized == 1)
			return DR_ABSENT_AUTH;
		return (uint8_t)(DR_ABSENT_UNAUTH |
				 (luxe_reason && strcmp(r->reason, luxe_reason) == 0 ? DR_FLAG_LUXE
										     : 0));
	case KIND_SICK:
		return DR_SICK;
	case KIND_LATE:
		return r->authorized == 1 ? DR_LATE_AUTH : DR_LATE_UNAUTH;
	default:
		return DR_PRESENT;
	}
}

bool pupil_state_apply(struct pupil_state *st, const struct registration *r,
		       const char *luxe_reason)
{
	bool changed = false;
	/* School and sector follow the latest applied `enrol`; before any, the
	 * registration with the latest date (equal dates: the later recorded,
	 * then the later applied). So a registration about an earlier day,
	 * from a previous school, never moves a pupil back, however late it
	 * is recorded. */
	int64_t key = pupil_school_key(r->date, r->recorded_ms);
	bool takes_school = r->kind == KIND_ENROL ||
			    (st->enrol == DATE_NONE && key >= st->school_key);
	if (takes_school && (strcmp(st->school, r->school) != 0 || st->sector != r->sector ||
			     st->school_key != key)) {
		str_copy(st->school, r->school, sizeof st->school);
		st->sector = (uint8_t)r->sector;
		st->school_key = key;
		changed = true;
	}
	if (r->birth_date != DATE_NONE && r->birth_date != st->birth) {
		st->birth = r->birth_date;
		changed = true;
	}
	if (r->kind == KIND_ENROL) {
		if (st->enrol != r->date) {
			st->enrol = r->date;
			changed = true;
		}
		return changed;
	}
	if (r->kind == KIND_UNENROL || r->kind == KIND_CONCERN)
		return changed;
	if (st->kept_from != DATE_NONE && r->date < st->kept_from)
		return changed; /* a purged year */
	if (r->date < st->base)
		pupil_state_rebase(st, r->date);
	if (r->date - st->base > STATE_MAX_DAY_OFFSET)
		return changed; /* see STATE_MAX_DAY_OFFSET */

	int day = r->date - st->base;
	struct pupil_reg nr;
	memset(&nr, 0, sizeof nr);
	nr = (struct pupil_reg){
		.day = (int16_t)day,
		.period = (uint8_t)r->period,
		.kind = day_kind_of(r, luxe_reason),
		.minutes = r->minutes < 0 ? MINUTES_DEFAULT : (uint16_t)r->minutes,
		.recorded_ms = r->recorded_ms,
	};
	if (nr.kind == DR_PRESENT)
		nr.minutes = MINUTES_DEFAULT;
	uint32_t i = reg_lower_bound(st, day, r->period);
	if (i < st->nregs && reg_cmp_key(&st->regs[i], day, r->period) == 0) {
		struct pupil_reg *old = &st->regs[i];
		/* Last writer wins; on equal instants the later entry (this one). */
		if (r->recorded_ms < old->recorded_ms)
			return changed;
		if (old->kind == nr.kind && old->minutes == nr.minutes &&
		    old->recorded_ms == nr.recorded_ms)
			return changed;
		*old = nr;
		return true;
	}
	if (st->nregs == st->cap_regs) {
		st->cap_regs = st->cap_regs ? st->cap_regs * 2 : 8;
		st->regs = xrealloc(st->regs, st->cap_regs * sizeof *st->regs);
	}
	memmove(&st->regs[i + 1], &st->regs[i], (st->nregs - i) * sizeof *st->regs);
	st->regs[i] = nr;
	st->nregs++;
	return true;
}

/* ---- marks ---- */

static int mark_cmp(const struct pupil_mark *m, int rule, int level, int day)
{
	if (m->rule != rule)
		return m->rule < rule ? -1 : 1;
	if (m->level != level)
		return m->level < level ? -1 : 1;
	if (m->day != day)
		return m->day < day ? -1 : 1;
	return 0;
}

static uint32_t mark_lower_bound(const struct pupil_state *st, int rule, int level, int day)
{
	uint32_t lo = 0, hi = st->nmarks;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (mark_cmp(&st->marks[mid], rule, level, day) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool pupil_mark_in(const struct pupil_state *st, int rule, int level, int from, int to)
{
	uint32_t i = mark_lower_bound(st, rule, level, from);
	return i < st->nmarks && st->marks[i].rule == rule && st->marks[i].level == level &&
	       st->marks[i].day <= to;
}

bool pupil_mark_exists(const struct pupil_state *st, int rule, int level)
{
	return pupil_mark_in(st, rule, level, INT16_MIN, INT16_MAX);
}

bool pupil_mark_on(const struct pupil_state *st, int rule, int level, int day)
{
	return pupil_mark_in(st, rule, level, day, day);
}

bool pupil_mark_latest(const struct pupil_state *st, int rule, int level, int *day)
{
	uint32_t i = mark_lower_bound(st, rule, level + 1, INT16_MIN);
	if (i == 0)
		return false;
	const struct pupil_mark *m = &st->marks[i - 1];
	if (m->rule != rule || m->level != level)
		return false;
	*day = m->day;
	return true;
}

void pupil_mark_add(struct pupil_state *st, int rule, int level, int day)
{
	uint32_t i = mark_lower_bound(st, rule, level, day);
	if (i < st->nmarks && mark_cmp(&st->marks[i], rule, level, day) == 0)
		return;
	if (st->nmarks == st->cap_marks) {
		st->cap_marks = st->cap_marks ? st->cap_marks * 2 : 4;
		st->marks = xrealloc(st->marks, st->cap_marks * sizeof *st->marks);
	}
	memmove(&st->marks[i + 1], &st->marks[i], (st->nmarks - i) * sizeof *st->marks);
	st->marks[i] = (struct pupil_mark){(uint8_t)rule, (uint8_t)level, (int16_t)day};
	st->nmarks++;
}

void pupil_state_rebase(struct pupil_state *st, int32_t base)
{
	int32_t delta = st->base - base;
	for (uint32_t i = 0; i < st->nregs; i++)
		st->regs[i].day = (int16_t)(st->regs[i].day + delta);
	for (uint32_t i = 0; i < st->nmarks; i++)
		st->marks[i].day = (int16_t)(st->marks[i].day + delta);
	st->base = base;
}

bool pupil_state_drop_before(struct pupil_state *st, int32_t day)
{
	bool changed = st->kept_from == DATE_NONE || st->kept_from < day;
	if (!changed)
		return false;
	int off = day - st->base;
	uint32_t k = 0;
	for (uint32_t i = 0; i < st->nregs; i++)
		if (st->regs[i].day >= off)
			st->regs[k++] = st->regs[i];
	st->nregs = k;
	k = 0;
	for (uint32_t i = 0; i < st->nmarks; i++)
		if (st->marks[i].day >= off)
			st->marks[k++] = st->marks[i];
	st->nmarks = k;
	st->kept_from = day;
	pupil_state_rebase(st, day);
	st->touched = true;
	return true;
}

/* ---- binary form (docs/state-format.md) ---- */

/* Versions 1 and 2: fixed-width fields. Magic 2, version 1, flags 1,
 * 3 x int32 (4 in version 2), school_key 8, sector 1, school length 1. */
#define HEADER_FIXED_V1 26
#define HEADER_FIXED_V2 30
#define REG_BYTES_V2 14
#define MARK_BYTES_V2 4
#define MAX_DAY_OFFSET_V1 400

/* Version 3: varints and differences. The flags byte says which of the
 * optional header fields are there. */
#define V3_KEPT 0x01       /* kept_from is set (and then equals base) */
#define V3_ENROL 0x02      /* an enrolment date follows */
#define V3_BIRTH 0x04      /* a birth date follows */
#define V3_SCHOOL_KEY 0x08 /* a school key follows */
#define V3_FLAGS (V3_KEPT | V3_ENROL | V3_BIRTH | V3_SCHOOL_KEY)
/* magic, version, flags, base, sector and school length, two counts, CRC */
#define V3_MIN_LEN (4 + 1 + 1 + 1 + 1 + 4)
/* the fewest bytes a registration (day, period and kind, recorded_at) and a
 * mark (rule, level, day) take */
#define V3_MIN_REG 3
#define V3_MIN_MARK 3
#define V3_KIND_LUXE 6 /* kind code of DR_ABSENT_UNAUTH | DR_FLAG_LUXE */
#define MS_PER_DAY INT64_C(86400000)
#define SCHOOL_KEY_SPAN (INT64_C(1) << 43) /* see pupil_school_key */

static uint8_t *put_u32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
	return p + 4;
}

static uint16_t get_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get_u32(const uint8_t *p)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

static uint64_t get_u64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static size_t varint_size(uint64_t v)
{
	size_t n = 1;
	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static uint8_t *put_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

/* Reads a canonical (shortest) varint of at most 10 bytes (64 bits). */
static int get_varint64(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
	uint64_t v = 0;
	for (int shift = 0, i = 0; i < 10; i++, shift += 7) {
		if (*p >= end)
			return -1;
		uint8_t b = *(*p)++;
		if (i == 9 && (b & 0x7e))
			return -1; /* more than 64 bits */
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			if (i > 0 && b == 0)
				return -1; /* not the shortest form */
			*out = v;
			return 0;
		}
	}
	return -1;
}

/* Reads a canonical varint of at most 32 bits. */
static int get_varint(const uint8_t **p, const uint8_t *end, uint32_t *out)
{
	uint64_t v;
	if (get_varint64(p, end, &v) != 0 || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* Signed values as varints: 0, -1, 1, -2, ... as 0, 1, 2, 3, ... */
static uint64_t zigzag(int64_t v)
{
	return v < 0 ? ~((uint64_t)v << 1) : (uint64_t)v << 1;
}

static int64_t unzigzag(uint64_t u)
{
	return (u & 1) ? -(int64_t)(u >> 1) - 1 : (int64_t)(u >> 1);
}

/* An instant as its difference from a reference instant: in whole seconds
 * when it is a whole number of them (the low bit set), else in ms. */
static uint64_t instant_code(int64_t t, int64_t ref)
{
	/* wraps (no undefined behaviour) for an instant out of range, which the
	 * decoder then rejects */
	int64_t d = (int64_t)((uint64_t)t - (uint64_t)ref);
	if (d % 1000 == 0)
		return zigzag(d / 1000) << 1 | 1;
	return zigzag(d) << 1;
}

/* The inverse of instant_code; rejects a difference in ms that is a whole
 * number of seconds (not canonical) and differences far beyond any valid
 * instant (they could overflow). */
static int instant_uncode(uint64_t u, int64_t ref, int64_t *t)
{
	/* valid instants lie less than 2^54 ms (2^44 s) apart */
	uint64_t z = u >> 1;
	if (z >= (UINT64_C(1) << ((u & 1) ? 45 : 55)))
		return -1;
	int64_t d = unzigzag(z);
	if (u & 1)
		d *= 1000;
	else if (d % 1000 == 0)
		return -1;
	*t = ref + d;
	return 0;
}

/* The instant a registration's recorded_at is written relative to: the
 * previous registration's when both are about the same day (the lesson
 * hours of one day are mostly recorded minutes apart), else the midnight
 * (UTC) that starts its day. Measured on a generated region (bench/README.md)
 * this is a little smaller than either alone. */
static int64_t reg_ref(const struct pupil_state *st, uint32_t i)
{
	const struct pupil_reg *r = &st->regs[i];
	if (i > 0 && st->regs[i - 1].day == r->day)
		return st->regs[i - 1].recorded_ms;
	return ((int64_t)st->base + r->day) * MS_PER_DAY;
}

static uint8_t kind_code(uint8_t kind)
{
	return kind == (DR_ABSENT_UNAUTH | DR_FLAG_LUXE) ? V3_KIND_LUXE : kind;
}

/* The floor of a school key's division by its span: the date it holds. */
static int64_t school_key_date(int64_t key)
{
	return key >= 0 ? key / SCHOOL_KEY_SPAN : -((-(key + 1)) / SCHOOL_KEY_SPAN) - 1;
}

/* Visits the fields of a version 3 record in order: writes them (write
 * true), or only counts their size. One walk for both keeps
 * pupil_state_encoded_size and pupil_state_encode in step; inlined into
 * each with write a constant, neither pays for the other's branches. */
struct v3_out {
	uint8_t *p;
	size_t n;
	bool write;
};

static inline void out_byte(struct v3_out *o, uint8_t b)
{
	if (o->write)
		*o->p++ = b;
	o->n++;
}

static inline void out_varint(struct v3_out *o, uint64_t v)
{
	if (o->write)
		o->p = put_varint(o->p, v);
	o->n += varint_size(v);
}

static inline void out_bytes(struct v3_out *o, const void *b, size_t n)
{
	if (o->write) {
		memcpy(o->p, b, n);
		o->p += n;
	}
	o->n += n;
}

static inline __attribute__((always_inline)) void encode_v3(const struct pupil_state *st, struct v3_out *o)
{
	uint8_t flags = (uint8_t)((st->kept_from != DATE_NONE ? V3_KEPT : 0) |
				  (st->enrol != DATE_NONE ? V3_ENROL : 0) |
				  (st->birth != DATE_NONE ? V3_BIRTH : 0) |
				  (st->school_key != INT64_MIN ? V3_SCHOOL_KEY : 0));
	out_byte(o, 'V');
	out_byte(o, 'S');
	out_byte(o, STATE_FORMAT_VERSION);
	out_byte(o, flags);
	out_varint(o, zigzag(st->base));
	if (flags & V3_ENROL)
		out_varint(o, zigzag((int64_t)st->enrol - st->base));
	if (flags & V3_BIRTH)
		out_varint(o, zigzag((int64_t)st->birth - st->base));
	if (flags & V3_SCHOOL_KEY) {
		int64_t date = school_key_date(st->school_key);
		int64_t ms = st->school_key - date * SCHOOL_KEY_SPAN;
		out_varint(o, zigzag(date - st->base));
		out_varint(o, instant_code(ms, date * MS_PER_DAY));
	}
	size_t sl = strlen(st->school);
	out_byte(o, (uint8_t)(st->sector | sl << 4));
	out_bytes(o, st->school, sl);
	out_varint(o, st->nregs);
	int prev_day = 0;
	for (uint32_t i = 0; i < st->nregs; i++) {
		const struct pupil_reg *r = &st->regs[i];
		bool minutes = r->minutes != MINUTES_DEFAULT;
		out_varint(o, (uint64_t)(uint32_t)(r->day - prev_day) << 1 | minutes);
		out_byte(o, (uint8_t)(r->period << 3 | kind_code(r->kind)));
		if (minutes)
			out_varint(o, (uint64_t)r->minutes - 1);
		out_varint(o, instant_code(r->recorded_ms, reg_ref(st, i)));
		prev_day = r->day;
	}
	out_varint(o, st->nmarks);
	for (uint32_t i = 0; i < st->nmarks; i++) {
		const struct pupil_mark *m = &st->marks[i];
		const struct pupil_mark *q = i > 0 ? &st->marks[i - 1] : NULL;
		out_varint(o, m->rule - (q ? q->rule : 0));
		if (q && q->rule == m->rule) {
			out_varint(o, (uint64_t)(m->level - q->level));
			if (q->level == m->level) {
				out_varint(o, (uint64_t)(m->day - q->day - 1));
				continue;
			}
		} else {
			out_varint(o, m->level);
		}
		out_varint(o, zigzag(m->day - (q ? q->day : 0)));
	}
}

size_t pupil_state_encoded_size(const struct pupil_state *st)
{
	struct v3_out o = {NULL, 0, false};
	encode_v3(st, &o);
	return o.n + 4;
}

size_t pupil_state_encode(const struct pupil_state *st, uint8_t *buf)
{
	struct v3_out o = {buf, 0, true};
	encode_v3(st, &o);
	o.p = put_u32(o.p, crc32_ieee(buf, o.n));
	return o.n + 4;
}

static int fail(struct pupil_state *st, const char **why, const char *reason)
{
	pupil_state_free(st);
	pupil_state_init(st, DATE_NONE);
	*why = reason;
	return -1;
}

static bool valid_day_kind(uint8_t k)
{
	uint8_t base = k & DR_KIND_MASK;
	if (base >= DR_COUNT || (k & ~(DR_KIND_MASK | DR_FLAG_LUXE)))
		return false;
	return !(k & DR_FLAG_LUXE) || base == DR_ABSENT_UNAUTH;
}

/* A date written as a difference from the base. */
static int get_date(const uint8_t **p, const uint8_t *end, int32_t base, int32_t *date)
{
	uint64_t u;
	if (get_varint64(p, end, &u) != 0 || u > UINT32_MAX)
		return -1;
	int64_t d = (int64_t)base + unzigzag(u);
	if (d < DATE_MIN || d > DATE_MAX)
		return -1;
	*date = (int32_t)d;
	return 0;
}

/* The school's code of sl bytes at *p (both versions): NULL, or why not. */
static const char *get_school(const uint8_t **p, const uint8_t *end, size_t sl,
			      struct pupil_state *st)
{
	if (sl > EVENT_SCHOOL_MAX || (size_t)(end - *p) < sl)
		return "bad school length";
	memcpy(st->school, *p, sl);
	st->school[sl] = '\0';
	if (memchr(st->school, '\0', sl))
		return "bad school";
	*p += sl;
	return NULL;
}

/* A count of items of at least min_bytes each that the rest of the record
 * can hold (both versions; bad and truncated are the reasons in the
 * registrations' or the marks' words): NULL, or why not. */
static const char *get_count(const uint8_t **p, const uint8_t *end, size_t min_bytes,
			     uint32_t *n, const char *bad, const char *truncated)
{
	if (get_varint(p, end, n) != 0)
		return bad;
	if ((size_t)(end - *p) / min_bytes < *n)
		return truncated;
	return NULL;
}

static int decode_v3(const uint8_t *p, const uint8_t *end, struct pupil_state *st,
		     const char **why)
{
	uint8_t flags = p[-1];
	uint64_t u;
	if (get_varint64(&p, end, &u) != 0 || u > UINT32_MAX)
		return fail(st, why, "bad base");
	int64_t base = unzigzag(u);
	if (base < DATE_MIN || base > DATE_MAX)
		return fail(st, why, "bad base");
	st->base = (int32_t)base;
	st->kept_from = (flags & V3_KEPT) ? st->base : DATE_NONE;
	if ((flags & V3_ENROL) && get_date(&p, end, st->base, &st->enrol) != 0)
		return fail(st, why, "bad enrolment date");
	if ((flags & V3_BIRTH) && get_date(&p, end, st->base, &st->birth) != 0)
		return fail(st, why, "bad birth date");
	if (flags & V3_SCHOOL_KEY) {
		int32_t date;
		int64_t ms;
		/* any valid date: an enrol before 1970 makes a negative key */
		if (get_date(&p, end, st->base, &date) != 0 ||
		    get_varint64(&p, end, &u) != 0 ||
		    instant_uncode(u, date * MS_PER_DAY, &ms) != 0 || ms < 0 ||
		    ms >= SCHOOL_KEY_SPAN)
			return fail(st, why, "bad school key");
		st->school_key = date * SCHOOL_KEY_SPAN + ms;
	}
	if (p >= end)
		return fail(st, why, "record too short");
	st->sector = *p & 0x0f;
	size_t sl = *p++ >> 4;
	if (st->sector >= SECTOR_COUNT)
		return fail(st, why, "bad sector");
	const char *bad = get_school(&p, end, sl, st);
	if (bad)
		return fail(st, why, bad);

	uint32_t n;
	bad = get_count(&p, end, V3_MIN_REG, &n, "bad registration count", "truncated registrations");
	if (bad)
		return fail(st, why, bad);
	if (n) {
		st->regs = xmalloc(n * sizeof *st->regs);
		st->cap_regs = n;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct pupil_reg *r = &st->regs[i];
		memset(r, 0, sizeof *r);
		st->nregs = i + 1;
		uint32_t dm, minutes = MINUTES_DEFAULT;
		int prev_day = i > 0 ? r[-1].day : 0;
		if (get_varint(&p, end, &dm) != 0 || (dm >> 1) > (uint32_t)(STATE_MAX_DAY_OFFSET - prev_day) ||
		    p >= end)
			return fail(st, why, "bad registration");
		r->day = (int16_t)(prev_day + (int)(dm >> 1));
		uint8_t pk = *p++;
		r->period = pk >> 3;
		uint8_t code = pk & 7;
		if (r->period > EVENT_MAX_PERIOD || code > V3_KIND_LUXE)
			return fail(st, why, "bad registration");
		r->kind = code == V3_KIND_LUXE ? (uint8_t)(DR_ABSENT_UNAUTH | DR_FLAG_LUXE) : code;
		if (dm & 1) {
			/* minutes 1..1440, written less one */
			if (get_varint(&p, end, &minutes) != 0 || minutes >= 1440)
				return fail(st, why, "bad registration");
			minutes++;
		}
		r->minutes = (uint16_t)minutes;
		if (get_varint64(&p, end, &u) != 0 || instant_uncode(u, reg_ref(st, i), &r->recorded_ms) != 0 ||
		    !instant_valid(r->recorded_ms))
			return fail(st, why, "bad registration");
		if (i > 0 && reg_cmp_key(&r[-1], r->day, r->period) >= 0)
			return fail(st, why, "registrations out of order");
	}

	bad = get_count(&p, end, V3_MIN_MARK, &n, "bad mark count", "truncated marks");
	if (bad)
		return fail(st, why, bad);
	if (n) {
		st->marks = xmalloc(n * sizeof *st->marks);
		st->cap_marks = n;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct pupil_mark *m = &st->marks[i];
		const struct pupil_mark *q = i > 0 ? &st->marks[i - 1] : NULL;
		uint32_t rule, level;
		int64_t day;
		if (get_varint(&p, end, &rule) != 0 || rule > 255u - (q ? q->rule : 0) ||
		    get_varint(&p, end, &level) != 0)
			return fail(st, why, "bad mark");
		rule += q ? q->rule : 0;
		bool same_rule = q && q->rule == rule;
		if (level > 255u - (same_rule ? q->level : 0))
			return fail(st, why, "bad mark");
		level += same_rule ? q->level : 0;
		if (same_rule && q->level == level) {
			uint32_t d;
			if (get_varint(&p, end, &d) != 0)
				return fail(st, why, "bad mark");
			day = (int64_t)q->day + d + 1;
		} else {
			if (get_varint64(&p, end, &u) != 0 || u > UINT32_MAX)
				return fail(st, why, "bad mark");
			day = (q ? q->day : 0) + unzigzag(u);
		}
		if (day < INT16_MIN || day > INT16_MAX)
			return fail(st, why, "bad mark");
		*m = (struct pupil_mark){(uint8_t)rule, (uint8_t)level, (int16_t)day};
		st->nmarks = i + 1;
	}
	if (p != end)
		return fail(st, why, "trailing bytes");
	return 0;
}

/* Versions 1 and 2 (after the checks common to every version). */
static int decode_v12(const uint8_t *buf, size_t len, int version, struct pupil_state *st,
		      const char **why)
{
	const uint8_t *p = buf + 4, *end = buf + len - 4;
	/* version 1 held one school year: its first day is the base, and
	 * nothing was purged */
	int max_day = version == 1 ? MAX_DAY_OFFSET_V1 : STATE_MAX_DAY_OFFSET;
	st->base = (int32_t)get_u32(p);
	p += 4;
	if (version >= 2) {
		/* a purge moves the base to kept_from, and nothing moves it back */
		st->kept_from = (int32_t)get_u32(p);
		p += 4;
		if (st->kept_from != DATE_NONE && st->kept_from != st->base)
			return fail(st, why, "bad kept_from");
	}
	st->enrol = (int32_t)get_u32(p);
	st->birth = (int32_t)get_u32(p + 4);
	st->school_key = (int64_t)get_u64(p + 8);
	p += 16;
	/* Range checks (docs/state-format.md): a checksummed record may still be
	 * hostile or written by a bug, and dates out of range overflow later. */
	if (!date_valid(st->base))
		return fail(st, why, "bad base");
	if (st->enrol != DATE_NONE && !date_valid(st->enrol))
		return fail(st, why, "bad enrolment date");
	if (st->birth != DATE_NONE && !date_valid(st->birth))
		return fail(st, why, "bad birth date");
	if (st->school_key != INT64_MIN &&
	    (school_key_date(st->school_key) < DATE_MIN ||
	     school_key_date(st->school_key) > DATE_MAX))
		return fail(st, why, "bad school key");
	st->sector = *p++;
	if (st->sector >= SECTOR_COUNT)
		return fail(st, why, "bad sector");
	size_t sl = *p++;
	const char *bad = get_school(&p, end, sl, st);
	if (bad)
		return fail(st, why, bad);
	uint32_t n;
	bad = get_count(&p, end, REG_BYTES_V2, &n, "bad registration count", "truncated registrations");
	if (bad)
		return fail(st, why, bad);
	if (n) {
		st->regs = xmalloc(n * sizeof *st->regs);
		st->cap_regs = n;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct pupil_reg *r = &st->regs[i];
		memset(r, 0, sizeof *r);
		r->day = (int16_t)get_u16(p);
		r->period = p[2];
		r->kind = p[3];
		r->minutes = get_u16(p + 4);
		r->recorded_ms = (int64_t)get_u64(p + 6);
		p += REG_BYTES_V2;
		st->nregs = i + 1;
		if (r->day < 0 || r->day > max_day || r->period > EVENT_MAX_PERIOD ||
		    !valid_day_kind(r->kind) || r->minutes == 0 || !instant_valid(r->recorded_ms) ||
		    (r->minutes > 1440 && r->minutes != MINUTES_DEFAULT))
			return fail(st, why, "bad registration");
		if (i > 0 && reg_cmp_key(&st->regs[i - 1], r->day, r->period) >= 0)
			return fail(st, why, "registrations out of order");
	}
	bad = get_count(&p, end, MARK_BYTES_V2, &n, "bad mark count", "truncated marks");
	if (bad)
		return fail(st, why, bad);
	if (n) {
		st->marks = xmalloc(n * sizeof *st->marks);
		st->cap_marks = n;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct pupil_mark *m = &st->marks[i];
		m->rule = p[0];
		m->level = p[1];
		m->day = (int16_t)get_u16(p + 2);
		p += MARK_BYTES_V2;
		st->nmarks = i + 1;
		if (i > 0 && mark_cmp(&st->marks[i - 1], m->rule, m->level, m->day) >= 0)
			return fail(st, why, "marks out of order");
	}
	if (p != end)
		return fail(st, why, "trailing bytes");
	return 0;
}

int pupil_state_decode(const uint8_t *buf, size_t len, struct pupil_state *st, const char **why)
{
	pupil_state_init(st, DATE_NONE);
	if (len < V3_MIN_LEN)
		return fail(st, why, "record too short");
	if (buf[0] != 'V' || buf[1] != 'S')
		return fail(st, why, "not a pupil state record");
	int version = buf[2];
	if (version < 1 || version > STATE_FORMAT_VERSION)
		return fail(st, why, "unsupported record version");
	if ((version == 1 && len < HEADER_FIXED_V1 + 2 + 4) ||
	    (version == 2 && len < HEADER_FIXED_V2 + 2 + 4))
		return fail(st, why, "record too short");
	if (buf[3] & ~(version == 3 ? V3_FLAGS : 0))
		return fail(st, why, "unknown flags");
	if (get_u32(buf + len - 4) != crc32_ieee(buf, len - 4))
		return fail(st, why, "checksum mismatch");
	if (version == 3)
		return decode_v3(buf + 4, buf + len - 4, st, why);
	return decode_v12(buf, len, version, st, why);
}

size_t pupil_state_memory(const struct pupil_state *st)
{
	return sizeof *st + st->cap_regs * sizeof *st->regs + st->cap_marks * sizeof *st->marks;
}
