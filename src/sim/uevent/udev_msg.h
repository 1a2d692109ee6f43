/* SPDX-License-Identifier: MIT */
/*
 * The libudev monitor message (ci-integration.md §4): what systemd-udevd
 * broadcasts on NETLINK_KOBJECT_UEVENT multicast group 2 and libudev's
 * monitor accepts.  Pure: no I/O, no model; unit-tested against a
 * hand-computed byte layout (tests/unit/test_udev_msg.c).
 *
 *   bytes  0..7   "libudev" NUL-padded
 *          8..11  magic 0xfeedcafe, network byte order
 *         12..15  header size (40), host byte order
 *         16..19  properties offset (40), host byte order
 *         20..23  properties length, host byte order
 *         24..27  MurmurHash2(subsystem, seed 0), network byte order
 *         28..31  MurmurHash2(devtype, seed 0), network order; 0 without
 *         32..39  tag bloom filter (hi, lo): 0, every tag "may match"
 *         40..    KEY=value\0 ...
 */
#ifndef APSIM_UDEV_MSG_H
#define APSIM_UDEV_MSG_H

#include <stddef.h>
#include <stdint.h>

#define APSIM_UDEV_HDR_SIZE 40u
#define APSIM_UDEV_MAGIC 0xfeedcafeu
/* Largest message apsim builds (header + properties). */
#define APSIM_UDEV_MSG_MAX 1536u

struct apsim_udev_msg {
	size_t len; /* header + properties so far */
	uint8_t buf[APSIM_UDEV_MSG_MAX];
};

/*
 * MurmurHash2 (Austin Appleby, 32-bit): m = 0x5bd1e995, r = 24, h = seed ^
 * len; 4-byte blocks read in the machine's byte order (as libudev on the
 * same machine reads them), tail bytes, final avalanche.
 */
uint32_t apsim_murmur2(const void *key, size_t len, uint32_t seed);

/* An empty message: the header's room only. */
void apsim_udev_msg_init(struct apsim_udev_msg *m);

/* Append "key=value\0"; -E2BIG (message unchanged) when it does not fit. */
int apsim_udev_msg_add(struct apsim_udev_msg *m, const char *key,
		       const char *value);
int apsim_udev_msg_addf(struct apsim_udev_msg *m, const char *key,
			const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Fill the header (devtype NULL: no devtype hash). */
void apsim_udev_msg_finish(struct apsim_udev_msg *m, const char *subsystem,
			   const char *devtype);

/*
 * The value of key in the message's properties, or NULL (points into m;
 * the properties end at m->len).
 */
const char *apsim_udev_msg_get(const struct apsim_udev_msg *m, const char *key);

#endif /* APSIM_UDEV_MSG_H */
