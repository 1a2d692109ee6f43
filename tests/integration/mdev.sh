#!/bin/sh
# SPDX-License-Identifier: MIT
# The mdev life cycle through the tree, with the kernel's errno: create
# makes the device and all its links exist before write() returns, remove
# takes them away, assignments refuse reserved (EADDRNOTAVAIL), shared
# (EADDRINUSE) and out-of-range (ENODEV) ids.
. "$(dirname "$0")/lib.sh"
it_enter "$@"

U=11111111-2222-3333-4444-555555555555
V=aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee

expect_read $TYPE/available_instances 65536 "all instances available"
expect_io OK "create (36 bytes, no newline, as mdevctl)" write $TYPE/create $U
expect_exists $MATRIX/$U/assign_adapter "attribute exists right after create"
expect_exists /sys/bus/mdev/devices/$U "bus/mdev link right after create"
expect_exists /sys/bus/mdev/devices/$U/remove "remove reachable through the link"
expect_read $TYPE/available_instances 65535 "one instance fewer"
expect_io EEXIST "duplicate create" write $TYPE/create $U
expect_io EINVAL "malformed UUID" write $TYPE/create not-a-uuid
expect_io OK "create with a newline (37 bytes)" writeln $TYPE/create $V
expect_eq "$(ls /sys/bus/mdev/devices | tr '\n' ' ')" "$U $V " "two mdevs listed"

# assignments (mdevctl writes values verbatim, no newline)
expect_io OK "assign adapter 4" write $MATRIX/$U/assign_adapter 4
expect_io EADDRNOTAVAIL "assign a host-reserved domain" write $MATRIX/$U/assign_domain 0x47
expect_io OK "give 0x47 to vfio_ap" write /sys/bus/ap/aqmask -0x47
expect_io OK "assign domain 0x47" write $MATRIX/$U/assign_domain 0x47
expect_io OK "assign control domain 0107 (octal 71)" write $MATRIX/$U/assign_control_domain 0107
expect_io ENODEV "adapter above the maximum" write $MATRIX/$U/assign_adapter 256
expect_io EINVAL "not a number" write $MATRIX/$U/assign_adapter x
expect_io OK "the other mdev takes adapter 4" write $MATRIX/$V/assign_adapter 4
expect_io EADDRINUSE "sharing 04.0047" write $MATRIX/$V/assign_domain 71
expect_read $MATRIX/$U/matrix 04.0047 "matrix"
expect_read $MATRIX/$U/control_domains 0047 "control_domains"
expect_read /sys/devices/ap/card04/04.0047/status assigned "queue status"
expect_io EBUSY "taking 0x47 back while assigned" write /sys/bus/ap/aqmask +0x47
expect_read $MATRIX/$U/ap_config \
	"0x0800000000000000000000000000000000000000000000000000000000000000,0x0000000000000000010000000000000000000000000000000000000000000000,0x0000000000000000010000000000000000000000000000000000000000000000" \
	"ap_config"

# remove
expect_io OK "remove 0 is a no-op" write $MATRIX/$U/remove 0
expect_exists $MATRIX/$U "still there"
expect_io OK "remove" write $MATRIX/$U/remove 1
expect_absent $MATRIX/$U "device directory gone at once"
expect_absent /sys/bus/mdev/devices/$U "bus/mdev link gone"
expect_absent $TYPE/devices/$U "type devices link gone"
expect_io ENOENT "writing to a removed mdev" write /sys/bus/mdev/devices/$U/remove 1
expect_read /sys/devices/ap/card04/04.0047/status unassigned "queue unassigned"
expect_io OK "now 0x47 can go back" write /sys/bus/ap/aqmask +0x47
expect_io OK "remove the other" write $MATRIX/$V/remove 1
expect_read $TYPE/available_instances 65536 "instances back"
expect_eq "$(ls /sys/bus/mdev/devices | wc -l)" 0 "no mdevs left"

it_done
