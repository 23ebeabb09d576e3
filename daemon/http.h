/*
 * http: the daemon's operations endpoints (/healthz, /readyz, /metrics).
 */
#ifndef VS_HTTP_H
#define VS_HTTP_H

#include "daemon.h"

struct vsd_http;

/* Binds and serves on the loop. NULL (reported) when it cannot listen. */
struct vsd_http *vsd_http_start(struct vsd *d, const struct http_config *hc);
void vsd_http_free(struct vsd_http *h);

#endif
