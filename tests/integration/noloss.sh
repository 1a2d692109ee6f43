#!/bin/sh
# SPDX-License-Identifier: MIT
# No request lost silently (noloss.c): four guest processes keep the
# queues of four accelerators full of RSA requests while the host unplugs
# and plugs adapters, domains and queues through sysfs, configures
# adapters off, check-stops, removes and restores them and removes domains
# (the control socket), and the guests reset their queues and reopen their
# device.  Every accepted request is answered exactly once with its own
# PSMID and result, or its loss is visible to its guest on that queue.
# apsim runs with a 2 ms reset delay, so the guests' own resets are seen
# in progress (RC 02) for a while.
. "$(dirname "$0")/lib.sh"
it_enter --workers 2 --reset-delay 2 "$@"

[ -x "${NOLOSS:-}" ] || {
	echo "ERROR: NOLOSS='${NOLOSS:-}' is not an executable"
	exit 1
}
ADAPTERS="10 11 12 13"
DOMAINS="20 21 22 23 24 25 26 27"
MDEVS="00000000-0000-4000-8000-0000000000a0 00000000-0000-4000-8000-0000000000a1
00000000-0000-4000-8000-0000000000a2 00000000-0000-4000-8000-0000000000a3"

# the machine: four CEX8 accelerators and eight more usage domains
ok=0
for a in $ADAPTERS; do
	"$APSIM" ctl adapter "$a" add CEX8 accel >/dev/null || ok=1
	echo "-0x$a" >/sys/bus/ap/apmask || ok=1
done
for d in $DOMAINS; do
	"$APSIM" ctl domain add "$d" >/dev/null || ok=1
	echo "-0x$d" >/sys/bus/ap/aqmask || ok=1
done
expect_eq "$ok" 0 "adapters 10-13 and domains 20-27 added, reserved for vfio_ap"

# mdev i: every adapter, domains 2i and 2i+1
ok=0
# shellcheck disable=SC2086 # word splitting is intended
set -- $DOMAINS
for u in $MDEVS; do
	echo "$u" >"$TYPE/create" || ok=1
	for a in $ADAPTERS; do
		echo "0x$a" >"$MATRIX/$u/assign_adapter" || ok=1
	done
	echo "0x$1" >"$MATRIX/$u/assign_domain" || ok=1
	echo "0x$2" >"$MATRIX/$u/assign_domain" || ok=1
	shift 2
done
expect_eq "$ok" 0 "four mdevs of 4 x 2 queues created through sysfs"

list() { echo "$@" | tr ' ' ','; }
# shellcheck disable=SC2086 # word splitting is intended
out=$("$NOLOSS" run --mdevs "$(list $MDEVS)" --adapters "$(list $ADAPTERS)" \
	--domains "$(list $DOMAINS)" \
	--events "${NOLOSS_EVENTS:-300}" --seed "${NOLOSS_SEED:-1}" 2>&1)
rc=$?
# noloss's own check lines become comments: the verdict is one check
printf '%s\n' "$out" | sed 's/^\(ok\|not ok\) - /# \1: /'
if [ "$rc" = 0 ]; then
	pass "no request lost silently, none duplicated or misdelivered"
else
	fail "no request lost silently, none duplicated or misdelivered (exit $rc)" \
		"$(printf '%s\n' "$out" | grep '^not ok\|VIOLATION\|noloss:')"
fi
# the reset delay made RC 02 (reset in progress) visible to the guests
seen=$(printf '%s\n' "$out" | sed -n 's/^# total:.*rc02-seen \([0-9]*\).*/\1/p')
if [ "${seen:-0}" -gt 0 ]; then
	pass "RC 02 seen after the guests' own resets ($seen times)"
else
	fail "RC 02 seen after the guests' own resets (${seen:-none})"
fi
it_done
