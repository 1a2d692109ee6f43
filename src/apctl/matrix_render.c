// SPDX-License-Identifier: MIT
/*
 * apctl matrix: the model of the grid and its text, SVG and HTML forms
 * (matrix_render.h).  Pure: the caller reads sysfs (cmd_matrix.c) and
 * writes the buffers out.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apctl.h"
#include "matrix_render.h"

/* ---- memory and the buffer ------------------------------------------------ */

static void *mx_alloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		abort();
	return p;
}

void mx_buf_printf(struct mx_buf *b, const char *fmt, ...)
{
	va_list ap;
	char *t;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&t, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	if (b->len + (size_t)n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		char *s;

		while (b->len + (size_t)n + 1 > cap)
			cap *= 2;
		s = realloc(b->s, cap);
		if (!s)
			abort();
		b->s = s;
		b->cap = cap;
	}
	memcpy(b->s + b->len, t, (size_t)n + 1);
	b->len += (size_t)n;
	free(t);
}

static void buf_puts(struct mx_buf *b, const char *s)
{
	mx_buf_printf(b, "%s", s);
}

void mx_buf_free(struct mx_buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

/* S with &, <, >, " escaped (XML text and attribute values). */
static void buf_xml(struct mx_buf *b, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '&':
			buf_puts(b, "&amp;");
			break;
		case '<':
			buf_puts(b, "&lt;");
			break;
		case '>':
			buf_puts(b, "&gt;");
			break;
		case '"':
			buf_puts(b, "&quot;");
			break;
		default:
			mx_buf_printf(b, "%c", *s);
		}
}

/* " (NAME)", escaped, if the mdev's definition has a name. */
static void buf_name(struct mx_buf *b, const struct mx_mdev *md)
{
	if (!md->name)
		return;
	buf_puts(b, " (");
	buf_xml(b, md->name);
	buf_puts(b, ")");
}

/* "04-05,0a" (width 2) or "0047,0054" (width 4); "-" when empty. */
static void buf_ids(struct mx_buf *b, const struct apv_bitmap *ids, int width)
{
	char *s = ctl_idlist_str(ids, width);

	buf_puts(b, s);
	free(s);
}

static unsigned int ids_count(const struct apv_bitmap *ids)
{
	unsigned int n = 0;

	for (int i = 0; i < 4; i++)
		n += (unsigned int)__builtin_popcountll(ids->w[i]);
	return n;
}

/* ---- the model ------------------------------------------------------------ */

static const char *const state_names[MX_N_STATES] = {
	[MX_HOST] = "host",	    [MX_FREE] = "free",
	[MX_ASSIGNED] = "assigned", [MX_FILTERED] = "filtered",
	[MX_UNBOUND] = "unbound",   [MX_ABSENT] = "absent",
};

const char *mx_state_name(enum mx_state s)
{
	return s < MX_N_STATES ? state_names[s] : "?";
}

void mx_label(size_t i, char out[4])
{
	const size_t n1 = 26, n2 = n1 * n1, n3 = n2 * n1;

	if (i < n1) {
		out[0] = (char)('A' + i);
		out[1] = '\0';
	} else if (i < n1 + n2) {
		i -= n1;
		out[0] = (char)('A' + i / n1);
		out[1] = (char)('A' + i % n1);
		out[2] = '\0';
	} else {
		i = (i - n1 - n2) % n3;
		out[0] = (char)('A' + i / n2);
		out[1] = (char)('A' + i / n1 % n1);
		out[2] = (char)('A' + i % n1);
		out[3] = '\0';
	}
}

void mx_init(struct mx_model *m)
{
	m->adapters = m->cfg_adapters;
	m->domains = m->cfg_domains;
	for (size_t i = 0; i < m->n_mdevs; i++) {
		apv_bm_or(&m->adapters, &m->adapters, &m->mdevs[i].apm);
		apv_bm_or(&m->domains, &m->domains, &m->mdevs[i].aqm);
	}
	m->n_rows = m->n_cols = 0;
	for (unsigned int id = 0; id < APV_MAX_IDS; id++) {
		if (apv_bm_test(&m->adapters, id))
			m->row_id[m->n_rows++] = (unsigned char)id;
		if (apv_bm_test(&m->domains, id))
			m->col_id[m->n_cols++] = (unsigned char)id;
	}
	free(m->cells);
	m->cells = mx_alloc((size_t)m->n_rows * m->n_cols, sizeof(*m->cells));
	for (size_t i = 0; i < (size_t)m->n_rows * m->n_cols; i++) {
		m->cells[i].state = MX_ABSENT;
		m->cells[i].mdev = -1;
	}
}

struct mx_cell *mx_cell(const struct mx_model *m, unsigned int row,
			unsigned int col)
{
	return &m->cells[(size_t)row * m->n_cols + col];
}

void mx_resolve(struct mx_model *m)
{
	memset(m->count, 0, sizeof(m->count));
	for (size_t i = 0; i < m->n_mdevs; i++) {
		mx_label(i, m->mdevs[i].label);
		m->mdevs[i].n_cells = m->mdevs[i].n_guest = 0;
	}
	for (unsigned int r = 0; r < m->n_rows; r++)
		for (unsigned int c = 0; c < m->n_cols; c++) {
			struct mx_cell *x = mx_cell(m, r, c);
			unsigned int a = m->row_id[r], d = m->col_id[c];

			x->mdev = -1;
			for (size_t i = 0; i < m->n_mdevs && x->mdev < 0; i++)
				if (apv_bm_test(&m->mdevs[i].apm, a) &&
				    apv_bm_test(&m->mdevs[i].aqm, d))
					x->mdev = (int)i;
			if (x->mdev >= 0) {
				struct mx_mdev *md = &m->mdevs[x->mdev];
				bool in = md->guest_known &&
					  apv_bm_test(&md->gapm, a) &&
					  apv_bm_test(&md->gaqm, d);

				x->state = in ? MX_ASSIGNED : MX_FILTERED;
				md->n_cells++;
				md->n_guest += in;
			} else if (!x->present) {
				x->state = MX_ABSENT;
			} else if (!x->driver[0]) {
				x->state = MX_UNBOUND;
			} else if (!strcmp(x->driver, "vfio_ap")) {
				x->state = MX_FREE;
			} else {
				x->state = MX_HOST;
			}
			m->count[x->state]++;
		}
}

void mx_fini(struct mx_model *m)
{
	for (size_t i = 0; i < m->n_mdevs; i++)
		free(m->mdevs[i].name);
	free(m->cells);
	free(m->mdevs);
	m->cells = NULL;
	m->mdevs = NULL;
	m->n_mdevs = 0;
}

/* ---- shared wording ---------------------------------------------------------- */

/* The host drivers of the host cells, "cex4queue" or "cex4queue, ...". */
static void buf_host_drivers(struct mx_buf *b, const struct mx_model *m)
{
	const char *seen[8];
	size_t n = 0;

	for (size_t i = 0; i < (size_t)m->n_rows * m->n_cols; i++) {
		const struct mx_cell *x = &m->cells[i];
		size_t k;

		if (x->state != MX_HOST)
			continue;
		for (k = 0; k < n && strcmp(seen[k], x->driver); k++)
			;
		if (k == n && n < sizeof(seen) / sizeof(seen[0]))
			seen[n++] = x->driver;
	}
	for (size_t k = 0; k < n; k++)
		mx_buf_printf(b, "%s%s", k ? ", " : "", seen[k]);
	if (!n)
		buf_puts(b, "zcrypt");
}

static void buf_state_text(struct mx_buf *b, const struct mx_model *m,
			   enum mx_state s)
{
	switch (s) {
	case MX_HOST:
		buf_puts(b, "host driver (");
		buf_host_drivers(b, m);
		buf_puts(b, "): reserved for the host by apmask/aqmask");
		break;
	case MX_FREE:
		buf_puts(b, "free for vfio_ap: bound to vfio_ap, in no mdev");
		break;
	case MX_ASSIGNED:
		buf_puts(b, "in the mdev's matrix and its guest_matrix");
		break;
	case MX_FILTERED:
		buf_puts(b, "in the mdev's matrix, filtered out of its "
			    "guest_matrix");
		break;
	case MX_UNBOUND:
		buf_puts(b, "a queue without a driver");
		break;
	default:
		buf_puts(b, "no queue device (not in the configuration)");
	}
}

/* The host facts: what the grid covers (utf8: "\u00d7" for "x"). */
static void buf_facts(struct mx_buf *b, const struct mx_model *m, bool utf8)
{
	mx_buf_printf(b, "%u adapters %s %u usage domains, %u control domains",
		      ids_count(&m->cfg_adapters), utf8 ? "\u00d7" : "x",
		      ids_count(&m->cfg_domains), ids_count(&m->cfg_control));
	if (!m->vfio_ap)
		buf_puts(b, "; vfio_ap not loaded");
	else
		mx_buf_printf(b, "; %zu mdev%s", m->n_mdevs,
			      m->n_mdevs == 1 ? "" : "s");
}

/* And the facts of the bus and of vfio_ap. */
static void buf_facts2(struct mx_buf *b, const struct mx_model *m, bool utf8)
{
	mx_buf_printf(b, "highest adapter id %02x, domain id %04x",
		      m->max_adapter, m->max_domain);
	if (m->have_masks) {
		struct apv_bitmap a = m->apmask, q = m->aqmask;

		apv_bm_and(&a, &a, &m->cfg_adapters);
		apv_bm_and(&q, &q, &m->cfg_domains);
		mx_buf_printf(b, "; host keeps adapters ");
		buf_ids(b, &a, 2);
		mx_buf_printf(b, " %s domains ", utf8 ? "\u00d7" : "x");
		buf_ids(b, &q, 4);
	}
	if (m->vfio_ap && m->features[0]) {
		buf_puts(b, "; vfio_ap features: ");
		if (utf8)
			buf_xml(b, m->features);
		else
			buf_puts(b, m->features);
	}
}

static void buf_mdev_summary(struct mx_buf *b, const struct mx_mdev *md)
{
	mx_buf_printf(b, "%u queue%s, %u in the guest; control domains ",
		      md->n_cells, md->n_cells == 1 ? "" : "s", md->n_guest);
	buf_ids(b, &md->adm, 4);
}

/* The mdev of the first filtered cell: the legend's example. */
static int first_filtered(const struct mx_model *m)
{
	for (size_t i = 0; i < (size_t)m->n_rows * m->n_cols; i++)
		if (m->cells[i].state == MX_FILTERED)
			return m->cells[i].mdev;
	return 0;
}

/* ---- text ------------------------------------------------------------------ */

#define ANSI_RESET "\033[0m"
#define ANSI_DIM "\033[2m"

/* 256-colour indices that stay apart on dark and light terminals. */
static const unsigned char ansi_palette[] = {33,  208, 35, 163, 178, 39,
					     160, 70,  99, 214, 30,  205};

static void ansi_mdev(struct mx_buf *b, int mdev, bool filtered)
{
	mx_buf_printf(b, "\033[%s38;5;%um", filtered ? "4;" : "1;",
		      ansi_palette[(size_t)mdev % sizeof(ansi_palette)]);
}

/* The symbol of a cell (or of a state in the legend) and its colour. */
static void cell_text(const struct mx_model *m, enum mx_state s, int mdev,
		      char out[8], const char **ansi)
{
	*ansi = ANSI_DIM;
	switch (s) {
	case MX_HOST:
		strcpy(out, "H");
		break;
	case MX_FREE:
		strcpy(out, ".");
		break;
	case MX_ASSIGNED:
	case MX_FILTERED:
		snprintf(out, 8, "%s%s", mdev >= 0 ? m->mdevs[mdev].label : "A",
			 s == MX_FILTERED ? "!" : "");
		*ansi = NULL; /* the mdev's colour */
		break;
	case MX_UNBOUND:
		strcpy(out, "?");
		*ansi = "\033[33m";
		break;
	default:
		strcpy(out, "x");
	}
}

static void text_cell(struct mx_buf *b, const struct mx_model *m,
		      enum mx_state s, int mdev, bool color, int width)
{
	const char *ansi;
	char sym[8];

	cell_text(m, s, mdev, sym, &ansi);
	if (color) {
		if (ansi)
			buf_puts(b, ansi);
		else
			ansi_mdev(b, mdev < 0 ? 0 : mdev, s == MX_FILTERED);
	}
	buf_puts(b, sym);
	if (color)
		buf_puts(b, ANSI_RESET);
	if (width)
		mx_buf_printf(b, "%*s", width - (int)strlen(sym), "");
}

/* Drop the spaces before the last newline (cells are padded). */
static void trim_line(struct mx_buf *b)
{
	while (b->len && b->s[b->len - 1] == ' ')
		b->s[--b->len] = '\0';
}

void mx_render_text(const struct mx_model *m, bool color, struct mx_buf *b)
{
	int lw = 1, w;

	for (size_t i = 0; i < m->n_mdevs; i++)
		if ((int)strlen(m->mdevs[i].label) > lw)
			lw = (int)strlen(m->mdevs[i].label);
	w = (lw + 1 > 4 ? lw + 1 : 4) + 1;
	buf_puts(b, "AP matrix: ");
	buf_facts(b, m, false);
	buf_puts(b, "\n");
	buf_facts2(b, m, false);
	buf_puts(b, "\n");
	if (!m->n_rows || !m->n_cols) {
		buf_puts(b, "(no queues: no adapter or no usage domain)\n");
	} else {
		mx_buf_printf(b, "\n%6s", "");
		for (unsigned int c = 0; c < m->n_cols; c++)
			mx_buf_printf(b, "%-*.4x", w, m->col_id[c]);
		trim_line(b);
		buf_puts(b, "\n");
		for (unsigned int r = 0; r < m->n_rows; r++) {
			mx_buf_printf(b, "  %02x  ", m->row_id[r]);
			for (unsigned int c = 0; c < m->n_cols; c++) {
				const struct mx_cell *x = mx_cell(m, r, c);

				text_cell(b, m, x->state, x->mdev, color, w);
			}
			trim_line(b);
			buf_puts(b, "\n");
		}
	}
	buf_puts(b, "\n");
	for (int s = 0; s < MX_N_STATES; s++) {
		if (s == MX_ASSIGNED || !m->count[s])
			continue;
		buf_puts(b, "  ");
		text_cell(b, m, (enum mx_state)s,
			  s == MX_FILTERED ? first_filtered(m) : -1, color, w);
		buf_state_text(b, m, (enum mx_state)s);
		buf_puts(b, "\n");
	}
	for (size_t i = 0; i < m->n_mdevs; i++) {
		const struct mx_mdev *md = &m->mdevs[i];

		buf_puts(b, "  ");
		text_cell(b, m, MX_ASSIGNED, (int)i, color, w);
		mx_buf_printf(b, "mdev %s%s%s%s: ", md->uuid,
			      md->name ? " (" : "", md->name ? md->name : "",
			      md->name ? ")" : "");
		buf_mdev_summary(b, md);
		buf_puts(b, "\n");
	}
	if (!m->n_mdevs)
		buf_puts(b, "  (no mdevs)\n");
}

/* ---- SVG --------------------------------------------------------------------- */

/* The mdev's colour: hues a golden angle apart, from blue. */
static void buf_mdev_color(struct mx_buf *b, size_t i)
{
	mx_buf_printf(b, "hsl(%u,62%%,%u%%)",
		      (unsigned int)(210 + i * 137) % 360, i % 2 ? 38u : 46u);
}

struct svg_geo {
	unsigned int cs, gap, pitch,
		step; /* cell, gap, cell+gap, label every */
	unsigned int x0, y0, width, height, legend_y, mdev_cols, mdev_col_w;
	bool merge; /* runs of equal cells are one rectangle */
};

#define SVG_MIN_WIDTH 760
#define SVG_LINE 20

/* header: the SVG shows its own title and facts (not inside the HTML). */
static void svg_geometry(const struct mx_model *m, bool header,
			 struct svg_geo *g)
{
	unsigned int n = m->n_rows > m->n_cols ? m->n_rows : m->n_cols;
	unsigned int grid_w, states = 0, mdev_rows;
	struct mx_buf f = {0};

	g->cs = n <= 16 ? 32 : n <= 32 ? 22 : n <= 64 ? 11 : n <= 128 ? 5 : 3;
	g->gap = g->cs >= 11 ? 2 : 0;
	g->pitch = g->cs + g->gap;
	for (g->step = 1; g->step * g->pitch < 16; g->step *= 2)
		;
	g->merge = (size_t)m->n_rows * m->n_cols > 4096;
	g->x0 = 48;
	g->y0 = (header ? 84 : 10) + 56;
	grid_w = g->x0 + m->n_cols * g->pitch + 24;
	g->width = grid_w > SVG_MIN_WIDTH ? grid_w : SVG_MIN_WIDTH;
	if (header) {
		/* The facts' line at about 6.5 px a character. */
		buf_facts2(&f, m, false);
		if (48 + f.len * 13 / 2 > g->width)
			g->width = 48 + (unsigned int)(f.len * 13 / 2);
		mx_buf_free(&f);
	}
	g->legend_y = g->y0 + m->n_rows * g->pitch + 28;
	for (int s = 0; s < MX_N_STATES; s++)
		states += s != MX_ASSIGNED && m->count[s];
	g->mdev_col_w = 520;
	g->mdev_cols = (g->width - 24) / g->mdev_col_w;
	if (!g->mdev_cols)
		g->mdev_cols = 1;
	mdev_rows =
		(unsigned int)((m->n_mdevs + g->mdev_cols - 1) / g->mdev_cols);
	g->height = g->legend_y + (states + mdev_rows) * SVG_LINE;
}

static void svg_tooltip(struct mx_buf *b, const struct mx_model *m,
			unsigned int r, unsigned int c0, unsigned int c1)
{
	const struct mx_cell *x = mx_cell(m, r, c0);

	buf_puts(b, "<title>");
	if (c1 > c0)
		mx_buf_printf(b, "APQNs %02x.%04x\u2013%02x.%04x (%u queues)",
			      m->row_id[r], m->col_id[c0], m->row_id[r],
			      m->col_id[c1], c1 - c0 + 1);
	else
		mx_buf_printf(b, "APQN %02x.%04x", m->row_id[r], m->col_id[c0]);
	buf_puts(b, "\ndriver: ");
	buf_xml(b, !x->present	? "(no queue device)" :
		   x->driver[0] ? x->driver :
				  "(none)");
	if (x->mdev >= 0) {
		buf_puts(b, "\nmdev: ");
		buf_xml(b, m->mdevs[x->mdev].label);
		buf_puts(b, " ");
		buf_xml(b, m->mdevs[x->mdev].uuid);
		buf_name(b, &m->mdevs[x->mdev]);
	}
	mx_buf_printf(b, "\nstate: %s: ", mx_state_name(x->state));
	buf_state_text(b, m, x->state);
	buf_puts(b, "</title>");
}

/* The fill of a state (or of mdev i's cells). */
static void svg_fill_attr(struct mx_buf *b, enum mx_state s, int mdev)
{
	if (s == MX_ASSIGNED)
		mx_buf_printf(b, " class=\"m%d\"", mdev);
	else if (s == MX_FILTERED)
		mx_buf_printf(b, " class=\"mf\" fill=\"url(#h%d)\"", mdev);
	else
		mx_buf_printf(b, " class=\"%s\"", mx_state_name(s));
}

static bool same_cell(const struct mx_cell *a, const struct mx_cell *b)
{
	return a->state == b->state && a->mdev == b->mdev &&
	       a->present == b->present && !strcmp(a->driver, b->driver);
}

static void svg_cells(struct mx_buf *b, const struct mx_model *m,
		      const struct svg_geo *g)
{
	for (unsigned int r = 0; r < m->n_rows; r++)
		for (unsigned int c = 0; c < m->n_cols; c++) {
			const struct mx_cell *x = mx_cell(m, r, c);
			unsigned int c1 = c, x_px, y_px, w;

			while (g->merge && c1 + 1 < m->n_cols &&
			       same_cell(x, mx_cell(m, r, c1 + 1)))
				c1++;
			x_px = g->x0 + c * g->pitch;
			y_px = g->y0 + r * g->pitch;
			w = (c1 - c + 1) * g->pitch - g->gap;
			buf_puts(b, "<g>");
			svg_tooltip(b, m, r, c, c1);
			mx_buf_printf(b,
				      "<rect x=\"%u\" y=\"%u\" width=\"%u\" "
				      "height=\"%u\"",
				      x_px, y_px, w, g->cs);
			svg_fill_attr(b, x->state, x->mdev);
			buf_puts(b, "/>");
			if (g->cs >= 22 && x->mdev >= 0) {
				mx_buf_printf(
					b,
					"<text class=\"cl%s\" x=\"%u\" "
					"y=\"%u\">",
					x->state == MX_FILTERED ? " fl" : "",
					x_px + g->cs / 2, y_px + g->cs / 2 + 5);
				buf_xml(b, m->mdevs[x->mdev].label);
				buf_puts(b, "</text>");
			} else if (g->cs >= 22 && x->state == MX_HOST) {
				mx_buf_printf(b,
					      "<text class=\"cl hl\" x=\"%u\" "
					      "y=\"%u\">H</text>",
					      x_px + g->cs / 2,
					      y_px + g->cs / 2 + 5);
			}
			buf_puts(b, "</g>\n");
			c = c1;
		}
}

static void svg_axes(struct mx_buf *b, const struct mx_model *m,
		     const struct svg_geo *g)
{
	mx_buf_printf(b,
		      "<text class=\"ax\" x=\"%u\" y=\"%u\">usage domains "
		      "\u2192",
		      g->x0, g->y0 - 44);
	if (g->step > 1)
		mx_buf_printf(b, " (every %u%s id labelled)", g->step,
			      g->step == 2 ? "nd" : "th");
	buf_puts(b, "</text>\n");
	mx_buf_printf(b,
		      "<text class=\"ax\" transform=\"translate(%u,%u) "
		      "rotate(-90)\" text-anchor=\"end\">adapters "
		      "\u2192</text>\n",
		      g->x0 - 30, g->y0);
	for (unsigned int c = 0; c < m->n_cols; c += g->step)
		mx_buf_printf(b,
			      "<text class=\"id\" transform=\"translate(%u,%u) "
			      "rotate(-90)\">%04x</text>\n",
			      g->x0 + c * g->pitch + g->cs / 2 + 4, g->y0 - 5,
			      m->col_id[c]);
	for (unsigned int r = 0; r < m->n_rows; r += g->step)
		mx_buf_printf(b,
			      "<text class=\"id\" x=\"%u\" y=\"%u\" "
			      "text-anchor=\"end\">%02x</text>\n",
			      g->x0 - 5, g->y0 + r * g->pitch + g->cs / 2 + 4,
			      m->row_id[r]);
}

static void svg_legend(struct mx_buf *b, const struct mx_model *m,
		       const struct svg_geo *g)
{
	unsigned int y = g->legend_y;

	for (int s = 0; s < MX_N_STATES; s++) {
		if (s == MX_ASSIGNED || !m->count[s])
			continue;
		mx_buf_printf(b,
			      "<rect x=\"24\" y=\"%u\" width=\"14\" "
			      "height=\"14\"",
			      y - 12);
		svg_fill_attr(b, (enum mx_state)s,
			      s == MX_FILTERED ? first_filtered(m) : -1);
		mx_buf_printf(b, "/><text class=\"lg\" x=\"46\" y=\"%u\">", y);
		if (s == MX_FILTERED)
			buf_puts(b, "striped: ");
		buf_state_text(b, m, (enum mx_state)s);
		buf_puts(b, "</text>\n");
		y += SVG_LINE;
	}
	if (!m->n_mdevs) {
		mx_buf_printf(b,
			      "<text class=\"lg\" x=\"24\" y=\"%u\">"
			      "no mdevs</text>\n",
			      y);
		return;
	}
	for (size_t i = 0; i < m->n_mdevs; i++) {
		const struct mx_mdev *md = &m->mdevs[i];
		unsigned int col = (unsigned int)(i % g->mdev_cols);
		unsigned int row = (unsigned int)(i / g->mdev_cols);
		unsigned int x = 24 + col * g->mdev_col_w;
		unsigned int yy = y + row * SVG_LINE;

		mx_buf_printf(b, "<g><title>mdev %s", md->uuid);
		buf_name(b, md);
		buf_puts(b, "\nmatrix: adapters ");
		buf_ids(b, &md->apm, 2);
		buf_puts(b, ", domains ");
		buf_ids(b, &md->aqm, 4);
		buf_puts(b, "\nguest_matrix: adapters ");
		buf_ids(b, &md->gapm, 2);
		buf_puts(b, ", domains ");
		buf_ids(b, &md->gaqm, 4);
		buf_puts(b, "\ncontrol domains ");
		buf_ids(b, &md->adm, 4);
		mx_buf_printf(b,
			      "</title><rect x=\"%u\" y=\"%u\" width=\"14\" "
			      "height=\"14\" class=\"m%zu\"/>",
			      x, yy - 12, i);
		mx_buf_printf(b, "<text class=\"lg\" x=\"%u\" y=\"%u\">",
			      x + 22, yy);
		mx_buf_printf(b, "<tspan class=\"lb\">%s</tspan> %s", md->label,
			      md->uuid);
		buf_name(b, md);
		buf_puts(b, " ");
		mx_buf_printf(b, "(%u/%u in guest; ctrl ", md->n_guest,
			      md->n_cells);
		buf_ids(b, &md->adm, 4);
		buf_puts(b, ")</text></g>\n");
	}
}

static void svg_style(struct mx_buf *b, const struct mx_model *m,
		      const struct svg_geo *g)
{
	const char *stroke = g->cs >= 11 ? "#868e96" : "none";

	buf_puts(b, "<style>\n"
		    "text{font-family:'DejaVu Sans',Verdana,sans-serif;"
		    "fill:#212529}\n"
		    ".t{font-size:18px;font-weight:bold}\n"
		    ".f{font-size:12px;fill:#495057}\n"
		    ".ax{font-size:11px;fill:#868e96}\n"
		    ".id{font-family:'DejaVu Sans Mono',monospace;"
		    "font-size:11px}\n"
		    ".lg{font-size:12px}\n"
		    ".lb{font-weight:bold}\n"
		    ".cl{font-family:'DejaVu Sans Mono',monospace;"
		    "font-size:13px;font-weight:bold;fill:#fff;"
		    "text-anchor:middle;pointer-events:none}\n"
		    ".cl.fl{fill:#212529;stroke:#fff;stroke-width:3px;"
		    "paint-order:stroke}\n"
		    ".cl.hl{fill:#868e96;font-weight:normal}\n"
		    ".host{fill:#ced4da}\n");
	mx_buf_printf(b, ".free{fill:#ffffff;stroke:%s;stroke-width:1}\n",
		      g->cs >= 11 ? "#adb5bd" : "none");
	if (g->cs < 11)
		buf_puts(b, ".free{fill:#e7f5ff}\n");
	buf_puts(b, ".unbound{fill:#ffd43b}\n");
	mx_buf_printf(b,
		      ".absent{fill:#f8f9fa;stroke:%s;stroke-width:1;"
		      "stroke-dasharray:2 2}\n",
		      g->cs >= 11 ? "#ced4da" : "none");
	mx_buf_printf(b, ".mf{stroke:%s;stroke-width:0}\n", stroke);
	for (size_t i = 0; i < m->n_mdevs; i++) {
		mx_buf_printf(b, ".m%zu{fill:", i);
		buf_mdev_color(b, i);
		buf_puts(b, "}\n");
	}
	buf_puts(b, "</style>\n");
}

static void svg_defs(struct mx_buf *b, const struct mx_model *m)
{
	buf_puts(b, "<defs>\n");
	for (size_t i = 0; i < (m->n_mdevs ? m->n_mdevs : 1); i++) {
		mx_buf_printf(b,
			      "<pattern id=\"h%zu\" width=\"6\" height=\"6\" "
			      "patternUnits=\"userSpaceOnUse\" "
			      "patternTransform=\"rotate(45)\">"
			      "<rect width=\"6\" height=\"6\" fill=\"#fff\"/>"
			      "<rect width=\"3\" height=\"6\" fill=\"",
			      i);
		if (m->n_mdevs)
			buf_mdev_color(b, i);
		else
			buf_puts(b, "#868e96");
		buf_puts(b, "\"/></pattern>\n");
	}
	buf_puts(b, "</defs>\n");
}

static void svg_body(const struct mx_model *m, struct mx_buf *b, bool header)
{
	struct svg_geo g;

	svg_geometry(m, header, &g);
	mx_buf_printf(b,
		      "<svg xmlns=\"http://www.w3.org/2000/svg\" "
		      "width=\"%u\" height=\"%u\" viewBox=\"0 0 %u %u\" "
		      "role=\"img\">\n",
		      g.width, g.height, g.width, g.height);
	buf_puts(b, "<title>AP matrix: ");
	buf_facts(b, m, true);
	buf_puts(b, "</title>\n");
	svg_style(b, m, &g);
	svg_defs(b, m);
	mx_buf_printf(b,
		      "<rect width=\"%u\" height=\"%u\" fill=\"#ffffff\"/>\n",
		      g.width, g.height);
	if (header) {
		buf_puts(b, "<text class=\"t\" x=\"24\" y=\"30\">AP matrix: "
			    "adapters \u00d7 usage domains</text>\n"
			    "<text class=\"f\" x=\"24\" y=\"52\">");
		buf_facts(b, m, true);
		buf_puts(b, "</text>\n<text class=\"f\" x=\"24\" y=\"70\">");
		buf_facts2(b, m, true);
		buf_puts(b, "</text>\n");
	}
	if (m->n_rows && m->n_cols) {
		svg_axes(b, m, &g);
		svg_cells(b, m, &g);
	} else {
		mx_buf_printf(b,
			      "<text class=\"lg\" x=\"24\" y=\"%u\">no queues: "
			      "no adapter or no usage domain</text>\n",
			      g.y0);
	}
	svg_legend(b, m, &g);
	buf_puts(b, "</svg>\n");
}

void mx_render_svg(const struct mx_model *m, struct mx_buf *b)
{
	buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	svg_body(m, b, true);
}

/* ---- HTML ---------------------------------------------------------------------- */

void mx_render_html(const struct mx_model *m, struct mx_buf *b)
{
	buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
		    "<meta charset=\"utf-8\">\n<title>AP matrix</title>\n"
		    "<style>\n"
		    "body{font-family:'DejaVu Sans',Verdana,sans-serif;"
		    "margin:24px;color:#212529;background:#fff}\n"
		    "h1{font-size:22px;margin:0 0 4px}\n"
		    "h2{font-size:17px;margin:24px 0 8px}\n"
		    "p.f{color:#495057;margin:0 0 12px;font-size:13px}\n"
		    "table{border-collapse:collapse;font-size:13px}\n"
		    "th,td{border:1px solid #dee2e6;padding:4px 10px;"
		    "text-align:left}\n"
		    "th{background:#f1f3f5}\n"
		    "td.id{font-family:'DejaVu Sans Mono',monospace}\n"
		    ".sw{display:inline-block;width:14px;height:14px;"
		    "vertical-align:middle;margin-right:6px}\n"
		    "</style>\n</head>\n<body>\n<h1>AP matrix</h1>\n"
		    "<p class=\"f\">");
	buf_facts(b, m, true);
	buf_puts(b, "<br>");
	buf_facts2(b, m, true);
	buf_puts(b, "</p>\n");
	svg_body(m, b, false);
	buf_puts(b, "<h2>Mediated devices</h2>\n");
	if (!m->n_mdevs) {
		buf_puts(b, "<p>No mdev is active.</p>\n</body>\n</html>\n");
		return;
	}
	buf_puts(b, "<table>\n<tr><th>mdev</th><th>UUID</th><th>adapters</th>"
		    "<th>usage domains</th><th>control domains</th>"
		    "<th>guest adapters</th><th>guest domains</th>"
		    "<th>queues in the guest</th></tr>\n");
	for (size_t i = 0; i < m->n_mdevs; i++) {
		const struct mx_mdev *md = &m->mdevs[i];

		buf_puts(b, "<tr><td><span class=\"sw\" style=\"background:");
		buf_mdev_color(b, i);
		mx_buf_printf(b, "\"></span><b>%s</b></td><td class=\"id\">",
			      md->label);
		buf_xml(b, md->uuid);
		buf_name(b, md);
		buf_puts(b, "</td><td class=\"id\">");
		buf_ids(b, &md->apm, 2);
		buf_puts(b, "</td><td class=\"id\">");
		buf_ids(b, &md->aqm, 4);
		buf_puts(b, "</td><td class=\"id\">");
		buf_ids(b, &md->adm, 4);
		buf_puts(b, "</td><td class=\"id\">");
		buf_ids(b, &md->gapm, 2);
		buf_puts(b, "</td><td class=\"id\">");
		buf_ids(b, &md->gaqm, 4);
		mx_buf_printf(b, "</td><td>%u of %u</td></tr>\n", md->n_guest,
			      md->n_cells);
	}
	buf_puts(b, "</table>\n</body>\n</html>\n");
}
