/* SPDX-License-Identifier: MIT */
/*
 * Structured reasons for refusals.
 *
 * Every model call that fails returns a negative errno, exactly what the
 * kernel would return to the writer of the sysfs file, and also records
 * *why* in a per-thread reason the caller may read right after the call:
 * the rule that refused, the APQN it is about, the conflicting owner and the
 * mask involved.  Successful calls clear it.  The model never prints; the
 * CLI or daemon turns the reason into one message.
 */
#ifndef APVIRT_REASON_H
#define APVIRT_REASON_H

#include <stdbool.h>

#include <apvirt/apqn.h>
#include <apvirt/bitmap.h>

enum apv_rule {
	APV_RULE_NONE = 0,
	APV_RULE_SYNTAX,	  /* input does not parse (EINVAL/ERANGE) */
	APV_RULE_RANGE,		  /* id above the maximum (ENODEV/EINVAL) */
	APV_RULE_RESERVED,	  /* APQN reserved for the host (EADDRNOTAVAIL) */
	APV_RULE_SHARED,	  /* APQN assigned to another mdev (EADDRINUSE) */
	APV_RULE_IN_USE,	  /* mask change hits mdev assignments (EBUSY) */
	APV_RULE_NO_DEVICE,	  /* no such card/queue/mdev (ENODEV/ENOENT) */
	APV_RULE_NO_MATCH,	  /* driver does not handle this device (ENODEV) */
	APV_RULE_BOUND,		  /* device already has a driver (EBUSY) */
	APV_RULE_PROBE_REFUSED,	  /* reservation rule refused the probe */
	APV_RULE_NOT_BOUND,	  /* device not bound to this driver (ENODEV) */
	APV_RULE_EXISTS,	  /* mdev UUID exists (EEXIST) */
	APV_RULE_NO_INSTANCES,	  /* no mdev instances left (EUSERS) */
	APV_RULE_NO_KVM,	  /* open without an associated KVM (EINVAL) */
	APV_RULE_KVM_TAKEN,	  /* KVM already has a vfio_ap mdev (EPERM) */
	APV_RULE_BUSY,		  /* concurrent operation (EAGAIN/EBUSY) */
	APV_RULE_DECONFIGURED,	  /* adapter or queue configured off */
	APV_RULE_NOT_SUPPORTED,	  /* not available on this host/profile */
	APV_RULE_RESET_FAILED,	  /* a queue reset did not complete (EIO) */
	APV_RULE_NO_MEMORY,	  /* ENOMEM */
	APV_RULE__COUNT,
};

struct apv_reason {
	int err;	    /* negative errno, 0 when the last call succeeded */
	enum apv_rule rule;
	bool has_apqn;
	apv_apqn apqn;	    /* the APQN the refusal is about */
	bool has_id;
	unsigned int id;    /* an adapter/domain id when there is no APQN */
	char owner[40];	    /* conflicting owner: mdev UUID or driver, or "" */
	bool has_mask;
	struct apv_bitmap mask; /* e.g. the newly reserved ids of a mask write */
	char msg[200];	    /* one human sentence naming the subject */
};

/* Stable lowercase name of a rule ("reserved", "shared", ...). */
const char *apv_rule_name(enum apv_rule rule);

/* The calling thread's reason for its last model call (never NULL). */
const struct apv_reason *apv_reason_last(void);

#endif /* APVIRT_REASON_H */
