/* SPDX-License-Identifier: MIT */
/*
 * A small, strict XML parser for the subset libvirt's node-device XML uses
 * (ecosystem.md §2.2): an optional <?xml ...?> declaration, comments,
 * elements with attributes ('...' or "..."), character data, the five
 * predefined entities and numeric character references.  Everything else
 * (DOCTYPE, CDATA sections, other processing instructions, mixed content
 * beyond white space, non-ASCII references, duplicate attributes) is
 * refused with the byte offset where the parser stopped.
 *
 * The parser works on a (buf, len) pair that need not be NUL-terminated and
 * allocates only what it returns: a fuzzer can call ctl_xml_parse() and
 * ctl_xml_free() on any input.
 */
#ifndef APCTL_XML_H
#define APCTL_XML_H

#include <stddef.h>

struct ctl_xml_attr {
	char *name, *value;
};

struct ctl_xml_node {
	char *name; /* NULL for the document node */
	struct ctl_xml_attr *attrs;
	size_t n_attrs;
	char *text; /* character data, "" if none */
	struct ctl_xml_node *children;
	size_t n_children;
	size_t offset; /* byte offset of its '<' */
};

struct ctl_xml_error {
	size_t offset;	 /* where the input stopped making sense */
	const char *msg; /* static text */
};

/* Deepest element nesting accepted. */
#define CTL_XML_MAX_DEPTH 32

/*
 * Parse BUF[0..LEN) into *DOC, a document node whose children are the
 * top-level elements (one or more).  0, or -1 with ERR filled.
 */
int ctl_xml_parse(const char *buf, size_t len, struct ctl_xml_node **doc,
		  struct ctl_xml_error *err);
void ctl_xml_free(struct ctl_xml_node *doc);

/* The value of attribute NAME, or NULL. */
const char *ctl_xml_attr(const struct ctl_xml_node *n, const char *name);

#endif
