// SPDX-License-Identifier: MIT
/*
 * AP instructions and guest memory over the connection (guest.h (a)):
 * one request line per instruction with the registers that are not zero,
 * one response with the registers the instruction wrote.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <apvirt/hex.h>
#include <apvirt/proto/guest_wire.h>
#include <apvirt/proto/names.h>
#include <apvirt/strbuf.h>

#include "guest_int.h"

/* Bytes of guest memory per mem-read/mem-write request. */
#define MEM_CHUNK 16384u

static int mapped(struct apv_guest *g, int rc)
{
	if (rc == -ENODEV || (rc < 0 && g->dropped))
		return -ENODEV;
	return rc;
}

/* Execute one instruction; *data / *stored for the dqap form. */
static int insn(struct apv_guest *g, enum apv_gw_insn which,
		struct apv_cpu_regs *regs, int r1, int r2, const void *msg,
		size_t msg_len, void *buf, size_t cap, size_t *stored,
		struct apv_insn_result *res)
{
	char stack[8192], *line = stack, *l = NULL;
	size_t need = APV_GW_INSN_LINE_MAX(msg_len), len, n = 0;
	int rc;

	if (stored)
		*stored = 0;
	if (!g || !regs || !res || r1 > 15 || r2 > 15)
		return -EINVAL;
	if (need > sizeof(stack)) {
		line = malloc(need);
		if (!line)
			return -ENOMEM;
	}
	len = apv_gw_insn_line(line, which, regs, r1, r2, msg, msg_len,
			       buf != NULL);
	rc = apvg_send_line(g, line, len, &l, &n);
	if (line != stack)
		free(line);
	if (rc)
		return mapped(g, rc);
	/* the compact reply without jansson, any other form with it */
	rc = apv_gw_result_parse(l, n, regs, res, buf, cap, stored, g->err,
				 sizeof(g->err));
	return mapped(g, rc);
}

int apv_guest_pqap(struct apv_guest *g, struct apv_cpu_regs *regs,
		   struct apv_insn_result *res)
{
	return insn(g, APV_GW_PQAP, regs, -1, 0, NULL, 0, NULL, 0, NULL, res);
}

int apv_guest_nqap(struct apv_guest *g, struct apv_cpu_regs *regs,
		   unsigned int r1, unsigned int r2,
		   struct apv_insn_result *res)
{
	if (r1 > 15 || r2 > 15)
		return -EINVAL;
	return insn(g, APV_GW_NQAP, regs, (int)r1, (int)r2, NULL, 0, NULL, 0,
		    NULL, res);
}

int apv_guest_dqap(struct apv_guest *g, struct apv_cpu_regs *regs,
		   unsigned int r1, unsigned int r2,
		   struct apv_insn_result *res)
{
	if (r1 > 15 || r2 > 15)
		return -EINVAL;
	return insn(g, APV_GW_DQAP, regs, (int)r1, (int)r2, NULL, 0, NULL, 0,
		    NULL, res);
}

int apv_guest_nqap_msg(struct apv_guest *g, struct apv_cpu_regs *regs,
		       unsigned int r1, unsigned int r2, const void *msg,
		       size_t len, struct apv_insn_result *res)
{
	if (r1 > 15 || r2 > 15 || (!msg && len) || len > MEM_CHUNK)
		return -EINVAL;
	return insn(g, APV_GW_NQAP, regs, (int)r1, (int)r2, msg ? msg : "", len,
		    NULL, 0, NULL, res);
}

int apv_guest_dqap_data(struct apv_guest *g, struct apv_cpu_regs *regs,
			unsigned int r1, unsigned int r2, void *buf, size_t cap,
			size_t *stored, struct apv_insn_result *res)
{
	size_t dummy;

	if (r1 > 15 || r2 > 15 || !buf)
		return -EINVAL;
	return insn(g, APV_GW_DQAP, regs, (int)r1, (int)r2, NULL, 0, buf, cap,
		    stored ? stored : &dummy, res);
}

int apv_guest_mem_write(struct apv_guest *g, uint64_t gpa, const void *buf,
			size_t len)
{
	const uint8_t *b = buf;

	if (!g || (!buf && len))
		return -EINVAL;
	do {
		struct apv_strbuf sb = APV_STRBUF_INIT;
		size_t n = len < MEM_CHUNK ? len : MEM_CHUNK;
		void *vr;
		int rc;

		if (apv_gw_mem_write_line(&sb, gpa, b, n)) {
			apv_sb_free(&sb);
			return -ENOMEM;
		}
		rc = apvg_call(g, sb.s, &vr);
		apv_sb_free(&sb);
		if (rc)
			return mapped(g, rc);
		json_decref(vr);
		b += n;
		gpa += n;
		len -= n;
	} while (len);
	return 0;
}

int apv_guest_mem_read(struct apv_guest *g, uint64_t gpa, void *buf, size_t len)
{
	uint8_t *b = buf;

	if (!g || (!buf && len))
		return -EINVAL;
	do {
		size_t n = len < MEM_CHUNK ? len : MEM_CHUNK, got = 0;
		char line[128];
		const json_t *h;
		void *vr;
		int rc;

		apv_gw_mem_read_line(line, sizeof(line), gpa, n);
		rc = apvg_call(g, line, &vr);
		if (rc)
			return mapped(g, rc);
		h = json_object_get(vr, APV_KEY_HEX);
		rc = json_is_string(h) ?
			     apv_hex_decode(json_string_value(h),
					    json_string_length(h), b, n, &got) :
			     -EPROTO;
		json_decref(vr);
		if (rc || got != n)
			return -EPROTO;
		b += n;
		gpa += n;
		len -= n;
	} while (len);
	return 0;
}
