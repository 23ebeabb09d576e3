/*
 * cmdargs: a growable argument vector for a Redis command, owning copies of
 * its arguments (binary-safe), so a command can be built up over several
 * steps and sent with redisAsyncCommandArgv.
 */
#ifndef VS_CMDARGS_H
#define VS_CMDARGS_H

#include <stddef.h>

struct cmdargs_block;

struct cmdargs {
	char **argv;
	size_t *lens;
	int n, cap;
	/* cmdargs_init_arena: the arguments are carved from blocks kept over
	 * cmdargs_clear (no allocation per argument, none at all once the
	 * blocks fit a command); argv[i] must then not be freed or replaced */
	struct cmdargs_block *blocks;
	int use_arena;
};

void cmdargs_init(struct cmdargs *a);
void cmdargs_init_arena(struct cmdargs *a);
void cmdargs_free(struct cmdargs *a);
void cmdargs_clear(struct cmdargs *a);
void cmdargs_add(struct cmdargs *a, const void *data, size_t len);
void cmdargs_adds(struct cmdargs *a, const char *s);
void cmdargs_addf(struct cmdargs *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends an argument of len bytes and returns it to be filled in. */
void *cmdargs_add_space(struct cmdargs *a, size_t len);

/* An argument vector that points into strings owned elsewhere (sections
 * built as cmdargs, constants): a command is sent without copying them. */
struct argview {
	const char **argv;
	size_t *lens;
	int n, cap;
};

void argview_init(struct argview *v);
void argview_free(struct argview *v);
void argview_add(struct argview *v, const char *data, size_t len);
void argview_adds(struct argview *v, const char *s);
/* Points at every argument of a (which must outlive the view's use). */
void argview_add_all(struct argview *v, const struct cmdargs *a);

#endif
