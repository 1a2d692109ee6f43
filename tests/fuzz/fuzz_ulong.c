// SPDX-License-Identifier: MIT
/*
 * Fuzz the number parsers against the C library as a reference model:
 *
 *  - apv_parse_ulong / apv_parse_ullong_base (kstrtoul/kstrtoull): valid
 *    iff no leading space or '-', one optional '+', digits as strtoull
 *    takes them, then at most one '\n'; -ERANGE exactly when strtoull
 *    overflows;
 *  - apv_parse_int_scanf / apv_parse_int_dec_scanf ("%i" / "%d"): the
 *    value strtol(base 0 / 10) gives when it converts anything and the
 *    value fits in int, -EINVAL otherwise;
 *  - apv_parse_bool: the first one or two characters decide.
 *
 * The first input byte selects the base for apv_parse_ullong_base.
 */
#include <errno.h>
#include <limits.h>

#include <apvirt/parse.h>

#include "fuzz_common.h"

static bool c_isspace(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Reference kstrtoull on a C string. */
static int ref_kstrtoull(const char *s, unsigned int base,
			 unsigned long long *out)
{
	const char *p = s, *end;
	unsigned long long v;

	if (base == 1 || base > 16)
		return -EINVAL;
	if (*p == '+')
		p++;
	/* strtoull would also take these; kstrtoull does not */
	if (*p == '+' || *p == '-' || c_isspace(*p))
		return -EINVAL;
	/*
	 * C23 libcs (glibc >= 2.38) take a "0b" prefix in base 0 and 2;
	 * the kernel parses the "0" and stops at the 'b'.
	 */
	if ((base == 0 || base == 2) && p[0] == '0' &&
	    (p[1] == 'b' || p[1] == 'B'))
		return -EINVAL;
	/*
	 * strtoull(base 16) skips "0x" even when no hex digit follows it
	 * ("0x" alone parses as 0 ending at 'x'); either way the 'x' is
	 * left over and the input is invalid, as for kstrtoull.
	 */
	errno = 0;
	v = strtoull(p, (char **)&end, (int)base);
	if (errno == ERANGE)
		return -ERANGE;
	if (end == p)
		return -EINVAL;
	if (*end == '\n')
		end++;
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

static int ref_scanf_int(const char *s, int base, int *out)
{
	const char *p = s, *end;
	long v;

	/* "0b..." in base 0 is 0 followed by junk (see ref_kstrtoull) */
	while (c_isspace(*p))
		p++;
	if (*p == '+' || *p == '-')
		p++;
	if (base == 0 && p[0] == '0' && (p[1] == 'b' || p[1] == 'B')) {
		*out = 0;
		return 0;
	}
	errno = 0;
	v = strtol(s, (char **)&end, base);
	if (end == s)
		return -EINVAL;
	if (errno == ERANGE || v < INT_MIN || v > INT_MAX)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

static int ref_bool(const char *s, bool *out)
{
	switch (s[0]) {
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
		if (s[1] == 'n' || s[1] == 'N') {
			*out = true;
			return 0;
		}
		if (s[1] == 'f' || s[1] == 'F') {
			*out = false;
			return 0;
		}
		return -EINVAL;
	default:
		return -EINVAL;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned int bases[] = {0, 8, 10, 16, 2, 1, 17, 36};
	unsigned int base = size ? bases[data[0] % 8] : 0;
	char *buf, *cstr;
	unsigned long long ull, rull;
	unsigned long ul;
	int iv, riv, rc, rrc;
	bool bv, rbv;

	if (size) {
		data++;
		size--;
	}
	buf = fuzz_dup(data, size);
	cstr = fuzz_cstr(data, size); /* stops at the first NUL */

	ul = 4242;
	rc = apv_parse_ulong(buf, size, &ul);
	rrc = ref_kstrtoull(cstr, 0, &rull);
	FUZZ_ASSERT(rc == rrc);
	FUZZ_ASSERT(rc ? ul == 4242 : ul == rull);

	ull = 4242;
	rc = apv_parse_ullong_base(buf, size, base, &ull);
	rrc = ref_kstrtoull(cstr, base, &rull);
	FUZZ_ASSERT(rc == rrc);
	FUZZ_ASSERT(rc ? ull == 4242 : ull == rull);

	iv = 4242;
	rc = apv_parse_int_scanf(buf, size, &iv);
	rrc = ref_scanf_int(cstr, 0, &riv);
	FUZZ_ASSERT(rc == rrc);
	FUZZ_ASSERT(rc ? iv == 4242 : iv == riv);

	iv = 4242;
	rc = apv_parse_int_dec_scanf(buf, size, &iv);
	rrc = ref_scanf_int(cstr, 10, &riv);
	FUZZ_ASSERT(rc == rrc);
	FUZZ_ASSERT(rc ? iv == 4242 : iv == riv);

	rc = apv_parse_bool(buf, size, &bv);
	rrc = ref_bool(cstr, &rbv);
	FUZZ_ASSERT(rc == rrc);
	FUZZ_ASSERT(rc || bv == rbv);

	free(cstr);
	free(buf);
	return 0;
}
