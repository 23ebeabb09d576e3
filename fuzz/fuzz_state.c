/*
 * fuzz_state: the pupil state decoder (rules/state.c) on hostile records.
 *
 * Each input is decoded twice: as it is (the checksum stops almost all of
 * it), and with its last four bytes replaced by the right CRC-32, which is
 * what a record written by a bug or an attacker with write access looks
 * like. A record that decodes must re-encode to the same bytes (the format
 * is canonical) and must be safe to evaluate: the daily sweep runs on it at
 * a school day chosen by the input.
 */
#include "config.h"
#include "fuzzconfig.h"
#include "rules.h"
#include "state.h"
#include "util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct vs_config *cfg;

static void check(const uint8_t *buf, size_t len)
{
	struct pupil_state st;
	const char *why = NULL;
	if (pupil_state_decode(buf, len, &st, &why) != 0) {
		if (!why || st.nregs || st.nmarks)
			abort();
		pupil_state_free(&st);
		return;
	}
	size_t n = pupil_state_encoded_size(&st);
	uint8_t *again = malloc(n);
	/* an older record (versions 1 and 2) decodes into the current form and
	 * is written back as the current version (docs/state-format.md): only a
	 * current one must give the same bytes; the older one's rewrite must
	 * decode to the same state and then be stable */
	bool current = len > 2 && buf[2] == STATE_FORMAT_VERSION;
	if (pupil_state_encode(&st, again) != n ||
	    (current && (n != len || memcmp(again, buf, len) != 0))) {
		fprintf(stderr, "fuzz_state: decode(b) does not encode back to b\n");
		abort();
	}
	if (!current) {
		struct pupil_state st2;
		const char *why2 = NULL;
		size_t n2 = pupil_state_encoded_size(&st);
		uint8_t *third = malloc(n2);
		if (pupil_state_decode(again, n, &st2, &why2) != 0 ||
		    pupil_state_encode(&st2, third) != n || memcmp(third, again, n) != 0) {
			fprintf(stderr, "fuzz_state: an older record's rewrite does not round-trip\n");
			abort();
		}
		free(third);
		pupil_state_free(&st2);
	}
	free(again);
	const struct cal_view *v = school_years_view(cfg->years, 0, st.school);
	if (st.base == v->first_day && v->n_school > 0) {
		struct rules_env env = {&cfg->rules, cfg->years};
		struct signal_list out = {0};
		uint32_t pick = crc32_ieee(buf, len);
		rules_sweep(&env, &st, "fuzz", v->school_day[pick % (uint32_t)v->n_school], &out);
		rules_sweep(&env, &st, "fuzz", v->school_day[v->n_school - 1], &out);
		signal_list_free(&out);
	}
	pupil_state_free(&st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cfg = fuzz_load_config("fuzz_state");
	uint8_t *buf = malloc(size ? size : 1);
	memcpy(buf, data, size);
	check(buf, size);
	if (size >= 4) {
		uint32_t crc = crc32_ieee(buf, size - 4);
		for (int i = 0; i < 4; i++)
			buf[size - 4 + (size_t)i] = (uint8_t)(crc >> (8 * i));
		check(buf, size);
	}
	free(buf);
	return 0;
}
