/*
 * jsonl: see jsonl.h. jansson decodes each line; the decoded strings are
 * handed to the event parser without copying.
 */
#include "jsonl.h"

#include "util.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

void jsonl_open(struct jsonl_reader *r, FILE *f)
{
	memset(r, 0, sizeof *r);
	r->f = f;
}

void jsonl_close(struct jsonl_reader *r)
{
	free(r->line);
	r->line = NULL;
}

int jsonl_next(struct jsonl_reader *r)
{
	for (;;) {
		ssize_t n = getline(&r->line, &r->cap, r->f);
		if (n < 0)
			return ferror(r->f) ? -1 : 0;
		r->lineno++;
		r->bytes += (unsigned long long)n;
		while (n > 0 && (r->line[n - 1] == '\n' || r->line[n - 1] == '\r'))
			r->line[--n] = '\0';
		const char *p = r->line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p)
			return 1;
	}
}

void jsonl_release(void *handle)
{
	if (handle)
		json_decref((json_t *)handle);
}

int jsonl_decode_fields(const char *line, struct event_field *fields, char (*numbufs)[24],
			void **handle, struct event_error *err)
{
	json_error_t jerr;
	json_t *obj = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
	*handle = obj;
	if (!obj)
		return event_error_set(err, EV_BAD_ENCODING, "", "not valid JSON (column %d): %s",
				       jerr.column, jerr.text);
	if (!json_is_object(obj))
		return event_error_set(err, EV_BAD_ENCODING, "", "expected a JSON object");
	int n = 0;
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v) {
		if (n == JSONL_MAX_FIELDS)
			return event_error_set(err, EV_BAD_ENCODING, "",
					       "more than %d fields", JSONL_MAX_FIELDS);
		struct event_field *f = &fields[n];
		f->name = key;
		f->name_len = strlen(key);
		if (json_is_string(v)) {
			f->value = json_string_value(v);
			f->value_len = json_string_length(v);
		} else if (json_is_integer(v)) {
			int len = snprintf(numbufs[n], 24, "%" JSON_INTEGER_FORMAT,
					   json_integer_value(v));
			f->value = numbufs[n];
			f->value_len = (size_t)len;
		} else {
			char field[24];
			str_copy(field, key, sizeof field);
			return event_error_set(err, EV_BAD_ENCODING, field,
					       "field values must be strings or integers");
		}
		n++;
	}
	return n;
}

int jsonl_parse_registration(const char *line, const struct school_years *years,
			     struct registration *out, struct event_error *err)
{
	struct event_field fields[JSONL_MAX_FIELDS];
	char numbufs[JSONL_MAX_FIELDS][24];
	void *handle;
	int n = jsonl_decode_fields(line, fields, numbufs, &handle, err);
	int rc = n < 0 ? -1 : event_parse(fields, (size_t)n, years, out, err);
	jsonl_release(handle);
	return rc;
}
