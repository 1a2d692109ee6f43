/* SPDX-License-Identifier: MIT */
/*
 * Device events: the one place where the model announces that a device
 * was added, removed or changed, or bound to / unbound from a driver -- the
 * points where the kernel's driver core and AP bus send uevents
 * (vfio-ap-semantics.md §1.4, §1.6, §1.7; ci-integration.md §4).
 *
 * One listener per host.  It is called with host->lock held (lock order:
 * include/apvirt/host.h), synchronously, in the order the model does
 * things, and must not call back into the library; strings and masks in
 * the event are valid only during the call.  Order as in the kernel: a
 * device's `add` before its `bind`, its `unbind` before its `remove`; the
 * queues of a card after the card's add and before the card's remove.
 * Without a listener announcing costs one pointer test.  apv_host_free()
 * unregisters the listener first: tearing the host down announces nothing.
 */
#ifndef APVIRT_DEVEV_H
#define APVIRT_DEVEV_H

#include <stdbool.h>
#include <stdint.h>

#include <apvirt/bitmap.h>
#include <apvirt/strbuf.h>

struct apv_host;

enum apv_devev_action {
	APV_DEVEV_ADD,
	APV_DEVEV_REMOVE,
	APV_DEVEV_CHANGE,
	APV_DEVEV_BIND,
	APV_DEVEV_UNBIND,
	/* only synthetic (a `uevent` write; kobject_action_type's words) */
	APV_DEVEV_MOVE,
	APV_DEVEV_ONLINE,
	APV_DEVEV_OFFLINE,
};

enum apv_devev_kind {
	APV_DEVEV_BUS,	  /* the AP bus root device (devices/ap) */
	APV_DEVEV_CARD,	  /* cardXX */
	APV_DEVEV_QUEUE,  /* XX.YYYY */
	APV_DEVEV_MATRIX, /* the vfio_ap matrix device */
	APV_DEVEV_MDEV,	  /* a vfio_ap mediated device (its UUID) */
	APV_DEVEV_ZCDN,	  /* a zcrypt device node */
};

/* What an APV_DEVEV_CHANGE is about (the kernel's event variable). */
enum apv_devev_change {
	APV_DEVCHG_NONE,	 /* not a change event */
	APV_DEVCHG_CONFIG,	 /* card/queue CONFIG=value (0/1) */
	APV_DEVCHG_ONLINE,	 /* card/queue ONLINE=value (0/1) */
	APV_DEVCHG_APMASK,	 /* bus APMASK=mask */
	APV_DEVCHG_AQMASK,	 /* bus AQMASK=mask */
	APV_DEVCHG_BINDINGS,	 /* bus BINDINGS=complete COMPLETECOUNT=value */
	APV_DEVCHG_INITSCAN,	 /* bus INITSCAN=done */
	APV_DEVCHG_REGISTERED,	 /* matrix MDEV_STATE=registered */
	APV_DEVCHG_UNREGISTERED, /* matrix MDEV_STATE=unregistered */
};

struct apv_devev {
	struct apv_host *host; /* the announcing host (for apv_devev_uevent) */
	enum apv_devev_action action;
	enum apv_devev_kind kind;
	/* APV_DEVCHG_NONE unless action is APV_DEVEV_CHANGE */
	enum apv_devev_change change;
	/* the sysfs device name: "ap", "card05", "05.0004", "matrix", the
	 * mdev's UUID, the zcrypt node's name */
	const char *name;
	/* BIND/UNBIND: the driver; CHANGE of a bound card/queue: its driver;
	 * else NULL */
	const char *driver;
	unsigned int apid, apqi; /* card: apid; queue: both; else 0 */
	const uint8_t *uuid;	 /* mdev: its UUID, else NULL */
	/* CONFIG/ONLINE: 0/1; BINDINGS: COMPLETECOUNT; zcdn: its minor */
	uint64_t value;
	const struct apv_bitmap *mask; /* APMASK/AQMASK: the new mask */
	/*
	 * A synthetic event: a write of "<action> [<uuid>]" to the device's
	 * `uevent` file (the driver core's uevent_store ->
	 * kobject_synth_uevent).  The kernel sends it with the device's
	 * current variables plus SYNTH_UUID=<uuid> (synth_uuid: the UUID's
	 * text, "0" when none was given) and SYNTH_ARG_<KEY>=<value> for
	 * each "KEY=value" word after it (synth_args: those words,
	 * space-separated and checked, or NULL).  driver: the bound driver.
	 */
	bool synthetic;
	const char *synth_uuid;
	const char *synth_args;
};

typedef void (*apv_devev_fn)(void *opaque, const struct apv_devev *ev);

/* Register the listener (fn NULL: none). */
void apv_host_set_devev_listener(struct apv_host *host, apv_devev_fn fn,
				 void *opaque);

const char *apv_devev_action_name(enum apv_devev_action a);

/*
 * For listeners, inside the call (host->lock held): append the device's
 * `uevent` file as its show prints it now ("KEY=value\n" lines; nothing
 * for the bus root device, which has no variables of its own).  -ENOENT
 * when the device is already gone (a remove, an mdev's unbind), -ENOMEM.
 * (src/lib/sysfs/attr_uevent.c)
 */
int apv_devev_uevent(struct apv_host *host, const struct apv_devev *ev,
		     struct apv_strbuf *sb);
const char *apv_devev_kind_name(enum apv_devev_kind k);

#endif /* APVIRT_DEVEV_H */
