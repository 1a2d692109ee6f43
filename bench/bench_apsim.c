// SPDX-License-Identifier: MIT
/*
 * apsim benchmark (issue 3, performance): the FUSE tree against the bare
 * kernel, ratios measured in one run.
 *
 *   1. boot: `apsim run --preset max --mount DIR` (256 adapters x 256
 *      domains, APXA) from fork() until DIR/bus/ap/apmask answers stat(2);
 *      peak RSS (VmHWM) of apsim at that moment.  Goal <= 100 ms, 50 MiB.
 *   2. mdevs: 4096 mdevs configured through the tree (create +
 *      assign_adapter + assign_domain + assign_control_domain each, one
 *      open(O_WRONLY|O_TRUNC)/write/close per value, as tools do) against
 *      the same writes to the same paths on a tmpfs.  Goal <= 3x.
 *   3. `lszcrypt -V` (s390-tools 2.16 under qemu-s390x-static, SYSFS_ROOT)
 *      on the apsim mount against a static copy of the same tree
 *      (devices/ap and bus/ap, links as links) on a tmpfs.  Goal <= 1.3x.
 *
 * Usage: bench_apsim [--strict] [--only 1|2|3]... APSIM
 *   --strict: exit 1 when a goal is missed (failures always exit 2)
 *   --only N: run part N only (repeatable)
 * Needs root and /dev/fuse (exit 77 without).  Part 3 needs the unpacked
 * s390-tools ($APV_S390_TOOLS, default /var/cache/apvirt/s390-tools) and
 * qemu-s390x-static; without them it is skipped.
 *
 * Everything runs in /tmp/bench_apsim.XXXXXX (removed at the end): apsim's
 * mount point and log, a private tmpfs for the comparisons, lszcrypt's
 * outputs.  The machine's load average is printed with the figures: the
 * FUSE side pays two context switches per request, so a busy machine
 * hurts it more than the tmpfs side.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BOOT_RUNS 10
#define CFG_RUNS 3
#define LS_RUNS 10
#define N_MDEVS 4096u
#define GOAL_BOOT_MS 100.0
#define GOAL_BOOT_MIB 50.0
#define GOAL_CFG_RATIO 3.0
#define GOAL_LS_RATIO 1.3

#define TYPE_DIR                                                               \
	"devices/vfio_ap/matrix/mdev_supported_types/"                         \
	"vfio_ap-passthrough"
#define MATRIX_DIR "devices/vfio_ap/matrix"

static const char *apsim;
static char work[] = "/tmp/bench_apsim.XXXXXX";
static char tmpfs[128];
static bool tmpfs_mounted;

struct sim {
	pid_t pid;
	char mnt[128];
	char sock[128];
	double ready_ms; /* fork() to the first answered stat() */
	long hwm_kib;	 /* VmHWM then */
};

static struct sim *live; /* to stop on failure */

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void sim_stop(struct sim *s);

static void cleanup(void)
{
	char cmd[PATH_MAX + 16];

	if (live)
		sim_stop(live);
	if (tmpfs_mounted && umount2(tmpfs, MNT_DETACH) == 0)
		tmpfs_mounted = false;
	if (work[sizeof(work) - 7] != 'X') {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", work);
		if (system(cmd) != 0)
			fprintf(stderr, "bench_apsim: cannot remove %s\n",
				work);
	}
}

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("bench_apsim: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cleanup();
	exit(2);
}

static void __attribute__((noreturn)) skip(const char *why)
{
	printf("SKIP: %s\n", why);
	cleanup();
	exit(77);
}

/* ---- files -------------------------------------------------------------- */

/* One value the way tools store it: open(O_WRONLY|O_TRUNC), write, close. */
static int put(const char *path, const char *val)
{
	size_t len = strlen(val);
	int fd = open(path, O_WRONLY | O_TRUNC);
	ssize_t w;

	if (fd < 0)
		return -errno;
	w = write(fd, val, len);
	if (w < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	if (close(fd) < 0)
		return -errno;
	return (size_t)w == len ? 0 : -EIO;
}

static void must_put(const char *path, const char *val)
{
	int rc = put(path, val);

	if (rc)
		die("write '%s' to %s: %s", val, path, strerror(-rc));
}

/* The whole content of a file (at most size - 1 bytes), NUL-terminated. */
static int get(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	size_t n = 0;
	ssize_t r;

	buf[0] = '\0';
	if (fd < 0)
		return errno ? -errno : -EIO;
	while (n + 1 < size && (r = read(fd, buf + n, size - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	close(fd);
	return 0;
}

static void must_get(const char *path, char *buf, size_t size)
{
	int rc = get(path, buf, size);

	if (rc)
		die("read %s: %s", path, strerror(-rc));
}

static void must_mkdir(const char *path)
{
	if (mkdir(path, 0755) && errno != EEXIST)
		die("mkdir %s: %s", path, strerror(errno));
}

/* An empty write-only file, as the attributes are. */
static void must_create(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0200);

	if (fd < 0)
		die("create %s: %s", path, strerror(errno));
	close(fd);
}

/* ---- apsim -------------------------------------------------------------- */

static long vm_hwm_kib(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* CPU time (user + system) of a process so far, ms. */
static double cpu_ms(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut = 0, st = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	/* after "(comm)": state is field 3, utime 14, stime 15 */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2,
			 "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u "
			 "%*u %llu %llu",
			 &ut, &st) != 2)
		return 0;
	return (double)(ut + st) * 1e3 / (double)sysconf(_SC_CLK_TCK);
}

static void show_log(void)
{
	char path[PATH_MAX], buf[4096];

	snprintf(path, sizeof(path), "%s/apsim.log", work);
	if (get(path, buf, sizeof(buf)) == 0 && buf[0])
		fprintf(stderr, "apsim.log:\n%s", buf);
}

/*
 * Start `apsim run BOOT... --mount <work>/mnt` and wait until the mount
 * answers stat(mnt/bus/ap/apmask) (apsim has no readiness notification:
 * it prints a line on stderr after the mount and the control socket are
 * up, but "the mount answers" is what a client sees).  The poll sleeps
 * 20 us between attempts, so it costs the 2-CPU machine little.
 */
static void sim_start(struct sim *s, const char *boot1, const char *boot2)
{
	char probe[PATH_MAX + 32], logp[PATH_MAX];
	const struct timespec nap = {0, 20000};
	struct stat st;
	double t0;
	int status;

	memset(s, 0, sizeof(*s));
	snprintf(s->mnt, sizeof(s->mnt), "%s/mnt", work);
	snprintf(s->sock, sizeof(s->sock), "%s/apsim.sock", work);
	snprintf(probe, sizeof(probe), "%s/bus/ap/apmask", s->mnt);
	snprintf(logp, sizeof(logp), "%s/apsim.log", work);
	must_mkdir(s->mnt);
	if (stat(probe, &st) == 0)
		die("%s is already mounted", s->mnt);
	fflush(NULL);

	t0 = now_ms();
	s->pid = fork();
	if (s->pid < 0)
		die("fork: %s", strerror(errno));
	if (s->pid == 0) {
		int fd = open(logp, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		/* if the benchmark dies, apsim unmounts and exits too */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		execl(apsim, apsim, "run", boot1, boot2, "--mount", s->mnt,
		      "--socket", s->sock, (char *)NULL);
		_exit(127);
	}
	live = s;
	while (stat(probe, &st) != 0) {
		if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
			live = NULL;
			show_log();
			die("apsim run %s %s exited before the mount answered",
			    boot1, boot2);
		}
		if (now_ms() - t0 > 30000.0)
			die("apsim's mount did not answer within 30 s");
		nanosleep(&nap, NULL);
	}
	s->ready_ms = now_ms() - t0;
	s->hwm_kib = vm_hwm_kib(s->pid);
}

static void sim_stop(struct sim *s)
{
	int status;

	if (!s || s->pid <= 0)
		return;
	kill(s->pid, SIGTERM);
	waitpid(s->pid, &status, 0);
	s->pid = 0;
	if (live == s)
		live = NULL;
}

static void sim_path(const struct sim *s, const char *rel, char *buf,
		     size_t size)
{
	snprintf(buf, size, "%s/%s", s->mnt, rel);
}

/* ---- 1: boot ------------------------------------------------------------ */

struct boot_result {
	double best_ms, median_ms, worst_ms;
	long hwm_min_kib, hwm_max_kib;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void bench_boot(struct boot_result *r)
{
	double ms[BOOT_RUNS];
	char path[PATH_MAX + 32], buf[128];

	memset(r, 0, sizeof(*r));
	for (int i = 0; i < BOOT_RUNS; i++) {
		struct sim s;

		sim_start(&s, "--preset", "max");
		/* it is the max host: 256 cards, all of them */
		sim_path(&s, "bus/ap/ap_max_adapter_id", path, sizeof(path));
		must_get(path, buf, sizeof(buf));
		if (strcmp(buf, "255\n"))
			die("max preset: ap_max_adapter_id is '%s'", buf);
		sim_path(&s, "devices/ap/cardff/ff.00ff/online", path,
			 sizeof(path));
		must_get(path, buf, sizeof(buf));
		sim_stop(&s);
		ms[i] = s.ready_ms;
		if (i == 0 || s.hwm_kib < r->hwm_min_kib)
			r->hwm_min_kib = s.hwm_kib;
		if (s.hwm_kib > r->hwm_max_kib)
			r->hwm_max_kib = s.hwm_kib;
	}
	qsort(ms, BOOT_RUNS, sizeof(ms[0]), cmp_double);
	r->best_ms = ms[0];
	r->median_ms = ms[BOOT_RUNS / 2];
	r->worst_ms = ms[BOOT_RUNS - 1];
}

/* ---- 2: 4096 mdevs ------------------------------------------------------ */

/*
 * mdev i (0 .. 4095): UUID 5b1d2e3a-0000-4000-8000-<i, 12 hex digits>,
 * adapter i / 16, usage domain i % 16, control domain i % 16.  Every mdev
 * owns exactly one APQN, (i / 16, i % 16), and no two share one, so no
 * assignment can fail with EADDRINUSE; the host's aqmask has domains
 * 0x00-0x0f cleared beforehand so that none is reserved (EADDRNOTAVAIL).
 * Control domains are not APQNs and never conflict.
 */
static void mdev_uuid(unsigned int i, char *buf, size_t size)
{
	snprintf(buf, size, "5b1d2e3a-0000-4000-8000-%012x", i);
}

/* The timed part: 4 x N_MDEVS writes below root. */
static double configure(const char *root)
{
	char path[PATH_MAX + 128], val[64], u[40];
	double t0 = now_ms();

	for (unsigned int i = 0; i < N_MDEVS; i++) {
		mdev_uuid(i, u, sizeof(u));
		snprintf(path, sizeof(path), "%s/" TYPE_DIR "/create", root);
		snprintf(val, sizeof(val), "%s\n", u);
		must_put(path, val);
		snprintf(path, sizeof(path), "%s/" MATRIX_DIR "/%s/%s", root, u,
			 "assign_adapter");
		snprintf(val, sizeof(val), "0x%02x\n", i / 16);
		must_put(path, val);
		snprintf(path, sizeof(path), "%s/" MATRIX_DIR "/%s/%s", root, u,
			 "assign_domain");
		snprintf(val, sizeof(val), "0x%02x\n", i % 16);
		must_put(path, val);
		snprintf(path, sizeof(path), "%s/" MATRIX_DIR "/%s/%s", root, u,
			 "assign_control_domain");
		must_put(path, val);
	}
	return now_ms() - t0;
}

static unsigned long instances(const struct sim *s)
{
	char path[PATH_MAX + 128], buf[64];

	sim_path(s, TYPE_DIR "/available_instances", path, sizeof(path));
	must_get(path, buf, sizeof(buf));
	return strtoul(buf, NULL, 10);
}

/* The model got all of it: instances left, some mdevs' matrix. */
static void verify_mdevs(const struct sim *s, bool present, unsigned long base)
{
	static const unsigned int probe[] = {0, 1, 17, 2047, 4080, 4095};
	char path[PATH_MAX + 128], buf[256], want[64], u[40], rel[128];
	unsigned long left = instances(s);

	if (left != base - (present ? N_MDEVS : 0))
		die("available_instances is %lu, expected %lu", left,
		    base - (present ? N_MDEVS : 0));
	for (size_t k = 0; k < sizeof(probe) / sizeof(probe[0]); k++) {
		unsigned int i = probe[k];

		mdev_uuid(i, u, sizeof(u));
		snprintf(rel, sizeof(rel), MATRIX_DIR "/%s/matrix", u);
		sim_path(s, rel, path, sizeof(path));
		if (!present) {
			struct stat st;

			if (stat(path, &st) == 0 || errno != ENOENT)
				die("%s still there after remove", path);
			continue;
		}
		must_get(path, buf, sizeof(buf));
		snprintf(want, sizeof(want), "%02x.%04x\n", i / 16, i % 16);
		if (strcmp(buf, want))
			die("%s is '%s', expected '%s'", path, buf, want);
		snprintf(rel, sizeof(rel), MATRIX_DIR "/%s/control_domains", u);
		sim_path(s, rel, path, sizeof(path));
		must_get(path, buf, sizeof(buf));
		snprintf(want, sizeof(want), "%04x\n", i % 16);
		if (strcmp(buf, want))
			die("%s is '%s', expected '%s'", path, buf, want);
	}
}

static void remove_mdevs(const struct sim *s)
{
	char path[PATH_MAX + 128], rel[128], u[40];

	for (unsigned int i = 0; i < N_MDEVS; i++) {
		mdev_uuid(i, u, sizeof(u));
		snprintf(rel, sizeof(rel), MATRIX_DIR "/%s/remove", u);
		sim_path(s, rel, path, sizeof(path));
		must_put(path, "1\n");
	}
}

/* The same directories and files on the tmpfs, outside the timing. */
static void tmpfs_tree(const char *root)
{
	static const char *const attrs[] = {"assign_adapter", "assign_domain",
					    "assign_control_domain"};
	char path[PATH_MAX + 128], u[40];
	const char *p;

	/* every prefix of TYPE_DIR */
	for (p = TYPE_DIR;; p++) {
		if (*p == '/' || *p == '\0') {
			snprintf(path, sizeof(path), "%s/%.*s", root,
				 (int)(p - TYPE_DIR), TYPE_DIR);
			must_mkdir(path);
		}
		if (!*p)
			break;
	}
	snprintf(path, sizeof(path), "%s/" TYPE_DIR "/create", root);
	must_create(path);
	for (unsigned int i = 0; i < N_MDEVS; i++) {
		mdev_uuid(i, u, sizeof(u));
		snprintf(path, sizeof(path), "%s/" MATRIX_DIR "/%s", root, u);
		must_mkdir(path);
		for (size_t k = 0; k < 3; k++) {
			snprintf(path, sizeof(path), "%s/" MATRIX_DIR "/%s/%s",
				 root, u, attrs[k]);
			must_create(path);
		}
	}
}

struct cfg_result {
	double apsim_ms, apsim_worst_ms, tmpfs_ms, tmpfs_worst_ms;
	double apsim_cpu_ms; /* apsim's CPU time in the best run */
	long hwm_kib;
};

static void bench_mdevs(struct cfg_result *r)
{
	char path[PATH_MAX + 64], buf[128], root[256];
	unsigned long base;
	struct sim s;

	memset(r, 0, sizeof(*r));
	sim_start(&s, "--preset", "max");
	/* domains 0x00-0x0f leave the host (4096 queues move to vfio_ap) */
	sim_path(&s, "bus/ap/aqmask", path, sizeof(path));
	must_put(path, "-0-15\n");
	must_get(path, buf, sizeof(buf));
	if (strncmp(buf, "0x0000ffff", 10))
		die("aqmask is %s after -0-15", buf);
	base = instances(&s);
	if (base < N_MDEVS)
		die("only %lu mdev instances available", base);

	snprintf(root, sizeof(root), "%s/t", tmpfs);
	must_mkdir(root);
	tmpfs_tree(root);

	/* alternate, so that both see the same machine load */
	for (int run = 0; run < CFG_RUNS; run++) {
		double a, t, c0 = cpu_ms(s.pid), c1;

		a = configure(s.mnt);
		c1 = cpu_ms(s.pid);
		verify_mdevs(&s, true, base);
		if (run == CFG_RUNS - 1)
			r->hwm_kib = vm_hwm_kib(s.pid);
		remove_mdevs(&s);
		verify_mdevs(&s, false, base);
		t = configure(root);
		if (run == 0 || a < r->apsim_ms) {
			r->apsim_ms = a;
			r->apsim_cpu_ms = c1 - c0;
		}
		if (a > r->apsim_worst_ms)
			r->apsim_worst_ms = a;
		if (run == 0 || t < r->tmpfs_ms)
			r->tmpfs_ms = t;
		if (t > r->tmpfs_worst_ms)
			r->tmpfs_worst_ms = t;
	}
	/* the tmpfs got the same bytes */
	{
		char u[40];

		mdev_uuid(N_MDEVS - 1, u, sizeof(u));
		snprintf(path, sizeof(path),
			 "%s/" MATRIX_DIR "/%s/assign_domain", root, u);
		must_get(path, buf, sizeof(buf));
		if (strcmp(buf, "0x0f\n"))
			die("%s is '%s'", path, buf);
	}
	sim_stop(&s);
}

/* ---- 3: lszcrypt -V ----------------------------------------------------- */

/* Copy src (a directory of the apsim tree) to dst: directories, links as
 * links, files with their content (empty when write-only) and mode. */
static void copy_tree(const char *src, const char *dst)
{
	DIR *d = opendir(src);
	struct dirent *e;

	if (!d)
		die("opendir %s: %s", src, strerror(errno));
	must_mkdir(dst);
	while ((e = readdir(d))) {
		char sp[PATH_MAX], dp[PATH_MAX];
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if ((size_t)snprintf(sp, sizeof(sp), "%s/%s", src, e->d_name) >=
			    sizeof(sp) ||
		    (size_t)snprintf(dp, sizeof(dp), "%s/%s", dst, e->d_name) >=
			    sizeof(dp))
			die("path too long below %s", src);
		if (lstat(sp, &st))
			die("lstat %s: %s", sp, strerror(errno));
		if (S_ISDIR(st.st_mode)) {
			copy_tree(sp, dp);
			chmod(dp, st.st_mode & 07777);
		} else if (S_ISLNK(st.st_mode)) {
			char to[PATH_MAX];
			ssize_t n = readlink(sp, to, sizeof(to) - 1);

			if (n < 0)
				die("readlink %s: %s", sp, strerror(errno));
			to[n] = '\0';
			if (symlink(to, dp))
				die("symlink %s: %s", dp, strerror(errno));
		} else {
			static char buf[1 << 20];
			int fd = open(dp, O_WRONLY | O_CREAT | O_TRUNC,
				      st.st_mode & 07777);

			if (fd < 0)
				die("create %s: %s", dp, strerror(errno));
			buf[0] = '\0';
			if (st.st_mode & 0444)
				must_get(sp, buf, sizeof(buf));
			if (write(fd, buf, strlen(buf)) < 0)
				die("write %s: %s", dp, strerror(errno));
			close(fd);
		}
	}
	closedir(d);
}

/* Run lszcrypt -V with SYSFS_ROOT=root, stdout to out; ms or dies. */
static double lszcrypt(const char *tools, const char *root, const char *out)
{
	char bin[PATH_MAX], env_root[PATH_MAX + 16];
	double t0;
	pid_t pid;
	int status;

	snprintf(bin, sizeof(bin), "%s/sbin/lszcrypt", tools);
	snprintf(env_root, sizeof(env_root), "SYSFS_ROOT=%s", root);
	fflush(NULL);
	t0 = now_ms();
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		char *const argv[] = {
			"qemu-s390x-static", "-L", "/", bin, "-V", NULL};
		char *const envp[] = {env_root,
				      "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
				      "LC_ALL=C", NULL};
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd < 0)
			_exit(126);
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
		execvpe("qemu-s390x-static", argv, envp);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		die("SYSFS_ROOT=%s lszcrypt -V failed (status 0x%x), see %s",
		    root, status, out);
	return now_ms() - t0;
}

struct ls_result {
	const char *name;
	unsigned int cards, queues;
	double apsim_ms, apsim_worst_ms, static_ms, static_worst_ms;
};

static void bench_lszcrypt(const char *tools, const char *name,
			   const char *boot1, const char *boot2,
			   struct ls_result *r)
{
	char stat_root[PATH_MAX], src[PATH_MAX + 32], dst[PATH_MAX + 32];
	char out_a[PATH_MAX + 32], out_s[PATH_MAX + 32];
	static char a[1 << 20], b[1 << 20];
	struct sim s;

	memset(r, 0, sizeof(*r));
	r->name = name;
	sim_start(&s, boot1, boot2);
	snprintf(stat_root, sizeof(stat_root), "%s/static-%s", tmpfs, name);
	must_mkdir(stat_root);
	snprintf(dst, sizeof(dst), "%s/devices", stat_root);
	must_mkdir(dst);
	snprintf(dst, sizeof(dst), "%s/bus", stat_root);
	must_mkdir(dst);
	snprintf(src, sizeof(src), "%s/devices/ap", s.mnt);
	snprintf(dst, sizeof(dst), "%s/devices/ap", stat_root);
	copy_tree(src, dst);
	snprintf(src, sizeof(src), "%s/bus/ap", s.mnt);
	snprintf(dst, sizeof(dst), "%s/bus/ap", stat_root);
	copy_tree(src, dst);

	snprintf(out_a, sizeof(out_a), "%s/lszcrypt-%s-apsim.txt", work, name);
	snprintf(out_s, sizeof(out_s), "%s/lszcrypt-%s-static.txt", work, name);
	/* one untimed run each (page cache, qemu's binary) */
	lszcrypt(tools, s.mnt, out_a);
	lszcrypt(tools, stat_root, out_s);
	must_get(out_a, a, sizeof(a));
	must_get(out_s, b, sizeof(b));
	if (strcmp(a, b))
		die("lszcrypt -V differs between apsim and the static copy "
		    "(%s, %s)",
		    out_a, out_s);
	for (const char *p = a; (p = strchr(p, '\n')); p++) {
		if (p[1] == '\0' || p[1] == '-' || p[1] == 'C')
			continue;
		if (p[3] == '.')
			r->queues++;
		else
			r->cards++;
	}
	for (int i = 0; i < LS_RUNS; i++) {
		double x = lszcrypt(tools, s.mnt, out_a);
		double y = lszcrypt(tools, stat_root, out_s);

		if (i == 0 || x < r->apsim_ms)
			r->apsim_ms = x;
		if (x > r->apsim_worst_ms)
			r->apsim_worst_ms = x;
		if (i == 0 || y < r->static_ms)
			r->static_ms = y;
		if (y > r->static_worst_ms)
			r->static_worst_ms = y;
	}
	sim_stop(&s);
}

/* 16 adapters (8 CCA, 8 EP11) x 16 domains; 0x08-0x0f go to vfio_ap. */
static const char mid_topology[] =
	"{\n"
	"\t\"comment\": \"bench_apsim: 16 x 16, half the domains on vfio_ap\",\n"
	"\t\"adapters\": [\n"
	"\t\t{\"id\": \"0x00-0x07\", \"type\": \"CEX8\", \"mode\": \"cca\"},\n"
	"\t\t{\"id\": \"0x08-0x0f\", \"type\": \"CEX7\", \"mode\": \"ep11\"}\n"
	"\t],\n"
	"\t\"domains\": [\"0x00-0x0f\"],\n"
	"\t\"control_domains\": [\"0x00-0x0f\"],\n"
	"\t\"aqmask\": \"+0-255,-8-15\"\n"
	"}\n";

/* ---- report ------------------------------------------------------------- */

static void loadavg(const char *when)
{
	char buf[128];

	if (get("/proc/loadavg", buf, sizeof(buf)) == 0)
		printf("load average %s: %s", when, buf);
}

static bool goal(bool ok)
{
	printf(": goal %s\n", ok ? "met" : "missed");
	return ok;
}

static bool have_tools(const char *tools, char *why, size_t size)
{
	char bin[PATH_MAX];
	const char *path = getenv("PATH");
	bool qemu = false;

	snprintf(bin, sizeof(bin), "%s/sbin/lszcrypt", tools);
	if (access(bin, X_OK)) {
		snprintf(why, size, "no %s", bin);
		return false;
	}
	for (const char *p = path ? path : "/usr/bin:/bin"; *p && !qemu;) {
		const char *e = strchr(p, ':');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		snprintf(bin, sizeof(bin), "%.*s/qemu-s390x-static", (int)n, p);
		qemu = access(bin, X_OK) == 0;
		p += n + (e != NULL);
	}
	if (!qemu)
		snprintf(why, size, "no qemu-s390x-static in PATH");
	return qemu;
}

int main(int argc, char **argv)
{
	const char *tools = getenv("APV_S390_TOOLS");
	bool strict = false, ok = true, ls_ok = true;
	unsigned int parts = 0;
	bool skipped = false;
	struct boot_result br;
	struct cfg_result cr;
	struct ls_result lr[2];
	char why[PATH_MAX + 64], topo[PATH_MAX];
	double ratio;
	int n_ls = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--strict"))
			strict = true;
		else if (!strcmp(argv[i], "--only") && i + 1 < argc)
			parts |= 1u << (atoi(argv[++i]) - 1);
		else if (!apsim)
			apsim = argv[i];
		else
			apsim = NULL, i = argc;
	}
	if (!apsim) {
		fprintf(stderr,
			"usage: %s [--strict] [--only 1|2|3]... APSIM\n",
			argv[0]);
		return 2;
	}
	if (!parts)
		parts = 7;
	if (!tools || !*tools)
		tools = "/var/cache/apvirt/s390-tools";
	if (geteuid() != 0)
		skip("needs root (FUSE mounts, a tmpfs)");
	if (access("/dev/fuse", R_OK | W_OK))
		skip("no /dev/fuse");
	if (access(apsim, X_OK))
		die("%s is not executable", apsim);
	if (!mkdtemp(work))
		die("mkdtemp: %s", strerror(errno));
	snprintf(tmpfs, sizeof(tmpfs), "%s/tmpfs", work);
	must_mkdir(tmpfs);
	if (mount("tmpfs", tmpfs, "tmpfs", 0, "mode=0755,size=256m")) {
		int e = errno;

		cleanup();
		if (e == EPERM)
			skip("cannot mount a tmpfs");
		die("mount tmpfs: %s", strerror(e));
	}
	tmpfs_mounted = true;

	printf("apsim benchmark (issue 3): %s\n"
	       "Every time is the best of several runs (CLOCK_MONOTONIC); the "
	       "worst is shown too.\n",
	       apsim);
	printf("CPUs online: %ld; ", sysconf(_SC_NPROCESSORS_ONLN));
	loadavg("at start");
	printf("\n");

	if (!(parts & 1))
		goto part2;
	bench_boot(&br);
	printf("1. boot: apsim run --preset max --mount DIR (256 adapters x 256 domains,\n"
	       "   65,536 queues), from fork() until stat(DIR/bus/ap/apmask) answers;\n"
	       "   peak RSS = apsim's VmHWM at that moment; %d runs\n\n",
	       BOOT_RUNS);
	printf("   %-28s %12s %12s %12s\n", "", "best", "median", "worst");
	printf("   %-28s %12.2f %12.2f %12.2f\n", "time to mount answer, ms",
	       br.best_ms, br.median_ms, br.worst_ms);
	printf("   %-28s %12.1f %12s %12.1f\n", "VmHWM, MiB",
	       (double)br.hwm_min_kib / 1024.0, "",
	       (double)br.hwm_max_kib / 1024.0);
	printf("\n   boot %.2f ms best of %d (goal <= %.0f ms)", br.best_ms,
	       BOOT_RUNS, GOAL_BOOT_MS);
	ok &= goal(br.best_ms <= GOAL_BOOT_MS);
	printf("   peak RSS %.1f MiB, largest of %d (goal <= %.0f MiB)",
	       (double)br.hwm_max_kib / 1024.0, BOOT_RUNS, GOAL_BOOT_MIB);
	ok &= goal((double)br.hwm_max_kib / 1024.0 <= GOAL_BOOT_MIB);

part2:
	if (!(parts & 2))
		goto part3;
	bench_mdevs(&cr);
	ratio = cr.apsim_ms / cr.tmpfs_ms;
	printf("\n2. mdevs: %u mdevs on the max preset (aqmask -0-15 first), each\n"
	       "   create + assign_adapter + assign_domain + assign_control_domain,\n"
	       "   mdev i: adapter i/16, domain and control domain i%%16 (one APQN\n"
	       "   each, none shared); %u writes, each open(O_WRONLY|O_TRUNC) + write\n"
	       "   + close on an absolute path; the same paths and bytes on a tmpfs\n"
	       "   (files created beforehand); %d runs, alternating\n\n",
	       N_MDEVS, 4 * N_MDEVS, CFG_RUNS);
	printf("   %-10s %12s %12s %14s\n", "target", "best ms", "worst ms",
	       "us per write");
	printf("   %-10s %12.1f %12.1f %14.2f\n", "apsim", cr.apsim_ms,
	       cr.apsim_worst_ms, cr.apsim_ms * 1e3 / (4.0 * N_MDEVS));
	printf("   %-10s %12.1f %12.1f %14.2f\n", "tmpfs", cr.tmpfs_ms,
	       cr.tmpfs_worst_ms, cr.tmpfs_ms * 1e3 / (4.0 * N_MDEVS));
	printf("\n   apsim CPU time in its best run: %.0f ms (%.1f us per write)\n",
	       cr.apsim_cpu_ms, cr.apsim_cpu_ms * 1e3 / (4.0 * N_MDEVS));
	printf("   apsim VmHWM with %u mdevs: %.1f MiB\n", N_MDEVS,
	       (double)cr.hwm_kib / 1024.0);
	printf("   apsim/tmpfs = %.1f/%.1f ms = %.2fx (goal <= %.1fx)",
	       cr.apsim_ms, cr.tmpfs_ms, ratio, GOAL_CFG_RATIO);
	ok &= goal(ratio <= GOAL_CFG_RATIO);

part3:
	if (!(parts & 4))
		goto done;
	printf("\n3. lszcrypt -V (s390-tools 2.16 under qemu-s390x-static) with\n"
	       "   SYSFS_ROOT on the apsim mount vs. on a static copy of its\n"
	       "   devices/ap and bus/ap (links as links) on a tmpfs; outputs\n"
	       "   compared byte for byte; %d runs each, alternating\n\n",
	       LS_RUNS);
	if (!have_tools(tools, why, sizeof(why))) {
		printf("   skipped: %s\n", why);
		skipped = true;
	} else {
		int fd;

		snprintf(topo, sizeof(topo), "%s/mid.json", work);
		fd = open(topo, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || write(fd, mid_topology, strlen(mid_topology)) !=
				      (ssize_t)strlen(mid_topology))
			die("write %s", topo);
		close(fd);
		bench_lszcrypt(tools, "default", "--preset", "default",
			       &lr[n_ls++]);
		bench_lszcrypt(tools, "16x16", "--topology", topo, &lr[n_ls++]);
		printf("   %-9s %6s %7s %11s %11s %11s %11s %7s\n", "topology",
		       "cards", "queues", "apsim ms", "(worst)", "static ms",
		       "(worst)", "ratio");
		for (int i = 0; i < n_ls; i++)
			printf("   %-9s %6u %7u %11.1f %11.1f %11.1f %11.1f %6.2fx\n",
			       lr[i].name, lr[i].cards, lr[i].queues,
			       lr[i].apsim_ms, lr[i].apsim_worst_ms,
			       lr[i].static_ms, lr[i].static_worst_ms,
			       lr[i].apsim_ms / lr[i].static_ms);
		printf("\n");
		for (int i = 0; i < n_ls; i++) {
			ratio = lr[i].apsim_ms / lr[i].static_ms;
			printf("   %s: apsim/static = %.1f/%.1f ms = %.2fx (goal <= %.1fx)",
			       lr[i].name, lr[i].apsim_ms, lr[i].static_ms,
			       ratio, GOAL_LS_RATIO);
			ls_ok &= goal(ratio <= GOAL_LS_RATIO);
		}
		ok &= ls_ok;
	}
done:
	printf("\n");
	loadavg("at end");
	printf("%s%s\n", ok ? "all goals met" : "some goals missed",
	       skipped ? " (part 3 skipped)" : "");
	cleanup();
	return strict && !ok ? 1 : 0;
}
