/* SPDX-License-Identifier: MIT */
/*
 * Built-in host topologies.
 *
 *   default  the design review's example: CEX8 adapters 04 (accelerator)
 *            and 05 (CCA coprocessor), usage and control domains 0x04,
 *            0x47 and 0x54; QCI with APXA, kernel 6.12.
 *   max      256 CEX8 adapters x 256 domains, APXA (the largest host).
 */
#ifndef APVIRT_PRESET_H
#define APVIRT_PRESET_H

#include <apvirt/host.h>

struct apv_preset {
	struct apv_host_config cfg; /* cfg.adapters points into ad[] */
	struct apv_adapter_spec ad[256];
};

/* Fill p with a named topology; -ENOENT for an unknown name. */
int apv_preset_init(struct apv_preset *p, const char *name);

/* NULL-terminated list of preset names. */
extern const char *const apv_preset_names[];

#endif /* APVIRT_PRESET_H */
