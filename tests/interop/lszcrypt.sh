#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Debian's lszcrypt 2.16 (s390x, under qemu-user) against apsim's tree:
# plain, -V, -b, -c and -d, before and after domains move from the host's
# zcrypt driver to vfio_ap.  Outputs are compared with golden files
# (tests/data/interop/lszcrypt*-<kernel>.txt) and cross-checked line by line
# against the attribute files the tool read.
#
# Spec: real-tools-abi.md §3.1, §3.2.
. "$(dirname "$0")/lib.sh"
interop_enter --s390 -- ${APV_APSIM_ARGS:-}
k=${APV_GOLDEN_TAG:?}

# row OUTPUT ID: the line of a listing whose first column is ID.
row() {
	printf '%s\n' "$1" | awk -v id="$2" '$1 == id'
}

# field OUTPUT ID N: column N of that line.
field() {
	printf '%s\n' "$1" | awk -v id="$2" -v n="$3" '$1 == id { print $n }'
}

# Every card and queue of the tree against the rows of `lszcrypt -V`
# (verbose=1) or `lszcrypt` (verbose=0).
crosscheck_listing() {
	local listing=$1 verbose=$2 tag=$3 card c q id want got
	for card in /sys/devices/ap/card*; do
		c=${card##*card}
		got=$(field "$listing" "$c" 4)
		expect_eq "$got" "$(status_of "$card")" \
			"$tag: card $c STATUS matches card$c/online"
		if [ "$verbose" = 1 ]; then
			expect_eq "$(field "$listing" "$c" 10)" \
				"$(basename "$(readlink "$card/driver")")" \
				"$tag: card $c DRIVER is the driver link"
			expect_eq "$(field "$listing" "$c" 7)" \
				"$(sysval "$card/hwtype")" \
				"$tag: card $c HWTYPE is card$c/hwtype"
			# 2.16 prints depth + 1 (real-tools-abi.md §6).
			expect_eq "$(field "$listing" "$c" 8)" \
				"$(printf %02d $(($(sysval "$card/depth") + 1)))" \
				"$tag: card $c QDEPTH is depth + 1"
			expect_eq "$(field "$listing" "$c" 2)" \
				"$(sysval "$card/type")" \
				"$tag: card $c TYPE is card$c/type"
		fi
		for q in "$card"/"$c".*; do
			[ -d "$q" ] || continue
			id=${q##*/}
			if [ "$verbose" = 0 ] && [ ! -e "$q/online" ]; then
				expect_eq "$(row "$listing" "$id")" "" \
					"$tag: $id (no online file) is hidden"
				continue
			fi
			want=$(status_of "$q")
			expect_eq "$(field "$listing" "$id" 4)" "$want" \
				"$tag: $id STATUS is '$want'"
			expect_eq "$(field "$listing" "$id" 5)" \
				"$(sysval "$q/request_count")" \
				"$tag: $id REQUESTS is request_count"
			if [ "$verbose" = 1 ]; then
				expect_eq "$(field "$listing" "$id" 10)" \
					"$(queue_driver "$id")" \
					"$tag: $id DRIVER is the driver link"
			fi
		done
	done
}

# The DRIVER column of `lszcrypt -V` against the model's bindings.
crosscheck_model_drivers() {
	expect_model "' '.join(c['name'][4:] + '=' + c['driver'] + ''.join(
		' ' + q['apqn'] + '=' + (q['driver'] or '-') for q in c['queues'])
		for c in s['cards'])" \
		"$(printf '%s\n' "$1" | awk 'NR > 2 { printf "%s%s=%s", sep, $1, $10; sep = " " }')" \
		"$2: every card and queue is bound as lszcrypt -V shows"
}

# `lszcrypt -b` as 2.16 prints the bus attributes (§3.2).
expected_bus() {
	local b=/sys/bus/ap onoff
	printf 'ap_domain=0x%x\n' "$(sysval $b/ap_domain)"
	printf 'ap_max_domain_id=0x%x\n' "$(sysval $b/ap_max_domain_id)"
	onoff=disabled
	[ "$(sysval $b/ap_interrupts)" = 1 ] && onoff=enabled
	printf 'ap_interrupts are %s\n' "$onoff"
	printf 'config_time=%d (seconds)\n' "$(sysval $b/config_time)"
	onoff=disabled
	[ "$(sysval $b/poll_thread)" = 1 ] && onoff=enabled
	printf 'poll_thread is %s\n' "$onoff"
	printf 'poll_timeout=%d (nanoseconds)' "$(sysval $b/poll_timeout)"
}

# `lszcrypt -d`: the 16 x 16 grid of the usage and control domain masks.
expected_domains() {
	local u c d row col ub cb mark
	u=$(sysval /sys/bus/ap/ap_usage_domain_mask)
	c=$(sysval /sys/bus/ap/ap_control_domain_mask)
	u=${u#0x} c=${c#0x}
	printf 'DOMAIN'
	for col in $(seq 0 15); do printf ' %02x' "$col"; done
	printf '\n%s\n' "------------------------------------------------------"
	for row in $(seq 0 15); do
		printf '    %02x' $((row * 16))
		for col in $(seq 0 15); do
			d=$((row * 16 + col))
			ub=$(((0x${u:$((d / 4)):1} >> (3 - d % 4)) & 1))
			cb=$(((0x${c:$((d / 4)):1} >> (3 - d % 4)) & 1))
			case $ub$cb in
			11) mark=B ;;
			10) mark=U ;;
			01) mark=C ;;
			*) mark=. ;;
			esac
			printf '  %s' "$mark"
		done
		printf '\n'
	done
	printf '%s\n' "------------------------------------------------------"
	printf 'C: Control domain\nU: Usage domain\n'
	printf 'B: Both (Control + Usage domain)'
}

# ---- listings with every domain owned by the host ----------------------

run lszcrypt
expect_rc 0 "lszcrypt runs"
expect_golden "lszcrypt-$k.txt" "$out" "lszcrypt matches the golden file"
crosscheck_listing "$out" 0 "lszcrypt"

run lszcrypt -V
expect_rc 0 "lszcrypt -V runs"
expect_golden "lszcrypt-V-$k.txt" "$out" "lszcrypt -V matches the golden file"
crosscheck_listing "$out" 1 "lszcrypt -V"
crosscheck_model_drivers "$out" "lszcrypt -V"

# Single-device selections.
run lszcrypt -V 05
expect_rc 0 "lszcrypt -V 05 runs"
expect_eq "$(printf '%s\n' "$out" | awk 'NR > 2 { print $1 }' | sort -u |
	tr '\n' ' ')" "05 $(cd /sys/devices/ap/card05 && echo 05.*) " \
	"lszcrypt -V 05 lists card 05 and its queues only"

# ---- domains 0x47 and 0x54 go to vfio_ap (aqmask write) -----------------

aqmask_write -0x47,-0x54
check "aqmask write released 0x47 and 0x54" true
for q in 04.0047 05.0047 04.0054 05.0054; do
	expect_eq "$(queue_driver "$q")" vfio_ap "$q is bound to vfio_ap"
done
expect_eq "$(queue_driver 05.0004)" cex4queue "05.0004 stays with cex4queue"

run lszcrypt
expect_rc 0 "lszcrypt runs (vfio_ap queues)"
expect_golden "lszcrypt-vfio-$k.txt" "$out" \
	"lszcrypt (vfio_ap queues) matches the golden file"
crosscheck_listing "$out" 0 "lszcrypt (vfio_ap queues)"
expect_eq "$(row "$out" 05.0047)" "" "lszcrypt hides vfio_ap-bound 05.0047"

run lszcrypt -V
expect_rc 0 "lszcrypt -V runs (vfio_ap queues)"
expect_golden "lszcrypt-V-vfio-$k.txt" "$out" \
	"lszcrypt -V (vfio_ap queues) matches the golden file"
crosscheck_listing "$out" 1 "lszcrypt -V (vfio_ap queues)"
crosscheck_model_drivers "$out" "lszcrypt -V (vfio_ap queues)"

# ---- bus attributes -----------------------------------------------------

run lszcrypt -b
expect_rc 0 "lszcrypt -b runs"
expect_eq "$out" "$(expected_bus)" "lszcrypt -b shows the bus attributes"

# ---- capabilities -------------------------------------------------------

for c in $(cd /sys/devices/ap && echo card* | sed 's/card//g'); do
	hw=$(sysval /sys/devices/ap/card$c/hwtype)
	run lszcrypt -c "$c"
	expect_rc 0 "lszcrypt -c $c runs"
	if [ "$hw" -ge 14 ]; then
		# 2.16 decodes hwtype 6..13 only.
		expect_eq "$out" "card$c provides capability for:
Detailed capability information for card$c (hardware type $hw) is not available." \
			"lszcrypt -c $c: hwtype $hw is beyond 2.16"
	else
		expect_golden "lszcrypt-c$c-$k.txt" "$out" \
			"lszcrypt -c $c matches the golden file"
	fi
done
# The id is a number in C syntax: 10 is card0a.
run lszcrypt -c 10
expect_rc 1 "lszcrypt -c 10 (no card0a) fails"
expect_contains "$err" \
	"Error - cryptographic device card0a does not exist." \
	"lszcrypt -c 10: error names card0a"

# ---- domain grid --------------------------------------------------------

run lszcrypt -d
expect_rc 0 "lszcrypt -d runs"
expect_eq "$out" "$(expected_domains)" \
	"lszcrypt -d shows the usage and control domain masks"

interop_done
