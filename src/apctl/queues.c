// SPDX-License-Identifier: MIT
/*
 * The queue devices of the host and the mdevs' assigned matrices, read once
 * through sysfs (queues.h): what reserve, release and the host report
 * share.
 */
#include "queues.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <apvirt/apqn.h>

static int card_hwtype(const char *card)
{
	char *v = ctl_card_attr(card, "hwtype");
	int t = v ? atoi(v) : -1;

	free(v);
	return t;
}

int ctl_queues_load(struct ctl_queue **out, size_t *n_out)
{
	struct ctl_queue *qs = NULL;
	size_t n = 0;
	char **cards;
	int r;

	r = ctl_list_cards(&cards, NULL);
	if (r < 0)
		return r;
	for (char **c = cards; *c; c++) {
		char **names;
		int hwtype = card_hwtype(*c);

		if (ctl_list_queues("devices/ap", *c, &names) < 0)
			continue;
		for (char **q = names; *q; q++) {
			struct ctl_queue *x;
			apv_apqn qn;
			char *lp;

			qs = xrealloc(qs, (n + 1) * sizeof(*qs));
			x = &qs[n++];
			memset(x, 0, sizeof(*x));
			snprintf(x->apqn, sizeof(x->apqn), "%s", *q);
			if (!apv_apqn_parse(*q, strlen(*q), &qn)) {
				x->ap = apv_apqn_apid(qn);
				x->dom = apv_apqn_apqi(qn);
			}
			x->hwtype = hwtype;
			lp = ctl_sys_path("devices/ap/%s/%s/driver", *c, *q);
			if (ctl_link_base(lp, &x->driver))
				x->driver = NULL;
			free(lp);
		}
		ctl_strv_free(names);
	}
	ctl_strv_free(cards);
	*out = qs;
	*n_out = n;
	return 0;
}

void ctl_queues_free(struct ctl_queue *qs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(qs[i].driver);
	free(qs);
}

const char *ctl_host_driver(int hwtype)
{
	if (hwtype == 6 || hwtype == 8)
		return "cex2aqueue";
	if (hwtype == 7 || hwtype == 9)
		return "cex2cqueue";
	return "cex4queue";
}

char *ctl_card_attr(const char *card, const char *attr)
{
	char *p = ctl_sys_path("devices/ap/%s/%s", card, attr);
	char *v = NULL;

	if (ctl_read_file(p, &v))
		v = NULL;
	free(p);
	return v;
}

char *ctl_queue_attr(const char *apqn, const char *attr)
{
	char *p = ctl_sys_path("devices/ap/card%.2s/%s/%s", apqn, apqn, attr);
	char *v = NULL;

	if (ctl_read_file(p, &v))
		v = NULL;
	free(p);
	return v;
}

struct ctl_mdev_view *ctl_mdevs_load(size_t *n_out)
{
	char **uuids = ctl_active_mdevs();
	struct ctl_mdev_view *v;
	size_t n = 0;

	while (uuids[n])
		n++;
	v = xcalloc(n + 1, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		snprintf(v[i].uuid, sizeof(v[i].uuid), "%s", uuids[i]);
		ctl_mdev_read_matrix(uuids[i], "matrix", &v[i].apm, &v[i].aqm);
		v[i].guest = ctl_mdev_has_guest(&v[i]);
	}
	ctl_strv_free(uuids);
	*n_out = n;
	return v;
}

bool ctl_mdev_view_holds(const struct ctl_mdev_view *m, unsigned int ap,
			 unsigned int dom)
{
	return apv_bm_test(&m->apm, ap) && apv_bm_test(&m->aqm, dom);
}

/*
 * The vfio_ap queue status "in use" (vfio-ap-semantics.md §2.5) is the only
 * trace in sysfs of a guest holding the mdev open.
 */
bool ctl_mdev_has_guest(const struct ctl_mdev_view *m)
{
	for (unsigned int ap = 0; ap < APV_MAX_IDS; ap++) {
		if (!apv_bm_test(&m->apm, ap))
			continue;
		for (unsigned int dom = 0; dom < APV_MAX_IDS; dom++) {
			char apqn[8], *s;
			bool in_use;

			if (!apv_bm_test(&m->aqm, dom))
				continue;
			apv_apqn_str(APV_APQN(ap, dom), apqn);
			s = ctl_queue_attr(apqn, "status");
			in_use = s && !strcmp(s, "in use");
			free(s);
			if (in_use)
				return true;
		}
	}
	return false;
}

/*
 * The matrix device's features attribute came with the same generation of
 * vfio_ap as the request interrupt and is the sign apctl uses.
 */
bool ctl_can_ask_guest(void)
{
	char *p = ctl_sys_path(MATRIX "/features");
	bool r = !access(p, F_OK);

	free(p);
	return r;
}

int ctl_remove_check_guest(const struct ctl_mdev_view *m, bool *guest,
			   struct ctl_err *e)
{
	bool g = ctl_mdev_has_guest(m);

	if (guest)
		*guest = g;
	if (!g || ctl_can_ask_guest())
		return 0;
	e->rule = "guest-attached";
	return ctl_fail(e, EBUSY, CTL_GUEST_ATTACHED_FMT, m->uuid);
}
