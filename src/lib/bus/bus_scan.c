// SPDX-License-Identifier: MIT
/*
 * One AP bus scan (spec §1.8): compare QCI, tell the drivers about a
 * configuration change, create/remove/update card and queue devices, and
 * tell the drivers the scan is complete.
 */
#include <string.h>

#include "bus_int.h"
#include "../host_int.h"
#include "../machine/machine.h"

/* TAPQ response codes that mean "the APQN exists, GR2 is valid". */
static bool info_valid(const struct apv_host *host, uint32_t st)
{
	switch (apv_qs_rc(st)) {
	case APV_RC_NORMAL:
	case APV_RC_RESET_IN_PROGRESS:
	case APV_RC_DECONFIGURED:
	case APV_RC_CHECKSTOPPED:
	case APV_RC_BUSY:
		return true;
	default:
		return !apv_is_61(host) && (st & APV_QS_ASYNC);
	}
}

static bool qci_equal(const struct apv_qci *a, const struct apv_qci *b)
{
	return a->available == b->available && a->apsc == b->apsc &&
	       a->apxa == b->apxa && a->qact == b->qact &&
	       a->rc8a == b->rc8a && a->apsb == b->apsb && a->na == b->na &&
	       a->nd == b->nd && apv_bm_equal(&a->apm, &b->apm) &&
	       apv_bm_equal(&a->aqm, &b->aqm) && apv_bm_equal(&a->adm, &b->adm);
}

static bool adapter_configured(const struct apv_host *host, unsigned int a)
{
	return !host->bus.have_qci || apv_bm_test(&host->bus.qci.apm, a);
}

static bool domain_configured(const struct apv_host *host, unsigned int d)
{
	return !host->bus.have_qci || apv_bm_test(&host->bus.qci.aqm, d);
}

static void select_domain(struct apv_host *host)
{
	struct apv_bus *bus = &host->bus;
	uint64_t info;

	if (bus->domain >= 0)
		return;
	for (unsigned int d = 0; d <= bus->max_apqi; d++) {
		if (!apv_bm_test(&bus->aqmask, d) || !domain_configured(host, d))
			continue;
		for (unsigned int a = 0; a <= bus->max_apid; a++) {
			if (!adapter_configured(host, a))
				continue;
			if (apv_qs_rc(apv_hw_tapq_locked(host, APV_APQN(a, d),
							 true, &info)) == 0) {
				bus->domain = (int)d;
				return;
			}
		}
	}
}

static void scan_queues(struct apv_host *host, struct apv_card *c)
{
	struct apv_bus *bus = &host->bus;
	uint64_t info;

	for (unsigned int d = 0; d <= bus->max_apqi; d++) {
		struct apv_queue *q = c->q[d];
		uint32_t st;

		if (!domain_configured(host, d)) {
			if (q)
				apv_bus_queue_destroy_locked(host, q);
			continue;
		}
		st = apv_hw_tapq_locked(host, APV_APQN(c->id, d), true, &info);
		if (!info_valid(host, st)) {
			if (q)
				apv_bus_queue_destroy_locked(host, q);
			continue;
		}
		bool fresh = !q, config;

		if (!q)
			q = apv_bus_queue_create_locked(host, c, d);
		if (!q)
			continue; /* out of memory: retried next scan */
		config = apv_qs_rc(st) != APV_RC_DECONFIGURED;
		if (!fresh && q->config != config)
			apv_devev_queue(host, APV_DEVEV_CHANGE, q->apqn,
					q->driver ? q->driver->name : NULL,
					APV_DEVCHG_CONFIG, config);
		q->config = config;
		q->chkstop = apv_qs_rc(st) == APV_RC_CHECKSTOPPED;
	}
}

static void scan_adapter(struct apv_host *host, unsigned int a)
{
	struct apv_bus *bus = &host->bus;
	struct apv_card *c = bus->cards[a];
	uint64_t info = 0;
	uint32_t st = 0;
	bool found = false, fresh, config;
	int type;

	if (adapter_configured(host, a)) {
		for (unsigned int d = 0; d <= bus->max_apqi && !found; d++) {
			if (!domain_configured(host, d))
				continue;
			st = apv_hw_tapq_locked(host, APV_APQN(a, d), true,
						&info);
			found = info_valid(host, st) && info;
		}
	}
	type = found ? apv_bus_compatible_type(host, (int)APV_INFO_TYPE(info))
		     : 0;
	if (!found || !type) {
		if (c)
			apv_bus_card_destroy_locked(host, c);
		return;
	}
	if (c && c->hwinfo != card_hwinfo(info)) {
		apv_bus_card_destroy_locked(host, c);
		c = NULL;
	}
	fresh = !c;
	if (!c)
		c = apv_bus_card_create_locked(host, a, info, type);
	if (!c)
		return;
	config = apv_qs_rc(st) != APV_RC_DECONFIGURED;
	if (!fresh && c->config != config)
		apv_devev_card(host, APV_DEVEV_CHANGE, a,
			       c->driver ? c->driver->name : NULL,
			       APV_DEVCHG_CONFIG, config);
	c->config = config;
	c->chkstop = apv_qs_rc(st) == APV_RC_CHECKSTOPPED;
	scan_queues(host, c);
}

void apv_bus_scan_locked(struct apv_host *host)
{
	struct apv_bus *bus = &host->bus;
	struct apv_qci old = bus->qci, cur;
	bool changed = false;

	apv_assert_locked(host);
	apv_hw_qci_locked(host, &cur);
	if (cur.available) {
		changed = bus->have_qci && !qci_equal(&old, &cur);
		bus->qci = cur;
		bus->have_qci = true;
	}
	if (changed) {
		for (unsigned int i = 0; i < bus->n_drivers; i++)
			if (bus->drivers[i]->on_config_changed)
				bus->drivers[i]->on_config_changed(host, &cur,
								   &old);
	}
	select_domain(host);
	for (unsigned int a = 0; a <= bus->max_apid; a++)
		scan_adapter(host, a);
	if (changed) {
		for (unsigned int i = 0; i < bus->n_drivers; i++)
			if (bus->drivers[i]->on_scan_complete)
				bus->drivers[i]->on_scan_complete(host, &cur,
								  &old);
	}
	bus->scans++;
	host->stats.scans++;
	if (bus->scans == 1) {
		/* the first scan is done: INITSCAN=done, then maybe all
		 * devices are bound already (spec §1.7) */
		apv_devev_named(host, APV_DEVEV_CHANGE, APV_DEVEV_BUS, "ap",
				NULL, NULL, APV_DEVCHG_INITSCAN, 0, NULL);
		apv_bus_check_complete_locked(host);
	}
}
