// SPDX-License-Identifier: MIT
/*
 * Unit tests for zcrypt custom device nodes (src/lib/bus/zcdn.c and the
 * APV_OBJ_ZCRYPT / APV_OBJ_ZCDN attributes in attr.c), driven through
 * apv_attr_read / apv_attr_write the way zcryptctl drives the sysfs files
 * (real-tools-abi.md §3.4): `name\n` to create, `\n\n` for an automatic
 * name, `+v\n` / `-v\n` to the masks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apvirt/attr.h>
#include <apvirt/bus.h>
#include <apvirt/preset.h>
#include <apvirt/reason.h>
#include <apvirt/zcdn.h>

#define ZERO_MASK                                                              \
	"0x0000000000000000000000000000000000000000000000000000000000000000\n"
#define FULL_MASK                                                              \
	"0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\n"

static int setup(void **state)
{
	struct apv_preset p;
	struct apv_host *h = NULL;

	assert_int_equal(apv_preset_init(&p, "default"), 0);
	assert_int_equal(apv_host_new(&p.cfg, &h), 0);
	*state = h;
	return 0;
}

static int teardown(void **state)
{
	apv_host_free(*state);
	return 0;
}

/* Write a string to a class or node attribute; returns the write result. */
static ssize_t wr(struct apv_host *h, struct apv_obj o, const char *attr,
		  const char *s)
{
	return apv_attr_write(h, &o, attr, s, strlen(s));
}

static ssize_t create(struct apv_host *h, const char *s)
{
	return wr(h, apv_obj_zcrypt(), "create", s);
}

static ssize_t destroy(struct apv_host *h, const char *s)
{
	return wr(h, apv_obj_zcrypt(), "destroy", s);
}

#define assert_written(expr, s)                                                \
	do {                                                                   \
		ssize_t r_ = (expr);                                           \
		if (r_ != (ssize_t)strlen(s))                                  \
			fail_msg("write of \"%s\" returned %zd (%s)", (s), r_, \
				 apv_reason_last()->msg);                      \
	} while (0)

/* Read a node attribute into a static buffer ("" on error). */
static const char *rd(struct apv_host *h, const char *node, const char *attr,
		      int *rc)
{
	static char out[512];
	struct apv_strbuf sb = APV_STRBUF_INIT;
	struct apv_obj o = apv_obj_zcdn(node);

	*rc = apv_attr_read(h, &o, attr, &sb);
	snprintf(out, sizeof(out), "%s", apv_sb_str(&sb));
	apv_sb_free(&sb);
	return out;
}

#define assert_attr(h, node, attr, expected)                                   \
	do {                                                                   \
		int rc_;                                                       \
		const char *v_ = rd((h), (node), (attr), &rc_);                \
		assert_int_equal(rc_, 0);                                      \
		assert_string_equal(v_, (expected));                           \
	} while (0)

static bool node_exists(struct apv_host *h, const char *name)
{
	struct apv_zcdn_info zi;

	return apv_zcdn_get(h, name, &zi) == 0;
}

/* ---- the class directory ----------------------------------------------- */

static void test_class_files(void **state)
{
	struct apv_host *h = *state;
	struct apv_obj o = apv_obj_zcrypt();
	struct apv_attr_entry e[8];
	struct apv_strbuf sb = APV_STRBUF_INIT;

	assert_int_equal(apv_attr_list(h, &o, e, 8), 2);
	assert_string_equal(e[0].name, "create");
	assert_int_equal(e[0].mode, APV_ATTR_WO);
	assert_string_equal(e[1].name, "destroy");
	assert_int_equal(e[1].mode, APV_ATTR_WO);
	assert_int_equal(apv_attr_mode(h, &o, "create"), 0200);
	/* write-only: reading is EACCES, other names do not exist */
	assert_int_equal(apv_attr_read(h, &o, "create", &sb), -EACCES);
	assert_int_equal(apv_attr_read(h, &o, "zcrypt_1", &sb), -ENOENT);
	assert_int_equal(sb.len, 0u);
	apv_sb_free(&sb);
}

static void test_create_named(void **state)
{
	struct apv_host *h = *state;
	struct apv_obj o = apv_obj_zcdn("mynode");
	struct apv_attr_entry e[8];
	static const char *const names[] = {"dev",    "uevent", "apmask",
					    "aqmask", "admask", "ioctlmask"};
	static const unsigned int modes[] = {0444, 0644, 0644,
					     0644, 0644, 0644};

	assert_false(node_exists(h, "mynode"));
	assert_int_equal(apv_attr_list(h, &o, e, 8), -ENOENT);
	assert_written(create(h, "mynode\n"), "mynode\n");
	assert_true(node_exists(h, "mynode"));
	assert_int_equal(apv_attr_list(h, &o, e, 8), 6);
	for (int i = 0; i < 6; i++) {
		assert_string_equal(e[i].name, names[i]);
		assert_int_equal(e[i].mode, modes[i]);
	}
	assert_attr(h, "mynode", "dev", "240:1\n");
	assert_attr(h, "mynode", "uevent",
		    "MAJOR=240\nMINOR=1\nDEVNAME=mynode\n");
	/* a new node grants nothing */
	assert_attr(h, "mynode", "apmask", ZERO_MASK);
	assert_attr(h, "mynode", "aqmask", ZERO_MASK);
	assert_attr(h, "mynode", "admask", ZERO_MASK);
	assert_attr(h, "mynode", "ioctlmask", ZERO_MASK);
	/* without a newline too */
	assert_written(create(h, "second"), "second");
	assert_attr(h, "second", "dev", "240:2\n");
}

static void test_create_automatic(void **state)
{
	struct apv_host *h = *state;

	/* zcryptctl create without a name writes "\n\n" */
	assert_written(create(h, "\n\n"), "\n\n");
	assert_true(node_exists(h, "zcrypt_1"));
	assert_attr(h, "zcrypt_1", "dev", "240:1\n");
	assert_written(create(h, "\n"), "\n");
	assert_true(node_exists(h, "zcrypt_2"));
	assert_written(create(h, "  \t\n"), "  \t\n");
	assert_attr(h, "zcrypt_3", "dev", "240:3\n");
	assert_attr(h, "zcrypt_3", "uevent",
		    "MAJOR=240\nMINOR=3\nDEVNAME=zcrypt_3\n");
}

static void test_create_trims_white_space(void **state)
{
	struct apv_host *h = *state;

	assert_written(create(h, "  padded \n"), "  padded \n");
	assert_true(node_exists(h, "padded"));
	/* a NUL byte ends the input, as in a sysfs store */
	assert_int_equal(
		apv_attr_write(h, &(struct apv_obj){.kind = APV_OBJ_ZCRYPT},
			       "create", "cut\0junk", 8),
		8);
	assert_true(node_exists(h, "cut"));
}

static void test_create_errors(void **state)
{
	struct apv_host *h = *state;
	const struct apv_reason *r;

	assert_written(create(h, "dup\n"), "dup\n");
	assert_int_equal(create(h, "dup\n"), -EEXIST);
	r = apv_reason_last();
	assert_int_equal(r->err, -EEXIST);
	assert_int_equal(r->rule, APV_RULE_EXISTS);
	assert_non_null(strstr(r->msg, "dup"));

	assert_int_equal(create(h, "a b\n"), -EINVAL);
	assert_int_equal(apv_reason_last()->rule, APV_RULE_SYNTAX);
	assert_int_equal(create(h, "bad/name\n"), -EINVAL);
	assert_int_equal(create(h, "create\n"), -EINVAL);
	assert_int_equal(create(h, "destroy\n"), -EINVAL);
	assert_int_equal(create(h, "z90crypt\n"), -EINVAL);
	assert_int_equal(create(h, "..\n"), -EINVAL);
	assert_int_equal(create(h, "\xc3\xa9\n"), -EINVAL);
	/* 23 characters fit, 24 do not */
	assert_written(create(h, "abcdefghijklmnopqrstuvw\n"),
		       "abcdefghijklmnopqrstuvw\n");
	assert_int_equal(create(h, "abcdefghijklmnopqrstuvwx\n"), -EINVAL);
	assert_non_null(strstr(apv_reason_last()->msg, "longer than 23"));
	{
		char big[4096];

		memset(big, 'n', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		assert_int_equal(create(h, big), -EINVAL);
	}
	/* failed creates used no minor: the next one is minor 3 */
	assert_written(create(h, "\n\n"), "\n\n");
	assert_true(node_exists(h, "zcrypt_3"));
}

static void test_destroy(void **state)
{
	struct apv_host *h = *state;
	int rc;

	assert_written(create(h, "one\n"), "one\n");
	assert_written(create(h, "two\n"), "two\n");
	assert_written(destroy(h, "one\n"), "one\n");
	assert_false(node_exists(h, "one"));
	rd(h, "one", "dev", &rc);
	assert_int_equal(rc, -ENOENT);
	assert_int_equal(destroy(h, "one\n"), -ENOENT);
	assert_int_equal(apv_reason_last()->rule, APV_RULE_NO_DEVICE);
	assert_int_equal(destroy(h, "\n"), -ENOENT);
	assert_int_equal(destroy(h, "nosuch"), -ENOENT);
	/* the freed minor 1 is reused, minor 2 is still "two" */
	assert_written(create(h, "three\n"), "three\n");
	assert_attr(h, "three", "dev", "240:1\n");
	assert_attr(h, "two", "dev", "240:2\n");
	/* destroy is write-only too */
	{
		struct apv_obj o = apv_obj_zcrypt();
		struct apv_strbuf sb = APV_STRBUF_INIT;

		assert_int_equal(apv_attr_read(h, &o, "destroy", &sb), -EACCES);
	}
}

static void test_automatic_name_taken(void **state)
{
	struct apv_host *h = *state;

	/* an explicit node named like the automatic name of minor 2 */
	assert_written(create(h, "zcrypt_2\n"), "zcrypt_2\n");
	assert_attr(h, "zcrypt_2", "dev", "240:1\n");
	assert_int_equal(create(h, "\n\n"), -EEXIST);
	/* once it is gone the automatic name is free again */
	assert_written(destroy(h, "zcrypt_2\n"), "zcrypt_2\n");
	assert_written(create(h, "\n\n"), "\n\n");
	assert_attr(h, "zcrypt_1", "dev", "240:1\n");
}

static void test_node_limit(void **state)
{
	struct apv_host *h = *state;
	char name[32];

	for (unsigned int i = 0; i < APV_ZCDN_MAX; i++) {
		snprintf(name, sizeof(name), "n%u\n", i);
		assert_written(create(h, name), name);
	}
	assert_attr(h, "n255", "dev", "240:256\n");
	assert_int_equal(create(h, "more\n"), -ENOSPC);
	assert_int_equal(create(h, "\n\n"), -ENOSPC);
	assert_written(destroy(h, "n7\n"), "n7\n");
	assert_written(create(h, "more\n"), "more\n");
	assert_attr(h, "more", "dev", "240:8\n");
}

/* ---- masks ------------------------------------------------------------- */

static void test_masks_relative_like_zcryptctl(void **state)
{
	struct apv_host *h = *state;
	struct apv_obj o = apv_obj_zcdn("node");

	assert_written(create(h, "node\n"), "node\n");
	/* zcryptctl addap node 5; adddom node 0x47 */
	assert_written(wr(h, o, "apmask", "+5\n"), "+5\n");
	assert_attr(h, "node", "apmask",
		    "0x0400000000000000000000000000000000000000000000000000000"
		    "000000000\n");
	assert_written(wr(h, o, "aqmask", "+0x47\n"), "+0x47\n");
	assert_attr(h, "node", "aqmask",
		    "0x0000000000000000010000000000000000000000000000000000000"
		    "000000000\n");
	/* relative edits keep the other bits; leading 0 is octal */
	assert_written(wr(h, o, "apmask", "+010,-5\n"), "+010,-5\n");
	assert_attr(h, "node", "apmask",
		    "0x0080000000000000000000000000000000000000000000000000000"
		    "000000000\n");
	/* ranges */
	assert_written(wr(h, o, "admask", "+0-7"), "+0-7");
	assert_attr(h, "node", "admask",
		    "0xff00000000000000000000000000000000000000000000000000000"
		    "000000000\n");
	/* ioctlmask: ZSECSENDCPRB is 129 */
	assert_written(wr(h, o, "ioctlmask", "+129\n"), "+129\n");
	assert_attr(h, "node", "ioctlmask",
		    "0x0000000000000000000000000000000040000000000000000000000"
		    "000000000\n");
	assert_written(wr(h, o, "ioctlmask", "-129\n"), "-129\n");
	assert_attr(h, "node", "ioctlmask", ZERO_MASK);
}

static void test_masks_all_like_zcryptctl(void **state)
{
	struct apv_host *h = *state;
	struct apv_obj o = apv_obj_zcdn("node");
	char v[16];

	assert_written(create(h, "node\n"), "node\n");
	/* "ALL": 256 separate writes +0 .. +255 */
	for (int i = 0; i < 256; i++) {
		snprintf(v, sizeof(v), "+%d\n", i);
		assert_written(wr(h, o, "aqmask", v), v);
	}
	assert_attr(h, "node", "aqmask", FULL_MASK);
	for (int i = 0; i < 256; i++) {
		snprintf(v, sizeof(v), "-%d\n", i);
		assert_written(wr(h, o, "aqmask", v), v);
	}
	assert_attr(h, "node", "aqmask", ZERO_MASK);
}

static void test_masks_absolute_and_errors(void **state)
{
	struct apv_host *h = *state;
	struct apv_obj o = apv_obj_zcdn("node");
	const char *old;
	int rc;

	assert_written(create(h, "node\n"), "node\n");
	assert_written(wr(h, o, "apmask", "0xf0\n"), "0xf0\n");
	assert_attr(h, "node", "apmask",
		    "0xf000000000000000000000000000000000000000000000000000000"
		    "000000000\n");
	assert_written(wr(h, o, "apmask", FULL_MASK), FULL_MASK);
	assert_attr(h, "node", "apmask", FULL_MASK);
	/* a bare newline clears */
	assert_written(wr(h, o, "apmask", "\n"), "\n");
	assert_attr(h, "node", "apmask", ZERO_MASK);

	assert_written(wr(h, o, "apmask", "+1"), "+1");
	old = "0x4000000000000000000000000000000000000000000000000000000000"
	      "000000\n";
	/* the bus parser's errors; the mask is unchanged */
	assert_int_equal(wr(h, o, "apmask", "0X12"), -EINVAL);
	assert_int_equal(apv_reason_last()->rule, APV_RULE_SYNTAX);
	assert_non_null(strstr(apv_reason_last()->msg,
			       "devices/virtual/zcrypt/node/apmask"));
	assert_int_equal(wr(h, o, "apmask", "+256"), -EINVAL);
	assert_int_equal(wr(h, o, "apmask", "+5-3"), -EINVAL);
	assert_int_equal(wr(h, o, "apmask", "+1 "), -EINVAL);
	assert_int_equal(wr(h, o, "apmask", "zz"), -EINVAL);
	assert_string_equal(rd(h, "node", "apmask", &rc), old);
	/* dev is read-only; an empty write succeeds without a store */
	assert_int_equal(wr(h, o, "dev", "1:1"), -EACCES);
	assert_written(wr(h, o, "apmask", ""), "");
	assert_string_equal(rd(h, "node", "apmask", &rc), old);
}

static void test_masks_do_not_touch_the_bus(void **state)
{
	struct apv_host *h = *state;
	struct apv_obj o = apv_obj_zcdn("node");
	struct apv_bitmap ap0, aq0, ap1, aq1;

	apv_bus_masks(h, &ap0, &aq0);
	assert_written(create(h, "node\n"), "node\n");
	assert_written(wr(h, o, "apmask", "0x0f"), "0x0f");
	assert_written(wr(h, o, "aqmask", "0x0f"), "0x0f");
	apv_bus_masks(h, &ap1, &aq1);
	assert_true(apv_bm_equal(&ap0, &ap1));
	assert_true(apv_bm_equal(&aq0, &aq1));
}

static void test_uevent_store(void **state)
{
	struct apv_host *h = *state;
	struct apv_obj o = apv_obj_zcdn("node");

	assert_written(create(h, "node\n"), "node\n");
	assert_written(wr(h, o, "uevent", "change\n"), "change\n");
	assert_written(wr(h, o, "uevent", "add"), "add");
	assert_int_equal(wr(h, o, "uevent", "explode\n"), -EINVAL);
	assert_int_equal(wr(h, o, "uevent", "\n"), -EINVAL);
}

/* ---- the query API ------------------------------------------------------ */

static void test_list_and_get(void **state)
{
	struct apv_host *h = *state;
	struct apv_zcdn_info *v = NULL, zi;
	struct apv_obj o = apv_obj_zcdn("bbb");
	size_t n = 99;

	assert_int_equal(apv_zcdn_list(h, &v, &n), 0);
	assert_null(v);
	assert_int_equal(n, 0u);

	assert_written(create(h, "bbb\n"), "bbb\n");
	assert_written(create(h, "\n\n"), "\n\n");
	assert_written(create(h, "aaa\n"), "aaa\n");
	assert_written(destroy(h, "bbb\n"), "bbb\n");
	assert_written(create(h, "bbb\n"), "bbb\n");
	assert_written(wr(h, o, "apmask", "+4"), "+4");

	assert_int_equal(apv_zcdn_list(h, &v, &n), 0);
	assert_int_equal(n, 3u);
	/* by minor: bbb got minor 1 back */
	assert_string_equal(v[0].name, "bbb");
	assert_int_equal(v[0].major, APV_ZCDN_MAJOR);
	assert_int_equal(v[0].minor, 1);
	assert_true(apv_bm_test(&v[0].apmask, 4));
	assert_int_equal(apv_bm_count(&v[0].apmask), 1);
	assert_string_equal(v[1].name, "zcrypt_2");
	assert_int_equal(v[1].minor, 2);
	assert_string_equal(v[2].name, "aaa");
	assert_int_equal(v[2].minor, 3);
	free(v);

	assert_int_equal(apv_zcdn_get(h, "aaa", &zi), 0);
	assert_int_equal(zi.minor, 3);
	assert_int_equal(apv_zcdn_get(h, "nope", &zi), -ENOENT);
}

static void test_api_create_destroy(void **state)
{
	struct apv_host *h = *state;
	struct apv_zcdn_info zi;
	struct apv_obj o;
	int rc;

	assert_int_equal(apv_zcdn_create(h, "", &zi), 0);
	assert_string_equal(zi.name, "zcrypt_1");
	assert_int_equal(apv_zcdn_create(h, NULL, &zi), 0);
	assert_string_equal(zi.name, "zcrypt_2");
	assert_int_equal(apv_zcdn_create(h, "x", NULL), 0);
	assert_int_equal(apv_zcdn_create(h, "x", NULL), -EEXIST);
	/* the API does not trim: the text layer does */
	assert_int_equal(apv_zcdn_create(h, "x\n", NULL), -EINVAL);
	assert_int_equal(apv_zcdn_destroy(h, "x"), 0);
	assert_int_equal(apv_zcdn_destroy(h, "x"), -ENOENT);
	assert_int_equal(apv_zcdn_destroy(h, NULL), -ENOENT);
	/* a name too long for an object names nothing */
	o = apv_obj_zcdn("abcdefghijklmnopqrstuvwxyz");
	assert_string_equal(o.driver, "");
	assert_int_equal(apv_attr_read(h, &o, "dev",
				       &(struct apv_strbuf)APV_STRBUF_INIT),
			 -ENOENT);
	rd(h, "zcrypt_1", "dev", &rc);
	assert_int_equal(rc, 0);
}

static void test_nodes_are_per_host(void **state)
{
	struct apv_host *h = *state, *h2 = NULL;
	struct apv_preset p;

	assert_written(create(h, "only_here\n"), "only_here\n");
	assert_int_equal(apv_preset_init(&p, "default"), 0);
	p.cfg.kernel = APV_KERNEL_6_1;
	assert_int_equal(apv_host_new(&p.cfg, &h2), 0);
	assert_false(node_exists(h2, "only_here"));
	/* the class exists on 6.1 as well */
	assert_written(create(h2, "\n\n"), "\n\n");
	assert_true(node_exists(h2, "zcrypt_1"));
	apv_host_free(h2);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_class_files),
		T(test_create_named),
		T(test_create_automatic),
		T(test_create_trims_white_space),
		T(test_create_errors),
		T(test_destroy),
		T(test_automatic_name_taken),
		T(test_node_limit),
		T(test_masks_relative_like_zcryptctl),
		T(test_masks_all_like_zcryptctl),
		T(test_masks_absolute_and_errors),
		T(test_masks_do_not_touch_the_bus),
		T(test_uevent_store),
		T(test_list_and_get),
		T(test_api_create_destroy),
		T(test_nodes_are_per_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
