#!/bin/bash
# SPDX-License-Identifier: MIT
#
# apctl against hostile files (issue 13, findings 3, 4, 7 and 11):
#  - a FIFO, a socket, a directory or a dangling symlink in the definitions'
#    directory is named and skipped, never opened for ever (list, validate,
#    apply --dry-run and apply; the lock is not kept meanwhile);
#  - a full (tiny tmpfs) or read-only configuration file system: apply says
#    what failed, claims no rollback when nothing was changed, and --json
#    says "ok": false; host and definitions stay as they were;
#  - the s390apconfig lock: a lock file that holds no live PID (empty,
#    garbage, a dead PID) is taken over at once; a live holder is named
#    with its PID and command;
#  - a NAME that looks like a UUID but is not one, and the empty name, are
#    refused with the culprit named.
. "$(dirname "$0")/../interop/lib.sh"
interop_enter -- ${APV_APSIM_ARGS:-}

CFG=$(mktemp -d)
RUN=$(mktemp -d)
trap 'umount -l "$CFG/tiny" 2>/dev/null; umount -l "$CFG/ro" 2>/dev/null; rm -rf "$CFG" "$RUN"' EXIT
apctl() { timeout 20 "${APCTL:?}" --config-root "$CFG" --run-root "$RUN" "$@"; }
DEFS=$CFG/mdevctl.d/matrix
LOCK=$RUN/lock/s390apconfig.lock
mkdir -p "$RUN/lock"
cd "$CFG" || exit 1
aqmask_write -0x47,-0x54

# ---- finding 3: non-regular files in the definitions' directory ----------
run apctl define g1 -a 4 -d 0x47
expect_rc 0 "define g1"
G1=$out
FIFO=11111111-2222-3333-4444-555555555555
DIRENT=11111111-2222-3333-4444-666666666666
DANGLING=11111111-2222-3333-4444-777777777777
mkfifo "$DEFS/$FIFO"
mkdir "$DEFS/$DIRENT"
ln -s /nonexistent "$DEFS/$DANGLING"
for c in list validate; do
	run apctl $c
	check "$c does not hang on a FIFO (rc $rc)" test "$rc" != 124
	expect_contains "$err" "$DEFS/$FIFO: not a regular file (a FIFO): skipped" \
		"$c names the FIFO"
	expect_contains "$err" "$DEFS/$DIRENT: not a regular file (a directory): skipped" \
		"$c names the directory"
done
run apctl list
expect_rc 0 "list with a FIFO"
expect_contains "$out" "$G1" "the regular definition is listed"
expect_lacks "$out" "$FIFO" "the FIFO is not listed"
cat >one.json <<'JSON'
{"prune": false, "mdevs": [{"name": "g2", "adapters": "5", "domains": "0x54"}]}
JSON
run apctl apply --dry-run one.json
check "apply --dry-run does not hang (rc $rc)" test "$rc" = 0
run apctl apply one.json
check "apply does not hang (rc $rc)" test "$rc" = 0
expect_absent "$LOCK" "the lock is released"
check "the FIFO is left alone" test -p "$DEFS/$FIFO"
# A symlink to a regular file is read (mdevctl reads through symlinks).
G3=$(apctl define g3 -a 5 -d 0x47)
mv "$DEFS/$G3" "$CFG/g3.def"
ln -s "$CFG/g3.def" "$DEFS/$G3"
run apctl list
expect_contains "$out" "$G3" "a symlink to a regular file is read"
rm -f "$DEFS/$G3" "$CFG/g3.def"
rm -rf "${DEFS:?}/$FIFO" "${DEFS:?}/$DIRENT" "${DEFS:?}/$DANGLING"

# ---- finding 7: the lock ------------------------------------------------------
for content in "" "garbage" "0" "-1" "12ab"; do
	printf '%s' "$content" >"$LOCK"
	run apctl define "lk" -a 4 -d 0x54
	expect_rc 0 "a lock holding '$content' (not a live PID) is taken over"
	expect_absent "$LOCK" "released after '$content'"
	run apctl undefine lk
done
sleep 1000 &
HOLDER=$!
printf '%d\n' "$HOLDER" >"$LOCK"
APCTL_TEST_LOCK_TRIES=3 run apctl define lk -a 4 -d 0x54
expect_rc 1 "a live holder keeps the lock"
expect_contains "$err" "held by PID $HOLDER (sleep)" "the holder is named"
kill "$HOLDER"
wait "$HOLDER" 2>/dev/null
run apctl define lk -a 4 -d 0x54
expect_rc 0 "the dead holder's lock is taken over"
run apctl undefine lk

# ---- finding 11: likely mistakes -------------------------------------------
for bad in 1234567-1234-1234-1234-123456789abc 12345678-1234-1234-1234-123456789abg \
	12345678-12345-1234-1234-123456789abc 12345678-1234-1234-1234-123456789ab \
	12345678123412341234123456789abc; do
	run apctl define "$bad" -a 4 -d 0x54
	expect_rc 2 "define $bad is refused"
	expect_contains "$err" "'$bad': looks like a UUID but is not one" \
		"the culprit is named ($bad)"
	run apctl show "$bad"
	expect_rc 2 "show $bad is refused"
done
run apctl define "" -a 4 -d 0x54
expect_rc 2 "the empty name is refused"
expect_contains "$err" "the empty name" "said so"
printf '{"mdevs": [{"name": "", "adapters": "4"}]}' >bad.json
run apctl apply bad.json
expect_rc 1 "apply: the empty name is refused"
expect_contains "$err" "the empty name" "said so"
printf '{"mdevs": [{"name": "1234567-1234-1234-1234-123456789abc", "adapters": "4"}]}' >bad.json
run apctl apply bad.json
expect_rc 1 "apply: a UUID-like name is refused"
expect_contains "$err" "looks like a UUID but is not one" "said so"
[ -z "$(ls -A "$DEFS" | grep -v -e "$G1" -e "$(apctl show g2 2>/dev/null | sed -n 's/^mdev \([0-9a-f-]*\).*/\1/p')")" ]
check "nothing was defined by the refused names" test $? = 0

# ---- finding 4: full and read-only file systems ----------------------------
state() {
	(cd "$1" 2>/dev/null && md5sum -- * 2>/dev/null | sort)
	apctl --config-root "$2" --json list
}
cat >two.json <<'JSON'
{"prune": false, "mdevs": [
  {"name": "g1", "adapters": "4", "domains": "0x47,0x54"},
  {"name": "g5", "adapters": "5", "domains": "0x47"}
]}
JSON
# A tiny tmpfs holding g1, then filled up.
mkdir -p "$CFG/tiny"
mount -t tmpfs -o size=64k tmpfs "$CFG/tiny" || interop_skip "cannot mount tmpfs"
T=$CFG/tiny
tapctl() { timeout 20 "${APCTL:?}" --config-root "$T" --run-root "$RUN" "$@"; }
tapctl define g1 -a 4 -d 0x47 >/dev/null
dd if=/dev/zero of="$T/fill" bs=4k 2>/dev/null
s0=$(state "$T/mdevctl.d/matrix" "$T")
run tapctl apply two.json
expect_rc 1 "apply on a full disk fails"
expect_contains "$err" "No space left on device" "ENOSPC is said"
expect_contains "$err" "nothing was changed" "nothing changed: said so"
expect_lacks "$err" "ROLLBACK INCOMPLETE" "no rollback failure claimed"
expect_lacks "$err" "nothing to roll back (" "no contradiction"
expect_eq "$(state "$T/mdevctl.d/matrix" "$T")" "$s0" "full disk: nothing changed"
run tapctl --json apply two.json
expect_rc 1 "apply --json on a full disk"
check "--json: ok false, ENOSPC, no rollback claimed" python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["ok"] is False and d["applied"] is False, d
assert d["errno"] == "ENOSPC", d
assert d["rollback_failed"] == [] and d["rolled_back"] == [], d
' "$out"
expect_eq "$(find "$T" -name '.*' | wc -l)" 0 "no temporary file left"
# Space for one new file but not two: the first define is rolled back.
cat >new.json <<'JSON'
{"prune": false, "mdevs": [
  {"name": "g6", "adapters": "5", "domains": "0x54"},
  {"name": "g7", "adapters": "4", "domains": "0x54"}
]}
JSON
rm -f "$T/fill"
dd if=/dev/zero of="$T/fill" bs=4k count=$(($(stat -f -c %a "$T") - 1)) 2>/dev/null
s0=$(state "$T/mdevctl.d/matrix" "$T")
run tapctl --json apply new.json
expect_rc 1 "the second define finds the disk full"
check "step 2 fails: ok false, step 1 rolled back" python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["ok"] is False and d["errno"] == "ENOSPC", d
assert d["failed_step"]["step"] == 2, d
assert d["rolled_back"] == [1] and d["rollback_failed"] == [], d
assert "rolled back steps 1" in d["error"], d
' "$out"
expect_eq "$(state "$T/mdevctl.d/matrix" "$T")" "$s0" "rolled back: as before"
umount "$T"

# A read-only configuration file system.
R=$CFG/ro
mkdir -p "$R"
"${APCTL:?}" --config-root "$R" --run-root "$RUN" define g1 -a 4 -d 0x47 >/dev/null
mount --bind "$R" "$R" && mount -o remount,bind,ro "$R" ||
	interop_skip "cannot remount read-only"
s0=$(state "$R/mdevctl.d/matrix" "$R")
run timeout 20 "${APCTL:?}" --config-root "$R" --run-root "$RUN" --json apply two.json
expect_rc 1 "apply on a read-only file system fails"
check "--json: ok false, EROFS, nothing to roll back" python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["ok"] is False and d["errno"] == "EROFS", d
assert d["rollback_failed"] == [] and d["rolled_back"] == [], d
assert "nothing was changed" in d["error"], d
' "$out"
expect_eq "$(state "$R/mdevctl.d/matrix" "$R")" "$s0" "read-only: nothing changed"
umount "$R"

interop_done
