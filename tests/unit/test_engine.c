/*
 * The engine's behaviour across rules (RULES.md "Registrations" and "Rules"):
 * last writer wins on recorded_at (as instants), equal instants -> the later
 * applied wins, duplicates change no state, every registration triggers an
 * evaluation at its date that ignores later days, `present` corrections,
 * registrations before the enrolment date count for nothing, a signal once
 * raised stands, deterministic signal ids, and what the sweep evaluates.
 */
#include "testutil.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define SICK "kind=sick"
#define AUTH "kind=absent authorized=yes"
#define UNAUTH "kind=absent authorized=no"
#define YEAR "2026-08-17"

static void setup_only(struct tu_pupil *p, const char *student, enum rule_id rule)
{
	tu_pupil_init(p, student, NULL);
	tu_only(&p->rc, rule);
}

/* The encoded state (caller frees). */
static uint8_t *encode(const struct pupil_state *st, size_t *len)
{
	*len = pupil_state_encoded_size(st);
	uint8_t *buf = malloc(*len);
	assert_non_null(buf);
	assert_int_equal(pupil_state_encode(st, buf), *len);
	return buf;
}

static void assert_same_state(const uint8_t *a, size_t alen, const struct pupil_state *st)
{
	size_t blen;
	uint8_t *b = encode(st, &blen);
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);
	free(b);
}

static void test_last_writer_wins_by_instant(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_only(&p, NULL, RULE_FIRST_MONTH);
	tu_apply(&p, "date=2026-08-17 " SICK);
	tu_apply(&p, "date=2026-08-18 kind=present recorded_at=2026-08-18T09:00:00Z");
	/* 10:30+02:00 is 08:30Z: older than the present, it loses. */
	assert_int_equal(
		tu_apply(&p, "date=2026-08-18 " SICK " recorded_at=2026-08-18T10:30:00+02:00"), 0);
	assert_false(p.last_changed);
	tu_sweep(&p, "2026-08-17", "2026-08-18");
	TU_EXPECT_NONE(&p, 0);
	/* 11:30+02:00 is 09:30Z: newer, it wins. */
	assert_int_equal(
		tu_apply(&p, "date=2026-08-18 " SICK " recorded_at=2026-08-18T11:30:00+02:00"), 1);
	assert_true(p.last_changed);
	TU_EXPECT(&p, 0, {RULE_FIRST_MONTH, FM_ELEVATED, "2026-08-18", YEAR});
	/* A present recorded 09:15Z arrives later but is older: it loses, so
	 * Aug 18 still counts and Aug 21 is the fifth absent day. */
	tu_apply(&p, "date=2026-08-18 kind=present recorded_at=2026-08-18T09:15:00Z");
	assert_false(p.last_changed);
	tu_live(&p, "2026-08-19", "2026-08-21", SICK);
	TU_EXPECT(&p, 1, {RULE_FIRST_MONTH, FM_HIGH, "2026-08-21", YEAR});
	tu_pupil_free(&p);
}

static void test_equal_instants_the_later_applied_wins(void **state)
{
	(void)state;
	/* sick, then present at the same instant (written differently): present
	 * wins, Aug 18 counts for nothing. */
	struct tu_pupil a;
	setup_only(&a, "a", RULE_FIRST_MONTH);
	tu_apply(&a, "date=2026-08-18 " SICK " recorded_at=2026-08-18T09:00:00Z");
	tu_apply(&a, "date=2026-08-18 kind=present recorded_at=2026-08-18T11:00:00+02:00");
	assert_true(a.last_changed);
	tu_apply(&a, "date=2026-08-17 " SICK);
	tu_sweep(&a, "2026-08-17", "2026-08-21");
	TU_EXPECT_NONE(&a, 0);
	tu_pupil_free(&a);

	/* present, then sick at the same instant: sick wins. */
	struct tu_pupil b;
	setup_only(&b, "b", RULE_FIRST_MONTH);
	tu_apply(&b, "date=2026-08-18 kind=present recorded_at=2026-08-18T09:00:00Z");
	tu_apply(&b, "date=2026-08-18 " SICK " recorded_at=2026-08-18T11:00:00+02:00");
	assert_true(b.last_changed);
	tu_apply(&b, "date=2026-08-17 " SICK);
	TU_EXPECT_NONE(&b, 0);
	tu_sweep(&b, "2026-08-17", "2026-08-21");
	TU_EXPECT(&b, 0, {RULE_FIRST_MONTH, FM_ELEVATED, "2026-08-18", YEAR});
	tu_pupil_free(&b);
}

static void test_duplicates_change_no_state(void **state)
{
	(void)state;
	struct tu_pupil p;
	tu_pupil_init(&p, NULL, NULL);
	struct registration r1 = tu_pupil_reg(&p, "date=2026-08-17 " SICK);
	struct registration r2 = tu_pupil_reg(&p, "date=2026-08-18 " SICK);
	assert_int_equal(tu_apply_reg(&p, &r1), 0);
	assert_true(p.last_changed);
	size_t len;
	uint8_t *before = encode(&p.st, &len);
	assert_int_equal(tu_apply_reg(&p, &r1), 0);
	assert_false(p.last_changed);
	assert_same_state(before, len, &p.st);
	free(before);

	assert_int_equal(tu_apply_reg(&p, &r2), 1);
	TU_EXPECT(&p, 0, {RULE_FIRST_MONTH, FM_ELEVATED, "2026-08-18", YEAR});
	before = encode(&p.st, &len);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(tu_apply_reg(&p, &r2), 0);
		assert_false(p.last_changed);
	}
	assert_same_state(before, len, &p.st);
	free(before);
	assert_int_equal(p.out.n, 1);
	tu_pupil_free(&p);
}

static void test_every_registration_triggers_an_evaluation(void **state)
{
	(void)state;
	/* Sick Aug 17..25 arrive newest first: every evaluation sees a run of one
	 * day (later days do not count at an earlier date). */
	struct tu_pupil a;
	setup_only(&a, "a", RULE_MAZL);
	struct registration r25 =
		tu_pupil_reg(&a, "date=2026-08-25 " SICK " recorded_at=2026-08-25T09:00:00Z");
	tu_apply_reg(&a, &r25);
	tu_apply_days_rev(&a, "2026-08-17", "2026-08-24", SICK);
	TU_EXPECT_NONE(&a, 0);
	/* A duplicate changes no data but evaluates at Aug 25. */
	assert_int_equal(tu_apply_reg(&a, &r25), 1);
	assert_true(a.last_changed); /* a mark was added */
	TU_EXPECT(&a, 0, {RULE_MAZL, MAZL_DURATION, "2026-08-25", "2026-08-17"});
	tu_pupil_free(&a);

	/* Likewise a registration that loses to a later one. */
	struct tu_pupil b;
	setup_only(&b, "b", RULE_MAZL);
	tu_apply(&b, "date=2026-08-25 " SICK " recorded_at=2026-08-25T09:00:00Z");
	tu_apply_days_rev(&b, "2026-08-17", "2026-08-24", SICK);
	TU_EXPECT_NONE(&b, 0);
	tu_apply(&b, "date=2026-08-25 kind=present recorded_at=2026-08-25T08:00:00Z");
	TU_EXPECT(&b, 0, {RULE_MAZL, MAZL_DURATION, "2026-08-25", "2026-08-17"});
	tu_pupil_free(&b);

	/* And a concern, which holds no day data. */
	struct tu_pupil c;
	setup_only(&c, "c", RULE_MAZL);
	tu_apply_days_rev(&c, "2026-08-17", "2026-08-25", SICK);
	TU_EXPECT_NONE(&c, 0);
	tu_apply(&c, "date=2026-08-25 kind=concern");
	TU_EXPECT(&c, 0, {RULE_MAZL, MAZL_CONCERN, "2026-08-25", NULL},
		  {RULE_MAZL, MAZL_DURATION, "2026-08-25", "2026-08-17"});
	tu_pupil_free(&c);
}

static void test_evaluation_ignores_days_after_its_date(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_only(&p, NULL, RULE_LEERPLICHT_16U);
	tu_apply(&p, "date=2026-08-19 " UNAUTH);
	tu_apply(&p, "date=2026-08-18 " UNAUTH);
	/* 960 known, but at Aug 17 only Aug 17's 240 count. */
	assert_int_equal(tu_apply(&p, "date=2026-08-17 minutes=240 " UNAUTH), 0);
	tu_sweep(&p, "2026-08-17", "2026-08-18");
	TU_EXPECT_NONE(&p, 0);
	tu_sweep(&p, "2026-08-19", "2026-08-19");
	TU_EXPECT(&p, 0, {RULE_LEERPLICHT_16U, LEVEL_NONE, "2026-08-19", NULL});
	tu_assert_fact_date(tu_signal(&p, 0), "start", "2026-08-17");
	assert_int_equal(tu_fact(tu_signal(&p, 0), "minutes"), 960);
	tu_pupil_free(&p);
}

static void test_present_retracts_its_own_key_only(void **state)
{
	(void)state;
	/* Hours 1-4 (200 minutes), then hour 4 retracted: 150, not absent. */
	struct tu_pupil a;
	setup_only(&a, "a", RULE_FIRST_MONTH);
	for (int h = 1; h <= 4; h++)
		tu_apply(&a, "date=2026-08-18 period=%d " AUTH, h);
	tu_apply(&a, "date=2026-08-18 period=4 kind=present");
	tu_apply(&a, "date=2026-08-17 " SICK);
	tu_sweep(&a, "2026-08-17", "2026-08-18");
	TU_EXPECT_NONE(&a, 0);
	tu_apply(&a, "date=2026-08-18 period=5 " AUTH);
	TU_EXPECT(&a, 0, {RULE_FIRST_MONTH, FM_ELEVATED, "2026-08-18", YEAR});
	tu_pupil_free(&a);

	/* A whole-day present (period 0) does not retract lesson hours. */
	struct tu_pupil b;
	setup_only(&b, "b", RULE_FIRST_MONTH);
	for (int h = 1; h <= 4; h++)
		tu_apply(&b, "date=2026-08-18 period=%d " AUTH, h);
	tu_apply(&b, "date=2026-08-18 kind=present");
	tu_apply(&b, "date=2026-08-17 " SICK);
	tu_sweep(&b, "2026-08-17", "2026-08-18");
	TU_EXPECT(&b, 0, {RULE_FIRST_MONTH, FM_ELEVATED, "2026-08-18", YEAR});
	tu_pupil_free(&b);

	/* A present, then the absence again (newer): it counts again. */
	struct tu_pupil c;
	setup_only(&c, "c", RULE_FIRST_MONTH);
	tu_apply(&c, "date=2026-08-18 " SICK);
	tu_apply(&c, "date=2026-08-18 kind=present");
	tu_apply(&c, "date=2026-08-18 " UNAUTH);
	tu_apply(&c, "date=2026-08-17 " SICK);
	tu_sweep(&c, "2026-08-17", "2026-08-18");
	TU_EXPECT(&c, 0, {RULE_FIRST_MONTH, FM_ELEVATED, "2026-08-18", YEAR});
	tu_pupil_free(&c);
}

static void test_registrations_before_enrolment_count_for_nothing(void **state)
{
	(void)state;
	/* All rules. Enrolled Tue Sep 1; sick from Aug 17 to Sep 9. */
	struct tu_pupil p;
	tu_pupil_init(&p, NULL, NULL);
	tu_apply(&p, "date=2026-09-01 kind=enrol");
	tu_live(&p, "2026-08-17", "2026-08-31", SICK);
	TU_EXPECT_NONE(&p, 0);
	tu_live(&p, "2026-09-01", "2026-09-09", SICK);
	/* Sep 1, 2: 2 absent days; Sep 7 the 5th; Sep 9 the 7th sick day. */
	TU_EXPECT(&p, 0, {RULE_FIRST_MONTH, FM_ELEVATED, "2026-09-02", YEAR},
		  {RULE_FIRST_MONTH, FM_HIGH, "2026-09-07", YEAR},
		  {RULE_MAZL, MAZL_DURATION, "2026-09-09", "2026-09-01"});
	tu_assert_fact_date(tu_signal(&p, 0), "window_first", "2026-09-01");
	assert_int_equal(tu_fact(tu_signal(&p, 2), "days"), 7);
	tu_pupil_free(&p);
}

static void test_the_latest_enrol_applied_sets_the_date(void **state)
{
	(void)state;
	struct tu_pupil a;
	setup_only(&a, "a", RULE_FIRST_MONTH);
	tu_apply(&a, "date=2026-09-01 kind=enrol");
	tu_apply(&a, "date=2026-08-24 kind=enrol");
	tu_live(&a, "2026-08-24", "2026-08-25", SICK);
	TU_EXPECT(&a, 0, {RULE_FIRST_MONTH, FM_ELEVATED, "2026-08-25", YEAR});
	tu_assert_fact_date(tu_signal(&a, 0), "window_first", "2026-08-24");
	tu_pupil_free(&a);

	struct tu_pupil b;
	setup_only(&b, "b", RULE_FIRST_MONTH);
	tu_apply(&b, "date=2026-08-24 kind=enrol");
	tu_apply(&b, "date=2026-09-01 kind=enrol");
	tu_live(&b, "2026-08-24", "2026-08-25", SICK);
	TU_EXPECT_NONE(&b, 0);
	tu_pupil_free(&b);
}

static void test_a_signal_once_raised_stands(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_only(&p, NULL, RULE_MAZL);
	tu_live(&p, "2026-08-17", "2026-08-25", SICK);
	TU_EXPECT(&p, 0, {RULE_MAZL, MAZL_DURATION, "2026-08-25", "2026-08-17"});
	/* Every day corrected to present: nothing is withdrawn or raised. */
	assert_int_equal(tu_apply_days(&p, "2026-08-17", "2026-08-25", "kind=present"), 0);
	tu_sweep(&p, "2026-08-17", "2026-08-28");
	/* Registered sick again: the same episode (same period key) is not
	 * raised a second time. */
	tu_apply_days(&p, "2026-08-17", "2026-08-25", SICK);
	tu_sweep(&p, "2026-08-25", "2026-08-28");
	assert_int_equal(p.out.n, 1);
	tu_pupil_free(&p);
}

/* A signal's identity, the material its keyed id is made of
 * (connectors/signing.c): the same material, the same id. */
static void assert_id(const struct signal *s, const char *key)
{
	char got[200];
	signal_id_material(s, got, sizeof got);
	assert_string_equal(got, key);
}

static void test_signal_ids_are_deterministic(void **state)
{
	(void)state;
	struct tu_pupil a, b, c;
	setup_only(&a, "p1", RULE_FIRST_MONTH);
	setup_only(&b, "p1", RULE_FIRST_MONTH);
	setup_only(&c, "p2", RULE_FIRST_MONTH);
	/* p1 raises elevated on Aug 18, the other p1 on Sep 11. */
	tu_live(&a, "2026-08-17", "2026-08-18", SICK);
	tu_live(&b, "2026-09-10", "2026-09-11", SICK);
	tu_live(&c, "2026-08-17", "2026-08-18", SICK);
	const struct signal *sa = tu_signal(&a, 0), *sb = tu_signal(&b, 0), *sc = tu_signal(&c, 0);
	char ida[200], idb[200], idc[200];
	signal_id_material(sa, ida, sizeof ida);
	signal_id_material(sb, idb, sizeof idb);
	signal_id_material(sc, idc, sizeof idc);
	/* Same (rule, level, student, period key): same id, whatever the date. */
	assert_string_equal(ida, idb);
	assert_string_not_equal(ida, idc);
	assert_id(sa, "first_month|elevated|p1|2026-08-17");
	assert_id(sc, "first_month|elevated|p2|2026-08-17");

	struct signal s = *sa;
	s.date = tu_date("2027-01-04");
	assert_id(&s, "first_month|elevated|p1|2026-08-17");
	s.level = FM_HIGH;
	assert_id(&s, "first_month|high|p1|2026-08-17");
	s.rule = RULE_LEERPLICHT_16U;
	s.level = LEVEL_NONE;
	s.period_key = tu_date("2026-08-19");
	assert_id(&s, "leerplicht_16u||p1|2026-08-19");
	char x[200], y[200];
	signal_id_material(&s, x, sizeof x);
	s.period_key++;
	signal_id_material(&s, y, sizeof y);
	assert_string_not_equal(x, y);
	tu_pupil_free(&a);
	tu_pupil_free(&b);
	tu_pupil_free(&c);
}

static void script(struct tu_pupil *p)
{
	tu_live(p, "2026-08-17", "2026-08-19", UNAUTH);
	tu_apply(p, "date=2026-08-20 kind=late minutes=45");
	tu_live(p, "2026-08-24", "2026-09-02", SICK);
	tu_apply(p, "date=2026-08-21 " SICK);
	tu_apply(p, "date=2026-09-03 kind=concern");
	tu_live(p, "2026-09-03", "2026-09-30", "kind=absent authorized=no reason=luxe");
	tu_apply(p, "date=2026-10-01 kind=unenrol");
}

static void test_same_input_same_output(void **state)
{
	(void)state;
	struct tu_pupil a, b;
	tu_pupil_init(&a, NULL, NULL);
	tu_pupil_init(&b, NULL, NULL);
	script(&a);
	script(&b);
	assert_true(a.out.n >= 8);
	assert_int_equal(a.out.n, b.out.n);
	for (size_t i = 0; i < a.out.n; i++) {
		const struct signal *x = &a.out.v[i], *y = &b.out.v[i];
		char ix[200], iy[200];
		signal_id_material(x, ix, sizeof ix);
		signal_id_material(y, iy, sizeof iy);
		assert_string_equal(ix, iy);
		assert_int_equal(x->date, y->date);
		assert_int_equal(x->nfacts, y->nfacts);
		for (int f = 0; f < x->nfacts; f++) {
			assert_string_equal(x->facts[f].name, y->facts[f].name);
			assert_int_equal(x->facts[f].value, y->facts[f].value);
		}
	}
	size_t len;
	uint8_t *ea = encode(&a.st, &len);
	assert_same_state(ea, len, &b.st);
	free(ea);
	tu_pupil_free(&a);
	tu_pupil_free(&b);
}

static void test_all_rules_on_a_sick_pupil(void **state)
{
	(void)state;
	struct tu_pupil p;
	tu_pupil_init(&p, NULL, NULL);
	/* attendance_tier: E = 20 on Sep 11, the band held for 10 enrolled
	 * days from there on Sep 24. */
	tu_live(&p, "2026-08-17", "2026-09-24", SICK);
	TU_EXPECT(&p, 0, {RULE_FIRST_MONTH, FM_ELEVATED, "2026-08-18", YEAR},
		  {RULE_FIRST_MONTH, FM_HIGH, "2026-08-21", YEAR},
		  {RULE_MAZL, MAZL_DURATION, "2026-08-25", "2026-08-17"},
		  {RULE_LONG_SICK, RUN_4W, "2026-09-11", "2026-08-17"},
		  {RULE_ATTENDANCE_TIER, AT_SEVERE, "2026-09-24", YEAR});
	assert_string_equal(tu_signal(&p, 0)->school, "01AC");
	assert_int_equal(tu_fact(tu_signal(&p, 4), "rate_pct"), 10000);
	tu_pupil_free(&p);
}

static void test_all_rules_on_a_truant(void **state)
{
	(void)state;
	struct tu_pupil p;
	tu_pupil_init(&p, NULL, NULL);
	tu_live(&p, "2026-08-17", "2026-09-24", UNAUTH);
	TU_EXPECT(&p, 0, {RULE_FIRST_MONTH, FM_ELEVATED, "2026-08-18", YEAR},
		  {RULE_LEERPLICHT_16U, LEVEL_NONE, "2026-08-19", NULL},
		  {RULE_FIRST_MONTH, FM_HIGH, "2026-08-21", YEAR},
		  {RULE_LEERPLICHT_16U, LEVEL_NONE, "2026-08-26", NULL},
		  {RULE_LEERPLICHT_16U, LEVEL_NONE, "2026-09-02", NULL},
		  {RULE_LEERPLICHT_16U, LEVEL_NONE, "2026-09-09", NULL},
		  {RULE_LRV, RUN_4W, "2026-09-11", "2026-08-17"},
		  {RULE_LEERPLICHT_16U, LEVEL_NONE, "2026-09-16", NULL},
		  {RULE_LEERPLICHT_16U, LEVEL_NONE, "2026-09-23", NULL},
		  {RULE_ATTENDANCE_TIER, AT_SEVERE, "2026-09-24", YEAR});
	tu_pupil_free(&p);
}

static void test_sweep_days_and_idle_pupils(void **state)
{
	(void)state;
	struct tu_pupil p;
	tu_pupil_init(&p, NULL, NULL);
	assert_true(rules_sweep_idle(&p.st));
	assert_false(rules_sweep(&p.env, &p.st, p.student, tu_date("2026-09-11"), &p.out));
	/* A concern holds no day data: still idle. */
	tu_apply(&p, "date=2026-08-17 kind=concern");
	assert_true(rules_sweep_idle(&p.st));
	tu_live(&p, "2026-08-17", "2026-09-11", UNAUTH);
	assert_false(rules_sweep_idle(&p.st));
	size_t n = p.out.n;
	/* A Saturday and a holiday are no sweep days: nothing, no change. */
	assert_false(rules_sweep(&p.env, &p.st, p.student, tu_date("2026-09-12"), &p.out));
	assert_false(rules_sweep(&p.env, &p.st, p.student, tu_date("2026-10-12"), &p.out));
	assert_int_equal(p.out.n, n);
	tu_pupil_free(&p);
}

static void test_sweep_leaves_registration_rules_alone(void **state)
{
	(void)state;
	/* concern and absolute disabled while the registrations are applied,
	 * enabled for the sweep: the sweep raises neither. */
	struct tu_pupil p;
	tu_pupil_init(&p, NULL, NULL);
	tu_only(&p.rc, RULE_MAZL);
	p.rc.mazl.concern = false;
	tu_apply(&p, "date=2026-08-17 " SICK);
	tu_apply(&p, "date=2026-08-18 kind=concern");
	tu_apply(&p, "date=2026-08-19 kind=unenrol");
	TU_EXPECT_NONE(&p, 0);
	p.rc.mazl.concern = true;
	p.rc.absolute.enabled = true;
	tu_sweep(&p, "2026-08-17", "2026-08-21");
	TU_EXPECT_NONE(&p, 0);
	tu_pupil_free(&p);
}

static void test_no_day_data_from_concern_enrol_unenrol(void **state)
{
	(void)state;
	struct tu_pupil p;
	setup_only(&p, NULL, RULE_MAZL);
	tu_live(&p, "2026-08-17", "2026-08-24", SICK);
	/* Same key (Aug 24, period 0) as the sick registration. */
	tu_apply(&p, "date=2026-08-24 kind=concern");
	tu_apply(&p, "date=2026-08-24 kind=unenrol destination=02BC");
	tu_live(&p, "2026-08-25", "2026-08-25", SICK);
	TU_EXPECT(&p, 0, {RULE_MAZL, MAZL_CONCERN, "2026-08-24", NULL},
		  {RULE_MAZL, MAZL_DURATION, "2026-08-25", "2026-08-17"});
	assert_int_equal(tu_fact(tu_signal(&p, 1), "days"), 7);
	tu_pupil_free(&p);
}

static void test_configured_day_and_hour_minutes(void **state)
{
	(void)state;
	/* A day of 300 minutes and hours of 60: 3 hours (180 >= 150) are an
	 * absent day, 2 hours (120) are not. */
	struct tu_pupil p;
	setup_only(&p, NULL, RULE_FIRST_MONTH);
	p.rc.full_day_minutes = 300;
	p.rc.period_minutes = 60;
	tu_apply(&p, "date=2026-08-17 " SICK);
	tu_apply(&p, "date=2026-08-18 period=1 " AUTH);
	tu_apply(&p, "date=2026-08-18 period=2 " AUTH);
	tu_sweep(&p, "2026-08-17", "2026-08-18");
	TU_EXPECT_NONE(&p, 0);
	tu_apply(&p, "date=2026-08-18 period=3 " AUTH);
	TU_EXPECT(&p, 0, {RULE_FIRST_MONTH, FM_ELEVATED, "2026-08-18", YEAR});
	tu_pupil_free(&p);
}

static void test_many_registrations(void **state)
{
	(void)state;
	/* More registrations than fit the engine's stack buffer: a lesson hour
	 * every school day (no absent day) and the whole days of a late run. */
	struct tu_pupil p;
	tu_pupil_init(&p, NULL, NULL);
	tu_only(&p.rc, RULE_LONG_SICK);
	tu_live(&p, "2026-08-17", "2026-12-18", "period=8 kind=late minutes=5");
	tu_live(&p, "2027-01-04", "2027-01-29", SICK);
	TU_EXPECT(&p, 0, {RULE_LONG_SICK, RUN_4W, "2027-01-29", "2027-01-04"});
	tu_pupil_free(&p);
}

static void test_sweep_sees_days_registered_in_advance(void **state)
{
	(void)state;
	/* On Fri Oct 2 the school registers what it knows: a late on Mon Oct 5
	 * and a hospital stay Oct 6 - Oct 21 (7 school days over the autumn
	 * holiday), newest first, so no registration's evaluation sees more than
	 * one sick day. The daily sweep must raise mazl duration on the 7th day,
	 * Wed Oct 21. */
	struct tu_pupil p;
	setup_only(&p, NULL, RULE_MAZL);
	tu_apply_days_rev(&p, "2026-10-06", "2026-10-21", SICK);
	tu_apply(&p, "date=2026-10-05 kind=late minutes=10");
	TU_EXPECT_NONE(&p, 0);
	tu_sweep(&p, "2026-10-05", "2026-10-23");
	TU_EXPECT(&p, 0, {RULE_MAZL, MAZL_DURATION, "2026-10-21", "2026-10-06"});
	assert_int_equal(tu_fact(tu_signal(&p, 0), "days"), 7);
	tu_pupil_free(&p);
}

/* The daemon and replay sweep every school day of the region's calendar,
 * so a pupil of 01AB is also swept on Fri Nov 20, the school's own study
 * day. That sweep evaluates nothing (not a school day for the pupil); the
 * next one, Mon Nov 23, must still see what arrived before it. */
static void sweep_region_day(struct tu_pupil *p, const char *ymd)
{
	assert_true(cal_is_school_day(calendar_view(p->cal, NULL), tu_date(ymd)));
	assert_false(cal_is_school_day(calendar_view(p->cal, p->school), tu_date(ymd)));
	rules_sweep(&p->env, &p->st, p->student, tu_date(ymd), &p->out);
}

/* A pupil of 01AB freed by the teardown, so that a failing test leaks
 * nothing. */
static int setup_01ab(void **state)
{
	struct tu_pupil *p = malloc(sizeof *p);
	assert_non_null(p);
	tu_pupil_init(p, NULL, "01AB");
	*state = p;
	return 0;
}

static int teardown_pupil(void **state)
{
	tu_pupil_free(*state);
	free(*state);
	return 0;
}

static void test_sweep_after_a_school_closed_day_leerplicht(void **state)
{
	/* On Nov 20 the school registers Mon-Wed Nov 16-18 unauthorised, newest
	 * first (each evaluation sees 360 minutes). On Nov 23 the window holds
	 * 1080 minutes: the report is due at the sweep of Nov 23. */
	struct tu_pupil *p = *state;
	tu_only(&p->rc, RULE_LEERPLICHT_16U);
	tu_apply_days_rev(p, "2026-11-16", "2026-11-18", UNAUTH);
	TU_EXPECT_NONE(p, 0);
	sweep_region_day(p, "2026-11-20");
	tu_sweep(p, "2026-11-23", "2026-11-27");
	TU_EXPECT(p, 0, {RULE_LEERPLICHT_16U, LEVEL_NONE, "2026-11-23", NULL});
	tu_assert_fact_date(tu_signal(p, 0), "start", "2026-11-16");
	assert_int_equal(tu_fact(tu_signal(p, 0), "minutes"), 1080);
}

static void test_sweep_after_a_school_closed_day_attendance(void **state)
{
	/* Sick Mon-Thu Nov 16-19 registered on Nov 20, newest first. For 01AB
	 * Nov 23 is school day 65: 1440 / (65 x 360) = 6.15 %: tier2 is due at
	 * the sweep of Nov 23. */
	struct tu_pupil *p = *state;
	tu_only(&p->rc, RULE_ATTENDANCE_TIER);
	/* The sweep's skipping is under test here, not persistence. */
	p->rc.attendance_tier.persist_days = 1;
	tu_apply_days_rev(p, "2026-11-16", "2026-11-19", SICK);
	TU_EXPECT_NONE(p, 0);
	sweep_region_day(p, "2026-11-20");
	tu_sweep(p, "2026-11-23", "2026-11-27");
	TU_EXPECT(p, 0, {RULE_ATTENDANCE_TIER, AT_TIER2, "2026-11-23", YEAR});
	assert_int_equal(tu_fact(tu_signal(p, 0), "enrolled_days"), 65);
	assert_int_equal(tu_fact(tu_signal(p, 0), "rate_pct"), 615);
}

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return (*s >> 16) & 0x7fff;
}

/* A school year of pseudo-random registrations (stretches of sick,
 * unauthorised, authorised, late or luxe days; lesson hours; late and
 * corrected registrations; concerns), swept after every school day. With
 * `force`, every sweep evaluates in full (the state marked touched). */
static void random_year(struct tu_pupil *p, uint32_t seed, bool force)
{
	static const char *const kinds[] = {
		"kind=sick", "kind=absent authorized=no", "kind=absent authorized=yes",
		"kind=late minutes=90", "kind=absent authorized=no reason=luxe", "kind=present",
	};
	const struct cal_view *v = calendar_view(p->cal, p->school);
	uint32_t s = seed;
	int mode = -1;
	char ymd[DATE_STRLEN];
	if (seed % 3 == 0) {
		date_format(v->school_day[lcg(&s) % 60], ymd);
		tu_apply(p, "date=%s kind=enrol", ymd);
	}
	for (int k = 0; k < v->n_school; k++) {
		int32_t d = v->school_day[k];
		date_format(d, ymd);
		if (lcg(&s) % 100 < 12)
			mode = (int)(lcg(&s) % 7) - 1; /* -1: at school */
		if (mode >= 0)
			tu_apply(p, "date=%s %s", ymd, kinds[mode]);
		if (lcg(&s) % 100 < 6)
			tu_apply(p, "date=%s period=%u %s", ymd, 1 + lcg(&s) % 8,
				 kinds[lcg(&s) % 6]);
		if (k > 10 && lcg(&s) % 100 < 5) {
			char past[DATE_STRLEN];
			date_format(v->school_day[k - 1 - (int)(lcg(&s) % 10)], past);
			tu_apply(p, "date=%s %s", past, kinds[lcg(&s) % 6]);
		}
		if (lcg(&s) % 100 < 1)
			tu_apply(p, "date=%s kind=concern", ymd);
		if (k + 6 < v->n_school && lcg(&s) % 100 < 4) {
			/* Days ahead, registered in advance, newest first. */
			const char *kind = kinds[lcg(&s) % 6];
			for (int j = 1 + (int)(lcg(&s) % 5); j >= 1; j--) {
				char ahead[DATE_STRLEN];
				date_format(v->school_day[k + j], ahead);
				tu_apply(p, "date=%s %s", ahead, kind);
			}
		}
		if (force)
			p->st.touched = true;
		rules_sweep(&p->env, &p->st, p->student, d, &p->out);
	}
}

static void test_sweep_skipping_is_exact(void **state)
{
	(void)state;
	size_t total = 0;
	for (uint32_t seed = 1; seed <= 24; seed++) {
		struct tu_pupil a, b;
		tu_pupil_init(&a, NULL, NULL);
		tu_pupil_init(&b, NULL, NULL);
		/* Thresholds that differ per seed, the same for both. */
		a.rc.first_month.days = b.rc.first_month.days = 5 + (int)(seed % 4) * 5;
		a.rc.attendance_tier.min_enrolled_days = b.rc.attendance_tier.min_enrolled_days =
			15 + (int)(seed % 5) * 5;
		a.rc.attendance_tier.persist_days = b.rc.attendance_tier.persist_days =
			seed % 3 == 0 ? 10 : 1 + (int)(seed % 13);
		a.rc.leerplicht_16u.min_gap_days = b.rc.leerplicht_16u.min_gap_days =
			7 + (int)(seed % 3) * 7;
		random_year(&a, seed, false);
		random_year(&b, seed, true);
		if (a.out.n != b.out.n) {
			fprintf(stderr, "seed %u: %zu signals, %zu with full sweeps\n", seed,
				a.out.n, b.out.n);
			tu_dump(&a);
			fprintf(stderr, "full sweeps:\n");
			tu_dump(&b);
			fail();
		}
		for (size_t i = 0; i < a.out.n; i++) {
			const struct signal *x = &a.out.v[i], *y = &b.out.v[i];
			assert_int_equal(x->rule, y->rule);
			assert_int_equal(x->level, y->level);
			assert_int_equal(x->date, y->date);
			assert_int_equal(x->period_key, y->period_key);
			assert_int_equal(x->nfacts, y->nfacts);
			for (int f = 0; f < x->nfacts; f++)
				assert_int_equal(x->facts[f].value, y->facts[f].value);
		}
		total += a.out.n;
		tu_pupil_free(&a);
		tu_pupil_free(&b);
	}
	/* The scripts do exercise the rules. */
	assert_true(total > 100);
}

/* ---- RULES.md "Settled readings" at rule level ---- */

static void test_nothing_before_enrolment_raises(void **state)
{
	(void)state;
	/* Enrolled Tue Sep 1: unauthorised days, a luxe day, a concern and an
	 * unenrol without destination, all dated before it, raise nothing in
	 * any rule, at their registrations or in the sweeps. */
	struct tu_pupil p;
	tu_pupil_init(&p, NULL, NULL);
	tu_apply(&p, "date=2026-09-01 kind=enrol");
	tu_live(&p, "2026-08-17", "2026-08-27", UNAUTH);
	tu_apply(&p, "date=2026-08-28 kind=concern");
	tu_live(&p, "2026-08-28", "2026-08-31", UNAUTH " reason=luxe");
	tu_apply(&p, "date=2026-08-31 kind=unenrol");
	TU_EXPECT_NONE(&p, 0);
	/* the same on Sep 1 is the pupil's */
	tu_apply(&p, "date=2026-09-01 kind=concern");
	TU_EXPECT(&p, 0, {RULE_MAZL, MAZL_CONCERN, "2026-09-01", NULL});
	tu_pupil_free(&p);
}

static void test_more_than_half_compares_uncapped_minutes(void **state)
{
	(void)state;
	/* Each day 200 sick and 400 authorised-absent minutes: 600 missed, an
	 * absent day (f = 1), but sick minutes are not more than half of 600
	 * (they would be of the capped 360): no sick day, no mazl duration.
	 * With 400 sick and 200 authorised each day: a sick day. */
	struct tu_pupil a;
	setup_only(&a, "a", RULE_MAZL);
	tu_apply_days(&a, "2026-08-17", "2026-08-25", AUTH " period=2 minutes=400");
	tu_live(&a, "2026-08-17", "2026-08-25", SICK " period=1 minutes=200");
	TU_EXPECT_NONE(&a, 0);
	tu_pupil_free(&a);

	struct tu_pupil b;
	setup_only(&b, "b", RULE_MAZL);
	tu_apply_days(&b, "2026-08-17", "2026-08-25", AUTH " period=2 minutes=200");
	tu_live(&b, "2026-08-17", "2026-08-25", SICK " period=1 minutes=400");
	TU_EXPECT(&b, 0, {RULE_MAZL, MAZL_DURATION, "2026-08-25", "2026-08-17"});
	tu_pupil_free(&b);

	/* Unauthorised days likewise: 200 unauthorised + 400 sick is no
	 * unauthorised day, so no lrv run. */
	struct tu_pupil c;
	setup_only(&c, "c", RULE_LRV);
	tu_apply_days(&c, "2026-08-17", "2026-09-14", SICK " period=2 minutes=400");
	tu_live(&c, "2026-08-17", "2026-09-14", UNAUTH " period=1 minutes=200");
	TU_EXPECT_NONE(&c, 0);
	tu_pupil_free(&c);
}

static void test_a_non_school_day_evaluates_concern_and_absolute_only(void **state)
{
	(void)state;
	/* Mon-Fri Aug 17-21 unauthorised, registered newest first and never
	 * swept: no evaluation has seen 1800 minutes yet. An unenrol with a
	 * destination dated Sat Aug 22 raises nothing (no leerplicht_16u, no
	 * first_month); one without a destination raises absolute only. */
	struct tu_pupil p;
	tu_pupil_init(&p, NULL, NULL);
	tu_apply_days_rev(&p, "2026-08-17", "2026-08-21", UNAUTH);
	size_t n = p.out.n;
	tu_apply(&p, "date=2026-08-22 kind=unenrol destination=02BC");
	assert_int_equal(p.out.n, n);
	tu_apply(&p, "date=2026-08-22 kind=unenrol");
	assert_int_equal(p.out.n, n + 1);
	assert_int_equal(tu_signal(&p, n)->rule, RULE_ABSOLUTE);
	tu_pupil_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_last_writer_wins_by_instant),
		cmocka_unit_test(test_equal_instants_the_later_applied_wins),
		cmocka_unit_test(test_duplicates_change_no_state),
		cmocka_unit_test(test_every_registration_triggers_an_evaluation),
		cmocka_unit_test(test_evaluation_ignores_days_after_its_date),
		cmocka_unit_test(test_present_retracts_its_own_key_only),
		cmocka_unit_test(test_registrations_before_enrolment_count_for_nothing),
		cmocka_unit_test(test_the_latest_enrol_applied_sets_the_date),
		cmocka_unit_test(test_a_signal_once_raised_stands),
		cmocka_unit_test(test_signal_ids_are_deterministic),
		cmocka_unit_test(test_same_input_same_output),
		cmocka_unit_test(test_all_rules_on_a_sick_pupil),
		cmocka_unit_test(test_all_rules_on_a_truant),
		cmocka_unit_test(test_sweep_days_and_idle_pupils),
		cmocka_unit_test(test_sweep_leaves_registration_rules_alone),
		cmocka_unit_test(test_no_day_data_from_concern_enrol_unenrol),
		cmocka_unit_test(test_configured_day_and_hour_minutes),
		cmocka_unit_test(test_many_registrations),
		cmocka_unit_test(test_sweep_sees_days_registered_in_advance),
		cmocka_unit_test(test_sweep_skipping_is_exact),
		cmocka_unit_test(test_nothing_before_enrolment_raises),
		cmocka_unit_test(test_more_than_half_compares_uncapped_minutes),
		cmocka_unit_test(test_a_non_school_day_evaluates_concern_and_absolute_only),
		cmocka_unit_test_setup_teardown(test_sweep_after_a_school_closed_day_leerplicht,
						setup_01ab, teardown_pupil),
		cmocka_unit_test_setup_teardown(test_sweep_after_a_school_closed_day_attendance,
						setup_01ab, teardown_pupil),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
