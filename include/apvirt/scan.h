/* SPDX-License-Identifier: MIT */
/*
 * The inverse of format.h: parsers of the sysfs text forms as the kernel
 * (and the model, src/base/format.c) prints them, for readers of sysfs
 * (apctl).  For every formatter F and every input x, scan(F(x)) == x
 * (tests/unit/test_scan.c checks the round trips).
 *
 * Inputs are (buf, len); one trailing '\n' (or none, for text a reader
 * already stripped) is accepted where the form ends with one.  Every
 * function returns 0 or -EINVAL and leaves its outputs untouched on
 * failure.
 */
#ifndef APVIRT_SCAN_H
#define APVIRT_SCAN_H

#include <stddef.h>

#include <apvirt/bitmap.h>

/*
 * A mask as apmask, aqmask and the QCI mask files show it (apv_fmt_mask,
 * apv_fmt_mask_hex): "0x" and 64 hex digits (either case), MSB0.
 */
int apv_scan_mask(const char *buf, size_t len, struct apv_bitmap *out);

/*
 * matrix / guest_matrix (apv_fmt_matrix): lines "aa.dddd", "aa." or
 * ".dddd", each ending in '\n' (the last one may lack it); the adapters
 * and domains named are set in apm and aqm (zeroed first).  Empty text
 * is an empty matrix.
 */
int apv_scan_matrix(const char *buf, size_t len, struct apv_bitmap *apm,
		    struct apv_bitmap *aqm);

/* control_domains (apv_fmt_control_domains): "dddd" lines into adm. */
int apv_scan_control_domains(const char *buf, size_t len,
			     struct apv_bitmap *adm);

/* ap_config as read (apv_fmt_ap_config): three masks joined by ','. */
int apv_scan_ap_config(const char *buf, size_t len, struct apv_bitmap *apm,
		       struct apv_bitmap *aqm, struct apv_bitmap *adm);

#endif /* APVIRT_SCAN_H */
