/*
 * due: due times of tasks (working days, the DUO report) and the delay
 * before a delivery is tried again (due.c). Pure: no clock.
 */
#ifndef VS_DUE_H
#define VS_DUE_H

#include <stdbool.h>
#include <stdint.h>

struct dispatch_config;

/* Due time of a window of `hours` starting at start_ms; with working_days
 * Saturdays and Sundays (local time) do not count. */
int64_t due_after_hours(int64_t start_ms, int hours, bool working_days);
/* The end of the n-th working day after start (local time), for the DUO
 * report of a 16-hour task. */
int64_t due_after_working_days(int64_t start_ms, int days);
/* The one due time of a task created at created_ms with an action window of
 * window_hours: what the task entry records (due_at) and what a partner is
 * told both come from here (dispatch window_s and working_days applied;
 * dc NULL: plain hours). duo_school: the school's DUO-report task of
 * leerplicht_16u, due within duo_report_working_days if that is sooner. */
int64_t task_due_ms(const struct dispatch_config *dc, int64_t created_ms, int window_hours,
		    bool duo_school);

/* Delay before the next delivery attempt: exponential from base_ms,
 * capped at max_ms, with jitter from rnd in [half, full]; at least the
 * partner's Retry-After (seconds, capped at an hour) when it sent one. */
int64_t retry_delay_ms(int attempt, int base_ms, int max_ms, uint64_t rnd, long retry_after_s);

#endif
