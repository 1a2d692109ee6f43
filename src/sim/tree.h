/* SPDX-License-Identifier: MIT */
/*
 * The simulated /sys tree (real-tools-abi.md §2, §7): a path relative to the
 * mount root resolves to a directory, a file or a symlink, computed from the
 * model on every call.  Nothing is cached, so a write that creates, removes
 * or rebinds a device shows in the very next lookup.  Pure: no FUSE, no I/O;
 * every model call takes host->lock itself.
 *
 * Names are exact: the kernel's device names are lowercase hex ("card0a",
 * "0a.002f", UUIDs), so "card0A" or "card4" do not resolve.  "." and ".."
 * and empty components never resolve (the kernel's VFS handles them).
 *
 * Symlink targets are relative, as kernfs makes them: the path from the
 * link's directory up to the nearest common ancestor, then down.
 */
#ifndef APSIM_TREE_H
#define APSIM_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <apvirt/attr.h>
#include <apvirt/strbuf.h>

struct apv_host;

enum apsim_ntype {
	APSIM_DIR,
	APSIM_FILE,
	APSIM_LINK,
};

#define APSIM_DIR_MODE 0755u
#define APSIM_LINK_MODE 0777u
#define APSIM_NAME_MAX 48
#define APSIM_TARGET_MAX 128

struct apsim_node {
	enum apsim_ntype type;
	unsigned int mode;	/* permission bits: 0755, the file's, 0777 */
	/* DIR: which directory (tree.c's own numbering) and its object */
	int dir;
	struct apv_obj obj;	/* DIR: card/queue/driver/mdev/...; FILE */
	unsigned int group;	/* DIR: iommu group number */
	/* FILE: a model attribute (obj + attr) or a fixed text */
	bool model;
	char attr[APSIM_NAME_MAX];
	const char *text;	/* fixed content (model == false) */
	/* LINK */
	char target[APSIM_TARGET_MAX];
	/*
	 * The entry (its name, type and mode) exists for as long as its parent
	 * directory does: the fixed skeleton, the attribute sets that depend
	 * only on the kernel profile (bus, drivers, matrix, mdev type, mdevs,
	 * zcrypt), the AP driver directories, the files of a card or queue
	 * for one `ident` (below), the mdev directories under the matrix
	 * device (an mdev goes only by its `remove` store, after which the
	 * FUSE layer invalidates the kernel's entry).  Not: other devices,
	 * bindings and their links.
	 * The FUSE layer lets the kernel cache stable entries.
	 */
	bool stable;
	/*
	 * A card or queue directory and everything in it: the instance and
	 * driver of the device (apv_obj_ident); an mdev directory under the
	 * matrix device: its instance; 0 elsewhere.  The FUSE layer
	 * gives a node another id when this changes, so the kernel drops the
	 * directory's cached entries with it; that is what makes the
	 * attribute entries of cards and queues (their set follows the
	 * driver) `stable` within one ident.
	 */
	uint64_t ident;
};

/*
 * Resolve path ("" or "/" is the root; a leading '/' is ignored).
 * 0, -ENOENT (no such entry), -ENOTDIR (a component is not a directory),
 * -ENAMETOOLONG, -ENOMEM.
 */
int apsim_tree_lookup(struct apv_host *host, const char *path,
		      struct apsim_node *out);

/*
 * List a directory: fill(ctx, name, type, mode) once per entry ("." and
 * ".." are not included); a non-zero return from fill stops the listing
 * and is returned.  -ENOENT if the directory is gone, -ENOTDIR for a
 * non-directory node, -ENOMEM.
 */
typedef int (*apsim_fill_fn)(void *ctx, const char *name,
			     enum apsim_ntype type, unsigned int mode);
int apsim_tree_list(struct apv_host *host, const struct apsim_node *dir,
		    apsim_fill_fn fill, void *ctx);

/*
 * Read a file node's whole content into sb (appended): 0 or the show's
 * negative errno (-EACCES for write-only files, -ENOENT when gone).
 */
int apsim_tree_read(struct apv_host *host, const struct apsim_node *file,
		    struct apv_strbuf *sb);

/*
 * One write(2) of (buf, len) to a file node: len or the store's negative
 * errno (-EACCES for read-only files).
 */
ssize_t apsim_tree_write(struct apv_host *host, const struct apsim_node *file,
			 const char *buf, size_t len);

/*
 * Whether a write to the file may wait for something else than the model
 * lock (a guest, a timer): an mdev's `remove`, which waits, as the vfio
 * core does, until the guest holding the device lets it go.  The FUSE
 * layer runs such stores off its loop.
 */
bool apsim_tree_may_block(const struct apsim_node *file);

/* Relative symlink target from directory `from` to path `to` (both
 * relative to the root, without leading '/'), kernfs style.  Returns the
 * length or -ENAMETOOLONG. */
int apsim_tree_relpath(const char *from, const char *to, char *out,
		       size_t size);

#endif /* APSIM_TREE_H */
