// SPDX-License-Identifier: MIT
/*
 * AP instructions of a guest vCPU at register level (ap-architecture.md
 * §1): PQAP, NQAP and DQAP interpreted against the guest's CRYCB as SIE
 * does with APIE on, except PQAP(AQIC), which is intercepted to KVM
 * (ap_aqic.c) and from there goes to the guest's PQAP hook.  Check order,
 * for every instruction:
 *
 *   1. CPU model without `ap`          -> operation exception
 *   2. problem state                   -> privileged-operation exception
 *   3. odd R1/R2 (NQAP/DQAP)           -> specification exception
 *   4. function code not installed, reserved GR0 bits, the T bit
 *      without APFT                    -> specification exception
 *   5. APID > 63 or APQI > 15 without CRYCB format 2 -> specification
 *   6. operand checks: QCI alignment, zero or oversized NQAP/DQAP
 *      lengths                         -> specification exception
 *   7. APQN not in the CRYCB masks     -> RC 01, CC 3
 *   8. operands outside guest memory   -> addressing exception
 *   9. the machine: RC 03/04, 10 queue full / no pending reply, ...
 *
 * A program exception changes no register and leaves the CC alone.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../host_int.h"
#include "kvm_int.h"
#include "../machine/machine.h"

#define APCB0_APM 0x00
#define APCB0_AQM 0x08
#define APCB0_ADM 0x10
#define APCB1_APM (APV_CRYCB_APCB1 + 0x00)
#define APCB1_AQM (APV_CRYCB_APCB1 + 0x20)
#define APCB1_ADM (APV_CRYCB_APCB1 + 0x40)

/* GR0 low-word bit groups (MSB0 bit n = 0x80000000 >> (n - 32)). */
#define GR0_FC_MASK UINT64_C(0xFF000000)
#define GR0_BITS_41_47 UINT64_C(0x007F0000)
#define GR0_BITS_42_47 UINT64_C(0x003F0000)
#define GR0_BITS_40_47 UINT64_C(0x00FF0000)
#define GR0_NQAP_MBZ UINT64_C(0xB0800000) /* bits 32, 34, 35, 40 */
#define GR0_DQAP_MBZ UINT64_C(0x70C00000) /* bits 33, 34, 35, 40, 41 */
/* APID > 63 or APQI > 15 (KVM's `reg0 & 0xc0f0`) */
#define GR0_EXT_IDS UINT64_C(0xC0F0)

/* ---- the guest's view of its CRYCB -------------------------------- */

static bool crycb_bit(const struct apv_kvm *kvm, unsigned int off0,
		      unsigned int bytes0, unsigned int off1, unsigned int id)
{
	unsigned int off = kvm->fmt == 2 ? off1 : off0;
	unsigned int bytes = kvm->fmt == 2 ? 32 : bytes0;

	/* formats 0 and 1 carry 64 APM and 16 AQM/ADM bits only */
	if (id >= bytes * 8)
		return false;
	return kvm->crycb[off + (id >> 3)] & (0x80u >> (id & 7));
}

static bool in_crycb(const struct apv_kvm *kvm, apv_apqn q)
{
	return crycb_bit(kvm, APCB0_APM, 8, APCB1_APM, apv_apqn_apid(q)) &&
	       crycb_bit(kvm, APCB0_AQM, 2, APCB1_AQM, apv_apqn_apqi(q));
}

/* The 256-bit masks of the guest's APCB, MSB0 bytes, truncated in 0/1. */
static void crycb_masks(const struct apv_kvm *kvm, uint8_t apm[32],
			uint8_t aqm[32], uint8_t adm[32])
{
	memset(apm, 0, 32);
	memset(aqm, 0, 32);
	memset(adm, 0, 32);
	if (kvm->fmt == 2) {
		memcpy(apm, &kvm->crycb[APCB1_APM], 32);
		memcpy(aqm, &kvm->crycb[APCB1_AQM], 32);
		memcpy(adm, &kvm->crycb[APCB1_ADM], 32);
	} else {
		memcpy(apm, &kvm->crycb[APCB0_APM], 8);
		memcpy(aqm, &kvm->crycb[APCB0_AQM], 2);
		memcpy(adm, &kvm->crycb[APCB0_ADM], 2);
	}
}

/* ---- results ----------------------------------------------------------- */

static void pgm(struct apv_cpu_regs *regs, struct apv_insn_result *res,
		enum apv_pgm code)
{
	res->pgm = code;
	res->cc = regs->cc;
	res->changed = 0;
}

static void set_gr(struct apv_cpu_regs *regs, struct apv_insn_result *res,
		   unsigned int n, uint64_t v)
{
	regs->gr[n] = v;
	res->changed |= (uint16_t)(1u << n);
}

/* Replace bits 32..63 of a register, keeping bits 0..31. */
static void set_gr_low(struct apv_cpu_regs *regs, struct apv_insn_result *res,
		       unsigned int n, uint32_t v)
{
	set_gr(regs, res, n, (regs->gr[n] & UINT64_C(0xFFFFFFFF00000000)) | v);
}

static void set_cc(struct apv_cpu_regs *regs, struct apv_insn_result *res,
		   unsigned int cc)
{
	regs->cc = (uint8_t)cc;
	res->cc = cc;
	res->pgm = APV_PGM_NONE;
}

/* GR1 := status word (high word 0); CC 3 iff RC != 0, else 0. */
void apv_insn_status(struct apv_cpu_regs *regs, struct apv_insn_result *res,
		     uint32_t status)
{
	set_gr(regs, res, 1, status);
	set_cc(regs, res, apv_qs_rc(status) ? 3 : 0);
}

/* The common part of every entry: arguments, `ap`, problem state. */
static int insn_begin(struct apv_kvm *kvm, struct apv_cpu_regs *regs,
		      struct apv_insn_result *res)
{
	if (!kvm || !regs || !res)
		return -EINVAL;
	memset(res, 0, sizeof(*res));
	res->cc = regs->cc;
	return 0;
}

/* Steps 1 and 2; true when an exception was recognised. */
static bool insn_privileged(const struct apv_kvm *kvm,
			    struct apv_cpu_regs *regs,
			    struct apv_insn_result *res)
{
	if (!(kvm->cpu & APV_CPU_AP)) {
		pgm(regs, res, APV_PGM_OPERATION);
		return true;
	}
	if (regs->problem_state) {
		pgm(regs, res, APV_PGM_PRIVILEGED);
		return true;
	}
	return false;
}

/* Step 5 for the APQN in GR0. */
static bool ext_ids_refused(const struct apv_kvm *kvm, uint64_t gr0)
{
	return kvm->fmt != 2 && (gr0 & GR0_EXT_IDS);
}

/* ---- PQAP ------------------------------------------------------------- */

static void pqap_tapq(struct apv_kvm *kvm, struct apv_cpu_regs *regs,
		      struct apv_insn_result *res)
{
	uint64_t gr0 = regs->gr[0], info = 0;
	apv_apqn q = (apv_apqn)(gr0 & 0xffff);
	bool t = gr0 & APV_GR0_T;
	uint32_t st;

	if ((gr0 & GR0_BITS_41_47) || (t && !(kvm->cpu & APV_CPU_APFT)) ||
	    ext_ids_refused(kvm, gr0)) {
		pgm(regs, res, APV_PGM_SPECIFICATION);
		return;
	}
	if (!in_crycb(kvm, q)) {
		st = apv_qs_make(APV_RC_Q_NOT_AVAIL, 0);
	} else {
		st = apv_hw_tapq_locked(kvm->host, q, t, &info);
		/* a guest without APXA does not see the N facility bit */
		if (kvm->fmt != 2)
			info &= ~((uint64_t)APV_FUNC_APXA << 32);
	}
	set_gr(regs, res, 2, info);
	apv_insn_status(regs, res, st);
}

static void pqap_reset(struct apv_kvm *kvm, struct apv_cpu_regs *regs,
		       struct apv_insn_result *res, bool zeroize)
{
	uint64_t gr0 = regs->gr[0];
	apv_apqn q = (apv_apqn)(gr0 & 0xffff);
	uint32_t st;

	/* bit 41 is the F bit; 40 and 42..47 must be zero */
	if ((gr0 & (APV_GR0_T | GR0_BITS_42_47)) || ext_ids_refused(kvm, gr0)) {
		pgm(regs, res, APV_PGM_SPECIFICATION);
		return;
	}
	/*
	 * Interpreted by the machine: vfio_ap does not see it, so its saved
	 * ISC and NIB stay as they are (the pin is released by the guest's
	 * AQIC disable or by vfio_ap's own reset), while the machine queue
	 * loses its requests, replies and interruption state.
	 */
	if (!in_crycb(kvm, q))
		st = apv_qs_make(APV_RC_Q_NOT_AVAIL, 0);
	else
		st = apv_hw_guest_reset_locked(kvm->host, q, zeroize);
	apv_insn_status(regs, res, st);
}

static void pqap_qci(struct apv_kvm *kvm, struct apv_cpu_regs *regs,
		     struct apv_insn_result *res)
{
	const struct apv_host_config *cfg = &kvm->host->hw.cfg;
	uint8_t blk[APV_QCI_BLOCK_SIZE];
	uint64_t gr0 = regs->gr[0], addr = regs->gr[2];

	if (!(kvm->cpu & APV_CPU_APQCI) || (gr0 & GR0_BITS_40_47) ||
	    (addr & 7)) {
		pgm(regs, res, APV_PGM_SPECIFICATION);
		return;
	}
	if (!apv_kvm_mem_valid_locked(kvm, addr, sizeof(blk))) {
		pgm(regs, res, APV_PGM_ADDRESSING);
		return;
	}
	memset(blk, 0, sizeof(blk));
	/* flags as the guest sees them: N only with CRYCB format 2 */
	if (cfg->apsc)
		blk[0] |= 0x80;
	if (kvm->fmt == 2)
		blk[0] |= 0x40;
	if (cfg->qact)
		blk[0] |= 0x20;
	if (cfg->rc8a)
		blk[0] |= 0x10;
	blk[4] = (uint8_t)(kvm->fmt == 2 ? cfg->na : 63);
	blk[5] = (uint8_t)(kvm->fmt == 2 ? cfg->nd : 15);
	crycb_masks(kvm, &blk[16], &blk[48], &blk[80]);
	(void)apv_kvm_mem_write_locked(kvm, addr, blk, sizeof(blk));
	set_cc(regs, res, 0);
}

static void pqap_qact(struct apv_kvm *kvm, struct apv_cpu_regs *regs,
		      struct apv_insn_result *res)
{
	uint64_t gr0 = regs->gr[0], gr1 = regs->gr[1], info;
	apv_apqn q = (apv_apqn)(gr0 & 0xffff);
	uint32_t st;

	/* installed iff the QCI C bit; bit 41 is the IF bit */
	if (!kvm->host->hw.cfg.qact || (gr0 & (APV_GR0_T | GR0_BITS_42_47)) ||
	    ext_ids_refused(kvm, gr0)) {
		pgm(regs, res, APV_PGM_SPECIFICATION);
		return;
	}
	if (!in_crycb(kvm, q)) {
		apv_insn_status(regs, res, apv_qs_make(APV_RC_Q_NOT_AVAIL, 0));
		return;
	}
	st = apv_hw_tapq_locked(kvm->host, q, false, &info);
	if (!apv_qs_rc(st)) {
		/* the compatible type: the adapter's own, capped at CEX8;
		 * the mode and version fields are echoed */
		unsigned int at = APV_INFO_TYPE(info);
		uint64_t alt = gr1 & ~UINT64_C(0xFF000000);

		if (at > APV_TYPE_CEX8)
			at = APV_TYPE_CEX8;
		set_gr(regs, res, 2, alt | ((uint64_t)at << 24));
	}
	apv_insn_status(regs, res, st);
}

int apv_insn_pqap(struct apv_kvm *kvm, struct apv_cpu_regs *regs,
		  struct apv_insn_result *res)
{
	int rc = insn_begin(kvm, regs, res);

	if (rc)
		return rc;
	apv_lock(kvm->host);
	if (insn_privileged(kvm, regs, res))
		goto out;
	switch ((regs->gr[0] & GR0_FC_MASK) >> 24) {
	case APV_PQAP_TAPQ:
		pqap_tapq(kvm, regs, res);
		break;
	case APV_PQAP_RAPQ:
		pqap_reset(kvm, regs, res, false);
		break;
	case APV_PQAP_ZAPQ:
		pqap_reset(kvm, regs, res, true);
		break;
	case APV_PQAP_AQIC:
		apv_aqic_intercept_locked(kvm, regs, res);
		break;
	case APV_PQAP_QCI:
		pqap_qci(kvm, regs, res);
		break;
	case APV_PQAP_QACT:
		pqap_qact(kvm, regs, res);
		break;
	default:
		/* 6 (QBAP), 7/8 (SE only) and anything else */
		pgm(regs, res, APV_PGM_SPECIFICATION);
		break;
	}
out:
	apv_unlock(kvm->host);
	return 0;
}

/* ---- NQAP / DQAP ------------------------------------------------------- */

static int check_regs(unsigned int r1, unsigned int r2)
{
	return r1 > 15 || r2 > 15 ? -EINVAL : 0;
}

static size_t max_msg(const struct apv_kvm *kvm, apv_apqn q)
{
	return apv_hw_max_msg(&kvm->host->hw.ad[apv_apqn_apid(q)]);
}

/*
 * How many of the len operand bytes at addr one execution moves: all of
 * them, or with a segment size only up to the next segment boundary.
 */
static uint64_t segment_bytes(const struct apv_kvm *kvm, uint64_t addr,
			      uint64_t len)
{
	uint64_t seg = kvm->segment, room;

	if (!seg)
		return len;
	room = seg - addr % seg;
	return room < len ? room : len;
}

/*
 * The checks NQAP and DQAP share, in order: privileged operation, then the
 * specification checks (odd R1 or R2, must-be-zero GR0 bits, ids above
 * 63/15 without APXA, a length of 0 or above the adapter's maximum), then
 * RC 01 for an APQN outside the CRYCB.  Returns true when the instruction
 * goes on, with the APQN and the message operand decoded.
 */
static bool queue_operands(struct apv_kvm *kvm, struct apv_cpu_regs *regs,
			   struct apv_insn_result *res, unsigned int r1,
			   unsigned int r2, uint64_t mbz, apv_apqn *q,
			   uint64_t *addr, uint64_t *len)
{
	uint64_t gr0 = regs->gr[0];

	if (insn_privileged(kvm, regs, res))
		return false;
	*q = (apv_apqn)(gr0 & 0xffff);
	*addr = regs->gr[r2];
	*len = (r2 & 1) ? 0 : regs->gr[r2 + 1];
	if ((r1 & 1) || (r2 & 1) || (gr0 & mbz) || ext_ids_refused(kvm, gr0) ||
	    *len == 0 || *len > max_msg(kvm, *q)) {
		pgm(regs, res, APV_PGM_SPECIFICATION);
		return false;
	}
	if (!in_crycb(kvm, *q)) {
		apv_insn_status(regs, res, apv_qs_make(APV_RC_Q_NOT_AVAIL, 0));
		return false;
	}
	return true;
}

/*
 * NQAP moves the bytes of this execution (up to a segment boundary) to
 * the machine.  CC 2 when bytes of the operand remain (R2/R2+1 advanced,
 * GR1 unchanged); otherwise CC 0 for a part (L = 0) or the last part
 * (L = 1: the message is enqueued), R2 advanced and R2+1 = 0.  A nonzero
 * RC: CC 3, R2/R2+1 unchanged.
 */
int apv_insn_nqap(struct apv_kvm *kvm, struct apv_cpu_regs *regs,
		  unsigned int r1, unsigned int r2, struct apv_insn_result *res)
{
	int rc = insn_begin(kvm, regs, res);
	uint64_t gr0, addr, len, n, psmid;
	enum apv_nqap_end end;
	uint8_t *msg = NULL;
	apv_apqn q;
	uint32_t st;

	if (!rc)
		rc = check_regs(r1, r2);
	if (rc)
		return rc;
	apv_lock(kvm->host);
	if (!queue_operands(kvm, regs, res, r1, r2, GR0_NQAP_MBZ, &q, &addr,
			    &len))
		goto out;
	gr0 = regs->gr[0];
	n = segment_bytes(kvm, addr, len);
	msg = malloc((size_t)n);
	if (!msg || apv_kvm_mem_read_locked(kvm, addr, msg, (size_t)n)) {
		/* (a failed allocation is an error of the model, not the
		 * guest's; it is still reported as an access problem) */
		pgm(regs, res, APV_PGM_ADDRESSING);
		goto out;
	}
	if (n < len)
		end = APV_NQAP_SEGMENT;
	else if (gr0 & APV_GR0_NQAP_L)
		end = APV_NQAP_LAST;
	else
		end = APV_NQAP_PART;
	psmid = (regs->gr[r1] << 32) | (regs->gr[r1 + 1] & 0xffffffffu);
	st = apv_hw_nqap_locked(kvm->host, q, psmid, gr0 & APV_GR0_NQAP_SPECIAL,
				msg, (size_t)n, end);
	if (!apv_qs_rc(st)) {
		set_gr(regs, res, r2, addr + n);
		set_gr(regs, res, r2 + 1, len - n);
	}
	if (!apv_qs_rc(st) && end == APV_NQAP_SEGMENT)
		set_cc(regs, res, 2);
	else
		apv_insn_status(regs, res, st);
out:
	apv_unlock(kvm->host);
	free(msg);
	return 0;
}

/*
 * DQAP stores the bytes of the oldest reply this execution can move (up
 * to the end of the buffer, the reply or a segment boundary).  The reply
 * complete: CC 0 (GR1 status).  The buffer full, reply bytes left: CC 1.
 * Stopped at a segment boundary with room and reply bytes left: CC 2.
 * CC 1 and 2 leave GR1 alone and the reply queued with its progress.
 */
int apv_insn_dqap(struct apv_kvm *kvm, struct apv_cpu_regs *regs,
		  unsigned int r1, unsigned int r2, struct apv_insn_result *res)
{
	int rc = insn_begin(kvm, regs, res);
	const struct apv_ap_msg *m;
	uint64_t addr, len;
	size_t left, n;
	apv_apqn q;
	uint32_t st;

	if (!rc)
		rc = check_regs(r1, r2);
	if (rc)
		return rc;
	apv_lock(kvm->host);
	if (!queue_operands(kvm, regs, res, r1, r2, GR0_DQAP_MBZ, &q, &addr,
			    &len))
		goto out;
	m = apv_hw_dqap_peek_locked(kvm->host, q, &st);
	if (!m) {
		/* RC 10: E set = nothing outstanding, E clear = working */
		apv_insn_status(regs, res, st);
		goto out;
	}
	left = m->len - m->off;
	n = (size_t)segment_bytes(kvm, addr, left < len ? left : len);
	if (apv_kvm_mem_write_locked(kvm, addr, m->data + m->off, n)) {
		pgm(regs, res, APV_PGM_ADDRESSING);
		goto out;
	}
	set_gr_low(regs, res, r1, (uint32_t)(m->psmid >> 32));
	set_gr_low(regs, res, r1 + 1, (uint32_t)m->psmid);
	set_gr(regs, res, r2, addr + n);
	set_gr(regs, res, r2 + 1, len - n);
	set_gr(regs, res, 2, left - n);
	st = apv_hw_dqap_consume_locked(kvm->host, q, n);
	if (left > n && len > n) {
		/* a segment boundary: the same GR0 goes on (CC 2) */
		set_cc(regs, res, 2);
	} else if (left > n) {
		/* partial: the reply stays queued, GR1 is not set, and the
		 * same GR0 continues it (the progress is in the machine) */
		set_cc(regs, res, 1);
	} else {
		apv_insn_status(regs, res, st);
	}
out:
	apv_unlock(kvm->host);
	return 0;
}
