// SPDX-License-Identifier: MIT
/*
 * apctl show UUID|NAME: one mdev -- its definition, what is assigned to
 * the running mdev, what the guest gets (guest_matrix; computed with the
 * filtering rules of vfio-ap-semantics.md §3.2 where the kernel has none,
 * or predicted for an inactive mdev), and for every APQN the guest does
 * not get, why.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

struct why {
	const char *rule; /* NULL: no reason of its own */
	char *msg;
};

/* Why queue (a, d) itself cannot be in the guest; rule NULL if it can. */
static struct why queue_why(const struct ctl_hostsnap *h, unsigned int a,
			    unsigned int d)
{
	char apqn[8], *dir, *p, *drv = NULL, *cfg = NULL, *chk = NULL;
	struct why w = {0};

	apv_apqn_str(APV_APQN(a, d), apqn);
	if (!h->qci) {
		w.rule = "not-in-configuration";
		w.msg = xstrdup("the host reports no AP configuration (no "
				"QCI): nothing is passed through");
		return w;
	}
	if (!apv_bm_test(&h->cfg_apm, a) || !apv_bm_test(&h->cfg_aqm, d)) {
		w.rule = "not-in-configuration";
		w.msg = apv_bm_test(&h->cfg_apm, a) ?
				xasprintf("domain %04x is not in the host "
					  "configuration",
					  d) :
				xasprintf("adapter %02x is not in the host "
					  "configuration",
					  a);
		return w;
	}
	if (apv_bm_test(&h->apmask, a) && apv_bm_test(&h->aqmask, d)) {
		w.rule = "apqn-host-reserved";
		w.msg = xasprintf("APQN %s is reserved for the host "
				  "(apmask/aqmask)",
				  apqn);
		return w;
	}
	dir = ctl_sys_path("devices/ap/card%02x/%s", a, apqn);
	p = xasprintf("%s/driver", dir);
	if (ctl_link_base(p, &drv) == -ENOENT) {
		free(p);
		p = xasprintf("%s/config", dir);
		if (ctl_read_file(p, &cfg) == -ENOENT) {
			w.rule = "waiting-for-scan";
			w.msg = xasprintf("adapter %02x and domain %04x are in "
					  "the configuration but queue %s does "
					  "not exist yet (the AP bus has not "
					  "scanned)",
					  a, d, apqn);
		} else {
			w.rule = "not-bound";
			w.msg = xasprintf("queue %s is not bound to any driver",
					  apqn);
		}
	} else if (drv && strcmp(drv, "vfio_ap")) {
		w.rule = "not-bound";
		w.msg = xasprintf("queue %s is bound to %s, not vfio_ap", apqn,
				  drv);
	}
	free(p);
	free(cfg);
	cfg = NULL;
	if (!w.rule) {
		p = xasprintf("%s/config", dir);
		ctl_read_file(p, &cfg);
		free(p);
		p = xasprintf("%s/chkstop", dir);
		ctl_read_file(p, &chk);
		free(p);
		if ((cfg && !strcmp(cfg, "0")) || (chk && !strcmp(chk, "1"))) {
			w.rule = "reset-failed";
			w.msg = xasprintf(
				"queue %s is %s: its reset did not end "
				"normally",
				apqn,
				cfg && !strcmp(cfg, "0") ? "deconfigured" :
							   "checkstopped");
		}
	}
	free(chk);
	free(cfg);
	free(drv);
	free(dir);
	return w;
}

struct view {
	struct ctl_matrix def, asg, guest;
	bool defined, active, autostart, computed;
};

/* The kernel's filter (§3.2) over base, with the first culprit per
 * adapter in cause[a] (the APQI + 1; 0: none). */
static void filter(const struct ctl_hostsnap *h, const struct ctl_matrix *base,
		   struct ctl_matrix *g, unsigned int cause[APV_MAX_IDS])
{
	memset(g, 0, sizeof(*g));
	if (!h->qci)
		return;
	apv_bm_and(&g->m[0], &base->m[0], &h->cfg_apm);
	apv_bm_and(&g->m[1], &base->m[1], &h->cfg_aqm);
	apv_bm_and(&g->m[2], &base->m[2], &h->cfg_adm);
	for (unsigned int a = 0; a < APV_MAX_IDS; a++) {
		if (!apv_bm_test(&g->m[0], a))
			continue;
		for (unsigned int d = 0; d < APV_MAX_IDS; d++) {
			struct why w;

			if (!apv_bm_test(&g->m[1], d))
				continue;
			w = queue_why(h, a, d);
			free(w.msg);
			if (w.rule) {
				apv_bm_clear(&g->m[0], a);
				cause[a] = d + 1;
				break;
			}
		}
	}
}

/* In the definition, not in the running mdev (defined after its start). */
static struct why not_assigned(void)
{
	struct why w = {"not-assigned",
			xstrdup("in the definition, not assigned to the "
				"running mdev")};

	return w;
}

static json_t *reason_json(const struct why *w, const char *cause)
{
	if (!w->rule)
		return json_null();
	return json_pack("{s:s,s:s,s:o}", "rule", w->rule, "message", w->msg,
			 "cause", cause ? json_string(cause) : json_null());
}

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

static void print_row(const char *label, const struct view *v, int k, int wd)
{
	char *s[3] = {
		v->defined ? ctl_idlist_str(&v->def.m[k], wd) : xstrdup(""),
		v->active ? ctl_idlist_str(&v->asg.m[k], wd) : xstrdup(""),
		ctl_idlist_str(&v->guest.m[k], wd)};

	printf("%-16s %-14s %-14s %s\n", label, v->defined ? s[0] : "-",
	       v->active ? s[1] : "-", s[2]);
	for (int i = 0; i < 3; i++)
		free(s[i]);
}

static void queues(const struct ctl_hostsnap *h, const struct view *v,
		   const unsigned int cause[APV_MAX_IDS], bool text,
		   json_t *arr)
{
	const struct ctl_matrix *base = v->active ? &v->asg : &v->def;

	if (text)
		printf("%-8s %-8s %-8s %-6s %s\n", "APQN", "DEFINED",
		       "ASSIGNED", "GUEST", "REASON");
	for (unsigned int a = 0; a < APV_MAX_IDS; a++)
		for (unsigned int d = 0; d < APV_MAX_IDS; d++) {
			bool in_def = v->defined &&
				      apv_bm_test(&v->def.m[0], a) &&
				      apv_bm_test(&v->def.m[1], d);
			bool in_asg = v->active &&
				      apv_bm_test(&v->asg.m[0], a) &&
				      apv_bm_test(&v->asg.m[1], d);
			bool in_g = apv_bm_test(&v->guest.m[0], a) &&
				    apv_bm_test(&v->guest.m[1], d);
			struct why w = {0};
			char apqn[8], c[8] = "";

			if (!in_def && !in_asg)
				continue;
			apv_apqn_str(APV_APQN(a, d), apqn);
			if (!in_g && v->active && !in_asg) {
				w = not_assigned();
			} else if (!in_g) {
				w = queue_why(h, a, d);
			}
			if (!in_g && !w.rule && apv_bm_test(&base->m[1], d)) {
				/* Dropped with its whole adapter. */
				unsigned int cd = cause[a];

				if (!cd)
					for (unsigned int x = 0;
					     x < APV_MAX_IDS && !cd; x++)
						if (apv_bm_test(&base->m[1],
								x) &&
						    apv_bm_test(&h->cfg_aqm,
								x)) {
							struct why q =
								queue_why(h, a,
									  x);

							if (q.rule)
								cd = x + 1;
							free(q.msg);
						}
				if (cd) {
					struct why q = queue_why(h, a, cd - 1);

					apv_apqn_str(APV_APQN(a, cd - 1), c);
					w.rule = "adapter-filtered";
					w.msg = xasprintf(
						"adapter %02x is dropped from the "
						"guest because %s",
						a, q.msg);
					free(q.msg);
				} else {
					w.rule = "reset-failed";
					w.msg = xasprintf(
						"adapter %02x is dropped by vfio_ap "
						"although its queues are bound: a "
						"queue reset did not end normally",
						a);
				}
			}
			json_array_append_new(
				arr,
				json_pack("{s:s,s:b,s:b,s:b,s:o}", "apqn", apqn,
					  "defined", in_def, "assigned", in_asg,
					  "guest", in_g, "reason",
					  reason_json(&w, c[0] ? c : NULL)));
			if (text)
				printf("%-8s %-8s %-8s %-6s %s%s%s\n", apqn,
				       yes_no(in_def), yes_no(in_asg),
				       yes_no(in_g), w.rule ? w.rule : "-",
				       w.rule ? ": " : "", w.rule ? w.msg : "");
			free(w.msg);
		}
}

static void cdoms(const struct view *v, bool text, json_t *arr)
{
	bool header = false;

	for (unsigned int d = 0; d < APV_MAX_IDS; d++) {
		bool in_def = v->defined && apv_bm_test(&v->def.m[2], d);
		bool in_asg = v->active && apv_bm_test(&v->asg.m[2], d);
		bool in_g = apv_bm_test(&v->guest.m[2], d);
		struct why w = {0};

		if (!in_def && !in_asg)
			continue;
		if (!in_g && v->active && !in_asg) {
			w = not_assigned();
		} else if (!in_g) {
			w.rule = "not-in-configuration";
			w.msg = xasprintf("control domain %04x is not in the "
					  "host configuration",
					  d);
		}
		json_array_append_new(arr, json_pack("{s:i,s:b,s:b,s:b,s:o}",
						     "id", (int)d, "defined",
						     in_def, "assigned", in_asg,
						     "guest", in_g, "reason",
						     reason_json(&w, NULL)));
		if (text) {
			if (!header)
				printf("%-8s %-8s %-8s %-6s %s\n", "CONTROL",
				       "DEFINED", "ASSIGNED", "GUEST",
				       "REASON");
			header = true;
			printf("%04x     %-8s %-8s %-6s %s%s%s\n", d,
			       yes_no(in_def), yes_no(in_asg), yes_no(in_g),
			       w.rule ? w.rule : "-", w.rule ? ": " : "",
			       w.rule ? w.msg : "");
		}
		free(w.msg);
	}
}

int cmd_show(const struct args *a, json_t **out, struct ctl_err *e)
{
	unsigned int cause[APV_MAX_IDS] = {0};
	struct ctl_hostsnap h;
	struct view v = {0};
	struct ctl_def d;
	json_t *root, *qs, *cs;
	char uuid[37], *name = NULL;
	int r;

	if (ctl_resolve_uuid(a->operand, uuid, e))
		return -1;
	r = ctl_def_load(uuid, &d);
	if (r && r != -ENOENT)
		return ctl_fail(e, -r,
				"mdev %s: cannot read the definition: %s", uuid,
				strerror(-r));
	/* The name: the one kept in the definition (CFG_NAME_KEY), else the
	 * NAME given. */
	if (!r && d.name)
		name = xstrdup(d.name);
	else if (!apv_uuid_is(a->operand))
		name = xstrdup(a->operand);
	if (!r) {
		v.defined = true;
		v.autostart = d.autostart;
		if (strcmp(d.mdev_type, MDEV_TYPE) ||
		    ctl_def_matrix(&d, &v.def.m[0], &v.def.m[1], &v.def.m[2])) {
			ctl_def_free(&d);
			free(name);
			e->rule = "invalid-attribute";
			return ctl_fail(e, EINVAL,
					"mdev %s: the definition is not a "
					"valid " MDEV_TYPE " definition",
					uuid);
		}
		ctl_def_free(&d);
	}
	v.active = ctl_mdev_active(uuid) &&
		   !ctl_mdev_matrix(uuid, ctl_has_ap_config(), &v.asg.m[0],
				    &v.asg.m[1], &v.asg.m[2]);
	if (!v.defined && !v.active) {
		free(name);
		return ctl_fail(e, ENOENT,
				"mdev %s: neither defined nor active", uuid);
	}
	if (ctl_hostsnap_load(&h, 0, e)) {
		free(name);
		return -1;
	}
	filter(&h, v.active ? &v.asg : &v.def, &v.guest, cause);
	if (v.active) {
		struct apv_bitmap gapm, gaqm;

		/* The kernel's guest_matrix where it has one. */
		r = ctl_mdev_read_matrix(uuid, "guest_matrix", &gapm, &gaqm);
		if (r != -ENODEV) {
			v.guest.m[0] = gapm;
			v.guest.m[1] = gaqm;
		}
		v.computed = r == -ENODEV;
	} else {
		v.computed = true;
	}
	root = json_pack("{s:s,s:o,s:b,s:b,s:o}", "uuid", uuid, "name",
			 name ? json_string(name) : json_null(), "defined",
			 v.defined, "active", v.active, "autostart",
			 v.defined ? json_boolean(v.autostart) : json_null());
	json_object_set_new(root, "definition",
			    v.defined ? ctl_matrix_json(&v.def) : json_null());
	json_object_set_new(root, "assigned",
			    v.active ? ctl_matrix_json(&v.asg) : json_null());
	json_object_set_new(root, "guest", ctl_matrix_json(&v.guest));
	json_object_set_new(root, "guest_computed", json_boolean(v.computed));
	if (!a->json) {
		printf("mdev %s%s%s%s: %s%s%s%s\n", uuid, name ? " (" : "",
		       name ? name : "", name ? ")" : "",
		       v.defined ? "defined" : "not defined",
		       v.defined ? (v.autostart ? " (start auto)" :
						  " (start manual)") :
				   "",
		       v.active ? ", active" : ", not active",
		       !v.active  ? " (GUEST: what it would get)" :
		       v.computed ? " (GUEST: computed, no guest_matrix)" :
				    "");
		printf("%-16s %-14s %-14s %s\n", "", "DEFINITION", "ASSIGNED",
		       "GUEST");
		print_row("adapters", &v, 0, 2);
		print_row("domains", &v, 1, 4);
		print_row("control domains", &v, 2, 4);
	}
	qs = json_array();
	cs = json_array();
	queues(&h, &v, cause, !a->json, qs);
	cdoms(&v, !a->json, cs);
	json_object_set_new(root, "queues", qs);
	json_object_set_new(root, "control_domains", cs);
	*out = root;
	ctl_hostsnap_fini(&h);
	free(name);
	return 0;
}
