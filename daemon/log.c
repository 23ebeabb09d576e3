/*
 * log: see log.h. One write per line so concurrent writers do not
 * interleave within a line.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static enum log_level max_level = LOG_INFO;
static int with_prefix = -1; /* -1: not decided yet (stderr is looked at once) */

bool log_wants_prefix(bool stderr_is_tty, const char *journal_stream)
{
	return !stderr_is_tty || (journal_stream && *journal_stream);
}

void log_set_level(enum log_level max)
{
	max_level = max;
}

bool log_enabled(enum log_level level)
{
	return level <= max_level;
}

bool log_due(int64_t *last_ms, int64_t now_ms, int64_t every_ms)
{
	if (*last_ms && now_ms - *last_ms < every_ms)
		return false;
	*last_ms = now_ms;
	return true;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	if (level > max_level)
		return;
	if (with_prefix < 0)
		with_prefix = log_wants_prefix(isatty(STDERR_FILENO), getenv("JOURNAL_STREAM"));
	char line[1024];
	int n = with_prefix ? snprintf(line, sizeof line, "<%d>", (int)level)
		: snprintf(line, sizeof line, "%s",
			   level == LOG_ERR ? "error: " : level == LOG_WARNING ? "warning: " : "");
	va_list ap;
	va_start(ap, fmt);
	int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	va_end(ap);
	size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
	if (len > sizeof line - 2)
		len = sizeof line - 2;
	line[len++] = '\n';
	ssize_t w = write(STDERR_FILENO, line, len);
	(void)w;
}
