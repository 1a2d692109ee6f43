// SPDX-License-Identifier: MIT
/*
 * Unit tests for src/base/format.c.  Every text form is checked against a
 * golden file in tests/data/format/ (APV_TEST_REGENERATE=1 rewrites them)
 * and the key cases also against literals from the spec.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include <apvirt/format.h>
#include <apvirt/parse.h>

#include "golden.h"

#define LIT(s) (s), (sizeof(s) - 1)

static struct apv_bitmap ids(const unsigned int *v, size_t n)
{
	struct apv_bitmap m;

	apv_bm_zero(&m);
	for (size_t i = 0; i < n; i++)
		apv_bm_set(&m, v[i]);
	return m;
}

#define IDS(...)                                                               \
	ids((const unsigned int[]){__VA_ARGS__},                               \
	    sizeof((const unsigned int[]){__VA_ARGS__}) /                      \
		    sizeof(unsigned int))

static struct apv_bitmap none(void)
{
	struct apv_bitmap m;

	apv_bm_zero(&m);
	return m;
}

static struct apv_bitmap all(void)
{
	struct apv_bitmap m;

	apv_bm_fill(&m);
	return m;
}

/* Compare sb with a golden file and, when given, with a literal. */
static void check(struct apv_strbuf *sb, const char *golden, const char *want)
{
	if (want)
		assert_string_equal(apv_sb_str(sb), want);
	assert_int_equal(strlen(apv_sb_str(sb)), sb->len);
	apv_golden_check(golden, apv_sb_str(sb), sb->len);
	apv_sb_free(sb);
}

/* ---- masks -------------------------------------------------------------- */

static void test_mask(void **state)
{
	struct apv_strbuf sb = APV_STRBUF_INIT;
	struct apv_bitmap m;

	(void)state;
	m = none();
	assert_int_equal(apv_fmt_mask(&sb, &m), 0);
	check(&sb, "format/mask_zero.out",
	      "0x00000000000000000000000000000000"
	      "00000000000000000000000000000000\n");

	m = all();
	assert_int_equal(apv_fmt_mask(&sb, &m), 0);
	check(&sb, "format/mask_full.out",
	      "0xffffffffffffffffffffffffffffffff"
	      "ffffffffffffffffffffffffffffffff\n");

	/* spec §0.3: ids 1 and 7 */
	m = IDS(1, 7);
	assert_int_equal(apv_fmt_mask(&sb, &m), 0);
	check(&sb, "format/mask_ids_1_7.out",
	      "0x41000000000000000000000000000000"
	      "00000000000000000000000000000000\n");

	/* §7 scenario 1: apmask after "-5,-6" */
	m = all();
	apv_bm_clear(&m, 5);
	apv_bm_clear(&m, 6);
	assert_int_equal(apv_fmt_mask(&sb, &m), 0);
	check(&sb, "format/mask_apmask_minus_5_6.out",
	      "0xf9ffffffffffffffffffffffffffffff"
	      "ffffffffffffffffffffffffffffffff\n");

	/* word boundaries and the last id */
	m = IDS(0, 63, 64, 127, 128, 191, 192, 255);
	assert_int_equal(apv_fmt_mask(&sb, &m), 0);
	check(&sb, "format/mask_word_edges.out",
	      "0x80000000000000018000000000000001"
	      "80000000000000018000000000000001\n");

	/* no newline variant */
	m = IDS(1, 7);
	assert_int_equal(apv_fmt_mask_hex(&sb, &m), 0);
	check(&sb, "format/mask_hex_ids_1_7.out",
	      "0x41000000000000000000000000000000"
	      "00000000000000000000000000000000");
}

static void test_mask_appends(void **state)
{
	struct apv_strbuf sb = APV_STRBUF_INIT;
	struct apv_bitmap m = IDS(0);

	(void)state;
	/* the uevent value: "APMASK=0x<64>\n" */
	assert_int_equal(apv_sb_puts(&sb, "APMASK="), 0);
	assert_int_equal(apv_fmt_mask(&sb, &m), 0);
	assert_int_equal(sb.len, 7 + 67);
	check(&sb, "format/uevent_apmask.out",
	      "APMASK=0x80000000000000000000000000000000"
	      "00000000000000000000000000000000\n");
}

static void test_mask_roundtrip(void **state)
{
	struct apv_strbuf sb = APV_STRBUF_INIT;
	uint64_t x = 0x0123456789abcdefULL;

	(void)state;
	for (int round = 0; round < 1000; round++) {
		struct apv_bitmap m, back;

		for (int w = 0; w < APV_BM_WORDS; w++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			m.w[w] = round % 3 ? x : x & (x >> 3);
		}
		apv_sb_reset(&sb);
		assert_int_equal(apv_fmt_mask(&sb, &m), 0);
		assert_int_equal(sb.len, 67);
		assert_int_equal(apv_parse_mask_abs(sb.s, sb.len, &back), 0);
		assert_true(apv_bm_equal(&m, &back));
		/* the relative parser must not be chosen for this text */
		assert_int_equal(apv_parse_mask(sb.s, sb.len, NULL, &back), 0);
		assert_true(apv_bm_equal(&m, &back));
		for (size_t i = 2; i < 66; i++) {
			char c = sb.s[i];

			assert_true((c >= '0' && c <= '9') ||
				    (c >= 'a' && c <= 'f'));
		}
	}
	apv_sb_free(&sb);
}

/* ---- matrix / guest_matrix (§2.4) --------------------------------------- */

static void test_matrix_spec(void **state)
{
	struct apv_strbuf sb = APV_STRBUF_INIT;
	struct apv_bitmap a, d;

	(void)state;
	a = IDS(5, 6);
	d = IDS(4, 0x47);
	assert_int_equal(apv_fmt_matrix(&sb, &a, &d, 255, 255), 0);
	check(&sb, "format/matrix_both.out",
	      "05.0004\n05.0047\n06.0004\n06.0047\n");

	d = none();
	assert_int_equal(apv_fmt_matrix(&sb, &a, &d, 255, 255), 0);
	check(&sb, "format/matrix_adapters_only.out", "05.\n06.\n");

	a = none();
	d = IDS(4, 0x47);
	assert_int_equal(apv_fmt_matrix(&sb, &a, &d, 255, 255), 0);
	check(&sb, "format/matrix_domains_only.out", ".0004\n.0047\n");

	d = none();
	assert_int_equal(apv_fmt_matrix(&sb, &a, &d, 255, 255), 0);
	assert_int_equal(sb.len, 0);
	check(&sb, "format/matrix_empty.out", "");

	/* §7 scenarios 3, 4, 5, 7 */
	a = IDS(5);
	assert_int_equal(apv_fmt_matrix(&sb, &a, &d, 255, 255), 0);
	check(&sb, "format/matrix_scenario3.out", "05.\n");
	d = IDS(0x47);
	assert_int_equal(apv_fmt_matrix(&sb, &a, &d, 255, 255), 0);
	check(&sb, "format/matrix_scenario4.out", "05.0047\n");
	d = IDS(4, 0x47);
	assert_int_equal(apv_fmt_matrix(&sb, &a, &d, 255, 255), 0);
	check(&sb, "format/matrix_scenario5.out", "05.0004\n05.0047\n");
	d = IDS(4, 8, 0x47);
	assert_int_equal(apv_fmt_matrix(&sb, &a, &d, 255, 255), 0);
	check(&sb, "format/matrix_scenario7.out",
	      "05.0004\n05.0008\n05.0047\n");
}

static void test_matrix_limits(void **state)
{
	struct apv_strbuf sb = APV_STRBUF_INIT;
	struct apv_bitmap a, d;

	(void)state;
	/* ids above the limits are not shown (no APXA: 63 / 15) */
	a = IDS(0, 5, 63, 64, 200);
	d = IDS(0, 4, 15, 16, 0x47);
	assert_int_equal(apv_fmt_matrix(&sb, &a, &d, 63, 15), 0);
	check(&sb, "format/matrix_limits.out",
	      "00.0000\n00.0004\n00.000f\n"
	      "05.0000\n05.0004\n05.000f\n"
	      "3f.0000\n3f.0004\n3f.000f\n");

	/* all domains beyond the limit: adapters-only form */
	a = IDS(1, 2);
	d = IDS(16, 0x47);
	assert_int_equal(apv_fmt_matrix(&sb, &a, &d, 63, 15), 0);
	check(&sb, "format/matrix_limits_adapters.out", "01.\n02.\n");

	/* all adapters beyond the limit: domains-only form */
	a = IDS(64, 255);
	d = IDS(1, 2);
	assert_int_equal(apv_fmt_matrix(&sb, &a, &d, 63, 15), 0);
	check(&sb, "format/matrix_limits_domains.out", ".0001\n.0002\n");

	/* both beyond: empty; limit 0 keeps only id 0 */
	a = IDS(64);
	d = IDS(16);
	assert_int_equal(apv_fmt_matrix(&sb, &a, &d, 63, 15), 0);
	check(&sb, "format/matrix_limits_empty.out", "");
	a = IDS(0, 1);
	d = IDS(0, 1);
	assert_int_equal(apv_fmt_matrix(&sb, &a, &d, 0, 0), 0);
	check(&sb, "format/matrix_limit_zero.out", "00.0000\n");

	/* the inputs are not modified */
	a = IDS(5, 100);
	d = IDS(4, 100);
	assert_int_equal(apv_fmt_matrix(&sb, &a, &d, 63, 15), 0);
	assert_true(apv_bm_test(&a, 100) && apv_bm_test(&d, 100));
	apv_sb_free(&sb);
}

static void test_matrix_large(void **state)
{
	struct apv_strbuf sb = APV_STRBUF_INIT;
	struct apv_bitmap a = all(), d = all();
	char line[9];

	(void)state;
	/* 16 x 16 corner as a golden file (more than a page: 2048 bytes) */
	a = none();
	d = none();
	apv_bm_set_range(&a, 0xf0, 0xff);
	apv_bm_set_range(&d, 0, 15);
	assert_int_equal(apv_fmt_matrix(&sb, &a, &d, 255, 255), 0);
	assert_int_equal(sb.len, 16 * 16 * 8);
	check(&sb, "format/matrix_16x16.out", NULL);

	/* the full 256 x 256 matrix is served whole (no page limit) */
	a = all();
	d = all();
	assert_int_equal(apv_fmt_matrix(&sb, &a, &d, 255, 255), 0);
	assert_int_equal(sb.len, 65536 * 8);
	for (unsigned int i = 0; i < 65536; i += 257) {
		snprintf(line, sizeof(line), "%02x.%04x\n", i >> 8, i & 0xff);
		assert_memory_equal(sb.s + (size_t)i * 8, line, 8);
	}
	assert_memory_equal(sb.s + sb.len - 8, "ff.00ff\n", 8);
	apv_sb_free(&sb);

	/* appending after existing content */
	assert_int_equal(apv_sb_puts(&sb, "head\n"), 0);
	a = IDS(5);
	d = IDS(4);
	assert_int_equal(apv_fmt_matrix(&sb, &a, &d, 255, 255), 0);
	assert_string_equal(apv_sb_str(&sb), "head\n05.0004\n");
	apv_sb_free(&sb);
}

/* ---- control_domains ---------------------------------------------------- */

static void test_control_domains(void **state)
{
	struct apv_strbuf sb = APV_STRBUF_INIT;
	struct apv_bitmap c;

	(void)state;
	c = IDS(4, 0xb, 0x47, 0xff);
	assert_int_equal(apv_fmt_control_domains(&sb, &c, 255), 0);
	check(&sb, "format/control_domains.out", "0004\n000b\n0047\n00ff\n");

	assert_int_equal(apv_fmt_control_domains(&sb, &c, 15), 0);
	check(&sb, "format/control_domains_limit15.out", "0004\n000b\n");

	c = none();
	assert_int_equal(apv_fmt_control_domains(&sb, &c, 255), 0);
	check(&sb, "format/control_domains_empty.out", "");

	c = IDS(0);
	assert_int_equal(apv_fmt_control_domains(&sb, &c, 0), 0);
	check(&sb, "format/control_domains_zero.out", "0000\n");

	c = all();
	assert_int_equal(apv_fmt_control_domains(&sb, &c, 255), 0);
	assert_int_equal(sb.len, 256 * 5);
	check(&sb, "format/control_domains_all.out", NULL);
}

/* ---- ap_config (§2.6) --------------------------------------------------- */

static void test_ap_config(void **state)
{
	struct apv_strbuf sb = APV_STRBUF_INIT;
	struct apv_bitmap a, d, c, a2, d2, c2;

	(void)state;
	a = none();
	d = none();
	c = none();
	assert_int_equal(apv_fmt_ap_config(&sb, &a, &d, &c), 0);
	assert_int_equal(sb.len, 201);
	check(&sb, "format/ap_config_empty.out",
	      "0x00000000000000000000000000000000"
	      "00000000000000000000000000000000,"
	      "0x00000000000000000000000000000000"
	      "00000000000000000000000000000000,"
	      "0x00000000000000000000000000000000"
	      "00000000000000000000000000000000\n");

	/* the canonical mdev M of §7 after scenario 7 */
	a = IDS(5);
	d = IDS(4, 8, 0x47);
	c = IDS(0x47);
	assert_int_equal(apv_fmt_ap_config(&sb, &a, &d, &c), 0);
	assert_int_equal(sb.len, 201);
	assert_int_equal(apv_parse_ap_config(sb.s, sb.len, &a2, &d2, &c2), 0);
	assert_true(apv_bm_equal(&a, &a2));
	assert_true(apv_bm_equal(&d, &d2));
	assert_true(apv_bm_equal(&c, &c2));
	check(&sb, "format/ap_config_scenario.out",
	      "0x04000000000000000000000000000000"
	      "00000000000000000000000000000000,"
	      "0x08800000000000000100000000000000"
	      "00000000000000000000000000000000,"
	      "0x00000000000000000100000000000000"
	      "00000000000000000000000000000000\n");

	a = all();
	d = all();
	c = all();
	assert_int_equal(apv_fmt_ap_config(&sb, &a, &d, &c), 0);
	assert_int_equal(sb.len, 201);
	check(&sb, "format/ap_config_full.out", NULL);
}

/* Queue `status` (spec §2.5): one word and a newline, appended. */
static void test_queue_status(void **state)
{
	struct apv_strbuf sb = APV_STRBUF_INIT;

	(void)state;
	assert_string_equal(apv_queue_status_name(APV_QSTATUS_UNASSIGNED),
			    "unassigned");
	assert_string_equal(apv_queue_status_name(APV_QSTATUS_ASSIGNED),
			    "assigned");
	assert_string_equal(apv_queue_status_name(APV_QSTATUS_IN_USE),
			    "in use");
	assert_int_equal(apv_sb_puts(&sb, "x"), 0);
	assert_int_equal(apv_fmt_queue_status(&sb, APV_QSTATUS_IN_USE), 0);
	assert_string_equal(sb.s, "xin use\n");
	apv_sb_reset(&sb);
	assert_int_equal(apv_fmt_queue_status(&sb, APV_QSTATUS_ASSIGNED), 0);
	assert_string_equal(sb.s, "assigned\n");
	apv_sb_reset(&sb);
	assert_int_equal(apv_fmt_queue_status(&sb, APV_QSTATUS_UNASSIGNED), 0);
	assert_string_equal(sb.s, "unassigned\n");
	assert_int_equal(sb.len, 11);
	apv_sb_free(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mask),
		cmocka_unit_test(test_mask_appends),
		cmocka_unit_test(test_mask_roundtrip),
		cmocka_unit_test(test_matrix_spec),
		cmocka_unit_test(test_matrix_limits),
		cmocka_unit_test(test_matrix_large),
		cmocka_unit_test(test_control_domains),
		cmocka_unit_test(test_ap_config),
		cmocka_unit_test(test_queue_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
