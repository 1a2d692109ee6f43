/* SPDX-License-Identifier: MIT */
/*
 * JSON lines in: the bounded line reader of every end of the control
 * protocol -- apsim's server (non-blocking, many clients) and the clients
 * (apvirt/proto/conn.h).  Bytes are received into one buffer; complete
 * lines are handed out in place (NUL-terminated over their '\n'), valid
 * until the next call on the buffer.  A line longer than max bytes
 * (without its '\n') is reported once as -E2BIG and skipped up to its
 * newline.
 */
#ifndef APVIRT_PROTO_LINE_H
#define APVIRT_PROTO_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct apv_linebuf {
	char *buf;
	size_t len;	 /* bytes received */
	size_t cap;	 /* allocated, at most max + 2 */
	size_t consumed; /* bytes of lines handed out, dropped at the next call */
	size_t max;	 /* longest line without its '\n' */
	bool discarding; /* inside an overlong line: drop to '\n' */
	bool eof;	 /* the peer shut down its sending side */
};

/* An empty buffer for lines of up to max bytes (nothing allocated yet). */
void apv_lb_init(struct apv_linebuf *lb, size_t max);
void apv_lb_free(struct apv_linebuf *lb); /* back to empty; NULL-safe */

/*
 * One recv() from fd (flags: MSG_DONTWAIT or 0) into the buffer: the bytes
 * read (> 0), 0 at the end of the stream (lb->eof set), -EAGAIN when a
 * non-blocking socket has nothing (EINTR too), -ENOMEM, -ENOBUFS when the
 * buffer is full (apv_lb_next() was not called), -errno (ECONNRESET as
 * -EPIPE).  Call when apv_lb_next() returned 0.
 */
ssize_t apv_lb_fill(struct apv_linebuf *lb, int fd, int flags);

/*
 * The next complete line: 1 with *line (NUL-terminated, *n bytes, no
 * '\n'); 0 when no complete line is buffered (at eof: 0 as well, see
 * apv_lb_rest()); -E2BIG once per overlong line, which is then skipped.
 */
int apv_lb_next(struct apv_linebuf *lb, char **line, size_t *n);

/*
 * At eof: the last line if it had no newline (1, as apv_lb_next()), else
 * 0.  It is consumed.
 */
int apv_lb_rest(struct apv_linebuf *lb, char **line, size_t *n);

/* A line that is empty or only blanks (' ', '\t', '\r'): ignored. */
bool apv_line_blank(const char *s, size_t n);

#endif /* APVIRT_PROTO_LINE_H */
