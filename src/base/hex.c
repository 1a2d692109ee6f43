// SPDX-License-Identifier: MIT
/* Hexadecimal digits and byte strings (apvirt/hex.h). */
#include <errno.h>

#include <apvirt/hex.h>

const char apv_hex_digits[16] = {'0', '1', '2', '3', '4', '5', '6', '7',
				 '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};

/* Digit value + 1; 0 marks a byte that is not a hex digit. */
const uint8_t apv_hex_tab1[256] = {
	['0'] = 1,  ['1'] = 2,	['2'] = 3,  ['3'] = 4,	['4'] = 5,  ['5'] = 6,
	['6'] = 7,  ['7'] = 8,	['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12,
	['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16, ['A'] = 11, ['B'] = 12,
	['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

void apv_hex_encode(const void *in, size_t n, char *out)
{
	const uint8_t *b = in;

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = apv_hex_digits[b[i] >> 4];
		out[2 * i + 1] = apv_hex_digits[b[i] & 15];
	}
}

int apv_sb_hex(struct apv_strbuf *sb, const void *in, size_t n)
{
	if (apv_sb_reserve(sb, 2 * n + 1))
		return -ENOMEM;
	apv_hex_encode(in, n, sb->s + sb->len);
	sb->len += 2 * n;
	sb->s[sb->len] = '\0';
	return 0;
}

int apv_hex_decode(const char *s, size_t n, void *out, size_t cap, size_t *len)
{
	uint8_t *b = out;

	if (n % 2)
		return -EINVAL;
	if (n / 2 > cap)
		return -ENOSPC;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = apv_hex_val(s[2 * i]), lo = apv_hex_val(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	*len = n / 2;
	return 0;
}

int apv_hex_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (!n)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		int d = apv_hex_val(s[i]);

		if (d < 0)
			return -EINVAL;
		v = v << 4 | (uint64_t)d;
	}
	if (n > 16)
		return -ERANGE;
	*out = v;
	return 0;
}
