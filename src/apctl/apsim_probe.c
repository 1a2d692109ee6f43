// SPDX-License-Identifier: MIT
/* apsim's control socket, the few requests apctl makes (apsim_probe.h). */
#include "apsim_probe.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#include "sysfs.h"

/* How long one answer may take. */
#define ANSWER_MS 2000
/* The longest answer line apctl reads (guest.queue's is ~130 bytes). */
#define ANSWER_MAX 4096

struct ctl_apsim {
	int fd; /* -1 once an answer did not come */
};

/* The sysfs root is the host's /sys. */
static bool sysfs_is_sys(void)
{
	char *p = ctl_sys_path("."), *r = realpath(p, NULL);
	bool is = r && !strcmp(r, "/sys");

	free(r);
	free(p);
	return is;
}

static int send_all(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t n = send(fd, s, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One request line out, one answer line in (parsed); NULL: no answer. */
static json_t *exchange(int fd, json_t *req)
{
	char *line = json_dumps(req, JSON_COMPACT), buf[ANSWER_MAX];
	size_t len = 0;
	int r;

	json_decref(req);
	if (!line)
		return NULL;
	r = send_all(fd, line, strlen(line)) || send_all(fd, "\n", 1);
	free(line);
	if (r)
		return NULL;
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		const char *nl;
		ssize_t n;

		if (poll(&p, 1, ANSWER_MS) <= 0)
			return NULL;
		n = recv(fd, buf + len, sizeof(buf) - len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return NULL;
		len += (size_t)n;
		nl = memchr(buf, '\n', len);
		if (nl)
			return json_loadb(buf, (size_t)(nl - buf), 0, NULL);
		if (len == sizeof(buf))
			return NULL;
	}
}

/*
 * The answer if apsim said ok, else NULL.  No answer ends the connection,
 * so that a late line is never taken for the next request's answer.
 */
static json_t *ask(struct ctl_apsim *c, json_t *req)
{
	json_t *a;

	if (c->fd < 0) {
		json_decref(req);
		return NULL;
	}
	a = exchange(c->fd, req);
	if (!a) {
		close(c->fd);
		c->fd = -1;
		return NULL;
	}
	if (!json_is_true(json_object_get(a, "ok"))) {
		json_decref(a);
		return NULL;
	}
	return a;
}

struct ctl_apsim *ctl_apsim_open(void)
{
	const char *path = getenv("APSIM_SOCKET");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct ctl_apsim *c;
	json_t *a;

	if (!path || !*path || strlen(path) >= sizeof(sa.sun_path) ||
	    !sysfs_is_sys())
		return NULL;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	c = xcalloc(1, sizeof(*c));
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 ||
	    connect(c->fd, (const struct sockaddr *)&sa, sizeof(sa))) {
		ctl_apsim_close(c);
		return NULL;
	}
	a = ask(c, json_pack("{s:s}", "cmd", "ping"));
	if (!a) {
		ctl_apsim_close(c);
		return NULL;
	}
	json_decref(a);
	return c;
}

void ctl_apsim_close(struct ctl_apsim *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

long ctl_apsim_in_flight(struct ctl_apsim *c, const char *apqn)
{
	json_t *a = ask(c, json_pack("{s:s,s:s}", "cmd", "guest.queue", "apqn",
				     apqn));
	json_int_t rq = json_integer_value(json_object_get(a, "requests"));
	json_int_t rp = json_integer_value(json_object_get(a, "replies"));
	long n = -1;

	if (json_is_integer(json_object_get(a, "requests")) &&
	    json_is_integer(json_object_get(a, "replies")) && rq >= 0 &&
	    rp >= 0 && rq <= LONG_MAX - rp)
		n = (long)(rq + rp);
	json_decref(a);
	return n;
}
