// SPDX-License-Identifier: MIT
/*
 * The vfio_ap matrix device and its mdev type, vfio_ap-passthrough
 * (spec vfio-ap-semantics.md §2.1, §2.2).
 */
#include <errno.h>

#include <apvirt/parse.h>

#include "model.h"
#include "sysfs_int.h"

static int matrix_features_show(struct actx *c, struct apv_strbuf *sb)
{
	return apv_sb_puts(sb, "guest_matrix hotplug ap_config\n");
}

/* the matrix device is bound to vfio_ap on the matrix bus */
static int matrix_uevent_show(struct actx *c, struct apv_strbuf *sb)
{
	return apv_sb_puts(sb, "DRIVER=vfio_ap\n");
}

static const struct adef matrix_attrs[] = {
	{"features", APV_ATTR_RO, matrix_features_show, NULL, is_612},
	{"uevent", APV_ATTR_RW, matrix_uevent_show, apv_sysfs_uevent_store,
	 NULL},
};

const struct apv_sysfs_table apv_sysfs_matrix = APV_SYSFS_TABLE(matrix_attrs);

/* ---- the mdev type ---------------------------------------------------- */

static int type_name_show(struct actx *c, struct apv_strbuf *sb)
{
	return apv_sb_puts(sb, "VFIO AP Passthrough Device\n");
}

static int type_device_api_show(struct actx *c, struct apv_strbuf *sb)
{
	return apv_sb_puts(sb, "vfio-ap\n");
}

static int type_available_show(struct actx *c, struct apv_strbuf *sb)
{
	return apv_sb_printf(sb, "%u\n", APV_MAX_MDEVS - c->host->vfio.n_mdevs);
}

static int type_create_store(struct actx *c, const char *buf, size_t len)
{
	uint8_t uuid[16];

	if (apv_parse_uuid(buf, len, uuid))
		return apv_sysfs_fail(
			c, -EINVAL, APV_RULE_SYNTAX,
			"expected a UUID (36 characters, optionally "
			"one more byte), got %zu bytes",
			len);
	return apv_mdev_create_locked(c->host, uuid);
}

static const struct adef type_attrs[] = {
	{"name", APV_ATTR_RO, type_name_show, NULL, NULL},
	{"device_api", APV_ATTR_RO, type_device_api_show, NULL, NULL},
	{"available_instances", APV_ATTR_RO, type_available_show, NULL, NULL},
	{"create", APV_ATTR_WO, NULL, type_create_store, NULL},
};

const struct apv_sysfs_table apv_sysfs_mdev_type = APV_SYSFS_TABLE(type_attrs);
