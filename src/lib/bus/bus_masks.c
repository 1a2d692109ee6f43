// SPDX-License-Identifier: MIT
/*
 * Queue reservation: the apmask/aqmask store algorithm (spec §1.6).  Only
 * newly reserved ids are checked against the drivers' in_use callbacks;
 * clearing bits always succeeds.  A successful store revises the bindings
 * of every queue synchronously.
 */
#include <errno.h>

#include <apvirt/bus.h>
#include <apvirt/parse.h>

#include "bus_int.h"
#include "../host_int.h"
#include "../machine/machine.h"

static int set_mask_locked(struct apv_host *host, bool is_ap,
			   const struct apv_bitmap *m)
{
	struct apv_bus *bus = &host->bus;
	struct apv_bitmap *cur = is_ap ? &bus->apmask : &bus->aqmask;
	struct apv_bitmap newly;

	apv_assert_locked(host);
	if (apv_bm_equal(cur, m))
		return 0;
	apv_bm_andnot(&newly, m, cur);
	if (!apv_bm_empty(&newly)) {
		for (unsigned int i = 0; i < bus->n_drivers; i++) {
			const struct apv_driver *drv = bus->drivers[i];
			int rc;

			if (!drv->in_use)
				continue;
			rc = drv->in_use(host, is_ap ? &newly : &bus->apmask,
					 is_ap ? &bus->aqmask : &newly);
			if (rc) {
				/* the reason was filled by in_use */
				struct apv_reason *r = apv_reason_mut();

				r->err = -EBUSY;
				apv_reason_mask(&newly);
				return -EBUSY;
			}
		}
	}
	*cur = *m;
	apv_bus_revise_bindings_locked(host);
	/* then the AP bus root device's change event (spec §1.6 step 7) */
	apv_devev_named(host, APV_DEVEV_CHANGE, APV_DEVEV_BUS, "ap", NULL, NULL,
			is_ap ? APV_DEVCHG_APMASK : APV_DEVCHG_AQMASK, 0, cur);
	return 0;
}

int apv_bus_set_apmask(struct apv_host *host, const struct apv_bitmap *m)
{
	int rc;

	apv_reason_clear();
	apv_lock(host);
	rc = set_mask_locked(host, true, m);
	apv_unlock(host);
	return rc;
}

int apv_bus_set_aqmask(struct apv_host *host, const struct apv_bitmap *m)
{
	int rc;

	apv_reason_clear();
	apv_lock(host);
	rc = set_mask_locked(host, false, m);
	apv_unlock(host);
	return rc;
}

int apv_bus_store_mask_locked(struct apv_host *host, bool is_ap,
			      const char *buf, size_t len)
{
	struct apv_bitmap m;
	int rc;

	apv_assert_locked(host);
	rc = apv_parse_mask(buf, len,
			    is_ap ? &host->bus.apmask : &host->bus.aqmask, &m);
	if (rc)
		return apv_fail(rc, APV_RULE_SYNTAX, "%s: invalid mask syntax",
				is_ap ? "apmask" : "aqmask");
	return set_mask_locked(host, is_ap, &m);
}

int apv_bus_store_mask(struct apv_host *host, bool is_ap, const char *buf,
		       size_t len)
{
	int rc;

	apv_reason_clear();
	apv_lock(host);
	rc = apv_bus_store_mask_locked(host, is_ap, buf, len);
	apv_unlock(host);
	return rc;
}

void apv_bus_masks(struct apv_host *host, struct apv_bitmap *apmask,
		   struct apv_bitmap *aqmask)
{
	apv_lock(host);
	if (apmask)
		*apmask = host->bus.apmask;
	if (aqmask)
		*aqmask = host->bus.aqmask;
	apv_unlock(host);
}
