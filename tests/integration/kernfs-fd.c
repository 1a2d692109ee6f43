// SPDX-License-Identifier: MIT
/*
 * kernfs-fd: an open file outlives its object (tests/integration/kernfs.sh).
 *
 *     kernfs-fd PATH r|w|rw DATA CMD
 *
 * opens PATH (O_RDONLY, O_WRONLY or O_RDWR), checks that the open file
 * works (a read, or a write of DATA), runs CMD with sh -c (which removes
 * the object and creates another one under the same name), then tries the
 * old descriptor again and prints one line: "before=OK after_write=ENODEV
 * after_read=ENODEV" (fields for the modes asked; errno names, or OK).
 * Exit 0 unless PATH cannot be opened or CMD fails (status 2).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *res(ssize_t rc)
{
	return rc >= 0 ? "OK" : strerrorname_np(errno);
}

static ssize_t try_read(int fd)
{
	char buf[4096];

	return pread(fd, buf, sizeof(buf), 0);
}

int main(int argc, char **argv)
{
	int fd, flags;
	bool r, w;
	ssize_t before;

	if (argc != 5) {
		fprintf(stderr, "usage: kernfs-fd PATH r|w|rw DATA CMD\n");
		return 2;
	}
	r = strchr(argv[2], 'r') != NULL;
	w = strchr(argv[2], 'w') != NULL;
	flags = r && w ? O_RDWR : w ? O_WRONLY : O_RDONLY;
	fd = open(argv[1], flags);
	if (fd < 0) {
		fprintf(stderr, "kernfs-fd: %s: %s\n", argv[1],
			strerror(errno));
		return 2;
	}
	before = w ? write(fd, argv[3], strlen(argv[3])) : try_read(fd);
	printf("before=%s", res(before));
	fflush(stdout);
	if (system(argv[4]) != 0) {
		fprintf(stderr, "kernfs-fd: the command failed: %s\n", argv[4]);
		return 2;
	}
	if (w)
		printf(" after_write=%s",
		       res(write(fd, argv[3], strlen(argv[3]))));
	if (r)
		printf(" after_read=%s", res(try_read(fd)));
	printf("\n");
	close(fd);
	return 0;
}
