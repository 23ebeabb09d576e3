/*
 * generate: `vroegsignaal generate` writes a synthetic region's absence
 * registrations for one or two school years as JSON Lines, in the event-stream
 * format that `vroegsignaal replay` reads. docs/generate.md describes the
 * options and the patterns.
 *
 * Everything derives from --seed through this module's own PRNG
 * (splitmix64), never rand(), so a seed gives byte-identical output on every
 * machine. Each pupil draws from its own stream (seed, pupil index); only
 * the assignment of profiles and traits looks at the whole population, by
 * exact quota over a seeded shuffle, so a small region still holds every
 * profile in proportion.
 *
 * Two calibrations: `region` (the default) is set against a real region's
 * figures (docs/generate.md, "Calibration"), with plans of its own (the *_r
 * functions); `v1` is the first model, whose plans and draws must not change:
 * the bundled sample is checked to be what its seed gives under it.
 *
 * How a run goes:
 *  1. schools get BRIN codes (01AB, 02AC, ...; 01AB is always one, it has a
 *     study day of its own in the shipped calendar), a sector and a weight;
 *  2. each pupil gets a profile (regular, sick-prone, long sick, chronic
 *     absentee, truant, thuiszitter, luxe) and traits (18+, late enrolment,
 *     leaving: to another school of the region, away with a destination, or
 *     without one), a school and a birth date that fits its sector;
 *  3. a day plan over the region's school days of the years generated (by
 *     ordinal) says what happens on each day: at most one pattern a day, so
 *     patterns never overwrite each other by accident;
 *  4. the plan becomes registrations, kept within the pupil's enrolment and
 *     the school's own calendar view (01AB's study day gets nothing); a
 *     registration may be recorded late, recorded in advance (authorised
 *     leave), sent twice, or corrected by a later `present`;
 *  5. everything is sorted by recorded_at (ties: pupil, then the order
 *     generated) and written; with --invalid-permille, deliberately invalid
 *     lines are interleaved at exactly that rate.
 *
 * Invariants: every day registration of a valid line falls on a school day
 * of the pupil's school at that date, on or after its enrolment and before
 * it leaves; every line has its own id except an exact duplicate, which
 * repeats the line it duplicates (a redelivery). Times are the school's
 * local time (Europe/Amsterdam) written as UTC with Z. stderr gets counts
 * only, never a pupil key.
 */
#include "cli.h"

#include "config.h"
#include "date.h"
#include "event.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define GEN_MAX_PUPILS 1000000
#define GEN_MAX_SCHOOLS 10000 /* BRIN codes stay unique below 99 * 676 */
#define GEN_MAX_INVALID_PERMILLE 500
#define SECS_PER_HOUR 3600
#define SECS_PER_DAY 86400

/* ---- PRNG: splitmix64 ---- */

struct rng {
	uint64_t state;
};

/* The splitmix64 finaliser: a bijection on 64 bits that mixes well. */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rng_next(struct rng *r)
{
	r->state += 0x9e3779b97f4a7c15ULL;
	return mix64(r->state);
}

/* Uniform in [0, n), n > 0, by multiply-shift (integer only, so the same on
 * every platform). */
static uint32_t rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi], lo <= hi. */
static int rng_range(struct rng *r, int lo, int hi)
{
	return lo + (int)rng_below(r, (uint32_t)(hi - lo + 1));
}

static bool rng_chance(struct rng *r, int permille)
{
	return (int)rng_below(r, 1000) < permille;
}

/* Independent streams: what for (kind) and for whom (index). */
enum stream_kind {
	STREAM_PROFILES = 1,
	STREAM_ADULTS,
	STREAM_LATE_ENROL,
	STREAM_LEAVE,
	STREAM_PUPIL,
	STREAM_INVALID,
	STREAM_PLAN,
};

static struct rng rng_stream(uint64_t seed, enum stream_kind kind, uint64_t index)
{
	struct rng r = {mix64(seed ^ 0x7672f3a1c0de5eedULL) ^
			mix64(((uint64_t)kind << 48) ^ index)};
	return r;
}

/* A keyed bijection on 32 bits: distinct pupil indices give distinct keys,
 * so pseudonyms never collide. Every step (xor, add, multiply by an odd
 * number, xor-shift) is invertible. */
static uint32_t perm32(uint32_t x, uint64_t key)
{
	x ^= (uint32_t)key;
	x *= 0x9e3779b1u;
	x ^= x >> 16;
	x += (uint32_t)(key >> 32);
	x *= 0x85ebca6bu;
	x ^= x >> 13;
	x *= 0xc2b2ae35u;
	x ^= x >> 16;
	return x;
}

/* ---- the model ---- */

enum profile {
	PR_REGULAR,
	PR_SICK_PRONE,
	PR_LONG_SICK,
	PR_CHRONIC,
	PR_TRUANT,
	PR_THUISZITTER,
	PR_LUXE,
	PR_COUNT
};

static const char *const profile_names[PR_COUNT] = {
	"regular", "sick_prone", "long_sick", "chronic", "truant", "thuiszitter", "luxe",
};

/* The calibrations: `region` (the default) is set against a real region's
 * figures (docs/generate.md, "Calibration"); `v1` is the first model, kept
 * byte for byte because the bundled sample and some tests were made with it. */
enum calibration { CAL_REGION, CAL_V1 };

/* Shares and traits in pcm (per 100,000 pupils): profile shares add up to
 * 100,000; traits are rounded half up. */
struct model {
	int profile_pcm[PR_COUNT];
	int adult_pcm, late_enrol_pcm, leave_away_pcm, leave_unknown_pcm, leave_move_pcm;
};

static const struct model models[] = {
	[CAL_REGION] = {{81800, 10000, 2000, 4000, 900, 300, 1000}, 2000, 4000, 1000, 40, 500},
	[CAL_V1] = {{72500, 10000, 3000, 7000, 5000, 1500, 1000}, 2000, 4000, 1000, 500, 500},
};

/* Per registration, in permille. */
#define LATE_RECORD_PERMILLE 30    /* recorded 1..6 days after its date */
#define ADVANCE_PERMILLE 250       /* authorised leave recorded 1..7 days ahead */
#define DUPLICATE_PERMILLE 5       /* sent twice */
#define CORRECT_ABSENT_PERMILLE 30 /* an absent followed by a `present` */
#define CORRECT_SICK_PERMILLE 5    /* ... a sick registration, rarer */

enum leave_kind {
	LEAVE_NONE,
	LEAVE_MOVE,    /* unenrol with the BRIN of another school here, then enrol there */
	LEAVE_AWAY,    /* unenrol with a destination outside the region */
	LEAVE_UNKNOWN, /* unenrol without a destination: absoluut verzuim if under 18 */
};

static const char *const leave_names[] = {"none", "move", "away", "unknown"};

/* Reasons written on registrations (index 0: none; REASON_LUXE takes the
 * configured luxe reason). */
enum reason {
	REASON_NONE,
	REASON_LUXE,
	REASON_DOCTOR,
	REASON_DENTIST,
	REASON_ORTHODONTIST,
	REASON_HOSPITAL,
	REASON_FUNERAL,
	REASON_RELIGIOUS,
	REASON_LEAVE,
	REASON_TRANSPORT,
	REASON_COUNT
};

static const char *const reason_texts[REASON_COUNT] = {
	NULL,     NULL,        "arts",    "tandarts", "orthodontist", "ziekenhuis",
	"begrafenis", "religieuze feestdag", "verlof", "vervoer",
};

/* Destinations of leavers outside the region. */
static const char *const away_destinations[] = {"buitenland", "27XK", "14QA", "30HN"};
#define N_AWAY_DESTINATIONS (sizeof away_destinations / sizeof *away_destinations)

struct school {
	char code[EVENT_SCHOOL_MAX + 1];
	enum sector sector;
	int weight;        /* share of pupils: mbo and vo schools are larger */
	int lesson_minutes; /* a lesson hour's length; sent explicitly when not 50 */
};

struct pupil {
	uint32_t key;       /* pseudonym: "s" + 8 hex digits */
	int school, school2; /* school2: after a move */
	int32_t birth;
	enum profile profile;
	enum leave_kind leave;
	bool adult;          /* 18 or older on the year's first day */
	bool late_enrol;
	int ks;              /* first school-day ordinal enrolled (g->days) */
	int ku;              /* ordinal of the unenrol date (leave != NONE) */
	int kn;              /* ordinal of the enrolment at school2 (LEAVE_MOVE) */
	int last;            /* last ordinal with registrations at all */
	int run_days;        /* planned long run (long sick, thuiszitter), 0 if none */
	int run_first;       /* ... its first ordinal (valid when run_days > 0) */
	int dest;            /* away_destinations index (LEAVE_AWAY) */
	uint32_t seq;        /* registrations generated so far */
};

/* One registration to write. */
struct gen_event {
	int64_t recorded; /* seconds since the epoch, UTC */
	uint32_t pupil;
	uint32_t seq;     /* per pupil, in generation order */
	int32_t date;
	uint16_t school;
	int16_t minutes;  /* -1: not given */
	uint8_t kind;     /* enum reg_kind */
	uint8_t period;
	int8_t authorized; /* -1: not given, 0 no, 1 yes */
	uint8_t reason;   /* enum reason */
	uint8_t dup;      /* an exact duplicate of the entry before it */
	uint8_t dest;     /* unenrol: 0 none, 1 school (dest_school), 2 away (away_destinations) */
	uint16_t dest_ix;
};

/* What the plan says about one school day. */
enum plan_kind {
	PL_NONE,
	PL_SICK,         /* sick, whole day */
	PL_SICK_HALF,    /* sick, sent home at noon: half a day's minutes */
	PL_ABS_UNAUTH,   /* absent authorized=no, whole day */
	PL_ABS_HALF,     /* absent authorized=no, part of a day (minutes) */
	PL_ABS_AUTH,     /* absent authorized=yes, whole day, with a reason */
	PL_LUXE,         /* absent authorized=no with the luxe reason */
	PL_HOURS_UNAUTH, /* lesson hours absent authorized=no */
	PL_HOURS_AUTH,   /* lesson hours absent authorized=yes (a doctor's visit) */
	PL_LATE,         /* a late arrival */
};

struct plan_day {
	uint8_t kind;         /* enum plan_kind */
	uint8_t first_period; /* PL_HOURS_*: the first lesson hour */
	uint8_t nhours;       /* ... and how many */
	uint8_t run;          /* part of a long run: never corrected */
	int8_t authorized;    /* PL_LATE: -1 not given, 0 no, 1 yes */
	uint8_t reason;       /* enum reason */
	int16_t minutes;      /* PL_ABS_HALF, PL_LATE */
};

struct counts {
	unsigned long long lines, invalid, duplicates, corrections, late_recorded, advance,
		concerns, unenrols, bytes;
	unsigned pupils_by_profile[PR_COUNT];
	unsigned adults, late_enrols, leaves[4];
};

struct gen {
	const struct vs_config *cfg;
	enum calibration cal;
	const struct model *m;
	int nyears;                  /* school years generated (consecutive, from the first) */
	int32_t *days;               /* the region's school days of those years: the plan's ordinals */
	int n;                       /* ... how many */
	int nyear;                   /* school days in a year (n / nyears): counts are per year */
	int year_end[2];             /* last ordinal of each year generated */
	int32_t first_day, last_day; /* first day of the first year, last day of the last */
	int half_day;                /* half of full_day_minutes */
	uint64_t seed, student_key, id_key;
	struct school *schools;
	int nschools;
	struct pupil *pupils;
	int npupils;
	int *breaks; /* ordinals of the last school day before each holiday, and of the year */
	int nbreaks;
	int32_t *holiday_days; /* weekdays of the year that are no school day (invalid lines) */
	int nholiday;
	struct plan_day *plan; /* [n], one pupil at a time */
	struct gen_event *ev;
	size_t nev, cap;
	enum sector sector; /* --sector: every school's, SECTOR_COUNT for the mix */
	struct counts c;
};

/* ---- time ---- */

static int32_t last_sunday(int y, int m)
{
	int32_t d = date_from_civil(y, m, 31); /* March and October have 31 days */
	return d - (date_weekday(d) + 1) % 7;
}

/* The instant of a local Dutch wall-clock time on `date` (CET, or CEST from
 * the last Sunday of March to the last Sunday of October). Times used here
 * lie between 06:00 and 18:00, away from the switch at night. */
static int64_t local_instant(int32_t date, int secs_of_day)
{
	int y, m, d;
	date_to_civil(date, &y, &m, &d);
	int offset = date >= last_sunday(y, 3) && date < last_sunday(y, 10) ? 2 : 1;
	return (int64_t)date * SECS_PER_DAY + secs_of_day - offset * SECS_PER_HOUR;
}

/* A local time uniformly in [from_h:00, to_h:00). */
static int64_t local_between(struct rng *r, int32_t date, int from_h, int to_h)
{
	uint32_t span = (uint32_t)((to_h - from_h) * SECS_PER_HOUR);
	return local_instant(date, from_h * SECS_PER_HOUR + (int)rng_below(r, span));
}

/* ---- schools and pupils ---- */

static const enum sector sector_cycle[6] = {SECTOR_VO, SECTOR_PO, SECTOR_MBO,
					     SECTOR_PO, SECTOR_VO, SECTOR_PO};

static void schools_build(struct gen *g)
{
	g->schools = xcalloc((size_t)g->nschools, sizeof *g->schools);
	for (int i = 0; i < g->nschools; i++) {
		struct school *s = &g->schools[i];
		int letters = (1 + i) % 676;
		s->code[0] = (char)('0' + (1 + i % 99) / 10);
		s->code[1] = (char)('0' + (1 + i % 99) % 10);
		s->code[2] = (char)('A' + letters / 26);
		s->code[3] = (char)('A' + letters % 26);
		s->code[4] = '\0';
		s->sector = g->sector != SECTOR_COUNT ? g->sector : sector_cycle[i % 6];
		s->weight = s->sector == SECTOR_PO ? 1 : 3;
		s->lesson_minutes = i % 3 == 2 ? 45 : 50;
	}
}

/* A school by weight among those of `sector` (any sector when
 * sector == SECTOR_COUNT), not `except`; -1 when there is none. */
static int school_pick(const struct gen *g, struct rng *r, enum sector sector, int except)
{
	long total = 0;
	for (int i = 0; i < g->nschools; i++)
		if (i != except && (sector == SECTOR_COUNT || g->schools[i].sector == sector))
			total += g->schools[i].weight;
	if (total == 0)
		return -1;
	long x = (long)rng_below(r, (uint32_t)total);
	for (int i = 0; i < g->nschools; i++) {
		if (i == except || (sector != SECTOR_COUNT && g->schools[i].sector != sector))
			continue;
		x -= g->schools[i].weight;
		if (x < 0)
			return i;
	}
	return -1;
}

static bool has_sector(const struct gen *g, enum sector sector)
{
	for (int i = 0; i < g->nschools; i++)
		if (g->schools[i].sector == sector)
			return true;
	return false;
}

static void shuffle(int *v, int n, struct rng *r)
{
	for (int i = n - 1; i > 0; i--) {
		int j = (int)rng_below(r, (uint32_t)i + 1);
		int t = v[i];
		v[i] = v[j];
		v[j] = t;
	}
}

/* A shuffled 0..n-1 from stream `kind`. */
static int *shuffled_indices(const struct gen *g, enum stream_kind kind)
{
	int *v = xmalloc((size_t)g->npupils * sizeof *v);
	for (int i = 0; i < g->npupils; i++)
		v[i] = i;
	struct rng r = rng_stream(g->seed, kind, 0);
	shuffle(v, g->npupils, &r);
	return v;
}

static int quota(int n, int pcm)
{
	return (int)(((long long)n * pcm + 50000) / 100000);
}

/* Exact profile counts by largest remainder, dealt out over a shuffle. */
static void assign_profiles(struct gen *g)
{
	int count[PR_COUNT], rem[PR_COUNT], pcm[PR_COUNT], total = 0;
	memcpy(pcm, g->m->profile_pcm, sizeof pcm);
	/* One long run a pupil over all the years generated: as many runs a
	 * year as a one-year region has. */
	for (int y = 1; y < g->nyears; y++) {
		pcm[PR_REGULAR] -= g->m->profile_pcm[PR_LONG_SICK] + g->m->profile_pcm[PR_THUISZITTER];
		pcm[PR_LONG_SICK] += g->m->profile_pcm[PR_LONG_SICK];
		pcm[PR_THUISZITTER] += g->m->profile_pcm[PR_THUISZITTER];
	}
	for (int i = 0; i < PR_COUNT; i++) {
		count[i] = (int)((long long)g->npupils * pcm[i] / 100000);
		rem[i] = (int)((long long)g->npupils * pcm[i] % 100000);
		total += count[i];
	}
	while (total < g->npupils) {
		int best = 0;
		for (int i = 1; i < PR_COUNT; i++)
			if (rem[i] > rem[best])
				best = i;
		count[best]++;
		rem[best] = -1;
		total++;
	}
	int *order = shuffled_indices(g, STREAM_PROFILES);
	int k = 0;
	for (int p = 0; p < PR_COUNT; p++)
		for (int j = 0; j < count[p]; j++)
			g->pupils[order[k++]].profile = (enum profile)p;
	free(order);
}

/* A birth date such that the pupil is `age` on the year's first day. */
static int32_t birth_for_age(const struct gen *g, struct rng *r, int age)
{
	int y, m, d;
	date_to_civil(g->first_day, &y, &m, &d);
	if (m == 2 && d == 29)
		d = 28;
	return date_from_civil(y - age, m, d) - rng_range(r, 1, 364);
}

static int age_for(const struct school *s, bool adult, struct rng *r)
{
	if (adult)
		return rng_range(r, 18, 20);
	switch (s->sector) {
	case SECTOR_PO:
		return rng_range(r, 4, 11);
	case SECTOR_MBO:
		return rng_range(r, 16, 17);
	default:
		return rng_range(r, 12, 17);
	}
}

static void pupils_build(struct gen *g)
{
	g->pupils = xcalloc((size_t)g->npupils, sizeof *g->pupils);
	for (int i = 0; i < g->npupils; i++)
		g->pupils[i].key = perm32((uint32_t)i, g->student_key);
	assign_profiles(g);

	/* Traits, each from its own shuffle, so they combine at random. */
	enum sector adult_sector = has_sector(g, SECTOR_MBO)  ? SECTOR_MBO
				   : has_sector(g, SECTOR_VO) ? SECTOR_VO
							      : SECTOR_COUNT;
	int *order = shuffled_indices(g, STREAM_ADULTS);
	int nadult = adult_sector == SECTOR_COUNT ? 0 : quota(g->npupils, g->m->adult_pcm);
	for (int j = 0; j < nadult; j++)
		g->pupils[order[j]].adult = true;
	free(order);

	order = shuffled_indices(g, STREAM_LATE_ENROL);
	int nlate = quota(g->npupils, g->m->late_enrol_pcm);
	for (int j = 0; j < nlate; j++)
		g->pupils[order[j]].late_enrol = true;
	free(order);

	order = shuffled_indices(g, STREAM_LEAVE);
	int naway = quota(g->npupils, g->m->leave_away_pcm * g->nyears);
	int nunknown = quota(g->npupils, g->m->leave_unknown_pcm * g->nyears);
	int nmove = g->nschools > 1 ? quota(g->npupils, g->m->leave_move_pcm * g->nyears) : 0;
	for (int j = 0; j < naway + nunknown + nmove && j < g->npupils; j++)
		g->pupils[order[j]].leave = j < naway		   ? LEAVE_AWAY
					    : j < naway + nunknown ? LEAVE_UNKNOWN
								   : LEAVE_MOVE;
	free(order);

	int n = g->n;
	for (int i = 0; i < g->npupils; i++) {
		struct pupil *p = &g->pupils[i];
		struct rng r = rng_stream(g->seed, STREAM_PUPIL, (uint64_t)i);
		p->school = p->adult ? school_pick(g, &r, adult_sector, -1)
				     : school_pick(g, &r, SECTOR_COUNT, -1);
		p->birth = birth_for_age(g, &r, age_for(&g->schools[p->school], p->adult, &r));
		p->school2 = -1;
		p->ks = 0;
		if (p->late_enrol && n > 60)
			p->ks = rng_range(&r, 3, n - 40);
		p->last = n - 1;
		if (p->leave != LEAVE_NONE) {
			if (p->ks + 10 > n - 10) {
				p->leave = LEAVE_NONE; /* no room to leave after arriving */
			} else {
				p->ku = rng_range(&r, p->ks + 10, n - 10);
				if (p->leave == LEAVE_MOVE) {
					enum sector sec = g->schools[p->school].sector;
					p->school2 = school_pick(g, &r, sec, p->school);
					if (p->school2 < 0)
						p->school2 =
							school_pick(g, &r, SECTOR_COUNT, p->school);
					p->kn = p->ku + rng_range(&r, 0, 3);
				} else {
					p->last = p->ku - 1;
					p->dest = (int)rng_below(&r, N_AWAY_DESTINATIONS);
				}
			}
		}
		g->c.pupils_by_profile[p->profile]++;
		g->c.adults += p->adult;
		g->c.late_enrols += p->ks > 0;
		g->c.leaves[p->leave]++;
	}
}

/* The ordinals before each holiday (a gap of a week or more to the next
 * school day) and the year's last school day; the weekdays that are no
 * school day (for invalid lines). */
static void breaks_build(struct gen *g)
{
	g->breaks = xmalloc((size_t)(g->n + 1) * sizeof *g->breaks);
	for (int k = 0; k < g->n; k++)
		if (k == g->n - 1 || g->days[k + 1] - g->days[k] >= 7)
			g->breaks[g->nbreaks++] = k;
	g->holiday_days = xmalloc((size_t)(g->last_day - g->first_day + 1) * sizeof *g->holiday_days);
	for (int y = 0; y < g->nyears; y++) {
		const struct cal_view *v =
			calendar_view(school_years_calendar(g->cfg->years, y), NULL);
		for (int32_t d = v->first_day; d <= v->last_day; d++)
			if (date_weekday(d) < 5 && !cal_is_school_day(v, d))
				g->holiday_days[g->nholiday++] = d;
	}
}

/* ---- the day plan ---- */

/* A start ordinal for a block of len days within [lo, hi] whose days, and
 * `gap` days either side, are still free; -1 when none was found. */
static int plan_find(const struct gen *g, struct rng *r, int lo, int hi, int len, int gap)
{
	if (len <= 0 || hi - lo + 1 < len)
		return -1;
	for (int tries = 0; tries < 40; tries++) {
		int s = rng_range(r, lo, hi - len + 1);
		int a = s - gap < 0 ? 0 : s - gap;
		int b = s + len - 1 + gap >= g->n ? g->n - 1 : s + len - 1 + gap;
		bool ok = true;
		for (int k = a; k <= b && ok; k++)
			ok = g->plan[k].kind == PL_NONE;
		if (ok)
			return s;
	}
	return -1;
}

static void plan_set(struct gen *g, int from, int len, enum plan_kind kind, bool run)
{
	for (int k = from; k < from + len; k++) {
		memset(&g->plan[k], 0, sizeof g->plan[k]);
		g->plan[k].kind = (uint8_t)kind;
		g->plan[k].run = run;
	}
}

/* `count` scaled to the share of the year the pupil is enrolled. */
static int scaled(const struct gen *g, int count, int lo, int hi)
{
	return (count * (hi - lo + 1) + g->nyear / 2) / g->nyear;
}

static int short_spell_len(struct rng *r)
{
	int x = (int)rng_below(r, 10);
	return x < 5 ? 1 : x < 8 ? 2 : 3;
}

/* One short sick spell: whole days, sometimes a single half day. */
static void plan_sick_spell(struct gen *g, struct rng *r, int lo, int hi, int len, int half_pm)
{
	int s = plan_find(g, r, lo, hi, len, 1);
	if (s < 0)
		return;
	plan_set(g, s, len, len == 1 && rng_chance(r, half_pm) ? PL_SICK_HALF : PL_SICK, false);
}

static void plan_lates(struct gen *g, struct rng *r, int lo, int hi, int count, int min_m,
		       int max_m, int auth_pm)
{
	for (int i = 0; i < count; i++) {
		int s = plan_find(g, r, lo, hi, 1, 0);
		if (s < 0)
			return;
		struct plan_day *pd = &g->plan[s];
		pd->kind = PL_LATE;
		pd->minutes = (int16_t)rng_range(r, min_m, max_m);
		if (rng_chance(r, auth_pm)) {
			pd->authorized = 1;
			pd->reason = REASON_TRANSPORT;
		} else {
			pd->authorized = rng_chance(r, 500) ? 0 : -1;
		}
	}
}

static void plan_hours(struct gen *g, int k, enum plan_kind kind, int first, int n, int reason)
{
	struct plan_day *pd = &g->plan[k];
	memset(pd, 0, sizeof *pd);
	pd->kind = (uint8_t)kind;
	pd->first_period = (uint8_t)first;
	pd->nhours = (uint8_t)n;
	pd->reason = (uint8_t)reason;
}

/* Authorised absence: a doctor's visit (lesson hours) and, rarely, a whole
 * day of approved leave. */
static void plan_authorised(struct gen *g, struct rng *r, int lo, int hi, int doctor_pm,
			    int day_pm)
{
	if (rng_chance(r, doctor_pm)) {
		int s = plan_find(g, r, lo, hi, 1, 0);
		if (s >= 0) {
			/* one draw a statement: the order of argument evaluation is
			 * unspecified, and the output must not depend on the compiler */
			int first = rng_range(r, 1, 6);
			int n = rng_range(r, 1, 2);
			int reason = rng_range(r, REASON_DOCTOR, REASON_HOSPITAL);
			plan_hours(g, s, PL_HOURS_AUTH, first, n, reason);
		}
	}
	if (rng_chance(r, day_pm)) {
		int s = plan_find(g, r, lo, hi, 1, 0);
		if (s >= 0) {
			plan_set(g, s, 1, PL_ABS_AUTH, false);
			g->plan[s].reason = (uint8_t)rng_range(r, REASON_FUNERAL, REASON_LEAVE);
		}
	}
}

/* What most pupils have: a few short sick spells, the odd flu, a few late
 * arrivals, a doctor's visit. */
static void plan_background(struct gen *g, struct rng *r, int lo, int hi, int spells_lo,
			    int spells_hi, int lates_hi)
{
	int spells = scaled(g, rng_range(r, spells_lo, spells_hi), lo, hi);
	for (int i = 0; i < spells; i++)
		plan_sick_spell(g, r, lo, hi, short_spell_len(r), 100);
	if (rng_chance(r, 40)) {
		int len = rng_range(r, 5, 8);
		int s = plan_find(g, r, lo, hi, len, 1);
		if (s >= 0)
			plan_set(g, s, len, PL_SICK, false);
	}
	plan_lates(g, r, lo, hi, scaled(g, rng_range(r, 0, lates_hi), lo, hi), 5, 20, 200);
	plan_authorised(g, r, lo, hi, 350, 100);
}

/* Many short sick spells, at least four of them within ten lesson weeks
 * (4 sick reports in 12 weeks: MAZL frequency), sometimes a flu of a week
 * or more (MAZL duration). */
static void plan_sick_prone(struct gen *g, struct rng *r, int lo, int hi)
{
	int window = 50;
	if (hi - lo + 1 > window) {
		int w = rng_range(r, lo, hi - window + 1);
		int cluster = rng_range(r, 4, 5);
		for (int i = 0; i < cluster; i++)
			plan_sick_spell(g, r, w, w + window - 1, rng_chance(r, 700) ? 1 : 2, 250);
	}
	if (rng_chance(r, 200)) {
		int len = rng_range(r, 7, 10);
		int s = plan_find(g, r, lo, hi, len, 1);
		if (s >= 0)
			plan_set(g, s, len, PL_SICK, false);
	}
	int more = scaled(g, rng_range(r, 2, 7), lo, hi);
	for (int i = 0; i < more; i++)
		plan_sick_spell(g, r, lo, hi, short_spell_len(r), 250);
	plan_lates(g, r, lo, hi, scaled(g, rng_range(r, 0, 4), lo, hi), 5, 20, 200);
	plan_authorised(g, r, lo, hi, 500, 100);
}

/* A run of `len` days of one kind within [lo, hi] (shortened to fit);
 * returns its length. */
static int plan_run(struct gen *g, struct rng *r, int lo, int hi, int len, enum plan_kind kind)
{
	if (len > hi - lo + 1)
		len = hi - lo + 1;
	if (len <= 0)
		return 0;
	int s = rng_range(r, lo, hi - len + 1);
	plan_set(g, s, len, kind, true);
	return len;
}

/* Scattered whole days (Monday and Friday twice as likely), 8-20 % of the
 * enrolled days: of every hundred, `unauth` unauthorised, up to `sick`
 * sick, the rest half days unauthorised. */
static void plan_scattered(struct gen *g, struct rng *r, int lo, int hi, int unauth, int sick)
{
	int span = hi - lo + 1;
	int target = span * rng_range(r, 8, 20) / 100;
	for (int placed = 0, tries = 0; placed < target && tries < 20 * target + 20; tries++) {
		int k = rng_range(r, lo, hi);
		if (g->plan[k].kind != PL_NONE)
			continue;
		int wd = date_weekday(g->days[k]);
		if (wd != 0 && wd != 4 && rng_chance(r, 500))
			continue;
		int x = (int)rng_below(r, 100);
		if (x < unauth) {
			plan_set(g, k, 1, PL_ABS_UNAUTH, false);
		} else if (x < sick) {
			plan_set(g, k, 1, PL_SICK, false);
		} else {
			plan_set(g, k, 1, PL_ABS_HALF, false);
			g->plan[k].minutes = (int16_t)rng_range(r, g->half_day, g->half_day + 60);
		}
		placed++;
	}
}

/* Scattered whole days (Monday and Friday twice as likely), 8-20 % of the
 * enrolled days: unauthorised, sick, half days. */
static void plan_chronic(struct gen *g, struct rng *r, int lo, int hi)
{
	plan_scattered(g, r, lo, hi, 45, 85);
	plan_lates(g, r, lo, hi, scaled(g, rng_range(r, 3, 8), lo, hi), 5, 30, 100);
	plan_authorised(g, r, lo, hi, 300, 50);
}

/* A truant's skipped days: `episodes` runs of three to five weeks of
 * skipped lesson hours, whole days and unauthorised late arrivals, and now
 * and then a skipped hour or a late arrival outside them. */
static void plan_truant_days(struct gen *g, struct rng *r, int lo, int hi, int episodes)
{
	for (int e = 0; e < episodes; e++) {
		int len = rng_range(r, 15, 25);
		if (len > hi - lo + 1)
			len = hi - lo + 1;
		int s = rng_range(r, lo, hi - len + 1);
		for (int k = s; k < s + len; k++) {
			if (g->plan[k].kind != PL_NONE)
				continue;
			int x = (int)rng_below(r, 100);
			if (x < 55) {
				int n = rng_range(r, 2, 4);
				plan_hours(g, k, PL_HOURS_UNAUTH, rng_range(r, 1, 8 - n + 1), n, 0);
			} else if (x < 65) {
				plan_set(g, k, 1, PL_ABS_UNAUTH, false);
			} else if (x < 80) {
				plan_set(g, k, 1, PL_LATE, false);
				g->plan[k].minutes = (int16_t)rng_range(r, 10, 40);
				g->plan[k].authorized = rng_chance(r, 500) ? 0 : -1;
			}
		}
	}
	for (int k = lo; k <= hi; k++) {
		if (g->plan[k].kind != PL_NONE)
			continue;
		if (rng_chance(r, 30))
			plan_hours(g, k, PL_HOURS_UNAUTH, rng_range(r, 1, 8), 1, 0);
		else if (rng_chance(r, 30))
			plan_lates(g, r, k, k, 1, 5, 30, 0);
	}
}

/* Episodes of three to five weeks of skipped lesson hours, whole days and
 * unauthorised late arrivals (16 hours in 4 weeks: leerplicht), and now
 * and then a skipped hour outside them. */
static void plan_truant(struct gen *g, struct rng *r, int lo, int hi)
{
	plan_truant_days(g, r, lo, hi, rng_range(r, 1, 3));
	plan_background(g, r, lo, hi, 0, 2, 0);
}

/* Absent authorized=no with the luxe reason on the 1-3 school days right
 * before a holiday (the summer one included); sometimes twice a year. */
static void plan_luxe(struct gen *g, struct rng *r, int lo, int hi)
{
	int times = rng_chance(r, 250) ? 2 : 1;
	for (int t = 0; t < times; t++) {
		int len = rng_range(r, 1, 3);
		int cand[64], nc = 0;
		for (int b = 0; b < g->nbreaks && nc < 64; b++)
			if (g->breaks[b] - len + 1 >= lo && g->breaks[b] <= hi)
				cand[nc++] = g->breaks[b];
		if (nc == 0)
			return;
		int k = cand[rng_below(r, (uint32_t)nc)];
		plan_set(g, k - len + 1, len, PL_LUXE, true);
		for (int j = k - len + 1; j <= k; j++)
			g->plan[j].reason = REASON_LUXE;
	}
	plan_background(g, r, lo, hi, 1, 3, 3);
}

/* Ten to seventy consecutive school days sick (a quarter of the runs over
 * 60 days: MAZL duration, long_sick 4w and 3m). */
static void plan_long_sick(struct gen *g, struct rng *r, struct pupil *p, int lo, int hi)
{
	int len = rng_chance(r, 250) ? rng_range(r, 60, 70) : rng_range(r, 10, 70);
	p->run_days = plan_run(g, r, lo, hi, len, PL_SICK);
	plan_background(g, r, lo, hi, 0, 2, 2);
}

/* Three unauthorised days in the four weeks before the pupil's run, when
 * there is room for them. */
static void plan_run_lead_in(struct gen *g, struct rng *r, int lo, int hi)
{
	int start = -1;
	for (int k = lo; k <= hi && start < 0; k++)
		if (g->plan[k].run)
			start = k;
	if (start > lo + 2) {
		int from = start - 20 < lo ? lo : start - 20;
		for (int i = 0; i < 3; i++) {
			int s = plan_find(g, r, from, start - 2, 1, 0);
			if (s >= 0)
				plan_set(g, s, 1, PL_ABS_UNAUTH, false);
		}
	}
}

/* A few unauthorised days, then 20 to 80 consecutive school days absent
 * without authorisation (lrv 4w and 3m). */
static void plan_thuiszitter(struct gen *g, struct rng *r, struct pupil *p, int lo, int hi)
{
	int len = rng_chance(r, 300) ? rng_range(r, 65, 80) : rng_range(r, 20, 80);
	p->run_days = plan_run(g, r, lo, hi, len, PL_ABS_UNAUTH);
	plan_run_lead_in(g, r, lo, hi);
	plan_background(g, r, lo, hi, 0, 2, 2);
}

/* ---- the region calibration's plans ----
 *
 * Set against a real region's figures (docs/generate.md, "Calibration"):
 * more sickness than v1 (about twice), spread unevenly over the pupils, more
 * authorised absence, fewer truants and thuiszitters. Counts are per school
 * year, scaled to the days the pupil is enrolled over the years generated. */

/* The length of a short sick spell: 1-5 days, a flu's 4-5 days one in five. */
static int spell_len_r(struct rng *r)
{
	int x = (int)rng_below(r, 20);
	return x < 7 ? 1 : x < 12 ? 2 : x < 16 ? 3 : rng_range(r, 4, 5);
}

/* Sick spells a year of a pupil without a profile: most are seldom sick, a
 * fifth often. */
static int spells_r(struct rng *r)
{
	int x = (int)rng_below(r, 100);
	return x < 60 ? rng_range(r, 1, 3) : x < 90 ? rng_range(r, 2, 4) : rng_range(r, 6, 12);
}

/* Authorised absence other than sickness: visits (doctor, dentist,
 * orthodontist, hospital) of 1-3 lesson hours, and now and then a whole day
 * of approved leave. */
static void plan_authorised_r(struct gen *g, struct rng *r, int lo, int hi, int visits, int day_pm)
{
	visits = scaled(g, visits, lo, hi);
	for (int i = 0; i < visits; i++) {
		int s = plan_find(g, r, lo, hi, 1, 0);
		if (s < 0)
			break;
		int n = rng_range(r, 1, 3);
		int first = rng_range(r, 1, 8 - n + 1);
		int reason = rng_range(r, REASON_DOCTOR, REASON_HOSPITAL);
		plan_hours(g, s, PL_HOURS_AUTH, first, n, reason);
	}
	for (int y = 0; y < g->nyears; y++) {
		if (!rng_chance(r, day_pm))
			continue;
		int s = plan_find(g, r, lo, hi, 1, 0);
		if (s >= 0) {
			plan_set(g, s, 1, PL_ABS_AUTH, false);
			g->plan[s].reason = (uint8_t)rng_range(r, REASON_FUNERAL, REASON_LEAVE);
		}
	}
}

/* `spells` short sick spells a year, a flu of 5-8 days (flu_pm a year), a
 * few late arrivals and the authorised absence. */
static void plan_background_r(struct gen *g, struct rng *r, int lo, int hi, int spells,
			      int flu_pm, int lates_hi)
{
	spells = scaled(g, spells, lo, hi);
	for (int i = 0; i < spells; i++)
		plan_sick_spell(g, r, lo, hi, spell_len_r(r), 100);
	for (int y = 0; y < g->nyears; y++) {
		if (!rng_chance(r, flu_pm))
			continue;
		int len = rng_range(r, 5, 8);
		int s = plan_find(g, r, lo, hi, len, 1);
		if (s >= 0)
			plan_set(g, s, len, PL_SICK, false);
	}
	plan_lates(g, r, lo, hi, scaled(g, rng_range(r, 0, lates_hi), lo, hi), 5, 20, 200);
	plan_authorised_r(g, r, lo, hi, rng_range(r, 0, 5), 150);
}

/* Each year four or five sick reports within ten lesson weeks (MAZL
 * frequency), sometimes a flu of a week or more, and more spells besides. */
static void plan_sick_prone_r(struct gen *g, struct rng *r, int lo, int hi)
{
	int window = 50;
	for (int y = 0; y < g->nyears; y++) {
		if (hi - lo + 1 <= window)
			break;
		int w = rng_range(r, lo, hi - window + 1);
		int cluster = rng_range(r, 4, 5);
		for (int i = 0; i < cluster; i++)
			plan_sick_spell(g, r, w, w + window - 1, rng_chance(r, 600) ? 1 : 2, 250);
	}
	plan_background_r(g, r, lo, hi, rng_range(r, 1, 5), 250, 4);
}

/* A run of `len` days of `kind` in [lo, hi]; with `across`, one that spans
 * the summer: over the end of the first year when two are generated, else
 * up to the last school day (it goes on in the next year). */
static int plan_run_r(struct gen *g, struct rng *r, int lo, int hi, int len, enum plan_kind kind,
		      bool across)
{
	if (!across)
		return plan_run(g, r, lo, hi, len, kind);
	if (len > hi - lo + 1)
		len = hi - lo + 1;
	if (len <= 0)
		return 0;
	int s = hi - len + 1;
	if (g->nyears > 1) {
		/* at least five days on either side of the summer */
		s = g->year_end[0] + 1 - rng_range(r, 5, len - 5 > 5 ? len - 5 : 5);
		if (s < lo)
			s = lo;
		if (s + len - 1 > hi)
			s = hi - len + 1;
	}
	plan_set(g, s, len, kind, true);
	return len;
}

static void plan_long_sick_r(struct gen *g, struct rng *r, struct pupil *p, int lo, int hi)
{
	int len = rng_chance(r, 250) ? rng_range(r, 60, 70) : rng_range(r, 10, 70);
	p->run_days = plan_run_r(g, r, lo, hi, len, PL_SICK, rng_chance(r, 150));
	plan_background_r(g, r, lo, hi, rng_range(r, 0, 3), 0, 2);
}

/* A quarter of the thuiszitters are absent across the summer: when one
 * year is generated, the run reaches its last school day. */
static void plan_thuiszitter_r(struct gen *g, struct rng *r, struct pupil *p, int lo, int hi)
{
	int len = rng_chance(r, 300) ? rng_range(r, 65, 80) : rng_range(r, 20, 80);
	p->run_days = plan_run_r(g, r, lo, hi, len, PL_ABS_UNAUTH, rng_chance(r, 250));
	plan_run_lead_in(g, r, lo, hi);
	plan_background_r(g, r, lo, hi, rng_range(r, 0, 3), 0, 2);
}

/* Episodes of three to five weeks of skipped lessons (1-3 a year), and
 * now and then a skipped hour or a late arrival outside them. */
static void plan_truant_r(struct gen *g, struct rng *r, int lo, int hi)
{
	plan_truant_days(g, r, lo, hi, scaled(g, rng_range(r, 1, 3), lo, hi));
	plan_background_r(g, r, lo, hi, spells_r(r), 80, 0);
}

/* Scattered whole days (Monday and Friday twice as likely), 8-20 % of the
 * enrolled days, mostly sick: a tenth unauthorised, a sixth half days
 * unauthorised; late arrivals and authorised absence besides. */
static void plan_chronic_r(struct gen *g, struct rng *r, int lo, int hi)
{
	plan_scattered(g, r, lo, hi, 10, 84);
	plan_lates(g, r, lo, hi, scaled(g, rng_range(r, 3, 8), lo, hi), 5, 30, 100);
	plan_authorised_r(g, r, lo, hi, rng_range(r, 0, 3), 50);
}

/* Luxe absence before 1-2 holidays a year. */
static void plan_luxe_r(struct gen *g, struct rng *r, int lo, int hi)
{
	int times = 0;
	for (int y = 0; y < g->nyears; y++)
		times += rng_chance(r, 250) ? 2 : 1;
	for (int t = 0; t < times; t++) {
		int x = (int)rng_below(r, 10);
		int len = x < 7 ? 1 : x < 9 ? 2 : 3;
		int cand[128], nc = 0;
		for (int b = 0; b < g->nbreaks && nc < 128; b++)
			if (g->breaks[b] - len + 1 >= lo && g->breaks[b] <= hi &&
			    g->plan[g->breaks[b]].kind == PL_NONE)
				cand[nc++] = g->breaks[b];
		if (nc == 0)
			break;
		int k = cand[rng_below(r, (uint32_t)nc)];
		plan_set(g, k - len + 1, len, PL_LUXE, true);
		for (int j = k - len + 1; j <= k; j++)
			g->plan[j].reason = REASON_LUXE;
	}
	plan_background_r(g, r, lo, hi, spells_r(r), 100, 3);
}

static void plan_pupil_region(struct gen *g, struct pupil *p, struct rng *r, int lo, int hi)
{
	switch (p->profile) {
	case PR_REGULAR:
		plan_background_r(g, r, lo, hi, spells_r(r), 100, 4);
		break;
	case PR_SICK_PRONE:
		plan_sick_prone_r(g, r, lo, hi);
		break;
	case PR_LONG_SICK:
		plan_long_sick_r(g, r, p, lo, hi);
		break;
	case PR_CHRONIC:
		plan_chronic_r(g, r, lo, hi);
		break;
	case PR_TRUANT:
		plan_truant_r(g, r, lo, hi);
		break;
	case PR_THUISZITTER:
		plan_thuiszitter_r(g, r, p, lo, hi);
		break;
	case PR_LUXE:
		plan_luxe_r(g, r, lo, hi);
		break;
	case PR_COUNT:
		break;
	}
}

static void plan_pupil(struct gen *g, struct pupil *p, struct rng *r)
{
	memset(g->plan, 0, (size_t)g->n * sizeof *g->plan);
	int lo = p->ks, hi = p->last;
	if (g->cal == CAL_REGION) {
		plan_pupil_region(g, p, r, lo, hi);
		return;
	}
	switch (p->profile) {
	case PR_REGULAR:
		plan_background(g, r, lo, hi, 1, 4, 4);
		break;
	case PR_SICK_PRONE:
		plan_sick_prone(g, r, lo, hi);
		break;
	case PR_LONG_SICK:
		plan_long_sick(g, r, p, lo, hi);
		break;
	case PR_CHRONIC:
		plan_chronic(g, r, lo, hi);
		break;
	case PR_TRUANT:
		plan_truant(g, r, lo, hi);
		break;
	case PR_THUISZITTER:
		plan_thuiszitter(g, r, p, lo, hi);
		break;
	case PR_LUXE:
		plan_luxe(g, r, lo, hi);
		break;
	case PR_COUNT:
		break;
	}
}

/* ---- registrations ---- */

static struct gen_event *ev_push(struct gen *g)
{
	if (g->nev == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 4096;
		g->ev = xrealloc(g->ev, g->cap * sizeof *g->ev);
	}
	struct gen_event *e = &g->ev[g->nev++];
	memset(e, 0, sizeof *e);
	return e;
}

static struct gen_event *ev_new(struct gen *g, struct pupil *p, enum reg_kind kind,
				int32_t date, int school)
{
	struct gen_event *e = ev_push(g);
	e->pupil = (uint32_t)(p - g->pupils);
	e->seq = p->seq++;
	e->kind = (uint8_t)kind;
	e->date = date;
	e->school = (uint16_t)school;
	e->minutes = -1;
	e->authorized = -1;
	return e;
}

/* The timing and after-effects of one day registration: usually recorded
 * at `usual`; sometimes days late, or (authorised leave, may_advance) days
 * ahead; sometimes sent twice; sometimes retracted later by a `present`
 * (correct_pm per thousand). */
static void ev_finish(struct gen *g, struct pupil *p, struct rng *r, struct gen_event *e,
		      int64_t usual, bool may_advance, int correct_pm)
{
	if (may_advance && rng_chance(r, ADVANCE_PERMILLE)) {
		int32_t day = e->date - rng_range(r, 1, 7);
		int wd = date_weekday(day);
		if (wd >= 5)
			day -= wd - 4;
		e->recorded = local_between(r, day, 9, 17);
		g->c.advance++;
	} else if (rng_chance(r, LATE_RECORD_PERMILLE)) {
		e->recorded = local_between(r, e->date + rng_range(r, 1, 6), 9, 17);
		g->c.late_recorded++;
	} else {
		e->recorded = usual;
	}
	struct gen_event orig = *e; /* e dies with the next push */
	if (rng_chance(r, DUPLICATE_PERMILLE)) {
		struct gen_event *d = ev_push(g);
		*d = orig;
		d->dup = 1;
		g->c.duplicates++;
	}
	if (correct_pm && rng_chance(r, correct_pm)) {
		struct gen_event *c = ev_new(g, p, KIND_PRESENT, orig.date, orig.school);
		c->period = orig.period;
		c->recorded = orig.recorded + SECS_PER_HOUR + rng_below(r, 4 * SECS_PER_HOUR);
		g->c.corrections++;
	}
}

/* The minutes written on a lesson hour (-1: none, the default applies):
 * always when the school's hour is not 50 minutes, otherwise as the
 * school's system happens to do. */
static int hour_minutes(const struct school *s, struct rng *r)
{
	if (s->lesson_minutes != 50)
		return s->lesson_minutes;
	return rng_chance(r, 500) ? 50 : -1;
}

static void emit_hours(struct gen *g, struct pupil *p, struct rng *r, const struct plan_day *pd,
		       int32_t date, int school)
{
	const struct school *s = &g->schools[school];
	bool auth = pd->kind == PL_HOURS_AUTH;
	int correct = auth ? 0 : CORRECT_ABSENT_PERMILLE;
	if (s->sector == SECTOR_PO) {
		/* primary schools register no lesson hours: part of the day */
		struct gen_event *e = ev_new(g, p, KIND_ABSENT, date, school);
		e->authorized = auth;
		e->minutes = (int16_t)(pd->nhours * 60);
		e->reason = pd->reason;
		ev_finish(g, p, r, e, local_between(r, date, 9, 12), auth, correct);
		return;
	}
	for (int h = 0; h < pd->nhours; h++) {
		struct gen_event *e = ev_new(g, p, KIND_ABSENT, date, school);
		e->period = (uint8_t)(pd->first_period + h);
		e->authorized = auth;
		e->minutes = (int16_t)hour_minutes(s, r);
		e->reason = pd->reason;
		/* recorded during the lesson hour: from 08:20, 50 minutes each */
		int at = 8 * SECS_PER_HOUR + 20 * 60 + (e->period - 1) * 50 * 60 +
			 (int)rng_below(r, 15 * 60);
		ev_finish(g, p, r, e, local_instant(date, at), auth, correct);
	}
}

static void emit_day(struct gen *g, struct pupil *p, struct rng *r, const struct plan_day *pd,
		     int32_t date, int school)
{
	struct gen_event *e;
	int correct = pd->run ? 0 : CORRECT_ABSENT_PERMILLE;
	switch (pd->kind) {
	case PL_SICK:
		e = ev_new(g, p, KIND_SICK, date, school);
		ev_finish(g, p, r, e, local_between(r, date, 8, 10), false,
			  pd->run ? 0 : CORRECT_SICK_PERMILLE);
		break;
	case PL_SICK_HALF:
		e = ev_new(g, p, KIND_SICK, date, school);
		e->minutes = (int16_t)g->half_day;
		ev_finish(g, p, r, e, local_between(r, date, 11, 14), false, 0);
		break;
	case PL_ABS_UNAUTH:
	case PL_LUXE:
		e = ev_new(g, p, KIND_ABSENT, date, school);
		e->authorized = 0;
		e->reason = pd->reason;
		ev_finish(g, p, r, e, local_between(r, date, 8, 10), false,
			  pd->kind == PL_LUXE ? 0 : correct);
		break;
	case PL_ABS_HALF:
		e = ev_new(g, p, KIND_ABSENT, date, school);
		e->authorized = 0;
		e->minutes = pd->minutes;
		ev_finish(g, p, r, e, local_between(r, date, 11, 14), false, correct);
		break;
	case PL_ABS_AUTH:
		e = ev_new(g, p, KIND_ABSENT, date, school);
		e->authorized = 1;
		e->reason = pd->reason;
		ev_finish(g, p, r, e, local_between(r, date, 8, 10), true, 0);
		break;
	case PL_HOURS_UNAUTH:
	case PL_HOURS_AUTH:
		emit_hours(g, p, r, pd, date, school);
		break;
	case PL_LATE:
		e = ev_new(g, p, KIND_LATE, date, school);
		e->minutes = pd->minutes;
		e->authorized = pd->authorized;
		e->reason = pd->reason;
		ev_finish(g, p, r, e, local_between(r, date, 8, 10), false, 0);
		break;
	default:
		break;
	}
}

/* The school a pupil attends at ordinal k, or -1 between leaving and
 * arriving at the next school. */
static int school_at(const struct pupil *p, int k)
{
	if (p->leave == LEAVE_MOVE && k >= p->ku)
		return k >= p->kn ? p->school2 : -1;
	return p->school;
}

/* A school day at the school (not its own study day). */
static bool school_open(const struct gen *g, int school, int32_t date)
{
	return school_years_is_school_day(g->cfg->years, g->schools[school].code, date);
}

static void emit_enrol(struct gen *g, struct pupil *p, struct rng *r, int school, int k)
{
	int32_t date = g->days[k];
	if (k == 0 && rng_chance(r, 250)) {
		/* registered before the year starts */
		date -= rng_range(r, 1, 10);
		int wd = date_weekday(date);
		if (wd >= 5)
			date -= wd - 4;
		struct gen_event *e = ev_new(g, p, KIND_ENROL, date, school);
		e->recorded = local_between(r, date, 9, 16);
		return;
	}
	struct gen_event *e = ev_new(g, p, KIND_ENROL, date, school);
	e->recorded = local_between(r, date, 7, 8);
}

static void emit_pupil(struct gen *g, struct pupil *p, struct rng *r)
{
	emit_enrol(g, p, r, p->school, p->ks);
	for (int k = p->ks; k <= p->last; k++) {
		const struct plan_day *pd = &g->plan[k];
		int school = school_at(p, k);
		if (pd->kind == PL_NONE || school < 0)
			continue;
		int32_t date = g->days[k];
		if (!school_open(g, school, date))
			continue; /* the school's own study day */
		emit_day(g, p, r, pd, date, school);
	}
	if (p->leave != LEAVE_NONE) {
		struct gen_event *e =
			ev_new(g, p, KIND_UNENROL, g->days[p->ku], p->school);
		e->recorded = local_between(r, e->date, 10, 16);
		if (p->leave == LEAVE_MOVE) {
			e->dest = 1;
			e->dest_ix = (uint16_t)p->school2;
		} else if (p->leave == LEAVE_AWAY) {
			e->dest = 2;
			e->dest_ix = (uint16_t)p->dest;
		}
		g->c.unenrols++;
		if (p->leave == LEAVE_MOVE)
			emit_enrol(g, p, r, p->school2, p->kn);
	}
	/* the school's "niet-pluis" flag */
	int concern_pm = p->profile == PR_REGULAR ? 5 : p->profile == PR_THUISZITTER ? 150 : 60;
	if (rng_chance(r, concern_pm)) {
		int k = rng_range(r, p->ks, p->last);
		int school = school_at(p, k);
		int32_t date = g->days[k];
		if (school >= 0 && school_open(g, school, date)) {
			struct gen_event *e = ev_new(g, p, KIND_CONCERN, date, school);
			e->recorded = local_between(r, date, 10, 15);
			g->c.concerns++;
		}
	}
}

static int ev_cmp(const void *a, const void *b)
{
	const struct gen_event *x = a, *y = b;
	if (x->recorded != y->recorded)
		return x->recorded < y->recorded ? -1 : 1;
	if (x->pupil != y->pupil)
		return x->pupil < y->pupil ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return (int)x->dup - (int)y->dup;
}

/* ---- output ---- */

/* One line's fields as text; invalid lines are made by changing these. */
struct out_fields {
	char id[24];
	char student[16];
	const char *school;
	const char *sector;
	const char *kind;
	char date[16];
	char recorded[32];
	int period;              /* -1: not written */
	int minutes;             /* -1: not written */
	const char *authorized;  /* NULL: not written */
	const char *reason;      /* NULL: not written */
	char birth[16];          /* "": not written */
	const char *destination; /* NULL: not written */
	bool omit_student;
};

struct line {
	char buf[1024];
	size_t n;
};

static void put(struct line *l, const char *s)
{
	size_t k = strlen(s);
	if (l->n + k < sizeof l->buf) {
		memcpy(l->buf + l->n, s, k);
		l->n += k;
	}
}

static void put_int(struct line *l, long long v)
{
	char tmp[24];
	snprintf(tmp, sizeof tmp, "%lld", v);
	put(l, tmp);
}

/* A JSON string, escaped (the configured luxe reason is the one value not
 * chosen here). */
static void put_str(struct line *l, const char *s)
{
	put(l, "\"");
	for (; *s && l->n + 8 < sizeof l->buf; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\') {
			l->buf[l->n++] = '\\';
			l->buf[l->n++] = (char)ch;
		} else if (ch < 0x20) {
			char esc[8];
			snprintf(esc, sizeof esc, "\\u%04x", ch);
			put(l, esc);
		} else {
			l->buf[l->n++] = (char)ch;
		}
	}
	put(l, "\"");
}

static void put_field(struct line *l, const char *name, const char *value)
{
	put(l, ",\"");
	put(l, name);
	put(l, "\":");
	put_str(l, value);
}

static void put_field_int(struct line *l, const char *name, long long v)
{
	put(l, ",\"");
	put(l, name);
	put(l, "\":");
	put_int(l, v);
}

static void render(const struct out_fields *f, struct line *l)
{
	l->n = 0;
	put(l, "{\"v\":1");
	put_field(l, "id", f->id);
	if (!f->omit_student)
		put_field(l, "student", f->student);
	put_field(l, "school", f->school);
	put_field(l, "sector", f->sector);
	put_field(l, "kind", f->kind);
	put_field(l, "date", f->date);
	put_field(l, "recorded_at", f->recorded);
	if (f->period >= 0)
		put_field_int(l, "period", f->period);
	if (f->minutes >= 0)
		put_field_int(l, "minutes", f->minutes);
	if (f->authorized)
		put_field(l, "authorized", f->authorized);
	if (f->reason)
		put_field(l, "reason", f->reason);
	if (f->birth[0])
		put_field(l, "birth_date", f->birth);
	if (f->destination)
		put_field(l, "destination", f->destination);
	put(l, "}\n");
}

static void format_instant(int64_t t, char *buf, size_t cap)
{
	int64_t days = t >= 0 ? t / SECS_PER_DAY : -((-t + SECS_PER_DAY - 1) / SECS_PER_DAY);
	int secs = (int)(t - days * SECS_PER_DAY);
	char d[DATE_STRLEN];
	date_format((int32_t)days, d);
	snprintf(buf, cap, "%sT%02d:%02d:%02dZ", d, secs / 3600, secs / 60 % 60, secs % 60);
}

static void format_id(const struct gen *g, uint64_t n, char *buf, size_t cap)
{
	snprintf(buf, cap, "g%016" PRIx64, mix64(n ^ g->id_key));
}

static void fields_of(const struct gen *g, const struct gen_event *e, struct out_fields *f)
{
	const struct pupil *p = &g->pupils[e->pupil];
	const struct school *s = &g->schools[e->school];
	memset(f, 0, sizeof *f);
	format_id(g, ((uint64_t)e->pupil << 24) | e->seq, f->id, sizeof f->id);
	snprintf(f->student, sizeof f->student, "s%08" PRIx32, p->key);
	f->school = s->code;
	f->sector = sector_name(s->sector);
	f->kind = reg_kind_name((enum reg_kind)e->kind);
	date_format(e->date, f->date);
	format_instant(e->recorded, f->recorded, sizeof f->recorded);
	f->period = e->period ? e->period : -1;
	f->minutes = e->minutes;
	f->authorized = e->authorized < 0 ? NULL : e->authorized ? "yes" : "no";
	f->reason = e->reason == REASON_LUXE ? g->cfg->rules.luxe.reason
		    : e->reason		     ? reason_texts[e->reason]
						     : NULL;
	if (e->kind == KIND_ENROL)
		date_format(p->birth, f->birth);
	if (e->dest == 1)
		f->destination = g->schools[e->dest_ix].code;
	else if (e->dest == 2)
		f->destination = away_destinations[e->dest_ix];
}

enum invalid_kind {
	INV_UNKNOWN_KIND,
	INV_WEEKEND,
	INV_HOLIDAY,
	INV_OUTSIDE_YEAR,
	INV_ABSENT_NO_AUTHORIZED,
	INV_LATE_NO_MINUTES,
	INV_BAD_DATE,
	INV_BAD_SCHOOL,
	INV_MISSING_STUDENT,
	INV_BAD_PERIOD,
	INV_BAD_JSON,
	INV_COUNT
};

/* Turns a valid line's fields into an invalid line of a random sort. */
static void make_invalid(const struct gen *g, struct rng *r, struct out_fields *f, uint64_t n,
			 bool *truncate)
{
	static const char *const kinds[] = {"absence", "ziek", "laat", "ABSENT"};
	static const char *const dates[] = {"2027-02-30", "2026-13-05", "17-09-2026", "2026-9-1"};
	static const char *const schools[] = {"1AB", "01ab", "AB12", "0A1B"};
	format_id(g, (1ULL << 63) | n, f->id, sizeof f->id);
	*truncate = false;
	int32_t day;
	switch ((enum invalid_kind)rng_below(r, INV_COUNT)) {
	case INV_UNKNOWN_KIND:
		f->kind = kinds[rng_below(r, 4)];
		break;
	case INV_WEEKEND:
	case INV_HOLIDAY:
	case INV_OUTSIDE_YEAR:
		if (date_parse(f->date, &day) != 0)
			day = g->first_day;
		day = date_week_monday(day) + 5;
		if (rng_below(r, 3) == 1 && g->nholiday > 0)
			day = g->holiday_days[rng_below(r, (uint32_t)g->nholiday)];
		else if (rng_below(r, 2) == 1)
			/* region: in the summer after the last year, before a next one */
			day = g->last_day + rng_range(r, 3, g->cal == CAL_V1 ? 60 : 30);
		date_format(day, f->date);
		f->kind = "absent";
		f->authorized = "no";
		f->minutes = -1;
		f->reason = NULL;
		f->birth[0] = '\0';
		f->destination = NULL;
		break;
	case INV_ABSENT_NO_AUTHORIZED:
		f->kind = "absent";
		f->authorized = NULL;
		f->birth[0] = '\0';
		f->destination = NULL;
		break;
	case INV_LATE_NO_MINUTES:
		f->kind = "late";
		f->minutes = -1;
		f->period = -1;
		f->birth[0] = '\0';
		f->destination = NULL;
		break;
	case INV_BAD_DATE:
		snprintf(f->date, sizeof f->date, "%s", dates[rng_below(r, 4)]);
		break;
	case INV_BAD_SCHOOL:
		f->school = schools[rng_below(r, 4)];
		break;
	case INV_MISSING_STUDENT:
		f->omit_student = true;
		break;
	case INV_BAD_PERIOD:
		f->kind = "absent";
		f->authorized = "no";
		f->period = 17;
		f->birth[0] = '\0';
		f->destination = NULL;
		break;
	case INV_BAD_JSON:
	case INV_COUNT:
		*truncate = true;
		break;
	}
}

/* Writes the sorted registrations with `permille` per thousand lines
 * invalid, chosen by selection sampling so the count is exact. Returns 0 or
 * -1 on a write error. */
static int write_all(struct gen *g, FILE *out, int permille)
{
	/* invalid / (valid + invalid) = permille / 1000, rounded */
	uint64_t valid = g->nev, pm = (uint64_t)permille;
	uint64_t ninvalid = (valid * pm + (1000 - pm) / 2) / (1000 - pm);
	struct rng r = rng_stream(g->seed, STREAM_INVALID, 0);
	uint64_t left_valid = valid, left_invalid = ninvalid;
	size_t next = 0;
	struct out_fields f;
	struct line l;
	while (left_valid + left_invalid > 0) {
		uint64_t total = left_valid + left_invalid;
		bool bad = rng_next(&r) % total < left_invalid;
		if (bad) {
			size_t t = next < g->nev ? next : g->nev - 1;
			bool truncate;
			fields_of(g, &g->ev[t], &f);
			make_invalid(g, &r, &f, ninvalid - left_invalid, &truncate);
			render(&f, &l);
			if (truncate) {
				l.n = l.n / 2;
				l.buf[l.n++] = '\n';
			}
			left_invalid--;
			g->c.invalid++;
		} else {
			fields_of(g, &g->ev[next++], &f);
			render(&f, &l);
			left_valid--;
		}
		if (fwrite(l.buf, 1, l.n, out) != l.n)
			return -1;
		g->c.lines++;
		g->c.bytes += l.n;
	}
	return 0;
}

/* Writes the ground truth per pupil (one JSON object a line): what the
 * generator meant, for checking what the rules make of it. */
static int write_truth(const struct gen *g, const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "generate: cannot create %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (int i = 0; i < g->npupils; i++) {
		const struct pupil *p = &g->pupils[i];
		const struct school *s = &g->schools[p->school];
		char first[DATE_STRLEN], birth[DATE_STRLEN], left[DATE_STRLEN] = "";
		char run_first[DATE_STRLEN] = "", run_last[DATE_STRLEN] = "";
		if (p->run_days > 0) {
			date_format(g->days[p->run_first], run_first);
			date_format(g->days[p->run_first + p->run_days - 1], run_last);
		}
		date_format(g->days[p->ks], first);
		date_format(p->birth, birth);
		if (p->leave != LEAVE_NONE)
			date_format(g->days[p->ku], left);
		fprintf(f,
			"{\"student\":\"s%08" PRIx32 "\",\"school\":\"%s\",\"sector\":\"%s\","
			"\"profile\":\"%s\",\"birth_date\":\"%s\",\"adult\":%s,",
			p->key, s->code, sector_name(s->sector), profile_names[p->profile], birth,
			p->adult ? "true" : "false");
		fprintf(f,
			"\"first_school_day\":\"%s\",\"leave\":\"%s\",\"unenrol\":\"%s\","
			"\"school2\":\"%s\",\"run_days\":%d,\"run_first\":\"%s\","
			"\"run_last\":\"%s\"}\n",
			first, leave_names[p->leave], left,
			p->school2 >= 0 ? g->schools[p->school2].code : "", p->run_days, run_first,
			run_last);
	}
	int rc = ferror(f) ? -1 : 0;
	if (fclose(f) != 0)
		rc = -1;
	if (rc != 0)
		fprintf(stderr, "generate: writing %s failed\n", path);
	return rc;
}

/* ---- the command ---- */

static void usage(FILE *f)
{
	fputs("usage: vroegsignaal generate --config FILE [--seed N] [--pupils N] [--schools N]\n"
	      "                             [--sector S] [--years 1|2] [--calibration region|v1]\n"
	      "                             [--invalid-permille N] [--truth FILE]\n"
	      "\n"
	      "Writes a synthetic region's registrations for the configured school year to\n"
	      "stdout as JSON Lines (the event-stream format `vroegsignaal replay` reads),\n"
	      "sorted by recorded_at. The same seed gives the same bytes on every machine.\n"
	      "\n"
	      "  --config FILE           configuration (the calendar and its school days)\n"
	      "  --seed N                seed of the generator (default 1)\n"
	      "  --pupils N              pupils in the region, 1..1000000 (default 1000)\n"
	      "  --schools N             schools, 1..10000 (default max(1, pupils/300))\n"
	      "  --sector S              every school in sector S (po, so, vo, vso, mbo)\n"
	      "  --years N               1 or 2 consecutive configured school years (default 1)\n"
	      "  --calibration C         region (default: real figures) or v1 (the first model)\n"
	      "  --invalid-permille N    make N of every 1000 lines invalid, 0..500 (default 0)\n"
	      "  --truth FILE            also write each pupil's profile and plan (JSON Lines)\n"
	      "\n"
	      "docs/generate.md describes the profiles and patterns.\n",
	      f);
}

/* Parses a decimal number in [min, max]; -1 when it is not one. */
static int parse_number(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	if (!*s)
		return -1;
	uint64_t v = 0;
	for (const char *c = s; *c; c++) {
		if (*c < '0' || *c > '9')
			return -1;
		unsigned d = (unsigned)(*c - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void print_summary(const struct gen *g, double secs)
{
	const struct counts *c = &g->c;
	fprintf(stderr,
		"generate: %llu lines (%llu invalid), %.1f MB, %d pupils, %d schools, %.2f s\n",
		c->lines, c->invalid, (double)c->bytes / 1e6, g->npupils, g->nschools, secs);
	fprintf(stderr, "generate: profiles:");
	for (int i = 0; i < PR_COUNT; i++)
		fprintf(stderr, " %s %u", profile_names[i], c->pupils_by_profile[i]);
	fprintf(stderr,
		"\ngenerate: 18+ %u, late enrolments %u, unenrolments %llu (moves %u, away %u, "
		"no destination %u), concerns %llu\n",
		c->adults, c->late_enrols, c->unenrols, c->leaves[LEAVE_MOVE],
		c->leaves[LEAVE_AWAY], c->leaves[LEAVE_UNKNOWN], c->concerns);
	fprintf(stderr,
		"generate: corrections %llu, duplicates %llu, recorded late %llu, recorded in "
		"advance %llu\n",
		c->corrections, c->duplicates, c->late_recorded, c->advance);
}

static void gen_free(struct gen *g)
{
	free(g->ev);
	free(g->plan);
	free(g->days);
	free(g->holiday_days);
	free(g->breaks);
	free(g->pupils);
	free(g->schools);
}

int cmd_generate(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"seed", required_argument, NULL, 's'},
		{"pupils", required_argument, NULL, 'p'},
		{"schools", required_argument, NULL, 'S'},
		{"invalid-permille", required_argument, NULL, 'i'},
		{"truth", required_argument, NULL, 't'},
		{"calibration", required_argument, NULL, 'C'},
		{"years", required_argument, NULL, 'y'},
		{"sector", required_argument, NULL, 'x'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *config_path = NULL, *truth_path = NULL;
	uint64_t seed = 1, pupils = 1000, schools = 0, permille = 0, years = 1;
	enum calibration cal = CAL_REGION;
	enum sector sector = SECTOR_COUNT;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config_path = optarg;
			break;
		case 's':
			if (parse_number(optarg, 0, UINT64_MAX, &seed) != 0) {
				fprintf(stderr, "generate: --seed: expected a whole number\n");
				return EXIT_USAGE;
			}
			break;
		case 'p':
			if (parse_number(optarg, 1, GEN_MAX_PUPILS, &pupils) != 0) {
				fprintf(stderr,
					"generate: --pupils: expected a number from 1 to %d\n",
					GEN_MAX_PUPILS);
				return EXIT_USAGE;
			}
			break;
		case 'S':
			if (parse_number(optarg, 1, GEN_MAX_SCHOOLS, &schools) != 0) {
				fprintf(stderr,
					"generate: --schools: expected a number from 1 to %d\n",
					GEN_MAX_SCHOOLS);
				return EXIT_USAGE;
			}
			break;
		case 'i':
			if (parse_number(optarg, 0, GEN_MAX_INVALID_PERMILLE, &permille) != 0) {
				fprintf(stderr,
					"generate: --invalid-permille: expected a number "
					"from 0 to %d\n",
					GEN_MAX_INVALID_PERMILLE);
				return EXIT_USAGE;
			}
			break;
		case 't':
			truth_path = optarg;
			break;
		case 'C':
			if (strcmp(optarg, "region") == 0) {
				cal = CAL_REGION;
			} else if (strcmp(optarg, "v1") == 0) {
				cal = CAL_V1;
			} else {
				fprintf(stderr, "generate: --calibration: expected region or v1\n");
				return EXIT_FAILURE_RUN;
			}
			break;
		case 'y':
			if (parse_number(optarg, 1, 2, &years) != 0) {
				fprintf(stderr, "generate: --years: expected 1 or 2\n");
				return EXIT_FAILURE_RUN;
			}
			break;
		case 'x':
			for (sector = 0; sector < SECTOR_COUNT; sector++)
				if (strcmp(optarg, sector_name(sector)) == 0)
					break;
			if (sector == SECTOR_COUNT) {
				fprintf(stderr, "generate: --sector: unknown sector '%s'\n", optarg);
				return EXIT_FAILURE_RUN;
			}
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "generate: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!config_path) {
		fprintf(stderr, "generate: --config is required\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (schools == 0)
		schools = pupils / 300 ? pupils / 300 : 1;
	if (cal == CAL_V1 && years > 1) {
		fprintf(stderr, "generate: --calibration v1 generates one school year only\n");
		return EXIT_FAILURE_RUN;
	}

	double start = now_seconds();
	struct vs_config cfg;
	memset(&cfg, 0, sizeof cfg);
	char *errors = NULL;
	if (config_load(config_path, &cfg, &errors) != 0) {
		fprintf(stderr, "generate: invalid configuration:\n%s", errors ? errors : "");
		free(errors);
		config_free(&cfg);
		return EXIT_FAILURE_RUN;
	}

	struct gen g;
	memset(&g, 0, sizeof g);
	g.cfg = &cfg;
	if ((int)years > school_years_count(cfg.years)) {
		fprintf(stderr, "generate: --years %d: the configuration names %d school year(s)\n",
			(int)years, school_years_count(cfg.years));
		config_free(&cfg);
		return EXIT_FAILURE_RUN;
	}
	g.cal = cal;
	g.m = &models[cal];
	g.sector = sector;
	g.nyears = (int)years;
	/* the plan's ordinals: the region's school days of the years generated */
	for (int y = 0; y < g.nyears; y++)
		g.n += calendar_view(school_years_calendar(cfg.years, y), NULL)->n_school;
	g.days = xmalloc((size_t)(g.n > 0 ? g.n : 1) * sizeof *g.days);
	for (int y = 0, k = 0; y < g.nyears; y++) {
		const struct cal_view *v = calendar_view(school_years_calendar(cfg.years, y), NULL);
		memcpy(g.days + k, v->school_day, (size_t)v->n_school * sizeof *g.days);
		k += v->n_school;
		g.year_end[y] = k - 1;
		if (y == 0)
			g.first_day = v->first_day;
		g.last_day = v->last_day;
	}
	g.nyear = g.n / g.nyears;
	g.half_day = (cfg.rules.full_day_minutes + 1) / 2;
	g.seed = seed;
	g.student_key = mix64(seed ^ 0x73747564656e7473ULL);
	g.id_key = mix64(seed ^ 0x6964656e74696669ULL);
	g.npupils = (int)pupils;
	g.nschools = (int)schools;
	if (g.nyear < 1) {
		fprintf(stderr, "generate: the calendar has no school days\n");
		config_free(&cfg);
		return EXIT_FAILURE_RUN;
	}

	schools_build(&g);
	breaks_build(&g);
	pupils_build(&g);
	g.plan = xcalloc((size_t)g.n, sizeof *g.plan);
	for (int i = 0; i < g.npupils; i++) {
		struct pupil *p = &g.pupils[i];
		struct rng r = rng_stream(seed, STREAM_PLAN, (uint64_t)i);
		plan_pupil(&g, p, &r);
		if (p->run_days > 0) /* the long run is the only run of these profiles */
			for (int k = g.n - 1; k >= 0; k--)
				if (g.plan[k].run)
					p->run_first = k;
		emit_pupil(&g, p, &r);
	}
	qsort(g.ev, g.nev, sizeof *g.ev, ev_cmp);

	static char outbuf[1 << 16];
	setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
	int exit_code = EXIT_OK;
	if (write_all(&g, stdout, (int)permille) != 0 || fflush(stdout) != 0) {
		fprintf(stderr, "generate: writing the registrations failed: %s\n",
			strerror(errno));
		exit_code = EXIT_FAILURE_RUN;
	}
	if (exit_code == EXIT_OK && truth_path && write_truth(&g, truth_path) != 0)
		exit_code = EXIT_FAILURE_RUN;
	print_summary(&g, now_seconds() - start);
	gen_free(&g);
	config_free(&cfg);
	return exit_code;
}
