#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Debian trixie's mdevctl 1.4 (amd64, through sid's glibc: scripts/mdevctl14.sh)
# against apsim's tree through mdevctl's own root hook, MDEVCTL_ENV_ROOT
# (issue 10 item 4; spec ci-integration.md §2, §5): no namespace at all, an
# unprivileged user.  `apsim run --root DIR` lays out the fake root, the
# user reserves adapter 05 and domain 0x47 for vfio_ap by writing
# DIR/sys/bus/ap/{apmask,aqmask}, and mdevctl runs one mdev through its
# life: types, define, modify --addattr, list -d, start, list, stop,
# undefine.  After each step: the definition file under DIR/etc/mdevctl.d
# (never /etc), mdevctl's listings, the mdev in DIR/sys and the model's
# state (`apsim ctl state` through APSIM_SOCKET from `apsim env DIR`).
#
# Started as root (CI), the script re-runs itself as nobody (setpriv);
# started as a user, it runs as that user.  Exit 77 only without /dev/fuse
# or when Debian's archive has no mdevctl 1.4 (scripts/mdevctl14.sh wrote
# $APV_MDEVCTL14.unavailable); mdevctl 1.4 not fetched yet is a failure
# (`scripts/deps.sh interop` fetches it).  Checks: tests/interop/lib.sh.
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"

APV_MDEVCTL14=${APV_MDEVCTL14:-/var/cache/apvirt/mdevctl-1.4}
export APV_MDEVCTL14

[ -c /dev/fuse ] || interop_skip "no /dev/fuse"
[ -x "${APSIM:-}" ] || interop_error "APSIM='${APSIM:-}' is not an executable"
if [ -f "$APV_MDEVCTL14.unavailable" ]; then
	interop_skip "mdevctl 1.4 cannot be obtained from Debian's archive:" \
		"$(cat "$APV_MDEVCTL14.unavailable")"
fi
[ -x "$APV_MDEVCTL14/mdevctl" ] ||
	interop_error "no mdevctl 1.4 in $APV_MDEVCTL14: run" \
		"'scripts/deps.sh interop' (scripts/mdevctl14.sh)"
command -v fusermount3 >/dev/null ||
	interop_error "fusermount3 missing (package fuse3)"

if [ "$(id -u)" -eq 0 ]; then
	# A tree nobody cannot enter (a CI clone in a 0700 directory): the
	# user runs copies of the tests and of apsim (tests/user_reach.sh),
	# removed by the user's run (APV_REACH_DIR).
	if ! setpriv --reuid=65534 --regid=65534 --clear-groups \
		test -r "$0" 2>/dev/null; then
		APV_REACH_DIR=$(mktemp -d /tmp/apv-mdevctl14.XXXXXX)
		chmod 0755 "$APV_REACH_DIR"
		cp -r "$(dirname "$0")" "$APV_REACH_DIR/interop"
		chmod -R a+rX "$APV_REACH_DIR"
		# shellcheck source=tests/user_reach.sh
		. "$(dirname "$0")/../user_reach.sh"
		apv_user_reach "$APV_REACH_DIR" APSIM
		chown -R 65534:65534 "$APV_REACH_DIR"
		export APV_REACH_DIR
		set -- "$APV_REACH_DIR/interop/${0##*/}" "$@"
	else
		set -- "$0" "$@"
	fi
	echo "# as nobody: setpriv --reuid=65534 --regid=65534 --clear-groups"
	exec setpriv --reuid=65534 --regid=65534 --clear-groups \
		env HOME=/tmp bash "$@"
fi

# (SC2317: shellcheck takes the code after the exec above for unreachable)
# shellcheck disable=SC2317
mdevctl() { "$APV_MDEVCTL14/mdevctl" "$@"; }

U=7d1c5c3a-6e4b-4a3f-9a51-5e2a1d0c1400
TYPE_NAME="VFIO AP Passthrough Device"

W=$(mktemp -d /tmp/apsim-mdevctl14.XXXXXX)
R=$W/root
apid=
# shellcheck disable=SC2317
cleanup() {
	[ -z "$apid" ] || kill -TERM "$apid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$W"
	[ -z "${APV_REACH_DIR:-}" ] || rm -rf "$APV_REACH_DIR"
}
trap cleanup EXIT

# $out, $err: set by lib.sh's run
# shellcheck disable=SC2154

# ---- the fake root ----------------------------------------------------------

# shellcheck disable=SC2086 # APV_APSIM_ARGS: options, split on purpose
"$APSIM" run --root "$R" ${APV_APSIM_ARGS:-} >/dev/null 2>"$W/run.err" &
apid=$!
i=0
while [ ! -e "$R/sys/bus/ap/bindings" ] && [ $i -lt 200 ]; do
	sleep 0.05
	i=$((i + 1))
done
[ -e "$R/sys/bus/ap/bindings" ] ||
	interop_error "apsim run --root did not come up: $(cat "$W/run.err")"
expect_eq "$(grep -c " $R/sys fuse" /proc/mounts)" 1 \
	"apsim run --root as uid $(id -u): one FUSE mount, no namespace"
run "$APSIM" env "$R"
expect_rc 0 "apsim env DIR"
eval "$out"
expect_eq "$MDEVCTL_ENV_ROOT" "$R" "apsim env: MDEVCTL_ENV_ROOT is DIR"
expect_eq "$APSIM_SOCKET" "$R/run/apsim.sock" "apsim env: APSIM_SOCKET"
expect_exists "$R/usr/lib/mdevctl/scripts.d/callouts" \
	"DIR/usr/lib/mdevctl/scripts.d/callouts exists (mdevctl 1.4 needs it)"

SYS=$R/sys
MATRIX=$SYS/devices/vfio_ap/matrix
MTYPE=$MATRIX/mdev_supported_types/vfio_ap-passthrough
D=$R/etc/mdevctl.d/matrix/$U

# ---- the version --------------------------------------------------------------

run mdevctl --version
expect_rc 0 "mdevctl --version (trixie's build on sid's glibc)"
expect_match "$out" '^mdevctl 1\.([3-9]|[1-9][0-9])(\.|$)' \
	"mdevctl >= 1.3 (MDEVCTL_ENV_ROOT): $out"
echo "# $(cat "$APV_MDEVCTL14/.apvirt-deb" 2>/dev/null)"

# ---- reserve adapter 05, domain 0x47 for vfio_ap (the user owns the mount) ---

run sh -c 'printf -- "-5\n" >"$1/bus/ap/apmask" &&
	printf -- "-0x47\n" >"$1/bus/ap/aqmask"' sh "$SYS"
expect_rc 0 "apmask -5, aqmask -0x47 written through DIR/sys"
expect_eq "$(readlink "$SYS/bus/ap/devices/05.0047/driver" 2>&1)" \
	"../../../../bus/ap/drivers/vfio_ap" "05.0047 is bound to vfio_ap"
expect_model "queue('05.0047')['owner']" null "05.0047 is vfio_ap's, free"

# ---- types --------------------------------------------------------------------

run mdevctl types
expect_rc 0 "mdevctl types"
expect_eq "$out" "matrix
  vfio_ap-passthrough
    Available instances: 65536
    Device API: vfio-ap
    Name: $TYPE_NAME" "mdevctl types lists vfio_ap-passthrough"

# ---- define + modify ------------------------------------------------------------

run mdevctl define --uuid $U --parent matrix --type vfio_ap-passthrough
expect_rc 0 "mdevctl define"
expect_eq "$out$err" "" "mdevctl define prints nothing"
expect_file "$D" '{
  "mdev_type": "vfio_ap-passthrough",
  "start": "manual",
  "attrs": []
}' "definition file in DIR/etc/mdevctl.d after define"
expect_absent "/etc/mdevctl.d/matrix/$U" "nothing in the machine's /etc/mdevctl.d"
expect_absent "$MATRIX/$U" "define does not create the mdev"

for a in assign_adapter=5 assign_domain=0x47; do
	run mdevctl modify -u $U --addattr="${a%%=*}" --value="${a#*=}"
	expect_rc 0 "mdevctl modify --addattr=${a%%=*} --value=${a#*=}"
done
expect_file "$D" '{
  "mdev_type": "vfio_ap-passthrough",
  "start": "manual",
  "attrs": [
    {
      "assign_adapter": "5"
    },
    {
      "assign_domain": "0x47"
    }
  ]
}' "definition file after modify --addattr"

run mdevctl list -d
expect_rc 0 "mdevctl list -d"
expect_eq "$out" "$U matrix vfio_ap-passthrough manual" \
	"mdevctl list -d shows the definition"
run mdevctl list -dv
expect_eq "$out" "$U matrix vfio_ap-passthrough manual
  Attrs:
    @{0}: {\"assign_adapter\":\"5\"}
    @{1}: {\"assign_domain\":\"0x47\"}" "mdevctl list -dv shows the attributes"
run mdevctl list
expect_eq "$rc:$out" "0:" "mdevctl list: nothing active"

# ---- start ----------------------------------------------------------------------

run mdevctl start -u $U
expect_rc 0 "mdevctl start"
expect_eq "$out$err" "" "mdevctl start prints nothing"
expect_exists "$MATRIX/$U" "DIR/sys/devices/vfio_ap/matrix/$U exists"
expect_file "$MATRIX/$U/matrix" 05.0047 "its matrix is 05.0047"
expect_eq "$(readlink "$SYS/bus/mdev/devices/$U" 2>&1)" \
	"../../../devices/vfio_ap/matrix/$U" \
	"DIR/sys/bus/mdev/devices/$U links to the matrix device"
expect_eq "$(readlink "$MATRIX/$U/mdev_type" 2>&1)" \
	../mdev_supported_types/vfio_ap-passthrough "its mdev_type"
expect_file "$MTYPE/available_instances" 65535 "available_instances 65535"
expect_model "uuids()" "[\"$U\"]" "one mdev after start"
expect_model "mdev('$U')['assigned']" \
	'{"adapters":[5],"domains":[71],"control_domains":[]}' \
	"the mdev has adapter 5, domain 0x47"
expect_model "queue('05.0047')['owner']" "$U" "05.0047 belongs to the mdev"
run "$APSIM" ctl state
expect_match "$out" "^  05\.0047 +vfio_ap +$U, assigned$" \
	"apsim ctl state: 05.0047 assigned to the mdev"

run mdevctl list
expect_rc 0 "mdevctl list (active)"
expect_eq "$out" "$U matrix vfio_ap-passthrough manual (defined)" \
	"mdevctl list shows the running, defined mdev"
run mdevctl types
expect_contains "$out" "Available instances: 65535" \
	"mdevctl types: 65535 instances left"
run mdevctl start -u $U
expect_rc 1 "mdevctl start of a running mdev fails"
expect_contains "$err" "Device already exists" \
	"mdevctl start again: device already exists"
expect_file "$MATRIX/$U/matrix" 05.0047 "still running with 05.0047"

# ---- stop -----------------------------------------------------------------------

run mdevctl stop -u $U
expect_rc 0 "mdevctl stop"
expect_eq "$out$err" "" "mdevctl stop prints nothing"
expect_absent "$MATRIX/$U" "no DIR/sys/devices/vfio_ap/matrix/$U after stop"
expect_absent "$SYS/bus/mdev/devices/$U" "no DIR/sys/bus/mdev/devices/$U"
expect_model "uuids()" "[]" "no mdev after stop"
expect_model "queue('05.0047')['owner']" null "05.0047 is free again"
expect_file "$MTYPE/available_instances" 65536 "available_instances 65536"
run mdevctl list
expect_eq "$rc:$out" "0:" "mdevctl list: nothing active after stop"
run mdevctl list -d
expect_eq "$out" "$U matrix vfio_ap-passthrough manual" \
	"mdevctl list -d: still defined"

# ---- undefine ---------------------------------------------------------------------

run mdevctl undefine -u $U
expect_rc 0 "mdevctl undefine"
expect_absent "$D" "definition file removed from DIR/etc/mdevctl.d"
run mdevctl list -d
expect_eq "$rc:$out" "0:" "mdevctl list -d: nothing defined"
expect_eq "$(find "$R/etc/mdevctl.d" -type f | wc -l)" 0 \
	"DIR/etc/mdevctl.d holds no file"

# ---- stop apsim -------------------------------------------------------------------

kill -TERM "$apid"
wait "$apid"
rc=$?
apid=
expect_rc 0 "apsim run --root: SIGTERM stops it"
expect_eq "$(grep -c " $R/sys fuse" /proc/mounts)" 0 "DIR/sys unmounted"

interop_done
