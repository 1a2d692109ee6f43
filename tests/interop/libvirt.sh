#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Debian 12's unmodified libvirt 9.0 (libvirtd's node-device driver,
# virsh) against apsim's tree: a private libvirtd inside `apsim exec`
# (libvirt-lib.sh) and everything that needs no udev event:
#   * nodedev-list per capability (ap_card, ap_queue, ap_matrix,
#     mdev_types, mdev), against the model (apsim ctl state) and /sys;
#   * nodedev-dumpxml of cards, queues (host- and vfio_ap-bound: libvirt
#     reads the driver link at dump time), the matrix and an mdev that was
#     running before libvirtd started, against the tree;
#   * nodedev-define -> inactive and persistent, the mdevctl definition
#     file, nodedev-autostart (+ --disable), nodedev-undefine;
#   * the defined mdev's XML against `apctl export --format libvirt`;
#   * a libvirtd restart enumerates the same world.
# What libvirt learns only from udev events (nodedev-start/-destroy/-create,
# adapters leaving and coming back) is libvirt-events.sh.
#
# Spec: ci-integration.md §3.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/libvirt-lib.sh"
interop_enter --mdevctl -- ${APV_APSIM_ARGS:-}

U1=5f1c7c3a-1b2c-4d3e-8f40-000000000001 # running before libvirtd starts
U2=5f1c7c3a-1b2c-4d3e-8f40-000000000002 # defined through libvirt
U3=5f1c7c3a-1b2c-4d3e-8f40-000000000003 # defined, inactive, across restart
N1=$(mdev_name $U1)
N2=$(mdev_name $U2)
N3=$(mdev_name $U3)

lv_setup

# ---- the world before libvirtd: an mdev running (mdevctl) -----------------

# Domains 0x47 and 0x54 leave the host for vfio_ap.
aqmask_write -0x47,-0x54
expect_eq "$(queue_driver 05.0047)" vfio_ap "05.0047 is bound to vfio_ap"
mdev_define $U1 manual assign_adapter=5 assign_domain=0x47 \
	assign_control_domain=0x47
run mdevctl start -u $U1
expect_rc 0 "mdevctl start $U1"
expect_mdev_active $U1 05.0047 "mdev $U1 before libvirtd"

check "libvirtd starts (private sockets, nodedev driver only)" lv_start

# ---- nodedev-list per capability ------------------------------------------

expect_model "len(s['cards'])" 2 "the default preset has two cards"
cards=$(model_cards)
queues=$(model_queues)
expect_eq "$(sysfs_cards)" "$cards" "/sys/bus/ap/devices has the model's cards"
expect_eq "$(sysfs_queues)" "$queues" \
	"/sys/bus/ap/devices has the model's queues"

expect_eq "$(lv_list --cap ap_card)" "$cards" \
	"nodedev-list --cap ap_card: the model's cards"
expect_eq "$(lv_list --cap ap_queue)" "$queues" \
	"nodedev-list --cap ap_queue: the model's queues"
expect_eq "$(lv_list --cap ap_matrix)" ap_matrix \
	"nodedev-list --cap ap_matrix: the matrix device"
expect_eq "$(lv_list --cap mdev_types)" ap_matrix \
	"nodedev-list --cap mdev_types: the matrix is the only mdev parent"
expect_eq "$(lv_list --cap mdev)" "$(model_mdevs)" \
	"nodedev-list --cap mdev: the model's running mdev"
expect_eq "$(lv_list --cap mdev)" "$N1" "nodedev-list --cap mdev: $N1"
expect_eq "$(lv_list --cap mdev --inactive)" "" \
	"nodedev-list --cap mdev --inactive: none"
expect_eq "$(lv_list)" "$(printf '%s\n' ap_matrix computer "$N1" \
	$cards $queues | sort)" \
	"nodedev-list: computer, cards, queues, matrix, mdev, nothing else"

expect_eq "$(lv_info "$N1" Active)" yes "nodedev-info $N1: active"
expect_eq "$(lv_info "$N1" Persistent)" yes "nodedev-info $N1: persistent"
expect_eq "$(lv_info "$N1" Autostart)" no "nodedev-info $N1: no autostart"
expect_eq "$(lv_info "$N1" Parent)" ap_matrix "nodedev-info $N1: parent"

# ---- nodedev-dumpxml: cards, queues, matrix, mdev --------------------------

for c in 04 05; do
	vsh nodedev-dumpxml ap_card$c
	expect_rc 0 "nodedev-dumpxml ap_card$c"
	expect_eq "$out" "$(card_xml $c)" "ap_card$c XML follows the tree"
	expect_contains "$out" \
		"<name>$(model "card(0x$c)['driver']")</name>" \
		"ap_card$c XML: the model's card driver"
done
expect_contains "$(virsh -q -c "$LV_URI" nodedev-dumpxml ap_card04)" \
	"<path>/sys/devices/ap/card04</path>" "ap_card04 XML: the device path"

for q in 04.0004 05.0047 05.0054; do
	n=ap_${q%.*}_${q#*.}
	vsh nodedev-dumpxml $n
	expect_rc 0 "nodedev-dumpxml $n"
	expect_eq "$out" "$(queue_xml $q)" "$n XML follows the tree"
	expect_contains "$out" "<name>$(model "queue('$q')['driver']")</name>" \
		"$n XML: the model's queue driver"
done
vsh nodedev-dumpxml ap_04_0004
expect_contains "$out" "<name>cex4queue</name>" "ap_04_0004: cex4queue"
vsh nodedev-dumpxml ap_05_0047
expect_contains "$out" "<name>vfio_ap</name>" "ap_05_0047: vfio_ap"
expect_contains "$out" "<ap-domain>0x0047</ap-domain>" \
	"ap_05_0047: domain 0x0047"

# The driver is read at dump time: a rebind needs no event.
aqmask_write +0x54
expect_eq "$(queue_driver 05.0054)" cex4queue "05.0054 is back on the host"
vsh nodedev-dumpxml ap_05_0054
expect_eq "$out" "$(queue_xml 05.0054)" "ap_05_0054 XML after the rebind"
expect_contains "$out" "<name>cex4queue</name>" \
	"ap_05_0054: cex4queue after the rebind"
aqmask_write -0x54

vsh nodedev-dumpxml ap_matrix
expect_rc 0 "nodedev-dumpxml ap_matrix"
expect_eq "$out" "$(matrix_xml)" "ap_matrix XML follows the tree"
expect_contains "$out" "<availableInstances>65535</availableInstances>" \
	"ap_matrix: 65535 instances left (one mdev running)"
expect_contains "$out" "<name>vfio_ap</name>" "ap_matrix: driver vfio_ap"

vsh nodedev-dumpxml "$N1"
expect_rc 0 "nodedev-dumpxml $N1"
g=$(mdev_group $U1)
expect_eq "$out" "$(mdev_xml $U1 "$g" assign_adapter=5 assign_domain=0x47 \
	assign_control_domain=0x47)" \
	"$N1 XML: path, iommu group of the tree, attributes of the definition"

# ---- nodedev-define -> inactive --------------------------------------------

define_xml "$LV_DIR/u2.xml" $U2 assign_adapter=5 assign_domain=0x54 \
	assign_control_domain=0x54
vsh nodedev-define "$LV_DIR/u2.xml"
expect_rc 0 "nodedev-define $U2"
expect_eq "$out" "Node device '$N2' defined from '$LV_DIR/u2.xml'" \
	"nodedev-define names the device"
expect_file /etc/mdevctl.d/matrix/$U2 '{
  "mdev_type": "vfio_ap-passthrough",
  "start": "manual",
  "attrs": [
    {
      "assign_adapter": "5"
    },
    {
      "assign_domain": "0x54"
    },
    {
      "assign_control_domain": "0x54"
    }
  ]
}' "nodedev-define wrote mdevctl's definition (manual, attributes in order)"
run mdevctl list -d
expect_contains "$out" "$U2 matrix vfio_ap-passthrough manual" \
	"mdevctl list -d shows the definition"
expect_mdev_gone $U2 "nodedev-define starts nothing"
expect_model "uuids()" "[\"$U1\"]" "define: only $U1 in the model"
expect_eq "$(lv_list --cap mdev --inactive)" "$N2" \
	"nodedev-list --cap mdev --inactive: $N2"
expect_eq "$(lv_list --cap mdev --all)" "$(printf '%s\n' "$N1" "$N2" | sort)" \
	"nodedev-list --cap mdev --all: both mdevs"
expect_eq "$(lv_info "$N2" Active)" no "nodedev-info $N2: inactive"
expect_eq "$(lv_info "$N2" Persistent)" yes "nodedev-info $N2: persistent"
expect_eq "$(lv_info "$N2" Autostart)" no "nodedev-info $N2: no autostart"
vsh nodedev-dumpxml "$N2"
expect_eq "$out" "$(mdev_xml $U2 0 assign_adapter=5 assign_domain=0x54 \
	assign_control_domain=0x54)" "$N2 XML (inactive)"
lv2_xml=$out

# apctl's libvirt export of the same definition: libvirt adds only the
# iommu group (0 for an inactive mdev).
if [ -n "${APCTL:-}" ] && [ -x "$APCTL" ]; then
	run "$APCTL" export --format libvirt $U2
	expect_rc 0 "apctl export --format libvirt $U2"
	expect_eq "$out" "$(printf '%s\n' "$lv2_xml" |
		grep -v "<iommuGroup number='0'/>")" \
		"apctl export --format libvirt = libvirt's nodedev-dumpxml"
else
	echo "# APCTL not set: apctl export comparison not run"
fi
echo "# apctl export has no --nodedev (cards, queues, matrix):" \
	"that comparison (issue 12 item 5) is not run"

# ---- nodedev-autostart ------------------------------------------------------

vsh nodedev-autostart "$N2"
expect_rc 0 "nodedev-autostart $N2"
expect_eq "$(lv_info "$N2" Autostart)" yes "nodedev-info $N2: autostart"
expect_contains "$(cat /etc/mdevctl.d/matrix/$U2)" '"start": "auto"' \
	"the definition says start auto"
run mdevctl list -d
expect_contains "$out" "$U2 matrix vfio_ap-passthrough auto" \
	"mdevctl list -d: auto"
expect_mdev_gone $U2 "nodedev-autostart starts nothing"
vsh nodedev-autostart --disable "$N2"
expect_rc 0 "nodedev-autostart --disable $N2"
expect_eq "$(lv_info "$N2" Autostart)" no "nodedev-info $N2: no autostart"
expect_contains "$(cat /etc/mdevctl.d/matrix/$U2)" '"start": "manual"' \
	"the definition says start manual again"

# ---- nodedev-undefine -------------------------------------------------------

vsh nodedev-undefine "$N2"
expect_rc 0 "nodedev-undefine $N2"
expect_eq "$out" "Undefined node device '$N2'" "nodedev-undefine says so"
expect_absent /etc/mdevctl.d/matrix/$U2 "the definition file is gone"
run mdevctl list -d
expect_lacks "$out" "$U2" "mdevctl list -d: $U2 gone"
# (libvirt may drop the definition only when its watch on /etc/mdevctl.d
# fires.)
if lv_wait_list "$N1" 2 --cap mdev --all; then
	pass "nodedev-list --cap mdev --all: only $N1 left"
else
	fail "nodedev-list --cap mdev --all: only $N1 left within 2 s" \
		"$(lv_list --cap mdev --all)"
fi
vsh nodedev-info "$N2"
expect_rc 1 "nodedev-info of the undefined device fails"
expect_model "uuids()" "[\"$U1\"]" "undefine: the model still has $U1"

# ---- a libvirtd restart enumerates the same world --------------------------

define_xml "$LV_DIR/u3.xml" $U3 assign_adapter=4 assign_domain=0x47
vsh nodedev-define "$LV_DIR/u3.xml"
expect_rc 0 "nodedev-define $U3"

before=$(lv_world)
xml_before=$(for n in ap_card04 ap_05_0047 ap_matrix "$N1" "$N3"; do
	virsh -q -c "$LV_URI" nodedev-dumpxml "$n"
done)
expect_eq "$(printf '%s\n' "$before" | sed -n '/^\[all\]/,$p' | tail -n +2)" \
	"$(printf '%s\n' ap_matrix computer "$N1" "$N3" $cards $queues | sort)" \
	"before the restart: the model's devices and the definition"

lv_stop
vsh uri
expect_rc 1 "virsh cannot connect while libvirtd is stopped"
check "libvirtd starts again" lv_start
expect_eq "$(lv_world)" "$before" \
	"after the restart: nodedev-list per capability is the same"
expect_eq "$(for n in ap_card04 ap_05_0047 ap_matrix "$N1" "$N3"; do
	virsh -q -c "$LV_URI" nodedev-dumpxml "$n"
done)" "$xml_before" "after the restart: the same XML"
expect_eq "$(lv_info "$N1" Active)/$(lv_info "$N3" Active)" yes/no \
	"after the restart: $N1 active, $N3 inactive"

vsh nodedev-undefine "$N3"
expect_rc 0 "nodedev-undefine $N3"
lv_stop

# With libvirtd gone, mdevctl stops and removes U1.
run mdevctl stop -u $U1
expect_rc 0 "mdevctl stop $U1"
run mdevctl undefine -u $U1
expect_rc 0 "mdevctl undefine $U1"
expect_model "uuids()" "[]" "no mdev left"
expect_eq "$(find /etc/mdevctl.d -type f | wc -l)" 0 "no definition left"

interop_done
