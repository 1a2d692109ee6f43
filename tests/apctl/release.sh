#!/bin/bash
# SPDX-License-Identifier: MIT
#
# apctl release: wait (bounded) until the mdev's queues are idle, unplug
# them from the guest, remove the mdev, report what was still in flight.
# apsim's (and Linux's) vfio_ap queues read requestq_count/pendingq_count
# 0; inside `apsim exec` apctl asks apsim's machine instead (guest.queue:
# requests + replies waiting), so a guest that enqueues and never
# dequeues keeps release waiting until its timeout (6.12; 6.1 refuses
# while a guest has the mdev).  The sysfs counter path runs against a
# static tree (--sysfs-root) whose counters say 2 + 1.
#
# Spec: vfio-ap-semantics.md §1.5, §2.5, §3.3.2, §3.3.7.
. "$(dirname "$0")/../interop/lib.sh"
interop_enter -- ${APV_APSIM_ARGS:-}

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
apctl() { "${APCTL:?}" --config-root "$TMP/cfg" "$@"; }
golden() { expect_golden "release-$1" "$2" "$3"; }
U1=11111111-2222-3333-4444-000000000001

# ---- against apsim ------------------------------------------------------------

run apctl reserve -d 0x47 -a 5
run apctl define guest1 -a 4-5 -d 0x47 -c 0x47
G1=$out
run apctl start $G1
expect_rc 0 "start guest1"
run apctl release guest1 --timeout 5
expect_rc 0 "release guest1 (by name)"
golden apsim "$out" "every queue idle, unassigned, removed"
expect_mdev_gone $G1 "released"
expect_eq "$(queue_driver 04.0047) $(queue_driver 05.0047)" \
	"vfio_ap vfio_ap" "the queues stay with vfio_ap"
run apctl start $G1
run apctl --json release $G1
expect_rc 0 "release --json"
golden apsim.json "$out" "the report as JSON"

run apctl --json release $G1
expect_rc 1 "release of an inactive mdev"
check "ENODEV names the mdev" json_eq "$out" \
	'{"error":"mdev '$G1': not active","errno":"ENODEV","rule":null,"apqn":null,"owner":null}'
run apctl release $G1 --timeout soon
expect_rc 2 "--timeout soon"
expect_eq "$err" "apctl: --timeout 'soon': not a number of seconds 0..86400" \
	"a bad timeout is named"

# ---- a guest holds the mdev open (apsim guest) ---------------------------------

# queue_work APQN: requests + replies the machine queue holds (apsim)
queue_work() {
	"$APSIM" ctl --json raw '{"cmd":"guest.queue","apqn":"'$1'"}' |
		python3 -c 'import json, sys
q = json.load(sys.stdin)
print(q["requests"] + q["replies"])'
}
queue_zeroized() {
	"$APSIM" ctl --json raw '{"cmd":"guest.queue","apqn":"'$1'"}' |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["zeroized"])'
}
# guest_busy UUID N: a console guest on the mdev (fd 3) that enqueues N
# type 50 requests (MEB1, 2^3 mod 15) on 04.0047 and never dequeues
guest_busy() {
	local z127 meb i
	z127=$(printf '%0254d' 0)
	meb=00500190000000000001000000000000${z127}03${z127}0f${z127}02
	rm -f $TMP/console
	mkfifo $TMP/console
	"$APSIM" guest --mdev $1 --name busy <$TMP/console >$TMP/guest.out 2>&1 &
	guest=$!
	exec 3>$TMP/console
	for i in $(seq "$2"); do
		echo "nqap apqn=04.0047 psmid=$i addr=0x3000 data=$meb" >&3
	done
	for _ in $(seq 50); do
		[ "$(grep -c '^nqap cc=0' $TMP/guest.out)" = "$2" ] && break
		sleep 0.1
	done
	expect_eq "$(grep -c '^nqap cc=0' $TMP/guest.out)" "$2" \
		"the guest enqueued $2 requests"
}

run apctl start $G1
mkfifo $TMP/console
"$APSIM" guest --mdev $G1 --name vm1 <$TMP/console >$TMP/guest.out 2>&1 &
guest=$!
exec 3>$TMP/console
for _ in $(seq 50); do
	[ "$(cat /sys/bus/ap/devices/04.0047/status)" = "in use" ] && break
	sleep 0.1
done
expect_file /sys/bus/ap/devices/04.0047/status "in use" "the guest has the queue"
if [ -e $MATRIX/features ]; then
	# 6.12: the request interrupt asks the guest to let go.
	run apctl --json release $G1
	expect_rc 0 "release an mdev a guest uses"
	check "the report says a guest had it" python3 -c 'import json, sys
r = json.loads(sys.argv[1])
assert r["guest"] and r["removed"] and not r["timed_out"], r' "$out"
	run apctl release $G1
	expect_rc 1 "and it is gone"
	exec 3>&-
	wait $guest
	expect_eq "$?" 0 "the guest ended normally"

	# A guest that enqueues and never dequeues: apsim's machine queue
	# holds its work (sysfs would say 0), release waits, times out.
	for round in text json; do
		run apctl start $G1
		guest_busy $G1 3
		expect_eq "$(queue_work 04.0047)" 3 \
			"$round: apsim counts the 3 requests/replies on 04.0047"
		zero0=$(queue_zeroized 04.0047)
		if [ $round = text ]; then
			run apctl release $G1 --timeout 1
			expect_rc 3 "release with work in flight: timeout, exit 3"
			golden inflight "${out//$G1/UUID}" \
				"3 in flight on 04.0047 (counted by apsim), discarded"
		else
			run apctl --json release $G1 --timeout 1
			expect_rc 3 "--json: exit 3"
			check "--json: 3 in flight, source apsim" json_eq "$out" \
				'{"uuid":"'$G1'","guest":true,"timed_out":true,"in_flight":3,"source":"apsim",
				"queues":[{"apqn":"04.0047","in_flight":3},{"apqn":"05.0047","in_flight":0}],"removed":true}'
		fi
		expect_mdev_gone $G1 "$round: removed all the same"
		expect_eq "$(queue_work 04.0047)" 0 "$round: the work was discarded"
		check "$round: 04.0047 was zeroized" \
			test "$(queue_zeroized 04.0047)" -gt "$zero0"
		exec 3>&-
		wait $guest
		expect_eq "$?" 0 "$round: the guest ended normally"
	done
else
	# 6.1: the remove would block until the guest closes the mdev.
	run apctl --json release $G1
	expect_rc 1 "6.1: release refuses while a guest has the mdev"
	check "EBUSY, rule guest-attached" json_eq "$out" \
		'{"error":"mdev '$G1': a guest has it open and this kernel cannot ask the guest to let go (stop the guest first)",
		"errno":"EBUSY","rule":"guest-attached","apqn":null,"owner":null}'
	expect_file $MATRIX/$G1/matrix "04.0047
05.0047" "refused: the mdev keeps its matrix"
	expect_file /sys/bus/ap/devices/04.0047/status "in use" \
		"refused: the guest keeps its queue"
	exec 3>&-
	wait $guest
	run apctl release $G1
	expect_rc 0 "release once the guest has gone"
fi

# ---- a tree whose counters are not zero ------------------------------------------

S=$TMP/sys
M=$S/devices/vfio_ap/matrix/$U1
Q=$S/devices/ap/card04/04.0047
mkdir -p $M $Q $S/bus/ap/drivers/vfio_ap
printf '04.0047\n' >$M/matrix
# A kernel that can ask the guest to let go, without ap_config.
echo 'guest_matrix hotplug' >$S/devices/vfio_ap/matrix/features
: >$M/unassign_adapter
: >$M/remove
echo 2 >$Q/requestq_count
echo 1 >$Q/pendingq_count
echo 'in use' >$Q/status
ln -s ../../../../bus/ap/drivers/vfio_ap $Q/driver

start=$(date +%s%N)
run apctl --sysfs-root $S release $U1 --timeout 1
expect_rc 3 "the timeout hit: exit status 3"
check "waited about 1 s" test $(( ($(date +%s%N) - start) / 1000000 )) -ge 900
golden timeout "$out" "3 requests discarded, the guest named"
expect_file $M/unassign_adapter 0x4 "adapter 04 unassigned (no ap_config here)"
expect_file $M/remove 1 "then removed"

: >$M/remove
(sleep 0.4; echo 0 >$Q/requestq_count; echo 0 >$Q/pendingq_count) &
run apctl --sysfs-root $S --json release $U1 --timeout 10
expect_rc 0 "the queue drains during the wait"
check "nothing in flight" json_eq "$out" \
	'{"uuid":"'$U1'","guest":true,"timed_out":false,"in_flight":0,"source":"sysfs",
	"queues":[{"apqn":"04.0047","in_flight":0}],"removed":true}'
wait

echo - >$Q/requestq_count
run apctl --sysfs-root $S release $U1 --timeout 0
expect_rc 0 "unreadable counters do not wait"
expect_contains "$out" "04.0047 unknown (no counters)" "reported as unknown"

interop_done
