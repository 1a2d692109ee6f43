// SPDX-License-Identifier: MIT
/*
 * Unit tests for src/lib/sysfs/attr.c: every sysfs attribute driven through
 * apv_attr_read / apv_attr_write / apv_attr_list, with the errno tables of
 * spec vfio-ap-semantics.md §1.3-§1.7.1 and §2.2-§2.6 and the canonical
 * scenario of §7.  Whole-object dumps are compared with golden files in
 * tests/data/attr/ (APV_TEST_REGENERATE=1 rewrites them).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include <apvirt/attr.h>
#include <apvirt/bus.h>
#include <apvirt/format.h>
#include <apvirt/host.h>
#include <apvirt/kvm.h>
#include <apvirt/log.h>
#include <apvirt/parse.h>
#include <apvirt/reason.h>
#include <apvirt/vfio_ap.h>

#include "golden.h"

/* ---- hosts ------------------------------------------------------------ */

struct host_opts {
	enum apv_kernel kernel;
	bool no_qci, no_apxa, no_irq, no_vfio;
	/* alternative flags for the bus `features` test */
	bool flags_set;
	bool apsc, apxa, qact, rc8a;
};

#define STD_DOMAINS 3
static const unsigned int std_domains[STD_DOMAINS] = {0x04, 0x47, 0x54};
/* without APXA domains must be <= 15 */
static const unsigned int small_domains[2] = {0x04, 0x0a};

/* Adapters 04 (CEX8 accel) and 05 (CEX8 CCA), domains 04 47 54. */
static struct apv_host *host_with(const struct host_opts *o,
				  const struct apv_adapter_spec *ad, size_t nad,
				  const unsigned int *doms, size_t ndoms)
{
	struct apv_host_config cfg;
	struct apv_host *h = NULL;

	apv_host_config_init(&cfg);
	cfg.kernel = o->kernel;
	cfg.qci = !o->no_qci;
	cfg.apxa = !o->no_apxa;
	cfg.irq = !o->no_irq;
	cfg.no_vfio_ap = o->no_vfio;
	if (o->flags_set) {
		cfg.apsc = o->apsc;
		cfg.apxa = o->apxa;
		cfg.qact = o->qact;
		cfg.rc8a = o->rc8a;
	}
	cfg.adapters = ad;
	cfg.n_adapters = nad;
	for (size_t i = 0; i < ndoms; i++) {
		apv_bm_set(&cfg.domains, doms[i]);
		apv_bm_set(&cfg.control_domains, doms[i]);
	}
	apv_bm_set(&cfg.control_domains, 0x0b);
	assert_int_equal(apv_host_new(&cfg, &h), 0);
	assert_non_null(h);
	return h;
}

static const struct apv_adapter_spec std_adapters[] = {
	{.id = 0x04, .type = APV_TYPE_CEX8, .mode = APV_MODE_ACCEL},
	{.id = 0x05, .type = APV_TYPE_CEX8, .mode = APV_MODE_CCA},
};

static struct apv_host *std_host_o(const struct host_opts *o)
{
	if (o->no_apxa || o->no_qci)
		return host_with(o, std_adapters, 2, small_domains, 2);
	return host_with(o, std_adapters, 2, std_domains, STD_DOMAINS);
}

static struct apv_host *std_host(enum apv_kernel k)
{
	struct host_opts o = {.kernel = k};

	return std_host_o(&o);
}

/* ---- attribute helpers ------------------------------------------------ */

#define K612 APV_KERNEL_6_12
#define K61 APV_KERNEL_6_1

static struct apv_obj o_bus(void)
{
	return apv_obj_bus();
}

static struct apv_obj o_card(unsigned int apid)
{
	return apv_obj_card(apid);
}

static struct apv_obj o_queue(unsigned int apid, unsigned int apqi)
{
	return apv_obj_queue(APV_APQN(apid, apqi));
}

static struct apv_obj o_drv(const char *name)
{
	return apv_obj_driver(name);
}

static struct apv_obj o_mdev(const char *uuid)
{
	uint8_t u[16];

	assert_int_equal(apv_parse_uuid(uuid, strlen(uuid), u), 0);
	return apv_obj_mdev(u);
}

static char rd_buf[16384];

/* Read an attribute; returns the text (valid until the next call). */
static const char *rd_at(struct apv_host *h, struct apv_obj o, const char *name,
			 const char *file, int line)
{
	struct apv_strbuf sb = APV_STRBUF_INIT;
	int rc = apv_attr_read(h, &o, name, &sb);

	if (rc)
		print_error("read %s failed: %d (%s)\n", name, rc,
			    apv_reason_last()->msg);
	_assert_int_equal(rc, 0, file, line);
	_assert_true(sb.len < sizeof(rd_buf), "fits", file, line);
	memcpy(rd_buf, apv_sb_str(&sb), sb.len + 1);
	apv_sb_free(&sb);
	return rd_buf;
}

#define rd(h, o, name) rd_at((h), (o), (name), __FILE__, __LINE__)
#define RD_EQ(h, o, name, want)                                                \
	_assert_string_equal(rd((h), (o), (name)), (want), __FILE__, __LINE__)

static int rd_err(struct apv_host *h, struct apv_obj o, const char *name)
{
	struct apv_strbuf sb = APV_STRBUF_INIT;
	int rc = apv_attr_read(h, &o, name, &sb);

	/* a failed read appends nothing */
	if (rc)
		assert_int_equal(sb.len, 0);
	apv_sb_free(&sb);
	return rc;
}

#define RD_ERR(h, o, name, want)                                               \
	_assert_int_equal(rd_err((h), (o), (name)), (want), __FILE__, __LINE__)

static ssize_t wr(struct apv_host *h, struct apv_obj o, const char *name,
		  const char *s)
{
	return apv_attr_write(h, &o, name, s, strlen(s));
}

#define WR_OK(h, o, name, s)                                                   \
	do {                                                                   \
		ssize_t wr_rc_ = wr((h), (o), (name), (s));                    \
		if (wr_rc_ < 0)                                                \
			print_error("write %s failed: %zd (%s)\n", (name),     \
				    wr_rc_, apv_reason_last()->msg);           \
		_assert_int_equal(wr_rc_, strlen(s), __FILE__, __LINE__);      \
		_assert_int_equal(apv_reason_last()->err, 0, __FILE__,         \
				  __LINE__);                                   \
	} while (0)
#define WR_ERR(h, o, name, s, want)                                            \
	do {                                                                   \
		_assert_int_equal(wr((h), (o), (name), (s)), (want), __FILE__, \
				  __LINE__);                                   \
		_assert_int_equal(apv_reason_last()->err, (want), __FILE__,    \
				  __LINE__);                                   \
	} while (0)

static bool listed(struct apv_host *h, struct apv_obj o, const char *name,
		   unsigned int *mode)
{
	struct apv_attr_entry e[64];
	int n = apv_attr_list(h, &o, e, 64);

	assert_true(n >= 0);
	for (int i = 0; i < n; i++) {
		if (!strcmp(e[i].name, name)) {
			if (mode)
				*mode = e[i].mode;
			return true;
		}
	}
	return false;
}

/* Every attribute of o with its mode and content, for golden files. */
static void dump(struct apv_host *h, struct apv_obj o, const char *golden)
{
	struct apv_attr_entry e[64];
	struct apv_strbuf sb = APV_STRBUF_INIT;
	int n = apv_attr_list(h, &o, e, 64);

	assert_true(n >= 0);
	for (int i = 0; i < n; i++) {
		assert_int_equal(apv_sb_printf(&sb, "--- %s %04o\n", e[i].name,
					       e[i].mode),
				 0);
		assert_int_equal(apv_attr_mode(h, &o, e[i].name),
				 (int)e[i].mode);
		if (e[i].mode & 0444)
			assert_int_equal(apv_attr_read(h, &o, e[i].name, &sb),
					 0);
		else
			assert_int_equal(rd_err(h, o, e[i].name), -EACCES);
	}
	apv_golden_check(golden, apv_sb_str(&sb), sb.len);
	apv_sb_free(&sb);
}

/* "0x<64>,0x<64>,0x<64>\n" from id lists (terminated by -1). */
static const char *cfg_str(const int *apm, const int *aqm, const int *adm)
{
	static char out[256];
	struct apv_strbuf sb = APV_STRBUF_INIT;
	const int *l[3] = {apm, aqm, adm};

	for (int i = 0; i < 3; i++) {
		struct apv_bitmap m;

		apv_bm_zero(&m);
		for (const int *p = l[i]; *p >= 0; p++)
			apv_bm_set(&m, (unsigned int)*p);
		assert_int_equal(apv_fmt_mask_hex(&sb, &m), 0);
		assert_int_equal(apv_sb_puts(&sb, i < 2 ? "," : "\n"), 0);
	}
	assert_int_equal(sb.len, 201);
	memcpy(out, apv_sb_str(&sb), sb.len + 1);
	apv_sb_free(&sb);
	return out;
}

#define IDS(...) ((const int[]){__VA_ARGS__, -1})
#define NOIDS ((const int[]){-1})

static const char *const UA = "11111111-2222-3333-4444-555555555555";
static const char *const UB = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
static const char *const UC = "0123abcd-0000-4000-8000-00000000beef";

static void create(struct apv_host *h, const char *uuid)
{
	WR_OK(h, apv_obj_mdev_type(), "create", uuid);
}

/* ---- object constructors and access rules ------------------------------ */

static void test_obj_ctors(void **state)
{
	uint8_t u[16];
	struct apv_obj o;

	(void)state;
	for (int i = 0; i < 16; i++)
		u[i] = (uint8_t)(i * 17);
	o = apv_obj_mdev(u);
	assert_int_equal(o.kind, APV_OBJ_MDEV);
	assert_memory_equal(o.uuid, u, 16);

	o = apv_obj_driver("vfio_ap");
	assert_int_equal(o.kind, APV_OBJ_DRIVER);
	assert_string_equal(o.driver, "vfio_ap");
	o = apv_obj_driver("a_driver_name_much_longer_than_the_field");
	assert_int_equal(o.kind, APV_OBJ_DRIVER);
	assert_int_equal(strlen(o.driver), sizeof(o.driver) - 1);

	o = apv_obj_card(0x05);
	assert_int_equal(apv_apqn_apid(o.apqn), 0x05);
}

static void test_access_rules(void **state)
{
	struct apv_host *h = std_host(K612);
	struct apv_strbuf sb = APV_STRBUF_INIT;
	struct apv_obj b = o_bus();
	struct apv_obj o;

	(void)state;
	/* write of a read-only file, read of a write-only file */
	WR_ERR(h, b, "ap_max_domain_id", "1", -EACCES);
	WR_ERR(h, b, "bindings", "1", -EACCES);
	RD_ERR(h, apv_obj_mdev_type(), "create", -EACCES);
	RD_ERR(h, o_drv("vfio_ap"), "bind", -EACCES);
	assert_non_null(strstr(apv_reason_last()->msg, "write-only"));
	/* unknown attribute and unknown objects */
	RD_ERR(h, b, "no_such_file", -ENOENT);
	WR_ERR(h, b, "no_such_file", "1", -ENOENT);
	assert_int_equal(apv_attr_mode(h, &b, "no_such_file"), -ENOENT);
	assert_int_equal(apv_attr_read(h, &b, NULL, &sb), -ENOENT);
	RD_ERR(h, o_card(0x07), "hwtype", -ENOENT);
	assert_string_equal(apv_reason_last()->msg,
			    "devices/ap/card07 does not exist");
	RD_ERR(h, o_queue(0x04, 0x05), "config", -ENOENT);
	RD_ERR(h, o_drv("nosuch"), "bind", -ENOENT);
	RD_ERR(h, o_mdev(UA), "matrix", -ENOENT);
	o = o_card(0x07);
	assert_int_equal(apv_attr_list(h, &o, NULL, 0), -ENOENT);
	o = (struct apv_obj){.kind = (enum apv_obj_kind)99};
	assert_int_equal(apv_attr_list(h, &o, NULL, 0), -ENOENT);

	/* modes */
	assert_int_equal(apv_attr_mode(h, &b, "apmask"), 0644);
	assert_int_equal(apv_attr_mode(h, &b, "bindings"), 0444);
	o = apv_obj_mdev_type();
	assert_int_equal(apv_attr_mode(h, &o, "create"), 0200);

	/* a zero-length write succeeds without calling the store */
	RD_EQ(h, b, "scans", "1\n");
	assert_int_equal(apv_attr_write(h, &b, "scans", "", 0), 0);
	RD_EQ(h, b, "scans", "1\n");
	assert_int_equal(apv_attr_write(h, &b, "apmask", "x", 0), 0);
	/* ... but a read-only file still refuses it */
	assert_int_equal(apv_attr_write(h, &b, "bindings", "", 0), -EACCES);

	/* reads append */
	assert_int_equal(apv_sb_puts(&sb, "pre:"), 0);
	assert_int_equal(apv_attr_read(h, &b, "ap_interrupts", &sb), 0);
	assert_string_equal(apv_sb_str(&sb), "pre:1\n");
	apv_sb_free(&sb);

	/* the list: counting, truncation */
	o = o_bus();
	assert_int_equal(apv_attr_list(h, &o, NULL, 0), 15);
	{
		struct apv_attr_entry e[3];

		assert_int_equal(apv_attr_list(h, &o, e, 3), 3);
		assert_string_equal(e[0].name, "ap_domain");
		assert_int_equal(e[0].mode, 0644);
		assert_string_equal(e[2].name, "ap_usage_domain_mask");
	}
	apv_host_free(h);
}

static void test_reason(void **state)
{
	struct apv_host *h = std_host(K612);
	const struct apv_reason *r;

	(void)state;
	WR_ERR(h, o_bus(), "ap_domain", "300", -EINVAL);
	r = apv_reason_last();
	assert_int_equal(r->rule, APV_RULE_RANGE);
	assert_non_null(strstr(r->msg, "bus/ap/ap_domain"));
	/* success clears it */
	WR_OK(h, o_bus(), "ap_domain", "4");
	assert_int_equal(apv_reason_last()->rule, APV_RULE_NONE);
	assert_string_equal(apv_reason_last()->msg, "");
	/* reads clear it too */
	WR_ERR(h, o_bus(), "config_time", "1", -EINVAL);
	rd(h, o_bus(), "config_time");
	assert_int_equal(apv_reason_last()->err, 0);
	apv_host_free(h);
}

/* ---- /sys/bus/ap --------------------------------------------------------- */

static void test_bus_golden(void **state)
{
	struct host_opts o = {.kernel = K612, .no_qci = true, .no_apxa = true};
	struct apv_host *h;

	(void)state;
	h = std_host(K612);
	dump(h, o_bus(), "attr/bus_612.out");
	apv_host_free(h);
	h = std_host(K61);
	dump(h, o_bus(), "attr/bus_61.out");
	apv_host_free(h);
	h = std_host_o(&o);
	dump(h, o_bus(), "attr/bus_noqci_612.out");
	apv_host_free(h);
}

static void test_bus_list(void **state)
{
	struct apv_host *h;
	unsigned int mode = 0;

	(void)state;
	h = std_host(K612);
	assert_true(listed(h, o_bus(), "features", &mode));
	assert_int_equal(mode, 0444);
	assert_true(listed(h, o_bus(), "scans", &mode));
	assert_int_equal(mode, 0644);
	assert_false(listed(h, o_bus(), "uevent", NULL));
	apv_host_free(h);

	/* `features` appeared after 6.1 */
	h = std_host(K61);
	assert_false(listed(h, o_bus(), "features", NULL));
	RD_ERR(h, o_bus(), "features", -ENOENT);
	assert_int_equal(apv_attr_mode(h,
				       &(struct apv_obj){.kind = APV_OBJ_BUS},
				       "features"),
			 -ENOENT);
	apv_host_free(h);
}

static void test_bus_ap_domain(void **state)
{
	struct host_opts small = {.kernel = K612, .no_apxa = true};
	struct apv_host *h = std_host(K612);
	struct apv_obj b = o_bus();

	(void)state;
	/* the first scan selected the first usable domain */
	RD_EQ(h, b, "ap_domain", "4\n");
	/* %i: decimal, hex, octal, leading blanks, trailing junk */
	WR_OK(h, b, "ap_domain", "0x47");
	RD_EQ(h, b, "ap_domain", "71\n");
	WR_OK(h, b, "ap_domain", "0124"); /* octal 84 */
	RD_EQ(h, b, "ap_domain", "84\n");
	WR_OK(h, b, "ap_domain", " 5junk");
	RD_EQ(h, b, "ap_domain", "5\n");
	WR_OK(h, b, "ap_domain", "+6\n");
	RD_EQ(h, b, "ap_domain", "6\n");
	/* no check against the configuration: domain 0x10 is not in QCI */
	WR_OK(h, b, "ap_domain", "16");
	RD_EQ(h, b, "ap_domain", "16\n");
	/* EINVAL: not parseable, < 0, > ap_max_domain_id, not in aqmask */
	WR_ERR(h, b, "ap_domain", "abc", -EINVAL);
	WR_ERR(h, b, "ap_domain", "\n", -EINVAL);
	WR_ERR(h, b, "ap_domain", "-1", -EINVAL);
	WR_ERR(h, b, "ap_domain", "256", -EINVAL);
	WR_ERR(h, b, "ap_domain", "99999999999", -EINVAL);
	WR_OK(h, b, "aqmask", "-0x47");
	WR_ERR(h, b, "ap_domain", "0x47", -EINVAL);
	assert_non_null(strstr(apv_reason_last()->msg, "aqmask"));
	WR_OK(h, b, "ap_domain", "255");
	RD_EQ(h, b, "ap_domain", "255\n");
	apv_host_free(h);

	/* without APXA ap_max_domain_id is 15 */
	h = std_host_o(&small);
	RD_EQ(h, b, "ap_max_domain_id", "15\n");
	RD_EQ(h, b, "ap_max_adapter_id", "63\n");
	WR_OK(h, b, "ap_domain", "15");
	WR_ERR(h, b, "ap_domain", "16", -EINVAL);
	apv_host_free(h);
}

static void test_bus_qci_masks(void **state)
{
	struct host_opts noqci = {
		.kernel = K612, .no_qci = true, .no_apxa = true};
	struct apv_host *h = std_host(K61);
	struct apv_obj b = o_bus();

	(void)state;
	RD_EQ(h, b, "ap_adapter_mask",
	      "0x0c000000000000000000000000000000"
	      "00000000000000000000000000000000\n");
	/* domains 04 47 54 */
	RD_EQ(h, b, "ap_usage_domain_mask",
	      "0x08000000000000000100080000000000"
	      "00000000000000000000000000000000\n");
	/* plus control domain 0b */
	RD_EQ(h, b, "ap_control_domain_mask",
	      "0x08100000000000000100080000000000"
	      "00000000000000000000000000000000\n");
	RD_EQ(h, b, "ap_max_domain_id", "255\n");
	RD_EQ(h, b, "ap_max_adapter_id", "255\n");
	RD_EQ(h, b, "ap_interrupts", "1\n");
	/* the QCI copy of the last scan: a hardware change shows after it */
	assert_int_equal(apv_hw_domain_set(h, 0x10, true, APV_EV_NOSCAN), 0);
	RD_EQ(h, b, "ap_usage_domain_mask",
	      "0x08000000000000000100080000000000"
	      "00000000000000000000000000000000\n");
	WR_OK(h, b, "scans", "1");
	RD_EQ(h, b, "ap_usage_domain_mask",
	      "0x08008000000000000100080000000000"
	      "00000000000000000000000000000000\n");
	apv_host_free(h);

	h = std_host_o(&noqci);
	RD_EQ(h, b, "ap_adapter_mask", "not supported\n");
	RD_EQ(h, b, "ap_usage_domain_mask", "not supported\n");
	RD_EQ(h, b, "ap_control_domain_mask", "not supported\n");
	RD_EQ(h, b, "ap_max_domain_id", "15\n");
	RD_EQ(h, b, "features", "-\n");
	apv_host_free(h);
}

static void test_bus_features(void **state)
{
	struct host_opts o = {.kernel = K612, .flags_set = true};
	struct apv_host *h = std_host(K612);

	(void)state;
	RD_EQ(h, o_bus(), "features", "APSC APXA QACT RC8A\n");
	WR_ERR(h, o_bus(), "features", "APSC", -EACCES);
	apv_host_free(h);

	o.apxa = true;
	h = std_host_o(&o);
	RD_EQ(h, o_bus(), "features", "APXA\n");
	apv_host_free(h);

	o.apxa = false;
	o.no_apxa = true;
	o.qact = o.rc8a = true;
	h = std_host_o(&o);
	RD_EQ(h, o_bus(), "features", "QACT RC8A\n");
	apv_host_free(h);

	/* QCI without any flag bit */
	o.qact = o.rc8a = false;
	h = std_host_o(&o);
	RD_EQ(h, o_bus(), "features", "-\n");
	apv_host_free(h);
}

static void test_bus_config_time(void **state)
{
	struct apv_host *h = std_host(K612);
	struct apv_obj b = o_bus();

	(void)state;
	RD_EQ(h, b, "config_time", "30\n");
	WR_OK(h, b, "config_time", "5");
	RD_EQ(h, b, "config_time", "5\n");
	WR_OK(h, b, "config_time", "120\n");
	RD_EQ(h, b, "config_time", "120\n");
	WR_OK(h, b, "config_time", "60s"); /* %d ignores trailing junk */
	RD_EQ(h, b, "config_time", "60\n");
	WR_ERR(h, b, "config_time", "4", -EINVAL);
	WR_ERR(h, b, "config_time", "121", -EINVAL);
	WR_ERR(h, b, "config_time", "-30", -EINVAL);
	WR_ERR(h, b, "config_time", "abc", -EINVAL);
	WR_ERR(h, b, "config_time", "0x10", -EINVAL); /* %d reads 0 */
	RD_EQ(h, b, "config_time", "60\n");
	apv_host_free(h);
}

static void test_bus_poll_thread(void **state)
{
	struct host_opts noirq = {.kernel = K61, .no_irq = true};
	struct apv_host *h;
	struct apv_obj b = o_bus();

	(void)state;
	/* 6.1: %d, non-zero starts; a no-op while interrupts are used */
	h = std_host(K61);
	RD_EQ(h, b, "poll_thread", "0\n");
	WR_OK(h, b, "poll_thread", "1");
	RD_EQ(h, b, "poll_thread", "0\n");
	WR_ERR(h, b, "poll_thread", "y", -EINVAL);
	apv_host_free(h);

	h = std_host_o(&noirq);
	RD_EQ(h, b, "ap_interrupts", "0\n");
	WR_OK(h, b, "poll_thread", "2");
	RD_EQ(h, b, "poll_thread", "1\n");
	WR_OK(h, b, "poll_thread", "0\n");
	RD_EQ(h, b, "poll_thread", "0\n");
	WR_OK(h, b, "poll_thread", "-1");
	RD_EQ(h, b, "poll_thread", "1\n");
	WR_ERR(h, b, "poll_thread", "on", -EINVAL);
	apv_host_free(h);

	/* 6.12: kstrtobool */
	noirq.kernel = K612;
	h = std_host_o(&noirq);
	WR_OK(h, b, "poll_thread", "y");
	RD_EQ(h, b, "poll_thread", "1\n");
	WR_OK(h, b, "poll_thread", "off");
	RD_EQ(h, b, "poll_thread", "0\n");
	WR_OK(h, b, "poll_thread", "On\n");
	RD_EQ(h, b, "poll_thread", "1\n");
	WR_OK(h, b, "poll_thread", "0");
	RD_EQ(h, b, "poll_thread", "0\n");
	WR_ERR(h, b, "poll_thread", "2", -EINVAL);
	WR_ERR(h, b, "poll_thread", "abc", -EINVAL);
	WR_ERR(h, b, "poll_thread", "o", -EINVAL);
	apv_host_free(h);

	h = std_host(K612);
	WR_OK(h, b, "poll_thread", "1");
	RD_EQ(h, b, "poll_thread", "0\n");
	apv_host_free(h);
}

static void test_bus_poll_timeout(void **state)
{
	struct apv_host *h;
	struct apv_obj b = o_bus();

	(void)state;
	h = std_host(K61);
	RD_EQ(h, b, "poll_timeout", "250000\n");
	WR_OK(h, b, "poll_timeout", "1");
	RD_EQ(h, b, "poll_timeout", "1\n");
	WR_OK(h, b, "poll_timeout", "120000000000\n");
	RD_EQ(h, b, "poll_timeout", "120000000000\n");
	WR_ERR(h, b, "poll_timeout", "0", -EINVAL);
	WR_ERR(h, b, "poll_timeout", "120000000001", -EINVAL);
	WR_ERR(h, b, "poll_timeout", "abc", -EINVAL);
	WR_ERR(h, b, "poll_timeout", "99999999999999999999999", -EINVAL);
	RD_EQ(h, b, "poll_timeout", "120000000000\n");
	apv_host_free(h);

	h = std_host(K612);
	WR_OK(h, b, "poll_timeout", "0");
	RD_EQ(h, b, "poll_timeout", "0\n");
	WR_OK(h, b, "poll_timeout", "0x10");
	RD_EQ(h, b, "poll_timeout", "16\n");
	WR_OK(h, b, "poll_timeout", "120000000000");
	WR_ERR(h, b, "poll_timeout", "120000000001", -EINVAL);
	WR_ERR(h, b, "poll_timeout", "99999999999999999999999", -ERANGE);
	WR_ERR(h, b, "poll_timeout", "abc", -EINVAL);
	WR_ERR(h, b, "poll_timeout", "-1", -EINVAL);
	RD_EQ(h, b, "poll_timeout", "120000000000\n");
	apv_host_free(h);
}

static void test_bus_masks(void **state)
{
	struct apv_host *h = std_host(K612);
	struct apv_obj b = o_bus();

	(void)state;
	RD_EQ(h, b, "apmask",
	      "0xffffffffffffffffffffffffffffffff"
	      "ffffffffffffffffffffffffffffffff\n");
	RD_EQ(h, b, "bindings", "6/6 (complete)\n");
	/* relative and absolute forms */
	WR_OK(h, b, "apmask", "-4,-5\n");
	RD_EQ(h, b, "apmask",
	      "0xf3ffffffffffffffffffffffffffffff"
	      "ffffffffffffffffffffffffffffffff\n");
	RD_EQ(h, o_queue(4, 0x47), "status", "unassigned\n");
	RD_EQ(h, b, "bindings", "6/6 (complete)\n");
	WR_OK(h, b, "aqmask", "0x41");
	RD_EQ(h, b, "aqmask",
	      "0x41000000000000000000000000000000"
	      "00000000000000000000000000000000\n");
	WR_OK(h, b, "aqmask", "\n");
	RD_EQ(h, b, "aqmask",
	      "0x00000000000000000000000000000000"
	      "00000000000000000000000000000000\n");
	WR_ERR(h, b, "aqmask", "0X41", -EINVAL);
	WR_ERR(h, b, "apmask", "+256", -EINVAL);
	WR_ERR(h, b, "apmask", "-4 ", -EINVAL);
	/* EBUSY: newly reserved ids that are assigned to an mdev */
	WR_OK(h, b, "aqmask", "+0-255");
	WR_OK(h, b, "apmask", "-4");
	create(h, UA);
	WR_OK(h, o_mdev(UA), "assign_adapter", "4");
	WR_OK(h, o_mdev(UA), "assign_domain", "0x47");
	WR_ERR(h, b, "apmask", "+4", -EBUSY);
	assert_int_equal(apv_reason_last()->rule, APV_RULE_IN_USE);
	RD_EQ(h, b, "apmask",
	      "0xf3ffffffffffffffffffffffffffffff"
	      "ffffffffffffffffffffffffffffffff\n");
	/* taking more away never fails */
	WR_OK(h, b, "apmask", "-0-3");
	RD_EQ(h, b, "apmask",
	      "0x03ffffffffffffffffffffffffffffff"
	      "ffffffffffffffffffffffffffffffff\n");
	apv_host_free(h);
}

static void test_bus_scans_bindings(void **state)
{
	struct host_opts novfio = {.kernel = K612, .no_vfio = true};
	struct apv_host *h = std_host(K612);
	struct apv_obj b = o_bus();

	(void)state;
	RD_EQ(h, b, "scans", "1\n");
	WR_OK(h, b, "scans", "1");
	RD_EQ(h, b, "scans", "2\n");
	WR_OK(h, b, "scans", "anything at all");
	RD_EQ(h, b, "scans", "3\n");
	/* a scan picks up pending hardware changes synchronously */
	assert_int_equal(apv_hw_domain_set(h, 0x10, true, APV_EV_NOSCAN), 0);
	RD_EQ(h, b, "bindings", "6/6 (complete)\n");
	WR_OK(h, b, "scans", "\n");
	RD_EQ(h, b, "bindings", "8/8 (complete)\n");
	RD_EQ(h, o_queue(5, 0x10), "online", "1\n");
	/* an unbound queue makes it incomplete */
	WR_OK(h, o_drv("cex4queue"), "unbind", "05.0010");
	RD_EQ(h, b, "bindings", "7/8\n");
	apv_host_free(h);

	/* without vfio_ap, non-default queues stay unbound */
	h = std_host_o(&novfio);
	WR_OK(h, b, "aqmask", "-0x54");
	RD_EQ(h, b, "bindings", "4/6\n");
	apv_host_free(h);
}

/* ---- cards ------------------------------------------------------------- */

static void test_card_golden(void **state)
{
	static const struct apv_adapter_spec ads[] = {
		{.id = 0x04, .type = APV_TYPE_CEX8, .mode = APV_MODE_ACCEL},
		{.id = 0x05,
		 .type = APV_TYPE_CEX7,
		 .mode = APV_MODE_CCA,
		 .qd = 3,
		 .ml = 8},
		{.id = 0x06, .type = APV_TYPE_CEX6, .mode = APV_MODE_EP11},
		{.id = 0x07, .type = 15, .mode = APV_MODE_CCA},
		{.id = 0x08, .type = APV_TYPE_CEX3C, .mode = APV_MODE_CCA},
	};
	struct host_opts o = {.kernel = K612};
	struct apv_host *h;

	(void)state;
	h = host_with(&o, ads, 5, std_domains, STD_DOMAINS);
	dump(h, o_card(4), "attr/card_cex8a_612.out");
	dump(h, o_card(5), "attr/card_cex7c_612.out");
	dump(h, o_card(6), "attr/card_cex6p_612.out");
	/* a raw type above CEX8 runs as CEX8 (QACT) */
	dump(h, o_card(7), "attr/card_raw15_612.out");
	/* CEX3 is unsupported in 6.12 */
	RD_ERR(h, o_card(8), "hwtype", -ENOENT);
	WR_OK(h, o_drv("cex4card"), "unbind", "card04");
	dump(h, o_card(4), "attr/card_unbound_612.out");
	apv_host_free(h);

	o.kernel = K61;
	h = host_with(&o, ads, 5, std_domains, STD_DOMAINS);
	dump(h, o_card(4), "attr/card_cex8a_61.out");
	dump(h, o_card(5), "attr/card_cex7c_61.out");
	dump(h, o_card(8), "attr/card_cex3c_61.out");
	apv_host_free(h);
}

static void test_card_formats(void **state)
{
	static const struct apv_adapter_spec ads[] = {
		{.id = 0x04, .type = APV_TYPE_CEX8, .mode = APV_MODE_ACCEL},
		{.id = 0x05,
		 .type = APV_TYPE_CEX7,
		 .mode = APV_MODE_CCA,
		 .qd = 3,
		 .ml = 8},
		{.id = 0x06, .type = APV_TYPE_CEX4, .mode = APV_MODE_EP11},
		{.id = 0x08, .type = APV_TYPE_CEX3A, .mode = APV_MODE_ACCEL},
	};
	struct host_opts o = {.kernel = K612};
	struct apv_host *h;

	(void)state;
	h = host_with(&o, ads, 4, std_domains, STD_DOMAINS);
	/* depth: 6.12 prints qd + 1 */
	RD_EQ(h, o_card(4), "depth", "8\n");
	RD_EQ(h, o_card(5), "depth", "4\n");
	RD_EQ(h, o_card(4), "max_msg_size", "12288\n");
	RD_EQ(h, o_card(5), "max_msg_size", "32768\n");
	RD_EQ(h, o_card(4), "type", "CEX8A\n");
	RD_EQ(h, o_card(5), "type", "CEX7C\n");
	RD_EQ(h, o_card(6), "type", "CEX4P\n");
	RD_EQ(h, o_card(5), "modalias", "ap:t0D\n");
	RD_EQ(h, o_card(5), "hwtype", "13\n");
	RD_EQ(h, o_card(5), "raw_hwtype", "13\n");
	/* uppercase hex, MSB0: APSC | MEX4K | CRT4K | CCA | APXA */
	RD_EQ(h, o_card(5), "ap_functions", "0x92000000\n");
	RD_EQ(h, o_card(4), "ap_functions", "0x6A000000\n");
	apv_host_free(h);

	o.kernel = K61;
	h = host_with(&o, ads, 4, std_domains, STD_DOMAINS);
	/* depth: 6.1 prints the raw qd */
	RD_EQ(h, o_card(4), "depth", "7\n");
	RD_EQ(h, o_card(5), "depth", "3\n");
	RD_EQ(h, o_card(8), "type", "CEX3A\n");
	RD_EQ(h, o_card(8), "modalias", "ap:t08\n");
	RD_EQ(h, o_card(8), "hwtype", "8\n");
	apv_host_free(h);
}

static void test_card_counters(void **state)
{
	struct apv_host *h = std_host(K612);

	(void)state;
	RD_EQ(h, o_card(4), "request_count", "0\n");
	RD_EQ(h, o_card(4), "requestq_count", "0\n");
	RD_EQ(h, o_card(4), "pendingq_count", "0\n");
	WR_OK(h, o_card(4), "request_count", "whatever");
	RD_EQ(h, o_card(4), "request_count", "0\n");
	RD_EQ(h, o_queue(4, 4), "request_count", "0\n");
	WR_ERR(h, o_card(4), "requestq_count", "0", -EACCES);
	WR_ERR(h, o_card(4), "hwtype", "0", -EACCES);
	WR_ERR(h, o_card(4), "chkstop", "0", -EACCES);
	RD_EQ(h, o_card(4), "chkstop", "0\n");
	assert_int_equal(apv_hw_adapter_checkstop(h, 4, true, 0), 0);
	RD_EQ(h, o_card(4), "chkstop", "1\n");
	RD_EQ(h, o_queue(4, 4), "chkstop", "1\n");
	apv_host_free(h);
}

static void test_card_config(void **state)
{
	struct apv_adapter_state st;
	struct apv_host *h = std_host(K612);

	(void)state;
	RD_EQ(h, o_card(4), "config", "1\n");
	WR_ERR(h, o_card(4), "config", "2", -EINVAL);
	WR_ERR(h, o_card(4), "config", "-1", -EINVAL);
	WR_ERR(h, o_card(4), "config", "abc", -EINVAL);
	WR_ERR(h, o_card(4), "config", "on", -EINVAL);
	/* SCLP deconfigure: 6.12 rescans on the notification */
	WR_OK(h, o_card(4), "config", "0");
	assert_int_equal(apv_hw_adapter_state(h, 4, &st), 0);
	assert_false(st.configured);
	RD_EQ(h, o_card(4), "config", "0\n");
	RD_EQ(h, o_queue(4, 4), "config", "0\n");
	RD_EQ(h, o_card(4), "online", "0\n"); /* config && online */
	RD_EQ(h, o_queue(4, 4), "online", "0\n");
	WR_OK(h, o_card(4), "config", "0\n"); /* no change */
	WR_OK(h, o_card(4), "config", "1junk");
	assert_int_equal(apv_hw_adapter_state(h, 4, &st), 0);
	assert_true(st.configured);
	RD_EQ(h, o_card(4), "config", "1\n");
	RD_EQ(h, o_queue(4, 4), "config", "1\n");
	RD_EQ(h, o_card(4), "online", "1\n");
	apv_host_free(h);

	/* 6.1: the card records the state; its queues follow at a scan */
	h = std_host(K61);
	WR_OK(h, o_card(5), "config", "0");
	RD_EQ(h, o_card(5), "config", "0\n");
	RD_EQ(h, o_queue(5, 4), "config", "1\n");
	RD_EQ(h, o_bus(), "scans", "1\n");
	WR_OK(h, o_bus(), "scans", "1");
	RD_EQ(h, o_queue(5, 4), "config", "0\n");
	WR_OK(h, o_card(5), "config", "1");
	RD_EQ(h, o_card(5), "config", "1\n");
	apv_host_free(h);
}

static void test_card_online(void **state)
{
	struct apv_host *h = std_host(K612);

	(void)state;
	RD_EQ(h, o_card(4), "online", "1\n");
	WR_ERR(h, o_card(4), "online", "2", -EINVAL);
	WR_ERR(h, o_card(4), "online", "x", -EINVAL);
	/* the card's queues follow */
	WR_OK(h, o_card(4), "online", "0");
	RD_EQ(h, o_card(4), "online", "0\n");
	RD_EQ(h, o_queue(4, 0x04), "online", "0\n");
	RD_EQ(h, o_queue(4, 0x54), "online", "0\n");
	RD_EQ(h, o_queue(5, 0x04), "online", "1\n");
	WR_OK(h, o_card(4), "online", "1\n");
	RD_EQ(h, o_queue(4, 0x47), "online", "1\n");
	/* ENODEV: online on a deconfigured card; offline is fine */
	WR_OK(h, o_card(4), "config", "0");
	WR_ERR(h, o_card(4), "online", "1", -ENODEV);
	assert_int_equal(apv_reason_last()->rule, APV_RULE_DECONFIGURED);
	WR_OK(h, o_card(4), "online", "0");
	WR_OK(h, o_card(4), "config", "1");
	RD_EQ(h, o_card(4), "online", "0\n");
	WR_OK(h, o_card(4), "online", "1");
	RD_EQ(h, o_card(4), "online", "1\n");

	/* zcrypt attributes exist only while cex4card is bound */
	assert_true(listed(h, o_card(4), "type", NULL));
	WR_OK(h, o_drv("cex4card"), "unbind", "card04\n");
	assert_false(listed(h, o_card(4), "type", NULL));
	assert_false(listed(h, o_card(4), "online", NULL));
	assert_false(listed(h, o_card(4), "load", NULL));
	RD_ERR(h, o_card(4), "online", -ENOENT);
	WR_ERR(h, o_card(4), "online", "1", -ENOENT);
	/* queues of a card without its zcrypt card driver cannot go online */
	WR_OK(h, o_queue(4, 4), "online", "0");
	WR_ERR(h, o_queue(4, 4), "online", "1", -EINVAL);
	WR_OK(h, o_drv("cex4card"), "bind", "card04");
	RD_EQ(h, o_card(4), "type", "CEX8A\n");
	RD_EQ(h, o_card(4), "load", "0\n");
	WR_OK(h, o_queue(4, 4), "online", "1");
	apv_host_free(h);
}

/* ---- queues ------------------------------------------------------------- */

static void test_queue_golden(void **state)
{
	struct apv_host *h;

	(void)state;
	h = std_host(K612);
	WR_OK(h, o_bus(), "aqmask", "-0x47");
	dump(h, o_queue(4, 0x04), "attr/queue_zcrypt_612.out");
	dump(h, o_queue(4, 0x47), "attr/queue_vfio_612.out");
	WR_OK(h, o_drv("vfio_ap"), "unbind", "05.0047");
	dump(h, o_queue(5, 0x47), "attr/queue_unbound_612.out");
	apv_host_free(h);

	h = std_host(K61);
	WR_OK(h, o_bus(), "aqmask", "-0x47");
	dump(h, o_queue(4, 0x04), "attr/queue_zcrypt_61.out");
	dump(h, o_queue(4, 0x47), "attr/queue_vfio_61.out");
	apv_host_free(h);
}

static void test_queue_list(void **state)
{
	struct apv_host *h = std_host(K612);
	unsigned int mode = 0;

	(void)state;
	WR_OK(h, o_bus(), "aqmask", "-0x47");
	assert_true(listed(h, o_queue(4, 4), "online", &mode));
	assert_int_equal(mode, 0644);
	assert_true(listed(h, o_queue(4, 4), "load", NULL));
	assert_false(listed(h, o_queue(4, 4), "status", NULL));
	assert_false(listed(h, o_queue(4, 0x47), "online", NULL));
	assert_true(listed(h, o_queue(4, 0x47), "status", &mode));
	assert_int_equal(mode, 0444);
	assert_true(listed(h, o_queue(4, 0x47), "ap_functions", NULL));
	RD_ERR(h, o_queue(4, 0x47), "online", -ENOENT);
	RD_ERR(h, o_queue(4, 0x04), "status", -ENOENT);
	apv_host_free(h);

	/* ap_functions is 6.12 only */
	h = std_host(K61);
	assert_false(listed(h, o_queue(4, 4), "ap_functions", NULL));
	RD_ERR(h, o_queue(4, 4), "ap_functions", -ENOENT);
	apv_host_free(h);
}

static void test_queue_counters_reset(void **state)
{
	struct apv_host *h = std_host(K612);
	struct apv_obj zq = o_queue(4, 0x04), vq = o_queue(4, 0x47);

	(void)state;
	WR_OK(h, o_bus(), "aqmask", "-0x47");
	/* zcrypt drives the bus state machine; vfio_ap queues stay
	 * uninitiated */
	RD_EQ(h, zq, "request_count", "0\n");
	RD_EQ(h, vq, "request_count", "-\n");
	RD_EQ(h, zq, "requestq_count", "0\n");
	RD_EQ(h, vq, "pendingq_count", "0\n");
	WR_OK(h, zq, "request_count", "0");
	WR_OK(h, vq, "request_count", "1");
	RD_EQ(h, vq, "request_count", "-\n");
	WR_ERR(h, zq, "requestq_count", "0", -EACCES);
	WR_ERR(h, zq, "config", "1", -EACCES);

	RD_EQ(h, zq, "reset", "No Reset Timer set.\n");
	RD_EQ(h, vq, "reset", "Reset in progress.\n");
	WR_OK(h, zq, "reset", "1");
	RD_EQ(h, zq, "reset", "No Reset Timer set.\n");
	RD_EQ(h, zq, "interrupt", "Interrupts enabled.\n");
	/* no effect while uninitiated */
	WR_OK(h, vq, "reset", "anything");
	RD_EQ(h, vq, "reset", "Reset in progress.\n");
	RD_EQ(h, vq, "request_count", "-\n");
	/* unbinding from zcrypt leaves it uninitiated */
	WR_OK(h, o_drv("cex4queue"), "unbind", "04.0004");
	RD_EQ(h, zq, "reset", "Reset in progress.\n");
	RD_EQ(h, zq, "request_count", "-\n");
	apv_host_free(h);
}

static void test_queue_interrupt(void **state)
{
	struct host_opts noirq = {.kernel = K612, .no_irq = true};
	struct apv_host *h;

	(void)state;
	/* 6.12: a real TAPQ */
	h = std_host(K612);
	WR_OK(h, o_bus(), "aqmask", "-0x47");
	RD_EQ(h, o_queue(4, 4), "interrupt", "Interrupts enabled.\n");
	RD_EQ(h, o_queue(4, 0x47), "interrupt", "Interrupts disabled.\n");
	/* SCLP configure resets the queues: TAPQ no longer shows IRQs */
	WR_OK(h, o_card(4), "config", "0");
	WR_OK(h, o_card(4), "config", "1");
	RD_EQ(h, o_queue(4, 4), "interrupt", "Interrupts disabled.\n");
	/* a reset of the queue restarts the state machine, IRQs on again */
	WR_OK(h, o_queue(4, 4), "reset", "1");
	RD_EQ(h, o_queue(4, 4), "interrupt", "Interrupts enabled.\n");
	apv_host_free(h);

	/* 6.1: the bus's cached flag */
	h = std_host(K61);
	WR_OK(h, o_bus(), "aqmask", "-0x47");
	RD_EQ(h, o_queue(4, 4), "interrupt", "Interrupts enabled.\n");
	RD_EQ(h, o_queue(4, 0x47), "interrupt", "Interrupts disabled.\n");
	WR_OK(h, o_card(4), "config", "0");
	WR_OK(h, o_card(4), "config", "1");
	RD_EQ(h, o_queue(4, 4), "interrupt", "Interrupts enabled.\n");
	apv_host_free(h);

	h = std_host_o(&noirq);
	RD_EQ(h, o_queue(4, 4), "interrupt", "Interrupts disabled.\n");
	apv_host_free(h);
}

static void test_queue_ap_functions(void **state)
{
	struct apv_host *h = std_host(K612);

	(void)state;
	RD_EQ(h, o_queue(4, 4), "ap_functions", "0x6A000000\n");
	RD_EQ(h, o_queue(5, 0x54), "ap_functions", "0x92000000\n");
	/* a deconfigured queue (response code 03) still answers */
	WR_OK(h, o_card(5), "config", "0");
	RD_EQ(h, o_queue(5, 0x54), "ap_functions", "0x92000000\n");
	/* a checkstopped one (04) too */
	assert_int_equal(apv_hw_adapter_checkstop(h, 4, true, 0), 0);
	RD_EQ(h, o_queue(4, 4), "ap_functions", "0x6A000000\n");
	/* 01 after the domain left the configuration (device still there
	 * until the next scan): no facility word */
	assert_int_equal(apv_hw_domain_set(h, 0x54, false, APV_EV_NOSCAN), 0);
	RD_EQ(h, o_queue(5, 0x54), "ap_functions", "0x00000000\n");
	apv_host_free(h);
}

static void test_queue_online(void **state)
{
	struct apv_host *h;
	struct apv_obj q = o_queue(5, 0x47);

	(void)state;
	h = std_host(K612);
	RD_EQ(h, q, "online", "1\n");
	WR_ERR(h, q, "online", "2", -EINVAL);
	WR_ERR(h, q, "online", "", 0); /* empty write: nothing */
	WR_ERR(h, q, "online", "no", -EINVAL);
	WR_OK(h, q, "online", "0");
	RD_EQ(h, q, "online", "0\n");
	WR_OK(h, q, "online", "1\n");
	RD_EQ(h, q, "online", "1\n");
	/* EINVAL: the card is offline */
	WR_OK(h, o_card(5), "online", "0");
	WR_ERR(h, q, "online", "1", -EINVAL);
	WR_OK(h, q, "online", "0");
	WR_OK(h, o_card(5), "online", "1");
	RD_EQ(h, q, "online", "1\n");
	/* ENODEV: queue (and card) deconfigured; before the EINVAL check */
	WR_OK(h, o_card(5), "online", "0");
	WR_OK(h, o_card(5), "config", "0");
	RD_EQ(h, q, "config", "0\n");
	WR_ERR(h, q, "online", "1", -ENODEV);
	assert_int_equal(apv_reason_last()->rule, APV_RULE_DECONFIGURED);
	WR_OK(h, q, "online", "0");
	apv_host_free(h);

	/* 6.1: the card is deconfigured but its queue does not know yet */
	h = std_host(K61);
	WR_OK(h, o_card(5), "config", "0");
	RD_EQ(h, q, "config", "1\n");
	WR_ERR(h, q, "online", "1", -ENODEV);
	WR_OK(h, o_card(5), "config", "1");
	WR_OK(h, q, "online", "1");
	apv_host_free(h);
}

static void test_queue_status(void **state)
{
	struct apv_host *h = std_host(K612);
	struct apv_kvm *k = NULL;
	uint8_t u[16];

	(void)state;
	assert_int_equal(apv_parse_uuid(UA, 36, u), 0);
	WR_OK(h, o_bus(), "apmask", "-4,-5");
	RD_EQ(h, o_queue(4, 0x47), "status", "unassigned\n");
	create(h, UA);
	WR_OK(h, o_mdev(UA), "assign_adapter", "4");
	RD_EQ(h, o_queue(4, 0x47), "status", "unassigned\n");
	WR_OK(h, o_mdev(UA), "assign_domain", "0x47");
	RD_EQ(h, o_queue(4, 0x47), "status", "assigned\n");
	RD_EQ(h, o_queue(5, 0x47), "status", "unassigned\n");
	assert_int_equal(apv_kvm_new(h, "guest1", APV_CPU_DEFAULT, &k), 0);
	assert_int_equal(apv_mdev_set_kvm(h, u, k), 0);
	assert_int_equal(apv_mdev_open(h, u), 0);
	RD_EQ(h, o_queue(4, 0x47), "status", "in use\n");
	assert_int_equal(apv_mdev_close(h, u), 0);
	RD_EQ(h, o_queue(4, 0x47), "status", "assigned\n");
	WR_ERR(h, o_queue(4, 0x47), "status", "x", -EACCES);
	apv_host_free(h);
}

/* ---- drivers: bind / unbind (§1.7.1) ------------------------------------ */

static void test_driver_bind_unbind(void **state)
{
	struct apv_host *h = std_host(K612);
	struct apv_obj vfio = o_drv("vfio_ap"), zq = o_drv("cex4queue");
	struct apv_obj zc = o_drv("cex4card");
	struct apv_name_list l;

	(void)state;
	dump(h, vfio, "attr/driver_vfio_ap.out");
	/* bind: name not found */
	WR_ERR(h, zq, "bind", "07.0004", -ENODEV);
	WR_ERR(h, zq, "bind", "garbage", -ENODEV);
	WR_ERR(h, zq, "bind", "4.0004", -ENODEV);
	assert_int_equal(apv_reason_last()->rule, APV_RULE_NO_DEVICE);
	/* bind: the driver does not match the device */
	WR_ERR(h, vfio, "bind", "card04", -ENODEV);
	assert_int_equal(apv_reason_last()->rule, APV_RULE_NO_MATCH);
	WR_ERR(h, zc, "bind", "04.0004", -ENODEV);
	/* bind: already bound */
	WR_ERR(h, vfio, "bind", "04.0004", -EBUSY);
	assert_string_equal(apv_reason_last()->owner, "cex4queue");
	WR_ERR(h, zc, "bind", "card04", -EBUSY);
	/* unbind: not found / not bound to this driver */
	WR_ERR(h, zq, "unbind", "07.0004", -ENODEV);
	WR_ERR(h, vfio, "unbind", "04.0004", -ENODEV);
	assert_int_equal(apv_reason_last()->rule, APV_RULE_NOT_BOUND);
	WR_ERR(h, zc, "unbind", "04.0004", -ENODEV);
	/* unbind: detach; the device stays unbound */
	WR_OK(h, zq, "unbind", "04.0004\n");
	RD_EQ(h, o_bus(), "bindings", "5/6\n");
	WR_OK(h, o_bus(), "scans", "1");
	RD_EQ(h, o_bus(), "bindings", "5/6\n");
	/* bind: probe refused by the reservation rule */
	WR_ERR(h, vfio, "bind", "04.0004", -ENODEV);
	assert_int_equal(apv_reason_last()->rule, APV_RULE_PROBE_REFUSED);
	assert_true(apv_reason_last()->has_apqn);
	/* bind: success, a trailing newline is ignored */
	WR_OK(h, zq, "bind", "04.0004\n");
	RD_EQ(h, o_bus(), "bindings", "6/6 (complete)\n");
	WR_ERR(h, zq, "bind", "04.0004\n\n", -ENODEV);

	/* the other direction: a non-default queue */
	WR_OK(h, o_bus(), "apmask", "-5");
	WR_OK(h, vfio, "unbind", "05.0054");
	WR_ERR(h, zq, "bind", "05.0054", -ENODEV);
	WR_OK(h, vfio, "bind", "05.0054");
	assert_int_equal(apv_bus_driver_devices(h, "vfio_ap", &l), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.names[2], "05.0054");
	apv_name_list_free(&l);

	/* cards */
	WR_OK(h, zc, "unbind", "card05");
	WR_ERR(h, zc, "unbind", "card05", -ENODEV);
	WR_OK(h, zc, "bind", "card05");
	apv_host_free(h);
}

static void test_driver_names(void **state)
{
	static const struct apv_adapter_spec ads[] = {
		{.id = 0x0c, .type = APV_TYPE_CEX8, .mode = APV_MODE_CCA},
		{.id = 0x08, .type = APV_TYPE_CEX3A, .mode = APV_MODE_ACCEL},
	};
	static const unsigned int doms[] = {0xab};
	struct host_opts o = {.kernel = K61};
	struct apv_host *h = host_with(&o, ads, 2, doms, 1);
	unsigned int mode;

	(void)state;
	/* device names match exactly: lowercase hex only */
	WR_OK(h, o_drv("cex4queue"), "unbind", "0c.00ab");
	WR_ERR(h, o_drv("cex4queue"), "bind", "0C.00AB", -ENODEV);
	WR_ERR(h, o_drv("cex4queue"), "bind", "0c.00AB", -ENODEV);
	WR_ERR(h, o_drv("cex4card"), "unbind", "CARD0c", -ENODEV);
	WR_ERR(h, o_drv("cex4card"), "unbind", "card0C", -ENODEV);
	WR_OK(h, o_drv("cex4queue"), "bind", "0c.00ab");
	/* 6.1 has the CEX2/CEX3 zcrypt drivers */
	assert_true(listed(h, o_drv("cex2aqueue"), "bind", &mode));
	assert_int_equal(mode, 0200);
	assert_true(listed(h, o_drv("cex2ccard"), "unbind", NULL));
	RD_EQ(h, o_card(8), "type", "CEX3A\n");
	/* a queue of a type vfio_ap does not list */
	WR_OK(h, o_drv("cex2aqueue"), "unbind", "08.00ab");
	WR_OK(h, o_bus(), "apmask", "-8");
	WR_ERR(h, o_drv("vfio_ap"), "bind", "08.00ab", -ENODEV);
	assert_int_equal(apv_reason_last()->rule, APV_RULE_NO_MATCH);
	WR_ERR(h, o_drv("cex2aqueue"), "bind", "08.00ab", -ENODEV);
	assert_int_equal(apv_reason_last()->rule, APV_RULE_PROBE_REFUSED);
	apv_host_free(h);

	/* 6.12 has no CEX2/CEX3 drivers */
	h = std_host(K612);
	RD_ERR(h, o_drv("cex2aqueue"), "bind", -ENOENT);
	assert_int_equal(
		apv_attr_list(h, &(struct apv_obj){.kind = APV_OBJ_DRIVER},
			      NULL, 0),
		-ENOENT);
	apv_host_free(h);
}

/* ---- vfio_ap: matrix device, mdev type ------------------------------------ */

static void test_matrix(void **state)
{
	struct host_opts novfio = {.kernel = K612, .no_vfio = true};
	struct apv_host *h;
	struct apv_obj m = apv_obj_matrix(), t = apv_obj_mdev_type();

	(void)state;
	h = std_host(K612);
	RD_EQ(h, m, "features", "guest_matrix hotplug ap_config\n");
	WR_ERR(h, m, "features", "x", -EACCES);
	dump(h, m, "attr/matrix_612.out");
	apv_host_free(h);

	/* 6.1: the matrix device has no features file, only uevent */
	h = std_host(K61);
	assert_int_equal(apv_attr_list(h, &m, NULL, 0), 1);
	RD_EQ(h, m, "uevent", "DRIVER=vfio_ap\n");
	RD_ERR(h, m, "features", -ENOENT);
	apv_host_free(h);

	/* without vfio_ap neither the matrix device nor the type exist */
	h = std_host_o(&novfio);
	assert_int_equal(apv_attr_list(h, &m, NULL, 0), -ENOENT);
	RD_ERR(h, m, "features", -ENOENT);
	RD_ERR(h, t, "name", -ENOENT);
	WR_ERR(h, t, "create", UA, -ENOENT);
	RD_ERR(h, o_drv("vfio_ap"), "bind", -ENOENT);
	apv_host_free(h);
}

/* Device uevent files: driver-core variables, synthetic-uevent stores. */
static void test_uevent(void **state)
{
	struct apv_host *h;

	(void)state;
	h = std_host(K612);
	RD_EQ(h, o_card(4), "uevent",
	      "DEVTYPE=ap_card\nDRIVER=cex4card\nDEV_TYPE=000E\n"
	      "MODALIAS=ap:t0E\nMODE=accel\n");
	RD_EQ(h, o_queue(5, 0x04), "uevent",
	      "DEVTYPE=ap_queue\nDRIVER=cex4queue\nMODE=cca\n");
	assert_int_equal(apv_bus_store_mask(h, false, "-0x47", 5), 0);
	RD_EQ(h, o_queue(4, 0x47), "uevent",
	      "DEVTYPE=ap_queue\nDRIVER=vfio_ap\nMODE=accel\n");
	WR_OK(h, o_card(4), "uevent", "change");
	WR_OK(h, o_queue(4, 0x04), "uevent", "add\n");
	WR_OK(h, o_queue(4, 0x04), "uevent",
	      "change 1b4e28ba-2fa1-11d2-883f-0016d3cca427 A=B\n");
	/* kobject_action_args: the first argument must be a UUID */
	WR_ERR(h, o_queue(4, 0x04), "uevent", "change 1234 A=B", -EINVAL);
	WR_ERR(h, o_card(4), "uevent", "bogus", -EINVAL);
	WR_ERR(h, apv_obj_matrix(), "uevent", "\n", -EINVAL);
	/* an unbound queue has no DRIVER= line */
	assert_int_equal(apv_bus_unbind(h, "cex4queue", "04.0004"), 0);
	RD_EQ(h, o_queue(4, 0x04), "uevent", "DEVTYPE=ap_queue\nMODE=accel\n");
	create(h, UA);
	RD_EQ(h, o_mdev(UA), "uevent",
	      "DRIVER=vfio_ap_mdev\nMDEV_TYPE=passthrough\n");
	WR_OK(h, o_mdev(UA), "uevent", "change");
	apv_host_free(h);
}

static void test_mdev_type(void **state)
{
	struct apv_host *h = std_host(K612);
	struct apv_obj t = apv_obj_mdev_type();
	char buf[64];
	uint8_t(*list)[16] = NULL;
	size_t n = 0;

	(void)state;
	dump(h, t, "attr/mdev_type.out");
	RD_EQ(h, t, "name", "VFIO AP Passthrough Device\n");
	RD_EQ(h, t, "device_api", "vfio-ap\n");
	RD_EQ(h, t, "available_instances", "65536\n");
	WR_ERR(h, t, "available_instances", "1", -EACCES);
	WR_ERR(h, t, "name", "x", -EACCES);

	/* EINVAL: length must be 36 or 37, then the UUID syntax */
	WR_ERR(h, t, "create", "11111111-2222-3333-4444-55555555555", -EINVAL);
	WR_ERR(h, t, "create", "11111111-2222-3333-4444-555555555555\n\n",
	       -EINVAL);
	WR_ERR(h, t, "create", "11111111-2222-3333-4444-55555555555g", -EINVAL);
	WR_ERR(h, t, "create", "111111112-222-3333-4444-555555555555", -EINVAL);
	WR_ERR(h, t, "create", "{1111111-2222-3333-4444-55555555555}", -EINVAL);
	assert_int_equal(apv_reason_last()->rule, APV_RULE_SYNTAX);
	WR_ERR(h, t, "create", "", 0);
	RD_EQ(h, t, "available_instances", "65536\n");

	/* 36 bytes, 37 with a newline, 37 with any byte */
	create(h, UA);
	RD_EQ(h, t, "available_instances", "65535\n");
	snprintf(buf, sizeof(buf), "%s\n", UB);
	create(h, buf);
	RD_EQ(h, t, "available_instances", "65534\n");
	WR_OK(h, t, "create", "0123ABCD-0000-4000-8000-00000000BEEFx");
	RD_EQ(h, t, "available_instances", "65533\n");
	/* named by the lowercase form */
	RD_EQ(h, o_mdev(UC), "matrix", "");
	assert_int_equal(apv_mdev_list(h, &list, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(apv_uuid_str(list[0], buf), UC);
	free(list);

	/* EEXIST, compared case-insensitively */
	WR_ERR(h, t, "create", UA, -EEXIST);
	WR_ERR(h, t, "create", "AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE", -EEXIST);
	WR_ERR(h, t, "create", "aaaaaaaa-BBBB-cccc-DDDD-eeeeeeeeeeee\n",
	       -EEXIST);
	assert_int_equal(apv_reason_last()->rule, APV_RULE_EXISTS);
	RD_EQ(h, t, "available_instances", "65533\n");

	WR_OK(h, o_mdev(UB), "remove", "1");
	RD_EQ(h, t, "available_instances", "65534\n");
	apv_host_free(h);
}

/* ---- mdevs ---------------------------------------------------------------- */

static void test_mdev_list(void **state)
{
	static const char *const want[] = {
		"assign_adapter",
		"unassign_adapter",
		"assign_domain",
		"unassign_domain",
		"assign_control_domain",
		"unassign_control_domain",
		"control_domains",
		"matrix",
		"guest_matrix",
		"ap_config",
		"remove",
		"uevent",
	};
	static const unsigned int modes[] = {
		0200, 0200, 0200, 0200, 0200, 0200,
		0444, 0444, 0444, 0644, 0200, 0644,
	};
	struct apv_attr_entry e[16];
	struct apv_host *h;
	struct apv_obj m;
	int n;

	(void)state;
	h = std_host(K612);
	create(h, UA);
	m = o_mdev(UA);
	n = apv_attr_list(h, &m, e, 16);
	assert_int_equal(n, 12);
	for (int i = 0; i < n; i++) {
		assert_string_equal(e[i].name, want[i]);
		assert_int_equal(e[i].mode, modes[i]);
	}
	apv_host_free(h);

	/* ap_config is absent on 6.1 */
	h = std_host(K61);
	create(h, UA);
	n = apv_attr_list(h, &m, e, 16);
	assert_int_equal(n, 11);
	assert_false(listed(h, m, "ap_config", NULL));
	RD_ERR(h, m, "ap_config", -ENOENT);
	WR_ERR(h, m, "ap_config", ",,\n", -ENOENT);
	assert_int_equal(apv_attr_mode(h, &m, "ap_config"), -ENOENT);
	apv_host_free(h);
}

static void test_mdev_assign_parse(void **state)
{
	static const char *const files[] = {
		"assign_adapter",	 "unassign_adapter",
		"assign_domain",	 "unassign_domain",
		"assign_control_domain", "unassign_control_domain",
	};
	struct apv_host *h = std_host(K612);
	struct apv_obj m;

	(void)state;
	create(h, UA);
	m = o_mdev(UA);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const char *f = files[i];

		/* parse errors come first */
		WR_ERR(h, m, f, "abc", -EINVAL);
		assert_int_equal(apv_reason_last()->rule, APV_RULE_SYNTAX);
		assert_non_null(strstr(apv_reason_last()->msg, f));
		WR_ERR(h, m, f, "\n", -EINVAL);
		WR_ERR(h, m, f, "-1", -EINVAL);
		WR_ERR(h, m, f, "1 ", -EINVAL);
		WR_ERR(h, m, f, " 1", -EINVAL);
		WR_ERR(h, m, f, "1,2", -EINVAL);
		WR_ERR(h, m, f, "4\n\n", -EINVAL);
		WR_ERR(h, m, f, "0x100junk", -EINVAL);
		WR_ERR(h, m, f, "18446744073709551616", -ERANGE);
		WR_ERR(h, m, f, "0x10000000000000000", -ERANGE);
		/* then the range */
		WR_ERR(h, m, f, "256", -ENODEV);
		assert_int_equal(apv_reason_last()->rule, APV_RULE_RANGE);
		WR_ERR(h, m, f, "0x100", -ENODEV);
		WR_ERR(h, m, f, "18446744073709551615", -ENODEV);
		/* a zero-length write does nothing */
		WR_ERR(h, m, f, "", 0);
	}
	RD_EQ(h, m, "matrix", "");
	RD_EQ(h, m, "control_domains", "");
	/* accepted forms: +, hex, octal, one newline */
	WR_OK(h, m, "assign_adapter", "+0x4\n");
	WR_OK(h, m, "assign_control_domain", "010");
	WR_OK(h, m, "assign_control_domain", "0XaB");
	WR_OK(h, m, "assign_control_domain", "255");
	RD_EQ(h, m, "matrix", "04.\n");
	RD_EQ(h, m, "control_domains", "0008\n00ab\n00ff\n");
	apv_host_free(h);
}

static void test_mdev_assign_table(void **state)
{
	struct host_opts small = {.kernel = K612, .no_apxa = true};
	struct apv_host *h = std_host(K612);
	struct apv_obj a, b;

	(void)state;
	create(h, UA);
	create(h, UB);
	a = o_mdev(UA);
	b = o_mdev(UB);
	/* a host-reserved adapter without domains is fine ... */
	WR_OK(h, a, "assign_adapter", "4");
	RD_EQ(h, a, "matrix", "04.\n");
	/* ... the error comes with the first domain */
	WR_ERR(h, a, "assign_domain", "4", -EADDRNOTAVAIL);
	assert_int_equal(apv_reason_last()->rule, APV_RULE_RESERVED);
	assert_int_equal(apv_reason_last()->apqn, APV_APQN(4, 4));
	RD_EQ(h, a, "matrix", "04.\n");
	/* over-provisioning: domain 0x10 is not in the configuration */
	WR_OK(h, o_bus(), "apmask", "-4,-5");
	WR_OK(h, a, "assign_domain", "0x10");
	WR_OK(h, a, "assign_domain", "4");
	RD_EQ(h, a, "matrix", "04.0004\n04.0010\n");
	RD_EQ(h, a, "guest_matrix", "04.0004\n");
	/* already assigned: silent success */
	WR_OK(h, a, "assign_adapter", "4");
	WR_OK(h, a, "assign_domain", "0x4");
	RD_EQ(h, a, "matrix", "04.0004\n04.0010\n");

	/* sharing: an mdev without adapters never conflicts */
	WR_OK(h, b, "assign_domain", "4");
	/* disjoint products may share domains */
	WR_OK(h, b, "assign_adapter", "5");
	RD_EQ(h, b, "matrix", "05.0004\n");
	WR_ERR(h, b, "assign_adapter", "4", -EADDRINUSE);
	assert_int_equal(apv_reason_last()->rule, APV_RULE_SHARED);
	assert_string_equal(apv_reason_last()->owner, UA);
	RD_EQ(h, b, "matrix", "05.0004\n");
	WR_ERR(h, a, "assign_adapter", "5", -EADDRINUSE);
	assert_string_equal(apv_reason_last()->owner, UB);
	/* reservation is checked before sharing: c's product would hold
	 * the host's 06.0004 and a's 04.0004 */
	create(h, UC);
	WR_OK(h, o_mdev(UC), "assign_adapter", "4");
	WR_OK(h, o_mdev(UC), "assign_adapter", "6");
	WR_ERR(h, o_mdev(UC), "assign_domain", "4", -EADDRNOTAVAIL);
	RD_EQ(h, o_mdev(UC), "matrix", "04.\n06.\n");

	/* unassign: not assigned is a silent success */
	WR_OK(h, a, "unassign_adapter", "7");
	WR_OK(h, a, "unassign_domain", "0xff");
	WR_OK(h, a, "unassign_control_domain", "0");
	WR_OK(h, a, "unassign_domain", "0x10");
	RD_EQ(h, a, "matrix", "04.0004\n");
	WR_OK(h, a, "unassign_adapter", "4");
	RD_EQ(h, a, "matrix", ".0004\n");
	RD_EQ(h, a, "guest_matrix", ".0004\n");
	/* now b may take adapter 4 */
	WR_OK(h, b, "assign_adapter", "4");
	RD_EQ(h, b, "matrix", "04.0004\n05.0004\n");

	/* control domains: no reservation, no sharing check */
	WR_OK(h, a, "assign_control_domain", "4");
	WR_OK(h, b, "assign_control_domain", "4");
	WR_OK(h, b, "assign_control_domain", "0x30");
	RD_EQ(h, b, "control_domains", "0004\n0030\n");
	WR_OK(h, b, "unassign_control_domain", "4");
	RD_EQ(h, b, "control_domains", "0030\n");
	RD_EQ(h, a, "control_domains", "0004\n");
	apv_host_free(h);

	/* without APXA the mdev maxima are 63 / 15 / 15 */
	h = std_host_o(&small);
	create(h, UA);
	a = o_mdev(UA);
	WR_OK(h, o_bus(), "apmask", "-0-255");
	WR_ERR(h, a, "assign_adapter", "64", -ENODEV);
	WR_ERR(h, a, "unassign_adapter", "64", -ENODEV);
	WR_OK(h, a, "assign_adapter", "63");
	WR_ERR(h, a, "assign_domain", "16", -ENODEV);
	WR_ERR(h, a, "unassign_domain", "16", -ENODEV);
	WR_OK(h, a, "assign_domain", "15");
	WR_ERR(h, a, "assign_control_domain", "16", -ENODEV);
	WR_ERR(h, a, "unassign_control_domain", "16", -ENODEV);
	WR_OK(h, a, "assign_control_domain", "15");
	RD_EQ(h, a, "matrix", "3f.000f\n");
	RD_EQ(h, a, "control_domains", "000f\n");
	apv_host_free(h);
}

static void test_mdev_golden(void **state)
{
	struct apv_host *h;
	struct apv_obj a;

	(void)state;
	h = std_host(K612);
	WR_OK(h, o_bus(), "apmask", "-4,-5,-0x22");
	create(h, UA);
	a = o_mdev(UA);
	dump(h, a, "attr/mdev_empty_612.out");
	WR_OK(h, a, "assign_domain", "0x47");
	WR_OK(h, a, "assign_domain", "0x54");
	WR_OK(h, a, "assign_control_domain", "0x47");
	dump(h, a, "attr/mdev_domains_only_612.out");
	WR_OK(h, a, "unassign_domain", "0x47");
	WR_OK(h, a, "unassign_domain", "0x54");
	WR_OK(h, a, "assign_adapter", "4");
	WR_OK(h, a, "assign_adapter", "5");
	dump(h, a, "attr/mdev_adapters_only_612.out");
	WR_OK(h, a, "assign_domain", "0x47");
	WR_OK(h, a, "assign_domain", "0x54");
	WR_OK(h, a, "assign_domain", "0x60");  /* not configured */
	WR_OK(h, a, "assign_adapter", "0x22"); /* not installed */
	WR_OK(h, a, "assign_control_domain", "0x0b");
	dump(h, a, "attr/mdev_full_612.out");
	apv_host_free(h);

	h = std_host(K61);
	WR_OK(h, o_bus(), "apmask", "-4,-5");
	create(h, UA);
	WR_OK(h, a, "assign_adapter", "4");
	WR_OK(h, a, "assign_domain", "0x47");
	WR_OK(h, a, "assign_control_domain", "0x47");
	dump(h, a, "attr/mdev_full_61.out");
	apv_host_free(h);
}

static void test_mdev_ap_config(void **state)
{
	struct host_opts small = {.kernel = K612, .no_apxa = true};
	struct apv_host *h = std_host_o(&small);
	const char *zero;
	struct apv_obj a, b;
	char buf[512], want[256], zbuf[256];

	(void)state;
	snprintf(zbuf, sizeof(zbuf), "%s", cfg_str(NOIDS, NOIDS, NOIDS));
	zero = zbuf;
	create(h, UA);
	create(h, UB);
	a = o_mdev(UA);
	b = o_mdev(UB);
	/* adapters 4 5 6 and 64 (above the mdev maximum 63) are free */
	WR_OK(h, o_bus(), "apmask", "-4,-5,-6,-64");
	RD_EQ(h, a, "ap_config", zero);
	assert_int_equal(strlen(rd(h, a, "ap_config")), 201);

	snprintf(want, sizeof(want), "%s", cfg_str(IDS(4), IDS(4), IDS(4)));
	WR_OK(h, a, "ap_config", want);
	RD_EQ(h, a, "ap_config", want);
	RD_EQ(h, a, "matrix", "04.0004\n");
	RD_EQ(h, a, "guest_matrix", "04.0004\n");
	RD_EQ(h, a, "control_domains", "0004\n");

	/* order: reservation, sharing, then range; all or nothing */
	WR_ERR(h, b, "ap_config", cfg_str(IDS(4, 7, 64), IDS(4), IDS(16)),
	       -EADDRNOTAVAIL);
	assert_int_equal(apv_reason_last()->rule, APV_RULE_RESERVED);
	RD_EQ(h, b, "ap_config", zero);
	WR_ERR(h, b, "ap_config", cfg_str(IDS(4, 64), IDS(4), IDS(16)),
	       -EADDRINUSE);
	assert_int_equal(apv_reason_last()->rule, APV_RULE_SHARED);
	RD_EQ(h, b, "ap_config", zero);
	WR_ERR(h, b, "ap_config", cfg_str(IDS(64), IDS(4), IDS(4)), -ENODEV);
	assert_int_equal(apv_reason_last()->rule, APV_RULE_RANGE);
	WR_ERR(h, b, "ap_config", cfg_str(IDS(4), IDS(16), NOIDS), -ENODEV);
	WR_ERR(h, b, "ap_config", cfg_str(NOIDS, NOIDS, IDS(16)), -ENODEV);
	RD_EQ(h, b, "ap_config", zero);
	RD_EQ(h, b, "matrix", "");
	/* assign_* checks the range first */
	WR_OK(h, b, "assign_domain", "10");
	WR_OK(h, o_bus(), "apmask", "+64");
	WR_ERR(h, b, "assign_adapter", "64", -ENODEV);
	WR_OK(h, o_bus(), "apmask", "-64");
	WR_OK(h, b, "unassign_domain", "10");

	/* an existing matrix is replaced as a whole or not at all */
	WR_OK(h, b, "ap_config", cfg_str(IDS(5, 6), IDS(10), IDS(10, 11)));
	RD_EQ(h, b, "matrix", "05.000a\n06.000a\n");
	RD_EQ(h, b, "control_domains", "000a\n000b\n");
	WR_ERR(h, b, "ap_config", cfg_str(IDS(4, 5), IDS(4, 10), NOIDS),
	       -EADDRINUSE);
	RD_EQ(h, b, "matrix", "05.000a\n06.000a\n");
	RD_EQ(h, b, "control_domains", "000a\n000b\n");
	/* shrinking and growing at once */
	WR_OK(h, b, "ap_config", cfg_str(IDS(6), IDS(4, 10), NOIDS));
	RD_EQ(h, b, "matrix", "06.0004\n06.000a\n");
	RD_EQ(h, b, "control_domains", "");

	/* syntax */
	WR_ERR(h, a, "ap_config", "\n", -EINVAL);
	assert_int_equal(apv_reason_last()->rule, APV_RULE_SYNTAX);
	WR_ERR(h, a, "ap_config", "0x08,0x08", -EINVAL);
	WR_ERR(h, a, "ap_config", "0X08,,", -EINVAL);
	WR_ERR(h, a, "ap_config", "0x08,0x0g,", -EINVAL);
	RD_EQ(h, a, "ap_config", want);
	/* short masks are right-padded; text after the third is ignored */
	WR_OK(h, a, "ap_config", ",,\n");
	WR_OK(h, a, "ap_config", "0x08,x08,08,garbage here");
	RD_EQ(h, a, "ap_config", want);
	/* a long write: only the first 201 bytes are looked at */
	snprintf(buf, sizeof(buf), "%s%s", cfg_str(IDS(4), IDS(4), NOIDS),
		 "junk,0xzz,more junk that is never parsed");
	assert_true(strlen(buf) > 201);
	WR_OK(h, a, "ap_config", buf);
	RD_EQ(h, a, "control_domains", "");
	RD_EQ(h, a, "matrix", "04.0004\n");
	/* ",," clears everything */
	WR_OK(h, a, "ap_config", ",,");
	RD_EQ(h, a, "ap_config", zero);
	RD_EQ(h, a, "matrix", "");
	RD_EQ(h, a, "guest_matrix", "");
	apv_host_free(h);
}

static atomic_int requested;

static void on_request(void *opaque, unsigned int count)
{
	(void)opaque;
	(void)count;
	atomic_store(&requested, 1);
}

struct remover {
	struct apv_host *h;
	ssize_t rc;
};

static void *remove_thread(void *p)
{
	struct remover *r = p;

	r->rc = wr(r->h, o_mdev(UA), "remove", "1\n");
	return NULL;
}

/*
 * The public wrappers that take a UUID or a driver name look the object up
 * once and hand it to the same bodies the sysfs stores use: a missing mdev
 * or driver keeps its reason.
 */
static void test_lookup_once(void **state)
{
	struct apv_host *h = std_host(K612);
	struct apv_bitmap m;
	uint8_t u[16];

	(void)state;
	assert_int_equal(apv_parse_uuid(UA, 36, u), 0);
	apv_bm_zero(&m);
	assert_int_equal(apv_mdev_assign_adapter(h, u, 4), -ENODEV);
	assert_int_equal(apv_reason_last()->rule, APV_RULE_NO_DEVICE);
	assert_non_null(strstr(apv_reason_last()->msg, "does not exist"));
	assert_non_null(strstr(apv_reason_last()->msg, UA));
	assert_int_equal(apv_mdev_unassign_domain(h, u, 4), -ENODEV);
	assert_non_null(strstr(apv_reason_last()->msg, UA));
	assert_int_equal(apv_mdev_set_ap_config(h, u, &m, &m, &m), -ENODEV);
	assert_non_null(strstr(apv_reason_last()->msg, UA));
	create(h, UA);
	assert_int_equal(apv_mdev_assign_adapter(h, u, 0x100), -ENODEV);
	assert_int_equal(apv_reason_last()->rule, APV_RULE_RANGE);
	assert_int_equal(apv_mdev_assign_adapter(h, u, 4), 0);
	RD_EQ(h, o_mdev(UA), "matrix", "04.\n");
	assert_int_equal(apv_mdev_set_ap_config(h, u, &m, &m, &m), 0);
	RD_EQ(h, o_mdev(UA), "matrix", "");

	assert_int_equal(apv_bus_bind(h, "nosuch", "04.0004"), -ENODEV);
	assert_string_equal(apv_reason_last()->msg,
			    "no device 04.0004 on the ap bus");
	assert_int_equal(apv_bus_unbind(h, "nosuch", "04.0004\n"), -ENODEV);
	assert_string_equal(apv_reason_last()->msg,
			    "device 04.0004 is not bound to nosuch");
	apv_host_free(h);

	/* 6.1 has no ap_config: that comes ahead of the lookup */
	h = std_host(K61);
	assert_int_equal(apv_mdev_set_ap_config(h, u, &m, &m, &m), -ENOENT);
	assert_int_equal(apv_reason_last()->rule, APV_RULE_NOT_SUPPORTED);
	apv_host_free(h);
}

static void test_mdev_remove(void **state)
{
	struct apv_host *h = std_host(K612);
	struct apv_kvm_notify nf = {.request = on_request};
	struct apv_obj t = apv_obj_mdev_type();
	struct remover r = {.h = h};
	struct apv_kvm *k = NULL;
	pthread_t th;
	uint8_t u[16];

	(void)state;
	create(h, UA);
	/* parse: any failure is EINVAL (ERANGE included); 0 is a no-op */
	WR_ERR(h, o_mdev(UA), "remove", "abc", -EINVAL);
	WR_ERR(h, o_mdev(UA), "remove", "-1", -EINVAL);
	WR_ERR(h, o_mdev(UA), "remove", "18446744073709551616", -EINVAL);
	WR_OK(h, o_mdev(UA), "remove", "0");
	WR_OK(h, o_mdev(UA), "remove", "0x0\n");
	RD_EQ(h, o_mdev(UA), "matrix", "");
	RD_EQ(h, t, "available_instances", "65535\n");
	WR_OK(h, o_mdev(UA), "remove", "1");
	RD_ERR(h, o_mdev(UA), "matrix", -ENOENT);
	WR_ERR(h, o_mdev(UA), "remove", "1", -ENOENT);
	assert_non_null(strstr(apv_reason_last()->msg, UA));
	RD_EQ(h, t, "available_instances", "65536\n");

	/* remove blocks while a guest has the device open */
	create(h, UA);
	assert_int_equal(apv_parse_uuid(UA, 36, u), 0);
	assert_int_equal(apv_kvm_new(h, "guest1", APV_CPU_DEFAULT, &k), 0);
	apv_kvm_set_notify(k, &nf);
	assert_int_equal(apv_mdev_set_kvm(h, u, k), 0);
	assert_int_equal(apv_mdev_open(h, u), 0);
	atomic_store(&requested, 0);
	assert_int_equal(pthread_create(&th, NULL, remove_thread, &r), 0);
	for (int i = 0; i < 5000 && !atomic_load(&requested); i++)
		nanosleep(&(struct timespec){0, 1000000}, NULL);
	assert_true(atomic_load(&requested));
	/* the lock is free while it waits; a second removal is refused */
	WR_ERR(h, o_mdev(UA), "remove", "1", -EAGAIN);
	RD_EQ(h, o_mdev(UA), "matrix", "");
	/* QEMU closes the device: the removal completes */
	assert_int_equal(apv_mdev_close(h, u), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(r.rc, 2);
	RD_ERR(h, o_mdev(UA), "matrix", -ENOENT);
	RD_EQ(h, t, "available_instances", "65536\n");
	apv_host_free(h);
}

/* Spec §7, the canonical scenario, step by step. */
static void test_scenario(void **state)
{
	static const struct apv_adapter_spec ads[] = {
		{.id = 0x05, .type = APV_TYPE_CEX7, .mode = APV_MODE_CCA},
		{.id = 0x06, .type = APV_TYPE_CEX7, .mode = APV_MODE_CCA},
	};
	static const unsigned int doms[] = {0x04, 0x47};
	struct host_opts o = {.kernel = K612};
	struct apv_host *h = host_with(&o, ads, 2, doms, 2);
	struct apv_log_entry log[64];
	struct apv_obj m, n, b = o_bus();
	struct apv_kvm *k = NULL;
	uint64_t since;
	uint8_t u[16];
	size_t nlog;
	bool found = false;

	(void)state;
	/* 1 */
	WR_OK(h, b, "apmask", "-5,-6");
	RD_EQ(h, b, "apmask",
	      "0xf9ffffffffffffffffffffffffffffff"
	      "ffffffffffffffffffffffffffffffff\n");
	RD_EQ(h, b, "bindings", "4/4 (complete)\n");
	RD_EQ(h, o_queue(5, 4), "status", "unassigned\n");
	RD_EQ(h, o_queue(6, 0x47), "reset", "Reset in progress.\n");
	/* 2 */
	create(h, UA);
	RD_EQ(h, apv_obj_mdev_type(), "available_instances", "65535\n");
	m = o_mdev(UA);
	/* 3 */
	WR_OK(h, m, "assign_adapter", "5");
	RD_EQ(h, m, "matrix", "05.\n");
	RD_EQ(h, m, "guest_matrix", "05.\n");
	/* 4 */
	WR_OK(h, m, "assign_domain", "0x47");
	RD_EQ(h, m, "matrix", "05.0047\n");
	RD_EQ(h, m, "guest_matrix", "05.0047\n");
	/* 5 */
	WR_OK(h, m, "assign_domain", "4");
	RD_EQ(h, m, "matrix", "05.0004\n05.0047\n");
	/* 6 */
	WR_ERR(h, m, "assign_adapter", "0x100", -ENODEV);
	/* 7 */
	WR_OK(h, m, "assign_domain", "010");
	RD_EQ(h, m, "matrix", "05.0004\n05.0008\n05.0047\n");
	RD_EQ(h, m, "guest_matrix", "05.0004\n05.0047\n");
	/* 8 */
	create(h, UB);
	n = o_mdev(UB);
	WR_OK(h, n, "assign_adapter", "5");
	WR_ERR(h, n, "assign_domain", "0x47", -EADDRINUSE);
	/* 9 */
	since = apv_log_last_seq(h);
	WR_ERR(h, b, "apmask", "+5", -EBUSY);
	nlog = apv_log_read(h, since, log, 64);
	for (size_t i = 0; i < nlog; i++)
		if (!strcmp(log[i].text, "Can not reserve queue 05.0004 for "
					 "host driver: in use by mdev"))
			found = true;
	assert_true(found);
	/* 10 */
	assert_int_equal(apv_parse_uuid(UA, 36, u), 0);
	assert_int_equal(apv_kvm_new(h, "guest1", APV_CPU_DEFAULT, &k), 0);
	assert_int_equal(apv_mdev_set_kvm(h, u, k), 0);
	assert_int_equal(apv_mdev_open(h, u), 0);
	RD_EQ(h, o_queue(5, 0x47), "status", "in use\n");
	WR_OK(h, o_drv("vfio_ap"), "unbind", "05.0047");
	RD_EQ(h, m, "guest_matrix", ".0004\n.0047\n");
	RD_EQ(h, o_queue(5, 4), "status", "assigned\n");
	RD_ERR(h, o_queue(5, 0x47), "status", -ENOENT);
	WR_OK(h, o_drv("vfio_ap"), "bind", "05.0047");
	RD_EQ(h, o_queue(5, 4), "status", "in use\n");
	RD_EQ(h, m, "guest_matrix", "05.0004\n05.0047\n");
	dump(h, m, "attr/scenario_mdev_612.out");
	dump(h, b, "attr/scenario_bus_612.out");
	apv_host_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_obj_ctors),
		cmocka_unit_test(test_access_rules),
		cmocka_unit_test(test_reason),
		cmocka_unit_test(test_bus_golden),
		cmocka_unit_test(test_bus_list),
		cmocka_unit_test(test_bus_ap_domain),
		cmocka_unit_test(test_bus_qci_masks),
		cmocka_unit_test(test_bus_features),
		cmocka_unit_test(test_bus_config_time),
		cmocka_unit_test(test_bus_poll_thread),
		cmocka_unit_test(test_bus_poll_timeout),
		cmocka_unit_test(test_bus_masks),
		cmocka_unit_test(test_bus_scans_bindings),
		cmocka_unit_test(test_card_golden),
		cmocka_unit_test(test_card_formats),
		cmocka_unit_test(test_card_counters),
		cmocka_unit_test(test_card_config),
		cmocka_unit_test(test_card_online),
		cmocka_unit_test(test_queue_golden),
		cmocka_unit_test(test_queue_list),
		cmocka_unit_test(test_queue_counters_reset),
		cmocka_unit_test(test_queue_interrupt),
		cmocka_unit_test(test_queue_ap_functions),
		cmocka_unit_test(test_queue_online),
		cmocka_unit_test(test_queue_status),
		cmocka_unit_test(test_driver_bind_unbind),
		cmocka_unit_test(test_driver_names),
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_uevent),
		cmocka_unit_test(test_mdev_type),
		cmocka_unit_test(test_mdev_list),
		cmocka_unit_test(test_mdev_assign_parse),
		cmocka_unit_test(test_mdev_assign_table),
		cmocka_unit_test(test_mdev_golden),
		cmocka_unit_test(test_mdev_ap_config),
		cmocka_unit_test(test_mdev_remove),
		cmocka_unit_test(test_lookup_once),
		cmocka_unit_test(test_scenario),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
