/* SPDX-License-Identifier: MIT */
/*
 * The vfio_ap driver: the matrix device, the vfio_ap-passthrough mdev type
 * and mediated devices with their assigned matrix, their shadow APCB (what
 * the guest gets) and hot plug.  mdevs are named by UUID (16 bytes); use
 * apv_parse_uuid()/apv_uuid_str() for the text form.  All functions take
 * host->lock.
 */
#ifndef APVIRT_VFIO_AP_H
#define APVIRT_VFIO_AP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <apvirt/apqn.h>
#include <apvirt/bitmap.h>
#include <apvirt/format.h>

struct apv_host;
struct apv_kvm;

#define APV_MAX_MDEVS 65536u

/* -ENODEV when vfio_ap is not loaded on this host. */
int apv_vfio_available_instances(struct apv_host *host, unsigned int *out);

/* `create`: -EEXIST, -EUSERS, -ENODEV (vfio_ap not loaded). */
int apv_mdev_create(struct apv_host *host, const uint8_t uuid[16]);

/*
 * `remove`: blocks while a guest has the device open (until it closes; the
 * request notifier of the KVM is called every slice).  -ENODEV if the mdev
 * does not exist (or is gone by the time the wait ends), -EAGAIN if another
 * removal of it is already under way.
 */
int apv_mdev_remove(struct apv_host *host, const uint8_t uuid[16]);

/* The mdev list, most recently created first.  Caller frees *out. */
int apv_mdev_list(struct apv_host *host, uint8_t (**out)[16], size_t *n);
bool apv_mdev_exists(struct apv_host *host, const uint8_t uuid[16]);

/*
 * Assignments with the kernel's validation order (spec §2.3):
 * range (-ENODEV) -> already assigned (0) -> reservation (-EADDRNOTAVAIL)
 * -> sharing (-EADDRINUSE); control domains are range-checked only.
 * -ENODEV if the mdev does not exist.
 */
int apv_mdev_assign_adapter(struct apv_host *host, const uint8_t uuid[16],
			    unsigned long id);
int apv_mdev_unassign_adapter(struct apv_host *host, const uint8_t uuid[16],
			      unsigned long id);
int apv_mdev_assign_domain(struct apv_host *host, const uint8_t uuid[16],
			   unsigned long id);
int apv_mdev_unassign_domain(struct apv_host *host, const uint8_t uuid[16],
			     unsigned long id);
int apv_mdev_assign_control_domain(struct apv_host *host,
				   const uint8_t uuid[16], unsigned long id);
int apv_mdev_unassign_control_domain(struct apv_host *host,
				     const uint8_t uuid[16], unsigned long id);

/*
 * `ap_config` write (6.12 only; -ENOENT on 6.1, where the file is absent):
 * the whole matrix at once, all or nothing; checks reservation, sharing,
 * then range.
 */
int apv_mdev_set_ap_config(struct apv_host *host, const uint8_t uuid[16],
			   const struct apv_bitmap *apm,
			   const struct apv_bitmap *aqm,
			   const struct apv_bitmap *adm);

struct apv_mdev_info {
	uint8_t uuid[16];
	struct apv_bitmap apm, aqm, adm;	   /* assigned matrix */
	unsigned int apm_max, aqm_max, adm_max;
	struct apv_bitmap sh_apm, sh_aqm, sh_adm;  /* shadow APCB */
	struct apv_bitmap apm_add, aqm_add, adm_add; /* pending hot plug */
	bool has_kvm;	/* a KVM is associated */
	bool open;	/* the device is open (guest running) */
	char kvm_name[64];
	unsigned int linked;	/* queues linked to the mdev */
	/* vfio's emulated IOMMU group: numbered in creation order from 0
	 * (the kernel reuses freed ids; the model never does) */
	unsigned int iommu_group;
};
int apv_mdev_info(struct apv_host *host, const uint8_t uuid[16],
		  struct apv_mdev_info *out);

/* Which mdev has (apid, apqi) in its assigned matrix; -ENOENT if none. */
int apv_vfio_owner(struct apv_host *host, apv_apqn q, uint8_t uuid[16]);

/*
 * Queue `status` (only while bound to vfio_ap, else -ENODEV); the enum and
 * its text form are apvirt/format.h (apv_queue_status_name).
 */
int apv_vfio_queue_status(struct apv_host *host, apv_apqn q,
			  enum apv_queue_status *out);

/* Last reset status word of a vfio_ap queue object; -ENODEV if unbound. */
int apv_vfio_queue_reset_status(struct apv_host *host, apv_apqn q,
				uint32_t *out);

/*
 * VFIO device interface, as QEMU drives it.  The KVM must first be
 * associated (QEMU adds the vfio device to the KVM's vfio device).
 * open:  -EINVAL without KVM, -EPERM if the KVM already has a vfio_ap mdev
 *        open, -EBUSY if this mdev is open already, -ENODEV no mdev.
 * close: clears the guest's APCBs, then resets every linked queue.
 * reset: VFIO_DEVICE_RESET; 6.12 -EIO if a queue's reset failed, 6.1 the
 *        last per-queue error.
 */
int apv_mdev_set_kvm(struct apv_host *host, const uint8_t uuid[16],
		     struct apv_kvm *kvm);
int apv_mdev_open(struct apv_host *host, const uint8_t uuid[16]);
int apv_mdev_close(struct apv_host *host, const uint8_t uuid[16]);
int apv_mdev_reset(struct apv_host *host, const uint8_t uuid[16]);

/* Verify the per-mdev filter indices against a brute-force recount.
 * Returns 0 or -EUCLEAN naming the first broken mdev in the reason. */
int apv_vfio_check_indices(struct apv_host *host);

#endif /* APVIRT_VFIO_AP_H */
