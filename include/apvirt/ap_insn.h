/* SPDX-License-Identifier: MIT */
/*
 * AP instructions executed by a vCPU of a guest (apv_kvm): PQAP (TAPQ,
 * RAPQ, ZAPQ, AQIC, QCI, QACT), NQAP and DQAP at register level, checked
 * and interpreted against the guest's CRYCB as the machine's firmware does
 * (ap-architecture.md §1, §2), with PQAP(AQIC) intercepted to KVM and to
 * the vfio_ap mdev holding the guest's PQAP hook (vfio-ap-semantics.md
 * §3.5).  The queue contents live in the machine model; an engine (see
 * struct apv_engine_ops) answers the requests.  See docs/guest.md.
 */
#ifndef APVIRT_AP_INSN_H
#define APVIRT_AP_INSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <apvirt/apqn.h>

struct apv_host;
struct apv_kvm;

/* The part of a vCPU the AP instructions use. */
struct apv_cpu_regs {
	uint64_t gr[16];
	bool problem_state; /* PSW P bit */
	uint8_t cc;	    /* PSW condition code (0..3) */
};

/* Program interruption codes an AP instruction can raise. */
enum apv_pgm {
	APV_PGM_NONE = 0x00,
	APV_PGM_OPERATION = 0x01,     /* CPU model without `ap` */
	APV_PGM_PRIVILEGED = 0x02,    /* problem state */
	APV_PGM_ADDRESSING = 0x05,    /* operand outside guest memory */
	APV_PGM_SPECIFICATION = 0x06, /* odd register, reserved bit, ... */
};

struct apv_insn_result {
	enum apv_pgm pgm; /* APV_PGM_NONE: completed, cc is valid */
	unsigned int cc;  /* condition code (also stored in regs->cc) */
	uint16_t changed; /* bit n set: GR n was written */
};

/* GR0 function codes of PQAP (bits 32..39). */
enum apv_pqap_fc {
	APV_PQAP_TAPQ = 0,
	APV_PQAP_RAPQ = 1,
	APV_PQAP_ZAPQ = 2,
	APV_PQAP_AQIC = 3,
	APV_PQAP_QCI = 4,
	APV_PQAP_QACT = 5,
};

/* GR0 low-word bits (MSB0 bit n of the register = 1 << (63 - n)). */
#define APV_GR0_FC(fc) ((uint64_t)((fc)&0xff) << 24)
#define APV_GR0_T UINT64_C(0x00800000)		  /* bit 40 (TAPQ) */
#define APV_GR0_F UINT64_C(0x00400000)		  /* bit 41 (RAPQ/ZAPQ/QACT) */
#define APV_GR0_NQAP_L UINT64_C(0x40000000)	  /* bit 33: last part */
#define APV_GR0_NQAP_SPECIAL UINT64_C(0x00400000) /* bit 41 */
#define APV_GR0_DQAP UINT64_C(0x80000000)	  /* bit 32 as Linux sets it */
/* AQIC GR1: IR (bit 16) and the ISC (bits 61..63). */
#define APV_AQIC_IR (UINT64_C(1) << 47)
#define APV_AQIC_ISC(isc) ((uint64_t)((isc)&7))

/* The QCI block the guest receives (ap-architecture.md §1.7). */
#define APV_QCI_BLOCK_SIZE 128

/*
 * Execute one instruction.  *res tells how it ended: a program exception
 * (no register changed, regs->cc unchanged) or a condition code.  The
 * status word goes to GR1 bits 32..63 with bits 0..31 zero.
 *
 * NQAP: R1/R1+1 bits 32..63 hold the PSMID, R2 the message address in
 * guest memory, R2+1 its length; GR0 bit 33 (L) set = last (or only) part
 * of the message, clear = a part that is kept until the last one
 * (RC 13 for a part of another PSMID, RC 15 when the parts exceed the
 * card's maximum).  DQAP: R1/R1+1 receive the PSMID, R2 and R2+1 are the
 * buffer; GR2 receives the residual length.  A partial DQAP (buffer too
 * small) ends with CC 1, the reply stays queued and the same GR0
 * continues it.  With a segment size (apv_kvm_set_segment) both may end
 * with CC 2 (R2/R2+1 advanced, GR1 unchanged): execute them again.
 *
 * Returns 0 when the instruction was executed, -EINVAL for bad arguments
 * (NULL, R1/R2 above 15).
 */
int apv_insn_pqap(struct apv_kvm *kvm, struct apv_cpu_regs *regs,
		  struct apv_insn_result *res);
int apv_insn_nqap(struct apv_kvm *kvm, struct apv_cpu_regs *regs,
		  unsigned int r1, unsigned int r2,
		  struct apv_insn_result *res);
int apv_insn_dqap(struct apv_kvm *kvm, struct apv_cpu_regs *regs,
		  unsigned int r1, unsigned int r2,
		  struct apv_insn_result *res);

/*
 * vfio_ap's interrupt registration for queue q (saved by a guest's AQIC
 * enable): *isc = -1 and *nib = 0 when none.  -ENODEV when q is not bound
 * to vfio_ap.
 */
int apv_vfio_queue_irq(struct apv_host *host, apv_apqn q, int *isc,
		       uint64_t *nib);

/* ---- the engine seam ------------------------------------------------ */

/* One request as the adapter sees it. */
struct apv_engine_request {
	apv_apqn apqn;
	int type;	    /* raw AP type of the adapter */
	int mode;	    /* enum apv_mode */
	uint32_t functions; /* effective facility word */
	uint64_t psmid;
	bool special; /* special-command bit */
	const uint8_t *msg;
	size_t len;
};

/*
 * An adapter engine: turns a request into its reply.  process() writes at
 * most reply_max bytes to reply and their count to *reply_len and returns
 * 0; any error (or a length of 0 or above reply_max) makes the machine
 * answer with the type 82 error reply "machine failure" (0x10).
 * Without workers (apv_host_set_workers(host, 0), the default) it is
 * called synchronously at NQAP time with host->lock held; with workers it
 * is called from a worker thread with NO lock held, possibly by several
 * workers at once for different queues (never two requests of one queue
 * at once).  In both cases it must not call into the library, and req
 * and its bytes are valid only during the call.  The queue may be reset
 * or its adapter removed meanwhile: the reply is then dropped.
 */
struct apv_engine_ops {
	int (*process)(void *opaque, const struct apv_engine_request *req,
		       uint8_t *reply, size_t reply_max, size_t *reply_len);
	void *opaque;
};

/*
 * Install an engine on the host; NULL restores the default one:
 * apv_engine_cex() (apvirt/engine.h) for accelerators, which hands CCA and
 * EP11 requests to apv_engine_builtin().
 */
void apv_host_set_engine(struct apv_host *host,
			 const struct apv_engine_ops *ops);

/*
 * The built-in engine: every request is answered with an 8-byte type 82
 * error reply (ap-architecture.md §3.3), never a fake success:
 *   reply code 0x20 (message type) when the request is not of the type
 *        the card's mode takes (0x50 accelerator, 0x06 coprocessor),
 *   0x23 (invalid message length) when a type 50 request's msg_len
 *        differs from the NQAP length,
 *   0x10 (machine failure) otherwise: this engine does no cryptography.
 */
#define APV_REPLY_ERROR_TYPE 0x82
#define APV_REPLY_ERROR_LEN 8
#define APV_REP82_MACHINE_FAILURE 0x10
#define APV_REP82_MESSAGE_TYPE 0x20
#define APV_REP82_INVALID_MSG_LEN 0x23
int apv_engine_builtin(void *opaque, const struct apv_engine_request *req,
		       uint8_t *reply, size_t reply_max, size_t *reply_len);

#endif /* APVIRT_AP_INSN_H */
