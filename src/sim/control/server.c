// SPDX-License-Identifier: MIT
/*
 * The control socket (sim.h, docs/control-protocol.md): an AF_UNIX stream
 * socket, mode 0600, served by one thread with poll().  Each client sends
 * JSON lines; each line is answered by one line from apsim_ctl_handle()
 * (handler.c), in order.
 *
 * Clients are non-blocking and buffered both ways, so a slow reader only
 * delays itself: while a client has unsent output the server reads no more
 * of its requests (back pressure), and other clients are served meanwhile.
 * A request line longer than APSIM_CTL_MAX_LINE is answered with E2BIG and
 * skipped up to its newline; the connection stays usable.  An unterminated
 * last line is handled when the client shuts down its sending side.
 *
 * `guest.*` requests go to guest_session.c: a connection that attached is
 * a guest until it detaches or goes away (then its device is closed).  The
 * guests' notifications wake the thread through the kick pipe.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <apvirt/proto/conn.h>
#include <apvirt/proto/line.h>
#include <apvirt/proto/request.h>

#include "control.h"
#include "guest_session.h"
#include "sim.h"

struct client {
	int fd;		       /* -1: free slot */
	struct apv_linebuf in; /* lines of up to APSIM_CTL_MAX_LINE bytes */
	char *out;
	size_t out_len, out_off, out_cap;
	struct apsim_guest *guest; /* attached as a guest */
};

struct apsim_ctl {
	struct apv_host *host;
	int lfd;
	int wake[2];
	int kick[2]; /* guest notifications (guest_session.h) */
	struct apsim_guests *guests;
	pthread_t thread;
	char *path;
	dev_t dev;
	ino_t ino;
	struct client cl[APSIM_CTL_MAX_CLIENTS];
};

const char *apsim_ctl_socket_path(void)
{
	return apv_proto_socket_path(NULL);
}

static void client_close(struct client *c)
{
	/* QEMU's exit: the guest's device is closed, the guest destroyed */
	apsim_guest_end(c->guest);
	if (c->fd >= 0)
		close(c->fd);
	apv_lb_free(&c->in);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	apv_lb_init(&c->in, APSIM_CTL_MAX_LINE);
}

/* Queue text + '\n' for sending; false when out of memory. */
static bool client_queue(struct client *c, const char *s)
{
	size_t n = strlen(s);

	if (c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	if (c->out_len + n + 1 > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		char *nb;

		while (cap < c->out_len + n + 1)
			cap *= 2;
		nb = realloc(c->out, cap);
		if (!nb)
			return false;
		c->out = nb;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, s, n);
	c->out[c->out_len + n] = '\n';
	c->out_len += n + 1;
	return true;
}

static bool emit_line(void *ctx, const char *line)
{
	return client_queue(ctx, line);
}

static bool queue_error(struct client *c, int err, const char *msg)
{
	char *s = apv_proto_error(err, msg);
	bool ok = s && client_queue(c, s);

	free(s);
	return ok;
}

/* Answer one request line (without its '\n'). */
static bool handle_line(struct apsim_ctl *ctl, struct client *c,
			const char *line, size_t n)
{
	char *resp;
	bool ok;

	if (apv_line_blank(line, n))
		return true;
	if (!apsim_guest_handle(ctl->guests, &c->guest, line, n, emit_line, c,
				&resp))
		resp = apsim_ctl_handle(ctl->host, line, n);
	if (!resp)
		return queue_error(c, ENOMEM, "out of memory");
	ok = client_queue(c, resp);
	free(resp);
	return ok;
}

/* Handle every complete line in the input buffer. */
static bool process_input(struct apsim_ctl *ctl, struct client *c)
{
	char *line;
	size_t n;
	int rc;

	while ((rc = apv_lb_next(&c->in, &line, &n))) {
		if (rc == -E2BIG) {
			if (!queue_error(c, E2BIG,
					 "request line longer than 65536 bytes"))
				return false;
		} else if (!handle_line(ctl, c, line, n)) {
			return false;
		}
	}
	/* the last line had no newline */
	if (apv_lb_rest(&c->in, &line, &n) && !handle_line(ctl, c, line, n))
		return false;
	return true;
}

/* Read what is there; false: close the client. */
static bool client_read(struct apsim_ctl *ctl, struct client *c)
{
	ssize_t r = apv_lb_fill(&c->in, c->fd, MSG_DONTWAIT);

	if (r == -EAGAIN)
		return true;
	if (r < 0)
		return false;
	return process_input(ctl, c);
}

/* Send what is queued; false: close the client. */
static bool client_write(struct client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t r = send(c->fd, c->out + c->out_off,
				 c->out_len - c->out_off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (r < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ||
			       errno == EINTR;
		c->out_off += (size_t)r;
	}
	c->out_off = c->out_len = 0;
	/* large responses do not pin their buffer */
	if (c->out_cap > (1u << 20)) {
		free(c->out);
		c->out = NULL;
		c->out_cap = 0;
	}
	return true;
}

static void accept_client(struct apsim_ctl *ctl)
{
	int fd = accept4(ctl->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	for (unsigned int i = 0; i < APSIM_CTL_MAX_CLIENTS; i++) {
		if (ctl->cl[i].fd < 0) {
			ctl->cl[i].fd = fd;
			return;
		}
	}
	/* full: say so (best effort) and hang up */
	{
		char *s = apv_proto_error(EMFILE, "too many clients");

		if (s) {
			size_t n = strlen(s);

			s[n] = '\n';
			(void)!send(fd, s, n + 1, MSG_DONTWAIT | MSG_NOSIGNAL);
			free(s);
		}
	}
	close(fd);
}

/*
 * Kicked: turn the guests' notifications into event lines.  The pipe is
 * drained *before* the kicked flag is cleared: a notifier that finds the
 * flag set writes nothing, so the flag may only be cleared when no byte
 * is left that could have been written for it.  (Cleared first, a kick
 * landing between the two set the flag and had its byte drained here:
 * flag set, pipe empty, and no later notification ever woke the thread.)
 * A notifier that sees the flag set did its work before the clear, so
 * the poll below finds it; one that sees it clear writes a new byte.
 */
static void deliver_guest_events(struct apsim_ctl *ctl)
{
	char buf[64];

	while (read(ctl->kick[0], buf, sizeof(buf)) > 0)
		;
	apsim_guests_kicked(ctl->guests);
	for (unsigned int i = 0; i < APSIM_CTL_MAX_CLIENTS; i++) {
		struct client *c = &ctl->cl[i];

		if (c->fd < 0 || !c->guest)
			continue;
		apsim_guest_poll(c->guest, emit_line, c);
		/*
		 * out right away, not after another poll(); a failure shows
		 * at the next poll() (POLLOUT, POLLHUP), which closes it
		 */
		if (c->out_off < c->out_len)
			(void)client_write(c);
	}
}

static void *serve(void *arg)
{
	struct apsim_ctl *ctl = arg;
	struct pollfd pfd[APSIM_CTL_MAX_CLIENTS + 3];
	int idx[APSIM_CTL_MAX_CLIENTS + 3];

	for (;;) {
		nfds_t n = 0;

		pfd[n++] =
			(struct pollfd){.fd = ctl->wake[0], .events = POLLIN};
		pfd[n++] = (struct pollfd){.fd = ctl->lfd, .events = POLLIN};
		pfd[n++] =
			(struct pollfd){.fd = ctl->kick[0], .events = POLLIN};
		for (unsigned int i = 0; i < APSIM_CTL_MAX_CLIENTS; i++) {
			struct client *c = &ctl->cl[i];
			short ev;

			if (c->fd < 0)
				continue;
			ev = c->out_off < c->out_len ? POLLOUT :
			     c->in.eof		     ? 0 :
						       POLLIN;
			idx[n] = (int)i;
			pfd[n++] = (struct pollfd){.fd = c->fd, .events = ev};
		}
		if (poll(pfd, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].revents)
			break;
		if (pfd[1].revents & POLLIN)
			accept_client(ctl);
		if (pfd[2].revents & POLLIN)
			deliver_guest_events(ctl);
		for (nfds_t k = 3; k < n; k++) {
			struct client *c = &ctl->cl[idx[k]];
			short re = pfd[k].revents;
			bool ok = true;

			if (!re)
				continue;
			if (re & POLLOUT)
				ok = client_write(c);
			else if (re & POLLIN)
				ok = client_read(ctl, c);
			else if (re & (POLLHUP | POLLERR | POLLNVAL))
				ok = false;
			/* answers of this round go out right away */
			if (ok && c->out_off < c->out_len)
				ok = client_write(c);
			/* done: the client closed and everything is sent */
			if (ok && c->in.eof && c->out_off == c->out_len)
				ok = false;
			if (!ok)
				client_close(c);
		}
	}
	return NULL;
}

/* Remove a stale socket at path; -EADDRINUSE if someone listens there. */
static int clear_stale(const char *path, const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, rc;

	if (lstat(path, &st)) {
		if (errno == ENOENT)
			return 0;
		return -errno;
	}
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	rc = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	if (rc == 0)
		return -EADDRINUSE;
	if (unlink(path) && errno != ENOENT)
		return -errno;
	return 0;
}

int apsim_ctl_start(struct apv_host *host, const char *path,
		    struct apsim_ctl **out)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct apsim_ctl *ctl;
	sigset_t all, old;
	struct stat st;
	int rc;

	*out = NULL;
	if (!path || !*path)
		path = apsim_ctl_socket_path();
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	ctl = calloc(1, sizeof(*ctl));
	if (!ctl)
		return -ENOMEM;
	ctl->host = host;
	ctl->lfd = ctl->wake[0] = ctl->wake[1] = -1;
	ctl->kick[0] = ctl->kick[1] = -1;
	for (unsigned int i = 0; i < APSIM_CTL_MAX_CLIENTS; i++) {
		ctl->cl[i].fd = -1;
		apv_lb_init(&ctl->cl[i].in, APSIM_CTL_MAX_LINE);
	}
	ctl->path = strdup(path);
	if (!ctl->path) {
		rc = -ENOMEM;
		goto fail;
	}
	rc = clear_stale(path, &sa);
	if (rc)
		goto fail;
	ctl->lfd =
		socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (ctl->lfd < 0 ||
	    bind(ctl->lfd, (const struct sockaddr *)&sa, sizeof(sa))) {
		rc = -errno;
		goto fail;
	}
	/* nobody can connect before listen(): the mode is set by then */
	if (chmod(path, 0600) || stat(path, &st) || listen(ctl->lfd, 16) ||
	    pipe2(ctl->wake, O_CLOEXEC | O_NONBLOCK) ||
	    pipe2(ctl->kick, O_CLOEXEC | O_NONBLOCK)) {
		rc = -errno;
		unlink(path);
		goto fail;
	}
	rc = apsim_guests_new(host, ctl->kick[1], &ctl->guests);
	if (rc) {
		unlink(path);
		goto fail;
	}
	ctl->dev = st.st_dev;
	ctl->ino = st.st_ino;
	/* signals stay with the threads that wait for them */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = -pthread_create(&ctl->thread, NULL, serve, ctl);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		unlink(path);
		goto fail;
	}
	*out = ctl;
	return 0;
fail:
	if (ctl->lfd >= 0)
		close(ctl->lfd);
	if (ctl->wake[0] >= 0)
		close(ctl->wake[0]);
	if (ctl->wake[1] >= 0)
		close(ctl->wake[1]);
	if (ctl->kick[0] >= 0)
		close(ctl->kick[0]);
	if (ctl->kick[1] >= 0)
		close(ctl->kick[1]);
	apsim_guests_free(ctl->guests);
	free(ctl->path);
	free(ctl);
	return rc;
}

void apsim_ctl_stop(struct apsim_ctl *ctl)
{
	struct stat st;

	if (!ctl)
		return;
	(void)!write(ctl->wake[1], "x", 1);
	pthread_join(ctl->thread, NULL);
	for (unsigned int i = 0; i < APSIM_CTL_MAX_CLIENTS; i++)
		client_close(&ctl->cl[i]);
	close(ctl->lfd);
	close(ctl->wake[0]);
	close(ctl->wake[1]);
	close(ctl->kick[0]);
	close(ctl->kick[1]);
	apsim_guests_free(ctl->guests);
	/* only our own socket: a later server may have replaced it */
	if (!lstat(ctl->path, &st) && st.st_dev == ctl->dev &&
	    st.st_ino == ctl->ino)
		unlink(ctl->path);
	free(ctl->path);
	free(ctl);
}
