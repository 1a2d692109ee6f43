/* SPDX-License-Identifier: MIT */
/*
 * Private header of the sysfs attribute layer (src/lib/sysfs): the context
 * a show/store works on, the per-kind attribute tables and the helpers the
 * object kinds share.  attr.c is the dispatcher (include/apvirt/attr.h);
 * attr_<kind>.c hold one object kind's attributes each.
 *
 * Everything here runs under host->lock (taken by the dispatcher).
 */
#ifndef APV_SYSFS_INT_H
#define APV_SYSFS_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <apvirt/attr.h>
#include <apvirt/strbuf.h>

#include "model.h"

/*
 * What a show/store works on: the object, resolved once by the dispatcher
 * (attr.c: resolve()) and passed down; stores hand these pointers to the
 * model instead of looking the object up again.
 */
struct actx {
	struct apv_host *host;
	const struct apv_obj *obj;
	struct apv_card *card;
	struct apv_queue *q;
	const struct apv_driver *drv;
	struct apv_mdev *mdev;
	struct apv_zcdn *zcdn;
	const char *attr;
	char subject[96]; /* sysfs path of the object, relative to /sys */
};

struct adef {
	const char *name;
	unsigned int mode;
	int (*show)(struct actx *c, struct apv_strbuf *sb);
	int (*store)(struct actx *c, const char *buf, size_t len);
	bool (*visible)(const struct actx *c);
};

/* One object kind's attributes, in the order apv_attr_list() reports. */
struct apv_sysfs_table {
	const struct adef *defs;
	size_t n;
};

#define APV_SYSFS_TABLE(t)                                                     \
	{                                                                      \
		(t), sizeof(t) / sizeof((t)[0])                                \
	}

extern const struct apv_sysfs_table apv_sysfs_bus;	 /* attr_bus.c */
extern const struct apv_sysfs_table apv_sysfs_card;	 /* attr_card.c */
extern const struct apv_sysfs_table apv_sysfs_queue;	 /* attr_queue.c */
extern const struct apv_sysfs_table apv_sysfs_driver;	 /* attr_driver.c */
extern const struct apv_sysfs_table apv_sysfs_matrix;	 /* attr_matrix.c */
extern const struct apv_sysfs_table apv_sysfs_mdev_type; /* attr_matrix.c */
extern const struct apv_sysfs_table apv_sysfs_mdev;	 /* attr_mdev.c */
extern const struct apv_sysfs_table apv_sysfs_zcrypt;	 /* attr_zcrypt.c */
extern const struct apv_sysfs_table apv_sysfs_zcdn;	 /* attr_zcrypt.c */

/* attr.c */

/* Refuse with a reason naming the file: "<path>/<attr>: <what>". */
int apv_sysfs_fail(const struct actx *c, int err, enum apv_rule rule,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* sscanf("%d") of a 0/1 flag (card config/online, queue online). */
int apv_sysfs_parse_01(struct actx *c, const char *buf, size_t len, bool *out);

/* attr_uevent.c: the `uevent` files */

int apv_sysfs_uevent_store(struct actx *c, const char *buf, size_t len);
/* MODE= of AP card and queue uevents, from the card's facility bits. */
int apv_sysfs_uevent_mode(struct apv_strbuf *sb, const struct apv_card *card);
/* DRIVER=<name> if drv is set. */
int apv_sysfs_uevent_driver(struct apv_strbuf *sb,
			    const struct apv_driver *drv);

/* Small shows and visibility tests shared by several kinds. */

static inline int show_int(struct apv_strbuf *sb, int v)
{
	return apv_sb_printf(sb, "%d\n", v);
}

static inline int show_bool(struct apv_strbuf *sb, bool v)
{
	return apv_sb_puts(sb, v ? "1\n" : "0\n");
}

/* No request is ever queued or pending in the model. */
static inline int show_zero(struct actx *c, struct apv_strbuf *sb)
{
	(void)c;
	return apv_sb_puts(sb, "0\n");
}

/* The file exists on the 6.12 kernel profile only. */
static inline bool is_612(const struct actx *c)
{
	return !apv_is_61(c->host);
}

#endif /* APV_SYSFS_INT_H */
