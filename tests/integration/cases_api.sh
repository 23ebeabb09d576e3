#!/bin/sh
# The partner API's cases (issue 10): GET /v1/cases and GET /v1/tasks (each
# state filter: open, overdue, in_progress, closed) page a partner's cases
# over every partition with a cursor (nothing missed, nothing repeated, ties
# in opening time included), each state filter, GET /v1/cases/{id} with its
# items, and another partner's case (403), an unknown one (404). The cases
# are written into Redis as store/lua/cases.lua writes them (synthetic).
BIN=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
PY=/usr/bin/python3
for p in school leerplicht; do printf 'token-%s-0123456789abcdef\n' "$p" >"$WORK/$p.token"; done
start_redis
part() { # partner
	printf '{"id": "%s", "role": "%s", "schools": ["*"], "token_file": "%s", "connector": {"type": "file", "path": "%s"}, "legal_basis": "Leerplichtwet 1969"}' \
		"$1" "$1" "$WORK/$1.token" "$WORK/$1.jsonl"
}
config c ', "partitions": 2'
config_extend c <<JSON
, "http": {"listen": "127.0.0.1:0", "rate_per_s": 1000, "burst": 1000},
  "partners": [ $(part school), $(part leerplicht) ]
}
JSON
# 23 leerplicht cases over both partitions (some opened in the same ms), 2
# of the school's; states open (5 of them overdue), in_progress, closed
now=$(($(date +%s) * 1000))
$PY - "$now" >"$WORK/cmds" <<'PY'
import sys
now = int(sys.argv[1])
def cid(n): return "vs%016x" % (0xca5e0000 + n)
def tid(n): return "vs%016x" % (0x7a5c0000 + n)
for n in range(25):
    p = n % 2
    pid = "school" if n >= 23 else "leerplicht"
    pre = "vs:{%d}:" % p
    state = ["open", "in_progress", "closed"][n % 3]
    opened = now - 86400000 + (n // 4) * 1000   # four cases share each ms
    due = now - 3600000 if (state == "open" and n < 15) else now + 86400000
    print("HSET %scase:%s id %s partner %s student s%d topic attendance state %s task %s opened_ms %d last_signal_ms %d tasks 1 updates 1"
          % (pre, cid(n), cid(n), pid, n, state, tid(n), opened, opened))
    print("ZADD %scaseset:%s %d %s" % (pre, pid, opened, cid(n)))
    print("RPUSH %scaseitems:%s %s|task %s|update" % (pre, cid(n), tid(n), tid(100 + n)))
    print("HSET %stask:%s json {} %s.due %d %s.state open %s.delivery delivered"
          % (pre, tid(n), pid, due, pid, pid))
# and 30 open leerplicht tasks (besides the cases' 23) over both
# partitions, due in threes in the same ms, 10 of them overdue
for n in range(30):
    p = n % 2
    pre = "vs:{%d}:" % p
    t = "vs%016x" % (0x7a5d0000 + n)
    due = now - 7200000 + (n // 3) * 1000 if n < 10 else now + 3600000 + (n // 3) * 1000
    print('HSET %stask:%s json \'{"id":"%s","student":"u%d","school":"01AC","rule":"r"}\' leerplicht.due %d leerplicht.state open leerplicht.delivery delivered'
          % (pre, t, t, n, due))
    print("ZADD %sopen:leerplicht %d %s" % (pre, due, t))
# and 14 acknowledged ones: planned (in progress) and done (closed), two
# acknowledged in each ms
for n in range(14):
    p = n % 2
    pre = "vs:{%d}:" % p
    t = "vs%016x" % (0x7a5e0000 + n)
    outcome, index = ("planned", "progress") if n % 3 else ("done", "closed")
    print('HSET %stask:%s json \'{"id":"%s","student":"a%d","school":"01AC","rule":"r"}\' leerplicht.due %d leerplicht.state acked leerplicht.outcome %s leerplicht.delivery delivered'
          % (pre, t, t, n, now - 3600000, outcome))
    print("ZADD %s%s:leerplicht %d %s" % (pre, index, now - 60000 + (n // 2), t))
PY
rcli <"$WORK/cmds" >/dev/null
keys_watch
start_daemon c
listening() { grep -q 'http: listening on' "$WORK/c.log"; }
check "the daemon listens" wait_for 60 listening
PORT=$(sed -n 's/.*http: listening on 127.0.0.1 port \([0-9]*\).*/\1/p' "$WORK/c.log" | head -1)
TOKEN_L=$(cat "$WORK/leerplicht.token") TOKEN_S=$(cat "$WORK/school.token")
get() { # path token: the status, the body in $WORK/resp
	curl -s -o "$WORK/resp" -w '%{http_code}' -H "Authorization: Bearer $2" "http://127.0.0.1:$PORT$1"
}
# ready once its scripts are loaded (503 until then)
answers() { [ "$(get /v1/cases "$TOKEN_L")" = 200 ]; }
check "the API answers" wait_for 60 answers
# pages WHAT STATE LIMIT: every page of leerplicht's WHAT (cases or tasks)
# with that filter, following the cursor; the ids, one per line, in
# $WORK/ids, the number of pages in PAGES
pages() {
	: >"$WORK/ids"
	q="limit=$3${2:+&state=$2}"
	cur=""
	n=0
	while :; do
		code=$(get "/v1/$1?$q${cur:+&cursor=$cur}" "$TOKEN_L")
		[ "$code" = 200 ] || { echo "HTTP $code: $(cat "$WORK/resp")"; return 1; }
		cur=$($PY - "$WORK/resp" "$1" "$3" "$2" "$WORK/ids" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
what, want = sys.argv[2], sys.argv[4]
assert b["partner"] == "leerplicht" and len(b[what]) <= int(sys.argv[3]), b
with open(sys.argv[5], "a") as f:
    for c in b[what]:
        if what == "cases":
            assert want == "" or (want == "overdue" and c["overdue"]) or c["state"] == want, c
            assert c["student"] and c["opened_at"] and c["tasks"] == 1, c
        f.write(c["id"] + "\n")
print(b.get("next_cursor", ""))
PY
		) || return 1
		n=$((n + 1))
		[ -n "$cur" ] || break
		[ "$n" -lt 100 ] || { echo "too many pages"; return 1; }
	done
	PAGES=$n
}
# all_pages WHAT WANT LIMIT...: for every state filter and each limit, the
# pages of WHAT hold exactly the ids `WANT STATE` prints, none repeated
all_pages() {
	what=$1
	wantf=$2
	shift 2
	for f in "" open overdue in_progress closed; do
		for lim in "$@"; do
			if pages "$what" "$f" "$lim" >"$WORK/err" 2>&1; then
				sort "$WORK/ids" >"$WORK/got"
				"$wantf" "$f" | sort >"$WORK/want"
				if [ "$(sort -u "$WORK/ids" | wc -l)" -ne "$(wc -l <"$WORK/ids")" ]; then
					not_ok "$what state='$f' limit=$lim: an id repeated over $PAGES pages"
				elif cmp -s "$WORK/got" "$WORK/want"; then
					ok "$what state='$f' limit=$lim: all $(wc -l <"$WORK/want") in $PAGES pages, none repeated"
				else
					not_ok "$what state='$f' limit=$lim: got $(wc -l <"$WORK/got"): $(tr '\n' ' ' <"$WORK/got"), want $(wc -l <"$WORK/want"): $(tr '\n' ' ' <"$WORK/want")"
				fi
			else
				not_ok "$what state='$f' limit=$lim: $(cat "$WORK/err")"
			fi
		done
	done
}
# want STATE: the leerplicht case ids expected with that filter, sorted
want() {
	$PY - "$1" <<'PY'
import sys
w = sys.argv[1]
for n in range(23):
    state = ["open", "in_progress", "closed"][n % 3]
    od = state == "open" and n < 15
    if w == "" or (w == "overdue" and od) or w == state:
        print("vs%016x" % (0xca5e0000 + n))
PY
}
all_pages cases want 1 4 1000
# the tasks expected: the cases' opening tasks that are open (all 23 have an
# open task record but only those in open:leerplicht are listed) and the 30
twant() {
	$PY - "$1" <<'PY'
import sys
if sys.argv[1] in ("in_progress", "closed"):
    for n in range(14):
        if (n % 3 != 0) == (sys.argv[1] == "in_progress"):
            print("vs%016x" % (0x7a5e0000 + n))
    sys.exit(0)
for n in range(30):
    if sys.argv[1] == "" or sys.argv[1] == "open" or n < 10:
        print("vs%016x" % (0x7a5d0000 + n))
PY
}
all_pages tasks twant 1 7 1000
# expect DESCRIPTION STATUS PATH TOKEN
expect() {
	code=$(get "$3" "$4")
	if [ "$code" = "$2" ]; then ok "$1: $2"; else not_ok "$1: got $code, want $2 ($(cat "$WORK/resp"))"; fi
}
C0=vs00000000ca5e0000 C24=vs00000000ca5e0018
expect "one's own case" 200 "/v1/cases/$C0" "$TOKEN_L"
items() {
	$PY - "$WORK/resp" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
assert c["id"] == "vs00000000ca5e0000" and c["state"] == "open" and c["overdue"] is True, c
assert [(i["id"], i["kind"]) for i in c["items"]] == [("vs000000007a5c0000", "task"), ("vs000000007a5c0064", "update")], c
assert c["items"][0]["state"] == "open" and c["items"][0]["due_at"] and "state" not in c["items"][1], c
PY
}
check "... with its task and its update" items
expect "another partner's case" 403 "/v1/cases/$C24" "$TOKEN_L"
expect "... is the school's" 200 "/v1/cases/$C24" "$TOKEN_S"
expect "an unknown case" 404 "/v1/cases/vs00000000deadbeef" "$TOKEN_L"
expect "a malformed case id" 404 "/v1/cases/nope" "$TOKEN_L"
expect "no token" 401 "/v1/cases" ""
expect "an unknown query parameter" 400 "/v1/cases?staat=open" "$TOKEN_L"
expect "an unknown state" 422 "/v1/cases?state=acked" "$TOKEN_L"
expect "a malformed cursor" 422 "/v1/cases?cursor=9.x.y" "$TOKEN_L"
expect "a cursor past the partitions" 422 "/v1/cases?cursor=2.-inf." "$TOKEN_L"
expect "tasks: a malformed cursor" 422 "/v1/tasks?cursor=0.1.x" "$TOKEN_L"
expect "tasks: an unknown query parameter" 400 "/v1/tasks?cursr=0.-inf." "$TOKEN_L"
school() {
	$PY -c "import json,sys; b=json.load(open(sys.argv[1])); assert sorted(c['id'] for c in b['cases']) == ['vs00000000ca5e0017','vs00000000ca5e0018'] and 'next_cursor' not in b, b" "$WORK/resp"
}
expect "the school's cases" 200 "/v1/cases" "$TOKEN_S"
check "... only its own two, no cursor" school
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN_L" "http://127.0.0.1:$PORT/v1/cases")
check "POST /v1/cases: 405" test "$code" = 405
outcome() {
	get "/v1/tasks?state=closed&limit=1" "$TOKEN_L" >/dev/null
	$PY -c "import json,sys; b=json.load(open(sys.argv[1])); assert b['tasks'][0]['outcome'] == 'done', b" "$WORK/resp"
}
check "tasks: a closed task shows its outcome" outcome
keys_check "cases_api"
finish
