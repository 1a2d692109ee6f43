// SPDX-License-Identifier: MIT
/*
 * apsim: a simulated IBM Z host served as a sysfs-compatible FUSE tree.
 *
 *   apsim run   [BOOT] --mount DIR [--socket PATH]  (default $APSIM_SOCKET
 *                                                   or /run/apsim.sock)
 *   apsim run   [BOOT] --root DIR [--socket PATH]   (tree on DIR/sys, socket
 *                                                   DIR/run/apsim.sock)
 *   apsim env   DIR                                 (the root hooks' variables)
 *   apsim exec  [BOOT] [--socket PATH] [--dev] -- CMD [ARG...]
 *   apsim shell [BOOT] [--socket PATH] [--dev]
 *   apsim ctl   [--socket PATH] VERB [ARG...]
 *   apsim guest --mdev UUID [--cpu LIST] [--name G] [--mem SIZE]
 *               [--socket PATH] [--json] [lsap]
 *
 * BOOT is [--topology FILE | --preset NAME] [--kernel 6.1|6.12]
 * [--workers N] [--reset-delay MS].
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <apvirt/host.h>
#include <apvirt/reason.h>

#include "control.h"
#include "sim.h"
#include "udev_events.h"

#ifndef APSIM_VERSION
#define APSIM_VERSION "0.1.0"
#endif

static void usage(FILE *f)
{
	fputs("usage: apsim run   [BOOT] (--mount DIR | --root DIR) "
	      "[--socket PATH]\n"
	      "                   [--udev-events]\n"
	      "       apsim exec  [BOOT] [--socket PATH] [--dev] [--host-net "
	      "[--udev-events]]\n"
	      "                   -- CMD [ARG...]\n"
	      "       apsim shell [BOOT] [--socket PATH] [--dev] [--host-net "
	      "[--udev-events]]\n"
	      "       apsim env   DIR\n"
	      "       apsim ctl   [--socket PATH] VERB [ARG...]\n"
	      "       apsim guest --mdev UUID [--cpu LIST] [--name G] "
	      "[--mem SIZE] [--json] [lsap]\n"
	      "BOOT:  [--topology FILE | --preset NAME] [--kernel 6.1|6.12] "
	      "[--workers N]\n"
	      "       [--reset-delay MS]\n"
	      "\n"
	      "run    serve the host's /sys tree on DIR until SIGINT/SIGTERM;\n"
	      "       --root DIR makes DIR a fake root (DIR/sys, "
	      "DIR/etc/mdevctl.d, ...)\n"
	      "env    print the variables that point the tools at a --root "
	      "DIR (sh syntax)\n"
	      "exec   run CMD in a private mount namespace with the tree on "
	      "/sys\n"
	      "       (and private /etc/mdevctl.d, /run/lock, "
	      "/etc/udev/rules.d);\n"
	      "       exits with CMD's status.  --dev also gives it a "
	      "private /dev\n"
	      "       with the zcrypt device nodes.  A user other than root "
	      "gets a user\n"
	      "       namespace (--dev: root only).\n"
	      "shell  the same with an interactive $SHELL\n"
	      "ctl    talk to a running host's control socket "
	      "(docs/control-protocol.md)\n"
	      "guest  be a guest of a running host: a console of AP "
	      "instructions, or lsap\n"
	      "       (docs/guest.md)\n",
	      f);
}

int apsim_boot(const struct apsim_opts *o, struct apsim_topology *topo,
	       struct apv_host **host)
{
	char *err = NULL;
	int rc;

	*host = NULL;
	memset(topo, 0, sizeof(*topo));
	rc = apsim_topology_load(o->topology, o->preset, o->kernel, topo, &err);
	if (rc) {
		fprintf(stderr, "apsim: %s: %s\n",
			o->topology ? o->topology :
			o->preset   ? o->preset :
				      "topology",
			err ? err : strerror(-rc));
		free(err);
		return rc;
	}
	if (o->udev) {
		/* from the boot on: the matrix's add, INITSCAN, ... */
		topo->p.cfg.devev = apsim_udev_listener;
		topo->p.cfg.devev_opaque = o->udev;
	}
	rc = apv_host_new(&topo->p.cfg, host);
	if (rc) {
		const struct apv_reason *r = apv_reason_last();

		fprintf(stderr, "apsim: cannot boot the host: %s\n",
			r->msg[0] ? r->msg : strerror(-rc));
		apsim_topology_fini(topo);
		return rc;
	}
	/* a guest's RAPQ/ZAPQ stays in progress (RC 02) for that long */
	apv_host_set_reset_delay(*host, (uint64_t)o->reset_delay_ms *
						UINT64_C(1000000));
	return 0;
}

int apsim_start_workers(const struct apsim_opts *o, struct apv_host *host)
{
	long n = o->workers;
	int rc;

	if (n < 0) {
		n = sysconf(_SC_NPROCESSORS_ONLN);
		if (n < 1)
			n = 1;
	}
	if (n > APV_MAX_WORKERS)
		n = APV_MAX_WORKERS;
	rc = apv_host_set_workers(host, (unsigned int)n);
	if (rc < 0) {
		fprintf(stderr, "apsim: cannot start %ld adapter workers: %s\n",
			n, strerror(-rc));
		return rc;
	}
	return 0;
}

enum {
	OPT_WORKERS = 'w',
	OPT_RESET_DELAY = 'r',
	OPT_TOPOLOGY = 't',
	OPT_PRESET = 'p',
	OPT_KERNEL = 'k',
	OPT_MOUNT = 'm',
	OPT_ROOT = 'R',
	OPT_SOCKET = 's',
	OPT_DEV = 'd',
	OPT_HELP = 'h',
	OPT_HOST_NET = 0x100,
	OPT_UDEV_EVENTS,
};

/* Parse the options of run/exec/shell; returns optind or -1. */
static int parse_opts(int argc, char **argv, bool run, struct apsim_opts *o)
{
	static const struct option longopts[] = {
		{"topology", required_argument, NULL, OPT_TOPOLOGY},
		{"preset", required_argument, NULL, OPT_PRESET},
		{"kernel", required_argument, NULL, OPT_KERNEL},
		{"mount", required_argument, NULL, OPT_MOUNT},
		{"root", required_argument, NULL, OPT_ROOT},
		{"socket", required_argument, NULL, OPT_SOCKET},
		{"dev", no_argument, NULL, OPT_DEV},
		{"workers", required_argument, NULL, OPT_WORKERS},
		{"reset-delay", required_argument, NULL, OPT_RESET_DELAY},
		{"host-net", no_argument, NULL, OPT_HOST_NET},
		{"udev-events", no_argument, NULL, OPT_UDEV_EVENTS},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0},
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->workers = -1;
	optind = 1;
	/* '+': stop at the command of exec */
	while ((c = getopt_long(argc, argv, "+t:p:k:m:R:s:dw:r:h", longopts,
				NULL)) != -1) {
		char *end;

		switch (c) {
		case OPT_WORKERS:
			o->workers = strtol(optarg, &end, 10);
			if (*end || end == optarg || o->workers < 0 ||
			    o->workers > APV_MAX_WORKERS) {
				fprintf(stderr,
					"apsim: --workers: expected "
					"0..64, got '%s'\n",
					optarg);
				return -1;
			}
			break;
		case OPT_RESET_DELAY:
			o->reset_delay_ms = strtol(optarg, &end, 10);
			if (*end || end == optarg || o->reset_delay_ms < 0 ||
			    o->reset_delay_ms > APSIM_RESET_DELAY_MAX_MS) {
				fprintf(stderr,
					"apsim: --reset-delay: expected 0..%d "
					"(milliseconds), got '%s'\n",
					APSIM_RESET_DELAY_MAX_MS, optarg);
				return -1;
			}
			break;
		case OPT_TOPOLOGY:
			o->topology = optarg;
			break;
		case OPT_PRESET:
			o->preset = optarg;
			break;
		case OPT_KERNEL:
			o->kernel = optarg;
			break;
		case OPT_MOUNT:
			if (!run)
				goto bad;
			o->mount = optarg;
			break;
		case OPT_ROOT:
			if (!run)
				goto bad;
			o->root = optarg;
			break;
		case OPT_SOCKET:
			o->socket = optarg;
			break;
		case OPT_DEV:
			if (run)
				goto bad;
			o->dev = true;
			break;
		case OPT_HOST_NET:
			if (run)
				goto bad;
			o->host_net = true;
			break;
		case OPT_UDEV_EVENTS:
			o->udev_events = true;
			break;
		case OPT_HELP:
			usage(stdout);
			exit(0);
		default:
			goto bad;
		}
	}
	if (o->topology && o->preset) {
		fprintf(stderr, "apsim: --topology and --preset exclude each "
				"other\n");
		return -1;
	}
	if (o->kernel && strcmp(o->kernel, "6.1") &&
	    strcmp(o->kernel, "6.12")) {
		fprintf(stderr,
			"apsim: --kernel: expected 6.1 or 6.12, got "
			"'%s'\n",
			o->kernel);
		return -1;
	}
	return optind;
bad:
	if (c == OPT_MOUNT || c == OPT_ROOT || c == OPT_DEV)
		fprintf(stderr, "apsim %s: option --%s is not allowed here\n",
			argv[0],
			c == OPT_MOUNT ? "mount" :
			c == OPT_ROOT  ? "root" :
					 "dev");
	usage(stderr);
	return -1;
}

/* The socket of a fake root DIR (apsim run --root, apsim env). */
#define ROOT_SOCKET "/run/apsim.sock"

/*
 * --root DIR: lay DIR out as a fake root and serve the tree on DIR/sys,
 * the control socket on DIR/run/apsim.sock unless --socket says
 * otherwise.  Returns -1 (o->mount NULL: usage error) if it cannot.
 */
static int run_root(struct apsim_opts *o)
{
	static char mnt[PATH_MAX], sock[PATH_MAX];

	if (!o->root)
		return 0;
	if (o->mount) {
		fprintf(stderr, "apsim run: --mount and --root exclude each "
				"other\n");
		o->mount = NULL;
		return -1;
	}
	if (strlen(o->root) + sizeof(ROOT_SOCKET) > sizeof(mnt)) {
		fprintf(stderr, "apsim run: --root: path too long\n");
		return -1;
	}
	snprintf(mnt, sizeof(mnt), "%s/sys", o->root);
	snprintf(sock, sizeof(sock), "%s" ROOT_SOCKET, o->root);
	o->mount = mnt;
	if (apsim_root_layout(o->root))
		return -1;
	if (!o->socket)
		o->socket = sock;
	return 0;
}

/* Print s single-quoted for sh. */
static void sh_quote(const char *s)
{
	putchar('\'');
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*s);
	}
	putchar('\'');
}

/*
 * `apsim env DIR`: the variables that point each tool's root hook at a
 * fake root of `apsim run --root DIR`, as sh `export` lines (eval them).
 * SYSFS_ROOT is the sysfs directory (s390-tools' libutil and apctl),
 * MDEVCTL_ENV_ROOT the whole root (mdevctl >= 1.3), APSYSFS_* and
 * ZCRYPT_CLASSDIR the k8s CEX device plug-in's AP directories.
 */
static int cmd_env(int argc, char **argv)
{
	static const struct {
		const char *name, *below;
	} vars[] = {
		{"SYSFS_ROOT", "/sys"},
		{"MDEVCTL_ENV_ROOT", ""},
		{"APSYSFS_BUSDIR", "/sys/bus/ap"},
		{"APSYSFS_DEVSDIR", "/sys/devices/ap"},
		{"ZCRYPT_CLASSDIR", "/sys/class/zcrypt"},
		{"APSIM_SOCKET", ROOT_SOCKET},
	};
	char dir[2 * PATH_MAX + 2], cwd[PATH_MAX];
	size_t n;

	if (argc == 2 &&
	    (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc != 2 || !*argv[1]) {
		fprintf(stderr, "usage: apsim env DIR\n");
		return 2;
	}
	if (!realpath(argv[1], dir)) {
		/* not there yet: made absolute, as given */
		size_t lc = 0, la = strlen(argv[1]);

		if (argv[1][0] != '/') {
			if (!getcwd(cwd, sizeof(cwd))) {
				fprintf(stderr, "apsim env: %s: %s\n", argv[1],
					strerror(errno));
				return 1;
			}
			lc = strlen(cwd);
			memcpy(dir, cwd, lc);
			dir[lc++] = '/';
		}
		if (lc + la >= sizeof(dir)) {
			fprintf(stderr, "apsim env: %s: path too long\n",
				argv[1]);
			return 1;
		}
		memcpy(dir + lc, argv[1], la + 1);
	}
	n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		dir[--n] = '\0';
	for (size_t i = 0; i < sizeof(vars) / sizeof(*vars); i++) {
		char val[2 * PATH_MAX + 32];

		snprintf(val, sizeof(val), "%s%s",
			 n == 1 && vars[i].below[0] ? "" : dir, vars[i].below);
		printf("export %s=", vars[i].name);
		sh_quote(val);
		putchar('\n');
	}
	return 0;
}

static int cmd_run(int argc, char **argv)
{
	struct apsim_topology topo;
	struct apsim_opts o;
	struct apv_host *host;
	struct apsim_fs *fs = NULL;
	struct apsim_ctl *ctl = NULL;
	sigset_t set;
	int i = parse_opts(argc, argv, true, &o);
	int rc, sig = 0;

	if (i < 0)
		return 2;
	if (run_root(&o))
		return o.mount ? 1 : 2;
	if (i != argc || !o.mount) {
		fprintf(stderr, "apsim run: %s\n",
			o.mount ? "unexpected arguments" :
				  "--mount DIR is "
				  "required");
		return 2;
	}
	/* every thread started from here on inherits the blocked set */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	/* events: always on the control socket; on netlink (the caller's
	 * network namespace: its real udev listeners hear them) only when
	 * asked with --udev-events */
	if (apsim_udev_new(&o.udev)) {
		fprintf(stderr, "apsim: out of memory\n");
		return 1;
	}
	if (apsim_boot(&o, &topo, &host)) {
		apsim_udev_free(o.udev);
		return 1;
	}
	rc = apsim_udev_start(o.udev, o.udev_events);
	if (rc)
		goto out;
	rc = apsim_start_workers(&o, host);
	if (rc)
		goto out;
	rc = apsim_fs_start(host, o.mount, &fs);
	if (rc) {
		fprintf(stderr, "apsim: cannot mount the tree on %s: %s\n",
			o.mount, strerror(-rc));
		goto out;
	}
	/* no --socket: $APSIM_SOCKET or the default path (ctl.h) */
	if (!o.socket)
		o.socket = apsim_ctl_socket_path();
	rc = apsim_ctl_start(host, o.socket, &ctl);
	if (rc) {
		fprintf(stderr, "apsim: cannot listen on %s: %s\n", o.socket,
			strerror(-rc));
		goto out;
	}
	fprintf(stderr,
		"apsim: kernel %s host on %s, control socket %s; "
		"SIGINT or SIGTERM stops it\n",
		apv_kernel_name(apv_host_kernel(host)), o.mount, o.socket);
	if (sigwait(&set, &sig) == 0)
		fprintf(stderr, "apsim: %s, unmounting %s\n", strsignal(sig),
			o.mount);
out:
	apsim_ctl_stop(ctl);
	apsim_fs_stop(fs);
	apv_host_free(host);
	apsim_udev_free(o.udev);
	apsim_topology_fini(&topo);
	return rc ? 1 : 0;
}

static int cmd_exec(int argc, char **argv, bool shell)
{
	struct apsim_opts o;
	char *sh_argv[3];
	int i = parse_opts(argc, argv, false, &o);

	if (i < 0)
		return 2;
	if (shell) {
		const char *sh = getenv("SHELL");

		if (i != argc) {
			fprintf(stderr, "apsim shell: unexpected arguments\n");
			return 2;
		}
		sh_argv[0] = (char *)(sh && *sh ? sh : "/bin/sh");
		sh_argv[1] = "-i";
		sh_argv[2] = NULL;
		fprintf(stderr, "apsim: shell on a simulated host: /sys is "
				"the tree; leave the shell to stop it\n");
		return apsim_ns_exec(&o, sh_argv);
	}
	if (i >= argc) {
		fprintf(stderr, "apsim exec: no command given\n");
		usage(stderr);
		return 2;
	}
	return apsim_ns_exec(&o, argv + i);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") ||
	    !strcmp(cmd, "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "--version")) {
		printf("apsim %s\n", APSIM_VERSION);
		return 0;
	}
	/* the subcommand sees itself as argv[0] */
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(cmd, "exec"))
		return cmd_exec(argc - 1, argv + 1, false);
	if (!strcmp(cmd, "shell"))
		return cmd_exec(argc - 1, argv + 1, true);
	if (!strcmp(cmd, "env"))
		return cmd_env(argc - 1, argv + 1);
	if (!strcmp(cmd, "ctl"))
		return apsim_ctl_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "guest"))
		return apsim_guest_main(argc - 1, argv + 1);
	fprintf(stderr, "apsim: unknown command '%s'\n", cmd);
	usage(stderr);
	return 2;
}
