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
interop_enter --s390 -- ${APV_APSIM_ARGS:-}

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

# Every row of `lszcrypt` against the online/config files of its device.
expect_listing_matches_sys() {
	local listing id d c
	listing=$(lszcrypt 2>&1)
	for id in $(printf '%s\n' "$listing" | awk 'NR > 2 { print $1 }'); do
		c=${id%%.*}
		d=/sys/devices/ap/card$c
		[ "$id" = "$c" ] || d=$d/$id
		expect_eq "$(printf '%s\n' "$listing" |
			awk -v id="$id" '$1 == id { print $4 }')" \
			"$(status_of "$d")" "$1: $id STATUS matches /sys"
	done
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
expect_model "card(5)['online']" false "card 05 offline"
expect_model "card(4)['online']" true "card 04 online"
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
expect_model "card(5)['online']" true "card 05 online again"

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
expect_listing_matches_sys "lszcrypt after -d -a"
run lszcrypt
expect_eq "$(printf '%s\n' "$out" | awk 'NR > 2 { print $4 }' |
	grep -v deconfig | sort -u)" offline "lszcrypt: everything offline after -d -a"

run chzcrypt -e -a
expect_rc 0 "chzcrypt -e -a"
for c in /sys/devices/ap/card*; do
	if [ "$(sysval "$c/config")" = 1 ]; then
		expect_online "$c" 1 "${c##*/}/online is 1 after -e -a"
	else
		expect_online "$c" 0 "${c##*/} (deconfigured) stays offline"
		expect_contains "$err" "device ${c##*/} is deconfigured" \
			"chzcrypt -e -a warns about ${c##*/}"
	fi
done
expect_listing_matches_sys "lszcrypt after -e -a"

run chzcrypt -d 07
expect_rc 1 "chzcrypt -d 07 (no such card) fails"
expect_contains "$err" "cryptographic device card07 does not exist" \
	"chzcrypt -d 07 names card07"

# ---- card config off / on -------------------------------------------------

run chzcrypt --config-off 05
expect_rc 0 "chzcrypt --config-off 05"
expect_file $C5/config 0 "card05/config is 0"
expect_model "adapter(5)['configured']" false \
	"the machine configured adapter 05 off (SCLP)"
expect_model "card(5)['config']" false "card 05 config off"
expect_online $C5 0 "a deconfigured card is offline"
expect_eq "$(lsz_status 05)" deconfig "lszcrypt: card 05 deconfig"
expect_eq "$(lsz_status 04)" online "lszcrypt: card 04 still online"
# 6.12 rescans at once; 6.1 sees the queues deconfigured at its next scan.
expect_listing_matches_sys "lszcrypt after --config-off"
bus_rescan
for q in $C5/05.*; do
	expect_file "$q/config" 0 "${q##*/}/config is 0 after a bus scan"
done
expect_eq "$(lsz_status 05.0004)" deconfig "lszcrypt: 05.0004 deconfig"
expect_listing_matches_sys "lszcrypt after --config-off and a scan"

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
expect_model "adapter(5)['configured']" true \
	"the machine configured adapter 05 on (SCLP)"
expect_listing_matches_sys "lszcrypt after --config-on"
bus_rescan
for q in $C5/05.*; do
	expect_file "$q/config" 1 "${q##*/}/config is 1 after a bus scan"
done

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
# The poll thread runs only without adapter interrupts: with them the
# kernel's store succeeds without starting it, and chzcrypt's read-back
# reports the failure.
run chzcrypt -n
expect_rc 0 "chzcrypt -n"
expect_file $B/poll_thread 0 "poll_thread is 0"
expect_contains "$(lszcrypt -b)" "poll_thread is disabled" \
	"lszcrypt -b: poll thread disabled"
run chzcrypt -p
if [ "$(sysval $B/ap_interrupts)" = 1 ]; then
	expect_rc 1 "chzcrypt -p with adapter interrupts fails"
	expect_contains "$err" "unable to change poll thread setting" \
		"chzcrypt -p: unable to change poll thread setting"
	expect_file $B/poll_thread 0 "poll_thread stays 0 (interrupts)"
	expect_contains "$(lszcrypt -b)" "poll_thread is disabled" \
		"lszcrypt -b: poll thread still disabled"
else
	expect_rc 0 "chzcrypt -p"
	expect_file $B/poll_thread 1 "poll_thread is 1"
	expect_contains "$(lszcrypt -b)" "poll_thread is enabled" \
		"lszcrypt -b: poll thread enabled"
	run chzcrypt -n
	expect_rc 0 "chzcrypt -n (poll thread running)"
	expect_file $B/poll_thread 0 "poll_thread is 0 again"
fi

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
expect_model "s['bus']['ap_domain']" 71 "default domain 0x47"
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
expect_model "s['bus']['ap_domain']" 4 "default domain stays 0x04"

run chzcrypt -q 300
expect_rc 1 "chzcrypt -q 300 (above ap_max_domain_id) is refused"
expect_contains "$err" "invalid default domain" \
	"chzcrypt -q 300: invalid default domain"

interop_done
