/* SPDX-License-Identifier: MIT */
/*
 * KVM (src/lib/kvm): guests with their CRYCB, memory and AP instructions,
 * and KVM's part of PQAP(AQIC).  It calls the machine; it knows the
 * vfio_ap driver only as the PQAP hook registered on a guest and the
 * host's guest_gone callback.  Guarded by host->lock (lock.h).
 */
#ifndef APVIRT_KVM_INT_H
#define APVIRT_KVM_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <apvirt/ap_insn.h>
#include <apvirt/bitmap.h>
#include <apvirt/kvm.h>

#include "../machine/machine.h"

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

#endif /* APVIRT_KVM_INT_H */
