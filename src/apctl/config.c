// SPDX-License-Identifier: MIT
/* apctl: mdevctl-compatible definitions (config.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

void ctl_def_free(struct ctl_def *d)
{
	for (size_t i = 0; i < d->n_attrs; i++) {
		free(d->attrs[i].key);
		free(d->attrs[i].val);
	}
	free(d->attrs);
	free(d->mdev_type);
	free(d->name);
	memset(d, 0, sizeof(*d));
}

void ctl_def_add(struct ctl_def *d, const char *key, const char *val)
{
	d->attrs = xrealloc(d->attrs, (d->n_attrs + 1) * sizeof(*d->attrs));
	d->attrs[d->n_attrs].key = xstrdup(key);
	d->attrs[d->n_attrs].val = xstrdup(val);
	d->n_attrs++;
}

int ctl_def_parse(const char *text, struct ctl_def *d)
{
	json_t *root, *attrs, *a;
	const char *start;
	json_error_t jerr;
	size_t i;

	memset(d, 0, sizeof(*d));
	root = json_loads(text, 0, &jerr);
	if (!root || !json_is_object(root) ||
	    !json_is_string(json_object_get(root, "mdev_type"))) {
		json_decref(root);
		return -EINVAL;
	}
	d->mdev_type =
		xstrdup(json_string_value(json_object_get(root, "mdev_type")));
	start = json_string_value(json_object_get(root, "start"));
	d->autostart = start && !strcmp(start, "auto");
	start = json_string_value(json_object_get(root, CFG_NAME_KEY));
	d->name = start && *start ? xstrdup(start) : NULL;
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

int ctl_def_load(const char *uuid, struct ctl_def *d)
{
	char *text;
	int r = ctl_def_get(uuid, &text);

	memset(d, 0, sizeof(*d));
	if (r)
		return r;
	if (!text)
		return -ENOENT;
	r = ctl_def_parse(text, d);
	free(text);
	return r;
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
	if (d->name)
		json_object_set_new(root, CFG_NAME_KEY, json_string(d->name));
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
	int e = ctl_write_atomic(path, json, 0);

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

int ctl_def_get(const char *uuid, char **out)
{
	char *path = ctl_cfg_path(CFG_DIR "/%s", uuid);
	int r = ctl_read_regular(path, out);

	free(path);
	*out = r ? NULL : *out;
	return r == -ENOENT ? 0 : r;
}

int ctl_def_put(const char *uuid, const char *bytes)
{
	char *dir = ctl_cfg_path(CFG_DIR);
	char *path = xasprintf("%s/%s", dir, uuid);
	int r;

	if (bytes) {
		r = ctl_write_atomic(path, bytes, CTL_ATOMIC_TEST_POINTS);
	} else {
		r = ctl_test_point();
		if (!r)
			r = unlink(path) && errno != ENOENT ? -errno : 0;
		if (!r)
			r = ctl_fsync_dir(dir);
	}
	free(path);
	free(dir);
	return r;
}

static bool is_temp(const char *name)
{
	return name[0] == '.' && strlen(name) == 1 + 36 + 7 && name[37] == '.';
}

void ctl_def_clean_temps(void)
{
	char *dir = ctl_cfg_path(CFG_DIR);
	char **names;

	if (ctl_list_dir(dir, is_temp, &names) >= 0) {
		for (char **n = names; *n; n++) {
			char *p = xasprintf("%s/%s", dir, *n);

			unlink(p);
			free(p);
		}
		ctl_strv_free(names);
	}
	free(dir);
}

static bool is_uuid_name(const char *name)
{
	return apv_uuid_is(name);
}

/*
 * Only regular files are definitions (or symlinks to one: mdevctl reads
 * through a symlink).  Anything else with a UUID name -- a FIFO, whose
 * open(2) would wait for a writer for ever, a socket, a device, a
 * directory, a dangling symlink -- is named on stderr (once per process)
 * and skipped.
 */
static int keep_regular(const char *dir, char **v, int n)
{
	static bool warned;
	int k = 0;

	for (int i = 0; i < n; i++) {
		char *p = xasprintf("%s/%s", dir, v[i]);
		const char *type = ctl_file_type(p);

		if (type) {
			if (!warned)
				fprintf(stderr,
					"apctl: warning: %s: not a regular "
					"file (%s): skipped\n",
					p, type);
			free(v[i]);
		} else {
			v[k++] = v[i];
		}
		free(p);
	}
	v[k] = NULL;
	warned = true;
	return k;
}

int ctl_def_list(char ***uuids)
{
	char *dir = ctl_cfg_path(CFG_DIR);
	int n = ctl_list_dir(dir, is_uuid_name, uuids);

	if (n == -ENOENT) {
		*uuids = xcalloc(1, sizeof(char *));
		n = 0;
	} else if (n > 0) {
		n = keep_regular(dir, *uuids, n);
	}
	free(dir);
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
	if (errno || (*end && strcmp(end, "\n")) || v >= APV_MAX_IDS)
		return -EINVAL;
	*id = (unsigned int)v;
	return 0;
}

int ctl_def_matrix(const struct ctl_def *d, struct apv_bitmap *apm,
		   struct apv_bitmap *aqm, struct apv_bitmap *adm)
{
	memset(apm, 0, sizeof(*apm));
	memset(aqm, 0, sizeof(*aqm));
	memset(adm, 0, sizeof(*adm));
	for (size_t i = 0; i < d->n_attrs; i++) {
		const char *k = d->attrs[i].key;
		struct apv_bitmap *set = NULL;
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
		apv_bm_set(set, id);
	}
	return 0;
}

char *ctl_def_text(const struct apv_bitmap m[3], bool autostart,
		   const char *name)
{
	static const char *const assign_attr[3] = {
		"assign_adapter", "assign_domain", "assign_control_domain"};
	struct ctl_def d = {0};
	char *s;

	d.mdev_type = xstrdup(MDEV_TYPE);
	d.name = name ? xstrdup(name) : NULL;
	d.autostart = autostart;
	for (int k = 0; k < 3; k++)
		apv_bm_for_each(i, &m[k]) {
			char v[16];

			snprintf(v, sizeof(v), "0x%x", (unsigned int)i);
			ctl_def_add(&d, assign_attr[k], v);
		}
	s = ctl_def_dump(&d);
	ctl_def_free(&d);
	return s;
}

/* ---- the definitions of a snapshot ----------------------------------------- */

int ctl_defs_load(struct ctl_defs *ds)
{
	char **uuids;
	size_t n = 0;
	int r;

	memset(ds, 0, sizeof(*ds));
	r = ctl_def_list(&uuids);
	if (r < 0)
		return r;
	while (uuids[n])
		n++;
	ds->v = xcalloc(n ? n : 1, sizeof(*ds->v));
	for (size_t i = 0; i < n; i++) {
		struct ctl_defent *x = &ds->v[ds->n++];

		snprintf(x->uuid, sizeof(x->uuid), "%s", uuids[i]);
		x->err = ctl_def_get(x->uuid, &x->text);
		if (!x->err && !x->text)
			x->err = -ENOENT; /* gone meanwhile */
		if (!x->err)
			x->err = ctl_def_parse(x->text, &x->def);
	}
	ctl_strv_free(uuids);
	return 0;
}

void ctl_defs_fini(struct ctl_defs *ds)
{
	for (size_t i = 0; i < ds->n; i++) {
		free(ds->v[i].text);
		ctl_def_free(&ds->v[i].def);
	}
	free(ds->v);
	memset(ds, 0, sizeof(*ds));
}

static int cmp_defent(const void *key, const void *x)
{
	return strcmp(key, ((const struct ctl_defent *)x)->uuid);
}

const struct ctl_defent *ctl_defs_find(const struct ctl_defs *ds,
				       const char *uuid)
{
	/* ds->v is sorted by UUID (ctl_def_list()). */
	return ds->n ? bsearch(uuid, ds->v, ds->n, sizeof(*ds->v), cmp_defent) :
		       NULL;
}
