/*
 * config: the configuration file (one JSON document) as far as the rules
 * need it: the school years' calendars and every threshold of RULES.md. Later parts (the
 * daemon, connectors) read their own sections from the same document, kept
 * open as `doc`.
 *
 * Every value has the RULES.md default; a region changes any of them in the
 * file. Loading validates everything and reports every problem with file,
 * line and column (see jsonconf.h); an invalid file is never half-applied.
 */
#ifndef VS_CONFIG_H
#define VS_CONFIG_H

#include "calendar.h"
#include "event.h"
#include "jsonconf.h"
#include "years.h"

#include <stdbool.h>
#include <stdint.h>

struct rules_config {
	int full_day_minutes; /* 360: the missed minutes of a whole day */
	int period_minutes;   /* 50: the missed minutes of one lesson hour */
	int adult_age;        /* 18: from this age leerplicht routes go to RMC, absolute stops */
	int leerplicht_age;   /* 5: leerplichtig from the first day of the month after this birthday */
	int sweep_minute;     /* 18:00: the daily sweep's minute of the day, Europe/Amsterdam */

	struct {
		bool enabled;
		int days;     /* 20: the first enrolled school days watched */
		int elevated; /* 2 absent days */
		int high;     /* 5 absent days */
	} first_month;
	struct {
		bool enabled;
		int min_enrolled_days; /* 20, at the first of the persist_days */
		int persist_days;      /* 10: the enrolled school days a band must hold */
		int64_t tier2_bp;      /* rate > 5 %, in basis points (500) */
		int64_t tier3_bp;      /* rate >= 10 % (1000) */
		int64_t severe_bp;     /* rate >= 20 % (2000) */
	} attendance_tier;
	struct {
		bool enabled;
		int frequency_reports; /* 4 sick reports ... */
		int frequency_weeks;   /* ... in 12 lesson weeks */
		int duration_days;     /* 7th consecutive sick school day */
		bool concern;          /* raise on `concern` registrations */
	} mazl;
	struct {
		bool enabled;
		/* Unauthorised minutes that make 16 hours, per sector (enum
		 * sector): po/so 960 clock minutes, vo/vso 800 = 16 lessons of 50,
		 * mbo 960. */
		int minutes[SECTOR_COUNT];
		int weeks;        /* in the last 4 lesson weeks */
		int min_gap_days; /* 7 calendar days between two reports */
		bool report_18plus;
	} leerplicht_16u;
	struct {
		bool enabled;
		int days_4w; /* 20 consecutive school days */
		int days_3m; /* 65 */
	} lrv, long_sick;
	struct {
		bool enabled;
		char reason[32]; /* "luxe": the `reason` value that marks luxe verzuim */
	} luxe;
	struct {
		bool enabled;
	} absolute;
};

struct vs_config {
	char *path;
	struct jconf doc;           /* the parsed document, for other sections */
	struct school_years *years; /* the calendars of consecutive school years */
	struct rules_config rules;
	int census_min_pupils;      /* census.min_pupils (5): smaller scopes show "< N" */
	char *ids_secret_file;      /* ids.secret_file, resolved; NULL: not configured */
	char *ids_secret;           /* its secret, once a program that makes ids read it
				     * (ids_secret_read); freed by config_free */
};

/* Fills rc with the RULES.md defaults. */
void rules_config_defaults(struct rules_config *rc);

/* Reads rc from the "rules" object at `at` (missing keys keep their
 * defaults). Returns 0, or -1 with errors recorded in jc. */
int rules_config_from_json(struct jconf *jc, json_t *obj, const char *at,
			   struct rules_config *rc);

/* Loads a configuration file. The school years are named by "calendars":
 * an array of calendars of consecutive years, in order, each inline ({...})
 * or a file name relative to the configuration file
 * ("calendars/noord-2026-2027.json"); the older single "calendar" key (one
 * year) is still accepted. Returns 0, or -1 and sets *errors to
 * newline-separated messages (caller frees). */
int config_load(const char *path, struct vs_config *cfg, char **errors);

/* Same, from text in memory; relative calendar paths resolve against
 * base_dir. */
int config_load_text(const char *name, const char *text, const char *base_dir,
		     struct vs_config *cfg, char **errors);

void config_free(struct vs_config *cfg);

#endif
