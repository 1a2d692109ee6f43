// SPDX-License-Identifier: MIT
/*
 * The simulated /sys tree (tree.h).  Layout (real-tools-abi.md §2, §7;
 * vfio-ap-semantics.md §1.2, §1.7.1, §2.1, §2.2):
 *
 *   bus/ap/{<bus attributes>,uevent,devices/,drivers/}
 *   bus/ap/devices/{cardXX,XX.YYYY} -> devices/ap/...
 *   bus/ap/drivers/<drv>/{bind,unbind,uevent,<device> -> devices/ap/...}
 *   devices/ap/{uevent,cardXX/}
 *   devices/ap/cardXX/{<attributes>,driver,subsystem,XX.YYYY/}
 *   devices/ap/cardXX/XX.YYYY/{<attributes>,driver,subsystem}
 *   devices/vfio_ap/{uevent,matrix/}
 *   devices/vfio_ap/matrix/{<attributes>,driver,subsystem,<uuid>/,
 *       mdev_supported_types/vfio_ap-passthrough/{<attributes>,devices/}}
 *   devices/vfio_ap/matrix/<uuid>/{<attributes>,mdev_type,driver,
 *       subsystem,iommu_group}
 *   bus/mdev/{uevent,devices/<uuid>,drivers/vfio_ap_mdev/{uevent,<uuid>}}
 *   bus/matrix/{uevent,devices/matrix,drivers/vfio_ap/{uevent,matrix}}
 *   class/mdev_bus/matrix -> devices/vfio_ap/matrix
 *   class/zcrypt/{create,destroy,<node> -> devices/virtual/zcrypt/<node>}
 *   devices/virtual/zcrypt/<node>/{<attributes>,subsystem}
 *   kernel/iommu_groups/N/{name,reserved_regions,devices/<uuid>}
 *
 * Each directory kind has a table of fixed entries; directories that
 * belong to a model object add the object's attributes (attr.h) and the
 * entries computed from the model (devices, bindings, mdevs).  The vfio_ap
 * parts exist only while vfio_ap is loaded.
 *
 * Not modelled: power/ directories, module links, bus drivers_autoprobe
 * and drivers_probe, the iommu group `type` file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apvirt/apqn.h>
#include <apvirt/bitmap.h>
#include <apvirt/bus.h>
#include <apvirt/uuid.h>
#include <apvirt/vfio_ap.h>
#include <apvirt/zcdn.h>

#include "tree.h"

enum dkind {
	D_NONE = 0,
	D_ROOT,
	D_BUS,
	D_BUS_AP,
	D_BUS_AP_DEVICES,
	D_BUS_AP_DRIVERS,
	D_AP_DRIVER,
	D_BUS_MDEV,
	D_BUS_MDEV_DEVICES,
	D_BUS_MDEV_DRIVERS,
	D_MDEV_DRIVER,
	D_BUS_MATRIX,
	D_BUS_MATRIX_DEVICES,
	D_BUS_MATRIX_DRIVERS,
	D_MATRIX_DRIVER,
	D_DEVICES,
	D_DEVICES_AP,
	D_CARD,
	D_QUEUE,
	D_DEVICES_VFIO_AP,
	D_MATRIX,
	D_MDEV_TYPES,
	D_MDEV_TYPE,
	D_MDEV_TYPE_DEVICES,
	D_MDEV,
	D_CLASS,
	D_CLASS_MDEV_BUS,
	D_CLASS_ZCRYPT,
	D_DEVICES_VIRTUAL,
	D_VIRTUAL_ZCRYPT,
	D_ZCDN,
	D_KERNEL,
	D_IOMMU_GROUPS,
	D_IOMMU_GROUP,
	D_IOMMU_GROUP_DEVICES,
	D__COUNT,
};

#define MATRIX_PATH "devices/vfio_ap/matrix"
#define TYPE_PATH                                                              \
	"devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough"

/* Paths of the directories that have a fixed one. */
static const char *const fixed_path[D__COUNT] = {
	[D_ROOT] = "",
	[D_BUS] = "bus",
	[D_BUS_AP] = "bus/ap",
	[D_BUS_AP_DEVICES] = "bus/ap/devices",
	[D_BUS_AP_DRIVERS] = "bus/ap/drivers",
	[D_BUS_MDEV] = "bus/mdev",
	[D_BUS_MDEV_DEVICES] = "bus/mdev/devices",
	[D_BUS_MDEV_DRIVERS] = "bus/mdev/drivers",
	[D_MDEV_DRIVER] = "bus/mdev/drivers/vfio_ap_mdev",
	[D_BUS_MATRIX] = "bus/matrix",
	[D_BUS_MATRIX_DEVICES] = "bus/matrix/devices",
	[D_BUS_MATRIX_DRIVERS] = "bus/matrix/drivers",
	[D_MATRIX_DRIVER] = "bus/matrix/drivers/vfio_ap",
	[D_DEVICES] = "devices",
	[D_DEVICES_AP] = "devices/ap",
	[D_DEVICES_VFIO_AP] = "devices/vfio_ap",
	[D_MATRIX] = "devices/vfio_ap/matrix",
	[D_MDEV_TYPES] = "devices/vfio_ap/matrix/mdev_supported_types",
	[D_MDEV_TYPE] = TYPE_PATH,
	[D_CLASS] = "class",
	[D_CLASS_MDEV_BUS] = "class/mdev_bus",
	[D_CLASS_ZCRYPT] = "class/zcrypt",
	[D_DEVICES_VIRTUAL] = "devices/virtual",
	[D_VIRTUAL_ZCRYPT] = "devices/virtual/zcrypt",
	[D_KERNEL] = "kernel",
	[D_IOMMU_GROUPS] = "kernel/iommu_groups",
};

/* ---- fixed entries ------------------------------------------------------ */

#define NEED_VFIO 0x1u /* only while vfio_ap is loaded */

struct fent {
	const char *name;
	const char *to; /* LINK: target from the root; FILE: content */
	enum apsim_ntype type;
	unsigned int mode; /* FILE */
	int child;	   /* DIR: its kind */
	unsigned int need;
};

#define FENT(n, t, m, k, to_, nd)                                              \
	{                                                                      \
		.name = (n), .to = (to_), .type = (t), .mode = (m),            \
		.child = (k), .need = (nd)                                     \
	}
#define FDIR(n, k, nd) FENT((n), APSIM_DIR, APSIM_DIR_MODE, (k), NULL, (nd))
#define FLNK(n, to_) FENT((n), APSIM_LINK, APSIM_LINK_MODE, D_NONE, (to_), 0)
/* driver-core `uevent` of buses and drivers: write-only */
#define FUEV_WO FENT("uevent", APSIM_FILE, APV_ATTR_WO, D_NONE, NULL, 0)
/* `uevent` of a device without variables */
#define FUEV_RW FENT("uevent", APSIM_FILE, APV_ATTR_RW, D_NONE, "", 0)
#define FEND FENT(NULL, APSIM_FILE, 0, D_NONE, NULL, 0)

static const struct fent f_root[] = {
	FDIR("bus", D_BUS, 0),
	FDIR("class", D_CLASS, 0),
	FDIR("devices", D_DEVICES, 0),
	FDIR("kernel", D_KERNEL, 0),
	FEND,
};

static const struct fent f_bus[] = {
	FDIR("ap", D_BUS_AP, 0),
	FDIR("matrix", D_BUS_MATRIX, NEED_VFIO),
	FDIR("mdev", D_BUS_MDEV, NEED_VFIO),
	FEND,
};

static const struct fent f_bus_ap[] = {
	FDIR("devices", D_BUS_AP_DEVICES, 0),
	FDIR("drivers", D_BUS_AP_DRIVERS, 0),
	FUEV_WO,
	FEND,
};

static const struct fent f_wo_uevent[] = {
	FUEV_WO,
	FEND,
};

static const struct fent f_bus_mdev[] = {
	FDIR("devices", D_BUS_MDEV_DEVICES, 0),
	FDIR("drivers", D_BUS_MDEV_DRIVERS, 0),
	FUEV_WO,
	FEND,
};

static const struct fent f_bus_mdev_drivers[] = {
	FDIR("vfio_ap_mdev", D_MDEV_DRIVER, 0),
	FEND,
};

static const struct fent f_bus_matrix[] = {
	FDIR("devices", D_BUS_MATRIX_DEVICES, 0),
	FDIR("drivers", D_BUS_MATRIX_DRIVERS, 0),
	FUEV_WO,
	FEND,
};

static const struct fent f_bus_matrix_devices[] = {
	FLNK("matrix", MATRIX_PATH),
	FEND,
};

static const struct fent f_bus_matrix_drivers[] = {
	FDIR("vfio_ap", D_MATRIX_DRIVER, 0),
	FEND,
};

static const struct fent f_matrix_driver[] = {
	FLNK("matrix", MATRIX_PATH),
	FUEV_WO,
	FEND,
};

static const struct fent f_devices[] = {
	FDIR("ap", D_DEVICES_AP, 0),
	FDIR("vfio_ap", D_DEVICES_VFIO_AP, NEED_VFIO),
	FDIR("virtual", D_DEVICES_VIRTUAL, 0),
	FEND,
};

static const struct fent f_devices_virtual[] = {
	FDIR("zcrypt", D_VIRTUAL_ZCRYPT, 0),
	FEND,
};

static const struct fent f_zcdn[] = {
	FLNK("subsystem", "class/zcrypt"),
	FEND,
};

static const struct fent f_devices_ap[] = {
	FUEV_RW,
	FEND,
};

static const struct fent f_ap_device[] = {
	FLNK("subsystem", "bus/ap"),
	FEND,
};

static const struct fent f_devices_vfio_ap[] = {
	FDIR("matrix", D_MATRIX, 0),
	FUEV_RW,
	FEND,
};

static const struct fent f_matrix[] = {
	FDIR("mdev_supported_types", D_MDEV_TYPES, 0),
	FLNK("driver", "bus/matrix/drivers/vfio_ap"),
	FLNK("subsystem", "bus/matrix"),
	FEND,
};

static const struct fent f_mdev_types[] = {
	FDIR("vfio_ap-passthrough", D_MDEV_TYPE, 0),
	FEND,
};

static const struct fent f_mdev_type[] = {
	FDIR("devices", D_MDEV_TYPE_DEVICES, 0),
	FEND,
};

static const struct fent f_mdev[] = {
	FLNK("mdev_type", TYPE_PATH),
	FLNK("driver", "bus/mdev/drivers/vfio_ap_mdev"),
	FLNK("subsystem", "bus/mdev"),
	FEND,
};

static const struct fent f_class[] = {
	FDIR("mdev_bus", D_CLASS_MDEV_BUS, NEED_VFIO),
	FDIR("zcrypt", D_CLASS_ZCRYPT, 0),
	FEND,
};

static const struct fent f_class_mdev_bus[] = {
	FLNK("matrix", MATRIX_PATH),
	FEND,
};

static const struct fent f_kernel[] = {
	FDIR("iommu_groups", D_IOMMU_GROUPS, 0),
	FEND,
};

/* vfio's emulated IOMMU groups are named like its no-IOMMU groups */
static const struct fent f_iommu_group[] = {
	FDIR("devices", D_IOMMU_GROUP_DEVICES, 0),
	FENT("name", APSIM_FILE, APV_ATTR_RO, D_NONE, "vfio-noiommu\n", 0),
	FENT("reserved_regions", APSIM_FILE, APV_ATTR_RO, D_NONE, "", 0),
	FEND,
};

static const struct fent *const fixed[D__COUNT] = {
	[D_ROOT] = f_root,
	[D_BUS] = f_bus,
	[D_BUS_AP] = f_bus_ap,
	[D_AP_DRIVER] = f_wo_uevent,
	[D_BUS_MDEV] = f_bus_mdev,
	[D_BUS_MDEV_DRIVERS] = f_bus_mdev_drivers,
	[D_MDEV_DRIVER] = f_wo_uevent,
	[D_BUS_MATRIX] = f_bus_matrix,
	[D_BUS_MATRIX_DEVICES] = f_bus_matrix_devices,
	[D_BUS_MATRIX_DRIVERS] = f_bus_matrix_drivers,
	[D_MATRIX_DRIVER] = f_matrix_driver,
	[D_DEVICES] = f_devices,
	[D_DEVICES_AP] = f_devices_ap,
	[D_CARD] = f_ap_device,
	[D_QUEUE] = f_ap_device,
	[D_DEVICES_VFIO_AP] = f_devices_vfio_ap,
	[D_MATRIX] = f_matrix,
	[D_MDEV_TYPES] = f_mdev_types,
	[D_MDEV_TYPE] = f_mdev_type,
	[D_MDEV] = f_mdev,
	[D_CLASS] = f_class,
	[D_CLASS_MDEV_BUS] = f_class_mdev_bus,
	[D_DEVICES_VIRTUAL] = f_devices_virtual,
	[D_ZCDN] = f_zcdn,
	[D_KERNEL] = f_kernel,
	[D_IOMMU_GROUP] = f_iommu_group,
};

/* Directories that are a model object with attributes. */
static bool has_attrs(int kind)
{
	switch (kind) {
	case D_BUS_AP:
	case D_AP_DRIVER:
	case D_CARD:
	case D_QUEUE:
	case D_MATRIX:
	case D_MDEV_TYPE:
	case D_MDEV:
	case D_CLASS_ZCRYPT:
	case D_ZCDN:
		return true;
	default:
		return false;
	}
}

/* ---- paths and links ---------------------------------------------------- */

int apsim_tree_relpath(const char *from, const char *to, char *out, size_t size)
{
	size_t common = 0, i = 0, n = 0, up = 0;
	const char *rest;
	int w;

	/* longest common prefix of whole components */
	for (;; i++) {
		bool fe = from[i] == '\0' || from[i] == '/';
		bool te = to[i] == '\0' || to[i] == '/';

		if (fe && te) {
			common = i;
			if (from[i] == '\0' || to[i] == '\0')
				break;
			continue;
		}
		if (from[i] != to[i])
			break;
	}
	/* components of `from` below the common ancestor */
	for (const char *p = from + common; *p; p++)
		if (*p != '/' && (p == from || p[-1] == '/'))
			up++;
	rest = to + common;
	while (*rest == '/')
		rest++;
	if (size == 0)
		return -ENAMETOOLONG;
	out[0] = '\0';
	for (size_t k = 0; k < up; k++) {
		w = snprintf(out + n, size - n, "%s..", k ? "/" : "");
		if (w < 0 || (size_t)w >= size - n)
			return -ENAMETOOLONG;
		n += (size_t)w;
	}
	w = snprintf(out + n, size - n, "%s%s", (up && *rest) ? "/" : "", rest);
	if (w < 0 || (size_t)w >= size - n)
		return -ENAMETOOLONG;
	return (int)(n + (size_t)w);
}

/* The path of a directory node from the root. */
static int dir_path(const struct apsim_node *d, char *buf, size_t size)
{
	char name[40];
	unsigned int apid;
	int w;

	if (d->dir > D_NONE && d->dir < D__COUNT && fixed_path[d->dir]) {
		w = snprintf(buf, size, "%s", fixed_path[d->dir]);
		return w < 0 || (size_t)w >= size ? -ENAMETOOLONG : 0;
	}
	switch (d->dir) {
	case D_MDEV_TYPE_DEVICES:
		w = snprintf(buf, size, "%s/devices", TYPE_PATH);
		break;
	case D_AP_DRIVER:
		w = snprintf(buf, size, "bus/ap/drivers/%.*s",
			     (int)sizeof(d->obj.driver), d->obj.driver);
		break;
	case D_CARD:
		apid = apv_apqn_apid(d->obj.apqn);
		w = snprintf(buf, size, "devices/ap/card%02x", apid);
		break;
	case D_QUEUE:
		apid = apv_apqn_apid(d->obj.apqn);
		w = snprintf(buf, size, "devices/ap/card%02x/%s", apid,
			     apv_apqn_str(d->obj.apqn, name));
		break;
	case D_MDEV:
		w = snprintf(buf, size, MATRIX_PATH "/%s",
			     apv_uuid_str(d->obj.uuid, name));
		break;
	case D_IOMMU_GROUP:
		w = snprintf(buf, size, "kernel/iommu_groups/%u", d->group);
		break;
	case D_IOMMU_GROUP_DEVICES:
		w = snprintf(buf, size, "kernel/iommu_groups/%u/devices",
			     d->group);
		break;
	case D_ZCDN:
		w = snprintf(buf, size, "devices/virtual/zcrypt/%.*s",
			     (int)sizeof(d->obj.driver), d->obj.driver);
		break;
	default:
		return -ENOENT;
	}
	return w < 0 || (size_t)w >= size ? -ENAMETOOLONG : 0;
}

static void mk_dir(struct apsim_node *out, int kind, const struct apv_obj *obj)
{
	memset(out, 0, sizeof(*out));
	out->type = APSIM_DIR;
	out->mode = APSIM_DIR_MODE;
	out->dir = kind;
	if (obj)
		out->obj = *obj;
	else if (kind == D_MATRIX)
		out->obj = apv_obj_matrix();
	else if (kind == D_MDEV_TYPE)
		out->obj = apv_obj_mdev_type();
	else if (kind == D_CLASS_ZCRYPT)
		out->obj = apv_obj_zcrypt();
	else
		out->obj = apv_obj_bus();
}

/* A link in directory d to the path `to` (from the root). */
static int mk_link(struct apsim_node *out, const struct apsim_node *d,
		   const char *to)
{
	char from[APSIM_TARGET_MAX];
	int rc = dir_path(d, from, sizeof(from));

	memset(out, 0, sizeof(*out));
	out->type = APSIM_LINK;
	out->mode = APSIM_LINK_MODE;
	if (rc)
		return rc;
	rc = apsim_tree_relpath(from, to, out->target, sizeof(out->target));
	return rc < 0 ? rc : 0;
}

static void mk_attr(struct apsim_node *out, const struct apv_obj *obj,
		    const char *name, unsigned int mode)
{
	memset(out, 0, sizeof(*out));
	out->type = APSIM_FILE;
	out->mode = mode;
	out->model = true;
	out->obj = *obj;
	snprintf(out->attr, sizeof(out->attr), "%s", name);
}

static void mk_text(struct apsim_node *out, const struct fent *f)
{
	memset(out, 0, sizeof(*out));
	out->type = APSIM_FILE;
	out->mode = f->mode;
	out->text = f->to;
	snprintf(out->attr, sizeof(out->attr), "%s", f->name);
}

/* ---- canonical names ---------------------------------------------------- */

static bool name_card(const char *name, unsigned int *apid)
{
	char c[APV_CARD_STRLEN];

	return strlen(name) == APV_CARD_STRLEN - 1 &&
	       !apv_card_parse(name, strlen(name), apid) &&
	       !strcmp(apv_card_str(*apid, c), name);
}

static bool name_queue(const char *name, apv_apqn *q)
{
	char c[APV_APQN_STRLEN];

	return strlen(name) == APV_APQN_STRLEN - 1 &&
	       !apv_apqn_parse(name, strlen(name), q) &&
	       !strcmp(apv_apqn_str(*q, c), name);
}

static bool name_uuid(const char *name, uint8_t uuid[16])
{
	char c[37];

	return strlen(name) == APV_UUID_STRLEN &&
	       !apv_uuid_parse(name, APV_UUID_STRLEN, uuid) &&
	       !strcmp(apv_uuid_str(uuid, c), name);
}

/* A decimal number without leading zeros (the iommu group directory). */
static bool name_uint(const char *name, unsigned int *out)
{
	unsigned long v = 0;
	size_t n = strlen(name);

	if (n == 0 || n > 9 || (n > 1 && name[0] == '0'))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (name[i] < '0' || name[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(name[i] - '0');
	}
	*out = (unsigned int)v;
	return true;
}

/* ---- model queries ------------------------------------------------------ */

static bool vfio_loaded(struct apv_host *host)
{
	unsigned int n;

	return apv_vfio_available_instances(host, &n) == 0;
}

static bool driver_exists(struct apv_host *host, const char *name)
{
	const char *names[16];
	size_t n = apv_bus_drivers(host, names, 16);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return true;
	return false;
}

/* The driver a card or queue is bound to ("" unbound); -ENOENT if gone. */
static int device_driver(struct apv_host *host, const char *dev, char *buf,
			 size_t size)
{
	int rc = apv_bus_device_driver(host, dev, buf, size);

	return rc ? -ENOENT : 0;
}

/* "devices/ap/cardXX[/XX.YYYY]" of a bus device name. */
static void ap_device_path(const char *dev, char *buf, size_t size)
{
	if (!strncmp(dev, "card", 4))
		snprintf(buf, size, "devices/ap/%s", dev);
	else
		snprintf(buf, size, "devices/ap/card%.2s/%s", dev, dev);
}

/* The mdev of iommu group `group`; -ENOENT if none. */
static int group_mdev(struct apv_host *host, unsigned int group,
		      uint8_t uuid[16])
{
	struct apv_mdev_info info;
	uint8_t(*list)[16] = NULL;
	size_t n = 0;
	int rc = apv_mdev_list(host, &list, &n);

	if (rc)
		return rc;
	rc = -ENOENT;
	for (size_t i = 0; i < n; i++) {
		if (!apv_mdev_info(host, list[i], &info) &&
		    info.iommu_group == group) {
			memcpy(uuid, list[i], 16);
			rc = 0;
			break;
		}
	}
	free(list);
	return rc;
}

/* Does directory node d still exist? */
static int dir_alive(struct apv_host *host, const struct apsim_node *d)
{
	struct apv_mdev_info info;

	if (has_attrs(d->dir))
		return apv_attr_list(host, &d->obj, NULL, 0) < 0 ? -ENOENT : 0;
	switch (d->dir) {
	case D_BUS_MATRIX:
	case D_BUS_MATRIX_DEVICES:
	case D_BUS_MATRIX_DRIVERS:
	case D_MATRIX_DRIVER:
	case D_BUS_MDEV:
	case D_BUS_MDEV_DEVICES:
	case D_BUS_MDEV_DRIVERS:
	case D_MDEV_DRIVER:
	case D_DEVICES_VFIO_AP:
	case D_MDEV_TYPES:
	case D_MDEV_TYPE_DEVICES:
	case D_CLASS_MDEV_BUS:
		return vfio_loaded(host) ? 0 : -ENOENT;
	case D_IOMMU_GROUP:
	case D_IOMMU_GROUP_DEVICES:
		if (apv_mdev_info(host, d->obj.uuid, &info) ||
		    info.iommu_group != d->group)
			return -ENOENT;
		return 0;
	default:
		return d->dir > D_NONE && d->dir < D__COUNT ? 0 : -ENOENT;
	}
}

/* ---- entries computed from the model ------------------------------------ */

struct emit {
	apsim_fill_fn fill;
	void *ctx;
};

static int emit(const struct emit *e, const char *name, enum apsim_ntype t,
		unsigned int mode)
{
	return e->fill(e->ctx, name, t, mode);
}

static int list_ap_devices(struct apv_host *host, const struct emit *e)
{
	struct apv_bitmap cards, qs;
	char name[APV_APQN_STRLEN];
	int rc;

	apv_bus_cards(host, &cards);
	apv_bm_for_each(a, &cards) {
		rc = emit(e, apv_card_str((unsigned int)a, name), APSIM_LINK,
			  APSIM_LINK_MODE);
		if (rc)
			return rc;
		if (apv_bus_card_queues(host, (unsigned int)a, &qs))
			continue;
		apv_bm_for_each(d, &qs) {
			rc = emit(e, apv_apqn_str(APV_APQN(a, d), name),
				  APSIM_LINK, APSIM_LINK_MODE);
			if (rc)
				return rc;
		}
	}
	return 0;
}

static int list_mdevs(struct apv_host *host, const struct emit *e,
		      enum apsim_ntype t, bool groups)
{
	struct apv_mdev_info info;
	uint8_t(*list)[16] = NULL;
	size_t n = 0;
	char name[37];
	int rc = apv_mdev_list(host, &list, &n);

	if (rc)
		return rc == -ENODEV ? 0 : rc;
	/* oldest first, as the kernel's device lists grow */
	for (size_t i = n; !rc && i-- > 0;) {
		if (groups) {
			if (apv_mdev_info(host, list[i], &info))
				continue;
			snprintf(name, sizeof(name), "%u", info.iommu_group);
		} else {
			apv_uuid_str(list[i], name);
		}
		rc = emit(e, name, t,
			  t == APSIM_DIR ? APSIM_DIR_MODE : APSIM_LINK_MODE);
	}
	free(list);
	return rc;
}

static int list_zcdn(struct apv_host *host, const struct emit *e,
		     enum apsim_ntype t)
{
	struct apv_zcdn_info *nodes = NULL;
	size_t n = 0;
	int rc = apv_zcdn_list(host, &nodes, &n);

	for (size_t i = 0; !rc && i < n; i++)
		rc = emit(e, nodes[i].name, t,
			  t == APSIM_DIR ? APSIM_DIR_MODE : APSIM_LINK_MODE);
	free(nodes);
	return rc;
}

static int list_dynamic(struct apv_host *host, const struct apsim_node *d,
			const struct emit *e)
{
	struct apv_name_list nl;
	struct apv_bitmap bm;
	char dev[APV_APQN_STRLEN], drv[40];
	const char *names[16];
	size_t n;
	int rc = 0;

	switch (d->dir) {
	case D_BUS_AP_DEVICES:
		return list_ap_devices(host, e);
	case D_BUS_AP_DRIVERS:
		n = apv_bus_drivers(host, names, 16);
		for (size_t i = 0; !rc && i < n; i++)
			rc = emit(e, names[i], APSIM_DIR, APSIM_DIR_MODE);
		return rc;
	case D_AP_DRIVER:
		if (apv_bus_driver_devices(host, d->obj.driver, &nl))
			return 0;
		for (size_t i = 0; !rc && i < nl.n; i++)
			rc = emit(e, nl.names[i], APSIM_LINK, APSIM_LINK_MODE);
		apv_name_list_free(&nl);
		return rc;
	case D_DEVICES_AP:
		apv_bus_cards(host, &bm);
		apv_bm_for_each(a, &bm) {
			rc = emit(e, apv_card_str((unsigned int)a, dev),
				  APSIM_DIR, APSIM_DIR_MODE);
			if (rc)
				return rc;
		}
		return 0;
	case D_CARD:
	case D_QUEUE:
		if (d->dir == D_CARD)
			apv_card_str(apv_apqn_apid(d->obj.apqn), dev);
		else
			apv_apqn_str(d->obj.apqn, dev);
		if (!device_driver(host, dev, drv, sizeof(drv)) && drv[0]) {
			rc = emit(e, "driver", APSIM_LINK, APSIM_LINK_MODE);
			if (rc)
				return rc;
		}
		if (d->dir == D_QUEUE ||
		    apv_bus_card_queues(host, apv_apqn_apid(d->obj.apqn), &bm))
			return 0;
		apv_bm_for_each(q, &bm) {
			rc = emit(
				e,
				apv_apqn_str(
					APV_APQN(apv_apqn_apid(d->obj.apqn), q),
					dev),
				APSIM_DIR, APSIM_DIR_MODE);
			if (rc)
				return rc;
		}
		return 0;
	case D_MATRIX:
		return list_mdevs(host, e, APSIM_DIR, false);
	case D_MDEV_TYPE_DEVICES:
	case D_BUS_MDEV_DEVICES:
	case D_MDEV_DRIVER:
		return list_mdevs(host, e, APSIM_LINK, false);
	case D_MDEV:
		return emit(e, "iommu_group", APSIM_LINK, APSIM_LINK_MODE);
	case D_IOMMU_GROUPS:
		return list_mdevs(host, e, APSIM_DIR, true);
	case D_IOMMU_GROUP_DEVICES:
		return emit(e, apv_uuid_str(d->obj.uuid, drv), APSIM_LINK,
			    APSIM_LINK_MODE);
	case D_CLASS_ZCRYPT:
		return list_zcdn(host, e, APSIM_LINK);
	case D_VIRTUAL_ZCRYPT:
		return list_zcdn(host, e, APSIM_DIR);
	default:
		return 0;
	}
}

/* Link to the mdev directory of uuid, if the mdev exists. */
static int mdev_link(struct apv_host *host, const struct apsim_node *d,
		     const uint8_t uuid[16], struct apsim_node *out)
{
	char to[96], name[37];

	if (!apv_mdev_exists(host, uuid))
		return -ENOENT;
	snprintf(to, sizeof(to), MATRIX_PATH "/%s", apv_uuid_str(uuid, name));
	return mk_link(out, d, to);
}

static int lookup_dynamic(struct apv_host *host, const struct apsim_node *d,
			  const char *name, struct apsim_node *out)
{
	struct apv_mdev_info info;
	struct apv_zcdn_info zi;
	struct apv_obj obj;
	struct apv_bitmap bm;
	char dev[APV_APQN_STRLEN], drv[32], to[96];
	unsigned int apid, group;
	uint8_t uuid[16];
	apv_apqn q;

	switch (d->dir) {
	case D_BUS_AP_DEVICES:
		if (name_card(name, &apid)) {
			if (apv_bus_card_queues(host, apid, &bm))
				return -ENOENT;
		} else if (!name_queue(name, &q) ||
			   !apv_bus_queue_exists(host, q)) {
			return -ENOENT;
		}
		ap_device_path(name, to, sizeof(to));
		return mk_link(out, d, to);
	case D_BUS_AP_DRIVERS:
		if (strlen(name) >= sizeof(obj.driver) ||
		    !driver_exists(host, name))
			return -ENOENT;
		obj = apv_obj_driver(name);
		mk_dir(out, D_AP_DRIVER, &obj);
		return 0;
	case D_AP_DRIVER:
		if (!name_card(name, &apid) && !name_queue(name, &q))
			return -ENOENT;
		if (device_driver(host, name, drv, sizeof(drv)) ||
		    strncmp(drv, d->obj.driver, sizeof(d->obj.driver)))
			return -ENOENT;
		ap_device_path(name, to, sizeof(to));
		return mk_link(out, d, to);
	case D_DEVICES_AP:
		if (!name_card(name, &apid) ||
		    apv_bus_card_queues(host, apid, &bm))
			return -ENOENT;
		obj = apv_obj_card(apid);
		mk_dir(out, D_CARD, &obj);
		out->ident = apv_obj_ident(host, &obj);
		return 0;
	case D_CARD:
	case D_QUEUE:
		if (!strcmp(name, "driver")) {
			if (d->dir == D_CARD)
				apv_card_str(apv_apqn_apid(d->obj.apqn), dev);
			else
				apv_apqn_str(d->obj.apqn, dev);
			if (device_driver(host, dev, drv, sizeof(drv)) ||
			    !drv[0])
				return -ENOENT;
			snprintf(to, sizeof(to), "bus/ap/drivers/%s", drv);
			return mk_link(out, d, to);
		}
		if (d->dir != D_CARD || !name_queue(name, &q) ||
		    apv_apqn_apid(q) != apv_apqn_apid(d->obj.apqn) ||
		    !apv_bus_queue_exists(host, q))
			return -ENOENT;
		obj = apv_obj_queue(q);
		mk_dir(out, D_QUEUE, &obj);
		out->ident = apv_obj_ident(host, &obj);
		return 0;
	case D_MATRIX:
		if (!name_uuid(name, uuid) || !apv_mdev_exists(host, uuid))
			return -ENOENT;
		obj = apv_obj_mdev(uuid);
		mk_dir(out, D_MDEV, &obj);
		/* the kernel may cache it: an mdev goes only by its `remove`
		 * store, after which the FUSE layer invalidates the entry
		 * (fs.c, slow_main); the same UUID created again is another
		 * ident, so another node */
		out->ident = apv_obj_ident(host, &obj);
		out->stable = out->ident != 0;
		return 0;
	case D_MDEV_TYPE_DEVICES:
	case D_BUS_MDEV_DEVICES:
	case D_MDEV_DRIVER:
		if (!name_uuid(name, uuid))
			return -ENOENT;
		return mdev_link(host, d, uuid, out);
	case D_MDEV:
		if (strcmp(name, "iommu_group") ||
		    apv_mdev_info(host, d->obj.uuid, &info))
			return -ENOENT;
		snprintf(to, sizeof(to), "kernel/iommu_groups/%u",
			 info.iommu_group);
		return mk_link(out, d, to);
	case D_IOMMU_GROUPS:
		if (!name_uint(name, &group) || group_mdev(host, group, uuid))
			return -ENOENT;
		obj = apv_obj_mdev(uuid);
		mk_dir(out, D_IOMMU_GROUP, &obj);
		out->group = group;
		return 0;
	case D_IOMMU_GROUP_DEVICES:
		if (!name_uuid(name, uuid) || memcmp(uuid, d->obj.uuid, 16))
			return -ENOENT;
		return mdev_link(host, d, uuid, out);
	case D_CLASS_ZCRYPT:
	case D_VIRTUAL_ZCRYPT:
		if (strlen(name) > APV_ZCDN_NAME_MAX ||
		    apv_zcdn_get(host, name, &zi))
			return -ENOENT;
		if (d->dir == D_CLASS_ZCRYPT) {
			snprintf(to, sizeof(to), "devices/virtual/zcrypt/%s",
				 name);
			return mk_link(out, d, to);
		}
		obj = apv_obj_zcdn(name);
		mk_dir(out, D_ZCDN, &obj);
		return 0;
	default:
		return -ENOENT;
	}
}

/* ---- lookup and listing ------------------------------------------------- */

/* Objects whose attribute set depends on the kernel profile only (card
 * and queue attributes: on the ident too, see child()). */
static bool attrs_stable(int kind)
{
	return has_attrs(kind) && kind != D_CARD && kind != D_QUEUE;
}

static int child_(struct apv_host *host, const struct apsim_node *d,
		  const char *name, struct apsim_node *out);

static int child(struct apv_host *host, const struct apsim_node *d,
		 const char *name, struct apsim_node *out)
{
	int rc = child_(host, d, name, out);

	if (rc == 0 && out->type == APSIM_DIR && out->dir == D_AP_DRIVER)
		out->stable = true; /* drivers register at boot, for good */
	/* what a card or queue directory holds, other than the queue
	 * directories of a card, is fixed by its ident: attributes follow
	 * the driver, `driver` names it */
	if (rc == 0 && (d->dir == D_CARD || d->dir == D_QUEUE) &&
	    !(out->type == APSIM_DIR && out->dir == D_QUEUE)) {
		out->ident = d->ident;
		out->stable = d->ident != 0;
	}
	return rc;
}

static int child_(struct apv_host *host, const struct apsim_node *d,
		  const char *name, struct apsim_node *out)
{
	const struct fent *f = fixed[d->dir];
	int rc;

	for (; f && f->name; f++) {
		if (strcmp(f->name, name))
			continue;
		if ((f->need & NEED_VFIO) && !vfio_loaded(host))
			return -ENOENT;
		switch (f->type) {
		case APSIM_DIR:
			mk_dir(out, f->child, NULL);
			/* groups and directories below an object keep it */
			if (d->dir == D_IOMMU_GROUP) {
				out->obj = d->obj;
				out->group = d->group;
			}
			out->stable = true;
			return 0;
		case APSIM_LINK:
			rc = mk_link(out, d, f->to);
			out->stable = true;
			return rc;
		case APSIM_FILE:
			mk_text(out, f);
			out->stable = true;
			return 0;
		}
	}
	rc = lookup_dynamic(host, d, name, out);
	if (rc != -ENOENT || !has_attrs(d->dir))
		return rc;
	rc = apv_attr_mode(host, &d->obj, name);
	if (rc < 0)
		return -ENOENT;
	mk_attr(out, &d->obj, name, (unsigned int)rc);
	out->stable = attrs_stable(d->dir);
	return 0;
}

int apsim_tree_lookup(struct apv_host *host, const char *path,
		      struct apsim_node *out)
{
	struct apsim_node cur, next;
	char name[256];
	const char *p = path;
	bool slash = false;

	mk_dir(&cur, D_ROOT, NULL);
	cur.stable = true;
	while (*p == '/')
		p++;
	while (*p) {
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		int rc;

		if (len == 0)
			return -ENOENT;
		if (len >= sizeof(name))
			return -ENAMETOOLONG;
		if (cur.type != APSIM_DIR)
			return -ENOTDIR;
		memcpy(name, p, len);
		name[len] = '\0';
		if (!strcmp(name, ".") || !strcmp(name, ".."))
			return -ENOENT;
		rc = child(host, &cur, name, &next);
		if (rc)
			return rc;
		cur = next;
		p += len;
		slash = *p == '/';
		if (slash)
			p++;
	}
	if (slash && cur.type != APSIM_DIR)
		return -ENOTDIR;
	*out = cur;
	return 0;
}

int apsim_tree_list(struct apv_host *host, const struct apsim_node *dir,
		    apsim_fill_fn fill, void *ctx)
{
	const struct emit e = {fill, ctx};
	const struct fent *f;
	bool vfio;
	int rc;

	if (dir->type != APSIM_DIR)
		return -ENOTDIR;
	if (dir->dir <= D_NONE || dir->dir >= D__COUNT)
		return -ENOENT;
	rc = dir_alive(host, dir);
	if (rc)
		return rc;
	vfio = vfio_loaded(host);
	for (f = fixed[dir->dir]; f && f->name; f++) {
		if ((f->need & NEED_VFIO) && !vfio)
			continue;
		rc = emit(&e, f->name, f->type,
			  f->type == APSIM_FILE ? f->mode :
			  f->type == APSIM_DIR	? APSIM_DIR_MODE :
						  APSIM_LINK_MODE);
		if (rc)
			return rc;
	}
	if (has_attrs(dir->dir)) {
		struct apv_attr_entry a[64];
		int n = apv_attr_list(host, &dir->obj, a, 64);

		for (int i = 0; i < n; i++) {
			rc = emit(&e, a[i].name, APSIM_FILE, a[i].mode);
			if (rc)
				return rc;
		}
	}
	return list_dynamic(host, dir, &e);
}

/* ---- reading and writing ------------------------------------------------ */

int apsim_tree_read(struct apv_host *host, const struct apsim_node *file,
		    struct apv_strbuf *sb)
{
	if (file->type != APSIM_FILE)
		return -EISDIR;
	if (file->model)
		return apv_attr_read(host, &file->obj, file->attr, sb);
	if (!(file->mode & 0444) || !file->text)
		return -EACCES;
	return apv_sb_puts(sb, file->text);
}

ssize_t apsim_tree_write(struct apv_host *host, const struct apsim_node *file,
			 const char *buf, size_t len)
{
	if (file->type != APSIM_FILE)
		return -EISDIR;
	if (file->model)
		return apv_attr_write(host, &file->obj, file->attr, buf, len);
	if (!(file->mode & 0222))
		return -EACCES;
	/* the only writable fixed files are uevent triggers */
	if (len && !apv_uevent_action_valid(buf, len))
		return -EINVAL;
	return (ssize_t)len;
}

bool apsim_tree_may_block(const struct apsim_node *file)
{
	return file->type == APSIM_FILE && file->model &&
	       file->obj.kind == APV_OBJ_MDEV && !strcmp(file->attr, "remove");
}
