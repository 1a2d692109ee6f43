/* SPDX-License-Identifier: MIT */
/*
 * The host's queue devices and the active mdevs' assigned matrices as
 * sysfs shows them (used by reserve and release).
 */
#ifndef APCTL_QUEUES_H
#define APCTL_QUEUES_H

#include <stdbool.h>
#include <stddef.h>

#include "apctl.h"

struct ctl_queue {
	char apqn[8]; /* "05.0047" */
	unsigned int ap, dom;
	char *driver; /* basename of the driver link, NULL: unbound */
	int hwtype;   /* the card's hwtype, -1 unreadable */
};

/* Every queue device under devices/ap, card by card.  0 or -errno. */
int ctl_queues_load(struct ctl_queue **out, size_t *n_out);
void ctl_queues_free(struct ctl_queue *qs, size_t n);
/* The zcrypt queue driver for a card type (cex4queue from CEX4 on). */
const char *ctl_host_driver(int hwtype);
/* A card attribute ("hwtype", "type"); NULL if unreadable. */
char *ctl_card_attr(const char *card, const char *attr);
/* A queue attribute ("status", "requestq_count"); NULL if unreadable. */
char *ctl_queue_attr(const char *apqn, const char *attr);

struct ctl_mdev_view {
	char uuid[37];
	struct apv_bitmap apm, aqm; /* assigned, from its matrix attribute */
	bool guest;		    /* a queue of it reads status "in use" */
};

/* The active mdevs, sorted by UUID; free() the array. */
struct ctl_mdev_view *ctl_mdevs_load(size_t *n_out);
bool ctl_mdev_view_holds(const struct ctl_mdev_view *m, unsigned int ap,
			 unsigned int dom);
bool ctl_mdev_has_guest(const struct ctl_mdev_view *m);
/*
 * Removing an mdev waits until the guest that has it open lets go.  True
 * if this kernel asks the guest to (the vfio_ap request interrupt, 6.12);
 * older ones (6.1) just block in the remove.
 */
bool ctl_can_ask_guest(void);
/* The refusal when a guest holds an mdev that is to be removed. */
#define CTL_GUEST_ATTACHED_FMT                                                 \
	"mdev %s: a guest has it open and this kernel cannot ask the guest "   \
	"to let go (stop the guest first)"
/*
 * Before removing mdev m: -1 with e filled (EBUSY, rule guest-attached)
 * when a guest has it open and the kernel cannot ask the guest to let go
 * (the remove would block); else 0.  *guest (may be NULL): a guest has it.
 */
int ctl_remove_check_guest(const struct ctl_mdev_view *m, bool *guest,
			   struct ctl_err *e);

#endif
