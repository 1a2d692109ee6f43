// SPDX-License-Identifier: MIT
/*
 * Differential test of the two shadow-APCB filters (spec §3.2, §3.3, §5.1).
 *
 * Two hosts are booted from the same configuration, one filtering with the
 * kernel's algorithm (APV_FILTER_REFERENCE: re-filter the whole matrix on
 * every event) and one with our per-mdev counters (APV_FILTER_INDEXED).  A
 * long pseudo-random event sequence is applied to both; after every event
 * both must have returned the same errno, every mdev must look the same
 * (assigned matrix, shadow APCB, pending add-sets, links), every guest's
 * CRYCB must hold the same bytes, the counters must match a brute-force
 * recount (apv_vfio_check_indices), and the observable side effects
 * (CRYCB writes, ZAPQs, probes, queue bindings and `status`) must agree.
 *
 * A mismatch prints the seed, kernel profile, step and event.  Reproduce
 * one run with
 *
 *   APV_DIFF_SEED=<seed> APV_DIFF_KERNEL=6.1|6.12 [APV_DIFF_STEPS=n]
 *   [APV_DIFF_TRACE=1] build/tests/unit/test_filter_diff
 *
 * APV_DIFF_SEEDS=n changes the number of seeds of the full run.
 *
 * The second half holds hand-written scenarios that are easy to get wrong;
 * each runs on a reference/indexed pair too and checks the expected shadow.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apvirt/bitmap.h>
#include <apvirt/bus.h>
#include <apvirt/host.h>
#include <apvirt/kvm.h>
#include <apvirt/parse.h>
#include <apvirt/reason.h>
#include <apvirt/vfio_ap.h>

#define DEFAULT_SEEDS 20u
#define DEFAULT_STEPS 2000u

#define NKVM 2
#define NUUID 4
#define MAX_ADAPTERS 8

/* ---- deterministic random numbers ------------------------------------ */

static uint64_t rng;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * UINT64_C(0x2545f4914f6cdd1d);
}

static unsigned int rn(unsigned int n)
{
	return n ? (unsigned int)(rnd() % n) : 0;
}

static bool chance(unsigned int percent)
{
	return rn(100) < percent;
}

static void seed_rng(uint64_t seed)
{
	rng = seed * UINT64_C(0x9e3779b97f4a7c15) + 0x1234567u;
	if (!rng)
		rng = 1;
	for (int i = 0; i < 8; i++)
		(void)rnd();
}

/* ---- the two hosts ----------------------------------------------------- */

struct side {
	struct apv_host *h;
	struct apv_kvm *kvm[NKVM];
};

enum {
	REF = 0,
	IDX = 1
};

struct topo {
	enum apv_kernel kernel;
	unsigned int amax; /* adapter ids the events use: 0..amax */
	unsigned int dmax; /* domain ids the events use: 0..dmax */
	unsigned int cpu[NKVM];
	unsigned int ids[MAX_ADAPTERS]; /* adapters installed at boot */
	unsigned int n_ids;
};

struct pair {
	struct side s[2];
	struct topo t;
};

static const uint8_t uuids[NUUID][16] = {
	{0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x41, 0x11, 0x81, 0x11, 0x11, 0x11,
	 0x11, 0x11, 0x11, 0x01},
	{0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x42, 0x22, 0x82, 0x22, 0x22, 0x22,
	 0x22, 0x22, 0x22, 0x02},
	{0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x43, 0x33, 0x83, 0x33, 0x33, 0x33,
	 0x33, 0x33, 0x33, 0x03},
	{0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x84, 0x44, 0x44, 0x44,
	 0x44, 0x44, 0x44, 0x04},
};

static const char *const kvm_names[NKVM] = {"guest0", "guest1"};

/* What the random runs reached (printed, so a weak generator shows). */
static struct {
	unsigned long events, ok, live, pushes, probes, binds;
} cov;

/* Context for failure messages. */
static char ctx[1400];

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			char msg_[1024];                                       \
			snprintf(msg_, sizeof(msg_), __VA_ARGS__);             \
			fail_msg("%s: %s", ctx, msg_);                         \
		}                                                              \
	} while (0)

static void pair_boot(struct pair *p, const struct apv_host_config *cfg)
{
	for (int i = 0; i < 2; i++) {
		struct side *s = &p->s[i];
		int rc = apv_host_new(cfg, &s->h);

		CHECK(rc == 0, "apv_host_new: %d (%s)", rc,
		      apv_reason_last()->msg);
		apv_host_set_filter_algo(s->h, i == REF ? APV_FILTER_REFERENCE :
							  APV_FILTER_INDEXED);
		for (int k = 0; k < NKVM; k++) {
			rc = apv_kvm_new(s->h, kvm_names[k], p->t.cpu[k],
					 &s->kvm[k]);
			CHECK(rc == 0, "apv_kvm_new: %d", rc);
		}
	}
}

static void pair_free(struct pair *p)
{
	for (int i = 0; i < 2; i++) {
		apv_host_free(p->s[i].h);
		memset(&p->s[i], 0, sizeof(p->s[i]));
	}
}

/* ---- comparing the two hosts --------------------------------------- */

/* Queue device names "aa.dddd" of the ids the events use (formatted once:
 * the comparisons look at every one after every event). */
#define NAMED_IDS 16
static char qnames[NAMED_IDS][NAMED_IDS][APV_APQN_STRLEN];

static const char *qname(unsigned int a, unsigned int d)
{
	if (!qnames[0][0][0])
		for (unsigned int i = 0; i < NAMED_IDS; i++)
			for (unsigned int j = 0; j < NAMED_IDS; j++)
				apv_apqn_str(APV_APQN(i, j), qnames[i][j]);
	return qnames[a][d];
}

static void mask_str(const struct apv_bitmap *b, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = 0;
	apv_bm_for_each(id, b) {
		int n = snprintf(buf + o, len - o, "%s%d", o ? "," : "", id);

		if (n < 0 || (size_t)n >= len - o)
			break;
		o += (size_t)n;
	}
	if (!o)
		snprintf(buf, len, "-");
}

static void check_mask(const char *what, const struct apv_bitmap *r,
		       const struct apv_bitmap *x)
{
	char a[300], b[300];

	if (apv_bm_equal(r, x))
		return;
	mask_str(r, a, sizeof(a));
	mask_str(x, b, sizeof(b));
	CHECK(false, "%s differs: reference {%s} indexed {%s}", what, a, b);
}

static void compare_mdev(struct pair *p, const uint8_t uuid[16])
{
	struct apv_mdev_info r, x;
	char name[37];
	char what[80];

	apv_uuid_str(uuid, name);
	CHECK(apv_mdev_info(p->s[REF].h, uuid, &r) == 0, "info %s", name);
	CHECK(apv_mdev_info(p->s[IDX].h, uuid, &x) == 0, "info %s", name);
#define M(f)                                                                   \
	do {                                                                   \
		snprintf(what, sizeof(what), "mdev %.8s " #f, name);           \
		check_mask(what, &r.f, &x.f);                                  \
	} while (0)
	M(apm);
	M(aqm);
	M(adm);
	M(sh_apm);
	M(sh_aqm);
	M(sh_adm);
	M(apm_add);
	M(aqm_add);
	M(adm_add);
#undef M
	CHECK(r.apm_max == x.apm_max && r.aqm_max == x.aqm_max &&
		      r.adm_max == x.adm_max,
	      "mdev %.8s maxima differ", name);
	CHECK(r.has_kvm == x.has_kvm && r.open == x.open &&
		      !strcmp(r.kvm_name, x.kvm_name),
	      "mdev %.8s guest state differs", name);
	CHECK(r.linked == x.linked, "mdev %.8s linked: reference %u indexed %u",
	      name, r.linked, x.linked);
}

static void compare(struct pair *p)
{
	struct apv_bitmap cards_r, cards_x;
	uint8_t(*lr)[16], (*lx)[16];
	size_t nr, nx;
	struct apv_host_stats sr, sx;
	int rc;

	CHECK(apv_mdev_list(p->s[REF].h, &lr, &nr) == 0, "mdev list");
	CHECK(apv_mdev_list(p->s[IDX].h, &lx, &nx) == 0, "mdev list");
	CHECK(nr == nx && !memcmp(lr, lx, nr * 16), "mdev lists differ");
	for (size_t i = 0; i < nr; i++)
		compare_mdev(p, lr[i]);
	free(lr);
	free(lx);

	for (int k = 0; k < NKVM; k++) {
		uint8_t cr[APV_CRYCB_SIZE], cx[APV_CRYCB_SIZE];

		apv_kvm_crycb(p->s[REF].kvm[k], cr);
		apv_kvm_crycb(p->s[IDX].kvm[k], cx);
		CHECK(!memcmp(cr, cx, sizeof(cr)), "%s CRYCB bytes differ",
		      kvm_names[k]);
		CHECK(apv_kvm_crycb_updates(p->s[REF].kvm[k]) ==
			      apv_kvm_crycb_updates(p->s[IDX].kvm[k]),
		      "%s CRYCB update counts differ", kvm_names[k]);
	}

	apv_host_stats(p->s[REF].h, &sr);
	apv_host_stats(p->s[IDX].h, &sx);
	CHECK(sr.crycb_writes == sx.crycb_writes,
	      "crycb_writes: reference %llu indexed %llu",
	      (unsigned long long)sr.crycb_writes,
	      (unsigned long long)sx.crycb_writes);
	CHECK(sr.zapq == sx.zapq, "zapq: reference %llu indexed %llu",
	      (unsigned long long)sr.zapq, (unsigned long long)sx.zapq);
	CHECK(sr.probes == sx.probes && sr.scans == sx.scans &&
		      sr.filter_runs == sx.filter_runs,
	      "probes/scans/filter_runs differ");

	/* the same card devices; bindings, vfio_ap `status` and reset
	 * status of every queue the events can touch */
	apv_bus_cards(p->s[REF].h, &cards_r);
	apv_bus_cards(p->s[IDX].h, &cards_x);
	check_mask("card devices", &cards_r, &cards_x);
	apv_bm_limit(&cards_r, NAMED_IDS - 1);
	apv_bm_for_each(ia, &cards_r) {
		unsigned int a = (unsigned int)ia;

		for (unsigned int d = 0; d < NAMED_IDS; d++) {
			apv_apqn q = APV_APQN(a, d);
			const char *dev = qname(a, d);
			char br[32], bx[32];
			enum apv_queue_status qr, qx;
			uint32_t rr, rx;
			int er, ex;

			er = apv_bus_device_driver(p->s[REF].h, dev, br,
						   sizeof(br));
			ex = apv_bus_device_driver(p->s[IDX].h, dev, bx,
						   sizeof(bx));
			CHECK(er == ex && (er || !strcmp(br, bx)),
			      "queue %s driver: reference %d '%s' indexed %d '%s'",
			      dev, er, er ? "" : br, ex, ex ? "" : bx);
			if (er)
				continue; /* no such queue on either host */
			er = apv_vfio_queue_status(p->s[REF].h, q, &qr);
			ex = apv_vfio_queue_status(p->s[IDX].h, q, &qx);
			CHECK(er == ex && (er || qr == qx),
			      "queue %s status differs", dev);
			er = apv_vfio_queue_reset_status(p->s[REF].h, q, &rr);
			ex = apv_vfio_queue_reset_status(p->s[IDX].h, q, &rx);
			CHECK(er == ex && (er || rr == rx),
			      "queue %s reset status differs", dev);
		}
	}

	rc = apv_vfio_check_indices(p->s[IDX].h);
	CHECK(rc == 0, "indexed host: check_indices %d: %s", rc,
	      apv_reason_last()->msg);
}

/* The reference host keeps the counters too (they are maintained whatever
 * the algorithm); check them now and then. */
static void check_reference_indices(struct pair *p)
{
	int rc = apv_vfio_check_indices(p->s[REF].h);

	CHECK(rc == 0, "reference host: check_indices %d: %s", rc,
	      apv_reason_last()->msg);
}

/* ---- events ----------------------------------------------------------- */

enum ev_kind {
	EV_MDEV_CREATE,
	EV_MDEV_REMOVE,
	EV_ASSIGN_ADAPTER,
	EV_ASSIGN_DOMAIN,
	EV_ASSIGN_CONTROL,
	EV_UNASSIGN_ADAPTER,
	EV_UNASSIGN_DOMAIN,
	EV_UNASSIGN_CONTROL,
	EV_AP_CONFIG,
	EV_SET_APMASK,
	EV_SET_AQMASK,
	EV_STORE_MASK,
	EV_BIND,
	EV_UNBIND,
	EV_HW_ADD,
	EV_HW_REMOVE,
	EV_HW_RESTORE,
	EV_HW_CONFIGURE,
	EV_HW_CHECKSTOP,
	EV_HW_DOMAIN,
	EV_HW_CONTROL_DOMAIN,
	EV_SCAN,
	EV_SET_KVM,
	EV_OPEN,
	EV_CLOSE,
	EV_RESET,
	EV_KVM_RECREATE,
};

struct ev {
	enum ev_kind kind;
	unsigned int u;	  /* uuid / kvm index */
	unsigned long id; /* adapter / domain id */
	bool on;
	unsigned int flags; /* APV_EV_NOSCAN */
	int kvm;	    /* -1 = detach */
	unsigned int cpu;
	struct apv_adapter_spec spec;
	struct apv_bitmap m1, m2, m3;
	char drv[32], dev[32], text[32];
};

static void describe(const struct ev *e, char *buf, size_t len)
{
	char a[300], b[300], c[300];
	const char *ns = e->flags & APV_EV_NOSCAN ? " noscan" : "";
	unsigned int u = e->u;

	switch (e->kind) {
	case EV_MDEV_CREATE:
		snprintf(buf, len, "mdev_create #%u", u);
		break;
	case EV_MDEV_REMOVE:
		snprintf(buf, len, "mdev_remove #%u", u);
		break;
	case EV_ASSIGN_ADAPTER:
		snprintf(buf, len, "#%u assign_adapter %lu", u, e->id);
		break;
	case EV_ASSIGN_DOMAIN:
		snprintf(buf, len, "#%u assign_domain %lu", u, e->id);
		break;
	case EV_ASSIGN_CONTROL:
		snprintf(buf, len, "#%u assign_control_domain %lu", u, e->id);
		break;
	case EV_UNASSIGN_ADAPTER:
		snprintf(buf, len, "#%u unassign_adapter %lu", u, e->id);
		break;
	case EV_UNASSIGN_DOMAIN:
		snprintf(buf, len, "#%u unassign_domain %lu", u, e->id);
		break;
	case EV_UNASSIGN_CONTROL:
		snprintf(buf, len, "#%u unassign_control_domain %lu", u, e->id);
		break;
	case EV_AP_CONFIG:
		mask_str(&e->m1, a, sizeof(a));
		mask_str(&e->m2, b, sizeof(b));
		mask_str(&e->m3, c, sizeof(c));
		snprintf(buf, len, "#%u ap_config {%s} {%s} {%s}", u, a, b, c);
		break;
	case EV_SET_APMASK:
	case EV_SET_AQMASK:
		mask_str(&e->m1, a, sizeof(a));
		snprintf(buf, len, "set_%s {%s}",
			 e->kind == EV_SET_APMASK ? "apmask" : "aqmask", a);
		break;
	case EV_STORE_MASK:
		snprintf(buf, len, "store %s '%s'", e->on ? "apmask" : "aqmask",
			 e->text);
		break;
	case EV_BIND:
		snprintf(buf, len, "bind %s %s", e->drv, e->dev);
		break;
	case EV_UNBIND:
		snprintf(buf, len, "unbind %s %s", e->drv, e->dev);
		break;
	case EV_HW_ADD:
		snprintf(buf, len, "hw_adapter_add %u type %d mode %d%s%s",
			 e->spec.id, e->spec.type, (int)e->spec.mode,
			 e->spec.standby ? " standby" : "", ns);
		break;
	case EV_HW_REMOVE:
		snprintf(buf, len, "hw_adapter_remove %lu%s", e->id, ns);
		break;
	case EV_HW_RESTORE:
		snprintf(buf, len, "hw_adapter_restore %lu%s", e->id, ns);
		break;
	case EV_HW_CONFIGURE:
		snprintf(buf, len, "hw_adapter_configure %lu %s%s", e->id,
			 e->on ? "on" : "off", ns);
		break;
	case EV_HW_CHECKSTOP:
		snprintf(buf, len, "hw_adapter_checkstop %lu %s%s", e->id,
			 e->on ? "on" : "off", ns);
		break;
	case EV_HW_DOMAIN:
		snprintf(buf, len, "hw_domain_set %lu %s%s", e->id,
			 e->on ? "present" : "absent", ns);
		break;
	case EV_HW_CONTROL_DOMAIN:
		snprintf(buf, len, "hw_control_domain_set %lu %s%s", e->id,
			 e->on ? "present" : "absent", ns);
		break;
	case EV_SCAN:
		snprintf(buf, len, "bus_scan");
		break;
	case EV_SET_KVM:
		snprintf(buf, len, "#%u set_kvm %s", u,
			 e->kvm < 0 ? "NULL" : kvm_names[e->kvm]);
		break;
	case EV_OPEN:
		snprintf(buf, len, "#%u open", u);
		break;
	case EV_CLOSE:
		snprintf(buf, len, "#%u close", u);
		break;
	case EV_RESET:
		snprintf(buf, len, "#%u reset", u);
		break;
	case EV_KVM_RECREATE:
		snprintf(buf, len, "kvm_free+new %s cpu 0x%x", kvm_names[u],
			 e->cpu);
		break;
	}
}

static int apply(struct side *s, const struct ev *e)
{
	const uint8_t *uuid = uuids[e->u % NUUID];
	int rc;

	switch (e->kind) {
	case EV_MDEV_CREATE:
		return apv_mdev_create(s->h, uuid);
	case EV_MDEV_REMOVE:
		return apv_mdev_remove(s->h, uuid);
	case EV_ASSIGN_ADAPTER:
		return apv_mdev_assign_adapter(s->h, uuid, e->id);
	case EV_ASSIGN_DOMAIN:
		return apv_mdev_assign_domain(s->h, uuid, e->id);
	case EV_ASSIGN_CONTROL:
		return apv_mdev_assign_control_domain(s->h, uuid, e->id);
	case EV_UNASSIGN_ADAPTER:
		return apv_mdev_unassign_adapter(s->h, uuid, e->id);
	case EV_UNASSIGN_DOMAIN:
		return apv_mdev_unassign_domain(s->h, uuid, e->id);
	case EV_UNASSIGN_CONTROL:
		return apv_mdev_unassign_control_domain(s->h, uuid, e->id);
	case EV_AP_CONFIG:
		return apv_mdev_set_ap_config(s->h, uuid, &e->m1, &e->m2,
					      &e->m3);
	case EV_SET_APMASK:
		return apv_bus_set_apmask(s->h, &e->m1);
	case EV_SET_AQMASK:
		return apv_bus_set_aqmask(s->h, &e->m1);
	case EV_STORE_MASK:
		return apv_bus_store_mask(s->h, e->on, e->text,
					  strlen(e->text));
	case EV_BIND:
		return apv_bus_bind(s->h, e->drv, e->dev);
	case EV_UNBIND:
		return apv_bus_unbind(s->h, e->drv, e->dev);
	case EV_HW_ADD:
		return apv_hw_adapter_add(s->h, &e->spec, e->flags);
	case EV_HW_REMOVE:
		return apv_hw_adapter_remove(s->h, (unsigned int)e->id,
					     e->flags);
	case EV_HW_RESTORE:
		return apv_hw_adapter_restore(s->h, (unsigned int)e->id,
					      e->flags);
	case EV_HW_CONFIGURE:
		return apv_hw_adapter_configure(s->h, (unsigned int)e->id,
						e->on, e->flags);
	case EV_HW_CHECKSTOP:
		return apv_hw_adapter_checkstop(s->h, (unsigned int)e->id,
						e->on, e->flags);
	case EV_HW_DOMAIN:
		return apv_hw_domain_set(s->h, (unsigned int)e->id, e->on,
					 e->flags);
	case EV_HW_CONTROL_DOMAIN:
		return apv_hw_control_domain_set(s->h, (unsigned int)e->id,
						 e->on, e->flags);
	case EV_SCAN:
		apv_bus_scan(s->h);
		return 0;
	case EV_SET_KVM:
		return apv_mdev_set_kvm(s->h, uuid,
					e->kvm < 0 ? NULL : s->kvm[e->kvm]);
	case EV_OPEN:
		return apv_mdev_open(s->h, uuid);
	case EV_CLOSE:
		return apv_mdev_close(s->h, uuid);
	case EV_RESET:
		return apv_mdev_reset(s->h, uuid);
	case EV_KVM_RECREATE:
		apv_kvm_free(s->kvm[e->u]);
		s->kvm[e->u] = NULL;
		rc = apv_kvm_new(s->h, kvm_names[e->u], e->cpu, &s->kvm[e->u]);
		return rc;
	}
	return -ENOSYS;
}

/* ---- generating events -------------------------------------------- */

static unsigned long pick_adapter_id(const struct topo *t)
{
	unsigned int r = rn(100);

	if (r < 3)
		return 256;
	if (r < 5)
		return t->amax + 1 + rn(3);
	if (r < 75 && t->n_ids)
		return t->ids[rn(t->n_ids)];
	return rn(t->amax + 1);
}

static unsigned long pick_domain_id(const struct topo *t)
{
	unsigned int r = rn(100);

	if (r < 3)
		return 300 + rn(10);
	if (r < 5)
		return t->dmax + 1 + rn(3);
	return rn(t->dmax + 1);
}

/* A random mask over 0..max; density in percent. */
static void rand_mask(struct apv_bitmap *m, unsigned int max,
		      unsigned int density)
{
	apv_bm_zero(m);
	for (unsigned int i = 0; i <= max; i++)
		if (chance(density))
			apv_bm_set(m, i);
}

static int pick_type(const struct topo *t)
{
	switch (rn(10)) {
	case 0:
		return APV_TYPE_CEX3A; /* 6.1: cex2a drivers; 6.12: no card */
	case 1:
		return APV_TYPE_CEX4;
	case 2:
	case 3:
	case 4:
	case 5:
		return APV_TYPE_CEX7;
	default:
		return APV_TYPE_CEX8;
	}
}

/*
 * Pick an existing queue that is unbound (for a bind, with the driver the
 * reservation masks allow, mostly) or bound (for an unbind, with its
 * driver, mostly).  False if there is none.
 */
static bool pick_queue(struct pair *p, bool unbound, unsigned int *ra,
		       unsigned int *rd, const char **drv)
{
	static char cur[32];
	unsigned int cand[256], n = 0;

	for (unsigned int a = 0; a <= p->t.amax; a++) {
		for (unsigned int d = 0; d <= p->t.dmax; d++) {
			char b[32];

			if (apv_bus_device_driver(p->s[REF].h, qname(a, d), b,
						  sizeof(b)))
				continue;
			if (unbound == !b[0])
				cand[n++] = APV_APQN(a, d);
		}
	}
	if (!n)
		return false;
	n = cand[rn(n)];
	*ra = apv_apqn_apid((apv_apqn)n);
	*rd = apv_apqn_apqi((apv_apqn)n);
	if (unbound) {
		bool res = apv_bus_reserved(p->s[REF].h, (apv_apqn)n);

		if (chance(85))
			*drv = res ? "cex4queue" : "vfio_ap";
	} else {
		(void)apv_bus_device_driver(p->s[REF].h, qname(*ra, *rd), cur,
					    sizeof(cur));
		if (chance(85))
			*drv = cur;
	}
	return true;
}

static void gen_event(struct pair *p, struct ev *e)
{
	const struct topo *t = &p->t;
	unsigned int r = rn(1000);
	struct apv_bitmap cur_ap, cur_aq;

	memset(e, 0, sizeof(*e));
	e->u = rn(NUUID);
	e->flags = chance(40) ? APV_EV_NOSCAN : 0;

	if (r < 50) {
		e->kind = EV_MDEV_CREATE;
	} else if (r < 65) {
		struct apv_mdev_info mi;

		e->kind = EV_MDEV_REMOVE;
		/* remove blocks until the guest closes: never while open */
		if (apv_mdev_info(p->s[REF].h, uuids[e->u], &mi) == 0 &&
		    mi.open)
			e->kind = EV_CLOSE;
	} else if (r < 175) {
		e->kind = EV_ASSIGN_ADAPTER;
		e->id = pick_adapter_id(t);
	} else if (r < 285) {
		e->kind = EV_ASSIGN_DOMAIN;
		e->id = pick_domain_id(t);
	} else if (r < 315) {
		e->kind = EV_ASSIGN_CONTROL;
		e->id = pick_domain_id(t);
	} else if (r < 350) {
		e->kind = EV_UNASSIGN_ADAPTER;
		e->id = pick_adapter_id(t);
	} else if (r < 385) {
		e->kind = EV_UNASSIGN_DOMAIN;
		e->id = pick_domain_id(t);
	} else if (r < 400) {
		e->kind = EV_UNASSIGN_CONTROL;
		e->id = pick_domain_id(t);
	} else if (r < 440) {
		e->kind = EV_AP_CONFIG;
		rand_mask(&e->m1, t->amax + (chance(5) ? 2 : 0), 40);
		rand_mask(&e->m2, t->dmax + (chance(5) ? 2 : 0), 40);
		rand_mask(&e->m3, t->dmax, 30);
		if (chance(3))
			apv_bm_set(&e->m1, 255);
	} else if (r < 500) {
		bool ap = chance(50);
		unsigned int max = ap ? t->amax : t->dmax;
		unsigned int id = rn(max + 1);

		e->kind = ap ? EV_SET_APMASK : EV_SET_AQMASK;
		apv_bus_masks(p->s[REF].h, &cur_ap, &cur_aq);
		e->m1 = ap ? cur_ap : cur_aq;
		switch (rn(4)) {
		case 0: /* take one id away from the host */
		case 1:
			apv_bm_clear(&e->m1, id);
			break;
		case 2: /* give one back (may be EBUSY) */
			apv_bm_set(&e->m1, id);
			break;
		default: /* a whole new mask */
			rand_mask(&e->m1, max, 35);
			break;
		}
	} else if (r < 530) {
		unsigned int a = rn(t->dmax + 2), b = a + rn(3);

		e->kind = EV_STORE_MASK;
		e->on = chance(50);
		switch (rn(6)) {
		case 0:
			snprintf(e->text, sizeof(e->text), "+%u\n", a);
			break;
		case 1:
			snprintf(e->text, sizeof(e->text), "-%u", a);
			break;
		case 2:
			snprintf(e->text, sizeof(e->text), "-%u-%u,+%u", a, b,
				 rn(t->amax + 1));
			break;
		case 3:
			snprintf(e->text, sizeof(e->text), "0x%02x", rn(256));
			break;
		case 4:
			snprintf(e->text, sizeof(e->text), "\n");
			break;
		default:
			snprintf(e->text, sizeof(e->text), "+%u,junk", a);
			break;
		}
	} else if (r < 660) {
		static const char *const drivers[] = {
			"vfio_ap",    "vfio_ap",  "vfio_ap", "cex4queue",
			"cex2aqueue", "cex4card", "nosuch",
		};
		const char *drv = drivers[rn(7)];
		unsigned int a = chance(85) ? t->ids[rn(t->n_ids)] :
					      rn(t->amax + 1);
		unsigned int d = chance(85) ? rn(8) : rn(t->dmax + 1);

		e->kind = chance(50) ? EV_BIND : EV_UNBIND;
		if (chance(60) &&
		    pick_queue(p, e->kind == EV_BIND, &a, &d, &drv))
			goto named;
		if (!strcmp(drv, "cex4card") || chance(3)) {
			snprintf(e->dev, sizeof(e->dev), "card%02x", a);
			snprintf(e->drv, sizeof(e->drv), "%s", drv);
			return;
		}
named:
		snprintf(e->drv, sizeof(e->drv), "%s", drv);
		snprintf(e->dev, sizeof(e->dev), "%02x.%04x%s", a, d,
			 chance(10) ? "\n" : "");
	} else if (r < 800) {
		unsigned long a = chance(70) ? t->ids[rn(t->n_ids)] :
					       rn(t->amax + 2);

		e->id = a;
		switch (rn(8)) {
		case 0:
			e->kind = EV_HW_ADD;
			e->spec.id = (unsigned int)a;
			e->spec.type = pick_type(t);
			e->spec.mode = (enum apv_mode)rn(3);
			e->spec.standby = chance(20);
			break;
		case 1:
			e->kind = EV_HW_REMOVE;
			break;
		case 2:
			e->kind = EV_HW_RESTORE;
			break;
		case 3:
			e->kind = EV_HW_CONFIGURE;
			e->on = chance(50);
			break;
		case 4:
			e->kind = EV_HW_CHECKSTOP;
			e->on = chance(40);
			break;
		case 5:
		case 6:
			e->kind = EV_HW_DOMAIN;
			e->id = rn(t->dmax + 2);
			e->on = chance(55);
			break;
		default:
			e->kind = EV_HW_CONTROL_DOMAIN;
			e->id = rn(t->dmax + 2);
			e->on = chance(55);
			break;
		}
	} else if (r < 840) {
		e->kind = EV_SCAN;
	} else if (r < 880) {
		e->kind = EV_SET_KVM;
		e->kvm = chance(15) ? -1 : (int)rn(NKVM);
	} else if (r < 940) {
		e->kind = EV_OPEN;
	} else if (r < 965) {
		e->kind = EV_CLOSE;
	} else if (r < 992) {
		e->kind = EV_RESET;
	} else {
		e->kind = EV_KVM_RECREATE;
		e->u = rn(NKVM);
		e->cpu = chance(70) ? APV_CPU_DEFAULT :
				      APV_CPU_DEFAULT & ~APV_CPU_MSA3;
	}
}

/* ---- one random run --------------------------------------------------- */

static void gen_config(struct pair *p, enum apv_kernel k,
		       struct apv_host_config *cfg, struct apv_adapter_spec *ad)
{
	static const char *const boot_masks[] = {
		NULL, NULL, NULL, NULL, "0x0f", "+1,+3-5", "", "-2",
	};
	struct topo *t = &p->t;
	struct apv_bitmap used;
	unsigned int n = 0;

	apv_host_config_init(cfg);
	cfg->kernel = k;
	t->kernel = k;
	cfg->qci = !chance(5);
	cfg->apxa = !chance(20);
	cfg->irq = !chance(20);
	if (cfg->apxa) {
		cfg->na = chance(50) ? 255 : 11;
		cfg->nd = chance(50) ? 255 : 9;
	} else {
		cfg->na = 0;
		cfg->nd = 0;
	}
	t->amax = 11;
	t->dmax = 9;

	apv_bm_zero(&used);
	while (n < 6) {
		struct apv_adapter_spec *s = &ad[n];
		unsigned int id = rn(t->amax + 1);

		if (apv_bm_test(&used, id))
			continue;
		apv_bm_set(&used, id);
		memset(s, 0, sizeof(*s));
		s->id = id;
		s->type = n % 2 ? APV_TYPE_CEX7 : APV_TYPE_CEX8;
		s->mode = (enum apv_mode)rn(3);
		if (n == 3)
			s->standby = true;
		if (n == 5 && chance(50))
			s->type = APV_TYPE_CEX3A;
		t->ids[n] = id;
		n++;
	}
	cfg->adapters = ad;
	cfg->n_adapters = n;
	t->n_ids = n;
	apv_bm_zero(&cfg->domains);
	apv_bm_zero(&cfg->control_domains);
	for (unsigned int d = 0; d <= 7; d++) {
		if (chance(75))
			apv_bm_set(&cfg->domains, d);
		if (chance(60))
			apv_bm_set(&cfg->control_domains, d);
	}
	cfg->apmask = boot_masks[rn(8)];
	cfg->aqmask = boot_masks[rn(8)];
	t->cpu[0] = APV_CPU_DEFAULT;
	t->cpu[1] = chance(50) ? APV_CPU_DEFAULT :
				 APV_CPU_DEFAULT & ~APV_CPU_MSA3;
}

static void count_coverage(struct pair *p, const struct ev *e, int rc)
{
	struct apv_host_stats st;
	uint8_t(*l)[16];
	size_t n;

	cov.events++;
	cov.ok += rc == 0;
	cov.binds += e->kind == EV_BIND && rc == 0;
	if (apv_mdev_list(p->s[IDX].h, &l, &n))
		return;
	for (size_t i = 0; i < n; i++) {
		struct apv_mdev_info mi;

		if (!apv_mdev_info(p->s[IDX].h, l[i], &mi) && mi.open &&
		    !apv_bm_empty(&mi.sh_apm) && !apv_bm_empty(&mi.sh_aqm)) {
			cov.live++;
			break;
		}
	}
	free(l);
	apv_host_stats(p->s[IDX].h, &st);
	cov.pushes = st.crycb_writes; /* summed per run in run_profile */
	cov.probes = st.probes;
}

static bool trace_on(void)
{
	const char *s = getenv("APV_DIFF_TRACE");

	return s && *s && strcmp(s, "0");
}

static void run_seed(uint64_t seed, enum apv_kernel k, unsigned int steps)
{
	struct apv_adapter_spec ad[MAX_ADAPTERS];
	struct apv_host_config cfg;
	struct pair p;
	bool trace = trace_on();

	memset(&p, 0, sizeof(p));
	seed_rng(seed ^ (k == APV_KERNEL_6_1 ? UINT64_C(0x61) : 0));
	gen_config(&p, k, &cfg, ad);
	snprintf(ctx, sizeof(ctx), "seed %llu kernel %s step 0 (boot)",
		 (unsigned long long)seed, apv_kernel_name(k));
	pair_boot(&p, &cfg);
	compare(&p);

	for (unsigned int step = 1; step <= steps; step++) {
		struct ev e;
		char desc[1024];
		int rr, rx;

		gen_event(&p, &e);
		describe(&e, desc, sizeof(desc));
		snprintf(ctx, sizeof(ctx),
			 "seed %llu kernel %s step %u event '%s'",
			 (unsigned long long)seed, apv_kernel_name(k), step,
			 desc);
		rr = apply(&p.s[REF], &e);
		rx = apply(&p.s[IDX], &e);
		if (trace)
			printf("%s -> %d\n", ctx, rr);
		CHECK(rr == rx, "errno: reference %d indexed %d", rr, rx);
		compare(&p);
		if (step % 64 == 0)
			check_reference_indices(&p);
		count_coverage(&p, &e, rr);
	}
	check_reference_indices(&p);
	pair_free(&p);
}

static unsigned int env_uint(const char *name, unsigned int def)
{
	const char *s = getenv(name);

	return s && *s ? (unsigned int)strtoul(s, NULL, 0) : def;
}

static void run_profile(enum apv_kernel k)
{
	const char *only = getenv("APV_DIFF_SEED");
	const char *kern = getenv("APV_DIFF_KERNEL");
	unsigned int steps = env_uint("APV_DIFF_STEPS", DEFAULT_STEPS);
	unsigned int seeds = env_uint("APV_DIFF_SEEDS", DEFAULT_SEEDS);

	if (kern && *kern && strcmp(kern, apv_kernel_name(k)))
		skip();
	unsigned long pushes = 0, probes = 0;

	memset(&cov, 0, sizeof(cov));
	if (only && *only) {
		run_seed(strtoull(only, NULL, 0), k, steps);
		return;
	}
	for (unsigned int s = 1; s <= seeds; s++) {
		run_seed(s, k, steps);
		pushes += cov.pushes;
		probes += cov.probes;
	}
	printf("[ INFO     ] kernel %s: %u seeds, %lu events (%lu succeeded, "
	       "%lu manual binds), %lu with a guest holding queues; "
	       "%lu probes, %lu CRYCB writes\n",
	       apv_kernel_name(k), seeds, cov.events, cov.ok, cov.binds,
	       cov.live, probes, pushes);
}

static void test_random_612(void **state)
{
	(void)state;
	run_profile(APV_KERNEL_6_12);
}

static void test_random_61(void **state)
{
	(void)state;
	run_profile(APV_KERNEL_6_1);
}

/* ---- hand-written scenarios -------------------------------------------- */

/*
 * Canonical host of spec §7: QCI with APXA, Na = Nd = 255; adapters 05, 06
 * (CEX7) and 07 (CEX8) with domains 04 and 07 (0x47 in §7; small ids keep the
 * names short).  Adapters 05..07 are taken from the host (apmask), one mdev
 * owns 05,06 x 04,07 and guest0 has it open.  Adapters 05..09 are not
 * reserved for the host (apmask), so ids 08/09 may be over-provisioned.
 */
static const uint8_t M0[16] = {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x41, 0x11,
			       0x81, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x01};

/*
 * Run `call` on the reference host, then on the indexed one (s_ names the
 * side), require the same errno and equal state, and leave it in rc_out.
 */
#define BOTH(rc_out, call)                                                     \
	do {                                                                   \
		struct side *s_ = &p->s[REF];                                  \
		int r0_ = (call);                                              \
		s_ = &p->s[IDX];                                               \
		int r1_ = (call);                                              \
		CHECK(r0_ == r1_, "%s: reference %d indexed %d", #call, r0_,   \
		      r1_);                                                    \
		compare(p);                                                    \
		check_reference_indices(p);                                    \
		(rc_out) = r0_;                                                \
	} while (0)

/* BOTH, expecting errno want. */
#define EXPECT(want, call)                                                     \
	do {                                                                   \
		int rc_;                                                       \
		BOTH(rc_, call);                                               \
		CHECK(rc_ == (want), "%s: %d (%s), expected %d", #call, rc_,   \
		      apv_reason_last()->msg, (int)(want));                    \
	} while (0)

static int scan_rc(struct apv_host *h)
{
	apv_bus_scan(h);
	return 0;
}

static void scenario_boot(struct pair *p, enum apv_kernel k, const char *name,
			  bool adapter7)
{
	static struct apv_adapter_spec ad[3];
	struct apv_host_config cfg;
	struct apv_bitmap m;

	memset(p, 0, sizeof(*p));
	memset(ad, 0, sizeof(ad));
	ad[0] = (struct apv_adapter_spec){
		.id = 5, .type = APV_TYPE_CEX7, .mode = APV_MODE_CCA};
	ad[1] = (struct apv_adapter_spec){
		.id = 6, .type = APV_TYPE_CEX7, .mode = APV_MODE_CCA};
	ad[2] = (struct apv_adapter_spec){
		.id = 7, .type = APV_TYPE_CEX8, .mode = APV_MODE_EP11};
	apv_host_config_init(&cfg);
	cfg.kernel = k;
	cfg.adapters = ad;
	cfg.n_adapters = adapter7 ? 3 : 2;
	apv_bm_set(&cfg.domains, 4);
	apv_bm_set(&cfg.domains, 7);
	apv_bm_set(&cfg.control_domains, 4);
	p->t.kernel = k;
	p->t.amax = 9;
	p->t.dmax = 9;
	p->t.cpu[0] = APV_CPU_DEFAULT;
	p->t.cpu[1] = APV_CPU_DEFAULT;
	snprintf(ctx, sizeof(ctx), "scenario '%s' kernel %s", name,
		 apv_kernel_name(k));
	pair_boot(p, &cfg);

	apv_bm_fill(&m);
	for (unsigned int a = 5; a <= 9; a++)
		apv_bm_clear(&m, a);
	EXPECT(0, apv_bus_set_apmask(s_->h, &m));
	EXPECT(0, apv_mdev_create(s_->h, M0));
	EXPECT(0, apv_mdev_assign_adapter(s_->h, M0, 5));
	EXPECT(0, apv_mdev_assign_adapter(s_->h, M0, 6));
	EXPECT(0, apv_mdev_assign_domain(s_->h, M0, 4));
	EXPECT(0, apv_mdev_assign_domain(s_->h, M0, 7));
	EXPECT(0, apv_mdev_set_kvm(s_->h, M0, s_->kvm[0]));
	EXPECT(0, apv_mdev_open(s_->h, M0));
}

/* Expect the shadow (on both hosts; compare() already made them equal). */
static void expect_shadow(struct pair *p, const char *apm, const char *aqm)
{
	struct apv_mdev_info mi;
	char a[300], b[300];

	assert_int_equal(apv_mdev_info(p->s[IDX].h, M0, &mi), 0);
	mask_str(&mi.sh_apm, a, sizeof(a));
	mask_str(&mi.sh_aqm, b, sizeof(b));
	CHECK(!strcmp(a, apm) && !strcmp(b, aqm),
	      "shadow {%s} x {%s}, expected {%s} x {%s}", a, b, apm, aqm);
}

static void expect_guest(struct pair *p, const char *apm, const char *aqm)
{
	struct apv_apcb g;
	char a[300], b[300];

	apv_kvm_apcb(p->s[IDX].kvm[0], &g);
	mask_str(&g.apm, a, sizeof(a));
	mask_str(&g.aqm, b, sizeof(b));
	CHECK(!strcmp(a, apm) && !strcmp(b, aqm),
	      "guest APCB {%s} x {%s}, expected {%s} x {%s}", a, b, apm, aqm);
}

/*
 * A deconfigured adapter: ZAPQ answers 03.  6.12 counts 03 as passable, 6.1
 * only 00 (spec §3.2), so after a VFIO reset of a guest whose adapter 05 is
 * configured off, the next re-filter keeps 05 on 6.12 and drops it on 6.1
 * (and 6.1 keeps it dropped until a successful reset, §5.19).
 */
static void deconfigured(enum apv_kernel k)
{
	struct pair pp, *p = &pp;
	bool is61 = k == APV_KERNEL_6_1;
	int rc;

	scenario_boot(p, k, "deconfigured adapter", false);
	expect_shadow(p, "5,6", "4,7");
	/* SCLP configure off: the adapter stays in QCI, no config change */
	EXPECT(0, apv_hw_adapter_configure(s_->h, 5, false, 0));
	expect_shadow(p, "5,6", "4,7");
	/* guest reset: ZAPQ of 05.* answers 03 */
	BOTH(rc, apv_mdev_reset(s_->h, M0));
	assert_int_equal(rc, is61 ? -EBUSY : -EIO);
	expect_shadow(p, "5,6", "4,7"); /* a reset does not re-filter */
	/* any probe re-filters: rebind a queue of adapter 06 */
	EXPECT(0, apv_bus_unbind(s_->h, "vfio_ap", "06.0004"));
	expect_shadow(p, "5", "4,7");
	EXPECT(0, apv_bus_bind(s_->h, "vfio_ap", "06.0004"));
	expect_shadow(p, is61 ? "6" : "5,6", "4,7");
	expect_guest(p, is61 ? "6" : "5,6", "4,7");
	/* configure on again; the stale 03 keeps 6.1's adapter out ... */
	EXPECT(0, apv_hw_adapter_configure(s_->h, 5, true, 0));
	EXPECT(0, apv_bus_unbind(s_->h, "vfio_ap", "06.0007"));
	EXPECT(0, apv_bus_bind(s_->h, "vfio_ap", "06.0007"));
	expect_shadow(p, is61 ? "6" : "5,6", "4,7");
	/* ... until a successful reset, then the next probe plugs it */
	EXPECT(0, apv_mdev_reset(s_->h, M0));
	EXPECT(0, apv_bus_unbind(s_->h, "vfio_ap", "06.0007"));
	EXPECT(0, apv_bus_bind(s_->h, "vfio_ap", "06.0007"));
	expect_shadow(p, "5,6", "4,7");
	expect_guest(p, "5,6", "4,7");
	pair_free(p);
}

static void test_deconfigured_612(void **state)
{
	(void)state;
	deconfigured(APV_KERNEL_6_12);
}

static void test_deconfigured_61(void **state)
{
	(void)state;
	deconfigured(APV_KERNEL_6_1);
}

/*
 * Configuration-change deferral (spec §3.3.6): adapter 07 and domain 09 are
 * assigned while absent, then appear together in one scan.  The scan probes
 * 05.0009 before 06.0009 exists; had that probe filtered, adapter 06 would
 * transiently drop out of the guest (and 6.12 would zeroize its queues).
 * With deferral the guest sees exactly one update, at scan completion.
 */
static void deferral(enum apv_kernel k)
{
	static const struct apv_adapter_spec a7 = {
		.id = 7, .type = APV_TYPE_CEX8, .mode = APV_MODE_CCA};
	struct pair pp, *p = &pp;
	struct apv_host_stats st0, st1;
	uint64_t upd0, z0[2];
	struct apv_mdev_info mi;

	scenario_boot(p, k, "config-change deferral", false);
	EXPECT(0, apv_mdev_assign_adapter(s_->h, M0, 7));
	EXPECT(0, apv_mdev_assign_domain(s_->h, M0, 9));
	expect_shadow(p, "5,6", "4,7");
	/* over-provisioned ids do not reach the guest */
	EXPECT(0, apv_hw_adapter_add(s_->h, &a7, APV_EV_NOSCAN));
	EXPECT(0, apv_hw_domain_set(s_->h, 9, true, APV_EV_NOSCAN));
	expect_shadow(p, "5,6", "4,7");

	apv_host_stats(p->s[IDX].h, &st0);
	upd0 = apv_kvm_crycb_updates(p->s[IDX].kvm[0]);
	for (int i = 0; i < 2; i++) {
		struct apv_host_stats s;

		apv_host_stats(p->s[i].h, &s);
		z0[i] = s.zapq;
	}
	EXPECT(0, scan_rc(s_->h));
	apv_host_stats(p->s[IDX].h, &st1);
	expect_shadow(p, "5,6,7", "4,7,9");
	expect_guest(p, "5,6,7", "4,7,9");
	CHECK(apv_kvm_crycb_updates(p->s[IDX].kvm[0]) == upd0 + 1,
	      "guest updated %llu times during the scan, expected once",
	      (unsigned long long)(apv_kvm_crycb_updates(p->s[IDX].kvm[0]) -
				   upd0));
	/* 5 new queues probed (05.0009 06.0009 07.0004 07.0007 07.0009),
	 * but only scan completion filters */
	CHECK(st1.probes - st0.probes == 5, "probes %llu",
	      (unsigned long long)(st1.probes - st0.probes));
	CHECK(st1.filter_runs - st0.filter_runs == 1,
	      "filter ran %llu times during the scan, expected once",
	      (unsigned long long)(st1.filter_runs - st0.filter_runs));
	for (int i = 0; i < 2; i++) {
		struct apv_host_stats s;

		apv_host_stats(p->s[i].h, &s);
		CHECK(s.zapq == z0[i], "the scan zeroized %llu queues",
		      (unsigned long long)(s.zapq - z0[i]));
	}
	assert_int_equal(apv_mdev_info(p->s[IDX].h, M0, &mi), 0);
	assert_true(apv_bm_empty(&mi.apm_add) && apv_bm_empty(&mi.aqm_add));
	assert_int_equal(mi.linked, 9);
	pair_free(p);
}

static void test_deferral_612(void **state)
{
	(void)state;
	deferral(APV_KERNEL_6_12);
}

static void test_deferral_61(void **state)
{
	(void)state;
	deferral(APV_KERNEL_6_1);
}

/*
 * An adapter filtered because one queue left vfio_ap comes back when that
 * queue is bound again (spec §7 step 10); while it is missing, other probes
 * re-filter but keep it out.
 */
static void rebind(enum apv_kernel k)
{
	struct pair pp, *p = &pp;
	enum apv_queue_status qs;

	scenario_boot(p, k, "filtered adapter rebound", false);
	EXPECT(0, apv_bus_unbind(s_->h, "vfio_ap", "05.0007"));
	expect_shadow(p, "6", "4,7");
	expect_guest(p, "6", "4,7");
	assert_int_equal(
		apv_vfio_queue_status(p->s[IDX].h, APV_APQN(5, 4), &qs), 0);
	assert_int_equal(qs, APV_QSTATUS_ASSIGNED);
	/* not reserved for the host: zcrypt may not take it */
	EXPECT(-ENODEV, apv_bus_bind(s_->h, "cex4queue", "05.0007"));
	/* another adapter's probe re-filters; 05 stays out */
	EXPECT(0, apv_bus_unbind(s_->h, "vfio_ap", "06.0004"));
	expect_shadow(p, "-", "4,7");
	EXPECT(0, apv_bus_bind(s_->h, "vfio_ap", "06.0004"));
	expect_shadow(p, "6", "4,7");
	/* 05.0004 leaves too and comes back: still incomplete */
	EXPECT(0, apv_bus_unbind(s_->h, "vfio_ap", "05.0004"));
	EXPECT(0, apv_bus_bind(s_->h, "vfio_ap", "05.0004"));
	expect_shadow(p, "6", "4,7");
	/* the missing queue is bound again: 05 is plugged */
	EXPECT(0, apv_bus_bind(s_->h, "vfio_ap", "05.0007\n"));
	expect_shadow(p, "5,6", "4,7");
	expect_guest(p, "5,6", "4,7");
	assert_int_equal(
		apv_vfio_queue_status(p->s[IDX].h, APV_APQN(5, 4), &qs), 0);
	assert_int_equal(qs, APV_QSTATUS_IN_USE);
	pair_free(p);
}

static void test_rebind_612(void **state)
{
	(void)state;
	rebind(APV_KERNEL_6_12);
}

static void test_rebind_61(void **state)
{
	(void)state;
	rebind(APV_KERNEL_6_1);
}

/*
 * Unassigning the domain whose queue was missing makes adapter 05 complete
 * again, but unassign does not re-filter (spec §3.3.2): 05 stays out of the
 * guest until the next filter run (here: a probe of an owned queue).  The
 * indexed filter must not "see" the completed adapter early.
 */
static void unassign_no_refilter(enum apv_kernel k)
{
	struct pair pp, *p = &pp;

	scenario_boot(p, k, "unassign does not re-filter", false);
	EXPECT(0, apv_bus_unbind(s_->h, "vfio_ap", "05.0007"));
	expect_shadow(p, "6", "4,7");
	EXPECT(0, apv_mdev_unassign_domain(s_->h, M0, 7));
	expect_shadow(p, "6", "4");
	expect_guest(p, "6", "4");
	/* 05.0007 is no longer assigned: its probe does not filter */
	EXPECT(0, apv_bus_bind(s_->h, "vfio_ap", "05.0007"));
	expect_shadow(p, "6", "4");
	/* a control domain only re-filters the ADM */
	EXPECT(0, apv_mdev_assign_control_domain(s_->h, M0, 4));
	expect_shadow(p, "6", "4");
	/* unassigning what is not assigned changes nothing */
	EXPECT(0, apv_mdev_unassign_adapter(s_->h, M0, 9));
	EXPECT(0, apv_mdev_unassign_domain(s_->h, M0, 7));
	expect_shadow(p, "6", "4");
	/* the next probe of an owned queue re-filters: 05 comes back */
	EXPECT(0, apv_bus_unbind(s_->h, "vfio_ap", "06.0004"));
	expect_shadow(p, "-", "4");
	EXPECT(0, apv_bus_bind(s_->h, "vfio_ap", "06.0004"));
	expect_shadow(p, "5,6", "4");
	expect_guest(p, "5,6", "4");
	pair_free(p);
}

static void test_unassign_612(void **state)
{
	(void)state;
	unassign_no_refilter(APV_KERNEL_6_12);
}

static void test_unassign_61(void **state)
{
	(void)state;
	unassign_no_refilter(APV_KERNEL_6_1);
}

/*
 * A domain leaving and re-entering the host configuration changes every
 * assigned adapter's count at once; a domain that is assigned but absent
 * from the host never filters an adapter.
 */
static void domain_churn(enum apv_kernel k)
{
	struct pair pp, *p = &pp;

	scenario_boot(p, k, "domain leaves and returns", true);
	EXPECT(0, apv_mdev_assign_adapter(s_->h, M0, 7));
	expect_shadow(p, "5,6,7", "4,7");
	EXPECT(0, apv_mdev_assign_domain(s_->h, M0, 8));
	expect_shadow(p, "5,6,7", "4,7"); /* 8 is over-provisioned */
	EXPECT(0, apv_hw_domain_set(s_->h, 7, false, 0));
	expect_shadow(p, "5,6,7", "4");
	/* 07.0004 leaves: 07 filtered; then domain 7 comes back with its
	 * queues probed during the scan */
	EXPECT(0, apv_bus_unbind(s_->h, "vfio_ap", "07.0004"));
	expect_shadow(p, "5,6", "4");
	EXPECT(0, apv_hw_domain_set(s_->h, 7, true, 0));
	expect_shadow(p, "5,6", "4,7");
	EXPECT(0, apv_bus_bind(s_->h, "vfio_ap", "07.0004"));
	expect_shadow(p, "5,6,7", "4,7");
	/* domain 8 appears: every adapter gets a new queue in one scan */
	EXPECT(0, apv_hw_domain_set(s_->h, 8, true, 0));
	expect_shadow(p, "5,6,7", "4,7,8");
	/* adapter 06 leaves the configuration and comes back */
	EXPECT(0, apv_hw_adapter_remove(s_->h, 6, 0));
	expect_shadow(p, "5,7", "4,7,8");
	EXPECT(0, apv_hw_adapter_restore(s_->h, 6, 0));
	expect_shadow(p, "5,6,7", "4,7,8");
	expect_guest(p, "5,6,7", "4,7,8");
	pair_free(p);
}

static void test_domain_churn_612(void **state)
{
	(void)state;
	domain_churn(APV_KERNEL_6_12);
}

static void test_domain_churn_61(void **state)
{
	(void)state;
	domain_churn(APV_KERNEL_6_1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deconfigured_612),
		cmocka_unit_test(test_deconfigured_61),
		cmocka_unit_test(test_deferral_612),
		cmocka_unit_test(test_deferral_61),
		cmocka_unit_test(test_rebind_612),
		cmocka_unit_test(test_rebind_61),
		cmocka_unit_test(test_unassign_612),
		cmocka_unit_test(test_unassign_61),
		cmocka_unit_test(test_domain_churn_612),
		cmocka_unit_test(test_domain_churn_61),
		cmocka_unit_test(test_random_612),
		cmocka_unit_test(test_random_61),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
