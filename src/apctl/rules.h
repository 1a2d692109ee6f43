/* SPDX-License-Identifier: MIT */
/*
 * The validation rules of apctl over a "desired set" of mdevs, against a
 * snapshot of the host (vfio-ap-semantics.md §2.3, §3.2; ecosystem.md
 * §1.1 "validate before committing").
 *
 * A desired set is what should exist: the persistent definitions (apctl
 * validate), or an apply file (apctl validate FILE, apctl apply).  The
 * rules report every violation, each as a struct ctl_finding naming the
 * mdev, the APQN (or an id: "05." for adapter 05, ".0047" for domain 0x47,
 * the kernel's matrix notation), the rule and the other owner.
 *
 * Rules (severity):
 *   id-out-of-range       error    an id above ap_max_adapter_id/_domain_id
 *   apqn-host-reserved    error    APQN reserved for the host by apmask x
 *                                  aqmask (the kernel's EADDRNOTAVAIL)
 *   apqn-shared-autostart error    two autostart definitions share an APQN
 *   apqn-in-use           error    an APQN shared with an mdev that can be
 *                                  active at the same time (EADDRINUSE)
 *   unknown-mdev-type     error    mdev_type is not vfio_ap-passthrough
 *   invalid-attribute     error    an assign_* value is not one number
 *   invalid-definition    error    the definition file is not mdevctl JSON
 *   duplicate-mdev        error    the same UUID twice in a file
 *   control-domain-shared warning  a control domain given to several
 *                                  mdevs that can be active at once
 *   no-queues             warning  no adapters or no domains: the guest
 *                                  gets no queue
 *   not-in-configuration  warning  an id not in the host configuration
 *                                  (filtered until it appears)
 *   guest-attached        error    (apply, ctl_plan_check_guests()) a stop
 *                                  of an mdev a guest has open, on a
 *                                  kernel that cannot ask it to let go
 *
 * Another command (e.g. reserve) may build a ctl_desired by hand, load a
 * ctl_hostsnap, and call ctl_validate().
 */
#ifndef APCTL_RULES_H
#define APCTL_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include <apvirt/apqn.h>

#include "apctl.h"

/* One mdev of a desired set. */
struct ctl_spec {
	char uuid[37];
	char *name;	 /* as the user gave it, or NULL */
	char *mdev_type; /* NULL: vfio_ap-passthrough */
	struct apv_bitmap apm, aqm, adm;
	bool autostart;
	bool active;	 /* is (definitions) or should be (file) running */
	bool invalid;	 /* an assign_* value is not one number */
	bool unreadable; /* the definition file is not mdevctl JSON */
	bool foreign;	 /* apply: not in the file, kept as it is */
	bool has_def;	 /* apply: a definition should exist */
};

struct ctl_desired {
	struct ctl_spec *v;
	size_t n, cap;
	/* UUID -> index + 1 (open addressing, first of duplicates):
	 * ctl_desired_find() in O(1), kept by ctl_desired_add(). */
	size_t *slot;
	size_t n_slots;
	bool file;  /* from an apply file: running mdevs not in it go away */
	bool prune; /* file: unlisted definitions and mdevs are removed */
};

/* A running mdev as sysfs shows it. */
struct ctl_running {
	char uuid[37];
	struct apv_bitmap apm, aqm, adm;
};

/*
 * One snapshot of the host, read once per command: limits, configuration,
 * reservation masks, the matrix device's features, the running mdevs and
 * (CTL_SNAP_DEFS) every definition.  The rules and the planner work on it
 * without I/O; tests build it in memory.
 */
struct ctl_hostsnap {
	unsigned int amax, dmax;
	bool qci; /* the configuration masks are readable */
	struct apv_bitmap cfg_apm, cfg_aqm, cfg_adm;
	bool masks; /* apmask and aqmask are readable */
	struct apv_bitmap apmask, aqmask;
	bool ap_config; /* the matrix device has ap_config (features) */
	struct ctl_running *run; /* sorted by UUID */
	size_t n_run;
	struct ctl_defs defs; /* CTL_SNAP_DEFS */
	int defs_err;	      /* 0, or -errno: the directory is unreadable */
};

#define CTL_SNAP_DEFS 1u

enum ctl_severity {
	CTL_SEV_ERROR,
	CTL_SEV_WARNING
};

struct ctl_finding {
	enum ctl_severity sev;
	const char *rule;
	char mdev[37];
	char apqn[8]; /* "05.0047", "05.", ".0047" or "" */
	char *owner;  /* the other mdev, or NULL */
	char *msg;
};

struct ctl_findings {
	struct ctl_finding *v;
	size_t n, cap, errors, warnings;
};

/*
 * Read the host (and with CTL_SNAP_DEFS the definitions).  0, or -1 with
 * e filled (the AP bus is unreadable).
 */
int ctl_hostsnap_load(struct ctl_hostsnap *h, unsigned int what,
		      struct ctl_err *e);
/* Only what explains a refusal: the reservation masks, the features and
 * the running mdevs (never fails; what is unreadable stays empty). */
void ctl_hostsnap_load_mdevs(struct ctl_hostsnap *h);
void ctl_hostsnap_fini(struct ctl_hostsnap *h);
const struct ctl_running *ctl_hostsnap_find(const struct ctl_hostsnap *h,
					    const char *uuid);
/* The running mdev other than self (may be NULL) whose matrix holds APQN
 * (ap, dom), or NULL. */
const char *ctl_hostsnap_owner(const struct ctl_hostsnap *h, unsigned int ap,
			       unsigned int dom, const char *self);

/*
 * A running mdev's assigned matrix: ap_config where the kernel has it
 * (ap_config: ctl_has_ap_config()), else the matrix and control_domains
 * files.  0 or -errno.
 */
int ctl_mdev_matrix(const char *uuid, bool ap_config, struct apv_bitmap *apm,
		    struct apv_bitmap *aqm, struct apv_bitmap *adm);

/* The persistent definitions (every file in mdevctl.d/matrix, as the
 * snapshot h read them: CTL_SNAP_DEFS). */
int ctl_desired_from_defs(struct ctl_desired *d, const struct ctl_hostsnap *h,
			  struct ctl_err *e);
/*
 * An apply file (docs/apctl.8, "APPLY FILE").  With "prune": false, the
 * definitions and running mdevs the file does not list are added as
 * foreign specs (kept as they are; h loaded with CTL_SNAP_DEFS).  0, or -1
 * with e filled.
 */
int ctl_desired_from_file(struct ctl_desired *d, const char *file,
			  const struct ctl_hostsnap *h, struct ctl_err *e);
struct ctl_spec *ctl_desired_add(struct ctl_desired *d, const char *uuid);
struct ctl_spec *ctl_desired_find(const struct ctl_desired *d,
				  const char *uuid);
void ctl_desired_fini(struct ctl_desired *d);

/* Check every rule; findings are appended to f. */
void ctl_validate(const struct ctl_desired *d, const struct ctl_hostsnap *h,
		  struct ctl_findings *f);
void ctl_findings_fini(struct ctl_findings *f);
/* Append a finding (apqn, owner may be NULL); for checks outside
 * ctl_validate() (apply's plan: guest-attached). */
void ctl_findings_add(struct ctl_findings *f, enum ctl_severity sev,
		      const char *rule, const char *mdev, const char *apqn,
		      const char *owner, const char *msg);
/* {"ok": bool, "findings": [{severity, rule, mdev, apqn, owner, message}]} */
json_t *ctl_findings_json(const struct ctl_findings *f);
/* One line per finding: "error apqn-in-use: mdev ...: APQN ..." */
void ctl_findings_print(const struct ctl_findings *f);
/* The one error message of a refusal ("3 errors, 1 warning"), exit 3. */
int ctl_findings_fail(const struct ctl_findings *f, const char *what,
		      struct ctl_err *e);

#define CTL_EXIT_FINDINGS 3

#endif
