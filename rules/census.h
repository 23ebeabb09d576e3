/*
 * census: the pact's quarterly count of thuiszitters and long-sick pupils
 * (issue 16, docs/census.md), computed from pupil states. Pure: no I/O.
 *
 * At a census date c, a pupil's state is read as it was known at the sweep
 * of s, the last school day on or before c for the pupil's school: only
 * registrations recorded at or before that sweep's instant count. A pupil
 * counts under `lrv` (`long_sick`) when s is an unauthorised (sick) day and
 * the run of consecutive such school days ending at s is at least the rule's
 * `4w` length; the run's length up to s picks the bucket: [4w, 3m), [3m, 1y),
 * >= 1y school days (defaults 20, 65, 190). Runs continue across the summer
 * (years.h). Signal counts (absolute, leerplicht_16u) are read from the
 * state's marks by their date, in the period (previous census, c].
 *
 * The CLI (replay and live mode) and the daemon's status page share this.
 */
#ifndef VS_CENSUS_H
#define VS_CENSUS_H

#include "rules.h"

#include <stdbool.h>
#include <stdint.h>

/* A run of this many school days or more is "longer than a year". */
#define CENSUS_DAYS_1Y 190

enum census_run { CENSUS_LRV, CENSUS_LONG_SICK };
enum census_bucket { CENSUS_4W_3M, CENSUS_3M_1Y, CENSUS_OVER_1Y, CENSUS_BUCKETS };

/* The bucket names used in output: "4w_3m", "3m_1y", "over_1y". */
extern const char *const census_bucket_names[CENSUS_BUCKETS];

struct census_counts {
	long long pupils;                 /* pupils known at c (enrolled or with data up to c) */
	long long lrv[CENSUS_BUCKETS];
	long long long_sick[CENSUS_BUCKETS];
	long long absolute_new;           /* absolute signals dated in the period */
	long long reports_16u;            /* leerplicht_16u signals dated in the period */
};

/* The bucket of a run of `days` school days for the run kind's thresholds
 * (the rule's 4w and 3m, and CENSUS_DAYS_1Y); -1 below 4w. */
int census_bucket(const struct rules_config *rc, enum census_run kind, int days);

/* s: the last school day on or before c for the school (NULL: the region's
 * calendar); DATE_NONE when no configured year has one. */
int32_t census_school_day(const struct school_years *ys, const char *school, int32_t c);

/* The length of the run of consecutive unauthorised (lrv) or sick
 * (long_sick) school days that ends at school day s, counting only
 * registrations recorded at or before known_ms (INT64_MAX: all). 0 when s
 * itself is not such a day. lrv counts only days of compulsory school age. */
int census_run_length(const struct rules_env *env, const struct pupil_state *st,
		      enum census_run kind, int32_t s, int64_t known_ms);

/* Adds one pupil to *out for census date c and signal period [from, c]. */
void census_count_pupil(const struct rules_env *env, const struct pupil_state *st, int32_t c,
			int32_t from, struct census_counts *out);

/* Quarterly census dates: the last school day (region calendar) of
 * September, December, March and June of the configured years. Writes the
 * last n of them on or before `upto` to out in ascending order and returns
 * how many there were (<= n). */
int census_quarter_dates(const struct school_years *ys, int32_t upto, int n, int32_t *out);

/* The first day of c's period: the day after the latest quarterly census
 * date before c, or the first configured year's first day when there is
 * none. */
int32_t census_period_from(const struct school_years *ys, int32_t c);

#endif
