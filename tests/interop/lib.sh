# SPDX-License-Identifier: MIT
# shellcheck shell=bash
#
# Shared by the interop tests (tests/interop/*.sh, bash): the real, unmodified
# tools against apsim's sysfs tree.
#
# A test script runs twice.  Started by meson ("outside"), interop_enter
# checks the prerequisites and re-runs the script under
#
#     apsim exec [OPTIONS] -- bash SCRIPT
#
# which boots a simulated host and runs the script in a private mount
# namespace with the tree on /sys and private /etc/mdevctl.d and /run/lock.
# There ("inside") interop_enter returns, and the script's steps run the
# tools and check their output and the model's state through /sys.  All the
# steps of one script share one simulated host; each script gets a new one.
#
# Exit status: 0 all checks passed, 1 a check failed, 77 (meson's skip) only
# when a prerequisite cannot be had on this machine (not root, no /dev/fuse,
# unshare denied, or the Debian mirror has no s390x s390-tools at all).  A
# tool that `make deps` should have installed but did not is a failure.
#
# Environment (tests/interop/meson.build sets the first two):
#   APSIM                  the apsim binary of this build
#   APV_INTEROP_DATA       tests/data/interop (golden files)
#   APV_S390_TOOLS         unpacked s390-tools 2.16 (scripts/s390x-tools.sh;
#                          default /var/cache/apvirt/s390-tools)
#   APV_APSIM_ARGS         options for `apsim exec` (--kernel, --topology)
#   APV_GOLDEN_TAG         suffix of the golden files (lszcrypt)
#   APV_TEST_REGENERATE=1  rewrite golden files instead of comparing

set -u

APV_S390_TOOLS=${APV_S390_TOOLS:-/var/cache/apvirt/s390-tools}
export APV_S390_TOOLS

_n=0	  # checks run
_failed=0 # checks failed

# ---- outside: prerequisites and re-exec under apsim ----------------------

interop_skip() {
	echo "SKIP: $*"
	exit 77
}

interop_error() {
	echo "ERROR: $*" >&2
	exit 1
}

# interop_enter [--s390] [--mdevctl] [-- APSIM-EXEC-OPTIONS...]
#   --s390     the test runs s390-tools (qemu-s390x-static + unpacked .deb)
#   --mdevctl  the test runs Debian's mdevctl
interop_enter() {
	local need_s390=0 need_mdevctl=0
	while [ $# -gt 0 ]; do
		case $1 in
		--s390) need_s390=1 ;;
		--mdevctl) need_mdevctl=1 ;;
		--)
			shift
			break
			;;
		*) interop_error "interop_enter: bad option $1" ;;
		esac
		shift
	done

	if [ "${APV_INTEROP_INSIDE:-0}" = 1 ]; then
		_interop_inside_checks
		return 0
	fi

	# Impossible here: skip.
	[ "$(id -u)" -eq 0 ] ||
		interop_skip "needs root (apsim exec: unshare -m, mount)"
	[ -c /dev/fuse ] || interop_skip "no /dev/fuse"
	unshare -m --propagation private true 2>/dev/null ||
		interop_skip "unshare -m denied here"

	# Missing pieces of this build or of `make deps`: fail.
	[ -n "${APSIM:-}" ] && [ -x "$APSIM" ] ||
		interop_error "APSIM='${APSIM:-}' is not an executable"
	if [ "$need_s390" = 1 ]; then
		if [ -f "$APV_S390_TOOLS.unavailable" ]; then
			interop_skip "s390-tools:s390x cannot be obtained" \
				"from the Debian mirror:" \
				"$(cat "$APV_S390_TOOLS.unavailable")"
		fi
		command -v qemu-s390x-static >/dev/null ||
			interop_error "qemu-s390x-static missing: run" \
				"'scripts/deps.sh interop' (make deps)"
		[ -x "$APV_S390_TOOLS/sbin/lszcrypt" ] ||
			interop_error "no s390-tools in $APV_S390_TOOLS: run" \
				"'scripts/deps.sh interop' (make deps)"
	fi
	if [ "$need_mdevctl" = 1 ]; then
		command -v mdevctl >/dev/null ||
			interop_error "mdevctl missing: run" \
				"'scripts/deps.sh interop' (make deps)"
	fi

	echo "# $APSIM exec $* -- bash $0"
	APV_INTEROP_INSIDE=1 exec "$APSIM" exec "$@" -- bash "$0"
}

_interop_inside_checks() {
	[ -d /sys/bus/ap ] ||
		interop_error "inside apsim exec but /sys/bus/ap is missing"
	[ -d /sys/devices/vfio_ap/matrix ] ||
		interop_error "inside apsim exec but" \
			"/sys/devices/vfio_ap/matrix is missing"
}

# ---- checks --------------------------------------------------------------

# Results of the last `run`: stdout, stderr, exit status.
out= err= rc=0

# run CMD...: run a command, keep its stdout in $out, stderr in $err and
# status in $rc (trailing newlines are stripped, as by $(...)).
run() {
	local f
	f=$(mktemp)
	out=$("$@" 2>"$f")
	rc=$?
	err=$(cat "$f")
	rm -f "$f"
	echo "# \$ $* -> $rc"
	# What a failing tool said, for the log.
	[ "$rc" -eq 0 ] || [ -z "$err" ] || printf '%s\n' "$err" | sed 's/^/#   | /'
}

pass() {
	_n=$((_n + 1))
	echo "ok $_n - $*"
}

# fail MSG [DETAIL...]: a failed check; details and the last run's output
# are printed as comments.
fail() {
	local msg=$1
	shift
	_n=$((_n + 1))
	_failed=$((_failed + 1))
	echo "not ok $_n - $msg"
	if [ $# -gt 0 ]; then
		printf '%s\n' "$@" | sed 's/^/#   /'
	fi
	echo "#   last command: rc=$rc"
	[ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/#   stdout: /'
	[ -z "$err" ] || printf '%s\n' "$err" | sed 's/^/#   stderr: /'
}

check() { # check MSG CMD...: CMD must succeed
	local msg=$1
	shift
	if "$@"; then pass "$msg"; else fail "$msg" "false: $*"; fi
}

expect_rc() { # expect_rc N MSG
	if [ "$rc" -eq "$1" ]; then
		pass "$2"
	else
		fail "$2" "exit status $rc, expected $1"
	fi
}

expect_eq() { # expect_eq ACTUAL EXPECTED MSG
	if [ "$1" = "$2" ]; then
		pass "$3"
	else
		fail "$3" "$(diff -u --label expected --label actual \
			<(printf '%s\n' "$2") <(printf '%s\n' "$1"))"
	fi
}

expect_contains() { # expect_contains TEXT NEEDLE MSG (fixed string)
	case $1 in
	*"$2"*) pass "$3" ;;
	*) fail "$3" "'$2' not found in:" "$1" ;;
	esac
}

expect_lacks() { # expect_lacks TEXT NEEDLE MSG
	case $1 in
	*"$2"*) fail "$3" "'$2' unexpectedly found in:" "$1" ;;
	*) pass "$3" ;;
	esac
}

expect_match() { # expect_match TEXT ERE MSG (some line matches)
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		pass "$3"
	else
		fail "$3" "no line matches /$2/ in:" "$1"
	fi
}

expect_file() { # expect_file PATH CONTENT MSG (content without final \n)
	local got
	if [ ! -e "$1" ]; then
		fail "$3" "$1 does not exist"
		return
	fi
	got=$(cat "$1")
	expect_eq "$got" "$2" "$3"
}

expect_exists() { # expect_exists PATH MSG
	if [ -e "$1" ] || [ -L "$1" ]; then
		pass "$2"
	else
		fail "$2" "$1 does not exist"
	fi
}

expect_absent() { # expect_absent PATH MSG
	if [ -e "$1" ] || [ -L "$1" ]; then
		fail "$2" "$1 exists: $(ls -ld "$1")"
	else
		pass "$2"
	fi
}

# expect_golden NAME TEXT MSG: TEXT must equal $APV_INTEROP_DATA/NAME (whose
# last newline is not part of TEXT).  APV_TEST_REGENERATE=1 rewrites it.
expect_golden() {
	local file=${APV_INTEROP_DATA:?}/$1
	if [ "${APV_TEST_REGENERATE:-0}" = 1 ]; then
		printf '%s\n' "$2" >"$file"
		pass "$3 (regenerated $1)"
		return
	fi
	if [ ! -f "$file" ]; then
		fail "$3" "golden file $file missing" \
			"(APV_TEST_REGENERATE=1 creates it)"
		return
	fi
	if printf '%s\n' "$2" | cmp -s - "$file"; then
		pass "$3"
	else
		fail "$3" "$(printf '%s\n' "$2" | diff -u --label "$1" \
			--label actual "$file" -)"
	fi
}

# The summary; the script's exit status.
interop_done() {
	echo "1..$_n"
	if [ "$_failed" -gt 0 ]; then
		echo "# $_failed of $_n checks failed"
		exit 1
	fi
	echo "# all $_n checks passed"
	exit 0
}

# ---- the tools -----------------------------------------------------------

# s390-tools 2.16 (s390x) under qemu-user; they find sysfs through
# /proc/mounts, i.e. at /sys.
_s390() {
	qemu-s390x-static -L / "$APV_S390_TOOLS/sbin/$1" "${@:2}"
}
lszcrypt() { _s390 lszcrypt "$@"; }
chzcrypt() { _s390 chzcrypt "$@"; }
zcryptctl() { _s390 zcryptctl "$@"; }

# ---- the model, through /sys ---------------------------------------------

sysval() { # sysval PATH: an attribute's value without the newline
	cat "$1"
}

# A relative or absolute aqmask write, the administrator's way of moving
# domains between the host and vfio_ap: aqmask_write -0x47,-0x54
aqmask_write() {
	printf '%s\n' "$1" >/sys/bus/ap/aqmask
}

# The expected STATUS of a card or queue directory (2.16 rules).
status_of() {
	local d=$1
	if [ ! -e "$d/online" ]; then
		echo -
	elif [ "$(sysval "$d/online")" = 1 ]; then
		echo online
	elif [ "$(sysval "$d/config")" = 0 ]; then
		echo deconfig
	else
		echo offline
	fi
}

# Make the AP bus scan now (a 6.1 kernel notices a card's SCLP
# (de)configuration only at its next scan, every config_time seconds).
bus_rescan() {
	printf 1 >/sys/bus/ap/scans
}

# The driver a queue is bound to: basename of its driver link, or "-".
queue_driver() { # queue_driver 05.0047
	local l
	l=$(readlink "/sys/bus/ap/devices/$1/driver" 2>/dev/null) || {
		echo -
		return
	}
	echo "${l##*/}"
}

# ---- mdevs ---------------------------------------------------------------

MATRIX=/sys/devices/vfio_ap/matrix
MTYPE=$MATRIX/mdev_supported_types/vfio_ap-passthrough

# mdev_define UUID auto|manual [ATTR=VALUE...]: `mdevctl define`, then one
# `mdevctl modify --addattr` per attribute, in order.
mdev_define() {
	local u=$1 mode=$2 a
	shift 2
	if [ "$mode" = auto ]; then
		run mdevctl define -u "$u" -p matrix -t vfio_ap-passthrough --auto
	else
		run mdevctl define -u "$u" -p matrix -t vfio_ap-passthrough
	fi
	expect_rc 0 "mdevctl define $u ($mode)"
	for a in "$@"; do
		run mdevctl modify -u "$u" --addattr="${a%%=*}" --value="${a#*=}"
		expect_rc 0 "mdevctl modify $u --addattr=${a%%=*} --value=${a#*=}"
	done
}

# expect_mdev_active UUID MATRIX MSG: the mdev exists in every place the
# kernel puts it, and its matrix attribute reads MATRIX (lines joined by
# spaces).
expect_mdev_active() {
	local u=$1 m
	expect_exists "$MATRIX/$u" "$3: $MATRIX/$u exists"
	expect_eq "$(readlink "/sys/bus/mdev/devices/$u" 2>&1)" \
		"../../../devices/vfio_ap/matrix/$u" \
		"$3: /sys/bus/mdev/devices/$u links to the matrix device"
	expect_eq "$(readlink "$MATRIX/$u/mdev_type" 2>&1)" \
		../mdev_supported_types/vfio_ap-passthrough \
		"$3: $u/mdev_type links to vfio_ap-passthrough"
	expect_exists "$MTYPE/devices/$u" "$3: the type's devices/ lists $u"
	m=$(cat "$MATRIX/$u/matrix" 2>/dev/null | tr '\n' ' ')
	expect_eq "${m% }" "$2" "$3: $u/matrix is '$2'"
}

# expect_mdev_gone UUID MSG: no trace of the mdev in the tree.
expect_mdev_gone() {
	expect_absent "$MATRIX/$1" "$2: no $MATRIX/$1"
	expect_absent "/sys/bus/mdev/devices/$1" \
		"$2: no /sys/bus/mdev/devices/$1"
	expect_absent "$MTYPE/devices/$1" "$2: no type devices/$1"
}

# The number of mdevs in the tree: UUID-named entries of the matrix device.
mdev_count() {
	find "$MATRIX/" -mindepth 1 -maxdepth 1 -name '*-*-*-*-*' | wc -l
}

# json_eq A B: the two JSON texts are equal as values.
json_eq() {
	python3 -c 'import json, sys
sys.exit(json.loads(sys.argv[1]) != json.loads(sys.argv[2]))' "$1" "$2" \
		2>/dev/null
}

# ---- the model, through apsim's control socket ------------------------------

# model EXPR: evaluate a Python expression on the model's state (`apsim ctl
# state --json`, docs/control-protocol.md) as `s`, with the helpers card(id),
# queue("05.0047"), adapter(id) (the machine's view), mdev(uuid), uuids().
# Prints strings as they are, anything else as compact JSON.
model() {
	"$APSIM" ctl state --json | python3 -c '
import json, sys
s = json.load(sys.stdin)
def card(i):
    return next((c for c in s["cards"] if c["id"] == i), None)
def queue(a):
    return next((q for c in s["cards"] for q in c["queues"]
                 if q["apqn"] == a), None)
def adapter(i):
    return next((a for a in s["machine"]["adapters"] if a["id"] == i), None)
def mdev(u):
    return next((m for m in s["mdevs"] if m["uuid"] == u), None)
def uuids():
    return sorted(m["uuid"] for m in s["mdevs"])
v = eval(sys.argv[1])
print(v if isinstance(v, str) else json.dumps(v, separators=(",", ":")))
' "$1"
}

# expect_model EXPR EXPECTED MSG
expect_model() {
	local got
	got=$(model "$1" 2>&1)
	expect_eq "$got" "$2" "model: $3"
}
