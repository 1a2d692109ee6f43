// SPDX-License-Identifier: MIT
/*
 * Unit tests for src/sim/topology.c: presets, the kernel override, every
 * fixture under tests/data/topology/valid/ (must load and boot) and every
 * fixture under tests/data/topology/invalid/ (must fail with the message in
 * the .err file next to it; APV_TEST_REGENERATE=1 rewrites those).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apvirt/attr.h>
#include <apvirt/bus.h>
#include <apvirt/host.h>
#include <apvirt/preset.h>
#include <apvirt/reason.h>
#include <apvirt/vfio_ap.h>

#include "golden.h"
#include "sim.h"
#include "simjson.h"

#define TOPO_DIR APV_TEST_DATA "/topology"

static int load(const char *rel, const char *preset, const char *kernel,
		struct apsim_topology *t, char **err)
{
	char path[1024];

	if (!rel)
		return apsim_topology_load(NULL, preset, kernel, t, err);
	snprintf(path, sizeof(path), "%s/%s", TOPO_DIR, rel);
	return apsim_topology_load(path, preset, kernel, t, err);
}

/* Load a fixture that must be valid. */
static void load_ok(const char *rel, const char *kernel,
		    struct apsim_topology *t)
{
	char *err = NULL;
	int rc = load(rel, NULL, kernel, t, &err);

	if (rc)
		fail_msg("%s: %d: %s", rel, rc, err ? err : "(no message)");
	assert_null(err);
}

static struct apv_host *boot(const struct apsim_topology *t)
{
	struct apv_host *h = NULL;
	int rc = apv_host_new(&t->p.cfg, &h);

	if (rc)
		fail_msg("boot: %d: %s", rc, apv_reason_last()->msg);
	return h;
}

static const char *attr(struct apv_host *h, struct apv_obj o, const char *name)
{
	static char buf[256];
	struct apv_strbuf sb = APV_STRBUF_INIT;

	if (apv_attr_read(h, &o, name, &sb))
		snprintf(buf, sizeof(buf), "<error>");
	else
		snprintf(buf, sizeof(buf), "%s", apv_sb_str(&sb));
	apv_sb_free(&sb);
	return buf;
}

static void assert_cfg_equal(const struct apv_host_config *a,
			     const struct apv_host_config *b)
{
	assert_int_equal(a->kernel, b->kernel);
	assert_int_equal(a->qci, b->qci);
	assert_int_equal(a->apxa, b->apxa);
	assert_int_equal(a->irq, b->irq);
	assert_int_equal(a->na, b->na);
	assert_int_equal(a->nd, b->nd);
	assert_int_equal(a->no_vfio_ap, b->no_vfio_ap);
	assert_int_equal(a->n_adapters, b->n_adapters);
	for (size_t i = 0; i < a->n_adapters; i++) {
		assert_int_equal(a->adapters[i].id, b->adapters[i].id);
		assert_int_equal(a->adapters[i].type, b->adapters[i].type);
		assert_int_equal(a->adapters[i].mode, b->adapters[i].mode);
		assert_int_equal(a->adapters[i].standby,
				 b->adapters[i].standby);
	}
	assert_true(apv_bm_equal(&a->domains, &b->domains));
	assert_true(apv_bm_equal(&a->control_domains, &b->control_domains));
	assert_true(!a->apmask == !b->apmask);
	assert_true(!a->aqmask == !b->aqmask);
}

/* ---- presets ------------------------------------------------------------- */

static void test_preset_default(void **state)
{
	struct apsim_topology t;
	struct apv_preset p;
	char *err = NULL;

	(void)state;
	assert_int_equal(load(NULL, NULL, NULL, &t, &err), 0);
	assert_null(err);
	assert_int_equal(apv_preset_init(&p, "default"), 0);
	assert_cfg_equal(&t.p.cfg, &p.cfg);
	assert_ptr_equal(t.p.cfg.adapters, t.p.ad);
	assert_null(t.p.cfg.apmask);
	apsim_topology_fini(&t);

	assert_int_equal(load(NULL, "default", "6.1", &t, &err), 0);
	assert_int_equal(t.p.cfg.kernel, APV_KERNEL_6_1);
	apsim_topology_fini(&t);
}

static void test_preset_max(void **state)
{
	struct apsim_topology t;
	struct apv_host *h;
	struct apv_bitmap cards;
	char *err = NULL;

	(void)state;
	assert_int_equal(load(NULL, "max", NULL, &t, &err), 0);
	assert_int_equal(t.p.cfg.n_adapters, 256);
	assert_true(t.p.cfg.apxa);
	assert_int_equal(apv_bm_count(&t.p.cfg.domains), 256);
	h = boot(&t);
	apv_bus_cards(h, &cards);
	assert_int_equal(apv_bm_count(&cards), 256);
	assert_string_equal(attr(h, apv_obj_bus(), "ap_max_adapter_id"),
			    "255\n");
	apv_host_free(h);
	apsim_topology_fini(&t);
}

static void test_preset_errors(void **state)
{
	struct apsim_topology t;
	char *err = NULL;

	(void)state;
	assert_int_equal(load(NULL, "huge", NULL, &t, &err), -ENOENT);
	assert_string_equal(err,
			    "preset: unknown preset \"huge\" (known: default, "
			    "max)");
	free(err);
	err = NULL;
	assert_int_equal(load(NULL, NULL, "6.6", &t, &err), -EINVAL);
	assert_string_equal(err, "kernel: expected \"6.1\" or \"6.12\"");
	free(err);
	/* err may be NULL */
	assert_int_equal(load(NULL, "huge", NULL, &t, NULL), -ENOENT);
}

static void test_missing_file(void **state)
{
	struct apsim_topology t;
	char *err = NULL;

	(void)state;
	assert_int_equal(load("valid/nonexistent.json", NULL, NULL, &t, &err),
			 -ENOENT);
	assert_string_equal(err, "cannot open: No such file or directory");
	free(err);
	err = NULL;
	/* a directory opens but does not read */
	assert_true(load("valid", NULL, NULL, &t, &err) < 0);
	assert_non_null(err);
	free(err);
}

/* ---- valid files ------------------------------------------------------- */

static void test_empty_file(void **state)
{
	struct apsim_topology t;
	struct apv_host_config def;

	(void)state;
	load_ok("valid/empty.json", NULL, &t);
	apv_host_config_init(&def);
	def.adapters = t.p.ad;
	assert_cfg_equal(&t.p.cfg, &def);
	apsim_topology_fini(&t);
}

static void test_design_review_is_default(void **state)
{
	struct apsim_topology t;
	struct apv_preset p;

	(void)state;
	load_ok("valid/design_review.json", NULL, &t);
	assert_int_equal(apv_preset_init(&p, "default"), 0);
	assert_cfg_equal(&t.p.cfg, &p.cfg);
	apsim_topology_fini(&t);
}

static void test_full(void **state)
{
	struct apsim_topology t;
	const struct apv_host_config *c = &t.p.cfg;
	struct apv_adapter_state st;
	struct apv_host *h;

	(void)state;
	load_ok("valid/full.json", NULL, &t);
	assert_int_equal(c->kernel, APV_KERNEL_6_1);
	assert_false(c->irq);
	assert_false(c->no_vfio_ap);
	assert_int_equal(c->na, 63);
	assert_int_equal(c->nd, 84);
	assert_int_equal(c->n_adapters, 7);
	assert_int_equal(t.p.ad[0].type, APV_TYPE_CEX7);
	assert_int_equal(t.p.ad[0].mode, APV_MODE_CCA);
	assert_int_equal(t.p.ad[1].mode, APV_MODE_EP11);
	assert_true(t.p.ad[2].standby);
	assert_false(t.p.ad[3].standby);
	for (unsigned int i = 3; i < 7; i++) {
		assert_int_equal(t.p.ad[i].id, 0x10 + i - 3);
		assert_int_equal(t.p.ad[i].type, APV_TYPE_CEX6);
	}
	assert_int_equal(apv_bm_count(&c->domains), 6);
	assert_true(apv_bm_test(&c->domains, 84));
	assert_string_equal(c->apmask, "0xf0");
	assert_string_equal(c->aqmask, "-0x47,-0x54");

	h = boot(&t);
	assert_int_equal(apv_hw_adapter_state(h, 6, &st), 0);
	assert_false(st.configured);
	/* boot masks: apmask starts at zero, aqmask relative to zero */
	assert_string_equal(attr(h, apv_obj_bus(), "apmask"),
			    "0xf0000000000000000000000000000000000000000000000"
			    "00000000000000000\n");
	assert_string_equal(attr(h, apv_obj_bus(), "aqmask"),
			    "0x000000000000000000000000000000000000000000000000"
			    "0000000000000000\n");
	assert_string_equal(attr(h, apv_obj_bus(), "ap_max_domain_id"), "84\n");
	assert_string_equal(attr(h, apv_obj_card(4), "type"), "CEX7C\n");
	assert_string_equal(attr(h, apv_obj_card(5), "type"), "CEX7P\n");
	apv_host_free(h);
	apsim_topology_fini(&t);
}

static void test_legacy_on_61(void **state)
{
	struct apsim_topology t;
	struct apv_host *h;
	char drv[32];
	char *err = NULL;

	(void)state;
	load_ok("valid/legacy_61.json", NULL, &t);
	assert_int_equal(t.p.ad[0].mode, APV_MODE_ACCEL);
	assert_int_equal(t.p.ad[2].type, APV_TYPE_CEX2C);
	assert_int_equal(t.p.ad[2].mode, APV_MODE_CCA);
	h = boot(&t);
	assert_string_equal(attr(h, apv_obj_card(1), "type"), "CEX3A\n");
	/* 0x47 is not reserved for the host: CEX8 goes to vfio_ap, the
	 * legacy queue stays unbound (vfio_ap handles only CEX4..CEX8) */
	assert_int_equal(apv_bus_device_driver(h, "05.0047", drv, 32), 0);
	assert_string_equal(drv, "vfio_ap");
	assert_int_equal(apv_bus_device_driver(h, "01.0047", drv, 32), 0);
	assert_string_equal(drv, "");
	assert_int_equal(apv_bus_bind(h, "vfio_ap", "01.0047"), -ENODEV);
	/* host-reserved legacy queues go to the CEX2/CEX3 zcrypt drivers */
	assert_int_equal(apv_bus_device_driver(h, "01.0004", drv, 32), 0);
	assert_string_equal(drv, "cex2aqueue");
	assert_int_equal(apv_bus_device_driver(h, "03.0004", drv, 32), 0);
	assert_string_equal(drv, "cex2cqueue");
	apv_host_free(h);
	apsim_topology_fini(&t);

	/* the kernel override makes the same file invalid */
	assert_int_equal(load("valid/legacy_61.json", NULL, "6.12", &t, &err),
			 -EINVAL);
	assert_string_equal(err,
			    "adapters[0].type: CEX3A is a legacy type; only "
			    "kernel 6.1 supports CEX2/CEX3 (expected "
			    "CEX4..CEX8)");
	free(err);
}

static void test_kernel_override(void **state)
{
	struct apsim_topology t;

	(void)state;
	load_ok("valid/full.json", "6.12", &t);
	assert_int_equal(t.p.cfg.kernel, APV_KERNEL_6_12);
	apsim_topology_fini(&t);
	load_ok("valid/design_review.json", "6.1", &t);
	assert_int_equal(t.p.cfg.kernel, APV_KERNEL_6_1);
	apsim_topology_fini(&t);
}

static void test_preset_base(void **state)
{
	struct apsim_topology t;

	(void)state;
	load_ok("valid/preset_max_61.json", NULL, &t);
	assert_int_equal(t.p.cfg.n_adapters, 256);
	assert_int_equal(t.p.cfg.kernel, APV_KERNEL_6_1);
	apsim_topology_fini(&t);
	/* keys override the preset's: adapters replaced, domains kept */
	load_ok("valid/preset_override.json", NULL, &t);
	assert_int_equal(t.p.cfg.n_adapters, 1);
	assert_int_equal(t.p.ad[0].id, 0x0a);
	assert_true(apv_bm_test(&t.p.cfg.domains, 0x47));
	apsim_topology_fini(&t);
}

/* Every file in valid/ loads and boots. */
static void test_all_valid_boot(void **state)
{
	DIR *d = opendir(TOPO_DIR "/valid");
	struct dirent *e;
	unsigned int n = 0;

	(void)state;
	assert_non_null(d);
	while ((e = readdir(d))) {
		char rel[300];
		struct apsim_topology t;
		struct apv_host *h;
		size_t len = strlen(e->d_name);

		if (len < 6 || strcmp(e->d_name + len - 5, ".json"))
			continue;
		snprintf(rel, sizeof(rel), "valid/%s", e->d_name);
		load_ok(rel, NULL, &t);
		h = boot(&t);
		assert_int_equal(apv_vfio_check_indices(h), 0);
		apv_host_free(h);
		apsim_topology_fini(&t);
		n++;
	}
	closedir(d);
	assert_true(n >= 8);
}

/* ---- invalid files ----------------------------------------------------- */

static void test_all_invalid(void **state)
{
	DIR *d = opendir(TOPO_DIR "/invalid");
	struct dirent *e;
	unsigned int n = 0;

	(void)state;
	assert_non_null(d);
	while ((e = readdir(d))) {
		char rel[300], golden[300];
		struct apsim_topology t;
		size_t len = strlen(e->d_name);
		char *err = NULL, *line;
		int rc;

		if (len < 6 || strcmp(e->d_name + len - 5, ".json"))
			continue;
		snprintf(rel, sizeof(rel), "invalid/%s", e->d_name);
		snprintf(golden, sizeof(golden), "topology/invalid/%.*s.err",
			 (int)(len - 5), e->d_name);
		rc = load(rel, NULL, NULL, &t, &err);
		if (rc >= 0)
			fail_msg("%s loaded", rel);
		if (!err)
			fail_msg("%s: no message", rel);
		assert_null(t.p.cfg.apmask);
		if (asprintf(&line, "%s\n", err) < 0)
			fail();
		apv_golden_check(golden, line, strlen(line));
		free(line);
		free(err);
		n++;
	}
	closedir(d);
	assert_true(n >= 40);
}

/* ---- value helpers ------------------------------------------------------ */

static void test_json_helpers(void **state)
{
	unsigned int a, b;
	const char *why;
	char tn[16];
	int type;
	enum apv_mode m;
	json_t *v;

	(void)state;
	v = json_string("0x47");
	assert_int_equal(apsim_json_id(v, &a, &why), 0);
	assert_int_equal(a, 0x47);
	json_decref(v);
	v = json_string("0X4f");
	assert_int_equal(apsim_json_id(v, &a, &why), 0);
	assert_int_equal(a, 0x4f);
	json_decref(v);
	v = json_string("0x100");
	assert_int_equal(apsim_json_id(v, &a, &why), -EINVAL);
	assert_string_equal(why, "id is outside 0..255");
	json_decref(v);
	v = json_string("0x");
	assert_int_equal(apsim_json_id(v, &a, &why), -EINVAL);
	json_decref(v);
	v = json_stringn("0x4\0", 4);
	assert_int_equal(apsim_json_id(v, &a, &why), -EINVAL);
	json_decref(v);
	v = json_integer(-1);
	assert_int_equal(apsim_json_id(v, &a, &why), -EINVAL);
	json_decref(v);
	v = json_string("0-255");
	assert_int_equal(apsim_json_id_range(v, &a, &b, &why), 0);
	assert_int_equal(a, 0);
	assert_int_equal(b, 255);
	json_decref(v);
	v = json_string("-5");
	assert_int_equal(apsim_json_id_range(v, &a, &b, &why), -EINVAL);
	json_decref(v);
	v = json_integer(9);
	assert_int_equal(apsim_json_id_range(v, &a, &b, &why), 0);
	assert_int_equal(a, 9);
	assert_int_equal(b, 9);
	json_decref(v);

	v = json_string("cex8");
	assert_int_equal(apsim_json_type(v, false, &type, &why), 0);
	assert_int_equal(type, APV_TYPE_CEX8);
	json_decref(v);
	v = json_string("CEX2A");
	assert_int_equal(apsim_json_type(v, false, &type, &why), -EINVAL);
	assert_int_equal(apsim_json_type(v, true, &type, &why), 0);
	assert_int_equal(type, APV_TYPE_CEX2A);
	json_decref(v);
	v = json_integer(256);
	assert_int_equal(apsim_json_type(v, true, &type, &why), -EINVAL);
	json_decref(v);
	v = json_string("ep11");
	assert_int_equal(apsim_json_mode(v, &m, &why), 0);
	assert_int_equal(m, APV_MODE_EP11);
	json_decref(v);
	v = json_string("EP11");
	assert_int_equal(apsim_json_mode(v, &m, &why), -EINVAL);
	json_decref(v);

	assert_string_equal(apsim_type_name(APV_TYPE_CEX3C, tn), "CEX3C");
	assert_string_equal(apsim_type_name(15, tn), "type 15");
	assert_string_equal(apsim_mode_name(APV_MODE_CCA), "cca");
	assert_int_equal(apsim_parse_id_text("255", &a), 0);
	assert_int_equal(apsim_parse_id_text("256", &a), -ERANGE);
	assert_int_equal(apsim_parse_id_text("0xg", &a), -EINVAL);
	assert_int_equal(apsim_parse_id_text("", &a), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_preset_default),
		cmocka_unit_test(test_preset_max),
		cmocka_unit_test(test_preset_errors),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_design_review_is_default),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_legacy_on_61),
		cmocka_unit_test(test_kernel_override),
		cmocka_unit_test(test_preset_base),
		cmocka_unit_test(test_all_valid_boot),
		cmocka_unit_test(test_all_invalid),
		cmocka_unit_test(test_json_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
