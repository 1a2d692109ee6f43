/* SPDX-License-Identifier: MIT */
/*
 * A guest as its own process (QEMU's role, plus the guest kernel's AP bus
 * and zcrypt msgtype50 as far as this client needs them).
 *
 * apv_guest_open() connects to a running apsim (its control socket), asks
 * it to create a KVM guest with a CPU model and guest memory, associate it
 * with an existing vfio_ap mdev and open the device (the open rules of
 * vfio_ap.h: -EPERM when the mdev or the guest already has one open ...).
 * From then on the connection *is* the guest: every instruction below is
 * executed by apsim against the guest's CRYCB (ap_insn.h semantics).  When
 * the connection goes away (apv_guest_close(), exit, SIGKILL) apsim closes
 * the device as QEMU's exit does: CRYCB cleared, linked queues zeroized,
 * the mdev closable and removable.
 *
 * Not thread-safe: one struct apv_guest per thread.  The library never
 * prints; failures are -errno, with apv_guest_error() telling apsim's
 * reason where there is one.  Wire format: docs/control-protocol.md
 * ("Guest sessions"); the `apsim guest` console: docs/guest.md.
 *
 * Guest memory: the library keeps its own buffers (the QCI block of the
 * scan, RSA requests and replies) in the last 16 KiB of guest memory
 * (APV_GUEST_SCRATCH); callers who use the raw instructions as well keep
 * their data below it.
 *
 * Changes since the first version of this contract: opts.reply_buf,
 * opts.err/err_len;
 * apv_guest_nqap_msg() and apv_guest_dqap_data() (the one-round-trip
 * forms); apv_guest_sync(); apv_guest_scan() fails with -EOPNOTSUPP without AP
 * instructions; apv_guest_card_name() without the facility word; the
 * meaning of -EPROTO and the program exceptions of the RSA calls.
 */
#ifndef APVIRT_GUEST_H
#define APVIRT_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <apvirt/ap_insn.h>
#include <apvirt/apqn.h>
#include <apvirt/bitmap.h>
#include <apvirt/host.h> /* enum apv_mode */
#include <apvirt/kvm.h>

struct apv_guest;

struct apv_guest_opts {
	const char *socket; /* NULL: $APSIM_SOCKET, else /run/apsim.sock */
	const char *mdev;   /* UUID of an existing vfio_ap mdev (required) */
	const char *name;   /* guest name; NULL: "guest-<pid>" */
	unsigned int cpu;   /* APV_CPU_* of kvm.h; 0: APV_CPU_DEFAULT */
	uint64_t mem_size;  /* guest memory at address 0; 0: 1 MiB; a
			     * multiple of 4 KiB from 64 KiB to 64 MiB */
	size_t reply_buf;   /* DQAP buffer of the RSA calls in bytes (even,
			     * 2..APV_GUEST_SCRATCH/2); 0: 4096.  Smaller
			     * than a reply, it is received in parts
			     * (partial DQAP continued). */
	char *err;	    /* if not NULL: apsim's reason when open fails */
	size_t err_len;	    /* bytes at err */
};

/* Bytes at the top of guest memory the library uses for its buffers. */
#define APV_GUEST_SCRATCH 16384u

/*
 * Connect and become the guest.  -ENOENT/-ECONNREFUSED: no apsim there;
 * -EINVAL: bad options (mdev not a UUID, unknown CPU bits, memory size);
 * -ENODEV: no such mdev; -EPERM/-EBUSY: the open rules; -EEXIST: the name
 * is taken; -EPROTO: the other end does not speak the protocol.
 */
int apv_guest_open(const struct apv_guest_opts *o, struct apv_guest **out);
/* Leave: the device is closed by apsim as on QEMU exit.  NULL-safe. */
void apv_guest_close(struct apv_guest *g);

/* apsim's explanation of the last failure, "" if none (owned by g). */
const char *apv_guest_error(const struct apv_guest *g);
/* The guest's CPU model (APV_CPU_*) and CRYCB format (0, 1, 2). */
unsigned int apv_guest_cpu(const struct apv_guest *g);
int apv_guest_crycb_format(const struct apv_guest *g);

/* ---- (a) raw instructions ----------------------------------------------- */

/*
 * Execute one instruction in apsim, exactly as apv_insn_pqap/nqap/dqap
 * (ap_insn.h) on the guest's vCPU: *regs is sent, executed and copied
 * back, *res tells how it ended.  Returns 0 when the instruction ran
 * (whatever its CC or program exception), -EPIPE when apsim went away,
 * -ENODEV when the guest was dropped (its mdev is gone).
 */
int apv_guest_pqap(struct apv_guest *g, struct apv_cpu_regs *regs,
		   struct apv_insn_result *res);
int apv_guest_nqap(struct apv_guest *g, struct apv_cpu_regs *regs,
		   unsigned int r1, unsigned int r2,
		   struct apv_insn_result *res);
int apv_guest_dqap(struct apv_guest *g, struct apv_cpu_regs *regs,
		   unsigned int r1, unsigned int r2,
		   struct apv_insn_result *res);

/*
 * The same in one round trip: NQAP after writing len bytes of msg at
 * regs->gr[r2] (-EFAULT, nothing executed, when that is not guest memory);
 * DQAP that also returns the bytes it stored (from the old R2 up to the
 * new one, at most cap; *stored their count, 0 after an exception).
 */
int apv_guest_nqap_msg(struct apv_guest *g, struct apv_cpu_regs *regs,
		       unsigned int r1, unsigned int r2, const void *msg,
		       size_t len, struct apv_insn_result *res);
int apv_guest_dqap_data(struct apv_guest *g, struct apv_cpu_regs *regs,
			unsigned int r1, unsigned int r2, void *buf, size_t cap,
			size_t *stored, struct apv_insn_result *res);

/* Guest memory (absolute addresses); -EFAULT outside it. */
int apv_guest_mem_write(struct apv_guest *g, uint64_t gpa, const void *buf,
			size_t len);
int apv_guest_mem_read(struct apv_guest *g, uint64_t gpa, void *buf,
		       size_t len);

/*
 * Adapter interruptions: wait up to timeout_ms (-1: forever, 0: poll) for
 * apsim to deliver one; *iscs gets the ISCs made pending since the last
 * call (bit n = ISC n) and they are taken.  1 when there was one, 0 on
 * timeout, -errno.
 */
int apv_guest_wait_irq(struct apv_guest *g, int timeout_ms, unsigned int *iscs);

/*
 * Counters of the notifications apsim passed on (vfio_ap's eventfds):
 * cfg_change = the guest's masks were rewritten (hot plug/unplug),
 * request = the mdev is being removed.  Updated by every call that talks
 * to apsim.
 */
struct apv_guest_events {
	uint64_t cfg_change, request, irqs;
};
void apv_guest_events(const struct apv_guest *g, struct apv_guest_events *out);
/*
 * One round trip: afterwards every event apsim sent before it has been
 * received and counted (and pending ISCs recorded for wait_irq).  0 or
 * -EPIPE.
 */
int apv_guest_sync(struct apv_guest *g);

/* ---- (b) the guest's AP bus scan -------------------------------------- */

struct apv_guest_queue {
	apv_apqn apqn;
	uint8_t rc;	 /* TAPQ response code */
	uint32_t status; /* TAPQ GR1 bits 32..63 */
	bool online;	 /* a driver would use it: the card is usable and
			    * the queue neither configured off (RC 03) nor
			    * check-stopped (RC 04).  Only queues that exist
			    * (RC 00/02/03/04/05 with a nonzero GR2) are
			    * listed. */
};

struct apv_guest_card {
	unsigned int apid;
	int type;	    /* raw AP type from TAPQ (QACT-capped) */
	enum apv_mode mode; /* from the facility word (A, D/C, X) */
	uint32_t functions; /* facility word (needs APFT, else 0) */
	unsigned int qd;    /* queue depth field of TAPQ */
	unsigned int ml;    /* max message length field */
	bool configured;    /* not RC 03 */
	bool chkstop;	    /* RC 04 */
	bool usable;	    /* a zcrypt driver would bind (needs APFT) */
};

/*
 * What a Linux guest's AP bus finds: with QCI (facility 12) the QCI masks
 * bound the probe; without it APIDs 0..63 and APQIs 0..15 are probed with
 * TAPQ.  Without APFT the facility words are unknown and no card gets a
 * driver: the cards are listed with functions 0 and usable == false.
 * Types below CEX4 are left out (Linux does not support them), types
 * above CEX8 are mapped with QACT when QCI offers it (C bit), else left
 * out.  -EOPNOTSUPP when the CPU model has no AP instructions.
 */
struct apv_guest_view {
	bool qci;  /* QCI was available */
	bool apft; /* facility words known */
	unsigned int max_apid, max_apqi;
	struct apv_bitmap apm, aqm,
		adm; /* QCI masks (probed ids without QCI) */
	struct apv_guest_card *cards;
	size_t n_cards;
	struct apv_guest_queue *queues; /* sorted by APQN */
	size_t n_queues;
};
int apv_guest_scan(struct apv_guest *g, struct apv_guest_view *v);
void apv_guest_view_fini(struct apv_guest_view *v); /* NULL-safe */
/*
 * "CEX8A", "CEX8C", "CEX8P" from type and mode; "CEX8" when the facility
 * word is unknown (no APFT); "unknown" for types outside CEX4..CEX8.
 */
const char *apv_guest_card_name(const struct apv_guest_card *c, char buf[16]);

/* ---- (c) RSA requests (msgtype50 as zcrypt builds it) ----------------- */

/*
 * A modular exponentiation request.  Big-endian unsigned integers of any
 * length up to 512 bytes; the library picks the smallest MEB/CRB format
 * that holds the modulus (ap-architecture.md §3.1) and right-justifies.
 */
struct apv_rsa_me {
	const uint8_t *msg, *exp, *mod;
	size_t msg_len, exp_len, mod_len;
};
struct apv_rsa_crt {
	const uint8_t *msg, *p, *q, *dp, *dq, *u; /* u = q^-1 mod p */
	size_t msg_len, p_len, q_len, dp_len, dq_len, u_len;
	size_t mod_len; /* bytes of the result (the modulus n = p*q) */
};

/*
 * Send one request to queue apqn (NQAP with the L bit, PSMID chosen by
 * the library and returned in *psmid).  -EAGAIN when the queue is full
 * (RC 10), -EINVAL for a bad request (caught before NQAP), -EIO with the
 * RC in *rc for other response codes (rc may be NULL).  A program
 * exception is -EFAULT (addressing), -EPERM (privileged), -EOPNOTSUPP
 * (operation) or -EINVAL (specification), with *rc = 0.
 *
 * PSMIDs are (pid << 32) | n with n counting per guest from 1, as Linux
 * builds them.
 */
int apv_guest_rsa_me_send(struct apv_guest *g, apv_apqn apqn,
			  const struct apv_rsa_me *req, uint64_t *psmid,
			  uint8_t *rc);
int apv_guest_rsa_crt_send(struct apv_guest *g, apv_apqn apqn,
			   const struct apv_rsa_crt *req, uint64_t *psmid,
			   uint8_t *rc);
/*
 * Take one reply from queue apqn (DQAP; partial DQAPs continued):
 * *psmid is its PSMID; out receives the result (mod_len bytes, from the
 * type 80 reply's tail).  -EAGAIN when no reply is ready yet (RC 10 with
 * E clear), -ENOENT when nothing is outstanding (RC 10 with E set: a
 * reset discarded what was sent), -EBADMSG with the type 82 reply code in
 * *rc for an error reply, -EIO with the RC in *rc for other RCs, -EPROTO
 * for a reply that is neither type 80 nor type 82/88 or whose length is
 * not that of its header or too short for mod_len.
 */
int apv_guest_rsa_recv(struct apv_guest *g, apv_apqn apqn, uint8_t *out,
		       size_t mod_len, uint64_t *psmid, uint8_t *rc);
/*
 * Send and wait (interrupt-driven when AQIC is enabled for apqn, else
 * polling) up to timeout_ms for the matching reply.  -ETIMEDOUT.  Replies
 * with another PSMID (requests sent earlier with *_send) are discarded.
 */
int apv_guest_rsa_me(struct apv_guest *g, apv_apqn apqn,
		     const struct apv_rsa_me *req, uint8_t *out, int timeout_ms,
		     uint8_t *rc);
int apv_guest_rsa_crt(struct apv_guest *g, apv_apqn apqn,
		      const struct apv_rsa_crt *req, uint8_t *out,
		      int timeout_ms, uint8_t *rc);

#endif /* APVIRT_GUEST_H */
