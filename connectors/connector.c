/*
 * connector: the registry, and what every connector shares (see
 * connector.h): freeing a delivery and composing its e-mail.
 */
#include "connector.h"

#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct connector_ops *const registry[] = {
	&connector_webhook, &connector_redis, &connector_smtp, &connector_file, NULL,
};

const struct connector_ops *connector_lookup(enum connector_type type)
{
	for (int i = 0; registry[i]; i++)
		if (registry[i]->type == type)
			return registry[i];
	return NULL;
}

void delivery_free(struct delivery *dl)
{
	if (!dl)
		return;
	free(dl->body);
	free(dl->message);
	partners_unref(dl->pc);
	free(dl);
}

/* ---- libcurl transfers --------------------------------------------------- */

struct transfer *transfer_new(struct delivery *dl, const char *protocols)
{
	const struct connector_cfg *cc = dl->cc;
	CURL *easy = curl_easy_init();
	if (!easy) {
		dl->outcome = DL_RETRY;
		str_copy(dl->detail, "cannot create a transfer", sizeof dl->detail);
		return NULL;
	}
	struct transfer *t = xcalloc(1, sizeof *t);
	t->dl = dl;
	t->easy = easy;
	curl_easy_setopt(easy, CURLOPT_URL, cc->url);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, protocols);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, (long)cc->connect_timeout_ms);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)cc->timeout_ms);
	curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
	if (cc->ca_file)
		curl_easy_setopt(easy, CURLOPT_CAINFO, cc->ca_file);
	return t;
}

int transfer_start(struct connector_env *env, struct transfer *t, curlev_done_fn done)
{
	if (curlev_add(env->curl, t->easy, done, t) == 0)
		return CONNECTOR_PENDING;
	struct delivery *dl = transfer_end(t, CURLE_OK);
	dl->outcome = DL_RETRY;
	str_copy(dl->detail, "cannot start the transfer", sizeof dl->detail);
	return CONNECTOR_DONE;
}

/* Every curlev job's arg is a transfer (only transfer_start adds jobs). */
static bool transfer_owned_by(void *arg, const void *owner)
{
	const struct transfer *t = arg;
	return t->dl && t->dl->arg == owner;
}

void transfers_abort_owned(struct connector_env *env, const void *owner)
{
	curlev_abort_matching(env->curl, transfer_owned_by, owner);
}

struct delivery *transfer_end(struct transfer *t, CURLcode rc)
{
	struct delivery *dl = t->dl;
	dl->aborted = rc == CURLE_ABORTED_BY_CALLBACK;
	curl_slist_free_all(t->list);
	curl_easy_cleanup(t->easy);
	free(t);
	return dl;
}

/* ---- e-mail ------------------------------------------------------------- */

/* RFC 2047 encoded word (UTF-8, base64) for a header with non-ASCII text. */
static void header_word(char **msg, size_t *len, const char *s)
{
	bool ascii = true;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p >= 0x80 || *p < 0x20)
			ascii = false;
	if (ascii) {
		str_append(msg, len, s, strlen(s));
		return;
	}
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	str_append(msg, len, "=?UTF-8?B?", 10);
	size_t n = strlen(s);
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
			     (i + 2 < n ? p[i + 2] : 0);
		char q[4] = {b64[v >> 18 & 63], b64[v >> 12 & 63], i + 1 < n ? b64[v >> 6 & 63] : '=',
			     i + 2 < n ? b64[v & 63] : '='};
		str_append(msg, len, q, 4);
	}
	str_append(msg, len, "?=", 2);
}

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

char *email_compose(const struct partners_config *pc, const struct partner *p,
		    const struct connector_cfg *cc, const json_t *payload, const char *due_local,
		    int64_t now_ms, size_t *len)
{
	char *msg = NULL;
	size_t mlen = 0;
	char date[64], subject[300];
	time_t now = (time_t)(now_ms / 1000);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S %z", &tm);
	json_t *vars = json_object();
	json_object_set_new(vars, "id", json_string(jstr(payload, "id")));
	json_object_set_new(vars, "due_at", json_string(due_local));
	template_render(pc->templates[TPL_EMAIL_SUBJECT], vars, subject, sizeof subject);
	json_decref(vars);
	const char *event = jstr(payload, "event");
	str_appendf(&msg, &mlen, "From: %s\r\nTo: ", cc->from);
	for (int i = 0; i < cc->nto; i++)
		str_appendf(&msg, &mlen, "%s%s", i ? ", " : "", cc->to[i]);
	str_appendf(&msg, &mlen, "\r\nSubject: ");
	if (strcmp(event, "reminder") == 0)
		header_word(&msg, &mlen, "Herinnering: ");
	header_word(&msg, &mlen, subject);
	str_appendf(&msg, &mlen, "\r\nDate: %s\r\nMessage-ID: <%s.%s.%s@vroegsignaal>\r\n", date, jstr(payload, "id"),
		    event, p->id);
	str_appendf(&msg, &mlen, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
		     "Content-Transfer-Encoding: 8bit\r\n\r\n");
	str_appendf(&msg, &mlen, "%s\r\n\r\n", jstr(payload, "action"));
	str_appendf(&msg, &mlen, "Taak: %s\r\n", jstr(payload, "id"));
	const char *level = *jstr(payload, "level") ? jstr(payload, "level") : jstr(payload, "trigger");
	str_appendf(&msg, &mlen, "Signaal: %s%s%s\r\n", jstr(payload, "rule"), *level ? " " : "", level);
	if (*jstr(payload, "school"))
		str_appendf(&msg, &mlen, "School: %s\r\n", jstr(payload, "school"));
	if (*jstr(payload, "student"))
		str_appendf(&msg, &mlen, "Leerling (pseudoniem): %s\r\n", jstr(payload, "student"));
	str_appendf(&msg, &mlen, "Uiterlijk actie: %s\r\n", due_local);
	json_t *facts = json_object_get(payload, "facts");
	const char *rule = jstr(payload, "rule");
	const char *k;
	json_t *v;
	bool header = false;
	json_object_foreach(facts, k, v) {
		if (fact_is_health(rule, k) && !(cc->health_in_body && p->health_data))
			continue;
		if (!header) {
			str_appendf(&msg, &mlen, "\r\nFeiten:\r\n");
			header = true;
		}
		char *val = json_dumps(v, JSON_ENCODE_ANY);
		str_appendf(&msg, &mlen, "  %s: %s\r\n", k, val ? val : "");
		free(val);
	}
	json_t *links = json_object_get(payload, "links");
	str_appendf(&msg, &mlen, "\r\nBevestig de afhandeling met uw API-token via\r\n  POST %s\r\nof vraag de "
			"beheerder de taak voor u af te melden.\r\n",
		    jstr(links, "ack"));
	str_appendf(&msg, &mlen, "\r\nDit bericht is automatisch verstuurd door vroegsignaal.\r\nGrondslag: %s\r\n",
		    p->legal_basis);
	*len = mlen;
	return msg;
}
