/*
 * taskshow: see taskshow.h.
 */
#include "taskshow.h"

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
		if (!done[i] && strcmp(fields[i].name, "json") != 0)
			rest[nrest++] = &fields[i];
	qsort(rest, nrest, sizeof *rest, by_name);
	for (size_t i = 0; i < nrest; i++)
		print_field(out, rest[i]);
	print_named(out, fields, n, done, "json");
	free(rest);
	free(done);
}
