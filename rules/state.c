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

/* ---- binary form ---- */

/* magic 2, version 1, flags 1, 3 x int32 (4 in version 2), school_key 8,
 * sector 1, school len 1 */
#define HEADER_FIXED_V1 26
#define HEADER_FIXED 30
#define REG_BYTES 14
#define MARK_BYTES 4
#define MAX_DAY_OFFSET_V1 400

static uint8_t *put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	return p + 2;
}

static uint8_t *put_u32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
	return p + 4;
}

static uint8_t *put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
	return p + 8;
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

static size_t varint_size(uint32_t v)
{
	size_t n = 1;
	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static uint8_t *put_varint(uint8_t *p, uint32_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

/* Reads a canonical (shortest) varint of at most 5 bytes. */
static int get_varint(const uint8_t **p, const uint8_t *end, uint32_t *out)
{
	uint32_t v = 0;
	for (int shift = 0, i = 0; i < 5; i++, shift += 7) {
		if (*p >= end)
			return -1;
		uint8_t b = *(*p)++;
		if (i == 4 && (b & 0x70))
			return -1; /* more than 32 bits */
		v |= (uint32_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			if (i > 0 && b == 0)
				return -1; /* not the shortest form */
			*out = v;
			return 0;
		}
	}
	return -1;
}

size_t pupil_state_encoded_size(const struct pupil_state *st)
{
	return HEADER_FIXED + strlen(st->school) + varint_size(st->nregs) +
	       (size_t)st->nregs * REG_BYTES + varint_size(st->nmarks) +
	       (size_t)st->nmarks * MARK_BYTES + 4;
}

size_t pupil_state_encode(const struct pupil_state *st, uint8_t *buf)
{
	uint8_t *p = buf;
	*p++ = 'V';
	*p++ = 'S';
	*p++ = STATE_FORMAT_VERSION;
	*p++ = 0; /* flags, none defined */
	p = put_u32(p, (uint32_t)st->base);
	p = put_u32(p, (uint32_t)st->kept_from);
	p = put_u32(p, (uint32_t)st->enrol);
	p = put_u32(p, (uint32_t)st->birth);
	p = put_u64(p, (uint64_t)st->school_key);
	*p++ = st->sector;
	size_t sl = strlen(st->school);
	*p++ = (uint8_t)sl;
	memcpy(p, st->school, sl);
	p += sl;
	p = put_varint(p, st->nregs);
	for (uint32_t i = 0; i < st->nregs; i++) {
		const struct pupil_reg *r = &st->regs[i];
		p = put_u16(p, (uint16_t)r->day);
		*p++ = r->period;
		*p++ = r->kind;
		p = put_u16(p, r->minutes);
		p = put_u64(p, (uint64_t)r->recorded_ms);
	}
	p = put_varint(p, st->nmarks);
	for (uint32_t i = 0; i < st->nmarks; i++) {
		*p++ = st->marks[i].rule;
		*p++ = st->marks[i].level;
		p = put_u16(p, (uint16_t)st->marks[i].day);
	}
	uint32_t crc = crc32_ieee(buf, (size_t)(p - buf));
	p = put_u32(p, crc);
	return (size_t)(p - buf);
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

int pupil_state_decode(const uint8_t *buf, size_t len, struct pupil_state *st, const char **why)
{
	pupil_state_init(st, DATE_NONE);
	if (len < HEADER_FIXED_V1 + 2 + 4)
		return fail(st, why, "record too short");
	if (buf[0] != 'V' || buf[1] != 'S')
		return fail(st, why, "not a pupil state record");
	int version = buf[2];
	if (version != 1 && version != STATE_FORMAT_VERSION)
		return fail(st, why, "unsupported record version");
	if (version == 2 && len < HEADER_FIXED + 2 + 4)
		return fail(st, why, "record too short");
	if (buf[3] != 0)
		return fail(st, why, "unknown flags");
	if (get_u32(buf + len - 4) != crc32_ieee(buf, len - 4))
		return fail(st, why, "checksum mismatch");
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
	    (st->school_key < 0 || !date_valid((int32_t)(st->school_key >> 43))))
		return fail(st, why, "bad school key");
	st->sector = *p++;
	if (st->sector >= SECTOR_COUNT)
		return fail(st, why, "bad sector");
	size_t sl = *p++;
	if (sl > EVENT_SCHOOL_MAX || (size_t)(end - p) < sl)
		return fail(st, why, "bad school length");
	memcpy(st->school, p, sl);
	st->school[sl] = '\0';
	if (memchr(st->school, '\0', sl))
		return fail(st, why, "bad school");
	p += sl;
	uint32_t n;
	if (get_varint(&p, end, &n) != 0)
		return fail(st, why, "bad registration count");
	if ((size_t)(end - p) / REG_BYTES < n)
		return fail(st, why, "truncated registrations");
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
		p += REG_BYTES;
		st->nregs = i + 1;
		if (r->day < 0 || r->day > max_day || r->period > EVENT_MAX_PERIOD ||
		    !valid_day_kind(r->kind) || r->minutes == 0 || !instant_valid(r->recorded_ms) ||
		    (r->minutes > 1440 && r->minutes != MINUTES_DEFAULT))
			return fail(st, why, "bad registration");
		if (i > 0 && reg_cmp_key(&st->regs[i - 1], r->day, r->period) >= 0)
			return fail(st, why, "registrations out of order");
	}
	if (get_varint(&p, end, &n) != 0)
		return fail(st, why, "bad mark count");
	if ((size_t)(end - p) / MARK_BYTES < n)
		return fail(st, why, "truncated marks");
	if (n) {
		st->marks = xmalloc(n * sizeof *st->marks);
		st->cap_marks = n;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct pupil_mark *m = &st->marks[i];
		m->rule = p[0];
		m->level = p[1];
		m->day = (int16_t)get_u16(p + 2);
		p += MARK_BYTES;
		st->nmarks = i + 1;
		if (i > 0 && mark_cmp(&st->marks[i - 1], m->rule, m->level, m->day) >= 0)
			return fail(st, why, "marks out of order");
	}
	if (p != end)
		return fail(st, why, "trailing bytes");
	return 0;
}

size_t pupil_state_memory(const struct pupil_state *st)
{
	return sizeof *st + st->cap_regs * sizeof *st->regs + st->cap_marks * sizeof *st->marks;
}
