#!/bin/sh
# SPDX-License-Identifier: MIT
# kernfs semantics for open files (issue 13, finding 2): an open file is
# bound to the object instance it was opened on.  Once that mdev, card,
# queue or zcrypt node is gone, reads and writes on the old descriptor fail
# with ENODEV for ever, even after another object was created under the
# same name (which the old descriptor must not change).
. "$(dirname "$0")/lib.sh"
it_enter --workers 0 "$@"

KFD=${KERNFS_FD:?}
U=11111111-2222-3333-4444-555555555555
M=/sys/devices/vfio_ap/matrix
T=$M/mdev_supported_types/vfio_ap-passthrough
Z64=0000000000000000000000000000000000000000000000000000000000000000

# the same instance keeps working
echo $U >$T/create
expect_eq "$("$KFD" $M/$U/assign_domain w 0x47 true)" \
	"before=OK after_write=OK" "mdev: a file of a live mdev stays usable"

# mdev removed and created again under the same UUID
expect_eq "$("$KFD" $M/$U/assign_domain w 0x48 \
	"echo 1 >$M/$U/remove && echo $U >$T/create")" \
	"before=OK after_write=ENODEV" \
	"mdev: a write on the old descriptor fails with ENODEV"
expect_eq "$(cat $M/$U/matrix)" "" \
	"mdev: the new mdev was not changed through the old descriptor"
expect_eq "$("$KFD" $M/$U/matrix r - \
	"echo 1 >$M/$U/remove && echo $U >$T/create")" \
	"before=OK after_read=ENODEV" \
	"mdev: a read on the old descriptor fails with ENODEV"
expect_eq "$("$KFD" $M/$U/remove w 1 "echo $U >$T/create")" \
	"before=OK after_write=ENODEV" \
	"mdev: the old remove file (it removed its mdev) does not remove the new one"
expect_eq "$(ls $M | grep -c $U)" 1 "mdev: the new mdev is still there"
echo 1 >$M/$U/remove

# zcrypt node destroyed and created again under the same name
echo node1 >/sys/class/zcrypt/create
Z=/sys/devices/virtual/zcrypt/node1
expect_eq "$("$KFD" $Z/apmask rw +0 \
	"echo node1 >/sys/class/zcrypt/destroy && echo node1 >/sys/class/zcrypt/create")" \
	"before=OK after_write=ENODEV after_read=ENODEV" \
	"zcrypt node: the old descriptor is dead"
expect_eq "$(cat $Z/apmask)" "0x$Z64" \
	"zcrypt node: the new node was not changed through the old descriptor"
echo node1 >/sys/class/zcrypt/destroy

# card and queue: the adapter leaves the configuration and comes back
C=/sys/devices/ap/card05
expect_eq "$("$KFD" $C/online rw 1 \
	"$APSIM ctl adapter 05 remove >/dev/null && $APSIM ctl adapter 05 restore >/dev/null")" \
	"before=OK after_write=ENODEV after_read=ENODEV" \
	"card: the old descriptor is dead"
expect_eq "$("$KFD" $C/05.0047/online rw 1 \
	"$APSIM ctl adapter 05 remove >/dev/null && $APSIM ctl adapter 05 restore >/dev/null")" \
	"before=OK after_write=ENODEV after_read=ENODEV" \
	"queue: the old descriptor is dead"
expect_eq "$("$KFD" $C/05.0047/online rw 1 \
	"$APSIM ctl domain remove 47 >/dev/null && $APSIM ctl domain add 47 >/dev/null")" \
	"before=OK after_write=ENODEV after_read=ENODEV" \
	"queue: the old descriptor is dead after a domain comes back"
expect_eq "$(cat $C/online $C/05.0047/online)" "1
1" "card and queue: the new instances are online"
# an attribute a rebinding takes away and gives back is the same
# instance: the queue is still the one it was
expect_eq "$("$KFD" $C/05.0047/online r - true)" \
	"before=OK after_read=OK" "queue: a file of a live queue stays usable"
it_done
