// SPDX-License-Identifier: MIT
/*
 * Guest absolute memory: memslots backed by zeroed library memory, as KVM
 * memslots back a guest's storage.  vfio_ap asks "is the NIB backed by a
 * memslot" (vfio-ap-semantics.md §3.5); the QCI block, NQAP messages and
 * DQAP buffers are read and written here.  host->lock guards the slots.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "../host_int.h"
#include "kvm_int.h"
#include "../machine/machine.h"

#define PAGE 4096u

static const struct apv_memslot *slot_of(const struct apv_kvm *kvm,
					 uint64_t gpa)
{
	for (unsigned int i = 0; i < kvm->nslots; i++) {
		const struct apv_memslot *s = &kvm->slot[i];

		if (gpa >= s->gpa && gpa - s->gpa < s->size)
			return s;
	}
	return NULL;
}

bool apv_kvm_mem_valid_locked(const struct apv_kvm *kvm, uint64_t gpa,
			      uint64_t len)
{
	apv_assert_locked(kvm->host);
	if (len == 0)
		return slot_of(kvm, gpa) != NULL;
	if (gpa + len < gpa)
		return false;
	while (len) {
		const struct apv_memslot *s = slot_of(kvm, gpa);
		uint64_t n;

		if (!s)
			return false;
		n = s->size - (gpa - s->gpa);
		if (n > len)
			n = len;
		gpa += n;
		len -= n;
	}
	return true;
}

int apv_kvm_mem_read_locked(const struct apv_kvm *kvm, uint64_t gpa, void *buf,
			    size_t len)
{
	uint8_t *p = buf;

	apv_assert_locked(kvm->host);
	if (!apv_kvm_mem_valid_locked(kvm, gpa, len))
		return -EFAULT;
	while (len) {
		const struct apv_memslot *s = slot_of(kvm, gpa);
		uint64_t off = gpa - s->gpa, n = s->size - off;

		if (n > len)
			n = len;
		memcpy(p, s->mem + off, (size_t)n);
		p += n;
		gpa += n;
		len -= (size_t)n;
	}
	return 0;
}

int apv_kvm_mem_write_locked(struct apv_kvm *kvm, uint64_t gpa, const void *buf,
			     size_t len)
{
	const uint8_t *p = buf;

	apv_assert_locked(kvm->host);
	if (!apv_kvm_mem_valid_locked(kvm, gpa, len))
		return -EFAULT;
	while (len) {
		const struct apv_memslot *s = slot_of(kvm, gpa);
		uint64_t off = gpa - s->gpa, n = s->size - off;

		if (n > len)
			n = len;
		memcpy(s->mem + off, p, (size_t)n);
		p += n;
		gpa += n;
		len -= (size_t)n;
	}
	return 0;
}

void apv_kvm_mem_free_locked(struct apv_kvm *kvm)
{
	apv_assert_locked(kvm->host);
	for (unsigned int i = 0; i < kvm->nslots; i++)
		free(kvm->slot[i].mem);
	kvm->nslots = 0;
	kvm->mem_total = 0;
}

int apv_kvm_add_memslot(struct apv_kvm *kvm, uint64_t gpa, uint64_t size)
{
	struct apv_host *host = kvm->host;
	struct apv_memslot *s;
	int rc = 0;

	apv_reason_clear();
	if (!size || gpa % PAGE || size % PAGE || gpa + size < gpa)
		return apv_fail(
			-EINVAL, APV_RULE_SYNTAX,
			"guest %s: a memslot needs a nonzero size and 4 KiB alignment",
			kvm->name);
	apv_lock(host);
	for (unsigned int i = 0; i < kvm->nslots; i++) {
		const struct apv_memslot *o = &kvm->slot[i];

		if (gpa < o->gpa + o->size && o->gpa < gpa + size) {
			rc = apv_fail(
				-EEXIST, APV_RULE_EXISTS,
				"guest %s: memslot 0x%llx+0x%llx overlaps 0x%llx+0x%llx",
				kvm->name, (unsigned long long)gpa,
				(unsigned long long)size,
				(unsigned long long)o->gpa,
				(unsigned long long)o->size);
			goto out;
		}
	}
	if (kvm->nslots >= APV_KVM_MAX_SLOTS ||
	    size > APV_GUEST_MEM_MAX - kvm->mem_total) {
		rc = apv_fail(
			-ENOSPC, APV_RULE_RANGE,
			"guest %s: at most %u memslots and %llu MiB of memory",
			kvm->name, APV_KVM_MAX_SLOTS,
			(unsigned long long)(APV_GUEST_MEM_MAX >> 20));
		goto out;
	}
	s = &kvm->slot[kvm->nslots];
	s->mem = calloc(1, (size_t)size);
	if (!s->mem) {
		rc = apv_fail(-ENOMEM, APV_RULE_NO_MEMORY, "out of memory");
		goto out;
	}
	s->gpa = gpa;
	s->size = size;
	kvm->nslots++;
	kvm->mem_total += size;
out:
	apv_unlock(host);
	return rc;
}

bool apv_kvm_mem_valid(struct apv_kvm *kvm, uint64_t gpa, uint64_t len)
{
	bool ok;

	apv_lock(kvm->host);
	ok = apv_kvm_mem_valid_locked(kvm, gpa, len);
	apv_unlock(kvm->host);
	return ok;
}

int apv_kvm_mem_read(struct apv_kvm *kvm, uint64_t gpa, void *buf, size_t len)
{
	int rc;

	apv_lock(kvm->host);
	rc = apv_kvm_mem_read_locked(kvm, gpa, buf, len);
	apv_unlock(kvm->host);
	return rc;
}

int apv_kvm_mem_write(struct apv_kvm *kvm, uint64_t gpa, const void *buf,
		      size_t len)
{
	int rc;

	apv_lock(kvm->host);
	rc = apv_kvm_mem_write_locked(kvm, gpa, buf, len);
	apv_unlock(kvm->host);
	return rc;
}

unsigned int apv_kvm_take_adapter_irqs(struct apv_kvm *kvm, uint64_t *count)
{
	unsigned int p;

	apv_lock(kvm->host);
	p = kvm->airq_pending;
	kvm->airq_pending = 0;
	if (count)
		*count = kvm->airqs;
	apv_unlock(kvm->host);
	return p;
}

/*
 * The machine's adapter interruption for this guest: the NIB byte first,
 * then the ISC pending, then tell the party running the guest.
 */
bool apv_kvm_airq_post(struct apv_airq_sink *sink, uint64_t nib,
		       unsigned int isc)
{
	static const uint8_t one = 1;
	struct apv_kvm *kvm = (struct apv_kvm *)((char *)sink -
						 offsetof(struct apv_kvm, airq));

	if (apv_kvm_mem_write_locked(kvm, nib, &one, 1))
		return false;
	kvm->airq_pending |= (uint8_t)(1u << isc);
	kvm->airqs++;
	if (kvm->notify.adapter_irq)
		kvm->notify.adapter_irq(kvm->notify.opaque, isc);
	return true;
}
