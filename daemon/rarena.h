/*
 * rarena: hiredis reply objects of one connection, built in reusable memory.
 *
 * hiredis 0.14 builds every reply as a tree of separately malloc'ed objects
 * (an object and a string buffer per string): a read of 6,000 registrations
 * is about 250,000 mallocs and as many frees, a quarter of the daemon's CPU
 * at full intake (bench/README.md, "Issue 15"). An arena attached to a
 * reader builds the objects instead in chunks of memory that are kept and
 * reused: each object is a bump of a pointer, and freeing a reply resets the
 * arena in one step.
 *
 * A reader parses one reply at a time, and hiredis frees each reply once its
 * callback has returned, before it parses the next, so at most one reply
 * lives in the arena at a time. Whoever reads a reply's objects must
 * therefore not keep them past the callback (copy it, as rwait_reply_copy
 * does), and must never pass them to freeReplyObject.
 *
 * Lifetime: rarena_attach when the connection is up (hiredis's connect
 * callback), rarena_detach in its disconnect callback. The reader frees a
 * half-parsed reply only after that callback, so the arena stays until its
 * last reply is freed, then frees itself.
 */
#ifndef VS_RARENA_H
#define VS_RARENA_H

#include <stddef.h>

#include <hiredis/read.h>

/* Makes the reader build its replies in a new arena. Returns -1 when the
 * reader has or had one (nothing changes), 0 otherwise. */
int rarena_attach(redisReader *r);

/* The reader's arena goes when its last reply has been freed: now, or when
 * the reader frees the reply it is parsing. No-op without an arena. */
void rarena_detach(redisReader *r);

/* Bytes the reader's arena holds now (0 without an arena), for tests. */
size_t rarena_held(const redisReader *r);

#endif
