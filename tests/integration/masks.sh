#!/bin/sh
# SPDX-License-Identifier: MIT
# apmask/aqmask writes rebind queues synchronously: driver links, the
# drivers' device links and the driver-specific files (online <-> status)
# move before write() returns; bind/unbind through the driver directories.
. "$(dirname "$0")/lib.sh"
it_enter "$@"

Q=/sys/devices/ap/card05/05.0054
D=/sys/bus/ap/drivers
expect_link $Q/driver ../../../../bus/ap/drivers/cex4queue "05.0054 starts on cex4queue"
expect_exists $D/cex4queue/05.0054 "cex4queue lists it"
expect_absent $D/vfio_ap/05.0054 "vfio_ap does not"

# zcryptctl-style relative write, with the newline
expect_io OK "aqmask -84" writeln /sys/bus/ap/aqmask -84
expect_link $Q/driver ../../../../bus/ap/drivers/vfio_ap "now on vfio_ap"
expect_absent $D/cex4queue/05.0054 "gone from cex4queue"
expect_link $D/vfio_ap/05.0054 ../../../../devices/ap/card05/05.0054 "listed by vfio_ap"
expect_absent $Q/online "no zcrypt online file"
expect_read $Q/status unassigned "vfio_ap status file"
expect_read /sys/bus/ap/bindings "6/6 (complete)" "all bound"

# absolute apmask: adapter 05 leaves the host
expect_io OK "apmask without 05" write /sys/bus/ap/apmask \
	0xfbffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff
expect_link /sys/devices/ap/card05/05.0004/driver ../../../../bus/ap/drivers/vfio_ap \
	"05.0004 on vfio_ap"
expect_link /sys/devices/ap/card05/driver ../../../bus/ap/drivers/cex4card \
	"cards stay on cex4card"
expect_eq "$(ls $D/vfio_ap | grep -c '^05\.')" 3 "vfio_ap has all of card05"
expect_io EINVAL "bad mask" write /sys/bus/ap/apmask 0xzz
expect_io OK "back to all" write /sys/bus/ap/apmask +0-255
expect_link /sys/devices/ap/card05/05.0004/driver ../../../../bus/ap/drivers/cex4queue \
	"05.0004 back on cex4queue"

# driver-core unbind/bind
expect_io OK "unbind 05.0054 from vfio_ap" writeln $D/vfio_ap/unbind 05.0054
expect_absent $Q/driver "no driver link"
expect_absent $D/vfio_ap/05.0054 "not listed by vfio_ap"
expect_read /sys/bus/ap/bindings "5/6" "bindings not complete"
expect_io ENODEV "unbind again" write $D/vfio_ap/unbind 05.0054
expect_io ENODEV "cex4queue refuses a vfio_ap queue" write $D/cex4queue/bind 05.0054
expect_io OK "bind to vfio_ap" write $D/vfio_ap/bind 05.0054
expect_io EBUSY "bind again" write $D/vfio_ap/bind 05.0054
expect_link $Q/driver ../../../../bus/ap/drivers/vfio_ap "bound again"

# chzcrypt: card offline/online, read back
expect_io OK "card05 offline" write /sys/bus/ap/devices/card05/online 0
expect_read /sys/devices/ap/card05/05.0004/online 0 "its queues follow"
expect_io EINVAL "queue online while the card is offline" \
	write /sys/bus/ap/devices/card05/05.0004/online 1
expect_io OK "card05 online" write /sys/bus/ap/devices/card05/online 1
expect_io OK "config off" write /sys/devices/ap/card04/config 0
expect_read /sys/devices/ap/card04/config 0 "config reads back 0"
expect_io ENODEV "online on a deconfigured card" write /sys/devices/ap/card04/online 1
expect_io OK "config on" write /sys/devices/ap/card04/config 1
expect_io EINVAL "ap_domain not in aqmask" write /sys/bus/ap/ap_domain 84
expect_io OK "ap_domain 71" write /sys/bus/ap/ap_domain 71

it_done
