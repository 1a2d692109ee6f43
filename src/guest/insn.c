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

#include <apvirt/strbuf.h>

#include "guest_int.h"

/* Bytes of guest memory per mem-read/mem-write request. */
#define MEM_CHUNK 16384u

static void put_regs(struct apv_strbuf *sb, const struct apv_cpu_regs *r)
{
	bool first = true;

	apv_sb_puts(sb, ",\"gr\":{");
	for (unsigned int i = 0; i < 16; i++) {
		if (!r->gr[i])
			continue;
		apv_sb_printf(sb, "%s\"%u\":\"0x%llx\"", first ? "" : ",", i,
			      (unsigned long long)r->gr[i]);
		first = false;
	}
	apv_sb_puts(sb, "}");
	if (r->problem_state)
		apv_sb_puts(sb, ",\"problem\":true");
	if (r->cc)
		apv_sb_printf(sb, ",\"cc\":%u", r->cc & 3u);
}

static int get_u64(const json_t *v, uint64_t *out)
{
	const char *s = json_string_value(v);
	char *end;

	if (json_is_integer(v)) {
		*out = (uint64_t)json_integer_value(v);
		return 0;
	}
	if (!s)
		return -EPROTO;
	*out = strtoull(s, &end, 0);
	return *end ? -EPROTO : 0;
}

/* Copy the response's result into *regs and *res. */
static int take_result(json_t *o, struct apv_cpu_regs *regs,
		       struct apv_insn_result *res)
{
	const json_t *gr = json_object_get(o, "gr"), *v;
	const char *key;

	memset(res, 0, sizeof(*res));
	if (!json_is_object(gr) || !json_is_integer(json_object_get(o, "cc")) ||
	    !json_is_integer(json_object_get(o, "pgm")))
		return -EPROTO;
	json_object_foreach((json_t *)gr, key, v)
	{
		unsigned long n = strtoul(key, NULL, 10);

		if (n > 15 || get_u64(v, &regs->gr[n]))
			return -EPROTO;
		res->changed |= (uint16_t)(1u << n);
	}
	res->pgm = (enum apv_pgm)json_integer_value(json_object_get(o, "pgm"));
	res->cc = (unsigned int)json_integer_value(json_object_get(o, "cc"));
	if (res->pgm == APV_PGM_NONE)
		regs->cc = (uint8_t)res->cc;
	return 0;
}

static int mapped(struct apv_guest *g, int rc)
{
	if (rc == -ENODEV || (rc < 0 && g->dropped))
		return -ENODEV;
	return rc;
}

/* Execute one instruction; *data / *stored for the dqap form. */
static int insn(struct apv_guest *g, const char *cmd, struct apv_cpu_regs *regs,
		int r1, int r2, const void *msg, size_t msg_len, void *buf,
		size_t cap, size_t *stored, struct apv_insn_result *res)
{
	struct apv_strbuf sb = APV_STRBUF_INIT;
	void *vr;
	json_t *o;
	int rc;

	if (stored)
		*stored = 0;
	if (!g || !regs || !res || r1 > 15 || r2 > 15)
		return -EINVAL;
	apv_sb_printf(&sb, "{\"cmd\":\"%s\"", cmd);
	put_regs(&sb, regs);
	if (r1 >= 0)
		apv_sb_printf(&sb, ",\"r1\":%d,\"r2\":%d", r1, r2);
	if (msg) {
		apv_sb_puts(&sb, ",\"msg\":\"");
		apvg_hex(&sb, msg, msg_len);
		apv_sb_puts(&sb, "\"");
	}
	if (buf)
		apv_sb_puts(&sb, ",\"data\":true");
	if (apv_sb_puts(&sb, "}")) {
		apv_sb_free(&sb);
		return -ENOMEM;
	}
	rc = apvg_call(g, sb.s, &vr);
	apv_sb_free(&sb);
	if (rc)
		return mapped(g, rc);
	o = vr;
	rc = take_result(o, regs, res);
	if (!rc && buf) {
		const json_t *d = json_object_get(o, "data");

		if (d && apvg_unhex(json_string_value(d), json_string_length(d),
				    buf, cap, stored))
			rc = -EPROTO;
	}
	json_decref(o);
	return rc;
}

int apv_guest_pqap(struct apv_guest *g, struct apv_cpu_regs *regs,
		   struct apv_insn_result *res)
{
	return insn(g, "guest.pqap", regs, -1, 0, NULL, 0, NULL, 0, NULL, res);
}

int apv_guest_nqap(struct apv_guest *g, struct apv_cpu_regs *regs,
		   unsigned int r1, unsigned int r2,
		   struct apv_insn_result *res)
{
	if (r1 > 15 || r2 > 15)
		return -EINVAL;
	return insn(g, "guest.nqap", regs, (int)r1, (int)r2, NULL, 0, NULL, 0,
		    NULL, res);
}

int apv_guest_dqap(struct apv_guest *g, struct apv_cpu_regs *regs,
		   unsigned int r1, unsigned int r2,
		   struct apv_insn_result *res)
{
	if (r1 > 15 || r2 > 15)
		return -EINVAL;
	return insn(g, "guest.dqap", regs, (int)r1, (int)r2, NULL, 0, NULL, 0,
		    NULL, res);
}

int apv_guest_nqap_msg(struct apv_guest *g, struct apv_cpu_regs *regs,
		       unsigned int r1, unsigned int r2, const void *msg,
		       size_t len, struct apv_insn_result *res)
{
	if (r1 > 15 || r2 > 15 || (!msg && len) || len > MEM_CHUNK)
		return -EINVAL;
	return insn(g, "guest.nqap", regs, (int)r1, (int)r2, msg ? msg : "",
		    len, NULL, 0, NULL, res);
}

int apv_guest_dqap_data(struct apv_guest *g, struct apv_cpu_regs *regs,
			unsigned int r1, unsigned int r2, void *buf, size_t cap,
			size_t *stored, struct apv_insn_result *res)
{
	size_t dummy;

	if (r1 > 15 || r2 > 15 || !buf)
		return -EINVAL;
	return insn(g, "guest.dqap", regs, (int)r1, (int)r2, NULL, 0, buf, cap,
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

		apv_sb_printf(&sb,
			      "{\"cmd\":\"guest.mem-write\",\"addr\":"
			      "\"0x%llx\",\"hex\":\"",
			      (unsigned long long)gpa);
		apvg_hex(&sb, b, n);
		if (apv_sb_puts(&sb, "\"}")) {
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

		snprintf(line, sizeof(line),
			 "{\"cmd\":\"guest.mem-read\",\"addr\":\"0x%llx\","
			 "\"len\":%zu}",
			 (unsigned long long)gpa, n);
		rc = apvg_call(g, line, &vr);
		if (rc)
			return mapped(g, rc);
		h = json_object_get(vr, "hex");
		rc = h ? apvg_unhex(json_string_value(h), json_string_length(h),
				    b, n, &got) :
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
