/*
 * test_date: civil dates as day numbers, the strict date and RFC 3339
 * parsers, and age in years.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
	static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Fixed points checked against an independent implementation (Python's
 * datetime.date). */
static void test_civil_anchors(void **state)
{
	(void)state;
	assert_int_equal(date_from_civil(1970, 1, 1), 0);
	assert_int_equal(date_from_civil(1969, 12, 31), -1);
	assert_int_equal(date_from_civil(2000, 3, 1), 11017);
	assert_int_equal(date_from_civil(1900, 1, 1), -25567);
	assert_int_equal(date_from_civil(1600, 1, 1), -135140);
	assert_int_equal(date_from_civil(2026, 8, 17), 20682);
	assert_int_equal(date_from_civil(2026, 9, 1), 20697);
	assert_int_equal(date_from_civil(2027, 7, 9), 21008);
	assert_int_equal(date_from_civil(2199, 12, 31), 84005);
}

/* Walks every day from 1 Jan 1600 to 31 Dec 2400 with an independent
 * calendar and checks both conversions and the weekday at each step. */
static void test_civil_round_trip_wide_range(void **state)
{
	(void)state;
	int y = 1600, m = 1, d = 1;
	int32_t days = date_from_civil(y, m, d);
	int weekday = date_weekday(days);
	assert_int_equal(weekday, 5); /* 1 Jan 1600 was a Saturday */
	long count = 0;
	while (y <= 2400) {
		assert_int_equal(date_from_civil(y, m, d), days);
		int yy, mm, dd;
		date_to_civil(days, &yy, &mm, &dd);
		if (yy != y || mm != m || dd != d)
			fail_msg("day %d: got %04d-%02d-%02d, expected %04d-%02d-%02d", days, yy,
				 mm, dd, y, m, d);
		if (date_weekday(days) != weekday)
			fail_msg("day %d: weekday %d, expected %d", days, date_weekday(days),
				 weekday);
		/* next day */
		days++;
		weekday = (weekday + 1) % 7;
		count++;
		if (++d > month_days(y, m)) {
			d = 1;
			if (++m > 12) {
				m = 1;
				y++;
			}
		}
	}
	/* 801 years: 801 * 365 + 195 leap days (201 multiples of 4, minus
	 * 1700, 1800, 1900, 2100, 2200 and 2300) */
	assert_int_equal(count, 801L * 365 + 195);
	assert_int_equal(days, date_from_civil(2401, 1, 1));
}

static void test_weekdays(void **state)
{
	(void)state;
	assert_int_equal(date_weekday(0), 3);                        /* Thu 1970-01-01 */
	assert_int_equal(date_weekday(-1), 2);                       /* Wed 1969-12-31 */
	assert_int_equal(date_weekday(-7), 3);
	assert_int_equal(date_weekday(-8), 2);
	assert_int_equal(date_weekday(date_from_civil(2026, 8, 17)), 0); /* Monday */
	assert_int_equal(date_weekday(date_from_civil(2026, 8, 22)), 5); /* Saturday */
	assert_int_equal(date_weekday(date_from_civil(2026, 8, 23)), 6); /* Sunday */
	assert_int_equal(date_weekday(date_from_civil(2027, 7, 9)), 4);  /* Friday */
	assert_int_equal(date_weekday(date_from_civil(2000, 2, 29)), 1); /* Tuesday */
	assert_int_equal(date_weekday(date_from_civil(1900, 1, 1)), 0);  /* Monday */
	assert_int_equal(date_week_monday(date_from_civil(2026, 8, 23)),
			 date_from_civil(2026, 8, 17));
	assert_int_equal(date_week_monday(date_from_civil(2026, 8, 17)),
			 date_from_civil(2026, 8, 17));
	assert_int_equal(date_week_monday(date_from_civil(2027, 1, 1)),
			 date_from_civil(2026, 12, 28));
}

static void test_leap_years(void **state)
{
	(void)state;
	int32_t d;
	assert_int_equal(date_parse("2000-02-29", &d), 0);
	assert_int_equal(d, date_from_civil(2000, 2, 29));
	assert_int_equal(date_parse("2024-02-29", &d), 0);
	assert_int_equal(date_parse("2028-02-29", &d), 0);
	assert_int_equal(date_parse("1900-02-29", &d), -1);
	assert_int_equal(date_parse("2100-02-29", &d), -1);
	assert_int_equal(date_parse("2026-02-29", &d), -1);
	assert_int_equal(date_parse("2027-02-29", &d), -1);
	/* the day after 28 Feb */
	assert_int_equal(date_from_civil(2026, 3, 1) - date_from_civil(2026, 2, 28), 1);
	assert_int_equal(date_from_civil(2028, 3, 1) - date_from_civil(2028, 2, 28), 2);
	assert_int_equal(date_from_civil(2100, 3, 1) - date_from_civil(2100, 2, 28), 1);
	assert_int_equal(date_from_civil(2000, 3, 1) - date_from_civil(2000, 2, 28), 2);
	/* year lengths */
	assert_int_equal(date_from_civil(2025, 1, 1) - date_from_civil(2024, 1, 1), 366);
	assert_int_equal(date_from_civil(2027, 1, 1) - date_from_civil(2026, 1, 1), 365);
	assert_int_equal(date_from_civil(1901, 1, 1) - date_from_civil(1900, 1, 1), 365);
}

static void test_date_parse_accepts(void **state)
{
	(void)state;
	int32_t d = 0;
	assert_int_equal(date_parse("2026-08-17", &d), 0);
	assert_int_equal(d, 20682);
	assert_int_equal(date_parse("1970-01-01", &d), 0);
	assert_int_equal(d, 0);
	assert_int_equal(date_parse("1900-01-01", &d), 0);
	assert_int_equal(d, -25567);
	assert_int_equal(date_parse("2199-12-31", &d), 0);
	assert_int_equal(d, 84005);
	assert_int_equal(date_parse("2026-12-31", &d), 0);
	assert_int_equal(d, date_from_civil(2026, 12, 31));
	assert_int_equal(date_parse("2026-04-30", &d), 0);
	assert_int_equal(d, date_from_civil(2026, 4, 30));
}

static void test_date_parse_rejects(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"2026-02-29", "2026-13-01", "2026-1-01",  "2026-01-1",   "2026-00-10",
		"2026-01-00", "2026-04-31", "2026-01-32", "2026-01-01x", "2026-01-01 ",
		" 2026-01-01", "2026/01/01", "2026-01-0a", "20260101",   "",
		"1899-12-31", "2200-01-01", "+026-01-01", "2026-01-01T00:00:00Z",
		"-026-01-01", "2026--1-01", "2026-1--01",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		int32_t d = 12345;
		if (date_parse(bad[i], &d) != -1)
			fail_msg("date_parse accepted \"%s\"", bad[i]);
		assert_int_equal(d, 12345); /* untouched */
	}
}

static void test_date_format(void **state)
{
	(void)state;
	char buf[DATE_STRLEN];
	date_format(20682, buf);
	assert_string_equal(buf, "2026-08-17");
	date_format(0, buf);
	assert_string_equal(buf, "1970-01-01");
	date_format(-25567, buf);
	assert_string_equal(buf, "1900-01-01");
	date_format(date_from_civil(2000, 2, 29), buf);
	assert_string_equal(buf, "2000-02-29");
	date_format(date_from_civil(10000, 1, 1), buf);
	assert_string_equal(buf, "0000-00-00");
	/* parse(format(d)) == d over the parser's whole range */
	for (int32_t d = date_from_civil(1900, 1, 1); d <= date_from_civil(2199, 12, 31); d++) {
		int32_t back = 0;
		date_format(d, buf);
		if (date_parse(buf, &back) != 0 || back != d)
			fail_msg("round trip failed for %d (%s)", d, buf);
	}
}

/* 2026-09-01T08:15:00Z in ms */
static int64_t ms_0815(void)
{
	return (int64_t)date_from_civil(2026, 9, 1) * 86400000 + (8 * 3600 + 15 * 60) * 1000LL;
}

static void test_instant_parse_accepts(void **state)
{
	(void)state;
	int64_t t = 0;
	const int64_t base = ms_0815();
	assert_int_equal(base, 1788250500000LL);
	assert_int_equal(instant_parse("2026-09-01T08:15:00Z", &t), 0);
	assert_int_equal(t, base);
	assert_int_equal(instant_parse("2026-09-01t08:15:00z", &t), 0);
	assert_int_equal(t, base);
	assert_int_equal(instant_parse("2026-09-01 08:15:00Z", &t), 0);
	assert_int_equal(t, base);
	assert_int_equal(instant_parse("1970-01-01T00:00:00Z", &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(instant_parse("1969-12-31T23:59:59.500Z", &t), 0);
	assert_int_equal(t, -500);
	/* fractional seconds, truncated to ms */
	assert_int_equal(instant_parse("2026-09-01T08:15:00.250Z", &t), 0);
	assert_int_equal(t, base + 250);
	assert_int_equal(instant_parse("2026-09-01T08:15:00.25Z", &t), 0);
	assert_int_equal(t, base + 250);
	assert_int_equal(instant_parse("2026-09-01T08:15:00.2Z", &t), 0);
	assert_int_equal(t, base + 200);
	assert_int_equal(instant_parse("2026-09-01T08:15:00.000Z", &t), 0);
	assert_int_equal(t, base);
	assert_int_equal(instant_parse("2026-09-01T08:15:00.123456789Z", &t), 0);
	assert_int_equal(t, base + 123);
	assert_int_equal(instant_parse("2026-09-01T08:15:00.9999+00:00", &t), 0);
	assert_int_equal(t, base + 999);
	/* offsets */
	assert_int_equal(instant_parse("2026-09-01T10:15:00+02:00", &t), 0);
	assert_int_equal(t, base);
	assert_int_equal(instant_parse("2026-09-01T03:45:00-04:30", &t), 0);
	assert_int_equal(t, base);
	assert_int_equal(instant_parse("2026-09-01T08:15:00-00:00", &t), 0);
	assert_int_equal(t, base);
	assert_int_equal(instant_parse("2026-09-01T10:15:00.250+02:00", &t), 0);
	assert_int_equal(t, base + 250);
	/* an offset moving the instant across midnight and a month */
	assert_int_equal(instant_parse("2026-09-01T01:00:00+02:00", &t), 0);
	int64_t u = 0;
	assert_int_equal(instant_parse("2026-08-31T23:00:00Z", &u), 0);
	assert_int_equal(t, u);
	assert_int_equal(instant_parse("2026-08-31T20:00:00-03:00", &u), 0);
	assert_int_equal(t, u);
}

static void test_instant_equal_with_different_offsets(void **state)
{
	(void)state;
	static const char *const same[] = {
		"2026-12-31T23:30:00.125Z",      "2027-01-01T00:30:00.125+01:00",
		"2027-01-01T13:30:00.125+14:00", "2026-12-31T11:30:00.125-12:00",
		"2026-12-31 18:00:00.125-05:30", "2027-01-01T05:15:00.1259+05:45",
	};
	int64_t first = 0;
	assert_int_equal(instant_parse(same[0], &first), 0);
	for (size_t i = 1; i < sizeof same / sizeof *same; i++) {
		int64_t t = 0;
		assert_int_equal(instant_parse(same[i], &t), 0);
		if (t != first)
			fail_msg("%s gives %lld, expected %lld", same[i], (long long)t,
				 (long long)first);
	}
	/* one millisecond apart is not equal, and orders correctly */
	int64_t a = 0, b = 0;
	assert_int_equal(instant_parse("2026-09-01T10:15:00.001+02:00", &a), 0);
	assert_int_equal(instant_parse("2026-09-01T08:15:00.000Z", &b), 0);
	assert_int_equal(a - b, 1);
	/* later wall time, earlier instant */
	assert_int_equal(instant_parse("2026-09-01T09:00:00+02:00", &a), 0);
	assert_int_equal(instant_parse("2026-09-01T08:00:00Z", &b), 0);
	assert_true(a < b);
}

static void test_instant_parse_rejects(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"2026-09-01T08:15:00",        /* no offset */
		"2026-09-01T08:15:00.250",    /* no offset */
		"2026-09-01T08:15Z",          /* no seconds */
		"2026-09-01",                 /* a date */
		"",
		"2026-09-01T24:00:00Z",
		"2026-09-01T08:60:00Z",
		"2026-09-01T08:15:61Z",
		"2026-09-01T8:15:00Z+",
		"2026-09-01T08:15:00.Z",
		"2026-09-01T08:15:00+0200",
		"2026-09-01T08:15:00+02:00x",
		"2026-09-01T08:15:00Zjunk",
		"2026-09-01T08:15:00+24:00",
		"2026-09-01T08:15:00+02:60",
		"2026-09-01X08:15:00Z",
		"2026-09-01T08-15-00Z",
		"2026-02-29T08:15:00Z",
		"2026-13-01T08:15:00Z",
		"2026-09-01T08:15:00 Z",
		"2026-09-01T08:15:00UTC",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		int64_t t = 777;
		if (instant_parse(bad[i], &t) != -1)
			fail_msg("instant_parse accepted \"%s\"", bad[i]);
		assert_int_equal(t, 777);
	}
}

/* Copies s so that its terminating NUL is the last byte before an
 * inaccessible page: any read past the end of the string faults, in a plain
 * run as under valgrind or ASan. *map receives the mapping to release. */
static char *guarded_copy(const char *s, void **map, size_t *map_len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t n = strlen(s) + 1;
	assert_true(n <= page);
	char *base = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	assert_true(base != MAP_FAILED);
	assert_int_equal(mprotect(base + page, page, PROT_NONE), 0);
	char *copy = base + page - n;
	memcpy(copy, s, n);
	*map = base;
	*map_len = 2 * page;
	return copy;
}

/* A truncated offset at the very end of the text must be rejected without
 * reading past the terminating NUL (instant_parse reads the offset's minutes
 * at p+4 before checking p[3]). */
static void test_instant_parse_truncated_offset_stays_in_bounds(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"2026-09-01T08:15:00+02:0", "2026-09-01T08:15:00+02:",
		"2026-09-01T08:15:00+02",   "2026-09-01T08:15:00+0",
		"2026-09-01T08:15:00+",     "2026-09-01T08:15:00-",
		"2026-09-01T08:15:00.5",    "2026-09-01T08:15:00.",
		"2026-09-01T08:15:00.25+",  "2026-09-01T08:15:00.25-01",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		void *map;
		size_t map_len;
		char *s = guarded_copy(bad[i], &map, &map_len);
		int64_t t = 777;
		int rc = instant_parse(s, &t);
		munmap(map, map_len);
		if (rc != -1)
			fail_msg("instant_parse accepted \"%s\"", bad[i]);
		assert_int_equal(t, 777);
	}
	/* complete texts at the very end are fine */
	void *map;
	size_t map_len;
	int64_t t = 0;
	char *s = guarded_copy("2026-09-01T10:15:00+02:00", &map, &map_len);
	assert_int_equal(instant_parse(s, &t), 0);
	munmap(map, map_len);
	assert_int_equal(t, 1788250500000LL);
	s = guarded_copy("2026-09-01T08:15:00.1Z", &map, &map_len);
	assert_int_equal(instant_parse(s, &t), 0);
	munmap(map, map_len);
	assert_int_equal(t, 1788250500100LL);
}

static void test_age_years(void **state)
{
	(void)state;
	int32_t b = tu_date("2010-09-01");
	assert_int_equal(date_age_years(b, tu_date("2026-08-31")), 15);
	assert_int_equal(date_age_years(b, tu_date("2026-09-01")), 16);
	assert_int_equal(date_age_years(b, tu_date("2010-09-01")), 0);
	assert_int_equal(date_age_years(b, tu_date("2011-08-31")), 0);
	assert_int_equal(date_age_years(b, tu_date("2011-09-01")), 1);
	/* end of year / start of year */
	b = tu_date("2008-12-31");
	assert_int_equal(date_age_years(b, tu_date("2026-12-30")), 17);
	assert_int_equal(date_age_years(b, tu_date("2026-12-31")), 18);
	assert_int_equal(date_age_years(b, tu_date("2027-01-01")), 18);
	b = tu_date("2009-01-01");
	assert_int_equal(date_age_years(b, tu_date("2026-12-31")), 17);
	assert_int_equal(date_age_years(b, tu_date("2027-01-01")), 18);
}

static void test_age_years_29_february(void **state)
{
	(void)state;
	int32_t b = tu_date("2008-02-29");
	assert_int_equal(date_age_years(b, tu_date("2008-02-29")), 0);
	assert_int_equal(date_age_years(b, tu_date("2009-02-28")), 0);
	assert_int_equal(date_age_years(b, tu_date("2009-03-01")), 1);
	/* 18th birthday in a common year counts on 1 March */
	assert_int_equal(date_age_years(b, tu_date("2026-02-28")), 17);
	assert_int_equal(date_age_years(b, tu_date("2026-03-01")), 18);
	/* in a leap year on 29 February itself */
	assert_int_equal(date_age_years(b, tu_date("2028-02-28")), 19);
	assert_int_equal(date_age_years(b, tu_date("2028-02-29")), 20);
	assert_int_equal(date_age_years(b, tu_date("2028-03-01")), 20);
	/* someone born on 1 March is never affected */
	b = tu_date("2008-03-01");
	assert_int_equal(date_age_years(b, tu_date("2026-02-28")), 17);
	assert_int_equal(date_age_years(b, tu_date("2026-03-01")), 18);
	b = tu_date("2008-02-28");
	assert_int_equal(date_age_years(b, tu_date("2026-02-28")), 18);
	assert_int_equal(date_age_years(b, tu_date("2028-02-27")), 19);
	assert_int_equal(date_age_years(b, tu_date("2028-02-28")), 20);
}

/* Compulsory school age starts on the first day of the month after the 5th
 * birthday. */
static void assert_month_after(const char *birth, int years, const char *want)
{
	int32_t got = date_month_after_birthday(tu_date(birth), years);
	char buf[DATE_STRLEN];
	date_format(got, buf);
	assert_string_equal(buf, want);
}

static void test_month_after_birthday(void **state)
{
	(void)state;
	assert_month_after("2021-09-10", 5, "2026-10-01");
	/* a birthday on the first of a month: the month after, not that month */
	assert_month_after("2021-09-01", 5, "2026-10-01");
	assert_month_after("2021-08-31", 5, "2026-09-01");
	assert_month_after("2021-09-30", 5, "2026-10-01");
	/* December: January of the next year */
	assert_month_after("2021-12-15", 5, "2027-01-01");
	assert_month_after("2021-11-30", 5, "2026-12-01");
	assert_month_after("2008-06-10", 18, "2026-07-01");
}

static void test_month_after_birthday_29_february(void **state)
{
	(void)state;
	/* born 29 Feb: the birthday in a common year is 1 March, so April */
	assert_month_after("2020-02-29", 5, "2025-04-01");
	assert_month_after("2024-02-29", 5, "2029-04-01");
	assert_month_after("2020-02-29", 7, "2027-04-01");
	/* ... but in a leap year it is 29 Feb itself: March */
	assert_month_after("2020-02-29", 4, "2024-03-01");
	assert_month_after("2096-02-29", 4, "2100-04-01"); /* 2100 is no leap year */
	assert_month_after("2000-02-29", 4, "2004-03-01");
	/* the days around it are not affected */
	assert_month_after("2020-02-28", 5, "2025-03-01");
	assert_month_after("2020-03-01", 5, "2025-04-01");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_civil_anchors),
		cmocka_unit_test(test_civil_round_trip_wide_range),
		cmocka_unit_test(test_weekdays),
		cmocka_unit_test(test_leap_years),
		cmocka_unit_test(test_date_parse_accepts),
		cmocka_unit_test(test_date_parse_rejects),
		cmocka_unit_test(test_date_format),
		cmocka_unit_test(test_instant_parse_accepts),
		cmocka_unit_test(test_instant_equal_with_different_offsets),
		cmocka_unit_test(test_instant_parse_rejects),
		cmocka_unit_test(test_instant_parse_truncated_offset_stays_in_bounds),
		cmocka_unit_test(test_age_years),
		cmocka_unit_test(test_age_years_29_february),
		cmocka_unit_test(test_month_after_birthday),
		cmocka_unit_test(test_month_after_birthday_29_february),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
