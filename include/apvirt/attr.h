/* SPDX-License-Identifier: MIT */
/*
 * sysfs attributes of the model: every file of /sys/bus/ap, the card and
 * queue devices, the AP drivers, the vfio_ap matrix device, its mdev type
 * and the mdevs, with the kernel's show format and store semantics
 * (parsing included) and its errno.  The FUSE tree (apsim) maps paths to
 * (object, attribute) pairs and calls these; nothing else is needed to
 * serve a file.
 */
#ifndef APVIRT_ATTR_H
#define APVIRT_ATTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <apvirt/apqn.h>
#include <apvirt/strbuf.h>

struct apv_host;

enum apv_obj_kind {
	APV_OBJ_BUS,	   /* /sys/bus/ap */
	APV_OBJ_CARD,	   /* /sys/devices/ap/cardXX */
	APV_OBJ_QUEUE,	   /* /sys/devices/ap/cardXX/XX.YYYY */
	APV_OBJ_DRIVER,	   /* /sys/bus/ap/drivers/<name> */
	APV_OBJ_MATRIX,	   /* /sys/devices/vfio_ap/matrix */
	APV_OBJ_MDEV_TYPE, /* .../matrix/mdev_supported_types/vfio_ap-passthrough */
	APV_OBJ_MDEV,	   /* /sys/devices/vfio_ap/matrix/<uuid> */
	APV_OBJ_ZCRYPT,	   /* /sys/class/zcrypt (create, destroy) */
	APV_OBJ_ZCDN,	   /* /sys/devices/virtual/zcrypt/<name> */
};

struct apv_obj {
	enum apv_obj_kind kind;
	apv_apqn apqn;	    /* CARD: APID in the high byte; QUEUE: APQN */
	uint8_t uuid[16];   /* MDEV */
	char driver[24];    /* DRIVER; ZCDN: the node name */
	/*
	 * 0: whatever object has this name now.  Else the instance (set by
	 * apv_obj_bind): an mdev, card, queue or zcrypt node created again
	 * under the same name is another instance, and the attribute calls
	 * fail with -ENOENT for this one for ever, as kernfs deactivates the
	 * node of an open file whose device is gone.
	 */
	uint64_t gen;
};

static inline struct apv_obj apv_obj_bus(void)
{
	return (struct apv_obj){.kind = APV_OBJ_BUS};
}

static inline struct apv_obj apv_obj_card(unsigned int apid)
{
	return (struct apv_obj){.kind = APV_OBJ_CARD,
				.apqn = APV_APQN(apid, 0)};
}

static inline struct apv_obj apv_obj_queue(apv_apqn q)
{
	return (struct apv_obj){.kind = APV_OBJ_QUEUE, .apqn = q};
}

struct apv_obj apv_obj_mdev(const uint8_t uuid[16]);
struct apv_obj apv_obj_driver(const char *name);

static inline struct apv_obj apv_obj_matrix(void)
{
	return (struct apv_obj){.kind = APV_OBJ_MATRIX};
}

static inline struct apv_obj apv_obj_mdev_type(void)
{
	return (struct apv_obj){.kind = APV_OBJ_MDEV_TYPE};
}

#define APV_ATTR_RO 0444
#define APV_ATTR_WO 0200
#define APV_ATTR_RW 0644

struct apv_attr_entry {
	const char *name;
	unsigned int mode;
};

/*
 * The attributes the object has right now (they depend on the kernel
 * profile and, for queues and cards, on the bound driver), in a stable
 * order.  Returns the count (up to max) or -ENOENT if the object is gone.
 */
int apv_attr_list(struct apv_host *host, const struct apv_obj *obj,
		  struct apv_attr_entry *out, size_t max);

/*
 * Bind obj to the instance that has its name now (obj->gen, see above);
 * objects without instances (bus, drivers, matrix, mdev type, zcrypt
 * class) keep 0.  0 or -ENOENT if there is no such object.
 */
int apv_obj_bind(struct apv_host *host, struct apv_obj *obj);

/*
 * What the attribute set of a card or queue depends on: its instance and
 * its driver; an mdev: its instance (0 for other objects, or if it is
 * gone).  While this value stays the same, the object's attribute names
 * and modes stay the same.
 */
uint64_t apv_obj_ident(struct apv_host *host, const struct apv_obj *obj);

/* Mode of one attribute, or -ENOENT. */
int apv_attr_mode(struct apv_host *host, const struct apv_obj *obj,
		  const char *name);

/*
 * Read an attribute into sb (appended).  0, -ENOENT (no such object or
 * attribute), -EACCES (write-only), -EIO etc. as the kernel's show.
 */
int apv_attr_read(struct apv_host *host, const struct apv_obj *obj,
		  const char *name, struct apv_strbuf *sb);

/*
 * Write an attribute: returns len on success (the full count, as a sysfs
 * store does) or the store's negative errno; -EACCES for read-only files.
 */
ssize_t apv_attr_write(struct apv_host *host, const struct apv_obj *obj,
		       const char *name, const char *buf, size_t len);

/*
 * A write to a `uevent` file asks for a synthetic uevent; the first word
 * must be an action the driver core knows (add, remove, change, move,
 * online, offline, bind, unbind), else the store fails with EINVAL.
 */
bool apv_uevent_action_valid(const char *buf, size_t len);

#endif /* APVIRT_ATTR_H */
