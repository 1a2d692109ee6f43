#!/bin/sh
# SPDX-License-Identifier: MIT
# udev events inside apsim exec (docs/apsim.md "udev events",
# ci-integration.md §4): udevadm monitor --udev --property sees one mdev
# start/stop and one adapter removal in the kernel's order with their
# properties; its subsystem filter (libudev's BPF on the MurmurHash2 in
# the header) keeps only mdev events; a raw listener checks the header,
# credentials and SEQNUM order; synthetic uevent writes (SYNTH_UUID,
# SYNTH_ARG_, EINVAL); udevadm trigger; the JSON stream; a listener that
# never reads does not stop apsim.
. "$(dirname "$0")/lib.sh"
command -v udevadm >/dev/null 2>&1 || it_skip "no udevadm (package udev)"
[ -x "${UDEV_LISTEN:-}" ] || {
	echo "ERROR: UDEV_LISTEN='${UDEV_LISTEN:-}' is not an executable"
	exit 1
}
# under ASan, freed memory sits in the quarantine (256 MB): the memory
# check below would measure that, not apsim (ignored without ASan)
case ${ASAN_OPTIONS:-} in
*quarantine_size_mb*) ;;
*) ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0:thread_local_quarantine_size_kb=0" ;;
esac
export ASAN_OPTIONS
it_enter

U=1b4e28ba-2fa1-11d2-883f-0016d3cca427
TYPE_REL=devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough
T=$(mktemp -d /tmp/udev-it.XXXXXX)
trap 'rm -rf "$T"' EXIT

expect_exists /run/udev/control "private /run/udev/control"
expect_eq "${SYSTEMD_DEVICE_VERIFY_SYSFS:-}" 0 "SYSTEMD_DEVICE_VERIFY_SYSFS=0"
expect_eq "$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\n' ' ')" "lo " \
	"a private network namespace"

# wait until FILE exists (3 s)
wait_ready() {
	i=0
	while [ ! -e "$1" ]; do
		i=$((i + 1))
		[ $i -lt 300 ] || return 1
		sleep 0.01
	done
}

# wait until FILE has a line matching RE (3 s)
wait_for() {
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 300 ] || return 1
		sleep 0.01
	done
}

udevadm monitor --udev --property >"$T/all" 2>&1 &
m1=$!
udevadm monitor --udev --subsystem-match=mdev >"$T/mdev" 2>&1 &
m2=$!
"$UDEV_LISTEN" -p -t 2 -r "$T/ready" >"$T/raw" 2>"$T/raw.err" &
l1=$!
wait_for "$T/all" "^UDEV - "
wait_for "$T/mdev" "^UDEV - "
wait_ready "$T/ready"
sleep 0.2 # the monitors subscribe after printing their header

echo $U >"$TYPE/create"
echo 1 >"$MATRIX/$U/remove"
"$APSIM" ctl adapter 05 remove >/dev/null
wait_for "$T/all" "DEVPATH=/devices/ap/card05$" || true
sleep 0.3
kill $m1 $m2 2>/dev/null
wait $l1
expect_eq $? 0 "raw listener: every header, hash, credential and SEQNUM good"

seq=$(grep -E '^(ACTION|DEVPATH)=' "$T/all" | sed 's/^[A-Z]*=//' | paste -d' ' - -)
expect_eq "$seq" "add /devices/vfio_ap/matrix/$U
bind /devices/vfio_ap/matrix/$U
unbind /devices/vfio_ap/matrix/$U
remove /devices/vfio_ap/matrix/$U
unbind /devices/ap/card05/05.0004
remove /devices/ap/card05/05.0004
unbind /devices/ap/card05/05.0047
remove /devices/ap/card05/05.0047
unbind /devices/ap/card05/05.0054
remove /devices/ap/card05/05.0054
unbind /devices/ap/card05
remove /devices/ap/card05" "udevadm monitor: mdev start/stop, adapter 05 removed, kernel order"

# one event's properties, as udevadm prints them (blank-line separated)
event() { # ACTION DEVPATH
	awk -v a="ACTION=$1" -v d="DEVPATH=$2" '
		/^$/ { if (hit) exit; blk = ""; next }
		{ blk = blk $0 "\n" }
		$0 == a { sa = 1 } $0 == d && sa { hit = 1 }
		/^UDEV / { sa = 0; blk = "" }
		END { printf "%s", blk }' "$T/all" |
		grep -v -e '^UDEV ' -e '^SEQNUM=' -e '^USEC_INITIALIZED='
}
expect_eq "$(event add /devices/vfio_ap/matrix/$U)" "ACTION=add
DEVPATH=/devices/vfio_ap/matrix/$U
SUBSYSTEM=mdev
MDEV_TYPE=passthrough" "mdev add: no DRIVER yet"
expect_eq "$(event bind /devices/vfio_ap/matrix/$U)" "ACTION=bind
DEVPATH=/devices/vfio_ap/matrix/$U
SUBSYSTEM=mdev
DRIVER=vfio_ap_mdev
MDEV_TYPE=passthrough" "mdev bind: DRIVER=vfio_ap_mdev"
expect_eq "$(event remove /devices/ap/card05/05.0004)" "ACTION=remove
DEVPATH=/devices/ap/card05/05.0004
SUBSYSTEM=ap
DEVTYPE=ap_queue
MODE=cca" "queue remove: the keys of its uevent file, after it is gone"
expect_eq "$(event remove /devices/ap/card05 | grep -c -e DEV_TYPE= -e MODALIAS= -e DEVTYPE=ap_card)" 3 \
	"card remove: DEVTYPE, DEV_TYPE, MODALIAS"
expect_eq "$(grep -c '^UDEV  *\[' "$T/mdev")" 4 "udevadm --subsystem-match=mdev: the 4 mdev events only"
expect_eq "$(grep -c '^ACTION=' "$T/raw")" 12 "raw listener: 12 events"
s=$(grep '^SEQNUM=' "$T/all" | sed 's/SEQNUM=//' | tr '\n' ' ')
expect_eq "$(echo "$s" | awk '{ for (i = 2; i <= NF; i++) if ($i != $(i-1) + 1) { print "gap"; exit } print "ok" }')" ok \
	"SEQNUM increases by one"

# ---- synthetic events: writes to uevent files ----------------------------
"$UDEV_LISTEN" -p -t 1 -n 4 -r "$T/ready2" >"$T/syn" &
l2=$!
wait_ready "$T/ready2"
echo "change $U" >/sys/devices/ap/card04/uevent
echo add >/sys/devices/ap/card04/04.0004/uevent
echo "remove $U A=1 B=x" >/sys/devices/vfio_ap/matrix/uevent
expect_eq "$(/bin/echo bogus 2>&1 >/sys/devices/ap/card04/uevent)" \
	"/bin/echo: write error: Invalid argument" "unknown action: EINVAL"
expect_eq "$(/bin/echo "change 1234" 2>&1 >/sys/devices/ap/card04/uevent)" \
	"/bin/echo: write error: Invalid argument" "bad SYNTH_UUID: EINVAL"
udevadm trigger --action=change --subsystem-match=matrix
wait $l2
expect_eq "$(grep -E '^(ACTION|DEVPATH|DRIVER|SYNTH_[A-Z_]*)=' "$T/syn" | tr '\n' ' ')" \
	"ACTION=change DEVPATH=/devices/ap/card04 DRIVER=cex4card SYNTH_UUID=$U \
ACTION=add DEVPATH=/devices/ap/card04/04.0004 DRIVER=cex4queue SYNTH_UUID=0 \
ACTION=remove DEVPATH=/devices/vfio_ap/matrix DRIVER=vfio_ap SYNTH_UUID=$U SYNTH_ARG_A=1 SYNTH_ARG_B=x \
ACTION=change DEVPATH=/devices/vfio_ap/matrix DRIVER=vfio_ap SYNTH_UUID=0 " \
	"uevent writes and udevadm trigger: synthetic events with the current driver"
expect_eq "$(ls /sys/devices/vfio_ap/matrix/mdev_supported_types)" vfio_ap-passthrough \
	"a synthetic remove removes nothing"

# ---- the JSON stream ----------------------------------------------------------
"$APSIM" ctl events --max 1024 >"$T/json"
expect_eq "$(grep -c "\"ACTION\":\"add\",\"DEVPATH\":\"/devices/vfio_ap/matrix/$U\",\"SUBSYSTEM\":\"mdev\"" "$T/json")" 1 \
	"ctl events: the mdev add as JSON"
expect_eq "$(grep -c '"INITSCAN":"done"' "$T/json")" 1 "ctl events: the boot's INITSCAN=done"
expect_eq "$(grep -c '"MDEV_STATE":"registered"' "$T/json")" 1 "ctl events: MDEV_STATE=registered at boot"
"$APSIM" ctl events --follow >"$T/follow" &
f=$!
sleep 0.2
echo 0 >/sys/devices/ap/card04/config
wait_for "$T/follow" '"CONFIG":"0"'
expect_eq $? 0 "ctl events --follow: CONFIG=0 arrives"
kill $f

# ---- ONLINE= from zcrypt's online stores ------------------------------------
"$UDEV_LISTEN" -t 1 -n 1 -p -r "$T/ready3" >"$T/on" &
l3=$!
wait_ready "$T/ready3"
echo 0 >/sys/devices/ap/card04/04.0004/online 2>/dev/null ||
	echo 0 >/sys/bus/ap/devices/04.0047/online 2>/dev/null || true
wait $l3
expect_eq "$(grep -c '^ONLINE=0' "$T/on")" 1 "queue online store: ONLINE=0"

# ---- a listener that never reads ------------------------------------------
"$UDEV_LISTEN" -s 60 -r "$T/ready4" &
stuck=$!
wait_ready "$T/ready4"
rss0=$(awk '/^VmRSS/ { print $2 }' /proc/$PPID/status)
i=0
while [ $i -lt 300 ]; do
	echo $U >"$TYPE/create" && echo 1 >"$MATRIX/$U/remove" || break
	i=$((i + 1))
done
expect_eq $i 300 "300 mdev create/remove with a stuck listener"
expect_eq "$("$APSIM" ctl ping >/dev/null && echo alive)" alive "apsim still serves"
rss1=$(awk '/^VmRSS/ { print $2 }' /proc/$PPID/status)
# ASan's allocator and shadow memory add to VmRSS (APV_SANITIZED, set by
# tests/integration/meson.build for sanitizer builds)
slack=0
[ "${APV_SANITIZED:-0}" = 1 ] && slack=8192
expect_eq "$([ $((rss1 - rss0)) -lt $((4096 + slack)) ] && echo bounded)" bounded "apsim does not grow (${rss0} -> ${rss1} kB)"
kill $stuck
st=$("$APSIM" ctl state --json | tr ',' '\n' | grep -E '"(dropped|netlink)"' | tr -d ' }' | tr '\n' ' ')
expect_eq "$st" '"dropped":0 "netlink":true ' "ctl state: udev counters (dropped 0: the kernel drops for the listener)"

# ---- apsim run: netlink only with --udev-events ---------------------------
# (inside this exec's network namespace, so nobody else hears it)
for opt in "" --udev-events; do
	mkdir -p "$T/m$opt"
	rm -f "$T/ready5"
	"$UDEV_LISTEN" -t 1 -r "$T/ready5" >"$T/run$opt" &
	l5=$!
	wait_ready "$T/ready5"
	"$APSIM" run --mount "$T/m$opt" --socket "$T/s$opt" $opt 2>/dev/null &
	r=$!
	i=0
	while [ ! -e "$T/m$opt/bus/ap/apmask" ] && [ $i -lt 500 ]; do
		sleep 0.01
		i=$((i + 1))
	done
	echo $U >"$T/m$opt/$TYPE_REL/create"
	wait $l5
	kill $r
	wait $r
	"$APSIM" ctl --socket "$T/s$opt" ping >/dev/null 2>&1 # (gone)
done
expect_eq "$(cat "$T/run")" "" "apsim run: no netlink broadcast without --udev-events"
expect_eq "$(grep "matrix/$U" "$T/run--udev-events")" "add /devices/vfio_ap/matrix/$U
bind /devices/vfio_ap/matrix/$U" "apsim run --udev-events: broadcast in the caller's namespace"
expect_eq "$(grep -q '^add /devices/ap/card' "$T/run--udev-events" && echo yes)" yes \
	"apsim run --udev-events: the boot's events too (sent once the sender starts)"

it_done
