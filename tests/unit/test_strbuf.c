// SPDX-License-Identifier: MIT
/*
 * Unit tests for src/base/strbuf.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <apvirt/strbuf.h>

/*
 * The ENOMEM tests ask for absurd sizes; under AddressSanitizer malloc must
 * then return NULL instead of aborting the program.
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "allocator_may_return_null=1";
}

static void test_init_empty(void **state)
{
	struct apv_strbuf sb = APV_STRBUF_INIT;

	(void)state;
	assert_null(sb.s);
	assert_int_equal(sb.len, 0);
	assert_int_equal(sb.cap, 0);
	assert_string_equal(apv_sb_str(&sb), "");
	apv_sb_reset(&sb);
	assert_string_equal(apv_sb_str(&sb), "");
	apv_sb_free(&sb);
	apv_sb_free(&sb);
	apv_sb_free(NULL);
	assert_null(sb.s);
}

static void test_append_puts(void **state)
{
	struct apv_strbuf sb = APV_STRBUF_INIT;

	(void)state;
	assert_int_equal(apv_sb_puts(&sb, "05."), 0);
	assert_int_equal(apv_sb_append(&sb, "0047\nXXXX", 5), 0);
	assert_string_equal(apv_sb_str(&sb), "05.0047\n");
	assert_int_equal(sb.len, 8);
	assert_true(sb.cap > sb.len);
	assert_int_equal(sb.s[sb.len], '\0');

	/* empty appends are fine and keep the NUL */
	assert_int_equal(apv_sb_append(&sb, "", 0), 0);
	assert_int_equal(apv_sb_puts(&sb, ""), 0);
	assert_int_equal(sb.len, 8);

	/* embedded NUL bytes are stored (len counts them) */
	assert_int_equal(apv_sb_append(&sb, "a\0b", 3), 0);
	assert_int_equal(sb.len, 11);
	assert_memory_equal(sb.s, "05.0047\na\0b", 12);
	apv_sb_free(&sb);

	/* an empty append on a fresh buffer still yields a string */
	assert_int_equal(apv_sb_append(&sb, NULL, 0), 0);
	assert_non_null(sb.s);
	assert_string_equal(apv_sb_str(&sb), "");
	apv_sb_free(&sb);
}

static void test_growth(void **state)
{
	struct apv_strbuf sb = APV_STRBUF_INIT;
	char *ref = malloc(100001);

	(void)state;
	assert_non_null(ref);
	for (int i = 0; i < 100000; i++) {
		char c = (char)('a' + i % 26);

		ref[i] = c;
		assert_int_equal(apv_sb_append(&sb, &c, 1), 0);
		assert_true(sb.cap >= sb.len + 1);
	}
	ref[100000] = '\0';
	assert_int_equal(sb.len, 100000);
	assert_string_equal(apv_sb_str(&sb), ref);
	free(ref);
	apv_sb_free(&sb);
}

static void test_printf(void **state)
{
	struct apv_strbuf sb = APV_STRBUF_INIT;
	char big[5000];

	(void)state;
	assert_int_equal(apv_sb_printf(&sb, "%02x.%04x\n", 5, 0x47), 0);
	assert_string_equal(apv_sb_str(&sb), "05.0047\n");
	assert_int_equal(apv_sb_printf(&sb, "%s", ""), 0);
	assert_int_equal(sb.len, 8);
	assert_int_equal(apv_sb_printf(&sb, "%d/%d (complete)\n", 4, 4), 0);
	assert_string_equal(apv_sb_str(&sb), "05.0047\n4/4 (complete)\n");

	/* output larger than the remaining space: grows and retries */
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(apv_sb_printf(&sb, "<%s>", big), 0);
	assert_int_equal(sb.len, 8 + 15 + 2 + 4999);
	assert_int_equal(sb.s[23], '<');
	assert_int_equal(sb.s[24], 'z');
	assert_int_equal(sb.s[sb.len - 1], '>');
	assert_int_equal(sb.s[sb.len], '\0');
	assert_true(sb.cap > sb.len);
	apv_sb_free(&sb);

	/* first write into a never-allocated buffer */
	assert_int_equal(apv_sb_printf(&sb, "%s", big), 0);
	assert_int_equal(sb.len, 4999);
	assert_string_equal(apv_sb_str(&sb), big);
	apv_sb_free(&sb);

	/* exactly filling the buffer: n == avail - 1 and n == avail */
	for (size_t k = 1; k < 300; k++) {
		struct apv_strbuf t = APV_STRBUF_INIT;

		assert_int_equal(apv_sb_reserve(&t, 63), 0);
		assert_int_equal(apv_sb_printf(&t, "%.*s", (int)k, big), 0);
		assert_int_equal(t.len, k);
		assert_int_equal(strlen(apv_sb_str(&t)), k);
		assert_int_equal(apv_sb_printf(&t, "%.*s", (int)k, big), 0);
		assert_int_equal(t.len, 2 * k);
		assert_int_equal(strlen(apv_sb_str(&t)), 2 * k);
		apv_sb_free(&t);
	}
}

static int call_vprintf(struct apv_strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int call_vprintf(struct apv_strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = apv_sb_vprintf(sb, fmt, ap);
	va_end(ap);
	return err;
}

static void test_vprintf(void **state)
{
	struct apv_strbuf sb = APV_STRBUF_INIT;
	char big[1000];

	(void)state;
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(call_vprintf(&sb, "%s-%s", "a", big), 0);
	assert_int_equal(sb.len, 1001);
	assert_int_equal(sb.s[0], 'a');
	assert_int_equal(sb.s[1], '-');
	assert_int_equal(sb.s[1000], 'q');
	apv_sb_free(&sb);
}

static void test_reset_free(void **state)
{
	struct apv_strbuf sb = APV_STRBUF_INIT;
	char *keep;
	size_t cap;

	(void)state;
	assert_int_equal(apv_sb_puts(&sb, "hello"), 0);
	keep = sb.s;
	cap = sb.cap;
	apv_sb_reset(&sb);
	assert_int_equal(sb.len, 0);
	assert_ptr_equal(sb.s, keep);
	assert_int_equal(sb.cap, cap);
	assert_string_equal(apv_sb_str(&sb), "");
	assert_int_equal(apv_sb_puts(&sb, "again"), 0);
	assert_string_equal(apv_sb_str(&sb), "again");

	apv_sb_free(&sb);
	assert_null(sb.s);
	assert_int_equal(sb.len, 0);
	assert_int_equal(sb.cap, 0);
	/* reusable after free */
	assert_int_equal(apv_sb_puts(&sb, "third"), 0);
	assert_string_equal(apv_sb_str(&sb), "third");
	apv_sb_free(&sb);
}

static void test_enomem_keeps_content(void **state)
{
	struct apv_strbuf sb = APV_STRBUF_INIT;
	size_t cap;

	(void)state;
	assert_int_equal(apv_sb_puts(&sb, "keep me"), 0);
	cap = sb.cap;

	/* size arithmetic would wrap */
	assert_int_equal(apv_sb_reserve(&sb, SIZE_MAX), -ENOMEM);
	assert_int_equal(apv_sb_reserve(&sb, SIZE_MAX - 7), -ENOMEM);
	/* does not wrap but cannot be allocated */
	assert_int_equal(apv_sb_reserve(&sb, SIZE_MAX / 2), -ENOMEM);
	assert_int_equal(apv_sb_append(&sb, "x", SIZE_MAX - 3), -ENOMEM);

	assert_string_equal(apv_sb_str(&sb), "keep me");
	assert_int_equal(sb.len, 7);
	assert_int_equal(sb.cap, cap);

	/* still usable */
	assert_int_equal(apv_sb_puts(&sb, "!"), 0);
	assert_string_equal(apv_sb_str(&sb), "keep me!");
	apv_sb_free(&sb);

	/* on an unallocated buffer */
	assert_int_equal(apv_sb_reserve(&sb, SIZE_MAX), -ENOMEM);
	assert_null(sb.s);
	assert_string_equal(apv_sb_str(&sb), "");
}

static void test_reserve(void **state)
{
	struct apv_strbuf sb = APV_STRBUF_INIT;
	char *p;

	(void)state;
	assert_int_equal(apv_sb_reserve(&sb, 0), 0);
	assert_non_null(sb.s);
	assert_string_equal(sb.s, "");
	assert_int_equal(apv_sb_reserve(&sb, 1000), 0);
	assert_true(sb.cap >= 1001);
	p = sb.s;
	/* reserved room is used without reallocating */
	for (int i = 0; i < 1000; i++)
		assert_int_equal(apv_sb_append(&sb, "x", 1), 0);
	assert_ptr_equal(sb.s, p);
	assert_int_equal(sb.len, 1000);
	apv_sb_free(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_empty),
		cmocka_unit_test(test_append_puts),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_printf),
		cmocka_unit_test(test_vprintf),
		cmocka_unit_test(test_reset_free),
		cmocka_unit_test(test_enomem_keeps_content),
		cmocka_unit_test(test_reserve),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
