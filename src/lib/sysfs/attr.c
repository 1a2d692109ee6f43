// SPDX-License-Identifier: MIT
/*
 * The sysfs attribute layer (include/apvirt/attr.h): every file of
 * /sys/bus/ap, the card and queue devices, the AP drivers, the vfio_ap
 * matrix device, its mdev type and the mdevs, and the zcrypt class with its
 * custom device nodes, with the kernel's show format, store parsing and errno
 * (spec vfio-ap-semantics.md §1.3-§1.7.1, §2.1-§2.6, §2.9; real-tools-abi.md
 * §3.4 for zcrypt nodes).
 *
 * This file is the dispatcher: every entry point takes host->lock,
 * resolves the object once (gone: -ENOENT) and dispatches through the
 * object kind's table of {name, mode, show, store, visible}
 * (attr_<kind>.c, sysfs_int.h); the shows and stores get the resolved
 * object and pass it down to the model.  `visible` says whether the file
 * exists right now (kernel profile, bound driver).  Stores see the raw
 * (buf, len) of one write(2); like sysfs, a zero-length write succeeds
 * without calling the store.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <apvirt/attr.h>
#include <apvirt/parse.h>
#include <apvirt/uuid.h>

#include "model.h"
#include "sysfs_int.h"

int apv_sysfs_fail(const struct actx *c, int err, enum apv_rule rule,
		   const char *fmt, ...)
{
	char what[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return apv_fail(err, rule, "%s/%s: %s", c->subject, c->attr, what);
}

/* sscanf("%d") of a 0/1 flag (card config/online, queue online). */
int apv_sysfs_parse_01(struct actx *c, const char *buf, size_t len, bool *out)
{
	int v;

	if (apv_parse_int_dec_scanf(buf, len, &v) || (v != 0 && v != 1))
		return apv_sysfs_fail(c, -EINVAL, APV_RULE_SYNTAX,
				      "expected 0 or 1");
	*out = v == 1;
	return 0;
}

static const struct apv_sysfs_table *const tables[] = {
	[APV_OBJ_BUS] = &apv_sysfs_bus,
	[APV_OBJ_CARD] = &apv_sysfs_card,
	[APV_OBJ_QUEUE] = &apv_sysfs_queue,
	[APV_OBJ_DRIVER] = &apv_sysfs_driver,
	[APV_OBJ_MATRIX] = &apv_sysfs_matrix,
	[APV_OBJ_MDEV_TYPE] = &apv_sysfs_mdev_type,
	[APV_OBJ_MDEV] = &apv_sysfs_mdev,
	[APV_OBJ_ZCRYPT] = &apv_sysfs_zcrypt,
	[APV_OBJ_ZCDN] = &apv_sysfs_zcdn,
};

static int gone(struct actx *c, const char *what)
{
	return apv_fail(-ENOENT, APV_RULE_NO_DEVICE, "%s does not exist", what);
}

/* Resolve obj into c; -ENOENT (with a reason) if it does not exist. */
static int resolve(struct apv_host *host, const struct apv_obj *obj,
		   struct actx *c)
{
	char name[APV_APQN_STRLEN], uuid[37], drv[sizeof(obj->driver) + 1];
	unsigned int apid;

	memset(c, 0, sizeof(*c));
	c->host = host;
	c->obj = obj;
	switch (obj->kind) {
	case APV_OBJ_BUS:
		snprintf(c->subject, sizeof(c->subject), "bus/ap");
		return 0;
	case APV_OBJ_CARD:
		apid = apv_apqn_apid(obj->apqn);
		apv_card_str(apid, name);
		snprintf(c->subject, sizeof(c->subject), "devices/ap/%s", name);
		c->card = apv_bus_card(host, apid);
		return c->card ? 0 : gone(c, c->subject);
	case APV_OBJ_QUEUE:
		apid = apv_apqn_apid(obj->apqn);
		snprintf(c->subject, sizeof(c->subject),
			 "devices/ap/card%02x/%s", apid,
			 apv_apqn_str(obj->apqn, name));
		c->q = apv_bus_queue(host, obj->apqn);
		if (c->q)
			c->card = c->q->card;
		return c->q ? 0 : gone(c, c->subject);
	case APV_OBJ_DRIVER:
		memcpy(drv, obj->driver, sizeof(obj->driver));
		drv[sizeof(obj->driver)] = '\0';
		snprintf(c->subject, sizeof(c->subject), "bus/ap/drivers/%s",
			 drv);
		c->drv = apv_bus_find_driver(host, drv);
		return c->drv ? 0 : gone(c, c->subject);
	case APV_OBJ_MATRIX:
		snprintf(c->subject, sizeof(c->subject),
			 "devices/vfio_ap/matrix");
		return host->vfio.loaded ? 0 : gone(c, c->subject);
	case APV_OBJ_MDEV_TYPE:
		snprintf(c->subject, sizeof(c->subject),
			 "devices/vfio_ap/matrix/mdev_supported_types/"
			 "vfio_ap-passthrough");
		return host->vfio.loaded ? 0 : gone(c, c->subject);
	case APV_OBJ_MDEV:
		snprintf(c->subject, sizeof(c->subject),
			 "devices/vfio_ap/matrix/%s",
			 apv_uuid_str(obj->uuid, uuid));
		c->mdev = host->vfio.loaded ?
				  apv_vfio_find_mdev(host, obj->uuid) :
				  NULL;
		return c->mdev ? 0 : gone(c, c->subject);
	case APV_OBJ_ZCRYPT:
		snprintf(c->subject, sizeof(c->subject), "class/zcrypt");
		return 0;
	case APV_OBJ_ZCDN:
		memcpy(drv, obj->driver, sizeof(obj->driver));
		drv[sizeof(obj->driver)] = '\0';
		snprintf(c->subject, sizeof(c->subject),
			 "devices/virtual/zcrypt/%s", drv);
		c->zcdn = apv_zcdn_find_locked(host, drv);
		return c->zcdn ? 0 : gone(c, c->subject);
	}
	snprintf(c->subject, sizeof(c->subject), "object of kind %d",
		 (int)obj->kind);
	return gone(c, c->subject);
}

/* The instance generation of the resolved object (0: no instances). */
static uint64_t gen_of(const struct actx *c)
{
	switch (c->obj->kind) {
	case APV_OBJ_CARD:
		return c->card->gen;
	case APV_OBJ_QUEUE:
		return c->q->gen;
	case APV_OBJ_MDEV:
		return c->mdev->seq;
	case APV_OBJ_ZCDN:
		return c->zcdn->gen;
	default:
		return 0;
	}
}

/* resolve(), and the object must be the instance obj->gen names (if any). */
static int resolve_gen(struct apv_host *host, const struct apv_obj *obj,
		       struct actx *c)
{
	int rc = resolve(host, obj, c);

	if (!rc && obj->gen && gen_of(c) != obj->gen)
		rc = apv_fail(-ENOENT, APV_RULE_NO_DEVICE,
			      "%s was removed since (another instance now)",
			      c->subject);
	return rc;
}

int apv_obj_bind(struct apv_host *host, struct apv_obj *obj)
{
	struct actx c;
	int rc;

	apv_reason_clear();
	apv_lock(host);
	obj->gen = 0;
	rc = resolve(host, obj, &c);
	if (!rc)
		obj->gen = gen_of(&c);
	apv_unlock(host);
	return rc;
}

/* 0 (no driver) or 1 + the driver's registration index. */
static uint64_t driver_code(const struct apv_host *host,
			    const struct apv_driver *drv)
{
	for (unsigned int i = 0; drv && i < host->bus.n_drivers; i++)
		if (host->bus.drivers[i] == drv)
			return i + 1;
	return 0;
}

uint64_t apv_obj_ident(struct apv_host *host, const struct apv_obj *obj)
{
	uint64_t r = 0;
	struct actx c;

	if (obj->kind != APV_OBJ_CARD && obj->kind != APV_OBJ_QUEUE &&
	    obj->kind != APV_OBJ_MDEV)
		return 0;
	apv_lock(host);
	if (resolve(host, obj, &c) == 0)
		r = obj->kind == APV_OBJ_MDEV ?
			    gen_of(&c) :
			    gen_of(&c) << 4 |
				    driver_code(host, obj->kind == APV_OBJ_CARD ?
							      c.card->driver :
							      c.q->driver);
	apv_unlock(host);
	return r;
}

static bool present(const struct actx *c, const struct adef *d)
{
	return !d->visible || d->visible(c);
}

/* The attribute `name` of the resolved object; NULL and -ENOENT in *rc. */
static const struct adef *lookup(struct actx *c, const char *name, int *rc)
{
	const struct adef *defs = tables[c->obj->kind]->defs;
	size_t n = tables[c->obj->kind]->n;

	for (size_t i = 0; name && i < n; i++) {
		if (!strcmp(defs[i].name, name) && present(c, &defs[i])) {
			c->attr = defs[i].name;
			*rc = 0;
			return &defs[i];
		}
	}
	*rc = apv_fail(-ENOENT, APV_RULE_NO_DEVICE, "%s/%s does not exist",
		       c->subject, name ? name : "(null)");
	return NULL;
}

struct apv_obj apv_obj_mdev(const uint8_t uuid[16])
{
	struct apv_obj o = {.kind = APV_OBJ_MDEV};

	memcpy(o.uuid, uuid, sizeof(o.uuid));
	return o;
}

struct apv_obj apv_obj_driver(const char *name)
{
	struct apv_obj o = {.kind = APV_OBJ_DRIVER};

	/* names longer than the field cannot name a registered driver */
	snprintf(o.driver, sizeof(o.driver), "%s", name);
	return o;
}

int apv_attr_list(struct apv_host *host, const struct apv_obj *obj,
		  struct apv_attr_entry *out, size_t max)
{
	struct actx c;
	size_t n = 0;
	int rc;

	apv_reason_clear();
	apv_lock(host);
	rc = resolve_gen(host, obj, &c);
	if (!rc) {
		const struct adef *defs = tables[obj->kind]->defs;

		for (size_t i = 0; i < tables[obj->kind]->n; i++) {
			if (!present(&c, &defs[i]))
				continue;
			if (out && n >= max)
				break;
			if (out)
				out[n] = (struct apv_attr_entry){defs[i].name,
								 defs[i].mode};
			n++;
		}
		rc = (int)n;
	}
	apv_unlock(host);
	return rc;
}

int apv_attr_mode(struct apv_host *host, const struct apv_obj *obj,
		  const char *name)
{
	const struct adef *d = NULL;
	struct actx c;
	int rc;

	apv_reason_clear();
	apv_lock(host);
	rc = resolve_gen(host, obj, &c);
	if (!rc)
		d = lookup(&c, name, &rc);
	if (d)
		rc = (int)d->mode;
	apv_unlock(host);
	return rc;
}

int apv_attr_read(struct apv_host *host, const struct apv_obj *obj,
		  const char *name, struct apv_strbuf *sb)
{
	size_t old = sb->len;
	const struct adef *d = NULL;
	struct actx c;
	int rc;

	apv_reason_clear();
	apv_lock(host);
	rc = resolve_gen(host, obj, &c);
	if (!rc)
		d = lookup(&c, name, &rc);
	if (d && !d->show)
		rc = apv_fail(-EACCES, APV_RULE_NOT_SUPPORTED,
			      "%s/%s is write-only", c.subject, d->name);
	else if (d)
		rc = d->show(&c, sb);
	if (rc && sb->len != old) {
		/* a failed show leaves nothing behind */
		sb->len = old;
		sb->s[old] = '\0';
	}
	if (rc == -ENOMEM && apv_reason_last()->err == 0)
		apv_fail(-ENOMEM, APV_RULE_NO_MEMORY, "out of memory");
	apv_unlock(host);
	return rc;
}

ssize_t apv_attr_write(struct apv_host *host, const struct apv_obj *obj,
		       const char *name, const char *buf, size_t len)
{
	const struct adef *d = NULL;
	struct actx c;
	int rc;

	apv_reason_clear();
	apv_lock(host);
	rc = resolve_gen(host, obj, &c);
	if (!rc)
		d = lookup(&c, name, &rc);
	if (d && !d->store)
		rc = apv_fail(-EACCES, APV_RULE_NOT_SUPPORTED,
			      "%s/%s is read-only", c.subject, d->name);
	/* sysfs never calls a store for an empty write */
	else if (d && len)
		rc = d->store(&c, buf, len); /* c.mdev may be freed now */
	apv_unlock(host);
	return rc ? rc : (ssize_t)len;
}
