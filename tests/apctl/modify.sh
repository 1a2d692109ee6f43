#!/bin/bash
# SPDX-License-Identifier: MIT
#
# apctl modify: the definition (atomic, idempotent) and, with --live, the
# running mdev: one ap_config write on 6.12, unassign-then-assign on 6.1
# (no APQN of the final matrix is ever unassigned), everything undone on
# the first failure; errors name the APQN and the owner.
#
# Spec: vfio-ap-semantics.md §2.3, §2.6; ecosystem.md §1.1 (transactional
# live reconfiguration).
. "$(dirname "$0")/../interop/lib.sh"
interop_enter -- ${APV_APSIM_ARGS:-}

TAG=${APV_GOLDEN_TAG:?}
CFG=$(mktemp -d)
trap 'rm -rf "$CFG"' EXIT
apctl() { "${APCTL:?}" --config-root "$CFG" "$@"; }
golden() { expect_golden "$1-$TAG" "$2" "$3"; }
DEFS=$CFG/mdevctl.d/matrix
matrix() { tr '\n' ' ' <"$MATRIX/$1/matrix" | sed 's/ $//'; }

aqmask_write -0x47,-0x54
run apctl define g1 -a 4 -d 0x47 -c 0x47
G1=$out
run apctl start "$G1"
run apctl define g2 -a 5 -d 0x54
G2=$out
run apctl start "$G2"

run apctl modify g1 -a 4-5 --live
expect_rc 0 "modify --live: add adapter 05"
golden modify-live "$out" "modify --live output (ap_config on 6.12)"
expect_eq "$(matrix "$G1")" "04.0047 05.0047" "g1 running with 04-05"
expect_golden modify-g1.def "$(cat "$DEFS/$G1")" "g1's definition rewritten"
sum=$(md5sum <"$DEFS/$G1")
run apctl --json modify g1 -a 0x04-0x05 --live
expect_rc 0 "the same again"
check "idempotent: nothing changed" json_eq "$out" '{"uuid":"'$G1'",
	"definition":{"adapters":[4,5],"domains":[71],"control_domains":[71],
	"autostart":false,"changed":false},
	"live":{"adapters":[4,5],"domains":[71],"control_domains":[71],
	"changed":false}}'
expect_eq "$(md5sum <"$DEFS/$G1")" "$sum" "definition not rewritten"

# EADDRINUSE: 05.0054 is g2's.
run apctl --json modify g1 -d 0x47,0x54 --live
expect_rc 1 "modify --live onto g2's APQN"
check "the APQN and the owner are named" json_eq "$out" \
	'{"error":"mdev '$G1': APQN 05.0054 is already assigned to mdev '$G2': Address already in use",
	"errno":"EADDRINUSE","rule":"apqn-in-use","apqn":"05.0054","owner":"'$G2'"}'
expect_eq "$(matrix "$G1")" "04.0047 05.0047" "g1 unchanged after EADDRINUSE"
expect_eq "$(md5sum <"$DEFS/$G1")" "$sum" "definition unchanged after EADDRINUSE"

# EADDRNOTAVAIL: 04.0004 is the host's.
run apctl modify g1 -d 4,0x47 --live
expect_rc 1 "modify --live onto a host APQN"
expect_eq "$err" "apctl: mdev $G1: APQN 04.0004 is reserved for the host (apmask/aqmask): Cannot assign requested address" \
	"host reservation named"
expect_eq "$(matrix "$G1")" "04.0047 05.0047" "g1 unchanged after EADDRNOTAVAIL"

# An injected failure at the second write: all or nothing.
cp "$DEFS/$G1" "$CFG/g1.before"
APCTL_TEST_FAIL_AT=2 run apctl modify g1 -a 4 -d 0x47 -c 0x54 --live
expect_rc 1 "a failing write"
expect_eq "$(matrix "$G1")" "04.0047 05.0047" "g1's matrix exactly as before"
expect_eq "$(cat "$MATRIX/$G1/control_domains")" "0047" \
	"g1's control domains exactly as before"
check "definition exactly as before" cmp -s "$DEFS/$G1" "$CFG/g1.before"

# A definition write that fails after the live change: set back.
APCTL_TEST_FAIL_AT=2 run apctl modify g1 -a 4 --live
if [ "$TAG" = 6.12 ]; then
	expect_rc 1 "6.12: the definition write fails (point 2)"
	expect_contains "$err" "(the running mdev was set back)" "said so"
else
	expect_rc 1 "6.1: the unassign fails (point 2 is the second write)"
fi
expect_eq "$(matrix "$G1")" "04.0047 05.0047" "g1 set back"
check "definition as before" cmp -s "$DEFS/$G1" "$CFG/g1.before"

# No APQN of the final matrix is unassigned on the way: stop after each
# write (SIGKILL at test point N) and look.
run apctl modify g1 -a 4-5 -d 0x47 --live
for n in 1 2 3 4; do
	APCTL_TEST_CRASH_AT=$n run apctl modify g1 -a 5 -d 0x47,0x04 --live
	case $(matrix "$G1") in
	*05.0047*) pass "killed at point $n: 05.0047 stayed assigned" ;;
	*) fail "killed at point $n: 05.0047 was unassigned: $(matrix "$G1")" ;;
	esac
	apctl modify g1 -a 4-5 -d 0x47 --live >/dev/null 2>&1
done

# Definition only; --autostart/--manual; clearing a set with "".
run apctl modify g2 -d 0x54,0x47 --autostart
expect_rc 0 "modify without --live: the definition only"
expect_eq "$(matrix "$G2")" "05.0054" "g2's running matrix untouched"
run apctl --json modify g2 -c ""
expect_rc 0 "clear the control domains"
check "autostart kept, control domains empty" json_eq "$out" '{"uuid":"'$G2'",
	"definition":{"adapters":[5],"domains":[71,84],"control_domains":[],
	"autostart":true,"changed":false},"live":null}'

# Refusals.
run apctl stop "$G2"
run apctl modify g2 -a 4 --live
expect_rc 1 "--live on an inactive mdev"
expect_eq "$err" "apctl: mdev $G2: not active (--live changes the running mdev; without --live only the definition changes)" \
	"refused, as mdevctl modify --live"
run apctl modify nosuch -a 4
expect_rc 1 "modify an undefined mdev"
expect_contains "$err" "not defined" "not defined"
run apctl modify g2 --autostart --manual
expect_rc 2 "--autostart and --manual"
run apctl modify g2 -a 4-3
expect_rc 1 "bad list"
expect_eq "$err" "apctl: adapter '4-3': empty range" "bad list named"
printf '{"mdev_type":"vfio_ap-passthrough","start":"manual","attrs":[{"assign_adapter":"5"},{"unassign_adapter":"5"}]}' \
	>"$DEFS/$G2"
cp "$DEFS/$G2" "$CFG/g2.before"
run apctl modify g2 -a 4
expect_rc 1 "a definition with unassign_*"
expect_contains "$err" "('unassign_adapter'): use mdevctl modify" "said why"
check "that definition is untouched" cmp -s "$DEFS/$G2" "$CFG/g2.before"
expect_eq "$(find "$DEFS" -name '.*' | wc -l)" 0 "no temporary file left"

interop_done
