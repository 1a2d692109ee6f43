// SPDX-License-Identifier: MIT
/*
 * Unit tests for apctl's validation rules (src/apctl/rules.c) on
 * in-memory snapshots: no sysfs, no definition files.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

#include "apctl_snap.h"

struct fx {
	struct ctl_hostsnap h;
	struct ctl_desired d;
	struct ctl_findings f;
};

static int setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));

	snap_init(&x->h);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;

	ctl_findings_fini(&x->f);
	ctl_desired_fini(&x->d);
	ctl_hostsnap_fini(&x->h);
	free(x);
	return 0;
}

/* The index of the first finding of rule (for mdev, apqn: NULL any). */
static const struct ctl_finding *find(const struct ctl_findings *f,
				      const char *rule, const char *mdev,
				      const char *apqn)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->v[i].rule, rule) &&
		    (!mdev || !strcmp(f->v[i].mdev, mdev)) &&
		    (!apqn || !strcmp(f->v[i].apqn, apqn)))
			return &f->v[i];
	return NULL;
}

static size_t count(const struct ctl_findings *f, const char *rule)
{
	size_t n = 0;

	for (size_t i = 0; i < f->n; i++)
		n += !strcmp(f->v[i].rule, rule);
	return n;
}

static void clean_set(void **state)
{
	struct fx *x = *state;

	want(&x->d, U1, "4-5", "0x47", "0x47", true, false);
	want(&x->d, U2, "6", "0x47", "", true, false);
	ctl_validate(&x->d, &x->h, &x->f);
	assert_int_equal(x->f.n, 0);
	assert_int_equal(x->f.errors, 0);
}

static void host_reserved(void **state)
{
	struct fx *x = *state;
	const struct ctl_finding *g;

	x->h.apmask = ids("5");
	x->h.aqmask = ids("0x47");
	want(&x->d, U1, "4-5", "0x47,0x54", "", false, false);
	ctl_validate(&x->d, &x->h, &x->f);
	assert_int_equal(x->f.errors, 1);
	g = find(&x->f, "apqn-host-reserved", U1, "05.0047");
	assert_non_null(g);
	assert_int_equal(g->sev, CTL_SEV_ERROR);
	assert_null(g->owner);
	assert_non_null(strstr(g->msg, "reserved for the host"));
}

static void out_of_range(void **state)
{
	struct fx *x = *state;

	x->h.amax = 0x3f;
	x->h.dmax = 0x1f;
	want(&x->d, U1, "0x3f-0x40", "0x1f-0x20", "0x21", false, false);
	ctl_validate(&x->d, &x->h, &x->f);
	assert_int_equal(count(&x->f, "id-out-of-range"), 3);
	assert_non_null(find(&x->f, "id-out-of-range", U1, "40."));
	assert_non_null(find(&x->f, "id-out-of-range", U1, ".0020"));
	assert_non_null(find(&x->f, "id-out-of-range", U1, ".0021"));
}

static void shared_autostart(void **state)
{
	struct fx *x = *state;
	const struct ctl_finding *g;

	want(&x->d, U1, "4-5", "0x47", "0x47", true, false);
	want(&x->d, U2, "5-6", "0x47", "0x47", true, false);
	want(&x->d, U3, "5", "0x47", "", false, false); /* manual: no clash */
	ctl_validate(&x->d, &x->h, &x->f);
	assert_int_equal(x->f.errors, 1);
	g = find(&x->f, "apqn-shared-autostart", U1, "05.0047");
	assert_non_null(g);
	assert_string_equal(g->owner, U2);
	g = find(&x->f, "control-domain-shared", U1, ".0047");
	assert_non_null(g);
	assert_int_equal(g->sev, CTL_SEV_WARNING);
}

static void in_use_by_running(void **state)
{
	struct fx *x = *state;
	const struct ctl_finding *g;

	snap_run(&x->h, U2, "5", "0x47-0x48", "");
	snap_run(&x->h, U1, "5", "0x47", ""); /* itself: no finding */
	want(&x->d, U1, "5", "0x47-0x48", "", false, true);
	ctl_validate(&x->d, &x->h, &x->f);
	assert_int_equal(count(&x->f, "apqn-in-use"), 2);
	g = find(&x->f, "apqn-in-use", U1, "05.0048");
	assert_non_null(g);
	assert_string_equal(g->owner, U2);
	assert_non_null(strstr(g->msg, "(running)"));
}

static void file_both_active(void **state)
{
	struct fx *x = *state;

	x->d.file = true;
	want(&x->d, U1, "5", "0x47", "", false, true);
	want(&x->d, U2, "5", "0x47", "", false, true);
	want(&x->d, U3, "5", "0x47", "", false, false); /* inactive */
	ctl_validate(&x->d, &x->h, &x->f);
	assert_int_equal(x->f.errors, 1);
	assert_non_null(find(&x->f, "apqn-in-use", U1, "05.0047"));
}

static void warnings(void **state)
{
	struct fx *x = *state;

	x->h.cfg_apm = ids("0-3");
	x->h.cfg_aqm = ids("0-0x40");
	x->h.cfg_adm = ids("0-0x40");
	want(&x->d, U1, "4", "", "", false, false);
	want(&x->d, U2, "1", "0x41", "0x42", false, false);
	ctl_validate(&x->d, &x->h, &x->f);
	assert_int_equal(x->f.errors, 0);
	assert_non_null(find(&x->f, "no-queues", U1, ""));
	assert_non_null(find(&x->f, "not-in-configuration", U1, "04."));
	assert_non_null(find(&x->f, "not-in-configuration", U2, ".0041"));
	assert_non_null(find(&x->f, "not-in-configuration", U2, ".0042"));
	assert_int_equal(x->f.warnings, 4);
	/* Without QCI nothing is checked against the configuration. */
	ctl_findings_fini(&x->f);
	x->h.qci = false;
	ctl_validate(&x->d, &x->h, &x->f);
	assert_int_equal(x->f.warnings, 1);
}

static void bad_definitions(void **state)
{
	struct fx *x = *state;

	snap_def(&x->h, U1, "", "", "", false, "not json");
	snap_def(&x->h, U2, "", "", "", false,
		 "{\"mdev_type\": \"other\", \"start\": \"auto\", "
		 "\"attrs\": []}");
	snap_def(&x->h, U3, "", "", "", false,
		 "{\"mdev_type\": \"vfio_ap-passthrough\", \"start\": "
		 "\"manual\", \"attrs\": [{\"assign_adapter\": \"0x100\"}]}");
	assert_int_equal(ctl_desired_from_defs(&x->d, &x->h, NULL), 0);
	assert_int_equal(x->d.n, 3);
	ctl_validate(&x->d, &x->h, &x->f);
	assert_int_equal(x->f.errors, 3);
	assert_non_null(find(&x->f, "invalid-definition", U1, NULL));
	assert_non_null(find(&x->f, "unknown-mdev-type", U2, NULL));
	assert_non_null(find(&x->f, "invalid-attribute", U3, NULL));
}

static void defs_from_snapshot(void **state)
{
	struct fx *x = *state;
	const struct ctl_spec *s;

	snap_def(&x->h, U1, "4-5", "0x47", "0x47", true, NULL);
	snap_def(&x->h, U2, "6", "0x47", "", false, NULL);
	snap_run(&x->h, U2, "6", "0x47", "");
	assert_int_equal(ctl_desired_from_defs(&x->d, &x->h, NULL), 0);
	s = ctl_desired_find(&x->d, U1);
	assert_non_null(s);
	assert_true(s->autostart && !s->active && s->has_def);
	assert_true(apv_bm_equal(&s->apm, &(struct apv_bitmap){0}) == false);
	assert_true(apv_bm_test(&s->apm, 4) && apv_bm_test(&s->apm, 5));
	s = ctl_desired_find(&x->d, U2);
	assert_true(s->active && !s->autostart);
	ctl_validate(&x->d, &x->h, &x->f);
	assert_int_equal(x->f.n, 0);
}

static void defs_unreadable(void **state)
{
	struct fx *x = *state;
	struct ctl_err e = {0};

	x->h.defs_err = -EACCES;
	assert_int_equal(ctl_desired_from_defs(&x->d, &x->h, &e), -1);
	assert_int_equal(e.err, EACCES);
	assert_non_null(strstr(e.msg, "mdevctl.d/matrix"));
	ctl_err_fini(&e);
}

static void duplicate(void **state)
{
	struct fx *x = *state;

	x->d.file = true;
	want(&x->d, U1, "5", "0x47", "", false, false)->name = strdup("g1");
	want(&x->d, U1, "6", "0x47", "", false, false);
	ctl_validate(&x->d, &x->h, &x->f);
	assert_int_equal(count(&x->f, "duplicate-mdev"), 1);
}

static void findings_json(void **state)
{
	struct fx *x = *state;
	json_t *j;

	x->h.apmask = ids("5");
	x->h.aqmask = ids("0x47");
	want(&x->d, U1, "5", "0x47", "", false, false);
	ctl_validate(&x->d, &x->h, &x->f);
	j = ctl_findings_json(&x->f);
	assert_false(json_is_true(json_object_get(j, "ok")));
	assert_string_equal(
		json_string_value(json_object_get(
			json_array_get(json_object_get(j, "findings"), 0),
			"apqn")),
		"05.0047");
	json_decref(j);
}

/* Why the kernel refused a matrix, from the snapshot (ctl_explain()). */
static void explain(void **state)
{
	struct fx *x = *state;
	struct apv_bitmap apm = ids("4-5"), aqm = ids("0x47-0x48");
	struct ctl_err e = {0};

	x->h.apmask = ids("5");
	x->h.aqmask = ids("0x48");
	snap_run(&x->h, U2, "5", "0x47", "");
	snap_run(&x->h, U1, "4", "0x47", ""); /* itself */
	ctl_explain(&x->h, U1, EADDRINUSE, &apm, &aqm, &e);
	assert_string_equal(e.rule, "apqn-in-use");
	assert_string_equal(e.apqn, "05.0047");
	assert_string_equal(e.owner, U2);
	assert_int_equal(e.err, EADDRINUSE);
	ctl_err_fini(&e);
	memset(&e, 0, sizeof(e));
	ctl_explain(&x->h, U1, EADDRNOTAVAIL, &apm, &aqm, &e);
	assert_string_equal(e.rule, "apqn-host-reserved");
	assert_string_equal(e.apqn, "05.0048");
	ctl_err_fini(&e);
	memset(&e, 0, sizeof(e));
	ctl_explain(&x->h, U1, EIO, &apm, &aqm, &e);
	assert_null(e.rule);
	assert_non_null(strstr(e.msg, "the kernel refused the matrix"));
	ctl_err_fini(&e);
}

/* Likely mistakes in a NAME (ctl_check_name(), apctl.h). */
static void name_mistakes(void **state)
{
	static const char *const bad[] = {
		"",
		"1234567-1234-1234-1234-123456789abc",	 /* group 1 short */
		"12345678-1234-1234-1234-123456789abg",	 /* 'g' */
		"12345678-12345-1234-1234-123456789abc", /* group 2 long */
		"12345678-1234-1234-1234-123456789ab",	 /* group 5 short */
		"12345678123412341234123456789abc",	 /* no dashes */
	};
	static const char *const good[] = {
		"g1",
		"web-db-prod-eu-west",
		"12345678-1234-1234-1234-123456789abc", /* a UUID */
		"12345678-1234-1234-1234-123456789ABC",
		"guest-with-a-rather-long-name-of-forty-chars",
	};
	char why[80];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		assert_int_equal(ctl_check_name(bad[i], why, sizeof(why)), -1);
		assert_true(why[0] != '\0');
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(ctl_check_name(good[i], why, sizeof(why)), 0);
}

/* The duplicate and pair rules at scale: found through the holder lists,
 * in file order (ctl_validate() is O(n log n)). */
static void pairs_at_scale(void **state)
{
	struct fx *x = *state;
	char u[37];

	x->d.file = true;
	for (unsigned int i = 0; i < 4000; i++) {
		char a[8], d[8];

		snprintf(u, sizeof(u), "%08x-0000-4000-8000-000000000000", i);
		snprintf(a, sizeof(a), "%u", i % 200);
		snprintf(d, sizeof(d), "%u", (i / 200) % 250);
		want(&x->d, u, a, d, "", false, i % 2 == 0);
	}
	/* One clash (active 0 and active 4000 on 00.0000), one duplicate. */
	want(&x->d, "00000fa0-0000-4000-8000-000000000000", "0", "0", "", false,
	     true);
	want(&x->d, "00000001-0000-4000-8000-000000000000", "199", "249", "",
	     false, false);
	ctl_validate(&x->d, &x->h, &x->f);
	assert_int_equal(x->f.errors, 2);
	/* Per-mdev findings (the duplicate) come first, then the pairs. */
	assert_string_equal(x->f.v[0].rule, "duplicate-mdev");
	assert_string_equal(x->f.v[0].mdev,
			    "00000001-0000-4000-8000-000000000000");
	assert_string_equal(x->f.v[1].rule, "apqn-in-use");
	assert_string_equal(x->f.v[1].mdev,
			    "00000000-0000-4000-8000-000000000000");
	assert_string_equal(x->f.v[1].owner,
			    "00000fa0-0000-4000-8000-000000000000");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(clean_set),
		T(host_reserved),
		T(out_of_range),
		T(shared_autostart),
		T(in_use_by_running),
		T(file_both_active),
		T(warnings),
		T(bad_definitions),
		T(defs_from_snapshot),
		T(defs_unreadable),
		T(duplicate),
		T(findings_json),
		T(explain),
		T(name_mistakes),
		T(pairs_at_scale),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
