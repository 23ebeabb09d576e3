/*
 * fakeconn: a fake Redis connection for the unit tests that drive the daemon
 * without a server (test_partition_fake.c, test_dispatch_fake.c). The
 * rconn_* functions are wrapped at link time (tests/CMakeLists.txt): every
 * command is recorded in calls[] and the test answers it itself; helpers
 * build the replies.
 */
#ifndef VS_FAKECONN_H
#define VS_FAKECONN_H

#include "rconn.h"
#include "replies.h"

#include <stddef.h>

#define MAX_CALLS 16
#define FAKE_ARGS 96
struct call {
	rconn_reply_fn fn;
	void *priv;
	int argc;
	char argv[FAKE_ARGS][96]; /* the first FAKE_ARGS arguments */
	int flushes; /* fake_flushes when it was sent */
};
/* The commands sent and not yet answered, oldest first. */
extern struct call calls[MAX_CALLS];
extern int ncalls;
/* rconn_flush calls so far: a command was written out before a later one
 * was sent when their `flushes` differ. */
extern int fake_flushes;
extern int fake_pumps; /* rconn_pump calls */
/* How many of the calls waiting for an answer are the command a0. */
int fake_count(const char *a0);
/* The address every fake connection points at. */
extern int fake_conn;

/* Answers every command still in flight with NULL, as the connection does
 * when it goes away (the handlers free their requests). */
void drop_pending(void);


#endif
