// SPDX-License-Identifier: MIT
/*
 * Unit tests for src/lib/machine/hw.c and the host boot (src/lib/host.c) through
 * the public API: config validation, boot-time masks, the id limits taken
 * from QCI, hosts without QCI, the first bus scan and card types per kernel
 * profile, and the machine's hardware events and state queries.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "host_kit.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- config validation --------------------------------------------- */

static void test_config_init_defaults(void **state)
{
	struct apv_host_config c;

	(void)state;
	memset(&c, 0xa5, sizeof(c));
	apv_host_config_init(&c);
	assert_int_equal(c.kernel, APV_KERNEL_6_12);
	assert_true(c.qci);
	assert_true(c.apxa);
	assert_true(c.irq);
	assert_int_equal(c.na, 255);
	assert_int_equal(c.nd, 255);
	assert_null(c.adapters);
	assert_int_equal(c.n_adapters, 0);
	assert_true(apv_bm_empty(&c.domains));
	assert_true(apv_bm_empty(&c.control_domains));
	assert_null(c.apmask);
	assert_null(c.aqmask);
	assert_false(c.no_vfio_ap);
	assert_string_equal(apv_kernel_name(APV_KERNEL_6_12), "6.12");
	assert_string_equal(apv_kernel_name(APV_KERNEL_6_1), "6.1");
}

enum bad_cfg {
	BAD_KERNEL,
	BAD_NA,
	BAD_ND,
	BAD_ADAPTERS_NULL,
	BAD_ADAPTER_ID_NO_APXA,
	BAD_ADAPTER_ID_ABOVE_NA,
	BAD_ADAPTER_TYPE_ZERO,
	BAD_ADAPTER_TYPE_256,
	BAD_ADAPTER_MODE,
	BAD_ADAPTER_QD,
	BAD_ADAPTER_ML,
	BAD_ADAPTER_TWICE,
	BAD_DOMAIN_NO_APXA,
	BAD_DOMAIN_ABOVE_ND,
	BAD_CONTROL_DOMAIN_NO_APXA,
	BAD_CONTROL_DOMAIN_ABOVE_ND,
};

static const struct { /* NOLINT(clang-analyzer-optin.performance.Padding) */
	enum bad_cfg what;
	const char *field;	/* the reason's message starts with it */
	enum apv_rule rule;
} bad_cfgs[] = {
	{BAD_KERNEL, "kernel:", APV_RULE_SYNTAX},
	{BAD_NA, "na:", APV_RULE_RANGE},
	{BAD_ND, "nd:", APV_RULE_RANGE},
	{BAD_ADAPTERS_NULL, "adapters:", APV_RULE_SYNTAX},
	{BAD_ADAPTER_ID_NO_APXA, "adapters[1]:", APV_RULE_RANGE},
	{BAD_ADAPTER_ID_ABOVE_NA, "adapters[1]:", APV_RULE_RANGE},
	{BAD_ADAPTER_TYPE_ZERO, "adapters[1]:", APV_RULE_SYNTAX},
	{BAD_ADAPTER_TYPE_256, "adapters[1]:", APV_RULE_SYNTAX},
	{BAD_ADAPTER_MODE, "adapters[1]:", APV_RULE_SYNTAX},
	{BAD_ADAPTER_QD, "adapters[1]:", APV_RULE_RANGE},
	{BAD_ADAPTER_ML, "adapters[1]:", APV_RULE_RANGE},
	{BAD_ADAPTER_TWICE, "adapters[1]:", APV_RULE_EXISTS},
	{BAD_DOMAIN_NO_APXA, "domains:", APV_RULE_RANGE},
	{BAD_DOMAIN_ABOVE_ND, "domains:", APV_RULE_RANGE},
	{BAD_CONTROL_DOMAIN_NO_APXA, "control_domains:", APV_RULE_RANGE},
	{BAD_CONTROL_DOMAIN_ABOVE_ND, "control_domains:", APV_RULE_RANGE},
};

static void make_bad(struct kit *k, enum bad_cfg what)
{
	struct apv_adapter_spec *s;

	kit_init(k, APV_KERNEL_6_12);
	kit_adapter(k, 1, APV_TYPE_CEX7, APV_MODE_CCA);
	s = kit_adapter(k, 2, APV_TYPE_CEX8, APV_MODE_ACCEL);
	k->cfg.domains = BM(1, 2);
	switch (what) {
	case BAD_KERNEL:
		k->cfg.kernel = (enum apv_kernel)7;
		break;
	case BAD_NA:
		k->cfg.na = 256;
		break;
	case BAD_ND:
		k->cfg.nd = 1000;
		break;
	case BAD_ADAPTERS_NULL:
		break; /* handled by the caller */
	case BAD_ADAPTER_ID_NO_APXA:
		k->cfg.apxa = false;
		s->id = 64;
		break;
	case BAD_ADAPTER_ID_ABOVE_NA:
		k->cfg.na = 100;
		s->id = 101;
		break;
	case BAD_ADAPTER_TYPE_ZERO:
		s->type = 0;
		break;
	case BAD_ADAPTER_TYPE_256:
		s->type = 256;
		break;
	case BAD_ADAPTER_MODE:
		s->mode = (enum apv_mode)3;
		break;
	case BAD_ADAPTER_QD:
		s->qd = 16;
		break;
	case BAD_ADAPTER_ML:
		s->ml = 16;
		break;
	case BAD_ADAPTER_TWICE:
		s->id = 1;
		break;
	case BAD_DOMAIN_NO_APXA:
		k->cfg.apxa = false;
		apv_bm_set(&k->cfg.domains, 16);
		break;
	case BAD_DOMAIN_ABOVE_ND:
		k->cfg.nd = 40;
		apv_bm_set(&k->cfg.domains, 41);
		break;
	case BAD_CONTROL_DOMAIN_NO_APXA:
		k->cfg.apxa = false;
		apv_bm_set(&k->cfg.control_domains, 16);
		break;
	case BAD_CONTROL_DOMAIN_ABOVE_ND:
		k->cfg.nd = 40;
		apv_bm_set(&k->cfg.control_domains, 200);
		break;
	}
}

static void test_config_errors_name_the_field(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad_cfgs); i++) {
		struct apv_host *h = NULL;
		const struct apv_reason *r;
		struct kit k;
		int rc;

		make_bad(&k, bad_cfgs[i].what);
		if (bad_cfgs[i].what == BAD_ADAPTERS_NULL) {
			k.cfg.adapters = NULL;
			k.cfg.n_adapters = 2;
			rc = apv_host_new(&k.cfg, &h);
		} else {
			rc = kit_try_boot(&k, &h);
		}
		r = apv_reason_last();
		if (rc != -EINVAL ||
		    strncmp(r->msg, bad_cfgs[i].field,
			    strlen(bad_cfgs[i].field)) != 0)
			fail_msg("case %zu: rc %d, msg \"%s\", want \"%s...\"",
				 i, rc, r->msg, bad_cfgs[i].field);
		assert_int_equal(r->err, -EINVAL);
		assert_int_equal(r->rule, bad_cfgs[i].rule);
		assert_null(h);
	}
}

static void test_config_error_then_success_clears_reason(void **state)
{
	struct apv_host *h = NULL;
	struct kit k;

	(void)state;
	make_bad(&k, BAD_ADAPTER_QD);
	assert_int_equal(kit_try_boot(&k, &h), -EINVAL);
	assert_int_equal(apv_reason_last()->err, -EINVAL);
	make_bad(&k, BAD_ADAPTER_QD);
	k.ad[1].qd = 15;
	k.ad[1].ml = 15;
	h = kit_boot(&k);
	assert_int_equal(apv_reason_last()->err, 0);
	assert_int_equal(apv_reason_last()->rule, APV_RULE_NONE);
	assert_int_equal(apv_host_kernel(h), APV_KERNEL_6_12);
	apv_host_free(h);
	apv_host_free(NULL); /* NULL-safe */
}

/* The limits themselves are valid: id == Na, domain == Nd, type 255. */
static void test_config_edges_accepted(void **state)
{
	struct apv_host *h;
	struct kit k;

	(void)state;
	kit_init(&k, APV_KERNEL_6_12);
	k.cfg.na = 100;
	k.cfg.nd = 40;
	kit_adapter(&k, 100, APV_TYPE_CEX8, APV_MODE_EP11);
	kit_adapter(&k, 0, 255, APV_MODE_ACCEL);
	k.cfg.domains = BM(0, 40);
	k.cfg.control_domains = BM(40);
	h = kit_boot(&k);
	assert_true(bm_has(kit_cards(h), 100));
	apv_host_free(h);
}

/* ---- boot-time apmask / aqmask -------------------------------------- */

static struct apv_host *boot_masks(const char *apmask, const char *aqmask)
{
	struct kit k;

	kit_init(&k, APV_KERNEL_6_12);
	kit_adapter(&k, 1, APV_TYPE_CEX7, APV_MODE_CCA);
	kit_adapter(&k, 5, APV_TYPE_CEX7, APV_MODE_CCA);
	k.cfg.domains = BM(4, 0x47);
	k.cfg.apmask = apmask;
	k.cfg.aqmask = aqmask;
	return kit_boot(&k);
}

static void test_boot_masks_default_all_ones(void **state)
{
	struct apv_host *h = boot_masks(NULL, NULL);

	(void)state;
	assert_bm_equal(kit_apmask(h), BM_FULL());
	assert_bm_equal(kit_aqmask(h), BM_FULL());
	assert_driver(h, "01.0004", "cex4queue");
	assert_driver(h, "05.0047", "cex4queue");
	apv_host_free(h);
}

static void test_boot_masks_start_at_zero(void **state)
{
	struct apv_host *h;

	(void)state;
	/* absolute: ids 1 and 7; relative: applied on top of zero */
	h = boot_masks("0x41", "+4,+0x47");
	assert_bm_equal(kit_apmask(h), BM(1, 7));
	assert_bm_equal(kit_aqmask(h), BM(4, 0x47));
	assert_true(apv_bus_reserved(h, APV_APQN(1, 4)));
	assert_false(apv_bus_reserved(h, APV_APQN(5, 4)));
	assert_driver(h, "01.0004", "cex4queue");
	assert_driver(h, "01.0047", "cex4queue");
	assert_driver(h, "05.0004", "vfio_ap");
	assert_driver(h, "05.0047", "vfio_ap");
	apv_host_free(h);

	/* "-5" on a zero mask stays zero (not all ones minus 5) */
	h = boot_masks("-5", NULL);
	assert_bm_equal(kit_apmask(h), BM0());
	assert_bm_equal(kit_aqmask(h), BM_FULL());
	assert_driver(h, "01.0004", "vfio_ap");
	apv_host_free(h);

	/* a relative range: "+0-3" sets 0..3 */
	h = boot_masks(NULL, "+0-3");
	assert_bm_equal(kit_aqmask(h), BM(0, 1, 2, 3));
	assert_driver(h, "05.0004", "vfio_ap");
	apv_host_free(h);
}

static void test_boot_masks_parse_error_leaves_zero(void **state)
{
	static const char *const bad[] = {
		"0xZZ", "+300", "0X41", "+1,junk", "0x41\n\n",
		"0x00000000000000000000000000000000000000000000000000000000000000001",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct apv_host *h = boot_masks(bad[i], bad[i]);

		assert_bm_equal(kit_apmask(h), BM0());
		assert_bm_equal(kit_aqmask(h), BM0());
		/* nothing is reserved for the host: vfio_ap gets it all */
		assert_driver(h, "01.0004", "vfio_ap");
		assert_bindings(h, 4, 4, true);
		apv_host_free(h);
	}
}

/* ---- id limits -------------------------------------------------------- */

static void assert_mdev_limits(struct apv_host *h, unsigned int apm_max,
			       unsigned int aqm_max)
{
	struct apv_mdev_info mi;
	uint8_t u[16];

	kit_uuid(u, 1);
	assert_int_equal(apv_mdev_create(h, u), 0);
	mi = kit_info(h, u);
	assert_int_equal(mi.apm_max, apm_max);
	assert_int_equal(mi.aqm_max, aqm_max);
	assert_int_equal(mi.adm_max, aqm_max);
	assert_int_equal(apv_mdev_assign_adapter(h, u, apm_max + 1UL),
			 -ENODEV);
	assert_int_equal(apv_mdev_assign_domain(h, u, aqm_max + 1UL), -ENODEV);
	assert_int_equal(apv_mdev_remove(h, u), 0);
}

static void test_max_ids_apxa_na_nd(void **state)
{
	struct apv_host *h;
	struct apv_qci q;
	struct kit k;

	(void)state;
	kit_init(&k, APV_KERNEL_6_12);
	k.cfg.na = 100;
	k.cfg.nd = 40;
	kit_adapter(&k, 64, APV_TYPE_CEX6, APV_MODE_CCA);
	kit_adapter(&k, 100, APV_TYPE_CEX8, APV_MODE_CCA);
	k.cfg.domains = BM(1, 16, 40);
	h = kit_boot(&k);
	/* ids above 63/15 are scanned: the bus uses Na/Nd */
	assert_bm_equal(kit_cards(h), BM(64, 100));
	assert_bm_equal(kit_queues(h, 100), BM(1, 16, 40));
	assert_bm_equal(kit_queues(h, 64), BM(1, 16, 40));
	q = kit_qci(h);
	assert_true(q.available);
	assert_true(q.apxa);
	assert_int_equal(q.na, 100);
	assert_int_equal(q.nd, 40);
	assert_mdev_limits(h, 100, 40);
	/* the machine refuses ids above its Na/Nd */
	assert_int_equal(apv_hw_domain_set(h, 41, true, 0), -EINVAL);
	assert_int_equal(apv_reason_last()->rule, APV_RULE_RANGE);
	assert_true(apv_reason_last()->has_id);
	assert_int_equal(apv_reason_last()->id, 41);
	{
		struct apv_adapter_spec s = {.id = 101, .type = APV_TYPE_CEX8};

		assert_int_equal(apv_hw_adapter_add(h, &s, 0), -EINVAL);
		assert_int_equal(apv_reason_last()->rule, APV_RULE_RANGE);
	}
	apv_host_free(h);
}

static void test_max_ids_no_apxa(void **state)
{
	struct apv_host *h;
	struct kit k;

	(void)state;
	kit_init(&k, APV_KERNEL_6_12);
	k.cfg.apxa = false; /* Na/Nd are ignored without APXA */
	kit_adapter(&k, 63, APV_TYPE_CEX7, APV_MODE_CCA);
	k.cfg.domains = BM(0, 15);
	h = kit_boot(&k);
	assert_bm_equal(kit_cards(h), BM(63));
	assert_bm_equal(kit_queues(h, 63), BM(0, 15));
	assert_false(kit_qci(h).apxa);
	assert_mdev_limits(h, 63, 15);
	assert_int_equal(apv_hw_domain_set(h, 16, true, 0), -EINVAL);
	apv_host_free(h);
}

/*
 * APXA with Na = Nd = 0: vfio_ap takes the zeros as its limits (spec §1.1).
 * The bus keeps 63/15, which no public query shows: with Na = 0 the machine
 * cannot hold an adapter above 0.
 */
static void test_max_ids_apxa_zero(void **state)
{
	struct apv_host *h;
	struct kit k;

	(void)state;
	kit_init(&k, APV_KERNEL_6_12);
	k.cfg.na = 0;
	k.cfg.nd = 0;
	kit_adapter(&k, 0, APV_TYPE_CEX7, APV_MODE_ACCEL);
	k.cfg.domains = BM(0);
	h = kit_boot(&k);
	assert_bm_equal(kit_cards(h), BM(0));
	assert_bm_equal(kit_queues(h, 0), BM(0));
	assert_mdev_limits(h, 0, 0);
	apv_host_free(h);
}

/* ---- hosts without QCI ---------------------------------------------- */

static struct apv_host *boot_no_qci(enum apv_kernel kernel)
{
	struct kit k;

	kit_init(&k, kernel);
	k.cfg.qci = false; /* the machine itself still addresses 0..255 */
	kit_adapter(&k, 5, APV_TYPE_CEX7, APV_MODE_CCA);
	kit_adapter(&k, 63, APV_TYPE_CEX6, APV_MODE_ACCEL);
	kit_adapter(&k, 64, APV_TYPE_CEX7, APV_MODE_CCA);
	k.cfg.domains = BM(4, 15, 16, 0x47);
	return kit_boot(&k);
}

static void test_no_qci_probes_up_to_63_15(void **state)
{
	struct apv_host *h = boot_no_qci(APV_KERNEL_6_12);
	struct apv_qci q = kit_qci(h);

	(void)state;
	/* QCI masks are unavailable */
	assert_false(q.available);
	assert_true(apv_bm_empty(&q.apm));
	assert_true(apv_bm_empty(&q.aqm));
	assert_true(apv_bm_empty(&q.adm));
	/* every id <= 63 / <= 15 is probed, nothing above */
	assert_bm_equal(kit_cards(h), BM(5, 63));
	assert_bm_equal(kit_queues(h, 5), BM(4, 15));
	assert_bm_equal(kit_queues(h, 63), BM(4, 15));
	assert_false(apv_bus_queue_exists(h, APV_APQN(5, 16)));
	assert_false(apv_bus_queue_exists(h, APV_APQN(64, 4)));
	assert_bindings(h, 4, 4, true);
	/* vfio_ap's copy of QCI is all zero: default limits 63/15 */
	assert_mdev_limits(h, 63, 15);
	apv_host_free(h);
}

static void test_no_qci_events_seen_by_probing(void **state)
{
	struct apv_host *h = boot_no_qci(APV_KERNEL_6_12);
	struct apv_adapter_spec s = {.id = 7, .type = APV_TYPE_CEX8,
				     .mode = APV_MODE_EP11};

	(void)state;
	assert_int_equal(apv_hw_adapter_add(h, &s, APV_EV_NOSCAN), 0);
	assert_false(bm_has(kit_cards(h), 7));
	apv_bus_scan(h);
	assert_bm_equal(kit_cards(h), BM(5, 7, 63));
	assert_bm_equal(kit_queues(h, 7), BM(4, 15));
	assert_int_equal(apv_hw_adapter_remove(h, 5, 0), 0);
	assert_bm_equal(kit_cards(h), BM(7, 63));
	assert_false(kit_qci(h).available);
	apv_host_free(h);
}

/* ---- the first scan ------------------------------------------------- */

static void test_first_scan_creates_devices(void **state)
{
	struct apv_host_stats st;
	struct apv_adapter_state as;
	struct apv_host *h;
	struct kit k;

	(void)state;
	kit_init(&k, APV_KERNEL_6_12);
	kit_adapter(&k, 3, APV_TYPE_CEX5, APV_MODE_ACCEL);
	kit_adapter(&k, 9, APV_TYPE_CEX8, APV_MODE_EP11)->standby = true;
	kit_adapter(&k, 0xfe, APV_TYPE_CEX4, APV_MODE_CCA);
	k.cfg.domains = BM(0, 2, 0xfe);
	k.cfg.control_domains = BM(1, 2); /* control-only 1: no queue */
	h = kit_boot(&k);

	st = kit_stats(h);
	assert_int_equal(st.scans, 1);
	assert_int_equal(st.probes, 9);
	assert_bm_equal(kit_cards(h), BM(3, 9, 0xfe));
	assert_bm_equal(kit_queues(h, 3), BM(0, 2, 0xfe));
	assert_bm_equal(kit_queues(h, 9), BM(0, 2, 0xfe));
	assert_bm_equal(kit_queues(h, 0xfe), BM(0, 2, 0xfe));
	assert_false(apv_bus_queue_exists(h, APV_APQN(3, 1)));
	assert_false(apv_bus_queue_exists(h, APV_APQN(4, 0)));
	assert_int_equal(apv_bus_card_queues(h, 4, &(struct apv_bitmap){{0}}),
			 -ENODEV);
	assert_bindings(h, 9, 9, true);
	assert_driver(h, "card03", "cex4card");
	assert_driver(h, "card09", "cex4card");
	assert_driver(h, "03.0000", "cex4queue");
	assert_driver(h, "fe.00fe", "cex4queue");
	assert_driver(h, "card04", "<none>");

	/* the standby adapter is in the configuration, configured off */
	as = kit_adapter_state(h, 9);
	assert_true(as.in_config);
	assert_false(as.configured);
	assert_false(as.chkstop);
	assert_int_equal(as.spec.type, APV_TYPE_CEX8);
	assert_int_equal(as.functions & APV_FUNC_EP11, APV_FUNC_EP11);

	/* QCI reports the configuration */
	{
		struct apv_qci q = kit_qci(h);

		assert_bm_equal(q.apm, BM(3, 9, 0xfe));
		assert_bm_equal(q.aqm, BM(0, 2, 0xfe));
		assert_bm_equal(q.adm, BM(1, 2));
	}
	apv_host_free(h);
}

/* ---- card types ----------------------------------------------------- */

static struct apv_host *boot_all_types(enum apv_kernel kernel, bool qact)
{
	struct kit k;

	kit_init(&k, kernel);
	k.cfg.qact = qact;
	kit_adapter(&k, 0x10, APV_TYPE_CEX4, APV_MODE_ACCEL);
	kit_adapter(&k, 0x11, APV_TYPE_CEX5, APV_MODE_CCA);
	kit_adapter(&k, 0x12, APV_TYPE_CEX6, APV_MODE_EP11);
	kit_adapter(&k, 0x13, APV_TYPE_CEX7, APV_MODE_CCA);
	kit_adapter(&k, 0x14, APV_TYPE_CEX8, APV_MODE_ACCEL);
	kit_adapter(&k, 0x20, APV_TYPE_CEX2A, APV_MODE_ACCEL);
	kit_adapter(&k, 0x21, APV_TYPE_CEX2C, APV_MODE_CCA);
	kit_adapter(&k, 0x22, APV_TYPE_CEX3A, APV_MODE_ACCEL);
	kit_adapter(&k, 0x23, APV_TYPE_CEX3C, APV_MODE_CCA);
	kit_adapter(&k, 0x24, 5, APV_MODE_CCA); /* PCIXCC */
	kit_adapter(&k, 0x30, 15, APV_MODE_CCA);
	kit_adapter(&k, 0x31, 200, APV_MODE_ACCEL);
	k.cfg.domains = BM(1);
	return kit_boot(&k);
}

static void assert_cex4_bound(struct apv_host *h, unsigned int apid)
{
	char card[APV_CARD_STRLEN], queue[APV_APQN_STRLEN];

	apv_card_str(apid, card);
	apv_apqn_str(APV_APQN(apid, 1), queue);
	assert_driver(h, card, "cex4card");
	assert_driver(h, queue, "cex4queue");
}

static void test_card_types_612(void **state)
{
	const char *names[8];
	struct apv_host *h = boot_all_types(APV_KERNEL_6_12, true);
	size_t n;

	(void)state;
	/* CEX4..CEX8 and > CEX8 (QACT) get cards; < CEX4 get none */
	assert_bm_equal(kit_cards(h),
			BM(0x10, 0x11, 0x12, 0x13, 0x14, 0x30, 0x31));
	for (unsigned int a = 0x10; a <= 0x14; a++)
		assert_cex4_bound(h, a);
	assert_cex4_bound(h, 0x30);
	assert_cex4_bound(h, 0x31);
	assert_driver(h, "card22", "<none>");
	assert_driver(h, "23.0001", "<none>");
	assert_bindings(h, 7, 7, true);
	/* the machine still has the old adapters in its configuration */
	assert_true(kit_adapter_state(h, 0x22).in_config);

	n = apv_bus_drivers(h, names, ARRAY_SIZE(names));
	assert_int_equal(n, 3);
	assert_string_equal(names[0], "cex4card");
	assert_string_equal(names[1], "cex4queue");
	assert_string_equal(names[2], "vfio_ap");
	apv_host_free(h);
}

static void test_card_types_61(void **state)
{
	const char *names[8];
	struct apv_host *h = boot_all_types(APV_KERNEL_6_1, true);
	size_t n;

	(void)state;
	assert_bm_equal(kit_cards(h), BM(0x10, 0x11, 0x12, 0x13, 0x14, 0x20,
					 0x21, 0x22, 0x23, 0x30, 0x31));
	for (unsigned int a = 0x10; a <= 0x14; a++)
		assert_cex4_bound(h, a);
	assert_cex4_bound(h, 0x30);
	assert_driver(h, "card20", "cex2acard");
	assert_driver(h, "20.0001", "cex2aqueue");
	assert_driver(h, "card22", "cex2acard");
	assert_driver(h, "22.0001", "cex2aqueue");
	assert_driver(h, "card21", "cex2ccard");
	assert_driver(h, "21.0001", "cex2cqueue");
	assert_driver(h, "card23", "cex2ccard");
	assert_driver(h, "23.0001", "cex2cqueue");
	assert_driver(h, "card24", "<none>"); /* below CEX2A */
	assert_bindings(h, 11, 11, true);

	n = apv_bus_drivers(h, names, ARRAY_SIZE(names));
	assert_int_equal(n, 7);
	assert_string_equal(names[2], "cex2acard");
	assert_string_equal(names[3], "cex2aqueue");
	assert_string_equal(names[4], "cex2ccard");
	assert_string_equal(names[5], "cex2cqueue");
	assert_string_equal(names[6], "vfio_ap");
	apv_host_free(h);
}

/* 6.1: vfio_ap refuses CEX2/CEX3 queues; not reserved -> unbound. */
static void test_card_types_61_vfio_refuses_cex2_cex3(void **state)
{
	struct apv_host *h = boot_all_types(APV_KERNEL_6_1, true);
	const struct apv_reason *r;

	(void)state;
	assert_int_equal(kit_store(h, true, "-0x20-0x23,-0x13"), 0);
	assert_driver(h, "13.0001", "vfio_ap");
	for (unsigned int a = 0x20; a <= 0x23; a++) {
		char queue[APV_APQN_STRLEN], card[APV_CARD_STRLEN];

		apv_apqn_str(APV_APQN(a, 1), queue);
		apv_card_str(a, card);
		assert_driver(h, queue, "");
		/* cards are not subject to the masks */
		assert_driver(h, card, a & 1 ? "cex2ccard" : "cex2acard");
		assert_int_equal(apv_bus_bind(h, "vfio_ap", queue), -ENODEV);
		r = apv_reason_last();
		assert_int_equal(r->rule, APV_RULE_NO_MATCH);
		assert_driver(h, queue, "");
		/* the default driver's probe refuses it too */
		assert_int_equal(apv_bus_bind(h, a & 1 ? "cex2cqueue" :
							 "cex2aqueue",
					      queue),
				 -ENODEV);
		assert_int_equal(apv_reason_last()->rule,
				 APV_RULE_PROBE_REFUSED);
	}
	assert_bindings(h, 7, 11, false);
	/* give them back to the host */
	assert_int_equal(kit_store(h, true, "+0x20-0x23"), 0);
	assert_driver(h, "20.0001", "cex2aqueue");
	assert_driver(h, "23.0001", "cex2cqueue");
	assert_bindings(h, 11, 11, true);
	apv_host_free(h);
}

/* A raw type above CEX8 maps to CEX8 with QACT; ignored without it. */
static void test_card_type_above_cex8(void **state)
{
	static const enum apv_kernel kernels[] = {APV_KERNEL_6_12,
						  APV_KERNEL_6_1};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(kernels); i++) {
		struct apv_host *h = boot_all_types(kernels[i], false);

		assert_false(bm_has(kit_cards(h), 0x30));
		assert_false(bm_has(kit_cards(h), 0x31));
		assert_false(apv_bus_queue_exists(h, APV_APQN(0x30, 1)));
		assert_true(bm_has(kit_cards(h), 0x14));
		apv_host_free(h);

		h = boot_all_types(kernels[i], true);
		assert_true(bm_has(kit_cards(h), 0x30));
		/* a compatible CEX8 queue: vfio_ap may take it */
		assert_int_equal(kit_store(h, true, "-0x30"), 0);
		assert_driver(h, "30.0001", "vfio_ap");
		apv_host_free(h);
	}
}

/* ---- hardware events and state ------------------------------------- */

static struct apv_host *boot_small(enum apv_kernel kernel)
{
	struct kit k;

	kit_init(&k, kernel);
	kit_adapter(&k, 5, APV_TYPE_CEX7, APV_MODE_CCA);
	kit_adapter(&k, 6, APV_TYPE_CEX7, APV_MODE_ACCEL);
	k.cfg.domains = BM(4, 0x47);
	k.cfg.control_domains = BM(4);
	return kit_boot(&k);
}

static void test_hw_adapter_state_queries(void **state)
{
	struct apv_host *h = boot_small(APV_KERNEL_6_12);
	struct apv_adapter_state as;

	(void)state;
	as = kit_adapter_state(h, 5);
	assert_int_equal(as.spec.id, 5);
	assert_int_equal(as.spec.type, APV_TYPE_CEX7);
	assert_int_equal(as.spec.mode, APV_MODE_CCA);
	assert_true(as.in_config);
	assert_true(as.configured);
	assert_false(as.chkstop);
	/* derived facility word: CCA coprocessor, APXA from the host */
	assert_int_equal(as.functions & (APV_FUNC_CCA | APV_FUNC_ACCEL |
					 APV_FUNC_EP11 | APV_FUNC_APXA),
			 APV_FUNC_CCA | APV_FUNC_APXA);
	as = kit_adapter_state(h, 6);
	assert_int_equal(as.functions & (APV_FUNC_CCA | APV_FUNC_ACCEL |
					 APV_FUNC_EP11),
			 APV_FUNC_ACCEL);

	assert_int_equal(apv_hw_adapter_state(h, 7, &as), -ENODEV);
	assert_int_equal(apv_reason_last()->rule, APV_RULE_NO_DEVICE);
	assert_int_equal(apv_hw_adapter_state(h, 256, &as), -ENODEV);
	apv_host_free(h);
}

static void test_hw_explicit_functions(void **state)
{
	struct apv_adapter_spec s = {.id = 9,
				     .type = APV_TYPE_CEX8,
				     .mode = APV_MODE_CCA,
				     .functions = APV_FUNC_EP11 |
						  APV_FUNC_APSC};
	struct apv_host *h = boot_small(APV_KERNEL_6_12);

	(void)state;
	assert_int_equal(apv_hw_adapter_add(h, &s, 0), 0);
	assert_int_equal(kit_adapter_state(h, 9).functions,
			 APV_FUNC_EP11 | APV_FUNC_APSC);
	apv_host_free(h);
}

static void test_hw_event_errors(void **state)
{
	struct apv_host *h = boot_small(APV_KERNEL_6_12);
	struct apv_adapter_spec s = {.id = 5, .type = APV_TYPE_CEX8};
	uint64_t scans = kit_stats(h).scans;

	(void)state;
	/* add an adapter that is in the configuration already */
	assert_int_equal(apv_hw_adapter_add(h, &s, 0), -EEXIST);
	assert_int_equal(apv_reason_last()->rule, APV_RULE_EXISTS);
	assert_int_equal(kit_adapter_state(h, 5).spec.type, APV_TYPE_CEX7);
	/* invalid spec */
	s.id = 8;
	s.type = 0;
	assert_int_equal(apv_hw_adapter_add(h, &s, 0), -EINVAL);
	s.type = APV_TYPE_CEX8;
	s.qd = 16;
	assert_int_equal(apv_hw_adapter_add(h, &s, 0), -EINVAL);
	/* never installed */
	assert_int_equal(apv_hw_adapter_remove(h, 8, 0), -ENODEV);
	assert_int_equal(apv_hw_adapter_restore(h, 8, 0), -ENODEV);
	assert_int_equal(apv_hw_adapter_configure(h, 8, false, 0), -ENODEV);
	assert_int_equal(apv_hw_adapter_checkstop(h, 8, true, 0), -ENODEV);
	assert_int_equal(apv_hw_adapter_remove(h, 300, 0), -ENODEV);
	/* restore of an adapter that is in the configuration */
	assert_int_equal(apv_hw_adapter_restore(h, 5, 0), -EEXIST);
	/* removed: configure/checkstop/remove need it in the config */
	assert_int_equal(apv_hw_adapter_remove(h, 6, APV_EV_NOSCAN), 0);
	assert_int_equal(apv_hw_adapter_remove(h, 6, 0), -ENODEV);
	assert_int_equal(apv_hw_adapter_configure(h, 6, false, 0), -ENODEV);
	assert_int_equal(apv_hw_adapter_checkstop(h, 6, true, 0), -ENODEV);
	/* domains: 0..Nd only */
	assert_int_equal(apv_hw_domain_set(h, 256, true, 0), -EINVAL);
	assert_int_equal(apv_hw_control_domain_set(h, 256, true, 0),
			 -EINVAL);
	/* failed events do not scan */
	assert_int_equal(kit_stats(h).scans, scans);
	apv_host_free(h);
}

static void test_hw_events_update_qci(void **state)
{
	struct apv_host *h = boot_small(APV_KERNEL_6_12);
	struct apv_adapter_spec s = {.id = 0x80, .type = APV_TYPE_CEX8,
				     .mode = APV_MODE_ACCEL};
	struct apv_adapter_state as;
	uint64_t scans = kit_stats(h).scans;

	(void)state;
	assert_int_equal(apv_hw_adapter_add(h, &s, APV_EV_NOSCAN), 0);
	assert_int_equal(apv_hw_adapter_remove(h, 5, APV_EV_NOSCAN), 0);
	assert_int_equal(apv_hw_domain_set(h, 0x10, true, APV_EV_NOSCAN), 0);
	assert_int_equal(apv_hw_domain_set(h, 4, false, APV_EV_NOSCAN), 0);
	assert_int_equal(apv_hw_control_domain_set(h, 0x20, true,
						   APV_EV_NOSCAN),
			 0);
	assert_int_equal(apv_hw_control_domain_set(h, 4, false,
						   APV_EV_NOSCAN),
			 0);
	/* the machine changed at once ... */
	{
		struct apv_qci q = kit_qci(h);

		assert_bm_equal(q.apm, BM(6, 0x80));
		assert_bm_equal(q.aqm, BM(0x10, 0x47));
		assert_bm_equal(q.adm, BM(0x20));
	}
	/* ... the removed adapter keeps its spec, out of the config */
	as = kit_adapter_state(h, 5);
	assert_false(as.in_config);
	assert_int_equal(as.spec.type, APV_TYPE_CEX7);
	/* ... but no scan ran */
	assert_int_equal(kit_stats(h).scans, scans);
	assert_bm_equal(kit_cards(h), BM(5, 6));
	assert_bm_equal(kit_queues(h, 6), BM(4, 0x47));

	apv_bus_scan(h);
	assert_int_equal(kit_stats(h).scans, scans + 1);
	assert_bm_equal(kit_cards(h), BM(6, 0x80));
	assert_bm_equal(kit_queues(h, 6), BM(0x10, 0x47));
	assert_bm_equal(kit_queues(h, 0x80), BM(0x10, 0x47));

	/* restore brings the old spec back; without NOSCAN it scans */
	assert_int_equal(apv_hw_adapter_restore(h, 5, 0), 0);
	assert_int_equal(kit_stats(h).scans, scans + 2);
	assert_true(kit_adapter_state(h, 5).in_config);
	assert_true(kit_adapter_state(h, 5).configured);
	assert_bm_equal(kit_cards(h), BM(5, 6, 0x80));
	assert_bm_equal(kit_queues(h, 5), BM(0x10, 0x47));
	apv_host_free(h);
}

/* A removed adapter may come back with a different spec. */
static void test_hw_readd_with_new_spec(void **state)
{
	struct apv_host *h = boot_small(APV_KERNEL_6_12);
	struct apv_adapter_spec s = {.id = 5, .type = APV_TYPE_CEX8,
				     .mode = APV_MODE_EP11, .qd = 3};
	struct apv_adapter_state as;

	(void)state;
	assert_int_equal(apv_hw_adapter_remove(h, 5, 0), 0);
	assert_int_equal(apv_hw_adapter_add(h, &s, 0), 0);
	as = kit_adapter_state(h, 5);
	assert_true(as.in_config);
	assert_int_equal(as.spec.type, APV_TYPE_CEX8);
	assert_int_equal(as.spec.mode, APV_MODE_EP11);
	assert_int_equal(as.spec.qd, 3);
	assert_driver(h, "05.0047", "cex4queue");
	apv_host_free(h);
}

static void test_hw_configure_and_checkstop_state(void **state)
{
	struct apv_host *h = boot_small(APV_KERNEL_6_12);
	struct apv_adapter_state as;

	(void)state;
	assert_int_equal(apv_hw_adapter_configure(h, 5, false, APV_EV_NOSCAN),
			 0);
	as = kit_adapter_state(h, 5);
	assert_true(as.in_config); /* still in QCI */
	assert_false(as.configured);
	assert_true(bm_has(kit_qci(h).apm, 5));

	assert_int_equal(apv_hw_adapter_checkstop(h, 6, true, APV_EV_NOSCAN),
			 0);
	assert_true(kit_adapter_state(h, 6).chkstop);
	assert_true(kit_adapter_state(h, 6).configured);

	/* both keep their cards and queues, also across scans */
	apv_bus_scan(h);
	assert_bm_equal(kit_cards(h), BM(5, 6));
	assert_bm_equal(kit_queues(h, 5), BM(4, 0x47));
	assert_bm_equal(kit_queues(h, 6), BM(4, 0x47));
	assert_driver(h, "05.0004", "cex4queue");
	assert_driver(h, "06.0047", "cex4queue");
	assert_bindings(h, 4, 4, true);

	assert_int_equal(apv_hw_adapter_configure(h, 5, true, 0), 0);
	assert_int_equal(apv_hw_adapter_checkstop(h, 6, false, 0), 0);
	assert_true(kit_adapter_state(h, 5).configured);
	assert_false(kit_adapter_state(h, 6).chkstop);
	assert_bm_equal(kit_cards(h), BM(5, 6));
	apv_host_free(h);
}

/* Stats: scans count; binding to zcrypt is a RAPQ, not a ZAPQ. */
static void test_hw_stats_zapq_vs_rapq(void **state)
{
	struct apv_host *h = boot_small(APV_KERNEL_6_12);
	struct apv_host_stats s0, s1;

	(void)state;
	s0 = kit_stats(h);
	assert_int_equal(s0.zapq, 0); /* booting resets with RAPQ only */
	assert_int_equal(s0.probes, 4);
	assert_int_equal(apv_bus_unbind(h, "cex4queue", "05.0004"), 0);
	s1 = kit_stats(h);
	assert_int_equal(s1.zapq, s0.zapq + 1);
	assert_int_equal(apv_bus_bind(h, "cex4queue", "05.0004"), 0);
	s1 = kit_stats(h);
	assert_int_equal(s1.zapq, s0.zapq + 1);
	assert_int_equal(s1.probes, s0.probes + 1);
	apv_bus_scan(h);
	apv_bus_scan(h);
	assert_int_equal(kit_stats(h).scans, s0.scans + 2);
	apv_host_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_init_defaults),
		cmocka_unit_test(test_config_errors_name_the_field),
		cmocka_unit_test(test_config_error_then_success_clears_reason),
		cmocka_unit_test(test_config_edges_accepted),
		cmocka_unit_test(test_boot_masks_default_all_ones),
		cmocka_unit_test(test_boot_masks_start_at_zero),
		cmocka_unit_test(test_boot_masks_parse_error_leaves_zero),
		cmocka_unit_test(test_max_ids_apxa_na_nd),
		cmocka_unit_test(test_max_ids_no_apxa),
		cmocka_unit_test(test_max_ids_apxa_zero),
		cmocka_unit_test(test_no_qci_probes_up_to_63_15),
		cmocka_unit_test(test_no_qci_events_seen_by_probing),
		cmocka_unit_test(test_first_scan_creates_devices),
		cmocka_unit_test(test_card_types_612),
		cmocka_unit_test(test_card_types_61),
		cmocka_unit_test(test_card_types_61_vfio_refuses_cex2_cex3),
		cmocka_unit_test(test_card_type_above_cex8),
		cmocka_unit_test(test_hw_adapter_state_queries),
		cmocka_unit_test(test_hw_explicit_functions),
		cmocka_unit_test(test_hw_event_errors),
		cmocka_unit_test(test_hw_events_update_qci),
		cmocka_unit_test(test_hw_readd_with_new_spec),
		cmocka_unit_test(test_hw_configure_and_checkstop_state),
		cmocka_unit_test(test_hw_stats_zapq_vs_rapq),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
