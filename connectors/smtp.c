/*
 * smtp: a short Dutch e-mail through libcurl's SMTP (multi, on the loop).
 *
 * STARTTLS is required unless the partner's connector says "starttls":
 * "off"; the server certificate is verified (a CA file may be configured).
 * Accepted = delivered; a 5xx reply is a permanent failure; anything else
 * (4xx, no TLS offered, network) is retried.
 */
#include "connector.h"

#include "payload.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static char *email_compose(const struct partners_config *pc, const struct partner *p,
			   const struct smtp_settings *cc, const json_t *payload, const char *due_local,
			   int64_t now_ms, size_t *len)
{
	char *msg = NULL;
	size_t mlen = 0;
	char date[64], subject[300];
	time_t now = (time_t)(now_ms / 1000);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S %z", &tm);
	const char *event = jstr(payload, "event");
	const char *rule = jstr(payload, "rule");
	const char *level = *jstr(payload, "level") ? jstr(payload, "level") : jstr(payload, "trigger");
	enum text_kind kind = strcmp(event, "reminder") == 0 ? TEXT_REMINDER
			      : text_kind_of(*jstr(payload, "kind") ? jstr(payload, "kind") : event);
	partner_subject(pc, rule, level, kind, payload, due_local, subject, sizeof subject);
	/* the body's text again, without sickness facts unless this connector
	 * may put them in an e-mail */
	json_t *info = json_deep_copy(payload);
	json_t *facts = json_object_get(info, "facts");
	if (!(cc->health_in_body && p->health_data)) {
		const char *k;
		void *tmp;
		json_t *v;
		json_object_foreach_safe(facts, tmp, k, v) {
			if (fact_is_health(rule, k))
				json_object_del(facts, k);
		}
	}
	char body[2400];
	partner_text(pc, rule, level, role_name(p->role), kind, info, due_local, body, sizeof body);
	json_decref(info);
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
	str_appendf(&msg, &mlen, "%s\r\n\r\n", body);
	if (*jstr(payload, "school"))
		str_appendf(&msg, &mlen, "School: %s\r\n", jstr(payload, "school"));
	if (*jstr(payload, "student"))
		str_appendf(&msg, &mlen, "Leerling (pseudoniem): %s\r\n", jstr(payload, "student"));
	str_appendf(&msg, &mlen, "Taaknummer: %s\r\n", jstr(payload, "id"));
	if (kind != TEXT_UPDATE && kind != TEXT_TEST) {
		char deadline[120];
		dutch_deadline(due_local, deadline, sizeof deadline);
		str_appendf(&msg, &mlen, "Uiterlijk: %s\r\n", deadline);
	}
	if (kind != TEXT_UPDATE && kind != TEXT_TEST) {
		/* how to acknowledge: a partner without an API token replies */
		char ack[1200];
		json_t *vars = json_pack("{ss ss}", "id", jstr(payload, "id"), "ack_link",
					 jstr(json_object_get(payload, "links"), "ack"));
		int k = template_index(p->has_token ? "email.ack_integration" : "email.ack");
		template_render(pc->templates[k] ? pc->templates[k] : template_default(k), vars, ack,
				sizeof ack);
		json_decref(vars);
		str_appendf(&msg, &mlen, "\r\n%s\r\n", ack);
	}
	str_appendf(&msg, &mlen, "\r\nDit bericht is automatisch verstuurd door vroegsignaal.\r\nGrondslag: %s\r\n",
		    p->legal_basis);
	*len = mlen;
	return msg;
}

/* The e-mail: headers and a short Dutch text (no health facts unless the
 * connector allows them). */
static void smtp_compose(struct delivery *dl, const struct partners_config *pc, const struct partner *p,
			 const json_t *payload, const char *due_local)
{
	dl->message = email_compose(pc, p, dl->cc->settings, payload, due_local, dl->started_ms, &dl->message_len);
}

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
	const struct smtp_settings *cc = dl->cc->settings;
	struct transfer *t = transfer_new(dl, &cc->curl, "smtp,smtps");
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

/* Held for the transfer's whole timeout, and some. */
static int smtp_hold_ms(const struct connector_env *env, const struct connector_cfg *cc)
{
	(void)env;
	const struct smtp_settings *ss = cc->settings;
	return ss->curl.timeout_ms + 10000;
}

static void *smtp_parse(struct jconf *jc, json_t *o, const char *at)
{
	static const char *const keys[] = {"type", "url", "ca_file", "from", "to", "username",
					   "password", "password_file", "starttls",
					   "health_facts_in_body", "connect_timeout_ms", "timeout_ms",
					   NULL};
	char path[200];
	struct smtp_settings *ss = xcalloc(1, sizeof *ss);
	ss->starttls_required = true;
	jconf_only_keys(jc, o, at, keys);
	curl_settings_parse(jc, o, at, &ss->curl);
	ss->from = conf_string(jc, o, at, "from");
	ss->to = conf_string_list(jc, o, at, "to", &ss->nto);
	ss->username = conf_string(jc, o, at, "username");
	ss->password = conf_secret(jc, o, at, "password");
	jconf_bool(jc, o, at, "health_facts_in_body", &ss->health_in_body);
	const char *st = NULL;
	if (jconf_string(jc, o, at, "starttls", &st) == 0 && st) {
		if (strcmp(st, "required") == 0)
			ss->starttls_required = true;
		else if (strcmp(st, "off") == 0)
			ss->starttls_required = false;
		else
			jconf_error(jc, jconf_path_key(path, sizeof path, at, "starttls"),
				    "expected \"required\" or \"off\"");
	}
	const char *url = ss->curl.url;
	if (!url || (strncmp(url, "smtp://", 7) != 0 && strncmp(url, "smtps://", 8) != 0))
		jconf_error(jc, jconf_path_key(path, sizeof path, at, "url"),
			    "expected smtp://HOST:PORT or smtps://HOST:PORT");
	if (!ss->from)
		jconf_error(jc, jconf_path_key(path, sizeof path, at, "from"),
			    "expected the sender's address");
	if (ss->nto == 0)
		jconf_error(jc, jconf_path_key(path, sizeof path, at, "to"),
			    "expected at least one recipient");
	return ss;
}

static void smtp_free(void *settings)
{
	struct smtp_settings *ss = settings;
	curl_settings_free(&ss->curl);
	free(ss->from);
	conf_strv_free(ss->to, ss->nto);
	free(ss->username);
	conf_secret_free(ss->password);
	free(ss);
}

const struct connector_ops connector_smtp = {"smtp", smtp_parse, smtp_free, smtp_send,
					     smtp_hold_ms, smtp_compose};
