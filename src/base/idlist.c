// SPDX-License-Identifier: MIT
/* Id lists "4-5,0x0a" (idlist.h). */
#include <apvirt/idlist.h>

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* One number of len bytes at s, strtoul base 0 without a sign. */
static int parse_num(const char *s, size_t len, unsigned int *v)
{
	char buf[32], *end;
	unsigned long n;

	if (!len || len >= sizeof(buf) || s[0] == '-' || s[0] == '+')
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	n = strtoul(buf, &end, 0);
	if (errno || *end || n > UINT_MAX)
		return -1;
	*v = (unsigned int)n;
	return 0;
}

static int fail(struct apv_idlist_err *err, enum apv_idlist_errkind kind,
		size_t off, size_t len)
{
	if (err)
		*err = (struct apv_idlist_err){kind, off, len};
	return -EINVAL;
}

int apv_idlist_parse(const char *s, unsigned int max, struct apv_bitmap *out,
		     struct apv_idlist_err *err)
{
	const char *p = s;

	apv_bm_zero(out);
	if (max > APV_MAX_IDS - 1)
		max = APV_MAX_IDS - 1;
	if (!*s)
		return fail(err, APV_IDLIST_EMPTY, 0, 0);
	while (*p) {
		size_t len = strcspn(p, ","), off = (size_t)(p - s);
		const char *dash = memchr(p, '-', len);
		unsigned int lo, hi;

		if (dash ? parse_num(p, (size_t)(dash - p), &lo) ||
				    parse_num(dash + 1,
					      len - (size_t)(dash - p) - 1,
					      &hi) :
			   parse_num(p, len, &lo))
			return fail(err, APV_IDLIST_NOT_NUMBER, off, len);
		if (!dash)
			hi = lo;
		if (lo > hi)
			return fail(err, APV_IDLIST_EMPTY_RANGE, off, len);
		if (hi > max)
			return fail(err, APV_IDLIST_OUT_OF_RANGE, off, len);
		apv_bm_set_range(out, lo, hi);
		p += len;
		if (*p == ',' && !*++p)
			return fail(err, APV_IDLIST_TRAILING_COMMA,
				    (size_t)(p - s) - 1, 1);
	}
	if (err)
		*err = (struct apv_idlist_err){APV_IDLIST_OK, 0, 0};
	return 0;
}

bool apv_idlist_next_run(const struct apv_bitmap *b, unsigned int *pos,
			 unsigned int *lo, unsigned int *hi)
{
	int i = *pos < APV_MAX_IDS ? apv_bm_next(b, *pos) : -1;
	unsigned int j;

	if (i < 0)
		return false;
	j = (unsigned int)i;
	while (j + 1 < APV_MAX_IDS && apv_bm_test(b, j + 1))
		j++;
	*lo = (unsigned int)i;
	*hi = j;
	*pos = j + 1;
	return true;
}

int apv_idlist_fmt(struct apv_strbuf *sb, const struct apv_bitmap *b, int width)
{
	unsigned int pos = 0, lo, hi;
	bool first = true;
	int r = 0;

	while (!r && apv_idlist_next_run(b, &pos, &lo, &hi)) {
		if (hi > lo)
			r = apv_sb_printf(sb, "%s%0*x-%0*x", first ? "" : ",",
					  width, lo, width, hi);
		else
			r = apv_sb_printf(sb, "%s%0*x", first ? "" : ",", width,
					  lo);
		first = false;
	}
	return r;
}
