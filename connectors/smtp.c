/*
 * smtp: a short Dutch e-mail through libcurl's SMTP (multi, on the loop).
 *
 * STARTTLS is required unless the partner's connector says "starttls":
 * "off"; the server certificate is verified (a CA file may be configured).
 * Accepted = delivered; a 5xx reply is a permanent failure; anything else
 * (4xx, no TLS offered, network) is retried.
 */
#include "connector.h"

#include "util.h"

#include <stdio.h>
#include <string.h>

struct smtp_job {
	struct delivery *dl;
	struct curl_slist *rcpt;
};

static size_t read_message(char *buf, size_t size, size_t nitems, void *arg)
{
	struct delivery *dl = arg;
	size_t room = size * nitems, left = dl->message_len - dl->message_off;
	size_t n = left < room ? left : room;
	memcpy(buf, dl->message + dl->message_off, n);
	dl->message_off += n;
	return n;
}

static void smtp_done(CURL *easy, CURLcode rc, void *arg)
{
	struct smtp_job *job = arg;
	struct delivery *dl = job->dl;
	long code = 0;
	dl->aborted = rc == CURLE_ABORTED_BY_CALLBACK;
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
	if (rc == CURLE_OK) {
		dl->outcome = DL_DELIVERED;
		snprintf(dl->detail, sizeof dl->detail, "SMTP %ld", code);
	} else if (code >= 500 && code < 600) {
		dl->outcome = DL_FAILED;
		snprintf(dl->detail, sizeof dl->detail, "SMTP %ld: %s", code, curl_easy_strerror(rc));
	} else {
		dl->outcome = DL_RETRY;
		snprintf(dl->detail, sizeof dl->detail, "SMTP %ld: %s", code, curl_easy_strerror(rc));
	}
	curl_slist_free_all(job->rcpt);
	curl_easy_cleanup(easy);
	free(job);
	dl->done(dl);
}

static int smtp_send(struct connector_env *env, struct delivery *dl)
{
	const struct connector_cfg *cc = dl->cc;
	CURL *easy = curl_easy_init();
	if (!easy) {
		dl->outcome = DL_RETRY;
		str_copy(dl->detail, "cannot create a transfer", sizeof dl->detail);
		return CONNECTOR_DONE;
	}
	struct smtp_job *job = xcalloc(1, sizeof *job);
	job->dl = dl;
	for (int i = 0; i < cc->nto; i++)
		job->rcpt = curl_slist_append(job->rcpt, cc->to[i]);
	dl->message_off = 0;
	curl_easy_setopt(easy, CURLOPT_URL, cc->url);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_MAIL_FROM, cc->from);
	curl_easy_setopt(easy, CURLOPT_MAIL_RCPT, job->rcpt);
	curl_easy_setopt(easy, CURLOPT_READFUNCTION, read_message);
	curl_easy_setopt(easy, CURLOPT_READDATA, dl);
	curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, (curl_off_t)dl->message_len);
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, (long)cc->connect_timeout_ms);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)cc->timeout_ms);
	curl_easy_setopt(easy, CURLOPT_USE_SSL, cc->starttls_required ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_NONE);
	curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
	if (cc->ca_file)
		curl_easy_setopt(easy, CURLOPT_CAINFO, cc->ca_file);
	if (cc->username) {
		curl_easy_setopt(easy, CURLOPT_USERNAME, cc->username);
		curl_easy_setopt(easy, CURLOPT_PASSWORD, cc->password ? cc->password : "");
	}
	if (curlev_add(env->curl, easy, smtp_done, job) != 0) {
		curl_slist_free_all(job->rcpt);
		curl_easy_cleanup(easy);
		free(job);
		dl->outcome = DL_RETRY;
		str_copy(dl->detail, "cannot start the transfer", sizeof dl->detail);
		return CONNECTOR_DONE;
	}
	return CONNECTOR_PENDING;
}

const struct connector_ops connector_smtp = {CONN_SMTP, smtp_send};
