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
#include <apvirt/reason.h>
#include <apvirt/vfio_ap.h>

#include <apvirt/hex.h>
#include <apvirt/proto/guest_wire.h>
#include <apvirt/proto/names.h>
#include <apvirt/proto/request.h>
#include <apvirt/uuid.h>

#include "guest_session.h"

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
	bool request_line; /* unplugged on request, its line not sent yet */
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

/* ---- requests (apvirt/proto/request.h) ---------------------------------- */

struct greq {
	struct apv_req r; /* request, reply, first failure */
	bool model;	  /* the failure is the model's: report its rule */
	enum apv_rule rule;
};

#define gbad(h, ...) apv_req_fail(&(h)->r, __VA_ARGS__)

static int gmodel(struct greq *h, int rc)
{
	const struct apv_reason *r = apv_reason_last();

	if (rc >= 0)
		return 0;
	h->r.err = rc;
	h->model = true;
	h->rule = r->rule;
	snprintf(h->r.msg, sizeof(h->r.msg), "%s",
		 r->msg[0] ? r->msg : strerror(-rc));
	return rc;
}

static int gset(struct greq *h, const char *key, json_t *v)
{
	return apv_req_set(&h->r, NULL, key, v);
}

static char *finish(struct greq *h)
{
	if (h->r.err && h->model && h->rule != APV_RULE_NONE)
		apv_req_reason(&h->r, json_pack("{s:s}", APV_KEY_RULE,
						apv_rule_name(h->rule)));
	return apv_req_finish(&h->r);
}

/* ---- events --------------------------------------------------------------- */

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
		apv_gw_irq_line(line, sizeof(line), iscs, total);
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

void apsim_guest_service(struct apsim_guest *s)
{
	if (!s)
		return;
	if (atomic_exchange(&s->request, false) && s->kvm) {
		/* vfio-ap in QEMU unplugs the device on request */
		drop(s);
		s->request_line = true;
	}
}

void apsim_guest_poll(struct apsim_guest *s, apsim_emit_fn emit, void *ctx)
{
	char line[96];
	unsigned int n;

	if (!s)
		return;
	n = atomic_exchange(&s->cfg_changes, 0);
	if (n) {
		apv_gw_cfg_change_line(line, sizeof(line), n);
		emit(ctx, line);
	}
	if (atomic_load(&s->irq))
		deliver_irqs(s, emit, ctx);
	apsim_guest_service(s);
	if (s->request_line) {
		s->request_line = false;
		apv_gw_request_line(line, sizeof(line),
				    atomic_load(&s->request_count), true);
		emit(ctx, line);
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

static int arg_cpu(struct greq *h, unsigned int *out)
{
	const json_t *v = json_object_get(h->r.req, APV_KEY_CPU);
	size_t bad;

	*out = APV_CPU_DEFAULT;
	if (!v || !apv_gw_cpu_parse(v, out, &bad))
		return 0;
	if (bad == SIZE_MAX)
		return gbad(h, EINVAL, "cpu: expected a list of feature names");
	return gbad(h, EINVAL,
		    "cpu[%zu]: expected ap, apqci, apft, apqi or msa3", bad);
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

	if (apv_gw_check_keys(&h->r, keys) || arg_cpu(h, &cpu) ||
	    apv_gw_arg_u64(&h->r, APV_KEY_MEM, false, &mem))
		return NULL;
	mdev = json_object_get(h->r.req, APV_KEY_MDEV);
	if (!json_is_string(mdev) ||
	    apv_uuid_parse(json_string_value(mdev), json_string_length(mdev),
			   uuid)) {
		gbad(h, EINVAL, "mdev: %s",
		     mdev ? "expected a UUID" : "missing");
		return NULL;
	}
	name = json_object_get(h->r.req, APV_KEY_NAME);
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
	if (gset(h, APV_KEY_NAME, json_string(s->name)) ||
	    gset(h, APV_KEY_MDEV, json_string(uuid_s)) ||
	    gset(h, APV_KEY_CPU, apv_gw_cpu_json(cpu)) ||
	    gset(h, APV_KEY_CRYCB_FORMAT,
		 json_integer(apv_kvm_crycb_format(s->kvm))) ||
	    gset(h, APV_KEY_MEM, json_integer((json_int_t)mem)) ||
	    gset(h, APV_KEY_PROTOCOL, json_integer(APV_PROTO_VERSION)))
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

/*
 * nqap's msg to guest memory at gr[r2], before the instruction: 0,
 * -ENOMEM, or apv_kvm_mem_write()'s error (nothing written).
 */
static int write_msg(struct apsim_guest *s, const struct apv_gw_req *q)
{
	uint8_t buf[4096], *b = buf;
	size_t n = q->msg_len / 2;
	int rc;

	if (q->which != APV_GW_NQAP || !q->msg)
		return 0;
	if (n > sizeof(buf)) {
		b = malloc(n);
		if (!b)
			return -ENOMEM;
	}
	/* the decoders checked the digits */
	apv_hex_decode(q->msg, q->msg_len, b, n, &n);
	rc = apv_kvm_mem_write(s->kvm, q->regs.gr[q->r2], n ? b : NULL, n);
	if (b != buf)
		free(b);
	return rc;
}

/*
 * Execute a decoded instruction request (either form) after write_msg():
 * 0 with *res and q->regs updated, and for dqap with "data" the bytes the
 * DQAP stored in data (DQAP_DATA_MAX bytes), *data_len of them; or the
 * instruction's -errno.
 */
static int exec_insn(struct apsim_guest *s, struct apv_gw_req *q,
		     struct apv_insn_result *res, apsim_emit_fn emit, void *ctx,
		     uint8_t *data, size_t *data_len)
{
	uint64_t addr0 = q->regs.gr[q->r2];
	int rc;

	*data_len = 0;
	if (q->which == APV_GW_PQAP)
		rc = apv_insn_pqap(s->kvm, &q->regs, res);
	else if (q->which == APV_GW_NQAP)
		rc = apv_insn_nqap(s->kvm, &q->regs, q->r1, q->r2, res);
	else
		rc = apv_insn_dqap(s->kvm, &q->regs, q->r1, q->r2, res);
	if (rc)
		return rc;
	/* an interruption the instruction made pending goes out first */
	deliver_irqs(s, emit, ctx);
	if (q->which == APV_GW_DQAP && q->data && res->pgm == APV_PGM_NONE &&
	    q->regs.gr[q->r2] > addr0 &&
	    q->regs.gr[q->r2] - addr0 <= DQAP_DATA_MAX) {
		size_t n = (size_t)(q->regs.gr[q->r2] - addr0);

		if (!apv_kvm_mem_read(s->kvm, addr0, data, n))
			*data_len = n;
	}
	return 0;
}

/* The general path: a request in any form (the codec's jansson decoder). */
static int cmd_insn(struct apsim_guest *s, struct greq *h,
		    enum apv_gw_insn which, apsim_emit_fn emit, void *ctx)
{
	struct apv_insn_result res = {0};
	struct apv_gw_req q;
	uint8_t *data;
	size_t n = 0;
	int rc;

	if (apv_gw_insn_from_json(&h->r, which, &q))
		return h->r.err;
	data = q.data ? malloc(DQAP_DATA_MAX) : NULL;
	if (q.data && !data)
		return gbad(h, ENOMEM, "out of memory");
	rc = write_msg(s, &q);
	if (rc == -ENOMEM)
		gbad(h, rc, "out of memory");
	else if (rc)
		gbad(h, rc, "msg: 0x%llx+%zu is not guest memory",
		     (unsigned long long)q.regs.gr[q.r2], q.msg_len / 2);
	else if ((rc = exec_insn(s, &q, &res, emit, ctx, data, &n)))
		gbad(h, rc, "the instruction could not be executed");
	else if (!apv_gw_result_json(&h->r, &q.regs, &res) && n)
		gset(h, APV_KEY_DATA, apv_json_hex(data, n));
	free(data);
	return h->r.err;
}

/*
 * The hot path: a request line of the compact form (the codec's
 * apv_gw_insn_parse()) is executed without jansson and answered with the
 * same text the general path writes.  False (nothing done) for any other
 * line, or when msg cannot be written to guest memory: cmd_insn answers
 * those.
 */
static bool fast_insn(struct apsim_guest *s, const char *req, size_t len,
		      apsim_emit_fn emit, void *ctx, char **resp)
{
	struct apv_insn_result res = {0};
	uint8_t data[DQAP_DATA_MAX];
	struct apv_gw_req q;
	size_t n = 0;
	int rc;

	if (!apv_gw_insn_parse(req, len, &q) || write_msg(s, &q))
		return false; /* nothing written: cmd_insn says why */
	rc = exec_insn(s, &q, &res, emit, ctx, data, &n);
	if (rc) {
		*resp = apv_proto_error(rc, "the instruction could not be "
					    "executed");
		return true;
	}
	*resp = apv_gw_result_line(&q.regs, &res, n ? data : NULL, n);
	return true;
}

static int cmd_mem_read(struct apsim_guest *s, struct greq *h)
{
	static const char *const keys[] = {APV_KEY_ADDR, APV_KEY_LEN, NULL};
	uint64_t addr = 0, len = 0;
	uint8_t *b;
	int rc;

	if (apv_gw_check_keys(&h->r, keys) ||
	    apv_gw_arg_u64(&h->r, APV_KEY_ADDR, true, &addr) ||
	    apv_gw_arg_u64(&h->r, APV_KEY_LEN, true, &len))
		return h->r.err;
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
		gset(h, APV_KEY_HEX, apv_json_hex(b, len));
	free(b);
	return h->r.err;
}

static int cmd_mem_write(struct apsim_guest *s, struct greq *h)
{
	static const char *const keys[] = {APV_KEY_ADDR, APV_KEY_HEX, NULL};
	const json_t *hx = json_object_get(h->r.req, APV_KEY_HEX);
	uint64_t addr = 0;
	uint8_t *b = NULL;
	size_t n = 0, digits;
	int rc;

	if (apv_gw_check_keys(&h->r, keys) ||
	    apv_gw_arg_u64(&h->r, APV_KEY_ADDR, true, &addr))
		return h->r.err;
	digits = json_string_length(hx);
	if (json_is_string(hx) && digits) {
		b = malloc(digits / 2 + 1);
		if (!b)
			return gbad(h, ENOMEM, "out of memory");
	}
	if (!json_is_string(hx) ||
	    (digits && apv_hex_decode(json_string_value(hx), digits, b,
				      digits / 2 + 1, &n))) {
		free(b);
		return gbad(h, EINVAL, "hex: %s",
			    hx ? "expected an even number of hex digits" :
				 "missing");
	}
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
	if (gset(h, APV_KEY_NAME, json_string(s->name)) ||
	    gset(h, APV_KEY_MDEV, json_string(apv_uuid_str(s->uuid, uuid_s))) ||
	    gset(h, APV_KEY_CPU, apv_gw_cpu_json(s->cpu)) ||
	    gset(h, APV_KEY_CRYCB_FORMAT,
		 json_integer(apv_kvm_crycb_format(s->kvm))) ||
	    gset(h, APV_KEY_MEM, json_integer((json_int_t)s->mem)) ||
	    gset(h, APV_KEY_CRYCB_UPDATES,
		 json_integer((json_int_t)apv_kvm_crycb_updates(s->kvm))))
		return h->r.err;
	return 0;
}

/*
 * guest.queue: what a test (or apctl release) wants to know about a
 * machine queue: resets, vfio_ap's interrupt registration, and the work it
 * holds (null for an adapter that is not installed).
 */
static int cmd_queue(struct apsim_guests *gs, struct greq *h)
{
	static const char *const keys[] = {APV_KEY_APQN, NULL};
	const json_t *a = json_object_get(h->r.req, APV_KEY_APQN);
	unsigned int rq = 0, rp = 0;
	uint64_t nib = 0;
	apv_apqn q;
	int isc = -1;
	bool have;

	if (apv_gw_check_keys(&h->r, keys))
		return h->r.err;
	if (!json_is_string(a) ||
	    apv_apqn_parse(json_string_value(a), json_string_length(a), &q))
		return gbad(h, EINVAL, "apqn: %s",
			    a ? "expected an APQN like \"05.0047\"" :
				"missing");
	if (apv_vfio_queue_irq(gs->host, q, &isc, &nib))
		isc = -1, nib = 0;
	have = !apv_hw_queue_counts(gs->host, q, &rq, &rp);
	if (gset(h, APV_KEY_APQN, json_string(json_string_value(a))) ||
	    gset(h, APV_KEY_ZEROIZED,
		 json_integer((json_int_t)apv_hw_queue_zeroized(gs->host, q))) ||
	    gset(h, APV_KEY_IRQ_ISC, json_integer(isc)) ||
	    gset(h, APV_KEY_IRQ_NIB, apv_json_x64(nib)) ||
	    gset(h, APV_KEY_REQUESTS, have ? json_integer(rq) : json_null()) ||
	    gset(h, APV_KEY_REPLIES, have ? json_integer(rp) : json_null()))
		return h->r.err;
	return 0;
}

bool apsim_guest_handle(struct apsim_guests *gs, struct apsim_guest **sess,
			const char *req, size_t len, apsim_emit_fn emit,
			void *ctx, char **resp)
{
	struct greq h = {0};
	struct apsim_guest *s = *sess;
	const char *cmd;
	int which, rc;

	*resp = NULL;
	/* cheap test first: the other requests go to apsim_ctl_handle */
	if (!memmem(req, len, "\"" APV_GUEST_PREFIX, 7))
		return false;
	if (s && s->kvm && fast_insn(s, req, len, emit, ctx, resp))
		return true;
	rc = apv_req_parse(&h.r, req, len);
	if (!h.r.cmd || strncmp(h.r.cmd, APV_GUEST_PREFIX, 6)) {
		/* not a guest request (or malformed): the handler answers */
		json_decref(h.r.req);
		json_decref(h.r.resp);
		return false;
	}
	cmd = h.r.cmd;
	if (rc)
		goto out; /* ENOMEM */
	if (!strcmp(cmd, APV_CMD_GUEST_QUEUE)) {
		cmd_queue(gs, &h);
		goto out;
	}
	if (!strcmp(cmd, APV_CMD_GUEST_ATTACH)) {
		if (s)
			gbad(&h, EISCONN, "this connection is guest %s already",
			     s->name);
		else
			*sess = attach(gs, &h);
		goto out;
	}
	if (!s) {
		if (!strcmp(cmd, APV_CMD_GUEST_DETACH))
			goto out; /* nothing to leave */
		gbad(&h, ENOTCONN, "%.64s: not a guest (guest.attach first)",
		     cmd);
		goto out;
	}
	if (!strcmp(cmd, APV_CMD_GUEST_DETACH)) {
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
	which = apv_gw_insn_of(cmd);
	if (which >= 0)
		cmd_insn(s, &h, (enum apv_gw_insn)which, emit, ctx);
	else if (!strcmp(cmd, APV_CMD_GUEST_MEM_READ))
		cmd_mem_read(s, &h);
	else if (!strcmp(cmd, APV_CMD_GUEST_MEM_WRITE))
		cmd_mem_write(s, &h);
	else if (!strcmp(cmd, APV_CMD_GUEST_INFO))
		cmd_info(s, &h);
	else
		gbad(&h, EOPNOTSUPP, "unknown command \"%.64s\"", cmd);
out:
	*resp = finish(&h);
	return true;
}
