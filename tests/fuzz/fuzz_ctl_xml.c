// SPDX-License-Identifier: MIT
/*
 * Fuzz apctl's strict XML subset parser (src/apctl/xml.c), the reader of
 * `apctl import --format libvirt`.
 *
 * Invariants: the parser returns 0 or -1; on failure it names an offset
 * within the input and a message, and returns no document; on success
 * every element's offset points at a '<' of the input, elements nest at
 * most CTL_XML_MAX_DEPTH deep, names are non-empty, every text and
 * attribute value is a string, and the document has at least one element.
 */
#include "../../src/apctl/xml.h"
#include "fuzz_common.h"

static void check_node(const struct ctl_xml_node *n, const char *buf,
		       size_t size, int depth)
{
	FUZZ_ASSERT(depth <= CTL_XML_MAX_DEPTH);
	FUZZ_ASSERT(n->name && n->name[0]);
	FUZZ_ASSERT(n->text);
	FUZZ_ASSERT(n->offset < size && buf[n->offset] == '<');
	for (size_t i = 0; i < n->n_attrs; i++) {
		FUZZ_ASSERT(n->attrs[i].name && n->attrs[i].name[0]);
		FUZZ_ASSERT(n->attrs[i].value);
		FUZZ_ASSERT(ctl_xml_attr(n, n->attrs[i].name));
	}
	for (size_t i = 0; i < n->n_children; i++)
		check_node(&n->children[i], buf, size, depth + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_dup(data, size);
	struct ctl_xml_error err = {(size_t)-1, NULL};
	struct ctl_xml_node *doc = (struct ctl_xml_node *)1;
	int rc = ctl_xml_parse(buf, size, &doc, &err);

	FUZZ_ASSERT(rc == 0 || rc == -1);
	if (rc) {
		FUZZ_ASSERT(!doc);
		FUZZ_ASSERT(err.msg && err.offset <= size);
	} else {
		FUZZ_ASSERT(doc && !doc->name && doc->n_children);
		for (size_t i = 0; i < doc->n_children; i++)
			check_node(&doc->children[i], buf, size, 1);
	}
	ctl_xml_free(rc ? NULL : doc);
	free(buf);
	return 0;
}
