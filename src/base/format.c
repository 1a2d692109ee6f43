// SPDX-License-Identifier: MIT
/*
 * sysfs text forms of masks, matrices and the queue status (spec
 * vfio-ap-semantics.md §0.3, §1.6, §2.3, §2.4, §2.5, §2.6).
 *
 * Each formatter computes its exact output size, reserves it once and then
 * writes in place, so on -ENOMEM nothing has been appended.
 */
#include <string.h>

#include <apvirt/format.h>
#include <apvirt/hex.h>

#define MASK_HEX_LEN 66 /* "0x" + 64 digits */

/* Append n bytes of room to sb and return where they start (pre-reserved). */
static char *grow(struct apv_strbuf *sb, size_t n)
{
	char *p = sb->s + sb->len;

	sb->len += n;
	sb->s[sb->len] = '\0';
	return p;
}

static char *put_mask(char *p, const struct apv_bitmap *m)
{
	*p++ = '0';
	*p++ = 'x';
	for (int w = 0; w < APV_BM_WORDS; w++)
		for (int sh = 60; sh >= 0; sh -= 4)
			*p++ = apv_hex_digits[(m->w[w] >> sh) & 15];
	return p;
}

/* Two lowercase hex digits of id (< 256). */
static char *put_hex2(char *p, unsigned int id)
{
	*p++ = apv_hex_digits[(id >> 4) & 15];
	*p++ = apv_hex_digits[id & 15];
	return p;
}

/* Four lowercase hex digits of id (< 256, so the first two are 0). */
static char *put_hex4(char *p, unsigned int id)
{
	*p++ = '0';
	*p++ = '0';
	return put_hex2(p, id);
}

int apv_fmt_mask_hex(struct apv_strbuf *sb, const struct apv_bitmap *m)
{
	int err = apv_sb_reserve(sb, MASK_HEX_LEN);

	if (err)
		return err;
	put_mask(grow(sb, MASK_HEX_LEN), m);
	return 0;
}

int apv_fmt_mask(struct apv_strbuf *sb, const struct apv_bitmap *m)
{
	int err = apv_sb_reserve(sb, MASK_HEX_LEN + 1);
	char *p;

	if (err)
		return err;
	p = put_mask(grow(sb, MASK_HEX_LEN + 1), m);
	*p = '\n';
	return 0;
}

int apv_fmt_matrix(struct apv_strbuf *sb, const struct apv_bitmap *apm,
		   const struct apv_bitmap *aqm, unsigned int apm_max,
		   unsigned int aqm_max)
{
	struct apv_bitmap a = *apm, d = *aqm;
	size_t na, nd, size;
	char *p;
	int err;

	apv_bm_limit(&a, apm_max);
	apv_bm_limit(&d, aqm_max);
	na = apv_bm_count(&a);
	nd = apv_bm_count(&d);

	if (na && nd)
		size = na * nd * 8; /* "aa.dddd\n" */
	else if (na)
		size = na * 4; /* "aa.\n" */
	else
		size = nd * 6; /* ".dddd\n" */
	if (!size)
		return 0;
	err = apv_sb_reserve(sb, size);
	if (err)
		return err;
	p = grow(sb, size);

	if (na && nd) {
		apv_bm_for_each(ap, &a) {
			apv_bm_for_each(dom, &d) {
				p = put_hex2(p, (unsigned int)ap);
				*p++ = '.';
				p = put_hex4(p, (unsigned int)dom);
				*p++ = '\n';
			}
		}
	} else if (na) {
		apv_bm_for_each(ap, &a) {
			p = put_hex2(p, (unsigned int)ap);
			*p++ = '.';
			*p++ = '\n';
		}
	} else {
		apv_bm_for_each(dom, &d) {
			*p++ = '.';
			p = put_hex4(p, (unsigned int)dom);
			*p++ = '\n';
		}
	}
	return 0;
}

int apv_fmt_control_domains(struct apv_strbuf *sb, const struct apv_bitmap *adm,
			    unsigned int adm_max)
{
	struct apv_bitmap c = *adm;
	size_t size;
	char *p;
	int err;

	apv_bm_limit(&c, adm_max);
	size = (size_t)apv_bm_count(&c) * 5; /* "dddd\n" */
	if (!size)
		return 0;
	err = apv_sb_reserve(sb, size);
	if (err)
		return err;
	p = grow(sb, size);
	apv_bm_for_each(dom, &c) {
		p = put_hex4(p, (unsigned int)dom);
		*p++ = '\n';
	}
	return 0;
}

int apv_fmt_ap_config(struct apv_strbuf *sb, const struct apv_bitmap *apm,
		      const struct apv_bitmap *aqm,
		      const struct apv_bitmap *adm)
{
	const size_t size = 3 * MASK_HEX_LEN + 3; /* 201 */
	int err = apv_sb_reserve(sb, size);
	char *p;

	if (err)
		return err;
	p = grow(sb, size);
	p = put_mask(p, apm);
	*p++ = ',';
	p = put_mask(p, aqm);
	*p++ = ',';
	p = put_mask(p, adm);
	*p = '\n';
	return 0;
}

const char *apv_queue_status_name(enum apv_queue_status s)
{
	switch (s) {
	case APV_QSTATUS_IN_USE:
		return "in use";
	case APV_QSTATUS_ASSIGNED:
		return "assigned";
	default:
		return "unassigned";
	}
}

int apv_fmt_queue_status(struct apv_strbuf *sb, enum apv_queue_status s)
{
	const char *w = apv_queue_status_name(s);
	size_t n = strlen(w);
	int err = apv_sb_reserve(sb, n + 1);
	char *p;

	if (err)
		return err;
	p = grow(sb, n + 1);
	memcpy(p, w, n);
	p[n] = '\n';
	return 0;
}
