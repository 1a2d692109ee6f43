/* SPDX-License-Identifier: MIT */
/*
 * The AP bus (src/lib/bus): card and queue devices, the drivers (zcrypt's
 * and, through the driver table, vfio_ap), the masks, the scans and the
 * zcrypt device nodes.  It calls the machine; it reaches vfio_ap only
 * through the apv_driver table vfio_ap registers.  vfio_ap's per-queue
 * object (struct apv_vq) is defined here because its storage lives in the
 * bus queue.  Guarded by host->lock (lock.h).
 */
#ifndef APVIRT_BUS_INT_H
#define APVIRT_BUS_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <apvirt/apqn.h>
#include <apvirt/bitmap.h>
#include <apvirt/host.h>
#include <apvirt/zcdn.h>

#include "../machine/machine.h"

/* ---- the AP bus ------------------------------------------------------- */

struct apv_host;
struct apv_card;
struct apv_queue;

#define APV_DRV_DEFAULT 0x1u /* zcrypt: serves host-reserved queues */
#define APV_DRV_CARD 0x2u    /* binds card devices (else queue devices) */

struct apv_driver {
	const char *name;
	unsigned int flags;
	bool (*match)(const struct apv_host *host, int type);
	int (*probe)(struct apv_host *host, struct apv_queue *q);
	void (*remove)(struct apv_host *host, struct apv_queue *q);
	/* -EADDRINUSE if any APQN of apm x aqm is in use */
	int (*in_use)(struct apv_host *host, const struct apv_bitmap *apm,
		      const struct apv_bitmap *aqm);
	void (*on_config_changed)(struct apv_host *host,
				  const struct apv_qci *new_qci,
				  const struct apv_qci *old_qci);
	void (*on_scan_complete)(struct apv_host *host,
				 const struct apv_qci *new_qci,
				 const struct apv_qci *old_qci);
};

enum apv_qsm {
	APV_QSM_UNINIT,	 /* never driven by the bus: "Reset in progress." */
	APV_QSM_IDLE,	 /* zcrypt drives it: "No Reset Timer set." */
};

struct apv_mdev;

/* vfio_ap's per-queue object (exists while the queue is bound to vfio_ap;
 * its storage lives in the bus queue, see apv_queue.vq_store). */
struct apv_vq {
	apv_apqn apqn;
	struct apv_mdev *mdev;	/* owner while linked, else NULL */
	int saved_isc;		/* -1 = invalid */
	uint64_t saved_nib;
	uint32_t reset_status;	/* status word of the last reset */
	bool ok;		/* counted in mdev->ok_count (indexed filter) */
	bool reset_pending;	/* on a hot-unplug reset list */
};

struct apv_queue {
	apv_apqn apqn;
	struct apv_card *card;
	const struct apv_driver *driver;
	bool config, chkstop;
	enum apv_qsm sm;
	bool bus_irq;	      /* 6.1 cached interrupt flag */
	bool online;	      /* zcrypt queue online */
	uint64_t request_count;
	struct apv_vq *vq;    /* vfio_ap queue object while bound to it */
	struct apv_vq vq_store; /* its storage: no allocation per probe */
	uint64_t gen;	      /* instance: apv_bus_next_gen at creation */
};

struct apv_card {
	unsigned int id;
	int raw_type, type;
	uint32_t functions;
	unsigned int qd, ml;
	uint64_t hwinfo;	/* card-wide TAPQ info; a change recreates */
	bool config, chkstop;
	bool online;
	uint64_t request_count;
	const struct apv_driver *driver;
	unsigned int nqueues;
	struct apv_queue *q[APV_MAX_IDS];
	uint64_t gen;	      /* instance: apv_bus_next_gen at creation */
};

#define APV_MAX_DRIVERS 8

struct apv_bus {
	struct apv_bitmap apmask, aqmask;
	unsigned int max_apid, max_apqi;
	int domain;	    /* ap_domain, -1 none */
	int config_time;
	bool poll_thread;
	unsigned long long poll_timeout;
	uint64_t scans;
	bool have_qci;	    /* a QCI was fetched by a previous scan */
	struct apv_qci qci; /* QCI seen at the last scan */
	struct apv_card *cards[APV_MAX_IDS];
	const struct apv_driver *drivers[APV_MAX_DRIVERS];
	unsigned int n_drivers;
	unsigned int nqueues, nbound;
	bool interrupts;
	uint64_t complete_count; /* BINDINGS=complete sent (COMPLETECOUNT) */
	/* Instance generations of cards, queues and zcrypt nodes: a device
	 * created again under the same name is another instance (kernfs
	 * binds an open file to the node, not to the name). */
	uint64_t gen;
};

/* The next instance generation (never 0: 0 in apv_obj means "any"). */
static inline uint64_t apv_bus_next_gen(struct apv_bus *bus)
{
	return ++bus->gen;
}

/* bus.c */
int apv_bus_init_locked(struct apv_host *host);
void apv_bus_fini_locked(struct apv_host *host);
void apv_bus_register_driver_locked(struct apv_host *host,
				    const struct apv_driver *drv);
const struct apv_driver *apv_bus_find_driver(struct apv_host *host,
					     const char *name);
struct apv_queue *apv_bus_queue(struct apv_host *host, apv_apqn q);
struct apv_card *apv_bus_card(struct apv_host *host, unsigned int apid);
bool apv_bus_reserved_locked(const struct apv_host *host, apv_apqn q);
/* Probe the queue with the first matching driver allowed by the masks. */
void apv_bus_attach_queue_locked(struct apv_host *host, struct apv_queue *q);
/* Detach from its driver: driver remove, then ZAPQ. */
void apv_bus_detach_queue_locked(struct apv_host *host, struct apv_queue *q);
/* (Re)start the bus state machine of a queue: RAPQ, idle, interrupts on
 * when the host uses them (zcrypt probe, queue `reset` store). */
void apv_bus_queue_restart_locked(struct apv_host *host, struct apv_queue *q);
struct apv_card *apv_bus_card_create_locked(struct apv_host *host,
					    unsigned int apid, uint64_t info,
					    int type);
void apv_bus_card_destroy_locked(struct apv_host *host, struct apv_card *c);
struct apv_queue *apv_bus_queue_create_locked(struct apv_host *host,
					      struct apv_card *c,
					      unsigned int apqi);
void apv_bus_queue_destroy_locked(struct apv_host *host, struct apv_queue *q);
void apv_bus_revise_bindings_locked(struct apv_host *host);
/* The compatible type for a raw type, or 0 if unsupported. */
int apv_bus_compatible_type(const struct apv_host *host, int raw_type);

/*
 * Driver-core bind/unbind of a device named by (dev, len) to the driver drv
 * the caller resolved (spec §1.7.1); bind also takes drv NULL (no such
 * driver: -ENODEV like an unknown device).
 */
int apv_bus_bind_locked(struct apv_host *host, const struct apv_driver *drv,
			const char *dev, size_t len);
int apv_bus_unbind_locked(struct apv_host *host, const struct apv_driver *drv,
			  const char *dev, size_t len);

/* bus_masks.c: parse and store apmask/aqmask (-EINVAL, -EBUSY). */
int apv_bus_store_mask_locked(struct apv_host *host, bool is_apmask,
			      const char *buf, size_t len);

/* BINDINGS=complete if every queue device is bound (after a probe, and
 * once after the first scan). */
void apv_bus_check_complete_locked(struct apv_host *host);

/* bus_scan.c */
void apv_bus_scan_locked(struct apv_host *host);

/* ---- zcrypt device nodes (zcdn.c) --------------------------------------- */

struct apv_zcdn {
	bool used;
	char name[APV_ZCDN_NAME_MAX + 1];
	struct apv_bitmap apmask, aqmask, admask, ioctlmask;
	uint64_t gen; /* instance: apv_bus_next_gen at creation */
};

/* Slot i holds the node with minor i + 1 (lowest free minor first). */
struct apv_zcdns {
	struct apv_zcdn node[APV_ZCDN_MAX];
	unsigned int n;
};

struct apv_zcdn *apv_zcdn_find_locked(struct apv_host *host,
				      const char *name);
/* Create (name "" = automatic) / destroy; reasons name the node. */
int apv_zcdn_create_locked(struct apv_host *host, const char *name,
			   struct apv_zcdn **out);
int apv_zcdn_destroy_locked(struct apv_host *host, const char *name);

#endif /* APVIRT_BUS_INT_H */
