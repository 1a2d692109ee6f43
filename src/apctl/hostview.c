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

#include "apctl.h"

unsigned int ctl_max_id(const char *attr)
{
	char *path = ctl_sys_path("bus/ap/%s", attr), *v = NULL;
	unsigned int max = CTL_MAX_ID - 1;

	if (!ctl_read_file(path, &v)) {
		unsigned long n = strtoul(v, NULL, 10);

		if (n < CTL_MAX_ID)
			max = (unsigned int)n;
	}
	free(v);
	free(path);
	return max;
}

int ctl_read_mask(const char *rel, struct ctl_ids *ids)
{
	char *path = ctl_sys_path("%s", rel), *v = NULL;
	int r = ctl_read_file(path, &v);

	if (!r)
		r = ctl_parse_mask(v, ids);
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
	return ctl_is_uuid(name);
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

/* "aa.dddd", "aa." and ".dddd" lines into the adapter and domain sets. */
void ctl_matrix_lines(const char *m, struct ctl_ids *apm, struct ctl_ids *aqm)
{
	char *copy = xstrdup(m), *save = NULL;

	for (char *l = strtok_r(copy, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		char *dot = strchr(l, '.');

		if (!dot)
			continue;
		if (dot > l)
			ctl_ids_set(apm,
				    (unsigned int)strtoul(l, NULL, 16) & 0xff);
		if (dot[1])
			ctl_ids_set(aqm,
				    (unsigned int)strtoul(dot + 1, NULL, 16) &
					    0xff);
	}
	free(copy);
}

/* The mdev other than SELF whose matrix holds APQN ("05.0047"). */
char *ctl_apqn_owner(const char *apqn, const char *self)
{
	char **mdevs = ctl_active_mdevs(), *owner = NULL;

	for (char **u = mdevs; *u && !owner; u++) {
		char *m, *save = NULL;

		if (self && !strcmp(*u, self))
			continue;
		m = ctl_mdev_attr(*u, "matrix");
		for (char *l = m ? strtok_r(m, "\n", &save) : NULL; l;
		     l = strtok_r(NULL, "\n", &save))
			if (!strcmp(l, apqn)) {
				owner = xstrdup(*u);
				break;
			}
		free(m);
	}
	ctl_strv_free(mdevs);
	return owner;
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

/* Every attribute is an assign_*: ap_config can replace them. */
/*
 * Why the kernel refused MATRIX (APM x AQM) for UUID with ERR: the
 * APQN the host keeps (EADDRNOTAVAIL) or another mdev holds (EADDRINUSE).
 */
void ctl_explain(const char *uuid, int err, const struct ctl_ids *apm,
		 const struct ctl_ids *aqm, struct ctl_err *e)
{
	struct ctl_ids hapm, haqm;
	bool masks = !ctl_read_mask("bus/ap/apmask", &hapm) &&
		     !ctl_read_mask("bus/ap/aqmask", &haqm);

	for (unsigned int ap = 0; ap < CTL_MAX_ID; ap++) {
		if (!ctl_ids_test(apm, ap))
			continue;
		for (unsigned int dom = 0; dom < CTL_MAX_ID; dom++) {
			char apqn[8];

			if (!ctl_ids_test(aqm, dom))
				continue;
			snprintf(apqn, sizeof(apqn), "%02x.%04x", ap, dom);
			/* Both bits set: the default drivers' (§1.6). */
			if (err == EADDRNOTAVAIL && masks &&
			    ctl_ids_test(&hapm, ap) &&
			    ctl_ids_test(&haqm, dom)) {
				memcpy(e->apqn, apqn, sizeof(apqn));
				e->rule = "apqn-host-reserved";
				ctl_fail(
					e, err,
					"mdev %s: APQN %s is reserved for the host "
					"(apmask/aqmask): %s",
					uuid, apqn, strerror(err));
				return;
			}
			if (err == EADDRINUSE) {
				char *owner = ctl_apqn_owner(apqn, uuid);

				if (!owner)
					continue;
				memcpy(e->apqn, apqn, sizeof(apqn));
				e->owner = owner;
				e->rule = "apqn-in-use";
				ctl_fail(
					e, err,
					"mdev %s: APQN %s is already assigned to "
					"mdev %s: %s",
					uuid, apqn, owner, strerror(err));
				return;
			}
		}
	}
	ctl_fail(e, err, "mdev %s: the kernel refused the matrix: %s", uuid,
		 strerror(err));
}
