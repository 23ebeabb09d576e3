/*
 * status_page: the operators' status page at / (http.c routes it here).
 *
 * One self-contained HTML page, no external assets, charts drawn as SVG on
 * the server: tasks per day by rule and by school over the last six weeks
 * of signal dates (the COMMIT script's per-day counters, vs:{p}:daily:*),
 * open and overdue assignments and delivery outcomes per partner, dead
 * letters, school days in quarantine and closures (the opsdata snapshot),
 * and the pact's quarterly census for the region (rules/census.h): a table
 * of the last eight census dates and a chart of them, counted from every
 * partition's pupil states (HSCAN vs:{p}:state, at most every
 * CENSUS_CACHE_MS; docs/census.md). No pupil key is ever shown.
 *
 * Access: from loopback, or with "Authorization: Bearer <operations token>"
 * (operations.token_file); anything else gets 403. Two Redis rounds: the
 * latest signal date of each partition, then the per-day hashes.
 */
#include "status_page.h"

#include "census.h"
#include "clock.h"
#include "date.h"
#include "keys.h"
#include "log.h"
#include "partition.h"
#include "rdecode.h"
#include "routing.h"
#include "entries.h"
#include "signing.h"
#include "statescan.h"
#include "util.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAYS 42
#define TOP_SCHOOLS 8

struct school_count {
	char code[24];
	long long per_day[DAYS];
	long long total;
};

struct page {
	struct vsd *d;
	struct evhttp_request *req;
	int waiting;
	bool failed;                        /* a reply was lost: no page */
	int errors;                         /* error replies: their counters are left out */
	char first_error[128];
	int skipped;                        /* fields left out: not a string, or out of range */
	int32_t last;                       /* latest signal date, DATE_NONE if none */
	long long by_rule[DAYS][RULE_COUNT];
	struct school_count *schools;
	int nschools;
	/* the census section */
	bool census_done;                   /* counted, or left out */
	int census_part;                    /* partition being scanned */
	char census_cursor[32];
	struct census_view *census;         /* NULL: no census to show */
};

#define CENSUS_QUARTERS 8
#define CENSUS_CACHE_MS (10 * 60 * 1000)

/* The region's counts at the last CENSUS_QUARTERS census dates. */
struct census_view {
	int n;
	int32_t dates[CENSUS_QUARTERS], from[CENSUS_QUARTERS];
	struct census_counts c[CENSUS_QUARTERS];
	long long unreadable;               /* states that did not decode */
};

/* What the status page keeps between requests (d->statusmem): the last
 * complete count, shown for CENSUS_CACHE_MS (the counts change with the
 * daily sweep, and a scan reads every state), and when errors were last
 * logged. */
struct status_memory {
	struct census_view census_cache;
	int64_t census_cache_ms; /* -1: none */
	int64_t error_logged_ms; /* log_due */
};

static struct status_memory *memory(struct vsd *d)
{
	if (!d->statusmem) {
		d->statusmem = xcalloc(1, sizeof *d->statusmem);
		d->statusmem->census_cache_ms = -1;
	}
	return d->statusmem;
}

void status_page_free(struct vsd *d)
{
	free(d->statusmem);
	d->statusmem = NULL;
}

static const char *const rule_colors[RULE_COUNT] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2",
						    "#59a14f", "#edc948", "#b07aa1", "#ff9da7"};
static const char *const school_colors[TOP_SCHOOLS] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
						       "#9467bd", "#8c564b", "#e377c2", "#17becf"};

static void add_str(struct evbuffer *b, const char *s)
{
	evbuffer_add(b, s, strlen(s));
}

static void html_escape(struct evbuffer *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': add_str(b, "&lt;"); break;
		case '>': add_str(b, "&gt;"); break;
		case '&': add_str(b, "&amp;"); break;
		case '"': add_str(b, "&quot;"); break;
		default: evbuffer_add(b, s, 1);
		}
	}
}

static struct school_count *school_of(struct page *pg, const char *code)
{
	for (int i = 0; i < pg->nschools; i++)
		if (strcmp(pg->schools[i].code, code) == 0)
			return &pg->schools[i];
	pg->schools = xrealloc(pg->schools, (size_t)(pg->nschools + 1) * sizeof *pg->schools);
	struct school_count *s = &pg->schools[pg->nschools++];
	memset(s, 0, sizeof *s);
	str_copy(s->code, code, sizeof s->code);
	return s;
}

static int cmp_total(const void *a, const void *b)
{
	const struct school_count *x = a, *y = b;
	return x->total < y->total ? 1 : x->total > y->total ? -1 : strcmp(x->code, y->code);
}

/* ---- charts ------------------------------------------------------------------ */

#define W 880
#define H 240
#define PAD_L 44
#define PAD_B 34
#define PAD_T 10

static long long nice_max(long long v)
{
	long long steps[] = {4, 8, 20, 40, 100, 200, 400, 1000, 2000, 4000, 10000, 20000, 40000};
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
		if (v <= steps[i])
			return steps[i];
	return (v + 3) / 4 * 4;
}

static void axes(struct evbuffer *b, const struct page *pg, long long ymax, const char *label)
{
	double plot_h = H - PAD_B - PAD_T;
	for (int k = 0; k <= 4; k++) {
		double y = PAD_T + plot_h - plot_h * k / 4;
		evbuffer_add_printf(b, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
				       "<text x=\"%d\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\">%lld</text>",
				    PAD_L, y, W - 4, y, PAD_L - 4, y + 3, ymax * k / 4);
	}
	double step = (double)(W - PAD_L - 4) / DAYS;
	for (int i = 0; i < DAYS; i += 7) {
		char d[DATE_STRLEN];
		date_format(pg->last - (DAYS - 1) + i, d);
		evbuffer_add_printf(b, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\">%s</text>",
				    PAD_L + step * i, H - PAD_B + 14, d + 5);
	}
	evbuffer_add_printf(b, "<text x=\"%d\" y=\"%d\" font-size=\"10\" fill=\"#555\">%s</text>", PAD_L,
			    H - 4, label);
}

static void chart_rules(struct evbuffer *b, const struct page *pg)
{
	long long max = 1;
	for (int i = 0; i < DAYS; i++) {
		long long sum = 0;
		for (int r = 0; r < RULE_COUNT; r++)
			sum += pg->by_rule[i][r];
		if (sum > max)
			max = sum;
	}
	long long ymax = nice_max(max);
	double plot_h = H - PAD_B - PAD_T, step = (double)(W - PAD_L - 4) / DAYS;
	evbuffer_add_printf(b, "<svg id=\"chart-rules\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
			       "role=\"img\" aria-label=\"tasks per day by rule\">",
			    W, H, W, H);
	axes(b, pg, ymax, "signal date (month-day); one bar per day, stacked by rule");
	for (int i = 0; i < DAYS; i++) {
		double y = PAD_T + plot_h;
		for (int r = 0; r < RULE_COUNT; r++) {
			long long v = pg->by_rule[i][r];
			if (!v)
				continue;
			double h = plot_h * (double)v / (double)ymax;
			y -= h;
			evbuffer_add_printf(b, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
					       "height=\"%.1f\" fill=\"%s\"><title>%s: %lld</title></rect>",
					    PAD_L + step * i + 1, y, step - 2, h, rule_colors[r], rule_name(r), v);
		}
	}
	add_str(b, "</svg><div class=\"legend\">");
	for (int r = 0; r < RULE_COUNT; r++)
		evbuffer_add_printf(b, "<span><i style=\"background:%s\"></i>%s</span>", rule_colors[r],
				    rule_name(r));
	add_str(b, "</div>");
}

static void chart_schools(struct evbuffer *b, struct page *pg)
{
	if (pg->nschools > 1) /* qsort of NULL is undefined even for 0 elements */
		qsort(pg->schools, (size_t)pg->nschools, sizeof *pg->schools, cmp_total);
	int n = pg->nschools < TOP_SCHOOLS ? pg->nschools : TOP_SCHOOLS;
	long long max = 1;
	for (int s = 0; s < n; s++)
		for (int i = 0; i < DAYS; i++)
			if (pg->schools[s].per_day[i] > max)
				max = pg->schools[s].per_day[i];
	long long ymax = nice_max(max);
	double plot_h = H - PAD_B - PAD_T, step = (double)(W - PAD_L - 4) / DAYS;
	evbuffer_add_printf(b, "<svg id=\"chart-schools\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
			       "role=\"img\" aria-label=\"tasks per day by school\">",
			    W, H, W, H);
	axes(b, pg, ymax, "signal date (month-day); the schools with the most tasks");
	for (int s = 0; s < n; s++) {
		evbuffer_add_printf(b, "<polyline class=\"school\" fill=\"none\" stroke-width=\"2\" "
				       "stroke=\"%s\" points=\"",
				    school_colors[s]);
		for (int i = 0; i < DAYS; i++)
			evbuffer_add_printf(b, "%.1f,%.1f ", PAD_L + step * i + step / 2,
					    PAD_T + plot_h - plot_h * (double)pg->schools[s].per_day[i] / (double)ymax);
		add_str(b, "\"/>");
	}
	add_str(b, "</svg><div class=\"legend\">");
	for (int s = 0; s < n; s++) {
		evbuffer_add_printf(b, "<span><i style=\"background:%s\"></i>", school_colors[s]);
		html_escape(b, pg->schools[s].code);
		evbuffer_add_printf(b, " (%lld)</span>", pg->schools[s].total);
	}
	add_str(b, "</div>");
}

/* ---- the census section ----------------------------------------------------------- */

static void census_cell(struct evbuffer *b, const struct page *pg, int q, long long v)
{
	int k = pg->d->cfg->base.census_min_pupils;
	if (pg->census->c[q].pupils < k)
		evbuffer_add_printf(b, "<td>&lt; %d</td>", k);
	else
		evbuffer_add_printf(b, "<td>%lld</td>", v);
}

static long long bucket_sum(const long long *v)
{
	long long n = 0;
	for (int i = 0; i < CENSUS_BUCKETS; i++)
		n += v[i];
	return n;
}

/* The chart: LRV and long-sick totals per census date, as bars side by
 * side (a scope under the privacy threshold draws no bars). */
static void census_chart(struct evbuffer *b, const struct page *pg)
{
	const struct census_view *cv = pg->census;
	int k = pg->d->cfg->base.census_min_pupils;
	long long max = 1;
	for (int q = 0; q < cv->n; q++) {
		long long l = bucket_sum(cv->c[q].lrv), s = bucket_sum(cv->c[q].long_sick);
		if (l > max)
			max = l;
		if (s > max)
			max = s;
	}
	long long ymax = nice_max(max);
	double plot_h = H - PAD_B - PAD_T, step = (double)(W - PAD_L - 4) / CENSUS_QUARTERS;
	evbuffer_add_printf(b, "<svg id=\"chart-census\" width=\"%d\" height=\"%d\" "
			       "role=\"img\" aria-label=\"thuiszitters and long-sick pupils per census date\">",
			    W, H);
	for (int i = 0; i <= 4; i++) {
		double y = PAD_T + plot_h - plot_h * i / 4;
		evbuffer_add_printf(b, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
				       "<text x=\"%d\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\">%lld</text>",
				    PAD_L, y, W - 4, y, PAD_L - 4, y + 3, ymax * i / 4);
	}
	for (int q = 0; q < cv->n; q++) {
		double x = PAD_L + step * q;
		char d[DATE_STRLEN];
		date_format(cv->dates[q], d);
		evbuffer_add_printf(b, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\">%s</text>", x + 4,
				    H - PAD_B + 14, d);
		if (cv->c[q].pupils < k)
			continue;
		long long v[2] = {bucket_sum(cv->c[q].lrv), bucket_sum(cv->c[q].long_sick)};
		static const char *const colour[2] = {"#8e44ad", "#16a085"};
		for (int j = 0; j < 2; j++) {
			double h = plot_h * (double)v[j] / (double)ymax;
			evbuffer_add_printf(b, "<rect class=\"census-bar\" x=\"%.1f\" y=\"%.1f\" "
					       "width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s %lld</title></rect>",
					    x + 4 + j * step * 0.4, PAD_T + plot_h - h, step * 0.38, h,
					    colour[j], j ? "long-sick" : "LRV", v[j]);
		}
	}
	add_str(b, "</svg><div class=\"legend\"><span><i style=\"background:#8e44ad\"></i>LRV / "
		   "thuiszitters</span><span><i style=\"background:#16a085\"></i>long-sick</span></div>");
}

static void render_census(struct evbuffer *b, const struct page *pg)
{
	const struct census_view *cv = pg->census;
	add_str(b, "<h2>Quarterly census, region</h2>");
	if (!cv) {
		add_str(b, "<p id=\"census\">The pupil states could not be read for the census; "
			   "try again (see the log).</p>");
		return;
	}
	if (cv->n == 0) {
		add_str(b, "<p id=\"census\">No census date in the configured school years yet.</p>");
		return;
	}
	add_str(b, "<table id=\"census\"><tr><th></th>");
	for (int q = 0; q < cv->n; q++) {
		char d[DATE_STRLEN];
		date_format(cv->dates[q], d);
		evbuffer_add_printf(b, "<th>%s</th>", d);
	}
	add_str(b, "</tr>");
	static const char *const bucket_label[CENSUS_BUCKETS] = {"4 weeks - 3 months",
								   "3 months - 1 year", "over 1 year"};
	for (int kind = 0; kind < 2; kind++)
		for (int i = 0; i < CENSUS_BUCKETS; i++) {
			evbuffer_add_printf(b, "<tr><td>%s, %s</td>", kind ? "long-sick" : "LRV",
					    bucket_label[i]);
			for (int q = 0; q < cv->n; q++)
				census_cell(b, pg, q, kind ? cv->c[q].long_sick[i] : cv->c[q].lrv[i]);
			add_str(b, "</tr>");
		}
	add_str(b, "<tr><td>new absolute verzuimers</td>");
	for (int q = 0; q < cv->n; q++)
		census_cell(b, pg, q, cv->c[q].absolute_new);
	add_str(b, "</tr><tr><td>16-hour reports</td>");
	for (int q = 0; q < cv->n; q++)
		census_cell(b, pg, q, cv->c[q].reports_16u);
	add_str(b, "</tr></table>");
	census_chart(b, pg);
	evbuffer_add_printf(b, "<p>Pupils in a run of unauthorised (LRV) or sick school days on the "
			       "last school day of September, December, March and June, by run "
			       "length; signals dated in the quarter. vroegsignaal census gives the "
			       "schools and sectors (docs/census.md).%s</p>",
			    cv->unreadable ? " Some pupil states could not be read and are left out." : "");
}

/* ---- the page ------------------------------------------------------------------ */

static void render(struct page *pg)
{
	struct vsd *d = pg->d;
	struct evbuffer *b = evbuffer_new();
	if (!b)
		abort();
	char now[40];
	format_instant(vsd_wall_ms(), now, sizeof now);
	evbuffer_add_printf(
		b,
		"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
		"<meta http-equiv=\"refresh\" content=\"30\"><title>vroegsignaal status</title><style>"
		"body{font:14px system-ui,sans-serif;margin:20px;color:#222;max-width:920px}"
		"h1{font-size:20px}h2{font-size:16px;margin-top:28px}"
		"table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:3px 10px;"
		"text-align:right}th:first-child,td:first-child{text-align:left}"
		".legend span{margin-right:14px;font-size:12px}.legend i{display:inline-block;width:10px;"
		"height:10px;margin-right:4px}.alert{color:#b00020;font-weight:bold}.ok{color:#2a7d2a}"
		"</style></head><body><h1>vroegsignaal status</h1><p>%s · consumer %s · %d of %d "
		"partition(s) owned here · redis %s</p>",
		now, d->cfg->daemon.consumer, vsd_owned(d), d->nparts, rconn_state_name(rconn_state(d->cmd)));
	const struct ops_snapshot *o = &d->ops;
	/* alerts first */
	add_str(b, "<h2>Alerts</h2><ul id=\"alerts\">");
	int alerts = 0;
	if (d->gen.mismatch) {
		add_str(b, "<li class=\"alert\" id=\"generation\">redis generation mismatch: ");
		html_escape(b, d->gen.reason);
		add_str(b, ". Not consuming or dispatching: check Redis, then run "
			   "<code>vroegsignaal generation confirm</code>.</li>");
		alerts++;
	}
	if (rwait_degraded(&d->wait)) {
		evbuffer_add_printf(b, "<li class=\"alert\" id=\"replicas\">fewer than %d Redis "
				       "replica(s) confirm writes (redis.min_replicas): nothing is consumed "
				       "or delivered until they do.</li>",
				    d->wait.min_replicas);
		alerts++;
	}
	for (int i = 0; i < o->nquarantined; i++, alerts++) {
		add_str(b, "<li class=\"alert\">school day in quarantine: ");
		html_escape(b, o->quarantined[i]);
		evbuffer_add_printf(b, " (vroegsignaal quarantine list)</li>");
	}
	/* the state in Redis (all partitions): it clears once they are delivered */
	for (int i = 0; i < o->npartners; i++) {
		if (o->undeliverable[i] <= 0)
			continue;
		add_str(b, "<li class=\"alert\">");
		html_escape(b, o->partner[i]);
		evbuffer_add_printf(b, ": %lld assignment(s) not delivered in time or refused "
				       "(vroegsignaal redeliver)</li>",
				    o->undeliverable[i]);
		alerts++;
	}
	if (d->dstats.tasks_unrouted || d->dstats.unrouted) {
		evbuffer_add_printf(b, "<li class=\"alert\" id=\"unrouted\">%llu task(s) reached no "
				       "partner at all and %llu task role(s) had no partner serving the "
				       "school since the start (audit event unrouted; run vroegsignaal "
				       "check-config)</li>",
				    d->dstats.tasks_unrouted, d->dstats.unrouted);
		alerts++;
	}
	for (int i = 0; d->parts && i < d->nparts; i++) { /* none yet at start-up */
		if (!partition_stalled(d->parts[i]))
			continue;
		alerts++;
		evbuffer_add_printf(b, "<li class=\"alert\">partition %d is stalled: it holds its lease "
				       "and made no progress for %d ms; restarted from the lease %llu "
				       "time(s)</li>",
				    i, d->cfg->daemon.stall_ms, partition_stall_restarts(d->parts[i]));
	}
	if (pg->errors) {
		evbuffer_add_printf(b, "<li class=\"alert\">%d per-day counter read(s) failed; the charts "
				       "leave them out (see the log)</li>",
				    pg->errors);
		alerts++;
	}
	if (o->errors) {
		evbuffer_add_printf(b, "<li class=\"alert\">%d read(s) of the last operations poll "
				       "failed; their values show as -1 (see the log)</li>",
				    o->errors);
		alerts++;
	}
	if (o->dead > 0) {
		evbuffer_add_printf(b, "<li class=\"alert\">%lld dead letter(s): invalid registrations "
				       "(XRANGE vs:{p}:dead)</li>",
				    o->dead);
		alerts++;
	}
	if (!alerts)
		evbuffer_add_printf(b, "<li class=\"ok\">none</li>");
	add_str(b, "</ul>");
	if (pg->last != DATE_NONE) {
		char from[DATE_STRLEN], to[DATE_STRLEN];
		date_format(pg->last - (DAYS - 1), from);
		date_format(pg->last, to);
		evbuffer_add_printf(b, "<h2>Tasks per day by rule, %s to %s</h2>", from, to);
		chart_rules(b, pg);
		evbuffer_add_printf(b, "<h2>Tasks per day by school</h2>");
		chart_schools(b, pg);
	} else {
		evbuffer_add_printf(b, "<h2>Tasks per day</h2><p>No tasks yet.</p>");
	}
	evbuffer_add_printf(b, "<h2>Partners</h2><table id=\"partners\"><tr><th>partner</th><th>role</th>"
			       "<th>open</th><th>overdue</th><th>cases</th><th>cases open</th>"
			       "<th>cases overdue</th><th>cases in progress</th><th>undeliverable</th>"
			       "<th>delivered</th><th>updates</th><th>retried</th>"
			       "<th>failed</th><th>acknowledged</th></tr>");
	const struct partners_config *pc = d->cfg->partners;
	for (int i = 0; i < pc->npartners; i++) {
		const struct partner *p = &pc->partners[i];
		long long open = -1, overdue = -1, cases = -1, undeliv = -1, cs[3] = {-1, -1, -1};
		for (int k = 0; k < o->npartners; k++)
			if (strcmp(o->partner[k], p->id) == 0) {
				open = o->open[k];
				overdue = o->overdue[k];
				cases = o->cases[k];
				for (int j = 0; j < 3; j++)
					cs[j] = o->case_states[3 * k + j];
				undeliv = o->undeliverable[k];
			}
		unsigned long long dl = 0, up = 0, rt = 0, fl = 0, ak = 0;
		for (int k = 0; k < d->dstats.npartners; k++) {
			const struct partner_stats *st = &d->dstats.partners[k];
			if (strcmp(st->partner, p->id) != 0)
				continue;
			dl += st->delivered;
			up += st->updates;
			rt += st->retried;
			fl += st->failed;
			ak += st->acks;
		}
		add_str(b, "<tr><td>");
		html_escape(b, p->id);
		evbuffer_add_printf(b, "</td><td>%s</td><td>%lld</td><td%s>%lld</td><td>%lld</td>"
				       "<td>%lld</td><td%s>%lld</td><td>%lld</td><td%s>%lld</td>"
				       "<td>%llu</td><td>%llu</td><td>%llu</td><td>%llu</td><td>%llu</td></tr>",
				    role_name(p->role), open, overdue > 0 ? " class=\"alert\"" : "", overdue, cases,
				    cs[0], cs[1] > 0 ? " class=\"alert\"" : "", cs[1], cs[2],
				    undeliv > 0 ? " class=\"alert\"" : "", undeliv, dl, up, rt, fl, ak);
	}
	evbuffer_add_printf(b, "</table><p>Delivery counts since this instance started; open and overdue "
			       "over all partitions.</p>");
	evbuffer_add_printf(b, "<h2>Quarantine and closures</h2><p id=\"quarantine\">%d school day(s) in "
			       "quarantine holding %lld task(s); %d closure(s) applied.</p>",
			    o->nquarantined, o->held, o->closures);
	render_census(b, pg);
	evbuffer_add_printf(b, "</body></html>\n");
	struct evkeyvalq *h = evhttp_request_get_output_headers(pg->req);
	evhttp_add_header(h, "Content-Type", "text/html; charset=utf-8");
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_add_header(h, "Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
	evhttp_send_reply(pg->req, 200, "OK", b);
	evbuffer_free(b);
}

static void page_free(struct page *pg)
{
	free(pg->census);
	free(pg->schools);
	free(pg);
}

static bool census_start(struct page *pg);

static void finish(struct page *pg)
{
	if (!pg->failed && !pg->census_done && census_start(pg))
		return; /* finish runs again once the states are counted */
	if (pg->errors && log_due(&memory(pg->d)->error_logged_ms, vsd_wall_ms(), 10 * 60 * 1000))
		log_warn("status page: %d Redis repl%s an error (first: %s); the page leaves out "
			 "their counters (logged at most every 10 minutes)",
			 pg->errors, pg->errors == 1 ? "y was" : "ies were", pg->first_error);
	if (pg->failed) {
		struct evbuffer *b = evbuffer_new();
		evbuffer_add_printf(b, "redis is not reachable; try again\n");
		evhttp_add_header(evhttp_request_get_output_headers(pg->req), "Content-Type", "text/plain");
		evhttp_send_reply(pg->req, 503, "Service Unavailable", b);
		evbuffer_free(b);
	} else {
		if (pg->skipped)
			log_warn("status page: %d daily counters were not strings or out of range; "
				 "they are left out",
				 pg->skipped);
		render(pg);
	}
	page_free(pg);
}

struct day_req {
	struct page *pg;
	int day; /* index 0..DAYS-1, -1: the latest-date round */
};

static void fetch_days(struct page *pg);

/* The charts end at the latest signal date, or today (local) when signals
 * dated ahead exist (registrations recorded in advance). */
static void clamp_to_today(struct page *pg)
{
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	int32_t today = (int32_t)((now + tm.tm_gmtoff) / 86400);
	if (pg->last != DATE_NONE && pg->last > today)
		pg->last = today;
}

static void on_reply(struct rconn *rc, redisReply *r, void *arg)
{
	(void)rc;
	struct day_req *q = arg;
	struct page *pg = q->pg;
	if (!r) {
		pg->failed = true;
	} else if (r->type == REDIS_REPLY_ERROR) {
		/* one bad key (a wrong type, say) costs its own counters only */
		if (!pg->errors++)
			snprintf(pg->first_error, sizeof pg->first_error, "%.120s", r->str);
	} else if (q->day < 0) {
		int32_t day;
		if (r->type == REDIS_REPLY_STRING && date_parse(r->str, &day) == 0 &&
		    (pg->last == DATE_NONE || day > pg->last))
			pg->last = day;
	} else if (r->type == REDIS_REPLY_ARRAY) {
		for (size_t i = 0; i + 1 < r->elements; i += 2) {
			/* a field that is not a string or a counter out of range
			 * (a damaged or hostile hash) is left out of the charts */
			const char *f = rd_string(r->element[i]);
			int64_t v;
			if (!f || rd_counter(r->element[i + 1], &v) != 0) {
				pg->skipped++;
				continue;
			}
			if (strncmp(f, "r:", 2) == 0) {
				int rule = rule_by_name(f + 2);
				if (rule >= 0)
					pg->by_rule[q->day][rule] += v;
			} else if (strncmp(f, "s:", 2) == 0) {
				struct school_count *s = school_of(pg, f + 2);
				s->per_day[q->day] += v;
				s->total += v;
			}
		}
	}
	bool first_round = q->day < 0;
	free(q);
	if (--pg->waiting > 0)
		return;
	if (first_round)
		clamp_to_today(pg);
	if (first_round && !pg->failed && pg->last != DATE_NONE)
		fetch_days(pg);
	else
		finish(pg);
}

static void send_cmd(struct page *pg, int day, int argc, const char **argv)
{
	struct day_req *q = xmalloc(sizeof *q);
	*q = (struct day_req){pg, day};
	size_t lens[4];
	for (int i = 0; i < argc; i++)
		lens[i] = strlen(argv[i]);
	pg->waiting++;
	if (rconn_command(pg->d->cmd, on_reply, q, 0, argc, argv, lens) != 0) {
		free(q);
		pg->waiting--;
		pg->failed = true;
	}
}

static void fetch_days(struct page *pg)
{
	pg->waiting = 1;
	for (int p = 0; p < pg->d->nparts; p++) {
		for (int i = 0; i < DAYS; i++) {
			char key[64], d[DATE_STRLEN];
			date_format(pg->last - (DAYS - 1) + i, d);
			key_build(key, sizeof key, p, KEY_DAILY, d);
			const char *argv[] = {"HGETALL", key};
			send_cmd(pg, i, 2, argv);
		}
	}
	if (--pg->waiting == 0)
		finish(pg);
}

/* ---- the census scan ------------------------------------------------------------ */

static void census_scan_next(struct page *pg);

static void census_done(struct page *pg, bool complete)
{
	pg->census_done = true;
	if (complete) {
		memory(pg->d)->census_cache = *pg->census;
		memory(pg->d)->census_cache_ms = vsd_wall_ms();
	} else {
		free(pg->census); /* a reply was lost: no section rather than a partial count */
		pg->census = NULL;
	}
	finish(pg);
}

/* One pupil state counted at every census date of the view. */
static void census_view_add(const struct pupil_state *st, void *arg)
{
	struct page *pg = arg;
	struct rules_env env = {&pg->d->cfg->base.rules, pg->d->cfg->base.years};
	struct census_view *cv = pg->census;
	for (int q = 0; q < cv->n; q++)
		census_count_pupil(&env, st, cv->dates[q], cv->from[q], &cv->c[q]);
}

static void on_census(struct rconn *rc, redisReply *r, void *arg)
{
	(void)rc;
	struct page *pg = arg;
	if (statescan_page(r, pg->census_cursor, sizeof pg->census_cursor, census_view_add, pg,
			   &pg->census->unreadable) != 0) {
		if (r && r->type == REDIS_REPLY_ERROR && !pg->errors++)
			snprintf(pg->first_error, sizeof pg->first_error, "%.120s", r->str);
		census_done(pg, false);
		return;
	}
	if (strcmp(pg->census_cursor, "0") == 0) {
		pg->census_part++;
		if (pg->census_part >= pg->d->nparts) {
			census_done(pg, true);
			return;
		}
	}
	census_scan_next(pg);
}

static void census_scan_next(struct page *pg)
{
	char key[KEY_MAX];
	key_build(key, sizeof key, pg->census_part, KEY_STATE, NULL);
	const char *argv[] = {"HSCAN", key, pg->census_cursor, "COUNT", "500"};
	size_t lens[5];
	for (int i = 0; i < 5; i++)
		lens[i] = strlen(argv[i]);
	if (rconn_command(pg->d->cmd, on_census, pg, 0, 5, argv, lens) != 0)
		census_done(pg, false);
}

/* Starts counting the census (true: finish runs again when done), or
 * takes the cached count (false). */
static bool census_start(struct page *pg)
{
	pg->census_done = true;
	const struct school_years *ys = pg->d->cfg->base.years;
	if (!ys || pg->d->nparts <= 0)
		return false;
	struct census_view *cv = xcalloc(1, sizeof *cv);
	int64_t now = vsd_wall_ms();
	cv->n = census_quarter_dates(ys, clock_local_date(now), CENSUS_QUARTERS, cv->dates);
	for (int q = 0; q < cv->n; q++)
		cv->from[q] = q > 0 ? cv->dates[q - 1] + 1 : census_period_from(ys, cv->dates[q]);
	pg->census = cv;
	if (cv->n == 0)
		return false;
	const struct status_memory *m = memory(pg->d);
	if (m->census_cache_ms >= 0 && now - m->census_cache_ms < CENSUS_CACHE_MS &&
	    m->census_cache.n == cv->n && m->census_cache.dates[cv->n - 1] == cv->dates[cv->n - 1]) {
		*cv = m->census_cache;
		return false;
	}
	pg->census_done = false;
	pg->census_part = 0;
	str_copy(pg->census_cursor, "0", sizeof pg->census_cursor);
	census_scan_next(pg);
	return true;
}

static bool allowed(struct vsd *d, struct evhttp_request *req)
{
	const char *auth = evhttp_find_header(evhttp_request_get_input_headers(req), "Authorization");
	if (auth && strncmp(auth, "Bearer ", 7) == 0 && d->cfg->ops.has_token &&
	    token_matches(d->cfg->ops.token_sha256, auth + 7))
		return true;
	char *host = NULL;
	ev_uint16_t port;
	evhttp_connection_get_peer(evhttp_request_get_connection(req), &host, &port);
	return host && (strcmp(host, "127.0.0.1") == 0 || strcmp(host, "::1") == 0 ||
			strncmp(host, "::ffff:127.", 11) == 0);
}

void status_page(struct vsd *d, struct evhttp_request *req)
{
	if (!allowed(d, req)) {
		struct evbuffer *b = evbuffer_new();
		evbuffer_add_printf(b, "the status page needs the operations token (or loopback)\n");
		evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "text/plain");
		evhttp_add_header(evhttp_request_get_output_headers(req), "WWW-Authenticate",
				  "Bearer realm=\"vroegsignaal operations\"");
		evhttp_send_reply(req, 401, "Unauthorized", b);
		evbuffer_free(b);
		return;
	}
	struct page *pg = xcalloc(1, sizeof *pg);
	pg->d = d;
	pg->req = req;
	pg->last = DATE_NONE;
	if (rconn_state(d->cmd) != RC_READY) {
		pg->failed = true;
		finish(pg);
		return;
	}
	pg->waiting = 1;
	for (int p = 0; p < d->nparts; p++) {
		char key[48];
		key_build(key, sizeof key, p, KEY_DAILY, NULL);
		const char *argv[] = {"GET", key};
		send_cmd(pg, -1, 2, argv);
	}
	if (--pg->waiting == 0) {
		clamp_to_today(pg);
		if (!pg->failed && pg->last != DATE_NONE)
			fetch_days(pg);
		else
			finish(pg);
	}
}
