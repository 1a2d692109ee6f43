// SPDX-License-Identifier: MIT
/* The control socket's client (apvirt/proto/conn.h). */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <apvirt/proto/conn.h>
#include <apvirt/proto/names.h>

const char *apv_proto_socket_path(const char *path)
{
	const char *e;

	if (path && *path)
		return path;
	e = getenv(APV_PROTO_SOCKET_ENV);
	return e && *e ? e : APV_PROTO_DEFAULT_SOCKET;
}

void apv_conn_init(struct apv_conn *c, size_t max_line)
{
	c->fd = -1;
	apv_lb_init(&c->in, max_line);
}

int apv_conn_connect(struct apv_conn *c, const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t len = strlen(path);
	int fd;

	if (len >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, len + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)&sa, sizeof(sa))) {
		int e = errno;

		close(fd);
		return -e;
	}
	c->fd = fd;
	return 0;
}

void apv_conn_close(struct apv_conn *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	apv_lb_free(&c->in);
}

int apv_conn_send(struct apv_conn *c, const char *s, size_t n)
{
	if (c->fd < 0)
		return -EPIPE;
	while (n) {
		ssize_t r = send(c->fd, s, n, MSG_NOSIGNAL);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return errno == ECONNRESET ? -EPIPE : -errno;
		s += r;
		n -= (size_t)r;
	}
	return 0;
}

int apv_conn_send_line(struct apv_conn *c, const char *s)
{
	size_t n = strlen(s);
	char stack[512], *b = stack;
	int rc;

	/* one send for the line and its newline */
	if (n + 1 > sizeof(stack)) {
		b = malloc(n + 1);
		if (!b)
			return -ENOMEM;
	}
	/* a line, not a C string: ends in '\n', no NUL */
	// NOLINTNEXTLINE(bugprone-not-null-terminated-result)
	memcpy(b, s, n);
	b[n] = '\n';
	rc = apv_conn_send(c, b, n + 1);
	if (b != stack)
		free(b);
	return rc;
}

int64_t apv_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int apv_conn_read_line(struct apv_conn *c, int64_t deadline, char **line,
		       size_t *n)
{
	if (c->fd < 0)
		return -EPIPE;
	for (;;) {
		int rc = apv_lb_next(&c->in, line, n);
		ssize_t r;

		if (rc)
			return rc;
		if (c->in.eof)
			return -EPIPE;
		if (deadline >= 0) {
			int64_t left = deadline - apv_now_ms();
			struct pollfd p = {.fd = c->fd, .events = POLLIN};
			int pr;

			if (left < 0)
				left = 0;
			pr = poll(&p, 1, (int)left);
			if (pr < 0 && errno == EINTR)
				continue;
			if (pr < 0)
				return -errno;
			if (pr == 0)
				return 0;
		}
		r = apv_lb_fill(&c->in, c->fd, 0);
		if (r == -EAGAIN)
			continue;
		if (r < 0)
			return (int)r;
		if (r == 0)
			return -EPIPE;
	}
}

int apv_conn_roundtrip(struct apv_conn *c, const char *req, int timeout_ms,
		       char **line, size_t *n)
{
	int rc = apv_conn_send_line(c, req);

	if (rc)
		return rc;
	return apv_conn_read_line(
		c, timeout_ms < 0 ? -1 : apv_now_ms() + timeout_ms, line, n);
}
