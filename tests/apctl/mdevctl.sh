#!/bin/bash
# SPDX-License-Identifier: MIT
#
# apctl and Debian's mdevctl 1.2.0 share /etc/mdevctl.d/matrix: a
# definition written by apctl is listed and started by mdevctl, and one
# written by mdevctl is listed and started by apctl (apsim exec gives a
# private /etc/mdevctl.d).
#
# Spec: ecosystem.md §2.1, real-tools-abi.md §4.5.
. "$(dirname "$0")/../interop/lib.sh"
interop_enter --mdevctl -- ${APV_APSIM_ARGS:-}

apctl() { "${APCTL:?}" --config-root /etc "$@"; }
U1=22222222-3333-4444-5555-000000000001
U2=22222222-3333-4444-5555-000000000002
MATRIX=/sys/devices/vfio_ap/matrix

aqmask_write -0x47,-0x54

# ---- apctl defines, mdevctl lists and starts ------------------------------

run apctl define $U1 -a 4 -d 0x47 -c 0x47
expect_rc 0 "apctl define $U1"
run mdevctl list -d
expect_rc 0 "mdevctl list -d"
expect_eq "$out" "$U1 matrix vfio_ap-passthrough manual" \
	"mdevctl lists apctl's definition"
run mdevctl start -u $U1
expect_rc 0 "mdevctl start -u $U1"
expect_file $MATRIX/$U1/matrix "04.0047" "mdevctl applied apctl's attrs"
expect_file $MATRIX/$U1/control_domains "0047" "control domain too"
run apctl list
expect_contains "$out" "$U1 defined active" "apctl sees it active"
run mdevctl stop -u $U1
expect_rc 0 "mdevctl stop"
expect_absent $MATRIX/$U1 "stopped"

# ---- byte-identical to mdevctl's own file --------------------------------

run mdevctl define -u $U2 -p matrix -t vfio_ap-passthrough
expect_rc 0 "mdevctl define $U2"
run mdevctl modify -u $U2 --addattr assign_adapter --value 0x4
run mdevctl modify -u $U2 --addattr assign_domain --value 0x47
run mdevctl modify -u $U2 --addattr assign_control_domain --value 0x47
expect_eq "$(cat /etc/mdevctl.d/matrix/$U2)" \
	"$(cat /etc/mdevctl.d/matrix/$U1)" \
	"apctl's file is byte for byte mdevctl's"

# ---- mdevctl defines, apctl lists and starts ------------------------------

run apctl undefine $U1
expect_rc 0 "apctl undefine $U1"
run mdevctl list -d
expect_eq "$out" "$U2 matrix vfio_ap-passthrough manual" \
	"mdevctl no longer lists $U1"
run apctl list
expect_rc 0 "apctl list"
expect_eq "$out" "$U2 defined
  start           manual
  adapters        04
  domains         0047
  control domains 0047" "apctl lists mdevctl's definition"
run apctl start $U2
expect_rc 0 "apctl start $U2"
expect_file $MATRIX/$U2/matrix "04.0047" "apctl applied mdevctl's attrs"
run mdevctl list
expect_rc 0 "mdevctl list"
expect_contains "$out" "$U2 matrix vfio_ap-passthrough" \
	"mdevctl lists the mdev apctl started"
run apctl stop $U2
expect_rc 0 "apctl stop $U2"
run mdevctl undefine -u $U2
expect_rc 0 "mdevctl undefine"
run apctl list
expect_eq "$out" "" "nothing left"

# ---- the name given at define: kept, read past by mdevctl, shown back ------

run apctl define web1 -a 4 -d 0x47
expect_rc 0 "apctl define web1"
W=$out
expect_contains "$(cat /etc/mdevctl.d/matrix/$W)" '"apctl_name": "web1"' \
	"the name is kept in the definition"
run mdevctl list -d
expect_eq "$out" "$W matrix vfio_ap-passthrough manual" \
	"mdevctl lists the named definition unchanged"
run mdevctl start -u $W
expect_rc 0 "mdevctl starts the named definition"
expect_file $MATRIX/$W/matrix "04.0047" "with its attrs"
run apctl list
expect_contains "$out" "$W (web1) defined active" "list shows the name"
run apctl --json list
check "list --json has the name" python3 -c '
import json, sys
assert json.loads(sys.argv[1])[0]["name"] == "web1"' "$out"
run apctl show $W
expect_contains "$out" "mdev $W (web1): defined" "show by UUID shows the name"
run apctl matrix --color never
expect_contains "$out" "mdev $W (web1): " "matrix shows the name"
run apctl --json matrix
check "matrix --json has the name" python3 -c '
import json, sys
assert json.loads(sys.argv[1])["mdevs"][0]["name"] == "web1"' "$out"
PIC=$(mktemp -d)
run apctl matrix --svg "$PIC/m.svg" --html "$PIC/m.html"
expect_contains "$(cat "$PIC/m.svg")" "$W (web1)" "the SVG picture shows the name"
expect_contains "$(cat "$PIC/m.html")" "$W (web1)" "the HTML page shows the name"
rm -rf "$PIC"
run apctl modify web1 -d 0x54
expect_contains "$(cat /etc/mdevctl.d/matrix/$W)" '"apctl_name": "web1"' \
	"modify keeps the name"
run mdevctl stop -u $W
run apctl undefine web1
expect_rc 0 "undefine web1"

interop_done
