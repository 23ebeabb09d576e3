/*
 * event: see event.h. Validation order is fixed (envelope, then identity,
 * then kind-specific fields, then the calendar) so a registration with
 * several faults always gets the same reason code.
 */
#include "event.h"

#include "date.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const reason_codes[EV_REASON_COUNT] = {
	[EV_OK] = "ok",
	[EV_BAD_ENCODING] = "bad_encoding",
	[EV_MISSING_FIELD] = "missing_field",
	[EV_UNKNOWN_FIELD] = "unknown_field",
	[EV_DUPLICATE_FIELD] = "duplicate_field",
	[EV_FIELD_TOO_LONG] = "field_too_long",
	[EV_BAD_VERSION] = "bad_version",
	[EV_UNKNOWN_KIND] = "unknown_kind",
	[EV_BAD_STUDENT] = "bad_student",
	[EV_BAD_SCHOOL] = "bad_school",
	[EV_BAD_SECTOR] = "bad_sector",
	[EV_BAD_DATE] = "bad_date",
	[EV_BAD_RECORDED_AT] = "bad_recorded_at",
	[EV_BAD_PERIOD] = "bad_period",
	[EV_BAD_MINUTES] = "bad_minutes",
	[EV_MISSING_MINUTES] = "missing_minutes",
	[EV_BAD_AUTHORIZED] = "bad_authorized",
	[EV_MISSING_AUTHORIZED] = "missing_authorized",
	[EV_BAD_BIRTH_DATE] = "bad_birth_date",
	[EV_OUTSIDE_SCHOOL_YEAR] = "outside_school_year",
	[EV_NOT_SCHOOL_DAY] = "not_school_day",
};

static const char *const kind_names[KIND_COUNT] = {
	"absent", "sick", "late", "present", "concern", "enrol", "unenrol",
};

static const char *const sector_names[SECTOR_COUNT] = {"po", "so", "vo", "vso", "mbo"};

const char *event_reason_code(enum event_reason r)
{
	return (unsigned)r < EV_REASON_COUNT ? reason_codes[r] : "unknown";
}

const char *reg_kind_name(enum reg_kind k)
{
	return (unsigned)k < KIND_COUNT ? kind_names[k] : "unknown";
}

const char *sector_name(enum sector s)
{
	return (unsigned)s < SECTOR_COUNT ? sector_names[s] : "unknown";
}

int event_error_set(struct event_error *err, enum event_reason r, const char *field,
		    const char *fmt, ...)
{
	err->reason = r;
	str_copy(err->field, field ? field : "", sizeof err->field);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
	return -1;
}

/* The fields of a registration, in the order they are validated. */
enum field_id {
	F_V, F_ID, F_STUDENT, F_SCHOOL, F_SECTOR, F_KIND, F_DATE, F_RECORDED_AT, F_PERIOD,
	F_MINUTES, F_AUTHORIZED, F_REASON, F_BIRTH_DATE, F_DESTINATION, F_MUNICIPALITY,
	F_SOURCE, F_COUNT
};

static const char *const field_names[F_COUNT] = {
	"v", "id", "student", "school", "sector", "kind", "date", "recorded_at", "period",
	"minutes", "authorized", "reason", "birth_date", "destination", "municipality", "source",
};

/* Longest accepted value per field. */
static const size_t field_max[F_COUNT] = {
	[F_V] = 8, [F_ID] = EVENT_TEXT_MAX, [F_STUDENT] = EVENT_TEXT_MAX,
	[F_SCHOOL] = 16, [F_SECTOR] = 16, [F_KIND] = 16, [F_DATE] = 16,
	[F_RECORDED_AT] = 40, [F_PERIOD] = 8, [F_MINUTES] = 8, [F_AUTHORIZED] = 16,
	[F_REASON] = EVENT_TEXT_MAX, [F_BIRTH_DATE] = 16, [F_DESTINATION] = EVENT_TEXT_MAX,
	[F_MUNICIPALITY] = EVENT_TEXT_MAX, [F_SOURCE] = EVENT_TEXT_MAX,
};

static int field_lookup(const char *name, size_t len)
{
	for (int i = 0; i < F_COUNT; i++)
		if (strlen(field_names[i]) == len && memcmp(field_names[i], name, len) == 0)
			return i;
	return -1;
}

/* Parses a decimal integer of 1..5 digits; -1 when not one. */
static int parse_small_uint(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 5)
		return -1;
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static bool valid_student(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		char c = *s;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.' || c == ':'))
			return false;
	}
	return true;
}

static bool valid_brin(const char *s)
{
	size_t n = strlen(s);
	if (n != 4 && n != 6)
		return false;
	for (size_t i = 0; i < n; i++) {
		bool digit = s[i] >= '0' && s[i] <= '9';
		bool upper = s[i] >= 'A' && s[i] <= 'Z';
		if ((i < 2 || i >= 4) ? !digit : !upper)
			return false;
	}
	return true;
}

int event_parse(const struct event_field *fields, size_t n, const struct school_years *years,
		struct registration *out, struct event_error *err)
{
	char val[F_COUNT][EVENT_TEXT_MAX + 1];
	bool have[F_COUNT] = {false};
	memset(out, 0, sizeof *out);
	memset(err, 0, sizeof *err);

	for (size_t i = 0; i < n; i++) {
		int f = field_lookup(fields[i].name, fields[i].name_len);
		if (f < 0)
			return event_error_set(err, EV_UNKNOWN_FIELD, "",
					       "unknown field (see docs/events.md for the fields)");
		if (have[f])
			return event_error_set(err, EV_DUPLICATE_FIELD, field_names[f],
					       "field %s given twice", field_names[f]);
		if (fields[i].value_len > field_max[f])
			return event_error_set(err, EV_FIELD_TOO_LONG, field_names[f],
					       "field %s longer than %zu characters",
					       field_names[f], field_max[f]);
		if (memchr(fields[i].value, '\0', fields[i].value_len))
			return event_error_set(err, EV_BAD_ENCODING, field_names[f],
					       "field %s contains a NUL byte", field_names[f]);
		memcpy(val[f], fields[i].value, fields[i].value_len);
		val[f][fields[i].value_len] = '\0';
		have[f] = true;
	}
	static const enum field_id required[] = {F_V, F_ID, F_STUDENT, F_SCHOOL, F_SECTOR,
						 F_KIND, F_DATE, F_RECORDED_AT};
	for (size_t i = 0; i < sizeof required / sizeof *required; i++)
		if (!have[required[i]] || !val[required[i]][0])
			return event_error_set(err, EV_MISSING_FIELD, field_names[required[i]],
					       "missing field %s", field_names[required[i]]);
	if (strcmp(val[F_V], "1") != 0)
		return event_error_set(err, EV_BAD_VERSION, "v", "unsupported version; expected v=1");

	int kind = -1;
	for (int k = 0; k < KIND_COUNT; k++)
		if (strcmp(val[F_KIND], kind_names[k]) == 0)
			kind = k;
	if (kind < 0)
		return event_error_set(err, EV_UNKNOWN_KIND, "kind",
				       "unknown kind; expected absent, sick, late, present, "
				       "concern, enrol or unenrol");
	out->kind = (enum reg_kind)kind;

	str_copy(out->id, val[F_ID], sizeof out->id);
	if (!valid_student(val[F_STUDENT]))
		return event_error_set(err, EV_BAD_STUDENT, "student",
				       "student must be a pseudonymous key of letters, digits and "
				       "- _ . :");
	str_copy(out->student, val[F_STUDENT], sizeof out->student);
	if (!valid_brin(val[F_SCHOOL]))
		return event_error_set(err, EV_BAD_SCHOOL, "school",
				       "school must be a BRIN code: 2 digits, 2 capital letters, "
				       "optionally 2 digits");
	str_copy(out->school, val[F_SCHOOL], sizeof out->school);
	int sector = -1;
	for (int s = 0; s < SECTOR_COUNT; s++)
		if (strcmp(val[F_SECTOR], sector_names[s]) == 0)
			sector = s;
	if (sector < 0)
		return event_error_set(err, EV_BAD_SECTOR, "sector",
				       "sector must be po, so, vo, vso or mbo");
	out->sector = (enum sector)sector;
	if (date_parse(val[F_DATE], &out->date) != 0)
		return event_error_set(err, EV_BAD_DATE, "date",
				       "date must be a calendar date YYYY-MM-DD");
	if (instant_parse(val[F_RECORDED_AT], &out->recorded_ms) != 0)
		return event_error_set(err, EV_BAD_RECORDED_AT, "recorded_at",
				       "recorded_at must be an RFC 3339 date-time with offset");

	out->period = 0;
	if (have[F_PERIOD]) {
		int p = parse_small_uint(val[F_PERIOD]);
		if (p < 0 || p > EVENT_MAX_PERIOD)
			return event_error_set(err, EV_BAD_PERIOD, "period",
					       "period must be 0 (whole day) or a lesson hour 1..16");
		out->period = p;
	}
	out->minutes = -1;
	if (have[F_MINUTES]) {
		int m = parse_small_uint(val[F_MINUTES]);
		if (m < 1 || m > 1440)
			return event_error_set(err, EV_BAD_MINUTES, "minutes",
					       "minutes must be a whole number from 1 to 1440");
		out->minutes = m;
	}
	out->authorized = -1;
	if (have[F_AUTHORIZED]) {
		if (strcmp(val[F_AUTHORIZED], "yes") == 0)
			out->authorized = 1;
		else if (strcmp(val[F_AUTHORIZED], "no") == 0)
			out->authorized = 0;
		else
			return event_error_set(err, EV_BAD_AUTHORIZED, "authorized",
					       "authorized must be yes or no");
	}
	if (out->kind == KIND_ABSENT && out->authorized < 0)
		return event_error_set(err, EV_MISSING_AUTHORIZED, "authorized",
				       "an absent registration needs authorized=yes|no");
	if (out->kind == KIND_LATE && out->minutes < 0)
		return event_error_set(err, EV_MISSING_MINUTES, "minutes",
				       "a late registration needs minutes");
	out->birth_date = DATE_NONE;
	if (have[F_BIRTH_DATE] && date_parse(val[F_BIRTH_DATE], &out->birth_date) != 0)
		return event_error_set(err, EV_BAD_BIRTH_DATE, "birth_date",
				       "birth_date must be a calendar date YYYY-MM-DD");
	if (have[F_BIRTH_DATE] && out->birth_date > out->date)
		return event_error_set(err, EV_BAD_BIRTH_DATE, "birth_date",
				       "birth_date lies after the registration's date");
	if (have[F_REASON])
		str_copy(out->reason, val[F_REASON], sizeof out->reason);
	if (have[F_DESTINATION] && val[F_DESTINATION][0]) {
		out->has_destination = true;
		str_copy(out->destination, val[F_DESTINATION], sizeof out->destination);
	}
	if (have[F_MUNICIPALITY])
		str_copy(out->municipality, val[F_MUNICIPALITY], sizeof out->municipality);
	if (have[F_SOURCE])
		str_copy(out->source, val[F_SOURCE], sizeof out->source);

	if (years) {
		char names[160];
		int y = reg_kind_is_day(out->kind) ? school_years_index(years, out->date)
						    : school_years_index_next(years, out->date);
		bool outside = y < 0 || (out->kind == KIND_UNENROL &&
					 out->date < school_years_first_day(years));
		if (outside) {
			school_years_names(years, names, sizeof names);
			return event_error_set(err, EV_OUTSIDE_SCHOOL_YEAR, "date",
					       "date lies outside the configured school years (%s)",
					       names);
		}
		if (reg_kind_is_day(out->kind) &&
		    !cal_is_school_day(school_years_view(years, y, out->school), out->date))
			return event_error_set(err, EV_NOT_SCHOOL_DAY, "date",
					       "date is not a school day for this school");
	}
	return 0;
}
