// SPDX-License-Identifier: MIT
/*
 * Hot plug and unplug (spec §3.3): what vfio_ap does to the shadow APCB and
 * to the guest when queues are bound or unbound, ids are unassigned, and
 * the host's AP configuration changes; and the resets (ZAPQ) that go with
 * every queue leaving a guest.
 */
#include <errno.h>
#include <string.h>

#include "../bus/bus_int.h"
#include "../host_int.h"
#include "../kvm/kvm_int.h"
#include "../machine/machine.h"
#include "vfio_ap_int.h"

void apv_plug_push_locked(struct apv_host *host, struct apv_mdev *m)
{
	apv_assert_locked(host);
	if (!m->open || !m->kvm)
		return;
	apv_kvm_set_masks_locked(m->kvm, &m->sh_apm, &m->sh_aqm, &m->sh_adm);
	host->stats.crycb_writes++;
}

void apv_plug_reset_adapters_locked(struct apv_host *host, struct apv_mdev *m,
				    const struct apv_bitmap *apids,
				    const struct apv_bitmap *apqis)
{
	apv_assert_locked(host);
	apv_bm_for_each(a, apids) {
		apv_bm_for_each(d, apqis) {
			struct apv_vq *vq =
				apv_vfio_linked(host, m, APV_APQN(a, d));

			if (vq)
				(void)apv_vfio_reset_queue_locked(host, vq);
		}
	}
}

void apv_plug_filter_and_push_locked(struct apv_host *host,
				     struct apv_mdev *m, bool apm_aqm,
				     bool adm)
{
	struct apv_bitmap filtered;
	bool changed = false;

	apv_assert_locked(host);
	apv_bm_zero(&filtered);
	if (apm_aqm)
		changed |= apv_filter_apm_aqm(host, m, &filtered);
	if (adm)
		changed |= apv_filter_adm(host, m);
	if (changed)
		apv_plug_push_locked(host, m);
	/* 6.12 zeroizes the queues of adapters the filter took away */
	if (!apv_is_61(host) && !apv_bm_empty(&filtered))
		apv_plug_reset_adapters_locked(host, m, &filtered, &m->sh_aqm);
}

void apv_plug_link_adapter_locked(struct apv_host *host, struct apv_mdev *m,
				  unsigned int a)
{
	apv_assert_locked(host);
	apv_bm_for_each(d, &m->aqm) {
		struct apv_queue *q = apv_bus_queue(host, APV_APQN(a, d));

		if (q && q->vq)
			apv_vfio_link_locked(host, m, q->vq);
	}
}

void apv_plug_link_domain_locked(struct apv_host *host, struct apv_mdev *m,
				 unsigned int d)
{
	apv_assert_locked(host);
	apv_bm_for_each(a, &m->apm) {
		struct apv_queue *q = apv_bus_queue(host, APV_APQN(a, d));

		if (q && q->vq)
			apv_vfio_link_locked(host, m, q->vq);
	}
}

/*
 * Unlink the queues apids x apqis from m; the ones that were in the shadow
 * are remembered for a reset after the guest has lost them.
 */
static void unlink_range(struct apv_host *host, struct apv_mdev *m,
			 const struct apv_bitmap *apids,
			 const struct apv_bitmap *apqis)
{
	apv_bm_for_each(a, apids) {
		apv_bm_for_each(d, apqis) {
			struct apv_vq *vq =
				apv_vfio_linked(host, m, APV_APQN(a, d));

			if (!vq)
				continue;
			vq->reset_pending = apv_bm_test(&m->sh_apm, a) &&
					    apv_bm_test(&m->sh_aqm, d);
			apv_vfio_unlink_locked(host, vq);
		}
	}
}

static void reset_pending_range(struct apv_host *host,
				const struct apv_bitmap *apids,
				const struct apv_bitmap *apqis)
{
	apv_bm_for_each(a, apids) {
		apv_bm_for_each(d, apqis) {
			struct apv_queue *q = apv_bus_queue(host, APV_APQN(a, d));

			if (!q || !q->vq || !q->vq->reset_pending)
				continue;
			q->vq->reset_pending = false;
			(void)apv_vfio_reset_queue_locked(host, q->vq);
		}
	}
}

void apv_plug_unplug_adapters_locked(struct apv_host *host,
				     struct apv_mdev *m,
				     const struct apv_bitmap *apids)
{
	struct apv_bitmap in_shadow;

	apv_assert_locked(host);
	if (apv_bm_empty(apids))
		return;
	unlink_range(host, m, apids, &m->aqm);
	apv_bm_and(&in_shadow, apids, &m->sh_apm);
	if (!apv_bm_empty(&in_shadow)) {
		apv_bm_andnot(&m->sh_apm, &m->sh_apm, apids);
		apv_plug_push_locked(host, m);
	}
	reset_pending_range(host, apids, &m->aqm);
}

void apv_plug_unplug_domains_locked(struct apv_host *host,
				    struct apv_mdev *m,
				    const struct apv_bitmap *apqis)
{
	struct apv_bitmap in_shadow;

	apv_assert_locked(host);
	if (apv_bm_empty(apqis))
		return;
	unlink_range(host, m, &m->apm, apqis);
	apv_bm_and(&in_shadow, apqis, &m->sh_aqm);
	if (!apv_bm_empty(&in_shadow)) {
		apv_bm_andnot(&m->sh_aqm, &m->sh_aqm, apqis);
		apv_plug_push_locked(host, m);
	}
	reset_pending_range(host, &m->apm, apqis);
}

/* ---- AP bus driver callbacks ---------------------------------------- */

int apv_plug_queue_probe(struct apv_host *host, struct apv_queue *q)
{
	/* the object lives in the bus queue: a bind storm allocates nothing */
	struct apv_vq *vq = &q->vq_store;
	struct apv_mdev *m;

	memset(vq, 0, sizeof(*vq));
	vq->apqn = q->apqn;
	vq->saved_isc = -1;
	q->vq = vq;
	m = host->vfio.owner[q->apqn];
	if (!m)
		return 0;
	apv_vfio_link_locked(host, m, vq);
	/* a configuration-change scan is under way: scan completion filters */
	if (!apv_bm_empty(&m->apm_add) || !apv_bm_empty(&m->aqm_add))
		return 0;
	apv_plug_filter_and_push_locked(host, m, true, false);
	return 0;
}

static bool in_host_config(const struct apv_host *host, apv_apqn q)
{
	const struct apv_bus *bus = &host->bus;

	if (!bus->have_qci)
		return true;
	return apv_bm_test(&bus->qci.apm, apv_apqn_apid(q)) &&
	       apv_bm_test(&bus->qci.aqm, apv_apqn_apqi(q));
}

void apv_plug_queue_remove(struct apv_host *host, struct apv_queue *q)
{
	struct apv_vq *vq = q->vq;
	struct apv_mdev *m = vq->mdev;
	unsigned int a = apv_apqn_apid(q->apqn), d = apv_apqn_apqi(q->apqn);
	bool in_shadow = m && apv_bm_test(&m->sh_apm, a) &&
			 apv_bm_test(&m->sh_aqm, d);

	if (in_shadow) {
		/* one queue cannot leave the APCB: the adapter goes */
		apv_bm_clear(&m->sh_apm, a);
		apv_plug_push_locked(host, m);
	}
	if (in_shadow && !apv_is_61(host)) {
		struct apv_bitmap one;

		apv_bm_zero(&one);
		apv_bm_set(&one, a);
		/* every queue of the adapter that was in the guest, this one
		 * included */
		apv_plug_reset_adapters_locked(host, m, &one, &m->sh_aqm);
	} else if (apv_is_61(host) || in_host_config(host, q->apqn)) {
		/* 6.1 always resets just this queue; 6.12 when it still can */
		(void)apv_vfio_reset_queue_locked(host, vq);
	} else {
		apv_vfio_release_irq_locked(host, vq);
	}
	if (m)
		apv_vfio_unlink_locked(host, vq);
	q->vq = NULL;
}

/* Drop APIDs whose added queues are missing or of an unusable type. */
static void filter_added_by_type(struct apv_host *host,
				 struct apv_bitmap *apadd,
				 const struct apv_bitmap *aqadd)
{
	apv_bm_for_each(a, apadd) {
		apv_bm_for_each(d, aqadd) {
			uint64_t info;
			uint32_t st = apv_hw_tapq_locked(
				host, APV_APQN(a, d), true, &info);
			unsigned int rc = apv_qs_rc(st);
			bool valid = rc <= APV_RC_BUSY && rc != APV_RC_Q_NOT_AVAIL;
			bool drop;

			if (apv_is_61(host))
				/* 6.1 compares the unshifted word: only 0 fails */
				drop = !valid || info == 0;
			else
				drop = !valid ||
				       APV_INFO_TYPE(info) < APV_TYPE_CEX4;
			if (drop) {
				apv_bm_clear(apadd, (unsigned int)a);
				break;
			}
		}
	}
}

void apv_plug_config_changed(struct apv_host *host,
			     const struct apv_qci *new_qci,
			     const struct apv_qci *old_qci)
{
	struct apv_vfio *vfio = &host->vfio;
	struct apv_bitmap aprem, aqrem, cdrem, apadd, aqadd, cdadd, chg;
	struct apv_mdev *m;

	apv_bm_andnot(&aprem, &old_qci->apm, &new_qci->apm);
	apv_bm_andnot(&aqrem, &old_qci->aqm, &new_qci->aqm);
	apv_bm_andnot(&cdrem, &old_qci->adm, &new_qci->adm);
	for (m = vfio->mdevs; m; m = m->next) {
		struct apv_bitmap sa = m->sh_apm, sq = m->sh_aqm, sc = m->sh_adm;
		struct apv_bitmap r;

		apv_bm_and(&r, &aprem, &m->apm);
		apv_bm_andnot(&m->sh_apm, &m->sh_apm, &r);
		apv_bm_and(&r, &aqrem, &m->aqm);
		apv_bm_andnot(&m->sh_aqm, &m->sh_aqm, &r);
		apv_bm_and(&r, &cdrem, &m->adm);
		apv_bm_andnot(&m->sh_adm, &m->sh_adm, &r);
		if (!apv_bm_equal(&sa, &m->sh_apm) ||
		    !apv_bm_equal(&sq, &m->sh_aqm) ||
		    !apv_bm_equal(&sc, &m->sh_adm))
			apv_plug_push_locked(host, m);
	}

	apv_bm_andnot(&apadd, &new_qci->apm, &old_qci->apm);
	apv_bm_andnot(&aqadd, &new_qci->aqm, &old_qci->aqm);
	apv_bm_andnot(&cdadd, &new_qci->adm, &old_qci->adm);
	if ((!apv_bm_empty(&apadd) || !apv_bm_empty(&aqadd) ||
	     !apv_bm_empty(&cdadd)) &&
	    vfio->mdevs) {
		filter_added_by_type(host, &apadd, &aqadd);
		for (m = vfio->mdevs; m; m = m->next) {
			apv_bm_and(&m->apm_add, &m->apm, &apadd);
			apv_bm_and(&m->aqm_add, &m->aqm, &aqadd);
			apv_bm_and(&m->adm_add, &m->adm, &cdadd);
		}
	}

	/* vfio_ap's copy of the configuration, and the filter indices */
	apv_bm_or(&chg, &aqrem, &aqadd);
	vfio->info = *new_qci;
	for (m = vfio->mdevs; m; m = m->next) {
		struct apv_bitmap mine;

		apv_bm_and(&mine, &chg, &m->aqm);
		apv_bm_for_each(d, &mine)
			apv_filter_domain_update(host, m, (unsigned int)d);
	}
}

void apv_plug_scan_complete(struct apv_host *host,
			    const struct apv_qci *new_qci,
			    const struct apv_qci *old_qci)
{
	for (struct apv_mdev *m = host->vfio.mdevs; m; m = m->next) {
		bool apm_aqm = !apv_bm_empty(&m->apm_add) ||
			       !apv_bm_empty(&m->aqm_add);
		bool adm = !apv_bm_empty(&m->adm_add);

		if (!apm_aqm && !adm)
			continue;
		apv_plug_filter_and_push_locked(host, m, apm_aqm, adm);
		apv_bm_zero(&m->apm_add);
		apv_bm_zero(&m->aqm_add);
		apv_bm_zero(&m->adm_add);
	}
}
