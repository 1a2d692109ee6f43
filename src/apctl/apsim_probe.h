/* SPDX-License-Identifier: MIT */
/*
 * Asking a simulated host what sysfs cannot tell: a tiny JSON-lines client
 * of apsim's control socket (docs/control-protocol.md).  apctl release uses
 * it for a queue's in-flight work, which Linux's vfio_ap-bound queues do
 * not show in sysfs (requestq_count and pendingq_count read 0).
 */
#ifndef APCTL_APSIM_PROBE_H
#define APCTL_APSIM_PROBE_H

struct ctl_apsim;

/*
 * A connection to $APSIM_SOCKET when it is set, the sysfs root is /sys
 * (the simulated host's tree, not a --sysfs-root copy) and apsim answers
 * a ping; NULL otherwise (a real host).
 */
struct ctl_apsim *ctl_apsim_open(void);
void ctl_apsim_close(struct ctl_apsim *c);
/*
 * The machine queue apqn ("05.0047"): requests not answered yet plus
 * replies waiting for DQAP (guest.queue); -1 when unknown.
 */
long ctl_apsim_in_flight(struct ctl_apsim *c, const char *apqn);

#endif
