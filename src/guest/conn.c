// SPDX-License-Identifier: MIT
/*
 * The guest's connection to apsim (guest.h, docs/control-protocol.md
 * "Guest sessions"): a blocking AF_UNIX stream socket carrying JSON lines.
 * Requests are answered in order; event lines (objects with an "event"
 * key) may come at any time and are recorded whenever a line is read, so
 * none is lost while a response is awaited.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include <apvirt/proto/guest_wire.h>
#include <apvirt/proto/names.h>
#include <apvirt/uuid.h>

#include "guest_int.h"

/* Record one event. */
static void record_event(struct apv_guest *g, const struct apv_gw_event *ev)
{
	switch (ev->kind) {
	case APV_GW_EV_IRQ:
		g->iscs |= ev->iscs;
		g->ev.irqs++;
		break;
	case APV_GW_EV_CFG_CHANGE:
		g->ev.cfg_change += ev->count ? ev->count : 1;
		break;
	case APV_GW_EV_REQUEST:
		g->ev.request++;
		if (ev->closed)
			g->dropped = true;
		break;
	default:
		break;
	}
}

/*
 * Read one line (deadline: -1 forever): 1 with the line (NUL-terminated,
 * length *n; valid until the next read), 0 on timeout, -EPIPE at the end
 * of the stream, -EPROTO for a line too long, -errno.
 */
static int read_line(struct apv_guest *g, int64_t deadline, char **line,
		     size_t *n)
{
	int rc = apv_conn_read_line(&g->conn, deadline, line, n);

	return rc == -E2BIG ? -EPROTO : rc;
}

/* Parse one received line: 1 = an event (recorded), 0 = a response. */
static int classify(struct apv_guest *g, const char *line, size_t n,
		    json_t **out)
{
	struct apv_gw_event ev;
	int rc = apv_gw_event_parse(line, n, &ev, out);

	if (rc == 1)
		record_event(g, &ev);
	return rc;
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
	rc = apv_conn_send(&g->conn, line, len);
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
	int rc;

	*resp = NULL;
	if (!json_is_object(o)) {
		json_decref(o);
		return -EPROTO;
	}
	rc = apv_reply_status(o, g->err, sizeof(g->err));
	if (rc) {
		json_decref(o);
		return rc;
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
	int64_t deadline = timeout_ms < 0 ? -1 : apv_now_ms() + timeout_ms;

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
	    apv_uuid_parse(o->mdev, 36, uuid))
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
	path = o->socket ? o->socket : apv_proto_socket_path(NULL);
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->cpu = cpu;
	g->mem = mem;
	g->reply_buf = o->reply_buf ? o->reply_buf : 4096;
	g->psmid_pid = (uint32_t)getpid();
	apv_conn_init(&g->conn, APVG_MAX_LINE);
	rc = apv_conn_connect(&g->conn, path);
	if (rc) {
		free(g);
		return rc;
	}
	{
		char *s = apv_gw_attach_line(o->mdev, name, cpu, mem);

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
	g->fmt = (int)json_integer_value(
		json_object_get(r, APV_KEY_CRYCB_FORMAT));
	if (!json_is_integer(json_object_get(r, APV_KEY_CRYCB_FORMAT))) {
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
	apv_conn_close(&g->conn); /* apsim closes the device */
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
	int rc = apvg_call(g, "{\"cmd\":\"" APV_CMD_PING "\"}", &r);

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
