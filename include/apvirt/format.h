/* SPDX-License-Identifier: MIT */
/*
 * Formatters for the sysfs text forms.  All append to a strbuf and return 0
 * or -ENOMEM.
 */
#ifndef APVIRT_FORMAT_H
#define APVIRT_FORMAT_H

#include <apvirt/bitmap.h>
#include <apvirt/strbuf.h>

/* "0x" + 64 lowercase hex digits, no newline. */
int apv_fmt_mask_hex(struct apv_strbuf *sb, const struct apv_bitmap *m);
/* "0x" + 64 lowercase hex digits + "\n" (apmask, aqmask, QCI mask files). */
int apv_fmt_mask(struct apv_strbuf *sb, const struct apv_bitmap *m);

/*
 * matrix / guest_matrix (spec §2.4): ids are limited to 0..apm_max and
 * 0..aqm_max; "aa.dddd\n" per APQN (adapter-major), "aa.\n" per adapter when
 * there are no domains, ".dddd\n" per domain when there are no adapters,
 * nothing when both are empty.
 */
int apv_fmt_matrix(struct apv_strbuf *sb, const struct apv_bitmap *apm,
		   const struct apv_bitmap *aqm, unsigned int apm_max,
		   unsigned int aqm_max);

/* control_domains: "%04x\n" per set id <= adm_max, ascending. */
int apv_fmt_control_domains(struct apv_strbuf *sb,
			    const struct apv_bitmap *adm, unsigned int adm_max);

/* ap_config read: "0x<64>,0x<64>,0x<64>\n" (201 characters). */
int apv_fmt_ap_config(struct apv_strbuf *sb, const struct apv_bitmap *apm,
		      const struct apv_bitmap *aqm,
		      const struct apv_bitmap *adm);

/*
 * The queue `status` file that vfio_ap adds to each queue bound to it
 * (spec §2.5): "unassigned\n", "assigned\n" or "in use\n".
 */
enum apv_queue_status {
	APV_QSTATUS_UNASSIGNED,
	APV_QSTATUS_ASSIGNED,
	APV_QSTATUS_IN_USE,
};
/* The word without "\n" (any other value reads "unassigned"). */
const char *apv_queue_status_name(enum apv_queue_status s);
/* status read: the word + "\n". */
int apv_fmt_queue_status(struct apv_strbuf *sb, enum apv_queue_status s);

#endif /* APVIRT_FORMAT_H */
