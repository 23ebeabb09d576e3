/*
 * connector: the registry, and what every connector shares (see
 * connector.h): freeing a delivery, the libcurl transfers.
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

void connector_cfg_load(struct jconf *jc, json_t *o, const char *at, struct connector_cfg *c)
{
	char path[200];
	memset(c, 0, sizeof *c);
	if (jconf_expect_object(jc, o, at) != 0)
		return;
	const char *type = NULL;
	jconf_string(jc, o, at, "type", &type);
	for (int i = 0; type && registry[i]; i++)
		if (strcmp(type, registry[i]->name) == 0)
			c->ops = registry[i];
	if (!c->ops) {
		char names[200] = "";
		size_t len = 0;
		for (int i = 0; registry[i]; i++)
			len += (size_t)snprintf(names + len, len < sizeof names ? sizeof names - len : 0,
						"%s\"%s\"", i == 0 ? "" : registry[i + 1] ? ", " : " or ",
						registry[i]->name);
		jconf_error(jc, jconf_path_key(path, sizeof path, at, "type"), "expected %s", names);
		return;
	}
	c->settings = c->ops->parse(jc, o, at);
}

void connector_cfg_free(struct connector_cfg *c)
{
	if (c->ops && c->settings)
		c->ops->free(c->settings);
	memset(c, 0, sizeof *c);
}

const char *connector_name(const struct connector_cfg *cc)
{
	return cc && cc->ops ? cc->ops->name : "unknown";
}

void curl_settings_parse(struct jconf *jc, json_t *o, const char *at, struct curl_settings *cs)
{
	cs->connect_timeout_ms = 5000;
	cs->timeout_ms = 15000;
	jconf_int_field(jc, o, at, "connect_timeout_ms", 100, 600000, &cs->connect_timeout_ms);
	jconf_int_field(jc, o, at, "timeout_ms", 100, 600000, &cs->timeout_ms);
	cs->url = conf_string(jc, o, at, "url");
	cs->ca_file = conf_string(jc, o, at, "ca_file");
}

void curl_settings_free(struct curl_settings *cs)
{
	free(cs->url);
	free(cs->ca_file);
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

struct transfer *transfer_new(struct delivery *dl, const struct curl_settings *cc,
			      const char *protocols)
{
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
