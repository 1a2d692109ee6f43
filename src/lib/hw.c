// SPDX-License-Identifier: MIT
/*
 * The machine: adapters installed in the CEC, the LPAR's AP configuration
 * (what QCI reports) and the answers of the queue instructions the host
 * kernel issues (TAPQ, RAPQ, ZAPQ).  Hardware events change this state and
 * then let the AP bus scan, as a real host does on the configuration-change
 * notification.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

static unsigned int hw_max_apid(const struct apv_host *host)
{
	return host->hw.cfg.apxa ? host->hw.cfg.na : 63;
}

static unsigned int hw_max_apqi(const struct apv_host *host)
{
	return host->hw.cfg.apxa ? host->hw.cfg.nd : 15;
}

uint32_t apv_hw_functions(const struct apv_host *host,
			  const struct apv_hw_adapter *ad)
{
	uint32_t f = ad->spec.functions;

	if (f)
		return f;
	switch (ad->spec.mode) {
	case APV_MODE_ACCEL:
		f = APV_FUNC_ACCEL;
		if (ad->spec.type >= APV_TYPE_CEX4)
			f |= APV_FUNC_MEX4K | APV_FUNC_CRT4K;
		break;
	case APV_MODE_CCA:
		/* a CEX7C reports 0x92000000 (real-tools-abi.md §2) */
		f = APV_FUNC_APSC | APV_FUNC_CCA;
		break;
	case APV_MODE_EP11:
		/* a CEX7P reports 0x86800000: bit 8 is set as well */
		f = APV_FUNC_APSC | APV_FUNC_EP11 | APV_FUNC_EP11_BIT8;
		break;
	}
	if (host->hw.cfg.apxa)
		f |= APV_FUNC_APXA;
	return f;
}

static struct apv_hw_queue *hw_queue(struct apv_host *host, apv_apqn q)
{
	struct apv_hw_adapter *ad = &host->hw.ad[apv_apqn_apid(q)];

	return ad->installed ? &ad->q[apv_apqn_apqi(q)] : NULL;
}

/* In the configuration: adapter in APM and installed, domain in AQM. */
static bool hw_available(const struct apv_host *host, apv_apqn q)
{
	unsigned int a = apv_apqn_apid(q), d = apv_apqn_apqi(q);

	return host->hw.ad[a].installed && apv_bm_test(&host->hw.apm, a) &&
	       apv_bm_test(&host->hw.aqm, d) && a <= hw_max_apid(host) &&
	       d <= hw_max_apqi(host);
}

uint32_t apv_hw_tapq_locked(struct apv_host *host, apv_apqn q, bool t,
			    uint64_t *info)
{
	const struct apv_hw_adapter *ad = &host->hw.ad[apv_apqn_apid(q)];
	const struct apv_hw_queue *hq;
	uint32_t flags = APV_QS_EMPTY;
	unsigned int rc = APV_RC_NORMAL;
	uint64_t gr2;

	*info = 0;
	if (!hw_available(host, q))
		return apv_qs_make(APV_RC_Q_NOT_AVAIL, 0);
	hq = &ad->q[apv_apqn_apqi(q)];
	if (ad->chkstop)
		rc = APV_RC_CHECKSTOPPED;
	else if (!ad->configured)
		rc = APV_RC_DECONFIGURED;
	if (hq->irq)
		flags |= APV_QS_IRQ;
	gr2 = (uint64_t)(ad->spec.type & 0xff) << 24;
	gr2 |= (uint64_t)(host->hw.cfg.nd & 0xff) << 16;
	gr2 |= (uint64_t)(ad->spec.ml & 0x0f) << 8;
	gr2 |= (uint64_t)((ad->spec.qd ? ad->spec.qd : 7) & 0x0f);
	if (t)
		gr2 |= (uint64_t)apv_hw_functions(host, ad) << 32;
	*info = gr2;
	return apv_qs_make(rc, flags);
}

static void hw_zeroize(struct apv_hw_queue *hq)
{
	hq->irq = false;
	hq->isc = 0;
	hq->nib = 0;
	hq->zeroized++;
}

uint32_t apv_hw_zapq_locked(struct apv_host *host, apv_apqn q)
{
	const struct apv_hw_adapter *ad = &host->hw.ad[apv_apqn_apid(q)];

	host->stats.zapq++;
	if (!hw_available(host, q))
		return apv_qs_make(APV_RC_Q_NOT_AVAIL, 0);
	if (ad->chkstop)
		return apv_qs_make(APV_RC_CHECKSTOPPED, APV_QS_EMPTY);
	if (!ad->configured)
		return apv_qs_make(APV_RC_DECONFIGURED, APV_QS_EMPTY);
	hw_zeroize(hw_queue(host, q));
	return apv_qs_make(APV_RC_NORMAL, APV_QS_EMPTY);
}

uint32_t apv_hw_rapq_locked(struct apv_host *host, apv_apqn q)
{
	const struct apv_hw_adapter *ad = &host->hw.ad[apv_apqn_apid(q)];
	struct apv_hw_queue *hq;

	/* a plain reset: not a ZAPQ, and nothing is zeroized */
	if (!hw_available(host, q))
		return apv_qs_make(APV_RC_Q_NOT_AVAIL, 0);
	if (ad->chkstop)
		return apv_qs_make(APV_RC_CHECKSTOPPED, APV_QS_EMPTY);
	if (!ad->configured)
		return apv_qs_make(APV_RC_DECONFIGURED, APV_QS_EMPTY);
	hq = hw_queue(host, q);
	/* RAPQ disables interruptions like ZAPQ does */
	hq->irq = false;
	hq->isc = 0;
	hq->nib = 0;
	return apv_qs_make(APV_RC_NORMAL, APV_QS_EMPTY);
}

void apv_hw_qci_locked(struct apv_host *host, struct apv_qci *out)
{
	const struct apv_host_config *c = &host->hw.cfg;

	memset(out, 0, sizeof(*out));
	out->available = c->qci;
	if (!c->qci)
		return;
	out->apsc = c->apsc;
	out->apxa = c->apxa;
	out->qact = c->qact;
	out->rc8a = c->rc8a;
	out->na = c->na;
	out->nd = c->nd;
	out->apm = host->hw.apm;
	out->aqm = host->hw.aqm;
	out->adm = host->hw.adm;
}

uint64_t apv_hw_queue_zeroized(struct apv_host *host, apv_apqn q)
{
	const struct apv_hw_queue *hq;
	uint64_t n;

	apv_lock(host);
	hq = hw_queue(host, q);
	n = hq ? hq->zeroized : 0;
	apv_unlock(host);
	return n;
}

void apv_hw_qci(struct apv_host *host, struct apv_qci *out)
{
	apv_lock(host);
	apv_hw_qci_locked(host, out);
	apv_unlock(host);
}

int apv_hw_adapter_state(struct apv_host *host, unsigned int apid,
			 struct apv_adapter_state *out)
{
	const struct apv_hw_adapter *ad;
	int rc = 0;

	apv_reason_clear();
	if (apid >= APV_MAX_IDS)
		return apv_fail(-ENODEV, APV_RULE_RANGE,
				"adapter id %u is out of range", apid);
	apv_lock(host);
	ad = &host->hw.ad[apid];
	if (!ad->installed) {
		rc = apv_fail(-ENODEV, APV_RULE_NO_DEVICE,
			      "adapter %02x is not installed", apid);
	} else {
		out->spec = ad->spec;
		out->in_config = apv_bm_test(&host->hw.apm, apid);
		out->configured = ad->configured;
		out->chkstop = ad->chkstop;
		out->functions = apv_hw_functions(host, ad);
	}
	apv_unlock(host);
	return rc;
}

/* Validate an adapter spec against the machine's limits. */
int apv_hw_check_spec(const struct apv_host_config *cfg,
		      const struct apv_adapter_spec *s)
{
	unsigned int max = cfg->apxa ? cfg->na : 63;

	if (s->id > max) {
		apv_fail(-EINVAL, APV_RULE_RANGE,
			 "adapter id %u is above the highest APID %u", s->id,
			 max);
		apv_reason_id(s->id);
		return -EINVAL;
	}
	if (s->type < 1 || s->type > 255)
		return apv_fail(-EINVAL, APV_RULE_SYNTAX,
				"adapter %02x: type %d is not an AP type",
				s->id, s->type);
	if (s->mode > APV_MODE_EP11)
		return apv_fail(-EINVAL, APV_RULE_SYNTAX,
				"adapter %02x: unknown mode %d", s->id,
				(int)s->mode);
	if (s->qd > 15 || s->ml > 15)
		return apv_fail(-EINVAL, APV_RULE_RANGE,
				"adapter %02x: qd and ml are 4-bit fields",
				s->id);
	return 0;
}

void apv_hw_install_locked(struct apv_host *host,
			   const struct apv_adapter_spec *s)
{
	struct apv_hw_adapter *ad = &host->hw.ad[s->id];

	ad->installed = true;
	ad->spec = *s;
	ad->configured = !s->standby;
	ad->chkstop = false;
	for (unsigned int d = 0; d < APV_MAX_IDS; d++)
		hw_zeroize(&ad->q[d]);
	apv_bm_set(&host->hw.apm, s->id);
}

static int hw_finish(struct apv_host *host, unsigned int flags)
{
	if (!(flags & APV_EV_NOSCAN))
		apv_bus_scan_locked(host);
	apv_unlock(host);
	return 0;
}

int apv_hw_adapter_add(struct apv_host *host,
		       const struct apv_adapter_spec *spec, unsigned int flags)
{
	int rc;

	apv_reason_clear();
	apv_lock(host);
	rc = apv_hw_check_spec(&host->hw.cfg, spec);
	if (rc) {
		apv_unlock(host);
		return rc;
	}
	if (apv_bm_test(&host->hw.apm, spec->id)) {
		apv_unlock(host);
		return apv_fail(-EEXIST, APV_RULE_EXISTS,
				"adapter %02x is already in the configuration",
				spec->id);
	}
	apv_hw_install_locked(host, spec);
	return hw_finish(host, flags);
}

static int hw_adapter_lookup(struct apv_host *host, unsigned int apid,
			     bool want_in_config)
{
	if (apid >= APV_MAX_IDS || !host->hw.ad[apid].installed)
		return apv_fail(-ENODEV, APV_RULE_NO_DEVICE,
				"adapter %02x is not installed", apid);
	if (apv_bm_test(&host->hw.apm, apid) != want_in_config)
		return apv_fail(want_in_config ? -ENODEV : -EEXIST,
				want_in_config ? APV_RULE_NO_DEVICE :
						 APV_RULE_EXISTS,
				want_in_config ?
					"adapter %02x is not in the configuration" :
					"adapter %02x is already in the configuration",
				apid);
	return 0;
}

enum hw_adapter_op { HW_REMOVE, HW_RESTORE, HW_CONFIGURE, HW_CHECKSTOP };

/*
 * One adapter event under the lock: check that the adapter is installed
 * and in (or, to restore it, out of) the configuration, change the
 * machine, then let the bus scan unless APV_EV_NOSCAN.
 */
static int hw_adapter_event_locked(struct apv_host *host, unsigned int apid,
				   enum hw_adapter_op op, bool on,
				   unsigned int flags)
{
	struct apv_hw_adapter *ad;
	int rc;

	rc = hw_adapter_lookup(host, apid, op != HW_RESTORE);
	if (rc)
		return rc;
	ad = &host->hw.ad[apid];
	switch (op) {
	case HW_REMOVE:
		/* an adapter leaving the configuration loses its queues */
		apv_bm_clear(&host->hw.apm, apid);
		for (unsigned int d = 0; d < APV_MAX_IDS; d++)
			hw_zeroize(&ad->q[d]);
		break;
	case HW_RESTORE:
		apv_hw_install_locked(host, &ad->spec);
		break;
	case HW_CONFIGURE:
		/* configuring an adapter on resets all its queues */
		for (unsigned int d = 0; on && !ad->configured && d < APV_MAX_IDS;
		     d++)
			hw_zeroize(&ad->q[d]);
		ad->configured = on;
		break;
	case HW_CHECKSTOP:
		ad->chkstop = on;
		break;
	}
	if (!(flags & APV_EV_NOSCAN))
		apv_bus_scan_locked(host);
	return 0;
}

static int hw_adapter_event(struct apv_host *host, unsigned int apid,
			    enum hw_adapter_op op, bool on, unsigned int flags)
{
	int rc;

	apv_reason_clear();
	apv_lock(host);
	rc = hw_adapter_event_locked(host, apid, op, on, flags);
	apv_unlock(host);
	return rc;
}

int apv_hw_adapter_remove(struct apv_host *host, unsigned int apid,
			  unsigned int flags)
{
	return hw_adapter_event(host, apid, HW_REMOVE, false, flags);
}

int apv_hw_adapter_restore(struct apv_host *host, unsigned int apid,
			   unsigned int flags)
{
	return hw_adapter_event(host, apid, HW_RESTORE, false, flags);
}

int apv_hw_adapter_configure_locked(struct apv_host *host, unsigned int apid,
				    bool on, unsigned int flags)
{
	return hw_adapter_event_locked(host, apid, HW_CONFIGURE, on, flags);
}

int apv_hw_adapter_configure(struct apv_host *host, unsigned int apid,
			     bool on, unsigned int flags)
{
	return hw_adapter_event(host, apid, HW_CONFIGURE, on, flags);
}

int apv_hw_adapter_checkstop(struct apv_host *host, unsigned int apid,
			     bool on, unsigned int flags)
{
	return hw_adapter_event(host, apid, HW_CHECKSTOP, on, flags);
}

static int hw_domain_set(struct apv_host *host, struct apv_bitmap *mask,
			 unsigned int apqi, bool present, unsigned int flags)
{
	apv_reason_clear();
	apv_lock(host);
	if (apqi > hw_max_apqi(host)) {
		unsigned int max = hw_max_apqi(host);

		apv_unlock(host);
		apv_fail(-EINVAL, APV_RULE_RANGE,
			 "domain %u is above the highest APQI %u", apqi, max);
		apv_reason_id(apqi);
		return -EINVAL;
	}
	if (present) {
		apv_bm_set(mask, apqi);
	} else {
		apv_bm_clear(mask, apqi);
		/* a usage domain leaving the configuration loses its queues */
		for (unsigned int a = 0; mask == &host->hw.aqm && a < 256; a++)
			if (host->hw.ad[a].installed)
				hw_zeroize(&host->hw.ad[a].q[apqi]);
	}
	return hw_finish(host, flags);
}

int apv_hw_domain_set(struct apv_host *host, unsigned int apqi, bool present,
		      unsigned int flags)
{
	return hw_domain_set(host, &host->hw.aqm, apqi, present, flags);
}

int apv_hw_control_domain_set(struct apv_host *host, unsigned int apqi,
			      bool present, unsigned int flags)
{
	return hw_domain_set(host, &host->hw.adm, apqi, present, flags);
}
