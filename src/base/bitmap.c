// SPDX-License-Identifier: MIT
/*
 * 256-bit AP masks in MSB0 order (see include/apvirt/bitmap.h).
 *
 * Id i is bit 63 - i % 64 of word i / 64, so within a word the lowest id is
 * the most significant set bit and "next set id" is a count of leading
 * zeros.
 */
#include <apvirt/bitmap.h>

/* Word with ids lo..hi (0..63, lo <= hi, positions within one word) set. */
static uint64_t word_span(unsigned int lo, unsigned int hi)
{
	uint64_t from_lo = ~UINT64_C(0) >> lo;	      /* ids lo..63 */
	uint64_t upto_hi = ~UINT64_C(0) << (63 - hi); /* ids 0..hi */

	return from_lo & upto_hi;
}

void apv_bm_set_range(struct apv_bitmap *b, unsigned int first,
		      unsigned int last)
{
	if (last >= APV_MAX_IDS)
		last = APV_MAX_IDS - 1;
	if (first > last)
		return;

	for (unsigned int w = first / 64; w <= last / 64; w++) {
		unsigned int lo = w == first / 64 ? first % 64 : 0;
		unsigned int hi = w == last / 64 ? last % 64 : 63;

		b->w[w] |= word_span(lo, hi);
	}
}

void apv_bm_limit(struct apv_bitmap *b, unsigned int max)
{
	unsigned int w = max / 64;

	if (max >= APV_MAX_IDS - 1)
		return;
	b->w[w] &= word_span(0, max % 64);
	for (w++; w < APV_BM_WORDS; w++)
		b->w[w] = 0;
}

int apv_bm_next(const struct apv_bitmap *b, unsigned int from)
{
	unsigned int w = from / 64;
	uint64_t v;

	if (from >= APV_MAX_IDS)
		return -1;
	v = b->w[w] & (~UINT64_C(0) >> (from % 64));
	for (;;) {
		if (v)
			return (int)(w * 64 + (unsigned int)__builtin_clzll(v));
		if (++w == APV_BM_WORDS)
			return -1;
		v = b->w[w];
	}
}

void apv_bm_and(struct apv_bitmap *dst, const struct apv_bitmap *a,
		const struct apv_bitmap *b)
{
	for (int i = 0; i < APV_BM_WORDS; i++)
		dst->w[i] = a->w[i] & b->w[i];
}

void apv_bm_or(struct apv_bitmap *dst, const struct apv_bitmap *a,
	       const struct apv_bitmap *b)
{
	for (int i = 0; i < APV_BM_WORDS; i++)
		dst->w[i] = a->w[i] | b->w[i];
}

void apv_bm_andnot(struct apv_bitmap *dst, const struct apv_bitmap *a,
		   const struct apv_bitmap *b)
{
	for (int i = 0; i < APV_BM_WORDS; i++)
		dst->w[i] = a->w[i] & ~b->w[i];
}

bool apv_bm_empty(const struct apv_bitmap *b)
{
	uint64_t acc = 0;

	for (int i = 0; i < APV_BM_WORDS; i++)
		acc |= b->w[i];
	return acc == 0;
}

bool apv_bm_equal(const struct apv_bitmap *a, const struct apv_bitmap *b)
{
	uint64_t diff = 0;

	for (int i = 0; i < APV_BM_WORDS; i++)
		diff |= a->w[i] ^ b->w[i];
	return diff == 0;
}

bool apv_bm_intersects(const struct apv_bitmap *a, const struct apv_bitmap *b)
{
	uint64_t acc = 0;

	for (int i = 0; i < APV_BM_WORDS; i++)
		acc |= a->w[i] & b->w[i];
	return acc != 0;
}

bool apv_bm_subset(const struct apv_bitmap *a, const struct apv_bitmap *b)
{
	uint64_t extra = 0;

	for (int i = 0; i < APV_BM_WORDS; i++)
		extra |= a->w[i] & ~b->w[i];
	return extra == 0;
}

unsigned int apv_bm_count(const struct apv_bitmap *b)
{
	unsigned int n = 0;

	for (int i = 0; i < APV_BM_WORDS; i++)
		n += (unsigned int)__builtin_popcountll(b->w[i]);
	return n;
}

void apv_bm_to_bytes(const struct apv_bitmap *b, uint8_t out[32])
{
	for (int i = 0; i < APV_BM_WORDS; i++)
		for (int j = 0; j < 8; j++)
			out[i * 8 + j] = (uint8_t)(b->w[i] >> (56 - 8 * j));
}

void apv_bm_from_bytes(struct apv_bitmap *b, const uint8_t in[32])
{
	for (int i = 0; i < APV_BM_WORDS; i++) {
		uint64_t v = 0;

		for (int j = 0; j < 8; j++)
			v = (v << 8) | in[i * 8 + j];
		b->w[i] = v;
	}
}
