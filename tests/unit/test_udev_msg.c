// SPDX-License-Identifier: MIT
/*
 * Unit tests for apsim's udev messages (src/sim/uevent/udev_msg.c,
 * udev_build.c; ci-integration.md §4): MurmurHash2 against published and
 * hand-computed vectors, the 40-byte header byte by byte, the properties
 * of one event of each kind with the driver core's DRIVER rules, the
 * kernel's change variables, SYNTH_UUID, and the size bound; the ring
 * (udev_events.c) against a real host: keys from the uevent files, the
 * remove of a gone device, drops when the sender is a ring behind, the
 * cursor and lost count of readers.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <apvirt/attr.h>
#include <apvirt/bitmap.h>
#include <apvirt/devev.h>
#include <apvirt/host.h>
#include <apvirt/preset.h>
#include <apvirt/vfio_ap.h>

#include "udev_events.h"
#include "udev_msg.h"

static void test_murmur2(void **state)
{
	(void)state;
	/* published MurmurHash2 vectors (seed 0) and hand-computed ones */
	assert_int_equal(apsim_murmur2("", 0, 0), 0);
	assert_int_equal(apsim_murmur2("a", 1, 0), 0x92685f5eu);
	assert_int_equal(apsim_murmur2("ab", 2, 0), 0x1aa14063u);
	assert_int_equal(apsim_murmur2("abc", 3, 0), 0x13577c9bu);
	assert_int_equal(apsim_murmur2("abcd", 4, 0), 0x26873021u);
	assert_int_equal(apsim_murmur2("mdev", 4, 0), 0xbb5211c7u);
	assert_int_equal(apsim_murmur2("ap", 2, 0), 0xf026bf09u);
	assert_int_equal(apsim_murmur2("ap_card", 7, 0), 0xad29a260u);
	assert_int_equal(apsim_murmur2("ap_queue", 8, 0), 0x704b18d2u);
	assert_int_equal(apsim_murmur2("matrix", 6, 0), 0x9f470338u);
	assert_int_equal(apsim_murmur2("zcrypt", 6, 0), 0xc9fae52du);
}

static uint32_t at32(const struct apsim_udev_msg *m, size_t off)
{
	uint32_t v;

	memcpy(&v, m->buf + off, 4);
	return v;
}

static void test_header_layout(void **state)
{
	static const char props[] = "ACTION=add\0DEVPATH=/d\0SUBSYSTEM=mdev\0"
				    "SEQNUM=1";
	struct apsim_udev_msg m;
	static const uint8_t head[12] = {'l', 'i', 'b',	 'u',  'd',  'e',
					 'v', 0,   0xfe, 0xed, 0xca, 0xfe};

	(void)state;
	apsim_udev_msg_init(&m);
	assert_int_equal(m.len, 40);
	assert_int_equal(apsim_udev_msg_add(&m, "ACTION", "add"), 0);
	assert_int_equal(apsim_udev_msg_add(&m, "DEVPATH", "/d"), 0);
	assert_int_equal(apsim_udev_msg_add(&m, "SUBSYSTEM", "mdev"), 0);
	assert_int_equal(apsim_udev_msg_addf(&m, "SEQNUM", "%d", 1), 0);
	apsim_udev_msg_finish(&m, "mdev", NULL);
	assert_int_equal(m.len, 40 + sizeof(props));
	assert_memory_equal(m.buf, head, sizeof(head));
	assert_int_equal(at32(&m, 12), 40);	       /* header size */
	assert_int_equal(at32(&m, 16), 40);	       /* properties offset */
	assert_int_equal(at32(&m, 20), sizeof(props)); /* with the last NUL */
	/* MurmurHash2("mdev") = 0xbb5211c7, big-endian on the wire */
	assert_int_equal(m.buf[24], 0xbb);
	assert_int_equal(m.buf[25], 0x52);
	assert_int_equal(m.buf[26], 0x11);
	assert_int_equal(m.buf[27], 0xc7);
	assert_int_equal(at32(&m, 28), 0); /* no devtype */
	assert_int_equal(at32(&m, 32), 0); /* tag bloom */
	assert_int_equal(at32(&m, 36), 0);
	assert_memory_equal(m.buf + 40, props, sizeof(props));
	assert_string_equal(apsim_udev_msg_get(&m, "SUBSYSTEM"), "mdev");
	assert_null(apsim_udev_msg_get(&m, "DRIVER"));

	apsim_udev_msg_finish(&m, "ap", "ap_card");
	assert_int_equal(ntohl(at32(&m, 28)), 0xad29a260u);
	assert_int_equal(ntohl(at32(&m, 24)), 0xf026bf09u);
}

static void test_too_big(void **state)
{
	struct apsim_udev_msg m;
	char v[400];
	int i;

	(void)state;
	memset(v, 'x', sizeof(v) - 1);
	v[sizeof(v) - 1] = '\0';
	apsim_udev_msg_init(&m);
	for (i = 0; i < 10; i++)
		if (apsim_udev_msg_add(&m, "K", v))
			break;
	assert_int_equal(i, 3); /* 40 + 3 * 402 fits, a fourth does not */
	assert_int_equal(m.len, 40 + 3 * 402);
	assert_int_equal(apsim_udev_msg_add(&m, "K", v), -E2BIG);
}

/* The properties as one string with '|' for the NULs. */
static const char *props(const struct apsim_udev_msg *m)
{
	static char out[APSIM_UDEV_MSG_MAX];
	size_t n = m->len - 40;

	memcpy(out, m->buf + 40, n);
	for (size_t i = 0; i < n; i++)
		if (!out[i])
			out[i] = '|';
	out[n ? n - 1 : 0] = '\0';
	return out;
}

static const char card_keys[] = "DEVTYPE=ap_card\nDRIVER=cex4card\n"
				"DEV_TYPE=000D\nMODALIAS=ap:t0D\nMODE=cca\n";

static void test_card_events(void **state)
{
	struct apsim_udev_msg m;
	struct apv_devev ev = {.action = APV_DEVEV_ADD,
			       .kind = APV_DEVEV_CARD,
			       .name = "card05",
			       .apid = 5};

	(void)state;
	/* add: before the probe, no DRIVER */
	assert_int_equal(apsim_udev_build(&m, &ev, card_keys, 7, 99), 0);
	assert_string_equal(props(&m),
			    "ACTION=add|DEVPATH=/devices/ap/card05|"
			    "SUBSYSTEM=ap|DEVTYPE=ap_card|DEV_TYPE=000D|"
			    "MODALIAS=ap:t0D|MODE=cca|SEQNUM=7|"
			    "USEC_INITIALIZED=99");
	assert_int_equal(ntohl(at32(&m, 28)), 0xad29a260u);
	/* bind: the new driver */
	ev.action = APV_DEVEV_BIND;
	ev.driver = "cex4card";
	assert_int_equal(apsim_udev_build(&m, &ev, card_keys, 8, 99), 0);
	assert_string_equal(props(&m),
			    "ACTION=bind|DEVPATH=/devices/ap/card05|"
			    "SUBSYSTEM=ap|DEVTYPE=ap_card|DRIVER=cex4card|"
			    "DEV_TYPE=000D|MODALIAS=ap:t0D|MODE=cca|SEQNUM=8|"
			    "USEC_INITIALIZED=99");
	/* change CONFIG=0: the current driver and the variable */
	ev.action = APV_DEVEV_CHANGE;
	ev.change = APV_DEVCHG_CONFIG;
	ev.value = 0;
	assert_int_equal(apsim_udev_build(&m, &ev, card_keys, 9, 99), 0);
	assert_string_equal(props(&m),
			    "ACTION=change|DEVPATH=/devices/ap/card05|"
			    "SUBSYSTEM=ap|DEVTYPE=ap_card|DRIVER=cex4card|"
			    "DEV_TYPE=000D|MODALIAS=ap:t0D|MODE=cca|CONFIG=0|"
			    "SEQNUM=9|USEC_INITIALIZED=99");
	/* unbind: the driver let go */
	ev.action = APV_DEVEV_UNBIND;
	ev.change = APV_DEVCHG_NONE;
	assert_int_equal(apsim_udev_build(&m, &ev, card_keys, 10, 99), 0);
	assert_null(apsim_udev_msg_get(&m, "DRIVER"));
	assert_string_equal(apsim_udev_msg_get(&m, "ACTION"), "unbind");
}

static void test_queue_mdev_bus(void **state)
{
	struct apsim_udev_msg m;
	struct apv_bitmap mask;
	struct apv_devev ev = {.action = APV_DEVEV_CHANGE,
			       .kind = APV_DEVEV_QUEUE,
			       .change = APV_DEVCHG_ONLINE,
			       .value = 1,
			       .apid = 5,
			       .apqi = 4};

	(void)state;
	assert_int_equal(apsim_udev_build(&m, &ev,
					  "DEVTYPE=ap_queue\nDRIVER=cex4queue\n"
					  "MODE=cca\n",
					  1, 2),
			 0);
	assert_string_equal(props(&m),
			    "ACTION=change|DEVPATH=/devices/ap/card05/05.0004|"
			    "SUBSYSTEM=ap|DEVTYPE=ap_queue|DRIVER=cex4queue|"
			    "MODE=cca|ONLINE=1|SEQNUM=1|USEC_INITIALIZED=2");

	ev = (struct apv_devev){.action = APV_DEVEV_REMOVE,
				.kind = APV_DEVEV_MDEV,
				.name = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"};
	assert_int_equal(apsim_udev_build(&m, &ev,
					  "DRIVER=vfio_ap_mdev\n"
					  "MDEV_TYPE=passthrough\n",
					  3, 4),
			 0);
	assert_string_equal(props(&m),
			    "ACTION=remove|DEVPATH=/devices/vfio_ap/matrix/"
			    "1b4e28ba-2fa1-11d2-883f-0016d3cca427|"
			    "SUBSYSTEM=mdev|MDEV_TYPE=passthrough|SEQNUM=3|"
			    "USEC_INITIALIZED=4");

	ev = (struct apv_devev){.action = APV_DEVEV_CHANGE,
				.kind = APV_DEVEV_MATRIX,
				.name = "matrix",
				.change = APV_DEVCHG_REGISTERED};
	assert_int_equal(apsim_udev_build(&m, &ev, "DRIVER=vfio_ap\n", 5, 6),
			 0);
	assert_string_equal(props(&m), "ACTION=change|DEVPATH=/devices/vfio_ap/"
				       "matrix|SUBSYSTEM=matrix|DRIVER=vfio_ap|"
				       "MDEV_STATE=registered|SEQNUM=5|"
				       "USEC_INITIALIZED=6");

	apv_bm_zero(&mask);
	apv_bm_set(&mask, 0);
	ev = (struct apv_devev){.action = APV_DEVEV_CHANGE,
				.kind = APV_DEVEV_BUS,
				.name = "ap",
				.change = APV_DEVCHG_APMASK,
				.mask = &mask};
	assert_int_equal(apsim_udev_build(&m, &ev, "", 6, 7), 0);
	/* the kernel's value keeps its newline */
	assert_string_equal(
		apsim_udev_msg_get(&m, "APMASK"),
		"0x8000000000000000000000000000000000000000000000000"
		"000000000000000\n");
	assert_string_equal(apsim_udev_msg_get(&m, "DEVPATH"), "/devices/ap");
	ev.change = APV_DEVCHG_BINDINGS;
	ev.value = 3;
	assert_int_equal(apsim_udev_build(&m, &ev, "", 7, 7), 0);
	assert_string_equal(apsim_udev_msg_get(&m, "BINDINGS"), "complete");
	assert_string_equal(apsim_udev_msg_get(&m, "COMPLETECOUNT"), "3");
	ev.change = APV_DEVCHG_INITSCAN;
	assert_int_equal(apsim_udev_build(&m, &ev, "", 8, 7), 0);
	assert_string_equal(apsim_udev_msg_get(&m, "INITSCAN"), "done");

	ev = (struct apv_devev){.action = APV_DEVEV_ADD,
				.kind = APV_DEVEV_ZCDN,
				.name = "zcdn_a"};
	assert_int_equal(
		apsim_udev_build(&m, &ev,
				 "MAJOR=241\nMINOR=1\nDEVNAME=zcdn_a\n", 9, 7),
		0);
	assert_string_equal(props(&m),
			    "ACTION=add|DEVPATH=/devices/virtual/zcrypt/zcdn_a|"
			    "SUBSYSTEM=zcrypt|MAJOR=241|MINOR=1|DEVNAME=zcdn_a|"
			    "SEQNUM=9|USEC_INITIALIZED=7");
}

static void test_synthetic(void **state)
{
	struct apsim_udev_msg m;
	struct apv_devev ev = {.action = APV_DEVEV_ADD,
			       .kind = APV_DEVEV_CARD,
			       .name = "card05",
			       .apid = 5,
			       .driver = "cex4card",
			       .synthetic = true,
			       .synth_uuid =
				       "1b4e28ba-2fa1-11d2-883f-0016d3cca427"};

	(void)state;
	/* a synthetic add carries the current driver (the device is bound) */
	assert_int_equal(apsim_udev_build(&m, &ev, card_keys, 11, 12), 0);
	assert_string_equal(props(&m),
			    "ACTION=add|DEVPATH=/devices/ap/card05|"
			    "SUBSYSTEM=ap|DEVTYPE=ap_card|DRIVER=cex4card|"
			    "DEV_TYPE=000D|MODALIAS=ap:t0D|MODE=cca|"
			    "SYNTH_UUID=1b4e28ba-2fa1-11d2-883f-0016d3cca427|"
			    "SEQNUM=11|USEC_INITIALIZED=12");
	ev.action = APV_DEVEV_MOVE;
	ev.synth_uuid = NULL;
	assert_int_equal(apsim_udev_build(&m, &ev, card_keys, 13, 12), 0);
	assert_string_equal(apsim_udev_msg_get(&m, "ACTION"), "move");
	assert_null(apsim_udev_msg_get(&m, "SYNTH_UUID"));
}

static void test_synthetic_args(void **state)
{
	struct apsim_udev_msg m;
	struct apv_devev ev = {.action = APV_DEVEV_CHANGE,
			       .kind = APV_DEVEV_MATRIX,
			       .name = "matrix",
			       .synthetic = true,
			       .synth_uuid = "0",
			       .synth_args = "A=1 BB=x y"};

	(void)state;
	assert_int_equal(apsim_udev_build(&m, &ev, "DRIVER=vfio_ap\n", 1, 2),
			 0);
	assert_string_equal(props(&m),
			    "ACTION=change|DEVPATH=/devices/vfio_ap/matrix|"
			    "SUBSYSTEM=matrix|DRIVER=vfio_ap|SYNTH_UUID=0|"
			    "SYNTH_ARG_A=1|SYNTH_ARG_BB=x|SEQNUM=1|"
			    "USEC_INITIALIZED=2");
}

struct seen {
	unsigned int n;
	char first[256], last[256];
};

static void collect(void *ctx, uint64_t cursor, const struct apsim_udev_msg *m)
{
	struct seen *s = ctx;
	char *dst = s->n ? s->last : s->first;

	(void)cursor;
	snprintf(dst, 256, "%s %s %s", apsim_udev_msg_get(m, "ACTION"),
		 apsim_udev_msg_get(m, "DEVPATH"),
		 apsim_udev_msg_get(m, "SEQNUM"));
	if (!s->n)
		strcpy(s->last, s->first);
	s->n++;
}

static void test_ring_on_a_host(void **state)
{
	struct apsim_udev *u;
	struct apsim_udev_stats st;
	struct apv_preset p;
	struct apv_host *h;
	struct seen seen = {0};
	uint8_t uuid[16] = {0x1b, 0x4e, 0x28, 0xba};
	uint64_t lost, next, boot;

	(void)state;
	assert_int_equal(apsim_udev_new(&u), 0);
	assert_ptr_equal(apsim_udev_current(), u);
	assert_int_equal(apv_preset_init(&p, "default"), 0);
	p.cfg.devev = apsim_udev_listener;
	p.cfg.devev_opaque = u;
	assert_int_equal(apv_host_new(&p.cfg, &h), 0);
	/* no sender yet: the boot's events wait on the ring */
	apsim_udev_get_stats(u, &st);
	boot = st.queued;
	assert_true(boot > 0);
	assert_int_equal(st.sent, 0);
	assert_int_equal(st.dropped, 0);
	assert_false(st.netlink);
	/* create/remove until the ring is full and beyond: 4 events each */
	for (unsigned int i = 0; i < APSIM_UDEV_RING / 4 + 10; i++) {
		uuid[15] = (uint8_t)i;
		uuid[14] = (uint8_t)(i >> 8);
		assert_int_equal(apv_mdev_create(h, uuid), 0);
		assert_int_equal(apv_mdev_remove(h, uuid), 0);
	}
	apsim_udev_get_stats(u, &st);
	assert_int_equal(st.queued, APSIM_UDEV_RING);
	assert_int_equal(st.dropped, boot + 4 * (APSIM_UDEV_RING / 4 + 10) -
					     APSIM_UDEV_RING);
	assert_int_equal(st.seqnum, st.queued + st.dropped);
	/* nothing sent: nothing to read */
	assert_int_equal(apsim_udev_read(u, 0, 10, collect, &seen, &lost), 0);
	assert_int_equal(seen.n, 0);
	/* the sender (no netlink) catches up */
	assert_int_equal(apsim_udev_start(u, false), 0);
	for (int i = 0; i < 1000; i++) {
		apsim_udev_get_stats(u, &st);
		if (st.sent == st.queued)
			break;
		usleep(1000);
	}
	assert_int_equal(st.sent, APSIM_UDEV_RING);
	next = apsim_udev_read(u, 0, APSIM_UDEV_RING, collect, &seen, &lost);
	assert_int_equal(next, APSIM_UDEV_RING);
	assert_int_equal(lost, 0);
	assert_int_equal(seen.n, APSIM_UDEV_RING);
	assert_string_equal(seen.first, "add /devices/ap/card04 1");
	/* one more create: the ring moves on, a reader at 0 lost one */
	uuid[0] = 0xff;
	uuid[14] = uuid[15] = 0;
	assert_int_equal(apv_mdev_create(h, uuid), 0);
	for (int i = 0; i < 1000; i++) {
		apsim_udev_get_stats(u, &st);
		if (st.sent == st.queued)
			break;
		usleep(1000);
	}
	memset(&seen, 0, sizeof(seen));
	next = apsim_udev_read(u, 0, APSIM_UDEV_RING, collect, &seen, &lost);
	assert_int_equal(lost, 2);
	assert_int_equal(next, APSIM_UDEV_RING + 2);
	assert_int_equal(seen.n, APSIM_UDEV_RING);
	assert_int_equal(strncmp(seen.last,
				 "bind /devices/vfio_ap/matrix/"
				 "ff4e28ba-0000-0000-0000-000000000000 ",
				 66),
			 0);
	apv_host_free(h);
	apsim_udev_free(u);
	assert_null(apsim_udev_current());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_murmur2),
		cmocka_unit_test(test_header_layout),
		cmocka_unit_test(test_too_big),
		cmocka_unit_test(test_card_events),
		cmocka_unit_test(test_queue_mdev_bus),
		cmocka_unit_test(test_synthetic),
		cmocka_unit_test(test_synthetic_args),
		cmocka_unit_test(test_ring_on_a_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
