// SPDX-License-Identifier: MIT
/*
 * AP instructions at register level (src/lib/kvm/ap_insn.c, ap_aqic.c): the
 * check order, every condition and response code, AQIC sequences, the
 * request/reply store and the leak guarantee of issue 4.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include <apvirt/ap_insn.h>

#include "host_kit.h"

#define MEM_SIZE (UINT64_C(1) << 20)
#define MSG_ADDR UINT64_C(0x10000)
#define BUF_ADDR UINT64_C(0x20000)
#define NIB_ADDR UINT64_C(0x30000)
#define QCI_ADDR UINT64_C(0x40000)

#define QS(rc, flags) ((uint64_t)(((uint32_t)(rc) << 16) | (flags)))
#define QS_E 0x80000000u
#define QS_R 0x40000000u
#define QS_F 0x20000000u
#define QS_I 0x01000000u

#define Q54 APV_APQN(5, 4)

/* ---- fixture --------------------------------------------------------- */

/*
 * Adapters 05 (CEX7 accelerator) and 06 (CEX8 CCA), usage domains 04, 05,
 * 47 and 50, both adapters released to vfio_ap.
 */
static struct apv_host *mkhost(enum apv_kernel k, bool apxa)
{
	struct kit kt;
	struct apv_host *h;

	kit_init(&kt, k);
	kt.cfg.apxa = apxa;
	if (!apxa)
		kt.cfg.na = kt.cfg.nd = 0;
	kit_adapter(&kt, 5, APV_TYPE_CEX7, APV_MODE_ACCEL);
	kit_adapter(&kt, 6, APV_TYPE_CEX8, APV_MODE_CCA);
	kt.cfg.domains = apxa ? BM(4, 5, 0x47, 0x50) : BM(4, 5);
	kt.cfg.control_domains = kt.cfg.domains;
	h = kit_boot(&kt);
	assert_int_equal(kit_store(h, true, "-5,-6"), 0);
	return h;
}

/* A guest with CPU model cpu and 1 MiB of memory that opened mdev u. */
static struct apv_kvm *mkguest(struct apv_host *h, const char *name,
			       unsigned int cpu, const uint8_t u[16])
{
	struct apv_kvm *kvm = NULL;

	assert_int_equal(apv_kvm_new(h, name, cpu, &kvm), 0);
	assert_int_equal(apv_kvm_add_memslot(kvm, 0, MEM_SIZE), 0);
	if (u) {
		assert_int_equal(apv_mdev_set_kvm(h, u, kvm), 0);
		assert_int_equal(apv_mdev_open(h, u), 0);
	}
	return kvm;
}

struct fx {
	struct apv_host *h;
	uint8_t M[16];
	struct apv_kvm *g;
};

/* mdev M = {05, 06} x {04, 47, 50} opened by a guest with cpu. */
static void fx_init(struct fx *f, enum apv_kernel k, unsigned int cpu)
{
	f->h = mkhost(k, true);
	kit_uuid(f->M, 1);
	kit_mdev(f->h, f->M, BM(5, 6), BM(4, 0x47, 0x50), BM(4));
	f->g = mkguest(f->h, "g", cpu, f->M);
}

static void fx_fini(struct fx *f)
{
	apv_kvm_free(f->g);
	apv_host_free(f->h);
}

/* ---- instruction helpers --------------------------------------------- */

static struct apv_insn_result pqap(struct apv_kvm *g, struct apv_cpu_regs *r)
{
	struct apv_insn_result res;

	assert_int_equal(apv_insn_pqap(g, r, &res), 0);
	return res;
}

static struct apv_cpu_regs regs_fc(unsigned int fc, apv_apqn q)
{
	struct apv_cpu_regs r;

	memset(&r, 0, sizeof(r));
	r.gr[0] = APV_GR0_FC(fc) | q;
	return r;
}

static struct apv_insn_result tapq(struct apv_kvm *g, apv_apqn q, bool t,
				   struct apv_cpu_regs *out)
{
	struct apv_cpu_regs r = regs_fc(APV_PQAP_TAPQ, q);
	struct apv_insn_result res;

	if (t)
		r.gr[0] |= APV_GR0_T;
	res = pqap(g, &r);
	if (out)
		*out = r;
	return res;
}

static struct apv_insn_result aqic(struct apv_kvm *g, apv_apqn q, bool on,
				   unsigned int isc, uint64_t nib,
				   struct apv_cpu_regs *r)
{
	*r = regs_fc(APV_PQAP_AQIC, q);
	r->gr[1] = (on ? APV_AQIC_IR : 0) | APV_AQIC_ISC(isc);
	r->gr[2] = nib;
	return pqap(g, r);
}

/* A type 50 MEB1 request (400 bytes), valid header, all-zero operands. */
static void put_meb1(struct apv_kvm *g, uint8_t type)
{
	uint8_t m[400];

	memset(m, 0, sizeof(m));
	m[1] = type;
	m[2] = 0x01;
	m[3] = 0x90;
	m[9] = 0x01;
	assert_int_equal(apv_kvm_mem_write(g, MSG_ADDR, m, sizeof(m)), 0);
}

/* NQAP with R1 = 4 (PSMID), R2 = 6 (message). */
static struct apv_insn_result nqap(struct apv_kvm *g, apv_apqn q,
				   uint64_t psmid, uint64_t len,
				   struct apv_cpu_regs *r)
{
	struct apv_insn_result res;

	memset(r, 0, sizeof(*r));
	r->gr[0] = APV_GR0_NQAP_L | q;
	r->gr[4] = psmid >> 32;
	r->gr[5] = psmid & 0xffffffffu;
	r->gr[6] = MSG_ADDR;
	r->gr[7] = len;
	assert_int_equal(apv_insn_nqap(g, r, 4, 6, &res), 0);
	return res;
}

/* DQAP with R1 = 8 (PSMID), R2 = 10 (buffer). */
static struct apv_insn_result dqap(struct apv_kvm *g, apv_apqn q, uint64_t addr,
				   uint64_t len, struct apv_cpu_regs *r)
{
	struct apv_insn_result res;

	memset(r, 0, sizeof(*r));
	r->gr[0] = APV_GR0_DQAP | q;
	r->gr[1] = 0xdeadbeef;
	r->gr[10] = addr;
	r->gr[11] = len;
	assert_int_equal(apv_insn_dqap(g, r, 8, 10, &res), 0);
	return res;
}

#define assert_pgm(res, code)                                                  \
	do {                                                                   \
		struct apv_insn_result r_ = (res);                             \
		assert_int_equal(r_.pgm, (code));                              \
		assert_int_equal(r_.changed, 0);                               \
	} while (0)

#define assert_cc(res, c)                                                      \
	do {                                                                   \
		struct apv_insn_result r_ = (res);                             \
		assert_int_equal(r_.pgm, APV_PGM_NONE);                        \
		assert_int_equal(r_.cc, (c));                                  \
	} while (0)

/* ---- operation and privileged-operation exceptions ------------------- */

static void test_operation_without_ap(void **state)
{
	struct fx f;
	struct apv_kvm *g;
	struct apv_cpu_regs r;
	struct apv_insn_result res;

	(void)state;
	fx_init(&f, APV_KERNEL_6_12, APV_CPU_DEFAULT);
	g = mkguest(f.h, "noap", 0, NULL);
	assert_pgm(tapq(g, Q54, false, NULL), APV_PGM_OPERATION);
	assert_pgm(nqap(g, Q54, 1, 400, &r), APV_PGM_OPERATION);
	assert_pgm(dqap(g, Q54, BUF_ADDR, 4096, &r), APV_PGM_OPERATION);
	/* arguments the library refuses */
	assert_int_equal(apv_insn_pqap(NULL, &r, &res), -EINVAL);
	assert_int_equal(apv_insn_nqap(g, &r, 16, 6, &res), -EINVAL);
	apv_kvm_free(g);
	fx_fini(&f);
}

static void test_privileged_first(void **state)
{
	struct fx f;
	struct apv_cpu_regs r;
	struct apv_insn_result res;

	(void)state;
	fx_init(&f, APV_KERNEL_6_12, APV_CPU_DEFAULT);
	/* privileged operation before any specification check */
	r = regs_fc(42, Q54);
	r.gr[0] |= 0x007F0000;
	r.problem_state = true;
	r.cc = 2;
	res = pqap(f.g, &r);
	assert_pgm(res, APV_PGM_PRIVILEGED);
	assert_int_equal(res.cc, 2);
	assert_int_equal(r.cc, 2);
	r = regs_fc(APV_PQAP_AQIC, Q54);
	r.problem_state = true;
	assert_pgm(pqap(f.g, &r), APV_PGM_PRIVILEGED);
	memset(&r, 0, sizeof(r));
	r.problem_state = true;
	assert_int_equal(apv_insn_nqap(f.g, &r, 5, 7, &res), 0);
	assert_pgm(res, APV_PGM_PRIVILEGED);
	assert_int_equal(apv_insn_dqap(f.g, &r, 5, 7, &res), 0);
	assert_pgm(res, APV_PGM_PRIVILEGED);
	fx_fini(&f);
}

/* ---- specification exceptions of PQAP ------------------------------- */

static void test_pqap_reserved_bits(void **state)
{
	struct fx f;
	struct apv_cpu_regs r;

	(void)state;
	fx_init(&f, APV_KERNEL_6_12, APV_CPU_DEFAULT);
	for (unsigned int bit = 41; bit <= 47; bit++) {
		uint64_t b = UINT64_C(1) << (63 - bit);

		r = regs_fc(APV_PQAP_TAPQ, Q54);
		r.gr[0] |= b;
		assert_pgm(pqap(f.g, &r), APV_PGM_SPECIFICATION);
		r = regs_fc(APV_PQAP_AQIC, Q54);
		r.gr[0] |= b;
		r.gr[1] = APV_AQIC_IR;
		r.gr[2] = NIB_ADDR;
		assert_pgm(pqap(f.g, &r), APV_PGM_SPECIFICATION);
		r = regs_fc(APV_PQAP_QCI, 0);
		r.gr[0] |= b;
		r.gr[2] = QCI_ADDR;
		assert_pgm(pqap(f.g, &r), APV_PGM_SPECIFICATION);
		r = regs_fc(APV_PQAP_ZAPQ, Q54);
		r.gr[0] |= b;
		r.cc = 1;
		/* bit 41 is the F bit of RAPQ/ZAPQ */
		if (bit == 41)
			assert_cc(pqap(f.g, &r), 0);
		else
			assert_pgm(pqap(f.g, &r), APV_PGM_SPECIFICATION);
		r = regs_fc(APV_PQAP_RAPQ, Q54);
		r.gr[0] |= b;
		if (bit == 41)
			assert_cc(pqap(f.g, &r), 0);
		else
			assert_pgm(pqap(f.g, &r), APV_PGM_SPECIFICATION);
	}
	/* unknown or uninstalled function codes */
	for (unsigned int fc = 6; fc < 256; fc++) {
		r = regs_fc(fc, Q54);
		r.gr[2] = QCI_ADDR;
		assert_pgm(pqap(f.g, &r), APV_PGM_SPECIFICATION);
	}
	fx_fini(&f);
}

static void test_tapq_t_bit(void **state)
{
	struct fx f;
	struct apv_kvm *g;
	struct apv_cpu_regs r;
	uint8_t N[16];

	(void)state;
	fx_init(&f, APV_KERNEL_6_12, APV_CPU_DEFAULT);
	/* with APFT: the facility bits come with T = 1 only */
	assert_cc(tapq(f.g, Q54, true, &r), 0);
	assert_int_equal(r.gr[1], QS(0, QS_E));
	assert_int_equal(r.gr[2] >> 32, APV_FUNC_ACCEL | APV_FUNC_MEX4K |
						APV_FUNC_CRT4K | APV_FUNC_APXA);
	assert_int_equal((r.gr[2] >> 24) & 0xff, APV_TYPE_CEX7);
	assert_int_equal(r.gr[2] & 0xf, 7);
	assert_cc(tapq(f.g, Q54, false, &r), 0);
	assert_int_equal(r.gr[2] >> 32, 0);
	assert_true(r.gr[2] != 0);
	/* without APFT: T = 1 is a specification exception */
	kit_uuid(N, 2);
	kit_mdev(f.h, N, BM(5), BM(5), BM0());
	g = mkguest(f.h, "noapft", APV_CPU_DEFAULT & ~APV_CPU_APFT, N);
	assert_pgm(tapq(g, APV_APQN(5, 5), true, NULL), APV_PGM_SPECIFICATION);
	assert_cc(tapq(g, APV_APQN(5, 5), false, &r), 0);
	assert_int_equal(r.gr[2] >> 32, 0);
	apv_kvm_free(g);
	fx_fini(&f);
}

/* ---- QCI ------------------------------------------------------------------ */

static void test_qci(void **state)
{
	struct fx f;
	struct apv_kvm *g;
	struct apv_cpu_regs r;
	struct apv_insn_result res;
	uint8_t blk[APV_QCI_BLOCK_SIZE], ones[APV_QCI_BLOCK_SIZE];

	(void)state;
	fx_init(&f, APV_KERNEL_6_12, APV_CPU_DEFAULT);
	/* alignment: every misaligned address */
	for (uint64_t off = 1; off < 8; off++) {
		r = regs_fc(APV_PQAP_QCI, 0);
		r.gr[2] = QCI_ADDR + off;
		assert_pgm(pqap(f.g, &r), APV_PGM_SPECIFICATION);
	}
	/* aligned but outside guest memory (or crossing its end) */
	r = regs_fc(APV_PQAP_QCI, 0);
	r.gr[2] = MEM_SIZE - 64;
	assert_pgm(pqap(f.g, &r), APV_PGM_ADDRESSING);
	/* the block from the CRYCB */
	memset(ones, 0xff, sizeof(ones));
	assert_int_equal(apv_kvm_mem_write(f.g, QCI_ADDR, ones, 128), 0);
	r = regs_fc(APV_PQAP_QCI, 0);
	r.gr[2] = QCI_ADDR;
	r.cc = 3;
	res = pqap(f.g, &r);
	assert_cc(res, 0);
	assert_int_equal(res.changed, 0);
	assert_int_equal(apv_kvm_mem_read(f.g, QCI_ADDR, blk, 128), 0);
	assert_int_equal(blk[0], 0xf0); /* S N C R */
	assert_int_equal(blk[4], 255);
	assert_int_equal(blk[5], 255);
	assert_int_equal(blk[16], 0x06); /* APM: 05, 06 */
	for (int i = 17; i < 48; i++)
		assert_int_equal(blk[i], 0);
	assert_int_equal(blk[48], 0x08);      /* AQM: 04 */
	assert_int_equal(blk[48 + 8], 0x01);  /* 47 */
	assert_int_equal(blk[48 + 10], 0x80); /* 50 */
	assert_int_equal(blk[80], 0x08);      /* ADM: 04 */
	for (int i = 112; i < 128; i++)
		assert_int_equal(blk[i], 0);
	/* without facility 12 */
	g = mkguest(f.h, "noqci", APV_CPU_DEFAULT & ~APV_CPU_APQCI, NULL);
	r = regs_fc(APV_PQAP_QCI, 0);
	r.gr[2] = QCI_ADDR;
	assert_pgm(pqap(g, &r), APV_PGM_SPECIFICATION);
	apv_kvm_free(g);
	fx_fini(&f);
}

/* Format 0 (no MSA3) and format 1 (host without APXA): APCB0. */
static void test_format0_truncation(void **state)
{
	struct fx f;
	struct apv_kvm *g0;
	struct apv_cpu_regs r;
	uint8_t N[16], blk[APV_QCI_BLOCK_SIZE];
	struct apv_apcb c;

	(void)state;
	fx_init(&f, APV_KERNEL_6_12, APV_CPU_DEFAULT);
	assert_int_equal(apv_mdev_close(f.h, f.M), 0);
	g0 = mkguest(f.h, "fmt0", APV_CPU_DEFAULT & ~APV_CPU_MSA3, NULL);
	assert_int_equal(apv_kvm_crycb_format(g0), 0);
	kit_uuid(N, 2);
	assert_int_equal(apv_mdev_create(f.h, N), 0);
	/* the same matrix: the shadow has domain 50 */
	apv_mdev_unassign_adapter(f.h, f.M, 5);
	assert_int_equal(apv_mdev_assign_adapter(f.h, N, 5), 0);
	assert_int_equal(apv_mdev_assign_domain(f.h, N, 4), 0);
	assert_int_equal(apv_mdev_assign_domain(f.h, N, 0x50), 0);
	assert_int_equal(apv_mdev_set_kvm(f.h, N, g0), 0);
	assert_int_equal(apv_mdev_open(f.h, N), 0);
	c = kit_apcb(g0);
	assert_true(bm_has(c.aqm, 4));
	assert_false(bm_has(c.aqm, 0x50)); /* dropped by APCB0 */
	assert_cc(tapq(g0, Q54, true, &r), 0);
	/* the guest has no APXA: no N facility bit */
	assert_int_equal(r.gr[2] >> 32,
			 APV_FUNC_ACCEL | APV_FUNC_MEX4K | APV_FUNC_CRT4K);
	/* APQI 0x50 is above 15: specification, not a response code */
	assert_pgm(tapq(g0, APV_APQN(5, 0x50), false, NULL),
		   APV_PGM_SPECIFICATION);
	assert_pgm(tapq(g0, APV_APQN(0x40, 4), false, NULL),
		   APV_PGM_SPECIFICATION);
	/* in range but outside the masks: RC 01 */
	assert_cc(tapq(g0, APV_APQN(5, 5), false, &r), 3);
	assert_int_equal(r.gr[1], QS(1, 0));
	assert_cc(tapq(g0, APV_APQN(6, 4), false, &r), 3);
	assert_int_equal(r.gr[1], QS(1, 0));
	/* QCI: APCB0 only, no N bit, Na/Nd the format's maxima */
	r = regs_fc(APV_PQAP_QCI, 0);
	r.gr[2] = QCI_ADDR;
	assert_cc(pqap(g0, &r), 0);
	assert_int_equal(apv_kvm_mem_read(g0, QCI_ADDR, blk, 128), 0);
	assert_int_equal(blk[0] & 0x40, 0);
	assert_int_equal(blk[4], 63);
	assert_int_equal(blk[5], 15);
	assert_int_equal(blk[16], 0x04);
	assert_int_equal(blk[48], 0x08);
	assert_int_equal(blk[48 + 10], 0);
	/* the specification rule holds for every APQN instruction */
	r = regs_fc(APV_PQAP_ZAPQ, APV_APQN(5, 0x50));
	assert_pgm(pqap(g0, &r), APV_PGM_SPECIFICATION);
	assert_pgm(aqic(g0, APV_APQN(5, 0x50), true, 3, NIB_ADDR, &r),
		   APV_PGM_SPECIFICATION);
	put_meb1(g0, 0x50);
	assert_pgm(nqap(g0, APV_APQN(5, 0x50), 1, 400, &r),
		   APV_PGM_SPECIFICATION);
	assert_pgm(dqap(g0, APV_APQN(5, 0x50), BUF_ADDR, 4096, &r),
		   APV_PGM_SPECIFICATION);
	apv_kvm_free(g0);
	fx_fini(&f);
}

static void test_format1(void **state)
{
	struct apv_host *h = mkhost(APV_KERNEL_6_12, false);
	struct apv_kvm *g;
	struct apv_cpu_regs r;
	uint8_t M[16], blk[APV_QCI_BLOCK_SIZE];

	(void)state;
	kit_uuid(M, 1);
	kit_mdev(h, M, BM(5), BM(4, 5), BM0());
	g = mkguest(h, "fmt1", APV_CPU_DEFAULT, M);
	assert_int_equal(apv_kvm_crycb_format(g), 1);
	assert_cc(tapq(g, APV_APQN(5, 5), true, &r), 0);
	assert_pgm(tapq(g, APV_APQN(5, 16), true, &r), APV_PGM_SPECIFICATION);
	r = regs_fc(APV_PQAP_QCI, 0);
	r.gr[2] = QCI_ADDR;
	assert_cc(pqap(g, &r), 0);
	assert_int_equal(apv_kvm_mem_read(g, QCI_ADDR, blk, 128), 0);
	assert_int_equal(blk[0] & 0x40, 0);
	assert_int_equal(blk[48], 0x0c);
	apv_kvm_free(g);
	apv_host_free(h);
}

/* ---- TAPQ and the machine -------------------------------------------- */

static void test_tapq_deconfigured_checkstop(void **state)
{
	struct fx f;
	struct apv_cpu_regs r;

	(void)state;
	fx_init(&f, APV_KERNEL_6_12, APV_CPU_DEFAULT);
	/* the machine answers before the host's scan reacts */
	assert_int_equal(apv_hw_adapter_configure(f.h, 5, false, APV_EV_NOSCAN),
			 0);
	assert_cc(tapq(f.g, Q54, true, &r), 3);
	assert_int_equal(r.gr[1], QS(3, QS_E));
	assert_true(r.gr[2] != 0); /* the info stays valid */
	put_meb1(f.g, 0x50);
	assert_cc(nqap(f.g, Q54, 1, 400, &r), 3);
	assert_int_equal(r.gr[1], QS(3, QS_E));
	assert_int_equal(r.gr[7], 400); /* nothing taken */
	assert_int_equal(apv_hw_adapter_configure(f.h, 5, true, APV_EV_NOSCAN),
			 0);
	assert_cc(tapq(f.g, Q54, true, &r), 0);
	assert_int_equal(apv_hw_adapter_checkstop(f.h, 5, true, APV_EV_NOSCAN),
			 0);
	assert_cc(tapq(f.g, Q54, true, &r), 3);
	assert_int_equal(r.gr[1], QS(4, QS_E));
	assert_true(r.gr[2] != 0);
	assert_cc(dqap(f.g, Q54, BUF_ADDR, 4096, &r), 3);
	assert_int_equal(r.gr[1], QS(4, QS_E));
	/* outside the CRYCB: 01, GR2 zero */
	assert_cc(tapq(f.g, APV_APQN(7, 4), true, &r), 3);
	assert_int_equal(r.gr[1], QS(1, 0));
	assert_int_equal(r.gr[2], 0);
	fx_fini(&f);
}

/* ---- AQIC ------------------------------------------------------------- */

static void test_aqic_sequences(void **state)
{
	struct fx f;
	struct apv_cpu_regs r;
	struct apv_insn_result res;
	uint64_t nib, count;
	uint8_t b;
	int isc;

	(void)state;
	fx_init(&f, APV_KERNEL_6_12, APV_CPU_DEFAULT);
	/* bad NIBs: 0, outside every memslot */
	res = aqic(f.g, Q54, true, 3, 0, &r);
	assert_cc(res, 3);
	assert_int_equal(r.gr[1], QS(6, 0));
	assert_int_equal(res.changed, 1u << 1);
	assert_cc(aqic(f.g, Q54, true, 3, MEM_SIZE + 0x100, &r), 3);
	assert_int_equal(r.gr[1], QS(6, 0));
	assert_int_equal(apv_vfio_queue_irq(f.h, Q54, &isc, &nib), 0);
	assert_int_equal(isc, -1);
	/* disable while disabled */
	assert_cc(aqic(f.g, Q54, false, 0, 0, &r), 3);
	assert_int_equal(r.gr[1], QS(7, QS_E));
	/* enable */
	r.cc = 3;
	assert_cc(aqic(f.g, Q54, true, 3, NIB_ADDR, &r), 0);
	assert_int_equal(r.gr[1], QS(0, QS_E | QS_I));
	assert_int_equal(apv_vfio_queue_irq(f.h, Q54, &isc, &nib), 0);
	assert_int_equal(isc, 3);
	assert_int_equal(nib, NIB_ADDR);
	assert_cc(tapq(f.g, Q54, true, &r), 0);
	assert_int_equal(r.gr[1], QS(0, QS_E | QS_I));
	/* enable while enabled: 07, the first registration stays */
	assert_cc(aqic(f.g, Q54, true, 5, NIB_ADDR + 8, &r), 3);
	assert_int_equal(r.gr[1], QS(7, QS_E | QS_I));
	assert_int_equal(apv_vfio_queue_irq(f.h, Q54, &isc, &nib), 0);
	assert_int_equal(isc, 3);
	assert_int_equal(nib, NIB_ADDR);
	/* a reply makes the NIB nonzero and ISC 3 pending */
	put_meb1(f.g, 0x50);
	assert_cc(nqap(f.g, Q54, 7, 400, &r), 0);
	assert_int_equal(apv_kvm_mem_read(f.g, NIB_ADDR, &b, 1), 0);
	assert_int_equal(b, 1);
	assert_int_equal(apv_kvm_take_adapter_irqs(f.g, &count), 1u << 3);
	assert_int_equal(count, 1);
	assert_int_equal(apv_kvm_take_adapter_irqs(f.g, NULL), 0);
	/* disable, then disable again */
	assert_cc(aqic(f.g, Q54, false, 0, 0, &r), 0);
	assert_int_equal(r.gr[1], QS(0, QS_R));
	assert_int_equal(apv_vfio_queue_irq(f.h, Q54, &isc, &nib), 0);
	assert_int_equal(isc, -1);
	assert_int_equal(nib, 0);
	assert_cc(aqic(f.g, Q54, false, 0, 0, &r), 3);
	assert_int_equal(r.gr[1], QS(7, QS_R));
	/* an APQN not linked to the mdev: 01 */
	assert_cc(aqic(f.g, APV_APQN(5, 5), true, 3, NIB_ADDR, &r), 3);
	assert_int_equal(r.gr[1], QS(1, 0));
	/* the guest's own ZAPQ turns interruptions off in the machine; it
	 * is not intercepted, so vfio_ap's registration stays */
	assert_cc(aqic(f.g, Q54, true, 6, NIB_ADDR, &r), 0);
	r = regs_fc(APV_PQAP_ZAPQ, Q54);
	assert_cc(pqap(f.g, &r), 0);
	assert_int_equal(r.gr[1], QS(0, QS_E));
	assert_cc(tapq(f.g, Q54, false, &r), 0);
	assert_int_equal(r.gr[1], QS(0, QS_E));
	assert_int_equal(apv_vfio_queue_irq(f.h, Q54, &isc, &nib), 0);
	assert_int_equal(isc, 6);
	/* ... and re-enabling after the reset works (Linux does it) */
	assert_cc(aqic(f.g, Q54, true, 6, NIB_ADDR, &r), 0);
	/* RAPQ as well */
	r = regs_fc(APV_PQAP_RAPQ, Q54);
	assert_cc(pqap(f.g, &r), 0);
	assert_int_equal(r.gr[1], QS(0, QS_E));
	/* vfio_ap's close releases the registration */
	assert_cc(aqic(f.g, Q54, true, 6, NIB_ADDR, &r), 0);
	assert_int_equal(apv_mdev_close(f.h, f.M), 0);
	assert_int_equal(apv_vfio_queue_irq(f.h, Q54, &isc, &nib), 0);
	assert_int_equal(isc, -1);
	fx_fini(&f);
}

static void test_aqic_kvm_checks(void **state)
{
	struct fx f;
	struct apv_kvm *g;
	struct apv_cpu_regs r;

	(void)state;
	fx_init(&f, APV_KERNEL_6_12, APV_CPU_DEFAULT);
	/* no hook (no vfio-ap device): RC 01, CC 3 */
	g = mkguest(f.h, "nohook", APV_CPU_DEFAULT, NULL);
	assert_cc(aqic(g, Q54, true, 3, NIB_ADDR, &r), 3);
	assert_int_equal(r.gr[1], QS(1, 0));
	apv_kvm_free(g);
	/* without facility 65 */
	g = mkguest(f.h, "noapqi", APV_CPU_DEFAULT & ~APV_CPU_APQI, NULL);
	assert_pgm(aqic(g, Q54, true, 3, NIB_ADDR, &r), APV_PGM_SPECIFICATION);
	apv_kvm_free(g);
	/* T bit: fine with APFT, a specification exception without */
	r = regs_fc(APV_PQAP_AQIC, Q54);
	r.gr[0] |= APV_GR0_T;
	r.gr[1] = APV_AQIC_IR | 3;
	r.gr[2] = NIB_ADDR;
	assert_cc(pqap(f.g, &r), 0);
	g = mkguest(f.h, "noapft", APV_CPU_DEFAULT & ~APV_CPU_APFT, NULL);
	r = regs_fc(APV_PQAP_AQIC, Q54);
	r.gr[0] |= APV_GR0_T;
	assert_pgm(pqap(g, &r), APV_PGM_SPECIFICATION);
	apv_kvm_free(g);
	fx_fini(&f);
}

static void test_aqic_61_cc(void **state)
{
	struct fx f;
	struct apv_cpu_regs r;
	struct apv_insn_result res;

	(void)state;
	fx_init(&f, APV_KERNEL_6_1, APV_CPU_DEFAULT);
	/* 6.1 leaves the CC alone on success */
	r = regs_fc(APV_PQAP_AQIC, Q54);
	r.gr[1] = APV_AQIC_IR | 3;
	r.gr[2] = NIB_ADDR;
	r.cc = 2;
	res = pqap(f.g, &r);
	assert_cc(res, 2);
	assert_int_equal(r.cc, 2);
	assert_int_equal(r.gr[1], QS(0, QS_E | QS_I));
	/* ... and sets 3 on a nonzero RC */
	r.gr[1] = APV_AQIC_IR | 3;
	r.cc = 2;
	res = pqap(f.g, &r);
	assert_cc(res, 3);
	assert_int_equal(r.gr[1], QS(7, QS_E | QS_I));
	fx_fini(&f);
}

/* ---- QACT ----------------------------------------------------------------- */

static void test_qact(void **state)
{
	struct fx f;
	struct apv_cpu_regs r;
	struct kit kt;
	struct apv_host *h;
	struct apv_kvm *g;
	uint8_t M[16];

	(void)state;
	fx_init(&f, APV_KERNEL_6_12, APV_CPU_DEFAULT);
	/* the QCI C bit is on: the compatible type comes back in GR2 */
	r = regs_fc(APV_PQAP_QACT, APV_APQN(6, 4));
	r.gr[0] |= APV_GR0_F; /* IF */
	r.gr[1] = (UINT64_C(1) << 58) | (UINT64_C(0x20) << 24) | 0x0102;
	assert_cc(pqap(f.g, &r), 0);
	assert_int_equal(r.gr[1], QS(0, QS_E));
	assert_int_equal(r.gr[2], (UINT64_C(1) << 58) |
					  ((uint64_t)APV_TYPE_CEX8 << 24) |
					  0x0102);
	/* outside the CRYCB */
	r = regs_fc(APV_PQAP_QACT, APV_APQN(6, 5));
	assert_cc(pqap(f.g, &r), 3);
	assert_int_equal(r.gr[1], QS(1, 0));
	/* reserved bits */
	r = regs_fc(APV_PQAP_QACT, APV_APQN(6, 4));
	r.gr[0] |= APV_GR0_T;
	assert_pgm(pqap(f.g, &r), APV_PGM_SPECIFICATION);
	fx_fini(&f);
	/* without the C bit QACT is not installed */
	kit_init(&kt, APV_KERNEL_6_12);
	kt.cfg.qact = false;
	kit_adapter(&kt, 5, APV_TYPE_CEX7, APV_MODE_ACCEL);
	kt.cfg.domains = BM(4);
	h = kit_boot(&kt);
	assert_int_equal(kit_store(h, true, "-5"), 0);
	kit_uuid(M, 1);
	kit_mdev(h, M, BM(5), BM(4), BM0());
	g = mkguest(h, "noqact", APV_CPU_DEFAULT, M);
	r = regs_fc(APV_PQAP_QACT, Q54);
	assert_pgm(pqap(g, &r), APV_PGM_SPECIFICATION);
	r = regs_fc(APV_PQAP_QCI, 0);
	r.gr[2] = QCI_ADDR;
	assert_cc(pqap(g, &r), 0);
	apv_kvm_free(g);
	apv_host_free(h);
}

/* A VFIO device reset (machine reset of the guest) empties the queues;
 * so does an adapter going off: work is lost, visibly (RC 10 with E). */
static void test_resets_discard(void **state)
{
	struct fx f;
	struct apv_cpu_regs r;

	(void)state;
	fx_init(&f, APV_KERNEL_6_12, APV_CPU_DEFAULT);
	put_meb1(f.g, 0x50);
	assert_cc(nqap(f.g, Q54, 1, 400, &r), 0);
	assert_int_equal(apv_mdev_reset(f.h, f.M), 0);
	assert_cc(dqap(f.g, Q54, BUF_ADDR, 4096, &r), 3);
	assert_int_equal(r.gr[1], QS(0x10, QS_E));
	assert_cc(nqap(f.g, Q54, 2, 400, &r), 0);
	assert_int_equal(apv_hw_adapter_configure(f.h, 5, false, APV_EV_NOSCAN),
			 0);
	assert_int_equal(apv_hw_adapter_configure(f.h, 5, true, APV_EV_NOSCAN),
			 0);
	assert_cc(dqap(f.g, Q54, BUF_ADDR, 4096, &r), 3);
	assert_int_equal(r.gr[1], QS(0x10, QS_E));
	assert_cc(nqap(f.g, Q54, 3, 400, &r), 0);
	assert_int_equal(apv_hw_adapter_checkstop(f.h, 5, true, APV_EV_NOSCAN),
			 0);
	assert_int_equal(apv_hw_adapter_checkstop(f.h, 5, false, APV_EV_NOSCAN),
			 0);
	assert_cc(dqap(f.g, Q54, BUF_ADDR, 4096, &r), 3);
	assert_int_equal(r.gr[1], QS(0x10, QS_E));
	/* the host's own scan after configure off: the guest keeps the
	 * APQN (03) or loses it (01), never an old reply */
	assert_cc(nqap(f.g, Q54, 4, 400, &r), 0);
	assert_int_equal(apv_hw_adapter_configure(f.h, 5, false, 0), 0);
	assert_int_equal(apv_hw_adapter_configure(f.h, 5, true, 0), 0);
	assert_cc(dqap(f.g, Q54, BUF_ADDR, 4096, &r), 3);
	assert_true(r.gr[1] == QS(0x10, QS_E) || r.gr[1] == QS(1, 0));
	fx_fini(&f);
}

/* ---- NQAP / DQAP --------------------------------------------------------- */

static void test_nqap_dqap_spec(void **state)
{
	struct fx f;
	struct apv_cpu_regs r;
	struct apv_insn_result res;
	static const unsigned int nq_bits[] = {32, 34, 35, 40};
	static const unsigned int dq_bits[] = {33, 34, 35, 40, 41};

	(void)state;
	fx_init(&f, APV_KERNEL_6_12, APV_CPU_DEFAULT);
	put_meb1(f.g, 0x50);
	/* odd R1 or R2 */
	for (unsigned int r1 = 0; r1 < 16; r1++) {
		for (unsigned int r2 = 0; r2 < 16; r2 += 3) {
			if (!(r1 & 1) && !(r2 & 1))
				continue;
			memset(&r, 0, sizeof(r));
			r.gr[0] = Q54;
			r.gr[r2] = MSG_ADDR;
			if (r2 < 15)
				r.gr[r2 + 1] = 400;
			assert_int_equal(apv_insn_nqap(f.g, &r, r1, r2, &res),
					 0);
			assert_pgm(res, APV_PGM_SPECIFICATION);
			assert_int_equal(apv_insn_dqap(f.g, &r, r1, r2, &res),
					 0);
			assert_pgm(res, APV_PGM_SPECIFICATION);
		}
	}
	/* must-be-zero GR0 bits */
	for (size_t i = 0; i < sizeof(nq_bits) / sizeof(nq_bits[0]); i++) {
		memset(&r, 0, sizeof(r));
		r.gr[0] = Q54 | (UINT64_C(1) << (63 - nq_bits[i]));
		r.gr[6] = MSG_ADDR;
		r.gr[7] = 400;
		assert_int_equal(apv_insn_nqap(f.g, &r, 4, 6, &res), 0);
		assert_pgm(res, APV_PGM_SPECIFICATION);
	}
	for (size_t i = 0; i < sizeof(dq_bits) / sizeof(dq_bits[0]); i++) {
		memset(&r, 0, sizeof(r));
		r.gr[0] = Q54 | (UINT64_C(1) << (63 - dq_bits[i]));
		r.gr[10] = BUF_ADDR;
		r.gr[11] = 4096;
		assert_int_equal(apv_insn_dqap(f.g, &r, 8, 10, &res), 0);
		assert_pgm(res, APV_PGM_SPECIFICATION);
	}
	/* lengths: 0 and above ML x 4 KiB (ML = 0: 12 KiB) */
	assert_pgm(nqap(f.g, Q54, 1, 0, &r), APV_PGM_SPECIFICATION);
	assert_pgm(nqap(f.g, Q54, 1, 12289, &r), APV_PGM_SPECIFICATION);
	assert_pgm(dqap(f.g, Q54, BUF_ADDR, 0, &r), APV_PGM_SPECIFICATION);
	assert_pgm(dqap(f.g, Q54, BUF_ADDR, 12289, &r), APV_PGM_SPECIFICATION);
	/* 12 KiB is accepted (the reply is an error: wrong length) */
	assert_cc(nqap(f.g, Q54, 1, 12288, &r), 0);
	assert_cc(dqap(f.g, Q54, BUF_ADDR, 12288, &r), 0);
	/* message outside guest memory */
	memset(&r, 0, sizeof(r));
	r.gr[0] = Q54;
	r.gr[6] = MEM_SIZE - 100;
	r.gr[7] = 400;
	assert_int_equal(apv_insn_nqap(f.g, &r, 4, 6, &res), 0);
	assert_pgm(res, APV_PGM_ADDRESSING);
	/* APQN outside the CRYCB: 01 */
	assert_cc(nqap(f.g, APV_APQN(5, 5), 1, 400, &r), 3);
	assert_int_equal(r.gr[1], QS(1, 0));
	assert_int_equal(r.gr[7], 400);
	assert_cc(dqap(f.g, APV_APQN(7, 4), BUF_ADDR, 4096, &r), 3);
	assert_int_equal(r.gr[1], QS(1, 0));
	fx_fini(&f);
}

static void test_reply_and_psmid(void **state)
{
	struct fx f;
	struct apv_cpu_regs r;
	struct apv_insn_result res;
	uint8_t buf[16];
	static const uint8_t mf[8] = {0, 0x82, 0, 0, 0x10, 0, 0, 0};
	static const uint8_t even[8] = {0, 0x82, 0, 0, 0x85, 0, 0, 0};

	(void)state;
	fx_init(&f, APV_KERNEL_6_12, APV_CPU_DEFAULT);
	/* DQAP on an empty queue: 10 with E */
	assert_cc(dqap(f.g, Q54, BUF_ADDR, 4096, &r), 3);
	assert_int_equal(r.gr[1], QS(0x10, QS_E));
	/* a type 50 MEB1 request with an all-zero modulus: the accelerator
	 * engine (engine_cex.c) says "even modulus" */
	put_meb1(f.g, 0x50);
	res = nqap(f.g, Q54, UINT64_C(0x1234567890abcdef), 400, &r);
	assert_cc(res, 0);
	assert_int_equal(r.gr[1], QS(0, QS_R));
	assert_int_equal(r.gr[6], MSG_ADDR + 400);
	assert_int_equal(r.gr[7], 0);
	assert_int_equal(res.changed, (1u << 1) | (1u << 6) | (1u << 7));
	res = dqap(f.g, Q54, BUF_ADDR, 4096, &r);
	assert_cc(res, 0);
	assert_int_equal(r.gr[8], 0x12345678);
	assert_int_equal(r.gr[9], 0x90abcdef);
	assert_int_equal(r.gr[10], BUF_ADDR + 8);
	assert_int_equal(r.gr[11], 4096 - 8); /* the reply length */
	assert_int_equal(r.gr[2], 0);
	assert_int_equal(r.gr[1], QS(0, QS_E));
	assert_int_equal(apv_kvm_mem_read(f.g, BUF_ADDR, buf, 8), 0);
	assert_memory_equal(buf, even, 8);
	/* a wrong message type: 0x20 */
	put_meb1(f.g, 0x06);
	assert_cc(nqap(f.g, Q54, 2, 400, &r), 0);
	assert_cc(dqap(f.g, Q54, BUF_ADDR, 4096, &r), 0);
	assert_int_equal(r.gr[9], 2);
	assert_int_equal(apv_kvm_mem_read(f.g, BUF_ADDR, buf, 8), 0);
	assert_int_equal(buf[1], 0x82);
	assert_int_equal(buf[4], 0x20);
	/* msg_len differs from the NQAP length: 0x23 */
	put_meb1(f.g, 0x50);
	assert_cc(nqap(f.g, Q54, 3, 401, &r), 0);
	assert_cc(dqap(f.g, Q54, BUF_ADDR, 4096, &r), 0);
	assert_int_equal(apv_kvm_mem_read(f.g, BUF_ADDR, buf, 8), 0);
	assert_int_equal(buf[4], 0x23);
	/* a CCA card answers its type 6 request with the error too */
	put_meb1(f.g, 0x06);
	assert_cc(nqap(f.g, APV_APQN(6, 4), 4, 400, &r), 0);
	assert_cc(dqap(f.g, APV_APQN(6, 4), BUF_ADDR, 4096, &r), 0);
	assert_int_equal(apv_kvm_mem_read(f.g, BUF_ADDR, buf, 8), 0);
	assert_memory_equal(buf, mf, 8);
	/* the special-command bit needs APSC (accelerators lack it) */
	memset(&r, 0, sizeof(r));
	r.gr[0] = Q54 | APV_GR0_NQAP_SPECIAL;
	r.gr[6] = MSG_ADDR;
	r.gr[7] = 400;
	assert_int_equal(apv_insn_nqap(f.g, &r, 4, 6, &res), 0);
	assert_cc(res, 3);
	assert_int_equal(r.gr[1], QS(0x16, QS_E));
	fx_fini(&f);
}

static void test_queue_full(void **state)
{
	struct fx f;
	struct apv_cpu_regs r;

	(void)state;
	fx_init(&f, APV_KERNEL_6_12, APV_CPU_DEFAULT);
	put_meb1(f.g, 0x50);
	/* qd = 7: eight entries */
	for (uint64_t i = 0; i < 8; i++)
		assert_cc(nqap(f.g, Q54, 100 + i, 400, &r), 0);
	assert_int_equal(r.gr[1], QS(0, QS_R | QS_F));
	assert_cc(nqap(f.g, Q54, 200, 400, &r), 3);
	assert_int_equal(r.gr[1], QS(0x10, QS_R | QS_F));
	assert_int_equal(r.gr[7], 400);
	assert_cc(tapq(f.g, Q54, true, &r), 0);
	assert_int_equal(r.gr[1], QS(0, QS_R | QS_F));
	/* replies in order, each frees an entry */
	assert_cc(dqap(f.g, Q54, BUF_ADDR, 4096, &r), 0);
	assert_int_equal(r.gr[9], 100);
	assert_int_equal(r.gr[1], QS(0, QS_R));
	assert_cc(nqap(f.g, Q54, 300, 400, &r), 0);
	for (uint64_t i = 1; i < 8; i++) {
		assert_cc(dqap(f.g, Q54, BUF_ADDR, 4096, &r), 0);
		assert_int_equal(r.gr[9], 100 + i);
	}
	assert_cc(dqap(f.g, Q54, BUF_ADDR, 4096, &r), 0);
	assert_int_equal(r.gr[9], 300);
	assert_int_equal(r.gr[1], QS(0, QS_E));
	fx_fini(&f);
}

static void test_partial_dqap(void **state)
{
	struct fx f;
	struct apv_cpu_regs r;
	struct apv_insn_result res;
	uint8_t buf[8];
	static const uint8_t even[8] = {0, 0x82, 0, 0, 0x85, 0, 0, 0};

	(void)state;
	fx_init(&f, APV_KERNEL_6_12, APV_CPU_DEFAULT);
	put_meb1(f.g, 0x50);
	assert_cc(nqap(f.g, Q54, 0xabcdef, 400, &r), 0);
	/* 3 bytes: CC 1, 5 left, GR1 untouched */
	res = dqap(f.g, Q54, BUF_ADDR, 3, &r);
	assert_cc(res, 1);
	assert_int_equal(r.gr[2], 5);
	assert_int_equal(r.gr[10], BUF_ADDR + 3);
	assert_int_equal(r.gr[11], 0);
	assert_int_equal(r.gr[1], 0xdeadbeef);
	assert_int_equal(res.changed & (1u << 1), 0);
	assert_int_equal(r.gr[9], 0xabcdef);
	/* the same GR0 continues it */
	res = dqap(f.g, Q54, BUF_ADDR + 3, 3, &r);
	assert_cc(res, 1);
	assert_int_equal(r.gr[2], 2);
	res = dqap(f.g, Q54, BUF_ADDR + 6, 100, &r);
	assert_cc(res, 0);
	assert_int_equal(r.gr[2], 0);
	assert_int_equal(r.gr[11], 98);
	assert_int_equal(r.gr[1], QS(0, QS_E));
	assert_int_equal(apv_kvm_mem_read(f.g, BUF_ADDR, buf, 8), 0);
	assert_memory_equal(buf, even, 8);
	assert_cc(dqap(f.g, Q54, BUF_ADDR, 100, &r), 3);
	assert_int_equal(r.gr[1], QS(0x10, QS_E));
	fx_fini(&f);
}

/* An engine for the seam: echoes the request reversed. */
static int echo_engine(void *opaque, const struct apv_engine_request *req,
		       uint8_t *reply, size_t reply_max, size_t *reply_len)
{
	unsigned int *calls = opaque;

	(*calls)++;
	if (req->len > reply_max)
		return -ENOSPC;
	for (size_t i = 0; i < req->len; i++)
		reply[i] = req->msg[req->len - 1 - i];
	*reply_len = req->len;
	return req->psmid == 666 ? -EIO : 0;
}

static void test_engine_seam(void **state)
{
	struct fx f;
	struct apv_cpu_regs r;
	unsigned int calls = 0;
	struct apv_engine_ops ops = {.process = echo_engine, .opaque = &calls};
	uint8_t buf[400];

	(void)state;
	fx_init(&f, APV_KERNEL_6_12, APV_CPU_DEFAULT);
	apv_host_set_engine(f.h, &ops);
	put_meb1(f.g, 0x50);
	assert_cc(nqap(f.g, Q54, 1, 400, &r), 0);
	assert_int_equal(calls, 1);
	assert_cc(dqap(f.g, Q54, BUF_ADDR, 4096, &r), 0);
	assert_int_equal(r.gr[11], 4096 - 400);
	assert_int_equal(apv_kvm_mem_read(f.g, BUF_ADDR, buf, 400), 0);
	assert_int_equal(buf[399], 0);
	assert_int_equal(buf[398], 0x50);
	/* an engine failure becomes the machine-failure error reply */
	assert_cc(nqap(f.g, Q54, 666, 400, &r), 0);
	assert_cc(dqap(f.g, Q54, BUF_ADDR, 4096, &r), 0);
	assert_int_equal(r.gr[11], 4096 - 8);
	apv_host_set_engine(f.h, NULL);
	assert_cc(nqap(f.g, Q54, 2, 400, &r), 0);
	assert_int_equal(calls, 2);
	fx_fini(&f);
}

/* ---- guest memory ----------------------------------------------------- */

static void test_memslots(void **state)
{
	struct fx f;
	struct apv_kvm *g;
	uint8_t b = 0x5a, c = 0;

	(void)state;
	fx_init(&f, APV_KERNEL_6_12, APV_CPU_DEFAULT);
	assert_int_equal(apv_kvm_new(f.h, "mem", APV_CPU_DEFAULT, &g), 0);
	assert_false(apv_kvm_mem_valid(g, 0, 1));
	assert_int_equal(apv_kvm_add_memslot(g, 0, 0), -EINVAL);
	assert_int_equal(apv_kvm_add_memslot(g, 100, 4096), -EINVAL);
	assert_int_equal(apv_kvm_add_memslot(g, 0x10000, 0x10000), 0);
	assert_int_equal(apv_kvm_add_memslot(g, 0x18000, 0x10000), -EEXIST);
	assert_int_equal(apv_kvm_add_memslot(g, 0x20000, 0x1000), 0);
	assert_int_equal(apv_kvm_add_memslot(g, 0x100000, APV_GUEST_MEM_MAX),
			 -ENOSPC);
	/* contiguous slots form one range */
	assert_true(apv_kvm_mem_valid(g, 0x1f000, 0x2000));
	assert_false(apv_kvm_mem_valid(g, 0x1f000, 0x2001));
	assert_false(apv_kvm_mem_valid(g, UINT64_MAX, 2));
	assert_int_equal(apv_kvm_mem_write(g, 0x20fff, &b, 1), 0);
	assert_int_equal(apv_kvm_mem_read(g, 0x20fff, &c, 1), 0);
	assert_int_equal(c, 0x5a);
	assert_int_equal(apv_kvm_mem_read(g, 0x21000, &c, 1), -EFAULT);
	apv_kvm_free(g);
	fx_fini(&f);
}

/* ---- concurrency: a vCPU thread against vfio_ap resets ---------------- */

struct vcpu_run {
	struct apv_kvm *g;
	unsigned int iters;
	unsigned int bad; /* replies that were not this vCPU's */
	unsigned int replies;
};

static void *vcpu_thread(void *arg)
{
	struct vcpu_run *v = arg;

	for (unsigned int i = 1; i <= v->iters; i++) {
		struct apv_cpu_regs r;
		struct apv_insn_result res;
		uint64_t psmid;

		memset(&r, 0, sizeof(r));
		r.gr[0] = APV_GR0_NQAP_L | Q54;
		r.gr[5] = i;
		r.gr[6] = MSG_ADDR;
		r.gr[7] = 400;
		if (apv_insn_nqap(v->g, &r, 4, 6, &res) ||
		    res.pgm != APV_PGM_NONE)
			v->bad++;
		memset(&r, 0, sizeof(r));
		r.gr[0] = APV_GR0_DQAP | Q54;
		r.gr[10] = BUF_ADDR;
		r.gr[11] = 4096;
		if (apv_insn_dqap(v->g, &r, 8, 10, &res) ||
		    res.pgm != APV_PGM_NONE) {
			v->bad++;
			continue;
		}
		if (res.cc != 0)
			continue;
		psmid = (r.gr[8] << 32) | r.gr[9];
		v->replies++;
		if (psmid == 0 || psmid > i || r.gr[11] != 4096 - 8)
			v->bad++;
	}
	return NULL;
}

static void test_vcpu_against_resets(void **state)
{
	struct fx f;
	struct vcpu_run v;
	pthread_t t;

	(void)state;
	fx_init(&f, APV_KERNEL_6_12, APV_CPU_DEFAULT);
	put_meb1(f.g, 0x50);
	v = (struct vcpu_run){.g = f.g, .iters = 20000};
	assert_int_equal(pthread_create(&t, NULL, vcpu_thread, &v), 0);
	for (int i = 0; i < 200; i++) {
		assert_int_equal(apv_mdev_reset(f.h, f.M), 0);
		assert_int_equal(apv_mdev_close(f.h, f.M), 0);
		assert_int_equal(apv_mdev_open(f.h, f.M), 0);
		assert_int_equal(apv_mdev_unassign_domain(f.h, f.M, 4), 0);
		assert_int_equal(apv_mdev_assign_domain(f.h, f.M, 4), 0);
	}
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(v.bad, 0);
	/*
	 * How many rounds got a reply during the storm depends on the
	 * scheduler.  Once it is over the queue must work and hold nothing
	 * from before: one more round gets exactly its own reply.
	 */
	{
		struct vcpu_run after = {.g = f.g, .iters = 1};

		vcpu_thread(&after);
		assert_int_equal(after.bad, 0);
		assert_int_equal(after.replies, 1);
	}
	assert_int_equal(apv_vfio_check_indices(f.h), 0);
	fx_fini(&f);
}

/* ---- the leak guarantee ------------------------------------------------ */

enum move {
	MOVE_ASSIGN,
	MOVE_BIND,
	MOVE_OPEN
};

static void leak_case(enum apv_kernel k, enum move how)
{
	struct apv_host *h = mkhost(k, true);
	struct apv_kvm *a, *b;
	struct apv_cpu_regs r;
	uint8_t MA[16], MB[16];
	uint64_t z0;

	kit_uuid(MA, 1);
	kit_uuid(MB, 2);
	kit_mdev(h, MA, BM(5), BM(4), BM0());
	a = mkguest(h, "A", APV_CPU_DEFAULT, MA);
	b = mkguest(h, "B", APV_CPU_DEFAULT, NULL);
	/* A leaves a reply and, with a stalled engine, nothing else */
	put_meb1(a, 0x50);
	assert_cc(nqap(a, Q54, 0xA, 400, &r), 0);
	assert_cc(nqap(a, Q54, 0xAA, 400, &r), 0);
	assert_int_equal(r.gr[1], QS(0, QS_R));
	z0 = apv_hw_queue_zeroized(h, Q54);
	switch (how) {
	case MOVE_ASSIGN:
		/* unassign from A, assign to B */
		assert_int_equal(apv_mdev_unassign_adapter(h, MA, 5), 0);
		kit_mdev(h, MB, BM(5), BM(4), BM0());
		assert_int_equal(apv_mdev_set_kvm(h, MB, b), 0);
		assert_int_equal(apv_mdev_open(h, MB), 0);
		break;
	case MOVE_BIND:
		/* unbind from vfio_ap, move while unbound, bind again */
		assert_int_equal(apv_bus_unbind(h, "vfio_ap", "05.0004"), 0);
		assert_true(apv_hw_queue_zeroized(h, Q54) > z0);
		assert_int_equal(apv_mdev_unassign_adapter(h, MA, 5), 0);
		kit_mdev(h, MB, BM(5), BM(4), BM0());
		assert_int_equal(apv_mdev_set_kvm(h, MB, b), 0);
		assert_int_equal(apv_mdev_open(h, MB), 0);
		assert_int_equal(apv_bus_bind(h, "vfio_ap", "05.0004"), 0);
		break;
	case MOVE_OPEN:
		/* A's QEMU closes the device, B opens it */
		assert_int_equal(apv_mdev_close(h, MA), 0);
		assert_int_equal(apv_mdev_set_kvm(h, MA, b), 0);
		assert_int_equal(apv_mdev_open(h, MA), 0);
		break;
	}
	assert_true(apv_hw_queue_zeroized(h, Q54) > z0);
	/* B sees the queue, and nothing of A's in it */
	assert_cc(tapq(b, Q54, true, &r), 0);
	assert_int_equal(r.gr[1], QS(0, QS_E));
	assert_cc(dqap(b, Q54, BUF_ADDR, 4096, &r), 3);
	assert_int_equal(r.gr[1], QS(0x10, QS_E));
	assert_int_equal(r.gr[8], 0);
	assert_int_equal(r.gr[9], 0);
	/* A cannot reach it either */
	assert_cc(dqap(a, Q54, BUF_ADDR, 4096, &r), 3);
	assert_int_equal(apv_vfio_check_indices(h), 0);
	apv_kvm_free(a);
	apv_kvm_free(b);
	apv_host_free(h);
}

static void test_leak_unassign_assign(void **state)
{
	(void)state;
	leak_case(APV_KERNEL_6_12, MOVE_ASSIGN);
	leak_case(APV_KERNEL_6_1, MOVE_ASSIGN);
}

static void test_leak_unbind_bind(void **state)
{
	(void)state;
	leak_case(APV_KERNEL_6_12, MOVE_BIND);
	leak_case(APV_KERNEL_6_1, MOVE_BIND);
}

static void test_leak_close_open(void **state)
{
	(void)state;
	leak_case(APV_KERNEL_6_12, MOVE_OPEN);
	leak_case(APV_KERNEL_6_1, MOVE_OPEN);
}

/* Freeing a guest with replies pending and interrupts on leaks nothing
 * (ASan) and leaves no NIB pointing into its memory. */
static void test_guest_free_with_work(void **state)
{
	struct fx f;
	struct apv_cpu_regs r;

	(void)state;
	fx_init(&f, APV_KERNEL_6_12, APV_CPU_DEFAULT);
	put_meb1(f.g, 0x50);
	assert_cc(aqic(f.g, Q54, true, 3, NIB_ADDR, &r), 0);
	assert_cc(nqap(f.g, Q54, 1, 400, &r), 0);
	apv_kvm_free(f.g);
	f.g = NULL;
	assert_int_equal(apv_hw_adapter_configure(f.h, 5, false, APV_EV_NOSCAN),
			 0);
	assert_int_equal(apv_hw_adapter_configure(f.h, 5, true, APV_EV_NOSCAN),
			 0);
	fx_fini(&f);
}

/* ---- reset in progress (RC 02) ------------------------------------------ */

#define HOUR_NS (UINT64_C(3600) * 1000000000u)

/* A guest's RAPQ/ZAPQ lasts the reset delay; the host's resets do not. */
static void test_reset_in_progress(void **state)
{
	struct fx f;
	struct apv_cpu_regs r;
	const apv_apqn q547 = APV_APQN(5, 0x47);

	(void)state;
	fx_init(&f, APV_KERNEL_6_12, APV_CPU_DEFAULT);
	put_meb1(f.g, 0x50);
	apv_host_set_reset_delay(f.h, HOUR_NS);
	assert_cc(aqic(f.g, Q54, true, 3, NIB_ADDR, &r), 0);
	assert_cc(nqap(f.g, Q54, 1, 400, &r), 0);
	/* the host's own reset is instant, delay or not */
	assert_int_equal(apv_mdev_reset(f.h, f.M), 0);
	assert_cc(tapq(f.g, Q54, false, &r), 0);
	assert_int_equal(r.gr[1], QS(0, QS_E));
	for (unsigned int fc = APV_PQAP_RAPQ; fc <= APV_PQAP_ZAPQ; fc++) {
		assert_cc(aqic(f.g, Q54, true, 3, NIB_ADDR, &r), 0);
		assert_cc(nqap(f.g, Q54, 2, 400, &r), 0);
		r = regs_fc(fc, Q54);
		assert_cc(pqap(f.g, &r), 0);
		assert_int_equal(r.gr[1], QS(0, QS_E));
		/* TAPQ: RC 02, info valid (and nonzero), I off, empty */
		assert_cc(tapq(f.g, Q54, true, &r), 3);
		assert_int_equal(r.gr[1], QS(2, QS_E));
		assert_int_equal((r.gr[2] >> 24) & 0xff, APV_TYPE_CEX7);
		assert_true(r.gr[2] >> 32 != 0);
		/* NQAP, DQAP: RC 02, CC 3, nothing moved */
		assert_cc(nqap(f.g, Q54, 3, 400, &r), 3);
		assert_int_equal(r.gr[1], QS(2, QS_E));
		assert_int_equal(r.gr[6], MSG_ADDR);
		assert_int_equal(r.gr[7], 400);
		assert_cc(dqap(f.g, Q54, BUF_ADDR, 4096, &r), 3);
		assert_int_equal(r.gr[1], QS(2, QS_E));
		assert_int_equal(r.gr[11], 4096);
		/* another queue of the guest is not affected */
		assert_cc(tapq(f.g, q547, false, &r), 0);
		assert_cc(nqap(f.g, q547, 4, 400, &r), 0);
		assert_cc(dqap(f.g, q547, BUF_ADDR, 4096, &r), 0);
		/* a reset by the host ends it: VFIO reset, or the shorter
		 * delay does not, the reset does */
		apv_host_set_reset_delay(f.h, 0);
		assert_cc(tapq(f.g, Q54, false, &r), 3);
		assert_int_equal(apv_mdev_reset(f.h, f.M), 0);
		assert_cc(tapq(f.g, Q54, false, &r), 0);
		assert_int_equal(r.gr[1], QS(0, QS_E));
		assert_cc(nqap(f.g, Q54, 5, 400, &r), 0);
		assert_cc(dqap(f.g, Q54, BUF_ADDR, 4096, &r), 0);
		assert_int_equal(r.gr[9], 5);
		apv_host_set_reset_delay(f.h, HOUR_NS);
	}
	/* an adapter event ends it too */
	r = regs_fc(APV_PQAP_ZAPQ, Q54);
	assert_cc(pqap(f.g, &r), 0);
	assert_cc(nqap(f.g, Q54, 6, 400, &r), 3);
	assert_int_equal(apv_hw_adapter_configure(f.h, 5, false, APV_EV_NOSCAN),
			 0);
	assert_int_equal(apv_hw_adapter_configure(f.h, 5, true, APV_EV_NOSCAN),
			 0);
	assert_cc(tapq(f.g, Q54, false, &r), 0);
	fx_fini(&f);
}

/* A short delay: RC 02 until the deadline passes, then normal (lazy). */
static void test_reset_delay_expires(void **state)
{
	struct fx f;
	struct apv_cpu_regs r;
	struct timespec ts = {.tv_sec = 0, .tv_nsec = 1000000};
	unsigned int polls = 0;

	(void)state;
	fx_init(&f, APV_KERNEL_6_12, APV_CPU_DEFAULT);
	put_meb1(f.g, 0x50);
	apv_host_set_reset_delay(f.h, 20000000); /* 20 ms */
	r = regs_fc(APV_PQAP_RAPQ, Q54);
	assert_cc(pqap(f.g, &r), 0);
	/* bounded generously: 20 s of 1 ms sleeps */
	while (polls++ < 20000) {
		tapq(f.g, Q54, false, &r);
		if (r.gr[1] != QS(2, QS_E))
			break;
		nanosleep(&ts, NULL);
	}
	assert_int_equal(r.gr[1], QS(0, QS_E));
	assert_cc(nqap(f.g, Q54, 1, 400, &r), 0);
	assert_cc(dqap(f.g, Q54, BUF_ADDR, 4096, &r), 0);
	fx_fini(&f);
}

/* ---- busy (RC 05) ----------------------------------------------------------- */

static void test_busy(void **state)
{
	struct fx f;
	struct apv_cpu_regs r;

	(void)state;
	fx_init(&f, APV_KERNEL_6_12, APV_CPU_DEFAULT);
	put_meb1(f.g, 0x50);
	assert_int_equal(apv_hw_queue_busy(f.h, APV_APQN(9, 4), 1), -ENODEV);
	assert_int_equal(apv_hw_queue_busy(f.h, APV_APQN(5, 6), 1), -ENODEV);
	assert_cc(nqap(f.g, Q54, 1, 400, &r), 0);
	assert_int_equal(apv_hw_queue_busy(f.h, Q54, 3), 0);
	/* TAPQ is not counted */
	assert_cc(tapq(f.g, Q54, false, &r), 0);
	assert_int_equal(r.gr[1], QS(0, QS_R));
	assert_cc(nqap(f.g, Q54, 2, 400, &r), 3);
	assert_int_equal(r.gr[1], QS(5, QS_R));
	assert_int_equal(r.gr[6], MSG_ADDR);
	assert_int_equal(r.gr[7], 400);
	assert_cc(dqap(f.g, Q54, BUF_ADDR, 4096, &r), 3);
	assert_int_equal(r.gr[1], QS(5, QS_R));
	assert_int_equal(r.gr[11], 4096);
	assert_cc(dqap(f.g, Q54, BUF_ADDR, 4096, &r), 3);
	/* used up: normal again, nothing was lost or added */
	assert_cc(dqap(f.g, Q54, BUF_ADDR, 4096, &r), 0);
	assert_int_equal(r.gr[9], 1);
	assert_int_equal(r.gr[1], QS(0, QS_E));
	assert_cc(nqap(f.g, Q54, 2, 400, &r), 0);
	/* count 0 ends it */
	assert_int_equal(apv_hw_queue_busy(f.h, Q54, 100), 0);
	assert_int_equal(apv_hw_queue_busy(f.h, Q54, 0), 0);
	assert_cc(dqap(f.g, Q54, BUF_ADDR, 4096, &r), 0);
	assert_int_equal(r.gr[9], 2);
	fx_fini(&f);
}

/* ---- multi-part NQAP --------------------------------------------------- */

/* An engine answering with the request's bytes as they are. */
static int copy_engine(void *opaque, const struct apv_engine_request *req,
		       uint8_t *reply, size_t reply_max, size_t *reply_len)
{
	(void)opaque;
	if (req->len > reply_max)
		return -ENOSPC;
	memcpy(reply, req->msg, req->len);
	*reply_len = req->len;
	return 0;
}

static const struct apv_engine_ops copy_ops = {.process = copy_engine};

/* NQAP of len bytes at addr with the L bit as given. */
static struct apv_insn_result nqap_at(struct apv_kvm *g, apv_apqn q,
				      uint64_t psmid, uint64_t addr,
				      uint64_t len, bool last,
				      struct apv_cpu_regs *r)
{
	struct apv_insn_result res;

	memset(r, 0, sizeof(*r));
	r->gr[0] = (last ? APV_GR0_NQAP_L : 0) | q;
	r->gr[1] = 0xdeadbeef;
	r->gr[4] = psmid >> 32;
	r->gr[5] = psmid & 0xffffffffu;
	r->gr[6] = addr;
	r->gr[7] = len;
	assert_int_equal(apv_insn_nqap(g, r, 4, 6, &res), 0);
	return res;
}

/* Fill guest memory at addr with len bytes of a pattern from seed. */
static void put_pattern(struct apv_kvm *g, uint64_t addr, size_t len,
			unsigned int seed)
{
	static uint8_t b[16384];

	for (size_t i = 0; i < len; i++)
		b[i] = (uint8_t)(seed + i * 7);
	assert_int_equal(apv_kvm_mem_write(g, addr, b, len), 0);
}

static void assert_mem_equal(struct apv_kvm *g, uint64_t a, uint64_t b,
			     size_t len)
{
	static uint8_t x[16384], y[16384];

	assert_int_equal(apv_kvm_mem_read(g, a, x, len), 0);
	assert_int_equal(apv_kvm_mem_read(g, b, y, len), 0);
	assert_memory_equal(x, y, len);
}

static void test_multipart_nqap(void **state)
{
	struct fx f;
	struct apv_cpu_regs r;

	(void)state;
	fx_init(&f, APV_KERNEL_6_12, APV_CPU_DEFAULT);
	apv_host_set_engine(f.h, &copy_ops);
	put_pattern(f.g, MSG_ADDR, 900, 1);
	/* three parts of one message: CC 0 each, R2 advanced, R2+1 = 0 */
	assert_cc(nqap_at(f.g, Q54, 7, MSG_ADDR, 300, false, &r), 0);
	assert_int_equal(r.gr[6], MSG_ADDR + 300);
	assert_int_equal(r.gr[7], 0);
	/* a message in progress occupies an entry: E clear, no reply */
	assert_int_equal(r.gr[1], QS(0, 0));
	assert_cc(dqap(f.g, Q54, BUF_ADDR, 4096, &r), 3);
	assert_int_equal(r.gr[1], QS(0x10, 0));
	assert_cc(nqap_at(f.g, Q54, 7, MSG_ADDR + 300, 300, false, &r), 0);
	/* RC 13: a part of another PSMID; nothing changes */
	assert_cc(nqap_at(f.g, Q54, 8, MSG_ADDR, 100, true, &r), 3);
	assert_int_equal(r.gr[1], QS(0x13, 0));
	assert_int_equal(r.gr[6], MSG_ADDR);
	assert_int_equal(r.gr[7], 100);
	assert_cc(nqap_at(f.g, Q54, 8, MSG_ADDR, 100, false, &r), 3);
	assert_int_equal(r.gr[1], QS(0x13, 0));
	/* the last part: the whole message is enqueued */
	assert_cc(nqap_at(f.g, Q54, 7, MSG_ADDR + 600, 300, true, &r), 0);
	assert_int_equal(r.gr[1], QS(0, QS_R));
	assert_cc(dqap(f.g, Q54, BUF_ADDR, 4096, &r), 0);
	assert_int_equal(r.gr[9], 7);
	assert_int_equal(r.gr[11], 4096 - 900);
	assert_mem_equal(f.g, BUF_ADDR, MSG_ADDR, 900);
	/* RC 15: the parts exceed 12 KiB; the partial message is dropped */
	put_pattern(f.g, MSG_ADDR, 8192, 2);
	assert_cc(nqap_at(f.g, Q54, 9, MSG_ADDR, 8192, false, &r), 0);
	assert_cc(nqap_at(f.g, Q54, 9, MSG_ADDR, 4096, false, &r), 0);
	assert_cc(nqap_at(f.g, Q54, 9, MSG_ADDR, 1, true, &r), 3);
	assert_int_equal(r.gr[1], QS(0x15, QS_E));
	assert_int_equal(r.gr[7], 1);
	/* exactly the maximum is fine; no RC 13 for a new PSMID now */
	assert_cc(nqap_at(f.g, Q54, 10, MSG_ADDR, 8192, false, &r), 0);
	assert_cc(nqap_at(f.g, Q54, 10, MSG_ADDR, 4096, true, &r), 0);
	assert_cc(dqap(f.g, Q54, BUF_ADDR, 12288, &r), 0);
	assert_int_equal(r.gr[9], 10);
	assert_int_equal(r.gr[11], 0);
	/* a reset drops a partial message: then no RC 13 */
	for (unsigned int fc = APV_PQAP_RAPQ; fc <= APV_PQAP_ZAPQ; fc++) {
		assert_cc(nqap_at(f.g, Q54, 11, MSG_ADDR, 100, false, &r), 0);
		r = regs_fc(fc, Q54);
		assert_cc(pqap(f.g, &r), 0);
		assert_cc(tapq(f.g, Q54, false, &r), 0);
		assert_int_equal(r.gr[1], QS(0, QS_E));
		assert_cc(nqap_at(f.g, Q54, 12, MSG_ADDR, 100, true, &r), 0);
		assert_cc(dqap(f.g, Q54, BUF_ADDR, 4096, &r), 0);
		assert_int_equal(r.gr[9], 12);
		assert_int_equal(r.gr[11], 4096 - 100);
	}
	/* and so does the host's reset */
	assert_cc(nqap_at(f.g, Q54, 13, MSG_ADDR, 100, false, &r), 0);
	assert_int_equal(apv_mdev_reset(f.h, f.M), 0);
	assert_cc(nqap_at(f.g, Q54, 14, MSG_ADDR, 100, true, &r), 0);
	/* a partial message counts as an entry for F: 7 + 1 = full */
	for (uint64_t i = 0; i < 6; i++)
		assert_cc(nqap_at(f.g, Q54, 20 + i, MSG_ADDR, 10, true, &r),
			  0);
	assert_cc(nqap_at(f.g, Q54, 30, MSG_ADDR, 10, false, &r), 0);
	assert_int_equal(r.gr[1], QS(0, QS_R | QS_F));
	assert_cc(nqap_at(f.g, Q54, 30, MSG_ADDR, 10, true, &r), 0);
	assert_cc(nqap_at(f.g, Q54, 31, MSG_ADDR, 10, true, &r), 3);
	assert_int_equal(r.gr[1], QS(0x10, QS_R | QS_F));
	fx_fini(&f);
}

/* ---- CC 2: segments ------------------------------------------------------- */

static void test_segments(void **state)
{
	struct fx f;
	struct apv_cpu_regs r;
	struct apv_insn_result res;

	(void)state;
	fx_init(&f, APV_KERNEL_6_12, APV_CPU_DEFAULT);
	apv_host_set_engine(f.h, &copy_ops);
	apv_kvm_set_segment(f.g, 256);
	put_pattern(f.g, MSG_ADDR, 1024, 3);
	/* NQAP of 400 bytes from MSG_ADDR + 100: 156, 244 */
	res = nqap_at(f.g, Q54, 1, MSG_ADDR + 100, 400, true, &r);
	assert_cc(res, 2);
	assert_int_equal(r.gr[6], MSG_ADDR + 256);
	assert_int_equal(r.gr[7], 244);
	assert_int_equal(r.gr[1], 0xdeadbeef);
	assert_int_equal(res.changed & (1u << 1), 0);
	/* nothing enqueued yet */
	assert_cc(tapq(f.g, Q54, false, &r), 0);
	assert_int_equal(r.gr[1], QS(0, 0));
	r.gr[0] = APV_GR0_NQAP_L | Q54;
	r.gr[1] = 0xdeadbeef;
	r.gr[4] = 0;
	r.gr[5] = 1;
	r.gr[6] = MSG_ADDR + 256;
	r.gr[7] = 244;
	assert_int_equal(apv_insn_nqap(f.g, &r, 4, 6, &res), 0);
	assert_cc(res, 0);
	assert_int_equal(r.gr[6], MSG_ADDR + 500);
	assert_int_equal(r.gr[7], 0);
	assert_int_equal(r.gr[1], QS(0, QS_R));
	/* NQAP as Linux loops it (brc 2): 1000 bytes from 0 in 4 turns */
	res = nqap_at(f.g, Q54, 2, MSG_ADDR, 1000, true, &r);
	for (unsigned int turns = 1; res.cc == 2; turns++) {
		assert_true(turns < 4);
		assert_int_equal(r.gr[6], MSG_ADDR + UINT64_C(256) * turns);
		assert_int_equal(apv_insn_nqap(f.g, &r, 4, 6, &res), 0);
	}
	assert_cc(res, 0);
	assert_int_equal(r.gr[6], MSG_ADDR + 1000);
	/* DQAP of the 400-byte reply to BUF_ADDR + 0x80: 128, 256, 16 */
	res = dqap(f.g, Q54, BUF_ADDR + 0x80, 4096, &r);
	assert_cc(res, 2);
	assert_int_equal(r.gr[10], BUF_ADDR + 0x100);
	assert_int_equal(r.gr[11], 4096 - 128);
	assert_int_equal(r.gr[2], 272);
	assert_int_equal(r.gr[9], 1);
	assert_int_equal(r.gr[1], 0xdeadbeef);
	assert_int_equal(apv_insn_dqap(f.g, &r, 8, 10, &res), 0);
	assert_cc(res, 2);
	assert_int_equal(r.gr[2], 16);
	assert_int_equal(apv_insn_dqap(f.g, &r, 8, 10, &res), 0);
	assert_cc(res, 0);
	assert_int_equal(r.gr[2], 0);
	assert_int_equal(r.gr[10], BUF_ADDR + 0x80 + 400);
	assert_int_equal(r.gr[11], 4096 - 400);
	assert_int_equal(r.gr[1], QS(0, QS_R));
	assert_mem_equal(f.g, BUF_ADDR + 0x80, MSG_ADDR + 100, 400);
	/* a buffer of 300 for the 1000-byte reply: 256 (CC 2), then 44 and
	 * full (CC 1); a new buffer takes the rest */
	res = dqap(f.g, Q54, BUF_ADDR, 300, &r);
	assert_cc(res, 2);
	assert_int_equal(r.gr[11], 44);
	assert_int_equal(apv_insn_dqap(f.g, &r, 8, 10, &res), 0);
	assert_cc(res, 1);
	assert_int_equal(r.gr[11], 0);
	assert_int_equal(r.gr[2], 700);
	assert_int_equal(r.gr[1], 0xdeadbeef);
	res = dqap(f.g, Q54, BUF_ADDR + 300, 4096, &r);
	while (res.cc == 2)
		assert_int_equal(apv_insn_dqap(f.g, &r, 8, 10, &res), 0);
	assert_cc(res, 0);
	assert_int_equal(r.gr[10], BUF_ADDR + 1000);
	assert_int_equal(r.gr[1], QS(0, QS_E));
	assert_mem_equal(f.g, BUF_ADDR, MSG_ADDR, 1000);
	/* a part (L = 0) across a boundary: CC 2, then CC 0 for the part */
	res = nqap_at(f.g, Q54, 3, MSG_ADDR + 200, 100, false, &r);
	assert_cc(res, 2);
	assert_int_equal(apv_insn_nqap(f.g, &r, 4, 6, &res), 0);
	assert_cc(res, 0);
	assert_int_equal(r.gr[1], QS(0, 0));
	assert_cc(nqap_at(f.g, Q54, 3, MSG_ADDR + 300, 50, true, &r), 0);
	res = dqap(f.g, Q54, BUF_ADDR, 4096, &r);
	while (res.cc == 2)
		assert_int_equal(apv_insn_dqap(f.g, &r, 8, 10, &res), 0);
	assert_cc(res, 0);
	assert_int_equal(r.gr[11], 4096 - 150);
	assert_mem_equal(f.g, BUF_ADDR, MSG_ADDR + 200, 150);
	/* segment 0: back to one go */
	apv_kvm_set_segment(f.g, 0);
	assert_cc(nqap_at(f.g, Q54, 4, MSG_ADDR + 100, 800, true, &r), 0);
	assert_cc(dqap(f.g, Q54, BUF_ADDR + 1, 4096, &r), 0);
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_operation_without_ap),
		cmocka_unit_test(test_privileged_first),
		cmocka_unit_test(test_pqap_reserved_bits),
		cmocka_unit_test(test_tapq_t_bit),
		cmocka_unit_test(test_qci),
		cmocka_unit_test(test_format0_truncation),
		cmocka_unit_test(test_format1),
		cmocka_unit_test(test_tapq_deconfigured_checkstop),
		cmocka_unit_test(test_aqic_sequences),
		cmocka_unit_test(test_aqic_kvm_checks),
		cmocka_unit_test(test_aqic_61_cc),
		cmocka_unit_test(test_qact),
		cmocka_unit_test(test_resets_discard),
		cmocka_unit_test(test_nqap_dqap_spec),
		cmocka_unit_test(test_reply_and_psmid),
		cmocka_unit_test(test_queue_full),
		cmocka_unit_test(test_partial_dqap),
		cmocka_unit_test(test_engine_seam),
		cmocka_unit_test(test_memslots),
		cmocka_unit_test(test_vcpu_against_resets),
		cmocka_unit_test(test_leak_unassign_assign),
		cmocka_unit_test(test_leak_unbind_bind),
		cmocka_unit_test(test_leak_close_open),
		cmocka_unit_test(test_guest_free_with_work),
		cmocka_unit_test(test_reset_in_progress),
		cmocka_unit_test(test_reset_delay_expires),
		cmocka_unit_test(test_busy),
		cmocka_unit_test(test_multipart_nqap),
		cmocka_unit_test(test_segments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
