#!/bin/bash
# SPDX-License-Identifier: MIT
#
# make bench: define and start 64 mdevs with apctl versus Debian's mdevctl
# 1.2.0, on one simulated host (one `apsim exec` namespace,
# bench/bench_apctl-topology.json: adapters 10-11, domains 00-3f for
# vfio_ap).  mdev i gets adapters 10-11 x domain i (control domain i), so
# the 64 mdevs hold 128 distinct APQNs.  Each contender starts from the
# same state (no mdev, no definition) and must leave the same /sys state
# (every mdev's matrix and control_domains) and the same definitions:
#
#   mdevctl        per mdev: mdevctl define, 3 x mdevctl modify --addattr,
#                  mdevctl start (tests/interop/lib.sh's way)
#   apctl          per mdev: apctl define -a -d -c, apctl start (the plain
#                  loop: 2 processes per mdev)
#   apctl apply    one `apctl apply FILE` listing all 64 (active: true)
#
# Prints the wall times and mdevctl/apctl ratios; the goal is apctl >= 20x
# faster than mdevctl, judged on apply (the loop spawns 2 processes per mdev
# against mdevctl's 6, so it cannot get there and is the baseline).  Exit status: 0 (goals are reported, not enforced,
# unless --strict), 1 a contender failed or the states differ, 77 this
# machine cannot run apsim or mdevctl.
#
#   bench_apctl.sh [--strict] APSIM APCTL
set -u

strict=0
if [ "${1:-}" = --strict ]; then
	strict=1
	shift
fi
APSIM=${1:?usage: bench_apctl.sh [--strict] APSIM APCTL}
APCTL=${2:?usage: bench_apctl.sh [--strict] APSIM APCTL}
N=64
GOAL=20
here=$(cd "$(dirname "$0")" && pwd)

if [ "${APV_BENCH_INSIDE:-0}" != 1 ]; then
	skip() {
		echo "SKIP: $*"
		exit 77
	}
	[ "$(id -u)" -eq 0 ] || skip "needs root (apsim exec)"
	[ -c /dev/fuse ] || skip "no /dev/fuse"
	unshare -m --propagation private true 2>/dev/null ||
		skip "unshare -m denied here"
	if ! command -v mdevctl >/dev/null; then
		"$here/../scripts/deps.sh" interop >&2 ||
			skip "mdevctl cannot be installed"
		command -v mdevctl >/dev/null || skip "no mdevctl"
	fi
	APV_BENCH_INSIDE=1 exec "$APSIM" exec \
		--topology "$here/bench_apctl-topology.json" -- \
		bash "$here/bench_apctl.sh" $([ $strict = 1 ] && echo --strict) \
		"$APSIM" "$APCTL"
fi

# ---- inside: one simulated host -----------------------------------------------

MATRIX=/sys/devices/vfio_ap/matrix
DEFS=/etc/mdevctl.d/matrix
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

uuid() { printf 'bbbbbbbb-0000-4000-8000-%012x' "$1"; }
now() { date +%s%N; }
die() {
	echo "bench_apctl: $*" >&2
	exit 1
}

# The state both must produce: every mdev's matrix and control domains,
# and every definition file.
snapshot() {
	local d
	for d in "$MATRIX"/*-*-*-*-*; do
		[ -e "$d" ] || continue
		printf '%s\n' "${d##*/}"
		tr '\n' ' ' <"$d/matrix"
		printf '| '
		tr '\n' ' ' <"$d/control_domains"
		printf '\n'
	done
	for d in "$DEFS"/*; do
		[ -e "$d" ] || continue
		printf '%s: %s\n' "${d##*/}" "$(cat "$d")"
	done
}

# Back to no mdev and no definition (not timed).
reset() {
	local d
	for d in "$MATRIX"/*-*-*-*-*; do
		[ -e "$d" ] && echo 1 >"$d/remove"
	done
	rm -f "$DEFS"/*
	[ -z "$(snapshot)" ] || die "reset left state behind"
}

# The UUIDs and domains, computed before the clocks run.
U=() D=()
for ((i = 0; i < N; i++)); do
	U[i]=$(uuid $i)
	D[i]=$(printf '0x%x' $i)
done

run_mdevctl() {
	local i u d
	for ((i = 0; i < N; i++)); do
		u=${U[i]} d=${D[i]}
		mdevctl define -u "$u" -p matrix -t vfio_ap-passthrough || return 1
		mdevctl modify -u "$u" --addattr=assign_adapter --value=0x10 || return 1
		mdevctl modify -u "$u" --addattr=assign_adapter --value=0x11 || return 1
		mdevctl modify -u "$u" --addattr=assign_domain --value="$d" || return 1
		mdevctl modify -u "$u" --addattr=assign_control_domain --value="$d" || return 1
		mdevctl start -u "$u" || return 1
	done
}

run_apctl() {
	local i u d
	for ((i = 0; i < N; i++)); do
		u=${U[i]} d=${D[i]}
		"$APCTL" define "$u" -a 0x10,0x11 -d "$d" -c "$d" >/dev/null ||
			return 1
		"$APCTL" start "$u" || return 1
	done
}

run_apply() {
	local i sep=
	{
		printf '{"prune": true, "mdevs": ['
		for ((i = 0; i < N; i++)); do
			printf '%s\n {"uuid": "%s", "adapters": [16, 17], "domains": [%d], "control_domains": [%d], "active": true}' \
				"$sep" "${U[i]}" $i $i
			sep=,
		done
		printf ']}\n'
	} >"$WORK/apply.json"
	"$APCTL" apply "$WORK/apply.json" >/dev/null
}

# timed NAME FUNC: run FUNC from a reset host; its wall time in ms in
# ms_NAME, its final state in $WORK/NAME.state.
timed() {
	local t0 t1
	reset
	t0=$(now)
	"$2" >"$WORK/$1.log" 2>&1 || {
		tail -n 5 "$WORK/$1.log" >&2
		die "$1 failed"
	}
	t1=$(now)
	printf -v "ms_$1" '%d' $(((t1 - t0) / 1000000))
	snapshot >"$WORK/$1.state"
	[ "$(grep -c '^[0-9a-f-]*$' "$WORK/$1.state")" -eq $N ] ||
		die "$1: not $N mdevs active"
}

has_apply=0
"$APCTL" --help | grep -q '^  apply ' && has_apply=1

echo "# $N mdevs (adapters 10-11 x one domain each), define + start"
timed mdevctl run_mdevctl
timed apctl run_apctl
[ $has_apply = 1 ] && timed apply run_apply
reset

status=0
cmp -s "$WORK/mdevctl.state" "$WORK/apctl.state" || {
	diff "$WORK/mdevctl.state" "$WORK/apctl.state" | head -n 20
	die "apctl and mdevctl left different state"
}
echo "same /sys state and definitions: mdevctl, apctl"
if [ $has_apply = 1 ]; then
	# apply's definitions may order attributes otherwise: compare /sys.
	if cmp -s <(grep -v ': ' "$WORK/mdevctl.state") \
		<(grep -v ': ' "$WORK/apply.state"); then
		echo "same /sys state: mdevctl, apctl apply"
	else
		diff <(grep -v ': ' "$WORK/mdevctl.state") \
			<(grep -v ': ' "$WORK/apply.state") | head -n 20
		die "apctl apply and mdevctl left different /sys state"
	fi
fi

# report MS LABEL GOAL: a time and its ratio against mdevctl; with GOAL
# (1) the goal is judged.  Returns 1 when a judged goal is missed.
report() {
	local ms=$1 label=$2 judged=$3 x100 verdict
	[ "$ms" -gt 0 ] || ms=1
	x100=$((ms_mdevctl * 100 / ms))
	verdict="(goal >= ${GOAL}x: $([ $x100 -ge $((GOAL * 100)) ] &&
		echo met || echo missed))"
	[ "$judged" = 1 ] || verdict="(baseline: 2 processes per mdev, mdevctl 6)"
	printf '  %-26s %7d ms  %3d.%02dx faster than mdevctl %s\n' \
		"$label" "$ms" $((x100 / 100)) $((x100 % 100)) "$verdict"
	[ "$judged" != 1 ] || [ $x100 -ge $((GOAL * 100)) ]
}
printf '  %-26s %7d ms  (%d ms per mdev)\n' "mdevctl 1.2.0" "$ms_mdevctl" \
	$((ms_mdevctl / N))
# The goal is judged on apctl's batch form when it has one (apply: one
# process for the whole set), else on the loop.
report "$ms_apctl" "apctl define+start loop" $((1 - has_apply)) || status=3
if [ $has_apply = 1 ]; then
	report "$ms_apply" "apctl apply (one process)" 1 || status=3
fi
[ $status = 0 ] && echo "all goals met" || echo "goal missed"
if [ $status = 3 ] && [ $strict = 1 ]; then
	exit 1
fi
exit 0
