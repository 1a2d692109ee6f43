/* SPDX-License-Identifier: MIT */
/*
 * apsim's udev events (ci-integration.md §4, docs/apsim.md "udev events"):
 * the device-event listener (include/apvirt/devev.h) turns every event of
 * the model into the message systemd-udevd would broadcast (udev_msg.h)
 * and puts it on a bounded ring; a sender thread broadcasts the ring on
 * NETLINK_KOBJECT_UEVENT group 2 of apsim's network namespace.  The ring
 * also keeps the last APSIM_UDEV_RING messages for the control socket's
 * `events` verb (JSON lines).
 *
 * Never blocks the model: the listener runs under host->lock and only
 * copies into the ring; when the ring is full (the sender is behind by
 * APSIM_UDEV_RING events) the event is dropped and counted, as the kernel
 * drops for a receiver whose buffer is full.  A netlink receiver that
 * never reads costs apsim nothing (the kernel drops for it).
 *
 * Locking: u->mu (a leaf) is taken inside host->lock by the listener, and
 * alone by the sender thread and the readers.
 */
#ifndef APSIM_UDEV_EVENTS_H
#define APSIM_UDEV_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "udev_msg.h"

struct apv_devev;

/* Messages the ring holds (queued for sending + history). */
#define APSIM_UDEV_RING 1024u

struct apsim_udev;

struct apsim_udev_stats {
	uint64_t seqnum;      /* last SEQNUM given */
	uint64_t queued;      /* events put on the ring */
	uint64_t sent;	      /* broadcast (or, without netlink, passed) */
	uint64_t dropped;     /* ring full: lost */
	uint64_t send_errors; /* sendmsg failures other than "no listener" */
	bool netlink;	      /* broadcasting on netlink group 2 */
};

/* The ring and the device cache; no socket, no thread yet. */
int apsim_udev_new(struct apsim_udev **out);
/* Stop the sender (after sending what is queued), free (NULL-safe). */
void apsim_udev_free(struct apsim_udev *u);

/* The devev listener (opaque: the apsim_udev). */
void apsim_udev_listener(void *opaque, const struct apv_devev *ev);

/*
 * Start the sender thread; with netlink, open the netlink socket first
 * (in the caller's network namespace: call after unshare(CLONE_NEWNET)).
 * -errno (and a message on stderr) if the socket cannot be had.
 */
int apsim_udev_start(struct apsim_udev *u, bool netlink);

void apsim_udev_get_stats(struct apsim_udev *u, struct apsim_udev_stats *out);

/*
 * The sent messages from cursor `since` on (cursors count messages put on
 * the ring from 0), at most max: fn(ctx, cursor, msg) for each, in order,
 * under u->mu (fn must be quick and not call back).  Returns the next
 * cursor; *lost is how many messages from `since` on the ring no longer
 * holds (overwritten before this reader came).
 */
uint64_t apsim_udev_read(struct apsim_udev *u, uint64_t since, size_t max,
			 void (*fn)(void *ctx, uint64_t cursor,
				    const struct apsim_udev_msg *m),
			 void *ctx, uint64_t *lost);

/* The process's emitter (the last one made), for the control handler;
 * NULL when apsim runs without events. */
struct apsim_udev *apsim_udev_current(void);

/*
 * Build the message of one device event (pure but for the clock): ev, the
 * device's uevent show text (keys, "KEY=value\n" lines, or NULL), seqnum
 * and usec_initialized.  -E2BIG if it does not fit.  (Unit-tested.)
 */
int apsim_udev_build(struct apsim_udev_msg *m, const struct apv_devev *ev,
		     const char *keys, uint64_t seqnum,
		     uint64_t usec_initialized);

/* The event's DEVPATH (below /sys); -E2BIG if it does not fit. */
int apsim_udev_devpath(const struct apv_devev *ev, char *buf, size_t size);

#endif /* APSIM_UDEV_EVENTS_H */
