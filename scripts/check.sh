#!/bin/sh
# Run the whole meson test suite in two builds and print one summary line.
#
#   build/       gcc, --werror (fuzz targets are clang-only and not built)
#   build-asan/  clang, ASan + UBSan, --werror, incl. the libFuzzer smoke runs
#   (suite soak, the short soak run, is left out in both: make soak)
#
# Both builds always run, even if the first one fails.  The last line printed
# is the plain `N passed, N failed, N skipped` line summed over both builds
# (see scripts/test-summary.sh); a build that fails to configure or compile
# counts as one failed test.  Exit status is non-zero on any failure.
#
# Environment:
#   MESON                   meson binary (default: meson)
#   APV_CHECK_BUILDS        subset of "build build-asan" to run
#   APV_MESON_TEST_ARGS     extra arguments for `meson test`
#   APV_SUMMARY_FILE        also write the summary line to this file
set -u

cd "$(dirname "$0")/.." || exit 1
MESON=${MESON:-meson}
builds=${APV_CHECK_BUILDS:-build build-asan}

broken=0
status=0
ran=

# setup_dir DIR CC ARGS...: configure DIR with CC unless already configured.
setup_dir() {
	dir=$1 cc=$2
	shift 2
	[ -f "$dir/build.ninja" ] && return 0
	rm -rf "$dir"
	CC=$cc "$MESON" setup "$dir" --werror "$@"
}

for b in $builds; do
	case $b in
	build)
		cc=gcc
		setup_args=
		test_args="--no-suite fuzz --no-suite soak"
		;;
	build-asan)
		cc=clang
		setup_args="-Db_sanitize=address,undefined -Db_lundef=false"
		test_args="--timeout-multiplier 3 --no-suite soak"
		;;
	*)
		echo "check: unknown build '$b'" >&2
		exit 2
		;;
	esac

	echo "=== $b ($cc) ==="
	rm -f "$b/meson-logs/testlog.json"
	# shellcheck disable=SC2086 # word splitting is intended
	if ! setup_dir "$b" "$cc" $setup_args; then
		echo "check: $b: meson setup failed" >&2
		broken=$((broken + 1))
		status=1
		continue
	fi
	if ! "$MESON" compile -C "$b"; then
		echo "check: $b: build failed" >&2
		broken=$((broken + 1))
		status=1
		continue
	fi
	# shellcheck disable=SC2086
	"$MESON" test -C "$b" --no-rebuild --print-errorlogs $test_args \
		${APV_MESON_TEST_ARGS:-}
	rc=$?
	if [ "$rc" -ne 0 ]; then
		status=1
		if [ ! -f "$b/meson-logs/testlog.json" ]; then
			echo "check: $b: meson test failed (exit $rc)" \
				"without a test log" >&2
			broken=$((broken + 1))
		fi
	fi
	ran="$ran $b"
done

echo "=== summary ==="
# shellcheck disable=SC2086
summary=$(scripts/test-summary.sh --extra-failures "$broken" $ran) ||
	status=1
printf '%s\n' "$summary"
if [ -n "${APV_SUMMARY_FILE:-}" ]; then
	printf '%s\n' "$summary" | tail -n 1 >"$APV_SUMMARY_FILE"
fi
exit "$status"
