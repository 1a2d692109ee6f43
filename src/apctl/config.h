/* SPDX-License-Identifier: MIT */
/*
 * Persistent mdev definitions in mdevctl's on-disk JSON
 * (<config root>/mdevctl.d/matrix/<uuid>; ecosystem.md §2.1): mdevctl and
 * apctl read each other's files.
 */
#ifndef APCTL_CONFIG_H
#define APCTL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "sysfs.h"

/* The definitions' directory under the config root, and their type. */
#define CFG_DIR "mdevctl.d/matrix"
#define MDEV_TYPE "vfio_ap-passthrough"

struct ctl_attr {
	char *key;
	char *val;
};

/*
 * The NAME given at define (apctl define NAME, an apply file's "name"),
 * kept in the definition under this key.  mdevctl 1.2.0 to 1.4 read only
 * "mdev_type", "start" and "attrs" (load_from_json) and ignore other keys,
 * so the file means the same to them; mdevctl modify rewrites the file
 * without it (the name is then simply not known any more).
 */
#define CFG_NAME_KEY "apctl_name"

struct ctl_def {
	char *mdev_type;
	char *name; /* CFG_NAME_KEY, or NULL */
	bool autostart;
	struct ctl_attr *attrs;
	size_t n_attrs;
};

void ctl_def_free(struct ctl_def *d);
void ctl_def_add(struct ctl_def *d, const char *key, const char *val);

/* A definition file's text into d.  0 or -EINVAL (not mdevctl JSON). */
int ctl_def_parse(const char *text, struct ctl_def *d);
/* 0, -ENOENT (no definition), -EINVAL (not mdevctl JSON) or -errno. */
int ctl_def_load(const char *uuid, struct ctl_def *d);
/* The file's text (mdevctl's format: serde's pretty JSON, no final
 * newline); malloc'ed. */
char *ctl_def_dump(const struct ctl_def *d);
/* Atomic (ctl_write_atomic(), no test points). */
int ctl_def_save(const char *uuid, const struct ctl_def *d);
int ctl_def_remove(const char *uuid);
/* The UUIDs with a definition, sorted (ctl_list_dir()). */
int ctl_def_list(char ***uuids);

/*
 * The matrix an mdev definition asks for: its assign_* attributes and
 * ap_config.  -EINVAL if a value is not a number 0..255 (the kernel's
 * assign_* store takes exactly one).
 */
int ctl_def_matrix(const struct ctl_def *d, struct apv_bitmap *apm,
		   struct apv_bitmap *aqm, struct apv_bitmap *adm);

/* A definition's bytes (*out NULL, 0: no file).  0 or -errno. */
int ctl_def_get(const char *uuid, char **out);
/*
 * Write the bytes atomically (NULL: remove the file), as test points
 * (plan.h): the writes of modify and apply.  0 or -errno.
 */
int ctl_def_put(const char *uuid, const char *bytes);
/* The mdevctl text of a vfio_ap-passthrough definition with the matrix
 * m (adapters, domains, control domains) and name (NULL: none);
 * malloc'ed. */
char *ctl_def_text(const struct apv_bitmap m[3], bool autostart,
		   const char *name);
/* Remove temporary files of interrupted writes (".<uuid>.XXXXXX"). */
void ctl_def_clean_temps(void);

/* ---- every definition, read once (a command's snapshot) ---------------- */

struct ctl_defent {
	char uuid[37];
	char *text;	    /* the file's bytes; NULL if unreadable */
	int err;	    /* 0, -EINVAL (not mdevctl JSON) or -errno */
	struct ctl_def def; /* parsed when err == 0 */
};

struct ctl_defs {
	struct ctl_defent *v; /* sorted by UUID */
	size_t n;
};

/* Read every definition file.  0 (none: no directory) or -errno. */
int ctl_defs_load(struct ctl_defs *ds);
void ctl_defs_fini(struct ctl_defs *ds);
const struct ctl_defent *ctl_defs_find(const struct ctl_defs *ds,
				       const char *uuid);

#endif
