/* SPDX-License-Identifier: MIT */
/*
 * Parsers with the kernel's exact grammar for the sysfs attributes.
 *
 * Inputs are (buf, len) pairs as a write(2) delivers them; they need not be
 * NUL-terminated.  Like a sysfs store, which sees a NUL-terminated copy of
 * the written bytes, a NUL byte inside the buffer ends the input there.
 * Every function returns 0 on success or a negative errno, and leaves its
 * outputs untouched on failure.
 */
#ifndef APVIRT_PARSE_H
#define APVIRT_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <apvirt/bitmap.h>
#include <apvirt/uuid.h>

/*
 * apmask/aqmask store grammar (spec §1.6).
 * First character '+' or '-': relative form, applied to a copy of *cur
 *   term (sep* term)*, term = ('+'|'-') NUM ['-' NUM], sep = ',' | '\n',
 *   NUM base 0 (0x/0X hex, leading 0 octal, else decimal), each < 256,
 *   ranges need first <= last.
 * Otherwise: absolute form, starting from zero: optional "0x" or lone "x"
 *   (not "0X"), 0..64 hex digits filling ids from 0 upward, an optional
 *   single '\n', end.  A bare "\n" is an all-zero mask.
 * Errors: -EINVAL.
 */
int apv_parse_mask(const char *buf, size_t len, const struct apv_bitmap *cur,
		   struct apv_bitmap *out);

/* Absolute form only (the ap_config tokens and boot-time hex strings). */
int apv_parse_mask_abs(const char *buf, size_t len, struct apv_bitmap *out);

/*
 * kstrtoul(buf, 0): optional leading '+', base 0 (0x/0X hex when a hex digit
 * follows, leading 0 octal, else decimal), at least one digit, at most one
 * trailing '\n', nothing else.  -EINVAL for bad syntax, -ERANGE on overflow
 * of unsigned long (64 bit).
 */
int apv_parse_ulong(const char *buf, size_t len, unsigned long *out);

/*
 * kstrtoull(buf, base 10 or 16) style, used by poll_timeout (6.12: base 0).
 * base 0/8/10/16 as kstrtoull.  -EINVAL / -ERANGE.
 */
int apv_parse_ullong_base(const char *buf, size_t len, unsigned int base,
			  unsigned long long *out);

/*
 * sscanf("%i") semantics for int (ap_domain): optional leading whitespace,
 * optional sign, base 0; trailing junk after the number is ignored.
 * -EINVAL if no number could be read.  Values outside int wrap like the
 * kernel's 32-bit conversion would clamp: we return -EINVAL for them.
 */
int apv_parse_int_scanf(const char *buf, size_t len, int *out);

/* sscanf("%d") semantics (decimal only, trailing junk ignored). */
int apv_parse_int_dec_scanf(const char *buf, size_t len, int *out);

/*
 * kstrtobool (6.12): first character y/Y/t/T/1 true, n/N/f/F/0 false,
 * "on"/"of[f]" (either case) -> true/false; the rest of the input is not
 * inspected; anything else -EINVAL.
 */
int apv_parse_bool(const char *buf, size_t len, bool *out);

/*
 * mdev type `create`: len must be 36 or 37 (37 = UUID + any one byte);
 * 8-4-4-4-12 hex digits of either case with '-' at offsets 8, 13, 18, 23.
 * -EINVAL otherwise.  out receives the 16 bytes.
 */
int apv_parse_uuid(const char *buf, size_t len, uint8_t out[16]);

/* apv_uuid_str() (the lowercase text form) is in uuid.h. */

/*
 * mdev `ap_config` write (spec §2.6): input truncated to 201 bytes, split into
 * tokens at ',' or '\n', the first three parsed with the absolute mask rules
 * (empty token = zero mask).  Fewer than three tokens or a bad token ->
 * -EINVAL; text after the third token is ignored.
 */
int apv_parse_ap_config(const char *buf, size_t len, struct apv_bitmap *apm,
			struct apv_bitmap *aqm, struct apv_bitmap *adm);

#endif /* APVIRT_PARSE_H */
