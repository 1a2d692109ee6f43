/* SPDX-License-Identifier: MIT */
/*
 * Hexadecimal digits and byte strings: the one implementation used by the
 * model, apsim, apctl, the wire protocol and the guest library.  The digit
 * table is public so that hot decoders (the guest wire path) inline it.
 */
#ifndef APVIRT_HEX_H
#define APVIRT_HEX_H

#include <stddef.h>
#include <stdint.h>

#include <apvirt/strbuf.h>

/* "0123456789abcdef": every text form the kernel and apvirt print is lowercase. */
extern const char apv_hex_digits[16];
/* Value + 1 of each byte as a hex digit of either case; 0: not a digit. */
extern const uint8_t apv_hex_tab1[256];

/* The value of c as a hex digit of either case, or -1. */
static inline int apv_hex_val(char c)
{
	return (int)apv_hex_tab1[(unsigned char)c] - 1;
}

static inline int apv_is_xdigit(char c)
{
	return apv_hex_tab1[(unsigned char)c] != 0;
}

/* n bytes as 2n lowercase digits at out (no NUL is written). */
void apv_hex_encode(const void *in, size_t n, char *out);
/* The same, appended to sb (NUL-terminated); 0 or -ENOMEM. */
int apv_sb_hex(struct apv_strbuf *sb, const void *in, size_t n);
/*
 * n hex digits of either case (n even, no prefix, no separators) into at
 * most cap bytes at out; *len receives n / 2.  -EINVAL for an odd count or
 * a non-digit, -ENOSPC if the bytes do not fit; out is then unspecified.
 */
int apv_hex_decode(const char *s, size_t n, void *out, size_t cap, size_t *len);
/*
 * 1..16 hex digits of either case (no prefix) as a number: 0, or -EINVAL
 * (empty, a non-digit) or -ERANGE (more than 16 digits).
 */
int apv_hex_u64(const char *s, size_t n, uint64_t *out);

#endif /* APVIRT_HEX_H */
