// SPDX-License-Identifier: MIT
/* apctl: the strict XML subset parser (xml.h).  Self-contained: no apctl
 * helpers, no global state, every allocation checked. */
#include "xml.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <apvirt/hex.h>

struct px {
	const char *b;
	size_t len, pos;
	struct ctl_xml_error *err;
};

static int xml_fail(struct px *p, const char *msg)
{
	p->err->offset = p->pos;
	p->err->msg = msg;
	return -1;
}

static bool at(const struct px *p, const char *s)
{
	size_t n = strlen(s);

	return p->len - p->pos >= n && !memcmp(p->b + p->pos, s, n);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void skip_space(struct px *p)
{
	while (p->pos < p->len && is_space(p->b[p->pos]))
		p->pos++;
}

static bool name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       c == ':';
}

static bool name_char(char c)
{
	return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

/* A growing string. */
struct str {
	char *s;
	size_t n, cap;
};

static int str_add(struct str *s, char c)
{
	if (s->n + 1 >= s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;
		char *t = realloc(s->s, cap);

		if (!t)
			return -1;
		s->s = t;
		s->cap = cap;
	}
	s->s[s->n++] = c;
	s->s[s->n] = '\0';
	return 0;
}

static char *str_take(struct str *s)
{
	char *r = s->s;

	if (!r)
		r = calloc(1, 1);
	s->s = NULL;
	s->n = s->cap = 0;
	return r;
}

static char *parse_name(struct px *p)
{
	size_t start = p->pos;
	char *s;

	if (p->pos >= p->len || !name_start(p->b[p->pos])) {
		xml_fail(p, "expected a name");
		return NULL;
	}
	while (p->pos < p->len && name_char(p->b[p->pos]))
		p->pos++;
	s = malloc(p->pos - start + 1);
	if (!s) {
		xml_fail(p, "out of memory");
		return NULL;
	}
	memcpy(s, p->b + start, p->pos - start);
	s[p->pos - start] = '\0';
	return s;
}

/* An entity or character reference at '&'; appended to OUT. */
static int parse_ref(struct px *p, struct str *out)
{
	static const struct {
		const char *name;
		char c;
	} ents[] = {{"&lt;", '<'},
		    {"&gt;", '>'},
		    {"&amp;", '&'},
		    {"&apos;", '\''},
		    {"&quot;", '"'}};
	unsigned long v = 0;
	bool hex;
	size_t digits = 0;

	for (size_t i = 0; i < sizeof(ents) / sizeof(ents[0]); i++)
		if (at(p, ents[i].name)) {
			p->pos += strlen(ents[i].name);
			return str_add(out, ents[i].c) ?
				       xml_fail(p, "out of memory") :
				       0;
		}
	if (!at(p, "&#"))
		return xml_fail(p, "unknown entity reference");
	p->pos += 2;
	hex = p->pos < p->len && p->b[p->pos] == 'x';
	if (hex)
		p->pos++;
	while (p->pos < p->len && p->b[p->pos] != ';') {
		char c = p->b[p->pos];
		int d = hex		     ? apv_hex_val(c) :
			c >= '0' && c <= '9' ? c - '0' :
					       -1;

		if (d < 0)
			return xml_fail(p, "bad character reference");
		v = v * (hex ? 16 : 10) + (unsigned long)d;
		if (v > 0x7f || ++digits > 8)
			return xml_fail(p, "character reference outside ASCII");
		p->pos++;
	}
	if (!digits || p->pos >= p->len)
		return xml_fail(p, "bad character reference");
	if (v < 0x20 && v != '\t' && v != '\n' && v != '\r')
		return xml_fail(p,
				"character reference to a control character");
	p->pos++;
	return str_add(out, (char)v) ? xml_fail(p, "out of memory") : 0;
}

static int parse_value(struct px *p, char **out)
{
	struct str s = {0};
	char q;

	if (p->pos >= p->len || (p->b[p->pos] != '\'' && p->b[p->pos] != '"'))
		return xml_fail(p, "expected a quoted attribute value");
	q = p->b[p->pos++];
	while (p->pos < p->len && p->b[p->pos] != q) {
		char c = p->b[p->pos];

		if (c == '<') {
			free(s.s);
			return xml_fail(p, "'<' in an attribute value");
		}
		if (c == '&') {
			if (parse_ref(p, &s)) {
				free(s.s);
				return -1;
			}
			continue;
		}
		if ((unsigned char)c < 0x20 && !is_space(c)) {
			free(s.s);
			return xml_fail(p, "control character");
		}
		if (str_add(&s, c)) {
			free(s.s);
			return xml_fail(p, "out of memory");
		}
		p->pos++;
	}
	if (p->pos >= p->len) {
		free(s.s);
		return xml_fail(p, "unterminated attribute value");
	}
	p->pos++;
	*out = str_take(&s);
	return *out ? 0 : xml_fail(p, "out of memory");
}

static int skip_comment(struct px *p)
{
	p->pos += 4;
	while (p->pos < p->len && !at(p, "--"))
		p->pos++;
	if (!at(p, "-->"))
		return xml_fail(p, p->pos < p->len ? "'--' inside a comment" :
						     "unterminated comment");
	p->pos += 3;
	return 0;
}

static void node_fini(struct ctl_xml_node *n)
{
	for (size_t i = 0; i < n->n_attrs; i++) {
		free(n->attrs[i].name);
		free(n->attrs[i].value);
	}
	free(n->attrs);
	for (size_t i = 0; i < n->n_children; i++)
		node_fini(&n->children[i]);
	free(n->children);
	free(n->name);
	free(n->text);
}

static struct ctl_xml_node *add_child(struct px *p, struct ctl_xml_node *n)
{
	struct ctl_xml_node *c =
		realloc(n->children, (n->n_children + 1) * sizeof(*c));

	if (!c) {
		xml_fail(p, "out of memory");
		return NULL;
	}
	n->children = c;
	c = &c[n->n_children++];
	memset(c, 0, sizeof(*c));
	return c;
}

static int parse_attrs(struct px *p, struct ctl_xml_node *n)
{
	for (;;) {
		size_t before = p->pos;
		struct ctl_xml_attr *a;
		char *name, *val;

		skip_space(p);
		if (p->pos >= p->len)
			return xml_fail(p, "unterminated start tag");
		if (p->b[p->pos] == '>' || at(p, "/>"))
			return 0;
		if (p->pos == before)
			return xml_fail(p, "expected white space before an "
					   "attribute");
		before = p->pos;
		name = parse_name(p);
		if (!name)
			return -1;
		for (size_t i = 0; i < n->n_attrs; i++)
			if (!strcmp(n->attrs[i].name, name)) {
				free(name);
				p->pos = before;
				return xml_fail(p, "duplicate attribute");
			}
		skip_space(p);
		if (p->pos >= p->len || p->b[p->pos] != '=') {
			free(name);
			return xml_fail(p,
					"expected '=' after an attribute name");
		}
		p->pos++;
		skip_space(p);
		if (parse_value(p, &val)) {
			free(name);
			return -1;
		}
		a = realloc(n->attrs, (n->n_attrs + 1) * sizeof(*a));
		if (!a) {
			free(name);
			free(val);
			return xml_fail(p, "out of memory");
		}
		n->attrs = a;
		a[n->n_attrs].name = name;
		a[n->n_attrs].value = val;
		n->n_attrs++;
	}
}

static int parse_element(struct px *p, struct ctl_xml_node *n, int depth);

/* The content of N up to and including its end tag. */
static int parse_content(struct px *p, struct ctl_xml_node *n, int depth)
{
	struct str text = {0};
	bool nonspace = false;

	for (;;) {
		if (p->pos >= p->len) {
			free(text.s);
			return xml_fail(p, "unterminated element");
		}
		if (at(p, "</")) {
			size_t start;

			p->pos += 2;
			start = p->pos;
			while (p->pos < p->len && name_char(p->b[p->pos]))
				p->pos++;
			if (p->pos - start != strlen(n->name) ||
			    memcmp(p->b + start, n->name, p->pos - start)) {
				p->pos = start;
				free(text.s);
				return xml_fail(p, "end tag does not match");
			}
			skip_space(p);
			if (p->pos >= p->len || p->b[p->pos] != '>') {
				free(text.s);
				return xml_fail(p, "expected '>'");
			}
			p->pos++;
			if (nonspace && n->n_children) {
				free(text.s);
				p->pos = n->offset;
				return xml_fail(p, "mixed content");
			}
			n->text = str_take(&text);
			return n->text ? 0 : xml_fail(p, "out of memory");
		}
		if (at(p, "<!--")) {
			if (skip_comment(p)) {
				free(text.s);
				return -1;
			}
			continue;
		}
		if (at(p, "<![CDATA[") || at(p, "<!") || at(p, "<?")) {
			free(text.s);
			return xml_fail(p, "unsupported markup");
		}
		if (p->b[p->pos] == '<') {
			struct ctl_xml_node *c = add_child(p, n);

			if (!c || parse_element(p, c, depth + 1)) {
				free(text.s);
				return -1;
			}
			continue;
		}
		if (p->b[p->pos] == '&') {
			if (parse_ref(p, &text)) {
				free(text.s);
				return -1;
			}
			nonspace = true;
			continue;
		}
		if (p->b[p->pos] == '>' ||
		    ((unsigned char)p->b[p->pos] < 0x20 &&
		     !is_space(p->b[p->pos]))) {
			free(text.s);
			return xml_fail(p, "unexpected character");
		}
		if (!is_space(p->b[p->pos]))
			nonspace = true;
		if (str_add(&text, p->b[p->pos])) {
			free(text.s);
			return xml_fail(p, "out of memory");
		}
		p->pos++;
	}
}

static int parse_element(struct px *p, struct ctl_xml_node *n, int depth)
{
	if (depth > CTL_XML_MAX_DEPTH)
		return xml_fail(p, "elements nested too deeply");
	n->offset = p->pos;
	p->pos++; /* '<' */
	n->name = parse_name(p);
	if (!n->name || parse_attrs(p, n))
		return -1;
	if (at(p, "/>")) {
		p->pos += 2;
		n->text = calloc(1, 1);
		return n->text ? 0 : xml_fail(p, "out of memory");
	}
	p->pos++; /* '>' */
	return parse_content(p, n, depth);
}

int ctl_xml_parse(const char *buf, size_t len, struct ctl_xml_node **doc,
		  struct ctl_xml_error *err)
{
	struct px p = {buf, len, 0, err};
	struct ctl_xml_node *d = calloc(1, sizeof(*d));

	*doc = NULL;
	if (!d)
		return xml_fail(&p, "out of memory");
	if (at(&p, "<?xml")) {
		p.pos += 5;
		if (p.pos >= len || !is_space(buf[p.pos])) {
			ctl_xml_free(d);
			return xml_fail(&p, "bad XML declaration");
		}
		while (p.pos < len && !at(&p, "?>") && buf[p.pos] != '<')
			p.pos++;
		if (!at(&p, "?>")) {
			ctl_xml_free(d);
			return xml_fail(&p, "unterminated XML declaration");
		}
		p.pos += 2;
	}
	for (;;) {
		skip_space(&p);
		if (p.pos >= len)
			break;
		if (at(&p, "<!--")) {
			if (skip_comment(&p))
				goto bad;
			continue;
		}
		if (at(&p, "<!") || at(&p, "<?") || at(&p, "</")) {
			xml_fail(&p, "unsupported markup");
			goto bad;
		}
		if (buf[p.pos] != '<') {
			xml_fail(&p, "text outside an element");
			goto bad;
		}
		{
			struct ctl_xml_node *c = add_child(&p, d);

			if (!c || parse_element(&p, c, 1))
				goto bad;
		}
	}
	if (!d->n_children) {
		xml_fail(&p, "no element");
		goto bad;
	}
	*doc = d;
	return 0;
bad:
	ctl_xml_free(d);
	return -1;
}

void ctl_xml_free(struct ctl_xml_node *doc)
{
	if (!doc)
		return;
	node_fini(doc);
	free(doc);
}

const char *ctl_xml_attr(const struct ctl_xml_node *n, const char *name)
{
	for (size_t i = 0; i < n->n_attrs; i++)
		if (!strcmp(n->attrs[i].name, name))
			return n->attrs[i].value;
	return NULL;
}
