// SPDX-License-Identifier: MIT
/* The model lock and its owner (lock.h states the order). */
#include "host_int.h"

#ifndef NDEBUG
_Thread_local char apv_lock_self;
#endif

void apv_lock_init(struct apv_model_lock *l)
{
	pthread_mutex_init(&l->mutex, NULL);
#ifndef NDEBUG
	l->owner = NULL;
#endif
}

void apv_lock_destroy(struct apv_model_lock *l)
{
	pthread_mutex_destroy(&l->mutex);
}

static inline void lock_taken(struct apv_model_lock *l)
{
#ifndef NDEBUG
	l->owner = &apv_lock_self;
#else
	(void)l;
#endif
}

static inline void lock_leaving(struct apv_model_lock *l)
{
#ifndef NDEBUG
	l->owner = NULL;
#else
	(void)l;
#endif
}

void apv_lock(struct apv_host *host)
{
	pthread_mutex_lock(&host->lock.mutex);
	lock_taken(&host->lock);
}

void apv_unlock(struct apv_host *host)
{
	lock_leaving(&host->lock);
	pthread_mutex_unlock(&host->lock.mutex);
}

int apv_lock_wait(struct apv_host *host, pthread_cond_t *cond,
		  const struct timespec *abstime)
{
	int rc;

	lock_leaving(&host->lock);
	if (abstime)
		rc = pthread_cond_timedwait(cond, &host->lock.mutex, abstime);
	else
		rc = pthread_cond_wait(cond, &host->lock.mutex);
	lock_taken(&host->lock);
	return rc;
}
