/* SPDX-License-Identifier: MIT */
/*
 * A growable text buffer for attribute output.  sysfs output larger than a
 * page is served whole (the kernel's unbounded 4 KiB writes are a bug we do
 * not copy), so formatters append here instead of into a fixed page.
 */
#ifndef APVIRT_STRBUF_H
#define APVIRT_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct apv_strbuf {
	char *s;    /* NUL-terminated when non-NULL */
	size_t len; /* bytes used, without the NUL */
	size_t cap; /* bytes allocated */
};

#define APV_STRBUF_INIT {NULL, 0, 0}

/* All return 0 or -ENOMEM; on -ENOMEM the buffer keeps its old content. */
int apv_sb_reserve(struct apv_strbuf *sb, size_t extra);
int apv_sb_append(struct apv_strbuf *sb, const char *s, size_t n);
int apv_sb_puts(struct apv_strbuf *sb, const char *s);
int apv_sb_printf(struct apv_strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int apv_sb_vprintf(struct apv_strbuf *sb, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Forget the content, keep the allocation. */
void apv_sb_reset(struct apv_strbuf *sb);
/* Free the allocation; the buffer is reusable afterwards (NULL-safe). */
void apv_sb_free(struct apv_strbuf *sb);
/* Return the string (never NULL: "" for an empty buffer). */
const char *apv_sb_str(const struct apv_strbuf *sb);

#endif /* APVIRT_STRBUF_H */
