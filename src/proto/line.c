// SPDX-License-Identifier: MIT
/* The bounded JSON-lines reader (apvirt/proto/line.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <apvirt/proto/line.h>

/* Bytes one recv() gets at least room for. */
#define CHUNK 4096u

void apv_lb_init(struct apv_linebuf *lb, size_t max)
{
	memset(lb, 0, sizeof(*lb));
	lb->max = max;
}

void apv_lb_free(struct apv_linebuf *lb)
{
	if (!lb)
		return;
	free(lb->buf);
	apv_lb_init(lb, lb->max);
}

/* Drop what was handed out. */
static void compact(struct apv_linebuf *lb)
{
	if (!lb->consumed)
		return;
	memmove(lb->buf, lb->buf + lb->consumed, lb->len - lb->consumed);
	lb->len -= lb->consumed;
	lb->consumed = 0;
}

ssize_t apv_lb_fill(struct apv_linebuf *lb, int fd, int flags)
{
	/* a line of max bytes, its '\n' and the NUL that replaces it */
	size_t limit = lb->max + 2;
	ssize_t r;

	compact(lb);
	if (lb->cap - lb->len < CHUNK && lb->cap < limit) {
		size_t cap = lb->cap ? lb->cap * 2 : 2 * CHUNK;
		char *nb;

		if (cap > limit || cap < lb->cap)
			cap = limit;
		nb = realloc(lb->buf, cap);
		if (!nb)
			return -ENOMEM;
		lb->buf = nb;
		lb->cap = cap;
	}
	/* full: apv_lb_next() reports the line too long and drops it */
	if (lb->cap - lb->len < 2)
		return -ENOBUFS;
	/* one byte stays free for the NUL of an unterminated last line */
	r = recv(fd, lb->buf + lb->len, lb->cap - lb->len - 1, flags);
	if (r < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return -EAGAIN;
		return errno == ECONNRESET ? -EPIPE : -errno;
	}
	if (r == 0)
		lb->eof = true;
	lb->len += (size_t)r;
	return r;
}

int apv_lb_next(struct apv_linebuf *lb, char **line, size_t *n)
{
	if (!lb->buf)
		return 0; /* nothing received yet */
	for (;;) {
		char *start = lb->buf + lb->consumed;
		size_t avail = lb->len - lb->consumed;
		char *nl = avail ? memchr(start, '\n', avail) : NULL;

		if (nl) {
			size_t k = (size_t)(nl - start);

			lb->consumed += k + 1;
			if (lb->discarding || k > lb->max) {
				bool report = !lb->discarding;

				lb->discarding = false;
				if (report)
					return -E2BIG;
				continue;
			}
			*nl = '\0';
			*line = start;
			*n = k;
			return 1;
		}
		/* no newline: more than max bytes are a line too long */
		if (avail > lb->max) {
			bool report = !lb->discarding;

			lb->discarding = true;
			lb->consumed = lb->len;
			if (report)
				return -E2BIG;
		}
		return 0;
	}
}

int apv_lb_rest(struct apv_linebuf *lb, char **line, size_t *n)
{
	size_t avail = lb->len - lb->consumed;

	if (!lb->eof || !lb->buf)
		return 0;
	if (!avail || lb->discarding) {
		lb->consumed = lb->len;
		return 0;
	}
	/* apv_lb_fill() kept a byte free */
	*line = lb->buf + lb->consumed;
	*n = avail;
	(*line)[avail] = '\0';
	lb->consumed = lb->len;
	return 1;
}

bool apv_line_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}
