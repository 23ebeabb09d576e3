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
 */
#include "http.h"

#include "api.h"
#include "status.h"
#include "log.h"
#include "partition.h"
#include "routing.h"
#include "util.h"

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#ifndef VS_VERSION
#define VS_VERSION "0.1.0"
#endif

struct vsd_http {
	struct vsd *d;
	struct evhttp *http;
	int port;
};

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
	const char *problems[5];
	int n = 0;
	if (rconn_state(d->cmd) != RC_READY)
		problems[n++] = "redis is not reachable";
	else if (!d->scripts_loaded)
		problems[n++] = "the Lua scripts are not loaded yet";
	if (d->stopping)
		problems[n++] = "stopping";
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
	gauge(b, "vs_stream_pending", "Entries delivered and not yet acknowledged (owned partitions).");
	for (int i = 0; i < d->nparts; i++)
		if (d->pending[i] >= 0)
			evbuffer_add_printf(b, "vs_stream_pending{partition=\"%d\"} %lld\n", i,
					    d->pending[i]);
	gauge(b, "vs_stream_lag", "Entries not yet delivered to the group (owned partitions).");
	for (int i = 0; i < d->nparts; i++)
		if (d->lag[i] >= 0)
			evbuffer_add_printf(b, "vs_stream_lag{partition=\"%d\"} %lld\n", i, d->lag[i]);
	gauge(b, "vs_instances_live", "Daemon instances heartbeating in vs:instances.");
	evbuffer_add_printf(b, "vs_instances_live %d\n", d->live_instances);
	delivery_metrics(d, b);
	reply(req, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", b);
}

static void on_request(struct evhttp_request *req, void *arg)
{
	struct vsd_http *h = arg;
	struct evbuffer *b = evbuffer_new();
	if (!b) {
		evhttp_send_error(req, 500, "out of memory");
		return;
	}
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	if (!path)
		path = "/";
	enum evhttp_cmd_type method = evhttp_request_get_command(req);
	if (strncmp(path, "/v1/tasks", 9) == 0 && (path[9] == '\0' || path[9] == '/')) {
		evbuffer_free(b);
		api_handle(h->d, req, path);
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
	evhttp_set_timeout(h->http, 10);
	evhttp_set_gencb(h->http, on_request, h);
	struct evhttp_bound_socket *bs =
		evhttp_bind_socket_with_handle(h->http, hc->host, (ev_uint16_t)hc->port);
	if (!bs) {
		log_err("http: cannot listen on %s:%d", hc->host, hc->port);
		evhttp_free(h->http);
		free(h);
		return NULL;
	}
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	h->port = hc->port;
	if (getsockname(evhttp_bound_socket_get_fd(bs), (struct sockaddr *)&ss, &len) == 0)
		h->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
							  : ((struct sockaddr_in *)&ss)->sin_port);
	log_info("http: listening on %s port %d (/healthz, /readyz, /metrics)", hc->host, h->port);
	return h;
}

void vsd_http_free(struct vsd_http *h)
{
	if (!h)
		return;
	evhttp_free(h->http);
	free(h);
}
