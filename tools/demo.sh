#!/bin/bash
# SPDX-License-Identifier: MIT
#
# make demo: a vfio_ap session on apsim's simulated host, with the real tools.
#
#   tools/demo.sh        (make demo sets APSIM; needs root and /dev/fuse)
#
# The script re-runs itself under `apsim exec`, which boots the default host
# (CEX8 adapters 04 accel and 05 CCA; domains 0x04 0x47 0x54; kernel 6.12)
# and serves it on /sys of a private mount namespace.  There it shows, as
# the commands an administrator types: lszcrypt -V (s390-tools 2.16, s390x,
# under qemu-user), reserving queues for vfio_ap with aqmask, an mdev
# defined and started with mdevctl, its matrix and guest_matrix, and what
# happens to guest_matrix when a queue is unbound and bound back and when
# adapter 05 is configured off and on and taken out of the configuration
# and put back (apsim ctl, the control socket).  A guest process on the
# mdev (apsim guest, guest-rsa): its AP bus, RSA requests checked against
# libcrypto, and adapter 04 unplugged and plugged back under a running
# guest, its view and its NQAPs following.  Then apctl (the project's
# CLI): the host, two guests' mdevs from one declarative file (apctl
# apply), the adapters x domains matrix, an overlapping mdev refused with
# the APQN and its owner named, and the matrix as an HTML picture (kept in
# $APV_DEMO_DIR, default /tmp/apvirt-demo).
#
# After each step the script checks what the step should have done; the
# last line is the verdict.  Exit status: 0 all checks passed, 1 a check
# failed, 77 this machine cannot run apsim (not root, no /dev/fuse, unshare
# denied).  If `make deps` recorded that the Debian mirror has no s390x
# s390-tools, the lszcrypt steps are skipped with a notice.
#
# Environment:
#   APSIM           the apsim binary (default: build/src/sim/apsim)
#   APCTL           the apctl binary (default: apctl beside apsim's build)
#   APV_DEMO_DIR    where the demo leaves its files (/tmp/apvirt-demo)
#   APV_S390_TOOLS  unpacked s390-tools (default /var/cache/apvirt/s390-tools)
# shellcheck disable=SC2317 # check() calls the predicates below
set -u

here=$(cd "$(dirname "$0")" && pwd)
APSIM=${APSIM:-$here/../build/src/sim/apsim}
APCTL=${APCTL:-$(dirname "$APSIM")/../apctl/apctl}
APV_DEMO_DIR=${APV_DEMO_DIR:-/tmp/apvirt-demo}
export APCTL APV_DEMO_DIR
APV_S390_TOOLS=${APV_S390_TOOLS:-/var/cache/apvirt/s390-tools}
export APSIM APV_S390_TOOLS

# ---- outside: prerequisites, then the same script under apsim exec --------

if [ "${APV_DEMO_INSIDE:-0}" != 1 ]; then
	skip() {
		echo "demo: SKIPPED: $*; 'make demo-lib' runs the library" \
			"demo, which needs neither"
		exit 77
	}
	[ "$(id -u)" -eq 0 ] || skip "needs root (apsim exec: unshare -m, mount)"
	[ -c /dev/fuse ] || skip "no /dev/fuse"
	unshare -m --propagation private true 2>/dev/null ||
		skip "unshare -m is not permitted here"
	[ -x "$APSIM" ] || {
		echo "demo: APSIM='$APSIM' is not an executable (make build)" >&2
		exit 1
	}
	command -v mdevctl >/dev/null || {
		echo "demo: mdevctl is missing (make deps)" >&2
		exit 1
	}
	[ -x "$APCTL" ] || {
		echo "demo: APCTL='$APCTL' is not an executable (make build)" >&2
		exit 1
	}
	APSIM=$(cd "$(dirname "$APSIM")" && pwd)/$(basename "$APSIM")
	APCTL=$(cd "$(dirname "$APCTL")" && pwd)/$(basename "$APCTL")
	APV_DEMO_INSIDE=1 exec "$APSIM" exec -- bash "$here/$(basename "$0")"
fi

# ---- inside: the commands a person types, each with its output ------------

U=4b0c0a2e-6b3b-4c51-9d2e-6f0e5a1c7d01 # the mdev's UUID
M=/sys/devices/vfio_ap/matrix/$U
export U

# `apsim` and `lszcrypt` as commands on PATH, so that every step runs as
# printed.
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
ln -s "$APSIM" "$bin/apsim"
ln -s "$APCTL" "$bin/apctl"
lsz_skip=
if [ -f "$APV_S390_TOOLS.unavailable" ]; then
	lsz_skip="s390-tools unavailable: $(head -n 1 "$APV_S390_TOOLS.unavailable")"
elif ! command -v qemu-s390x-static >/dev/null; then
	lsz_skip="qemu-s390x-static is not installed (make deps)"
elif [ ! -x "$APV_S390_TOOLS/sbin/lszcrypt" ]; then
	lsz_skip="no s390-tools in $APV_S390_TOOLS (make deps)"
else
	printf '#!/bin/sh\nexec qemu-s390x-static -L / "%s/sbin/lszcrypt" "$@"\n' \
		"$APV_S390_TOOLS" >"$bin/lszcrypt"
	chmod +x "$bin/lszcrypt"
fi
PATH=$bin:$PATH

n=0       # checks run
failed=() # descriptions of failed checks
out=      # output of the last step
rc=0      # its exit status

section() {
	printf '\n== %s ==\n' "$*"
}

# say TEXT...: narration (what to look at), one line each.
say() {
	printf '%s\n' "$@" | sed 's/^./   &/'
}

# step CMD: print the command as typed, run it, print its output.
step() {
	printf '\n$ %s\n' "$1"
	out=$(bash -c "$1" 2>&1)
	rc=$?
	[ -z "$out" ] || printf '%s\n' "$out"
	[ "$rc" -eq 0 ] || printf '[exit status %d]\n' "$rc"
}

# lsz ARGS: `lszcrypt ARGS` as a step, or the notice that it is skipped.
lsz() {
	if [ -n "$lsz_skip" ]; then
		printf '\n$ lszcrypt %s\n(skipped: %s)\n' "$*" "$lsz_skip"
		out='' rc=0
		return
	fi
	step "lszcrypt $*"
}

# check DESC CMD...: CMD must succeed.
check() {
	local desc=$1
	shift
	n=$((n + 1))
	if "$@" >/dev/null 2>&1; then
		printf '   ok: %s\n' "$desc"
	else
		printf '   FAILED: %s\n' "$desc"
		failed+=("$desc")
	fi
}

ok() { [ "$rc" -eq 0 ]; }                            # the step succeeded
out_has() { printf '%s\n' "$out" | grep -Eq -- "$1"; } # a line of its output

# is FILE WORDS: FILE's lines, joined by spaces, are WORDS.
is() {
	local v
	v=$(tr '\n' ' ' <"$1") || return 1
	[ "${v% }" = "$2" ]
}

# drivers DRIVER APQN...: every queue is bound to DRIVER ("-": to none).
drivers() {
	local d=$1 q l
	shift
	for q in "$@"; do
		l=$(readlink "/sys/bus/ap/devices/$q/driver") || l=-
		[ "${l##*/}" = "$d" ] || return 1
	done
}

# lsz_check DESC CMD...: a check of lszcrypt's output (none without it).
lsz_check() {
	[ -n "$lsz_skip" ] || check "lszcrypt: $1" "${@:2}"
}

# lsz_row ID WORDS...: the lszcrypt -V row of card or queue ID has these
# columns (ERE) in order.
lsz_row() {
	local id=$1 cols
	shift
	cols=$*
	printf '%s\n' "$out" | grep -Eq "^$id +(.* )?${cols// / +(.* )?}( |\$)"
}

# lsz_no_row ID: lszcrypt -V has no row for card or queue ID.
lsz_no_row() {
	! printf '%s\n' "$out" | grep -Eq "^$1[ .]"
}

HOST_Q=(04.0004 05.0004)                 # stay with the host
VFIO_Q=(04.0047 04.0054 05.0047 05.0054) # go to vfio_ap

# ---------------------------------------------------------------------------
section "1. The host: apsim's default topology"
say "Two CEX8 adapters (04 accelerator, 05 CCA coprocessor), usage domains" \
	"0x04 0x47 0x54, kernel 6.12.  Every queue belongs to the host's zcrypt" \
	"driver (cex4queue); lszcrypt is s390-tools 2.16 running under qemu."
lsz -V
check "cards 04 and 05 exist" test -d /sys/devices/ap/card04 -a -d /sys/devices/ap/card05
check "all six queues are bound to cex4queue" \
	drivers cex4queue "${HOST_Q[@]}" "${VFIO_Q[@]}"
lsz_check "05.0047 is a CEX8C, online, cex4queue" \
	lsz_row 05.0047 CEX8C CCA-Coproc online cex4queue
lsz_check "04 is a CEX8A accelerator" lsz_row 04 CEX8A Accelerator online cex4card

# ---------------------------------------------------------------------------
section "2. Reserve domains 0x47 and 0x54 for vfio_ap"
say "Taking the domains out of the AP bus's aqmask unbinds their queues from" \
	"cex4queue; vfio_ap, the only other driver for them, probes them."
step "echo -0x47,-0x54 > /sys/bus/ap/aqmask"
check "the aqmask write succeeded" ok
step "cat /sys/bus/ap/aqmask"
# MSB0, bit 0 is domain 0: 0x47 is the 1 bit of digit 17, 0x54 the 8 of digit 21
check "aqmask: every domain but 0x47 and 0x54" \
	test "$out" = 0xfffffffffffffffffefff7ffffffffffffffffffffffffffffffffffffffffff
lsz -V
check "04.0047 04.0054 05.0047 05.0054 moved to vfio_ap" drivers vfio_ap "${VFIO_Q[@]}"
check "04.0004 05.0004 stay with cex4queue" drivers cex4queue "${HOST_Q[@]}"
lsz_check "DRIVER of 05.0054 is vfio_ap" lsz_row 05.0054 CEX8C vfio_ap
lsz_check "DRIVER of 05.0004 is cex4queue" lsz_row 05.0004 CEX8C online cex4queue
step "grep . /sys/bus/ap/devices/*/status"
check "the vfio_ap queues are unassigned" \
	test "$(printf '%s\n' "$out" | grep -c ':unassigned$')" = 4

# ---------------------------------------------------------------------------
section "3. Define and start an mdev with mdevctl"
say "Adapters 04 and 05 with domains 0x47 and 0x54: four queues for one guest."
printf '\n$ U=%s\n' "$U"
step "mdevctl define -u \$U -p matrix -t vfio_ap-passthrough"
all=$rc
for a in assign_adapter=0x04 assign_adapter=0x05 assign_domain=0x47 \
	assign_domain=0x54 assign_control_domain=0x47; do
	step "mdevctl modify -u \$U --addattr=${a%%=*} --value=${a#*=}"
	all=$((all | rc))
done
rc=$all
check "mdevctl define and the five modify commands succeeded" ok
step "mdevctl start -u \$U"
check "mdevctl start" ok
step "mdevctl list"
check "mdevctl list shows the running mdev" \
	out_has "^$U matrix vfio_ap-passthrough manual"
step "cat /sys/devices/vfio_ap/matrix/\$U/matrix"
check "matrix: 04.0047 04.0054 05.0047 05.0054" is "$M/matrix" "${VFIO_Q[*]}"
step "cat /sys/devices/vfio_ap/matrix/\$U/guest_matrix"
check "guest_matrix: all four queues" is "$M/guest_matrix" "${VFIO_Q[*]}"
step "grep . /sys/bus/ap/devices/*/status"
check "the four queues are assigned" \
	test "$(printf '%s\n' "$out" | grep -c ':assigned$')" = 4
say "No guest is attached (no KVM): guest_matrix is the APCB vfio_ap keeps for" \
	"the guest, and its changes below are the hot plug a running guest would get."

say "" "The host cannot take back a queue the mdev holds:"
step "echo +0x47 > /sys/bus/ap/aqmask"
check "refused with EBUSY" out_has "Device or resource busy"
check "05.0047 stays with vfio_ap" drivers vfio_ap 05.0047
step "apsim ctl log"
check "the kernel log names the queue and the mdev" \
	out_has "vfio_ap_mdev $U: Can not reserve queue 04.0047 for host driver: in use by mdev"

# ---------------------------------------------------------------------------
section "4. Unbind a queue from vfio_ap and bind it back"
say "A guest gets whole adapters: without 05.0054, vfio_ap unplugs adapter 05."
step "echo 05.0054 > /sys/bus/ap/drivers/vfio_ap/unbind"
check "unbind" ok
check "05.0054 has no driver" drivers - 05.0054
step "cat /sys/devices/vfio_ap/matrix/\$U/guest_matrix"
check "guest_matrix: adapter 05 unplugged, 04 kept" \
	is "$M/guest_matrix" "04.0047 04.0054"
check "matrix still has all four queues" is "$M/matrix" "${VFIO_Q[*]}"
step "echo 05.0054 > /sys/bus/ap/drivers/vfio_ap/bind"
check "bind" ok
check "05.0054 is bound to vfio_ap again" drivers vfio_ap 05.0054
step "cat /sys/devices/vfio_ap/matrix/\$U/guest_matrix"
check "guest_matrix: adapter 05 plugged back" is "$M/guest_matrix" "${VFIO_Q[*]}"
step "cat /sys/bus/ap/devices/05.0054/status"
check "05.0054 is assigned" is /sys/bus/ap/devices/05.0054/status assigned

# ---------------------------------------------------------------------------
section "5. Configure adapter 05 off and on (the control socket: SE/HMC events)"
step "apsim ctl adapter 05 config off"
check "config off" ok
step "cat /sys/devices/ap/card05/config"
check "card05/config is 0" is /sys/devices/ap/card05/config 0
lsz -V
lsz_check "card 05 deconfig" lsz_row 05 CEX8C deconfig cex4card
lsz_check "05.0004 deconfig" lsz_row 05.0004 CEX8C deconfig cex4queue
step "cat /sys/devices/vfio_ap/matrix/\$U/guest_matrix"
check "guest_matrix unchanged" is "$M/guest_matrix" "${VFIO_Q[*]}"
say "Unchanged: the adapter is still in the LPAR's configuration (QCI), and" \
	"6.12's vfio_ap keeps queues answering 03 (deconfigured) in the guest."
step "apsim ctl adapter 05 config on"
check "config on" ok
step "cat /sys/devices/ap/card05/config"
check "card05/config is 1" is /sys/devices/ap/card05/config 1
lsz -V
lsz_check "card 05 online again" lsz_row 05 CEX8C online cex4card
step "cat /sys/devices/vfio_ap/matrix/\$U/guest_matrix"
check "guest_matrix: all four queues" is "$M/guest_matrix" "${VFIO_Q[*]}"

say "" "Taking adapter 05 out of the configuration does unplug it:"
step "apsim ctl adapter 05 remove"
check "remove" ok
check "card05 is gone" test ! -e /sys/devices/ap/card05
lsz -V
lsz_check "no card 05, no queue 05.*" lsz_no_row 05
step "cat /sys/devices/vfio_ap/matrix/\$U/guest_matrix"
check "guest_matrix: adapter 05 unplugged" is "$M/guest_matrix" "04.0047 04.0054"
check "matrix keeps adapter 05 (assigned, not present)" is "$M/matrix" "${VFIO_Q[*]}"
step "apsim ctl adapter 05 restore"
check "restore" ok
check "05.0047 05.0054 are probed by vfio_ap" drivers vfio_ap 05.0047 05.0054
check "05.0004 is probed by cex4queue" drivers cex4queue 05.0004
lsz -V
lsz_check "card 05 back, online" lsz_row 05 CEX8C online cex4card
step "cat /sys/devices/vfio_ap/matrix/\$U/guest_matrix"
check "guest_matrix: adapter 05 plugged back" is "$M/guest_matrix" "${VFIO_Q[*]}"
step "apsim ctl log"
check "the log holds the session's kernel messages" \
	out_has "Can not reserve queue 04.0047 for host driver"
say "The host's dmesg: still only the refused aqmask write of step 3; the" \
	"configuration changes and the hot plug added no messages."

# ---------------------------------------------------------------------------
# A guest process on the mdev (issue 4): apsim guest and guest-rsa attach to
# it through the control socket, as QEMU would open the vfio_ap device.
guest_demo() {
	local rsa gin gout fifo meb z
	rsa=${GUEST_RSA:-$(dirname "$APSIM")/../../tests/integration/guest-rsa}
	section "5b. A guest process on the mdev (apsim guest, libapvirt_guest)"
	if [ ! -x "$rsa" ]; then
		say "(skipped: no guest-rsa at $rsa; make build)"
		return
	fi
	ln -sf "$rsa" "$bin/guest-rsa"
	say "A guest is a process: it attaches to the mdev over apsim's control" \
		"socket (QEMU's part) and runs AP instructions against its CRYCB." \
		"lsap is what the guest's AP bus finds:"
	step "apsim guest --mdev \$U lsap"
	check "the guest sees card 04 (CEX8A) and its queues 04.0047 04.0054" \
		out_has "^04\.0054 +CEX8A +Accelerator +online"
	check "and card 05 (CEX8C) with 05.0047 05.0054" \
		out_has "^05\.0054 +CEX8C +CCA-Coproc +online"
	say "" "RSA from a guest process: fresh 2048-bit keys, ME and CRT type 50" \
		"requests on 04.0047, every result compared with libcrypto's:"
	step "guest-rsa --mdev \$U --apqn 04.0047 --bits 2048 --count 50 --irq"
	check "RSA-2048 from the guest equals libcrypto" ok

	say "" "Now a guest stays attached (the apsim guest console, one command" \
		"per line) while the host unplugs adapter 04 from the mdev."
	fifo=$bin/guest.in
	gout=$bin/guest.out
	mkfifo "$fifo"
	apsim guest --mdev "$U" --name demo <"$fifo" >"$gout" 2>&1 &
	gin=$!
	exec 7>"$fifo"
	# MEB1: 2^3 mod 15 (400 bytes); the reply's last byte is 08
	z=$(printf '%0254d' 0)
	meb=00500190000000000001000000000000${z}03${z}0f${z}02
	# gcon CMD: one console command, printed as typed, with its output
	gcon() {
		local before
		before=$(grep -c '^events ' "$gout")
		printf '%s\n' "$1" >&7
		printf 'events\n' >&7
		for _ in $(seq 200); do
			[ "$(grep -c '^events ' "$gout")" -gt "$before" ] && break
			sleep 0.02
		done
		printf '\nguest> %s\n' "$(printf '%s' "$1" | cut -c1-72)"
		out=$(awk -v n="$before" '/^events /{if (++c > n) exit; next}
			c == n' "$gout")
		[ "$1" = events ] &&
			out=$(grep '^events ' "$gout" | tail -n 1)
		printf '%s\n' "$out"
	}
	gcon lsap
	check "the console guest sees both cards" out_has "^04 +CEX8A"
	gcon "nqap apqn=04.0047 psmid=0x1 addr=0x3000 data=$meb"
	check "NQAP accepted (CC 0)" out_has "^nqap cc=0 rc=00"
	gcon "dqap apqn=04.0047 addr=0x4000 len=4096 dump=1"
	check "DQAP: the type 80 reply, 2^3 mod 15 = 8" out_has "dqap cc=0 .*data=0080.*08\$"

	step "echo 0x04 > /sys/devices/vfio_ap/matrix/\$U/unassign_adapter"
	check "unassign adapter 04" ok
	step "cat /sys/devices/vfio_ap/matrix/\$U/guest_matrix"
	check "guest_matrix: adapter 04 unplugged" is "$M/guest_matrix" "05.0047 05.0054"
	gcon events
	check "the guest was told (cfg_change: open, unplug)" out_has "cfg_change=2"
	gcon lsap
	check "the guest's AP bus: only card 05 left" lsz_no_row 04
	gcon "nqap apqn=04.0047 psmid=0x2 addr=0x3000 data=$meb"
	check "NQAP to 04.0047: RC 01, the queue is not the guest's any more" \
		out_has "^nqap cc=3 rc=01"

	step "echo 0x04 > /sys/devices/vfio_ap/matrix/\$U/assign_adapter"
	check "assign adapter 04 back" ok
	gcon lsap
	check "card 04 is back in the guest" out_has "^04\.0047 +CEX8A +Accelerator +online"
	gcon "nqap apqn=04.0047 psmid=0x3 addr=0x3000 data=$meb"
	gcon "dqap apqn=04.0047 addr=0x4000 len=4096 dump=1"
	check "traffic on 04.0047 again: 8" out_has "dqap cc=0 .*data=0080.*08\$"
	exec 7>&-
	wait "$gin"
	check "the console guest exited cleanly" test $? -eq 0
	rm -f "$fifo" "$gout"
	say "" "Another guest process, RSA-1024 on the plugged-back adapter:"
	step "guest-rsa --mdev \$U --apqn 04.0054 --bits 1024"
	check "RSA-1024 from the guest equals libcrypto" ok
}
guest_demo

# ---------------------------------------------------------------------------
section "6. Stop and undefine the mdev"
step "mdevctl stop -u \$U"
check "mdevctl stop" ok
check "the mdev is gone from /sys" test ! -e "$M"
step "grep . /sys/bus/ap/devices/*/status"
check "the queues are unassigned again" \
	test "$(printf '%s\n' "$out" | grep -c ':unassigned$')" = 4
step "mdevctl undefine -u \$U"
check "mdevctl undefine" ok
step "mdevctl list --defined"
check "no definition left" test -z "$out"

# ---------------------------------------------------------------------------
section "7. apctl: the host, two guests from one file, the matrix"
say "apctl, the project's CLI, reads and writes the same sysfs and the same" \
	"mdevctl definitions.  First the host: each queue's driver and mdev."
step "apctl host"
check "apctl host" ok
check "apctl host: 05.0047 is free for vfio_ap" \
	out_has "^05\.0047 +- +vfio_ap +unassigned +-\$"
mkdir -p "$APV_DEMO_DIR"
cd "$APV_DEMO_DIR" || exit 1
rm -f guests.json matrix.html
# (apctl apply is the declarative way; without it: apctl define + start.)
cat >guests.json <<'JSON'
{"mdevs": [
  {"name": "guest1", "adapters": "4-5", "domains": "0x47",
   "control_domains": "0x47", "active": true},
  {"name": "guest2", "adapters": "4-5", "domains": "0x54",
   "control_domains": "0x54", "active": true}
]}
JSON
say "" "Two guests, one domain each on both adapters, in one file:"
step "cat guests.json"
step "apctl apply guests.json"
check "apctl apply: defined and started both" \
	test "$rc" = 0 -a "$(printf '%s\n' "$out" | grep -c '^[0-9]*\. start ')" = 2
step "apctl matrix"
check "apctl matrix: 04 and 05 have H (0004) and the two guests' letters" \
	test "$(printf '%s\n' "$out" | grep -Ec '^  0[45]  H +A +B$')" = 2
check "apctl matrix: two mdevs, every queue in its guest" \
	test "$(printf '%s\n' "$out" | grep -c ': 2 queues, 2 in the guest;')" = 2
say "Rows are adapters, columns usage domains; H: the host's queue, a" \
	"letter: the mdev of the legend (A!: assigned but filtered out of the" \
	"guest)."

say "" "A third guest that wants 05.0047, which guest1's mdev holds:"
step "apctl define guest3 -a 5 -d 0x47 -c 0x47"
check "the definition is written (a definition claims nothing)" ok
G3=$out
step "apctl start $G3"
owner=$(apctl list --json | python3 -c 'import json,sys
print(next(m["uuid"] for m in json.load(sys.stdin)
           if "05.0047" in (m.get("matrix") or [])))')
check "refused with exit status 1" test "$rc" = 1
check "the message names the APQN 05.0047 and its owner, guest1's mdev" \
	out_has "APQN 05\.0047 is already assigned to mdev $owner"
check "no mdev for guest3 was left behind" test ! -e "/sys/devices/vfio_ap/matrix/$G3"
check "guest1's matrix is unchanged" \
	is "/sys/devices/vfio_ap/matrix/$owner/matrix" "04.0047 05.0047"
step "apctl matrix --html $APV_DEMO_DIR/matrix.html"
check "the picture is written" \
	grep -q '<svg xmlns="http://www.w3.org/2000/svg"' "$APV_DEMO_DIR/matrix.html"
say "The same matrix as a picture (open it in a browser; hover for each" \
	"queue's APQN, driver, mdev and state): $APV_DEMO_DIR/matrix.html"

say "" "An empty file owns an empty set: apply removes every mdev and definition."
echo '{"mdevs": []}' >none.json
step "apctl apply none.json"
check "apctl apply none.json" ok
check "no mdev left" test -z "$(ls /sys/devices/vfio_ap/matrix | grep -- -)"
check "no definition left" test -z "$(ls /etc/mdevctl.d/matrix 2>/dev/null)"

# ---------------------------------------------------------------------------
echo
if [ ${#failed[@]} -eq 0 ]; then
	verdict="demo: OK, all $n checks passed"
	[ -z "$lsz_skip" ] || verdict="$verdict (lszcrypt skipped: $lsz_skip)"
	echo "$verdict"
	exit 0
fi
echo "demo: FAILED, ${#failed[@]} of $n checks failed:"
printf '  %s\n' "${failed[@]}"
exit 1
