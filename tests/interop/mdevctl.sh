#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Debian's mdevctl 1.2.0 against apsim's tree, one vfio_ap mdev through its
# whole life: types, define, modify --addattr, list -d, start, list, stop,
# undefine; plus a transient start (-p -t, no definition) that is defined
# afterwards from the running device.  After each step: the definition file
# byte for byte, mdevctl's listings, and the model's mdev in /sys.
#
# Spec: real-tools-abi.md §4, ecosystem.md §2.1.
. "$(dirname "$0")/lib.sh"
interop_enter --mdevctl -- ${APV_APSIM_ARGS:-}

U=7d1c5c3a-6e4b-4a3f-9a51-5e2a1d0c0001
U2=7d1c5c3a-6e4b-4a3f-9a51-5e2a1d0c0002
D=/etc/mdevctl.d/matrix/$U
TYPE_NAME="VFIO AP Passthrough Device"

# ---- what apsim exec provides ---------------------------------------------

for d in /etc/mdevctl.d/scripts.d/callouts /etc/mdevctl.d/scripts.d/notifiers; do
	expect_exists $d "apsim exec provides $d"
done
expect_eq "$(find /etc/mdevctl.d -type f | wc -l)" 0 \
	"/etc/mdevctl.d starts without definitions"

# ---- types --------------------------------------------------------------

expect_file $MTYPE/available_instances 65536 \
	"available_instances starts at 65536"
run mdevctl types
expect_rc 0 "mdevctl types"
expect_eq "$out" "matrix
  vfio_ap-passthrough
    Available instances: 65536
    Device API: vfio-ap
    Name: $TYPE_NAME" "mdevctl types shows the vfio_ap type"

run mdevctl types --dumpjson
expect_rc 0 "mdevctl types --dumpjson"
check "mdevctl types --dumpjson has the type's values" json_eq "$out" \
	'[{"matrix":[{"vfio_ap-passthrough":{"available_instances":65536,
	"device_api":"vfio-ap","name":"VFIO AP Passthrough Device"}}]}]'

# Domains 0x47 and 0x54 leave the host for vfio_ap.
aqmask_write -0x47,-0x54
expect_eq "$(queue_driver 05.0047)" vfio_ap "05.0047 is bound to vfio_ap"

# ---- define + modify ------------------------------------------------------

run mdevctl define -u $U -p matrix -t vfio_ap-passthrough
expect_rc 0 "mdevctl define"
expect_eq "$out$err" "" "mdevctl define prints nothing"
expect_file $D '{
  "mdev_type": "vfio_ap-passthrough",
  "start": "manual",
  "attrs": []
}' "definition file after define"
expect_eq "$(tail -c 1 $D | od -An -c | tr -d ' ')" "}" \
	"definition file has no trailing newline"
expect_mdev_gone $U "define does not create the mdev"
expect_model "uuids()" "[]" "no mdev after define"

for a in assign_adapter=5 assign_domain=0x47 assign_control_domain=0x47; do
	run mdevctl modify -u $U --addattr="${a%%=*}" --value="${a#*=}"
	expect_rc 0 "mdevctl modify --addattr=${a%%=*} --value=${a#*=}"
done
expect_file $D '{
  "mdev_type": "vfio_ap-passthrough",
  "start": "manual",
  "attrs": [
    {
      "assign_adapter": "5"
    },
    {
      "assign_domain": "0x47"
    },
    {
      "assign_control_domain": "0x47"
    }
  ]
}' "definition file after modify --addattr (values verbatim)"

run mdevctl define -u $U -p matrix -t vfio_ap-passthrough
expect_rc 1 "mdevctl define of a defined uuid fails"
expect_contains "$err" "Device $U on matrix already defined" \
	"mdevctl define again: already defined"

run mdevctl list -d
expect_rc 0 "mdevctl list -d"
expect_eq "$out" "$U matrix vfio_ap-passthrough manual" \
	"mdevctl list -d shows the definition"
run mdevctl list -dv
expect_eq "$out" "$U matrix vfio_ap-passthrough manual
  Attrs:
    @{0}: {\"assign_adapter\":\"5\"}
    @{1}: {\"assign_domain\":\"0x47\"}
    @{2}: {\"assign_control_domain\":\"0x47\"}" \
	"mdevctl list -dv shows the attributes"
run mdevctl list -d --dumpjson
check "mdevctl list -d --dumpjson" json_eq "$out" "[{\"matrix\":[{\"$U\":
	{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"manual\",
	\"attrs\":[{\"assign_adapter\":\"5\"},{\"assign_domain\":\"0x47\"},
	{\"assign_control_domain\":\"0x47\"}]}}]}]"
run mdevctl list
expect_rc 0 "mdevctl list"
expect_eq "$out" "" "mdevctl list: nothing active"

# ---- start ----------------------------------------------------------------

run mdevctl start -u $U
expect_rc 0 "mdevctl start"
expect_eq "$out$err" "" "mdevctl start prints nothing"
expect_mdev_active $U 05.0047 "after start"
expect_file $MATRIX/$U/control_domains 0047 "control_domains is 0047"
expect_file $MTYPE/available_instances 65535 \
	"available_instances dropped to 65535"
if [ -e /sys/bus/ap/devices/05.0047/status ]; then
	expect_file /sys/bus/ap/devices/05.0047/status assigned \
		"queue 05.0047 status: assigned"
fi
expect_eq "$(mdev_count)" 1 "one mdev in the tree"
expect_model "uuids()" "[\"$U\"]" "one mdev after start"
expect_model "mdev('$U')['assigned']" \
	'{"adapters":[5],"domains":[71],"control_domains":[71]}' \
	"the mdev has adapter 5, domain 0x47, control domain 0x47"
expect_model "queue('05.0047')['owner']" "$U" "05.0047 belongs to the mdev"

run mdevctl list
expect_rc 0 "mdevctl list (active)"
expect_eq "$out" "$U matrix vfio_ap-passthrough manual (defined)" \
	"mdevctl list shows the running, defined mdev"
run mdevctl list -d
expect_eq "$out" "$U matrix vfio_ap-passthrough manual (active)" \
	"mdevctl list -d marks the definition active"
run mdevctl types
expect_contains "$out" "Available instances: 65535" \
	"mdevctl types: 65535 instances left"

run mdevctl start -u $U
expect_rc 1 "mdevctl start of a running mdev fails"
expect_contains "$err" "Device already exists" \
	"mdevctl start again: device already exists"
expect_mdev_active $U 05.0047 "after the second start"

# ---- stop -----------------------------------------------------------------

run mdevctl stop -u $U
expect_rc 0 "mdevctl stop"
expect_eq "$out$err" "" "mdevctl stop prints nothing"
expect_mdev_gone $U "after stop"
expect_model "uuids()" "[]" "no mdev after stop"
expect_model "queue('05.0047')['owner']" null "05.0047 is free again"
expect_file $MTYPE/available_instances 65536 \
	"available_instances back to 65536"
if [ -e /sys/bus/ap/devices/05.0047/status ]; then
	expect_file /sys/bus/ap/devices/05.0047/status unassigned \
		"queue 05.0047 status: unassigned"
fi
run mdevctl list
expect_eq "$out" "" "mdevctl list: nothing active after stop"
run mdevctl list -d
expect_eq "$out" "$U matrix vfio_ap-passthrough manual" \
	"mdevctl list -d: still defined, not active"

run mdevctl stop -u $U
expect_rc 1 "mdevctl stop of a stopped mdev fails"

# ---- undefine -------------------------------------------------------------

run mdevctl undefine -u $U
expect_rc 0 "mdevctl undefine"
expect_absent $D "definition file removed"
run mdevctl list -d
expect_eq "$out" "" "mdevctl list -d: nothing defined"
run mdevctl undefine -u $U
expect_rc 1 "mdevctl undefine of an unknown uuid fails"
expect_contains "$err" "No devices match the specified uuid" \
	"mdevctl undefine again: no such device"

# ---- transient start, then define from the running device -----------------

run mdevctl start -u $U2 -p matrix -t vfio_ap-passthrough
expect_rc 0 "mdevctl start -p -t (transient)"
expect_mdev_active $U2 "" "transient mdev"
run mdevctl list
expect_eq "$out" "$U2 matrix vfio_ap-passthrough manual" \
	"mdevctl list shows the transient mdev"

# Configure it the way libvirt's users do by hand: sysfs writes.
printf 4 >$MATRIX/$U2/assign_adapter
printf 0x54 >$MATRIX/$U2/assign_domain
expect_mdev_active $U2 04.0054 "transient mdev after sysfs assigns"
expect_model "mdev('$U2')['assigned']" \
	'{"adapters":[4],"domains":[84],"control_domains":[]}' \
	"the transient mdev has adapter 4, domain 0x54"

run mdevctl define -u $U2
expect_rc 0 "mdevctl define -u of a running mdev"
expect_file /etc/mdevctl.d/matrix/$U2 '{
  "mdev_type": "vfio_ap-passthrough",
  "start": "manual",
  "attrs": []
}' "definition taken from the running mdev (no callout: no attrs)"
run mdevctl list
expect_eq "$out" "$U2 matrix vfio_ap-passthrough manual (defined)" \
	"mdevctl list: the transient mdev is now defined"

run mdevctl stop -u $U2
expect_rc 0 "mdevctl stop (transient)"
expect_mdev_gone $U2 "after stopping the transient mdev"
run mdevctl undefine -u $U2
expect_rc 0 "mdevctl undefine (transient)"
expect_eq "$(mdev_count)" 0 "no mdev left"
expect_model "uuids()" "[]" "no mdev left"
expect_eq "$(find /etc/mdevctl.d -type f | wc -l)" 0 "no definition left"

interop_done
