// SPDX-License-Identifier: MIT
/*
 * Unit tests for the control protocol: the request handler
 * (src/sim/control/handler.c) called directly, the socket server
 * (control/server.c) on a temporary socket, and `apsim ctl` (control/client.c)
 * against it.  Responses are parsed and checked field by field, and the
 * model is checked afterwards through the attribute layer, as the sysfs
 * tree would show it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include <apvirt/attr.h>
#include <apvirt/bus.h>
#include <apvirt/host.h>
#include <apvirt/log.h>
#include <apvirt/parse.h>
#include <apvirt/preset.h>
#include <apvirt/reason.h>
#include <apvirt/vfio_ap.h>

#include "control.h"
#include "sim.h"

struct fix {
	struct apv_host *h;
	struct apsim_ctl *ctl;
	char dir[64];
	char sock[128];
};

static struct apv_host *boot_preset(const char *name, const char *kernel)
{
	struct apsim_topology t;
	struct apv_host *h = NULL;
	char *err = NULL;

	if (apsim_topology_load(NULL, name, kernel, &t, &err))
		fail_msg("topology: %s", err);
	assert_int_equal(apv_host_new(&t.p.cfg, &h), 0);
	apsim_topology_fini(&t);
	return h;
}

static int setup_host(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	f->h = boot_preset("default", NULL);
	*state = f;
	return 0;
}

static int setup_server(void **state)
{
	struct fix *f;

	setup_host(state);
	f = *state;
	snprintf(f->dir, sizeof(f->dir), "/tmp/apsim-ctl-test-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->sock, sizeof(f->sock), "%s/ctl.sock", f->dir);
	assert_int_equal(apsim_ctl_start(f->h, f->sock, &f->ctl), 0);
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	apsim_ctl_stop(f->ctl);
	if (f->dir[0]) {
		unlink(f->sock);
		rmdir(f->dir);
	}
	apv_host_free(f->h);
	free(f);
	return 0;
}

/* ---- helpers ------------------------------------------------------------- */

/* Send a request straight to the handler; the parsed response. */
static json_t *call(struct apv_host *h, const char *req)
{
	char *s = apsim_ctl_handle(h, req, strlen(req));
	json_error_t jerr;
	json_t *r;

	assert_non_null(s);
	r = json_loads(s, 0, &jerr);
	if (!json_is_object(r))
		fail_msg("response is not a JSON object: %s", s);
	free(s);
	return r;
}

static json_t *callf(struct apv_host *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static json_t *callf(struct apv_host *h, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return call(h, buf);
}

static void expect_ok(json_t *r)
{
	if (!json_is_true(json_object_get(r, "ok"))) {
		char *s = json_dumps(r, 0);

		fail_msg("expected ok: %s", s);
	}
}

static void expect_err(json_t *r, const char *errname)
{
	char *s = json_dumps(r, 0);

	if (!json_is_false(json_object_get(r, "ok")) ||
	    !json_is_string(json_object_get(r, "errno")) ||
	    strcmp(json_string_value(json_object_get(r, "errno")), errname) ||
	    !json_is_string(json_object_get(r, "error")))
		fail_msg("expected %s: %s", errname, s);
	free(s);
}

static const char *err_msg(json_t *r)
{
	return json_string_value(json_object_get(r, "error"));
}

#define OK(h, ...)                                                             \
	do {                                                                   \
		json_t *r_ = callf((h), __VA_ARGS__);                          \
		expect_ok(r_);                                                 \
		json_decref(r_);                                               \
	} while (0)

static const char *attr(struct apv_host *h, struct apv_obj o, const char *name)
{
	static char buf[256];
	struct apv_strbuf sb = APV_STRBUF_INIT;

	if (apv_attr_read(h, &o, name, &sb))
		snprintf(buf, sizeof(buf), "<error>");
	else
		snprintf(buf, sizeof(buf), "%s", apv_sb_str(&sb));
	apv_sb_free(&sb);
	return buf;
}

static bool card_exists(struct apv_host *h, unsigned int apid)
{
	struct apv_bitmap c;

	apv_bus_cards(h, &c);
	return apv_bm_test(&c, apid);
}

/* The object at a path of keys / array indexes, e.g. get(r, "bus.qci"). */
static json_t *get(json_t *r, const char *path)
{
	char buf[128], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && r;
	     tok = strtok_r(NULL, ".", &save)) {
		if (tok[0] >= '0' && tok[0] <= '9')
			r = json_array_get(r, (size_t)atoi(tok));
		else
			r = json_object_get(r, tok);
	}
	return r;
}

static void mdev_with(struct apv_host *h, const char *uuid, unsigned int a,
		      unsigned int d)
{
	uint8_t u[16];

	assert_int_equal(apv_parse_uuid(uuid, strlen(uuid), u), 0);
	assert_int_equal(apv_mdev_create(h, u), 0);
	assert_int_equal(apv_mdev_assign_adapter(h, u, a), 0);
	assert_int_equal(apv_mdev_assign_domain(h, u, d), 0);
}

#define UUID1 "4b0c3d2e-1122-4344-9566-778899aabb01"

/* ---- handler: protocol errors ------------------------------------------ */

static void test_ping_and_help(void **state)
{
	struct fix *f = *state;
	json_t *r = call(f->h, "{\"cmd\":\"ping\"}");

	expect_ok(r);
	assert_int_equal(json_integer_value(get(r, "protocol")),
			 APSIM_CTL_PROTOCOL);
	assert_string_equal(json_string_value(get(r, "kernel")), "6.12");
	json_decref(r);
	r = call(f->h, "{\"cmd\":\"help\"}");
	expect_ok(r);
	assert_non_null(get(r, "commands.adapter-configure"));
	assert_non_null(get(r, "commands.log"));
	json_decref(r);
}

static void test_malformed(void **state)
{
	struct fix *f = *state;
	static const char *const bad[] = {
		"",
		"{",
		"not json",
		"{\"cmd\":\"ping\"} trailing",
		"{\"cmd\":\"ping\",\"cmd\":\"ping\"}",
		"[\"ping\"]",
		"\"ping\"",
		"42",
		"{\"cmd\":\"pi\\u0000ng\"}",
		"{}",
		"{\"cmd\":5}",
		"{\"cmd\":null}",
	};
	json_t *r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		r = call(f->h, bad[i]);
		expect_err(r, "EINVAL");
		json_decref(r);
	}
	r = call(f->h, "{");
	assert_non_null(strstr(err_msg(r), "malformed request"));
	json_decref(r);
	r = call(f->h, "{}");
	assert_string_equal(err_msg(r), "cmd: missing");
	json_decref(r);
	/* NUL bytes inside the line */
	{
		char *s = apsim_ctl_handle(f->h, "{\"cmd\"\0:1}", 10);

		assert_non_null(strstr(s, "\"EINVAL\""));
		free(s);
	}
}

static void test_unknown_command_and_args(void **state)
{
	struct fix *f = *state;
	json_t *r = call(f->h, "{\"cmd\":\"explode\"}");

	expect_err(r, "EOPNOTSUPP");
	assert_non_null(strstr(err_msg(r), "explode"));
	json_decref(r);

	r = call(f->h, "{\"cmd\":\"ping\",\"verbose\":true}");
	expect_err(r, "EINVAL");
	assert_string_equal(err_msg(r), "verbose: unknown argument for ping "
					"(expected: none)");
	json_decref(r);

	r = call(f->h, "{\"cmd\":\"adapter-configure\",\"id\":5}");
	expect_err(r, "EINVAL");
	assert_string_equal(err_msg(r), "on: missing (true or false)");
	json_decref(r);

	r = call(f->h, "{\"cmd\":\"adapter-configure\",\"id\":\"05\","
		       "\"on\":true}");
	expect_err(r, "EINVAL");
	assert_non_null(strstr(err_msg(r), "id: expected an id"));
	json_decref(r);

	r = call(f->h, "{\"cmd\":\"domain-add\",\"id\":256}");
	expect_err(r, "EINVAL");
	assert_string_equal(err_msg(r), "id: id is outside 0..255");
	json_decref(r);

	r = call(f->h, "{\"cmd\":\"adapter-remove\",\"id\":5,\"scan\":0}");
	expect_err(r, "EINVAL");
	assert_string_equal(err_msg(r), "scan: expected true or false");
	json_decref(r);

	r = call(f->h, "{\"cmd\":\"log\",\"since\":-1}");
	expect_err(r, "EINVAL");
	json_decref(r);
	r = call(f->h, "{\"cmd\":\"log\",\"max\":0}");
	expect_err(r, "EINVAL");
	json_decref(r);
	/* errors carry no reason of their own */
	r = call(f->h, "{\"cmd\":\"log\",\"max\":\"x\"}");
	assert_null(get(r, "reason"));
	json_decref(r);
}

/* Every command refuses an unknown argument (and frees what it built). */
static void test_every_command_checks_args(void **state)
{
	struct fix *f = *state;
	json_t *help = call(f->h, "{\"cmd\":\"help\"}");
	const char *name;
	json_t *v;
	size_t n = 0;

	json_object_foreach(get(help, "commands"), name, v)
	{
		json_t *r = callf(f->h, "{\"cmd\":\"%s\",\"bogus\":1}", name);

		expect_err(r, "EINVAL");
		assert_non_null(strstr(err_msg(r), "bogus: unknown argument"));
		json_decref(r);
		n++;
	}
	assert_int_equal(n, 17); /* with events (issue 10) */
	json_decref(help);
}

static void test_tag_echo(void **state)
{
	struct fix *f = *state;
	json_t *r = call(f->h, "{\"cmd\":\"ping\",\"tag\":{\"n\":7}}");

	expect_ok(r);
	assert_int_equal(json_integer_value(get(r, "tag.n")), 7);
	json_decref(r);
	r = call(f->h, "{\"cmd\":\"nope\",\"tag\":\"t1\"}");
	expect_err(r, "EOPNOTSUPP");
	assert_string_equal(json_string_value(get(r, "tag")), "t1");
	json_decref(r);
}

static void test_hostile_inputs(void **state)
{
	struct fix *f = *state;
	size_t n = 1u << 20;
	char *big = malloc(n + 1);
	char *s;

	/* deep nesting */
	memset(big, '[', n);
	big[n] = '\0';
	s = apsim_ctl_handle(f->h, big, n);
	assert_non_null(s);
	assert_non_null(strstr(s, "\"ok\":false"));
	free(s);
	/* a huge string argument: the handler has no line cap itself */
	memset(big, 'a', n);
	memcpy(big, "{\"cmd\":\"", 8);
	memcpy(big + n - 2, "\"}", 2);
	s = apsim_ctl_handle(f->h, big, n);
	assert_non_null(strstr(s, "EOPNOTSUPP"));
	free(s);
	free(big);
	/* every prefix of a valid request: an answer, never a crash */
	{
		const char *req = "{\"cmd\":\"adapter-add\",\"id\":\"0x06\","
				  "\"type\":\"CEX7\",\"mode\":\"cca\","
				  "\"scan\":false,\"tag\":[1,{}]}";

		for (size_t k = 0; k <= strlen(req); k++) {
			s = apsim_ctl_handle(f->h, req, k);
			assert_non_null(s);
			free(s);
		}
	}
	assert_int_equal(apv_vfio_check_indices(f->h), 0);
}

/* ---- handler: hardware events ------------------------------------------ */

static void test_configure_off_on(void **state)
{
	struct fix *f = *state;
	json_t *r;

	assert_string_equal(attr(f->h, apv_obj_card(5), "config"), "1\n");
	r = call(f->h, "{\"cmd\":\"adapter-configure\",\"id\":\"0x05\","
		       "\"on\":false}");
	expect_ok(r);
	assert_true(json_is_true(get(r, "scanned")));
	assert_true(json_is_array(get(r, "log")));
	json_decref(r);
	/* 6.12: the scan after the SCLP event updates the card */
	assert_string_equal(attr(f->h, apv_obj_card(5), "config"), "0\n");
	assert_string_equal(
		attr(f->h, apv_obj_queue(APV_APQN(5, 0x47)), "config"), "0\n");
	OK(f->h, "{\"cmd\":\"adapter-configure\",\"id\":5,\"on\":true}");
	assert_string_equal(attr(f->h, apv_obj_card(5), "config"), "1\n");
}

static void test_pending_until_scan(void **state)
{
	struct fix *f = *state;
	json_t *r;

	r = call(f->h, "{\"cmd\":\"pending\"}");
	expect_ok(r);
	assert_true(json_is_false(get(r, "scan_needed")));
	json_decref(r);

	r = call(f->h, "{\"cmd\":\"adapter-configure\",\"id\":5,\"on\":false,"
		       "\"scan\":false}");
	expect_ok(r);
	assert_true(json_is_false(get(r, "scanned")));
	json_decref(r);
	/* the bus has not seen it */
	assert_string_equal(attr(f->h, apv_obj_card(5), "config"), "1\n");
	OK(f->h, "{\"cmd\":\"domain-add\",\"id\":\"0x10\",\"scan\":false}");
	OK(f->h, "{\"cmd\":\"control-domain-remove\",\"id\":\"0x54\","
		 "\"scan\":false}");
	OK(f->h, "{\"cmd\":\"adapter-remove\",\"id\":4,\"scan\":false}");

	r = call(f->h, "{\"cmd\":\"pending\"}");
	expect_ok(r);
	assert_true(json_is_true(get(r, "scan_needed")));
	assert_true(json_is_true(get(r, "machine_vs_bus.qci")));
	assert_int_equal(
		json_integer_value(get(r, "machine_vs_bus.domains_added.0")),
		0x10);
	assert_int_equal(
		json_integer_value(
			get(r, "machine_vs_bus.control_domains_removed.0")),
		0x54);
	assert_int_equal(
		json_integer_value(get(r, "machine_vs_bus.adapters_removed.0")),
		4);
	assert_int_equal(
		json_integer_value(get(r, "machine_vs_bus.configured.0.id")),
		5);
	assert_true(
		json_is_false(get(r, "machine_vs_bus.configured.0.machine")));
	assert_true(json_is_true(get(r, "machine_vs_bus.configured.0.bus")));
	json_decref(r);

	r = call(f->h, "{\"cmd\":\"scan\"}");
	expect_ok(r);
	assert_true(json_integer_value(get(r, "scans")) >= 2);
	json_decref(r);
	assert_string_equal(attr(f->h, apv_obj_card(5), "config"), "0\n");
	assert_false(card_exists(f->h, 4));
	assert_string_equal(
		attr(f->h, apv_obj_queue(APV_APQN(5, 0x10)), "config"), "0\n");
	r = call(f->h, "{\"cmd\":\"pending\"}");
	assert_true(json_is_false(get(r, "scan_needed")));
	json_decref(r);
}

static void test_add_remove_restore(void **state)
{
	struct fix *f = *state;
	json_t *r;

	OK(f->h, "{\"cmd\":\"adapter-add\",\"id\":\"0x06\",\"type\":\"CEX7\","
		 "\"mode\":\"ep11\"}");
	assert_true(card_exists(f->h, 6));
	assert_string_equal(attr(f->h, apv_obj_card(6), "type"), "CEX7P\n");
	assert_string_equal(attr(f->h, apv_obj_card(6), "hwtype"), "13\n");

	/* already there: the model's refusal with its reason */
	r = call(f->h, "{\"cmd\":\"adapter-add\",\"id\":6,\"type\":13,"
		       "\"mode\":\"cca\"}");
	expect_err(r, "EEXIST");
	assert_string_equal(json_string_value(get(r, "reason.rule")), "exists");
	json_decref(r);

	/* standby: installed, configured off */
	OK(f->h, "{\"cmd\":\"adapter-add\",\"id\":7,\"type\":\"cex8\","
		 "\"mode\":\"accel\",\"config\":false}");
	assert_string_equal(attr(f->h, apv_obj_card(7), "config"), "0\n");

	OK(f->h, "{\"cmd\":\"adapter-remove\",\"id\":6}");
	assert_false(card_exists(f->h, 6));
	r = call(f->h, "{\"cmd\":\"adapter-remove\",\"id\":6}");
	expect_err(r, "ENODEV");
	assert_string_equal(json_string_value(get(r, "reason.rule")),
			    "no-device");
	json_decref(r);
	OK(f->h, "{\"cmd\":\"adapter-restore\",\"id\":6}");
	assert_string_equal(attr(f->h, apv_obj_card(6), "type"), "CEX7P\n");

	/* bad types and modes */
	r = call(f->h, "{\"cmd\":\"adapter-add\",\"id\":8,\"type\":\"CEX3A\"}");
	expect_err(r, "EINVAL");
	assert_non_null(strstr(err_msg(r), "kernel 6.1"));
	json_decref(r);
	r = call(f->h, "{\"cmd\":\"adapter-add\",\"id\":8,\"type\":\"CEX8\"}");
	expect_err(r, "EINVAL");
	assert_string_equal(err_msg(r), "mode: missing (accel, cca or ep11)");
	json_decref(r);
	r = call(f->h, "{\"cmd\":\"adapter-add\",\"id\":8,\"mode\":\"cca\"}");
	expect_err(r, "EINVAL");
	json_decref(r);
	assert_false(card_exists(f->h, 8));
}

static void test_legacy_add_on_61(void **state)
{
	struct apv_host *h = boot_preset("default", "6.1");
	json_t *r;

	r = call(h, "{\"cmd\":\"adapter-add\",\"id\":8,\"type\":\"CEX3C\"}");
	expect_ok(r);
	json_decref(r);
	assert_string_equal(attr(h, apv_obj_card(8), "type"), "CEX3C\n");
	r = call(h, "{\"cmd\":\"adapter-add\",\"id\":9,\"type\":\"CEX3C\","
		    "\"mode\":\"accel\"}");
	expect_err(r, "EINVAL");
	json_decref(r);
	apv_host_free(h);
}

static void test_checkstop_and_domains(void **state)
{
	struct fix *f = *state;
	json_t *r;

	OK(f->h, "{\"cmd\":\"adapter-checkstop\",\"id\":4,\"on\":true}");
	assert_string_equal(attr(f->h, apv_obj_card(4), "chkstop"), "1\n");
	OK(f->h, "{\"cmd\":\"adapter-checkstop\",\"id\":4,\"on\":false}");
	assert_string_equal(attr(f->h, apv_obj_card(4), "chkstop"), "0\n");

	OK(f->h, "{\"cmd\":\"domain-add\",\"id\":\"0x20\"}");
	assert_true(apv_bus_queue_exists(f->h, APV_APQN(4, 0x20)));
	OK(f->h, "{\"cmd\":\"domain-remove\",\"id\":32}");
	assert_false(apv_bus_queue_exists(f->h, APV_APQN(4, 0x20)));
	OK(f->h, "{\"cmd\":\"control-domain-add\",\"id\":\"0x0b\"}");
	r = call(f->h, "{\"cmd\":\"state\"}");
	assert_int_equal(json_array_size(get(r, "machine.control_domains")), 4);
	json_decref(r);
	assert_string_equal(attr(f->h, apv_obj_bus(), "ap_control_domain_mask"),
			    "0x08100000000000000100080000000000000000000000000"
			    "00000000000000000\n");
}

static void test_range_refusal_has_reason(void **state)
{
	struct apv_host_config cfg;
	struct apv_host *h = NULL;
	json_t *r;

	apv_host_config_init(&cfg);
	cfg.nd = 0x3f;
	assert_int_equal(apv_host_new(&cfg, &h), 0);
	r = call(h, "{\"cmd\":\"domain-add\",\"id\":\"0x80\"}");
	expect_err(r, "EINVAL");
	assert_string_equal(json_string_value(get(r, "reason.rule")), "range");
	assert_int_equal(json_integer_value(get(r, "reason.id")), 0x80);
	assert_non_null(strstr(err_msg(r), "highest APQI 63"));
	json_decref(r);
	apv_host_free(h);
}

/* ---- handler: queries -------------------------------------------------- */

static void test_state(void **state)
{
	struct fix *f = *state;
	json_t *r, *q;

	/* adapter 05 and domain 0x47 left to vfio_ap, an mdev owns them */
	assert_int_equal(apv_bus_store_mask(f->h, true, "-5", 2), 0);
	mdev_with(f->h, UUID1, 5, 0x47);

	r = call(f->h, "{\"cmd\":\"state\"}");
	expect_ok(r);
	assert_string_equal(json_string_value(get(r, "kernel")), "6.12");
	assert_true(json_is_true(get(r, "machine.qci")));
	assert_int_equal(json_array_size(get(r, "machine.adapters")), 2);
	assert_string_equal(
		json_string_value(get(r, "machine.adapters.1.type")), "CEX8");
	assert_string_equal(
		json_string_value(get(r, "machine.adapters.1.mode")), "cca");
	assert_int_equal(json_array_size(get(r, "machine.domains")), 3);
	assert_non_null(
		strstr(json_string_value(get(r, "bus.apmask")), "0xfb"));
	assert_true(json_is_object(get(r, "bus.qci")));
	assert_int_equal(json_integer_value(get(r, "bus.bindings.total")), 6);
	assert_true(json_is_true(get(r, "bus.bindings.complete")));
	assert_int_equal(json_array_size(get(r, "cards")), 2);
	assert_string_equal(json_string_value(get(r, "cards.1.name")),
			    "card05");
	assert_string_equal(json_string_value(get(r, "cards.1.type")), "CEX8C");
	assert_string_equal(json_string_value(get(r, "cards.1.driver")),
			    "cex4card");
	/* 05.0047: vfio_ap, owned by the mdev, status assigned */
	q = get(r, "cards.1.queues.1");
	assert_string_equal(json_string_value(get(q, "apqn")), "05.0047");
	assert_string_equal(json_string_value(get(q, "driver")), "vfio_ap");
	assert_string_equal(json_string_value(get(q, "owner")), UUID1);
	assert_string_equal(json_string_value(get(q, "status")), "assigned");
	assert_true(json_is_false(get(q, "reserved")));
	/* 04.0004: the host's */
	q = get(r, "cards.0.queues.0");
	assert_string_equal(json_string_value(get(q, "driver")), "cex4queue");
	assert_string_equal(json_string_value(get(q, "owner")), "host");
	assert_true(json_is_null(get(q, "status")));
	/* the mdev with its matrices */
	assert_string_equal(json_string_value(get(r, "mdevs.0.uuid")), UUID1);
	assert_int_equal(
		json_integer_value(get(r, "mdevs.0.assigned.adapters.0")), 5);
	assert_int_equal(json_integer_value(get(r, "mdevs.0.shadow.domains.0")),
			 0x47);
	assert_int_equal(json_array_size(get(r, "mdevs.0.pending.adapters")),
			 0);
	assert_true(json_is_null(get(r, "mdevs.0.kvm")));
	assert_true(json_is_array(get(r, "zcrypt_nodes")));
	json_decref(r);

	/* brief: queue counts instead of queue lists */
	r = call(f->h, "{\"cmd\":\"state\",\"queues\":false}");
	expect_ok(r);
	assert_int_equal(json_integer_value(get(r, "cards.0.queues")), 3);
	json_decref(r);
}

static void test_owners(void **state)
{
	struct fix *f = *state;
	json_t *r, *o;
	size_t i;
	bool seen_mdev = false, seen_absent = false;

	assert_int_equal(apv_bus_store_mask(f->h, true, "-5,-6", 5), 0);
	/* over-provisioning: adapter 06 is assigned but not installed */
	mdev_with(f->h, UUID1, 5, 0x47);
	{
		uint8_t u[16];

		apv_parse_uuid(UUID1, 36, u);
		assert_int_equal(apv_mdev_assign_adapter(f->h, u, 6), 0);
	}
	r = call(f->h, "{\"cmd\":\"owners\"}");
	expect_ok(r);
	/* 6 queues plus the absent 06.0047 */
	assert_int_equal(json_array_size(get(r, "owners")), 7);
	json_array_foreach(get(r, "owners"), i, o)
	{
		const char *q = json_string_value(get(o, "apqn"));

		if (!strcmp(q, "05.0047")) {
			seen_mdev = true;
			assert_string_equal(json_string_value(get(o, "owner")),
					    UUID1);
			assert_string_equal(json_string_value(get(o, "driver")),
					    "vfio_ap");
		} else if (!strcmp(q, "06.0047")) {
			seen_absent = true;
			assert_true(json_is_false(get(o, "exists")));
			assert_true(json_is_null(get(o, "driver")));
		} else if (!strncmp(q, "05.", 3)) {
			/* not reserved, not assigned */
			assert_true(json_is_null(get(o, "owner")));
		} else {
			assert_string_equal(json_string_value(get(o, "owner")),
					    "host");
		}
	}
	assert_true(seen_mdev && seen_absent);
	json_decref(r);

	/* hot plug: adapter 06 arrives and reaches the guest's shadow */
	OK(f->h, "{\"cmd\":\"adapter-add\",\"id\":6,\"type\":\"CEX8\","
		 "\"mode\":\"cca\"}");
	r = call(f->h, "{\"cmd\":\"state\"}");
	assert_int_equal(json_array_size(get(r, "mdevs.0.shadow.adapters")), 2);
	json_decref(r);
}

static void test_log(void **state)
{
	struct fix *f = *state;
	uint64_t last;
	json_t *r, *e;
	size_t i;

	/* refusals the model logs: a mask change hitting an assignment */
	assert_int_equal(apv_bus_store_mask(f->h, true, "-5", 2), 0);
	mdev_with(f->h, UUID1, 5, 0x47);
	assert_int_equal(apv_bus_store_mask(f->h, true, "+5", 2), -EBUSY);
	last = apv_log_last_seq(f->h);
	assert_true(last > 0);

	r = call(f->h, "{\"cmd\":\"log\"}");
	expect_ok(r);
	assert_int_equal(json_integer_value(get(r, "last_seq")), (long)last);
	assert_int_equal(json_array_size(get(r, "entries")), (size_t)last);
	json_array_foreach(get(r, "entries"), i, e)
	{
		assert_int_equal(json_integer_value(get(e, "seq")),
				 (long)i + 1);
		assert_true(json_is_string(get(e, "level")));
		assert_true(json_is_string(get(e, "text")));
	}
	json_decref(r);

	r = callf(f->h, "{\"cmd\":\"log\",\"since\":%llu}",
		  (unsigned long long)last);
	assert_int_equal(json_array_size(get(r, "entries")), 0);
	json_decref(r);
	r = call(f->h, "{\"cmd\":\"log\",\"max\":1}");
	assert_int_equal(json_array_size(get(r, "entries")), 1);
	json_decref(r);

	/* an event's response carries what it logged */
	OK(f->h, "{\"cmd\":\"adapter-remove\",\"id\":5}");
	r = callf(f->h, "{\"cmd\":\"log\",\"since\":%llu}",
		  (unsigned long long)last);
	expect_ok(r);
	json_decref(r);
}

static void test_log_reason_fields(void **state)
{
	struct fix *f = *state;
	json_t *r, *e;
	size_t i;
	bool found = false;

	assert_int_equal(apv_bus_store_mask(f->h, true, "-5", 2), 0);
	mdev_with(f->h, UUID1, 5, 0x47);
	assert_int_equal(apv_bus_store_mask(f->h, true, "+5", 2), -EBUSY);
	r = call(f->h, "{\"cmd\":\"log\"}");
	json_array_foreach(get(r, "entries"), i, e)
	{
		json_t *re = get(e, "reason");

		if (!re)
			continue;
		found = true;
		assert_true(json_is_string(get(re, "rule")));
	}
	/* the in-use warning names the queue (logged with a reason or not) */
	json_array_foreach(get(r, "entries"), i,
			   e) if (strstr(json_string_value(get(e, "text")),
					 "05.0047")) found = true;
	assert_true(found);
	json_decref(r);
}

/* ---- the server ------------------------------------------------------------ */

static int cl_connect(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		fail_msg("connect %s: %s", path, strerror(errno));
	return fd;
}

static void cl_send(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = send(fd, s, n, MSG_NOSIGNAL);

		if (w <= 0)
			fail_msg("send: %s", strerror(errno));
		s += w;
		n -= (size_t)w;
	}
}

/* One response line (malloc'ed, without '\n'); NULL at EOF. */
static char *cl_line(int fd)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);

	for (;;) {
		char c;
		ssize_t r = recv(fd, &c, 1, 0);

		if (r <= 0) {
			free(buf);
			return NULL;
		}
		if (c == '\n')
			break;
		if (len + 2 > cap) {
			char *nb = realloc(buf, cap * 2);

			assert_non_null(nb);
			buf = nb;
			cap *= 2;
		}
		buf[len++] = c;
	}
	buf[len] = '\0';
	return buf;
}

static json_t *cl_call(int fd, const char *req)
{
	char *line;
	json_t *r;

	cl_send(fd, req, strlen(req));
	cl_send(fd, "\n", 1);
	line = cl_line(fd);
	assert_non_null(line);
	r = json_loads(line, 0, NULL);
	if (!json_is_object(r))
		fail_msg("bad response line: %s", line);
	free(line);
	return r;
}

static void test_server_basics(void **state)
{
	struct fix *f = *state;
	struct stat st;
	json_t *r;
	int fd;

	assert_int_equal(stat(f->sock, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);

	fd = cl_connect(f->sock);
	r = cl_call(fd, "{\"cmd\":\"ping\"}");
	expect_ok(r);
	json_decref(r);
	/* configure off through the socket, checked in the model */
	r = cl_call(fd,
		    "{\"cmd\":\"adapter-configure\",\"id\":5,\"on\":false}");
	expect_ok(r);
	json_decref(r);
	assert_string_equal(attr(f->h, apv_obj_card(5), "config"), "0\n");
	/* errors keep the connection */
	r = cl_call(fd, "garbage");
	expect_err(r, "EINVAL");
	json_decref(r);
	r = cl_call(fd, "{\"cmd\":\"ping\"}");
	expect_ok(r);
	json_decref(r);
	close(fd);
}

static void test_server_pipelining(void **state)
{
	struct fix *f = *state;
	const char *batch = "{\"cmd\":\"ping\",\"tag\":1}\n"
			    "\n"
			    "  \r\n"
			    "{\"cmd\":\"nope\",\"tag\":2}\r\n"
			    "{\"cmd\":\"domain-add\",\"id\":16,\"tag\":3}\n";
	int fd = cl_connect(f->sock);

	cl_send(fd, batch, strlen(batch));
	for (int t = 1; t <= 3; t++) {
		char *line = cl_line(fd);
		json_t *r = json_loads(line, 0, NULL);

		assert_non_null(r);
		assert_int_equal(json_integer_value(get(r, "tag")), t);
		if (t == 2)
			expect_err(r, "EOPNOTSUPP");
		else
			expect_ok(r);
		json_decref(r);
		free(line);
	}
	close(fd);
	assert_true(apv_bus_queue_exists(f->h, APV_APQN(4, 0x10)));
}

static void test_server_long_lines(void **state)
{
	struct fix *f = *state;
	size_t big = APSIM_CTL_MAX_LINE + 5000;
	char *buf = malloc(big + 64);
	int fd = cl_connect(f->sock);
	json_t *r;
	char *line;

	/* an overlong line: E2BIG, skipped up to its newline */
	memset(buf, 'x', big);
	buf[big] = '\n';
	cl_send(fd, buf, big + 1);
	line = cl_line(fd);
	assert_non_null(line);
	r = json_loads(line, 0, NULL);
	expect_err(r, "E2BIG");
	json_decref(r);
	free(line);
	r = cl_call(fd, "{\"cmd\":\"ping\"}");
	expect_ok(r);
	json_decref(r);

	/* three times the limit in one go: one E2BIG only */
	memset(buf, 'y', big);
	cl_send(fd, buf, big);
	cl_send(fd, buf, big);
	cl_send(fd, buf, big);
	cl_send(fd, "\n", 1);
	r = cl_call(fd, "{\"cmd\":\"ping\",\"tag\":9}");
	expect_err(r, "E2BIG");
	json_decref(r);
	line = cl_line(fd);
	r = json_loads(line, 0, NULL);
	expect_ok(r);
	assert_int_equal(json_integer_value(get(r, "tag")), 9);
	json_decref(r);
	free(line);

	/* exactly the limit is fine: a request padded with blanks */
	memset(buf, ' ', APSIM_CTL_MAX_LINE);
	memcpy(buf, "{\"cmd\":\"ping\"}", 14); /* NOLINT(bugprone-not-null-terminated-result) */
	buf[APSIM_CTL_MAX_LINE] = '\n';
	cl_send(fd, buf, APSIM_CTL_MAX_LINE + 1);
	line = cl_line(fd);
	r = json_loads(line, 0, NULL);
	expect_ok(r);
	json_decref(r);
	free(line);
	free(buf);
	close(fd);
}

static void test_server_unterminated_last_line(void **state)
{
	struct fix *f = *state;
	int fd = cl_connect(f->sock);
	char *line;
	json_t *r;

	cl_send(fd, "{\"cmd\":\"ping\"}", 14);
	shutdown(fd, SHUT_WR);
	line = cl_line(fd);
	assert_non_null(line);
	r = json_loads(line, 0, NULL);
	expect_ok(r);
	json_decref(r);
	free(line);
	/* then the server hangs up */
	assert_null(cl_line(fd));
	close(fd);
}

static void test_server_many_clients(void **state)
{
	struct fix *f = *state;
	int fds[APSIM_CTL_MAX_CLIENTS + 1];
	json_t *r;

	for (unsigned int i = 0; i < APSIM_CTL_MAX_CLIENTS; i++)
		fds[i] = cl_connect(f->sock);
	/* all of them are served, in any order */
	for (unsigned int i = APSIM_CTL_MAX_CLIENTS; i-- > 0;) {
		r = cl_call(fds[i], "{\"cmd\":\"ping\"}");
		expect_ok(r);
		json_decref(r);
	}
	/* one more: the client idle the longest made room (issue 13) */
	fds[APSIM_CTL_MAX_CLIENTS] = cl_connect(f->sock);
	r = cl_call(fds[APSIM_CTL_MAX_CLIENTS], "{\"cmd\":\"server\"}");
	expect_ok(r);
	assert_int_equal(json_integer_value(json_object_get(r, "clients")),
			 APSIM_CTL_MAX_CLIENTS);
	assert_int_equal(json_integer_value(json_object_get(r, "evicted")), 1);
	assert_int_equal(json_integer_value(json_object_get(r, "refused")), 0);
	json_decref(r);
	close(fds[APSIM_CTL_MAX_CLIENTS]);
	/* a freed slot is reused */
	close(fds[0]);
	r = cl_call(fds[1], "{\"cmd\":\"ping\"}"); /* let the server notice */
	json_decref(r);
	fds[0] = cl_connect(f->sock);
	r = cl_call(fds[0], "{\"cmd\":\"ping\"}");
	expect_ok(r);
	json_decref(r);
	for (unsigned int i = 0; i < APSIM_CTL_MAX_CLIENTS; i++)
		close(fds[i]);
}

/* A client that does not read its (large) answers does not stall others. */
static void test_server_slow_reader(void **state)
{
	struct fix *f = *state;
	struct apsim_ctl *ctl2 = NULL;
	struct apv_host *big = boot_preset("max", NULL);
	char path[160];
	int slow, fast;
	json_t *r;

	snprintf(path, sizeof(path), "%s/big.sock", f->dir);
	assert_int_equal(apsim_ctl_start(big, path, &ctl2), 0);
	slow = cl_connect(path);
	fast = cl_connect(path);
	/* megabytes of state, several times, never read */
	for (int i = 0; i < 3; i++)
		cl_send(slow, "{\"cmd\":\"owners\"}\n", 17);
	r = cl_call(fast, "{\"cmd\":\"ping\"}");
	expect_ok(r);
	json_decref(r);
	close(slow);
	r = cl_call(fast, "{\"cmd\":\"state\",\"queues\":false}");
	expect_ok(r);
	assert_int_equal(json_array_size(get(r, "cards")), 256);
	json_decref(r);
	close(fast);
	apsim_ctl_stop(ctl2);
	apv_host_free(big);
	assert_int_equal(access(path, F_OK), -1);
}

static void test_server_socket_file(void **state)
{
	struct fix *f = *state;
	struct apsim_ctl *c2 = NULL;
	char path[96];
	int fd;

	/* a live server at the path */
	assert_int_equal(apsim_ctl_start(f->h, f->sock, &c2), -EADDRINUSE);
	assert_null(c2);

	/* a stale socket (a server that died) is replaced */
	snprintf(path, sizeof(path), "%s/stale.sock", f->dir);
	{
		struct sockaddr_un sa = {.sun_family = AF_UNIX};

		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
		assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)),
				 0);
		close(fd);
	}
	assert_int_equal(apsim_ctl_start(f->h, path, &c2), 0);
	fd = cl_connect(path);
	close(fd);
	apsim_ctl_stop(c2);
	assert_int_equal(access(path, F_OK), -1);

	/* not a socket: left alone */
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	assert_int_equal(apsim_ctl_start(f->h, path, &c2), -EEXIST);
	unlink(path);

	/* too long for sun_path */
	{
		char lp[200];

		memset(lp, 'a', sizeof(lp) - 1);
		lp[0] = '/';
		lp[sizeof(lp) - 1] = '\0';
		assert_int_equal(apsim_ctl_start(f->h, lp, &c2), -ENAMETOOLONG);
	}
	apsim_ctl_stop(NULL);
}

/* ---- apsim ctl ------------------------------------------------------------ */

/* Run apsim_ctl_main with stdout captured into out (malloc'ed). */
static int run_ctl(char **out, const char *const *args)
{
	char *argv[32];
	int argc = 0, saved, fd, st;
	char tmpl[] = "/tmp/apsim-ctl-out-XXXXXX";
	off_t n;

	argv[argc++] = (char *)"ctl";
	for (; *args; args++)
		argv[argc++] = (char *)*args;
	argv[argc] = NULL;
	fflush(stdout);
	fd = mkstemp(tmpl);
	assert_true(fd >= 0);
	unlink(tmpl);
	saved = dup(1);
	dup2(fd, 1);
	st = apsim_ctl_main(argc, argv);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	n = lseek(fd, 0, SEEK_END);
	*out = calloc(1, (size_t)n + 1);
	assert_int_equal(pread(fd, *out, (size_t)n, 0), n);
	close(fd);
	return st;
}

#define CTL(f, out, ...)                                                       \
	run_ctl((out), (const char *const[]){"--socket", (f)->sock,            \
					     __VA_ARGS__, NULL})

static void test_client(void **state)
{
	struct fix *f = *state;
	char *out;
	json_t *r;

	assert_int_equal(CTL(f, &out, "ping"), 0);
	assert_non_null(strstr(out, "protocol 1, kernel 6.12"));
	free(out);

	assert_int_equal(CTL(f, &out, "--json", "ping"), 0);
	r = json_loads(out, 0, NULL);
	expect_ok(r);
	json_decref(r);
	free(out);

	/* the examples */
	assert_int_equal(CTL(f, &out, "adapter", "05", "config", "off"), 0);
	assert_non_null(strstr(out, "ok: bus scanned"));
	free(out);
	assert_string_equal(attr(f->h, apv_obj_card(5), "config"), "0\n");
	assert_int_equal(CTL(f, &out, "adapter", "config", "5", "on"), 0);
	free(out);
	assert_string_equal(attr(f->h, apv_obj_card(5), "config"), "1\n");

	assert_int_equal(CTL(f, &out, "domain", "add", "0x20", "--no-scan"), 0);
	assert_non_null(strstr(out, "pending"));
	free(out);
	assert_false(apv_bus_queue_exists(f->h, APV_APQN(4, 0x20)));
	assert_int_equal(CTL(f, &out, "pending"), 0);
	assert_non_null(strstr(out, "domains_added: 0020"));
	free(out);
	assert_int_equal(CTL(f, &out, "scan"), 0);
	free(out);
	assert_true(apv_bus_queue_exists(f->h, APV_APQN(4, 0x20)));

	/* ids are hex: "10" is adapter 0x10 */
	assert_int_equal(CTL(f, &out, "adapter", "10", "add", "CEX7", "ep11",
			     "--standby"),
			 0);
	free(out);
	assert_string_equal(attr(f->h, apv_obj_card(0x10), "config"), "0\n");
	assert_string_equal(attr(f->h, apv_obj_card(0x10), "hwtype"), "13\n");
	assert_int_equal(CTL(f, &out, "control-domain", "0x0b", "add"), 0);
	free(out);

	assert_int_equal(CTL(f, &out, "state"), 0);
	assert_non_null(strstr(out, "card05"));
	assert_non_null(strstr(out, "05.0047"));
	free(out);
	assert_int_equal(CTL(f, &out, "state", "--brief"), 0);
	assert_non_null(strstr(out, "queues"));
	free(out);
	assert_int_equal(CTL(f, &out, "owners"), 0);
	assert_non_null(strstr(out, "04.0004"));
	free(out);
	assert_int_equal(CTL(f, &out, "log", "--since", "0", "--max", "5"), 0);
	free(out);
	assert_int_equal(CTL(f, &out, "raw", "{\"cmd\":\"ping\"}"), 0);
	assert_non_null(strstr(out, "\"protocol\""));
	free(out);

	/* the host refuses: 1; usage errors: 2 */
	assert_int_equal(CTL(f, &out, "adapter", "33", "remove"), 1);
	free(out);
	assert_int_equal(CTL(f, &out, "--json", "adapter", "33", "remove"), 1);
	assert_non_null(strstr(out, "\"ENODEV\""));
	free(out);
	assert_int_equal(CTL(f, &out, "frobnicate"), 2);
	free(out);
	assert_int_equal(CTL(f, &out, "adapter", "zz", "remove"), 2);
	free(out);
	assert_int_equal(CTL(f, &out, "adapter", "05", "config", "maybe"), 2);
	free(out);
	assert_int_equal(CTL(f, &out, "state", "--no-scan"), 2);
	free(out);
	assert_int_equal(CTL(f, &out, "--bogus", "ping"), 2);
	free(out);
	assert_int_equal(run_ctl(&out, (const char *const[]){NULL}), 2);
	free(out);
	assert_int_equal(run_ctl(&out, (const char *const[]){"--help", NULL}),
			 0);
	assert_non_null(strstr(out, "usage: apsim ctl"));
	free(out);
}

static void test_client_no_server(void **state)
{
	char *out;

	(void)state;
	assert_int_equal(
		run_ctl(&out, (const char *const[]){"--socket",
						    "/nonexistent/apsim.sock",
						    "ping", NULL}),
		3);
	free(out);
	/* $APSIM_SOCKET is the default */
	setenv("APSIM_SOCKET", "/nonexistent/env.sock", 1);
	assert_string_equal(apsim_ctl_socket_path(), "/nonexistent/env.sock");
	setenv("APSIM_SOCKET", "", 1);
	assert_string_equal(apsim_ctl_socket_path(), "/run/apsim.sock");
	unsetenv("APSIM_SOCKET");
	assert_string_equal(apsim_ctl_socket_path(), "/run/apsim.sock");
}

#define TH(t) cmocka_unit_test_setup_teardown(t, setup_host, teardown)
#define TS(t) cmocka_unit_test_setup_teardown(t, setup_server, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TH(test_ping_and_help),
		TH(test_malformed),
		TH(test_unknown_command_and_args),
		TH(test_every_command_checks_args),
		TH(test_tag_echo),
		TH(test_hostile_inputs),
		TH(test_configure_off_on),
		TH(test_pending_until_scan),
		TH(test_add_remove_restore),
		cmocka_unit_test(test_legacy_add_on_61),
		TH(test_checkstop_and_domains),
		cmocka_unit_test(test_range_refusal_has_reason),
		TH(test_state),
		TH(test_owners),
		TH(test_log),
		TH(test_log_reason_fields),
		TS(test_server_basics),
		TS(test_server_pipelining),
		TS(test_server_long_lines),
		TS(test_server_unterminated_last_line),
		TS(test_server_many_clients),
		TS(test_server_slow_reader),
		TS(test_server_socket_file),
		TS(test_client),
		cmocka_unit_test(test_client_no_server),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
