#!/bin/bash
# SPDX-License-Identifier: MIT
# make deb-test: the packages of `make deb` unpacked in a clean root
# (dpkg -x, nothing installed on the machine) and run from there.
#
#   debian/deb-test.sh DIR     DIR holds apvirt_*.deb and libapvirt-dev_*.deb
#
# Checks: apt can resolve the packages' dependencies on this Debian; the
# files are where make install puts them; the installed apsim runs
# `apsim exec -- lszcrypt` (s390-tools 2.16 under qemu-user, when
# scripts/deps.sh interop has unpacked them) and `apsim exec -- apctl host`
# as root and as a user (nobody); run --root + apsim env + SYSFS_ROOT; the
# man pages render; the completions load; a program builds against the
# installed libapvirt through pkg-config.  Exit 77 without /dev/fuse.
set -u
dir=${1:?usage: deb-test.sh DIR}
APV_S390_TOOLS=${APV_S390_TOOLS:-/var/cache/apvirt/s390-tools}
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() {
	n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"
	shift; [ $# -eq 0 ] || printf '%s\n' "$@" | sed 's/^/#   /'
}
expect_eq() { if [ "$1" = "$2" ]; then ok "$3"; else nok "$3" "expected: $2" "actual:   $1"; fi; }
expect_match() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then ok "$3"; else nok "$3" "no line matches /$2/ in:" "$1"; fi
}

[ -c /dev/fuse ] || { echo "SKIP: no /dev/fuse"; exit 77; }
deb=$(ls "$dir"/apvirt_*.deb 2>/dev/null | head -1)
dev=$(ls "$dir"/libapvirt-dev_*.deb 2>/dev/null | head -1)
[ -f "$deb" ] && [ -f "$dev" ] || { echo "ERROR: no .deb in $dir (make deb)"; exit 1; }

R=$(mktemp -d /tmp/apvirt-deb.XXXXXX)
chmod 0755 "$R"
trap 'rm -rf "$R"' EXIT

# apt resolves the dependencies here (simulated; nothing is installed)
if out=$(apt-get -s -q install "$(realpath "$deb")" "$(realpath "$dev")" 2>&1); then
	ok "apt-get -s install: dependencies resolve on $(cat /etc/debian_version 2>/dev/null)"
else
	nok "apt-get -s install: dependencies resolve" "$out"
fi
dpkg -x "$deb" "$R" && dpkg -x "$dev" "$R"
for f in usr/bin/apsim usr/sbin/apctl usr/share/man/man1/apsim.1.gz \
	usr/share/man/man8/apctl.8.gz usr/share/bash-completion/completions/apsim \
	usr/share/bash-completion/completions/apctl usr/include/apvirt/host.h \
	usr/include/apvirt/guest.h; do
	[ -e "$R/$f" ] && ok "installed: /$f" || nok "installed: /$f"
done
for f in libapvirt.a libapvirt_base.a libapvirt_guest.a pkgconfig/libapvirt.pc \
	pkgconfig/libapvirt_guest.pc; do
	ls "$R"/usr/lib/*/"$f" >/dev/null 2>&1 && ok "installed: $f" || nok "installed: $f"
done

A=$R/usr/bin/apsim
C=$R/usr/sbin/apctl
expect_eq "$("$A" --version)" "apsim $(dpkg-deb -f "$deb" Version)" "apsim --version is the package's"

lsz=(true)
if [ -x "$APV_S390_TOOLS/sbin/lszcrypt" ] && command -v qemu-s390x-static >/dev/null; then
	lsz=(qemu-s390x-static -L / "$APV_S390_TOOLS/sbin/lszcrypt")
else
	echo "# no s390-tools 2.16 here (scripts/deps.sh interop): lszcrypt checks skipped"
fi
U=(setpriv --reuid=65534 --regid=65534 --clear-groups)
[ "$(id -u)" -eq 0 ] || U=()
for who in root user; do
	P=()
	[ $who = user ] && P=("${U[@]}")
	[ $who = root ] && [ "$(id -u)" -ne 0 ] && continue
	out=$("${P[@]}" "$A" exec -- sh -c 'cat /sys/bus/ap/bindings; "$0" host | head -1; "$@"' "$C" "${lsz[@]}" 2>&1)
	expect_match "$out" "^6/6 \(complete\)$" "$who: installed apsim exec serves the tree"
	expect_match "$out" "^adapters +04-05$" "$who: installed apctl host inside apsim exec"
	[ "${lsz[0]}" = true ] ||
		expect_match "$out" "^05\.0047 +CEX8C +CCA-Coproc +online" "$who: apsim exec -- lszcrypt"
done

# no namespace: run --root, apsim env, SYSFS_ROOT (as the user)
W=$(mktemp -d /tmp/apvirt-deb-root.XXXXXX)
chmod 0777 "$W"
"${U[@]}" "$A" run --root "$W/h" >/dev/null 2>&1 &
pid=$!
i=0
while ! "${U[@]}" test -e "$W/h/sys/bus/ap/bindings" && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
out=$(eval "$("$A" env "$W/h")" && "${U[@]}" "$C" host | head -1 &&
	{ [ "${lsz[0]}" = true ] || "${U[@]}" "${lsz[@]}"; })
expect_match "$out" "^adapters +04-05$" "user: apctl with SYSFS_ROOT of apsim run --root"
[ "${lsz[0]}" = true ] ||
	expect_match "$out" "^04 +CEX8A +Accelerator +online" "user: lszcrypt with SYSFS_ROOT"
kill -TERM $pid
wait $pid
expect_eq $? 0 "run --root stops on SIGTERM"
rm -rf "$W"

# man pages, completions
for m in man1/apsim.1.gz man8/apctl.8.gz; do
	if out=$(man --warnings -l "$R/usr/share/man/$m" 2>&1 >/dev/null) && [ -z "$out" ]; then
		ok "man -l $m renders without warnings"
	else
		nok "man -l $m renders without warnings" "$out"
	fi
done
out=$(PATH=$R/usr/bin:$R/usr/sbin:$PATH bash -c '
	. "$0/usr/share/bash-completion/completions/apsim"
	COMP_WORDS=(apsim ""); COMP_CWORD=1; _apsim; echo "${COMPREPLY[*]}"
	COMP_WORDS=(apsim ctl sc); COMP_CWORD=2; _apsim; echo "${COMPREPLY[*]}"' "$R" 2>&1)
expect_eq "$out" "run exec shell env ctl guest --help --version
scan" "bash completion of apsim (commands; ctl verbs from the binary)"

# a program against the installed static libraries (pkg-config)
cat >"$R/t.c" <<'C'
#include <stdio.h>
#include <apvirt/host.h>
#include <apvirt/preset.h>
int main(void)
{
	struct apv_host *h = NULL;
	struct apv_preset p;

	if (apv_preset_init(&p, "default") || apv_host_new(&p.cfg, &h))
		return 1;
	printf("%s\n", apv_kernel_name(apv_host_kernel(h)));
	apv_host_free(h);
	return 0;
}
C
pc=(env PKG_CONFIG_PATH="$(ls -d "$R"/usr/lib/*/pkgconfig)" PKG_CONFIG_SYSROOT_DIR="$R" pkg-config)
if out=$(cc -o "$R/t" "$R/t.c" $("${pc[@]}" --cflags --libs --static libapvirt) 2>&1) &&
	out=$("$R/t" 2>&1); then
	expect_match "$out" "^6\.[0-9]+$" "a program builds and runs against libapvirt (pkg-config)"
else
	nok "a program builds and runs against libapvirt (pkg-config)" "$out"
fi
if out=$("${pc[@]}" --cflags --libs --static libapvirt_guest 2>&1); then
	expect_match "$out" "-lapvirt_guest" "pkg-config libapvirt_guest"
else
	nok "pkg-config libapvirt_guest" "$out"
fi

echo "1..$n"
[ "$failed" -eq 0 ] || { echo "# $failed of $n checks failed"; exit 1; }
echo "# all $n checks passed"
