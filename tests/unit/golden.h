/* SPDX-License-Identifier: MIT */
/*
 * Golden-file comparison for cmocka tests.
 *
 *	apv_golden_check("format/mask_zero.out", buf, len);
 *
 * compares len bytes of data with APV_TEST_DATA/<relpath> byte for byte and
 * fails the running test with the first differing position (byte offset,
 * line, column and an escaped excerpt of both sides) on mismatch.
 *
 * With APV_TEST_REGENERATE=1 in the environment the golden file is written
 * instead (parent directories are created) and the check passes; review the
 * resulting diff with git before committing it.
 *
 * Include <cmocka.h> (and its prerequisites) before this header; the test
 * program must be compiled with -DAPV_TEST_DATA="<dir>".
 */
#ifndef APVIRT_TESTS_GOLDEN_H
#define APVIRT_TESTS_GOLDEN_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef APV_TEST_DATA
#error "APV_TEST_DATA must name the tests/data directory"
#endif

#define APV_GOLDEN_PATH_MAX 4096
#define APV_GOLDEN_EXCERPT 32

static inline bool apv_golden_regenerate(void)
{
	const char *e = getenv("APV_TEST_REGENERATE");

	return e && strcmp(e, "1") == 0;
}

/* mkdir -p of every parent directory of path. */
static inline int apv_golden_mkparents(const char *path)
{
	char tmp[APV_GOLDEN_PATH_MAX];
	size_t n = strlen(path);

	if (n >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, path, n + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0777) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return 0;
}

/* Read a whole file; NULL if it cannot be read. Caller frees. */
static inline char *apv_golden_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (n == cap) {
			char *nb;

			cap = cap ? cap * 2 : 4096;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		size_t got = fread(buf + n, 1, cap - n, f);

		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*len = n;
	return buf;
}

/* C-escape up to APV_GOLDEN_EXCERPT bytes of s[off..len) into out. */
static inline void apv_golden_excerpt(char *out, size_t outsz, const char *s,
				      size_t len, size_t off)
{
	size_t o = 0;

	for (size_t i = off; i < len && i < off + APV_GOLDEN_EXCERPT; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[8];

		if (c == '\n')
			snprintf(esc, sizeof(esc), "\\n");
		else if (c == '\t')
			snprintf(esc, sizeof(esc), "\\t");
		else if (c == '"' || c == '\\')
			snprintf(esc, sizeof(esc), "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			snprintf(esc, sizeof(esc), "\\x%02x", c);
		else
			snprintf(esc, sizeof(esc), "%c", c);
		if (o + strlen(esc) + 4 >= outsz)
			break;
		memcpy(out + o, esc, strlen(esc));
		o += strlen(esc);
	}
	if (off + APV_GOLDEN_EXCERPT < len && o + 4 < outsz) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

static inline void apv_golden_check(const char *relpath, const char *data,
				    size_t len)
{
	char path[APV_GOLDEN_PATH_MAX];
	char want_x[APV_GOLDEN_EXCERPT * 4 + 8];
	char got_x[APV_GOLDEN_EXCERPT * 4 + 8];
	size_t want_len = 0, off, line = 1, col = 1, bol = 0;
	char *want;
	int n;

	n = snprintf(path, sizeof(path), "%s/%s", APV_TEST_DATA, relpath);
	if (n < 0 || (size_t)n >= sizeof(path))
		fail_msg("golden path too long: %s", relpath);

	if (apv_golden_regenerate()) {
		FILE *f;

		if (apv_golden_mkparents(path))
			fail_msg("golden %s: cannot create parent directories",
				 path);
		f = fopen(path, "wb");
		if (!f)
			fail_msg("golden %s: cannot write: %s", path,
				 strerror(errno));
		if (fwrite(data, 1, len, f) != len || fclose(f))
			fail_msg("golden %s: write failed", path);
		return;
	}

	want = apv_golden_slurp(path, &want_len);
	if (!want) {
		fail_msg("golden %s: cannot read (%s); run the test with "
			 "APV_TEST_REGENERATE=1 to create it",
			 path, strerror(errno));
		return;
	}
	if (want_len == len && memcmp(want, data, len) == 0) {
		free(want);
		return;
	}

	for (off = 0; off < len && off < want_len; off++) {
		if (want[off] != data[off])
			break;
		if (data[off] == '\n') {
			line++;
			col = 1;
			bol = off + 1;
		} else {
			col++;
		}
	}
	apv_golden_excerpt(want_x, sizeof(want_x), want, want_len, bol);
	apv_golden_excerpt(got_x, sizeof(got_x), data, len, bol);
	free(want);
	fail_msg("golden %s differs at byte %zu (line %zu, column %zu); "
		 "expected %zu bytes, got %zu\n"
		 "  expected line: \"%s\"\n"
		 "  actual line:   \"%s\"\n"
		 "  (APV_TEST_REGENERATE=1 rewrites the golden file)",
		 relpath, off, line, col, want_len, len, want_x, got_x);
}

#endif /* APVIRT_TESTS_GOLDEN_H */
