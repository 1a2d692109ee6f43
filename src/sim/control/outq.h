/* SPDX-License-Identifier: MIT */
/*
 * One connection's output queue (server.c, docs/control-protocol.md
 * "Bounds"): lines waiting to be sent on a non-blocking socket.
 *
 * The queue is bounded by how it is used, not by refusing lines: a
 * response is always queued (its request was read), but the server
 * handles no further request while apsim_outq_room() is false (and reads
 * none while anything is unsent), and a producer of unsolicited lines
 * (guest events, subscriptions) queues only while apsim_outq_room() says
 * so -- otherwise it keeps what it would have said as a level (a count, a
 * flag) and says it once, coalesced, when the queue has room again.  So
 * the queue never holds more than APSIM_OUTQ_ROOM bytes plus one response
 * or one round of event lines.
 *
 * Only the control server thread touches a queue: no lock.
 */
#ifndef APSIM_OUTQ_H
#define APSIM_OUTQ_H

#include <stdbool.h>
#include <stddef.h>

/* Unsent bytes at or above which unsolicited lines are held back. */
#define APSIM_OUTQ_ROOM ((size_t)64 * 1024)

struct apsim_outq {
	char *buf;
	size_t len; /* bytes queued */
	size_t off; /* bytes of them sent */
	size_t cap; /* allocated */
};

void apsim_outq_init(struct apsim_outq *q);
void apsim_outq_free(struct apsim_outq *q); /* back to empty; NULL-safe */

/* Queue text + '\n'; false when out of memory (nothing queued). */
bool apsim_outq_push(struct apsim_outq *q, const char *line);

/* Bytes not sent yet. */
static inline size_t apsim_outq_unsent(const struct apsim_outq *q)
{
	return q->len - q->off;
}

/* Room for unsolicited lines: fewer than APSIM_OUTQ_ROOM bytes unsent. */
static inline bool apsim_outq_room(const struct apsim_outq *q)
{
	return apsim_outq_unsent(q) < APSIM_OUTQ_ROOM;
}

/*
 * Send what the socket takes now (non-blocking, no SIGPIPE): the bytes
 * sent (>= 0; the queue may still hold some: wait for POLLOUT), or -errno
 * (the connection is broken: close it).
 */
long apsim_outq_send(struct apsim_outq *q, int fd);

#endif /* APSIM_OUTQ_H */
