// SPDX-License-Identifier: MIT
/*
 * Fuzz apsim's path resolution (src/sim/tree.c) over a live host: the
 * default preset with two queues given to vfio_ap, one mdev with a matrix
 * and one zcrypt node.
 *
 * Invariants: any byte string resolves or fails with ENOENT, ENOTDIR or
 * ENAMETOOLONG; a resolved directory lists without error and every entry
 * it lists resolves to a node of the listed type; link targets are
 * relative and non-empty; readable files read.  Nothing is written, so
 * every input sees the same host.
 */
#include <errno.h>
#include <stdio.h>

#include <apvirt/attr.h>
#include <apvirt/bus.h>
#include <apvirt/host.h>
#include <apvirt/parse.h>
#include <apvirt/preset.h>
#include <apvirt/strbuf.h>
#include <apvirt/vfio_ap.h>
#include <apvirt/zcdn.h>

#include "fuzz_common.h"
#include "tree.h"

static struct apv_host *host;

static struct apv_host *the_host(void)
{
	static const uint8_t uuid[16] = {0x11, 0x11, 0x11, 0x11, 0x22, 0x22,
					 0x33, 0x33, 0x44, 0x44, 0x55, 0x55,
					 0x55, 0x55, 0x55, 0x55};
	struct apv_preset p;

	if (host)
		return host;
	if (apv_preset_init(&p, "default") || apv_host_new(&p.cfg, &host))
		abort();
	if (apv_bus_store_mask(host, false, "-0x47", 5) ||
	    apv_mdev_create(host, uuid) ||
	    apv_mdev_assign_adapter(host, uuid, 4) ||
	    apv_mdev_assign_domain(host, uuid, 0x47) ||
	    apv_zcdn_create(host, "fuzz_node", NULL))
		abort();
	return host;
}

struct check {
	const char *dir;
	size_t n;
};

static int check_entry(void *ctx, const char *name, enum apsim_ntype t,
		       unsigned int mode)
{
	struct check *c = ctx;
	struct apsim_node n;
	char *path;

	FUZZ_ASSERT(name[0] != '\0' && !strchr(name, '/'));
	/* check the first entries only: bus/ap/devices can be long */
	if (c->n++ >= 64)
		return 0;
	/* "bus/" lists bus: join without doubling the slash */
	if (asprintf(&path, "%s%s%s", c->dir,
		     c->dir[0] && c->dir[strlen(c->dir) - 1] != '/' ? "/" : "",
		     name) < 0)
		abort();
	FUZZ_ASSERT(apsim_tree_lookup(host, path, &n) == 0);
	FUZZ_ASSERT(n.type == t && n.mode == mode);
	free(path);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct apv_host *h = the_host();
	char *path = fuzz_cstr(data, size);
	struct apv_strbuf sb = APV_STRBUF_INIT;
	struct apsim_node n;
	int rc = apsim_tree_lookup(h, path, &n);

	FUZZ_ASSERT(rc == 0 || rc == -ENOENT || rc == -ENOTDIR ||
		    rc == -ENAMETOOLONG);
	if (rc == 0) {
		struct check c = {path, 0};

		switch (n.type) {
		case APSIM_DIR:
			FUZZ_ASSERT(n.mode == APSIM_DIR_MODE);
			FUZZ_ASSERT(apsim_tree_list(h, &n, check_entry, &c) ==
				    0);
			break;
		case APSIM_LINK:
			FUZZ_ASSERT(n.target[0] != '\0' && n.target[0] != '/');
			break;
		case APSIM_FILE:
			rc = apsim_tree_read(h, &n, &sb);
			FUZZ_ASSERT((n.mode & 0444) ? rc == 0 : rc == -EACCES);
			break;
		}
	}
	/* relpath of two halves of the input: bounded output, no crash */
	if (size > 1) {
		char out[APSIM_TARGET_MAX];
		size_t half = strlen(path) / 2;
		char *to = strdup(path + half);

		path[half] = '\0';
		rc = apsim_tree_relpath(path, to, out, sizeof(out));
		FUZZ_ASSERT(rc == -ENAMETOOLONG ||
			    (rc >= 0 && (size_t)rc == strlen(out)));
		free(to);
	}
	apv_sb_free(&sb);
	free(path);
	return 0;
}
