/*
 * fuzz_api: the partners' HTTP API (daemon/api.c), the status page
 * (daemon/status_page.c) and the operations snapshot behind both
 * (daemon/opsdata.c) with scripted Redis replies.
 *
 * The narrowest cut that keeps the real code: the request is an
 * evhttp_request without a connection (evhttp frees it when the handler
 * replies, so a handler that never replies leaks and one that replies twice
 * uses freed memory: both are reported by ASan), routed as http.c routes it;
 * the Redis connection is replaced by this file's rconn_* functions, which
 * queue each command and answer it with the next reply decoded (by hiredis's
 * own RESP reader) from the input, or with NULL (a lost connection) when the
 * input has no complete reply left. Not covered: libevent's parsing of raw
 * HTTP and http.c itself (/healthz, /readyz, /metrics), and replies that
 * announce arrays of more than MAX_ARRAY elements: hiredis 0.14 allocates
 * the announced array before its elements arrive (8 bytes an element; a
 * hostile Redis server can make any hiredis client reserve gigabytes), which
 * is hiredis's behaviour, not ours, and would only stop the fuzzer.
 *
 * Input:
 *   byte 0       bit 0: the status page instead of the API; bits 1-3: the
 *                method (GET, POST, HEAD, PUT, DELETE, OPTIONS, PATCH, GET);
 *                bit 4: first an operations snapshot round (opsdata_poll),
 *                whose replies come first
 *   line         the request URI ("/v1/tasks?state=open&limit=5")
 *   line         the Authorization header's value; "" for none; a leading
 *                '1' or '2' is replaced by a partner's valid token
 *   bytes to NUL the body
 *   the rest     RESP replies, one per command, in order
 */
#include "addrlimit.h"
#include "api.h"
#include "daemon.h"
#include "dconfig.h"
#include "opsdata.h"
#include "status_page.h"
#include "util.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/http_struct.h>
#include <event2/keyvalq_struct.h>
#include <hiredis/read.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- the fake Redis connection -------------------------------------------- */

struct rconn {
	enum rconn_state state;
};

struct queued {
	rconn_reply_fn fn;
	void *privdata;
};

#define MAX_QUEUED 4096
static struct queued queue[MAX_QUEUED];
static size_t qhead, qtail;
static struct rconn fake_conn = {RC_READY};

/* The connection's functions are wrapped at link time (-Wl,--wrap, see
 * fuzz/CMakeLists.txt), as the fake-connection unit tests do. */
struct rconn *__wrap_rconn_new(struct event_base *base, const struct redis_config *cfg,
			       const char *name, rconn_state_fn on_state, void *arg);
void __wrap_rconn_start(struct rconn *rc);
void __wrap_rconn_reset(struct rconn *rc, const char *why);
void __wrap_rconn_close(struct rconn *rc);
void __wrap_rconn_free(struct rconn *rc);
enum rconn_state __wrap_rconn_state(const struct rconn *rc);
size_t __wrap_rconn_pending(const struct rconn *rc);
int __wrap_rconn_command(struct rconn *rc, rconn_reply_fn fn, void *privdata, int extra_timeout_ms,
			 int argc, const char **argv, const size_t *argvlen);
int64_t __wrap_vsd_wall_ms(void);
int __wrap_vsd_fair_share(const struct vsd *d);
int __wrap_vsd_owned(const struct vsd *d);

struct rconn *__wrap_rconn_new(struct event_base *base, const struct redis_config *cfg, const char *name,
			rconn_state_fn on_state, void *arg)
{
	(void)base, (void)cfg, (void)name, (void)on_state, (void)arg;
	return &fake_conn;
}
void __wrap_rconn_start(struct rconn *rc) { (void)rc; }
void __wrap_rconn_reset(struct rconn *rc, const char *why) { (void)rc, (void)why; }
void __wrap_rconn_close(struct rconn *rc) { (void)rc; }
void __wrap_rconn_free(struct rconn *rc) { (void)rc; }
enum rconn_state __wrap_rconn_state(const struct rconn *rc) { return rc->state; }
size_t __wrap_rconn_pending(const struct rconn *rc) { (void)rc; return qtail - qhead; }

int __wrap_rconn_command(struct rconn *rc, rconn_reply_fn fn, void *privdata, int extra_timeout_ms,
		  int argc, const char **argv, const size_t *argvlen)
{
	(void)extra_timeout_ms;
	if (rc->state != RC_READY || qtail == MAX_QUEUED)
		return -1;
	/* the arguments must be readable (ASan checks the reads) */
	volatile unsigned char sink = 0;
	for (int i = 0; i < argc; i++)
		for (size_t k = 0; k < argvlen[i]; k++)
			sink ^= (unsigned char)argv[i][k];
	(void)sink;
	queue[qtail++] = (struct queued){fn, privdata};
	return 0;
}

/* ---- the daemon's clock and share (daemon/daemon.c), fixed ------------------------------ */

static int64_t fake_now_ms = 1788000000000; /* 2026-08-29 */

int64_t __wrap_vsd_wall_ms(void)
{
	return fake_now_ms;
}

/* no partitions: the daemon owns them all */
int __wrap_vsd_fair_share(const struct vsd *d) { return d->nparts; }
int __wrap_vsd_owned(const struct vsd *d) { return d->nparts; }

/* ---- the harness ------------------------------------------------------------ */

static struct vsd daemon;
static struct vsd_config config;
/* generous: the fuzzer should reach the API, not the per-address limiter */
static struct addrlimit *unauth;
static char http_placeholder; /* opsdata asks only whether there is an HTTP server */

static void load(void)
{
	char *errors = NULL;
	if (vsd_config_load(VS_SOURCE_DIR "/fuzz/fuzz_api.json", &config, &errors) != 0) {
		fprintf(stderr, "fuzz_api: %s\n", errors ? errors : "no configuration");
		abort();
	}
}

static void setup(void)
{
	if (daemon.cfg)
		return;
	load();
	daemon.http = (struct vsd_http *)&http_placeholder;
	daemon.cfg = &config;
	daemon.cmd = &fake_conn;
	daemon.nparts = config.daemon.partitions;
	daemon.scripts_loaded = true;
	unauth = addrlimit_new(64, 1e9, 1e9);
	for (int i = 0; i < SCRIPT_COUNT; i++)
		snprintf(daemon.script_sha[i], sizeof daemon.script_sha[i], "%040d", i);
}

/* Answers the queued commands in order, as Redis would (a handler may send
 * more meanwhile), from reader; NULL replies once it has none left. */
static void answer_all(redisReader **reader)
{
	while (qhead < qtail) {
		struct queued q = queue[qhead++];
		void *reply = NULL;
		if (*reader && redisReaderGetReply(*reader, &reply) != REDIS_OK) {
			redisReaderFree(*reader); /* a protocol error: the connection is lost */
			*reader = NULL;
			reply = NULL;
		}
		q.fn(&fake_conn, reply, q.privdata);
		if (reply)
			freeReplyObject(reply);
	}
}

#define MAX_ARRAY 65536

/* True when some '*' in the replies is followed by a count above MAX_ARRAY
 * (conservative: a '*' inside a bulk string counts too). */
static bool huge_array(const uint8_t *p, const uint8_t *end)
{
	for (; p < end; p++) {
		if (*p != '*')
			continue;
		uint64_t n = 0;
		for (const uint8_t *q = p + 1; q < end && *q >= '0' && *q <= '9'; q++)
			if ((n = n * 10 + (uint64_t)(*q - '0')) > MAX_ARRAY)
				return true;
	}
	return false;
}

/* Splits off the next line of [*p, end); NUL-terminated copy in buf. */
static void next_line(const uint8_t **p, const uint8_t *end, char *buf, size_t cap)
{
	const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t len = nl ? (size_t)(nl - *p) : (size_t)(end - *p);
	size_t n = len < cap - 1 ? len : cap - 1;
	memcpy(buf, *p, n);
	buf[n] = '\0';
	*p += nl ? len + 1 : len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setup();
	if (size < 1)
		return 0;
	static const enum evhttp_cmd_type methods[8] = {
		EVHTTP_REQ_GET, EVHTTP_REQ_POST, EVHTTP_REQ_HEAD, EVHTTP_REQ_PUT,
		EVHTTP_REQ_DELETE, EVHTTP_REQ_OPTIONS, EVHTTP_REQ_PATCH, EVHTTP_REQ_GET};
	bool status = data[0] & 1;
	enum evhttp_cmd_type method = methods[(data[0] >> 1) & 7];
	const uint8_t *p = data + 1, *end = data + size;
	char uri[2048], auth[9000];
	next_line(&p, end, uri, sizeof uri);
	next_line(&p, end, auth, sizeof auth);
	const uint8_t *nul = memchr(p, 0, (size_t)(end - p));
	const uint8_t *body = p;
	size_t body_len = nul ? (size_t)(nul - p) : (size_t)(end - p);
	p = nul ? nul + 1 : end;
	if (huge_array(p, end))
		return 0;

	/* every request a second later: the rate limit refills as it would */
	fake_now_ms += 1000;
	struct evhttp_request *req = evhttp_request_new(NULL, NULL);
	req->kind = EVHTTP_REQUEST;
	req->type = method;
	req->uri = xstrdup(uri);
	req->uri_elems = evhttp_uri_parse_with_flags(uri, 0);
	if (!req->uri_elems) { /* evhttp answers 400 itself */
		evhttp_request_free(req);
		return 0;
	}
	const char *path = evhttp_uri_get_path(req->uri_elems);
	if (!path || !*path)
		path = "/";
	char header[9100];
	if (status) {
		snprintf(header, sizeof header, "Bearer fuzz-ops-token");
	} else if (auth[0] == '1' || auth[0] == '2') {
		snprintf(header, sizeof header, "Bearer fuzz-%s-token%s",
			 auth[0] == '1' ? "school" : "swv", auth + 1);
	} else {
		str_copy(header, auth, sizeof header);
	}
	if (*header)
		evhttp_add_header(req->input_headers, "Authorization", header);
	evbuffer_add(req->input_buffer, body, body_len);

	redisReader *reader = redisReaderCreate();
	redisReaderFeed(reader, (const char *)p, (size_t)(end - p));
	qhead = qtail = 0;
	bool ops = data[0] & 0x10;
	if (ops) {
		opsdata_poll(&daemon);
		answer_all(&reader);
	}
	if (status)
		status_page(&daemon, req);
	else if (strncmp(path, "/v1/tasks", 9) == 0 && (path[9] == '\0' || path[9] == '/'))
		api_handle(&daemon, req, path, unauth);
	else
		evhttp_request_free(req); /* http.c answers these itself */
	answer_all(&reader);
	if (reader)
		redisReaderFree(reader);
	if (ops) {
		/* closures in the replies changed the calendar: leave none of the
		 * snapshot or the closures behind for the next input */
		opsdata_free(&daemon);
		vsd_config_free(&config);
		load();
	}
	return 0;
}
