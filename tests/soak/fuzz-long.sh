#!/bin/sh
# make fuzz-long: every libFuzzer target of tests/fuzz for 10,000,000
# executions (APV_FUZZ_RUNS) or APV_FUZZ_SECONDS seconds, whichever comes
# first (0 = no time limit), starting from the committed corpus; then the
# new inputs that add coverage are merged into tests/fuzz/corpus/<target>/
# (libFuzzer -merge=1, so the committed corpus grows only by what is new).
# Prints one line per target with its executions; exits 1 on a crash (the
# artifact is kept in BUILD/tests/fuzz-long/<target>/).
#
#   tests/soak/fuzz-long.sh [BUILD]     (default build-asan; must be clang)
#
# Environment: APV_FUZZ_RUNS, APV_FUZZ_SECONDS, APV_FUZZ_TARGETS (subset),
# APV_FUZZ_NO_MERGE=1 (leave the committed corpus alone).
set -u
cd "$(dirname "$0")/../.." || exit 2
build=${1:-build-asan}
runs=${APV_FUZZ_RUNS:-10000000}
secs=${APV_FUZZ_SECONDS:-0}
targets=${APV_FUZZ_TARGETS:-$(ls tests/fuzz/fuzz_*.c | sed 's,.*/fuzz_,,; s,\.c$,,')}

export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=abort_on_error=1

status=0
for t in $targets; do
	exe=$build/tests/fuzz/fuzz_$t
	if [ ! -x "$exe" ]; then
		echo "fuzz-long: $exe missing (a clang build with libFuzzer?)" >&2
		status=1
		continue
	fi
	work=$build/tests/fuzz-long/$t
	rm -rf "$work" && mkdir -p "$work/new"
	nice "$exe" -runs="$runs" -max_total_time="$secs" -timeout=10 \
		-error_exitcode=1 -print_final_stats=1 \
		-artifact_prefix="$work/" "$work/new" "tests/fuzz/corpus/$t" \
		>"$work/log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
	secs_used=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\2/p' "$work/log")
	if [ "$rc" -ne 0 ]; then
		echo "fuzz-long: $t: FAILED after ${execs:-?} executions (exit $rc), see $work/log" >&2
		grep -m 5 'ERROR\|SUMMARY\|runtime error' "$work/log" >&2
		status=1
		continue
	fi
	added=0
	if [ "${APV_FUZZ_NO_MERGE:-0}" != 1 ]; then
		before=$(ls "tests/fuzz/corpus/$t" | wc -l)
		nice "$exe" -merge=1 "tests/fuzz/corpus/$t" "$work/new" \
			>"$work/merge.log" 2>&1 || {
			echo "fuzz-long: $t: merge failed, see $work/merge.log" >&2
			status=1
		}
		added=$(($(ls "tests/fuzz/corpus/$t" | wc -l) - before))
	fi
	echo "fuzz-long: $t: ${execs:-?} executions in ${secs_used:-?} s, 0 crashes, corpus +$added"
done
exit $status
