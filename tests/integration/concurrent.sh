#!/bin/sh
# SPDX-License-Identifier: MIT
# Concurrent readers and writers on the multithreaded tree: readers never
# see errors on files that always exist, writers get their own results,
# and the model is consistent afterwards.
. "$(dirname "$0")/lib.sh"
it_enter "$@"

T=$(mktemp -d)
N=150

reader() { # $1: id
	i=0
	while [ $i -lt $N ]; do
		"$SYSFS_IO" read /sys/bus/ap/aqmask >/dev/null 2>>"$T/err.$1" ||
			echo "aqmask read failed" >>"$T/err.$1"
		l=$(readlink /sys/devices/ap/card04/04.0047/driver)
		case $l in
		*/cex4queue | */vfio_ap) ;;
		*) echo "04.0047 driver link: '$l'" >>"$T/err.$1" ;;
		esac
		ls -l /sys/bus/ap/devices/ >/dev/null 2>>"$T/err.$1" ||
			echo "ls failed" >>"$T/err.$1"
		cat /sys/devices/ap/card05/type >/dev/null 2>>"$T/err.$1" ||
			echo "type read failed" >>"$T/err.$1"
		i=$((i + 1))
	done
}

mask_writer() {
	i=0
	while [ $i -lt $N ]; do
		r=$("$SYSFS_IO" write /sys/bus/ap/aqmask -0x47)
		[ "$r" = OK ] || echo "aqmask -0x47: $r" >>"$T/err.w0"
		r=$("$SYSFS_IO" write /sys/bus/ap/aqmask +0x47)
		[ "$r" = OK ] || echo "aqmask +0x47: $r" >>"$T/err.w0"
		i=$((i + 1))
	done
}

mdev_writer() { # $1: id (one hex digit)
	i=0
	while [ $i -lt $N ]; do
		u=$(printf '%08x-0000-0000-0000-00000000000%s' $i "$1")
		r=$("$SYSFS_IO" write $TYPE/create "$u")
		[ "$r" = OK ] || echo "create $u: $r" >>"$T/err.m$1"
		r=$("$SYSFS_IO" write $MATRIX/$u/assign_adapter 5)
		[ "$r" = OK ] || echo "assign $u: $r" >>"$T/err.m$1"
		"$SYSFS_IO" read $MATRIX/$u/matrix >/dev/null 2>>"$T/err.m$1"
		r=$("$SYSFS_IO" write $MATRIX/$u/remove 1)
		[ "$r" = OK ] || echo "remove $u: $r" >>"$T/err.m$1"
		i=$((i + 1))
	done
}

reader 1 & reader 2 & reader 3 & reader 4 &
mask_writer &
mdev_writer 1 & mdev_writer 2 & mdev_writer 3 &
wait

errs=$(cat "$T"/err.* 2>/dev/null | head -20)
expect_eq "$errs" "" "no unexpected errors from 4 readers and 4 writers"
expect_read /sys/bus/ap/aqmask \
	0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff \
	"aqmask back to all"
expect_read /sys/bus/ap/bindings "6/6 (complete)" "bindings complete"
expect_link /sys/devices/ap/card04/04.0047/driver ../../../../bus/ap/drivers/cex4queue \
	"04.0047 back on cex4queue"
expect_eq "$(ls /sys/bus/mdev/devices | wc -l)" 0 "no mdev left"
expect_read $TYPE/available_instances 65536 "instances back"
rm -rf "$T"

it_done
