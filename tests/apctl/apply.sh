#!/bin/bash
# SPDX-License-Identifier: MIT
#
# apctl apply FILE [--dry-run]: plan, validation of the whole desired set
# (refused with exit 3 and every finding, nothing changed), step by step
# application, idempotence ("nothing to do"), shrink-before-grow when mdevs
# trade APQNs, and rollback: a failure injected mid-apply (a sysfs write
# failing; an APQN taken by another mdev between validation and
# application) leaves host and definitions exactly as before.
#
# Spec: ecosystem.md §1.3 items 3, 5, 6; vfio-ap-semantics.md §2.3, §2.6.
. "$(dirname "$0")/../interop/lib.sh"
interop_enter -- ${APV_APSIM_ARGS:-}

TAG=${APV_GOLDEN_TAG:?}
CFG=$(mktemp -d)
trap 'rm -rf "$CFG"' EXIT
apctl() { "${APCTL:?}" --config-root "$CFG" "$@"; }
golden() { expect_golden "$1-$TAG" "$2" "$3"; }
DEFS=$CFG/mdevctl.d/matrix
cd "$CFG" || exit 1
# Everything apply may change: definitions (bytes), mdevs, queues.
state() {
	(cd "$DEFS" 2>/dev/null && md5sum -- * 2>/dev/null | sort)
	apctl --json list
	apctl --json host
}

aqmask_write -0x47,-0x54
cat >one.json <<'JSON'
{"mdevs": [
  {"name": "g1", "adapters": "4-5", "domains": "0x47", "control_domains": "0x47", "active": true},
  {"name": "g2", "adapters": [4], "domains": [84], "autostart": true, "active": true},
  {"name": "g3", "adapters": "5", "domains": "0x54"}
]}
JSON
run apctl define old -a 4 -d 0x54 --autostart
OLD=$out
s0=$(state)
run apctl apply one.json --dry-run
expect_rc 0 "apply --dry-run"
golden apply-dry "$out" "the plan"
expect_eq "$(state)" "$s0" "--dry-run changes nothing"
run apctl --json apply --dry-run one.json
golden apply-dry.json "$out" "the plan as JSON"

run apctl apply one.json
expect_rc 0 "apply"
golden apply-one "$out" "apply: plan and result"
run apctl list
golden apply-one-list "$out" "the result"
expect_absent "$DEFS/$OLD" "the unlisted definition is removed (prune)"
s1=$(state)
run apctl apply one.json
expect_rc 0 "apply again"
expect_eq "$out" "nothing to do" "idempotent"
expect_eq "$(state)" "$s1" "nothing changed the second time"

# g1 gives 05.0047 to g2: g1 must shrink before g2 grows.
cat >two.json <<'JSON'
{"mdevs": [
  {"name": "g1", "adapters": "4", "domains": "0x47", "control_domains": "0x47", "active": true},
  {"name": "g2", "adapters": "4-5", "domains": "0x54", "autostart": true, "active": true},
  {"name": "g3", "adapters": "5", "domains": "0x47", "active": true}
]}
JSON
run apctl apply two.json
expect_rc 0 "apply: mdevs trade APQNs"
golden apply-two "$out" "shrink, then grow, then start"
s2=$(state)

# Refused: every finding, exit 3, nothing changed.
cat >bad.json <<'JSON'
{"mdevs": [
  {"name": "g1", "adapters": "4-5", "domains": "4,0x47", "active": true},
  {"name": "g2", "adapters": "5", "domains": "0x47", "active": true}
]}
JSON
run apctl apply bad.json
expect_rc 3 "apply refused"
golden apply-refused "$out" "the findings"
expect_eq "$err" "apctl: 'bad.json': refused, nothing changed: 3 errors, 0 warnings" \
	"one message"
run apctl --json apply bad.json
expect_rc 3 "apply --json refused"
golden apply-refused.json "$out" "findings, plan and the error keys"
expect_eq "$(state)" "$s2" "refused: nothing changed"

# Rollback of an injected sysfs/definition failure, at every step.
cat >three.json <<'JSON'
{"mdevs": [
  {"name": "g1", "adapters": "5", "domains": "0x47", "active": true},
  {"name": "g4", "adapters": "4", "domains": "0x47,0x54", "control_domains": [71, 84], "autostart": true, "active": true}
]}
JSON
run apctl --json apply --dry-run three.json
points=$(python3 -c 'import json,sys; print(len(json.loads(sys.argv[1])["plan"]))' "$out")
check "three.json has several steps ($points)" test "$points" -ge 5
for n in 1 2 3 4 5 6 7 8 9 10 11 12; do
	APCTL_TEST_FAIL_AT=$n run apctl apply three.json
	[ "$rc" = 0 ] && break
	expect_rc 1 "failure injected at point $n"
	expect_eq "$(state)" "$s2" "point $n: host and definitions exactly as before"
done
expect_eq "$(find "$DEFS" -name '.*' | wc -l)" 0 "no temporary file left"
APCTL_TEST_FAIL_AT=12 run apctl --json apply three.json
golden apply-rollback.json "$out" "a failed step and the rolled-back ones"
expect_eq "$(state)" "$s2" "as before"

# An APQN taken between validation and application: EADDRINUSE names it
# and its owner, all is rolled back.  four.json adds g7 on the free 04.0010;
# the thief takes it at test point 4 (after g7's definition, before its
# create).
X=11111111-2222-3333-4444-0000000000aa
steal() {
	printf 'echo %s >%s/create; echo %s >%s/%s/assign_adapter; echo %s >%s/%s/assign_domain' \
		$X "$MTYPE" "$1" "$MATRIX" $X "$2" "$MATRIX" $X
}
aqmask_write -0x10
python3 -c 'import json; d = json.load(open("two.json"))
d["mdevs"].append({"name": "g7", "adapters": "4", "domains": "0x10", "active": True})
json.dump(d, open("four.json", "w"))'
s3=$(state)
APCTL_TEST_RUN_AT="4:$(steal 4 0x10)" run apctl apply four.json
expect_rc 1 "apply loses a race for 04.0010"
expect_contains "$err" "APQN 04.0010 is already assigned to mdev $X" \
	"the APQN and the thief are named"
expect_contains "$err" "rolled back steps 1" "rolled back"
echo 1 >"$MATRIX/$X/remove"
expect_eq "$(state)" "$s3" "after the race: exactly as before"

# A thief that also blocks the rollback (05.0047, freed by g3's stop at
# point 10, taken at 11): the incomplete rollback is reported, not hidden.
APCTL_TEST_RUN_AT="11:$(steal 5 0x47)" run apctl --json apply three.json
expect_rc 1 "apply loses a race for 05.0047"
expect_contains "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["error"])' "$out")" \
	"ROLLBACK INCOMPLETE" "an incomplete rollback is said"
check "rollback_failed names g3's restart" python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["errno"] == "EADDRINUSE" and d["owner"] == sys.argv[2], d
assert len(d["rollback_failed"]) == 1, d["rollback_failed"]
' "$out" $X
echo 1 >"$MATRIX/$X/remove"
run apctl apply three.json
expect_rc 0 "apply three.json"
run apctl list
golden apply-three-list "$out" "the result"

# prune false: what the file does not list stays.
cat >keep.json <<'JSON'
{"prune": false, "mdevs": [{"name": "g5", "adapters": "5", "domains": "0x54"}]}
JSON
run apctl apply keep.json
expect_rc 0 "apply with prune false"
expect_eq "$out" "1. define   mdev $(apctl show g5 2>&1 | sed -n '0,/^mdev /s/^mdev \([0-9a-f-]*\).*/\1/p') (g5): adapters 05 domains 0054 control domains -, start manual
applied 1 step" "only g5 is defined" 
cat >clash.json <<'JSON'
{"prune": false, "mdevs": [{"name": "g6", "adapters": "5", "domains": "0x47", "active": true}]}
JSON
run apctl apply clash.json
expect_rc 3 "prune false: a clash with an unlisted running mdev"
expect_contains "$out" "error apqn-in-use:" "named"

for bad in '{"mdevs": {}}' '{"mdevs": [], "extra": 1}' \
	'{"mdevs": [{"adapters": "4"}]}' '{"mdevs": [{"uuid": "x"}]}' \
	'{"mdevs": [{"name": "a", "active": "yes"}]}' \
	'{"mdevs": [{"name": "a", "domains": [300]}]}' '{'; do
	printf '%s' "$bad" >bad.json
	run apctl apply bad.json
	expect_rc 1 "bad file: $bad"
done
run apctl apply
expect_rc 2 "apply without FILE"

interop_done
