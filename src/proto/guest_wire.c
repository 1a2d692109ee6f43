// SPDX-License-Identifier: MIT
/*
 * The guest.* codec (apvirt/proto/guest_wire.h): the compact forms written
 * and read by hand (the hot path, no jansson, no printf), every other form
 * through jansson.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apvirt/hex.h>
#include <apvirt/kvm.h>
#include <apvirt/proto/errname.h>
#include <apvirt/proto/guest_wire.h>
#include <apvirt/proto/names.h>

static const char *const insn_cmds[] = {
	[APV_GW_PQAP] = APV_CMD_GUEST_PQAP,
	[APV_GW_NQAP] = APV_CMD_GUEST_NQAP,
	[APV_GW_DQAP] = APV_CMD_GUEST_DQAP,
};

int apv_gw_insn_of(const char *cmd)
{
	for (int i = 0; i < 3; i++)
		if (!strcmp(cmd, insn_cmds[i]))
			return i;
	return -1;
}

const char *apv_gw_insn_cmd(enum apv_gw_insn which)
{
	return insn_cmds[which];
}

/* ---- writing without printf ------------------------------------------- */

static char *put_s(char *p, const char *s)
{
	size_t n = strlen(s);

	/* text inside a line: the caller ends it */
	// NOLINTNEXTLINE(bugprone-not-null-terminated-result)
	memcpy(p, s, n);
	return p + n;
}

/* "0x" and the value in hex without leading zeros, as "0x%llx". */
static char *put_x(char *p, uint64_t v)
{
	char tmp[16];
	int n = 0;

	*p++ = '0';
	*p++ = 'x';
	do {
		tmp[n++] = apv_hex_digits[v & 15];
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

static char *put_hex(char *p, const void *b, size_t n)
{
	apv_hex_encode(b, n, p);
	return p + 2 * n;
}

size_t apv_gw_insn_line(char *buf, enum apv_gw_insn which,
			const struct apv_cpu_regs *r, int r1, int r2,
			const void *msg, size_t msg_len, bool data)
{
	char *p = buf;
	bool first = true;

	p = put_s(p, "{\"cmd\":\"");
	p = put_s(p, insn_cmds[which]);
	p = put_s(p, "\",\"gr\":{");
	for (unsigned int i = 0; i < 16; i++) {
		if (!r->gr[i])
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
	if (r->problem_state)
		p = put_s(p, ",\"problem\":true");
	if (r->cc) {
		p = put_s(p, ",\"cc\":");
		p = put_u(p, r->cc & 3u);
	}
	if (r1 >= 0) {
		p = put_s(p, ",\"r1\":");
		p = put_u(p, (unsigned int)r1 & 15u);
		p = put_s(p, ",\"r2\":");
		p = put_u(p, (unsigned int)r2 & 15u);
	}
	if (msg) {
		p = put_s(p, ",\"msg\":\"");
		p = put_hex(p, msg, msg_len);
		*p++ = '"';
	}
	if (data)
		p = put_s(p, ",\"data\":true");
	*p++ = '}';
	*p++ = '\n';
	return (size_t)(p - buf);
}

char *apv_gw_result_line(const struct apv_cpu_regs *r,
			 const struct apv_insn_result *res, const uint8_t *data,
			 size_t n)
{
	/* fixed part < 100 bytes, 16 registers < 16 * 26 */
	char *s = malloc(600 + (data ? 2 * n + 12 : 0)), *p = s;
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
		p = put_hex(p, data, n);
		*p++ = '"';
	}
	*p++ = '}';
	*p = '\0';
	return s;
}

void apv_gw_irq_line(char *buf, size_t size, unsigned int iscs, uint64_t total)
{
	snprintf(buf, size, "{\"event\":\"irq\",\"iscs\":%u,\"total\":%llu}",
		 iscs, (unsigned long long)total);
}

void apv_gw_cfg_change_line(char *buf, size_t size, uint64_t count)
{
	snprintf(buf, size, "{\"event\":\"cfg_change\",\"count\":%llu}",
		 (unsigned long long)count);
}

void apv_gw_request_line(char *buf, size_t size, uint64_t count, bool closed)
{
	snprintf(buf, size,
		 "{\"event\":\"request\",\"count\":%llu,\"closed\":%s}",
		 (unsigned long long)count, closed ? "true" : "false");
}

/* ---- the compact request form ------------------------------------------- */

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
		int d = apv_hex_val(s[i]);

		if (d < 0)
			return false;
		*v = *v << 4 | (uint64_t)d;
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

static bool all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!apv_is_xdigit(s[i]))
			return false;
	return true;
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
		{APV_KEY_CMD, K_CMD},	      {APV_KEY_GR, K_GR},
		{APV_KEY_PROBLEM, K_PROBLEM}, {APV_KEY_CC, K_CC},
		{APV_KEY_R1, K_R1},	      {APV_KEY_R2, K_R2},
		{APV_KEY_MSG, K_MSG},	      {APV_KEY_DATA, K_DATA},
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++)
		if (strlen(keys[i].name) == n && !memcmp(keys[i].name, k, n))
			return keys[i].bit;
	return 0;
}

static bool member(struct cur *c, unsigned int key, struct apv_gw_req *o)
{
	const char *s;
	size_t n;
	uint64_t v;

	switch (key) {
	case K_CMD:
		if (!str(c, &s, &n) || n != 10 || memcmp(s, "guest.", 6))
			return false;
		if (!memcmp(s + 6, "pqap", 4))
			o->which = APV_GW_PQAP;
		else if (!memcmp(s + 6, "nqap", 4))
			o->which = APV_GW_NQAP;
		else if (!memcmp(s + 6, "dqap", 4))
			o->which = APV_GW_DQAP;
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
		return str(c, &o->msg, &o->msg_len) && !(o->msg_len % 2) &&
		       all_hex(o->msg, o->msg_len);
	case K_DATA:
		return lit(c, &o->data);
	default:
		return false;
	}
}

bool apv_gw_insn_parse(const char *line, size_t len, struct apv_gw_req *out)
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
	if (out->which == APV_GW_NQAP)
		allowed |= K_R1 | K_R2 | K_MSG;
	else if (out->which == APV_GW_DQAP)
		allowed |= K_R1 | K_R2 | K_DATA;
	if (seen & ~allowed)
		return false;
	/* NQAP and DQAP need both R fields (else the error of the slow path) */
	if (out->which != APV_GW_PQAP &&
	    (seen & (K_R1 | K_R2)) != (K_R1 | K_R2))
		return false;
	return true;
}

/* ---- requests in any form ------------------------------------------------- */

int apv_gw_check_keys(struct apv_req *r, const char *const *allowed)
{
	const char *key;
	json_t *v;

	json_object_foreach(r->req, key, v)
	{
		bool ok = !strcmp(key, APV_KEY_CMD) ||
			  !strcmp(key, APV_KEY_TAG);

		for (size_t i = 0; allowed[i] && !ok; i++)
			ok = !strcmp(key, allowed[i]);
		if (!ok)
			return apv_req_fail(r, EINVAL,
					    "unknown argument \"%.64s\"", key);
	}
	return 0;
}

int apv_gw_arg_u64(struct apv_req *r, const char *key, bool required,
		   uint64_t *out)
{
	const json_t *v = json_object_get(r->req, key);

	if (!v)
		return required ? apv_req_fail(r, EINVAL, "%s: missing", key) :
				  0;
	if (apv_json_u64(v, out))
		return apv_req_fail(r, EINVAL,
				    "%s: expected an unsigned integer or "
				    "\"0x...\"",
				    key);
	return 0;
}

static int arg_regs(struct apv_req *h, struct apv_cpu_regs *r)
{
	const json_t *gr = json_object_get(h->req, APV_KEY_GR), *v;
	const json_t *p = json_object_get(h->req, APV_KEY_PROBLEM);
	const char *key;
	uint64_t cc = 0;

	memset(r, 0, sizeof(*r));
	if (gr && !json_is_object(gr))
		return apv_req_fail(h, EINVAL,
				    "gr: expected an object {\"N\": value}");
	json_object_foreach((json_t *)gr, key, v)
	{
		char *end;
		unsigned long n = strtoul(key, &end, 10);

		if (!*key || *end || n > 15)
			return apv_req_fail(h, EINVAL,
					    "gr: key \"%.16s\": expected 0..15",
					    key);
		if (apv_json_u64(v, &r->gr[n]))
			return apv_req_fail(h, EINVAL,
					    "gr.%lu: expected an unsigned "
					    "integer or \"0x...\"",
					    n);
	}
	if (p && !json_is_boolean(p))
		return apv_req_fail(h, EINVAL,
				    "problem: expected true or false");
	r->problem_state = json_is_true(p);
	if (apv_gw_arg_u64(h, APV_KEY_CC, false, &cc))
		return h->err;
	if (cc > 3)
		return apv_req_fail(h, EINVAL, "cc: expected 0..3");
	r->cc = (uint8_t)cc;
	return 0;
}

static int arg_reg_no(struct apv_req *h, const char *key, unsigned int *out)
{
	uint64_t v = 0;

	if (apv_gw_arg_u64(h, key, true, &v))
		return h->err;
	if (v > 15)
		return apv_req_fail(h, EINVAL, "%s: expected 0..15", key);
	*out = (unsigned int)v;
	return 0;
}

int apv_gw_insn_from_json(struct apv_req *h, enum apv_gw_insn which,
			  struct apv_gw_req *out)
{
	static const char *const pkeys[] = {APV_KEY_GR, APV_KEY_PROBLEM,
					    APV_KEY_CC, NULL};
	static const char *const nkeys[] = {APV_KEY_GR, APV_KEY_PROBLEM,
					    APV_KEY_CC, APV_KEY_R1,
					    APV_KEY_R2, APV_KEY_MSG,
					    NULL};
	static const char *const dkeys[] = {APV_KEY_GR, APV_KEY_PROBLEM,
					    APV_KEY_CC, APV_KEY_R1,
					    APV_KEY_R2, APV_KEY_DATA,
					    NULL};

	memset(out, 0, sizeof(*out));
	out->which = which;
	if (apv_gw_check_keys(h, which == APV_GW_PQAP ? pkeys :
				 which == APV_GW_NQAP ? nkeys :
							dkeys) ||
	    arg_regs(h, &out->regs))
		return h->err;
	if (which != APV_GW_PQAP && (arg_reg_no(h, APV_KEY_R1, &out->r1) ||
				     arg_reg_no(h, APV_KEY_R2, &out->r2)))
		return h->err;
	if (which == APV_GW_NQAP) {
		const json_t *m = json_object_get(h->req, APV_KEY_MSG);

		if (m) {
			out->msg = json_string_value(m);
			out->msg_len = json_string_length(m);
			if (!out->msg || out->msg_len % 2 ||
			    !all_hex(out->msg, out->msg_len))
				return apv_req_fail(h, EINVAL,
						    "msg: expected hex digits");
		}
	}
	/* dqap: "data" is read as it always was: true or anything else */
	out->data = which == APV_GW_DQAP &&
		    json_is_true(json_object_get(h->req, APV_KEY_DATA));
	return 0;
}

/* ---- replies ------------------------------------------------------------- */

int apv_gw_result_json(struct apv_req *h, const struct apv_cpu_regs *r,
		       const struct apv_insn_result *res)
{
	json_t *gr = json_object();

	if (!gr)
		return apv_req_oom(h);
	for (unsigned int i = 0; i < 16; i++) {
		char k[4];

		if (!(res->changed & (1u << i)))
			continue;
		snprintf(k, sizeof(k), "%u", i);
		if (apv_req_set(h, gr, k, apv_json_x64(r->gr[i]))) {
			json_decref(gr);
			return h->err;
		}
	}
	if (apv_req_set(h, NULL, APV_KEY_PGM, json_integer(res->pgm)) ||
	    apv_req_set(h, NULL, APV_KEY_CC, json_integer(r->cc)) ||
	    apv_req_set(h, NULL, APV_KEY_CHANGED, json_integer(res->changed)) ||
	    apv_req_set(h, NULL, APV_KEY_GR, gr))
		return h->err;
	return 0;
}

int apv_reply_status(const json_t *o, char *err, size_t err_len)
{
	const char *en, *msg;
	int e;

	if (json_is_true(json_object_get(o, APV_KEY_OK)))
		return 0;
	en = json_string_value(json_object_get(o, APV_KEY_ERRNO));
	msg = json_string_value(json_object_get(o, APV_KEY_ERROR));
	/* a name this side does not know: a broken reply */
	e = apv_errno_of(en);
	if (err && err_len)
		snprintf(err, err_len, "%s: %s", en ? en : "?", msg ? msg : "");
	return e ? -e : -EPROTO;
}

/* The compact reader of the hot reply: l is NUL-terminated. */
static bool rlit(const char **p, const char *s)
{
	size_t n = strlen(s);

	if (strncmp(*p, s, n))
		return false;
	*p += n;
	return true;
}

static bool rnum(const char **p, unsigned long max, unsigned long *v)
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

/* The reply exactly as apv_gw_result_line() writes it; false otherwise. */
static bool fast_result(const char *l, struct apv_cpu_regs *regs,
			struct apv_insn_result *res, void *buf, size_t cap,
			size_t *stored)
{
	struct apv_cpu_regs r = *regs;
	unsigned long pgm, cc, changed, seen = 0;
	const char *p = l;

	if (!rlit(&p, "{\"ok\":true,\"pgm\":") || !rnum(&p, 0xff, &pgm) ||
	    !rlit(&p, ",\"cc\":") || !rnum(&p, 3, &cc) ||
	    !rlit(&p, ",\"changed\":") || !rnum(&p, 0xffff, &changed) ||
	    !rlit(&p, ",\"gr\":{"))
		return false;
	if (*p != '}') {
		do {
			unsigned long n;
			uint64_t v = 0;
			int digits = 0;

			if (!rlit(&p, "\"") || !rnum(&p, 15, &n) ||
			    !rlit(&p, "\":\"0x") || (seen & (1ul << n)))
				return false;
			while (apv_is_xdigit(*p) && digits < 16) {
				v = v << 4 | (uint64_t)apv_hex_val(*p++);
				digits++;
			}
			if (!digits || *p != '"')
				return false;
			p++;
			r.gr[n] = v;
			seen |= 1ul << n;
		} while (rlit(&p, ","));
	}
	if (!rlit(&p, "}") || seen != changed)
		return false;
	if (rlit(&p, ",\"data\":\"")) {
		const char *h = p;
		size_t n;

		while (apv_is_xdigit(*p))
			p++;
		n = (size_t)(p - h);
		if (!buf || *p != '"' || n % 2 || n / 2 > cap)
			return false;
		apv_hex_decode(h, n, buf, cap, stored);
		p++;
	}
	if (!rlit(&p, "}") || *p)
		return false;
	*regs = r;
	res->pgm = (enum apv_pgm)pgm;
	res->cc = (unsigned int)cc;
	res->changed = (uint16_t)changed;
	if (res->pgm == APV_PGM_NONE)
		regs->cc = (uint8_t)res->cc;
	return true;
}

/* Any other form of a success reply. */
static int json_result(const json_t *o, struct apv_cpu_regs *regs,
		       struct apv_insn_result *res, void *buf, size_t cap,
		       size_t *stored)
{
	const json_t *gr = json_object_get(o, APV_KEY_GR), *v;
	const json_t *pgm = json_object_get(o, APV_KEY_PGM);
	const json_t *cc = json_object_get(o, APV_KEY_CC);
	const json_t *d = json_object_get(o, APV_KEY_DATA);
	struct apv_cpu_regs r = *regs;
	uint16_t changed = 0;
	const char *key;

	if (!json_is_object(gr) || !json_is_integer(cc) ||
	    !json_is_integer(pgm) || json_integer_value(cc) < 0 ||
	    json_integer_value(cc) > 3 || json_integer_value(pgm) < 0 ||
	    json_integer_value(pgm) > 0xff)
		return -EPROTO;
	json_object_foreach((json_t *)gr, key, v)
	{
		char *end;
		unsigned long n = strtoul(key, &end, 10);

		if (!*key || *end || n > 15 || apv_json_u64(v, &r.gr[n]))
			return -EPROTO;
		changed |= (uint16_t)(1u << n);
	}
	if (buf && d &&
	    (!json_is_string(d) ||
	     apv_hex_decode(json_string_value(d), json_string_length(d), buf,
			    cap, stored)))
		return -EPROTO;
	*regs = r;
	res->changed = changed;
	res->pgm = (enum apv_pgm)json_integer_value(pgm);
	res->cc = (unsigned int)json_integer_value(cc);
	if (res->pgm == APV_PGM_NONE)
		regs->cc = (uint8_t)res->cc;
	return 0;
}

int apv_gw_result_parse(const char *l, size_t n, struct apv_cpu_regs *regs,
			struct apv_insn_result *res, void *buf, size_t cap,
			size_t *stored, char *err, size_t err_len)
{
	json_t *o;
	int rc;

	memset(res, 0, sizeof(*res));
	if (fast_result(l, regs, res, buf, cap, stored))
		return 0;
	/* anything else (an error, another form): through jansson */
	o = json_loadb(l, n, 0, NULL);
	if (!json_is_object(o)) {
		json_decref(o);
		return -EPROTO;
	}
	rc = apv_reply_status(o, err, err_len);
	if (!rc)
		rc = json_result(o, regs, res, buf, cap, stored);
	json_decref(o);
	return rc;
}

/* ---- events -------------------------------------------------------------- */

/*
 * The irq event exactly as apv_gw_irq_line() writes it, read without
 * jansson; false for any other line.
 */
static bool fast_irq(const char *line, size_t n, struct apv_gw_event *ev)
{
	static const char head[] = "{\"event\":\"irq\",\"iscs\":";
	const char *p = line + sizeof(head) - 1, *end = line + n;
	unsigned long iscs = 0;
	uint64_t total = 0;

	if (n < sizeof(head) || memcmp(line, head, sizeof(head) - 1))
		return false;
	if (p == end || *p < '0' || *p > '9')
		return false;
	while (p < end && *p >= '0' && *p <= '9' && iscs <= 0xff)
		iscs = iscs * 10 + (unsigned long)(*p++ - '0');
	if (iscs > 0xff || end - p < 11 || memcmp(p, ",\"total\":", 9))
		return false;
	for (p += 9; p < end && *p >= '0' && *p <= '9'; p++)
		total = total * 10 + (uint64_t)(*p - '0');
	if (p + 1 != end || *p != '}')
		return false;
	memset(ev, 0, sizeof(*ev));
	ev->kind = APV_GW_EV_IRQ;
	ev->iscs = (unsigned int)iscs;
	ev->total = total;
	return true;
}

static uint64_t json_count(const json_t *v)
{
	json_int_t n = json_integer_value(v);

	return n > 0 ? (uint64_t)n : 0;
}

int apv_gw_event_parse(const char *l, size_t n, struct apv_gw_event *ev,
		       json_t **reply)
{
	const char *name;
	json_t *o;

	*reply = NULL;
	if (fast_irq(l, n, ev))
		return 1;
	o = json_loadb(l, n, 0, NULL);
	if (!json_is_object(o)) {
		json_decref(o);
		return -EPROTO;
	}
	if (!json_object_get(o, APV_KEY_EVENT)) {
		*reply = o;
		return 0;
	}
	memset(ev, 0, sizeof(*ev));
	name = json_string_value(json_object_get(o, APV_KEY_EVENT));
	if (!name) {
		ev->kind = APV_GW_EV_OTHER;
	} else if (!strcmp(name, APV_EVENT_IRQ)) {
		ev->kind = APV_GW_EV_IRQ;
		ev->iscs = (unsigned int)json_integer_value(
				   json_object_get(o, APV_KEY_ISCS)) &
			   0xffu;
		ev->total = json_count(json_object_get(o, APV_KEY_TOTAL));
	} else if (!strcmp(name, APV_EVENT_CFG_CHANGE)) {
		ev->kind = APV_GW_EV_CFG_CHANGE;
		ev->count = json_count(json_object_get(o, APV_KEY_COUNT));
	} else if (!strcmp(name, APV_EVENT_REQUEST)) {
		ev->kind = APV_GW_EV_REQUEST;
		ev->count = json_count(json_object_get(o, APV_KEY_COUNT));
		ev->closed = json_is_true(json_object_get(o, APV_KEY_CLOSED));
	} else {
		ev->kind = APV_GW_EV_OTHER;
	}
	json_decref(o);
	return 1;
}

/* ---- attach, memory -------------------------------------------------------- */

const struct apv_gw_cpu_name apv_gw_cpu_names[5] = {
	{"ap", APV_CPU_AP},	{"apqci", APV_CPU_APQCI},
	{"apft", APV_CPU_APFT}, {"apqi", APV_CPU_APQI},
	{"msa3", APV_CPU_MSA3},
};

#define N_CPU (sizeof(apv_gw_cpu_names) / sizeof(*apv_gw_cpu_names))

json_t *apv_gw_cpu_json(unsigned int cpu)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < N_CPU; i++)
		if ((cpu & apv_gw_cpu_names[i].bit) &&
		    json_array_append_new(
			    a, json_string(apv_gw_cpu_names[i].name))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

int apv_gw_cpu_parse(const json_t *v, unsigned int *out, size_t *bad)
{
	const json_t *e;
	size_t i;

	*out = 0;
	if (!json_is_array(v)) {
		*bad = SIZE_MAX;
		return -EINVAL;
	}
	json_array_foreach(v, i, e)
	{
		const char *n = json_string_value(e);
		size_t k;

		for (k = 0; n && k < N_CPU; k++)
			if (!strcmp(n, apv_gw_cpu_names[k].name))
				break;
		if (!n || k == N_CPU) {
			*bad = i;
			return -EINVAL;
		}
		*out |= apv_gw_cpu_names[k].bit;
	}
	return 0;
}

char *apv_gw_attach_line(const char *mdev, const char *name, unsigned int cpu,
			 uint64_t mem)
{
	/* {"cmd":"guest.attach","mdev":..,"name":..,"mem":N,"cpu":[..]} */
	json_t *req = json_pack("{s:s,s:s,s:s,s:I}", APV_KEY_CMD,
				APV_CMD_GUEST_ATTACH, APV_KEY_MDEV, mdev,
				APV_KEY_NAME, name, APV_KEY_MEM,
				(json_int_t)mem);
	json_t *c = apv_gw_cpu_json(cpu);
	char *s = NULL;

	if (req && c && !json_object_set_new(req, APV_KEY_CPU, c)) {
		c = NULL;
		s = json_dumps(req, JSON_COMPACT);
	}
	json_decref(c);
	json_decref(req);
	return s;
}

int apv_gw_mem_write_line(struct apv_strbuf *sb, uint64_t gpa, const void *b,
			  size_t n)
{
	if (apv_sb_printf(sb,
			  "{\"cmd\":\"" APV_CMD_GUEST_MEM_WRITE
			  "\",\"addr\":\"0x%llx\",\"hex\":\"",
			  (unsigned long long)gpa) ||
	    apv_sb_hex(sb, b, n) || apv_sb_puts(sb, "\"}"))
		return -ENOMEM;
	return 0;
}

void apv_gw_mem_read_line(char *buf, size_t size, uint64_t gpa, size_t n)
{
	snprintf(buf, size,
		 "{\"cmd\":\"" APV_CMD_GUEST_MEM_READ
		 "\",\"addr\":\"0x%llx\",\"len\":%zu}",
		 (unsigned long long)gpa, n);
}

json_t *apv_json_hex(const void *b, size_t n)
{
	char stack[512], *s = stack;
	json_t *v;

	if (2 * n > sizeof(stack)) {
		s = malloc(2 * n);
		if (!s)
			return NULL;
	}
	apv_hex_encode(b, n, s);
	v = json_stringn(s, 2 * n);
	if (s != stack)
		free(s);
	return v;
}
