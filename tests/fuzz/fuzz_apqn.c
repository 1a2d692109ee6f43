// SPDX-License-Identifier: MIT
/*
 * Fuzz the queue and card device-name parsers, and the matrix formatter on
 * the masks the input describes.
 *
 * Invariants: a parsed name prints back as the lowercase input without its
 * trailing newline; outputs are untouched on failure; the matrix text has
 * exactly the size its line counts imply.
 */
#include <errno.h>

#include <apvirt/apqn.h>
#include <apvirt/format.h>

#include "fuzz_common.h"

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static void check_matrix(const uint8_t *data, size_t size)
{
	struct apv_strbuf sb = APV_STRBUF_INIT;
	struct apv_bitmap a, d;
	unsigned int amax, dmax;
	size_t na, nd, want;

	if (size < 66)
		return;
	apv_bm_from_bytes(&a, data + 2);
	apv_bm_from_bytes(&d, data + 34);
	amax = data[0];
	dmax = data[1];
	FUZZ_ASSERT(apv_fmt_matrix(&sb, &a, &d, amax, dmax) == 0);
	apv_bm_limit(&a, amax);
	apv_bm_limit(&d, dmax);
	na = apv_bm_count(&a);
	nd = apv_bm_count(&d);
	want = na && nd ? na * nd * 8 : na ? na * 4 : nd * 6;
	FUZZ_ASSERT(sb.len == want);
	FUZZ_ASSERT(strlen(apv_sb_str(&sb)) == want);
	apv_sb_free(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_dup(data, size);
	size_t n = strnlen(buf, size);
	char str[APV_APQN_STRLEN], card[APV_CARD_STRLEN];
	apv_apqn q = 0xbeef;
	unsigned int apid = 0xbeef;
	int rc;

	if (n && buf[n - 1] == '\n')
		n--;

	rc = apv_apqn_parse(buf, size, &q);
	FUZZ_ASSERT(rc == 0 || rc == -EINVAL);
	if (rc) {
		FUZZ_ASSERT(q == 0xbeef);
	} else {
		FUZZ_ASSERT(n == 7);
		apv_apqn_str(q, str);
		for (size_t i = 0; i < 7; i++)
			FUZZ_ASSERT(str[i] == lower(buf[i]));
	}

	rc = apv_card_parse(buf, size, &apid);
	FUZZ_ASSERT(rc == 0 || rc == -EINVAL);
	if (rc) {
		FUZZ_ASSERT(apid == 0xbeef);
	} else {
		FUZZ_ASSERT(n == 6 && apid < 256);
		apv_card_str(apid, card);
		for (size_t i = 0; i < 6; i++)
			FUZZ_ASSERT(card[i] == lower(buf[i]));
	}

	check_matrix(data, size);
	free(buf);
	return 0;
}
