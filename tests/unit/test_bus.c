// SPDX-License-Identifier: MIT
/*
 * Unit tests for the AP bus (src/lib/bus/bus.c, bus_scan.c, bus_masks.c)
 * through the public API: bindings, the apmask/aqmask store algorithm with
 * vfio_ap's in_use answer, driver-core bind/unbind, scans after hardware
 * events, the configuration-change callbacks as vfio_ap sees them, and the
 * canonical scenario of spec §7 (steps 1 and 9).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "host_kit.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* apmask/aqmask as all ones minus the listed ids. */
static struct apv_bitmap full_minus(struct apv_bitmap ids)
{
	struct apv_bitmap m = BM_FULL();

	apv_bm_andnot(&m, &m, &ids);
	return m;
}

/* The devices bound to a driver, joined by ' '. */
static const char *driver_devices(struct apv_host *h, const char *driver,
				  char *buf, size_t len)
{
	struct apv_name_list l;
	size_t off = 0;

	assert_int_equal(apv_bus_driver_devices(h, driver, &l), 0);
	buf[0] = '\0';
	for (size_t i = 0; i < l.n; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					i ? " " : "", l.names[i]);
	apv_name_list_free(&l);
	return buf;
}

#define assert_devices(h, driver, expected)                                  \
	do {                                                                 \
		char devbuf_[512];                                           \
		assert_string_equal(                                         \
			driver_devices((h), (driver), devbuf_,               \
				       sizeof(devbuf_)),                     \
			(expected));                                         \
	} while (0)

static void assert_log_line(const struct apv_log_entry *e,
			    const uint8_t mdev[16], const char *text)
{
	char name[37];

	kit_uuid_str(mdev, name);
	assert_int_equal(e->level, APV_LOG_WARNING);
	if (!strstr(e->device, name))
		fail_msg("logged against \"%s\", not mdev %s", e->device,
			 name);
	assert_string_equal(e->text, text);
}

/* ---- bindings ---------------------------------------------------------- */

static void test_bindings_counts_and_complete(void **state)
{
	struct apv_host *h = kit_canonical(APV_KERNEL_6_12);
	struct kit k;

	(void)state;
	assert_bindings(h, 4, 4, true);
	assert_int_equal(apv_bus_unbind(h, "cex4queue", "05.0004"), 0);
	assert_bindings(h, 3, 4, false);
	/* cards do not count */
	assert_int_equal(apv_bus_unbind(h, "cex4card", "card06"), 0);
	assert_bindings(h, 3, 4, false);
	assert_int_equal(apv_bus_bind(h, "cex4queue", "05.0004"), 0);
	assert_bindings(h, 4, 4, true);
	apv_host_free(h);

	/* no queue at all: complete once the first scan is done */
	kit_init(&k, APV_KERNEL_6_12);
	h = kit_boot(&k);
	assert_bindings(h, 0, 0, true);
	assert_bm_equal(kit_cards(h), BM0());
	apv_host_free(h);
}

static void test_no_vfio_ap_leaves_unreserved_unbound(void **state)
{
	const char *names[8];
	unsigned int inst;
	struct apv_host *h;
	uint8_t u[16];
	struct kit k;

	(void)state;
	kit_init(&k, APV_KERNEL_6_12);
	k.cfg.no_vfio_ap = true;
	k.cfg.apmask = "0x04"; /* only adapter 5 reserved */
	kit_adapter(&k, 5, APV_TYPE_CEX7, APV_MODE_CCA);
	kit_adapter(&k, 6, APV_TYPE_CEX7, APV_MODE_CCA);
	k.cfg.domains = BM(4, 0x47);
	h = kit_boot(&k);
	assert_bm_equal(kit_apmask(h), BM(5));
	assert_driver(h, "05.0004", "cex4queue");
	assert_driver(h, "06.0004", "");
	assert_driver(h, "06.0047", "");
	assert_driver(h, "card06", "cex4card");
	assert_bindings(h, 2, 4, false);
	assert_int_equal(apv_bus_drivers(h, names, ARRAY_SIZE(names)), 2);
	assert_int_equal(apv_bus_bind(h, "vfio_ap", "06.0004"), -ENODEV);
	assert_int_equal(apv_bus_bind(h, "cex4queue", "06.0004"), -ENODEV);
	assert_int_equal(apv_reason_last()->rule, APV_RULE_PROBE_REFUSED);
	assert_int_equal(apv_vfio_available_instances(h, &inst), -ENODEV);
	kit_uuid(u, 1);
	assert_int_equal(apv_mdev_create(h, u), -ENODEV);

	/* releasing more queues leaves them unbound as well */
	assert_int_equal(kit_store(h, true, "-5"), 0);
	assert_driver(h, "05.0004", "");
	assert_bindings(h, 0, 4, false);
	/* and reserving them again binds them to zcrypt */
	assert_int_equal(kit_store(h, true, "+5,+6"), 0);
	assert_bindings(h, 4, 4, true);
	apv_host_free(h);
}

/* ---- apmask / aqmask stores ------------------------------------------- */

static void test_store_mask_forms_reach_the_bus(void **state)
{
	struct apv_host *h = kit_canonical(APV_KERNEL_6_12);
	struct apv_bitmap m;

	(void)state;
	/* relative */
	assert_int_equal(kit_store(h, true, "-5,-6"), 0);
	assert_bm_equal(kit_apmask(h), full_minus(BM(5, 6)));
	assert_false(apv_bus_reserved(h, APV_APQN(5, 4)));
	assert_true(apv_bus_reserved(h, APV_APQN(7, 4)));
	/* absolute: ids 0..7 */
	assert_int_equal(kit_store(h, true, "0xff\n"), 0);
	assert_bm_equal(kit_apmask(h), BM(0, 1, 2, 3, 4, 5, 6, 7));
	assert_true(apv_bus_reserved(h, APV_APQN(5, 4)));
	assert_false(apv_bus_reserved(h, APV_APQN(8, 4)));
	/* aqmask, relative with a range and '\n' separators */
	assert_int_equal(kit_store(h, false, "-0-0xff\n+4\n"), 0);
	assert_bm_equal(kit_aqmask(h), BM(4));
	assert_driver(h, "05.0004", "cex4queue");
	assert_driver(h, "05.0047", "vfio_ap");
	/* already parsed masks */
	m = BM(0x47);
	assert_int_equal(apv_bus_set_aqmask(h, &m), 0);
	m = BM(6);
	assert_int_equal(apv_bus_set_apmask(h, &m), 0);
	assert_bm_equal(kit_aqmask(h), BM(0x47));
	assert_bm_equal(kit_apmask(h), BM(6));
	assert_driver(h, "05.0004", "vfio_ap");
	assert_driver(h, "05.0047", "vfio_ap");
	assert_driver(h, "06.0004", "vfio_ap");
	assert_driver(h, "06.0047", "cex4queue");
	assert_bindings(h, 4, 4, true);
	apv_host_free(h);
}

static void test_store_mask_syntax_error(void **state)
{
	struct apv_host *h = kit_canonical(APV_KERNEL_6_12);
	uint64_t probes = kit_stats(h).probes;

	(void)state;
	assert_int_equal(kit_store(h, true, "-5,+256"), -EINVAL);
	assert_int_equal(apv_reason_last()->rule, APV_RULE_SYNTAX);
	assert_non_null(strstr(apv_reason_last()->msg, "apmask"));
	assert_int_equal(kit_store(h, false, "0X10"), -EINVAL);
	assert_non_null(strstr(apv_reason_last()->msg, "aqmask"));
	assert_bm_equal(kit_apmask(h), BM_FULL());
	assert_bm_equal(kit_aqmask(h), BM_FULL());
	assert_driver(h, "05.0004", "cex4queue");
	assert_int_equal(kit_stats(h).probes, probes);
	/* a success clears the reason */
	assert_int_equal(kit_store(h, true, "+5"), 0);
	assert_int_equal(apv_reason_last()->err, 0);
	apv_host_free(h);
}

static void test_store_equal_mask_is_a_noop(void **state)
{
	struct apv_host *h = kit_canonical(APV_KERNEL_6_12);
	struct apv_host_stats s0, s1;
	struct apv_bitmap m = BM_FULL();

	(void)state;
	assert_int_equal(apv_bus_unbind(h, "cex4queue", "05.0004"), 0);
	s0 = kit_stats(h);
	/* equal masks: no binding revision, the unbound queue stays so */
	assert_int_equal(kit_store(h, true, "+5"), 0);
	assert_int_equal(kit_store(h, false, "+0-255"), 0);
	assert_int_equal(
		kit_store(h, true, "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
		0);
	assert_int_equal(apv_bus_set_apmask(h, &m), 0);
	assert_int_equal(apv_bus_set_aqmask(h, &m), 0);
	assert_driver(h, "05.0004", "");
	s1 = kit_stats(h);
	assert_int_equal(s1.probes, s0.probes);
	assert_int_equal(s1.zapq, s0.zapq);
	/* any real change revises every binding: the queue is re-probed */
	assert_int_equal(kit_store(h, false, "-200"), 0);
	assert_driver(h, "05.0004", "cex4queue");
	s1 = kit_stats(h);
	assert_int_equal(s1.probes, s0.probes + 1);
	assert_int_equal(s1.zapq, s0.zapq);
	assert_bindings(h, 4, 4, true);
	apv_host_free(h);
}

static void test_store_moves_queues_and_zapqs(void **state)
{
	static const enum apv_kernel kernels[] = {APV_KERNEL_6_12,
						  APV_KERNEL_6_1};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(kernels); i++) {
		struct apv_host *h = kit_canonical(kernels[i]);
		struct apv_host_stats s0 = kit_stats(h), s1;

		/* zcrypt -> vfio_ap: one ZAPQ per unbind, none on probe */
		assert_int_equal(kit_store(h, true, "-5"), 0);
		s1 = kit_stats(h);
		assert_int_equal(s1.zapq, s0.zapq + 2);
		assert_int_equal(s1.probes, s0.probes + 2);
		assert_devices(h, "vfio_ap", "05.0004 05.0047");
		assert_devices(h, "cex4queue", "06.0004 06.0047");
		assert_devices(h, "cex4card", "card05 card06");
		assert_bindings(h, 4, 4, true);

		/* vfio_ap -> zcrypt: vfio_ap's reset, then the bus's ZAPQ */
		s0 = s1;
		assert_int_equal(kit_store(h, true, "+5"), 0);
		s1 = kit_stats(h);
		assert_int_equal(s1.zapq, s0.zapq + 4);
		assert_int_equal(s1.probes, s0.probes + 2);
		assert_devices(h, "vfio_ap", "");
		assert_devices(h, "cex4queue",
			       "05.0004 05.0047 06.0004 06.0047");

		/* aqmask works on the other axis */
		s0 = s1;
		assert_int_equal(kit_store(h, false, "-0x47"), 0);
		assert_int_equal(kit_stats(h).zapq, s0.zapq + 2);
		assert_devices(h, "vfio_ap", "05.0047 06.0047");
		assert_devices(h, "cex4queue", "05.0004 06.0004");
		apv_host_free(h);
	}
}

static void test_in_use_ebusy_names_apqn_and_owner(void **state)
{
	struct apv_host *h = kit_canonical(APV_KERNEL_6_12);
	struct apv_log_entry log[KIT_LOG_MAX];
	const struct apv_reason *r;
	uint8_t m[16];
	char mname[37];
	uint64_t seq, probes;

	(void)state;
	assert_int_equal(kit_store(h, true, "-5,-6"), 0);
	kit_uuid(m, 1);
	kit_mdev(h, m, BM(5), BM(4, 0x47), BM0());
	seq = apv_log_last_seq(h);
	probes = kit_stats(h).probes;

	assert_int_equal(kit_store(h, true, "+5"), -EBUSY);
	r = apv_reason_last();
	assert_int_equal(r->err, -EBUSY);
	assert_int_equal(r->rule, APV_RULE_IN_USE);
	assert_true(r->has_apqn);
	assert_int_equal(r->apqn, APV_APQN(5, 4));
	assert_string_equal(r->owner, kit_uuid_str(m, mname));
	assert_non_null(strstr(r->msg, "05.0004"));
	assert_non_null(strstr(r->msg, mname));
	assert_true(r->has_mask);
	assert_bm_equal(r->mask, BM(5)); /* the newly reserved ids */
	/* nothing changed */
	assert_bm_equal(kit_apmask(h), full_minus(BM(5, 6)));
	assert_driver(h, "05.0004", "vfio_ap");
	assert_int_equal(kit_stats(h).probes, probes);
	/* one warning per conflicting APQN, against the mdev */
	assert_int_equal(kit_log(h, seq, log), 2);
	assert_log_line(&log[0], m,
			"Can not reserve queue 05.0004 for host driver: in use by mdev");
	assert_log_line(&log[1], m,
			"Can not reserve queue 05.0047 for host driver: in use by mdev");

	/* the absolute form is checked the same way */
	assert_int_equal(kit_store(h, true, "0xff"), -EBUSY);
	assert_bm_equal(kit_apmask(h), full_minus(BM(5, 6)));
	/* a mixed write fails as a whole: 6 is not reserved either */
	assert_int_equal(kit_store(h, true, "+6,+5"), -EBUSY);
	assert_bm_equal(kit_apmask(h), full_minus(BM(5, 6)));
	assert_driver(h, "06.0004", "vfio_ap");

	/* adapter 6 is not assigned: it may go back to the host */
	assert_int_equal(kit_store(h, true, "+6"), 0);
	assert_driver(h, "06.0004", "cex4queue");
	assert_driver(h, "06.0047", "cex4queue");
	apv_host_free(h);
}

/* newly reserved x the *current* other mask, on both files */
static void test_in_use_checks_only_newly_reserved(void **state)
{
	struct apv_host *h = kit_canonical(APV_KERNEL_6_12);
	uint8_t m[16];

	(void)state;
	assert_int_equal(kit_store(h, true, "-5"), 0);
	kit_uuid(m, 1);
	kit_mdev(h, m, BM(5), BM(4), BM0());
	/* clearing never checks */
	assert_int_equal(kit_store(h, false, "-4"), 0);
	/* {5} x aqmask (without 4): 05.0004 is not among them */
	assert_int_equal(kit_store(h, true, "+5"), 0);
	assert_bm_equal(kit_apmask(h), BM_FULL());
	assert_driver(h, "05.0047", "cex4queue");
	assert_driver(h, "05.0004", "vfio_ap");
	/* {4} x apmask (with 5): now 05.0004 conflicts */
	assert_int_equal(kit_store(h, false, "+4"), -EBUSY);
	assert_int_equal(apv_reason_last()->apqn, APV_APQN(5, 4));
	assert_bm_equal(apv_reason_last()->mask, BM(4));
	assert_bm_equal(kit_aqmask(h), full_minus(BM(4)));
	/* bits already set are not re-checked: an unrelated new bit is ok */
	assert_int_equal(kit_store(h, false, "-9"), 0);
	assert_int_equal(kit_store(h, false, "+9"), 0);
	assert_bm_equal(kit_aqmask(h), full_minus(BM(4)));
	apv_host_free(h);
}

static void run_newest_first(enum apv_kernel kernel, const char *text,
			     bool append_name)
{
	struct apv_host *h = kit_canonical(kernel);
	struct apv_log_entry log[KIT_LOG_MAX];
	uint8_t m[16], n[16];
	char nname[37], want[200];
	uint64_t seq;

	assert_int_equal(kit_store(h, true, "-5,-6"), 0);
	kit_uuid(m, 1);
	kit_uuid(n, 2);
	kit_mdev(h, m, BM(5), BM(4, 0x47), BM0()); /* older */
	kit_mdev(h, n, BM(6), BM(0x47), BM0());	   /* newer */
	seq = apv_log_last_seq(h);
	assert_int_equal(kit_store(h, true, "+5,+6"), -EBUSY);
	assert_string_equal(apv_reason_last()->owner, kit_uuid_str(n, nname));
	assert_int_equal(apv_reason_last()->apqn, APV_APQN(6, 0x47));
	/* only the first conflicting mdev (the newest) is reported */
	assert_int_equal(kit_log(h, seq, log), 1);
	snprintf(want, sizeof(want), "%s%s", text, append_name ? nname : "");
	assert_log_line(&log[0], n, want);
	assert_bm_equal(kit_apmask(h), full_minus(BM(5, 6)));
	apv_host_free(h);
}

static void test_in_use_first_conflicting_mdev_newest_first(void **state)
{
	(void)state;
	run_newest_first(APV_KERNEL_6_12,
			 "Can not reserve queue 06.0047 for host driver: in use by mdev",
			 false);
	/* before the 2025 fix (6.1) */
	run_newest_first(APV_KERNEL_6_1,
			 "Userspace may not re-assign queue 06.0047 already assigned to ",
			 true);
}

static void test_clearing_bits_always_succeeds(void **state)
{
	struct apv_host *h = kit_canonical(APV_KERNEL_6_12);
	struct apv_kvm *kvm;
	uint8_t m[16];
	uint64_t seq;

	(void)state;
	assert_int_equal(kit_store(h, true, "-5,-6"), 0);
	kit_uuid(m, 1);
	kit_mdev(h, m, BM(5, 6), BM(4, 0x47), BM0());
	kvm = kit_guest(h, "g1", m);
	seq = apv_log_last_seq(h);
	assert_int_equal(kit_store(h, false, "-4,-0x47"), 0);
	assert_int_equal(kit_store(h, true, "0x"), 0);
	assert_int_equal(kit_store(h, true, "\n"), 0);
	assert_bm_equal(kit_apmask(h), BM0());
	assert_bm_equal(kit_aqmask(h), full_minus(BM(4, 0x47)));
	assert_int_equal(apv_log_last_seq(h), seq);
	/* the guest kept everything */
	assert_bm_equal(kit_apcb(kvm).apm, BM(5, 6));
	assert_bm_equal(kit_apcb(kvm).aqm, BM(4, 0x47));
	assert_devices(h, "vfio_ap", "05.0004 05.0047 06.0004 06.0047");
	apv_kvm_free(kvm);
	apv_host_free(h);
}

/* ---- driver-core bind / unbind ---------------------------------------- */

static void expect_fail(int rc, int err, enum apv_rule rule)
{
	assert_int_equal(rc, err);
	assert_int_equal(apv_reason_last()->err, err);
	assert_int_equal(apv_reason_last()->rule, rule);
}

static void test_bind_unbind_table(void **state)
{
	struct apv_host *h = kit_canonical(APV_KERNEL_6_12);
	uint64_t z;

	(void)state;
	/* bind: no such device / driver */
	expect_fail(apv_bus_bind(h, "cex4queue", "07.0004"), -ENODEV,
		    APV_RULE_NO_DEVICE);
	expect_fail(apv_bus_bind(h, "cex4queue", "05.0005"), -ENODEV,
		    APV_RULE_NO_DEVICE);
	expect_fail(apv_bus_bind(h, "cex4card", "card07"), -ENODEV,
		    APV_RULE_NO_DEVICE);
	expect_fail(apv_bus_bind(h, "zcrypt", "05.0004"), -ENODEV,
		    APV_RULE_NO_DEVICE);
	/* bind: driver does not match the device */
	expect_fail(apv_bus_bind(h, "vfio_ap", "card05"), -ENODEV,
		    APV_RULE_NO_MATCH);
	expect_fail(apv_bus_bind(h, "cex4card", "05.0004"), -ENODEV,
		    APV_RULE_NO_MATCH);
	expect_fail(apv_bus_bind(h, "cex4queue", "card05"), -ENODEV,
		    APV_RULE_NO_MATCH);
	/* bind: already bound (before any probe rule) */
	expect_fail(apv_bus_bind(h, "cex4queue", "05.0004"), -EBUSY,
		    APV_RULE_BOUND);
	assert_string_equal(apv_reason_last()->owner, "cex4queue");
	expect_fail(apv_bus_bind(h, "vfio_ap", "05.0004\n"), -EBUSY,
		    APV_RULE_BOUND);
	expect_fail(apv_bus_bind(h, "cex4card", "card05"), -EBUSY,
		    APV_RULE_BOUND);
	/* unbind: not bound to this driver / no device */
	expect_fail(apv_bus_unbind(h, "vfio_ap", "05.0004"), -ENODEV,
		    APV_RULE_NOT_BOUND);
	expect_fail(apv_bus_unbind(h, "cex4card", "05.0004"), -ENODEV,
		    APV_RULE_NOT_BOUND);
	expect_fail(apv_bus_unbind(h, "cex4queue", "07.0004"), -ENODEV,
		    APV_RULE_NOT_BOUND);
	expect_fail(apv_bus_unbind(h, "cex4queue", "card05"), -ENODEV,
		    APV_RULE_NOT_BOUND);
	assert_bindings(h, 4, 4, true);

	/* unbind (trailing newline): detached and zeroized */
	z = kit_zapq(h);
	assert_int_equal(apv_bus_unbind(h, "cex4queue", "05.0004\n"), 0);
	assert_int_equal(apv_reason_last()->err, 0);
	assert_driver(h, "05.0004", "");
	assert_int_equal(kit_zapq(h), z + 1);
	expect_fail(apv_bus_unbind(h, "cex4queue", "05.0004"), -ENODEV,
		    APV_RULE_NOT_BOUND);
	/* bind: the probe rule refuses a host-reserved queue to vfio_ap */
	expect_fail(apv_bus_bind(h, "vfio_ap", "05.0004"), -ENODEV,
		    APV_RULE_PROBE_REFUSED);
	assert_true(apv_reason_last()->has_apqn);
	assert_int_equal(apv_reason_last()->apqn, APV_APQN(5, 4));
	assert_driver(h, "05.0004", "");
	assert_int_equal(apv_bus_bind(h, "cex4queue", "05.0004\n"), 0);
	assert_driver(h, "05.0004", "cex4queue");

	/* cards: unbind and bind, queues stay bound */
	assert_int_equal(apv_bus_unbind(h, "cex4card", "card05\n"), 0);
	assert_driver(h, "card05", "");
	assert_driver(h, "05.0047", "cex4queue");
	assert_int_equal(apv_bus_bind(h, "cex4card", "card05"), 0);
	assert_driver(h, "card05", "cex4card");

	/* a queue not reserved for the host: zcrypt refuses, vfio_ap binds */
	assert_int_equal(kit_store(h, true, "-5"), 0);
	z = kit_zapq(h);
	assert_int_equal(apv_bus_unbind(h, "vfio_ap", "05.0047"), 0);
	assert_int_equal(kit_zapq(h), z + 2); /* vfio_ap's and the bus's */
	expect_fail(apv_bus_bind(h, "cex4queue", "05.0047"), -ENODEV,
		    APV_RULE_PROBE_REFUSED);
	assert_int_equal(apv_bus_bind(h, "vfio_ap", "05.0047"), 0);
	assert_driver(h, "05.0047", "vfio_ap");
	assert_int_equal(kit_zapq(h), z + 2); /* no reset on vfio_ap probe */
	assert_bindings(h, 4, 4, true);
	apv_host_free(h);
}

/* Device names match exactly: lowercase hex, fixed width. */
static void test_bind_names_are_exact(void **state)
{
	static const char *const bad[] = {
		"0A.004b", "0a.004B", "0a.4b", "a.004b", "0a.004b\n\n",
		"0a.004b ", " 0a.004b", "0a.0004b", "card0A", "CARD0a",
		"card0a ", "card0a\n\n", "", "\n",
	};
	struct apv_host *h;
	struct kit k;

	(void)state;
	kit_init(&k, APV_KERNEL_6_12);
	kit_adapter(&k, 0x0a, APV_TYPE_CEX8, APV_MODE_CCA);
	k.cfg.domains = BM(0x4b);
	h = kit_boot(&k);
	assert_int_equal(apv_bus_unbind(h, "cex4queue", "0a.004b"), 0);
	assert_int_equal(apv_bus_unbind(h, "cex4card", "card0a"), 0);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char buf[32];

		if (apv_bus_bind(h, "cex4queue", bad[i]) != -ENODEV ||
		    apv_bus_bind(h, "cex4card", bad[i]) != -ENODEV)
			fail_msg("bind accepted \"%s\"", bad[i]);
		assert_int_equal(apv_bus_device_driver(h, bad[i], buf,
						       sizeof(buf)),
				 -ENODEV);
	}
	assert_driver(h, "0a.004b", "");
	assert_driver(h, "0a.004b\n", ""); /* one newline is ignored */
	assert_driver(h, "card0a\n", "");
	assert_int_equal(apv_bus_bind(h, "cex4queue", "0a.004b\n"), 0);
	assert_int_equal(apv_bus_bind(h, "cex4card", "card0a"), 0);
	apv_host_free(h);
}

static void test_unbound_queue_stays_unbound(void **state)
{
	struct apv_host *h = kit_canonical(APV_KERNEL_6_12);

	(void)state;
	assert_int_equal(apv_bus_unbind(h, "cex4queue", "05.0004"), 0);
	apv_bus_scan(h);
	apv_bus_scan(h);
	assert_driver(h, "05.0004", "");
	/* a configuration-change scan does not re-probe it either */
	assert_int_equal(apv_hw_domain_set(h, 0x10, true, 0), 0);
	assert_driver(h, "05.0010", "cex4queue");
	assert_driver(h, "05.0004", "");
	assert_bindings(h, 5, 6, false);
	/* an unrelated, but real, mask change does */
	assert_int_equal(kit_store(h, true, "-0x80"), 0);
	assert_driver(h, "05.0004", "cex4queue");
	assert_bindings(h, 6, 6, true);
	apv_host_free(h);
}

/* ---- scans and hardware events --------------------------------------- */

static void test_scan_counts(void **state)
{
	struct apv_host *h = kit_canonical(APV_KERNEL_6_12);
	uint64_t s = kit_stats(h).scans;

	(void)state;
	assert_int_equal(s, 1); /* the boot scan */
	apv_bus_scan(h);
	assert_int_equal(kit_stats(h).scans, s + 1);
	assert_int_equal(apv_hw_domain_set(h, 9, true, APV_EV_NOSCAN), 0);
	assert_int_equal(apv_hw_adapter_configure(h, 5, false, APV_EV_NOSCAN),
			 0);
	assert_int_equal(kit_stats(h).scans, s + 1);
	assert_int_equal(apv_hw_domain_set(h, 10, true, 0), 0);
	assert_int_equal(apv_hw_adapter_checkstop(h, 6, true, 0), 0);
	assert_int_equal(apv_hw_control_domain_set(h, 11, true, 0), 0);
	assert_int_equal(kit_stats(h).scans, s + 4);
	/* a scan with nothing changed leaves the devices alone */
	{
		uint64_t p = kit_stats(h).probes, z = kit_zapq(h);

		apv_bus_scan(h);
		assert_int_equal(kit_stats(h).probes, p);
		assert_int_equal(kit_zapq(h), z);
	}
	apv_host_free(h);
}

static void test_event_adapter_add_remove(void **state)
{
	static const unsigned int flags[] = {0, APV_EV_NOSCAN};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
		struct apv_host *h = kit_canonical(APV_KERNEL_6_12);
		struct apv_adapter_spec s = {.id = 7, .type = APV_TYPE_CEX8,
					     .mode = APV_MODE_ACCEL};
		bool noscan = flags[i] & APV_EV_NOSCAN;

		assert_int_equal(apv_hw_adapter_add(h, &s, flags[i]), 0);
		assert_true(kit_adapter_state(h, 7).in_config);
		if (noscan) {
			assert_bm_equal(kit_cards(h), BM(5, 6));
			assert_bindings(h, 4, 4, true);
			apv_bus_scan(h);
		}
		assert_bm_equal(kit_cards(h), BM(5, 6, 7));
		assert_bm_equal(kit_queues(h, 7), BM(4, 0x47));
		assert_driver(h, "card07", "cex4card");
		assert_driver(h, "07.0047", "cex4queue");
		assert_bindings(h, 6, 6, true);

		assert_int_equal(apv_hw_adapter_remove(h, 5, flags[i]), 0);
		if (noscan) {
			assert_bm_equal(kit_cards(h), BM(5, 6, 7));
			assert_driver(h, "05.0004", "cex4queue");
			apv_bus_scan(h);
		}
		assert_bm_equal(kit_cards(h), BM(6, 7));
		assert_driver(h, "05.0004", "<none>");
		assert_bindings(h, 4, 4, true);
		apv_host_free(h);
	}
}

static void test_event_configure_off_keeps_card(void **state)
{
	struct apv_host *h = kit_canonical(APV_KERNEL_6_12);
	uint64_t p;

	(void)state;
	assert_int_equal(kit_store(h, true, "-6"), 0);
	p = kit_stats(h).probes;
	assert_int_equal(apv_hw_adapter_configure(h, 5, false, 0), 0);
	assert_int_equal(apv_hw_adapter_configure(h, 6, false, 0), 0);
	assert_false(kit_adapter_state(h, 5).configured);
	assert_true(kit_adapter_state(h, 5).in_config);
	assert_bm_equal(kit_cards(h), BM(5, 6));
	assert_bm_equal(kit_queues(h, 5), BM(4, 0x47));
	assert_driver(h, "card05", "cex4card");
	assert_driver(h, "05.0004", "cex4queue");
	assert_driver(h, "06.0047", "vfio_ap");
	assert_bindings(h, 4, 4, true);
	assert_int_equal(kit_stats(h).probes, p); /* not recreated */
	/* checkstop likewise */
	assert_int_equal(apv_hw_adapter_checkstop(h, 5, true, 0), 0);
	assert_true(kit_adapter_state(h, 5).chkstop);
	assert_bm_equal(kit_queues(h, 5), BM(4, 0x47));
	/* back on */
	assert_int_equal(apv_hw_adapter_checkstop(h, 5, false, 0), 0);
	assert_int_equal(apv_hw_adapter_configure(h, 5, true, 0), 0);
	assert_int_equal(apv_hw_adapter_configure(h, 6, true, 0), 0);
	assert_bm_equal(kit_cards(h), BM(5, 6));
	assert_int_equal(kit_stats(h).probes, p);
	apv_host_free(h);
}

/* Replace adapter 5 under the bus with spec s (one scan, same QCI). */
static void swap_adapter(struct apv_host *h,
			 const struct apv_adapter_spec *s)
{
	assert_int_equal(apv_hw_adapter_remove(h, s->id, APV_EV_NOSCAN), 0);
	assert_int_equal(apv_hw_adapter_add(h, s, APV_EV_NOSCAN), 0);
	apv_bus_scan(h);
}

static void test_event_type_change_recreates_card(void **state)
{
	struct apv_adapter_spec s = {.id = 5, .type = APV_TYPE_CEX7,
				     .mode = APV_MODE_CCA};
	struct apv_host *h = kit_canonical(APV_KERNEL_6_12);
	struct apv_host_stats s0, s1;

	(void)state;
	/* the same adapter back: nothing happens to the devices */
	s0 = kit_stats(h);
	swap_adapter(h, &s);
	s1 = kit_stats(h);
	assert_int_equal(s1.probes, s0.probes);
	assert_int_equal(s1.zapq, s0.zapq);

	/* another type: card and queues are deleted and created again */
	s.type = APV_TYPE_CEX8;
	swap_adapter(h, &s);
	s1 = kit_stats(h);
	assert_int_equal(s1.probes, s0.probes + 2);
	assert_int_equal(s1.zapq, s0.zapq + 2);
	assert_driver(h, "05.0004", "cex4queue");
	assert_bm_equal(kit_queues(h, 5), BM(4, 0x47));

	/* another mode (facility bits) too */
	s0 = s1;
	s.mode = APV_MODE_ACCEL;
	swap_adapter(h, &s);
	assert_int_equal(kit_stats(h).probes, s0.probes + 2);

	/* a type 6.12 does not support: the card goes away */
	s.type = APV_TYPE_CEX3C;
	swap_adapter(h, &s);
	assert_bm_equal(kit_cards(h), BM(6));
	assert_bindings(h, 2, 2, true);
	apv_host_free(h);

	/* 6.1: CEX7 -> CEX3A changes the drivers */
	h = kit_canonical(APV_KERNEL_6_1);
	s.type = APV_TYPE_CEX3A;
	s.mode = APV_MODE_ACCEL;
	swap_adapter(h, &s);
	assert_driver(h, "card05", "cex2acard");
	assert_driver(h, "05.0004", "cex2aqueue");
	assert_driver(h, "card06", "cex4card");
	apv_host_free(h);
}

/* A vfio_ap queue in a guest survives the recreation of its card. */
static void test_event_type_change_vfio_queue_replugged(void **state)
{
	struct apv_adapter_spec s = {.id = 5, .type = APV_TYPE_CEX8,
				     .mode = APV_MODE_CCA};
	struct apv_host *h = kit_canonical(APV_KERNEL_6_12);
	struct apv_mdev_info mi;
	struct apv_kvm *kvm;
	uint8_t m[16];

	(void)state;
	assert_int_equal(kit_store(h, true, "-5"), 0);
	kit_uuid(m, 1);
	kit_mdev(h, m, BM(5), BM(4, 0x47), BM0());
	kvm = kit_guest(h, "g1", m);
	assert_bm_equal(kit_apcb(kvm).apm, BM(5));
	swap_adapter(h, &s);
	mi = kit_info(h, m);
	assert_int_equal(mi.linked, 2);
	assert_bm_equal(mi.sh_apm, BM(5));
	assert_bm_equal(kit_apcb(kvm).apm, BM(5));
	assert_driver(h, "05.0047", "vfio_ap");
	apv_kvm_free(kvm);
	apv_host_free(h);
}

static void test_event_domain_remove_add(void **state)
{
	struct apv_host *h = kit_canonical(APV_KERNEL_6_12);

	(void)state;
	assert_int_equal(apv_hw_domain_set(h, 0x47, false, APV_EV_NOSCAN), 0);
	assert_bm_equal(kit_queues(h, 5), BM(4, 0x47));
	apv_bus_scan(h);
	assert_bm_equal(kit_queues(h, 5), BM(4));
	assert_bm_equal(kit_queues(h, 6), BM(4));
	assert_driver(h, "05.0047", "<none>");
	assert_bindings(h, 2, 2, true);
	assert_int_equal(apv_hw_domain_set(h, 0x10, true, 0), 0);
	assert_bm_equal(kit_queues(h, 5), BM(4, 0x10));
	assert_driver(h, "06.0010", "cex4queue");
	/* the last domain leaves: cards without queues disappear */
	assert_int_equal(apv_hw_domain_set(h, 4, false, APV_EV_NOSCAN), 0);
	assert_int_equal(apv_hw_domain_set(h, 0x10, false, 0), 0);
	assert_bm_equal(kit_cards(h), BM0());
	assert_bindings(h, 0, 0, true);
	assert_int_equal(apv_hw_domain_set(h, 4, true, 0), 0);
	assert_bm_equal(kit_cards(h), BM(5, 6));
	assert_bm_equal(kit_queues(h, 6), BM(4));
	apv_host_free(h);
}

static void test_event_control_domain_no_devices(void **state)
{
	struct apv_host *h = kit_canonical(APV_KERNEL_6_12);
	uint64_t p = kit_stats(h).probes;

	(void)state;
	assert_int_equal(apv_hw_control_domain_set(h, 9, true, 0), 0);
	assert_int_equal(apv_hw_control_domain_set(h, 4, false, 0), 0);
	assert_bm_equal(kit_qci(h).adm, BM(9, 0x47));
	assert_bm_equal(kit_queues(h, 5), BM(4, 0x47));
	assert_false(apv_bus_queue_exists(h, APV_APQN(5, 9)));
	assert_int_equal(kit_stats(h).probes, p);
	apv_host_free(h);
}

/* ---- configuration-change callbacks (vfio_ap) ----------------------- */

static void test_overprovisioned_adapter_appears(void **state)
{
	static const unsigned int flags[] = {0, APV_EV_NOSCAN};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
		struct apv_host *h = kit_canonical(APV_KERNEL_6_12);
		struct apv_adapter_spec s = {.id = 7, .type = APV_TYPE_CEX7,
					     .mode = APV_MODE_CCA};
		struct apv_host_stats s0, s1;
		struct apv_mdev_info mi;
		struct apv_kvm *kvm;
		uint8_t m[16];

		assert_int_equal(kit_store(h, true, "-5,-6,-7"), 0);
		kit_uuid(m, 1);
		kit_mdev(h, m, BM(5, 7), BM(4, 0x47), BM0());
		kvm = kit_guest(h, "g1", m);
		mi = kit_info(h, m);
		assert_bm_equal(mi.sh_apm, BM(5)); /* 7 is not there yet */
		assert_bm_equal(mi.sh_aqm, BM(4, 0x47));
		assert_int_equal(mi.linked, 2);

		s0 = kit_stats(h);
		assert_int_equal(apv_hw_adapter_add(h, &s, flags[i]), 0);
		if (flags[i] & APV_EV_NOSCAN) {
			assert_int_equal(kit_stats(h).filter_runs,
					 s0.filter_runs);
			mi = kit_info(h, m);
			assert_bm_equal(mi.sh_apm, BM(5));
			assert_int_equal(mi.linked, 2);
			assert_true(apv_bm_empty(&mi.apm_add));
			assert_bm_equal(kit_apcb(kvm).apm, BM(5));
			assert_false(bm_has(kit_cards(h), 7));
			apv_bus_scan(h);
		}
		/*
		 * The probes during the scan do not filter (the add-sets are
		 * pending); scan completion filters once and pushes once.
		 */
		s1 = kit_stats(h);
		assert_int_equal(s1.filter_runs, s0.filter_runs + 1);
		assert_int_equal(s1.crycb_writes, s0.crycb_writes + 1);
		mi = kit_info(h, m);
		assert_bm_equal(mi.sh_apm, BM(5, 7));
		assert_bm_equal(mi.sh_aqm, BM(4, 0x47));
		assert_int_equal(mi.linked, 4);
		assert_true(apv_bm_empty(&mi.apm_add));
		assert_true(apv_bm_empty(&mi.aqm_add));
		assert_true(apv_bm_empty(&mi.adm_add));
		assert_bm_equal(kit_apcb(kvm).apm, BM(5, 7));
		assert_bm_equal(kit_apcb(kvm).aqm, BM(4, 0x47));
		assert_driver(h, "07.0004", "vfio_ap");
		assert_int_equal(apv_vfio_check_indices(h), 0);
		apv_kvm_free(kvm);
		apv_host_free(h);
	}
}

static void test_overprovisioned_domains_appear(void **state)
{
	struct apv_host *h = kit_canonical(APV_KERNEL_6_12);
	struct apv_mdev_info mi;
	struct apv_kvm *kvm;
	uint8_t m[16];

	(void)state;
	assert_int_equal(kit_store(h, true, "-5"), 0);
	kit_uuid(m, 1);
	kit_mdev(h, m, BM(5), BM(4, 9), BM(4, 9));
	kvm = kit_guest(h, "g1", m);
	mi = kit_info(h, m);
	assert_bm_equal(mi.sh_aqm, BM(4));
	assert_bm_equal(mi.sh_adm, BM(4));

	assert_int_equal(apv_hw_domain_set(h, 9, true, APV_EV_NOSCAN), 0);
	assert_int_equal(apv_hw_control_domain_set(h, 9, true, APV_EV_NOSCAN),
			 0);
	mi = kit_info(h, m);
	assert_bm_equal(mi.sh_aqm, BM(4));
	assert_bm_equal(mi.sh_adm, BM(4));
	apv_bus_scan(h);
	mi = kit_info(h, m);
	assert_bm_equal(mi.sh_apm, BM(5));
	assert_bm_equal(mi.sh_aqm, BM(4, 9));
	assert_bm_equal(mi.sh_adm, BM(4, 9));
	assert_int_equal(mi.linked, 2);
	assert_bm_equal(kit_apcb(kvm).aqm, BM(4, 9));
	assert_bm_equal(kit_apcb(kvm).adm, BM(4, 9));
	assert_driver(h, "05.0009", "vfio_ap");
	assert_driver(h, "06.0009", "cex4queue");

	/* a control domain leaves the configuration */
	assert_int_equal(apv_hw_control_domain_set(h, 4, false, 0), 0);
	mi = kit_info(h, m);
	assert_bm_equal(mi.sh_adm, BM(9));
	assert_bm_equal(mi.adm, BM(4, 9)); /* still assigned */
	assert_bm_equal(kit_apcb(kvm).adm, BM(9));
	apv_kvm_free(kvm);
	apv_host_free(h);
}

static void run_config_removal(enum apv_kernel kernel, uint64_t zapq_per_q)
{
	struct apv_host *h = kit_canonical(kernel);
	struct apv_mdev_info mi;
	struct apv_kvm *kvm;
	uint8_t m[16];
	uint64_t z;

	assert_int_equal(kit_store(h, true, "-5,-6"), 0);
	kit_uuid(m, 1);
	kit_mdev(h, m, BM(5, 6), BM(4, 0x47), BM0());
	kvm = kit_guest(h, "g1", m);
	assert_bm_equal(kit_apcb(kvm).apm, BM(5, 6));

	/* an adapter leaves: dropped from the shadow, its queues gone */
	z = kit_zapq(h);
	assert_int_equal(apv_hw_adapter_remove(h, 6, 0), 0);
	mi = kit_info(h, m);
	assert_bm_equal(mi.sh_apm, BM(5));
	assert_bm_equal(mi.sh_aqm, BM(4, 0x47));
	assert_bm_equal(mi.apm, BM(5, 6)); /* the assignment stays */
	assert_int_equal(mi.linked, 2);
	assert_bm_equal(kit_apcb(kvm).apm, BM(5));
	assert_int_equal(kit_zapq(h), z + 2 * zapq_per_q);

	/* a domain leaves */
	z = kit_zapq(h);
	assert_int_equal(apv_hw_domain_set(h, 0x47, false, 0), 0);
	mi = kit_info(h, m);
	assert_bm_equal(mi.sh_apm, BM(5));
	assert_bm_equal(mi.sh_aqm, BM(4));
	assert_int_equal(mi.linked, 1);
	assert_bm_equal(kit_apcb(kvm).aqm, BM(4));
	assert_int_equal(kit_zapq(h), z + 1 * zapq_per_q);

	/* both come back: over-provisioned, they are plugged again */
	assert_int_equal(apv_hw_adapter_restore(h, 6, APV_EV_NOSCAN), 0);
	assert_int_equal(apv_hw_domain_set(h, 0x47, true, APV_EV_NOSCAN), 0);
	apv_bus_scan(h);
	mi = kit_info(h, m);
	assert_bm_equal(mi.sh_apm, BM(5, 6));
	assert_bm_equal(mi.sh_aqm, BM(4, 0x47));
	assert_int_equal(mi.linked, 4);
	assert_bm_equal(kit_apcb(kvm).apm, BM(5, 6));
	assert_bm_equal(kit_apcb(kvm).aqm, BM(4, 0x47));
	assert_int_equal(apv_vfio_check_indices(h), 0);
	apv_kvm_free(kvm);
	apv_host_free(h);
}

/*
 * 6.12: vfio_ap does not reset queues that left the configuration, only
 * the bus's ZAPQ is issued (and fails).  6.1's remove always ZAPQs.
 */
static void test_config_removal_drops_from_shadow(void **state)
{
	(void)state;
	run_config_removal(APV_KERNEL_6_12, 1);
	run_config_removal(APV_KERNEL_6_1, 2);
}

/* Without QCI vfio_ap's configuration copy is zero: nothing passes. */
static void test_no_qci_nothing_passed_through(void **state)
{
	struct apv_host *h;
	struct apv_mdev_info mi;
	uint8_t m[16];
	struct kit k;

	(void)state;
	kit_init(&k, APV_KERNEL_6_12);
	k.cfg.qci = false;
	kit_adapter(&k, 5, APV_TYPE_CEX7, APV_MODE_CCA);
	k.cfg.domains = BM(4);
	h = kit_boot(&k);
	assert_int_equal(kit_store(h, true, "-5"), 0);
	kit_uuid(m, 1);
	kit_mdev(h, m, BM(5), BM(4), BM0());
	mi = kit_info(h, m);
	assert_int_equal(mi.linked, 1);
	assert_true(apv_bm_empty(&mi.sh_apm));
	assert_true(apv_bm_empty(&mi.sh_aqm));
	/* and no configuration-change callbacks: adding changes nothing */
	{
		struct apv_adapter_spec s = {.id = 6, .type = APV_TYPE_CEX7};

		assert_int_equal(kit_store(h, true, "-6"), 0);
		assert_int_equal(apv_mdev_assign_adapter(h, m, 6), 0);
		assert_int_equal(apv_hw_adapter_add(h, &s, 0), 0);
	}
	mi = kit_info(h, m);
	assert_int_equal(mi.linked, 2);
	assert_true(apv_bm_empty(&mi.sh_apm));
	apv_host_free(h);
}

/* ---- spec §7, steps 1 and 9 ------------------------------------------ */

static void test_canonical_scenario(void **state)
{
	struct apv_host *h = kit_canonical(APV_KERNEL_6_12);
	struct apv_log_entry log[KIT_LOG_MAX];
	struct apv_mdev_info mi;
	unsigned int inst;
	unsigned long id;
	uint8_t m[16], n[16];
	char mname[37];
	uint64_t z, seq;

	(void)state;
	/* 1. echo -5,-6 > apmask */
	z = kit_zapq(h);
	assert_int_equal(kit_store(h, true, "-5,-6\n"), 0);
	{
		struct apv_bitmap am = kit_apmask(h);

		assert_int_equal(am.w[0], UINT64_C(0xf9ffffffffffffff));
		assert_int_equal(am.w[1], UINT64_MAX);
		assert_int_equal(am.w[2], UINT64_MAX);
		assert_int_equal(am.w[3], UINT64_MAX);
	}
	assert_devices(h, "vfio_ap", "05.0004 05.0047 06.0004 06.0047");
	assert_devices(h, "cex4queue", "");
	assert_int_equal(kit_zapq(h), z + 4);
	assert_bindings(h, 4, 4, true);

	/* 2.-7. mdev M: adapter 5, domains 0x47, 4 and 010 (= 8) */
	kit_uuid(m, 1);
	assert_int_equal(apv_mdev_create(h, m), 0);
	assert_int_equal(apv_vfio_available_instances(h, &inst), 0);
	assert_int_equal(inst, 65535);
	assert_int_equal(apv_mdev_assign_adapter(h, m, 5), 0);
	assert_int_equal(apv_mdev_assign_domain(h, m, 0x47), 0);
	assert_int_equal(apv_mdev_assign_domain(h, m, 4), 0);
	assert_int_equal(apv_mdev_assign_adapter(h, m, 0x100), -ENODEV);
	assert_int_equal(apv_parse_ulong("010", 3, &id), 0);
	assert_int_equal(apv_mdev_assign_domain(h, m, id), 0);
	mi = kit_info(h, m);
	assert_bm_equal(mi.apm, BM(5));
	assert_bm_equal(mi.aqm, BM(4, 8, 0x47));
	/* 8. mdev N: adapter 5 ok, domain 0x47 would share 05.0047 */
	kit_uuid(n, 2);
	assert_int_equal(apv_mdev_create(h, n), 0);
	assert_int_equal(apv_mdev_assign_adapter(h, n, 5), 0);
	assert_int_equal(apv_mdev_assign_domain(h, n, 0x47), -EADDRINUSE);

	/* 9. echo +5 > apmask */
	seq = apv_log_last_seq(h);
	assert_int_equal(kit_store(h, true, "+5"), -EBUSY);
	assert_int_equal(apv_reason_last()->rule, APV_RULE_IN_USE);
	assert_int_equal(apv_reason_last()->apqn, APV_APQN(5, 4));
	assert_string_equal(apv_reason_last()->owner, kit_uuid_str(m, mname));
	assert_int_equal(kit_log(h, seq, log), 3);
	assert_log_line(&log[0], m,
			"Can not reserve queue 05.0004 for host driver: in use by mdev");
	assert_log_line(&log[1], m,
			"Can not reserve queue 05.0008 for host driver: in use by mdev");
	assert_log_line(&log[2], m,
			"Can not reserve queue 05.0047 for host driver: in use by mdev");
	assert_int_equal(kit_apmask(h).w[0], UINT64_C(0xf9ffffffffffffff));
	assert_devices(h, "vfio_ap", "05.0004 05.0047 06.0004 06.0047");
	apv_host_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bindings_counts_and_complete),
		cmocka_unit_test(test_no_vfio_ap_leaves_unreserved_unbound),
		cmocka_unit_test(test_store_mask_forms_reach_the_bus),
		cmocka_unit_test(test_store_mask_syntax_error),
		cmocka_unit_test(test_store_equal_mask_is_a_noop),
		cmocka_unit_test(test_store_moves_queues_and_zapqs),
		cmocka_unit_test(test_in_use_ebusy_names_apqn_and_owner),
		cmocka_unit_test(test_in_use_checks_only_newly_reserved),
		cmocka_unit_test(test_in_use_first_conflicting_mdev_newest_first),
		cmocka_unit_test(test_clearing_bits_always_succeeds),
		cmocka_unit_test(test_bind_unbind_table),
		cmocka_unit_test(test_bind_names_are_exact),
		cmocka_unit_test(test_unbound_queue_stays_unbound),
		cmocka_unit_test(test_scan_counts),
		cmocka_unit_test(test_event_adapter_add_remove),
		cmocka_unit_test(test_event_configure_off_keeps_card),
		cmocka_unit_test(test_event_type_change_recreates_card),
		cmocka_unit_test(test_event_type_change_vfio_queue_replugged),
		cmocka_unit_test(test_event_domain_remove_add),
		cmocka_unit_test(test_event_control_domain_no_devices),
		cmocka_unit_test(test_overprovisioned_adapter_appears),
		cmocka_unit_test(test_overprovisioned_domains_appear),
		cmocka_unit_test(test_config_removal_drops_from_shadow),
		cmocka_unit_test(test_no_qci_nothing_passed_through),
		cmocka_unit_test(test_canonical_scenario),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
