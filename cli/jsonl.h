/*
 * jsonl: reading registrations from JSON Lines.
 *
 * One JSON object per line, keys = the stream field names, values strings
 * or integers (an integer is taken as its decimal text, so "period": 3 and
 * "period": "3" mean the same). Anything else on a line is rejected with
 * reason code bad_encoding; the parser of event.h does the rest.
 */
#ifndef VS_JSONL_H
#define VS_JSONL_H

#include "event.h"

#include <stdio.h>

#define JSONL_MAX_FIELDS 32

struct jsonl_reader {
	FILE *f;
	char *line;
	size_t cap;
	long lineno;
	unsigned long long bytes; /* bytes read so far (progress) */
};

void jsonl_open(struct jsonl_reader *r, FILE *f);
void jsonl_close(struct jsonl_reader *r);

/* Reads the next non-empty line. Returns 1 with the line in r->line, 0 at
 * the end of input, -1 on a read error. */
int jsonl_next(struct jsonl_reader *r);

/* Parses r->line into fields (at most JSONL_MAX_FIELDS) and then into a
 * registration (years may be NULL). Returns 0, or -1 with err set. */
int jsonl_parse_registration(const char *line, const struct school_years *years,
			     struct registration *out, struct event_error *err);

/* Only the JSON decoding and field extraction (for the parse-only benchmark
 * baseline). Returns the number of fields, or -1 with err set. */
int jsonl_decode_fields(const char *line, struct event_field *fields, char (*numbufs)[24],
			void **handle, struct event_error *err);
void jsonl_release(void *handle);

#endif
