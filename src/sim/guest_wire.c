// SPDX-License-Identifier: MIT
/* The hot lines of guest sessions without jansson (guest_wire.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest_wire.h"

/* 0..15 for a hex digit, else 0xff. */
static const uint8_t hexv[256] = {
	['0'] = 0,  ['1'] = 1,	['2'] = 2,  ['3'] = 3,	['4'] = 4,  ['5'] = 5,
	['6'] = 6,  ['7'] = 7,	['8'] = 8,  ['9'] = 9,	['a'] = 10, ['b'] = 11,
	['c'] = 12, ['d'] = 13, ['e'] = 14, ['f'] = 15, ['A'] = 10, ['B'] = 11,
	['C'] = 12, ['D'] = 13, ['E'] = 14, ['F'] = 15,
};

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

struct cur {
	const char *p, *end;
};

static bool eat(struct cur *c, char ch)
{
	if (c->p < c->end && *c->p == ch) {
		c->p++;
		return true;
	}
	return false;
}

/* A string without escapes: its text in *s, *n. */
static bool str(struct cur *c, const char **s, size_t *n)
{
	const char *q;

	if (!eat(c, '"'))
		return false;
	for (q = c->p; q < c->end && *q != '"'; q++)
		if (*q == '\\' || (unsigned char)*q < 0x20)
			return false;
	if (q == c->end)
		return false;
	*s = c->p;
	*n = (size_t)(q - c->p);
	c->p = q + 1;
	return true;
}

/* A JSON integer 0..max without leading zeros (at most 18 digits). */
static bool uint_(struct cur *c, uint64_t max, uint64_t *v)
{
	const char *q = c->p;
	uint64_t x = 0;

	while (q < c->end && *q >= '0' && *q <= '9' && q - c->p < 19)
		x = x * 10 + (uint64_t)(*q++ - '0');
	if (q == c->p || q - c->p > 18 || (q - c->p > 1 && *c->p == '0') ||
	    (q < c->end && (*q == '.' || *q == 'e' || *q == 'E')) || x > max)
		return false;
	c->p = q;
	*v = x;
	return true;
}

static bool lit(struct cur *c, bool *v)
{
	if ((size_t)(c->end - c->p) >= 4 && !memcmp(c->p, "true", 4)) {
		c->p += 4;
		*v = true;
		return true;
	}
	if ((size_t)(c->end - c->p) >= 5 && !memcmp(c->p, "false", 5)) {
		c->p += 5;
		*v = false;
		return true;
	}
	return false;
}

/* A register value: "0x" and 1..16 hex digits, or a JSON integer. */
static bool reg(struct cur *c, uint64_t *v)
{
	const char *s;
	size_t n;

	if (c->p < c->end && *c->p != '"')
		return uint_(c, UINT64_MAX, v);
	if (!str(c, &s, &n) || n < 3 || n > 18 || s[0] != '0' || s[1] != 'x')
		return false;
	*v = 0;
	for (size_t i = 2; i < n; i++) {
		if (!is_hex(s[i]))
			return false;
		*v = *v << 4 | hexv[(unsigned char)s[i]];
	}
	return true;
}

static bool regs_obj(struct cur *c, struct apv_cpu_regs *r)
{
	unsigned int seen = 0;

	if (!eat(c, '{'))
		return false;
	if (eat(c, '}'))
		return true;
	do {
		const char *k;
		size_t n;
		uint64_t i;
		struct cur kc;

		if (!str(c, &k, &n))
			return false;
		kc = (struct cur){k, k + n};
		if (!uint_(&kc, 15, &i) || kc.p != kc.end ||
		    (seen & (1u << i)) || !eat(c, ':') || !reg(c, &r->gr[i]))
			return false;
		seen |= 1u << i;
	} while (eat(c, ','));
	return eat(c, '}');
}

enum {
	K_CMD = 1,
	K_GR = 2,
	K_PROBLEM = 4,
	K_CC = 8,
	K_R1 = 16,
	K_R2 = 32,
	K_MSG = 64,
	K_DATA = 128
};

static unsigned int key_of(const char *k, size_t n)
{
	static const struct {
		const char *name;
		unsigned int bit;
	} keys[] = {
		{"cmd", K_CMD}, {"gr", K_GR},	  {"problem", K_PROBLEM},
		{"cc", K_CC},	{"r1", K_R1},	  {"r2", K_R2},
		{"msg", K_MSG}, {"data", K_DATA},
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++)
		if (strlen(keys[i].name) == n && !memcmp(keys[i].name, k, n))
			return keys[i].bit;
	return 0;
}

static bool member(struct cur *c, unsigned int key, struct gw_req *o)
{
	const char *s;
	size_t n;
	uint64_t v;

	switch (key) {
	case K_CMD:
		if (!str(c, &s, &n) || n != 10 || memcmp(s, "guest.", 6))
			return false;
		if (!memcmp(s + 6, "pqap", 4))
			o->which = GW_PQAP;
		else if (!memcmp(s + 6, "nqap", 4))
			o->which = GW_NQAP;
		else if (!memcmp(s + 6, "dqap", 4))
			o->which = GW_DQAP;
		else
			return false;
		return true;
	case K_GR:
		return regs_obj(c, &o->regs);
	case K_PROBLEM:
		return lit(c, &o->regs.problem_state);
	case K_CC:
		if (!uint_(c, 3, &v))
			return false;
		o->regs.cc = (uint8_t)v;
		return true;
	case K_R1:
	case K_R2:
		if (!uint_(c, 15, &v))
			return false;
		*(key == K_R1 ? &o->r1 : &o->r2) = (unsigned int)v;
		return true;
	case K_MSG:
		if (!str(c, &o->msg, &o->msg_len) || o->msg_len % 2)
			return false;
		for (size_t i = 0; i < o->msg_len; i++)
			if (!is_hex(o->msg[i]))
				return false;
		return true;
	case K_DATA:
		return lit(c, &o->data);
	default:
		return false;
	}
}

bool gw_parse_insn(const char *line, size_t len, struct gw_req *out)
{
	struct cur c = {line, line + len};
	unsigned int seen = 0, allowed;

	memset(out, 0, sizeof(*out));
	if (!eat(&c, '{'))
		return false;
	do {
		const char *k;
		size_t n;
		unsigned int key;

		if (!str(&c, &k, &n) || !eat(&c, ':'))
			return false;
		key = key_of(k, n);
		if (!key || (seen & key) || !member(&c, key, out))
			return false;
		seen |= key;
	} while (eat(&c, ','));
	if (!eat(&c, '}') || c.p != c.end || !(seen & K_CMD))
		return false;
	allowed = K_CMD | K_GR | K_PROBLEM | K_CC;
	if (out->which == GW_NQAP)
		allowed |= K_R1 | K_R2 | K_MSG;
	else if (out->which == GW_DQAP)
		allowed |= K_R1 | K_R2 | K_DATA;
	if (seen & ~allowed)
		return false;
	/* NQAP and DQAP need both R fields (else the error of the slow path) */
	if (out->which != GW_PQAP && (seen & (K_R1 | K_R2)) != (K_R1 | K_R2))
		return false;
	return true;
}

void gw_unhex(const char *s, size_t n, uint8_t *out)
{
	for (size_t i = 0; i < n / 2; i++)
		out[i] = (uint8_t)(hexv[(unsigned char)s[2 * i]] << 4 |
				   hexv[(unsigned char)s[2 * i + 1]]);
}

/* "0x" and the value in hex without leading zeros, as "0x%llx". */
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

static char *put_u(char *p, uint64_t v)
{
	char tmp[20];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

static char *put_s(char *p, const char *s)
{
	size_t n = strlen(s);

	/* text inside a line: the caller ends it */
	// NOLINTNEXTLINE(bugprone-not-null-terminated-result)
	memcpy(p, s, n);
	return p + n;
}

char *gw_result(const struct apv_cpu_regs *r, const struct apv_insn_result *res,
		const uint8_t *data, size_t n)
{
	/* fixed part < 100 bytes, 16 registers < 16 * 26 */
	char *s = malloc(600 + (data ? 2 * n + 12 : 0)), *p = s;
	static const char digits[] = "0123456789abcdef";
	bool first = true;

	if (!s)
		return NULL;
	p = put_s(p, "{\"ok\":true,\"pgm\":");
	p = put_u(p, (uint64_t)res->pgm);
	p = put_s(p, ",\"cc\":");
	p = put_u(p, r->cc);
	p = put_s(p, ",\"changed\":");
	p = put_u(p, res->changed);
	p = put_s(p, ",\"gr\":{");
	for (unsigned int i = 0; i < 16; i++) {
		if (!(res->changed & (1u << i)))
			continue;
		if (!first)
			*p++ = ',';
		first = false;
		*p++ = '"';
		p = put_u(p, i);
		p = put_s(p, "\":\"");
		p = put_x(p, r->gr[i]);
		*p++ = '"';
	}
	*p++ = '}';
	if (data) {
		p = put_s(p, ",\"data\":\"");
		for (size_t i = 0; i < n; i++) {
			*p++ = digits[data[i] >> 4];
			*p++ = digits[data[i] & 15];
		}
		*p++ = '"';
	}
	*p++ = '}';
	*p = '\0';
	return s;
}

void gw_irq_event(char *buf, size_t size, unsigned int iscs, uint64_t total)
{
	snprintf(buf, size, "{\"event\":\"irq\",\"iscs\":%u,\"total\":%llu}",
		 iscs, (unsigned long long)total);
}
