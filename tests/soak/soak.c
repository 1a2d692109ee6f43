// SPDX-License-Identifier: MIT
/*
 * The soak test (make soak, docs/testing.md): random operations through
 * apsim's MOUNTED tree and its control socket, the same operations on an
 * in-process libapvirt host (the reference), compared after every one.
 *
 *   apvirt-soak [--seed S] [--ops N] [--full-every K] [--quiet]
 *
 * Outside apsim it re-runs itself under `$APSIM exec --workers 0 --`
 * (default preset, kernel 6.12), so the tree is on /sys of a private mount
 * namespace and $APSIM_SOCKET names the control socket.  The reference is
 * apv_host_new() on the same preset, without adapter workers.
 *
 * Operations (the choice depends only on the seed and the reference's
 * state, so a run is reproducible from --seed):
 *   - a write to an attribute of a bus, card, queue, driver, matrix, mdev
 *     type, mdev, zcrypt class or zcrypt node object (existing or not):
 *     plausible values, bad ids, garbage bytes, NUL bytes, 4 KiB writes;
 *     open + write + close on the tree, apv_attr_write() on the reference;
 *   - a hardware event on the control socket (adapter add/remove/restore/
 *     configure/checkstop, domains, control domains, scan; sometimes with
 *     "scan": false), apv_hw_*() on the reference;
 *   - a guest attaching (apv_guest_open, libapvirt_guest) or detaching
 *     (connection closed), apv_kvm_new/add_memslot/mdev_set_kvm/mdev_open
 *     and apv_kvm_free() on the reference; an mdev removed under a guest
 *     is unplugged by apsim (device request) and by a helper thread of
 *     the reference, as QEMU does;
 *   - a guest sending an RSA request (modular exponentiation with
 *     exponent 1, so the result is the message: a tag naming the guest and
 *     the request) or dequeueing a reply.
 * Checks after every operation:
 *   - the result (byte count or errno) equals the reference's;
 *   - no APQN is in two mdevs' assigned matrices (reference);
 *   - every guest's matrix (shadow APCB) is within the configuration (QCI,
 *     unless a "scan": false change is pending), the queues bound to
 *     vfio_ap and the mdev's assigned matrix (reference);
 *   - a reply a guest dequeues carries a tag of a request that guest sent
 *     on that queue and has not received yet (no reply crosses owners);
 *   - the tree agrees with the reference: the attributes of the object
 *     written and one attribute of a random mdev after every operation;
 *     every readable attribute of every object (cards and queues: up to
 *     SWEEP_CARDS cards and SWEEP_QUEUES queues a card, a random sample
 *     beyond), and the directory listings of mdevs and cards, every
 *     --full-every operations and at the end.
 * A violation prints the op index, expected and actual, and the op as a
 * repro line; the run goes on (at most 20 are printed) and exits 1.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include <apvirt/apqn.h>
#include <apvirt/attr.h>
#include <apvirt/bitmap.h>
#include <apvirt/bus.h>
#include <apvirt/guest.h>
#include <apvirt/host.h>
#include <apvirt/kvm.h>
#include <apvirt/preset.h>
#include <apvirt/strbuf.h>
#include <apvirt/uuid.h>
#include <apvirt/vfio_ap.h>
#include <apvirt/zcdn.h>

#define MAX_GUESTS 3
#define MAX_OUT 256
#define MAX_ATTRS 64
#define MAX_PRINTED 20
#define MOD_LEN 64
#define TAG_SEQ_MASK ((UINT64_C(1) << 48) - 1)
#define GUEST_MEM (UINT64_C(1) << 20)
#define SWEEP_CARDS 24 /* cards compared per sweep (more: a sample) */
#define SWEEP_QUEUES 8 /* queues a card compared per sweep */

/* ---- run state ------------------------------------------------------------ */

static struct apv_host *ref;
static const char *sock_path;
static uint64_t rng;
static uint64_t seed;
static uint64_t op_idx;
static unsigned long violations;
static bool quiet;
static char op_desc[2048];
static bool noscan_pending;
static int ctl_fd = -1;

struct outreq {
	apv_apqn apqn;
	uint64_t tag, psmid;
};

struct guest {
	bool used;
	struct apv_guest *g; /* apsim side */
	struct apv_kvm *kvm; /* reference side (NULL once unplugged) */
	uint8_t uuid[16];
	unsigned int slot;
	struct outreq out[MAX_OUT];
	size_t n_out;
};
static struct guest guests[MAX_GUESTS];
static uint64_t guest_names, tag_seq;

static struct {
	uint64_t writes, events, attaches, detaches, sends, recvs, replies,
		compares, sweeps, ok, refused;
} st;

/* The reference's unplug helper: the device request of a remove. */
static pthread_mutex_t unplug_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t unplug_cv = PTHREAD_COND_INITIALIZER;
static int unplug_slot = -1;
static bool unplug_quit;

static uint64_t rnd(void)
{
	/* splitmix64 */
	uint64_t z = (rng += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static unsigned int rn(unsigned int n)
{
	return n ? (unsigned int)(rnd() % n) : 0;
}

static bool chance(unsigned int pct)
{
	return rn(100) < pct;
}

__attribute__((format(printf, 1, 2))) static void violation(const char *fmt,
							    ...)
{
	va_list ap;

	violations++;
	if (violations > MAX_PRINTED)
		return;
	printf("VIOLATION op %" PRIu64 ": ", op_idx);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n  repro: apvirt-soak --seed %" PRIu64 " --ops %" PRIu64
	       "   # op %" PRIu64 ": %s\n",
	       seed, op_idx + 1, op_idx, op_desc);
	fflush(stdout);
}

static const char *ename(long rc)
{
	static char buf[4][32];
	static unsigned int k;
	char *b = buf[k++ % 4];

	if (rc >= 0) {
		snprintf(b, 32, "%ld", rc);
		return b;
	}
	{
		const char *n = strerrorname_np((int)-rc);

		snprintf(b, 32, "%s", n ? n : "E?");
	}
	return b;
}

/* Printable form of bytes for the repro line (C escapes, truncated). */
static void quote(char *out, size_t cap, const char *buf, size_t len)
{
	size_t o = 0;

	out[o++] = '"';
	for (size_t i = 0; i < len && o + 8 < cap; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c == '\n')
			o += (size_t)snprintf(out + o, cap - o, "\\n");
		else if (c == '"' || c == '\\')
			o += (size_t)snprintf(out + o, cap - o, "\\%c", c);
		else if (c < 32 || c > 126)
			o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	if (o + 8 >= cap)
		o += (size_t)snprintf(out + o, cap - o, "...");
	snprintf(out + o, cap - o, "\"(%zu)", len);
}

/* ---- objects and paths ---------------------------------------------------- */

static const char *const pool_uuids[] = {
	"11111111-2222-3333-4444-555555555555",
	"22222222-3333-4444-5555-666666666666",
	"33333333-4444-5555-6666-777777777777",
	"44444444-5555-6666-7777-888888888888",
	"55555555-6666-7777-8888-999999999999",
};
#define N_POOL_UUIDS (sizeof(pool_uuids) / sizeof(pool_uuids[0]))

static const char *const pool_zcdns[] = {"zc0", "zc1", "zc2", "my.node-1"};

/* The tree path of obj's directory. */
static void obj_path(const struct apv_obj *o, char *buf, size_t cap)
{
	char u[APV_UUID_STRLEN + 1];
	unsigned int a = apv_apqn_apid(o->apqn), d = apv_apqn_apqi(o->apqn);

	switch (o->kind) {
	case APV_OBJ_BUS:
		snprintf(buf, cap, "/sys/bus/ap");
		break;
	case APV_OBJ_CARD:
		snprintf(buf, cap, "/sys/devices/ap/card%02x", a);
		break;
	case APV_OBJ_QUEUE:
		snprintf(buf, cap, "/sys/devices/ap/card%02x/%02x.%04x", a, a,
			 d);
		break;
	case APV_OBJ_DRIVER:
		snprintf(buf, cap, "/sys/bus/ap/drivers/%s", o->driver);
		break;
	case APV_OBJ_MATRIX:
		snprintf(buf, cap, "/sys/devices/vfio_ap/matrix");
		break;
	case APV_OBJ_MDEV_TYPE:
		snprintf(buf, cap,
			 "/sys/devices/vfio_ap/matrix/mdev_supported_types/"
			 "vfio_ap-passthrough");
		break;
	case APV_OBJ_MDEV:
		snprintf(buf, cap, "/sys/devices/vfio_ap/matrix/%s",
			 apv_uuid_str(o->uuid, u));
		break;
	case APV_OBJ_ZCRYPT:
		snprintf(buf, cap, "/sys/class/zcrypt");
		break;
	case APV_OBJ_ZCDN:
		snprintf(buf, cap, "/sys/devices/virtual/zcrypt/%s", o->driver);
		break;
	}
}

static const char *const all_attr_names[] = {"admask",
					     "ap_config",
					     "apmask",
					     "aqmask",
					     "assign_adapter",
					     "assign_control_domain",
					     "assign_domain",
					     "bind",
					     "chkstop",
					     "config",
					     "create",
					     "destroy",
					     "ioctlmask",
					     "online",
					     "remove",
					     "reset",
					     "uevent",
					     "unassign_adapter",
					     "unassign_control_domain",
					     "unassign_domain",
					     "unbind",
					     "ap_domain",
					     "poll_thread",
					     "poll_timeout",
					     "matrix",
					     "nosuchattr"};
#define N_ALL_ATTRS (sizeof(all_attr_names) / sizeof(all_attr_names[0]))

/* A random existing card id, or any id in 0..7 / a random one. */
static unsigned int pick_card(void)
{
	struct apv_bitmap cards;
	unsigned int n, k;

	apv_bus_cards(ref, &cards);
	n = apv_bm_count(&cards);
	if (!n || chance(10))
		return chance(70) ? rn(8) : rn(256);
	k = rn(n);
	apv_bm_for_each(id, &cards) {
		if (!k--)
			return (unsigned int)id;
	}
	return 0;
}

static const unsigned int dom_pool[] = {4, 0x47, 0x54, 0, 1, 5, 255, 16};

static apv_apqn pick_queue(void)
{
	unsigned int a = pick_card();
	struct apv_bitmap qs;
	unsigned int n, k;

	if (apv_bus_card_queues(ref, a, &qs) || !(n = apv_bm_count(&qs)) ||
	    chance(10))
		return APV_APQN(a, dom_pool[rn(8)]);
	k = rn(n);
	apv_bm_for_each(id, &qs) {
		if (!k--)
			return APV_APQN(a, (unsigned int)id);
	}
	return APV_APQN(a, 4);
}

static void pick_mdev(uint8_t uuid[16])
{
	uint8_t(*list)[16] = NULL;
	size_t n = 0;

	if (!apv_mdev_list(ref, &list, &n) && n && !chance(10)) {
		memcpy(uuid, list[rn((unsigned int)n)], 16);
	} else {
		const char *s = pool_uuids[rn(N_POOL_UUIDS)];

		apv_uuid_parse(s, strlen(s), uuid);
	}
	free(list);
}

static struct apv_obj pick_obj(void)
{
	unsigned int k = rn(100);

	if (k < 8)
		return apv_obj_bus();
	if (k < 16)
		return apv_obj_card(pick_card());
	if (k < 26)
		return apv_obj_queue(pick_queue());
	if (k < 32) {
		const char *names[16];
		size_t n = apv_bus_drivers(ref, names, 16);

		if (n > 16)
			n = 16;
		return apv_obj_driver(n && !chance(5) ? names[rn((unsigned)n)] :
							"nodriver");
	}
	if (k < 35)
		return apv_obj_matrix();
	if (k < 47)
		return apv_obj_mdev_type();
	if (k < 85) {
		uint8_t u[16];

		pick_mdev(u);
		return apv_obj_mdev(u);
	}
	if (k < 91)
		return apv_obj_zcrypt();
	{
		struct apv_zcdn_info *l = NULL;
		size_t n = 0;
		struct apv_obj o;

		if (!apv_zcdn_list(ref, &l, &n) && n && !chance(10))
			o = apv_obj_zcdn(l[rn((unsigned)n)].name);
		else
			o = apv_obj_zcdn(pool_zcdns[rn(4)]);
		free(l);
		return o;
	}
}

/* ---- values --------------------------------------------------------------- */

static size_t garbage(char *buf, size_t cap)
{
	size_t len = chance(3) ? cap - 1 : rn(48);

	if (len >= cap)
		len = cap - 1;
	for (size_t i = 0; i < len; i++)
		buf[i] = chance(50) ? (char)(rnd() & 0xff) :
				      "0123456789abcdefx+-,. \n"[rn(23)];
	return len;
}

static int id_text(char *b, size_t cap)
{
	static const char *const fixed[] = {
		"4",	"5",	"0x47", "71",
		"84",	"0x54", "0",	"1",
		"6",	"255",	"256",	"-1",
		"0x",	"abc",	" 5",	"99999999999999999999999",
		"0x04", "4 5",	"",	"0xff",
		"7",	"2",	"3",	"0x100"};

	if (chance(60))
		return snprintf(b, cap, "%s", fixed[rn(24)]);
	return snprintf(b, cap, chance(50) ? "%u" : "0x%x", rn(260));
}

static int mask_text(char *b, size_t cap)
{
	unsigned int k = rn(6);

	if (k == 0) {
		int o = snprintf(b, cap, "0x");

		for (int i = 0; i < 64; i++)
			o += snprintf(b + o, cap - (size_t)o, "%x",
				      chance(85) ? 0 : rn(16));
		return o;
	}
	if (k == 1)
		return snprintf(b, cap, "%c%u,%c%u", chance(50) ? '+' : '-',
				dom_pool[rn(8)], chance(50) ? '+' : '-', rn(8));
	if (k == 2)
		return snprintf(b, cap, "0x%x", rn(65536));
	if (k == 3)
		return snprintf(b, cap, "%c0x%x", chance(50) ? '+' : '-',
				dom_pool[rn(8)]);
	if (k == 4)
		return snprintf(b, cap, "%c%u-%u", chance(50) ? '+' : '-',
				rn(8), rn(90));
	return snprintf(b, cap, "%c%u", chance(50) ? '+' : '-', rn(260));
}

static int bm_hex(char *b, size_t cap, unsigned int ids_max, bool small)
{
	struct apv_bitmap m;
	uint8_t by[32];
	int o;

	apv_bm_zero(&m);
	for (unsigned int n = rn(4); n; n--)
		apv_bm_set(&m, small ? (chance(50) ? rn(8) : dom_pool[rn(8)]) :
				       rn(ids_max));
	apv_bm_to_bytes(&m, by);
	o = snprintf(b, cap, "0x");
	for (int i = 0; i < 32; i++)
		o += snprintf(b + o, cap - (size_t)o, "%02x", by[i]);
	return o;
}

static size_t value_for(const char *attr, const struct apv_obj *obj, char *b,
			size_t cap)
{
	int n;

	if (chance(8))
		return garbage(b, cap);
	if (!strcmp(attr, "assign_adapter") && chance(50)) {
		n = snprintf(b, cap, "%s", chance(50) ? "4" : "0x05");
	} else if (!strncmp(attr, "assign_", 7) && chance(50)) {
		static const char *const d[] = {"4", "0x47", "84"};

		n = snprintf(b, cap, "%s", d[rn(3)]);
	} else if (obj->kind == APV_OBJ_BUS &&
		   (!strcmp(attr, "apmask") || !strcmp(attr, "aqmask")) &&
		   chance(50)) {
		static const char *const m[] = {"-4",	 "-5", "-0x47", "-84",
						"-4,-5", "+4", "+0x47"};

		n = snprintf(b, cap, "%s", m[rn(7)]);
	} else if (!strncmp(attr, "assign_", 7) ||
		   !strncmp(attr, "unassign_", 9)) {
		n = id_text(b, cap);
	} else if (!strcmp(attr, "apmask") || !strcmp(attr, "aqmask") ||
		   !strcmp(attr, "admask") || !strcmp(attr, "ioctlmask")) {
		n = obj->kind == APV_OBJ_BUS || chance(50) ?
			    mask_text(b, cap) :
			    bm_hex(b, cap, 256, true);
	} else if (!strcmp(attr, "bind") || !strcmp(attr, "unbind")) {
		if (chance(30))
			n = snprintf(b, cap, "card%02x", pick_card());
		else {
			apv_apqn q = pick_queue();

			n = snprintf(b, cap, "%02x.%04x", apv_apqn_apid(q),
				     apv_apqn_apqi(q));
		}
	} else if (!strcmp(attr, "create") && obj->kind == APV_OBJ_MDEV_TYPE) {
		n = snprintf(b, cap, "%s",
			     chance(5) ?
				     "1111111-2222-3333-4444-5555555555555" :
				     pool_uuids[rn(N_POOL_UUIDS)]);
	} else if (!strcmp(attr, "create") || !strcmp(attr, "destroy")) {
		n = snprintf(b, cap, "%s",
			     chance(5) ? "bad/name" : pool_zcdns[rn(4)]);
	} else if (!strcmp(attr, "remove")) {
		n = snprintf(b, cap, "%s", chance(80) ? "1" : "0");
	} else if (!strcmp(attr, "ap_config")) {
		char x[70], y[70], z[70];

		bm_hex(x, sizeof(x), 256, true);
		bm_hex(y, sizeof(y), 256, true);
		bm_hex(z, sizeof(z), 256, true);
		n = snprintf(b, cap, "%s,%s,%s", x, y, z);
	} else if (!strcmp(attr, "online") || !strcmp(attr, "config") ||
		   !strcmp(attr, "chkstop") || !strcmp(attr, "reset")) {
		static const char *const v[] = {"0", "1", "2", "x", "1 ", "01"};

		n = snprintf(b, cap, "%s", v[rn(6)]);
	} else if (!strcmp(attr, "uevent")) {
		static const char *const v[] = {"add",	  "change", "remove",
						"online", "bogus",  "move"};

		n = snprintf(b, cap, "%s", v[rn(6)]);
	} else if (!strcmp(attr, "ap_domain") || !strcmp(attr, "poll_thread") ||
		   !strcmp(attr, "poll_timeout")) {
		n = id_text(b, cap);
	} else {
		return garbage(b, cap);
	}
	if (n < 0)
		n = 0;
	if ((size_t)n >= cap)
		n = (int)cap - 1;
	if (chance(50) && (size_t)n + 1 < cap)
		b[n++] = '\n';
	return (size_t)n;
}

/* ---- the tree ------------------------------------------------------------- */

static ssize_t tree_write(const char *path, const char *buf, size_t len)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	if (n < 0)
		n = -errno;
	if (close(fd) && n >= 0)
		n = -errno;
	return n;
}

/* Read the whole file into sb; 0 or -errno. */
static int tree_read(const char *path, struct apv_strbuf *sb)
{
	int fd = open(path, O_RDONLY);
	int rc = 0;

	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n;

		if (apv_sb_reserve(sb, 4096)) {
			rc = -ENOMEM;
			break;
		}
		n = read(fd, sb->s + sb->len, 4096);
		if (n < 0) {
			rc = -errno;
			break;
		}
		if (!n)
			break;
		sb->len += (size_t)n;
		sb->s[sb->len] = '\0';
	}
	close(fd);
	return rc;
}

/* Attributes whose contents legitimately differ (time, counters). */
static bool volatile_attr(const char *name)
{
	return !strcmp(name, "config_time") || !strcmp(name, "load") ||
	       !strcmp(name, "request_count") ||
	       !strcmp(name, "requestq_count") ||
	       !strcmp(name, "pendingq_count");
}

/* Compare one attribute's contents (or error) between tree and reference. */
static void compare_attr(const struct apv_obj *o, const char *name)
{
	struct apv_strbuf a = {0}, b = {0};
	char path[512];
	int ra, rb;

	if (volatile_attr(name))
		return;
	obj_path(o, path, sizeof(path));
	strcat(path, "/");
	strcat(path, name);
	st.compares++;
	ra = tree_read(path, &a);
	rb = apv_attr_read(ref, o, name, &b);
	if (ra != rb)
		violation("read %s: reference %s, apsim %s", path, ename(rb),
			  ename(ra));
	else if (!ra &&
		 (a.len != b.len || (a.len && memcmp(a.s, b.s, a.len)))) {
		char qa[256], qb[256];

		quote(qa, sizeof(qa), a.s, a.len);
		quote(qb, sizeof(qb), b.s, b.len);
		violation("read %s: reference %s, apsim %s", path, qb, qa);
	}
	apv_sb_free(&a);
	apv_sb_free(&b);
}

/* Every readable attribute of o (all: else one at random). */
static void compare_obj(const struct apv_obj *o, bool all)
{
	struct apv_attr_entry e[MAX_ATTRS];
	int n = apv_attr_list(ref, o, e, MAX_ATTRS);
	int r[MAX_ATTRS], m = 0;

	for (int i = 0; i < n && i < MAX_ATTRS; i++)
		if (e[i].mode & 0444)
			r[m++] = i;
	if (!m)
		return;
	if (all) {
		for (int i = 0; i < m; i++)
			compare_attr(o, e[r[i]].name);
	} else {
		compare_attr(o, e[r[rn((unsigned)m)]].name);
	}
}

/* Names in dir that pass keep(), sorted, as one string. */
static void list_dir(const char *dir, bool (*keep)(const char *),
		     struct apv_strbuf *sb)
{
	struct dirent **ents = NULL;
	int n = scandir(dir, &ents, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		if (keep(ents[i]->d_name))
			apv_sb_printf(sb, "%s ", ents[i]->d_name);
		free(ents[i]);
	}
	free(ents);
}

static bool is_uuid(const char *s)
{
	return apv_uuid_is(s);
}

static bool is_card(const char *s)
{
	return !strncmp(s, "card", 4);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void full_sweep(void)
{
	struct apv_strbuf t = {0}, r = {0};
	uint8_t(*ml)[16] = NULL;
	size_t n = 0;
	struct apv_bitmap cards;
	const char *drv[16];
	size_t nd;
	struct apv_zcdn_info *zl = NULL;

	st.sweeps++;
	/* directory listings: mdevs and cards */
	list_dir("/sys/devices/vfio_ap/matrix", is_uuid, &t);
	if (!apv_mdev_list(ref, &ml, &n)) {
		char(*s)[40] = calloc(n ? n : 1, 40);

		for (size_t i = 0; s && i < n; i++)
			apv_uuid_str(ml[i], s[i]);
		if (s)
			qsort(s, n, 40, cmp_str);
		for (size_t i = 0; s && i < n; i++)
			apv_sb_printf(&r, "%s ", s[i]);
		free(s);
	}
	if (strcmp(apv_sb_str(&t), apv_sb_str(&r)))
		violation("mdevs: reference [%s], apsim [%s]", apv_sb_str(&r),
			  apv_sb_str(&t));
	apv_sb_reset(&t);
	apv_sb_reset(&r);
	list_dir("/sys/devices/ap", is_card, &t);
	apv_bus_cards(ref, &cards);
	apv_bm_for_each(id, &cards)
		apv_sb_printf(&r, "card%02x ", id);
	if (strcmp(apv_sb_str(&t), apv_sb_str(&r)))
		violation("cards: reference [%s], apsim [%s]", apv_sb_str(&r),
			  apv_sb_str(&t));
	apv_sb_free(&t);
	apv_sb_free(&r);

	/* every readable attribute of every object */
	{
		struct apv_obj o = apv_obj_bus();

		compare_obj(&o, true);
		o = apv_obj_matrix();
		compare_obj(&o, true);
		o = apv_obj_mdev_type();
		compare_obj(&o, true);
		o = apv_obj_zcrypt();
		compare_obj(&o, true);
	}
	nd = apv_bus_drivers(ref, drv, 16);
	for (size_t i = 0; i < nd && i < 16; i++) {
		struct apv_obj o = apv_obj_driver(drv[i]);

		compare_obj(&o, true);
	}
	/* cards and queues: all of them up to SWEEP_CARDS cards and
	 * SWEEP_QUEUES queues a card, else a random sample of that size
	 * (events may install many adapters with many domains) */
	{
		unsigned int nc = apv_bm_count(&cards), kc = 0;

		apv_bm_for_each(a, &cards) {
			struct apv_obj o = apv_obj_card((unsigned)a);
			struct apv_bitmap qs;
			unsigned int nq, kq = 0, left = nc - kc++;

			if (nc > SWEEP_CARDS && rn(left) >= SWEEP_CARDS)
				continue;
			compare_obj(&o, true);
			if (apv_bus_card_queues(ref, (unsigned)a, &qs))
				continue;
			nq = apv_bm_count(&qs);
			apv_bm_for_each(d, &qs) {
				unsigned int lq = nq - kq++;

				if (nq > SWEEP_QUEUES && rn(lq) >= SWEEP_QUEUES)
					continue;
				o = apv_obj_queue(APV_APQN(a, d));
				compare_obj(&o, true);
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct apv_obj o = apv_obj_mdev(ml[i]);

		compare_obj(&o, true);
	}
	free(ml);
	if (!apv_zcdn_list(ref, &zl, &n)) {
		for (size_t i = 0; i < n; i++) {
			struct apv_obj o = apv_obj_zcdn(zl[i].name);

			compare_obj(&o, true);
		}
		free(zl);
	}
}

/* ---- the control socket ----------------------------------------------------- */

static int ctl_connect(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

/* Send one request line, return the parsed response (NULL: broken). */
static json_t *ctl_call(const char *line)
{
	static char *buf;
	static size_t cap;
	size_t len = 0, ll = strlen(line);
	json_error_t jerr;

	if (ctl_fd < 0) {
		ctl_fd = ctl_connect();
		if (ctl_fd < 0)
			return NULL;
	}
	if (write(ctl_fd, line, ll) != (ssize_t)ll ||
	    write(ctl_fd, "\n", 1) != 1)
		return NULL;
	for (;;) {
		ssize_t n;
		char *nl;

		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			if (!buf)
				return NULL;
		}
		n = read(ctl_fd, buf + len, cap - len - 1);
		if (n <= 0)
			return NULL;
		len += (size_t)n;
		buf[len] = '\0';
		nl = memchr(buf, '\n', len);
		if (nl) {
			/* one request in flight: nothing follows */
			return json_loadb(buf, (size_t)(nl - buf), 0, &jerr);
		}
	}
}

static int errno_of(const char *name)
{
	for (int e = 1; e < 256; e++) {
		const char *n = strerrorname_np(e);

		if (n && !strcmp(n, name))
			return e;
	}
	if (name[0] == 'E' && name[1] >= '0' && name[1] <= '9')
		return atoi(name + 1);
	return 9999;
}

/* 0, -errno of the response, or -EPROTO for a broken connection. */
static int ctl_result(json_t *r)
{
	const json_t *ok = json_object_get(r, "ok");
	int rc;

	if (!r)
		return -EPROTO;
	if (json_is_true(ok))
		rc = 0;
	else {
		const char *n = json_string_value(json_object_get(r, "errno"));

		rc = -errno_of(n ? n : "?");
	}
	json_decref(r);
	return rc;
}

/* ---- operations ------------------------------------------------------------ */

/* One write through the tree and to the reference, compared. */
static void do_write(const struct apv_obj *op, const char *attr,
		     const char *val, size_t len)
{
	struct apv_obj o = *op;
	char path[512], q[300];
	ssize_t ra, rb;

	obj_path(&o, path, sizeof(path));
	strcat(path, "/");
	strcat(path, attr);
	quote(q, sizeof(q), val, len);
	snprintf(op_desc, sizeof(op_desc), "write %s %s", path, q);
	st.writes++;
	ra = tree_write(path, val, len);
	rb = apv_attr_write(ref, &o, attr, val, len);
	/* the driver core's write-only `uevent` of buses and drivers is the
	 * tree's own file (src/sim/tree.c), not a model attribute */
	if (rb == -ENOENT && !strcmp(attr, "uevent") &&
	    (o.kind == APV_OBJ_BUS || (o.kind == APV_OBJ_DRIVER &&
				       apv_attr_list(ref, &o, NULL, 0) >= 0)))
		rb = !len || apv_uevent_action_valid(val, len) ? (ssize_t)len :
								 -EINVAL;
	if (ra != rb)
		violation("write: reference %s, apsim %s", ename(rb),
			  ename(ra));
	if (rb >= 0)
		st.ok++;
	else
		st.refused++;
}

/*
 * A plausible admin sequence, so that guests get queues: release some
 * APQNs from the host drivers, create a pool mdev, assign an adapter and
 * a domain (each step a compared write; they may fail, as any write).
 */
static void op_setup(void)
{
	static const char *const ad[] = {"4", "5"};
	static const char *const dom[] = {"4", "0x47", "84"};
	struct apv_obj bus = apv_obj_bus(), mt = apv_obj_mdev_type(), m;
	const char *u = pool_uuids[rn(N_POOL_UUIDS)];
	const char *a = ad[rn(2)], *d = dom[rn(3)];
	uint8_t uu[16];
	char v[64];

	snprintf(v, sizeof(v), "-%s", a);
	do_write(&bus, "apmask", v, strlen(v));
	snprintf(v, sizeof(v), "-%s", d);
	do_write(&bus, "aqmask", v, strlen(v));
	do_write(&mt, "create", u, strlen(u));
	apv_uuid_parse(u, strlen(u), uu);
	m = apv_obj_mdev(uu);
	do_write(&m, "assign_adapter", a, strlen(a));
	do_write(&m, "assign_domain", d, strlen(d));
	if (chance(50))
		do_write(&m, "assign_control_domain", d, strlen(d));
}

static void op_write(void)
{
	struct apv_obj o = pick_obj();
	struct apv_attr_entry e[MAX_ATTRS];
	const char *attr;
	int n = apv_attr_list(ref, &o, e, MAX_ATTRS);
	char val[4200];
	size_t len;

	if (n > 0 && chance(90)) {
		int w[MAX_ATTRS], m = 0;

		for (int i = 0; i < n && i < MAX_ATTRS; i++)
			if ((e[i].mode & 0222) || chance(10))
				w[m++] = i;
		attr = m ? e[w[rn((unsigned)m)]].name : e[rn((unsigned)n)].name;
	} else {
		attr = all_attr_names[rn(N_ALL_ATTRS)];
	}
	len = chance(1) ? 4096 : value_for(attr, &o, val, 200);
	if (len == 4096)
		for (size_t i = 0; i < len; i++)
			val[i] = (char)('0' + (char)rn(10));
	do_write(&o, attr, val, len);
	/* the object written, what it shows now */
	compare_obj(&o, false);
}

/*
 * An id for an event: additions mostly from a small set, removals and
 * changes mostly of what exists, so that a long run does not drift to
 * hundreds of adapters and domains.
 */
static unsigned int ev_id(bool domain, bool existing)
{
	if (existing && chance(60)) {
		struct apv_qci qci;
		unsigned int n, k;

		if (!domain)
			return pick_card();
		apv_hw_qci(ref, &qci);
		n = apv_bm_count(&qci.aqm);
		if (n) {
			k = rn(n);
			apv_bm_for_each(id, &qci.aqm)
				if (!k--)
					return (unsigned)id;
		}
	}
	if (chance(90))
		return domain ? dom_pool[rn(8)] : rn(8);
	return rn(256);
}

static void op_event(void)
{
	static const char *const types[] = {"CEX4", "CEX5", "CEX6", "CEX7",
					    "CEX8"};
	static const char *const modes[] = {"accel", "cca", "ep11"};
	char line[256];
	unsigned int k = rn(100), id;
	bool scan = !chance(10), on = chance(50);
	unsigned int flags = scan ? 0 : APV_EV_NOSCAN;
	const char *sc = scan ? "" : ",\"scan\":false";
	int rb;

	if (k < 14) {
		id = ev_id(false, true);
		snprintf(
			line, sizeof(line),
			"{\"cmd\":\"adapter-configure\",\"id\":%u,\"on\":%s%s}",
			id, on ? "true" : "false", sc);
		rb = apv_hw_adapter_configure(ref, id, on, flags);
	} else if (k < 24) {
		id = ev_id(false, true);
		snprintf(
			line, sizeof(line),
			"{\"cmd\":\"adapter-checkstop\",\"id\":%u,\"on\":%s%s}",
			id, on ? "true" : "false", sc);
		rb = apv_hw_adapter_checkstop(ref, id, on, flags);
	} else if (k < 36) {
		struct apv_adapter_spec s = {0};
		unsigned int t = rn(5), m = rn(3);

		s.id = ev_id(false, false);
		s.type = APV_TYPE_CEX4 + (int)t;
		s.mode = (enum apv_mode)m;
		s.standby = chance(20);
		snprintf(line, sizeof(line),
			 "{\"cmd\":\"adapter-add\",\"id\":%u,\"type\":\"%s\","
			 "\"mode\":\"%s\",\"config\":%s%s}",
			 s.id, types[t], modes[m], s.standby ? "false" : "true",
			 sc);
		rb = apv_hw_adapter_add(ref, &s, flags);
	} else if (k < 46) {
		id = ev_id(false, true);
		snprintf(line, sizeof(line),
			 "{\"cmd\":\"adapter-remove\",\"id\":%u%s}", id, sc);
		rb = apv_hw_adapter_remove(ref, id, flags);
	} else if (k < 56) {
		id = ev_id(false, false);
		snprintf(line, sizeof(line),
			 "{\"cmd\":\"adapter-restore\",\"id\":%u%s}", id, sc);
		rb = apv_hw_adapter_restore(ref, id, flags);
	} else if (k < 70) {
		id = ev_id(true, !on);
		snprintf(line, sizeof(line),
			 "{\"cmd\":\"domain-%s\",\"id\":%u%s}",
			 on ? "add" : "remove", id, sc);
		rb = apv_hw_domain_set(ref, id, on, flags);
	} else if (k < 84) {
		id = ev_id(true, !on);
		snprintf(line, sizeof(line),
			 "{\"cmd\":\"control-domain-%s\",\"id\":%u%s}",
			 on ? "add" : "remove", id, sc);
		rb = apv_hw_control_domain_set(ref, id, on, flags);
	} else {
		snprintf(line, sizeof(line), "{\"cmd\":\"scan\"}");
		apv_bus_scan(ref);
		rb = 0;
		scan = true;
	}
	snprintf(op_desc, sizeof(op_desc), "ctl %s", line);
	st.events++;
	{
		int ra = ctl_result(ctl_call(line));

		if (ra != rb)
			violation("event: reference %s, apsim %s", ename(rb),
				  ename(ra));
		if (rb)
			st.refused++;
		else
			st.ok++;
		/* a refused event scans nothing; a scanning one clears */
		if (!rb && scan)
			noscan_pending = false;
		else if (!rb)
			noscan_pending = true;
	}
}

/* Reference side of the device request: unplug as QEMU does. */
static void ref_request(void *opaque, unsigned int count)
{
	(void)count;
	pthread_mutex_lock(&unplug_mu);
	if (unplug_slot < 0)
		unplug_slot = (int)(uintptr_t)opaque;
	pthread_cond_broadcast(&unplug_cv);
	pthread_mutex_unlock(&unplug_mu);
}

static void *unplug_thread(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&unplug_mu);
	for (;;) {
		while (unplug_slot < 0 && !unplug_quit)
			pthread_cond_wait(&unplug_cv, &unplug_mu);
		if (unplug_quit)
			break;
		{
			struct guest *g = &guests[unplug_slot];
			struct apv_kvm *k = g->kvm;

			g->kvm = NULL;
			pthread_mutex_unlock(&unplug_mu);
			if (k) {
				apv_kvm_set_notify(k, NULL);
				apv_kvm_free(k);
			}
			pthread_mutex_lock(&unplug_mu);
			unplug_slot = -1;
		}
	}
	pthread_mutex_unlock(&unplug_mu);
	return NULL;
}

/* Wait until apsim shows uuid not open (a closed connection is handled
 * asynchronously by its server thread). */
static void wait_closed(const uint8_t uuid[16])
{
	char u[APV_UUID_STRLEN + 1];

	apv_uuid_str(uuid, u);
	for (int i = 0; i < 5000; i++) {
		json_t *r = ctl_call("{\"cmd\":\"state\",\"queues\":false}");
		const json_t *ms = json_object_get(r, "mdevs");
		bool open = false;
		size_t j;
		const json_t *m;

		json_array_foreach(ms, j, m)
		{
			const char *s =
				json_string_value(json_object_get(m, "uuid"));

			if (s && !strcmp(s, u) &&
			    (json_is_true(json_object_get(m, "open")) ||
			     !json_is_null(json_object_get(m, "kvm"))))
				open = true;
		}
		json_decref(r);
		if (!r || !open)
			return;
		usleep(1000);
	}
	violation("detach: apsim still shows mdev %s open after 5 s", u);
}

static void guest_drop(struct guest *g)
{
	apv_guest_close(g->g);
	g->g = NULL;
	g->used = false;
	g->n_out = 0;
}

/* Guests whose reference side was unplugged by a remove: drop them. */
static void reap_unplugged(void)
{
	for (unsigned i = 0; i < MAX_GUESTS; i++) {
		struct guest *g = &guests[i];

		pthread_mutex_lock(&unplug_mu);
		if (g->used && !g->kvm) {
			pthread_mutex_unlock(&unplug_mu);
			guest_drop(g);
			continue;
		}
		pthread_mutex_unlock(&unplug_mu);
	}
}

static void op_attach(void)
{
	struct guest *g = NULL;
	struct apv_guest_opts go = {0};
	struct apv_kvm_notify nt = {0};
	char u[APV_UUID_STRLEN + 1], name[32];
	unsigned int cpu;
	int ra, rb;

	for (unsigned i = 0; i < MAX_GUESTS; i++)
		if (!guests[i].used) {
			g = &guests[i];
			g->slot = i;
			break;
		}
	if (!g)
		return;
	pick_mdev(g->uuid);
	apv_uuid_str(g->uuid, u);
	cpu = chance(95) ? APV_CPU_DEFAULT : 1 + rn(APV_CPU_DEFAULT);
	snprintf(name, sizeof(name), "soak-%" PRIu64, guest_names++);
	snprintf(op_desc, sizeof(op_desc),
		 "guest attach mdev %s name %s cpu 0x%x", u, name, cpu);
	st.attaches++;
	go.socket = sock_path;
	go.mdev = u;
	go.name = name;
	go.cpu = cpu;
	go.mem_size = GUEST_MEM;
	ra = apv_guest_open(&go, &g->g);
	rb = apv_kvm_new(ref, name, cpu, &g->kvm);
	if (!rb)
		rb = apv_kvm_add_memslot(g->kvm, 0, GUEST_MEM);
	if (!rb) {
		nt.request = ref_request;
		nt.opaque = (void *)(uintptr_t)g->slot;
		apv_kvm_set_notify(g->kvm, &nt);
		rb = apv_mdev_set_kvm(ref, g->uuid, g->kvm);
		if (!rb)
			rb = apv_mdev_open(ref, g->uuid);
	}
	if (rb && g->kvm) {
		apv_kvm_set_notify(g->kvm, NULL);
		apv_kvm_free(g->kvm);
		g->kvm = NULL;
	}
	if (ra != rb)
		violation("attach: reference %s, apsim %s (%s)", ename(rb),
			  ename(ra), ra && g->g ? apv_guest_error(g->g) : "");
	if (!ra && !rb) {
		g->used = true;
		g->n_out = 0;
		st.ok++;
	} else {
		st.refused++;
		apv_guest_close(ra ? NULL : g->g);
		g->g = NULL;
		if (!rb) {
			apv_kvm_set_notify(g->kvm, NULL);
			apv_kvm_free(g->kvm);
			g->kvm = NULL;
		}
	}
}

static struct guest *pick_guest(void)
{
	unsigned int n = 0, k;

	for (unsigned i = 0; i < MAX_GUESTS; i++)
		n += guests[i].used;
	if (!n)
		return NULL;
	k = rn(n);
	for (unsigned i = 0; i < MAX_GUESTS; i++)
		if (guests[i].used && !k--)
			return &guests[i];
	return NULL;
}

static void op_detach(void)
{
	struct guest *g = pick_guest();
	char u[APV_UUID_STRLEN + 1];

	if (!g)
		return;
	snprintf(op_desc, sizeof(op_desc), "guest detach (mdev %s)",
		 apv_uuid_str(g->uuid, u));
	st.detaches++;
	guest_drop(g);
	wait_closed(g->uuid);
	apv_kvm_set_notify(g->kvm, NULL);
	apv_kvm_free(g->kvm);
	g->kvm = NULL;
}

/* An APQN of g's guest matrix (shadow), else a random one. */
static apv_apqn guest_apqn(struct guest *g)
{
	struct apv_mdev_info mi;
	unsigned int na, nd, ka, kd, a = 0, d = 0;

	if (g->n_out && chance(50))
		return g->out[rn((unsigned)g->n_out)].apqn;
	if (!apv_mdev_info(ref, g->uuid, &mi) &&
	    (apv_bm_empty(&mi.sh_apm) || apv_bm_empty(&mi.sh_aqm)) &&
	    chance(80)) {
		/* hot plug into the running guest: release and assign */
		static const char *const ad[] = {"4", "5"};
		static const char *const dom[] = {"4", "0x47", "84"};
		struct apv_obj bus = apv_obj_bus(), m = apv_obj_mdev(g->uuid);
		const char *sa = ad[rn(2)], *sd = dom[rn(3)];
		char v[16];

		snprintf(v, sizeof(v), "-%s", sa);
		do_write(&bus, "apmask", v, strlen(v));
		snprintf(v, sizeof(v), "-%s", sd);
		do_write(&bus, "aqmask", v, strlen(v));
		do_write(&m, "assign_adapter", sa, strlen(sa));
		do_write(&m, "assign_domain", sd, strlen(sd));
	}
	if (apv_mdev_info(ref, g->uuid, &mi) ||
	    !(na = apv_bm_count(&mi.sh_apm)) ||
	    !(nd = apv_bm_count(&mi.sh_aqm)) || chance(5))
		return pick_queue();
	ka = rn(na);
	kd = rn(nd);
	apv_bm_for_each(x, &mi.sh_apm)
		if (!ka--)
			a = (unsigned)x;
	apv_bm_for_each(x, &mi.sh_aqm)
		if (!kd--)
			d = (unsigned)x;
	return APV_APQN(a, d);
}

static void op_send(void)
{
	struct guest *g = pick_guest();
	uint8_t msg[MOD_LEN] = {0}, mod[MOD_LEN], e = 1, rc = 0;
	struct apv_rsa_me req = {.msg = msg,
				 .msg_len = MOD_LEN,
				 .exp = &e,
				 .exp_len = 1,
				 .mod = mod,
				 .mod_len = MOD_LEN};
	uint64_t tag, psmid = 0;
	apv_apqn q;
	char qs[APV_APQN_STRLEN];
	int r;

	if (!g)
		return;
	q = guest_apqn(g);
	tag = ((uint64_t)(g->slot + 1) << 48) | ++tag_seq;
	/* every request sent is recorded: none beyond what the list holds */
	if (g->n_out == MAX_OUT)
		return;
	memset(mod, 0xff, sizeof(mod));
	for (int i = 0; i < 8; i++)
		msg[MOD_LEN - 1 - i] = (uint8_t)(tag >> (8 * i));
	snprintf(op_desc, sizeof(op_desc), "guest %u rsa send %s tag %" PRIx64,
		 g->slot, apv_apqn_str(q, qs), tag);
	st.sends++;
	r = apv_guest_rsa_me_send(g->g, q, &req, &psmid, &rc);
	if (getenv("APV_SOAK_DEBUG"))
		fprintf(stderr, "send %s: %s rc %u\n", qs, ename(r), rc);
	if (r == -ENODEV || r == -EPIPE)
		violation("send: guest connection gone (%s)", ename(r));
	if (!r)
		g->out[g->n_out++] = (struct outreq){q, tag, psmid};
}

static void op_recv(void)
{
	struct guest *g = pick_guest();
	uint8_t out[MOD_LEN], rc = 0;
	uint64_t psmid = 0, tag = 0;
	apv_apqn q;
	char qs[APV_APQN_STRLEN];
	int r;
	size_t i;

	if (!g)
		return;
	q = guest_apqn(g);
	snprintf(op_desc, sizeof(op_desc), "guest %u rsa recv %s", g->slot,
		 apv_apqn_str(q, qs));
	st.recvs++;
	r = apv_guest_rsa_recv(g->g, q, out, MOD_LEN, &psmid, &rc);
	if (getenv("APV_SOAK_DEBUG"))
		fprintf(stderr, "recv %s: %s rc %u\n", qs, ename(r), rc);
	if (r == -ENOENT) {
		/* RC 10 with E set, nothing outstanding: a reset discarded the
		 * requests sent there (other RCs do not say so: their requests
		 * stay listed).  Removal keeps the list in send order. */
		size_t n = 0;

		for (i = 0; i < g->n_out; i++)
			if (g->out[i].apqn != q)
				g->out[n++] = g->out[i];
		g->n_out = n;
		return;
	}
	if (r)
		return;
	st.replies++;
	for (int k = 0; k < 8; k++)
		tag = (tag << 8) | out[MOD_LEN - 8 + k];
	for (i = 0; i < g->n_out; i++)
		if (g->out[i].apqn == q && g->out[i].tag == tag)
			break;
	if (i == g->n_out) {
		if ((unsigned)(tag >> 48) != g->slot + 1)
			violation("reply crosses owners: guest %u dequeued tag "
				  "%" PRIx64 " (guest %u's) psmid %" PRIx64
				  " on %s",
				  g->slot, tag, (unsigned)(tag >> 48) - 1,
				  psmid, qs);
		else
			violation("guest %u dequeued tag %" PRIx64
				  " psmid %" PRIx64
				  " on %s: not outstanding there (a duplicate, "
				  "or answered after its loss was signalled)",
				  g->slot, tag, psmid, qs);
		return;
	}
	if (g->out[i].psmid != psmid)
		violation("reply psmid %" PRIx64 " for tag %" PRIx64
			  " sent with psmid %" PRIx64,
			  psmid, tag, g->out[i].psmid);
	/* queues answer in order: this request and the older ones on q
	 * (lower tag sequence numbers; tags grow with every send) are done */
	{
		uint64_t seq = tag & TAG_SEQ_MASK;
		size_t n = 0;

		for (size_t j = 0; j < g->n_out; j++)
			if (g->out[j].apqn != q ||
			    (g->out[j].tag & TAG_SEQ_MASK) > seq)
				g->out[n++] = g->out[j];
		g->n_out = n;
	}
}

/* ---- invariants ------------------------------------------------------------ */

static void check_invariants(void)
{
	uint8_t(*ml)[16] = NULL;
	size_t n = 0;
	struct apv_mdev_info *mi;
	struct apv_qci qci;
	char u1[40], u2[40];

	if (apv_mdev_list(ref, &ml, &n))
		return;
	mi = calloc(n ? n : 1, sizeof(*mi));
	for (size_t i = 0; mi && i < n; i++)
		apv_mdev_info(ref, ml[i], &mi[i]);
	apv_hw_qci(ref, &qci);
	for (size_t i = 0; mi && i < n; i++) {
		for (size_t j = i + 1; j < n; j++)
			if (apv_bm_intersects(&mi[i].apm, &mi[j].apm) &&
			    apv_bm_intersects(&mi[i].aqm, &mi[j].aqm))
				violation("APQN in two mdevs: %s and %s",
					  apv_uuid_str(mi[i].uuid, u1),
					  apv_uuid_str(mi[j].uuid, u2));
		if (!apv_bm_subset(&mi[i].sh_adm, &mi[i].adm))
			violation("mdev %s: guest control domains not assigned",
				  apv_uuid_str(mi[i].uuid, u1));
		apv_bm_for_each(a, &mi[i].sh_apm)
			apv_bm_for_each(d, &mi[i].sh_aqm) {
				apv_apqn q = APV_APQN(a, d);
				char dev[16], drv[32] = "";
				bool ok =
					apv_bm_test(&mi[i].apm, (unsigned)a) &&
					apv_bm_test(&mi[i].aqm, (unsigned)d);

				apv_apqn_str(q, dev);
				if (ok &&
				    (apv_bus_device_driver(ref, dev, drv,
							   sizeof(drv)) < 0 ||
				     strcmp(drv, "vfio_ap")))
					ok = false;
				if (ok && !noscan_pending && qci.available &&
				    (!apv_bm_test(&qci.apm, (unsigned)a) ||
				     !apv_bm_test(&qci.aqm, (unsigned)d)))
					ok = false;
				if (!ok)
					violation(
						"mdev %s: guest APQN %s not in "
						"configuration ∩ bound ∩ assigned "
						"(driver '%s')",
						apv_uuid_str(mi[i].uuid, u1),
						dev, drv);
			}
	}
	free(mi);
	free(ml);
}

/* ---- main ------------------------------------------------------------------ */

static int reexec(int argc, char **argv)
{
	const char *apsim = getenv("APSIM");
	char **av = calloc((size_t)argc + 8, sizeof(char *));
	static char self[4096];
	ssize_t sl = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int k = 0;

	if (sl <= 0 || !av) {
		perror("apvirt-soak: /proc/self/exe");
		return 2;
	}
	self[sl] = '\0';
	if (!apsim) {
		fprintf(stderr, "apvirt-soak: set APSIM to the apsim binary "
				"(or run under apsim exec)\n");
		return 2;
	}
	setenv("APV_SOAK_INSIDE", "1", 1);
	av[k++] = (char *)apsim;
	av[k++] = "exec";
	av[k++] = "--workers";
	av[k++] = "0";
	av[k++] = "--";
	av[k++] = self;
	for (int i = 1; i < argc; i++)
		av[k++] = argv[i];
	av[k] = NULL;
	execv(apsim, av);
	perror("apvirt-soak: exec apsim");
	return 2;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"seed", required_argument, NULL, 's'},
		{"ops", required_argument, NULL, 'n'},
		{"full-every", required_argument, NULL, 'f'},
		{"quiet", no_argument, NULL, 'q'},
		{NULL, 0, NULL, 0},
	};
	uint64_t ops = 10000, full_every = 1000;
	struct apv_preset p;
	pthread_t th;
	double t0;
	int c;

	seed = (uint64_t)time(NULL);
	while ((c = getopt_long(argc, argv, "s:n:f:q", lo, NULL)) != -1) {
		switch (c) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			ops = strtoull(optarg, NULL, 0);
			break;
		case 'f':
			full_every = strtoull(optarg, NULL, 0);
			break;
		case 'q':
			quiet = true;
			break;
		default:
			fprintf(stderr,
				"usage: apvirt-soak [--seed S] [--ops N] "
				"[--full-every K] [--quiet]\n");
			return 2;
		}
	}
	if (!getenv("APV_SOAK_INSIDE"))
		return reexec(argc, argv);
	sock_path = getenv("APSIM_SOCKET");
	if (!sock_path || access("/sys/bus/ap", F_OK)) {
		fprintf(stderr, "apvirt-soak: not inside apsim exec\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	rng = seed;
	printf("soak: seed %" PRIu64 ", %" PRIu64
	       " ops, full compare every %" PRIu64 "\n",
	       seed, ops, full_every);
	if (apv_preset_init(&p, "default") || apv_host_new(&p.cfg, &ref)) {
		fprintf(stderr, "apvirt-soak: cannot boot the reference\n");
		return 2;
	}
	pthread_create(&th, NULL, unplug_thread, NULL);
	snprintf(op_desc, sizeof(op_desc), "(initial state)");
	full_sweep();
	t0 = now();
	for (op_idx = 0; op_idx < ops; op_idx++) {
		unsigned int k = rn(100);

		if (k < 60)
			op_write();
		else if (k < 62)
			op_setup();
		else if (k < 76)
			op_event();
		else if (k < 82)
			op_attach();
		else if (k < 86)
			op_detach();
		else if (k < 94)
			op_send();
		else
			op_recv();
		reap_unplugged();
		check_invariants();
		{
			/* one attribute of a random mdev (the matrices) */
			struct apv_obj o;
			uint8_t u[16];

			pick_mdev(u);
			o = apv_obj_mdev(u);
			compare_obj(&o, false);
		}
		if (full_every && (op_idx + 1) % full_every == 0)
			full_sweep();
		if (!quiet && (op_idx + 1) % 10000 == 0)
			printf("soak: %" PRIu64 " ops, %.0f ops/s, %lu "
			       "violations\n",
			       op_idx + 1, (double)(op_idx + 1) / (now() - t0),
			       violations);
	}
	snprintf(op_desc, sizeof(op_desc), "(final state)");
	full_sweep();
	{
		double dt = now() - t0;

		printf("soak: seed %" PRIu64 ": %" PRIu64
		       " ops in %.1f s (%.0f ops/s): %" PRIu64
		       " writes, %" PRIu64 " events, %" PRIu64
		       " attaches, %" PRIu64 " detaches, %" PRIu64
		       " rsa sends, %" PRIu64 " recvs (%" PRIu64
		       " replies); %" PRIu64 " ok, %" PRIu64
		       " refused; %" PRIu64 " attribute compares, %" PRIu64
		       " full sweeps; %lu violations\n",
		       seed, ops, dt, (double)ops / dt, st.writes, st.events,
		       st.attaches, st.detaches, st.sends, st.recvs, st.replies,
		       st.ok, st.refused, st.compares, st.sweeps, violations);
	}
	for (unsigned i = 0; i < MAX_GUESTS; i++)
		if (guests[i].used)
			guest_drop(&guests[i]);
	pthread_mutex_lock(&unplug_mu);
	unplug_quit = true;
	pthread_cond_broadcast(&unplug_cv);
	pthread_mutex_unlock(&unplug_mu);
	pthread_join(th, NULL);
	for (unsigned i = 0; i < MAX_GUESTS; i++)
		if (guests[i].kvm)
			apv_kvm_free(guests[i].kvm);
	apv_host_free(ref);
	if (ctl_fd >= 0)
		close(ctl_fd);
	return violations ? 1 : 0;
}
