/*
 * cmdargs: a growable argument vector for a Redis command, owning copies of
 * its arguments (binary-safe), so a command can be built up over several
 * steps and sent with redisAsyncCommandArgv.
 */
#ifndef VS_CMDARGS_H
#define VS_CMDARGS_H

#include <stddef.h>

struct cmdargs {
	char **argv;
	size_t *lens;
	int n, cap;
};

void cmdargs_init(struct cmdargs *a);
void cmdargs_free(struct cmdargs *a);
void cmdargs_clear(struct cmdargs *a);
void cmdargs_add(struct cmdargs *a, const void *data, size_t len);
void cmdargs_adds(struct cmdargs *a, const char *s);
void cmdargs_addf(struct cmdargs *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends all of src's arguments (copies). */
void cmdargs_append(struct cmdargs *a, const struct cmdargs *src);

#endif
