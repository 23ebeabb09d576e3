/*
 * http: the operations endpoints on evhttp, when "http": {"listen": ...} is
 * configured (bind it to loopback or an operations network):
 *
 *   GET /healthz  the process and its event loop answer (this handler runs on
 *                 the loop, so an answer proves it turns)
 *   GET /readyz   Redis reachable, scripts loaded, a lease held, configuration
 *                 valid; 503 with the problems named otherwise
 *   GET /metrics  Prometheus text format 0.0.4 (docs/operations.md lists the
 *                 metrics)
 *
 * GET and HEAD only; small header and body limits; every request gets exactly
 * one reply. No pupil data is ever served.
 *
 * Connections are bounded, because each holds a descriptor the dispatcher's
 * files, sockets and Redis connections need too (issue 11):
 *   - at most http.max_connections, and never more than the descriptor
 *     limit leaves after a reserve (a quarter, at least 64). A connection
 *     beyond the cap closes the least recently active one: clients that
 *     send whole requests (a health check) keep being served while slow
 *     ones hold the slots.
 *   - a connection silent for http.idle_timeout_s is closed (evhttp), and
 *     one that has not sent a whole request within http.request_timeout_s
 *     of opening, or of its previous request plus the time that request's
 *     answer may take, is closed too (a client that drips a byte a second
 *     defeats the idle timeout, not this one).
 *   - when accept fails (out of descriptors: EMFILE, ENFILE) the listener
 *     rests for ACCEPT_PAUSE_MS instead of retrying at once, and says so in
 *     one log line a minute at most.
 * libevent 2.1 has neither a connection limit nor a close hook for server
 * connections that never complete a request, so the server makes each
 * connection's bufferevent itself (evhttp_set_bevcb), learns the
 * evhttp_connection behind it right after evhttp set it up (its callback
 * argument) and counts it down in that connection's close callback. An
 * evbuffer callback on the input notices NUL bytes, at which evhttp's header
 * parser would silently cut a header value.
 *
 * Requests the server refuses before routing: 400 for a connection that
 * sent a NUL byte, for two Content-Length headers or one with
 * Transfer-Encoding (request smuggling). A HEAD reply has the GET reply's
 * headers and Content-Length but no body (evhttp would send it).
 */
#include "http.h"

#include "addrlimit.h"
#include "api.h"
#include "status_page.h"
#include "log.h"
#include "partition.h"
#include "routing.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#ifndef VS_VERSION
#define VS_VERSION "0.1.0"
#endif

#define ACCEPT_PAUSE_MS 500        /* rest after a failed accept */
#define ACCEPT_LOG_INTERVAL_MS 60000 /* at most one line about it this often */
#define ADDRLIMIT_SLOTS 4096        /* client addresses the API's limiter tracks */

struct http_conn;

struct vsd_http {
	struct vsd *d;
	struct evhttp *http;
	int port;
	struct evconnlistener *listener;
	struct event *resume;      /* re-enables the listener after a pause */
	bool paused;               /* listener disabled after a failed accept */
	bool full;                 /* listener disabled: too many connections closing */
	struct http_conn *oldest, *newest; /* open connections, by last activity */
	int nconn;
	int unresolved;            /* the newest connections, evcon not yet known */
	struct event *resolve;     /* made active when a connection is created */
	int max_conn;
	struct timeval request_timeout; /* for a whole request to arrive */
	struct timeval answer_timeout;  /* ... plus the time Redis may take to answer it */
	unsigned long long evicted;    /* connections closed for a newer one (the cap) */
	unsigned long long timed_out;  /* ... for no whole request in time */
	unsigned long long accept_failed; /* accept calls that failed */
	int64_t accept_logged_ms;  /* last line about failed accepts */
	unsigned long accept_failures; /* since that line */
	struct addrlimit *unauth;  /* the API's failed requests per client address */
};

/* One accepted connection, from evhttp's creation of its bufferevent to
 * its close callback (conn_closed). */
struct http_conn {
	struct vsd_http *h;
	struct bufferevent *bev;   /* evhttp's; a reference is held until resolved */
	struct evhttp_connection *evcon; /* NULL until conn_resolve */
	struct evbuffer_cb_entry *input_cb;
	struct event *deadline;    /* request_timeout from the last activity */
	struct http_conn *older, *newer;
	bool closing;              /* evicted or past its deadline */
	bool nul;                  /* a NUL byte arrived: its requests are refused */
};

/* evconnlistener's error callback gets the evhttp, not this structure; one
 * server per process. */
static struct vsd_http *the_server;

static void conn_unlink(struct vsd_http *h, struct http_conn *c)
{
	if (c->older)
		c->older->newer = c->newer;
	else
		h->oldest = c->newer;
	if (c->newer)
		c->newer->older = c->older;
	else
		h->newest = c->older;
	c->older = c->newer = NULL;
}

static void conn_append(struct vsd_http *h, struct http_conn *c)
{
	c->older = h->newest;
	c->newer = NULL;
	if (h->newest)
		h->newest->newer = c;
	else
		h->oldest = c;
	h->newest = c;
}

/* Has evhttp drop the connection as if its read had timed out (deferred,
 * so never inside evhttp's own callbacks). */
static void conn_close(struct http_conn *c, bool timed_out)
{
	if (timed_out)
		c->h->timed_out++;
	else
		c->h->evicted++;
	c->closing = true;
	bufferevent_trigger_event(c->bev, BEV_EVENT_READING | BEV_EVENT_TIMEOUT,
				  BEV_TRIG_DEFER_CALLBACKS);
}

static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct http_conn *c = arg;
	if (!c->closing)
		conn_close(c, true);
}

/* The connection's request arrived: it is the most recently active, with a
 * new deadline that leaves time for the answer (a Redis command per
 * partition, each up to its timeout) and the next request. */
static void conn_touch(struct http_conn *c)
{
	struct vsd_http *h = c->h;
	conn_unlink(h, c);
	conn_append(h, c);
	evtimer_add(c->deadline, &h->answer_timeout);
}

static void listener_update(struct vsd_http *h)
{
	if (h->paused || h->full)
		evconnlistener_disable(h->listener);
	else
		evconnlistener_enable(h->listener);
}

static void conn_free(struct vsd_http *h, struct http_conn *c)
{
	conn_unlink(h, c);
	h->nconn--;
	evbuffer_remove_cb_entry(bufferevent_get_input(c->bev), c->input_cb);
	event_free(c->deadline);
	free(c);
	if (h->full && h->nconn < h->max_conn) {
		h->full = false;
		listener_update(h);
	}
}

/* evhttp frees the connection (whatever the cause): it counts no more. */
static void conn_closed(struct evhttp_connection *evcon, void *arg)
{
	(void)evcon;
	struct http_conn *c = arg;
	conn_free(c->h, c);
}

/* Learns the evhttp_connection of each new connection: evhttp made it the
 * bufferevent's callback argument as the connection was set up, in the
 * accept callback that ran just before. A connection evhttp already gave up
 * (its callbacks are cleared) is forgotten. */
static void conn_resolve(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct vsd_http *h = arg;
	for (struct http_conn *c = h->newest, *older; c && h->unresolved > 0; c = older) {
		older = c->older;
		if (c->evcon)
			continue;
		h->unresolved--;
		struct bufferevent *bev = c->bev;
		void *cbarg = NULL;
		bufferevent_getcb(bev, NULL, NULL, NULL, &cbarg);
		if (cbarg) {
			c->evcon = cbarg;
			evhttp_connection_set_closecb(c->evcon, conn_closed, c);
		} else {
			conn_free(h, c);
		}
		bufferevent_decref(bev);
	}
}

/* Notes a NUL byte among the bytes just read. */
static void conn_input(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
	struct http_conn *c = arg;
	size_t len = evbuffer_get_length(buf);
	if (c->nul || info->n_added == 0 || info->n_added > len)
		return;
	struct evbuffer_ptr start;
	if (evbuffer_ptr_set(buf, &start, len - info->n_added, EVBUFFER_PTR_SET) != 0)
		return;
	if (evbuffer_search(buf, "", 1, &start).pos >= 0)
		c->nul = true;
}

/* evhttp's bufferevent factory, called for each accepted connection. */
static struct bufferevent *conn_new(struct event_base *base, void *arg)
{
	struct vsd_http *h = arg;
	if (h->nconn >= h->max_conn) {
		struct http_conn *victim = h->oldest;
		while (victim && victim->closing)
			victim = victim->newer;
		if (victim)
			conn_close(victim, false);
		/* closes take a turn of the loop; meanwhile stop accepting when
		 * they fall behind */
		if (h->nconn >= h->max_conn + h->max_conn / 4 && !h->full) {
			h->full = true;
			listener_update(h);
		}
	}
	struct bufferevent *bev = bufferevent_socket_new(base, -1, 0);
	if (!bev)
		return NULL;
	struct http_conn *c = xcalloc(1, sizeof *c);
	c->h = h;
	c->bev = bev;
	c->deadline = evtimer_new(base, on_deadline, c);
	c->input_cb = evbuffer_add_cb(bufferevent_get_input(bev), conn_input, c);
	if (!c->deadline || !c->input_cb) {
		if (c->deadline)
			event_free(c->deadline);
		free(c);
		bufferevent_free(bev);
		return NULL;
	}
	bufferevent_incref(bev); /* until conn_resolve */
	conn_append(h, c);
	h->nconn++;
	h->unresolved++;
	evtimer_add(c->deadline, &h->request_timeout);
	event_active(h->resolve, EV_TIMEOUT, 1);
	return bev;
}

/* The connection of a request, or NULL (evhttp made one of its own). */
static struct http_conn *conn_of(struct vsd_http *h, struct evhttp_request *req)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	for (struct http_conn *c = h->newest; evcon && c; c = c->older)
		if (c->evcon == evcon)
			return c;
	return NULL;
}

static void on_resume(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct vsd_http *h = arg;
	h->paused = false;
	listener_update(h);
}

/* accept failed for a reason other than a retriable one: rest instead of
 * retrying at once (which spins while descriptors are out). */
static void on_accept_error(struct evconnlistener *lev, void *arg)
{
	(void)lev;
	(void)arg;
	int err = errno;
	struct vsd_http *h = the_server;
	if (!h)
		return;
	h->accept_failures++;
	h->accept_failed++;
	int64_t now = vsd_wall_ms();
	if (h->accept_logged_ms == 0 || now - h->accept_logged_ms >= ACCEPT_LOG_INTERVAL_MS) {
		log_warn("http: cannot accept connections: %s (%d connections open; %lu failure(s) "
			 "since the last report); pausing %d ms after each",
			 strerror(err), h->nconn, h->accept_failures, ACCEPT_PAUSE_MS);
		h->accept_logged_ms = now;
		h->accept_failures = 0;
	}
	h->paused = true;
	listener_update(h);
	struct timeval tv = {ACCEPT_PAUSE_MS / 1000, (ACCEPT_PAUSE_MS % 1000) * 1000};
	evtimer_add(h->resume, &tv);
}

/* The most connections the descriptor limit leaves room for. */
static int connection_room(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur > 1000000)
		return 1000000;
	long cur = (long)rl.rlim_cur, reserve = cur / 4 > 64 ? cur / 4 : 64;
	return cur - reserve > 8 ? (int)(cur - reserve) : 8;
}

static void reply(struct evhttp_request *req, int code, const char *reason, const char *type,
		  struct evbuffer *body)
{
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", type);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Cache-Control", "no-store");
	evhttp_send_reply(req, code, reason, body);
}

static void healthz(struct vsd_http *h, struct evbuffer *b, struct evhttp_request *req)
{
	evbuffer_add_printf(b, "{\"status\":\"ok\",\"uptime_s\":%lld}\n",
			    (long long)((vsd_wall_ms() - h->d->started_ms) / 1000));
	reply(req, 200, "OK", "application/json", b);
}

static void readyz(struct vsd_http *h, struct evbuffer *b, struct evhttp_request *req)
{
	struct vsd *d = h->d;
	const char *problems[7];
	int n = 0;
	if (rconn_state(d->cmd) != RC_READY)
		problems[n++] = "redis is not reachable";
	else if (!d->scripts_loaded)
		problems[n++] = "the Lua scripts are not loaded yet";
	if (d->stopping)
		problems[n++] = "stopping";
	char gen[sizeof d->gen.reason + 80];
	if (d->gen.mismatch) {
		snprintf(gen, sizeof gen, "redis generation mismatch: %s; run vroegsignaal generation "
					  "confirm",
			 d->gen.reason);
		problems[n++] = gen;
	}
	if (rwait_degraded(&d->wait))
		problems[n++] = "too few redis replicas confirm writes (redis.min_replicas): nothing "
				"is consumed or delivered until they do";
	if (vsd_owned(d) == 0)
		problems[n++] = "no partition lease held (another instance owns them, or none is "
				"taken yet)";
	char stalled[160];
	int len = 0, nstalled = 0;
	for (int i = 0; i < d->nparts && len < (int)sizeof stalled - 40; i++)
		if (partition_stalled(d->parts[i]))
			len += snprintf(stalled + len, sizeof stalled - (size_t)len, "%s%d",
					nstalled++ ? ", " : "stalled partitions (no progress, restarted "
							    "from the lease): ",
					i);
	if (nstalled)
		problems[n++] = stalled;
	evbuffer_add_printf(b, "{\"ready\":%s,\"partitions_owned\":%d,\"partitions\":%d,"
			       "\"redis\":\"%s\",\"configuration\":\"valid\",\"problems\":[",
			    n ? "false" : "true", vsd_owned(d), d->nparts,
			    rconn_state_name(rconn_state(d->cmd)));
	for (int i = 0; i < n; i++)
		evbuffer_add_printf(b, "%s\"%s\"", i ? "," : "", problems[i]);
	evbuffer_add_printf(b, "]}\n");
	reply(req, n ? 503 : 200, n ? "Service Unavailable" : "OK", "application/json", b);
}

static void counter(struct evbuffer *b, const char *name, const char *help)
{
	evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s counter\n", name, help, name);
}

static void gauge(struct evbuffer *b, const char *name, const char *help)
{
	evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* The dispatcher's and the ack API's counters, by partner and connector. */
static void delivery_metrics(const struct vsd *d, struct evbuffer *b)
{
	const struct dispatch_stats *ds = &d->dstats;
	counter(b, "vs_task_records_total", "Task records the dispatcher created (one per task).");
	evbuffer_add_printf(b, "vs_task_records_total %llu\n", ds->accepted);
	counter(b, "vs_tasks_unrouted_total", "Tasks that reached no partner at all (see check-config).");
	evbuffer_add_printf(b, "vs_tasks_unrouted_total %llu\n", ds->tasks_unrouted);
	counter(b, "vs_task_roles_unrouted_total", "Task roles no configured partner serves (see check-config).");
	evbuffer_add_printf(b, "vs_task_roles_unrouted_total %llu\n", ds->unrouted);
	counter(b, "vs_escalations_total", "Escalation tasks created for overdue assignments.");
	evbuffer_add_printf(b, "vs_escalations_total %llu\n", ds->escalations);
	counter(b, "vs_reminders_total", "Reminders scheduled at the reminder point of the window.");
	evbuffer_add_printf(b, "vs_reminders_total %llu\n", ds->reminders_scheduled);
	counter(b, "vs_referrals_total", "MAZL consult referrals to the jeugdarts.");
	evbuffer_add_printf(b, "vs_referrals_total %llu\n", ds->referrals);
	counter(b, "vs_api_rejected_total", "Partner API requests answered with a 4xx status.");
	evbuffer_add_printf(b, "vs_api_rejected_total %llu\n", ds->acks_rejected);
	counter(b, "vs_deliveries_total",
		"Delivery attempts by connector, partner and outcome (delivered, retried, failed).");
	for (int i = 0; i < ds->npartners; i++) {
		const struct partner_stats *p = &ds->partners[i];
		static const char *const names[] = {"delivered", "retried", "failed"};
		const unsigned long long v[] = {p->delivered, p->retried, p->failed};
		for (int k = 0; k < 3; k++)
			evbuffer_add_printf(b, "vs_deliveries_total{connector=\"%s\",partner=\"%s\",outcome=\"%s\"} %llu\n",
					    p->connector, p->partner, names[k], v[k]);
	}
	counter(b, "vs_deliveries_undeliverable_total",
		"Assignments not delivered within dispatch.undeliverable_after_s or refused for good "
		"(an operator alert).");
	for (int i = 0; i < ds->npartners; i++)
		evbuffer_add_printf(b, "vs_deliveries_undeliverable_total{connector=\"%s\",partner=\"%s\"} %llu\n",
				    ds->partners[i].connector, ds->partners[i].partner, ds->partners[i].undeliverable);
	counter(b, "vs_updates_delivered_total",
		"Updates of open cases delivered, by partner (also counted in vs_deliveries_total).");
	for (int i = 0; i < ds->npartners; i++)
		evbuffer_add_printf(b, "vs_updates_delivered_total{connector=\"%s\",partner=\"%s\"} %llu\n",
				    ds->partners[i].connector, ds->partners[i].partner, ds->partners[i].updates);
	counter(b, "vs_acks_total", "Acknowledgements by partner (a repeated one is not counted).");
	for (int i = 0; i < ds->npartners; i++)
		evbuffer_add_printf(b, "vs_acks_total{partner=\"%s\",connector=\"%s\"} %llu\n",
				    ds->partners[i].partner, ds->partners[i].connector, ds->partners[i].acks);
	counter(b, "vs_acks_late_total", "Acknowledgements after the assignment was due.");
	for (int i = 0; i < ds->npartners; i++)
		evbuffer_add_printf(b, "vs_acks_late_total{partner=\"%s\",connector=\"%s\"} %llu\n",
				    ds->partners[i].partner, ds->partners[i].connector, ds->partners[i].acks_late);
	unsigned long long acks = 0, late = 0;
	for (int i = 0; i < ds->npartners; i++) {
		acks += ds->partners[i].acks;
		late += ds->partners[i].acks_late;
	}
	gauge(b, "vs_acks_within_window_ratio",
	      "Share of acknowledgements (since start) that came within the action window.");
	evbuffer_add_printf(b, "vs_acks_within_window_ratio %s%.4f\n", "",
			    acks ? (double)(acks - late) / (double)acks : 1.0);
	const struct ops_snapshot *o = &d->ops;
	if (o->at_ms) {
		gauge(b, "vs_tasks_open", "Open (unacknowledged) assignments per partner, all partitions.");
		/* a value an error reply made unknown (-1) is left out */
		for (int i = 0; i < o->npartners; i++)
			if (o->open[i] >= 0)
				evbuffer_add_printf(b, "vs_tasks_open{partner=\"%s\"} %lld\n", o->partner[i], o->open[i]);
		gauge(b, "vs_cases_active", "Cases open or in progress per partner, all partitions.");
		for (int i = 0; i < o->npartners; i++)
			if (o->cases[i] >= 0)
				evbuffer_add_printf(b, "vs_cases_active{partner=\"%s\"} %lld\n", o->partner[i], o->cases[i]);
		gauge(b, "vs_cases", "Cases per partner and state (open: not overdue; overdue; in_progress), all partitions.");
		for (int i = 0; i < o->npartners; i++) {
			static const char *const st[] = {"open", "overdue", "in_progress"};
			for (int k = 0; k < 3; k++)
				if (o->case_states[3 * i + k] >= 0)
					evbuffer_add_printf(b, "vs_cases{partner=\"%s\",state=\"%s\"} %lld\n",
							    o->partner[i], st[k], o->case_states[3 * i + k]);
		}
		gauge(b, "vs_deliveries_undeliverable",
		      "Assignments undeliverable now per partner (in Redis: cleared when delivered, also by "
		      "redeliver), all partitions.");
		for (int i = 0; i < o->npartners; i++)
			if (o->undeliverable[i] >= 0)
				evbuffer_add_printf(b, "vs_deliveries_undeliverable{partner=\"%s\"} %lld\n",
						    o->partner[i], o->undeliverable[i]);
		gauge(b, "vs_tasks_overdue", "Open assignments past their due time per partner (escalated).");
		for (int i = 0; i < o->npartners; i++)
			if (o->overdue[i] >= 0)
				evbuffer_add_printf(b, "vs_tasks_overdue{partner=\"%s\"} %lld\n", o->partner[i],
						    o->overdue[i]);
		gauge(b, "vs_dead_letters", "Entries in the dead-letter streams, all partitions.");
		if (o->dead >= 0)
			evbuffer_add_printf(b, "vs_dead_letters %lld\n", o->dead);
		gauge(b, "vs_quarantine_keys", "School days (a school and a date) whose new tasks the flood "
					       "guard holds.");
		evbuffer_add_printf(b, "vs_quarantine_keys %d\n", o->nquarantined);
		gauge(b, "vs_quarantined_tasks", "Tasks held in quarantine.");
		if (o->held >= 0)
			evbuffer_add_printf(b, "vs_quarantined_tasks %lld\n", o->held);
		gauge(b, "vs_closures", "Operator closures applied to the calendar.");
		evbuffer_add_printf(b, "vs_closures %d\n", o->closures);
		gauge(b, "vs_ops_poll_errors",
		      "Error replies in the last poll of these values (the values they feed are left out).");
		evbuffer_add_printf(b, "vs_ops_poll_errors %d\n", o->errors);
	}
	counter(b, "vs_quarantine_holds_total", "Tasks the flood guard put in quarantine.");
	evbuffer_add_printf(b, "vs_quarantine_holds_total %llu\n", ds->quarantined);
	evbuffer_add_printf(b, "# HELP vs_delivery_latency_seconds From task creation to delivery.\n"
			       "# TYPE vs_delivery_latency_seconds histogram\n");
	for (int i = 0; i < ds->npartners; i++) {
		const struct partner_stats *p = &ds->partners[i];
		unsigned long long cum = 0;
		for (int k = 0; k < DELIVERY_BUCKETS; k++) {
			cum += p->latency_bucket[k];
			evbuffer_add_printf(b, "vs_delivery_latency_seconds_bucket{partner=\"%s\",connector=\"%s\",le=\"%g\"} %llu\n",
					    p->partner, p->connector, delivery_bucket_le[k], cum);
		}
		evbuffer_add_printf(b, "vs_delivery_latency_seconds_bucket{partner=\"%s\",connector=\"%s\",le=\"+Inf\"} %llu\n",
				    p->partner, p->connector, p->latency_count);
		evbuffer_add_printf(b, "vs_delivery_latency_seconds_sum{partner=\"%s\",connector=\"%s\"} %.3f\n", p->partner,
				    p->connector, p->latency_sum);
		evbuffer_add_printf(b, "vs_delivery_latency_seconds_count{partner=\"%s\",connector=\"%s\"} %llu\n", p->partner,
				    p->connector, p->latency_count);
	}
}

static void metrics(struct vsd_http *h, struct evbuffer *b, struct evhttp_request *req)
{
	const struct vsd *d = h->d;
	const struct vsd_stats *st = &d->stats;
	gauge(b, "vs_build_info", "Version of vroegsignaald.");
	evbuffer_add_printf(b, "vs_build_info{version=\"%s\"} 1\n", VS_VERSION);
	counter(b, "vs_entries_total", "Stream entries consumed and acknowledged.");
	evbuffer_add_printf(b, "vs_entries_total %llu\n", st->entries);
	counter(b, "vs_registrations_total", "Valid registrations applied to pupil state.");
	evbuffer_add_printf(b, "vs_registrations_total %llu\n", st->registrations);
	counter(b, "vs_rejected_total", "Entries sent to the dead letters, by reason code.");
	for (int r = 1; r < DEAD_REASONS; r++) {
		const char *name = r == DEAD_STATE_CORRUPT    ? "state_corrupt"
				   : r == DEAD_DELIVERY_LIMIT ? "delivery_limit"
							      : event_reason_code((enum event_reason)r);
		evbuffer_add_printf(b, "vs_rejected_total{reason=\"%s\"} %llu\n", name,
				    st->dead_by_reason[r]);
	}
	counter(b, "vs_signals_total", "Signals raised, by rule and level or trigger.");
	for (int r = 0; r < RULE_COUNT; r++)
		for (int l = 0; l < rule_level_count((enum rule_id)r) && l < STATS_LEVELS; l++) {
			const char *ln = rule_level_name((enum rule_id)r, l);
			evbuffer_add_printf(b, "vs_signals_total{rule=\"%s\",level=\"%s\"} %llu\n",
					    rule_name((enum rule_id)r), ln ? ln : "",
					    st->signals[r][l]);
		}
	counter(b, "vs_tasks_total", "Tasks created (one per signal).");
	evbuffer_add_printf(b, "vs_tasks_total %llu\n", st->tasks);
	counter(b, "vs_task_roles_total", "Partner roles addressed by the tasks created.");
	for (int r = 0; r < ROLE_COUNT && r < STATS_ROLES; r++)
		evbuffer_add_printf(b, "vs_task_roles_total{role=\"%s\"} %llu\n",
				    role_name((enum role)r), st->roles[r]);
	counter(b, "vs_commits_total", "Commit scripts that succeeded.");
	evbuffer_add_printf(b, "vs_commits_total %llu\n", st->commits);
	counter(b, "vs_commit_failures_total",
		"Commits whose outcome was unknown or refused (the batch is read again).");
	evbuffer_add_printf(b, "vs_commit_failures_total %llu\n", st->commit_failures);
	counter(b, "vs_sweeps_total", "School days swept, summed over partitions.");
	evbuffer_add_printf(b, "vs_sweeps_total %llu\n", st->sweeps);
	counter(b, "vs_config_reloads_total", "Configuration reloads on SIGHUP, by result.");
	evbuffer_add_printf(b, "vs_config_reloads_total{result=\"success\"} %llu\n",
			    st->reloads_ok);
	evbuffer_add_printf(b, "vs_config_reloads_total{result=\"failure\"} %llu\n",
			    st->reloads_failed);
	gauge(b, "vs_redis_connected", "1 when the command connection to Redis is ready.");
	evbuffer_add_printf(b, "vs_redis_connected %d\n", rconn_state(d->cmd) == RC_READY);
	gauge(b, "vs_redis_min_replicas",
	      "redis.min_replicas: the replicas WAIT asks for after each write that commits work.");
	evbuffer_add_printf(b, "vs_redis_min_replicas %d\n", d->wait.min_replicas);
	counter(b, "vs_redis_wait_shortfalls_total",
		"Writes fewer than redis.min_replicas replicas confirmed in time (outcome unknown).");
	evbuffer_add_printf(b, "vs_redis_wait_shortfalls_total %llu\n", d->wait.shortfalls);
	gauge(b, "vs_redis_generation_mismatch",
	      "1 while the Redis marker vs:generation is gone, replaced or older than remembered.");
	evbuffer_add_printf(b, "vs_redis_generation_mismatch %d\n", d->gen.mismatch);
	gauge(b, "vs_partition_lease", "1 when this instance holds the partition's lease.");
	for (int i = 0; i < d->nparts; i++)
		evbuffer_add_printf(b, "vs_partition_lease{partition=\"%d\"} %d\n", i,
				    partition_holds_lease(d->parts[i]));
	gauge(b, "vs_partition_stalled",
	      "1 while the partition holds its lease and makes no progress (daemon.stall_ms).");
	for (int i = 0; i < d->nparts; i++)
		evbuffer_add_printf(b, "vs_partition_stalled{partition=\"%d\"} %d\n", i,
				    partition_stalled(d->parts[i]));
	counter(b, "vs_partition_stall_restarts_total",
		"Restarts of a stalled partition from its lease.");
	for (int i = 0; i < d->nparts; i++)
		evbuffer_add_printf(b, "vs_partition_stall_restarts_total{partition=\"%d\"} %llu\n", i,
				    partition_stall_restarts(d->parts[i]));
	gauge(b, "vs_stream_pending", "Entries read and not yet committed (owned partitions).");
	for (int i = 0; i < d->nparts; i++)
		if (d->pending[i] >= 0)
			evbuffer_add_printf(b, "vs_stream_pending{partition=\"%d\"} %lld\n", i,
					    d->pending[i]);
	gauge(b, "vs_stream_lag", "Entries after the committed offset, up to 100 (owned partitions).");
	for (int i = 0; i < d->nparts; i++)
		if (d->lag[i] >= 0)
			evbuffer_add_printf(b, "vs_stream_lag{partition=\"%d\"} %lld\n", i, d->lag[i]);
	gauge(b, "vs_stream_lag_seconds",
	      "Age of the oldest registration not yet applied, from its stream id; 0 when none "
	      "waits (owned partitions).");
	for (int i = 0; i < d->nparts; i++)
		if (d->lag_age_ms[i] >= 0)
			evbuffer_add_printf(b, "vs_stream_lag_seconds{partition=\"%d\"} %.3f\n", i,
					    (double)d->lag_age_ms[i] / 1000.0);
	gauge(b, "vs_instances_live", "Daemon instances heartbeating in vs:instances.");
	evbuffer_add_printf(b, "vs_instances_live %d\n", d->live_instances);
	delivery_metrics(d, b);
	gauge(b, "vs_http_connections", "Open HTTP connections.");
	evbuffer_add_printf(b, "vs_http_connections %d\n", h->nconn);
	gauge(b, "vs_http_connections_max", "The cap on open HTTP connections.");
	evbuffer_add_printf(b, "vs_http_connections_max %d\n", h->max_conn);
	counter(b, "vs_http_connections_closed_total",
		"HTTP connections the server closed: for a newer one at the cap, or for no whole "
		"request within http.request_timeout_s.");
	evbuffer_add_printf(b, "vs_http_connections_closed_total{reason=\"cap\"} %llu\n", h->evicted);
	evbuffer_add_printf(b, "vs_http_connections_closed_total{reason=\"request_timeout\"} %llu\n",
			    h->timed_out);
	counter(b, "vs_http_accept_failures_total",
		"Failed accepts (out of descriptors); the listener rests after each.");
	evbuffer_add_printf(b, "vs_http_accept_failures_total %llu\n", h->accept_failed);
	reply(req, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", b);
}

/* The output buffer's callback on a HEAD request: whatever body a handler
 * (or evhttp_send_error) sends is dropped, and its length announced. */
static void head_drop_body(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
	if (info->n_added == 0)
		return;
	struct evhttp_request *req = arg;
	struct evkeyvalq *oh = evhttp_request_get_output_headers(req);
	size_t len = evbuffer_get_length(buf);
	char v[24];
	snprintf(v, sizeof v, "%zu", len);
	if (!evhttp_find_header(oh, "Content-Length"))
		evhttp_add_header(oh, "Content-Length", v);
	evbuffer_drain(buf, len);
}

/* Two Content-Length headers, or one beside Transfer-Encoding: parsers
 * along the way could disagree on where the body ends. */
static bool ambiguous_length(struct evhttp_request *req)
{
	int lengths = 0;
	bool encoding = false;
	const struct evkeyvalq *in = evhttp_request_get_input_headers(req);
	for (const struct evkeyval *kv = in->tqh_first; kv; kv = kv->next.tqe_next) {
		if (strcasecmp(kv->key, "Content-Length") == 0)
			lengths++;
		else if (strcasecmp(kv->key, "Transfer-Encoding") == 0)
			encoding = true;
	}
	return lengths > 1 || (lengths == 1 && encoding);
}

static void on_request(struct evhttp_request *req, void *arg)
{
	struct vsd_http *h = arg;
	enum evhttp_cmd_type method = evhttp_request_get_command(req);
	if (method == EVHTTP_REQ_HEAD)
		evbuffer_add_cb(evhttp_request_get_output_buffer(req), head_drop_body, req);
	struct http_conn *c = conn_of(h, req);
	if (c)
		conn_touch(c);
	struct evbuffer *b = evbuffer_new();
	if (!b) {
		evhttp_send_error(req, 500, "out of memory");
		return;
	}
	const char *bad = NULL;
	if (c && c->nul)
		bad = "a NUL byte in the request";
	else if (ambiguous_length(req))
		bad = "conflicting Content-Length or Transfer-Encoding headers";
	if (bad) {
		struct evhttp_connection *evcon = evhttp_request_get_connection(req);
		char *peer = NULL;
		ev_uint16_t port = 0;
		if (evcon)
			evhttp_connection_get_peer(evcon, &peer, &port);
		addrlimit_charge(h->unauth, peer ? peer : "", vsd_wall_ms());
		evhttp_add_header(evhttp_request_get_output_headers(req), "Connection", "close");
		evbuffer_add_printf(b, "{\"error\":\"%s\"}\n", bad);
		reply(req, 400, "Bad Request", "application/json", b);
		evbuffer_free(b);
		return;
	}
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	if (!path)
		path = "/";
	if ((strncmp(path, "/v1/tasks", 9) == 0 || strncmp(path, "/v1/cases", 9) == 0) &&
	    (path[9] == '\0' || path[9] == '/')) {
		evbuffer_free(b);
		api_handle(h->d, req, path, h->unauth);
		return;
	}
	if (method != EVHTTP_REQ_GET && method != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "GET, HEAD");
		evbuffer_add_printf(b, "{\"error\":\"method not allowed\"}\n");
		reply(req, 405, "Method Not Allowed", "application/json", b);
	} else if (strcmp(path, "/healthz") == 0) {
		healthz(h, b, req);
	} else if (strcmp(path, "/readyz") == 0) {
		readyz(h, b, req);
	} else if (strcmp(path, "/metrics") == 0) {
		metrics(h, b, req);
	} else if (strcmp(path, "/") == 0) {
		status_page(h->d, req);
	} else {
		evbuffer_add_printf(b, "{\"error\":\"not found\"}\n");
		reply(req, 404, "Not Found", "application/json", b);
	}
	evbuffer_free(b);
}

struct vsd_http *vsd_http_start(struct vsd *d, const struct http_config *hc)
{
	struct vsd_http *h = xcalloc(1, sizeof *h);
	h->d = d;
	h->http = evhttp_new(d->base);
	if (!h->http) {
		free(h);
		return NULL;
	}
	/* every method reaches on_request, which answers 405 to all but GET/HEAD */
	evhttp_set_allowed_methods(h->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST |
						    EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
						    EVHTTP_REQ_PATCH | EVHTTP_REQ_OPTIONS);
	evhttp_set_max_headers_size(h->http, 8192);
	evhttp_set_max_body_size(h->http, 4096);
	evhttp_set_timeout(h->http, hc->idle_timeout_s);
	evhttp_set_gencb(h->http, on_request, h);
	evhttp_set_bevcb(h->http, conn_new, h);
	h->request_timeout.tv_sec = hc->request_timeout_s;
	int64_t answer_ms = (int64_t)hc->request_timeout_s * 1000 +
			    (int64_t)d->nparts * d->cfg->redis.command_timeout_ms + 1000;
	h->answer_timeout.tv_sec = (time_t)(answer_ms / 1000);
	h->answer_timeout.tv_usec = (suseconds_t)(answer_ms % 1000 * 1000);
	int room = connection_room();
	h->max_conn = hc->max_connections < room ? hc->max_connections : room;
	h->resume = evtimer_new(d->base, on_resume, h);
	h->resolve = event_new(d->base, -1, 0, conn_resolve, h);
	struct evhttp_bound_socket *bs =
		h->resume && h->resolve
			? evhttp_bind_socket_with_handle(h->http, hc->host, (ev_uint16_t)hc->port)
			: NULL;
	if (!bs) {
		log_err("http: cannot listen on %s:%d", hc->host, hc->port);
		if (h->resume)
			event_free(h->resume);
		if (h->resolve)
			event_free(h->resolve);
		evhttp_free(h->http);
		free(h);
		return NULL;
	}
	h->listener = evhttp_bound_socket_get_listener(bs);
	evconnlistener_set_error_cb(h->listener, on_accept_error);
	h->unauth = addrlimit_new(ADDRLIMIT_SLOTS, hc->unauth_rate_per_s, hc->unauth_burst);
	the_server = h;
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	h->port = hc->port;
	if (getsockname(evhttp_bound_socket_get_fd(bs), (struct sockaddr *)&ss, &len) == 0)
		h->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
							  : ((struct sockaddr_in *)&ss)->sin_port);
	log_info("http: listening on %s port %d (/healthz, /readyz, /metrics); at most %d "
		 "connections", hc->host, h->port, h->max_conn);
	return h;
}

void vsd_http_free(struct vsd_http *h)
{
	if (!h)
		return;
	/* resolve the newest connections, so that freeing them below reaches
	 * conn_closed (or they are gone already) */
	conn_resolve(-1, 0, h);
	h->full = false; /* the listener goes first: conn_free must not touch it */
	the_server = NULL;
	evhttp_free(h->http);
	event_free(h->resolve);
	event_free(h->resume);
	addrlimit_free(h->unauth);
	free(h);
}
