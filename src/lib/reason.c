// SPDX-License-Identifier: MIT
/* Per-thread structured reasons for refusals. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "host_int.h"

static _Thread_local struct apv_reason last_reason;
/* last_reason holds something: clearing must wipe it.  Every public call
 * clears the reason first, so skipping the wipe when there is nothing to
 * wipe keeps the fast paths (a bind storm) from memsetting it each time. */
static _Thread_local bool reason_dirty;

static const char *const rule_names[APV_RULE__COUNT] = {
	[APV_RULE_NONE] = "none",
	[APV_RULE_SYNTAX] = "syntax",
	[APV_RULE_RANGE] = "range",
	[APV_RULE_RESERVED] = "reserved",
	[APV_RULE_SHARED] = "shared",
	[APV_RULE_IN_USE] = "in-use",
	[APV_RULE_NO_DEVICE] = "no-device",
	[APV_RULE_NO_MATCH] = "no-match",
	[APV_RULE_BOUND] = "bound",
	[APV_RULE_PROBE_REFUSED] = "probe-refused",
	[APV_RULE_NOT_BOUND] = "not-bound",
	[APV_RULE_EXISTS] = "exists",
	[APV_RULE_NO_INSTANCES] = "no-instances",
	[APV_RULE_NO_KVM] = "no-kvm",
	[APV_RULE_KVM_TAKEN] = "kvm-taken",
	[APV_RULE_BUSY] = "busy",
	[APV_RULE_DECONFIGURED] = "deconfigured",
	[APV_RULE_NOT_SUPPORTED] = "not-supported",
	[APV_RULE_RESET_FAILED] = "reset-failed",
	[APV_RULE_NO_MEMORY] = "no-memory",
};

const char *apv_rule_name(enum apv_rule rule)
{
	if ((unsigned int)rule >= APV_RULE__COUNT)
		return "unknown";
	return rule_names[rule];
}

const struct apv_reason *apv_reason_last(void)
{
	return &last_reason;
}

struct apv_reason *apv_reason_mut(void)
{
	reason_dirty = true;
	return &last_reason;
}

void apv_reason_clear(void)
{
	if (!reason_dirty)
		return;
	memset(&last_reason, 0, sizeof(last_reason));
	reason_dirty = false;
}

int apv_fail(int err, enum apv_rule rule, const char *fmt, ...)
{
	va_list ap;

	apv_reason_clear();
	reason_dirty = true;
	last_reason.err = err;
	last_reason.rule = rule;
	va_start(ap, fmt);
	vsnprintf(last_reason.msg, sizeof(last_reason.msg), fmt, ap);
	va_end(ap);
	return err;
}

void apv_reason_apqn(apv_apqn q)
{
	reason_dirty = true;
	last_reason.has_apqn = true;
	last_reason.apqn = q;
}

void apv_reason_id(unsigned int id)
{
	reason_dirty = true;
	last_reason.has_id = true;
	last_reason.id = id;
}

void apv_reason_owner(const char *owner)
{
	reason_dirty = true;
	snprintf(last_reason.owner, sizeof(last_reason.owner), "%s", owner);
}

void apv_reason_mask(const struct apv_bitmap *m)
{
	reason_dirty = true;
	last_reason.has_mask = true;
	last_reason.mask = *m;
}
