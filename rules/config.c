/*
 * config: see config.h and docs/configuration.md.
 */
#include "config.h"

#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rules_config_defaults(struct rules_config *rc)
{
	memset(rc, 0, sizeof *rc);
	rc->full_day_minutes = 360;
	rc->period_minutes = 50;
	rc->adult_age = 18;
	rc->leerplicht_age = 5;
	rc->sweep_minute = 18 * 60;
	rc->first_month.enabled = true;
	rc->first_month.days = 20;
	rc->first_month.elevated = 2;
	rc->first_month.high = 5;
	rc->attendance_tier.enabled = true;
	rc->attendance_tier.min_enrolled_days = 20;
	rc->attendance_tier.persist_days = 10;
	rc->attendance_tier.tier2_bp = 500;
	rc->attendance_tier.tier3_bp = 1000;
	rc->attendance_tier.severe_bp = 2000;
	rc->mazl.enabled = true;
	rc->mazl.frequency_reports = 4;
	rc->mazl.frequency_weeks = 12;
	rc->mazl.duration_days = 7;
	rc->mazl.concern = true;
	rc->leerplicht_16u.enabled = true;
	rc->leerplicht_16u.minutes[SECTOR_PO] = 960;
	rc->leerplicht_16u.minutes[SECTOR_SO] = 960;
	rc->leerplicht_16u.minutes[SECTOR_VO] = 800;
	rc->leerplicht_16u.minutes[SECTOR_VSO] = 800;
	rc->leerplicht_16u.minutes[SECTOR_MBO] = 960;
	rc->leerplicht_16u.weeks = 4;
	rc->leerplicht_16u.min_gap_days = 7;
	rc->leerplicht_16u.report_18plus = false;
	rc->lrv.enabled = true;
	rc->lrv.days_4w = 20;
	rc->lrv.days_3m = 65;
	rc->long_sick.enabled = true;
	rc->long_sick.days_4w = 20;
	rc->long_sick.days_3m = 65;
	rc->luxe.enabled = true;
	str_copy(rc->luxe.reason, "luxe", sizeof rc->luxe.reason);
	rc->absolute.enabled = true;
}

/* Returns the sub-object `key` of obj (NULL when absent or not an object,
 * which is recorded as an error) and writes its path into path. */
static json_t *section(struct jconf *jc, json_t *obj, const char *at, const char *key,
		       const char *const *keys, char *path, size_t cap)
{
	json_t *s = json_object_get(obj, key);
	jconf_path_key(path, cap, at, key);
	if (!s)
		return NULL;
	if (jconf_expect_object(jc, s, path) != 0)
		return NULL;
	jconf_only_keys(jc, s, path, keys);
	return s;
}

/* leerplicht_16u.minutes: one number for every sector, or an object with a
 * number per sector named (the others keep their defaults). */
static void sector_minutes(struct jconf *jc, json_t *obj, const char *at, int *minutes)
{
	json_t *v = json_object_get(obj, "minutes");
	if (!v)
		return;
	if (!json_is_object(v)) {
		int all = -1;
		jconf_int_field(jc, obj, at, "minutes", 1, 100000, &all);
		if (all > 0)
			for (int s = 0; s < SECTOR_COUNT; s++)
				minutes[s] = all;
		return;
	}
	static const char *const keys[] = {"po", "so", "vo", "vso", "mbo", NULL};
	char p[300];
	jconf_path_key(p, sizeof p, at, "minutes");
	jconf_only_keys(jc, v, p, keys);
	for (int s = 0; s < SECTOR_COUNT; s++)
		jconf_int_field(jc, v, p, sector_name((enum sector)s), 1, 100000, &minutes[s]);
}

static void run_levels(struct jconf *jc, json_t *obj, const char *at, const char *key,
		       bool *enabled, int *d4w, int *d3m)
{
	static const char *const keys[] = {"enabled", "4w", "3m", NULL};
	char p[256];
	json_t *s = section(jc, obj, at, key, keys, p, sizeof p);
	if (!s)
		return;
	jconf_bool(jc, s, p, "enabled", enabled);
	jconf_int_field(jc, s, p, "4w", 1, 400, d4w);
	jconf_int_field(jc, s, p, "3m", 1, 400, d3m);
	if (*d3m <= *d4w)
		jconf_error(jc, p, "\"3m\" (%d) must be greater than \"4w\" (%d)", *d3m, *d4w);
}

int rules_config_from_json(struct jconf *jc, json_t *obj, const char *at, struct rules_config *rc)
{
	static const char *const keys[] = {"full_day_minutes", "period_minutes", "adult_age",
					   "leerplicht_age", "first_month", "attendance_tier", "mazl",
					   "leerplicht_16u", "lrv", "long_sick", "luxe",
					   "absolute", "sweep_time", NULL};
	int before = jc->nerrors;
	if (jconf_expect_object(jc, obj, at) != 0)
		return -1;
	jconf_only_keys(jc, obj, at, keys);
	jconf_int_field(jc, obj, at, "full_day_minutes", 1, 1440, &rc->full_day_minutes);
	jconf_int_field(jc, obj, at, "period_minutes", 1, 1440, &rc->period_minutes);
	jconf_int_field(jc, obj, at, "adult_age", 12, 30, &rc->adult_age);
	jconf_int_field(jc, obj, at, "leerplicht_age", 3, 12, &rc->leerplicht_age);
	const char *sweep_time = NULL;
	if (jconf_string(jc, obj, at, "sweep_time", &sweep_time) == 0 && sweep_time) {
		int h, m;
		char extra;
		char sp[300];
		if (sscanf(sweep_time, "%d:%d%c", &h, &m, &extra) != 2 || h < 0 || h > 23 ||
		    m < 0 || m > 59)
			jconf_error(jc, jconf_path_key(sp, sizeof sp, at, "sweep_time"),
				    "expected a time HH:MM");
		else
			rc->sweep_minute = h * 60 + m;
	}

	char p[256];
	json_t *s;
	static const char *const fm_keys[] = {"enabled", "days", "elevated", "high", NULL};
	if ((s = section(jc, obj, at, "first_month", fm_keys, p, sizeof p))) {
		jconf_bool(jc, s, p, "enabled", &rc->first_month.enabled);
		jconf_int_field(jc, s, p, "days", 1, 200, &rc->first_month.days);
		jconf_int_field(jc, s, p, "elevated", 1, 200, &rc->first_month.elevated);
		jconf_int_field(jc, s, p, "high", 1, 200, &rc->first_month.high);
		if (rc->first_month.high <= rc->first_month.elevated)
			jconf_error(jc, p, "\"high\" (%d) must be greater than \"elevated\" (%d)",
				    rc->first_month.high, rc->first_month.elevated);
	}
	static const char *const at_keys[] = {"enabled", "min_enrolled_days", "persist_days",
					      "tier2_pct", "tier3_pct", "severe_pct", NULL};
	if ((s = section(jc, obj, at, "attendance_tier", at_keys, p, sizeof p))) {
		jconf_bool(jc, s, p, "enabled", &rc->attendance_tier.enabled);
		jconf_int_field(jc, s, p, "min_enrolled_days", 1, 400,
			&rc->attendance_tier.min_enrolled_days);
		jconf_int_field(jc, s, p, "persist_days", 1, 200,
				&rc->attendance_tier.persist_days);
		jconf_percent_bp(jc, s, p, "tier2_pct", 0, 100, &rc->attendance_tier.tier2_bp);
		jconf_percent_bp(jc, s, p, "tier3_pct", 0, 100, &rc->attendance_tier.tier3_bp);
		jconf_percent_bp(jc, s, p, "severe_pct", 0, 100, &rc->attendance_tier.severe_bp);
		if (!(rc->attendance_tier.tier2_bp < rc->attendance_tier.tier3_bp &&
		      rc->attendance_tier.tier3_bp < rc->attendance_tier.severe_bp))
			jconf_error(jc, p, "expected tier2_pct < tier3_pct < severe_pct");
	}
	static const char *const mazl_keys[] = {"enabled", "frequency_reports", "frequency_weeks",
						"duration_days", "concern", NULL};
	if ((s = section(jc, obj, at, "mazl", mazl_keys, p, sizeof p))) {
		jconf_bool(jc, s, p, "enabled", &rc->mazl.enabled);
		jconf_int_field(jc, s, p, "frequency_reports", 1, 100, &rc->mazl.frequency_reports);
		jconf_int_field(jc, s, p, "frequency_weeks", 1, 60, &rc->mazl.frequency_weeks);
		jconf_int_field(jc, s, p, "duration_days", 1, 400, &rc->mazl.duration_days);
		jconf_bool(jc, s, p, "concern", &rc->mazl.concern);
	}
	static const char *const lp_keys[] = {"enabled", "minutes", "weeks", "min_gap_days",
					      "report_18plus", NULL};
	if ((s = section(jc, obj, at, "leerplicht_16u", lp_keys, p, sizeof p))) {
		jconf_bool(jc, s, p, "enabled", &rc->leerplicht_16u.enabled);
		sector_minutes(jc, s, p, rc->leerplicht_16u.minutes);
		jconf_int_field(jc, s, p, "weeks", 1, 60, &rc->leerplicht_16u.weeks);
		jconf_int_field(jc, s, p, "min_gap_days", 0, 366, &rc->leerplicht_16u.min_gap_days);
		jconf_bool(jc, s, p, "report_18plus", &rc->leerplicht_16u.report_18plus);
	}
	run_levels(jc, obj, at, "lrv", &rc->lrv.enabled, &rc->lrv.days_4w, &rc->lrv.days_3m);
	run_levels(jc, obj, at, "long_sick", &rc->long_sick.enabled, &rc->long_sick.days_4w,
		   &rc->long_sick.days_3m);
	static const char *const luxe_keys[] = {"enabled", "reason", NULL};
	if ((s = section(jc, obj, at, "luxe", luxe_keys, p, sizeof p))) {
		const char *reason = NULL;
		jconf_bool(jc, s, p, "enabled", &rc->luxe.enabled);
		if (jconf_string(jc, s, p, "reason", &reason) == 0 && reason) {
			if (!*reason || strlen(reason) >= sizeof rc->luxe.reason) {
				char rp[300];
				jconf_error(jc, jconf_path_key(rp, sizeof rp, p, "reason"),
					    "expected 1 to %zu characters",
					    sizeof rc->luxe.reason - 1);
			} else {
				str_copy(rc->luxe.reason, reason, sizeof rc->luxe.reason);
			}
		}
	}
	static const char *const abs_keys[] = {"enabled", NULL};
	if ((s = section(jc, obj, at, "absolute", abs_keys, p, sizeof p)))
		jconf_bool(jc, s, p, "enabled", &rc->absolute.enabled);
	return jc->nerrors > before ? -1 : 0;
}

/* Frees a secret after overwriting it (volatile: the stores are kept). */
static void ids_secret_wipe(char *secret)
{
	if (!secret)
		return;
	volatile char *v = secret;
	while (*v)
		*v++ = '\0';
	free(secret);
}

/* Sections other parts of vroegsignaal own; the rules loader accepts them
 * unread so one file serves every program. */
static const char *const top_keys[] = {"calendar", "calendars", "rules", "redis", "daemon", "partners",
				       "routes", "http", "connectors", "operations", "schools",
				       "dispatch", "templates", "census", "ids", NULL};

/* Loads one calendar, inline or from a file relative to base_dir; errors go
 * to jc (a file's own errors, naming the file, are appended to *file_errors). */
static struct calendar *load_calendar(struct jconf *jc, json_t *cal, const char *at,
				      const char *base_dir, char **file_errors)
{
	if (!json_is_string(cal))
		return calendar_from_json(jc, cal, at);
	const char *name = json_string_value(cal);
	char *full;
	if (name[0] == '/' || !base_dir || !*base_dir) {
		full = xstrdup(name);
	} else {
		size_t n = strlen(base_dir) + strlen(name) + 2;
		full = xmalloc(n);
		snprintf(full, n, "%s/%s", base_dir, name);
	}
	char *cal_errors = NULL;
	struct calendar *c = calendar_load_file(full, &cal_errors);
	if (!c) {
		jconf_error(jc, at, "cannot load the calendar file %s", full);
		size_t a = *file_errors ? strlen(*file_errors) : 0;
		size_t b = strlen(cal_errors);
		*file_errors = xrealloc(*file_errors, a + b + 1);
		memcpy(*file_errors + a, cal_errors, b + 1);
	}
	free(cal_errors);
	free(full);
	return c;
}

/* "calendars": [one calendar per school year, consecutive, in order], or
 * the older "calendar": one calendar. */
static void load_years(struct vs_config *cfg, const char *base_dir, char **file_errors)
{
	struct jconf *jc = &cfg->doc;
	json_t *one = json_object_get(jc->root, "calendar");
	json_t *list = json_object_get(jc->root, "calendars");
	if (one && list) {
		jconf_error(jc, "calendar", "give either \"calendars\" or the older \"calendar\", "
			    "not both");
		return;
	}
	if (!one && !list) {
		jconf_error(jc, "", "missing \"calendars\": an array of calendars (file names or "
			    "objects) of consecutive school years");
		return;
	}
	if (list && (!json_is_array(list) || json_array_size(list) == 0)) {
		jconf_error(jc, "calendars", "expected a non-empty array of calendars (file names or "
			    "objects) of consecutive school years, in order");
		return;
	}
	cfg->years = school_years_new();
	size_t n = one ? 1 : json_array_size(list);
	for (size_t i = 0; i < n; i++) {
		char at[64];
		if (one)
			str_copy(at, "calendar", sizeof at);
		else
			jconf_path_index(at, sizeof at, "calendars", i);
		struct calendar *cal =
			load_calendar(jc, one ? one : json_array_get(list, i), at, base_dir, file_errors);
		if (!cal)
			continue;
		char err[300];
		if (school_years_append(cfg->years, cal, err, sizeof err) != 0)
			jconf_error(jc, at, "%s", err);
	}
}

/* "ids": {"secret_file": PATH}: where the region's secret for task and
 * case ids is (a keyed hash, so an id does not give the pupil away); a
 * relative path resolves against base_dir like a calendar file. Only the
 * programs that make ids (the daemon, replay) read the file, with the
 * checks of ids_secret_read (connectors/signing.c): the other commands do
 * not need to be able to read it. */
static void load_ids(struct vs_config *cfg, const char *base_dir)
{
	struct jconf *jc = &cfg->doc;
	json_t *ids = json_object_get(jc->root, "ids");
	if (!ids || jconf_expect_object(jc, ids, "ids") != 0)
		return;
	static const char *const keys[] = {"secret_file", NULL};
	jconf_only_keys(jc, ids, "ids", keys);
	const char *name = NULL;
	if (jconf_string(jc, ids, "ids", "secret_file", &name) != 0 || !name || !*name) {
		jconf_error(jc, "ids", "expected \"secret_file\", the file with the region's id secret");
		return;
	}
	if (name[0] != '/' && base_dir && *base_dir) {
		size_t n = strlen(base_dir) + strlen(name) + 2;
		cfg->ids_secret_file = xmalloc(n);
		snprintf(cfg->ids_secret_file, n, "%s/%s", base_dir, name);
	} else {
		cfg->ids_secret_file = xstrdup(name);
	}
}

static int load_document(struct vs_config *cfg, const char *base_dir, char **errors)
{
	struct jconf *jc = &cfg->doc;
	*errors = NULL;
	rules_config_defaults(&cfg->rules);
	if (jconf_expect_object(jc, jc->root, "") != 0)
		goto fail;
	jconf_only_keys(jc, jc->root, "", top_keys);
	json_t *rules = json_object_get(jc->root, "rules");
	if (rules)
		rules_config_from_json(jc, rules, "rules", &cfg->rules);
	cfg->census_min_pupils = 5;
	json_t *census = json_object_get(jc->root, "census");
	if (census && jconf_expect_object(jc, census, "census") == 0) {
		static const char *const census_keys[] = {"min_pupils", NULL};
		jconf_only_keys(jc, census, "census", census_keys);
		jconf_int_field(jc, census, "census", "min_pupils", 1, 1000,
				&cfg->census_min_pupils);
	}
	load_ids(cfg, base_dir);
	load_years(cfg, base_dir, errors);
	if (jc->nerrors == 0 && cfg->years && school_years_count(cfg->years) > 0)
		return 0;
fail:;
	/* Prepend jconf's errors to the calendar files' own. */
	size_t a = jc->errors ? strlen(jc->errors) : 0;
	size_t b = *errors ? strlen(*errors) : 0;
	char *all = xmalloc(a + b + 1);
	memcpy(all, jc->errors ? jc->errors : "", a);
	memcpy(all + a, *errors ? *errors : "", b);
	all[a + b] = '\0';
	free(*errors);
	*errors = all;
	school_years_free(cfg->years);
	cfg->years = NULL;
	return -1;
}

int config_load(const char *path, struct vs_config *cfg, char **errors)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->path = xstrdup(path);
	*errors = NULL;
	if (jconf_open(&cfg->doc, path) != 0) {
		*errors = xstrdup(cfg->doc.errors);
		return -1;
	}
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		str_copy(dir, ".", 2);
	int rc = load_document(cfg, dir, errors);
	free(dir);
	return rc;
}

int config_load_text(const char *name, const char *text, const char *base_dir,
		     struct vs_config *cfg, char **errors)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->path = xstrdup(name);
	*errors = NULL;
	if (jconf_open_text(&cfg->doc, name, text) != 0) {
		*errors = xstrdup(cfg->doc.errors);
		return -1;
	}
	return load_document(cfg, base_dir, errors);
}

void config_free(struct vs_config *cfg)
{
	school_years_free(cfg->years);
	ids_secret_wipe(cfg->ids_secret);
	free(cfg->ids_secret_file);
	jconf_free(&cfg->doc);
	free(cfg->path);
	memset(cfg, 0, sizeof *cfg);
}
