// SPDX-License-Identifier: MIT
/* UUID text form (apvirt/uuid.h). */
#include <errno.h>
#include <string.h>

#include <apvirt/hex.h>
#include <apvirt/uuid.h>

static bool uuid_dash(size_t pos)
{
	return pos == 8 || pos == 13 || pos == 18 || pos == 23;
}

int apv_uuid_parse(const char *s, size_t len, uint8_t out[16])
{
	uint8_t u[16];
	size_t pos = 0;

	if (len != APV_UUID_STRLEN)
		return -EINVAL;
	for (int b = 0; b < 16; b++) {
		int hi, lo;

		if (uuid_dash(pos) && s[pos++] != '-')
			return -EINVAL;
		hi = apv_hex_val(s[pos]);
		lo = apv_hex_val(s[pos + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		u[b] = (uint8_t)(hi << 4 | lo);
		pos += 2;
	}
	memcpy(out, u, sizeof(u));
	return 0;
}

bool apv_uuid_is(const char *s)
{
	uint8_t u[16];

	return !apv_uuid_parse(s, strlen(s), u);
}

char *apv_uuid_str(const uint8_t uuid[16], char buf[APV_UUID_STRLEN + 1])
{
	size_t pos = 0;

	for (int b = 0; b < 16; b++) {
		if (uuid_dash(pos))
			buf[pos++] = '-';
		apv_hex_encode(&uuid[b], 1, buf + pos);
		pos += 2;
	}
	buf[pos] = '\0';
	return buf;
}
