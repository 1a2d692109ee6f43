// SPDX-License-Identifier: MIT
/* Hex text for guest memory on the wire (guest_int.h). */
#include <errno.h>

#include <apvirt/strbuf.h>

#include "guest_int.h"

void apvg_hex(struct apv_strbuf *sb, const void *buf, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *b = buf;

	if (apv_sb_reserve(sb, 2 * len + 1))
		return;
	for (size_t i = 0; i < len; i++) {
		sb->s[sb->len++] = digits[b[i] >> 4];
		sb->s[sb->len++] = digits[b[i] & 15];
	}
	sb->s[sb->len] = '\0';
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int apvg_unhex(const char *s, size_t n, void *out, size_t cap, size_t *len)
{
	uint8_t *b = out;

	if (n % 2)
		return -EINVAL;
	if (n / 2 > cap)
		return -ENOSPC;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = nibble(s[2 * i]), lo = nibble(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	*len = n / 2;
	return 0;
}
