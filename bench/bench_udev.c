// SPDX-License-Identifier: MIT
/*
 * udev events benchmark (issue 10, performance), ratios against a
 * baseline measured in the same run:
 *
 *   1. 4096 mdevs (create + assign_adapter + assign_domain +
 *      assign_control_domain each, one open/write/close per value) through
 *      `apsim run --udev-events` with a udev listener attached (a thread
 *      reading netlink group 2) against the same run without a listener,
 *      and against `apsim run` without netlink.  Goal <= 1.2x.
 *   2. delivery latency: from the return of write(2) to an mdev's
 *      `create` to the listener's receipt of that mdev's `add` (clamped at
 *      0 when the message was there first); p50/p99/max over 2000 mdevs.
 *      Goal p99 <= 1 ms.
 *   3. start-up of a rootless `apsim exec -- true` (setpriv to nobody),
 *      with and without the private network namespace (--host-net), and
 *      as root.  Goal <= 50 ms.
 *
 * Each figure: median of RUNS runs, with min..max (the spread).  The
 * benchmark runs in its own network namespace (unshare(CLONE_NEWNET)), so
 * the broadcasts of `apsim run --udev-events` reach nobody else.
 * Usage: bench_udev [--strict] APSIM.  Needs root and /dev/fuse (77).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RUNS 5
#define N_MDEVS 4096u
#define N_LAT 2000u
#define START_RUNS 15
#define GOAL_RATIO 1.2
#define GOAL_P99_MS 1.0
#define GOAL_START_MS 50.0
#define TYPE_DIR                                                               \
	"devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough"

static const char *apsim;
static char work[] = "/tmp/bench_udev.XXXXXX";
static char mnt[160], sock[160];
static pid_t sim_pid;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void sim_stop(void)
{
	if (sim_pid > 0) {
		kill(sim_pid, SIGTERM);
		waitpid(sim_pid, NULL, 0);
	}
	sim_pid = 0;
}

static void __attribute__((noreturn)) die(const char *what)
{
	fprintf(stderr, "bench_udev: %s: %s\n", what, strerror(errno));
	sim_stop();
	exit(2);
}

static void sim_start(bool udev)
{
	char probe[200];
	struct stat st;
	double t0 = now_ms();

	snprintf(probe, sizeof(probe), "%s/bus/ap/apmask", mnt);
	sim_pid = fork();
	if (sim_pid < 0)
		die("fork");
	if (sim_pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 2);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		execl(apsim, apsim, "run", "--preset", "default", "--mount",
		      mnt, "--socket", sock, udev ? "--udev-events" : NULL,
		      (char *)NULL);
		_exit(127);
	}
	while (stat(probe, &st)) {
		if (now_ms() - t0 > 30000)
			die("apsim run did not mount");
		usleep(200);
	}
}

static int put(const char *rel, const char *val)
{
	char p[400];
	int fd;
	ssize_t n;

	snprintf(p, sizeof(p), "%s/%s", mnt, rel);
	fd = open(p, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

static void uuid_of(unsigned int i, char *buf)
{
	sprintf(buf, "%08x-0000-4000-8000-%012x", 0xbe000000u + i, i);
}

/* ---- the listener thread ------------------------------------------------- */

struct listener {
	int fd;
	volatile bool stop;
	unsigned long n;
	double *add_at; /* receipt time of mdev i's add, or 0 */
	pthread_t th;
};

static int nl_open(void)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = 2};
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
			NETLINK_KOBJECT_UEVENT);
	int big = 8 << 20;

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		die("netlink");
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	return fd;
}

static void *listen_fn(void *arg)
{
	struct listener *l = arg;
	static char buf[4096];

	while (!l->stop) {
		struct pollfd p = {l->fd, POLLIN, 0};
		ssize_t n;

		if (poll(&p, 1, 50) <= 0)
			continue;
		n = recv(l->fd, buf, sizeof(buf) - 1, 0);
		if (n <= 40)
			continue;
		buf[n] = '\0';
		l->n++;
		if (l->add_at && !strcmp(buf + 40, "ACTION=add")) {
			/* DEVPATH=/devices/vfio_ap/matrix/be00xxxx-... */
			const char *d = buf + 40 + sizeof("ACTION=add");
			const char *u = strrchr(d, '/');
			unsigned int i;

			if (u && sscanf(u + 1, "be%06x-", &i) == 1 && i < N_LAT)
				l->add_at[i] = now_ms();
		}
	}
	return NULL;
}

static void listener_start(struct listener *l, double *add_at)
{
	memset(l, 0, sizeof(*l));
	l->fd = nl_open();
	l->add_at = add_at;
	if (pthread_create(&l->th, NULL, listen_fn, l))
		die("pthread_create");
}

static void listener_stop(struct listener *l)
{
	usleep(100000); /* the tail of the stream */
	l->stop = true;
	pthread_join(l->th, NULL);
	close(l->fd);
}

/* ---- 1: 4096 mdevs ---------------------------------------------------------- */

static double mdevs_run(void)
{
	char u[40], rel[200];
	double t0 = now_ms();

	for (unsigned int i = 0; i < N_MDEVS; i++) {
		uuid_of(i, u);
		if (put(TYPE_DIR "/create", u))
			die("create");
		snprintf(rel, sizeof(rel), "devices/vfio_ap/matrix/%s/", u);
		{
			static const char *const f[] = {
				"assign_adapter", "assign_domain",
				"assign_control_domain"};
			static const char *const v[] = {"0x04", "0x04", "0x04"};
			char p[240];

			for (int k = 0; k < 3; k++) {
				snprintf(p, sizeof(p), "%s%s", rel, f[k]);
				put(p,
				    v[k]); /* EBUSY past the first: same cost */
			}
		}
	}
	return now_ms() - t0;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct fig {
	double med, min, max;
};

static struct fig figure(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_d);
	return (struct fig){v[n / 2], v[0], v[n - 1]};
}

/* ---- 3: start-up ------------------------------------------------------------ */

static double start_once(bool rootless, bool host_net)
{
	double t0 = now_ms();
	pid_t p = fork();
	int st;

	if (p == 0) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 2);
		if (rootless)
			execlp("setpriv", "setpriv", "--reuid=65534",
			       "--regid=65534", "--clear-groups", apsim, "exec",
			       host_net ? "--host-net" : "--",
			       host_net ? "--" : "true",
			       host_net ? "true" : NULL, (char *)NULL);
		else
			execl(apsim, apsim, "exec",
			      host_net ? "--host-net" : "--",
			      host_net ? "--" : "true",
			      host_net ? "true" : NULL, (char *)NULL);
		_exit(127);
	}
	waitpid(p, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		return -1;
	return now_ms() - t0;
}

int main(int argc, char **argv)
{
	bool strict = argc > 2 && !strcmp(argv[1], "--strict");
	double off[RUNS], quiet[RUNS], heard[RUNS], lat[N_LAT], st[START_RUNS];
	static double add_at[N_LAT];
	struct fig f_off, f_quiet, f_heard, f;
	bool miss = false;
	char cmd[300];

	apsim = argv[argc - 1];
	if (argc < 2 || geteuid() != 0 || access("/dev/fuse", R_OK | W_OK)) {
		printf("bench_udev: needs root and /dev/fuse; skipped\n");
		return 77;
	}
	if (unshare(CLONE_NEWNET))
		die("unshare(CLONE_NEWNET)");
	if (!mkdtemp(work))
		die("mkdtemp");
	snprintf(mnt, sizeof(mnt), "%s/mnt", work);
	snprintf(sock, sizeof(sock), "%s/s.sock", work);
	mkdir(mnt, 0755);

	/* 1: the runs alternate so that machine noise hits every variant */
	for (int r = 0; r < RUNS; r++) {
		struct listener l;

		sim_start(false);
		off[r] = mdevs_run();
		sim_stop();
		sim_start(true);
		quiet[r] = mdevs_run();
		sim_stop();
		sim_start(true);
		listener_start(&l, NULL);
		heard[r] = mdevs_run();
		listener_stop(&l);
		sim_stop();
		if (l.n < N_MDEVS * 2)
			fprintf(stderr, "bench_udev: the listener heard %lu\n",
				l.n);
	}
	f_off = figure(off, RUNS);
	f_quiet = figure(quiet, RUNS);
	f_heard = figure(heard, RUNS);
	printf("1. 4096 mdevs (median of %d, min..max):\n", RUNS);
	printf("   no netlink           %8.1f ms  (%.1f..%.1f)\n", f_off.med,
	       f_off.min, f_off.max);
	printf("   netlink, no listener %8.1f ms  (%.1f..%.1f)\n", f_quiet.med,
	       f_quiet.min, f_quiet.max);
	printf("   netlink + listener   %8.1f ms  (%.1f..%.1f)\n", f_heard.med,
	       f_heard.min, f_heard.max);
	printf("   listener / none: %.2fx, listener / no netlink: %.2fx "
	       "(goal <= %.1fx)\n",
	       f_heard.med / f_quiet.med, f_heard.med / f_off.med, GOAL_RATIO);
	miss |= f_heard.med / f_quiet.med > GOAL_RATIO;

	/* 2: latency */
	{
		struct listener l;
		char u[40];
		size_t n = 0, early = 0;

		sim_start(true);
		listener_start(&l, add_at);
		usleep(50000);
		for (unsigned int i = 0; i < N_LAT; i++) {
			double t;

			uuid_of(i, u);
			if (put(TYPE_DIR "/create", u))
				die("create");
			t = now_ms();
			/* wait for it: one event in flight at a time */
			for (int k = 0; k < 2000 && !add_at[i]; k++)
				usleep(5);
			if (add_at[i]) {
				double d = add_at[i] - t;

				if (d < 0) {
					early++;
					d = 0;
				}
				lat[n++] = d;
			}
		}
		listener_stop(&l);
		sim_stop();
		if (n) {
			double p50, p99;

			qsort(lat, n, sizeof(*lat), cmp_d);
			p50 = lat[n / 2];
			p99 = lat[(n * 99) / 100];
			printf("2. delivery latency, write(2) return -> receipt "
			       "(%zu of %u, %zu there before the return):\n"
			       "   p50 %.3f ms, p99 %.3f ms, max %.3f ms "
			       "(goal p99 <= %.1f ms)\n",
			       n, N_LAT, early, p50, p99, lat[n - 1],
			       GOAL_P99_MS);
			miss |= p99 > GOAL_P99_MS;
		}
	}

	/* 3: start-up */
	{
		static const struct {
			const char *name;
			bool rootless, host_net;
		} v[] = {
			{"rootless", true, false},
			{"rootless --host-net", true, true},
			{"root", false, false},
		};

		printf("3. start-up of apsim exec -- true (median of %d, "
		       "min..max):\n",
		       START_RUNS);
		for (size_t k = 0; k < sizeof(v) / sizeof(*v); k++) {
			int ok = 0;

			for (int r = 0; r < START_RUNS; r++) {
				double t = start_once(v[k].rootless,
						      v[k].host_net);

				if (t >= 0)
					st[ok++] = t;
			}
			if (!ok) {
				printf("   %-20s failed\n", v[k].name);
				continue;
			}
			f = figure(st, (size_t)ok);
			printf("   %-20s %6.1f ms  (%.1f..%.1f)%s\n", v[k].name,
			       f.med, f.min, f.max,
			       k == 0 ? "  (goal <= 50 ms)" : "");
			if (k == 0)
				miss |= f.med > GOAL_START_MS;
		}
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", work);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_udev: could not remove %s\n", work);
	return strict && miss ? 1 : 0;
}
