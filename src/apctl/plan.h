/* SPDX-License-Identifier: MIT */
/*
 * Changing definitions and running mdevs with rollback: the engine of
 * apctl modify and apply.
 *
 *   ctl_live_set()   a running mdev's matrix to a new one: one ap_config
 *                    write where the kernel has it, else unassign the
 *                    removed ids, then assign the added ones (no APQN of
 *                    the final matrix is ever unassigned, no transient
 *                    superset can collide), undoing every write done on
 *                    the first failure
 *   ctl_plan_build() apply: the steps from a snapshot of the host and the
 *                    definitions (rules.h) to a desired set, without I/O
 *   ctl_plan_run()   the steps, run; the first failure undoes every step
 *                    already done, in reverse order (definition files
 *                    through ctl_def_put(), config.h)
 *
 * Test hooks (test-only, for tests/apctl/crash.sh and apply.sh; documented in
 * docs/apctl.8 under ENVIRONMENT): every definition write (three points:
 * before the temporary file, before the rename, after it; ctl_def_put())
 * and every sysfs write of these commands is a numbered test point
 * (ctl_test_point(), sysfs.h).
 *   APCTL_TEST_CRASH_AT=N   raise(SIGKILL) at point N
 *   APCTL_TEST_FAIL_AT=N    the write at point N fails with EIO
 *   APCTL_TEST_RUN_AT=N:CMD run CMD (system(3)) at point N, then go on
 */
#ifndef APCTL_PLAN_H
#define APCTL_PLAN_H

#include <stdbool.h>

#include <jansson.h>

#include "rules.h"

/* The three masks of an mdev: adapters, domains, control domains. */
struct ctl_matrix {
	struct apv_bitmap m[3];
};

bool ctl_matrix_eq(const struct ctl_matrix *a, const struct ctl_matrix *b);
json_t *ctl_matrix_json(const struct ctl_matrix *m);
/* "adapters 04-05 domains 0047 control domains 0047"; malloc'ed. */
char *ctl_matrix_str(const struct ctl_matrix *m);

/*
 * Set running mdev uuid from matrix from to matrix to: one ap_config
 * write if ap_config (the snapshot's ctl_hostsnap.ap_config), else
 * assign/unassign.  0, or -1 with e filled (naming the APQN and owner,
 * ctl_explain() on the host read again) after every write already done
 * was undone.
 */
int ctl_live_set(const char *uuid, bool ap_config,
		 const struct ctl_matrix *from, const struct ctl_matrix *to,
		 struct ctl_err *e);
/* Create mdev uuid with matrix m (removed again on failure). */
int ctl_live_create(const char *uuid, bool ap_config,
		    const struct ctl_matrix *m, struct ctl_err *e);
int ctl_live_remove(const char *uuid, struct ctl_err *e);

enum ctl_step_kind {
	CTL_STEP_UNDEFINE,
	CTL_STEP_DEFINE,
	CTL_STEP_REDEFINE,
	CTL_STEP_STOP,
	CTL_STEP_SHRINK,
	CTL_STEP_GROW,
	CTL_STEP_START,
};

/* "undefine", "define", ... (the JSON "action"). */
const char *ctl_step_name(enum ctl_step_kind k);

struct ctl_step {
	enum ctl_step_kind kind;
	char uuid[37];
	char *name;
	char *old_text, *new_text; /* definitions; NULL: no file */
	struct ctl_matrix from, to;
	bool guest; /* stop: a guest has the mdev open */
	bool done;
};

struct ctl_plan {
	struct ctl_step *v;
	size_t n, cap;
	bool ap_config; /* live changes by ap_config (from the snapshot) */
	/* After a failed ctl_plan_run(): the failed step and how many undos
	 * failed (the rolled-back steps are those before it not .done). */
	size_t failed, n_undo_failed;
	/* The failed definition write had replaced the file (its directory's
	 * fsync failed): the old bytes were put back. */
	bool failed_restored;
};

/*
 * The steps from the snapshot h (host and definitions, loaded with
 * CTL_SNAP_DEFS) to d.  Pure: no I/O.
 */
void ctl_plan_build(const struct ctl_desired *d, const struct ctl_hostsnap *h,
		    struct ctl_plan *p);
void ctl_plan_fini(struct ctl_plan *p);
/*
 * Mark the stops of mdevs a guest has open; where the kernel cannot ask
 * the guest to let go (the remove would block) each is an error finding,
 * rule guest-attached, so apply refuses before changing anything.  Unlike
 * ctl_plan_build() this reads sysfs: the status of the queues of the
 * mdevs to be stopped, and only theirs (and the features file when a
 * guest has one open).
 */
void ctl_plan_check_guests(struct ctl_plan *p, struct ctl_findings *f);
json_t *ctl_plan_json(const struct ctl_plan *p);
void ctl_plan_print(const struct ctl_plan *p);
/*
 * Run the steps in order; on the first failure undo the done ones in
 * reverse.  0, or -1 with e filled and *report {failed_step, rolled_back,
 * rollback_failed}.
 */
int ctl_plan_run(struct ctl_plan *p, json_t *report, struct ctl_err *e);

#endif
