// SPDX-License-Identifier: MIT
/*
 * Fuzz the apmask/aqmask store grammar (apv_parse_mask, apv_parse_mask_abs).
 *
 * Invariants:
 *  - only 0 or -EINVAL; on failure the output is untouched;
 *  - whether the input is valid does not depend on the current mask;
 *  - a NUL byte ends the input: (buf, len) == (buf, strnlen(buf, len));
 *  - the absolute form ignores the current mask and agrees with
 *    apv_parse_mask_abs, which refuses every relative input;
 *  - a relative edit is a per-id set/clear/keep: the result for any current
 *    mask c is r0 | (c & (rf ^ r0)) where r0, rf are the results from all
 *    zeros and all ones, r0 is a subset of rf, and applying it twice
 *    changes nothing;
 *  - every result formats to "0x" + 64 hex digits that parse back to it.
 */
#include <errno.h>

#include <apvirt/format.h>
#include <apvirt/parse.h>

#include "fuzz_common.h"

static struct apv_bitmap sentinel(void)
{
	struct apv_bitmap m;

	for (int i = 0; i < APV_BM_WORDS; i++)
		m.w[i] = UINT64_C(0xa5a5a5a55a5a5a5a) ^ (uint64_t)i;
	return m;
}

static void check_format_roundtrip(const struct apv_bitmap *m)
{
	struct apv_strbuf sb = APV_STRBUF_INIT;
	struct apv_bitmap back;

	FUZZ_ASSERT(apv_fmt_mask(&sb, m) == 0);
	FUZZ_ASSERT(sb.len == 67 && sb.s[66] == '\n');
	FUZZ_ASSERT(apv_parse_mask_abs(sb.s, sb.len, &back) == 0);
	FUZZ_ASSERT(apv_bm_equal(&back, m));
	apv_sb_reset(&sb);
	FUZZ_ASSERT(apv_fmt_mask_hex(&sb, m) == 0);
	FUZZ_ASSERT(sb.len == 66);
	FUZZ_ASSERT(apv_parse_mask(sb.s, sb.len, NULL, &back) == 0);
	FUZZ_ASSERT(apv_bm_equal(&back, m));
	apv_sb_free(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct apv_bitmap sent = sentinel();
	struct apv_bitmap zero, full, mixed, r0 = sent, rf = sent, rm = sent;
	struct apv_bitmap t = sent, a = sent, again;
	char *buf = fuzz_dup(data, size);
	size_t n = strnlen(buf, size);
	bool rel = n && (buf[0] == '+' || buf[0] == '-');
	int e0, ef, em, et, ea;

	apv_bm_zero(&zero);
	apv_bm_fill(&full);
	for (int i = 0; i < APV_BM_WORDS; i++)
		mixed.w[i] = UINT64_C(0x0123456789abcdef) * (uint64_t)(i + 3);

	e0 = apv_parse_mask(buf, size, &zero, &r0);
	ef = apv_parse_mask(buf, size, &full, &rf);
	em = apv_parse_mask(buf, size, &mixed, &rm);
	et = apv_parse_mask(buf, n, &zero, &t);
	ea = apv_parse_mask_abs(buf, size, &a);

	FUZZ_ASSERT(e0 == 0 || e0 == -EINVAL);
	FUZZ_ASSERT(ef == e0 && em == e0 && et == e0);
	if (rel)
		FUZZ_ASSERT(ea == -EINVAL);
	else
		FUZZ_ASSERT(ea == e0);

	if (e0) {
		FUZZ_ASSERT(apv_bm_equal(&r0, &sent));
		FUZZ_ASSERT(apv_bm_equal(&rf, &sent));
		FUZZ_ASSERT(apv_bm_equal(&rm, &sent));
		FUZZ_ASSERT(apv_bm_equal(&t, &sent));
		FUZZ_ASSERT(apv_bm_equal(&a, &sent));
		free(buf);
		return 0;
	}

	FUZZ_ASSERT(apv_bm_equal(&t, &r0));
	if (!rel) {
		FUZZ_ASSERT(apv_bm_equal(&r0, &rf));
		FUZZ_ASSERT(apv_bm_equal(&r0, &rm));
		FUZZ_ASSERT(apv_bm_equal(&r0, &a));
	} else {
		struct apv_bitmap keep, expect;

		FUZZ_ASSERT(apv_bm_subset(&r0, &rf));
		for (int i = 0; i < APV_BM_WORDS; i++)
			keep.w[i] = r0.w[i] ^ rf.w[i];
		apv_bm_and(&expect, &mixed, &keep);
		apv_bm_or(&expect, &expect, &r0);
		FUZZ_ASSERT(apv_bm_equal(&expect, &rm));

		FUZZ_ASSERT(apv_parse_mask(buf, size, &rm, &again) == 0);
		FUZZ_ASSERT(apv_bm_equal(&again, &rm));
		/* in place */
		again = rf;
		FUZZ_ASSERT(apv_parse_mask(buf, size, &again, &again) == 0);
		FUZZ_ASSERT(apv_bm_equal(&again, &rf));
	}
	check_format_roundtrip(&r0);
	check_format_roundtrip(&rf);
	free(buf);
	return 0;
}
