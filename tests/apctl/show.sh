#!/bin/bash
# SPDX-License-Identifier: MIT
#
# apctl show: definition vs assigned vs what the guest gets, and for each
# APQN the guest does not get, the reason: not in the host configuration,
# not bound to vfio_ap (and the whole adapter dropped with it, naming the
# queue), reserved for the host, reset failed
# (when vfio_ap drops an adapter whose queues are all bound); goldens per
# kernel.
#
# Spec: vfio-ap-semantics.md §3.2, §2.9, §5.2; ecosystem.md §1.3 item 4.
. "$(dirname "$0")/../interop/lib.sh"
interop_enter -- ${APV_APSIM_ARGS:-}

TAG=${APV_GOLDEN_TAG:?}
CFG=$(mktemp -d)
trap 'rm -rf "$CFG"' EXIT
apctl() { "${APCTL:?}" --config-root "$CFG" "$@"; }
golden() { expect_golden "$1-$TAG" "$2" "$3"; }
actl() { "$APSIM" ctl "$@" >/dev/null; }

aqmask_write -0x47,-0x54,-0x10
run apctl define g1 -a 4-6 -d 0x47,0x54,0x10 -c 0x47,0x10
G1=$out
run apctl start "$G1"
expect_rc 0 "start g1 (06 and 0x10 over-provisioned)"
run apctl show g1
expect_rc 0 "show g1"
golden show-g1 "$out" "show: adapter 06 and domain 0x10 not in the configuration"
expect_contains "$out" "06.0047  yes      yes      no     not-in-configuration: adapter 06 is not in the host configuration" \
	"adapter 06 reason"

# One queue unbound: its whole adapter leaves the guest.
echo 05.0054 >/sys/bus/ap/drivers/vfio_ap/unbind
run apctl show g1
golden show-unbound "$out" "show: 05.0054 unbound, adapter 05 filtered"
expect_contains "$out" "05.0054  yes      yes      no     not-bound: queue 05.0054 is not bound to any driver" \
	"the unbound queue"
expect_contains "$out" "05.0047  yes      yes      no     adapter-filtered: adapter 05 is dropped from the guest because queue 05.0054 is not bound to any driver" \
	"its sibling, naming the culprit"
run apctl --json show g1
golden show-unbound.json "$out" "show --json"
check "--json: the cause APQN" python3 -c '
import json, sys
q = {x["apqn"]: x for x in json.loads(sys.argv[1])["queues"]}
assert q["05.0047"]["reason"] == {"rule": "adapter-filtered",
    "message": "adapter 05 is dropped from the guest because queue 05.0054 is not bound to any driver",
    "cause": "05.0054"}, q["05.0047"]
assert q["04.0047"]["guest"] and q["04.0047"]["reason"] is None
' "$out"
echo 05.0054 >/sys/bus/ap/drivers/vfio_ap/bind

# Domain 0x10 enters the configuration (apsim's masks show the bus's
# view: it stays "not in the configuration" until the scan).
actl domain add 0x10 --no-scan
run apctl show g1
golden show-scan "$out" "show: before the bus scan"
actl scan

# Adapter 05 configured off: 6.1 keeps it out (reset answers 03), 6.12 not.
actl adapter 05 config off
run apctl show g1
golden show-deconfig "$out" "show: adapter 05 deconfigured"
actl adapter 05 config on

# Inactive: what the guest would get; a host APQN predicted.
run apctl define g2 -a 4 -d 4,0x47
run apctl show g2
golden show-inactive "$out" "show: an inactive definition"
expect_contains "$out" "04.0004  yes      no       no     apqn-host-reserved: APQN 04.0004 is reserved for the host (apmask/aqmask)" \
	"reserved for the host"

# Active without definition.
run apctl undefine "$G1"
run apctl show "$G1"
expect_rc 0 "show an active mdev without definition"
expect_contains "$out" "not defined, active" "said so"

run apctl show nosuch
expect_rc 1 "show of nothing"
expect_eq "$err" "apctl: mdev 9b1c72fe-98cc-851d-a430-60dc48d24aed: neither defined nor active" \
	"a NAME names its derived UUID"
run apctl --json show 11111111-2222-3333-4444-000000000009
expect_rc 1 "show --json of nothing"
check "error as JSON" json_eq "$out" \
	'{"error":"mdev 11111111-2222-3333-4444-000000000009: neither defined nor active",
	"errno":"ENOENT","rule":null,"apqn":null,"owner":null}'

interop_done
