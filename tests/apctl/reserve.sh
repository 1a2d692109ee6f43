#!/bin/bash
# SPDX-License-Identifier: MIT
#
# apctl reserve: adapters and domains move between the host's zcrypt
# drivers and vfio_ap through bus/ap/apmask and aqmask.  The preview names
# every queue that moves; the queues' driver links follow; returning an
# APQN that an mdev holds is refused (EBUSY) naming the APQN and the mdev,
# with nothing changed; --dry-run changes nothing; --persist writes
# chzdev's udev rule (golden).
#
# Spec: vfio-ap-semantics.md §1.6, §1.7; ecosystem.md §2.5.
. "$(dirname "$0")/../interop/lib.sh"
interop_enter -- ${APV_APSIM_ARGS:-}

CFG=$(mktemp -d)
trap 'rm -rf "$CFG"' EXIT
apctl() { "${APCTL:?}" --config-root "$CFG" "$@"; }
# Goldens name the config root CFG.
golden() { expect_golden "reserve-$1" "${2//$CFG/CFG}" "$3"; }

U1=11111111-2222-3333-4444-000000000001
APMASK=/sys/bus/ap/apmask
AQMASK=/sys/bus/ap/aqmask
drivers() { # every queue's driver, one line
	local q s=
	for q in 04.0004 04.0047 04.0054 05.0004 05.0047 05.0054; do
		s+="$q=$(queue_driver $q) "
	done
	echo "${s% }"
}
masks() { echo "$(cat $APMASK) $(cat $AQMASK)"; }
ALL_HOST="04.0004=cex4queue 04.0047=cex4queue 04.0054=cex4queue 05.0004=cex4queue 05.0047=cex4queue 05.0054=cex4queue"
ONES=0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff

# ---- usage ------------------------------------------------------------------

run apctl reserve
expect_rc 2 "reserve without ids"
expect_eq "$err" "apctl: 'reserve' needs --adapters or --domains" \
	"reserve names what it needs"
run apctl reserve -a 4 --for guest
expect_rc 2 "--for guest"
expect_eq "$err" "apctl: --for 'guest': not vfio or host" "--for values"
run apctl reserve -a 4-3
expect_rc 1 "an empty range"
expect_eq "$err" "apctl: adapter '4-3': empty range" "the range is named"
run apctl reserve -d 0x100
expect_rc 1 "domain 0x100"
expect_eq "$err" "apctl: domain '0x100': out of range (max 0xff)" \
	"out of range"
expect_eq "$(masks)" "$ONES $ONES" "refused commands change no mask"

# ---- --dry-run ----------------------------------------------------------------

run apctl reserve -a 4 -d 0x47 --dry-run
expect_rc 0 "reserve -a 4 -d 0x47 --dry-run"
golden dry-run "$out" "the preview: 04.* and *.0047 move to vfio_ap"
expect_eq "$(masks)" "$ONES $ONES" "--dry-run writes no mask"
expect_eq "$(drivers)" "$ALL_HOST" "--dry-run moves no queue"
run apctl --json reserve -a 4 -d 0x47 --dry-run
expect_rc 0 "reserve --json --dry-run"
golden dry-run.json "$out" "the preview as JSON"

# ---- host -> vfio ---------------------------------------------------------------

run apctl reserve --domains 0x47,0x54
expect_rc 0 "reserve -d 0x47,0x54"
golden vfio "$out" "preview of the move to vfio_ap"
expect_eq "$(drivers)" \
	"04.0004=cex4queue 04.0047=vfio_ap 04.0054=vfio_ap 05.0004=cex4queue 05.0047=vfio_ap 05.0054=vfio_ap" \
	"the 0047 and 0054 queues are bound to vfio_ap"
expect_eq "$(cat $AQMASK)" \
	0xfffffffffffffffffefff7ffffffffffffffffffffffffffffffffffffffffff \
	"aqmask lost 0x47 and 0x54, nothing else"
expect_file /sys/bus/ap/devices/05.0047/status unassigned \
	"vfio_ap's status attribute appeared"

run apctl reserve -d 0x47-0x47,0x54
expect_rc 0 "the same again"
expect_eq "$out" "nothing to do" "idempotent: nothing to do"
expect_eq "$(cat $AQMASK)" \
	0xfffffffffffffffffefff7ffffffffffffffffffffffffffffffffffffffffff \
	"aqmask unchanged"

# ---- vfio -> host refused: an mdev holds the APQN -------------------------------

run apctl define $U1 -a 4 -d 0x47
run apctl start $U1
expect_rc 0 "start $U1 (04.0047)"
before=$(masks)
run apctl reserve -d 0x47 --for host
expect_rc 1 "returning 0x47 to the host"
expect_eq "$err" \
	"apctl: APQN 04.0047 is assigned to mdev $U1: unassign it before returning it to the host: Device or resource busy" \
	"EBUSY names the APQN and the mdev"
run apctl --json reserve -a 4-5 -d 0x47,0x54 --for host
expect_rc 1 "returning everything to the host (JSON)"
check "the JSON error names APQN and owner" json_eq "$out" \
	'{"error":"APQN 04.0047 is assigned to mdev '$U1': unassign it before returning it to the host: Device or resource busy",
	"errno":"EBUSY","rule":"apqn-in-use","apqn":"04.0047","owner":"'$U1'"}'
expect_eq "$(masks)" "$before" "refused: the masks are unchanged"
expect_eq "$(queue_driver 04.0047) $(queue_driver 05.0054)" \
	"vfio_ap vfio_ap" "refused: no queue moved"
expect_file $MATRIX/$U1/matrix 04.0047 "refused: the mdev is untouched"

mkfifo $CFG/console
"$APSIM" guest --mdev $U1 --name vm1 <$CFG/console >/dev/null 2>&1 &
guest=$!
exec 3>$CFG/console
for _ in $(seq 50); do
	[ "$(cat /sys/bus/ap/devices/04.0047/status)" = "in use" ] && break
	sleep 0.1
done
run apctl reserve -d 0x47 --for host
expect_rc 1 "returning 0x47 while a guest uses 04.0047"
expect_eq "$err" \
	"apctl: APQN 04.0047 is assigned to mdev $U1 (a guest uses it): unassign it before returning it to the host: Device or resource busy" \
	"EBUSY says a guest uses it"
exec 3>&-
wait $guest
expect_eq "$(masks)" "$before" "refused: the masks are unchanged"

# 0x54 is nobody's: it may go back while 0x47 stays.
run apctl reserve -d 0x54 --for host
expect_rc 0 "reserve -d 0x54 --for host"
golden host "$out" "preview of the move back to the host"
expect_eq "$(queue_driver 04.0054) $(queue_driver 05.0054)" \
	"cex4queue cex4queue" "0054 queues are back with cex4queue"
expect_eq "$(queue_driver 04.0047)" vfio_ap "04.0047 stays with vfio_ap"

run apctl stop $U1
expect_rc 0 "stop $U1"
run apctl reserve -d 0x47 --for host
expect_rc 0 "0x47 goes back once the mdev is gone"
expect_eq "$(drivers)" "$ALL_HOST" "every queue is the host's again"
expect_eq "$(masks)" "$ONES $ONES" "both masks all ones"

# ---- --persist: chzdev's rule ---------------------------------------------------

RULE=$CFG/udev/rules.d/41-ap.rules
run apctl reserve -a 5 -d 0x54 --persist --dry-run
expect_rc 0 "--persist --dry-run"
expect_absent "$RULE" "--dry-run writes no rule"
run apctl reserve -a 5 -d 0x54 --persist
expect_rc 0 "reserve -a 5 -d 0x54 --persist"
golden persist "$out" "preview with the rule"
expect_golden reserve-41-ap.rules "$(cat "$RULE")" \
	"the rule: chzdev's format, the resulting masks"
expect_eq "$(find "$CFG/udev" -name '*.rules.*' | wc -l)" 0 \
	"no temporary file left"
rm "$RULE"
run apctl reserve -a 5 --persist
expect_rc 0 "--persist with nothing to change"
expect_eq "${out//$CFG/CFG}" "nothing to do
rule CFG/udev/rules.d/41-ap.rules" "nothing to do, the rule is rewritten"
expect_golden reserve-41-ap.rules "$(cat "$RULE")" "the same rule again"
run apctl --json reserve -d 0x54 --persist
expect_rc 0 "--json --persist"
golden persist.json "${out}" "the JSON result names the rule"

interop_done
