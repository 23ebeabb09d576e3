/*
 * jsonconf: reading a JSON configuration file with errors a person can act on.
 *
 * jansson reports the line and column of a syntax error but keeps no
 * positions for the values it parsed. jsonconf keeps the file's text, and
 * when a value is wrong (a type, a range, an unknown key) it finds that
 * value's position again by walking the text along the value's path
 * ("rules.lrv.4w", "holidays[2].from"). Every error reads
 *     FILE:LINE:COLUMN: PATH: what was found, what was expected
 * Errors accumulate (up to JCONF_MAX_ERRORS), so one run shows them all.
 */
#ifndef VS_JSONCONF_H
#define VS_JSONCONF_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define JCONF_MAX_ERRORS 32

struct jconf {
	char *file;   /* name used in messages */
	char *text;   /* the file's contents, NUL-terminated */
	json_t *root; /* parsed document, or NULL after a syntax error */
	int nerrors;
	char *errors; /* newline-separated messages */
	size_t errors_len;
};

/* Reads and parses path. Returns 0, or -1 with the reason in jc's errors
 * (jconf_free must still be called). */
int jconf_open(struct jconf *jc, const char *path);

/* Same, from text already in memory; name is used in messages. */
int jconf_open_text(struct jconf *jc, const char *name, const char *text);

void jconf_free(struct jconf *jc);

/* Records an error about the value at path (a dotted path with [i] for
 * array elements; "" is the document itself). */
void jconf_error(struct jconf *jc, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Finds the position of the value at path in text: 1-based line and column.
 * Where the path does not exist, the position of its deepest existing
 * ancestor. Exposed for tests. */
void jconf_locate(const char *text, const char *path, int *line, int *col);

/* Typed getters for obj[key], with obj itself at path `at`. A missing key
 * leaves *out untouched (the caller presets the default) and returns 0.
 * A wrong type or a value out of range records an error and returns -1. */
int jconf_int(struct jconf *jc, json_t *obj, const char *at, const char *key, int64_t min,
	      int64_t max, int64_t *out);
/* jconf_int into an int field (keeps *out on a missing key or an error). */
void jconf_int_field(struct jconf *jc, json_t *obj, const char *at, const char *key, int64_t min,
		     int64_t max, int *out);
int jconf_bool(struct jconf *jc, json_t *obj, const char *at, const char *key, bool *out);
int jconf_date(struct jconf *jc, json_t *obj, const char *at, const char *key, int32_t *out);
/* Returns a pointer into the document (valid while jc is open). */
int jconf_string(struct jconf *jc, json_t *obj, const char *at, const char *key,
		 const char **out);
/* A decimal number (integer or real) in [min, max], scaled by 100 and
 * rounded to an integer: "5" and "5.0" give 500, "7.25" gives 725. Used for
 * percentages, so they compare exactly in integers. */
int jconf_percent_bp(struct jconf *jc, json_t *obj, const char *at, const char *key,
		     double min, double max, int64_t *out_bp);

/* Records an error for every key of obj that is not in allowed (a
 * NULL-terminated list), naming the keys that are. Returns the number of
 * unknown keys. */
int jconf_only_keys(struct jconf *jc, json_t *obj, const char *at, const char *const *allowed);

/* Records an error unless value is an object; returns 0 when it is. */
int jconf_expect_object(struct jconf *jc, json_t *value, const char *at);

/* Joins a path and a key ("rules" + "lrv" -> "rules.lrv"; "" + "x" -> "x")
 * or an index ("holidays" + 2 -> "holidays[2]") into buf. */
const char *jconf_path_key(char *buf, size_t cap, const char *at, const char *key);
const char *jconf_path_index(char *buf, size_t cap, const char *at, size_t index);

#endif
