/* SPDX-License-Identifier: MIT */
/*
 * apctl matrix: the adapters x domains grid of a host and who owns each
 * queue, as a model (filled by cmd_matrix.c from sysfs) and its renderings:
 * text (plain or ANSI colour), SVG and HTML.  Pure: no I/O, no sysfs; the
 * renderers append to a growing buffer.  Tested through apctl by
 * tests/apctl/matrix.sh (goldens) and tests/apctl/matrix-render.sh (chromium).
 */
#ifndef APCTL_MATRIX_RENDER_H
#define APCTL_MATRIX_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "sysfs.h"

/* Who has a queue (a cell), in the order the legend lists them. */
enum mx_state {
	MX_HOST,     /* bound to a host (zcrypt) driver, e.g. cex4queue */
	MX_FREE,     /* bound to vfio_ap, in no mdev */
	MX_ASSIGNED, /* in an mdev's matrix and its guest_matrix */
	MX_FILTERED, /* in an mdev's matrix, not in its guest_matrix */
	MX_UNBOUND,  /* a queue device without a driver */
	MX_ABSENT,   /* no queue device */
	MX_N_STATES
};

/* "host", "free", "assigned", "filtered", "unbound", "absent". */
const char *mx_state_name(enum mx_state s);

struct mx_cell {
	/* Filled by the reader: */
	bool present;	 /* the queue device exists */
	char driver[24]; /* its driver, "" none */
	/* Computed by mx_resolve(): */
	enum mx_state state;
	int mdev; /* index into mdevs[], -1: none */
};

struct mx_mdev {
	char uuid[37];
	char *name;    /* its definition's name (CFG_NAME_KEY), NULL: none;
		       freed by mx_fini() */
	char label[4]; /* "A" .. "Z", "AA" ..; mx_resolve() */
	struct apv_bitmap apm, aqm, adm; /* matrix and control_domains */
	struct apv_bitmap gapm, gaqm;	 /* guest_matrix */
	bool guest_known;		 /* guest_matrix was readable */
	unsigned int n_cells, n_guest;	 /* its cells in the grid; in guest */
};

struct mx_model {
	/* The host (the reader fills these before mx_init()): */
	struct apv_bitmap cfg_adapters, cfg_domains, cfg_control;
	struct apv_bitmap apmask, aqmask;
	bool have_masks;
	unsigned int max_adapter, max_domain;
	char features[128]; /* the matrix device's features; "" */
	bool vfio_ap;	    /* the matrix device exists */
	struct mx_mdev *mdevs;
	size_t n_mdevs;
	/* The grid (mx_init()): */
	struct apv_bitmap adapters, domains; /* rows, columns */
	unsigned int n_rows, n_cols;
	unsigned char row_id[APV_MAX_IDS], col_id[APV_MAX_IDS];
	struct mx_cell *cells; /* n_rows x n_cols, row-major */
	unsigned int count[MX_N_STATES];
};

/*
 * Rows: the configuration's adapters and any adapter an mdev holds;
 * columns likewise for usage domains.  Allocates the cells (absent, no
 * mdev).  Call after cfg_* and mdevs are set.
 */
void mx_init(struct mx_model *m);
struct mx_cell *mx_cell(const struct mx_model *m, unsigned int row,
			unsigned int col);
/* Label the mdevs and compute each cell's state and owner. */
void mx_resolve(struct mx_model *m);
void mx_fini(struct mx_model *m);

/* "A" .. "Z", "AA" .. "ZZ", "AAA" ..: the i-th mdev's label. */
void mx_label(size_t i, char out[4]);

/* A growing string. */
struct mx_buf {
	char *s;
	size_t len, cap;
};

void mx_buf_printf(struct mx_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void mx_buf_free(struct mx_buf *b);

/* The grid, its legend and the mdevs; ANSI colours when color. */
void mx_render_text(const struct mx_model *m, bool color, struct mx_buf *b);
/* A standalone SVG document (XML declaration included). */
void mx_render_svg(const struct mx_model *m, struct mx_buf *b);
/* An HTML page: the SVG inline, then a table of the mdevs. */
void mx_render_html(const struct mx_model *m, struct mx_buf *b);

#endif
