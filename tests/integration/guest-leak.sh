#!/bin/sh
# SPDX-License-Identifier: MIT
# The leak guarantee across guest processes: guest A enqueues a request on
# 04.0047 and leaves the reply waiting; the APQN moves to guest B's mdev
# (unassign from A's, assign to B's through sysfs: hot unplug and plug);
# B finds the queue empty and never dequeues A's reply; A has lost it.
. "$(dirname "$0")/lib.sh"
it_enter --workers 0 "$@"
. "$(dirname "$0")/guest-lib.sh"

host_give "04" "47"
mdev_make $U "04" "47"
mdev_make $V "" "47"
oa=$(mktemp)
ob=$(mktemp)
mkfifo "$oa.fifo" "$ob.fifo"
"$APSIM" guest --mdev $U --name A <"$oa.fifo" >"$oa" 2>&1 &
pa=$!
exec 3>"$oa.fifo"
"$APSIM" guest --mdev $V --name B <"$ob.fifo" >"$ob" 2>&1 &
pb=$!
exec 4>"$ob.fifo"

echo "nqap apqn=04.0047 psmid=0x4141 addr=0x3000 data=$MEB1_2_3_15" >&3
echo 'pqap fc=tapq apqn=04.0047' >&3
wait_lines "$oa" 2
expect_eq "$(sed -n 2p "$oa" | cut -d' ' -f1-4)" "tapq cc=0 rc=00 sw=-R--" \
	"A: a reply is waiting"
echo 'pqap fc=tapq apqn=04.0047' >&4
wait_lines "$ob" 1
expect_eq "$(sed -n 1p "$ob" | cut -d' ' -f1-3)" "tapq cc=3 rc=01" \
	"B: 04.0047 is not B's yet"

expect_io OK "unassign adapter 04 from A's mdev" write "$MATRIX/$U/unassign_adapter" 4
expect_io OK "assign adapter 04 to B's mdev" write "$MATRIX/$V/assign_adapter" 4

echo 'pqap fc=tapq apqn=04.0047' >&4
echo 'dqap apqn=04.0047 addr=0x4000 len=4096' >&4
echo 'events' >&4
wait_lines "$ob" 4
expect_eq "$(sed -n 2p "$ob" | cut -d' ' -f1-4)" "tapq cc=0 rc=00 sw=E---" \
	"B: the queue is empty"
expect_eq "$(sed -n 3p "$ob" | cut -d' ' -f1-4)" "dqap cc=3 rc=10 sw=E---" \
	"B: nothing to dequeue (A's reply never reaches B)"
expect_eq "$(sed -n 4p "$ob")" "events cfg_change=2 request=0 irqs=0" \
	"B was told its configuration changed (open, plug)"

echo 'dqap apqn=04.0047 addr=0x4000 len=4096' >&3
echo 'events' >&3
wait_lines "$oa" 4
expect_eq "$(sed -n 3p "$oa" | cut -d' ' -f1-3)" "dqap cc=3 rc=01" \
	"A: the queue is gone from A"
expect_eq "$(sed -n 4p "$oa")" "events cfg_change=2 request=0 irqs=0" \
	"A was told its configuration changed (open, unplug)"
exec 3>&- 4>&-
wait $pa $pb
rm -f "$oa" "$ob" "$oa.fifo" "$ob.fifo"
it_done
