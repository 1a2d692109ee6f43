// SPDX-License-Identifier: MIT
/*
 * Assigning adapters, domains and control domains to an mdev (spec §2.3,
 * §2.6): validation in the kernel's order, the owner index that makes the
 * sharing check O(domains), linking queues and the hot plug that follows,
 * and vfio_ap's in_use answer to the AP bus's reservation masks.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <apvirt/parse.h>

#include "../bus/bus_int.h"
#include "../host_int.h"
#include "../kvm/kvm_int.h"
#include "../machine/machine.h"
#include "vfio_ap_int.h"

static const char *mdev_dev(const struct apv_mdev *m, char *buf, size_t len)
{
	snprintf(buf, len, "vfio_ap_mdev %s", m->name);
	return buf;
}

void apv_owner_set(struct apv_host *host, struct apv_mdev *m,
		   const struct apv_bitmap *apm, const struct apv_bitmap *aqm,
		   bool own)
{
	apv_bm_for_each(a, apm) {
		apv_bm_for_each(d, aqm) {
			struct apv_mdev **o =
				&host->vfio.owner[APV_APQN(a, d)];

			if (own)
				*o = m;
			else if (*o == m)
				*o = NULL;
		}
	}
}

/* EADDRNOTAVAIL: some APQN of apm x aqm is reserved for the host. */
static int check_reserved(struct apv_host *host, const struct apv_mdev *m,
			  const struct apv_bitmap *apm,
			  const struct apv_bitmap *aqm)
{
	struct apv_bitmap ra, rd;
	char name[APV_APQN_STRLEN];
	apv_apqn q;

	apv_bm_and(&ra, apm, &host->bus.apmask);
	apv_bm_and(&rd, aqm, &host->bus.aqmask);
	if (apv_bm_empty(&ra) || apv_bm_empty(&rd))
		return 0;
	q = APV_APQN(apv_bm_next(&ra, 0), apv_bm_next(&rd, 0));
	apv_fail(-EADDRNOTAVAIL, APV_RULE_RESERVED,
		 "APQN %s is reserved for the host's default drivers (apmask/aqmask); mdev %s may not use it",
		 apv_apqn_str(q, name), m->name);
	apv_reason_apqn(q);
	apv_reason_owner("host");
	return -EADDRNOTAVAIL;
}

/*
 * Report the APQNs of (apm & owner's APM) x (aqm & owner's AQM): one kernel
 * warning per APQN and the first one as the caller's reason.  A sharing
 * conflict (assignee != NULL) is logged against the assignee by 6.12 and
 * against the owner by 6.1 (the pre-2025 wording); a reservation conflict
 * (the bus's in_use, assignee == NULL) against the owner.
 */
static void report_conflict(struct apv_host *host,
			    const struct apv_mdev *owner,
			    const struct apv_mdev *assignee,
			    const struct apv_bitmap *apm,
			    const struct apv_bitmap *aqm)
{
	const struct apv_mdev *against = owner;
	struct apv_bitmap sa, sd;
	char name[APV_APQN_STRLEN], dev[64];
	bool first = true;

	if (assignee && !apv_is_61(host))
		against = assignee;
	mdev_dev(against, dev, sizeof(dev));
	apv_bm_and(&sa, apm, &owner->apm);
	apv_bm_and(&sd, aqm, &owner->aqm);
	apv_bm_for_each(a, &sa) {
		apv_bm_for_each(d, &sd) {
			apv_apqn q = APV_APQN(a, d);

			apv_apqn_str(q, name);
			if (apv_is_61(host))
				apv_log_locked(host, APV_LOG_WARNING, dev,
					       "Userspace may not re-assign queue %s already assigned to %s",
					       name, owner->name);
			else if (assignee)
				apv_log_locked(host, APV_LOG_WARNING, dev,
					       "Userspace may not assign queue %s to mdev: already assigned to %s",
					       name, owner->name);
			else
				apv_log_locked(host, APV_LOG_WARNING, dev,
					       "Can not reserve queue %s for host driver: in use by mdev",
					       name);
			if (!first)
				continue;
			first = false;
			if (assignee)
				apv_fail(-EADDRINUSE, APV_RULE_SHARED,
					 "APQN %s is already assigned to mdev %s",
					 name, owner->name);
			else
				apv_fail(-EBUSY, APV_RULE_IN_USE,
					 "APQN %s is assigned to mdev %s; it cannot be reserved for the host",
					 name, owner->name);
			apv_reason_apqn(q);
			apv_reason_owner(owner->name);
		}
	}
}

/* Sharing refused: report it against the assignee m. */
static int shared_with(struct apv_host *host, const struct apv_mdev *m,
		       const struct apv_mdev *n, const struct apv_bitmap *apm,
		       const struct apv_bitmap *aqm)
{
	report_conflict(host, n, m, apm, aqm);
	return -EADDRINUSE;
}

/* EADDRINUSE by the kernel's rule: the first other mdev (newest first)
 * whose product intersects apm x aqm. */
static int check_shared_scan(struct apv_host *host, const struct apv_mdev *m,
			     const struct apv_bitmap *apm,
			     const struct apv_bitmap *aqm)
{
	for (struct apv_mdev *n = host->vfio.mdevs; n; n = n->next) {
		if (n == m)
			continue;
		if (apv_bm_intersects(apm, &n->apm) &&
		    apv_bm_intersects(aqm, &n->aqm))
			return shared_with(host, m, n, apm, aqm);
	}
	return 0;
}

/*
 * The same answer from the owner index, for a change that adds only the
 * APQNs new_apm x new_aqm to m's product (products of different mdevs
 * never intersect, so only new APQNs can conflict).
 */
static int check_shared_index(struct apv_host *host, const struct apv_mdev *m,
			      const struct apv_bitmap *new_apm,
			      const struct apv_bitmap *new_aqm,
			      const struct apv_bitmap *apm,
			      const struct apv_bitmap *aqm)
{
	const struct apv_mdev *first = NULL;

	apv_bm_for_each(a, new_apm) {
		apv_bm_for_each(d, new_aqm) {
			const struct apv_mdev *o =
				host->vfio.owner[APV_APQN(a, d)];

			if (o && o != m && (!first || o->seq > first->seq))
				first = o;
		}
	}
	return first ? shared_with(host, m, first, apm, aqm) : 0;
}

int apv_vfio_in_use(struct apv_host *host, const struct apv_bitmap *apm,
		    const struct apv_bitmap *aqm)
{
	for (struct apv_mdev *m = host->vfio.mdevs; m; m = m->next) {
		if (!apv_bm_intersects(apm, &m->apm) ||
		    !apv_bm_intersects(aqm, &m->aqm))
			continue;
		report_conflict(host, m, NULL, apm, aqm);
		return -EADDRINUSE;
	}
	return 0;
}

/* ---- single assignments --------------------------------------------- */

enum which {
	ADAPTER = APV_ASSIGN_ADAPTER,
	DOMAIN = APV_ASSIGN_DOMAIN,
	CONTROL = APV_ASSIGN_CONTROL,
};

static const char *const which_name[] = {"adapter", "domain",
					 "control domain"};

static int range_fail(const struct apv_mdev *m, enum which w,
		      unsigned long id, unsigned int max)
{
	apv_fail(-ENODEV, APV_RULE_RANGE,
		 "%s %lu (0x%lx) is above the maximum %u of mdev %s",
		 which_name[w], id, id, max, m->name);
	apv_reason_id(id > 255 ? 255 : (unsigned int)id);
	return -ENODEV;
}

/*
 * The common start of every assign/unassign after the mdev was found (the
 * caller looked it up once: apv_vfio_mdev_or_fail or the sysfs object): the
 * range.
 */
static int target(const struct apv_mdev *m, enum which w, unsigned long id)
{
	unsigned int max;

	max = w == ADAPTER ? m->apm_max : w == DOMAIN ? m->aqm_max : m->adm_max;
	if (id > max)
		return range_fail(m, w, id, max);
	return 0;
}

static int assign(struct apv_host *host, struct apv_mdev *m, enum which w,
		  unsigned long id)
{
	struct apv_bitmap apm, aqm, one;
	int rc;

	rc = target(m, w, id);
	if (rc)
		return rc;
	if (apv_bm_test(w == ADAPTER ? &m->apm :
			w == DOMAIN  ? &m->aqm :
				       &m->adm,
			(unsigned int)id))
		return 0;
	if (w == CONTROL) {
		/* control domains are neither reserved nor exclusive */
		apv_bm_set(&m->adm, (unsigned int)id);
		apv_plug_filter_and_push_locked(host, m, false, true);
		return 0;
	}
	apm = m->apm;
	aqm = m->aqm;
	apv_bm_zero(&one);
	apv_bm_set(&one, (unsigned int)id);
	apv_bm_set(w == ADAPTER ? &apm : &aqm, (unsigned int)id);
	rc = check_reserved(host, m, &apm, &aqm);
	if (!rc)
		rc = check_shared_index(host, m, w == ADAPTER ? &one : &apm,
					w == ADAPTER ? &aqm : &one, &apm, &aqm);
	if (rc)
		return rc;
	m->apm = apm;
	m->aqm = aqm;
	apv_owner_set(host, m, w == ADAPTER ? &one : &apm,
		      w == ADAPTER ? &aqm : &one, true);
	if (w == ADAPTER) {
		apv_plug_link_adapter_locked(host, m, (unsigned int)id);
		apv_filter_adapter_update(host, m, (unsigned int)id);
	} else {
		apv_filter_domain_update(host, m, (unsigned int)id);
		apv_plug_link_domain_locked(host, m, (unsigned int)id);
	}
	apv_plug_filter_and_push_locked(host, m, true, false);
	return 0;
}

static int unassign(struct apv_host *host, struct apv_mdev *m, enum which w,
		    unsigned long id)
{
	struct apv_bitmap one;
	int rc;

	rc = target(m, w, id);
	if (rc)
		return rc;
	apv_bm_zero(&one);
	apv_bm_set(&one, (unsigned int)id);
	switch (w) {
	case ADAPTER:
		if (!apv_bm_test(&m->apm, (unsigned int)id))
			return 0;
		apv_owner_set(host, m, &one, &m->aqm, false);
		apv_bm_clear(&m->apm, (unsigned int)id);
		apv_plug_unplug_adapters_locked(host, m, &one);
		apv_filter_adapter_update(host, m, (unsigned int)id);
		break;
	case DOMAIN:
		if (!apv_bm_test(&m->aqm, (unsigned int)id))
			return 0;
		apv_owner_set(host, m, &m->apm, &one, false);
		apv_bm_clear(&m->aqm, (unsigned int)id);
		apv_plug_unplug_domains_locked(host, m, &one);
		apv_filter_domain_update(host, m, (unsigned int)id);
		break;
	case CONTROL:
		if (!apv_bm_test(&m->adm, (unsigned int)id))
			return 0;
		apv_bm_clear(&m->adm, (unsigned int)id);
		if (apv_bm_test(&m->sh_adm, (unsigned int)id)) {
			apv_bm_clear(&m->sh_adm, (unsigned int)id);
			apv_plug_push_locked(host, m);
		}
		break;
	}
	return 0;
}

#define DEFINE_ASSIGN(fn, impl, w)                                           \
	int fn(struct apv_host *host, const uint8_t uuid[16],                \
	       unsigned long id)                                             \
	{                                                                    \
		struct apv_mdev *m;                                          \
		int rc;                                                      \
                                                                             \
		apv_reason_clear();                                          \
		apv_lock(host);                                              \
		m = apv_vfio_mdev_or_fail(host, uuid);                       \
		rc = m ? impl(host, m, w, id) : -ENODEV;                     \
		apv_unlock(host);                                            \
		return rc;                                                   \
	}

DEFINE_ASSIGN(apv_mdev_assign_adapter, assign, ADAPTER)
DEFINE_ASSIGN(apv_mdev_unassign_adapter, unassign, ADAPTER)
DEFINE_ASSIGN(apv_mdev_assign_domain, assign, DOMAIN)
DEFINE_ASSIGN(apv_mdev_unassign_domain, unassign, DOMAIN)
DEFINE_ASSIGN(apv_mdev_assign_control_domain, assign, CONTROL)
DEFINE_ASSIGN(apv_mdev_unassign_control_domain, unassign, CONTROL)

int apv_mdev_assign_locked(struct apv_host *host, struct apv_mdev *m,
			   enum apv_assign_kind what, unsigned long id)
{
	apv_assert_locked(host);
	return assign(host, m, (enum which)what, id);
}

int apv_mdev_unassign_locked(struct apv_host *host, struct apv_mdev *m,
			     enum apv_assign_kind what, unsigned long id)
{
	apv_assert_locked(host);
	return unassign(host, m, (enum which)what, id);
}

/* ---- ap_config: the whole matrix at once ------------------------------ */

static int check_overflow(const struct apv_mdev *m,
			  const struct apv_bitmap *apm,
			  const struct apv_bitmap *aqm,
			  const struct apv_bitmap *adm)
{
	int id;

	id = apv_bm_next(apm, m->apm_max + 1);
	if (id >= 0)
		return range_fail(m, ADAPTER, (unsigned long)id, m->apm_max);
	id = apv_bm_next(aqm, m->aqm_max + 1);
	if (id >= 0)
		return range_fail(m, DOMAIN, (unsigned long)id, m->aqm_max);
	id = apv_bm_next(adm, m->adm_max + 1);
	if (id >= 0)
		return range_fail(m, CONTROL, (unsigned long)id, m->adm_max);
	return 0;
}

/* ap_config is a 6.12 file: on 6.1 it is missing, ahead of any lookup. */
static int no_ap_config_61(void)
{
	return apv_fail(-ENOENT, APV_RULE_NOT_SUPPORTED,
			"ap_config does not exist on kernel 6.1");
}

static int set_ap_config(struct apv_host *host, struct apv_mdev *m,
			 const struct apv_bitmap *apm,
			 const struct apv_bitmap *aqm,
			 const struct apv_bitmap *adm)
{
	struct apv_bitmap rem_ap, rem_aq, add_ap, add_aq, kept_ap, chg;
	int rc;

	if (apv_is_61(host))
		return no_ap_config_61();
	/* its own order: reservation, sharing, then range */
	rc = check_reserved(host, m, apm, aqm);
	if (!rc)
		rc = check_shared_scan(host, m, apm, aqm);
	if (!rc)
		rc = check_overflow(m, apm, aqm, adm);
	if (rc)
		return rc;

	apv_bm_andnot(&rem_ap, &m->apm, apm);
	apv_bm_andnot(&rem_aq, &m->aqm, aqm);
	apv_bm_andnot(&add_ap, apm, &m->apm);
	apv_bm_andnot(&add_aq, aqm, &m->aqm);
	apv_owner_set(host, m, &m->apm, &m->aqm, false);

	/* unplug removed adapters as one batch, then removed domains */
	apv_bm_andnot(&m->apm, &m->apm, &rem_ap);
	apv_plug_unplug_adapters_locked(host, m, &rem_ap);
	apv_bm_andnot(&m->aqm, &m->aqm, &rem_aq);
	apv_plug_unplug_domains_locked(host, m, &rem_aq);

	/* install the new masks and link what was added */
	apv_bm_and(&kept_ap, &m->apm, apm);
	m->apm = *apm;
	m->aqm = *aqm;
	m->adm = *adm;
	apv_owner_set(host, m, &m->apm, &m->aqm, true);
	apv_bm_or(&chg, &rem_aq, &add_aq);
	apv_bm_for_each(d, &chg)
		apv_filter_domain_update(host, m, (unsigned int)d);
	apv_bm_for_each(a, &add_ap)
		apv_plug_link_adapter_locked(host, m, (unsigned int)a);
	apv_bm_for_each(d, &add_aq) {
		apv_bm_for_each(a, &kept_ap) {
			struct apv_queue *q =
				apv_bus_queue(host, APV_APQN(a, d));

			if (q && q->vq)
				apv_vfio_link_locked(host, m, q->vq);
		}
	}
	apv_bm_or(&chg, &rem_ap, &add_ap);
	apv_bm_for_each(a, &chg)
		apv_filter_adapter_update(host, m, (unsigned int)a);
	apv_plug_filter_and_push_locked(host, m, true, true);
	return 0;
}

int apv_mdev_set_ap_config_locked(struct apv_host *host, struct apv_mdev *m,
				  const struct apv_bitmap *apm,
				  const struct apv_bitmap *aqm,
				  const struct apv_bitmap *adm)
{
	apv_assert_locked(host);
	return set_ap_config(host, m, apm, aqm, adm);
}

int apv_mdev_set_ap_config(struct apv_host *host, const uint8_t uuid[16],
			   const struct apv_bitmap *apm,
			   const struct apv_bitmap *aqm,
			   const struct apv_bitmap *adm)
{
	struct apv_mdev *m;
	int rc;

	apv_reason_clear();
	apv_lock(host);
	if (apv_is_61(host))
		rc = no_ap_config_61();
	else if (!(m = apv_vfio_mdev_or_fail(host, uuid)))
		rc = -ENODEV;
	else
		rc = set_ap_config(host, m, apm, aqm, adm);
	apv_unlock(host);
	return rc;
}
