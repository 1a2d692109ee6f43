#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The bash completion (completions/apctl) sourced in bash: commands and
# options come from `apctl --help` (so they cannot drift from the binary),
# option values, UUIDs of definitions and active mdevs, files.  No apsim:
# the active mdevs come from a small tree under --sysfs-root.
. "$(dirname "$0")/../interop/lib.sh"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p $TMP/bin $TMP/cfg/mdevctl.d/matrix \
	$TMP/sys/devices/vfio_ap/matrix/22222222-3333-4444-5555-000000000002
ln -s "${APCTL:?}" $TMP/bin/apctl
PATH=$TMP/bin:$PATH
: >$TMP/cfg/mdevctl.d/matrix/11111111-2222-3333-4444-000000000001
: >$TMP/hosta.json
: >$TMP/hostb.json

# shellcheck source=../../completions/apctl
. "$(dirname "$0")/../../completions/apctl"
complete_words() { # the COMPREPLY for the words given (the last is current)
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_apctl
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}
expect_completion() { # EXPECTED WORDS...
	local want=$1
	shift
	expect_eq "$(complete_words "$@")" "$want" "'$*<TAB>'"
}

check "complete -p apctl" complete -p apctl
expect_completion "start stop" apctl st
expect_completion "release reserve" apctl re
expect_completion "--for" apctl reserve --f
expect_completion "--domains --dry-run" apctl reserve --d
expect_completion "host vfio" apctl reserve --for ""
expect_completion "libvirt" apctl export --format l
expect_completion "mdevctl" apctl import -f m
expect_completion "--timeout" apctl release --t
expect_completion "--json" apctl --js
expect_completion "migrate-check" apctl --json mi
expect_completion "" apctl stop --adapters ""
expect_completion "11111111-2222-3333-4444-000000000001 22222222-3333-4444-5555-000000000002" \
	apctl --config-root $TMP/cfg --sysfs-root $TMP/sys start ""
expect_completion "11111111-2222-3333-4444-000000000001" \
	apctl --config-root=$TMP/cfg --sysfs-root=/nonexistent export 1
expect_completion "$TMP/hosta.json $TMP/hostb.json" \
	apctl migrate-check $TMP/host
expect_completion "$TMP/hosta.json $TMP/hostb.json" \
	apctl migrate-check $TMP/hosta.json $TMP/host
expect_completion "" apctl migrate-check a b $TMP/host
expect_completion "$TMP/hosta.json $TMP/hostb.json" apctl import $TMP/host

# Every command in `apctl --help` completes, and so does each of its options.
cmds=$(apctl --help | sed -n '/^Commands:/,/^$/p' |
	sed -n 's/^  \([a-z][a-z-]*\).*/\1/p')
expect_eq "$(complete_words apctl "" | tr ' ' '\n')" "$(sort <<<"$cmds")" \
	"the commands are apctl --help's"
for c in $cmds; do
	opts=$(apctl $c --help | sed -n '/^Options:/,$p' | grep -o -- '--[a-z-]*' |
		sort)
	expect_eq "$(complete_words apctl $c -- | tr ' ' '\n')" \
		"$(grep -- '^--' <<<"$opts" | sort)" "options of $c"
done

interop_done
