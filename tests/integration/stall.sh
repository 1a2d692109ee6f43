#!/bin/sh
# SPDX-License-Identifier: MIT
# A store that must wait does not stall the tree (issue 13, finding 1).
# On a 6.1 host, `echo 1 > .../UUID/remove` of an mdev a guest holds waits
# until the guest lets the device go (the vfio core has no request
# callback there); only that writer waits, as with kernfs: unrelated reads
# answer meanwhile.  Guests: one that holds its device, one that is
# SIGSTOPped.  The writer interrupted (SIGTERM, SIGKILL: a background job
# of sh ignores SIGINT): answered EINTR at once, the removal completes
# when the guest lets go (docs/apsim.md).
. "$(dirname "$0")/lib.sh"
it_enter --kernel 6.1 --workers 0 "$@"
. "$(dirname "$0")/guest-lib.sh"

PROBE=${STALL_PROBE:?}
M=/sys/devices/vfio_ap/matrix
TYPE=$M/mdev_supported_types/vfio_ap-passthrough
MATRIX=$M
tmp=$(mktemp -d)
fifo=$tmp/fifo
mkfifo "$fifo"
host_give "04 05" "47"

# guest_start: an `apsim guest` holding mdev $U, its console on fd 3.
guest_start() {
	: >"$tmp/out"
	"$APSIM" guest --mdev $U --name held <"$fifo" >"$tmp/out" 2>&1 &
	gpid=$!
	exec 3>"$fifo"
	echo 'pqap fc=tapq apqn=04.0047' >&3
	wait_lines "$tmp/out" 1 || fail "the guest answered" "$(cat "$tmp/out")"
}

# remove_start: `echo 1 > remove` in the background (status in $tmp/rc).
remove_start() {
	rm -f "$tmp/rc"
	sh -c "echo 1 >$M/$U/remove 2>/dev/null; echo \$? >$tmp/rc" 3>&- &
	rpid=$!
	sleep 0.3
}

# probe MSG: unrelated reads answer within 10 ms (90th percentile; every
# read within 1 s) while the remove waits.
probe() {
	r=$(timeout 10 "$PROBE" 20 /sys/bus/ap/apmask /sys/bus/ap/aqmask \
		$M/$V/matrix /sys/devices/ap/card05/type \
		/sys/devices/ap/card04/hwtype 2>&1)
	p90=$(echo "$r" | sed -n 's/.*p90_us=\([0-9]*\).*/\1/p')
	max=$(echo "$r" | sed -n 's/.*max_us=\([0-9]*\).*/\1/p')
	if [ -n "$p90" ] && [ "$p90" -lt 10000 ] && [ "$max" -lt 1000000 ]; then
		pass "$1 ($r)"
	else
		fail "$1" "probe: ${r:-timed out}"
	fi
}

# still_waiting MSG
still_waiting() {
	if kill -0 $rpid 2>/dev/null && [ ! -f "$tmp/rc" ]; then
		pass "$1"
	else
		fail "$1" "the remove finished: rc=$(cat "$tmp/rc" 2>/dev/null)"
	fi
}

mdev_make $V "05" "47"

# 1. a guest holds the mdev
mdev_make $U "04" "47"
guest_start
remove_start
still_waiting "held guest: the remove waits for the guest"
probe "held guest: unrelated reads answer meanwhile"
expect_eq "$(ls $M | grep -c $U)" 1 "held guest: the mdev is still there"
exec 3>&-
wait $gpid
wait $rpid
expect_eq "$(cat "$tmp/rc")" 0 "held guest: the guest left, the remove succeeded"
expect_absent "$M/$U" "held guest: the mdev is gone"

# 2. the guest is stopped (SIGSTOP): the same, until SIGCONT and exit
mdev_make $U "04" "47"
guest_start
kill -STOP $gpid
remove_start
still_waiting "stopped guest: the remove waits"
probe "stopped guest: unrelated reads answer meanwhile"
expect_eq "$(timeout 5 cat /sys/bus/ap/apmask | cut -c1-4)" 0xf3 \
	"stopped guest: cat apmask answers"
kill -CONT $gpid
exec 3>&-
wait $gpid
wait $rpid
expect_eq "$(cat "$tmp/rc")" 0 "stopped guest: SIGCONT and exit, the remove succeeded"
expect_absent "$M/$U" "stopped guest: the mdev is gone"

# 3. the writer is interrupted: EINTR at once, the removal completes later
for sig in TERM KILL; do
	mdev_make $U "04" "47"
	guest_start
	kill -STOP $gpid
	remove_start
	still_waiting "SIG$sig: the remove waits"
	kill -$sig $rpid
	i=0
	while kill -0 $rpid 2>/dev/null && [ $i -lt 40 ]; do
		i=$((i + 1))
		sleep 0.05
	done
	if kill -0 $rpid 2>/dev/null; then
		fail "SIG$sig: the writer ends at once"
	else
		pass "SIG$sig: the writer ends at once"
	fi
	wait $rpid 2>/dev/null
	expect_eq "$("$SYSFS_IO" writeln $M/$U/remove 1)" EAGAIN \
		"SIG$sig: a second remove meanwhile: EAGAIN (already being removed)"
	probe "SIG$sig: reads answer"
	kill -CONT $gpid
	exec 3>&-
	wait $gpid
	i=0
	while [ -e "$M/$U" ] && [ $i -lt 100 ]; do
		i=$((i + 1))
		sleep 0.05
	done
	expect_absent "$M/$U" "SIG$sig: the guest left, the removal completed"
done
rm -rf "$tmp"
it_done
