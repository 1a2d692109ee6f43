#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Debian's chzcrypt 2.16 (s390x, under qemu-user) against apsim's tree:
# cards and queues online/offline (-e/-d, -a), card config on/off, and the
# bus settings (-p/-n, -c, -t, -q).  After each command the model's state
# is read back through /sys and lszcrypt must show it.
#
# Spec: real-tools-abi.md §3.1, §3.3.
. "$(dirname "$0")/lib.sh"
interop_enter --s390 -- --kernel "${APV_KERNEL:-6.12}"

C4=/sys/devices/ap/card04
C5=/sys/devices/ap/card05

# The STATUS column of lszcrypt for a card or queue id.
lsz_status() {
	lszcrypt 2>&1 | awk -v id="$1" '$1 == id { print $4 }'
}

# expect_online DIR VALUE MSG: DIR/online holds VALUE.
expect_online() {
	expect_file "$1/online" "$2" "$3"
}

# Every queue of a card that has an online file (bound to cex4queue).
zqueues() {
	local q
	for q in "$1"/"${1##*card}".*; do
		[ -e "$q/online" ] && echo "$q"
	done
}

# ---- a card offline and online again (its queues follow) ---------------

run chzcrypt -d 05
expect_rc 0 "chzcrypt -d 05"
expect_eq "$out$err" "" "chzcrypt -d 05 prints nothing"
expect_online $C5 0 "card05/online is 0"
for q in $(zqueues $C5); do
	expect_online "$q" 0 "${q##*/}/online follows the card (0)"
done
expect_online $C4 1 "card04 stays online"
expect_eq "$(lsz_status 05)" offline "lszcrypt: card 05 offline"
expect_eq "$(lsz_status 05.0004)" offline "lszcrypt: 05.0004 offline"
expect_eq "$(lsz_status 04)" online "lszcrypt: card 04 online"

run chzcrypt -e 05
expect_rc 0 "chzcrypt -e 05"
expect_online $C5 1 "card05/online is 1"
for q in $(zqueues $C5); do
	expect_online "$q" 1 "${q##*/}/online follows the card (1)"
done
expect_eq "$(lsz_status 05)" online "lszcrypt: card 05 online again"

# ---- one queue ----------------------------------------------------------

run chzcrypt -d 05.0004
expect_rc 0 "chzcrypt -d 05.0004"
expect_online $C5/05.0004 0 "05.0004/online is 0"
expect_online $C5 1 "card05 stays online"
expect_online $C4/04.0004 1 "04.0004 stays online"
expect_eq "$(lsz_status 05.0004)" offline "lszcrypt: 05.0004 offline"
expect_eq "$(lsz_status 05)" online "lszcrypt: card 05 online"

run chzcrypt -e 05.0004
expect_rc 0 "chzcrypt -e 05.0004"
expect_online $C5/05.0004 1 "05.0004/online is 1 again"

# ---- all cards ----------------------------------------------------------

run chzcrypt -d -a
expect_rc 0 "chzcrypt -d -a"
for c in /sys/devices/ap/card*; do
	expect_online "$c" 0 "${c##*/}/online is 0 after -d -a"
done
run lszcrypt
expect_eq "$(printf '%s\n' "$out" | awk 'NR > 2 { print $4 }' | sort -u)" \
	offline "lszcrypt: everything offline after -d -a"

run chzcrypt -e -a
expect_rc 0 "chzcrypt -e -a"
for c in /sys/devices/ap/card*; do
	expect_online "$c" 1 "${c##*/}/online is 1 after -e -a"
done
run lszcrypt
expect_eq "$(printf '%s\n' "$out" | awk 'NR > 2 { print $4 }' | sort -u)" \
	online "lszcrypt: everything online after -e -a"

run chzcrypt -d 07
expect_rc 1 "chzcrypt -d 07 (no such card) fails"
expect_contains "$err" "cryptographic device card07 does not exist" \
	"chzcrypt -d 07 names card07"

# ---- card config off / on -------------------------------------------------

run chzcrypt --config-off 05
expect_rc 0 "chzcrypt --config-off 05"
expect_file $C5/config 0 "card05/config is 0"
expect_online $C5 0 "a deconfigured card is offline"
expect_eq "$(lsz_status 05)" deconfig "lszcrypt: card 05 deconfig"
expect_eq "$(lsz_status 05.0004)" deconfig "lszcrypt: 05.0004 deconfig"
expect_eq "$(lsz_status 04)" online "lszcrypt: card 04 still online"

run chzcrypt --config-off 05
expect_rc 0 "chzcrypt --config-off 05 again"
expect_contains "$err" "device card05 is already config off" \
	"chzcrypt --config-off 05 again: already config off"

run chzcrypt -e 05
expect_rc 0 "chzcrypt -e 05 on a deconfigured card"
expect_contains "$err" "device 05 is deconfigured, can't set to online" \
	"chzcrypt -e 05 warns that card 05 is deconfigured"
expect_online $C5 0 "card05 stays offline while deconfigured"

# The kernel refuses online=1 on a deconfigured card (ENODEV); chzcrypt
# checks config first, so write it directly.
if printf 1 >$C5/online 2>/dev/null; then
	fail "online=1 on a deconfigured card is refused" "write succeeded"
else
	pass "online=1 on a deconfigured card is refused"
fi

run chzcrypt --config-on 05
expect_rc 0 "chzcrypt --config-on 05"
expect_file $C5/config 1 "card05/config is 1"
expect_eq "$(lsz_status 05)" "$(sed 's/^1$/online/;s/^0$/offline/' \
	$C5/online)" "lszcrypt: card 05 shows card05/online after config on"

run chzcrypt -e 05
expect_rc 0 "chzcrypt -e 05 after config on"
expect_online $C5 1 "card05 online after config on + enable"
for q in $(zqueues $C5); do
	expect_online "$q" 1 "${q##*/} online after config on + enable"
done
expect_eq "$(lsz_status 05)" online "lszcrypt: card 05 online"
expect_eq "$(lsz_status 05.0004)" online "lszcrypt: 05.0004 online"

# ---- a queue bound to vfio_ap has no online attribute -------------------

aqmask_write -0x47
expect_eq "$(queue_driver 05.0047)" vfio_ap "05.0047 is bound to vfio_ap"
run chzcrypt -e 05.0047
expect_rc 1 "chzcrypt -e 05.0047 (vfio_ap queue) fails"
expect_contains "$err" \
	"can't write to /sys/bus/ap/devices/card05/05.0047/online." \
	"chzcrypt -e 05.0047: no online attribute"
expect_absent $C5/05.0047/online "05.0047 still has no online file"
aqmask_write +0x47
expect_eq "$(queue_driver 05.0047)" cex4queue "05.0047 is back on cex4queue"

# ---- bus settings -------------------------------------------------------

B=/sys/bus/ap
run chzcrypt -n
expect_rc 0 "chzcrypt -n"
expect_file $B/poll_thread 0 "poll_thread is 0"
expect_contains "$(lszcrypt -b)" "poll_thread is disabled" \
	"lszcrypt -b: poll thread disabled"
run chzcrypt -p
expect_rc 0 "chzcrypt -p"
expect_file $B/poll_thread 1 "poll_thread is 1"
expect_contains "$(lszcrypt -b)" "poll_thread is enabled" \
	"lszcrypt -b: poll thread enabled"

run chzcrypt -c 60
expect_rc 0 "chzcrypt -c 60"
expect_file $B/config_time 60 "config_time is 60"
expect_contains "$(lszcrypt -b)" "config_time=60 (seconds)" \
	"lszcrypt -b: config_time=60"
run chzcrypt -c 200
expect_rc 1 "chzcrypt -c 200 (above 120) is refused"
expect_file $B/config_time 60 "config_time stays 60"

run chzcrypt -t 500000
expect_rc 0 "chzcrypt -t 500000"
expect_file $B/poll_timeout 500000 "poll_timeout is 500000"
expect_contains "$(lszcrypt -b)" "poll_timeout=500000 (nanoseconds)" \
	"lszcrypt -b: poll_timeout=500000"

run chzcrypt -q 0x47
expect_rc 0 "chzcrypt -q 0x47"
expect_file $B/ap_domain 71 "ap_domain is 71"
expect_contains "$(lszcrypt -b)" "ap_domain=0x47" "lszcrypt -b: ap_domain=0x47"
run chzcrypt -q 4
expect_rc 0 "chzcrypt -q 4"
expect_file $B/ap_domain 4 "ap_domain is 4"

# The kernel refuses a default domain that the host does not own.
aqmask_write -0x54
run chzcrypt -q 0x54
expect_rc 1 "chzcrypt -q 0x54 (not in aqmask) is refused"
expect_contains "$err" "default domain" "chzcrypt -q 0x54: error message"
expect_file $B/ap_domain 4 "ap_domain stays 4"

run chzcrypt -q 300
expect_rc 1 "chzcrypt -q 300 (above ap_max_domain_id) is refused"
expect_contains "$err" "invalid default domain" \
	"chzcrypt -q 300: invalid default domain"

interop_done
