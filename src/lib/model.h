/* SPDX-License-Identifier: MIT */
/*
 * Private model state shared by the library's modules.  Everything here is
 * guarded by host->lock (see include/apvirt/host.h for the lock order);
 * functions named *_locked expect it held.
 */
#ifndef APVIRT_MODEL_H
#define APVIRT_MODEL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <apvirt/ap_insn.h>
#include <apvirt/apqn.h>
#include <apvirt/bitmap.h>
#include <apvirt/host.h>
#include <apvirt/kvm.h>
#include <apvirt/log.h>
#include <apvirt/reason.h>
#include <apvirt/vfio_ap.h>
#include <apvirt/zcdn.h>

#include "devev.h"
#include "lock.h"

/* ---- AP response codes and the queue status word --------------------- */

enum {
	APV_RC_NORMAL = 0x00,
	APV_RC_Q_NOT_AVAIL = 0x01,
	APV_RC_RESET_IN_PROGRESS = 0x02,
	APV_RC_DECONFIGURED = 0x03,
	APV_RC_CHECKSTOPPED = 0x04,
	APV_RC_BUSY = 0x05,
	APV_RC_INVALID_ADDRESS = 0x06,
	APV_RC_OTHERWISE_CHANGED = 0x07,
	APV_RC_INVALID_GISA = 0x08,
	APV_RC_STATE_CHANGE_IN_PROGRESS = 0x0a,
	APV_RC_Q_FULL = 0x10, /* NQAP; DQAP: no pending reply */
	APV_RC_NO_PENDING_REPLY = 0x10,
	APV_RC_NO_FIRST_PART = 0x13, /* multi-part NQAP out of sequence */
	APV_RC_MESSAGE_TOO_BIG = 0x15,
	APV_RC_REQ_FAC_NOT_INST = 0x16,
};

/* Status word as in GR1 bits 32..63: byte 0 flags, byte 1 response code. */
#define APV_QS_EMPTY 0x80000000u
#define APV_QS_REPLIES 0x40000000u
#define APV_QS_FULL 0x20000000u
#define APV_QS_ASYNC 0x02000000u
#define APV_QS_IRQ 0x01000000u

static inline uint32_t apv_qs_make(unsigned int rc, uint32_t flags)
{
	return flags | ((uint32_t)(rc & 0xff) << 16);
}

static inline unsigned int apv_qs_rc(uint32_t status)
{
	return (status >> 16) & 0xff;
}

/* ---- the machine -------------------------------------------------------- */

/*
 * One request or reply held by a machine queue.  A queue entry is occupied
 * from the NQAP of its request until the DQAP that takes the last byte of
 * its reply; `off` is the progress of a partial DQAP.
 */
struct apv_ap_msg {
	struct apv_ap_msg *next;
	uint64_t psmid;
	bool special;	/* NQAP GR0 bit 41 */
	size_t len, off;
	uint8_t data[];
};

/*
 * Where a queue's adapter interruptions go: the guest memory holding the
 * NIB and the interruption state the ISC is made pending in (what KVM
 * sets up with the GISA and the pinned NIB page for vfio_ap's host AQIC).
 * KVM embeds one in every guest; the machine only calls post(), which
 * stores the NIB byte, makes the ISC pending and tells the party running
 * the guest (false: the NIB is not in guest memory, nothing happened).
 */
struct apv_airq_sink {
	bool (*post)(struct apv_airq_sink *sink, uint64_t nib,
		     unsigned int isc);
};

struct apv_hw_queue {
	apv_apqn apqn;	   /* set when its adapter is installed */
	bool irq;	   /* interruptions enabled (AQIC) */
	uint8_t isc;
	uint64_t nib;	   /* NIB address (guest absolute for irq_sink) */
	struct apv_airq_sink *irq_sink; /* guest whose memory holds the NIB */
	uint64_t zeroized; /* times this queue was reset and zeroized */
	/* the engine seam: requests waiting, replies ready (FIFO each) */
	struct apv_ap_msg *req, **req_tail;
	struct apv_ap_msg *rep, **rep_tail;
	unsigned int nreq, nrep;
	/* 1 while a worker has its oldest request in an engine (the entry
	 * stays occupied); a reset clears it and the late reply is dropped */
	unsigned int inflight;
	uint64_t epoch;	   /* bumped by every discard (reset) */
	/* multi-part NQAP: the message in progress (data has room for the
	 * card's maximum; len = bytes so far), keyed by its PSMID */
	struct apv_ap_msg *part;
	uint64_t reset_until; /* guest reset in progress until (monotonic
			       * ns); 0 = none */
	unsigned int busy;    /* next NQAP/DQAPs answering RC 05 */
	/* the host's run queue of queues with requests for the workers */
	bool on_runq;
	struct apv_hw_queue *runq_next;
};

struct apv_hw_adapter {
	bool installed;	   /* physically present (spec valid) */
	struct apv_adapter_spec spec;
	bool configured;   /* SCLP configured */
	bool chkstop;
	struct apv_hw_queue *q; /* [256], allocated with the adapter */
};

struct apv_hw {
	struct apv_host_config cfg; /* flags as booted (pointers cleared) */
	uint64_t reset_delay_ns;    /* duration of a guest's RAPQ/ZAPQ */
	struct apv_bitmap apm, aqm, adm; /* current configuration */
	struct apv_hw_adapter ad[APV_MAX_IDS];
	/* the configuration-change hook (apv_hw_set_cfg_chg_locked) */
	void (*cfg_chg)(struct apv_host *host);
};

/*
 * The machine's configuration-change notification, as the kernel's AP bus
 * learns of one through ap_bus_cfg_chg(): the one way hardware events reach
 * the bus.  The AP bus registers its scan at init (NULL unregisters); every
 * hardware event calls it after changing the machine unless the caller
 * passed APV_EV_NOSCAN.  The machine never calls the bus by name.
 */
void apv_hw_set_cfg_chg_locked(struct apv_host *host,
			       void (*fn)(struct apv_host *host));

/* TAPQ: status word; *info receives GR2 (facility word << 32 | type ...). */
uint32_t apv_hw_tapq_locked(struct apv_host *host, apv_apqn q, bool t,
			    uint64_t *info);
/* ZAPQ: reset and zeroize; returns the status word. */
uint32_t apv_hw_zapq_locked(struct apv_host *host, apv_apqn q);
/* RAPQ: reset without zeroize semantics for our purposes. */
uint32_t apv_hw_rapq_locked(struct apv_host *host, apv_apqn q);
/* A guest's own PQAP(RAPQ/ZAPQ): the reset above, then "in progress" for
 * the host's reset delay. */
uint32_t apv_hw_guest_reset_locked(struct apv_host *host, apv_apqn q,
				   bool zeroize);
void apv_hw_qci_locked(struct apv_host *host, struct apv_qci *out);
/* Queue depth (entries: qd + 1) and maximum message length of an adapter. */
unsigned int apv_hw_depth(const struct apv_hw_adapter *ad);
size_t apv_hw_max_msg(const struct apv_hw_adapter *ad);
/*
 * NQAP on the machine: len bytes of a message (a copy is kept).  `end`
 * says where this execution stops: APV_NQAP_SEGMENT inside a part (the
 * instruction goes on with CC 2), APV_NQAP_PART at the end of a part with
 * L = 0, APV_NQAP_LAST at the end of the last part: the whole message is
 * enqueued and handed to apv_hw_schedule_locked().  Returns the status
 * word (RC 00, 01, 02, 03, 04, 05, 0x10 queue full, 0x13 part of another
 * PSMID, 0x15 message too big, 0x16 special command without APSC).
 */
enum apv_nqap_end {
	APV_NQAP_SEGMENT,
	APV_NQAP_PART,
	APV_NQAP_LAST
};
uint32_t apv_hw_nqap_locked(struct apv_host *host, apv_apqn q, uint64_t psmid,
			    bool special, const uint8_t *msg, size_t len,
			    enum apv_nqap_end end);

/*
 * DQAP on the machine, in two steps so the caller can store into guest
 * memory in between: peek at the oldest reply (NULL with *status = RC 10
 * when none, or the queue's error code), then consume n bytes of it; the
 * reply leaves the queue when its last byte is consumed.
 */
const struct apv_ap_msg *apv_hw_dqap_peek_locked(struct apv_host *host,
						 apv_apqn q,
						 uint32_t *status);
uint32_t apv_hw_dqap_consume_locked(struct apv_host *host, apv_apqn q,
				    size_t n);
/*
 * AQIC on the machine (the host's form vfio_ap issues): enable with the
 * ISC and the NIB (a guest address in kvm's memory), or disable.  RC 07 for
 * enable-while-enabled and disable-while-disabled.
 */
uint32_t apv_hw_aqic_locked(struct apv_host *host, apv_apqn q, bool enable,
			    unsigned int isc, uint64_t nib,
			    struct apv_airq_sink *sink);
/* A reply was posted: NIB byte, ISC pending, adapter_irq notification
 * (when the queue has interruptions on), through the queue's sink. */
void apv_hw_notify_locked(struct apv_host *host, struct apv_hw_queue *hq);
/* The 8-byte type 82 error reply with reply code `code`. */
void apv_hw_error_reply(uint8_t *reply, size_t *len, uint8_t code);
/* Queue q is in the configuration (adapter installed, APM, AQM). */
bool apv_hw_available(const struct apv_host *host, apv_apqn q);
/* The answer for an APQN that exists: 00, 03 (configured off), 04. */
unsigned int apv_hw_queue_rc(const struct apv_hw_adapter *ad);
/* Append a message to a FIFO / take the oldest one. */
void apv_hw_msg_append(struct apv_ap_msg **head, struct apv_ap_msg ***tail,
		       struct apv_ap_msg *m);
struct apv_ap_msg *apv_hw_msg_pop(struct apv_ap_msg **head,
				  struct apv_ap_msg ***tail);

/* ---- hw_worker.c: the adapters working on requests ------------------- */

struct apv_hw_workers {
	pthread_mutex_t cfg; /* serialises set_workers/free (outer) */
	pthread_cond_t work; /* workers wait here for the run queue */
	pthread_cond_t idle; /* apv_host_drain (CLOCK_MONOTONIC) */
	pthread_t tid[APV_MAX_WORKERS];
	unsigned int n;	     /* threads running (0: synchronous) */
	bool stop;	     /* the running threads are to exit */
	unsigned int active; /* engine calls in progress */
	struct apv_hw_queue *runq, **runq_tail;
};

int apv_hw_workers_init(struct apv_host *host);
/* Stop and join the workers (no lock held), then destroy their state. */
void apv_hw_workers_fini(struct apv_host *host);
/*
 * hq has new requests: answer them right away without workers (engine
 * called under host->lock), else put hq on the run queue.
 */
void apv_hw_schedule_locked(struct apv_host *host, struct apv_hw_queue *hq);

/* Forget sink as the holder of NIBs (its guest goes away). */
void apv_hw_forget_sink_locked(struct apv_host *host,
			       struct apv_airq_sink *sink);
/* Discard every request and reply of every queue (host teardown). */
void apv_hw_discard_all_locked(struct apv_host *host);
uint32_t apv_hw_functions(const struct apv_host *host,
			  const struct apv_hw_adapter *ad);
int apv_hw_check_spec(const struct apv_host_config *cfg,
		      const struct apv_adapter_spec *s);
void apv_hw_install_locked(struct apv_host *host,
			   const struct apv_adapter_spec *s);
/* SCLP configure on/off; scans unless flags has APV_EV_NOSCAN. */
int apv_hw_adapter_configure_locked(struct apv_host *host, unsigned int apid,
				    bool on, unsigned int flags);
/* Info word helpers (GR2 of TAPQ with T=1). */
#define APV_INFO_FUNC(info) ((uint32_t)((info) >> 32))
#define APV_INFO_TYPE(info) ((unsigned int)(((info) >> 24) & 0xff))
#define APV_INFO_ND(info) ((unsigned int)(((info) >> 16) & 0xff))
#define APV_INFO_ML(info) ((unsigned int)(((info) >> 8) & 0x0f))
#define APV_INFO_QD(info) ((unsigned int)((info) & 0x0f))
/* Card-wide part of the TAPQ info: facility bits 0..15, type, nd, ml, qd. */
static inline uint64_t card_hwinfo(uint64_t info)
{
	return info & UINT64_C(0xFFFF0000FFFF0F0F);
}

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
};

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

/* Driver-core bind/unbind of a device named by (dev, len) (spec §1.7.1). */
int apv_bus_bind_locked(struct apv_host *host, const char *driver,
			const char *dev, size_t len);
int apv_bus_unbind_locked(struct apv_host *host, const char *driver,
			  const char *dev, size_t len);

/* bus_masks.c: parse and store apmask/aqmask (-EINVAL, -EBUSY). */
int apv_bus_store_mask_locked(struct apv_host *host, bool is_apmask,
			      const char *buf, size_t len);

/* BINDINGS=complete if every queue device is bound (after a probe, and
 * once after the first scan). */
void apv_bus_check_complete_locked(struct apv_host *host);

/* bus_scan.c */
void apv_bus_scan_locked(struct apv_host *host);

/* ---- the guest's PQAP hook (KVM owns the slot, vfio_ap the handler) --- */

struct apv_kvm;

/*
 * The PQAP hook (the kernel's kvm->arch.crypto.pqap_hook): the one handler
 * a guest's intercepted PQAP(AQIC) goes to after KVM's own checks.  The
 * vfio_ap driver registers it on the guest when a guest opens one of its
 * devices and removes it on close; KVM knows nothing but these pointers.
 * aqic() returns the status word for the guest; release() is called when
 * the guest goes away with the hook registered (QEMU exits: the device is
 * released) and must unregister it.
 */
struct apv_pqap_hook {
	uint32_t (*aqic)(struct apv_pqap_hook *hook, struct apv_kvm *kvm,
			 const struct apv_cpu_regs *regs);
	void (*release)(struct apv_pqap_hook *hook, struct apv_kvm *kvm);
};

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
/* The bodies of apv_mdev_[un]assign_* and apv_mdev_set_ap_config. */
int apv_mdev_assign_locked(struct apv_host *host, const uint8_t uuid[16],
			   enum apv_assign_kind what, unsigned long id);
int apv_mdev_unassign_locked(struct apv_host *host, const uint8_t uuid[16],
			     enum apv_assign_kind what, unsigned long id);
int apv_mdev_set_ap_config_locked(struct apv_host *host,
				  const uint8_t uuid[16],
				  const struct apv_bitmap *apm,
				  const struct apv_bitmap *aqm,
				  const struct apv_bitmap *adm);
void apv_owner_set(struct apv_host *host, struct apv_mdev *m,
		   const struct apv_bitmap *apm, const struct apv_bitmap *aqm,
		   bool own);
int apv_vfio_in_use(struct apv_host *host, const struct apv_bitmap *apm,
		    const struct apv_bitmap *aqm);

/* ---- guests ------------------------------------------------------------- */

struct apv_memslot {
	uint64_t gpa, size;
	uint8_t *mem;
};

#define APV_KVM_MAX_SLOTS APV_KVM_MAX_SLOTS_PUB

struct apv_kvm {
	struct apv_host *host;
	char name[64];
	unsigned int cpu;
	int fmt;
	uint8_t crycb[APV_CRYCB_SIZE];
	uint64_t updates;
	struct apv_pqap_hook *pqap_hook; /* registered by vfio_ap, or NULL */
	struct apv_kvm_notify notify;
	struct apv_memslot slot[APV_KVM_MAX_SLOTS];
	unsigned int nslots;
	uint64_t mem_total;
	uint32_t segment;	/* NQAP/DQAP segment size (0: none) */
	uint8_t airq_pending;	/* adapter interruptions pending, bit = ISC */
	uint64_t airqs;		/* adapter interruptions made pending */
	struct apv_airq_sink airq; /* this guest as the machine's target */
	struct apv_kvm *next;
};

/* guest_mem.c: guest absolute memory (host->lock held). */
bool apv_kvm_mem_valid_locked(const struct apv_kvm *kvm, uint64_t gpa,
			      uint64_t len);
int apv_kvm_mem_read_locked(const struct apv_kvm *kvm, uint64_t gpa,
			    void *buf, size_t len);
int apv_kvm_mem_write_locked(struct apv_kvm *kvm, uint64_t gpa,
			     const void *buf, size_t len);
void apv_kvm_mem_free_locked(struct apv_kvm *kvm);
/* The guest's apv_airq_sink.post (host->lock held). */
bool apv_kvm_airq_post(struct apv_airq_sink *sink, uint64_t nib,
		       unsigned int isc);

/* ap_insn.c: GR1 := status word, CC 3 iff its RC is nonzero, else 0. */
void apv_insn_status(struct apv_cpu_regs *regs, struct apv_insn_result *res,
		     uint32_t status);
/* ap_aqic.c: PQAP(AQIC) intercepted to KVM (steps 4..10 of
 * vfio-ap-semantics.md §3.5; privileged state already checked): KVM's
 * checks, then the guest's PQAP hook. */
void apv_aqic_intercept_locked(struct apv_kvm *kvm, struct apv_cpu_regs *regs,
			       struct apv_insn_result *res);

void apv_kvm_set_masks_locked(struct apv_kvm *kvm, const struct apv_bitmap *apm,
			      const struct apv_bitmap *aqm,
			      const struct apv_bitmap *adm);
void apv_kvm_clear_masks_locked(struct apv_kvm *kvm);

/* ---- zcrypt device nodes (zcdn.c) --------------------------------------- */

struct apv_zcdn {
	bool used;
	char name[APV_ZCDN_NAME_MAX + 1];
	struct apv_bitmap apmask, aqmask, admask, ioctlmask;
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

#endif /* APVIRT_MODEL_H */
