// SPDX-License-Identifier: MIT
/* apctl: the s390apconfig PID lock (lock.h). */
#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* The pid recorded in the lock file; 0 if none can be read. */
static pid_t lock_owner(void)
{
	char *v = NULL;
	long pid = 0;

	if (!ctl_read_file(ctl_lock_path(), &v))
		pid = strtol(v, NULL, 10);
	free(v);
	return pid > 0 ? (pid_t)pid : 0;
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

int ctl_lock_take(void)
{
	const struct timespec wait = {0, LOCK_WAIT_NS};
	char *tmp;
	int r = -EBUSY;

	if (held)
		return 0;
	/* The temporary name: the lock's, the pid (5 digits), 2 hex digits. */
	tmp = xasprintf("%s%05d%02x", ctl_lock_path(), (int)getpid() % 100000,
			(unsigned int)(time(NULL) & 0xff));
	for (int i = 0; i < LOCK_TRIES; i++) {
		pid_t owner;

		r = try_once(tmp);
		if (r != -EEXIST)
			break;
		owner = lock_owner();
		if (owner && kill(owner, 0) && errno == ESRCH) {
			/* Stale: its owner is gone. */
			unlink(ctl_lock_path());
			continue;
		}
		r = -EBUSY;
		nanosleep(&wait, NULL);
	}
	free(tmp);
	if (!r)
		held = true;
	return r;
}

void ctl_lock_release(void)
{
	if (!held)
		return;
	if (lock_owner() == getpid())
		unlink(ctl_lock_path());
	held = false;
}
