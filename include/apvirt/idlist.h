/* SPDX-License-Identifier: MIT */
/*
 * Id lists: the human syntax of adapter and domain sets ("4-5,0x0a", as
 * s390-tools' chzdev and apctl take them) into a struct apv_bitmap, and
 * the compact forms printed back ("04-05,0a" or "0047,0054").
 *
 * Grammar: item (',' item)*, item = NUM | NUM '-' NUM, NUM as strtoul base
 * 0 (0x hex, leading 0 octal, else decimal; no sign), each <= max, ranges
 * need first <= last.  No empty items (strtoul skips leading blanks).
 */
#ifndef APVIRT_IDLIST_H
#define APVIRT_IDLIST_H

#include <stdbool.h>
#include <stddef.h>

#include <apvirt/bitmap.h>
#include <apvirt/strbuf.h>

enum apv_idlist_errkind {
	APV_IDLIST_OK,
	APV_IDLIST_EMPTY,	  /* the whole list is empty */
	APV_IDLIST_NOT_NUMBER,	  /* the token is not a number or range */
	APV_IDLIST_EMPTY_RANGE,	  /* first > last */
	APV_IDLIST_OUT_OF_RANGE,  /* an id above max */
	APV_IDLIST_TRAILING_COMMA /* the list ends with ',' */
};

/* Where a parse failed: the culprit token is s[tok_off, tok_off+tok_len). */
struct apv_idlist_err {
	enum apv_idlist_errkind kind;
	size_t tok_off, tok_len;
};

/*
 * Parse NUL-terminated s into out (zeroed first); each id must be <= max
 * (at most 255).  0, or -EINVAL with *err (may be NULL) naming the
 * culprit; out is then unspecified.
 */
int apv_idlist_parse(const char *s, unsigned int max, struct apv_bitmap *out,
		     struct apv_idlist_err *err);

/*
 * The next run of consecutive set ids at or after *pos (start with 0): its
 * first and last id in *lo and *hi, *pos moved past it.  false when no id
 * is left.
 */
bool apv_idlist_next_run(const struct apv_bitmap *b, unsigned int *pos,
			 unsigned int *lo, unsigned int *hi);

/*
 * Append the runs of b, each id as `width` lowercase hex digits, runs
 * joined by ',', a run of two or more ids as "lo-hi" ("04-05,0a" with
 * width 2).  Nothing is appended for an empty b.  0 or -ENOMEM.
 */
int apv_idlist_fmt(struct apv_strbuf *sb, const struct apv_bitmap *b,
		   int width);

#endif /* APVIRT_IDLIST_H */
