// SPDX-License-Identifier: MIT
/* apctl: the validation rules over a desired set of mdevs (rules.h). */
#include "rules.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the host ------------------------------------------------------------ */

int ctl_mdev_matrix(const char *uuid, bool ap_config, struct apv_bitmap *apm,
		    struct apv_bitmap *aqm, struct apv_bitmap *adm)
{
	int r;

	apv_bm_zero(adm);
	if (ap_config)
		return ctl_mdev_read_ap_config(uuid, apm, aqm, adm);
	r = ctl_mdev_read_matrix(uuid, "matrix", apm, aqm);
	if (!r)
		ctl_mdev_read_cdoms(uuid, adm);
	return r;
}

/* The running mdevs (sorted); those gone meanwhile are left out. */
static void load_running(struct ctl_hostsnap *h)
{
	char **uuids = ctl_active_mdevs();
	size_t n = 0;

	for (char **u = uuids; *u; u++)
		n++;
	h->run = xcalloc(n ? n : 1, sizeof(*h->run));
	for (char **u = uuids; *u; u++) {
		struct ctl_running *m = &h->run[h->n_run];

		if (ctl_mdev_matrix(*u, h->ap_config, &m->apm, &m->aqm,
				    &m->adm))
			continue; /* gone meanwhile */
		snprintf(m->uuid, sizeof(m->uuid), "%s", *u);
		h->n_run++;
	}
	ctl_strv_free(uuids);
}

int ctl_hostsnap_load(struct ctl_hostsnap *h, unsigned int what,
		      struct ctl_err *e)
{
	static const char *const masks[] = {"bus/ap/apmask", "bus/ap/aqmask"};
	int r;

	memset(h, 0, sizeof(*h));
	h->amax = ctl_max_id("ap_max_adapter_id");
	h->dmax = ctl_max_id("ap_max_domain_id");
	h->qci = !ctl_read_mask("bus/ap/ap_adapter_mask", &h->cfg_apm) &&
		 !ctl_read_mask("bus/ap/ap_usage_domain_mask", &h->cfg_aqm) &&
		 !ctl_read_mask("bus/ap/ap_control_domain_mask", &h->cfg_adm);
	for (int i = 0; i < 2; i++) {
		r = ctl_read_mask(masks[i], i ? &h->aqmask : &h->apmask);
		if (r)
			return ctl_fail(e, -r, "'%s': cannot read: %s",
					masks[i], strerror(-r));
	}
	h->masks = true;
	h->ap_config = ctl_has_ap_config();
	load_running(h);
	if (what & CTL_SNAP_DEFS)
		h->defs_err = ctl_defs_load(&h->defs);
	return 0;
}

void ctl_hostsnap_load_mdevs(struct ctl_hostsnap *h)
{
	memset(h, 0, sizeof(*h));
	h->masks = !ctl_read_mask("bus/ap/apmask", &h->apmask) &&
		   !ctl_read_mask("bus/ap/aqmask", &h->aqmask);
	h->ap_config = ctl_has_ap_config();
	load_running(h);
}

void ctl_hostsnap_fini(struct ctl_hostsnap *h)
{
	free(h->run);
	ctl_defs_fini(&h->defs);
	memset(h, 0, sizeof(*h));
}

static int cmp_run(const void *key, const void *r)
{
	return strcmp(key, ((const struct ctl_running *)r)->uuid);
}

const struct ctl_running *ctl_hostsnap_find(const struct ctl_hostsnap *h,
					    const char *uuid)
{
	/* h->run is sorted by UUID (ctl_active_mdevs()). */
	return h->n_run ? bsearch(uuid, h->run, h->n_run, sizeof(*h->run),
				  cmp_run) :
			  NULL;
}

const char *ctl_hostsnap_owner(const struct ctl_hostsnap *h, unsigned int ap,
			       unsigned int dom, const char *self)
{
	for (size_t i = 0; i < h->n_run; i++) {
		const struct ctl_running *r = &h->run[i];

		if (self && !strcmp(r->uuid, self))
			continue;
		if (apv_bm_test(&r->apm, ap) && apv_bm_test(&r->aqm, dom))
			return r->uuid;
	}
	return NULL;
}

/* ---- desired sets -------------------------------------------------------- */

static size_t uuid_hash(const char *s)
{
	uint64_t x = UINT64_C(0xcbf29ce484222325);

	for (; *s; s++) {
		x ^= (unsigned char)*s;
		x *= UINT64_C(0x100000001b3);
	}
	return (size_t)(x ^ (x >> 32));
}

/* The slot of uuid: its index + 1, or the empty slot where it goes. */
static size_t *desired_slot(const struct ctl_desired *d, const char *uuid)
{
	size_t mask = d->n_slots - 1, k = uuid_hash(uuid) & mask;

	while (d->slot[k] && strcmp(d->v[d->slot[k] - 1].uuid, uuid))
		k = (k + 1) & mask;
	return &d->slot[k];
}

static void desired_rehash(struct ctl_desired *d)
{
	free(d->slot);
	d->n_slots = d->n_slots ? d->n_slots * 2 : 64;
	d->slot = xcalloc(d->n_slots, sizeof(*d->slot));
	for (size_t i = 0; i < d->n; i++) {
		size_t *k = desired_slot(d, d->v[i].uuid);

		if (!*k)
			*k = i + 1;
	}
}

struct ctl_spec *ctl_desired_add(struct ctl_desired *d, const char *uuid)
{
	struct ctl_spec *s;
	size_t *k;

	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 16;
		d->v = xrealloc(d->v, d->cap * sizeof(*d->v));
	}
	s = &d->v[d->n++];
	memset(s, 0, sizeof(*s));
	snprintf(s->uuid, sizeof(s->uuid), "%s", uuid);
	if (2 * d->n > d->n_slots)
		desired_rehash(d);
	else if (!*(k = desired_slot(d, s->uuid)))
		*k = d->n;
	return s;
}

struct ctl_spec *ctl_desired_find(const struct ctl_desired *d, const char *uuid)
{
	size_t k;

	if (!d->n_slots)
		return NULL;
	k = *desired_slot(d, uuid);
	return k ? &d->v[k - 1] : NULL;
}

void ctl_desired_fini(struct ctl_desired *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].name);
		free(d->v[i].mdev_type);
	}
	free(d->v);
	free(d->slot);
	memset(d, 0, sizeof(*d));
}

/* One definition of the snapshot into s. */
static void spec_from_def(struct ctl_spec *s, const struct ctl_defent *x,
			  const struct ctl_hostsnap *h)
{
	s->has_def = true;
	s->active = ctl_hostsnap_find(h, s->uuid) != NULL;
	if (x->err) {
		s->unreadable = true;
		return;
	}
	s->mdev_type = xstrdup(x->def.mdev_type);
	if (!s->name && x->def.name)
		s->name = xstrdup(x->def.name);
	s->autostart = x->def.autostart;
	s->invalid = ctl_def_matrix(&x->def, &s->apm, &s->aqm, &s->adm) != 0;
}

int ctl_desired_from_defs(struct ctl_desired *d, const struct ctl_hostsnap *h,
			  struct ctl_err *e)
{
	memset(d, 0, sizeof(*d));
	if (h->defs_err)
		return ctl_fail(e, -h->defs_err, "'%s': %s", CFG_DIR,
				strerror(-h->defs_err));
	for (size_t i = 0; i < h->defs.n; i++)
		spec_from_def(ctl_desired_add(d, h->defs.v[i].uuid),
			      &h->defs.v[i], h);
	return 0;
}

/* An id list of the file: "4-5,0x0a" or [4, 5, 10]. */
static int file_ids(const char *file, size_t i, const char *key,
		    const json_t *v, struct apv_bitmap *ids, struct ctl_err *e)
{
	struct ctl_err pe = {0};
	size_t k;
	json_t *x;

	memset(ids, 0, sizeof(*ids));
	if (!v || json_is_null(v))
		return 0;
	if (json_is_string(v)) {
		if (!*json_string_value(v))
			return 0;
		if (!ctl_parse_list(key, json_string_value(v), APV_MAX_IDS - 1,
				    ids, &pe))
			return 0;
		ctl_fail(e, EINVAL, "'%s': mdevs[%zu].%s: %s", file, i, key,
			 pe.msg);
		ctl_err_fini(&pe);
		return -1;
	}
	if (!json_is_array(v))
		return ctl_fail(e, EINVAL,
				"'%s': mdevs[%zu].%s: not a list (\"4-5\" or "
				"[4, 5])",
				file, i, key);
	json_array_foreach(v, k, x)
	{
		if (!json_is_integer(x) || json_integer_value(x) < 0 ||
		    json_integer_value(x) >= APV_MAX_IDS)
			return ctl_fail(e, EINVAL,
					"'%s': mdevs[%zu].%s[%zu]: not an id "
					"0..255",
					file, i, key, k);
		apv_bm_set(ids, (unsigned int)json_integer_value(x));
	}
	return 0;
}

static int file_bool(const char *file, size_t i, const char *key,
		     const json_t *v, bool *out, struct ctl_err *e)
{
	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return ctl_fail(e, EINVAL, "'%s': mdevs[%zu].%s: not a boolean",
				file, i, key);
	*out = json_is_true(v);
	return 0;
}

static int file_spec(struct ctl_desired *d, const char *file, size_t i,
		     json_t *o, struct ctl_err *e)
{
	static const char *const keys[] = {
		"name",	     "uuid",   "adapters", "domains", "control_domains",
		"autostart", "active",
	};
	json_t *name = json_object_get(o, "name");
	json_t *uuid = json_object_get(o, "uuid");
	struct ctl_spec *s;
	const char *key;
	char u[37], why[80];
	json_t *v;

	if (!json_is_object(o))
		return ctl_fail(e, EINVAL, "'%s': mdevs[%zu]: not an object",
				file, i);
	json_object_foreach(o, key, v)
	{
		bool known = false;

		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			known |= !strcmp(key, keys[k]);
		if (!known)
			return ctl_fail(e, EINVAL,
					"'%s': mdevs[%zu]: unknown key '%s'",
					file, i, key);
	}
	if (!name == !uuid || (name && !json_is_string(name)) ||
	    (uuid && !json_is_string(uuid)))
		return ctl_fail(e, EINVAL,
				"'%s': mdevs[%zu]: needs one of \"name\" or "
				"\"uuid\" (a string)",
				file, i);
	if (uuid && !apv_uuid_is(json_string_value(uuid)))
		return ctl_fail(e, EINVAL, "'%s': mdevs[%zu]: '%s': not a UUID",
				file, i, json_string_value(uuid));
	if (name && ctl_check_name(json_string_value(name), why, sizeof(why)))
		return ctl_fail(e, EINVAL, "'%s': mdevs[%zu]: name '%s': %s%s",
				file, i, json_string_value(name),
				*json_string_value(name) ?
					"looks like a UUID but is not one: " :
					"",
				why);
	if (ctl_resolve_uuid(json_string_value(name ? name : uuid), u, e))
		return -1;
	s = ctl_desired_add(d, u);
	s->has_def = true;
	if (name)
		s->name = xstrdup(json_string_value(name));
	if (file_ids(file, i, "adapters", json_object_get(o, "adapters"),
		     &s->apm, e) ||
	    file_ids(file, i, "domains", json_object_get(o, "domains"), &s->aqm,
		     e) ||
	    file_ids(file, i, "control_domains",
		     json_object_get(o, "control_domains"), &s->adm, e) ||
	    file_bool(file, i, "autostart", json_object_get(o, "autostart"),
		      &s->autostart, e) ||
	    file_bool(file, i, "active", json_object_get(o, "active"),
		      &s->active, e))
		return -1;
	return 0;
}

int ctl_desired_from_file(struct ctl_desired *d, const char *file,
			  const struct ctl_hostsnap *h, struct ctl_err *e)
{
	json_t *root, *mdevs, *prune, *o;
	json_error_t jerr;
	const char *key;
	json_t *v;
	size_t i;

	memset(d, 0, sizeof(*d));
	d->file = true;
	d->prune = true;
	root = json_load_file(file, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		if (jerr.line < 0)
			return ctl_fail(e, errno ? errno : EIO,
					"'%s': cannot read: %s", file,
					jerr.text);
		return ctl_fail(e, EINVAL, "'%s': line %d: %s", file, jerr.line,
				jerr.text);
	}
	mdevs = json_object_get(root, "mdevs");
	prune = json_object_get(root, "prune");
	if (!json_is_object(root) || !json_is_array(mdevs)) {
		json_decref(root);
		return ctl_fail(e, EINVAL,
				"'%s': not an apply file ({\"mdevs\": [...]})",
				file);
	}
	json_object_foreach(root, key, v)
	{
		if (strcmp(key, "mdevs") && strcmp(key, "prune")) {
			ctl_fail(e, EINVAL, "'%s': unknown key '%s'", file,
				 key);
			json_decref(root);
			return -1;
		}
	}
	if (prune && !json_is_boolean(prune)) {
		json_decref(root);
		return ctl_fail(e, EINVAL, "'%s': prune: not a boolean", file);
	}
	d->prune = !prune || json_is_true(prune);
	json_array_foreach(mdevs, i, o)
	{
		if (file_spec(d, file, i, o, e)) {
			json_decref(root);
			ctl_desired_fini(d);
			return -1;
		}
	}
	json_decref(root);
	if (!d->prune) {
		/* What the file does not list stays as it is. */
		for (size_t k = 0; !h->defs_err && k < h->defs.n; k++) {
			const struct ctl_defent *x = &h->defs.v[k];
			struct ctl_spec *s;

			if (ctl_desired_find(d, x->uuid))
				continue;
			s = ctl_desired_add(d, x->uuid);
			spec_from_def(s, x, h);
			s->foreign = true;
		}
		for (size_t k = 0; k < h->n_run; k++) {
			const struct ctl_running *r = &h->run[k];
			struct ctl_spec *s;

			if (ctl_desired_find(d, r->uuid))
				continue;
			s = ctl_desired_add(d, r->uuid);
			s->foreign = true;
			s->active = true;
			s->apm = r->apm;
			s->aqm = r->aqm;
			s->adm = r->adm;
		}
	}
	return 0;
}

/* ---- findings -------------------------------------------------------------- */

static void add(struct ctl_findings *f, enum ctl_severity sev, const char *rule,
		const char *mdev, const char *apqn, const char *owner,
		const char *fmt, ...) __attribute__((format(printf, 7, 8)));

static void add(struct ctl_findings *f, enum ctl_severity sev, const char *rule,
		const char *mdev, const char *apqn, const char *owner,
		const char *fmt, ...)
{
	struct ctl_finding *x;
	va_list ap;

	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 16;
		f->v = xrealloc(f->v, f->cap * sizeof(*f->v));
	}
	x = &f->v[f->n++];
	memset(x, 0, sizeof(*x));
	x->sev = sev;
	x->rule = rule;
	snprintf(x->mdev, sizeof(x->mdev), "%s", mdev);
	snprintf(x->apqn, sizeof(x->apqn), "%s", apqn ? apqn : "");
	x->owner = owner ? xstrdup(owner) : NULL;
	va_start(ap, fmt);
	if (vasprintf(&x->msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	if (sev == CTL_SEV_ERROR)
		f->errors++;
	else
		f->warnings++;
}

void ctl_findings_add(struct ctl_findings *f, enum ctl_severity sev,
		      const char *rule, const char *mdev, const char *apqn,
		      const char *owner, const char *msg)
{
	add(f, sev, rule, mdev, apqn, owner, "%s", msg);
}

void ctl_findings_fini(struct ctl_findings *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].owner);
		free(f->v[i].msg);
	}
	free(f->v);
	memset(f, 0, sizeof(*f));
}

static const char *sev_name(enum ctl_severity s)
{
	return s == CTL_SEV_ERROR ? "error" : "warning";
}

json_t *ctl_findings_json(const struct ctl_findings *f)
{
	json_t *a = json_array();

	for (size_t i = 0; i < f->n; i++) {
		const struct ctl_finding *x = &f->v[i];

		json_array_append_new(
			a, json_pack("{s:s,s:s,s:s,s:o,s:o,s:s}", "severity",
				     sev_name(x->sev), "rule", x->rule, "mdev",
				     x->mdev, "apqn",
				     x->apqn[0] ? json_string(x->apqn) :
						  json_null(),
				     "owner",
				     x->owner ? json_string(x->owner) :
						json_null(),
				     "message", x->msg));
	}
	return json_pack("{s:b,s:o}", "ok", f->errors == 0, "findings", a);
}

void ctl_findings_print(const struct ctl_findings *f)
{
	for (size_t i = 0; i < f->n; i++)
		printf("%s %s: %s\n", sev_name(f->v[i].sev), f->v[i].rule,
		       f->v[i].msg);
}

int ctl_findings_fail(const struct ctl_findings *f, const char *what,
		      struct ctl_err *e)
{
	const struct ctl_finding *first = NULL;

	for (size_t i = 0; i < f->n && !first; i++)
		if (f->v[i].sev == CTL_SEV_ERROR)
			first = &f->v[i];
	ctl_fail(e, EINVAL, "%s: %zu error%s, %zu warning%s", what, f->errors,
		 f->errors == 1 ? "" : "s", f->warnings,
		 f->warnings == 1 ? "" : "s");
	if (first) {
		e->rule = first->rule;
		memcpy(e->apqn, first->apqn, sizeof(e->apqn));
		if (first->owner && !e->owner)
			e->owner = xstrdup(first->owner);
	}
	e->exit_code = CTL_EXIT_FINDINGS;
	return -1;
}

/* ---- the rules ------------------------------------------------------------- */

static bool checkable(const struct ctl_spec *s)
{
	return !s->unreadable && !s->invalid &&
	       (!s->mdev_type || !strcmp(s->mdev_type, MDEV_TYPE));
}

/* Per-mdev rules. */
static void check_one(const struct ctl_spec *s, const struct ctl_hostsnap *h,
		      struct ctl_findings *f)
{
	const char *u = s->uuid;
	char id[8];

	if (s->unreadable) {
		add(f, CTL_SEV_ERROR, "invalid-definition", u, NULL, NULL,
		    "mdev %s: the definition is not mdevctl JSON", u);
		return;
	}
	if (s->mdev_type && strcmp(s->mdev_type, MDEV_TYPE)) {
		add(f, CTL_SEV_ERROR, "unknown-mdev-type", u, NULL, NULL,
		    "mdev %s: type '%s' is not " MDEV_TYPE, u, s->mdev_type);
		return;
	}
	if (s->invalid) {
		add(f, CTL_SEV_ERROR, "invalid-attribute", u, NULL, NULL,
		    "mdev %s: an assign_* value is not one number 0..255", u);
		return;
	}
	for (unsigned int a = h->amax + 1; a < APV_MAX_IDS; a++)
		if (apv_bm_test(&s->apm, a)) {
			snprintf(id, sizeof(id), "%02x.", a);
			add(f, CTL_SEV_ERROR, "id-out-of-range", u, id, NULL,
			    "mdev %s: adapter 0x%02x is above "
			    "ap_max_adapter_id 0x%02x",
			    u, a, h->amax);
		}
	for (unsigned int d = h->dmax + 1; d < APV_MAX_IDS; d++) {
		if (!apv_bm_test(&s->aqm, d) && !apv_bm_test(&s->adm, d))
			continue;
		snprintf(id, sizeof(id), ".%04x", d);
		if (apv_bm_test(&s->aqm, d))
			add(f, CTL_SEV_ERROR, "id-out-of-range", u, id, NULL,
			    "mdev %s: domain 0x%04x is above "
			    "ap_max_domain_id 0x%02x",
			    u, d, h->dmax);
		if (apv_bm_test(&s->adm, d))
			add(f, CTL_SEV_ERROR, "id-out-of-range", u, id, NULL,
			    "mdev %s: control domain 0x%04x is above "
			    "ap_max_domain_id 0x%02x",
			    u, d, h->dmax);
	}
	if (apv_bm_empty(&s->apm) || apv_bm_empty(&s->aqm))
		add(f, CTL_SEV_WARNING, "no-queues", u, NULL, NULL,
		    "mdev %s: no %s: the guest gets no queue", u,
		    apv_bm_empty(&s->apm) ? "adapters" : "domains");
	for (unsigned int a = 0; a < APV_MAX_IDS; a++) {
		if (!apv_bm_test(&s->apm, a) || !apv_bm_test(&h->apmask, a))
			continue;
		for (unsigned int d = 0; d < APV_MAX_IDS; d++)
			if (apv_bm_test(&s->aqm, d) &&
			    apv_bm_test(&h->aqmask, d)) {
				apv_apqn_str(APV_APQN(a, d), id);
				add(f, CTL_SEV_ERROR, "apqn-host-reserved", u,
				    id, NULL,
				    "mdev %s: APQN %s is reserved for the host "
				    "(apmask/aqmask)",
				    u, id);
			}
	}
	if (!h->qci)
		return;
	for (unsigned int i = 0; i < APV_MAX_IDS; i++) {
		if (apv_bm_test(&s->apm, i) && !apv_bm_test(&h->cfg_apm, i)) {
			snprintf(id, sizeof(id), "%02x.", i);
			add(f, CTL_SEV_WARNING, "not-in-configuration", u, id,
			    NULL,
			    "mdev %s: adapter %02x is not in the host "
			    "configuration (filtered until it appears)",
			    u, i);
		}
		if (!apv_bm_test(&s->aqm, i) && !apv_bm_test(&s->adm, i))
			continue;
		snprintf(id, sizeof(id), ".%04x", i);
		if (apv_bm_test(&s->aqm, i) && !apv_bm_test(&h->cfg_aqm, i))
			add(f, CTL_SEV_WARNING, "not-in-configuration", u, id,
			    NULL,
			    "mdev %s: domain %04x is not in the host "
			    "configuration (filtered until it appears)",
			    u, i);
		if (apv_bm_test(&s->adm, i) && !apv_bm_test(&h->cfg_adm, i))
			add(f, CTL_SEV_WARNING, "not-in-configuration", u, id,
			    NULL,
			    "mdev %s: control domain %04x is not in the host "
			    "configuration (filtered until it appears)",
			    u, i);
	}
}

/*
 * The APQNs mdev u shares with owner (products apm x aqm intersecting:
 * the kernel's sharing rule), and their common control domains.
 */
static void check_pair(const char *u, const struct apv_bitmap *apm,
		       const struct apv_bitmap *aqm,
		       const struct apv_bitmap *adm, const char *owner,
		       const struct apv_bitmap *oapm,
		       const struct apv_bitmap *oaqm,
		       const struct apv_bitmap *oadm, const char *rule,
		       const char *why, struct ctl_findings *f)
{
	struct apv_bitmap ca, cd, cc;
	char id[8];

	apv_bm_and(&ca, apm, oapm);
	apv_bm_and(&cd, aqm, oaqm);
	apv_bm_and(&cc, adm, oadm);
	for (unsigned int a = 0; a < APV_MAX_IDS; a++) {
		if (!apv_bm_test(&ca, a))
			continue;
		for (unsigned int d = 0; d < APV_MAX_IDS; d++)
			if (apv_bm_test(&cd, d)) {
				apv_apqn_str(APV_APQN(a, d), id);
				add(f, CTL_SEV_ERROR, rule, u, id, owner,
				    "mdev %s: APQN %s is also in %s %s%s", u,
				    id,
				    strcmp(rule, "apqn-in-use") ? "definition" :
								  "mdev",
				    owner, why);
			}
	}
	for (unsigned int d = 0; d < APV_MAX_IDS; d++)
		if (apv_bm_test(&cc, d)) {
			snprintf(id, sizeof(id), ".%04x", d);
			add(f, CTL_SEV_WARNING, "control-domain-shared", u, id,
			    owner,
			    "mdev %s: control domain %04x is also given to "
			    "mdev %s",
			    u, d, owner);
		}
}

/*
 * Who holds what, for the pair rules in O(n log n): the indices of the
 * mdevs holding each APQN (65536 lists) and each control domain (256),
 * ascending.  Only pairs found in a common list can share anything.
 */
struct idx_list {
	size_t *v;
	size_t n, cap;
};

struct holders {
	struct idx_list apqn[APV_MAX_IDS * APV_MAX_IDS], cdom[APV_MAX_IDS];
};

static void idx_push(struct idx_list *l, size_t i)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 4;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = i;
}

static void holders_add(struct holders *hs, size_t i,
			const struct apv_bitmap *apm,
			const struct apv_bitmap *aqm,
			const struct apv_bitmap *adm)
{
	apv_bm_for_each(a, apm) {
		apv_bm_for_each(dom, aqm)
			idx_push(&hs->apqn[a * APV_MAX_IDS + dom], i);
	}
	apv_bm_for_each(c, adm)
		idx_push(&hs->cdom[c], i);
}

static void holders_free(struct holders *hs)
{
	if (!hs)
		return;
	for (size_t k = 0; k < APV_MAX_IDS * APV_MAX_IDS; k++)
		free(hs->apqn[k].v);
	for (size_t k = 0; k < APV_MAX_IDS; k++)
		free(hs->cdom[k].v);
	free(hs);
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The indices above `after` (SIZE_MAX: all) that share an APQN of
 * apm x aqm or a control domain of adm with it, ascending, each once,
 * into *out (grown as needed).  Their count.
 */
static size_t holders_near(const struct holders *hs, size_t after,
			   const struct apv_bitmap *apm,
			   const struct apv_bitmap *aqm,
			   const struct apv_bitmap *adm, struct idx_list *out)
{
	size_t k = 0;

	out->n = 0;
	apv_bm_for_each(a, apm) {
		apv_bm_for_each(dom, aqm) {
			const struct idx_list *l =
				&hs->apqn[a * APV_MAX_IDS + dom];

			for (size_t j = 0; j < l->n; j++)
				if (after == SIZE_MAX || l->v[j] > after)
					idx_push(out, l->v[j]);
		}
	}
	apv_bm_for_each(c, adm) {
		for (size_t j = 0; j < hs->cdom[c].n; j++)
			if (after == SIZE_MAX || hs->cdom[c].v[j] > after)
				idx_push(out, hs->cdom[c].v[j]);
	}
	if (!out->n)
		return 0;
	qsort(out->v, out->n, sizeof(*out->v), cmp_size);
	for (size_t j = 0; j < out->n; j++)
		if (!k || out->v[k - 1] != out->v[j])
			out->v[k++] = out->v[j];
	out->n = k;
	return k;
}

static int cmp_spec_uuid(const void *a, const void *b, void *arg)
{
	const struct ctl_desired *d = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(d->v[x].uuid, d->v[y].uuid);

	return c ? c : (x < y ? -1 : x > y);
}

/* dup[i]: an earlier spec has the same UUID (sorted, not pairwise). */
static bool *find_duplicates(const struct ctl_desired *d)
{
	size_t *order = xcalloc(d->n, sizeof(*order));
	bool *dup = xcalloc(d->n, sizeof(*dup));

	for (size_t i = 0; i < d->n; i++)
		order[i] = i;
	qsort_r(order, d->n, sizeof(*order), cmp_spec_uuid, (void *)d);
	for (size_t i = 1; i < d->n; i++)
		if (!strcmp(d->v[order[i]].uuid, d->v[order[i - 1]].uuid))
			dup[order[i]] = true;
	free(order);
	return dup;
}

/* A pair rule applies to s (an apply file's active mdevs, autostart
 * definitions). */
static bool pair_checked(const struct ctl_desired *d, const struct ctl_spec *s)
{
	return checkable(s) && ((d->file && s->active) || s->autostart);
}

void ctl_validate(const struct ctl_desired *d, const struct ctl_hostsnap *h,
		  struct ctl_findings *f)
{
	struct holders *hs = xcalloc(1, sizeof(*hs)), *rh = NULL;
	struct idx_list near = {0};
	bool *dup = find_duplicates(d);

	for (size_t i = 0; i < d->n; i++) {
		const struct ctl_spec *s = &d->v[i];

		if (s->foreign)
			continue;
		if (dup[i])
			add(f, CTL_SEV_ERROR, "duplicate-mdev", s->uuid, NULL,
			    NULL, "mdev %s: listed more than once%s%s%s",
			    s->uuid, s->name ? " (name '" : "",
			    s->name ? s->name : "", s->name ? "')" : "");
		check_one(s, h, f);
	}
	for (size_t i = 0; i < d->n; i++)
		if (pair_checked(d, &d->v[i]))
			holders_add(hs, i, &d->v[i].apm, &d->v[i].aqm,
				    &d->v[i].adm);
	if (!d->file) {
		rh = xcalloc(1, sizeof(*rh));
		for (size_t k = 0; k < h->n_run; k++)
			holders_add(rh, k, &h->run[k].apm, &h->run[k].aqm,
				    &h->run[k].adm);
	}
	for (size_t i = 0; i < d->n; i++) {
		const struct ctl_spec *s = &d->v[i];
		const struct apv_bitmap none = {{0}};
		const struct apv_bitmap *sadm;

		if (!checkable(s))
			continue;
		if (pair_checked(d, s))
			holders_near(hs, i, &s->apm, &s->aqm, &s->adm, &near);
		else
			near.n = 0;
		for (size_t j = 0; j < near.n; j++) {
			const struct ctl_spec *o = &d->v[near.v[j]];
			const char *rule = NULL, *why = "";

			if (!checkable(o) || !strcmp(s->uuid, o->uuid) ||
			    (s->foreign && o->foreign))
				continue;
			if (d->file && s->active && o->active) {
				rule = "apqn-in-use";
				why = " (both active)";
			} else if (s->autostart && o->autostart) {
				rule = "apqn-shared-autostart";
				why = " (clash between autostart definitions)";
			}
			if (rule)
				check_pair(s->uuid, &s->apm, &s->aqm, &s->adm,
					   o->uuid, &o->apm, &o->aqm, &o->adm,
					   rule, why, f);
		}
		if (d->file)
			continue;
		/* A definition against the running mdevs of other UUIDs. */
		sadm = s->autostart || s->active ? &s->adm : &none;
		holders_near(rh, SIZE_MAX, &s->apm, &s->aqm, sadm, &near);
		for (size_t j = 0; j < near.n; j++) {
			const struct ctl_running *r = &h->run[near.v[j]];

			if (!strcmp(r->uuid, s->uuid))
				continue;
			check_pair(s->uuid, &s->apm, &s->aqm, sadm, r->uuid,
				   &r->apm, &r->aqm, &r->adm, "apqn-in-use",
				   " (running)", f);
		}
	}
	free(near.v);
	free(dup);
	holders_free(hs);
	holders_free(rh);
}
