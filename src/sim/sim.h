/* SPDX-License-Identifier: MIT */
/*
 * apsim internals: the simulated host's daemon pieces and how they meet.
 *
 *   topology.c   JSON topology file / preset -> struct apv_preset
 *   tree.c       the sysfs tree: path -> directory, attribute or symlink
 *                (pure: no FUSE, no I/O; unit-tested and fuzzed)
 *   fs.c         libfuse 3 low-level callbacks over tree.c + attr.h
 *   control/     the control socket (JSON lines over libapvirt_proto):
 *                handler.c (requests), server.c (one thread, bounded
 *                per-connection output queues, outq.c), client.c
 *                (`apsim ctl ...`)
 *   uevent/      udev events: the libudev monitor message (udev_msg.c,
 *                udev_build.c) and the bounded ring + netlink sender thread
 *                fed by the model's device-event listener (udev_events.c)
 *   ns.c         `apsim exec` / `apsim shell`: private mount (and user,
 *                network) namespaces; `apsim run --root`
 *   guest_session.c  guest sessions on the control socket
 *                (guest_session.h)
 *   guest_line.c `apsim guest`'s console language (guest_line.h, pure)
 *   guest_cli.c  `apsim guest`: console and lsap over libapvirt_guest
 *   main.c       command line
 *
 * Threads and locking: apsim adds no lock around the model; every model
 * call takes host->lock itself (include/apvirt/host.h).  The FUSE loop is
 * one thread; a store that must wait (an mdev `remove` while a guest holds
 * the device) is handed to a thread of its own that replies later, so the
 * loop never waits on the model.  The control server is one more thread,
 * the udev sender another; the model's device-event listener only queues
 * (under host->lock) and never sends.
 */
#ifndef APSIM_SIM_H
#define APSIM_SIM_H

#include <stdbool.h>
#include <stddef.h>

#include <apvirt/host.h>
#include <apvirt/preset.h>

struct apv_host;

/* ---- topology.c ---------------------------------------------------- */

/*
 * Build a host configuration from a topology file (path != NULL) or a
 * preset name (NULL = "default"); kernel ("6.1"/"6.12") overrides the
 * file's.  On error returns -errno and sets *err to a malloc'ed message that
 * names the field (e.g. "adapters[1].type: expected CEX4..CEX8").
 * The apmask/aqmask strings of out->cfg point into out (freed by
 * apsim_topology_fini).
 */
struct apsim_topology {
	struct apv_preset p;
	char *apmask, *aqmask;
};
int apsim_topology_load(const char *path, const char *preset,
			const char *kernel, struct apsim_topology *out,
			char **err);
void apsim_topology_fini(struct apsim_topology *t);

/* ---- fs.c --------------------------------------------------------------- */

struct apsim_fs;
/* Mount the tree at mountpoint and serve it from background threads. */
int apsim_fs_start(struct apv_host *host, const char *mountpoint,
		   struct apsim_fs **out);
/* Unmount and join the threads (NULL-safe).  Always unmounts. */
void apsim_fs_stop(struct apsim_fs *fs);
/* Call fn(ctx) after every successful write to class/zcrypt/{create,
 * destroy} (from a FUSE thread; ns.c keeps /dev nodes in step). */
void apsim_fs_on_zcdn_change(struct apsim_fs *fs, void (*fn)(void *ctx),
			     void *ctx);

/* ---- ns.c ------------------------------------------------------------- */

/* What `apsim run|exec|shell` boot and serve. */
struct apsim_opts {
	const char *topology; /* --topology FILE */
	const char *preset;   /* --preset NAME */
	const char *kernel;   /* --kernel 6.1|6.12 */
	const char *mount;    /* --mount DIR (run) */
	const char *root;     /* --root DIR (run): a fake root, DIR/sys */
	const char *socket;   /* --socket PATH */
	bool dev;	      /* --dev: private /dev with zcrypt nodes */
	long workers;	      /* --workers N: adapter worker threads
				 * (0: synchronous adapters); -1 (default):
				 * one per online CPU, at most 64 */
	long reset_delay_ms;  /* --reset-delay MS: a guest's RAPQ/ZAPQ
				 * stays in progress (RC 02) that long
				 * (apv_host_set_reset_delay); 0: instant */

	/* udev events (uevent/udev_events.h) */
	bool host_net;	  /* --host-net (exec/shell): no private netns */
	bool udev_events; /* --udev-events: broadcast on netlink anyway */
	struct apsim_udev *udev; /* the events' ring (set by run/exec) */
};

/* Largest --reset-delay: one minute. */
#define APSIM_RESET_DELAY_MAX_MS 60000

/*
 * Start the host's adapter worker threads for o->workers
 * (apv_host_set_workers); prints what is wrong and returns -errno.
 */
int apsim_start_workers(const struct apsim_opts *o, struct apv_host *host);

/* Boot the host of opts; prints what is wrong and returns -errno. */
int apsim_boot(const struct apsim_opts *o, struct apsim_topology *topo,
	       struct apv_host **host);

/*
 * `apsim exec` / `apsim shell`: run argv (NULL-terminated) on a booted
 * host in a private mount namespace with the tree on /sys; returns the
 * command's exit status (128 + signal if it was killed), or 1 if the
 * namespace cannot be set up.
 */
int apsim_ns_exec(const struct apsim_opts *o, char *const argv[]);

/*
 * `apsim run --root DIR`: make DIR a fake root for the tools' root hooks
 * (DIR/sys, DIR/etc/mdevctl.d/scripts.d/{callouts,notifiers},
 * DIR/usr/lib/mdevctl/scripts.d/{callouts,notifiers}, DIR/run/lock,
 * DIR/etc/udev/rules.d); prints what is wrong and returns -errno.
 */
int apsim_root_layout(const char *dir);

/* ---- control/server.c---------------------------------------------------- */

struct apsim_ctl;
/* Listen on path (mode 0600); serve until stopped. */
int apsim_ctl_start(struct apv_host *host, const char *path,
		    struct apsim_ctl **out);
void apsim_ctl_stop(struct apsim_ctl *ctl); /* NULL-safe */

/* ---- control/client.c---------------------------------------------------- */

/* `apsim ctl [--socket PATH] VERB ARGS...`; returns the exit status. */
int apsim_ctl_main(int argc, char **argv);

/* ---- guest_cli.c -------------------------------------------------------- */

/* `apsim guest --mdev UUID ... [lsap]`; returns the exit status. */
int apsim_guest_main(int argc, char **argv);

#endif /* APSIM_SIM_H */
