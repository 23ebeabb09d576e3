/*
 * addrlimit: token buckets per client address, for the partner API's
 * unauthenticated and failed requests (docs/partners.md, "Rate limits").
 *
 * The table has a fixed number of slots, so an attacker with many
 * addresses cannot make it grow: an address hashes to a short run of slots;
 * when they are all taken the entry with the most tokens (the one whose
 * loss forgets the least) is replaced. IPv6 addresses are limited per /64,
 * the smallest network one subscriber is usually given. Pure: the caller
 * passes the time.
 */
#ifndef VS_ADDRLIMIT_H
#define VS_ADDRLIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct addrlimit;

/* A table of `slots` buckets (rounded up to a power of two), each refilling
 * at rate_per_s up to burst. */
struct addrlimit *addrlimit_new(int slots, double rate_per_s, double burst);
void addrlimit_free(struct addrlimit *l);
/* Changes the rate and burst (configuration reload); buckets are kept. */
void addrlimit_set(struct addrlimit *l, double rate_per_s, double burst);

/* Whether the address (a numeric IPv4 or IPv6 string, as evhttp gives it)
 * has no token left at now_ms: its requests are refused before any work.
 * A string that is no address is limited as one shared address. */
bool addrlimit_blocked(struct addrlimit *l, const char *addr, int64_t now_ms);
/* Takes one token from the address's bucket (a failed request). */
void addrlimit_charge(struct addrlimit *l, const char *addr, int64_t now_ms);

#endif
