/* SPDX-License-Identifier: MIT */
/*
 * The machine (src/lib/machine): adapters installed in the CEC, the LPAR's
 * AP configuration, the queues with their requests and replies, the
 * instructions' answers, the adapter workers and the engines.  The bottom
 * subsystem: it calls no other one; the bus learns of configuration
 * changes through the hook it registers (apv_hw_set_cfg_chg_locked), a
 * guest's interruptions go through the sink KVM gives (apv_airq_sink).
 * Everything is guarded by host->lock (lock.h); *_locked functions
 * assert it.
 */
#ifndef APVIRT_MACHINE_H
#define APVIRT_MACHINE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <apvirt/ap_insn.h>
#include <apvirt/apqn.h>
#include <apvirt/bitmap.h>
#include <apvirt/host.h>

struct apv_host;

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
/* SCLP configure on/off; announces the configuration change (the bus
 * scans) unless flags has APV_EV_NOSCAN. */
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

#endif /* APVIRT_MACHINE_H */
