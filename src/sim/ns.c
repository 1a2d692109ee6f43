// SPDX-License-Identifier: MIT
/*
 * `apsim exec` / `apsim shell` (real-tools-abi.md §1, §8.11): boot the
 * host, then in a private mount namespace
 *
 *   - mount a tmpfs on a fresh /tmp/apsim.XXXXXX (our scratch space),
 *     serve the tree on <scratch>/sys and bind it over /sys (the real
 *     sysfs stays underneath, so /proc/mounts keeps its sysfs line, which
 *     s390-tools look for);
 *   - put empty tmpfs instances over /etc/mdevctl.d (with
 *     scripts.d/callouts and scripts.d/notifiers), /run/lock (ap-check
 *     links its lock files there), /etc/udev/rules.d and /usr/lib/mdevctl,
 *     so mdevctl and ap-check see a clean machine and the host's state is
 *     never touched;
 *   - with --dev, a tmpfs /dev holding the host's null, zero, full,
 *     random, urandom, tty (bound), pts, the usual /proc/self/fd links,
 *     z90crypt and one character node per zcrypt device node, kept in
 *     step with class/zcrypt/{create,destroy} as udev would;
 *
 * run the command there (APSIM_SOCKET names the control socket), wait for
 * it, stop the host and return its exit status.  Mount points that do not
 * exist are created first (/etc/mdevctl.d on a host without mdevctl, for
 * instance); that empty directory is the only trace left on the host.
 *
 * Rootless: a caller that is not root first enters a new user namespace
 * with itself mapped to root (what `unshare -Urm` does; user_namespaces(7)),
 * then does the same.  There the kernel allows tmpfs, bind and FUSE mounts
 * (FUSE since Linux 4.18), but not device nodes (--dev needs real root)
 * nor new directories in the host's /etc: a missing /etc/mdevctl.d is
 * then made by shadowing its parent (a tmpfs holding binds of the
 * parent's entries and the new directory).
 *
 * The command dies with apsim (PR_SET_PDEATHSIG), and the scratch
 * directory is removed even when apsim is killed: a small cleaner process
 * forked before the namespace waits for apsim's end (EOF on a pipe) and
 * removes it from the host's side.
 *
 * `apsim run --root DIR` (apsim_root_layout) lays the same private
 * directories out below DIR instead, for tools with a root hook
 * (SYSFS_ROOT, MDEVCTL_ENV_ROOT, ...; apsim_root_env prints them).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <apvirt/host.h>
#include <apvirt/zcdn.h>

#include "sim.h"
#include "udev_events.h"

static int ns_fail(const char *what, const char *path)
{
	int e = errno;

	fprintf(stderr, "apsim: %s %s: %s\n", what, path, strerror(e));
	return -e;
}

static int mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) && errno != EEXIST)
		return -errno;
	return 0;
}

static int mount_tmpfs(const char *path, const char *opts)
{
	if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, opts))
		return ns_fail("cannot mount a tmpfs on", path);
	return 0;
}

/* An empty private tmpfs over dir (created if missing). */
static int scratch_over(const char *dir, bool only_if_exists)
{
	struct stat st;

	if (stat(dir, &st)) {
		int e;

		if (only_if_exists)
			return 0;
		e = mkdir_p(dir, 0755);
		if (e) {
			errno = -e;
			return ns_fail("cannot create", dir);
		}
	}
	return mount_tmpfs(dir, "mode=0755");
}

/* ---- /dev --------------------------------------------------------------- */

struct devnodes {
	struct apv_host *host;
	pthread_mutex_t lock;
	char (*names)[APV_ZCDN_NAME_MAX + 1]; /* nodes made so far */
	size_t n;
};

static struct devnodes devnodes = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* Make /dev match the zcrypt nodes of the model (udev's job). */
static void devnodes_sync(void *ctx)
{
	struct devnodes *d = ctx;
	struct apv_zcdn_info *list = NULL;
	char path[64];
	size_t n = 0;

	if (apv_zcdn_list(d->host, &list, &n))
		return;
	pthread_mutex_lock(&d->lock);
	for (size_t i = 0; i < d->n; i++) {
		bool keep = false;

		for (size_t j = 0; j < n && !keep; j++)
			keep = !strcmp(d->names[i], list[j].name);
		if (!keep) {
			snprintf(path, sizeof(path), "/dev/%s", d->names[i]);
			unlink(path);
		}
	}
	free(d->names);
	d->names = n ? calloc(n, sizeof(*d->names)) : NULL;
	d->n = d->names ? n : 0;
	for (size_t i = 0; i < d->n; i++) {
		memcpy(d->names[i], list[i].name, sizeof(d->names[i]));
		snprintf(path, sizeof(path), "/dev/%s", list[i].name);
		if (mknod(path, S_IFCHR | 0666,
			  makedev(list[i].major, list[i].minor)) == 0)
			chmod(path, 0666); /* not the umask's */
	}
	pthread_mutex_unlock(&d->lock);
	free(list);
}

static int bind_file(const char *dev, const char *src)
{
	char path[PATH_MAX + 16];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dev, src + 5);
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0)
		return ns_fail("cannot create", path);
	close(fd);
	if (mount(src, path, NULL, MS_BIND, NULL))
		return ns_fail("cannot bind", src);
	return 0;
}

/* Build a private /dev in <scratch>/dev and move it over /dev. */
static int private_dev(const char *scratch)
{
	static const char *const binds[] = {"/dev/null",    "/dev/zero",
					    "/dev/full",    "/dev/random",
					    "/dev/urandom", "/dev/tty"};
	static const char *const links[][2] = {
		{"fd", "/proc/self/fd"},       {"stdin", "/proc/self/fd/0"},
		{"stdout", "/proc/self/fd/1"}, {"stderr", "/proc/self/fd/2"},
		{"ptmx", "pts/ptmx"},
	};
	char dev[PATH_MAX], path[PATH_MAX + 16];
	struct stat st;

	snprintf(dev, sizeof(dev), "%s/dev", scratch);
	if (mkdir(dev, 0755) && errno != EEXIST)
		return ns_fail("cannot create", dev);
	/* not MS_NODEV: it holds device nodes */
	if (mount("tmpfs", dev, "tmpfs", MS_NOSUID, "mode=0755"))
		return ns_fail("cannot mount a tmpfs on", dev);
	for (size_t i = 0; i < sizeof(binds) / sizeof(binds[0]); i++)
		if (stat(binds[i], &st) == 0 && bind_file(dev, binds[i]))
			return -1;
	if (stat("/dev/pts", &st) == 0) {
		snprintf(path, sizeof(path), "%s/pts", dev);
		if (mkdir(path, 0755) ||
		    mount("/dev/pts", path, NULL, MS_BIND | MS_REC, NULL))
			return ns_fail("cannot bind", "/dev/pts");
	}
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dev, links[i][0]);
		if (symlink(links[i][1], path))
			return ns_fail("cannot create", path);
	}
	snprintf(path, sizeof(path), "%s/z90crypt", dev);
	if (mknod(path, S_IFCHR | 0666,
		  makedev(APV_Z90CRYPT_MAJOR, APV_Z90CRYPT_MINOR)) ||
	    chmod(path, 0666))
		return ns_fail("cannot create", path);
	if (mount(dev, "/dev", NULL, MS_MOVE, NULL))
		return ns_fail("cannot move the private /dev over", "/dev");
	return 0;
}

/* ---- a fake root (apsim run --root) ------------------------------------- */

int apsim_root_layout(const char *dir)
{
	static const char *const dirs[] = {
		"sys",
		"etc/mdevctl.d/scripts.d/callouts",
		"etc/mdevctl.d/scripts.d/notifiers",
		"usr/lib/mdevctl/scripts.d/callouts",
		"usr/lib/mdevctl/scripts.d/notifiers",
		"run/lock",
		"etc/udev/rules.d",
	};
	char path[PATH_MAX];

	for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++) {
		int e;

		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
				     dirs[i]) >= sizeof(path)) {
			errno = ENAMETOOLONG;
			return ns_fail("cannot create", dir);
		}
		e = mkdir_p(path, 0755);
		if (e) {
			errno = -e;
			return ns_fail("cannot create", path);
		}
	}
	return 0;
}

/* ---- rootless ---------------------------------------------------------- */

static bool rootless; /* apsim exec by a user: in a user namespace */

static int read_sysctl(const char *path)
{
	char buf[32] = "";
	FILE *f = fopen(path, "re");
	int v = -1;

	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		v = atoi(buf);
	fclose(f);
	return v;
}

/* What the machine needs for rootless apsim exec, after err from unshare
 * or from the first mount in the new namespace. */
static void rootless_remedy(int err)
{
	if (read_sysctl("/proc/sys/kernel/unprivileged_userns_clone") == 0)
		fputs("apsim: this kernel forbids unprivileged user namespaces "
		      "(kernel.unprivileged_userns_clone = 0);\n"
		      "apsim: allow them with `sysctl -w "
		      "kernel.unprivileged_userns_clone=1`, or run apsim as "
		      "root\n",
		      stderr);
	else if (read_sysctl("/proc/sys/user/max_user_namespaces") == 0)
		fputs("apsim: user namespaces are disabled "
		      "(user.max_user_namespaces = 0);\n"
		      "apsim: allow them with `sysctl -w "
		      "user.max_user_namespaces=15000`, or run apsim as root\n",
		      stderr);
	else if (read_sysctl("/proc/sys/kernel/"
			     "apparmor_restrict_unprivileged_userns") == 1)
		fputs("apsim: AppArmor denies unprivileged user namespaces "
		      "their capabilities\n"
		      "apsim: (kernel.apparmor_restrict_unprivileged_userns = "
		      "1, Ubuntu 23.10 and later);\n"
		      "apsim: allow them with `sysctl -w "
		      "kernel.apparmor_restrict_unprivileged_userns=0` or an "
		      "AppArmor profile\n"
		      "apsim: for apsim with `userns,`, or run apsim as root\n",
		      stderr);
	else if (err == EPERM)
		fputs("apsim: a seccomp filter or security module forbids "
		      "user namespaces here\n"
		      "apsim: (in a container: run it with `--security-opt "
		      "seccomp=unconfined` or with\n"
		      "apsim: CAP_SYS_ADMIN, or run apsim as root; "
		      "docs/ci.md)\n",
		      stderr);
}

/*
 * A user namespace is needed when the caller is not root, or is a root
 * without CAP_SYS_ADMIN (a container's root without --cap-add SYS_ADMIN):
 * neither may unshare a mount namespace or mount.
 */
static bool need_userns(void)
{
	char line[256];
	unsigned long long eff = 0;
	FILE *f;

	if (geteuid() != 0)
		return true;
	f = fopen("/proc/self/status", "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	return !(eff & (1ULL << 21)); /* CAP_SYS_ADMIN */
}

/* Fail at once, with the remedy, when FUSE cannot work here. */
static int fuse_preflight(void)
{
	int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	int e;

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	e = errno;
	fprintf(stderr, "apsim: cannot open /dev/fuse: %s\n", strerror(e));
	if (e == ENOENT || e == ENXIO || e == ENODEV)
		fputs("apsim: load the fuse module (`modprobe fuse`) or, in a "
		      "container, pass the device\n"
		      "apsim: (`docker run --device /dev/fuse ...`; "
		      "docs/ci.md)\n",
		      stderr);
	else
		fputs("apsim: /dev/fuse must be readable and writable by this "
		      "user (mode 0666 is usual)\n",
		      stderr);
	return -e;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n, len = (ssize_t)strlen(text);

	if (fd < 0)
		return -errno;
	n = write(fd, text, (size_t)len);
	if (n != len) {
		int e = n < 0 ? errno : EIO;

		close(fd);
		return -e;
	}
	close(fd);
	return 0;
}

/* Enter a new user namespace with the caller (uid and gid) as root.
 * Must run before any thread is started (unshare(2): EINVAL otherwise). */
static int enter_userns(void)
{
	char map[64];
	uid_t uid = geteuid();
	gid_t gid = getegid();
	int e;

	if (unshare(CLONE_NEWUSER)) {
		e = errno;
		fprintf(stderr,
			"apsim: not root (or no CAP_SYS_ADMIN), and cannot "
			"create a user namespace: %s\n",
			strerror(e));
		rootless_remedy(e);
		return -e;
	}
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned int)uid);
	e = write_file("/proc/self/uid_map", map);
	if (!e)
		e = write_file("/proc/self/setgroups", "deny\n");
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned int)gid);
	if (!e)
		e = write_file("/proc/self/gid_map", map);
	if (e) {
		fprintf(stderr,
			"apsim: cannot map uid %u to root in the user "
			"namespace: %s\n",
			(unsigned int)uid, strerror(-e));
		rootless_remedy(-e);
		return e;
	}
	rootless = true;
	return 0;
}

/*
 * dir is missing and its parent cannot take a new directory (a user
 * namespace does not own the host's /etc): cover the parent with a tmpfs
 * that holds a bind of each of the parent's entries, a copy of its
 * symlinks, and dir.  Entries are bound recursively, so mounts below stay.
 */
static int shadow_parent(const char *scratch, const char *dir)
{
	static unsigned int count;
	char parent[PATH_MAX], shadow[PATH_MAX], src[PATH_MAX * 2],
		dst[PATH_MAX * 2], target[PATH_MAX];
	const char *slash = strrchr(dir, '/');
	struct dirent *d;
	DIR *dp;

	if (!slash || slash == dir || (size_t)(slash - dir) >= sizeof(parent))
		return ns_fail("cannot create", dir);
	memcpy(parent, dir, (size_t)(slash - dir));
	parent[slash - dir] = '\0';
	snprintf(shadow, sizeof(shadow), "%s/shadow%u", scratch, count++);
	if (mkdir(shadow, 0755))
		return ns_fail("cannot create", shadow);
	if (mount_tmpfs(shadow, "mode=0755"))
		return -1;
	dp = opendir(parent);
	if (!dp)
		return ns_fail("cannot read", parent);
	while ((d = readdir(dp))) {
		struct stat st;
		ssize_t n;
		int fd;

		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		snprintf(src, sizeof(src), "%s/%s", parent, d->d_name);
		snprintf(dst, sizeof(dst), "%s/%s", shadow, d->d_name);
		if (lstat(src, &st))
			continue;
		if (S_ISLNK(st.st_mode)) {
			n = readlink(src, target, sizeof(target) - 1);
			if (n < 0)
				continue;
			target[n] = '\0';
			if (symlink(target, dst))
				goto fail;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			if (mkdir(dst, 0755))
				goto fail;
		} else {
			fd = open(dst, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
			if (fd < 0)
				goto fail;
			close(fd);
		}
		if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL))
			goto fail;
	}
	closedir(dp);
	snprintf(dst, sizeof(dst), "%s/%s", shadow, slash + 1);
	if (mkdir(dst, 0755))
		return ns_fail("cannot create", dst);
	if (mount(shadow, parent, NULL, MS_BIND | MS_REC, NULL))
		return ns_fail("cannot bind a shadow over", parent);
	return 0;
fail:
	closedir(dp);
	return ns_fail("cannot shadow", src);
}

/* ---- the scratch directory and its cleaner ------------------------------ */

/*
 * mkdtemp the scratch directory, then fork a process that stays in the
 * host's mount namespace and removes it once apsim is gone, however it
 * ends (it sees EOF on a pipe whose write end only apsim holds).  In the
 * host's namespace the directory is not a mount point, so rmdir works
 * there.  Before any thread is started (fork).
 */
static int scratch_new(char *scratch, size_t size)
{
	int fds[2];
	pid_t pid;

	snprintf(scratch, size, "/tmp/apsim.XXXXXX");
	if (!mkdtemp(scratch))
		return ns_fail("cannot create", "/tmp/apsim.XXXXXX");
	if (pipe2(fds, O_CLOEXEC)) {
		rmdir(scratch);
		return ns_fail("cannot create a pipe for", scratch);
	}
	pid = fork();
	if (pid == 0) {
		char c;
		int nul = open("/dev/null", O_RDWR);

		/* hold no terminal, pipe or cwd of the caller's */
		signal(SIGINT, SIG_IGN);
		signal(SIGQUIT, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		for (int fd = 0; fd < 3; fd++)
			if (nul >= 0 && fd != fds[0])
				dup2(nul, fd);
		if (chdir("/"))
			_exit(1);
		close(fds[1]);
		while (read(fds[0], &c, 1) < 0 && errno == EINTR)
			;
		rmdir(scratch);
		_exit(0);
	}
	close(fds[0]);
	if (pid < 0) {
		close(fds[1]);
		rmdir(scratch);
		return ns_fail("cannot fork the cleaner of", scratch);
	}
	/* fds[1] stays open (close-on-exec) until apsim ends */
	return 0;
}

/* ---- the namespace ------------------------------------------------------ */

struct ns {
	char scratch[32];
	char mnt[64];
	char sock[PATH_MAX];
	bool scratch_made, scratch_mounted, sys_bound;
};

/* mkdir -p dir, or, rootless and not allowed to, shadow its parent. */
static int make_dir(const struct ns *ns, const char *dir)
{
	int e = mkdir_p(dir, 0755);

	if (e && rootless &&
	    (e == -EACCES || e == -EPERM || e == -EROFS || e == -EOVERFLOW))
		return shadow_parent(ns->scratch, dir);
	if (e) {
		errno = -e;
		return ns_fail("cannot create", dir);
	}
	return 0;
}

static int ns_setup(struct ns *ns, const struct apsim_opts *o)
{
	static const char *const private_dirs[] = {
		"/etc/mdevctl.d",
		"/run/lock",
	};
	static const char *const optional_dirs[] = {
		"/etc/udev/rules.d",
		"/usr/lib/mdevctl",
	};
	struct stat st;
	int fd;

	/* a private network namespace: the udev broadcasts (netlink
	 * multicast is per namespace) reach only the command, and the
	 * machine's own events stay out (ci-integration.md §4); in a user
	 * namespace it belongs to that namespace, so rootless works too */
	if (unshare(CLONE_NEWNS | (o->host_net ? 0 : CLONE_NEWNET))) {
		int e = errno;

		fprintf(stderr,
			"apsim: cannot create a mount namespace: %s%s\n",
			strerror(e),
			e == EPERM ? " (apsim exec needs root or a user "
				     "namespace)" :
				     "");
		if (rootless)
			rootless_remedy(e);
		return -e;
	}
	/* systemd makes / shared: keep every mount below in here */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		int e = errno;

		ns_fail("cannot make private", "/");
		if (rootless)
			rootless_remedy(e);
		return -e;
	}
	if (mount_tmpfs(ns->scratch, "mode=0700"))
		return -1;
	ns->scratch_mounted = true;
	snprintf(ns->mnt, sizeof(ns->mnt), "%s/sys", ns->scratch);
	if (mkdir(ns->mnt, 0755))
		return ns_fail("cannot create", ns->mnt);
	if (o->socket)
		snprintf(ns->sock, sizeof(ns->sock), "%s", o->socket);
	else
		snprintf(ns->sock, sizeof(ns->sock), "%s/ctl.sock",
			 ns->scratch);

	for (size_t i = 0; i < sizeof(private_dirs) / sizeof(*private_dirs);
	     i++) {
		if (stat(private_dirs[i], &st) && make_dir(ns, private_dirs[i]))
			return -1;
		if (scratch_over(private_dirs[i], true))
			return -1;
	}
	for (size_t i = 0; i < sizeof(optional_dirs) / sizeof(*optional_dirs);
	     i++)
		if (scratch_over(optional_dirs[i], true))
			return -1;
	/* libudev's monitors subscribe to udevd's group only when
	 * /run/udev/control exists (or /dev is a devtmpfs): a private
	 * /run/udev holding an empty control file */
	if (stat("/run/udev", &st) && make_dir(ns, "/run/udev"))
		return -1;
	if (scratch_over("/run/udev", false))
		return -1;
	fd = open("/run/udev/control", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return ns_fail("cannot create", "/run/udev/control");
	close(fd);
	if (mkdir_p("/etc/mdevctl.d/scripts.d/callouts", 0755) ||
	    mkdir_p("/etc/mdevctl.d/scripts.d/notifiers", 0755))
		return ns_fail("cannot create", "/etc/mdevctl.d/scripts.d");
	return 0;
}

static int bind_sys(struct ns *ns)
{
	if (mount(ns->mnt, "/sys", NULL, MS_BIND, NULL))
		return ns_fail("cannot bind the tree over", "/sys");
	ns->sys_bound = true;
	return 0;
}

static void ns_teardown(struct ns *ns)
{
	/* the bind holds the FUSE superblock: drop it before unmounting */
	if (ns->sys_bound)
		umount2("/sys", MNT_DETACH);
	ns->sys_bound = false;
}

static void ns_cleanup(struct ns *ns)
{
	if (ns->scratch_mounted)
		umount2(ns->scratch, MNT_DETACH);
	if (ns->scratch_made)
		rmdir(ns->scratch);
}

/* ---- the command -------------------------------------------------------- */

static pid_t spawn(char *const argv[], const sigset_t *old, const char *sock)
{
	pid_t parent = getpid();
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	/* die with apsim: its tree is gone then (kill -9 included) */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(137);
	setenv("APSIM_SOCKET", sock, 1);
	/* libudev refuses devices off sysfs (the tree is FUSE) unless told
	 * not to check (ci-integration.md §3) */
	setenv("SYSTEMD_DEVICE_VERIFY_SYSFS", "0", 1);
	sigprocmask(SIG_SETMASK, old, NULL);
	execvp(argv[0], argv);
	fprintf(stderr, "apsim: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

/* Wait for pid; pass on signals sent to apsim (the terminal's own
 * SIGINT/SIGQUIT already reach the command: not passed twice). */
static int wait_child(pid_t pid, const sigset_t *set)
{
	siginfo_t si;
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return 1;
		if (sigwaitinfo(set, &si) < 0)
			continue;
		if (si.si_signo == SIGCHLD)
			continue;
		if ((si.si_signo != SIGINT && si.si_signo != SIGQUIT) ||
		    si.si_code == SI_USER || si.si_code == SI_QUEUE)
			kill(pid, si.si_signo);
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

int apsim_ns_exec(const struct apsim_opts *opts, char *const argv[])
{
	struct apsim_opts oo = *opts, *o = &oo;
	struct apsim_topology topo = {0};
	struct ns ns = {0};
	struct apv_host *host = NULL;
	struct apsim_fs *fs = NULL;
	struct apsim_ctl *ctl = NULL;
	sigset_t set, old;
	int rc, status = 1;
	pid_t pid;
	bool userns = need_userns();

	if (userns && o->dev) {
		fputs("apsim: --dev needs root: a user namespace may not "
		      "create device nodes\n",
		      stderr);
		return 1;
	}
	if (fuse_preflight())
		return 1;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	pthread_sigmask(SIG_BLOCK, &set, &old);

	/* both fork or unshare: before the host's threads */
	if (scratch_new(ns.scratch, sizeof(ns.scratch)))
		return 1;
	ns.scratch_made = true;
	if (userns && enter_userns())
		goto out;
	if (apsim_udev_new(&o->udev)) {
		fputs("apsim: out of memory\n", stderr);
		goto out;
	}
	if (apsim_boot(o, &topo, &host))
		goto out;
	if (apsim_start_workers(o, host))
		goto out;
	if (ns_setup(&ns, o))
		goto out;
	/* in the new network namespace; --host-net: netlink only when
	 * asked (the machine's listeners would hear it) */
	if (apsim_udev_start(o->udev, !o->host_net || o->udev_events))
		goto out;
	rc = apsim_fs_start(host, ns.mnt, &fs);
	if (rc) {
		fprintf(stderr, "apsim: cannot mount the tree on %s: %s\n",
			ns.mnt, strerror(-rc));
		goto out;
	}
	if (bind_sys(&ns))
		goto out;
	/* after the FUSE mount, which needs the real /dev/fuse */
	if (o->dev) {
		if (private_dev(ns.scratch))
			goto out;
		devnodes.host = host;
		devnodes_sync(&devnodes);
		apsim_fs_on_zcdn_change(fs, devnodes_sync, &devnodes);
	}
	rc = apsim_ctl_start(host, ns.sock, &ctl);
	if (rc) {
		fprintf(stderr, "apsim: cannot listen on %s: %s\n", ns.sock,
			strerror(-rc));
		goto out;
	}
	fflush(NULL);
	pid = spawn(argv, &old, ns.sock);
	if (pid < 0) {
		fprintf(stderr, "apsim: fork: %s\n", strerror(errno));
		goto out;
	}
	status = wait_child(pid, &set);
out:
	apsim_ctl_stop(ctl);
	ns_teardown(&ns);
	apsim_fs_stop(fs);
	ns_cleanup(&ns);
	apv_host_free(host);
	apsim_udev_free(o->udev);
	apsim_topology_fini(&topo);
	free(devnodes.names);
	devnodes.names = NULL;
	devnodes.n = 0;
	return status;
}
