/* SPDX-License-Identifier: MIT */
/*
 * The Linux AP bus of the host: card and queue devices created by scans,
 * the default (zcrypt) and vfio_ap drivers, queue reservation through
 * apmask/aqmask, manual bind/unbind.  All functions take host->lock.
 */
#ifndef APVIRT_BUS_H
#define APVIRT_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <apvirt/apqn.h>
#include <apvirt/bitmap.h>

struct apv_host;

/* Run one bus scan (spec §1.8).  Always succeeds. */
void apv_bus_scan(struct apv_host *host);

/*
 * Store a new apmask / aqmask (already parsed; see apv_parse_mask).  The
 * in_use check covers only newly reserved ids; -EBUSY when any APQN in
 * newly_reserved x other_mask is assigned to an mdev (mask unchanged).
 * On success bindings are revised synchronously.
 */
int apv_bus_set_apmask(struct apv_host *host, const struct apv_bitmap *m);
int apv_bus_set_aqmask(struct apv_host *host, const struct apv_bitmap *m);
/* Parse and store in one step (relative forms apply to the current mask
 * under the lock, as the kernel does).  -EINVAL, -EBUSY. */
int apv_bus_store_mask(struct apv_host *host, bool is_apmask, const char *buf,
		       size_t len);
void apv_bus_masks(struct apv_host *host, struct apv_bitmap *apmask,
		   struct apv_bitmap *aqmask);

/* True iff (apid, apqi) is reserved for the default drivers. */
bool apv_bus_reserved(struct apv_host *host, apv_apqn q);

/*
 * Driver-core bind/unbind of a device by name ("05.0047" or "card05") to or
 * from a driver ("vfio_ap", "cex4queue", "cex4card", ...).
 * bind: -ENODEV no such device or driver mismatch or probe refused,
 *       -EBUSY device already bound.
 * unbind: -ENODEV no such device or not bound to this driver.
 */
int apv_bus_bind(struct apv_host *host, const char *driver, const char *dev);
int apv_bus_unbind(struct apv_host *host, const char *driver,
		   const char *dev);

/* Device queries (snapshots). */
void apv_bus_cards(struct apv_host *host, struct apv_bitmap *out);
/* Queue APQIs of a card; -ENODEV if the card does not exist. */
int apv_bus_card_queues(struct apv_host *host, unsigned int apid,
			struct apv_bitmap *out);
bool apv_bus_queue_exists(struct apv_host *host, apv_apqn q);

/*
 * Name of the driver a device is bound to, copied into buf (at least 32
 * bytes): 0 and the name, 0 and "" when unbound, -ENODEV without device.
 */
int apv_bus_device_driver(struct apv_host *host, const char *dev, char *buf,
			  size_t len);

/* Names of the registered AP drivers, NULL-terminated static array. */
size_t apv_bus_drivers(struct apv_host *host, const char **names, size_t max);

/* Devices bound to a driver, as names, sorted (cards first). */
struct apv_name_list {
	char (*names)[16];
	size_t n;
};
int apv_bus_driver_devices(struct apv_host *host, const char *driver,
			   struct apv_name_list *out);
void apv_name_list_free(struct apv_name_list *l);

/* Bound queue devices / all queue devices ("bindings"). */
void apv_bus_bindings(struct apv_host *host, unsigned int *bound,
		      unsigned int *total, bool *complete);

#endif /* APVIRT_BUS_H */
