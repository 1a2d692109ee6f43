// SPDX-License-Identifier: MIT
/*
 * The machine: adapters installed in the CEC, the LPAR's AP configuration
 * (what QCI reports) and the answers of the queue instructions the host
 * kernel issues (TAPQ, RAPQ, ZAPQ).  Hardware events change this state and
 * then announce the configuration change through the one hook the AP bus
 * registers (the kernel's ap_bus_cfg_chg()), which scans.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <apvirt/engine.h>

#include "../host_int.h"
#include "machine.h"

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
bool apv_hw_available(const struct apv_host *host, apv_apqn q)
{
	unsigned int a = apv_apqn_apid(q), d = apv_apqn_apqi(q);

	return host->hw.ad[a].installed && apv_bm_test(&host->hw.apm, a) &&
	       apv_bm_test(&host->hw.aqm, d) && a <= hw_max_apid(host) &&
	       d <= hw_max_apqi(host);
}

static uint32_t hw_flags(const struct apv_hw_adapter *ad,
			 const struct apv_hw_queue *hq);

static uint64_t hw_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * UINT64_C(1000000000) +
	       (uint64_t)ts.tv_nsec;
}

/*
 * A guest's reset still in progress?  Checked lazily at every access: the
 * first access after the deadline ends it (no timer).
 */
static bool hw_resetting(struct apv_hw_queue *hq)
{
	if (!hq->reset_until)
		return false;
	if (hw_now_ns() < hq->reset_until)
		return true;
	hq->reset_until = 0;
	return false;
}

uint32_t apv_hw_tapq_locked(struct apv_host *host, apv_apqn q, bool t,
			    uint64_t *info)
{
	const struct apv_hw_adapter *ad = &host->hw.ad[apv_apqn_apid(q)];
	struct apv_hw_queue *hq;
	uint32_t flags;
	unsigned int rc = APV_RC_NORMAL;
	uint64_t gr2;

	apv_assert_locked(host);
	*info = 0;
	if (!apv_hw_available(host, q))
		return apv_qs_make(APV_RC_Q_NOT_AVAIL, 0);
	hq = &ad->q[apv_apqn_apqi(q)];
	if (ad->chkstop)
		rc = APV_RC_CHECKSTOPPED;
	else if (!ad->configured)
		rc = APV_RC_DECONFIGURED;
	else if (hw_resetting(hq))
		rc = APV_RC_RESET_IN_PROGRESS; /* GR2 info stays valid */
	flags = hw_flags(ad, hq);
	gr2 = (uint64_t)(ad->spec.type & 0xff) << 24;
	gr2 |= (uint64_t)(host->hw.cfg.nd & 0xff) << 16;
	gr2 |= (uint64_t)(ad->spec.ml & 0x0f) << 8;
	gr2 |= (uint64_t)((ad->spec.qd ? ad->spec.qd : 7) & 0x0f);
	if (t)
		gr2 |= (uint64_t)apv_hw_functions(host, ad) << 32;
	*info = gr2;
	return apv_qs_make(rc, flags);
}

/* ---- the request/reply store (the engine seam) ---------------------- */

unsigned int apv_hw_depth(const struct apv_hw_adapter *ad)
{
	/* the queue is full with QD + 1 entries (ap-architecture.md §1.6) */
	return (ad->spec.qd ? ad->spec.qd : 7) + 1;
}

size_t apv_hw_max_msg(const struct apv_hw_adapter *ad)
{
	return ad->spec.ml ? (size_t)ad->spec.ml * 4096 : 12288;
}

/*
 * Entries occupied: requests waiting or in an engine, replies not fully
 * dequeued, and a multi-part message in progress.
 */
static unsigned int hw_entries(const struct apv_hw_queue *hq)
{
	return hq->nreq + hq->inflight + hq->nrep + (hq->part ? 1 : 0);
}

static uint32_t hw_flags(const struct apv_hw_adapter *ad,
			 const struct apv_hw_queue *hq)
{
	uint32_t f = 0;

	if (!hw_entries(hq))
		f |= APV_QS_EMPTY;
	if (hq->nrep)
		f |= APV_QS_REPLIES;
	if (hw_entries(hq) >= apv_hw_depth(ad))
		f |= APV_QS_FULL;
	if (hq->irq)
		f |= APV_QS_IRQ;
	return f;
}

static void msg_list_free(struct apv_ap_msg **head)
{
	while (*head) {
		struct apv_ap_msg *m = *head;

		*head = m->next;
		free(m);
	}
}

/*
 * Drop every request and reply and a multi-part message in progress:
 * nothing produced before a reset is ever delivered after it.  The epoch
 * lets a worker whose engine ran outside the lock recognise a reply for a
 * queue that was reset meanwhile.  Every reset goes through here, so a
 * reset by the host also ends a guest's reset in progress.  The queue may
 * stay on the host's run queue: workers skip queues without requests.
 */
static void hw_discard(struct apv_hw_queue *hq)
{
	msg_list_free(&hq->req);
	msg_list_free(&hq->rep);
	free(hq->part);
	hq->part = NULL;
	hq->req_tail = &hq->req;
	hq->rep_tail = &hq->rep;
	hq->nreq = 0;
	hq->nrep = 0;
	hq->inflight = 0;
	hq->reset_until = 0;
	hq->epoch++;
}

void apv_hw_msg_append(struct apv_ap_msg **head, struct apv_ap_msg ***tail,
		       struct apv_ap_msg *m)
{
	if (!*head)
		*tail = head;
	m->next = NULL;
	**tail = m;
	*tail = &m->next;
}

struct apv_ap_msg *apv_hw_msg_pop(struct apv_ap_msg **head,
				  struct apv_ap_msg ***tail)
{
	struct apv_ap_msg *m = *head;

	if (m) {
		*head = m->next;
		if (!*head)
			*tail = head;
	}
	return m;
}

void apv_host_set_engine(struct apv_host *host,
			 const struct apv_engine_ops *ops)
{
	apv_lock(host);
	if (ops)
		host->engine = *ops;
	else
		memset(&host->engine, 0, sizeof(host->engine));
	apv_unlock(host);
}

/*
 * Make an adapter interruption pending: the NIB first, then the ISC, then
 * tell the party running the guest.
 */
void apv_hw_notify_locked(struct apv_host *host, struct apv_hw_queue *hq)
{
	apv_assert_locked(host);
	if (!hq->irq || !hq->irq_sink)
		return;
	(void)hq->irq_sink->post(hq->irq_sink, hq->nib, hq->isc & 7u);
}

/* The machine's answer for an APQN that exists: 00, 03 or 04. */
unsigned int apv_hw_queue_rc(const struct apv_hw_adapter *ad)
{
	if (ad->chkstop)
		return APV_RC_CHECKSTOPPED;
	if (!ad->configured)
		return APV_RC_DECONFIGURED;
	return APV_RC_NORMAL;
}

/*
 * The answer of NQAP and DQAP before they look at messages: 00, 03, 04,
 * then 02 for a guest reset in progress, then 05 while the queue is busy
 * (which uses up one of its busy answers).
 */
static unsigned int hw_io_rc(const struct apv_hw_adapter *ad,
			     struct apv_hw_queue *hq)
{
	unsigned int rc = apv_hw_queue_rc(ad);

	if (!rc && hw_resetting(hq))
		rc = APV_RC_RESET_IN_PROGRESS;
	if (!rc && hq->busy) {
		hq->busy--;
		rc = APV_RC_BUSY;
	}
	return rc;
}

/* Enqueue a complete message and let the adapter have it. */
static uint32_t hw_enqueue(struct apv_host *host, struct apv_hw_adapter *ad,
			   struct apv_hw_queue *hq, struct apv_ap_msg *m)
{
	apv_hw_msg_append(&hq->req, &hq->req_tail, m);
	hq->nreq++;
	apv_hw_schedule_locked(host, hq);
	return apv_qs_make(APV_RC_NORMAL, hw_flags(ad, hq));
}

/*
 * NQAP.  Without a message in progress an execution starts one (queue
 * full and APSC are checked then; the PSMID and the special bit are the
 * first part's); with one in progress the PSMID must be its PSMID (else
 * RC 13 and nothing changes).  The bytes are appended (RC 15 and the
 * message dropped when they exceed the card's maximum); at the end of the
 * last part the message is enqueued.
 */
uint32_t apv_hw_nqap_locked(struct apv_host *host, apv_apqn q, uint64_t psmid,
			    bool special, const uint8_t *msg, size_t len,
			    enum apv_nqap_end end)
{
	struct apv_hw_adapter *ad = &host->hw.ad[apv_apqn_apid(q)];
	struct apv_hw_queue *hq;
	struct apv_ap_msg *m;
	unsigned int rc;
	size_t max;

	apv_assert_locked(host);
	if (!apv_hw_available(host, q))
		return apv_qs_make(APV_RC_Q_NOT_AVAIL, 0);
	hq = hw_queue(host, q);
	rc = hw_io_rc(ad, hq);
	if (rc)
		return apv_qs_make(rc, hw_flags(ad, hq));
	max = apv_hw_max_msg(ad);
	m = hq->part;
	if (m && m->psmid != psmid)
		return apv_qs_make(APV_RC_NO_FIRST_PART, hw_flags(ad, hq));
	if (!m) {
		if (hw_entries(hq) >= apv_hw_depth(ad))
			return apv_qs_make(APV_RC_Q_FULL, hw_flags(ad, hq));
		if (special && !(apv_hw_functions(host, ad) & APV_FUNC_APSC))
			return apv_qs_make(APV_RC_REQ_FAC_NOT_INST,
					   hw_flags(ad, hq));
		if (len > max)
			return apv_qs_make(APV_RC_MESSAGE_TOO_BIG,
					   hw_flags(ad, hq));
		/* a whole message in one execution: exactly its size */
		m = malloc(sizeof(*m) + (end == APV_NQAP_LAST ? len : max));
		if (!m)
			return apv_qs_make(APV_RC_BUSY, hw_flags(ad, hq));
		m->psmid = psmid;
		m->special = special;
		m->len = 0;
		m->off = 0;
		if (end != APV_NQAP_LAST)
			hq->part = m;
	} else if (len > max - m->len) {
		free(m);
		hq->part = NULL;
		return apv_qs_make(APV_RC_MESSAGE_TOO_BIG, hw_flags(ad, hq));
	}
	memcpy(m->data + m->len, msg, len);
	m->len += len;
	if (end != APV_NQAP_LAST)
		return apv_qs_make(APV_RC_NORMAL, hw_flags(ad, hq));
	if (hq->part) {
		/* keep only what the message needs */
		struct apv_ap_msg *small = realloc(m, sizeof(*m) + m->len);

		hq->part = NULL;
		if (small)
			m = small;
	}
	return hw_enqueue(host, ad, hq, m);
}

const struct apv_ap_msg *apv_hw_dqap_peek_locked(struct apv_host *host,
						 apv_apqn q,
						 uint32_t *status)
{
	struct apv_hw_adapter *ad = &host->hw.ad[apv_apqn_apid(q)];
	struct apv_hw_queue *hq;
	unsigned int rc;

	apv_assert_locked(host);
	if (!apv_hw_available(host, q)) {
		*status = apv_qs_make(APV_RC_Q_NOT_AVAIL, 0);
		return NULL;
	}
	hq = hw_queue(host, q);
	rc = hw_io_rc(ad, hq);
	if (!rc && !hq->rep)
		rc = APV_RC_NO_PENDING_REPLY;
	*status = apv_qs_make(rc, hw_flags(ad, hq));
	return rc ? NULL : hq->rep;
}

uint32_t apv_hw_dqap_consume_locked(struct apv_host *host, apv_apqn q,
				    size_t n)
{
	struct apv_hw_adapter *ad = &host->hw.ad[apv_apqn_apid(q)];
	struct apv_hw_queue *hq = hw_queue(host, q);
	struct apv_ap_msg *m = hq->rep;

	apv_assert_locked(host);
	m->off += n;
	if (m->off >= m->len) {
		free(apv_hw_msg_pop(&hq->rep, &hq->rep_tail));
		hq->nrep--;
	}
	return apv_qs_make(APV_RC_NORMAL, hw_flags(ad, hq));
}

uint32_t apv_hw_aqic_locked(struct apv_host *host, apv_apqn q, bool enable,
			    unsigned int isc, uint64_t nib,
			    struct apv_airq_sink *sink)
{
	struct apv_hw_adapter *ad = &host->hw.ad[apv_apqn_apid(q)];
	struct apv_hw_queue *hq;
	unsigned int rc;

	apv_assert_locked(host);
	if (!apv_hw_available(host, q))
		return apv_qs_make(APV_RC_Q_NOT_AVAIL, 0);
	hq = hw_queue(host, q);
	rc = apv_hw_queue_rc(ad);
	if (!rc && hq->irq == enable)
		rc = APV_RC_OTHERWISE_CHANGED;
	if (rc)
		return apv_qs_make(rc, hw_flags(ad, hq));
	hq->irq = enable;
	hq->isc = enable ? (uint8_t)(isc & 7) : 0;
	hq->nib = enable ? nib : 0;
	hq->irq_sink = enable ? sink : NULL;
	/* replies already waiting are announced right away */
	if (enable && hq->nrep)
		apv_hw_notify_locked(host, hq);
	return apv_qs_make(APV_RC_NORMAL, hw_flags(ad, hq));
}

void apv_hw_forget_sink_locked(struct apv_host *host,
			       struct apv_airq_sink *sink)
{
	apv_assert_locked(host);
	for (unsigned int a = 0; a < APV_MAX_IDS; a++) {
		struct apv_hw_adapter *ad = &host->hw.ad[a];

		for (unsigned int d = 0; ad->q && d < APV_MAX_IDS; d++) {
			if (ad->q[d].irq_sink == sink) {
				ad->q[d].irq = false;
				ad->q[d].irq_sink = NULL;
				ad->q[d].nib = 0;
				ad->q[d].isc = 0;
			}
		}
	}
}

void apv_hw_discard_all_locked(struct apv_host *host)
{
	apv_assert_locked(host);
	for (unsigned int a = 0; a < APV_MAX_IDS; a++)
		for (unsigned int d = 0; host->hw.ad[a].q && d < APV_MAX_IDS;
		     d++)
			hw_discard(&host->hw.ad[a].q[d]);
}

static void hw_zeroize(struct apv_hw_queue *hq)
{
	hw_discard(hq);
	hq->irq_sink = NULL;
	hq->irq = false;
	hq->isc = 0;
	hq->nib = 0;
	hq->zeroized++;
}

uint32_t apv_hw_zapq_locked(struct apv_host *host, apv_apqn q)
{
	const struct apv_hw_adapter *ad = &host->hw.ad[apv_apqn_apid(q)];

	apv_assert_locked(host);
	host->stats.zapq++;
	if (!apv_hw_available(host, q))
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

	apv_assert_locked(host);
	/* a plain reset: not a ZAPQ, and nothing is zeroized */
	if (!apv_hw_available(host, q))
		return apv_qs_make(APV_RC_Q_NOT_AVAIL, 0);
	if (ad->chkstop)
		return apv_qs_make(APV_RC_CHECKSTOPPED, APV_QS_EMPTY);
	if (!ad->configured)
		return apv_qs_make(APV_RC_DECONFIGURED, APV_QS_EMPTY);
	hq = hw_queue(host, q);
	/* RAPQ discards all requests and replies and disables
	 * interruptions like ZAPQ does */
	hw_discard(hq);
	hq->irq_sink = NULL;
	hq->irq = false;
	hq->isc = 0;
	hq->nib = 0;
	return apv_qs_make(APV_RC_NORMAL, APV_QS_EMPTY);
}

uint32_t apv_hw_guest_reset_locked(struct apv_host *host, apv_apqn q,
				   bool zeroize)
{
	uint32_t st = zeroize ? apv_hw_zapq_locked(host, q) :
				apv_hw_rapq_locked(host, q);
	uint64_t delay = host->hw.reset_delay_ns;

	apv_assert_locked(host);
	if (!apv_qs_rc(st) && delay) {
		uint64_t now = hw_now_ns();

		hw_queue(host, q)->reset_until =
			now + delay > now ? now + delay : UINT64_MAX;
	}
	return st;
}

void apv_host_set_reset_delay(struct apv_host *host, uint64_t ns)
{
	apv_lock(host);
	host->hw.reset_delay_ns = ns;
	apv_unlock(host);
}

int apv_hw_queue_busy(struct apv_host *host, apv_apqn q, unsigned int count)
{
	char name[APV_APQN_STRLEN];
	int rc = 0;

	apv_reason_clear();
	apv_lock(host);
	if (apv_hw_available(host, q))
		hw_queue(host, q)->busy = count;
	else
		rc = apv_fail(-ENODEV, APV_RULE_NO_DEVICE,
			      "queue %s is not in the configuration",
			      apv_apqn_str(q, name));
	apv_unlock(host);
	return rc;
}

void apv_hw_qci_locked(struct apv_host *host, struct apv_qci *out)
{
	const struct apv_host_config *c = &host->hw.cfg;

	apv_assert_locked(host);
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

int apv_hw_queue_counts(struct apv_host *host, apv_apqn q,
			unsigned int *requests, unsigned int *replies)
{
	const struct apv_hw_queue *hq;

	apv_lock(host);
	hq = hw_queue(host, q);
	*requests = hq ? hq->nreq + hq->inflight + (hq->part ? 1 : 0) : 0;
	*replies = hq ? hq->nrep : 0;
	apv_unlock(host);
	return hq ? 0 : -ENODEV;
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

	apv_assert_locked(host);
	ad->installed = true;
	ad->spec = *s;
	ad->configured = !s->standby;
	ad->chkstop = false;
	for (unsigned int d = 0; d < APV_MAX_IDS; d++) {
		hw_zeroize(&ad->q[d]);
		ad->q[d].apqn = APV_APQN(s->id, d);
	}
	apv_bm_set(&host->hw.apm, s->id);
}

void apv_hw_set_cfg_chg_locked(struct apv_host *host,
			       void (*fn)(struct apv_host *host))
{
	apv_assert_locked(host);
	host->hw.cfg_chg = fn;
}

/* After a hardware event: the configuration-change notification. */
static void hw_cfg_chg_locked(struct apv_host *host, unsigned int flags)
{
	apv_assert_locked(host);
	if (!(flags & APV_EV_NOSCAN) && host->hw.cfg_chg)
		host->hw.cfg_chg(host);
}

static int hw_finish(struct apv_host *host, unsigned int flags)
{
	hw_cfg_chg_locked(host, flags);
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
 * machine, then announce the configuration change (the bus scans) unless
 * APV_EV_NOSCAN.
 */
static int hw_adapter_event_locked(struct apv_host *host, unsigned int apid,
				   enum hw_adapter_op op, bool on,
				   unsigned int flags)
{
	struct apv_hw_adapter *ad;
	int rc;

	apv_assert_locked(host);
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
		/* an adapter going off loses the work in its queues */
		for (unsigned int d = 0; !on && ad->configured && d < APV_MAX_IDS;
		     d++)
			hw_discard(&ad->q[d]);
		ad->configured = on;
		break;
	case HW_CHECKSTOP:
		/* so does a check-stopped one */
		for (unsigned int d = 0; on && !ad->chkstop && d < APV_MAX_IDS;
		     d++)
			hw_discard(&ad->q[d]);
		ad->chkstop = on;
		break;
	}
	hw_cfg_chg_locked(host, flags);
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
	apv_assert_locked(host);
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
