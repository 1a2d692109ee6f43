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
 */
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
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <apvirt/host.h>
#include <apvirt/zcdn.h>

#include "sim.h"

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
	static const char *const binds[] = {"/dev/null",   "/dev/zero",
					    "/dev/full",   "/dev/random",
					    "/dev/urandom", "/dev/tty"};
	static const char *const links[][2] = {
		{"fd", "/proc/self/fd"},	{"stdin", "/proc/self/fd/0"},
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

/* ---- the namespace ------------------------------------------------------ */

struct ns {
	char scratch[32];
	char mnt[64];
	char sock[PATH_MAX];
	bool scratch_made, scratch_mounted, sys_bound;
};

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

	if (unshare(CLONE_NEWNS)) {
		int e = errno;

		fprintf(stderr, "apsim: cannot create a mount namespace: %s%s\n",
			strerror(e), e == EPERM ? " (apsim exec needs root)" : "");
		return -e;
	}
	/* systemd makes / shared: keep every mount below in here */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return ns_fail("cannot make private", "/");

	snprintf(ns->scratch, sizeof(ns->scratch), "/tmp/apsim.XXXXXX");
	if (!mkdtemp(ns->scratch))
		return ns_fail("cannot create", "/tmp/apsim.XXXXXX");
	ns->scratch_made = true;
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
	     i++)
		if (scratch_over(private_dirs[i], false))
			return -1;
	for (size_t i = 0; i < sizeof(optional_dirs) / sizeof(*optional_dirs);
	     i++)
		if (scratch_over(optional_dirs[i], true))
			return -1;
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
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	setenv("APSIM_SOCKET", sock, 1);
	sigprocmask(SIG_SETMASK, old, NULL);
	execvp(argv[0], argv);
	fprintf(stderr, "apsim: cannot run %s: %s\n", argv[0],
		strerror(errno));
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

int apsim_ns_exec(const struct apsim_opts *o, char *const argv[])
{
	struct apsim_topology topo;
	struct ns ns = {0};
	struct apv_host *host = NULL;
	struct apsim_fs *fs = NULL;
	struct apsim_ctl *ctl = NULL;
	sigset_t set, old;
	int rc, status = 1;
	pid_t pid;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	pthread_sigmask(SIG_BLOCK, &set, &old);

	if (apsim_boot(o, &topo, &host))
		return 1;
	if (apsim_start_workers(o, host))
		goto out;
	if (ns_setup(&ns, o))
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
	apsim_topology_fini(&topo);
	free(devnodes.names);
	devnodes.names = NULL;
	devnodes.n = 0;
	return status;
}
