/* SPDX-License-Identifier: MIT */
/*
 * apctl internals: what the commands share.
 *
 *   main.c      the option and command tables, argument parsing, printing
 *               of results and errors (once, at the top)
 *   err.c       struct ctl_err
 *   ids.c       id lists ("4-5,0x0a", apvirt/idlist.h) in messages and JSON
 *   hostview.c  the host as sysfs shows it (masks, mdevs, cards, queues),
 *               read with base's parsers (apvirt/scan.h); why the kernel
 *               refused a matrix (ctl_explain())
 *   rules.c     the command's one snapshot of the host and definitions
 *               (struct ctl_hostsnap) and the validation rules (rules.h)
 *   plan.c      live changes and apply's planner and runner (plan.h)
 *   cmd_*.c     one command (or a pair: define/undefine, start/stop) each
 *   sysfs.c     the only way to the files; the one atomic writer and the
 *               test points (sysfs.h)
 *   config.c    the one store of mdevctl definitions (config.h)
 *   lock.c      the s390apconfig lock (lock.h)
 *
 * A command is `int cmd_X(const struct args *a, json_t **out,
 * struct ctl_err *e)`: 0 with *out the JSON result (printed with --json;
 * the command prints its own text otherwise), or -1 with e filled by
 * ctl_fail().  Commands never print errors themselves.
 */
#ifndef APCTL_APCTL_H
#define APCTL_APCTL_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include <apvirt/idlist.h>

#include "config.h"
#include "sysfs.h"

#define MATRIX "devices/vfio_ap/matrix"

/* ---- errors ------------------------------------------------------------ */

struct ctl_err {
	char *msg;	  /* the message, naming its subject */
	int err;	  /* errno, positive; 0 for a usage error */
	const char *rule; /* why, for scripts: "apqn-in-use", ... */
	char apqn[8];	  /* "05.0047" or "" */
	char *owner;	  /* the other mdev's UUID or NULL */
	int exit_code;	  /* 0: the default (1, or 2 for usage errors); a
			     command that succeeds may set its verdict */
};

/* Fill e (the first failure wins: later calls are ignored); returns -1. */
int ctl_fail(struct ctl_err *e, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void ctl_err_fini(struct ctl_err *e);

/* ---- options and commands ------------------------------------------- */

enum opt_id {
	OPT_HELP,
	OPT_JSON,
	OPT_SYSFS_ROOT,
	OPT_CONFIG_ROOT,
	OPT_RUN_ROOT,
	OPT_ADAPTERS,
	OPT_DOMAINS,
	OPT_CONTROL_DOMAINS,
	OPT_AUTOSTART,
	OPT_MANUAL,
	OPT_LIVE,
	OPT_DRY_RUN,
	OPT_FOR,
	OPT_PERSIST,
	OPT_SVG,
	OPT_HTML,
	OPT_COLOR,
	OPT_FORMAT,
	OPT_OUTPUT,
	OPT_TIMEOUT,
	OPT_COUNT
};

#define GLOBAL_OPTS                                                            \
	(1u << OPT_HELP | 1u << OPT_JSON | 1u << OPT_SYSFS_ROOT |              \
	 1u << OPT_CONFIG_ROOT | 1u << OPT_RUN_ROOT)
#define OPT_BIT(o) (1u << (o))

#define CTL_MAX_OPERANDS 2

struct args {
	const char *val[OPT_COUNT];
	bool set[OPT_COUNT];
	const char *operands[CTL_MAX_OPERANDS];
	unsigned int n_operands;
	const char *operand; /* operands[0] */
	bool json;
};

struct cmd {
	const char *name;
	const char *operand; /* usage text, NULL: none */
	unsigned int min_operands, max_operands;
	unsigned int opts; /* OPT_BIT()s beyond GLOBAL_OPTS */
	bool locked;	   /* holds the s390apconfig lock */
	const char *help;
	int (*run)(const struct args *a, json_t **out, struct ctl_err *e);
};

#define CMD_FN(name)                                                           \
	int cmd_##name(const struct args *a, json_t **out, struct ctl_err *e)
CMD_FN(host);
CMD_FN(list);
CMD_FN(define);
CMD_FN(undefine);
CMD_FN(start);
CMD_FN(stop);
CMD_FN(show);
CMD_FN(validate);
CMD_FN(modify);
CMD_FN(apply);
CMD_FN(reserve);
CMD_FN(release);
CMD_FN(migrate_check);
CMD_FN(export);
CMD_FN(import);
CMD_FN(matrix);

/* ---- ids.c ------------------------------------------------------------ */

/*
 * "4-5,0x0a" into ids (apv_idlist_parse()); each id must be <= max.  what
 * names the list in errors, which quote the culprit token.
 */
int ctl_parse_list(const char *what, const char *list, unsigned int max,
		   struct apv_bitmap *ids, struct ctl_err *e);
json_t *ctl_idlist_json(const struct apv_bitmap *ids);
/* apv_idlist_fmt(): "04-05,0a" (width 2) or "0047,0054" (width 4); "-"
 * when empty.  The returned string is malloc'ed. */
char *ctl_idlist_str(const struct apv_bitmap *ids, int width);
/* Print ctl_idlist_str() and a newline on stdout. */
void ctl_print_idlist(const struct apv_bitmap *ids, int width);
/* "0x" and 64 hex digits, MSB0 (the sysfs mask form, apv_fmt_mask_hex). */
void ctl_mask_hex(const struct apv_bitmap *ids, char out[67]);

/* ---- hostview.c ---------------------------------------------------------- */

/* bus/ap/ap_max_adapter_id or ap_max_domain_id; 255 when unreadable. */
unsigned int ctl_max_id(const char *attr);
/* A mask file under the sysfs root (e.g. "bus/ap/apmask").  0 or -errno. */
int ctl_read_mask(const char *rel, struct apv_bitmap *ids);
/* An mdev's attribute; NULL if unreadable. */
char *ctl_mdev_attr(const char *uuid, const char *attr);
int ctl_mdev_write(const char *uuid, const char *attr, const char *val);
bool ctl_mdev_active(const char *uuid);
/* The active mdevs' UUIDs, sorted (none without vfio_ap). */
char **ctl_active_mdevs(void);
/*
 * An mdev's matrix or guest_matrix (attr), control_domains, ap_config,
 * read with base's parsers (apvirt/scan.h).  0, -ENODEV (unreadable) or
 * -EINVAL; the sets are empty then.
 */
int ctl_mdev_read_matrix(const char *uuid, const char *attr,
			 struct apv_bitmap *apm, struct apv_bitmap *aqm);
int ctl_mdev_read_cdoms(const char *uuid, struct apv_bitmap *adm);
int ctl_mdev_read_ap_config(const char *uuid, struct apv_bitmap *apm,
			    struct apv_bitmap *aqm, struct apv_bitmap *adm);
bool ctl_is_card(const char *name);  /* "card05" */
bool ctl_is_queue(const char *name); /* "05.0047" */
/*
 * The cards under devices/ap ("card05"), sorted, NULL-ended (free with
 * ctl_strv_free()).  The count or -errno; e (may be NULL) filled then
 * ("cannot read the AP bus").
 */
int ctl_list_cards(char ***cards, struct ctl_err *e);
/* The queue devices ("05.0047") in sysfs directory <dir>/<name> (a card
 * under devices/ap, a driver under bus/ap/drivers), sorted, NULL-ended.
 * The count or -errno. */
int ctl_list_queues(const char *dir, const char *name, char ***queues);
/* The matrix device lists "ap_config" in its features (kernel >= 6.10). */
bool ctl_has_ap_config(void);
/*
 * Why the kernel refused the matrix apm x aqm for uuid with err, from the
 * snapshot h (rules.h): the APQN the host keeps (EADDRNOTAVAIL) or another
 * mdev holds (EADDRINUSE).
 */
struct ctl_hostsnap;
void ctl_explain(const struct ctl_hostsnap *h, const char *uuid, int err,
		 const struct apv_bitmap *apm, const struct apv_bitmap *aqm,
		 struct ctl_err *e);
/* The same on the host as it is now: a refusal is a new fact (another
 * mdev may have taken the APQN since the command's snapshot), so the
 * host is read again, once (ctl_hostsnap_load_mdevs()). */
void ctl_explain_now(const char *uuid, int err, const struct apv_bitmap *apm,
		     const struct apv_bitmap *aqm, struct ctl_err *e);

/* Add the AP bus facts, cards and mdevs to `apctl host --json`
 * (cmd_migrate.c: what migrate-check compares). */
void ctl_host_facts(json_t *root);

/* ---- UUIDs (cmd_define.c) ------------------------------------------------ */

/* A NAME that is not a UUID names the UUID derived from it. */
void ctl_name_uuid(const char *name, char uuid[37]);
/* A canonical UUID (apv_uuid_is()) in lower case (apvirt/uuid.h). */
void ctl_lower_uuid(const char *in, char uuid[37]);
/*
 * Likely mistakes in a NAME: the empty name, and a NAME that looks like a
 * UUID but is not a valid one (five groups of letters and digits joined
 * by '-', 32 to 40 characters, at most three not hexadecimal digits; or
 * 30 to 34 hexadecimal digits without the dashes).  0, or -1 with why
 * (what is wrong) filled.
 */
int ctl_check_name(const char *name, char *why, size_t n);
/* NAME|UUID into the lower-case UUID; -1 with e filled (a usage error,
 * ctl_check_name()) for a likely mistake. */
int ctl_resolve_uuid(const char *name, char uuid[37], struct ctl_err *e);

#endif /* APCTL_APCTL_H */
