/*
 * taskshow: see taskshow.h.
 */
#include "taskshow.h"

#include "rdecode.h"
#include "util.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const partner_fields[] = {"role",     "state",        "due",     "delivery",
					     "via",      "attempts",     "first_ms", "alerted",
					     "delivered_ms", "outcome",  "note",    "acked_ms", NULL};

/* Suffixes (after "<partner>.") and top-level names that hold a time in ms. */
static bool is_time_field(const char *name)
{
	static const char *const times[] = {"due", "first_ms", "delivered_ms", "acked_ms", NULL};
	if (strcmp(name, "created_ms") == 0)
		return true;
	const char *dot = strrchr(name, '.');
	if (!dot)
		return false;
	for (int i = 0; times[i]; i++)
		if (strcmp(dot + 1, times[i]) == 0)
			return true;
	return false;
}

char *taskshow_local_time(long long ms, char *buf, size_t size)
{
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;
	if (!localtime_r(&secs, &tm) || strftime(buf, size, "%Y-%m-%d %H:%M:%S %z", &tm) == 0)
		snprintf(buf, size, "%lld", ms);
	return buf;
}

static void print_field(FILE *out, const struct task_field *f)
{
	char when[64];
	const char *v = f->value ? f->value : "";
	if (is_time_field(f->name) && *v) {
		char *end = NULL;
		errno = 0;
		long long ms = strtoll(v, &end, 10);
		if (!*end && !errno)
			v = taskshow_local_time(ms, when, sizeof when);
	}
	fprintf(out, "  %s: %s\n", f->name, v);
}

/* Prints the field called name if there is one and marks it done. */
static void print_named(FILE *out, const struct task_field *fields, size_t n, bool *done,
			const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!done[i] && strcmp(fields[i].name, name) == 0) {
			print_field(out, &fields[i]);
			done[i] = true;
			return;
		}
}

/* Whether name is one of the fields the JSON is kept in: "jn", "jk" or "j<k>". */
static bool is_json_chunk(const char *name)
{
	if (name[0] != 'j' || !name[1])
		return false;
	if (strcmp(name + 1, "n") == 0 || strcmp(name + 1, "k") == 0)
		return true;
	for (const char *p = name + 1; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return name[1] != '0';
}

struct fields_ctx {
	const struct task_field *fields;
	size_t n;
};

static const char *fields_get(const void *ctx, const char *name)
{
	const struct fields_ctx *fc = ctx;
	for (size_t i = 0; i < fc->n; i++)
		if (strcmp(fc->fields[i].name, name) == 0)
			return fc->fields[i].value;
	return NULL;
}

/* Prints the JSON kept in chunks "j1".."j<jn>" (or "j<jk>", with its member
 * names written out: rd_task_json) (docs/redis-keys.md) as one field "json",
 * marking the chunks done; a damaged "jn" or a missing chunk leaves the
 * chunks to be printed as they are. */
static void print_json_chunks(FILE *out, const struct task_field *fields, size_t n, bool *done)
{
	const char *jn = NULL, *count = "jn";
	for (size_t i = 0; i < n; i++)
		if (strcmp(fields[i].name, "jn") == 0)
			jn = fields[i].value;
	for (size_t i = 0; i < n; i++)
		if (strcmp(fields[i].name, "jk") == 0) {
			jn = fields[i].value;
			count = "jk";
		}
	char *end = NULL;
	long chunks = jn ? strtol(jn, &end, 10) : -1;
	if (!jn || !*jn || *end || chunks < 0 || chunks > 4096)
		return;
	size_t *at = xcalloc(chunks ? (size_t)chunks : 1, sizeof *at);
	for (long k = 1; k <= chunks; k++) {
		char name[24];
		snprintf(name, sizeof name, "j%ld", k);
		at[k - 1] = n;
		for (size_t i = 0; i < n; i++)
			if (strcmp(fields[i].name, name) == 0)
				at[k - 1] = i;
		if (at[k - 1] == n) {
			free(at);
			return;
		}
	}
	fputs("  json: ", out);
	if (strcmp(count, "jk") == 0) {
		struct fields_ctx fc = {fields, n};
		char *js = rd_task_json(fields_get, &fc);
		fputs(js ? js : "", out);
		free(js);
	}
	for (long k = 0; k < chunks; k++) {
		const char *v = fields[at[k]].value;
		if (strcmp(count, "jn") == 0)
			fputs(v ? v : "", out);
		done[at[k]] = true;
	}
	fputc('\n', out);
	for (size_t i = 0; i < n; i++)
		if (strcmp(fields[i].name, count) == 0)
			done[i] = true;
	free(at);
}

static int by_name(const void *a, const void *b)
{
	const struct task_field *const *x = a, *const *y = b;
	return strcmp((*x)->name, (*y)->name);
}

void taskshow_print(FILE *out, const struct task_field *fields, size_t n)
{
	bool *done = xcalloc(n ? n : 1, sizeof *done);
	const struct task_field **rest = xcalloc(n ? n : 1, sizeof *rest);
	print_named(out, fields, n, done, "student");
	print_named(out, fields, n, done, "created_ms");
	const char *partners = NULL;
	for (size_t i = 0; i < n; i++)
		if (strcmp(fields[i].name, "partners") == 0)
			partners = fields[i].value;
	print_named(out, fields, n, done, "partners");
	for (const char *p = partners; p && *p;) {
		size_t len = strcspn(p, ",");
		for (int k = 0; partner_fields[k]; k++) {
			char name[256];
			snprintf(name, sizeof name, "%.*s.%s", (int)len, p, partner_fields[k]);
			print_named(out, fields, n, done, name);
		}
		p += len;
		if (*p == ',')
			p++;
	}
	size_t nrest = 0;
	for (size_t i = 0; i < n; i++)
		if (!done[i] && strcmp(fields[i].name, "json") != 0 && !is_json_chunk(fields[i].name))
			rest[nrest++] = &fields[i];
	qsort(rest, nrest, sizeof *rest, by_name);
	for (size_t i = 0; i < nrest; i++)
		print_field(out, rest[i]);
	print_named(out, fields, n, done, "json");
	print_json_chunks(out, fields, n, done);
	/* chunks that could not be joined, as they are */
	for (size_t i = 0; i < n; i++)
		if (!done[i] && is_json_chunk(fields[i].name))
			print_field(out, &fields[i]);
	free(rest);
	free(done);
}
