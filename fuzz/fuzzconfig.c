/*
 * fuzzconfig: see fuzzconfig.h.
 */
#include "fuzzconfig.h"

#include <stdio.h>
#include <stdlib.h>

static struct vs_config cfg;

const struct vs_config *fuzz_load_config(const char *target)
{
	if (cfg.years)
		return &cfg;
	char *errors = NULL;
	if (config_load(VS_SOURCE_DIR "/config/vroegsignaal.json", &cfg, &errors) != 0) {
		fprintf(stderr, "%s: %s\n", target, errors ? errors : "no configuration");
		abort();
	}
	return &cfg;
}
