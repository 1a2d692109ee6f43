// SPDX-License-Identifier: MIT
/*
 * stall-probe: how long reads of the tree take (tests/integration/stall.sh).
 *
 *     stall-probe N PATH...
 *
 * reads every PATH N times, round robin (open, read, close: what `cat`
 * does), and prints "n=<reads> p50_us=<..> p90_us=<..> max_us=<..>".
 * Exit 1 if a read fails.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	char buf[4096];
	long long *t;
	int n, k = 0, total;

	if (argc < 3 || (n = atoi(argv[1])) <= 0) {
		fprintf(stderr, "usage: stall-probe N PATH...\n");
		return 2;
	}
	total = n * (argc - 2);
	t = calloc((size_t)total, sizeof(*t));
	if (!t)
		return 2;
	for (int i = 0; i < n; i++) {
		for (int a = 2; a < argc; a++) {
			long long t0 = now_us();
			int fd = open(argv[a], O_RDONLY);

			if (fd < 0 || read(fd, buf, sizeof(buf)) < 0) {
				perror(argv[a]);
				return 1;
			}
			close(fd);
			t[k++] = now_us() - t0;
		}
	}
	qsort(t, (size_t)total, sizeof(*t), cmp);
	printf("n=%d p50_us=%lld p90_us=%lld max_us=%lld\n", total,
	       t[total / 2], t[total * 9 / 10], t[total - 1]);
	free(t);
	return 0;
}
