/*
 * args: see args.h.
 */
#include "args.h"

#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int cli_int_arg(FILE *err, const char *cmd, const char *opt, const char *text, long min, long max,
		int *out)
{
	char *end = NULL;
	errno = 0;
	long v = text && *text ? strtol(text, &end, 10) : 0;
	if (!text || !*text || *end || errno || v < min || v > max) {
		if (err)
			fprintf(err, "vroegsignaal %s: %s: expected a whole number from %ld to %ld, not '%s'\n",
				cmd, opt, min, max, text ? text : "");
		return -1;
	}
	*out = (int)v;
	return 0;
}

int cli_choice_arg(FILE *err, const char *cmd, const char *opt, const char *text,
		   const char *const *choices)
{
	for (const char *const *c = choices; *c; c++)
		if (text && strcmp(text, *c) == 0)
			return 0;
	if (err) {
		fprintf(err, "vroegsignaal %s: %s: '%s' is not one of ", cmd, opt, text ? text : "");
		for (const char *const *c = choices; *c; c++)
			fprintf(err, "%s%s", c == choices ? "" : ", ", *c);
		fputc('\n', err);
	}
	return -1;
}

int cli_usage_error(FILE *err, const char *cmd, const char *fmt, ...)
{
	fprintf(err, "vroegsignaal %s: ", cmd);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(err, fmt, ap);
	va_end(ap);
	fprintf(err, "\n'vroegsignaal %s --help' describes the command.\n", cmd);
	return EXIT_USAGE;
}
