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

#include "signing.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static size_t discard(char *ptr, size_t size, size_t nmemb, void *arg)
{
	(void)ptr;
	(void)arg;
	return size * nmemb;
}

static void webhook_done(CURL *easy, CURLcode rc, void *arg)
{
	long status = 0;
	curl_off_t retry_after = 0;
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(easy, CURLINFO_RETRY_AFTER, &retry_after);
	struct delivery *dl = transfer_end(arg, rc);
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
	dl->done(dl);
}

static int webhook_send(struct connector_env *env, struct delivery *dl)
{
	const struct webhook_settings *ws = dl->cc->settings;
	struct transfer *t = transfer_new(dl, &ws->curl, "http,https");
	if (!t)
		return CONNECTOR_DONE;
	char ts[24], line[200];
	snprintf(ts, sizeof ts, "%lld", (long long)time(NULL));
	t->list = curl_slist_append(t->list, "Content-Type: application/json; charset=utf-8");
	snprintf(line, sizeof line, "Idempotency-Key: %s", dl->idempotency_key);
	t->list = curl_slist_append(t->list, line);
	snprintf(line, sizeof line, "X-Vroegsignaal-Timestamp: %s", ts);
	t->list = curl_slist_append(t->list, line);
	char sig[80];
	webhook_signature(ws->secret, ts, dl->body, dl->body_len, sig, sizeof sig);
	snprintf(line, sizeof line, "X-Vroegsignaal-Signature: %s", sig);
	t->list = curl_slist_append(t->list, line);
	t->list = curl_slist_append(t->list, "Expect:");
	curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, t->list);
	curl_easy_setopt(t->easy, CURLOPT_POSTFIELDS, dl->body);
	curl_easy_setopt(t->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)dl->body_len);
	curl_easy_setopt(t->easy, CURLOPT_USERAGENT, "vroegsignaald");
	curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(t->easy, CURLOPT_FOLLOWLOCATION, 0L);
	return transfer_start(env, t, webhook_done);
}

/* Held for the request's whole timeout, and some. */
static int webhook_hold_ms(const struct connector_env *env, const struct connector_cfg *cc)
{
	(void)env;
	const struct webhook_settings *ws = cc->settings;
	return ws->curl.timeout_ms + 10000;
}

static void *webhook_parse(struct jconf *jc, json_t *o, const char *at)
{
	static const char *const keys[] = {"type", "url", "ca_file", "secret", "secret_file",
					   "connect_timeout_ms", "timeout_ms", NULL};
	char path[200];
	struct webhook_settings *ws = xcalloc(1, sizeof *ws);
	jconf_only_keys(jc, o, at, keys);
	curl_settings_parse(jc, o, at, &ws->curl);
	ws->secret = conf_secret(jc, o, at, "secret");
	const char *url = ws->curl.url;
	if (!url || (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0))
		jconf_error(jc, jconf_path_key(path, sizeof path, at, "url"),
			    "expected an https:// (or http://) URL");
	if (!ws->secret || strlen(ws->secret) < 16)
		jconf_error(jc, jconf_path_key(path, sizeof path, at, "secret_file"),
			    "expected a webhook secret of at least 16 characters "
			    "(secret_file, or secret)");
	return ws;
}

static void webhook_free(void *settings)
{
	struct webhook_settings *ws = settings;
	curl_settings_free(&ws->curl);
	conf_secret_free(ws->secret);
	free(ws);
}

const struct connector_ops connector_webhook = {"webhook", webhook_parse, webhook_free,
						webhook_send, webhook_hold_ms, NULL};
