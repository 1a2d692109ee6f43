/* SPDX-License-Identifier: MIT */
/*
 * The umbrella of the model's private headers, for code that uses every
 * subsystem (src/lib/sysfs).  Each subsystem has its own header:
 * machine/machine.h, bus/bus_int.h, kvm/kvm_int.h, vfio_ap/vfio_ap_int.h;
 * struct apv_host, reasons and log are host_int.h; the leaves lock.h and
 * devev.h.  Everything is guarded by host->lock (see lock.h and
 * include/apvirt/host.h for the lock order); functions named *_locked
 * expect it held and assert it in debug builds.
 */
#ifndef APVIRT_MODEL_H
#define APVIRT_MODEL_H

#include "bus/bus_int.h"
#include "devev.h"
#include "host_int.h"
#include "kvm/kvm_int.h"
#include "lock.h"
#include "machine/machine.h"
#include "vfio_ap/vfio_ap_int.h"

#endif /* APVIRT_MODEL_H */
