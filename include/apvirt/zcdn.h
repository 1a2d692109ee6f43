/* SPDX-License-Identifier: MIT */
/*
 * zcrypt custom device nodes (real-tools-abi.md §3.4, §7): the class
 * directory /sys/class/zcrypt with its write-only `create` and `destroy`
 * files, and one node per created name, /sys/devices/virtual/zcrypt/<name>
 * (linked from the class directory), with `dev`, `uevent` and the four
 * access filters `apmask`, `aqmask`, `admask` and `ioctlmask`.
 *
 * The sysfs files are served by attr.h (APV_OBJ_ZCRYPT for the class
 * directory, APV_OBJ_ZCDN for a node, the node name in obj.driver); the
 * functions here are the same operations without the text layer, plus the
 * listing the FUSE tree needs.  All functions take host->lock.
 *
 * Model choices (where the kernel's behaviour is not pinned down by the
 * spec; see docs/zcdn.md):
 *   - character device numbers are APV_ZCDN_MAJOR:minor, minors handed out
 *     lowest-free from 1 up (/dev/z90crypt itself is the misc device
 *     10:APV_Z90CRYPT_MINOR and is not a node of this class);
 *   - an empty name picks "zcrypt_<minor>";
 *   - a new node starts with all four masks zero (no access);
 *   - names are 1..APV_ZCDN_NAME_MAX characters of [A-Za-z0-9_.-], not
 *     "create", "destroy", "z90crypt", "." or "..";
 *   - at most APV_ZCDN_MAX nodes (-ENOSPC beyond).
 */
#ifndef APVIRT_ZCDN_H
#define APVIRT_ZCDN_H

#include <stdbool.h>
#include <stddef.h>

#include <apvirt/attr.h>
#include <apvirt/bitmap.h>

#define APV_ZCDN_MAJOR 240u
#define APV_Z90CRYPT_MAJOR 10u
#define APV_Z90CRYPT_MINOR 121u
#define APV_ZCDN_MAX 256u
/* Longest node name: it must fit struct apv_obj.driver with its NUL. */
#define APV_ZCDN_NAME_MAX 23u

struct apv_host;

static inline struct apv_obj apv_obj_zcrypt(void)
{
	return (struct apv_obj){.kind = APV_OBJ_ZCRYPT};
}

/* A node object; names longer than APV_ZCDN_NAME_MAX name no node. */
struct apv_obj apv_obj_zcdn(const char *name);

struct apv_zcdn_info {
	char name[APV_ZCDN_NAME_MAX + 1];
	unsigned int major, minor;
	struct apv_bitmap apmask, aqmask, admask, ioctlmask;
};

/*
 * Create a node (the `create` store without its text trimming): name ""
 * picks "zcrypt_<minor>".  The created node is copied to *out (may be
 * NULL).  -EINVAL bad name, -EEXIST name in use, -ENOSPC no minor left.
 */
int apv_zcdn_create(struct apv_host *host, const char *name,
		    struct apv_zcdn_info *out);
/* Destroy a node: -ENOENT if there is no node of that name. */
int apv_zcdn_destroy(struct apv_host *host, const char *name);

/* One node by name: 0 or -ENOENT. */
int apv_zcdn_get(struct apv_host *host, const char *name,
		 struct apv_zcdn_info *out);

/*
 * All nodes, ordered by minor number.  *out is malloc'ed (NULL when there
 * are none) and freed by the caller.  0 or -ENOMEM.
 */
int apv_zcdn_list(struct apv_host *host, struct apv_zcdn_info **out, size_t *n);

#endif /* APVIRT_ZCDN_H */
