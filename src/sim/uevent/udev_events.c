// SPDX-License-Identifier: MIT
/*
 * The udev event ring and its sender thread (udev_events.h).
 *
 * The listener runs under host->lock: it reads the device's `uevent` keys
 * from the model (apv_devev_uevent; identical to the file), builds the
 * message straight into the ring slot and wakes the sender.  Devices that
 * are already gone when their unbind/remove is announced get the keys
 * they had last (a cache by DEVPATH, also holding USEC_INITIALIZED: the
 * time udevd first saw the device).
 */
#include <errno.h>
#include <linux/netlink.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <apvirt/devev.h>
#include <apvirt/strbuf.h>

#include "udev_events.h"

#define CACHE_BUCKETS 1024u
/* libudev's monitor group: messages sent by udevd (not the kernel's 1) */
#define UDEV_GROUP 2u

struct centry {
	struct centry *next;
	uint64_t usec;
	char *keys;
	char devpath[];
};

struct apsim_udev {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	bool running, stop;
	bool idle; /* the sender waits on cv (else it needs no signal) */
	int fd;	   /* netlink socket, or -1 */
	uint64_t head, sent; /* cursors: next to fill, next to send */
	uint64_t seqnum, dropped, send_errors;
	struct apsim_udev_msg *ring; /* APSIM_UDEV_RING slots */
	struct centry *cache[CACHE_BUCKETS];
	struct apv_strbuf sb; /* keys of the event being built */
	/* the message being built (the listener is serialised by host->lock):
	 * built outside u->mu, copied into the ring under it */
	struct apsim_udev_msg scratch;
};

static struct apsim_udev *current;

struct apsim_udev *apsim_udev_current(void)
{
	return __atomic_load_n(&current, __ATOMIC_ACQUIRE);
}

int apsim_udev_new(struct apsim_udev **out)
{
	struct apsim_udev *u = calloc(1, sizeof(*u));

	*out = NULL;
	if (!u)
		return -ENOMEM;
	u->ring = calloc(APSIM_UDEV_RING, sizeof(*u->ring));
	if (!u->ring) {
		free(u);
		return -ENOMEM;
	}
	pthread_mutex_init(&u->mu, NULL);
	pthread_cond_init(&u->cv, NULL);
	u->fd = -1;
	__atomic_store_n(&current, u, __ATOMIC_RELEASE);
	*out = u;
	return 0;
}

void apsim_udev_free(struct apsim_udev *u)
{
	if (!u)
		return;
	if (u->running) {
		pthread_mutex_lock(&u->mu);
		u->stop = true;
		pthread_cond_broadcast(&u->cv);
		pthread_mutex_unlock(&u->mu);
		pthread_join(u->thread, NULL);
	}
	if (u->fd >= 0)
		close(u->fd);
	for (size_t i = 0; i < CACHE_BUCKETS; i++) {
		for (struct centry *e = u->cache[i], *n; e; e = n) {
			n = e->next;
			free(e->keys);
			free(e);
		}
	}
	__atomic_compare_exchange_n(&current, &u, NULL, false, __ATOMIC_ACQ_REL,
				    __ATOMIC_ACQUIRE);
	apv_sb_free(&u->sb);
	pthread_cond_destroy(&u->cv);
	pthread_mutex_destroy(&u->mu);
	free(u->ring);
	free(u);
}

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* ---- the device cache (only the listener, under host->lock) -------------- */

static struct centry **cache_slot(struct apsim_udev *u, const char *devpath)
{
	uint32_t h = apsim_murmur2(devpath, strlen(devpath), 0);
	struct centry **p = &u->cache[h % CACHE_BUCKETS];

	while (*p && strcmp((*p)->devpath, devpath))
		p = &(*p)->next;
	return p;
}

static struct centry *cache_put(struct apsim_udev *u, const char *devpath,
				const char *keys)
{
	struct centry **p = cache_slot(u, devpath), *e = *p;
	char *k = strdup(keys ? keys : "");

	if (!k)
		return e;
	if (!e) {
		size_t n = strlen(devpath) + 1;

		e = calloc(1, sizeof(*e) + n);
		if (!e) {
			free(k);
			return NULL;
		}
		memcpy(e->devpath, devpath, n);
		e->usec = now_usec();
		*p = e;
	}
	free(e->keys);
	e->keys = k;
	return e;
}

static void cache_drop(struct apsim_udev *u, const char *devpath)
{
	struct centry **p = cache_slot(u, devpath), *e = *p;

	if (!e)
		return;
	*p = e->next;
	free(e->keys);
	free(e);
}

/* ---- the listener ------------------------------------------------------- */

void apsim_udev_listener(void *opaque, const struct apv_devev *ev)
{
	struct apsim_udev *u = opaque;
	struct apsim_udev_msg *m;
	struct centry *e = NULL;
	const char *keys = NULL;
	char path[160];
	uint64_t usec = 0;
	int rc;

	/*
	 * A card's or queue's message that would find the ring full is
	 * dropped before it is built: no uevent show, no key cache (their
	 * remove is announced while they still exist, so its keys are read
	 * then).  At the boot of a 256 x 256 host, before the sender runs,
	 * that is 130k messages of which a ring of 1024 keeps the first:
	 * building them all cost 10x the boot.
	 */
	if (ev->kind == APV_DEVEV_CARD || ev->kind == APV_DEVEV_QUEUE) {
		bool full;

		pthread_mutex_lock(&u->mu);
		full = u->head - u->sent >= APSIM_UDEV_RING;
		if (full) {
			u->seqnum++;
			u->dropped++;
		}
		pthread_mutex_unlock(&u->mu);
		if (full)
			return;
	}

	if (apsim_udev_devpath(ev, path, sizeof(path)))
		return;
	apv_sb_reset(&u->sb);
	rc = ev->host ? apv_devev_uevent(ev->host, ev, &u->sb) : -ENOENT;
	if (rc == 0) {
		keys = apv_sb_str(&u->sb);
		e = cache_put(u, path, keys ? keys : "");
	} else {
		e = *cache_slot(u, path);
		keys = e ? e->keys : NULL;
	}
	usec = e ? e->usec : now_usec();

	/* the next SEQNUM: only the listener (serialised by host->lock)
	 * writes u->seqnum, so reading it here without u->mu is safe */
	rc = apsim_udev_build(&u->scratch, ev, keys, u->seqnum + 1, usec);
	pthread_mutex_lock(&u->mu);
	u->seqnum++;
	if (rc || u->head - u->sent >= APSIM_UDEV_RING) {
		u->dropped++; /* too big, or the sender is a ring behind */
	} else {
		/* overwrites the oldest kept message (readers: under u->mu) */
		m = &u->ring[u->head % APSIM_UDEV_RING];
		m->len = u->scratch.len;
		memcpy(m->buf, u->scratch.buf, u->scratch.len);
		u->head++;
		if (u->idle)
			pthread_cond_signal(&u->cv);
	}
	pthread_mutex_unlock(&u->mu);
	if (ev->action == APV_DEVEV_REMOVE && !ev->synthetic)
		cache_drop(u, path);
}

/* ---- the sender --------------------------------------------------------- */

static void *sender(void *arg)
{
	struct apsim_udev *u = arg;
	struct apsim_udev_msg *m = malloc(sizeof(*m));
	struct sockaddr_nl dst = {.nl_family = AF_NETLINK,
				  .nl_groups = UDEV_GROUP};

	pthread_mutex_lock(&u->mu);
	for (;;) {
		while (u->sent == u->head && !u->stop) {
			u->idle = true;
			pthread_cond_wait(&u->cv, &u->mu);
			u->idle = false;
		}
		if (u->sent == u->head)
			break;
		/* no gathering nap: on a busy machine a sleep of any length
		 * costs milliseconds of latency; bursts (an mdev's add and
		 * bind) are usually queued by the time this thread runs */
		if (m) {
			const struct apsim_udev_msg *r =
				&u->ring[u->sent % APSIM_UDEV_RING];

			m->len = r->len;
			memcpy(m->buf, r->buf, r->len);
		}
		pthread_mutex_unlock(&u->mu);
		if (m && u->fd >= 0) {
			struct iovec iov = {m->buf, m->len};
			struct msghdr mh = {.msg_name = &dst,
					    .msg_namelen = sizeof(dst),
					    .msg_iov = &iov,
					    .msg_iovlen = 1};

			/* a broadcast never waits for receivers: the kernel
			 * drops for those whose buffer is full */
			if (sendmsg(u->fd, &mh, MSG_DONTWAIT) < 0 &&
			    errno != ECONNREFUSED && errno != ESRCH) {
				pthread_mutex_lock(&u->mu);
				u->send_errors++;
				pthread_mutex_unlock(&u->mu);
			}
		}
		pthread_mutex_lock(&u->mu);
		u->sent++;
	}
	pthread_mutex_unlock(&u->mu);
	free(m);
	return NULL;
}

int apsim_udev_start(struct apsim_udev *u, bool netlink)
{
	int rc;

	if (netlink) {
		struct sockaddr_nl me = {.nl_family = AF_NETLINK};

		u->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
			       NETLINK_KOBJECT_UEVENT);
		if (u->fd < 0 ||
		    bind(u->fd, (struct sockaddr *)&me, sizeof(me))) {
			rc = -errno;
			fprintf(stderr,
				"apsim: cannot open a uevent netlink socket: "
				"%s\n",
				strerror(-rc));
			if (u->fd >= 0)
				close(u->fd);
			u->fd = -1;
			return rc;
		}
	}
	rc = -pthread_create(&u->thread, NULL, sender, u);
	if (rc) {
		fprintf(stderr, "apsim: cannot start the udev sender: %s\n",
			strerror(-rc));
		return rc;
	}
	u->running = true;
	return 0;
}

void apsim_udev_get_stats(struct apsim_udev *u, struct apsim_udev_stats *out)
{
	pthread_mutex_lock(&u->mu);
	out->seqnum = u->seqnum;
	out->queued = u->head;
	out->sent = u->sent;
	out->dropped = u->dropped;
	out->send_errors = u->send_errors;
	out->netlink = u->fd >= 0;
	pthread_mutex_unlock(&u->mu);
}

uint64_t apsim_udev_read(struct apsim_udev *u, uint64_t since, size_t max,
			 void (*fn)(void *ctx, uint64_t cursor,
				    const struct apsim_udev_msg *m),
			 void *ctx, uint64_t *lost)
{
	uint64_t first, i;

	pthread_mutex_lock(&u->mu);
	/* slots below head - RING were overwritten */
	first = u->head > APSIM_UDEV_RING ? u->head - APSIM_UDEV_RING : 0;
	*lost = since < first ? first - since : 0;
	i = since < first ? first : since;
	for (; i < u->sent && max; i++, max--)
		fn(ctx, i, &u->ring[i % APSIM_UDEV_RING]);
	pthread_mutex_unlock(&u->mu);
	return i;
}
