// SPDX-License-Identifier: MIT
/*
 * The control socket (sim.h, docs/control-protocol.md): an AF_UNIX stream
 * socket, mode 0600, served by one thread with poll().  Each client sends
 * JSON lines; each line is answered by one line from apsim_ctl_handle()
 * (handler.c), in order.
 *
 * Clients are non-blocking and buffered both ways, and every buffer is
 * bounded (docs/control-protocol.md "Bounds"), so a slow reader only
 * delays itself: while a client has APSIM_OUTQ_ROOM bytes unsent the
 * server handles no more of its requests and queues no events for it
 * (outq.h; a guest's events stay pending, coalesced, in its session), and
 * while it has anything unsent it reads nothing from it (back pressure);
 * other clients are served meanwhile.  A request line longer than
 * APSIM_CTL_MAX_LINE is answered with E2BIG and skipped up to its newline;
 * the connection stays usable.  An unterminated last line is handled when
 * the client shuts down its sending side.
 *
 * Plain connections (not guests) that stay idle for the timeout are
 * closed, and when all slots are taken a new client takes the slot of the
 * plain connection idle the longest: idle clients never lock others out.
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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <apvirt/proto/conn.h>
#include <apvirt/proto/line.h>
#include <apvirt/proto/request.h>

#include "control.h"
#include "guest_session.h"
#include "outq.h"
#include "sim.h"

struct client {
	int fd;			   /* -1: free slot */
	struct apv_linebuf in;	   /* lines of up to APSIM_CTL_MAX_LINE bytes */
	struct apsim_outq out;	   /* bounded (outq.h) */
	struct apsim_guest *guest; /* attached as a guest */
	/*
	 * Kept open while idle, never evicted (as a guest session is): for a
	 * connection that waits for lines it did not ask for (a subscription).
	 */
	bool long_lived;
	bool held;	  /* events held back while the queue was full */
	uint64_t last_ms; /* last byte received or sent (or accept) */
};

/* Counters of the bounds (the `server` verb). */
struct ctl_stats {
	uint64_t accepted, idle_closed, evicted, refused;
	uint64_t events_held, too_long;
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
	uint64_t idle_ms; /* 0: no idle timeout */
	struct ctl_stats st;
	struct client cl[APSIM_CTL_MAX_CLIENTS];
};

const char *apsim_ctl_socket_path(void)
{
	return apv_proto_socket_path(NULL);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* $APSIM_CTL_IDLE_TIMEOUT: seconds (fractions allowed, 0: never). */
static uint64_t idle_timeout_ms(void)
{
	const char *e = getenv(APSIM_CTL_IDLE_ENV);
	char *end;
	double v;

	if (!e || !*e)
		return APSIM_CTL_IDLE_TIMEOUT * 1000u;
	v = strtod(e, &end);
	if (*end || !(v >= 0) || v > 86400.0 * 365)
		return APSIM_CTL_IDLE_TIMEOUT * 1000u;
	if (v > 0 && v < 0.001)
		v = 0.001;
	return (uint64_t)(v * 1000.0);
}

static void client_close(struct client *c)
{
	/* QEMU's exit: the guest's device is closed, the guest destroyed */
	apsim_guest_end(c->guest);
	if (c->fd >= 0)
		close(c->fd);
	apv_lb_free(&c->in);
	apsim_outq_free(&c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	apv_lb_init(&c->in, APSIM_CTL_MAX_LINE);
}

static bool emit_line(void *ctx, const char *line)
{
	struct client *c = ctx;

	return apsim_outq_push(&c->out, line);
}

static bool queue_error(struct client *c, int err, const char *msg)
{
	char *s = apv_proto_error(err, msg);
	bool ok = s && apsim_outq_push(&c->out, s);

	free(s);
	return ok;
}

/*
 * The `server` verb, answered here (the handler does not see the server):
 * the connections and the counters of the bounds.  False for every other
 * request.
 */
static bool server_verb(struct apsim_ctl *ctl, const char *line, size_t n,
			char **resp)
{
	static const char verb[] = "\"" APV_CMD_SERVER "\"";
	unsigned int used = 0, guests = 0;
	struct apv_req r;
	int rc;

	if (!memmem(line, n, verb, sizeof(verb) - 1))
		return false;
	rc = apv_req_parse(&r, line, n);
	if (!r.cmd || strcmp(r.cmd, APV_CMD_SERVER)) {
		json_decref(r.req);
		json_decref(r.resp);
		return false;
	}
	for (unsigned int i = 0; i < APSIM_CTL_MAX_CLIENTS; i++) {
		used += ctl->cl[i].fd >= 0;
		guests += ctl->cl[i].fd >= 0 && ctl->cl[i].guest;
	}
#define SET(k, v) apv_req_set(&r, NULL, k, json_integer((json_int_t)(v)))
	(void)(rc || SET(APV_KEY_CLIENTS, used) ||
	       SET(APV_KEY_GUESTS, guests) ||
	       SET(APV_KEY_MAX_CLIENTS, APSIM_CTL_MAX_CLIENTS) ||
	       SET(APV_KEY_IDLE_TIMEOUT_MS, ctl->idle_ms) ||
	       SET(APV_KEY_OUTQ_ROOM, APSIM_OUTQ_ROOM) ||
	       SET(APV_KEY_ACCEPTED, ctl->st.accepted) ||
	       SET(APV_KEY_IDLE_CLOSED, ctl->st.idle_closed) ||
	       SET(APV_KEY_EVICTED, ctl->st.evicted) ||
	       SET(APV_KEY_REFUSED, ctl->st.refused) ||
	       SET(APV_KEY_EVENTS_HELD, ctl->st.events_held) ||
	       SET(APV_KEY_TOO_LONG, ctl->st.too_long));
#undef SET
	*resp = apv_req_finish(&r);
	return true;
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
				&resp) &&
	    !server_verb(ctl, line, n, &resp))
		resp = apsim_ctl_handle(ctl->host, line, n);
	if (!resp)
		return queue_error(c, ENOMEM, "out of memory");
	ok = apsim_outq_push(&c->out, resp);
	free(resp);
	return ok;
}

/*
 * Handle the complete lines in the input buffer while the output queue has
 * room: one response at most is queued beyond APSIM_OUTQ_ROOM, so a client
 * that sends without reading only stalls itself.  The lines left are
 * handled by client_pump() once the queue has room again.
 */
static bool process_input(struct apsim_ctl *ctl, struct client *c)
{
	char *line;
	size_t n;
	int rc;

	while (apsim_outq_room(&c->out) &&
	       (rc = apv_lb_next(&c->in, &line, &n))) {
		if (rc == -E2BIG) {
			ctl->st.too_long++;
			if (!queue_error(c, E2BIG,
					 "request line longer than 65536 bytes"))
				return false;
		} else if (!handle_line(ctl, c, line, n)) {
			return false;
		}
	}
	/* the last line had no newline */
	if (apsim_outq_room(&c->out) && apv_lb_rest(&c->in, &line, &n) &&
	    !handle_line(ctl, c, line, n))
		return false;
	return true;
}

/*
 * Say what was held back for c while its queue was full: its guest
 * session's pending events, coalesced (a subscription would add its own
 * here).
 */
static void client_deliver_held(struct client *c)
{
	c->held = false;
	apsim_guest_poll(c->guest, emit_line, c);
}

/*
 * Serve c as far as its socket takes: buffered requests, then the events
 * held back while its queue was full, sending as it goes.  false: close.
 */
static bool client_pump(struct apsim_ctl *ctl, struct client *c)
{
	for (;;) {
		long r;

		if (!process_input(ctl, c))
			return false;
		if (c->held && apsim_outq_room(&c->out))
			client_deliver_held(c);
		if (!apsim_outq_unsent(&c->out))
			return true;
		r = apsim_outq_send(&c->out, c->fd);
		if (r < 0)
			return false;
		if (r > 0)
			c->last_ms = now_ms();
		if (apsim_outq_unsent(&c->out))
			return true; /* the socket is full: wait for POLLOUT */
	}
}

/* Read what is there and serve it; false: close the client. */
static bool client_read(struct apsim_ctl *ctl, struct client *c)
{
	ssize_t r = apv_lb_fill(&c->in, c->fd, MSG_DONTWAIT);

	if (r == -EAGAIN)
		return true;
	if (r < 0)
		return false;
	c->last_ms = now_ms();
	return client_pump(ctl, c);
}

/* A plain client: times out when idle, may be closed to make room. */
static bool evictable(const struct client *c)
{
	return c->fd >= 0 && !c->guest && !c->long_lived;
}

/*
 * A new client and no free slot: the evictable client idle the longest
 * makes room (a slot is always there for a new client while any
 * connection is a plain one), else the new one is refused with EMFILE.
 */
static struct client *make_room(struct apsim_ctl *ctl)
{
	struct client *old = NULL;

	for (unsigned int i = 0; i < APSIM_CTL_MAX_CLIENTS; i++) {
		struct client *c = &ctl->cl[i];

		if (evictable(c) && (!old || c->last_ms < old->last_ms))
			old = c;
	}
	if (old) {
		ctl->st.evicted++;
		client_close(old);
	}
	return old;
}

static void refuse(struct apsim_ctl *ctl, int fd)
{
	char *s = apv_proto_error(EMFILE, "too many clients");

	ctl->st.refused++;
	if (s) {
		size_t n = strlen(s);

		s[n] = '\n';
		(void)!send(fd, s, n + 1, MSG_DONTWAIT | MSG_NOSIGNAL);
		free(s);
	}
	close(fd);
}

static void accept_clients(struct apsim_ctl *ctl)
{
	/* a bounded batch per round: the served clients come first */
	for (unsigned int k = 0; k < 16; k++) {
		int fd = accept4(ctl->lfd, NULL, NULL,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct client *c = NULL;

		if (fd < 0)
			return;
		for (unsigned int i = 0; i < APSIM_CTL_MAX_CLIENTS && !c; i++)
			if (ctl->cl[i].fd < 0)
				c = &ctl->cl[i];
		if (!c)
			c = make_room(ctl);
		if (!c) {
			refuse(ctl, fd);
			continue;
		}
		ctl->st.accepted++;
		c->fd = fd;
		c->last_ms = now_ms();
	}
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
 *
 * A guest whose queue is full gets no line now: its notifications stay
 * pending as levels in its session (coalesced), a device request is
 * served all the same, and client_pump() says it all once the guest has
 * read enough.
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
		if (!apsim_outq_room(&c->out)) {
			apsim_guest_service(c->guest);
			if (!c->held)
				ctl->st.events_held++;
			c->held = true;
			continue;
		}
		apsim_guest_poll(c->guest, emit_line, c);
		/*
		 * out right away, not after another poll(); a failure shows
		 * at the next poll() (POLLOUT, POLLHUP), which closes it
		 */
		if (apsim_outq_unsent(&c->out) &&
		    apsim_outq_send(&c->out, c->fd) > 0)
			c->last_ms = now_ms();
	}
}

/*
 * Close the plain clients idle for the timeout; the milliseconds until the
 * next one may be due (-1: none).
 */
static int expire_idle(struct apsim_ctl *ctl)
{
	uint64_t now = now_ms(), next = UINT64_MAX;

	if (!ctl->idle_ms)
		return -1;
	for (unsigned int i = 0; i < APSIM_CTL_MAX_CLIENTS; i++) {
		struct client *c = &ctl->cl[i];
		uint64_t due;

		if (!evictable(c))
			continue;
		due = c->last_ms + ctl->idle_ms;
		if (due <= now) {
			ctl->st.idle_closed++;
			client_close(c);
		} else if (due < next) {
			next = due;
		}
	}
	if (next == UINT64_MAX)
		return -1;
	return next - now > INT32_MAX ? INT32_MAX : (int)(next - now);
}

static void *serve(void *arg)
{
	struct apsim_ctl *ctl = arg;
	struct pollfd pfd[APSIM_CTL_MAX_CLIENTS + 3];
	int idx[APSIM_CTL_MAX_CLIENTS + 3];

	for (;;) {
		int timeout = expire_idle(ctl);
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
			ev = apsim_outq_unsent(&c->out) ? POLLOUT :
			     c->in.eof			? 0 :
							  POLLIN;
			idx[n] = (int)i;
			pfd[n++] = (struct pollfd){.fd = c->fd, .events = ev};
		}
		if (poll(pfd, n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].revents)
			break;
		if (pfd[2].revents & POLLIN)
			deliver_guest_events(ctl);
		for (nfds_t k = 3; k < n; k++) {
			struct client *c = &ctl->cl[idx[k]];
			short re = pfd[k].revents;
			bool ok = true;

			if (!re || c->fd < 0)
				continue;
			if (re & POLLOUT)
				ok = client_pump(ctl, c);
			else if (re & POLLIN)
				ok = client_read(ctl, c);
			else if (re & (POLLHUP | POLLERR | POLLNVAL))
				ok = false;
			/* done: the client closed and everything is sent */
			if (ok && c->in.eof && !apsim_outq_unsent(&c->out))
				ok = false;
			if (!ok)
				client_close(c);
		}
		/* after the clients: an eviction must not hit a polled slot */
		if (pfd[1].revents & POLLIN)
			accept_clients(ctl);
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
	ctl->idle_ms = idle_timeout_ms();
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
