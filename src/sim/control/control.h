/* SPDX-License-Identifier: MIT */
/*
 * The apsim control protocol (docs/control-protocol.md): shared by the
 * request handler (handler.c, pure: JSON text in, JSON text out), the
 * socket server (server.c) and the client (client.c).
 */
#ifndef APSIM_CTL_H
#define APSIM_CTL_H

#include <stddef.h>

#include <apvirt/proto/names.h>

struct apv_host;

/* Longest request line the server accepts (without its newline). */
#define APSIM_CTL_MAX_LINE APV_PROTO_MAX_REQUEST
/*
 * Most simultaneous clients.  When all slots are taken, a new client
 * closes the plain client (not a guest) idle the longest; when all are
 * guests, it is answered EMFILE and closed.
 */
#define APSIM_CTL_MAX_CLIENTS 64u
/*
 * A plain client that neither sends nor reads for this long is closed
 * (seconds; $APSIM_CTL_IDLE_TIMEOUT overrides, fractions allowed, 0 never).
 */
#define APSIM_CTL_IDLE_TIMEOUT 60u
#define APSIM_CTL_IDLE_ENV "APSIM_CTL_IDLE_TIMEOUT"
#define APSIM_CTL_DEFAULT_SOCKET APV_PROTO_DEFAULT_SOCKET
#define APSIM_CTL_PROTOCOL APV_PROTO_VERSION

/* $APSIM_SOCKET if set and non-empty, else APSIM_CTL_DEFAULT_SOCKET. */
const char *apsim_ctl_socket_path(void);

/*
 * Answer one request line (len bytes, no newline needed, need not be
 * NUL-terminated): the malloc'ed response, one compact JSON object without
 * a newline.  Never fails on bad input (that gets an error response);
 * NULL only when out of memory.  Takes host->lock only inside model calls,
 * like every other user of the model.
 */
char *apsim_ctl_handle(struct apv_host *host, const char *req, size_t len);

/*
 * Error lines and errno names are the protocol library's (src/proto):
 * apv_proto_error() in apvirt/proto/request.h, apv_errno_name() in
 * apvirt/proto/errname.h.
 */

#endif /* APSIM_CTL_H */
