// SPDX-License-Identifier: MIT
/*
 * The `apsim guest` console language (guest_line.h, docs/guest.md):
 *
 *   pqap fc=NAME|N [apqn=AA.QQQQ] [t=1] [f=1] [ir=0|1 isc=N nib=ADDR]
 *        [addr=ADDR] [type=N] [grN=V]... [p=1] [cc=N]
 *   nqap [apqn=..] [psmid=V] [addr=ADDR] [len=N] [data=HEX] [l=0|1]
 *        [special=1] [r1=N] [r2=N] [grN=V]...
 *   dqap [apqn=..] [addr=ADDR] [len=N] [dump=1] [r1=N] [r2=N] [grN=V]...
 *   mem write ADDR HEX | mem read ADDR LEN | irq [TIMEOUT_MS] | lsap
 *   events | regs
 *
 * '#' starts a comment; blank lines do nothing.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apvirt/apqn.h>
#include <apvirt/hex.h>

#include "guest_line.h"

#define MAX_TOKENS 32
#define MAX_DATA 16384u

static const char *const fc_names[] = {"tapq", "rapq", "zapq",
				       "aqic", "qci",  "qact"};

const char *apsim_gl_fc_name(uint64_t gr0, char buf[8])
{
	unsigned int fc = (unsigned int)(gr0 >> 24) & 0xff;

	if (fc < sizeof(fc_names) / sizeof(*fc_names))
		return fc_names[fc];
	snprintf(buf, 8, "fc%u", fc);
	return buf;
}

static int perr(char *err, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int perr(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int num(const char *s, uint64_t max, uint64_t *out)
{
	char *end;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &end, 0);
	if (errno || *end || *out > max)
		return -EINVAL;
	return 0;
}

static int hex_bytes(const char *s, uint8_t **out, size_t *len)
{
	size_t n = strlen(s);
	uint8_t *b;

	if (n % 2 || !n || n / 2 > MAX_DATA)
		return -EINVAL;
	b = malloc(n / 2);
	if (!b)
		return -ENOMEM;
	/* digits of either case, no prefix or separators */
	if (apv_hex_decode(s, n, b, n / 2, len)) {
		free(b);
		return -EINVAL;
	}
	*out = b;
	return 0;
}

static void set_gr(struct apsim_gl_cmd *c, unsigned int n, uint64_t v)
{
	c->gr[n] = v;
	c->set |= (uint16_t)(1u << n);
}

/* The symbolic operands of one instruction line. */
struct sym {
	bool fc_set, apqn_set, psmid_set, addr_set, len_set;
	bool ir_set, isc_set, nib_set, type_set;
	uint64_t fc, t, f, ir, isc, nib, addr, len, psmid, type, l, special;
	apv_apqn apqn;
	uint16_t raw; /* grN= given */
	uint64_t raw_v[16];
};

static int insn_token(struct apsim_gl_cmd *c, struct sym *s, const char *tok,
		      char *err, size_t errlen)
{
	const char *eq = strchr(tok, '=');
	char key[16];
	const char *v;
	uint64_t x;
	size_t kl;

	if (!eq || eq == tok || (size_t)(eq - tok) >= sizeof(key))
		return perr(err, errlen, "'%s': expected KEY=VALUE", tok);
	kl = (size_t)(eq - tok);
	memcpy(key, tok, kl);
	key[kl] = '\0';
	v = eq + 1;
#define NUM(max, dst)                                                          \
	do {                                                                   \
		if (num(v, (max), &x))                                         \
			return perr(err, errlen,                               \
				    "'%s': expected a number "                 \
				    "up to %llu",                              \
				    tok, (unsigned long long)(max));           \
		(dst) = x;                                                     \
	} while (0)
	if (key[0] == 'g' && key[1] == 'r' && key[2]) {
		uint64_t n;

		if (num(key + 2, 15, &n) || (key[2] == '0' && key[3]))
			return perr(err, errlen, "'%s': no register %s", tok,
				    key);
		NUM(UINT64_MAX, s->raw_v[n]);
		s->raw |= (uint16_t)(1u << n);
	} else if (!strcmp(key, "apqn")) {
		if (apv_apqn_parse(v, strlen(v), &s->apqn) || strchr(v, '\n'))
			return perr(err, errlen,
				    "'%s': expected an APQN like 05.0047", tok);
		s->apqn_set = true;
	} else if (!strcmp(key, "r1") || !strcmp(key, "r2")) {
		if (c->op == APSIM_GL_PQAP)
			return perr(err, errlen, "'%s': pqap has no %s", tok,
				    key);
		NUM(15, x);
		if (key[1] == '1')
			c->r1 = (unsigned int)x;
		else
			c->r2 = (unsigned int)x;
	} else if (!strcmp(key, "p")) {
		NUM(1, x);
		c->problem = (int)x;
	} else if (!strcmp(key, "cc")) {
		NUM(3, x);
		c->cc = (int)x;
	} else if (c->op == APSIM_GL_PQAP && !strcmp(key, "fc")) {
		size_t i;

		for (i = 0; i < sizeof(fc_names) / sizeof(*fc_names); i++)
			if (!strcmp(v, fc_names[i]))
				break;
		if (i < sizeof(fc_names) / sizeof(*fc_names))
			s->fc = i;
		else if (num(v, 255, &s->fc))
			return perr(err, errlen,
				    "'%s': unknown function code (tapq, rapq, "
				    "zapq, aqic, qci, qact or 0..255)",
				    tok);
		s->fc_set = true;
	} else if (c->op == APSIM_GL_PQAP && !strcmp(key, "t")) {
		NUM(1, s->t);
	} else if (c->op == APSIM_GL_PQAP &&
		   (!strcmp(key, "f") || !strcmp(key, "if"))) {
		NUM(1, s->f);
	} else if (c->op == APSIM_GL_PQAP && !strcmp(key, "ir")) {
		NUM(1, s->ir);
		s->ir_set = true;
	} else if (c->op == APSIM_GL_PQAP && !strcmp(key, "isc")) {
		NUM(7, s->isc);
		s->isc_set = true;
	} else if (c->op == APSIM_GL_PQAP && !strcmp(key, "nib")) {
		NUM(UINT64_MAX, s->nib);
		s->nib_set = true;
	} else if (c->op == APSIM_GL_PQAP && !strcmp(key, "type")) {
		NUM(255, s->type);
		s->type_set = true;
	} else if (!strcmp(key, "addr")) {
		NUM(UINT64_MAX, s->addr);
		s->addr_set = true;
	} else if (c->op != APSIM_GL_PQAP && !strcmp(key, "len")) {
		NUM(UINT64_MAX, s->len);
		s->len_set = true;
	} else if (c->op == APSIM_GL_NQAP && !strcmp(key, "psmid")) {
		NUM(UINT64_MAX, s->psmid);
		s->psmid_set = true;
	} else if (c->op == APSIM_GL_NQAP && !strcmp(key, "l")) {
		NUM(1, s->l);
	} else if (c->op == APSIM_GL_NQAP && !strcmp(key, "special")) {
		NUM(1, s->special);
	} else if (c->op == APSIM_GL_NQAP && !strcmp(key, "data")) {
		free(c->data);
		c->data = NULL;
		if (hex_bytes(v, &c->data, &c->data_len))
			return perr(err, errlen,
				    "'%.40s': expected 1 to %u bytes as hex "
				    "digits",
				    tok, MAX_DATA);
	} else if (c->op == APSIM_GL_DQAP && !strcmp(key, "dump")) {
		NUM(1, x);
		c->dump = x;
	} else {
		return perr(err, errlen, "'%s': unknown operand for %s", tok,
			    c->op == APSIM_GL_PQAP ? "pqap" :
			    c->op == APSIM_GL_NQAP ? "nqap" :
						     "dqap");
	}
#undef NUM
	return 0;
}

/* Turn the symbolic operands into registers; raw grN= win. */
static int build_regs(struct apsim_gl_cmd *c, struct sym *s, char *err,
		      size_t errlen)
{
	switch (c->op) {
	case APSIM_GL_PQAP:
		if (s->fc_set)
			set_gr(c, 0,
			       APV_GR0_FC(s->fc) | (s->t ? APV_GR0_T : 0) |
				       (s->f ? APV_GR0_F : 0) |
				       (s->apqn_set ? s->apqn : 0));
		else if (s->apqn_set || s->t || s->f)
			return perr(err, errlen,
				    "pqap: apqn=, t= and f= need fc=");
		else if (!(s->raw & 1))
			return perr(err, errlen, "pqap: fc= or gr0= needed");
		if (s->ir_set || s->isc_set)
			set_gr(c, 1,
			       (s->ir ? APV_AQIC_IR : 0) |
				       APV_AQIC_ISC(s->isc));
		if (s->type_set)
			set_gr(c, 1, s->type << 24);
		if (s->nib_set && s->addr_set)
			return perr(err, errlen,
				    "pqap: nib= and addr= both name GR2");
		if (s->nib_set)
			set_gr(c, 2, s->nib);
		if (s->addr_set)
			set_gr(c, 2, s->addr);
		break;
	case APSIM_GL_NQAP:
		if ((s->psmid_set && c->r1 > 14) ||
		    ((s->len_set || c->data) && c->r2 > 14))
			return perr(err, errlen,
				    "nqap: r1=%u r2=%u: psmid= and len= need "
				    "a register pair",
				    c->r1, c->r2);
		if (s->apqn_set)
			set_gr(c, 0,
			       (s->l ? APV_GR0_NQAP_L : 0) |
				       (s->special ? APV_GR0_NQAP_SPECIAL : 0) |
				       s->apqn);
		if (s->psmid_set) {
			set_gr(c, c->r1, s->psmid >> 32);
			set_gr(c, c->r1 + 1, s->psmid & 0xffffffffu);
		}
		if (s->addr_set)
			set_gr(c, c->r2, s->addr);
		if (s->len_set)
			set_gr(c, c->r2 + 1, s->len);
		else if (c->data)
			set_gr(c, c->r2 + 1, c->data_len);
		if (c->data && !s->addr_set)
			return perr(err, errlen, "nqap: data= needs addr=");
		break;
	case APSIM_GL_DQAP:
		if (s->len_set && c->r2 > 14)
			return perr(err, errlen,
				    "dqap: r2=%u: len= needs a register pair",
				    c->r2);
		if (s->apqn_set) {
			set_gr(c, 0, APV_GR0_DQAP | s->apqn);
			set_gr(c, 2, 0); /* Linux zeroes GR2 */
		}
		if (s->addr_set)
			set_gr(c, c->r2, s->addr);
		if (s->len_set)
			set_gr(c, c->r2 + 1, s->len);
		break;
	default:
		break;
	}
	for (unsigned int n = 0; n < 16; n++)
		if (s->raw & (1u << n))
			set_gr(c, n, s->raw_v[n]);
	return 0;
}

int apsim_gl_parse(const char *line, struct apsim_gl_cmd *c, char *err,
		   size_t errlen)
{
	char buf[2 * MAX_DATA + 256];
	char *tok[MAX_TOKENS], *save = NULL, *p;
	size_t nt = 0;
	struct sym s;
	uint64_t x;

	memset(c, 0, sizeof(*c));
	memset(&s, 0, sizeof(s));
	c->cc = -1;
	c->r1 = 4;
	c->r2 = 6;
	s.l = 1;
	err[0] = '\0';
	if (strlen(line) >= sizeof(buf))
		return perr(err, errlen, "line longer than %zu bytes",
			    sizeof(buf) - 1);
	memcpy(buf, line, strlen(line) + 1);
	p = strchr(buf, '#');
	if (p)
		*p = '\0';
	for (p = strtok_r(buf, " \t\r\n", &save); p;
	     p = strtok_r(NULL, " \t\r\n", &save)) {
		if (nt == MAX_TOKENS)
			return perr(err, errlen, "'%s': too many operands", p);
		tok[nt++] = p;
	}
	if (!nt)
		return 0;
	if (!strcmp(tok[0], "pqap") || !strcmp(tok[0], "nqap") ||
	    !strcmp(tok[0], "dqap")) {
		c->op = tok[0][0] == 'p' ? APSIM_GL_PQAP :
			tok[0][0] == 'n' ? APSIM_GL_NQAP :
					   APSIM_GL_DQAP;
		for (size_t i = 1; i < nt; i++)
			if (insn_token(c, &s, tok[i], err, errlen))
				goto bad;
		if (build_regs(c, &s, err, errlen))
			goto bad;
		return 0;
	}
	if (!strcmp(tok[0], "mem")) {
		bool wr = nt > 1 && !strcmp(tok[1], "write");

		if (nt < 2 || (!wr && strcmp(tok[1], "read")))
			return perr(err, errlen,
				    "'%s': expected mem read or "
				    "mem write",
				    nt > 1 ? tok[1] : "mem");
		if (nt != 4)
			return perr(err, errlen, "mem %s: expected %s", tok[1],
				    wr ? "ADDR HEX" : "ADDR LEN");
		if (num(tok[2], UINT64_MAX, &c->addr))
			return perr(err, errlen, "'%s': expected an address",
				    tok[2]);
		if (wr) {
			c->op = APSIM_GL_MEM_WRITE;
			if (hex_bytes(tok[3], &c->data, &c->data_len))
				return perr(
					err, errlen,
					"'%.40s': expected 1 to %u bytes as "
					"hex digits",
					tok[3], MAX_DATA);
		} else {
			c->op = APSIM_GL_MEM_READ;
			if (num(tok[3], MAX_DATA, &x) || !x)
				return perr(err, errlen,
					    "'%s': expected a length of 1 to "
					    "%u",
					    tok[3], MAX_DATA);
			c->len = (size_t)x;
		}
		return 0;
	}
	if (!strcmp(tok[0], "irq")) {
		c->op = APSIM_GL_IRQ;
		if (nt > 2)
			return perr(err, errlen, "'%s': irq takes one timeout",
				    tok[2]);
		if (nt == 2 && num(tok[1], 3600000, &x))
			return perr(err, errlen,
				    "'%s': expected a timeout in ms "
				    "(0..3600000)",
				    tok[1]);
		c->timeout_ms = nt == 2 ? (int)x : 0;
		return 0;
	}
	if (!strcmp(tok[0], "lsap") || !strcmp(tok[0], "events") ||
	    !strcmp(tok[0], "regs")) {
		c->op = tok[0][0] == 'l' ? APSIM_GL_LSAP :
			tok[0][0] == 'e' ? APSIM_GL_EVENTS :
					   APSIM_GL_REGS;
		if (nt > 1)
			return perr(err, errlen, "'%s': %s takes no operands",
				    tok[1], tok[0]);
		return 0;
	}
	return perr(err, errlen,
		    "'%s': unknown command (pqap, nqap, dqap, mem, irq, lsap, "
		    "events, regs)",
		    tok[0]);
bad:
	apsim_gl_free(c);
	return -EINVAL;
}

void apsim_gl_free(struct apsim_gl_cmd *c)
{
	free(c->data);
	c->data = NULL;
	c->data_len = 0;
}

static const char *pgm_name(enum apv_pgm p)
{
	switch (p) {
	case APV_PGM_OPERATION:
		return "operation";
	case APV_PGM_PRIVILEGED:
		return "privileged-operation";
	case APV_PGM_ADDRESSING:
		return "addressing";
	case APV_PGM_SPECIFICATION:
		return "specification";
	default:
		return "unknown";
	}
}

void apsim_gl_result(struct apv_strbuf *sb, enum apsim_gl_op op,
		     const struct apv_cpu_regs *before,
		     const struct apv_cpu_regs *after,
		     const struct apv_insn_result *res, unsigned int r2,
		     const uint8_t *data, size_t stored, bool dump)
{
	char fcb[8];

	apv_sb_puts(sb, op == APSIM_GL_PQAP ?
				apsim_gl_fc_name(before->gr[0], fcb) :
			op == APSIM_GL_NQAP ? "nqap" :
					      "dqap");
	if (res->pgm != APV_PGM_NONE) {
		apv_sb_printf(sb, " pgm=0x%02x %s", res->pgm,
			      pgm_name(res->pgm));
		return;
	}
	apv_sb_printf(sb, " cc=%u", res->cc);
	if (res->changed & 2) {
		uint32_t sw = (uint32_t)after->gr[1];

		apv_sb_printf(sb, " rc=%02x sw=%c%c%c%c", (sw >> 16) & 0xff,
			      sw & 0x80000000u ? 'E' : '-',
			      sw & 0x40000000u ? 'R' : '-',
			      sw & 0x20000000u ? 'F' : '-',
			      sw & 0x01000000u ? 'I' : '-');
	}
	for (unsigned int n = 0; n < 16; n++)
		if (res->changed & (1u << n))
			apv_sb_printf(sb, " gr%u=0x%016llx", n,
				      (unsigned long long)after->gr[n]);
	if (op == APSIM_GL_DQAP) {
		(void)r2;
		apv_sb_printf(sb, " stored=%zu", stored);
		if (dump && data && stored) {
			apv_sb_puts(sb, " data=");
			apv_sb_hex(sb, data, stored);
		}
	}
}
