#!/bin/sh
# SPDX-License-Identifier: MIT
# sysfs modes and kernfs' open checks, as root: 0444 files refuse writers,
# 0200 files refuse readers (EACCES), O_TRUNC and O_CREAT opens of existing
# files work, new files cannot be created, nothing can be made or removed.
. "$(dirname "$0")/lib.sh"
it_enter "$@"

U=11111111-2222-3333-4444-555555555555
"$SYSFS_IO" write $TYPE/create $U >/dev/null

mode() { "$SYSFS_IO" stat "$1" | cut -d' ' -f1,2; }
expect_eq "$(mode /sys/bus/ap/apmask)" "f 0644" "apmask is 0644"
expect_eq "$(mode /sys/bus/ap/bindings)" "f 0444" "bindings is 0444"
expect_eq "$(mode /sys/bus/ap/drivers/vfio_ap/bind)" "f 0200" "bind is 0200"
expect_eq "$(mode $TYPE/create)" "f 0200" "create is 0200"
expect_eq "$(mode $MATRIX/$U/remove)" "f 0200" "remove is 0200"
expect_eq "$(mode $MATRIX/$U/assign_adapter)" "f 0200" "assign_adapter is 0200"
expect_eq "$(mode $MATRIX/$U/matrix)" "f 0444" "matrix is 0444"
expect_eq "$(mode $MATRIX/$U/ap_config)" "f 0644" "ap_config is 0644"
expect_eq "$(mode /sys/devices/ap/card04/online)" "f 0644" "card online is 0644"
expect_eq "$(mode /sys/devices/ap/card04)" "d 0755" "card directory is 0755"
expect_eq "$(mode /sys/bus/ap/devices/card04)" "l 0777" "bus device link is 0777"
expect_eq "$(stat -c %U:%G /sys/bus/ap/apmask)" "root:root" "owned by root"

# wrong-mode opens fail with EACCES, even for root
expect_io EACCES "open 0444 for writing" open /sys/bus/ap/bindings w
expect_io EACCES "open 0444 read-write" open /sys/bus/ap/bindings rw
expect_io EACCES "open 0200 for reading" open $TYPE/create r
expect_io EACCES "open 0200 read-write" open $MATRIX/$U/remove rw
expect_io EACCES "write to 0444 (O_CREAT|O_TRUNC)" write $MATRIX/$U/matrix x
expect_io EACCES "write to a 0444 card attribute" write /sys/devices/ap/card04/hwtype 1
expect_io OK "open 0644 read-write" open /sys/bus/ap/apmask rw
expect_io OK "open 0200 write-only with O_TRUNC" open $MATRIX/$U/assign_adapter w trunc
expect_io OK "open 0644 with O_CREAT|O_TRUNC" open /sys/bus/ap/poll_thread w creat
expect_io EEXIST "O_EXCL on an existing file" open /sys/bus/ap/apmask w excl
# access(2) as root passes whatever the mode (tools rely on it)
if [ -r $TYPE/create ] && [ -w /sys/bus/ap/bindings ]; then
	pass "access(R_OK/W_OK) passes for root"
else
	fail "access(R_OK/W_OK) passes for root"
fi

# no new files, directories, links; no removal or renaming
expect_io EACCES "creating a new file" write /sys/bus/ap/newfile 1
expect_io EACCES "creating with O_EXCL" open /sys/devices/ap/card04/x w excl
expect_io ENOENT "creating in a missing directory" write /sys/devices/ap/card09/online 1
mkdir /sys/bus/ap/x 2>/dev/null && fail "mkdir succeeded" || pass "mkdir refused"
rm -f /sys/bus/ap/apmask 2>/dev/null
expect_exists /sys/bus/ap/apmask "unlink refused"
mv /sys/bus/ap/apmask /sys/bus/ap/apmask2 2>/dev/null
expect_exists /sys/bus/ap/apmask "rename refused"
ln -s x /sys/bus/ap/lnk 2>/dev/null
expect_absent /sys/bus/ap/lnk "symlink refused"
chmod 0666 /sys/bus/ap/apmask 2>/dev/null
expect_eq "$(mode /sys/bus/ap/apmask)" "f 0644" "chmod refused"
# truncate(2) is accepted and ignored
truncate -s 0 /sys/bus/ap/apmask && pass "truncate accepted" || fail "truncate refused"
expect_read /sys/bus/ap/bindings "6/6 (complete)" "the tree is unchanged"

it_done
