/*
 * fuzz_event: the event parser (rules/event.c) on hostile stream entries,
 * and what the daemon does next with a registration it accepted: apply it
 * to a fresh pupil state, evaluate the rules, and round-trip the state
 * through its binary form.
 *
 * Input: one field a line, "name=value" (the first '=' splits; a line
 * without one is a name with an empty value). Values hold any byte but a
 * newline; the parser sees exact lengths, no NUL terminators.
 */
#include "config.h"
#include "event.h"
#include "rules.h"
#include "state.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vs_config cfg;

static void load_config(void)
{
	if (cfg.calendar)
		return;
	char *errors = NULL;
	if (config_load(VS_SOURCE_DIR "/config/vroegsignaal.json", &cfg, &errors) != 0) {
		fprintf(stderr, "fuzz_event: %s\n", errors ? errors : "no configuration");
		abort();
	}
}

static void after_parse(const struct registration *r)
{
	struct rules_env env = {&cfg.rules, cfg.calendar};
	const struct cal_view *v = calendar_view(cfg.calendar, r->school);
	struct pupil_state st;
	pupil_state_init(&st, v->first_day);
	struct signal_list out = {0};
	rules_apply(&env, &st, r, &out);
	if (cal_is_school_day(v, r->date))
		rules_sweep(&env, &st, r->student, r->date, &out);
	size_t n = pupil_state_encoded_size(&st);
	uint8_t *buf = malloc(n);
	if (pupil_state_encode(&st, buf) != n)
		abort();
	struct pupil_state back;
	const char *why;
	if (pupil_state_decode(buf, n, &back, &why) != 0) {
		fprintf(stderr, "fuzz_event: a state the rules built does not decode: %s\n", why);
		abort();
	}
	pupil_state_free(&back);
	free(buf);
	signal_list_free(&out);
	pupil_state_free(&st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	load_config();
	/* a private copy, so the parser cannot lean on bytes past the input */
	char *text = malloc(size ? size : 1);
	memcpy(text, data, size);
	struct event_field fields[MAX_FIELDS];
	size_t n = 0;
	for (size_t at = 0; at < size && n < MAX_FIELDS;) {
		char *line = text + at;
		char *nl = memchr(line, '\n', size - at);
		size_t len = nl ? (size_t)(nl - line) : size - at;
		char *eq = memchr(line, '=', len);
		fields[n].name = line;
		fields[n].name_len = eq ? (size_t)(eq - line) : len;
		fields[n].value = eq ? eq + 1 : line + len;
		fields[n].value_len = eq ? len - (size_t)(eq - line) - 1 : 0;
		n++;
		at += len + 1;
	}
	struct registration r;
	struct event_error err;
	if (event_parse(fields, n, NULL, &r, &err) != 0 && !event_reason_code(err.reason))
		abort();
	if (event_parse(fields, n, cfg.calendar, &r, &err) == 0)
		after_parse(&r);
	else if (err.reason == EV_OK || strlen(err.message) >= sizeof err.message)
		abort();
	free(text);
	return 0;
}
