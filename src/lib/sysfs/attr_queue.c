// SPDX-License-Identifier: MIT
/* An AP queue device, /sys/devices/ap/cardXX/XX.YYYY (§1.5; status §2.5). */
#include <errno.h>
#include <stdint.h>

#include <apvirt/format.h>

#include "model.h"
#include "sysfs_int.h"

static bool queue_zcrypt(const struct actx *c)
{
	return c->q->driver && (c->q->driver->flags & APV_DRV_DEFAULT);
}

static bool queue_vfio(const struct actx *c)
{
	return c->q->driver == &apv_vfio_ap_driver;
}

static int queue_request_count_show(struct actx *c, struct apv_strbuf *sb)
{
	if (c->q->sm == APV_QSM_UNINIT)
		return apv_sb_puts(sb, "-\n");
	return apv_sb_printf(sb, "%llu\n",
			     (unsigned long long)c->q->request_count);
}

static int queue_request_count_store(struct actx *c, const char *buf,
				     size_t len)
{
	c->q->request_count = 0;
	return 0;
}

static int queue_reset_show(struct actx *c, struct apv_strbuf *sb)
{
	/* a queue never driven by the bus sits in RESET_START */
	if (c->q->sm == APV_QSM_UNINIT)
		return apv_sb_puts(sb, "Reset in progress.\n");
	return apv_sb_puts(sb, "No Reset Timer set.\n");
}

static int queue_reset_store(struct actx *c, const char *buf, size_t len)
{
	struct apv_queue *q = c->q;

	/* the state machine does not run for uninitiated or offline queues */
	if (q->sm == APV_QSM_UNINIT || !q->config || q->chkstop)
		return 0;
	apv_bus_queue_restart_locked(c->host, q);
	return 0;
}

static int queue_interrupt_show(struct actx *c, struct apv_strbuf *sb)
{
	bool on = c->q->bus_irq;

	if (!apv_is_61(c->host)) {
		uint64_t info;

		/* 6.12 asks the machine */
		on = apv_hw_tapq_locked(c->host, c->q->apqn, false, &info) &
		     APV_QS_IRQ;
	}
	return apv_sb_puts(sb, on ? "Interrupts enabled.\n" :
				    "Interrupts disabled.\n");
}

static int queue_config_show(struct actx *c, struct apv_strbuf *sb)
{
	return show_bool(sb, c->q->config);
}

static int queue_chkstop_show(struct actx *c, struct apv_strbuf *sb)
{
	return show_bool(sb, c->q->chkstop);
}

static int queue_functions_show(struct actx *c, struct apv_strbuf *sb)
{
	uint64_t info;
	uint32_t st = apv_hw_tapq_locked(c->host, c->q->apqn, true, &info);

	if (apv_qs_rc(st) > APV_RC_BUSY)
		return apv_sysfs_fail(c, -EIO, APV_RULE_NO_DEVICE,
				      "TAPQ response code 0x%02x",
				      apv_qs_rc(st));
	return apv_sb_printf(sb, "0x%08X\n", APV_INFO_FUNC(info));
}

static int queue_online_show(struct actx *c, struct apv_strbuf *sb)
{
	return show_bool(sb, c->q->config && c->q->online);
}

static int queue_online_store(struct actx *c, const char *buf, size_t len)
{
	struct apv_queue *q = c->q;
	char name[APV_APQN_STRLEN];
	bool on = false;
	int rc;

	rc = apv_sysfs_parse_01(c, buf, len, &on);
	if (rc)
		return rc;
	apv_apqn_str(q->apqn, name);
	if (on && (!q->config || !q->card->config)) {
		apv_sysfs_fail(c, -ENODEV, APV_RULE_DECONFIGURED,
			       "%s %s is configured off",
			       q->config ? "card" : "queue", name);
		apv_reason_apqn(q->apqn);
		return -ENODEV;
	}
	if (on && !q->card->online) {
		apv_sysfs_fail(c, -EINVAL, APV_RULE_DECONFIGURED,
			       "card%02x is offline; set it online first",
			       q->card->id);
		apv_reason_apqn(q->apqn);
		return -EINVAL;
	}
	q->online = on;
	/* zcrypt_queue_online_store: ONLINE= on the queue, always */
	apv_devev_queue(c->host, APV_DEVEV_CHANGE, q->apqn,
			q->driver ? q->driver->name : NULL, APV_DEVCHG_ONLINE,
			on);
	return 0;
}

static int queue_status_show(struct actx *c, struct apv_strbuf *sb)
{
	enum apv_queue_status st;
	int rc = apv_vfio_queue_status_locked(c->host, c->q->apqn, &st);

	if (rc)
		return apv_sysfs_fail(c, rc, APV_RULE_NOT_BOUND,
				      "the queue is not bound to vfio_ap");
	return apv_fmt_queue_status(sb, st);
}

static int queue_uevent_show(struct actx *c, struct apv_strbuf *sb)
{
	int rc = apv_sb_puts(sb, "DEVTYPE=ap_queue\n");

	if (!rc)
		rc = apv_sysfs_uevent_driver(sb, c->q->driver);
	return rc ? rc : apv_sysfs_uevent_mode(sb, c->card);
}

static const struct adef queue_attrs[] = {
	{"request_count", APV_ATTR_RW, queue_request_count_show,
	 queue_request_count_store, NULL},
	{"requestq_count", APV_ATTR_RO, show_zero, NULL, NULL},
	{"pendingq_count", APV_ATTR_RO, show_zero, NULL, NULL},
	{"reset", APV_ATTR_RW, queue_reset_show, queue_reset_store, NULL},
	{"interrupt", APV_ATTR_RO, queue_interrupt_show, NULL, NULL},
	{"config", APV_ATTR_RO, queue_config_show, NULL, NULL},
	{"chkstop", APV_ATTR_RO, queue_chkstop_show, NULL, NULL},
	{"ap_functions", APV_ATTR_RO, queue_functions_show, NULL, is_612},
	{"online", APV_ATTR_RW, queue_online_show, queue_online_store,
	 queue_zcrypt},
	{"load", APV_ATTR_RO, show_zero, NULL, queue_zcrypt},
	{"status", APV_ATTR_RO, queue_status_show, NULL, queue_vfio},
	{"uevent", APV_ATTR_RW, queue_uevent_show, apv_sysfs_uevent_store,
	 NULL},
};

const struct apv_sysfs_table apv_sysfs_queue = APV_SYSFS_TABLE(queue_attrs);
