// SPDX-License-Identifier: MIT
/*
 * Unit tests for src/base/apqn.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include <apvirt/apqn.h>

/* Length of a string literal, including embedded NULs. */
#define LIT(s) (s), (sizeof(s) - 1)

static void test_macros(void **state)
{
	apv_apqn q = APV_APQN(0x05, 0x47);

	(void)state;
	assert_int_equal(q, 0x0547);
	assert_int_equal(apv_apqn_apid(q), 5);
	assert_int_equal(apv_apqn_apqi(q), 0x47);
	assert_int_equal(APV_APQN(0xff, 0xff), 0xffff);
	assert_int_equal(APV_APQN(0, 0), 0);
	/* out-of-range parts are masked, not carried */
	assert_int_equal(APV_APQN(0x105, 0x147), 0x0547);
}

static void test_str(void **state)
{
	char buf[APV_APQN_STRLEN];
	char card[APV_CARD_STRLEN];

	(void)state;
	assert_string_equal(apv_apqn_str(APV_APQN(5, 0x47), buf), "05.0047");
	assert_string_equal(apv_apqn_str(APV_APQN(0, 0), buf), "00.0000");
	assert_string_equal(apv_apqn_str(APV_APQN(0xab, 0xcd), buf), "ab.00cd");
	assert_string_equal(apv_apqn_str(0xffff, buf), "ff.00ff");
	assert_ptr_equal(apv_apqn_str(0, buf), buf);

	assert_string_equal(apv_card_str(5, card), "card05");
	assert_string_equal(apv_card_str(0, card), "card00");
	assert_string_equal(apv_card_str(0xfe, card), "cardfe");
	assert_ptr_equal(apv_card_str(1, card), card);
}

static void test_apqn_parse_ok(void **state)
{
	apv_apqn q = 0;

	(void)state;
	assert_int_equal(apv_apqn_parse(LIT("05.0047"), &q), 0);
	assert_int_equal(q, 0x0547);
	assert_int_equal(apv_apqn_parse(LIT("05.0047\n"), &q), 0);
	assert_int_equal(q, 0x0547);
	assert_int_equal(apv_apqn_parse(LIT("AB.00CD"), &q), 0);
	assert_int_equal(q, 0xabcd);
	assert_int_equal(apv_apqn_parse(LIT("fF.00Ff"), &q), 0);
	assert_int_equal(q, 0xffff);
	assert_int_equal(apv_apqn_parse(LIT("00.0000"), &q), 0);
	assert_int_equal(q, 0);
	/* a NUL ends the input */
	assert_int_equal(apv_apqn_parse(LIT("05.0004\0garbage"), &q), 0);
	assert_int_equal(q, 0x0504);
	assert_int_equal(apv_apqn_parse(LIT("05.0006\n\0x"), &q), 0);
	assert_int_equal(q, 0x0506);
	/* len shorter than the C string: only len bytes count */
	assert_int_equal(apv_apqn_parse("05.0047junk", 7, &q), 0);
	assert_int_equal(q, 0x0547);
}

static void test_apqn_parse_bad(void **state)
{
	static const struct {
		const char *s;
		size_t len;
	} bad[] = {
		{LIT("")},
		{LIT("\n")},
		{LIT("05.0047\n\n")},
		{LIT("05.0047 ")},
		{LIT(" 05.0047")},
		{LIT("\n05.0047")},
		{LIT("5.0047")},
		{LIT("005.0047")},
		{LIT("05.047")},
		{LIT("05.00047")},
		{LIT("05.0100")}, /* APQI must be < 256 */
		{LIT("05.ffff")},
		{LIT("05-0047")},
		{LIT("05,0047")},
		{LIT("0g.0047")},
		{LIT("05.004g")},
		{LIT("0x.0047")},
		{LIT("+5.0047")},
		{LIT("05.00\0"
		     "47")}, /* NUL cuts it short */
		{LIT("card05")},
		{LIT("05.0047\r")},
	};
	apv_apqn q = 0x1234;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(apv_apqn_parse(bad[i].s, bad[i].len, &q),
				 -EINVAL);
		assert_int_equal(q, 0x1234);
	}
	assert_int_equal(apv_apqn_parse("05.0047", 6, &q), -EINVAL);
	assert_int_equal(apv_apqn_parse(NULL, 0, &q), -EINVAL);
}

static void test_card_parse(void **state)
{
	static const struct {
		const char *s;
		size_t len;
	} bad[] = {
		{LIT("")},
		{LIT("\n")},
		{LIT("card")},
		{LIT("card5")},
		{LIT("card005")},
		{LIT("card0g")},
		{LIT("CARD05")},
		{LIT("Card05")},
		{LIT("card05\n\n")},
		{LIT("card05 ")},
		{LIT(" card05")},
		{LIT("crd005")},
		{LIT("05.0047")},
		{LIT("card\0"
		     "05")},
	};
	unsigned int apid = 0;

	(void)state;
	assert_int_equal(apv_card_parse(LIT("card05"), &apid), 0);
	assert_int_equal(apid, 5);
	assert_int_equal(apv_card_parse(LIT("card05\n"), &apid), 0);
	assert_int_equal(apid, 5);
	assert_int_equal(apv_card_parse(LIT("cardFF"), &apid), 0);
	assert_int_equal(apid, 255);
	assert_int_equal(apv_card_parse(LIT("cardaB\0zz"), &apid), 0);
	assert_int_equal(apid, 0xab);
	assert_int_equal(apv_card_parse(LIT("card00"), &apid), 0);
	assert_int_equal(apid, 0);

	apid = 77;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(apv_card_parse(bad[i].s, bad[i].len, &apid),
				 -EINVAL);
		assert_int_equal(apid, 77);
	}
}

static void test_roundtrip_all(void **state)
{
	char buf[APV_APQN_STRLEN + 1];
	char card[APV_CARD_STRLEN + 1];

	(void)state;
	for (unsigned int v = 0; v <= 0xffff; v++) {
		apv_apqn q = (apv_apqn)v, back = 0;
		unsigned int apid = 999;

		apv_apqn_str(q, buf);
		assert_int_equal(strlen(buf), 7);
		assert_int_equal(apv_apqn_parse(buf, 7, &back), 0);
		assert_int_equal(back, q);
		/* with the newline echo(1) adds */
		buf[7] = '\n';
		assert_int_equal(apv_apqn_parse(buf, 8, &back), 0);
		assert_int_equal(back, q);

		if (apv_apqn_apqi(q) != 0)
			continue;
		apv_card_str(apv_apqn_apid(q), card);
		assert_int_equal(apv_card_parse(card, strlen(card), &apid), 0);
		assert_int_equal(apid, apv_apqn_apid(q));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_macros),
		cmocka_unit_test(test_str),
		cmocka_unit_test(test_apqn_parse_ok),
		cmocka_unit_test(test_apqn_parse_bad),
		cmocka_unit_test(test_card_parse),
		cmocka_unit_test(test_roundtrip_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
