#!/bin/bash
# SPDX-License-Identifier: MIT
#
# apctl migrate-check A B: host A runs three mdevs (one over-provisioned
# with adapter 0x50); B is the same machine after changes that block each
# of them (a domain back with the host, an APQN held by another mdev, a
# card of another type and mode, a control domain gone), and edited copies
# of A without APXA or without AP interrupts.  Per mdev "ok" or the
# blockers naming the APQN; exit 0 / 3 / 1.
#
# Spec: vfio-ap-semantics.md §1.1, §1.6, §2.3, §4.1, §4.3.
. "$(dirname "$0")/../interop/lib.sh"
interop_enter -- ${APV_APSIM_ARGS:-}

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
apctl() { "${APCTL:?}" --config-root "$TMP/cfg" "$@"; }
golden() { expect_golden "migrate-$1" "${2//$TMP/TMP}" "$3"; }
# edit FILE PYTHON-STATEMENT OUT: a changed copy of a host --json file
edit() {
	python3 -c 'import json, sys
h = json.load(open(sys.argv[1]))
exec(sys.argv[2])
json.dump(h, open(sys.argv[3], "w"), indent=2)' "$@"
}

run apctl reserve -a 5,0x50 -d 0x47,0x54
expect_rc 0 "reserve adapters 05, 50 and domains 0047, 0054 for vfio"
for g in "g1 -a 4 -d 0x47 -c 0x47" "g2 -a 5 -d 0x54 -c 0x54" \
	"g3 -a 0x50 -d 0x47"; do
	run apctl define $g
	eval "${g%% *}=$out"
	run apctl start $out
	expect_rc 0 "start ${g%% *}"
done

run apctl host --json
expect_rc 0 "apctl host --json"
printf '%s\n' "$out" >$TMP/A.json
check "host --json has the new keys" python3 -c 'import json, sys
h = json.load(open(sys.argv[1]))
assert set(h["bus"]) == {"ap_interrupts", "max_adapter_id", "max_domain_id", "features"}
assert [c["id"] for c in h["cards"]] == [4, 5]
assert h["cards"][0]["mode"] == "accel" and h["cards"][1]["mode"] == "cca"
assert sorted(m["uuid"] for m in h["mdevs"]) == sorted(sys.argv[2:])
' $TMP/A.json $g1 $g2 $g3

run apctl migrate-check $TMP/A.json $TMP/A.json
expect_rc 0 "A to itself: every mdev can move"
golden self "$out" "three times ok"

# ---- B: the same machine, changed ---------------------------------------------

for u in $g1 $g2 $g3; do run apctl stop $u; done
run apctl reserve -a 5 -d 0x54 --for host
expect_rc 0 "05.0054 back to the host on B"
run apctl define other -a 4 -d 0x47
OTHER=$out
run apctl start $OTHER
expect_rc 0 "another mdev holds 04.0047 on B"
run "$APSIM" ctl control-domain remove 47
expect_rc 0 "control domain 0x47 leaves B's configuration"
apctl host --json >$TMP/B.json

run apctl migrate-check $TMP/A.json $TMP/B.json
expect_rc 3 "A to B: blocked, exit status 3"
golden blocked "${out//$OTHER/OTHER}" "each blocker names the APQN"
run apctl --json migrate-check $TMP/A.json $TMP/B.json
expect_rc 3 "the same with --json"
golden blocked.json "${out//$OTHER/OTHER}" "blockers as JSON"

# ---- edited copies of A: no APXA, no interrupts -----------------------------------

edit $TMP/A.json 'h["bus"]["max_adapter_id"] = 63' $TMP/noapxa.json
run apctl migrate-check $TMP/A.json $TMP/noapxa.json
expect_rc 3 "no APXA on the target"
golden noapxa "$out" "only the mdev with adapter 0x50 is blocked"
edit $TMP/A.json 'h["cards"][1].update(hwtype=13, mode="accel", functions="0x08000000")' $TMP/cex7.json
run apctl migrate-check $TMP/A.json $TMP/cex7.json
expect_rc 3 "card 05 is a CEX7 accelerator on the target"
golden cex7 "$out" "type, mode and functions of adapter 05"
edit $TMP/A.json 'h["bus"]["ap_interrupts"] = False' $TMP/noirq.json
run apctl --json migrate-check $TMP/A.json $TMP/noirq.json
expect_rc 3 "no AP interrupts on the target"
check "every mdev is blocked by interrupts" python3 -c 'import json, sys
r = json.loads(sys.argv[1])
assert not r["ok"]
for m in r["mdevs"]:
    assert [b["rule"] for b in m["blockers"]] == ["interrupts"], m
' "$out"
edit $TMP/A.json 'h["mdevs"] = []' $TMP/none.json
run apctl migrate-check $TMP/none.json $TMP/B.json
expect_rc 0 "no mdevs on A"
expect_eq "${out//$TMP/TMP}" "no active mdevs on TMP/none.json" "nothing to move"

# ---- unreadable input ------------------------------------------------------------

run apctl migrate-check $TMP/nope.json $TMP/B.json
expect_rc 1 "a missing file"
expect_eq "${err//$TMP/TMP}" \
	"apctl: TMP/nope.json: unable to open TMP/nope.json: No such file or directory" \
	"the missing file is named"
printf '{"queues": [' >$TMP/cut.json
run apctl migrate-check $TMP/A.json $TMP/cut.json
expect_rc 1 "truncated JSON"
expect_eq "${err//$TMP/TMP}" \
	"apctl: TMP/cut.json: line 1, column 12: ']' expected near end of file" \
	"line and column"
echo '{"queues": []}' >$TMP/old.json
run apctl --json migrate-check $TMP/old.json $TMP/B.json
expect_rc 1 "not host --json output"
check "JSON error" json_eq "${out//$TMP/TMP}" \
	'{"error":"TMP/old.json: no queues, cards, mdevs or bus (not written by apctl host --json?)","errno":"EINVAL","rule":null,"apqn":null,"owner":null}'

interop_done
