/*
 * api: the partners' HTTP API under /v1/ (see api.c and docs/partners.md).
 */
#ifndef VS_API_H
#define VS_API_H

#include "daemon.h"

struct evhttp_request;
struct addrlimit;

/* Answers a request whose path starts with /v1/tasks (exactly once, maybe
 * later from a Redis reply). unauth limits requests without a valid token
 * per client address; an address over it is refused before any token work. */
void api_handle(struct vsd *d, struct evhttp_request *req, const char *path,
		struct addrlimit *unauth);
/* Frees what the API keeps in d (the partners' token buckets). */
void api_free(struct vsd *d);

#endif
