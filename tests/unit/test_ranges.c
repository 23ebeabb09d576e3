/*
 * test_ranges: hostile or damaged data read back from Redis. Dates, instants
 * and counters at the edges of their types must neither trip undefined
 * behaviour (run under UBSan: the sanitizer build makes any overflow fatal)
 * nor be used: a state record out of range is rejected like a corrupt one,
 * and so are task instants and counters out of range.
 */
#include "testutil.h"

#include "rdecode.h"
#include "entries.h"
#include "util.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* ---- date arithmetic for any int32 input ------------------------------- */

static void test_date_range_constants(void **state)
{
	(void)state;
	assert_int_equal(DATE_MIN, date_from_civil(1900, 1, 1));
	assert_int_equal(DATE_MAX, date_from_civil(2199, 12, 31));
	assert_true(date_valid(DATE_MIN));
	assert_true(date_valid(DATE_MAX));
	assert_false(date_valid(DATE_MIN - 1));
	assert_false(date_valid(DATE_MAX + 1));
	assert_false(date_valid(DATE_NONE));
	assert_false(date_valid(INT32_MAX));
	/* every instant instant_parse can produce is valid, and no more */
	int64_t ms;
	assert_int_equal(instant_parse("1900-01-01T00:00:00+23:59", &ms), 0);
	assert_true(instant_valid(ms));
	assert_int_equal(instant_parse("2199-12-31T23:59:60.999-23:59", &ms), 0);
	assert_true(instant_valid(ms));
	assert_false(instant_valid(INSTANT_MIN_MS - 1));
	assert_false(instant_valid(INSTANT_MAX_MS + 1));
	assert_false(instant_valid(INT64_MIN));
	assert_false(instant_valid(INT64_MAX));
}

static void test_civil_extremes(void **state)
{
	(void)state;
	int y, m, d;
	/* the largest and smallest day numbers convert without overflow */
	date_to_civil(INT32_MAX, &y, &m, &d);
	assert_int_equal(y, 5881580);
	assert_int_equal(m, 7);
	assert_int_equal(d, 11);
	date_to_civil(INT32_MIN, &y, &m, &d);
	assert_int_equal(y, -5877641);
	assert_int_equal(m, 6);
	assert_int_equal(d, 23);
	assert_int_equal(date_from_civil(5881580, 7, 11), INT32_MAX);
	assert_int_equal(date_from_civil(-5877641, 6, 24), INT32_MIN + 1);
	/* results that do not fit a day number */
	assert_int_equal(date_from_civil(5881580, 7, 12), DATE_NONE);
	assert_int_equal(date_from_civil(INT_MAX, 12, 31), DATE_NONE);
	assert_int_equal(date_from_civil(INT_MIN, 1, 1), DATE_NONE);
	/* nonsense months and days: no undefined behaviour, whatever the day */
	(void)date_from_civil(2026, INT_MAX, INT_MAX);
	(void)date_from_civil(2026, INT_MIN, INT_MIN);
	/* weekdays and week keys at the ends */
	assert_in_range(date_weekday(INT32_MIN), 0, 6);
	assert_in_range(date_weekday(INT32_MAX), 0, 6);
	assert_int_equal(date_week_monday(INT32_MIN + 1), DATE_NONE);
	assert_int_equal(date_weekday(date_week_monday(INT32_MAX)), 0);
	char buf[DATE_STRLEN];
	date_format(INT32_MAX, buf);
	assert_string_equal(buf, "0000-00-00");
	date_format(INT32_MIN, buf);
	assert_string_equal(buf, "0000-00-00");
	date_format(DATE_MAX, buf);
	assert_string_equal(buf, "2199-12-31");
}

/* A birth date of 2^31-1 once gave a task "age 5879667" (and overflowed
 * on the way): an age is only computed between valid dates. */
static void test_age_out_of_range(void **state)
{
	(void)state;
	int32_t on = tu_date("2026-09-01");
	assert_int_equal(date_age_years(INT32_MAX, on), -1);
	assert_int_equal(date_age_years(INT32_MIN + 1, on), -1);
	assert_int_equal(date_age_years(tu_date("2010-09-02"), INT32_MAX), -1);
	assert_int_equal(date_age_years(DATE_MIN - 1, on), -1);
	assert_int_equal(date_age_years(DATE_MIN, DATE_MAX), 299);
	assert_int_equal(date_age_years(tu_date("2010-09-02"), on), 15);
	assert_int_equal(date_age_years(tu_date("2010-09-01"), on), 16);
}

/* ---- state records ----------------------------------------------------- */

/* Encodes st and decodes the result; returns decode's result and reason. */
static int round_trip(const struct pupil_state *st, const char **why)
{
	size_t len = pupil_state_encoded_size(st);
	uint8_t *buf = malloc(len);
	assert_non_null(buf);
	assert_int_equal(pupil_state_encode(st, buf), len);
	struct pupil_state d;
	*why = NULL;
	int rc = pupil_state_decode(buf, len, &d, why);
	pupil_state_free(&d);
	free(buf);
	return rc;
}

static void expect_state_rejected(struct pupil_state *st, const char *reason)
{
	const char *why;
	if (round_trip(st, &why) == 0)
		fail_msg("a record out of range decoded (expected \"%s\")", reason);
	assert_string_equal(why, reason);
}

static void test_state_dates_out_of_range(void **state)
{
	struct school_years *cal = *state;
	int32_t yf = school_years_view(cal, 0, NULL)->first_day;
	struct pupil_state st;
	const char *why;
	pupil_state_init(&st, yf);
	str_copy(st.school, "01AC", sizeof st.school);
	st.birth = tu_date("2010-05-01");
	st.enrol = tu_date("2026-09-01");
	struct registration r = tu_reg(cal, "student=p kind=sick date=2026-09-02");
	pupil_state_apply(&st, &r, "luxe");
	assert_int_equal(round_trip(&st, &why), 0);

	/* the checksummed birth date 2^31-1 of the finding */
	st.birth = INT32_MAX;
	expect_state_rejected(&st, "bad birth date");
	st.birth = DATE_MIN - 1;
	expect_state_rejected(&st, "bad birth date");
	st.birth = DATE_MIN;
	assert_int_equal(round_trip(&st, &why), 0);
	st.birth = DATE_NONE;
	assert_int_equal(round_trip(&st, &why), 0);

	st.enrol = DATE_MAX + 1;
	expect_state_rejected(&st, "bad enrolment date");
	st.enrol = DATE_NONE;
	assert_int_equal(round_trip(&st, &why), 0);

	int32_t keep = st.base;
	st.base = INT32_MAX - 100; /* + 366 + retention overflowed in the sweep */
	expect_state_rejected(&st, "bad base");
	st.base = DATE_NONE;
	expect_state_rejected(&st, "bad base");
	st.base = keep;

	int64_t school_key = st.school_key;
	st.school_key = INT64_MAX; /* a date far beyond the valid range */
	expect_state_rejected(&st, "bad school key");
	st.school_key = INT64_MIN + 1;
	expect_state_rejected(&st, "bad school key");
	st.school_key = INT64_MIN; /* no registration set the school yet */
	assert_int_equal(round_trip(&st, &why), 0);
	st.school_key = school_key;

	st.regs[0].recorded_ms = INT64_MIN;
	expect_state_rejected(&st, "bad registration");
	st.regs[0].recorded_ms = INSTANT_MAX_MS + 1;
	expect_state_rejected(&st, "bad registration");
	st.regs[0].recorded_ms = r.recorded_ms;
	assert_int_equal(round_trip(&st, &why), 0);
	pupil_state_free(&st);
}

/* ---- instants and counters read back from Redis ------------------------ */

static void test_format_instant_extremes(void **state)
{
	(void)state;
	char buf[40];
	format_instant(0, buf, sizeof buf);
	assert_string_equal(buf, "1970-01-01T00:00:00.000Z");
	format_instant(-1, buf, sizeof buf);
	assert_string_equal(buf, "1969-12-31T23:59:59.999Z");
	format_instant(INSTANT_MAX_MS, buf, sizeof buf);
	assert_string_equal(buf, "2200-01-01T23:59:59.999Z");
	format_instant(INSTANT_MIN_MS, buf, sizeof buf);
	assert_string_equal(buf, "1899-12-31T00:00:00.000Z");
	/* the due time INT64_MIN of the finding, and its kin */
	format_instant(INT64_MIN, buf, sizeof buf);
	assert_string_equal(buf, "0000-00-00T00:00:00.000Z");
	format_instant(INT64_MAX, buf, sizeof buf);
	assert_string_equal(buf, "0000-00-00T00:00:00.000Z");
	format_instant(INSTANT_MAX_MS + 1, buf, sizeof buf);
	assert_string_equal(buf, "0000-00-00T00:00:00.000Z");
}

static void test_decode_int64(void **state)
{
	(void)state;
	int64_t v = 7;
	assert_int_equal(rd_int64("0", 0, 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(rd_int64("-5", -10, 10, &v), 0);
	assert_int_equal(v, -5);
	assert_int_equal(rd_int64("9223372036854775807", 0, INT64_MAX, &v), 0);
	assert_int_equal(v, INT64_MAX);
	assert_int_equal(rd_int64("-9223372036854775808", INT64_MIN, 0, &v), 0);
	assert_true(v == INT64_MIN);
	v = 7;
	assert_int_equal(rd_int64("9223372036854775808", INT64_MIN, INT64_MAX, &v), -1);
	assert_int_equal(rd_int64("-9223372036854775809", INT64_MIN, INT64_MAX, &v), -1);
	assert_int_equal(rd_int64("99999999999999999999999", INT64_MIN, INT64_MAX, &v), -1);
	assert_int_equal(rd_int64("11", 0, 10, &v), -1);
	assert_int_equal(rd_int64("-1", 0, 10, &v), -1);
	assert_int_equal(rd_int64("", 0, 10, &v), -1);
	assert_int_equal(rd_int64("-", 0, 10, &v), -1);
	assert_int_equal(rd_int64(" 1", 0, 10, &v), -1);
	assert_int_equal(rd_int64("1 ", 0, 10, &v), -1);
	assert_int_equal(rd_int64("+1", 0, 10, &v), -1);
	assert_int_equal(rd_int64("1x", 0, 10, &v), -1);
	assert_int_equal(rd_int64("0x1", 0, 10, &v), -1);
	assert_int_equal(v, 7); /* untouched on failure */
}

static redisReply *reply_str(const char *s)
{
	redisReply *r = calloc(1, sizeof *r);
	assert_non_null(r);
	r->type = REDIS_REPLY_STRING;
	r->str = strdup(s);
	r->len = strlen(s);
	return r;
}

static void test_decode_instants_and_counters(void **state)
{
	(void)state;
	int64_t v = 0;
	redisReply *r = reply_str("1788000000000");
	assert_int_equal(rd_instant(r, &v), 0);
	assert_true(v == 1788000000000LL);
	freeReplyObject(r);
	r = reply_str("-9223372036854775808"); /* a due time of INT64_MIN */
	assert_int_equal(rd_instant(r, &v), -1);
	freeReplyObject(r);
	r = reply_str("7258118400001"); /* 2200-01-01 + 1 ms: past the valid range */
	assert_int_equal(rd_instant(r, &v), 0);
	freeReplyObject(r);
	r = reply_str("7258204800000");
	assert_int_equal(rd_instant(r, &v), -1);
	freeReplyObject(r);

	r = reply_str("12");
	assert_int_equal(rd_counter(r, &v), 0);
	assert_int_equal(v, 12);
	freeReplyObject(r);
	r = reply_str("9223372036854775807"); /* a huge daily counter */
	assert_int_equal(rd_counter(r, &v), -1);
	freeReplyObject(r);
	r = reply_str("-1");
	assert_int_equal(rd_counter(r, &v), -1);
	freeReplyObject(r);
	/* an integer reply (not what HGETALL gives, but well-formed) counts */
	redisReply in = {.type = REDIS_REPLY_INTEGER, .integer = 5};
	assert_int_equal(rd_counter(&in, &v), 0);
	assert_int_equal(v, 5);
	in.integer = RD_COUNTER_MAX + 1;
	assert_int_equal(rd_counter(&in, &v), -1);
	/* a nested array, a nil: not a counter, and no crash */
	redisReply nil = {.type = REDIS_REPLY_NIL};
	assert_int_equal(rd_counter(&nil, &v), -1);
	assert_int_equal(rd_instant(&nil, &v), -1);
	assert_int_equal(rd_counter(NULL, &v), -1);
	assert_null(rd_string(&nil));
	assert_null(rd_string(NULL));
	/* a bulk string with a NUL inside is not a number */
	redisReply nul = {.type = REDIS_REPLY_STRING, .str = (char *)"12\0003", .len = 4};
	assert_int_equal(rd_counter(&nul, &v), -1);
}

static int setup_cal(void **state)
{
	*state = tu_noord_years();
	return 0;
}

static int teardown_cal(void **state)
{
	school_years_free(*state);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_date_range_constants),
		cmocka_unit_test(test_civil_extremes),
		cmocka_unit_test(test_age_out_of_range),
		cmocka_unit_test_setup_teardown(test_state_dates_out_of_range, setup_cal, teardown_cal),
		cmocka_unit_test(test_format_instant_extremes),
		cmocka_unit_test(test_decode_int64),
		cmocka_unit_test(test_decode_instants_and_counters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
