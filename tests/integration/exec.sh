#!/bin/sh
# SPDX-License-Identifier: MIT
# `apsim exec` and `apsim shell` from the outside: exit status, the private
# namespace (tree on /sys, clean /etc/mdevctl.d and /run/lock, nothing
# left on the host), the control socket, --dev, boot errors.
. "$(dirname "$0")/lib.sh"
it_require

ex() { "$APSIM" exec "$@"; }

ex -- sh -c 'exit 3'
expect_eq $? 3 "exit status passed through"
ex -- sh -c 'kill -9 $$'
expect_eq $? 137 "killed command: 128 + signal"
ex -- /nonexistent/cmd 2>/dev/null
expect_eq $? 127 "missing command: 127"
ex --preset nope -- true 2>/dev/null
expect_eq $? 1 "unknown preset: 1"
ex --kernel 5.0 -- true 2>/dev/null
expect_eq $? 2 "bad --kernel: usage error"
"$APSIM" exec 2>/dev/null
expect_eq $? 2 "no command: usage error"

out=$(ex -- sh -c 'grep -c " /sys fuse.apsim " /proc/mounts; grep -c "^sysfs /sys sysfs" /proc/mounts')
expect_eq "$out" "1
1" "tree bound on /sys; the sysfs line stays in /proc/mounts"
out=$(ex -- sh -c 'ls -A /etc/mdevctl.d/scripts.d/callouts /etc/mdevctl.d/scripts.d/notifiers; ls -A /etc/mdevctl.d | tr "\n" " "')
expect_eq "$out" "/etc/mdevctl.d/scripts.d/callouts:

/etc/mdevctl.d/scripts.d/notifiers:
scripts.d " "clean /etc/mdevctl.d with empty callouts and notifiers"
out=$(ex -- sh -c 'cd /run/lock && echo x >a && ln a b && ls && echo m >/etc/mdevctl.d/f && cat /etc/mdevctl.d/f')
expect_eq "$out" "a
b
m" "/run/lock supports link(); /etc/mdevctl.d is writable"
expect_absent /run/lock/b "nothing left in the host's /run/lock"
expect_absent /etc/mdevctl.d/f "nothing left in the host's /etc/mdevctl.d"
# (other apsim instances may be running on the host: look for ours only)
expect_eq "$(grep -Ec ' (/sys|/tmp/apsim\.[^ ]*) fuse\.apsim ' /proc/mounts)" 0 \
	"no mount of apsim exec left on the host"
[ -d /sys/kernel ] && pass "the host's /sys is untouched" || fail "host /sys changed"

# the control socket is announced to the command
out=$(ex -- sh -c 'test -S "$APSIM_SOCKET" && "$0" ctl adapter 05 config off >/dev/null && cat /sys/devices/ap/card05/config' "$APSIM")
expect_eq "$out" 0 "apsim ctl through \$APSIM_SOCKET configures adapter 05 off"

# --dev: private /dev with zcrypt nodes kept in step
out=$(ex --dev -- sh -c '
	echo hi >/dev/null && test -c /dev/null && test -c /dev/z90crypt && echo base
	printf "zn\n" >/sys/class/zcrypt/create
	stat -c "%F %t:%T %a" /dev/zn
	printf "zn\n" >/sys/class/zcrypt/destroy
	test -e /dev/zn || echo gone')
expect_eq "$out" "base
character special file f0:1 666
gone" "--dev: /dev basics, node created and removed with the zcrypt node"

# topology and kernel options reach the host
out=$(ex --kernel 6.1 -- sh -c 'test -e /sys/bus/ap/features || echo 6.1; cat /sys/devices/ap/card04/depth')
expect_eq "$out" "6.1
7" "--kernel 6.1 (no bus features, raw depth)"

# apsim shell runs $SHELL interactively
out=$(echo 'cat /sys/bus/ap/bindings; exit 4' | SHELL=/bin/sh "$APSIM" shell 2>/dev/null)
rc=$?
expect_eq "$out" "6/6 (complete)" "apsim shell sees the tree"
expect_eq $rc 4 "apsim shell exits with the shell's status"

it_done
