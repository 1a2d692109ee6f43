// SPDX-License-Identifier: MIT
/*
 * Id lists: the human syntax of adapters and domains ("4-5,0x0a") and
 * the forms apctl prints.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apctl.h"

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

/* "4-5,0x0a" into IDS; each id must be <= MAX. */
int ctl_parse_list(const char *what, const char *list, unsigned int max,
		   struct ctl_ids *ids, struct ctl_err *e)
{
	const char *p = list;

	memset(ids, 0, sizeof(*ids));
	if (!*list)
		return ctl_fail(e, EINVAL, "%s list is empty", what);
	while (*p) {
		size_t len = strcspn(p, ",");
		const char *dash = memchr(p, '-', len);
		unsigned int lo, hi;

		if (dash ? parse_num(p, (size_t)(dash - p), &lo) ||
				    parse_num(dash + 1,
					      len - (size_t)(dash - p) - 1,
					      &hi) :
			   parse_num(p, len, &lo))
			return ctl_fail(e, EINVAL,
					"%s '%.*s': not a number or range",
					what, (int)len, p);
		if (!dash)
			hi = lo;
		if (lo > hi)
			return ctl_fail(e, EINVAL, "%s '%.*s': empty range",
					what, (int)len, p);
		if (hi > max)
			return ctl_fail(e, EINVAL,
					"%s '%.*s': out of range (max 0x%02x)",
					what, (int)len, p, max);
		for (unsigned int i = lo; i <= hi; i++)
			ctl_ids_set(ids, i);
		p += len;
		if (*p == ',' && !*++p)
			return ctl_fail(e, EINVAL, "%s list '%s' ends with ','",
					what, list);
	}
	return 0;
}

json_t *ctl_ids_json(const struct ctl_ids *ids)
{
	json_t *a = json_array();

	for (unsigned int i = 0; i < CTL_MAX_ID; i++)
		if (ctl_ids_test(ids, i))
			json_array_append_new(a, json_integer(i));
	return a;
}

bool ctl_ids_next_run(const struct ctl_ids *ids, unsigned int *pos,
		      unsigned int *lo, unsigned int *hi)
{
	unsigned int i = *pos;

	while (i < CTL_MAX_ID && !ctl_ids_test(ids, i))
		i++;
	if (i >= CTL_MAX_ID)
		return false;
	*lo = i;
	while (i + 1 < CTL_MAX_ID && ctl_ids_test(ids, i + 1))
		i++;
	*hi = i;
	*pos = i + 1;
	return true;
}

char *ctl_ids_str(const struct ctl_ids *ids, int width)
{
	char *s = xstrdup(""), *t;
	unsigned int pos = 0, i, j;

	while (ctl_ids_next_run(ids, &pos, &i, &j)) {
		if (j > i)
			t = xasprintf("%s%s%0*x-%0*x", s, *s ? "," : "", width,
				      i, width, j);
		else
			t = xasprintf("%s%s%0*x", s, *s ? "," : "", width, i);
		free(s);
		s = t;
	}
	if (!*s) {
		free(s);
		s = xstrdup("-");
	}
	return s;
}

void ctl_print_ids(const struct ctl_ids *ids, int width)
{
	char *s = ctl_ids_str(ids, width);

	puts(s);
	free(s);
}

bool ctl_ids_empty(const struct ctl_ids *ids)
{
	return !(ids->w[0] | ids->w[1] | ids->w[2] | ids->w[3]);
}

void ctl_mask_hex(const struct ctl_ids *ids, char out[67])
{
	char *p = out + 2;

	out[0] = '0';
	out[1] = 'x';
	for (unsigned int i = 0; i < CTL_MAX_ID; i += 4) {
		unsigned int v = 0;

		for (unsigned int j = 0; j < 4; j++)
			v = v << 1 | ctl_ids_test(ids, i + j);
		*p++ = "0123456789abcdef"[v];
	}
	*p = '\0';
}

/* ---- the host, read through sysfs ---------------------------------------- */
