// SPDX-License-Identifier: MIT
/* apctl: mdevctl-compatible definitions (config.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#define CFG_DIR "mdevctl.d/matrix"

void ctl_def_free(struct ctl_def *d)
{
	for (size_t i = 0; i < d->n_attrs; i++) {
		free(d->attrs[i].key);
		free(d->attrs[i].val);
	}
	free(d->attrs);
	free(d->mdev_type);
	memset(d, 0, sizeof(*d));
}

void ctl_def_add(struct ctl_def *d, const char *key, const char *val)
{
	d->attrs = xrealloc(d->attrs, (d->n_attrs + 1) * sizeof(*d->attrs));
	d->attrs[d->n_attrs].key = xstrdup(key);
	d->attrs[d->n_attrs].val = xstrdup(val);
	d->n_attrs++;
}

int ctl_def_load(const char *uuid, struct ctl_def *d)
{
	char *path = ctl_cfg_path(CFG_DIR "/%s", uuid);
	json_t *root, *attrs, *a;
	const char *start;
	json_error_t jerr;
	size_t i;

	memset(d, 0, sizeof(*d));
	if (access(path, F_OK)) {
		int e = -errno;

		free(path);
		return e;
	}
	root = json_load_file(path, 0, &jerr);
	free(path);
	if (!root || !json_is_object(root) ||
	    !json_is_string(json_object_get(root, "mdev_type"))) {
		json_decref(root);
		return -EINVAL;
	}
	d->mdev_type =
		xstrdup(json_string_value(json_object_get(root, "mdev_type")));
	start = json_string_value(json_object_get(root, "start"));
	d->autostart = start && !strcmp(start, "auto");
	attrs = json_object_get(root, "attrs");
	json_array_foreach(attrs, i, a)
	{
		const char *key;
		json_t *v;

		if (!json_is_object(a) || json_object_size(a) != 1)
			goto bad;
		json_object_foreach(a, key, v)
		{
			if (!json_is_string(v))
				goto bad;
			ctl_def_add(d, key, json_string_value(v));
		}
	}
	json_decref(root);
	return 0;
bad:
	json_decref(root);
	ctl_def_free(d);
	return -EINVAL;
}

char *ctl_def_dump(const struct ctl_def *d)
{
	json_t *root = json_object(), *attrs = json_array();
	char *s;

	json_object_set_new(root, "mdev_type", json_string(d->mdev_type));
	json_object_set_new(root, "start",
			    json_string(d->autostart ? "auto" : "manual"));
	for (size_t i = 0; i < d->n_attrs; i++) {
		json_t *a = json_object();

		json_object_set_new(a, d->attrs[i].key,
				    json_string(d->attrs[i].val));
		json_array_append_new(attrs, a);
	}
	json_object_set_new(root, "attrs", attrs);
	/* serde_json's to_string_pretty: two spaces, no final newline. */
	s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (!s) {
		fputs("apctl: out of memory\n", stderr);
		abort();
	}
	return s;
}

int ctl_def_save(const char *uuid, const struct ctl_def *d)
{
	char *path = ctl_cfg_path(CFG_DIR "/%s", uuid);
	char *json = ctl_def_dump(d);
	int e = ctl_write_atomic(path, json);

	free(json);
	free(path);
	return e;
}

int ctl_def_remove(const char *uuid)
{
	char *path = ctl_cfg_path(CFG_DIR "/%s", uuid);
	int e = unlink(path) ? -errno : 0;

	free(path);
	return e;
}

static bool is_uuid_name(const char *name)
{
	return ctl_is_uuid(name);
}

int ctl_def_list(char ***uuids)
{
	char *dir = ctl_cfg_path(CFG_DIR);
	int n = ctl_list_dir(dir, is_uuid_name, uuids);

	free(dir);
	if (n == -ENOENT) {
		*uuids = xcalloc(1, sizeof(char *));
		return 0;
	}
	return n;
}

static int parse_id(const char *s, unsigned int *id)
{
	unsigned long v;
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || (*end && strcmp(end, "\n")) || v >= CTL_MAX_ID)
		return -EINVAL;
	*id = (unsigned int)v;
	return 0;
}

int ctl_def_matrix(const struct ctl_def *d, struct ctl_ids *apm,
		   struct ctl_ids *aqm, struct ctl_ids *adm)
{
	memset(apm, 0, sizeof(*apm));
	memset(aqm, 0, sizeof(*aqm));
	memset(adm, 0, sizeof(*adm));
	for (size_t i = 0; i < d->n_attrs; i++) {
		const char *k = d->attrs[i].key;
		struct ctl_ids *set = NULL;
		unsigned int id;

		if (!strcmp(k, "assign_adapter"))
			set = apm;
		else if (!strcmp(k, "assign_domain"))
			set = aqm;
		else if (!strcmp(k, "assign_control_domain"))
			set = adm;
		if (!set)
			continue;
		if (parse_id(d->attrs[i].val, &id))
			return -EINVAL;
		ctl_ids_set(set, id);
	}
	return 0;
}
