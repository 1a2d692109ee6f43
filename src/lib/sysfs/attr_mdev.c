// SPDX-License-Identifier: MIT
/* An mdev, /sys/devices/vfio_ap/matrix/<uuid> (§2.3-§2.6). */
#include <errno.h>

#include <apvirt/format.h>
#include <apvirt/parse.h>

#include "model.h"
#include "sysfs_int.h"

static int mdev_parse_id(struct actx *c, const char *buf, size_t len,
			 unsigned long *id)
{
	int rc = apv_parse_ulong(buf, len, id);

	if (rc)
		return apv_sysfs_fail(c, rc, APV_RULE_SYNTAX, "%s",
				      rc == -ERANGE ? "number out of range" :
						      "not an unsigned number");
	return 0;
}

static int mdev_assign(struct actx *c, const char *buf, size_t len, bool assign,
		       enum apv_assign_kind what)
{
	unsigned long id;
	int rc = mdev_parse_id(c, buf, len, &id);

	if (rc)
		return rc;
	return assign ? apv_mdev_assign_locked(c->host, c->mdev, what, id) :
			apv_mdev_unassign_locked(c->host, c->mdev, what, id);
}

#define ASSIGN_STORE(fn, assign, what)                                         \
	static int fn(struct actx *c, const char *buf, size_t len)             \
	{                                                                      \
		return mdev_assign(c, buf, len, assign, what);                 \
	}

ASSIGN_STORE(mdev_assign_adapter, true, APV_ASSIGN_ADAPTER)
ASSIGN_STORE(mdev_unassign_adapter, false, APV_ASSIGN_ADAPTER)
ASSIGN_STORE(mdev_assign_domain, true, APV_ASSIGN_DOMAIN)
ASSIGN_STORE(mdev_unassign_domain, false, APV_ASSIGN_DOMAIN)
ASSIGN_STORE(mdev_assign_control, true, APV_ASSIGN_CONTROL)
ASSIGN_STORE(mdev_unassign_control, false, APV_ASSIGN_CONTROL)

static int mdev_control_domains_show(struct actx *c, struct apv_strbuf *sb)
{
	const struct apv_mdev *m = c->mdev;

	return apv_fmt_control_domains(sb, &m->adm, m->adm_max);
}

static int mdev_matrix_show(struct actx *c, struct apv_strbuf *sb)
{
	const struct apv_mdev *m = c->mdev;

	return apv_fmt_matrix(sb, &m->apm, &m->aqm, m->apm_max, m->aqm_max);
}

static int mdev_guest_matrix_show(struct actx *c, struct apv_strbuf *sb)
{
	const struct apv_mdev *m = c->mdev;

	return apv_fmt_matrix(sb, &m->sh_apm, &m->sh_aqm, m->apm_max,
			      m->aqm_max);
}

static int mdev_ap_config_show(struct actx *c, struct apv_strbuf *sb)
{
	const struct apv_mdev *m = c->mdev;

	return apv_fmt_ap_config(sb, &m->apm, &m->aqm, &m->adm);
}

static int mdev_ap_config_store(struct actx *c, const char *buf, size_t len)
{
	struct apv_bitmap apm, aqm, adm;

	if (apv_parse_ap_config(buf, len, &apm, &aqm, &adm))
		return apv_sysfs_fail(c, -EINVAL, APV_RULE_SYNTAX,
				      "expected <apm>,<aqm>,<adm> hex masks");
	return apv_mdev_set_ap_config_locked(c->host, c->mdev, &apm, &aqm,
					     &adm);
}

static int mdev_remove_store(struct actx *c, const char *buf, size_t len)
{
	unsigned long v;

	/* kstrtoul; any failure (ERANGE included) is EINVAL here */
	if (apv_parse_ulong(buf, len, &v))
		return apv_sysfs_fail(c, -EINVAL, APV_RULE_SYNTAX,
				      "not an unsigned number");
	if (!v)
		return 0;
	/* may wait for the guest to close the device; frees the mdev */
	return apv_mdev_remove_locked(c->host, c->mdev);
}

/* bound to vfio_ap_mdev; the mdev bus adds the type's sysfs name */
static int mdev_uevent_show(struct actx *c, struct apv_strbuf *sb)
{
	return apv_sb_puts(sb, "DRIVER=vfio_ap_mdev\nMDEV_TYPE=passthrough\n");
}

static const struct adef mdev_attrs[] = {
	{"assign_adapter", APV_ATTR_WO, NULL, mdev_assign_adapter, NULL},
	{"unassign_adapter", APV_ATTR_WO, NULL, mdev_unassign_adapter, NULL},
	{"assign_domain", APV_ATTR_WO, NULL, mdev_assign_domain, NULL},
	{"unassign_domain", APV_ATTR_WO, NULL, mdev_unassign_domain, NULL},
	{"assign_control_domain", APV_ATTR_WO, NULL, mdev_assign_control, NULL},
	{"unassign_control_domain", APV_ATTR_WO, NULL, mdev_unassign_control,
	 NULL},
	{"control_domains", APV_ATTR_RO, mdev_control_domains_show, NULL, NULL},
	{"matrix", APV_ATTR_RO, mdev_matrix_show, NULL, NULL},
	{"guest_matrix", APV_ATTR_RO, mdev_guest_matrix_show, NULL, NULL},
	{"ap_config", APV_ATTR_RW, mdev_ap_config_show, mdev_ap_config_store,
	 is_612},
	{"remove", APV_ATTR_WO, NULL, mdev_remove_store, NULL},
	{"uevent", APV_ATTR_RW, mdev_uevent_show, apv_sysfs_uevent_store, NULL},
};

const struct apv_sysfs_table apv_sysfs_mdev = APV_SYSFS_TABLE(mdev_attrs);
