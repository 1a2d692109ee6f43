/* SPDX-License-Identifier: MIT */
/*
 * The simulated IBM Z host: the machine's AP configuration (adapters,
 * domains, QCI), the Linux AP bus on top of it and the vfio_ap driver, as one
 * object.  No I/O happens anywhere in the library.
 *
 * Locking
 * -------
 * The host owns all locks of the model.  Order, outermost first:
 *
 *   1. host->lock   the model lock.  Every public entry point takes it and
 *                   releases it before returning; it guards the machine
 *                   state, the AP bus (masks, devices, bindings), vfio_ap
 *                   (mdevs, queue objects, shadow APCBs), every guest's
 *                   CRYCB and the log ring.  It stands for the kernel's
 *                   ap_perms_mutex -> guests_lock -> kvm->lock -> PQAP hook
 *                   rwsem -> mdevs_lock chain, taken as one: the kernel's
 *                   order matters there only to avoid deadlock between its
 *                   paths, and taking the whole chain at once gives every
 *                   path the same serialisation the kernel's order does.
 *   2. No lock below it.  There are no per-queue locks: the adapter worker
 *      threads (apv_host_set_workers) take host->lock to pick a request
 *      and to post its reply, and call the engine (ap_insn.h) with NO lock
 *      held; the host's run queue, the queues' request/reply lists and
 *      the workers' counters are all guarded by host->lock.
 * Outside this chain, apv_host_set_workers() and apv_host_free() serialise
 * on a private mutex taken *before* host->lock (never while holding it);
 * they join worker threads with host->lock released.
 *
 * While an engine runs unlocked, anything may happen to its queue (reset,
 * adapter removed, guest freed, engine replaced): the worker revalidates
 * under host->lock and drops the reply unless the queue's epoch is
 * unchanged and the queue still exists.  No reply produced before a reset
 * is ever delivered after it.
 *
 * A call that has to wait for another party (mdev `remove` waiting for the
 * guest to close the device) waits on host->cond, which releases host->lock
 * while waiting.  Callbacks registered by users of the library (guest
 * notifications, the device-event listener of devev.h) run with host->lock
 * held and must not call back into the library.
 *
 * The lock itself lives in the library's leaf header src/lib/lock.h, which
 * repeats this order; debug builds (no NDEBUG) track its owner and every
 * internal *_locked function asserts that the calling thread holds it.
 */
#ifndef APVIRT_HOST_H
#define APVIRT_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <apvirt/apqn.h>
#include <apvirt/bitmap.h>

enum apv_kernel {
	APV_KERNEL_6_12 = 0, /* default */
	APV_KERNEL_6_1,
};

/* Adapter (Crypto Express card) modes. */
enum apv_mode {
	APV_MODE_ACCEL = 0, /* CEXxA: RSA ME/CRT */
	APV_MODE_CCA,	    /* CEXxC: CCA coprocessor */
	APV_MODE_EP11,	    /* CEXxP: EP11 coprocessor */
};

/* Raw AP types. */
enum {
	APV_TYPE_CEX2A = 6,
	APV_TYPE_CEX2C = 7,
	APV_TYPE_CEX3A = 8,
	APV_TYPE_CEX3C = 9,
	APV_TYPE_CEX4 = 10,
	APV_TYPE_CEX5 = 11,
	APV_TYPE_CEX6 = 12,
	APV_TYPE_CEX7 = 13,
	APV_TYPE_CEX8 = 14,
};

/* TAPQ facility word bits (MSB0 bits 0..6 of GR2, as in `ap_functions`). */
#define APV_FUNC_APSC 0x80000000u
#define APV_FUNC_MEX4K 0x40000000u
#define APV_FUNC_CRT4K 0x20000000u
#define APV_FUNC_CCA 0x10000000u
#define APV_FUNC_ACCEL 0x08000000u
#define APV_FUNC_EP11 0x04000000u
#define APV_FUNC_APXA 0x02000000u
/* bit 8, seen on EP11 coprocessors (lszcrypt's 'F' column) */
#define APV_FUNC_EP11_BIT8 0x00800000u

struct apv_adapter_spec {
	unsigned int id;	/* APID 0..255 */
	int type;		/* raw AP type (APV_TYPE_*) */
	enum apv_mode mode;
	uint32_t functions;	/* 0 = derive from mode (and host APXA) */
	unsigned int qd;	/* TAPQ queue-depth field; 0 = default 7 */
	unsigned int ml;	/* max message length in 4 KiB units (0=12 KiB) */
	bool standby;		/* in the configuration but configured off */
};

struct apv_devev;

struct apv_host_config {
	enum apv_kernel kernel;
	bool qci;		/* facility 12: QCI available */
	bool apxa;		/* QCI N bit: extended addressing */
	bool qact;		/* QCI C bit */
	bool apsc;		/* QCI S bit */
	bool rc8a;		/* QCI R bit */
	bool irq;		/* facility 65: adapter interrupts */
	unsigned int na;	/* highest APID (QCI byte 4) */
	unsigned int nd;	/* highest APQI (QCI byte 5) */
	const struct apv_adapter_spec *adapters;
	size_t n_adapters;
	struct apv_bitmap domains;	   /* usage domains (QCI AQM) */
	struct apv_bitmap control_domains; /* control domains (QCI ADM) */
	const char *apmask;	/* boot ap.apmask= string, or NULL */
	const char *aqmask;	/* boot ap.aqmask= string, or NULL */
	bool no_vfio_ap;	/* do not load the vfio_ap driver */
	/* device events from the boot on (include/apvirt/devev.h), or
	 * NULL; apv_host_set_devev_listener() changes it later */
	void (*devev)(void *opaque, const struct apv_devev *ev);
	void *devev_opaque;
};

/* Default host config: 6.12, QCI with APXA, Na = Nd = 255, irq, no cards. */
void apv_host_config_init(struct apv_host_config *cfg);

struct apv_host;

/*
 * Boot a host: machine, AP bus with its first scan, then vfio_ap.
 * -EINVAL for an inconsistent config (reason names the field),
 * -ENOMEM.
 */
int apv_host_new(const struct apv_host_config *cfg, struct apv_host **out);
void apv_host_free(struct apv_host *host); /* NULL-safe */

enum apv_kernel apv_host_kernel(const struct apv_host *host);
const char *apv_kernel_name(enum apv_kernel k); /* "6.1", "6.12" */

/* Filtering algorithm (the kernel's full re-filter is kept as reference). */
enum apv_filter_algo {
	APV_FILTER_INDEXED = 0, /* per-mdev counters: O(1) per probe */
	APV_FILTER_REFERENCE,	/* the kernel's O(A x D) re-filter */
};
void apv_host_set_filter_algo(struct apv_host *host, enum apv_filter_algo a);

struct apv_host_stats {
	uint64_t filter_ops;	/* queue lookups / counter updates by filters */
	uint64_t filter_runs;	/* APM/AQM filter invocations */
	uint64_t crycb_writes;	/* guest APCB pushes */
	uint64_t zapq;		/* ZAPQ instructions issued */
	uint64_t probes;	/* driver probes */
	uint64_t scans;		/* bus scans */
};
void apv_host_stats(struct apv_host *host, struct apv_host_stats *out);

/*
 * Hardware events.  Each changes the machine and, unless APV_EV_NOSCAN is
 * given, runs an AP bus scan right away (as a 6.12 host does on the CHSC
 * "AP configuration changed" notification).  Without it the change stays
 * pending until apv_bus_scan().
 */
#define APV_EV_NOSCAN 0x1u

/* Install an adapter and add it to the configuration (QCI APM). */
int apv_hw_adapter_add(struct apv_host *host,
		       const struct apv_adapter_spec *spec, unsigned int flags);
/* Remove an adapter from the configuration (its spec is remembered). */
int apv_hw_adapter_remove(struct apv_host *host, unsigned int apid,
			  unsigned int flags);
/* Put a removed adapter back into the configuration with its old spec. */
int apv_hw_adapter_restore(struct apv_host *host, unsigned int apid,
			   unsigned int flags);
/* SCLP configure on/off (the adapter stays in QCI; TAPQ says 03 when off). */
int apv_hw_adapter_configure(struct apv_host *host, unsigned int apid,
			     bool on, unsigned int flags);
int apv_hw_adapter_checkstop(struct apv_host *host, unsigned int apid,
			     bool on, unsigned int flags);
int apv_hw_domain_set(struct apv_host *host, unsigned int apqi, bool present,
		      unsigned int flags);
int apv_hw_control_domain_set(struct apv_host *host, unsigned int apqi,
			      bool present, unsigned int flags);

/* The machine's current configuration (what QCI would report now). */
struct apv_qci {
	bool available;		/* facility 12 */
	bool apsc, apxa, qact, rc8a, apsb;
	unsigned int na, nd;
	struct apv_bitmap apm, aqm, adm;
};
void apv_hw_qci(struct apv_host *host, struct apv_qci *out);

/* A copy of one adapter's machine state; -ENODEV if never installed. */
struct apv_adapter_state {
	struct apv_adapter_spec spec;
	bool in_config;		/* APM bit */
	bool configured;	/* SCLP state */
	bool chkstop;
	uint32_t functions;	/* effective facility word */
};
int apv_hw_adapter_state(struct apv_host *host, unsigned int apid,
			 struct apv_adapter_state *out);

/*
 * Transient busy condition: the next `count` NQAP and DQAP instructions on
 * q answer RC 05, CC 3 and change nothing (TAPQ and the rest answer as
 * usual; a reset does not end it; count 0 ends it).  -ENODEV when q is
 * not in the machine's configuration.
 */
int apv_hw_queue_busy(struct apv_host *host, apv_apqn q, unsigned int count);

/* ---- adapters working asynchronously ----------------------------------- */

/*
 * Adapter worker threads.  n = 0 (the default): the machine answers every
 * request synchronously at NQAP time, with host->lock held (deterministic).
 * n = 1..APV_MAX_WORKERS: n threads take requests from a host-wide run
 * queue of the queues that have requests waiting (FIFO per queue, queues
 * round-robin; at most one request of a queue is in an engine at a time,
 * so a queue's replies keep their request order), call the engine without
 * any lock and post the reply (see the lock order above).  Changing n
 * first stops and joins the running workers (each finishes the request it
 * is working on); queued requests stay queued and are taken by the new
 * workers, or, for n = 0, answered synchronously before the call returns.
 * 0, -EINVAL for n above APV_MAX_WORKERS, -errno when pthread_create
 * fails (no worker runs then).  Must not be called from an engine or a
 * notification callback.
 */
#define APV_MAX_WORKERS 64
int apv_host_set_workers(struct apv_host *host, unsigned int n);
unsigned int apv_host_workers(struct apv_host *host);

/*
 * Wait until no request is queued and no engine call is in progress:
 * 0, or -ETIMEDOUT after timeout_ms (< 0: no limit).  With no workers,
 * requests left queued are answered synchronously first.  For tests and
 * benchmarks.
 */
int apv_host_drain(struct apv_host *host, int timeout_ms);

/*
 * Duration of a reset a guest starts with PQAP(RAPQ) or PQAP(ZAPQ)
 * (interpreted by the machine).  0 (the default): instant.  With ns > 0
 * the queue stays "reset in progress" for ns after the guest's reset: TAPQ
 * answers RC 02 (GR2 info valid), NQAP and DQAP answer RC 02, CC 3.
 * Resets done by the host (vfio_ap, the AP bus, hardware events) always
 * complete before they return and end a guest reset in progress.  The new
 * duration applies to resets started afterwards.
 */
void apv_host_set_reset_delay(struct apv_host *host, uint64_t ns);

/*
 * How many times the machine reset and zeroized queue q (ZAPQ, adapter
 * configured on, added or removed).  0 for a queue that does not exist.
 */
uint64_t apv_hw_queue_zeroized(struct apv_host *host, apv_apqn q);

/*
 * What queue q holds now: *requests the machine has not answered yet
 * (queued, in an engine, or a multi-part message still being sent) and
 * *replies waiting for DQAP (a partly dequeued one included).  0, or
 * -ENODEV when q's adapter is not installed (both set to 0).
 */
int apv_hw_queue_counts(struct apv_host *host, apv_apqn q,
			unsigned int *requests, unsigned int *replies);

#endif /* APVIRT_HOST_H */
