// SPDX-License-Identifier: MIT
/*
 * apctl release UUID|NAME [--timeout SECONDS]: remove an mdev without
 * throwing work away unnoticed.
 *
 *  1. Wait, at most SECONDS (default 30), until every queue of the mdev's
 *     matrix that is bound to vfio_ap reads requestq_count and
 *     pendingq_count 0.  The guest still holds the queues meanwhile: the
 *     kernel resets (zeroizes) a queue when it leaves the guest, so the
 *     wait must come first.
 *  2. Stop new work: unassign every adapter (one ap_config write where the
 *     kernel has it, else one unassign_adapter each).  This hot-unplugs
 *     the queues from the guest, which can no longer enqueue, and the
 *     kernel resets them: what was still in flight is discarded.
 *  3. Remove the mdev.
 *
 * A guest that has the mdev open must let go before the mdev can go: on a
 * kernel that cannot ask it to (no request interrupt, 6.1) release refuses
 * (EBUSY, rule guest-attached) before it changes anything, rather than
 * block in the remove.
 *
 * The report names each queue and what was still in flight when the wait
 * ended.  Linux's vfio_ap-bound queues are never driven by the AP bus, so
 * their counters read 0 there (vfio-ap-semantics.md §1.5) and the wait ends
 * at once; a counter that is unreadable or "-" counts as unknown (null).
 * On a simulated host ($APSIM_SOCKET set, sysfs at /sys, apsim answering)
 * the machine knows better: apsim's guest.queue gives each queue's
 * requests not yet answered plus replies waiting for DQAP
 * (apsim_probe.h), and those are what the wait counts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apsim_probe.h"
#include "queues.h"

#define POLL_MS 100

struct rq {
	char apqn[8];
	long in_flight; /* -1: unknown */
};

static long counter(const char *apqn, const char *attr)
{
	char *v = ctl_queue_attr(apqn, attr), *end;
	long n;

	if (!v)
		return -1;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < 0)
		n = -1;
	free(v);
	return n;
}

static long in_flight(struct ctl_apsim *sim, const char *apqn)
{
	long rq, pq;

	if (sim)
		return ctl_apsim_in_flight(sim, apqn);
	rq = counter(apqn, "requestq_count");
	pq = counter(apqn, "pendingq_count");
	return rq < 0 || pq < 0 ? -1 : rq + pq;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Poll until every queue is idle or TIMEOUT seconds passed. */
static long drain(struct ctl_apsim *sim, struct rq *qs, size_t n,
		  double timeout, bool *timed_out)
{
	double end = now() + timeout;

	for (;;) {
		long total = 0;

		for (size_t i = 0; i < n; i++) {
			qs[i].in_flight = in_flight(sim, qs[i].apqn);
			if (qs[i].in_flight > 0)
				total += qs[i].in_flight;
		}
		*timed_out = total && now() >= end;
		if (!total || *timed_out)
			return total;
		nanosleep(&(struct timespec){0, POLL_MS * 1000000L}, NULL);
	}
}

static int unplug(const char *uuid, const struct apv_bitmap *apm)
{
	int r = 0;

	if (ctl_has_ap_config())
		return ctl_mdev_write(uuid, "ap_config", ",,\n");
	for (unsigned int ap = 0; ap < APV_MAX_IDS && !r; ap++) {
		char v[8];

		if (!apv_bm_test(apm, ap))
			continue;
		snprintf(v, sizeof(v), "0x%x", ap);
		r = ctl_mdev_write(uuid, "unassign_adapter", v);
	}
	return r;
}

static int parse_timeout(const struct args *a, double *t, struct ctl_err *e)
{
	const char *s = a->val[OPT_TIMEOUT];
	char *end;
	unsigned long v;

	*t = 30;
	if (!a->set[OPT_TIMEOUT])
		return 0;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *s == '-' || *s == '+' || *end || errno || v > 86400) {
		e->exit_code = 2;
		return ctl_fail(e, 0,
				"--timeout '%s': not a number of seconds "
				"0..86400",
				s);
	}
	*t = (double)v;
	return 0;
}

int cmd_release(const struct args *a, json_t **out, struct ctl_err *e)
{
	struct ctl_mdev_view m = {0};
	struct ctl_apsim *sim;
	struct rq *qs = NULL;
	size_t n = 0;
	bool timed_out = false, simulated;
	json_t *list;
	double timeout;
	long total;
	int r;

	if (parse_timeout(a, &timeout, e))
		return -1;
	if (ctl_resolve_uuid(a->operand, m.uuid, e))
		return -1;
	if (!ctl_mdev_active(m.uuid))
		return ctl_fail(e, ENODEV, "mdev %s: not active", m.uuid);
	if (ctl_mdev_read_matrix(m.uuid, "matrix", &m.apm, &m.aqm) == -ENODEV)
		return ctl_fail(e, EIO, "mdev %s: cannot read its matrix",
				m.uuid);
	if (ctl_remove_check_guest(&m, &m.guest, e))
		return -1;
	for (unsigned int ap = 0; ap < APV_MAX_IDS; ap++)
		for (unsigned int d = 0; d < APV_MAX_IDS; d++) {
			char apqn[8], *drv = NULL, *p;

			if (!ctl_mdev_view_holds(&m, ap, d))
				continue;
			snprintf(apqn, sizeof(apqn), "%02x.%04x", ap, d);
			p = ctl_sys_path("devices/ap/card%02x/%s/driver", ap,
					 apqn);
			if (!ctl_link_base(p, &drv) &&
			    !strcmp(drv, "vfio_ap")) {
				qs = xrealloc(qs, (n + 1) * sizeof(*qs));
				memcpy(qs[n].apqn, apqn, sizeof(apqn));
				qs[n++].in_flight = 0;
			}
			free(drv);
			free(p);
		}
	sim = ctl_apsim_open();
	simulated = sim != NULL;
	total = drain(sim, qs, n, timeout, &timed_out);
	ctl_apsim_close(sim);
	r = unplug(m.uuid, &m.apm);
	if (r) {
		free(qs);
		return ctl_fail(e, -r,
				"mdev %s: cannot unassign its adapters: %s",
				m.uuid, strerror(-r));
	}
	r = ctl_mdev_write(m.uuid, "remove", "1");
	if (r) {
		free(qs);
		return ctl_fail(e, -r, "mdev %s: cannot remove: %s", m.uuid,
				strerror(-r));
	}
	list = json_array();
	if (!a->json)
		printf("in flight: %s\n",
		       simulated ? "apsim's machine queues (simulated host)" :
				   "sysfs requestq_count + pendingq_count");
	for (size_t i = 0; i < n; i++) {
		json_array_append_new(
			list,
			json_pack("{s:s,s:o}", "apqn", qs[i].apqn, "in_flight",
				  qs[i].in_flight < 0 ?
					  json_null() :
					  json_integer(qs[i].in_flight)));
		if (a->json)
			continue;
		if (qs[i].in_flight < 0)
			printf("%s unknown (no counters)\n", qs[i].apqn);
		else if (qs[i].in_flight)
			printf("%s %ld in flight, discarded\n", qs[i].apqn,
			       qs[i].in_flight);
		else
			printf("%s idle\n", qs[i].apqn);
	}
	if (!a->json)
		printf("mdev %s: %s%s, removed\n", m.uuid,
		       timed_out ? "timed out, " : "",
		       m.guest ? "unplugged from its guest" : "unassigned");
	*out = json_pack("{s:s,s:b,s:b,s:I,s:s,s:o,s:b}", "uuid", m.uuid,
			 "guest", m.guest, "timed_out", timed_out, "in_flight",
			 (json_int_t)total, "source",
			 simulated ? "apsim" : "sysfs", "queues", list,
			 "removed", 1);
	if (timed_out)
		e->exit_code = 3;
	free(qs);
	return 0;
}
