// SPDX-License-Identifier: MIT
/* The attributes of /sys/bus/ap (spec vfio-ap-semantics.md §1.3, §1.6). */
#include <errno.h>
#include <stdio.h>

#include <apvirt/format.h>
#include <apvirt/parse.h>

#include "model.h"
#include "sysfs_int.h"

#define POLL_TIMEOUT_MAX 120000000000ULL /* ns */

static int bus_ap_domain_show(struct actx *c, struct apv_strbuf *sb)
{
	return show_int(sb, c->host->bus.domain);
}

static int bus_ap_domain_store(struct actx *c, const char *buf, size_t len)
{
	const struct apv_bus *bus = &c->host->bus;
	int v;

	if (apv_parse_int_scanf(buf, len, &v))
		return apv_sysfs_fail(c, -EINVAL, APV_RULE_SYNTAX,
				      "not a number");
	if (v < 0 || (unsigned int)v > bus->max_apqi) {
		apv_sysfs_fail(c, -EINVAL, APV_RULE_RANGE,
			       "domain %d is outside 0..%u (ap_max_domain_id)",
			       v, bus->max_apqi);
		if (v >= 0)
			apv_reason_id(v > 255 ? 255 : (unsigned int)v);
		return -EINVAL;
	}
	if (!apv_bm_test(&bus->aqmask, (unsigned int)v)) {
		apv_sysfs_fail(c, -EINVAL, APV_RULE_RANGE,
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
		return apv_sysfs_fail(c, -EINVAL, APV_RULE_SYNTAX,
				      "not a number");
	if (v < 5 || v > 120)
		return apv_sysfs_fail(c, -EINVAL, APV_RULE_RANGE,
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
			return apv_sysfs_fail(c, -EINVAL, APV_RULE_SYNTAX,
					      "not a number");
		on = v != 0;
	} else if (apv_parse_bool(buf, len, &on)) {
		return apv_sysfs_fail(c, -EINVAL, APV_RULE_SYNTAX,
				      "not a boolean");
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
			return apv_sysfs_fail(c, -EINVAL, APV_RULE_SYNTAX,
					      "not a number");
		if (v < 1 || v > POLL_TIMEOUT_MAX)
			return apv_sysfs_fail(c, -EINVAL, APV_RULE_RANGE,
					      "%llu ns is outside 1..%llu", v,
					      POLL_TIMEOUT_MAX);
	} else {
		/* kstrtoull(base 0): EINVAL or ERANGE; 0..120e9 */
		rc = apv_parse_ullong_base(buf, len, 0, &v);
		if (rc)
			return apv_sysfs_fail(c, rc, APV_RULE_SYNTAX,
					      rc == -ERANGE ?
						      "number too large" :
						      "not a number");
		if (v > POLL_TIMEOUT_MAX)
			return apv_sysfs_fail(c, -EINVAL, APV_RULE_RANGE,
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

const struct apv_sysfs_table apv_sysfs_bus = APV_SYSFS_TABLE(bus_attrs);
