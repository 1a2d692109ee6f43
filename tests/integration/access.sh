#!/bin/sh
# SPDX-License-Identifier: MIT
# Access (issue 13, item 8): the tree mounted by root is readable by every
# user and writable by none but root (sysfs' modes: a user other than root
# gets the "other" bits: reads succeed, writes fail with EACCES); the
# control socket is 0600 (only root connects); a guest cannot reach the
# queues of another guest's mdev.
. "$(dirname "$0")/lib.sh"
it_enter --workers 0 "$@"
. "$(dirname "$0")/guest-lib.sh"

M=/sys/devices/vfio_ap/matrix
TYPE=$M/mdev_supported_types/vfio_ap-passthrough
MATRIX=$M
nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}
command -v setpriv >/dev/null || it_skip "no setpriv"

host_give "04 05" "47"
mdev_make $U "04" "47"
mdev_make $V "05" "47"
echo node1 >/sys/class/zcrypt/create

# non-root reads succeed
for f in /sys/bus/ap/apmask /sys/bus/ap/ap_domain /sys/devices/ap/card04/type \
	/sys/devices/ap/card04/04.0047/interrupt $M/$U/matrix \
	$TYPE/available_instances /sys/devices/virtual/zcrypt/node1/apmask; do
	expect_eq "$(nobody cat "$f" 2>&1)" "$(cat "$f")" "non-root reads $f"
done
expect_eq "$(nobody ls $M | grep -c -e $U -e $V)" 2 "non-root lists the mdevs"

# non-root writes get EACCES (and change nothing)
for fv in "/sys/bus/ap/apmask +0x00" "/sys/bus/ap/aqmask +0x00" \
	"$M/$U/assign_domain 0x48" "$M/$U/remove 1" "$TYPE/create $V" \
	"/sys/devices/ap/card04/config 0" "/sys/class/zcrypt/create node2" \
	"/sys/devices/virtual/zcrypt/node1/apmask +0"; do
	set -- $fv
	expect_eq "$(nobody "$SYSFS_IO" writeln "$1" "$2")" EACCES \
		"non-root write to $1: EACCES"
done
expect_eq "$(cat $M/$U/matrix)" "04.0047" "the mdev did not change"
expect_eq "$(cat /sys/devices/ap/card04/config)" 1 "the card did not change"
expect_absent /sys/devices/virtual/zcrypt/node2 "no node was created"

# the control socket is root's alone
expect_eq "$(stat -c '%a %u' "$APSIM_SOCKET")" "600 0" "the socket is 0600, root's"
if nobody "$APSIM" ctl ping >/dev/null 2>&1; then
	fail "non-root cannot use the control socket"
else
	pass "non-root cannot use the control socket"
fi
if nobody "$APSIM" guest --mdev $U --name intruder </dev/null >/dev/null 2>&1; then
	fail "non-root cannot attach a guest"
else
	pass "non-root cannot attach a guest"
fi

# a guest on $U cannot reach $V's queue 05.0047 (not in its CRYCB: RC 01)
got=$(printf 'pqap fc=tapq apqn=05.0047\npqap fc=tapq apqn=04.0047\n' |
	"$APSIM" guest --mdev $U --name g1 | cut -d' ' -f1-4)
expect_eq "$got" "tapq cc=3 rc=01 sw=----
tapq cc=0 rc=00 sw=E---" "a guest reaches its own queue and not the other guest's"
got=$(printf 'dqap apqn=05.0047 addr=0x4000 len=4096\n' |
	"$APSIM" guest --mdev $U --name g1 | cut -d' ' -f1-3)
expect_eq "$got" "dqap cc=3 rc=01" "a guest cannot dequeue from the other guest's queue"
it_done
