/*
 * confcheck: what makes a loadable configuration break a region, for
 * `vroegsignaal check-config` and `vroegsignaald --check`.
 *
 * Beyond the loader's own validation: no partners, route roles that no
 * partner serves for a school named anywhere in the configuration (the
 * "schools" section, the calendars' "schools", the partners' literal
 * codes), health rules routed to leerplicht or rmc (partners_check), and,
 * for a named service user, every file the daemon reads (the
 * configuration, its calendars and every "..._file" value) that this user
 * cannot read.
 */
#ifndef VS_CONFCHECK_H
#define VS_CONFCHECK_H

#include "dconfig.h"

/* Runs every check on cfg, loaded from path. as_user: a user name whose
 * read access to the files is checked (NULL: not checked). Appends one
 * line per problem to *out (NULL when none). Returns the number of
 * problems, or -1 when as_user cannot be checked (a message in *out). */
int confcheck_run(const char *path, const struct vsd_config *cfg, const char *as_user, char **out);

/* Whether the user name can read path (opening it with that user's uid,
 * gid and groups; this needs root unless the caller is that user).
 * Returns 1 readable, 0 not (errno set), -1 cannot tell (message in why). */
int confcheck_readable_as(const char *path, const char *user, char *why, size_t cap);

/* The files the daemon reads: path itself, the calendars and every string
 * under a key ending in "_file" (relative calendar names resolve against
 * the configuration's directory, like the loader does). Appends to *files
 * (a NULL-terminated array of new strings). Returns the count. */
int confcheck_files(const char *path, char ***files);

/* The school codes the calendars name (their "schools" objects). */
int confcheck_calendar_schools(const char *path, char ***schools);

void confcheck_strv_free(char **v);

#endif
