// SPDX-License-Identifier: MIT
/*
 * Unit tests for the device-event dispatcher (include/apvirt/devev.h,
 * src/lib/devev.c): the sequence of events the model announces at boot,
 * for a driver unbind/bind, an apmask change, an mdev create/remove and an
 * adapter removal, in the kernel's order (add before bind, unbind before
 * remove, a card's queues inside its add/remove).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <apvirt/devev.h>

#include "host_kit.h"

#define MAX_EVENTS 128

struct rec {
	unsigned int n;
	char ev[MAX_EVENTS][96];
};

static const char *change_name(enum apv_devev_change c)
{
	switch (c) {
	case APV_DEVCHG_CONFIG:
		return "CONFIG";
	case APV_DEVCHG_ONLINE:
		return "ONLINE";
	case APV_DEVCHG_APMASK:
		return "APMASK";
	case APV_DEVCHG_AQMASK:
		return "AQMASK";
	case APV_DEVCHG_BINDINGS:
		return "BINDINGS";
	case APV_DEVCHG_INITSCAN:
		return "INITSCAN";
	case APV_DEVCHG_REGISTERED:
		return "REGISTERED";
	case APV_DEVCHG_UNREGISTERED:
		return "UNREGISTERED";
	default:
		return "?";
	}
}

/* "action kind name [driver] [CHANGE=value]" */
static void record(void *opaque, const struct apv_devev *ev)
{
	struct rec *r = opaque;
	char *s;
	int n;

	assert_true(r->n < MAX_EVENTS);
	s = r->ev[r->n++];
	n = snprintf(s, sizeof(r->ev[0]), "%s %s %s",
		     apv_devev_action_name(ev->action),
		     apv_devev_kind_name(ev->kind), ev->name);
	if ((ev->action == APV_DEVEV_BIND || ev->action == APV_DEVEV_UNBIND) &&
	    ev->driver)
		n += snprintf(s + n, sizeof(r->ev[0]) - (size_t)n, " %s",
			      ev->driver);
	if (ev->action == APV_DEVEV_CHANGE)
		n += snprintf(s + n, sizeof(r->ev[0]) - (size_t)n, " %s=%llu",
			      change_name(ev->change),
			      (unsigned long long)ev->value);
	/* content checks every event must pass */
	assert_true(ev->action == APV_DEVEV_CHANGE ?
			    ev->change != APV_DEVCHG_NONE :
			    ev->change == APV_DEVCHG_NONE);
	if (ev->action == APV_DEVEV_BIND || ev->action == APV_DEVEV_UNBIND)
		assert_non_null(ev->driver);
	if (ev->kind == APV_DEVEV_MDEV)
		assert_non_null(ev->uuid);
	if (ev->change == APV_DEVCHG_APMASK || ev->change == APV_DEVCHG_AQMASK)
		assert_non_null(ev->mask);
}

static void expect_events(struct rec *r, const char *const *want, size_t n)
{
	for (size_t i = 0; i < n || i < r->n; i++) {
		const char *got = i < r->n ? r->ev[i] : "<none>";
		const char *exp = i < n ? want[i] : "<none>";

		if (strcmp(got, exp)) {
			for (unsigned int j = 0; j < r->n; j++)
				print_message("  [%u] %s\n", j, r->ev[j]);
			fail_msg("event %zu: got \"%s\", want \"%s\"", i, got,
				 exp);
		}
	}
	r->n = 0;
}

#define EXPECT_NONE(r) expect_events((r), NULL, 0)

#define EXPECT(r, ...)                                                         \
	do {                                                                   \
		static const char *const want_[] = {__VA_ARGS__};              \
		expect_events((r), want_, sizeof(want_) / sizeof(want_[0]));   \
	} while (0)

/* The canonical host (adapters 05, 06; domains 04, 47) with a recorder. */
static struct apv_host *boot(struct rec *r)
{
	struct kit k;

	memset(r, 0, sizeof(*r));
	kit_init(&k, APV_KERNEL_6_12);
	kit_adapter(&k, 5, APV_TYPE_CEX7, APV_MODE_CCA);
	kit_adapter(&k, 6, APV_TYPE_CEX7, APV_MODE_CCA);
	k.cfg.domains = BM(4, 0x47);
	k.cfg.control_domains = BM(4, 0x47);
	k.cfg.devev = record;
	k.cfg.devev_opaque = r;
	return kit_boot(&k);
}

static void test_boot(void **state)
{
	struct rec r;
	struct apv_host *h = boot(&r);

	(void)state;
	EXPECT(&r, "add card card05", "bind card card05 cex4card",
	       "add queue 05.0004", "bind queue 05.0004 cex4queue",
	       "add queue 05.0047", "bind queue 05.0047 cex4queue",
	       "add card card06", "bind card card06 cex4card",
	       "add queue 06.0004", "bind queue 06.0004 cex4queue",
	       "add queue 06.0047", "bind queue 06.0047 cex4queue",
	       "change bus ap INITSCAN=0", "change bus ap BINDINGS=1",
	       "add matrix matrix", "bind matrix matrix vfio_ap",
	       "change matrix matrix REGISTERED=0");
	apv_host_free(h);
	/* tearing down announces nothing */
	assert_int_equal(r.n, 0);
}

static void test_unbind_bind(void **state)
{
	struct rec r;
	struct apv_host *h = boot(&r);

	(void)state;
	r.n = 0;
	assert_int_equal(apv_bus_unbind(h, "cex4queue", "05.0004"), 0);
	EXPECT(&r, "unbind queue 05.0004 cex4queue");
	assert_int_equal(apv_bus_bind(h, "cex4queue", "05.0004"), 0);
	EXPECT(&r, "bind queue 05.0004 cex4queue", "change bus ap BINDINGS=2");
	assert_int_equal(apv_bus_unbind(h, "cex4card", "card06"), 0);
	EXPECT(&r, "unbind card card06 cex4card");
	assert_int_equal(apv_bus_bind(h, "cex4card", "card06"), 0);
	EXPECT(&r, "bind card card06 cex4card");
	/* a refused bind announces nothing */
	assert_int_equal(apv_bus_bind(h, "vfio_ap", "05.0004"), -EBUSY);
	EXPECT_NONE(&r);
	apv_host_free(h);
}

static void test_mask_change(void **state)
{
	struct rec r;
	struct apv_host *h = boot(&r);
	struct apv_bitmap m = BM_FULL(), five = BM(5);

	(void)state;
	r.n = 0;
	apv_bm_andnot(&m, &m, &five);
	assert_int_equal(apv_bus_set_apmask(h, &m), 0);
	/* revise bindings first (every probe that leaves all queues bound
	 * completes the bindings), then the bus's change event */
	EXPECT(&r, "unbind queue 05.0004 cex4queue",
	       "bind queue 05.0004 vfio_ap", "change bus ap BINDINGS=2",
	       "unbind queue 05.0047 cex4queue", "bind queue 05.0047 vfio_ap",
	       "change bus ap BINDINGS=3", "change bus ap APMASK=0");
	/* the same mask again changes nothing */
	assert_int_equal(apv_bus_set_apmask(h, &m), 0);
	EXPECT_NONE(&r);
	apv_host_free(h);
}

static void test_mdev_create_remove(void **state)
{
	struct rec r;
	struct apv_host *h = boot(&r);
	uint8_t u[16];
	char name[37], want[4][96];

	(void)state;
	kit_uuid(u, 1);
	kit_uuid_str(u, name);
	r.n = 0;
	assert_int_equal(apv_mdev_create(h, u), 0);
	assert_int_equal(apv_mdev_remove(h, u), 0);
	snprintf(want[0], sizeof(want[0]), "add mdev %s", name);
	snprintf(want[1], sizeof(want[1]), "bind mdev %s vfio_ap_mdev", name);
	snprintf(want[2], sizeof(want[2]), "unbind mdev %s vfio_ap_mdev", name);
	snprintf(want[3], sizeof(want[3]), "remove mdev %s", name);
	expect_events(&r,
		      (const char *const[]){want[0], want[1], want[2], want[3]},
		      4);
	apv_host_free(h);
}

static void test_adapter_removal(void **state)
{
	struct rec r;
	struct apv_host *h = boot(&r);

	(void)state;
	r.n = 0;
	assert_int_equal(apv_hw_adapter_remove(h, 6, 0), 0);
	EXPECT(&r, "unbind queue 06.0004 cex4queue", "remove queue 06.0004",
	       "unbind queue 06.0047 cex4queue", "remove queue 06.0047",
	       "unbind card card06 cex4card", "remove card card06");
	assert_int_equal(apv_hw_adapter_restore(h, 6, 0), 0);
	EXPECT(&r, "add card card06", "bind card card06 cex4card",
	       "add queue 06.0004", "bind queue 06.0004 cex4queue",
	       "change bus ap BINDINGS=2", "add queue 06.0047",
	       "bind queue 06.0047 cex4queue", "change bus ap BINDINGS=3");
	apv_host_free(h);
}

static void test_config_change(void **state)
{
	struct rec r;
	struct apv_host *h = boot(&r);

	(void)state;
	r.n = 0;
	assert_int_equal(apv_hw_adapter_configure(h, 6, false, 0), 0);
	EXPECT(&r, "change card card06 CONFIG=0",
	       "change queue 06.0004 CONFIG=0",
	       "change queue 06.0047 CONFIG=0");
	assert_int_equal(apv_hw_adapter_configure(h, 6, true, 0), 0);
	EXPECT(&r, "change card card06 CONFIG=1",
	       "change queue 06.0004 CONFIG=1",
	       "change queue 06.0047 CONFIG=1");
	apv_host_free(h);
}

static void test_listener_later_and_off(void **state)
{
	struct rec r, r2;
	struct apv_host *h = boot(&r);

	(void)state;
	memset(&r2, 0, sizeof(r2));
	apv_host_set_devev_listener(h, record, &r2);
	assert_int_equal(apv_bus_unbind(h, "cex4queue", "05.0004"), 0);
	assert_int_equal(r2.n, 1);
	apv_host_set_devev_listener(h, NULL, NULL);
	assert_int_equal(apv_bus_bind(h, "cex4queue", "05.0004"), 0);
	assert_int_equal(r2.n, 1);
	apv_host_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boot),
		cmocka_unit_test(test_unbind_bind),
		cmocka_unit_test(test_mask_change),
		cmocka_unit_test(test_mdev_create_remove),
		cmocka_unit_test(test_adapter_removal),
		cmocka_unit_test(test_config_change),
		cmocka_unit_test(test_listener_later_and_off),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
