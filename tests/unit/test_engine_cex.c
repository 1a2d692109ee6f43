// SPDX-License-Identifier: MIT
/*
 * The accelerator engine (src/lib/machine/engine_cex.c): type 50 ME and CRT
 * requests at 1024, 2048 and 4096 bits, issued by a guest with NQAP and
 * answered through DQAP, checked byte for byte against libcrypto's raw RSA
 * (RSA_NO_PADDING); the type 82 error replies of malformed requests; a CCA
 * adapter keeping the built-in engine's error replies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <apvirt/ap_insn.h>
#include <apvirt/engine.h>

#include "host_kit.h"

#define MEM_SIZE (UINT64_C(1) << 20)
#define MSG_ADDR UINT64_C(0x10000)
#define BUF_ADDR UINT64_C(0x20000)
#define BUF_LEN 4096

#define QS(rc, flags) ((uint64_t)(((uint32_t)(rc) << 16) | (flags)))
#define QS_E 0x80000000u

#define Q_ACC APV_APQN(5, 4)   /* CEX7A, MEX4K and CRT4K */
#define Q_CCA APV_APQN(6, 4)   /* CEX8C */
#define Q_ACC2K APV_APQN(7, 4) /* CEX7A without MEX4K/CRT4K */

#define MAX_REQ 1808

/* ---- keys, generated once -------------------------------------------- */

struct key {
	unsigned int bits;
	EVP_PKEY *pkey;
	BIGNUM *n, *e, *d, *p, *q, *dp, *dq, *qinv;
};

static struct key keys[3] = {{.bits = 1024}, {.bits = 2048}, {.bits = 4096}};

static BIGNUM *key_param(EVP_PKEY *pk, const char *name)
{
	BIGNUM *b = NULL;

	assert_int_equal(EVP_PKEY_get_bn_param(pk, name, &b), 1);
	return b;
}

static int keys_setup(void **state)
{
	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct key *k = &keys[i];

		k->pkey = EVP_RSA_gen(k->bits);
		if (!k->pkey)
			return -1;
		k->n = key_param(k->pkey, OSSL_PKEY_PARAM_RSA_N);
		k->e = key_param(k->pkey, OSSL_PKEY_PARAM_RSA_E);
		k->d = key_param(k->pkey, OSSL_PKEY_PARAM_RSA_D);
		k->p = key_param(k->pkey, OSSL_PKEY_PARAM_RSA_FACTOR1);
		k->q = key_param(k->pkey, OSSL_PKEY_PARAM_RSA_FACTOR2);
		k->dp = key_param(k->pkey, OSSL_PKEY_PARAM_RSA_EXPONENT1);
		k->dq = key_param(k->pkey, OSSL_PKEY_PARAM_RSA_EXPONENT2);
		k->qinv = key_param(k->pkey, OSSL_PKEY_PARAM_RSA_COEFFICIENT1);
	}
	return 0;
}

static int keys_teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct key *k = &keys[i];

		BN_free(k->n);
		BN_free(k->e);
		BN_clear_free(k->d);
		BN_clear_free(k->p);
		BN_clear_free(k->q);
		BN_clear_free(k->dp);
		BN_clear_free(k->dq);
		BN_clear_free(k->qinv);
		EVP_PKEY_free(k->pkey);
	}
	return 0;
}

/* Raw RSA with libcrypto: out (mod_len bytes) = in^e or in^d mod n. */
static void raw_rsa(const struct key *k, bool private_op, const uint8_t *in,
		    uint8_t *out)
{
	size_t len = (size_t)BN_num_bytes(k->n), outlen = len;
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(k->pkey, NULL);

	assert_non_null(c);
	if (private_op) {
		assert_int_equal(EVP_PKEY_decrypt_init(c), 1);
		assert_int_equal(
			EVP_PKEY_CTX_set_rsa_padding(c, RSA_NO_PADDING), 1);
		assert_int_equal(EVP_PKEY_decrypt(c, out, &outlen, in, len), 1);
	} else {
		assert_int_equal(EVP_PKEY_encrypt_init(c), 1);
		assert_int_equal(
			EVP_PKEY_CTX_set_rsa_padding(c, RSA_NO_PADDING), 1);
		assert_int_equal(EVP_PKEY_encrypt(c, out, &outlen, in, len), 1);
	}
	assert_int_equal(outlen, len);
	EVP_PKEY_CTX_free(c);
}

/* ---- fixture: a guest on an mdev with adapters 05, 06, 07 x domain 04 -- */

struct fx {
	struct apv_host *h;
	uint8_t M[16];
	struct apv_kvm *g;
};

static void fx_init(struct fx *f)
{
	struct kit kt;
	struct apv_adapter_spec *s;

	kit_init(&kt, APV_KERNEL_6_12);
	kit_adapter(&kt, 5, APV_TYPE_CEX7, APV_MODE_ACCEL);
	kit_adapter(&kt, 6, APV_TYPE_CEX8, APV_MODE_CCA);
	s = kit_adapter(&kt, 7, APV_TYPE_CEX7, APV_MODE_ACCEL);
	s->functions = APV_FUNC_ACCEL; /* 2048-bit moduli at most */
	kt.cfg.domains = BM(4);
	kt.cfg.control_domains = kt.cfg.domains;
	f->h = kit_boot(&kt);
	assert_int_equal(kit_store(f->h, true, "-5,-6,-7"), 0);
	kit_uuid(f->M, 1);
	kit_mdev(f->h, f->M, BM(5, 6, 7), BM(4), BM(4));
	assert_int_equal(apv_kvm_new(f->h, "g", APV_CPU_DEFAULT, &f->g), 0);
	assert_int_equal(apv_kvm_add_memslot(f->g, 0, MEM_SIZE), 0);
	assert_int_equal(apv_mdev_set_kvm(f->h, f->M, f->g), 0);
	assert_int_equal(apv_mdev_open(f->h, f->M), 0);
}

static void fx_fini(struct fx *f)
{
	apv_kvm_free(f->g);
	apv_host_free(f->h);
}

/*
 * The guest's round trip: NQAP of len bytes of req with R1 = 4, R2 = 6,
 * then DQAP into a BUF_LEN buffer with R1 = 8, R2 = 10.  Returns the
 * reply's length (from R2+1) and checks the PSMID.
 */
static size_t round_trip(struct fx *f, apv_apqn q, const uint8_t *req,
			 size_t len, uint8_t *reply)
{
	static uint64_t psmid = UINT64_C(0x0123456700000000);
	struct apv_cpu_regs r;
	struct apv_insn_result res;
	size_t rlen;

	psmid++;
	assert_int_equal(apv_kvm_mem_write(f->g, MSG_ADDR, req, len), 0);
	memset(&r, 0, sizeof(r));
	r.gr[0] = APV_GR0_NQAP_L | q;
	r.gr[4] = psmid >> 32;
	r.gr[5] = psmid & 0xffffffffu;
	r.gr[6] = MSG_ADDR;
	r.gr[7] = len;
	assert_int_equal(apv_insn_nqap(f->g, &r, 4, 6, &res), 0);
	assert_int_equal(res.pgm, APV_PGM_NONE);
	assert_int_equal(res.cc, 0);
	memset(&r, 0, sizeof(r));
	r.gr[0] = APV_GR0_DQAP | q;
	r.gr[10] = BUF_ADDR;
	r.gr[11] = BUF_LEN;
	assert_int_equal(apv_insn_dqap(f->g, &r, 8, 10, &res), 0);
	assert_int_equal(res.pgm, APV_PGM_NONE);
	assert_int_equal(res.cc, 0);
	assert_int_equal(r.gr[1], QS(0, QS_E));
	assert_int_equal(r.gr[8], psmid >> 32);
	assert_int_equal(r.gr[9], psmid & 0xffffffffu);
	rlen = BUF_LEN - (size_t)r.gr[11];
	assert_true(rlen <= BUF_LEN);
	assert_int_equal(apv_kvm_mem_read(f->g, BUF_ADDR, reply, rlen), 0);
	return rlen;
}

/* ---- building type 50 requests ---------------------------------------- */

static void put_bn(uint8_t *field, size_t width, const BIGNUM *b)
{
	assert_int_equal(BN_bn2binpad(b, field, (int)width), (int)width);
}

static size_t hdr(uint8_t *m, uint16_t keyblock, size_t total)
{
	memset(m, 0, total);
	m[1] = 0x50;
	m[2] = (uint8_t)(total >> 8);
	m[3] = (uint8_t)total;
	m[8] = (uint8_t)(keyblock >> 8);
	m[9] = (uint8_t)keyblock;
	return total;
}

/* MEB1/2/3 by field width w (128, 256, 512). */
static size_t build_me(uint8_t *m, size_t w, const BIGNUM *e, const BIGNUM *n,
		       const BIGNUM *msg)
{
	uint16_t kb = w == 128 ? APV_KB_MEB1 :
		      w == 256 ? APV_KB_MEB2 :
				 APV_KB_MEB3;
	size_t len = hdr(m, kb, 16 + 3 * w);

	put_bn(m + 16, w, e);
	put_bn(m + 16 + w, w, n);
	put_bn(m + 16 + 2 * w, w, msg);
	return len;
}

/* CRB1/2/3 by key field width w (64, 128, 256); the message is 2w. */
static size_t build_crt(uint8_t *m, size_t w, const struct key *k,
			const BIGNUM *msg)
{
	uint16_t kb = w == 64  ? APV_KB_CRB1 :
		      w == 128 ? APV_KB_CRB2 :
				 APV_KB_CRB3;
	size_t len = hdr(m, kb, 16 + 7 * w);

	put_bn(m + 16, w, k->p);
	put_bn(m + 16 + w, w, k->q);
	put_bn(m + 16 + 2 * w, w, k->dp);
	put_bn(m + 16 + 3 * w, w, k->dq);
	put_bn(m + 16 + 4 * w, w, k->qinv);
	put_bn(m + 16 + 5 * w, 2 * w, msg);
	return len;
}

/* A type 80 reply of 16 + w bytes whose result is want (mod_len bytes). */
static void assert_type80(const uint8_t *reply, size_t rlen, size_t w,
			  const uint8_t *want, size_t mod_len)
{
	uint8_t h[16] = {0, 0x80, (uint8_t)((16 + w) >> 8), (uint8_t)(16 + w)};

	assert_int_equal(rlen, 16 + w);
	assert_memory_equal(reply, h, 16);
	for (size_t i = 16; i < rlen - mod_len; i++)
		assert_int_equal(reply[i], 0);
	assert_memory_equal(reply + rlen - mod_len, want, mod_len);
}

static void assert_error(const uint8_t *reply, size_t rlen, uint8_t code)
{
	uint8_t want[8] = {0, 0x82, 0, 0, code, 0, 0, 0};

	assert_int_equal(rlen, 8);
	assert_memory_equal(reply, want, 8);
}

/* ---- ME and CRT at every size ----------------------------------------- */

static void rsa_case(struct fx *f, const struct key *k, uint8_t *req,
		     uint8_t *reply)
{
	size_t mod_len = (size_t)BN_num_bytes(k->n), w = k->bits / 8, rlen;
	uint8_t in[512], want[512];
	BIGNUM *m = BN_new(), *c = BN_new();

	assert_non_null(m);
	assert_non_null(c);
	assert_int_equal(mod_len, w);
	assert_int_equal(BN_rand_range(m, k->n), 1);
	put_bn(in, mod_len, m);

	/* ME with the public exponent: RSA encryption */
	raw_rsa(k, false, in, want);
	rlen = round_trip(f, Q_ACC, req, build_me(req, w, k->e, k->n, m),
			  reply);
	assert_type80(reply, rlen, w, want, mod_len);
	assert_non_null(BN_bin2bn(want, (int)mod_len, c));

	/* ME with the private exponent: back to the message */
	rlen = round_trip(f, Q_ACC, req, build_me(req, w, k->d, k->n, c),
			  reply);
	assert_type80(reply, rlen, w, in, mod_len);

	/* CRT: RSA decryption, as libcrypto's */
	raw_rsa(k, true, want, in);
	rlen = round_trip(f, Q_ACC, req, build_crt(req, w / 2, k, c), reply);
	assert_type80(reply, rlen, w, in, mod_len);
	BN_free(m);
	BN_free(c);
}

static void test_rsa(void **state)
{
	struct fx f;
	uint8_t req[MAX_REQ], reply[BUF_LEN];

	(void)state;
	fx_init(&f);
	for (size_t i = 0; i < 3; i++)
		rsa_case(&f, &keys[i], req, reply);
	fx_fini(&f);
}

/* A small modulus in a bigger format: the result is right-justified. */
static void test_format_bigger_than_key(void **state)
{
	const struct key *k = &keys[0];
	struct fx f;
	uint8_t req[MAX_REQ], reply[BUF_LEN], in[128], want[128];
	size_t rlen;
	BIGNUM *m = BN_new();

	(void)state;
	assert_non_null(m);
	fx_init(&f);
	assert_int_equal(BN_rand_range(m, k->n), 1);
	put_bn(in, 128, m);
	raw_rsa(k, false, in, want);
	rlen = round_trip(&f, Q_ACC, req, build_me(req, 512, k->e, k->n, m),
			  reply);
	assert_type80(reply, rlen, 512, want, 128);
	raw_rsa(k, true, in, want);
	rlen = round_trip(&f, Q_ACC, req, build_crt(req, 128, k, m), reply);
	assert_type80(reply, rlen, 256, want, 128);
	BN_free(m);
	fx_fini(&f);
}

/* ---- malformed requests ------------------------------------------------ */

static void test_errors(void **state)
{
	const struct key *k = &keys[0], *k4 = &keys[2];
	struct fx f;
	uint8_t req[MAX_REQ], reply[BUF_LEN];
	size_t len, rlen;
	BIGNUM *m = BN_new(), *even = BN_new();

	(void)state;
	assert_non_null(m);
	assert_non_null(even);
	fx_init(&f);
	assert_int_equal(BN_set_word(m, 42), 1);

	/* not type 50: message type */
	len = build_me(req, 128, k->e, k->n, m);
	req[1] = 0x06;
	assert_error(reply, round_trip(&f, Q_ACC, req, len, reply), 0x20);
	/* shorter than a header */
	assert_error(reply, round_trip(&f, Q_ACC, req, 4, reply), 0x20);

	/* msg_len differs from the NQAP length */
	len = build_me(req, 128, k->e, k->n, m);
	assert_error(reply, round_trip(&f, Q_ACC, req, len - 1, reply), 0x23);
	/* msg_len agrees with NQAP but not with the format */
	req[3] = 0x91;
	assert_error(reply, round_trip(&f, Q_ACC, req, 401, reply), 0x23);
	/* a CRB1 keyblock on an MEB1-sized request */
	len = build_me(req, 128, k->e, k->n, m);
	req[9] = 0x11;
	assert_error(reply, round_trip(&f, Q_ACC, req, len, reply), 0x23);

	/* unknown keyblock types: format field */
	len = build_me(req, 128, k->e, k->n, m);
	req[9] = 0x04;
	assert_error(reply, round_trip(&f, Q_ACC, req, len, reply), 0x29);
	req[8] = 0x01;
	req[9] = 0x01;
	assert_error(reply, round_trip(&f, Q_ACC, req, len, reply), 0x29);

	/* reserved header bytes: 0, 4, 6, 7, 10..15 (5 is ignored) */
	for (size_t i = 0; i < 16; i++) {
		if (i == 1 || i == 2 || i == 3 || i == 8 || i == 9)
			continue;
		len = build_me(req, 128, k->e, k->n, m);
		req[i] = 0xff;
		rlen = round_trip(&f, Q_ACC, req, len, reply);
		if (i == 5)
			assert_int_equal(rlen, 16 + 128);
		else
			assert_error(reply, rlen, 0x24);
	}

	/* message not below the modulus: operand invalid */
	len = build_me(req, 128, k->e, k->n, k->n);
	assert_error(reply, round_trip(&f, Q_ACC, req, len, reply), 0x82);
	len = build_crt(req, 64, k, k->n);
	assert_error(reply, round_trip(&f, Q_ACC, req, len, reply), 0x82);

	/* even moduli, p or q; a zero (all-zero) modulus too */
	assert_non_null(BN_copy(even, k->n));
	assert_int_equal(BN_sub_word(even, 1), 1);
	len = build_me(req, 128, k->e, even, m);
	assert_error(reply, round_trip(&f, Q_ACC, req, len, reply), 0x85);
	len = hdr(req, APV_KB_MEB1, 400);
	assert_error(reply, round_trip(&f, Q_ACC, req, len, reply), 0x85);
	len = build_crt(req, 64, k, m);
	req[16 + 63] ^= 1; /* p's lowest bit */
	assert_error(reply, round_trip(&f, Q_ACC, req, len, reply), 0x85);
	len = build_crt(req, 64, k, m);
	req[16 + 127] ^= 1; /* q's lowest bit */
	assert_error(reply, round_trip(&f, Q_ACC, req, len, reply), 0x85);

	/* 4096-bit formats need MEX4K and CRT4K: operand size */
	len = build_me(req, 512, k4->e, k4->n, m);
	assert_error(reply, round_trip(&f, Q_ACC2K, req, len, reply), 0x84);
	len = build_crt(req, 256, k4, m);
	assert_error(reply, round_trip(&f, Q_ACC2K, req, len, reply), 0x84);
	/* ... and 2048 bits work there */
	len = build_me(req, 256, keys[1].e, keys[1].n, m);
	assert_int_equal(round_trip(&f, Q_ACC2K, req, len, reply), 16 + 256);
	assert_int_equal(reply[1], 0x80);

	BN_free(m);
	BN_free(even);
	fx_fini(&f);
}

/* A CCA adapter keeps the built-in engine's error replies. */
static void test_cca_unchanged(void **state)
{
	const struct key *k = &keys[0];
	struct fx f;
	uint8_t req[MAX_REQ], reply[BUF_LEN];
	size_t len;
	BIGNUM *m = BN_new();

	(void)state;
	assert_non_null(m);
	fx_init(&f);
	assert_int_equal(BN_set_word(m, 42), 1);
	len = build_me(req, 128, k->e, k->n, m);
	assert_error(reply, round_trip(&f, Q_CCA, req, len, reply), 0x20);
	req[1] = 0x06;
	assert_error(reply, round_trip(&f, Q_CCA, req, len, reply), 0x10);
	/* the accelerator answers the same request for real */
	req[1] = 0x50;
	assert_int_equal(round_trip(&f, Q_ACC, req, len, reply), 16 + 128);
	BN_free(m);
	fx_fini(&f);
}

/* The engine called directly: a too small reply buffer is an error. */
static void test_direct(void **state)
{
	const struct key *k = &keys[0];
	uint8_t req[MAX_REQ], reply[16 + 128];
	size_t len, rlen = 0;
	BIGNUM *m = BN_new();
	struct apv_engine_request er = {
		.apqn = Q_ACC,
		.type = APV_TYPE_CEX7,
		.mode = APV_MODE_ACCEL,
		.functions = APV_FUNC_ACCEL,
		.msg = req,
	};

	(void)state;
	assert_non_null(m);
	assert_int_equal(BN_set_word(m, 2), 1);
	er.len = len = build_me(req, 128, k->e, k->n, m);
	assert_int_equal(apv_engine_cex(NULL, &er, reply, 16 + 127, &rlen),
			 -ENOSPC);
	assert_int_equal(apv_engine_cex(NULL, &er, reply, 4, &rlen), -ENOSPC);
	assert_int_equal(apv_engine_cex(NULL, &er, reply, sizeof(reply), &rlen),
			 0);
	assert_int_equal(rlen, 16 + 128);
	/* 2^65537 mod n, with libcrypto */
	{
		uint8_t in[128] = {0}, want[128];

		in[127] = 2;
		raw_rsa(k, false, in, want);
		assert_type80(reply, rlen, 128, want, 128);
	}
	/* the special-command bit */
	er.special = true;
	assert_int_equal(apv_engine_cex(NULL, &er, reply, sizeof(reply), &rlen),
			 0);
	assert_error(reply, rlen, 0x41);
	BN_free(m);
	(void)len;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rsa),
		cmocka_unit_test(test_format_bigger_than_key),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_cca_unchanged),
		cmocka_unit_test(test_direct),
	};

	return cmocka_run_group_tests(tests, keys_setup, keys_teardown);
}
