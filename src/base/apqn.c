// SPDX-License-Identifier: MIT
/*
 * APQN and card device names: "05.0047", "card05".
 */
#include <errno.h>
#include <string.h>

#include <apvirt/apqn.h>

static const char hexdig[] = "0123456789abcdef";

/* Hex digit values + 1 (0 = not a hex digit): device names are parsed on
 * every bind/unbind, so a table lookup instead of three range tests. */
static const unsigned char hexval1[256] = {
	['0'] = 1,  ['1'] = 2,	['2'] = 3,  ['3'] = 4,	['4'] = 5,  ['5'] = 6,
	['6'] = 7,  ['7'] = 8,	['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12,
	['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16, ['A'] = 11, ['B'] = 12,
	['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

static int hexval(char c)
{
	return (int)hexval1[(unsigned char)c] - 1;
}

/* Parse exactly n hex digits at s; -1 if any is not a hex digit. */
static long hexn(const char *s, size_t n)
{
	long v = 0;

	for (size_t i = 0; i < n; i++) {
		int d = hexval(s[i]);

		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/*
 * Effective length of a name written to a sysfs file: the input ends at a
 * NUL byte, and one trailing '\n' is dropped.
 */
static size_t name_len(const char *s, size_t len)
{
	len = len ? strnlen(s, len) : 0;
	if (len && s[len - 1] == '\n')
		len--;
	return len;
}

char *apv_apqn_str(apv_apqn q, char buf[APV_APQN_STRLEN])
{
	unsigned int apid = apv_apqn_apid(q);
	unsigned int apqi = apv_apqn_apqi(q);

	buf[0] = hexdig[apid >> 4];
	buf[1] = hexdig[apid & 15];
	buf[2] = '.';
	buf[3] = '0';
	buf[4] = '0';
	buf[5] = hexdig[apqi >> 4];
	buf[6] = hexdig[apqi & 15];
	buf[7] = '\0';
	return buf;
}

char *apv_card_str(unsigned int apid, char buf[APV_CARD_STRLEN])
{
	apid &= 0xff;
	memcpy(buf, "card", 4);
	buf[4] = hexdig[apid >> 4];
	buf[5] = hexdig[apid & 15];
	buf[6] = '\0';
	return buf;
}

int apv_apqn_parse(const char *s, size_t len, apv_apqn *out)
{
	long apid, apqi;

	if (name_len(s, len) != 7 || s[2] != '.')
		return -EINVAL;
	apid = hexn(s, 2);
	apqi = hexn(s + 3, 4);
	if (apid < 0 || apqi < 0 || apqi > 0xff)
		return -EINVAL;
	*out = APV_APQN(apid, apqi);
	return 0;
}

int apv_card_parse(const char *s, size_t len, unsigned int *apid)
{
	long id;

	if (name_len(s, len) != 6 || memcmp(s, "card", 4) != 0)
		return -EINVAL;
	id = hexn(s + 4, 2);
	if (id < 0)
		return -EINVAL;
	*apid = (unsigned int)id;
	return 0;
}
