// SPDX-License-Identifier: MIT
/* The host's kernel log ring (what dmesg shows on a real host). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "host_int.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static struct apv_log_entry *log_push(struct apv_host *host,
				      enum apv_log_level level,
				      const char *device)
{
	struct apv_log_ring *r = &host->log;
	struct apv_log_entry *e;

	if (!r->e)
		return NULL;
	e = &r->e[(r->next_seq - 1) % APV_LOG_CAPACITY];
	memset(e, 0, sizeof(*e));
	e->seq = r->next_seq++;
	e->time_ns = now_ns();
	e->level = level;
	snprintf(e->device, sizeof(e->device), "%s", device ? device : "");
	return e;
}

void apv_log_locked(struct apv_host *host, enum apv_log_level level,
		    const char *device, const char *fmt, ...)
{
	struct apv_log_entry *e = log_push(host, level, device);
	va_list ap;

	apv_assert_locked(host);
	if (!e)
		return;
	va_start(ap, fmt);
	vsnprintf(e->text, sizeof(e->text), fmt, ap);
	va_end(ap);
}

void apv_log_reason_locked(struct apv_host *host, enum apv_log_level level,
			   const char *device, const struct apv_reason *r)
{
	struct apv_log_entry *e = log_push(host, level, device);

	apv_assert_locked(host);
	if (!e)
		return;
	snprintf(e->text, sizeof(e->text), "%s", r->msg);
	e->rule = r->rule;
	e->has_apqn = r->has_apqn;
	e->apqn = r->apqn;
	snprintf(e->owner, sizeof(e->owner), "%s", r->owner);
}

size_t apv_log_read(struct apv_host *host, uint64_t since,
		    struct apv_log_entry *out, size_t max)
{
	struct apv_log_ring *r;
	uint64_t first, seq;
	size_t n = 0;

	apv_lock(host);
	r = &host->log;
	first = r->next_seq > APV_LOG_CAPACITY ?
			r->next_seq - APV_LOG_CAPACITY : 1;
	seq = since + 1 > first ? since + 1 : first;
	for (; seq < r->next_seq && n < max; seq++)
		out[n++] = r->e[(seq - 1) % APV_LOG_CAPACITY];
	apv_unlock(host);
	return n;
}

uint64_t apv_log_last_seq(struct apv_host *host)
{
	uint64_t seq;

	apv_lock(host);
	seq = host->log.next_seq - 1;
	apv_unlock(host);
	return seq;
}
