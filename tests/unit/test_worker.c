// SPDX-License-Identifier: MIT
/*
 * Adapters working asynchronously (src/lib/machine/hw_worker.c): worker threads,
 * replies posted after the engine ran unlocked, resets and removals while
 * a request is inside an engine, interruption notifications, drain and
 * changing the number of workers with requests queued.
 *
 * No timing assertion anywhere: a test engine that blocks on a condition
 * variable (the gate) holds requests inside the engine for as long as a
 * test needs, and apv_host_drain() waits for the rest.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <apvirt/ap_insn.h>

#include "host_kit.h"

#define MEM_SIZE (UINT64_C(1) << 20)
#define MSG_ADDR UINT64_C(0x10000)
#define BUF_ADDR UINT64_C(0x20000)
#define NIB_ADDR UINT64_C(0x30000)

#define QS(rc, flags) ((uint64_t)(((uint32_t)(rc) << 16) | (flags)))
#define QS_E 0x80000000u
#define QS_R 0x40000000u
#define QS_I 0x01000000u

#define Q54 APV_APQN(5, 4)
#define Q547 APV_APQN(5, 0x47)
#define Q550 APV_APQN(5, 0x50)
#define Q64 APV_APQN(6, 4)

#define DRAIN_MS 60000 /* generous: a loaded machine still makes it */

/* ---- the gate engine -------------------------------------------------- */

/*
 * Reply = the request's bytes with every byte incremented, so a test sees
 * both that the reply is its own and that the engine ran.  While the gate
 * is closed every call waits inside the engine.
 */
struct gate {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool open;
	unsigned int inside; /* calls waiting at the gate now */
	unsigned int calls;  /* calls in all */
};

static void gate_init(struct gate *g, bool open)
{
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->cv, NULL);
	g->open = open;
	g->inside = 0;
	g->calls = 0;
}

static void gate_fini(struct gate *g)
{
	pthread_cond_destroy(&g->cv);
	pthread_mutex_destroy(&g->mu);
}

static void gate_set(struct gate *g, bool open)
{
	pthread_mutex_lock(&g->mu);
	g->open = open;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
}

/* Wait until n calls are waiting at the (closed) gate. */
static void gate_wait_inside(struct gate *g, unsigned int n)
{
	pthread_mutex_lock(&g->mu);
	while (g->inside < n)
		pthread_cond_wait(&g->cv, &g->mu);
	pthread_mutex_unlock(&g->mu);
}

static unsigned int gate_calls(struct gate *g)
{
	unsigned int n;

	pthread_mutex_lock(&g->mu);
	n = g->calls;
	pthread_mutex_unlock(&g->mu);
	return n;
}

static int gate_engine(void *opaque, const struct apv_engine_request *req,
		       uint8_t *reply, size_t reply_max, size_t *reply_len)
{
	struct gate *g = opaque;

	pthread_mutex_lock(&g->mu);
	g->calls++;
	g->inside++;
	pthread_cond_broadcast(&g->cv);
	while (!g->open)
		pthread_cond_wait(&g->cv, &g->mu);
	g->inside--;
	pthread_mutex_unlock(&g->mu);
	if (req->len > reply_max)
		return -ENOSPC;
	for (size_t i = 0; i < req->len; i++)
		reply[i] = (uint8_t)(req->msg[i] + 1);
	*reply_len = req->len;
	return 0;
}

/* ---- fixture --------------------------------------------------------- */

struct fx {
	struct apv_host *h;
	uint8_t M[16];
	struct apv_kvm *g;
	struct gate gate;
};

/*
 * Adapters 05 (CEX7 accelerator) and 06 (CEX8 CCA), domains 04, 47 and
 * 50, all for vfio_ap; mdev M = {05, 06} x {04, 47, 50} opened by guest
 * g (1 MiB); the gate engine installed, its gate as given.
 */
static void fx_init(struct fx *f, bool open)
{
	struct kit kt;

	kit_init(&kt, APV_KERNEL_6_12);
	kit_adapter(&kt, 5, APV_TYPE_CEX7, APV_MODE_ACCEL);
	kit_adapter(&kt, 6, APV_TYPE_CEX8, APV_MODE_CCA);
	kt.cfg.domains = BM(4, 0x47, 0x50);
	kt.cfg.control_domains = kt.cfg.domains;
	f->h = kit_boot(&kt);
	assert_int_equal(kit_store(f->h, true, "-5,-6"), 0);
	kit_uuid(f->M, 1);
	kit_mdev(f->h, f->M, BM(5, 6), BM(4, 0x47, 0x50), BM(4));
	assert_int_equal(apv_kvm_new(f->h, "g", APV_CPU_DEFAULT, &f->g), 0);
	assert_int_equal(apv_kvm_add_memslot(f->g, 0, MEM_SIZE), 0);
	assert_int_equal(apv_mdev_set_kvm(f->h, f->M, f->g), 0);
	assert_int_equal(apv_mdev_open(f->h, f->M), 0);
	gate_init(&f->gate, open);
	apv_host_set_engine(f->h,
			    &(struct apv_engine_ops){.process = gate_engine,
						     .opaque = &f->gate});
}

static void fx_fini(struct fx *f)
{
	/* a closed gate would keep a worker inside the engine forever */
	gate_set(&f->gate, true);
	apv_kvm_free(f->g);
	apv_host_free(f->h);
	gate_fini(&f->gate);
}

/* ---- instructions ------------------------------------------------------ */

static void pqap_fc(struct apv_kvm *g, unsigned int fc, apv_apqn q,
		    struct apv_cpu_regs *r, struct apv_insn_result *res)
{
	memset(r, 0, sizeof(*r));
	r->gr[0] = APV_GR0_FC(fc) | q;
	assert_int_equal(apv_insn_pqap(g, r, res), 0);
	assert_int_equal(res->pgm, APV_PGM_NONE);
}

static uint64_t tapq_gr1(struct apv_kvm *g, apv_apqn q)
{
	struct apv_cpu_regs r;
	struct apv_insn_result res;

	pqap_fc(g, APV_PQAP_TAPQ, q, &r, &res);
	return r.gr[1];
}

static unsigned int aqic_on(struct apv_kvm *g, apv_apqn q, unsigned int isc)
{
	struct apv_cpu_regs r;
	struct apv_insn_result res;

	memset(&r, 0, sizeof(r));
	r.gr[0] = APV_GR0_FC(APV_PQAP_AQIC) | q;
	r.gr[1] = APV_AQIC_IR | APV_AQIC_ISC(isc);
	r.gr[2] = NIB_ADDR;
	assert_int_equal(apv_insn_pqap(g, &r, &res), 0);
	return res.cc;
}

/*
 * NQAP of a 16-byte message at addr: the PSMID twice (big endian); the
 * result's CC (3: *gr1 holds the status word).
 */
static unsigned int send(struct apv_kvm *g, apv_apqn q, uint64_t psmid,
			 uint64_t addr, uint64_t *gr1)
{
	struct apv_cpu_regs r;
	struct apv_insn_result res;
	uint8_t m[16];

	for (int i = 0; i < 8; i++)
		m[i] = m[8 + i] = (uint8_t)(psmid >> (56 - 8 * i));
	if (apv_kvm_mem_write(g, addr, m, sizeof(m)))
		return 99;
	memset(&r, 0, sizeof(r));
	r.gr[0] = APV_GR0_NQAP_L | q;
	r.gr[4] = psmid >> 32;
	r.gr[5] = psmid & 0xffffffffu;
	r.gr[6] = addr;
	r.gr[7] = sizeof(m);
	if (apv_insn_nqap(g, &r, 4, 6, &res) || res.pgm != APV_PGM_NONE)
		return 98;
	if (gr1)
		*gr1 = r.gr[1];
	return res.cc;
}

/*
 * DQAP into a 4 KiB buffer at addr.  CC 0: *psmid gets the PSMID and the
 * return says whether the reply is the gate engine's answer to the
 * message send() built for that PSMID; otherwise *gr1 the status.
 */
struct got {
	unsigned int cc;
	uint64_t psmid, gr1;
	bool ok;
};

static struct got recv_reply(struct apv_kvm *g, apv_apqn q, uint64_t addr)
{
	struct apv_cpu_regs r;
	struct apv_insn_result res;
	struct got got = {.cc = 99};
	uint8_t b[16];

	memset(&r, 0, sizeof(r));
	r.gr[0] = APV_GR0_DQAP | q;
	r.gr[10] = addr;
	r.gr[11] = 4096;
	if (apv_insn_dqap(g, &r, 8, 10, &res) || res.pgm != APV_PGM_NONE)
		return got;
	got.cc = res.cc;
	got.gr1 = r.gr[1];
	if (res.cc)
		return got;
	got.psmid = (r.gr[8] << 32) | (r.gr[9] & 0xffffffffu);
	got.ok = r.gr[11] == 4096 - 16 && r.gr[2] == 0 &&
		 !apv_kvm_mem_read(g, addr, b, sizeof(b));
	for (int i = 0; got.ok && i < 16; i++)
		got.ok = b[i] ==
			 (uint8_t)((got.psmid >> (56 - 8 * (i % 8))) + 1);
	return got;
}

/* ---- tests ------------------------------------------------------------- */

static void test_set_workers_args(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f, true);
	assert_int_equal(apv_host_workers(f.h), 0);
	assert_int_equal(apv_host_set_workers(f.h, APV_MAX_WORKERS + 1),
			 -EINVAL);
	assert_int_equal(apv_host_workers(f.h), 0);
	assert_int_equal(apv_host_set_workers(f.h, APV_MAX_WORKERS), 0);
	assert_int_equal(apv_host_workers(f.h), APV_MAX_WORKERS);
	assert_int_equal(apv_host_drain(f.h, DRAIN_MS), 0);
	assert_int_equal(apv_host_set_workers(f.h, 0), 0);
	assert_int_equal(apv_host_workers(f.h), 0);
	/* synchronous again: the reply is there at once, drain is a no-op */
	assert_int_equal(send(f.g, Q54, 1, MSG_ADDR, NULL), 0);
	assert_int_equal(gate_calls(&f.gate), 1);
	assert_true(recv_reply(f.g, Q54, BUF_ADDR).ok);
	assert_int_equal(apv_host_drain(f.h, 0), 0);
	fx_fini(&f);
}

/* Replies arrive later, with their PSMIDs and bytes, in order per queue. */
static void test_async_replies(void **state)
{
	struct fx f;
	struct got got;
	uint64_t gr1;

	(void)state;
	fx_init(&f, false);
	assert_int_equal(apv_host_set_workers(f.h, 2), 0);
	assert_int_equal(send(f.g, Q54, 0x100000001, MSG_ADDR, NULL), 0);
	assert_int_equal(send(f.g, Q54, 0x100000002, MSG_ADDR, NULL), 0);
	assert_int_equal(send(f.g, Q547, 0x200000001, MSG_ADDR, &gr1), 0);
	/* one request per queue in an engine at a time: two calls wait */
	gate_wait_inside(&f.gate, 2);
	assert_int_equal(gate_calls(&f.gate), 2);
	/* still working: no reply yet, E clear, the entries occupied */
	got = recv_reply(f.g, Q54, BUF_ADDR);
	assert_int_equal(got.cc, 3);
	assert_int_equal(got.gr1, QS(0x10, 0));
	assert_int_equal(tapq_gr1(f.g, Q54), QS(0, 0));
	assert_int_equal(apv_host_drain(f.h, 0), -ETIMEDOUT);
	gate_set(&f.gate, true);
	assert_int_equal(apv_host_drain(f.h, DRAIN_MS), 0);
	assert_int_equal(gate_calls(&f.gate), 3);
	assert_int_equal(tapq_gr1(f.g, Q54), QS(0, QS_R));
	got = recv_reply(f.g, Q54, BUF_ADDR);
	assert_int_equal(got.cc, 0);
	assert_true(got.ok);
	assert_int_equal(got.psmid, 0x100000001);
	got = recv_reply(f.g, Q54, BUF_ADDR);
	assert_true(got.ok);
	assert_int_equal(got.psmid, 0x100000002);
	got = recv_reply(f.g, Q547, BUF_ADDR);
	assert_true(got.ok);
	assert_int_equal(got.psmid, 0x200000001);
	got = recv_reply(f.g, Q54, BUF_ADDR);
	assert_int_equal(got.cc, 3);
	assert_int_equal(got.gr1, QS(0x10, QS_E));
	fx_fini(&f);
}

/* apv_hw_queue_counts: requests in the engine or queued, replies waiting. */
static void test_queue_counts(void **state)
{
	struct fx f;
	unsigned int rq = 99, rp = 99;

	(void)state;
	fx_init(&f, false);
	assert_int_equal(apv_hw_queue_counts(f.h, APV_APQN(9, 4), &rq, &rp),
			 -ENODEV);
	assert_int_equal(rq + rp, 0);
	assert_int_equal(apv_hw_queue_counts(f.h, Q54, &rq, &rp), 0);
	assert_int_equal(rq + rp, 0);
	assert_int_equal(apv_host_set_workers(f.h, 2), 0);
	assert_int_equal(send(f.g, Q54, 1, MSG_ADDR, NULL), 0);
	assert_int_equal(send(f.g, Q54, 2, MSG_ADDR, NULL), 0);
	assert_int_equal(send(f.g, Q54, 3, MSG_ADDR, NULL), 0);
	/* one in the engine, two queued */
	gate_wait_inside(&f.gate, 1);
	assert_int_equal(apv_hw_queue_counts(f.h, Q54, &rq, &rp), 0);
	assert_int_equal(rq, 3);
	assert_int_equal(rp, 0);
	gate_set(&f.gate, true);
	assert_int_equal(apv_host_drain(f.h, DRAIN_MS), 0);
	assert_int_equal(apv_hw_queue_counts(f.h, Q54, &rq, &rp), 0);
	assert_int_equal(rq, 0);
	assert_int_equal(rp, 3);
	assert_true(recv_reply(f.g, Q54, BUF_ADDR).ok);
	assert_int_equal(apv_hw_queue_counts(f.h, Q54, &rq, &rp), 0);
	assert_int_equal(rp, 2);
	/* another queue of the adapter is not counted; a reset empties */
	assert_int_equal(apv_hw_queue_counts(f.h, Q547, &rq, &rp), 0);
	assert_int_equal(rq + rp, 0);
	assert_int_equal(apv_mdev_reset(f.h, f.M), 0);
	assert_int_equal(apv_hw_queue_counts(f.h, Q54, &rq, &rp), 0);
	assert_int_equal(rq + rp, 0);
	fx_fini(&f);
}

static void reset_in_engine(bool host_side)
{
	struct fx f;
	struct apv_cpu_regs r;
	struct apv_insn_result res;
	struct got got;

	fx_init(&f, false);
	assert_int_equal(apv_host_set_workers(f.h, 1), 0);
	assert_int_equal(send(f.g, Q54, 1, MSG_ADDR, NULL), 0);
	assert_int_equal(send(f.g, Q54, 2, MSG_ADDR, NULL), 0);
	gate_wait_inside(&f.gate, 1);
	if (host_side) {
		/* VFIO_DEVICE_RESET: vfio_ap's ZAPQ of every linked queue */
		assert_int_equal(apv_mdev_reset(f.h, f.M), 0);
	} else {
		pqap_fc(f.g, APV_PQAP_RAPQ, Q54, &r, &res);
		assert_int_equal(res.cc, 0);
	}
	assert_int_equal(tapq_gr1(f.g, Q54), QS(0, QS_E));
	/* the queue is usable while the old request is still inside */
	assert_int_equal(send(f.g, Q54, 3, MSG_ADDR, NULL), 0);
	gate_set(&f.gate, true);
	assert_int_equal(apv_host_drain(f.h, DRAIN_MS), 0);
	/* psmid 1 was in the engine, 2 queued: only 3 is answered */
	got = recv_reply(f.g, Q54, BUF_ADDR);
	assert_int_equal(got.cc, 0);
	assert_true(got.ok);
	assert_int_equal(got.psmid, 3);
	got = recv_reply(f.g, Q54, BUF_ADDR);
	assert_int_equal(got.cc, 3);
	assert_int_equal(got.gr1, QS(0x10, QS_E));
	assert_int_equal(gate_calls(&f.gate), 2);
	fx_fini(&f);
}

static void test_guest_reset_in_engine(void **state)
{
	(void)state;
	reset_in_engine(false);
}

static void test_host_reset_in_engine(void **state)
{
	(void)state;
	reset_in_engine(true);
}

/* The adapter leaves the configuration while the engine works. */
static void test_adapter_removed_in_engine(void **state)
{
	struct fx f;
	struct apv_cpu_regs r;
	struct apv_insn_result res;
	struct got got;

	(void)state;
	fx_init(&f, false);
	assert_int_equal(apv_host_set_workers(f.h, 2), 0);
	assert_int_equal(send(f.g, Q54, 1, MSG_ADDR, NULL), 0);
	assert_int_equal(send(f.g, Q64, 2, MSG_ADDR, NULL), 0);
	gate_wait_inside(&f.gate, 2);
	assert_int_equal(apv_hw_adapter_remove(f.h, 5, 0), 0);
	pqap_fc(f.g, APV_PQAP_TAPQ, Q54, &r, &res);
	assert_int_equal(res.cc, 3);
	gate_set(&f.gate, true);
	assert_int_equal(apv_host_drain(f.h, DRAIN_MS), 0);
	/* adapter 06 was not touched: its reply is there */
	got = recv_reply(f.g, Q64, BUF_ADDR);
	assert_true(got.ok);
	assert_int_equal(got.psmid, 2);
	/* back in the configuration (and in the guest): no old reply */
	assert_int_equal(apv_hw_adapter_restore(f.h, 5, 0), 0);
	got = recv_reply(f.g, Q54, BUF_ADDR);
	assert_int_equal(got.cc, 3);
	assert_int_equal(got.gr1, QS(0x10, QS_E));
	assert_int_equal(send(f.g, Q54, 4, MSG_ADDR, NULL), 0);
	assert_int_equal(apv_host_drain(f.h, DRAIN_MS), 0);
	got = recv_reply(f.g, Q54, BUF_ADDR);
	assert_true(got.ok);
	assert_int_equal(got.psmid, 4);
	fx_fini(&f);
}

/* The guest goes away (its mdev closed, its memory freed) meanwhile. */
static void test_guest_freed_in_engine(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f, false);
	assert_int_equal(apv_host_set_workers(f.h, 1), 0);
	assert_int_equal(aqic_on(f.g, Q54, 2), 0);
	assert_int_equal(send(f.g, Q54, 1, MSG_ADDR, NULL), 0);
	gate_wait_inside(&f.gate, 1);
	apv_kvm_free(f.g);
	f.g = NULL;
	/* a different engine now: the running call keeps its own */
	apv_host_set_engine(f.h, NULL);
	gate_set(&f.gate, true);
	assert_int_equal(apv_host_drain(f.h, DRAIN_MS), 0);
	assert_int_equal(apv_hw_adapter_configure(f.h, 5, false, 0), 0);
	fx_fini(&f);
}

/* ---- interruptions ------------------------------------------------------ */

struct irqs {
	pthread_mutex_t mu;
	unsigned int n;
	unsigned int isc_bits;
};

static void on_irq(void *opaque, unsigned int isc)
{
	struct irqs *c = opaque;

	pthread_mutex_lock(&c->mu);
	c->n++;
	c->isc_bits |= 1u << isc;
	pthread_mutex_unlock(&c->mu);
}

static unsigned int irq_count(struct irqs *c)
{
	unsigned int n;

	pthread_mutex_lock(&c->mu);
	n = c->n;
	pthread_mutex_unlock(&c->mu);
	return n;
}

static void test_irq_notify(void **state)
{
	struct fx f;
	struct irqs c = {.n = 0};
	struct apv_cpu_regs r;
	struct apv_insn_result res;
	uint8_t nib = 0;
	uint64_t count = 0;

	(void)state;
	pthread_mutex_init(&c.mu, NULL);
	fx_init(&f, true);
	apv_kvm_set_notify(f.g, &(struct apv_kvm_notify){.adapter_irq = on_irq,
							 .opaque = &c});
	/* synchronous: one notification per reply, on the NQAP's thread */
	assert_int_equal(aqic_on(f.g, Q54, 3), 0);
	assert_int_equal(send(f.g, Q54, 1, MSG_ADDR, NULL), 0);
	assert_int_equal(irq_count(&c), 1);
	assert_int_equal(apv_kvm_mem_read(f.g, NIB_ADDR, &nib, 1), 0);
	assert_int_equal(nib, 1);
	assert_int_equal(apv_kvm_take_adapter_irqs(f.g, &count), 1u << 3);
	assert_int_equal(count, 1);
	assert_true(recv_reply(f.g, Q54, BUF_ADDR).ok);
	/* with workers: one per posted reply */
	assert_int_equal(apv_host_set_workers(f.h, 3), 0);
	for (uint64_t i = 2; i <= 6; i++)
		assert_int_equal(send(f.g, Q54, i, MSG_ADDR, NULL), 0);
	assert_int_equal(apv_host_drain(f.h, DRAIN_MS), 0);
	assert_int_equal(irq_count(&c), 6);
	assert_int_equal(c.isc_bits, 1u << 3);
	for (uint64_t i = 2; i <= 6; i++)
		assert_int_equal(recv_reply(f.g, Q54, BUF_ADDR).psmid, i);
	/* a reply still in the engine at RAPQ/ZAPQ never interrupts */
	for (unsigned int fc = APV_PQAP_RAPQ; fc <= APV_PQAP_ZAPQ; fc++) {
		gate_set(&f.gate, false);
		assert_int_equal(send(f.g, Q54, 7, MSG_ADDR, NULL), 0);
		gate_wait_inside(&f.gate, 1);
		pqap_fc(f.g, fc, Q54, &r, &res);
		assert_int_equal(res.cc, 0);
		gate_set(&f.gate, true);
		assert_int_equal(apv_host_drain(f.h, DRAIN_MS), 0);
		assert_int_equal(irq_count(&c), 6);
		assert_int_equal(tapq_gr1(f.g, Q54), QS(0, QS_E));
		/* and interruptions are off now: replies do not notify */
		assert_int_equal(send(f.g, Q54, 8, MSG_ADDR, NULL), 0);
		assert_int_equal(apv_host_drain(f.h, DRAIN_MS), 0);
		assert_int_equal(irq_count(&c), 6);
		assert_int_equal(recv_reply(f.g, Q54, BUF_ADDR).psmid, 8);
		assert_int_equal(aqic_on(f.g, Q54, 3), 0);
	}
	assert_int_equal(tapq_gr1(f.g, Q54), QS(0, QS_E | QS_I));
	fx_fini(&f);
	pthread_mutex_destroy(&c.mu);
}

/* ---- many senders ------------------------------------------------------- */

#define SENDERS 4
#define PER_SENDER 300
#define SPIN_LIMIT 50000000u

struct sender {
	struct apv_kvm *g;
	apv_apqn q;
	unsigned int id;
	uint64_t addr;
	pthread_mutex_t *mu;
	uint8_t (*seen)[PER_SENDER]; /* [SENDERS][PER_SENDER] */
	unsigned int bad, got;
};

static void take(struct sender *s, const struct got *got)
{
	unsigned int id = (unsigned int)(got->psmid >> 32) - 1;
	uint64_t i = got->psmid & 0xffffffffu;

	pthread_mutex_lock(s->mu);
	if (!got->ok || id >= SENDERS || i >= PER_SENDER)
		s->bad++;
	else
		s->seen[id][i]++;
	pthread_mutex_unlock(s->mu);
	s->got++;
}

/* Send PER_SENDER requests, dequeuing whatever is there as it goes. */
static void *sender_main(void *arg)
{
	struct sender *s = arg;
	unsigned int i = 0, spins = 0;

	while (i < PER_SENDER && spins++ < SPIN_LIMIT) {
		uint64_t psmid = ((uint64_t)(s->id + 1) << 32) | i;
		uint64_t gr1 = 0;
		unsigned int cc = send(s->g, s->q, psmid, s->addr, &gr1);
		struct got got;

		if (cc == 0) {
			i++;
		} else if (cc != 3 || ((gr1 >> 16) & 0xff) != 0x10) {
			s->bad++;
			break;
		}
		got = recv_reply(s->g, s->q, s->addr + 0x1000);
		if (got.cc == 0)
			take(s, &got);
		else if (cc)
			sched_yield(); /* full and nothing back yet */
	}
	if (i < PER_SENDER)
		s->bad++;
	return NULL;
}

static void test_many_senders(void **state)
{
	struct fx f;
	static uint8_t seen[SENDERS][PER_SENDER];
	pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	struct sender s[SENDERS];
	pthread_t t[SENDERS];
	const apv_apqn qs[2] = {Q54, Q64};
	unsigned int total = 0;

	(void)state;
	fx_init(&f, true);
	memset(seen, 0, sizeof(seen));
	assert_int_equal(apv_host_set_workers(f.h, 3), 0);
	for (unsigned int k = 0; k < SENDERS; k++) {
		/* two senders per queue: each may take the other's replies */
		s[k] = (struct sender){.g = f.g,
				       .q = qs[k % 2],
				       .id = k,
				       .addr = MSG_ADDR + (uint64_t)k * 0x2000,
				       .mu = &mu,
				       .seen = seen};
		assert_int_equal(
			pthread_create(&t[k], NULL, sender_main, &s[k]), 0);
	}
	for (unsigned int k = 0; k < SENDERS; k++)
		assert_int_equal(pthread_join(t[k], NULL), 0);
	assert_int_equal(apv_host_drain(f.h, DRAIN_MS), 0);
	for (unsigned int k = 0; k < SENDERS; k++) {
		struct got got;

		assert_int_equal(s[k].bad, 0);
		while ((got = recv_reply(f.g, s[k].q, BUF_ADDR)).cc == 0)
			take(&s[k], &got);
		assert_int_equal(s[k].bad, 0);
		total += s[k].got;
	}
	assert_int_equal(total, SENDERS * PER_SENDER);
	for (unsigned int k = 0; k < SENDERS; k++)
		for (unsigned int i = 0; i < PER_SENDER; i++)
			assert_int_equal(seen[k][i], 1);
	assert_int_equal(gate_calls(&f.gate), SENDERS * PER_SENDER);
	fx_fini(&f);
}

/* ---- changing the number of workers with requests queued --------------- */

struct setter {
	struct apv_host *h;
	unsigned int n;
	int rc;
};

static void *setter_main(void *arg)
{
	struct setter *s = arg;

	s->rc = apv_host_set_workers(s->h, s->n);
	return NULL;
}

/* Queue three requests on each of three queues. */
static void fill(struct fx *f, uint64_t base)
{
	const apv_apqn qs[3] = {Q54, Q547, Q550};

	for (unsigned int k = 0; k < 3; k++)
		for (uint64_t i = 0; i < 3; i++)
			assert_int_equal(send(f->g, qs[k],
					      base + (uint64_t)k * 16 + i,
					      MSG_ADDR, NULL),
					 0);
}

static void expect(struct fx *f, uint64_t base)
{
	const apv_apqn qs[3] = {Q54, Q547, Q550};

	for (unsigned int k = 0; k < 3; k++) {
		struct got got;

		for (uint64_t i = 0; i < 3; i++) {
			got = recv_reply(f->g, qs[k], BUF_ADDR);
			assert_int_equal(got.cc, 0);
			assert_true(got.ok);
			assert_int_equal(got.psmid,
					 base + (uint64_t)k * 16 + i);
		}
		got = recv_reply(f->g, qs[k], BUF_ADDR);
		assert_int_equal(got.cc, 3);
		assert_int_equal(got.gr1, QS(0x10, QS_E));
	}
}

static void test_workers_change(void **state)
{
	struct fx f;
	struct setter s;
	pthread_t t;

	(void)state;
	fx_init(&f, true);
	/* 0: synchronous */
	fill(&f, 0x100);
	expect(&f, 0x100);
	/* 0 -> 4, requests held in the engines and queued behind them */
	gate_set(&f.gate, false);
	assert_int_equal(apv_host_set_workers(f.h, 4), 0);
	fill(&f, 0x200);
	gate_wait_inside(&f.gate, 3);
	/* 4 -> 2 waits for the calls inside; the queued ones stay */
	s = (struct setter){.h = f.h, .n = 2};
	assert_int_equal(pthread_create(&t, NULL, setter_main, &s), 0);
	gate_set(&f.gate, true);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(s.rc, 0);
	assert_int_equal(apv_host_workers(f.h), 2);
	assert_int_equal(apv_host_drain(f.h, DRAIN_MS), 0);
	expect(&f, 0x200);
	/* 2 -> 0: what is still queued is answered before it returns */
	gate_set(&f.gate, false);
	fill(&f, 0x300);
	gate_wait_inside(&f.gate, 2);
	s = (struct setter){.h = f.h, .n = 0};
	assert_int_equal(pthread_create(&t, NULL, setter_main, &s), 0);
	gate_set(&f.gate, true);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(s.rc, 0);
	assert_int_equal(apv_host_workers(f.h), 0);
	assert_int_equal(apv_host_drain(f.h, 0), 0);
	expect(&f, 0x300);
	assert_int_equal(gate_calls(&f.gate), 27);
	fx_fini(&f);
}

/* Freeing the host with workers and requests queued leaks nothing. */
static void test_free_with_work(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f, true);
	assert_int_equal(apv_host_set_workers(f.h, 4), 0);
	fill(&f, 0x100);
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_workers_args),
		cmocka_unit_test(test_async_replies),
		cmocka_unit_test(test_queue_counts),
		cmocka_unit_test(test_guest_reset_in_engine),
		cmocka_unit_test(test_host_reset_in_engine),
		cmocka_unit_test(test_adapter_removed_in_engine),
		cmocka_unit_test(test_guest_freed_in_engine),
		cmocka_unit_test(test_irq_notify),
		cmocka_unit_test(test_many_senders),
		cmocka_unit_test(test_workers_change),
		cmocka_unit_test(test_free_with_work),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
