#!/bin/sh
# The delivery audit entries and the fields they share with the assigned
# entry (docs/partners.md, section 8): a task accepted and delivered by the
# same dispatcher under one configuration gets a `delivered` entry without
# `fields` and `legal_basis` (the `assigned` entry holds them), in the
# assigned entries' field layout, and `vroegsignaal audit` still shows both
# from the assigned entry. A task accepted before a reload that changed the
# partner's legal basis and delivered after it gets both in its `delivered`
# entry, as they were sent.
BIN=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
printf 'whsec-audit-0123456789abcdef\n' >"$WORK/secret"
start_redis
keys_watch
start_webhook wh --secret-file "$WORK/secret" --down-file "$WORK/down"
config a ', "partitions": 1'
config_extend a <<JSON
, "dispatch": {"poll_ms": 50, "retry_base_ms": 100, "retry_max_ms": 300},
  "partners": [
    $(webhook_school 16 5000),
$(file_partners_but_school)
  ]
}
JSON
"$VS" generate --config "$SRC/config/vroegsignaal.json" --seed 5 --pupils 30 >"$WORK/ev.jsonl" 2>/dev/null
half=$(($(wc -l <"$WORK/ev.jsonl") / 2))
head -n "$half" "$WORK/ev.jsonl" >"$WORK/ev1.jsonl"
tail -n +"$((half + 1))" "$WORK/ev.jsonl" >"$WORK/ev2.jsonl"
start_daemon a
D=$LAST_PID
"$VS" send --config "$WORK/a.json" "$WORK/ev1.jsonl" >/dev/null 2>&1
check "the daemon catches up" wait_caught_up 60
check "the school's first deliveries arrive" wait_for 30 sh -c \
	"test -s '$WORK/wh.jsonl' && [ \$(redis-cli -s '$SOCK' ZCARD 'vs:{0}:outbox:school') -eq 0 ]"

# school_entries EVENT: "task fields|legal_basis" of each of the school's
# audit entries of that event, in stream order
school_entries() {
	rcli --json XRANGE 'vs:{0}:audit' - + | $PY -c "
import json, sys
for eid, f in json.load(sys.stdin):
    e = dict(zip(f[0::2], f[1::2]))
    if e.get('event') == '$1' and e.get('partner') == 'school':
        print(e['task'], e.get('fields', '-') + '|' + e.get('legal_basis', '-'), eid)"
}
school_entries delivered >"$WORK/d1"
school_entries assigned >"$WORK/a1"
check "the school's deliveries are audited" test -s "$WORK/d1"
check "... without the fields and legal basis of their assigned entry (given: empty)" \
	sh -c "! grep -v ' | ' '$WORK/d1' | grep -q ."
check "... and the assigned entries hold them" \
	sh -c "! grep -v ' [a-z_,()]*|Leerplichtwet 1969 ' '$WORK/a1' | grep -q ."
rcli --json XRANGE 'vs:{0}:audit' - + | $PY -c "
import json, sys
names = None
for eid, f in json.load(sys.stdin):
    e = dict(zip(f[0::2], f[1::2]))
    if e['event'] in ('assigned', 'delivered'):
        if names is None: names = f[0::2]
        elif f[0::2] != names: print('other layout:', eid, f[0::2])" >"$WORK/layouts"
check "assigned and delivered entries have the same fields in the same order" \
	sh -c "! grep -q . '$WORK/layouts'"
T1=$(head -1 "$WORK/d1" | cut -d' ' -f1)
"$VS" audit --redis "$SOCK" --task "$T1" >"$WORK/audit1.jsonl" 2>/dev/null
check "vroegsignaal audit shows a delivery's fields and legal basis from its assigned entry" \
	grep -q "\"event\":\"delivered\",\"task\":\"$T1\",\"partner\":\"school\",\"student\":\"[^\"]*\",\"fields\":\"student,[^\"]*\",\"legal_basis\":\"Leerplichtwet 1969\"" "$WORK/audit1.jsonl"

# The receiver down: the next tasks are accepted, not delivered; the
# school's legal basis changes with a reload; then the receiver is back.
touch "$WORK/down"
"$VS" send --config "$WORK/a.json" "$WORK/ev2.jsonl" >/dev/null 2>&1
check "the daemon catches up again" wait_caught_up 60
check "the school's next tasks wait in its outbox" wait_for 20 sh -c \
	"[ \$(redis-cli -s '$SOCK' ZCARD 'vs:{0}:outbox:school') -gt 0 ]"
$PY - "$WORK/a.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
for p in c['partners']:
    if p['id'] == 'school': p['legal_basis'] = 'Leerplichtwet 1969, artikel 21'
json.dump(c, open(sys.argv[1], 'w'))
PY
check "the school's legal basis changed in the configuration" grep -q "artikel 21" "$WORK/a.json"
kill -HUP "$D"
check "SIGHUP reloads the partners" wait_for 10 grep -q 'configuration reloaded' "$WORK/a.log"
rm -f "$WORK/down"
check "the waiting deliveries arrive" wait_for 30 sh -c \
	"[ \$(redis-cli -s '$SOCK' ZCARD 'vs:{0}:outbox:school') -eq 0 ]"
school_entries delivered >"$WORK/d2"
grep -v -F -f "$WORK/d1" "$WORK/d2" >"$WORK/d2new"
check "deliveries after the reload" test -s "$WORK/d2new"
check "... each with its fields and the new legal basis (it differs from the assigned entry's)" \
	sh -c "! grep -v ' student,[a-z_,()]*|Leerplichtwet 1969, artikel 21 ' '$WORK/d2new' | grep -q ."
kill -TERM "$D"
wait "$D" || true
keys_check "audit_fields"
finish
