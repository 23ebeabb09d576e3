/*
 * log: the daemon's log lines, on stderr with sd-daemon priority prefixes
 * ("<3>" error ... "<7>" debug) so journald files each at its level.
 * The prefixes are for journald and a log file: on a terminal (stderr a tty
 * and no JOURNAL_STREAM, which systemd sets for a unit's stderr) lines carry
 * "error: " or "warning: " words instead, and nothing on the other levels.
 *
 * Privacy rule: no pupil key and no payload in a line at info level or
 * above. Debug lines may carry them and are off unless --verbose.
 */
#ifndef VS_LOG_H
#define VS_LOG_H

#include <stdbool.h>
#include <stdint.h>

enum log_level { LOG_ERR = 3, LOG_WARNING = 4, LOG_NOTICE = 5, LOG_INFO = 6, LOG_DEBUG = 7 };

void log_set_level(enum log_level max);

/* Whether lines carry the "<N>" prefix: when stderr is not a terminal, or
 * journald reads it (journal_stream: $JOURNAL_STREAM, NULL when unset). */
bool log_wants_prefix(bool stderr_is_tty, const char *journal_stream);
bool log_enabled(enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Rate limit for a recurring problem: true (log it now) when no line was
 * logged for it within every_ms; *last_ms (0 = never) keeps the time. */
bool log_due(int64_t *last_ms, int64_t now_ms, int64_t every_ms);

#define log_err(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
