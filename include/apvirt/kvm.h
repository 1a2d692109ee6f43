/* SPDX-License-Identifier: MIT */
/*
 * A minimal KVM guest as vfio_ap sees it: a CPU model (the AP facilities),
 * a crypto control block (CRYCB) whose format is fixed at creation, and the
 * PQAP hook slot that only one vfio_ap mdev may hold, and guest memory.
 * AP instructions executed against the CRYCB build on this object
 * (ap_insn.h).
 */
#ifndef APVIRT_KVM_H
#define APVIRT_KVM_H

#include <stdbool.h>
#include <stdint.h>

#include <apvirt/bitmap.h>

struct apv_host;
struct apv_kvm;

/* CPU-model features (QEMU names). */
#define APV_CPU_AP 0x01u    /* AP instructions interpreted (APIE) */
#define APV_CPU_APQCI 0x02u /* facility 12: QCI */
#define APV_CPU_APFT 0x04u  /* facility 15: TAPQ T bit */
#define APV_CPU_APQI 0x08u  /* facility 65: AQIC */
#define APV_CPU_MSA3 0x10u  /* facility 76: CRYCB format >= 1 */
#define APV_CPU_DEFAULT                                                      \
	(APV_CPU_AP | APV_CPU_APQCI | APV_CPU_APFT | APV_CPU_APQI |          \
	 APV_CPU_MSA3)

/* CRYCB layout (byte offsets) */
#define APV_CRYCB_SIZE 0x100
#define APV_CRYCB_APCB0 0x00
#define APV_CRYCB_APCB1 0x80

/*
 * Create a guest on the host.  The CRYCB format is 0 without MSA3, 1 with
 * MSA3 on a host without APXA, 2 with MSA3 and host APXA.  -EINVAL for an
 * empty or too long name or unknown feature bits, -EEXIST for a name in use.
 */
int apv_kvm_new(struct apv_host *host, const char *name, unsigned int cpu,
		struct apv_kvm **out);
/*
 * Destroy a guest.  An mdev still open for it is closed first (QEMU exits:
 * the vfio device is released), then its association is dropped.  NULL-safe.
 */
void apv_kvm_free(struct apv_kvm *kvm);

const char *apv_kvm_name(const struct apv_kvm *kvm);
unsigned int apv_kvm_cpu(const struct apv_kvm *kvm);
int apv_kvm_crycb_format(const struct apv_kvm *kvm);

/* The AP masks as the guest's CRYCB carries them now (copy). */
struct apv_apcb {
	struct apv_bitmap apm, aqm, adm;
};
void apv_kvm_apcb(struct apv_kvm *kvm, struct apv_apcb *out);
/* Raw CRYCB bytes (APV_CRYCB_SIZE). */
void apv_kvm_crycb(struct apv_kvm *kvm, uint8_t out[APV_CRYCB_SIZE]);
/* Number of times vfio_ap wrote or cleared this guest's masks. */
uint64_t apv_kvm_crycb_updates(struct apv_kvm *kvm);

/*
 * Notifications for the party that runs the guest (QEMU's role).  Called
 * with host->lock held; they must not call into the library.
 *  request:    the mdev is being removed; please close it (count = slice).
 *  cfg_change: the guest's masks were written (the post-6.12 eventfd).
 *  adapter_irq: an adapter interruption for ISC isc was made pending (the
 *              NIB byte is already 1 in guest memory): a reply was posted
 *              to a queue with interruptions on, or AQIC enabled them with
 *              replies waiting.  Called from whatever thread posted the
 *              reply: an adapter worker, or the caller of NQAP / AQIC.
 */
struct apv_kvm_notify {
	void (*request)(void *opaque, unsigned int count);
	void (*cfg_change)(void *opaque);
	void (*adapter_irq)(void *opaque, unsigned int isc);
	void *opaque;
};
void apv_kvm_set_notify(struct apv_kvm *kvm, const struct apv_kvm_notify *n);

/*
 * Guest memory: memslots of library-allocated, zeroed memory at guest
 * absolute addresses (the NIB and the QCI block live there, and the
 * messages NQAP reads and DQAP writes).  Address and size are multiples of
 * 4 KiB; at most APV_KVM_MAX_SLOTS_PUB slots and APV_GUEST_MEM_MAX bytes in
 * all per guest.  -EINVAL for a size of 0, misalignment or an address
 * overflow, -EEXIST for an overlap, -ENOSPC beyond the limits, -ENOMEM.
 */
#define APV_GUEST_MEM_MAX (UINT64_C(64) << 20)
#define APV_KVM_MAX_SLOTS_PUB 32
int apv_kvm_add_memslot(struct apv_kvm *kvm, uint64_t gpa, uint64_t size);
/* True iff [gpa, gpa + len) is backed by memslots (len 0: gpa itself). */
bool apv_kvm_mem_valid(struct apv_kvm *kvm, uint64_t gpa, uint64_t len);
/* Copy from / to guest memory; -EFAULT when not all of it is backed. */
int apv_kvm_mem_read(struct apv_kvm *kvm, uint64_t gpa, void *buf,
		     size_t len);
int apv_kvm_mem_write(struct apv_kvm *kvm, uint64_t gpa, const void *buf,
		      size_t len);

/*
 * Segmented execution of NQAP and DQAP (CC 2, ap-architecture.md §1.4):
 * with bytes > 0 one execution moves at most up to the next multiple of
 * `bytes` of the operand's guest address; if operand bytes remain (and,
 * for DQAP, the reply has bytes left too) it ends with CC 2, R2 advanced,
 * R2+1 decreased and GR1 unchanged, and re-executing continues.  0 (the
 * default): every execution moves the whole operand.
 */
void apv_kvm_set_segment(struct apv_kvm *kvm, uint32_t bytes);

/*
 * Adapter interruptions made pending for the guest (bit n = ISC n); the
 * call takes them (clears the pending bits).  *count, if non-NULL, gets
 * the total number made pending since the guest was created.
 */
unsigned int apv_kvm_take_adapter_irqs(struct apv_kvm *kvm, uint64_t *count);

#endif /* APVIRT_KVM_H */
