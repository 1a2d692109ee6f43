#!/bin/bash
# SPDX-License-Identifier: MIT
#
# apctl apply and stop when a guest process (apsim guest) has the mdev
# open.  Removing such an mdev waits until the guest lets go: 6.12 asks
# it (the vfio_ap request; apsim's guest session unplugs the device like
# QEMU), so the stop goes ahead and the plan says a guest is attached;
# 6.1 cannot ask and the remove would block, so apply (exit 3, finding
# guest-attached) and stop (EBUSY) refuse before changing anything.
# Without the refusal the 6.1 test hangs in the remove (uninterruptibly,
# as on Linux, the FUSE request being in apsim's hands) until meson's
# timeout fails it.
#
# Spec: vfio-ap-semantics.md §2.5, §3.3.7.
. "$(dirname "$0")/../interop/lib.sh"
interop_enter -- ${APV_APSIM_ARGS:-}

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
apctl() { "${APCTL:?}" --config-root "$TMP/cfg" "$@"; }
DEFS=$TMP/cfg/mdevctl.d/matrix
# What apply or stop may change: definitions (bytes), mdevs, queues.
state() {
	(cd "$DEFS" 2>/dev/null && md5sum -- * 2>/dev/null | sort)
	apctl --json list
	apctl --json host
}
guest=
guest_start() { # guest_start UUID NAME: a console guest, fed by fd 3
	rm -f $TMP/console
	mkfifo $TMP/console
	"$APSIM" guest --mdev "$1" --name "$2" <$TMP/console \
		>$TMP/guest.out 2>&1 &
	guest=$!
	exec 3>$TMP/console
	for _ in $(seq 50); do
		[ "$(cat /sys/bus/ap/devices/04.0047/status)" = "in use" ] &&
			break
		sleep 0.1
	done
	expect_file /sys/bus/ap/devices/04.0047/status "in use" \
		"guest $2 has the mdev open"
}
guest_end() { # guest_end: close its console, expect a normal end
	exec 3>&-
	wait $guest
	expect_eq "$?" 0 "the guest ended normally"
}

run apctl reserve -a 4-5 -d 0x47,0x54
expect_rc 0 "04-05 x 0047,0054 for vfio_ap"
cd "$TMP" || exit 1
cat >up.json <<'JSON'
{"mdevs": [
  {"name": "g1", "adapters": "4-5", "domains": "0x47", "active": true}
]}
JSON
# g1 stops, g2 is new: a refusal must leave g2 undefined and unstarted.
cat >down.json <<'JSON'
{"mdevs": [
  {"name": "g1", "adapters": "4-5", "domains": "0x47", "active": false},
  {"name": "g2", "adapters": "4", "domains": "0x54", "active": true}
]}
JSON
run apctl apply up.json
expect_rc 0 "apply: g1 defined and started"
mdevs() { find $MATRIX -maxdepth 1 -name '*-*' -printf '%f\n' | sort; }
G1=$(mdevs)
expect_mdev_active "$G1" "04.0047 05.0047" "g1"

if [ -e $MATRIX/features ]; then
	# ---- 6.12: the kernel asks the guest to let go -----------------------
	guest_start $G1 vm1
	run apctl apply down.json --dry-run
	expect_rc 0 "apply --dry-run with a guest on g1"
	expect_contains "$out" \
		"stop     mdev $G1 (g1): remove the running mdev (a guest is attached: the kernel asks it to let go)" \
		"the plan says a guest is attached"
	run apctl --json apply down.json
	expect_rc 0 "apply stops g1 under its guest"
	check "the stop step: guest_attached, applied" python3 -c 'import json, sys
r = json.loads(sys.argv[1])
s = [s for s in r["plan"] if s["action"] == "stop"]
assert len(s) == 1 and s[0]["guest_attached"] is True, s
assert r["applied"] and r["ok"], r' "$out"
	expect_mdev_gone $G1 "g1 removed"
	expect_mdev_active "$(mdevs)" "04.0054" "g2 started"
	guest_end

	run apctl apply up.json
	expect_rc 0 "g1 back (g2 stopped: prune)"
	guest_start $G1 vm2
	run apctl --json stop $G1
	expect_rc 0 "stop g1 under its guest"
	check "stop says a guest had it" json_eq "$out" \
		'{"uuid":"'$G1'","guest":true}'
	expect_mdev_gone $G1 "g1 removed by stop"
	guest_end
else
	# ---- 6.1: no request interrupt, the remove would block -----------------
	guest_start $G1 vm1
	s0=$(state)
	run apctl apply down.json
	expect_rc 3 "6.1: apply refuses to stop an mdev a guest has open"
	expect_contains "$out" \
		"error guest-attached: mdev $G1: a guest has it open and this kernel cannot ask the guest to let go (stop the guest first)" \
		"the finding names the mdev"
	expect_eq "$err" \
		"apctl: 'down.json': refused, nothing changed: 1 error, 0 warnings" \
		"the refusal"
	run apctl --json apply down.json --dry-run
	expect_rc 3 "--dry-run says so too"
	check "JSON: rule guest-attached, the stop step marked" python3 -c 'import json, sys
r = json.loads(sys.argv[1])
f = [f for f in r["findings"] if f["rule"] == "guest-attached"]
assert len(f) == 1 and f[0]["severity"] == "error", r
assert f[0]["mdev"] == sys.argv[2], f
s = [s for s in r["plan"] if s["action"] == "stop"]
assert s[0]["guest_attached"] is True and r["applied"] is False, s
assert r["rule"] == "guest-attached" and r["errno"] == "EINVAL", r' \
		"$out" $G1
	expect_eq "$(state)" "$s0" "refused: definitions, mdevs and queues unchanged"

	run apctl --json stop $G1
	expect_rc 1 "6.1: stop refuses too"
	check "EBUSY, rule guest-attached" json_eq "$out" \
		'{"error":"mdev '$G1': a guest has it open and this kernel cannot ask the guest to let go (stop the guest first)",
		"errno":"EBUSY","rule":"guest-attached","apqn":null,"owner":null}'
	expect_mdev_active $G1 "04.0047 05.0047" "g1 still there"
	expect_file /sys/bus/ap/devices/04.0047/status "in use" \
		"the guest keeps its queue"
	guest_end

	run apctl apply down.json
	expect_rc 0 "once the guest has gone, apply stops g1"
	expect_contains "$out" "remove the running mdev" "the stop step"
	expect_lacks "$out" "a guest is attached" "no guest any more"
	expect_mdev_gone $G1 "g1 removed"
	run apctl apply up.json
	run apctl stop $G1
	expect_rc 0 "stop without a guest"
fi
expect_mdev_gone $G1 "g1 gone at the end"

interop_done
