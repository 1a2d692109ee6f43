/* SPDX-License-Identifier: MIT */
/*
 * The model lock, host->lock: a leaf of the library (it calls nothing of the
 * model).  The public lock order is stated in include/apvirt/host.h
 * ("Locking"); in short, outermost first:
 *
 *   1. host->lock     this lock: the whole model (machine, AP bus, vfio_ap,
 *                     guests' CRYCBs, log ring, device-event listener);
 *   2. nothing below it.  Engines run with no lock held; listener and
 *      notification callbacks run with host->lock held and must not call
 *      back into the library.
 *
 * Outside the chain, the worker pool's private mutex host->wk.cfg
 * (apv_host_set_workers, apv_host_free) is taken before host->lock, never
 * while holding it.
 *
 * Functions named *_locked expect host->lock held by the calling thread and
 * say so with apv_assert_locked(host) on their first line.  The owner is
 * tracked unless NDEBUG is defined: apv_lock() records the thread,
 * apv_unlock() clears it, and waits on a condition variable that release
 * the lock go through apv_lock_wait() so the owner is right across them
 * (mdev `remove` waiting on host->cond, the adapter workers waiting for
 * work, apv_host_drain waiting for idle).  The owner is the address of a
 * thread-local byte, so the check is one load and one compare inline in
 * the calling function.
 */
#ifndef APVIRT_LOCK_H
#define APVIRT_LOCK_H

#include <assert.h>
#include <pthread.h>
#include <stdbool.h>
#include <time.h>

struct apv_host;

struct apv_model_lock {
	pthread_mutex_t mutex;
#ifndef NDEBUG
	const char *owner; /* &apv_lock_self of the holder; NULL: free */
#endif
};

void apv_lock_init(struct apv_model_lock *l);
void apv_lock_destroy(struct apv_model_lock *l);

/* Take / release host->lock. */
void apv_lock(struct apv_host *host);
void apv_unlock(struct apv_host *host);

/*
 * Wait on cond, releasing host->lock while waiting (the caller holds it);
 * abstime NULL waits without a time limit.  Returns what
 * pthread_cond_(timed)wait returns.
 */
int apv_lock_wait(struct apv_host *host, pthread_cond_t *cond,
		  const struct timespec *abstime);

#ifndef NDEBUG
/* Its address names the calling thread (cheaper than pthread_self()). */
extern _Thread_local char apv_lock_self
	__attribute__((tls_model("initial-exec")));

/* The calling thread holds l. */
static inline bool apv_lock_owned(const struct apv_model_lock *l)
{
	return l->owner == &apv_lock_self;
}
#define apv_assert_locked(host) assert(apv_lock_owned(&(host)->lock))
#else
#define apv_assert_locked(host) ((void)0)
#endif

#endif /* APVIRT_LOCK_H */
