#!/bin/sh
# SPDX-License-Identifier: MIT
# Every file of the tree through the real file system: readable files read,
# write-only files refuse reads, sizes are 4096, and the values of the
# default host (CEX8 04 accel, 05 CCA; domains 04 47 54) are the kernel's.
. "$(dirname "$0")/lib.sh"
it_enter "$@"

U=11111111-2222-3333-4444-555555555555
"$SYSFS_IO" write $TYPE/create $U >/dev/null
"$SYSFS_IO" write /sys/bus/ap/aqmask -0x47 >/dev/null
"$SYSFS_IO" write $MATRIX/$U/assign_adapter 4 >/dev/null
"$SYSFS_IO" write $MATRIX/$U/assign_domain 0x47 >/dev/null
"$SYSFS_IO" write /sys/class/zcrypt/create "node1
" >/dev/null

# walk every regular file (find does not follow the links)
bad_read= bad_wo= bad_size= nfiles=0
for f in $(find /sys -type f); do
	nfiles=$((nfiles + 1))
	set -- $("$SYSFS_IO" stat "$f")
	[ "$3" = 4096 ] || bad_size="$bad_size $f"
	case $2 in
	0200)
		r=$("$SYSFS_IO" open "$f" r)
		[ "$r" = EACCES ] || bad_wo="$bad_wo $f:$r"
		;;
	*)
		"$SYSFS_IO" read "$f" >/dev/null 2>&1 || bad_read="$bad_read $f"
		;;
	esac
done
expect_eq "$bad_read" "" "every readable file of $nfiles reads"
expect_eq "$bad_wo" "" "every write-only file refuses reads with EACCES"
expect_eq "$bad_size" "" "every file has st_size 4096"
[ "$nfiles" -gt 150 ] && pass "the walk saw $nfiles files" ||
	fail "the walk saw only $nfiles files"

Z64=0000000000000000000000000000000000000000000000000000000000000000
F64=ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff
B=/sys/bus/ap
expect_read $B/apmask "0x$F64" "bus/ap/apmask"
expect_read $B/aqmask "0xfffffffffffffffffeffffffffffffffffffffffffffffffffffffffffffffff" \
	"bus/ap/aqmask without 0x47"
expect_read $B/ap_usage_domain_mask \
	"0x0800000000000000010008000000000000000000000000000000000000000000" \
	"bus/ap/ap_usage_domain_mask"
expect_read $B/ap_adapter_mask \
	"0x0c00000000000000000000000000000000000000000000000000000000000000" \
	"bus/ap/ap_adapter_mask"
expect_read $B/ap_max_domain_id 255 "ap_max_domain_id"
expect_read $B/ap_domain 4 "ap_domain"
expect_read $B/bindings "6/6 (complete)" "bindings"
expect_read $B/features "APSC APXA QACT RC8A" "bus features"
expect_read $B/config_time 30 "config_time"
C=/sys/devices/ap/card05
expect_read $C/type CEX8C "card05 type"
expect_read $C/hwtype 14 "card05 hwtype"
expect_read $C/online 1 "card05 online"
expect_read $C/modalias ap:t0E "card05 modalias"
expect_read $C/uevent "DEVTYPE=ap_card
DRIVER=cex4card
DEV_TYPE=000E
MODALIAS=ap:t0E
MODE=cca" "card05 uevent"
expect_read $C/05.0004/online 1 "queue online"
expect_read $C/05.0004/uevent "DEVTYPE=ap_queue
DRIVER=cex4queue
MODE=cca" "queue uevent"
expect_read /sys/devices/ap/card04/04.0047/status assigned "vfio queue status"
expect_read /sys/devices/ap/card04/04.0047/request_count - "vfio queue request_count"
expect_read $TYPE/name "VFIO AP Passthrough Device" "type name"
expect_read $TYPE/device_api vfio-ap "type device_api"
expect_read $TYPE/available_instances 65535 "available_instances"
expect_read $MATRIX/$U/matrix 04.0047 "mdev matrix"
expect_read $MATRIX/$U/guest_matrix 04.0047 "guest_matrix"
expect_read $MATRIX/$U/uevent "DRIVER=vfio_ap_mdev
MDEV_TYPE=passthrough" "mdev uevent"
expect_read $MATRIX/features "guest_matrix hotplug ap_config" "matrix features"
expect_read /sys/class/zcrypt/node1/dev 240:1 "zcrypt node dev (through the class link)"
expect_read /sys/class/zcrypt/node1/apmask "0x$Z64" "zcrypt node apmask"
expect_read /sys/kernel/iommu_groups/0/name vfio-noiommu "iommu group name"

# several reads of one open file: fgets-style small reads see one snapshot
expect_eq "$("$SYSFS_IO" read $B/apmask 5)" "0x$F64" "5-byte reads give the whole value"
expect_eq "$(head -c 10 $B/aqmask)" "0xffffffff" "a partial read"

it_done
