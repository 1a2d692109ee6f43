# shellcheck shell=sh
# apv_user_reach DIR VAR...: the tests that run commands as an unprivileged
# user (setpriv to nobody) need those files where that user can reach them.
# A CI clone below a directory only root may enter (`mktemp -d` is 0700)
# hides the build and source trees from nobody: then each file a variable
# names is copied into DIR (the test's own scratch directory, which nobody
# can enter and which the test removes) and the variable points there.  A
# reachable file is left where it is.
apv_user_reach() {
	apv_d=$1
	shift
	for apv_v in "$@"; do
		eval "apv_p=\${$apv_v:-}"
		[ -n "$apv_p" ] || continue
		setpriv --reuid=65534 --regid=65534 --clear-groups \
			test -r "$apv_p" 2>/dev/null && continue
		cp -p "$apv_p" "$apv_d/" || return 1
		chmod a+rX "$apv_d/${apv_p##*/}"
		eval "$apv_v=\$apv_d/\${apv_p##*/}"
		export "${apv_v?}"
	done
}
