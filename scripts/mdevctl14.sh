#!/bin/sh
# Provide Debian trixie's mdevctl 1.4 (amd64) for tests/interop/mdevctl14.sh,
# without installing it and without touching the machine's apt sources
# (spec ci-integration.md §5): a private apt configuration (APT_CONFIG: its
# own sources list, lists, status and cache directories) pointing at
# Debian's archive downloads
#
#   mdevctl       from trixie (1.4.0; whatever trixie serves is taken)
#   libc6         from sid: mdevctl 1.4 needs glibc >= 2.39, Debian 12 has
#                 2.36, so it runs through sid's dynamic loader
#   libgcc-s1     from sid (the Rust binary's unwinder; matches sid's libc)
#
# and unpacks them (dpkg -x) into one directory, $APV_MDEVCTL14 (default
# /var/cache/apvirt/mdevctl-1.4, outside the work tree, kept across clones
# and `make clean`).  A wrapper $APV_MDEVCTL14/mdevctl runs the binary:
#
#     DIR/lib64/ld-linux-x86-64.so.2 --library-path DIR/lib/x86_64-linux-gnu:... DIR/usr/sbin/mdevctl ARGS
#
#   scripts/mdevctl14.sh      run by `scripts/deps.sh interop` (a hook)
#
# A second run takes milliseconds.  If the archive answers a definite "no"
# (no such suite or package), the reason goes to $APV_MDEVCTL14.unavailable
# and the script exits 0: the test then skips with that message.  Any other
# failure (network, dpkg) exits 1.
set -eu

me=mdevctl14.sh
dest=${APV_MDEVCTL14:-/var/cache/apvirt/mdevctl-1.4}
mirror=${APV_DEBIAN_MIRROR:-http://deb.debian.org/debian}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
unavailable=$dest.unavailable

if [ "$(id -u)" -eq 0 ]; then
	sudo=
elif command -v sudo >/dev/null 2>&1; then
	sudo="sudo -n"
else
	sudo=
fi

have_it() {
	[ -f "$dest/.apvirt-deb" ] && [ -x "$dest/mdevctl" ] &&
		MDEVCTL_ENV_ROOT=$dest "$dest/mdevctl" --version >/dev/null 2>&1
}

if have_it; then
	exit 0
fi

work=$(mktemp -d)
log=$work/log
trap 'rm -rf "$work"' EXIT
chmod 0755 "$work"

is_no() {
	grep -Eq "Unable to locate package|has no installation candidate|\
Can't select|Couldn't find any package|404 +Not Found|\
does not have a Release file" "$1"
}

give_up() { # give_up WHAT
	if is_no "$log"; then
		{
			echo "$1: Debian's archive has no such package or suite:"
			grep -E '^(E|W):' "$log" | head -n 3
		} | $sudo tee "$unavailable" >&2
		echo "$me: tests/interop/mdevctl14.sh will skip" >&2
		exit 0
	fi
	cat "$log" >&2
	echo "$me: $1 failed (not a 'no' from the archive; retry later)" >&2
	exit 1
}

# ---- the private apt configuration ----------------------------------------
mkdir -p "$work/etc/sources.list.d" "$work/etc/apt.conf.d" \
	"$work/etc/preferences.d" "$work/lists/partial" \
	"$work/cache/archives/partial" "$work/debs"
: >"$work/status"
cat >"$work/etc/sources.list" <<EOF
deb [arch=amd64 signed-by=$keyring] $mirror trixie main
deb [arch=amd64 signed-by=$keyring] $mirror sid main
EOF
cat >"$work/apt.conf" <<EOF
Dir::Etc::sourcelist "$work/etc/sources.list";
Dir::Etc::sourceparts "$work/etc/sources.list.d";
Dir::Etc::parts "$work/etc/apt.conf.d";
Dir::Etc::preferences "$work/etc/preferences";
Dir::Etc::preferencesparts "$work/etc/preferences.d";
Dir::State::lists "$work/lists";
Dir::State::status "$work/status";
Dir::Cache "$work/cache";
APT::Architecture "amd64";
APT::Architectures { "amd64"; };
APT::Sandbox::User "root";
Acquire::Languages "none";
// (the archive may be a dated snapshot, the clock ahead of it: the
// signatures are still checked)
Acquire::Check-Valid-Until "false";
Acquire::Check-Date "false";
Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled "false";
EOF
APT_CONFIG=$work/apt.conf
export APT_CONFIG

echo "$me: apt-get update (private: trixie, sid; $mirror)"
apt-get -q update >"$log" 2>&1 || give_up "apt-get update"
# apt-get update exits 0 on a missing suite; a missing Release is an error
# line in its output.
if grep -Eq '^E: .*(trixie|sid)' "$log"; then
	give_up "apt-get update"
fi

# download PKG/SUITE...
download() {
	(cd "$work/debs" && apt-get -q download "$@") >"$log" 2>&1 ||
		give_up "apt-get download $*"
}
download mdevctl/trixie libc6/sid libgcc-s1/sid

# ---- unpack ------------------------------------------------------------------
$sudo rm -rf "$dest.new"
$sudo mkdir -p "$dest.new"
vers=
for deb in "$work"/debs/*.deb; do
	$sudo dpkg -x "$deb" "$dest.new"
	vers="$vers $(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version)"
done
[ -x "$dest.new/usr/sbin/mdevctl" ] || [ -x "$dest.new/usr/bin/mdevctl" ] || {
	echo "$me: no mdevctl binary in the trixie package" >&2
	exit 1
}
bin=usr/sbin/mdevctl
[ -x "$dest.new/$bin" ] || bin=usr/bin/mdevctl
# The wrapper: sid's loader and libraries, never the host's.  ($0 may be a
# symlink: resolve it.)
$sudo tee "$dest.new/mdevctl" >/dev/null <<EOF
#!/bin/sh
# trixie's mdevctl through sid's glibc (scripts/mdevctl14.sh)
d=\$(dirname "\$(readlink -f "\$0")")
exec "\$d/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" \\
	--library-path "\$d/usr/lib/x86_64-linux-gnu:\$d/lib/x86_64-linux-gnu" \\
	--argv0 mdevctl "\$d/$bin" "\$@"
EOF
$sudo chmod 0755 "$dest.new/mdevctl"
# mdevctl 1.4 refuses to start without its callouts directory below
# MDEVCTL_ENV_ROOT: the unpack directory has one for the check below.
$sudo mkdir -p "$dest.new/usr/lib/mdevctl/scripts.d/callouts" \
	"$dest.new/usr/lib/mdevctl/scripts.d/notifiers"
echo "${vers# }" | $sudo tee "$dest.new/.apvirt-deb" >/dev/null
$sudo rm -rf "$dest" "$unavailable"
$sudo mv "$dest.new" "$dest"

if ! MDEVCTL_ENV_ROOT=$dest "$dest/mdevctl" --version >"$log" 2>&1; then
	cat "$log" >&2
	echo "$me: $dest/mdevctl does not run" >&2
	exit 1
fi
echo "$me: $(head -n 1 "$log") in $dest ($(cat "$dest/.apvirt-deb"))"
