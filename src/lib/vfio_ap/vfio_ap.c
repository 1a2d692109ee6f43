// SPDX-License-Identifier: MIT
/*
 * The vfio_ap driver: module load, the matrix device's mdevs (create,
 * remove), the per-queue objects and their links to mdevs, queue resets,
 * and the VFIO device interface (open, close, reset) that QEMU drives.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <apvirt/parse.h>

#include "../bus/bus_int.h"
#include "../host_int.h"
#include "../kvm/kvm_int.h"
#include "../machine/machine.h"
#include "vfio_ap_int.h"

static bool match_vfio(const struct apv_host *host, int type)
{
	return type >= APV_TYPE_CEX4 && type <= APV_TYPE_CEX8;
}

static int vfio_in_use_cb(struct apv_host *host, const struct apv_bitmap *apm,
			  const struct apv_bitmap *aqm)
{
	return apv_vfio_in_use(host, apm, aqm);
}

const struct apv_driver apv_vfio_ap_driver = {
	.name = "vfio_ap",
	.flags = 0,
	.match = match_vfio, /* CEX4..CEX8 queues only */
	.probe = apv_plug_queue_probe,
	.remove = apv_plug_queue_remove,
	.in_use = vfio_in_use_cb,
	.on_config_changed = apv_plug_config_changed,
	.on_scan_complete = apv_plug_scan_complete,
};

/* A guest goes away: no mdev names it as its KVM any more. */
static void vfio_guest_gone(struct apv_host *host, struct apv_kvm *kvm)
{
	apv_assert_locked(host);
	for (struct apv_mdev *m = host->vfio.mdevs; m; m = m->next)
		if (m->kvm == kvm)
			m->kvm = NULL;
}

int apv_vfio_init_locked(struct apv_host *host)
{
	struct apv_vfio *vfio = &host->vfio;

	apv_assert_locked(host);
	vfio->owner = calloc((size_t)APV_MAX_IDS * APV_MAX_IDS,
			     sizeof(struct apv_mdev *));
	vfio->hash = calloc(APV_MDEV_HASH, sizeof(struct apv_mdev *));
	if (!vfio->owner || !vfio->hash) {
		free(vfio->owner);
		free(vfio->hash);
		vfio->owner = NULL;
		vfio->hash = NULL;
		return apv_fail(-ENOMEM, APV_RULE_NO_MEMORY, "out of memory");
	}
	host->guest_gone = vfio_guest_gone;
	/* without QCI the copy stays all zero: nothing reaches a guest */
	apv_hw_qci_locked(host, &vfio->info);
	vfio->loaded = true;
	/* vfio_ap_init: the matrix device and its driver, the mdev parent,
	 * then the queue driver (whose probes follow) */
	apv_devev_named(host, APV_DEVEV_ADD, APV_DEVEV_MATRIX, "matrix", NULL,
			NULL, APV_DEVCHG_NONE, 0, NULL);
	apv_devev_named(host, APV_DEVEV_BIND, APV_DEVEV_MATRIX, "matrix", NULL,
			"vfio_ap", APV_DEVCHG_NONE, 0, NULL);
	apv_devev_named(host, APV_DEVEV_CHANGE, APV_DEVEV_MATRIX, "matrix", NULL,
			"vfio_ap", APV_DEVCHG_REGISTERED, 0, NULL);
	apv_bus_register_driver_locked(host, &apv_vfio_ap_driver);
	/* queues no default driver may have get probed now */
	for (unsigned int a = 0; a < APV_MAX_IDS; a++) {
		struct apv_card *c = host->bus.cards[a];

		for (unsigned int d = 0; c && d < APV_MAX_IDS; d++)
			if (c->q[d] && !c->q[d]->driver)
				apv_bus_attach_queue_locked(host, c->q[d]);
	}
	return 0;
}

static void mdev_free_locked(struct apv_host *host, struct apv_mdev *m);

/* the mdev core's driver every vfio_ap mdev binds to */
#define VFIO_AP_MDEV_DRIVER "vfio_ap_mdev"

void apv_vfio_fini_locked(struct apv_host *host)
{
	struct apv_vfio *vfio = &host->vfio;

	apv_assert_locked(host);
	while (vfio->mdevs)
		mdev_free_locked(host, vfio->mdevs);
	host->guest_gone = NULL;
	free(vfio->owner);
	free(vfio->hash);
	vfio->owner = NULL;
	vfio->hash = NULL;
	vfio->loaded = false;
}

/* ---- mdev lookup and list ------------------------------------------- */

/* FNV-1a of the UUID bytes, folded to a bucket. */
static struct apv_mdev **mdev_bucket(struct apv_vfio *vfio,
				     const uint8_t uuid[16])
{
	uint32_t h = 2166136261u;

	for (int i = 0; i < 16; i++)
		h = (h ^ uuid[i]) * 16777619u;
	return &vfio->hash[h & (APV_MDEV_HASH - 1)];
}

struct apv_mdev *apv_vfio_find_mdev(struct apv_host *host,
				    const uint8_t uuid[16])
{
	if (!host->vfio.hash)
		return NULL;
	for (struct apv_mdev *m = *mdev_bucket(&host->vfio, uuid); m;
	     m = m->hnext)
		if (!memcmp(m->uuid, uuid, 16))
			return m;
	return NULL;
}

struct apv_mdev *apv_vfio_mdev_or_fail(struct apv_host *host,
				       const uint8_t uuid[16])
{
	struct apv_mdev *m = host->vfio.loaded ? apv_vfio_find_mdev(host, uuid)
					       : NULL;
	char name[37];

	if (!m)
		apv_fail(-ENODEV, APV_RULE_NO_DEVICE, "mdev %s does not exist",
			 apv_uuid_str(uuid, name));
	return m;
}

bool apv_mdev_exists(struct apv_host *host, const uint8_t uuid[16])
{
	bool r;

	apv_lock(host);
	r = host->vfio.loaded && apv_vfio_find_mdev(host, uuid);
	apv_unlock(host);
	return r;
}

int apv_mdev_list(struct apv_host *host, uint8_t (**out)[16], size_t *n)
{
	uint8_t(*v)[16];
	size_t i = 0;

	apv_lock(host);
	v = calloc(host->vfio.n_mdevs + 1, 16);
	if (!v) {
		apv_unlock(host);
		return -ENOMEM;
	}
	for (struct apv_mdev *m = host->vfio.mdevs; m; m = m->next)
		memcpy(v[i++], m->uuid, 16);
	apv_unlock(host);
	*out = v;
	*n = i;
	return 0;
}

int apv_vfio_available_instances(struct apv_host *host, unsigned int *out)
{
	int rc = 0;

	apv_lock(host);
	if (!host->vfio.loaded)
		rc = -ENODEV;
	else
		*out = APV_MAX_MDEVS - host->vfio.n_mdevs;
	apv_unlock(host);
	return rc;
}

/* ---- links between queue objects and mdevs ------------------------- */

struct apv_vq *apv_vfio_linked(struct apv_host *host,
			       const struct apv_mdev *m, apv_apqn q)
{
	struct apv_queue *bq = apv_bus_queue(host, q);

	return bq && bq->vq && bq->vq->mdev == m ? bq->vq : NULL;
}

void apv_vfio_link_locked(struct apv_host *host, struct apv_mdev *m,
			  struct apv_vq *vq)
{
	apv_assert_locked(host);
	if (vq->mdev)
		return;
	vq->mdev = m;
	m->nlinked++;
	apv_filter_queue_update(host, m, vq);
}

void apv_vfio_unlink_locked(struct apv_host *host, struct apv_vq *vq)
{
	struct apv_mdev *m = vq->mdev;

	apv_assert_locked(host);
	if (!m)
		return;
	/* the back-pointer is cleared on every unlink (spec §5.5) */
	vq->mdev = NULL;
	m->nlinked--;
	apv_filter_queue_update(host, m, vq);
}

/* ---- resets ------------------------------------------------------------ */

void apv_vfio_release_irq_locked(struct apv_host *host, struct apv_vq *vq)
{
	apv_assert_locked(host);
	vq->saved_isc = -1;
	vq->saved_nib = 0;
}

static void record_reset(struct apv_host *host, struct apv_vq *vq,
			 uint32_t status)
{
	vq->reset_status = status;
	if (vq->mdev)
		apv_filter_queue_update(host, vq->mdev, vq);
}

static void log_queue(struct apv_host *host, apv_apqn q, const char *what,
		      unsigned int rc)
{
	char name[APV_APQN_STRLEN], dev[32];

	snprintf(dev, sizeof(dev), "vfio_ap %s", apv_apqn_str(q, name));
	apv_log_locked(host, APV_LOG_WARNING, dev, "%s, rc=%02x", what, rc);
}

/* 6.12: ZAPQ, then verify by TAPQ until the reset is done (spec §3.4). */
static int reset_612(struct apv_host *host, struct apv_vq *vq)
{
	uint32_t st = apv_hw_zapq_locked(host, vq->apqn);
	uint64_t info;

	record_reset(host, vq, st);
	switch (apv_qs_rc(st)) {
	case APV_RC_NORMAL:
	case APV_RC_RESET_IN_PROGRESS:
	case APV_RC_BUSY:
	case APV_RC_STATE_CHANGE_IN_PROGRESS:
		for (;;) {
			uint32_t t = apv_hw_tapq_locked(host, vq->apqn, false,
							&info);
			unsigned int rc = apv_qs_rc(t), zrc = apv_qs_rc(st);

			if (rc == APV_RC_RESET_IN_PROGRESS ||
			    rc == APV_RC_BUSY)
				continue; /* the machine finishes instantly */
			if (rc == APV_RC_Q_NOT_AVAIL) {
				apv_vfio_release_irq_locked(host, vq);
				break;
			}
			if (rc != APV_RC_NORMAL && rc != APV_RC_DECONFIGURED &&
			    rc != APV_RC_CHECKSTOPPED) {
				log_queue(host, vq->apqn,
					  "reset verification failed", rc);
				break;
			}
			if (zrc == APV_RC_RESET_IN_PROGRESS ||
			    zrc == APV_RC_BUSY ||
			    zrc == APV_RC_STATE_CHANGE_IN_PROGRESS) {
				/* the zeroize may not have happened: again */
				st = apv_hw_zapq_locked(host, vq->apqn);
				record_reset(host, vq, st);
				continue;
			}
			apv_vfio_release_irq_locked(host, vq);
			break;
		}
		break;
	case APV_RC_Q_NOT_AVAIL:
	case APV_RC_DECONFIGURED:
	case APV_RC_CHECKSTOPPED:
		apv_vfio_release_irq_locked(host, vq);
		break;
	default:
		log_queue(host, vq->apqn, "PQAP/ZAPQ failed", apv_qs_rc(st));
		break;
	}
	return apv_qs_rc(vq->reset_status) ? -EIO : 0;
}

/* 6.1: synchronous, bounded (spec §3.4). */
static int reset_61(struct apv_host *host, struct apv_vq *vq)
{
	uint32_t st = apv_hw_zapq_locked(host, vq->apqn);
	int ret = 0;

	record_reset(host, vq, st);
	switch (apv_qs_rc(st)) {
	case APV_RC_NORMAL:
		break;
	case APV_RC_RESET_IN_PROGRESS:
		st = apv_hw_zapq_locked(host, vq->apqn);
		record_reset(host, vq, st);
		if (apv_qs_rc(st) == APV_RC_RESET_IN_PROGRESS)
			ret = -EBUSY;
		break;
	case APV_RC_Q_NOT_AVAIL:
	case APV_RC_DECONFIGURED:
	case APV_RC_CHECKSTOPPED:
		ret = -EBUSY;
		break;
	default:
		log_queue(host, vq->apqn, "PQAP/ZAPQ failed", apv_qs_rc(st));
		return -EIO;
	}
	apv_vfio_release_irq_locked(host, vq);
	return ret;
}

int apv_vfio_reset_queue_locked(struct apv_host *host, struct apv_vq *vq)
{
	apv_assert_locked(host);
	return apv_is_61(host) ? reset_61(host, vq) : reset_612(host, vq);
}

/* Reset every queue linked to m; the errno rule of the profile. */
static int reset_linked(struct apv_host *host, struct apv_mdev *m)
{
	int ret = 0;

	apv_bm_for_each(a, &m->apm) {
		apv_bm_for_each(d, &m->aqm) {
			struct apv_vq *vq =
				apv_vfio_linked(host, m, APV_APQN(a, d));
			int rc;

			if (!vq)
				continue;
			rc = apv_vfio_reset_queue_locked(host, vq);
			if (rc)
				ret = rc;
		}
	}
	return ret;
}

/* ---- mdev create / remove ------------------------------------------ */

int apv_mdev_create_locked(struct apv_host *host, const uint8_t uuid[16])
{
	struct apv_vfio *vfio = &host->vfio;
	struct apv_mdev *m;
	char name[37];
	int rc;

	apv_assert_locked(host);
	apv_uuid_str(uuid, name);
	if (!vfio->loaded)
		return apv_fail(-ENODEV, APV_RULE_NOT_SUPPORTED,
				"vfio_ap is not loaded");
	if (apv_vfio_find_mdev(host, uuid)) {
		rc = apv_fail(-EEXIST, APV_RULE_EXISTS,
			      "mdev %s already exists", name);
		apv_reason_owner(name);
		return rc;
	}
	if (vfio->n_mdevs >= APV_MAX_MDEVS)
		return apv_fail(-EUSERS, APV_RULE_NO_INSTANCES,
				"no vfio_ap-passthrough instances left (%u in use)",
				vfio->n_mdevs);
	m = calloc(1, sizeof(*m));
	if (!m)
		return apv_fail(-ENOMEM, APV_RULE_NO_MEMORY, "out of memory");
	memcpy(m->uuid, uuid, 16);
	memcpy(m->name, name, sizeof(m->name));
	m->seq = ++vfio->next_seq;
	m->hook = apv_vfio_pqap_hook;
	m->apm_max = vfio->info.apxa ? vfio->info.na : 63;
	m->aqm_max = vfio->info.apxa ? vfio->info.nd : 15;
	m->adm_max = m->aqm_max;
	apv_bm_fill(&m->complete); /* no effective domain: vacuously complete */
	m->next = vfio->mdevs;
	if (vfio->mdevs)
		vfio->mdevs->prev = m;
	vfio->mdevs = m;
	m->hnext = *mdev_bucket(vfio, uuid);
	*mdev_bucket(vfio, uuid) = m;
	vfio->n_mdevs++;
	/* the mdev core adds the device, then vfio_ap_mdev binds it */
	apv_devev_named(host, APV_DEVEV_ADD, APV_DEVEV_MDEV, m->name, m->uuid,
			NULL, APV_DEVCHG_NONE, 0, NULL);
	apv_devev_named(host, APV_DEVEV_BIND, APV_DEVEV_MDEV, m->name, m->uuid,
			VFIO_AP_MDEV_DRIVER, APV_DEVCHG_NONE, 0, NULL);
	return 0;
}

int apv_mdev_create(struct apv_host *host, const uint8_t uuid[16])
{
	int rc;

	apv_reason_clear();
	apv_lock(host);
	rc = apv_mdev_create_locked(host, uuid);
	apv_unlock(host);
	return rc;
}

static void mdev_free_locked(struct apv_host *host, struct apv_mdev *m)
{
	struct apv_vfio *vfio = &host->vfio;

	apv_assert_locked(host);
	if (m->open) {
		apv_kvm_clear_masks_locked(m->kvm);
		m->kvm->pqap_hook = NULL;
		m->open = false;
	}
	(void)reset_linked(host, m);
	apv_bm_for_each(a, &m->apm) {
		apv_bm_for_each(d, &m->aqm) {
			struct apv_vq *vq =
				apv_vfio_linked(host, m, APV_APQN(a, d));

			if (vq)
				apv_vfio_unlink_locked(host, vq);
		}
	}
	apv_owner_set(host, m, &m->apm, &m->aqm, false);
	if (m->prev)
		m->prev->next = m->next;
	else
		vfio->mdevs = m->next;
	if (m->next)
		m->next->prev = m->prev;
	for (struct apv_mdev **p = mdev_bucket(vfio, m->uuid); *p;
	     p = &(*p)->hnext) {
		if (*p == m) {
			*p = m->hnext;
			break;
		}
	}
	vfio->n_mdevs--;
	apv_devev_named(host, APV_DEVEV_UNBIND, APV_DEVEV_MDEV, m->name, m->uuid,
			VFIO_AP_MDEV_DRIVER, APV_DEVCHG_NONE, 0, NULL);
	apv_devev_named(host, APV_DEVEV_REMOVE, APV_DEVEV_MDEV, m->name, m->uuid,
			NULL, APV_DEVCHG_NONE, 0, NULL);
	free(m);
}

static void wait_slice(struct apv_host *host, unsigned int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	(void)apv_lock_wait(host, &host->cond, &ts);
}

int apv_mdev_remove_locked(struct apv_host *host, struct apv_mdev *m)
{
	unsigned int count = 0;
	bool told = false;

	apv_assert_locked(host);
	if (m->removing)
		return apv_fail(-EAGAIN, APV_RULE_BUSY,
				"mdev %s is already being removed", m->name);
	m->removing = true;
	/* the vfio core waits for the user to release the device */
	while (m->open) {
		struct apv_kvm *k = m->kvm;

		if (!apv_is_61(host) && k && k->notify.request) {
			if (count % 10 == 0)
				apv_log_locked(host, APV_LOG_INFO, m->name,
					       "Relaying device request to user (#%u)",
					       count);
			k->notify.request(k->notify.opaque, count);
		} else if (!told && !apv_is_61(host)) {
			/* 6.1 has no request callback: the writer just blocks */
			apv_log_locked(host, APV_LOG_INFO, m->name,
				       "No device request registered, blocked until released by user");
			told = true;
		}
		count++;
		wait_slice(host, host->remove_slice_ms);
	}
	mdev_free_locked(host, m);
	return 0;
}

int apv_mdev_remove(struct apv_host *host, const uint8_t uuid[16])
{
	struct apv_mdev *m;
	int rc;

	apv_reason_clear();
	apv_lock(host);
	m = apv_vfio_mdev_or_fail(host, uuid);
	rc = m ? apv_mdev_remove_locked(host, m) : -ENODEV;
	apv_unlock(host);
	return rc;
}

/* ---- queries ---------------------------------------------------------- */

int apv_mdev_info(struct apv_host *host, const uint8_t uuid[16],
		  struct apv_mdev_info *out)
{
	struct apv_mdev *m;

	apv_reason_clear();
	apv_lock(host);
	m = apv_vfio_mdev_or_fail(host, uuid);
	if (!m) {
		apv_unlock(host);
		return -ENODEV;
	}
	memset(out, 0, sizeof(*out));
	memcpy(out->uuid, m->uuid, 16);
	out->apm = m->apm;
	out->aqm = m->aqm;
	out->adm = m->adm;
	out->apm_max = m->apm_max;
	out->aqm_max = m->aqm_max;
	out->adm_max = m->adm_max;
	out->sh_apm = m->sh_apm;
	out->sh_aqm = m->sh_aqm;
	out->sh_adm = m->sh_adm;
	out->apm_add = m->apm_add;
	out->aqm_add = m->aqm_add;
	out->adm_add = m->adm_add;
	out->has_kvm = m->kvm != NULL;
	out->open = m->open;
	if (m->kvm)
		snprintf(out->kvm_name, sizeof(out->kvm_name), "%s",
			 m->kvm->name);
	out->linked = m->nlinked;
	out->iommu_group = (unsigned int)(m->seq - 1);
	apv_unlock(host);
	return 0;
}

int apv_vfio_owner(struct apv_host *host, apv_apqn q, uint8_t uuid[16])
{
	struct apv_mdev *m;
	int rc = -ENOENT;

	apv_lock(host);
	m = host->vfio.loaded ? host->vfio.owner[q] : NULL;
	if (m) {
		memcpy(uuid, m->uuid, 16);
		rc = 0;
	}
	apv_unlock(host);
	return rc;
}

int apv_vfio_queue_status_locked(struct apv_host *host, apv_apqn q,
				 enum apv_queue_status *out)
{
	struct apv_queue *bq = apv_bus_queue(host, q);
	struct apv_mdev *m;

	apv_assert_locked(host);
	if (!bq || !bq->vq)
		return -ENODEV;
	m = host->vfio.owner[q];
	if (!m)
		*out = APV_QSTATUS_UNASSIGNED;
	else if (m->open && apv_bm_test(&m->sh_apm, apv_apqn_apid(q)) &&
		 apv_bm_test(&m->sh_aqm, apv_apqn_apqi(q)))
		*out = APV_QSTATUS_IN_USE;
	else
		*out = APV_QSTATUS_ASSIGNED;
	return 0;
}

int apv_vfio_queue_status(struct apv_host *host, apv_apqn q,
			  enum apv_queue_status *out)
{
	int rc;

	apv_lock(host);
	rc = apv_vfio_queue_status_locked(host, q, out);
	apv_unlock(host);
	return rc;
}

int apv_vfio_queue_reset_status(struct apv_host *host, apv_apqn q,
				uint32_t *out)
{
	struct apv_queue *bq;
	int rc = -ENODEV;

	apv_lock(host);
	bq = apv_bus_queue(host, q);
	if (bq && bq->vq) {
		*out = bq->vq->reset_status;
		rc = 0;
	}
	apv_unlock(host);
	return rc;
}

/* ---- the VFIO device interface ------------------------------------- */

int apv_mdev_set_kvm(struct apv_host *host, const uint8_t uuid[16],
		     struct apv_kvm *kvm)
{
	struct apv_mdev *m;
	int rc = 0;

	apv_reason_clear();
	apv_lock(host);
	m = apv_vfio_mdev_or_fail(host, uuid);
	if (!m)
		rc = -ENODEV;
	else if (m->open)
		rc = apv_fail(-EBUSY, APV_RULE_BUSY,
			      "mdev %s is open; close it before changing its KVM",
			      m->name);
	else
		m->kvm = kvm;
	apv_unlock(host);
	return rc;
}

int apv_mdev_open(struct apv_host *host, const uint8_t uuid[16])
{
	struct apv_mdev *m;
	int rc = 0;

	apv_reason_clear();
	apv_lock(host);
	m = apv_vfio_mdev_or_fail(host, uuid);
	if (!m) {
		rc = -ENODEV;
	} else if (m->open) {
		rc = apv_fail(-EBUSY, APV_RULE_BUSY, "mdev %s is already open",
			      m->name);
	} else if (!m->kvm) {
		rc = apv_fail(-EINVAL, APV_RULE_NO_KVM,
			      "mdev %s has no KVM associated", m->name);
	} else if (m->kvm->pqap_hook) {
		const struct apv_mdev *o = apv_vfio_hook_mdev(m->kvm->pqap_hook);

		rc = apv_fail(-EPERM, APV_RULE_KVM_TAKEN,
			      "guest %s already uses vfio_ap mdev %s",
			      m->kvm->name, o->name);
		apv_reason_owner(o->name);
	} else {
		m->kvm->pqap_hook = &m->hook;
		m->open = true;
		/* the current shadow, as it is: no re-filtering */
		apv_plug_push_locked(host, m);
	}
	apv_unlock(host);
	return rc;
}

void apv_mdev_close_locked(struct apv_host *host, struct apv_mdev *m)
{
	apv_assert_locked(host);
	if (!m->open)
		return;
	m->kvm->pqap_hook = NULL;
	/* the guest loses all AP access first ... */
	apv_kvm_clear_masks_locked(m->kvm);
	m->open = false;
	/* ... then every linked queue is zeroized */
	(void)reset_linked(host, m);
	pthread_cond_broadcast(&host->cond);
}

int apv_mdev_close(struct apv_host *host, const uint8_t uuid[16])
{
	struct apv_mdev *m;
	int rc = 0;

	apv_reason_clear();
	apv_lock(host);
	m = apv_vfio_mdev_or_fail(host, uuid);
	if (!m)
		rc = -ENODEV;
	else if (!m->open)
		rc = apv_fail(-EINVAL, APV_RULE_BUSY, "mdev %s is not open",
			      m->name);
	else
		apv_mdev_close_locked(host, m);
	apv_unlock(host);
	return rc;
}

int apv_mdev_reset(struct apv_host *host, const uint8_t uuid[16])
{
	struct apv_mdev *m;
	int rc;

	apv_reason_clear();
	apv_lock(host);
	m = apv_vfio_mdev_or_fail(host, uuid);
	if (!m) {
		rc = -ENODEV;
	} else {
		rc = reset_linked(host, m);
		if (rc)
			apv_fail(rc, APV_RULE_RESET_FAILED,
				 "a queue of mdev %s did not reset", m->name);
	}
	apv_unlock(host);
	return rc;
}

/* ---- self check ------------------------------------------------------ */

int apv_vfio_check_indices(struct apv_host *host)
{
	int rc = 0;

	apv_reason_clear();
	apv_lock(host);
	for (struct apv_mdev *m = host->vfio.mdevs; m && !rc; m = m->next) {
		struct apv_bitmap eff;
		unsigned int linked = 0;

		apv_bm_and(&eff, &m->aqm, &host->vfio.info.aqm);
		if (!apv_bm_equal(&eff, &m->counted) ||
		    m->n_eff != apv_bm_count(&eff))
			rc = apv_fail(-EUCLEAN, APV_RULE_NONE,
				      "mdev %s: effective domains out of sync",
				      m->name);
		for (unsigned int a = 0; a < APV_MAX_IDS && !rc; a++) {
			/* queue objects live on bus queues: no card, none */
			const struct apv_card *c = host->bus.cards[a];
			unsigned int ok = 0;

			for (unsigned int d = 0; c && d < APV_MAX_IDS; d++) {
				const struct apv_vq *vq =
					c->q[d] ? c->q[d]->vq : NULL;
				bool counts;

				if (!vq || vq->mdev != m)
					continue;
				linked++;
				counts = apv_bm_test(&eff, d) &&
					 apv_vfio_passable(host,
							   vq->reset_status);
				if (counts)
					ok++;
				if (vq->ok != counts)
					rc = apv_fail(-EUCLEAN, APV_RULE_NONE,
						      "mdev %s: queue %02x.%04x counted %d",
						      m->name, a, d, vq->ok);
				if (host->vfio.owner[APV_APQN(a, d)] != m)
					rc = apv_fail(-EUCLEAN, APV_RULE_NONE,
						      "mdev %s: owner index", m->name);
			}
			if (ok != m->ok_count[a] ||
			    apv_bm_test(&m->complete, a) != (ok == m->n_eff))
				rc = apv_fail(-EUCLEAN, APV_RULE_NONE,
					      "mdev %s: adapter %02x count %u != %u",
					      m->name, a, m->ok_count[a], ok);
		}
		if (!rc && linked != m->nlinked)
			rc = apv_fail(-EUCLEAN, APV_RULE_NONE,
				      "mdev %s: %u linked, counted %u", m->name,
				      linked, m->nlinked);
	}
	/* an unlinked queue object is never counted */
	for (unsigned int a = 0; a < APV_MAX_IDS && !rc; a++) {
		const struct apv_card *c = host->bus.cards[a];

		for (unsigned int d = 0; c && d < APV_MAX_IDS && !rc; d++) {
			const struct apv_vq *vq = c->q[d] ? c->q[d]->vq : NULL;

			if (vq && !vq->mdev && vq->ok)
				rc = apv_fail(-EUCLEAN, APV_RULE_NONE,
					      "queue %02x.%04x: counted while unlinked",
					      a, d);
		}
	}
	apv_unlock(host);
	return rc;
}
