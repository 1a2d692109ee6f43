// SPDX-License-Identifier: MIT
/*
 * Unit tests for src/base/scan.c: every reader is the inverse of its
 * formatter in src/base/format.c (round trips on random sets), and
 * rejects what the kernel never prints.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <apvirt/format.h>
#include <apvirt/scan.h>

#define LIT(s) (s), (sizeof(s) - 1)

static struct apv_bitmap rnd(int n)
{
	struct apv_bitmap b;

	apv_bm_zero(&b);
	for (int i = 0; i < n; i++)
		apv_bm_set(&b, (unsigned int)rand() % 256);
	return b;
}

static void mask_round_trip(void **state)
{
	(void)state;
	srand(1);
	for (int t = 0; t < 300; t++) {
		struct apv_strbuf sb = APV_STRBUF_INIT, sh = APV_STRBUF_INIT;
		struct apv_bitmap b = rnd(t % 60), c, d;

		assert_int_equal(apv_fmt_mask(&sb, &b), 0);
		assert_int_equal(apv_scan_mask(sb.s, sb.len, &c), 0);
		assert_true(apv_bm_equal(&b, &c));
		assert_int_equal(apv_fmt_mask_hex(&sh, &b), 0);
		assert_int_equal(apv_scan_mask(sh.s, sh.len, &d), 0);
		assert_true(apv_bm_equal(&b, &d));
		apv_sb_free(&sb);
		apv_sb_free(&sh);
	}
}

static void mask_forms(void **state)
{
	static const char top[] =
		"0x8000000000000000000000000000000000000000000000000000000000000001\n";
	struct apv_bitmap b, keep;

	(void)state;
	assert_int_equal(apv_scan_mask(LIT(top), &b), 0);
	assert_int_equal(apv_bm_count(&b), 2);
	assert_true(apv_bm_test(&b, 0) && apv_bm_test(&b, 255));
	/* Upper case digits and no newline (a reader stripped it). */
	assert_int_equal(apv_scan_mask(LIT("0XFF000000000000000000000000000000"
					   "00000000000000000000000000000000"),
				       &b),
			 0);
	assert_int_equal(apv_bm_count(&b), 8);
	keep = b;
	assert_int_equal(apv_scan_mask(LIT("0x00"), &b), -EINVAL);
	assert_int_equal(apv_scan_mask(LIT(""), &b), -EINVAL);
	assert_int_equal(apv_scan_mask(LIT("1x0000000000000000000000000000000"
					   "000000000000000000000000000000000"),
				       &b),
			 -EINVAL);
	assert_int_equal(
		apv_scan_mask(LIT("0x000000000000000000000000000000"
				  "000000000000000000000000000000000g"),
			      &b),
		-EINVAL);
	assert_true(apv_bm_equal(&b, &keep)); /* untouched on failure */
}

static void matrix_round_trip(void **state)
{
	(void)state;
	srand(2);
	for (int t = 0; t < 300; t++) {
		struct apv_strbuf sb = APV_STRBUF_INIT;
		struct apv_bitmap apm = rnd(t % 7), aqm = rnd(t % 11), a, d;
		struct apv_bitmap wa, wd;

		if (t % 5 == 0)
			apv_bm_zero(&aqm);
		if (t % 7 == 0)
			apv_bm_zero(&apm);
		wa = apm;
		wd = aqm;
		assert_int_equal(apv_fmt_matrix(&sb, &apm, &aqm, 255, 255), 0);
		assert_int_equal(apv_scan_matrix(sb.s, sb.len, &a, &d), 0);
		assert_true(apv_bm_equal(&a, &wa));
		assert_true(apv_bm_equal(&d, &wd));
		/* The reader also takes the text with its final '\n' cut. */
		if (sb.len) {
			assert_int_equal(
				apv_scan_matrix(sb.s, sb.len - 1, &a, &d), 0);
			assert_true(apv_bm_equal(&a, &wa));
		}
		apv_sb_free(&sb);
	}
}

static void matrix_forms(void **state)
{
	struct apv_bitmap a, d;

	(void)state;
	assert_int_equal(apv_scan_matrix(LIT("05.0047\n05.0054\n"), &a, &d), 0);
	assert_int_equal(apv_bm_count(&a), 1);
	assert_true(apv_bm_test(&a, 5));
	assert_int_equal(apv_bm_count(&d), 2);
	assert_true(apv_bm_test(&d, 0x47) && apv_bm_test(&d, 0x54));
	assert_int_equal(apv_scan_matrix(LIT("05.\n0a.\n"), &a, &d), 0);
	assert_int_equal(apv_bm_count(&a), 2);
	assert_true(apv_bm_empty(&d));
	assert_int_equal(apv_scan_matrix(LIT(".0047\n"), &a, &d), 0);
	assert_true(apv_bm_empty(&a));
	assert_int_equal(apv_bm_count(&d), 1);
	assert_int_equal(apv_scan_matrix(LIT(""), &a, &d), 0);
	assert_true(apv_bm_empty(&a) && apv_bm_empty(&d));
	assert_int_equal(apv_scan_matrix(LIT("5.0047\n"), &a, &d), -EINVAL);
	assert_int_equal(apv_scan_matrix(LIT("05.0100\n"), &a, &d), -EINVAL);
	assert_int_equal(apv_scan_matrix(LIT("05-0047\n"), &a, &d), -EINVAL);
	assert_int_equal(apv_scan_matrix(LIT("05.0047\n\n"), &a, &d), -EINVAL);
}

static void control_domains_round_trip(void **state)
{
	struct apv_bitmap c;

	(void)state;
	srand(3);
	for (int t = 0; t < 300; t++) {
		struct apv_strbuf sb = APV_STRBUF_INIT;
		struct apv_bitmap adm = rnd(t % 30);

		assert_int_equal(apv_fmt_control_domains(&sb, &adm, 255), 0);
		assert_int_equal(apv_scan_control_domains(sb.s, sb.len, &c), 0);
		assert_true(apv_bm_equal(&adm, &c));
		apv_sb_free(&sb);
	}
	assert_int_equal(apv_scan_control_domains(LIT("0047\n00ff"), &c), 0);
	assert_int_equal(apv_bm_count(&c), 2);
	assert_int_equal(apv_scan_control_domains(LIT("47\n"), &c), -EINVAL);
	assert_int_equal(apv_scan_control_domains(LIT("0100\n"), &c), -EINVAL);
}

static void ap_config_round_trip(void **state)
{
	struct apv_bitmap a, d, c;

	(void)state;
	srand(4);
	for (int t = 0; t < 300; t++) {
		struct apv_strbuf sb = APV_STRBUF_INIT;
		struct apv_bitmap apm = rnd(t % 9), aqm = rnd(t % 13),
				  adm = rnd(t % 5);

		assert_int_equal(apv_fmt_ap_config(&sb, &apm, &aqm, &adm), 0);
		assert_int_equal(sb.len, 201);
		assert_int_equal(apv_scan_ap_config(sb.s, sb.len, &a, &d, &c),
				 0);
		assert_true(apv_bm_equal(&a, &apm));
		assert_true(apv_bm_equal(&d, &aqm));
		assert_true(apv_bm_equal(&c, &adm));
		/* Without the final newline, too; not with a token short. */
		assert_int_equal(
			apv_scan_ap_config(sb.s, sb.len - 1, &a, &d, &c), 0);
		assert_int_equal(apv_scan_ap_config(sb.s, sb.len - 2, &a, &d,
						    &c),
				 -EINVAL);
		sb.s[66] = ';';
		assert_int_equal(apv_scan_ap_config(sb.s, sb.len, &a, &d, &c),
				 -EINVAL);
		apv_sb_free(&sb);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mask_round_trip),
		cmocka_unit_test(mask_forms),
		cmocka_unit_test(matrix_round_trip),
		cmocka_unit_test(matrix_forms),
		cmocka_unit_test(control_domains_round_trip),
		cmocka_unit_test(ap_config_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
