/*
 * test_state: applying registrations (last writer wins), enrolment, marks,
 * and the binary record: round trips byte for byte, and a decoder that
 * rejects every truncation, every bit flip and every non-canonical form.
 */
#include "testutil.h"

#include "util.h"

#include <stdlib.h>
#include <string.h>

#define YEAR_FIRST_TEXT "2026-08-17"

static int32_t year_first(void)
{
	return tu_date(YEAR_FIRST_TEXT);
}

/* A registration without going through the parser (for bulk states). */
static struct registration mkreg(enum reg_kind kind, int32_t date, int period, int minutes,
				 int authorized, int64_t recorded_ms)
{
	struct registration r;
	memset(&r, 0, sizeof r);
	str_copy(r.student, "p-1", sizeof r.student);
	str_copy(r.school, "01AC", sizeof r.school);
	r.sector = SECTOR_VO;
	r.kind = kind;
	r.date = date;
	r.period = period;
	r.minutes = minutes;
	r.authorized = authorized;
	r.recorded_ms = recorded_ms;
	r.birth_date = DATE_NONE;
	return r;
}

static void assert_states_equal(const struct pupil_state *a, const struct pupil_state *b)
{
	assert_int_equal(a->base, b->base);
	assert_int_equal(a->enrol, b->enrol);
	assert_int_equal(a->birth, b->birth);
	assert_string_equal(a->school, b->school);
	assert_int_equal(a->sector, b->sector);
	assert_int_equal(a->nregs, b->nregs);
	for (uint32_t i = 0; i < a->nregs; i++) {
		assert_int_equal(a->regs[i].day, b->regs[i].day);
		assert_int_equal(a->regs[i].period, b->regs[i].period);
		assert_int_equal(a->regs[i].kind, b->regs[i].kind);
		assert_int_equal(a->regs[i].minutes, b->regs[i].minutes);
		assert_int_equal(a->regs[i].recorded_ms, b->regs[i].recorded_ms);
	}
	assert_int_equal(a->nmarks, b->nmarks);
	for (uint32_t i = 0; i < a->nmarks; i++) {
		assert_int_equal(a->marks[i].rule, b->marks[i].rule);
		assert_int_equal(a->marks[i].level, b->marks[i].level);
		assert_int_equal(a->marks[i].day, b->marks[i].day);
	}
}

static void assert_empty_after_failure(const struct pupil_state *st)
{
	assert_int_equal(st->nregs, 0);
	assert_int_equal(st->nmarks, 0);
	assert_null(st->regs);
	assert_null(st->marks);
	assert_int_equal(st->base, DATE_NONE);
	assert_int_equal(st->enrol, DATE_NONE);
	assert_int_equal(st->birth, DATE_NONE);
}

/* ---- apply ---- */

static void test_apply_last_writer_wins(void **state)
{
	const struct school_years *cal = *state;
	struct pupil_state st;
	pupil_state_init(&st, year_first());
	assert_int_equal(st.enrol, DATE_NONE);
	assert_int_equal(st.birth, DATE_NONE);

	struct registration sick = tu_reg(cal, "student=p kind=sick date=2026-09-01 "
					       "recorded_at=2026-09-01T08:00:00Z");
	assert_true(pupil_state_apply(&st, &sick, "luxe"));
	assert_int_equal(st.nregs, 1);
	assert_int_equal(st.regs[0].day, 15);
	assert_int_equal(st.regs[0].period, 0);
	assert_int_equal(st.regs[0].kind, DR_SICK);
	assert_int_equal(st.regs[0].minutes, MINUTES_DEFAULT);
	assert_int_equal(st.regs[0].recorded_ms, sick.recorded_ms);
	assert_string_equal(st.school, "01AC");
	assert_int_equal(st.sector, SECTOR_VO);

	/* later instant wins */
	struct registration absent = tu_reg(cal, "student=p kind=absent authorized=no "
						 "date=2026-09-01 recorded_at=2026-09-01T09:00:00Z");
	assert_true(pupil_state_apply(&st, &absent, "luxe"));
	assert_int_equal(st.nregs, 1);
	assert_int_equal(st.regs[0].kind, DR_ABSENT_UNAUTH);
	assert_int_equal(st.regs[0].recorded_ms, absent.recorded_ms);

	/* earlier instant loses, also when its wall-clock time is later */
	struct registration present = tu_reg(cal, "student=p kind=present date=2026-09-01 "
						  "recorded_at=2026-09-01T10:30:00+02:00");
	assert_false(pupil_state_apply(&st, &present, "luxe"));
	assert_int_equal(st.regs[0].kind, DR_ABSENT_UNAUTH);
	assert_false(pupil_state_apply(&st, &sick, "luxe"));
	assert_int_equal(st.regs[0].kind, DR_ABSENT_UNAUTH);

	/* equal instant (written with another offset): the later applied wins */
	struct registration late = tu_reg(cal, "student=p kind=late minutes=10 date=2026-09-01 "
					       "recorded_at=2026-09-01T11:00:00+02:00");
	assert_int_equal(late.recorded_ms, absent.recorded_ms);
	assert_true(pupil_state_apply(&st, &late, "luxe"));
	assert_int_equal(st.nregs, 1);
	assert_int_equal(st.regs[0].kind, DR_LATE_UNAUTH);
	assert_int_equal(st.regs[0].minutes, 10);
	/* ... and the absent again, equal instant, applied later: wins again */
	assert_true(pupil_state_apply(&st, &absent, "luxe"));
	assert_int_equal(st.regs[0].kind, DR_ABSENT_UNAUTH);
	assert_int_equal(st.regs[0].minutes, MINUTES_DEFAULT);

	/* identical re-apply changes nothing */
	assert_false(pupil_state_apply(&st, &absent, "luxe"));
	assert_false(pupil_state_apply(&st, &absent, "luxe"));
	assert_int_equal(st.nregs, 1);

	/* equal instant, same kind, other minutes: a change */
	struct registration absent45 = absent;
	absent45.minutes = 45;
	assert_true(pupil_state_apply(&st, &absent45, "luxe"));
	assert_int_equal(st.regs[0].minutes, 45);

	/* a present that is newer retracts */
	struct registration present2 = tu_reg(cal, "student=p kind=present date=2026-09-01 "
						   "recorded_at=2026-09-01T09:00:00.001Z");
	assert_true(pupil_state_apply(&st, &present2, "luxe"));
	assert_int_equal(st.regs[0].kind, DR_PRESENT);
	assert_int_equal(st.nregs, 1);
	pupil_state_free(&st);
	assert_null(st.regs);
	assert_int_equal(st.nregs, 0);
}

static void test_apply_keys_and_kinds(void **state)
{
	const struct school_years *cal = *state;
	struct pupil_state st;
	pupil_state_init(&st, year_first());
	struct registration r;
	r = tu_reg(cal, "student=p kind=absent authorized=no reason=luxe date=2026-09-03");
	assert_true(pupil_state_apply(&st, &r, "luxe"));
	r = tu_reg(cal, "student=p kind=absent authorized=yes reason=luxe date=2026-09-03 period=1");
	assert_true(pupil_state_apply(&st, &r, "luxe"));
	r = tu_reg(cal, "student=p kind=absent authorized=no reason=luxe date=2026-09-03 period=2");
	assert_true(pupil_state_apply(&st, &r, NULL));
	r = tu_reg(cal, "student=p kind=absent authorized=no reason=Luxe date=2026-09-03 period=3");
	assert_true(pupil_state_apply(&st, &r, "luxe"));
	r = tu_reg(cal, "student=p kind=late minutes=20 authorized=yes date=2026-09-02");
	assert_true(pupil_state_apply(&st, &r, "luxe"));
	r = tu_reg(cal, "student=p kind=present minutes=20 date=2026-09-02 period=16");
	assert_true(pupil_state_apply(&st, &r, "luxe"));
	r = tu_reg(cal, "student=p kind=sick authorized=no minutes=100 date=2026-08-17 period=4");
	assert_true(pupil_state_apply(&st, &r, "luxe"));
	/* sorted by (day, period) whatever the order of arrival */
	static const struct {
		int day, period, kind, minutes;
	} want[] = {
		{0, 4, DR_SICK, 100},
		{16, 0, DR_LATE_AUTH, 20},
		{16, 16, DR_PRESENT, MINUTES_DEFAULT},
		{17, 0, DR_ABSENT_UNAUTH | DR_FLAG_LUXE, MINUTES_DEFAULT},
		{17, 1, DR_ABSENT_AUTH, MINUTES_DEFAULT},
		{17, 2, DR_ABSENT_UNAUTH, MINUTES_DEFAULT},
		{17, 3, DR_ABSENT_UNAUTH, MINUTES_DEFAULT},
	};
	assert_int_equal(st.nregs, 7);
	for (size_t i = 0; i < 7; i++) {
		assert_int_equal(st.regs[i].day, want[i].day);
		assert_int_equal(st.regs[i].period, want[i].period);
		assert_int_equal(st.regs[i].kind, want[i].kind);
		assert_int_equal(st.regs[i].minutes, want[i].minutes);
	}
	/* many keys in a scrambled order stay sorted and unique */
	for (int k = 0; k < 500; k++) {
		int idx = (k * 37) % 500;
		int32_t day = year_first() + 30 + idx / 17;
		struct registration x = mkreg(KIND_SICK, day, idx % 17, -1, -1, 1000 + k);
		pupil_state_apply(&st, &x, "luxe");
	}
	assert_int_equal(st.nregs, 507);
	for (uint32_t i = 1; i < st.nregs; i++) {
		const struct pupil_reg *a = &st.regs[i - 1], *b = &st.regs[i];
		assert_true(a->day < b->day || (a->day == b->day && a->period < b->period));
	}
	pupil_state_free(&st);
}

static void test_apply_enrol_concern_unenrol(void **state)
{
	const struct school_years *cal = *state;
	struct pupil_state st;
	pupil_state_init(&st, year_first());
	struct registration r = tu_reg(cal, "student=p kind=enrol date=2026-09-01 "
					    "recorded_at=2026-09-01T10:00:00Z");
	assert_true(pupil_state_apply(&st, &r, "luxe"));
	assert_int_equal(st.enrol, tu_date("2026-09-01"));
	assert_int_equal(st.nregs, 0);
	assert_false(pupil_state_apply(&st, &r, "luxe"));
	/* the latest applied enrol wins, whatever its recorded_at */
	r = tu_reg(cal, "student=p kind=enrol date=2026-08-10 recorded_at=2026-08-01T10:00:00Z");
	assert_true(pupil_state_apply(&st, &r, "luxe"));
	assert_int_equal(st.enrol, tu_date("2026-08-10"));
	r = tu_reg(cal, "student=p kind=enrol date=2026-10-05 recorded_at=2026-07-01T10:00:00Z");
	assert_true(pupil_state_apply(&st, &r, "luxe"));
	assert_int_equal(st.enrol, tu_date("2026-10-05"));
	/* concern and unenrol hold no day data and never touch a key */
	r = tu_reg(cal, "student=p kind=sick date=2026-10-06");
	assert_true(pupil_state_apply(&st, &r, "luxe"));
	/* (they do move the school's key: a first apply changes that, a
	 * repeat changes nothing) */
	r = tu_reg(cal, "student=p kind=concern date=2026-10-06");
	pupil_state_apply(&st, &r, "luxe");
	assert_false(pupil_state_apply(&st, &r, "luxe"));
	r = tu_reg(cal, "student=p kind=unenrol date=2026-10-06");
	pupil_state_apply(&st, &r, "luxe");
	assert_false(pupil_state_apply(&st, &r, "luxe"));
	assert_int_equal(st.nregs, 1);
	assert_int_equal(st.regs[0].kind, DR_SICK);
	assert_int_equal(st.enrol, tu_date("2026-10-05"));
	/* birth date, school and sector are taken from the registration */
	r = tu_reg(cal, "student=p kind=concern date=2026-10-07 birth_date=2010-03-04");
	assert_true(pupil_state_apply(&st, &r, "luxe"));
	assert_int_equal(st.birth, tu_date("2010-03-04"));
	assert_false(pupil_state_apply(&st, &r, "luxe"));
	/* a registration without birth_date leaves it as it is */
	r = tu_reg(cal, "student=p kind=concern date=2026-10-07");
	pupil_state_apply(&st, &r, "luxe");
	assert_int_equal(st.birth, tu_date("2010-03-04"));
	/* a late registration (recorded earlier) from a previous school does not
	 * move the pupil back */
	r = tu_reg(cal, "student=p kind=concern date=2026-10-07 school=03EF "
			"recorded_at=2026-09-01T08:00:00Z");
	pupil_state_apply(&st, &r, "luxe");
	assert_string_equal(st.school, "01AC");
	/* once enrolled, only a new enrol moves the pupil to another school */
	r = tu_reg(cal, "student=p kind=unenrol date=2026-10-08 school=02CD01 sector=mbo");
	pupil_state_apply(&st, &r, "luxe");
	assert_string_equal(st.school, "01AC");
	r = tu_reg(cal, "student=p kind=enrol date=2026-10-09 school=02CD01 sector=mbo");
	assert_true(pupil_state_apply(&st, &r, "luxe"));
	assert_string_equal(st.school, "02CD01");
	assert_int_equal(st.sector, SECTOR_MBO);
	pupil_state_free(&st);
}

/* Settled reading: before any enrol, school and sector are those of the
 * registration with the latest date (equal dates: the later recorded), not
 * of the one recorded last. */
static void test_school_from_the_latest_date(void **state)
{
	const struct school_years *cal = *state;
	struct pupil_state st;
	pupil_state_init(&st, year_first());
	struct registration r = tu_reg(cal, "student=p kind=sick date=2026-10-07 school=01AC "
					    "sector=vo recorded_at=2026-10-07T10:00:00Z");
	assert_true(pupil_state_apply(&st, &r, "luxe"));
	assert_string_equal(st.school, "01AC");
	/* recorded later, about an earlier day, from the previous (po) school */
	r = tu_reg(cal, "student=p kind=sick date=2026-10-06 school=03EF sector=po "
			"recorded_at=2026-10-08T10:00:00Z");
	pupil_state_apply(&st, &r, "luxe");
	assert_string_equal(st.school, "01AC");
	assert_int_equal(st.sector, SECTOR_VO);
	/* a later date wins even when recorded earlier (announced) */
	r = tu_reg(cal, "student=p kind=absent authorized=yes date=2026-10-09 school=02CD "
			"sector=mbo recorded_at=2026-10-05T10:00:00Z");
	assert_true(pupil_state_apply(&st, &r, "luxe"));
	assert_string_equal(st.school, "02CD");
	assert_int_equal(st.sector, SECTOR_MBO);
	/* the same date: the later recorded wins, the earlier does not */
	r = tu_reg(cal, "student=p kind=late minutes=5 period=1 date=2026-10-09 school=04GH "
			"sector=vso recorded_at=2026-10-05T09:00:00Z");
	pupil_state_apply(&st, &r, "luxe");
	assert_string_equal(st.school, "02CD");
	r = tu_reg(cal, "student=p kind=late minutes=5 period=2 date=2026-10-09 school=04GH "
			"sector=vso recorded_at=2026-10-09T09:00:00Z");
	assert_true(pupil_state_apply(&st, &r, "luxe"));
	assert_string_equal(st.school, "04GH");
	assert_int_equal(st.sector, SECTOR_VSO);
	/* then an enrol, whatever its date, sets them */
	r = tu_reg(cal, "student=p kind=enrol date=2026-09-01 school=01AC sector=vo");
	assert_true(pupil_state_apply(&st, &r, "luxe"));
	assert_string_equal(st.school, "01AC");
	pupil_state_free(&st);
}

/* ---- marks ---- */

static void test_marks(void **state)
{
	(void)state;
	struct pupil_state st;
	pupil_state_init(&st, year_first());
	int day = -1;
	assert_false(pupil_mark_exists(&st, 1, 0));
	assert_false(pupil_mark_latest(&st, 1, 0, &day));
	assert_int_equal(day, -1);
	pupil_mark_add(&st, 2, 1, 50);
	pupil_mark_add(&st, 2, 1, 10);
	pupil_mark_add(&st, 2, 1, 30);
	pupil_mark_add(&st, 2, 0, 99);
	pupil_mark_add(&st, 1, 3, 5);
	pupil_mark_add(&st, 3, 1, 1);
	pupil_mark_add(&st, 2, 1, 30); /* duplicate: ignored */
	assert_int_equal(st.nmarks, 6);
	static const struct pupil_mark want[] = {{1, 3, 5},  {2, 0, 99}, {2, 1, 10},
						 {2, 1, 30}, {2, 1, 50}, {3, 1, 1}};
	for (size_t i = 0; i < 6; i++) {
		assert_int_equal(st.marks[i].rule, want[i].rule);
		assert_int_equal(st.marks[i].level, want[i].level);
		assert_int_equal(st.marks[i].day, want[i].day);
	}
	assert_true(pupil_mark_exists(&st, 2, 1));
	assert_true(pupil_mark_exists(&st, 2, 0));
	assert_false(pupil_mark_exists(&st, 2, 2));
	assert_false(pupil_mark_exists(&st, 1, 0));
	assert_false(pupil_mark_exists(&st, 4, 1));
	assert_true(pupil_mark_on(&st, 2, 1, 30));
	assert_false(pupil_mark_on(&st, 2, 1, 31));
	assert_false(pupil_mark_on(&st, 2, 0, 30));
	assert_true(pupil_mark_in(&st, 2, 1, 11, 30));
	assert_true(pupil_mark_in(&st, 2, 1, 0, 10));
	assert_false(pupil_mark_in(&st, 2, 1, 11, 29));
	assert_false(pupil_mark_in(&st, 2, 1, 51, 400));
	assert_false(pupil_mark_in(&st, 2, 0, 0, 98));
	assert_true(pupil_mark_in(&st, 2, 0, 99, 99));
	/* the range does not leak into the next level or rule */
	assert_false(pupil_mark_in(&st, 1, 3, 6, 400));
	assert_true(pupil_mark_latest(&st, 2, 1, &day));
	assert_int_equal(day, 50);
	assert_true(pupil_mark_latest(&st, 2, 0, &day));
	assert_int_equal(day, 99);
	assert_true(pupil_mark_latest(&st, 1, 3, &day));
	assert_int_equal(day, 5);
	assert_true(pupil_mark_latest(&st, 3, 1, &day));
	assert_int_equal(day, 1);
	day = -7;
	assert_false(pupil_mark_latest(&st, 3, 0, &day));
	assert_false(pupil_mark_latest(&st, 1, 2, &day));
	assert_false(pupil_mark_latest(&st, 0, 0, &day));
	assert_int_equal(day, -7);
	/* growth beyond the first allocation */
	for (int i = 0; i < 100; i++)
		pupil_mark_add(&st, 7, 2, 200 - i);
	assert_int_equal(st.nmarks, 106);
	assert_true(pupil_mark_latest(&st, 7, 2, &day));
	assert_int_equal(day, 200);
	assert_true(pupil_mark_in(&st, 7, 2, 101, 101));
	assert_false(pupil_mark_in(&st, 7, 2, 0, 100));
	pupil_state_free(&st);
}

/* ---- binary form ---- */

/* Encodes st into a fresh buffer of exactly the encoded size. */
static uint8_t *encode(const struct pupil_state *st, size_t *len)
{
	size_t n = pupil_state_encoded_size(st);
	uint8_t *buf = xmalloc(n);
	assert_int_equal(pupil_state_encode(st, buf), n);
	*len = n;
	return buf;
}

/* Decodes buf (copied into a heap block of exactly len bytes, so tools see
 * any read past the end); returns decode's result. */
static int decode_exact(const uint8_t *buf, size_t len, struct pupil_state *st, const char **why)
{
	uint8_t *copy = xmalloc(len ? len : 1);
	if (len)
		memcpy(copy, buf, len);
	*why = NULL;
	int rc = pupil_state_decode(copy, len, st, why);
	free(copy);
	return rc;
}

static void recrc(uint8_t *buf, size_t len)
{
	uint32_t c = crc32_ieee(buf, len - 4);
	for (int i = 0; i < 4; i++)
		buf[len - 4 + i] = (uint8_t)(c >> (8 * i));
}

/* decode(b) == s and encode(decode(b)) == b. */
static void assert_round_trip(const struct pupil_state *st, size_t expected_len)
{
	size_t len;
	uint8_t *buf = encode(st, &len);
	assert_int_equal(len, expected_len);
	struct pupil_state back;
	const char *why = NULL;
	int rc = decode_exact(buf, len, &back, &why);
	if (rc != 0)
		fail_msg("decode failed: %s", why);
	assert_states_equal(st, &back);
	size_t len2;
	uint8_t *buf2 = encode(&back, &len2);
	assert_int_equal(len2, len);
	assert_memory_equal(buf, buf2, len);
	free(buf2);
	free(buf);
	pupil_state_free(&back);
}

static void build_typical(const struct school_years *cal, struct pupil_state *st)
{
	pupil_state_init(st, year_first());
	static const char *const specs[] = {
		"kind=enrol date=2026-08-10",
		"kind=sick date=2026-09-01 birth_date=2011-04-05",
		"kind=sick date=2026-09-02",
		"kind=sick date=2026-09-03 period=16",
		"kind=absent authorized=no reason=luxe date=2026-10-09",
		"kind=absent authorized=no reason=luxe date=2026-10-19",
		"kind=late minutes=12 date=2026-09-07 period=1",
		"kind=late minutes=7 authorized=yes date=2026-09-14 period=1",
		"kind=absent authorized=yes date=2026-11-02 period=3",
		"kind=absent authorized=yes date=2026-11-02 period=4",
		"kind=present date=2026-11-02 period=4",
		"kind=sick date=2027-07-09 minutes=200",
		"kind=concern date=2026-11-03",
	};
	for (size_t i = 0; i < sizeof specs / sizeof *specs; i++) {
		char spec[200];
		snprintf(spec, sizeof spec, "student=p %s", specs[i]);
		struct registration r = tu_reg(cal, spec);
		pupil_state_apply(st, &r, "luxe");
	}
	pupil_mark_add(st, 3, 1, 12);
	pupil_mark_add(st, 1, 0, 2);
}

static void test_round_trip_empty(void **state)
{
	(void)state;
	struct pupil_state st;
	pupil_state_init(&st, year_first());
	assert_round_trip(&st, 36);
	size_t len;
	uint8_t *buf = encode(&st, &len);
	static const uint8_t head[] = {'V', 'S', 2, 0};
	assert_memory_equal(buf, head, 4);
	/* base little-endian, kept_from, enrol and birth INT32_MIN */
	int32_t yf = year_first();
	assert_int_equal(buf[4], (uint8_t)yf);
	assert_int_equal(buf[5], (uint8_t)(yf >> 8));
	static const uint8_t none[] = {0, 0, 0, 0x80};
	assert_memory_equal(buf + 8, none, 4);
	assert_memory_equal(buf + 12, none, 4);
	assert_memory_equal(buf + 16, none, 4);
	/* school_key INT64_MIN: no registration has set the school yet */
	static const uint8_t none64[] = {0, 0, 0, 0, 0, 0, 0, 0x80};
	assert_memory_equal(buf + 20, none64, 8);
	assert_int_equal(buf[28], 0); /* sector */
	assert_int_equal(buf[29], 0); /* school length */
	assert_int_equal(buf[30], 0); /* registrations */
	assert_int_equal(buf[31], 0); /* marks */
	free(buf);
	pupil_state_free(&st);

	/* enrolment only, 4-character BRIN */
	pupil_state_init(&st, year_first());
	str_copy(st.school, "01AC", sizeof st.school);
	st.enrol = tu_date("2026-09-01");
	assert_round_trip(&st, 40);
	pupil_state_free(&st);
}

static void test_round_trip_typical(void **state)
{
	struct pupil_state st;
	build_typical(*state, &st);
	assert_int_equal(st.nregs, 10);
	assert_int_equal(st.nmarks, 2);
	assert_int_equal(st.enrol, tu_date("2026-08-10"));
	assert_int_equal(st.birth, tu_date("2011-04-05"));
	assert_round_trip(&st, 40 + 10 * 14 + 2 * 4);
	pupil_state_free(&st);
}

static void build_worst_case(const struct school_years *cal, struct pupil_state *st)
{
	const struct cal_view *v = school_years_view(cal, 0, NULL);
	pupil_state_init(st, v->first_day);
	int64_t t = 1788250500000LL;
	static const enum reg_kind kinds[] = {KIND_ABSENT, KIND_SICK, KIND_LATE, KIND_PRESENT};
	for (int i = 0; i < v->n_school; i++)
		for (int p = 0; p <= EVENT_MAX_PERIOD; p++) {
			enum reg_kind k = kinds[(i + p) % 4];
			struct registration r =
				mkreg(k, v->school_day[i], p, (i + p) % 3 ? 1 + (i * p) % 1440 : -1,
				      (i + p) % 2, t + i * 1000 + p);
			if (k == KIND_ABSENT && p % 5 == 0)
				str_copy(r.reason, "luxe", sizeof r.reason);
			str_copy(r.school, "99ZZ99", sizeof r.school);
			r.sector = SECTOR_MBO;
			r.birth_date = tu_date("2008-02-29");
			pupil_state_apply(st, &r, "luxe");
		}
	st->enrol = tu_date("2025-08-18");
	for (int rule = 0; rule < 8; rule++)
		for (int level = 0; level < 3; level++)
			pupil_mark_add(st, rule, level, 300 - rule * 10 - level);
}

static void test_round_trip_worst_case(void **state)
{
	struct pupil_state st;
	build_worst_case(*state, &st);
	assert_int_equal(st.nregs, 206 * 17);
	assert_int_equal(st.nmarks, 24);
	/* header 26 + school 6 + 2-byte varint + regs + 1-byte varint + marks + crc */
	assert_round_trip(&st, 30 + 6 + 2 + 206 * 17 * 14 + 1 + 24 * 4 + 4);
	pupil_state_free(&st);
}

static void test_decode_rejects_every_truncation(void **state)
{
	struct pupil_state st;
	build_typical(*state, &st);
	size_t len;
	uint8_t *buf = encode(&st, &len);
	pupil_state_free(&st);
	for (size_t n = 0; n < len; n++) {
		struct pupil_state d;
		const char *why;
		if (decode_exact(buf, n, &d, &why) != -1)
			fail_msg("a %zu-byte prefix of %zu decoded", n, len);
		assert_non_null(why);
		assert_empty_after_failure(&d);
		pupil_state_free(&d);
	}
	/* the short ones are rejected for their length */
	struct pupil_state d;
	const char *why;
	assert_int_equal(decode_exact(buf, 23, &d, &why), -1);
	assert_string_equal(why, "record too short");
	assert_int_equal(decode_exact(buf, len - 1, &d, &why), -1);
	assert_string_equal(why, "checksum mismatch");
	free(buf);
}

static void test_decode_rejects_every_bit_flip(void **state)
{
	struct pupil_state st;
	build_typical(*state, &st);
	size_t len;
	uint8_t *buf = encode(&st, &len);
	pupil_state_free(&st);
	for (size_t i = 0; i < len; i++)
		for (int bit = 0; bit < 8; bit++) {
			buf[i] ^= (uint8_t)(1u << bit);
			struct pupil_state d;
			const char *why;
			int rc = decode_exact(buf, len, &d, &why);
			pupil_state_free(&d);
			buf[i] ^= (uint8_t)(1u << bit);
			if (rc != -1)
				fail_msg("flipping bit %d of byte %zu decoded", bit, i);
			assert_non_null(why);
		}
	/* the same for the worst-case record, one bit per byte */
	build_worst_case(*state, &st);
	free(buf);
	buf = encode(&st, &len);
	pupil_state_free(&st);
	for (size_t i = 0; i < len; i += 7) {
		buf[i] ^= (uint8_t)(1u << (i % 8));
		struct pupil_state d;
		const char *why;
		int rc = decode_exact(buf, len, &d, &why);
		pupil_state_free(&d);
		buf[i] ^= (uint8_t)(1u << (i % 8));
		if (rc != -1)
			fail_msg("flipping a bit of byte %zu decoded", i);
	}
	free(buf);
}

/* Offsets in a record with a 4-character school. */
#define OFF_SECTOR 28
#define OFF_SCHOOL_LEN 29
#define OFF_NREGS 34
#define OFF_REG0 35
#define REG_SIZE 14

/* Applies edit to a copy of the typical record, recomputes its CRC, and
 * expects decode to fail with reason why_expected. */
static void expect_crafted(const uint8_t *orig, size_t len, void (*edit)(uint8_t *, size_t *),
			   const char *why_expected)
{
	uint8_t *buf = xmalloc(len + 16);
	memcpy(buf, orig, len);
	size_t n = len;
	edit(buf, &n);
	recrc(buf, n);
	struct pupil_state d;
	const char *why = NULL;
	int rc = decode_exact(buf, n, &d, &why);
	if (rc == 0) {
		pupil_state_free(&d);
		free(buf);
		fail_msg("crafted record decoded; expected \"%s\"", why_expected);
	}
	assert_string_equal(why, why_expected);
	assert_empty_after_failure(&d);
	pupil_state_free(&d);
	free(buf);
}

static void edit_magic(uint8_t *b, size_t *n)
{
	(void)n;
	b[0] = 'X';
}
static void edit_version(uint8_t *b, size_t *n)
{
	(void)n;
	b[2] = 3;
}
static void edit_version0(uint8_t *b, size_t *n)
{
	(void)n;
	b[2] = 0;
}
static void edit_flags(uint8_t *b, size_t *n)
{
	(void)n;
	b[3] = 1;
}
static void edit_sector(uint8_t *b, size_t *n)
{
	(void)n;
	b[OFF_SECTOR] = SECTOR_COUNT;
}
static void edit_school_len(uint8_t *b, size_t *n)
{
	(void)n;
	b[OFF_SCHOOL_LEN] = 7;
}
static void edit_school_nul(uint8_t *b, size_t *n)
{
	(void)n;
	b[OFF_SCHOOL_LEN + 2] = 0;
}
/* swaps registrations 0 and 1 */
static void edit_swap_regs(uint8_t *b, size_t *n)
{
	(void)n;
	uint8_t tmp[REG_SIZE];
	memcpy(tmp, b + OFF_REG0, REG_SIZE);
	memcpy(b + OFF_REG0, b + OFF_REG0 + REG_SIZE, REG_SIZE);
	memcpy(b + OFF_REG0 + REG_SIZE, tmp, REG_SIZE);
}
/* registration 1 gets registration 0's key */
static void edit_duplicate_reg(uint8_t *b, size_t *n)
{
	(void)n;
	memcpy(b + OFF_REG0 + REG_SIZE, b + OFF_REG0, 4);
}
static void edit_swap_marks(uint8_t *b, size_t *n)
{
	size_t m0 = *n - 4 - 8;
	uint8_t tmp[4];
	memcpy(tmp, b + m0, 4);
	memcpy(b + m0, b + m0 + 4, 4);
	memcpy(b + m0 + 4, tmp, 4);
}
static void edit_duplicate_mark(uint8_t *b, size_t *n)
{
	size_t m0 = *n - 4 - 8;
	memcpy(b + m0 + 4, b + m0, 4);
}
static void edit_trailing(uint8_t *b, size_t *n)
{
	/* one byte between the marks and the CRC */
	b[*n] = 0;
	*n += 1;
}
static void edit_reg_day(uint8_t *b, size_t *n)
{
	(void)n;
	size_t r = OFF_REG0 + 9 * REG_SIZE; /* the last registration */
	b[r] = (STATE_MAX_DAY_OFFSET + 1) & 0xff;
	b[r + 1] = (STATE_MAX_DAY_OFFSET + 1) >> 8;
}
static void edit_reg_day_negative(uint8_t *b, size_t *n)
{
	(void)n;
	b[OFF_REG0] = 0xff;
	b[OFF_REG0 + 1] = 0xff;
}
static void edit_reg_period(uint8_t *b, size_t *n)
{
	(void)n;
	b[OFF_REG0 + 2] = 17;
}
static void edit_reg_kind(uint8_t *b, size_t *n)
{
	(void)n;
	b[OFF_REG0 + 3] = DR_COUNT;
}
static void edit_reg_kind_luxe_sick(uint8_t *b, size_t *n)
{
	(void)n;
	b[OFF_REG0 + 3] = DR_SICK | DR_FLAG_LUXE;
}
static void edit_reg_kind_flag(uint8_t *b, size_t *n)
{
	(void)n;
	b[OFF_REG0 + 3] = DR_SICK | 0x10;
}
static void edit_reg_minutes0(uint8_t *b, size_t *n)
{
	(void)n;
	b[OFF_REG0 + 4] = 0;
	b[OFF_REG0 + 5] = 0;
}
static void edit_reg_minutes1441(uint8_t *b, size_t *n)
{
	(void)n;
	b[OFF_REG0 + 4] = 1441 & 0xff;
	b[OFF_REG0 + 5] = 1441 >> 8;
}
static void edit_count_too_big(uint8_t *b, size_t *n)
{
	(void)n;
	b[OFF_NREGS] = 11;
}
/* the registration count 10 as a two-byte varint (0x8a 0x00) */
static void edit_count_long_varint(uint8_t *b, size_t *n)
{
	memmove(b + OFF_NREGS + 2, b + OFF_NREGS + 1, *n - OFF_NREGS - 1);
	b[OFF_NREGS] = 0x8a;
	b[OFF_NREGS + 1] = 0x00;
	*n += 1;
}
/* the registration count 10 as a five-byte varint whose last byte carries
 * bits beyond 32 (10 + 16 << 28, which wraps to 10 in 32 bits) */
static void edit_count_overflowing_varint(uint8_t *b, size_t *n)
{
	memmove(b + OFF_NREGS + 5, b + OFF_NREGS + 1, *n - OFF_NREGS - 1);
	static const uint8_t v[5] = {0x8a, 0x80, 0x80, 0x80, 0x10};
	memcpy(b + OFF_NREGS, v, 5);
	*n += 4;
}
static void edit_count_six_byte_varint(uint8_t *b, size_t *n)
{
	memmove(b + OFF_NREGS + 6, b + OFF_NREGS + 1, *n - OFF_NREGS - 1);
	static const uint8_t v[6] = {0x8a, 0x80, 0x80, 0x80, 0x80, 0x00};
	memcpy(b + OFF_NREGS, v, 6);
	*n += 5;
}

static void test_decode_rejects_crafted(void **state)
{
	struct pupil_state st;
	build_typical(*state, &st);
	assert_string_equal(st.school, "01AC");
	size_t len;
	uint8_t *buf = encode(&st, &len);
	assert_int_equal(buf[OFF_NREGS], 10);
	assert_int_equal(buf[len - 4 - 8 - 1], 2); /* mark count */
	/* sanity: an unedited record with a recomputed CRC decodes */
	struct pupil_state d;
	const char *why;
	recrc(buf, len);
	assert_int_equal(decode_exact(buf, len, &d, &why), 0);
	assert_states_equal(&st, &d);
	pupil_state_free(&d);

	expect_crafted(buf, len, edit_magic, "not a pupil state record");
	expect_crafted(buf, len, edit_version, "unsupported record version");
	expect_crafted(buf, len, edit_version0, "unsupported record version");
	expect_crafted(buf, len, edit_flags, "unknown flags");
	expect_crafted(buf, len, edit_sector, "bad sector");
	expect_crafted(buf, len, edit_school_len, "bad school length");
	expect_crafted(buf, len, edit_school_nul, "bad school");
	expect_crafted(buf, len, edit_swap_regs, "registrations out of order");
	expect_crafted(buf, len, edit_duplicate_reg, "registrations out of order");
	expect_crafted(buf, len, edit_swap_marks, "marks out of order");
	expect_crafted(buf, len, edit_duplicate_mark, "marks out of order");
	expect_crafted(buf, len, edit_trailing, "trailing bytes");
	expect_crafted(buf, len, edit_reg_day, "bad registration");
	expect_crafted(buf, len, edit_reg_day_negative, "bad registration");
	expect_crafted(buf, len, edit_reg_period, "bad registration");
	expect_crafted(buf, len, edit_reg_kind, "bad registration");
	expect_crafted(buf, len, edit_reg_kind_luxe_sick, "bad registration");
	expect_crafted(buf, len, edit_reg_kind_flag, "bad registration");
	expect_crafted(buf, len, edit_reg_minutes0, "bad registration");
	expect_crafted(buf, len, edit_reg_minutes1441, "bad registration");
	expect_crafted(buf, len, edit_count_too_big, "truncated registrations");
	expect_crafted(buf, len, edit_count_long_varint, "bad registration count");
	expect_crafted(buf, len, edit_count_six_byte_varint, "bad registration count");

	/* CRC itself */
	buf[len - 1] ^= 0x80;
	assert_int_equal(decode_exact(buf, len, &d, &why), -1);
	assert_string_equal(why, "checksum mismatch");
	free(buf);
	pupil_state_free(&st);
}

/* A varint whose fifth byte carries bits beyond 32 wraps to a small count.
 * Such a record is not what encode produces (docs/state-format.md: decoding
 * accepts only the canonical form, so encode(decode(b)) == b); it must be
 * rejected like the other non-shortest forms. */
static void test_decode_rejects_overflowing_varint(void **state)
{
	struct pupil_state st;
	build_typical(*state, &st);
	size_t len;
	uint8_t *buf = encode(&st, &len);
	pupil_state_free(&st);
	uint8_t crafted[512];
	assert_true(len + 4 <= sizeof crafted);
	memcpy(crafted, buf, len);
	size_t n = len;
	edit_count_overflowing_varint(crafted, &n);
	recrc(crafted, n);
	struct pupil_state d;
	const char *why = NULL;
	int rc = decode_exact(crafted, n, &d, &why);
	if (rc == 0) {
		size_t n2;
		uint8_t *again = encode(&d, &n2);
		unsigned nregs = d.nregs;
		pupil_state_free(&d);
		free(again);
		free(buf);
		fail_msg("a record with a 5-byte count 8a 80 80 80 10 decoded (%u registrations); "
			 "re-encoded it is %zu bytes, not %zu",
			 nregs, n2, n);
	}
	assert_string_equal(why, "bad registration count");
	pupil_state_free(&d);
	free(buf);
}

static int setup_cal(void **state)
{
	*state = tu_noord_years_first();
	return 0;
}

static int teardown_cal(void **state)
{
	school_years_free(*state);
	return 0;
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_cal, teardown_cal)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_apply_last_writer_wins),
		T(test_apply_keys_and_kinds),
		T(test_apply_enrol_concern_unenrol),
		T(test_school_from_the_latest_date),
		T(test_marks),
		T(test_round_trip_empty),
		T(test_round_trip_typical),
		T(test_round_trip_worst_case),
		T(test_decode_rejects_every_truncation),
		T(test_decode_rejects_every_bit_flip),
		T(test_decode_rejects_crafted),
		T(test_decode_rejects_overflowing_varint),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
