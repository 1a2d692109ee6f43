// SPDX-License-Identifier: MIT
/*
 * Parsers for the sysfs attribute grammars (see include/apvirt/parse.h and
 * spec vfio-ap-semantics.md §1.3, §1.6, §2.2, §2.3, §2.6).
 *
 * Every entry point first reduces (buf, len) to the bytes before the first
 * NUL, as a sysfs store sees them, and works on a local result that is
 * copied out only on success.  Nothing here depends on the C locale.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include <apvirt/hex.h>
#include <apvirt/parse.h>
#include <apvirt/uuid.h>

#define AP_CONFIG_MAX 201 /* "0x<64>,0x<64>,0x<64>\n" */

/* Length of the input as a C string of at most len bytes. */
static size_t in_len(const char *buf, size_t len)
{
	return len ? strnlen(buf, len) : 0;
}

static bool is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Value of c as a digit in base (2..16, either case), or -1. */
static int digit_val(char c, unsigned int base)
{
	int v = apv_hex_val(c);

	return v >= 0 && (unsigned int)v < base ? v : -1;
}

static bool is_x(char c)
{
	return c == 'x' || c == 'X';
}

/*
 * Base-0 radix detection shared by strtoul, kstrtoul and "%i": "0x"/"0X"
 * followed by a hex digit is hex (prefix skipped), any other leading 0 is
 * octal (the 0 stays, it is a valid octal digit), else decimal.  *i is the
 * position of the first character of the number and is advanced past a hex
 * prefix.
 */
static unsigned int radix0(const char *s, size_t n, size_t *i)
{
	size_t p = *i;

	if (p < n && s[p] == '0') {
		if (p + 2 < n && is_x(s[p + 1]) && apv_is_xdigit(s[p + 2])) {
			*i = p + 2;
			return 16;
		}
		return 8;
	}
	return 10;
}

/* ---- 256-bit masks (§1.6) ---------------------------------------------- */

/* Absolute form on exactly n bytes (no NUL inside). */
static int mask_abs(const char *s, size_t n, struct apv_bitmap *out)
{
	struct apv_bitmap m;
	unsigned int ndig = 0;
	size_t i = 0;
	int d;

	apv_bm_zero(&m);
	if (n >= 2 && s[0] == '0' && s[1] == 'x')
		i = 2;
	else if (n >= 1 && s[0] == 'x')
		i = 1;

	for (; i < n && (d = digit_val(s[i], 16)) >= 0; i++, ndig++) {
		if (ndig == 64)
			return -EINVAL;
		m.w[ndig / 16] |= (uint64_t)d << (60 - 4 * (ndig % 16));
	}
	if (i < n && s[i] == '\n')
		i++;
	if (i != n)
		return -EINVAL;
	*out = m;
	return 0;
}

/*
 * One relative-form number: strtoul(base 0) without leading whitespace or
 * sign.  Values above 255 are all invalid, so the value saturates instead of
 * overflowing.  Returns the number of bytes consumed, 0 if there is no digit.
 */
static size_t rel_num(const char *s, size_t n, unsigned long *val)
{
	size_t i = 0;
	unsigned int base = radix0(s, n, &i);
	size_t start = i;
	unsigned long v = 0;
	int d;

	for (; i < n && (d = digit_val(s[i], base)) >= 0; i++)
		if (v <= 0xffff)
			v = v * base + (unsigned int)d;
	if (i == start)
		return 0;
	*val = v;
	return i;
}

static bool is_rel_sep(char c)
{
	return c == ',' || c == '\n';
}

static int mask_rel(const char *s, size_t n, struct apv_bitmap *m)
{
	size_t i = 0;

	/* The caller guarantees s[0] is '+' or '-'. */
	for (;;) {
		bool set = s[i++] == '+';
		unsigned long first, last;
		size_t k;

		k = rel_num(s + i, n - i, &first);
		if (!k)
			return -EINVAL;
		i += k;
		last = first;
		if (i < n && s[i] == '-') {
			i++;
			k = rel_num(s + i, n - i, &last);
			if (!k)
				return -EINVAL;
			i += k;
		}
		if (first >= APV_MAX_IDS || last >= APV_MAX_IDS || first > last)
			return -EINVAL;

		for (unsigned long id = first; id <= last; id++) {
			if (set)
				apv_bm_set(m, (unsigned int)id);
			else
				apv_bm_clear(m, (unsigned int)id);
		}

		while (i < n && is_rel_sep(s[i]))
			i++;
		if (i == n)
			return 0;
		if (s[i] != '+' && s[i] != '-')
			return -EINVAL;
	}
}

int apv_parse_mask(const char *buf, size_t len, const struct apv_bitmap *cur,
		   struct apv_bitmap *out)
{
	size_t n = in_len(buf, len);
	struct apv_bitmap m;
	int err;

	if (n && (buf[0] == '+' || buf[0] == '-')) {
		if (cur)
			m = *cur;
		else
			apv_bm_zero(&m);
		err = mask_rel(buf, n, &m);
	} else {
		err = mask_abs(buf, n, &m);
	}
	if (err)
		return err;
	*out = m;
	return 0;
}

int apv_parse_mask_abs(const char *buf, size_t len, struct apv_bitmap *out)
{
	return mask_abs(buf, in_len(buf, len), out);
}

/* ---- kstrtoul / kstrtoull ---------------------------------------------- */

static int parse_ull(const char *s, size_t n, unsigned int base,
		     unsigned long long *out)
{
	unsigned long long v = 0;
	bool overflow = false;
	size_t i = 0, start;
	int d;

	if (base == 1 || base > 16)
		return -EINVAL;
	if (i < n && s[i] == '+')
		i++;
	if (base == 0)
		base = radix0(s, n, &i);
	else if (base == 16 && i + 1 < n && s[i] == '0' && is_x(s[i + 1]))
		i += 2;

	/* Consume every digit; overflow is reported ahead of syntax. */
	for (start = i; i < n && (d = digit_val(s[i], base)) >= 0; i++) {
		if (v > (ULLONG_MAX - (unsigned int)d) / base)
			overflow = true;
		else
			v = v * base + (unsigned int)d;
	}
	if (overflow)
		return -ERANGE;
	if (i == start)
		return -EINVAL;
	if (i < n && s[i] == '\n')
		i++;
	if (i != n)
		return -EINVAL;
	*out = v;
	return 0;
}

int apv_parse_ulong(const char *buf, size_t len, unsigned long *out)
{
	unsigned long long v;
	int err = parse_ull(buf, in_len(buf, len), 0, &v);

	if (err)
		return err;
	if (v > ULONG_MAX)
		return -ERANGE;
	*out = (unsigned long)v;
	return 0;
}

int apv_parse_ullong_base(const char *buf, size_t len, unsigned int base,
			  unsigned long long *out)
{
	return parse_ull(buf, in_len(buf, len), base, out);
}

/* ---- sscanf("%i") / sscanf("%d") --------------------------------------- */

static int scanf_int(const char *s, size_t n, bool base0, int *out)
{
	/* Magnitude limit: anything above 2^31 is out of range either way. */
	const unsigned long long lim = (unsigned long long)INT_MAX + 1;
	unsigned long long v = 0;
	unsigned int base = 10;
	bool neg = false;
	size_t i = 0;
	int d;

	while (i < n && is_space(s[i]))
		i++;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	if (i == n || !is_digit(s[i]))
		return -EINVAL;
	if (base0)
		base = radix0(s, n, &i);

	for (; i < n && (d = digit_val(s[i], base)) >= 0; i++)
		if (v <= lim)
			v = v * base + (unsigned int)d;
	if (v > (neg ? lim : lim - 1))
		return -EINVAL;
	if (neg)
		*out = v == lim ? INT_MIN : -(int)v;
	else
		*out = (int)v;
	return 0;
}

int apv_parse_int_scanf(const char *buf, size_t len, int *out)
{
	return scanf_int(buf, in_len(buf, len), true, out);
}

int apv_parse_int_dec_scanf(const char *buf, size_t len, int *out)
{
	return scanf_int(buf, in_len(buf, len), false, out);
}

/* ---- kstrtobool --------------------------------------------------------- */

int apv_parse_bool(const char *buf, size_t len, bool *out)
{
	size_t n = in_len(buf, len);

	if (!n)
		return -EINVAL;
	switch (buf[0]) {
	case 'y':
	case 'Y':
	case 't':
	case 'T':
	case '1':
		*out = true;
		return 0;
	case 'n':
	case 'N':
	case 'f':
	case 'F':
	case '0':
		*out = false;
		return 0;
	case 'o':
	case 'O':
		if (n < 2)
			return -EINVAL;
		if (buf[1] == 'n' || buf[1] == 'N') {
			*out = true;
			return 0;
		}
		if (buf[1] == 'f' || buf[1] == 'F') {
			*out = false;
			return 0;
		}
		return -EINVAL;
	default:
		return -EINVAL;
	}
}

/* ---- UUID --------------------------------------------------------------- */

int apv_parse_uuid(const char *buf, size_t len, uint8_t out[16])
{
	/*
	 * The length check is on the write size (36, or 37 = UUID + any one
	 * byte); a NUL byte inside the first 36 bytes then fails as a non-hex
	 * character and byte 37 is never inspected.
	 */
	if (len != APV_UUID_STRLEN && len != APV_UUID_STRLEN + 1)
		return -EINVAL;
	return apv_uuid_parse(buf, APV_UUID_STRLEN, out);
}

/* ---- ap_config (§2.6) --------------------------------------------------- */

int apv_parse_ap_config(const char *buf, size_t len, struct apv_bitmap *apm,
			struct apv_bitmap *aqm, struct apv_bitmap *adm)
{
	struct apv_bitmap m[3];
	size_t n = in_len(buf, len < AP_CONFIG_MAX ? len : AP_CONFIG_MAX);
	size_t pos = 0;

	/*
	 * strsep(",\n") semantics: a token runs to the next separator or the
	 * end; after a token that reached the end there are no more tokens.
	 * pos == n + 1 marks "no more tokens".
	 */
	for (int t = 0; t < 3; t++) {
		size_t end = pos;
		int err;

		if (pos > n)
			return -EINVAL;
		while (end < n && buf[end] != ',' && buf[end] != '\n')
			end++;
		err = mask_abs(buf + pos, end - pos, &m[t]);
		if (err)
			return err;
		pos = end + 1;
	}
	*apm = m[0];
	*aqm = m[1];
	*adm = m[2];
	return 0;
}
