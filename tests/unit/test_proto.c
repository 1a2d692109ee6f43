// SPDX-License-Identifier: MIT
/*
 * libapvirt_proto (src/proto): the errno names both ways and complete, the
 * request plumbing, the guest.* codec (every verb and reply, the compact
 * form and any other JSON form), the bounded line reader and the socket
 * client against a real socket.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include <jansson.h>

#include <apvirt/kvm.h>
#include <apvirt/proto/conn.h>
#include <apvirt/proto/errname.h>
#include <apvirt/proto/guest_wire.h>
#include <apvirt/proto/line.h>
#include <apvirt/proto/names.h>
#include <apvirt/proto/request.h>

/* ---- errno names ---- */

/*
 * Every errno the model, apsim and the guest library return (grep -ohE
 * '\bE[A-Z0-9]+\b' src/lib src/sim src/guest src/base, the errno macros
 * among them), minus the aliases EWOULDBLOCK (= EAGAIN).
 */
static const int used[] = {
	E2BIG,	EACCES,	      EADDRINUSE, EADDRNOTAVAIL, EAGAIN, EBADMSG,
	EBUSY,	ECONNREFUSED, ECONNRESET, EEXIST,	 EFAULT, EFBIG,
	EINTR,	EINVAL,	      EIO,	  EISCONN,	 EISDIR, ELOOP,
	EMFILE, ENAMETOOLONG, ENODEV,	  ENOENT,	 ENOMEM, ENOSPC,
	ENOSYS, ENOTCONN,     ENOTDIR,	  EOPNOTSUPP,	 EPERM,	 EPIPE,
	EPROTO, ERANGE,	      ETIMEDOUT,  EUCLEAN,	 EUSERS,
};

static void test_errno_complete(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(used) / sizeof(*used); i++) {
		const char *n = apv_errno_name(used[i]);

		/* a symbolic name, not "E<n>" */
		assert_true(n[0] == 'E' &&
			    strspn(n + 1, "0123456789") < strlen(n + 1));
		assert_string_equal(apv_errno_name(-used[i]), n);
		assert_int_equal(apv_errno_of(n), used[i]);
	}
	assert_string_equal(apv_errno_name(ENOTCONN), "ENOTCONN");
	assert_string_equal(apv_errno_name(-EISCONN), "EISCONN");
}

static void test_errno_table(void **state)
{
	size_t n;
	const struct apv_errno_entry *t = apv_errno_table(&n);

	(void)state;
	assert_true(n >= sizeof(used) / sizeof(*used));
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(apv_errno_of(t[i].name), t[i].err);
		assert_string_equal(apv_errno_name(t[i].err), t[i].name);
		for (size_t j = i + 1; j < n; j++) {
			assert_int_not_equal(t[i].err, t[j].err);
			assert_string_not_equal(t[i].name, t[j].name);
		}
	}
	/* outside the table: "E<n>" both ways */
	assert_string_equal(apv_errno_name(4000), "E4000");
	assert_int_equal(apv_errno_of("E4000"), 4000);
	assert_int_equal(apv_errno_of("E107"), 107);
	/* aliases are read, never written */
	assert_int_equal(apv_errno_of("EWOULDBLOCK"), EAGAIN);
	assert_int_equal(apv_errno_of("ENOTSUP"), EOPNOTSUPP);
	assert_string_equal(apv_errno_name(EWOULDBLOCK), "EAGAIN");
	/* not names */
	assert_int_equal(apv_errno_of(NULL), 0);
	assert_int_equal(apv_errno_of(""), 0);
	assert_int_equal(apv_errno_of("EFOO"), 0);
	assert_int_equal(apv_errno_of("E0"), 0);
	assert_int_equal(apv_errno_of("E12x"), 0);
	assert_int_equal(apv_errno_of("E99999"), 0);
	assert_int_equal(apv_errno_of("ebusy"), 0);
}

/* ---- request plumbing ---- */

static char *handle(const char *line)
{
	struct apv_req r;

	if (!apv_req_parse(&r, line, strlen(line))) {
		if (!strcmp(r.cmd, "x"))
			apv_req_set(&r, NULL, "v", json_integer(1));
		else if (!strcmp(r.cmd, "fail")) {
			apv_req_fail(&r, -EBUSY, "first %d", 1);
			apv_req_fail(&r, EINVAL, "second");
		} else if (!strcmp(r.cmd, "reason")) {
			apv_req_fail(&r, ENODEV, "gone");
			apv_req_reason(&r,
				       json_pack("{s:s}", "rule", "no-device"));
		}
	}
	return apv_req_finish(&r);
}

static void expect_line(char *got, const char *want)
{
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_request(void **state)
{
	(void)state;
	expect_line(handle("{\"cmd\":\"x\",\"tag\":[1]}"),
		    "{\"ok\":true,\"v\":1,\"tag\":[1]}");
	expect_line(handle("{\"cmd\":\"fail\",\"tag\":\"t\"}"),
		    "{\"ok\":false,\"errno\":\"EBUSY\",\"error\":\"first 1\","
		    "\"tag\":\"t\"}");
	expect_line(handle("{\"cmd\":\"reason\"}"),
		    "{\"ok\":false,\"errno\":\"ENODEV\",\"error\":\"gone\","
		    "\"reason\":{\"rule\":\"no-device\"}}");
	expect_line(handle("[1]"),
		    "{\"ok\":false,\"errno\":\"EINVAL\",\"error\":\"malformed "
		    "request: expected a JSON object\"}");
	expect_line(handle("{\"tag\":1}"),
		    "{\"ok\":false,\"errno\":\"EINVAL\",\"error\":\"cmd: "
		    "missing\",\"tag\":1}");
	expect_line(handle("{\"cmd\":2}"),
		    "{\"ok\":false,\"errno\":\"EINVAL\",\"error\":\"cmd: "
		    "expected a string\"}");
	expect_line(
		handle("{\"cmd\":\"x\",\"cmd\":\"x\"}"),
		"{\"ok\":false,\"errno\":\"EINVAL\",\"error\":\"malformed "
		"request: column 16: duplicate object key near '\\\"cmd\\\"'"
		"\"}");
	expect_line(
		apv_proto_error(-E2BIG, "too long"),
		"{\"ok\":false,\"errno\":\"E2BIG\",\"error\":\"too long\"}");
}

static void test_json_u64(void **state)
{
	static const struct {
		const char *json;
		int rc;
		uint64_t v;
	} t[] = {
		{"5", 0, 5},
		{"\"0x1f\"", 0, 0x1f},
		{"\"12\"", 0, 12},
		{"\"0xffffffffffffffff\"", 0, UINT64_MAX},
		{"-1", -EINVAL, 0},
		{"\"-1\"", -EINVAL, 0},
		{"\" 1\"", -EINVAL, 0},
		{"\"\"", -EINVAL, 0},
		{"\"0x1g\"", -EINVAL, 0},
		{"\"0x10000000000000000\"", -EINVAL, 0},
		{"true", -EINVAL, 0},
		{"1.5", -EINVAL, 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(*t); i++) {
		json_t *v = json_loads(t[i].json, JSON_DECODE_ANY, NULL);
		uint64_t x = 0;

		assert_non_null(v);
		assert_int_equal(apv_json_u64(v, &x), t[i].rc);
		if (!t[i].rc)
			assert_true(x == t[i].v);
		json_decref(v);
	}
}

/* ---- the guest.* codec ---- */

/* Another valid JSON form of a line: spaces, keys sorted, indented. */
static char *reformat(const char *line, size_t n)
{
	json_t *o = json_loadb(line, n, 0, NULL);
	char *s;

	assert_non_null(o);
	s = json_dumps(o, JSON_INDENT(1) | JSON_SORT_KEYS);
	json_decref(o);
	assert_non_null(s);
	/* one line: the indentation's newlines become spaces */
	for (char *p = s; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return s;
}

static void req_equal(const struct apv_gw_req *a, const struct apv_gw_req *b)
{
	assert_int_equal(a->which, b->which);
	assert_memory_equal(a->regs.gr, b->regs.gr, sizeof(a->regs.gr));
	assert_int_equal(a->regs.problem_state, b->regs.problem_state);
	assert_int_equal(a->regs.cc, b->regs.cc);
	if (a->which != APV_GW_PQAP) {
		assert_int_equal(a->r1, b->r1);
		assert_int_equal(a->r2, b->r2);
	}
	assert_int_equal(a->msg_len, b->msg_len);
	if (a->msg_len)
		assert_memory_equal(a->msg, b->msg, a->msg_len);
	assert_int_equal(!a->msg, !b->msg);
	assert_int_equal(a->data, b->data);
}

/* Encode, decode compact and through jansson (both forms): the same. */
static void insn_roundtrip(enum apv_gw_insn which,
			   const struct apv_cpu_regs *regs, int r1, int r2,
			   const void *msg, size_t len, bool data)
{
	char *buf = malloc(APV_GW_INSN_LINE_MAX(len));
	struct apv_gw_req fast, slow,
		want = {.which = which, .regs = *regs, .data = data};
	struct apv_req r;
	size_t n;
	char *pretty;

	assert_non_null(buf);
	if (r1 >= 0) {
		want.r1 = (unsigned int)r1;
		want.r2 = (unsigned int)r2;
	}
	n = apv_gw_insn_line(buf, which, regs, r1, r2, msg, len, data);
	assert_true(n > 0 && buf[n - 1] == '\n');
	assert_null(memchr(buf, '\n', n - 1));
	/* the compact form */
	assert_true(apv_gw_insn_parse(buf, n - 1, &fast));
	if (msg) {
		char *hex = malloc(2 * len + 1);

		for (size_t i = 0; i < len; i++)
			sprintf(hex + 2 * i, "%02x", ((const uint8_t *)msg)[i]);
		want.msg = hex;
		want.msg_len = 2 * len;
		req_equal(&fast, &want);
		free(hex);
		want.msg = fast.msg;
	}
	req_equal(&fast, &want);
	/* jansson: the same line */
	assert_int_equal(apv_req_parse(&r, buf, n - 1), 0);
	assert_int_equal(apv_gw_insn_of(r.cmd), (int)which);
	assert_int_equal(apv_gw_insn_from_json(&r, which, &slow), 0);
	req_equal(&slow, &fast);
	free(apv_req_finish(&r));
	/* another form: not the fast path's, the same request */
	pretty = reformat(buf, n - 1);
	assert_false(apv_gw_insn_parse(pretty, strlen(pretty), &slow));
	assert_int_equal(apv_req_parse(&r, pretty, strlen(pretty)), 0);
	assert_int_equal(apv_gw_insn_from_json(&r, which, &slow), 0);
	req_equal(&slow, &fast);
	free(apv_req_finish(&r));
	free(pretty);
	free(buf);
}

static void test_codec_requests(void **state)
{
	struct apv_cpu_regs r = {0};
	uint8_t msg[300];

	(void)state;
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 7);
	r.gr[0] = 0x0447;
	r.gr[1] = UINT64_C(0x800000000006);
	r.gr[2] = 0x1000;
	r.gr[15] = UINT64_MAX;
	insn_roundtrip(APV_GW_PQAP, &r, -1, 0, NULL, 0, false);
	r.problem_state = true;
	r.cc = 2;
	insn_roundtrip(APV_GW_PQAP, &r, -1, 0, NULL, 0, false);
	insn_roundtrip(APV_GW_NQAP, &r, 4, 6, NULL, 0, false);
	insn_roundtrip(APV_GW_NQAP, &r, 4, 6, msg, sizeof(msg), false);
	insn_roundtrip(APV_GW_NQAP, &r, 0, 15, msg, 0, false);
	insn_roundtrip(APV_GW_DQAP, &r, 4, 6, NULL, 0, false);
	insn_roundtrip(APV_GW_DQAP, &r, 4, 6, NULL, 0, true);
	memset(&r, 0, sizeof(r));
	insn_roundtrip(APV_GW_DQAP, &r, 0, 0, NULL, 0, true);
	assert_string_equal(apv_gw_insn_cmd(APV_GW_NQAP), "guest.nqap");
	assert_int_equal(apv_gw_insn_of("guest.info"), -1);
}

static int from_json_err(const char *line, char *msg, size_t size)
{
	struct apv_req r;
	struct apv_gw_req q;
	int rc;

	assert_int_equal(apv_req_parse(&r, line, strlen(line)), 0);
	rc = apv_gw_insn_from_json(&r, apv_gw_insn_of(r.cmd), &q);
	snprintf(msg, size, "%s", r.msg);
	free(apv_req_finish(&r));
	return rc;
}

static void test_codec_request_errors(void **state)
{
	static const struct {
		const char *line, *msg;
	} t[] = {
		{"{\"cmd\":\"guest.pqap\",\"r1\":1}",
		 "unknown argument \"r1\""},
		{"{\"cmd\":\"guest.pqap\",\"gr\":[]}",
		 "gr: expected an object {\"N\": value}"},
		{"{\"cmd\":\"guest.pqap\",\"gr\":{\"16\":1}}",
		 "gr: key \"16\": expected 0..15"},
		{"{\"cmd\":\"guest.pqap\",\"gr\":{\"1\":-1}}",
		 "gr.1: expected an unsigned integer or \"0x...\""},
		{"{\"cmd\":\"guest.pqap\",\"problem\":1}",
		 "problem: expected true or false"},
		{"{\"cmd\":\"guest.pqap\",\"cc\":4}", "cc: expected 0..3"},
		{"{\"cmd\":\"guest.nqap\",\"r2\":1}", "r1: missing"},
		{"{\"cmd\":\"guest.dqap\",\"r1\":1,\"r2\":16}",
		 "r2: expected 0..15"},
		{"{\"cmd\":\"guest.nqap\",\"r1\":1,\"r2\":2,\"msg\":\"abc\"}",
		 "msg: expected hex digits"},
		{"{\"cmd\":\"guest.nqap\",\"r1\":1,\"r2\":2,\"msg\":\"zz\"}",
		 "msg: expected hex digits"},
	};
	struct apv_gw_req q;
	char msg[256];

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(*t); i++) {
		assert_int_equal(from_json_err(t[i].line, msg, sizeof(msg)),
				 -EINVAL);
		assert_string_equal(msg, t[i].msg);
		/* and none of them is taken by the fast path */
		assert_false(
			apv_gw_insn_parse(t[i].line, strlen(t[i].line), &q));
	}
	/* the fast path refuses what it does not know, jansson decides */
	assert_false(apv_gw_insn_parse("{\"cmd\":\"guest.pqap\",\"tag\":1}", 29,
				       &q));
	assert_false(
		apv_gw_insn_parse("{\"cmd\":\"guest.nqap\",\"r1\":1}", 27, &q));
	assert_true(apv_gw_insn_parse(
		"{\"cmd\":\"guest.pqap\",\"gr\":{\"0\":7}}", 33, &q));
	assert_true(q.regs.gr[0] == 7);
}

static void result_roundtrip(const struct apv_cpu_regs *regs,
			     const struct apv_insn_result *res,
			     const uint8_t *data, size_t n)
{
	char *line = apv_gw_result_line(regs, res, data, n), *pretty;
	struct apv_cpu_regs got, want = {0};
	struct apv_insn_result gres;
	uint8_t buf[512];
	size_t stored = 0;
	char err[64];

	assert_non_null(line);
	for (unsigned int i = 0; i < 16; i++)
		if (res->changed & (1u << i))
			want.gr[i] = regs->gr[i];
	if (res->pgm == APV_PGM_NONE)
		want.cc = regs->cc;
	/* compact */
	memset(&got, 0, sizeof(got));
	assert_int_equal(apv_gw_result_parse(line, strlen(line), &got, &gres,
					     data ? buf : NULL, sizeof(buf),
					     &stored, err, sizeof(err)),
			 0);
	assert_memory_equal(&got, &want, sizeof(got));
	assert_int_equal(gres.pgm, res->pgm);
	assert_int_equal(gres.changed, res->changed);
	assert_int_equal(gres.cc, regs->cc);
	if (data) {
		assert_int_equal(stored, n);
		assert_memory_equal(buf, data, n);
	}
	/* any other form */
	pretty = reformat(line, strlen(line));
	memset(&got, 0, sizeof(got));
	stored = 0;
	assert_int_equal(apv_gw_result_parse(pretty, strlen(pretty), &got,
					     &gres, data ? buf : NULL,
					     sizeof(buf), &stored, err,
					     sizeof(err)),
			 0);
	assert_memory_equal(&got, &want, sizeof(got));
	assert_int_equal(gres.pgm, res->pgm);
	assert_int_equal(gres.changed, res->changed);
	if (data) {
		assert_int_equal(stored, n);
		assert_memory_equal(buf, data, n);
	}
	/* the general path writes the same bytes */
	if (!data) {
		struct apv_req r;

		assert_int_equal(
			apv_req_parse(&r, "{\"cmd\":\"guest.pqap\"}", 20), 0);
		assert_int_equal(apv_gw_result_json(&r, regs, res), 0);
		expect_line(apv_req_finish(&r), line);
	}
	free(pretty);
	free(line);
}

static void test_codec_replies(void **state)
{
	struct apv_cpu_regs r = {0};
	struct apv_insn_result res = {0};
	uint8_t data[300];

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(255 - i);
	/* nothing changed */
	r.cc = 3;
	result_roundtrip(&r, &res, NULL, 0);
	/* TAPQ: GR1, GR2 */
	r.cc = 0;
	r.gr[1] = 0x10000;
	r.gr[2] = 0;
	res.changed = 6;
	result_roundtrip(&r, &res, NULL, 0);
	/* every register, the largest values */
	for (unsigned int i = 0; i < 16; i++)
		r.gr[i] = UINT64_MAX - i;
	res.changed = 0xffff;
	r.cc = 1;
	result_roundtrip(&r, &res, NULL, 0);
	/* dqap with data */
	res.changed = 1u << 6 | 1u << 7;
	result_roundtrip(&r, &res, data, sizeof(data));
	result_roundtrip(&r, &res, data, 0);
	/* a program exception: no register, cc unchanged */
	res.pgm = APV_PGM_PRIVILEGED;
	res.changed = 0;
	result_roundtrip(&r, &res, NULL, 0);
}

static void test_codec_reply_errors(void **state)
{
	struct apv_cpu_regs r = {0};
	struct apv_insn_result res;
	char err[128];
	char *e;

	(void)state;
	e = apv_proto_error(ENOTCONN, "guest.pqap: not a guest");
	assert_int_equal(apv_gw_result_parse(e, strlen(e), &r, &res, NULL, 0,
					     NULL, err, sizeof(err)),
			 -ENOTCONN);
	assert_string_equal(err, "ENOTCONN: guest.pqap: not a guest");
	free(e);
	e = apv_proto_error(EISCONN, "already");
	assert_int_equal(apv_gw_result_parse(e, strlen(e), &r, &res, NULL, 0,
					     NULL, err, sizeof(err)),
			 -EISCONN);
	free(e);
	/* an unknown name, broken replies */
	assert_int_equal(
		apv_gw_result_parse("{\"ok\":false,\"errno\":\"EFOO\"}", 28, &r,
				    &res, NULL, 0, NULL, err, sizeof(err)),
		-EPROTO);
	assert_int_equal(apv_gw_result_parse("nope", 4, &r, &res, NULL, 0, NULL,
					     err, sizeof(err)),
			 -EPROTO);
	assert_int_equal(apv_gw_result_parse("{\"ok\":true,\"pgm\":0}", 19, &r,
					     &res, NULL, 0, NULL, err,
					     sizeof(err)),
			 -EPROTO);
	assert_int_equal(
		apv_gw_result_parse(
			"{\"ok\":true,\"pgm\":0,\"cc\":0,\"gr\":{\"16\":1}}",
			40, &r, &res, NULL, 0, NULL, err, sizeof(err)),
		-EPROTO);
}

static void test_codec_events(void **state)
{
	struct apv_gw_event ev;
	json_t *reply;
	char line[128], *pretty;

	(void)state;
	apv_gw_irq_line(line, sizeof(line), 0x40, 3);
	assert_string_equal(line,
			    "{\"event\":\"irq\",\"iscs\":64,\"total\":3}");
	assert_int_equal(apv_gw_event_parse(line, strlen(line), &ev, &reply),
			 1);
	assert_int_equal(ev.kind, APV_GW_EV_IRQ);
	assert_int_equal(ev.iscs, 0x40);
	assert_true(ev.total == 3);
	pretty = reformat(line, strlen(line));
	assert_int_equal(
		apv_gw_event_parse(pretty, strlen(pretty), &ev, &reply), 1);
	assert_int_equal(ev.kind, APV_GW_EV_IRQ);
	assert_int_equal(ev.iscs, 0x40);
	assert_true(ev.total == 3);
	free(pretty);

	apv_gw_cfg_change_line(line, sizeof(line), 2);
	assert_string_equal(line, "{\"event\":\"cfg_change\",\"count\":2}");
	assert_int_equal(apv_gw_event_parse(line, strlen(line), &ev, &reply),
			 1);
	assert_int_equal(ev.kind, APV_GW_EV_CFG_CHANGE);
	assert_true(ev.count == 2);

	apv_gw_request_line(line, sizeof(line), 1, true);
	assert_string_equal(
		line, "{\"event\":\"request\",\"count\":1,\"closed\":true}");
	pretty = reformat(line, strlen(line));
	assert_int_equal(
		apv_gw_event_parse(pretty, strlen(pretty), &ev, &reply), 1);
	assert_int_equal(ev.kind, APV_GW_EV_REQUEST);
	assert_true(ev.count == 1 && ev.closed);
	free(pretty);

	assert_int_equal(
		apv_gw_event_parse("{\"event\":\"new\"}", 15, &ev, &reply), 1);
	assert_int_equal(ev.kind, APV_GW_EV_OTHER);
	/* a reply is not an event: handed back parsed */
	assert_int_equal(apv_gw_event_parse("{\"ok\":true}", 11, &ev, &reply),
			 0);
	assert_true(json_is_true(json_object_get(reply, "ok")));
	json_decref(reply);
	assert_int_equal(apv_gw_event_parse("[1]", 3, &ev, &reply), -EPROTO);
	assert_null(reply);
}

static void test_codec_attach_mem(void **state)
{
	char *s = apv_gw_attach_line("11111111-2222-3333-4444-555555555555",
				     "g1", APV_CPU_AP | APV_CPU_APQI, 65536);
	struct apv_strbuf sb = APV_STRBUF_INIT;
	unsigned int cpu = 0;
	char line[128];
	json_t *o, *c;
	size_t bad;

	(void)state;
	assert_string_equal(
		s, "{\"cmd\":\"guest.attach\",\"mdev\":\"11111111-2222-3333-"
		   "4444-555555555555\",\"name\":\"g1\",\"mem\":65536,\"cpu\":"
		   "[\"ap\",\"apqi\"]}");
	o = json_loads(s, 0, NULL);
	assert_int_equal(
		apv_gw_cpu_parse(json_object_get(o, "cpu"), &cpu, &bad), 0);
	assert_int_equal(cpu, APV_CPU_AP | APV_CPU_APQI);
	json_decref(o);
	free(s);
	c = apv_gw_cpu_json(APV_CPU_DEFAULT);
	assert_int_equal(apv_gw_cpu_parse(c, &cpu, &bad), 0);
	assert_int_equal(cpu, APV_CPU_DEFAULT);
	json_decref(c);
	c = json_loads("[\"ap\",\"sse\"]", 0, NULL);
	assert_int_equal(apv_gw_cpu_parse(c, &cpu, &bad), -EINVAL);
	assert_int_equal(bad, 1);
	json_decref(c);
	c = json_string("ap");
	assert_int_equal(apv_gw_cpu_parse(c, &cpu, &bad), -EINVAL);
	assert_true(bad == SIZE_MAX);
	json_decref(c);

	assert_int_equal(apv_gw_mem_write_line(&sb, 0x1000, "\x01\xab", 2), 0);
	assert_string_equal(apv_sb_str(&sb),
			    "{\"cmd\":\"guest.mem-write\",\"addr\":\"0x1000\","
			    "\"hex\":\"01ab\"}");
	apv_sb_free(&sb);
	apv_gw_mem_read_line(line, sizeof(line), 0xf000, 16);
	assert_string_equal(line, "{\"cmd\":\"guest.mem-read\",\"addr\":"
				  "\"0xf000\",\"len\":16}");
	o = apv_json_hex("\x00\xff", 2);
	assert_string_equal(json_string_value(o), "00ff");
	json_decref(o);
}

/* ---- the line reader ---- */

static void send_str(int fd, const char *s, size_t n)
{
	assert_int_equal(send(fd, s, n, MSG_NOSIGNAL), (ssize_t)n);
}

/* The next line as a server reads it: apv_lb_next(), else one fill. */
static int next_line(struct apv_linebuf *lb, int fd, char **line, size_t *n)
{
	for (;;) {
		int rc = apv_lb_next(lb, line, n);
		ssize_t r;

		if (rc)
			return rc;
		r = apv_lb_fill(lb, fd, MSG_DONTWAIT);
		if (r == -EAGAIN || r == 0)
			return 0;
		assert_true(r > 0);
	}
}

static void test_line_bounds(void **state)
{
	struct apv_linebuf lb;
	char *big = malloc(200), *line;
	size_t n;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	apv_lb_init(&lb, 100);
	memset(big, 'a', 200);
	/* exactly max bytes: a line */
	send_str(sv[1], big, 100);
	send_str(sv[1], "\n", 1);
	assert_int_equal(next_line(&lb, sv[0], &line, &n), 1);
	assert_int_equal(n, 100);
	assert_int_equal(line[100], '\0');
	assert_int_equal(next_line(&lb, sv[0], &line, &n), 0);
	/* max + 1: E2BIG once, skipped to its newline; the next line is read */
	send_str(sv[1], big, 150);
	assert_int_equal(next_line(&lb, sv[0], &line, &n), -E2BIG);
	assert_int_equal(next_line(&lb, sv[0], &line, &n), 0);
	send_str(sv[1], big, 50);
	send_str(sv[1], "\nok\n  \r\n", 8);
	assert_int_equal(next_line(&lb, sv[0], &line, &n), 1);
	assert_string_equal(line, "ok");
	assert_int_equal(next_line(&lb, sv[0], &line, &n), 1);
	assert_true(apv_line_blank(line, n));
	assert_false(apv_line_blank("x", 1));
	assert_int_equal(next_line(&lb, sv[0], &line, &n), 0);
	/* a complete line longer than max, received at once */
	send_str(sv[1], big, 101);
	send_str(sv[1], "\nnext\n", 6);
	assert_int_equal(next_line(&lb, sv[0], &line, &n), -E2BIG);
	assert_int_equal(next_line(&lb, sv[0], &line, &n), 1);
	assert_string_equal(line, "next");
	assert_int_equal(apv_lb_fill(&lb, sv[0], MSG_DONTWAIT), -EAGAIN);
	/* an unterminated last line, handed out at eof */
	send_str(sv[1], "last", 4);
	assert_int_equal(next_line(&lb, sv[0], &line, &n), 0);
	assert_int_equal(apv_lb_rest(&lb, &line, &n), 0);
	shutdown(sv[1], SHUT_WR);
	assert_int_equal(next_line(&lb, sv[0], &line, &n), 0);
	assert_true(lb.eof);
	assert_int_equal(apv_lb_rest(&lb, &line, &n), 1);
	assert_string_equal(line, "last");
	assert_int_equal(apv_lb_rest(&lb, &line, &n), 0);
	apv_lb_free(&lb);
	apv_lb_free(NULL);
	close(sv[0]);
	close(sv[1]);
	free(big);
}

/* ---- the socket client ---- */

static void test_conn(void **state)
{
	char dir[] = "/tmp/test_proto.XXXXXX", path[64], long_path[200];
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct apv_conn c;
	char *line, buf[64];
	size_t n;
	int lfd, sfd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sock", dir);
	apv_conn_init(&c, 32);
	/* nobody there */
	assert_int_equal(apv_conn_connect(&c, path), -ENOENT);
	memset(long_path, 'x', sizeof(long_path) - 1);
	long_path[sizeof(long_path) - 1] = '\0';
	assert_int_equal(apv_conn_connect(&c, long_path), -ENAMETOOLONG);
	assert_int_equal(apv_conn_send(&c, "x", 1), -EPIPE);

	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	assert_int_equal(apv_conn_connect(&c, path), 0);
	sfd = accept(lfd, NULL, NULL);
	assert_true(sfd >= 0);
	/* a request line goes out with its newline */
	send_str(sfd, "{\"ok\":true}\n", 12);
	assert_int_equal(apv_conn_roundtrip(&c, "{\"cmd\":\"ping\"}", 1000,
					    &line, &n),
			 1);
	assert_string_equal(line, "{\"ok\":true}");
	assert_int_equal(recv(sfd, buf, sizeof(buf), 0), 15);
	assert_memory_equal(buf, "{\"cmd\":\"ping\"}\n", 15);
	/* no answer in time */
	assert_int_equal(apv_conn_read_line(&c, apv_now_ms() + 20, &line, &n),
			 0);
	/* too long for this client: EPROTO-worthy, skipped */
	memset(buf, 'z', sizeof(buf));
	send_str(sfd, buf, 40);
	send_str(sfd, "\nshort\n", 7);
	assert_int_equal(apv_conn_read_line(&c, -1, &line, &n), -E2BIG);
	assert_int_equal(apv_conn_read_line(&c, -1, &line, &n), 1);
	assert_string_equal(line, "short");
	/* the peer goes away */
	close(sfd);
	assert_int_equal(apv_conn_read_line(&c, -1, &line, &n), -EPIPE);
	apv_conn_close(&c);
	apv_conn_close(&c);
	assert_int_equal(apv_conn_read_line(&c, -1, &line, &n), -EPIPE);
	close(lfd);
	unlink(path);
	rmdir(dir);

	/* the socket path */
	setenv(APV_PROTO_SOCKET_ENV, "/tmp/x.sock", 1);
	assert_string_equal(apv_proto_socket_path(NULL), "/tmp/x.sock");
	assert_string_equal(apv_proto_socket_path("/a"), "/a");
	setenv(APV_PROTO_SOCKET_ENV, "", 1);
	assert_string_equal(apv_proto_socket_path(""),
			    APV_PROTO_DEFAULT_SOCKET);
	unsetenv(APV_PROTO_SOCKET_ENV);
	assert_string_equal(apv_proto_socket_path(NULL), "/run/apsim.sock");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errno_complete),
		cmocka_unit_test(test_errno_table),
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_json_u64),
		cmocka_unit_test(test_codec_requests),
		cmocka_unit_test(test_codec_request_errors),
		cmocka_unit_test(test_codec_replies),
		cmocka_unit_test(test_codec_reply_errors),
		cmocka_unit_test(test_codec_events),
		cmocka_unit_test(test_codec_attach_mem),
		cmocka_unit_test(test_line_bounds),
		cmocka_unit_test(test_conn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
