#!/bin/sh
# Every script is all-or-nothing in effect: Redis does not roll a script
# back when a command inside it fails, so a script must find whatever would
# fail (a key of the wrong type, a counter that is no number, arguments that
# do not add up, a record it cannot read) before its first write. Each case
# below sets up data on which a late command of the script fails, runs the
# script with EVAL and checks, by the dataset's digest, that it wrote
# nothing; the cases of damaged records that a script can work around show
# that it does.
#   scripts_atomic.sh BIN SRC
BIN=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
start_redis --enable-debug-command local
keys_watch

src() { "$BIN/script_source" "$1"; }
P='vs:{0}:'
digest() { rcli DEBUG DIGEST; }
flat() { printf '%s' "$1" | tr -s '\n' ' '; } # a reply's lines as one line

# refused DESCRIPTION SCRIPT NUMKEYS ARGS...: the script returns an error
# and the dataset is unchanged.
refused() {
	desc=$1 name=$2; shift 2
	before=$(digest)
	out=$(rcli EVAL "$(src "$name")" "$@" 2>&1)
	after=$(digest)
	case "$out" in
	*ERR* | *WRONGTYPE* | *BADARGS* | *BADDATA*) err=1 ;;
	*) err=0 ;;
	esac
	if [ "$err" = 1 ] && [ "$before" = "$after" ]; then
		ok "$name: $desc: refused, nothing written"
	else
		not_ok "$name: $desc: refused, nothing written (reply: $(echo "$out" | head -c 200); digest $([ "$before" = "$after" ] && echo same || echo changed))"
	fi
}

# (the events stream's committed offset is 1-0: COMMIT's checks come after
# its offset check)
fresh() {
	rcli FLUSHALL >/dev/null
	rcli SET "${P}lease" tok >/dev/null
	rcli HSET "${P}offset" id 1-0 >/dev/null
}

# ---- COMMIT: a dead letter of more arguments than one XADD takes ----
fresh
set -- 1 s1 rec 0 1 8002
i=0
while [ $i -lt 4001 ]; do set -- "$@" "f$i" v; i=$((i + 1)); done
set -- "$@" '' '' '' 0 0
refused "a dead letter of 8,002 arguments after a state" commit 10 "${P}lease" "${P}state" "${P}tasks" \
	"${P}dead" "${P}offset" "${P}taskids:2026" "${P}swept" "${P}daily" "${P}quarantined" "${P}daily:2026-09-01" tok 1-0 99999999999999 "$@"
fresh
rcli SET "${P}daily" 2026-09-01 >/dev/null
rcli HSET "${P}daily:2026-09-01" r:mazl notanumber >/dev/null
refused "a day counter that is not a number" commit 10 "${P}lease" "${P}state" "${P}tasks" \
	"${P}dead" "${P}offset" "${P}taskids:2026" "${P}swept" "${P}daily" "${P}quarantined" "${P}daily:2026-09-01" tok 1-0 99999999999999 \
	1 s1 rec 1 8 id t1 rule mazl school 01AC date 2026-09-01 0 '' '' '' 0 0
fresh
refused "arguments that do not add up" commit 10 "${P}lease" "${P}state" "${P}tasks" \
	"${P}dead" "${P}offset" "${P}taskids:2026" "${P}swept" "${P}daily" "${P}quarantined" "${P}daily:2026-09-01" tok 1-0 99999999999999 \
	1 s1 rec 0 0 '' '' '' 0 1 2026-09-01

# ---- COMMIT: a state purged and written again in one commit is kept ----
# (a sweep inside a batch purges a finished year's state, and an entry after
# it in the batch changes the pupil: both go in the batch's commit)
fresh
rcli HSET "${P}state" s1 old >/dev/null
out=$(rcli EVAL "$(src commit)" 9 "${P}lease" "${P}state" "${P}tasks" "${P}dead" "${P}offset" \
	"${P}taskids:2026" "${P}swept" "${P}daily" "${P}quarantined" tok 1-0 99999999999999 \
	1 s1 new 0 0 '' '' '' 1 s1 0 2>&1)
st=$(rcli HGET "${P}state" s1)
if [ "$out" = 0 ] && [ "$st" = new ]; then
	ok "commit: a state purged and written in one commit keeps the new state"
else
	not_ok "commit: a state purged and written in one commit keeps the new state (reply $out, state '$st')"
fi

# ---- ACCEPT: the second entry's partner outbox has the wrong type ----
fresh
rcli SET "${P}outbox:B" wrong >/dev/null
A6="${P}lease ${P}tasks ${P}due ${P}audit ${P}quarantine ${P}quarantined"
# shellcheck disable=SC2086 # the fixed keys split on purpose
refused "an outbox of the wrong type in the second entry" accept 14 $A6 \
	"${P}task:t1" "${P}daily:2026-09-01" "${P}outbox:A" "${P}open:A" \
	"${P}task:t2" "${P}daily:2026-09-01" "${P}outbox:B" "${P}open:B" tok dispatch 1000 60000 2 \
	1-0 t1 '{"id":"t1"}' s1 A school 01AC 2026-09-01 0 0 plain 1 A school 5000 0 basis f "" "" "" 0 \
	1-1 t2 '{"id":"t2"}' s2 B school 01AC 2026-09-01 0 0 plain 1 B school 5000 0 basis f "" "" "" 0
fresh
rcli HSET "${P}daily:2026-09-01" s:01AC lots >/dev/null
# shellcheck disable=SC2086
refused "a flood counter that is not a number" accept 14 $A6 \
	"${P}task:t1" "${P}daily:2026-09-02" "${P}outbox:A" "${P}open:A" \
	"${P}task:t2" "${P}daily:2026-09-01" "${P}outbox:A" "${P}open:A" tok dispatch 1000 60000 2 \
	1-0 t1 '{"id":"t1"}' s1 A school 01AC 2026-09-02 5 0 plain 1 A school 5000 0 basis f "" "" "" 0 \
	1-1 t2 '{"id":"t2"}' s2 A school 01AC 2026-09-01 5 0 plain 1 A school 5000 0 basis f "" "" "" 0

# a key checked once as one type (the first entry's case set, a sorted set)
# and then named as another (the second entry's task record, a hash): the
# per-call memory of checked keys (check.lua) does not let it through
fresh
rcli ZADD "${P}caseset:A" 1 vsold >/dev/null
t1case=$(case_id t1 A)
# shellcheck disable=SC2086
refused "a key named as a sorted set and then as a task record" accept 22 $A6 \
	"${P}task:t1" "${P}daily:2026-09-01" "${P}outbox:A" "${P}open:A" "${P}cases:A" "${P}caseset:A" \
	"${P}caseopen:A" "${P}caseprog:A" "${P}case:" "${P}caseitems:" "${P}case:$t1case" "${P}caseitems:$t1case" \
	"${P}caseset:A" "${P}daily:2026-09-01" "${P}outbox:A" "${P}open:A" tok dispatch 1000 60000 2 \
	1-0 t1 '{"id":"t1"}' s1 A school 01AC 2026-09-01 0 0 plain 1 A school 5000 0 basis f "case|attendance|0" "" \
	"$t1case" 0 \
	1-1 t2 '{"id":"t2"}' s2 A school 01AC 2026-09-01 0 0 plain 1 A school 5000 0 basis f "" "" "" 0

# ---- TAKE: the second member's task record has the wrong type ----
fresh
rcli ZADD "${P}outbox:A" 1 't1|task' 2 't2|task' >/dev/null
rcli HSET "${P}task:t1" json '{}' A.state open student s1 >/dev/null
rcli RPUSH "${P}task:t2" wrong >/dev/null
refused "a task record of the wrong type" take 4 "${P}lease" "${P}outbox:A" "${P}task:t1" "${P}task:t2" \
	tok A 1000 30000 't1|task' 't2|task'

# ---- RESULT: a delivery recorded, then the audit stream of the wrong type ----
fresh
rcli ZADD "${P}outbox:A" 1 't1|task' >/dev/null
rcli HSET "${P}task:t1" json '{}' A.state open student s1 A.attempts 0 >/dev/null
rcli SET "${P}audit" wrong >/dev/null
refused "an audit stream of the wrong type" result 5 "${P}lease" "${P}audit" "${P}outbox:A" "${P}task:t1" \
	"${P}undeliverable:A" tok "$P" 99999999 1 A 't1|task' delivered 2000 1000 detail f basis 0 primary webhook
# a batch: the second delivery's record has the wrong type; the first is
# still recorded, the second (checked before anything is written) is not
rcli DEL "${P}audit" >/dev/null
rcli ZADD "${P}outbox:B" 1 't2|task' >/dev/null
rcli RPUSH "${P}task:t2" wrong >/dev/null
out=$(rcli EVAL "$(src result)" 8 "${P}lease" "${P}audit" "${P}outbox:A" "${P}task:t1" "${P}undeliverable:A" \
	"${P}outbox:B" "${P}task:t2" "${P}undeliverable:B" tok "$P" 99999999 2 \
	A 't1|task' delivered 2000 1000 detail f basis 0 primary webhook \
	B 't2|task' delivered 2000 1000 detail f basis 0 primary webhook 2>&1 | tr '\n' ' ')
check "result: a batch with one unrecordable delivery records the other ($out)" \
	test "$(rcli HGET "${P}task:t1" A.delivery):$(rcli ZCARD "${P}outbox:B"):$(rcli XLEN "${P}audit")" = "delivered:1:1"
# an attempts counter that is no number counts from 0 again
rcli DEL "${P}audit" >/dev/null
rcli HSET "${P}task:t1" A.attempts many >/dev/null
out=$(rcli EVAL "$(src result)" 5 "${P}lease" "${P}audit" "${P}outbox:A" "${P}task:t1" "${P}undeliverable:A" \
	tok "$P" 99999999 1 A 't1|task' retry 2000 1000 detail f basis 0 primary webhook 2>&1)
check "result: an attempts counter that is no number restarts ($out)" \
	test "$out:$(rcli HGET "${P}task:t1" A.attempts)" = "ok:1"

# ---- DUE: the second item's task record has the wrong type ----
fresh
rcli ZADD "${P}due" 1 'due|t1|A' 2 'due|t2|A' >/dev/null
rcli HSET "${P}task:t1" json '{"id":"t1","rule":"mazl"}' A.state open student s1 A.role school >/dev/null
rcli RPUSH "${P}task:t2" wrong >/dev/null
refused "a task record of the wrong type" due 8 "${P}lease" "${P}due" "${P}tasks" "${P}audit" \
	"${P}task:t1" "${P}outbox:A" "${P}task:t2" "${P}outbox:A" tok 1000 2026-09-01T00:00:00Z 48 'due|t1|A' 'due|t2|A'
# an unreadable or incomplete record: the assignment still becomes overdue,
# without an escalation if unreadable, and the items around it are handled
rcli DEL "${P}task:t2" >/dev/null
rcli HSET "${P}task:t2" json 'not json' A.state open student s2 A.role school >/dev/null
rcli ZADD "${P}due" 3 'due|t3|A' >/dev/null
# (t3 lacks its student and role fields: still a well-formed escalation)
rcli HSET "${P}task:t3" json '{"id":"t3","rule":"mazl"}' A.state open >/dev/null
out=$(rcli EVAL "$(src due)" 10 "${P}lease" "${P}due" "${P}tasks" "${P}audit" "${P}task:t1" "${P}outbox:A" \
	"${P}task:t2" "${P}outbox:A" "${P}task:t3" "${P}outbox:A" tok 1000 2026-09-01T00:00:00Z 48 \
	'due|t1|A' 'due|t2|A' 'due|t3|A' 2>&1)
check "due: an unreadable record does not stop the others ($(flat "$out"))" \
	test "$(flat "$out")" = "3 2"
check "due: ... its assignment is overdue" test "$(rcli HGET "${P}task:t2" A.state)" = overdue
check "due: ... two escalations, none for it" test "$(rcli XLEN "${P}tasks")" = 2

# ---- ACK: an open-tasks index of the wrong type ----
fresh
rcli HSET "${P}task:t1" json '{"id":"t1","rule":"mazl"}' A.state open student s1 >/dev/null
rcli SET "${P}open:A" wrong >/dev/null
refused "an open-tasks index of the wrong type" ack 11 "${P}audit" "${P}tasks" "${P}due" \
	"${P}task:t1" "${P}open:A" "${P}case:" "${P}cases:A" "${P}progress:A" "${P}closed:A" "${P}caseopen:A" \
	"${P}caseprog:A" t1 A consult_requested note 1000 2026-09-01T00:00:00Z 48 ""
# an unreadable record: the acknowledgement is recorded, no referral
rcli DEL "${P}open:A" >/dev/null
rcli HSET "${P}task:t1" json 'not json' A.role school >/dev/null
out=$(rcli EVAL "$(src ack)" 11 "${P}audit" "${P}tasks" "${P}due" "${P}task:t1" "${P}open:A" "${P}case:" \
	"${P}cases:A" "${P}progress:A" "${P}closed:A" "${P}caseopen:A" "${P}caseprog:A" t1 A consult_requested note 1000 2026-09-01T00:00:00Z 48 "" 2>&1)
check "ack: an unreadable record is acknowledged ($(flat "$out"))" test "$(flat "$out")" = "OK"
check "ack: ... and recorded" test "$(rcli HGET "${P}task:t1" A.state)" = acked

# ---- QUARANTINE: the second held task is unreadable ----
fresh
rcli XADD "${P}quarantine" '*' key '01AC|2026-09-01' task t1 json '{"id":"t1"}' roles school \
	student s1 >/dev/null
rcli XADD "${P}quarantine" '*' key '01AC|2026-09-01' task t2 json 'not json' roles school \
	student s2 >/dev/null
refused "an unreadable held task" quarantine 4 "${P}quarantine" "${P}quarantined" "${P}tasks" \
	"${P}audit" "$P" '*' release 1000 48

# ---- REQUEUE: the second dead letter has more fields than one XADD takes ----
fresh
rcli XADD "${P}dead" '*' reason unknown_kind stream_id 1-0 field.kind bogus >/dev/null
set --
i=0
while [ $i -lt 4100 ]; do set -- "$@" "field.f$i" v; i=$((i + 1)); done
rcli XADD "${P}dead" '*' reason unknown_kind stream_id 1-1 "$@" >/dev/null
refused "a dead letter of 4,100 fields" requeue 2 "${P}dead" "${P}events" '' ''

# ---- REDELIVER: the partner's outbox has the wrong type ----
fresh
rcli HSET "${P}task:t1" json '{}' A.delivery failed student s1 A.first_ms 5 >/dev/null
rcli SET "${P}outbox:A" wrong >/dev/null
refused "an outbox of the wrong type" redeliver 3 "${P}outbox:A" "${P}audit" "${P}task:t1" "$P" t1 A 1000

# ---- LIST: a task record of the wrong type after an expired one ----
fresh
rcli ZADD "${P}open:A" 1 t0 2 t1 >/dev/null
rcli RPUSH "${P}task:t1" wrong >/dev/null
refused "a task record of the wrong type" list 3 "${P}open:A" "${P}task:t0" "${P}task:t1" page A -inf '' 10 0 t0 1 t1 2
keys_check "scripts_atomic"
finish
