// SPDX-License-Identifier: MIT
/*
 * The guest's connection to apsim (guest.h, docs/control-protocol.md
 * "Guest sessions"): a blocking AF_UNIX stream socket carrying JSON lines.
 * Requests are answered in order; event lines (objects with an "event"
 * key) may come at any time and are recorded whenever a line is read, so
 * none is lost while a response is awaited.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include <apvirt/parse.h>

#include "guest_int.h"

#define DEFAULT_SOCKET "/run/apsim.sock"
#define MAX_LINE ((size_t)4 << 20)

static const struct {
	const char *name;
	int err;
} errnos[] = {
	{"EPERM", EPERM},
	{"ENOENT", ENOENT},
	{"EIO", EIO},
	{"E2BIG", E2BIG},
	{"EAGAIN", EAGAIN},
	{"ENOMEM", ENOMEM},
	{"EFAULT", EFAULT},
	{"EBUSY", EBUSY},
	{"EEXIST", EEXIST},
	{"ENODEV", ENODEV},
	{"EINVAL", EINVAL},
	{"EMFILE", EMFILE},
	{"ENOSPC", ENOSPC},
	{"ERANGE", ERANGE},
	{"EOPNOTSUPP", EOPNOTSUPP},
	{"ENOTCONN", ENOTCONN},
	{"EISCONN", EISCONN},
	{"EUSERS", EUSERS},
	{"EADDRINUSE", EADDRINUSE},
	{"EADDRNOTAVAIL", EADDRNOTAVAIL},
};

static int errno_of(const char *name)
{
	for (size_t i = 0; name && i < sizeof(errnos) / sizeof(*errnos); i++)
		if (!strcmp(errnos[i].name, name))
			return errnos[i].err;
	return EPROTO;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Record one event line. */
static void record_event(struct apv_guest *g, json_t *o)
{
	const char *ev = json_string_value(json_object_get(o, "event"));
	json_int_t n = json_integer_value(json_object_get(o, "count"));

	if (!ev)
		return;
	if (!strcmp(ev, "irq")) {
		g->iscs |= (unsigned int)json_integer_value(
			json_object_get(o, "iscs"));
		g->ev.irqs++;
	} else if (!strcmp(ev, "cfg_change")) {
		g->ev.cfg_change += n > 0 ? (uint64_t)n : 1;
	} else if (!strcmp(ev, "request")) {
		g->ev.request++;
		if (json_is_true(json_object_get(o, "closed")))
			g->dropped = true;
	}
}

/*
 * Read one line (timeout_ms: -1 forever, or until the deadline).  1 with
 * the line (NUL-terminated, in g->rbuf, length *n; consumed by the next
 * call), 0 on timeout, -EPIPE at the end of the stream, -errno.
 */
static int read_line(struct apv_guest *g, int64_t deadline, char **line,
		     size_t *n)
{
	if (g->consumed) {
		memmove(g->rbuf, g->rbuf + g->consumed, g->rlen - g->consumed);
		g->rlen -= g->consumed;
		g->consumed = 0;
	}
	for (;;) {
		char *nl = g->rlen ? memchr(g->rbuf, '\n', g->rlen) : NULL;
		ssize_t r;

		if (nl) {
			*nl = '\0';
			*line = g->rbuf;
			*n = (size_t)(nl - g->rbuf);
			g->consumed = *n + 1;
			return 1;
		}
		if (deadline >= 0) {
			int64_t left = deadline - now_ms();
			struct pollfd p = {.fd = g->fd, .events = POLLIN};
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
		if (g->rcap - g->rlen < 4096) {
			size_t cap = g->rcap ? g->rcap * 2 : 8192;
			char *nb;

			if (cap > MAX_LINE)
				return -EPROTO;
			nb = realloc(g->rbuf, cap);
			if (!nb)
				return -ENOMEM;
			g->rbuf = nb;
			g->rcap = cap;
		}
		r = recv(g->fd, g->rbuf + g->rlen, g->rcap - g->rlen - 1, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return errno == ECONNRESET ? -EPIPE : -errno;
		if (r == 0)
			return -EPIPE;
		g->rlen += (size_t)r;
	}
}

/*
 * The irq event exactly as apsim writes it, {"event":"irq","iscs":N,
 * "total":N}, recorded without jansson; false for any other line.
 */
static bool fast_irq_event(struct apv_guest *g, const char *line, size_t n)
{
	static const char head[] = "{\"event\":\"irq\",\"iscs\":";
	const char *p = line + sizeof(head) - 1, *end = line + n;
	unsigned long iscs = 0;

	if (n < sizeof(head) || memcmp(line, head, sizeof(head) - 1))
		return false;
	if (p == end || *p < '0' || *p > '9')
		return false;
	while (p < end && *p >= '0' && *p <= '9' && iscs <= 0xff)
		iscs = iscs * 10 + (unsigned long)(*p++ - '0');
	if (iscs > 0xff || end - p < 11 || memcmp(p, ",\"total\":", 9))
		return false;
	for (p += 9; p < end && *p >= '0' && *p <= '9'; p++)
		;
	if (p + 1 != end || *p != '}')
		return false;
	g->iscs |= (unsigned int)iscs;
	g->ev.irqs++;
	return true;
}

/* Parse one received line: 1 = an event (recorded), 0 = a response. */
static int classify(struct apv_guest *g, const char *line, size_t n,
		    json_t **out)
{
	json_t *o;

	*out = NULL;
	if (fast_irq_event(g, line, n))
		return 1;
	o = json_loadb(line, n, 0, NULL);
	if (!json_is_object(o)) {
		json_decref(o);
		return -EPROTO;
	}
	if (json_object_get(o, "event")) {
		record_event(g, o);
		json_decref(o);
		return 1;
	}
	*out = o;
	return 0;
}

static int send_all(struct apv_guest *g, const char *s, size_t n)
{
	while (n) {
		ssize_t r = send(g->fd, s, n, MSG_NOSIGNAL);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return errno == ECONNRESET ? -EPIPE : -errno;
		s += r;
		n -= (size_t)r;
	}
	return 0;
}

/* True when the line starts like a response that is not an event. */
static bool is_response(const char *l, size_t n)
{
	return n > 6 && !memcmp(l, "{\"ok\":", 6);
}

int apvg_send_line(struct apv_guest *g, const char *line, size_t len,
		   char **resp, size_t *resp_len)
{
	int rc;

	g->err[0] = '\0';
	if (g->fd < 0)
		return -EPIPE;
	rc = send_all(g, line, len);
	if (rc)
		return rc;
	for (;;) {
		char *l = NULL;
		size_t n = 0;
		json_t *o;

		rc = read_line(g, -1, &l, &n);
		if (rc < 0)
			return rc;
		/* apsim's responses start with "ok": no need to look closer */
		if (is_response(l, n)) {
			*resp = l;
			*resp_len = n;
			return 0;
		}
		rc = classify(g, l, n, &o);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			json_decref(o);
			*resp = l;
			*resp_len = n;
			return 0;
		}
	}
}

int apvg_response(struct apv_guest *g, const char *l, size_t n, void **resp)
{
	json_t *o = json_loadb(l, n, 0, NULL);

	*resp = NULL;
	if (!json_is_object(o)) {
		json_decref(o);
		return -EPROTO;
	}
	if (!json_is_true(json_object_get(o, "ok"))) {
		const char *en = json_string_value(json_object_get(o, "errno"));
		const char *msg =
			json_string_value(json_object_get(o, "error"));

		int e = errno_of(en);

		snprintf(g->err, sizeof(g->err), "%s: %s", en ? en : "?",
			 msg ? msg : "");
		json_decref(o);
		return -e;
	}
	*resp = o;
	return 0;
}

int apvg_call(struct apv_guest *g, const char *line, void **resp)
{
	size_t len = strlen(line), n = 0;
	char stack[512], *b = stack, *l = NULL;
	int rc;

	*resp = NULL;
	/* one send for the line and its newline */
	if (len + 1 > sizeof(stack)) {
		b = malloc(len + 1);
		if (!b)
			return -ENOMEM;
	}
	/* a line, not a C string: ends in '\n', no NUL */
	// NOLINTNEXTLINE(bugprone-not-null-terminated-result)
	memcpy(b, line, len);
	b[len] = '\n';
	rc = apvg_send_line(g, b, len + 1, &l, &n);
	if (b != stack)
		free(b);
	if (rc)
		return rc;
	return apvg_response(g, l, n, resp);
}

int apvg_pump_events(struct apv_guest *g, int timeout_ms)
{
	int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;

	if (g->fd < 0)
		return -EPIPE;
	for (;;) {
		char *l = NULL;
		size_t n = 0;
		json_t *o;
		int rc;

		/* one poll even for timeout 0 */
		rc = read_line(g, deadline < 0 ? -1 : deadline, &l, &n);
		if (rc <= 0)
			return rc;
		rc = classify(g, l, n, &o);
		if (rc < 0)
			return rc;
		json_decref(o); /* a response nobody waits for: dropped */
		if (g->iscs)
			return 1;
	}
}

static int connect_to(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)&sa, sizeof(sa))) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

static const char *const cpu_names[] = {"ap", "apqci", "apft", "apqi", "msa3"};

int apv_guest_open(const struct apv_guest_opts *o, struct apv_guest **out)
{
	const char *path;
	struct apv_guest *g;
	uint8_t uuid[16];
	unsigned int cpu;
	uint64_t mem;
	json_t *r;
	void *vr;
	char name[64];
	int rc;

	*out = NULL;
	if (!o || !o->mdev || strlen(o->mdev) != 36 ||
	    apv_parse_uuid(o->mdev, 36, uuid))
		return -EINVAL;
	cpu = o->cpu ? o->cpu : APV_CPU_DEFAULT;
	mem = o->mem_size ? o->mem_size : UINT64_C(1) << 20;
	if ((cpu & ~APV_CPU_DEFAULT) || mem % 4096 || mem < 65536 ||
	    mem > APV_GUEST_MEM_MAX || o->reply_buf % 2 ||
	    o->reply_buf > APV_GUEST_SCRATCH / 2)
		return -EINVAL;
	if (o->name)
		snprintf(name, sizeof(name), "%s", o->name);
	else
		snprintf(name, sizeof(name), "guest-%ld", (long)getpid());
	path = o->socket;
	if (!path)
		path = getenv("APSIM_SOCKET");
	if (!path || !*path)
		path = DEFAULT_SOCKET;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->cpu = cpu;
	g->mem = mem;
	g->reply_buf = o->reply_buf ? o->reply_buf : 4096;
	g->psmid_pid = (uint32_t)getpid();
	g->fd = connect_to(path);
	if (g->fd < 0) {
		rc = g->fd == -ENOENT ? -ENOENT : g->fd;
		free(g);
		return rc;
	}
	/* {"cmd":"guest.attach","mdev":..,"name":..,"cpu":[..],"mem":N} */
	{
		json_t *req = json_pack("{s:s,s:s,s:s,s:I}", "cmd",
					"guest.attach", "mdev", o->mdev, "name",
					name, "mem", (json_int_t)mem);
		json_t *c = json_array();
		char *s;

		for (unsigned int i = 0; c && i < 5; i++)
			if (cpu & (1u << i))
				json_array_append_new(
					c, json_string(cpu_names[i]));
		if (!req || !c || json_object_set_new(req, "cpu", c)) {
			json_decref(req);
			apv_guest_close(g);
			return -ENOMEM;
		}
		s = json_dumps(req, JSON_COMPACT);
		json_decref(req);
		if (!s) {
			apv_guest_close(g);
			return -ENOMEM;
		}
		rc = apvg_call(g, s, &vr);
		free(s);
	}
	if (rc) {
		if (o->err && o->err_len)
			snprintf(o->err, o->err_len, "%s", g->err);
		/* a peer that does not answer JSON lines */
		if (rc == -EPIPE)
			rc = -EPROTO;
		apv_guest_close(g);
		return rc;
	}
	r = vr;
	g->fmt = (int)json_integer_value(json_object_get(r, "crycb_format"));
	if (!json_is_integer(json_object_get(r, "crycb_format"))) {
		json_decref(r);
		apv_guest_close(g);
		return -EPROTO;
	}
	json_decref(r);
	*out = g;
	return 0;
}

void apv_guest_close(struct apv_guest *g)
{
	if (!g)
		return;
	if (g->fd >= 0)
		close(g->fd); /* apsim closes the device */
	free(g->rbuf);
	free(g);
}

const char *apv_guest_error(const struct apv_guest *g)
{
	return g->err;
}

unsigned int apv_guest_cpu(const struct apv_guest *g)
{
	return g->cpu;
}

int apv_guest_crycb_format(const struct apv_guest *g)
{
	return g->fmt;
}

void apv_guest_events(const struct apv_guest *g, struct apv_guest_events *out)
{
	*out = g->ev;
}

int apv_guest_sync(struct apv_guest *g)
{
	void *r;
	int rc = apvg_call(g, "{\"cmd\":\"ping\"}", &r);

	if (rc)
		return rc;
	json_decref(r);
	return 0;
}

int apv_guest_wait_irq(struct apv_guest *g, int timeout_ms, unsigned int *iscs)
{
	int rc = 0;

	*iscs = 0;
	if (!g->iscs) {
		rc = apvg_pump_events(g, timeout_ms);
		if (rc < 0)
			return rc;
	}
	*iscs = g->iscs;
	g->iscs = 0;
	return *iscs ? 1 : 0;
}
