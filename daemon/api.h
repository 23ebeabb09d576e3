/*
 * api: the partners' HTTP API under /v1/ (see api.c and docs/partners.md).
 */
#ifndef VS_API_H
#define VS_API_H

#include "daemon.h"

struct evhttp_request;

/* Answers a request whose path starts with /v1/tasks (exactly once, maybe
 * later from a Redis reply). */
void api_handle(struct vsd *d, struct evhttp_request *req, const char *path);

#endif
