#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Debian's zcryptctl 2.16 (s390x, under qemu-user) against apsim's tree:
# list, and, where the tree has /sys/class/zcrypt/create, create a node,
# restrict it (addap/adddom/addioctl), list it and destroy it again.  Those
# need /dev/<node> to be a character device: `apsim exec --dev` gives the
# command a private /dev whose zcrypt nodes follow the model, as udev would.
#
# Spec: real-tools-abi.md §1 (the /dev tmpfs), §3.1, §3.4.
. "$(dirname "$0")/lib.sh"
interop_enter --s390 -- --dev ${APV_APSIM_ARGS:-}

Z=/sys/class/zcrypt

# mask_bits FILE: the set bit numbers of a 0x+64-hex mask, comma separated.
mask_bits() {
	local m i out=
	m=$(sysval "$1")
	m=${m#0x}
	for i in $(seq 0 255); do
		if [ $(((0x${m:$((i / 4)):1} >> (3 - i % 4)) & 1)) = 1 ]; then
			out="$out${out:+,}$i"
		fi
	done
	echo "$out"
}

expect_exists $Z "/sys/class/zcrypt exists"
run zcryptctl list
expect_rc 0 "zcryptctl list"
expect_eq "$out" "No additional zcrypt device nodes defined" \
	"zcryptctl list: no nodes at boot"

if [ ! -e $Z/create ]; then
	# Not a failure of the tools: the tree does not model zcrypt nodes.
	echo "# $Z/create missing: zcrypt device nodes are not modelled;" \
		"create/destroy not tested"
	interop_done
fi

run zcryptctl create apvtest
expect_rc 0 "zcryptctl create apvtest"
expect_contains "$out" "Device node created" "zcryptctl create: message"
expect_exists $Z/apvtest "class/zcrypt/apvtest exists"
dev=$(sysval $Z/apvtest/dev 2>/dev/null)
expect_match "$dev" '^[0-9]+:[0-9]+$' "apvtest/dev is MAJ:MIN"
expect_eq "$(mask_bits $Z/apvtest/apmask)" "" "a new node has no adapters"
expect_model "[n['name'] for n in s['zcrypt_nodes']]" '["apvtest"]' \
	"one zcrypt node, apvtest"
expect_eq "$(stat -c '%F %t:%T' /dev/apvtest 2>&1)" \
	"character special file $(printf '%x:%x' "${dev%%:*}" "${dev##*:}")" \
	"/dev/apvtest is a character device with apvtest/dev's numbers"

run zcryptctl list
expect_rc 0 "zcryptctl list (one node)"
expect_eq "$out" "zcrypt node name:	apvtest
  device node:	/dev/apvtest
  major:minor:	$dev
  adapter:
  domains:
  ioctls:" "zcryptctl list shows apvtest"

# Restrict the node: relative mask writes through the class symlink.
run zcryptctl addap apvtest 5
expect_rc 0 "zcryptctl addap apvtest 5"
run zcryptctl adddom apvtest 0x47
expect_rc 0 "zcryptctl adddom apvtest 0x47"
run zcryptctl addioctl apvtest ZSECSENDCPRB
expect_rc 0 "zcryptctl addioctl apvtest ZSECSENDCPRB"
expect_eq "$(mask_bits $Z/apvtest/apmask)" 5 "apvtest/apmask has adapter 5"
expect_eq "$(mask_bits $Z/apvtest/aqmask)" 71 "apvtest/aqmask has domain 71"
expect_eq "$(mask_bits $Z/apvtest/ioctlmask)" 129 \
	"apvtest/ioctlmask has ZSECSENDCPRB (129)"

expect_model "[n['apmask'] for n in s['zcrypt_nodes']][0]" \
	"$(sysval $Z/apvtest/apmask)" "apvtest's apmask as in sysfs"
expect_model "[n['ioctlmask'] for n in s['zcrypt_nodes']][0]" \
	"$(sysval $Z/apvtest/ioctlmask)" "apvtest's ioctlmask as in sysfs"

run zcryptctl list
expect_contains "$out" "  adapter:	5" "zcryptctl list: adapter 5"
expect_contains "$out" "  domains:	71" "zcryptctl list: domain 71"

run zcryptctl delap apvtest 5
expect_rc 0 "zcryptctl delap apvtest 5"
expect_eq "$(mask_bits $Z/apvtest/apmask)" "" "apvtest/apmask empty again"

run zcryptctl destroy apvtest
expect_rc 0 "zcryptctl destroy apvtest"
expect_absent $Z/apvtest "class/zcrypt/apvtest is gone"
expect_absent /dev/apvtest "/dev/apvtest is gone"
expect_model "s['zcrypt_nodes']" "[]" "no zcrypt node after destroy"
run zcryptctl list
expect_eq "$out" "No additional zcrypt device nodes defined" \
	"zcryptctl list: no nodes after destroy"

# create without a name: the kernel picks zcrypt_<n>.
run zcryptctl create
expect_rc 0 "zcryptctl create (no name)"
node=$(cd $Z && for n in *; do [ -L "$n" ] && echo "$n"; done)
expect_match "$node" '^zcrypt_[0-9]+$' "the kernel named the node zcrypt_<n>"
run zcryptctl list
expect_contains "$out" "zcrypt node name:	$node" "zcryptctl list shows $node"
run zcryptctl destroy "$node"
expect_rc 0 "zcryptctl destroy $node"
expect_absent "$Z/$node" "class/zcrypt/$node is gone"

interop_done
