/*
 * jsonconf: see jsonconf.h. The locator is a small JSON scanner that only
 * skips values and compares keys; it assumes the text already parsed (the
 * document was accepted by jansson), so it needs no error handling of its own
 * beyond stopping at the end of the text.
 */
#include "jsonconf.h"

#include "date.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add_error_line(struct jconf *jc, const char *line)
{
	jc->nerrors++;
	if (jc->nerrors > JCONF_MAX_ERRORS + 1)
		return;
	if (jc->nerrors == JCONF_MAX_ERRORS + 1)
		line = "(more errors follow; fix these first)";
	str_append(&jc->errors, &jc->errors_len, line, strlen(line));
	str_append(&jc->errors, &jc->errors_len, "\n", 1);
}

static int open_parsed(struct jconf *jc)
{
	json_error_t err;
	jc->root = json_loads(jc->text, JSON_REJECT_DUPLICATES, &err);
	if (!jc->root) {
		char line[600];
		snprintf(line, sizeof line, "%s:%d:%d: %s", jc->file, err.line, err.column,
			 err.text);
		add_error_line(jc, line);
		return -1;
	}
	return 0;
}

int jconf_open_text(struct jconf *jc, const char *name, const char *text)
{
	memset(jc, 0, sizeof *jc);
	jc->file = xstrdup(name);
	jc->text = xstrdup(text);
	return open_parsed(jc);
}

int jconf_open(struct jconf *jc, const char *path)
{
	memset(jc, 0, sizeof *jc);
	jc->file = xstrdup(path);
	FILE *f = fopen(path, "rb");
	if (!f) {
		char line[600];
		snprintf(line, sizeof line, "%s: cannot open: %s", path, strerror(errno));
		add_error_line(jc, line);
		return -1;
	}
	size_t cap = 8192, len = 0;
	char *buf = xmalloc(cap);
	size_t got;
	while ((got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += got;
		if (cap - len - 1 == 0) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
	}
	int read_error = ferror(f);
	fclose(f);
	buf[len] = '\0';
	jc->text = buf;
	if (read_error) {
		char line[600];
		snprintf(line, sizeof line, "%s: read error", path);
		add_error_line(jc, line);
		return -1;
	}
	if (strlen(buf) != len) {
		char line[600];
		snprintf(line, sizeof line, "%s: contains a NUL byte; expected UTF-8 JSON text",
			 path);
		add_error_line(jc, line);
		return -1;
	}
	return open_parsed(jc);
}

void jconf_free(struct jconf *jc)
{
	if (jc->root)
		json_decref(jc->root);
	free(jc->errors);
	free(jc->text);
	free(jc->file);
	memset(jc, 0, sizeof *jc);
}

/* ---- locator ---- */

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static const char *skip_string(const char *p)
{
	/* p at the opening quote */
	p++;
	while (*p && *p != '"') {
		if (*p == '\\' && p[1])
			p++;
		p++;
	}
	return *p ? p + 1 : p;
}

static const char *skip_value(const char *p)
{
	p = skip_ws(p);
	if (*p == '"')
		return skip_string(p);
	if (*p == '{' || *p == '[') {
		int depth = 0;
		while (*p) {
			if (*p == '"') {
				p = skip_string(p);
				continue;
			}
			if (*p == '{' || *p == '[')
				depth++;
			else if (*p == '}' || *p == ']') {
				depth--;
				if (depth == 0)
					return p + 1;
			}
			p++;
		}
		return p;
	}
	while (*p && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n' &&
	       *p != '\t' && *p != '\r')
		p++;
	return p;
}

/* Within the object at p, finds the value of key (keylen bytes, compared
 * with the raw text of each key). Returns the value's start or NULL. */
static const char *find_member(const char *p, const char *key, size_t keylen)
{
	p = skip_ws(p);
	if (*p != '{')
		return NULL;
	p = skip_ws(p + 1);
	while (*p == '"') {
		const char *kstart = p + 1;
		const char *kend = skip_string(p);
		size_t klen = (size_t)(kend - 1 - kstart);
		p = skip_ws(kend);
		if (*p != ':')
			return NULL;
		p = skip_ws(p + 1);
		if (klen == keylen && memcmp(kstart, key, keylen) == 0)
			return p;
		p = skip_ws(skip_value(p));
		if (*p != ',')
			return NULL;
		p = skip_ws(p + 1);
	}
	return NULL;
}

static const char *find_element(const char *p, size_t index)
{
	p = skip_ws(p);
	if (*p != '[')
		return NULL;
	p = skip_ws(p + 1);
	if (*p == ']')
		return NULL;
	for (size_t i = 0;; i++) {
		if (i == index)
			return p;
		p = skip_ws(skip_value(p));
		if (*p != ',')
			return NULL;
		p = skip_ws(p + 1);
	}
}

void jconf_locate(const char *text, const char *path, int *line, int *col)
{
	const char *at = skip_ws(text);
	const char *s = path;
	while (*s) {
		const char *next = NULL;
		if (*s == '[') {
			char *end;
			unsigned long idx = strtoul(s + 1, &end, 10);
			if (*end != ']')
				break;
			next = find_element(at, idx);
			s = end + 1;
		} else {
			if (*s == '.')
				s++;
			size_t n = strcspn(s, ".[");
			next = find_member(at, s, n);
			s += n;
		}
		if (!next)
			break;
		at = next;
	}
	int l = 1, c = 1;
	for (const char *p = text; p < at; p++) {
		if (*p == '\n') {
			l++;
			c = 1;
		} else {
			c++;
		}
	}
	*line = l;
	*col = c;
}

void jconf_error(struct jconf *jc, const char *path, const char *fmt, ...)
{
	char msg[400], line[700];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	int l = 0, c = 0;
	jconf_locate(jc->text ? jc->text : "", path, &l, &c);
	snprintf(line, sizeof line, "%s:%d:%d: %s: %s", jc->file, l, c, *path ? path : "(document)",
		 msg);
	add_error_line(jc, line);
}

const char *jconf_path_key(char *buf, size_t cap, const char *at, const char *key)
{
	snprintf(buf, cap, "%s%s%s", at, *at ? "." : "", key);
	return buf;
}

const char *jconf_path_index(char *buf, size_t cap, const char *at, size_t index)
{
	snprintf(buf, cap, "%s[%zu]", at, index);
	return buf;
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a decimal number";
	case JSON_TRUE: return "true";
	case JSON_FALSE: return "false";
	case JSON_NULL: return "null";
	}
	return "a value";
}

int jconf_int(struct jconf *jc, json_t *obj, const char *at, const char *key, int64_t min,
	      int64_t max, int64_t *out)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return 0;
	char path[256];
	jconf_path_key(path, sizeof path, at, key);
	if (!json_is_integer(v)) {
		jconf_error(jc, path, "found %s; expected an integer from %lld to %lld",
			    type_name(v), (long long)min, (long long)max);
		return -1;
	}
	json_int_t x = json_integer_value(v);
	if (x < min || x > max) {
		jconf_error(jc, path, "found %lld; expected an integer from %lld to %lld",
			    (long long)x, (long long)min, (long long)max);
		return -1;
	}
	*out = x;
	return 0;
}

void jconf_int_field(struct jconf *jc, json_t *obj, const char *at, const char *key, int64_t min,
		     int64_t max, int *out)
{
	int64_t v = *out;
	if (jconf_int(jc, obj, at, key, min, max, &v) == 0)
		*out = (int)v;
}

int jconf_bool(struct jconf *jc, json_t *obj, const char *at, const char *key, bool *out)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return 0;
	if (!json_is_boolean(v)) {
		char path[256];
		jconf_error(jc, jconf_path_key(path, sizeof path, at, key),
			    "found %s; expected true or false", type_name(v));
		return -1;
	}
	*out = json_is_true(v);
	return 0;
}

int jconf_string(struct jconf *jc, json_t *obj, const char *at, const char *key,
		 const char **out)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return 0;
	if (!json_is_string(v)) {
		char path[256];
		jconf_error(jc, jconf_path_key(path, sizeof path, at, key),
			    "found %s; expected a string", type_name(v));
		return -1;
	}
	*out = json_string_value(v);
	return 0;
}

int jconf_date(struct jconf *jc, json_t *obj, const char *at, const char *key, int32_t *out)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return 0;
	char path[256];
	jconf_path_key(path, sizeof path, at, key);
	if (!json_is_string(v) || date_parse(json_string_value(v), out) != 0) {
		if (json_is_string(v))
			jconf_error(jc, path, "found \"%s\"; expected a date YYYY-MM-DD",
				    json_string_value(v));
		else
			jconf_error(jc, path, "found %s; expected a date \"YYYY-MM-DD\"",
				    type_name(v));
		return -1;
	}
	return 0;
}

int jconf_percent_bp(struct jconf *jc, json_t *obj, const char *at, const char *key,
		     double min, double max, int64_t *out_bp)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return 0;
	char path[256];
	jconf_path_key(path, sizeof path, at, key);
	if (!json_is_number(v)) {
		jconf_error(jc, path, "found %s; expected a percentage from %g to %g", type_name(v),
			    min, max);
		return -1;
	}
	double x = json_number_value(v);
	if (!(x >= min && x <= max)) {
		jconf_error(jc, path, "found %g; expected a percentage from %g to %g", x, min, max);
		return -1;
	}
	double bp = x * 100.0;
	if (fabs(bp - round(bp)) > 1e-6) {
		jconf_error(jc, path, "found %g; expected at most two decimals", x);
		return -1;
	}
	*out_bp = (int64_t)llround(bp);
	return 0;
}

int jconf_only_keys(struct jconf *jc, json_t *obj, const char *at, const char *const *allowed)
{
	int unknown = 0;
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v) {
		int ok = 0;
		for (const char *const *a = allowed; *a; a++)
			if (strcmp(*a, key) == 0)
				ok = 1;
		if (ok)
			continue;
		char list[400] = "", path[256];
		size_t len = 0;
		for (const char *const *a = allowed; *a && len < sizeof list - 1; a++)
			len += (size_t)snprintf(list + len, sizeof list - len, "%s%s",
						a == allowed ? "" : ", ", *a);
		jconf_error(jc, jconf_path_key(path, sizeof path, at, key),
			    "unknown key; expected one of: %s", list);
		unknown++;
	}
	return unknown;
}

int jconf_expect_object(struct jconf *jc, json_t *value, const char *at)
{
	if (json_is_object(value))
		return 0;
	jconf_error(jc, at, "found %s; expected an object", value ? type_name(value) : "nothing");
	return -1;
}
