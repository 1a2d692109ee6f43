// SPDX-License-Identifier: MIT
/*
 * Topology files and presets -> struct apv_preset (sim.h; the file format
 * is documented in docs/topology.md).
 *
 * The file is parsed strictly: unknown keys, wrong JSON types, duplicate
 * keys (jansson's JSON_REJECT_DUPLICATES), duplicate ids and out-of-range
 * ids are errors, and every message starts with the path of the offending
 * field ("adapters[2].id: ...").  Checks that depend on several fields
 * (ids against max_adapter_id, legacy types against the kernel) run after
 * the whole file is read, so key order does not matter.
 *
 * Also home of the JSON value helpers of simjson.h.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include <apvirt/hex.h>
#include <apvirt/parse.h>
#include <apvirt/preset.h>

#include "sim.h"
#include "simjson.h"

#define TOPOLOGY_MAX_BYTES (16u << 20)

/* ---- value helpers (simjson.h) ----------------------------------------- */

static const char why_id[] = "expected an id: a number 0..255 or a \"0x..\" "
			     "hex string";
static const char why_id_range[] = "expected an id (0..255, \"0x..\") or a "
				   "range \"A-B\"";
static const char why_type[] = "expected CEX4..CEX8 (or 10..14)";
static const char why_mode[] = "expected \"accel\", \"cca\" or \"ep11\"";

int apsim_parse_id_text(const char *s, unsigned int *out)
{
	unsigned long v = 0;
	bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	const char *p = hex ? s + 2 : s;

	if (!*p)
		return -EINVAL;
	for (; *p; p++) {
		int d = apv_hex_val(*p); /* either case after "0x" */

		if (d < 0 || (!hex && d > 9))
			return -EINVAL;
		v = v * (hex ? 16 : 10) + (unsigned int)d;
		if (v > 255)
			v = 256; /* keep scanning for syntax errors */
	}
	if (v > 255)
		return -ERANGE;
	*out = (unsigned int)v;
	return 0;
}

int apsim_json_id(const json_t *v, unsigned int *out, const char **why)
{
	const char *s;
	int rc;

	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);

		if (i < 0 || i > 255) {
			*why = "id is outside 0..255";
			return -EINVAL;
		}
		*out = (unsigned int)i;
		return 0;
	}
	if (!json_is_string(v)) {
		*why = why_id;
		return -EINVAL;
	}
	s = json_string_value(v);
	if (strlen(s) != json_string_length(v) || s[0] != '0' ||
	    (s[1] != 'x' && s[1] != 'X')) {
		*why = why_id;
		return -EINVAL;
	}
	rc = apsim_parse_id_text(s, out);
	if (rc)
		*why = rc == -ERANGE ? "id is outside 0..255" : why_id;
	return rc ? -EINVAL : 0;
}

int apsim_json_id_range(const json_t *v, unsigned int *first,
			unsigned int *last, const char **why)
{
	const char *s, *dash;
	char a[16];
	size_t n;
	int rc;

	*first = 0;
	if (!json_is_string(v) || !strchr(json_string_value(v), '-')) {
		rc = apsim_json_id(v, first, why);
		if (rc && *why == why_id)
			*why = why_id_range;
		*last = *first;
		return rc;
	}
	s = json_string_value(v);
	dash = strchr(s, '-');
	n = (size_t)(dash - s);
	if (strlen(s) != json_string_length(v) || n == 0 || n >= sizeof(a)) {
		*why = why_id_range;
		return -EINVAL;
	}
	memcpy(a, s, n);
	a[n] = '\0';
	rc = apsim_parse_id_text(a, first);
	if (!rc)
		rc = apsim_parse_id_text(dash + 1, last);
	if (rc) {
		*why = rc == -ERANGE ? "range end is outside 0..255" :
				       why_id_range;
		return -EINVAL;
	}
	if (*first > *last) {
		*why = "range start is above its end";
		return -EINVAL;
	}
	return 0;
}

static const struct {
	const char *name;
	int type;
} type_names[] = {
	{"CEX2A", APV_TYPE_CEX2A}, {"CEX2C", APV_TYPE_CEX2C},
	{"CEX3A", APV_TYPE_CEX3A}, {"CEX3C", APV_TYPE_CEX3C},
	{"CEX4", APV_TYPE_CEX4},   {"CEX5", APV_TYPE_CEX5},
	{"CEX6", APV_TYPE_CEX6},   {"CEX7", APV_TYPE_CEX7},
	{"CEX8", APV_TYPE_CEX8},
};

bool apsim_type_is_legacy(int type)
{
	return type >= APV_TYPE_CEX2A && type <= APV_TYPE_CEX3C;
}

enum apv_mode apsim_legacy_mode(int type)
{
	return type == APV_TYPE_CEX2A || type == APV_TYPE_CEX3A ?
		       APV_MODE_ACCEL :
		       APV_MODE_CCA;
}

int apsim_json_type(const json_t *v, bool allow_legacy, int *out,
		    const char **why)
{
	int type = 0;

	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);

		/* above CEX8: a newer card; the bus maps it down via QACT */
		if ((i >= APV_TYPE_CEX2A && i <= APV_TYPE_CEX8) ||
		    (i > APV_TYPE_CEX8 && i <= 255))
			type = (int)i;
	} else if (json_is_string(v)) {
		for (size_t k = 0; k < sizeof(type_names) / sizeof(*type_names);
		     k++)
			if (!strcasecmp(json_string_value(v),
					type_names[k].name))
				type = type_names[k].type;
	}
	if (!type) {
		*why = why_type;
		return -EINVAL;
	}
	if (apsim_type_is_legacy(type) && !allow_legacy) {
		*why = "legacy CEX2/CEX3 types exist only on kernel 6.1; "
		       "expected CEX4..CEX8 (or 10..14)";
		return -EINVAL;
	}
	*out = type;
	return 0;
}

int apsim_json_mode(const json_t *v, enum apv_mode *out, const char **why)
{
	const char *s = json_string_value(v);

	if (s && !strcmp(s, "accel"))
		*out = APV_MODE_ACCEL;
	else if (s && !strcmp(s, "cca"))
		*out = APV_MODE_CCA;
	else if (s && !strcmp(s, "ep11"))
		*out = APV_MODE_EP11;
	else {
		*why = why_mode;
		return -EINVAL;
	}
	return 0;
}

const char *apsim_type_name(int type, char *buf)
{
	for (size_t k = 0; k < sizeof(type_names) / sizeof(*type_names); k++)
		if (type_names[k].type == type)
			return strcpy(buf, type_names[k].name);
	snprintf(buf, 16, "type %d", type);
	return buf;
}

const char *apsim_mode_name(enum apv_mode m)
{
	switch (m) {
	case APV_MODE_ACCEL:
		return "accel";
	case APV_MODE_CCA:
		return "cca";
	case APV_MODE_EP11:
		return "ep11";
	}
	return "?";
}

/* ---- the loader ---------------------------------------------------------- */

struct tctx {
	struct apsim_topology *t;
	char **err;
	/* where each entry came from, for messages: index into the file's
	 * array, or -1 for entries of the preset the file builds on */
	int ad_src[APV_MAX_IDS];
	int dom_src[APV_MAX_IDS];
	int cdom_src[APV_MAX_IDS];
	char base[32]; /* preset name the config started from, or "" */
};

static int topo_fail(struct tctx *c, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int topo_fail(struct tctx *c, int rc, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	if (c->err && !*c->err) {
		va_start(ap, fmt);
		if (vasprintf(&msg, fmt, ap) < 0)
			msg = NULL;
		va_end(ap);
		*c->err = msg;
	}
	return rc;
}

static int parse_kernel(struct tctx *c, const char *field, const char *s,
			enum apv_kernel *out)
{
	if (s && !strcmp(s, "6.1"))
		*out = APV_KERNEL_6_1;
	else if (s && !strcmp(s, "6.12"))
		*out = APV_KERNEL_6_12;
	else
		return topo_fail(c, -EINVAL, "%s: expected \"6.1\" or \"6.12\"",
			    field);
	return 0;
}

static int get_bool(struct tctx *c, const char *field, const json_t *v,
		    bool *out)
{
	if (!json_is_boolean(v))
		return topo_fail(c, -EINVAL, "%s: expected true or false", field);
	*out = json_is_true(v);
	return 0;
}

static int preset_base(struct tctx *c, const char *field, const char *name)
{
	struct apv_preset *p = &c->t->p;
	size_t n = 0;
	char known[64] = "";

	if (name && apv_preset_init(p, name) == 0) {
		snprintf(c->base, sizeof(c->base), "%s", name);
		for (unsigned int i = 0; i < APV_MAX_IDS; i++)
			c->ad_src[i] = c->dom_src[i] = c->cdom_src[i] = -1;
		return 0;
	}
	for (size_t i = 0; apv_preset_names[i]; i++)
		n += (size_t)snprintf(known + n, sizeof(known) - n, "%s%s",
				      i ? ", " : "", apv_preset_names[i]);
	return topo_fail(c, name ? -ENOENT : -EINVAL,
		    "%s: unknown preset \"%s\" (known: %s)", field,
		    name ? name : "(not a string)", known);
}

static int get_max_id(struct tctx *c, const char *field, const json_t *v,
		      unsigned int *out)
{
	const char *why;

	if (apsim_json_id(v, out, &why))
		return topo_fail(c, -EINVAL, "%s: %s", field, why);
	return 0;
}

/* An id list (domains, control_domains) into m, duplicates refused. */
static int get_id_list(struct tctx *c, const char *field, const char *noun,
		       const json_t *v, struct apv_bitmap *m, int *src)
{
	const char *why;
	size_t i;
	json_t *e;

	if (!json_is_array(v))
		return topo_fail(c, -EINVAL, "%s: expected an array of ids", field);
	apv_bm_zero(m);
	json_array_foreach(v, i, e)
	{
		unsigned int first, last;

		if (apsim_json_id_range(e, &first, &last, &why))
			return topo_fail(c, -EINVAL, "%s[%zu]: %s", field, i, why);
		for (unsigned int d = first; d <= last; d++) {
			if (apv_bm_test(m, d))
				return topo_fail(
					c, -EINVAL,
					"%s[%zu]: %s 0x%02x is listed twice "
					"(also %s[%d])",
					field, i, noun, d, field, src[d]);
			apv_bm_set(m, d);
			src[d] = (int)i;
		}
	}
	return 0;
}

/* adapters[i]: {id, type, mode, config, comment} */
static int get_adapter(struct tctx *c, size_t i, const json_t *o,
		       struct apv_bitmap *seen, size_t *n)
{
	struct apv_adapter_spec s = {0};
	const json_t *id = NULL, *type = NULL, *mode = NULL;
	unsigned int first = 0, last = 0;
	bool config = true;
	const char *key, *why;
	json_t *v;
	int rc;

	if (!json_is_object(o))
		return topo_fail(c, -EINVAL, "adapters[%zu]: expected an object", i);
	json_object_foreach((json_t *)o, key, v)
	{
		if (!strcmp(key, "id"))
			id = v;
		else if (!strcmp(key, "type"))
			type = v;
		else if (!strcmp(key, "mode"))
			mode = v;
		else if (!strcmp(key, "config")) {
			char f[48];

			snprintf(f, sizeof(f), "adapters[%zu].config", i);
			rc = get_bool(c, f, v, &config);
			if (rc)
				return rc;
		} else if (!strcmp(key, "comment")) {
			if (!json_is_string(v))
				return topo_fail(c, -EINVAL,
					    "adapters[%zu].comment: expected "
					    "a string",
					    i);
		} else {
			return topo_fail(c, -EINVAL,
				    "adapters[%zu].%s: unknown key (expected "
				    "id, type, mode, config, comment)",
				    i, key);
		}
	}
	if (!id)
		return topo_fail(c, -EINVAL, "adapters[%zu].id: missing", i);
	if (apsim_json_id_range(id, &first, &last, &why))
		return topo_fail(c, -EINVAL, "adapters[%zu].id: %s", i, why);
	if (!type)
		return topo_fail(c, -EINVAL,
			    "adapters[%zu].type: missing (CEX4..CEX8)", i);
	/* legacy types are checked against the kernel at the end */
	if (apsim_json_type(type, true, &s.type, &why))
		return topo_fail(c, -EINVAL, "adapters[%zu].type: %s", i, why);
	if (mode) {
		if (apsim_json_mode(mode, &s.mode, &why))
			return topo_fail(c, -EINVAL, "adapters[%zu].mode: %s", i,
				    why);
		if (apsim_type_is_legacy(s.type) &&
		    s.mode != apsim_legacy_mode(s.type)) {
			char tn[16];

			return topo_fail(c, -EINVAL,
				    "adapters[%zu].mode: a %s is always \"%s\"",
				    i, apsim_type_name(s.type, tn),
				    apsim_mode_name(apsim_legacy_mode(s.type)));
		}
	} else if (apsim_type_is_legacy(s.type)) {
		s.mode = apsim_legacy_mode(s.type);
	} else {
		return topo_fail(c, -EINVAL,
			    "adapters[%zu].mode: missing (accel, cca or ep11)",
			    i);
	}
	s.standby = !config;
	for (unsigned int a = first; a <= last; a++) {
		if (apv_bm_test(seen, a))
			return topo_fail(c, -EINVAL,
				    "adapters[%zu].id: adapter 0x%02x is "
				    "listed twice (also adapters[%d])",
				    i, a, c->ad_src[a]);
		apv_bm_set(seen, a);
		s.id = a;
		c->ad_src[a] = (int)i;
		c->t->p.ad[(*n)++] = s;
	}
	return 0;
}

static int get_adapters(struct tctx *c, const json_t *v)
{
	struct apv_bitmap seen;
	size_t i, n = 0;
	json_t *e;
	int rc;

	if (!json_is_array(v))
		return topo_fail(c, -EINVAL, "adapters: expected an array");
	apv_bm_zero(&seen);
	json_array_foreach(v, i, e)
	{
		rc = get_adapter(c, i, e, &seen, &n);
		if (rc)
			return rc;
	}
	c->t->p.cfg.n_adapters = n;
	return 0;
}

static int get_boot_mask(struct tctx *c, const char *field, const json_t *v,
			 char **out)
{
	struct apv_bitmap zero, m;
	const char *s;

	free(*out);
	*out = NULL;
	if (json_is_null(v))
		return 0;
	s = json_string_value(v);
	apv_bm_zero(&zero);
	if (!s || strlen(s) != json_string_length(v))
		return topo_fail(c, -EINVAL,
			    "%s: expected a string like ap.%s= takes, or null",
			    field, field);
	if (apv_parse_mask(s, strlen(s), &zero, &m))
		return topo_fail(
			c, -EINVAL,
			"%s: \"%.80s\" is not a valid ap.%s= value (0x<hex> "
			"or a +/- id list)",
			field, s, field);
	*out = strdup(s);
	if (!*out)
		return topo_fail(c, -ENOMEM, "%s: out of memory", field);
	return 0;
}

static int get_top(struct tctx *c, const json_t *root)
{
	struct apv_host_config *cfg = &c->t->p.cfg;
	const char *key;
	json_t *v;
	bool b;
	int rc = 0;

	if (!json_is_object(root))
		return topo_fail(c, -EINVAL, "(top level): expected an object");
	/* the base first: the other keys override it */
	v = json_object_get(root, "preset");
	if (v && !json_is_string(v))
		return topo_fail(c, -EINVAL, "preset: expected a string");
	if (v)
		rc = preset_base(c, "preset", json_string_value(v));
	else
		apv_host_config_init(cfg);
	json_object_foreach((json_t *)root, key, v)
	{
		if (rc)
			break;
		if (!strcmp(key, "preset") || !strcmp(key, "comment")) {
			if (!json_is_string(v))
				rc = topo_fail(c, -EINVAL, "%s: expected a string",
					  key);
		} else if (!strcmp(key, "kernel")) {
			rc = parse_kernel(c, key, json_string_value(v),
					  &cfg->kernel);
		} else if (!strcmp(key, "qci")) {
			rc = get_bool(c, key, v, &cfg->qci);
		} else if (!strcmp(key, "apxa")) {
			rc = get_bool(c, key, v, &cfg->apxa);
		} else if (!strcmp(key, "interrupts")) {
			rc = get_bool(c, key, v, &cfg->irq);
		} else if (!strcmp(key, "vfio_ap")) {
			b = !cfg->no_vfio_ap;
			rc = get_bool(c, key, v, &b);
			cfg->no_vfio_ap = !b;
		} else if (!strcmp(key, "max_adapter_id")) {
			rc = get_max_id(c, key, v, &cfg->na);
		} else if (!strcmp(key, "max_domain_id")) {
			rc = get_max_id(c, key, v, &cfg->nd);
		} else if (!strcmp(key, "adapters")) {
			rc = get_adapters(c, v);
		} else if (!strcmp(key, "domains")) {
			rc = get_id_list(c, key, "domain", v, &cfg->domains,
					 c->dom_src);
		} else if (!strcmp(key, "control_domains")) {
			rc = get_id_list(c, key, "control domain", v,
					 &cfg->control_domains, c->cdom_src);
		} else if (!strcmp(key, "apmask")) {
			rc = get_boot_mask(c, key, v, &c->t->apmask);
		} else if (!strcmp(key, "aqmask")) {
			rc = get_boot_mask(c, key, v, &c->t->aqmask);
		} else {
			rc = topo_fail(c, -EINVAL,
				  "%s: unknown key (see docs/topology.md)",
				  key);
		}
	}
	return rc;
}

/* The field an entry came from: "adapters[3].id", or the preset the file
 * builds on when the entry is the preset's. */
static const char *src_name(const struct tctx *c, const char *list, int src,
			    const char *suffix, char *buf, size_t size)
{
	if (src >= 0)
		snprintf(buf, size, "%s[%d]%s", list, src, suffix);
	else
		snprintf(buf, size, "preset \"%s\" %s", c->base, list);
	return buf;
}

/* Checks across fields, after the whole file is in. */
static int validate(struct tctx *c)
{
	const struct apv_host_config *cfg = &c->t->p.cfg;
	unsigned int maxa = cfg->apxa ? cfg->na : 63;
	unsigned int maxd = cfg->apxa ? cfg->nd : 15;
	const char *why_a = cfg->apxa ? "max_adapter_id" : "APXA off";
	const char *why_d = cfg->apxa ? "max_domain_id" : "APXA off";
	char where[64], tn[16];
	int d;

	for (size_t i = 0; i < cfg->n_adapters; i++) {
		const struct apv_adapter_spec *s = &c->t->p.ad[i];
		int src = c->ad_src[s->id];

		if (s->id > maxa)
			return topo_fail(c, -EINVAL,
				    "%s: adapter 0x%02x is above the highest "
				    "APID %u (%s)",
				    src_name(c, "adapters", src, ".id", where,
					     sizeof(where)),
				    s->id, maxa, why_a);
		if (apsim_type_is_legacy(s->type) &&
		    cfg->kernel != APV_KERNEL_6_1)
			return topo_fail(c, -EINVAL,
				    "%s: %s is a legacy type; only "
				    "kernel 6.1 supports CEX2/CEX3 (expected "
				    "CEX4..CEX8)",
				    src_name(c, "adapters", src, ".type", where,
					     sizeof(where)),
				    apsim_type_name(s->type, tn));
	}
	d = apv_bm_next(&cfg->domains, maxd + 1);
	if (d >= 0)
		return topo_fail(c, -EINVAL,
			    "%s: domain 0x%02x is above the highest APQI %u "
			    "(%s)",
			    src_name(c, "domains", c->dom_src[d], "", where,
				     sizeof(where)),
			    (unsigned int)d, maxd, why_d);
	d = apv_bm_next(&cfg->control_domains, maxd + 1);
	if (d >= 0)
		return topo_fail(c, -EINVAL,
			    "%s: control domain 0x%02x is above the highest "
			    "APQI %u (%s)",
			    src_name(c, "control_domains", c->cdom_src[d], "",
				     where, sizeof(where)),
			    (unsigned int)d, maxd, why_d);
	return 0;
}

/* Read the whole file (bounded) into a NUL-terminated buffer. */
static int slurp(struct tctx *c, const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	if (!f)
		return topo_fail(c, -errno, "cannot open: %s", strerror(errno));
	for (;;) {
		size_t got;

		if (n + 1 >= cap) {
			char *nb;

			if (cap > TOPOLOGY_MAX_BYTES) {
				rc = topo_fail(c, -EFBIG, "larger than %u bytes",
					  TOPOLOGY_MAX_BYTES);
				break;
			}
			cap = cap ? cap * 2 : 8192;
			nb = realloc(buf, cap);
			if (!nb) {
				rc = topo_fail(c, -ENOMEM, "out of memory");
				break;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (!got) {
			if (ferror(f))
				rc = topo_fail(c, -EIO, "read error");
			break;
		}
	}
	fclose(f);
	if (rc || !buf) {
		free(buf);
		return rc ? rc : topo_fail(c, -ENOMEM, "out of memory");
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

static int load_file(struct tctx *c, const char *path)
{
	json_error_t jerr;
	json_t *root;
	size_t len = 0;
	char *text = NULL;
	int rc;

	rc = slurp(c, path, &text, &len);
	if (rc)
		return rc;
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	free(text);
	if (!root)
		return topo_fail(c, -EINVAL, "line %d, column %d: %s", jerr.line,
			    jerr.column, jerr.text);
	rc = get_top(c, root);
	json_decref(root);
	return rc;
}

int apsim_topology_load(const char *path, const char *preset,
			const char *kernel, struct apsim_topology *out,
			char **err)
{
	struct tctx *c;
	int rc;

	memset(out, 0, sizeof(*out));
	if (err)
		*err = NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->t = out;
	c->err = err;
	for (unsigned int i = 0; i < APV_MAX_IDS; i++)
		c->ad_src[i] = c->dom_src[i] = c->cdom_src[i] = -1;
	if (path)
		rc = load_file(c, path);
	else
		rc = preset_base(c, "preset", preset ? preset : "default");
	if (!rc && kernel)
		rc = parse_kernel(c, "kernel", kernel, &out->p.cfg.kernel);
	if (!rc)
		rc = validate(c);
	free(c);
	out->p.cfg.adapters = out->p.ad;
	out->p.cfg.apmask = out->apmask;
	out->p.cfg.aqmask = out->aqmask;
	if (rc) {
		apsim_topology_fini(out);
		if (err && !*err)
			*err = strdup(strerror(-rc));
	}
	return rc;
}

void apsim_topology_fini(struct apsim_topology *t)
{
	if (!t)
		return;
	free(t->apmask);
	free(t->aqmask);
	t->apmask = t->aqmask = NULL;
	t->p.cfg.apmask = t->p.cfg.aqmask = NULL;
}
