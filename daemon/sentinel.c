/*
 * sentinel: see sentinel.h.
 */
#include "sentinel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_str(const redisReply *r)
{
	return r && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS);
}

/* A port: digits only, 1..65535. */
static int parse_port(const char *s, size_t len, int *port)
{
	if (len == 0 || len > 5)
		return -1;
	long v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	*port = (int)v;
	return 0;
}

int sentinel_parse_address(const char *s, struct sentinel_addr *out)
{
	memset(out, 0, sizeof *out);
	if (!s)
		return -1;
	if (strncmp(s, "unix:", 5) == 0)
		s += 5;
	if (s[0] == '/') {
		if (strlen(s) >= sizeof out->unix_path)
			return -1;
		memcpy(out->unix_path, s, strlen(s) + 1);
		return 0;
	}
	const char *host = s, *colon;
	size_t hlen;
	if (s[0] == '[') { /* [v6]:port */
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':')
			return -1;
		host = s + 1;
		hlen = (size_t)(close - host);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || strchr(s, ':') != colon) /* a bare v6 address needs brackets */
			return -1;
		hlen = (size_t)(colon - s);
	}
	if (hlen == 0 || hlen >= sizeof out->host)
		return -1;
	if (parse_port(colon + 1, strlen(colon + 1), &out->port) != 0)
		return -1;
	memcpy(out->host, host, hlen);
	out->host[hlen] = '\0';
	return 0;
}

void sentinel_addr_format(const struct sentinel_addr *a, char *buf, size_t cap)
{
	if (a->unix_path[0])
		snprintf(buf, cap, "%s", a->unix_path);
	else if (strchr(a->host, ':'))
		snprintf(buf, cap, "[%s]:%d", a->host, a->port);
	else
		snprintf(buf, cap, "%s:%d", a->host, a->port);
}

enum redis_role sentinel_parse_role(const redisReply *r)
{
	if (!r || r->type != REDIS_REPLY_ARRAY || r->elements < 1 || !is_str(r->element[0]))
		return ROLE_UNKNOWN;
	const char *s = r->element[0]->str;
	if (strcmp(s, "master") == 0)
		return ROLE_MASTER;
	if (strcmp(s, "slave") == 0 || strcmp(s, "replica") == 0)
		return ROLE_REPLICA;
	if (strcmp(s, "sentinel") == 0)
		return ROLE_SENTINEL;
	return ROLE_UNKNOWN;
}

enum sentinel_master_result sentinel_parse_master(const redisReply *r, struct sentinel_addr *out)
{
	memset(out, 0, sizeof *out);
	if (!r)
		return SENTINEL_MASTER_BAD;
	if (r->type == REDIS_REPLY_NIL)
		return SENTINEL_MASTER_UNKNOWN;
	if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 || !is_str(r->element[0]) ||
	    !is_str(r->element[1]))
		return SENTINEL_MASTER_BAD;
	const redisReply *h = r->element[0], *p = r->element[1];
	if (h->len == 0 || h->len >= sizeof out->host || memchr(h->str, '\0', h->len))
		return SENTINEL_MASTER_BAD;
	if (parse_port(p->str, p->len, &out->port) != 0)
		return SENTINEL_MASTER_BAD;
	memcpy(out->host, h->str, h->len);
	out->host[h->len] = '\0';
	return SENTINEL_MASTER_OK;
}

bool sentinel_is_switch(const redisReply *r, const char *master_name, struct sentinel_addr *to)
{
	if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 3)
		return false;
	for (size_t i = 0; i < 3; i++)
		if (!is_str(r->element[i]))
			return false;
	if (strcmp(r->element[0]->str, "message") != 0 ||
	    strcmp(r->element[1]->str, "+switch-master") != 0)
		return false;
	/* NAME OLDIP OLDPORT NEWIP NEWPORT */
	char buf[512];
	if (r->element[2]->len >= sizeof buf)
		return false;
	memcpy(buf, r->element[2]->str, r->element[2]->len);
	buf[r->element[2]->len] = '\0';
	char *save = NULL, *f[5];
	int n = 0;
	for (char *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		if (n == 5)
			return false;
		f[n++] = t;
	}
	if (n != 5 || strcmp(f[0], master_name) != 0)
		return false;
	struct sentinel_addr a = {0};
	if (strlen(f[3]) >= sizeof a.host || parse_port(f[4], strlen(f[4]), &a.port) != 0)
		return false;
	memcpy(a.host, f[3], strlen(f[3]) + 1);
	if (to)
		*to = a;
	return true;
}

bool sentinel_error_means_failover(const redisReply *r)
{
	static const char *const prefixes[] = {"READONLY", "NOREPLICAS", "MASTERDOWN", "UNBLOCKED"};
	if (!r || r->type != REDIS_REPLY_ERROR || !r->str)
		return false;
	for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++) {
		size_t n = strlen(prefixes[i]);
		if (strncmp(r->str, prefixes[i], n) == 0 && (r->str[n] == ' ' || r->str[n] == '\0'))
			return true;
	}
	return false;
}

enum sentinel_auth_result sentinel_auth_answer(const redisReply *r)
{
	if (!r)
		return SENTINEL_AUTH_REFUSED;
	if (r->type != REDIS_REPLY_ERROR)
		return SENTINEL_AUTH_OK;
	if (r->str && strncmp(r->str, "ERR ", 4) == 0 &&
	    strstr(r->str, "without any password configured"))
		return SENTINEL_AUTH_UNNEEDED;
	return SENTINEL_AUTH_REFUSED;
}
