// SPDX-License-Identifier: MIT
/*
 * Fuzz the control protocol's request handler (src/sim/control/handler.c):
 * the input is a batch of request lines, answered one by one against a
 * fresh host (the default preset with adapter 05 and domain 0x47 given to
 * an mdev, so that state, owners and hot plug have something to show).  An
 * input starting with "#6.1\n" boots a kernel 6.1 host instead.
 *
 * Invariants: every line gets a response that is one JSON object (no
 * newline in it) with a boolean "ok"; a failure has an "errno" name
 * starting with 'E' and an "error" string; a request's "tag" comes back
 * unchanged; after the batch the vfio_ap filter indices agree with a
 * brute-force recount.
 */
#include <errno.h>
#include <stdio.h>

#include <jansson.h>

#include <apvirt/bus.h>
#include <apvirt/host.h>
#include <apvirt/preset.h>
#include <apvirt/vfio_ap.h>

#include "control.h"
#include "fuzz_common.h"

#define MAX_LINES 16

static struct apv_host *boot(bool k61)
{
	static const uint8_t uuid[16] = {0x4b, 0x0c, 0x3d, 0x2e, 0x11, 0x22,
					 0x43, 0x44, 0x95, 0x66, 0x77, 0x88,
					 0x99, 0xaa, 0xbb, 0x01};
	struct apv_preset p;
	struct apv_host *h = NULL;

	if (apv_preset_init(&p, "default"))
		abort();
	p.cfg.kernel = k61 ? APV_KERNEL_6_1 : APV_KERNEL_6_12;
	if (apv_host_new(&p.cfg, &h) || apv_bus_store_mask(h, true, "-5", 2) ||
	    apv_bus_store_mask(h, false, "-0x47", 5) ||
	    apv_mdev_create(h, uuid) || apv_mdev_assign_adapter(h, uuid, 5) ||
	    apv_mdev_assign_adapter(h, uuid, 6) ||
	    apv_mdev_assign_domain(h, uuid, 0x47))
		abort();
	return h;
}

static void check_response(const char *line, size_t n, const char *resp)
{
	json_t *r, *req, *ok, *tag;

	FUZZ_ASSERT(resp != NULL);
	FUZZ_ASSERT(strchr(resp, '\n') == NULL);
	r = json_loads(resp, 0, NULL);
	FUZZ_ASSERT(json_is_object(r));
	ok = json_object_get(r, "ok");
	FUZZ_ASSERT(json_is_boolean(ok));
	if (json_is_false(ok)) {
		const char *e = json_string_value(json_object_get(r, "errno"));

		FUZZ_ASSERT(e && e[0] == 'E');
		FUZZ_ASSERT(json_is_string(json_object_get(r, "error")));
	}
	req = json_loadb(line, n, JSON_REJECT_DUPLICATES, NULL);
	tag = json_object_get(req, "tag");
	if (json_is_object(req) && tag &&
	    json_is_string(json_object_get(req, "cmd")))
		FUZZ_ASSERT(json_equal(tag, json_object_get(r, "tag")));
	json_decref(req);
	json_decref(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_dup(data, size);
	bool k61 = size >= 5 && !memcmp(buf, "#6.1\n", 5);
	struct apv_host *h = boot(k61);
	size_t off = k61 ? 5 : 0;

	for (int i = 0; i < MAX_LINES && off < size; i++) {
		const char *nl = memchr(buf + off, '\n', size - off);
		size_t n = nl ? (size_t)(nl - (buf + off)) : size - off;
		char *line = fuzz_dup((const uint8_t *)buf + off, n);
		char *resp = apsim_ctl_handle(h, line, n);

		check_response(line, n, resp);
		free(resp);
		free(line);
		off += n + 1;
	}
	FUZZ_ASSERT(apv_vfio_check_indices(h) == 0);
	apv_host_free(h);
	free(buf);
	return 0;
}
