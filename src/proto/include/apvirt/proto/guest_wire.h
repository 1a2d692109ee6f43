/* SPDX-License-Identifier: MIT */
/*
 * The guest.* codec (docs/control-protocol.md "Guest sessions"): the one
 * encoder and decoder of the guest session lines, used by apsim's guest
 * sessions (src/sim/guest_session.c) and the guest library (src/guest).
 *
 * The instruction lines are the hot path (NQAP/DQAP of every request a
 * guest sends), so both directions have a form written and read without
 * jansson or printf: the compact form, exactly what the encoders here
 * write.  The decoders take that form directly and every other valid JSON
 * form of the same message through jansson, with the same result:
 *
 *   request  apv_gw_insn_line()   -> apv_gw_insn_parse() (compact)
 *                                    apv_gw_insn_from_json() (any)
 *   reply    apv_gw_result_line() -> apv_gw_result_parse() (any; compact
 *            apv_gw_result_json()    fast)
 *   events   apv_gw_irq_line() ... -> apv_gw_event_parse() (any; irq fast)
 *
 * The types are the model's (apvirt/ap_insn.h, kvm.h): only the
 * declarations, the model is not linked.
 */
#ifndef APVIRT_PROTO_GUEST_WIRE_H
#define APVIRT_PROTO_GUEST_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <apvirt/ap_insn.h>
#include <apvirt/proto/request.h>
#include <apvirt/strbuf.h>

enum apv_gw_insn {
	APV_GW_PQAP,
	APV_GW_NQAP,
	APV_GW_DQAP
};

/* An instruction request. */
struct apv_gw_req {
	enum apv_gw_insn which;
	struct apv_cpu_regs regs;
	unsigned int r1, r2;
	const char *msg; /* nqap: hex digits (checked), in the line; or NULL */
	size_t msg_len;	 /* hex digits (even) */
	bool data;	 /* dqap: "data": true */
};

/* The instruction a "cmd" names (guest.pqap ...), or -1. */
int apv_gw_insn_of(const char *cmd);
const char *apv_gw_insn_cmd(enum apv_gw_insn which);

/* ---- requests ---- */

/* Bytes apv_gw_insn_line() needs for a msg of msg_len bytes. */
#define APV_GW_INSN_LINE_MAX(msg_len) (600 + 2 * (size_t)(msg_len))
/*
 * The request line with its newline into buf (APV_GW_INSN_LINE_MAX bytes):
 * the registers that are not 0, problem and cc when set, r1/r2 when r1 >=
 * 0 (nqap, dqap), msg as hex when not NULL, "data":true when data.
 * Returns its length.  No NUL.
 */
size_t apv_gw_insn_line(char *buf, enum apv_gw_insn which,
			const struct apv_cpu_regs *r, int r1, int r2,
			const void *msg, size_t msg_len, bool data);
/*
 * The compact form only (no whitespace, no escapes, no duplicate or
 * unknown keys, registers "0x..." or decimal, msg hex digits): true and
 * *out; false ("not this form") for anything else, which
 * apv_gw_insn_from_json() then decodes or refuses.
 */
bool apv_gw_insn_parse(const char *line, size_t len, struct apv_gw_req *out);
/*
 * Any form, from the parsed request r->req: 0 and *out (msg points into
 * r->req), or the refusal recorded in r (EINVAL with the argument named).
 */
int apv_gw_insn_from_json(struct apv_req *r, enum apv_gw_insn which,
			  struct apv_gw_req *out);
/* Refuse keys other than cmd, tag and allowed (NULL-terminated). */
int apv_gw_check_keys(struct apv_req *r, const char *const *allowed);
/* A 64-bit argument (apv_json_u64); required: "key: missing" if absent. */
int apv_gw_arg_u64(struct apv_req *r, const char *key, bool required,
		   uint64_t *out);

/* ---- replies ---- */

/*
 * The reply of an executed instruction, compact:
 * {"ok":true,"pgm":P,"cc":C,"changed":N,"gr":{"n":"0x..",...}} and
 * ,"data":"hex" (data != NULL) before the last brace.  malloc'ed, no
 * newline; NULL when out of memory.
 */
char *apv_gw_result_line(const struct apv_cpu_regs *r,
			 const struct apv_insn_result *res, const uint8_t *data,
			 size_t n);
/* The same fields set in r->resp (the general path, which adds a tag). */
int apv_gw_result_json(struct apv_req *r, const struct apv_cpu_regs *regs,
		       const struct apv_insn_result *res);
/*
 * Decode a reply line l (NUL-terminated, n bytes): the instruction's
 * registers into *regs (changed ones), *res; "data" into buf (cap bytes,
 * *stored) when buf.  An error reply gives its -errno (unknown names
 * -EPROTO) and "ENAME: message" in err; a broken one -EPROTO.
 */
int apv_gw_result_parse(const char *l, size_t n, struct apv_cpu_regs *regs,
			struct apv_insn_result *res, void *buf, size_t cap,
			size_t *stored, char *err, size_t err_len);

/*
 * A parsed reply object's status: 0 when "ok" is true; else -errno of its
 * "errno" (-EPROTO for an unknown name) and "ENAME: message" in err.
 */
int apv_reply_status(const json_t *o, char *err, size_t err_len);

/* ---- events ---- */

enum apv_gw_event_kind {
	APV_GW_EV_OTHER, /* an event this side does not know */
	APV_GW_EV_IRQ,
	APV_GW_EV_CFG_CHANGE,
	APV_GW_EV_REQUEST
};

struct apv_gw_event {
	enum apv_gw_event_kind kind;
	unsigned int iscs; /* irq */
	uint64_t total;	   /* irq */
	uint64_t count;	   /* cfg_change, request */
	bool closed;	   /* request */
};

/* Event lines, without newline, into buf (at least 96 bytes). */
void apv_gw_irq_line(char *buf, size_t size, unsigned int iscs, uint64_t total);
void apv_gw_cfg_change_line(char *buf, size_t size, uint64_t count);
void apv_gw_request_line(char *buf, size_t size, uint64_t count, bool closed);
/*
 * Classify a received line: 1 and *ev for an event line; 0 for a reply
 * (*reply: the parsed object if the line was parsed, else NULL; the
 * caller json_decref's it); -EPROTO for a line that is not a JSON object.
 */
int apv_gw_event_parse(const char *l, size_t n, struct apv_gw_event *ev,
		       json_t **reply);

/* ---- attach, memory ---- */

/* QEMU's CPU feature names and their APV_CPU_* bits, in wire order. */
struct apv_gw_cpu_name {
	const char *name;
	unsigned int bit;
};
extern const struct apv_gw_cpu_name apv_gw_cpu_names[5];
json_t *apv_gw_cpu_json(unsigned int cpu);
/* A "cpu" list: 0 and *out; -EINVAL with the failing index in *bad
 * (SIZE_MAX: not a list). */
int apv_gw_cpu_parse(const json_t *v, unsigned int *out, size_t *bad);

/* The guest.attach request line (no newline); malloc'ed, NULL: ENOMEM. */
char *apv_gw_attach_line(const char *mdev, const char *name, unsigned int cpu,
			 uint64_t mem);
/* guest.mem-write of n bytes at gpa into sb: 0 or -ENOMEM. */
int apv_gw_mem_write_line(struct apv_strbuf *sb, uint64_t gpa, const void *b,
			  size_t n);
/* guest.mem-read of n bytes at gpa into buf (at least 128 bytes). */
void apv_gw_mem_read_line(char *buf, size_t size, uint64_t gpa, size_t n);

/* Bytes as a JSON string of lowercase hex digits; NULL: ENOMEM. */
json_t *apv_json_hex(const void *b, size_t n);

#endif /* APVIRT_PROTO_GUEST_WIRE_H */
