// SPDX-License-Identifier: MIT
/*
 * vfio_ap scenarios: the spec's canonical scenario (§7), the design
 * review's hot plug example, over-provisioning, the open/close/reset
 * contract, CRYCB formats, ap_config, control domains and the 6.1/6.12
 * differences in passability and reset scope.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <apvirt/bus.h>
#include <apvirt/format.h>
#include <apvirt/host.h>
#include <apvirt/kvm.h>
#include <apvirt/log.h>
#include <apvirt/parse.h>
#include <apvirt/reason.h>
#include <apvirt/vfio_ap.h>

#include "host_kit.h"

/* ---- fixtures ------------------------------------------------------- */

static struct apv_host *mkhost(enum apv_kernel k, const unsigned int *apids,
			       size_t na, int type, const unsigned int *doms,
			       size_t nd)
{
	struct kit kit;

	kit_init(&kit, k);
	for (size_t i = 0; i < na; i++)
		kit_adapter(&kit, apids[i], type, APV_MODE_ACCEL);
	for (size_t i = 0; i < nd; i++) {
		apv_bm_set(&kit.cfg.domains, doms[i]);
		apv_bm_set(&kit.cfg.control_domains, doms[i]);
	}
	return kit_boot(&kit);
}

static void uuid_n(uint8_t u[16], unsigned int n)
{
	char s[40];

	snprintf(s, sizeof(s), "%08x-0000-4000-8000-00000000abcd", n);
	assert_int_equal(apv_parse_uuid(s, 36, u), 0);
}

/* The text of matrix (shadow = false) or guest_matrix (shadow = true). */
static const char *mtx(struct apv_host *h, const uint8_t u[16], bool shadow)
{
	static char out[4096];
	struct apv_strbuf sb = APV_STRBUF_INIT;
	struct apv_mdev_info i;

	assert_int_equal(apv_mdev_info(h, u, &i), 0);
	if (shadow)
		apv_fmt_matrix(&sb, &i.sh_apm, &i.sh_aqm, i.apm_max, i.aqm_max);
	else
		apv_fmt_matrix(&sb, &i.apm, &i.aqm, i.apm_max, i.aqm_max);
	snprintf(out, sizeof(out), "%s", apv_sb_str(&sb));
	apv_sb_free(&sb);
	return out;
}

static const char *status(struct apv_host *h, apv_apqn q)
{
	enum apv_queue_status s;

	if (apv_vfio_queue_status(h, q, &s))
		return "(not bound)";
	return apv_queue_status_name(s);
}

static const char *mask_text(const struct apv_bitmap *m)
{
	static char out[80];
	struct apv_strbuf sb = APV_STRBUF_INIT;

	apv_fmt_mask(&sb, m);
	snprintf(out, sizeof(out), "%s", apv_sb_str(&sb));
	apv_sb_free(&sb);
	return out;
}

static bool log_has(struct apv_host *h, uint64_t since, const char *text)
{
	struct apv_log_entry e[64];
	size_t n = apv_log_read(h, since, e, 64);

	for (size_t i = 0; i < n; i++)
		if (strstr(e[i].text, text))
			return true;
	return false;
}

static size_t log_count(struct apv_host *h, uint64_t since, const char *text)
{
	struct apv_log_entry e[64];
	size_t n = apv_log_read(h, since, e, 64), c = 0;

	for (size_t i = 0; i < n; i++)
		if (strstr(e[i].text, text))
			c++;
	return c;
}

/* ---- canonical scenario (spec §7) ---------------------------------- */

static void test_canonical_scenario(void **state)
{
	static const unsigned int ads[] = {5, 6}, doms[] = {4, 0x47};
	struct apv_host *h = mkhost(APV_KERNEL_6_12, ads, 2, APV_TYPE_CEX7,
				    doms, 2);
	struct apv_bitmap apm;
	struct apv_kvm *k;
	uint8_t M[16], N[16];
	unsigned int inst;
	uint64_t seq, z0;
	char drv[32];

	/* 1: release adapters 5 and 6 from the host */
	z0 = apv_hw_queue_zeroized(h, APV_APQN(5, 4));
	assert_int_equal(apv_bus_store_mask(h, true, "-5,-6\n", 6), 0);
	apv_bus_masks(h, &apm, NULL);
	assert_string_equal(mask_text(&apm),
			    "0xf9ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\n");
	assert_int_equal(apv_bus_device_driver(h, "05.0047", drv, 32), 0);
	assert_string_equal(drv, "vfio_ap");
	assert_int_equal(apv_bus_device_driver(h, "06.0004", drv, 32), 0);
	assert_string_equal(drv, "vfio_ap");
	assert_true(apv_hw_queue_zeroized(h, APV_APQN(5, 4)) > z0);
	{
		unsigned int b, t;
		bool complete;

		apv_bus_bindings(h, &b, &t, &complete);
		assert_int_equal(b, 4);
		assert_int_equal(t, 4);
		assert_true(complete);
	}

	/* 2: create M */
	uuid_n(M, 1);
	uuid_n(N, 2);
	assert_int_equal(apv_mdev_create(h, M), 0);
	assert_int_equal(apv_vfio_available_instances(h, &inst), 0);
	assert_int_equal(inst, 65535);

	/* 3, 4, 5 */
	assert_int_equal(apv_mdev_assign_adapter(h, M, 5), 0);
	assert_string_equal(mtx(h, M, false), "05.\n");
	assert_string_equal(mtx(h, M, true), "05.\n");
	assert_int_equal(apv_mdev_assign_domain(h, M, 0x47), 0);
	assert_string_equal(mtx(h, M, false), "05.0047\n");
	assert_string_equal(mtx(h, M, true), "05.0047\n");
	assert_int_equal(apv_mdev_assign_domain(h, M, 4), 0);
	assert_string_equal(mtx(h, M, false), "05.0004\n05.0047\n");

	/* 6: out of range */
	assert_int_equal(apv_mdev_assign_adapter(h, M, 0x100), -ENODEV);
	assert_int_equal(apv_reason_last()->rule, APV_RULE_RANGE);

	/* 7: domain 8 is over-provisioned: assigned, not in the guest */
	assert_int_equal(apv_mdev_assign_domain(h, M, 8), 0);
	assert_string_equal(mtx(h, M, false), "05.0004\n05.0008\n05.0047\n");
	assert_string_equal(mtx(h, M, true), "05.0004\n05.0047\n");

	/* 8: N may not share 05.0047 */
	assert_int_equal(apv_mdev_create(h, N), 0);
	assert_int_equal(apv_mdev_assign_adapter(h, N, 5), 0);
	seq = apv_log_last_seq(h);
	assert_int_equal(apv_mdev_assign_domain(h, N, 0x47), -EADDRINUSE);
	assert_int_equal(apv_reason_last()->rule, APV_RULE_SHARED);
	assert_int_equal(apv_reason_last()->apqn, APV_APQN(5, 0x47));
	assert_string_equal(apv_reason_last()->owner,
			    "00000001-0000-4000-8000-00000000abcd");
	assert_true(log_has(h, seq,
			    "Userspace may not assign queue 05.0047 to mdev: already assigned to 00000001-0000-4000-8000-00000000abcd"));
	assert_string_equal(mtx(h, N, false), "05.\n");

	/* 9: the host may not take adapter 5 back */
	seq = apv_log_last_seq(h);
	assert_int_equal(apv_bus_store_mask(h, true, "+5", 2), -EBUSY);
	assert_int_equal(apv_reason_last()->rule, APV_RULE_IN_USE);
	assert_int_equal(log_count(h, seq, "for host driver: in use by mdev"),
			 3);
	assert_true(log_has(h, seq,
			    "Can not reserve queue 05.0004 for host driver: in use by mdev"));
	apv_bus_masks(h, &apm, NULL);
	assert_false(apv_bm_test(&apm, 5));

	/* 10: unbind 05.0047 while M runs a guest */
	assert_int_equal(apv_kvm_new(h, "guest1", APV_CPU_DEFAULT, &k), 0);
	assert_int_equal(apv_mdev_set_kvm(h, M, k), 0);
	assert_int_equal(apv_mdev_open(h, M), 0);
	assert_string_equal(status(h, APV_APQN(5, 4)), "in use");
	z0 = apv_hw_queue_zeroized(h, APV_APQN(5, 4));
	assert_int_equal(apv_bus_unbind(h, "vfio_ap", "05.0047"), 0);
	assert_string_equal(mtx(h, M, true), ".0004\n.0047\n");
	assert_true(apv_hw_queue_zeroized(h, APV_APQN(5, 4)) > z0);
	assert_string_equal(status(h, APV_APQN(5, 4)), "assigned");
	{
		struct apv_apcb g;

		apv_kvm_apcb(k, &g);
		assert_true(apv_bm_empty(&g.apm));
		assert_true(apv_bm_test(&g.aqm, 0x47));
	}
	assert_int_equal(apv_bus_bind(h, "vfio_ap", "05.0047\n"), 0);
	assert_string_equal(mtx(h, M, true), "05.0004\n05.0047\n");
	assert_string_equal(status(h, APV_APQN(5, 4)), "in use");
	assert_string_equal(status(h, APV_APQN(6, 4)), "unassigned");
	assert_int_equal(apv_vfio_check_indices(h), 0);
	apv_kvm_free(k);
	apv_host_free(h);
}

/* ---- the design review's hot plug example ------------------------- */

static void test_design_review_hotplug(void **state)
{
	static const unsigned int ads[] = {4, 5}, doms[] = {4, 0x47, 0x54};
	struct apv_host *h = mkhost(APV_KERNEL_6_12, ads, 2, APV_TYPE_CEX8,
				    doms, 3);
	struct apv_apcb g;
	struct apv_kvm *k;
	uint8_t M[16];
	uint64_t z47, z54;

	assert_int_equal(apv_bus_store_mask(h, true, "-4-5", 4), 0);
	assert_int_equal(apv_bus_unbind(h, "vfio_ap", "05.0054"), 0);
	uuid_n(M, 7);
	assert_int_equal(apv_mdev_create(h, M), 0);
	assert_int_equal(apv_kvm_new(h, "g", APV_CPU_DEFAULT, &k), 0);
	assert_int_equal(apv_mdev_set_kvm(h, M, k), 0);
	assert_int_equal(apv_mdev_open(h, M), 0);
	assert_int_equal(apv_mdev_assign_adapter(h, M, 4), 0);
	assert_int_equal(apv_mdev_assign_adapter(h, M, 5), 0);
	assert_int_equal(apv_mdev_assign_domain(h, M, 4), 0);
	assert_int_equal(apv_mdev_assign_domain(h, M, 0x47), 0);
	assert_int_equal(apv_mdev_assign_domain(h, M, 0x54), 0);
	assert_int_equal(apv_mdev_assign_control_domain(h, M, 4), 0);
	/* 05.0054 is not bound to vfio_ap: adapter 05 is held back */
	assert_string_equal(mtx(h, M, true), "04.0004\n04.0047\n04.0054\n");
	apv_kvm_apcb(k, &g);
	assert_true(apv_bm_test(&g.apm, 4));
	assert_false(apv_bm_test(&g.apm, 5));

	/* bound later: adapter 05 appears */
	assert_int_equal(apv_bus_bind(h, "vfio_ap", "05.0054"), 0);
	assert_string_equal(mtx(h, M, true),
			    "04.0004\n04.0047\n04.0054\n"
			    "05.0004\n05.0047\n05.0054\n");
	apv_kvm_apcb(k, &g);
	assert_true(apv_bm_test(&g.apm, 5));
	assert_true(apv_bm_test(&g.adm, 4));

	/* 04.0004 unbound: adapter 04 drops, its other queues are zeroized */
	z47 = apv_hw_queue_zeroized(h, APV_APQN(4, 0x47));
	z54 = apv_hw_queue_zeroized(h, APV_APQN(4, 0x54));
	assert_int_equal(apv_bus_unbind(h, "vfio_ap", "04.0004"), 0);
	assert_string_equal(mtx(h, M, true), "05.0004\n05.0047\n05.0054\n");
	apv_kvm_apcb(k, &g);
	assert_false(apv_bm_test(&g.apm, 4));
	assert_true(apv_hw_queue_zeroized(h, APV_APQN(4, 0x47)) > z47);
	assert_true(apv_hw_queue_zeroized(h, APV_APQN(4, 0x54)) > z54);
	assert_string_equal(status(h, APV_APQN(4, 0x47)), "assigned");
	assert_string_equal(status(h, APV_APQN(5, 0x47)), "in use");
	assert_int_equal(apv_vfio_check_indices(h), 0);
	apv_kvm_free(k);
	apv_host_free(h);
}

/* 6.1 resets only the unbound queue, not its siblings. */
static void test_unbind_reset_scope_61(void **state)
{
	static const unsigned int ads[] = {4}, doms[] = {4, 0x47};
	struct apv_host *h = mkhost(APV_KERNEL_6_1, ads, 1, APV_TYPE_CEX8,
				    doms, 2);
	struct apv_kvm *k;
	uint8_t M[16];
	uint64_t z47;

	assert_int_equal(apv_bus_store_mask(h, true, "-4", 2), 0);
	uuid_n(M, 1);
	assert_int_equal(apv_mdev_create(h, M), 0);
	assert_int_equal(apv_mdev_assign_adapter(h, M, 4), 0);
	assert_int_equal(apv_mdev_assign_domain(h, M, 4), 0);
	assert_int_equal(apv_mdev_assign_domain(h, M, 0x47), 0);
	assert_int_equal(apv_kvm_new(h, "g", APV_CPU_DEFAULT, &k), 0);
	assert_int_equal(apv_mdev_set_kvm(h, M, k), 0);
	assert_int_equal(apv_mdev_open(h, M), 0);
	z47 = apv_hw_queue_zeroized(h, APV_APQN(4, 0x47));
	assert_int_equal(apv_bus_unbind(h, "vfio_ap", "04.0004"), 0);
	assert_string_equal(mtx(h, M, true), ".0004\n.0047\n");
	assert_int_equal(apv_hw_queue_zeroized(h, APV_APQN(4, 0x47)), z47);
	apv_kvm_free(k);
	apv_host_free(h);
}

/* ---- over-provisioning --------------------------------------------- */

static void test_overprovisioning(void **state)
{
	static const unsigned int ads[] = {4}, doms[] = {4};
	struct apv_host *h = mkhost(APV_KERNEL_6_12, ads, 1, APV_TYPE_CEX8,
				    doms, 1);
	struct apv_adapter_spec s6 = {.id = 6, .type = APV_TYPE_CEX8};
	struct apv_mdev_info i;
	struct apv_kvm *k;
	uint8_t M[16];

	assert_int_equal(apv_bus_store_mask(h, true, "-4,-6", 5), 0);
	uuid_n(M, 1);
	assert_int_equal(apv_mdev_create(h, M), 0);
	assert_int_equal(apv_mdev_assign_adapter(h, M, 4), 0);
	assert_int_equal(apv_mdev_assign_adapter(h, M, 6), 0);
	assert_int_equal(apv_mdev_assign_domain(h, M, 4), 0);
	assert_int_equal(apv_mdev_assign_control_domain(h, M, 4), 0);
	assert_int_equal(apv_kvm_new(h, "g", APV_CPU_DEFAULT, &k), 0);
	assert_int_equal(apv_mdev_set_kvm(h, M, k), 0);
	assert_int_equal(apv_mdev_open(h, M), 0);
	assert_string_equal(mtx(h, M, false), "04.0004\n06.0004\n");
	assert_string_equal(mtx(h, M, true), "04.0004\n");

	/* the adapter joins the configuration but the bus has not scanned */
	assert_int_equal(apv_hw_adapter_add(h, &s6, APV_EV_NOSCAN), 0);
	assert_string_equal(mtx(h, M, true), "04.0004\n");
	assert_false(apv_bus_queue_exists(h, APV_APQN(6, 4)));

	apv_bus_scan(h);
	assert_true(apv_bus_queue_exists(h, APV_APQN(6, 4)));
	assert_string_equal(mtx(h, M, true), "04.0004\n06.0004\n");
	assert_int_equal(apv_mdev_info(h, M, &i), 0);
	assert_true(apv_bm_empty(&i.apm_add)); /* cleared at scan completion */
	{
		struct apv_apcb g;

		apv_kvm_apcb(k, &g);
		assert_true(apv_bm_test(&g.apm, 6));
	}

	/* and leaves it again: dropped from the shadow at once */
	assert_int_equal(apv_hw_adapter_remove(h, 6, 0), 0);
	assert_string_equal(mtx(h, M, true), "04.0004\n");
	assert_string_equal(mtx(h, M, false), "04.0004\n06.0004\n");

	/* a domain added later is over-provisioned the same way */
	assert_int_equal(apv_mdev_assign_domain(h, M, 9), 0);
	assert_string_equal(mtx(h, M, true), "04.0004\n");
	assert_int_equal(apv_hw_domain_set(h, 9, true, 0), 0);
	assert_string_equal(mtx(h, M, true), "04.0004\n04.0009\n");
	assert_int_equal(apv_vfio_check_indices(h), 0);
	apv_kvm_free(k);
	apv_host_free(h);
}

/* ---- open / close / reset ------------------------------------------ */

static void test_open_close_contract(void **state)
{
	static const unsigned int ads[] = {4}, doms[] = {4, 5};
	struct apv_host *h = mkhost(APV_KERNEL_6_12, ads, 1, APV_TYPE_CEX8,
				    doms, 2);
	struct apv_kvm *k;
	struct apv_apcb g;
	uint8_t M[16], N[16];
	uint64_t z;

	assert_int_equal(apv_bus_store_mask(h, true, "-4", 2), 0);
	uuid_n(M, 1);
	uuid_n(N, 2);
	assert_int_equal(apv_mdev_create(h, M), 0);
	assert_int_equal(apv_mdev_create(h, N), 0);
	assert_int_equal(apv_mdev_assign_adapter(h, M, 4), 0);
	assert_int_equal(apv_mdev_assign_domain(h, M, 4), 0);
	assert_int_equal(apv_mdev_assign_adapter(h, N, 4), 0);
	assert_int_equal(apv_mdev_assign_domain(h, N, 5), 0);

	assert_int_equal(apv_mdev_open(h, M), -EINVAL);
	assert_int_equal(apv_reason_last()->rule, APV_RULE_NO_KVM);
	assert_int_equal(apv_kvm_new(h, "g", APV_CPU_DEFAULT, &k), 0);
	assert_int_equal(apv_mdev_set_kvm(h, M, k), 0);
	assert_int_equal(apv_mdev_set_kvm(h, N, k), 0);
	assert_int_equal(apv_mdev_open(h, M), 0);
	assert_int_equal(apv_mdev_open(h, N), -EPERM);
	assert_int_equal(apv_reason_last()->rule, APV_RULE_KVM_TAKEN);
	assert_int_equal(apv_mdev_set_kvm(h, M, NULL), -EBUSY);

	apv_kvm_apcb(k, &g);
	assert_true(apv_bm_test(&g.apm, 4) && apv_bm_test(&g.aqm, 4));

	/* VFIO reset zeroizes every linked queue, guest keeps its masks */
	z = apv_hw_queue_zeroized(h, APV_APQN(4, 4));
	assert_int_equal(apv_mdev_reset(h, M), 0);
	assert_int_equal(apv_hw_queue_zeroized(h, APV_APQN(4, 4)), z + 1);
	apv_kvm_apcb(k, &g);
	assert_true(apv_bm_test(&g.apm, 4));

	/* close: CRYCB cleared, queues zeroized, shadow kept */
	assert_int_equal(apv_mdev_close(h, M), 0);
	apv_kvm_apcb(k, &g);
	assert_true(apv_bm_empty(&g.apm) && apv_bm_empty(&g.aqm));
	assert_int_equal(apv_hw_queue_zeroized(h, APV_APQN(4, 4)), z + 2);
	assert_string_equal(mtx(h, M, true), "04.0004\n");
	assert_string_equal(status(h, APV_APQN(4, 4)), "assigned");

	/* the other mdev may now have the guest */
	assert_int_equal(apv_mdev_open(h, N), 0);
	assert_string_equal(status(h, APV_APQN(4, 5)), "in use");
	apv_kvm_free(k); /* QEMU exits: N is closed */
	assert_string_equal(status(h, APV_APQN(4, 5)), "assigned");
	apv_host_free(h);
}

/* VFIO reset of a deconfigured adapter: 6.12 EIO, 6.1 EBUSY. */
static void test_reset_errno_profiles(void **state)
{
	static const unsigned int ads[] = {4}, doms[] = {4};

	for (int p = 0; p < 2; p++) {
		enum apv_kernel kern = p ? APV_KERNEL_6_1 : APV_KERNEL_6_12;
		struct apv_host *h =
			mkhost(kern, ads, 1, APV_TYPE_CEX8, doms, 1);
		uint8_t M[16];

		assert_int_equal(apv_bus_store_mask(h, true, "-4", 2), 0);
		uuid_n(M, 1);
		assert_int_equal(apv_mdev_create(h, M), 0);
		assert_int_equal(apv_mdev_assign_adapter(h, M, 4), 0);
		assert_int_equal(apv_mdev_assign_domain(h, M, 4), 0);
		assert_int_equal(apv_hw_adapter_configure(h, 4, false, 0), 0);
		assert_int_equal(apv_mdev_reset(h, M), p ? -EBUSY : -EIO);
		/* passability after that reset (rc 03): 6.12 yes, 6.1 no */
		assert_int_equal(apv_mdev_assign_control_domain(h, M, 4), 0);
		assert_int_equal(apv_mdev_assign_domain(h, M, 4), 0); /* no-op */
		assert_int_equal(apv_mdev_unassign_adapter(h, M, 4), 0);
		assert_int_equal(apv_mdev_assign_adapter(h, M, 4), 0);
		assert_string_equal(mtx(h, M, true), p ? ".0004\n" : "04.0004\n");
		assert_int_equal(apv_vfio_check_indices(h), 0);
		apv_host_free(h);
	}
}

/* ---- remove blocks until the guest closes the device --------------- */

struct remover {
	struct apv_host *h;
	uint8_t uuid[16];
	int rc;
};

static volatile int requests;

static void on_request(void *opaque, unsigned int count)
{
	(void)opaque;
	(void)count;
	__atomic_add_fetch(&requests, 1, __ATOMIC_SEQ_CST);
}

static void *remove_thread(void *p)
{
	struct remover *r = p;

	r->rc = apv_mdev_remove(r->h, r->uuid);
	return NULL;
}

static void test_remove_waits_for_close(void **state)
{
	static const unsigned int ads[] = {4}, doms[] = {4};
	struct apv_host *h = mkhost(APV_KERNEL_6_12, ads, 1, APV_TYPE_CEX8,
				    doms, 1);
	struct apv_kvm_notify n = {.request = on_request};
	struct remover r = {.h = h, .rc = 1};
	struct apv_kvm *k;
	unsigned int inst;
	pthread_t t;

	assert_int_equal(apv_bus_store_mask(h, true, "-4", 2), 0);
	uuid_n(r.uuid, 1);
	assert_int_equal(apv_mdev_create(h, r.uuid), 0);
	assert_int_equal(apv_mdev_assign_adapter(h, r.uuid, 4), 0);
	assert_int_equal(apv_mdev_assign_domain(h, r.uuid, 4), 0);
	assert_int_equal(apv_kvm_new(h, "g", APV_CPU_DEFAULT, &k), 0);
	apv_kvm_set_notify(k, &n);
	assert_int_equal(apv_mdev_set_kvm(h, r.uuid, k), 0);
	assert_int_equal(apv_mdev_open(h, r.uuid), 0);
	requests = 0;
	assert_int_equal(pthread_create(&t, NULL, remove_thread, &r), 0);
	while (!__atomic_load_n(&requests, __ATOMIC_SEQ_CST))
		usleep(1000);
	/* still there while the guest holds it; a second remove: EAGAIN */
	assert_true(apv_mdev_exists(h, r.uuid));
	assert_int_equal(apv_mdev_remove(h, r.uuid), -EAGAIN);
	assert_int_equal(apv_mdev_close(h, r.uuid), 0);
	pthread_join(t, NULL);
	assert_int_equal(r.rc, 0);
	assert_false(apv_mdev_exists(h, r.uuid));
	assert_int_equal(apv_mdev_remove(h, r.uuid), -ENODEV);
	assert_int_equal(apv_vfio_available_instances(h, &inst), 0);
	assert_int_equal(inst, 65536);
	assert_string_equal(status(h, APV_APQN(4, 4)), "unassigned");
	apv_kvm_free(k);
	apv_host_free(h);
}

/* ---- CRYCB formats --------------------------------------------------- */

static void test_crycb_formats(void **state)
{
	static const unsigned int ads[] = {4, 0x50}, doms[] = {4, 0x47};
	struct apv_host *h = mkhost(APV_KERNEL_6_12, ads, 2, APV_TYPE_CEX8,
				    doms, 2);
	struct apv_kvm *k0, *k2;
	struct apv_apcb g;
	uint8_t M[16], N[16], raw[APV_CRYCB_SIZE];

	assert_int_equal(apv_bus_store_mask(h, false, "0x", 2), 0);
	uuid_n(M, 1);
	uuid_n(N, 2);
	assert_int_equal(apv_kvm_new(h, "nomsa3", APV_CPU_DEFAULT & ~APV_CPU_MSA3,
				     &k0), 0);
	assert_int_equal(apv_kvm_new(h, "full", APV_CPU_DEFAULT, &k2), 0);
	assert_int_equal(apv_kvm_crycb_format(k0), 0);
	assert_int_equal(apv_kvm_crycb_format(k2), 2);
	assert_int_equal(apv_mdev_create(h, M), 0);
	assert_int_equal(apv_mdev_assign_adapter(h, M, 4), 0);
	assert_int_equal(apv_mdev_assign_adapter(h, M, 0x50), 0);
	/* N without domains never conflicts, even on the same adapters */
	assert_int_equal(apv_mdev_create(h, N), 0);
	assert_int_equal(apv_mdev_assign_adapter(h, N, 4), 0);
	assert_int_equal(apv_mdev_assign_domain(h, M, 4), 0);
	assert_int_equal(apv_mdev_assign_domain(h, M, 0x47), 0);
	assert_int_equal(apv_mdev_set_kvm(h, M, k0), 0);
	assert_int_equal(apv_mdev_open(h, M), 0);
	/* the shadow holds 0x50 and 0x47, format 0 silently drops them */
	assert_string_equal(mtx(h, M, true),
			    "04.0004\n04.0047\n50.0004\n50.0047\n");
	apv_kvm_apcb(k0, &g);
	assert_true(apv_bm_test(&g.apm, 4));
	assert_false(apv_bm_test(&g.apm, 0x50));
	assert_true(apv_bm_test(&g.aqm, 4));
	assert_false(apv_bm_test(&g.aqm, 0x47));
	apv_kvm_crycb(k0, raw);
	assert_int_equal(raw[0], 0x08);	     /* APCB0 APM: id 4 */
	assert_int_equal(raw[8], 0x08);	     /* APCB0 AQM: id 4 */
	assert_int_equal(raw[0x80], 0x00); /* APCB1 untouched */
	assert_int_equal(apv_mdev_close(h, M), 0);
	assert_int_equal(apv_mdev_set_kvm(h, M, k2), 0);
	assert_int_equal(apv_mdev_open(h, M), 0);
	apv_kvm_apcb(k2, &g);
	assert_true(apv_bm_test(&g.apm, 0x50));
	assert_true(apv_bm_test(&g.aqm, 0x47));
	apv_kvm_crycb(k2, raw);
	assert_int_equal(raw[0x80], 0x08);		/* APCB1 APM: id 4 */
	assert_int_equal(raw[0x80 + 10], 0x80);		/* id 0x50 */
	assert_int_equal(raw[0x80 + 0x20 + 8], 0x01);	/* AQM id 0x47 */
	apv_kvm_free(k0);
	apv_kvm_free(k2);
	apv_host_free(h);

	/* a host without APXA gives format 1 */
	{
		struct apv_host_config c;
		struct apv_kvm *k1;

		apv_host_config_init(&c);
		c.apxa = false;
		assert_int_equal(apv_host_new(&c, &h), 0);
		assert_int_equal(apv_kvm_new(h, "k1", APV_CPU_DEFAULT, &k1), 0);
		assert_int_equal(apv_kvm_crycb_format(k1), 1);
		apv_kvm_free(k1);
		apv_host_free(h);
	}
}

/* ---- ap_config -------------------------------------------------------- */

static void test_ap_config(void **state)
{
	static const unsigned int ads[] = {4, 5, 6}, doms[] = {4, 5, 6};
	struct apv_host *h = mkhost(APV_KERNEL_6_12, ads, 3, APV_TYPE_CEX8,
				    doms, 3);
	struct apv_bitmap apm, aqm, adm;
	struct apv_mdev_info i;
	struct apv_kvm *k;
	uint8_t M[16], N[16];
	uint64_t upd;

	assert_int_equal(apv_bus_store_mask(h, true, "-4-5", 4), 0);
	uuid_n(M, 1);
	uuid_n(N, 2);
	assert_int_equal(apv_mdev_create(h, M), 0);
	assert_int_equal(apv_mdev_create(h, N), 0);
	assert_int_equal(apv_mdev_assign_adapter(h, N, 5), 0);
	assert_int_equal(apv_mdev_assign_domain(h, N, 6), 0);

	/* reservation first: adapter 6 is the host's */
	assert_int_equal(apv_parse_ap_config("0x0e,0x0e,0x0e\n", 15, &apm, &aqm,
					     &adm), 0);
	apv_bm_set(&apm, 0xff); /* also out of range? no: 255 is legal */
	assert_int_equal(apv_mdev_set_ap_config(h, M, &apm, &aqm, &adm),
			 -EADDRNOTAVAIL);
	assert_int_equal(apv_reason_last()->apqn, APV_APQN(6, 4));
	/* sharing next: 05.0006 is N's */
	assert_int_equal(apv_parse_ap_config("0x0c,0x0e,0x0e", 14, &apm, &aqm,
					     &adm), 0);
	assert_int_equal(apv_mdev_set_ap_config(h, M, &apm, &aqm, &adm),
			 -EADDRINUSE);
	assert_int_equal(apv_reason_last()->owner[0], '0');
	/* nothing changed */
	assert_int_equal(apv_mdev_info(h, M, &i), 0);
	assert_true(apv_bm_empty(&i.apm) && apv_bm_empty(&i.aqm));

	assert_int_equal(apv_kvm_new(h, "g", APV_CPU_DEFAULT, &k), 0);
	assert_int_equal(apv_mdev_set_kvm(h, M, k), 0);
	assert_int_equal(apv_mdev_open(h, M), 0);
	upd = apv_kvm_crycb_updates(k);
	assert_int_equal(apv_parse_ap_config("0x0c,0x0c,0x0c", 14, &apm, &aqm,
					     &adm), 0);
	assert_int_equal(apv_mdev_set_ap_config(h, M, &apm, &aqm, &adm), 0);
	assert_string_equal(mtx(h, M, true),
			    "04.0004\n04.0005\n05.0004\n05.0005\n");
	/* one guest update for the whole matrix */
	assert_int_equal(apv_kvm_crycb_updates(k), upd + 1);
	/* shrink to 04.0005 in one write */
	upd = apv_kvm_crycb_updates(k);
	assert_int_equal(apv_parse_ap_config("0x08,0x04,0x04", 14, &apm, &aqm,
					     &adm), 0);
	assert_int_equal(apv_mdev_set_ap_config(h, M, &apm, &aqm, &adm), 0);
	assert_string_equal(mtx(h, M, true), "04.0005\n");
	assert_string_equal(status(h, APV_APQN(5, 4)), "unassigned");
	assert_true(apv_kvm_crycb_updates(k) > upd);
	assert_int_equal(apv_vfio_check_indices(h), 0);

	/* range is checked last */
	apv_bm_zero(&apm);
	apv_bm_zero(&aqm);
	apv_bm_zero(&adm);
	apv_bm_set(&adm, 0x100 - 1);
	{
		struct apv_host_config c;
		struct apv_host *h2;
		uint8_t U[16];

		apv_host_config_init(&c);
		c.na = 15;
		c.nd = 15;
		assert_int_equal(apv_host_new(&c, &h2), 0);
		uuid_n(U, 3);
		assert_int_equal(apv_mdev_create(h2, U), 0);
		assert_int_equal(apv_mdev_set_ap_config(h2, U, &apm, &aqm, &adm),
				 -ENODEV);
		assert_int_equal(apv_reason_last()->rule, APV_RULE_RANGE);
		apv_host_free(h2);
	}
	apv_kvm_free(k);
	apv_host_free(h);

	/* absent on 6.1 */
	h = mkhost(APV_KERNEL_6_1, ads, 1, APV_TYPE_CEX8, doms, 1);
	assert_int_equal(apv_mdev_create(h, M), 0);
	assert_int_equal(apv_mdev_set_ap_config(h, M, &apm, &aqm, &adm),
			 -ENOENT);
	apv_host_free(h);
}

/* ---- control domains ------------------------------------------------ */

static void test_control_domains_unchecked(void **state)
{
	static const unsigned int ads[] = {4}, doms[] = {4, 5};
	struct apv_host *h = mkhost(APV_KERNEL_6_12, ads, 1, APV_TYPE_CEX8,
				    doms, 2);
	struct apv_mdev_info i;
	uint8_t M[16], N[16];

	/* nothing released from the host: control domains still assign */
	uuid_n(M, 1);
	uuid_n(N, 2);
	assert_int_equal(apv_mdev_create(h, M), 0);
	assert_int_equal(apv_mdev_create(h, N), 0);
	assert_int_equal(apv_mdev_assign_control_domain(h, M, 4), 0);
	assert_int_equal(apv_mdev_assign_control_domain(h, N, 4), 0);
	assert_int_equal(apv_mdev_assign_control_domain(h, N, 9), 0);
	assert_int_equal(apv_mdev_assign_control_domain(h, N, 0x100), -ENODEV);
	assert_int_equal(apv_mdev_info(h, N, &i), 0);
	/* shadow ADM = assigned & host ADM; usage domains play no part */
	assert_true(apv_bm_test(&i.sh_adm, 4));
	assert_false(apv_bm_test(&i.sh_adm, 9));
	assert_true(apv_bm_test(&i.adm, 9));
	assert_true(apv_bm_empty(&i.aqm));
	assert_int_equal(apv_mdev_unassign_control_domain(h, N, 4), 0);
	assert_int_equal(apv_mdev_unassign_control_domain(h, N, 4), 0);
	assert_int_equal(apv_mdev_info(h, N, &i), 0);
	assert_false(apv_bm_test(&i.sh_adm, 4));
	/* a control domain joining the host configuration is hot plugged */
	assert_int_equal(apv_hw_control_domain_set(h, 9, true, 0), 0);
	assert_int_equal(apv_mdev_info(h, N, &i), 0);
	assert_true(apv_bm_test(&i.sh_adm, 9));
	apv_host_free(h);
}

/* ---- assignment validation order and no-ops ------------------------ */

static void test_assign_rules(void **state)
{
	static const unsigned int ads[] = {4, 5}, doms[] = {4, 5};
	struct apv_host *h = mkhost(APV_KERNEL_6_12, ads, 2, APV_TYPE_CEX8,
				    doms, 2);
	uint8_t M[16], N[16], O[16];
	uint64_t seq;

	uuid_n(M, 1);
	uuid_n(N, 2);
	uuid_n(O, 3);
	assert_int_equal(apv_mdev_create(h, M), 0);
	assert_int_equal(apv_mdev_create(h, M), -EEXIST);
	assert_int_equal(apv_mdev_create(h, N), 0);
	assert_int_equal(apv_mdev_create(h, O), 0);
	/* host-reserved adapter with no domains yet: accepted */
	assert_int_equal(apv_mdev_assign_adapter(h, M, 4), 0);
	/* the product now hits the reservation */
	assert_int_equal(apv_mdev_assign_domain(h, M, 4), -EADDRNOTAVAIL);
	assert_int_equal(apv_reason_last()->apqn, APV_APQN(4, 4));
	assert_string_equal(mtx(h, M, false), "04.\n");
	assert_int_equal(apv_bus_store_mask(h, true, "0x", 2), 0);
	assert_int_equal(apv_mdev_assign_domain(h, M, 4), 0);
	/* reservation is checked before sharing */
	assert_int_equal(apv_bus_store_mask(h, true, "+5", 2), 0);
	assert_int_equal(apv_mdev_assign_adapter(h, N, 4), 0);
	assert_int_equal(apv_mdev_assign_adapter(h, N, 5), 0);
	assert_int_equal(apv_mdev_assign_domain(h, N, 4), -EADDRNOTAVAIL);
	assert_int_equal(apv_mdev_unassign_adapter(h, N, 5), 0);
	assert_int_equal(apv_mdev_assign_domain(h, N, 4), -EADDRINUSE);
	/* sharing an adapter with disjoint domains is fine */
	assert_int_equal(apv_mdev_assign_domain(h, N, 5), 0);
	/* the first conflicting mdev is the newest: O and N both hold 04.0005
	 * only after... O takes 04.* with domain 6 (over-provisioned) */
	assert_int_equal(apv_mdev_assign_domain(h, O, 6), 0);
	assert_int_equal(apv_mdev_assign_adapter(h, O, 4), 0);
	seq = apv_log_last_seq(h);
	/* M wants domain 5 and 6: conflicts with N (04.0005), O (04.0006) */
	assert_int_equal(apv_mdev_assign_domain(h, M, 5), -EADDRINUSE);
	assert_string_equal(apv_reason_last()->owner,
			    "00000002-0000-4000-8000-00000000abcd");
	assert_int_equal(apv_mdev_assign_domain(h, M, 6), -EADDRINUSE);
	assert_string_equal(apv_reason_last()->owner,
			    "00000003-0000-4000-8000-00000000abcd");
	assert_int_equal(log_count(h, seq, "Userspace may not assign queue"),
			 2);
	/* unassigning what is not assigned, and range before the no-op */
	assert_int_equal(apv_mdev_unassign_domain(h, M, 0x99), 0);
	assert_int_equal(apv_mdev_unassign_domain(h, M, 0x100), -ENODEV);
	assert_int_equal(apv_mdev_assign_adapter(h, M, 4), 0);
	assert_int_equal(apv_vfio_check_indices(h), 0);
	apv_host_free(h);
}

/* With every adapter filtered the shadow keeps its domains. */
static void test_all_adapters_filtered(void **state)
{
	static const unsigned int ads[] = {4}, doms[] = {4, 5};
	struct apv_host *h = mkhost(APV_KERNEL_6_12, ads, 1, APV_TYPE_CEX8,
				    doms, 2);
	uint8_t M[16];

	uuid_n(M, 1);
	assert_int_equal(apv_bus_store_mask(h, true, "-4", 2), 0);
	assert_int_equal(apv_bus_unbind(h, "vfio_ap", "04.0005"), 0);
	assert_int_equal(apv_mdev_create(h, M), 0);
	assert_int_equal(apv_mdev_assign_domain(h, M, 4), 0);
	assert_string_equal(mtx(h, M, true), ".0004\n");
	assert_int_equal(apv_mdev_assign_domain(h, M, 5), 0);
	assert_int_equal(apv_mdev_assign_adapter(h, M, 4), 0);
	assert_string_equal(mtx(h, M, true), ".0004\n.0005\n");
	assert_string_equal(mtx(h, M, false), "04.0004\n04.0005\n");
	apv_host_free(h);
}

/* Without QCI vfio_ap's configuration copy is empty: nothing passes. */
static void test_no_qci_passes_nothing(void **state)
{
	struct apv_adapter_spec ad = {.id = 4, .type = APV_TYPE_CEX8};
	struct apv_host_config c;
	struct apv_host *h;
	uint8_t M[16];

	apv_host_config_init(&c);
	c.qci = false;
	c.apxa = false;
	c.adapters = &ad;
	c.n_adapters = 1;
	apv_bm_set(&c.domains, 4);
	c.apmask = "0x";
	assert_int_equal(apv_host_new(&c, &h), 0);
	assert_true(apv_bus_queue_exists(h, APV_APQN(4, 4)));
	uuid_n(M, 1);
	assert_int_equal(apv_mdev_create(h, M), 0);
	assert_int_equal(apv_mdev_assign_adapter(h, M, 4), 0);
	assert_int_equal(apv_mdev_assign_domain(h, M, 4), 0);
	assert_int_equal(apv_mdev_assign_adapter(h, M, 64), -ENODEV);
	assert_int_equal(apv_mdev_assign_domain(h, M, 16), -ENODEV);
	assert_string_equal(mtx(h, M, false), "04.0004\n");
	assert_string_equal(mtx(h, M, true), "");
	apv_host_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canonical_scenario),
		cmocka_unit_test(test_design_review_hotplug),
		cmocka_unit_test(test_unbind_reset_scope_61),
		cmocka_unit_test(test_overprovisioning),
		cmocka_unit_test(test_open_close_contract),
		cmocka_unit_test(test_reset_errno_profiles),
		cmocka_unit_test(test_remove_waits_for_close),
		cmocka_unit_test(test_crycb_formats),
		cmocka_unit_test(test_ap_config),
		cmocka_unit_test(test_control_domains_unchecked),
		cmocka_unit_test(test_assign_rules),
		cmocka_unit_test(test_all_adapters_filtered),
		cmocka_unit_test(test_no_qci_passes_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
