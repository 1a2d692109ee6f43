# SPDX-License-Identifier: MIT
# shellcheck shell=sh
#
# Shared by the integration tests (tests/integration/*.sh, POSIX sh): apsim's
# tree exercised through the real file system.
#
# A test script runs twice.  Started by meson ("outside"), it_enter checks
# that this machine can run apsim at all and re-runs the script under
#
#     apsim exec [OPTIONS] -- sh SCRIPT
#
# ("inside": the tree is on /sys of a private mount namespace), where
# it_enter returns and the checks run.  Output is TAP-like; it_done exits 1
# if a check failed.  Exit 77 (meson's skip) only when /dev/fuse is absent
# or unshare is not permitted here.
#
# Environment (tests/integration/meson.build):
#   APSIM     the apsim binary of this build
#   SYSFS_IO  the sysfs-io helper (sysfs-io.c)

set -u

_n=0
_failed=0

it_skip() {
	echo "SKIP: $*"
	exit 77
}

# it_require: skip unless apsim can run here; fail without the binaries.
it_require() {
	[ -c /dev/fuse ] || it_skip "no /dev/fuse"
	unshare -m --propagation private true 2>/dev/null ||
		it_skip "unshare -m is not permitted here"
	[ -x "${APSIM:-}" ] || {
		echo "ERROR: APSIM='${APSIM:-}' is not an executable"
		exit 1
	}
	[ -x "${SYSFS_IO:-}" ] || {
		echo "ERROR: SYSFS_IO='${SYSFS_IO:-}' is not an executable"
		exit 1
	}
}

# it_enter [APSIM-EXEC-OPTIONS...]
it_enter() {
	if [ "${APV_IT_INSIDE:-0}" = 1 ]; then
		[ -d /sys/bus/ap ] || {
			echo "ERROR: inside apsim exec but /sys/bus/ap is missing"
			exit 1
		}
		return 0
	fi
	it_require
	echo "# $APSIM exec $* -- sh $0"
	APV_IT_INSIDE=1 exec "$APSIM" exec "$@" -- sh "$0"
}

pass() {
	_n=$((_n + 1))
	echo "ok $_n - $*"
}

fail() {
	_n=$((_n + 1))
	_failed=$((_failed + 1))
	echo "not ok $_n - $1"
	shift
	for l in "$@"; do
		printf '%s\n' "$l" | sed 's/^/#   /'
	done
}

# expect_eq ACTUAL EXPECTED MSG
expect_eq() {
	if [ "$1" = "$2" ]; then
		pass "$3"
	else
		fail "$3" "expected: $2" "actual:   $1"
	fi
}

# expect_io EXPECTED MSG SYSFS-IO-ARGS...: sysfs-io's one-word verdict
# (OK or an errno name) of e.g. `write PATH VALUE`.
expect_io() {
	_want=$1
	_msg=$2
	shift 2
	_got=$("$SYSFS_IO" "$@" 2>&1)
	expect_eq "$_got" "$_want" "$_msg"
}

# expect_read PATH CONTENT MSG (CONTENT without the final newline)
expect_read() {
	_got=$("$SYSFS_IO" read "$1" 2>&1)
	expect_eq "$_got" "$2" "$3"
}

expect_exists() { # PATH MSG (no symlink following)
	if [ -e "$1" ] || [ -L "$1" ]; then pass "$2"; else fail "$2" "$1 missing"; fi
}

expect_absent() { # PATH MSG
	if [ -e "$1" ] || [ -L "$1" ]; then fail "$2" "$1 exists"; else pass "$2"; fi
}

expect_link() { # PATH TARGET MSG
	_got=$(readlink "$1" 2>&1)
	expect_eq "$_got" "$2" "$3"
}

it_done() {
	echo "1..$_n"
	if [ "$_failed" -ne 0 ]; then
		echo "# $_failed of $_n checks failed"
		exit 1
	fi
	exit 0
}

MATRIX=/sys/devices/vfio_ap/matrix
TYPE=$MATRIX/mdev_supported_types/vfio_ap-passthrough
