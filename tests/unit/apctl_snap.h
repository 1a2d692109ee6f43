/* SPDX-License-Identifier: MIT */
/*
 * In-memory snapshots for the unit tests of apctl's rules and planner
 * (tests/unit/test_apctl_*.c): a host, its running mdevs and its
 * definitions built without files.
 */
#ifndef APV_TEST_APCTL_SNAP_H
#define APV_TEST_APCTL_SNAP_H

#include <stdlib.h>
#include <string.h>

#include <apvirt/idlist.h>

#include "plan.h"
#include "rules.h"

/* "4-5,0x0a" as a set ("" is empty). */
static inline struct apv_bitmap ids(const char *list)
{
	struct apv_bitmap b;

	apv_bm_zero(&b);
	if (*list && apv_idlist_parse(list, 255, &b, NULL))
		abort();
	return b;
}

/* A host with every id configured, nothing reserved, nothing running. */
static inline void snap_init(struct ctl_hostsnap *h)
{
	memset(h, 0, sizeof(*h));
	h->amax = 255;
	h->dmax = 255;
	h->qci = true;
	apv_bm_fill(&h->cfg_apm);
	apv_bm_fill(&h->cfg_aqm);
	apv_bm_fill(&h->cfg_adm);
	h->masks = true;
	h->ap_config = true;
}

static inline struct ctl_running *snap_run(struct ctl_hostsnap *h,
					   const char *uuid, const char *apm,
					   const char *aqm, const char *adm)
{
	struct ctl_running *r;

	size_t at = 0;

	/* Sorted by UUID, as ctl_hostsnap_load() leaves it. */
	while (at < h->n_run && strcmp(h->run[at].uuid, uuid) < 0)
		at++;
	h->run = realloc(h->run, (h->n_run + 1) * sizeof(*h->run));
	memmove(&h->run[at + 1], &h->run[at],
		(h->n_run - at) * sizeof(*h->run));
	h->n_run++;
	r = &h->run[at];
	memset(r, 0, sizeof(*r));
	strcpy(r->uuid, uuid);
	r->apm = ids(apm);
	r->aqm = ids(aqm);
	r->adm = ids(adm);
	return r;
}

/* A definition file as apctl writes it (text NULL: ctl_def_text()). */
static inline void snap_def(struct ctl_hostsnap *h, const char *uuid,
			    const char *apm, const char *aqm, const char *adm,
			    bool autostart, const char *text)
{
	struct apv_bitmap m[3] = {ids(apm), ids(aqm), ids(adm)};
	struct ctl_defent *x;

	size_t at = 0;

	/* Sorted by UUID, as ctl_defs_load() leaves it. */
	while (at < h->defs.n && strcmp(h->defs.v[at].uuid, uuid) < 0)
		at++;
	h->defs.v = realloc(h->defs.v, (h->defs.n + 1) * sizeof(*h->defs.v));
	memmove(&h->defs.v[at + 1], &h->defs.v[at],
		(h->defs.n - at) * sizeof(*h->defs.v));
	h->defs.n++;
	x = &h->defs.v[at];
	memset(x, 0, sizeof(*x));
	strcpy(x->uuid, uuid);
	x->text = text ? strdup(text) : ctl_def_text(m, autostart, NULL);
	x->err = ctl_def_parse(x->text, &x->def);
}

static inline struct ctl_spec *want(struct ctl_desired *d, const char *uuid,
				    const char *apm, const char *aqm,
				    const char *adm, bool autostart,
				    bool active)
{
	struct ctl_spec *s = ctl_desired_add(d, uuid);

	s->apm = ids(apm);
	s->aqm = ids(aqm);
	s->adm = ids(adm);
	s->autostart = autostart;
	s->active = active;
	s->has_def = true;
	return s;
}

#define U1 "11111111-1111-4111-8111-111111111111"
#define U2 "22222222-2222-4222-8222-222222222222"
#define U3 "33333333-3333-4333-8333-333333333333"

#endif
