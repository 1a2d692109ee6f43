// SPDX-License-Identifier: MIT
/*
 * vfio_ap's side of PQAP(AQIC): the handler behind the guest's PQAP hook
 * (the kernel's handle_pqap, vfio-ap-semantics.md §3.5) and the queue's
 * interrupt registration.  The guest's AQIC reaches the machine as the host
 * AQIC vfio_ap issues for it; vfio_ap records the guest ISC and NIB in its
 * queue object (saved_isc / saved_nib) while they are registered.  KVM's
 * checks before the hook are kvm/ap_aqic.c.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>

#include "../bus/bus_int.h"
#include "../host_int.h"
#include "../kvm/kvm_int.h"
#include "../machine/machine.h"
#include "vfio_ap_int.h"

/* the host AQIC is retried this often on 02/05 when disabling */
#define AQIC_DISABLE_ATTEMPTS 6

static void aqic_log(struct apv_host *host, apv_apqn q, const char *what,
		     uint32_t st)
{
	char name[APV_APQN_STRLEN], dev[32];

	snprintf(dev, sizeof(dev), "vfio_ap %s", apv_apqn_str(q, name));
	apv_log_locked(host, APV_LOG_WARNING, dev, "%s, rc=%02x", what,
		       apv_qs_rc(st));
}

/* vfio_ap_irq_disable: host AQIC off, then release ISC and NIB. */
static uint32_t vfio_irq_disable(struct apv_host *host, struct apv_vq *vq)
{
	uint32_t st = 0;

	for (int i = 0; i < AQIC_DISABLE_ATTEMPTS; i++) {
		unsigned int rc;

		st = apv_hw_aqic_locked(host, vq->apqn, false, 0, 0, NULL);
		rc = apv_qs_rc(st);
		/* 00/07: the I bit is off at once in this machine */
		if (rc == APV_RC_NORMAL || rc == APV_RC_OTHERWISE_CHANGED)
			break;
		if (rc == APV_RC_RESET_IN_PROGRESS || rc == APV_RC_BUSY)
			continue;
		aqic_log(host, vq->apqn, "irq disable failed", st);
		break;
	}
	apv_vfio_release_irq_locked(host, vq);
	return st;
}

/* vfio_ap_irq_enable */
static uint32_t vfio_irq_enable(struct apv_host *host, struct apv_kvm *kvm,
				struct apv_vq *vq, unsigned int isc,
				uint64_t nib)
{
	uint32_t st;

	/* the NIB must be nonzero and backed by a memslot (pinnable) */
	if (!nib || !apv_kvm_mem_valid_locked(kvm, nib, 1))
		return apv_qs_make(APV_RC_INVALID_ADDRESS, 0);
	st = apv_hw_aqic_locked(host, vq->apqn, true, isc, nib, &kvm->airq);
	switch (apv_qs_rc(st)) {
	case APV_RC_NORMAL:
		/* the previous registration is released, the new one kept */
		apv_vfio_release_irq_locked(host, vq);
		vq->saved_isc = (int)isc;
		vq->saved_nib = nib;
		break;
	case APV_RC_OTHERWISE_CHANGED:
		/* this attempt is undone; the earlier one stays */
		break;
	default:
		aqic_log(host, vq->apqn, "irq enable failed", st);
		(void)vfio_irq_disable(host, vq);
		break;
	}
	return st;
}

struct apv_mdev *apv_vfio_hook_mdev(struct apv_pqap_hook *hook)
{
	return (struct apv_mdev *)((char *)hook -
				   offsetof(struct apv_mdev, hook));
}

/* vfio_ap's PQAP hook (handle_pqap): the status word for the guest. */
static uint32_t vfio_handle_pqap(struct apv_pqap_hook *hook,
				 struct apv_kvm *kvm,
				 const struct apv_cpu_regs *regs)
{
	struct apv_host *host = kvm->host;
	struct apv_mdev *m = apv_vfio_hook_mdev(hook);
	apv_apqn q = (apv_apqn)(regs->gr[0] & 0xffff);
	struct apv_vq *vq;

	/* "linked" = assigned and bound, not "in the shadow APCB" */
	vq = apv_vfio_linked(host, m, q);
	if (!vq || m->kvm != kvm)
		return apv_qs_make(APV_RC_Q_NOT_AVAIL, 0);
	if (regs->gr[1] & APV_AQIC_IR)
		return vfio_irq_enable(host, kvm, vq,
				       (unsigned int)(regs->gr[1] & 7),
				       regs->gr[2]);
	return vfio_irq_disable(host, vq);
}

/* The guest goes away with the device open: it is released. */
static void vfio_hook_release(struct apv_pqap_hook *hook, struct apv_kvm *kvm)
{
	apv_mdev_close_locked(kvm->host, apv_vfio_hook_mdev(hook));
}

const struct apv_pqap_hook apv_vfio_pqap_hook = {
	.aqic = vfio_handle_pqap,
	.release = vfio_hook_release,
};

int apv_vfio_queue_irq(struct apv_host *host, apv_apqn q, int *isc,
		       uint64_t *nib)
{
	struct apv_queue *bq;
	int rc = 0;

	apv_reason_clear();
	apv_lock(host);
	bq = apv_bus_queue(host, q);
	if (!bq || !bq->vq) {
		char name[APV_APQN_STRLEN];

		rc = apv_fail(-ENODEV, APV_RULE_NOT_BOUND,
			      "queue %s is not bound to vfio_ap",
			      apv_apqn_str(q, name));
	} else {
		*isc = bq->vq->saved_isc;
		*nib = bq->vq->saved_nib;
	}
	apv_unlock(host);
	return rc;
}
