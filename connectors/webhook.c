/*
 * webhook: POST the payload to the partner's URL (libcurl multi).
 *
 * HTTPS verifies the certificate and the host name (a CA file may be
 * configured); no redirects are followed. Headers: Content-Type,
 * Idempotency-Key, X-Vroegsignaal-Timestamp (Unix seconds) and
 * X-Vroegsignaal-Signature: sha256=HMAC-SHA256(secret, timestamp "." body).
 * 2xx delivered; 408, 429, 5xx and transport errors retried (with the
 * partner's Retry-After); any other status is a permanent failure.
 */
#include "connector.h"

#include "util.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

struct webhook_job {
	struct delivery *dl;
	struct curl_slist *headers;
};

static size_t discard(char *ptr, size_t size, size_t nmemb, void *arg)
{
	(void)ptr;
	(void)arg;
	return size * nmemb;
}

static void webhook_done(CURL *easy, CURLcode rc, void *arg)
{
	struct webhook_job *job = arg;
	struct delivery *dl = job->dl;
	long status = 0;
	dl->aborted = rc == CURLE_ABORTED_BY_CALLBACK;
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
	curl_off_t retry_after = 0;
	curl_easy_getinfo(easy, CURLINFO_RETRY_AFTER, &retry_after);
	if (rc != CURLE_OK) {
		dl->outcome = DL_RETRY;
		snprintf(dl->detail, sizeof dl->detail, "transport: %s", curl_easy_strerror(rc));
	} else if (status >= 200 && status < 300) {
		dl->outcome = DL_DELIVERED;
		snprintf(dl->detail, sizeof dl->detail, "HTTP %ld", status);
	} else if (status == 408 || status == 429 || status >= 500) {
		dl->outcome = DL_RETRY;
		dl->retry_after_s = (long)retry_after;
		snprintf(dl->detail, sizeof dl->detail, "HTTP %ld", status);
	} else {
		dl->outcome = DL_FAILED;
		snprintf(dl->detail, sizeof dl->detail, "HTTP %ld (refused)", status);
	}
	curl_slist_free_all(job->headers);
	curl_easy_cleanup(easy);
	free(job);
	dl->done(dl);
}

static int webhook_send(struct connector_env *env, struct delivery *dl)
{
	const struct connector_cfg *cc = dl->cc;
	CURL *easy = curl_easy_init();
	if (!easy) {
		dl->outcome = DL_RETRY;
		str_copy(dl->detail, "cannot create a transfer", sizeof dl->detail);
		return CONNECTOR_DONE;
	}
	struct webhook_job *job = xcalloc(1, sizeof *job);
	job->dl = dl;
	char ts[24], line[200];
	snprintf(ts, sizeof ts, "%lld", (long long)time(NULL));
	job->headers = curl_slist_append(job->headers, "Content-Type: application/json; charset=utf-8");
	snprintf(line, sizeof line, "Idempotency-Key: %s", dl->idempotency_key);
	job->headers = curl_slist_append(job->headers, line);
	snprintf(line, sizeof line, "X-Vroegsignaal-Timestamp: %s", ts);
	job->headers = curl_slist_append(job->headers, line);
	char sig[80];
	webhook_signature(cc->secret, ts, dl->body, dl->body_len, sig, sizeof sig);
	snprintf(line, sizeof line, "X-Vroegsignaal-Signature: %s", sig);
	job->headers = curl_slist_append(job->headers, line);
	job->headers = curl_slist_append(job->headers, "Expect:");
	curl_easy_setopt(easy, CURLOPT_URL, cc->url);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, job->headers);
	curl_easy_setopt(easy, CURLOPT_POSTFIELDS, dl->body);
	curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)dl->body_len);
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, (long)cc->connect_timeout_ms);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)cc->timeout_ms);
	curl_easy_setopt(easy, CURLOPT_USERAGENT, "vroegsignaald");
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
	if (cc->ca_file)
		curl_easy_setopt(easy, CURLOPT_CAINFO, cc->ca_file);
	if (curlev_add(env->curl, easy, webhook_done, job) != 0) {
		curl_slist_free_all(job->headers);
		curl_easy_cleanup(easy);
		free(job);
		dl->outcome = DL_RETRY;
		str_copy(dl->detail, "cannot start the transfer", sizeof dl->detail);
		return CONNECTOR_DONE;
	}
	return CONNECTOR_PENDING;
}

const struct connector_ops connector_webhook = {CONN_WEBHOOK, webhook_send};
