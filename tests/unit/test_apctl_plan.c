// SPDX-License-Identifier: MIT
/*
 * Unit tests for apctl's planner (ctl_plan_build(), src/apctl/plan.c):
 * snapshots and desired sets in memory, plans compared step by step.
 * The planner does no I/O, so none of this touches a file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>

#include "apctl_snap.h"

struct fx {
	struct ctl_hostsnap h;
	struct ctl_desired d;
	struct ctl_plan p;
};

static int setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));

	snap_init(&x->h);
	x->d.file = true;
	x->d.prune = true;
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;

	ctl_plan_fini(&x->p);
	ctl_desired_fini(&x->d);
	ctl_hostsnap_fini(&x->h);
	free(x);
	return 0;
}

static void expect_step(const struct ctl_plan *p, size_t i,
			enum ctl_step_kind k, const char *uuid)
{
	assert_true(i < p->n);
	assert_string_equal(ctl_step_name(p->v[i].kind), ctl_step_name(k));
	assert_string_equal(p->v[i].uuid, uuid);
}

static struct ctl_matrix mx(const char *apm, const char *aqm, const char *adm)
{
	return (struct ctl_matrix){{ids(apm), ids(aqm), ids(adm)}};
}

static void nothing_to_do(void **state)
{
	struct fx *x = *state;

	ctl_plan_build(&x->d, &x->h, &x->p);
	assert_int_equal(x->p.n, 0);
	/* In sync: defined as apctl writes it and running as wanted. */
	snap_def(&x->h, U1, "4-5", "0x47", "0x47", true, NULL);
	snap_run(&x->h, U1, "4-5", "0x47", "0x47");
	want(&x->d, U1, "4-5", "0x47", "0x47", true, true);
	ctl_plan_build(&x->d, &x->h, &x->p);
	assert_int_equal(x->p.n, 0);
}

static void define_and_start(void **state)
{
	struct fx *x = *state;
	struct ctl_matrix m = mx("4-5", "0x47", "0x47");

	want(&x->d, U1, "4-5", "0x47", "0x47", true, true)->name = strdup("g1");
	ctl_plan_build(&x->d, &x->h, &x->p);
	assert_int_equal(x->p.n, 2);
	expect_step(&x->p, 0, CTL_STEP_DEFINE, U1);
	assert_null(x->p.v[0].old_text);
	assert_non_null(strstr(x->p.v[0].new_text, "\"start\": \"auto\""));
	assert_non_null(
		strstr(x->p.v[0].new_text, "\"assign_adapter\": \"0x5\""));
	expect_step(&x->p, 1, CTL_STEP_START, U1);
	assert_true(ctl_matrix_eq(&x->p.v[1].to, &m));
	assert_string_equal(x->p.v[1].name, "g1");
	assert_true(x->p.ap_config);
}

static void redefine_keeps_old_bytes(void **state)
{
	struct fx *x = *state;

	snap_def(&x->h, U1, "4", "0x47", "", false, NULL);
	want(&x->d, U1, "4", "0x47", "", true, false); /* now autostart */
	ctl_plan_build(&x->d, &x->h, &x->p);
	assert_int_equal(x->p.n, 1);
	expect_step(&x->p, 0, CTL_STEP_REDEFINE, U1);
	assert_string_equal(x->p.v[0].old_text, x->h.defs.v[0].text);
	assert_non_null(strstr(x->p.v[0].new_text, "\"start\": \"auto\""));
}

/* A definition with an attribute apctl does not write is rewritten. */
static void redefine_foreign_attrs(void **state)
{
	struct fx *x = *state;

	snap_def(&x->h, U1, "", "", "", false,
		 "{\"mdev_type\": \"vfio_ap-passthrough\", \"start\": "
		 "\"manual\", \"attrs\": [{\"assign_adapter\": \"4\"}, "
		 "{\"other\": \"1\"}]}");
	want(&x->d, U1, "4", "", "", false, false);
	ctl_plan_build(&x->d, &x->h, &x->p);
	assert_int_equal(x->p.n, 1);
	expect_step(&x->p, 0, CTL_STEP_REDEFINE, U1);
}

static void prune(void **state)
{
	struct fx *x = *state;

	snap_def(&x->h, U2, "6", "0x47", "", false, NULL);
	snap_def(&x->h, U3, "", "", "", false,
		 "{\"mdev_type\": \"other\", \"start\": \"manual\", "
		 "\"attrs\": []}"); /* not ours: kept */
	snap_run(&x->h, U2, "6", "0x47", "");
	ctl_plan_build(&x->d, &x->h, &x->p);
	assert_int_equal(x->p.n, 2);
	expect_step(&x->p, 0, CTL_STEP_UNDEFINE, U2);
	assert_string_equal(x->p.v[0].old_text, x->h.defs.v[0].text);
	assert_null(x->p.v[0].new_text);
	expect_step(&x->p, 1, CTL_STEP_STOP, U2);
	assert_true(ctl_matrix_eq(
		&x->p.v[1].from,
		&(struct ctl_matrix){{ids("6"), ids("0x47"), ids("")}}));
	/* Without prune, what the file does not list stays. */
	ctl_plan_fini(&x->p);
	x->d.prune = false;
	ctl_plan_build(&x->d, &x->h, &x->p);
	assert_int_equal(x->p.n, 0);
}

/* Every shrink before any grow: no transient collision. */
static void shrink_before_grow(void **state)
{
	struct fx *x = *state;

	snap_def(&x->h, U1, "1-2", "0x47", "", false, NULL);
	snap_def(&x->h, U2, "3", "0x47", "", false, NULL);
	snap_run(&x->h, U1, "1-2", "0x47", "");
	snap_run(&x->h, U2, "3", "0x47", "");
	want(&x->d, U2, "2-3", "0x47", "", false, true);
	want(&x->d, U1, "1", "0x47", "", false, true);
	ctl_plan_build(&x->d, &x->h, &x->p);
	assert_int_equal(x->p.n, 4);
	expect_step(&x->p, 0, CTL_STEP_REDEFINE, U2);
	expect_step(&x->p, 1, CTL_STEP_REDEFINE, U1);
	expect_step(&x->p, 2, CTL_STEP_SHRINK, U1);
	assert_true(ctl_matrix_eq(
		&x->p.v[2].to,
		&(struct ctl_matrix){{ids("1"), ids("0x47"), ids("")}}));
	expect_step(&x->p, 3, CTL_STEP_GROW, U2);
	assert_true(ctl_matrix_eq(
		&x->p.v[3].from,
		&(struct ctl_matrix){{ids("3"), ids("0x47"), ids("")}}));
}

/* A change that both removes and adds: shrink to the common part, grow. */
static void shrink_then_grow_same(void **state)
{
	struct fx *x = *state;

	snap_def(&x->h, U1, "4", "0x47", "", false, NULL);
	snap_run(&x->h, U1, "4", "0x47", "");
	want(&x->d, U1, "5", "0x47", "", false, true);
	ctl_plan_build(&x->d, &x->h, &x->p);
	assert_int_equal(x->p.n, 3);
	expect_step(&x->p, 1, CTL_STEP_SHRINK, U1);
	assert_true(apv_bm_empty(&x->p.v[1].to.m[0]));
	expect_step(&x->p, 2, CTL_STEP_GROW, U1);
	assert_true(apv_bm_empty(&x->p.v[2].from.m[0]));
	assert_true(apv_bm_test(&x->p.v[2].to.m[0], 5));
}

static void stop_inactive(void **state)
{
	struct fx *x = *state;

	snap_def(&x->h, U1, "4", "0x47", "", false, NULL);
	snap_run(&x->h, U1, "4", "0x47", "");
	want(&x->d, U1, "4", "0x47", "", false, false);
	ctl_plan_build(&x->d, &x->h, &x->p);
	assert_int_equal(x->p.n, 1);
	expect_step(&x->p, 0, CTL_STEP_STOP, U1);
}

static void foreign_untouched(void **state)
{
	struct fx *x = *state;
	struct ctl_spec *s;

	x->d.prune = false;
	snap_run(&x->h, U2, "6", "0x47", "");
	s = want(&x->d, U2, "", "", "", false, true);
	s->foreign = true;
	ctl_plan_build(&x->d, &x->h, &x->p);
	assert_int_equal(x->p.n, 0);
}

static void plan_json(void **state)
{
	struct fx *x = *state;
	json_t *j, *s;

	x->h.ap_config = false;
	want(&x->d, U1, "4", "0x47", "", false, true);
	ctl_plan_build(&x->d, &x->h, &x->p);
	assert_false(x->p.ap_config);
	j = ctl_plan_json(&x->p);
	assert_int_equal(json_array_size(j), 2);
	s = json_array_get(j, 0);
	assert_string_equal(json_string_value(json_object_get(s, "action")),
			    "define");
	assert_true(json_is_false(json_object_get(s, "autostart")));
	assert_true(json_is_null(json_object_get(s, "from")));
	s = json_array_get(j, 1);
	assert_int_equal(json_integer_value(json_object_get(s, "step")), 2);
	assert_int_equal(json_array_size(json_object_get(
				 json_object_get(s, "to"), "adapters")),
			 1);
	json_decref(j);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(nothing_to_do),
		T(define_and_start),
		T(redefine_keeps_old_bytes),
		T(redefine_foreign_attrs),
		T(prune),
		T(shrink_before_grow),
		T(shrink_then_grow_same),
		T(stop_inactive),
		T(foreign_untouched),
		T(plan_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
