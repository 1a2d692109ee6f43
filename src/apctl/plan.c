// SPDX-License-Identifier: MIT
/* apctl: changes with rollback -- live matrices, definitions, plans. */
#include "plan.h"
#include "queues.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apvirt/format.h>

/* ---- matrices ------------------------------------------------------------- */

bool ctl_matrix_eq(const struct ctl_matrix *a, const struct ctl_matrix *b)
{
	return !memcmp(a, b, sizeof(*a));
}

json_t *ctl_matrix_json(const struct ctl_matrix *m)
{
	return json_pack("{s:o,s:o,s:o}", "adapters", ctl_idlist_json(&m->m[0]),
			 "domains", ctl_idlist_json(&m->m[1]),
			 "control_domains", ctl_idlist_json(&m->m[2]));
}

char *ctl_matrix_str(const struct ctl_matrix *m)
{
	char *a = ctl_idlist_str(&m->m[0], 2), *d = ctl_idlist_str(&m->m[1], 4);
	char *c = ctl_idlist_str(&m->m[2], 4);
	char *s =
		xasprintf("adapters %s domains %s control domains %s", a, d, c);

	free(a);
	free(d);
	free(c);
	return s;
}

/* ---- live changes ----------------------------------------------------------- */

static const char *const assign_attr[3] = {"assign_adapter", "assign_domain",
					   "assign_control_domain"};
static const char *const unassign_attr[3] = {
	"unassign_adapter", "unassign_domain", "unassign_control_domain"};

static int sys_write(const char *uuid, const char *attr, const char *val)
{
	int r = ctl_test_point();

	return r ? r : ctl_mdev_write(uuid, attr, val);
}

static int write_ap_config(const char *uuid, const struct ctl_matrix *m)
{
	struct apv_strbuf sb = APV_STRBUF_INIT;
	int r = apv_fmt_ap_config(&sb, &m->m[0], &m->m[1], &m->m[2]);

	if (r)
		abort(); /* out of memory, as xmalloc() */
	r = sys_write(uuid, "ap_config", apv_sb_str(&sb));
	apv_sb_free(&sb);
	return r;
}

struct op {
	const char *attr, *undo;
	unsigned int id;
};

/* The writes from -> to: removals first, then additions. */
static size_t live_ops(const struct ctl_matrix *from,
		       const struct ctl_matrix *to, struct op **ops)
{
	size_t n = 0;

	*ops = xcalloc((size_t)6 * APV_MAX_IDS, sizeof(**ops));
	for (int pass = 0; pass < 2; pass++)
		for (int k = 0; k < 3; k++)
			for (unsigned int i = 0; i < APV_MAX_IDS; i++) {
				bool f = apv_bm_test(&from->m[k], i);
				bool t = apv_bm_test(&to->m[k], i);

				if (pass == 0 && f && !t)
					(*ops)[n++] =
						(struct op){unassign_attr[k],
							    assign_attr[k], i};
				else if (pass == 1 && !f && t)
					(*ops)[n++] = (struct op){
						assign_attr[k],
						unassign_attr[k], i};
			}
	return n;
}

int ctl_live_set(const char *uuid, bool ap_config,
		 const struct ctl_matrix *from, const struct ctl_matrix *to,
		 struct ctl_err *e)
{
	struct op *ops;
	size_t n, done;
	int r = 0;

	if (ctl_matrix_eq(from, to))
		return 0;
	if (ap_config) {
		r = write_ap_config(uuid, to);
		if (r)
			ctl_explain_now(uuid, -r, &to->m[0], &to->m[1], e);
		return r ? -1 : 0;
	}
	n = live_ops(from, to, &ops);
	for (done = 0; done < n; done++) {
		char v[8];

		snprintf(v, sizeof(v), "0x%x", ops[done].id);
		r = sys_write(uuid, ops[done].attr, v);
		if (r)
			break;
	}
	if (r) {
		const struct op *o = &ops[done];
		bool undo_failed = false;

		ctl_explain_now(uuid, -r, &to->m[0], &to->m[1], e);
		while (done--) {
			char v[8];

			snprintf(v, sizeof(v), "0x%x", ops[done].id);
			undo_failed |= sys_write(uuid, ops[done].undo, v) != 0;
		}
		if (undo_failed) {
			char *m = e->msg;

			e->msg =
				xasprintf("%s (%s 0x%x failed; undoing the "
					  "earlier writes failed too: the mdev "
					  "is left changed)",
					  m, o->attr, o->id);
			free(m);
		}
	}
	free(ops);
	return r ? -1 : 0;
}

int ctl_live_create(const char *uuid, bool ap_config,
		    const struct ctl_matrix *m, struct ctl_err *e)
{
	static const struct ctl_matrix empty;
	char *create = ctl_sys_path(MATRIX "/mdev_supported_types/" MDEV_TYPE
					   "/create");
	int r = ctl_test_point();

	if (!r)
		r = ctl_write_file(create, uuid);
	free(create);
	if (r)
		return ctl_fail(e, -r, "mdev %s: cannot create: %s", uuid,
				strerror(-r));
	if (ctl_live_set(uuid, ap_config, &empty, m, e)) {
		ctl_mdev_write(uuid, "remove", "1");
		return -1;
	}
	return 0;
}

int ctl_live_remove(const char *uuid, struct ctl_err *e)
{
	int r = sys_write(uuid, "remove", "1");

	if (r)
		return ctl_fail(e, -r, "mdev %s: cannot remove: %s", uuid,
				strerror(-r));
	return 0;
}

/* ---- plans -------------------------------------------------------------------- */

static const char *const step_names[] = {
	[CTL_STEP_UNDEFINE] = "undefine", [CTL_STEP_DEFINE] = "define",
	[CTL_STEP_REDEFINE] = "redefine", [CTL_STEP_STOP] = "stop",
	[CTL_STEP_SHRINK] = "shrink",	  [CTL_STEP_GROW] = "grow",
	[CTL_STEP_START] = "start",
};

const char *ctl_step_name(enum ctl_step_kind k)
{
	return step_names[k];
}

static struct ctl_step *add_step(struct ctl_plan *p, enum ctl_step_kind k,
				 const char *uuid, const char *name)
{
	struct ctl_step *s;

	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 16;
		p->v = xrealloc(p->v, p->cap * sizeof(*p->v));
	}
	s = &p->v[p->n++];
	memset(s, 0, sizeof(*s));
	s->kind = k;
	snprintf(s->uuid, sizeof(s->uuid), "%s", uuid);
	s->name = name ? xstrdup(name) : NULL;
	return s;
}

static void spec_matrix(const struct ctl_spec *s, struct ctl_matrix *m)
{
	m->m[0] = s->apm;
	m->m[1] = s->aqm;
	m->m[2] = s->adm;
}

static void run_matrix(const struct ctl_running *r, struct ctl_matrix *m)
{
	m->m[0] = r->apm;
	m->m[1] = r->aqm;
	m->m[2] = r->adm;
}

/* The definition as apctl would write it for s (same type, start, only
 * assign_* attributes, same matrix, the name s gives kept). */
static bool def_same(const struct ctl_defent *x, const struct ctl_spec *s)
{
	struct ctl_matrix m, want;
	bool same;

	if (x->err)
		return false;
	same = !strcmp(x->def.mdev_type, MDEV_TYPE) &&
	       x->def.autostart == s->autostart &&
	       (!s->name || (x->def.name && !strcmp(x->def.name, s->name)));
	for (size_t i = 0; same && i < x->def.n_attrs; i++)
		same = !strncmp(x->def.attrs[i].key, "assign_", 7);
	if (same && !ctl_def_matrix(&x->def, &m.m[0], &m.m[1], &m.m[2])) {
		spec_matrix(s, &want);
		same = ctl_matrix_eq(&m, &want);
	} else {
		same = false;
	}
	return same;
}

/* The name kept in uuid's definition (CFG_NAME_KEY), or NULL. */
static const char *def_name(const struct ctl_hostsnap *h, const char *uuid)
{
	const struct ctl_defent *x = ctl_defs_find(&h->defs, uuid);

	return x && !x->err ? x->def.name : NULL;
}

static void plan_defs(const struct ctl_desired *d, const struct ctl_hostsnap *h,
		      struct ctl_plan *p)
{
	if (d->prune && !h->defs_err) {
		for (size_t i = 0; i < h->defs.n; i++) {
			const struct ctl_defent *x = &h->defs.v[i];

			if (ctl_desired_find(d, x->uuid) || x->err)
				continue;
			if (!strcmp(x->def.mdev_type, MDEV_TYPE))
				add_step(p, CTL_STEP_UNDEFINE, x->uuid,
					 x->def.name)
					->old_text = xstrdup(x->text);
		}
	}
	for (size_t i = 0; i < d->n; i++) {
		const struct ctl_spec *sp = &d->v[i];
		const struct ctl_defent *x = ctl_defs_find(&h->defs, sp->uuid);
		struct ctl_step *s;
		struct ctl_matrix m;

		if (sp->foreign)
			continue;
		if (x && x->text && def_same(x, sp))
			continue;
		spec_matrix(sp, &m);
		s = add_step(p,
			     x && x->text ? CTL_STEP_REDEFINE : CTL_STEP_DEFINE,
			     sp->uuid, sp->name);
		s->old_text = x && x->text ? xstrdup(x->text) : NULL;
		s->new_text = ctl_def_text(m.m, sp->autostart, sp->name);
		s->to = m;
	}
}

void ctl_plan_build(const struct ctl_desired *d, const struct ctl_hostsnap *h,
		    struct ctl_plan *p)
{
	memset(p, 0, sizeof(*p));
	p->ap_config = h->ap_config;
	plan_defs(d, h, p);
	for (size_t i = 0; i < h->n_run; i++) {
		const struct ctl_running *r = &h->run[i];
		const struct ctl_spec *sp = ctl_desired_find(d, r->uuid);

		if ((!sp && d->prune) || (sp && !sp->foreign && !sp->active))
			run_matrix(r, &add_step(p, CTL_STEP_STOP, r->uuid,
						sp ? sp->name :
						     def_name(h, r->uuid))
					       ->from);
	}
	/* Shrink every mdev that changes before any grows (no collision). */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < h->n_run; i++) {
			const struct ctl_running *r = &h->run[i];
			const struct ctl_spec *sp =
				ctl_desired_find(d, r->uuid);
			struct ctl_matrix from, to, mid;
			struct ctl_step *s;

			if (!sp || sp->foreign || !sp->active)
				continue;
			run_matrix(r, &from);
			spec_matrix(sp, &to);
			for (int k = 0; k < 3; k++)
				apv_bm_and(&mid.m[k], &from.m[k], &to.m[k]);
			if (pass == 0 && !ctl_matrix_eq(&from, &mid)) {
				s = add_step(p, CTL_STEP_SHRINK, r->uuid,
					     sp->name);
				s->from = from;
				s->to = mid;
			} else if (pass == 1 && !ctl_matrix_eq(&mid, &to)) {
				s = add_step(p, CTL_STEP_GROW, r->uuid,
					     sp->name);
				s->from = mid;
				s->to = to;
			}
		}
	}
	for (size_t i = 0; i < d->n; i++) {
		const struct ctl_spec *sp = &d->v[i];

		if (!sp->foreign && sp->active &&
		    !ctl_hostsnap_find(h, sp->uuid))
			spec_matrix(sp, &add_step(p, CTL_STEP_START, sp->uuid,
						  sp->name)
						 ->to);
	}
}

void ctl_plan_check_guests(struct ctl_plan *p, struct ctl_findings *f)
{
	for (size_t i = 0; i < p->n; i++) {
		struct ctl_step *s = &p->v[i];
		struct ctl_mdev_view m = {0};
		struct ctl_err e = {0};

		if (s->kind != CTL_STEP_STOP)
			continue;
		snprintf(m.uuid, sizeof(m.uuid), "%s", s->uuid);
		m.apm = s->from.m[0];
		m.aqm = s->from.m[1];
		if (ctl_remove_check_guest(&m, &s->guest, &e))
			ctl_findings_add(f, CTL_SEV_ERROR, e.rule, s->uuid,
					 NULL, NULL, e.msg);
		ctl_err_fini(&e);
	}
}

void ctl_plan_fini(struct ctl_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].name);
		free(p->v[i].old_text);
		free(p->v[i].new_text);
	}
	free(p->v);
	memset(p, 0, sizeof(*p));
}

static bool has_from(enum ctl_step_kind k)
{
	return k == CTL_STEP_STOP || k == CTL_STEP_SHRINK || k == CTL_STEP_GROW;
}

static bool has_to(enum ctl_step_kind k)
{
	return k != CTL_STEP_STOP && k != CTL_STEP_UNDEFINE;
}

static json_t *step_json(const struct ctl_step *s, size_t i)
{
	json_t *o = json_pack("{s:I,s:s,s:s,s:o}", "step", (json_int_t)i + 1,
			      "action", step_names[s->kind], "mdev", s->uuid,
			      "name",
			      s->name ? json_string(s->name) : json_null());

	json_object_set_new(o, "from",
			    has_from(s->kind) ? ctl_matrix_json(&s->from) :
						json_null());
	json_object_set_new(o, "to",
			    has_to(s->kind) ? ctl_matrix_json(&s->to) :
					      json_null());
	if (s->kind == CTL_STEP_STOP)
		json_object_set_new(o, "guest_attached",
				    json_boolean(s->guest));
	if (s->kind == CTL_STEP_DEFINE || s->kind == CTL_STEP_REDEFINE) {
		bool a = strstr(s->new_text, "\"start\": \"auto\"") != NULL;

		json_object_set_new(o, "autostart", json_boolean(a));
	}
	return o;
}

json_t *ctl_plan_json(const struct ctl_plan *p)
{
	json_t *a = json_array();

	for (size_t i = 0; i < p->n; i++)
		json_array_append_new(a, step_json(&p->v[i], i));
	return a;
}

static char *step_str(const struct ctl_step *s)
{
	char *what = NULL, *m, *r;

	switch (s->kind) {
	case CTL_STEP_UNDEFINE:
		what = xstrdup("remove the definition");
		break;
	case CTL_STEP_STOP:
		what = xstrdup(s->guest ? "remove the running mdev (a guest is "
					  "attached: the kernel asks it to "
					  "let go)" :
					  "remove the running mdev");
		break;
	case CTL_STEP_DEFINE:
	case CTL_STEP_REDEFINE:
		m = ctl_matrix_str(&s->to);
		what = xasprintf("%s, start %s", m,
				 strstr(s->new_text, "\"start\": \"auto\"") ?
					 "auto" :
					 "manual");
		free(m);
		break;
	default:
		m = ctl_matrix_str(&s->to);
		what = xstrdup(m);
		free(m);
	}
	r = xasprintf("%-8s mdev %s%s%s%s: %s", step_names[s->kind], s->uuid,
		      s->name ? " (" : "", s->name ? s->name : "",
		      s->name ? ")" : "", what);
	free(what);
	return r;
}

void ctl_plan_print(const struct ctl_plan *p)
{
	if (!p->n)
		puts("nothing to do");
	for (size_t i = 0; i < p->n; i++) {
		char *s = step_str(&p->v[i]);

		printf("%zu. %s\n", i + 1, s);
		free(s);
	}
}

static int step_do(const struct ctl_step *s, bool ap_config, struct ctl_err *e)
{
	int r;

	switch (s->kind) {
	case CTL_STEP_UNDEFINE:
	case CTL_STEP_DEFINE:
	case CTL_STEP_REDEFINE:
		r = ctl_def_put(s->uuid, s->new_text);
		if (r)
			return ctl_fail(e, -r,
					"mdev %s: cannot write the definition: "
					"%s",
					s->uuid, strerror(-r));
		return 0;
	case CTL_STEP_STOP:
		return ctl_live_remove(s->uuid, e);
	case CTL_STEP_START:
		return ctl_live_create(s->uuid, ap_config, &s->to, e);
	default:
		return ctl_live_set(s->uuid, ap_config, &s->from, &s->to, e);
	}
}

static int step_undo(const struct ctl_step *s, bool ap_config,
		     struct ctl_err *e)
{
	switch (s->kind) {
	case CTL_STEP_UNDEFINE:
	case CTL_STEP_DEFINE:
	case CTL_STEP_REDEFINE: {
		int r = ctl_def_put(s->uuid, s->old_text);

		return r ? ctl_fail(e, -r,
				    "mdev %s: cannot restore the "
				    "definition: %s",
				    s->uuid, strerror(-r)) :
			   0;
	}
	case CTL_STEP_STOP:
		return ctl_live_create(s->uuid, ap_config, &s->from, e);
	case CTL_STEP_START:
		return ctl_live_remove(s->uuid, e);
	default:
		return ctl_live_set(s->uuid, ap_config, &s->to, &s->from, e);
	}
}

/* The definition file of step s is no longer its old bytes. */
static bool def_changed(const struct ctl_step *s)
{
	char *now = NULL;
	bool changed;

	if (ctl_def_get(s->uuid, &now))
		return true; /* unreadable: restore it to be sure */
	changed = (now == NULL) != (s->old_text == NULL) ||
		  (now && strcmp(now, s->old_text));
	free(now);
	return changed;
}

int ctl_plan_run(struct ctl_plan *p, json_t *report, struct ctl_err *e)
{
	json_t *rolled = json_array(), *rfailed = json_array();
	size_t i;

	for (i = 0; i < p->n; i++) {
		if (step_do(&p->v[i], p->ap_config, e))
			break;
		p->v[i].done = true;
	}
	if (i == p->n) {
		json_decref(rolled);
		json_decref(rfailed);
		return 0;
	}
	p->failed = i;
	json_object_set_new(report, "failed_step", step_json(&p->v[i], i));
	/* A definition write may fail after its rename (the directory's
	 * fsync): put the old bytes back -- only if the file changed.  A
	 * write that failed before (ENOSPC, EROFS, ...) changed nothing, and
	 * restoring would only fail the same way. */
	if (p->v[i].kind <= CTL_STEP_REDEFINE && def_changed(&p->v[i])) {
		struct ctl_err ue = {0};

		if (step_undo(&p->v[i], p->ap_config, &ue)) {
			p->n_undo_failed++;
			json_array_append_new(rfailed,
					      json_pack("{s:I,s:s}", "step",
							(json_int_t)i + 1,
							"error", ue.msg));
		} else {
			p->failed_restored = true;
		}
		ctl_err_fini(&ue);
	}
	while (i--) {
		struct ctl_err ue = {0};

		if (step_undo(&p->v[i], p->ap_config, &ue)) {
			p->n_undo_failed++;
			json_array_append_new(rfailed,
					      json_pack("{s:I,s:s}", "step",
							(json_int_t)i + 1,
							"error", ue.msg));
		} else {
			p->v[i].done = false;
			json_array_append_new(rolled,
					      json_integer((json_int_t)i + 1));
		}
		ctl_err_fini(&ue);
	}
	json_object_set_new(report, "rolled_back", rolled);
	json_object_set_new(report, "rollback_failed", rfailed);
	return -1;
}
