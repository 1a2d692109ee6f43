// SPDX-License-Identifier: MIT
/* apctl: the sysfs and configuration access layer (sysfs.h). */
#include "sysfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *sys_root = "/sys";
static const char *cfg_root = "/etc";

void ctl_set_roots(const char *sysfs_root, const char *config_root)
{
	if (sysfs_root)
		sys_root = sysfs_root;
	if (config_root)
		cfg_root = config_root;
}

static void oom(void)
{
	fputs("apctl: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);

	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		oom();
	return q;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		oom();
	return p;
}

static char *xvasprintf(const char *fmt, va_list ap)
	__attribute__((format(printf, 1, 0)));

static char *xvasprintf(const char *fmt, va_list ap)
{
	char *p;

	if (vasprintf(&p, fmt, ap) < 0)
		oom();
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

static char *rooted(const char *root, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static char *rooted(const char *root, const char *fmt, va_list ap)
{
	char *rel = xvasprintf(fmt, ap);
	char *p = xasprintf("%s/%s", root, rel);

	free(rel);
	return p;
}

char *ctl_sys_path(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = rooted(sys_root, fmt, ap);
	va_end(ap);
	return p;
}

char *ctl_cfg_path(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = rooted(cfg_root, fmt, ap);
	va_end(ap);
	return p;
}

static int read_fd(int fd, char **out);

int ctl_read_bytes(const char *path, char **out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	return read_fd(fd, out);
}

int ctl_read_regular(const char *path, char **out)
{
	struct stat st;
	int fd;

	/* O_NONBLOCK: opening a FIFO without a writer returns at once (it
	 * would block for ever otherwise); fstat() then refuses it.  A
	 * symlink is followed, as mdevctl reads through one. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		int e = errno;

		close(fd);
		return -e;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return -EMEDIUMTYPE;
	}
	return read_fd(fd, out);
}

const char *ctl_file_type(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return lstat(path, &st) ? NULL : "a dangling symlink";
	if (S_ISREG(st.st_mode))
		return NULL;
	if (S_ISDIR(st.st_mode))
		return "a directory";
	if (S_ISFIFO(st.st_mode))
		return "a FIFO";
	if (S_ISSOCK(st.st_mode))
		return "a socket";
	if (S_ISCHR(st.st_mode))
		return "a character device";
	if (S_ISBLK(st.st_mode))
		return "a block device";
	return "not a file";
}

static int read_fd(int fd, char **out)
{
	size_t len = 0, cap = 4096;
	char *buf;
	ssize_t n;

	buf = xmalloc(cap + 1);
	for (;;) {
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			int e = errno;

			if (e == EINTR)
				continue;
			free(buf);
			close(fd);
			return -e;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == cap) {
			cap *= 2;
			buf = xrealloc(buf, cap + 1);
		}
	}
	close(fd);
	buf[len] = '\0';
	*out = buf;
	return 0;
}

int ctl_read_file(const char *path, char **out)
{
	int r = ctl_read_bytes(path, out);
	size_t len;

	if (r)
		return r;
	len = strlen(*out);
	while (len && (*out)[len - 1] == '\n')
		len--;
	(*out)[len] = '\0';
	return 0;
}

int ctl_write_file(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd, e = 0;

	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n < 0)
		e = -errno;
	else if ((size_t)n != len)
		e = -EIO;
	if (close(fd) && !e)
		e = -errno;
	return e;
}

int ctl_link_base(const char *path, char **out)
{
	char buf[PATH_MAX];
	const char *slash;
	ssize_t n;

	n = readlink(path, buf, sizeof(buf) - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	*out = xstrdup(slash ? slash + 1 : buf);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int ctl_list_dir(const char *path, bool (*keep)(const char *name),
		 char ***names)
{
	size_t n = 0, cap = 16;
	struct dirent *de;
	char **v;
	DIR *d;

	d = opendir(path);
	if (!d)
		return -errno;
	v = xcalloc(cap, sizeof(*v));
	while ((de = readdir(d))) {
		if (keep ? !keep(de->d_name) : de->d_name[0] == '.')
			continue;
		if (n + 1 >= cap) {
			cap *= 2;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	v[n] = NULL;
	qsort(v, n, sizeof(*v), cmp_str);
	*names = v;
	return (int)n;
}

void ctl_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

/* ---- test points ------------------------------------------------------- */

static long env_num(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? strtol(v, NULL, 10) : 0;
}

int ctl_test_point(void)
{
	static long n;
	const char *run = getenv("APCTL_TEST_RUN_AT");

	n++;
	if (env_num("APCTL_TEST_CRASH_AT") == n) {
		fflush(stdout);
		raise(SIGKILL);
	}
	if (run && strtol(run, NULL, 10) == n && strchr(run, ':')) {
		fflush(stdout);
		if (system(strchr(run, ':') + 1) == -1)
			perror("apctl: APCTL_TEST_RUN_AT");
	}
	return env_num("APCTL_TEST_FAIL_AT") == n ? -EIO : 0;
}

/* ---- atomic files ---------------------------------------------------------- */

static int mkdirs(const char *path)
{
	char *p = xstrdup(path);
	int e = 0;

	for (char *s = p + 1; *s && !e; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) && errno != EEXIST)
			e = -errno;
		*s = '/';
	}
	free(p);
	return e;
}

static int write_all(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t n = write(fd, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

int ctl_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r = 0;

	if (fd < 0 || fsync(fd))
		r = -errno;
	if (fd >= 0)
		close(fd);
	return r;
}

int ctl_write_atomic(const char *path, const char *data, unsigned int flags)
{
	const bool points = flags & CTL_ATOMIC_TEST_POINTS;
	const char *slash = strrchr(path, '/');
	char *dir = slash ? xasprintf("%.*s", (int)(slash - path), path) :
			    xstrdup(".");
	char *tmp = xasprintf("%s/.%s.XXXXXX", dir, slash ? slash + 1 : path);
	int fd = -1, r = points ? ctl_test_point() : 0;

	if (!r)
		r = mkdirs(path);
	if (r)
		goto out;
	fd = mkstemp(tmp);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	if (fchmod(fd, 0644) || (r = write_all(fd, data, strlen(data))) ||
	    fsync(fd) || (points && (r = ctl_test_point()))) {
		r = r ? r : -errno;
		unlink(tmp);
		goto out;
	}
	r = close(fd) ? -errno : 0;
	fd = -1;
	if (!r && rename(tmp, path))
		r = -errno;
	if (r) {
		unlink(tmp);
		goto out;
	}
	r = ctl_fsync_dir(dir);
	if (!r && points)
		r = ctl_test_point();
out:
	if (fd >= 0)
		close(fd);
	free(tmp);
	free(dir);
	return r;
}
