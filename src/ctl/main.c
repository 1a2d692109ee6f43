// SPDX-License-Identifier: MIT
/*
 * apctl: manage vfio_ap mediated devices and their mdevctl definitions.
 *
 * The command line is two tables: the options (opts[]) and the commands
 * (cmds[]), each command naming the options it accepts and its operands.
 * A command returns 0 or fills a struct ctl_err; main() prints the error
 * once (text on stderr, or a JSON object on stdout with --json) and exits
 * non-zero.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "config.h"
#include "lock.h"
#include "sysfs.h"

#define MDEV_TYPE "vfio_ap-passthrough"
#define MATRIX "devices/vfio_ap/matrix"

/* ---- errors ------------------------------------------------------------ */

struct ctl_err {
	char *msg;	/* the message, naming its subject */
	int err;	/* errno, positive; 0 for a usage error */
	const char *rule; /* why, for scripts: "apqn-in-use", ... */
	char apqn[8];	/* "05.0047" or "" */
	char *owner;	/* the other mdev's UUID or NULL */
};

static int ctl_fail(struct ctl_err *e, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int ctl_fail(struct ctl_err *e, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&e->msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	e->err = err;
	return -1;
}

/* ---- options and commands ------------------------------------------- */

enum opt_id {
	OPT_HELP,
	OPT_JSON,
	OPT_SYSFS_ROOT,
	OPT_CONFIG_ROOT,
	OPT_RUN_ROOT,
	OPT_ADAPTERS,
	OPT_DOMAINS,
	OPT_CONTROL_DOMAINS,
	OPT_AUTOSTART,
	OPT_COUNT
};

#define GLOBAL_OPTS (1u << OPT_HELP | 1u << OPT_JSON | \
		     1u << OPT_SYSFS_ROOT | 1u << OPT_CONFIG_ROOT | \
		     1u << OPT_RUN_ROOT)

static const struct opt {
	const char *name;
	char short_name;
	const char *arg; /* NULL: a flag */
	const char *help;
} opts[OPT_COUNT] = {
	[OPT_HELP] = {"help", 'h', NULL, "show this help"},
	[OPT_JSON] = {"json", 0, NULL, "print JSON (results and errors)"},
	[OPT_SYSFS_ROOT] = {"sysfs-root", 0, "DIR", "sysfs is DIR (/sys)"},
	[OPT_CONFIG_ROOT] = {"config-root", 0, "DIR",
			     "definitions under DIR/mdevctl.d (/etc)"},
	[OPT_RUN_ROOT] = {"run-root", 0, "DIR",
			  "the s390apconfig lock in DIR/lock (/run)"},
	[OPT_ADAPTERS] = {"adapters", 'a', "LIST", "adapters, e.g. 4-5,0x0a"},
	[OPT_DOMAINS] = {"domains", 'd', "LIST", "usage domains"},
	[OPT_CONTROL_DOMAINS] = {"control-domains", 'c', "LIST",
				 "control domains"},
	[OPT_AUTOSTART] = {"autostart", 0, NULL, "start at boot (mdevctl)"},
};

struct args {
	const char *val[OPT_COUNT];
	bool set[OPT_COUNT];
	const char *operand;
	bool json;
};

struct cmd {
	const char *name;
	const char *operand; /* NULL: none */
	unsigned int opts;    /* beyond GLOBAL_OPTS */
	bool locked;	      /* holds the s390apconfig lock */
	const char *help;
	int (*run)(const struct args *a, json_t **out, struct ctl_err *e);
};

/* ---- id lists ---------------------------------------------------------- */

static int parse_num(const char *s, size_t len, unsigned int *v)
{
	char buf[32], *end;
	unsigned long n;

	if (!len || len >= sizeof(buf) || s[0] == '-' || s[0] == '+')
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	n = strtoul(buf, &end, 0);
	if (errno || *end || n > UINT_MAX)
		return -1;
	*v = (unsigned int)n;
	return 0;
}

/* "4-5,0x0a" into IDS; each id must be <= MAX. */
static int parse_list(const char *what, const char *list, unsigned int max,
		      struct ctl_ids *ids, struct ctl_err *e)
{
	const char *p = list;

	memset(ids, 0, sizeof(*ids));
	if (!*list)
		return ctl_fail(e, EINVAL, "%s list is empty", what);
	while (*p) {
		size_t len = strcspn(p, ",");
		const char *dash = memchr(p, '-', len);
		unsigned int lo, hi;

		if (dash ? parse_num(p, (size_t)(dash - p), &lo) ||
				   parse_num(dash + 1,
					     len - (size_t)(dash - p) - 1, &hi)
			 : parse_num(p, len, &lo))
			return ctl_fail(e, EINVAL, "%s '%.*s': not a number or range",
				    what, (int)len, p);
		if (!dash)
			hi = lo;
		if (lo > hi)
			return ctl_fail(e, EINVAL, "%s '%.*s': empty range", what,
				    (int)len, p);
		if (hi > max)
			return ctl_fail(e, EINVAL,
				    "%s '%.*s': out of range (max 0x%02x)",
				    what, (int)len, p, max);
		for (unsigned int i = lo; i <= hi; i++)
			ctl_ids_set(ids, i);
		p += len;
		if (*p == ',' && !*++p)
			return ctl_fail(e, EINVAL, "%s list '%s' ends with ','",
				    what, list);
	}
	return 0;
}

static json_t *ids_json(const struct ctl_ids *ids)
{
	json_t *a = json_array();

	for (unsigned int i = 0; i < CTL_MAX_ID; i++)
		if (ctl_ids_test(ids, i))
			json_array_append_new(a, json_integer(i));
	return a;
}

/* "04-05,0a" (width 2) or "0047,0054" (width 4); "-" when empty. */
static void print_ids(const struct ctl_ids *ids, int width)
{
	bool any = false;

	for (unsigned int i = 0; i < CTL_MAX_ID; i++) {
		unsigned int j = i;

		if (!ctl_ids_test(ids, i))
			continue;
		while (j + 1 < CTL_MAX_ID && ctl_ids_test(ids, j + 1))
			j++;
		printf("%s%0*x", any ? "," : "", width, i);
		if (j > i)
			printf("-%0*x", width, j);
		any = true;
		i = j;
	}
	fputs(any ? "\n" : "-\n", stdout);
}

/* ---- the host, read through sysfs ---------------------------------------- */

static unsigned int max_id(const char *attr)
{
	char *path = ctl_sys_path("bus/ap/%s", attr), *v = NULL;
	unsigned int max = CTL_MAX_ID - 1;

	if (!ctl_read_file(path, &v)) {
		unsigned long n = strtoul(v, NULL, 10);

		if (n < CTL_MAX_ID)
			max = (unsigned int)n;
	}
	free(v);
	free(path);
	return max;
}

static int read_mask(const char *rel, struct ctl_ids *ids)
{
	char *path = ctl_sys_path("%s", rel), *v = NULL;
	int r = ctl_read_file(path, &v);

	if (!r)
		r = ctl_parse_mask(v, ids);
	free(v);
	free(path);
	return r;
}

/* An mdev's attribute; NULL if unreadable. */
static char *mdev_attr(const char *uuid, const char *attr)
{
	char *path = ctl_sys_path(MATRIX "/%s/%s", uuid, attr), *v = NULL;

	if (ctl_read_file(path, &v))
		v = NULL;
	free(path);
	return v;
}

static bool mdev_active(const char *uuid)
{
	char *path = ctl_sys_path(MATRIX "/%s", uuid);
	bool r = !access(path, F_OK);

	free(path);
	return r;
}

static bool is_uuid(const char *name)
{
	return ctl_is_uuid(name);
}

/* The active mdevs' UUIDs, sorted (none without vfio_ap). */
static char **active_mdevs(void)
{
	char *path = ctl_sys_path(MATRIX);
	char **v;

	if (ctl_list_dir(path, is_uuid, &v) < 0)
		v = xcalloc(1, sizeof(*v));
	free(path);
	return v;
}

/* The mdev other than SELF whose matrix holds APQN ("05.0047"). */
static char *apqn_owner(const char *apqn, const char *self)
{
	char **mdevs = active_mdevs(), *owner = NULL;

	for (char **u = mdevs; *u && !owner; u++) {
		char *m, *save = NULL;

		if (self && !strcmp(*u, self))
			continue;
		m = mdev_attr(*u, "matrix");
		for (char *l = m ? strtok_r(m, "\n", &save) : NULL; l;
		     l = strtok_r(NULL, "\n", &save))
			if (!strcmp(l, apqn)) {
				owner = xstrdup(*u);
				break;
			}
		free(m);
	}
	ctl_strv_free(mdevs);
	return owner;
}

static bool is_card(const char *n)
{
	return !strncmp(n, "card", 4) && strlen(n) == 6;
}

static bool is_queue(const char *n)
{
	return strlen(n) == 7 && n[2] == '.';
}

/* ---- apctl host ---------------------------------------------------------- */

static int cmd_host(const struct args *a, json_t **out, struct ctl_err *e)
{
	static const struct {
		const char *key, *rel, *label;
		int width;
	} masks[] = {
		{"adapters", "bus/ap/ap_adapter_mask", "adapters", 2},
		{"usage_domains", "bus/ap/ap_usage_domain_mask", "domains", 4},
		{"control_domains", "bus/ap/ap_control_domain_mask",
		 "control domains", 4},
		{"apmask", "bus/ap/apmask", "apmask", 2},
		{"aqmask", "bus/ap/aqmask", "aqmask", 4},
	};
	json_t *root = json_object(), *queues = json_array();
	char *path = ctl_sys_path("devices/ap");
	char **cards;
	int r;

	r = ctl_list_dir(path, is_card, &cards);
	free(path);
	if (r < 0) {
		json_decref(root);
		json_decref(queues);
		return ctl_fail(e, -r, "'%s': cannot read the AP bus: %s",
			    "devices/ap", strerror(-r));
	}
	for (size_t i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		struct ctl_ids ids;

		r = read_mask(masks[i].rel, &ids);
		if (r) {
			ctl_strv_free(cards);
			json_decref(root);
			json_decref(queues);
			return ctl_fail(e, -r, "'%s': %s", masks[i].rel,
				    strerror(-r));
		}
		json_object_set_new(root, masks[i].key, ids_json(&ids));
		if (!a->json) {
			printf("%-16s ", masks[i].label);
			print_ids(&ids, masks[i].width);
		}
	}
	if (!a->json)
		printf("%-8s %-8s %-10s %-12s %s\n", "QUEUE", "ONLINE",
		       "DRIVER", "STATUS", "MDEV");
	for (char **c = cards; *c; c++) {
		char *cdir = ctl_sys_path("devices/ap/%s", *c);
		char **qs;

		r = ctl_list_dir(cdir, is_queue, &qs);
		free(cdir);
		if (r < 0)
			continue;
		for (char **q = qs; *q; q++) {
			char *lp = ctl_sys_path("devices/ap/%s/%s/driver", *c,
						*q);
			char *op = ctl_sys_path("devices/ap/%s/%s/online", *c,
						*q);
			char *sp = ctl_sys_path("devices/ap/%s/%s/status", *c,
						*q);
			char *drv = NULL, *online = NULL, *status = NULL;
			char *owner = apqn_owner(*q, NULL);
			json_t *o = json_object();

			if (ctl_link_base(lp, &drv))
				drv = NULL;
			if (ctl_read_file(op, &online))
				online = NULL;
			if (ctl_read_file(sp, &status))
				status = NULL;
			json_object_set_new(o, "apqn", json_string(*q));
			json_object_set_new(o, "driver",
					    drv ? json_string(drv) : json_null());
			json_object_set_new(o, "online",
					    online ? json_boolean(!strcmp(online, "1"))
						   : json_null());
			json_object_set_new(o, "status",
					    status ? json_string(status)
						   : json_null());
			json_object_set_new(o, "mdev", owner ? json_string(owner)
							     : json_null());
			json_array_append_new(queues, o);
			if (!a->json)
				printf("%-8s %-8s %-10s %-12s %s\n", *q,
				       online ? online : "-",
				       drv ? drv : "-", status ? status : "-",
				       owner ? owner : "-");
			free(drv);
			free(online);
			free(status);
			free(owner);
			free(lp);
			free(op);
			free(sp);
		}
		ctl_strv_free(qs);
	}
	ctl_strv_free(cards);
	json_object_set_new(root, "queues", queues);
	*out = root;
	return 0;
}

/* ---- apctl list ------------------------------------------------------------- */

static char **merge_uuids(char **a, char **b)
{
	size_t n = 0;
	char **v;

	for (char **p = a; *p; p++)
		n++;
	for (char **p = b; *p; p++)
		n++;
	v = xcalloc(n + 1, sizeof(*v));
	n = 0;
	while (*a || *b) {
		int c = !*a ? 1 : !*b ? -1 : strcmp(*a, *b);

		v[n++] = xstrdup(c <= 0 ? *a : *b);
		if (c <= 0)
			a++;
		if (c >= 0)
			b++;
	}
	return v;
}

/* A multi-line sysfs value as a JSON array of its lines. */
static json_t *lines_json(const char *s)
{
	json_t *a = json_array();
	char *copy = xstrdup(s ? s : ""), *save = NULL;

	for (char *l = strtok_r(copy, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save))
		json_array_append_new(a, json_string(l));
	free(copy);
	return a;
}

static void print_lines(const char *label, const char *s)
{
	printf("  %-16s", label);
	if (!s || !*s) {
		puts("-");
		return;
	}
	for (const char *p = s; *p; p++)
		putchar(*p == '\n' ? ' ' : *p);
	putchar('\n');
}

static int cmd_list(const struct args *a, json_t **out, struct ctl_err *e)
{
	json_t *root = json_array();
	char **defs, **act, **all;
	int r;

	r = ctl_def_list(&defs);
	if (r < 0) {
		json_decref(root);
		return ctl_fail(e, -r, "'%s': %s", "mdevctl.d/matrix",
			    strerror(-r));
	}
	act = active_mdevs();
	all = merge_uuids(defs, act);
	for (char **u = all; *u; u++) {
		struct ctl_def d;
		bool defined = !ctl_def_load(*u, &d), active = mdev_active(*u);
		struct ctl_ids apm, aqm, adm;
		json_t *o = json_object();
		char *m = NULL, *g = NULL, *cd = NULL;

		json_object_set_new(o, "uuid", json_string(*u));
		json_object_set_new(o, "defined", json_boolean(defined));
		json_object_set_new(o, "active", json_boolean(active));
		if (!a->json)
			printf("%s %s%s%s\n", *u, defined ? "defined" : "",
			       defined && active ? " " : "",
			       active ? "active" : "");
		if (defined) {
			json_t *def = json_object();

			json_object_set_new(def, "start",
					    json_string(d.autostart ? "auto"
								    : "manual"));
			if (ctl_def_matrix(&d, &apm, &aqm, &adm)) {
				json_object_set_new(def, "valid",
						    json_false());
				if (!a->json)
					puts("  definition      invalid assign_* value");
			} else {
				json_object_set_new(def, "adapters",
						    ids_json(&apm));
				json_object_set_new(def, "domains",
						    ids_json(&aqm));
				json_object_set_new(def, "control_domains",
						    ids_json(&adm));
				if (!a->json) {
					printf("  %-16s%s\n", "start",
					       d.autostart ? "auto" : "manual");
					printf("  %-16s", "adapters");
					print_ids(&apm, 2);
					printf("  %-16s", "domains");
					print_ids(&aqm, 4);
					printf("  %-16s", "control domains");
					print_ids(&adm, 4);
				}
			}
			json_object_set_new(o, "definition", def);
			ctl_def_free(&d);
		}
		if (active) {
			m = mdev_attr(*u, "matrix");
			g = mdev_attr(*u, "guest_matrix");
			cd = mdev_attr(*u, "control_domains");
			json_object_set_new(o, "matrix", lines_json(m));
			json_object_set_new(o, "guest_matrix",
					    g ? lines_json(g) : json_null());
			json_object_set_new(o, "control_domains",
					    lines_json(cd));
			if (!a->json) {
				print_lines("matrix", m);
				if (g)
					print_lines("guest_matrix", g);
				print_lines("control_domains", cd);
			}
		}
		free(m);
		free(g);
		free(cd);
		json_array_append_new(root, o);
	}
	ctl_strv_free(all);
	ctl_strv_free(act);
	ctl_strv_free(defs);
	*out = root;
	return 0;
}

/* ---- apctl define / undefine -------------------------------------------- */

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
static void name_uuid(const char *name, char uuid[37])
{
	uint64_t x = UINT64_C(0xcbf29ce484222325), h[2];
	unsigned char b[16];

	for (const char *p = name; *p; p++) {
		x ^= (unsigned char)*p;
		x *= UINT64_C(0x100000001b3);
	}
	h[0] = mix64(x);
	h[1] = mix64(x ^ UINT64_C(0x9e3779b97f4a7c15));
	for (int i = 0; i < 16; i++)
		b[i] = (unsigned char)(h[i / 8] >> (8 * (i % 8)));
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x80);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(uuid, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
}

static void lower_uuid(const char *in, char uuid[37])
{
	for (int i = 0; i < 36; i++)
		uuid[i] = (char)(in[i] >= 'A' && in[i] <= 'F' ? in[i] + 32
							       : in[i]);
	uuid[36] = '\0';
}

static int operand_uuid(const struct args *a, char uuid[37],
			struct ctl_err *e)
{
	if (!ctl_is_uuid(a->operand))
		return ctl_fail(e, EINVAL, "'%s': not a UUID", a->operand);
	lower_uuid(a->operand, uuid);
	return 0;
}

static void add_ids(struct ctl_def *d, const char *key,
		    const struct ctl_ids *ids)
{
	char v[8];

	for (unsigned int i = 0; i < CTL_MAX_ID; i++) {
		if (!ctl_ids_test(ids, i))
			continue;
		snprintf(v, sizeof(v), "0x%x", i);
		ctl_def_add(d, key, v);
	}
}

static int cmd_define(const struct args *a, json_t **out, struct ctl_err *e)
{
	struct ctl_ids apm = {{0}}, aqm = {{0}}, adm = {{0}};
	unsigned int amax = max_id("ap_max_adapter_id");
	unsigned int dmax = max_id("ap_max_domain_id");
	struct ctl_def d = {0}, old;
	char uuid[37];
	int r;

	if (ctl_is_uuid(a->operand))
		lower_uuid(a->operand, uuid);
	else
		name_uuid(a->operand, uuid);
	if (a->set[OPT_ADAPTERS] &&
	    parse_list("adapter", a->val[OPT_ADAPTERS], amax, &apm, e))
		return -1;
	if (a->set[OPT_DOMAINS] &&
	    parse_list("domain", a->val[OPT_DOMAINS], dmax, &aqm, e))
		return -1;
	if (a->set[OPT_CONTROL_DOMAINS] &&
	    parse_list("control domain", a->val[OPT_CONTROL_DOMAINS], dmax,
		       &adm, e))
		return -1;
	r = ctl_def_load(uuid, &old);
	if (r != -ENOENT) {
		if (!r)
			ctl_def_free(&old);
		return ctl_fail(e, EEXIST, "mdev %s: already defined", uuid);
	}
	d.mdev_type = xstrdup(MDEV_TYPE);
	d.autostart = a->set[OPT_AUTOSTART];
	add_ids(&d, "assign_adapter", &apm);
	add_ids(&d, "assign_domain", &aqm);
	add_ids(&d, "assign_control_domain", &adm);
	r = ctl_def_save(uuid, &d);
	ctl_def_free(&d);
	if (r)
		return ctl_fail(e, -r, "mdev %s: cannot write the definition: %s",
			    uuid, strerror(-r));
	*out = json_pack("{s:s}", "uuid", uuid);
	if (!a->json)
		puts(uuid);
	return 0;
}

static int cmd_undefine(const struct args *a, json_t **out,
			struct ctl_err *e)
{
	char uuid[37];
	int r;

	if (operand_uuid(a, uuid, e))
		return -1;
	r = ctl_def_remove(uuid);
	if (r == -ENOENT)
		return ctl_fail(e, ENOENT, "mdev %s: not defined", uuid);
	if (r)
		return ctl_fail(e, -r, "mdev %s: cannot remove the definition: %s",
			    uuid, strerror(-r));
	*out = json_pack("{s:s}", "uuid", uuid);
	return 0;
}

/* ---- apctl start / stop --------------------------------------------------- */

static int mdev_write(const char *uuid, const char *attr, const char *val)
{
	char *path = ctl_sys_path(MATRIX "/%s/%s", uuid, attr);
	int r = ctl_write_file(path, val);

	free(path);
	return r;
}

static bool has_ap_config(void)
{
	char *path = ctl_sys_path(MATRIX "/features"), *v = NULL, *save = NULL;
	bool r = false;

	if (!ctl_read_file(path, &v))
		for (char *w = strtok_r(v, " \n", &save); w;
		     w = strtok_r(NULL, " \n", &save))
			if (!strcmp(w, "ap_config"))
				r = true;
	free(v);
	free(path);
	return r;
}

/* Every attribute is an assign_*: ap_config can replace them. */
static bool only_assigns(const struct ctl_def *d)
{
	for (size_t i = 0; i < d->n_attrs; i++)
		if (strncmp(d->attrs[i].key, "assign_", 7))
			return false;
	return true;
}

static void mask_hex(const struct ctl_ids *ids, char out[67])
{
	char *p = out + 2;

	out[0] = '0';
	out[1] = 'x';
	for (unsigned int i = 0; i < CTL_MAX_ID; i += 4) {
		unsigned int v = 0;

		for (unsigned int j = 0; j < 4; j++)
			v = v << 1 | ctl_ids_test(ids, i + j);
		*p++ = "0123456789abcdef"[v];
	}
	*p = '\0';
}

/*
 * Why the kernel refused MATRIX (APM x AQM) for UUID with ERR: the
 * APQN the host keeps (EADDRNOTAVAIL) or another mdev holds (EADDRINUSE).
 */
static void explain(const char *uuid, int err, const struct ctl_ids *apm,
		    const struct ctl_ids *aqm, struct ctl_err *e)
{
	struct ctl_ids hapm, haqm;
	bool masks = !read_mask("bus/ap/apmask", &hapm) &&
		     !read_mask("bus/ap/aqmask", &haqm);

	for (unsigned int ap = 0; ap < CTL_MAX_ID; ap++) {
		if (!ctl_ids_test(apm, ap))
			continue;
		for (unsigned int dom = 0; dom < CTL_MAX_ID; dom++) {
			char apqn[8];

			if (!ctl_ids_test(aqm, dom))
				continue;
			snprintf(apqn, sizeof(apqn), "%02x.%04x", ap, dom);
			/* Both bits set: the default drivers' (§1.6). */
			if (err == EADDRNOTAVAIL && masks &&
			    ctl_ids_test(&hapm, ap) &&
			    ctl_ids_test(&haqm, dom)) {
				memcpy(e->apqn, apqn, sizeof(apqn));
				e->rule = "apqn-host-reserved";
				ctl_fail(e, err,
				     "mdev %s: APQN %s is reserved for the host "
				     "(apmask/aqmask): %s",
				     uuid, apqn, strerror(err));
				return;
			}
			if (err == EADDRINUSE) {
				char *owner = apqn_owner(apqn, uuid);

				if (!owner)
					continue;
				memcpy(e->apqn, apqn, sizeof(apqn));
				e->owner = owner;
				e->rule = "apqn-in-use";
				ctl_fail(e, err,
				     "mdev %s: APQN %s is already assigned to "
				     "mdev %s: %s",
				     uuid, apqn, owner, strerror(err));
				return;
			}
		}
	}
	ctl_fail(e, err, "mdev %s: the kernel refused the matrix: %s", uuid,
	     strerror(err));
}

static int cmd_start(const struct args *a, json_t **out, struct ctl_err *e)
{
	struct ctl_ids apm, aqm, adm;
	struct ctl_def d;
	char uuid[37], *create;
	int r;

	if (operand_uuid(a, uuid, e))
		return -1;
	r = ctl_def_load(uuid, &d);
	if (r == -ENOENT)
		return ctl_fail(e, ENOENT, "mdev %s: not defined", uuid);
	if (r)
		return ctl_fail(e, -r, "mdev %s: cannot read the definition: %s",
			    uuid, strerror(-r));
	if (strcmp(d.mdev_type, MDEV_TYPE)) {
		ctl_fail(e, EINVAL, "mdev %s: type '%s' is not %s", uuid,
		     d.mdev_type, MDEV_TYPE);
		goto out;
	}
	if (ctl_def_matrix(&d, &apm, &aqm, &adm)) {
		e->rule = "invalid-attribute";
		ctl_fail(e, EINVAL,
		     "mdev %s: an assign_* value is not one number 0..255",
		     uuid);
		goto out;
	}
	if (mdev_active(uuid)) {
		ctl_fail(e, EEXIST, "mdev %s: already active", uuid);
		goto out;
	}
	create = ctl_sys_path(MATRIX "/mdev_supported_types/" MDEV_TYPE
			      "/create");
	r = ctl_write_file(create, uuid);
	free(create);
	if (r) {
		ctl_fail(e, -r, "mdev %s: cannot create: %s", uuid, strerror(-r));
		goto out;
	}
	if (only_assigns(&d) && has_ap_config()) {
		char m[3][67], cfg[3 * 67 + 2];

		mask_hex(&apm, m[0]);
		mask_hex(&aqm, m[1]);
		mask_hex(&adm, m[2]);
		snprintf(cfg, sizeof(cfg), "%s,%s,%s", m[0], m[1], m[2]);
		r = mdev_write(uuid, "ap_config", cfg);
	} else {
		for (size_t i = 0; i < d.n_attrs && !r; i++)
			r = mdev_write(uuid, d.attrs[i].key, d.attrs[i].val);
	}
	if (r) {
		/* Diagnose while the mdev exists, then remove it. */
		explain(uuid, -r, &apm, &aqm, e);
		mdev_write(uuid, "remove", "1");
		goto out;
	}
	*out = json_pack("{s:s}", "uuid", uuid);
out:
	ctl_def_free(&d);
	return e->msg ? -1 : 0;
}

static int cmd_stop(const struct args *a, json_t **out, struct ctl_err *e)
{
	char uuid[37];
	int r;

	if (operand_uuid(a, uuid, e))
		return -1;
	if (!mdev_active(uuid))
		return ctl_fail(e, ENODEV, "mdev %s: not active", uuid);
	r = mdev_write(uuid, "remove", "1");
	if (r)
		return ctl_fail(e, -r, "mdev %s: cannot remove: %s", uuid,
			    strerror(-r));
	*out = json_pack("{s:s}", "uuid", uuid);
	return 0;
}

/* ---- the command table ------------------------------------------------------ */

#define DEFINE_OPTS (1u << OPT_ADAPTERS | 1u << OPT_DOMAINS | \
		     1u << OPT_CONTROL_DOMAINS | 1u << OPT_AUTOSTART)

static const struct cmd cmds[] = {
	{"host", NULL, 0, false,
	 "adapters, domains, masks; each queue's driver and mdev", cmd_host},
	{"list", NULL, 0, false, "defined and active mdevs", cmd_list},
	{"define", "NAME|UUID", DEFINE_OPTS, true,
	 "write a definition (mdevctl format); prints the UUID", cmd_define},
	{"undefine", "UUID", 0, true, "remove a definition", cmd_undefine},
	{"start", "UUID", 0, true, "create the mdev of a definition",
	 cmd_start},
	{"stop", "UUID", 0, true, "remove an active mdev", cmd_stop},
};

#define N_CMDS (sizeof(cmds) / sizeof(cmds[0]))

static void usage(FILE *f, const struct cmd *only)
{
	fputs("Usage: apctl [OPTIONS] COMMAND [ARGS]\n\nCommands:\n", f);
	for (size_t i = 0; i < N_CMDS; i++) {
		const struct cmd *c = &cmds[i];

		if (only && only != c)
			continue;
		fprintf(f, "  %s%s%s\n      %s\n", c->name,
			c->operand ? " " : "", c->operand ? c->operand : "",
			c->help);
	}
	fputs("\nOptions:\n", f);
	for (int i = 0; i < OPT_COUNT; i++) {
		const struct opt *o = &opts[i];
		char buf[48];

		if (only && !((GLOBAL_OPTS | only->opts) >> i & 1))
			continue;
		snprintf(buf, sizeof(buf), "%c%c%s--%s%s%s",
			 o->short_name ? '-' : ' ',
			 o->short_name ? o->short_name : ' ',
			 o->short_name ? ", " : "  ", o->name,
			 o->arg ? " " : "", o->arg ? o->arg : "");
		fprintf(f, "  %-30s %s\n", buf, o->help);
	}
}

static int find_opt(const char *arg, const char **val)
{
	*val = NULL;
	if (arg[1] == '-') {
		const char *name = arg + 2, *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);

		for (int i = 0; i < OPT_COUNT; i++)
			if (strlen(opts[i].name) == len &&
			    !strncmp(opts[i].name, name, len)) {
				*val = eq ? eq + 1 : NULL;
				return i;
			}
		return -1;
	}
	for (int i = 0; i < OPT_COUNT; i++)
		if (opts[i].short_name && arg[1] == opts[i].short_name) {
			*val = arg[2] ? arg + 2 : NULL;
			return i;
		}
	return -1;
}

/* Fill A from argv; *cmd is the command (NULL: none given). */
static int parse_args(int argc, char **argv, struct args *a,
		      const struct cmd **cmd, struct ctl_err *e)
{
	bool only_operands = false;

	*cmd = NULL;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *val;
		int id;

		if (only_operands || arg[0] != '-' || !arg[1]) {
			if (!*cmd) {
				for (size_t k = 0; k < N_CMDS; k++)
					if (!strcmp(cmds[k].name, arg))
						*cmd = &cmds[k];
				if (!*cmd)
					return ctl_fail(e, 0,
						    "'%s': unknown command",
						    arg);
			} else if ((*cmd)->operand && !a->operand) {
				a->operand = arg;
			} else {
				return ctl_fail(e, 0, "'%s': unexpected argument",
					    arg);
			}
			continue;
		}
		if (!strcmp(arg, "--")) {
			only_operands = true;
			continue;
		}
		id = find_opt(arg, &val);
		if (id < 0)
			return ctl_fail(e, 0, "'%s': unknown option", arg);
		if (opts[id].arg && !val) {
			if (i + 1 >= argc)
				return ctl_fail(e, 0, "'--%s' needs %s",
					    opts[id].name, opts[id].arg);
			val = argv[++i];
		} else if (!opts[id].arg && val) {
			return ctl_fail(e, 0, "'--%s' takes no value",
				    opts[id].name);
		}
		a->set[id] = true;
		a->val[id] = val;
	}
	a->json = a->set[OPT_JSON];
	if (a->set[OPT_HELP])
		return 0;
	if (!*cmd)
		return ctl_fail(e, 0, "no command given (try 'apctl --help')");
	for (int i = 0; i < OPT_COUNT; i++)
		if (a->set[i] && !((GLOBAL_OPTS | (*cmd)->opts) >> i & 1))
			return ctl_fail(e, 0, "'--%s' does not apply to '%s'",
				    opts[i].name, (*cmd)->name);
	if ((*cmd)->operand && !a->operand)
		return ctl_fail(e, 0, "'%s' needs %s", (*cmd)->name,
			    (*cmd)->operand);
	return 0;
}

static void print_error(const struct args *a, const struct ctl_err *e)
{
	if (a->json) {
		json_t *o = json_object();
		const char *name = e->err ? strerrorname_np(e->err) : NULL;
		char *s;

		json_object_set_new(o, "error", json_string(e->msg));
		json_object_set_new(o, "errno",
				    name ? json_string(name) : json_null());
		json_object_set_new(o, "rule",
				    e->rule ? json_string(e->rule)
					    : json_null());
		json_object_set_new(o, "apqn",
				    e->apqn[0] ? json_string(e->apqn)
					       : json_null());
		json_object_set_new(o, "owner",
				    e->owner ? json_string(e->owner)
					     : json_null());
		s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (s)
			puts(s);
		free(s);
		json_decref(o);
		return;
	}
	fprintf(stderr, "apctl: %s\n", e->msg);
}

int main(int argc, char **argv)
{
	struct ctl_err e = {0};
	struct args a = {0};
	const struct cmd *cmd;
	json_t *out = NULL;
	int rc = 0, r;

	/* Usage errors, too, are JSON with --json anywhere before "--". */
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--json"))
			a.json = true;
	if (parse_args(argc, argv, &a, &cmd, &e)) {
		print_error(&a, &e);
		rc = 2;
		goto done;
	}
	if (a.set[OPT_HELP] || !cmd) {
		usage(stdout, cmd);
		goto done;
	}
	ctl_set_roots(a.val[OPT_SYSFS_ROOT], a.val[OPT_CONFIG_ROOT]);
	ctl_lock_set_root(a.val[OPT_RUN_ROOT]);
	if (cmd->locked) {
		r = ctl_lock_take();
		if (r) {
			ctl_fail(&e, -r, "'%s': cannot take the lock: %s",
			     ctl_lock_path(), strerror(-r));
			e.rule = "lock-held";
			print_error(&a, &e);
			rc = 1;
			goto done;
		}
	}
	r = cmd->run(&a, &out, &e);
	ctl_lock_release();
	if (r) {
		print_error(&a, &e);
		rc = 1;
		goto done;
	}
	if (a.json && out) {
		char *s = json_dumps(out, JSON_INDENT(2) |
					  JSON_PRESERVE_ORDER);

		if (s)
			puts(s);
		free(s);
	}
done:
	json_decref(out);
	free(e.msg);
	free(e.owner);
	return rc;
}
