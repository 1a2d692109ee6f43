// SPDX-License-Identifier: MIT
/*
 * apctl export / import: definitions as `mdevctl list -d --dumpjson`
 * (ecosystem.md §2.1) or as libvirt node-device XML (§2.2).
 *
 * Import checks the whole input before it writes anything: a malformed
 * document, an unknown element or key, a duplicate UUID or an existing
 * definition that differs refuses the import, naming the place (line and
 * column or JSON path; byte offset in XML).  Existing identical definitions
 * are left alone.  The new definitions are then written one by one
 * (each atomically); if one write fails, the ones written are removed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queues.h"
#include "xml.h"

struct entry {
	char uuid[37];
	struct ctl_def def;
	bool keep_start; /* libvirt has no start mode: keep the existing one */
	const char *action;
};

struct entries {
	struct entry *v;
	size_t n;
};

static void entries_free(struct entries *es)
{
	for (size_t i = 0; i < es->n; i++)
		ctl_def_free(&es->v[i].def);
	free(es->v);
	memset(es, 0, sizeof(*es));
}

static struct entry *entry_add(struct entries *es)
{
	struct entry *x;

	es->v = xrealloc(es->v, (es->n + 1) * sizeof(*es->v));
	x = &es->v[es->n++];
	memset(x, 0, sizeof(*x));
	return x;
}

static const char *format_of(const struct args *a, struct ctl_err *e)
{
	const char *f = a->set[OPT_FORMAT] ? a->val[OPT_FORMAT] : "mdevctl";

	if (strcmp(f, "mdevctl") && strcmp(f, "libvirt")) {
		e->exit_code = 2;
		ctl_fail(e, 0, "--format '%s': not mdevctl or libvirt", f);
		return NULL;
	}
	return f;
}

/* ---- export ---------------------------------------------------------------- */

static json_t *def_json(const struct ctl_def *d)
{
	json_t *attrs = json_array();

	for (size_t i = 0; i < d->n_attrs; i++)
		json_array_append_new(attrs, json_pack("{s:s}", d->attrs[i].key,
						       d->attrs[i].val));
	json_t *o = json_pack("{s:s,s:s,s:o}", "mdev_type", d->mdev_type,
			      "start", d->autostart ? "auto" : "manual",
			      "attrs", attrs);

	/* The name given at define, as in the file (config.h). */
	if (d->name)
		json_object_set_new(o, CFG_NAME_KEY, json_string(d->name));
	return o;
}

static char *dump_mdevctl(const struct entries *es)
{
	json_t *list = json_array(), *root = json_array();
	char *s, *t;

	for (size_t i = 0; i < es->n; i++) {
		json_t *o = json_object();

		json_object_set_new(o, es->v[i].uuid, def_json(&es->v[i].def));
		json_array_append_new(list, o);
	}
	if (es->n)
		json_array_append_new(root, json_pack("{s:o}", "matrix", list));
	else
		json_decref(list);
	s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (!s)
		abort();
	t = xasprintf("%s\n", s);
	free(s);
	return t;
}

static char *xml_escape(const char *s)
{
	char *out = xmalloc(strlen(s) * 6 + 1), *p = out;

	for (; *s; s++) {
		const char *r = NULL;

		switch (*s) {
		case '&':
			r = "&amp;";
			break;
		case '<':
			r = "&lt;";
			break;
		case '>':
			r = "&gt;";
			break;
		case '\'':
			r = "&apos;";
			break;
		case '"':
			r = "&quot;";
			break;
		default:
			*p++ = *s;
			continue;
		}
		p = stpcpy(p, r);
	}
	*p = '\0';
	return out;
}

static char *dump_libvirt(const struct entries *es)
{
	char *s = xstrdup(""), *t;

	for (size_t i = 0; i < es->n; i++) {
		const struct entry *x = &es->v[i];
		char name[37];

		snprintf(name, sizeof(name), "%s", x->uuid);
		for (char *c = name; *c; c++)
			if (*c == '-')
				*c = '_';
		t = xasprintf("%s<device>\n"
			      "  <name>mdev_%s_matrix</name>\n"
			      "  <parent>ap_matrix</parent>\n"
			      "  <capability type='mdev'>\n"
			      "    <type id='%s'/>\n"
			      "    <uuid>%s</uuid>\n"
			      "    <parent_addr>matrix</parent_addr>\n",
			      s, name, x->def.mdev_type, x->uuid);
		free(s);
		s = t;
		for (size_t k = 0; k < x->def.n_attrs; k++) {
			char *key = xml_escape(x->def.attrs[k].key);
			char *val = xml_escape(x->def.attrs[k].val);

			t = xasprintf("%s    <attr name='%s' value='%s'/>\n", s,
				      key, val);
			free(key);
			free(val);
			free(s);
			s = t;
		}
		t = xasprintf("%s  </capability>\n</device>\n", s);
		free(s);
		s = t;
	}
	return s;
}

static int load_one(struct entries *es, const char *uuid, struct ctl_err *e)
{
	struct entry *x = entry_add(es);
	int r;

	snprintf(x->uuid, sizeof(x->uuid), "%s", uuid);
	r = ctl_def_load(uuid, &x->def);
	if (r == -ENOENT)
		return ctl_fail(e, ENOENT, "mdev %s: not defined", uuid);
	if (r)
		return ctl_fail(
			e, -r, "mdev %s: cannot read the definition: %s", uuid,
			r == -EINVAL ? "not mdevctl JSON" : strerror(-r));
	return 0;
}

int cmd_export(const struct args *a, json_t **out, struct ctl_err *e)
{
	const char *fmt = format_of(a, e), *file = a->val[OPT_OUTPUT];
	struct entries es = {0};
	char **uuids = NULL, *doc = NULL;
	json_t *list;
	int r = -1;

	if (!fmt)
		return -1;
	if (a->operand) {
		char uuid[37];

		if (ctl_resolve_uuid(a->operand, uuid, e))
			goto out;
		if (load_one(&es, uuid, e))
			goto out;
	} else {
		r = ctl_def_list(&uuids);
		if (r < 0) {
			ctl_fail(e, -r, "'%s': %s", CFG_DIR, strerror(-r));
			goto out;
		}
		r = -1;
		for (char **u = uuids; *u; u++)
			if (load_one(&es, *u, e))
				goto out;
	}
	doc = strcmp(fmt, "libvirt") ? dump_mdevctl(&es) : dump_libvirt(&es);
	if (file && strcmp(file, "-")) {
		int w = ctl_write_atomic(file, doc, 0);

		if (w) {
			ctl_fail(e, -w, "'%s': cannot write: %s", file,
				 strerror(-w));
			goto out;
		}
	} else if (!a->json) {
		fputs(doc, stdout);
	}
	list = json_array();
	for (size_t i = 0; i < es.n; i++)
		json_array_append_new(list, json_string(es.v[i].uuid));
	*out = json_pack("{s:s,s:o,s:s?,s:s?}", "format", fmt, "uuids", list,
			 "output", file && strcmp(file, "-") ? file : NULL,
			 "document", file && strcmp(file, "-") ? NULL : doc);
	r = 0;
out:
	free(doc);
	ctl_strv_free(uuids);
	entries_free(&es);
	return r;
}

/* ---- import: mdevctl JSON ----------------------------------------------------- */

static bool known_attr(const char *k)
{
	static const char *const keys[] = {
		"assign_adapter",
		"unassign_adapter",
		"assign_domain",
		"unassign_domain",
		"assign_control_domain",
		"unassign_control_domain",
		"ap_config",
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(k, keys[i]))
			return true;
	return false;
}

static int check_type(const char *file, const char *where, const char *type,
		      struct ctl_err *e)
{
	if (strcmp(type, MDEV_TYPE))
		return ctl_fail(e, EINVAL, "%s: %s: type '%s' is not %s", file,
				where, type, MDEV_TYPE);
	return 0;
}

static int json_def(const char *file, const char *path, json_t *v,
		    struct entry *x, struct ctl_err *e)
{
	json_t *type = json_object_get(v, "mdev_type");
	json_t *start = json_object_get(v, "start");
	json_t *attrs = json_object_get(v, "attrs"), *at;
	const char *key;
	json_t *val;
	size_t i;

	if (!json_is_object(v))
		return ctl_fail(e, EINVAL, "%s: %s: not an object", file, path);
	json_object_foreach(v, key, val)
	{
		if (strcmp(key, "mdev_type") && strcmp(key, "start") &&
		    strcmp(key, "attrs") && strcmp(key, CFG_NAME_KEY))
			return ctl_fail(e, EINVAL, "%s: %s.%s: unknown key",
					file, path, key);
	}
	if (!json_is_string(type))
		return ctl_fail(e, EINVAL,
				"%s: %s.mdev_type: missing or not "
				"a string",
				file, path);
	if (check_type(file, path, json_string_value(type), e))
		return -1;
	if (start && !json_is_string(start))
		return ctl_fail(e, EINVAL, "%s: %s.start: not a string", file,
				path);
	if (attrs && !json_is_array(attrs))
		return ctl_fail(e, EINVAL, "%s: %s.attrs: not an array", file,
				path);
	x->def.mdev_type = xstrdup(json_string_value(type));
	x->def.autostart = start && !strcmp(json_string_value(start), "auto");
	if (json_is_string(json_object_get(v, CFG_NAME_KEY)) &&
	    *json_string_value(json_object_get(v, CFG_NAME_KEY)))
		x->def.name = xstrdup(
			json_string_value(json_object_get(v, CFG_NAME_KEY)));
	json_array_foreach(attrs, i, at)
	{
		const char *k;
		json_t *s;

		if (!json_is_object(at) || json_object_size(at) != 1)
			return ctl_fail(e, EINVAL,
					"%s: %s.attrs[%zu]: not an object with "
					"one key",
					file, path, i);
		json_object_foreach(at, k, s)
		{
			if (!known_attr(k))
				return ctl_fail(
					e, EINVAL,
					"%s: %s.attrs[%zu]: '%s' is not "
					"a vfio_ap attribute",
					file, path, i, k);
			if (!json_is_string(s))
				return ctl_fail(e, EINVAL,
						"%s: %s.attrs[%zu].%s: not a "
						"string",
						file, path, i, k);
			ctl_def_add(&x->def, k, json_string_value(s));
		}
	}
	return 0;
}

static int parse_mdevctl(const char *file, const char *buf, size_t len,
			 struct entries *es, struct ctl_err *e)
{
	json_error_t jerr;
	json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	json_t *par;
	size_t i;
	int r = -1;

	if (!root)
		return ctl_fail(e, EINVAL, "%s: line %d, column %d: %s", file,
				jerr.line, jerr.column, jerr.text);
	if (!json_is_array(root)) {
		ctl_fail(e, EINVAL,
			 "%s: not an array (mdevctl list --dumpjson)", file);
		goto out;
	}
	json_array_foreach(root, i, par)
	{
		const char *parent;
		json_t *list;

		if (!json_is_object(par)) {
			ctl_fail(e, EINVAL, "%s: [%zu]: not an object", file,
				 i);
			goto out;
		}
		json_object_foreach(par, parent, list)
		{
			size_t k;
			json_t *dev;

			if (strcmp(parent, "matrix")) {
				ctl_fail(e, EINVAL,
					 "%s: [%zu].%s: parent is not matrix",
					 file, i, parent);
				goto out;
			}
			if (!json_is_array(list)) {
				ctl_fail(e, EINVAL,
					 "%s: [%zu].matrix: not an array", file,
					 i);
				goto out;
			}
			json_array_foreach(list, k, dev)
			{
				char path[64];
				const char *uuid;
				json_t *v;

				snprintf(path, sizeof(path),
					 "[%zu].matrix[%zu]", i, k);
				if (!json_is_object(dev) ||
				    json_object_size(dev) != 1) {
					ctl_fail(e, EINVAL,
						 "%s: %s: not an object with "
						 "one UUID",
						 file, path);
					goto out;
				}
				json_object_foreach(dev, uuid, v)
				{
					struct entry *x;

					if (!apv_uuid_is(uuid)) {
						ctl_fail(e, EINVAL,
							 "%s: %s: '%s' is not "
							 "a UUID",
							 file, path, uuid);
						goto out;
					}
					x = entry_add(es);
					ctl_lower_uuid(uuid, x->uuid);
					if (json_def(file, path, v, x, e))
						goto out;
				}
			}
		}
	}
	r = 0;
out:
	json_decref(root);
	return r;
}

/* ---- import: libvirt XML ------------------------------------------------------- */

static int xfail(struct ctl_err *e, const char *file,
		 const struct ctl_xml_node *n, const char *what)
{
	return ctl_fail(e, EINVAL, "%s: byte %zu: <%s>: %s", file, n->offset,
			n->name, what);
}

/* The UUID in a name "mdev_<uuid with _>[_<parent>]", or "". */
static void name_uuid(const char *name, char uuid[37])
{
	char u[37];

	uuid[0] = '\0';
	if (strncmp(name, "mdev_", 5) || strlen(name) < 5 + 36)
		return;
	memcpy(u, name + 5, 36);
	u[36] = '\0';
	for (char *c = u; *c; c++)
		if (*c == '_')
			*c = '-';
	if (apv_uuid_is(u) && (!name[41] || !strcmp(name + 41, "_matrix")))
		ctl_lower_uuid(u, uuid);
}

static bool blank(const char *s)
{
	return !s[strspn(s, " \t\r\n")];
}

static int xml_cap(const char *file, const struct ctl_xml_node *cap,
		   struct entry *x, char uuid[37], struct ctl_err *e)
{
	const char *t = ctl_xml_attr(cap, "type");

	if (!t || strcmp(t, "mdev"))
		return xfail(e, file, cap, "capability type is not 'mdev'");
	for (size_t i = 0; i < cap->n_children; i++) {
		const struct ctl_xml_node *c = &cap->children[i];

		if (!strcmp(c->name, "type")) {
			const char *id = ctl_xml_attr(c, "id");

			if (!id)
				return xfail(e, file, c, "no id");
			if (x->def.mdev_type)
				return xfail(e, file, c, "given twice");
			x->def.mdev_type = xstrdup(id);
		} else if (!strcmp(c->name, "uuid")) {
			if (!apv_uuid_is(c->text))
				return xfail(e, file, c, "not a UUID");
			ctl_lower_uuid(c->text, uuid);
		} else if (!strcmp(c->name, "parent_addr")) {
			if (strcmp(c->text, "matrix"))
				return xfail(e, file, c, "not matrix");
		} else if (!strcmp(c->name, "attr")) {
			const char *k = ctl_xml_attr(c, "name");
			const char *v = ctl_xml_attr(c, "value");

			if (!k || !v || c->n_attrs != 2)
				return xfail(e, file, c,
					     "needs exactly name and value");
			if (!known_attr(k))
				return xfail(e, file, c,
					     "not a vfio_ap attribute");
			ctl_def_add(&x->def, k, v);
		} else if (strcmp(c->name, "iommuGroup")) {
			return xfail(e, file, c, "unknown element");
		}
	}
	if (!x->def.mdev_type)
		return xfail(e, file, cap, "no <type id=...>");
	return 0;
}

static int xml_device(const char *file, const struct ctl_xml_node *d,
		      struct entry *x, struct ctl_err *e)
{
	char from_name[37] = "", uuid[37] = "";
	bool have_cap = false;

	if (strcmp(d->name, "device"))
		return xfail(e, file, d, "not <device>");
	x->keep_start = true;
	for (size_t i = 0; i < d->n_children; i++) {
		const struct ctl_xml_node *c = &d->children[i];

		if (!strcmp(c->name, "name")) {
			name_uuid(c->text, from_name);
		} else if (!strcmp(c->name, "parent")) {
			if (strcmp(c->text, "ap_matrix") &&
			    strcmp(c->text, "matrix"))
				return xfail(e, file, c, "not ap_matrix");
		} else if (!strcmp(c->name, "capability")) {
			if (have_cap)
				return xfail(e, file, c, "given twice");
			have_cap = true;
			if (xml_cap(file, c, x, uuid, e))
				return -1;
		} else if (strcmp(c->name, "path") &&
			   strcmp(c->name, "driver")) {
			return xfail(e, file, c, "unknown element");
		}
	}
	if (!have_cap)
		return xfail(e, file, d, "no <capability type='mdev'>");
	if (!blank(d->text))
		return xfail(e, file, d, "text in <device>");
	if (!uuid[0] && !from_name[0])
		return xfail(e, file, d, "no <uuid> and no mdev_<uuid> name");
	if (uuid[0] && from_name[0] && strcmp(uuid, from_name))
		return xfail(e, file, d, "<uuid> and <name> differ");
	snprintf(x->uuid, sizeof(x->uuid), "%s", uuid[0] ? uuid : from_name);
	return check_type(file, x->uuid, x->def.mdev_type, e);
}

static int parse_libvirt(const char *file, const char *buf, size_t len,
			 struct entries *es, struct ctl_err *e)
{
	struct ctl_xml_error xerr = {0, NULL};
	struct ctl_xml_node *doc;
	int r = 0;

	if (ctl_xml_parse(buf, len, &doc, &xerr))
		return ctl_fail(e, EINVAL, "%s: byte %zu: %s", file,
				xerr.offset, xerr.msg);
	for (size_t i = 0; i < doc->n_children && !r; i++)
		r = xml_device(file, &doc->children[i], entry_add(es), e);
	ctl_xml_free(doc);
	return r;
}

/* ---- import ------------------------------------------------------------------- */

static bool same_def(const struct ctl_def *a, const struct ctl_def *b,
		     bool ignore_start)
{
	if (strcmp(a->mdev_type, b->mdev_type) || a->n_attrs != b->n_attrs ||
	    (!ignore_start && a->autostart != b->autostart))
		return false;
	for (size_t i = 0; i < a->n_attrs; i++)
		if (strcmp(a->attrs[i].key, b->attrs[i].key) ||
		    strcmp(a->attrs[i].val, b->attrs[i].val))
			return false;
	return true;
}

/* Compare with the definitions on disk; every entry gets its action. */
static int plan_import(struct entries *es, struct ctl_err *e)
{
	for (size_t i = 0; i < es->n; i++) {
		struct entry *x = &es->v[i];
		struct ctl_def old;
		int r;

		for (size_t k = 0; k < i; k++)
			if (!strcmp(es->v[k].uuid, x->uuid))
				return ctl_fail(e, EINVAL,
						"mdev %s: given twice",
						x->uuid);
		r = ctl_def_load(x->uuid, &old);
		if (r == -ENOENT) {
			x->action = "created";
			continue;
		}
		if (r)
			return ctl_fail(
				e, r == -EINVAL ? EEXIST : -r,
				"mdev %s: the existing definition is %s",
				x->uuid,
				r == -EINVAL ? "not mdevctl JSON" :
					       "unreadable");
		if (same_def(&old, &x->def, x->keep_start)) {
			x->action = "unchanged";
		} else {
			ctl_def_free(&old);
			return ctl_fail(e, EEXIST,
					"mdev %s: already defined differently "
					"(undefine it first)",
					x->uuid);
		}
		ctl_def_free(&old);
	}
	return 0;
}

int cmd_import(const struct args *a, json_t **out, struct ctl_err *e)
{
	const char *file = a->operand, *fmt;
	struct entries es = {0};
	json_t *list;
	char *buf = NULL;
	size_t len;
	int r;

	if (a->set[OPT_FORMAT] && !format_of(a, e))
		return -1;
	r = ctl_read_file(strcmp(file, "-") ? file : "/dev/stdin", &buf);
	if (r)
		return ctl_fail(e, -r, "'%s': %s", file, strerror(-r));
	len = strlen(buf);
	fmt = a->set[OPT_FORMAT]		 ? a->val[OPT_FORMAT] :
	      buf[strspn(buf, " \t\r\n")] == '<' ? "libvirt" :
						   "mdevctl";
	r = strcmp(fmt, "libvirt") ? parse_mdevctl(file, buf, len, &es, e) :
				     parse_libvirt(file, buf, len, &es, e);
	free(buf);
	if (r || plan_import(&es, e))
		goto fail;
	for (size_t i = 0; i < es.n; i++) {
		if (strcmp(es.v[i].action, "created"))
			continue;
		r = ctl_def_save(es.v[i].uuid, &es.v[i].def);
		if (!r)
			continue;
		ctl_fail(e, -r, "mdev %s: cannot write the definition: %s",
			 es.v[i].uuid, strerror(-r));
		while (i--)
			if (!strcmp(es.v[i].action, "created"))
				ctl_def_remove(es.v[i].uuid);
		goto fail;
	}
	list = json_array();
	for (size_t i = 0; i < es.n; i++) {
		json_array_append_new(list, json_pack("{s:s,s:s}", "uuid",
						      es.v[i].uuid, "action",
						      es.v[i].action));
		if (!a->json)
			printf("%s %s\n", es.v[i].uuid, es.v[i].action);
	}
	*out = json_pack("{s:s,s:o}", "format", fmt, "imported", list);
	entries_free(&es);
	return 0;
fail:
	entries_free(&es);
	return -1;
}
