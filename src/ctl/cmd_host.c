// SPDX-License-Identifier: MIT
/* apctl host: the AP configuration and every queue's driver and mdev. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apctl.h"

int cmd_host(const struct args *a, json_t **out, struct ctl_err *e)
{
	static const struct {
		const char *key, *rel, *label;
		int width;
	} masks[] = {
		{"adapters", "bus/ap/ap_adapter_mask", "adapters", 2},
		{"usage_domains", "bus/ap/ap_usage_domain_mask", "domains", 4},
		{"control_domains", "bus/ap/ap_control_domain_mask",
		 "control domains", 4},
		{"apmask", "bus/ap/apmask", "apmask", 2},
		{"aqmask", "bus/ap/aqmask", "aqmask", 4},
	};
	json_t *root = json_object(), *queues = json_array();
	char *path = ctl_sys_path("devices/ap");
	char **cards;
	int r;

	r = ctl_list_dir(path, ctl_is_card, &cards);
	free(path);
	if (r < 0) {
		json_decref(root);
		json_decref(queues);
		return ctl_fail(e, -r, "'%s': cannot read the AP bus: %s",
				"devices/ap", strerror(-r));
	}
	for (size_t i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		struct ctl_ids ids;

		r = ctl_read_mask(masks[i].rel, &ids);
		if (r) {
			ctl_strv_free(cards);
			json_decref(root);
			json_decref(queues);
			return ctl_fail(e, -r, "'%s': %s", masks[i].rel,
					strerror(-r));
		}
		json_object_set_new(root, masks[i].key, ctl_ids_json(&ids));
		if (!a->json) {
			printf("%-16s ", masks[i].label);
			ctl_print_ids(&ids, masks[i].width);
		}
	}
	if (!a->json)
		printf("%-8s %-8s %-10s %-12s %s\n", "QUEUE", "ONLINE",
		       "DRIVER", "STATUS", "MDEV");
	for (char **c = cards; *c; c++) {
		char *cdir = ctl_sys_path("devices/ap/%s", *c);
		char **qs;

		r = ctl_list_dir(cdir, ctl_is_queue, &qs);
		free(cdir);
		if (r < 0)
			continue;
		for (char **q = qs; *q; q++) {
			char *lp =
				ctl_sys_path("devices/ap/%s/%s/driver", *c, *q);
			char *op =
				ctl_sys_path("devices/ap/%s/%s/online", *c, *q);
			char *sp =
				ctl_sys_path("devices/ap/%s/%s/status", *c, *q);
			char *drv = NULL, *online = NULL, *status = NULL;
			char *owner = ctl_apqn_owner(*q, NULL);
			json_t *o = json_object();

			if (ctl_link_base(lp, &drv))
				drv = NULL;
			if (ctl_read_file(op, &online))
				online = NULL;
			if (ctl_read_file(sp, &status))
				status = NULL;
			json_object_set_new(o, "apqn", json_string(*q));
			json_object_set_new(o, "driver",
					    drv ? json_string(drv) :
						  json_null());
			json_object_set_new(
				o, "online",
				online ? json_boolean(!strcmp(online, "1")) :
					 json_null());
			json_object_set_new(o, "status",
					    status ? json_string(status) :
						     json_null());
			json_object_set_new(o, "mdev",
					    owner ? json_string(owner) :
						    json_null());
			json_array_append_new(queues, o);
			if (!a->json)
				printf("%-8s %-8s %-10s %-12s %s\n", *q,
				       online ? online : "-", drv ? drv : "-",
				       status ? status : "-",
				       owner ? owner : "-");
			free(drv);
			free(online);
			free(status);
			free(owner);
			free(lp);
			free(op);
			free(sp);
		}
		ctl_strv_free(qs);
	}
	ctl_strv_free(cards);
	json_object_set_new(root, "queues", queues);
	ctl_host_facts(root);
	*out = root;
	return 0;
}

/* ---- apctl list ------------------------------------------------------------- */
