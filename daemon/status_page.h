/*
 * status_page: the operators' status page at / (see status_page.c).
 */
#ifndef VS_STATUS_PAGE_H
#define VS_STATUS_PAGE_H

#include "daemon.h"

struct evhttp_request;

/* Answers GET / (exactly once, after reading Redis). */
void status_page(struct vsd *d, struct evhttp_request *req);
/* Frees what the status page keeps in d (its census cache). */
void status_page_free(struct vsd *d);

#endif
