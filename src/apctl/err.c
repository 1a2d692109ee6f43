// SPDX-License-Identifier: MIT
/* struct ctl_err: the one error a command reports. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "apctl.h"

int ctl_fail(struct ctl_err *e, int err, const char *fmt, ...)
{
	va_list ap;

	if (e->msg)
		return -1;
	va_start(ap, fmt);
	if (vasprintf(&e->msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	e->err = err;
	return -1;
}

void ctl_err_fini(struct ctl_err *e)
{
	free(e->msg);
	free(e->owner);
	e->msg = NULL;
	e->owner = NULL;
}
