/*
 * testutil: see testutil.h.
 */
#include "testutil.h"

#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct calendar *tu_noord_calendar(void)
{
	char *errors = NULL;
	struct calendar *cal =
		calendar_load_file(VS_SOURCE_DIR "/config/calendars/noord-2026-2027.json", &errors);
	if (!cal) {
		fprintf(stderr, "%s", errors ? errors : "");
		free(errors);
	}
	assert_non_null(cal);
	return cal;
}

static struct school_years *load_years(int n)
{
	static const char *const files[] = {
		VS_SOURCE_DIR "/config/calendars/noord-2026-2027.json",
		VS_SOURCE_DIR "/config/calendars/noord-2027-2028.json",
	};
	struct school_years *ys = school_years_new();
	for (int i = 0; i < n; i++) {
		char *errors = NULL;
		struct calendar *cal = calendar_load_file(files[i], &errors);
		if (!cal) {
			fprintf(stderr, "%s", errors ? errors : "");
			free(errors);
		}
		assert_non_null(cal);
		char err[300];
		if (school_years_append(ys, cal, err, sizeof err) != 0)
			fprintf(stderr, "%s\n", err);
		assert_int_equal(school_years_count(ys), i + 1);
	}
	return ys;
}

struct school_years *tu_noord_years(void)
{
	return load_years(2);
}

struct school_years *tu_noord_years_first(void)
{
	return load_years(1);
}

int32_t tu_date(const char *ymd)
{
	int32_t d = 0;
	assert_int_equal(date_parse(ymd, &d), 0);
	return d;
}

int tu_parse(const struct school_years *cal, const char *spec, struct registration *out,
	     struct event_error *err)
{
	static int counter;
	char buf[1024];
	char names[24][32], values[24][80];
	struct event_field fields[24];
	int n = 0;
	int have[6] = {0}; /* v, id, school, sector, recorded_at, date */
	const char *date = "2026-09-01";
	snprintf(buf, sizeof buf, "%s", spec);
	for (char *tok = strtok(buf, " "); tok && n < 20; tok = strtok(NULL, " ")) {
		char *eq = strchr(tok, '=');
		assert_non_null(eq);
		*eq = '\0';
		snprintf(names[n], sizeof names[n], "%s", tok);
		snprintf(values[n], sizeof values[n], "%s", eq + 1);
		if (!strcmp(tok, "v")) have[0] = 1;
		if (!strcmp(tok, "id")) have[1] = 1;
		if (!strcmp(tok, "school")) have[2] = 1;
		if (!strcmp(tok, "sector")) have[3] = 1;
		if (!strcmp(tok, "recorded_at")) have[4] = 1;
		if (!strcmp(tok, "date")) {
			have[5] = 1;
			date = values[n];
		}
		n++;
	}
	static const char *const defaults[4][2] = {
		{"v", "1"}, {"id", "t"}, {"school", "01AC"}, {"sector", "vo"}};
	for (int i = 0; i < 4; i++)
		if (!have[i]) {
			snprintf(names[n], sizeof names[n], "%s", defaults[i][0]);
			snprintf(values[n], sizeof values[n], "%s", defaults[i][1]);
			n++;
		}
	if (!have[4]) {
		counter++;
		snprintf(names[n], sizeof names[n], "recorded_at");
		snprintf(values[n], sizeof values[n], "%.10sT08:%02d:%02dZ", date,
			 (counter / 60) % 60, counter % 60);
		n++;
	}
	for (int i = 0; i < n; i++)
		fields[i] = (struct event_field){names[i], strlen(names[i]), values[i],
						 strlen(values[i])};
	return event_parse(fields, (size_t)n, cal, out, err);
}

struct registration tu_reg(const struct school_years *cal, const char *spec)
{
	struct registration r;
	struct event_error err;
	if (tu_parse(cal, spec, &r, &err) != 0) {
		fprintf(stderr, "tu_reg(%s): %s: %s\n", spec, event_reason_code(err.reason),
			err.message);
		fail();
	}
	return r;
}

/* ---- tu_pupil ---- */

void tu_pupil_init(struct tu_pupil *p, const char *student, const char *school)
{
	memset(p, 0, sizeof *p);
	p->years = tu_noord_years();
	p->cal = school_years_calendar(p->years, 0);
	rules_config_defaults(&p->rc);
	p->env.rc = &p->rc;
	p->env.years = p->years;
	pupil_state_init(&p->st, tu_date("2026-08-17"));
	snprintf(p->student, sizeof p->student, "%s", student ? student : "p1");
	snprintf(p->school, sizeof p->school, "%s", school ? school : "01AC");
}

void tu_pupil_free(struct tu_pupil *p)
{
	signal_list_free(&p->out);
	pupil_state_free(&p->st);
	school_years_free(p->years);
	p->years = NULL;
	p->cal = NULL;
}

void tu_only(struct rules_config *rc, enum rule_id keep)
{
	rc->first_month.enabled = keep == RULE_FIRST_MONTH;
	rc->attendance_tier.enabled = keep == RULE_ATTENDANCE_TIER;
	rc->mazl.enabled = keep == RULE_MAZL;
	rc->leerplicht_16u.enabled = keep == RULE_LEERPLICHT_16U;
	rc->lrv.enabled = keep == RULE_LRV;
	rc->long_sick.enabled = keep == RULE_LONG_SICK;
	rc->luxe.enabled = keep == RULE_LUXE;
	rc->absolute.enabled = keep == RULE_ABSOLUTE;
}

/* The value of key=... in a space-separated spec, or "" (exact key match, so
 * "date" does not find "birth_date"). */
static void spec_value(const char *spec, const char *key, char *out, size_t outsz)
{
	size_t klen = strlen(key);
	out[0] = '\0';
	for (const char *s = spec; *s;) {
		while (*s == ' ')
			s++;
		const char *end = strchr(s, ' ');
		size_t len = end ? (size_t)(end - s) : strlen(s);
		if (len > klen && strncmp(s, key, klen) == 0 && s[klen] == '=') {
			size_t vlen = len - klen - 1;
			if (vlen >= outsz)
				vlen = outsz - 1;
			memcpy(out, s + klen + 1, vlen);
			out[vlen] = '\0';
			return;
		}
		s += len;
	}
}

static struct registration pupil_reg_v(struct tu_pupil *p, const char *fmt, va_list ap)
{
	char spec[600], full[1024], v[80];
	vsnprintf(spec, sizeof spec, fmt, ap);
	size_t n = (size_t)snprintf(full, sizeof full, "%s", spec);
	spec_value(spec, "student", v, sizeof v);
	if (!v[0])
		n += (size_t)snprintf(full + n, sizeof full - n, " student=%s", p->student);
	spec_value(spec, "school", v, sizeof v);
	if (!v[0])
		n += (size_t)snprintf(full + n, sizeof full - n, " school=%s", p->school);
	spec_value(spec, "recorded_at", v, sizeof v);
	if (!v[0]) {
		char date[16];
		spec_value(spec, "date", date, sizeof date);
		int s = p->seq++;
		n += (size_t)snprintf(full + n, sizeof full - n,
				      " recorded_at=%.10sT%02d:%02d:%02dZ",
				      date[0] ? date : "2026-09-01", 12 + s / 3600, (s / 60) % 60,
				      s % 60);
	}
	if (p->extra[0])
		snprintf(full + n, sizeof full - n, " %s", p->extra);
	return tu_reg(p->years, full);
}

struct registration tu_pupil_reg(struct tu_pupil *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct registration r = pupil_reg_v(p, fmt, ap);
	va_end(ap);
	return r;
}

size_t tu_apply_reg(struct tu_pupil *p, const struct registration *r)
{
	size_t before = p->out.n;
	p->last_changed = rules_apply(&p->env, &p->st, r, &p->out);
	return p->out.n - before;
}

size_t tu_apply(struct tu_pupil *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct registration r = pupil_reg_v(p, fmt, ap);
	va_end(ap);
	return tu_apply_reg(p, &r);
}

/* mode 0: apply in date order; 1: apply in reverse order; 2: live. */
static size_t pupil_days(struct tu_pupil *p, const char *from, const char *to, int mode,
			 const char *spec)
{
	int32_t a = tu_date(from), b = tu_date(to);
	size_t before = p->out.n;
	for (int32_t i = 0; i <= b - a; i++) {
		int32_t d = mode == 1 ? b - i : a + i;
		if (!school_years_is_school_day(p->years, p->school, d))
			continue;
		char ymd[DATE_STRLEN];
		date_format(d, ymd);
		tu_apply(p, "date=%s %s", ymd, spec);
		if (mode == 2)
			rules_sweep(&p->env, &p->st, p->student, d, &p->out);
	}
	return p->out.n - before;
}

#define SPEC_FROM_VA(buf, fmt)                                                                 \
	do {                                                                                   \
		va_list ap_;                                                                   \
		va_start(ap_, fmt);                                                            \
		vsnprintf(buf, sizeof buf, fmt, ap_);                                          \
		va_end(ap_);                                                                   \
	} while (0)

size_t tu_apply_days(struct tu_pupil *p, const char *from, const char *to, const char *fmt, ...)
{
	char spec[512];
	SPEC_FROM_VA(spec, fmt);
	return pupil_days(p, from, to, 0, spec);
}

size_t tu_apply_days_rev(struct tu_pupil *p, const char *from, const char *to,
			 const char *fmt, ...)
{
	char spec[512];
	SPEC_FROM_VA(spec, fmt);
	return pupil_days(p, from, to, 1, spec);
}

size_t tu_live(struct tu_pupil *p, const char *from, const char *to, const char *fmt, ...)
{
	char spec[512];
	SPEC_FROM_VA(spec, fmt);
	return pupil_days(p, from, to, 2, spec);
}

size_t tu_sweep(struct tu_pupil *p, const char *from, const char *to)
{
	size_t before = p->out.n;
	for (int32_t d = tu_date(from); d <= tu_date(to); d++)
		if (school_years_is_school_day(p->years, p->school, d))
			rules_sweep(&p->env, &p->st, p->student, d, &p->out);
	return p->out.n - before;
}

void tu_dump(const struct tu_pupil *p)
{
	for (size_t i = 0; i < p->out.n; i++) {
		fprintf(stderr, "  [%zu] ", i);
		signal_write_json(&p->out.v[i], "-", stderr);
	}
}

void tu_assert_signals(const struct tu_pupil *p, size_t from, const struct tu_want *want,
		       size_t n)
{
	bool ok = p->out.n >= from && p->out.n - from == n;
	for (size_t i = 0; ok && i < n; i++) {
		const struct signal *s = &p->out.v[from + i];
		int32_t date = tu_date(want[i].date);
		int32_t pkey = tu_date(want[i].pkey ? want[i].pkey : want[i].date);
		ok = s->rule == want[i].rule && s->level == want[i].level && s->date == date &&
		     s->period_key == pkey && strcmp(s->student, p->student) == 0;
	}
	if (ok)
		return;
	fprintf(stderr, "signals from [%zu] differ; expected:\n", from);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "  %s %s date=%s period_key=%s\n", rule_name(want[i].rule),
			rule_level_name(want[i].rule, want[i].level)
				? rule_level_name(want[i].rule, want[i].level)
				: "-",
			want[i].date, want[i].pkey ? want[i].pkey : want[i].date);
	fprintf(stderr, "raised (all):\n");
	tu_dump(p);
	fail();
}

const struct signal *tu_signal(const struct tu_pupil *p, size_t i)
{
	assert_true(i < p->out.n);
	return &p->out.v[i];
}

int64_t tu_fact(const struct signal *s, const char *name)
{
	for (int i = 0; i < s->nfacts; i++)
		if (strcmp(s->facts[i].name, name) == 0)
			return s->facts[i].value;
	fprintf(stderr, "signal %s has no fact %s\n", rule_name(s->rule), name);
	fail();
	return 0;
}

void tu_assert_fact_date(const struct signal *s, const char *name, const char *ymd)
{
	int64_t v = tu_fact(s, name);
	if (v != tu_date(ymd)) {
		char got[DATE_STRLEN];
		date_format((int32_t)v, got);
		fprintf(stderr, "fact %s of %s: %s, expected %s\n", name, rule_name(s->rule), got,
			ymd);
		fail();
	}
}

size_t tu_count(const struct tu_pupil *p, enum rule_id rule, int level)
{
	size_t n = 0;
	for (size_t i = 0; i < p->out.n; i++)
		if (p->out.v[i].rule == rule && (level < 0 || p->out.v[i].level == level))
			n++;
	return n;
}

/* Version 2 (docs/state-format.md): magic, version, flags, base, kept_from,
 * enrol, birth (int32 each), school_key (int64), sector, school length and
 * bytes, a varint count and 14 bytes per registration, a varint count and 4
 * bytes per mark, CRC-32; little-endian. */
static uint8_t *v2_put(uint8_t *p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
	return p + bytes;
}

static uint8_t *v2_varint(uint8_t *p, uint32_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

uint8_t *tu_state_encode_v2(const struct pupil_state *st, size_t *len)
{
	size_t sl = strlen(st->school);
	uint8_t *buf = malloc(30 + sl + 5 + (size_t)st->nregs * 14 + 5 + (size_t)st->nmarks * 4 + 4);
	assert_non_null(buf);
	uint8_t *p = buf;
	*p++ = 'V';
	*p++ = 'S';
	*p++ = 2;
	*p++ = 0;
	p = v2_put(p, (uint32_t)st->base, 4);
	p = v2_put(p, (uint32_t)st->kept_from, 4);
	p = v2_put(p, (uint32_t)st->enrol, 4);
	p = v2_put(p, (uint32_t)st->birth, 4);
	p = v2_put(p, (uint64_t)st->school_key, 8);
	*p++ = st->sector;
	*p++ = (uint8_t)sl;
	memcpy(p, st->school, sl);
	p += sl;
	p = v2_varint(p, st->nregs);
	for (uint32_t i = 0; i < st->nregs; i++) {
		const struct pupil_reg *r = &st->regs[i];
		p = v2_put(p, (uint16_t)r->day, 2);
		*p++ = r->period;
		*p++ = r->kind;
		p = v2_put(p, r->minutes, 2);
		p = v2_put(p, (uint64_t)r->recorded_ms, 8);
	}
	p = v2_varint(p, st->nmarks);
	for (uint32_t i = 0; i < st->nmarks; i++) {
		*p++ = st->marks[i].rule;
		*p++ = st->marks[i].level;
		p = v2_put(p, (uint16_t)st->marks[i].day, 2);
	}
	p = v2_put(p, crc32_ieee(buf, (size_t)(p - buf)), 4);
	*len = (size_t)(p - buf);
	return buf;
}
