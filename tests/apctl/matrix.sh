#!/bin/bash
# SPDX-License-Identifier: MIT
#
# apctl matrix on a fixed host (tests/data/apctl/matrix-topology.json: CEX8
# 04 and 05, CEX7 06 in standby; domain 0x04 the host's, 0x47 and 0x54
# vfio_ap's) with two mdevs: A = 04-05 x 0047, whose adapter 05 is
# filtered out of the guest once 05.0047 is unbound from vfio_ap, and
# B = 04,06,07 x 0054, over-provisioned with adapter 07 (no such card).
# Golden files (text, --json, SVG, HTML) per kernel; the SVG must be
# well-formed XML with a tooltip per cell and no external resource, the
# files are written atomically, colour follows --color/NO_COLOR.
#
# Spec: vfio-ap-semantics.md §2.3-§2.5, §3.2; ecosystem.md §1.
. "$(dirname "$0")/../interop/lib.sh"
interop_enter -- ${APV_APSIM_ARGS:-}

TAG=${APV_GOLDEN_TAG:?}
CFG=$(mktemp -d)
OUT=$(mktemp -d)
trap 'rm -rf "$CFG" "$OUT"' EXIT
apctl() { "${APCTL:?}" --config-root "$CFG" "$@"; }
golden() { expect_golden "$1-$TAG" "$2" "$3"; }

U1=11111111-2222-3333-4444-000000000001
U2=11111111-2222-3333-4444-000000000002

# xml_ok FILE: FILE parses as XML.
xml_ok() {
	python3 -c 'import sys, xml.dom.minidom
xml.dom.minidom.parse(sys.argv[1])' "$1"
}

# ---- a host without mdevs --------------------------------------------------

run apctl matrix
expect_rc 0 "apctl matrix (no mdevs)"
expect_contains "$out" "(no mdevs)" "says there are no mdevs"
expect_match "$out" '^  04  H +\. +\.$' "row 04: the host's 0004, free 0047 0054"

# ---- two mdevs, one with a filtered adapter -----------------------------------

run apctl define $U1 -a 4-5 -d 0x47 -c 0x47
expect_rc 0 "define A"
run apctl define $U2 -a 4,6,7 -d 0x54 -c 0x54
expect_rc 0 "define B"
run apctl start $U1
expect_rc 0 "start A"
run apctl start $U2
expect_rc 0 "start B"
printf '05.0047\n' >/sys/bus/ap/drivers/vfio_ap/unbind
expect_file $MATRIX/$U1/guest_matrix "04.0047" \
	"A's adapter 05 is filtered (05.0047 unbound)"

run apctl matrix
expect_rc 0 "apctl matrix"
golden matrix "$out" "apctl matrix (text)"
expect_lacks "$out" $'\033' "no colour when stdout is not a terminal"
run apctl matrix --color never
golden matrix "$out" "--color never: the same text"

run apctl matrix --color always
expect_rc 0 "--color always"
expect_contains "$out" $'\033[1;38;5;33mA\033[0m' "A in its colour"
expect_contains "$out" $'\033[4;38;5;33mA!\033[0m' "filtered: A underlined"
expect_contains "$out" $'\033[2mH\033[0m' "host cells dim"
expect_eq "$(printf '%s\n' "$out" | sed 's/\x1b\[[0-9;]*m//g')" \
	"$(cat "$APV_INTEROP_DATA/matrix-$TAG")" \
	"--color always is the text with ANSI codes added"
run env NO_COLOR=1 "$APCTL" --config-root "$CFG" matrix --color always
expect_contains "$out" $'\033[' "--color always wins over NO_COLOR"
if command -v script >/dev/null; then
	# auto on a terminal: coloured, unless NO_COLOR is set.
	tty_out=$(script -qec "$APCTL matrix" /dev/null </dev/null)
	expect_contains "$tty_out" $'\033[' "--color auto on a terminal: colour"
	tty_out=$(NO_COLOR=1 script -qec "$APCTL matrix" /dev/null </dev/null)
	expect_lacks "$tty_out" $'\033[' "--color auto with NO_COLOR: none"
fi
run apctl matrix --color sometimes
expect_rc 2 "--color sometimes"
expect_eq "$err" \
	"apctl: '--color sometimes': expected auto, always or never" \
	"a bad --color is named"
run apctl matrix --adapters 4
expect_rc 2 "--adapters does not apply"

# ---- --json ---------------------------------------------------------------------

run apctl --json matrix
expect_rc 0 "apctl --json matrix"
golden matrix.json "$out" "apctl --json matrix"
cell() { # cell APQN KEY: a cell's field
	printf '%s' "$out" | python3 -c 'import json, sys
c = {c["apqn"]: c for c in json.load(sys.stdin)["cells"]}[sys.argv[1]]
print(c[sys.argv[2]])' "$1" "$2"
}
expect_eq "$(cell 05.0047 owner) $(cell 05.0047 state)" "$U1 filtered" \
	"05.0047: A's, filtered"
expect_eq "$(cell 04.0047 owner) $(cell 04.0047 state)" "$U1 assigned" \
	"04.0047: A's, in the guest"
expect_eq "$(cell 04.0004 owner) $(cell 04.0004 driver)" "host cex4queue" \
	"04.0004: the host's"
expect_eq "$(cell 05.0054 owner) $(cell 05.0054 state)" "vfio_ap free" \
	"05.0054: free for vfio_ap"
expect_eq "$(cell 07.0054 owner) $(cell 07.0054 state) $(cell 07.0054 driver)" \
	"$U2 filtered None" "07.0054: B's, no such queue"
expect_eq "$(cell 07.0004 owner) $(cell 07.0004 state)" "None absent" \
	"07.0004: no queue, no owner"
expect_eq "$(printf '%s' "$out" | python3 -c 'import json, sys
j = json.load(sys.stdin)
print(len(j["cells"]), len(j["adapters"]) * len(j["domains"]),
      [m["label"] for m in j["mdevs"]])')" "12 12 ['A', 'B']" \
	"a cell per adapter x domain; mdevs A and B"

# ---- --svg / --html -----------------------------------------------------------------

run apctl matrix --svg "$OUT/m.svg" --html "$OUT/m.html"
expect_rc 0 "apctl matrix --svg --html"
expect_eq "$out$err" "" "writing the pictures prints nothing"
golden matrix.svg "$(cat "$OUT/m.svg")" "the SVG"
golden matrix.html "$(cat "$OUT/m.html")" "the HTML"
check "the SVG is well-formed XML" xml_ok "$OUT/m.svg"
sed -n '/<svg /,/<\/svg>/p' "$OUT/m.html" >"$OUT/inner.svg"
check "the SVG inside the HTML is well-formed XML" xml_ok "$OUT/inner.svg"
expect_eq "$(grep -c '^<g><title>APQN ' "$OUT/m.svg")" 12 \
	"a tooltip for each of the 12 cells"
expect_contains "$(cat "$OUT/m.svg")" "<title>APQN 05.0047
driver: (none)
mdev: A $U1
state: filtered" "05.0047's tooltip: APQN, driver, mdev, state"
for f in m.svg m.html; do
	expect_eq "$(grep -Eci '<script|<link|<img|src=|href="?(https?:|//)|@import|url\((["'"'"']?)(https?:|//)' \
		"$OUT/$f")" 0 "$f: no script, no external resource"
done
expect_eq "$(grep -c "<td class=\"id\">$U1</td>" "$OUT/m.html")" 1 \
	"the HTML's table lists A"
expect_eq "$(stat -c %a "$OUT/m.svg")" "$(printf '%o' $((0666 & ~$(umask))))" \
	"the file's mode follows the umask"
expect_eq "$(find "$OUT" -name '.*' | wc -l)" 0 "no temporary file left"

# Atomic: a failed write leaves what was there.
mkdir "$OUT/dir.svg"
run apctl matrix --svg "$OUT/dir.svg"
expect_rc 1 "--svg onto a directory"
expect_eq "$err" "apctl: '$OUT/dir.svg': cannot write the SVG: Is a directory" \
	"the file is named"
check "the directory is untouched" test -d "$OUT/dir.svg"
expect_eq "$(find "$OUT" -name '.*' | wc -l)" 0 \
	"no temporary file left after a failed write"
run apctl matrix --html /nonexistent/m.html
expect_rc 1 "--html into a missing directory"
expect_eq "$err" \
	"apctl: '/nonexistent/m.html': cannot write the HTML: No such file or directory" \
	"the missing directory's file is named"
cp "$OUT/m.svg" "$OUT/old.svg"
run apctl --json matrix --svg "$OUT/m.svg"
expect_rc 0 "--json with --svg"
golden matrix.json "$out" "--json with --svg: the same JSON"
check "the same picture rewritten" cmp -s "$OUT/m.svg" "$OUT/old.svg"

# ---- read-only: no lock, nothing changed ------------------------------------

run apctl --run-root /nonexistent matrix
expect_rc 0 "matrix takes no lock"
expect_file $MATRIX/$U1/matrix "04.0047
05.0047" "A's matrix unchanged"
expect_eq "$(ls "$CFG/mdevctl.d/matrix")" "$U1
$U2" "the definitions unchanged"

interop_done
