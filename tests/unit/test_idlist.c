// SPDX-License-Identifier: MIT
/* Unit tests for src/base/idlist.c: the id-list syntax "4-5,0x0a". */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <apvirt/idlist.h>

static void parse_ok(void **state)
{
	struct apv_idlist_err err;
	struct apv_bitmap b;

	(void)state;
	assert_int_equal(apv_idlist_parse("4-5,0x0a", 255, &b, &err), 0);
	assert_int_equal(err.kind, APV_IDLIST_OK);
	assert_int_equal(apv_bm_count(&b), 3);
	assert_true(apv_bm_test(&b, 4));
	assert_true(apv_bm_test(&b, 5));
	assert_true(apv_bm_test(&b, 10));
	/* MSB0: id 0 is the top bit of word 0. */
	assert_int_equal(apv_idlist_parse("0", 255, &b, NULL), 0);
	assert_true(b.w[0] == UINT64_C(1) << 63);
	assert_int_equal(apv_idlist_parse("0-255", 255, &b, NULL), 0);
	assert_int_equal(apv_bm_count(&b), 256);
	assert_int_equal(apv_idlist_parse("010,0xff,7-7", 255, &b, NULL), 0);
	assert_true(apv_bm_test(&b, 8) && apv_bm_test(&b, 255) &&
		    apv_bm_test(&b, 7));
	assert_int_equal(apv_bm_count(&b), 3);
}

static void expect_err(const char *s, unsigned int max,
		       enum apv_idlist_errkind kind, const char *tok)
{
	struct apv_idlist_err err;
	struct apv_bitmap b;

	assert_int_equal(apv_idlist_parse(s, max, &b, &err), -EINVAL);
	assert_int_equal(err.kind, kind);
	assert_int_equal(err.tok_len, strlen(tok));
	assert_memory_equal(s + err.tok_off, tok, err.tok_len);
}

static void parse_errors(void **state)
{
	(void)state;
	expect_err("", 255, APV_IDLIST_EMPTY, "");
	expect_err("4,x", 255, APV_IDLIST_NOT_NUMBER, "x");
	expect_err("1,-3", 255, APV_IDLIST_NOT_NUMBER, "-3");
	expect_err("1,+3", 255, APV_IDLIST_NOT_NUMBER, "+3");
	expect_err("1,,3", 255, APV_IDLIST_NOT_NUMBER, "");
	expect_err("2-", 255, APV_IDLIST_NOT_NUMBER, "2-");
	expect_err("1,5-4", 255, APV_IDLIST_EMPTY_RANGE, "5-4");
	expect_err("3,0x10-0x20", 0x1f, APV_IDLIST_OUT_OF_RANGE, "0x10-0x20");
	expect_err("256", 255, APV_IDLIST_OUT_OF_RANGE, "256");
	expect_err("99999999999999999999", 255, APV_IDLIST_NOT_NUMBER,
		   "99999999999999999999");
	expect_err("1,2,", 255, APV_IDLIST_TRAILING_COMMA, ",");
}

static char *fmt(const struct apv_bitmap *b, int width)
{
	struct apv_strbuf sb = APV_STRBUF_INIT;
	char *s;

	assert_int_equal(apv_idlist_fmt(&sb, b, width), 0);
	s = strdup(apv_sb_str(&sb));
	apv_sb_free(&sb);
	return s;
}

static void format_forms(void **state)
{
	struct apv_bitmap b;
	char *s;

	(void)state;
	apv_bm_zero(&b);
	s = fmt(&b, 2);
	assert_string_equal(s, "");
	free(s);
	assert_int_equal(apv_idlist_parse("4-5,0x0a", 255, &b, NULL), 0);
	s = fmt(&b, 2);
	assert_string_equal(s, "04-05,0a");
	free(s);
	assert_int_equal(apv_idlist_parse("0x47,0x54,255", 255, &b, NULL), 0);
	s = fmt(&b, 4);
	assert_string_equal(s, "0047,0054,00ff");
	free(s);
	assert_int_equal(apv_idlist_parse("0-255", 255, &b, NULL), 0);
	s = fmt(&b, 2);
	assert_string_equal(s, "00-ff");
	free(s);
}

/* Every printed form parses back to the set (ids as hex: "0x" prefix). */
static void round_trip(void **state)
{
	(void)state;
	srand(9);
	for (int t = 0; t < 200; t++) {
		struct apv_bitmap b, c;
		struct apv_strbuf in = APV_STRBUF_INIT;
		char *s, *tok, *save = NULL;

		apv_bm_zero(&b);
		for (int i = 0; i < t % 40; i++)
			apv_bm_set(&b, (unsigned int)rand() % 256);
		if (apv_bm_empty(&b))
			continue;
		s = fmt(&b, 2);
		/* "04-05,0a" -> "0x04-0x05,0x0a" */
		for (tok = strtok_r(s, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			char *dash = strchr(tok, '-');

			if (dash)
				*dash = '\0';
			assert_int_equal(apv_sb_printf(&in, "%s0x%s%s%s",
						       in.len ? "," : "", tok,
						       dash ? "-0x" : "",
						       dash ? dash + 1 : ""),
					 0);
		}
		assert_int_equal(
			apv_idlist_parse(apv_sb_str(&in), 255, &c, NULL), 0);
		assert_true(apv_bm_equal(&b, &c));
		free(s);
		apv_sb_free(&in);
	}
}

static void next_run(void **state)
{
	unsigned int pos = 0, lo, hi;
	struct apv_bitmap b;

	(void)state;
	assert_int_equal(apv_idlist_parse("1-3,63-64,255", 255, &b, NULL), 0);
	assert_true(apv_idlist_next_run(&b, &pos, &lo, &hi));
	assert_int_equal(lo, 1);
	assert_int_equal(hi, 3);
	assert_true(apv_idlist_next_run(&b, &pos, &lo, &hi));
	assert_int_equal(lo, 63);
	assert_int_equal(hi, 64);
	assert_true(apv_idlist_next_run(&b, &pos, &lo, &hi));
	assert_int_equal(lo, 255);
	assert_int_equal(hi, 255);
	assert_int_equal(pos, 256);
	assert_false(apv_idlist_next_run(&b, &pos, &lo, &hi));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_ok),	cmocka_unit_test(parse_errors),
		cmocka_unit_test(format_forms), cmocka_unit_test(round_trip),
		cmocka_unit_test(next_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
