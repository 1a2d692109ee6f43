#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Crash safety: apctl killed with SIGKILL at every test point of apply and
# modify (APCTL_TEST_CRASH_AT, src/apctl/plan.h) and at random moments of
# define, APV_CRASH_TRIALS times in all (default 300 on 6.12; 60 on 6.1,
# whose assign/unassign path is the same code with more points; about
# 75 s for 300 on a loaded 2-core machine).  After each kill:
# every definition file is the old or the new content (never torn, never
# missing when both sides have it), no file mdevctl would read is left
# besides definitions (temporary files are ".<uuid>.XXXXXX", which mdevctl
# ignores and the next apctl apply/modify removes), and running the same
# command again converges to exactly the state of an uninterrupted run.
. "$(dirname "$0")/../interop/lib.sh"
interop_enter -- ${APV_APSIM_ARGS:-}

[ "${APV_GOLDEN_TAG:-}" = 6.1 ] && TRIALS=60 || TRIALS=300
TRIALS=${APV_CRASH_TRIALS:-$TRIALS}
CFG=$(mktemp -d)
trap 'rm -rf "$CFG"' EXIT
apctl() { "${APCTL:?}" --config-root "$CFG" "$@"; }
DEFS=$CFG/mdevctl.d/matrix
cd "$CFG" || exit 1
aqmask_write -0x47,-0x54,-0x10

cat >A.json <<'JSON'
{"mdevs": [
  {"name": "g1", "adapters": "4-5", "domains": "0x47", "control_domains": "0x47", "active": true},
  {"name": "g2", "adapters": "4", "domains": "0x54", "autostart": true, "active": true},
  {"name": "g3", "adapters": "5", "domains": "0x54"}
]}
JSON
cat >B.json <<'JSON'
{"mdevs": [
  {"name": "g1", "adapters": "4", "domains": "0x47,0x54", "active": true},
  {"name": "g3", "adapters": "5", "domains": "0x54,0x47", "autostart": true, "active": true},
  {"name": "g4", "adapters": "4", "domains": "0x10"}
]}
JSON

# The definitions' checksums by file name; the host as apctl sees it.
sums() { (cd "$DEFS" && for f in *; do [ -e "$f" ] && echo "$f $(md5sum <"$f")"; done); }
host() { apctl --json list; apctl --json host; }
declare -A SUM_A SUM_B
apctl apply A.json >/dev/null || fail "apply A.json"
while read -r f s; do SUM_A[$f]=$s; done < <(sums)
HOST_A=$(host)
apctl apply B.json >/dev/null || fail "apply B.json"
while read -r f s; do SUM_B[$f]=$s; done < <(sums)
HOST_B=$(host)
POINTS_AB=$(APCTL_TEST_CRASH_AT=0 apctl apply A.json >/dev/null; apctl --json apply --dry-run B.json |
	python3 -c 'import json,sys; print(len(json.load(sys.stdin)["plan"]) * 3)')

bad=0
# check_files LABEL: every file is the A or the B version (or absent where
# one of them is), nothing else visible.
check_files() {
	local f s ok=1
	for f in "$DEFS"/* "$DEFS"/.*; do
		f=${f##*/}
		case $f in
		. | .. | '*' | '.*') continue ;;
		.????????-????-????-????-????????????.??????) continue ;;
		esac
		s=$(md5sum <"$DEFS/$f")
		if [ "$s" != "${SUM_A[$f]:-}" ] && [ "$s" != "${SUM_B[$f]:-}" ]; then
			ok=0
			echo "# $1: $f is neither the old nor the new content"
		fi
	done
	for f in "${!SUM_A[@]}"; do
		if [ -n "${SUM_B[$f]:-}" ] && [ ! -e "$DEFS/$f" ]; then
			ok=0
			echo "# $1: $f is missing"
		fi
	done
	[ $ok = 1 ]
}

start=$(date +%s)
n_apply=0 n_modify=0 n_define=0
for ((t = 0; t < TRIALS; t++)); do
	case $((t % 6)) in
	0 | 1 | 2)
		# apply A -> B killed at point k, then apply B again.
		k=$((1 + (t / 6 * 3 + t % 6) % (POINTS_AB + 4)))
		apctl apply A.json >/dev/null 2>&1
		APCTL_TEST_CRASH_AT=$k apctl apply B.json >/dev/null 2>&1
		r=$?
		check_files "apply killed at $k" || bad=$((bad + 1))
		apctl apply B.json >/dev/null 2>&1 || {
			bad=$((bad + 1))
			echo "# apply B.json after a kill at $k failed"
		}
		[ "$(host)" = "$HOST_B" ] && [ "$(sums | sort)" = "$(for f in "${!SUM_B[@]}"; do echo "$f ${SUM_B[$f]}"; done | sort)" ] || {
			bad=$((bad + 1))
			echo "# apply killed at $k (rc $r): did not converge to B"
		}
		n_apply=$((n_apply + 1))
		;;
	3 | 4)
		# modify g1 (B: 4 x 0x47,0x54) to 4 x 0x47, control 0x47, --live, killed.
		k=$((1 + t / 6 % 6))
		G1=$(apctl show g1 | sed -n '1s/^mdev \([^ ]*\).*/\1/p')
		before=$(md5sum <"$DEFS/$G1")
		APCTL_TEST_CRASH_AT=$k apctl modify g1 -d 0x47 -c 0x47 --live >/dev/null 2>&1
		s=$(md5sum <"$DEFS/$G1" 2>/dev/null)
		apctl modify g1 -d 0x47 -c 0x47 --live >/dev/null 2>&1
		after=$(md5sum <"$DEFS/$G1")
		if [ "$s" != "$before" ] && [ "$s" != "$after" ]; then
			bad=$((bad + 1))
			echo "# modify killed at $k: torn or missing definition"
		fi
		if [ "$(tr '\n' ' ' <"$MATRIX/$G1/matrix")" != "04.0047 " ]; then
			bad=$((bad + 1))
			echo "# modify killed at $k: did not converge"
		fi
		# back to B
		apctl apply B.json >/dev/null 2>&1
		n_modify=$((n_modify + 1))
		;;
	5)
		# define killed after a random delay (0..20 ms).
		apctl define "d$t" -a 4 -d 0x47 >/dev/null 2>&1 &
		pid=$!
		sleep "0.0$((RANDOM % 20))"
		kill -9 $pid 2>/dev/null
		wait $pid 2>/dev/null
		U=$(apctl show "d$t" 2>&1 | sed -n 's/^.*mdev \([0-9a-f-]\{36\}\).*/\1/p' | head -1)
		if [ -e "$DEFS/$U" ] && ! python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$DEFS/$U" 2>/dev/null; then
			bad=$((bad + 1))
			echo "# define killed: torn definition $U"
		fi
		rm -f "$DEFS/$U" "$DEFS"/.*.??????
		n_define=$((n_define + 1))
		;;
	esac
done
secs=$(($(date +%s) - start))
echo "# $TRIALS trials ($n_apply apply, $n_modify modify, $n_define define) in ${secs}s"
if [ $bad = 0 ]; then
	pass "$TRIALS kills: files old or new, nothing torn, runs converge"
else
	fail "$bad of $TRIALS kills left a bad state"
fi
apctl apply B.json >/dev/null
expect_eq "$(find "$DEFS" -name '.*' -type f | wc -l)" 0 \
	"apply removes the temporary files of killed runs"
check "the host is B" test "$(host)" = "$HOST_B"
[ -n "$HOST_A" ] || fail "no host state A"

interop_done
