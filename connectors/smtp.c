/*
 * smtp: a short Dutch e-mail through libcurl's SMTP (multi, on the loop).
 *
 * STARTTLS is required unless the partner's connector says "starttls":
 * "off"; the server certificate is verified (a CA file may be configured).
 * Accepted = delivered; a 5xx reply is a permanent failure; anything else
 * (4xx, no TLS offered, network) is retried.
 */
#include "connector.h"


#include <stdio.h>
#include <string.h>

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
	long code = 0;
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
	struct delivery *dl = transfer_end(arg, rc);
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
	dl->done(dl);
}

static int smtp_send(struct connector_env *env, struct delivery *dl)
{
	const struct connector_cfg *cc = dl->cc;
	struct transfer *t = transfer_new(dl, "smtp,smtps");
	if (!t)
		return CONNECTOR_DONE;
	for (int i = 0; i < cc->nto; i++)
		t->list = curl_slist_append(t->list, cc->to[i]);
	dl->message_off = 0;
	curl_easy_setopt(t->easy, CURLOPT_MAIL_FROM, cc->from);
	curl_easy_setopt(t->easy, CURLOPT_MAIL_RCPT, t->list);
	curl_easy_setopt(t->easy, CURLOPT_READFUNCTION, read_message);
	curl_easy_setopt(t->easy, CURLOPT_READDATA, dl);
	curl_easy_setopt(t->easy, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(t->easy, CURLOPT_INFILESIZE_LARGE, (curl_off_t)dl->message_len);
	curl_easy_setopt(t->easy, CURLOPT_USE_SSL,
			 cc->starttls_required ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_NONE);
	if (cc->username) {
		curl_easy_setopt(t->easy, CURLOPT_USERNAME, cc->username);
		curl_easy_setopt(t->easy, CURLOPT_PASSWORD, cc->password ? cc->password : "");
	}
	return transfer_start(env, t, smtp_done);
}

const struct connector_ops connector_smtp = {CONN_SMTP, smtp_send};
