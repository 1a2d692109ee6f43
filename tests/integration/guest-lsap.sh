#!/bin/sh
# SPDX-License-Identifier: MIT
# `apsim guest ... lsap`: the guest's AP bus for different CPU models,
# against goldens in tests/data/guest/lsap-*.txt.  The mdev holds
# adapters 04 (CEX8A) and 05 (CEX8C) with domains 04 and 47: without QCI
# only APQI < 16 is found (04.0004, 05.0004), without APFT no card is
# usable, without AP the scan fails.
. "$(dirname "$0")/lib.sh"
it_enter --workers 0 "$@"
. "$(dirname "$0")/guest-lib.sh"

host_give "04 05" "04 47"
mdev_make $U "04 05" "04 47"
out=$(mktemp)

# lsap_case NAME CPU MSG
lsap_case() {
	"$APSIM" guest --mdev $U --cpu "$2" lsap >"$out" 2>&1
	expect_eq "$?" 0 "lsap --cpu $2 succeeds"
	expect_golden "lsap-$1.txt" "$out" "$3"
}

lsap_case all ap,apqci,apft,apqi,msa3 "all features: both cards, both domains"
lsap_case noqci ap,apft,apqi,msa3 "no apqci: only APQI < 16"
lsap_case noapft ap,apqci,apqi,msa3 "no apft: no usable cards"
lsap_case format0 ap "only ap: format 0, no QCI, no APFT"

"$APSIM" guest --mdev $U --json lsap >"$out" 2>&1
expect_eq "$?" 0 "lsap --json succeeds"
expect_golden lsap-all.json "$out" "lsap --json"
expect_eq "$(jq -r '.queues | length' "$out")" 4 "four queues in the JSON"

"$APSIM" guest --mdev $U --cpu msa3 lsap >"$out" 2>&1
expect_eq "$?" 1 "lsap without the ap facility fails"
expect_eq "$(grep -c 'not supported' "$out")" 1 "and says why"

# a configured-off adapter shows as offline
"$APSIM" ctl adapter 05 config off >/dev/null
"$APSIM" guest --mdev $U lsap >"$out" 2>&1
expect_golden lsap-config-off.txt "$out" "adapter 05 configured off: offline"
rm -f "$out"
it_done
