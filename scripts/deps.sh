#!/bin/sh
# Install the Debian 12 packages apvirt needs to build, test and lint.
#
#   scripts/deps.sh [GROUP...]      default group: core
#
# This file is the one place that lists packages: add new ones to a group
# below.  It is idempotent and quick when everything is present: it asks
# dpkg-query first and only runs `apt-get update` + `apt-get install` when
# something is missing.  Needs root (or sudo) only in that case.
#
# Environment:
#   APV_SKIP_DEPS=1   do nothing (non-Debian machines, offline work)
set -eu

# --- package groups -------------------------------------------------------
# core: build, unit/integration tests, ASan/UBSan and libFuzzer with clang.
PKGS_core="
	build-essential
	meson
	ninja-build
	pkg-config
	libfuse3-dev
	fuse3
	libjansson-dev
	libssl-dev
	uuid-dev
	libcmocka-dev
	clang-14
	libclang-rt-14-dev
	python3
"
# lint: make lint / make format.
PKGS_lint="
	cppcheck
	clang-tidy-14
	clang-format-14
"
# demo: what `make demo` needs on top of core -- the real tools of the
# vfio_ap session (tools/demo.sh): mdevctl and s390-tools 2.16 under
# qemu-s390x-static (the hook below), nothing else.
PKGS_demo="
	qemu-user-static
	mdevctl
"
# interop: the real tools for tests/interop (the demo's, plus what only the
# tests need).  mdevctl runs natively; the s390x-only s390-tools are
# unpacked (not installed) by the hook below and run under
# qemu-s390x-static with libc6:s390x (both handled by the hook, as they
# need `dpkg --add-architecture s390x`).  strace: debugging the tools.
# udev: udevadm monitor/trigger against apsim's udev events
# (tests/integration/udev.sh skips without it).
# chromium (headless) and a font: tests/apctl/matrix-render.sh renders
# `apctl matrix --html` to a PNG, as a person's browser would.
# libvirt-daemon (the monolithic libvirtd with its node-device driver) and
# libvirt-clients (virsh): tests/interop/libvirt*.sh run a private libvirtd
# with the nodedev driver only, so neither libvirt-daemon-system (units,
# the libvirt-qemu user) nor QEMU is needed.
PKGS_interop="
	qemu-user-static
	mdevctl
	udev
	strace
	chromium
	fonts-dejavu-core
	libvirt-daemon
	libvirt-clients
"
# deb: make deb (dpkg-buildpackage with debhelper's meson build system;
# the Build-Depends of debian/control are the core group).
PKGS_deb="
	debhelper
	dpkg-dev
"
# HOOK_<group>: a script in scripts/ run after the group's packages are in.
HOOK_demo=s390x-tools.sh
HOOK_interop=s390x-tools.sh
# mdevctl 1.4 from trixie + sid's libc6, unpacked under /var/cache/apvirt
# with a private APT_CONFIG (tests/interop/mdevctl14.sh).
HOOK_interop="$HOOK_interop mdevctl14.sh"
# ---------------------------------------------------------------------------

me=deps.sh

if [ "${APV_SKIP_DEPS:-0}" = 1 ]; then
	exit 0
fi

[ $# -gt 0 ] || set -- core

wanted=
hooks=
for group in "$@"; do
	case $group in
	*[!a-z0-9_]* | '')
		echo "$me: bad group name '$group'" >&2
		exit 2
		;;
	esac
	eval "list=\${PKGS_$group-}"
	if [ -z "$list" ]; then
		echo "$me: unknown package group '$group'" >&2
		exit 2
	fi
	wanted="$wanted $list"
	eval "hooks=\"\$hooks \${HOOK_$group-}\""
done

# Group hooks, after the packages (idempotent and quick when done).
run_hooks() {
	for h in $hooks; do
		"$(dirname "$0")/$h" || exit 1
	done
}

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "$me: no dpkg-query; not a Debian system, install these yourself:" \
		$wanted >&2
	exit 0
fi

installed() {
	[ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null)" = "ii " ]
}

missing=
for p in $wanted; do
	installed "$p" || missing="$missing $p"
done
if [ -z "$missing" ]; then
	run_hooks
	exit 0
fi

echo "$me: installing:$missing"

if [ "$(id -u)" -eq 0 ]; then
	sudo=
elif command -v sudo >/dev/null 2>&1; then
	sudo="sudo -n"
else
	echo "$me: need root (or sudo) to install:$missing" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt_opts="-o DPkg::Lock::Timeout=300 -o Dpkg::Use-Pty=0"

# shellcheck disable=SC2086 # word splitting is intended
$sudo apt-get $apt_opts -q update
# shellcheck disable=SC2086
$sudo apt-get $apt_opts -q -y --no-install-recommends install $missing

still=
for p in $missing; do
	installed "$p" || still="$still $p"
done
if [ -n "$still" ]; then
	echo "$me: still missing after apt-get:$still" >&2
	exit 1
fi
run_hooks
