/*
 * fuzzconfig: the shipped configuration (config/vroegsignaal.json) for the
 * fuzz targets that evaluate rules (fuzz_event.c, fuzz_state.c).
 */
#ifndef VS_FUZZCONFIG_H
#define VS_FUZZCONFIG_H

#include "config.h"

/* Loads the configuration on the first call and returns it (the same one
 * for the rest of the process); aborts with target's name in the message
 * when it does not load. */
const struct vs_config *fuzz_load_config(const char *target);

#endif
