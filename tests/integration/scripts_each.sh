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

P='vs:{0}:'
flat() { printf '%s' "$1" | tr -s '\n' ' ' | sed 's/ $//'; }
# ev NAME NUMKEYS ARGS...: the script's reply, its lines on one line
ev() { name=$1; shift; flat "$(rcli EVAL "$("$BIN/script_source" "$name")" "$@" 2>&1)"; }
# expect DESCRIPTION WANT GOT
expect() {
	if [ "$3" = "$2" ]; then ok "$1"; else not_ok "$1 (got '$3', want '$2')"; fi
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

# ---- commit ----
commit() { # ARGS after the keys (one counted date: 2026-09-01)
	ev commit 10 "${P}lease" "${P}state" "${P}tasks" "${P}dead" "${P}events" "${P}taskids:2026" \
		"${P}swept" "${P}daily" "${P}quarantined" "${P}daily:2026-09-01" tok rules 99999999999999 "$@"
}
fresh
rcli XGROUP CREATE "${P}events" rules 0 MKSTREAM >/dev/null
rcli XADD "${P}events" 5-1 f v >/dev/null
rcli XREADGROUP GROUP rules c COUNT 1 STREAMS "${P}events" '>' >/dev/null
set -- 1 s1 rec1 1 8 id t1 rule mazl school 01AC date 2026-09-01 0 1 5-1 2026-09-01 0 1 2026-09-01 01AC 3 0
lease_lost commit 10 "${P}lease" "${P}state" "${P}tasks" "${P}dead" "${P}events" "${P}taskids:2026" \
	"${P}swept" "${P}daily" "${P}quarantined" "${P}daily:2026-09-01" tok rules 99999999999999 "$@"
expect "commit: one task created" 1 "$(commit "$@")"
expect "commit: the state is written" rec1 "$(rcli HGET "${P}state" s1)"
expect "commit: the task is on the tasks stream" 1 "$(rcli XLEN "${P}tasks")"
expect "commit: the entry is acknowledged" 0 "$(flat "$(rcli XPENDING "${P}events" rules | head -1)")"
expect "commit: the swept marker is set" 2026-09-01 "$(rcli GET "${P}swept")"
expect "commit: the day counts the task by rule" 1 "$(rcli HGET "${P}daily:2026-09-01" r:mazl)"
expect "commit: the day counts the school's absences" 3 "$(rcli HGET "${P}daily:2026-09-01" g:01AC)"
expect "commit: a repeated task is not written again" 0 "$(commit "$@")"
expect "commit: ... the tasks stream holds it once" 1 "$(rcli XLEN "${P}tasks")"
# every key it touches is declared: a counted date without its daily key is refused, unwritten
fresh
before=$(digest)
out=$(ev commit 9 "${P}lease" "${P}state" "${P}tasks" "${P}dead" "${P}events" "${P}taskids:2026" \
	"${P}swept" "${P}daily" "${P}quarantined" tok rules 99999999999999 "$@")
case "$out" in
*"BADARGS the key ${P}daily:2026-09-01 is not in KEYS"*)
	[ "$before" = "$(digest)" ] && ok "commit: an undeclared day key: refused, nothing written" ||
		not_ok "commit: an undeclared day key: refused but the dataset changed" ;;
*) not_ok "commit: an undeclared day key: refused (reply: $out)" ;;
esac
# several states in one commit (one HSET), and a school day past its flood limit
fresh
rcli XGROUP CREATE "${P}events" rules 0 MKSTREAM >/dev/null
expect "commit: three states, no task" 0 "$(commit 3 s1 r1 s2 r2 s3 r3 0 0 0 '' 0 1 2026-09-01 01AC 5 4)"
expect "commit: ... every state written" "r1 r2 r3" \
	"$(flat "$(rcli HMGET "${P}state" s1 s2 s3)")"
expect "commit: ... the school day past its limit is quarantined" "01AC|2026-09-01" \
	"$(rcli SMEMBERS "${P}quarantined")"
expect "commit: a second commit adds to the day's counts" 0 "$(commit 0 0 0 0 '' 0 1 2026-09-01 01AC 2 0)"
expect "commit: ... the absences counted in both" 7 "$(rcli HGET "${P}daily:2026-09-01" g:01AC)"
ttl=$(rcli PTTL "${P}daily:2026-09-01")
[ "$ttl" -gt 0 ] && ok "commit: ... the day hash expires ($ttl ms)" || not_ok "commit: ... the day hash expires ($ttl ms)"

# ---- accept, take, result, due, list, ack, redeliver: one task through ----
fresh
rcli XGROUP CREATE "${P}tasks" dispatch 0 MKSTREAM >/dev/null
rcli XADD "${P}tasks" 7-1 id t1 >/dev/null
rcli XREADGROUP GROUP dispatch c COUNT 1 STREAMS "${P}tasks" '>' >/dev/null
json='{"id":"t1","rule":"mazl","student":"s1","school":"01AC","date":"2026-09-01","kind":"task"}'
set -- tok dispatch "$P" 1000 600000 1 7-1 t1 "$json" s1 A school 01AC 2026-09-01 0 0 1 \
	A school 1500 0 basis id,rule "" 0
lease_lost accept 4 "${P}lease" "${P}tasks" "${P}due" "${P}audit" "$@"
expect "accept: the task is created" "1 0" "$(ev accept 4 "${P}lease" "${P}tasks" "${P}due" "${P}audit" "$@")"
expect "accept: the record's JSON in chunks of 64 bytes" "2 $json" \
	"$(rcli HGET "${P}task:t1" jn) $(rcli HGET "${P}task:t1" j1)$(rcli HGET "${P}task:t1" j2)"
expect "accept: ... so the record is a listpack" listpack "$(rcli OBJECT ENCODING "${P}task:t1")"
expect "accept: the partner's outbox" "t1|task" "$(rcli ZRANGE "${P}outbox:A" 0 -1)"
expect "accept: the due time" "due|t1|A" "$(rcli ZRANGE "${P}due" 0 -1)"
expect "accept: the entry is acknowledged" 0 "$(flat "$(rcli XPENDING "${P}tasks" dispatch | head -1)")"
expect "accept: a repeated entry creates nothing" "0 0" "$(ev accept 4 "${P}lease" "${P}tasks" "${P}due" "${P}audit" "$@")"
expect "accept: ... one assignment in the audit" 1 "$(rcli XLEN "${P}audit")"

lease_lost take 2 "${P}lease" "${P}outbox:A" tok "$P" A 1000 10 30000
out=$(ev take 2 "${P}lease" "${P}outbox:A" tok "$P" A 1000 10 30000)
case "$out" in "t1|task $json 1500 primary 0 s1 1000"*) ok "take: the member and its record" ;;
*) not_ok "take: the member and its record (got '$out')" ;; esac
expect "take: the member is held while in flight" 31000 "$(rcli ZSCORE "${P}outbox:A" 't1|task')"
# a record written before the chunks (the whole JSON in "json") still reads
rcli HSET "${P}task:t0" json "$json" student s1 partners A created_ms 1000 A.state open A.due 1500 \
	A.via primary A.attempts 0 >/dev/null
rcli ZADD "${P}outbox:A" 900 't0|task' >/dev/null
out=$(ev take 2 "${P}lease" "${P}outbox:A" tok "$P" A 1000 10 30000)
case "$out" in "t0|task $json 1500 primary 0 s1 1000"*) ok "take: a record of the previous layout" ;;
*) not_ok "take: a record of the previous layout (got '$out')" ;; esac
rcli DEL "${P}task:t0" >/dev/null
rcli ZREM "${P}outbox:A" 't0|task' >/dev/null

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

expect "list: the partner's open task" t1 "$(ev list 1 "${P}open:A" "$P" A +inf 10 | cut -d' ' -f1)"

lease_lost due 4 "${P}lease" "${P}due" "${P}tasks" "${P}audit" tok "$P" 2000 10 2026-09-02T00:00:00Z 48
out=$(ev due 4 "${P}lease" "${P}due" "${P}tasks" "${P}audit" tok "$P" 2000 10 2026-09-02T00:00:00Z 48)
expect "due: the due time handled" 1 "$(echo "$out" | cut -d' ' -f1)"
expect "due: the assignment is overdue" overdue "$(rcli HGET "${P}task:t1" A.state)"

ack() { ev ack 5 "${P}audit" "${P}tasks" "${P}due" "${P}task:$1" "${P}open:$2" "$P" "$1" "$2" "$3" note 3000 \
	2026-09-02T00:00:00Z 48; }
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
# acc EID ID NOW ROLE MODE: one leerplicht_16u entry for pupil s1 to partner L
acc() {
	ev accept 4 "${P}lease" "${P}tasks" "${P}due" "${P}audit" tok dispatch "$P" "$3" 600000 1 \
		"$1" "$2" "{\"id\":\"$2\",\"rule\":\"leerplicht_16u\"}" s1 L "$4" 01AC 2026-09-01 0 0 1 \
		L "$4" $(($3 + 500)) 0 basis id,rule "$5|unauthorised|100000" 0
}
expect "case: the first signal is a task" "1 0" "$(acc 8-1 c1 1000 leerplicht case)"
cid=$(rcli HGET "${P}task:c1" L.case)
expect "case: ... which opens the case" "open c1 s1 unauthorised" \
	"$(flat "$(rcli HMGET "${P}case:$cid" state task student topic)")"
expect "case: ... indexed per partner, pupil and topic" "$cid" "$(rcli HGET "${P}cases:L" 's1|unauthorised')"
# cnt NOW: caseread's counts (open and not overdue, overdue, in progress),
# from the per-state sets
cnt() { ev caseread 2 "${P}caseopen:L" "${P}caseprog:L" count "$P" L "$1"; }
expect "case count: open before its due time (1500)" "1 0 0" "$(cnt 1000)"
expect "case count: overdue from its due time" "0 1 0" "$(cnt 1500)"
expect "case: the next signal" "1 0" "$(acc 8-2 c2 2000 leerplicht case)"
expect "case: ... is an update of the open case" "update $cid" "$(flat "$(rcli HMGET "${P}task:c2" L.state L.case)")"
expect "case: ... in the outbox as an update" "c1|task c2|update" "$(flat "$(rcli ZRANGE "${P}outbox:L" 0 -1)")"
expect "case: ... with no due time, reminder or open entry" "1 1" \
	"$(rcli ZCARD "${P}due") $(rcli ZCARD "${P}open:L")"
expect "case: ... listed in the case" "2 c1|task c2|update" "$(flat "$(rcli HMGET "${P}case:$cid" items i1 i2)")"
expect "case: ... with no list key of its own" 0 "$(rcli EXISTS "${P}caseitems:$cid")"
case "$(ev caseread 1 "${P}case:$cid" get "$P" L 2100)" in
*" c1 task open 1500 pending c2 update update pending") ok "case: ... read back in order" ;;
*) not_ok "case: ... read back in order (got '$(ev caseread 1 "${P}case:$cid" get "$P" L 2100)')" ;; esac
expect "case: a separate task for an open case is a task" "1 0" "$(acc 8-3 c3 3000 school separate)"
expect "case: ... linked to its case, with a due time" "open" "$(rcli HGET "${P}task:c3" L.state)"
expect "case: ... the same case" "$cid" "$(rcli HGET "${P}task:c3" L.case)"
ack() { ev ack 5 "${P}audit" "${P}tasks" "${P}due" "${P}task:$1" "${P}open:$2" "$P" "$1" "$2" "$3" note "$4" \
	2026-09-02T00:00:00Z 48; }
expect "case: an update is not acknowledged itself" "CONFLICT:update" "$(ack c2 L planned 4000)"
expect "case: only the school requests the MAZL consult" "DENIED" "$(ack c1 L consult_requested 4000)"
expect "case: planned" "OK" "$(ack c1 L planned 4000)"
expect "case: ... puts the case in progress" "in_progress 4000" \
	"$(flat "$(rcli HMGET "${P}case:$cid" state last_ack_ms)")"
expect "case count: in progress" "0 0 1" "$(cnt 4000)"
expect "case: planned again is harmless" "REPEAT" "$(ack c1 L planned 4100)"
expect "case: in progress takes updates" "1 0" "$(acc 8-4 c4 5000 leerplicht case)"
expect "case: ... as an update" "update" "$(rcli HGET "${P}task:c4" L.state)"
expect "case: planned, later done" "OK" "$(ack c1 L done 6000)"
expect "case: ... closes the case" "closed done" "$(flat "$(rcli HMGET "${P}case:$cid" state closed_by)")"
expect "case count: a closed case is not counted" "0 0 0" "$(cnt 6000)"
expect "case: a step back after done" "CONFLICT:done" "$(ack c1 L planned 6100)"
expect "case: the next signal after done" "1 0" "$(acc 8-5 c5 7000 leerplicht case)"
cid2=$(rcli HGET "${P}task:c5" L.case)
expect "case: ... opens a new case with a task" "open open" \
	"$(rcli HGET "${P}task:c5" L.state) $(rcli HGET "${P}case:$cid2" state)"
[ "$cid2" != "$cid" ] && ok "case: ... a different case id" || not_ok "case: ... a different case id"
# a case opened before the items moved into the case hash keeps its list
rcli HDEL "${P}case:$cid2" items i1 >/dev/null
rcli RPUSH "${P}caseitems:$cid2" 'c5|task' >/dev/null
expect "case: an update of a case of the previous layout" "1 0" "$(acc 8-7 c7 7500 leerplicht case)"
expect "case: ... goes to its list" "c5|task c7|update 0" \
	"$(flat "$(rcli LRANGE "${P}caseitems:$cid2" 0 -1)") $(rcli HEXISTS "${P}case:$cid2" items)"
case "$(ev caseread 1 "${P}case:$cid2" get "$P" L 7600)" in
*" c5 task open "*" c7 update update "*) ok "case: ... which is read back" ;;
*) not_ok "case: ... which is read back (got '$(ev caseread 1 "${P}case:$cid2" get "$P" L 7600)')" ;; esac
ack c5 L planned 8000 >/dev/null
# idle: no signal and no acknowledgement for 100000 ms after planned
expect "case: a signal after the idle time" "1 0" "$(acc 8-6 c6 108000 leerplicht case)"
cid3=$(rcli HGET "${P}task:c6" L.case)
expect "case: ... closed the idle case" "closed idle" "$(flat "$(rcli HMGET "${P}case:$cid2" state closed_by)")"
expect "case: ... and opened a new one with a task" "open" "$(rcli HGET "${P}task:c6" L.state)"
[ "$cid3" != "$cid2" ] && ok "case: ... a new case id" || not_ok "case: ... a new case id"
expect "case: the partner's cases" 3 "$(rcli ZCARD "${P}caseset:L")"
expect "case count: the idle case closed, the new one open" "1 0 0" "$(cnt 108000)"
# trim (cases mode): index fields whose case record is gone (expired with
# the retention) or closed go; the sets lose members before the cutoff
rcli HSET "${P}cases:L" 's2|unauthorised' vsgone 's3|health' "$cid" >/dev/null
trimc() { ev trim 4 "${P}cases:L" "${P}caseopen:L" "${P}caseprog:L" "${P}caseset:L" cases "$P" "$1"; }
expect "trim cases: removes the fields of a gone and a closed case" 2 "$(trimc 5000)"
expect "trim cases: ... keeps the open case's" "$cid3" "$(flat "$(rcli HVALS "${P}cases:L" | grep -v '^1$')")"
expect "trim cases: ... and notes the sets built" 1 "$(rcli HGET "${P}cases:L" sets_built)"
expect "trim cases: ... and the cases opened after the cutoff" 2 "$(rcli ZCARD "${P}caseset:L")"
rcli DEL "${P}caseopen:L" "${P}caseprog:L" >/dev/null
rcli HDEL "${P}cases:L" sets_built >/dev/null
expect "trim cases: without the per-state sets (older data)" 0 "$(trimc 5000)"
expect "trim cases: ... files the open case under its due time" 108500 "$(rcli ZSCORE "${P}caseopen:L" "$cid3")"
expect "trim cases: the set's members past the retention go" "0 0 0" "$(trimc 200000 >/dev/null; cnt 300000)"
# an ACK (or ACCEPT) before the first trim in cases mode made one of the sets:
# the cases from before the sets are filed all the same, once
rcli DEL "${P}caseopen:L" "${P}caseprog:L" >/dev/null
rcli HDEL "${P}cases:L" sets_built >/dev/null
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

# ---- requeue ----
fresh
rcli XADD "${P}dead" '*' reason unknown_kind stream_id 1-0 field.kind bogus field.student s1 >/dev/null
rcli XADD "${P}dead" '*' reason bad_date stream_id 1-1 field.kind absence >/dev/null
expect "requeue: the dead letters of one reason" 1 "$(ev requeue 2 "${P}dead" "${P}events" unknown_kind '')"
expect "requeue: ... their original fields on the event stream" "kind bogus student s1" \
	"$(flat "$(rcli XRANGE "${P}events" - + | tail -4)")"
expect "requeue: ... the other reason stays" 1 "$(rcli XLEN "${P}dead")"
finish
