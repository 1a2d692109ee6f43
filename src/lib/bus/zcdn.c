// SPDX-License-Identifier: MIT
/*
 * zcrypt custom device nodes (include/apvirt/zcdn.h): the node table of
 * the host and the operations behind /sys/class/zcrypt/{create,destroy}.
 * The sysfs text layer (trimming, mask parsing, show formats) is in
 * attr.c.  Nodes live in host->zcdn under host->lock; slot i is minor
 * i + 1, so "lowest free minor" is "first free slot".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus_int.h"
#include "../host_int.h"
#include "../machine/machine.h"

/* Names the model refuses: the class directory's own files, the misc
 * device, and the directory names every path resolver treats specially. */
static const char *const reserved_names[] = {
	"create", "destroy", "z90crypt", ".", "..", NULL,
};

static bool name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

/* 0 or -EINVAL with a reason explaining what is wrong with the name. */
static int check_name(const char *name)
{
	size_t n = strlen(name);

	if (n > APV_ZCDN_NAME_MAX)
		return apv_fail(-EINVAL, APV_RULE_SYNTAX,
				"zcrypt node name '%.32s%s' is longer than %u "
				"characters",
				name, n > 32 ? "..." : "", APV_ZCDN_NAME_MAX);
	for (size_t i = 0; i < n; i++)
		if (!name_char_ok(name[i]))
			return apv_fail(
				-EINVAL, APV_RULE_SYNTAX,
				"zcrypt node name '%s': character "
				"0x%02x is not one of A-Z a-z 0-9 _ . -",
				name, (unsigned int)(unsigned char)name[i]);
	for (size_t i = 0; reserved_names[i]; i++)
		if (!strcmp(name, reserved_names[i]))
			return apv_fail(-EINVAL, APV_RULE_SYNTAX,
					"zcrypt node name '%s' is reserved",
					name);
	return 0;
}

struct apv_zcdn *apv_zcdn_find_locked(struct apv_host *host, const char *name)
{
	struct apv_zcdns *t = &host->zcdn;

	apv_assert_locked(host);
	for (unsigned int i = 0; name && t->n && i < APV_ZCDN_MAX; i++)
		if (t->node[i].used && !strcmp(t->node[i].name, name))
			return &t->node[i];
	return NULL;
}

int apv_zcdn_create_locked(struct apv_host *host, const char *name,
			   struct apv_zcdn **out)
{
	struct apv_zcdns *t = &host->zcdn;
	char autoname[APV_ZCDN_NAME_MAX + 1];
	struct apv_zcdn *z = NULL;
	int rc;

	apv_assert_locked(host);
	if (name[0]) {
		rc = check_name(name);
		if (rc)
			return rc;
		if (apv_zcdn_find_locked(host, name))
			return apv_fail(-EEXIST, APV_RULE_EXISTS,
					"zcrypt node %s already exists", name);
	}
	for (unsigned int i = 0; i < APV_ZCDN_MAX && !z; i++)
		if (!t->node[i].used)
			z = &t->node[i];
	if (!z)
		return apv_fail(-ENOSPC, APV_RULE_NO_INSTANCES,
				"all %u zcrypt node minors are in use",
				APV_ZCDN_MAX);
	if (!name[0]) {
		snprintf(autoname, sizeof(autoname), "zcrypt_%u",
			 apv_zcdn_minor(host, z));
		/* an explicit node may already carry the automatic name */
		if (apv_zcdn_find_locked(host, autoname))
			return apv_fail(-EEXIST, APV_RULE_EXISTS,
					"zcrypt node %s already exists",
					autoname);
		name = autoname;
	}
	memset(z, 0, sizeof(*z));
	z->used = true;
	z->gen = apv_bus_next_gen(&host->bus);
	snprintf(z->name, sizeof(z->name), "%s", name);
	t->n++;
	apv_devev_named(host, APV_DEVEV_ADD, APV_DEVEV_ZCDN, z->name, NULL, NULL,
			APV_DEVCHG_NONE, apv_zcdn_minor(host, z), NULL);
	if (out)
		*out = z;
	return 0;
}

int apv_zcdn_destroy_locked(struct apv_host *host, const char *name)
{
	struct apv_zcdn *z = apv_zcdn_find_locked(host, name);

	apv_assert_locked(host);
	if (!z)
		return apv_fail(-ENOENT, APV_RULE_NO_DEVICE,
				"zcrypt node %.32s does not exist", name);
	apv_devev_named(host, APV_DEVEV_REMOVE, APV_DEVEV_ZCDN, z->name, NULL,
			NULL, APV_DEVCHG_NONE, apv_zcdn_minor(host, z), NULL);
	memset(z, 0, sizeof(*z));
	host->zcdn.n--;
	return 0;
}

static void fill_info(const struct apv_host *host, const struct apv_zcdn *z,
		      struct apv_zcdn_info *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", z->name);
	out->major = APV_ZCDN_MAJOR;
	out->minor = apv_zcdn_minor(host, z);
	out->apmask = z->apmask;
	out->aqmask = z->aqmask;
	out->admask = z->admask;
	out->ioctlmask = z->ioctlmask;
}

struct apv_obj apv_obj_zcdn(const char *name)
{
	struct apv_obj o = {.kind = APV_OBJ_ZCDN};
	size_t n = strlen(name);

	/* too long for the field: leave it empty, which names no node */
	if (n < sizeof(o.driver))
		memcpy(o.driver, name, n + 1);
	return o;
}

int apv_zcdn_create(struct apv_host *host, const char *name,
		    struct apv_zcdn_info *out)
{
	struct apv_zcdn *z = NULL;
	int rc;

	apv_reason_clear();
	apv_lock(host);
	rc = apv_zcdn_create_locked(host, name ? name : "", &z);
	if (!rc && out && z)
		fill_info(host, z, out);
	apv_unlock(host);
	return rc;
}

int apv_zcdn_destroy(struct apv_host *host, const char *name)
{
	int rc;

	apv_reason_clear();
	apv_lock(host);
	rc = apv_zcdn_destroy_locked(host, name ? name : "");
	apv_unlock(host);
	return rc;
}

int apv_zcdn_get(struct apv_host *host, const char *name,
		 struct apv_zcdn_info *out)
{
	const struct apv_zcdn *z;
	int rc = 0;

	apv_reason_clear();
	apv_lock(host);
	z = apv_zcdn_find_locked(host, name);
	if (z)
		fill_info(host, z, out);
	else
		rc = apv_fail(-ENOENT, APV_RULE_NO_DEVICE,
			      "zcrypt node %.32s does not exist",
			      name ? name : "(null)");
	apv_unlock(host);
	return rc;
}

int apv_zcdn_list(struct apv_host *host, struct apv_zcdn_info **out, size_t *n)
{
	struct apv_zcdn_info *v = NULL;
	size_t k = 0;
	int rc = 0;

	apv_reason_clear();
	apv_lock(host);
	if (host->zcdn.n) {
		v = calloc(host->zcdn.n, sizeof(*v));
		if (!v)
			rc = apv_fail(-ENOMEM, APV_RULE_NO_MEMORY,
				      "out of memory");
	}
	for (unsigned int i = 0; v && i < APV_ZCDN_MAX; i++)
		if (host->zcdn.node[i].used)
			fill_info(host, &host->zcdn.node[i], &v[k++]);
	apv_unlock(host);
	*out = v;
	*n = k;
	return rc;
}
