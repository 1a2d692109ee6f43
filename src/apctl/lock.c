// SPDX-License-Identifier: MIT
/* apctl: the s390apconfig PID lock (lock.h). */
#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sysfs.h"

#define LOCK_TRIES 3000
#define LOCK_WAIT_NS 30000000L /* 30 ms */

static char *lock_path;
static bool held;

void ctl_lock_set_root(const char *run_root)
{
	free(lock_path);
	lock_path = xasprintf("%s/lock/s390apconfig.lock",
			      run_root ? run_root : "/run");
}

const char *ctl_lock_path(void)
{
	if (!lock_path)
		ctl_lock_set_root(NULL);
	return lock_path;
}

/*
 * The lock file's holder: the PID it records (ap-check writes "<ppid>\n",
 * apctl "<pid>\n", both into a temporary file that is then link()ed to the
 * lock's name, so the lock never exists without its whole content).  0 if
 * the content is not a PID (empty, garbage, 0, negative); -1 if there is
 * no lock file.  *ino: the inode read.
 */
static pid_t lock_holder(ino_t *ino)
{
	char buf[40];
	struct stat st;
	ssize_t n;
	long pid;
	char *end;
	int fd;

	fd = open(ctl_lock_path(),
		  O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	if (fstat(fd, &st))
		st.st_ino = 0;
	close(fd);
	*ino = st.st_ino;
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if (buf[0] < '0' || buf[0] > '9')
		return 0;
	errno = 0;
	pid = strtol(buf, &end, 10);
	if (errno || (*end && strcmp(end, "\n")) || pid <= 0 || pid > INT_MAX)
		return 0;
	return (pid_t)pid;
}

/* kill(pid, 0) as ap-check's lock does: EPERM is alive too. */
static bool pid_alive(pid_t pid)
{
	return !kill(pid, 0) || errno != ESRCH;
}

/*
 * Remove a stale lock (inode ino) and only that one: it is renamed to a
 * private name first; if what was renamed is not the stale file (another
 * process replaced it meanwhile), it is linked back.
 */
static void take_over(ino_t ino)
{
	char *aside = xasprintf("%s.stale.%d", ctl_lock_path(), (int)getpid());
	struct stat st;

	if (!rename(ctl_lock_path(), aside)) {
		if (!stat(aside, &st) && st.st_ino != ino)
			(void)link(aside, ctl_lock_path());
		unlink(aside);
	}
	free(aside);
}

static int try_once(const char *tmp)
{
	char buf[32];
	int fd, e = 0;
	int len;

	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (write(fd, buf, (size_t)len) != len)
		e = errno ? -errno : -EIO;
	close(fd);
	if (!e && link(tmp, ctl_lock_path()))
		e = -errno;
	unlink(tmp);
	return e;
}

/* "PID 123 (mdevctl)": the holder's command from /proc (comm, else the
 * first word of cmdline); "PID 123" if /proc does not say. */
static char *holder_str(pid_t pid)
{
	char *path = xasprintf("/proc/%d/comm", (int)pid), *comm = NULL, *s;

	if (ctl_read_file(path, &comm) || !*comm) {
		free(comm);
		comm = NULL;
		free(path);
		path = xasprintf("/proc/%d/cmdline", (int)pid);
		if (ctl_read_file(path, &comm) || !*comm) {
			free(comm);
			comm = NULL;
		}
	}
	s = comm ? xasprintf("PID %d (%s)", (int)pid, comm) :
		   xasprintf("PID %d", (int)pid);
	free(comm);
	free(path);
	return s;
}

static int lock_tries(void)
{
	const char *v = getenv("APCTL_TEST_LOCK_TRIES"); /* test-only */
	long n = v && *v ? strtol(v, NULL, 10) : 0;

	return n > 0 && n < LOCK_TRIES ? (int)n : LOCK_TRIES;
}

int ctl_lock_take(char **holder)
{
	const struct timespec wait = {0, LOCK_WAIT_NS};
	const int tries = lock_tries();
	pid_t owner = 0;
	char *tmp;
	int r = -EBUSY;

	*holder = NULL;
	if (held)
		return 0;
	/* The temporary name: the lock's, the pid (5 digits), 2 hex digits. */
	tmp = xasprintf("%s%05d%02x", ctl_lock_path(), (int)getpid() % 100000,
			(unsigned int)(time(NULL) & 0xff));
	for (int i = 0; i < tries; i++) {
		ino_t ino = 0;

		r = try_once(tmp);
		if (r != -EEXIST)
			break;
		owner = lock_holder(&ino);
		if (owner < 0)
			continue; /* released meanwhile */
		if (!owner || !pid_alive(owner)) {
			/* Stale: no PID, or its process is gone.  (ap-check
			 * waits 120 s before it takes over a lock without a
			 * PID, for writers that create the file before they
			 * write it; neither it nor apctl is such a writer.) */
			take_over(ino);
			continue;
		}
		r = -EBUSY;
		nanosleep(&wait, NULL);
	}
	free(tmp);
	if (r == -EEXIST)
		r = -EBUSY; /* the last try lost a race for a stale lock */
	if (!r)
		held = true;
	else if (r == -EBUSY && owner > 0 && pid_alive(owner))
		*holder = holder_str(owner);
	return r;
}

void ctl_lock_release(void)
{
	if (!held)
		return;
	ino_t ino;

	if (lock_holder(&ino) == getpid())
		unlink(ctl_lock_path());
	held = false;
}
