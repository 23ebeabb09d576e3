/*
 * fuzz_calendar: loading a calendar (rules/calendar.c) from a hostile
 * document, then asking it what the rules ask: views per school, school
 * days, lesson weeks and windows at days the input picks, and closing days
 * as an operator would.
 *
 * Input: the calendar's JSON text (a NUL ends it early).
 */
#include "calendar.h"
#include "date.h"
#include "jsonconf.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void ask(const struct cal_view *v, int32_t day)
{
	(void)cal_school_days_before(v, day);
	(void)cal_school_days_between(v, v->first_day, day);
	(void)cal_school_days_between(v, day, v->last_day);
	(void)cal_prev_school_day(v, day);
	(void)cal_lesson_week(v, day);
	(void)cal_enrolled_days(v, day, v->last_day);
	(void)cal_enrolled_days(v, DATE_NONE, day);
	if (cal_is_school_day(v, day)) {
		(void)cal_ordinal(v, day);
		for (int w = 1; w <= 13; w += 3)
			(void)cal_window_first_ordinal(v, day, w);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	struct jconf jc;
	if (jconf_open_text(&jc, "fuzz.json", text) == 0) {
		struct calendar *cal = calendar_from_json(&jc, jc.root, "");
		if (cal) {
			const struct cal_view *v = calendar_view(cal, NULL);
			if (v->ndays != v->last_day - v->first_day + 1)
				abort();
			uint32_t h = crc32_ieee(data, size);
			int32_t picks[6] = {v->first_day - 1, v->first_day, v->last_day,
					    v->last_day + 1, v->first_day + (int32_t)(h % (uint32_t)v->ndays),
					    v->first_day + (int32_t)((h >> 16) % (uint32_t)v->ndays)};
			for (int i = 0; i < 6; i++)
				ask(v, picks[i]);
			(void)calendar_region(cal);
			(void)calendar_year(cal);
			calendar_close_day(cal, "01AB", picks[4]);
			calendar_close_day(cal, NULL, picks[5]);
			v = calendar_view(cal, "01AB");
			for (int i = 0; i < 6; i++)
				ask(v, picks[i]);
			calendar_free(cal);
		}
	}
	jconf_free(&jc);
	free(text);
	return 0;
}
