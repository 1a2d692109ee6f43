// SPDX-License-Identifier: MIT
/*
 * Growable NUL-terminated text buffer.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apvirt/strbuf.h>

#define SB_MIN_CAP 64

int apv_sb_reserve(struct apv_strbuf *sb, size_t extra)
{
	size_t need, cap;
	char *s;

	/* need = len + extra + NUL, without wrapping */
	if (extra > SIZE_MAX - 1 - sb->len)
		return -ENOMEM;
	need = sb->len + extra + 1;
	if (sb->s && need <= sb->cap)
		return 0;

	cap = sb->cap ? sb->cap : SB_MIN_CAP;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;

	s = realloc(sb->s, cap);
	if (!s)
		return -ENOMEM;
	if (!sb->s)
		s[0] = '\0';
	sb->s = s;
	sb->cap = cap;
	return 0;
}

int apv_sb_append(struct apv_strbuf *sb, const char *s, size_t n)
{
	int err = apv_sb_reserve(sb, n);

	if (err)
		return err;
	if (n)
		memcpy(sb->s + sb->len, s, n);
	sb->len += n;
	sb->s[sb->len] = '\0';
	return 0;
}

int apv_sb_puts(struct apv_strbuf *sb, const char *s)
{
	return apv_sb_append(sb, s, strlen(s));
}

int apv_sb_vprintf(struct apv_strbuf *sb, const char *fmt, va_list ap)
{
	size_t avail = sb->s ? sb->cap - sb->len : 0;
	va_list ap2;
	int n, err;

	va_copy(ap2, ap);
	n = vsnprintf(avail ? sb->s + sb->len : NULL, avail, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= avail) {
		/* Did not fit: grow, then format again from the original. */
		err = apv_sb_reserve(sb, (size_t)n);
		if (err) {
			/* Undo the partial output of the first attempt. */
			if (sb->s)
				sb->s[sb->len] = '\0';
			return err;
		}
		va_copy(ap2, ap);
		n = vsnprintf(sb->s + sb->len, sb->cap - sb->len, fmt, ap2);
		va_end(ap2);
		if (n < 0) {
			sb->s[sb->len] = '\0';
			return -EINVAL;
		}
	}
	sb->len += (size_t)n;
	return 0;
}

int apv_sb_printf(struct apv_strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = apv_sb_vprintf(sb, fmt, ap);
	va_end(ap);
	return err;
}

void apv_sb_reset(struct apv_strbuf *sb)
{
	sb->len = 0;
	if (sb->s)
		sb->s[0] = '\0';
}

void apv_sb_free(struct apv_strbuf *sb)
{
	if (!sb)
		return;
	free(sb->s);
	sb->s = NULL;
	sb->len = 0;
	sb->cap = 0;
}

const char *apv_sb_str(const struct apv_strbuf *sb)
{
	return sb->s ? sb->s : "";
}
