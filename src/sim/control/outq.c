// SPDX-License-Identifier: MIT
/* A connection's output queue (outq.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "outq.h"

/* A buffer grown past this by one large response is freed once sent. */
#define KEEP_CAP ((size_t)1 << 20)

void apsim_outq_init(struct apsim_outq *q)
{
	memset(q, 0, sizeof(*q));
}

void apsim_outq_free(struct apsim_outq *q)
{
	if (!q)
		return;
	free(q->buf);
	apsim_outq_init(q);
}

bool apsim_outq_push(struct apsim_outq *q, const char *s)
{
	size_t n = strlen(s);

	if (q->off == q->len)
		q->off = q->len = 0;
	if (q->len + n + 1 > q->cap) {
		size_t cap = q->cap ? q->cap : 4096;
		char *nb;

		/* what was sent is dropped before growing */
		if (q->off) {
			memmove(q->buf, q->buf + q->off, q->len - q->off);
			q->len -= q->off;
			q->off = 0;
		}
		while (cap < q->len + n + 1)
			cap *= 2;
		if (cap != q->cap) {
			nb = realloc(q->buf, cap);
			if (!nb)
				return false;
			q->buf = nb;
			q->cap = cap;
		}
	}
	memcpy(q->buf + q->len, s, n);
	q->buf[q->len + n] = '\n';
	q->len += n + 1;
	return true;
}

long apsim_outq_send(struct apsim_outq *q, int fd)
{
	long sent = 0;

	while (q->off < q->len) {
		ssize_t r = send(fd, q->buf + q->off, q->len - q->off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (r < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				return sent;
			return -errno;
		}
		q->off += (size_t)r;
		sent += r;
	}
	q->off = q->len = 0;
	/* large responses do not pin their buffer */
	if (q->cap > KEEP_CAP)
		apsim_outq_free(q);
	return sent;
}
