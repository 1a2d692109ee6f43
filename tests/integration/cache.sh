#!/bin/sh
# SPDX-License-Identifier: MIT
# What the kernel caches of the tree is never stale (issue 13, item 3).
# The kernel keeps the entries and attributes of a card's or queue's files
# (their set follows the bound driver) for as long as the directory is the
# same instance with the same driver; a change gives the directory another
# node id (fs.c, tree.h `ident`).  After every kind of change (sysfs
# writes, hardware events through the socket, a guest's actions with
# worker replies, bind/unbind), every card and queue file is checked
# through the warm cache against (1) the fresh directory listing (readdir
# is never cached) and (2) the same walk after dropping the kernel's
# dentry and inode caches: existence, type, mode, size and link target
# must agree (contents are never cached: direct I/O).
. "$(dirname "$0")/lib.sh"
it_enter --workers 2 "$@"
. "$(dirname "$0")/guest-lib.sh"

M=/sys/devices/vfio_ap/matrix
TYPE=$M/mdev_supported_types/vfio_ap-passthrough
MATRIX=$M
tmp=$(mktemp -d)
[ -w /proc/sys/vm/drop_caches ] || it_skip "cannot drop the kernel's caches"

# every name a card or queue directory may hold (collected as we go)
names() {
	for d in /sys/devices/ap/card*/ /sys/devices/ap/card*/*.*/; do
		ls "$d"
	done | sort -u >>"$tmp/names"
	sort -u "$tmp/names" -o "$tmp/names"
}

# snap: every known name in every card and queue directory, through the
# cache (the shell's test walks from the root), then type, mode, size and
# link target of each (find: stat through the directory)
snap() {
	for d in /sys/devices/ap/card*/ /sys/devices/ap/card*/*.*/; do
		while read -r n; do
			if [ -e "$d$n" ] || [ -L "$d$n" ]; then
				echo "$d$n"
			fi
		done <"$tmp/names"
	done
	find /sys/devices/ap/ -mindepth 1 -maxdepth 3 \
		-printf '%p %y %m %s %l\n' | sort
}

# listed: the same from readdir alone (names only)
listed() {
	for d in /sys/devices/ap/card*/ /sys/devices/ap/card*/*.*/; do
		ls "$d" | sed "s|^|$d|"
	done | sort
}

# check WHAT: compare the warm view with readdir and with a cold walk
check() {
	names
	snap >"$tmp/warm"
	listed >"$tmp/list"
	grep -v ' ' "$tmp/warm" | sort >"$tmp/warm.names"
	if cmp -s "$tmp/warm.names" "$tmp/list"; then
		pass "$1: cached entries = directory listing"
	else
		fail "$1: cached entries = directory listing" \
			"$(diff "$tmp/list" "$tmp/warm.names")"
	fi
	sync
	echo 2 >/proc/sys/vm/drop_caches
	snap >"$tmp/cold"
	if cmp -s "$tmp/warm" "$tmp/cold"; then
		pass "$1: cached view = cold view"
	else
		fail "$1: cached view = cold view" \
			"$(diff "$tmp/cold" "$tmp/warm")"
	fi
	snap >/dev/null # warm the cache for the next change
}

# change WHAT CMD...: run the change (a warm cache before it), then check
change() {
	_what=$1
	shift
	snap >/dev/null
	"$@" >/dev/null 2>&1 || fail "$_what: the change itself failed"
	check "$_what"
}

names
check "at boot"
change "sysfs: apmask -0x05 (card 05's queues to vfio_ap)" \
	sh -c 'echo -0x05 >/sys/bus/ap/apmask'
change "sysfs: aqmask -0x47" sh -c 'echo -0x47 >/sys/bus/ap/aqmask'
change "sysfs: apmask +0x05" sh -c 'echo +0x05 >/sys/bus/ap/apmask'
change "sysfs: unbind 04.0004 from cex4queue" \
	sh -c 'echo 04.0004 >/sys/bus/ap/drivers/cex4queue/unbind'
change "sysfs: bind 04.0004 to cex4queue" \
	sh -c 'echo 04.0004 >/sys/bus/ap/drivers/cex4queue/bind'
change "sysfs: card 04 config 0" sh -c 'echo 0 >/sys/devices/ap/card04/config'
change "sysfs: card 04 config 1" sh -c 'echo 1 >/sys/devices/ap/card04/config'
change "sysfs: queue 05.0004 online 0" \
	sh -c 'echo 0 >/sys/devices/ap/card05/05.0004/online'
change "socket: adapter 04 remove" "$APSIM" ctl adapter 04 remove
change "socket: adapter 04 restore" "$APSIM" ctl adapter 04 restore
change "socket: domain remove 54" "$APSIM" ctl domain remove 54
change "socket: domain add 54" "$APSIM" ctl domain add 54
change "socket: adapter 05 config off" "$APSIM" ctl adapter 05 config off
change "socket: adapter 05 config on" "$APSIM" ctl adapter 05 config on
change "socket: adapter 05 checkstop on" "$APSIM" ctl adapter 05 checkstop on
change "socket: adapter 05 checkstop off" "$APSIM" ctl adapter 05 checkstop off
change "socket: adapter 06 add CEX8 cca" "$APSIM" ctl adapter 06 add CEX8 cca
change "socket: adapter 06 remove" "$APSIM" ctl adapter 06 remove

# guests: an mdev with 05.0047, a guest's NQAP answered by a worker
host_give "05" ""
mdev_make $U "05" "47"
change "guest: attach and NQAP, worker reply, DQAP" sh -c "printf '%s\n' \
	'pqap fc=tapq apqn=05.0047' \
	'nqap apqn=05.0047 psmid=1 addr=0x3000 data=$MEB1_2_3_15' \
	'dqap apqn=05.0047 addr=0x4000 len=4096' |
	$APSIM guest --mdev $U --name g1"
change "sysfs: unassign the guest's adapter" \
	sh -c "echo 0x05 >$M/$U/unassign_adapter"
change "sysfs: mdev removed" sh -c "echo 1 >$M/$U/remove"
change "sysfs: apmask +0x05 back to zcrypt" sh -c 'echo +0x05 >/sys/bus/ap/apmask'
# mdev directories are cached until their `remove`, which drops them
for i in 1 2 3; do
	echo $V >$TYPE/create
	stat $M/$V/matrix >/dev/null
	[ -e $M/$V ] || fail "mdev: created ($i)"
	echo 1 >$M/$V/remove
	expect_absent "$M/$V" "mdev: gone from the cache when remove returns ($i)"
	expect_eq "$(ls $M | grep -c $V)" 0 "mdev: not listed ($i)"
done
echo $V >$TYPE/create
cd $M/$V || fail "mdev: cd into it"
echo 1 >remove
cd / || true
expect_absent "$M/$V" "mdev: removed through a relative path, gone"
echo $V >$TYPE/create
expect_eq "$(cat $M/$V/matrix)" "" "mdev: created again, it is the new one"
echo 1 >$M/$V/remove
rm -rf "$tmp"
it_done
