/*
 * webhook_sink: a minimal webhook receiver for bench/deliveries.sh.
 *
 *   webhook_sink PORT_FILE OUT_FILE
 *
 * Listens on 127.0.0.1 (an ephemeral port, written to PORT_FILE), answers
 * every request 200 with an empty body, and appends one line per request
 * to OUT_FILE (flushed every 100 ms; at SIGTERM/SIGINT it flushes and exits):
 *
 *   arrival_ms created_ms path idempotency_key
 *
 * arrival_ms is CLOCK_REALTIME when the request was complete; created_ms is
 * the body's "created_at" (RFC 3339 UTC, ms), found with strstr, -1 if absent.
 * No signature check, no JSON parser: it must not be the bottleneck.
 */
#define _GNU_SOURCE
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static FILE *out;
static struct event_base *base;

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "YYYY-MM-DDTHH:MM:SS.mmmZ" -> ms since the epoch, -1 if malformed. */
static long long parse_instant(const char *s)
{
	struct tm tm = {0};
	int ms = 0;
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%3d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
		   &tm.tm_min, &tm.tm_sec, &ms) != 7)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (long long)timegm(&tm) * 1000 + ms;
}

static void on_request(struct evhttp_request *req, void *arg)
{
	(void)arg;
	long long arrival = now_ms();
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(in);
	const char *body = (const char *)evbuffer_pullup(in, -1);
	long long created = -1;
	static const char needle[] = "\"created_at\":\"";
	if (body && len) {
		const char *p = memmem(body, len, needle, sizeof needle - 1);
		if (p && (size_t)(p - body) + sizeof needle - 1 + 23 <= len)
			created = parse_instant(p + sizeof needle - 1);
	}
	const char *key = evhttp_find_header(evhttp_request_get_input_headers(req), "Idempotency-Key");
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	fprintf(out, "%lld %lld %s %s\n", arrival, created, path && *path ? path : "/", key ? key : "-");
	evhttp_send_reply(req, 200, "OK", NULL);
}

static void on_flush(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	fflush(out);
}

static void on_signal(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	event_base_loopbreak(base);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: webhook_sink PORT_FILE OUT_FILE\n");
		return 2;
	}
	out = fopen(argv[2], "w");
	if (!out) {
		perror(argv[2]);
		return 1;
	}
	setvbuf(out, NULL, _IOFBF, 1 << 20);
	signal(SIGPIPE, SIG_IGN);
	base = event_base_new();
	struct evhttp *http = evhttp_new(base);
	evhttp_set_gencb(http, on_request, NULL);
	evhttp_set_allowed_methods(http, EVHTTP_REQ_POST | EVHTTP_REQ_GET);
	struct evhttp_bound_socket *bs = evhttp_bind_socket_with_handle(http, "127.0.0.1", 0);
	if (!bs) {
		fprintf(stderr, "webhook_sink: cannot bind\n");
		return 1;
	}
	struct sockaddr_storage ss;
	ev_socklen_t sl = sizeof ss;
	getsockname(evhttp_bound_socket_get_fd(bs), (struct sockaddr *)&ss, &sl);
	int port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]);
	FILE *pf = fopen(tmp, "w");
	if (!pf || fprintf(pf, "%d\n", port) < 0 || fclose(pf) != 0 || rename(tmp, argv[1]) != 0) {
		perror(argv[1]);
		return 1;
	}
	struct event *st = evsignal_new(base, SIGTERM, on_signal, NULL);
	struct event *si = evsignal_new(base, SIGINT, on_signal, NULL);
	event_add(st, NULL);
	event_add(si, NULL);
	struct event *fl = event_new(base, -1, EV_PERSIST, on_flush, NULL);
	struct timeval every = {0, 100000};
	event_add(fl, &every);
	event_base_dispatch(base);
	event_free(fl);
	fclose(out);
	event_free(st);
	event_free(si);
	evhttp_free(http);
	event_base_free(base);
	return 0;
}
