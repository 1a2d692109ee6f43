/* SPDX-License-Identifier: MIT */
/*
 * The `apsim guest` console language (docs/guest.md "Guests as
 * processes"): one line in, one command out, and the result line of an
 * instruction.  Pure (no I/O); guest_cli.c runs the commands.
 */
#ifndef APSIM_GUEST_LINE_H
#define APSIM_GUEST_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <apvirt/ap_insn.h>
#include <apvirt/strbuf.h>

enum apsim_gl_op {
	APSIM_GL_NOP, /* blank line or comment */
	APSIM_GL_PQAP,
	APSIM_GL_NQAP,
	APSIM_GL_DQAP,
	APSIM_GL_MEM_WRITE,
	APSIM_GL_MEM_READ,
	APSIM_GL_IRQ,
	APSIM_GL_LSAP,
	APSIM_GL_EVENTS,
	APSIM_GL_REGS,
};

struct apsim_gl_cmd {
	enum apsim_gl_op op;
	uint64_t gr[16];
	uint16_t set; /* bit n: the line sets GR n to gr[n] */
	unsigned int r1, r2;
	int problem;   /* PSW P bit for this instruction (0 unless p=1) */
	int cc;	       /* PSW CC to set first, -1: leave */
	bool dump;     /* dqap: print the bytes stored */
	uint64_t addr; /* mem */
	size_t len;    /* mem read */
	uint8_t *data; /* mem write, nqap data= (malloc'ed) */
	size_t data_len;
	int timeout_ms; /* irq */
};

/*
 * Parse one line (without newline).  0 and *out, or -EINVAL with a
 * message naming the offending token in err ("fc=foo: unknown function
 * code").  apsim_gl_free() releases out->data.
 */
int apsim_gl_parse(const char *line, struct apsim_gl_cmd *c, char *err,
		   size_t errlen);
void apsim_gl_free(struct apsim_gl_cmd *c);

/*
 * The result line of an instruction (no newline): its mnemonic, then
 * "pgm=0xNN name" or "cc=N", the RC and status flags when GR1 was
 * written, every written register, and for dqap "stored=N" (bytes) and,
 * with dump, "data=HEX".
 */
void apsim_gl_result(struct apv_strbuf *sb, enum apsim_gl_op op,
		     const struct apv_cpu_regs *before,
		     const struct apv_cpu_regs *after,
		     const struct apv_insn_result *res, unsigned int r2,
		     const uint8_t *data, size_t stored, bool dump);

/* "tapq", "aqic", ..., "fc42" for a PQAP GR0. */
const char *apsim_gl_fc_name(uint64_t gr0, char buf[8]);

#endif /* APSIM_GUEST_LINE_H */
