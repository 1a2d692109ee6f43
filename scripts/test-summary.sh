#!/bin/sh
# Sum the results of `meson test` over one or more build directories.
#
#   scripts/test-summary.sh [--extra-failures N] BUILDDIR...
#
# Reads BUILDDIR/meson-logs/testlog.json (one JSON object per line, one line
# per test) and takes each line's top-level "result":
#   OK, EXPECTEDFAIL                                  -> passed
#   SKIP (the test exited 77)                         -> skipped
#   FAIL, TIMEOUT, UNEXPECTEDPASS, ERROR, INTERRUPT   -> failed
# --extra-failures adds failures that left no test log (e.g. a build that did
# not compile).  Prints one line per build directory and the names of failed
# tests, then, last, the plain line
#   N passed, N failed, N skipped
# Exits 1 if anything failed, else 0.  POSIX sh + awk (mawk or gawk).
set -eu

extra=0
if [ "${1-}" = --extra-failures ]; then
	extra=$2
	shift 2
fi

tp=0 tf=$extra ts=0
for dir in "$@"; do
	log=$dir/meson-logs/testlog.json
	if [ ! -f "$log" ]; then
		echo "  ${dir%/}/: no test log ($log)"
		continue
	fi
	# A JSON string cannot hold an unescaped quote, so the pattern below
	# only matches real keys; meson writes "name" and "result" before
	# "env", so the first match on a line is the top-level one.
	out=$(awk -v dir="${dir%/}" '
		function field(key,    re) {
			re = "\"" key "\": \"[^\"]*\""
			if (!match($0, re))
				return ""
			return substr($0, RSTART + length(key) + 5,
				      RLENGTH - length(key) - 6)
		}
		/^[ \t]*$/ { next }
		{
			r = field("result")
			if (r == "OK" || r == "EXPECTEDFAIL") {
				p++
			} else if (r == "SKIP") {
				s++
			} else {
				f++
				if (r == "")
					r = "unparsed line"
				printf "  FAILED %s: %s (%s)\n", dir,
				       field("name"), r
			}
		}
		END { printf "@counts %d %d %d\n", p, f, s }
	' "$log")
	printf '%s\n' "$out" | grep -v '^@counts ' || true
	read -r _ p f s <<-END
	$(printf '%s\n' "$out" | grep '^@counts ')
	END
	echo "  ${dir%/}/: pass=$p fail=$f skip=$s"
	tp=$((tp + p)) tf=$((tf + f)) ts=$((ts + s))
done

echo "$tp passed, $tf failed, $ts skipped"
[ "$tf" -eq 0 ]
