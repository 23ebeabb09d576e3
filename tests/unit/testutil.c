/*
 * testutil: see testutil.h.
 */
#include "testutil.h"

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

int32_t tu_date(const char *ymd)
{
	int32_t d = 0;
	assert_int_equal(date_parse(ymd, &d), 0);
	return d;
}

int tu_parse(const struct calendar *cal, const char *spec, struct registration *out,
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

struct registration tu_reg(const struct calendar *cal, const char *spec)
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
