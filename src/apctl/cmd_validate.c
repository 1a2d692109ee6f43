// SPDX-License-Identifier: MIT
/*
 * apctl validate [FILE]: every rule of rules.h over the persistent
 * definitions and the running host, or over the desired set of an apply
 * FILE.  All findings are the result (stdout); errors among them make the
 * exit status 3 (CTL_EXIT_FINDINGS), warnings alone 0.
 */
#include <stdio.h>
#include <stdlib.h>

#include "rules.h"

int cmd_validate(const struct args *a, json_t **out, struct ctl_err *e)
{
	struct ctl_findings f = {0};
	struct ctl_desired d;
	struct ctl_hostsnap h;
	size_t n = 0;

	if (ctl_hostsnap_load(&h, CTL_SNAP_DEFS, e))
		return -1;
	if (a->operand ? ctl_desired_from_file(&d, a->operand, &h, e) :
			 ctl_desired_from_defs(&d, &h, e)) {
		ctl_hostsnap_fini(&h);
		return -1;
	}
	ctl_validate(&d, &h, &f);
	for (size_t i = 0; i < d.n; i++)
		n += !d.v[i].foreign;
	*out = ctl_findings_json(&f);
	if (!a->json) {
		ctl_findings_print(&f);
		printf("%s: %zu mdev%s, %zu error%s, %zu warning%s\n",
		       a->operand ? a->operand : "definitions", n,
		       n == 1 ? "" : "s", f.errors, f.errors == 1 ? "" : "s",
		       f.warnings, f.warnings == 1 ? "" : "s");
	}
	/* A verdict, not a failure: the findings are the output. */
	if (f.errors)
		e->exit_code = CTL_EXIT_FINDINGS;
	ctl_findings_fini(&f);
	ctl_desired_fini(&d);
	ctl_hostsnap_fini(&h);
	return 0;
}
