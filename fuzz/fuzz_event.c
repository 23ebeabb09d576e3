/*
 * fuzz_event: the event parser (rules/event.c) on hostile stream entries,
 * and what the daemon does next with the registrations it accepted: apply
 * them in order to one pupil state, evaluate the rules (and the daily sweep
 * at each later school day registered), and round-trip the state through
 * its binary form after each.
 *
 * Input: registrations separated by an empty line; in each, one field a
 * line, "name=value" (the first '=' splits; a line without one is a name
 * with an empty value). Values hold any byte but a newline; the parser sees
 * exact lengths, no NUL terminators.
 */
#include "config.h"
#include "fuzzconfig.h"
#include "date.h"
#include "event.h"
#include "rules.h"
#include "state.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct vs_config *cfg;

static void round_trip(const struct pupil_state *st)
{
	size_t n = pupil_state_encoded_size(st);
	uint8_t *buf = malloc(n);
	if (pupil_state_encode(st, buf) != n)
		abort();
	struct pupil_state back;
	const char *why;
	if (pupil_state_decode(buf, n, &back, &why) != 0) {
		fprintf(stderr, "fuzz_event: a state the rules built does not decode: %s\n", why);
		abort();
	}
	pupil_state_free(&back);
	free(buf);
}

/* Parses one registration's fields at [text, text + len); applies it to st
 * when valid. */
static void one(char *text, size_t len, struct pupil_state *st, int32_t *swept)
{
	struct event_field fields[MAX_FIELDS];
	size_t n = 0;
	for (size_t at = 0; at < len && n < MAX_FIELDS;) {
		char *line = text + at;
		char *nl = memchr(line, '\n', len - at);
		size_t ll = nl ? (size_t)(nl - line) : len - at;
		char *eq = memchr(line, '=', ll);
		fields[n].name = line;
		fields[n].name_len = eq ? (size_t)(eq - line) : ll;
		fields[n].value = eq ? eq + 1 : line + ll;
		fields[n].value_len = eq ? ll - (size_t)(eq - line) - 1 : 0;
		n++;
		at += ll + 1;
	}
	struct registration r;
	struct event_error err;
	if (event_parse(fields, n, NULL, &r, &err) != 0 && !event_reason_code(err.reason))
		abort();
	if (event_parse(fields, n, cfg->years, &r, &err) != 0) {
		if (err.reason == EV_OK || strlen(err.message) >= sizeof err.message)
			abort();
		return;
	}
	struct rules_env env = {&cfg->rules, cfg->years};
	struct signal_list out = {0};
	rules_apply(&env, st, &r, &out);
	/* the daemon sweeps school days in order, never one twice */
	if (r.date > *swept && school_years_is_school_day(cfg->years, st->school, r.date)) {
		rules_sweep(&env, st, r.student, r.date, &out);
		*swept = r.date;
	}
	for (size_t i = 0; i < out.n; i++)
		if (out.v[i].age < -1 || out.v[i].age > 300)
			abort();
	signal_list_free(&out);
	round_trip(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cfg = fuzz_load_config("fuzz_event");
	/* a private copy, so the parser cannot lean on bytes past the input */
	char *text = malloc(size ? size : 1);
	memcpy(text, data, size);
	struct pupil_state st;
	pupil_state_init(&st, school_years_view(cfg->years, 0, NULL)->first_day);
	int32_t swept = DATE_NONE;
	for (size_t at = 0; at < size;) {
		char *block = text + at;
		size_t len = size - at;
		char *end = NULL; /* the empty line that ends the block */
		for (char *nl = memchr(block, '\n', len); nl && !end;
		     nl = memchr(nl + 1, '\n', len - (size_t)(nl + 1 - block)))
			if ((size_t)(nl + 1 - block) < len && nl[1] == '\n')
				end = nl;
		if (end)
			len = (size_t)(end - block) + 1;
		one(block, len, &st, &swept);
		at += end ? len + 1 : len;
	}
	pupil_state_free(&st);
	free(text);
	return 0;
}
