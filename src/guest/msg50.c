// SPDX-License-Identifier: MIT
/*
 * zcrypt msgtype50 as far as the guest needs it (ap-architecture.md §3):
 * type 50 requests (MEB1/2/3, CRB1/2/3, the smallest format whose fields
 * hold the modulus length; big numbers right-justified, zero-padded) and
 * the type 80 reply (the result is its last mod_len bytes) or a type 82/88
 * error reply.  Pure: no I/O.
 */
#include <errno.h>
#include <string.h>

#include <apvirt/engine.h>

#include "guest_int.h"

/* Strip leading zero bytes; NULL with len 0 is the number 0. */
static const uint8_t *strip(const uint8_t *p, size_t *n)
{
	while (*n && !*p) {
		p++;
		(*n)--;
	}
	return p;
}

/* Right-justify a number into a field of w bytes; false if it is wider. */
static bool put(uint8_t *field, size_t w, const uint8_t *p, size_t n)
{
	if (n && !p)
		return false;
	p = strip(p, &n);
	if (n > w)
		return false;
	memset(field, 0, w - n);
	if (n)
		memcpy(field + w - n, p, n);
	return true;
}

static void header(uint8_t *buf, size_t total, unsigned int kb)
{
	memset(buf, 0, APV_TYPE50_HDR_LEN);
	buf[1] = APV_TYPE50;
	buf[2] = (uint8_t)(total >> 8);
	buf[3] = (uint8_t)total;
	buf[8] = (uint8_t)(kb >> 8);
	buf[9] = (uint8_t)kb;
}

/*
 * The smallest of a format family's three sizes (1, 2, 3) that holds a
 * modulus of mod_len bytes: fields of w1, 2*w1 or 4*w1 bytes, keyblock
 * types kb1, kb1 + 1, kb1 + 2.  Writes the header of a request of n_fields
 * such fields; returns the first field (NULL for a bad mod_len).
 */
static uint8_t *start(uint8_t *buf, size_t mod_len, unsigned int kb1, size_t w1,
		      unsigned int n_fields, size_t *w, size_t *total)
{
	unsigned int size = mod_len <= 128 ? 0 : mod_len <= 256 ? 1 : 2;

	if (!buf || !mod_len || mod_len > 512)
		return NULL;
	*w = w1 << size;
	*total = APV_TYPE50_HDR_LEN + n_fields * *w;
	header(buf, *total, kb1 + size);
	return buf + APV_TYPE50_HDR_LEN;
}

int apvg_type50_me(const struct apv_rsa_me *r, uint8_t *buf)
{
	size_t w, total;
	uint8_t *f =
		r ? start(buf, r->mod_len, APV_KB_MEB1, 128, 3, &w, &total) :
		    NULL;

	if (!f)
		return -EINVAL;
	/* exponent, modulus, message; the modulus is mod_len bytes wide */
	if (!put(f, w, r->exp, r->exp_len) ||
	    !put(f + w, w, r->mod, r->mod_len) ||
	    !put(f + 2 * w, w, r->msg, r->msg_len))
		return -EINVAL;
	return (int)total;
}

int apvg_type50_crt(const struct apv_rsa_crt *r, uint8_t *buf)
{
	size_t w, total;
	uint8_t *f =
		r ? start(buf, r->mod_len, APV_KB_CRB1, 64, 7, &w, &total) :
		    NULL;

	if (!f)
		return -EINVAL;
	/* p q dp dq u, each w; the message 2w */
	if (!put(f, w, r->p, r->p_len) || !put(f + w, w, r->q, r->q_len) ||
	    !put(f + 2 * w, w, r->dp, r->dp_len) ||
	    !put(f + 3 * w, w, r->dq, r->dq_len) ||
	    !put(f + 4 * w, w, r->u, r->u_len) ||
	    !put(f + 5 * w, 2 * w, r->msg, r->msg_len))
		return -EINVAL;
	return (int)total;
}

int apvg_type80_parse(const uint8_t *rep, size_t n, uint8_t *out,
		      size_t mod_len, uint8_t *rc)
{
	size_t len;

	if (rc)
		*rc = 0;
	if (!rep || n < 8)
		return -EPROTO;
	if (rep[1] == APV_REPLY_ERROR_TYPE || rep[1] == 0x88) {
		if (rc)
			*rc = rep[4];
		return -EBADMSG;
	}
	if (rep[1] != APV_REPLY_TYPE80 || n < APV_TYPE80_HDR_LEN)
		return -EPROTO;
	len = (size_t)rep[2] << 8 | rep[3];
	/* Linux: len == received, 16 + mod_len <= len <= 528 */
	if (len != n || len < APV_TYPE80_HDR_LEN + mod_len ||
	    len > APVG_TYPE80_MAX)
		return -EPROTO;
	memcpy(out, rep + len - mod_len, mod_len);
	return 0;
}
