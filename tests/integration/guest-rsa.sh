#!/bin/sh
# SPDX-License-Identifier: MIT
# RSA from guest processes (guest-rsa.c, libapvirt_guest): ME and CRT for
# 1024-, 2048- and 4096-bit keys through an accelerator queue of apsim
# with adapter worker threads, checked against libcrypto -- polling,
# interrupt-driven, and with a small DQAP buffer (partial DQAP continued);
# two guests with null messages and interrupt-driven waits only (no lost
# wakeup).
. "$(dirname "$0")/lib.sh"
it_enter --workers 2 "$@"
. "$(dirname "$0")/guest-lib.sh"

[ -x "${GUEST_RSA:-}" ] || {
	echo "ERROR: GUEST_RSA='${GUEST_RSA:-}' is not an executable"
	exit 1
}
host_give "04" "47"
mdev_make $U "04" "47"

# run_rsa MSG ARGS...: guest-rsa's TAP lines become ours
run_rsa() {
	_m=$1
	shift
	_o=$("$GUEST_RSA" --mdev $U --apqn 04.0047 "$@" 2>&1)
	_rc=$?
	printf '%s\n' "$_o" | grep '^#'
	if [ "$_rc" = 0 ]; then
		pass "$_m ($(printf '%s\n' "$_o" | grep -c '^ok') checks)"
	else
		fail "$_m" "$_o"
	fi
}

run_rsa "ME and CRT 1024/2048/4096, polling"
run_rsa "ME and CRT 1024/2048/4096, interrupt-driven" --irq
run_rsa "ME and CRT with a 64-byte DQAP buffer (partial DQAP)" --reply-buf 64
run_rsa "200 CRT 2048 requests, interrupt-driven" --irq --bits 2048 --count 200

# two guest processes at once on two mdevs
echo -0x54 >/sys/bus/ap/aqmask
mdev_make $V "" "54"
echo 0x04 >"$MATRIX/$V/assign_adapter"
"$GUEST_RSA" --mdev $V --apqn 04.0054 --bits 2048 --count 100 >/tmp/g2.$$ 2>&1 &
p2=$!
"$GUEST_RSA" --mdev $U --apqn 04.0047 --irq --bits 2048 --count 100 >/tmp/g1.$$ 2>&1
r1=$?
wait $p2
r2=$?
expect_eq "$r1 $r2" "0 0" "two guests at once: all results correct"
grep '^#' /tmp/g1.$$ /tmp/g2.$$

# Lost wakeups: both guests at once, null messages, every reply awaited
# with interrupt-driven waits only (no polling fallback).  Two workers
# notify while apsim's control thread handles the other guest's kick:
# every wait must end with an interruption.
"$GUEST_RSA" --mdev $V --apqn 04.0054 --irq-stress 10000 >/tmp/g2.$$ 2>&1 &
p2=$!
"$GUEST_RSA" --mdev $U --apqn 04.0047 --irq-stress 10000 >/tmp/g1.$$ 2>&1
r1=$?
wait $p2
r2=$?
if [ "$r1 $r2" = "0 0" ]; then
	pass "two guests, 10000 null messages each, interrupt-driven waits: none timed out"
else
	fail "two guests, 10000 null messages each, interrupt-driven waits: none timed out" \
		"$(cat /tmp/g1.$$ /tmp/g2.$$)"
fi
grep '^#' /tmp/g1.$$ /tmp/g2.$$
rm -f /tmp/g1.$$ /tmp/g2.$$
it_done
