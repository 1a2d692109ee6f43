// SPDX-License-Identifier: MIT
/*
 * The adapters at work: requests become replies, either synchronously at
 * NQAP time (no workers, the default; the engine runs under host->lock)
 * or on worker threads (apv_host_set_workers).
 *
 * Workers share one host-wide run queue of machine queues that have
 * requests waiting.  A worker takes a queue from its head, detaches that
 * queue's oldest request under host->lock (the entry stays occupied:
 * hq->inflight), calls the engine with no lock held, then retakes
 * host->lock and posts the reply only if the queue's epoch is unchanged
 * and the queue is still in the configuration; a reset in between (which
 * bumps the epoch) or the adapter's removal drops it.  A queue is never
 * on the run queue while one of its requests is in an engine, so a
 * queue's requests are answered one at a time, in order; when a reply is
 * posted and more requests wait, the queue goes to the tail of the run
 * queue (round-robin between queues).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <apvirt/engine.h>

#include "../host_int.h"
#include "machine.h"

/* One request detached from its queue, with what the engine needs. */
struct hw_job {
	struct apv_ap_msg *rq;
	struct apv_engine_request er;
	struct apv_engine_ops ops;
	size_t max;
	uint64_t epoch;
};

static void runq_push(struct apv_hw_workers *wk, struct apv_hw_queue *hq)
{
	if (hq->on_runq)
		return;
	hq->on_runq = true;
	hq->runq_next = NULL;
	*wk->runq_tail = hq;
	wk->runq_tail = &hq->runq_next;
}

static struct apv_hw_queue *runq_pop(struct apv_hw_workers *wk)
{
	struct apv_hw_queue *hq = wk->runq;

	if (!hq)
		return NULL;
	wk->runq = hq->runq_next;
	if (!wk->runq)
		wk->runq_tail = &wk->runq;
	hq->runq_next = NULL;
	hq->on_runq = false;
	return hq;
}

/* Detach the oldest request of hq (which has one) into job. */
static void job_take_locked(struct apv_host *host, struct apv_hw_queue *hq,
			    struct hw_job *job)
{
	const struct apv_hw_adapter *ad = &host->hw.ad[apv_apqn_apid(hq->apqn)];
	struct apv_ap_msg *rq = apv_hw_msg_pop(&hq->req, &hq->req_tail);

	apv_assert_locked(host);
	hq->nreq--;
	job->rq = rq;
	job->ops = host->engine;
	job->max = apv_hw_max_msg(ad);
	job->epoch = hq->epoch;
	job->er = (struct apv_engine_request){
		.apqn = hq->apqn,
		.type = ad->spec.type,
		.mode = (int)ad->spec.mode,
		.functions = apv_hw_functions(host, ad),
		.psmid = rq->psmid,
		.special = rq->special,
		.msg = rq->data,
		.len = rq->len,
	};
}

/*
 * Let the engine answer; returns the reply, or NULL when memory runs out
 * (the entry is then lost: its owner sees it only through a reset).
 */
static struct apv_ap_msg *job_run(struct hw_job *job)
{
	struct apv_ap_msg *rp = malloc(sizeof(*rp) + job->max), *small;
	size_t len = 0;
	int rc;

	if (!rp)
		return NULL;
	if (job->ops.process)
		rc = job->ops.process(job->ops.opaque, &job->er, rp->data,
				      job->max, &len);
	else
		rc = apv_engine_cex(NULL, &job->er, rp->data, job->max, &len);
	if (rc || len == 0 || len > job->max)
		apv_hw_error_reply(rp->data, &len, APV_REP82_MACHINE_FAILURE);
	/* keep only what the reply needs */
	small = realloc(rp, sizeof(*rp) + len);
	if (small)
		rp = small;
	rp->psmid = job->rq->psmid;
	rp->special = job->rq->special;
	rp->len = len;
	rp->off = 0;
	return rp;
}

/*
 * Post the reply of a job whose engine has returned, unless the queue was
 * reset (epoch) or left the configuration meanwhile.  Returns true when
 * the job still belonged to the queue (its entry is free again).
 */
static bool job_post_locked(struct apv_host *host, struct apv_hw_queue *hq,
			    struct hw_job *job, struct apv_ap_msg *rp)
{
	apv_assert_locked(host);
	free(job->rq);
	job->rq = NULL;
	if (job->epoch != hq->epoch) {
		/* reset meanwhile: the entry is no longer this job's */
		free(rp);
		return false;
	}
	hq->inflight = 0;
	if (!rp || !apv_hw_available(host, hq->apqn)) {
		free(rp);
		return true;
	}
	apv_hw_msg_append(&hq->rep, &hq->rep_tail, rp);
	hq->nrep++;
	apv_hw_notify_locked(host, hq);
	return true;
}

/* Answer every request of hq now, engine called under host->lock. */
static void hw_run_sync_locked(struct apv_host *host, struct apv_hw_queue *hq)
{
	apv_assert_locked(host);
	while (hq->req && !hq->inflight) {
		struct hw_job job;

		job_take_locked(host, hq, &job);
		hq->inflight = 1;
		job_post_locked(host, hq, &job, job_run(&job));
	}
}

/* Without workers: answer whatever the run queue still holds. */
static void hw_run_all_sync_locked(struct apv_host *host)
{
	struct apv_hw_queue *hq;

	apv_assert_locked(host);
	while ((hq = runq_pop(&host->wk)))
		hw_run_sync_locked(host, hq);
}

static bool hw_idle(const struct apv_hw_workers *wk)
{
	return !wk->runq && !wk->active;
}

void apv_hw_schedule_locked(struct apv_host *host, struct apv_hw_queue *hq)
{
	struct apv_hw_workers *wk = &host->wk;

	apv_assert_locked(host);
	if (!hq->req)
		return;
	if (!wk->n) {
		hw_run_sync_locked(host, hq);
		return;
	}
	/* a queue with a request in an engine comes back when it is done */
	if (hq->inflight)
		return;
	runq_push(wk, hq);
	pthread_cond_signal(&wk->work);
}

static void *hw_worker_main(void *arg)
{
	struct apv_host *host = arg;
	struct apv_hw_workers *wk = &host->wk;

	apv_lock(host);
	while (!wk->stop) {
		struct apv_hw_queue *hq = runq_pop(wk);
		struct apv_ap_msg *rp;
		struct hw_job job;

		if (!hq) {
			(void)apv_lock_wait(host, &wk->work, NULL);
			continue;
		}
		/* reset since it was queued, or already in an engine */
		if (!hq->req || hq->inflight) {
			if (hw_idle(wk))
				pthread_cond_broadcast(&wk->idle);
			continue;
		}
		job_take_locked(host, hq, &job);
		hq->inflight = 1;
		wk->active++;
		apv_unlock(host);

		rp = job_run(&job);

		apv_lock(host);
		wk->active--;
		if (job_post_locked(host, hq, &job, rp) && hq->req) {
			runq_push(wk, hq);
			pthread_cond_signal(&wk->work);
		}
		if (hw_idle(wk))
			pthread_cond_broadcast(&wk->idle);
	}
	apv_unlock(host);
	return NULL;
}

int apv_hw_workers_init(struct apv_host *host)
{
	struct apv_hw_workers *wk = &host->wk;
	pthread_condattr_t attr;
	int rc;

	memset(wk, 0, sizeof(*wk));
	wk->runq_tail = &wk->runq;
	rc = pthread_mutex_init(&wk->cfg, NULL);
	if (rc)
		return -rc;
	rc = pthread_cond_init(&wk->work, NULL);
	if (rc)
		goto err_cfg;
	rc = pthread_condattr_init(&attr);
	if (rc)
		goto err_work;
	rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (!rc)
		rc = pthread_cond_init(&wk->idle, &attr);
	pthread_condattr_destroy(&attr);
	if (rc)
		goto err_work;
	return 0;
err_work:
	pthread_cond_destroy(&wk->work);
err_cfg:
	pthread_mutex_destroy(&wk->cfg);
	return -rc;
}

/*
 * Stop and join the running workers (wk->cfg held, host->lock not held on
 * entry).  Returns with host->lock held and no worker running; queued
 * requests stay queued.
 */
static void hw_workers_join(struct apv_host *host)
{
	struct apv_hw_workers *wk = &host->wk;
	unsigned int n;

	apv_lock(host);
	n = wk->n;
	if (!n)
		return;
	wk->stop = true;
	pthread_cond_broadcast(&wk->work);
	apv_unlock(host);
	for (unsigned int i = 0; i < n; i++)
		pthread_join(wk->tid[i], NULL);
	apv_lock(host);
	wk->stop = false;
	wk->n = 0;
}

void apv_hw_workers_fini(struct apv_host *host)
{
	struct apv_hw_workers *wk = &host->wk;

	pthread_mutex_lock(&wk->cfg);
	hw_workers_join(host);
	apv_unlock(host);
	pthread_mutex_unlock(&wk->cfg);
	pthread_cond_destroy(&wk->idle);
	pthread_cond_destroy(&wk->work);
	pthread_mutex_destroy(&wk->cfg);
}

int apv_host_set_workers(struct apv_host *host, unsigned int n)
{
	struct apv_hw_workers *wk = &host->wk;
	int rc = 0;

	if (n > APV_MAX_WORKERS)
		return -EINVAL;
	pthread_mutex_lock(&wk->cfg);
	hw_workers_join(host);
	/* the new threads wait for host->lock; wk->n counts those that exist */
	for (unsigned int i = 0; i < n; i++) {
		rc = pthread_create(&wk->tid[i], NULL, hw_worker_main, host);
		if (rc)
			break;
		wk->n = i + 1;
	}
	if (rc) {
		/* all or nothing */
		apv_unlock(host);
		hw_workers_join(host);
	}
	if (!wk->n) {
		/* synchronous from here on: what is still queued is answered */
		hw_run_all_sync_locked(host);
		pthread_cond_broadcast(&wk->idle);
	} else if (wk->runq) {
		pthread_cond_broadcast(&wk->work);
	}
	apv_unlock(host);
	pthread_mutex_unlock(&wk->cfg);
	return -rc;
}

unsigned int apv_host_workers(struct apv_host *host)
{
	unsigned int n;

	apv_lock(host);
	n = host->wk.n;
	apv_unlock(host);
	return n;
}

int apv_host_drain(struct apv_host *host, int timeout_ms)
{
	struct apv_hw_workers *wk = &host->wk;
	struct timespec dl;
	int rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &dl);
	if (timeout_ms >= 0) {
		dl.tv_sec += timeout_ms / 1000;
		dl.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
		if (dl.tv_nsec >= 1000000000L) {
			dl.tv_sec++;
			dl.tv_nsec -= 1000000000L;
		}
	}
	apv_lock(host);
	if (!wk->n)
		hw_run_all_sync_locked(host);
	while (!hw_idle(wk) && rc != ETIMEDOUT) {
		rc = apv_lock_wait(host, &wk->idle,
				   timeout_ms < 0 ? NULL : &dl);
	}
	rc = hw_idle(wk) ? 0 : -ETIMEDOUT;
	apv_unlock(host);
	return rc;
}
