// SPDX-License-Identifier: MIT
/*
 * RSA from a guest process (tests/integration/guest.sh): attach to an
 * mdev through apsim's control socket (libapvirt_guest), send type 50 ME
 * and CRT requests for fresh 1024-, 2048- and 4096-bit keys to an
 * accelerator queue and check every result against libcrypto.
 *
 *   guest-rsa --mdev UUID --apqn AA.QQQQ [--reply-buf N] [--irq]
 *             [--count N] [--bits 1024,2048,4096] [--irq-stress N]
 *
 * --irq enables adapter interruptions (AQIC) first, so the wait is
 * interrupt-driven; --reply-buf makes the DQAP buffer small (partial DQAP
 * continued); --count sends N requests per key and kind and prints the
 * rate.  --irq-stress N (implies --irq, no RSA) sends N null messages
 * (16 bytes of type 00, answered at once with a type 82 reply) in bursts
 * up to the queue's depth and waits for every reply with
 * apv_guest_wait_irq() alone -- no polling fallback: each wait must end
 * with an interruption, never time out while a reply waits (a lost
 * wakeup).  TAP-like output; exit 1 on a mismatch, 2 on a usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <apvirt/guest.h>

static int n_checks, n_failed;

static void check(int ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void check(int ok, const char *fmt, ...)
{
	va_list ap;

	n_checks++;
	if (!ok)
		n_failed++;
	printf("%sok %d - ", ok ? "" : "not ", n_checks);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static BIGNUM *param(EVP_PKEY *pk, const char *name)
{
	BIGNUM *b = NULL;

	if (EVP_PKEY_get_bn_param(pk, name, &b) != 1) {
		fprintf(stderr, "guest-rsa: no %s in the key\n", name);
		exit(1);
	}
	return b;
}

/* A big number as len big-endian bytes (malloc'ed). */
static uint8_t *bytes(const BIGNUM *b, size_t len)
{
	uint8_t *p = malloc(len);

	if (!p || BN_bn2binpad(b, p, (int)len) < 0)
		exit(1);
	return p;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int one_key(struct apv_guest *g, apv_apqn q, unsigned int bits,
		   int count)
{
	EVP_PKEY *pk = EVP_RSA_gen(bits);
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *n, *e, *d, *p, *qq, *dp, *dq, *u, *m, *want_sig, *want_enc;
	size_t ml = bits / 8, hl = ml / 2;
	uint8_t *bn, *be, *bd, *bp, *bq, *bdp, *bdq, *bu, *bm, *ws, *we;
	uint8_t *out = malloc(ml), rc = 0;
	struct apv_rsa_me me;
	struct apv_rsa_crt crt;
	int r;

	if (!pk || !ctx || !out) {
		fprintf(stderr, "guest-rsa: out of memory\n");
		exit(1);
	}
	n = param(pk, OSSL_PKEY_PARAM_RSA_N);
	e = param(pk, OSSL_PKEY_PARAM_RSA_E);
	d = param(pk, OSSL_PKEY_PARAM_RSA_D);
	p = param(pk, OSSL_PKEY_PARAM_RSA_FACTOR1);
	qq = param(pk, OSSL_PKEY_PARAM_RSA_FACTOR2);
	dp = param(pk, OSSL_PKEY_PARAM_RSA_EXPONENT1);
	dq = param(pk, OSSL_PKEY_PARAM_RSA_EXPONENT2);
	u = param(pk, OSSL_PKEY_PARAM_RSA_COEFFICIENT1);
	m = BN_new();
	want_sig = BN_new();
	want_enc = BN_new();
	/* a message below n */
	if (!m || !want_sig || !want_enc || !BN_rand_range(m, n) ||
	    !BN_mod_exp(want_sig, m, d, n, ctx) ||
	    !BN_mod_exp(want_enc, m, e, n, ctx)) {
		fprintf(stderr, "guest-rsa: libcrypto failed\n");
		exit(1);
	}
	bn = bytes(n, ml);
	be = bytes(e, (size_t)BN_num_bytes(e));
	bd = bytes(d, ml);
	bp = bytes(p, hl);
	bq = bytes(qq, hl);
	bdp = bytes(dp, hl);
	bdq = bytes(dq, hl);
	bu = bytes(u, hl);
	bm = bytes(m, ml);
	ws = bytes(want_sig, ml);
	we = bytes(want_enc, ml);

	me = (struct apv_rsa_me){.msg = bm,
				 .msg_len = ml,
				 .exp = be,
				 .exp_len = (size_t)BN_num_bytes(e),
				 .mod = bn,
				 .mod_len = ml};
	r = apv_guest_rsa_me(g, q, &me, out, 10000, &rc);
	check(r == 0 && !memcmp(out, we, ml), "ME %u public exponent", bits);
	if (r)
		fprintf(stderr, "# ME: %s (rc %02x) %s\n", strerror(-r), rc,
			apv_guest_error(g));
	me.exp = bd;
	me.exp_len = ml;
	r = apv_guest_rsa_me(g, q, &me, out, 10000, &rc);
	check(r == 0 && !memcmp(out, ws, ml), "ME %u private exponent", bits);
	crt = (struct apv_rsa_crt){.msg = bm,
				   .msg_len = ml,
				   .p = bp,
				   .p_len = hl,
				   .q = bq,
				   .q_len = hl,
				   .dp = bdp,
				   .dp_len = hl,
				   .dq = bdq,
				   .dq_len = hl,
				   .u = bu,
				   .u_len = hl,
				   .mod_len = ml};
	r = apv_guest_rsa_crt(g, q, &crt, out, 10000, &rc);
	check(r == 0 && !memcmp(out, ws, ml), "CRT %u", bits);
	if (r)
		fprintf(stderr, "# CRT: %s (rc %02x) %s\n", strerror(-r), rc,
			apv_guest_error(g));

	if (count > 0) {
		double t0 = now_s(), dt;
		int bad = 0;

		for (int i = 0; i < count; i++)
			if (apv_guest_rsa_crt(g, q, &crt, out, 10000, &rc) ||
			    memcmp(out, ws, ml))
				bad++;
		dt = now_s() - t0;
		check(bad == 0, "CRT %u x %d: all correct", bits, count);
		printf("# CRT %u: %d requests in %.1f ms: %.0f/s, %.1f us "
		       "each\n",
		       bits, count, dt * 1e3, count / dt, dt * 1e6 / count);
	}
	/* a message not below the modulus: the card's type 82 reply 0x82 */
	memset(bm, 0xff, ml);
	me.msg = bm;
	r = apv_guest_rsa_me(g, q, &me, out, 10000, &rc);
	check(r == -EBADMSG && rc == 0x82,
	      "ME %u message >= modulus: type 82 reply code 0x82", bits);

	free(bn), free(be), free(bd), free(bp), free(bq), free(bdp);
	free(bdq), free(bu), free(bm), free(ws), free(we), free(out);
	BN_free(n), BN_free(e), BN_free(d), BN_free(p), BN_free(qq);
	BN_free(dp), BN_free(dq), BN_free(u), BN_free(m);
	BN_free(want_sig), BN_free(want_enc);
	BN_CTX_free(ctx);
	EVP_PKEY_free(pk);
	return 0;
}

/* AQIC enable with the NIB at 0x1000, ISC 6 (as Linux). */
static int enable_irq(struct apv_guest *g, apv_apqn q)
{
	struct apv_cpu_regs r = {0};
	struct apv_insn_result res;
	int e;

	r.gr[0] = APV_GR0_FC(APV_PQAP_AQIC) | q;
	r.gr[1] = APV_AQIC_IR | APV_AQIC_ISC(6);
	r.gr[2] = 0x1000;
	e = apv_guest_pqap(g, &r, &res);
	if (e)
		return e;
	return res.pgm == APV_PGM_NONE && res.cc == 0 ? 0 : -EIO;
}

static struct apv_cpu_regs tapq(struct apv_guest *g, apv_apqn q)
{
	struct apv_cpu_regs r = {0};
	struct apv_insn_result res;

	r.gr[0] = APV_GR0_FC(APV_PQAP_TAPQ) | q;
	if (apv_guest_pqap(g, &r, &res) || res.pgm != APV_PGM_NONE)
		r.cc = 3;
	return r;
}

/*
 * Interrupt-driven waits only: null messages in bursts up to the depth,
 * every reply awaited with apv_guest_wait_irq() (1 s, no polling), then
 * DQAP while the status shows R.  A wait that times out is a lost wakeup
 * (TAPQ tells whether a reply was waiting); the replies are then taken
 * anyway so that the run goes on and counts them all.
 */
static void irq_stress(struct apv_guest *g, apv_apqn q, int count)
{
	static const uint8_t msg[16]; /* message type 00 */
	struct apv_cpu_regs t = tapq(g, q);
	unsigned int dep = (unsigned int)(t.gr[2] & 0xf) + 1, out = 0;
	unsigned long waits = 0, lost = 0, lost_r = 0, bad = 0, got = 0;
	uint64_t psmid = 1, next = 1;
	double t0 = now_s();
	int sent = 0;

	while (sent < count || out) {
		unsigned int iscs = 0;
		bool more = true;
		int w;

		while (sent < count && out < dep) {
			struct apv_cpu_regs r = {0};
			struct apv_insn_result res;

			r.gr[0] = APV_GR0_NQAP_L | q;
			r.gr[5] = psmid;
			r.gr[6] = 0x10000;
			r.gr[7] = sizeof(msg);
			if (apv_guest_nqap_msg(g, &r, 4, 6, msg, sizeof(msg),
					       &res) ||
			    res.pgm != APV_PGM_NONE) {
				bad++;
				goto out;
			}
			if (res.cc)
				break; /* full */
			psmid++;
			sent++;
			out++;
		}
		waits++;
		w = apv_guest_wait_irq(g, 1000, &iscs);
		if (w < 0) {
			bad++;
			break;
		}
		if (w == 0) {
			lost++;
			t = tapq(g, q);
			if (t.gr[1] & 0x40000000u) /* R */
				lost_r++;
		}
		while (more && out) {
			struct apv_cpu_regs r = {0};
			struct apv_insn_result res;
			uint8_t rep[64];
			size_t n = 0;

			r.gr[0] = APV_GR0_DQAP | q;
			r.gr[6] = 0x20000;
			r.gr[7] = sizeof(rep);
			if (apv_guest_dqap_data(g, &r, 4, 6, rep, sizeof(rep),
						&n, &res) ||
			    res.pgm != APV_PGM_NONE) {
				bad++;
				goto out;
			}
			if (res.cc)
				break; /* RC 10: not yet */
			if (n != 8 || rep[1] != 0x82 || rep[4] != 0x20 ||
			    r.gr[5] != next)
				bad++;
			next++;
			out--;
			got++;
			more = (r.gr[1] & 0x40000000u) != 0; /* R */
		}
	}
out:
	check(bad == 0 && got == (unsigned long)count,
	      "irq stress: %lu of %d null replies, in order", got, count);
	check(lost == 0,
	      "irq stress: %lu waits, none timed out (%lu did, %lu of them "
	      "with a reply waiting)",
	      waits, lost, lost_r);
	printf("# irq stress: %d requests in %.1f ms, %lu waits\n", count,
	       (now_s() - t0) * 1e3, waits);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"mdev", required_argument, NULL, 'm'},
		{"apqn", required_argument, NULL, 'q'},
		{"reply-buf", required_argument, NULL, 'r'},
		{"irq", no_argument, NULL, 'i'},
		{"count", required_argument, NULL, 'c'},
		{"bits", required_argument, NULL, 'b'},
		{"irq-stress", required_argument, NULL, 's'},
		{NULL, 0, NULL, 0},
	};
	struct apv_guest_opts o = {0};
	struct apv_guest *g;
	const char *apqn = NULL, *bits = "1024,2048,4096";
	unsigned int a, d;
	char err[256] = "";
	bool irq = false;
	int c, count = 0, stress = 0, rc;
	apv_apqn q;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'm':
			o.mdev = optarg;
			break;
		case 'q':
			apqn = optarg;
			break;
		case 'r':
			o.reply_buf = strtoul(optarg, NULL, 0);
			break;
		case 'i':
			irq = true;
			break;
		case 'c':
			count = atoi(optarg);
			break;
		case 'b':
			bits = optarg;
			break;
		case 's':
			stress = atoi(optarg);
			irq = true;
			break;
		default:
			return 2;
		}
	}
	if (!o.mdev || !apqn || sscanf(apqn, "%x.%x", &a, &d) != 2) {
		fprintf(stderr, "usage: guest-rsa --mdev UUID --apqn AA.QQQQ "
				"[--reply-buf N] [--irq] [--count N] "
				"[--bits B,...] [--irq-stress N]\n");
		return 2;
	}
	q = APV_APQN(a, d);
	o.err = err;
	o.err_len = sizeof(err);
	rc = apv_guest_open(&o, &g);
	if (rc) {
		fprintf(stderr, "guest-rsa: open: %s: %s\n", strerror(-rc),
			err);
		return 1;
	}
	if (irq) {
		rc = enable_irq(g, q);
		check(rc == 0, "AQIC enable");
	}
	if (stress > 0)
		irq_stress(g, q, stress);
	for (const char *s = stress > 0 ? "" : bits; *s;) {
		unsigned int b = (unsigned int)strtoul(s, (char **)&s, 10);

		if (one_key(g, q, b, count))
			return 1;
		if (*s == ',')
			s++;
	}
	if (irq) {
		struct apv_guest_events ev;

		apv_guest_events(g, &ev);
		check(ev.irqs > 0, "interruptions were delivered (%llu)",
		      (unsigned long long)ev.irqs);
	}
	apv_guest_close(g);
	printf("1..%d\n", n_checks);
	return n_failed ? 1 : 0;
}
