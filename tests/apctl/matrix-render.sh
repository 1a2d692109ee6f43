#!/bin/bash
# SPDX-License-Identifier: MIT
#
# `apctl matrix --html` as a person sees it: Debian's chromium, headless,
# renders the page to a PNG (tests/apctl/matrix-png-check.py decodes it with
# zlib): the small host of matrix.sh (two mdevs, one filtered) and the
# largest host (256 x 256, apsim's `max` preset) with three mdevs.  Checks:
# chromium's exit status, the PNG (magic bytes, 1200 x 900, not blank, the
# host's grey and the mdevs' colours cover their cells) and chromium's
# stderr, which may hold only the known harmless lines below.
#
# chromium comes from `scripts/deps.sh interop` (make check runs it; so
# does this test when chromium is missing).  Exit 77 only when apsim cannot
# run here (not root, no /dev/fuse, unshare denied) or chromium truly
# cannot be installed or cannot render even a plain page.
. "$(dirname "$0")/../interop/lib.sh"

src=$(cd "$(dirname "$0")/../.." && pwd)
here=$(cd "$(dirname "$0")" && pwd)

[ "$(id -u)" -eq 0 ] || interop_skip "needs root (apsim exec)"
[ -c /dev/fuse ] || interop_skip "no /dev/fuse"
unshare -m --propagation private true 2>/dev/null ||
	interop_skip "unshare -m denied here"
[ -x "${APSIM:-}" ] || interop_error "APSIM='${APSIM:-}' is not an executable"
[ -x "${APCTL:-}" ] || interop_error "APCTL='${APCTL:-}' is not an executable"
if ! command -v chromium >/dev/null; then
	echo "# chromium missing: scripts/deps.sh interop"
	"$src/scripts/deps.sh" interop >&2 ||
		interop_skip "chromium cannot be installed here"
	command -v chromium >/dev/null ||
		interop_skip "chromium cannot be installed here"
fi

OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
W=1200 H=900
U1=11111111-2222-3333-4444-000000000001 # labels A, B, C (UUID order)
U2=11111111-2222-3333-4444-000000000002
U3=11111111-2222-3333-4444-000000000003

# ---- the pages, from two simulated hosts -----------------------------------

# A = 04-05 x 0047 with adapter 05 filtered, B = 04,06,07 x 0054.
cat >"$OUT/small.sh" <<EOF
set -e
a() { "$APCTL" --config-root "$OUT/cfg" "\$@"; }
a define $U1 -a 4-5 -d 0x47 -c 0x47 >/dev/null
a define $U2 -a 4,6,7 -d 0x54 -c 0x54 >/dev/null
a start $U1
a start $U2
echo 05.0047 >/sys/bus/ap/drivers/vfio_ap/unbind
a matrix --html "$OUT/small.html"
EOF
run "$APSIM" exec --topology "$src/tests/data/apctl/matrix-topology.json" \
	-- bash "$OUT/small.sh"
expect_rc 0 "apctl matrix --html on the small host"

# 256 x 256: domains 0x40-0x7f and adapters 0x10-0x1f for vfio_ap; A gets
# 10-1f x 0040-005f, B 10-17 x 0060-006f, C 18-1f x 0060-007f.
cat >"$OUT/max.sh" <<EOF
set -e
a() { "$APCTL" --config-root "$OUT/cfg-max" "\$@"; }
echo -0x40-0x7f >/sys/bus/ap/aqmask
echo -0x10-0x1f >/sys/bus/ap/apmask
a define $U1 -a 0x10-0x1f -d 0x40-0x5f -c 0x40 >/dev/null
a define $U2 -a 0x10-0x17 -d 0x60-0x6f >/dev/null
a define $U3 -a 0x18-0x1f -d 0x70-0x7f >/dev/null
a start $U1
a start $U2
a start $U3
a matrix --html "$OUT/max.html"
EOF
run "$APSIM" exec --preset max -- bash "$OUT/max.sh"
expect_rc 0 "apctl matrix --html on the 256 x 256 host"

# ---- chromium -------------------------------------------------------------------

# Known harmless chromium stderr, ignored:
#  * "/usr/bin/chromium: N: [: ...: unexpected operator": Debian's launcher
#    snippet /etc/chromium.d/dev-shm compares findmnt's output as one
#    number, which fails when /dev/shm is mounted twice (containers).
#  * "ERROR:dbus/..." (bus.cc, object_proxy.cc): no D-Bus system or session
#    bus in a container or on CI; headless rendering does not use it.
#  * "... bytes written to file ...": the screenshot's confirmation.
#  * "Fontconfig" cache warnings, and WARNING/INFO lines in general:
#    advice, not failures.
# Anything else saying ERROR or FATAL, a "Check failed", or a crash fails.
noise='^/usr/bin/chromium: [0-9]+: \[: |:ERROR:(dbus/|bus\.cc|object_proxy\.cc)|bytes written to file'
unknown_errors() { # unknown_errors FILE: chromium's unexplained errors
	grep -Ev "$noise" "$1" |
		grep -E 'ERROR|FATAL|Check failed|Segmentation|[Cc]rash|Trace/breakpoint'
}

# shot NAME: NAME.html -> NAME.png; chromium's stderr in NAME.err.
shot() {
	rm -f "$OUT/$1.png"
	timeout 180 chromium --headless --no-sandbox --disable-gpu \
		--user-data-dir="$OUT/profile" \
		--screenshot="$OUT/$1.png" --window-size=$W,$H \
		"file://$OUT/$1.html" >"$OUT/$1.out" 2>"$OUT/$1.err"
}

# If chromium cannot render a plain page either, it cannot run here.
chromium_runs() {
	printf '<!DOCTYPE html><html><body><h1>plain</h1></body></html>\n' \
		>"$OUT/plain.html"
	shot plain && [ -s "$OUT/plain.png" ]
}

for page in small max; do
	shot $page
	rc=$?
	if [ $rc -ne 0 ] && ! chromium_runs; then
		sed 's/^/#   | /' "$OUT/plain.err" | tail -n 20
		interop_skip "chromium cannot run here (a plain page fails too)"
	fi
	expect_rc 0 "chromium renders $page.html"
	grep -Ev "$noise" "$OUT/$page.err" | sed 's/^/#   chromium: /'
	echo "#   ($(grep -Ec "$noise" "$OUT/$page.err") known harmless lines" \
		"of chromium's stderr not shown)"
	expect_eq "$(unknown_errors "$OUT/$page.err")" "" \
		"$page: chromium's stderr has only the known harmless lines"
	expect_exists "$OUT/$page.png" "$page.png exists"
	expect_eq "$(head -c 8 "$OUT/$page.png" | od -An -tx1 | tr -d ' \n')" \
		89504e470d0a1a0a "$page.png starts with the PNG magic bytes"
done

# The CSS fills: host #ced4da; mdev A hsl(210,62%,46%), B hsl(347,62%,38%),
# C hsl(124,62%,46%) (matrix_render.c: buf_mdev_color).
run python3 "$here/matrix-png-check.py" "$OUT/small.png" $W $H 20 \
	206,212,218:2000:host 45,117,190:1000:mdev-A 157,37,63:1500:mdev-B
printf '%s\n' "$out" | sed 's/^/# /'
expect_rc 0 "small.png: 1200x900, not blank, host and mdev cells drawn"
run python3 "$here/matrix-png-check.py" "$OUT/max.png" $W $H 20 \
	206,212,218:100000:host 45,117,190:3000:mdev-A 157,37,63:1000:mdev-B \
	45,190,55:1000:mdev-C
printf '%s\n' "$out" | sed 's/^/# /'
expect_rc 0 "max.png: 1200x900, not blank, the 256 x 256 grid drawn"

interop_done
