/* SPDX-License-Identifier: MIT */
/*
 * apctl's only way to the host and to the definitions: every sysfs path is
 * built by ctl_sys_path() under the sysfs root (--sysfs-root, default
 * /sys), every definition path by ctl_cfg_path() under the config root
 * (--config-root, default /etc).  Reads and writes behave like the real
 * tools: one open, one read or write, the errno kept (returned negated).
 */
#ifndef APCTL_SYSFS_H
#define APCTL_SYSFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <apvirt/bitmap.h>
#include <apvirt/uuid.h>

void ctl_set_roots(const char *sysfs_root, const char *config_root);

/* "<sysfs root>/<rel>" (printf-style rel); caller frees; never NULL. */
char *ctl_sys_path(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "<config root>/<rel>"; caller frees; never NULL. */
char *ctl_cfg_path(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Read a whole file as it is (malloc'ed, NUL added).  0 or -errno. */
int ctl_read_bytes(const char *path, char **out);
/*
 * The same for a regular file only (a symlink to one is followed): opened
 * non-blocking, so a FIFO or a device never hangs the caller; -EMEDIUMTYPE
 * if it is not a regular file.
 */
int ctl_read_regular(const char *path, char **out);
/* What a non-regular file is ("a FIFO", "a directory", "a dangling
 * symlink", ...; a symlink is followed); NULL for a regular file or when
 * path does not exist. */
const char *ctl_file_type(const char *path);
/* Read a whole file; trailing newline stripped.  0 or -errno. */
int ctl_read_file(const char *path, char **out);
/* open(O_WRONLY|O_TRUNC), one write(2) of VAL.  0 or -errno. */
int ctl_write_file(const char *path, const char *val);
/*
 * The one atomic writer: data to path through a temporary file
 * ".<name>.XXXXXX" beside it (mode 0644), fsync, rename, fsync of the
 * directory; missing directories are created first.  With
 * CTL_ATOMIC_TEST_POINTS the write is three test points (plan.h): before
 * the temporary file, before the rename, after it.  0 or -errno.
 */
#define CTL_ATOMIC_TEST_POINTS 1u
int ctl_write_atomic(const char *path, const char *data, unsigned int flags);
int ctl_fsync_dir(const char *dir);
/* A test point (plan.h, "Test hooks"): 0, or -EIO when a failure is
 * injected. */
int ctl_test_point(void);
/* The basename of a symlink's target.  0 or -errno. */
int ctl_link_base(const char *path, char **out);

/*
 * The entries of directory PATH whose name passes KEEP (NULL: all but
 * dot files), sorted.  Returns the count or -errno; *names is a NULL-ended
 * array the caller frees with ctl_strv_free().
 */
int ctl_list_dir(const char *path, bool (*keep)(const char *name),
		 char ***names);
void ctl_strv_free(char **v);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
