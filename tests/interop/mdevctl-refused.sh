#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Debian's mdevctl 1.2.0 against apsim's tree: starts that the kernel's
# vfio_ap rules refuse.  mdevctl writes `create`, then each attribute; when
# an assign_* write fails it removes the half-made mdev and reports the
# write's errno.  Checked: the errno text in mdevctl's error, no leftover
# mdev anywhere in the tree, the other mdevs and the host's queues
# untouched.
#
#   host-reserved APQN (in apmask and aqmask)   EADDRNOTAVAIL (errno 99)
#   APQN already assigned to a running mdev     EADDRINUSE    (errno 98)
#
# Spec: real-tools-abi.md §4.6, vfio-ap-semantics.md (assign rules).
. "$(dirname "$0")/lib.sh"
interop_enter --mdevctl -- ${APV_APSIM_ARGS:-}

R1=9b2f4e61-0d3c-4f8a-b7e5-2c4a6d8e0b01
R2=9b2f4e61-0d3c-4f8a-b7e5-2c4a6d8e0b02
S1=9b2f4e61-0d3c-4f8a-b7e5-2c4a6d8e0b03
S2=9b2f4e61-0d3c-4f8a-b7e5-2c4a6d8e0b04

EADDRNOTAVAIL_MSG="Cannot assign requested address (os error 99)"
EADDRINUSE_MSG="Address already in use (os error 98)"

# Domains 0x47 and 0x54 go to vfio_ap; 0x04 stays with the host.
aqmask_write -0x47,-0x54
expect_eq "$(queue_driver 04.0004)" cex4queue "04.0004 is the host's"

# expect_refused UUID ERRNO-TEXT MSG: `mdevctl start` fails with the text
# and leaves nothing behind.
expect_refused() {
	local u=$1 text=$2 msg=$3 before
	before=$(mdev_count)
	run mdevctl start -u "$u"
	expect_rc 1 "$msg: mdevctl start fails"
	expect_contains "$err" "$text" "$msg: mdevctl reports '$text'"
	expect_mdev_gone "$u" "$msg"
	expect_eq "$(mdev_count)" "$before" "$msg: no mdev added"
	expect_model "'$u' in uuids()" false "$msg: the mdev is not in the model"
	run mdevctl list
	expect_lacks "$out" "$u" "$msg: mdevctl list does not show it"
	run mdevctl list -d
	expect_eq "$(printf '%s\n' "$out" | grep "^$u ")" \
		"$u matrix vfio_ap-passthrough manual" \
		"$msg: the definition stays, not active"
}

# ---- host-reserved APQN: EADDRNOTAVAIL ------------------------------------

# The adapter first: assign_adapter 4 succeeds (no domain yet), then
# assign_domain 4 would give the mdev APQN 04.0004, which the host owns.
mdev_define $R1 manual assign_adapter=4 assign_domain=4
expect_refused $R1 "$EADDRNOTAVAIL_MSG" "host-reserved 04.0004 (domain)"

# The domain first: assign_adapter is the write that fails.
mdev_define $R2 manual assign_domain=4 assign_adapter=5
expect_refused $R2 "$EADDRNOTAVAIL_MSG" "host-reserved 05.0004 (adapter)"

expect_file $MTYPE/available_instances 65536 "no instance in use"
expect_model "uuids()" "[]" "no mdev after the refused starts"
for q in 04.0004 05.0004; do
	expect_eq "$(queue_driver $q)" cex4queue "$q stays on cex4queue"
	expect_file /sys/bus/ap/devices/$q/online 1 "$q stays online"
	expect_model "queue('$q')['owner']" host "$q still belongs to the host"
done

# ---- shared APQN: EADDRINUSE ----------------------------------------------

mdev_define $S1 manual assign_adapter=5 assign_domain=0x47 \
	assign_control_domain=0x47
run mdevctl start -u $S1
expect_rc 0 "mdevctl start $S1 (05.0047)"
expect_mdev_active $S1 05.0047 "$S1"

# S2 wants adapters 4 and 5 with domain 0x47: 05.0047 belongs to S1.
mdev_define $S2 manual assign_adapter=4 assign_adapter=5 assign_domain=0x47
expect_refused $S2 "$EADDRINUSE_MSG" "05.0047 shared with $S1"

expect_mdev_active $S1 05.0047 "$S1 after the refused start"
expect_file $MATRIX/$S1/control_domains 0047 "$S1 control_domains unchanged"
expect_file $MTYPE/available_instances 65535 "one instance in use"
expect_model "uuids()" "[\"$S1\"]" "only $S1 after the refused start"
expect_model "mdev('$S1')['assigned']" \
	'{"adapters":[5],"domains":[71],"control_domains":[71]}' \
	"$S1 keeps adapter 5, domain 0x47, control domain 0x47"
expect_model "queue('04.0047')['owner']" null \
	"04.0047 (which $S2 tried to take too) stays free"

# Once S1 is stopped, the same definition starts.
run mdevctl stop -u $S1
expect_rc 0 "mdevctl stop $S1"
run mdevctl start -u $S2
expect_rc 0 "mdevctl start $S2 once $S1 is stopped"
expect_mdev_active $S2 "04.0047 05.0047" "$S2"
expect_model "mdev('$S2')['assigned']['adapters']" "[4,5]" \
	"$S2 has adapters 4 and 5"
run mdevctl stop -u $S2
expect_rc 0 "mdevctl stop $S2"
expect_eq "$(mdev_count)" 0 "no mdev left"
expect_model "uuids()" "[]" "no mdev left"

interop_done
