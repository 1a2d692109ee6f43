// SPDX-License-Identifier: MIT
/*
 * Unit tests for src/base/uuid.c (apvirt/uuid.h) and the mdev type's
 * `create` grammar built on it (apv_parse_uuid, apvirt/parse.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include <apvirt/parse.h>
#include <apvirt/uuid.h>

/* Length of a string literal, including embedded NULs. */
#define LIT(s) (s), (sizeof(s) - 1)

#define U_LOWER "0123abcd-4567-89ef-0a1b-2c3d4e5f6071"
#define U_UPPER "0123ABCD-4567-89EF-0A1B-2C3D4E5F6071"

static const uint8_t u_bytes[16] = {0x01, 0x23, 0xab, 0xcd, 0x45, 0x67,
				    0x89, 0xef, 0x0a, 0x1b, 0x2c, 0x3d,
				    0x4e, 0x5f, 0x60, 0x71};

static void test_parse(void **state)
{
	uint8_t u[16];

	(void)state;
	assert_int_equal(apv_uuid_parse(LIT(U_LOWER), u), 0);
	assert_memory_equal(u, u_bytes, 16);
	memset(u, 0, sizeof(u));
	assert_int_equal(apv_uuid_parse(LIT(U_UPPER), u), 0);
	assert_memory_equal(u, u_bytes, 16);
	assert_int_equal(
		apv_uuid_parse(LIT("0123AbCd-4567-89eF-0a1B-2c3D4e5F6071"), u),
		0);
	assert_memory_equal(u, u_bytes, 16);
	assert_int_equal(
		apv_uuid_parse(LIT("00000000-0000-0000-0000-000000000000"), u),
		0);
	assert_memory_equal(u, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	assert_int_equal(
		apv_uuid_parse(LIT("ffffffff-ffff-ffff-ffff-ffffffffffff"), u),
		0);
	for (int i = 0; i < 16; i++)
		assert_int_equal(u[i], 0xff);
}

static void test_parse_errors(void **state)
{
	uint8_t u[16];

	(void)state;
	memset(u, 0x5a, sizeof(u));
	/* length: exactly 36 */
	assert_int_equal(apv_uuid_parse(U_LOWER, 35, u), -EINVAL);
	assert_int_equal(apv_uuid_parse(LIT(U_LOWER "\n"), u), -EINVAL);
	assert_int_equal(apv_uuid_parse("", 0, u), -EINVAL);
	/* the 32 hex form, braces, a missing or moved dash */
	assert_int_equal(apv_uuid_parse(LIT("0123abcd456789ef0a1b2c3d4e5f6071"),
					u),
			 -EINVAL);
	assert_int_equal(
		apv_uuid_parse(LIT("{123abcd-4567-89ef-0a1b-2c3d4e5f607}"), u),
		-EINVAL);
	assert_int_equal(
		apv_uuid_parse(LIT("0123abcd04567-89ef-0a1b-2c3d4e5f6071"), u),
		-EINVAL);
	assert_int_equal(
		apv_uuid_parse(LIT("0123abc-d4567-89ef-0a1b-2c3d4e5f6071"), u),
		-EINVAL);
	assert_int_equal(
		apv_uuid_parse(LIT("0123abcd-4567-89ef-0a1b2-c3d4e5f6071"), u),
		-EINVAL);
	/* non-hex at the first, a middle and the last digit; NUL inside */
	assert_int_equal(
		apv_uuid_parse(LIT("g123abcd-4567-89ef-0a1b-2c3d4e5f6071"), u),
		-EINVAL);
	assert_int_equal(
		apv_uuid_parse(LIT("0123abcd-4567-8xef-0a1b-2c3d4e5f6071"), u),
		-EINVAL);
	assert_int_equal(
		apv_uuid_parse(LIT("0123abcd-4567-89ef-0a1b-2c3d4e5f607G"), u),
		-EINVAL);
	assert_int_equal(apv_uuid_parse(LIT("0123abcd-4567-89ef-0a1b-2c3d4e5\0"
					    "6071"),
					u),
			 -EINVAL);
	/* out is untouched on failure */
	for (int i = 0; i < 16; i++)
		assert_int_equal(u[i], 0x5a);
}

static void test_str(void **state)
{
	char buf[APV_UUID_STRLEN + 1];
	uint8_t u[16];

	(void)state;
	memset(buf, '#', sizeof(buf));
	assert_ptr_equal(apv_uuid_str(u_bytes, buf), buf);
	/* always lowercase, NUL-terminated */
	assert_string_equal(buf, U_LOWER);
	assert_int_equal(apv_uuid_parse(LIT(U_UPPER), u), 0);
	assert_string_equal(apv_uuid_str(u, buf), U_LOWER);
	/* every byte value round-trips */
	for (int b = 0; b < 256; b++) {
		uint8_t in[16], out[16];

		for (int i = 0; i < 16; i++)
			in[i] = (uint8_t)(b + i * 17);
		apv_uuid_str(in, buf);
		assert_int_equal(strlen(buf), APV_UUID_STRLEN);
		assert_int_equal(apv_uuid_parse(buf, APV_UUID_STRLEN, out), 0);
		assert_memory_equal(in, out, 16);
	}
}

static void test_is(void **state)
{
	(void)state;
	assert_true(apv_uuid_is(U_LOWER));
	assert_true(apv_uuid_is(U_UPPER));
	assert_false(apv_uuid_is(""));
	assert_false(apv_uuid_is(U_LOWER "\n"));
	assert_false(apv_uuid_is("0123abcd-4567-89ef-0a1b-2c3d4e5f607"));
	assert_false(apv_uuid_is("0123abcd_4567-89ef-0a1b-2c3d4e5f6071"));
}

/* The mdev type's create: 36 bytes, or 37 with any last byte (§2.2). */
static void test_create_grammar(void **state)
{
	uint8_t u[16];

	(void)state;
	assert_int_equal(apv_parse_uuid(LIT(U_LOWER), u), 0);
	assert_memory_equal(u, u_bytes, 16);
	assert_int_equal(apv_parse_uuid(LIT(U_UPPER "\n"), u), 0);
	assert_memory_equal(u, u_bytes, 16);
	assert_int_equal(apv_parse_uuid(LIT(U_LOWER "x"), u), 0);
	assert_int_equal(apv_parse_uuid(LIT(U_LOWER "\0"), u), 0);
	assert_int_equal(apv_parse_uuid(LIT(U_LOWER "\n\n"), u), -EINVAL);
	assert_int_equal(apv_parse_uuid(U_LOWER, 35, u), -EINVAL);
	assert_int_equal(
		apv_parse_uuid(LIT("0123abcd-4567-89ef-0a1b-2c3d4e5f607\0\n"),
			       u),
		-EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_str),
		cmocka_unit_test(test_is),
		cmocka_unit_test(test_create_grammar),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
