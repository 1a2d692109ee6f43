// SPDX-License-Identifier: MIT
/*
 * Filtering the assigned matrix down to the shadow APCB (spec §3.2).
 *
 * The kernel re-filters the whole matrix on every event: for every
 * host-configured assigned adapter it looks up every host-configured
 * assigned domain's queue and drops the adapter at the first one that is
 * missing or not passable.  That is O(adapters x domains) per probe, so a
 * bind storm of N queues costs O(N x A x D).
 *
 * We keep, per mdev, how many of the adapter's effective domains (assigned
 * and in vfio_ap's host configuration copy) have a linked, passable queue.
 * An adapter is "complete" when that count equals the number of effective
 * domains, and the kernel's filter result is then simply
 *
 *     shadow.APM = assigned APM & host APM & complete
 *     shadow.AQM = assigned AQM & host AQM
 *
 * computed with four word operations.  A probe, remove or reset touches one
 * counter; a domain joining or leaving the effective set touches one counter
 * per assigned adapter.  The kernel's algorithm stays available
 * (APV_FILTER_REFERENCE) and the tests compare the two on long random event
 * sequences.
 */
#include <string.h>

#include "../bus/bus_int.h"
#include "../host_int.h"
#include "../kvm/kvm_int.h"
#include "../machine/machine.h"
#include "vfio_ap_int.h"

bool apv_vfio_passable(const struct apv_host *host, uint32_t reset_status)
{
	unsigned int rc = apv_qs_rc(reset_status);

	if (apv_is_61(host))
		return rc == APV_RC_NORMAL;
	return rc == APV_RC_NORMAL || rc == APV_RC_DECONFIGURED ||
	       rc == APV_RC_CHECKSTOPPED;
}

static void set_complete(struct apv_mdev *m, unsigned int a)
{
	if (m->ok_count[a] == m->n_eff)
		apv_bm_set(&m->complete, a);
	else
		apv_bm_clear(&m->complete, a);
}

static void all_complete(struct apv_mdev *m)
{
	for (unsigned int a = 0; a < APV_MAX_IDS; a++)
		set_complete(m, a);
}

/* Should vq count for m right now? */
static bool vq_counts(const struct apv_host *host, const struct apv_mdev *m,
		      const struct apv_vq *vq)
{
	return vq->mdev == m &&
	       apv_bm_test(&m->counted, apv_apqn_apqi(vq->apqn)) &&
	       apv_vfio_passable(host, vq->reset_status);
}

void apv_filter_queue_update(struct apv_host *host, struct apv_mdev *m,
			     struct apv_vq *vq)
{
	bool should = vq_counts(host, m, vq);
	unsigned int a = apv_apqn_apid(vq->apqn);

	host->stats.filter_ops++;
	if (should == vq->ok)
		return;
	vq->ok = should;
	if (should)
		m->ok_count[a]++;
	else
		m->ok_count[a]--;
	set_complete(m, a);
}

void apv_filter_domain_update(struct apv_host *host, struct apv_mdev *m,
			      unsigned int d)
{
	bool eff = apv_bm_test(&m->aqm, d) &&
		   apv_bm_test(&host->vfio.info.aqm, d);

	if (eff == apv_bm_test(&m->counted, d))
		return;
	if (eff) {
		apv_bm_set(&m->counted, d);
		m->n_eff++;
	} else {
		apv_bm_clear(&m->counted, d);
		m->n_eff--;
	}
	apv_bm_for_each(a, &m->apm) {
		struct apv_vq *vq = apv_vfio_linked(host, m, APV_APQN(a, d));

		if (vq)
			apv_filter_queue_update(host, m, vq);
	}
	all_complete(m);
}

void apv_filter_adapter_update(struct apv_host *host, struct apv_mdev *m,
			       unsigned int a)
{
	host->stats.filter_ops++;
	set_complete(m, a);
}

void apv_filter_rebuild(struct apv_host *host, struct apv_mdev *m)
{
	memset(m->ok_count, 0, sizeof(m->ok_count));
	apv_bm_and(&m->counted, &m->aqm, &host->vfio.info.aqm);
	m->n_eff = apv_bm_count(&m->counted);
	apv_bm_for_each(a, &m->apm) {
		apv_bm_for_each(d, &m->aqm) {
			struct apv_vq *vq =
				apv_vfio_linked(host, m, APV_APQN(a, d));

			if (!vq)
				continue;
			vq->ok = vq_counts(host, m, vq);
			if (vq->ok)
				m->ok_count[a]++;
		}
	}
	all_complete(m);
}

/* The kernel's filter: look up every queue of the product. */
static void filter_reference(struct apv_host *host, const struct apv_mdev *m,
			     struct apv_bitmap *apm,
			     const struct apv_bitmap *aqm)
{
	apv_bm_for_each(a, apm) {
		apv_bm_for_each(d, aqm) {
			const struct apv_vq *vq;

			host->stats.filter_ops++;
			vq = apv_vfio_linked(host, m, APV_APQN(a, d));
			if (!vq || !apv_vfio_passable(host, vq->reset_status)) {
				apv_bm_clear(apm, (unsigned int)a);
				break;
			}
		}
	}
}

/*
 * The indexed filter in one pass over the mask words: with the counters
 * kept current this is the whole filter, so a probe costs a handful of
 * word operations.
 */
static bool filter_indexed(struct apv_host *host, struct apv_mdev *m,
			   struct apv_bitmap *filtered)
{
	const struct apv_qci *info = &host->vfio.info;
	uint64_t changed = 0;

	host->stats.filter_ops++;
	for (int i = 0; i < APV_BM_WORDS; i++) {
		uint64_t base = m->apm.w[i] & info->apm.w[i];
		uint64_t apm = base & m->complete.w[i];
		uint64_t aqm = m->aqm.w[i] & info->aqm.w[i];

		if (filtered)
			filtered->w[i] = m->sh_apm.w[i] & base & ~apm;
		changed |= (apm ^ m->sh_apm.w[i]) | (aqm ^ m->sh_aqm.w[i]);
		m->sh_apm.w[i] = apm;
		m->sh_aqm.w[i] = aqm;
	}
	return changed != 0;
}

bool apv_filter_apm_aqm(struct apv_host *host, struct apv_mdev *m,
			struct apv_bitmap *filtered)
{
	struct apv_bitmap prev_apm, prev_aqm;
	struct apv_bitmap base, apm, aqm;

	host->stats.filter_runs++;
	if (host->vfio.algo != APV_FILTER_REFERENCE)
		return filter_indexed(host, m, filtered);
	prev_apm = m->sh_apm;
	prev_aqm = m->sh_aqm;
	apv_bm_and(&base, &m->apm, &host->vfio.info.apm);
	apv_bm_and(&aqm, &m->aqm, &host->vfio.info.aqm);
	apm = base;
	filter_reference(host, m, &apm, &aqm);
	if (filtered) {
		apv_bm_and(filtered, &prev_apm, &base);
		apv_bm_andnot(filtered, filtered, &apm);
	}
	m->sh_apm = apm;
	m->sh_aqm = aqm;
	return !apv_bm_equal(&prev_apm, &apm) || !apv_bm_equal(&prev_aqm, &aqm);
}

bool apv_filter_adm(struct apv_host *host, struct apv_mdev *m)
{
	struct apv_bitmap adm;
	bool changed;

	apv_bm_and(&adm, &m->adm, &host->vfio.info.adm);
	changed = !apv_bm_equal(&adm, &m->sh_adm);
	m->sh_adm = adm;
	return changed;
}
