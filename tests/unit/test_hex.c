// SPDX-License-Identifier: MIT
/*
 * Unit tests for src/base/hex.c (apvirt/hex.h): the one hex digit table,
 * encoder and decoders every layer uses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include <apvirt/hex.h>
#include <apvirt/strbuf.h>

/* Length of a string literal, including embedded NULs. */
#define LIT(s) (s), (sizeof(s) - 1)

/* The reference: 0-9, a-f and A-F, nothing else (no locale, no sign). */
static int ref_val(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void test_table(void **state)
{
	(void)state;
	for (int c = 0; c < 256; c++) {
		assert_int_equal(apv_hex_val((char)c), ref_val(c));
		assert_int_equal(apv_is_xdigit((char)c), ref_val(c) >= 0);
	}
	assert_memory_equal(apv_hex_digits, "0123456789abcdef", 16);
	for (int d = 0; d < 16; d++)
		assert_int_equal(apv_hex_val(apv_hex_digits[d]), d);
}

static void test_encode(void **state)
{
	static const uint8_t in[] = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
	char out[2 * sizeof(in) + 1];

	(void)state;
	memset(out, '#', sizeof(out));
	apv_hex_encode(in, sizeof(in), out);
	/* lowercase, and no NUL is written */
	assert_memory_equal(out, "00017f80abff#", sizeof(out));
	memset(out, '#', sizeof(out));
	apv_hex_encode(in, 0, out);
	assert_int_equal(out[0], '#');
}

static void test_sb_hex(void **state)
{
	static const uint8_t in[] = {0xde, 0xad, 0xBE, 0xef};
	struct apv_strbuf sb = APV_STRBUF_INIT;

	(void)state;
	assert_int_equal(apv_sb_puts(&sb, "data="), 0);
	assert_int_equal(apv_sb_hex(&sb, in, sizeof(in)), 0);
	assert_string_equal(sb.s, "data=deadbeef");
	assert_int_equal(sb.len, 13);
	assert_int_equal(apv_sb_hex(&sb, in, 0), 0);
	assert_string_equal(sb.s, "data=deadbeef");
	apv_sb_free(&sb);
}

static void test_decode(void **state)
{
	uint8_t out[8];
	size_t len = 99;

	(void)state;
	assert_int_equal(
		apv_hex_decode(LIT("00ff7Fa0"), out, sizeof(out), &len), 0);
	assert_int_equal(len, 4);
	assert_memory_equal(out, "\x00\xff\x7f\xa0", 4);
	/* uppercase and mixed case are the same bytes */
	assert_int_equal(
		apv_hex_decode(LIT("ABCDEFabcdef"), out, sizeof(out), &len), 0);
	assert_int_equal(len, 6);
	assert_memory_equal(out, "\xab\xcd\xef\xab\xcd\xef", 6);
	/* empty: zero bytes */
	len = 99;
	assert_int_equal(apv_hex_decode("", 0, out, 0, &len), 0);
	assert_int_equal(len, 0);
	/* exactly the capacity */
	assert_int_equal(apv_hex_decode(LIT("0102030405060708"), out, 8, &len),
			 0);
	assert_int_equal(len, 8);
}

static void test_decode_errors(void **state)
{
	uint8_t out[4];
	size_t len = 99;

	(void)state;
	/* odd count */
	assert_int_equal(apv_hex_decode(LIT("abc"), out, sizeof(out), &len),
			 -EINVAL);
	assert_int_equal(apv_hex_decode(LIT("a"), out, sizeof(out), &len),
			 -EINVAL);
	/* non-digits anywhere, prefixes, separators, signs, NUL, space */
	assert_int_equal(apv_hex_decode(LIT("0g"), out, sizeof(out), &len),
			 -EINVAL);
	assert_int_equal(apv_hex_decode(LIT("g0"), out, sizeof(out), &len),
			 -EINVAL);
	assert_int_equal(apv_hex_decode(LIT("0x12"), out, sizeof(out), &len),
			 -EINVAL);
	assert_int_equal(apv_hex_decode(LIT("12:3"), out, sizeof(out), &len),
			 -EINVAL);
	assert_int_equal(apv_hex_decode(LIT("+1"), out, sizeof(out), &len),
			 -EINVAL);
	assert_int_equal(apv_hex_decode(LIT("1\0"), out, sizeof(out), &len),
			 -EINVAL);
	assert_int_equal(apv_hex_decode(LIT(" 1"), out, sizeof(out), &len),
			 -EINVAL);
	assert_int_equal(apv_hex_decode(LIT("aaaaaa\xff\xff"), out, sizeof(out),
					&len),
			 -EINVAL);
	/* capacity overflow, checked ahead of the digits; odd ahead of both */
	assert_int_equal(apv_hex_decode(LIT("0102030405"), out, 4, &len),
			 -ENOSPC);
	assert_int_equal(apv_hex_decode(LIT("zz"), out, 0, &len), -ENOSPC);
	assert_int_equal(apv_hex_decode(LIT("012"), out, 0, &len), -EINVAL);
	/* *len is only written on success */
	assert_int_equal(len, 99);
}

static void test_u64(void **state)
{
	uint64_t v = 7;

	(void)state;
	assert_int_equal(apv_hex_u64(LIT("0"), &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(apv_hex_u64(LIT("aB"), &v), 0);
	assert_int_equal(v, 0xab);
	assert_int_equal(apv_hex_u64(LIT("0047"), &v), 0);
	assert_int_equal(v, 0x47);
	/* 16 digits fit */
	assert_int_equal(apv_hex_u64(LIT("ffffffffffffffff"), &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(apv_hex_u64(LIT("0123456789ABCDEF"), &v), 0);
	assert_true(v == 0x0123456789abcdefULL);
	/* n bounds the input: the digits after it are not read */
	assert_int_equal(apv_hex_u64("12zz", 2, &v), 0);
	assert_int_equal(v, 0x12);
}

static void test_u64_errors(void **state)
{
	uint64_t v = 7;

	(void)state;
	assert_int_equal(apv_hex_u64("", 0, &v), -EINVAL);
	assert_int_equal(apv_hex_u64(LIT("0x1"), &v), -EINVAL);
	assert_int_equal(apv_hex_u64(LIT("-1"), &v), -EINVAL);
	assert_int_equal(apv_hex_u64(LIT("1 "), &v), -EINVAL);
	assert_int_equal(apv_hex_u64(LIT("1\n"), &v), -EINVAL);
	assert_int_equal(apv_hex_u64(LIT("g"), &v), -EINVAL);
	/* 17 digits: out of range by count, leading zeros included */
	assert_int_equal(apv_hex_u64(LIT("10000000000000000"), &v), -ERANGE);
	assert_int_equal(apv_hex_u64(LIT("00000000000000001"), &v), -ERANGE);
	/* a non-digit is a syntax error even past 16 digits */
	assert_int_equal(apv_hex_u64(LIT("1000000000000000g"), &v), -EINVAL);
	/* *out is only written on success */
	assert_true(v == 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_sb_hex),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_decode_errors),
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_u64_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
