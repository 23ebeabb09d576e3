/*
 * args: checking a subcommand's option values. Every invalid value gets one
 * line on stderr that names the command, the option, what was given and what
 * is expected, and the caller exits with EXIT_USAGE (2): a script calling
 * vroegsignaal can tell "you asked wrongly" from "it went wrong".
 *
 * Pure (no Redis, no globals besides stderr); unit-tested in
 * tests/unit/test_cli_args.c.
 */
#ifndef VS_CLI_ARGS_H
#define VS_CLI_ARGS_H

#include <stdio.h>

/* Parses text as a whole decimal integer within [min, max] into *out.
 * Returns 0, or -1 after "CMD: OPT: expected a whole number from MIN to MAX,
 * not 'TEXT'" on err (NULL: silent). */
int cli_int_arg(FILE *err, const char *cmd, const char *opt, const char *text, long min, long max,
		int *out);

/* Returns 0 when text is one of the NULL-terminated choices; otherwise -1
 * after "CMD: OPT: 'TEXT' is not one of A, B, C" on err (NULL: silent). */
int cli_choice_arg(FILE *err, const char *cmd, const char *opt, const char *text,
		   const char *const *choices);

/* Prints "vroegsignaal CMD: MESSAGE" and a pointer to --help on err; for a
 * missing argument or one too many. Returns EXIT_USAGE, for `return
 * cli_usage_error(...)`. */
int cli_usage_error(FILE *err, const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
