// SPDX-License-Identifier: MIT
/*
 * One device event as systemd-udevd would broadcast it (udev_events.h,
 * ci-integration.md §4): ACTION, DEVPATH (below /sys, the device paths of
 * apsim's tree), SUBSYSTEM, the keys of the device's `uevent` file
 * (DEVTYPE first, then DRIVER, then the bus's own, as the driver core
 * prints them), the kernel's event variables (vfio-ap-semantics.md §1.4,
 * §1.6, §1.8: CONFIG=, ONLINE=, APMASK=/AQMASK= with the newline the
 * kernel puts in the value, BINDINGS=complete + COMPLETECOUNT=,
 * INITSCAN=done; the mdev core's MDEV_STATE=), SYNTH_UUID= of a synthetic
 * event, SEQNUM, and udevd's USEC_INITIALIZED.
 *
 * DRIVER follows the driver core: a device's add is sent before it is
 * probed and its unbind/remove after the driver let go, so those carry no
 * DRIVER; bind carries the new driver; change and synthetic events the
 * current one.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <apvirt/devev.h>
#include <apvirt/format.h>
#include <apvirt/strbuf.h>

#include "udev_events.h"

static const char *subsystem_of(enum apv_devev_kind k)
{
	switch (k) {
	case APV_DEVEV_BUS:
	case APV_DEVEV_CARD:
	case APV_DEVEV_QUEUE:
		return "ap"; /* the AP root device sits on the ap bus too */
	case APV_DEVEV_MATRIX:
		return "matrix";
	case APV_DEVEV_MDEV:
		return "mdev";
	case APV_DEVEV_ZCDN:
		return "zcrypt";
	}
	return "ap";
}

int apsim_udev_devpath(const struct apv_devev *ev, char *buf, size_t size)
{
	int n;

	switch (ev->kind) {
	case APV_DEVEV_BUS:
		n = snprintf(buf, size, "/devices/ap");
		break;
	case APV_DEVEV_CARD:
		n = snprintf(buf, size, "/devices/ap/card%02x", ev->apid);
		break;
	case APV_DEVEV_QUEUE:
		n = snprintf(buf, size, "/devices/ap/card%02x/%02x.%04x",
			     ev->apid, ev->apid, ev->apqi);
		break;
	case APV_DEVEV_MATRIX:
		n = snprintf(buf, size, "/devices/vfio_ap/matrix");
		break;
	case APV_DEVEV_MDEV:
		n = snprintf(buf, size, "/devices/vfio_ap/matrix/%s", ev->name);
		break;
	case APV_DEVEV_ZCDN:
		n = snprintf(buf, size, "/devices/virtual/zcrypt/%s", ev->name);
		break;
	default:
		n = -1;
	}
	return n < 0 || (size_t)n >= size ? -E2BIG : 0;
}

/* The value of KEY in "KEY=value\n" lines (length in *len), or NULL. */
static const char *key_in(const char *keys, const char *key, size_t *len)
{
	size_t kl = strlen(key);

	for (const char *l = keys; l && *l;) {
		const char *e = strchr(l, '\n');
		size_t ll = e ? (size_t)(e - l) : strlen(l);

		if (ll > kl && !memcmp(l, key, kl) && l[kl] == '=') {
			*len = ll - kl - 1;
			return l + kl + 1;
		}
		l += ll + (e ? 1 : 0);
	}
	return NULL;
}

static bool carries_driver(const struct apv_devev *ev)
{
	return ev->synthetic || ev->action == APV_DEVEV_CHANGE;
}

static int add_n(struct apsim_udev_msg *m, const char *key, const char *v,
		 size_t vl)
{
	char buf[512];

	if (vl >= sizeof(buf))
		return -E2BIG;
	memcpy(buf, v, vl);
	buf[vl] = '\0';
	return apsim_udev_msg_add(m, key, buf);
}

static int change_vars(struct apsim_udev_msg *m, const struct apv_devev *ev)
{
	struct apv_strbuf sb = APV_STRBUF_INIT;
	int rc;

	switch (ev->change) {
	case APV_DEVCHG_NONE:
		return 0;
	case APV_DEVCHG_CONFIG:
		return apsim_udev_msg_addf(m, "CONFIG", "%u",
					   (unsigned int)(ev->value != 0));
	case APV_DEVCHG_ONLINE:
		return apsim_udev_msg_addf(m, "ONLINE", "%u",
					   (unsigned int)(ev->value != 0));
	case APV_DEVCHG_APMASK:
	case APV_DEVCHG_AQMASK:
		if (!ev->mask)
			return 0;
		/* "0x<64 hex>\n": the kernel's value keeps its newline */
		rc = apv_fmt_mask(&sb, ev->mask);
		if (!rc)
			rc = apsim_udev_msg_add(
				m,
				ev->change == APV_DEVCHG_APMASK ? "APMASK" :
								  "AQMASK",
				apv_sb_str(&sb));
		apv_sb_free(&sb);
		return rc;
	case APV_DEVCHG_BINDINGS:
		rc = apsim_udev_msg_add(m, "BINDINGS", "complete");
		return rc ? rc :
			    apsim_udev_msg_addf(m, "COMPLETECOUNT", "%llu",
						(unsigned long long)ev->value);
	case APV_DEVCHG_INITSCAN:
		return apsim_udev_msg_add(m, "INITSCAN", "done");
	case APV_DEVCHG_REGISTERED:
		return apsim_udev_msg_add(m, "MDEV_STATE", "registered");
	case APV_DEVCHG_UNREGISTERED:
		return apsim_udev_msg_add(m, "MDEV_STATE", "unregistered");
	}
	return 0;
}

int apsim_udev_build(struct apsim_udev_msg *m, const struct apv_devev *ev,
		     const char *keys, uint64_t seqnum,
		     uint64_t usec_initialized)
{
	char devpath[128], devtype[64] = "";
	const char *sub = subsystem_of(ev->kind), *v;
	size_t vl;
	int rc;

	apsim_udev_msg_init(m);
	rc = apsim_udev_devpath(ev, devpath, sizeof(devpath));
	if (!rc)
		rc = apsim_udev_msg_add(m, "ACTION",
					apv_devev_action_name(ev->action));
	if (!rc)
		rc = apsim_udev_msg_add(m, "DEVPATH", devpath);
	if (!rc)
		rc = apsim_udev_msg_add(m, "SUBSYSTEM", sub);
	v = key_in(keys, "DEVTYPE", &vl);
	if (!rc && v && vl < sizeof(devtype)) {
		memcpy(devtype, v, vl);
		devtype[vl] = '\0';
		rc = apsim_udev_msg_add(m, "DEVTYPE", devtype);
	}
	if (!rc && ev->action == APV_DEVEV_BIND && !ev->synthetic && ev->driver)
		rc = apsim_udev_msg_add(m, "DRIVER", ev->driver);
	else if (!rc && carries_driver(ev) && (v = key_in(keys, "DRIVER", &vl)))
		rc = add_n(m, "DRIVER", v, vl);
	/* the rest of the uevent file, in its order */
	for (const char *l = keys; !rc && l && *l;) {
		const char *e = strchr(l, '\n');
		size_t ll = e ? (size_t)(e - l) : strlen(l);
		const char *eq = memchr(l, '=', ll);

		if (eq && !(eq - l == 7 && !memcmp(l, "DEVTYPE", 7)) &&
		    !(eq - l == 6 && !memcmp(l, "DRIVER", 6))) {
			char key[64];
			size_t kl = (size_t)(eq - l);

			if (kl >= sizeof(key))
				return -E2BIG;
			memcpy(key, l, kl);
			key[kl] = '\0';
			rc = add_n(m, key, eq + 1, ll - kl - 1);
		}
		l += ll + (e ? 1 : 0);
	}
	if (!rc)
		rc = change_vars(m, ev);
	if (!rc && ev->synthetic && ev->synth_uuid)
		rc = apsim_udev_msg_add(m, "SYNTH_UUID", ev->synth_uuid);
	/* "A=1 B=x" -> SYNTH_ARG_A=1, SYNTH_ARG_B=x */
	for (const char *t = ev->synthetic ? ev->synth_args : NULL;
	     !rc && t && *t;) {
		const char *eq = strchr(t, '='), *sp;
		char key[80];

		if (!eq)
			break;
		sp = strchr(eq, ' ');
		if ((size_t)(eq - t) + 10 >= sizeof(key))
			return -E2BIG;
		snprintf(key, sizeof(key), "SYNTH_ARG_%.*s", (int)(eq - t), t);
		rc = add_n(m, key, eq + 1,
			   sp ? (size_t)(sp - eq - 1) : strlen(eq + 1));
		t = sp ? sp + 1 : NULL;
	}
	if (!rc)
		rc = apsim_udev_msg_addf(m, "SEQNUM", "%llu",
					 (unsigned long long)seqnum);
	if (!rc)
		rc = apsim_udev_msg_addf(m, "USEC_INITIALIZED", "%llu",
					 (unsigned long long)usec_initialized);
	if (rc)
		return rc;
	apsim_udev_msg_finish(m, sub, devtype[0] ? devtype : NULL);
	return 0;
}
