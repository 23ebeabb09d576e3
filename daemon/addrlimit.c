/*
 * addrlimit: see addrlimit.h. Open addressing over a power-of-two table
 * with a probe run of PROBES slots; a bucket holds the key (16 bytes: an
 * IPv4 address mapped into IPv6, or an IPv6 /64), its tokens at its last
 * update and that time.
 */
#include "addrlimit.h"

#include "util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#define PROBES 8

struct addr_bucket {
	unsigned char key[16];
	bool used;
	double tokens;  /* at at_ms */
	int64_t at_ms;
};

struct addrlimit {
	struct addr_bucket *slots;
	size_t mask;
	double rate, burst;
};

struct addrlimit *addrlimit_new(int slots, double rate_per_s, double burst)
{
	size_t n = 16;
	while (n < (size_t)slots)
		n <<= 1;
	struct addrlimit *l = xcalloc(1, sizeof *l);
	l->slots = xcalloc(n, sizeof *l->slots);
	l->mask = n - 1;
	addrlimit_set(l, rate_per_s, burst);
	return l;
}

void addrlimit_free(struct addrlimit *l)
{
	if (!l)
		return;
	free(l->slots);
	free(l);
}

void addrlimit_set(struct addrlimit *l, double rate_per_s, double burst)
{
	l->rate = rate_per_s;
	l->burst = burst;
}

/* The key of an address: IPv4 as ::ffff:a.b.c.d, IPv6 cut to its /64 (an
 * IPv4-mapped IPv6 address counts as the IPv4 address). */
static void addr_key(const char *addr, unsigned char key[16])
{
	memset(key, 0, 16);
	struct in_addr v4;
	struct in6_addr v6;
	if (inet_pton(AF_INET, addr, &v4) == 1) {
		key[10] = key[11] = 0xff;
		memcpy(key + 12, &v4, 4);
	} else if (inet_pton(AF_INET6, addr, &v6) == 1) {
		memcpy(key, &v6, 16);
		if (!IN6_IS_ADDR_V4MAPPED(&v6))
			memset(key + 8, 0, 8);
	}
}

static size_t key_hash(const unsigned char key[16])
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (int i = 0; i < 16; i++) {
		h ^= key[i];
		h *= 1099511628211ULL;
	}
	return (size_t)(h ^ (h >> 32));
}

static double tokens_at(const struct addrlimit *l, const struct addr_bucket *b, int64_t now_ms)
{
	double t = b->tokens;
	if (now_ms > b->at_ms)
		t += (double)(now_ms - b->at_ms) / 1000.0 * l->rate;
	return t > l->burst ? l->burst : t;
}

/* The address's bucket, or NULL when it has none (a full bucket). */
static struct addr_bucket *find(struct addrlimit *l, const unsigned char key[16])
{
	size_t h = key_hash(key);
	for (size_t i = 0; i < PROBES; i++) {
		struct addr_bucket *b = &l->slots[(h + i) & l->mask];
		if (b->used && memcmp(b->key, key, 16) == 0)
			return b;
	}
	return NULL;
}

bool addrlimit_blocked(struct addrlimit *l, const char *addr, int64_t now_ms)
{
	unsigned char key[16];
	addr_key(addr, key);
	const struct addr_bucket *b = find(l, key);
	return b && tokens_at(l, b, now_ms) < 1.0;
}

void addrlimit_charge(struct addrlimit *l, const char *addr, int64_t now_ms)
{
	unsigned char key[16];
	addr_key(addr, key);
	struct addr_bucket *b = find(l, key);
	if (!b) {
		/* a free slot in the run, else the one with the most tokens */
		size_t h = key_hash(key);
		double most = -1;
		for (size_t i = 0; i < PROBES; i++) {
			struct addr_bucket *c = &l->slots[(h + i) & l->mask];
			double t = c->used ? tokens_at(l, c, now_ms) : l->burst + 1;
			if (t > most) {
				most = t;
				b = c;
			}
		}
		memcpy(b->key, key, 16);
		b->used = true;
		b->tokens = l->burst;
		b->at_ms = now_ms;
	}
	b->tokens = tokens_at(l, b, now_ms) - 1.0;
	if (b->tokens < 0)
		b->tokens = 0;
	b->at_ms = now_ms;
}
