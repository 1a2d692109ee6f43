// SPDX-License-Identifier: MIT
/*
 * Unit tests for src/base/bitmap.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include <apvirt/bitmap.h>

/* A trivially correct reference: one bool per id. */
struct ref {
	bool b[APV_MAX_IDS];
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static void random_pair(struct apv_bitmap *b, struct ref *r)
{
	/* Vary the density so that sparse and dense masks both occur. */
	unsigned int density = (unsigned int)(rnd() % 5);

	apv_bm_zero(b);
	memset(r, 0, sizeof(*r));
	for (unsigned int i = 0; i < APV_MAX_IDS; i++) {
		uint64_t v = rnd();
		bool on;

		switch (density) {
		case 0:
			on = v % 64 == 0;
			break;
		case 1:
			on = v % 8 == 0;
			break;
		case 2:
			on = v & 1;
			break;
		case 3:
			on = v % 8 != 0;
			break;
		default:
			on = i % 64 == 63 || i % 64 == 0;
			break;
		}
		if (on) {
			apv_bm_set(b, i);
			r->b[i] = true;
		}
	}
}

static void assert_matches(const struct apv_bitmap *b, const struct ref *r)
{
	for (unsigned int i = 0; i < APV_MAX_IDS; i++)
		assert_int_equal(apv_bm_test(b, i), r->b[i]);
}

static void test_msb0_layout(void **state)
{
	struct apv_bitmap b;
	uint8_t bytes[32];

	(void)state;
	apv_bm_zero(&b);
	apv_bm_set(&b, 1);
	apv_bm_set(&b, 7);
	/* spec §0.3: ids 1 and 7 print as 0x41000... */
	assert_true(b.w[0] == UINT64_C(0x4100000000000000));
	assert_true(b.w[1] == 0 && b.w[2] == 0 && b.w[3] == 0);
	apv_bm_to_bytes(&b, bytes);
	assert_int_equal(bytes[0], 0x41);
	for (int i = 1; i < 32; i++)
		assert_int_equal(bytes[i], 0);

	apv_bm_zero(&b);
	apv_bm_set(&b, 0);
	assert_true(b.w[0] == UINT64_C(0x8000000000000000));
	apv_bm_set(&b, 63);
	assert_true(b.w[0] == UINT64_C(0x8000000000000001));
	apv_bm_set(&b, 64);
	assert_true(b.w[1] == UINT64_C(0x8000000000000000));
	apv_bm_set(&b, 255);
	assert_true(b.w[3] == 1);
	apv_bm_to_bytes(&b, bytes);
	assert_int_equal(bytes[0], 0x80);
	assert_int_equal(bytes[7], 0x01);
	assert_int_equal(bytes[8], 0x80);
	assert_int_equal(bytes[31], 0x01);
}

static void test_set_clear_test(void **state)
{
	struct apv_bitmap b;

	(void)state;
	apv_bm_zero(&b);
	for (unsigned int i = 0; i < APV_MAX_IDS; i++)
		assert_false(apv_bm_test(&b, i));
	apv_bm_set(&b, 5);
	assert_true(apv_bm_test(&b, 5));
	assert_false(apv_bm_test(&b, 4));
	assert_false(apv_bm_test(&b, 6));
	apv_bm_set(&b, 5);
	assert_int_equal(apv_bm_count(&b), 1);
	apv_bm_clear(&b, 5);
	assert_false(apv_bm_test(&b, 5));
	assert_true(apv_bm_empty(&b));

	/* ids >= 256 are ignored */
	apv_bm_set(&b, 256);
	apv_bm_set(&b, 1000);
	apv_bm_set(&b, ~0U);
	assert_true(apv_bm_empty(&b));
	assert_false(apv_bm_test(&b, 256));
	apv_bm_fill(&b);
	assert_false(apv_bm_test(&b, 256));
	assert_false(apv_bm_test(&b, ~0U));
	apv_bm_clear(&b, 256);
	assert_int_equal(apv_bm_count(&b), 256);
	for (unsigned int i = 0; i < APV_MAX_IDS; i++)
		assert_true(apv_bm_test(&b, i));
}

static void check_range(unsigned int first, unsigned int last)
{
	struct apv_bitmap b;

	apv_bm_zero(&b);
	apv_bm_set_range(&b, first, last);
	for (unsigned int i = 0; i < APV_MAX_IDS; i++)
		assert_int_equal(apv_bm_test(&b, i),
				 first <= last && i >= first && i <= last);
}

static void test_set_range(void **state)
{
	static const unsigned int pts[] = {
		0, 1, 7, 8, 62, 63, 64, 65, 100, 127, 128, 191, 192, 254, 255,
	};
	struct apv_bitmap b;

	(void)state;
	for (size_t i = 0; i < sizeof(pts) / sizeof(pts[0]); i++)
		for (size_t j = 0; j < sizeof(pts) / sizeof(pts[0]); j++)
			check_range(pts[i], pts[j]);

	/* clamp to 255 */
	apv_bm_zero(&b);
	apv_bm_set_range(&b, 250, 1000);
	assert_int_equal(apv_bm_count(&b), 6);
	assert_true(apv_bm_test(&b, 255));
	apv_bm_zero(&b);
	apv_bm_set_range(&b, 0, ~0U);
	assert_int_equal(apv_bm_count(&b), 256);

	/* first > last, first >= 256: nothing */
	apv_bm_zero(&b);
	apv_bm_set_range(&b, 10, 9);
	apv_bm_set_range(&b, 256, 300);
	apv_bm_set_range(&b, 300, 1000);
	assert_true(apv_bm_empty(&b));

	/* ranges add to existing bits */
	apv_bm_zero(&b);
	apv_bm_set(&b, 0);
	apv_bm_set_range(&b, 200, 201);
	assert_int_equal(apv_bm_count(&b), 3);
}

static void test_limit(void **state)
{
	struct apv_bitmap b, full;

	(void)state;
	apv_bm_fill(&full);
	for (unsigned int max = 0; max < 300; max++) {
		b = full;
		apv_bm_limit(&b, max);
		assert_int_equal(apv_bm_count(&b), max >= 255 ? 256 : max + 1);
		for (unsigned int i = 0; i < APV_MAX_IDS; i++)
			assert_int_equal(apv_bm_test(&b, i), i <= max);
	}
	b = full;
	apv_bm_limit(&b, ~0U);
	assert_true(apv_bm_equal(&b, &full));

	/* typical limits: 63 / 15 without APXA */
	b = full;
	apv_bm_limit(&b, 15);
	assert_true(b.w[0] == UINT64_C(0xffff000000000000));
	assert_true(b.w[1] == 0 && b.w[2] == 0 && b.w[3] == 0);
	b = full;
	apv_bm_limit(&b, 63);
	assert_true(b.w[0] == ~UINT64_C(0) && b.w[1] == 0);
}

static void test_next_and_for_each(void **state)
{
	struct apv_bitmap b;
	int expect[] = {0, 1, 63, 64, 100, 127, 128, 200, 254, 255};
	size_t n = 0;

	(void)state;
	apv_bm_zero(&b);
	assert_int_equal(apv_bm_next(&b, 0), -1);
	apv_bm_for_each(id, &b)
		fail();

	for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++)
		apv_bm_set(&b, (unsigned int)expect[i]);
	apv_bm_for_each(id, &b) {
		assert_true(n < sizeof(expect) / sizeof(expect[0]));
		assert_int_equal(id, expect[n]);
		n++;
	}
	assert_int_equal(n, sizeof(expect) / sizeof(expect[0]));

	assert_int_equal(apv_bm_next(&b, 0), 0);
	assert_int_equal(apv_bm_next(&b, 2), 63);
	assert_int_equal(apv_bm_next(&b, 63), 63);
	assert_int_equal(apv_bm_next(&b, 64), 64);
	assert_int_equal(apv_bm_next(&b, 65), 100);
	assert_int_equal(apv_bm_next(&b, 129), 200);
	assert_int_equal(apv_bm_next(&b, 255), 255);
	assert_int_equal(apv_bm_next(&b, 256), -1);
	assert_int_equal(apv_bm_next(&b, 1000), -1);
	assert_int_equal(apv_bm_next(&b, ~0U), -1);

	apv_bm_zero(&b);
	apv_bm_set(&b, 255);
	assert_int_equal(apv_bm_next(&b, 0), 255);
	apv_bm_clear(&b, 255);
	apv_bm_set(&b, 192);
	assert_int_equal(apv_bm_next(&b, 1), 192);
	assert_int_equal(apv_bm_next(&b, 193), -1);
}

static void test_next_random(void **state)
{
	struct apv_bitmap b;
	struct ref r;

	(void)state;
	for (int round = 0; round < 500; round++) {
		random_pair(&b, &r);
		for (unsigned int from = 0; from <= APV_MAX_IDS; from++) {
			int want = -1;

			for (unsigned int i = from; i < APV_MAX_IDS; i++) {
				if (r.b[i]) {
					want = (int)i;
					break;
				}
			}
			assert_int_equal(apv_bm_next(&b, from), want);
		}
	}
}

static void test_ops_random(void **state)
{
	struct apv_bitmap a, b, d;
	struct ref ra, rb, rd;

	(void)state;
	for (int round = 0; round < 2000; round++) {
		bool inter = false, sub = true, eq = true;
		unsigned int cnt = 0;

		random_pair(&a, &ra);
		if (round % 7 == 0) {
			b = a;
			rb = ra;
		} else {
			random_pair(&b, &rb);
		}
		for (unsigned int i = 0; i < APV_MAX_IDS; i++) {
			inter |= ra.b[i] && rb.b[i];
			sub &= !ra.b[i] || rb.b[i];
			eq &= ra.b[i] == rb.b[i];
			cnt += ra.b[i];
		}
		assert_int_equal(apv_bm_intersects(&a, &b), inter);
		assert_int_equal(apv_bm_subset(&a, &b), sub);
		assert_int_equal(apv_bm_equal(&a, &b), eq);
		assert_int_equal(apv_bm_count(&a), cnt);
		assert_int_equal(apv_bm_empty(&a), cnt == 0);

		apv_bm_and(&d, &a, &b);
		for (unsigned int i = 0; i < APV_MAX_IDS; i++)
			rd.b[i] = ra.b[i] && rb.b[i];
		assert_matches(&d, &rd);

		apv_bm_or(&d, &a, &b);
		for (unsigned int i = 0; i < APV_MAX_IDS; i++)
			rd.b[i] = ra.b[i] || rb.b[i];
		assert_matches(&d, &rd);

		apv_bm_andnot(&d, &a, &b);
		for (unsigned int i = 0; i < APV_MAX_IDS; i++)
			rd.b[i] = ra.b[i] && !rb.b[i];
		assert_matches(&d, &rd);
	}
}

static void test_ops_alias(void **state)
{
	struct apv_bitmap a, b, orig;

	(void)state;
	apv_bm_zero(&a);
	apv_bm_set_range(&a, 0, 100);
	apv_bm_zero(&b);
	apv_bm_set_range(&b, 50, 200);
	orig = a;

	apv_bm_and(&a, &a, &b);
	assert_int_equal(apv_bm_count(&a), 51);
	assert_int_equal(apv_bm_next(&a, 0), 50);

	a = orig;
	apv_bm_or(&a, &a, &b);
	assert_int_equal(apv_bm_count(&a), 201);

	a = orig;
	apv_bm_andnot(&a, &a, &b);
	assert_int_equal(apv_bm_count(&a), 50);
	assert_int_equal(apv_bm_next(&a, 50), -1);

	a = orig;
	apv_bm_andnot(&b, &a, &b);
	assert_true(apv_bm_equal(&a, &orig));
	assert_int_equal(apv_bm_count(&b), 50);

	a = orig;
	apv_bm_and(&a, &a, &a);
	assert_true(apv_bm_equal(&a, &orig));
	apv_bm_andnot(&a, &a, &a);
	assert_true(apv_bm_empty(&a));
}

static void test_predicates_edges(void **state)
{
	struct apv_bitmap z, f;

	(void)state;
	apv_bm_zero(&z);
	apv_bm_fill(&f);
	assert_true(apv_bm_empty(&z));
	assert_false(apv_bm_empty(&f));
	assert_true(apv_bm_subset(&z, &f));
	assert_true(apv_bm_subset(&z, &z));
	assert_false(apv_bm_subset(&f, &z));
	assert_false(apv_bm_intersects(&z, &f));
	assert_false(apv_bm_intersects(&z, &z));
	assert_true(apv_bm_intersects(&f, &f));
	assert_int_equal(apv_bm_count(&z), 0);
	assert_int_equal(apv_bm_count(&f), 256);
	assert_false(apv_bm_equal(&z, &f));
}

static void test_bytes_roundtrip(void **state)
{
	struct apv_bitmap b, c;
	struct ref r;
	uint8_t bytes[32];

	(void)state;
	for (int round = 0; round < 500; round++) {
		random_pair(&b, &r);
		apv_bm_to_bytes(&b, bytes);
		for (unsigned int i = 0; i < APV_MAX_IDS; i++)
			assert_int_equal(!!(bytes[i / 8] & (0x80 >> (i % 8))),
					 r.b[i]);
		apv_bm_from_bytes(&c, bytes);
		assert_true(apv_bm_equal(&b, &c));
	}

	/* QCI-style example: APID 0 is the top bit of the first byte */
	memset(bytes, 0, sizeof(bytes));
	bytes[0] = 0x80;
	bytes[31] = 0x01;
	apv_bm_from_bytes(&b, bytes);
	assert_true(apv_bm_test(&b, 0));
	assert_true(apv_bm_test(&b, 255));
	assert_int_equal(apv_bm_count(&b), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_msb0_layout),
		cmocka_unit_test(test_set_clear_test),
		cmocka_unit_test(test_set_range),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_next_and_for_each),
		cmocka_unit_test(test_next_random),
		cmocka_unit_test(test_ops_random),
		cmocka_unit_test(test_ops_alias),
		cmocka_unit_test(test_predicates_edges),
		cmocka_unit_test(test_bytes_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
