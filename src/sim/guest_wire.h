/* SPDX-License-Identifier: MIT */
/*
 * The hot lines of guest sessions without jansson (guest_session.c): the
 * instruction requests exactly as libapvirt_guest writes them, their
 * responses and the irq event line.
 *
 * gw_parse_insn() accepts only the compact form -- no whitespace, no
 * escapes, no duplicate or unknown keys, registers as "0x..." strings or
 * decimal integers, msg as hex digits -- and says "not mine" (false) for
 * anything else, which the jansson path then answers, errors included.
 * So the fast path changes nothing a client can observe: gw_result() and
 * gw_irq_event() write byte for byte what json_dumps(JSON_COMPACT) wrote.
 */
#ifndef APSIM_GUEST_WIRE_H
#define APSIM_GUEST_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <apvirt/ap_insn.h>

enum gw_insn {
	GW_PQAP,
	GW_NQAP,
	GW_DQAP
};

struct gw_req {
	enum gw_insn which;
	struct apv_cpu_regs regs;
	unsigned int r1, r2;
	const char *msg; /* hex digits in the line, or NULL */
	size_t msg_len;	 /* hex digits */
	bool data;	 /* dqap: "data": true */
};

/* Parse a guest.pqap/nqap/dqap line of the compact form (see above). */
bool gw_parse_insn(const char *line, size_t len, struct gw_req *out);

/* Hex digits to bytes (n even, all digits: gw_parse_insn checked it). */
void gw_unhex(const char *s, size_t n, uint8_t *out);

/*
 * The response of an executed instruction: {"ok":true,"pgm":..,"cc":..,
 * "changed":..,"gr":{..}} and "data" when data != NULL.  malloc'ed;
 * NULL when out of memory.
 */
char *gw_result(const struct apv_cpu_regs *r, const struct apv_insn_result *res,
		const uint8_t *data, size_t n);

/* {"event":"irq","iscs":N,"total":N} into buf (at least 64 bytes). */
void gw_irq_event(char *buf, size_t size, unsigned int iscs, uint64_t total);

#endif /* APSIM_GUEST_WIRE_H */
