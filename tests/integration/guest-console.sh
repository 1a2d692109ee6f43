#!/bin/sh
# SPDX-License-Identifier: MIT
# The `apsim guest` console (docs/guest.md "Guests as processes"): a
# scripted session against the golden tests/data/guest/console.txt --
# TAPQ with and without T, RC 01, QCI and its block, the program
# exceptions, AQIC and the NIB, NQAP/DQAP of a real type 50 request, a
# partial DQAP continued, ZAPQ, raw registers, parse errors and the exit
# status.  Synchronous adapters (--workers 0) keep the output exact.
. "$(dirname "$0")/lib.sh"
it_enter --workers 0 "$@"
. "$(dirname "$0")/guest-lib.sh"

host_give "04 05" "04 47"
mdev_make $U "04 05" "04 47"

out=$(mktemp)
"$APSIM" guest --mdev $U --name console >"$out" 2>&1 <<EOC
# TAPQ: without and with the facility bits; a queue outside the CRYCB
pqap fc=tapq apqn=04.0047
pqap fc=tapq apqn=04.0047 t=1
pqap fc=tapq apqn=05.0004 t=1
pqap fc=tapq apqn=04.0048
# QCI: the block shows the mdev's masks
pqap fc=qci addr=0x2000
mem read 0x2000 48
# program exceptions: misaligned QCI block, problem state, T with a bad bit
pqap fc=qci addr=0x2004
pqap fc=tapq apqn=04.0047 p=1
pqap gr0=0x00200447
# interruptions: enable, enable again (RC 07)
pqap fc=aqic apqn=04.0047 ir=1 isc=6 nib=0x1000
pqap fc=aqic apqn=04.0047 ir=1 isc=6 nib=0x1000
# an RSA ME request (2^3 mod 15), the interruption, the NIB, the reply
nqap apqn=04.0047 psmid=0x0000000100000001 addr=0x3000 data=$MEB1_2_3_15
irq 1000
mem read 0x1000 1
dqap apqn=04.0047 addr=0x4000 len=4096 dump=1
dqap apqn=04.0047 addr=0x4000 len=4096
# a partial DQAP: 100 bytes, then the same GR0 with a fresh buffer
nqap apqn=04.0047 psmid=2 addr=0x3000 data=$MEB1_2_3_15
dqap apqn=04.0047 addr=0x4000 len=100
dqap gr6=0x4000 gr7=100
dqap gr6=0x4000 gr7=0x1000
mem read 0x4000 44
# odd registers and a length of 0: specification
nqap r1=5 r2=6 apqn=04.0047 addr=0x3000 len=16
dqap apqn=04.0047 addr=0x4000 len=0
# a reset empties the queue and turns interruptions off
nqap apqn=04.0047 psmid=3 addr=0x3000 len=400
pqap fc=zapq apqn=04.0047
pqap fc=tapq apqn=04.0047
dqap apqn=04.0047 addr=0x4000 len=4096
# the CCA card answers type 50 with a type 82 error (0x20)
nqap apqn=05.0047 psmid=4 addr=0x3000 len=400
dqap apqn=05.0047 addr=0x4000 len=4096 dump=1
# errors name the token; the console goes on
pqap fc=bogus apqn=04.0047
pqap fc=tapq apqn=4.47
nqap psmid=1 data=00zz addr=0
mem read 0x200000 4
frobnicate
events
lsap
EOC
rc=$?
expect_eq "$rc" 1 "exit status 1 after failed lines"
expect_golden console.txt "$out" "console session output"

# a clean session exits 0; a CPU model without AP: operation exception
printf 'pqap fc=tapq apqn=04.0047\n' | "$APSIM" guest --mdev $U >/dev/null
expect_eq "$?" 0 "exit status 0 when every line succeeded"
got=$(printf 'pqap fc=tapq apqn=04.0047\n' |
	"$APSIM" guest --mdev $U --cpu msa3)
expect_eq "$got" "tapq pgm=0x01 operation" "no ap facility: operation exception"
got=$(printf 'pqap fc=aqic apqn=04.0047 ir=1 isc=6 nib=0x1000\n' |
	"$APSIM" guest --mdev $U --cpu ap,apqci,apft,msa3)
expect_eq "$got" "aqic pgm=0x06 specification" "no apqi facility: AQIC specification"

# attach refusals
"$APSIM" guest --mdev $V </dev/null 2>"$out"
expect_eq "$?" 1 "attach to a missing mdev fails"
expect_eq "$(grep -c ENODEV "$out")" 1 "and says ENODEV"
mkfifo "$out.fifo"
"$APSIM" guest --mdev $U --name first <"$out.fifo" >/dev/null &
pid=$!
exec 3>"$out.fifo"
echo 'events' >&3
sleep 0.2
"$APSIM" guest --mdev $U --name second </dev/null 2>"$out"
expect_eq "$?" 1 "a second guest on an open mdev fails"
expect_eq "$(grep -c EBUSY "$out")" 1 "and says EBUSY"
expect_eq "$("$APSIM" ctl --json state | jq -r '.mdevs[0].kvm')" first \
	"apsim ctl state names the guest"
exec 3>&-
wait $pid
rm -f "$out" "$out.fifo"
it_done
