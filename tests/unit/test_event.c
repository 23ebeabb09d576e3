/*
 * test_event: parsing and validating registrations: every kind accepted,
 * every reason code produced, the calendar checks, and the stable reason
 * strings.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

static int setup_cal(void **state)
{
	*state = tu_noord_years_first();
	return 0;
}

static int teardown_cal(void **state)
{
	school_years_free(*state);
	return 0;
}

/* A complete valid day registration; tests replace one field at a time. */
static const char *const base_fields[] = {
	"v=1",          "id=ev-1",      "student=p-1",  "school=01AC",
	"sector=vo",    "kind=sick",    "date=2026-09-01", "recorded_at=2026-09-01T08:15:00Z",
};
#define NBASE (sizeof base_fields / sizeof *base_fields)

/* Parses "name=value" strings exactly as given (no defaults). */
static int raw_parse(const struct school_years *cal, const char *const *kv, size_t n,
		     struct registration *out, struct event_error *err)
{
	struct event_field f[32];
	assert_true(n <= 32);
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(kv[i], '=');
		assert_non_null(eq);
		f[i] = (struct event_field){kv[i], (size_t)(eq - kv[i]), eq + 1, strlen(eq + 1)};
	}
	return event_parse(f, n, cal, out, err);
}

/* The base registration with field `name` replaced by `kv` (kv NULL: field
 * removed) and `extra` appended (may be NULL). Expects reason r; checks the
 * error's field name and, when value_absent is given, that the message does
 * not contain it. */
static void expect_reason(const struct school_years *cal, const char *name, const char *kv,
			  const char *extra, enum event_reason r, const char *err_field,
			  const char *value_absent)
{
	const char *kvs[NBASE + 2];
	size_t n = 0;
	size_t nlen = name ? strlen(name) : 0;
	for (size_t i = 0; i < NBASE; i++) {
		bool named = name && strncmp(base_fields[i], name, nlen) == 0;
		if (named && base_fields[i][nlen] == '=') {
			if (kv)
				kvs[n++] = kv;
			continue;
		}
		kvs[n++] = base_fields[i];
	}
	if (extra)
		kvs[n++] = extra;
	struct registration reg;
	struct event_error err;
	int rc = raw_parse(cal, kvs, n, &reg, &err);
	if (rc != -1 || err.reason != r)
		fail_msg("%s / %s: got rc %d reason %s, expected %s", kv ? kv : name,
			 extra ? extra : "", rc, event_reason_code(err.reason),
			 event_reason_code(r));
	assert_string_equal(err.field, err_field);
	assert_true(err.message[0] != '\0');
	if (value_absent && strstr(err.message, value_absent))
		fail_msg("message \"%s\" contains the value \"%s\"", err.message, value_absent);
}

/* The reason tu_parse gives for spec (EV_OK when valid); "student=s" is
 * added unless spec names a student. */
static enum event_reason reason_of(const struct school_years *cal, const char *spec)
{
	char full[256];
	snprintf(full, sizeof full, "%s%s", strstr(spec, "student=") ? "" : "student=s ", spec);
	struct registration r;
	struct event_error err;
	int rc = tu_parse(cal, full, &r, &err);
	assert_int_equal(rc, err.reason == EV_OK ? 0 : -1);
	return err.reason;
}

static void test_base_is_valid(void **state)
{
	struct registration reg;
	struct event_error err;
	assert_int_equal(raw_parse(*state, base_fields, NBASE, &reg, &err), 0);
	assert_int_equal(err.reason, EV_OK);
	assert_string_equal(reg.id, "ev-1");
	assert_string_equal(reg.student, "p-1");
	assert_string_equal(reg.school, "01AC");
	assert_int_equal(reg.sector, SECTOR_VO);
	assert_int_equal(reg.kind, KIND_SICK);
	assert_int_equal(reg.date, tu_date("2026-09-01"));
	assert_int_equal(reg.recorded_ms, 1788250500000LL);
	assert_int_equal(reg.period, 0);
	assert_int_equal(reg.minutes, -1);
	assert_int_equal(reg.authorized, -1);
	assert_string_equal(reg.reason, "");
	assert_int_equal(reg.birth_date, DATE_NONE);
	assert_false(reg.has_destination);
	assert_string_equal(reg.municipality, "");
	assert_string_equal(reg.source, "");
}

static void test_every_kind_valid(void **state)
{
	const struct school_years *cal = *state;
	struct registration r;

	r = tu_reg(cal, "student=a kind=absent authorized=no reason=luxe date=2026-09-02 "
			"period=3 minutes=45 birth_date=2010-05-06 municipality=0014 "
			"source=magister");
	assert_int_equal(r.kind, KIND_ABSENT);
	assert_int_equal(r.authorized, 0);
	assert_string_equal(r.reason, "luxe");
	assert_int_equal(r.period, 3);
	assert_int_equal(r.minutes, 45);
	assert_int_equal(r.birth_date, tu_date("2010-05-06"));
	assert_string_equal(r.municipality, "0014");
	assert_string_equal(r.source, "magister");

	r = tu_reg(cal, "student=a kind=absent authorized=yes date=2026-09-02");
	assert_int_equal(r.kind, KIND_ABSENT);
	assert_int_equal(r.authorized, 1);
	assert_int_equal(r.minutes, -1);

	r = tu_reg(cal, "student=a kind=sick date=2026-09-03 period=16 sector=po school=12XY");
	assert_int_equal(r.kind, KIND_SICK);
	assert_int_equal(r.period, 16);
	assert_int_equal(r.sector, SECTOR_PO);
	assert_string_equal(r.school, "12XY");

	r = tu_reg(cal, "student=a kind=late minutes=10 date=2026-09-04 sector=so");
	assert_int_equal(r.kind, KIND_LATE);
	assert_int_equal(r.minutes, 10);
	assert_int_equal(r.authorized, -1);
	assert_int_equal(r.sector, SECTOR_SO);

	r = tu_reg(cal, "student=a kind=late minutes=1440 authorized=yes date=2026-09-04");
	assert_int_equal(r.minutes, 1440);
	assert_int_equal(r.authorized, 1);

	r = tu_reg(cal, "student=a kind=present period=2 date=2026-09-07 sector=vso");
	assert_int_equal(r.kind, KIND_PRESENT);
	assert_int_equal(r.period, 2);
	assert_int_equal(r.sector, SECTOR_VSO);

	r = tu_reg(cal, "student=a kind=concern date=2026-09-08 sector=mbo school=01AB02");
	assert_int_equal(r.kind, KIND_CONCERN);
	assert_int_equal(r.sector, SECTOR_MBO);
	assert_string_equal(r.school, "01AB02");

	r = tu_reg(cal, "student=a kind=enrol date=2026-09-09");
	assert_int_equal(r.kind, KIND_ENROL);
	assert_int_equal(r.date, tu_date("2026-09-09"));

	r = tu_reg(cal, "student=a kind=unenrol date=2026-09-10 destination=02CD");
	assert_int_equal(r.kind, KIND_UNENROL);
	assert_true(r.has_destination);
	assert_string_equal(r.destination, "02CD");

	r = tu_reg(cal, "student=a kind=unenrol date=2026-09-10 destination=");
	assert_false(r.has_destination);

	/* every character class of a student key; 64 characters is the limit */
	r = tu_reg(cal, "kind=sick date=2026-09-01 student=Ab9-_.:z");
	assert_string_equal(r.student, "Ab9-_.:z");
	r = tu_reg(cal, "kind=sick date=2026-09-01 student="
			"0123456789012345678901234567890123456789012345678901234567890123");
	assert_int_equal(strlen(r.student), 64);
}

static void test_reason_missing_field(void **state)
{
	const struct school_years *cal = *state;
	static const char *const required[] = {"v",    "id",   "student", "school",
					       "sector", "kind", "date",    "recorded_at"};
	for (size_t i = 0; i < sizeof required / sizeof *required; i++) {
		expect_reason(cal, required[i], NULL, NULL, EV_MISSING_FIELD, required[i], NULL);
		char empty[32];
		snprintf(empty, sizeof empty, "%s=", required[i]);
		expect_reason(cal, required[i], empty, NULL, EV_MISSING_FIELD, required[i], NULL);
	}
	/* with no fields at all, the first required one */
	struct registration reg;
	struct event_error err;
	assert_int_equal(raw_parse(cal, NULL, 0, &reg, &err), -1);
	assert_int_equal(err.reason, EV_MISSING_FIELD);
	assert_string_equal(err.field, "v");
}

static void test_reason_envelope(void **state)
{
	const struct school_years *cal = *state;
	expect_reason(cal, NULL, NULL, "colour=blue", EV_UNKNOWN_FIELD, "", "blue");
	expect_reason(cal, NULL, NULL, "Student=p-1", EV_UNKNOWN_FIELD, "", NULL);
	expect_reason(cal, NULL, NULL, "student=p-2", EV_DUPLICATE_FIELD, "student", "p-2");
	expect_reason(cal, NULL, NULL, "kind=sick", EV_DUPLICATE_FIELD, "kind", NULL);
	expect_reason(cal, "student",
		      "student=01234567890123456789012345678901234567890123456789012345678901234",
		      NULL, EV_FIELD_TOO_LONG, "student", "0123456789");
	/* fields with a short format have a generous length limit (16, 8 for
	 * numbers and v), so a slightly wrong value gets its specific code */
	expect_reason(cal, "school", "school=01AB0123456789012", NULL, EV_FIELD_TOO_LONG, "school",
		      "01AB");
	expect_reason(cal, "school", "school=01AB012345678", NULL, EV_BAD_SCHOOL, "school",
		      "01AB");
	expect_reason(cal, "date", "date=2026-09-01T08:00:00Z", NULL, EV_FIELD_TOO_LONG, "date",
		      NULL);
	expect_reason(cal, "date", "date=2026-09-011", NULL, EV_BAD_DATE, "date", NULL);
	expect_reason(cal, NULL, NULL, "minutes=000000010", EV_FIELD_TOO_LONG, "minutes", NULL);
	expect_reason(cal, NULL, NULL, "minutes=10000", EV_BAD_MINUTES, "minutes", NULL);
	expect_reason(cal, NULL, NULL, "period=000000001", EV_FIELD_TOO_LONG, "period", NULL);
	expect_reason(cal, NULL, NULL, "period=100", EV_BAD_PERIOD, "period", NULL);
	expect_reason(cal, "v", "v=000000001", NULL, EV_FIELD_TOO_LONG, "v", NULL);
	expect_reason(cal, "kind", "kind=absentabsentabsent", NULL, EV_FIELD_TOO_LONG, "kind",
		      NULL);
	expect_reason(cal, NULL, NULL,
		      "reason=01234567890123456789012345678901234567890123456789012345678901234",
		      EV_FIELD_TOO_LONG, "reason", NULL);
	expect_reason(cal, "v", "v=1", "v=1", EV_DUPLICATE_FIELD, "v", NULL);
	expect_reason(cal, "v", "v=2", NULL, EV_BAD_VERSION, "v", NULL);
	expect_reason(cal, "v", "v=1.0", NULL, EV_BAD_VERSION, "v", NULL);
	expect_reason(cal, "kind", "kind=holiday", NULL, EV_UNKNOWN_KIND, "kind", "holiday");
	expect_reason(cal, "kind", "kind=Sick", NULL, EV_UNKNOWN_KIND, "kind", "Sick");

	/* a NUL byte inside a value */
	const char *kvs[NBASE];
	memcpy(kvs, base_fields, sizeof base_fields);
	struct event_field f[NBASE];
	for (size_t i = 0; i < NBASE; i++) {
		const char *eq = strchr(kvs[i], '=');
		f[i] = (struct event_field){kvs[i], (size_t)(eq - kvs[i]), eq + 1, strlen(eq + 1)};
	}
	static const char nul_student[] = {'p', '\0', '1'};
	f[2].value = nul_student;
	f[2].value_len = sizeof nul_student;
	struct registration reg;
	struct event_error err;
	assert_int_equal(event_parse(f, NBASE, cal, &reg, &err), -1);
	assert_int_equal(err.reason, EV_BAD_ENCODING);
	assert_string_equal(err.field, "student");
	/* a name that is a prefix of a field name, given by length */
	f[2].value = "p-1";
	f[2].value_len = 3;
	f[2].name = "studentX";
	f[2].name_len = 7;
	assert_int_equal(event_parse(f, NBASE, cal, &reg, &err), 0);
	assert_string_equal(reg.student, "p-1");
	f[2].name_len = 6;
	assert_int_equal(event_parse(f, NBASE, cal, &reg, &err), -1);
	assert_int_equal(err.reason, EV_UNKNOWN_FIELD);
}

static void test_reason_identity(void **state)
{
	const struct school_years *cal = *state;
	static const char *const bad_students[] = {"student=p/1", "student=p#1", "student=p 1",
						   "student=\xc3\xa9l\xc3\xa8ve", "student=a,b"};
	for (size_t i = 0; i < sizeof bad_students / sizeof *bad_students; i++)
		expect_reason(cal, "student", bad_students[i], NULL, EV_BAD_STUDENT, "student",
			      bad_students[i] + 8);
	static const char *const bad_schools[] = {"school=1ABC", "school=01ab", "school=01AB1",
						  "school=0123", "school=AB01", "school=01AB0X",
						  "school=01A", "school=01\xc3\x84" "B"};
	for (size_t i = 0; i < sizeof bad_schools / sizeof *bad_schools; i++)
		expect_reason(cal, "school", bad_schools[i], NULL,
			      strlen(bad_schools[i]) - 7 > EVENT_SCHOOL_MAX ? EV_FIELD_TOO_LONG
									    : EV_BAD_SCHOOL,
			      "school", NULL);
	expect_reason(cal, "sector", "sector=VO", NULL, EV_BAD_SECTOR, "sector", "VO");
	expect_reason(cal, "sector", "sector=hbo", NULL, EV_BAD_SECTOR, "sector", "hbo");
}

static void test_reason_dates(void **state)
{
	const struct school_years *cal = *state;
	expect_reason(cal, "date", "date=2026-02-29", NULL, EV_BAD_DATE, "date", "2026-02-29");
	expect_reason(cal, "date", "date=2026-13-01", NULL, EV_BAD_DATE, "date", NULL);
	expect_reason(cal, "date", "date=2026-9-01", NULL, EV_BAD_DATE, "date", NULL);
	expect_reason(cal, "date", "date=01-09-2026", NULL, EV_BAD_DATE, "date", NULL);
	expect_reason(cal, "recorded_at", "recorded_at=2026-09-01T08:15:00", NULL,
		      EV_BAD_RECORDED_AT, "recorded_at", "08:15");
	expect_reason(cal, "recorded_at", "recorded_at=2026-09-01", NULL, EV_BAD_RECORDED_AT,
		      "recorded_at", NULL);
	expect_reason(cal, "recorded_at", "recorded_at=2026-09-01T10:15:00+02", NULL,
		      EV_BAD_RECORDED_AT, "recorded_at", NULL);
	expect_reason(cal, NULL, NULL, "birth_date=2010-02-29", EV_BAD_BIRTH_DATE, "birth_date",
		      "2010");
	expect_reason(cal, NULL, NULL, "birth_date=2026-09-02", EV_BAD_BIRTH_DATE, "birth_date",
		      NULL);
	expect_reason(cal, NULL, NULL, "birth_date=", EV_BAD_BIRTH_DATE, "birth_date", NULL);
	/* born on the registration's date is possible */
	struct registration r =
		tu_reg(cal, "student=s kind=sick date=2026-09-01 birth_date=2026-09-01");
	assert_int_equal(r.birth_date, r.date);
	/* recorded_at is an instant: the offset is applied */
	r = tu_reg(cal, "student=s kind=sick date=2026-09-01 "
			"recorded_at=2026-09-01T10:15:00.250+02:00");
	assert_int_equal(r.recorded_ms, 1788250500250LL);
}

static void test_reason_kind_fields(void **state)
{
	const struct school_years *cal = *state;
	static const char *const bad_periods[] = {"period=17", "period=-1", "period=a",
						  "period=", "period=+1", "period= 1"};
	for (size_t i = 0; i < sizeof bad_periods / sizeof *bad_periods; i++)
		expect_reason(cal, NULL, NULL, bad_periods[i], EV_BAD_PERIOD, "period", NULL);
	static const char *const bad_minutes[] = {"minutes=0",  "minutes=1441", "minutes=abc",
						  "minutes=-5", "minutes=",     "minutes=1.5"};
	for (size_t i = 0; i < sizeof bad_minutes / sizeof *bad_minutes; i++)
		expect_reason(cal, NULL, NULL, bad_minutes[i], EV_BAD_MINUTES, "minutes", NULL);
	expect_reason(cal, "kind", "kind=late", NULL, EV_MISSING_MINUTES, "minutes", NULL);
	static const char *const bad_auth[] = {"authorized=maybe", "authorized=YES",
					       "authorized=1", "authorized="};
	for (size_t i = 0; i < sizeof bad_auth / sizeof *bad_auth; i++)
		expect_reason(cal, NULL, NULL, bad_auth[i], EV_BAD_AUTHORIZED, "authorized", NULL);
	expect_reason(cal, "kind", "kind=absent", NULL, EV_MISSING_AUTHORIZED, "authorized",
		      NULL);
	/* boundaries that are accepted */
	struct registration r =
		tu_reg(cal, "student=s kind=absent authorized=no period=0 minutes=1 "
			    "date=2026-09-01");
	assert_int_equal(r.period, 0);
	assert_int_equal(r.minutes, 1);
}

static void test_sick_authorized_no_is_accepted(void **state)
{
	const struct school_years *cal = *state;
	struct registration r = tu_reg(cal, "student=s kind=sick authorized=no date=2026-09-01");
	assert_int_equal(r.kind, KIND_SICK);
	/* the field is ignored: the stored fact is a sick registration */
	struct pupil_state st;
	pupil_state_init(&st, tu_date("2026-08-17"));
	assert_true(pupil_state_apply(&st, &r, "luxe"));
	assert_int_equal(st.nregs, 1);
	assert_int_equal(st.regs[0].kind, DR_SICK);
	pupil_state_free(&st);
	r = tu_reg(cal, "student=s kind=sick authorized=yes date=2026-09-01");
	assert_int_equal(r.kind, KIND_SICK);
}

static void test_reason_calendar(void **state)
{
	const struct school_years *cal = *state;
	/* outside the school year */
	expect_reason(cal, "date", "date=2026-08-14", NULL, EV_OUTSIDE_SCHOOL_YEAR, "date", NULL);
	expect_reason(cal, "date", "date=2027-07-12", NULL, EV_OUTSIDE_SCHOOL_YEAR, "date", NULL);
	expect_reason(cal, "date", "date=2025-09-01", NULL, EV_OUTSIDE_SCHOOL_YEAR, "date", NULL);
	/* not a school day: weekend, holiday, closed day */
	expect_reason(cal, "date", "date=2026-09-05", NULL, EV_NOT_SCHOOL_DAY, "date", NULL);
	expect_reason(cal, "date", "date=2026-09-06", NULL, EV_NOT_SCHOOL_DAY, "date", NULL);
	expect_reason(cal, "date", "date=2026-10-14", NULL, EV_NOT_SCHOOL_DAY, "date", NULL);
	expect_reason(cal, "date", "date=2026-12-28", NULL, EV_NOT_SCHOOL_DAY, "date", NULL);
	expect_reason(cal, "date", "date=2027-03-29", NULL, EV_NOT_SCHOOL_DAY, "date", NULL);
	/* every day kind is checked */
	static const char *const day_kinds[] = {"kind=sick", "kind=present", "kind=concern"};
	for (size_t i = 0; i < 3; i++) {
		struct registration r;
		struct event_error err;
		char spec[128];
		snprintf(spec, sizeof spec, "student=s %s date=2026-10-13", day_kinds[i]);
		assert_int_equal(tu_parse(cal, spec, &r, &err), -1);
		assert_int_equal(err.reason, EV_NOT_SCHOOL_DAY);
		snprintf(spec, sizeof spec, "student=s %s date=2027-08-02", day_kinds[i]);
		assert_int_equal(tu_parse(cal, spec, &r, &err), -1);
		assert_int_equal(err.reason, EV_OUTSIDE_SCHOOL_YEAR);
	}
	assert_int_equal(reason_of(cal, "kind=absent authorized=no date=2026-10-13"),
			 EV_NOT_SCHOOL_DAY);
	assert_int_equal(reason_of(cal, "kind=late minutes=5 date=2026-10-13"), EV_NOT_SCHOOL_DAY);
	/* a school's own study day: not a school day for that school only */
	struct registration r;
	struct event_error err;
	assert_int_equal(tu_parse(cal, "student=s kind=sick school=01AB date=2026-11-20", &r, &err),
			 -1);
	assert_int_equal(err.reason, EV_NOT_SCHOOL_DAY);
	assert_string_equal(err.field, "date");
	assert_int_equal(reason_of(cal, "kind=sick school=01AC date=2026-11-20"), EV_OK);
	assert_int_equal(reason_of(cal, "kind=sick school=01AB date=2026-11-19"), EV_OK);
	/* without a calendar, no calendar checks */
	assert_int_equal(reason_of(NULL, "kind=sick date=2026-09-05"), EV_OK);
	assert_int_equal(reason_of(NULL, "kind=sick date=2030-01-01"), EV_OK);
}

static void test_enrol_unenrol_dates(void **state)
{
	const struct school_years *cal = *state;
	/* enrol before the first day is accepted, also long before */
	struct registration r = tu_reg(cal, "student=s kind=enrol date=2026-08-10");
	assert_int_equal(r.date, tu_date("2026-08-10"));
	assert_int_equal(reason_of(cal, "kind=enrol date=2025-06-01"), EV_OK);
	/* any day of the year, also a weekend or holiday */
	assert_int_equal(reason_of(cal, "kind=enrol date=2026-10-14"), EV_OK);
	assert_int_equal(reason_of(cal, "kind=enrol date=2027-07-09"), EV_OK);
	struct event_error err;
	assert_int_equal(tu_parse(cal, "student=s kind=enrol date=2027-07-10", &r, &err), -1);
	assert_int_equal(err.reason, EV_OUTSIDE_SCHOOL_YEAR);
	assert_string_equal(err.field, "date");
	/* unenrol: only inside the year */
	assert_int_equal(reason_of(cal, "kind=unenrol date=2026-08-17"), EV_OK);
	assert_int_equal(reason_of(cal, "kind=unenrol date=2027-07-09"), EV_OK);
	assert_int_equal(reason_of(cal, "kind=unenrol date=2026-12-26"), EV_OK);
	assert_int_equal(reason_of(cal, "kind=unenrol date=2026-08-16"), EV_OUTSIDE_SCHOOL_YEAR);
	assert_int_equal(reason_of(cal, "kind=unenrol date=2027-07-10"), EV_OUTSIDE_SCHOOL_YEAR);
}

/* Several faults: the first in the fixed validation order wins. */
static void test_validation_order(void **state)
{
	const struct school_years *cal = *state;
	assert_int_equal(reason_of(cal, "kind=nope student=p/1 school=x date=x"), EV_UNKNOWN_KIND);
	assert_int_equal(reason_of(cal, "kind=sick student=p/1 school=x date=x"), EV_BAD_STUDENT);
	assert_int_equal(reason_of(cal, "kind=sick school=x sector=x date=x"), EV_BAD_SCHOOL);
	assert_int_equal(reason_of(cal, "kind=absent sector=x date=x period=99"), EV_BAD_SECTOR);
	assert_int_equal(reason_of(cal, "kind=absent date=2026-09-05 period=99"), EV_BAD_PERIOD);
	assert_int_equal(reason_of(cal, "kind=absent date=2026-09-05 minutes=0"), EV_BAD_MINUTES);
	assert_int_equal(reason_of(cal, "kind=absent date=2026-09-05"), EV_MISSING_AUTHORIZED);
	assert_int_equal(reason_of(cal, "kind=sick date=2026-09-05 birth_date=x"),
			 EV_BAD_BIRTH_DATE);
	assert_int_equal(reason_of(cal, "kind=sick date=2026-09-05 zzz=1"), EV_UNKNOWN_FIELD);
}

static void test_reason_codes_are_stable(void **state)
{
	(void)state;
	static const char *const expected[EV_REASON_COUNT] = {
		"ok",
		"bad_encoding",
		"missing_field",
		"unknown_field",
		"duplicate_field",
		"field_too_long",
		"bad_version",
		"unknown_kind",
		"bad_student",
		"bad_school",
		"bad_sector",
		"bad_date",
		"bad_recorded_at",
		"bad_period",
		"bad_minutes",
		"missing_minutes",
		"bad_authorized",
		"missing_authorized",
		"bad_birth_date",
		"outside_school_year",
		"not_school_day",
	};
	assert_int_equal(EV_REASON_COUNT, 21);
	for (int i = 0; i < EV_REASON_COUNT; i++)
		assert_string_equal(event_reason_code((enum event_reason)i), expected[i]);
	assert_int_equal(EV_OK, 0);
	assert_int_equal(EV_NOT_SCHOOL_DAY, 20);
	assert_string_equal(event_reason_code(EV_REASON_COUNT), "unknown");
	assert_string_equal(event_reason_code((enum event_reason)-1), "unknown");

	static const char *const kinds[KIND_COUNT] = {"absent", "sick",   "late",   "present",
						      "concern", "enrol", "unenrol"};
	for (int i = 0; i < KIND_COUNT; i++)
		assert_string_equal(reg_kind_name((enum reg_kind)i), kinds[i]);
	assert_string_equal(reg_kind_name(KIND_COUNT), "unknown");
	static const char *const sectors[SECTOR_COUNT] = {"po", "so", "vo", "vso", "mbo"};
	for (int i = 0; i < SECTOR_COUNT; i++)
		assert_string_equal(sector_name((enum sector)i), sectors[i]);
	assert_string_equal(sector_name(SECTOR_COUNT), "unknown");
	assert_true(reg_kind_is_day(KIND_ABSENT));
	assert_true(reg_kind_is_day(KIND_CONCERN));
	assert_false(reg_kind_is_day(KIND_ENROL));
	assert_false(reg_kind_is_day(KIND_UNENROL));
}

static void test_event_error_set(void **state)
{
	(void)state;
	struct event_error err;
	assert_int_equal(event_error_set(&err, EV_BAD_ENCODING, "line", "not JSON (%d)", 7), -1);
	assert_int_equal(err.reason, EV_BAD_ENCODING);
	assert_string_equal(err.field, "line");
	assert_string_equal(err.message, "not JSON (7)");
	assert_int_equal(event_error_set(&err, EV_MISSING_FIELD, NULL, "x"), -1);
	assert_string_equal(err.field, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_base_is_valid, setup_cal, teardown_cal),
		cmocka_unit_test_setup_teardown(test_every_kind_valid, setup_cal, teardown_cal),
		cmocka_unit_test_setup_teardown(test_reason_missing_field, setup_cal, teardown_cal),
		cmocka_unit_test_setup_teardown(test_reason_envelope, setup_cal, teardown_cal),
		cmocka_unit_test_setup_teardown(test_reason_identity, setup_cal, teardown_cal),
		cmocka_unit_test_setup_teardown(test_reason_dates, setup_cal, teardown_cal),
		cmocka_unit_test_setup_teardown(test_reason_kind_fields, setup_cal, teardown_cal),
		cmocka_unit_test_setup_teardown(test_sick_authorized_no_is_accepted, setup_cal,
						teardown_cal),
		cmocka_unit_test_setup_teardown(test_reason_calendar, setup_cal, teardown_cal),
		cmocka_unit_test_setup_teardown(test_enrol_unenrol_dates, setup_cal, teardown_cal),
		cmocka_unit_test_setup_teardown(test_validation_order, setup_cal, teardown_cal),
		cmocka_unit_test(test_reason_codes_are_stable),
		cmocka_unit_test(test_event_error_set),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
