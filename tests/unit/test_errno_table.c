// SPDX-License-Identifier: MIT
/*
 * The errno table is complete (issue 13, build item 7): run by
 * test_errno_table.py with one NAME=VALUE argument per errno constant the
 * sources of the library, apsim, the protocol and the guest library mention
 * (VALUE is Linux's, from Python's errno module).  Each must be written by
 * name (apv_errno_name, never "E<n>") and read back (apv_errno_of); an
 * alias (EWOULDBLOCK, ENOTSUP) must read back as its value.  Prints one
 * line per missing name; exit status 1 if any.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apvirt/proto/errname.h>

int main(int argc, char **argv)
{
	int bad = 0;

	for (int i = 1; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		const char *w;
		int v;

		if (!eq) {
			fprintf(stderr, "usage: %s NAME=VALUE...\n", argv[0]);
			return 2;
		}
		*eq = '\0';
		v = atoi(eq + 1);
		w = apv_errno_name(v);
		/* "E<n>": a number outside the table */
		if (w[strspn(w + 1, "0123456789") + 1] == '\0') {
			printf("missing: %s (%d) is written \"%s\"\n", argv[i],
			       v, w);
			bad = 1;
		} else if (apv_errno_of(argv[i]) != v) {
			printf("missing: \"%s\" reads back as %d, not %d\n",
			       argv[i], apv_errno_of(argv[i]), v);
			bad = 1;
		} else if (strcmp(w, argv[i]) && apv_errno_of(w) != v) {
			printf("wrong: %d is written \"%s\"\n", v, w);
			bad = 1;
		}
	}
	printf("%d errno names checked\n", argc - 1);
	return bad;
}
