#!/bin/sh
# One case or more per Redis script (store/lua/), run alone with EVAL
# against a private redis-server: arguments in, keys and reply out, with the
# refusals (a lease that is not held: nothing written; a repeated entry:
# nothing written twice). scripts_atomic.sh covers the checks before a
# script's first write.
#   scripts_each.sh BIN SRC
BIN=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
start_redis --enable-debug-command local
keys_watch

P='vs:{0}:'
flat() { printf '%s' "$1" | tr -s '\n' ' ' | sed 's/ $//'; }
# ev NAME NUMKEYS ARGS...: the script's reply, its lines on one line
ev() { name=$1; shift; flat "$(rcli EVAL "$("$BIN/script_source" "$name")" "$@" 2>&1)"; }
# expect DESCRIPTION WANT GOT
expect() {
	if [ "$3" = "$2" ]; then ok "$1"; else not_ok "$1 (got '$3', want '$2')"; fi
}
# learn NAME NFIXED FIXED... -- ARGS...: a script that names the keys it
# needs ({"KEYS", key...}: CASEREAD, TRIM's cases mode) called as the daemon
# does, first with the fixed keys only, then adding those named each time;
# prints the reply and writes the number of calls to $WORK/calls
learn() {
	name=$1 nfixed=$2; shift 2
	fixed=""
	while [ "$1" != "--" ]; do fixed="$fixed $1"; shift; done
	shift
	extra="" CALLS=0
	while :; do
		CALLS=$((CALLS + 1))
		# shellcheck disable=SC2086
		got=$(ev "$name" $((nfixed + $(echo $extra | wc -w))) $fixed $extra "$@")
		case "$got" in "KEYS "*) [ $CALLS -lt 6 ] && extra="$extra ${got#KEYS }" && continue ;; esac
		break
	done
	echo "$CALLS" >"$WORK/calls"
	printf '%s\n' "$got"
}
fresh() { rcli FLUSHALL >/dev/null; rcli SET "${P}lease" tok >/dev/null; }
digest() { rcli DEBUG DIGEST; }
# lease_lost NAME NUMKEYS ARGS...: with the lease held by another token the
# script refuses with LEASE and writes nothing
lease_lost() {
	rcli SET "${P}lease" other >/dev/null
	before=$(digest)
	out=$(ev "$@")
	after=$(digest)
	case "$out" in
	*LEASE*) [ "$before" = "$after" ] && ok "$1: lease lost: refused, nothing written" ||
		not_ok "$1: lease lost: refused but the dataset changed" ;;
	*) not_ok "$1: lease lost: refused (reply: $out)" ;;
	esac
	rcli SET "${P}lease" tok >/dev/null
}

# ---- lease_take, lease_renew, lease_drop ----
rcli FLUSHALL >/dev/null
expect "lease_take: a free lease is taken" 1 "$(ev lease_take 1 "${P}lease" c1/a c1 5000)"
expect "lease_take: the lease holds the token" c1/a "$(rcli GET "${P}lease")"
expect "lease_take: another consumer's lease is not taken" 0 "$(ev lease_take 1 "${P}lease" c2/b c2 5000)"
expect "lease_take: ... and stays as it was" c1/a "$(rcli GET "${P}lease")"
expect "lease_take: our own lease of a previous life is taken back" 1 "$(ev lease_take 1 "${P}lease" c1/z c1 5000)"
expect "lease_take: ... with the new token" c1/z "$(rcli GET "${P}lease")"
expect "lease_renew: renewed with the token" 1 "$(ev lease_renew 1 "${P}lease" c1/z 90000)"
ttl=$(rcli PTTL "${P}lease")
[ "$ttl" -gt 5000 ] && ok "lease_renew: the ttl is extended ($ttl ms)" || not_ok "lease_renew: the ttl is extended ($ttl ms)"
expect "lease_renew: not with another token" 0 "$(ev lease_renew 1 "${P}lease" c2/b 90000)"
expect "lease_drop: not with another token" 0 "$(ev lease_drop 1 "${P}lease" c2/b)"
expect "lease_drop: ... the lease stays" c1/z "$(rcli GET "${P}lease")"
expect "lease_drop: dropped with the token" 1 "$(ev lease_drop 1 "${P}lease" c1/z)"
expect "lease_drop: ... the lease is gone" 0 "$(rcli EXISTS "${P}lease")"

# ---- trim: never past the oldest pending entry ----
fresh
rcli XGROUP CREATE "${P}events" rules 0 MKSTREAM >/dev/null
for id in 1-1 2-1 3-1; do rcli XADD "${P}events" $id f v >/dev/null; done
rcli XREADGROUP GROUP rules c COUNT 2 STREAMS "${P}events" '>' >/dev/null
rcli XACK "${P}events" rules 1-1 >/dev/null
expect "trim: removes the entries before the oldest pending one" 1 "$(ev trim 1 "${P}events" rules 99999999-0)"
expect "trim: ... keeping the pending one and the unread one" "2-1 3-1" \
	"$(flat "$(rcli XRANGE "${P}events" - + | grep -- '-1$')")"
expect "trim: not past the retention cutoff" 0 "$(ev trim 1 "${P}events" rules 1-0)"
# the events stream: never past the committed offset
fresh
for id in 1-1 2-1 3-1 4-1; do rcli XADD "${P}events" $id f v >/dev/null; done
expect "trim: no committed offset: nothing trimmed" 0 "$(ev trim 2 "${P}events" "${P}offset" offset 99999999-0)"
rcli HSET "${P}offset" id 3-1 >/dev/null
expect "trim: removes the entries before the committed offset" 2 "$(ev trim 2 "${P}events" "${P}offset" offset 99999999-0)"
expect "trim: ... keeping the last applied one and the unread one" "3-1 4-1" \
	"$(flat "$(rcli XRANGE "${P}events" - + | grep -- '-1$')")"
expect "trim: ... not past the retention cutoff" 0 "$(ev trim 2 "${P}events" "${P}offset" offset 1-0)"

# ---- resume: where a partition starts reading ----
resume() { ev resume 3 "${P}lease" "${P}offset" "${P}events" tok rules; }
fresh
lease_lost resume 3 "${P}lease" "${P}offset" "${P}events" tok rules
expect "resume: a new installation starts at 0-0, no start counted without entries" "0-0 0" "$(resume)"
rcli XADD "${P}events" 5-1 f v >/dev/null
expect "resume: a start with entries after the offset is counted" "0-0 1" "$(resume)"
expect "resume: ... and again" "0-0 2" "$(resume)"
expect "resume: ... in the offset's hash" "id 0-0 tries 2" "$(flat "$(rcli HGETALL "${P}offset")")"
# from the consumer group of earlier versions
fresh
for id in 5-1 6-0 7-1; do rcli XADD "${P}events" $id f v >/dev/null; done
rcli XGROUP CREATE "${P}events" rules 0 >/dev/null
rcli XREADGROUP GROUP rules c COUNT 3 STREAMS "${P}events" '>' >/dev/null
rcli XACK "${P}events" rules 5-1 >/dev/null
expect "resume: after the group's oldest pending entry's predecessor (seq 0: ms - 1)" \
	"5-18446744073709551615 1" "$(resume)"
fresh
for id in 5-1 6-3 7-1; do rcli XADD "${P}events" $id f v >/dev/null; done
rcli XGROUP CREATE "${P}events" rules 0 >/dev/null
rcli XREADGROUP GROUP rules c COUNT 3 STREAMS "${P}events" '>' >/dev/null
rcli XACK "${P}events" rules 5-1 >/dev/null
expect "resume: ... (seq > 0: seq - 1)" "6-2 1" "$(resume)"
rcli XACK "${P}events" rules 6-3 7-1 >/dev/null
rcli DEL "${P}offset" >/dev/null
expect "resume: none pending: after the group's last delivered id" "7-1 0" "$(resume)"
expect "resume: ... the group is left as it was" "rules" "$(rcli --raw XINFO GROUPS "${P}events" | sed -n 2p)"

# ---- commit ----
commit() { # ARGS after the keys (one counted date: 2026-09-01), read after $AFTER
	ev commit 10 "${P}lease" "${P}state" "${P}tasks" "${P}dead" "${P}offset" "${P}taskids:2026" \
		"${P}swept" "${P}daily" "${P}quarantined" "${P}daily:2026-09-01" tok "$AFTER" 99999999999999 "$@"
}
AFTER=4-1
fresh
rcli HSET "${P}offset" id 4-1 tries 3 >/dev/null
set -- 1 s1 rec1 1 8 id t1 rule mazl school 01AC date 2026-09-01 0 5-1 '' 2026-09-01 0 1 2026-09-01 01AC 3 0
lease_lost commit 10 "${P}lease" "${P}state" "${P}tasks" "${P}dead" "${P}offset" "${P}taskids:2026" \
	"${P}swept" "${P}daily" "${P}quarantined" "${P}daily:2026-09-01" tok 4-1 99999999999999 "$@"
expect "commit: one task created" 1 "$(commit "$@")"
expect "commit: the state is written" rec1 "$(rcli HGET "${P}state" s1)"
expect "commit: the task is on the tasks stream" 1 "$(rcli XLEN "${P}tasks")"
expect "commit: the offset moves to the last entry, its start count cleared" "id 5-1" \
	"$(flat "$(rcli HGETALL "${P}offset")")"
expect "commit: the swept marker is set" 2026-09-01 "$(rcli GET "${P}swept")"
expect "commit: the day counts the task by rule" 1 "$(rcli HGET "${P}daily:2026-09-01" r:mazl)"
expect "commit: the day counts the school's absences" 3 "$(rcli HGET "${P}daily:2026-09-01" g:01AC)"
before=$(digest)
case "$(commit "$@")" in
*STALE*) [ "$before" = "$(digest)" ] && ok "commit: read after an offset no longer committed: STALE, nothing written" ||
	not_ok "commit: read after an offset no longer committed: STALE but the dataset changed" ;;
*) not_ok "commit: read after an offset no longer committed: STALE" ;;
esac
AFTER=5-1
set -- 1 s1 rec1 1 8 id t1 rule mazl school 01AC date 2026-09-01 0 6-1 2 2026-09-01 0 1 2026-09-01 01AC 3 0
expect "commit: a repeated task is not written again" 0 "$(commit "$@")"
expect "commit: ... the tasks stream holds it once" 1 "$(rcli XLEN "${P}tasks")"
expect "commit: ... a start count given is written with the offset" "id 6-1 tries 2" \
	"$(flat "$(rcli HGETALL "${P}offset")")"
AFTER=6-1
expect "commit: ... \"0\" clears it, the offset unmoved" "0 id 6-1" \
	"$(commit 0 0 0 '' 0 '' 0 0) $(flat "$(rcli HGETALL "${P}offset")")"
AFTER=4-1
# every key it touches is declared: a counted date without its daily key is refused, unwritten
fresh
rcli HSET "${P}offset" id 4-1 >/dev/null
before=$(digest)
out=$(ev commit 9 "${P}lease" "${P}state" "${P}tasks" "${P}dead" "${P}offset" "${P}taskids:2026" \
	"${P}swept" "${P}daily" "${P}quarantined" tok 4-1 99999999999999 "$@")
case "$out" in
*"BADARGS the key ${P}daily:2026-09-01 is not in KEYS"*)
	[ "$before" = "$(digest)" ] && ok "commit: an undeclared day key: refused, nothing written" ||
		not_ok "commit: an undeclared day key: refused but the dataset changed" ;;
*) not_ok "commit: an undeclared day key: refused (reply: $out)" ;;
esac
# several states in one commit (one HSET), and a school day past its flood limit
fresh
rcli HSET "${P}offset" id 4-1 >/dev/null
expect "commit: three states, no task" 0 "$(commit 3 s1 r1 s2 r2 s3 r3 0 0 '' '' '' 0 1 2026-09-01 01AC 5 4)"
expect "commit: ... every state written" "r1 r2 r3" \
	"$(flat "$(rcli HMGET "${P}state" s1 s2 s3)")"
expect "commit: ... the school day past its limit is quarantined" "01AC|2026-09-01" \
	"$(rcli SMEMBERS "${P}quarantined")"
expect "commit: a second commit adds to the day's counts" 0 "$(commit 0 0 0 '' '' '' 0 1 2026-09-01 01AC 2 0)"
expect "commit: ... the absences counted in both" 7 "$(rcli HGET "${P}daily:2026-09-01" g:01AC)"
ttl=$(rcli PTTL "${P}daily:2026-09-01")
[ "$ttl" -gt 0 ] && ok "commit: ... the day hash expires ($ttl ms)" || not_ok "commit: ... the day hash expires ($ttl ms)"

# ---- accept, take, result, due, list, ack, redeliver: one task through ----
fresh
rcli XGROUP CREATE "${P}tasks" dispatch 0 MKSTREAM >/dev/null
rcli XADD "${P}tasks" 7-1 id t1 >/dev/null
rcli XREADGROUP GROUP dispatch c COUNT 1 STREAMS "${P}tasks" '>' >/dev/null
json='{"id":"t1","rule":"mazl","student":"s1","school":"01AC","date":"2026-09-01","kind":"task"}'
A6="${P}lease ${P}tasks ${P}due ${P}audit ${P}quarantine ${P}quarantined"
set -- "${P}task:t1" "${P}daily:2026-09-01" "${P}outbox:A" "${P}open:A" tok dispatch 1000 600000 1 \
	7-1 t1 "$json" s1 A school 01AC 2026-09-01 0 0 plain 1 A school 1500 0 basis id,rule "" "" "" 0
# shellcheck disable=SC2086 # the fixed keys split on purpose
lease_lost accept 10 $A6 "$@"
# shellcheck disable=SC2086
expect "accept: a key left out is refused" "BADARGS keys do not match the entries (9 given, 10 needed)" "$(shift 4; ev accept 9 $A6 \
	"${P}task:t1" "${P}daily:2026-09-01" "${P}outbox:A" "$@" | sed 's/.*\(BADARGS\)/\1/')"
# shellcheck disable=SC2086
expect "accept: the task is created" "1 0" "$(ev accept 10 $A6 "$@")"
# the member names as one byte each
v=$(rcli --raw HGET "${P}task:t1" j1)
expect "accept: the record's JSON in chunks of 64 bytes, each member name one byte" \
	"1 $(printf '{\001"t1",\003"mazl",\006"s1",\007"01AC",\011"2026-09-01",\002"task"}' | od -An -tx1 | tr -d ' \n')" \
	"$(rcli HGET "${P}task:t1" jk) $(printf '%s' "$v" | od -An -tx1 | tr -d ' \n')"
expect "accept: ... no chunk count of the previous layout" "" "$(rcli HGET "${P}task:t1" jn)"
expect "accept: ... and no .via or .attempts (absent: the primary connector, none failed)" "0 0" \
	"$(rcli HEXISTS "${P}task:t1" A.via) $(rcli HEXISTS "${P}task:t1" A.attempts)"
expect "accept: ... so the record is a listpack" listpack "$(rcli OBJECT ENCODING "${P}task:t1")"
expect "accept: the partner's outbox" "t1|task" "$(rcli ZRANGE "${P}outbox:A" 0 -1)"
expect "accept: the due time" "due|t1|A" "$(rcli ZRANGE "${P}due" 0 -1)"
expect "accept: the entry is acknowledged" 0 "$(flat "$(rcli XPENDING "${P}tasks" dispatch | head -1)")"
# shellcheck disable=SC2086
expect "accept: a repeated entry creates nothing" "0 0" "$(ev accept 10 $A6 "$@")"
expect "accept: ... one assignment in the audit" 1 "$(rcli XLEN "${P}audit")"

lease_lost take 3 "${P}lease" "${P}outbox:A" "${P}task:t1" tok A 1000 30000 't1|task'
expect "take: a member without its record's key is refused" "BADARGS one record key per member" \
	"$(ev take 2 "${P}lease" "${P}outbox:A" tok A 1000 30000 't1|task' | sed 's/.*\(ERR\)/\1/')"
expect "take: a member not due (changed since it was read) is passed over" "" \
	"$(ev take 3 "${P}lease" "${P}outbox:A" "${P}task:t1" tok A 999 30000 't1|task' | cut -d' ' -f1 | grep -v 1000)"
out=$(ev take 3 "${P}lease" "${P}outbox:A" "${P}task:t1" tok A 1000 30000 't1|task')
case "$out" in "t1|task $json 1500 primary 0 s1 1000"*) ok "take: the member and its record" ;;
*) not_ok "take: the member and its record (got '$out')" ;; esac
expect "take: the member is held while in flight" 31000 "$(rcli ZSCORE "${P}outbox:A" 't1|task')"
# a record written before the chunks (the whole JSON in "json") still reads
rcli HSET "${P}task:t0" json "$json" student s1 partners A created_ms 1000 A.state open A.due 1500 \
	A.via primary A.attempts 0 >/dev/null
rcli ZADD "${P}outbox:A" 900 't0|task' >/dev/null
out=$(ev take 3 "${P}lease" "${P}outbox:A" "${P}task:t0" tok A 1000 30000 't0|task')
case "$out" in "t0|task $json 1500 primary 0 s1 1000"*) ok "take: a record of the previous layout" ;;
*) not_ok "take: a record of the previous layout (got '$out')" ;; esac
rcli DEL "${P}task:t0" >/dev/null
rcli ZREM "${P}outbox:A" 't0|task' >/dev/null
# every name of the dictionary (store/lua/record.lua) through ACCEPT, read
# back by TAKE (Lua) and by `vroegsignaal tasks --show` (daemon/rdecode.c):
# the two dictionaries agree; a JSON with a raw control byte (not valid
# JSON) is kept as it is, its names written out ("jn")
json3='{"id":"t3","kind":"task","rule":"r","level":"l","trigger":"t","student":"s3","school":"01AC","sector":"vo","date":"2026-09-01","period_key":"p","created_at":"c","age":15,"window_hours":48,"facts":{"enrolled_days":1,"rate_pct":2,"persist_days":3,"missed_minutes":4,"full_day_minutes":5,"band_since":"b","window_first":"w","window_weeks":6,"sick_reports":7,"first_report":"f","window_last":"x","absent_days":8,"run_first":"y","days":9,"x\\"rule":"\\"rule\\":"},"escalates":"e","escalated_partner":"A","escalated_role":"school","refers":"z"}'
json4=$(printf '{"id":"t4","rule":"r\001"}')
for t in t3 t4; do
	if [ $t = t3 ]; then j=$json3; else j=$json4; fi
	rcli XADD "${P}tasks" "8-${t#t}" id $t >/dev/null
	rcli XREADGROUP GROUP dispatch c COUNT 1 STREAMS "${P}tasks" '>' >/dev/null
	# shellcheck disable=SC2086
	ev accept 10 $A6 "${P}task:$t" "${P}daily:2026-09-01" "${P}outbox:A" "${P}open:A" tok dispatch 1000 600000 1 \
		"8-${t#t}" $t "$j" s3 A school 01AC 2026-09-01 0 0 plain 1 A school 1500 0 basis id,rule "" "" "" 0 >/dev/null
	out=$(ev take 3 "${P}lease" "${P}outbox:A" "${P}task:$t" tok A 1000 30000 "$t|task")
	case "$out" in "$t|task $j 1500 primary 0 s3 1000"*) ok "take: $t's JSON as it was accepted" ;;
	*) not_ok "take: $t's JSON as it was accepted (got '$out')" ;; esac
	expect "tasks --show: $t's JSON as it was accepted" "  json: $j" \
		"$("$BIN/vroegsignaal" tasks --redis "$SOCK" --show $t 2>&1 | grep '^  json: ')"
	rcli ZREM "${P}outbox:A" "$t|task" "$t|reminder" >/dev/null
	rcli ZREM "${P}due" "due|$t|A" >/dev/null
done
expect "accept: t3's names one byte each (jk), t4's kept as they are (jn)" "3 1" \
	"$(rcli HGET "${P}task:t3" jk) $(rcli HGET "${P}task:t4" jn)"
# the dispatcher sends the JSON with its names already one byte each
# (store/recordjson.c, form "names"): the same bytes as the script's own
# encoding, stored as they come, read back whole
hexof() { rcli EVAL "local n = tonumber(redis.call('HGET', KEYS[1], 'jk')) local t = {}
	for k = 1, n do t[k] = redis.call('HGET', KEYS[1], 'j' .. k) end
	return (string.gsub(table.concat(t), '.', function(c) return string.format('%02x', c:byte()) end))" 1 "$1"; }
coded=$(printf '%s' "$json3" | "$BIN/record_json_encode")
expect "accept: the dispatcher's encoding of t3 is the script's, byte for byte" "$(hexof "${P}task:t3")" \
	"$(printf '%s' "$coded" | od -An -tx1 | tr -d ' \n')"
# the edges of the substitution (a name at the end, an unknown name kept
# whole, a quote that starts none), the same through both
n=20
for j in '"id":' '"zz":"id":' '""id":x' '"run_first":"absent_days":' '{"a":"\"id\":"}'; do
	n=$((n + 1))
	rcli XADD "${P}tasks" "8-$n" id "t$n" >/dev/null
	rcli XREADGROUP GROUP dispatch c COUNT 1 STREAMS "${P}tasks" '>' >/dev/null
	# shellcheck disable=SC2086
	ev accept 10 $A6 "${P}task:t$n" "${P}daily:2026-09-01" "${P}outbox:A" "${P}open:A" tok dispatch 1000 600000 1 \
		"8-$n" "t$n" "$j" s3 A school 01AC 2026-09-01 0 0 plain 1 A school 1500 0 basis id,rule "" "" "" 0 >/dev/null
	expect "accept: the dispatcher's encoding of $j is the script's" "$(hexof "${P}task:t$n")" \
		"$(printf '%s' "$j" | "$BIN/record_json_encode" | od -An -tx1 | tr -d ' \n')"
	rcli DEL "${P}task:t$n" >/dev/null
	rcli ZREM "${P}outbox:A" "t$n|task" >/dev/null
	rcli ZREM "${P}due" "due|t$n|A" >/dev/null
	rcli ZREM "${P}open:A" "t$n" >/dev/null
done
expect "accept: ... and a JSON with a raw control byte is not encoded" 1 \
	"$(if printf '%s' "$json4" | "$BIN/record_json_encode" >/dev/null; then echo 0; else echo 1; fi)"
rcli XADD "${P}tasks" 8-5 id t5 >/dev/null
rcli XREADGROUP GROUP dispatch c COUNT 1 STREAMS "${P}tasks" '>' >/dev/null
# shellcheck disable=SC2086
ev accept 10 $A6 "${P}task:t5" "${P}daily:2026-09-01" "${P}outbox:A" "${P}open:A" tok dispatch 1000 600000 1 \
	8-5 t5 "$coded" s3 A school 01AC 2026-09-01 0 0 names 1 A school 1500 0 basis id,rule "" "" "" 0 >/dev/null
expect "accept: a JSON coded by the dispatcher is stored as it came" "$(hexof "${P}task:t3")" "$(hexof "${P}task:t5")"
out=$(ev take 3 "${P}lease" "${P}outbox:A" "${P}task:t5" tok A 1000 30000 "t5|task")
case "$out" in "t5|task $json3 1500 primary 0 s3 1000"*) ok "take: ... and read back whole" ;;
*) not_ok "take: ... and read back whole (got '$out')" ;; esac
expect "accept: a JSON form of neither kind is refused" "BADARGS entry at 6" \
	"$(ev accept 10 $A6 "${P}task:t6" "${P}daily:2026-09-01" "${P}outbox:A" "${P}open:A" tok dispatch 1000 600000 1 \
		8-6 t6 "$json3" s3 A school 01AC 2026-09-01 0 0 coded 1 A school 1500 0 basis id,rule "" "" "" 0 |
		sed 's/.*\(BADARGS\)/\1/')"
# held by the flood guard: the quarantine holds the JSON with its names
# written out, as the tasks stream does (it goes back there on release)
rcli HSET "${P}daily:2026-09-01" s:01AC 9 >/dev/null
rcli XADD "${P}tasks" 8-7 id t7 >/dev/null
rcli XREADGROUP GROUP dispatch c COUNT 1 STREAMS "${P}tasks" '>' >/dev/null
# shellcheck disable=SC2086
expect "accept: a coded JSON past the flood limit is held" "0 01AC|2026-09-01 1" \
	"$(ev accept 10 $A6 "${P}task:t7" "${P}daily:2026-09-01" "${P}outbox:A" "${P}open:A" tok dispatch 1000 600000 1 \
		8-7 t7 "$coded" s3 A school 01AC 2026-09-01 5 0 names 1 A school 1500 0 basis id,rule "" "" "" 0)"
expect "accept: ... with its JSON written out in the quarantine" "$json3" \
	"$(rcli XRANGE "${P}quarantine" - + | sed -n '/^json$/{n;p}')"
rcli DEL "${P}task:t3" "${P}task:t4" "${P}task:t5" "${P}quarantine" "${P}quarantined" "${P}daily:2026-09-01" >/dev/null
rcli ZREM "${P}outbox:A" "t5|task" >/dev/null
rcli ZREM "${P}due" "due|t5|A" >/dev/null

# rk TASK: RESULT's keys for one delivery to partner A (outbox, record, undeliverable set)
rk() { printf '%s\n' "${P}outbox:A" "${P}task:$1" "${P}undeliverable:A"; }
# shellcheck disable=SC2046
lease_lost result 5 "${P}lease" "${P}audit" $(rk t1) tok "$P" 86400000 1 A 't1|task' delivered 0 1100 '' \
	id,rule basis 0 primary webhook
before=$(digest)
# shellcheck disable=SC2046
case "$(ev result 5 "${P}lease" "${P}audit" $(rk t2) tok "$P" 86400000 1 A 't1|task' \
	delivered 0 1100 '' id,rule basis 0 primary webhook)" in
*BADARGS*) expect "result: another task's record key is refused, nothing written" "$before" "$(digest)" ;;
*) not_ok "result: another task's record key is refused" ;; esac
# shellcheck disable=SC2046
case "$(ev result 5 "${P}lease" "${P}audit" $(rk t1) tok "$P" 86400000 2 A 't1|task' \
	delivered 0 1100 '' id,rule basis 0 primary webhook)" in
*BADARGS*) expect "result: a count the keys do not match is refused, nothing written" "$before" "$(digest)" ;;
*) not_ok "result: a count the keys do not match is refused" ;; esac
# shellcheck disable=SC2046
expect "result: delivered" ok "$(ev result 5 "${P}lease" "${P}audit" $(rk t1) tok "$P" 86400000 1 A 't1|task' \
	delivered 0 1100 '' id,rule basis 0 primary webhook)"
expect "result: the delivery is recorded" delivered "$(rcli HGET "${P}task:t1" A.delivery)"
expect "result: ... at the first attempt: no failed attempts counted" "" "$(rcli HGET "${P}task:t1" A.attempts)"
expect "result: ... its time in the audit entry, not in the record" "1100 0" \
	"$(rcli --raw XREVRANGE "${P}audit" + - COUNT 1 | sed -n '/^at$/{n;p}') $(rcli HEXISTS "${P}task:t1" A.delivered_ms)"
expect "result: the member leaves the outbox" 0 "$(rcli ZCARD "${P}outbox:A")"
# a batch: each delivery gets its own reply; one that cannot be recorded (its
# member is not its record's) is refused alone, the others are recorded
rcli HSET "${P}task:t7" json '{}' student s7 >/dev/null
rcli HSET "${P}task:t8" json '{}' student s8 >/dev/null
rcli ZADD "${P}outbox:A" 5 't7|task' 5 't8|task' >/dev/null
audit0=$(rcli XLEN "${P}audit")
# shellcheck disable=SC2046
out=$(ev result 11 "${P}lease" "${P}audit" $(rk t7) $(rk t1) $(rk t8) tok "$P" 86400000 3 \
	A 't7|task' delivered 0 1200 '' id basis 0 primary webhook \
	A 't8|task' delivered 0 1200 '' id basis 0 primary webhook \
	A 't8|task' retry 9000 1200 'HTTP 503' id basis 0 primary webhook)
case "$out" in "ok BADARGS"*" ok") ok "result: a batch answers each delivery, the bad one alone refused" ;;
*) not_ok "result: a batch answers each delivery, the bad one alone refused (got '$out')" ;; esac
expect "result: ... the first delivered" delivered "$(rcli HGET "${P}task:t7" A.delivery)"
expect "result: ... the third (a retry) rescheduled" 9000 "$(rcli ZSCORE "${P}outbox:A" 't8|task')"
expect "result: ... the refused one wrote nothing" "" "$(rcli HGET "${P}task:t8" A.delivery)"
expect "result: ... two audit entries" $((audit0 + 2)) "$(rcli XLEN "${P}audit")"
# a record that expired: its member leaves the outbox and the undeliverable
# set ("gone"), in the same batch as a retry whose attempts count restarts
rcli ZADD "${P}outbox:A" 5 't9|task' >/dev/null
rcli ZADD "${P}undeliverable:A" 5 t9 >/dev/null
rcli HSET "${P}task:t7" A.attempts many >/dev/null
rcli ZADD "${P}outbox:A" 5 't7|reminder' >/dev/null
# shellcheck disable=SC2046
out=$(ev result 8 "${P}lease" "${P}audit" $(rk t9) $(rk t7) tok "$P" 86400000 2 \
	A 't9|task' delivered 0 1300 '' id basis 0 primary webhook \
	A 't7|reminder' retry 7000 1300 'HTTP 503' id basis 0 primary webhook)
expect "result: a batch with an expired record" "gone ok" "$out"
expect "result: ... its member leaves the outbox" "" "$(rcli ZSCORE "${P}outbox:A" 't9|task')"
expect "result: ... and the undeliverable set" "" "$(rcli ZSCORE "${P}undeliverable:A" t9)"
expect "result: ... the reminder is rescheduled" 7000 "$(rcli ZSCORE "${P}outbox:A" 't7|reminder')"
expect "result: ... an attempts count that is no number restarts" 0 "$(rcli HGET "${P}task:t7" A.attempts)"

# list INDEX AFTER-SCORE AFTER-ID LIMIT: as the API does, the members first
list() {
	l_m=$(rcli EVAL "$("$BIN/script_source" list)" 1 "${P}$1" members "$2" "$3" +inf "$4")
	l_more=0
	case "$l_m" in *more) l_more=1; l_m=$(echo "$l_m" | sed '$d') ;; esac
	l_n=$(($(echo "$l_m" | grep -c .) / 2))
	l_k=$(echo "$l_m" | awk -v p="$P" 'NR % 2 == 1 && NF { print p "task:" $0 }')
	# shellcheck disable=SC2086 # one word per member
	ev list $((1 + l_n)) "${P}$1" $l_k page A "$2" "$3" "$4" $l_more $l_m
}
expect "list: the partner's open task" t1 "$(list open:A -inf '' 10 | cut -d' ' -f1)"
rcli ZADD "${P}open:A" 1500 t0 1500 t2 1500 t3 >/dev/null
for t in t2 t3; do rcli HSET "${P}task:$t" json "{\"id\":\"$t\"}" A.due 1500 A.state open >/dev/null; done
expect "list: a page of an expired record is empty but has a cursor" "1500 t0" "$(list open:A -inf '' 1 | sed 's/^ //')"
expect "list: ... the record gone is dropped from the index" "" "$(rcli ZSCORE "${P}open:A" t0)"
expect "list: the next page from the cursor" "t1 1500 t1" "$(list open:A 1500 t0 1 | awk '{print $1, $(NF-1), $NF}')"
expect "list: ties of the cursor's score are paged by id" "t2 1500 t2" \
	"$(list open:A 1500 t1 1 | awk '{print $1, $(NF-1), $NF}')"
expect "list: the last page has no cursor" 't3 {"id":"t3"} 1500 open 1500' "$(list open:A 1500 t2 1)"
expect "list: a member without its record's key is refused" "BADARGS one record key per member" \
	"$(ev list 1 "${P}open:A" page A -inf '' 10 0 t1 1500 | sed 's/.*\(BADARGS\)/\1/')"
rcli ZREM "${P}open:A" t2 t3 >/dev/null

due() { ev due 6 "${P}lease" "${P}due" "${P}tasks" "${P}audit" "${P}task:t1" "${P}outbox:A" tok "$1" \
	2026-09-02T00:00:00Z 48 'due|t1|A'; }
lease_lost due 6 "${P}lease" "${P}due" "${P}tasks" "${P}audit" "${P}task:t1" "${P}outbox:A" tok 2000 \
	2026-09-02T00:00:00Z 48 'due|t1|A'
expect "due: an item not due yet (changed since it was read) is passed over" 0 "$(due 1499 | cut -d' ' -f1)"
out=$(due 2000)
expect "due: the due time handled" 1 "$(echo "$out" | cut -d' ' -f1)"
expect "due: the assignment is overdue" overdue "$(rcli HGET "${P}task:t1" A.state)"
# one item per assignment: at the reminder's time it is the reminder and is
# scored again by the due time, where it makes the assignment overdue; one
# whose reminder time comes after its due time (the daemon was down) is
# overdue without a reminder
rcli HSET "${P}task:t5" json '{"id":"t5","kind":"escalation"}' student s5 A.state open A.due 3000 A.role school >/dev/null
rcli HSET "${P}task:t6" json '{"id":"t6","kind":"escalation"}' student s6 A.state open A.due 3000 A.role school >/dev/null
rcli ZADD "${P}due" 2000 'due|t5|A' 2000 'due|t6|A' >/dev/null
r0=$(rcli --raw XRANGE "${P}audit" - + | grep -cx reminder)
due5() { ev due 6 "${P}lease" "${P}due" "${P}tasks" "${P}audit" "${P}task:$2" "${P}outbox:A" tok "$1" \
	2026-09-02T00:00:00Z 48 "due|$2|A"; }
out=$(due5 2000 t5)
expect "due: the reminder's time: a reminder, the item scored by the due time" "1 A 0 t5|reminder 3000 open" \
	"$out $(rcli ZRANGEBYSCORE "${P}outbox:A" -inf +inf | grep -x 't5|reminder') $(rcli ZSCORE "${P}due" 'due|t5|A') $(rcli HGET "${P}task:t5" A.state)"
out=$(due5 3000 t5)
expect "due: ... then the due time: overdue, the item gone, no second reminder" "1 0 overdue  $((r0 + 1))" \
	"$(echo "$out" | cut -d' ' -f1,2) $(rcli HGET "${P}task:t5" A.state) $(rcli ZSCORE "${P}due" 'due|t5|A') $(rcli --raw XRANGE "${P}audit" - + | grep -cx reminder)"
rcli ZADD "${P}due" 3500 'due|t6|A' >/dev/null
expect "due: an item first read after its due time: overdue, no reminder" "overdue $((r0 + 1))" \
	"$(due5 3500 t6 >/dev/null; rcli HGET "${P}task:t6" A.state) $(rcli --raw XRANGE "${P}audit" - + | grep -cx reminder)"
rcli ZREM "${P}outbox:A" 't5|reminder' >/dev/null
rcli DEL "${P}task:t5" "${P}task:t6" >/dev/null

# ack TASK PARTNER OUTCOME [NOW]: as the callers do (store/calls.c), first
# without the task's case and again with the case ACK names
ack() {
	a_out=$(ack_with "" "$@")
	case "$a_out" in "CASE "*) a_out=$(ack_with "${a_out#CASE }" "$@") ;; esac
	echo "$a_out"
}
ack_with() { ev ack 11 "${P}audit" "${P}tasks" "${P}due" "${P}task:$2" "${P}open:$3" "${P}case:$1" "${P}cases:$3" \
	"${P}progress:$3" "${P}closed:$3" "${P}caseopen:$3" "${P}caseprog:$3" \
	"$2" "$3" "$4" note "${5:-3000}" 2026-09-02T00:00:00Z 48 "$1"; }
expect "ack: an unknown task" "NOTFOUND" "$(ack t9 A completed)"
expect "ack: another partner's task" "FORBIDDEN" "$(ack t1 B completed)"
expect "ack: an overdue task is acknowledged late" "LATE" "$(ack t1 A done)"
expect "ack: ... and leaves the partner's open tasks" 0 "$(rcli ZCARD "${P}open:A")"
expect "ack: the same outcome again" "REPEAT" "$(ack t1 A done)"
expect "ack: a step back from a closing outcome" "CONFLICT:done" "$(ack t1 A planned)"

# ---- cases (accept, ack): open, update, separate task, progression, idle ----
fresh
rcli XGROUP CREATE "${P}tasks" dispatch 0 MKSTREAM >/dev/null
for n in 1 2 3 4 5 6 7; do rcli XADD "${P}tasks" "8-$n" id "c$n" >/dev/null; done
rcli XREADGROUP GROUP dispatch c COUNT 10 STREAMS "${P}tasks" '>' >/dev/null
# acc EID ID NOW ROLE MODE: one leerplicht_16u entry for pupil s1 to partner
# L, sent first without the case ids, then with the ones ACCEPT names; its
# reply: tasks created, (no school day quarantined,) tasks held, and the
# case the assignment landed in (the task record's L.case)
acc() {
	a_out=$(acc_with "" "" "$@")
	case "$a_out" in
	"CASES"*) a_out=$(acc_with "$(echo "$a_out" | sed -n 2p)" "$(echo "$a_out" | sed -n 3p)" "$@") ;;
	esac
	flat "$a_out"
}
# acc_with CURRENT NEW EID ID NOW ROLE MODE
acc_with() {
	# shellcheck disable=SC2086 # the fixed keys split on purpose
	rcli EVAL "$("$BIN/script_source" accept)" 18 $A6 "${P}task:$4" "${P}daily:2026-09-01" "${P}outbox:L" \
		"${P}open:L" "${P}cases:L" "${P}caseset:L" "${P}caseopen:L" "${P}caseprog:L" "${P}case:$1" "${P}caseitems:$1" "${P}case:$2" \
		"${P}caseitems:$2" tok dispatch "$5" 600000 1 \
		"$3" "$4" "{\"id\":\"$4\",\"rule\":\"leerplicht_16u\"}" s1 L "$6" 01AC 2026-09-01 0 0 plain 1 \
		L "$6" $(($5 + 500)) 0 basis id,rule "$7|unauthorised|100000" "$1" "$2" 0 2>&1
}
# the id the dispatcher derives for the new case (store/caseid.c, the same
# SHA-1 vector in tests/unit/test_caseguess.c): the call needs no second round
c1case=$(case_id c1 L)
got=$(flat "$(acc_with "" "$c1case" 8-1 c1 1000 leerplicht case)")
expect "case: the first signal is a task, in one call with the derived case id" "1 0 $c1case" "$got"
cid=$(rcli HGET "${P}task:c1" L.case)
expect "case: ... which opens the case" "open c1 s1 unauthorised" \
	"$(flat "$(rcli HMGET "${P}case:$cid" state task student topic)")"
expect "case: ... indexed per partner, pupil and topic" "$cid" "$(rcli HGET "${P}cases:L" 's1|unauthorised')"
# cnt NOW: caseread's counts (open and not overdue, overdue, in progress),
# from the per-state sets
cnt() { ev caseread 2 "${P}caseopen:L" "${P}caseprog:L" count "$P" L "$1"; }
expect "case count: open before its due time (1500)" "1 0 0" "$(cnt 1000)"
expect "case count: overdue from its due time" "0 1 0" "$(cnt 1500)"
before=$(digest)
got=$(acc_with "" "" 8-2 c2 2000 leerplicht case)
expect "case: accept without the case ids names them" "CASES $cid $(acc_with "$cid" x 8-2 c2 2000 leerplicht case |
	sed -n 3p)" "$(flat "$got")"
expect "case: ... and writes nothing" "$before" "$(digest)"
got=$(acc 8-2 c2 2000 leerplicht case)
expect "case: the next signal" "1 0 $(rcli HGET "${P}task:c2" L.case)" "$got"
expect "case: ... is an update of the open case" "update $cid" "$(flat "$(rcli HMGET "${P}task:c2" L.state L.case)")"
expect "case: ... in the outbox as an update" "c1|task c2|update" "$(flat "$(rcli ZRANGE "${P}outbox:L" 0 -1)")"
expect "case: ... with no due time, reminder or open entry" "1 1" \
	"$(rcli ZCARD "${P}due") $(rcli ZCARD "${P}open:L")"
expect "case: ... listed in the case" "2 c1|task c2|update" "$(flat "$(rcli HMGET "${P}case:$cid" items i1 i2)")"
expect "case: ... with no list key of its own" 0 "$(rcli EXISTS "${P}caseitems:$cid")"
before=$(digest)
expect "case read: without the task keys names them" "KEYS ${P}task:c1 ${P}task:c2" \
	"$(ev caseread 1 "${P}case:$cid" get "$P" L 2100)"
expect "case read: ... and writes nothing" "$before" "$(digest)"
got=$(learn caseread 1 "${P}case:$cid" -- get "$P" L 2100)
case "$got" in
*" c1 task open 1500 pending c2 update update pending") ok "case: ... read back in order" ;;
*) not_ok "case: ... read back in order (got '$got')" ;; esac
expect "case read: ... in two calls" 2 "$(cat "$WORK/calls")"
expect "case read: another partner's case" other "$(learn caseread 1 "${P}case:$cid" -- get "$P" M 2100)"
expect "case read: no such case" "" "$(learn caseread 1 "${P}case:vsnone" -- get "$P" L 2100)"
got=$(acc 8-3 c3 3000 school separate)
expect "case: a separate task for an open case is a task" "1 0 $(rcli HGET "${P}task:c3" L.case)" "$got"
expect "case: ... linked to its case, with a due time" "open" "$(rcli HGET "${P}task:c3" L.state)"
expect "case: ... the same case" "$cid" "$(rcli HGET "${P}task:c3" L.case)"
expect "case: ack without the task's case names it, writing nothing" "CASE $cid" "$(ack_with "" c1 L planned 4000)"
expect "case: an update is not acknowledged itself" "CONFLICT:update" "$(ack c2 L planned 4000)"
expect "case: only the school requests the MAZL consult" "DENIED" "$(ack c1 L consult_requested 4000)"
expect "case: planned" "OK" "$(ack c1 L planned 4000)"
expect "case: ... puts the case in progress" "in_progress 4000" \
	"$(flat "$(rcli HMGET "${P}case:$cid" state last_ack_ms)")"
expect "case count: in progress" "0 0 1" "$(cnt 4000)"
expect "case: ... lists the task in progress" "c1" "$(rcli ZRANGE "${P}progress:L" 0 -1)"
expect "case: planned again is harmless" "REPEAT" "$(ack c1 L planned 4100)"
got=$(acc 8-4 c4 5000 leerplicht case)
expect "case: in progress takes updates" "1 0 $(rcli HGET "${P}task:c4" L.case)" "$got"
expect "case: ... as an update" "update" "$(rcli HGET "${P}task:c4" L.state)"
expect "case: planned, later done" "OK" "$(ack c1 L done 6000)"
expect "case: ... closes the case" "closed done" "$(flat "$(rcli HMGET "${P}case:$cid" state closed_by)")"
expect "case count: a closed case is not counted" "0 0 0" "$(cnt 6000)"
expect "case: ... lists the task closed, no longer in progress" "c1 0" \
	"$(rcli ZRANGE "${P}closed:L" 0 -1) $(rcli ZCARD "${P}progress:L")"
expect "case: a step back after done" "CONFLICT:done" "$(ack c1 L planned 6100)"
got=$(acc 8-5 c5 7000 leerplicht case)
expect "case: the next signal after done" "1 0 $(rcli HGET "${P}task:c5" L.case)" "$got"
cid2=$(rcli HGET "${P}task:c5" L.case)
expect "case: ... opens a new case with a task" "open open" \
	"$(rcli HGET "${P}task:c5" L.state) $(rcli HGET "${P}case:$cid2" state)"
[ "$cid2" != "$cid" ] && ok "case: ... a different case id" || not_ok "case: ... a different case id"
# a case opened before the items moved into the case hash keeps its list
rcli HDEL "${P}case:$cid2" items i1 >/dev/null
rcli RPUSH "${P}caseitems:$cid2" 'c5|task' >/dev/null
got=$(acc 8-7 c7 7500 leerplicht case)
expect "case: an update of a case of the previous layout" "1 0 $(rcli HGET "${P}task:c7" L.case)" "$got"
expect "case: ... goes to its list" "c5|task c7|update 0" \
	"$(flat "$(rcli LRANGE "${P}caseitems:$cid2" 0 -1)") $(rcli HEXISTS "${P}case:$cid2" items)"
expect "case read: a case's list key is named first (and its opening task's)" \
	"KEYS ${P}caseitems:$cid2 ${P}task:c5" \
	"$(ev caseread 1 "${P}case:$cid2" get "$P" L 7600)"
got=$(learn caseread 1 "${P}case:$cid2" -- get "$P" L 7600)
case "$got" in
*" c5 task open "*" c7 update update "*) ok "case: ... which is read back" ;;
*) not_ok "case: ... which is read back (got '$got')" ;; esac
expect "case read: ... in three calls (the list, then its tasks)" 3 "$(cat "$WORK/calls")"
ack c5 L planned 8000 >/dev/null
# idle: no signal and no acknowledgement for 100000 ms after planned
got=$(acc 8-6 c6 108000 leerplicht case)
expect "case: a signal after the idle time" "1 0 $(rcli HGET "${P}task:c6" L.case)" "$got"
cid3=$(rcli HGET "${P}task:c6" L.case)
expect "case: ... closed the idle case" "closed idle" "$(flat "$(rcli HMGET "${P}case:$cid2" state closed_by)")"
expect "case: ... and opened a new one with a task" "open" "$(rcli HGET "${P}task:c6" L.state)"
[ "$cid3" != "$cid2" ] && ok "case: ... a new case id" || not_ok "case: ... a new case id"
expect "case: the partner's cases" 3 "$(rcli ZCARD "${P}caseset:L")"
expect "case count: the idle case closed, the new one open" "1 0 0" "$(cnt 108000)"
# two signals of a new pupil in one call, to a partner N of its own, with
# the ids the dispatcher passes (the second's current case: the one the
# first opens): the first opens the case, the second is its update
for n in 8 9; do rcli XADD "${P}tasks" "8-$n" id "c$n" >/dev/null; done
rcli XREADGROUP GROUP dispatch c COUNT 10 STREAMS "${P}tasks" '>' >/dev/null
c8case=$(case_id c8 N)
c9case=$(case_id c9 N)
# one entry's keys: task:<id>, its school day, partner N's outbox, open
# tasks, case index and sets, the current and the new case with their items
ekeys() {
	printf '%s\n' "${P}task:$1" "${P}daily:2026-09-01" "${P}outbox:N" "${P}open:N" "${P}cases:N" "${P}caseset:N" \
		"${P}caseopen:N" "${P}caseprog:N" "${P}case:$2" "${P}caseitems:$2" "${P}case:$3" "${P}caseitems:$3"
}
# acc_two NOW EID ID CURRENT NEW EID ID CURRENT NEW: ACCEPT of two
# leerplicht_16u entries of pupil s9 for partner N, with their case ids
acc_two() {
	# shellcheck disable=SC2046,SC2086 # the keys split on purpose
	flat "$(rcli EVAL "$("$BIN/script_source" accept)" 30 $A6 $(ekeys "$3" "$4" "$5") $(ekeys "$7" "$8" "$9") \
		tok dispatch "$1" 600000 2 \
		"$2" "$3" "{\"id\":\"$3\"}" s9 N leerplicht 01AC 2026-09-01 0 0 plain 1 N leerplicht $(($1 + 500)) 0 \
		basis id "case|unauthorised|100000" "$4" "$5" 0 \
		"$6" "$7" "{\"id\":\"$7\"}" s9 N leerplicht 01AC 2026-09-01 0 0 plain 1 N leerplicht $(($1 + 500)) 0 \
		basis id "case|unauthorised|100000" "$8" "$9" 0 2>&1)"
}
got=$(acc_two 110000 8-8 c8 "" "$c8case" 8-9 c9 "$c8case" "$c9case")
expect "case: two signals of a pupil in one call" "2 0 $c8case $c8case" "$got"
expect "case: ... the first opens the case, the second is its update" "open $c8case update $c8case" \
	"$(flat "$(rcli HMGET "${P}task:c8" N.state N.case) $(rcli HMGET "${P}task:c9" N.state N.case)")"
expect "case: ... which lists both" "2 c8|task c9|update" "$(flat "$(rcli HMGET "${P}case:$c8case" items i1 i2)")"
# an entry seen before (re-read: nothing happens to it, its ids are not
# checked) ahead of a fresh one of the same case in one call: the fresh one
# is placed with its own current case (the second pair of ids), an update
rcli XADD "${P}tasks" 8-10 id c10 >/dev/null
rcli XREADGROUP GROUP dispatch c COUNT 10 STREAMS "${P}tasks" '>' >/dev/null
c10case=$(case_id c10 N)
got=$(acc_two 111000 8-8 c8 "" "$c8case" 8-10 c10 "$c8case" "$c10case")
expect "case: an entry seen before, then a fresh one of its case: one created" "1 0 $c8case" "$got"
expect "case: ... the fresh one an update of the case it names" "update $c8case" \
	"$(flat "$(rcli HMGET "${P}task:c10" N.state N.case)")"
# the list: the first call names the case keys, the second the open cases'
# task keys, the third answers; a case whose task is not declared is not
# counted as a match, so the page never ends short of where it will end
expect "case list: without the case keys names them" \
	"KEYS ${P}case:$cid ${P}case:$cid2 ${P}case:$cid3" \
	"$(ev caseread 1 "${P}caseset:L" list "$P" L 108100 '' -inf '' 10 100)"
got=$(learn caseread 1 "${P}caseset:L" -- list "$P" L 108100 '' -inf '' 10 100)
expect "case list: all three cases" "$cid $cid2 $cid3" \
	"$(printf '%s\n' "$got" | tr ' ' '\n' | grep -x -e "$cid" -e "$cid2" -e "$cid3" | awk '!s[$0]++' | tr '\n' ' ' | sed 's/ $//')"
expect "case list: ... in three calls" 3 "$(cat "$WORK/calls")"
got=$(learn caseread 1 "${P}caseset:L" -- list "$P" L 108100 closed -inf '' 1 100)
case "$got" in "$cid "*" 1000 $cid") ok "case list: a page of one closed case, the cursor at it" ;;
	*) not_ok "case list: a page of one closed case, the cursor at it (got '$got')" ;; esac
got=$(learn caseread 1 "${P}caseset:L" -- list "$P" L 108100 closed 1000 "$cid" 1 100)
case "$got" in "$cid2 "*" $cid2") ok "case list: ... then the next closed one, passing none" ;;
	*) not_ok "case list: ... then the next closed one, passing none (got '$got')" ;; esac
got=$(learn caseread 1 "${P}caseset:L" -- list "$P" L 108100 open -inf '' 10 100)
case "$got" in *"$cid3"*) case "$got" in *"$cid "*|*"$cid2"*) not_ok "case list: only the open case ($got)" ;;
	*) ok "case list: only the open case" ;; esac ;; *) not_ok "case list: only the open case ($got)" ;; esac
# trim (cases mode): index fields whose case record is gone (expired with
# the retention) or closed go; the sets lose members before the cutoff
rcli HSET "${P}cases:L" 's2|unauthorised' vsgone 's3|health' "$cid" >/dev/null
trimc() { learn trim 5 "${P}cases:L" "${P}caseopen:L" "${P}caseprog:L" "${P}caseset:L" "${P}casesbuilt:L" -- cases "$P" "$1"; }
before=$(digest)
expect "trim cases: without the case keys names them" \
	"$(printf '%s\n' KEYS "${P}case:$cid" "${P}case:$cid3" "${P}case:vsgone" | sort | tr '\n' ' ' | sed 's/ $//')" \
	"$(ev trim 5 "${P}cases:L" "${P}caseopen:L" "${P}caseprog:L" "${P}caseset:L" "${P}casesbuilt:L" cases "$P" 5000 |
	  tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')"
expect "trim cases: ... and writes nothing" "$before" "$(digest)"
expect "trim cases: removes the fields of a gone and a closed case" 2 "$(trimc 5000)"
# the first trim in cases mode also files the cases in the per-state sets
# (casesbuilt: not yet set), so it names the open case's task key too
expect "trim cases: ... in three calls (the first one files the sets)" 3 "$(cat "$WORK/calls")"
expect "trim cases: ... keeps the open case's (the index holds nothing else)" "$cid3" "$(flat "$(rcli HVALS "${P}cases:L")")"
expect "trim cases: ... and notes the sets built in a key of its own" 1 "$(rcli GET "${P}casesbuilt:L")"
expect "trim cases: ... and the cases opened after the cutoff" 2 "$(rcli ZCARD "${P}caseset:L")"
# an index from before the note moved out of it: its field "sets_built"
# becomes the key, and the sets are not filed again
rcli HSET "${P}cases:L" sets_built 1 >/dev/null
rcli DEL "${P}casesbuilt:L" >/dev/null
rcli ZADD "${P}caseopen:L" 100000 "$cid3" >/dev/null
expect "trim cases: an old index's sets_built field is not a case" 0 "$(trimc 5000)"
expect "trim cases: ... moves into the key" "1 0" "$(rcli GET "${P}casesbuilt:L") $(rcli HEXISTS "${P}cases:L" sets_built)"
expect "trim cases: ... and the sets stay as they were (not filed again)" 100000 "$(rcli ZSCORE "${P}caseopen:L" "$cid3")"
rcli DEL "${P}caseopen:L" "${P}caseprog:L" "${P}casesbuilt:L" >/dev/null
expect "trim cases: without the per-state sets (older data)" 0 "$(trimc 5000)"
expect "trim cases: ... in three calls (the open case's task key too)" 3 "$(cat "$WORK/calls")"
expect "trim cases: ... files the open case under its due time" 108500 "$(rcli ZSCORE "${P}caseopen:L" "$cid3")"
expect "trim cases: the set's members past the retention go" "0 0 0" "$(trimc 200000 >/dev/null; cnt 300000)"
# an ACK (or ACCEPT) before the first trim in cases mode made one of the sets:
# the cases from before the sets are filed all the same, once
rcli DEL "${P}caseopen:L" "${P}caseprog:L" "${P}casesbuilt:L" >/dev/null
rcli ZADD "${P}caseprog:L" 250000 vsnew >/dev/null
trimc 5000 >/dev/null
expect "trim cases: one set made since, the old open case is filed too" 108500 "$(rcli ZSCORE "${P}caseopen:L" "$cid3")"
expect "trim cases: ... keeping the newer member" 250000 "$(rcli ZSCORE "${P}caseprog:L" vsnew)"
rcli ZREM "${P}caseopen:L" "$cid3" >/dev/null
trimc 5000 >/dev/null
expect "trim cases: ... and only once" "" "$(rcli ZSCORE "${P}caseopen:L" "$cid3")"
# a closed case's index field goes, and its id from both sets
rcli HSET "${P}case:vsshut" state closed >/dev/null
rcli HSET "${P}cases:L" 's9|health' vsshut >/dev/null
rcli ZADD "${P}caseopen:L" 250000 vsshut >/dev/null
rcli ZADD "${P}caseprog:L" 250000 vsshut >/dev/null
expect "trim cases: a closed case's field goes" 1 "$(trimc 5000)"
expect "trim cases: ... and its id from both sets" " " "$(rcli ZSCORE "${P}caseopen:L" vsshut) $(rcli ZSCORE "${P}caseprog:L" vsshut)"

rcli HSET "${P}task:t1" A.delivery failed A.attempts 7 >/dev/null
expect "redeliver: a failed delivery is sent again" OK "$(ev redeliver 3 "${P}outbox:A" "${P}audit" "${P}task:t1" "$P" t1 A 4000)"
expect "redeliver: ... from scratch" "pending 0" "$(flat "$(rcli HMGET "${P}task:t1" A.delivery A.attempts)")"
expect "redeliver: ... due in the outbox now" 4000 "$(rcli ZSCORE "${P}outbox:A" 't1|task')"
rcli HSET "${P}task:t1" A.delivery delivered >/dev/null
expect "redeliver: not a delivered one" DELIVERED "$(ev redeliver 3 "${P}outbox:A" "${P}audit" "${P}task:t1" "$P" t1 A 4000)"
expect "redeliver: an unknown task" NOTFOUND "$(ev redeliver 3 "${P}outbox:A" "${P}audit" "${P}task:t9" "$P" t9 A 4000)"

# ---- quarantine ----
fresh
rcli SADD "${P}quarantined" '01AC|2026-09-01' >/dev/null
rcli XADD "${P}quarantine" '*' key '01AC|2026-09-01' task t1 json "$json" roles school student s1 >/dev/null
expect "quarantine: the held task is released" 1 "$(ev quarantine 4 "${P}quarantine" "${P}quarantined" \
	"${P}tasks" "${P}audit" "$P" '01AC|2026-09-01' release 1000 48)"
expect "quarantine: ... back on the tasks stream" 1 "$(rcli XLEN "${P}tasks")"
expect "quarantine: ... the school day is lifted" 0 "$(rcli SCARD "${P}quarantined")"
expect "quarantine: ... nothing held" 0 "$(rcli XLEN "${P}quarantine")"

# ---- erase: the keys found by the caller, under its fence ----
fresh
rcli HSET "${P}task:t1" student s1 partners A json '{"student":"s1"}' >/dev/null
rcli HSET "${P}task:t2" student s2 partners A json '{"student":"s2"}' >/dev/null
rcli ZADD "${P}open:A" 1 t1 2 t2 >/dev/null
rcli HSET "${P}state" s1 rec s2 rec >/dev/null
erase() { ev erase 6 "${P}lease" "${P}audit" "${P}state" "${P}task:t1" "${P}task:t2" "${P}open:A" \
	fence 5000 s1 1000 field records records members; }
before=$(digest)
expect "erase: a check only (no fence)" "CHECKED" "$(ev erase 6 "${P}lease" "${P}audit" "${P}state" "${P}task:t1" \
	"${P}task:t2" "${P}open:A" '' 5000 s1 1000 field records records members)"
expect "erase: ... writes nothing" "$before" "$(digest)"
expect "erase: refused unless the lease holds the caller's fence" "FENCE lost: set it again" \
	"$(erase | sed 's/.*\(FENCE\)/\1/')"
rcli SET "${P}lease" fence >/dev/null
expect "erase: the pupil's state, record and members" "1 1 0 1 0 0 A" "$(erase)"
expect "erase: ... the other pupil's stay" "t2 s2" "$(rcli ZRANGE "${P}open:A" 0 -1) $(rcli HKEYS "${P}state")"
expect "erase: a key without its how is refused" "BADARGS one how per key" \
	"$(ev erase 3 "${P}lease" "${P}audit" "${P}state" fence 5000 s1 1000 | sed 's/.*\(BADARGS\)/\1/')"

# ---- requeue ----
fresh
rcli XADD "${P}dead" '*' reason unknown_kind stream_id 1-0 field.kind bogus field.student s1 >/dev/null
rcli XADD "${P}dead" '*' reason bad_date stream_id 1-1 field.kind absence >/dev/null
expect "requeue: the dead letters of one reason" 1 "$(ev requeue 2 "${P}dead" "${P}events" unknown_kind '')"
expect "requeue: ... their original fields on the event stream" "kind bogus student s1" \
	"$(flat "$(rcli XRANGE "${P}events" - + | tail -4)")"
expect "requeue: ... the other reason stays" 1 "$(rcli XLEN "${P}dead")"
keys_check "scripts_each"
finish
