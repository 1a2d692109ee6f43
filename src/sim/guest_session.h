/* SPDX-License-Identifier: MIT */
/*
 * Guest sessions on the control socket (guest_session.c,
 * docs/control-protocol.md "Guest sessions"): a connection that sent
 * `guest.attach` is a KVM guest with its vfio_ap mdev open (QEMU's role);
 * its `guest.*` requests execute AP instructions and access guest memory,
 * and apsim pushes event lines (irq, cfg_change, request) to it.  When the
 * connection goes away the device is closed and the guest destroyed.
 *
 * Everything here runs on the control server thread, except the
 * notification callbacks, which the library calls with host->lock held:
 * they only set flags and wake the server through kick_fd.
 */
#ifndef APSIM_GUEST_SESSION_H
#define APSIM_GUEST_SESSION_H

#include <stdbool.h>
#include <stddef.h>

struct apv_host;
struct apsim_guests; /* one per server: host and wake-up descriptor */
struct apsim_guest;  /* one per attached connection */

/* Queue one line (no newline) for the connection; false on ENOMEM. */
typedef bool (*apsim_emit_fn)(void *ctx, const char *line);

/*
 * kick_fd: the write end of a non-blocking pipe the server polls; after
 * it became readable the server drains it, calls apsim_guests_kicked()
 * and then apsim_guest_poll() for every session.
 */
int apsim_guests_new(struct apv_host *host, int kick_fd,
		     struct apsim_guests **out);
void apsim_guests_free(struct apsim_guests *gs); /* NULL-safe */
/*
 * Acknowledge the wake-up: after the pipe is drained (never before: a kick
 * whose byte was drained would leave the flag set and silence every later
 * one) and before the sessions are polled.
 */
void apsim_guests_kicked(struct apsim_guests *gs);

/*
 * Handle one request line if it is a `guest.*` request: returns true and
 * the malloc'ed response in *resp (NULL when out of memory); event lines
 * the request produced (an irq made pending by NQAP) were emitted before.
 * *sess is the connection's session (NULL until attached; set by
 * guest.attach, cleared by guest.detach).  Returns false for every other
 * request: the caller hands it to apsim_ctl_handle().
 */
bool apsim_guest_handle(struct apsim_guests *gs, struct apsim_guest **sess,
			const char *req, size_t len, apsim_emit_fn emit,
			void *ctx, char **resp);

/*
 * Deliver what the notifications left for sess (event lines), coalesced:
 * one cfg_change line whose count is every change since the last one, one
 * irq line, one request line.  Everything after apsim_guest_service().
 */
void apsim_guest_poll(struct apsim_guest *sess, apsim_emit_fn emit, void *ctx);

/*
 * QEMU's part of the notifications without a line, for a connection whose
 * output queue is full (server.c): a device request unplugs the device now
 * -- the `remove` that waits for it must not wait for the guest to read --
 * and its line stays for apsim_guest_poll().  The other notifications stay
 * pending as levels (counts, flags), so nothing grows.  NULL-safe.
 */
void apsim_guest_service(struct apsim_guest *sess);

/* The connection is gone: close the device, destroy the guest. NULL-safe. */
void apsim_guest_end(struct apsim_guest *sess);

#endif /* APSIM_GUEST_SESSION_H */
