// SPDX-License-Identifier: MIT
/* The device-event dispatcher (include/apvirt/devev.h, devev.h). */
#include <stdio.h>

#include "host_int.h"

void apv_host_set_devev_listener(struct apv_host *host, apv_devev_fn fn,
				 void *opaque)
{
	apv_lock(host);
	host->devev.fn = fn;
	host->devev.opaque = fn ? opaque : NULL;
	apv_unlock(host);
}

const char *apv_devev_action_name(enum apv_devev_action a)
{
	static const char *const names[] = {
		[APV_DEVEV_ADD] = "add",       [APV_DEVEV_REMOVE] = "remove",
		[APV_DEVEV_CHANGE] = "change", [APV_DEVEV_BIND] = "bind",
		[APV_DEVEV_UNBIND] = "unbind", [APV_DEVEV_MOVE] = "move",
		[APV_DEVEV_ONLINE] = "online", [APV_DEVEV_OFFLINE] = "offline",
	};

	return (unsigned int)a < sizeof(names) / sizeof(names[0]) ? names[a] :
								    "?";
}

const char *apv_devev_kind_name(enum apv_devev_kind k)
{
	static const char *const names[] = {
		[APV_DEVEV_BUS] = "bus",     [APV_DEVEV_CARD] = "card",
		[APV_DEVEV_QUEUE] = "queue", [APV_DEVEV_MATRIX] = "matrix",
		[APV_DEVEV_MDEV] = "mdev",   [APV_DEVEV_ZCDN] = "zcdn",
	};

	return (unsigned int)k < sizeof(names) / sizeof(names[0]) ? names[k] :
								    "?";
}

static void emit(struct apv_host *host, const struct apv_devev *ev)
{
	apv_assert_locked(host);
	if (host->devev.fn)
		host->devev.fn(host->devev.opaque, ev);
}

void apv_devev_card_slow(struct apv_host *host, enum apv_devev_action a,
			 unsigned int apid, const char *driver,
			 enum apv_devev_change chg, uint64_t value)
{
	char name[16];
	struct apv_devev ev = {
		.host = host,
		.action = a,
		.kind = APV_DEVEV_CARD,
		.change = chg,
		.name = name,
		.driver = driver,
		.apid = apid,
		.value = value,
	};

	snprintf(name, sizeof(name), "card%02x", apid);
	emit(host, &ev);
}

void apv_devev_queue_slow(struct apv_host *host, enum apv_devev_action a,
			  unsigned int apid, unsigned int apqi,
			  const char *driver, enum apv_devev_change chg,
			  uint64_t value)
{
	char name[APV_APQN_STRLEN];
	struct apv_devev ev = {
		.host = host,
		.action = a,
		.kind = APV_DEVEV_QUEUE,
		.change = chg,
		.name = apv_apqn_str(APV_APQN(apid, apqi), name),
		.driver = driver,
		.apid = apid,
		.apqi = apqi,
		.value = value,
	};

	emit(host, &ev);
}

void apv_devev_named_slow(struct apv_host *host, enum apv_devev_action a,
			  enum apv_devev_kind kind, const char *name,
			  const uint8_t *uuid, const char *driver,
			  enum apv_devev_change chg, uint64_t value,
			  const struct apv_bitmap *mask)
{
	struct apv_devev ev = {
		.host = host,
		.action = a,
		.kind = kind,
		.change = chg,
		.name = name,
		.driver = driver,
		.uuid = uuid,
		.value = value,
		.mask = mask,
	};

	emit(host, &ev);
}

void apv_devev_synth_slow(struct apv_host *host, enum apv_devev_action a,
			  enum apv_devev_kind kind, const char *name,
			  unsigned int apid, unsigned int apqi,
			  const uint8_t *uuid, const char *driver,
			  const char *synth_uuid, const char *synth_args)
{
	struct apv_devev ev = {
		.host = host,
		.action = a,
		.kind = kind,
		.change = APV_DEVCHG_NONE,
		.name = name,
		.driver = driver,
		.apid = apid,
		.apqi = apqi,
		.uuid = uuid,
		.synthetic = true,
		.synth_uuid = synth_uuid,
		.synth_args = synth_args,
	};

	emit(host, &ev);
}
