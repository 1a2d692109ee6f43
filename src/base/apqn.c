// SPDX-License-Identifier: MIT
/*
 * APQN and card device names: "05.0047", "card05".
 */
#include <errno.h>
#include <string.h>

#include <apvirt/apqn.h>
#include <apvirt/hex.h>

/*
 * Device names are parsed on every bind/unbind: the digits go through
 * apv_hex_u64() (apvirt/hex.h, one table lookup per digit, either case;
 * names are matched exactly by the callers where case matters).
 */

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

	buf[0] = apv_hex_digits[apid >> 4];
	buf[1] = apv_hex_digits[apid & 15];
	buf[2] = '.';
	buf[3] = '0';
	buf[4] = '0';
	buf[5] = apv_hex_digits[apqi >> 4];
	buf[6] = apv_hex_digits[apqi & 15];
	buf[7] = '\0';
	return buf;
}

char *apv_card_str(unsigned int apid, char buf[APV_CARD_STRLEN])
{
	apid &= 0xff;
	memcpy(buf, "card", 4);
	buf[4] = apv_hex_digits[apid >> 4];
	buf[5] = apv_hex_digits[apid & 15];
	buf[6] = '\0';
	return buf;
}

int apv_apqn_parse(const char *s, size_t len, apv_apqn *out)
{
	uint64_t apid, apqi;

	if (name_len(s, len) != 7 || s[2] != '.')
		return -EINVAL;
	if (apv_hex_u64(s, 2, &apid) || apv_hex_u64(s + 3, 4, &apqi) ||
	    apqi > 0xff)
		return -EINVAL;
	*out = APV_APQN(apid, apqi);
	return 0;
}

int apv_card_parse(const char *s, size_t len, unsigned int *apid)
{
	uint64_t id;

	if (name_len(s, len) != 6 || memcmp(s, "card", 4) != 0)
		return -EINVAL;
	if (apv_hex_u64(s + 4, 2, &id))
		return -EINVAL;
	*apid = (unsigned int)id;
	return 0;
}
