// SPDX-License-Identifier: MIT
/* apsim's control socket, the few requests apctl makes (apsim_probe.h). */
#include "apsim_probe.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <apvirt/proto/conn.h>
#include <apvirt/proto/names.h>

#include "sysfs.h"

/* How long one answer may take. */
#define ANSWER_MS 2000
/* The longest answer line apctl reads (guest.queue's is ~130 bytes). */
#define ANSWER_MAX 4096

struct ctl_apsim {
	struct apv_conn conn; /* closed once an answer did not come */
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

/* One request line out, one answer line in (parsed); NULL: no answer. */
static json_t *exchange(struct apv_conn *conn, json_t *req)
{
	char *line = json_dumps(req, JSON_COMPACT), *ans;
	size_t n;
	int r;

	json_decref(req);
	if (!line)
		return NULL;
	r = apv_conn_roundtrip(conn, line, ANSWER_MS, &ans, &n);
	free(line);
	return r == 1 ? json_loadb(ans, n, 0, NULL) : NULL;
}

/*
 * The answer if apsim said ok, else NULL.  No answer ends the connection,
 * so that a late line is never taken for the next request's answer.
 */
static json_t *ask(struct ctl_apsim *c, json_t *req)
{
	json_t *a;

	if (c->conn.fd < 0) {
		json_decref(req);
		return NULL;
	}
	a = exchange(&c->conn, req);
	if (!a) {
		apv_conn_close(&c->conn);
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
	const char *path = getenv(APV_PROTO_SOCKET_ENV);
	struct ctl_apsim *c;
	json_t *a;

	if (!path || !*path || !sysfs_is_sys())
		return NULL;
	c = xcalloc(1, sizeof(*c));
	apv_conn_init(&c->conn, ANSWER_MAX);
	if (apv_conn_connect(&c->conn, path)) {
		ctl_apsim_close(c);
		return NULL;
	}
	a = ask(c, json_pack("{s:s}", APV_KEY_CMD, APV_CMD_PING));
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
	apv_conn_close(&c->conn);
	free(c);
}

long ctl_apsim_in_flight(struct ctl_apsim *c, const char *apqn)
{
	json_t *a = ask(c, json_pack("{s:s,s:s}", APV_KEY_CMD,
				     APV_CMD_GUEST_QUEUE, APV_KEY_APQN, apqn));
	json_int_t rq =
		json_integer_value(json_object_get(a, APV_KEY_REQUESTS));
	json_int_t rp = json_integer_value(json_object_get(a, APV_KEY_REPLIES));
	long n = -1;

	if (json_is_integer(json_object_get(a, APV_KEY_REQUESTS)) &&
	    json_is_integer(json_object_get(a, APV_KEY_REPLIES)) && rq >= 0 &&
	    rp >= 0 && rq <= LONG_MAX - rp)
		n = (long)(rq + rp);
	json_decref(a);
	return n;
}
