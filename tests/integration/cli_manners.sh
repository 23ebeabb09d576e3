#!/bin/sh
# The command line's manners: an invalid value is named and exits 2;
# --version; journald prefixes only off a terminal; unreadable files are
# named; the default configuration follows the install prefix; tasks --show
# prints a fixed order in local time; send survives Redis going away and
# tells invalid lines (2) from refused entries (3) and a lost connection (4).
#   cli_manners.sh BIN SRC SYSCONFDIR
BIN=$1 SRC=$2 SYSCONFDIR=$3
. "$SRC/tests/integration/lib.sh"
start_redis

# expect_usage DESCRIPTION PATTERN COMMAND...: exit 2 and stderr matching PATTERN
expect_usage() {
	desc=$1 pattern=$2; shift 2
	rc=0
	"$@" >"$WORK/out" 2>"$WORK/err" || rc=$?
	if [ "$rc" = 2 ] && grep -q -- "$pattern" "$WORK/err"; then
		ok "$desc"
	else
		not_ok "$desc (exit $rc, stderr: $(head -c 300 "$WORK/err"))"
	fi
}
R="--redis $SOCK"
# shellcheck disable=SC2086
{
expect_usage "tasks --state bogus" "--state: 'bogus' is not one of open, overdue, acked, all" "$VS" tasks $R --state bogus
check "... and prints no table" test ! -s "$WORK/out"
expect_usage "tasks --delivery bogus" "--delivery: 'bogus' is not one of" "$VS" tasks $R --delivery bogus
expect_usage "tasks --rule bogus" "--rule: 'bogus' is not one of first_month" "$VS" tasks $R --rule bogus
expect_usage "ack --outcome klaar" "--outcome: 'klaar' is not one of planned" "$VS" ack $R T1 --partner school --outcome klaar
expect_usage "ack without --partner" "--partner ID is required" "$VS" ack $R T1 --outcome "done"
expect_usage "ack without a task" "expected a TASK-ID" "$VS" ack $R --partner school --outcome "done"
expect_usage "redeliver without --partner" "--partner ID is required" "$VS" redeliver $R
expect_usage "audit without --student or --task" "--student KEY or --task TASK-ID is required" "$VS" audit $R
expect_usage "status --wait abc" "--wait: expected a whole number from 0 to 86400, not 'abc'" "$VS" status $R --wait abc
expect_usage "status --interval 5" "--interval: expected a whole number from 10 to 10000, not '5'" "$VS" status $R --interval 5
expect_usage "status --partitions 0" "--partitions: expected a whole number from 1 to 1024, not '0'" "$VS" status $R --partitions 0
expect_usage "send --format xml" "--format: 'xml' is not one of jsonl, csv" "$VS" send $R --format xml /dev/null
expect_usage "send --partitions x" "--partitions: expected a whole number" "$VS" send $R --partitions x /dev/null
expect_usage "replay --until 2026-13-01" "--until: expected a date YYYY-MM-DD, not '2026-13-01'" \
	"$VS" replay --config "$SRC/config/vroegsignaal.json" --until 2026-13-01 /dev/null
expect_usage "replay without --config" "--config FILE is required" "$VS" replay /dev/null
expect_usage "generate --pupils 0" "--pupils: expected a number" "$VS" generate --config "$SRC/config/vroegsignaal.json" --pupils 0
expect_usage "dead --reason bogus" "--reason: 'bogus' is not one of bad_encoding" "$VS" dead $R list --reason bogus
expect_usage "dead bogus" "the action: 'bogus' is not one of list, requeue" "$VS" dead $R bogus
expect_usage "quarantine release with a bad date" "expected a date YYYY-MM-DD, not '2027-02-30'" "$VS" quarantine $R release 01AB 2027-02-30
expect_usage "closure frobnicate" "the action: 'frobnicate' is not one of add, list" "$VS" closure $R frobnicate
expect_usage "an unknown option" "unrecognized option" "$VS" tasks $R --bogus
expect_usage "an unknown command" "unknown command 'bogus'" "$VS" bogus
expect_usage "vroegsignaald --bogus" "unrecognized option" "$VSD" --bogus
expect_usage "vroegsignaald with a stray argument" "unexpected argument 'extra'" "$VSD" extra
}

# --version, both programs, the project's version
version=$(sed -n 's/^project(vroegsignaal VERSION \([0-9.]*\).*/\1/p' "$SRC/CMakeLists.txt")
check "vroegsignaald --version says $version" test "$("$VSD" --version)" = "vroegsignaald $version"
check "vroegsignaal --version says $version" test "$("$VS" --version)" = "vroegsignaal $version"

# the default configuration follows the install prefix
want="$SYSCONFDIR/vroegsignaal/vroegsignaal.json"
check "vroegsignaald's default configuration is $want" sh -c "'$VSD' --help | grep -qF '(default $want)'"

# journald priority prefixes: off a terminal yes, on a terminal no, under journald yes
config bad
sed -i "s|\"redis\": {|\"redis\": {\"password_file\": \"$WORK/no-such.secret\", |" "$WORK/bad.json"
"$VSD" --config "$WORK/bad.json" --check >/dev/null 2>"$WORK/file.err" || true
check "to a file the daemon's lines carry <3>" grep -q '^<3>invalid configuration' "$WORK/file.err"
check "'cannot read the file' names the file" grep -qF "redis.password_file: cannot read the file $WORK/no-such.secret" "$WORK/file.err"
env -u JOURNAL_STREAM script -qec "'$VSD' --config '$WORK/bad.json' --check" /dev/null >"$WORK/tty.out" 2>&1 || true
check "on a terminal no <3> prefix" sh -c "! grep -q '<[0-9]>' '$WORK/tty.out'"
check "... but the error says it is one" grep -q 'error: invalid configuration' "$WORK/tty.out"
JOURNAL_STREAM=8:12345 script -qec "'$VSD' --config '$WORK/bad.json' --check" /dev/null >"$WORK/journal.out" 2>&1 || true
check "with JOURNAL_STREAM set the prefix stays" grep -q '<3>invalid configuration' "$WORK/journal.out"

# tasks --show: a fixed order (Redis returns hash fields in any order) and local time
rcli HSET 'vs:{0}:task:T-SHOW' json '{"rule":"mazl"}' school.delivery delivered zz 1 \
	created_ms 1789200000000 partners school student S-SHOW school.role school \
	school.due 1800000000000 school.state open >/dev/null
TZ=Europe/Amsterdam "$VS" tasks --redis "$SOCK" --show T-SHOW >"$WORK/show" 2>&1
cat >"$WORK/show.want" <<'OUT'
task T-SHOW
partition 0
  student: S-SHOW
  created_ms: 2026-09-12 10:00:00 +0200
  partners: school
  school.role: school
  school.state: open
  school.due: 2027-01-15 09:00:00 +0100
  school.delivery: delivered
  zz: 1
  json: {"rule":"mazl"}
OUT
check "tasks --show: fixed order, local time" cmp -s "$WORK/show" "$WORK/show.want"
TZ=UTC "$VS" tasks --redis "$SOCK" --show T-SHOW >"$WORK/show.utc" 2>&1
check "tasks --show follows TZ" grep -q 'created_ms: 2026-09-12 08:00:00 +0000' "$WORK/show.utc"

# send: invalid lines (2), entries Redis refused (3)
head -300 "$SRC/config/sample/events.jsonl" >"$WORK/ev300.jsonl"
{ head -100 "$WORK/ev300.jsonl"; echo '{"v":1,"id":"x"}'; } >"$WORK/invalid.jsonl"
rc=0; "$VS" send --redis "$SOCK" "$WORK/invalid.jsonl" 2>"$WORK/send.err" || rc=$?
check "send: an invalid line exits 2 ($rc)" test "$rc" = 2
rcli FLUSHALL >/dev/null
rcli SET 'vs:{0}:events' 'not a stream' >/dev/null
rc=0; "$VS" send --redis "$SOCK" --partitions 2 "$WORK/ev300.jsonl" 2>"$WORK/send.err" || rc=$?
check "send: entries Redis refused exit 3 ($rc)" test "$rc" = 3
check "... named on stderr" grep -q 'redis refused an entry: WRONGTYPE' "$WORK/send.err"
check "... the rest is stored" test "$(rcli XLEN 'vs:{1}:events')" -gt 0

# send: Redis goes away mid-file. A stand-in server on a unix socket answers
# the first 1500 XADDs, reads what else comes for a moment and closes.
FAKE="$WORK/fake.sock"
"$VS" generate --config "$SRC/config/vroegsignaal.json" --pupils 300 --seed 3 2>/dev/null | head -3500 >"$WORK/ev3500.jsonl"
"$PY" - "$FAKE" 1500 <<'PYEOF' 2>"$WORK/fake.log" &
import socket, sys, os
path, answer = sys.argv[1], int(sys.argv[2])
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path); srv.listen(1)
open(path + ".ready", "w").close()
conn, _ = srv.accept()
buf = b""; answered = 0
def command():
    """One complete RESP command from buf, or None."""
    global buf
    if not buf.startswith(b"*") or b"\r\n" not in buf: return None
    head, rest = buf.split(b"\r\n", 1)
    n = int(head[1:]); pos = 0
    for _ in range(n):
        end = rest.find(b"\r\n", pos)
        if end < 0: return None
        ln = int(rest[pos + 1:end]); pos = end + 2 + ln + 2
        if pos > len(rest): return None
    buf = rest[pos:]; return True
while answered < answer:
    data = conn.recv(65536)
    if not data: break
    buf += data
    out = b""
    while answered < answer and command():
        answered += 1; out += b"$3\r\n1-1\r\n"
    conn.sendall(out)
conn.settimeout(0.5)
try:
    while conn.recv(65536): pass
except socket.timeout: pass
conn.close()
PYEOF
PEER_PIDS="$PEER_PIDS $!"
wait_for 10 test -e "$FAKE.ready"
rc=0; "$VS" send --redis "$FAKE" "$WORK/ev3500.jsonl" 2>"$WORK/lost.err" || rc=$?
check "send: a lost connection exits 4, not by SIGPIPE ($rc)" test "$rc" = 4
check "... and says what was stored and what not" \
	grep -q 'connection to redis was lost: 1500 line(s) stored, 500 sent without a reply (perhaps stored), 0 refused, 0 invalid; from line 2001 on (1500 line(s)) nothing was sent' "$WORK/lost.err"

# a server that closes at once (twice): the first write fails (EPIPE, SIGPIPE ignored)
rm -f "$FAKE" "$FAKE.ready"
"$PY" - "$FAKE" <<'PYEOF' &
import socket, sys
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(sys.argv[1]); srv.listen(1)
open(sys.argv[1] + ".ready", "w").close()
for _ in range(2):
    conn, _ = srv.accept(); conn.close()
PYEOF
PEER_PIDS="$PEER_PIDS $!"
wait_for 10 test -e "$FAKE.ready"
rc=0; "$VS" send --redis "$FAKE" "$WORK/ev3500.jsonl" 2>"$WORK/pipe.err" || rc=$?
check "send: a server that closes at once: exit 4 with a summary ($rc)" \
	sh -c "[ '$rc' = 4 ] && grep -q 'connection to redis was lost: 0 line(s) stored' '$WORK/pipe.err'"
# from a pipe, which may never end, the rest is not read to be counted
rc=0; cat "$WORK/ev3500.jsonl" | "$VS" send --redis "$FAKE" - 2>"$WORK/pipe2.err" || rc=$?
check "send from a pipe: exit 4, the first line not sent named ($rc)" \
	sh -c "[ '$rc' = 4 ] && grep -q 'from line 1001 on nothing was sent' '$WORK/pipe2.err'"
finish
