// SPDX-License-Identifier: MIT
/*
 * A raw libudev-monitor listener for tests/integration/udev.sh and
 * hosts8.sh (ci-integration.md §4), without libudev: it joins
 * NETLINK_KOBJECT_UEVENT group 2 and checks every message as libudev's
 * monitor would -- the "libudev" prefix, magic 0xfeedcafe (network order),
 * header size and properties offset 40, the properties length, the
 * MurmurHash2 of SUBSYSTEM and DEVTYPE (its own implementation, from the
 * published algorithm), the sender's credentials (uid 0) -- and that
 * SEQNUM increases.
 *
 *   udev-listen [-n COUNT] [-t SECONDS] [-r READY-FILE] [-p]
 *       print "ACTION DEVPATH" per message (-p: every property, then a
 *       blank line) until COUNT messages or SECONDS of silence; exit 1 on
 *       the first bad message
 *   udev-listen -s SECONDS [-r READY-FILE]
 *       join the group and never read (a stuck listener), for SECONDS
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static uint32_t mm2(const char *s)
{
	const uint32_t m = 0x5bd1e995u;
	size_t len = strlen(s);
	const unsigned char *p = (const unsigned char *)s;
	uint32_t h = (uint32_t)len;

	while (len >= 4) {
		uint32_t k;

		memcpy(&k, p, 4);
		k *= m;
		k ^= k >> 24;
		k *= m;
		h = h * m ^ k;
		p += 4;
		len -= 4;
	}
	if (len == 3)
		h ^= (uint32_t)p[2] << 16;
	if (len >= 2)
		h ^= (uint32_t)p[1] << 8;
	if (len >= 1) {
		h ^= p[0];
		h *= m;
	}
	h ^= h >> 13;
	h *= m;
	return h ^ (h >> 15);
}

static int bad(const char *what)
{
	fprintf(stderr, "udev-listen: bad message: %s\n", what);
	return 1;
}

static const char *prop(const char *props, size_t len, const char *key)
{
	size_t kl = strlen(key);

	for (size_t i = 0; i < len;) {
		const char *s = props + i;
		size_t n = strnlen(s, len - i);

		if (n > kl && !memcmp(s, key, kl) && s[kl] == '=')
			return s + kl + 1;
		i += n + 1;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = 2};
	const char *ready = NULL;
	long count = -1, timeout = 5, stuck = -1;
	unsigned long long last = 0;
	bool all = false;
	int fd, on = 1, c;
	static char buf[8192];

	while ((c = getopt(argc, argv, "n:t:r:ps:")) != -1) {
		switch (c) {
		case 'n':
			count = atol(optarg);
			break;
		case 't':
			timeout = atol(optarg);
			break;
		case 'r':
			ready = optarg;
			break;
		case 'p':
			all = true;
			break;
		case 's':
			stuck = atol(optarg);
			break;
		default:
			return 2;
		}
	}
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
		    NETLINK_KOBJECT_UEVENT);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on))) {
		perror("udev-listen: netlink");
		return 2;
	}
	if (stuck >= 0) {
		int small = 4096;

		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	}
	if (ready) {
		int r = open(ready, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

		if (r >= 0)
			close(r);
	}
	if (stuck >= 0) {
		sleep((unsigned int)stuck);
		return 0;
	}
	for (long got = 0; count < 0 || got < count; got++) {
		struct pollfd pfd = {fd, POLLIN, 0};
		char cbuf[CMSG_SPACE(sizeof(struct ucred))];
		struct sockaddr_nl from;
		struct iovec iov = {buf, sizeof(buf) - 1};
		struct msghdr mh = {.msg_name = &from,
				    .msg_namelen = sizeof(from),
				    .msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = cbuf,
				    .msg_controllen = sizeof(cbuf)};
		struct cmsghdr *cm;
		uint32_t v[8];
		const char *props, *sub, *dt, *seq;
		unsigned long long s;
		ssize_t n;

		if (poll(&pfd, 1, (int)timeout * 1000) <= 0)
			break;
		n = recvmsg(fd, &mh, 0);
		if (n < 0) {
			if (errno == ENOBUFS) {
				fprintf(stderr, "udev-listen: ENOBUFS\n");
				continue;
			}
			perror("udev-listen: recvmsg");
			return 2;
		}
		cm = CMSG_FIRSTHDR(&mh);
		if (!cm || cm->cmsg_type != SCM_CREDENTIALS ||
		    ((struct ucred *)CMSG_DATA(cm))->uid != 0)
			return bad("sender is not uid 0");
		if (from.nl_groups != 2)
			return bad("not from group 2");
		if (n < 40 || memcmp(buf, "libudev", 8))
			return bad("prefix");
		memcpy(v, buf + 8, sizeof(v));
		if (ntohl(v[0]) != 0xfeedcafeu)
			return bad("magic");
		if (v[1] != 40 || v[2] != 40)
			return bad("header size / properties offset");
		if (v[3] != (uint32_t)n - 40)
			return bad("properties length");
		if (v[6] || v[7])
			return bad("tag bloom");
		props = buf + 40;
		buf[n] = '\0';
		sub = prop(props, (size_t)n - 40, "SUBSYSTEM");
		dt = prop(props, (size_t)n - 40, "DEVTYPE");
		seq = prop(props, (size_t)n - 40, "SEQNUM");
		if (!sub || !prop(props, (size_t)n - 40, "ACTION") ||
		    !prop(props, (size_t)n - 40, "DEVPATH") || !seq ||
		    !prop(props, (size_t)n - 40, "USEC_INITIALIZED"))
			return bad("missing ACTION/DEVPATH/SUBSYSTEM/SEQNUM");
		if (ntohl(v[4]) != mm2(sub))
			return bad("subsystem hash");
		if (ntohl(v[5]) != (dt ? mm2(dt) : 0))
			return bad("devtype hash");
		s = strtoull(seq, NULL, 10);
		if (s == 0 || s <= last)
			return bad("SEQNUM does not increase");
		last = s;
		if (all) {
			for (size_t i = 0; i < (size_t)n - 40;) {
				printf("%s\n", props + i);
				i += strlen(props + i) + 1;
			}
			printf("\n");
		} else {
			printf("%s %s\n", prop(props, (size_t)n - 40, "ACTION"),
			       prop(props, (size_t)n - 40, "DEVPATH"));
		}
		fflush(stdout);
	}
	return 0;
}
