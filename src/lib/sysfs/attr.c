// SPDX-License-Identifier: MIT
/*
 * The sysfs attribute layer (include/apvirt/attr.h): every file of
 * /sys/bus/ap, the card and queue devices, the AP drivers, the vfio_ap
 * matrix device, its mdev type and the mdevs, and the zcrypt class with its
 * custom device nodes, with the kernel's show format, store parsing and errno
 * (spec vfio-ap-semantics.md §1.3-§1.7.1, §2.1-§2.6, §2.9; real-tools-abi.md
 * §3.4 for zcrypt nodes).
 *
 * Every entry point takes host->lock, resolves the object (gone: -ENOENT)
 * and dispatches through a per-kind table of {name, mode, show, store,
 * visible}.  `visible` says whether the file exists right now (kernel
 * profile, bound driver).  Stores see the raw (buf, len) of one write(2);
 * like sysfs, a zero-length write succeeds without calling the store.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <apvirt/attr.h>
#include <apvirt/format.h>
#include <apvirt/parse.h>
#include <apvirt/zcdn.h>

#include "model.h"

#define POLL_TIMEOUT_MAX 120000000000ULL /* ns */

/* What a show/store works on: the resolved object, under host->lock. */
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

/* Refuse with a reason naming the file: "<path>/<attr>: <what>". */
static int afail(const struct actx *c, int err, enum apv_rule rule,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int afail(const struct actx *c, int err, enum apv_rule rule,
		 const char *fmt, ...)
{
	char what[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return apv_fail(err, rule, "%s/%s: %s", c->subject, c->attr, what);
}

static int show_int(struct apv_strbuf *sb, int v)
{
	return apv_sb_printf(sb, "%d\n", v);
}

static int show_bool(struct apv_strbuf *sb, bool v)
{
	return apv_sb_puts(sb, v ? "1\n" : "0\n");
}

/* sscanf("%d") of a 0/1 flag (card config/online, queue online). */
static int parse_01(struct actx *c, const char *buf, size_t len, bool *out)
{
	int v;

	if (apv_parse_int_dec_scanf(buf, len, &v) || (v != 0 && v != 1))
		return afail(c, -EINVAL, APV_RULE_SYNTAX, "expected 0 or 1");
	*out = v == 1;
	return 0;
}

static bool is_612(const struct actx *c)
{
	return !apv_is_61(c->host);
}

/*
 * Device `uevent` (RW 0644): show prints the device's uevent variables in
 * the driver core's order (DEVTYPE, DRIVER, then the bus's own); a store
 * asks for a synthetic uevent, which nobody listens to here, so only the
 * action word is checked (kobject_synth_uevent: -EINVAL otherwise).
 */
bool apv_uevent_action_valid(const char *buf, size_t len)
{
	static const char *const actions[] = {"add",	 "remove", "change",
					      "move",	 "online", "offline",
					      "bind",	 "unbind"};
	size_t n = 0;

	len = strnlen(buf, len);
	while (n < len && buf[n] != ' ' && buf[n] != '\n')
		n++;
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (strlen(actions[i]) == n && !memcmp(buf, actions[i], n))
			return true;
	return false;
}

static int uevent_store(struct actx *c, const char *buf, size_t len)
{
	if (apv_uevent_action_valid(buf, len))
		return 0;
	return afail(c, -EINVAL, APV_RULE_SYNTAX, "unknown uevent action");
}

/* MODE= of AP card and queue uevents, from the card's facility bits. */
static int uevent_mode(struct apv_strbuf *sb, const struct apv_card *card)
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

static int uevent_driver(struct apv_strbuf *sb, const struct apv_driver *drv)
{
	return drv ? apv_sb_printf(sb, "DRIVER=%s\n", drv->name) : 0;
}

/* ---- /sys/bus/ap ---------------------------------------------------- */

static int bus_ap_domain_show(struct actx *c, struct apv_strbuf *sb)
{
	return show_int(sb, c->host->bus.domain);
}

static int bus_ap_domain_store(struct actx *c, const char *buf, size_t len)
{
	const struct apv_bus *bus = &c->host->bus;
	int v;

	if (apv_parse_int_scanf(buf, len, &v))
		return afail(c, -EINVAL, APV_RULE_SYNTAX, "not a number");
	if (v < 0 || (unsigned int)v > bus->max_apqi) {
		afail(c, -EINVAL, APV_RULE_RANGE,
		      "domain %d is outside 0..%u (ap_max_domain_id)", v,
		      bus->max_apqi);
		if (v >= 0)
			apv_reason_id(v > 255 ? 255 : (unsigned int)v);
		return -EINVAL;
	}
	if (!apv_bm_test(&bus->aqmask, (unsigned int)v)) {
		afail(c, -EINVAL, APV_RULE_RANGE,
		      "domain %d (0x%02x) is not set in aqmask", v, v);
		apv_reason_id((unsigned int)v);
		apv_reason_mask(&bus->aqmask);
		return -EINVAL;
	}
	c->host->bus.domain = v;
	return 0;
}

enum qci_mask {
	QCI_APM,
	QCI_AQM,
	QCI_ADM
};

static int show_qci_mask(struct actx *c, struct apv_strbuf *sb,
			 enum qci_mask which)
{
	const struct apv_bus *bus = &c->host->bus;

	if (!bus->have_qci)
		return apv_sb_puts(sb, "not supported\n");
	return apv_fmt_mask(sb, which == QCI_APM ? &bus->qci.apm :
				which == QCI_AQM ? &bus->qci.aqm :
						   &bus->qci.adm);
}

static int bus_adm_show(struct actx *c, struct apv_strbuf *sb)
{
	return show_qci_mask(c, sb, QCI_ADM);
}

static int bus_aqm_show(struct actx *c, struct apv_strbuf *sb)
{
	return show_qci_mask(c, sb, QCI_AQM);
}

static int bus_apm_show(struct actx *c, struct apv_strbuf *sb)
{
	return show_qci_mask(c, sb, QCI_APM);
}

static int bus_interrupts_show(struct actx *c, struct apv_strbuf *sb)
{
	return show_bool(sb, c->host->bus.interrupts);
}

static int bus_config_time_show(struct actx *c, struct apv_strbuf *sb)
{
	return show_int(sb, c->host->bus.config_time);
}

static int bus_config_time_store(struct actx *c, const char *buf, size_t len)
{
	int v;

	if (apv_parse_int_dec_scanf(buf, len, &v))
		return afail(c, -EINVAL, APV_RULE_SYNTAX, "not a number");
	if (v < 5 || v > 120)
		return afail(c, -EINVAL, APV_RULE_RANGE,
			     "%d seconds is outside 5..120", v);
	c->host->bus.config_time = v;
	return 0;
}

static int bus_poll_thread_show(struct actx *c, struct apv_strbuf *sb)
{
	return show_bool(sb, c->host->bus.poll_thread);
}

static int bus_poll_thread_store(struct actx *c, const char *buf, size_t len)
{
	struct apv_bus *bus = &c->host->bus;
	bool on = false;

	if (apv_is_61(c->host)) {
		int v;

		if (apv_parse_int_dec_scanf(buf, len, &v))
			return afail(c, -EINVAL, APV_RULE_SYNTAX,
				     "not a number");
		on = v != 0;
	} else if (apv_parse_bool(buf, len, &on)) {
		return afail(c, -EINVAL, APV_RULE_SYNTAX, "not a boolean");
	}
	/* starting is a no-op success while adapter interrupts are used */
	bus->poll_thread = on && !bus->interrupts;
	return 0;
}

static int bus_poll_timeout_show(struct actx *c, struct apv_strbuf *sb)
{
	return apv_sb_printf(sb, "%llu\n", c->host->bus.poll_timeout);
}

static int bus_poll_timeout_store(struct actx *c, const char *buf, size_t len)
{
	unsigned long long v;
	int rc;

	if (apv_is_61(c->host)) {
		/* sscanf("%llu"): every failure is EINVAL; 1..120e9 */
		if (apv_parse_ullong_base(buf, len, 10, &v))
			return afail(c, -EINVAL, APV_RULE_SYNTAX,
				     "not a number");
		if (v < 1 || v > POLL_TIMEOUT_MAX)
			return afail(c, -EINVAL, APV_RULE_RANGE,
				     "%llu ns is outside 1..%llu", v,
				     POLL_TIMEOUT_MAX);
	} else {
		/* kstrtoull(base 0): EINVAL or ERANGE; 0..120e9 */
		rc = apv_parse_ullong_base(buf, len, 0, &v);
		if (rc)
			return afail(c, rc, APV_RULE_SYNTAX,
				     rc == -ERANGE ? "number too large" :
						     "not a number");
		if (v > POLL_TIMEOUT_MAX)
			return afail(c, -EINVAL, APV_RULE_RANGE,
				     "%llu ns is above %llu", v,
				     POLL_TIMEOUT_MAX);
	}
	c->host->bus.poll_timeout = v;
	return 0;
}

static int bus_max_domain_show(struct actx *c, struct apv_strbuf *sb)
{
	return show_int(sb, (int)c->host->bus.max_apqi);
}

static int bus_max_adapter_show(struct actx *c, struct apv_strbuf *sb)
{
	return show_int(sb, (int)c->host->bus.max_apid);
}

static int bus_apmask_show(struct actx *c, struct apv_strbuf *sb)
{
	return apv_fmt_mask(sb, &c->host->bus.apmask);
}

static int bus_aqmask_show(struct actx *c, struct apv_strbuf *sb)
{
	return apv_fmt_mask(sb, &c->host->bus.aqmask);
}

static int bus_apmask_store(struct actx *c, const char *buf, size_t len)
{
	return apv_bus_store_mask_locked(c->host, true, buf, len);
}

static int bus_aqmask_store(struct actx *c, const char *buf, size_t len)
{
	return apv_bus_store_mask_locked(c->host, false, buf, len);
}

static int bus_scans_show(struct actx *c, struct apv_strbuf *sb)
{
	return apv_sb_printf(sb, "%llu\n",
			     (unsigned long long)c->host->bus.scans);
}

static int bus_scans_store(struct actx *c, const char *buf, size_t len)
{
	/* any content: a synchronous rescan, ignored before the first scan */
	if (c->host->bus.scans > 0)
		apv_bus_scan_locked(c->host);
	return 0;
}

static int bus_bindings_show(struct actx *c, struct apv_strbuf *sb)
{
	const struct apv_bus *bus = &c->host->bus;
	bool complete = bus->scans > 0 && bus->nbound == bus->nqueues;

	return apv_sb_printf(sb, "%u/%u%s\n", bus->nbound, bus->nqueues,
			     complete ? " (complete)" : "");
}

static int bus_features_show(struct actx *c, struct apv_strbuf *sb)
{
	const struct apv_bus *bus = &c->host->bus;
	const struct apv_qci *q = &bus->qci;
	const struct {
		bool on;
		const char *name;
	} f[] = {
		{q->apsc, "APSC"}, {q->apxa, "APXA"}, {q->qact, "QACT"},
		{q->rc8a, "RC8A"}, {q->apsb, "APSB"},
	};
	char line[32] = "";
	size_t n = 0;

	for (size_t i = 0; bus->have_qci && i < sizeof(f) / sizeof(f[0]); i++)
		if (f[i].on)
			n += (size_t)snprintf(line + n, sizeof(line) - n,
					      "%s%s", n ? " " : "", f[i].name);
	return apv_sb_printf(sb, "%s\n", n ? line : "-");
}

static const struct adef bus_attrs[] = {
	{"ap_domain", APV_ATTR_RW, bus_ap_domain_show, bus_ap_domain_store,
	 NULL},
	{"ap_control_domain_mask", APV_ATTR_RO, bus_adm_show, NULL, NULL},
	{"ap_usage_domain_mask", APV_ATTR_RO, bus_aqm_show, NULL, NULL},
	{"ap_adapter_mask", APV_ATTR_RO, bus_apm_show, NULL, NULL},
	{"ap_interrupts", APV_ATTR_RO, bus_interrupts_show, NULL, NULL},
	{"config_time", APV_ATTR_RW, bus_config_time_show,
	 bus_config_time_store, NULL},
	{"poll_thread", APV_ATTR_RW, bus_poll_thread_show,
	 bus_poll_thread_store, NULL},
	{"poll_timeout", APV_ATTR_RW, bus_poll_timeout_show,
	 bus_poll_timeout_store, NULL},
	{"ap_max_domain_id", APV_ATTR_RO, bus_max_domain_show, NULL, NULL},
	{"ap_max_adapter_id", APV_ATTR_RO, bus_max_adapter_show, NULL, NULL},
	{"apmask", APV_ATTR_RW, bus_apmask_show, bus_apmask_store, NULL},
	{"aqmask", APV_ATTR_RW, bus_aqmask_show, bus_aqmask_store, NULL},
	{"scans", APV_ATTR_RW, bus_scans_show, bus_scans_store, NULL},
	{"bindings", APV_ATTR_RO, bus_bindings_show, NULL, NULL},
	{"features", APV_ATTR_RO, bus_features_show, NULL, is_612},
};

/* ---- cards ------------------------------------------------------------ */

static bool card_zcrypt(const struct actx *c)
{
	return c->card->driver != NULL;
}

static int card_hwtype_show(struct actx *c, struct apv_strbuf *sb)
{
	return show_int(sb, c->card->type);
}

static int card_raw_hwtype_show(struct actx *c, struct apv_strbuf *sb)
{
	return show_int(sb, c->card->raw_type);
}

static int card_depth_show(struct actx *c, struct apv_strbuf *sb)
{
	/* 6.1: the raw TAPQ qd field; 6.12: the real depth qd + 1 */
	return show_int(sb, (int)c->card->qd + (apv_is_61(c->host) ? 0 : 1));
}

static int card_functions_show(struct actx *c, struct apv_strbuf *sb)
{
	return apv_sb_printf(sb, "0x%08X\n", c->card->functions);
}

static int card_request_count_show(struct actx *c, struct apv_strbuf *sb)
{
	return apv_sb_printf(sb, "%llu\n",
			     (unsigned long long)c->card->request_count);
}

static int card_request_count_store(struct actx *c, const char *buf, size_t len)
{
	struct apv_card *card = c->card;

	card->request_count = 0;
	for (unsigned int d = 0; d < APV_MAX_IDS; d++)
		if (card->q[d])
			card->q[d]->request_count = 0;
	return 0;
}

/* No request is ever queued or pending in the model. */
static int show_zero(struct actx *c, struct apv_strbuf *sb)
{
	return apv_sb_puts(sb, "0\n");
}

static int card_modalias_show(struct actx *c, struct apv_strbuf *sb)
{
	return apv_sb_printf(sb, "ap:t%02X\n", (unsigned int)c->card->type);
}

static int card_config_show(struct actx *c, struct apv_strbuf *sb)
{
	return show_bool(sb, c->card->config);
}

static int card_config_store(struct actx *c, const char *buf, size_t len)
{
	struct apv_host *host = c->host;
	unsigned int apid = c->card->id;
	bool on = false;
	int rc;

	rc = parse_01(c, buf, len, &on);
	if (rc || on == c->card->config)
		return rc;
	/*
	 * SCLP (de)configure.  6.12 rescans on the configuration-change
	 * notification that follows (the card may be recreated: do not touch
	 * c->card afterwards); 6.1 only records the new state on the card,
	 * its queues follow at the next scan.
	 */
	rc = apv_hw_adapter_configure_locked(
		host, apid, on, apv_is_61(host) ? APV_EV_NOSCAN : 0);
	if (rc)
		return rc;
	if (apv_is_61(host))
		c->card->config = on;
	return 0;
}

static int card_chkstop_show(struct actx *c, struct apv_strbuf *sb)
{
	return show_bool(sb, c->card->chkstop);
}

static int card_max_msg_size_show(struct actx *c, struct apv_strbuf *sb)
{
	unsigned int ml = c->card->ml;

	return apv_sb_printf(sb, "%u\n", ml ? ml * 4096u : 12288u);
}

/* zcrypt card name: CEXn + A (accelerator) / C (CCA) / P (EP11). */
static int card_type_show(struct actx *c, struct apv_strbuf *sb)
{
	const struct apv_card *card = c->card;
	uint32_t f = card->functions;

	switch (card->type) {
	case APV_TYPE_CEX2A:
		return apv_sb_puts(sb, "CEX2A\n");
	case APV_TYPE_CEX2C:
		return apv_sb_puts(sb, "CEX2C\n");
	case APV_TYPE_CEX3A:
		return apv_sb_puts(sb, "CEX3A\n");
	case APV_TYPE_CEX3C:
		return apv_sb_puts(sb, "CEX3C\n");
	default:
		break;
	}
	return apv_sb_printf(sb, "CEX%d%s\n", card->type - APV_TYPE_CEX4 + 4,
			     (f & APV_FUNC_ACCEL) ? "A" :
			     (f & APV_FUNC_CCA)	  ? "C" :
			     (f & APV_FUNC_EP11)  ? "P" :
						    "");
}

/* zcrypt: online is shown as config && online */
static int card_online_show(struct actx *c, struct apv_strbuf *sb)
{
	return show_bool(sb, c->card->config && c->card->online);
}

static int card_online_store(struct actx *c, const char *buf, size_t len)
{
	struct apv_card *card = c->card;
	bool on = false;
	int rc;

	rc = parse_01(c, buf, len, &on);
	if (rc)
		return rc;
	if (on && !card->config) {
		afail(c, -ENODEV, APV_RULE_DECONFIGURED,
		      "card%02x is configured off", card->id);
		apv_reason_id(card->id);
		return -ENODEV;
	}
	card->online = on;
	/* the card's zcrypt queues follow */
	for (unsigned int d = 0; d < APV_MAX_IDS; d++) {
		struct apv_queue *q = card->q[d];

		if (q && q->driver && (q->driver->flags & APV_DRV_DEFAULT))
			q->online = on;
	}
	return 0;
}

static int card_uevent_show(struct actx *c, struct apv_strbuf *sb)
{
	const struct apv_card *card = c->card;
	int rc;

	rc = apv_sb_puts(sb, "DEVTYPE=ap_card\n");
	if (!rc)
		rc = uevent_driver(sb, card->driver);
	if (!rc)
		rc = apv_sb_printf(sb, "DEV_TYPE=%04X\nMODALIAS=ap:t%02X\n",
				   (unsigned int)card->type,
				   (unsigned int)card->type);
	return rc ? rc : uevent_mode(sb, card);
}

static const struct adef card_attrs[] = {
	{"hwtype", APV_ATTR_RO, card_hwtype_show, NULL, NULL},
	{"raw_hwtype", APV_ATTR_RO, card_raw_hwtype_show, NULL, NULL},
	{"depth", APV_ATTR_RO, card_depth_show, NULL, NULL},
	{"ap_functions", APV_ATTR_RO, card_functions_show, NULL, NULL},
	{"request_count", APV_ATTR_RW, card_request_count_show,
	 card_request_count_store, NULL},
	{"requestq_count", APV_ATTR_RO, show_zero, NULL, NULL},
	{"pendingq_count", APV_ATTR_RO, show_zero, NULL, NULL},
	{"modalias", APV_ATTR_RO, card_modalias_show, NULL, NULL},
	{"config", APV_ATTR_RW, card_config_show, card_config_store, NULL},
	{"chkstop", APV_ATTR_RO, card_chkstop_show, NULL, NULL},
	{"max_msg_size", APV_ATTR_RO, card_max_msg_size_show, NULL, NULL},
	{"type", APV_ATTR_RO, card_type_show, NULL, card_zcrypt},
	{"online", APV_ATTR_RW, card_online_show, card_online_store,
	 card_zcrypt},
	{"load", APV_ATTR_RO, show_zero, NULL, card_zcrypt},
	{"uevent", APV_ATTR_RW, card_uevent_show, uevent_store, NULL},
};

/* ---- queues ----------------------------------------------------------- */

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
		return afail(c, -EIO, APV_RULE_NO_DEVICE,
			     "TAPQ response code 0x%02x", apv_qs_rc(st));
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

	rc = parse_01(c, buf, len, &on);
	if (rc)
		return rc;
	apv_apqn_str(q->apqn, name);
	if (on && (!q->config || !q->card->config)) {
		afail(c, -ENODEV, APV_RULE_DECONFIGURED,
		      "%s %s is configured off", q->config ? "card" : "queue",
		      name);
		apv_reason_apqn(q->apqn);
		return -ENODEV;
	}
	if (on && !q->card->online) {
		afail(c, -EINVAL, APV_RULE_DECONFIGURED,
		      "card%02x is offline; set it online first", q->card->id);
		apv_reason_apqn(q->apqn);
		return -EINVAL;
	}
	q->online = on;
	return 0;
}

static int queue_status_show(struct actx *c, struct apv_strbuf *sb)
{
	enum apv_queue_status st;
	int rc = apv_vfio_queue_status_locked(c->host, c->q->apqn, &st);

	if (rc)
		return afail(c, rc, APV_RULE_NOT_BOUND,
			     "the queue is not bound to vfio_ap");
	return apv_sb_printf(sb, "%s\n", apv_queue_status_name(st));
}

static int queue_uevent_show(struct actx *c, struct apv_strbuf *sb)
{
	int rc = apv_sb_puts(sb, "DEVTYPE=ap_queue\n");

	if (!rc)
		rc = uevent_driver(sb, c->q->driver);
	return rc ? rc : uevent_mode(sb, c->card);
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
	{"uevent", APV_ATTR_RW, queue_uevent_show, uevent_store, NULL},
};

/* ---- AP drivers: driver-core bind / unbind (§1.7.1) ------------------- */

static int driver_bind_store(struct actx *c, const char *buf, size_t len)
{
	return apv_bus_bind_locked(c->host, c->drv->name, buf, len);
}

static int driver_unbind_store(struct actx *c, const char *buf, size_t len)
{
	return apv_bus_unbind_locked(c->host, c->drv->name, buf, len);
}

static const struct adef driver_attrs[] = {
	{"bind", APV_ATTR_WO, NULL, driver_bind_store, NULL},
	{"unbind", APV_ATTR_WO, NULL, driver_unbind_store, NULL},
};

/* ---- the matrix device ------------------------------------------------ */

static int matrix_features_show(struct actx *c, struct apv_strbuf *sb)
{
	return apv_sb_puts(sb, "guest_matrix hotplug ap_config\n");
}

/* the matrix device is bound to vfio_ap on the matrix bus */
static int matrix_uevent_show(struct actx *c, struct apv_strbuf *sb)
{
	return apv_sb_puts(sb, "DRIVER=vfio_ap\n");
}

static const struct adef matrix_attrs[] = {
	{"features", APV_ATTR_RO, matrix_features_show, NULL, is_612},
	{"uevent", APV_ATTR_RW, matrix_uevent_show, uevent_store, NULL},
};

/* ---- the mdev type ---------------------------------------------------- */

static int type_name_show(struct actx *c, struct apv_strbuf *sb)
{
	return apv_sb_puts(sb, "VFIO AP Passthrough Device\n");
}

static int type_device_api_show(struct actx *c, struct apv_strbuf *sb)
{
	return apv_sb_puts(sb, "vfio-ap\n");
}

static int type_available_show(struct actx *c, struct apv_strbuf *sb)
{
	return apv_sb_printf(sb, "%u\n", APV_MAX_MDEVS - c->host->vfio.n_mdevs);
}

static int type_create_store(struct actx *c, const char *buf, size_t len)
{
	uint8_t uuid[16];

	if (apv_parse_uuid(buf, len, uuid))
		return afail(c, -EINVAL, APV_RULE_SYNTAX,
			     "expected a UUID (36 characters, optionally "
			     "one more byte), got %zu bytes",
			     len);
	return apv_mdev_create_locked(c->host, uuid);
}

static const struct adef type_attrs[] = {
	{"name", APV_ATTR_RO, type_name_show, NULL, NULL},
	{"device_api", APV_ATTR_RO, type_device_api_show, NULL, NULL},
	{"available_instances", APV_ATTR_RO, type_available_show, NULL, NULL},
	{"create", APV_ATTR_WO, NULL, type_create_store, NULL},
};

/* ---- mdevs ------------------------------------------------------------ */

static int mdev_parse_id(struct actx *c, const char *buf, size_t len,
			 unsigned long *id)
{
	int rc = apv_parse_ulong(buf, len, id);

	if (rc)
		return afail(c, rc, APV_RULE_SYNTAX, "%s",
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
	return assign ? apv_mdev_assign_locked(c->host, c->mdev->uuid, what,
					       id) :
			apv_mdev_unassign_locked(c->host, c->mdev->uuid, what,
						 id);
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
		return afail(c, -EINVAL, APV_RULE_SYNTAX,
			     "expected <apm>,<aqm>,<adm> hex masks");
	return apv_mdev_set_ap_config_locked(c->host, c->mdev->uuid, &apm, &aqm,
					     &adm);
}

static int mdev_remove_store(struct actx *c, const char *buf, size_t len)
{
	unsigned long v;

	/* kstrtoul; any failure (ERANGE included) is EINVAL here */
	if (apv_parse_ulong(buf, len, &v))
		return afail(c, -EINVAL, APV_RULE_SYNTAX,
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
	{"uevent", APV_ATTR_RW, mdev_uevent_show, uevent_store, NULL},
};

/* ---- the zcrypt class and its device nodes (zcdn.c) ------------------ */

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
	while (e > b &&
	       (buf[e - 1] == ' ' || (buf[e - 1] >= '\t' && buf[e - 1] <= '\r')))
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
		return afail(c, -EINVAL, APV_RULE_SYNTAX,
			     "expected a 0x<hex> mask or +/- id list");
	*m = nm;
	return 0;
}

#define ZCDN_MASK_ATTR(fn, which)                                              \
	static int fn##_show(struct actx *c, struct apv_strbuf *sb)           \
	{                                                                      \
		return apv_fmt_mask(sb, zcdn_mask(c, which));                 \
	}                                                                      \
	static int fn##_store(struct actx *c, const char *buf, size_t len)    \
	{                                                                      \
		return zcdn_mask_store(c, which, buf, len);                   \
	}

ZCDN_MASK_ATTR(zcdn_apmask, ZM_AP)
ZCDN_MASK_ATTR(zcdn_aqmask, ZM_AQ)
ZCDN_MASK_ATTR(zcdn_admask, ZM_AD)
ZCDN_MASK_ATTR(zcdn_ioctlmask, ZM_IOCTL)

static const struct adef zcdn_attrs[] = {
	{"dev", APV_ATTR_RO, zcdn_dev_show, NULL, NULL},
	{"uevent", APV_ATTR_RW, zcdn_uevent_show, uevent_store, NULL},
	{"apmask", APV_ATTR_RW, zcdn_apmask_show, zcdn_apmask_store, NULL},
	{"aqmask", APV_ATTR_RW, zcdn_aqmask_show, zcdn_aqmask_store, NULL},
	{"admask", APV_ATTR_RW, zcdn_admask_show, zcdn_admask_store, NULL},
	{"ioctlmask", APV_ATTR_RW, zcdn_ioctlmask_show, zcdn_ioctlmask_store,
	 NULL},
};

/* ---- dispatch --------------------------------------------------------- */

#define TABLE(t)                                                               \
	{                                                                      \
		(t), sizeof(t) / sizeof((t)[0])                                \
	}

static const struct {
	const struct adef *defs;
	size_t n;
} tables[] = {
	[APV_OBJ_BUS] = TABLE(bus_attrs),
	[APV_OBJ_CARD] = TABLE(card_attrs),
	[APV_OBJ_QUEUE] = TABLE(queue_attrs),
	[APV_OBJ_DRIVER] = TABLE(driver_attrs),
	[APV_OBJ_MATRIX] = TABLE(matrix_attrs),
	[APV_OBJ_MDEV_TYPE] = TABLE(type_attrs),
	[APV_OBJ_MDEV] = TABLE(mdev_attrs),
	[APV_OBJ_ZCRYPT] = TABLE(zcrypt_attrs),
	[APV_OBJ_ZCDN] = TABLE(zcdn_attrs),
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

static bool present(const struct actx *c, const struct adef *d)
{
	return !d->visible || d->visible(c);
}

/* The attribute `name` of the resolved object; NULL and -ENOENT in *rc. */
static const struct adef *lookup(struct actx *c, const char *name, int *rc)
{
	const struct adef *defs = tables[c->obj->kind].defs;
	size_t n = tables[c->obj->kind].n;

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
	rc = resolve(host, obj, &c);
	if (!rc) {
		const struct adef *defs = tables[obj->kind].defs;

		for (size_t i = 0; i < tables[obj->kind].n; i++) {
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
	rc = resolve(host, obj, &c);
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
	rc = resolve(host, obj, &c);
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
	rc = resolve(host, obj, &c);
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
