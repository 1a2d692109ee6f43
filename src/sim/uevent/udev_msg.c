// SPDX-License-Identifier: MIT
/* The libudev monitor message (udev_msg.h, ci-integration.md §4). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "udev_msg.h"

uint32_t apsim_murmur2(const void *key, size_t len, uint32_t seed)
{
	const uint32_t m = 0x5bd1e995u;
	const unsigned int r = 24;
	const uint8_t *p = key;
	uint32_t h = seed ^ (uint32_t)len;

	for (; len >= 4; p += 4, len -= 4) {
		uint32_t k;

		memcpy(&k, p, 4); /* machine order, like the receiver */
		k *= m;
		k ^= k >> r;
		k *= m;
		h *= m;
		h ^= k;
	}
	switch (len) {
	case 3:
		h ^= (uint32_t)p[2] << 16;
		/* fall through */
	case 2:
		h ^= (uint32_t)p[1] << 8;
		/* fall through */
	case 1:
		h ^= p[0];
		h *= m;
		break;
	default:
		break;
	}
	h ^= h >> 13;
	h *= m;
	h ^= h >> 15;
	return h;
}

void apsim_udev_msg_init(struct apsim_udev_msg *m)
{
	memset(m->buf, 0, APSIM_UDEV_HDR_SIZE);
	m->len = APSIM_UDEV_HDR_SIZE;
}

static int add_kv(struct apsim_udev_msg *m, const char *key, size_t kl,
		  const char *value, size_t vl)
{
	if (m->len + kl + 1 + vl + 1 > sizeof(m->buf))
		return -E2BIG;
	memcpy(m->buf + m->len, key, kl);
	m->buf[m->len + kl] = '=';
	memcpy(m->buf + m->len + kl + 1, value, vl);
	m->buf[m->len + kl + 1 + vl] = '\0';
	m->len += kl + 1 + vl + 1;
	return 0;
}

int apsim_udev_msg_add(struct apsim_udev_msg *m, const char *key,
		       const char *value)
{
	return add_kv(m, key, strlen(key), value, strlen(value));
}

int apsim_udev_msg_addf(struct apsim_udev_msg *m, const char *key,
			const char *fmt, ...)
{
	char v[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(v))
		return -E2BIG;
	return add_kv(m, key, strlen(key), v, (size_t)n);
}

static void put32(uint8_t *at, uint32_t v)
{
	memcpy(at, &v, 4);
}

void apsim_udev_msg_finish(struct apsim_udev_msg *m, const char *subsystem,
			   const char *devtype)
{
	uint8_t *h = m->buf;

	memset(h, 0, APSIM_UDEV_HDR_SIZE);
	memcpy(h, "libudev", 8); /* with its NUL */
	put32(h + 8, htonl(APSIM_UDEV_MAGIC));
	put32(h + 12, APSIM_UDEV_HDR_SIZE);
	put32(h + 16, APSIM_UDEV_HDR_SIZE);
	put32(h + 20, (uint32_t)(m->len - APSIM_UDEV_HDR_SIZE));
	put32(h + 24,
	      htonl(subsystem ? apsim_murmur2(subsystem, strlen(subsystem), 0) :
				0));
	put32(h + 28,
	      htonl(devtype ? apsim_murmur2(devtype, strlen(devtype), 0) : 0));
	/* 32..39: the tag bloom filter, 0 */
}

const char *apsim_udev_msg_get(const struct apsim_udev_msg *m, const char *key)
{
	size_t kl = strlen(key);
	size_t i = APSIM_UDEV_HDR_SIZE;

	while (i < m->len) {
		const char *s = (const char *)m->buf + i;
		size_t n = strnlen(s, m->len - i);

		if (n > kl && !memcmp(s, key, kl) && s[kl] == '=')
			return s + kl + 1;
		i += n + 1;
	}
	return NULL;
}
