// SPDX-License-Identifier: MIT
/*
 * Unit tests for src/base/parse.c: the exact sysfs store grammars.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <apvirt/parse.h>

/* (pointer, length) of a string literal, embedded NULs included. */
#define LIT(s) (s), (sizeof(s) - 1)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers ------------------------------------------------------------ */

/* 64 hex digits of m, independent of format.c. */
static void hex64(const struct apv_bitmap *m, char out[65])
{
	for (int w = 0; w < APV_BM_WORDS; w++)
		snprintf(out + 16 * (size_t)w, 17, "%016llx",
			 (unsigned long long)m->w[w]);
}

/*
 * prefix, then fill up to 64 hex digits with c.  The result lives in one of
 * eight rotating static buffers, so a few calls may share an expression.
 */
static const char *pad(const char *prefix, char c)
{
	static char ring[8][65];
	static unsigned int next;
	char *buf = ring[next++ % 8];
	size_t n = strlen(prefix);

	assert_true(n <= 64);
	memcpy(buf, prefix, n);
	memset(buf + n, c, 64 - n);
	buf[64] = '\0';
	return buf;
}

static struct apv_bitmap bm_zero(void)
{
	struct apv_bitmap m;

	apv_bm_zero(&m);
	return m;
}

static struct apv_bitmap bm_full(void)
{
	struct apv_bitmap m;

	apv_bm_fill(&m);
	return m;
}

/* A recognisable pattern to detect writes to outputs on failure. */
static struct apv_bitmap bm_sentinel(void)
{
	struct apv_bitmap m;

	for (int i = 0; i < APV_BM_WORDS; i++)
		m.w[i] = UINT64_C(0xdeadbeefcafef00d) + (uint64_t)i;
	return m;
}

static void assert_bm_hex(const struct apv_bitmap *m, const char *want64)
{
	char got[65];

	hex64(m, got);
	assert_string_equal(got, want64);
}

/* apv_parse_mask succeeds on (s, len) from cur and yields want64. */
static void mask_ok(const char *s, size_t len, const struct apv_bitmap *cur,
		    const char *want64)
{
	struct apv_bitmap out = bm_sentinel();
	const struct apv_bitmap before = *cur;

	if (apv_parse_mask(s, len, cur, &out) != 0)
		fail_msg("apv_parse_mask(\"%.*s\") failed", (int)len, s);
	assert_bm_hex(&out, want64);
	/* cur is const and must not change */
	assert_true(apv_bm_equal(cur, &before));
}

static void mask_err(const char *s, size_t len, const struct apv_bitmap *cur)
{
	const struct apv_bitmap sent = bm_sentinel();
	struct apv_bitmap out = sent;
	int rc = apv_parse_mask(s, len, cur, &out);

	if (rc != -EINVAL)
		fail_msg("apv_parse_mask(\"%.*s\") = %d, want -EINVAL",
			 (int)len, s, rc);
	assert_true(apv_bm_equal(&out, &sent));
}

/* ---- apmask / aqmask: absolute form ------------------------------------- */

static void test_mask_abs_spec_examples(void **state)
{
	struct apv_bitmap z = bm_zero(), f = bm_full();

	(void)state;
	/* §0.3 / §8: ids 1 and 7 -> 0x41000... (left aligned, MSB0) */
	mask_ok(LIT("0x41"), &z, pad("41", '0'));
	mask_ok(LIT("0x41\n"), &z, pad("41", '0'));
	mask_ok(LIT("x41"), &z, pad("41", '0'));
	mask_ok(LIT("41"), &z, pad("41", '0'));
	/* the absolute form ignores the current mask */
	mask_ok(LIT("0x41"), &f, pad("41", '0'));
	mask_ok(LIT("0x8"), &f, pad("8", '0'));
	/* canonical scenario result written absolutely */
	{
		char buf[68];

		snprintf(buf, sizeof(buf), "0x%s\n", pad("f9", 'f'));
		mask_ok(buf, 67, &z, pad("f9", 'f'));
	}
}

static void test_mask_abs_empty_forms(void **state)
{
	struct apv_bitmap f = bm_full();
	const char *zero = pad("", '0');

	(void)state;
	mask_ok(LIT("\n"), &f, zero); /* echo > apmask */
	mask_ok(LIT(""), &f, zero);
	mask_ok(LIT("0x"), &f, zero);
	mask_ok(LIT("0x\n"), &f, zero);
	mask_ok(LIT("x"), &f, zero);
	mask_ok(LIT("x\n"), &f, zero);
	mask_ok(LIT("0"), &f, zero);
	mask_ok(LIT("0\n"), &f, zero);
	mask_ok(LIT("00000000"), &f, zero);
}

static void test_mask_abs_digits(void **state)
{
	struct apv_bitmap z = bm_zero();
	char buf[80];

	(void)state;
	/* either case for digits */
	mask_ok(LIT("0xABCDEF"), &z, pad("abcdef", '0'));
	mask_ok(LIT("0xabcdef"), &z, pad("abcdef", '0'));
	mask_ok(LIT("aBcD"), &z, pad("abcd", '0'));
	mask_ok(LIT("0x0123456789"), &z, pad("0123456789", '0'));

	/* exactly 64 digits, with and without prefix and newline */
	memset(buf, 'f', 64);
	mask_ok(buf, 64, &z, pad("", 'f'));
	buf[64] = '\n';
	mask_ok(buf, 65, &z, pad("", 'f'));
	memcpy(buf, "0x", 2); /* NOLINT(bugprone-not-null-terminated-result) */
	memset(buf + 2, 'F', 64);
	mask_ok(buf, 66, &z, pad("", 'f'));
	buf[66] = '\n';
	mask_ok(buf, 67, &z, pad("", 'f'));
	buf[0] = 'x';
	memset(buf + 1, '1', 64);
	mask_ok(buf, 65, &z, pad("", '1'));

	/* 65 digits are too many */
	memset(buf, '0', 65);
	mask_err(buf, 65, &z);
	buf[65] = '\n';
	mask_err(buf, 66, &z);
	memcpy(buf, "0x", 2); /* NOLINT(bugprone-not-null-terminated-result) */
	memset(buf + 2, '0', 65);
	mask_err(buf, 67, &z);
	buf[0] = 'x';
	mask_err(buf, 66, &z);

	/* last digit maps to ids 252..255 */
	memset(buf, '0', 63);
	buf[63] = '1';
	{
		struct apv_bitmap out;

		assert_int_equal(apv_parse_mask(buf, 64, &z, &out), 0);
		assert_true(apv_bm_test(&out, 255));
		assert_int_equal(apv_bm_count(&out), 1);
		buf[63] = '8';
		assert_int_equal(apv_parse_mask(buf, 64, &z, &out), 0);
		assert_true(apv_bm_test(&out, 252));
		assert_int_equal(apv_bm_count(&out), 1);
	}
}

static void test_mask_abs_errors(void **state)
{
	struct apv_bitmap z = bm_zero(), f = bm_full();

	(void)state;
	mask_err(LIT("0X41"), &z); /* uppercase X is not a prefix */
	mask_err(LIT("0X"), &z);
	mask_err(LIT("X41"), &z);
	mask_err(LIT("0x41\n\n"), &z);
	mask_err(LIT("\n\n"), &z);
	mask_err(LIT("\n0x41"), &z);
	mask_err(LIT("0x41 "), &z);
	mask_err(LIT(" 0x41"), &z);
	mask_err(LIT("0x 41"), &z);
	mask_err(LIT("0x4g"), &z);
	mask_err(LIT("0x41,"), &z);
	mask_err(LIT("0x41,0x1"), &z);
	mask_err(LIT("xx"), &z);
	mask_err(LIT("0xx1"), &z);
	mask_err(LIT("00x1"), &z);
	mask_err(LIT("0x0x1"), &z);
	mask_err(LIT("x0x1"), &z);
	mask_err(LIT("0x41\r\n"), &z);
	mask_err(LIT("0x41\t"), &f);
	mask_err(LIT("5,6"), &f);
	mask_err(LIT("*"), &f);
	mask_err(LIT("\r"), &f);
}

static void test_mask_abs_only(void **state)
{
	struct apv_bitmap out = bm_sentinel();
	const struct apv_bitmap sent = bm_sentinel();

	(void)state;
	assert_int_equal(apv_parse_mask_abs(LIT("0x41\n"), &out), 0);
	assert_bm_hex(&out, pad("41", '0'));
	assert_int_equal(apv_parse_mask_abs(LIT("\n"), &out), 0);
	assert_bm_hex(&out, pad("", '0'));
	assert_int_equal(apv_parse_mask_abs(LIT("x8\0garbage"), &out), 0);
	assert_bm_hex(&out, pad("8", '0'));

	out = sent;
	assert_int_equal(apv_parse_mask_abs(LIT("+5"), &out), -EINVAL);
	assert_int_equal(apv_parse_mask_abs(LIT("-5"), &out), -EINVAL);
	assert_int_equal(apv_parse_mask_abs(LIT("0X1"), &out), -EINVAL);
	assert_true(apv_bm_equal(&out, &sent));
}

/* ---- apmask / aqmask: relative form ------------------------------------- */

static void test_mask_rel_canonical(void **state)
{
	struct apv_bitmap f = bm_full(), out;

	(void)state;
	/* §7 scenario 1: echo -5,-6 > apmask on the all-ones default */
	mask_ok(LIT("-5,-6\n"), &f, pad("f9", 'f'));
	mask_ok(LIT("-5,-6"), &f, pad("f9", 'f'));
	mask_ok(LIT("-5-6"), &f, pad("f9", 'f')); /* as a range */
	mask_ok(LIT("-5\n-6\n"), &f, pad("f9", 'f'));
	mask_ok(LIT("-5-6\n"), &f, pad("f9", 'f'));
	/* and back: +5 restores the bit */
	assert_int_equal(apv_parse_mask(LIT("-5,-6\n"), &f, &out), 0);
	mask_ok(LIT("+5,+6"), &out, pad("", 'f'));
	/* chzdev-style -1,-20-22 */
	mask_ok(LIT("-1,-20-22"), &f, pad("bffff1", 'f'));
	/* ecosystem.md example: +0,-6,+0x47,-0xf0 on zero */
	{
		struct apv_bitmap z = bm_zero(), m;

		assert_int_equal(
			apv_parse_mask(LIT("+0,-6,+0x47,-0xf0"), &z, &m), 0);
		assert_int_equal(apv_bm_count(&m), 2);
		assert_true(apv_bm_test(&m, 0));
		assert_true(apv_bm_test(&m, 0x47));
	}
}

static void test_mask_rel_numbers(void **state)
{
	struct apv_bitmap z = bm_zero(), out;
	static const struct {
		const char *s;
		size_t len;
		unsigned int id;
	} ok[] = {
		{LIT("+0"), 0},
		{LIT("+00"), 0},
		{LIT("+5"), 5},
		{LIT("+5\n"), 5},
		{LIT("+010"), 8}, /* octal quirk */
		{LIT("+0010"), 8},
		{LIT("+0377"), 255},
		{LIT("+0x10"), 16},
		{LIT("+0X10"), 16}, /* strtoul does accept 0X */
		{LIT("+0xFf"), 255},
		{LIT("+0x000ff"), 255},
		{LIT("+255"), 255},
		{LIT("+0255"), 173}, /* octal 255 */
		{LIT("+000000000000000000000000000000000000000007"), 7},
		{LIT("+7\0+8"), 7}, /* NUL ends the input */
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		if (apv_parse_mask(ok[i].s, ok[i].len, &z, &out))
			fail_msg("\"%s\" rejected", ok[i].s);
		if (apv_bm_count(&out) != 1 || !apv_bm_test(&out, ok[i].id))
			fail_msg("\"%s\" did not set exactly id %u", ok[i].s,
				 ok[i].id);
	}
}

static void test_mask_rel_ranges(void **state)
{
	struct apv_bitmap z = bm_zero(), f = bm_full(), out;

	(void)state;
	mask_ok(LIT("+1-3"), &z, pad("7", '0'));
	mask_ok(LIT("-1-3"), &f, pad("8", 'f'));
	mask_ok(LIT("+5-5"), &z, pad("04", '0'));
	mask_ok(LIT("+0-255"), &z, pad("", 'f'));
	mask_ok(LIT("-0-255\n"), &f, pad("", '0'));
	mask_ok(LIT("+0x0-0xff"), &z, pad("", 'f'));
	mask_ok(LIT("+010-012"), &z, pad("00e", '0')); /* 8..10 */
	mask_ok(LIT("+0x10-0x13"), &z, pad("0000f", '0'));
	mask_ok(LIT("+8-0xb"), &z, pad("00f", '0'));
	/* after a range, a '-' starts the next term */
	mask_ok(LIT("+1-2-3"), &f, pad("e", 'f'));    /* set 1-2, clear 3 */
	mask_ok(LIT("+0-7-4-5"), &z, pad("f3", '0')); /* set 0-7, clear 4-5 */
	mask_ok(LIT("-0-7+2-3"), &f, pad("30", 'f'));

	assert_int_equal(apv_parse_mask(LIT("+252-255"), &z, &out), 0);
	assert_int_equal(apv_bm_count(&out), 4);
	assert_int_equal(apv_bm_next(&out, 0), 252);

	mask_err(LIT("+3-1"), &z); /* first > last */
	mask_err(LIT("+0-256"), &z);
	mask_err(LIT("+256-257"), &z);
	mask_err(LIT("+1-0x100"), &z);
	mask_err(LIT("+1-"), &z);
	mask_err(LIT("+1-\n"), &z);
	mask_err(LIT("+1-,"), &z);
	mask_err(LIT("+1--2"), &z);
	mask_err(LIT("+1-+2"), &z);
	mask_err(LIT("+1-x"), &z);
	mask_err(LIT("+1-2x"), &z);
	mask_err(LIT("+1-99999999999999999999999999"), &z);
}

static void test_mask_rel_separators(void **state)
{
	struct apv_bitmap z = bm_zero();
	const char *ids12 = pad("6", '0');

	(void)state;
	mask_ok(LIT("+1,+2"), &z, ids12);
	mask_ok(LIT("+1\n+2"), &z, ids12);
	mask_ok(LIT("+1+2"), &z, ids12);      /* zero separators */
	mask_ok(LIT("+1,,\n,+2"), &z, ids12); /* several */
	mask_ok(LIT("+1,+2,"), &z, ids12);    /* trailing */
	mask_ok(LIT("+1,+2\n"), &z, ids12);
	mask_ok(LIT("+1,+2,\n,\n\n"), &z, ids12);
	mask_ok(LIT("+1\n\n+2\n"), &z, ids12);

	mask_err(LIT("+1;+2"), &z);
	mask_err(LIT("+1 +2"), &z);
	mask_err(LIT("+1, +2"), &z);
	mask_err(LIT("+1\t+2"), &z);
	mask_err(LIT("+1\r\n"), &z);
	mask_err(LIT("+1,x"), &z);
	mask_err(LIT("+1,5"), &z); /* sign required */
	mask_err(LIT("+1,,5"), &z);
	mask_err(LIT("+1 "), &z);
}

static void test_mask_rel_errors(void **state)
{
	struct apv_bitmap z = bm_zero(), f = bm_full();

	(void)state;
	mask_err(LIT("+"), &z);
	mask_err(LIT("-"), &f);
	mask_err(LIT("+\n"), &z);
	mask_err(LIT("+,"), &z);
	mask_err(LIT("+,+1"), &z);
	mask_err(LIT("++1"), &z);
	mask_err(LIT("+-1"), &z);
	mask_err(LIT("--1"), &z);
	mask_err(LIT("+ 1"), &z); /* no whitespace */
	mask_err(LIT("+\t1"), &z);
	mask_err(LIT("+256"), &z);
	mask_err(LIT("+0x100"), &z);
	mask_err(LIT("+0400"), &z); /* octal 256 */
	mask_err(LIT("+08"), &z);   /* not octal */
	mask_err(LIT("+09"), &z);
	mask_err(LIT("+0x"), &z); /* "0" then 'x' */
	mask_err(LIT("+0x\n"), &z);
	mask_err(LIT("+0xg"), &z);
	mask_err(LIT("+0x1g"), &z);
	mask_err(LIT("+1a"), &z); /* decimal, then junk */
	mask_err(LIT("+x1"), &z);
	mask_err(LIT("+a"), &z);
	mask_err(LIT("+99999999999999999999999"), &z); /* saturates: >255 */
	mask_err(LIT("+18446744073709551621"), &z);    /* 2^64 + 5 */
	mask_err(LIT("-5,-6 "), &f);
}

static void test_mask_rel_semantics(void **state)
{
	struct apv_bitmap z = bm_zero(), f = bm_full(), m, out;

	(void)state;
	/* last writer wins */
	mask_ok(LIT("+5,-5"), &z, pad("", '0'));
	mask_ok(LIT("-5,+5"), &z, pad("04", '0'));
	mask_ok(LIT("+0-255,-1-255"), &z, pad("8", '0'));
	/* bits not mentioned are unchanged */
	apv_bm_zero(&m);
	apv_bm_set(&m, 100);
	apv_bm_set(&m, 3);
	assert_int_equal(apv_parse_mask(LIT("+4,-100,+200"), &m, &out), 0);
	assert_int_equal(apv_bm_count(&out), 3);
	assert_true(apv_bm_test(&out, 3));
	assert_true(apv_bm_test(&out, 4));
	assert_true(apv_bm_test(&out, 200));
	/* setting an already set bit is a no-op */
	mask_ok(LIT("+5"), &f, pad("", 'f'));
	mask_ok(LIT("-5"), &z, pad("", '0'));

	/* a late error discards the earlier terms entirely */
	out = bm_sentinel();
	assert_int_equal(apv_parse_mask(LIT("+1,+2,+300"), &z, &out), -EINVAL);
	assert_true(apv_bm_equal(
		&out, &(struct apv_bitmap){{UINT64_C(0xdeadbeefcafef00d),
					    UINT64_C(0xdeadbeefcafef00e),
					    UINT64_C(0xdeadbeefcafef00f),
					    UINT64_C(0xdeadbeefcafef010)}}));

	/* cur and out may be the same object */
	m = f;
	assert_int_equal(apv_parse_mask(LIT("-0"), &m, &m), 0);
	assert_bm_hex(&m, pad("7", 'f'));
	assert_int_equal(apv_parse_mask(LIT("+1000"), &m, &m), -EINVAL);
	assert_bm_hex(&m, pad("7", 'f'));
	assert_int_equal(apv_parse_mask(LIT("0x8"), &m, &m), 0);
	assert_bm_hex(&m, pad("8", '0'));

	/* a NULL current mask counts as all zeros (boot parameter case) */
	assert_int_equal(apv_parse_mask(LIT("+7"), NULL, &out), 0);
	assert_bm_hex(&out, pad("01", '0'));
}

static void test_mask_nul(void **state)
{
	struct apv_bitmap z = bm_zero(), f = bm_full();

	(void)state;
	/* a NUL byte ends the input as in a sysfs store */
	mask_ok(LIT("+1\0"), &z, pad("4", '0'));
	mask_ok(LIT("+1\0garbage"), &z, pad("4", '0'));
	mask_ok(LIT("-5,-6\n\0\n\n"), &f, pad("f9", 'f'));
	mask_ok(LIT("0x41\0zz"), &z, pad("41", '0'));
	mask_ok(LIT("0x4\0"
		    "1"),
		&z, pad("4", '0'));
	/* leading NUL: empty string, i.e. absolute zero */
	mask_ok(LIT("\0+5"), &f, pad("", '0'));
	/* the truncated text must still be valid */
	mask_err(LIT("+1,x\0"), &z);
	mask_err(LIT("+\0"
		     "5"),
		 &z);
	mask_err(LIT("0X\0"), &z);
	/* len smaller than the string */
	mask_ok("+1,+2", 2, &z, pad("4", '0'));
	mask_ok("0x41", 3, &z, pad("4", '0'));
	mask_ok(NULL, 0, &f, pad("", '0'));
}

/* ---- kstrtoul(buf, 0) ---------------------------------------------------- */

struct ul_case {
	const char *s;
	size_t len;
	int rc;
	unsigned long v;
};

static void test_ulong(void **state)
{
	static const struct ul_case cases[] = {
		{LIT("0"), 0, 0},
		{LIT("00"), 0, 0},
		{LIT("5"), 0, 5},
		{LIT("5\n"), 0, 5},
		{LIT("+5"), 0, 5},
		{LIT("+5\n"), 0, 5},
		{LIT("0x47"), 0, 0x47}, /* §7 scenario 4 */
		{LIT("0x47\n"), 0, 0x47},
		{LIT("0X47"), 0, 0x47},
		{LIT("0xAb"), 0, 0xab},
		{LIT("+0x10"), 0, 16},
		{LIT("047"), 0, 39},	/* octal! */
		{LIT("010\n"), 0, 8},	/* §7 scenario 7 */
		{LIT("0x100"), 0, 256}, /* §7 scenario 6 parses fine */
		{LIT("255"), 0, 255},
		{LIT("4294967296"), 0, 4294967296UL},
		{LIT("18446744073709551615"), 0, ULONG_MAX},
		{LIT("0xffffffffffffffff"), 0, ULONG_MAX},
		{LIT("0xFFFFFFFFFFFFFFFF\n"), 0, ULONG_MAX},
		{LIT("01777777777777777777777"), 0, ULONG_MAX},
		{LIT("0000000000000000000000000000000000000000012"), 0, 10},
		{LIT("5\0x"), 0, 5}, /* NUL ends the input */
		{LIT("7\n\0junk"), 0, 7},

		{LIT(""), -EINVAL, 0},
		{LIT("\n"), -EINVAL, 0},
		{LIT("\0"
		     "5"),
		 -EINVAL, 0},
		{LIT("+"), -EINVAL, 0},
		{LIT("+\n"), -EINVAL, 0},
		{LIT("++5"), -EINVAL, 0},
		{LIT("-5"), -EINVAL, 0},
		{LIT("-0"), -EINVAL, 0},
		{LIT(" 5"), -EINVAL, 0},
		{LIT("5 "), -EINVAL, 0},
		{LIT("\t5"), -EINVAL, 0},
		{LIT("5\n\n"), -EINVAL, 0},
		{LIT("5\r\n"), -EINVAL, 0},
		{LIT("\n5"), -EINVAL, 0},
		{LIT("4,5"), -EINVAL, 0}, /* lists are rejected */
		{LIT("5-6"), -EINVAL, 0},
		{LIT("0x"), -EINVAL, 0},
		{LIT("0x\n"), -EINVAL, 0},
		{LIT("0X"), -EINVAL, 0},
		{LIT("0xg"), -EINVAL, 0},
		{LIT("0x5g"), -EINVAL, 0},
		{LIT("x5"), -EINVAL, 0},
		{LIT("08"), -EINVAL, 0},
		{LIT("09\n"), -EINVAL, 0},
		{LIT("5a"), -EINVAL, 0},
		{LIT("abc"), -EINVAL, 0},
		{LIT("+-5"), -EINVAL, 0},

		{LIT("18446744073709551616"), -ERANGE, 0},
		{LIT("18446744073709551616\n"), -ERANGE, 0},
		{LIT("99999999999999999999"), -ERANGE, 0},
		{LIT("0x10000000000000000"), -ERANGE, 0},
		{LIT("0x1ffffffffffffffff"), -ERANGE, 0},
		{LIT("02000000000000000000000"), -ERANGE, 0},
		/* overflow is reported before trailing junk */
		{LIT("99999999999999999999x"), -ERANGE, 0},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		unsigned long v = 12345;
		int rc = apv_parse_ulong(cases[i].s, cases[i].len, &v);

		if (rc != cases[i].rc)
			fail_msg("case %zu \"%s\": rc %d, want %d", i,
				 cases[i].s, rc, cases[i].rc);
		if (rc == 0 && v != cases[i].v)
			fail_msg("case %zu \"%s\": %lu, want %lu", i,
				 cases[i].s, v, cases[i].v);
		if (rc != 0 && v != 12345)
			fail_msg("case %zu: output written on failure", i);
	}
}

static void test_ullong_base(void **state)
{
	static const struct {
		const char *s;
		size_t len;
		unsigned int base;
		int rc;
		unsigned long long v;
	} cases[] = {
		{LIT("120000000000"), 0, 0, 120000000000ULL},
		{LIT("120000000000\n"), 10, 0, 120000000000ULL},
		{LIT("0"), 0, 0, 0},
		{LIT("0x10"), 0, 0, 16},
		{LIT("010"), 0, 0, 8},
		{LIT("010"), 10, 0, 10},
		{LIT("010"), 8, 0, 8},
		{LIT("010"), 16, 0, 16},
		{LIT("0x10"), 10, -EINVAL, 0},
		{LIT("0x10"), 16, 0, 16},
		{LIT("0X1f"), 16, 0, 31},
		{LIT("ff\n"), 16, 0, 255},
		{LIT("+ff"), 16, 0, 255},
		{LIT("FF"), 16, 0, 255},
		{LIT("0x"), 16, -EINVAL, 0},
		{LIT("0x\n"), 16, -EINVAL, 0},
		{LIT("g"), 16, -EINVAL, 0},
		{LIT("17"), 8, 0, 15},
		{LIT("8"), 8, -EINVAL, 0},
		{LIT("101"), 2, 0, 5},
		{LIT("2"), 2, -EINVAL, 0},
		{LIT("a"), 10, -EINVAL, 0},
		{LIT("-1"), 10, -EINVAL, 0},
		{LIT(""), 10, -EINVAL, 0},
		{LIT("18446744073709551615"), 10, 0, ULLONG_MAX},
		{LIT("18446744073709551616"), 10, -ERANGE, 0},
		{LIT("ffffffffffffffff"), 16, 0, ULLONG_MAX},
		{LIT("10000000000000000"), 16, -ERANGE, 0},
		{LIT("5"), 1, -EINVAL, 0},
		{LIT("5"), 17, -EINVAL, 0},
		{LIT("5"), 36, -EINVAL, 0},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		unsigned long long v = 777;
		int rc = apv_parse_ullong_base(cases[i].s, cases[i].len,
					       cases[i].base, &v);

		if (rc != cases[i].rc)
			fail_msg("case %zu \"%s\" base %u: rc %d, want %d", i,
				 cases[i].s, cases[i].base, rc, cases[i].rc);
		if (rc == 0 && v != cases[i].v)
			fail_msg("case %zu \"%s\": %llu, want %llu", i,
				 cases[i].s, v, cases[i].v);
		if (rc != 0 && v != 777)
			fail_msg("case %zu: output written on failure", i);
	}
}

/* ---- sscanf %i / %d ----------------------------------------------------- */

struct int_case {
	const char *s;
	size_t len;
	int rc;
	int v;
};

static void run_int_cases(const struct int_case *c, size_t n, bool base0)
{
	for (size_t i = 0; i < n; i++) {
		int v = -777;
		int rc = base0 ? apv_parse_int_scanf(c[i].s, c[i].len, &v) :
				 apv_parse_int_dec_scanf(c[i].s, c[i].len, &v);

		if (rc != c[i].rc)
			fail_msg("%s case %zu \"%s\": rc %d, want %d",
				 base0 ? "%i" : "%d", i, c[i].s, rc, c[i].rc);
		if (rc == 0 && v != c[i].v)
			fail_msg("%s case %zu \"%s\": %d, want %d",
				 base0 ? "%i" : "%d", i, c[i].s, v, c[i].v);
		if (rc != 0 && v != -777)
			fail_msg("case %zu: output written on failure", i);
	}
}

static void test_int_scanf(void **state)
{
	static const struct int_case cases[] = {
		{LIT("5"), 0, 5},
		{LIT("71\n"), 0, 71}, /* chzcrypt -q 0x47 writes 71 */
		{LIT("  5"), 0, 5},
		{LIT("\t\n\v\f\r 5"), 0, 5},
		{LIT("5junk"), 0, 5}, /* trailing junk ignored */
		{LIT("5 6"), 0, 5},
		{LIT("0x1f"), 0, 31},
		{LIT("0X1F"), 0, 31},
		{LIT("0x1fzz"), 0, 31},
		{LIT("010"), 0, 8},
		{LIT("08"), 0, 0}, /* octal stops at 8 */
		{LIT("0x"), 0, 0}, /* "0", then junk */
		{LIT("0xg"), 0, 0},
		{LIT("0"), 0, 0},
		{LIT("-1"), 0, -1},
		{LIT("-0x10"), 0, -16},
		{LIT("+7"), 0, 7},
		{LIT("  -3\n"), 0, -3},
		{LIT("2147483647"), 0, INT_MAX},
		{LIT("0x7fffffff"), 0, INT_MAX},
		{LIT("-2147483648"), 0, INT_MIN},
		{LIT("-0x80000000"), 0, INT_MIN},
		{LIT("0000000000000000000000000000000017"), 0, 15},
		{LIT("12\0"
		     "34"),
		 0, 12},

		{LIT(""), -EINVAL, 0},
		{LIT("\n"), -EINVAL, 0},
		{LIT("   "), -EINVAL, 0},
		{LIT("junk"), -EINVAL, 0},
		{LIT("-"), -EINVAL, 0},
		{LIT("+"), -EINVAL, 0},
		{LIT("- 5"), -EINVAL, 0},
		{LIT("--5"), -EINVAL, 0},
		{LIT("+-5"), -EINVAL, 0},
		{LIT("x5"), -EINVAL, 0},
		{LIT("\0"
		     "5"),
		 -EINVAL, 0},
		{LIT(" \0 5"), -EINVAL, 0},
		{LIT("2147483648"), -EINVAL, 0},
		{LIT("0x80000000"), -EINVAL, 0},
		{LIT("-2147483649"), -EINVAL, 0},
		{LIT("99999999999999999999999"), -EINVAL, 0},
	};

	(void)state;
	run_int_cases(cases, ARRAY_SIZE(cases), true);
}

static void test_int_dec_scanf(void **state)
{
	static const struct int_case cases[] = {
		{LIT("30"), 0, 30},
		{LIT("30\n"), 0, 30},
		{LIT(" 42abc"), 0, 42},
		{LIT("0x10"), 0, 0}, /* decimal only: "0", junk */
		{LIT("010"), 0, 10}, /* no octal */
		{LIT("-3"), 0, -3},
		{LIT("+3"), 0, 3},
		{LIT("2147483647"), 0, INT_MAX},
		{LIT("-2147483648"), 0, INT_MIN},
		{LIT("abc"), -EINVAL, 0},
		{LIT(""), -EINVAL, 0},
		{LIT("\n"), -EINVAL, 0},
		{LIT("x10"), -EINVAL, 0},
		{LIT("2147483648"), -EINVAL, 0},
	};

	(void)state;
	run_int_cases(cases, ARRAY_SIZE(cases), false);
}

/* ---- kstrtobool --------------------------------------------------------- */

static void test_bool(void **state)
{
	static const struct {
		const char *s;
		size_t len;
		int rc;
		bool v;
	} cases[] = {
		{LIT("1"), 0, true},
		{LIT("1\n"), 0, true},
		{LIT("y"), 0, true},
		{LIT("Y"), 0, true},
		{LIT("yes"), 0, true},
		{LIT("t"), 0, true},
		{LIT("True"), 0, true},
		{LIT("on"), 0, true},
		{LIT("ON\n"), 0, true},
		{LIT("oN"), 0, true},
		{LIT("onion"), 0, true}, /* only two bytes looked at */
		{LIT("1234"), 0, true},
		{LIT("0"), 0, false},
		{LIT("0\n"), 0, false},
		{LIT("n"), 0, false},
		{LIT("N"), 0, false},
		{LIT("no"), 0, false},
		{LIT("f"), 0, false},
		{LIT("FALSE"), 0, false},
		{LIT("of"), 0, false},
		{LIT("off"), 0, false},
		{LIT("OFF\n"), 0, false},

		{LIT(""), -EINVAL, false},
		{LIT("\n"), -EINVAL, false},
		{LIT("o"), -EINVAL, false},
		{LIT("o\n"), -EINVAL, false},
		{LIT("o\0n"), -EINVAL, false}, /* NUL ends the input */
		{LIT("ox"), -EINVAL, false},
		{LIT("2"), -EINVAL, false},
		{LIT(" 1"), -EINVAL, false},
		{LIT("enable"), -EINVAL, false},
		{LIT("\0"
		     "1"),
		 -EINVAL, false},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		bool v = !cases[i].v;
		int rc = apv_parse_bool(cases[i].s, cases[i].len, &v);

		if (rc != cases[i].rc)
			fail_msg("case %zu \"%s\": rc %d, want %d", i,
				 cases[i].s, rc, cases[i].rc);
		if (rc == 0 && v != cases[i].v)
			fail_msg("case %zu \"%s\": wrong value", i, cases[i].s);
	}
	/* untouched on failure */
	{
		bool v = true;

		assert_int_equal(apv_parse_bool(LIT("x"), &v), -EINVAL);
		assert_true(v);
		v = false;
		assert_int_equal(apv_parse_bool(LIT("ox"), &v), -EINVAL);
		assert_false(v);
	}
}

/* ---- UUID --------------------------------------------------------------- */

static const uint8_t uuid_bytes[16] = {
	0x66, 0x9d, 0x9b, 0x23, 0xfe, 0x1b, 0x4e, 0xcd,
	0xbe, 0x08, 0xa4, 0xea, 0x1d, 0x6b, 0x0c, 0xf2,
};

static void uuid_ok(const char *s, size_t len)
{
	uint8_t out[16];

	memset(out, 0xaa, sizeof(out));
	if (apv_parse_uuid(s, len, out) != 0)
		fail_msg("uuid \"%.*s\" (len %zu) rejected", (int)len, s, len);
	assert_memory_equal(out, uuid_bytes, 16);
}

static void uuid_err(const char *s, size_t len)
{
	uint8_t out[16];

	memset(out, 0xaa, sizeof(out));
	if (apv_parse_uuid(s, len, out) != -EINVAL)
		fail_msg("uuid \"%.*s\" (len %zu) accepted", (int)len, s, len);
	for (int i = 0; i < 16; i++)
		assert_int_equal(out[i], 0xaa);
}

static void test_uuid(void **state)
{
	char buf[64];
	char str[37];

	(void)state;
	uuid_ok(LIT("669d9b23-fe1b-4ecd-be08-a4ea1d6b0cf2"));
	uuid_ok(LIT("669D9B23-FE1B-4ECD-BE08-A4EA1D6B0CF2"));
	uuid_ok(LIT("669d9B23-Fe1b-4eCd-be08-A4ea1d6b0Cf2"));
	/* 37 bytes: the extra byte is not inspected */
	uuid_ok(LIT("669d9b23-fe1b-4ecd-be08-a4ea1d6b0cf2\n"));
	uuid_ok(LIT("669d9b23-fe1b-4ecd-be08-a4ea1d6b0cf2x"));
	uuid_ok(LIT("669d9b23-fe1b-4ecd-be08-a4ea1d6b0cf2\0"));
	uuid_ok(LIT("669d9b23-fe1b-4ecd-be08-a4ea1d6b0cf2-"));

	/* lengths 35 and 38 (and others) are refused */
	uuid_err(LIT("669d9b23-fe1b-4ecd-be08-a4ea1d6b0cf"));
	uuid_err(LIT("669d9b23-fe1b-4ecd-be08-a4ea1d6b0cf2\n\n"));
	uuid_err(LIT("669d9b23-fe1b-4ecd-be08-a4ea1d6b0cf2ab"));
	uuid_err(LIT(""));
	uuid_err(LIT("\n"));
	uuid_err(LIT("669d9b23fe1b4ecdbe08a4ea1d6b0cf2"));
	uuid_err(LIT("{669d9b23-fe1b-4ecd-be08-a4ea1d6b0cf2}"));
	/* the length check uses the write size, not the string length */
	memcpy(buf, "669d9b23-fe1b-4ecd-be08-a4ea1d6b0cf2", 36); /* NOLINT(bugprone-not-null-terminated-result) */
	memset(buf + 36, 0, 2);
	uuid_ok(buf, 37);
	uuid_err(buf, 38);

	/* format errors at length 36 */
	uuid_err(LIT("669d9b23+fe1b-4ecd-be08-a4ea1d6b0cf2"));
	uuid_err(LIT("669d9b2-3fe1b-4ecd-be08-a4ea1d6b0cf2"));
	uuid_err(LIT("669d9b23-fe1b4-ecd-be08-a4ea1d6b0cf2"));
	uuid_err(LIT("669d9b23-fe1b-4ecdb-e08-a4ea1d6b0cf2"));
	uuid_err(LIT("669d9b23-fe1b-4ecd-be08a-4ea1d6b0cf2"));
	uuid_err(LIT("669d9b23-fe1b-4ecd-be08-a4ea1d6b0cfg"));
	uuid_err(LIT("g69d9b23-fe1b-4ecd-be08-a4ea1d6b0cf2"));
	uuid_err(LIT("669d9b23-fe1b-4ecd-be08-a4ea1d6b0c 2"));
	uuid_err(LIT(" 69d9b23-fe1b-4ecd-be08-a4ea1d6b0cf2"));
	uuid_err(LIT("669d9b23-fe1b-4ecd-be08-a4ea1d6b0cf\n"));
	uuid_err(LIT("669d9b23-fe1b-4ecd-be08-a4ea1d6b0cf\n\n"));
	uuid_err(LIT("669d9b23-fe1b-4ecd-be08-a4ea1d6b\0cf2"));
	uuid_err(LIT("------------------------------------"));

	/* lowercase output */
	assert_string_equal(apv_uuid_str(uuid_bytes, str),
			    "669d9b23-fe1b-4ecd-be08-a4ea1d6b0cf2");
	{
		uint8_t z[16] = {0}, ff[16], back[16];

		memset(ff, 0xff, 16);
		assert_string_equal(apv_uuid_str(z, str),
				    "00000000-0000-0000-0000-000000000000");
		assert_string_equal(apv_uuid_str(ff, str),
				    "ffffffff-ffff-ffff-ffff-ffffffffffff");
		assert_int_equal(apv_parse_uuid(str, 36, back), 0);
		assert_memory_equal(back, ff, 16);
		assert_ptr_equal(apv_uuid_str(z, str), str);
	}
}

/* ---- ap_config ---------------------------------------------------------- */

struct cfg {
	struct apv_bitmap apm, aqm, adm;
};

static int cfg_parse(const char *s, size_t len, struct cfg *c)
{
	return apv_parse_ap_config(s, len, &c->apm, &c->aqm, &c->adm);
}

static void cfg_ok(const char *s, size_t len, const char *apm, const char *aqm,
		   const char *adm)
{
	struct cfg c = {bm_sentinel(), bm_sentinel(), bm_sentinel()};
	char a[65], q[65], d[65];
	int rc = cfg_parse(s, len, &c);

	if (rc)
		fail_msg("ap_config \"%.*s\": %d", (int)len, s, rc);
	/* copy: pad() reuses one static buffer */
	snprintf(a, sizeof(a), "%s", apm);
	snprintf(q, sizeof(q), "%s", aqm);
	snprintf(d, sizeof(d), "%s", adm);
	assert_bm_hex(&c.apm, a);
	assert_bm_hex(&c.aqm, q);
	assert_bm_hex(&c.adm, d);
}

static void cfg_err(const char *s, size_t len)
{
	const struct apv_bitmap sent = bm_sentinel();
	struct cfg c = {sent, sent, sent};
	int rc = cfg_parse(s, len, &c);

	if (rc != -EINVAL)
		fail_msg("ap_config \"%.*s\": %d, want -EINVAL", (int)len, s,
			 rc);
	assert_true(apv_bm_equal(&c.apm, &sent));
	assert_true(apv_bm_equal(&c.aqm, &sent));
	assert_true(apv_bm_equal(&c.adm, &sent));
}

static void test_ap_config_basic(void **state)
{
	char z[65], f[65], x41[65], x8[65];
	char buf[300];
	int n;

	(void)state;
	snprintf(z, sizeof(z), "%s", pad("", '0'));
	snprintf(f, sizeof(f), "%s", pad("", 'f'));
	snprintf(x41, sizeof(x41), "%s", pad("41", '0'));
	snprintf(x8, sizeof(x8), "%s", pad("8", '0'));

	/* the read format, 201 bytes */
	n = snprintf(buf, sizeof(buf), "0x%s,0x%s,0x%s\n", x41, f, x8);
	assert_int_equal(n, 201);
	cfg_ok(buf, (size_t)n, x41, f, x8);
	cfg_ok(buf, (size_t)n - 1, x41, f, x8); /* no newline */

	/* short forms, right padded */
	cfg_ok(LIT("0x41,x8,8\n"), x41, x8, x8);
	cfg_ok(LIT("41,0x,x"), x41, z, z);
	cfg_ok(LIT("0x41\n0x8\n0x8\n"), x41, x8, x8); /* '\n' splits too */

	/* empty tokens are zero */
	cfg_ok(LIT(",,\n"), z, z, z);
	cfg_ok(LIT(",,"), z, z, z);
	cfg_ok(LIT("\n\n"), z, z, z);
	cfg_ok(LIT(",\n,"), z, z, z);
	cfg_ok(LIT("0x41,,\n"), x41, z, z);
	cfg_ok(LIT(",0x41,"), z, x41, z);
	/* two masks and a newline are three tokens (the last one empty) */
	cfg_ok(LIT("0x41,0x8\n"), x41, x8, z);

	/* text after the third token is ignored */
	cfg_ok(LIT("0x41,0x8,0x8,garbage"), x41, x8, x8);
	cfg_ok(LIT("0x41,0x8,0x8\ngarbage\n"), x41, x8, x8);
	cfg_ok(LIT(",,,+5,0X1"), z, z, z);
	cfg_ok(LIT("1,2,3\0,junk"), pad("1", '0'), pad("2", '0'),
	       pad("3", '0'));
}

static void test_ap_config_errors(void **state)
{
	char buf[300];
	int n;

	(void)state;
	cfg_err(LIT("\n")); /* a lone newline: only two tokens */
	cfg_err(LIT(""));
	cfg_err(LIT(","));
	cfg_err(LIT("0x1,0x2"));
	cfg_err(LIT("0x1\n"));
	cfg_err(LIT("0x1,0x2\0,0x3")); /* NUL ends the input */
	cfg_err(LIT("\0,,"));
	cfg_err(LIT("0x1,0x2,0x3garbage"));
	cfg_err(LIT("0x1,0x2,0x3 "));
	cfg_err(LIT("0X1,,"));
	cfg_err(LIT(",0X1,"));
	cfg_err(LIT(",,0X1"));
	cfg_err(LIT("+5,,"));
	cfg_err(LIT(",-5,"));
	cfg_err(LIT(" 0x1,,"));
	cfg_err(LIT("0x1 ,,"));
	cfg_err(LIT("0x1;0x2;0x3"));
	cfg_err(LIT("0xg,,"));
	cfg_err(LIT("0x0x1,,"));
	/* the first two tokens are good but the third is not: no output */
	cfg_err(LIT("0x1,0x2,zz"));

	/* a 65-digit token */
	n = snprintf(buf, sizeof(buf), ",0x%s0,\n", pad("", 'f'));
	cfg_err(buf, (size_t)n);
	n = snprintf(buf, sizeof(buf), "%s0,,\n", pad("", '1'));
	cfg_err(buf, (size_t)n);
}

static void test_ap_config_truncation(void **state)
{
	char f[65], buf[4096];
	int n;

	(void)state;
	snprintf(f, sizeof(f), "%s", pad("", 'f'));

	/* full 201-byte record followed by junk: the junk is cut off */
	n = snprintf(buf, sizeof(buf), "0x%s,0x%s,0x%s\n", f, f, f);
	assert_int_equal(n, 201);
	memset(buf + 201, '!', 99);
	cfg_ok(buf, 300, f, f, f);
	/* and a huge write length with a NUL in the middle */
	memset(buf + 201, 0, sizeof(buf) - 201);
	cfg_ok(buf, sizeof(buf), f, f, f);

	/* byte 201 (index 200) is still inside the limit */
	n = snprintf(buf, sizeof(buf), "0x%s,0x%s,0x%sf", f, f, f);
	assert_int_equal(n, 201);
	cfg_err(buf, (size_t)n);
	memset(buf + 201, '\n', 10);
	cfg_err(buf, 211);

	/* index 201 and beyond are never looked at */
	n = snprintf(buf, sizeof(buf), "0x%s,0x%s,0x%s\nZ", f, f, f);
	assert_int_equal(n, 202);
	cfg_ok(buf, (size_t)n, f, f, f);

	/* a 200-byte record, its newline, and junk right after the limit */
	n = snprintf(buf, sizeof(buf), "0x%s,0x%s,0x%s", f, f, pad("", '0'));
	assert_int_equal(n, 200);
	buf[200] = '\n';
	buf[201] = 'g';
	cfg_ok(buf, 202, f, f, pad("", '0'));
	cfg_ok(buf, 201, f, f, pad("", '0'));
	cfg_ok(buf, 200, f, f, pad("", '0'));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mask_abs_spec_examples),
		cmocka_unit_test(test_mask_abs_empty_forms),
		cmocka_unit_test(test_mask_abs_digits),
		cmocka_unit_test(test_mask_abs_errors),
		cmocka_unit_test(test_mask_abs_only),
		cmocka_unit_test(test_mask_rel_canonical),
		cmocka_unit_test(test_mask_rel_numbers),
		cmocka_unit_test(test_mask_rel_ranges),
		cmocka_unit_test(test_mask_rel_separators),
		cmocka_unit_test(test_mask_rel_errors),
		cmocka_unit_test(test_mask_rel_semantics),
		cmocka_unit_test(test_mask_nul),
		cmocka_unit_test(test_ulong),
		cmocka_unit_test(test_ullong_base),
		cmocka_unit_test(test_int_scanf),
		cmocka_unit_test(test_int_dec_scanf),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_uuid),
		cmocka_unit_test(test_ap_config_basic),
		cmocka_unit_test(test_ap_config_errors),
		cmocka_unit_test(test_ap_config_truncation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
