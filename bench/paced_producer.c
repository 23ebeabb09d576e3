/*
 * paced_producer: the load and the measurement of bench/latency.sh.
 *
 *   paced_producer produce SOCKET RATE SECONDS EVERY DATE OUT
 *   paced_producer match SOCKET OUT
 *
 * produce XADDs registrations to vs:{0}:events at RATE per second for
 * SECONDS, on a fixed schedule (about every millisecond, dithered, it sends
 * what is due, so lateness never accumulates), all dated DATE (a school day). Every EVERY-th
 * registration is a `concern` for a pupil of its own (lat-c0000001, ...):
 * mazl concern raises a task for it at once, exactly one. The others are
 * background for a pool of 20,000 pupils (lat-b00000...): authorised absent
 * lesson hours, authorised late arrivals and `present` hours, which raise no
 * task at this date (no 16-hour count: authorised; no attendance tier:
 * fewer than 20 school days; no first_month: never half a day absent
 * twice). OUT gets one line per concern: "student event_ms", event_ms being
 * the millisecond part of the stream id Redis gave the entry.
 *
 * match reads vs:{0}:tasks and pairs every `mazl concern` task with its
 * concern (by student); the latency is the task entry's stream id ms (the
 * commit, stamped by Redis inside the commit script) minus the event entry's
 * id ms (stamped by Redis at XADD): same clock, 1 ms resolution. Prints the
 * number of samples, concerns without a task, p50, p90, p99, p99.9, max and
 * the mean, in ms.
 */
#include <errno.h>
#include <hiredis/hiredis.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define POOL 20000
#define STREAM "vs:{0}:events"
#define TASKS "vs:{0}:tasks"

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static redisContext *connect_unix(const char *path)
{
	redisContext *c = redisConnectUnix(path);
	if (!c || c->err) {
		fprintf(stderr, "paced_producer: cannot connect to %s: %s\n", path,
			c ? c->errstr : "no memory");
		exit(1);
	}
	return c;
}

static const char *const schools[] = {"02AC", "03AD", "04AE", "05AF"};
static const char *const sectors[] = {"po", "vo", "mbo", "vo"};

/* Appends the XADD of registration number i. Returns 1 for a concern. */
static int append_registration(redisContext *c, unsigned long i, int every, const char *date,
			       unsigned long *nconcern)
{
	char id[32], student[32], period[8], minutes[8], recorded[40];
	snprintf(id, sizeof id, "lat-%lu", i);
	snprintf(recorded, sizeof recorded, "%sT08:00:00+02:00", date);
	const char *argv[32];
	int n = 0;
	argv[n++] = "XADD";
	argv[n++] = STREAM;
	argv[n++] = "*";
	argv[n++] = "v";
	argv[n++] = "1";
	argv[n++] = "id";
	argv[n++] = id;
	argv[n++] = "student";
	argv[n++] = student;
	int concern = every > 0 && i % (unsigned long)every == 0;
	unsigned pupil = (unsigned)((i * 7919u) % POOL);
	argv[n++] = "school";
	argv[n++] = schools[concern ? 0 : pupil % 4];
	argv[n++] = "sector";
	argv[n++] = sectors[concern ? 0 : pupil % 4];
	argv[n++] = "date";
	argv[n++] = date;
	argv[n++] = "recorded_at";
	argv[n++] = recorded;
	argv[n++] = "kind";
	if (concern) {
		snprintf(student, sizeof student, "lat-c%07lu", ++*nconcern);
		argv[n++] = "concern";
	} else {
		snprintf(student, sizeof student, "lat-b%05u", pupil);
		snprintf(period, sizeof period, "%lu", 1 + (i / 3) % 8);
		switch (i % 3) {
		case 0:
			argv[n++] = "absent";
			argv[n++] = "period";
			argv[n++] = period;
			argv[n++] = "authorized";
			argv[n++] = "yes";
			argv[n++] = "reason";
			argv[n++] = "arts";
			break;
		case 1:
			snprintf(minutes, sizeof minutes, "%lu", 5 + i % 16);
			argv[n++] = "late";
			argv[n++] = "minutes";
			argv[n++] = minutes;
			argv[n++] = "authorized";
			argv[n++] = "yes";
			break;
		default:
			argv[n++] = "present";
			argv[n++] = "period";
			argv[n++] = period;
			break;
		}
	}
	if (redisAppendCommandArgv(c, n, argv, NULL) != REDIS_OK) {
		fprintf(stderr, "paced_producer: %s\n", c->errstr);
		exit(1);
	}
	return concern;
}

static int produce(int argc, char **argv)
{
	if (argc != 8) {
		fprintf(stderr, "usage: paced_producer produce SOCKET RATE SECONDS EVERY DATE OUT\n");
		return 1;
	}
	redisContext *c = connect_unix(argv[2]);
	double rate = atof(argv[3]), seconds = atof(argv[4]);
	int every = atoi(argv[5]);
	const char *date = argv[6];
	FILE *out = fopen(argv[7], "w");
	if (!out || rate <= 0 || seconds <= 0) {
		fprintf(stderr, "paced_producer: bad arguments or cannot write %s\n", argv[7]);
		return 1;
	}
	unsigned long total = (unsigned long)(rate * seconds), sent = 0, nconcern = 0;
	double worst_behind = 0;
	double t0 = mono_s();
	struct timespec next;
	clock_gettime(CLOCK_MONOTONIC, &next);
	int *is_concern = malloc(sizeof *is_concern * 4096);
	uint64_t rng = 0x9e3779b97f4a7c15u;
	while (sent < total) {
		double el = mono_s() - t0;
		unsigned long due = (unsigned long)(el * rate) + 1;
		if (due > total)
			due = total;
		int k = 0;
		unsigned long first = nconcern;
		for (; sent < due && k < 4096; sent++, k++)
			is_concern[k] = append_registration(c, sent, every, date, &nconcern);
		unsigned long cno = first;
		for (int j = 0; j < k; j++) {
			redisReply *r = NULL;
			if (redisGetReply(c, (void **)&r) != REDIS_OK || !r ||
			    r->type != REDIS_REPLY_STRING) {
				fprintf(stderr, "paced_producer: XADD failed: %s\n",
					r && r->type == REDIS_REPLY_ERROR ? r->str : c->errstr);
				return 1;
			}
			if (is_concern[j])
				fprintf(out, "lat-c%07lu %lld\n", ++cno, strtoll(r->str, NULL, 10));
			freeReplyObject(r);
		}
		double behind = (mono_s() - t0) - (double)sent / rate;
		if (behind > worst_behind)
			worst_behind = behind;
		/* sleep 0.5..1.5 ms (xorshift): the send times fall at every phase
		 * of Redis' millisecond clock, so the 1 ms quantisation of the
		 * stream ids averages out instead of biasing a whole run */
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		next.tv_nsec += 500000 + (long)(rng % 1000000);
		if (next.tv_nsec >= 1000000000) {
			next.tv_sec++;
			next.tv_nsec -= 1000000000;
		}
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > next.tv_sec + 1) /* far behind: do not try to catch up ticks */
			next = now;
	}
	double el = mono_s() - t0;
	fclose(out);
	printf("produced %lu registrations (%lu concerns) in %.2f s: %.0f/s, at most %.1f ms "
	       "behind schedule\n",
	       sent, nconcern, el, (double)sent / el, worst_behind * 1000);
	free(is_concern);
	redisFree(c);
	return 0;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

static const char *field(redisReply *f, const char *name)
{
	for (size_t i = 0; i + 1 < f->elements; i += 2)
		if (strcmp(f->element[i]->str, name) == 0)
			return f->element[i + 1]->str;
	return NULL;
}

static int match(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: paced_producer match SOCKET OUT\n");
		return 1;
	}
	FILE *in = fopen(argv[3], "r");
	if (!in) {
		fprintf(stderr, "paced_producer: cannot read %s\n", argv[3]);
		return 1;
	}
	size_t n = 0, cap = 1024;
	long long *sent_ms = malloc(cap * sizeof *sent_ms);
	char student[64];
	long long ms;
	while (fscanf(in, "%63s %lld", student, &ms) == 2) {
		unsigned long no = strtoul(student + 5, NULL, 10);
		if (no == 0)
			continue;
		while (no >= cap) {
			cap *= 2;
			sent_ms = realloc(sent_ms, cap * sizeof *sent_ms);
		}
		for (; n <= no; n++)
			sent_ms[n] = -1;
		sent_ms[no] = ms;
	}
	fclose(in);
	long long *lat = calloc(n ? n : 1, sizeof *lat);
	size_t nlat = 0, dup = 0, other = 0;
	unsigned char *seen = calloc(n ? n : 1, 1);
	redisContext *c = connect_unix(argv[2]);
	char start[64] = "-";
	for (;;) {
		redisReply *r = redisCommand(c, "XRANGE %s %s + COUNT 1000", TASKS, start);
		if (!r || r->type != REDIS_REPLY_ARRAY) {
			fprintf(stderr, "paced_producer: XRANGE failed\n");
			return 1;
		}
		for (size_t i = 0; i < r->elements; i++) {
			redisReply *e = r->element[i];
			const char *rule = field(e->element[1], "rule");
			const char *trig = field(e->element[1], "trigger");
			const char *st = field(e->element[1], "student");
			if (!rule || !trig || !st || strcmp(rule, "mazl") || strcmp(trig, "concern") ||
			    strncmp(st, "lat-c", 5)) {
				other++;
				continue;
			}
			unsigned long no = strtoul(st + 5, NULL, 10);
			if (no >= n || sent_ms[no] < 0)
				continue;
			if (seen[no]++) {
				dup++;
				continue;
			}
			lat[nlat++] = strtoll(e->element[0]->str, NULL, 10) - sent_ms[no];
		}
		size_t got = r->elements;
		if (got)
			snprintf(start, sizeof start, "(%s", r->element[got - 1]->element[0]->str);
		freeReplyObject(r);
		if (got < 1000)
			break;
	}
	size_t concerns = 0;
	for (size_t i = 1; i < n; i++)
		concerns += sent_ms[i] >= 0;
	if (nlat == 0) {
		printf("no samples (%zu concerns sent, %zu other tasks)\n", concerns, other);
		return 1;
	}
	qsort(lat, nlat, sizeof *lat, cmp_ll);
	double sum = 0;
	for (size_t i = 0; i < nlat; i++)
		sum += (double)lat[i];
#define PCT(p) lat[(size_t)((p) * (double)nlat + 0.999999) - 1 < nlat ? (size_t)((p) * (double)nlat + 0.999999) - 1 : nlat - 1]
	printf("samples %zu missing %zu duplicates %zu other_tasks %zu p50 %lld p90 %lld p99 %lld "
	       "p999 %lld max %lld mean %.2f\n",
	       nlat, concerns - nlat, dup, other, PCT(0.50), PCT(0.90), PCT(0.99), PCT(0.999),
	       lat[nlat - 1], sum / (double)nlat);
	redisFree(c);
	free(lat);
	free(seen);
	free(sent_ms);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "produce") == 0)
		return produce(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "match") == 0)
		return match(argc, argv);
	fprintf(stderr, "usage: paced_producer produce SOCKET RATE SECONDS EVERY DATE OUT\n"
			"       paced_producer match SOCKET OUT\n");
	return 1;
}
