// SPDX-License-Identifier: MIT
/*
 * Fuzz the mdev `ap_config` store parser.
 *
 * Invariants: the result equals a reference built from strsep(",\n") on a
 * C-string copy truncated to 201 bytes with each of the first three tokens
 * parsed by apv_parse_mask_abs; outputs are untouched on failure; a
 * successful result formats to 201 bytes that parse back to the same masks.
 */
#include <errno.h>

#include <apvirt/format.h>
#include <apvirt/parse.h>

#include "fuzz_common.h"

static int ref_ap_config(const uint8_t *data, size_t size,
			 struct apv_bitmap m[3])
{
	char *copy = fuzz_cstr(data, size < 201 ? size : 201);
	char *rest = copy;
	int rc = 0;

	for (int t = 0; t < 3 && !rc; t++) {
		char *tok = strsep(&rest, ",\n");

		if (!tok)
			rc = -EINVAL;
		else
			rc = apv_parse_mask_abs(tok, strlen(tok), &m[t]);
	}
	free(copy);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_dup(data, size);
	struct apv_bitmap sent, m[3], r[3], back[3];
	struct apv_strbuf sb = APV_STRBUF_INIT;
	int rc, rrc;

	for (int i = 0; i < APV_BM_WORDS; i++)
		sent.w[i] = UINT64_C(0x1122334455667788) << i;
	m[0] = m[1] = m[2] = sent;

	rc = apv_parse_ap_config(buf, size, &m[0], &m[1], &m[2]);
	rrc = ref_ap_config(data, size, r);
	FUZZ_ASSERT(rc == 0 || rc == -EINVAL);
	FUZZ_ASSERT(rc == rrc);
	for (int t = 0; t < 3; t++)
		FUZZ_ASSERT(apv_bm_equal(&m[t], rc ? &sent : &r[t]));

	if (!rc) {
		FUZZ_ASSERT(apv_fmt_ap_config(&sb, &m[0], &m[1], &m[2]) == 0);
		FUZZ_ASSERT(sb.len == 201);
		FUZZ_ASSERT(apv_parse_ap_config(sb.s, sb.len, &back[0],
						&back[1], &back[2]) == 0);
		for (int t = 0; t < 3; t++)
			FUZZ_ASSERT(apv_bm_equal(&m[t], &back[t]));
		apv_sb_free(&sb);
	}
	free(buf);
	return 0;
}
