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

struct ctl_attr {
	char *key;
	char *val;
};

struct ctl_def {
	char *mdev_type;
	bool autostart;
	struct ctl_attr *attrs;
	size_t n_attrs;
};

void ctl_def_free(struct ctl_def *d);
void ctl_def_add(struct ctl_def *d, const char *key, const char *val);

/* 0, -ENOENT (no definition), -EINVAL (not mdevctl JSON) or -errno. */
int ctl_def_load(const char *uuid, struct ctl_def *d);
/* The file's text (mdevctl's format: serde's pretty JSON, no final
 * newline); malloc'ed. */
char *ctl_def_dump(const struct ctl_def *d);
/* Atomic: temp file in the same directory, fsync, rename, fsync dir. */
int ctl_def_save(const char *uuid, const struct ctl_def *d);
int ctl_def_remove(const char *uuid);
/* The UUIDs with a definition, sorted (ctl_list_dir()). */
int ctl_def_list(char ***uuids);

/*
 * The matrix an mdev definition asks for: its assign_* attributes and
 * ap_config.  -EINVAL if a value is not a number 0..255 (the kernel's
 * assign_* store takes exactly one).
 */
int ctl_def_matrix(const struct ctl_def *d, struct ctl_ids *apm,
		   struct ctl_ids *aqm, struct ctl_ids *adm);

#endif
