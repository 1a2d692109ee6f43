// SPDX-License-Identifier: MIT
/* A request on the server side (apvirt/proto/request.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apvirt/proto/errname.h>
#include <apvirt/proto/names.h>
#include <apvirt/proto/request.h>

int apv_req_fail(struct apv_req *r, int err, const char *fmt, ...)
{
	va_list ap;

	if (r->err)
		return r->err;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	r->err = err < 0 ? err : -err;
	return r->err;
}

int apv_req_oom(struct apv_req *r)
{
	return apv_req_fail(r, ENOMEM, "out of memory");
}

void apv_req_reason(struct apv_req *r, json_t *reason)
{
	json_decref(r->reason);
	r->reason = reason;
}

int apv_req_parse(struct apv_req *r, const char *line, size_t len)
{
	json_error_t jerr;
	const json_t *cmd;

	memset(r, 0, sizeof(*r));
	r->req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!r->req)
		return apv_req_fail(r, EINVAL,
				    "malformed request: column %d: %s",
				    jerr.column, jerr.text);
	if (!json_is_object(r->req))
		return apv_req_fail(r, EINVAL,
				    "malformed request: expected a "
				    "JSON object");
	cmd = json_object_get(r->req, APV_KEY_CMD);
	if (!json_is_string(cmd))
		return apv_req_fail(r, EINVAL, "cmd: %s",
				    cmd ? "expected a string" : "missing");
	r->cmd = json_string_value(cmd);
	r->resp = json_object();
	if (!r->resp || json_object_set_new(r->resp, APV_KEY_OK, json_true()))
		return apv_req_oom(r);
	return 0;
}

int apv_req_set(struct apv_req *r, json_t *obj, const char *key, json_t *v)
{
	if (!obj)
		obj = r->resp;
	if (!v || !obj || json_object_set_new(obj, key, v))
		return apv_req_oom(r);
	return 0;
}

int apv_req_push(struct apv_req *r, json_t *arr, json_t *v)
{
	if (!v || json_array_append_new(arr, v))
		return apv_req_oom(r);
	return 0;
}

/* The error reply: ok, errno, error, reason (if any). */
static json_t *error_reply(int err, const char *msg, json_t *reason)
{
	json_t *o = json_object();

	if (!o || json_object_set_new(o, APV_KEY_OK, json_false()) ||
	    json_object_set_new(o, APV_KEY_ERRNO,
				json_string(apv_errno_name(err))) ||
	    json_object_set_new(o, APV_KEY_ERROR, json_string(msg)) ||
	    (reason && json_object_set(o, APV_KEY_REASON, reason))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

char *apv_req_finish(struct apv_req *r)
{
	json_t *tag = r->req ? json_object_get(r->req, APV_KEY_TAG) : NULL;
	json_t *o;
	char *s = NULL;

	if (r->err) {
		json_decref(r->resp);
		o = error_reply(r->err, r->msg, r->reason);
	} else {
		o = r->resp;
	}
	if (o && tag && json_object_set(o, APV_KEY_TAG, tag)) {
		json_decref(o);
		o = NULL;
	}
	if (o)
		s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	json_decref(r->reason);
	json_decref(r->req);
	memset(r, 0, sizeof(*r));
	return s;
}

char *apv_proto_error(int err, const char *msg)
{
	json_t *o = error_reply(err, msg, NULL);
	char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;

	json_decref(o);
	return s;
}

int apv_json_u64(const json_t *v, uint64_t *out)
{
	const char *s;
	char *end;

	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0)
			return -EINVAL;
		*out = (uint64_t)json_integer_value(v);
		return 0;
	}
	if (!json_is_string(v))
		return -EINVAL;
	s = json_string_value(v);
	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &end, 0);
	return errno || *end ? -EINVAL : 0;
}

json_t *apv_json_x64(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
	return json_string(buf);
}
