/* SPDX-License-Identifier: MIT */
/*
 * libapvirt_guest internals (include/apvirt/guest.h is the contract).
 *
 *   conn.c     the connection: JSON lines, responses, recorded events,
 *              open/close, irq wait (the lines themselves: the guest.*
 *              codec of libapvirt_proto, apvirt/proto/guest_wire.h)
 *   insn.c     PQAP/NQAP/DQAP and guest memory over the connection
 *   scan.c     the guest's AP bus scan
 *   msg50.c    type 50 requests and type 80/82 replies (pure)
 *   rsa.c      RSA requests on a queue: PSMIDs, NQAP, DQAP continued
 */
#ifndef APVIRT_GUEST_INT_H
#define APVIRT_GUEST_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <apvirt/guest.h>
#include <apvirt/proto/conn.h>

struct apv_strbuf;

struct apv_guest {
	struct apv_conn conn; /* lines of up to APVG_MAX_LINE bytes */
	char err[256];
	unsigned int cpu;
	int fmt;
	uint64_t mem;
	size_t reply_buf;
	unsigned int iscs; /* pending, not yet taken by wait_irq */
	struct apv_guest_events ev;
	bool dropped; /* the device was unplugged (request) */
	uint32_t psmid_pid, psmid_n;
};

/* Longest line the library reads (a dqap or mem-read reply is < 33 KiB). */
#define APVG_MAX_LINE ((size_t)4 << 20)

/*
 * One request line (JSON object text without newline) and its response:
 * event lines received meanwhile are recorded.  Returns 0 and the parsed
 * response object (caller json_decref's it, through the void pointer to
 * keep jansson out of this header), or -errno: the error response's errno
 * (message in g->err), -EPIPE when apsim went away, -EPROTO.
 */
int apvg_call(struct apv_guest *g, const char *line, void **resp);
/*
 * The raw form of apvg_call: send len bytes (one or more lines, each
 * ending in '\n') and return the next response line unparsed in *resp
 * (NUL-terminated, *resp_len bytes; valid until the next read from the
 * connection), events meanwhile recorded.  0 or -errno (-EPIPE ...).
 */
int apvg_send_line(struct apv_guest *g, const char *line, size_t len,
		   char **resp, size_t *resp_len);
/* Parse a response line as apvg_call does (errors: -errno, g->err). */
int apvg_response(struct apv_guest *g, const char *l, size_t n, void **resp);

/* Read and record events for up to timeout_ms (-1 forever); 1 when an
 * irq was recorded, 0 on timeout, -errno. */
int apvg_pump_events(struct apv_guest *g, int timeout_ms);

/* Where the library's buffers live in guest memory. */
static inline uint64_t apvg_scratch(const struct apv_guest *g)
{
	return g->mem - APV_GUEST_SCRATCH;
}

/* ---- msg50.c (pure) ---- */

/* Largest type 50 request (CRB3) and type 80 reply. */
#define APVG_TYPE50_MAX 1808u
#define APVG_TYPE80_MAX 528u

/*
 * Build the request in buf (at least APVG_TYPE50_MAX bytes): the smallest
 * format whose field holds mod_len; operands with leading zero bytes
 * stripped must fit their fields.  Returns the length, or -EINVAL.
 */
int apvg_type50_me(const struct apv_rsa_me *r, uint8_t *buf);
int apvg_type50_crt(const struct apv_rsa_crt *r, uint8_t *buf);
/*
 * A reply as zcrypt msgtype50 checks it: type 80 with len == n,
 * 16 + mod_len <= len <= 528: the last mod_len bytes to out, 0; type 82
 * or 88: -EBADMSG with the reply code in *rc; else -EPROTO.
 */
int apvg_type80_parse(const uint8_t *rep, size_t n, uint8_t *out,
		      size_t mod_len, uint8_t *rc);

#endif /* APVIRT_GUEST_INT_H */
