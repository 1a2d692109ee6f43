// SPDX-License-Identifier: MIT
/*
 * The accelerator engine: a CEXxA adapter answering type 50 RSA requests
 * (ME and CRT) with type 80 replies, computed with OpenSSL libcrypto
 * (ap-architecture.md §3).  It runs synchronously at NQAP time with
 * host->lock held and touches nothing but its arguments, so it can move to
 * an adapter worker thread unchanged.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>

#include <apvirt/engine.h>
#include <apvirt/host.h>

/* One keyblock format: its type, field width and number of key fields. */
struct cex_format {
	size_t field;	   /* width of each key field (CRT: half the message) */
	size_t msg;	   /* width of the message (= result) field */
	size_t total;	   /* msg_len */
	uint16_t keyblock; /* keyblock_type */
	bool crt;
	bool big; /* 512-byte moduli: needs MEX4K and CRT4K */
};

static const struct cex_format cex_formats[] = {
	{128, 128, 16 + 3 * 128, APV_KB_MEB1, false, false},
	{256, 256, 16 + 3 * 256, APV_KB_MEB2, false, false},
	{512, 512, 16 + 3 * 512, APV_KB_MEB3, false, true},
	{64, 128, 16 + 5 * 64 + 128, APV_KB_CRB1, true, false},
	{128, 256, 16 + 5 * 128 + 256, APV_KB_CRB2, true, false},
	{256, 512, 16 + 5 * 256 + 512, APV_KB_CRB3, true, true},
};

static void cex_error(uint8_t *reply, size_t *len, uint8_t code)
{
	memset(reply, 0, APV_REPLY_ERROR_LEN);
	reply[1] = APV_REPLY_ERROR_TYPE;
	reply[4] = code;
	*len = APV_REPLY_ERROR_LEN;
}

static const struct cex_format *cex_format(uint16_t keyblock)
{
	for (size_t i = 0; i < sizeof(cex_formats) / sizeof(cex_formats[0]);
	     i++)
		if (cex_formats[i].keyblock == keyblock)
			return &cex_formats[i];
	return NULL;
}

/* The header checks: 0 when the request is well-formed, else a code. */
static uint8_t cex_check_header(const struct apv_engine_request *req,
				const struct cex_format **out)
{
	static const size_t reserved[] = {0, 4, 6, 7, 10, 11, 12, 13, 14, 15};
	const uint8_t *m = req->msg;
	const struct cex_format *f;
	const uint32_t want4k = APV_FUNC_MEX4K | APV_FUNC_CRT4K;

	if (req->len < 8 || m[1] != APV_TYPE50)
		return APV_REP82_MESSAGE_TYPE;
	if ((((size_t)m[2] << 8) | m[3]) != req->len ||
	    req->len < APV_TYPE50_HDR_LEN)
		return APV_REP82_INVALID_MSG_LEN;
	f = cex_format((uint16_t)(((unsigned int)m[8] << 8) | m[9]));
	if (!f)
		return APV_REP82_FORMAT_FIELD;
	if (req->len != f->total)
		return APV_REP82_INVALID_MSG_LEN;
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (m[reserved[i]])
			return APV_REP82_RESERVED_FIELD;
	if (f->big && (req->functions & want4k) != want4k)
		return APV_REP82_OPERAND_SIZE;
	if (req->special)
		return APV_REP82_INVALID_SPECIAL_CMD;
	*out = f;
	return 0;
}

/* Read n big-endian bytes at p into a new BIGNUM of ctx. */
static BIGNUM *cex_bn(BN_CTX *ctx, const uint8_t *p, size_t n)
{
	BIGNUM *b = BN_CTX_get(ctx);

	if (b && !BN_bin2bn(p, (int)n, b))
		return NULL;
	return b;
}

/* ME: out = message^exponent mod modulus. */
static int cex_me(BN_CTX *ctx, const struct cex_format *f, const uint8_t *p,
		  BIGNUM *out, uint8_t *code)
{
	BIGNUM *e = cex_bn(ctx, p, f->field);
	BIGNUM *n = cex_bn(ctx, p + f->field, f->field);
	BIGNUM *m = cex_bn(ctx, p + 2 * f->field, f->field);

	if (!e || !n || !m)
		return -ENOMEM;
	if (!BN_is_odd(n)) {
		*code = APV_REP82_EVEN_MODULUS;
		return 0;
	}
	if (BN_cmp(m, n) >= 0) {
		*code = APV_REP82_OPERAND_INVALID;
		return 0;
	}
	/* the exponent may be private: constant time */
	BN_set_flags(e, BN_FLG_CONSTTIME);
	return BN_mod_exp(out, m, e, n, ctx) ? 0 : -ENOMEM;
}

/*
 * CRT with u = q^-1 mod p: m1 = c^dp mod p, m2 = c^dq mod q,
 * h = u * (m1 - m2) mod p, out = m2 + h * q.
 */
static int cex_crt(BN_CTX *ctx, const struct cex_format *f, const uint8_t *p,
		   BIGNUM *out, uint8_t *code)
{
	size_t w = f->field;
	BIGNUM *bp = cex_bn(ctx, p, w);
	BIGNUM *bq = cex_bn(ctx, p + w, w);
	BIGNUM *dp = cex_bn(ctx, p + 2 * w, w);
	BIGNUM *dq = cex_bn(ctx, p + 3 * w, w);
	BIGNUM *u = cex_bn(ctx, p + 4 * w, w);
	BIGNUM *c = cex_bn(ctx, p + 5 * w, f->msg);
	BIGNUM *n = BN_CTX_get(ctx);
	BIGNUM *t = BN_CTX_get(ctx);
	BIGNUM *m1 = BN_CTX_get(ctx);
	BIGNUM *m2 = BN_CTX_get(ctx);
	int ok;

	if (!bp || !bq || !dp || !dq || !u || !c || !n || !t || !m1 || !m2)
		return -ENOMEM;
	if (!BN_is_odd(bp) || !BN_is_odd(bq)) {
		*code = APV_REP82_EVEN_MODULUS;
		return 0;
	}
	if (!BN_mul(n, bp, bq, ctx))
		return -ENOMEM;
	if (BN_cmp(c, n) >= 0) {
		*code = APV_REP82_OPERAND_INVALID;
		return 0;
	}
	ok = BN_nnmod(t, c, bp, ctx) &&
	     BN_mod_exp_mont_consttime(m1, t, dp, bp, ctx, NULL) &&
	     BN_nnmod(t, c, bq, ctx) &&
	     BN_mod_exp_mont_consttime(m2, t, dq, bq, ctx, NULL) &&
	     BN_mod_sub(t, m1, m2, bp, ctx) && BN_mod_mul(t, t, u, bp, ctx) &&
	     BN_mul(out, t, bq, ctx) && BN_add(out, out, m2);
	/* the key material does not outlive the request */
	BN_clear(dp);
	BN_clear(dq);
	BN_clear(u);
	BN_clear(bp);
	BN_clear(bq);
	BN_clear(m1);
	BN_clear(m2);
	BN_clear(t);
	return ok ? 0 : -ENOMEM;
}

int apv_engine_cex(void *opaque, const struct apv_engine_request *req,
		   uint8_t *reply, size_t reply_max, size_t *reply_len)
{
	const struct cex_format *f = NULL;
	uint8_t code;
	BN_CTX *ctx;
	BIGNUM *out;
	int rc;

	if (req->mode != APV_MODE_ACCEL)
		return apv_engine_builtin(opaque, req, reply, reply_max,
					  reply_len);
	if (reply_max < APV_REPLY_ERROR_LEN)
		return -ENOSPC;
	code = cex_check_header(req, &f);
	if (code) {
		cex_error(reply, reply_len, code);
		return 0;
	}
	if (reply_max < APV_TYPE80_HDR_LEN + f->msg)
		return -ENOSPC;
	ctx = BN_CTX_new();
	if (!ctx)
		return -ENOMEM;
	BN_CTX_start(ctx);
	out = BN_CTX_get(ctx);
	rc = out ? 0 : -ENOMEM;
	if (!rc)
		rc = (f->crt ? cex_crt : cex_me)(
			ctx, f, req->msg + APV_TYPE50_HDR_LEN, out, &code);
	if (!rc && code) {
		cex_error(reply, reply_len, code);
	} else if (!rc) {
		size_t len = APV_TYPE80_HDR_LEN + f->msg;

		memset(reply, 0, APV_TYPE80_HDR_LEN);
		reply[1] = APV_REPLY_TYPE80;
		reply[2] = (uint8_t)(len >> 8);
		reply[3] = (uint8_t)len;
		if (BN_bn2binpad(out, reply + APV_TYPE80_HDR_LEN, (int)f->msg) <
		    0)
			rc = -ENOMEM;
		*reply_len = len;
	}
	if (out)
		BN_clear(out);
	BN_CTX_end(ctx);
	BN_CTX_free(ctx);
	if (rc)
		ERR_clear_error();
	return rc;
}
