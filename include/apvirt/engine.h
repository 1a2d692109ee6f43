/* SPDX-License-Identifier: MIT */
/*
 * Adapter engines behind the seam of ap_insn.h (struct apv_engine_ops).
 *
 * The accelerator engine (CEXxA, APV_MODE_ACCEL) answers type 50 RSA
 * requests (ME and CRT, formats MEB1..3 and CRB1..3 of
 * ap-architecture.md §3.1) with a type 80 reply (§3.2) computed with
 * OpenSSL libcrypto, and malformed requests with the 8-byte type 82 error
 * reply (§3.3).  It is the host's default engine; requests to CCA and EP11
 * adapters go to apv_engine_builtin() and keep its error replies.
 * See docs/guest.md.
 */
#ifndef APVIRT_ENGINE_H
#define APVIRT_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include <apvirt/ap_insn.h>

/* Type 50 request header (16 bytes) and keyblock types. */
#define APV_TYPE50 0x50
#define APV_TYPE50_HDR_LEN 16
#define APV_KB_MEB1 0x0001 /* ME, 128-byte fields: 400 bytes */
#define APV_KB_MEB2 0x0002 /* ME, 256-byte fields: 784 bytes */
#define APV_KB_MEB3 0x0003 /* ME, 512-byte fields: 1552 bytes */
#define APV_KB_CRB1 0x0011 /* CRT, 64-byte fields: 464 bytes */
#define APV_KB_CRB2 0x0012 /* CRT, 128-byte fields: 912 bytes */
#define APV_KB_CRB3 0x0013 /* CRT, 256-byte fields: 1808 bytes */

/* Type 80 success reply: 16-byte header, then the result. */
#define APV_REPLY_TYPE80 0x80
#define APV_TYPE80_HDR_LEN 16

/* Further type 82 reply codes (ap-architecture.md §3.3). */
#define APV_REP82_RESERVED_FIELD 0x24
#define APV_REP82_FORMAT_FIELD 0x29
#define APV_REP82_INVALID_SPECIAL_CMD 0x41
#define APV_REP82_OPERAND_INVALID 0x82
#define APV_REP82_OPERAND_SIZE 0x84
#define APV_REP82_EVEN_MODULUS 0x85

/*
 * The accelerator engine (opaque unused).  For a request to an adapter in
 * APV_MODE_ACCEL:
 *   0x20 when it is shorter than 8 bytes or not of type 0x50,
 *   0x23 when msg_len differs from the NQAP length or from the size of
 *        its keyblock format,
 *   0x29 for an unknown keyblock_type,
 *   0x24 when a reserved header byte (0, 4, 6, 7, 10..15) is not zero,
 *   0x84 for MEB3/CRB3 unless both MEX4K and CRT4K are in the facility
 *        word (512-byte moduli need both, §1.8),
 *   0x85 for an even (or zero) modulus, p or q,
 *   0x82 when the message is not below the modulus (ME) or below p*q
 *        (CRT),
 *   0x41 for the special-command bit,
 * and otherwise the type 80 reply of 16 + field-width bytes (the message
 * field's width: 128, 256 or 512) with the result right-justified, which
 * Linux accepts for every modulus length the format holds (it takes the
 * last mod_len bytes).  Other modes: apv_engine_builtin().  Returns 0, or
 * -ENOSPC when reply_max is too small and -ENOMEM when libcrypto fails
 * (the machine then answers 0x10).  It keeps no state between calls, so
 * adapter workers (apv_host_set_workers) may run it on several threads
 * at once.
 */
int apv_engine_cex(void *opaque, const struct apv_engine_request *req,
		   uint8_t *reply, size_t reply_max, size_t *reply_len);

#endif /* APVIRT_ENGINE_H */
