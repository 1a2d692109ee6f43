#!/bin/sh
# SPDX-License-Identifier: MIT
# Entry types (readdir's d_type, lstat) and kernfs-style relative links
# that resolve inside the tree wherever it is mounted.
. "$(dirname "$0")/lib.sh"
it_enter "$@"

U=11111111-2222-3333-4444-555555555555
"$SYSFS_IO" write $TYPE/create $U >/dev/null
"$SYSFS_IO" write /sys/class/zcrypt/create "zn
" >/dev/null

# zcryptctl: create and destroy are DT_REG, nodes DT_LNK
expect_eq "$("$SYSFS_IO" readdir /sys/class/zcrypt | sort)" "create f
destroy f
zn l" "class/zcrypt d_types"
expect_eq "$("$SYSFS_IO" readdir /sys/class/mdev_bus)" "matrix l" "class/mdev_bus d_type"
expect_eq "$("$SYSFS_IO" readdir $MATRIX/mdev_supported_types)" \
	"vfio_ap-passthrough d" "the type directory is a real directory"
dt=$("$SYSFS_IO" readdir /sys/devices/ap/card04 | sort | tr '\n' ' ')
expect_eq "$dt" "04.0004 d 04.0047 d 04.0054 d ap_functions f chkstop f config f depth f driver l hwtype f load f max_msg_size f modalias f online f pendingq_count f raw_hwtype f request_count f requestq_count f subsystem l type f uevent f " \
	"card04 entries and d_types"
unknown=$(for d in $(find /sys -type d); do "$SYSFS_IO" readdir "$d"; done | grep -c ' ?$')
expect_eq "$unknown" 0 "no DT_UNKNOWN anywhere"

# find -type agrees with d_type/lstat
expect_eq "$(find /sys/bus/ap/devices -mindepth 1 -not -type l | wc -l)" 0 \
	"bus/ap/devices holds only links"
expect_eq "$(find /sys/bus/ap/devices -type l | wc -l)" 8 "2 cards + 6 queues"
expect_eq "$(find /sys/devices/ap -mindepth 1 -maxdepth 1 -type d | sort | tr '\n' ' ')" \
	"/sys/devices/ap/card04 /sys/devices/ap/card05 " "card directories"
expect_eq "$(find /sys/devices/ap/card05 -mindepth 1 -type d | wc -l)" 3 "queue directories"

# link targets, exactly as kernfs writes them
expect_link /sys/bus/ap/devices/card04 ../../../devices/ap/card04 "bus card link"
expect_link /sys/bus/ap/devices/05.0054 ../../../devices/ap/card05/05.0054 "bus queue link"
expect_link /sys/devices/ap/card04/driver ../../../bus/ap/drivers/cex4card "card driver"
expect_link /sys/devices/ap/card04/04.0004/driver \
	../../../../bus/ap/drivers/cex4queue "queue driver"
expect_link /sys/devices/ap/card04/04.0004/subsystem ../../../../bus/ap "queue subsystem"
expect_link /sys/bus/ap/drivers/cex4card/card05 ../../../../devices/ap/card05 "driver device link"
expect_link /sys/bus/mdev/devices/$U ../../../devices/vfio_ap/matrix/$U "bus/mdev link"
expect_link $MATRIX/$U/mdev_type ../mdev_supported_types/vfio_ap-passthrough "mdev_type"
expect_link $MATRIX/$U/iommu_group ../../../../kernel/iommu_groups/0 "iommu_group"
expect_link $TYPE/devices/$U ../../../$U "type devices link"
expect_link /sys/class/mdev_bus/matrix ../../devices/vfio_ap/matrix "class/mdev_bus/matrix"
expect_link /sys/bus/matrix/devices/matrix ../../../devices/vfio_ap/matrix "bus/matrix device"
expect_link /sys/class/zcrypt/zn ../../devices/virtual/zcrypt/zn "zcrypt class link"

# realpath/readlink -f as mdevctl and chzcrypt use them
expect_eq "$(realpath /sys/bus/mdev/devices/$U)" "$MATRIX/$U" "realpath of the mdev"
expect_eq "$(basename "$(dirname "$(realpath /sys/bus/mdev/devices/$U)")")" matrix \
	"mdevctl's parent name"
expect_eq "$(basename "$(realpath /sys/bus/mdev/devices/$U/mdev_type)")" \
	vfio_ap-passthrough "mdevctl's type name"
expect_eq "$(realpath /sys/class/mdev_bus/matrix/mdev_supported_types)" \
	"$MATRIX/mdev_supported_types" "through class/mdev_bus"
expect_eq "$(realpath /sys/bus/ap/devices/card04/04.0047)" \
	/sys/devices/ap/card04/04.0047 "queues are subdirectories of the bus card link"
expect_eq "$(realpath /sys/kernel/iommu_groups/0/devices/$U)" "$MATRIX/$U" \
	"iommu group device link"
expect_read /sys/bus/ap/devices/card04/04.0047/online 1 "read through the bus link"

# exact names only
expect_absent /sys/devices/ap/CARD04 "uppercase card name"
expect_absent /sys/devices/ap/card4 "short card name"
expect_absent /sys/devices/ap/card04/04.47 "short queue name"
V=aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee
"$SYSFS_IO" write $TYPE/create $V >/dev/null
VV=$(echo $V | tr a-f A-F)
expect_absent $MATRIX/$VV "uppercase UUID"
expect_exists $MATRIX/$V "lowercase UUID"

it_done
