#!/bin/bash
# SPDX-License-Identifier: MIT
#
# apctl export / import: definitions as `mdevctl list -d --dumpjson` and as
# libvirt node-device XML.  export -> import into an empty config root ->
# export is identical; Debian's mdevctl 1.2.0 reads apctl's export and
# apctl imports mdevctl's own dumpjson byte for byte; a hand-written libvirt
# XML imports; malformed input is refused naming the place, with nothing
# written.
#
# Spec: ecosystem.md §2.1, §2.2.
. "$(dirname "$0")/../interop/lib.sh"
interop_enter --mdevctl -- ${APV_APSIM_ARGS:-}

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
A=$TMP/a B=$TMP/b C=$TMP/c D=$TMP/d E=$TMP/e
mkdir -p $A $B $C $D $E
ac() { local root=$1; shift; "${APCTL:?}" --config-root "$root" "$@"; }
golden() { expect_golden "export-$1" "${2//$TMP/TMP}" "$3"; }
# The definitions under a config root: names and contents.
tree() { (cd "$1" && find . -type f | sort | xargs -r tail -n +1); }

U1=11111111-2222-3333-4444-000000000001
H1=33333333-4444-5555-6666-000000000001
H2=33333333-4444-5555-6666-000000000002

# ---- export -----------------------------------------------------------------

run ac $A export
expect_rc 0 "export with no definitions"
expect_eq "$out" "[]" "no definitions: an empty array"
run ac $A define $U1 -a 4-5 -d 0x47 -c 0x47
run ac $A define guest2 -a 4 -d 0x54 --autostart
G2=$out
run ac $A export
expect_rc 0 "export (mdevctl)"
golden mdevctl.json "$out" "mdevctl list -d --dumpjson form"
ac $A export >$TMP/all.json
run ac $A export --format libvirt
expect_rc 0 "export --format libvirt"
golden libvirt.xml "$out" "libvirt node-device XML"
ac $A export -f libvirt >$TMP/all.xml
run ac $A export guest2 --format mdevctl
expect_rc 0 "export one definition by name"
golden guest2.json "$out" "one definition"
run ac $A export guest2 -o $TMP/g2.json
expect_rc 0 "export -o FILE"
expect_eq "$out" "" "-o: nothing on stdout"
expect_eq "$(cat $TMP/g2.json)" "$(ac $A export guest2)" "-o writes the same"
expect_eq "$(ls -a $TMP | grep -c '^\.g2')" 0 "no temporary file left"
run ac $A --json export $U1 -f libvirt
expect_rc 0 "export --json"
check "export --json carries the document" json_eq "$out" \
	"$(python3 -c 'import json,sys; print(json.dumps({"format":"libvirt","uuids":[sys.argv[1]],"output":None,"document":sys.argv[2]+"\n"}))' $U1 "$(ac $A export $U1 -f libvirt)")"
run ac $A export nosuch
expect_rc 1 "export of an undefined name"
expect_contains "$err" ": not defined" "the undefined mdev is named"

# ---- round trips ----------------------------------------------------------------

run ac $B import $TMP/all.json
expect_rc 0 "import the mdevctl export into an empty root"
expect_eq "$out" "$U1 created
$G2 created" "both created"
expect_eq "$(ac $B export)" "$(cat $TMP/all.json)" \
	"export -> import -> export is identical (mdevctl)"
expect_eq "$(tree $B)" "$(tree $A)" "the definition files are byte-identical"
run ac $B import $TMP/all.json
expect_rc 0 "import again"
expect_eq "$out" "$U1 unchanged
$G2 unchanged" "identical definitions are left alone"

run ac $C import --format libvirt $TMP/all.xml
expect_rc 0 "import the libvirt export into an empty root"
expect_eq "$(ac $C export --format libvirt)" "$(cat $TMP/all.xml)" \
	"export -> import -> export is identical (libvirt)"
run ac $C --json import $TMP/all.xml
expect_rc 0 "import libvirt again (format detected)"
check "import --json" json_eq "$out" \
	'{"format":"libvirt","imported":[{"uuid":"'$U1'","action":"unchanged"},{"uuid":"'$G2'","action":"unchanged"}]}'
run ac $A import $TMP/all.xml
expect_rc 0 "libvirt XML has no start mode: guest2 stays auto"
expect_eq "$(tree $A)" "$(tree $B)" "nothing changed"

run ac $D import $(dirname "$0")/../data/apctl/export-hand.xml
expect_rc 0 "import a hand-written libvirt XML"
expect_eq "$out" "$H1 created
$H2 created" "UUIDs from <uuid> and from <name>"
golden hand.json "$(ac $D export)" "the hand-written XML as definitions"

# ---- Debian's mdevctl ---------------------------------------------------------

run mdevctl define -u $U1 -p matrix --jsonfile \
	$A/mdevctl.d/matrix/$U1
expect_rc 0 "mdevctl define from apctl's definition"
run mdevctl define -u $G2 -p matrix -t vfio_ap-passthrough --auto
run mdevctl modify -u $G2 --addattr assign_adapter --value 0x4
run mdevctl modify -u $G2 --addattr assign_domain --value 0x54
run mdevctl list -d --dumpjson
expect_rc 0 "mdevctl list -d --dumpjson"
printf '%s\n' "$out" >$TMP/mdevctl.json
# apctl keeps the name given at define ("apctl_name", which mdevctl reads
# past and does not show); apart from it, byte for byte.
expect_contains "$(cat $TMP/all.json)" '"apctl_name": "guest2"' \
	"the export carries guest2's name"
expect_eq "$(cat $TMP/mdevctl.json)" \
	"$(python3 -c 'import re, sys
print(re.sub(r",\n *\"apctl_name\": \"[^\"]*\"", "", open(sys.argv[1]).read()), end="")' \
		$TMP/all.json)" \
	"apctl export is byte for byte mdevctl list -d --dumpjson (but the name)"
run ac $E import $TMP/mdevctl.json
expect_rc 0 "import mdevctl's own dumpjson"
expect_eq "$(tree $E/mdevctl.d/matrix)" "$(tree /etc/mdevctl.d/matrix)" \
	"the imported files are mdevctl's, byte for byte"

# ---- refused input: the place is named, nothing is written ---------------------------

EMPTY=$TMP/empty
mkdir -p $EMPTY
bad() { # bad NAME FORMAT CONTENT EXPECTED-ERROR
	printf '%s' "$3" >$TMP/$1
	run ac $EMPTY import --format $2 $TMP/$1
	expect_rc 1 "import $1"
	expect_eq "${err//$TMP/TMP}" "apctl: TMP/$1: $4" "$1: the error names the place"
	expect_absent $EMPTY/mdevctl.d/matrix/$U1 "$1: nothing written"
}
DEF='{"mdev_type":"vfio_ap-passthrough","start":"manual","attrs":[{"assign_adapter":"4"}]}'
bad syntax.json mdevctl '[{"matrix":[{"'$U1'":'"$DEF"'}]' \
	"line 1, column 139: '}' expected near end of file"
bad notarray.json mdevctl '{"matrix":[]}' \
	"not an array (mdevctl list --dumpjson)"
bad parent.json mdevctl '[{"css":[{"'$U1'":'"$DEF"'}]}]' \
	"[0].css: parent is not matrix"
bad uuid.json mdevctl '[{"matrix":[{"guest1":'"$DEF"'}]}]' \
	"[0].matrix[0]: 'guest1' is not a UUID"
bad key.json mdevctl '[{"matrix":[{"'$U1'":{"mdev_type":"vfio_ap-passthrough","autostart":true}}]}]' \
	"[0].matrix[0].autostart: unknown key"
bad type.json mdevctl '[{"matrix":[{"'$U1'":{"mdev_type":"vfio_ccw-io"}}]}]' \
	"[0].matrix[0]: type 'vfio_ccw-io' is not vfio_ap-passthrough"
bad attr.json mdevctl '[{"matrix":[{"'$U1'":{"mdev_type":"vfio_ap-passthrough","attrs":[{"assign_adapter":"4"},{"frob":"1"}]}}]}]' \
	"[0].matrix[0].attrs[1]: 'frob' is not a vfio_ap attribute"
bad value.json mdevctl '[{"matrix":[{"'$U1'":{"mdev_type":"vfio_ap-passthrough","attrs":[{"assign_adapter":4}]}}]}]' \
	"[0].matrix[0].attrs[0].assign_adapter: not a string"
printf '%s' '[{"matrix":[{"'$U1'":'"$DEF"'},{"'$U1'":'"$DEF"'}]}]' >$TMP/dup.json
run ac $EMPTY import $TMP/dup.json
expect_rc 1 "import dup.json"
expect_eq "$err" "apctl: mdev $U1: given twice" "a UUID given twice"
XDEV="<device><name>mdev_${U1//-/_}_matrix</name><parent>ap_matrix</parent><capability type='mdev'><type id='vfio_ap-passthrough'/><uuid>$U1</uuid><attr name='assign_adapter' value='4'/></capability></device>"
bad open.xml libvirt "<device><name>x</name>" "byte 22: unterminated element"
bad end.xml libvirt "<device><name>x</nam></device>" \
	"byte 17: end tag does not match"
bad doctype.xml libvirt '<!DOCTYPE device><device/>' "byte 0: unsupported markup"
bad cdata.xml libvirt '<device><name><![CDATA[x]]></name></device>' \
	"byte 14: unsupported markup"
bad entity.xml libvirt "<device a='&foo;'/>" "byte 11: unknown entity reference"
bad attrdup.xml libvirt "<device a='1' a='2'/>" "byte 14: duplicate attribute"
bad elem.xml libvirt "${XDEV/<parent>/<frob/>
<parent>}" "byte 69: <frob>: unknown element"
bad capattr.xml libvirt "${XDEV/assign_adapter/frob}" \
	"byte 200: <attr>: not a vfio_ap attribute"
bad nouuid.xml libvirt "<device><capability type='mdev'><type id='vfio_ap-passthrough'/></capability></device>" \
	"byte 0: <device>: no <uuid> and no mdev_<uuid> name"
bad two.xml libvirt "$XDEV
<device><uuid>x</uuid></device>" "byte 270: <uuid>: unknown element"
expect_eq "$(find $EMPTY -type f | wc -l)" 0 "no refused import wrote a file"

# A definition that exists and differs is refused; the others are not written.
run ac $A define $H2 -a 6
run ac $A --json import $(dirname "$0")/../data/apctl/export-hand.xml
expect_rc 1 "import over a different definition"
check "EEXIST names the mdev" json_eq "$out" \
	'{"error":"mdev '$H2': already defined differently (undefine it first)","errno":"EEXIST","rule":null,"apqn":null,"owner":null}'
expect_absent $A/mdevctl.d/matrix/$H1 "the other definition was not written"

interop_done
