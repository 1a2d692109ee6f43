#!/bin/bash
# SPDX-License-Identifier: MIT
#
# apctl validate: every rule of src/apctl/rules.h over the definitions and the
# running host, and over an apply file; text and --json goldens (the
# same for 6.1 and 6.12); exit 0 with
# warnings only, 3 with errors, 1 when it cannot validate, 2 on usage.
#
# Spec: vfio-ap-semantics.md §2.3 (EADDRNOTAVAIL, EADDRINUSE), §3.2;
# ecosystem.md §1.1 (validate before committing, autostart clashes).
. "$(dirname "$0")/../interop/lib.sh"
interop_enter -- ${APV_APSIM_ARGS:-}

CFG=$(mktemp -d)
trap 'rm -rf "$CFG"' EXIT
apctl() { "${APCTL:?}" --config-root "$CFG" "$@"; }
DEFS=$CFG/mdevctl.d/matrix

aqmask_write -0x47,-0x54

run apctl validate
expect_rc 0 "validate with no definitions"
expect_eq "$out" "definitions: 0 mdevs, 0 errors, 0 warnings" "nothing to say"

run apctl define g1 -a 4-5 -d 0x47 -c 0x47 --autostart
G1=$out
run apctl define g2 -a 5 -d 4,0x47 -c 0x47 --autostart
G2=$out
run apctl define g3 -a 6 -d 0x54
G3=$out
run apctl define g4 -a 4
G4=$out
run apctl define g5 -a 4 -d 0x54 -c 0x47
G5=$out
run apctl start "$G5"
expect_rc 0 "start g5 (04.0054)"
run apctl define g6 -a 4 -d 0x54
G6=$out
printf '{"mdev_type":"vfio_ap-passthrough","start":"manual","attrs":[{"assign_adapter":"4,5"}]}' \
	>"$DEFS/11111111-2222-3333-4444-000000000001"
printf '{"mdev_type":"other-type","start":"auto","attrs":[]}' \
	>"$DEFS/11111111-2222-3333-4444-000000000002"
printf 'not json' >"$DEFS/11111111-2222-3333-4444-000000000003"
before=$(cd "$DEFS" && md5sum -- * | sort)

run apctl validate
expect_rc 3 "validate: errors found"
expect_golden validate "$out" "validate: every finding, one per line"
expect_eq "$err" "" "findings are the output, not an error message"
expect_contains "$out" "error apqn-host-reserved: mdev $G2: APQN 05.0004 is reserved for the host (apmask/aqmask)" \
	"host reservation (EADDRNOTAVAIL) named"
expect_contains "$out" "error apqn-shared-autostart: mdev $G2: APQN 05.0047 is also in definition $G1 (clash between autostart definitions)" \
	"autostart clash named with the other definition"
expect_contains "$out" "error apqn-in-use: mdev $G6: APQN 04.0054 is also in mdev $G5 (running)" \
	"a definition against a running mdev (EADDRINUSE)"
expect_contains "$out" "warning no-queues: mdev $G4: no domains" "no domains"
expect_contains "$out" "warning not-in-configuration: mdev $G3: adapter 06" \
	"adapter not in the configuration"
expect_contains "$out" "warning control-domain-shared: mdev $G2: control domain 0047 is also given to mdev $G1" \
	"shared control domain is a warning"
expect_contains "$out" "error invalid-attribute:" "invalid assign_* value"
expect_contains "$out" "error unknown-mdev-type:" "unknown type"
expect_contains "$out" "error invalid-definition:" "unreadable definition"
run apctl --json validate
expect_rc 3 "validate --json: errors found"
expect_golden validate.json "$out" "validate --json"
check "--json: ok false, every finding has the six keys" python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["ok"] is False
assert all(set(f) == {"severity", "rule", "mdev", "apqn", "owner", "message"}
           for f in d["findings"])
assert sum(f["severity"] == "error" for f in d["findings"]) == 6
' "$out"
expect_eq "$(cd "$DEFS" && md5sum -- * | sort)" "$before" \
	"validate changes no definition"

# Warnings only: exit 0.
rm -f "$DEFS"/*
run apctl define g4 -a 4
run apctl validate
expect_rc 0 "warnings only"
expect_eq "$out" "warning no-queues: mdev $G4: no domains: the guest gets no queue
definitions: 1 mdev, 0 errors, 1 warning" "warnings only: text"

# ---- validate FILE (the apply format) ----------------------------------------

cat >"$CFG/want.json" <<'JSON'
{"mdevs": [
  {"name": "a", "adapters": "4-5", "domains": "0x47", "active": true},
  {"name": "b", "adapters": [5], "domains": [71], "active": true},
  {"name": "c", "adapters": "5", "domains": "0x47", "autostart": true},
  {"name": "d", "adapters": "5", "domains": "0x47", "autostart": true},
  {"name": "a", "adapters": "4", "domains": "0x54"}
]}
JSON
cd "$CFG" || exit 1
run apctl validate want.json
expect_rc 3 "validate FILE: errors"
expect_golden validate-file "$out" "validate FILE"
expect_contains "$out" "(both active)" "two active mdevs of the file share an APQN"
expect_contains "$out" "error duplicate-mdev:" "a name twice"

printf '{"mdevs": [{"name": "a", "adapters": "4-3"}]}' >"$CFG/bad.json"
run apctl validate "$CFG/bad.json"
expect_rc 1 "a bad file cannot be validated"
expect_eq "$err" "apctl: '$CFG/bad.json': mdevs[0].adapters: adapters '4-3': empty range" \
	"the bad value is named"
printf '{"mdevs": [{"name": "a", "adaptors": "4"}]}' >"$CFG/bad.json"
run apctl --json validate "$CFG/bad.json"
expect_rc 1 "unknown key"
check "unknown key as JSON" json_eq "$out" \
	'{"error":"'"'$CFG/bad.json'"': mdevs[0]: unknown key '"'adaptors'"'",
	"errno":"EINVAL","rule":null,"apqn":null,"owner":null}'
run apctl validate "$CFG/none.json"
expect_rc 1 "a missing file"
run apctl validate a b
expect_rc 2 "two operands"

interop_done
