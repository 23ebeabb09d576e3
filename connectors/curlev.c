/*
 * curlev: libcurl's multi interface on the libevent loop.
 *
 * libcurl tells us which sockets to watch (socket callback) and when to
 * call it back (timer callback); both only (re)arm libevent events. The
 * events' callbacks call curl_multi_socket_action and then collect finished
 * transfers, so curl_multi_remove_handle is never called from inside
 * libcurl (STYLE.md, "Pitfalls").
 */
#include "connector.h"

#include "util.h"

#include <stdlib.h>

/* Idle connections kept for reuse, over all partners. */
#define CURLEV_MAX_CONNECTS 1024

struct curlev {
	struct event_base *base;
	CURLM *multi;
	struct event *timer;
	struct curlev_job *jobs; /* transfers in flight (a list, for curlev_free) */
};

struct curlev_job {
	CURL *easy;
	curlev_done_fn done;
	void *arg;
	struct curlev_job *prev, *next;
};

static void job_unlink(struct curlev *cv, struct curlev_job *job)
{
	if (job->prev)
		job->prev->next = job->next;
	else
		cv->jobs = job->next;
	if (job->next)
		job->next->prev = job->prev;
}

struct curlev_sock {
	struct event *ev;
	struct curlev *cv;
};

static void collect(struct curlev *cv)
{
	CURLMsg *msg;
	int left;
	while ((msg = curl_multi_info_read(cv->multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		CURL *easy = msg->easy_handle;
		CURLcode rc = msg->data.result;
		struct curlev_job *job = NULL;
		curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&job);
		curl_multi_remove_handle(cv->multi, easy);
		if (job) {
			job_unlink(cv, job);
			job->done(easy, rc, job->arg);
			free(job);
		}
	}
}

static void on_socket(evutil_socket_t fd, short what, void *arg)
{
	struct curlev *cv = arg;
	int flags = (what & EV_READ ? CURL_CSELECT_IN : 0) | (what & EV_WRITE ? CURL_CSELECT_OUT : 0);
	int running;
	curl_multi_socket_action(cv->multi, fd, flags, &running);
	collect(cv);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct curlev *cv = arg;
	int running;
	curl_multi_socket_action(cv->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	collect(cv);
}

static int socket_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	(void)easy;
	struct curlev *cv = userp;
	struct curlev_sock *cs = socketp;
	if (what == CURL_POLL_REMOVE) {
		if (cs) {
			event_free(cs->ev);
			free(cs);
			curl_multi_assign(cv->multi, s, NULL);
		}
		return 0;
	}
	short events = EV_PERSIST | (what & CURL_POLL_IN ? EV_READ : 0) | (what & CURL_POLL_OUT ? EV_WRITE : 0);
	if (!cs) {
		cs = xcalloc(1, sizeof *cs);
		cs->cv = cv;
		curl_multi_assign(cv->multi, s, cs);
	} else {
		event_free(cs->ev);
	}
	cs->ev = event_new(cv->base, s, events, on_socket, cv);
	if (!cs->ev)
		abort();
	event_add(cs->ev, NULL);
	return 0;
}

static int timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	(void)multi;
	struct curlev *cv = userp;
	if (timeout_ms < 0) {
		evtimer_del(cv->timer);
		return 0;
	}
	struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
	evtimer_add(cv->timer, &tv);
	return 0;
}

struct curlev *curlev_new(struct event_base *base)
{
	struct curlev *cv = xcalloc(1, sizeof *cv);
	cv->base = base;
	cv->multi = curl_multi_init();
	cv->timer = evtimer_new(base, on_timer, cv);
	if (!cv->multi || !cv->timer)
		abort();
	curl_multi_setopt(cv->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
	curl_multi_setopt(cv->multi, CURLMOPT_SOCKETDATA, cv);
	curl_multi_setopt(cv->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(cv->multi, CURLMOPT_TIMERDATA, cv);
	/* Finished transfers leave their connections in the multi handle's
	 * cache, and the next transfer to the same partner reuses one. Without
	 * a fixed size the cache is sized by the transfers running at that
	 * moment, so each time few ran it closed connections the next burst
	 * had to open again (about one new TCP connection per 5 requests). */
	curl_multi_setopt(cv->multi, CURLMOPT_MAXCONNECTS, (long)CURLEV_MAX_CONNECTS);
	return cv;
}

int curlev_add(struct curlev *cv, CURL *easy, curlev_done_fn done, void *arg)
{
	struct curlev_job *job = xcalloc(1, sizeof *job);
	job->easy = easy;
	job->done = done;
	job->arg = arg;
	curl_easy_setopt(easy, CURLOPT_PRIVATE, job);
	if (curl_multi_add_handle(cv->multi, easy) != CURLM_OK) {
		free(job);
		return -1;
	}
	job->next = cv->jobs;
	if (cv->jobs)
		cv->jobs->prev = job;
	cv->jobs = job;
	return 0;
}

void curlev_abort_all(struct curlev *cv)
{
	/* Transfers still running end as aborted, so their owners free them
	 * (their outcome is unknown; the outbox sends them again). */
	while (cv && cv->jobs) {
		struct curlev_job *job = cv->jobs;
		job_unlink(cv, job);
		curl_multi_remove_handle(cv->multi, job->easy);
		job->done(job->easy, CURLE_ABORTED_BY_CALLBACK, job->arg);
		free(job);
	}
}

void curlev_abort_matching(struct curlev *cv, bool (*match)(void *arg, const void *ctx),
			   const void *ctx)
{
	/* Start over from the head after each one: done may change the list. */
	struct curlev_job *job = cv ? cv->jobs : NULL;
	while (job) {
		if (!match(job->arg, ctx)) {
			job = job->next;
			continue;
		}
		job_unlink(cv, job);
		curl_multi_remove_handle(cv->multi, job->easy);
		job->done(job->easy, CURLE_ABORTED_BY_CALLBACK, job->arg);
		free(job);
		job = cv->jobs;
	}
}

void curlev_free(struct curlev *cv)
{
	if (!cv)
		return;
	curlev_abort_all(cv);
	curl_multi_cleanup(cv->multi);
	event_free(cv->timer);
	free(cv);
}
