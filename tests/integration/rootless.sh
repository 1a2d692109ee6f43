#!/bin/sh
# SPDX-License-Identifier: MIT
# apsim for an unprivileged user (issue 10, item 3): `apsim exec` and
# `apsim shell` in a user namespace, `apsim run --mount` through
# fusermount3, a tree mounted by root readable (not writable) by every
# user, and clear failures (--dev, no /dev/fuse).  Also that the command
# dies with a killed `apsim exec` and no /tmp/apsim.* is left behind.
#
# Started as root (CI), the checks run as nobody (setpriv); started as a
# user, as that user.  Exit 77 only without /dev/fuse or user namespaces.
. "$(dirname "$0")/lib.sh"

[ -c /dev/fuse ] || it_skip "no /dev/fuse"
[ -x "${APSIM:-}" ] || {
	echo "ERROR: APSIM='${APSIM:-}' is not an executable"
	exit 1
}
if [ "$(id -u)" -eq 0 ]; then
	command -v setpriv >/dev/null || it_skip "no setpriv (util-linux)"
	U="setpriv --reuid=65534 --regid=65534 --clear-groups"
	USER_UID=65534
else
	U=
	USER_UID=$(id -u)
fi
$U unshare -Ur true 2>/dev/null || it_skip "no unprivileged user namespaces here"

# a directory the user may write
W=$(mktemp -d /tmp/apsim-rootless.XXXXXX)
chmod 0777 "$W"
# shellcheck source=tests/user_reach.sh
. "$(dirname "$0")/../user_reach.sh"
[ -z "$U" ] || apv_user_reach "$W" APSIM SYSFS_IO
trap 'rm -rf "$W"' EXIT

ux() { $U "$APSIM" exec "$@"; }

# ---- exec / shell -----------------------------------------------------------
out=$(ux -- sh -c 'id -u; cat /sys/bus/ap/bindings; grep -c " /sys fuse.apsim " /proc/mounts')
expect_eq "$out" "0
6/6 (complete)
1" "exec as a user: caller is root in its namespace, the tree on /sys"
out=$(ux -- sh -c 'echo 0 >/sys/devices/ap/card05/config && cat /sys/devices/ap/card05/config && "$0" ctl state | head -1' "$APSIM")
expect_eq "$out" "0
kernel 6.12, QCI yes (APXA), Na 255, Nd 255" "exec as a user: writes and apsim ctl work"
out=$(ux -- sh -c 'ls -A /etc/mdevctl.d/scripts.d; echo x >/run/lock/t && cat /run/lock/t')
expect_eq "$out" "callouts
notifiers
x" "exec as a user: private /etc/mdevctl.d and /run/lock"
ux -- sh -c 'exit 5'
expect_eq $? 5 "exec as a user: exit status passed through"
out=$(echo 'cat /sys/bus/ap/bindings; exit 4' | SHELL=/bin/sh $U "$APSIM" shell 2>/dev/null)
rc=$?
expect_eq "$out/$rc" "6/6 (complete)/4" "shell as a user"
err=$(ux --dev -- true 2>&1)
rc=$?
expect_eq "$rc/$err" "1/apsim: --dev needs root: a user namespace may not create device nodes" \
	"--dev as a user fails at once, saying why"
if [ "$(id -u)" -eq 0 ]; then
	err=$(unshare -m sh -c 'mount -t tmpfs tmpfs /dev && '"$U"' "$0" exec -- true' "$APSIM" 2>&1)
	rc=$?
	case $err in
	*"cannot open /dev/fuse: No such file or directory"*"modprobe fuse"*"--device /dev/fuse"*)
		expect_eq $rc 1 "no /dev/fuse: fails at once with the remedy" ;;
	*) fail "no /dev/fuse: fails at once with the remedy" "$err" ;;
	esac
fi

# root without CAP_SYS_ADMIN (a container's root without --cap-add
# SYS_ADMIN) may not mount either: it gets a user namespace too
if [ "$(id -u)" -eq 0 ]; then
	out=$(setpriv --bounding-set=-sys_admin --inh-caps=-sys_admin "$APSIM" exec -- cat /sys/bus/ap/bindings 2>&1)
	expect_eq "$out" "6/6 (complete)" "exec as root without CAP_SYS_ADMIN: in a user namespace"
fi

# a host without /etc/mdevctl.d (no mdevctl installed): the user may not
# create it in /etc, so apsim shadows /etc for the command (here /etc is a
# small tmpfs of a private mount namespace)
if [ "$(id -u)" -eq 0 ]; then
	out=$(unshare -m sh -c '
		mount -t tmpfs -o mode=0755 tmpfs /etc && echo kept >/etc/keep &&
		ln -s keep /etc/lnk && mkdir /etc/d && echo in >/etc/d/f || exit 9
		'"$U"' "$0" exec -- sh -c "ls -A /etc | tr \"\\n\" \" \"; echo; cat /etc/lnk /etc/d/f; ls -A /etc/mdevctl.d/scripts.d; echo new >/etc/mdevctl.d/f"
		echo "rc=$?"; ls -A /etc | tr "\n" " "' "$APSIM" 2>&1)
	expect_eq "$out" "d keep lnk mdevctl.d 
kept
in
callouts
notifiers
rc=0
d keep lnk " "exec as a user without /etc/mdevctl.d: /etc shadowed for the command, host's /etc unchanged"
fi

# ---- kill -9 of apsim exec (issue 13, item 9) ---------------------------------
# kill9 [PREFIX...]: run `apsim exec -- sleep`, kill -9 apsim, expect the
# sleep gone and the scratch directory removed
kill9() {
	rm -f "$W/sock"
	"$@" "$APSIM" exec -- sh -c 'echo "$APSIM_SOCKET" >"$0"; exec sleep 60' "$W/sock" &
	apid=$!
	i=0
	while [ ! -s "$W/sock" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	scratch=$(dirname "$(cat "$W/sock")")
	# apsim is the setpriv's process (setpriv execs)
	cmd=$(pgrep -P "$apid" -x sleep)
	kill -9 "$apid"
	wait "$apid" 2>/dev/null
	i=0
	while [ $i -lt 100 ]; do
		st=$(ps -o stat= -p "$cmd" 2>/dev/null)
		case $st in "" | Z*) ;; *) sleep 0.05; i=$((i + 1)); continue ;; esac
		[ -e "$scratch" ] || break
		sleep 0.05
		i=$((i + 1))
	done
	case $st in "" | Z*) st=dead ;; esac
	[ -e "$scratch" ] && left="$scratch left" || left="no scratch left"
	echo "$st, $left"
}
out=$(kill9)
expect_eq "$out" "dead, no scratch left" "kill -9 of apsim exec (root or caller): command dies, no /tmp/apsim.* left"
if [ -n "$U" ]; then
	out=$(kill9 $U)
	expect_eq "$out" "dead, no scratch left" "kill -9 of a user's apsim exec: command dies, no /tmp/apsim.* left"
fi
# a normal end leaves nothing either
s=$(ux -- sh -c 'echo "$APSIM_SOCKET"')
expect_absent "$(dirname "$s")" "scratch directory removed after a normal exit"

# ---- run --mount as a user (fusermount3) ------------------------------------
# run_wait DIR: wait for the tree on DIR
run_wait() {
	i=0
	while [ ! -e "$1/bus/ap/bindings" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
}
mkdir "$W/m" && chmod 0777 "$W/m"
$U "$APSIM" run --mount "$W/m" --socket "$W/u.sock" 2>"$W/run.err" &
rpid=$!
run_wait "$W/m"
out=$($U sh -c 'cat "$0/bus/ap/bindings"; echo 0 >"$0/devices/ap/card04/config" && cat "$0/devices/ap/card04/config"' "$W/m" 2>&1)
expect_eq "$out" "6/6 (complete)
0" "run --mount as a user: the user reads and writes its tree"
out=$(grep " $W/m fuse" /proc/mounts | grep -c "user_id=$USER_UID")
expect_eq "$out" 1 "run --mount as a user: mounted through fusermount3 as that user"
kill -TERM $rpid
wait $rpid
expect_eq $? 0 "run --mount as a user: SIGTERM unmounts and exits 0"
expect_eq "$(grep -c " $W/m fuse" /proc/mounts)" 0 "run --mount as a user: nothing left mounted"

# ---- a tree mounted by root is readable by every user -----------------------
if [ "$(id -u)" -eq 0 ]; then
	mkdir "$W/r"
	"$APSIM" run --mount "$W/r" --socket "$W/r.sock" 2>"$W/run.err" &
	rpid=$!
	run_wait "$W/r"
	out=$($U sh -c '
		cd "$0" || exit 1
		cat bus/ap/bindings
		ls devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough | tr "\n" " "; echo
		stat -c "%a %U" devices/ap/card05/config bus/ap/apmask
		echo 0 2>/dev/null >devices/ap/card05/config || echo "write: denied"
		echo +0x10 2>/dev/null >bus/ap/apmask || echo "mask: denied"
		test -r devices/ap/card05/config && echo "access R_OK"
		test -w devices/ap/card05/config || echo "access W_OK: no"
		mkdir devices/x 2>/dev/null || echo "mkdir: denied"' "$W/r" 2>&1)
	expect_eq "$out" "6/6 (complete)
available_instances create device_api devices name 
644 root
644 root
write: denied
mask: denied
access R_OK
access W_OK: no
mkdir: denied" "root's tree: every user reads it, writes stay root's (sysfs modes)"
	expect_read "$W/r/devices/ap/card05/config" 1 "root's tree: the user's writes changed nothing"
	out=$(echo 0 >"$W/r/devices/ap/card05/config" && cat "$W/r/devices/ap/card05/config")
	expect_eq "$out" 0 "root's tree: root still writes"
	kill -TERM $rpid
	wait $rpid
fi

it_done
