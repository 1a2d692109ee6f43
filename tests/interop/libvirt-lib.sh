# SPDX-License-Identifier: MIT
# shellcheck shell=bash
#
# Shared by tests/interop/libvirt*.sh: Debian 12's unmodified libvirt 9.0
# (libvirtd's node-device driver, virsh) against apsim's tree, inside
# `apsim exec` (lib.sh re-runs the script there first).
#
# A private libvirtd (the recipe docs/ci.md "libvirt" gives to users):
#   * `--config $LV_DIR/libvirtd.conf`: the unix sockets in $LV_DIR
#     (unix_sock_dir), no authentication, the log in $LV_DIR/libvirtd.log;
#     `--pid-file $LV_DIR/libvirtd.pid`; `--timeout 0` (never exit idle).
#   * `LIBVIRT_DRIVER_DIR=$LV_DIR/drivers`, a directory with a link to the
#     node-device driver module only: libvirtd loads no QEMU driver, so the
#     `libvirt-qemu` user (created by libvirt-daemon-system's postinst,
#     which the interop group does not install) is not needed, and no
#     network/storage driver touches the machine.
#   * A root libvirtd keeps its drivers' state (the nodedev driver's
#     pidfile lock, the system token) in /run/libvirt, a fixed path: the
#     script mounts a tmpfs there, in apsim exec's private mount namespace.
#     If /run/libvirt does not exist it is created first (empty: the only
#     trace on the machine, as apsim exec does for /run/lock); rootless,
#     where it cannot be created, the script mounts a private /run instead.
#   * `SYSTEMD_DEVICE_VERIFY_SYSFS=0` in libvirtd's environment: libudev
#     otherwise refuses every device of a tree that is not sysfs (FUSE),
#     ci-integration.md §3.  apsim exec sets it (with its udev events,
#     issue 10 item 1); the script sets it if an apsim without them did not.
#   * virsh connects with `nodedev:///system?socket=$LV_DIR/libvirt-sock`
#     (the monolithic libvirtd answers the nodedev driver's URI scheme).
#
# Spec: ci-integration.md §3 (what libvirt 9.0 reads and runs), §4 (events).

LV_DIR=
LV_PID=
LV_URI=
LV_MOUNTED_RUN=0

# The node-device driver module of the installed libvirt-daemon.
lv_driver_module() {
	local m
	for m in /usr/lib/*/libvirt/connection-driver/libvirt_driver_nodedev.so \
		/usr/lib/libvirt/connection-driver/libvirt_driver_nodedev.so \
		/usr/lib64/libvirt/connection-driver/libvirt_driver_nodedev.so; do
		if [ -e "$m" ]; then
			echo "$m"
			return 0
		fi
	done
	return 1
}

# lv_setup: check the tools, make the private directories (inside apsim
# exec only).
lv_setup() {
	local mod
	command -v libvirtd >/dev/null && command -v virsh >/dev/null ||
		interop_error "libvirtd/virsh missing: run" \
			"'scripts/deps.sh interop' (make deps)"
	mod=$(lv_driver_module) ||
		interop_error "libvirt_driver_nodedev.so not found: run" \
			"'scripts/deps.sh interop' (make deps)"

	LV_DIR=$(mktemp -d /tmp/apv-libvirt.XXXXXX) ||
		interop_error "mktemp failed"
	trap lv_cleanup EXIT
	mkdir -p "$LV_DIR/drivers" "$LV_DIR/xdg"
	ln -s "$mod" "$LV_DIR/drivers/"
	cat >"$LV_DIR/libvirtd.conf" <<EOF
unix_sock_dir = "$LV_DIR"
unix_sock_rw_perms = "0700"
auth_unix_rw = "none"
auth_unix_ro = "none"
log_outputs = "1:file:$LV_DIR/libvirtd.log"
log_filters = "1:nodedev 1:util.mdev 1:util.command 3:*"
EOF
	LV_URI="nodedev:///system?socket=$LV_DIR/libvirt-sock"

	if [ -d /run/libvirt ] || mkdir /run/libvirt 2>/dev/null; then
		mount -t tmpfs -o mode=0755 apv-libvirt /run/libvirt ||
			interop_error "cannot mount a tmpfs on /run/libvirt"
		LV_MOUNTED_RUN=1
	else
		# Rootless on a machine without /run/libvirt (the namespace's
		# root may not create it in the machine's /run): a private /run
		# with what apsim exec put there, an empty /run/lock and
		# /run/udev/control.  Gone with the namespace.
		echo "# no /run/libvirt and cannot create it: a private /run"
		mount -t tmpfs -o mode=0755 apv-run /run &&
			mkdir -p /run/lock /run/udev /run/libvirt &&
			: >/run/udev/control ||
			interop_error "cannot mount a private /run"
	fi

	# virsh and libvirtd keep per-user files under XDG directories.
	export XDG_CONFIG_HOME=$LV_DIR/xdg XDG_CACHE_HOME=$LV_DIR/xdg \
		XDG_RUNTIME_DIR=$LV_DIR/xdg
	if [ -z "${SYSTEMD_DEVICE_VERIFY_SYSFS+set}" ]; then
		echo "# apsim exec did not set SYSTEMD_DEVICE_VERIFY_SYSFS;" \
			"setting it to 0 for libvirtd"
		export SYSTEMD_DEVICE_VERIFY_SYSFS=0
	fi
}

lv_cleanup() {
	local rc=$?
	lv_stop >/dev/null 2>&1
	if [ "$LV_MOUNTED_RUN" = 1 ]; then
		umount /run/libvirt 2>/dev/null
		LV_MOUNTED_RUN=0
	fi
	if [ -n "$LV_DIR" ]; then
		if [ "$rc" -ne 0 ] && [ -f "$LV_DIR/libvirtd.log" ]; then
			echo "# last lines of libvirtd.log:"
			tail -n 40 "$LV_DIR/libvirtd.log" | sed 's/^/#   /'
		fi
		rm -rf "$LV_DIR"
	fi
	exit "$rc"
}

# lv_start: start libvirtd and wait until it answers (at most 20 s); the
# nodedev driver's API calls wait for its first enumeration themselves.
lv_start() {
	local _
	rm -f "$LV_DIR/libvirtd.pid"
	LIBVIRT_DRIVER_DIR=$LV_DIR/drivers libvirtd \
		--config "$LV_DIR/libvirtd.conf" \
		--pid-file "$LV_DIR/libvirtd.pid" --timeout 0 \
		>>"$LV_DIR/libvirtd.out" 2>&1 &
	LV_PID=$!
	for _ in $(seq 200); do
		if ! kill -0 "$LV_PID" 2>/dev/null; then
			LV_PID=
			cat "$LV_DIR/libvirtd.out" >&2
			return 1
		fi
		if [ -S "$LV_DIR/libvirt-sock" ] &&
			virsh -q -c "$LV_URI" uri >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# lv_stop: SIGTERM libvirtd and wait for it (at most 10 s, then SIGKILL).
lv_stop() {
	local _
	[ -n "$LV_PID" ] || return 0
	kill -TERM "$LV_PID" 2>/dev/null
	for _ in $(seq 100); do
		kill -0 "$LV_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$LV_PID" 2>/dev/null; then
		kill -KILL "$LV_PID" 2>/dev/null
		echo "# libvirtd did not stop on SIGTERM within 10 s"
	fi
	wait "$LV_PID" 2>/dev/null
	LV_PID=
	return 0
}

# vsh ARGS...: `virsh` against the private libvirtd, through `run`.
vsh() {
	run virsh -c "$LV_URI" "$@"
}

# lv_list [ARGS...]: `virsh nodedev-list ARGS`, sorted, blank lines
# dropped.
lv_list() {
	virsh -q -c "$LV_URI" nodedev-list "$@" 2>&1 | sed '/^$/d' | sort
}

# lv_info NAME FIELD: a field of `virsh nodedev-info` (Active, Persistent,
# Autostart, Parent), or "-" when the device is unknown.
lv_info() {
	local o
	o=$(virsh -q -c "$LV_URI" nodedev-info "$1" 2>/dev/null) || {
		echo -
		return
	}
	printf '%s\n' "$o" | sed -n "s/^$2: *//p"
}

# lv_wait_info NAME FIELD VALUE SECONDS: poll until the field reads VALUE;
# prints the milliseconds it took, returns 1 on timeout.
lv_wait_info() {
	local t0 now limit
	t0=$(date +%s%N)
	limit=$((t0 + $4 * 1000000000))
	while :; do
		if [ "$(lv_info "$1" "$2")" = "$3" ]; then
			now=$(date +%s%N)
			echo $(((now - t0) / 1000000))
			return 0
		fi
		now=$(date +%s%N)
		[ "$now" -lt "$limit" ] || return 1
		sleep 0.02
	done
}

# lv_wait_list EXPECTED SECONDS ARGS...: poll `nodedev-list ARGS` until
# it is EXPECTED; 1 on timeout.
lv_wait_list() {
	local want=$1 secs=$2 limit
	shift 2
	limit=$(($(date +%s%N) + secs * 1000000000))
	while :; do
		[ "$(lv_list "$@")" = "$want" ] && return 0
		[ "$(date +%s%N)" -lt "$limit" ] || return 1
		sleep 0.05
	done
}

# ---- libvirt's names and XML for the model's devices ----------------------

# mdev_name UUID: libvirt's node-device name of an mdev on the matrix.
mdev_name() {
	local u=$1
	echo "mdev_${u//-/_}_matrix"
}

# The model's devices as libvirt names them, one a line, sorted.
model_cards() {
	model "'\n'.join(sorted('ap_card%02x' % c['id'] for c in s['cards']))"
}
model_queues() {
	model "'\n'.join(sorted('ap_' + q['apqn'].replace('.', '_')
	                        for c in s['cards'] for q in c['queues']))"
}
model_mdevs() {
	model "'\n'.join(sorted('mdev_%s_matrix' % m['uuid'].replace('-', '_')
	                        for m in s['mdevs']))"
}

# The same from /sys (what libvirt enumerates).
sysfs_cards() {
	local c
	for c in /sys/bus/ap/devices/card*; do
		[ -e "$c" ] && echo "ap_${c##*/}"
	done | sort
}
sysfs_queues() {
	local q n
	for q in /sys/bus/ap/devices/*.*; do
		[ -e "$q" ] || continue
		n=${q##*/}
		echo "ap_${n%.*}_${n#*.}"
	done | sort
}

# _driver DIR: basename of DIR/driver, or nothing.
_driver() {
	local l
	l=$(readlink "$1/driver" 2>/dev/null) || return 0
	echo "${l##*/}"
}

# _xml_driver DIR: libvirt's <driver> element for a bound device.
_xml_driver() {
	local d
	d=$(_driver "$1")
	[ -n "$d" ] || return 0
	printf '  <driver>\n    <name>%s</name>\n  </driver>\n' "$d"
}

# card_xml XX: the nodedev-dumpxml libvirt 9.0 must print for card XX,
# from the tree (path, driver) and the name (adapter).
card_xml() {
	local d=/sys/bus/ap/devices/card$1
	printf '<device>\n  <name>ap_card%s</name>\n  <path>%s</path>\n' \
		"$1" "$(readlink -f "$d")"
	printf '  <parent>computer</parent>\n'
	_xml_driver "$d"
	printf "  <capability type='ap_card'>\n"
	printf '    <ap-adapter>0x%s</ap-adapter>\n' "$1"
	printf '  </capability>\n</device>'
}

# queue_xml XX.YYYY
queue_xml() {
	local d=/sys/bus/ap/devices/$1 a=${1%.*} q=${1#*.}
	printf '<device>\n  <name>ap_%s_%s</name>\n  <path>%s</path>\n' \
		"$a" "$q" "$(readlink -f "$d")"
	printf '  <parent>ap_card%s</parent>\n' "$a"
	_xml_driver "$d"
	printf "  <capability type='ap_queue'>\n"
	printf '    <ap-adapter>0x%s</ap-adapter>\n' "$a"
	printf '    <ap-domain>0x%s</ap-domain>\n' "$q"
	printf '  </capability>\n</device>'
}

# matrix_xml: the matrix device with its mdev type, values from the tree.
matrix_xml() {
	local t
	printf '<device>\n  <name>ap_matrix</name>\n  <path>%s</path>\n' \
		"$(readlink -f "$MATRIX")"
	printf '  <parent>computer</parent>\n'
	_xml_driver "$MATRIX"
	printf "  <capability type='ap_matrix'>\n"
	printf "    <capability type='mdev_types'>\n"
	for t in "$MATRIX"/mdev_supported_types/*; do
		printf "      <type id='%s'>\n" "${t##*/}"
		printf '        <name>%s</name>\n' "$(cat "$t/name")"
		printf '        <deviceAPI>%s</deviceAPI>\n' \
			"$(cat "$t/device_api")"
		printf '        <availableInstances>%s</availableInstances>\n' \
			"$(cat "$t/available_instances")"
		printf '      </type>\n'
	done
	printf '    </capability>\n  </capability>\n</device>'
}

# mdev_xml UUID GROUP ATTR=VALUE...: a defined or active vfio_ap mdev as
# libvirt 9.0 prints it (the attributes come from mdevctl's definition, in
# its order; GROUP is the iommu group number libvirt shows: the tree's
# iommu_group link for an active mdev, 0 for an inactive one).
mdev_xml() {
	local u=$1 g=$2 a
	shift 2
	printf '<device>\n  <name>%s</name>\n' "$(mdev_name "$u")"
	if [ -e "$MATRIX/$u" ]; then
		printf '  <path>%s</path>\n' "$(readlink -f "$MATRIX/$u")"
	fi
	printf '  <parent>ap_matrix</parent>\n'
	_xml_driver "$MATRIX/$u"
	printf "  <capability type='mdev'>\n"
	printf "    <type id='vfio_ap-passthrough'/>\n"
	printf '    <uuid>%s</uuid>\n' "$u"
	printf '    <parent_addr>matrix</parent_addr>\n'
	printf "    <iommuGroup number='%s'/>\n" "$g"
	for a in "$@"; do
		printf "    <attr name='%s' value='%s'/>\n" "${a%%=*}" "${a#*=}"
	done
	printf '  </capability>\n</device>'
}

# mdev_group UUID: the iommu group number of an active mdev, from the tree.
mdev_group() {
	local l
	l=$(readlink "$MATRIX/$1/iommu_group" 2>/dev/null) || return 1
	echo "${l##*/}"
}

# define_xml FILE UUID ATTR=VALUE...: a node-device XML for
# nodedev-define/nodedev-create of a vfio_ap mdev.
define_xml() {
	local f=$1 u=$2 a
	shift 2
	{
		printf '<device>\n  <parent>ap_matrix</parent>\n'
		printf "  <capability type='mdev'>\n"
		printf "    <type id='vfio_ap-passthrough'/>\n"
		printf '    <uuid>%s</uuid>\n' "$u"
		for a in "$@"; do
			printf "    <attr name='%s' value='%s'/>\n" \
				"${a%%=*}" "${a#*=}"
		done
		printf '  </capability>\n</device>\n'
	} >"$f"
}

# The world libvirt sees: every device with its capability list, sorted.
lv_world() {
	local cap
	for cap in ap_card ap_queue ap_matrix mdev_types mdev; do
		echo "[$cap]"
		lv_list --cap "$cap" --all
	done
	echo "[all]"
	lv_list --all
}
