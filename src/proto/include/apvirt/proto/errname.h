/* SPDX-License-Identifier: MIT */
/*
 * Symbolic errno names on the wire ("errno": "EBUSY"): the one table, both
 * ways.  It holds every errno the model, apsim and the guest library
 * return; a number outside it is written "E<n>" and read back as n.
 */
#ifndef APVIRT_PROTO_ERRNAME_H
#define APVIRT_PROTO_ERRNAME_H

#include <stddef.h>

/*
 * "EBUSY" for EBUSY or -EBUSY; "E<n>" (in a thread-local buffer, valid
 * until the thread's next call) for numbers not in the table.
 */
const char *apv_errno_name(int err);
/*
 * The positive errno of a name: a table name, an alias (EWOULDBLOCK,
 * ENOTSUP) or "E<n>" (1..4095); 0 for NULL or anything else.
 */
int apv_errno_of(const char *name);
/* The table: n entries (for tests and `help`). */
struct apv_errno_entry {
	int err;
	const char *name;
};
const struct apv_errno_entry *apv_errno_table(size_t *n);

#endif /* APVIRT_PROTO_ERRNAME_H */
