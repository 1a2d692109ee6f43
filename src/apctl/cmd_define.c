// SPDX-License-Identifier: MIT
/* apctl define / undefine: mdevctl definitions; NAME -> UUID. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apctl.h"

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

/*
 * A NAME that is not a UUID names the UUID derived from it (FNV-1a, mixed
 * into 128 bits; version 8 and RFC 4122 variant bits): the same NAME is
 * always the same mdev.
 */
void ctl_name_uuid(const char *name, char uuid[37])
{
	uint64_t x = UINT64_C(0xcbf29ce484222325), h[2];
	uint8_t b[16];

	for (const char *p = name; *p; p++) {
		x ^= (unsigned char)*p;
		x *= UINT64_C(0x100000001b3);
	}
	h[0] = mix64(x);
	h[1] = mix64(x ^ UINT64_C(0x9e3779b97f4a7c15));
	for (int i = 0; i < 16; i++)
		b[i] = (uint8_t)(h[i / 8] >> (8 * (i % 8)));
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x80);
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	apv_uuid_str(b, uuid);
}

void ctl_lower_uuid(const char *in, char uuid[37])
{
	uint8_t b[16];

	if (apv_uuid_parse(in, APV_UUID_STRLEN, b))
		abort(); /* callers pass apv_uuid_is() names only */
	apv_uuid_str(b, uuid);
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static bool is_alnum(char c)
{
	return is_hex(c) || (c >= 'g' && c <= 'z') || (c >= 'G' && c <= 'Z');
}

/*
 * A likely typo of a UUID: five groups of letters and digits joined by
 * '-', 32 to 40 characters, at most three of them not hexadecimal digits
 * (or 30 to 34 hexadecimal digits without a '-').  why: what is wrong.
 */
static bool uuid_like(const char *s, char *why, size_t n)
{
	static const size_t want[5] = {8, 4, 4, 4, 12};
	size_t len = strlen(s), glen[5] = {0}, g = 0, nonhex = 0;
	const char *bad = NULL;

	for (const char *p = s; *p; p++) {
		if (*p == '-') {
			if (++g == 5)
				return false;
			continue;
		}
		if (!is_alnum(*p))
			return false;
		glen[g]++;
		if (!is_hex(*p) && !nonhex++)
			bad = p;
	}
	if (g == 0 && !nonhex && len >= 30 && len <= 34) {
		snprintf(why, n,
			 "%zu hexadecimal digits without the dashes "
			 "of 8-4-4-4-12",
			 len);
		return true;
	}
	if (g != 4 || len < 32 || len > 40 || nonhex > 3)
		return false;
	for (int i = 0; i < 5; i++)
		if (!glen[i])
			return false;
	for (int i = 0; i < 5; i++)
		if (glen[i] != want[i]) {
			snprintf(why, n, "group %d has %zu characters, not %zu",
				 i + 1, glen[i], want[i]);
			return true;
		}
	snprintf(why, n, "'%c' is not a hexadecimal digit", bad ? *bad : '?');
	return true;
}

int ctl_check_name(const char *name, char *why, size_t n)
{
	if (!*name) {
		snprintf(why, n, "the empty name is not a NAME");
		return -1;
	}
	if (!apv_uuid_is(name) && uuid_like(name, why, n))
		return -1;
	return 0;
}

int ctl_resolve_uuid(const char *name, char uuid[37], struct ctl_err *e)
{
	char why[80];

	if (ctl_check_name(name, why, sizeof(why))) {
		e->exit_code = 2; /* a usage error */
		if (!*name)
			return ctl_fail(e, 0, "%s", why);
		return ctl_fail(e, 0,
				"'%s': looks like a UUID but is not one (%s); "
				"a NAME must not look like a UUID",
				name, why);
	}
	if (apv_uuid_is(name))
		ctl_lower_uuid(name, uuid);
	else
		ctl_name_uuid(name, uuid);
	return 0;
}

static void add_ids(struct ctl_def *d, const char *key,
		    const struct apv_bitmap *ids)
{
	char v[8];

	for (unsigned int i = 0; i < APV_MAX_IDS; i++) {
		if (!apv_bm_test(ids, i))
			continue;
		snprintf(v, sizeof(v), "0x%x", i);
		ctl_def_add(d, key, v);
	}
}

/* ", WHAT OLD (asked NEW)" onto *diff when the two id sets differ. */
static void diff_ids(char **diff, const char *what,
		     const struct apv_bitmap *old,
		     const struct apv_bitmap *want, int width)
{
	char *o, *w, *t;

	if (!memcmp(old, want, sizeof(*old)))
		return;
	o = ctl_idlist_str(old, width);
	w = ctl_idlist_str(want, width);
	t = xasprintf("%s%s%s %s (asked %s)", *diff ? *diff : "",
		      *diff ? ", " : "", what, o, w);
	free(*diff);
	*diff = t;
	free(o);
	free(w);
}

/*
 * What the existing definition old has that define would not write
 * (malloc'ed; NULL: the same).
 */
static char *def_diff(const struct ctl_def *old,
		      const struct apv_bitmap want[3], bool autostart)
{
	static const char *const what[3] = {"adapters", "domains",
					    "control domains"};
	struct apv_bitmap have[3];
	char *diff = NULL;

	if (strcmp(old->mdev_type, MDEV_TYPE))
		return xasprintf("type %s (asked " MDEV_TYPE ")",
				 old->mdev_type);
	for (size_t i = 0; i < old->n_attrs; i++)
		if (strncmp(old->attrs[i].key, "assign_", 7))
			return xasprintf("attribute %s (not written by define)",
					 old->attrs[i].key);
	if (ctl_def_matrix(old, &have[0], &have[1], &have[2]))
		return xstrdup("an assign_* value that is not one number");
	for (int k = 0; k < 3; k++)
		diff_ids(&diff, what[k], &have[k], &want[k], k ? 4 : 2);
	if (old->autostart != autostart) {
		char *t = xasprintf("%s%sstart %s (asked %s)", diff ? diff : "",
				    diff ? ", " : "",
				    old->autostart ? "auto" : "manual",
				    autostart ? "auto" : "manual");

		free(diff);
		diff = t;
	}
	return diff;
}

/*
 * An existing definition: the same as asked is success without a write
 * (define is idempotent); a different one is refused, saying what differs.
 * 0 (unchanged), or -1 with e filled.
 */
static int def_exists(const char *uuid, const struct ctl_def *old,
		      const struct apv_bitmap want[3], bool autostart,
		      struct ctl_err *e)
{
	char *diff = def_diff(old, want, autostart);

	if (!diff)
		return 0;
	ctl_fail(e, EEXIST,
		 "mdev %s: already defined differently: %s; "
		 "change it with 'apctl modify %s'",
		 uuid, diff, uuid);
	free(diff);
	return -1;
}

int cmd_define(const struct args *a, json_t **out, struct ctl_err *e)
{
	struct apv_bitmap apm = {{0}}, aqm = {{0}}, adm = {{0}};
	unsigned int amax = ctl_max_id("ap_max_adapter_id");
	unsigned int dmax = ctl_max_id("ap_max_domain_id");
	struct ctl_def d = {0}, old;
	char uuid[37];
	int r;

	if (ctl_resolve_uuid(a->operand, uuid, e))
		return -1;
	if (a->set[OPT_ADAPTERS] &&
	    ctl_parse_list("adapter", a->val[OPT_ADAPTERS], amax, &apm, e))
		return -1;
	if (a->set[OPT_DOMAINS] &&
	    ctl_parse_list("domain", a->val[OPT_DOMAINS], dmax, &aqm, e))
		return -1;
	if (a->set[OPT_CONTROL_DOMAINS] &&
	    ctl_parse_list("control domain", a->val[OPT_CONTROL_DOMAINS], dmax,
			   &adm, e))
		return -1;
	r = ctl_def_load(uuid, &old);
	if (!r) {
		const struct apv_bitmap want[3] = {apm, aqm, adm};

		r = def_exists(uuid, &old, want, a->set[OPT_AUTOSTART], e);
		ctl_def_free(&old);
		if (r)
			return -1;
		*out = json_pack("{s:s,s:b}", "uuid", uuid, "unchanged", 1);
		if (!a->json)
			puts(uuid);
		return 0;
	}
	if (r != -ENOENT)
		return ctl_fail(
			e, EEXIST,
			"mdev %s: already defined (the definition "
			"cannot be read: %s)",
			uuid, r == -EINVAL ? "not mdevctl JSON" : strerror(-r));
	d.mdev_type = xstrdup(MDEV_TYPE);
	/* The name given is kept (CFG_NAME_KEY, config.h): list, show and
	 * matrix show it back. */
	d.name = apv_uuid_is(a->operand) ? NULL : xstrdup(a->operand);
	d.autostart = a->set[OPT_AUTOSTART];
	add_ids(&d, "assign_adapter", &apm);
	add_ids(&d, "assign_domain", &aqm);
	add_ids(&d, "assign_control_domain", &adm);
	r = ctl_def_save(uuid, &d);
	ctl_def_free(&d);
	if (r)
		return ctl_fail(e, -r,
				"mdev %s: cannot write the definition: %s",
				uuid, strerror(-r));
	*out = json_pack("{s:s,s:b}", "uuid", uuid, "unchanged", 0);
	if (!a->json)
		puts(uuid);
	return 0;
}

int cmd_undefine(const struct args *a, json_t **out, struct ctl_err *e)
{
	char uuid[37];
	int r;

	if (ctl_resolve_uuid(a->operand, uuid, e))
		return -1;
	r = ctl_def_remove(uuid);
	if (r == -ENOENT)
		return ctl_fail(e, ENOENT, "mdev %s: not defined", uuid);
	if (r)
		return ctl_fail(e, -r,
				"mdev %s: cannot remove the definition: %s",
				uuid, strerror(-r));
	*out = json_pack("{s:s}", "uuid", uuid);
	return 0;
}

/* ---- apctl start / stop --------------------------------------------------- */
