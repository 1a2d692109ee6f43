// SPDX-License-Identifier: MIT
/*
 * Fuzz the hex primitives (apvirt/hex.h) against a reference.
 *
 * Invariants: apv_hex_decode accepts exactly an even count of digits of
 * either case that fits the capacity (odd count first, then capacity, then
 * digits), writes *len only on success, and the bytes encode back to the
 * lowercase input; apv_hex_u64 accepts 1..16 digits (-EINVAL for a
 * non-digit or nothing, else -ERANGE beyond 16) with the reference value.
 * The first input byte picks the decode capacity.
 */
#include <errno.h>
#include <stdbool.h>

#include <apvirt/hex.h>

#include "fuzz_common.h"

static int ref_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ref_digit(s[i]) < 0)
			return false;
	return true;
}

static void check_decode(const char *s, size_t n, size_t cap)
{
	uint8_t *out = malloc(cap ? cap : 1);
	char *back = malloc(n ? n : 1);
	size_t len = (size_t)-1;
	int want = n % 2	     ? -EINVAL :
		   n / 2 > cap	     ? -ENOSPC :
		   !all_digits(s, n) ? -EINVAL :
				       0;
	int rc;

	if (!out || !back)
		abort();
	rc = apv_hex_decode(s, n, out, cap, &len);
	FUZZ_ASSERT(rc == want);
	if (rc) {
		FUZZ_ASSERT(len == (size_t)-1);
	} else {
		FUZZ_ASSERT(len == n / 2);
		for (size_t i = 0; i < len; i++)
			FUZZ_ASSERT(out[i] ==
				    (uint8_t)(ref_digit(s[2 * i]) << 4 |
					      ref_digit(s[2 * i + 1])));
		apv_hex_encode(out, len, back);
		for (size_t i = 0; i < n; i++)
			FUZZ_ASSERT(back[i] == apv_hex_digits[ref_digit(s[i])]);
	}
	free(out);
	free(back);
}

static void check_u64(const char *s, size_t n)
{
	uint64_t v = 0x5a5a, ref = 0;
	int want = !n || !all_digits(s, n) ? -EINVAL : n > 16 ? -ERANGE : 0;
	int rc = apv_hex_u64(s, n, &v);

	FUZZ_ASSERT(rc == want);
	if (rc) {
		FUZZ_ASSERT(v == 0x5a5a);
		return;
	}
	for (size_t i = 0; i < n; i++)
		ref = ref << 4 | (uint64_t)ref_digit(s[i]);
	FUZZ_ASSERT(v == ref);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cap;
	char *s;

	if (!size)
		return 0;
	cap = data[0] % 64;
	s = fuzz_dup(data + 1, size - 1);
	check_decode(s, size - 1, cap);
	check_u64(s, size - 1);
	for (int c = 0; c < 256; c++)
		FUZZ_ASSERT(apv_hex_val((char)c) == ref_digit((char)c));
	free(s);
	return 0;
}
