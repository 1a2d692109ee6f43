// SPDX-License-Identifier: MIT
/*
 * The built-in engine: what an adapter without a real engine answers, the
 * 8-byte type 82 error reply with the reply codes of the kernel's
 * zcrypt_error.h (include/apvirt/ap_insn.h).  An accelerator request (type
 * 50) with a consistent length and a coprocessor request (type 06) get
 * "machine failure"; a wrong type "message type", a type 50 whose length
 * field disagrees "invalid message length".  engine_cex.c hands every
 * request it does not do itself to this one.
 */
#include <errno.h>
#include <string.h>

#include <apvirt/engine.h>

#include "../host_int.h"
#include "machine.h"

void apv_hw_error_reply(uint8_t *reply, size_t *len, uint8_t code)
{
	memset(reply, 0, APV_REPLY_ERROR_LEN);
	reply[1] = APV_REPLY_ERROR_TYPE;
	reply[4] = code;
	*len = APV_REPLY_ERROR_LEN;
}

int apv_engine_builtin(void *opaque, const struct apv_engine_request *req,
		       uint8_t *reply, size_t reply_max, size_t *reply_len)
{
	uint8_t want = req->mode == APV_MODE_ACCEL ? 0x50 : 0x06;
	uint8_t code = APV_REP82_MACHINE_FAILURE;

	(void)opaque;
	if (reply_max < APV_REPLY_ERROR_LEN)
		return -ENOSPC;
	if (req->len < 8 || req->msg[1] != want)
		code = APV_REP82_MESSAGE_TYPE;
	else if (want == 0x50 &&
		 (((size_t)req->msg[2] << 8) | req->msg[3]) != req->len)
		code = APV_REP82_INVALID_MSG_LEN;
	apv_hw_error_reply(reply, reply_len, code);
	return 0;
}
