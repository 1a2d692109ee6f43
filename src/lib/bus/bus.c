// SPDX-License-Identifier: MIT
/*
 * AP bus devices and drivers: card and queue devices, the default zcrypt
 * drivers, the probe rule of the reservation masks, driver-core bind and
 * unbind, and the queries the attribute layer needs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apvirt/bus.h>

#include "bus_int.h"
#include "../host_int.h"
#include "../machine/machine.h"

/* ---- the default (zcrypt) drivers ------------------------------------ */

static bool match_cex4(const struct apv_host *host, int type)
{
	return type >= APV_TYPE_CEX4 && type <= APV_TYPE_CEX8;
}

static bool match_cex2a(const struct apv_host *host, int type)
{
	return apv_is_61(host) &&
	       (type == APV_TYPE_CEX2A || type == APV_TYPE_CEX3A);
}

static bool match_cex2c(const struct apv_host *host, int type)
{
	return apv_is_61(host) &&
	       (type == APV_TYPE_CEX2C || type == APV_TYPE_CEX3C);
}

void apv_bus_queue_restart_locked(struct apv_host *host, struct apv_queue *q)
{
	apv_assert_locked(host);
	/* the bus state machine starts with a plain reset (RAPQ) ... */
	(void)apv_hw_rapq_locked(host, q->apqn);
	q->sm = APV_QSM_IDLE;
	q->bus_irq = false;
	/* ... and enables interruptions when the host has them */
	if (host->bus.interrupts) {
		struct apv_hw_adapter *ad = &host->hw.ad[apv_apqn_apid(q->apqn)];

		if (ad->installed && ad->configured && !ad->chkstop) {
			ad->q[apv_apqn_apqi(q->apqn)].irq = true;
			q->bus_irq = true;
		}
	}
}

static int zcrypt_queue_probe(struct apv_host *host, struct apv_queue *q)
{
	apv_bus_queue_restart_locked(host, q);
	q->online = true;
	return 0;
}

static void zcrypt_queue_remove(struct apv_host *host, struct apv_queue *q)
{
	q->online = false;
}

static int zcrypt_card_probe(struct apv_host *host, struct apv_queue *q)
{
	return 0;
}

#define ZCRYPT_QUEUE_DRIVER(n, m)                                            \
	{                                                                    \
		.name = (n), .flags = APV_DRV_DEFAULT, .match = (m),         \
		.probe = zcrypt_queue_probe, .remove = zcrypt_queue_remove,  \
	}
#define ZCRYPT_CARD_DRIVER(n, m)                                             \
	{                                                                    \
		.name = (n), .flags = APV_DRV_DEFAULT | APV_DRV_CARD,        \
		.match = (m), .probe = zcrypt_card_probe,                    \
	}

static const struct apv_driver zcrypt_drivers[] = {
	ZCRYPT_CARD_DRIVER("cex4card", match_cex4),
	ZCRYPT_QUEUE_DRIVER("cex4queue", match_cex4),
	ZCRYPT_CARD_DRIVER("cex2acard", match_cex2a),
	ZCRYPT_QUEUE_DRIVER("cex2aqueue", match_cex2a),
	ZCRYPT_CARD_DRIVER("cex2ccard", match_cex2c),
	ZCRYPT_QUEUE_DRIVER("cex2cqueue", match_cex2c),
};

/* ---- bus setup ------------------------------------------------------ */

void apv_bus_register_driver_locked(struct apv_host *host,
				    const struct apv_driver *drv)
{
	struct apv_bus *bus = &host->bus;

	apv_assert_locked(host);
	if (bus->n_drivers < APV_MAX_DRIVERS)
		bus->drivers[bus->n_drivers++] = drv;
}

int apv_bus_init_locked(struct apv_host *host)
{
	struct apv_bus *bus = &host->bus;
	const struct apv_host_config *cfg = &host->hw.cfg;
	size_t n = apv_is_61(host) ? 6 : 2;

	apv_assert_locked(host);
	bus->max_apid = 63;
	bus->max_apqi = 15;
	if (cfg->qci && cfg->apxa) {
		if (cfg->na)
			bus->max_apid = cfg->na;
		if (cfg->nd)
			bus->max_apqi = cfg->nd;
	}
	bus->domain = -1;
	bus->config_time = 30;
	bus->poll_timeout = 250000;
	bus->interrupts = cfg->irq;
	apv_hw_qci_locked(host, &bus->qci);
	bus->have_qci = bus->qci.available;
	for (size_t i = 0; i < n; i++)
		apv_bus_register_driver_locked(host, &zcrypt_drivers[i]);
	/* the machine's configuration changes reach the bus as a scan */
	apv_hw_set_cfg_chg_locked(host, apv_bus_scan_locked);
	return 0;
}

void apv_bus_fini_locked(struct apv_host *host)
{
	apv_assert_locked(host);
	apv_hw_set_cfg_chg_locked(host, NULL);
	for (unsigned int a = 0; a < APV_MAX_IDS; a++)
		if (host->bus.cards[a])
			apv_bus_card_destroy_locked(host, host->bus.cards[a]);
}

const struct apv_driver *apv_bus_find_driver(struct apv_host *host,
					     const char *name)
{
	for (unsigned int i = 0; i < host->bus.n_drivers; i++)
		if (!strcmp(host->bus.drivers[i]->name, name))
			return host->bus.drivers[i];
	return NULL;
}

int apv_bus_compatible_type(const struct apv_host *host, int raw)
{
	if (raw >= APV_TYPE_CEX4 && raw <= APV_TYPE_CEX8)
		return raw;
	if (raw > APV_TYPE_CEX8)
		return host->bus.have_qci && host->bus.qci.qact ? APV_TYPE_CEX8
								: 0;
	if (apv_is_61(host) && raw >= APV_TYPE_CEX2A)
		return raw;
	return 0;
}

struct apv_card *apv_bus_card(struct apv_host *host, unsigned int apid)
{
	return apid < APV_MAX_IDS ? host->bus.cards[apid] : NULL;
}

struct apv_queue *apv_bus_queue(struct apv_host *host, apv_apqn q)
{
	struct apv_card *c = host->bus.cards[apv_apqn_apid(q)];

	return c ? c->q[apv_apqn_apqi(q)] : NULL;
}

bool apv_bus_reserved_locked(const struct apv_host *host, apv_apqn q)
{
	apv_assert_locked(host);
	return apv_bm_test(&host->bus.apmask, apv_apqn_apid(q)) &&
	       apv_bm_test(&host->bus.aqmask, apv_apqn_apqi(q));
}

/* ---- binding ---------------------------------------------------------- */

static bool driver_matches(const struct apv_host *host,
			   const struct apv_driver *drv, int type, bool card)
{
	return !!(drv->flags & APV_DRV_CARD) == card && drv->match(host, type);
}

/*
 * Bindings complete (spec §1.7): after the first scan, a probe that leaves
 * every queue device bound sends BINDINGS=complete with COMPLETECOUNT
 * (the 6.1 rule; 6.12's re-arming is not modelled).
 */
void apv_bus_check_complete_locked(struct apv_host *host)
{
	struct apv_bus *bus = &host->bus;

	apv_assert_locked(host);
	if (!bus->scans || bus->nbound != bus->nqueues)
		return;
	bus->complete_count++;
	apv_devev_named(host, APV_DEVEV_CHANGE, APV_DEVEV_BUS, "ap", NULL, NULL,
			APV_DEVCHG_BINDINGS, bus->complete_count, NULL);
}

/* The probe rule (spec §1.7): reserved-for-default == driver-is-default. */
static inline __attribute__((always_inline)) int
queue_probe(struct apv_host *host, const struct apv_driver *drv,
		       struct apv_queue *q)
{
	bool reserved = apv_bus_reserved_locked(host, q->apqn);
	int rc;

	if (reserved != !!(drv->flags & APV_DRV_DEFAULT))
		return -ENODEV;
	host->stats.probes++;
	rc = drv->probe(host, q);
	if (rc)
		return rc;
	q->driver = drv;
	host->bus.nbound++;
	apv_devev_queue(host, APV_DEVEV_BIND, q->apqn, drv->name,
			APV_DEVCHG_NONE, 0);
	if (__builtin_expect(host->bus.nbound == host->bus.nqueues, 0) &&
	    host->bus.scans)
		apv_bus_check_complete_locked(host);
	return 0;
}

void apv_bus_attach_queue_locked(struct apv_host *host, struct apv_queue *q)
{
	apv_assert_locked(host);
	for (unsigned int i = 0; i < host->bus.n_drivers && !q->driver; i++) {
		const struct apv_driver *drv = host->bus.drivers[i];

		if (driver_matches(host, drv, q->card->type, false))
			(void)queue_probe(host, drv, q);
	}
}

void apv_bus_detach_queue_locked(struct apv_host *host, struct apv_queue *q)
{
	const struct apv_driver *drv = q->driver;

	apv_assert_locked(host);
	if (!drv)
		return;
	if (drv->remove)
		drv->remove(host, q);
	q->driver = NULL;
	host->bus.nbound--;
	/* the bus zeroizes every queue a driver lets go of */
	(void)apv_hw_zapq_locked(host, q->apqn);
	q->sm = APV_QSM_UNINIT;
	q->bus_irq = false;
	q->online = false;
	apv_devev_queue(host, APV_DEVEV_UNBIND, q->apqn, drv->name,
			APV_DEVCHG_NONE, 0);
}

static void card_attach(struct apv_host *host, struct apv_card *c)
{
	for (unsigned int i = 0; i < host->bus.n_drivers && !c->driver; i++) {
		const struct apv_driver *drv = host->bus.drivers[i];

		if (driver_matches(host, drv, c->type, true)) {
			c->driver = drv;
			c->online = true;
		}
	}
}

struct apv_card *apv_bus_card_create_locked(struct apv_host *host,
					    unsigned int apid, uint64_t info,
					    int type)
{
	struct apv_card *c = calloc(1, sizeof(*c));

	apv_assert_locked(host);
	if (!c)
		return NULL;
	c->id = apid;
	c->raw_type = (int)APV_INFO_TYPE(info);
	c->type = type;
	c->functions = APV_INFO_FUNC(info);
	c->qd = APV_INFO_QD(info);
	c->ml = APV_INFO_ML(info);
	c->hwinfo = card_hwinfo(info);
	c->config = true;
	c->gen = apv_bus_next_gen(&host->bus);
	host->bus.cards[apid] = c;
	apv_devev_card(host, APV_DEVEV_ADD, apid, NULL, APV_DEVCHG_NONE, 0);
	card_attach(host, c);
	if (c->driver)
		apv_devev_card(host, APV_DEVEV_BIND, apid, c->driver->name,
			       APV_DEVCHG_NONE, 0);
	return c;
}

void apv_bus_card_destroy_locked(struct apv_host *host, struct apv_card *c)
{
	apv_assert_locked(host);
	for (unsigned int d = 0; d < APV_MAX_IDS && c->nqueues; d++)
		if (c->q[d])
			apv_bus_queue_destroy_locked(host, c->q[d]);
	if (c->driver)
		apv_devev_card(host, APV_DEVEV_UNBIND, c->id, c->driver->name,
			       APV_DEVCHG_NONE, 0);
	apv_devev_card(host, APV_DEVEV_REMOVE, c->id, NULL, APV_DEVCHG_NONE,
		       0);
	host->bus.cards[c->id] = NULL;
	free(c);
}

struct apv_queue *apv_bus_queue_create_locked(struct apv_host *host,
					      struct apv_card *c,
					      unsigned int apqi)
{
	struct apv_queue *q = calloc(1, sizeof(*q));

	apv_assert_locked(host);
	if (!q)
		return NULL;
	q->apqn = APV_APQN(c->id, apqi);
	q->card = c;
	q->config = c->config;
	q->chkstop = c->chkstop;
	q->sm = APV_QSM_UNINIT;
	q->gen = apv_bus_next_gen(&host->bus);
	c->q[apqi] = q;
	c->nqueues++;
	host->bus.nqueues++;
	apv_devev_queue(host, APV_DEVEV_ADD, q->apqn, NULL, APV_DEVCHG_NONE, 0);
	apv_bus_attach_queue_locked(host, q);
	return q;
}

void apv_bus_queue_destroy_locked(struct apv_host *host, struct apv_queue *q)
{
	struct apv_card *c = q->card;

	apv_assert_locked(host);
	apv_bus_detach_queue_locked(host, q);
	/* announced while the device is still there, as device_del() sends
	 * KOBJ_REMOVE before the kobject goes: its uevent keys can be read */
	apv_devev_queue(host, APV_DEVEV_REMOVE, q->apqn, NULL, APV_DEVCHG_NONE,
			0);
	c->q[apv_apqn_apqi(q->apqn)] = NULL;
	c->nqueues--;
	host->bus.nqueues--;
	free(q);
}

void apv_bus_revise_bindings_locked(struct apv_host *host)
{
	apv_assert_locked(host);
	for (unsigned int a = 0; a < APV_MAX_IDS; a++) {
		struct apv_card *c = host->bus.cards[a];

		for (unsigned int d = 0; c && d < APV_MAX_IDS; d++) {
			struct apv_queue *q = c->q[d];
			bool reserved;

			if (!q)
				continue;
			reserved = apv_bus_reserved_locked(host, q->apqn);
			if (q->driver &&
			    reserved == !!(q->driver->flags & APV_DRV_DEFAULT))
				continue;
			apv_bus_detach_queue_locked(host, q);
			apv_bus_attach_queue_locked(host, q);
		}
	}
}

/* ---- driver-core bind / unbind -------------------------------------- */

/*
 * Resolve "cardXX" or "XX.YYYY" exactly; callers drop the one trailing
 * newline the driver core ignores (strip_nl) before calling this.
 */
static int find_device(struct apv_host *host, const char *name,
		       struct apv_card **card, struct apv_queue **queue)
{
	size_t len = strlen(name);
	char canon[APV_APQN_STRLEN];
	unsigned int apid;
	apv_apqn q;

	*card = NULL;
	*queue = NULL;
	/* device names match exactly (lowercase hex), as sysfs_streq does */
	if (apv_apqn_parse(name, len, &q) == 0 &&
	    !memcmp(name, apv_apqn_str(q, canon), len)) {
		*queue = apv_bus_queue(host, q);
		return *queue ? 0 : -ENODEV;
	}
	if (apv_card_parse(name, len, &apid) == 0 &&
	    !memcmp(name, apv_card_str(apid, canon), len)) {
		*card = apv_bus_card(host, apid);
		return *card ? 0 : -ENODEV;
	}
	return -ENODEV;
}

static void strip_nl(const char *in, size_t inlen, char *out, size_t len)
{
	size_t n = strnlen(in, inlen < len - 1 ? inlen : len - 1);

	memcpy(out, in, n);
	out[n] = 0;
	if (n && out[n - 1] == '\n')
		out[n - 1] = 0;
}

int apv_bus_bind_locked(struct apv_host *host, const struct apv_driver *drv,
			const char *dev, size_t len)
{
	struct apv_card *c;
	struct apv_queue *q;
	char name[32];
	int rc;

	apv_assert_locked(host);
	strip_nl(dev, len, name, sizeof(name));
	if (!drv || find_device(host, name, &c, &q))
		return apv_fail(-ENODEV, APV_RULE_NO_DEVICE,
				"no device %s on the ap bus", name);
	if (!driver_matches(host, drv, c ? c->type : q->card->type, !!c))
		return apv_fail(-ENODEV, APV_RULE_NO_MATCH,
				"driver %s does not handle device %s",
				drv->name, name);
	if (c ? !!c->driver : !!q->driver) {
		rc = apv_fail(-EBUSY, APV_RULE_BOUND,
			      "device %s is already bound to %s", name,
			      c ? c->driver->name : q->driver->name);
		apv_reason_owner(c ? c->driver->name : q->driver->name);
		return rc;
	}
	if (c) {
		c->driver = drv;
		c->online = true;
		apv_devev_card(host, APV_DEVEV_BIND, c->id, drv->name,
			       APV_DEVCHG_NONE, 0);
		return 0;
	}
	rc = queue_probe(host, drv, q);
	if (rc) {
		bool reserved = apv_bus_reserved_locked(host, q->apqn);

		rc = apv_fail(-ENODEV, APV_RULE_PROBE_REFUSED,
			      "queue %s is %s; %s may not bind it", name,
			      reserved ? "reserved for the host's default drivers by apmask/aqmask" :
					 "not reserved for the host's default drivers (apmask/aqmask)",
			      drv->name);
		apv_reason_apqn(q->apqn);
	}
	return rc;
}

int apv_bus_bind(struct apv_host *host, const char *driver, const char *dev)
{
	int rc;

	apv_reason_clear();
	apv_lock(host);
	rc = apv_bus_bind_locked(host, apv_bus_find_driver(host, driver), dev,
				 strlen(dev));
	apv_unlock(host);
	return rc;
}

/* driver names drv, or the driver that was not found (drv NULL). */
static int unbind_dev(struct apv_host *host, const struct apv_driver *drv,
		      const char *driver, const char *dev, size_t len)
{
	struct apv_card *c;
	struct apv_queue *q;
	char name[32];

	apv_assert_locked(host);
	strip_nl(dev, len, name, sizeof(name));
	if (!drv || find_device(host, name, &c, &q) ||
	    (c ? c->driver : q->driver) != drv)
		return apv_fail(-ENODEV, APV_RULE_NOT_BOUND,
				"device %s is not bound to %s", name, driver);
	if (c) {
		c->driver = NULL;
		c->online = false;
		apv_devev_card(host, APV_DEVEV_UNBIND, c->id, drv->name,
			       APV_DEVCHG_NONE, 0);
	} else {
		apv_bus_detach_queue_locked(host, q);
	}
	return 0;
}

int apv_bus_unbind_locked(struct apv_host *host, const struct apv_driver *drv,
			  const char *dev, size_t len)
{
	return unbind_dev(host, drv, drv->name, dev, len);
}

int apv_bus_unbind(struct apv_host *host, const char *driver,
		   const char *dev)
{
	int rc;

	apv_reason_clear();
	apv_lock(host);
	rc = unbind_dev(host, apv_bus_find_driver(host, driver), driver, dev,
			strlen(dev));
	apv_unlock(host);
	return rc;
}

/* ---- queries ---------------------------------------------------------- */

void apv_bus_scan(struct apv_host *host)
{
	apv_reason_clear();
	apv_lock(host);
	apv_bus_scan_locked(host);
	apv_unlock(host);
}

bool apv_bus_reserved(struct apv_host *host, apv_apqn q)
{
	bool r;

	apv_lock(host);
	r = apv_bus_reserved_locked(host, q);
	apv_unlock(host);
	return r;
}

void apv_bus_cards(struct apv_host *host, struct apv_bitmap *out)
{
	apv_bm_zero(out);
	apv_lock(host);
	for (unsigned int a = 0; a < APV_MAX_IDS; a++)
		if (host->bus.cards[a])
			apv_bm_set(out, a);
	apv_unlock(host);
}

int apv_bus_card_queues(struct apv_host *host, unsigned int apid,
			struct apv_bitmap *out)
{
	struct apv_card *c;
	int rc = 0;

	apv_bm_zero(out);
	apv_lock(host);
	c = apv_bus_card(host, apid);
	if (!c)
		rc = -ENODEV;
	for (unsigned int d = 0; c && d < APV_MAX_IDS; d++)
		if (c->q[d])
			apv_bm_set(out, d);
	apv_unlock(host);
	return rc;
}

bool apv_bus_queue_exists(struct apv_host *host, apv_apqn q)
{
	bool r;

	apv_lock(host);
	r = apv_bus_queue(host, q) != NULL;
	apv_unlock(host);
	return r;
}

int apv_bus_device_driver(struct apv_host *host, const char *dev, char *buf,
			  size_t len)
{
	const struct apv_driver *drv;
	struct apv_card *c;
	struct apv_queue *q;
	char name[32];
	int rc;

	strip_nl(dev, strlen(dev), name, sizeof(name));
	apv_lock(host);
	rc = find_device(host, name, &c, &q);
	if (!rc) {
		drv = c ? c->driver : q->driver;
		snprintf(buf, len, "%s", drv ? drv->name : "");
	}
	apv_unlock(host);
	return rc;
}

size_t apv_bus_drivers(struct apv_host *host, const char **names, size_t max)
{
	size_t n = 0;

	apv_lock(host);
	for (unsigned int i = 0; i < host->bus.n_drivers && n < max; i++)
		names[n++] = host->bus.drivers[i]->name;
	apv_unlock(host);
	return n;
}

static int name_list_add(struct apv_name_list *l, size_t *cap,
			 const char *name)
{
	if (l->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		char(*nn)[16] = realloc(l->names, ncap * sizeof(*nn));

		if (!nn)
			return -ENOMEM;
		l->names = nn;
		*cap = ncap;
	}
	snprintf(l->names[l->n++], 16, "%s", name);
	return 0;
}

int apv_bus_driver_devices(struct apv_host *host, const char *driver,
			   struct apv_name_list *out)
{
	const struct apv_driver *drv;
	size_t cap = 0;
	char name[APV_APQN_STRLEN];
	int rc = 0;

	out->names = NULL;
	out->n = 0;
	apv_lock(host);
	drv = apv_bus_find_driver(host, driver);
	if (!drv)
		rc = -ENOENT;
	for (unsigned int a = 0; !rc && a < APV_MAX_IDS; a++) {
		struct apv_card *c = host->bus.cards[a];

		if (c && c->driver == drv)
			rc = name_list_add(out, &cap, apv_card_str(a, name));
	}
	for (unsigned int a = 0; !rc && a < APV_MAX_IDS; a++) {
		struct apv_card *c = host->bus.cards[a];

		for (unsigned int d = 0; c && !rc && d < APV_MAX_IDS; d++)
			if (c->q[d] && c->q[d]->driver == drv)
				rc = name_list_add(out, &cap,
						   apv_apqn_str(c->q[d]->apqn,
								name));
	}
	apv_unlock(host);
	if (rc)
		apv_name_list_free(out);
	return rc;
}

void apv_name_list_free(struct apv_name_list *l)
{
	if (!l)
		return;
	free(l->names);
	l->names = NULL;
	l->n = 0;
}

void apv_bus_bindings(struct apv_host *host, unsigned int *bound,
		      unsigned int *total, bool *complete)
{
	apv_lock(host);
	*bound = host->bus.nbound;
	*total = host->bus.nqueues;
	*complete = host->bus.scans > 0 && host->bus.nbound == host->bus.nqueues;
	apv_unlock(host);
}
