// SPDX-License-Identifier: MIT
/*
 * The host as sysfs shows it: masks, mdevs and who owns an APQN, cards and
 * queues.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <apvirt/apqn.h>
#include <apvirt/scan.h>

#include "rules.h"

unsigned int ctl_max_id(const char *attr)
{
	char *path = ctl_sys_path("bus/ap/%s", attr), *v = NULL;
	unsigned int max = APV_MAX_IDS - 1;

	if (!ctl_read_file(path, &v)) {
		unsigned long n = strtoul(v, NULL, 10);

		if (n < APV_MAX_IDS)
			max = (unsigned int)n;
	}
	free(v);
	free(path);
	return max;
}

int ctl_read_mask(const char *rel, struct apv_bitmap *ids)
{
	char *path = ctl_sys_path("%s", rel), *v = NULL;
	int r = ctl_read_file(path, &v);

	if (!r && apv_scan_mask(v, strlen(v), ids)) {
		apv_bm_zero(ids);
		r = -EINVAL;
	}
	free(v);
	free(path);
	return r;
}

/* An mdev's attribute; NULL if unreadable. */
char *ctl_mdev_attr(const char *uuid, const char *attr)
{
	char *path = ctl_sys_path(MATRIX "/%s/%s", uuid, attr), *v = NULL;

	if (ctl_read_file(path, &v))
		v = NULL;
	free(path);
	return v;
}

bool ctl_mdev_active(const char *uuid)
{
	char *path = ctl_sys_path(MATRIX "/%s", uuid);
	bool r = !access(path, F_OK);

	free(path);
	return r;
}

static bool is_uuid(const char *name)
{
	return apv_uuid_is(name);
}

/* The active mdevs' UUIDs, sorted (none without vfio_ap). */
char **ctl_active_mdevs(void)
{
	char *path = ctl_sys_path(MATRIX);
	char **v;

	if (ctl_list_dir(path, is_uuid, &v) < 0)
		v = xcalloc(1, sizeof(*v));
	free(path);
	return v;
}

/* An mdev attribute through one of base's readers (apvirt/scan.h). */
int ctl_mdev_read_matrix(const char *uuid, const char *attr,
			 struct apv_bitmap *apm, struct apv_bitmap *aqm)
{
	char *v = ctl_mdev_attr(uuid, attr);
	int r = v ? apv_scan_matrix(v, strlen(v), apm, aqm) : -ENODEV;

	if (r) {
		apv_bm_zero(apm);
		apv_bm_zero(aqm);
	}
	free(v);
	return r;
}

int ctl_mdev_read_cdoms(const char *uuid, struct apv_bitmap *adm)
{
	char *v = ctl_mdev_attr(uuid, "control_domains");
	int r = v ? apv_scan_control_domains(v, strlen(v), adm) : -ENODEV;

	if (r)
		apv_bm_zero(adm);
	free(v);
	return r;
}

int ctl_mdev_read_ap_config(const char *uuid, struct apv_bitmap *apm,
			    struct apv_bitmap *aqm, struct apv_bitmap *adm)
{
	char *v = ctl_mdev_attr(uuid, "ap_config");
	int r = v ? apv_scan_ap_config(v, strlen(v), apm, aqm, adm) : -ENODEV;

	if (r) {
		apv_bm_zero(apm);
		apv_bm_zero(aqm);
		apv_bm_zero(adm);
	}
	free(v);
	return r;
}

bool ctl_is_card(const char *n)
{
	return !strncmp(n, "card", 4) && strlen(n) == 6;
}

bool ctl_is_queue(const char *n)
{
	return strlen(n) == 7 && n[2] == '.';
}

int ctl_list_cards(char ***cards, struct ctl_err *e)
{
	char *path = ctl_sys_path("devices/ap");
	int r = ctl_list_dir(path, ctl_is_card, cards);

	free(path);
	if (r < 0 && e)
		ctl_fail(e, -r, "'%s': cannot read the AP bus: %s",
			 "devices/ap", strerror(-r));
	return r;
}

int ctl_list_queues(const char *dir, const char *name, char ***queues)
{
	char *path = ctl_sys_path("%s/%s", dir, name);
	int r = ctl_list_dir(path, ctl_is_queue, queues);

	free(path);
	return r;
}

int ctl_mdev_write(const char *uuid, const char *attr, const char *val)
{
	char *path = ctl_sys_path(MATRIX "/%s/%s", uuid, attr);
	int r = ctl_write_file(path, val);

	free(path);
	return r;
}

bool ctl_has_ap_config(void)
{
	char *path = ctl_sys_path(MATRIX "/features"), *v = NULL, *save = NULL;
	bool r = false;

	if (!ctl_read_file(path, &v))
		for (char *w = strtok_r(v, " \n", &save); w;
		     w = strtok_r(NULL, " \n", &save))
			if (!strcmp(w, "ap_config"))
				r = true;
	free(v);
	free(path);
	return r;
}

void ctl_explain_now(const char *uuid, int err, const struct apv_bitmap *apm,
		     const struct apv_bitmap *aqm, struct ctl_err *e)
{
	struct ctl_hostsnap now;

	ctl_hostsnap_load_mdevs(&now);
	ctl_explain(&now, uuid, err, apm, aqm, e);
	ctl_hostsnap_fini(&now);
}

void ctl_explain(const struct ctl_hostsnap *h, const char *uuid, int err,
		 const struct apv_bitmap *apm, const struct apv_bitmap *aqm,
		 struct ctl_err *e)
{
	apv_bm_for_each(ap, apm) {
		apv_bm_for_each(dom, aqm) {
			char apqn[APV_APQN_STRLEN];
			const char *owner;

			apv_apqn_str(APV_APQN(ap, dom), apqn);
			/* Both bits set: the default drivers' (§1.6). */
			if (err == EADDRNOTAVAIL && h->masks &&
			    apv_bm_test(&h->apmask, (unsigned int)ap) &&
			    apv_bm_test(&h->aqmask, (unsigned int)dom)) {
				memcpy(e->apqn, apqn, sizeof(apqn));
				e->rule = "apqn-host-reserved";
				ctl_fail(
					e, err,
					"mdev %s: APQN %s is reserved for the host "
					"(apmask/aqmask): %s",
					uuid, apqn, strerror(err));
				return;
			}
			if (err != EADDRINUSE)
				continue;
			owner = ctl_hostsnap_owner(h, (unsigned int)ap,
						   (unsigned int)dom, uuid);
			if (!owner)
				continue;
			memcpy(e->apqn, apqn, sizeof(apqn));
			e->owner = xstrdup(owner);
			e->rule = "apqn-in-use";
			ctl_fail(e, err,
				 "mdev %s: APQN %s is already assigned to "
				 "mdev %s: %s",
				 uuid, apqn, owner, strerror(err));
			return;
		}
	}
	ctl_fail(e, err, "mdev %s: the kernel refused the matrix: %s", uuid,
		 strerror(err));
}
