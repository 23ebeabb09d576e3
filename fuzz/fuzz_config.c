/*
 * fuzz_config: loading a configuration document (rules/config.c over
 * rules/jsonconf.c, with the calendar inline or as a file name relative to
 * config/) and the partners' sections of it (connectors/partners.c).
 * Every error message must be a line a person can act on: the loader may
 * reject anything, but never crash, leak or read past the text.
 *
 * Input: the document's text (a NUL ends it early).
 */
#include "config.h"
#include "jsonconf.h"
#include "partners.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	struct vs_config cfg;
	char *errors = NULL;
	if (config_load_text("fuzz.json", text, VS_SOURCE_DIR "/config", &cfg, &errors) != 0 &&
	    (!errors || !*errors))
		abort(); /* a rejection always says why */
	config_free(&cfg); /* after a failure too (config.h) */
	free(errors);

	struct jconf jc;
	if (jconf_open_text(&jc, "fuzz.json", text) == 0) {
		struct partners_config *pc = partners_load(&jc);
		if (pc)
			partners_unref(pc);
	}
	jconf_free(&jc);
	free(text);
	return 0;
}
