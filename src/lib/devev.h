/* SPDX-License-Identifier: MIT */
/*
 * Announcing device events (include/apvirt/devev.h): the one dispatcher
 * every subsystem calls, a leaf like lock.h (it calls nothing of the
 * model).  The macros test for a listener at the call site, so a host
 * without one pays a pointer test per event and builds nothing.  All of
 * them expect host->lock held.
 */
#ifndef APVIRT_DEVEV_INT_H
#define APVIRT_DEVEV_INT_H

#include <stdint.h>

#include <apvirt/devev.h>

struct apv_devev_listener {
	apv_devev_fn fn;
	void *opaque;
};

/* (cold: the common host has no listener; keeps the callers inlinable) */
__attribute__((cold)) void apv_devev_card_slow(
	struct apv_host *host, enum apv_devev_action a, unsigned int apid,
	const char *driver, enum apv_devev_change chg, uint64_t value);
__attribute__((cold)) void apv_devev_queue_slow(
	struct apv_host *host, enum apv_devev_action a, unsigned int apid,
	unsigned int apqi, const char *driver, enum apv_devev_change chg,
	uint64_t value);
__attribute__((cold)) void apv_devev_named_slow(
	struct apv_host *host, enum apv_devev_action a,
	enum apv_devev_kind kind, const char *name, const uint8_t *uuid,
	const char *driver, enum apv_devev_change chg, uint64_t value,
	const struct apv_bitmap *mask);

/* a synthetic event (a `uevent` write): the device's identity as above */
__attribute__((cold)) void apv_devev_synth_slow(
	struct apv_host *host, enum apv_devev_action a,
	enum apv_devev_kind kind, const char *name, unsigned int apid,
	unsigned int apqi, const uint8_t *uuid, const char *driver,
	const char *synth_uuid, const char *synth_args);

#define APV_DEVEV_ON(host) __builtin_expect((host)->devev.fn != NULL, 0)

/* card apid: add/remove/bind/unbind (driver), change (chg, value) */
#define apv_devev_card(host, a, apid, driver, chg, value)                      \
	do {                                                                   \
		if (APV_DEVEV_ON(host))                                        \
			apv_devev_card_slow(host, a, apid, driver, chg,        \
					    value);                            \
	} while (0)
#define apv_devev_queue(host, a, apqn, driver, chg, value)                     \
	do {                                                                   \
		if (APV_DEVEV_ON(host))                                        \
			apv_devev_queue_slow(host, a, apv_apqn_apid(apqn),     \
					     apv_apqn_apqi(apqn), driver, chg, \
					     value);                           \
	} while (0)
/* bus "ap", matrix, mdev (uuid), zcdn (value = minor) */
#define apv_devev_named(host, a, kind, name, uuid, driver, chg, value, mask)   \
	do {                                                                   \
		if (APV_DEVEV_ON(host))                                        \
			apv_devev_named_slow(host, a, kind, name, uuid,        \
					     driver, chg, value, mask);        \
	} while (0)

#endif /* APVIRT_DEVEV_INT_H */
