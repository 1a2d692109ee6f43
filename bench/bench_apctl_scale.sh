#!/bin/bash
# SPDX-License-Identifier: MIT
#
# make bench: how `apctl apply --dry-run FILE` scales with the number of
# mdevs in FILE (issue 13, finding 8; goal: O(n log n), 100k mdevs <= 5 s,
# memory linear).  One `apsim exec` namespace (default host, apmask
# cleared so no APQN is the host's); the definitions on a tmpfs config
# root.  FILE lists N mdevs "vm<i>": every 16th active with its own APQN,
# every 16th (offset 8) autostart with its own APQN, the rest manual
# definitions sharing adapters and domains (allowed for manual ones).
# Two runs per N: against no definitions (N defines planned) and against
# the N definitions already written (nothing to do).  Prints wall time and
# peak RSS (getrusage of the child, /usr/bin/time's %M) per run.
#
#   bench_apctl_scale.sh APSIM APCTL [N...]   (default 1000 10000 100000)
# Exit status: 0, 1 a run failed, 77 no apsim exec here.
set -u

APSIM=${1:?usage: bench_apctl_scale.sh APSIM APCTL [N...]}
APCTL=${2:?usage: bench_apctl_scale.sh APSIM APCTL [N...]}
shift 2
SIZES=${*:-1000 10000 100000}

if [ "${APV_BENCH_INSIDE:-0}" != 1 ]; then
	if [ "$(id -u)" != 0 ] || [ ! -e /dev/fuse ]; then
		echo "SKIP: needs root and /dev/fuse"
		exit 77
	fi
	[ -x /usr/bin/time ] || { echo "SKIP: /usr/bin/time missing"; exit 77; }
	APV_BENCH_INSIDE=1 exec "$APSIM" exec --kernel 6.12 -- \
		bash "$0" "$APSIM" "$APCTL" $SIZES
fi

printf '0x%064x\n' 0 >/sys/bus/ap/apmask || exit 1
work=$(mktemp -d)
trap 'umount -l "$work" 2>/dev/null; rm -rf "$work"' EXIT
mount -t tmpfs -o size=4g tmpfs "$work" || exit 1

gen() { # gen N FILE
	python3 - "$1" "$2" <<'PY'
import json, sys
n, out = int(sys.argv[1]), sys.argv[2]
mdevs = []
for i in range(n):
    m = {"name": "vm%d" % i}
    k = i // 16
    if i % 16 == 0:
        m.update(adapters=[k % 128], domains=[(k // 128) % 256], active=True)
    elif i % 16 == 8:
        m.update(adapters=[128 + k % 128], domains=[(k // 128) % 256],
                 autostart=True)
    else:
        m.update(adapters=[i % 256], domains=[(i // 7) % 256])
    mdevs.append(m)
json.dump({"mdevs": mdevs}, open(out, "w"))
PY
}

measure() { # measure LABEL CMD...: "LABEL  1.23 s  45.6 MB"
	local label=$1 t rc
	shift
	/usr/bin/time -f "%e %M %U %S" -o "$work/time" "$@" >/dev/null 2>"$work/err"
	rc=$?
	read -r t rss us sy <"$work/time"
	# Exit 0 (a plan) or 3 (findings: the plan is still built) are fine.
	if [ "$rc" != 0 ] && [ "$rc" != 3 ]; then
		echo "FAIL: $label: exit $rc: $(head -3 "$work/err")"
		return 1
	fi
	printf "%-38s %7.2f s wall %7.2f s cpu %8.1f MB peak RSS\n" "$label" "$t" "$(echo "$us + $sy" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
}

fail=0
for n in $SIZES; do
	cfg=$work/cfg$n
	mkdir -p "$cfg"
	gen "$n" "$work/apply$n.json"
	measure "apply --dry-run, $n mdevs, new" \
		"$APCTL" --config-root "$cfg" --json apply --dry-run \
		"$work/apply$n.json" || fail=1
	# The same file with nothing active: written for real, then again.
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
for m in d["mdevs"]: m.pop("active", None)
json.dump(d, open(sys.argv[2], "w"))' "$work/apply$n.json" "$work/def$n.json"
	"$APCTL" --config-root "$cfg" --json apply "$work/def$n.json" >/dev/null 2>&1
	measure "apply --dry-run, $n mdevs, defined" \
		"$APCTL" --config-root "$cfg" --json apply --dry-run \
		"$work/apply$n.json" || fail=1
	rm -rf "$cfg"
done
exit $fail
