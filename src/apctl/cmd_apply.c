// SPDX-License-Identifier: MIT
/*
 * apctl apply FILE [--dry-run]: make the definitions and the running mdevs
 * what FILE says (docs/apctl.8, APPLY FILE).  The whole desired set is
 * validated first (rules.h; any error refuses, exit 3, nothing changed),
 * the plan is printed, then run step by step; the first failure undoes
 * every step already done (plan.h), so nothing is half-applied.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

/* "step 3 (grow mdev U) failed: MSG; rolled back steps 2, 1", from the
 * plan as ctl_plan_run() left it. */
static void explain_failure(const char *file, const struct ctl_plan *p,
			    struct ctl_err *e)
{
	const struct ctl_step *st = &p->v[p->failed];
	char *list = xstrdup(""), *t, *m = e->msg;

	for (size_t i = p->failed; i--;) {
		if (p->v[i].done)
			continue; /* its undo failed */
		t = xasprintf("%s%s%zu", list, *list ? ", " : "", i + 1);
		free(list);
		list = t;
	}
	/* Say only what happened: "nothing was changed" when the failed step
	 * was the first change and changed nothing (a write refused with
	 * ENOSPC or EROFS leaves the old file as it was). */
	if (p->n_undo_failed)
		t = xasprintf("%s%s%sROLLBACK INCOMPLETE: see rollback_failed",
			      *list ? "rolled back steps " : "", list,
			      *list ? " (" : "");
	else if (*list)
		t = xasprintf("rolled back steps %s", list);
	else if (p->failed_restored)
		t = xstrdup("its definition was put back: nothing was changed");
	else
		t = xstrdup("nothing was changed");
	e->msg = xasprintf("'%s': step %zu (%s mdev %s) failed: %s; %s%s", file,
			   p->failed + 1, ctl_step_name(st->kind), st->uuid, m,
			   t, p->n_undo_failed && *list ? ")" : "");
	free(t);
	free(m);
	free(list);
}

int cmd_apply(const struct args *a, json_t **out, struct ctl_err *e)
{
	struct ctl_findings f = {0};
	struct ctl_plan p = {0};
	struct ctl_desired d;
	struct ctl_hostsnap h;
	bool dry = a->set[OPT_DRY_RUN];
	json_t *report;
	int rc = 0;

	ctl_def_clean_temps();
	if (ctl_hostsnap_load(&h, CTL_SNAP_DEFS, e))
		return -1;
	if (ctl_desired_from_file(&d, a->operand, &h, e)) {
		ctl_hostsnap_fini(&h);
		return -1;
	}
	ctl_validate(&d, &h, &f);
	ctl_plan_build(&d, &h, &p);
	ctl_plan_check_guests(&p, &f);
	report = ctl_findings_json(&f);
	json_object_set_new(report, "dry_run", json_boolean(dry));
	json_object_set_new(report, "plan", ctl_plan_json(&p));
	*out = report;
	if (!a->json)
		ctl_findings_print(&f);
	if (f.errors) {
		json_object_set_new(report, "applied", json_false());
		ctl_findings_fail(&f, a->operand, e);
		free(e->msg);
		e->msg = xasprintf("'%s': refused, nothing changed: %zu "
				   "error%s, %zu warning%s",
				   a->operand, f.errors,
				   f.errors == 1 ? "" : "s", f.warnings,
				   f.warnings == 1 ? "" : "s");
		rc = -1;
		goto out;
	}
	if (!a->json)
		ctl_plan_print(&p);
	if (dry || !p.n) {
		json_object_set_new(report, "applied", json_false());
		goto out;
	}
	if (ctl_plan_run(&p, report, e)) {
		/* "ok" was the validation's verdict; the apply failed. */
		json_object_set_new(report, "ok", json_false());
		json_object_set_new(report, "applied", json_false());
		explain_failure(a->operand, &p, e);
		rc = -1;
		goto out;
	}
	json_object_set_new(report, "applied", json_true());
	if (!a->json)
		printf("applied %zu step%s\n", p.n, p.n == 1 ? "" : "s");
out:
	ctl_plan_fini(&p);
	ctl_findings_fini(&f);
	ctl_desired_fini(&d);
	ctl_hostsnap_fini(&h);
	return rc;
}
