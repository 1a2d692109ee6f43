#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Debian's mdevctl 1.2.0 against apsim's tree: autostart.  Definitions made
# with --auto (and switched with modify --auto / --manual) are started by
# `mdevctl start-parent-mdevs matrix`, the command Debian's udev rule runs
# when the matrix device appears; manual ones are left alone.
#
# Spec: real-tools-abi.md §4.5, §4.8.
. "$(dirname "$0")/lib.sh"
interop_enter --mdevctl -- ${APV_APSIM_ARGS:-}

A1=3f0e8b52-4c1d-4e7a-8d2b-6a9c1e5f0a01
A2=3f0e8b52-4c1d-4e7a-8d2b-6a9c1e5f0a02
M1=3f0e8b52-4c1d-4e7a-8d2b-6a9c1e5f0a03

aqmask_write -0x47,-0x54

mdev_define $A1 auto assign_adapter=4 assign_domain=0x47
mdev_define $A2 auto assign_adapter=5 assign_domain=0x54 \
	assign_control_domain=0x54
mdev_define $M1 manual assign_adapter=5 assign_domain=0x47

expect_eq "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["start"])' \
	/etc/mdevctl.d/matrix/$A1)" auto "define --auto writes start: auto"

run mdevctl list -d
expect_rc 0 "mdevctl list -d"
expect_eq "$(printf '%s\n' "$out" | sort)" "$(printf '%s\n' \
	"$A1 matrix vfio_ap-passthrough auto" \
	"$A2 matrix vfio_ap-passthrough auto" \
	"$M1 matrix vfio_ap-passthrough manual" | sort)" \
	"mdevctl list -d shows two auto and one manual definition"
expect_eq "$(mdev_count)" 0 "nothing runs before autostart"

# ---- autostart ------------------------------------------------------------

run mdevctl start-parent-mdevs matrix
expect_rc 0 "mdevctl start-parent-mdevs matrix"
expect_mdev_active $A1 04.0047 "autostarted $A1"
expect_mdev_active $A2 05.0054 "autostarted $A2"
expect_file $MATRIX/$A2/control_domains 0054 "$A2 control_domains is 0054"
expect_mdev_gone $M1 "the manual definition is not started"
expect_file $MTYPE/available_instances 65534 "two instances in use"
expect_model "uuids()" "[\"$A1\",\"$A2\"]" "the two auto mdevs run"
expect_model "mdev('$A2')['assigned']" \
	'{"adapters":[5],"domains":[84],"control_domains":[84]}' \
	"$A2 has adapter 5, domain 0x54, control domain 0x54"

run mdevctl list
expect_eq "$(printf '%s\n' "$out" | sort)" "$(printf '%s\n' \
	"$A1 matrix vfio_ap-passthrough auto (defined)" \
	"$A2 matrix vfio_ap-passthrough auto (defined)" | sort)" \
	"mdevctl list shows the two autostarted mdevs"

# Running it again starts nothing new (the running ones already exist).
run mdevctl start-parent-mdevs matrix
expect_eq "$(mdev_count)" 2 "a second start-parent-mdevs adds nothing"

# ---- modify --auto / --manual ---------------------------------------------

run mdevctl stop -u $A1
expect_rc 0 "mdevctl stop $A1"
run mdevctl stop -u $A2
expect_rc 0 "mdevctl stop $A2"
expect_eq "$(mdev_count)" 0 "both stopped"

run mdevctl modify -u $M1 --auto
expect_rc 0 "mdevctl modify --auto"
run mdevctl modify -u $A2 --manual
expect_rc 0 "mdevctl modify --manual"
run mdevctl list -d
expect_eq "$(printf '%s\n' "$out" | sort)" "$(printf '%s\n' \
	"$A1 matrix vfio_ap-passthrough auto" \
	"$A2 matrix vfio_ap-passthrough manual" \
	"$M1 matrix vfio_ap-passthrough auto" | sort)" \
	"mdevctl list -d after modify --auto/--manual"

run mdevctl start-parent-mdevs matrix
expect_rc 0 "mdevctl start-parent-mdevs matrix (second set)"
expect_mdev_active $A1 04.0047 "autostarted $A1 again"
expect_mdev_active $M1 05.0047 "autostarted $M1 (now auto)"
expect_mdev_gone $A2 "$A2 (now manual) is not started"
expect_model "uuids()" "[\"$A1\",\"$M1\"]" "$A1 and $M1 run"

# A manual start still works for the manual one.
run mdevctl start -u $A2
expect_rc 0 "mdevctl start $A2 (manual)"
expect_mdev_active $A2 05.0054 "$A2 started by hand"
expect_file $MTYPE/available_instances 65533 "three instances in use"

for u in $A1 $A2 $M1; do
	run mdevctl stop -u $u
	expect_rc 0 "mdevctl stop $u"
	run mdevctl undefine -u $u
	expect_rc 0 "mdevctl undefine $u"
done
expect_eq "$(mdev_count)" 0 "no mdev left"
expect_model "uuids()" "[]" "no mdev left"

interop_done
