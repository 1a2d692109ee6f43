#!/bin/sh
# SPDX-License-Identifier: MIT
# A guest process that dies (SIGKILL) is cleaned up as QEMU's exit is:
# its device is closed, the guest's CRYCB is gone, its queues are zeroized
# (interrupt registration released, the waiting reply discarded) and the
# mdev can be removed.  And removing the mdev of a live guest asks it to
# close (request): apsim unplugs the device, the removal completes.
. "$(dirname "$0")/lib.sh"
it_enter --workers 0 "$@"
. "$(dirname "$0")/guest-lib.sh"

host_give "04" "47"
mdev_make $U "04" "47"
out=$(mktemp)
fifo=$out.fifo
mkfifo "$fifo"

queue() { # FIELD
	"$APSIM" ctl --json raw '{"cmd":"guest.queue","apqn":"04.0047"}' |
		jq -r ".$1"
}

"$APSIM" guest --mdev $U --name victim <"$fifo" >"$out" 2>&1 &
pid=$!
exec 3>"$fifo"
echo 'pqap fc=aqic apqn=04.0047 ir=1 isc=6 nib=0x1000' >&3
echo "nqap apqn=04.0047 psmid=1 addr=0x3000 data=$MEB1_2_3_15" >&3
wait_lines "$out" 2 || fail "the console answered" "$(cat "$out")"
expect_eq "$("$APSIM" ctl --json state | jq -c '.mdevs[0] | [.kvm, .open]')" \
	'["victim",true]' "the guest has the mdev open"
expect_eq "$(queue irq_isc)" 6 "interruptions registered with ISC 6"
z0=$(queue zeroized)

kill -9 $pid
wait $pid 2>/dev/null
exec 3>&-
i=0
while [ "$("$APSIM" ctl --json state | jq -r '.mdevs[0].open')" != false ] &&
	[ $i -lt 100 ]; do
	i=$((i + 1))
	sleep 0.05
done
expect_eq "$("$APSIM" ctl --json state | jq -c '.mdevs[0] | [.kvm, .open]')" \
	'[null,false]' "after SIGKILL: no guest, device closed"
expect_eq "$(queue zeroized)" $((z0 + 1)) "the queue was zeroized once"
expect_eq "$(queue irq_isc)" -1 "the interrupt registration is released"

# a new guest finds the queue empty: the reply is gone
got=$(printf 'pqap fc=tapq apqn=04.0047\ndqap apqn=04.0047 addr=0x4000 len=4096\n' |
	"$APSIM" guest --mdev $U --name next | cut -d' ' -f1-4)
expect_eq "$got" "tapq cc=0 rc=00 sw=E---
dqap cc=3 rc=10 sw=E---" "the next guest: empty queue, nothing to dequeue"
expect_io OK "the mdev is removable" write "$MATRIX/$U/remove" 1

# removal of the mdev of a live guest: the request unplugs the device
mdev_make $U "04" "47"
: >"$out"
"$APSIM" guest --mdev $U --name live <"$fifo" >"$out" 2>&1 &
pid=$!
exec 3>"$fifo"
echo 'pqap fc=tapq apqn=04.0047' >&3
wait_lines "$out" 1
expect_io OK "remove while the guest runs" write "$MATRIX/$U/remove" 1
expect_absent "$MATRIX/$U" "the mdev is gone"
echo 'events' >&3
echo 'pqap fc=tapq apqn=04.0047' >&3
exec 3>&-
wait $pid
expect_eq "$?" 1 "the console's later instruction failed"
expect_eq "$(sed -n 2p "$out")" "events cfg_change=1 request=1 irqs=0" \
	"the guest saw one device request"
expect_eq "$(sed -n 3p "$out" | cut -d: -f4)" " ENODEV" \
	"instructions after the unplug: ENODEV"
rm -f "$out" "$fifo"
it_done
