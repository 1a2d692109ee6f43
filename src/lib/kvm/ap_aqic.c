// SPDX-License-Identifier: MIT
/*
 * PQAP(AQIC), the one AP function SIE intercepts: KVM's checks, then the
 * guest's PQAP hook (vfio-ap-semantics.md §3.5, ap-architecture.md §2.2).
 * The handler behind the hook is vfio_ap's (vfio_ap/vfio_ap_aqic.c); KVM
 * knows it only as the function pointer registered on the guest.
 */
#include "../host_int.h"
#include "kvm_int.h"
#include "../machine/machine.h"

#define GR0_BITS_41_47 UINT64_C(0x007F0000)
#define GR0_EXT_IDS UINT64_C(0xC0F0)

void apv_aqic_intercept_locked(struct apv_kvm *kvm, struct apv_cpu_regs *regs,
			       struct apv_insn_result *res)
{
	struct apv_host *host = kvm->host;
	uint64_t gr0 = regs->gr[0];
	uint32_t st;

	apv_assert_locked(kvm->host);
	/* KVM handle_pqap: steps 5..8 (1..4 are done by the caller) */
	if ((gr0 & GR0_BITS_41_47) ||
	    ((gr0 & APV_GR0_T) && !(kvm->cpu & APV_CPU_APFT)) ||
	    (kvm->fmt != 2 && (gr0 & GR0_EXT_IDS)) ||
	    !(kvm->cpu & APV_CPU_APQI)) {
		res->pgm = APV_PGM_SPECIFICATION;
		res->cc = regs->cc;
		res->changed = 0;
		return;
	}
	if (!kvm->pqap_hook) {
		/* step 10: no vfio-ap device */
		apv_insn_status(regs, res, apv_qs_make(APV_RC_Q_NOT_AVAIL, 0));
		return;
	}
	/* step 9: the hook's status; 6.1 leaves the CC alone on RC 0 */
	st = kvm->pqap_hook->aqic(kvm->pqap_hook, kvm, regs);
	if (!apv_qs_rc(st) && apv_is_61(host)) {
		unsigned int cc = regs->cc;

		apv_insn_status(regs, res, st);
		regs->cc = (uint8_t)cc;
		res->cc = cc;
		return;
	}
	apv_insn_status(regs, res, st);
}
