// SPDX-License-Identifier: MIT
/*
 * The pure parts of guests as processes: the `apsim guest` console
 * language (src/sim/guest_line.c) and msgtype50 (src/guest/msg50.c): the
 * smallest MEB/CRB format, right-justified operands, the type 80 checks
 * Linux makes and type 82 reply codes.  RSA results against libcrypto are
 * checked through a real apsim (tests/integration/guest-rsa.sh).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <apvirt/engine.h>
#include <apvirt/hex.h>

#include "guest_int.h"
#include "guest_line.h"

static struct apsim_gl_cmd parse_ok(const char *line)
{
	struct apsim_gl_cmd c;
	char err[256];

	assert_int_equal(apsim_gl_parse(line, &c, err, sizeof(err)), 0);
	return c;
}

static void parse_bad(const char *line, const char *token)
{
	struct apsim_gl_cmd c;
	char err[256];

	assert_int_equal(apsim_gl_parse(line, &c, err, sizeof(err)), -EINVAL);
	if (!strstr(err, token))
		fail_msg("'%s': error '%s' does not name '%s'", line, err,
			 token);
}

static void test_line_pqap(void **state)
{
	struct apsim_gl_cmd c;

	(void)state;
	c = parse_ok("pqap fc=tapq apqn=05.0047 t=1");
	assert_int_equal(c.op, APSIM_GL_PQAP);
	assert_int_equal(c.set, 1);
	assert_true(c.gr[0] == (APV_GR0_T | 0x0547));
	c = parse_ok("pqap fc=aqic apqn=05.0047 ir=1 isc=6 nib=0x1000");
	assert_int_equal(c.set, 7);
	assert_true(c.gr[0] == (APV_GR0_FC(3) | 0x0547));
	assert_true(c.gr[1] == (APV_AQIC_IR | 6));
	assert_true(c.gr[2] == 0x1000);
	c = parse_ok("pqap fc=qci addr=0x2000   # comment");
	assert_true(c.gr[0] == APV_GR0_FC(4) && c.gr[2] == 0x2000);
	c = parse_ok("pqap gr0=0x3000547 gr1=0x800000000006 gr2=4096 p=1 cc=2");
	assert_int_equal(c.set, 7);
	assert_int_equal(c.problem, 1);
	assert_int_equal(c.cc, 2);
	c = parse_ok("pqap fc=7 apqn=ff.00ff");
	assert_true(c.gr[0] == (APV_GR0_FC(7) | 0xffff));
	/* raw registers win over the symbolic ones */
	c = parse_ok("pqap fc=tapq apqn=01.0002 gr0=5");
	assert_true(c.gr[0] == 5);
}

static void test_line_nqap_dqap(void **state)
{
	struct apsim_gl_cmd c;

	(void)state;
	c = parse_ok("nqap apqn=04.0047 psmid=0x100000002 addr=0x3000 "
		     "data=00500010");
	assert_int_equal(c.op, APSIM_GL_NQAP);
	assert_true(c.gr[0] == (APV_GR0_NQAP_L | 0x0447));
	assert_true(c.gr[4] == 1 && c.gr[5] == 2);
	assert_true(c.gr[6] == 0x3000 && c.gr[7] == 4);
	assert_int_equal(c.data_len, 4);
	assert_int_equal(c.data[1], 0x50);
	apsim_gl_free(&c);
	c = parse_ok("nqap apqn=04.0047 l=0 special=1 r1=8 r2=10 len=16");
	assert_true(c.gr[0] == (APV_GR0_NQAP_SPECIAL | 0x0447));
	assert_true(c.gr[11] == 16 && c.r1 == 8 && c.r2 == 10);
	c = parse_ok("dqap apqn=04.0047 addr=0x4000 len=4096 dump=1");
	assert_true(c.gr[0] == (APV_GR0_DQAP | 0x0447));
	assert_int_equal(c.set, (1 << 0) | (1 << 2) | (1 << 6) | (1 << 7));
	assert_true(c.dump);
	c = parse_ok("dqap r1=5 r2=6");
	assert_int_equal(c.set, 0);
	assert_int_equal(c.r1, 5);
}

static void test_line_other(void **state)
{
	struct apsim_gl_cmd c;

	(void)state;
	c = parse_ok("   # only a comment");
	assert_int_equal(c.op, APSIM_GL_NOP);
	c = parse_ok("");
	assert_int_equal(c.op, APSIM_GL_NOP);
	c = parse_ok("mem write 0x10 A0b1");
	assert_int_equal(c.op, APSIM_GL_MEM_WRITE);
	assert_true(c.addr == 0x10 && c.data_len == 2 && c.data[0] == 0xa0);
	apsim_gl_free(&c);
	c = parse_ok("mem read 4096 16");
	assert_true(c.op == APSIM_GL_MEM_READ && c.addr == 4096 && c.len == 16);
	c = parse_ok("irq 250");
	assert_true(c.op == APSIM_GL_IRQ && c.timeout_ms == 250);
	c = parse_ok("irq");
	assert_int_equal(c.timeout_ms, 0);
	assert_int_equal(parse_ok("lsap").op, APSIM_GL_LSAP);
	assert_int_equal(parse_ok("events").op, APSIM_GL_EVENTS);
	assert_int_equal(parse_ok("regs").op, APSIM_GL_REGS);
}

static void test_line_errors(void **state)
{
	(void)state;
	parse_bad("pqap fc=bogus", "fc=bogus");
	parse_bad("pqap apqn=05.0047", "fc=");
	parse_bad("pqap fc=tapq apqn=5.47", "apqn=5.47");
	parse_bad("pqap fc=tapq t=2", "t=2");
	parse_bad("pqap fc=aqic isc=8", "isc=8");
	parse_bad("pqap fc=tapq gr16=1", "gr16");
	parse_bad("pqap fc=tapq r1=2", "r1=2");
	parse_bad("pqap fc=tapq nonsense", "nonsense");
	parse_bad("nqap data=0g", "data=0g");
	parse_bad("nqap data=00", "addr=");
	parse_bad("nqap psmid=1 r1=15", "r1=15");
	parse_bad("dqap psmid=1", "psmid=1");
	parse_bad("mem read 0x10", "ADDR LEN");
	parse_bad("mem read x 4", "'x'");
	parse_bad("mem peek 0 1", "peek");
	parse_bad("irq soon", "soon");
	parse_bad("lsap -V", "-V");
	parse_bad("reboot", "reboot");
}

static void test_result_format(void **state)
{
	struct apv_cpu_regs b = {0}, a = {0};
	struct apv_insn_result r = {.cc = 3, .changed = 6};
	struct apv_strbuf sb = APV_STRBUF_INIT;
	uint8_t d[4] = {0, 0x82, 0, 0};

	(void)state;
	b.gr[0] = APV_GR0_FC(0) | 0x0447;
	a.gr[1] = 0x00010000;
	apsim_gl_result(&sb, APSIM_GL_PQAP, &b, &a, &r, 0, NULL, 0, false);
	assert_string_equal(apv_sb_str(&sb),
			    "tapq cc=3 rc=01 sw=---- "
			    "gr1=0x0000000000010000 gr2=0x0000000000000000");
	apv_sb_reset(&sb);
	r = (struct apv_insn_result){.pgm = APV_PGM_SPECIFICATION};
	apsim_gl_result(&sb, APSIM_GL_NQAP, &b, &a, &r, 6, NULL, 0, false);
	assert_string_equal(apv_sb_str(&sb), "nqap pgm=0x06 specification");
	apv_sb_reset(&sb);
	r = (struct apv_insn_result){.cc = 0, .changed = 2};
	a.gr[1] = 0x81000000;
	apsim_gl_result(&sb, APSIM_GL_DQAP, &b, &a, &r, 6, d, 4, true);
	assert_string_equal(apv_sb_str(&sb),
			    "dqap cc=0 rc=00 sw=E--I gr1=0x0000000081000000 "
			    "stored=4 data=00820000");
	apv_sb_free(&sb);
}

/* ---- msgtype50 ----------------------------------------------------------- */

static void test_type50_me_formats(void **state)
{
	static const struct {
		size_t mod_len, total, w;
		unsigned int kb;
	} f[] = {
		{1, 400, 128, APV_KB_MEB1},    {128, 400, 128, APV_KB_MEB1},
		{129, 784, 256, APV_KB_MEB2},  {256, 784, 256, APV_KB_MEB2},
		{257, 1552, 512, APV_KB_MEB3}, {512, 1552, 512, APV_KB_MEB3},
	};
	uint8_t buf[APVG_TYPE50_MAX], mod[512], exp[3] = {0, 1, 3}, msg[2];

	(void)state;
	memset(mod, 0xab, sizeof(mod));
	msg[0] = 0x12;
	msg[1] = 0x34;
	for (size_t i = 0; i < sizeof(f) / sizeof(*f); i++) {
		struct apv_rsa_me r = {.msg = msg,
				       .msg_len = 2,
				       .exp = exp,
				       .exp_len = 3,
				       .mod = mod,
				       .mod_len = f[i].mod_len};
		const uint8_t *p = buf + 16;

		assert_int_equal(apvg_type50_me(&r, buf), (int)f[i].total);
		assert_int_equal(buf[1], 0x50);
		assert_int_equal(buf[2] << 8 | buf[3], f[i].total);
		assert_int_equal(buf[8] << 8 | buf[9], f[i].kb);
		for (size_t k = 0; k < 16; k++)
			if (k != 1 && k != 2 && k != 3 && k != 9)
				assert_int_equal(buf[k], 0);
		/* exponent 0x0103 right-justified (leading zero stripped) */
		assert_int_equal(p[f[i].w - 2], 1);
		assert_int_equal(p[f[i].w - 1], 3);
		assert_int_equal(p[f[i].w - 3], 0);
		/* modulus: mod_len bytes at the end of its field */
		assert_int_equal(p[2 * f[i].w - f[i].mod_len], 0xab);
		if (f[i].mod_len < f[i].w)
			assert_int_equal(p[2 * f[i].w - f[i].mod_len - 1], 0);
		assert_int_equal(p[3 * f[i].w - 2], 0x12);
		assert_int_equal(p[3 * f[i].w - 1], 0x34);
	}
}

static void test_type50_crt_formats(void **state)
{
	uint8_t buf[APVG_TYPE50_MAX], v[256], msg[1] = {7};
	struct apv_rsa_crt r = {.msg = msg,
				.msg_len = 1,
				.p = v,
				.q = v,
				.dp = v,
				.dq = v,
				.u = v};

	(void)state;
	memset(v, 0x11, sizeof(v));
	r.p_len = r.q_len = r.dp_len = r.dq_len = r.u_len = 64;
	r.mod_len = 128;
	assert_int_equal(apvg_type50_crt(&r, buf), 464);
	assert_int_equal(buf[9], 0x11);
	assert_int_equal(buf[16 + 5 * 64 + 127], 7);
	r.p_len = r.q_len = r.dp_len = r.dq_len = r.u_len = 128;
	r.mod_len = 256;
	assert_int_equal(apvg_type50_crt(&r, buf), 912);
	assert_int_equal(buf[9], 0x12);
	r.mod_len = 200; /* still CRB2 */
	assert_int_equal(apvg_type50_crt(&r, buf), 912);
	r.p_len = r.q_len = r.dp_len = r.dq_len = r.u_len = 256;
	r.mod_len = 512;
	assert_int_equal(apvg_type50_crt(&r, buf), 1808);
	assert_int_equal(buf[9], 0x13);
	assert_int_equal(buf[16 + 256 - 1], 0x11);
	/* p wider than the CRB1 field */
	r.p_len = 65;
	r.mod_len = 128;
	assert_int_equal(apvg_type50_crt(&r, buf), -EINVAL);
	r.p_len = 64;
	r.mod_len = 513;
	assert_int_equal(apvg_type50_crt(&r, buf), -EINVAL);
	r.mod_len = 0;
	assert_int_equal(apvg_type50_crt(&r, buf), -EINVAL);
}

static void test_type50_me_bad(void **state)
{
	uint8_t buf[APVG_TYPE50_MAX], big[129];
	struct apv_rsa_me r = {.msg = big,
			       .msg_len = 129,
			       .exp = big,
			       .exp_len = 1,
			       .mod = big,
			       .mod_len = 128};

	(void)state;
	memset(big, 1, sizeof(big));
	/* a message wider than the 128-byte field */
	assert_int_equal(apvg_type50_me(&r, buf), -EINVAL);
	/* leading zeros do not count */
	big[0] = 0;
	assert_int_equal(apvg_type50_me(&r, buf), 400);
	r.mod_len = 0;
	assert_int_equal(apvg_type50_me(&r, buf), -EINVAL);
	assert_int_equal(apvg_type50_me(NULL, buf), -EINVAL);
}

static void test_type80_parse(void **state)
{
	uint8_t rep[528] = {0}, out[256], rc = 0xee;

	(void)state;
	rep[1] = 0x80;
	rep[2] = 0x01;
	rep[3] = 0x10; /* 272 = 16 + 256 */
	for (size_t i = 16; i < 272; i++)
		rep[i] = (uint8_t)i;
	assert_int_equal(apvg_type80_parse(rep, 272, out, 256, &rc), 0);
	assert_int_equal(rc, 0);
	assert_memory_equal(out, rep + 16, 256);
	/* the last mod_len bytes: a 100-byte result in a 256-byte field */
	assert_int_equal(apvg_type80_parse(rep, 272, out, 100, &rc), 0);
	assert_memory_equal(out, rep + 172, 100);
	/* len must equal what was received */
	assert_int_equal(apvg_type80_parse(rep, 271, out, 100, &rc), -EPROTO);
	/* and hold 16 + mod_len */
	rep[2] = 0;
	rep[3] = 0x20;
	assert_int_equal(apvg_type80_parse(rep, 32, out, 17, &rc), -EPROTO);
	/* at most 528 */
	rep[2] = 0x02;
	rep[3] = 0x11;
	assert_int_equal(apvg_type80_parse(rep, 529, out, 16, &rc), -EPROTO);
	/* type 82 and 88: the reply code */
	memset(rep, 0, 8);
	rep[1] = 0x82;
	rep[4] = 0x85;
	assert_int_equal(apvg_type80_parse(rep, 8, out, 16, &rc), -EBADMSG);
	assert_int_equal(rc, 0x85);
	rep[1] = 0x88;
	rep[4] = 0x22;
	assert_int_equal(apvg_type80_parse(rep, 8, out, 16, &rc), -EBADMSG);
	assert_int_equal(rc, 0x22);
	/* anything else, or too short */
	rep[1] = 0x86;
	assert_int_equal(apvg_type80_parse(rep, 8, out, 16, &rc), -EPROTO);
	assert_int_equal(apvg_type80_parse(rep, 4, out, 16, &rc), -EPROTO);
}

static void test_hex(void **state)
{
	struct apv_strbuf sb = APV_STRBUF_INIT;
	uint8_t b[4] = {0, 0xab, 0x10, 0xff}, o[4];
	size_t n = 0;

	(void)state;
	assert_int_equal(apv_sb_hex(&sb, b, 4), 0);
	assert_string_equal(apv_sb_str(&sb), "00ab10ff");
	assert_int_equal(apv_hex_decode("00AB10ff", 8, o, 4, &n), 0);
	assert_int_equal(n, 4);
	assert_memory_equal(o, b, 4);
	assert_int_equal(apv_hex_decode("0", 1, o, 4, &n), -EINVAL);
	assert_int_equal(apv_hex_decode("zz", 2, o, 4, &n), -EINVAL);
	assert_int_equal(apv_hex_decode("0011223344", 10, o, 4, &n), -ENOSPC);
	apv_sb_free(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_pqap),
		cmocka_unit_test(test_line_nqap_dqap),
		cmocka_unit_test(test_line_other),
		cmocka_unit_test(test_line_errors),
		cmocka_unit_test(test_result_format),
		cmocka_unit_test(test_type50_me_formats),
		cmocka_unit_test(test_type50_crt_formats),
		cmocka_unit_test(test_type50_me_bad),
		cmocka_unit_test(test_type80_parse),
		cmocka_unit_test(test_hex),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
