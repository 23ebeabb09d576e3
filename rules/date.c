/*
 * date: conversions between civil dates and day numbers (the days-from-civil
 * construction over 400-year eras), strict parsers for the two text forms
 * the event stream uses, and age in years.
 */
#include "date.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Both conversions compute in int64_t: for any int input the intermediate
 * values stay far below 2^63, so no input overflows. */
int32_t date_from_civil(int y, int m, int d)
{
	int64_t yy = (int64_t)y - (m <= 2);
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * ((int64_t)m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	int64_t days = era * 146097 + doe - 719468;
	if (days <= INT32_MIN || days > INT32_MAX)
		return DATE_NONE;
	return (int32_t)days;
}

void date_to_civil(int32_t days, int *y, int *m, int *d)
{
	int64_t z = (int64_t)days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

int date_weekday(int32_t days)
{
	/* 1970-01-01 was a Thursday (3 when Monday is 0). */
	int w = (int)((days % 7 + 7 + 3) % 7);
	return w;
}

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Reads exactly n decimal digits at s. Returns the value or -1. */
static int read_digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Parses "YYYY-MM-DD" at the start of s without looking past it. */
static int parse_ymd(const char *s, int32_t *out)
{
	int y = read_digits(s, 4);
	if (y < 0 || s[4] != '-')
		return -1;
	int m = read_digits(s + 5, 2);
	if (m < 1 || m > 12 || s[7] != '-')
		return -1;
	int d = read_digits(s + 8, 2);
	if (y < 1900 || y > 2199 || d < 1 || d > days_in_month(y, m))
		return -1;
	*out = date_from_civil(y, m, d);
	return 0;
}

int date_parse(const char *s, int32_t *out)
{
	if (strlen(s) != 10)
		return -1;
	return parse_ymd(s, out);
}

void date_format(int32_t days, char *buf)
{
	int y, m, d;
	date_to_civil(days, &y, &m, &d);
	if (y < 0 || y > 9999) {
		memcpy(buf, "0000-00-00", DATE_STRLEN);
		return;
	}
	const int parts[3] = {y, m, d};
	const int widths[3] = {4, 2, 2};
	char *p = buf;
	for (int i = 0; i < 3; i++) {
		for (int k = widths[i] - 1, v = parts[i]; k >= 0; k--, v /= 10)
			p[k] = (char)('0' + v % 10);
		p += widths[i];
		*p++ = i < 2 ? '-' : '\0';
	}
}

int instant_parse(const char *s, int64_t *out_ms)
{
	int32_t day;
	size_t len = strlen(s);
	if (len < 20 || parse_ymd(s, &day) != 0)
		return -1;
	if (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
		return -1;
	int hh = read_digits(s + 11, 2), mi = read_digits(s + 14, 2), ss = read_digits(s + 17, 2);
	if (hh < 0 || hh > 23 || s[13] != ':' || mi < 0 || mi > 59 || s[16] != ':' || ss < 0 ||
	    ss > 60)
		return -1;
	const char *p = s + 19;
	int ms = 0;
	if (*p == '.') {
		p++;
		int digits = 0;
		while (*p >= '0' && *p <= '9') {
			if (digits < 3)
				ms = ms * 10 + (*p - '0');
			digits++;
			p++;
		}
		if (digits == 0)
			return -1;
		for (int i = digits; i < 3; i++)
			ms *= 10;
	}
	int offset_min = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh = read_digits(p + 1, 2);
		if (oh < 0 || oh > 23 || p[3] != ':')
			return -1;
		int om = read_digits(p + 4, 2);
		if (om < 0 || om > 59)
			return -1;
		offset_min = (oh * 60 + om) * (*p == '-' ? -1 : 1);
		p += 6;
	} else {
		return -1;
	}
	if (*p != '\0')
		return -1;
	int64_t secs = (int64_t)day * 86400 + hh * 3600 + mi * 60 + ss - (int64_t)offset_min * 60;
	*out_ms = secs * 1000 + ms;
	return 0;
}

int date_age_years(int32_t birth, int32_t on)
{
	if (!date_valid(birth) || !date_valid(on))
		return -1;
	int by, bm, bd, y, m, d;
	date_to_civil(birth, &by, &bm, &bd);
	date_to_civil(on, &y, &m, &d);
	int age = y - by;
	if (m < bm || (m == bm && d < bd))
		age--;
	return age;
}

int32_t date_month_after_birthday(int32_t birth, int years)
{
	int by, bm, bd;
	date_to_civil(birth, &by, &bm, &bd);
	int y = by + years, m = bm;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (bm == 2 && bd == 29 && !leap)
		m = 3; /* the birthday falls on 1 March */
	return m == 12 ? date_from_civil(y + 1, 1, 1) : date_from_civil(y, m + 1, 1);
}
