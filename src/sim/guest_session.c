// SPDX-License-Identifier: MIT
/*
 * Guest sessions (guest_session.h, docs/control-protocol.md "Guest
 * sessions"): QEMU's part for a guest that lives in another process.
 *
 * guest.attach creates the KVM (apv_kvm_new with the CPU model, one
 * memslot at 0), associates it with the mdev and opens the device; the
 * instruction requests run apv_insn_* with the client's registers; the
 * connection's end closes the device (CRYCB cleared, queues zeroized) and
 * frees the KVM, as QEMU's exit does.
 *
 * Notifications arrive with host->lock held (kvm.h): the callbacks only
 * record them in atomics and wake the server thread through the kick pipe;
 * the server then turns them into event lines and, for a device request
 * (mdev removal), unplugs the device itself as QEMU's vfio-ap request
 * handler does, so the waiting `remove` can finish.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include <apvirt/ap_insn.h>
#include <apvirt/apqn.h>
#include <apvirt/host.h>
#include <apvirt/kvm.h>
#include <apvirt/parse.h>
#include <apvirt/reason.h>
#include <apvirt/vfio_ap.h>

#include "control.h"
#include "guest_session.h"
#include "guest_wire.h"

/* Most bytes one mem-read may ask for (its hex fits a line). */
#define MEM_IO_MAX 16384u
/* Most bytes a dqap response returns as "data". */
#define DQAP_DATA_MAX 16384u

struct apsim_guests {
	struct apv_host *host;
	int kick_fd;
	atomic_bool kicked;
};

struct apsim_guest {
	struct apsim_guests *gs;
	struct apv_kvm *kvm; /* NULL once dropped */
	uint8_t uuid[16];
	char name[64];
	unsigned int cpu;
	uint64_t mem;
	/* set by the notification callbacks (host->lock held) */
	atomic_uint cfg_changes;
	atomic_bool request;
	atomic_uint request_count;
	atomic_bool irq;
};

int apsim_guests_new(struct apv_host *host, int kick_fd,
		     struct apsim_guests **out)
{
	struct apsim_guests *gs = calloc(1, sizeof(*gs));

	*out = NULL;
	if (!gs)
		return -ENOMEM;
	gs->host = host;
	gs->kick_fd = kick_fd;
	atomic_init(&gs->kicked, false);
	*out = gs;
	return 0;
}

void apsim_guests_free(struct apsim_guests *gs)
{
	free(gs);
}

void apsim_guests_kicked(struct apsim_guests *gs)
{
	atomic_store(&gs->kicked, false);
}

static void kick(struct apsim_guests *gs)
{
	if (!atomic_exchange(&gs->kicked, true))
		(void)!write(gs->kick_fd, "k", 1);
}

/* ---- notifications (host->lock held: no library calls) ---------------- */

static void on_request(void *opaque, unsigned int count)
{
	struct apsim_guest *s = opaque;

	atomic_store(&s->request_count, count);
	atomic_store(&s->request, true);
	kick(s->gs);
}

static void on_cfg_change(void *opaque)
{
	struct apsim_guest *s = opaque;

	atomic_fetch_add(&s->cfg_changes, 1);
	kick(s->gs);
}

static void on_adapter_irq(void *opaque, unsigned int isc)
{
	struct apsim_guest *s = opaque;

	(void)isc; /* taken with apv_kvm_take_adapter_irqs() */
	atomic_store(&s->irq, true);
	kick(s->gs);
}

/* ---- responses -------------------------------------------------------- */

struct greq {
	json_t *req, *resp;
	int err;
	bool model;
	enum apv_rule rule;
	char msg[256];
};

static int gbad(struct greq *h, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int gbad(struct greq *h, int err, const char *fmt, ...)
{
	va_list ap;

	if (h->err)
		return h->err;
	va_start(ap, fmt);
	vsnprintf(h->msg, sizeof(h->msg), fmt, ap);
	va_end(ap);
	h->err = err < 0 ? err : -err;
	return h->err;
}

static int gmodel(struct greq *h, int rc)
{
	const struct apv_reason *r = apv_reason_last();

	if (rc >= 0)
		return 0;
	h->err = rc;
	h->model = true;
	h->rule = r->rule;
	snprintf(h->msg, sizeof(h->msg), "%s",
		 r->msg[0] ? r->msg : strerror(-rc));
	return rc;
}

static int gset(struct greq *h, const char *key, json_t *v)
{
	if (!v || json_object_set_new(h->resp, key, v))
		return gbad(h, ENOMEM, "out of memory");
	return 0;
}

static char *finish(struct greq *h)
{
	json_t *tag = h->req ? json_object_get(h->req, "tag") : NULL;
	json_t *o;
	char *s;

	if (h->err) {
		json_decref(h->resp);
		o = json_pack("{s:b,s:s,s:s}", "ok", 0, "errno",
			      apsim_errno_name(h->err), "error", h->msg);
		if (o && h->model && h->rule != APV_RULE_NONE)
			json_object_set_new(o, "reason",
					    json_pack("{s:s}", "rule",
						      apv_rule_name(h->rule)));
	} else {
		o = h->resp;
	}
	if (o && tag)
		json_object_set(o, "tag", tag);
	json_decref(h->req);
	if (!o)
		return NULL;
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

/* ---- hex and numbers ---------------------------------------------------- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode hex text; malloc'ed bytes in *out (NULL for ""). */
static int unhex(const char *s, size_t n, uint8_t **out, size_t *len)
{
	uint8_t *b;

	*out = NULL;
	*len = 0;
	if (n % 2)
		return -EINVAL;
	if (!n)
		return 0;
	b = malloc(n / 2);
	if (!b)
		return -ENOMEM;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			free(b);
			return -EINVAL;
		}
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	*out = b;
	*len = n / 2;
	return 0;
}

static json_t *hex_json(const uint8_t *b, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char *s = malloc(2 * n + 1);
	json_t *v;

	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		s[2 * i] = digits[b[i] >> 4];
		s[2 * i + 1] = digits[b[i] & 15];
	}
	v = json_stringn(s, 2 * n);
	free(s);
	return v;
}

static json_t *u64_json(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
	return json_string(buf);
}

/* A 64-bit value: a JSON integer >= 0 or a "0x..." / decimal string. */
static int json_u64(const json_t *v, uint64_t *out)
{
	const char *s;
	char *end;

	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0)
			return -EINVAL;
		*out = (uint64_t)json_integer_value(v);
		return 0;
	}
	if (!json_is_string(v))
		return -EINVAL;
	s = json_string_value(v);
	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &end, 0);
	return errno || *end ? -EINVAL : 0;
}

static int arg_u64(struct greq *h, const char *key, bool required,
		   uint64_t *out)
{
	const json_t *v = json_object_get(h->req, key);

	if (!v)
		return required ? gbad(h, EINVAL, "%s: missing", key) : 0;
	if (json_u64(v, out))
		return gbad(h, EINVAL,
			    "%s: expected an unsigned integer or \"0x...\"",
			    key);
	return 0;
}

static int check_keys(struct greq *h, const char *const *allowed)
{
	const char *key;
	json_t *v;

	json_object_foreach(h->req, key, v)
	{
		bool ok = !strcmp(key, "cmd") || !strcmp(key, "tag");

		for (size_t i = 0; allowed[i] && !ok; i++)
			ok = !strcmp(key, allowed[i]);
		if (!ok)
			return gbad(h, EINVAL, "unknown argument \"%.64s\"",
				    key);
	}
	return 0;
}

/* ---- events --------------------------------------------------------------- */

static void emit_event(apsim_emit_fn emit, void *ctx, json_t *o)
{
	char *s;

	if (!o)
		return;
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (s)
		emit(ctx, s);
	free(s);
}

/* Pending adapter interruptions become one irq line. */
static void deliver_irqs(struct apsim_guest *s, apsim_emit_fn emit, void *ctx)
{
	uint64_t total = 0;
	unsigned int iscs;

	atomic_store(&s->irq, false);
	if (!s->kvm)
		return;
	iscs = apv_kvm_take_adapter_irqs(s->kvm, &total);
	if (iscs) {
		char line[96];

		/* {"event":"irq","iscs":N,"total":N}, the hot event */
		gw_irq_event(line, sizeof(line), iscs, total);
		emit(ctx, line);
	}
}

/* QEMU's exit, or its answer to a device request: close and destroy. */
static void drop(struct apsim_guest *s)
{
	if (!s->kvm)
		return;
	apv_kvm_set_notify(s->kvm, NULL);
	/* closes the device first: CRYCB cleared, queues zeroized */
	apv_kvm_free(s->kvm);
	s->kvm = NULL;
}

void apsim_guest_poll(struct apsim_guest *s, apsim_emit_fn emit, void *ctx)
{
	unsigned int n;

	if (!s)
		return;
	n = atomic_exchange(&s->cfg_changes, 0);
	if (n)
		emit_event(emit, ctx,
			   json_pack("{s:s,s:I}", "event", "cfg_change",
				     "count", (json_int_t)n));
	if (atomic_load(&s->irq))
		deliver_irqs(s, emit, ctx);
	if (atomic_exchange(&s->request, false) && s->kvm) {
		/* vfio-ap in QEMU unplugs the device on request */
		drop(s);
		emit_event(emit, ctx,
			   json_pack("{s:s,s:I,s:b}", "event", "request",
				     "count",
				     (json_int_t)atomic_load(&s->request_count),
				     "closed", 1));
	}
}

void apsim_guest_end(struct apsim_guest *s)
{
	if (!s)
		return;
	drop(s);
	free(s);
}

/* ---- guest.attach ----------------------------------------------------------- */

static const struct {
	const char *name;
	unsigned int bit;
} cpu_names[] = {
	{"ap", APV_CPU_AP},	{"apqci", APV_CPU_APQCI},
	{"apft", APV_CPU_APFT}, {"apqi", APV_CPU_APQI},
	{"msa3", APV_CPU_MSA3},
};

static json_t *cpu_json(unsigned int cpu)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < sizeof(cpu_names) / sizeof(*cpu_names); i++)
		if (cpu & cpu_names[i].bit)
			json_array_append_new(a,
					      json_string(cpu_names[i].name));
	return a;
}

static int arg_cpu(struct greq *h, unsigned int *out)
{
	const json_t *v = json_object_get(h->req, "cpu"), *e;
	size_t i;

	*out = APV_CPU_DEFAULT;
	if (!v)
		return 0;
	if (!json_is_array(v))
		return gbad(h, EINVAL, "cpu: expected a list of feature names");
	*out = 0;
	json_array_foreach(v, i, e)
	{
		const char *n = json_string_value(e);
		size_t k;

		for (k = 0; n && k < sizeof(cpu_names) / sizeof(*cpu_names);
		     k++)
			if (!strcmp(n, cpu_names[k].name))
				break;
		if (!n || k == sizeof(cpu_names) / sizeof(*cpu_names))
			return gbad(h, EINVAL,
				    "cpu[%zu]: expected ap, apqci, apft, apqi "
				    "or msa3",
				    i);
		*out |= cpu_names[k].bit;
	}
	return 0;
}

static struct apsim_guest *attach(struct apsim_guests *gs, struct greq *h)
{
	static const char *const keys[] = {"mdev", "cpu", "name", "mem", NULL};
	const json_t *mdev, *name;
	struct apv_kvm_notify nt = {0};
	struct apsim_guest *s;
	uint64_t mem = 1u << 20;
	unsigned int cpu;
	uint8_t uuid[16];
	char uuid_s[37];

	if (check_keys(h, keys) || arg_cpu(h, &cpu) ||
	    arg_u64(h, "mem", false, &mem))
		return NULL;
	mdev = json_object_get(h->req, "mdev");
	if (!json_is_string(mdev) ||
	    apv_parse_uuid(json_string_value(mdev), json_string_length(mdev),
			   uuid) ||
	    json_string_length(mdev) != 36) {
		gbad(h, EINVAL, "mdev: %s",
		     mdev ? "expected a UUID" : "missing");
		return NULL;
	}
	name = json_object_get(h->req, "name");
	if (name && (!json_is_string(name) || !json_string_length(name) ||
		     json_string_length(name) > 63)) {
		gbad(h, EINVAL, "name: expected a string of 1 to 63 bytes");
		return NULL;
	}
	if (!mem || mem % 4096 || mem > APV_GUEST_MEM_MAX) {
		gbad(h, EINVAL,
		     "mem: expected a multiple of 4096 bytes up to 64 MiB");
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		gbad(h, ENOMEM, "out of memory");
		return NULL;
	}
	s->gs = gs;
	s->cpu = cpu;
	s->mem = mem;
	memcpy(s->uuid, uuid, 16);
	apv_uuid_str(uuid, uuid_s);
	if (name)
		snprintf(s->name, sizeof(s->name), "%s",
			 json_string_value(name));
	else
		snprintf(s->name, sizeof(s->name), "guest-%.8s", uuid_s);
	if (gmodel(h, apv_kvm_new(gs->host, s->name, cpu, &s->kvm)))
		goto fail;
	if (gmodel(h, apv_kvm_add_memslot(s->kvm, 0, mem)))
		goto fail;
	nt.request = on_request;
	nt.cfg_change = on_cfg_change;
	nt.adapter_irq = on_adapter_irq;
	nt.opaque = s;
	apv_kvm_set_notify(s->kvm, &nt);
	if (gmodel(h, apv_mdev_set_kvm(gs->host, uuid, s->kvm)) ||
	    gmodel(h, apv_mdev_open(gs->host, uuid)))
		goto fail;
	if (gset(h, "name", json_string(s->name)) ||
	    gset(h, "mdev", json_string(uuid_s)) ||
	    gset(h, "cpu", cpu_json(cpu)) ||
	    gset(h, "crycb_format",
		 json_integer(apv_kvm_crycb_format(s->kvm))) ||
	    gset(h, "mem", json_integer((json_int_t)mem)) ||
	    gset(h, "protocol", json_integer(APSIM_CTL_PROTOCOL)))
		goto fail;
	return s;
fail:
	if (s->kvm) {
		apv_kvm_set_notify(s->kvm, NULL);
		/* a failed open must not take another guest's association */
		apv_kvm_free(s->kvm);
	}
	free(s);
	return NULL;
}

/* ---- instructions ------------------------------------------------------- */

static int arg_regs(struct greq *h, struct apv_cpu_regs *r)
{
	const json_t *gr = json_object_get(h->req, "gr"), *v;
	const json_t *p = json_object_get(h->req, "problem");
	const char *key;
	uint64_t cc = 0;

	memset(r, 0, sizeof(*r));
	if (gr && !json_is_object(gr))
		return gbad(h, EINVAL, "gr: expected an object {\"N\": value}");
	json_object_foreach((json_t *)gr, key, v)
	{
		char *end;
		unsigned long n = strtoul(key, &end, 10);

		if (!*key || *end || n > 15)
			return gbad(h, EINVAL,
				    "gr: key \"%.16s\": expected 0..15", key);
		if (json_u64(v, &r->gr[n]))
			return gbad(h, EINVAL,
				    "gr.%lu: expected an unsigned integer or "
				    "\"0x...\"",
				    n);
	}
	if (p && !json_is_boolean(p))
		return gbad(h, EINVAL, "problem: expected true or false");
	r->problem_state = json_is_true(p);
	if (arg_u64(h, "cc", false, &cc))
		return h->err;
	if (cc > 3)
		return gbad(h, EINVAL, "cc: expected 0..3");
	r->cc = (uint8_t)cc;
	return 0;
}

static int arg_reg_no(struct greq *h, const char *key, unsigned int *out)
{
	uint64_t v = 0;

	if (arg_u64(h, key, true, &v))
		return h->err;
	if (v > 15)
		return gbad(h, EINVAL, "%s: expected 0..15", key);
	*out = (unsigned int)v;
	return 0;
}

static int result_json(struct greq *h, const struct apv_cpu_regs *r,
		       const struct apv_insn_result *res)
{
	json_t *gr = json_object();

	if (!gr)
		return gbad(h, ENOMEM, "out of memory");
	for (unsigned int i = 0; i < 16; i++) {
		char k[4];

		if (!(res->changed & (1u << i)))
			continue;
		snprintf(k, sizeof(k), "%u", i);
		json_object_set_new(gr, k, u64_json(r->gr[i]));
	}
	if (gset(h, "pgm", json_integer(res->pgm)) ||
	    gset(h, "cc", json_integer(r->cc)) ||
	    gset(h, "changed", json_integer(res->changed)) || gset(h, "gr", gr))
		return h->err;
	return 0;
}

enum insn {
	INSN_PQAP,
	INSN_NQAP,
	INSN_DQAP
};

static int cmd_insn(struct apsim_guest *s, struct greq *h, enum insn which,
		    apsim_emit_fn emit, void *ctx)
{
	static const char *const pkeys[] = {"gr", "problem", "cc", NULL};
	static const char *const nkeys[] = {"gr", "problem", "cc", "r1",
					    "r2", "msg",     NULL};
	static const char *const dkeys[] = {"gr", "problem", "cc", "r1",
					    "r2", "data",    NULL};
	struct apv_cpu_regs r;
	struct apv_insn_result res = {0};
	unsigned int r1 = 0, r2 = 0;
	uint64_t addr0 = 0;
	int rc;

	if (check_keys(h, which == INSN_PQAP ? pkeys :
			  which == INSN_NQAP ? nkeys :
					       dkeys) ||
	    arg_regs(h, &r))
		return h->err;
	if (which != INSN_PQAP &&
	    (arg_reg_no(h, "r1", &r1) || arg_reg_no(h, "r2", &r2)))
		return h->err;
	addr0 = r.gr[r2];
	if (which == INSN_NQAP) {
		const json_t *m = json_object_get(h->req, "msg");
		uint8_t *b;
		size_t n;

		if (m) {
			if (!json_is_string(m) ||
			    unhex(json_string_value(m), json_string_length(m),
				  &b, &n))
				return gbad(h, EINVAL,
					    "msg: expected hex digits");
			rc = apv_kvm_mem_write(s->kvm, addr0, b, n);
			free(b);
			if (rc)
				return gbad(h, rc,
					    "msg: 0x%llx+%zu is not guest "
					    "memory",
					    (unsigned long long)addr0, n);
		}
	}
	switch (which) {
	case INSN_PQAP:
		rc = apv_insn_pqap(s->kvm, &r, &res);
		break;
	case INSN_NQAP:
		rc = apv_insn_nqap(s->kvm, &r, r1, r2, &res);
		break;
	default:
		rc = apv_insn_dqap(s->kvm, &r, r1, r2, &res);
		break;
	}
	if (rc)
		return gbad(h, rc, "the instruction could not be executed");
	/* an interruption the instruction made pending goes out first */
	deliver_irqs(s, emit, ctx);
	if (result_json(h, &r, &res))
		return h->err;
	if (which == INSN_DQAP && res.pgm == APV_PGM_NONE &&
	    json_is_true(json_object_get(h->req, "data")) && r.gr[r2] > addr0 &&
	    r.gr[r2] - addr0 <= DQAP_DATA_MAX) {
		size_t n = (size_t)(r.gr[r2] - addr0);
		uint8_t *b = malloc(n);

		if (!b)
			return gbad(h, ENOMEM, "out of memory");
		rc = apv_kvm_mem_read(s->kvm, addr0, b, n);
		if (!rc)
			gset(h, "data", hex_json(b, n));
		free(b);
	}
	return h->err;
}

/*
 * The hot path of cmd_insn: a request line of the compact form that
 * libapvirt_guest writes (guest_wire.h) is executed without jansson; the
 * response is the same text.  False (nothing done) for any other line, or
 * when msg cannot be written to guest memory: cmd_insn answers those.
 */
static bool fast_insn(struct apsim_guest *s, const char *req, size_t len,
		      apsim_emit_fn emit, void *ctx, char **resp)
{
	struct apv_insn_result res = {0};
	struct gw_req q;
	uint64_t addr0;
	int rc;

	if (!gw_parse_insn(req, len, &q))
		return false;
	addr0 = q.regs.gr[q.r2];
	if (q.which == GW_NQAP && q.msg) {
		uint8_t buf[4096], *b = buf;
		size_t n = q.msg_len / 2;

		if (n > sizeof(buf)) {
			b = malloc(n);
			if (!b)
				return false;
		}
		gw_unhex(q.msg, q.msg_len, b);
		rc = apv_kvm_mem_write(s->kvm, addr0, n ? b : NULL, n);
		if (b != buf)
			free(b);
		if (rc)
			return false; /* nothing written: cmd_insn says EFAULT */
	}
	if (q.which == GW_PQAP)
		rc = apv_insn_pqap(s->kvm, &q.regs, &res);
	else if (q.which == GW_NQAP)
		rc = apv_insn_nqap(s->kvm, &q.regs, q.r1, q.r2, &res);
	else
		rc = apv_insn_dqap(s->kvm, &q.regs, q.r1, q.r2, &res);
	if (rc) {
		*resp = apsim_ctl_error(rc, "the instruction could not be "
					    "executed");
		return true;
	}
	/* an interruption the instruction made pending goes out first */
	deliver_irqs(s, emit, ctx);
	if (q.which == GW_DQAP && q.data && res.pgm == APV_PGM_NONE &&
	    q.regs.gr[q.r2] > addr0 &&
	    q.regs.gr[q.r2] - addr0 <= DQAP_DATA_MAX) {
		size_t n = (size_t)(q.regs.gr[q.r2] - addr0);
		uint8_t buf[DQAP_DATA_MAX];

		if (!apv_kvm_mem_read(s->kvm, addr0, buf, n)) {
			*resp = gw_result(&q.regs, &res, buf, n);
			return true;
		}
	}
	*resp = gw_result(&q.regs, &res, NULL, 0);
	return true;
}

static int cmd_mem_read(struct apsim_guest *s, struct greq *h)
{
	static const char *const keys[] = {"addr", "len", NULL};
	uint64_t addr = 0, len = 0;
	uint8_t *b;
	int rc;

	if (check_keys(h, keys) || arg_u64(h, "addr", true, &addr) ||
	    arg_u64(h, "len", true, &len))
		return h->err;
	if (len > MEM_IO_MAX)
		return gbad(h, EINVAL, "len: at most %u bytes per request",
			    MEM_IO_MAX);
	b = malloc(len ? len : 1);
	if (!b)
		return gbad(h, ENOMEM, "out of memory");
	rc = apv_kvm_mem_read(s->kvm, addr, b, len);
	if (rc)
		gbad(h, rc, "0x%llx+%llu is not guest memory",
		     (unsigned long long)addr, (unsigned long long)len);
	else
		gset(h, "hex", hex_json(b, len));
	free(b);
	return h->err;
}

static int cmd_mem_write(struct apsim_guest *s, struct greq *h)
{
	static const char *const keys[] = {"addr", "hex", NULL};
	const json_t *hx = json_object_get(h->req, "hex");
	uint64_t addr = 0;
	uint8_t *b;
	size_t n;
	int rc;

	if (check_keys(h, keys) || arg_u64(h, "addr", true, &addr))
		return h->err;
	if (!json_is_string(hx) ||
	    unhex(json_string_value(hx), json_string_length(hx), &b, &n))
		return gbad(h, EINVAL, "hex: %s",
			    hx ? "expected an even number of hex digits" :
				 "missing");
	rc = apv_kvm_mem_write(s->kvm, addr, b, n);
	free(b);
	if (rc)
		return gbad(h, rc, "0x%llx+%zu is not guest memory",
			    (unsigned long long)addr, n);
	return 0;
}

static int cmd_info(struct apsim_guest *s, struct greq *h)
{
	struct apv_apcb apcb;
	char uuid_s[37];

	apv_kvm_apcb(s->kvm, &apcb);
	if (gset(h, "name", json_string(s->name)) ||
	    gset(h, "mdev", json_string(apv_uuid_str(s->uuid, uuid_s))) ||
	    gset(h, "cpu", cpu_json(s->cpu)) ||
	    gset(h, "crycb_format",
		 json_integer(apv_kvm_crycb_format(s->kvm))) ||
	    gset(h, "mem", json_integer((json_int_t)s->mem)) ||
	    gset(h, "crycb_updates",
		 json_integer((json_int_t)apv_kvm_crycb_updates(s->kvm))))
		return h->err;
	return 0;
}

/*
 * guest.queue: what a test (or apctl release) wants to know about a
 * machine queue: resets, vfio_ap's interrupt registration, and the work it
 * holds (null for an adapter that is not installed).
 */
static int cmd_queue(struct apsim_guests *gs, struct greq *h)
{
	static const char *const keys[] = {"apqn", NULL};
	const json_t *a = json_object_get(h->req, "apqn");
	unsigned int rq = 0, rp = 0;
	uint64_t nib = 0;
	apv_apqn q;
	int isc = -1;
	bool have;

	if (check_keys(h, keys))
		return h->err;
	if (!json_is_string(a) ||
	    apv_apqn_parse(json_string_value(a), json_string_length(a), &q))
		return gbad(h, EINVAL, "apqn: %s",
			    a ? "expected an APQN like \"05.0047\"" :
				"missing");
	if (apv_vfio_queue_irq(gs->host, q, &isc, &nib))
		isc = -1, nib = 0;
	have = !apv_hw_queue_counts(gs->host, q, &rq, &rp);
	if (gset(h, "apqn", json_string(json_string_value(a))) ||
	    gset(h, "zeroized",
		 json_integer((json_int_t)apv_hw_queue_zeroized(gs->host, q))) ||
	    gset(h, "irq_isc", json_integer(isc)) ||
	    gset(h, "irq_nib", u64_json(nib)) ||
	    gset(h, "requests", have ? json_integer(rq) : json_null()) ||
	    gset(h, "replies", have ? json_integer(rp) : json_null()))
		return h->err;
	return 0;
}

bool apsim_guest_handle(struct apsim_guests *gs, struct apsim_guest **sess,
			const char *req, size_t len, apsim_emit_fn emit,
			void *ctx, char **resp)
{
	struct greq h = {0};
	struct apsim_guest *s = *sess;
	const json_t *c;
	const char *cmd;

	*resp = NULL;
	/* cheap test first: the other requests go to apsim_ctl_handle */
	if (!memmem(req, len, "\"guest.", 7))
		return false;
	if (s && s->kvm && fast_insn(s, req, len, emit, ctx, resp))
		return true;
	h.req = json_loadb(req, len, JSON_REJECT_DUPLICATES, NULL);
	c = json_object_get(h.req, "cmd");
	if (!json_is_string(c) || strncmp(json_string_value(c), "guest.", 6)) {
		json_decref(h.req);
		return false;
	}
	cmd = json_string_value(c);
	h.resp = json_pack("{s:b}", "ok", 1);
	if (!h.resp) {
		gbad(&h, ENOMEM, "out of memory");
		goto out;
	}
	if (!strcmp(cmd, "guest.queue")) {
		cmd_queue(gs, &h);
		goto out;
	}
	if (!strcmp(cmd, "guest.attach")) {
		if (s)
			gbad(&h, EISCONN, "this connection is guest %s already",
			     s->name);
		else
			*sess = attach(gs, &h);
		goto out;
	}
	if (!s) {
		if (!strcmp(cmd, "guest.detach"))
			goto out; /* nothing to leave */
		gbad(&h, ENOTCONN, "%.64s: not a guest (guest.attach first)",
		     cmd);
		goto out;
	}
	if (!strcmp(cmd, "guest.detach")) {
		apsim_guest_end(s);
		*sess = NULL;
		goto out;
	}
	if (!s->kvm) {
		gbad(&h, ENODEV,
		     "guest %s: its mdev was removed (device unplugged)",
		     s->name);
		goto out;
	}
	if (!strcmp(cmd, "guest.pqap"))
		cmd_insn(s, &h, INSN_PQAP, emit, ctx);
	else if (!strcmp(cmd, "guest.nqap"))
		cmd_insn(s, &h, INSN_NQAP, emit, ctx);
	else if (!strcmp(cmd, "guest.dqap"))
		cmd_insn(s, &h, INSN_DQAP, emit, ctx);
	else if (!strcmp(cmd, "guest.mem-read"))
		cmd_mem_read(s, &h);
	else if (!strcmp(cmd, "guest.mem-write"))
		cmd_mem_write(s, &h);
	else if (!strcmp(cmd, "guest.info"))
		cmd_info(s, &h);
	else
		gbad(&h, EOPNOTSUPP, "unknown command \"%.64s\"", cmd);
out:
	*resp = finish(&h);
	return true;
}
