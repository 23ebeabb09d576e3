/*
 * util: the few helpers every module shares.
 *
 * Allocation failure is not a condition this project recovers from: every
 * allocation goes through xmalloc/xcalloc/xrealloc, which abort with a
 * message instead of returning NULL (STYLE.md: "allocation failure aborts
 * through one wrapper").
 */
#ifndef VS_UTIL_H
#define VS_UTIL_H

#include <stddef.h>
#include <stdint.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* Copies at most cap-1 bytes of src into dst and NUL-terminates it. Returns
 * the length of src, so a result >= cap means the copy was truncated. */
size_t str_copy(char *dst, const char *src, size_t cap);

/* FNV-1a, 64 bit, over len bytes; continue a hash by passing it as seed
 * (start with FNV1A64_INIT). */
#define FNV1A64_INIT 0xcbf29ce484222325ULL
uint64_t fnv1a64(uint64_t seed, const void *data, size_t len);

/* FNV-1a, 32 bit: the partition function of DESIGN.md
 * (p = fnv1a32(student) mod P). */
uint32_t fnv1a32(const char *s);

/* Appends n bytes to the buffer *buf holding *len bytes (NULL and 0 to
 * start), growing it; the buffer stays NUL-terminated. */
void str_append(char **buf, size_t *len, const void *data, size_t n);
/* The same, printf-formatted (cut at 2 KiB). */
void str_appendf(char **buf, size_t *len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Reads a secret (a password, a token) from a file: its first line without
 * the line end. NULL with errno set when the file cannot be read. */
char *read_secret_file(const char *path);

/* CRC-32 (IEEE 802.3 polynomial, reflected) over len bytes. */
uint32_t crc32_ieee(const void *data, size_t len);

#endif
