// SPDX-License-Identifier: MIT
/*
 * sysfs-io: exact file-system calls for the integration tests, reporting
 * errno by name (a shell's `echo >` cannot tell EADDRINUSE from EBUSY).
 *
 *   sysfs-io write PATH VALUE     open(O_WRONLY|O_CREAT|O_TRUNC), one
 *                                 write(VALUE) as given, close
 *   sysfs-io writeln PATH VALUE   the same with "\n" appended
 *   sysfs-io read PATH [BUFSIZE]  read(2) until EOF in BUFSIZE chunks
 *                                 (default 4096), print the bytes
 *   sysfs-io open PATH r|w|rw [trunc|creat|excl]
 *                                 open with those flags and close
 *   sysfs-io readdir DIR          "name type" per entry from d_type
 *                                 (d, f, l, ?), without . and ..
 *   sysfs-io stat PATH            "<type> <octal mode> <size>" of lstat
 *
 * write/open print "OK" and exit 0, or print the errno name (EACCES,
 * EADDRINUSE, ...) and exit 1; a short write prints "SHORT <n>".  Other
 * commands print their result, or the errno name on stderr and exit 1.
 * Usage errors exit 2.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *ename(int e)
{
	const char *n = strerrorname_np(e);

	return n ? n : "E?";
}

static int usage(void)
{
	fputs("usage: sysfs-io write|writeln PATH VALUE\n"
	      "       sysfs-io read PATH [BUFSIZE]\n"
	      "       sysfs-io open PATH r|w|rw [trunc|creat|excl]\n"
	      "       sysfs-io readdir DIR\n"
	      "       sysfs-io stat PATH\n",
	      stderr);
	return 2;
}

static int report(int e)
{
	puts(e ? ename(e) : "OK");
	return e ? 1 : 0;
}

static int do_write(const char *path, const char *value, bool nl)
{
	size_t len = strlen(value);
	char *buf = malloc(len + 2);
	ssize_t n;
	int fd, e = 0;

	if (!buf)
		return report(ENOMEM);
	memcpy(buf, value, len + 1);
	if (nl)
		buf[len++] = '\n';
	buf[len] = '\0';
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		free(buf);
		return report(errno);
	}
	n = write(fd, buf, len);
	if (n < 0)
		e = errno;
	if (close(fd) && !e)
		e = errno;
	free(buf);
	if (!e && (size_t)n != len) {
		printf("SHORT %zd\n", n);
		return 1;
	}
	return report(e);
}

static int do_read(const char *path, const char *bufsize)
{
	size_t size = bufsize ? strtoul(bufsize, NULL, 0) : 4096;
	char *buf;
	ssize_t n;
	int fd;

	if (size == 0)
		return usage();
	buf = malloc(size);
	if (!buf)
		return 1;
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "%s\n", ename(errno));
		free(buf);
		return 1;
	}
	while ((n = read(fd, buf, size)) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	if (n < 0)
		fprintf(stderr, "%s\n", ename(errno));
	close(fd);
	free(buf);
	return n < 0 ? 1 : 0;
}

static int do_open(const char *path, const char *how, const char *extra)
{
	int flags, fd;

	if (!strcmp(how, "r"))
		flags = O_RDONLY;
	else if (!strcmp(how, "w"))
		flags = O_WRONLY;
	else if (!strcmp(how, "rw"))
		flags = O_RDWR;
	else
		return usage();
	if (extra && !strcmp(extra, "trunc"))
		flags |= O_TRUNC;
	else if (extra && !strcmp(extra, "creat"))
		flags |= O_CREAT | O_TRUNC;
	else if (extra && !strcmp(extra, "excl"))
		flags |= O_CREAT | O_EXCL;
	else if (extra)
		return usage();
	fd = open(path, flags, 0644);
	if (fd < 0)
		return report(errno);
	close(fd);
	return report(0);
}

static int do_readdir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;

	if (!d) {
		fprintf(stderr, "%s\n", ename(errno));
		return 1;
	}
	/* single-threaded; readdir_r is deprecated */
	// cppcheck-suppress readdirCalled
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		printf("%s %c\n", e->d_name,
		       e->d_type == DT_DIR ? 'd' :
		       e->d_type == DT_REG ? 'f' :
		       e->d_type == DT_LNK ? 'l' :
					     '?');
	}
	closedir(d);
	return 0;
}

static int do_stat(const char *path)
{
	struct stat st;

	if (lstat(path, &st)) {
		fprintf(stderr, "%s\n", ename(errno));
		return 1;
	}
	printf("%c %04o %lld\n",
	       S_ISDIR(st.st_mode) ? 'd' :
	       S_ISREG(st.st_mode) ? 'f' :
	       S_ISLNK(st.st_mode) ? 'l' :
	       S_ISCHR(st.st_mode) ? 'c' :
				     '?',
	       (unsigned int)(st.st_mode & 07777), (long long)st.st_size);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return usage();
	if (!strcmp(argv[1], "write") && argc == 4)
		return do_write(argv[2], argv[3], false);
	if (!strcmp(argv[1], "writeln") && argc == 4)
		return do_write(argv[2], argv[3], true);
	if (!strcmp(argv[1], "read") && argc <= 4)
		return do_read(argv[2], argc == 4 ? argv[3] : NULL);
	if (!strcmp(argv[1], "open") && (argc == 4 || argc == 5))
		return do_open(argv[2], argv[3], argc == 5 ? argv[4] : NULL);
	if (!strcmp(argv[1], "readdir") && argc == 3)
		return do_readdir(argv[2]);
	if (!strcmp(argv[1], "stat") && argc == 3)
		return do_stat(argv[2]);
	return usage();
}
