/* SPDX-License-Identifier: MIT */
/*
 * The top of the model: struct apv_host holding every subsystem's state,
 * the thread's refusal reason and the log ring.  host.c (boot and
 * teardown) is the one file that calls every subsystem; reason.c, log.c,
 * lock.c and devev.c are leaves every subsystem may call.  All model state
 * is guarded by host->lock (lock.h; the order is in include/apvirt/host.h).
 */
#ifndef APVIRT_HOST_INT_H
#define APVIRT_HOST_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <apvirt/ap_insn.h>
#include <apvirt/apqn.h>
#include <apvirt/host.h>
#include <apvirt/log.h>
#include <apvirt/reason.h>

#include "bus/bus_int.h"
#include "devev.h"
#include "kvm/kvm_int.h"
#include "lock.h"
#include "machine/machine.h"
#include "vfio_ap/vfio_ap_int.h"

/* ---- the host ----------------------------------------------------------- */

struct apv_log_ring {
	struct apv_log_entry *e; /* [APV_LOG_CAPACITY] */
	uint64_t next_seq;	 /* seq of the next entry (first is 1) */
};

struct apv_host {
	struct apv_model_lock lock; /* lock.h */
	pthread_cond_t cond;
	enum apv_kernel kernel;
	struct apv_hw hw;
	struct apv_bus bus;
	struct apv_vfio vfio;
	struct apv_kvm *kvms;
	struct apv_log_ring log;
	struct apv_zcdns zcdn;
	struct apv_host_stats stats;
	unsigned int remove_slice_ms; /* mdev remove request interval */
	/* a guest goes away (apv_kvm_free): the driver that may name it as
	 * the KVM of its devices forgets it (vfio_ap registers it) */
	void (*guest_gone)(struct apv_host *host, struct apv_kvm *kvm);
	struct apv_engine_ops engine;	/* process == NULL: built-in */
	struct apv_hw_workers wk;	/* adapter worker threads */
	struct apv_devev_listener devev; /* device events (devev.h) */
};

/* ---- reasons and log (reason.c, log.c) ------------------------------- */

/* Start of every public call: clear the thread's reason. */
void apv_reason_clear(void);
/* Record a refusal; returns err so `return apv_fail(...)` reads well. */
int apv_fail(int err, enum apv_rule rule, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
struct apv_reason *apv_reason_mut(void);
void apv_reason_apqn(apv_apqn q);
void apv_reason_id(unsigned int id);
void apv_reason_owner(const char *owner);
void apv_reason_mask(const struct apv_bitmap *m);

/* Log a message against a device (host->lock held). */
void apv_log_locked(struct apv_host *host, enum apv_log_level level,
		    const char *device, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Log the thread's current reason too (rule, APQN, owner). */
void apv_log_reason_locked(struct apv_host *host, enum apv_log_level level,
			   const char *device, const struct apv_reason *r);

/* A node's minor number (its slot + 1). */
static inline unsigned int apv_zcdn_minor(const struct apv_host *host,
					  const struct apv_zcdn *z)
{
	return (unsigned int)(z - host->zcdn.node) + 1;
}

/* Profile helpers */
static inline bool apv_is_61(const struct apv_host *host)
{
	return host->kernel == APV_KERNEL_6_1;
}

#endif /* APVIRT_HOST_INT_H */
