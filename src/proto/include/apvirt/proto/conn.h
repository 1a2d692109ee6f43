/* SPDX-License-Identifier: MIT */
/*
 * The one client of the control socket: a blocking AF_UNIX stream
 * connection carrying JSON lines, used by `apsim ctl`, the guest library
 * and apctl's probe.  Sends whole lines; reads lines bounded in length,
 * with an optional deadline.  Never prints.
 */
#ifndef APVIRT_PROTO_CONN_H
#define APVIRT_PROTO_CONN_H

#include <stddef.h>
#include <stdint.h>

#include <apvirt/proto/line.h>

struct apv_conn {
	int fd; /* -1: not connected */
	struct apv_linebuf in;
};

/* The socket: path if not NULL or empty, else $APSIM_SOCKET if set and
 * non-empty, else APV_PROTO_DEFAULT_SOCKET. */
const char *apv_proto_socket_path(const char *path);

/* An unconnected conn reading lines of up to max_line bytes. */
void apv_conn_init(struct apv_conn *c, size_t max_line);
/* Connect to the socket at path: 0, -ENAMETOOLONG, -errno of connect(). */
int apv_conn_connect(struct apv_conn *c, const char *path);
/* Close and free the buffer (back to unconnected); NULL-safe. */
void apv_conn_close(struct apv_conn *c);

/* Send n bytes as they are: 0, -EPIPE (peer gone), -errno. */
int apv_conn_send(struct apv_conn *c, const char *s, size_t n);
/* Send a line (s without its newline; the '\n' is added). */
int apv_conn_send_line(struct apv_conn *c, const char *s);

/* Now on CLOCK_MONOTONIC in milliseconds (for deadlines). */
int64_t apv_now_ms(void);
/*
 * The next line (NUL-terminated in the buffer, *n bytes; valid until the
 * next read): 1; 0 when the deadline (CLOCK_MONOTONIC ms, -1 none) passed
 * first; -EPIPE at the end of the stream; -E2BIG for a line longer than
 * max_line (it is skipped); -errno.  With a deadline at least one poll()
 * is made even if it passed.
 */
int apv_conn_read_line(struct apv_conn *c, int64_t deadline, char **line,
		       size_t *n);

/*
 * A request line out (without newline) and the next line in; timeout_ms
 * -1 waits forever.  As apv_conn_read_line(), 0 meaning no answer in time.
 */
int apv_conn_roundtrip(struct apv_conn *c, const char *req, int timeout_ms,
		       char **line, size_t *n);

#endif /* APVIRT_PROTO_CONN_H */
