/* SPDX-License-Identifier: MIT */
/*
 * The s390apconfig lock (ecosystem.md §2.4): the PID lock file that
 * s390-tools' ap-check and chzdev take around AP configuration changes.
 * apctl holds it, with its own pid, while it changes definitions or mdevs.
 */
#ifndef APCTL_LOCK_H
#define APCTL_LOCK_H

/* The lock file, "<run root>/lock/s390apconfig.lock" (default /run). */
void ctl_lock_set_root(const char *run_root);
const char *ctl_lock_path(void);

/*
 * Take the lock: up to 3000 tries ~30 ms apart.  A lock whose content is
 * not the PID of a live process (empty, garbage, a PID that no longer
 * exists) is stale and taken over at once.  0, -EBUSY (still held; *holder
 * is then "PID 123 (mdevctl)", malloc'ed, or NULL) or -errno.
 */
int ctl_lock_take(char **holder);
/* Release the lock if this process holds it. */
void ctl_lock_release(void);

#endif
