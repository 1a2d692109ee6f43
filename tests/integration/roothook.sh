#!/bin/bash
# SPDX-License-Identifier: MIT
# The tools' own root hooks, no namespace at all (issue 10, item 4):
# `apsim run --root DIR` as an unprivileged user lays out a fake root and
# serves the tree on DIR/sys; `apsim env DIR` points the tools at it;
# apctl follows SYSFS_ROOT and MDEVCTL_ENV_ROOT, and with --s390
# lszcrypt 2.16 (s390x, qemu-user) follows SYSFS_ROOT and prints what it
# prints under `apsim exec`.
#
#   roothook.sh [--s390]
#
# Started as root (CI), everything runs as nobody (setpriv); started as a
# user, as that user.  Exit 77 only without /dev/fuse.  Checks and the
# s390-tools helpers: tests/interop/lib.sh.
. "$(dirname "$0")/../interop/lib.sh"

s390=0
[ "${1:-}" = --s390 ] && s390=1

[ -c /dev/fuse ] || interop_skip "no /dev/fuse"
[ -x "${APSIM:-}" ] || interop_error "APSIM='${APSIM:-}' is not an executable"
[ -x "${APCTL:-}" ] || interop_error "APCTL='${APCTL:-}' is not an executable"
if [ "$s390" = 1 ]; then
	[ -f "$APV_S390_TOOLS.unavailable" ] &&
		interop_skip "s390-tools:s390x cannot be obtained"
	command -v qemu-s390x-static >/dev/null ||
		interop_error "qemu-s390x-static missing: run 'scripts/deps.sh interop'"
	[ -x "$APV_S390_TOOLS/sbin/lszcrypt" ] ||
		interop_error "no s390-tools in $APV_S390_TOOLS: run 'scripts/deps.sh interop'"
fi
U=()
if [ "$(id -u)" -eq 0 ]; then
	U=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
as_user() { "${U[@]}" "$@"; }

W=$(mktemp -d /tmp/apsim-roothook.XXXXXX)
chmod 0777 "$W"
R=$W/root
apid=
cleanup() {
	[ -z "$apid" ] || kill -TERM "$apid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
# shellcheck source=tests/user_reach.sh
. "$(dirname "$0")/../user_reach.sh"
[ ${#U[@]} -eq 0 ] || apv_user_reach "$W" APSIM APCTL

# ---- apsim run --root, apsim env --------------------------------------------
# (not through as_user: $! must be apsim itself; setpriv execs it)
"${U[@]}" "$APSIM" run --root "$R" >/dev/null 2>"$W/run.err" &
apid=$!
i=0
while [ ! -e "$R/sys/bus/ap/bindings" ] && [ $i -lt 200 ]; do
	sleep 0.05
	i=$((i + 1))
done
# (a user's FUSE mount is the user's alone, not even root's: no allow_other)
run as_user cat "$R/sys/bus/ap/bindings"
expect_eq "$out" "6/6 (complete)" "run --root as a user: the tree on DIR/sys"
run bash -c 'cd "$0" && find etc usr run -type d | sort | tr "\n" " "' "$R"
expect_eq "$out" "etc etc/mdevctl.d etc/mdevctl.d/scripts.d etc/mdevctl.d/scripts.d/callouts etc/mdevctl.d/scripts.d/notifiers etc/udev etc/udev/rules.d run run/lock usr usr/lib usr/lib/mdevctl usr/lib/mdevctl/scripts.d usr/lib/mdevctl/scripts.d/callouts usr/lib/mdevctl/scripts.d/notifiers " \
	"run --root: the fake root's directories"
expect_eq "$(grep -c " $R/sys fuse" /proc/mounts)" 1 "run --root: one FUSE mount, no namespace"

run "$APSIM" env "$R"
expect_eq "$out" "export SYSFS_ROOT='$R/sys'
export MDEVCTL_ENV_ROOT='$R'
export APSYSFS_BUSDIR='$R/sys/bus/ap'
export APSYSFS_DEVSDIR='$R/sys/devices/ap'
export ZCRYPT_CLASSDIR='$R/sys/class/zcrypt'
export APSIM_SOCKET='$R/run/apsim.sock'" "apsim env DIR: the root hooks' variables"
eval "$out"
for d in "$APSYSFS_BUSDIR/devices" "$APSYSFS_DEVSDIR/card04" "$ZCRYPT_CLASSDIR/create"; do
	check "$d exists" as_user test -e "$d"
done

run as_user "$APSIM" ctl state
expect_match "$out" "^kernel 6.12" "apsim ctl through APSIM_SOCKET of the fake root"

# ---- apctl -------------------------------------------------------------------
run as_user "$APCTL" host
expect_match "$out" "^adapters +04-05$" "apctl host with SYSFS_ROOT"
run as_user env -u SYSFS_ROOT "$APCTL" host
expect_match "$out" "^adapters +04-05$" "apctl host with MDEVCTL_ENV_ROOT only"
run as_user "$APCTL" define rh -a 5 -d 0x47
expect_rc 0 "apctl define with MDEVCTL_ENV_ROOT"
uuid=$out
check "the definition is under DIR/etc/mdevctl.d/matrix" \
	test -f "$R/etc/mdevctl.d/matrix/$uuid"
run as_user "$APCTL" reserve -a 5 -d 0x47
run as_user "$APCTL" start rh
expect_rc 0 "apctl start with MDEVCTL_ENV_ROOT"
check "the mdev runs on the fake root's tree" \
	as_user test -d "$R/sys/devices/vfio_ap/matrix/$uuid"
run as_user cat "$R/sys/devices/vfio_ap/matrix/$uuid/matrix"
expect_eq "$out" "05.0047" "its matrix"
run as_user "$APCTL" --sysfs-root /nonexistent host
expect_rc 1 "--sysfs-root still wins over SYSFS_ROOT"

# ---- lszcrypt 2.16 -------------------------------------------------------------
if [ "$s390" = 1 ]; then
	run as_user env -u MDEVCTL_ENV_ROOT qemu-s390x-static -L / "$APV_S390_TOOLS/sbin/lszcrypt" -V
	expect_rc 0 "lszcrypt -V with SYSFS_ROOT as a user"
	hooked=$out
	# the same as under `apsim exec` on a host with the same masks
	# (apctl reserve: adapter 05 and domain 0x47 to vfio_ap)
	run as_user "$APSIM" exec -- sh -c 'echo -5 >/sys/bus/ap/apmask &&
		echo -0x47 >/sys/bus/ap/aqmask && "$@"' sh \
		qemu-s390x-static -L / "$APV_S390_TOOLS/sbin/lszcrypt" -V
	expect_eq "$hooked" "$out" "lszcrypt -V: SYSFS_ROOT gives what apsim exec gives"
	expect_match "$hooked" "^05\.0047 +CEX8C .* vfio_ap +$" \
		"lszcrypt -V: the mdev's queue is vfio_ap's"
	as_user "$APSIM" ctl adapter 04 config off >/dev/null
	run as_user env -u MDEVCTL_ENV_ROOT qemu-s390x-static -L / "$APV_S390_TOOLS/sbin/lszcrypt" 04
	expect_match "$out" "^04 +CEX8A +Accelerator +deconfig" "lszcrypt follows apsim ctl (adapter 04 config off)"
fi

# ---- stop ----------------------------------------------------------------------
kill -TERM "$apid"
wait "$apid"
rc=$?
apid=
expect_rc 0 "run --root: SIGTERM stops it"
expect_eq "$(grep -c " $R/sys fuse" /proc/mounts)" 0 "run --root: unmounted"

interop_done
