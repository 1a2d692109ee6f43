// SPDX-License-Identifier: MIT
/* The AP drivers' driver-core bind / unbind files (§1.7.1). */
#include "model.h"
#include "sysfs_int.h"

static int driver_bind_store(struct actx *c, const char *buf, size_t len)
{
	return apv_bus_bind_locked(c->host, c->drv, buf, len);
}

static int driver_unbind_store(struct actx *c, const char *buf, size_t len)
{
	return apv_bus_unbind_locked(c->host, c->drv, buf, len);
}

static const struct adef driver_attrs[] = {
	{"bind", APV_ATTR_WO, NULL, driver_bind_store, NULL},
	{"unbind", APV_ATTR_WO, NULL, driver_unbind_store, NULL},
};

const struct apv_sysfs_table apv_sysfs_driver = APV_SYSFS_TABLE(driver_attrs);
