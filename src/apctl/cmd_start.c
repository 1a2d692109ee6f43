// SPDX-License-Identifier: MIT
/* apctl start / stop: create an mdev from its definition, remove it. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <apvirt/format.h>

#include "queues.h"

static bool only_assigns(const struct ctl_def *d)
{
	for (size_t i = 0; i < d->n_attrs; i++)
		if (strncmp(d->attrs[i].key, "assign_", 7))
			return false;
	return true;
}

int cmd_start(const struct args *a, json_t **out, struct ctl_err *e)
{
	struct apv_bitmap apm, aqm, adm;
	struct ctl_def d;
	char uuid[37], *create;
	int r;

	if (ctl_resolve_uuid(a->operand, uuid, e))
		return -1;
	r = ctl_def_load(uuid, &d);
	if (r == -ENOENT)
		return ctl_fail(e, ENOENT, "mdev %s: not defined", uuid);
	if (r)
		return ctl_fail(e, -r,
				"mdev %s: cannot read the definition: %s", uuid,
				strerror(-r));
	if (strcmp(d.mdev_type, MDEV_TYPE)) {
		ctl_fail(e, EINVAL, "mdev %s: type '%s' is not %s", uuid,
			 d.mdev_type, MDEV_TYPE);
		goto out;
	}
	if (ctl_def_matrix(&d, &apm, &aqm, &adm)) {
		e->rule = "invalid-attribute";
		ctl_fail(e, EINVAL,
			 "mdev %s: an assign_* value is not one number 0..255",
			 uuid);
		goto out;
	}
	if (ctl_mdev_active(uuid)) {
		ctl_fail(e, EEXIST, "mdev %s: already active", uuid);
		goto out;
	}
	create = ctl_sys_path(MATRIX "/mdev_supported_types/" MDEV_TYPE
				     "/create");
	r = ctl_write_file(create, uuid);
	free(create);
	if (r) {
		ctl_fail(e, -r, "mdev %s: cannot create: %s", uuid,
			 strerror(-r));
		goto out;
	}
	if (only_assigns(&d) && ctl_has_ap_config()) {
		struct apv_strbuf cfg = APV_STRBUF_INIT;

		/* The read form without its newline (as before). */
		if (apv_fmt_ap_config(&cfg, &apm, &aqm, &adm))
			abort();
		cfg.s[--cfg.len] = '\0';
		r = ctl_mdev_write(uuid, "ap_config", cfg.s);
		apv_sb_free(&cfg);
	} else {
		for (size_t i = 0; i < d.n_attrs && !r; i++)
			r = ctl_mdev_write(uuid, d.attrs[i].key,
					   d.attrs[i].val);
	}
	if (r) {
		/* Diagnose while the mdev exists, then remove it. */
		ctl_explain_now(uuid, -r, &apm, &aqm, e);
		ctl_mdev_write(uuid, "remove", "1");
		goto out;
	}
	*out = json_pack("{s:s}", "uuid", uuid);
out:
	ctl_def_free(&d);
	return e->msg ? -1 : 0;
}

/*
 * A guest that has the mdev open keeps the remove waiting until it lets
 * go: on a kernel that cannot ask it to, stop refuses instead of hanging.
 */
int cmd_stop(const struct args *a, json_t **out, struct ctl_err *e)
{
	struct ctl_mdev_view m = {0};
	int r;

	if (ctl_resolve_uuid(a->operand, m.uuid, e))
		return -1;
	if (!ctl_mdev_active(m.uuid))
		return ctl_fail(e, ENODEV, "mdev %s: not active", m.uuid);
	ctl_mdev_read_matrix(m.uuid, "matrix", &m.apm, &m.aqm);
	if (ctl_remove_check_guest(&m, &m.guest, e))
		return -1;
	r = ctl_mdev_write(m.uuid, "remove", "1");
	if (r)
		return ctl_fail(e, -r, "mdev %s: cannot remove: %s", m.uuid,
				strerror(-r));
	*out = json_pack("{s:s,s:b}", "uuid", m.uuid, "guest", m.guest);
	return 0;
}

/* ---- the command table ------------------------------------------------------ */

#define DEFINE_OPTS                                                            \
	(1u << OPT_ADAPTERS | 1u << OPT_DOMAINS | 1u << OPT_CONTROL_DOMAINS |  \
	 1u << OPT_AUTOSTART)
