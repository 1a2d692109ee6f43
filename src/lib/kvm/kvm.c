// SPDX-License-Identifier: MIT
/*
 * The guest side vfio_ap writes to: a KVM with a CPU model and a crypto
 * control block (spec §4.1).  Format 2 carries 256-bit masks in APCB1;
 * formats 0 and 1 carry APCB0 with a 64-bit APM and 16-bit AQM/ADM, so
 * higher ids are silently dropped when the masks are written.
 */
#include <errno.h>
#include <stdio.h>
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

int apv_kvm_new(struct apv_host *host, const char *name, unsigned int cpu,
		struct apv_kvm **out)
{
	struct apv_kvm *k;

	apv_reason_clear();
	if (!name || !*name || strlen(name) >= sizeof(k->name))
		return apv_fail(-EINVAL, APV_RULE_SYNTAX,
				"a guest needs a name of 1 to %zu characters",
				sizeof(k->name) - 1);
	if (cpu & ~APV_CPU_DEFAULT)
		return apv_fail(-EINVAL, APV_RULE_SYNTAX,
				"guest %s: unknown CPU feature bits 0x%x", name,
				cpu & ~APV_CPU_DEFAULT);
	apv_lock(host);
	for (k = host->kvms; k; k = k->next) {
		if (!strcmp(k->name, name)) {
			apv_unlock(host);
			return apv_fail(-EEXIST, APV_RULE_EXISTS,
					"guest %s already exists", name);
		}
	}
	k = calloc(1, sizeof(*k));
	if (!k) {
		apv_unlock(host);
		return apv_fail(-ENOMEM, APV_RULE_NO_MEMORY, "out of memory");
	}
	k->host = host;
	k->airq.post = apv_kvm_airq_post;
	snprintf(k->name, sizeof(k->name), "%s", name);
	k->cpu = cpu;
	/* the format is fixed at VM creation, from the host's APXA */
	if (!(cpu & APV_CPU_MSA3))
		k->fmt = 0;
	else
		k->fmt = host->hw.cfg.qci && host->hw.cfg.apxa ? 2 : 1;
	k->next = host->kvms;
	host->kvms = k;
	apv_unlock(host);
	*out = k;
	return 0;
}

void apv_kvm_free(struct apv_kvm *kvm)
{
	struct apv_host *host;

	if (!kvm)
		return;
	host = kvm->host;
	apv_lock(host);
	/* QEMU exits: the vfio device is released */
	if (kvm->pqap_hook)
		kvm->pqap_hook->release(kvm->pqap_hook, kvm);
	if (host->guest_gone)
		host->guest_gone(host, kvm);
	for (struct apv_kvm **p = &host->kvms; *p; p = &(*p)->next) {
		if (*p == kvm) {
			*p = kvm->next;
			break;
		}
	}
	/* no machine queue may point into the memory of a gone guest */
	apv_hw_forget_sink_locked(host, &kvm->airq);
	apv_kvm_mem_free_locked(kvm);
	apv_unlock(host);
	free(kvm);
}

const char *apv_kvm_name(const struct apv_kvm *kvm)
{
	return kvm->name;
}

unsigned int apv_kvm_cpu(const struct apv_kvm *kvm)
{
	return kvm->cpu;
}

int apv_kvm_crycb_format(const struct apv_kvm *kvm)
{
	return kvm->fmt;
}

static void notify_change(struct apv_kvm *kvm)
{
	kvm->updates++;
	if (kvm->notify.cfg_change)
		kvm->notify.cfg_change(kvm->notify.opaque);
}

void apv_kvm_set_masks_locked(struct apv_kvm *kvm,
			      const struct apv_bitmap *apm,
			      const struct apv_bitmap *aqm,
			      const struct apv_bitmap *adm)
{
	uint8_t b[32];

	apv_assert_locked(kvm->host);
	if (kvm->fmt == 2) {
		apv_bm_to_bytes(apm, &kvm->crycb[APCB1_APM]);
		apv_bm_to_bytes(aqm, &kvm->crycb[APCB1_AQM]);
		apv_bm_to_bytes(adm, &kvm->crycb[APCB1_ADM]);
	} else {
		apv_bm_to_bytes(apm, b);
		memcpy(&kvm->crycb[APCB0_APM], b, 8);
		apv_bm_to_bytes(aqm, b);
		memcpy(&kvm->crycb[APCB0_AQM], b, 2);
		apv_bm_to_bytes(adm, b);
		memcpy(&kvm->crycb[APCB0_ADM], b, 2);
	}
	notify_change(kvm);
}

void apv_kvm_clear_masks_locked(struct apv_kvm *kvm)
{
	apv_assert_locked(kvm->host);
	memset(&kvm->crycb[APV_CRYCB_APCB0], 0, 32);
	memset(&kvm->crycb[APV_CRYCB_APCB1], 0, 128);
	notify_change(kvm);
}

void apv_kvm_apcb(struct apv_kvm *kvm, struct apv_apcb *out)
{
	uint8_t b[32];

	apv_lock(kvm->host);
	if (kvm->fmt == 2) {
		apv_bm_from_bytes(&out->apm, &kvm->crycb[APCB1_APM]);
		apv_bm_from_bytes(&out->aqm, &kvm->crycb[APCB1_AQM]);
		apv_bm_from_bytes(&out->adm, &kvm->crycb[APCB1_ADM]);
	} else {
		memset(b, 0, sizeof(b));
		memcpy(b, &kvm->crycb[APCB0_APM], 8);
		apv_bm_from_bytes(&out->apm, b);
		memset(b, 0, sizeof(b));
		memcpy(b, &kvm->crycb[APCB0_AQM], 2);
		apv_bm_from_bytes(&out->aqm, b);
		memset(b, 0, sizeof(b));
		memcpy(b, &kvm->crycb[APCB0_ADM], 2);
		apv_bm_from_bytes(&out->adm, b);
	}
	apv_unlock(kvm->host);
}

void apv_kvm_crycb(struct apv_kvm *kvm, uint8_t out[APV_CRYCB_SIZE])
{
	apv_lock(kvm->host);
	memcpy(out, kvm->crycb, APV_CRYCB_SIZE);
	apv_unlock(kvm->host);
}

uint64_t apv_kvm_crycb_updates(struct apv_kvm *kvm)
{
	uint64_t n;

	apv_lock(kvm->host);
	n = kvm->updates;
	apv_unlock(kvm->host);
	return n;
}

void apv_kvm_set_notify(struct apv_kvm *kvm, const struct apv_kvm_notify *n)
{
	apv_lock(kvm->host);
	if (n)
		kvm->notify = *n;
	else
		memset(&kvm->notify, 0, sizeof(kvm->notify));
	apv_unlock(kvm->host);
}

void apv_kvm_set_segment(struct apv_kvm *kvm, uint32_t bytes)
{
	apv_lock(kvm->host);
	kvm->segment = bytes;
	apv_unlock(kvm->host);
}
