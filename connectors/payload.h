/*
 * payload: what one partner receives of a task (payload.c): minimised
 * fields, health facts, templates rendered, acknowledgement outcomes.
 */
#ifndef VS_PAYLOAD_H
#define VS_PAYLOAD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct partner;
struct partners_config;

/* Whether a fact is health data: every fact of mazl and long_sick, and any
 * fact about sickness elsewhere. */
bool fact_is_health(const char *rule, const char *fact);

/* Builds the payload one partner receives (docs/partners.md) from the
 * task's stored record `task` (the JSON the dispatcher keeps), keeping only
 * the partner's fields and never health facts for a partner without
 * health_data. kind is "task" or "reminder"; due_at is this partner's due
 * time. Returns a new reference. */
json_t *payload_build(const struct partners_config *pc, const struct partner *p, const json_t *task,
		      const char *kind, const char *due_at);

void template_render(const char *tpl, const json_t *vars, char *buf, size_t cap);

/* The outcomes a partner may acknowledge a task with (planned, contacted,
 * done, consult_requested, referred, not_applicable). */
bool ack_outcome_valid(const char *outcome);
#define ACK_OUTCOMES "planned, contacted, done, consult_requested, referred or not_applicable"

#endif
