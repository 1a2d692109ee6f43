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
 *   ctl_def_put()    a definition file to given bytes (or away),
 *                    atomically; ctl_def_get() reads them, for backups
 *   ctl_plan_*()     apply: the steps from the current state to a desired
 *                    set, printed, then run; the first failure undoes
 *                    every step already done, in reverse order
 *
 * Test hooks (test-only, for tests/apctl/crash.sh and apply.sh; documented in
 * docs/apctl.8 under ENVIRONMENT): every definition write (three points:
 * before the temporary file, before the rename, after it) and every sysfs
 * write of these commands is a numbered test point.
 *   APCTL_TEST_CRASH_AT=N   raise(SIGKILL) at point N
 *   APCTL_TEST_FAIL_AT=N    the write at point N fails with EIO
 *   APCTL_TEST_RUN_AT=N:CMD run CMD (system(3)) at point N, then go on
 */
#ifndef APCTL_PLAN_H
#define APCTL_PLAN_H

#include <stdbool.h>

#include <jansson.h>

#include "rules.h"

/* A test point (see above): 0, or -EIO when a failure is injected. */
int ctl_test_point(void);

/* The three masks of an mdev: adapters, domains, control domains. */
struct ctl_matrix {
	struct ctl_ids m[3];
};

bool ctl_matrix_eq(const struct ctl_matrix *a, const struct ctl_matrix *b);
json_t *ctl_matrix_json(const struct ctl_matrix *m);
/* "adapters 04-05 domains 0047 control domains 0047"; malloc'ed. */
char *ctl_matrix_str(const struct ctl_matrix *m);

/*
 * Set running mdev uuid from matrix from to matrix to.  0, or -1 with e
 * filled (naming the APQN and owner, ctl_explain()) after every write
 * already done was undone; *writes counts the writes that stayed.
 */
int ctl_live_set(const char *uuid, const struct ctl_matrix *from,
		 const struct ctl_matrix *to, struct ctl_err *e);
/* Create mdev uuid with matrix m (removed again on failure). */
int ctl_live_create(const char *uuid, const struct ctl_matrix *m,
		    struct ctl_err *e);
int ctl_live_remove(const char *uuid, struct ctl_err *e);

/* A definition's bytes (*out NULL, 0: no file).  0 or -errno. */
int ctl_def_get(const char *uuid, char **out);
/* Write the bytes atomically (NULL: remove the file).  0 or -errno. */
int ctl_def_put(const char *uuid, const char *bytes);
/* The mdevctl text of a vfio_ap-passthrough definition; malloc'ed. */
char *ctl_def_text(const struct ctl_matrix *m, bool autostart);
/* Remove temporary files of interrupted writes (".<uuid>.XXXXXX"). */
void ctl_def_clean_temps(void);

enum ctl_step_kind {
	CTL_STEP_UNDEFINE,
	CTL_STEP_DEFINE,
	CTL_STEP_REDEFINE,
	CTL_STEP_STOP,
	CTL_STEP_SHRINK,
	CTL_STEP_GROW,
	CTL_STEP_START,
};

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
	size_t n;
};

/* The steps from the host and definitions to d. */
void ctl_plan_build(const struct ctl_desired *d, const struct ctl_hostsnap *h,
		    struct ctl_plan *p);
void ctl_plan_fini(struct ctl_plan *p);
/*
 * Mark the stops of mdevs a guest has open; where the kernel cannot ask
 * the guest to let go (the remove would block) each is an error finding,
 * rule guest-attached, so apply refuses before changing anything.
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
