// SPDX-License-Identifier: MIT
/*
 * Readers of the sysfs text forms (scan.h): the inverse of format.c, with
 * the same grammar the kernel's show functions produce (spec
 * vfio-ap-semantics.md §1.6, §2.4, §2.6).
 */
#include <apvirt/scan.h>

#include <errno.h>

#include <apvirt/hex.h>

#define MASK_HEX_LEN 66 /* "0x" + 64 digits */

/* len without one trailing '\n'. */
static size_t chomp(const char *buf, size_t len)
{
	return len && buf[len - 1] == '\n' ? len - 1 : len;
}

/* Exactly n hex digits at s as a number. */
static int hex_n(const char *s, size_t n, unsigned int *out)
{
	unsigned int v = 0;

	for (size_t i = 0; i < n; i++) {
		int d = apv_hex_val(s[i]);

		if (d < 0)
			return -EINVAL;
		v = v << 4 | (unsigned int)d;
	}
	*out = v;
	return 0;
}

/* "0x" + 64 digits at s (exactly MASK_HEX_LEN bytes). */
static int mask_at(const char *s, struct apv_bitmap *out)
{
	struct apv_bitmap m;

	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return -EINVAL;
	for (int w = 0; w < APV_BM_WORDS; w++) {
		uint64_t v;

		if (apv_hex_u64(s + 2 + 16 * w, 16, &v))
			return -EINVAL;
		m.w[w] = v;
	}
	*out = m;
	return 0;
}

int apv_scan_mask(const char *buf, size_t len, struct apv_bitmap *out)
{
	if (chomp(buf, len) != MASK_HEX_LEN)
		return -EINVAL;
	return mask_at(buf, out);
}

int apv_scan_matrix(const char *buf, size_t len, struct apv_bitmap *apm,
		    struct apv_bitmap *aqm)
{
	struct apv_bitmap a, d;
	size_t o = 0;

	apv_bm_zero(&a);
	apv_bm_zero(&d);
	while (o < len) {
		const char *s = buf + o;
		unsigned int ap, dom;
		size_t n = 0;

		while (o + n < len && s[n] != '\n')
			n++;
		if (n == 7 && s[2] == '.' && !hex_n(s, 2, &ap) &&
		    !hex_n(s + 3, 4, &dom) && dom < APV_MAX_IDS) {
			apv_bm_set(&a, ap);
			apv_bm_set(&d, dom);
		} else if (n == 3 && s[2] == '.' && !hex_n(s, 2, &ap)) {
			apv_bm_set(&a, ap);
		} else if (n == 5 && s[0] == '.' && !hex_n(s + 1, 4, &dom) &&
			   dom < APV_MAX_IDS) {
			apv_bm_set(&d, dom);
		} else {
			return -EINVAL;
		}
		o += n + 1;
	}
	*apm = a;
	*aqm = d;
	return 0;
}

int apv_scan_control_domains(const char *buf, size_t len,
			     struct apv_bitmap *adm)
{
	struct apv_bitmap c;
	size_t o = 0;

	apv_bm_zero(&c);
	while (o < len) {
		const char *s = buf + o;
		unsigned int dom;
		size_t n = 0;

		while (o + n < len && s[n] != '\n')
			n++;
		if (n != 4 || hex_n(s, 4, &dom) || dom >= APV_MAX_IDS)
			return -EINVAL;
		apv_bm_set(&c, dom);
		o += n + 1;
	}
	*adm = c;
	return 0;
}

int apv_scan_ap_config(const char *buf, size_t len, struct apv_bitmap *apm,
		       struct apv_bitmap *aqm, struct apv_bitmap *adm)
{
	struct apv_bitmap m[3];

	if (chomp(buf, len) != 3 * MASK_HEX_LEN + 2 ||
	    buf[MASK_HEX_LEN] != ',' || buf[2 * MASK_HEX_LEN + 1] != ',')
		return -EINVAL;
	for (int i = 0; i < 3; i++)
		if (mask_at(buf + i * (MASK_HEX_LEN + 1), &m[i]))
			return -EINVAL;
	*apm = m[0];
	*aqm = m[1];
	*adm = m[2];
	return 0;
}
