// SPDX-License-Identifier: MIT
/*
 * apctl matrix: the host's adapters x usage domains and who owns each
 * queue, read from sysfs into the model of matrix_render.h and printed
 * (text, --json) or written as a picture (--svg, --html).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <apvirt/apqn.h>

#include "apctl.h"
#include "matrix_render.h"

static void read_mdev(const char *uuid, struct mx_mdev *md, bool ap_config)
{
	struct ctl_def d;

	snprintf(md->uuid, sizeof(md->uuid), "%s", uuid);
	/* ap_config holds the whole matrix; matrix is cut at one page. */
	if (!ap_config ||
	    ctl_mdev_read_ap_config(uuid, &md->apm, &md->aqm, &md->adm)) {
		ctl_mdev_read_matrix(uuid, "matrix", &md->apm, &md->aqm);
		ctl_mdev_read_cdoms(uuid, &md->adm);
	}
	md->guest_known = !ctl_mdev_read_matrix(uuid, "guest_matrix", &md->gapm,
						&md->gaqm);
	md->name = NULL;
	if (!ctl_def_load(uuid, &d)) {
		/* The name given at define (CFG_NAME_KEY), shown back. */
		md->name = d.name;
		d.name = NULL;
		ctl_def_free(&d);
	}
}

static bool not_dot(const char *name)
{
	return name[0] != '.';
}

/* The cell of queue apqn ("05.0047"); NULL if it is not in the grid. */
static struct mx_cell *apqn_cell(const struct mx_model *m, const int *row_of,
				 const int *col_of, const char *apqn)
{
	apv_apqn q;
	unsigned int a, d;

	if (apv_apqn_parse(apqn, strlen(apqn), &q))
		return NULL;
	a = apv_apqn_apid(q);
	d = apv_apqn_apqi(q);
	if (row_of[a] < 0 || col_of[d] < 0)
		return NULL;
	return mx_cell(m, (unsigned int)row_of[a], (unsigned int)col_of[d]);
}

/*
 * The cards' queues: which exist, and their drivers.  A driver's
 * directory lists the devices bound to it: one readdir per driver rather
 * than a readlink per queue (65,536 on the largest host).
 */
static int read_queues(struct mx_model *m, struct ctl_err *e)
{
	int row_of[APV_MAX_IDS], col_of[APV_MAX_IDS];
	char *path, **cards, **drivers;

	if (ctl_list_cards(&cards, e) < 0)
		return -1;
	memset(row_of, -1, sizeof(row_of));
	memset(col_of, -1, sizeof(col_of));
	for (unsigned int i = 0; i < m->n_rows; i++)
		row_of[m->row_id[i]] = (int)i;
	for (unsigned int i = 0; i < m->n_cols; i++)
		col_of[m->col_id[i]] = (int)i;
	for (char **c = cards; *c; c++) {
		char **qs;

		if (ctl_list_queues("devices/ap", *c, &qs) < 0)
			continue;
		for (char **q = qs; *q; q++) {
			struct mx_cell *x = apqn_cell(m, row_of, col_of, *q);

			if (x)
				x->present = true;
		}
		ctl_strv_free(qs);
	}
	ctl_strv_free(cards);
	path = ctl_sys_path("bus/ap/drivers");
	if (ctl_list_dir(path, not_dot, &drivers) < 0)
		drivers = NULL;
	free(path);
	for (char **dv = drivers; dv && *dv; dv++) {
		char **qs;

		if (ctl_list_queues("bus/ap/drivers", *dv, &qs) < 0)
			continue;
		for (char **q = qs; *q; q++) {
			struct mx_cell *x = apqn_cell(m, row_of, col_of, *q);

			if (x && x->present)
				snprintf(x->driver, sizeof(x->driver), "%s",
					 *dv);
		}
		ctl_strv_free(qs);
	}
	ctl_strv_free(drivers);
	return 0;
}

/* Without QCI the configuration masks read "not supported": the cards
 * and queues that exist are the configuration. */
static void config_from_devices(struct mx_model *m)
{
	char **cards;

	if (ctl_list_cards(&cards, NULL) < 0)
		cards = NULL;
	for (char **c = cards; c && *c; c++) {
		unsigned int ap;
		char **qs;

		if (apv_card_parse(*c, strlen(*c), &ap))
			continue;
		apv_bm_set(&m->cfg_adapters, ap);
		if (ctl_list_queues("devices/ap", *c, &qs) >= 0) {
			for (char **q = qs; *q; q++) {
				apv_apqn qn;

				if (!apv_apqn_parse(*q, strlen(*q), &qn))
					apv_bm_set(&m->cfg_domains,
						   apv_apqn_apqi(qn));
			}
			ctl_strv_free(qs);
		}
	}
	ctl_strv_free(cards);
}

static int read_model(struct mx_model *m, struct ctl_err *e)
{
	char *path, *v = NULL, **mdevs;
	bool ap_config;
	size_t n = 0;

	if (ctl_read_mask("bus/ap/ap_adapter_mask", &m->cfg_adapters) ||
	    ctl_read_mask("bus/ap/ap_usage_domain_mask", &m->cfg_domains)) {
		memset(&m->cfg_adapters, 0, sizeof(m->cfg_adapters));
		memset(&m->cfg_domains, 0, sizeof(m->cfg_domains));
		config_from_devices(m);
	}
	if (ctl_read_mask("bus/ap/ap_control_domain_mask", &m->cfg_control))
		memset(&m->cfg_control, 0, sizeof(m->cfg_control));
	m->have_masks = !ctl_read_mask("bus/ap/apmask", &m->apmask) &&
			!ctl_read_mask("bus/ap/aqmask", &m->aqmask);
	m->max_adapter = ctl_max_id("ap_max_adapter_id");
	m->max_domain = ctl_max_id("ap_max_domain_id");
	path = ctl_sys_path(MATRIX);
	m->vfio_ap = !access(path, F_OK);
	free(path);
	path = ctl_sys_path(MATRIX "/features");
	if (!ctl_read_file(path, &v))
		snprintf(m->features, sizeof(m->features), "%s", v);
	free(v);
	free(path);
	ap_config = ctl_has_ap_config();
	mdevs = ctl_active_mdevs();
	for (char **u = mdevs; *u; u++)
		n++;
	m->mdevs = xcalloc(n ? n : 1, sizeof(*m->mdevs));
	for (char **u = mdevs; *u; u++)
		read_mdev(*u, &m->mdevs[m->n_mdevs++], ap_config);
	ctl_strv_free(mdevs);
	mx_init(m);
	if (read_queues(m, e))
		return -1;
	mx_resolve(m);
	return 0;
}

static json_t *json_apqn_owner(const struct mx_model *m,
			       const struct mx_cell *x)
{
	switch (x->state) {
	case MX_HOST:
		return json_string("host");
	case MX_FREE:
		return json_string("vfio_ap");
	case MX_ASSIGNED:
	case MX_FILTERED:
		return json_string(m->mdevs[x->mdev].uuid);
	default:
		return json_null();
	}
}

static json_t *model_json(const struct mx_model *m)
{
	json_t *root = json_object(), *cells = json_array(),
	       *mdevs = json_array();

	json_object_set_new(root, "adapters", ctl_idlist_json(&m->adapters));
	json_object_set_new(root, "domains", ctl_idlist_json(&m->domains));
	json_object_set_new(root, "control_domains",
			    ctl_idlist_json(&m->cfg_control));
	for (unsigned int r = 0; r < m->n_rows; r++)
		for (unsigned int c = 0; c < m->n_cols; c++) {
			const struct mx_cell *x = mx_cell(m, r, c);
			char apqn[8];

			snprintf(apqn, sizeof(apqn), "%02x.%04x", m->row_id[r],
				 m->col_id[c]);
			json_array_append_new(
				cells,
				json_pack(
					"{s:s,s:o,s:s,s:o}", "apqn", apqn,
					"owner", json_apqn_owner(m, x), "state",
					mx_state_name(x->state), "driver",
					x->driver[0] ? json_string(x->driver) :
						       json_null()));
		}
	json_object_set_new(root, "cells", cells);
	for (size_t i = 0; i < m->n_mdevs; i++) {
		const struct mx_mdev *md = &m->mdevs[i];
		json_t *o = json_object();

		json_object_set_new(o, "label", json_string(md->label));
		json_object_set_new(o, "uuid", json_string(md->uuid));
		if (md->name)
			json_object_set_new(o, "name", json_string(md->name));
		json_object_set_new(o, "adapters", ctl_idlist_json(&md->apm));
		json_object_set_new(o, "domains", ctl_idlist_json(&md->aqm));
		json_object_set_new(o, "control_domains",
				    ctl_idlist_json(&md->adm));
		json_object_set_new(o, "guest_adapters",
				    md->guest_known ?
					    ctl_idlist_json(&md->gapm) :
					    json_null());
		json_object_set_new(o, "guest_domains",
				    md->guest_known ?
					    ctl_idlist_json(&md->gaqm) :
					    json_null());
		json_object_set_new(o, "queues", json_integer(md->n_cells));
		json_object_set_new(o, "in_guest", json_integer(md->n_guest));
		json_array_append_new(mdevs, o);
	}
	json_object_set_new(root, "mdevs", mdevs);
	return root;
}

/* FILE := BUF, atomically: a temporary file beside it, fsync, rename. */
static int write_atomic(const char *file, const struct mx_buf *b)
{
	char *dir = xstrdup(file), *slash = strrchr(dir, '/'), *tmp;
	const char *base = slash ? slash + 1 : file;
	mode_t mask = umask(0);
	size_t off = 0;
	int fd, r = 0;

	umask(mask);
	if (slash)
		*slash = '\0';
	tmp = xasprintf("%s/.%s.XXXXXX", slash ? (*dir ? dir : "/") : ".",
			base);
	fd = mkstemp(tmp);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	while (off < b->len && !r) {
		ssize_t n = write(fd, b->s + off, b->len - off);

		if (n < 0 && errno != EINTR)
			r = -errno;
		else if (n > 0)
			off += (size_t)n;
	}
	if (!r && fchmod(fd, 0666 & ~mask))
		r = -errno;
	if (!r && fsync(fd))
		r = -errno;
	if (close(fd) && !r)
		r = -errno;
	if (!r && rename(tmp, file))
		r = -errno;
	if (r)
		unlink(tmp);
out:
	free(tmp);
	free(dir);
	return r;
}

static int write_picture(const struct mx_model *m, const char *file, bool html,
			 struct ctl_err *e)
{
	struct mx_buf b = {0};
	int r;

	if (html)
		mx_render_html(m, &b);
	else
		mx_render_svg(m, &b);
	r = write_atomic(file, &b);
	mx_buf_free(&b);
	if (r)
		return ctl_fail(e, -r, "'%s': cannot write the %s: %s", file,
				html ? "HTML" : "SVG", strerror(-r));
	return 0;
}

int cmd_matrix(const struct args *a, json_t **out, struct ctl_err *e)
{
	const char *when = a->set[OPT_COLOR] ? a->val[OPT_COLOR] : "auto";
	struct mx_model m = {0};
	bool color;

	if (!strcmp(when, "always")) {
		color = true;
	} else if (!strcmp(when, "never")) {
		color = false;
	} else if (!strcmp(when, "auto")) {
		const char *nc = getenv("NO_COLOR");

		color = isatty(STDOUT_FILENO) && !(nc && *nc);
	} else {
		e->exit_code = 2;
		return ctl_fail(e, 0,
				"'--color %s': expected auto, always or never",
				when);
	}
	if (read_model(&m, e))
		goto out;
	if (a->set[OPT_SVG] && write_picture(&m, a->val[OPT_SVG], false, e))
		goto out;
	if (a->set[OPT_HTML] && write_picture(&m, a->val[OPT_HTML], true, e))
		goto out;
	if (a->json) {
		*out = model_json(&m);
	} else if (!a->set[OPT_SVG] && !a->set[OPT_HTML]) {
		struct mx_buf b = {0};

		mx_render_text(&m, color, &b);
		fwrite(b.s, 1, b.len, stdout);
		mx_buf_free(&b);
	}
out:
	mx_fini(&m);
	return e->msg ? -1 : 0;
}
