// SPDX-License-Identifier: MIT
/*
 * Fuzz the mdev `create` UUID parser.
 *
 * Invariants: valid iff the write is 36 or 37 bytes and the first 36 have
 * hex digits everywhere except '-' at offsets 8, 13, 18 and 23; the output
 * is untouched on failure; apv_uuid_str gives the lowercase form of those
 * 36 bytes, which parses back to the same 16 bytes.
 */
#include <errno.h>

#include <apvirt/parse.h>

#include "fuzz_common.h"

static bool ref_valid(const char *s, size_t len)
{
	if (len != 36 && len != 37)
		return false;
	for (size_t i = 0; i < 36; i++) {
		char c = s[i];

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return false;
		} else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
			     (c >= 'A' && c <= 'F'))) {
			return false;
		}
	}
	return true;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_dup(data, size);
	uint8_t u[16], back[16];
	char str[37];
	int rc;

	memset(u, 0x5a, sizeof(u));
	rc = apv_parse_uuid(buf, size, u);
	FUZZ_ASSERT(rc == 0 || rc == -EINVAL);
	FUZZ_ASSERT((rc == 0) == ref_valid(buf, size));
	if (rc) {
		for (int i = 0; i < 16; i++)
			FUZZ_ASSERT(u[i] == 0x5a);
	} else {
		FUZZ_ASSERT(apv_uuid_str(u, str) == str);
		FUZZ_ASSERT(strlen(str) == 36);
		for (size_t i = 0; i < 36; i++)
			FUZZ_ASSERT(str[i] == lower(buf[i]));
		FUZZ_ASSERT(apv_parse_uuid(str, 36, back) == 0);
		FUZZ_ASSERT(memcmp(u, back, 16) == 0);
	}
	free(buf);
	return 0;
}
