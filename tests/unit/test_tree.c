// SPDX-License-Identifier: MIT
/*
 * Unit tests for src/sim/tree.c: path resolution over the model, listings
 * with entry types and modes, kernfs-style relative link targets, exact
 * (lowercase, canonical) device names, and files that appear and disappear
 * with the model's state (real-tools-abi.md §2, §7, §8).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apvirt/attr.h>
#include <apvirt/bus.h>
#include <apvirt/host.h>
#include <apvirt/parse.h>
#include <apvirt/preset.h>
#include <apvirt/strbuf.h>
#include <apvirt/vfio_ap.h>

#include "tree.h"

#define UA "11111111-2222-3333-4444-555555555555"
#define UB "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
#define MATRIX "devices/vfio_ap/matrix"
#define TYPE MATRIX "/mdev_supported_types/vfio_ap-passthrough"

/* ---- hosts and helpers ------------------------------------------------ */

static struct apv_host *host_preset(const char *name, enum apv_kernel k,
				    bool no_vfio)
{
	struct apv_preset p;
	struct apv_host *h = NULL;

	assert_int_equal(apv_preset_init(&p, name), 0);
	p.cfg.kernel = k;
	p.cfg.no_vfio_ap = no_vfio;
	assert_int_equal(apv_host_new(&p.cfg, &h), 0);
	return h;
}

static struct apv_host *std_host(void)
{
	return host_preset("default", APV_KERNEL_6_12, false);
}

/* The node's type, or the lookup's negative errno. */
static int type_of(struct apv_host *h, const char *path)
{
	struct apsim_node n;
	int rc = apsim_tree_lookup(h, path, &n);

	return rc ? rc : (int)n.type;
}

static unsigned int mode_of(struct apv_host *h, const char *path)
{
	struct apsim_node n;

	assert_int_equal(apsim_tree_lookup(h, path, &n), 0);
	return n.mode;
}

#define assert_type(h, path, t) assert_int_equal(type_of((h), (path)), (t))
#define assert_absent(h, path) assert_int_equal(type_of((h), (path)), -ENOENT)

#define fail_at(file, line, ...)                                               \
	do {                                                                   \
		print_error(__VA_ARGS__);                                      \
		print_error("\n");                                             \
		_fail((file), (line));                                         \
	} while (0)

static void assert_link_(struct apv_host *h, const char *path, const char *want,
			 const char *file, int line)
{
	struct apsim_node n;
	int rc = apsim_tree_lookup(h, path, &n);

	if (rc)
		fail_at(file, line, "%s: lookup %d", path, rc);
	if (n.type != APSIM_LINK)
		fail_at(file, line, "%s: not a link", path);
	if (strcmp(n.target, want))
		fail_at(file, line, "%s -> %s, want %s", path, n.target, want);
}

#define assert_link(h, path, want)                                             \
	assert_link_((h), (path), (want), __FILE__, __LINE__)

/* Listing as "name T mode\n" lines (T: d, f, l). */
static int collect(void *ctx, const char *name, enum apsim_ntype t,
		   unsigned int mode)
{
	struct apv_strbuf *sb = ctx;

	return apv_sb_printf(sb, "%s %c %04o\n", name,
			     t == APSIM_DIR  ? 'd' :
			     t == APSIM_LINK ? 'l' :
					       'f',
			     mode);
}

static char *listing(struct apv_host *h, const char *path)
{
	struct apv_strbuf sb = APV_STRBUF_INIT;
	struct apsim_node n;

	assert_int_equal(apsim_tree_lookup(h, path, &n), 0);
	assert_int_equal(apsim_tree_list(h, &n, collect, &sb), 0);
	return sb.s ? sb.s : strdup("");
}

/* Does the listing of path have a line starting with `prefix`? */
static bool has_line(struct apv_host *h, const char *path, const char *prefix)
{
	char *l = listing(h, path), *all, *want;
	bool r;

	assert_true(asprintf(&all, "\n%s", l) > 0);
	assert_true(asprintf(&want, "\n%s", prefix) > 0);
	r = strstr(all, want) != NULL;
	free(want);
	free(all);
	free(l);
	return r;
}

/* The listing of path has the whole line "name T mode". */
static bool listed(struct apv_host *h, const char *path, const char *line)
{
	char *want;
	bool r;

	assert_true(asprintf(&want, "%s\n", line) > 0);
	r = has_line(h, path, want);
	free(want);
	return r;
}

/* The listing of path has an entry called name. */
static bool has_entry(struct apv_host *h, const char *path, const char *name)
{
	char *want;
	bool r;

	assert_true(asprintf(&want, "%s ", name) > 0);
	r = has_line(h, path, want);
	free(want);
	return r;
}

static char *rd(struct apv_host *h, const char *path)
{
	struct apv_strbuf sb = APV_STRBUF_INIT;
	struct apsim_node n;

	assert_int_equal(apsim_tree_lookup(h, path, &n), 0);
	assert_int_equal(apsim_tree_read(h, &n, &sb), 0);
	return sb.s ? sb.s : strdup("");
}

static void assert_read(struct apv_host *h, const char *path, const char *want)
{
	char *s = rd(h, path);

	assert_string_equal(s, want);
	free(s);
}

static ssize_t wr(struct apv_host *h, const char *path, const char *s)
{
	struct apsim_node n;
	int rc = apsim_tree_lookup(h, path, &n);

	if (rc)
		return rc;
	return apsim_tree_write(h, &n, s, strlen(s));
}

#define assert_write(h, path, s)                                               \
	assert_int_equal(wr((h), (path), (s)), (ssize_t)strlen(s))
#define assert_write_err(h, path, s, err)                                      \
	assert_int_equal(wr((h), (path), (s)), (err))

static void create(struct apv_host *h, const char *uuid)
{
	assert_write(h, TYPE "/create", uuid);
}

/* ---- tests ------------------------------------------------------------ */

static void test_relpath(void **state)
{
	char out[APSIM_TARGET_MAX];

	(void)state;
	assert_int_equal(apsim_tree_relpath("bus/ap/devices",
					    "devices/ap/card04", out,
					    sizeof(out)),
			 (int)strlen("../../../devices/ap/card04"));
	assert_string_equal(out, "../../../devices/ap/card04");
	apsim_tree_relpath(MATRIX "/" UA, TYPE, out, sizeof(out));
	assert_string_equal(out, "../mdev_supported_types/vfio_ap-passthrough");
	apsim_tree_relpath(TYPE "/devices", MATRIX "/" UA, out, sizeof(out));
	assert_string_equal(out, "../../../" UA);
	apsim_tree_relpath("class/mdev_bus", MATRIX, out, sizeof(out));
	assert_string_equal(out, "../../devices/vfio_ap/matrix");
	/* a common prefix that is not a whole component does not count */
	apsim_tree_relpath("a/bc", "a/b/x", out, sizeof(out));
	assert_string_equal(out, "../b/x");
	apsim_tree_relpath("", "bus/ap", out, sizeof(out));
	assert_string_equal(out, "bus/ap");
	assert_int_equal(apsim_tree_relpath("a/b/c", "x/y", out, 8),
			 -ENAMETOOLONG);
}

static void test_root_layout(void **state)
{
	struct apv_host *h = std_host();
	char *l;

	(void)state;
	l = listing(h, "");
	assert_string_equal(l, "bus d 0755\nclass d 0755\ndevices d 0755\n"
			       "kernel d 0755\n");
	free(l);
	assert_type(h, "/", APSIM_DIR);
	assert_type(h, "", APSIM_DIR);
	assert_type(h, "///bus", APSIM_DIR);
	l = listing(h, "bus");
	assert_string_equal(l, "ap d 0755\nmatrix d 0755\nmdev d 0755\n");
	free(l);
	l = listing(h, "devices");
	assert_string_equal(l, "ap d 0755\nvfio_ap d 0755\nvirtual d 0755\n");
	free(l);
	l = listing(h, "class");
	assert_string_equal(l, "mdev_bus d 0755\nzcrypt d 0755\n");
	free(l);
	assert_type(h, "kernel/iommu_groups", APSIM_DIR);
	apv_host_free(h);
}

static void test_bus_ap(void **state)
{
	struct apv_host *h = std_host();

	(void)state;
	assert_true(listed(h, "bus/ap", "devices d 0755"));
	assert_true(listed(h, "bus/ap", "drivers d 0755"));
	assert_true(listed(h, "bus/ap", "uevent f 0200"));
	assert_true(listed(h, "bus/ap", "apmask f 0644"));
	assert_true(listed(h, "bus/ap", "ap_max_domain_id f 0444"));
	assert_true(listed(h, "bus/ap", "features f 0444"));
	assert_int_equal(mode_of(h, "bus/ap/ap_domain"), 0644);
	assert_read(h, "bus/ap/ap_max_domain_id", "255\n");

	/* devices: cards and queues, all links */
	assert_true(listed(h, "bus/ap/devices", "card04 l 0777"));
	assert_true(listed(h, "bus/ap/devices", "05.0054 l 0777"));
	assert_link(h, "bus/ap/devices/card04", "../../../devices/ap/card04");
	assert_link(h, "bus/ap/devices/04.0047",
		    "../../../devices/ap/card04/04.0047");
	assert_absent(h, "bus/ap/devices/card06");
	assert_absent(h, "bus/ap/devices/04.0005");

	/* drivers */
	assert_true(listed(h, "bus/ap/drivers", "cex4card d 0755"));
	assert_true(listed(h, "bus/ap/drivers", "cex4queue d 0755"));
	assert_true(listed(h, "bus/ap/drivers", "vfio_ap d 0755"));
	assert_true(listed(h, "bus/ap/drivers/vfio_ap", "bind f 0200"));
	assert_true(listed(h, "bus/ap/drivers/vfio_ap", "unbind f 0200"));
	assert_true(listed(h, "bus/ap/drivers/vfio_ap", "uevent f 0200"));
	assert_true(listed(h, "bus/ap/drivers/cex4card", "card04 l 0777"));
	assert_link(h, "bus/ap/drivers/cex4card/card05",
		    "../../../../devices/ap/card05");
	assert_link(h, "bus/ap/drivers/cex4queue/05.0047",
		    "../../../../devices/ap/card05/05.0047");
	assert_absent(h, "bus/ap/drivers/vfio_ap/05.0047");
	assert_absent(h, "bus/ap/drivers/cex4card/05.0047");
	assert_absent(h, "bus/ap/drivers/no_such_driver");
	apv_host_free(h);
}

static void test_cards_queues(void **state)
{
	struct apv_host *h = std_host();
	char *l;

	(void)state;
	l = listing(h, "devices/ap");
	assert_string_equal(l, "uevent f 0644\ncard04 d 0755\ncard05 d 0755\n");
	free(l);
	assert_read(h, "devices/ap/uevent", "");
	assert_true(listed(h, "devices/ap/card04", "04.0047 d 0755"));
	assert_true(listed(h, "devices/ap/card04", "driver l 0777"));
	assert_true(listed(h, "devices/ap/card04", "subsystem l 0777"));
	assert_true(listed(h, "devices/ap/card04", "type f 0444"));
	assert_true(listed(h, "devices/ap/card04", "online f 0644"));
	assert_true(listed(h, "devices/ap/card04", "uevent f 0644"));
	assert_link(h, "devices/ap/card04/driver",
		    "../../../bus/ap/drivers/cex4card");
	assert_link(h, "devices/ap/card04/subsystem", "../../../bus/ap");
	assert_link(h, "devices/ap/card04/04.0054/driver",
		    "../../../../bus/ap/drivers/cex4queue");
	assert_link(h, "devices/ap/card04/04.0054/subsystem",
		    "../../../../bus/ap");
	assert_read(h, "devices/ap/card05/type", "CEX8C\n");
	assert_read(h, "devices/ap/card05/uevent",
		    "DEVTYPE=ap_card\nDRIVER=cex4card\nDEV_TYPE=000E\n"
		    "MODALIAS=ap:t0E\nMODE=cca\n");
	/* a queue of another card is not a child */
	assert_absent(h, "devices/ap/card04/05.0047");
	assert_absent(h, "devices/ap/card04/04.0048");
	/* files are not directories */
	assert_int_equal(type_of(h, "devices/ap/card04/type/x"), -ENOTDIR);
	assert_int_equal(type_of(h, "devices/ap/card04/driver/x"), -ENOTDIR);
	assert_int_equal(type_of(h, "devices/ap/card04/type/"), -ENOTDIR);
	assert_type(h, "devices/ap/card04/", APSIM_DIR);
	apv_host_free(h);
}

static void test_noncanonical(void **state)
{
	static const char *const bad[] = {
		"devices/ap/CARD04",
		"devices/ap/card4",
		"devices/ap/card004",
		"devices/ap/card04 ",
		"devices/ap/card04\n",
		"devices/ap/card04/04.47",
		"devices/ap/card04/4.0047",
		"devices/ap/card04/04.00047",
		"devices/ap/card04/04.0047\n",
		"devices/ap/card0a",
		"bus/ap/devices/Card04",
		"bus/ap/devices/04.0047 ",
		"bus/ap/drivers/CEX4CARD",
		"bus/ap/drivers/cex4card/CARD04",
		"bus/ap/APMASK",
		"bus/AP",
		"bus/ap/./apmask",
		"bus/ap/../ap/apmask",
		"bus//ap",
		".",
		"..",
		"devices/vfio_ap/matrix/11111111-2222-3333-4444-55555555555",
		"devices/vfio_ap/matrix/11111111-2222-3333-4444-5555555555555",
		"devices/vfio_ap/matrix/11111111222233334444555555555555",
		"kernel/iommu_groups/00",
		"kernel/iommu_groups/+0",
		"kernel/iommu_groups/ 0",
		"kernel/iommu_groups/0x0",
		"kernel/iommu_groups/4294967296",
	};
	struct apv_host *h = std_host();
	char upper[64], path[400];

	(void)state;
	create(h, UA);
	/* the canonical names resolve */
	assert_type(h, MATRIX "/" UA, APSIM_DIR);
	assert_type(h, "kernel/iommu_groups/0", APSIM_DIR);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (type_of(h, bad[i]) != -ENOENT)
			fail_msg("'%s' resolved (%d)", bad[i],
				 type_of(h, bad[i]));
	/* an uppercase UUID names no mdev (create stores it lowercase) */
	snprintf(upper, sizeof(upper), "%s", UB);
	for (char *p = upper; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	create(h, upper);
	snprintf(path, sizeof(path), MATRIX "/%s", upper);
	assert_absent(h, path);
	assert_type(h, MATRIX "/" UB, APSIM_DIR);
	snprintf(path, sizeof(path), "bus/mdev/devices/%s", upper);
	assert_absent(h, path);
	/* a component longer than NAME_MAX */
	memset(path, 'a', 300);
	path[300] = '\0';
	assert_int_equal(type_of(h, path), -ENAMETOOLONG);
	apv_host_free(h);
}

static void test_vfio_layout(void **state)
{
	struct apv_host *h = std_host();
	char *l;

	(void)state;
	l = listing(h, "devices/vfio_ap");
	assert_string_equal(l, "matrix d 0755\nuevent f 0644\n");
	free(l);
	l = listing(h, MATRIX);
	assert_string_equal(l, "mdev_supported_types d 0755\n"
			       "driver l 0777\nsubsystem l 0777\n"
			       "features f 0444\nuevent f 0644\n");
	free(l);
	assert_link(h, MATRIX "/driver", "../../../bus/matrix/drivers/vfio_ap");
	assert_link(h, MATRIX "/subsystem", "../../../bus/matrix");
	assert_read(h, MATRIX "/features", "guest_matrix hotplug ap_config\n");
	l = listing(h, MATRIX "/mdev_supported_types");
	assert_string_equal(l, "vfio_ap-passthrough d 0755\n");
	free(l);
	l = listing(h, TYPE);
	assert_string_equal(l, "devices d 0755\nname f 0444\n"
			       "device_api f 0444\n"
			       "available_instances f 0444\ncreate f 0200\n");
	free(l);
	assert_read(h, TYPE "/available_instances", "65536\n");
	assert_read(h, TYPE "/name", "VFIO AP Passthrough Device\n");
	assert_absent(h, TYPE "/description");
	l = listing(h, TYPE "/devices");
	assert_string_equal(l, "");
	free(l);

	assert_link(h, "class/mdev_bus/matrix", "../../devices/vfio_ap/matrix");
	assert_link(h, "bus/matrix/devices/matrix",
		    "../../../devices/vfio_ap/matrix");
	assert_link(h, "bus/matrix/drivers/vfio_ap/matrix",
		    "../../../../devices/vfio_ap/matrix");
	/* the matrix driver has no bind/unbind (suppress_bind_attrs) */
	l = listing(h, "bus/matrix/drivers/vfio_ap");
	assert_string_equal(l, "matrix l 0777\nuevent f 0200\n");
	free(l);
	l = listing(h, "bus/mdev");
	assert_string_equal(l, "devices d 0755\ndrivers d 0755\n"
			       "uevent f 0200\n");
	free(l);
	l = listing(h, "bus/mdev/drivers");
	assert_string_equal(l, "vfio_ap_mdev d 0755\n");
	free(l);
	apv_host_free(h);
}

static void test_mdev_lifecycle(void **state)
{
	struct apv_host *h = std_host();
	struct apsim_node mdev;
	struct apv_strbuf sb = APV_STRBUF_INIT;
	char *l;

	(void)state;
	assert_absent(h, MATRIX "/" UA);
	create(h, UA);
	/* everything mdevctl needs exists as soon as create returns */
	assert_type(h, MATRIX "/" UA, APSIM_DIR);
	assert_link(h, "bus/mdev/devices/" UA,
		    "../../../devices/vfio_ap/matrix/" UA);
	assert_link(h, MATRIX "/" UA "/mdev_type",
		    "../mdev_supported_types/vfio_ap-passthrough");
	assert_link(h, MATRIX "/" UA "/driver",
		    "../../../../bus/mdev/drivers/vfio_ap_mdev");
	assert_link(h, MATRIX "/" UA "/subsystem", "../../../../bus/mdev");
	assert_link(h, MATRIX "/" UA "/iommu_group",
		    "../../../../kernel/iommu_groups/0");
	assert_link(h, TYPE "/devices/" UA, "../../../" UA);
	assert_link(h, "bus/mdev/drivers/vfio_ap_mdev/" UA,
		    "../../../../devices/vfio_ap/matrix/" UA);
	assert_link(h, "kernel/iommu_groups/0/devices/" UA,
		    "../../../../devices/vfio_ap/matrix/" UA);
	assert_read(h, "kernel/iommu_groups/0/name", "vfio-noiommu\n");
	assert_true(listed(h, MATRIX, UA " d 0755"));
	assert_true(listed(h, MATRIX "/" UA, "assign_adapter f 0200"));
	assert_true(listed(h, MATRIX "/" UA, "matrix f 0444"));
	assert_true(listed(h, MATRIX "/" UA, "ap_config f 0644"));
	assert_true(listed(h, MATRIX "/" UA, "iommu_group l 0777"));
	assert_true(listed(h, MATRIX "/" UA, "mdev_type l 0777"));
	assert_read(h, TYPE "/available_instances", "65535\n");

	/* a second mdev: iommu group 1, lists grow oldest first */
	create(h, UB);
	assert_link(h, MATRIX "/" UB "/iommu_group",
		    "../../../../kernel/iommu_groups/1");
	l = listing(h, "kernel/iommu_groups");
	assert_string_equal(l, "0 d 0755\n1 d 0755\n");
	free(l);
	l = listing(h, "bus/mdev/devices");
	assert_string_equal(l, UA " l 0777\n" UB " l 0777\n");
	free(l);
	assert_absent(h, "kernel/iommu_groups/1/devices/" UA);
	assert_absent(h, "kernel/iommu_groups/2");

	/* writes and reads through the tree, with the model's errno */
	assert_write(h, MATRIX "/" UA "/assign_adapter", "5");
	assert_write_err(h, MATRIX "/" UA "/assign_domain", "0x47",
			 -EADDRNOTAVAIL);
	assert_write(h, "bus/ap/aqmask", "-0x47\n");
	assert_write(h, MATRIX "/" UA "/assign_domain", "0x47");
	assert_write(h, MATRIX "/" UB "/assign_adapter", "5");
	assert_write_err(h, MATRIX "/" UB "/assign_domain", "0x47",
			 -EADDRINUSE);
	assert_read(h, MATRIX "/" UA "/matrix", "05.0047\n");
	assert_write_err(h, MATRIX "/" UA "/matrix", "x", -EACCES);
	assert_int_equal(apsim_tree_lookup(h, MATRIX "/" UA "/remove", &mdev),
			 0);
	assert_int_equal(apsim_tree_read(h, &mdev, &sb), -EACCES);
	assert_write_err(h, TYPE "/create", UA, -EEXIST);
	assert_write_err(h, TYPE "/create", "nope", -EINVAL);

	/* remove: everything goes at once */
	assert_int_equal(apsim_tree_lookup(h, MATRIX "/" UA, &mdev), 0);
	assert_write(h, MATRIX "/" UA "/remove", "1");
	assert_absent(h, MATRIX "/" UA);
	assert_absent(h, MATRIX "/" UA "/matrix");
	assert_absent(h, "bus/mdev/devices/" UA);
	assert_absent(h, TYPE "/devices/" UA);
	assert_absent(h, "kernel/iommu_groups/0");
	assert_false(has_entry(h, MATRIX, UA));
	assert_true(has_entry(h, MATRIX, UB));
	/* a directory node that went away lists as gone */
	assert_int_equal(apsim_tree_list(h, &mdev, collect, &sb), -ENOENT);
	apv_sb_free(&sb);
	apv_host_free(h);
}

static void test_rebinding(void **state)
{
	struct apv_host *h = std_host();

	(void)state;
	assert_true(listed(h, "devices/ap/card04/04.0047", "online f 0644"));
	assert_false(has_entry(h, "devices/ap/card04/04.0047", "status"));
	assert_true(has_entry(h, "bus/ap/drivers/cex4queue", "04.0047"));

	/* aqmask gives 0x47 to vfio_ap: links and files move synchronously */
	assert_write(h, "bus/ap/aqmask", "-71");
	assert_link(h, "devices/ap/card04/04.0047/driver",
		    "../../../../bus/ap/drivers/vfio_ap");
	assert_true(listed(h, "devices/ap/card04/04.0047", "status f 0444"));
	assert_false(has_entry(h, "devices/ap/card04/04.0047", "online"));
	assert_absent(h, "devices/ap/card04/04.0047/online");
	assert_false(has_entry(h, "bus/ap/drivers/cex4queue", "04.0047"));
	assert_link(h, "bus/ap/drivers/vfio_ap/04.0047",
		    "../../../../devices/ap/card04/04.0047");
	assert_read(h, "devices/ap/card04/04.0047/status", "unassigned\n");

	/* manual unbind: no driver link at all */
	assert_write(h, "bus/ap/drivers/vfio_ap/unbind", "04.0047\n");
	assert_absent(h, "devices/ap/card04/04.0047/driver");
	assert_false(has_entry(h, "devices/ap/card04/04.0047", "driver"));
	assert_absent(h, "bus/ap/drivers/vfio_ap/04.0047");
	assert_write_err(h, "bus/ap/drivers/vfio_ap/unbind", "04.0047",
			 -ENODEV);
	assert_write(h, "bus/ap/drivers/vfio_ap/bind", "04.0047");
	assert_type(h, "devices/ap/card04/04.0047/driver", APSIM_LINK);
	apv_host_free(h);
}

static void test_fixed_files(void **state)
{
	struct apv_host *h = std_host();
	struct apv_strbuf sb = APV_STRBUF_INIT;
	struct apsim_node n;

	(void)state;
	/* driver-core uevent triggers: write-only, action words only */
	assert_write(h, "bus/ap/uevent", "change");
	assert_write(h, "bus/ap/drivers/cex4card/uevent", "add\n");
	assert_write_err(h, "bus/ap/uevent", "bogus", -EINVAL);
	assert_int_equal(apsim_tree_lookup(h, "bus/ap/uevent", &n), 0);
	assert_int_equal(apsim_tree_read(h, &n, &sb), -EACCES);
	assert_write(h, "devices/ap/uevent", "change");
	assert_write(h, "devices/ap/card04/uevent", "change");
	assert_write_err(h, "devices/ap/card04/uevent", "x", -EINVAL);
	/* read-only fixed files */
	assert_write_err(h, "kernel/iommu_groups/0/name", "x", -ENOENT);
	create(h, UA);
	assert_write_err(h, "kernel/iommu_groups/0/name", "x", -EACCES);
	assert_read(h, "kernel/iommu_groups/0/reserved_regions", "");
	/* directories and links are not files */
	assert_int_equal(apsim_tree_lookup(h, "bus/ap", &n), 0);
	assert_int_equal(apsim_tree_read(h, &n, &sb), -EISDIR);
	assert_int_equal(apsim_tree_write(h, &n, "1", 1), -EISDIR);
	assert_int_equal(
		apsim_tree_list(h, &(struct apsim_node){.type = APSIM_FILE},
				collect, &sb),
		-ENOTDIR);
	apv_sb_free(&sb);
	apv_host_free(h);
}

static void test_kernel_profiles(void **state)
{
	struct apv_host *h;
	char *l;

	(void)state;
	/* 6.1: no features files, no ap_config */
	h = host_preset("default", APV_KERNEL_6_1, false);
	assert_absent(h, "bus/ap/features");
	assert_absent(h, MATRIX "/features");
	create(h, UA);
	assert_absent(h, MATRIX "/" UA "/ap_config");
	assert_type(h, MATRIX "/" UA "/matrix", APSIM_FILE);
	apv_host_free(h);

	/* without vfio_ap: no matrix, mdev bus or class */
	h = host_preset("default", APV_KERNEL_6_12, true);
	l = listing(h, "bus");
	assert_string_equal(l, "ap d 0755\n");
	free(l);
	l = listing(h, "devices");
	assert_string_equal(l, "ap d 0755\nvirtual d 0755\n");
	free(l);
	l = listing(h, "class");
	assert_string_equal(l, "zcrypt d 0755\n");
	free(l);
	assert_absent(h, "devices/vfio_ap");
	assert_absent(h, "bus/mdev");
	assert_absent(h, "bus/matrix/devices/matrix");
	assert_absent(h, "class/mdev_bus/matrix");
	assert_absent(h, "bus/ap/drivers/vfio_ap");
	l = listing(h, "kernel/iommu_groups");
	assert_string_equal(l, "");
	free(l);
	apv_host_free(h);
}

static void test_zcrypt(void **state)
{
	struct apv_host *h = std_host();
	char *l;

	(void)state;
	l = listing(h, "class/zcrypt");
	assert_string_equal(l, "create f 0200\ndestroy f 0200\n");
	free(l);
	l = listing(h, "devices/virtual/zcrypt");
	assert_string_equal(l, "");
	free(l);
	assert_write(h, "class/zcrypt/create", "mynode\n");
	/* zcryptctl: create/destroy are DT_REG, nodes DT_LNK */
	l = listing(h, "class/zcrypt");
	assert_string_equal(l, "create f 0200\ndestroy f 0200\n"
			       "mynode l 0777\n");
	free(l);
	assert_link(h, "class/zcrypt/mynode",
		    "../../devices/virtual/zcrypt/mynode");
	assert_type(h, "devices/virtual/zcrypt/mynode", APSIM_DIR);
	assert_link(h, "devices/virtual/zcrypt/mynode/subsystem",
		    "../../../../class/zcrypt");
	assert_true(listed(h, "devices/virtual/zcrypt/mynode", "dev f 0444"));
	assert_true(
		listed(h, "devices/virtual/zcrypt/mynode", "ioctlmask f 0644"));
	assert_write(h, "devices/virtual/zcrypt/mynode/apmask", "+5\n");
	l = rd(h, "devices/virtual/zcrypt/mynode/apmask");
	assert_int_equal(strlen(l), 67);
	assert_memory_equal(l, "0x04", 4);
	free(l);
	assert_absent(h, "class/zcrypt/MYNODE");
	assert_absent(h, "class/zcrypt/other");
	assert_write(h, "class/zcrypt/destroy", "mynode\n");
	assert_absent(h, "class/zcrypt/mynode");
	assert_absent(h, "devices/virtual/zcrypt/mynode");
	apv_host_free(h);
}

static bool stable(struct apv_host *h, const char *path)
{
	struct apsim_node n;

	assert_int_equal(apsim_tree_lookup(h, path, &n), 0);
	return n.stable;
}

/* What the FUSE layer lets the kernel cache: entries that exist as long as
 * their directory does (tree.h `stable`, `ident`). */
static void test_stable(void **state)
{
	static const char *const yes[] = {
		"",
		"bus",
		"bus/ap",
		"bus/ap/apmask",
		"bus/ap/uevent",
		"bus/ap/devices",
		"bus/ap/drivers/vfio_ap",
		"bus/ap/drivers/vfio_ap/bind",
		"devices/ap/card04/subsystem",
		MATRIX,
		MATRIX "/features",
		MATRIX "/driver",
		TYPE,
		TYPE "/create",
		TYPE "/devices",
		MATRIX "/" UA "/assign_adapter",
		MATRIX "/" UA "/mdev_type",
		"class/zcrypt/create",
		"kernel/iommu_groups",
		"kernel/iommu_groups/0/name",
		/* the files of a card or queue for one ident (instance and
		 * driver), an mdev until its remove (issue 13) */
		"devices/ap/card04/online",
		"devices/ap/card04/hwtype",
		"devices/ap/card04/driver",
		"devices/ap/card04/04.0047/config",
		MATRIX "/" UA,
	};
	static const char *const no[] = {
		"devices/ap/card04",
		"devices/ap/card04/04.0047",
		"bus/ap/devices/card04",
		"bus/ap/drivers/cex4queue/04.0004",
		MATRIX "/" UA "/iommu_group",
		"bus/mdev/devices/" UA,
		TYPE "/devices/" UA,
		"kernel/iommu_groups/0",
	};
	struct apv_host *h = std_host();

	(void)state;
	create(h, UA);
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!stable(h, yes[i]))
			fail_msg("'%s' should be stable", yes[i]);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (stable(h, no[i]))
			fail_msg("'%s' should not be stable", no[i]);
	apv_host_free(h);
}

static int stop_after_two(void *ctx, const char *name, enum apsim_ntype t,
			  unsigned int mode)
{
	int *n = ctx;

	return ++*n == 2 ? 42 : 0;
}

static void test_list_stops(void **state)
{
	struct apv_host *h = std_host();
	struct apsim_node n;
	int count = 0;

	(void)state;
	assert_int_equal(apsim_tree_lookup(h, "bus/ap/devices", &n), 0);
	assert_int_equal(apsim_tree_list(h, &n, stop_after_two, &count), 42);
	assert_int_equal(count, 2);
	apv_host_free(h);
}

/* The max preset: 256 cards x 256 queues in bus/ap/devices. */
static int count_entries(void *ctx, const char *name, enum apsim_ntype t,
			 unsigned int mode)
{
	(*(size_t *)ctx)++;
	return 0;
}

static void test_max_preset(void **state)
{
	struct apv_host *h = host_preset("max", APV_KERNEL_6_12, false);
	struct apsim_node n;
	size_t count = 0;

	(void)state;
	assert_int_equal(apsim_tree_lookup(h, "bus/ap/devices", &n), 0);
	assert_int_equal(apsim_tree_list(h, &n, count_entries, &count), 0);
	assert_int_equal(count, 256 + 256 * 256);
	assert_link(h, "bus/ap/devices/ff.00ff",
		    "../../../devices/ap/cardff/ff.00ff");
	assert_type(h, "devices/ap/cardff/ff.00ff/online", APSIM_FILE);
	assert_absent(h, "devices/ap/cardff/ff.0100");
	apv_host_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_relpath),
		cmocka_unit_test(test_root_layout),
		cmocka_unit_test(test_bus_ap),
		cmocka_unit_test(test_cards_queues),
		cmocka_unit_test(test_noncanonical),
		cmocka_unit_test(test_vfio_layout),
		cmocka_unit_test(test_mdev_lifecycle),
		cmocka_unit_test(test_rebinding),
		cmocka_unit_test(test_fixed_files),
		cmocka_unit_test(test_kernel_profiles),
		cmocka_unit_test(test_zcrypt),
		cmocka_unit_test(test_stable),
		cmocka_unit_test(test_list_stops),
		cmocka_unit_test(test_max_preset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
