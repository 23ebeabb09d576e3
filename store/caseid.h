/*
 * caseid: the id of the case an assignment opens, derived as ACCEPT
 * derives it (store/lua/accept.lua, derived_id in store/lua/derived.lua):
 * "vs" and the first 16 hex digits of SHA-1("case|<task id>|<partner>").
 * The task id is already a keyed hash (no pupil key in it), so the case id
 * gives away nothing the task id does not. The dispatcher passes it to
 * ACCEPT, which checks it, so that the call needs no round to learn it.
 */
#ifndef VS_CASEID_H
#define VS_CASEID_H

#include <stdbool.h>

/* "vs" + 16 hex digits + NUL */
#define CASE_ID_MAX 19

/* The case id of (task_id, partner) in out. */
void case_new_id(const char *task_id, const char *partner, char out[CASE_ID_MAX]);

#endif
