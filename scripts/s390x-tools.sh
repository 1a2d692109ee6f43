#!/bin/sh
# Provide Debian's s390-tools (s390x build) for the interop tests, without
# installing it: the binaries run on x86-64 under qemu-s390x-static with the
# s390x libc from libc6:s390x (spec real-tools-abi.md §1).
#
#   scripts/s390x-tools.sh          run by `scripts/deps.sh interop`
#
# Steps, each skipped when already done (a second run takes milliseconds):
#   1. dpkg --add-architecture s390x
#   2. apt-get update, if apt has no s390x package lists yet
#   3. apt-get install libc6:s390x   (the tools need nothing but libc)
#   4. apt-get download s390-tools:s390x; dpkg -x into $APV_S390_TOOLS
#      (default /var/cache/apvirt/s390-tools, outside the work tree so that
#      `make clean` and fresh clones on the same machine keep it)
#
# If the Debian mirror answers "no" (the s390x architecture or package does
# not exist there), the reason is written to $APV_S390_TOOLS.unavailable and
# the script exits 0: the interop tests then skip the s390-tools part with
# that message.  Any other failure (network time-out, dpkg error) exits 1.
#
# Environment:
#   APV_S390_TOOLS   unpack directory (default /var/cache/apvirt/s390-tools)
set -eu

me=s390x-tools.sh
dest=${APV_S390_TOOLS:-/var/cache/apvirt/s390-tools}
arch=s390x
unavailable=$dest.unavailable

if [ "$(id -u)" -eq 0 ]; then
	sudo=
elif command -v sudo >/dev/null 2>&1; then
	sudo="sudo -n"
else
	sudo=
fi

export DEBIAN_FRONTEND=noninteractive
apt_opts="-o DPkg::Lock::Timeout=300 -o Dpkg::Use-Pty=0"

installed() {
	[ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null)" = "ii " ]
}

have_tools() {
	[ -f "$dest/.apvirt-deb" ] && [ -x "$dest/sbin/lszcrypt" ]
}

# A definite "no" from apt (as opposed to a time-out or a local error).
is_no() {
	grep -Eq "Unable to locate package|has no installation candidate|\
Can't select|Couldn't find any package|404 +Not Found|\
not a valid architecture" "$1"
}

# give_up LOGFILE WHAT: record a definite "no", or fail on anything else.
give_up() {
	if is_no "$1"; then
		{
			echo "$2: the Debian mirror has no such package:"
			grep -E '^(E|W):' "$1" | head -n 3
		} | $sudo tee "$unavailable" >&2
		echo "$me: interop tests will skip the s390-tools part" >&2
		exit 0
	fi
	cat "$1" >&2
	echo "$me: $2 failed (not a 'no' from the mirror; retry later)" >&2
	exit 1
}

if installed "libc6:$arch" && have_tools; then
	exit 0
fi

log=$(mktemp)
work=$(mktemp -d)
trap 'rm -rf "$log" "$work"' EXIT

if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
	echo "$me: dpkg --add-architecture $arch"
	$sudo dpkg --add-architecture "$arch"
fi

# apt has no s390x lists yet (new architecture, or lists cleaned): update.
if ! apt-cache show "libc6:$arch" >/dev/null 2>&1; then
	echo "$me: apt-get update (for $arch package lists)"
	# shellcheck disable=SC2086 # word splitting is intended
	$sudo apt-get $apt_opts -q update >"$log" 2>&1 ||
		give_up "$log" "apt-get update"
fi

# apt_retry WHAT CMD...: run an apt command; on failure refresh the package
# lists once (they may be stale: a 404 for a superseded version) and retry.
apt_retry() {
	what=$1
	shift
	"$@" >"$log" 2>&1 && return 0
	echo "$me: $what failed; apt-get update and retry"
	# shellcheck disable=SC2086 # word splitting is intended
	$sudo apt-get $apt_opts -q update >"$log" 2>&1 ||
		give_up "$log" "apt-get update"
	"$@" >"$log" 2>&1 || give_up "$log" "$what"
}

if ! installed "libc6:$arch"; then
	echo "$me: installing libc6:$arch"
	# shellcheck disable=SC2086
	apt_retry "apt-get install libc6:$arch" $sudo apt-get $apt_opts -q -y \
		--no-install-recommends install "libc6:$arch"
fi

if ! have_tools; then
	echo "$me: apt-get download s390-tools:$arch -> $dest"
	chmod 0777 "$work" # apt's _apt sandbox user writes the .deb
	# shellcheck disable=SC2086
	apt_retry "apt-get download s390-tools:$arch" \
		sh -c 'cd "$1" && shift && exec "$@"' sh "$work" \
		apt-get $apt_opts -q download "s390-tools:$arch"
	deb=$(ls "$work"/s390-tools_*_"$arch".deb)
	ver=$(dpkg-deb -f "$deb" Version)
	$sudo rm -rf "$dest.new"
	$sudo mkdir -p "$dest.new"
	$sudo dpkg -x "$deb" "$dest.new"
	echo "s390-tools $ver $arch" | $sudo tee "$dest.new/.apvirt-deb" >/dev/null
	$sudo rm -rf "$dest" "$unavailable"
	$sudo mv "$dest.new" "$dest"
fi

if ! qemu-s390x-static -L / "$dest/sbin/lszcrypt" --version >"$log" 2>&1; then
	cat "$log" >&2
	echo "$me: $dest/sbin/lszcrypt does not run under qemu-s390x-static" >&2
	exit 1
fi
echo "$me: $(head -n 1 "$log") in $dest"
