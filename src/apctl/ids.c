// SPDX-License-Identifier: MIT
/*
 * Id lists in apctl's messages and JSON: the syntax and the printed forms
 * are base's (apvirt/idlist.h); this file words the errors and allocates.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apvirt/hex.h>

#include "apctl.h"

int ctl_parse_list(const char *what, const char *list, unsigned int max,
		   struct apv_bitmap *ids, struct ctl_err *e)
{
	struct apv_idlist_err pe;
	const char *tok;
	int len;

	if (!apv_idlist_parse(list, max, ids, &pe))
		return 0;
	tok = list + pe.tok_off;
	len = (int)pe.tok_len;
	switch (pe.kind) {
	case APV_IDLIST_EMPTY:
		return ctl_fail(e, EINVAL, "%s list is empty", what);
	case APV_IDLIST_EMPTY_RANGE:
		return ctl_fail(e, EINVAL, "%s '%.*s': empty range", what, len,
				tok);
	case APV_IDLIST_OUT_OF_RANGE:
		return ctl_fail(e, EINVAL,
				"%s '%.*s': out of range (max 0x%02x)", what,
				len, tok, max);
	case APV_IDLIST_TRAILING_COMMA:
		return ctl_fail(e, EINVAL, "%s list '%s' ends with ','", what,
				list);
	default:
		return ctl_fail(e, EINVAL, "%s '%.*s': not a number or range",
				what, len, tok);
	}
}

json_t *ctl_idlist_json(const struct apv_bitmap *ids)
{
	json_t *a = json_array();

	apv_bm_for_each(i, ids)
		json_array_append_new(a, json_integer(i));
	return a;
}

char *ctl_idlist_str(const struct apv_bitmap *ids, int width)
{
	struct apv_strbuf sb = APV_STRBUF_INIT;
	char *s;

	if (apv_idlist_fmt(&sb, ids, width))
		abort(); /* out of memory, as xmalloc() */
	s = xstrdup(sb.len ? apv_sb_str(&sb) : "-");
	apv_sb_free(&sb);
	return s;
}

void ctl_print_idlist(const struct apv_bitmap *ids, int width)
{
	char *s = ctl_idlist_str(ids, width);

	puts(s);
	free(s);
}

void ctl_mask_hex(const struct apv_bitmap *ids, char out[67])
{
	uint8_t bytes[32];

	apv_bm_to_bytes(ids, bytes);
	out[0] = '0';
	out[1] = 'x';
	apv_hex_encode(bytes, sizeof(bytes), out + 2);
	out[66] = '\0';
}
