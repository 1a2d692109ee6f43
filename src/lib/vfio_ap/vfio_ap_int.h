/* SPDX-License-Identifier: MIT */
/*
 * The vfio_ap driver (src/lib/vfio_ap): the matrix device, mdevs and their
 * assignments, the filter, hot plug and the AQIC handler behind the PQAP
 * hook.  The top subsystem under host.c: it may call the bus, the machine
 * and KVM.  Guarded by host->lock (lock.h).
 */
#ifndef APVIRT_VFIO_AP_INT_H
#define APVIRT_VFIO_AP_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <apvirt/bitmap.h>
#include <apvirt/host.h>
#include <apvirt/vfio_ap.h>

#include "../bus/bus_int.h"
#include "../kvm/kvm_int.h"
#include "../machine/machine.h"

/* ---- vfio_ap ------------------------------------------------------------ */

/* struct apv_vq, vfio_ap's per-queue object, is defined with the queue. */

struct apv_mdev {
	uint8_t uuid[16];
	char name[37];
	uint64_t seq;		/* creation order: higher = newer */
	struct apv_mdev *next, *prev; /* list, newest first */
	struct apv_mdev *hnext;	/* UUID hash chain (apv_vfio.hash) */

	struct apv_bitmap apm, aqm, adm; /* assigned matrix */
	unsigned int apm_max, aqm_max, adm_max;
	struct apv_bitmap sh_apm, sh_aqm, sh_adm; /* shadow APCB */
	struct apv_bitmap apm_add, aqm_add, adm_add;

	struct apv_kvm *kvm;	/* associated guest (vfio group in KVM) */
	struct apv_pqap_hook hook; /* on kvm while open */
	bool open;
	bool removing;
	unsigned int nlinked;

	/*
	 * Indexed filter: ok_count[a] = number of domains d in
	 * aqm & host AQM with (a, d) linked and passable; complete[a] iff
	 * ok_count[a] == n_eff (= |aqm & host AQM|).
	 */
	uint16_t ok_count[APV_MAX_IDS];
	unsigned int n_eff;
	struct apv_bitmap counted;	/* domains counted in n_eff */
	struct apv_bitmap complete;
};

struct apv_vfio {
	bool loaded;
	struct apv_qci info;	/* vfio_ap's own copy of QCI */
	struct apv_mdev *mdevs;	/* newest first */
	struct apv_mdev **hash;	/* [APV_MDEV_HASH] by UUID: O(1) lookups */
	unsigned int n_mdevs;
	uint64_t next_seq;
	struct apv_mdev **owner; /* [65536]: mdev whose product holds APQN */
	enum apv_filter_algo algo;
};

#define APV_MDEV_HASH 16384u /* buckets; a power of two */

int apv_vfio_init_locked(struct apv_host *host);
void apv_vfio_fini_locked(struct apv_host *host);
extern const struct apv_driver apv_vfio_ap_driver;

/* vfio_ap.c */
struct apv_mdev *apv_vfio_find_mdev(struct apv_host *host,
				    const uint8_t uuid[16]);
/* The mdev, or NULL with the reason "mdev ... does not exist" (ENODEV). */
struct apv_mdev *apv_vfio_mdev_or_fail(struct apv_host *host,
				       const uint8_t uuid[16]);
bool apv_vfio_passable(const struct apv_host *host, uint32_t reset_status);
/* Link / unlink a queue object to / from an mdev (keeps indices). */
void apv_vfio_link_locked(struct apv_host *host, struct apv_mdev *m,
			  struct apv_vq *vq);
void apv_vfio_unlink_locked(struct apv_host *host, struct apv_vq *vq);
/* The linked queue object of (a, d) in m, or NULL. */
struct apv_vq *apv_vfio_linked(struct apv_host *host,
			       const struct apv_mdev *m, apv_apqn q);
/* ZAPQ one queue object and record the result (6.1 or 6.12 algorithm).
 * Returns 0 or the per-queue errno. */
int apv_vfio_reset_queue_locked(struct apv_host *host, struct apv_vq *vq);
/* Release interrupt resources (saved ISC, NIB). */
void apv_vfio_release_irq_locked(struct apv_host *host, struct apv_vq *vq);

void apv_mdev_close_locked(struct apv_host *host, struct apv_mdev *m);
/* vfio_ap_aqic.c: vfio_ap's PQAP hook, set on every mdev at creation. */
extern const struct apv_pqap_hook apv_vfio_pqap_hook;
/* The mdev a PQAP hook of vfio_ap belongs to. */
struct apv_mdev *apv_vfio_hook_mdev(struct apv_pqap_hook *hook);
/* `create` / `remove` under host->lock; remove waits on host->cond
 * (releasing the lock) while the device is open, then frees m. */
int apv_mdev_create_locked(struct apv_host *host, const uint8_t uuid[16]);
int apv_mdev_remove_locked(struct apv_host *host, struct apv_mdev *m);
int apv_vfio_queue_status_locked(struct apv_host *host, apv_apqn q,
				 enum apv_queue_status *out);

/* vfio_ap_filter.c */
/* Recompute ok_count/complete of one mdev from scratch. */
void apv_filter_rebuild(struct apv_host *host, struct apv_mdev *m);
/* Queue (a,d) linked/unlinked or its passability changed. */
void apv_filter_queue_update(struct apv_host *host, struct apv_mdev *m,
			     struct apv_vq *vq);
/* Effective domain set of m changed for domain d. */
void apv_filter_domain_update(struct apv_host *host, struct apv_mdev *m,
			      unsigned int d);
/* Adapter a newly assigned / unassigned. */
void apv_filter_adapter_update(struct apv_host *host, struct apv_mdev *m,
			       unsigned int a);
/*
 * The kernel's APM/AQM filter: recompute the shadow APM/AQM; adapters
 * dropped that were in the previous shadow go to *filtered (if non-NULL).
 * Returns true if the shadow changed.
 */
bool apv_filter_apm_aqm(struct apv_host *host, struct apv_mdev *m,
			struct apv_bitmap *filtered);
bool apv_filter_adm(struct apv_host *host, struct apv_mdev *m);

/* vfio_ap_plug.c */
/* Write the shadow into the guest's CRYCB if a guest has the mdev open. */
void apv_plug_push_locked(struct apv_host *host, struct apv_mdev *m);
/* Filter, push if changed and (6.12) reset newly filtered adapters. */
void apv_plug_filter_and_push_locked(struct apv_host *host,
				     struct apv_mdev *m, bool apm_aqm,
				     bool adm);
/* ZAPQ the linked queues filtered x shadow AQM (6.12). */
void apv_plug_reset_adapters_locked(struct apv_host *host, struct apv_mdev *m,
				    const struct apv_bitmap *apids,
				    const struct apv_bitmap *apqis);
void apv_plug_unplug_adapters_locked(struct apv_host *host,
				     struct apv_mdev *m,
				     const struct apv_bitmap *apids);
void apv_plug_unplug_domains_locked(struct apv_host *host,
				    struct apv_mdev *m,
				    const struct apv_bitmap *apqis);
void apv_plug_link_adapter_locked(struct apv_host *host, struct apv_mdev *m,
				  unsigned int a);
void apv_plug_link_domain_locked(struct apv_host *host, struct apv_mdev *m,
				 unsigned int d);
void apv_plug_config_changed(struct apv_host *host,
			     const struct apv_qci *new_qci,
			     const struct apv_qci *old_qci);
void apv_plug_scan_complete(struct apv_host *host,
			    const struct apv_qci *new_qci,
			    const struct apv_qci *old_qci);
int apv_plug_queue_probe(struct apv_host *host, struct apv_queue *q);
void apv_plug_queue_remove(struct apv_host *host, struct apv_queue *q);

/* vfio_ap_assign.c */
enum apv_assign_kind {
	APV_ASSIGN_ADAPTER,
	APV_ASSIGN_DOMAIN,
	APV_ASSIGN_CONTROL,
};
/*
 * The bodies of apv_mdev_[un]assign_* and apv_mdev_set_ap_config on an mdev
 * the caller already resolved (the public wrappers look the UUID up once,
 * the sysfs layer passes its object down).
 */
int apv_mdev_assign_locked(struct apv_host *host, struct apv_mdev *m,
			   enum apv_assign_kind what, unsigned long id);
int apv_mdev_unassign_locked(struct apv_host *host, struct apv_mdev *m,
			     enum apv_assign_kind what, unsigned long id);
int apv_mdev_set_ap_config_locked(struct apv_host *host, struct apv_mdev *m,
				  const struct apv_bitmap *apm,
				  const struct apv_bitmap *aqm,
				  const struct apv_bitmap *adm);
void apv_owner_set(struct apv_host *host, struct apv_mdev *m,
		   const struct apv_bitmap *apm, const struct apv_bitmap *aqm,
		   bool own);
int apv_vfio_in_use(struct apv_host *host, const struct apv_bitmap *apm,
		    const struct apv_bitmap *aqm);

#endif /* APVIRT_VFIO_AP_INT_H */
