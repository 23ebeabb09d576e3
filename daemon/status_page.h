/*
 * status_page: the operators' status page at / (see status_page.c).
 */
#ifndef VS_STATUS_PAGE_H
#define VS_STATUS_PAGE_H

#include "daemon.h"

struct evhttp_request;

/* Answers GET / (exactly once, after reading Redis). */
void status_page(struct vsd *d, struct evhttp_request *req);

#endif
