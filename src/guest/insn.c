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

/* ---- the hot path: no printf, no jansson ---------------------------------- */

static char *put_s(char *p, const char *s)
{
	size_t n = strlen(s);

	/* text inside a line: the caller ends it */
	// NOLINTNEXTLINE(bugprone-not-null-terminated-result)
	memcpy(p, s, n);
	return p + n;
}

/* "0x%llx" */
static char *put_x(char *p, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[16];
	int n = 0;

	*p++ = '0';
	*p++ = 'x';
	do {
		tmp[n++] = digits[v & 15];
		v >>= 4;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

/* 0..99 */
static char *put_small(char *p, unsigned int v)
{
	if (v >= 10)
		*p++ = (char)('0' + v / 10);
	*p++ = (char)('0' + v % 10);
	return p;
}

/*
 * The request line (with its newline) into buf, which holds at least
 * 600 + 2 * msg_len bytes; returns its length.  The same text as
 * put_regs() and friends wrote with printf.
 */
static size_t request_line(char *buf, const char *cmd,
			   const struct apv_cpu_regs *r, int r1, int r2,
			   const void *msg, size_t msg_len, bool data)
{
	static const char digits[] = "0123456789abcdef";
	char *p = buf;
	bool first = true;

	p = put_s(p, "{\"cmd\":\"");
	p = put_s(p, cmd);
	p = put_s(p, "\",\"gr\":{");
	for (unsigned int i = 0; i < 16; i++) {
		if (!r->gr[i])
			continue;
		if (!first)
			*p++ = ',';
		first = false;
		*p++ = '"';
		p = put_small(p, i);
		p = put_s(p, "\":\"");
		p = put_x(p, r->gr[i]);
		*p++ = '"';
	}
	*p++ = '}';
	if (r->problem_state)
		p = put_s(p, ",\"problem\":true");
	if (r->cc) {
		p = put_s(p, ",\"cc\":");
		p = put_small(p, r->cc & 3u);
	}
	if (r1 >= 0) {
		p = put_s(p, ",\"r1\":");
		p = put_small(p, (unsigned int)r1);
		p = put_s(p, ",\"r2\":");
		p = put_small(p, (unsigned int)r2);
	}
	if (msg) {
		const uint8_t *b = msg;

		p = put_s(p, ",\"msg\":\"");
		for (size_t i = 0; i < msg_len; i++) {
			*p++ = digits[b[i] >> 4];
			*p++ = digits[b[i] & 15];
		}
		*p++ = '"';
	}
	if (data)
		p = put_s(p, ",\"data\":true");
	*p++ = '}';
	*p++ = '\n';
	return (size_t)(p - buf);
}

/* 0..15 for a hex digit (checked with hexdig()) */
static const uint8_t hexv[256] = {
	['0'] = 0,  ['1'] = 1,	['2'] = 2,  ['3'] = 3,	['4'] = 4,  ['5'] = 5,
	['6'] = 6,  ['7'] = 7,	['8'] = 8,  ['9'] = 9,	['a'] = 10, ['b'] = 11,
	['c'] = 12, ['d'] = 13, ['e'] = 14, ['f'] = 15, ['A'] = 10, ['B'] = 11,
	['C'] = 12, ['D'] = 13, ['E'] = 14, ['F'] = 15,
};

static bool hexdig(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static bool lit(const char **p, const char *s)
{
	size_t n = strlen(s);

	if (strncmp(*p, s, n))
		return false;
	*p += n;
	return true;
}

static bool num(const char **p, unsigned long max, unsigned long *v)
{
	const char *q = *p;

	*v = 0;
	while (*q >= '0' && *q <= '9' && *v <= max)
		*v = *v * 10 + (unsigned long)(*q++ - '0');
	if (q == *p || *v > max)
		return false;
	*p = q;
	return true;
}

/*
 * The success response exactly as apsim writes it:
 * {"ok":true,"pgm":P,"cc":C,"changed":N,"gr":{"n":"0x..",...}} with
 * ,"data":"hex" before the last brace for dqap_data.  false (nothing
 * trusted) for anything else: the jansson path reads it then.  l is
 * NUL-terminated.
 */
static bool fast_result(const char *l, struct apv_cpu_regs *regs,
			struct apv_insn_result *res, void *buf, size_t cap,
			size_t *stored)
{
	struct apv_cpu_regs r = *regs;
	unsigned long pgm, cc, changed, seen = 0;
	const char *p = l;

	if (!lit(&p, "{\"ok\":true,\"pgm\":") || !num(&p, 0xff, &pgm) ||
	    !lit(&p, ",\"cc\":") || !num(&p, 3, &cc) ||
	    !lit(&p, ",\"changed\":") || !num(&p, 0xffff, &changed) ||
	    !lit(&p, ",\"gr\":{"))
		return false;
	if (*p != '}') {
		do {
			unsigned long n;
			uint64_t v = 0;
			int digits = 0;

			if (!lit(&p, "\"") || !num(&p, 15, &n) ||
			    !lit(&p, "\":\"0x") || (seen & (1ul << n)))
				return false;
			while (hexdig(*p) && digits < 16) {
				v = v << 4 | hexv[(unsigned char)*p++];
				digits++;
			}
			if (!digits || *p != '"')
				return false;
			p++;
			r.gr[n] = v;
			seen |= 1ul << n;
		} while (lit(&p, ","));
	}
	if (!lit(&p, "}") || seen != changed)
		return false;
	if (lit(&p, ",\"data\":\"")) {
		const char *h = p;
		uint8_t *b = buf;
		size_t n;

		while (hexdig(*p))
			p++;
		n = (size_t)(p - h);
		if (!buf || *p != '"' || n % 2 || n / 2 > cap)
			return false;
		for (size_t i = 0; i < n / 2; i++)
			b[i] = (uint8_t)(hexv[(unsigned char)h[2 * i]] << 4 |
					 hexv[(unsigned char)h[2 * i + 1]]);
		*stored = n / 2;
		p++;
	}
	if (!lit(&p, "}") || *p)
		return false;
	*regs = r;
	res->pgm = (enum apv_pgm)pgm;
	res->cc = (unsigned int)cc;
	res->changed = (uint16_t)changed;
	if (res->pgm == APV_PGM_NONE)
		regs->cc = (uint8_t)res->cc;
	return true;
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
	char stack[8192], *line = stack, *l = NULL;
	size_t need = 600 + 2 * msg_len, len, n = 0;
	void *vr;
	json_t *o;
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
	len = request_line(line, cmd, regs, r1, r2, msg, msg_len, buf != NULL);
	rc = apvg_send_line(g, line, len, &l, &n);
	if (line != stack)
		free(line);
	if (rc)
		return mapped(g, rc);
	memset(res, 0, sizeof(*res));
	if (fast_result(l, regs, res, buf, cap, stored))
		return 0;
	/* anything else (an error, another form): through jansson */
	rc = apvg_response(g, l, n, &vr);
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
