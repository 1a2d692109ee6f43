#!/bin/sh
# SPDX-License-Identifier: MIT
# Eight rootless apsim hosts side by side (issue 10, item 5): each an
# `apsim exec` of an unprivileged user (setpriv to nobody when started as
# root) with its own topology and kernel, tree, control socket, network
# namespace and udev events.  All eight listen, then all eight create an
# mdev of their own UUID and remove an adapter, at the same time;
# each listener must hear its own host's events only, and each host's
# state must hold its own mdev only.
. "$(dirname "$0")/lib.sh"

[ -c /dev/fuse ] || it_skip "no /dev/fuse"
[ -x "${APSIM:-}" ] && [ -x "${UDEV_LISTEN:-}" ] || {
	echo "ERROR: APSIM / UDEV_LISTEN are not executables"
	exit 1
}
if [ "$(id -u)" -eq 0 ]; then
	command -v setpriv >/dev/null || it_skip "no setpriv (util-linux)"
	U="setpriv --reuid=65534 --regid=65534 --clear-groups"
else
	U=
fi
$U unshare -Urn true 2>/dev/null || it_skip "no unprivileged user namespaces here"

W=$(mktemp -d /tmp/apsim-hosts8.XXXXXX)
chmod 0777 "$W"
trap '[ -n "${KEEP:-}" ] || rm -rf "$W"' EXIT
# shellcheck source=tests/user_reach.sh
. "$(dirname "$0")/../user_reach.sh"
[ -z "$U" ] || apv_user_reach "$W" APSIM UDEV_LISTEN
V=${TOPOLOGIES:-$(dirname "$0")/../data/topology}/valid
if [ -n "$U" ] && ! $U test -r "$V/full.json" 2>/dev/null; then
	cp -r "$V" "$W/topology" && chmod -R a+rX "$W/topology"
	V=$W/topology
fi

# host N: BOOT options
boot() {
	case $1 in
	1) echo "--preset default --kernel 6.12" ;;
	2) echo "--preset default --kernel 6.1" ;;
	3) echo "--topology $V/full.json" ;;
	4) echo "--topology $V/legacy_61.json" ;;
	5) echo "--topology $V/design_review.json" ;;
	6) echo "--topology $V/preset_max_61.json" ;;
	7) echo "--topology $V/preset_override.json" ;;
	8) echo "--topology $V/future_type.json" ;;
	esac
}

# The script each host runs (as root of its user namespace).
cat >"$W/host.sh" <<'EOS'
n=$1 w=$2 L=$3
u=$(printf '%08x-0000-4000-8000-00000000000%x' "$n" "$n")
"$L" -t 60 -r "$w/up.$n" >"$w/events.$n" 2>"$w/err.$n" &
l=$!
# every listener up, then every host acts at once
i=0
while [ "$(ls "$w" | grep -c '^up\.')" -lt 8 ] && [ $i -lt 2000 ]; do
	sleep 0.01
	i=$((i + 1))
done
echo "$u" >/sys/devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/create
a=$(ls /sys/devices/ap | grep '^card' | head -1)
[ -n "$a" ] && "$APSIM_CTL" ctl adapter "${a#card}" remove >/dev/null &&
	echo "$a" >"$w/card.$n"
ls /sys/devices/vfio_ap/matrix | grep -E '^[0-9a-f]{8}-' >"$w/mdevs.$n"
"$APSIM_CTL" ctl events --json --max 1 | grep -o '"seqnum":[0-9]*' >"$w/state.$n"
test -S "$APSIM_SOCKET" && echo "$APSIM_SOCKET" >"$w/sock.$n"
# every host done, then the listener stops (still running: no bad message)
touch "$w/done.$n"
i=0
while [ "$(ls "$w" | grep -c '^done\.')" -lt 8 ] && [ $i -lt 2000 ]; do
	sleep 0.01
	i=$((i + 1))
done
sleep 0.3
if kill $l 2>/dev/null; then
	echo 0 >"$w/rc.$n"
else
	wait $l
	echo "listener ended early: $?" >"$w/rc.$n"
fi
EOS

pids=
for n in 1 2 3 4 5 6 7 8; do
	# shellcheck disable=SC2046
	APSIM_CTL="$APSIM" $U "$APSIM" exec $(boot $n) -- \
		sh "$W/host.sh" $n "$W" "$UDEV_LISTEN" >"$W/out.$n" 2>&1 &
	pids="$pids $!"
done
rc=0
for p in $pids; do
	wait "$p" || rc=1
done
expect_eq $rc 0 "eight rootless apsim exec hosts ran side by side"

socks=$(cat "$W"/sock.* 2>/dev/null | sort -u | wc -l)
expect_eq "$socks" 8 "eight control sockets"
for n in 1 2 3 4 5 6 7 8; do
	u=$(printf '%08x-0000-4000-8000-00000000000%x' "$n" "$n")
	expect_eq "$(cat "$W/rc.$n" 2>/dev/null)" 0 "host $n: its listener saw only well-formed events"
	expect_eq "$(cat "$W/mdevs.$n" 2>/dev/null)" "$u" "host $n: its own mdev only"
	got=$(grep -c "/devices/vfio_ap/matrix/$u$" "$W/events.$n")
	expect_eq "$got" 2 "host $n: its mdev's add and bind"
	other=$(grep '/devices/vfio_ap/matrix/[0-9a-f]\{8\}-' "$W/events.$n" | grep -vc "$u$")
	expect_eq "$other" 0 "host $n: no event of another host"
	a=$(cat "$W/card.$n" 2>/dev/null)
	expect_eq "$(grep -c "^remove /devices/ap/$a$" "$W/events.$n")" 1 \
		"host $n: its own adapter's removal ($a)"
done

it_done
