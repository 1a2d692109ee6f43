// SPDX-License-Identifier: MIT
/*
 * The errno names of the wire (apvirt/proto/errname.h).  The list is every
 * errno a model call (-errno straight from the kernel's rules), apsim's
 * handler and guest sessions, or the guest library's transport returns;
 * tests/unit/test_proto.c checks it against that list, and
 * tests/unit/test_errno_table.py against every errno constant the sources
 * of base, lib, sim, proto and guest mention.  Linux's values
 * (asm-generic/errno*.h); aliases (EWOULDBLOCK = EAGAIN, ENOTSUP =
 * EOPNOTSUPP) are read but never written.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apvirt/proto/errname.h>

static const struct apv_errno_entry table[] = {
	{EPERM, "EPERM"},
	{ENOENT, "ENOENT"},
	{ESRCH, "ESRCH"},
	{EINTR, "EINTR"},
	{EIO, "EIO"},
	{ENXIO, "ENXIO"},
	{E2BIG, "E2BIG"},
	{EBADF, "EBADF"},
	{EAGAIN, "EAGAIN"},
	{ENOMEM, "ENOMEM"},
	{EACCES, "EACCES"},
	{EFAULT, "EFAULT"},
	{EBUSY, "EBUSY"},
	{EEXIST, "EEXIST"},
	{ENODEV, "ENODEV"},
	{ENOTDIR, "ENOTDIR"},
	{EISDIR, "EISDIR"},
	{EINVAL, "EINVAL"},
	{EMFILE, "EMFILE"},
	{EFBIG, "EFBIG"},
	{ENOSPC, "ENOSPC"},
	{EROFS, "EROFS"},
	{EPIPE, "EPIPE"},
	{ERANGE, "ERANGE"},
	{ENAMETOOLONG, "ENAMETOOLONG"},
	{ENOSYS, "ENOSYS"},
	{ELOOP, "ELOOP"},
	{EPROTO, "EPROTO"},
	{EBADMSG, "EBADMSG"},
	{EOVERFLOW, "EOVERFLOW"},
	{EUSERS, "EUSERS"},
	{EOPNOTSUPP, "EOPNOTSUPP"},
	{EADDRINUSE, "EADDRINUSE"},
	{EADDRNOTAVAIL, "EADDRNOTAVAIL"},
	{ECONNRESET, "ECONNRESET"},
	{ENOBUFS, "ENOBUFS"},
	{EISCONN, "EISCONN"},
	{ENOTCONN, "ENOTCONN"},
	{ETIMEDOUT, "ETIMEDOUT"},
	{ECONNREFUSED, "ECONNREFUSED"},
	{EUCLEAN, "EUCLEAN"},
};

static const struct apv_errno_entry aliases[] = {
	{EWOULDBLOCK, "EWOULDBLOCK"},
	{ENOTSUP, "ENOTSUP"},
};

#define N(a) (sizeof(a) / sizeof(*(a)))

const char *apv_errno_name(int err)
{
	static _Thread_local char buf[16];

	if (err < 0)
		err = -err;
	for (size_t i = 0; i < N(table); i++)
		if (table[i].err == err)
			return table[i].name;
	snprintf(buf, sizeof(buf), "E%d", err);
	return buf;
}

int apv_errno_of(const char *name)
{
	char *end;
	long n;

	if (!name)
		return 0;
	for (size_t i = 0; i < N(table); i++)
		if (!strcmp(table[i].name, name))
			return table[i].err;
	for (size_t i = 0; i < N(aliases); i++)
		if (!strcmp(aliases[i].name, name))
			return aliases[i].err;
	/* "E<n>", as apv_errno_name() writes numbers outside the table */
	if (name[0] != 'E' || name[1] < '1' || name[1] > '9')
		return 0;
	n = strtol(name + 1, &end, 10);
	return *end || n > 4095 ? 0 : (int)n;
}

const struct apv_errno_entry *apv_errno_table(size_t *n)
{
	*n = N(table);
	return table;
}
