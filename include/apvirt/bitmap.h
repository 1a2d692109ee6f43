/* SPDX-License-Identifier: MIT */
/*
 * 256-bit AP masks in the architecture's MSB0 bit order.
 *
 * Every AP mask (APM, AQM, ADM, apmask, aqmask) is a big-endian 256-bit
 * string: id 0 is the most significant bit of byte 0, id 255 the least
 * significant bit of byte 31.  We keep four 64-bit words, word 0 first, and
 * id i lives in word i / 64 at bit 63 - i % 64, so that printing the words in
 * order as hex gives the sysfs text and comparing words compares masks.
 */
#ifndef APVIRT_BITMAP_H
#define APVIRT_BITMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define APV_MAX_IDS 256 /* architectural APID and APQI range: 0..255 */
#define APV_BM_WORDS 4

struct apv_bitmap {
	uint64_t w[APV_BM_WORDS];
};

static inline uint64_t apv_bm_bit_(unsigned int id)
{
	return UINT64_C(1) << (63 - (id & 63));
}

static inline void apv_bm_zero(struct apv_bitmap *b)
{
	for (int i = 0; i < APV_BM_WORDS; i++)
		b->w[i] = 0;
}

static inline void apv_bm_fill(struct apv_bitmap *b)
{
	for (int i = 0; i < APV_BM_WORDS; i++)
		b->w[i] = ~UINT64_C(0);
}

/* Ids >= 256 are never set: test returns false, set/clear do nothing. */
static inline bool apv_bm_test(const struct apv_bitmap *b, unsigned int id)
{
	return id < APV_MAX_IDS && (b->w[id >> 6] & apv_bm_bit_(id));
}

static inline void apv_bm_set(struct apv_bitmap *b, unsigned int id)
{
	if (id < APV_MAX_IDS)
		b->w[id >> 6] |= apv_bm_bit_(id);
}

static inline void apv_bm_clear(struct apv_bitmap *b, unsigned int id)
{
	if (id < APV_MAX_IDS)
		b->w[id >> 6] &= ~apv_bm_bit_(id);
}

/* Set ids first..last inclusive (clamped to 255); nothing if first > last. */
void apv_bm_set_range(struct apv_bitmap *b, unsigned int first,
		      unsigned int last);

/* Clear every id greater than max (max >= 255 leaves b unchanged). */
void apv_bm_limit(struct apv_bitmap *b, unsigned int max);

/* Smallest set id >= from, or -1 if none (from >= 256 gives -1). */
int apv_bm_next(const struct apv_bitmap *b, unsigned int from);

/*
 * Iterate set ids in ascending order (the kernel's for_each_set_bit_inv).
 * id names the loop variable it declares, so it cannot be parenthesised.
 */
/* NOLINTBEGIN(bugprone-macro-parentheses) */
#define apv_bm_for_each(id, b)                                               \
	for (int id = apv_bm_next((b), 0); (id) >= 0;                        \
	     (id) = apv_bm_next((b), (unsigned int)(id) + 1))
/* NOLINTEND(bugprone-macro-parentheses) */

/* dst may alias a or b. */
void apv_bm_and(struct apv_bitmap *dst, const struct apv_bitmap *a,
		const struct apv_bitmap *b);
void apv_bm_or(struct apv_bitmap *dst, const struct apv_bitmap *a,
	       const struct apv_bitmap *b);
/* dst = a & ~b */
void apv_bm_andnot(struct apv_bitmap *dst, const struct apv_bitmap *a,
		   const struct apv_bitmap *b);

bool apv_bm_empty(const struct apv_bitmap *b);
bool apv_bm_equal(const struct apv_bitmap *a, const struct apv_bitmap *b);
bool apv_bm_intersects(const struct apv_bitmap *a, const struct apv_bitmap *b);
/* a is a subset of b */
bool apv_bm_subset(const struct apv_bitmap *a, const struct apv_bitmap *b);
unsigned int apv_bm_count(const struct apv_bitmap *b);

/* Architectural byte image (32 bytes, big-endian, as in QCI and the CRYCB). */
void apv_bm_to_bytes(const struct apv_bitmap *b, uint8_t out[32]);
void apv_bm_from_bytes(struct apv_bitmap *b, const uint8_t in[32]);

#endif /* APVIRT_BITMAP_H */
