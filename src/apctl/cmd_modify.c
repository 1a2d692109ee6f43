// SPDX-License-Identifier: MIT
/*
 * apctl modify UUID|NAME [--adapters L] [--domains L] [--control-domains L]
 *                        [--autostart|--manual] [--live]
 *
 * Replace the given sets in the definition (atomic write) and, with
 * --live, in the running mdev (plan.h: ctl_live_set, all or nothing).
 * The running mdev is changed first; if the definition cannot be written
 * afterwards, the running mdev is set back.  Like mdevctl modify --live,
 * --live needs an active mdev.  Modifying to what is already there writes
 * nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

static const enum opt_id set_opt[3] = {OPT_ADAPTERS, OPT_DOMAINS,
				       OPT_CONTROL_DOMAINS};
static const char *const set_what[3] = {"adapter", "domain", "control domain"};

/*
 * The definition as a matrix, and its bytes in *text (read once: the
 * backup if the new ones cannot be written); -1 with e filled if apctl
 * cannot edit it.
 */
static int load_def(const char *uuid, struct ctl_matrix *m, bool *autostart,
		    char **name, bool *defined, char **text, struct ctl_err *e)
{
	struct ctl_def d;
	int r = ctl_def_get(uuid, text);

	if (!r)
		r = *text ? ctl_def_parse(*text, &d) : -ENOENT;
	*defined = !r;
	if (r == -ENOENT)
		return 0;
	if (r)
		return ctl_fail(e, -r,
				"mdev %s: cannot read the definition: %s", uuid,
				strerror(-r));
	*autostart = d.autostart;
	*name = d.name ? xstrdup(d.name) : NULL;
	if (strcmp(d.mdev_type, MDEV_TYPE))
		ctl_fail(e, EINVAL, "mdev %s: type '%s' is not " MDEV_TYPE,
			 uuid, d.mdev_type);
	for (size_t i = 0; i < d.n_attrs && !e->msg; i++)
		if (strcmp(d.attrs[i].key, "assign_adapter") &&
		    strcmp(d.attrs[i].key, "assign_domain") &&
		    strcmp(d.attrs[i].key, "assign_control_domain"))
			ctl_fail(e, EINVAL,
				 "mdev %s: the definition has an attribute "
				 "apctl does not edit ('%s'): use mdevctl "
				 "modify",
				 uuid, d.attrs[i].key);
	if (!e->msg && ctl_def_matrix(&d, &m->m[0], &m->m[1], &m->m[2])) {
		e->rule = "invalid-attribute";
		ctl_fail(e, EINVAL,
			 "mdev %s: an assign_* value is not one number 0..255",
			 uuid);
	}
	ctl_def_free(&d);
	return e->msg ? -1 : 0;
}

static void describe(const char *uuid, const char *what, bool changed,
		     const struct ctl_matrix *m, const char *extra)
{
	char *s = ctl_matrix_str(m);

	printf("mdev %s: %s %s: %s%s\n", uuid, what,
	       changed ? "updated" : "unchanged", s, extra);
	free(s);
}

int cmd_modify(const struct args *a, json_t **out, struct ctl_err *e)
{
	unsigned int max[3] = {ctl_max_id("ap_max_adapter_id"),
			       ctl_max_id("ap_max_domain_id"),
			       ctl_max_id("ap_max_domain_id")};
	struct ctl_matrix given = {0}, def = {0}, ndef, run = {0}, nrun;
	bool live = a->set[OPT_LIVE], defined, autostart = false, nauto;
	bool def_changed, run_changed = false, ap_config = false;
	char uuid[37], *text, *old = NULL, *name = NULL;
	json_t *jdef = json_null(), *jrun = json_null();
	int r;

	if (a->set[OPT_AUTOSTART] && a->set[OPT_MANUAL]) {
		e->exit_code = 2;
		return ctl_fail(e, 0,
				"'--autostart' and '--manual' exclude "
				"each other");
	}
	for (int k = 0; k < 3; k++)
		if (a->set[set_opt[k]] && *a->val[set_opt[k]] &&
		    ctl_parse_list(set_what[k], a->val[set_opt[k]], max[k],
				   &given.m[k], e))
			return -1;
	if (ctl_resolve_uuid(a->operand, uuid, e))
		return -1;
	ctl_def_clean_temps();
	if (load_def(uuid, &def, &autostart, &name, &defined, &old, e))
		goto fail;
	if (!defined && !live) {
		ctl_fail(e, ENOENT, "mdev %s: not defined", uuid);
		goto fail;
	}
	if (live) {
		if (!ctl_mdev_active(uuid)) {
			ctl_fail(e, ENODEV,
				 "mdev %s: not active (--live changes "
				 "the running mdev; without --live only "
				 "the definition changes)",
				 uuid);
			goto fail;
		}
		ap_config = ctl_has_ap_config();
		r = ctl_mdev_matrix(uuid, ap_config, &run.m[0], &run.m[1],
				    &run.m[2]);
		if (r) {
			ctl_fail(e, -r, "mdev %s: cannot read its matrix: %s",
				 uuid, strerror(-r));
			goto fail;
		}
	}
	ndef = def;
	nrun = run;
	for (int k = 0; k < 3; k++)
		if (a->set[set_opt[k]]) {
			ndef.m[k] = given.m[k];
			nrun.m[k] = given.m[k];
		}
	nauto = a->set[OPT_AUTOSTART] ? true :
		a->set[OPT_MANUAL]    ? false :
					autostart;
	def_changed = defined &&
		      (!ctl_matrix_eq(&def, &ndef) || nauto != autostart);
	if (live) {
		run_changed = !ctl_matrix_eq(&run, &nrun);
		if (ctl_live_set(uuid, ap_config, &run, &nrun, e))
			goto fail;
	}
	if (def_changed) {
		text = ctl_def_text(ndef.m, nauto, name); /* name kept */
		r = ctl_def_put(uuid, text);
		free(text);
		/* It may have failed after the rename: put the old bytes back. */
		if (r && old)
			ctl_def_put(uuid, old);
		if (r) {
			struct ctl_err ue = {0};
			bool undone = !ctl_live_set(uuid, ap_config, &nrun,
						    &run, &ue);

			ctl_err_fini(&ue);
			free(old);
			free(name);
			return ctl_fail(e, -r,
					"mdev %s: cannot write the definition: "
					"%s%s",
					uuid, strerror(-r),
					!run_changed ? "" :
					undone	     ? " (the running mdev was "
						       "set back)" :
						       " (setting the running "
						       "mdev back failed too)");
		}
	}
	if (defined) {
		jdef = ctl_matrix_json(&ndef);
		json_object_set_new(jdef, "autostart", json_boolean(nauto));
		json_object_set_new(jdef, "changed", json_boolean(def_changed));
	}
	if (live) {
		jrun = ctl_matrix_json(&nrun);
		json_object_set_new(jrun, "changed", json_boolean(run_changed));
	}
	*out = json_pack("{s:s,s:o,s:o}", "uuid", uuid, "definition", jdef,
			 "live", jrun);
	if (!a->json) {
		if (defined)
			describe(uuid, "definition", def_changed, &ndef,
				 nauto ? ", start auto" : ", start manual");
		else
			printf("mdev %s: not defined: only the running mdev "
			       "changes\n",
			       uuid);
		if (live)
			describe(uuid, "running mdev", run_changed, &nrun,
				 !run_changed ? "" :
				 ap_config    ? " (one ap_config write)" :
						" (assign/unassign)");
	}
	free(old);
	free(name);
	return 0;
fail:
	free(old);
	free(name);
	return -1;
}
