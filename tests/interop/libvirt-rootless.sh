#!/bin/bash
# SPDX-License-Identifier: MIT
#
# libvirt-events.sh without root: the same private libvirtd and the same
# checks, under a rootless `apsim exec` (a user namespace with the caller
# mapped to root, docs/apsim.md "Without root"), as a CI job on a
# GitHub-style runner would run them.  Run by root (meson), the script
# drops to `nobody` with setpriv first; run by another user, it runs as
# that user.
#
# Skips (77) when this machine cannot do it: no /dev/fuse, unprivileged
# user namespaces refused, setpriv missing, or the build not readable by
# `nobody`.
. "$(dirname "$0")/lib.sh"

script=$(realpath "$(dirname "$0")/libvirt-events.sh")

[ -c /dev/fuse ] || interop_skip "no /dev/fuse"
[ -n "${APSIM:-}" ] && [ -x "$APSIM" ] ||
	interop_error "APSIM='${APSIM:-}' is not an executable"
command -v libvirtd >/dev/null && command -v virsh >/dev/null ||
	interop_error "libvirtd/virsh missing: run" \
		"'scripts/deps.sh interop' (make deps)"

as_user=(env)
if [ "$(id -u)" -eq 0 ]; then
	command -v setpriv >/dev/null || interop_skip "no setpriv"
	as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups
		env HOME=/tmp)
fi
"${as_user[@]}" test -x "$APSIM" -a -r "$script" ||
	interop_skip "nobody cannot run $APSIM or read $script"
"${as_user[@]}" unshare -Ur true 2>/dev/null ||
	interop_skip "unprivileged user namespaces are refused here"

echo "# as $("${as_user[@]}" id -un): $APSIM exec ${APV_APSIM_ARGS:-}" \
	"-- bash $script"
# shellcheck disable=SC2086 # APV_APSIM_ARGS: options, split on purpose
exec "${as_user[@]}" APV_INTEROP_INSIDE=1 "$APSIM" exec \
	${APV_APSIM_ARGS:-} -- bash "$script"
