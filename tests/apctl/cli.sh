#!/bin/bash
# SPDX-License-Identifier: MIT
#
# apctl against apsim's tree: every command, its text and --json output
# (golden files in tests/data/ctl, tagged with the kernel) and its errors.
# Definitions go to a private --config-root.  The refused starts must
# name the APQN (and the other mdev) and leave no mdev behind.
#
# Spec: ecosystem.md §2.1, §4.5; vfio-ap-semantics.md §2.3, §2.6.
. "$(dirname "$0")/../interop/lib.sh"
interop_enter -- ${APV_APSIM_ARGS:-}

TAG=${APV_GOLDEN_TAG:?}
CFG=$(mktemp -d)
trap 'rm -rf "$CFG"' EXIT
apctl() { "${APCTL:?}" --config-root "$CFG" "$@"; }
golden() { expect_golden "$1-$TAG" "$2" "$3"; }

U1=11111111-2222-3333-4444-000000000001
U2=11111111-2222-3333-4444-000000000002
U3=11111111-2222-3333-4444-000000000003
MATRIX=/sys/devices/vfio_ap/matrix
mdevs() { find $MATRIX -maxdepth 1 -name '*-*' -printf '%f\n' | sort; }

# ---- usage ----------------------------------------------------------------

run apctl --help
expect_rc 0 "apctl --help"
expect_golden help "$out" "apctl --help"
run apctl start --help
expect_rc 0 "apctl start --help"
expect_contains "$out" "start NAME|UUID" "apctl start --help shows start"
expect_lacks "$out" "--adapters" "apctl start --help omits define's options"

run apctl
expect_rc 2 "apctl without a command"
expect_eq "$err" "apctl: no command given (try 'apctl --help')" "no command"
run apctl frob
expect_rc 2 "unknown command"
expect_eq "$err" "apctl: 'frob': unknown command" "unknown command named"
run apctl stop $U1 --adapters 4
expect_rc 2 "an option of another command"
expect_eq "$err" "apctl: '--adapters' does not apply to 'stop'" \
	"the misplaced option is named"
run apctl define
expect_rc 2 "define without NAME"
expect_eq "$err" "apctl: 'define' needs NAME|UUID" "define's operand named"
run apctl --json bogus
expect_rc 2 "--json usage error"
check "usage error as JSON" json_eq "$out" \
	'{"error":"'"'bogus'"': unknown command","errno":null,"rule":null,
	"apqn":null,"owner":null}'

# ---- host -------------------------------------------------------------------

aqmask_write -0x47,-0x54
run apctl host
expect_rc 0 "apctl host"
golden host "$out" "apctl host"
run apctl --json host
expect_rc 0 "apctl --json host"
golden host.json "$out" "apctl --json host"

# ---- define ----------------------------------------------------------------

run apctl --json define $U1 --adapters 4-5 --domains 0x47 --control-domains 0x47
expect_rc 0 "define $U1"
check "a new definition: unchanged: false" json_eq "$out" \
	'{"uuid":"'$U1'","unchanged":false}'
expect_golden define-u1.def "$(cat "$CFG/mdevctl.d/matrix/$U1")" \
	"the definition file (mdevctl's format)"
expect_eq "$(tail -c 1 "$CFG/mdevctl.d/matrix/$U1" | od -An -c | tr -d ' ')" \
	"}" "no trailing newline, as mdevctl"
expect_eq "$(find "$CFG" -name '.*' | wc -l)" 0 "no temporary file left"

run apctl define guest2 -a 5 -d 0x47 --autostart
expect_rc 0 "define guest2 (a name)"
N2=$out
def2=$(stat -c '%i %y' "$CFG/mdevctl.d/matrix/$N2")
run apctl define guest2 -a 4
expect_rc 1 "define guest2 again, differently"
expect_eq "$err" "apctl: mdev $N2: already defined differently: adapters 05 (asked 04), domains 0047 (asked -), start auto (asked manual); change it with 'apctl modify $N2'" \
	"a name maps to the same UUID; a different redefinition is refused, the differences named"
run apctl --json define guest2 -a 5 -d 0x47
expect_rc 1 "define guest2 without --autostart"
check "only the start mode differs: EEXIST as JSON" json_eq "$out" \
	'{"error":"mdev '$N2': already defined differently: start auto (asked manual); change it with '"'apctl modify $N2'"'",
	"errno":"EEXIST","rule":null,"apqn":null,"owner":null}'
sleep 0.01
run apctl define guest2 -a 5 -d 0x47 --autostart
expect_rc 0 "define guest2 again, the same: idempotent"
expect_eq "$out" "$N2" "the same definition: the UUID printed"
run apctl --json define $N2 -d 0x47 -a 0x05-5 --autostart
expect_rc 0 "the same by UUID, ids spelt differently"
check "unchanged: true" json_eq "$out" '{"uuid":"'$N2'","unchanged":true}'
expect_eq "$(stat -c '%i %y' "$CFG/mdevctl.d/matrix/$N2")" "$def2" \
	"the unchanged definition is not rewritten"
expect_golden define-guest2.def "$(cat "$CFG/mdevctl.d/matrix/$N2")" \
	"guest2's definition (start auto)"

run apctl define $U3 -a 4 -d 4,0x47
expect_rc 0 "define $U3 (host-reserved 04.0004)"
run apctl define $U2 -a 0x04 -d 0x54-0x54 -c 0x54
expect_rc 0 "define $U2"

for bad in "4-3:adapter '4-3': empty range" \
	"256:adapter '256': out of range (max 0xff)" \
	"x:adapter 'x': not a number or range" \
	"4,:adapter list '4,' ends with ','" \
	"-1:adapter '-1': not a number or range" \
	":adapter list is empty"; do
	run apctl define bad -a "${bad%%:*}"
	expect_rc 1 "define -a '${bad%%:*}'"
	expect_eq "$err" "apctl: ${bad#*:}" "define -a '${bad%%:*}' message"
done
run apctl --json define bad -d 0x100
expect_rc 1 "define -d 0x100"
check "define -d 0x100 as JSON" json_eq "$out" \
	'{"error":"domain '"'0x100'"': out of range (max 0xff)",
	"errno":"EINVAL","rule":null,"apqn":null,"owner":null}'
expect_eq "$(ls "$CFG/mdevctl.d/matrix" | wc -l)" 4 \
	"refused definitions are not written"

# ---- list (defined only) ----------------------------------------------------

run apctl list
expect_rc 0 "apctl list"
golden list-defined "$out" "apctl list: four definitions"

# ---- start ---------------------------------------------------------------

run apctl start $U1
expect_rc 0 "start $U1"
expect_eq "$out$err" "" "start prints nothing"
expect_file $MATRIX/$U1/matrix "04.0047
05.0047" "$U1's matrix"
expect_file $MATRIX/$U1/control_domains "0047" "$U1's control domains"

run apctl --json start $N2
expect_rc 1 "start guest2 (05.0047 is $U1's)"
check "EADDRINUSE names the APQN and the owner" json_eq "$out" \
	'{"error":"mdev '$N2': APQN 05.0047 is already assigned to mdev '$U1': Address already in use",
	"errno":"EADDRINUSE","rule":"apqn-in-use","apqn":"05.0047",
	"owner":"'$U1'"}'
expect_eq "$(mdevs)" "$U1" "no half-created mdev after EADDRINUSE"
run apctl start $N2
expect_eq "$err" "apctl: mdev $N2: APQN 05.0047 is already assigned to mdev $U1: Address already in use" \
	"EADDRINUSE in text"

run apctl --json start $U3
expect_rc 1 "start $U3 (04.0004 is the host's)"
check "EADDRNOTAVAIL names the APQN" json_eq "$out" \
	'{"error":"mdev '$U3': APQN 04.0004 is reserved for the host (apmask/aqmask): Cannot assign requested address",
	"errno":"EADDRNOTAVAIL","rule":"apqn-host-reserved","apqn":"04.0004",
	"owner":null}'
expect_eq "$(mdevs)" "$U1" "no half-created mdev after EADDRNOTAVAIL"

run apctl start $U2
expect_rc 0 "start $U2 (04.0054: shares adapter 04, not a queue)"
run apctl start $U2
expect_rc 1 "start $U2 twice"
expect_eq "$err" "apctl: mdev $U2: already active" "already active"
run apctl start 11111111-2222-3333-4444-0000000000ff
expect_rc 1 "start of an undefined mdev"
expect_eq "$err" \
	"apctl: mdev 11111111-2222-3333-4444-0000000000ff: not defined" \
	"undefined mdev named"
run apctl start nope
expect_rc 1 "start nope"
expect_contains "$err" "apctl: mdev " "a NAME stands for its UUID"
expect_contains "$err" ": not defined" "an undefined NAME is not defined"
run apctl stop guest2
expect_rc 1 "stop guest2 (a name; defined, not active)"
expect_eq "$err" "apctl: mdev $N2: not active" "stop takes a NAME"

run apctl list
expect_rc 0 "apctl list (two active)"
golden list-active "$out" "apctl list: configured vs guest matrix"
run apctl --json list
golden list-active.json "$out" "apctl --json list"
run apctl host
golden host-active "$out" "apctl host: queues owned by mdevs"

# ---- stop / undefine -----------------------------------------------------

run apctl stop $U1
expect_rc 0 "stop $U1"
expect_eq "$(mdevs)" "$U2" "$U1 is gone"
run apctl --json stop $U1
expect_rc 1 "stop $U1 again"
check "stop of an inactive mdev as JSON" json_eq "$out" \
	'{"error":"mdev '$U1': not active","errno":"ENODEV","rule":null,
	"apqn":null,"owner":null}'
run apctl start $N2
expect_rc 0 "guest2 starts once $U1 is stopped"
run apctl --json stop $N2
expect_rc 0 "stop guest2"
check "stop --json (no guest had it)" json_eq "$out" '{"uuid":"'$N2'","guest":false}'

run apctl undefine $U1
expect_rc 0 "undefine $U1"
expect_absent "$CFG/mdevctl.d/matrix/$U1" "$U1's definition is gone"
run apctl undefine $U1
expect_rc 1 "undefine $U1 again"
expect_eq "$err" "apctl: mdev $U1: not defined" "undefine: not defined"
run apctl undefine $U2
expect_rc 0 "undefine an active mdev's definition"
expect_eq "$(mdevs)" "$U2" "the active mdev stays"
run apctl list
golden list-end "$out" "apctl list: active without definition"

# ---- other attributes are written one by one, in order ------------------------

run apctl stop $U2
printf '{"mdev_type":"vfio_ap-passthrough","start":"manual","attrs":[{"assign_adapter":"5"},{"assign_domain":"0x54"},{"assign_adapter":"4"},{"unassign_adapter":"5"}]}' \
	>"$CFG/mdevctl.d/matrix/$U2"
run apctl start $U2
expect_rc 0 "start a definition with an unassign_adapter"
expect_file $MATRIX/$U2/matrix "04.0054" "the attributes applied in order"
run apctl stop $U2
expect_rc 0 "stop $U2"

# ---- a definition apctl does not accept -------------------------------------

printf '{"mdev_type":"vfio_ap-passthrough","start":"manual","attrs":[{"assign_adapter":"4,5"}]}' \
	>"$CFG/mdevctl.d/matrix/$U1"
run apctl start $U1
expect_rc 1 "start with a list in assign_adapter"
expect_eq "$err" "apctl: mdev $U1: an assign_* value is not one number 0..255" \
	"the kernel's single-number rule"
printf 'not json' >"$CFG/mdevctl.d/matrix/$U1"
run apctl start $U1
expect_rc 1 "start with a broken definition"
expect_contains "$err" "mdev $U1: cannot read the definition" \
	"broken definition named"

# ---- the s390apconfig lock (ecosystem.md §2.4) ------------------------------

LOCK=/run/lock/s390apconfig.lock
run apctl define $U3 -a 5
expect_rc 1 "define $U3 again (takes and releases the lock)"
expect_absent $LOCK "the lock is released after a failed command"
expect_eq "$(find /run/lock -name 's390apconfig*' | wc -l)" 0 \
	"no temporary lock file left"

sh -c 'exit 0' &
stale=$!
wait $stale
echo $stale >$LOCK
run apctl undefine $U3
expect_rc 0 "a stale lock (pid $stale gone) is taken over"
expect_absent $LOCK "and released"

sleep 5 &
holder=$!
echo $holder >$LOCK
(sleep 0.5; rm -f $LOCK) &
start=$(date +%s%N)
run apctl define $U3 -a 5
expect_rc 0 "define waits for a held lock"
check "waited for the holder (>= 0.4 s)" \
	test $(( ($(date +%s%N) - start) / 1000000 )) -ge 400
expect_absent $LOCK "released again"
kill $holder 2>/dev/null
wait

run apctl --run-root /nonexistent undefine $U3
expect_rc 1 "no lock directory"
expect_eq "$err" \
	"apctl: '/nonexistent/lock/s390apconfig.lock': cannot take the lock: No such file or directory" \
	"the lock file is named"
run apctl list --run-root /nonexistent
expect_rc 0 "list takes no lock"

interop_done
