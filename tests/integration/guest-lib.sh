# SPDX-License-Identifier: MIT
# shellcheck shell=sh
#
# Shared by the guest-*.sh integration tests (after lib.sh): goldens in
# tests/data/guest and the host set-up of a guest's mdev.
#
# Environment (tests/integration/meson.build): GUEST_RSA (guest-rsa.c),
# APV_TEST_DATA (tests/data); APV_TEST_REGENERATE=1 rewrites goldens.

U=11111111-2222-3333-4444-555555555555
V=aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee

# expect_golden NAME FILE MSG: FILE must equal tests/data/guest/NAME.
expect_golden() {
	_gf=${APV_TEST_DATA:?}/guest/$1
	if [ "${APV_TEST_REGENERATE:-0}" = 1 ]; then
		mkdir -p "$(dirname "$_gf")"
		cp "$2" "$_gf"
		pass "$3 (regenerated $1)"
		return
	fi
	if [ ! -f "$_gf" ]; then
		fail "$3" "golden file $_gf missing (APV_TEST_REGENERATE=1 creates it)"
		return
	fi
	if cmp -s "$2" "$_gf"; then
		pass "$3"
	else
		fail "$3" "$(diff -u --label "$1" --label actual "$_gf" "$2")"
	fi
}

# host_give ADAPTERS DOMAINS: take ids (hex, space-separated) from zcrypt.
host_give() {
	for _a in $1; do echo "-0x$_a" >/sys/bus/ap/apmask; done
	for _d in $2; do echo "-0x$_d" >/sys/bus/ap/aqmask; done
}

# mdev_make UUID ADAPTERS DOMAINS: create an mdev with that matrix.
mdev_make() {
	echo "$1" >"$TYPE/create"
	for _a in $2; do echo "0x$_a" >"$MATRIX/$1/assign_adapter"; done
	for _d in $3; do echo "0x$_d" >"$MATRIX/$1/assign_domain"; done
}

# wait_lines FILE N: wait (up to 10 s) until FILE has N lines.
wait_lines() {
	_i=0
	while [ "$(wc -l <"$1" 2>/dev/null || echo 0)" -lt "$2" ]; do
		_i=$((_i + 1))
		[ "$_i" -gt 200 ] && return 1
		sleep 0.05
	done
	return 0
}

# zeros N: N zero bytes as hex.
zeros() {
	printf "%0$(($1 * 2))d" 0
}

# A type 50 MEB1 request: 2^3 mod 15 = 8 (400 bytes).
MEB1_2_3_15=00500190000000000001000000000000$(zeros 127)03$(zeros 127)0f$(zeros 127)02
