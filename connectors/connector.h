/*
 * connector: how a delivery reaches a partner, behind one vtable.
 *
 * The dispatcher (daemon/dispatch.h) builds a delivery (the partner's
 * payload), lets the connector of the partner's configuration
 * (connector_cfg.ops) compose what else it sends (the e-mail's Dutch
 * message) and hands the delivery to it; the connector also says how long
 * a delivery in flight is held (hold_ms). Each connector parses and frees
 * its own settings (the configuration section whose "type" is its name), so
 * a new connector is one file and one line in the registry (connector.c). A connector either finishes
 * at once (CONNECTOR_DONE: the file connector) or later (CONNECTOR_PENDING:
 * dl->done runs exactly once, on the loop, never inside send). It reports:
 *
 *   DL_DELIVERED  the partner has it (webhook 2xx, queue XADD done, mail
 *                 accepted, line fsync'd)
 *   DL_RETRY      try again later (network errors, 408, 429, 5xx, SMTP 4xx),
 *                 with the partner's Retry-After when it sent one
 *   DL_FAILED     the partner refused it for good (other 4xx, SMTP 5xx)
 *
 * The registry is a NULL-terminated array (STYLE.md: smtpd's table
 * backends).
 */
#ifndef VS_CONNECTOR_H
#define VS_CONNECTOR_H

#include "partners.h"

#include <event2/event.h>
#include <stddef.h>
#include <stdint.h>

struct curlev;

enum delivery_outcome { DL_DELIVERED, DL_RETRY, DL_FAILED };
enum { CONNECTOR_DONE = 0, CONNECTOR_PENDING = 1 };

struct delivery;
typedef void (*delivery_done_fn)(struct delivery *dl);

struct delivery {
	struct partners_config *pc;        /* reference held for the delivery's life */
	const struct partner *partner;
	const struct connector_cfg *cc;    /* partner's primary or fallback */
	bool via_fallback;
	char task_id[24];
	char member[64];                   /* outbox member "<id>|task" or "<id>|reminder" */
	char event[16];                    /* "task" or "reminder" */
	char idempotency_key[48];          /* task id, "<id>.reminder" for reminders */
	char *body;                        /* JSON payload */
	size_t body_len;
	char *message;                     /* e-mail (headers + body, CRLF) */
	size_t message_len, message_off;
	int attempts;                      /* earlier attempts of this delivery */
	int64_t alert_at_ms;               /* when the undeliverable alert is due (0: not pending) */
	char fields[200];                  /* payload fields shared (for the audit) */
	int64_t task_created_ms, started_ms;
	bool task_created_known;           /* task_created_ms is the record's created_ms */
	/* result */
	enum delivery_outcome outcome;
	bool aborted;                      /* ended by the daemon stopping: outcome unknown */
	long retry_after_s;                /* 0: none given */
	char detail[160];                  /* no payload, no pupil key */
	delivery_done_fn done;
	void *arg;
};

/* The daemon's Redis connection as the queue connector sees it: command
 * sends one command (argc arguments of the given lengths) and returns 0, or
 * -1 when it cannot (not connected); done then runs once, on the loop, with
 * NULL for a string reply, or the error ("no answer" when there was none). */
typedef void (*redis_port_done_fn)(void *arg, const char *error);
struct redis_port {
	void *ctx;
	int timeout_ms; /* the connection's command timeout */
	int (*command)(void *ctx, int argc, const char **argv, const size_t *lens,
		       redis_port_done_fn done, void *arg);
};

struct connector_env {
	struct curlev *curl;               /* webhook, smtp */
	struct redis_port redis;           /* redis queue connector */
};

struct connector_ops {
	const char *name; /* the section's "type"; the connector label of metrics and audit */
	/* Reads the connector's section o (at: its path; "type" is already
	 * read) and returns its settings, never NULL; errors go to jc. */
	void *(*parse)(struct jconf *jc, json_t *o, const char *at);
	void (*free)(void *settings);
	/* Starts dl. Returns CONNECTOR_DONE (outcome set, done not called) or
	 * CONNECTOR_PENDING (done will be called). */
	int (*send)(struct connector_env *env, struct delivery *dl);
	/* How long a member taken for delivery over cc stays held in the
	 * outbox: longer than an attempt can take, so it is sent again only if
	 * the attempt's daemon died. */
	int (*hold_ms)(const struct connector_env *env, const struct connector_cfg *cc);
	/* Builds what send needs besides the JSON payload (dl->message for
	 * e-mail), or NULL when it needs nothing. */
	void (*compose)(struct delivery *dl, const struct partners_config *pc, const struct partner *p,
			const json_t *payload, const char *due_local);
};

extern const struct connector_ops connector_webhook, connector_redis, connector_smtp,
	connector_file;
/* Reads a connector section: its "type" picks the connector from the
 * registry, which parses the rest. On an unknown type c->ops stays NULL
 * (and the error is in jc). */
void connector_cfg_load(struct jconf *jc, json_t *o, const char *at, struct connector_cfg *c);
void connector_cfg_free(struct connector_cfg *c);
/* The connector's name ("webhook", ...), "unknown" for none. */
const char *connector_name(const struct connector_cfg *cc);

/* The settings of the bundled connectors (their own files parse them; the
 * unit tests read them). The libcurl ones (webhook, smtp) start with what
 * transfer_new needs. */
struct curl_settings {
	char *url;
	char *ca_file;         /* CA bundle; NULL = the system's */
	int connect_timeout_ms;
	int timeout_ms;
};
struct webhook_settings {
	struct curl_settings curl; /* https://... */
	char *secret;              /* HMAC key (from secret_file) */
};
struct smtp_settings {
	struct curl_settings curl; /* smtp://host:port */
	char *from;                /* envelope and header sender */
	char **to;                 /* recipients */
	int nto;
	char *username, *password; /* optional AUTH */
	bool starttls_required;    /* refuse to send in clear (default) */
	bool health_in_body;       /* sickness facts in the e-mail body */
};
struct rqueue_settings {
	char *stream; /* the queue stream's key */
	long maxlen;  /* approximate MAXLEN, 0 = unbounded */
};
struct file_settings {
	char *path; /* the JSONL file */
};
/* Reads url, ca_file, connect_timeout_ms and timeout_ms (defaults 5 s and
 * 15 s) into cs; the caller checks the URL's scheme. */
void curl_settings_parse(struct jconf *jc, json_t *o, const char *at, struct curl_settings *cs);
void curl_settings_free(struct curl_settings *cs);

void delivery_free(struct delivery *dl);

/* curlev: libcurl multi on the libevent loop (curl's multi-event.c
 * pattern): sockets and the timer are events; libcurl is only called from
 * event callbacks, never from its own callbacks. */
#include <curl/curl.h>
typedef void (*curlev_done_fn)(CURL *easy, CURLcode rc, void *arg);
struct curlev *curlev_new(struct event_base *base);
/* Takes the easy handle; done runs once when it finished (or with
 * CURLE_ABORTED_BY_CALLBACK when the curlev is freed first). */
int curlev_add(struct curlev *cv, CURL *easy, curlev_done_fn done, void *arg);
/* Ends every running transfer now (done runs with CURLE_ABORTED_BY_CALLBACK). */
void curlev_abort_all(struct curlev *cv);
/* Ends the running transfers whose arg match() accepts, as curlev_abort_all
 * does. */
void curlev_abort_matching(struct curlev *cv, bool (*match)(void *arg, const void *ctx),
			   const void *ctx);
void curlev_free(struct curlev *cv);

/* What the libcurl connectors (webhook, smtp) share: one delivery's
 * transfer, made with the options every one of them sets (URL, allowed
 * protocols, no signals, connect and total timeouts, certificate and host
 * verification, the CA file). `list` (headers, recipients) is freed with
 * it. The done function of transfer_start gets the transfer as its arg. */
struct transfer {
	struct delivery *dl;
	CURL *easy;
	struct curl_slist *list;
};
/* NULL, with dl's outcome set to retry, when libcurl cannot make one. */
struct transfer *transfer_new(struct delivery *dl, const struct curl_settings *cs,
			      const char *protocols);
/* Starts t on the loop: CONNECTOR_PENDING, or CONNECTOR_DONE with t freed
 * and dl's outcome set to retry. */
int transfer_start(struct connector_env *env, struct transfer *t, curlev_done_fn done);
/* Frees t (its handle and list) and returns its delivery, whose outcome
 * rc == CURLE_ABORTED_BY_CALLBACK marks as aborted. */
struct delivery *transfer_end(struct transfer *t, CURLcode rc);
/* Ends the transfers under way for deliveries whose arg is owner (one
 * dispatcher's): their done functions run now, with dl->aborted set. The
 * Redis queue connector's deliveries are not ended: they last at most
 * Redis's command timeout. */
void transfers_abort_owned(struct connector_env *env, const void *owner);

#endif
