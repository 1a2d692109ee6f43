// SPDX-License-Identifier: MIT
/*
 * `uevent` files of every device (spec vfio-ap-semantics.md §1.3-§1.5):
 * the store checks the action word, the shows share MODE= and DRIVER=.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <apvirt/devev.h>
#include <apvirt/uuid.h>

#include "model.h"
#include "sysfs_int.h"

/*
 * Device `uevent` (RW 0644): show prints the device's uevent variables in
 * the driver core's order (DEVTYPE, DRIVER, then the bus's own); a store
 * asks for a synthetic uevent (uevent_store -> kobject_synth_uevent):
 * "<action>[ <uuid>[ args]]\n", the action one of kobject_action_type's
 * words, else EINVAL; a UUID, if given, must be valid (EINVAL) and becomes
 * SYNTH_UUID= (without one: SYNTH_UUID=0, as kobject_synth_uevent sends),
 * further KEY=value words SYNTH_ARG_KEY=value.  The event goes through the dispatcher (devev.h) with the
 * device's current driver.
 */
static const char *const actions[] = {
	[APV_DEVEV_ADD] = "add",       [APV_DEVEV_REMOVE] = "remove",
	[APV_DEVEV_CHANGE] = "change", [APV_DEVEV_MOVE] = "move",
	[APV_DEVEV_ONLINE] = "online", [APV_DEVEV_OFFLINE] = "offline",
	[APV_DEVEV_BIND] = "bind",     [APV_DEVEV_UNBIND] = "unbind",
};

/* The action of "<word>[ ...]", its length in *n; -1 if unknown. */
static int uevent_action(const char *buf, size_t len, size_t *n)
{
	*n = 0;
	len = strnlen(buf, len);
	while (*n < len && buf[*n] != ' ' && buf[*n] != '\n')
		(*n)++;
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (strlen(actions[i]) == *n && !memcmp(buf, actions[i], *n))
			return (int)i;
	return -1;
}

bool apv_uevent_action_valid(const char *buf, size_t len)
{
	size_t n;

	return uevent_action(buf, len, &n) >= 0;
}

int apv_sysfs_uevent_store(struct actx *c, const char *buf, size_t len)
{
	char uuid[APV_UUID_STRLEN + 1] = "", name[APV_APQN_STRLEN];
	char argbuf[256];
	const char *args = NULL;
	size_t args_len = 0;
	uint8_t bin[16];
	const char *drv = NULL, *who = NULL;
	unsigned int apid = 0, apqi = 0;
	enum apv_devev_kind kind;
	size_t n;
	int a = uevent_action(buf, len, &n);

	if (a < 0)
		return apv_sysfs_fail(c, -EINVAL, APV_RULE_SYNTAX,
				      "unknown uevent action");
	len = strnlen(buf, len);
	while (len > n && buf[len - 1] == '\n')
		len--;
	if (n < len) {
		/* kobject_action_args: a UUID first, then KEY=value args
		 * (keys alphanumeric), separated by single spaces */
		const char *arg = buf + n + 1;
		size_t al = len - n - 1;

		if (al < APV_UUID_STRLEN ||
		    (al > APV_UUID_STRLEN && arg[APV_UUID_STRLEN] != ' ') ||
		    apv_uuid_parse(arg, APV_UUID_STRLEN, bin))
			goto bad_args;
		memcpy(uuid, arg, APV_UUID_STRLEN);
		uuid[APV_UUID_STRLEN] = '\0';
		if (al > APV_UUID_STRLEN + 1) {
			args = arg + APV_UUID_STRLEN + 1;
			args_len = al - APV_UUID_STRLEN - 1;
			if (args_len >= sizeof(argbuf))
				goto bad_args;
			memcpy(argbuf, args, args_len);
			argbuf[args_len] = '\0';
			for (const char *t = argbuf; *t;) {
				const char *k = t;

				while (*t && *t != '=' && *t != ' ')
					if (!isalnum((unsigned char)*t++))
						goto bad_args;
				if (*t != '=' || t == k)
					goto bad_args;
				while (*t && *t != ' ')
					t++;
				if (*t == ' ')
					t++;
			}
			args = argbuf;
		}
	}
	switch (c->obj->kind) {
	case APV_OBJ_CARD:
		kind = APV_DEVEV_CARD;
		apid = c->card->id;
		snprintf(name, sizeof(name), "card%02x", apid);
		who = name;
		drv = c->card->driver ? c->card->driver->name : NULL;
		break;
	case APV_OBJ_QUEUE:
		kind = APV_DEVEV_QUEUE;
		apid = apv_apqn_apid(c->q->apqn);
		apqi = apv_apqn_apqi(c->q->apqn);
		who = apv_apqn_str(c->q->apqn, name);
		drv = c->q->driver ? c->q->driver->name : NULL;
		break;
	case APV_OBJ_MATRIX:
		kind = APV_DEVEV_MATRIX;
		who = "matrix";
		drv = "vfio_ap";
		break;
	case APV_OBJ_MDEV:
		kind = APV_DEVEV_MDEV;
		who = c->mdev->name;
		drv = "vfio_ap_mdev";
		break;
	case APV_OBJ_ZCDN:
		kind = APV_DEVEV_ZCDN;
		who = c->zcdn->name;
		break;
	default:
		return 0; /* no device of the model: nobody to announce */
	}
	if (APV_DEVEV_ON(c->host))
		apv_devev_synth_slow(
			c->host, (enum apv_devev_action)a, kind, who, apid,
			apqi, kind == APV_DEVEV_MDEV ? c->mdev->uuid : NULL,
			drv, uuid[0] ? uuid : "0", args);
	return 0;
bad_args:
	return apv_sysfs_fail(c, -EINVAL, APV_RULE_SYNTAX,
			      "incorrect uevent action arguments");
}

int apv_devev_uevent(struct apv_host *host, const struct apv_devev *ev,
		     struct apv_strbuf *sb)
{
	const struct apv_sysfs_table *t = NULL;
	struct apv_obj obj = {0};
	struct actx c = {.host = host, .obj = &obj};

	apv_assert_locked(host);
	switch (ev->kind) {
	case APV_DEVEV_BUS:
		return 0;
	case APV_DEVEV_CARD:
		obj = apv_obj_card(ev->apid);
		c.card = apv_bus_card(host, ev->apid);
		t = c.card ? &apv_sysfs_card : NULL;
		break;
	case APV_DEVEV_QUEUE:
		obj = apv_obj_queue(APV_APQN(ev->apid, ev->apqi));
		c.q = apv_bus_queue(host, obj.apqn);
		c.card = c.q ? c.q->card : NULL;
		t = c.q ? &apv_sysfs_queue : NULL;
		break;
	case APV_DEVEV_MATRIX:
		obj = apv_obj_matrix();
		t = host->vfio.loaded ? &apv_sysfs_matrix : NULL;
		break;
	case APV_DEVEV_MDEV:
		if (!ev->uuid)
			return -ENOENT;
		obj = apv_obj_mdev(ev->uuid);
		c.mdev = host->vfio.loaded ?
				 apv_vfio_find_mdev(host, ev->uuid) :
				 NULL;
		t = c.mdev ? &apv_sysfs_mdev : NULL;
		break;
	case APV_DEVEV_ZCDN:
		obj.kind = APV_OBJ_ZCDN;
		c.zcdn = ev->name ? apv_zcdn_find_locked(host, ev->name) : NULL;
		t = c.zcdn ? &apv_sysfs_zcdn : NULL;
		break;
	}
	if (!t)
		return -ENOENT;
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->defs[i].name, "uevent") && t->defs[i].show) {
			c.attr = "uevent";
			return t->defs[i].show(&c, sb);
		}
	return 0;
}

int apv_sysfs_uevent_mode(struct apv_strbuf *sb, const struct apv_card *card)
{
	uint32_t f = card->functions;

	if (f & APV_FUNC_ACCEL)
		return apv_sb_puts(sb, "MODE=accel\n");
	if (f & APV_FUNC_CCA)
		return apv_sb_puts(sb, "MODE=cca\n");
	if (f & APV_FUNC_EP11)
		return apv_sb_puts(sb, "MODE=ep11\n");
	return 0;
}

int apv_sysfs_uevent_driver(struct apv_strbuf *sb, const struct apv_driver *drv)
{
	return drv ? apv_sb_printf(sb, "DRIVER=%s\n", drv->name) : 0;
}
