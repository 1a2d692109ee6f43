#!/bin/bash
# SPDX-License-Identifier: MIT
#
# apctl host: the CARD table (type, mode, state, queues) before the QUEUE
# table, and the same "state" in --json's cards, as cards go offline
# (zcrypt online 0), check-stop and are configured off (SCLP).
#
# Spec: ecosystem.md §1 (the host's AP configuration: adapters with type,
# mode and state); real-tools-abi.md (card attributes).
. "$(dirname "$0")/../interop/lib.sh"
interop_enter -- ${APV_APSIM_ARGS:-}

apctl() { "${APCTL:?}" "$@"; }
# cards: "id state" per card from --json
cards() {
	apctl --json host | python3 -c 'import json, sys
for c in json.load(sys.stdin)["cards"]:
    print("%02x %s" % (c["id"], c["state"]))'
}
card_line() { # card_line card05: that row of the CARD table
	apctl host | awk -v c="$1" '$1 == c'
}

run apctl host
expect_rc 0 "apctl host"
expect_eq "$(sed -n '/^CARD/,/^QUEUE/p' <<<"$out")" \
	"CARD     TYPE   MODE         STATE         QUEUES
card04   CEX8A  accelerator  online        3
card05   CEX8C  cca-coproc   online        3
QUEUE    ONLINE   DRIVER     STATUS       MDEV" \
	"the CARD table comes before the QUEUE table"
expect_contains "$out" "adapters         04-05" "the mask lines stay"
expect_eq "$(cards)" "04 online
05 online" "--json: both cards online"

echo 0 >/sys/devices/ap/card04/online
expect_eq "$(card_line card04)" \
	"card04   CEX8A  accelerator  offline       3" "card04 set offline"

"$APSIM" ctl adapter 05 checkstop on >/dev/null
expect_eq "$(card_line card05)" \
	"card05   CEX8C  cca-coproc   checkstopped  3" "card05 check-stopped"
expect_eq "$(cards)" "04 offline
05 checkstopped" "--json: offline, checkstopped"
"$APSIM" ctl adapter 05 checkstop off >/dev/null

"$APSIM" ctl adapter 05 config off >/dev/null
run apctl host
expect_rc 0 "apctl host with a card configured off"
expect_match "$out" "^card05   CEX8C  cca-coproc   deconfigured  [0-9]+$" \
	"card05 deconfigured"
expect_eq "$(cards | sed -n 2p)" "05 deconfigured" "--json: deconfigured"

"$APSIM" ctl adapter 05 config on >/dev/null
echo 1 >/sys/devices/ap/card04/online
expect_eq "$(cards)" "04 online
05 online" "both back online"

interop_done
