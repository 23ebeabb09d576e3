/*
 * recordjson: a task record's JSON with its most common member names as one
 * byte each (docs/redis-keys.md, "task:<id>"; store/lua/record.lua holds the
 * same dictionary). '"<name>":' becomes byte k (1 to 31) for the k-th name
 * of the list, which is never changed: records written with it must read.
 * Valid JSON has no raw byte below 32, so the bytes are unambiguous.
 */
#ifndef VS_RECORDJSON_H
#define VS_RECORDJSON_H

#include <stddef.h>

/* The name byte code stands for, NULL for a byte that is no name. */
const char *record_json_name(unsigned char code);

/* json with its names as bytes (malloc'd, NUL-terminated, its length in
 * *len), the same bytes as record.lua's gsub gives; NULL when json holds a
 * raw byte below 32 (not valid JSON: it is kept as it is). */
char *record_json_encode(const char *json, size_t *len);

#endif
