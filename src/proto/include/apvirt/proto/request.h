/* SPDX-License-Identifier: MIT */
/*
 * One request on the server side (docs/control-protocol.md "Requests and
 * responses"): the parsed request, the reply being built and the first
 * failure recorded.  Used by apsim's handler (control/handler.c) and its
 * guest sessions (guest_session.c), so both answer the same way:
 *
 *   {"ok":true, ...fields..., "tag":T}
 *   {"ok":false, "errno":"EBUSY", "error":"...", "reason":{...}, "tag":T}
 *
 * The first failure wins: later apv_req_fail() calls keep it.
 */
#ifndef APVIRT_PROTO_REQUEST_H
#define APVIRT_PROTO_REQUEST_H

#include <stdint.h>

#include <jansson.h>

struct apv_req {
	json_t *req;	 /* the request object; NULL when malformed */
	json_t *resp;	 /* the reply being built, {"ok":true} at first */
	const char *cmd; /* the request's "cmd" (in req) */
	int err;	 /* negative errno once failed */
	json_t *reason;	 /* the failure's "reason" object, or NULL */
	char msg[256];	 /* the failure's "error" sentence */
};

/*
 * Parse a request line (len bytes, need not be NUL-terminated): an object
 * with a string "cmd", duplicate keys refused.  0, or the failure
 * recorded (EINVAL: "malformed request: ...", "cmd: missing" ...; ENOMEM).
 * r is zeroed first; apv_req_finish() ends it either way.
 */
int apv_req_parse(struct apv_req *r, const char *line, size_t len);

/* Record a failure (err positive or negative); returns the negative errno. */
int apv_req_fail(struct apv_req *r, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Out of memory (a json_* constructor failed). */
int apv_req_oom(struct apv_req *r);
/*
 * Attach the failure's "reason" (taken over; NULL is ENOMEM) to a failure
 * recorded by the caller with the model's errno and message.
 */
void apv_req_reason(struct apv_req *r, json_t *reason);

/* obj[key] = v (taken over; obj NULL: the reply); v NULL is ENOMEM. */
int apv_req_set(struct apv_req *r, json_t *obj, const char *key, json_t *v);
/* Append v (taken over) to arr; NULL is ENOMEM. */
int apv_req_push(struct apv_req *r, json_t *arr, json_t *v);

/*
 * The reply line (malloc'ed compact JSON, no newline) with the request's
 * tag; frees the request.  NULL when out of memory.
 */
char *apv_req_finish(struct apv_req *r);

/* A bare error line ({"ok":false,"errno":..,"error":..}); NULL: ENOMEM. */
char *apv_proto_error(int err, const char *msg);

/*
 * A 64-bit value as requests write it: a JSON integer >= 0, or a string
 * "0x..." (hex) or decimal without sign or blanks.  0 or -EINVAL.
 */
int apv_json_u64(const json_t *v, uint64_t *out);
/* "0x<hex>" as a JSON string, as replies write 64-bit values. */
json_t *apv_json_x64(uint64_t v);

#endif /* APVIRT_PROTO_REQUEST_H */
