// SPDX-License-Identifier: MIT
/*
 * The zcrypt class (create, destroy) and its custom device nodes
 * (real-tools-abi.md §3.4; the nodes themselves are bus/zcdn.c).
 */
#include <errno.h>
#include <string.h>

#include <apvirt/format.h>
#include <apvirt/parse.h>
#include <apvirt/zcdn.h>

#include "model.h"
#include "sysfs_int.h"

/*
 * The name written to create/destroy: like the kernel, leading and trailing
 * white space (the newline zcryptctl writes) is dropped, so "\n\n" is the
 * empty name.  Longer inputs are cut at sizeof(out) - 1 bytes, which is
 * still too long for a valid name.
 */
static void zcdn_name_arg(const char *buf, size_t len, char *out, size_t size)
{
	size_t b = 0, e;

	len = strnlen(buf, len);
	while (b < len && (buf[b] == ' ' || (buf[b] >= '\t' && buf[b] <= '\r')))
		b++;
	e = len;
	while (e > b && (buf[e - 1] == ' ' ||
			 (buf[e - 1] >= '\t' && buf[e - 1] <= '\r')))
		e--;
	if (e - b > size - 1)
		e = b + size - 1;
	memcpy(out, buf + b, e - b);
	out[e - b] = '\0';
}

static int zcrypt_create_store(struct actx *c, const char *buf, size_t len)
{
	char name[64];

	zcdn_name_arg(buf, len, name, sizeof(name));
	return apv_zcdn_create_locked(c->host, name, NULL);
}

static int zcrypt_destroy_store(struct actx *c, const char *buf, size_t len)
{
	char name[64];

	zcdn_name_arg(buf, len, name, sizeof(name));
	return apv_zcdn_destroy_locked(c->host, name);
}

static const struct adef zcrypt_attrs[] = {
	{"create", APV_ATTR_WO, NULL, zcrypt_create_store, NULL},
	{"destroy", APV_ATTR_WO, NULL, zcrypt_destroy_store, NULL},
};

const struct apv_sysfs_table apv_sysfs_zcrypt = APV_SYSFS_TABLE(zcrypt_attrs);

static int zcdn_dev_show(struct actx *c, struct apv_strbuf *sb)
{
	return apv_sb_printf(sb, "%u:%u\n", APV_ZCDN_MAJOR,
			     apv_zcdn_minor(c->host, c->zcdn));
}

static int zcdn_uevent_show(struct actx *c, struct apv_strbuf *sb)
{
	return apv_sb_printf(sb, "MAJOR=%u\nMINOR=%u\nDEVNAME=%s\n",
			     APV_ZCDN_MAJOR, apv_zcdn_minor(c->host, c->zcdn),
			     c->zcdn->name);
}

enum zcdn_mask {
	ZM_AP,
	ZM_AQ,
	ZM_AD,
	ZM_IOCTL
};

static struct apv_bitmap *zcdn_mask(struct actx *c, enum zcdn_mask which)
{
	struct apv_zcdn *z = c->zcdn;

	return which == ZM_AP ? &z->apmask :
	       which == ZM_AQ ? &z->aqmask :
	       which == ZM_AD ? &z->admask :
				&z->ioctlmask;
}

/* The bus masks' parser, absolute or relative to the node's mask. */
static int zcdn_mask_store(struct actx *c, enum zcdn_mask which,
			   const char *buf, size_t len)
{
	struct apv_bitmap *m = zcdn_mask(c, which), nm;

	if (apv_parse_mask(buf, len, m, &nm))
		return apv_sysfs_fail(c, -EINVAL, APV_RULE_SYNTAX,
				      "expected a 0x<hex> mask or +/- id list");
	*m = nm;
	return 0;
}

#define ZCDN_MASK_ATTR(fn, which)                                              \
	static int fn##_show(struct actx *c, struct apv_strbuf *sb)            \
	{                                                                      \
		return apv_fmt_mask(sb, zcdn_mask(c, which));                  \
	}                                                                      \
	static int fn##_store(struct actx *c, const char *buf, size_t len)     \
	{                                                                      \
		return zcdn_mask_store(c, which, buf, len);                    \
	}

ZCDN_MASK_ATTR(zcdn_apmask, ZM_AP)
ZCDN_MASK_ATTR(zcdn_aqmask, ZM_AQ)
ZCDN_MASK_ATTR(zcdn_admask, ZM_AD)
ZCDN_MASK_ATTR(zcdn_ioctlmask, ZM_IOCTL)

static const struct adef zcdn_attrs[] = {
	{"dev", APV_ATTR_RO, zcdn_dev_show, NULL, NULL},
	{"uevent", APV_ATTR_RW, zcdn_uevent_show, apv_sysfs_uevent_store, NULL},
	{"apmask", APV_ATTR_RW, zcdn_apmask_show, zcdn_apmask_store, NULL},
	{"aqmask", APV_ATTR_RW, zcdn_aqmask_show, zcdn_aqmask_store, NULL},
	{"admask", APV_ATTR_RW, zcdn_admask_show, zcdn_admask_store, NULL},
	{"ioctlmask", APV_ATTR_RW, zcdn_ioctlmask_show, zcdn_ioctlmask_store,
	 NULL},
};

const struct apv_sysfs_table apv_sysfs_zcdn = APV_SYSFS_TABLE(zcdn_attrs);
