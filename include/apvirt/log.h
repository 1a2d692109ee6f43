/* SPDX-License-Identifier: MIT */
/*
 * The host's kernel log: a bounded ring of messages in the kernel's wording
 * (what `dmesg` would show on a real host), each with the device it was
 * logged against and, where it explains a refusal, the structured reason.
 */
#ifndef APVIRT_LOG_H
#define APVIRT_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <apvirt/reason.h>

enum apv_log_level {
	APV_LOG_ERR = 3,
	APV_LOG_WARNING = 4,
	APV_LOG_NOTICE = 5,
	APV_LOG_INFO = 6,
	APV_LOG_DEBUG = 7,
};

struct apv_log_entry {
	uint64_t seq;		/* 1, 2, 3, ... never reused */
	uint64_t time_ns;	/* host clock at logging time */
	enum apv_log_level level;
	char device[64];	/* e.g. "vfio_ap_mdev 4b0c...", "ap", "" */
	char text[200];		/* message text without the device prefix */
	enum apv_rule rule;	/* APV_RULE_NONE for plain messages */
	bool has_apqn;
	apv_apqn apqn;
	char owner[40];
};

#define APV_LOG_CAPACITY 4096

struct apv_host;

/*
 * Copy up to max entries with seq > since into out, oldest first.  Returns
 * the number copied.  Entries older than the ring's capacity are gone.
 */
size_t apv_log_read(struct apv_host *host, uint64_t since,
		    struct apv_log_entry *out, size_t max);

/* Sequence number of the newest entry (0 if none). */
uint64_t apv_log_last_seq(struct apv_host *host);

#endif /* APVIRT_LOG_H */
