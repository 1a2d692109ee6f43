// SPDX-License-Identifier: MIT
/*
 * RSA requests on one queue (guest.h (c)), as zcrypt drives an
 * accelerator: NQAP with the L bit and a PSMID of (pid << 32) | n; DQAP
 * into a reply buffer, continued while it ends partial (CC 1: the same
 * GR0 again, the buffer from its start); the reply is checked as
 * msgtype50 does.  The request goes to guest memory with the NQAP (one
 * round trip) and the reply comes back with the DQAP (one more).
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include <apvirt/engine.h>

#include "guest_int.h"

/* Registers: PSMID in 4/5, message or buffer in 6/7 (even/odd pairs). */
#define R1 4u
#define R2 6u
#define RC_OF(gr1) ((uint8_t)((gr1) >> 16))
#define SW_E 0x80000000u
#define SW_I 0x01000000u
/* Largest reply collected over partial DQAPs. */
#define REPLY_MAX 12288u

static int pgm_errno(enum apv_pgm p)
{
	switch (p) {
	case APV_PGM_ADDRESSING:
		return -EFAULT;
	case APV_PGM_PRIVILEGED:
		return -EPERM;
	case APV_PGM_OPERATION:
		return -EOPNOTSUPP;
	default:
		return -EINVAL;
	}
}

static int send_msg(struct apv_guest *g, apv_apqn apqn, const uint8_t *msg,
		    size_t len, uint64_t *psmid, uint8_t *rc)
{
	struct apv_cpu_regs r = {0};
	struct apv_insn_result res;
	uint64_t id = (uint64_t)g->psmid_pid << 32 | ++g->psmid_n;
	int e;

	if (rc)
		*rc = 0;
	r.gr[0] = APV_GR0_NQAP_L | apqn;
	r.gr[R1] = id >> 32;
	r.gr[R1 + 1] = id & 0xffffffffu;
	r.gr[R2] = apvg_scratch(g);
	r.gr[R2 + 1] = len;
	e = apv_guest_nqap_msg(g, &r, R1, R2, msg, len, &res);
	/* CC 2: a segment boundary; the registers say where to go on */
	while (!e && res.pgm == APV_PGM_NONE && res.cc == 2)
		e = apv_guest_nqap(g, &r, R1, R2, &res);
	if (e)
		return e;
	if (res.pgm != APV_PGM_NONE)
		return pgm_errno(res.pgm);
	if (res.cc == 0) {
		if (psmid)
			*psmid = id;
		return 0;
	}
	if (rc)
		*rc = RC_OF(r.gr[1]);
	return RC_OF(r.gr[1]) == 0x10 ? -EAGAIN : -EIO;
}

int apv_guest_rsa_me_send(struct apv_guest *g, apv_apqn apqn,
			  const struct apv_rsa_me *req, uint64_t *psmid,
			  uint8_t *rc)
{
	uint8_t buf[APVG_TYPE50_MAX];
	int n;

	if (rc)
		*rc = 0;
	n = g ? apvg_type50_me(req, buf) : -EINVAL;
	if (n < 0)
		return n;
	return send_msg(g, apqn, buf, (size_t)n, psmid, rc);
}

int apv_guest_rsa_crt_send(struct apv_guest *g, apv_apqn apqn,
			   const struct apv_rsa_crt *req, uint64_t *psmid,
			   uint8_t *rc)
{
	uint8_t buf[APVG_TYPE50_MAX];
	int n;

	if (rc)
		*rc = 0;
	n = g ? apvg_type50_crt(req, buf) : -EINVAL;
	if (n < 0)
		return n;
	return send_msg(g, apqn, buf, (size_t)n, psmid, rc);
}

int apv_guest_rsa_recv(struct apv_guest *g, apv_apqn apqn, uint8_t *out,
		       size_t mod_len, uint64_t *psmid, uint8_t *rc)
{
	static uint8_t none;
	uint8_t reply[REPLY_MAX];
	size_t got = 0;
	struct apv_cpu_regs r = {0};
	struct apv_insn_result res;
	uint8_t *rcp = rc ? rc : &none;
	int e;

	*rcp = 0;
	if (!g || !out || !mod_len || mod_len > 512)
		return -EINVAL;
	r.gr[0] = APV_GR0_DQAP | apqn;
	for (;;) {
		size_t n = 0;

		r.gr[2] = 0;
		r.gr[R2] = apvg_scratch(g) + APV_GUEST_SCRATCH / 2;
		r.gr[R2 + 1] = g->reply_buf;
		e = apv_guest_dqap_data(g, &r, R1, R2, reply + got,
					sizeof(reply) - got, &n, &res);
		if (e)
			return e;
		if (res.pgm != APV_PGM_NONE)
			return pgm_errno(res.pgm);
		got += n;
		/* CC 1: the buffer filled; CC 2: a segment boundary */
		if (res.cc == 1 || res.cc == 2) {
			if (got >= sizeof(reply))
				return -EPROTO;
			continue;
		}
		break;
	}
	if (res.cc != 0) {
		uint32_t sw = (uint32_t)r.gr[1];

		*rcp = RC_OF(sw);
		if (*rcp == 0x10)
			return sw & SW_E ? -ENOENT : -EAGAIN;
		return -EIO;
	}
	if (psmid)
		*psmid = (r.gr[R1] & 0xffffffffu) << 32 |
			 (r.gr[R1 + 1] & 0xffffffffu);
	return apvg_type80_parse(reply, got, out, mod_len, rcp);
}

/* Are interruptions on for apqn?  TAPQ's I bit; -errno. */
static int irq_on(struct apv_guest *g, apv_apqn apqn)
{
	struct apv_cpu_regs r = {0};
	struct apv_insn_result res;
	int e;

	r.gr[0] = APV_GR0_FC(APV_PQAP_TAPQ) | apqn;
	e = apv_guest_pqap(g, &r, &res);
	if (e)
		return e;
	return res.pgm == APV_PGM_NONE && (r.gr[1] & SW_I) ? 1 : 0;
}

/* Wait for the reply to psmid (any other is discarded). */
static int wait_reply(struct apv_guest *g, apv_apqn apqn, uint64_t psmid,
		      uint8_t *out, size_t mod_len, int timeout_ms, uint8_t *rc)
{
	int64_t deadline = timeout_ms < 0 ? -1 : apv_now_ms() + timeout_ms;
	int irq = -1, backoff_us = 10;

	for (;;) {
		uint64_t id = 0;
		int e = apv_guest_rsa_recv(g, apqn, out, mod_len, &id, rc);

		if (e != -EAGAIN) {
			if (id != psmid &&
			    (e == 0 || e == -EBADMSG || e == -EPROTO))
				continue; /* somebody else's reply */
			return e;
		}
		if (deadline >= 0 && apv_now_ms() >= deadline)
			return -ETIMEDOUT;
		if (irq < 0) {
			irq = irq_on(g, apqn);
			if (irq < 0)
				return irq;
		}
		if (irq) {
			unsigned int iscs;
			int64_t left = deadline < 0 ? 100 :
						      deadline - apv_now_ms();

			/* a slice at a time: a reply may come without one */
			if (left > 100)
				left = 100;
			e = apv_guest_wait_irq(g, left < 0 ? 0 : (int)left,
					       &iscs);
			if (e < 0)
				return e;
		} else {
			struct timespec ts = {0, (long)backoff_us * 1000};

			nanosleep(&ts, NULL);
			if (backoff_us < 500)
				backoff_us *= 2;
		}
	}
}

int apv_guest_rsa_me(struct apv_guest *g, apv_apqn apqn,
		     const struct apv_rsa_me *req, uint8_t *out, int timeout_ms,
		     uint8_t *rc)
{
	uint64_t psmid;
	int e = apv_guest_rsa_me_send(g, apqn, req, &psmid, rc);

	if (e)
		return e;
	return wait_reply(g, apqn, psmid, out, req->mod_len, timeout_ms, rc);
}

int apv_guest_rsa_crt(struct apv_guest *g, apv_apqn apqn,
		      const struct apv_rsa_crt *req, uint8_t *out,
		      int timeout_ms, uint8_t *rc)
{
	uint64_t psmid;
	int e = apv_guest_rsa_crt_send(g, apqn, req, &psmid, rc);

	if (e)
		return e;
	return wait_reply(g, apqn, psmid, out, req->mod_len, timeout_ms, rc);
}
