// SPDX-License-Identifier: MIT
/*
 * The control protocol's request handler (ctl.h, docs/control-protocol.md):
 * one JSON request line in, one JSON response out.  Pure apart from the
 * model calls: no I/O, no globals, so the server, the unit tests and the
 * fuzzer drive the same function.
 *
 * Hardware events go through the model's apv_hw_* functions, which run the
 * bus scan exactly as a real host does on the configuration-change
 * notification (or leave the change pending with "scan": false).  Queries
 * are built from the public model API (and the attribute layer), so a
 * "state" is what the sysfs tree would show, not private structures.  A
 * query takes the host lock once per model call: it is not one atomic
 * snapshot while other parties write.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <apvirt/attr.h>
#include <apvirt/bus.h>
#include <apvirt/format.h>
#include <apvirt/host.h>
#include <apvirt/log.h>
#include <apvirt/parse.h>
#include <apvirt/reason.h>
#include <apvirt/vfio_ap.h>
#include <apvirt/zcdn.h>

#include <apvirt/proto/names.h>
#include <apvirt/proto/request.h>

#include "control.h"
#include "simjson.h"
#include "udev_events.h"

/* Log entries an event response carries at most. */
#define EVENT_LOG_MAX 64
#define LOG_MAX_DEFAULT 256

/* ---- request context --------------------------------------------------- */

struct hreq {
	struct apv_req r; /* request, reply, first failure (proto) */
	struct apv_host *host;
	bool model; /* the failure is the model's: report its reason */
	struct apv_reason reason;
};

/* A protocol error (bad request): message, no model reason. */
#define bad(h, ...) apv_req_fail(&(h)->r, __VA_ARGS__)

/* Record a model call's result: rc < 0 keeps the thread's reason. */
static int model(struct hreq *h, int rc)
{
	const struct apv_reason *r = apv_reason_last();

	if (rc >= 0)
		return 0;
	h->r.err = rc;
	h->model = true;
	h->reason = *r;
	snprintf(h->r.msg, sizeof(h->r.msg), "%s",
		 r->msg[0] ? r->msg : strerror(-rc));
	return rc;
}

/* Stop at the first failed json_* construction: treat it as ENOMEM. */
static int oom(struct hreq *h)
{
	return apv_req_oom(&h->r);
}

static int set(struct hreq *h, json_t *obj, const char *key, json_t *v)
{
	return apv_req_set(&h->r, obj, key, v);
}

static int push(struct hreq *h, json_t *arr, json_t *v)
{
	return apv_req_push(&h->r, arr, v);
}

static json_t *mask_json(const struct apv_bitmap *m)
{
	struct apv_strbuf sb = APV_STRBUF_INIT;
	json_t *v;

	if (apv_fmt_mask_hex(&sb, m))
		return NULL;
	v = json_string(apv_sb_str(&sb));
	apv_sb_free(&sb);
	return v;
}

static json_t *ids_json(const struct apv_bitmap *m)
{
	json_t *a = json_array();

	apv_bm_for_each(id, m) {
		if (!a || json_array_append_new(a, json_integer(id))) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *apqn_json(apv_apqn q)
{
	char s[APV_APQN_STRLEN];

	return json_string(apv_apqn_str(q, s));
}

static json_t *uuid_json(const uint8_t u[16])
{
	char s[37];

	return json_string(apv_uuid_str(u, s));
}

/* ---- arguments --------------------------------------------------------- */

/* Refuse keys other than "cmd", "tag" and the command's own. */
static int check_keys(struct hreq *h, const char *const *allowed)
{
	const char *key;
	json_t *v;

	json_object_foreach(h->r.req, key, v)
	{
		bool ok = !strcmp(key, "cmd") || !strcmp(key, "tag");
		char list[160] = "";
		size_t n = 0;

		for (size_t i = 0; !ok && allowed && allowed[i]; i++)
			ok = !strcmp(key, allowed[i]);
		if (ok)
			continue;
		for (size_t i = 0; allowed && allowed[i]; i++)
			n += (size_t)snprintf(list + n, sizeof(list) - n,
					      "%s%s", i ? ", " : "",
					      allowed[i]);
		return bad(h, -EINVAL,
			   "%s: unknown argument for %s (expected: %s)", key,
			   h->r.cmd, n ? list : "none");
	}
	return 0;
}

static int arg_id(struct hreq *h, const char *key, unsigned int *out)
{
	const json_t *v = json_object_get(h->r.req, key);
	const char *why;

	if (!v)
		return bad(h, -EINVAL, "%s: missing", key);
	if (apsim_json_id(v, out, &why))
		return bad(h, -EINVAL, "%s: %s", key, why);
	return 0;
}

static int arg_bool(struct hreq *h, const char *key, bool required, bool *out)
{
	const json_t *v = json_object_get(h->r.req, key);

	if (!v) {
		if (required)
			return bad(h, -EINVAL, "%s: missing (true or false)",
				   key);
		return 0;
	}
	if (!json_is_boolean(v))
		return bad(h, -EINVAL, "%s: expected true or false", key);
	*out = json_is_true(v);
	return 0;
}

/* Unsigned integer argument within [min, max]. */
static int arg_uint(struct hreq *h, const char *key, json_int_t min,
		    json_int_t max, json_int_t *out)
{
	const json_t *v = json_object_get(h->r.req, key);

	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max)
		return bad(h, -EINVAL, "%s: expected an integer %lld..%lld",
			   key, (long long)min, (long long)max);
	*out = json_integer_value(v);
	return 0;
}

/* "scan": false leaves a hardware event pending (APV_EV_NOSCAN). */
static int arg_scan(struct hreq *h, unsigned int *flags)
{
	bool scan = true;
	int rc = arg_bool(h, "scan", false, &scan);

	*flags = scan ? 0 : APV_EV_NOSCAN;
	return rc;
}

/* ---- log entries ------------------------------------------------------- */

static const char *level_name(enum apv_log_level l)
{
	switch (l) {
	case APV_LOG_ERR:
		return "err";
	case APV_LOG_WARNING:
		return "warning";
	case APV_LOG_NOTICE:
		return "notice";
	case APV_LOG_INFO:
		return "info";
	case APV_LOG_DEBUG:
		return "debug";
	}
	return "unknown";
}

static json_t *reason_json(enum apv_rule rule, bool has_apqn, apv_apqn q,
			   bool has_id, unsigned int id, const char *owner,
			   const struct apv_bitmap *mask)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	if (json_object_set_new(o, "rule", json_string(apv_rule_name(rule))) ||
	    (has_apqn && json_object_set_new(o, "apqn", apqn_json(q))) ||
	    (has_id && json_object_set_new(o, "id", json_integer(id))) ||
	    (owner && owner[0] &&
	     json_object_set_new(o, "owner", json_string(owner))) ||
	    (mask && json_object_set_new(o, "mask", mask_json(mask)))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *log_entry_json(const struct apv_log_entry *e)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	if (json_object_set_new(o, "seq", json_integer((json_int_t)e->seq)) ||
	    json_object_set_new(o, "time_ns",
				json_integer((json_int_t)e->time_ns)) ||
	    json_object_set_new(o, "level",
				json_string(level_name(e->level))) ||
	    json_object_set_new(o, "device", json_string(e->device)) ||
	    json_object_set_new(o, "text", json_string(e->text)) ||
	    (e->rule != APV_RULE_NONE &&
	     json_object_set_new(o, "reason",
				 reason_json(e->rule, e->has_apqn, e->apqn,
					     false, 0, e->owner, NULL)))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* Append the entries after seq `since` (at most max) to h->r.resp[key]. */
static int add_log(struct hreq *h, const char *key, uint64_t since, size_t max)
{
	struct apv_log_entry *e;
	json_t *arr = json_array();
	size_t n;
	int rc = 0;

	if (!arr)
		return oom(h);
	e = calloc(max ? max : 1, sizeof(*e));
	if (!e) {
		json_decref(arr);
		return oom(h);
	}
	n = apv_log_read(h->host, since, e, max);
	for (size_t i = 0; i < n && !rc; i++)
		rc = push(h, arr, log_entry_json(&e[i]));
	if (!rc && n && since && e[0].seq > since + 1)
		rc = set(h, h->r.resp, "lost",
			 json_integer((json_int_t)(e[0].seq - since - 1)));
	free(e);
	if (rc) {
		json_decref(arr);
		return rc;
	}
	return set(h, h->r.resp, key, arr);
}

/* ---- hardware events --------------------------------------------------- */

/* Common tail of an event: what it logged, whether it scanned. */
static int event_done(struct hreq *h, uint64_t seq0, unsigned int flags)
{
	if (set(h, h->r.resp, "scanned",
		json_boolean(!(flags & APV_EV_NOSCAN))))
		return h->r.err;
	return add_log(h, "log", seq0, EVENT_LOG_MAX);
}

static int cmd_adapter_onoff(struct hreq *h, bool checkstop)
{
	static const char *const keys[] = {"id", "on", "scan", NULL};
	unsigned int id = 0, flags = 0;
	bool on = false;
	uint64_t seq0;

	if (check_keys(h, keys) || arg_id(h, "id", &id) ||
	    arg_bool(h, "on", true, &on) || arg_scan(h, &flags))
		return h->r.err;
	seq0 = apv_log_last_seq(h->host);
	if (model(h, checkstop ?
			     apv_hw_adapter_checkstop(h->host, id, on, flags) :
			     apv_hw_adapter_configure(h->host, id, on, flags)))
		return h->r.err;
	return event_done(h, seq0, flags);
}

static int cmd_adapter_configure(struct hreq *h)
{
	return cmd_adapter_onoff(h, false);
}

static int cmd_adapter_checkstop(struct hreq *h)
{
	return cmd_adapter_onoff(h, true);
}

static int cmd_adapter_add(struct hreq *h)
{
	static const char *const keys[] = {"id",     "type", "mode",
					   "config", "scan", NULL};
	struct apv_adapter_spec s = {0};
	const json_t *type = json_object_get(h->r.req, "type");
	const json_t *mode = json_object_get(h->r.req, "mode");
	bool legacy_ok = apv_host_kernel(h->host) == APV_KERNEL_6_1;
	bool config = true;
	unsigned int flags = 0;
	const char *why;
	uint64_t seq0;

	if (check_keys(h, keys) || arg_id(h, "id", &s.id) ||
	    arg_bool(h, "config", false, &config) || arg_scan(h, &flags))
		return h->r.err;
	if (!type)
		return bad(h, -EINVAL, "type: missing (CEX4..CEX8)");
	if (apsim_json_type(type, legacy_ok, &s.type, &why))
		return bad(h, -EINVAL, "type: %s", why);
	if (mode) {
		if (apsim_json_mode(mode, &s.mode, &why))
			return bad(h, -EINVAL, "mode: %s", why);
		if (apsim_type_is_legacy(s.type) &&
		    s.mode != apsim_legacy_mode(s.type))
			return bad(h, -EINVAL, "mode: this type is always %s",
				   apsim_mode_name(apsim_legacy_mode(s.type)));
	} else if (apsim_type_is_legacy(s.type)) {
		s.mode = apsim_legacy_mode(s.type);
	} else {
		return bad(h, -EINVAL, "mode: missing (accel, cca or ep11)");
	}
	s.standby = !config;
	seq0 = apv_log_last_seq(h->host);
	if (model(h, apv_hw_adapter_add(h->host, &s, flags)))
		return h->r.err;
	return event_done(h, seq0, flags);
}

static int cmd_adapter_remove_restore(struct hreq *h, bool restore)
{
	static const char *const keys[] = {"id", "scan", NULL};
	unsigned int id = 0, flags = 0;
	uint64_t seq0;

	if (check_keys(h, keys) || arg_id(h, "id", &id) || arg_scan(h, &flags))
		return h->r.err;
	seq0 = apv_log_last_seq(h->host);
	if (model(h, restore ? apv_hw_adapter_restore(h->host, id, flags) :
			       apv_hw_adapter_remove(h->host, id, flags)))
		return h->r.err;
	return event_done(h, seq0, flags);
}

static int cmd_adapter_remove(struct hreq *h)
{
	return cmd_adapter_remove_restore(h, false);
}

static int cmd_adapter_restore(struct hreq *h)
{
	return cmd_adapter_remove_restore(h, true);
}

static int cmd_domain(struct hreq *h, bool control, bool present)
{
	static const char *const keys[] = {"id", "scan", NULL};
	unsigned int id = 0, flags = 0;
	uint64_t seq0;
	int rc;

	if (check_keys(h, keys) || arg_id(h, "id", &id) || arg_scan(h, &flags))
		return h->r.err;
	seq0 = apv_log_last_seq(h->host);
	rc = control ? apv_hw_control_domain_set(h->host, id, present, flags) :
		       apv_hw_domain_set(h->host, id, present, flags);
	if (model(h, rc))
		return h->r.err;
	return event_done(h, seq0, flags);
}

static int cmd_domain_add(struct hreq *h)
{
	return cmd_domain(h, false, true);
}

static int cmd_domain_remove(struct hreq *h)
{
	return cmd_domain(h, false, false);
}

static int cmd_control_domain_add(struct hreq *h)
{
	return cmd_domain(h, true, true);
}

static int cmd_control_domain_remove(struct hreq *h)
{
	return cmd_domain(h, true, false);
}

static int cmd_scan(struct hreq *h)
{
	struct apv_host_stats st;
	uint64_t seq0;

	if (check_keys(h, NULL))
		return h->r.err;
	seq0 = apv_log_last_seq(h->host);
	apv_bus_scan(h->host);
	apv_host_stats(h->host, &st);
	if (set(h, h->r.resp, "scans", json_integer((json_int_t)st.scans)))
		return h->r.err;
	return add_log(h, "log", seq0, EVENT_LOG_MAX);
}

/* ---- queries ----------------------------------------------------------- */

/* An attribute as text without its newline; false if it cannot be read. */
static bool read_attr(struct hreq *h, struct apv_obj o, const char *name,
		      char *buf, size_t size)
{
	struct apv_strbuf sb = APV_STRBUF_INIT;
	bool ok = apv_attr_read(h->host, &o, name, &sb) == 0;
	size_t n = sb.len;

	if (ok) {
		if (n && sb.s[n - 1] == '\n')
			n--;
		snprintf(buf, size, "%.*s", (int)n, sb.s);
	}
	apv_sb_free(&sb);
	return ok;
}

static json_t *attr_int(struct hreq *h, struct apv_obj o, const char *name)
{
	char buf[64];

	if (!read_attr(h, o, name, buf, sizeof(buf)))
		return json_null();
	return json_integer(strtoll(buf, NULL, 0));
}

static json_t *attr_bool(struct hreq *h, struct apv_obj o, const char *name)
{
	char buf[64];

	if (!read_attr(h, o, name, buf, sizeof(buf)))
		return json_null();
	return json_boolean(!strcmp(buf, "1"));
}

static json_t *attr_str(struct hreq *h, struct apv_obj o, const char *name)
{
	char buf[256];

	if (!read_attr(h, o, name, buf, sizeof(buf)))
		return json_null();
	return json_string(buf);
}

/* The bus's copy of the QCI masks (what it saw at its last scan). */
static bool bus_qci_mask(struct hreq *h, const char *name,
			 struct apv_bitmap *out)
{
	char buf[128];

	return read_attr(h, apv_obj_bus(), name, buf, sizeof(buf)) &&
	       apv_parse_mask_abs(buf, strlen(buf), out) == 0;
}

static json_t *driver_json(struct hreq *h, const char *dev)
{
	char drv[32];

	if (apv_bus_device_driver(h->host, dev, drv, sizeof(drv)))
		return json_null();
	return drv[0] ? json_string(drv) : json_null();
}

/* The owner of an APQN: an mdev UUID, "host" (reserved) or null. */
static json_t *owner_json(struct hreq *h, apv_apqn q)
{
	uint8_t u[16];

	if (apv_vfio_owner(h->host, q, u) == 0)
		return uuid_json(u);
	if (apv_bus_reserved(h->host, q))
		return json_string("host");
	return json_null();
}

static int machine_json(struct hreq *h, json_t **out)
{
	struct apv_qci q;
	json_t *m = json_object(), *ads = json_array();
	char tn[16];
	int rc = 0;

	*out = m;
	if (!m || !ads) {
		json_decref(ads);
		return oom(h);
	}
	apv_hw_qci(h->host, &q);
	if (set(h, m, "qci", json_boolean(q.available)) ||
	    set(h, m, "apxa", json_boolean(q.apxa)) ||
	    set(h, m, "apsc", json_boolean(q.apsc)) ||
	    set(h, m, "qact", json_boolean(q.qact)) ||
	    set(h, m, "rc8a", json_boolean(q.rc8a)) ||
	    set(h, m, "na", json_integer(q.na)) ||
	    set(h, m, "nd", json_integer(q.nd)) ||
	    set(h, m, "apm", mask_json(&q.apm)) ||
	    set(h, m, "aqm", mask_json(&q.aqm)) ||
	    set(h, m, "adm", mask_json(&q.adm)) ||
	    set(h, m, "domains", ids_json(&q.aqm)) ||
	    set(h, m, "control_domains", ids_json(&q.adm))) {
		json_decref(ads);
		return h->r.err;
	}
	for (unsigned int a = 0; a < APV_MAX_IDS && !rc; a++) {
		struct apv_adapter_state st;
		json_t *o;
		char f[16];

		if (apv_hw_adapter_state(h->host, a, &st))
			continue;
		o = json_object();
		snprintf(f, sizeof(f), "0x%08X", st.functions);
		rc = push(h, ads, o);
		if (!rc &&
		    (set(h, o, "id", json_integer(a)) ||
		     set(h, o, "type",
			 json_string(apsim_type_name(st.spec.type, tn))) ||
		     set(h, o, "raw_type", json_integer(st.spec.type)) ||
		     set(h, o, "mode",
			 json_string(apsim_mode_name(st.spec.mode))) ||
		     set(h, o, "functions", json_string(f)) ||
		     set(h, o, "in_config", json_boolean(st.in_config)) ||
		     set(h, o, "configured", json_boolean(st.configured)) ||
		     set(h, o, "chkstop", json_boolean(st.chkstop))))
			rc = h->r.err;
	}
	if (rc) {
		json_decref(ads);
		return rc;
	}
	return set(h, m, "adapters", ads);
}

static int bus_json(struct hreq *h, json_t **out)
{
	struct apv_bitmap apmask, aqmask, apm, aqm, adm;
	struct apv_host_stats st;
	unsigned int bound, total;
	bool complete;
	json_t *b = json_object(), *bi = json_object(), *qci = NULL;

	*out = b;
	if (!b || !bi) {
		json_decref(bi);
		return oom(h);
	}
	apv_bus_masks(h->host, &apmask, &aqmask);
	apv_bus_bindings(h->host, &bound, &total, &complete);
	apv_host_stats(h->host, &st);
	if (set(h, b, "bindings", bi) ||
	    set(h, bi, "bound", json_integer(bound)) ||
	    set(h, bi, "total", json_integer(total)) ||
	    set(h, bi, "complete", json_boolean(complete)))
		return h->r.err;
	if (bus_qci_mask(h, "ap_adapter_mask", &apm) &&
	    bus_qci_mask(h, "ap_usage_domain_mask", &aqm) &&
	    bus_qci_mask(h, "ap_control_domain_mask", &adm)) {
		qci = json_object();
		if (set(h, b, "qci", qci) ||
		    set(h, qci, "apm", mask_json(&apm)) ||
		    set(h, qci, "aqm", mask_json(&aqm)) ||
		    set(h, qci, "adm", mask_json(&adm)))
			return h->r.err;
	} else if (set(h, b, "qci", json_null())) {
		return h->r.err;
	}
	if (set(h, b, "apmask", mask_json(&apmask)) ||
	    set(h, b, "aqmask", mask_json(&aqmask)) ||
	    set(h, b, "scans", json_integer((json_int_t)st.scans)) ||
	    set(h, b, "max_adapter_id",
		attr_int(h, apv_obj_bus(), "ap_max_adapter_id")) ||
	    set(h, b, "max_domain_id",
		attr_int(h, apv_obj_bus(), "ap_max_domain_id")) ||
	    set(h, b, "ap_domain", attr_int(h, apv_obj_bus(), "ap_domain")))
		return h->r.err;
	return 0;
}

static int queue_json(struct hreq *h, apv_apqn q, json_t *arr)
{
	struct apv_obj o = apv_obj_queue(q);
	enum apv_queue_status qs;
	char name[APV_APQN_STRLEN];
	json_t *j = json_object();

	apv_apqn_str(q, name);
	if (push(h, arr, j) || set(h, j, "apqn", json_string(name)) ||
	    set(h, j, "driver", driver_json(h, name)) ||
	    set(h, j, "reserved", json_boolean(apv_bus_reserved(h->host, q))) ||
	    set(h, j, "owner", owner_json(h, q)) ||
	    set(h, j, "config", attr_bool(h, o, "config")) ||
	    set(h, j, "chkstop", attr_bool(h, o, "chkstop")) ||
	    set(h, j, "status",
		apv_vfio_queue_status(h->host, q, &qs) ?
			json_null() :
			json_string(apv_queue_status_name(qs))))
		return h->r.err;
	return 0;
}

static int cards_json(struct hreq *h, bool queues, json_t **out)
{
	struct apv_bitmap cards;
	json_t *arr = json_array();

	*out = arr;
	if (!arr)
		return oom(h);
	apv_bus_cards(h->host, &cards);
	apv_bm_for_each(a, &cards) {
		struct apv_obj o = apv_obj_card((unsigned int)a);
		struct apv_bitmap qs;
		char name[APV_CARD_STRLEN];
		json_t *c = json_object(), *qa;

		apv_card_str((unsigned int)a, name);
		if (push(h, arr, c) || set(h, c, "id", json_integer(a)) ||
		    set(h, c, "name", json_string(name)) ||
		    set(h, c, "hwtype", attr_int(h, o, "hwtype")) ||
		    set(h, c, "raw_hwtype", attr_int(h, o, "raw_hwtype")) ||
		    set(h, c, "type", attr_str(h, o, "type")) ||
		    set(h, c, "functions", attr_str(h, o, "ap_functions")) ||
		    set(h, c, "driver", driver_json(h, name)) ||
		    set(h, c, "config", attr_bool(h, o, "config")) ||
		    set(h, c, "chkstop", attr_bool(h, o, "chkstop")) ||
		    set(h, c, "online", attr_bool(h, o, "online")))
			return h->r.err;
		if (apv_bus_card_queues(h->host, (unsigned int)a, &qs))
			apv_bm_zero(&qs);
		if (!queues) {
			if (set(h, c, "queues",
				json_integer(apv_bm_count(&qs))))
				return h->r.err;
			continue;
		}
		qa = json_array();
		if (set(h, c, "queues", qa))
			return h->r.err;
		apv_bm_for_each(d, &qs) {
			if (queue_json(h, APV_APQN(a, d), qa))
				return h->r.err;
		}
	}
	return 0;
}

static json_t *matrix_json(const struct apv_bitmap *apm,
			   const struct apv_bitmap *aqm,
			   const struct apv_bitmap *adm)
{
	json_t *o = json_object();

	if (!o || json_object_set_new(o, "adapters", ids_json(apm)) ||
	    json_object_set_new(o, "domains", ids_json(aqm)) ||
	    json_object_set_new(o, "control_domains", ids_json(adm))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static bool addset_empty(const struct apv_mdev_info *mi)
{
	return apv_bm_empty(&mi->apm_add) && apv_bm_empty(&mi->aqm_add) &&
	       apv_bm_empty(&mi->adm_add);
}

/* mdevs, most recently created first; only_pending: just the add-sets */
static int mdevs_json(struct hreq *h, bool only_pending, json_t **out)
{
	uint8_t(*list)[16] = NULL;
	size_t n = 0;
	json_t *arr = json_array();
	int rc;

	*out = arr;
	if (!arr)
		return oom(h);
	rc = apv_mdev_list(h->host, &list, &n);
	if (rc == -ENODEV)
		return 0; /* vfio_ap not loaded */
	if (rc)
		return model(h, rc);
	for (size_t i = 0; i < n && !h->r.err; i++) {
		struct apv_mdev_info mi;
		json_t *m;

		if (apv_mdev_info(h->host, list[i], &mi))
			continue; /* removed meanwhile */
		if (only_pending && addset_empty(&mi))
			continue;
		m = json_object();
		if (push(h, arr, m) || set(h, m, "uuid", uuid_json(mi.uuid)))
			break;
		if (only_pending) {
			set(h, m, "pending",
			    matrix_json(&mi.apm_add, &mi.aqm_add, &mi.adm_add));
			continue;
		}
		if (set(h, m, "assigned",
			matrix_json(&mi.apm, &mi.aqm, &mi.adm)) ||
		    set(h, m, "shadow",
			matrix_json(&mi.sh_apm, &mi.sh_aqm, &mi.sh_adm)) ||
		    set(h, m, "pending",
			matrix_json(&mi.apm_add, &mi.aqm_add, &mi.adm_add)) ||
		    set(h, m, "kvm",
			mi.has_kvm ? json_string(mi.kvm_name) : json_null()) ||
		    set(h, m, "open", json_boolean(mi.open)) ||
		    set(h, m, "linked", json_integer(mi.linked)))
			break;
	}
	free(list);
	return h->r.err;
}

static int zcdn_json(struct hreq *h, json_t **out)
{
	struct apv_zcdn_info *v = NULL;
	size_t n = 0;
	json_t *arr = json_array();

	*out = arr;
	if (!arr)
		return oom(h);
	if (model(h, apv_zcdn_list(h->host, &v, &n)))
		return h->r.err;
	for (size_t i = 0; i < n && !h->r.err; i++) {
		json_t *z = json_object();
		char dev[32];

		snprintf(dev, sizeof(dev), "%u:%u", v[i].major, v[i].minor);
		if (push(h, arr, z) ||
		    set(h, z, "name", json_string(v[i].name)) ||
		    set(h, z, "dev", json_string(dev)) ||
		    set(h, z, "apmask", mask_json(&v[i].apmask)) ||
		    set(h, z, "aqmask", mask_json(&v[i].aqmask)) ||
		    set(h, z, "admask", mask_json(&v[i].admask)) ||
		    set(h, z, "ioctlmask", mask_json(&v[i].ioctlmask)))
			break;
	}
	free(v);
	return h->r.err;
}

/* The udev events' counters (uevent/udev_events.h); NULL without them. */
static int udev_json(struct hreq *h, json_t **out)
{
	struct apsim_udev *u = apsim_udev_current();
	struct apsim_udev_stats st;

	*out = NULL;
	if (!u)
		return 0;
	apsim_udev_get_stats(u, &st);
	*out = json_pack("{s:I,s:I,s:I,s:I,s:I,s:b}", "seqnum",
			 (json_int_t)st.seqnum, "queued", (json_int_t)st.queued,
			 "sent", (json_int_t)st.sent, "dropped",
			 (json_int_t)st.dropped, "send_errors",
			 (json_int_t)st.send_errors, "netlink", st.netlink);
	return *out ? 0 : oom(h);
}

static int cmd_state(struct hreq *h)
{
	static const char *const keys[] = {"queues", NULL};
	bool queues = true;
	json_t *v = NULL;

	if (check_keys(h, keys) || arg_bool(h, "queues", false, &queues))
		return h->r.err;
	if (set(h, h->r.resp, "kernel",
		json_string(apv_kernel_name(apv_host_kernel(h->host)))))
		return h->r.err;
	/* each part is attached before it is checked, so nothing leaks */
	machine_json(h, &v);
	if (set(h, h->r.resp, "machine", v) || h->r.err)
		return h->r.err;
	bus_json(h, &v);
	if (set(h, h->r.resp, "bus", v) || h->r.err)
		return h->r.err;
	cards_json(h, queues, &v);
	if (set(h, h->r.resp, "cards", v) || h->r.err)
		return h->r.err;
	mdevs_json(h, false, &v);
	if (set(h, h->r.resp, "mdevs", v) || h->r.err)
		return h->r.err;
	zcdn_json(h, &v);
	if (set(h, h->r.resp, "zcrypt_nodes", v) || h->r.err)
		return h->r.err;
	udev_json(h, &v);
	if (v)
		set(h, h->r.resp, APV_KEY_UDEV, v);
	return h->r.err;
}

static int cmd_owners(struct hreq *h)
{
	uint8_t(*list)[16] = NULL;
	struct apv_bitmap cards, seen_a[APV_MAX_IDS];
	json_t *arr;
	size_t n = 0;
	int rc;

	if (check_keys(h, NULL))
		return h->r.err;
	arr = json_array();
	if (set(h, h->r.resp, "owners", arr))
		return h->r.err;
	/* every existing queue ... */
	for (unsigned int a = 0; a < APV_MAX_IDS; a++)
		apv_bm_zero(&seen_a[a]);
	apv_bus_cards(h->host, &cards);
	apv_bm_for_each(a, &cards) {
		if (apv_bus_card_queues(h->host, (unsigned int)a, &seen_a[a]))
			apv_bm_zero(&seen_a[a]);
	}
	/* ... and every assigned APQN, present or not (over-provisioning) */
	rc = apv_mdev_list(h->host, &list, &n);
	for (size_t i = 0; !rc && i < n; i++) {
		struct apv_mdev_info mi;

		if (apv_mdev_info(h->host, list[i], &mi))
			continue;
		apv_bm_for_each(a, &mi.apm) {
			apv_bm_or(&seen_a[a], &seen_a[a], &mi.aqm);
		}
	}
	free(list);
	for (unsigned int a = 0; a < APV_MAX_IDS && !h->r.err; a++) {
		apv_bm_for_each(d, &seen_a[a]) {
			apv_apqn q = APV_APQN(a, d);
			char name[APV_APQN_STRLEN];
			json_t *o = json_object();
			bool exists = apv_bus_queue_exists(h->host, q);

			apv_apqn_str(q, name);
			if (push(h, arr, o) ||
			    set(h, o, "apqn", json_string(name)) ||
			    set(h, o, "owner", owner_json(h, q)) ||
			    set(h, o, "exists", json_boolean(exists)) ||
			    set(h, o, "driver",
				exists ? driver_json(h, name) : json_null()))
				break;
		}
	}
	return h->r.err;
}

/* Ids in a but not in b, as a JSON array. */
static json_t *diff_json(const struct apv_bitmap *a, const struct apv_bitmap *b)
{
	struct apv_bitmap d;

	apv_bm_andnot(&d, a, b);
	return ids_json(&d);
}

static int cmd_pending(struct hreq *h)
{
	struct apv_bitmap apm, aqm, adm, cards, d1, d2;
	struct apv_qci q;
	json_t *mb, *cfg, *chk, *v = NULL;
	bool needed = false, bus_qci;

	/* every container is attached as soon as it exists: nothing leaks */
	if (check_keys(h, NULL))
		return h->r.err;
	mb = json_object();
	if (set(h, h->r.resp, "machine_vs_bus", mb))
		return h->r.err;
	cfg = json_array();
	if (set(h, mb, "configured", cfg))
		return h->r.err;
	chk = json_array();
	if (set(h, mb, "chkstop", chk))
		return h->r.err;
	apv_hw_qci(h->host, &q);
	apv_bus_cards(h->host, &cards);
	bus_qci = bus_qci_mask(h, "ap_adapter_mask", &apm) &&
		  bus_qci_mask(h, "ap_usage_domain_mask", &aqm) &&
		  bus_qci_mask(h, "ap_control_domain_mask", &adm);
	if (!bus_qci) {
		/* no QCI: the bus probes; compare adapters with its cards */
		apv_bm_zero(&q.apm);
		for (unsigned int a = 0; a < APV_MAX_IDS; a++) {
			struct apv_adapter_state st;

			if (!apv_hw_adapter_state(h->host, a, &st) &&
			    st.in_config)
				apv_bm_set(&q.apm, a);
		}
		apv_bm_limit(&q.apm, 63);
		apm = cards;
		aqm = q.aqm;
		adm = q.adm;
	}
	if (set(h, mb, "qci", json_boolean(bus_qci)) ||
	    set(h, mb, "adapters_added", diff_json(&q.apm, &apm)) ||
	    set(h, mb, "adapters_removed", diff_json(&apm, &q.apm)) ||
	    set(h, mb, "domains_added", diff_json(&q.aqm, &aqm)) ||
	    set(h, mb, "domains_removed", diff_json(&aqm, &q.aqm)) ||
	    set(h, mb, "control_domains_added", diff_json(&q.adm, &adm)) ||
	    set(h, mb, "control_domains_removed", diff_json(&adm, &q.adm)))
		return h->r.err;
	apv_bm_andnot(&d1, &q.apm, &apm);
	apv_bm_andnot(&d2, &apm, &q.apm);
	needed = !apv_bm_empty(&d1) || !apv_bm_empty(&d2) ||
		 !apv_bm_equal(&q.aqm, &aqm) || !apv_bm_equal(&q.adm, &adm);
	/* SCLP state the bus has not seen yet (card config / chkstop) */
	apv_bm_for_each(a, &cards) {
		struct apv_adapter_state st;
		struct apv_obj o = apv_obj_card((unsigned int)a);
		char buf[8];
		bool bus_cfg, bus_chk;

		if (apv_hw_adapter_state(h->host, (unsigned int)a, &st))
			continue;
		bus_cfg = read_attr(h, o, "config", buf, sizeof(buf)) &&
			  !strcmp(buf, "1");
		bus_chk = read_attr(h, o, "chkstop", buf, sizeof(buf)) &&
			  !strcmp(buf, "1");
		if (bus_cfg != st.configured) {
			json_t *e = json_object();

			needed = true;
			if (push(h, cfg, e) ||
			    set(h, e, "id", json_integer(a)) ||
			    set(h, e, "machine", json_boolean(st.configured)) ||
			    set(h, e, "bus", json_boolean(bus_cfg)))
				return h->r.err;
		}
		if (bus_chk != st.chkstop) {
			json_t *e = json_object();

			needed = true;
			if (push(h, chk, e) ||
			    set(h, e, "id", json_integer(a)) ||
			    set(h, e, "machine", json_boolean(st.chkstop)) ||
			    set(h, e, "bus", json_boolean(bus_chk)))
				return h->r.err;
		}
	}
	if (set(h, h->r.resp, "scan_needed", json_boolean(needed)))
		return h->r.err;
	mdevs_json(h, true, &v);
	set(h, h->r.resp, "mdevs", v);
	return h->r.err;
}

static int cmd_log(struct hreq *h)
{
	static const char *const keys[] = {"since", "max", NULL};
	json_int_t since = 0, max = LOG_MAX_DEFAULT;

	if (check_keys(h, keys) || arg_uint(h, "since", 0, INT64_MAX, &since) ||
	    arg_uint(h, "max", 1, APV_LOG_CAPACITY, &max))
		return h->r.err;
	if (add_log(h, "entries", (uint64_t)since, (size_t)max))
		return h->r.err;
	return set(h, h->r.resp, "last_seq",
		   json_integer((json_int_t)apv_log_last_seq(h->host)));
}

/* One udev message as a JSON object of its properties, in order. */
static void event_json(void *ctx, uint64_t cursor,
		       const struct apsim_udev_msg *m)
{
	json_t *arr = ctx, *o = json_object();
	size_t i = APSIM_UDEV_HDR_SIZE;

	(void)cursor;
	while (o && i < m->len) {
		const char *kv = (const char *)m->buf + i;
		size_t n = strnlen(kv, m->len - i);
		const char *eq = memchr(kv, '=', n);

		if (eq) {
			char key[80];
			size_t kl = (size_t)(eq - kv);

			if (kl < sizeof(key)) {
				memcpy(key, kv, kl);
				key[kl] = '\0';
				json_object_set_new(o, key,
						    json_stringn(eq + 1,
								 n - kl - 1));
			}
		}
		i += n + 1;
	}
	if (o)
		json_array_append_new(arr, o);
}

/*
 * The udev events from cursor `since` on (at most max): their properties
 * as objects, the next cursor, and how many the ring no longer held.
 */
static int cmd_events(struct hreq *h)
{
	static const char *const keys[] = {"since", "max", NULL};
	struct apsim_udev *u = apsim_udev_current();
	json_int_t since = 0, max = 256;
	uint64_t next, lost = 0;
	json_t *arr, *v = NULL;

	if (check_keys(h, keys) || arg_uint(h, "since", 0, INT64_MAX, &since) ||
	    arg_uint(h, "max", 1, APSIM_UDEV_RING, &max))
		return h->r.err;
	if (!u)
		return bad(h, -EOPNOTSUPP, "this apsim sends no events");
	arr = json_array();
	if (set(h, h->r.resp, APV_KEY_EVENTS, arr))
		return h->r.err;
	next = apsim_udev_read(u, (uint64_t)since, (size_t)max, event_json, arr,
			       &lost);
	if (json_array_size(arr) < (size_t)(next - (uint64_t)since - lost))
		return oom(h);
	if (set(h, h->r.resp, APV_KEY_NEXT, json_integer((json_int_t)next)) ||
	    set(h, h->r.resp, APV_KEY_LOST, json_integer((json_int_t)lost)))
		return h->r.err;
	udev_json(h, &v);
	if (v)
		set(h, h->r.resp, APV_KEY_UDEV, v);
	return h->r.err;
}

static int cmd_ping(struct hreq *h)
{
	if (check_keys(h, NULL) ||
	    set(h, h->r.resp, "protocol", json_integer(APSIM_CTL_PROTOCOL)) ||
	    set(h, h->r.resp, "kernel",
		json_string(apv_kernel_name(apv_host_kernel(h->host)))))
		return h->r.err;
	return 0;
}

static int cmd_help(struct hreq *h);

static const struct {
	const char *name;
	int (*fn)(struct hreq *h);
	const char *args;
} commands[] = {
	{APV_CMD_PING, cmd_ping, ""},
	{APV_CMD_HELP, cmd_help, ""},
	{APV_CMD_ADAPTER_CONFIGURE, cmd_adapter_configure, "id on [scan]"},
	{APV_CMD_ADAPTER_CHECKSTOP, cmd_adapter_checkstop, "id on [scan]"},
	{APV_CMD_ADAPTER_ADD, cmd_adapter_add, "id type mode [config] [scan]"},
	{APV_CMD_ADAPTER_REMOVE, cmd_adapter_remove, "id [scan]"},
	{APV_CMD_ADAPTER_RESTORE, cmd_adapter_restore, "id [scan]"},
	{APV_CMD_DOMAIN_ADD, cmd_domain_add, "id [scan]"},
	{APV_CMD_DOMAIN_REMOVE, cmd_domain_remove, "id [scan]"},
	{APV_CMD_CONTROL_DOMAIN_ADD, cmd_control_domain_add, "id [scan]"},
	{APV_CMD_CONTROL_DOMAIN_REMOVE, cmd_control_domain_remove, "id [scan]"},
	{APV_CMD_SCAN, cmd_scan, ""},
	{APV_CMD_STATE, cmd_state, "[queues]"},
	{APV_CMD_OWNERS, cmd_owners, ""},
	{APV_CMD_PENDING, cmd_pending, ""},
	{APV_CMD_LOG, cmd_log, "[since] [max]"},
	{APV_CMD_EVENTS, cmd_events, "[since] [max]"},
};

#define N_COMMANDS (sizeof(commands) / sizeof(*commands))

static int cmd_help(struct hreq *h)
{
	json_t *o;

	if (check_keys(h, NULL))
		return h->r.err;
	o = json_object();
	if (set(h, h->r.resp, "commands", o))
		return h->r.err;
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (set(h, o, commands[i].name, json_string(commands[i].args)))
			return h->r.err;
	return 0;
}

/* ---- entry points -------------------------------------------------------- */

char *apsim_ctl_handle(struct apv_host *host, const char *req, size_t len)
{
	struct hreq h = {.host = host};
	const struct apv_reason *r = &h.reason;

	if (apv_req_parse(&h.r, req, len))
		goto respond;
	for (size_t i = 0; i < N_COMMANDS; i++) {
		if (strcmp(h.r.cmd, commands[i].name))
			continue;
		commands[i].fn(&h);
		goto respond;
	}
	bad(&h, -EOPNOTSUPP, "unknown command \"%.64s\" (try \"help\")",
	    h.r.cmd);

respond:
	if (h.r.err && h.model && r->rule != APV_RULE_NONE)
		apv_req_reason(&h.r,
			       reason_json(r->rule, r->has_apqn, r->apqn,
					   r->has_id, r->id, r->owner,
					   r->has_mask ? &r->mask : NULL));
	return apv_req_finish(&h.r);
}
