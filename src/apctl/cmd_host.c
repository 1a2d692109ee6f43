// SPDX-License-Identifier: MIT
/* apctl host: the AP configuration and every queue's driver and mdev. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rules.h"

/* The zcrypt card type ("CEX8A"), from hwtype and mode when the card has
 * no type attribute (no zcrypt driver); "-" for what zcrypt does not
 * name. */
static void card_type(json_t *c, char out[16])
{
	const char *t = json_string_value(json_object_get(c, "type"));
	const char *mode = json_string_value(json_object_get(c, "mode"));
	json_int_t hw = json_integer_value(json_object_get(c, "hwtype"));

	if (t)
		snprintf(out, 16, "%s", t);
	else if (hw >= 10 && hw <= 14 && mode)
		snprintf(out, 16, "CEX%d%c", (int)hw - 6,
			 !strcmp(mode, "accel") ? 'A' :
			 !strcmp(mode, "cca")	? 'C' :
						  'P');
	else
		snprintf(out, 16, "-");
}

/* The queue devices under a card. */
static int card_queues(json_int_t id)
{
	char card[16], **qs;
	int n;

	snprintf(card, sizeof(card), "card%02x", (unsigned int)id);
	n = ctl_list_queues("devices/ap", card, &qs);
	if (n >= 0)
		ctl_strv_free(qs);
	return n < 0 ? 0 : n;
}

/* CARD TYPE MODE STATE QUEUES, from the "cards" of ctl_host_facts(). */
static void print_cards(json_t *cards)
{
	size_t i;
	json_t *c;

	printf("%-8s %-6s %-12s %-13s %s\n", "CARD", "TYPE", "MODE", "STATE",
	       "QUEUES");
	json_array_foreach(cards, i, c)
	{
		const char *mode =
			json_string_value(json_object_get(c, "mode"));
		const char *state =
			json_string_value(json_object_get(c, "state"));
		json_int_t id = json_integer_value(json_object_get(c, "id"));
		char name[16], type[16];

		snprintf(name, sizeof(name), "card%02x", (unsigned int)id);
		card_type(c, type);
		printf("%-8s %-6s %-12s %-13s %d\n", name, type,
		       !mode		      ? "-" :
		       !strcmp(mode, "accel") ? "accelerator" :
		       !strcmp(mode, "cca")   ? "cca-coproc" :
						"ep11-coproc",
		       state ? state : "-", card_queues(id));
	}
}

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
	struct ctl_hostsnap snap;
	char **cards;
	int r;

	r = ctl_list_cards(&cards, e);
	if (r < 0) {
		json_decref(root);
		json_decref(queues);
		return -1;
	}
	for (size_t i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		struct apv_bitmap ids;

		r = ctl_read_mask(masks[i].rel, &ids);
		if (r) {
			ctl_strv_free(cards);
			json_decref(root);
			json_decref(queues);
			return ctl_fail(e, -r, "'%s': %s", masks[i].rel,
					strerror(-r));
		}
		json_object_set_new(root, masks[i].key, ctl_idlist_json(&ids));
		if (!a->json) {
			printf("%-16s ", masks[i].label);
			ctl_print_idlist(&ids, masks[i].width);
		}
	}
	/* queues first: the JSON keys keep their order (masks, queues,
	 * facts); the array fills below */
	json_object_set_new(root, "queues", queues);
	ctl_host_facts(root);
	if (!a->json) {
		print_cards(json_object_get(root, "cards"));
		printf("%-8s %-8s %-10s %-12s %s\n", "QUEUE", "ONLINE",
		       "DRIVER", "STATUS", "MDEV");
	}
	/* Who holds each queue: the running mdevs, read once. */
	ctl_hostsnap_load_mdevs(&snap);
	for (char **c = cards; *c; c++) {
		char **qs;

		if (ctl_list_queues("devices/ap", *c, &qs) < 0)
			continue;
		for (char **q = qs; *q; q++) {
			char *lp =
				ctl_sys_path("devices/ap/%s/%s/driver", *c, *q);
			char *op =
				ctl_sys_path("devices/ap/%s/%s/online", *c, *q);
			char *sp =
				ctl_sys_path("devices/ap/%s/%s/status", *c, *q);
			char *drv = NULL, *online = NULL, *status = NULL;
			const char *owner = NULL;
			apv_apqn qn;
			json_t *o = json_object();

			if (!apv_apqn_parse(*q, strlen(*q), &qn))
				owner = ctl_hostsnap_owner(&snap,
							   apv_apqn_apid(qn),
							   apv_apqn_apqi(qn),
							   NULL);
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
			free(lp);
			free(op);
			free(sp);
		}
		ctl_strv_free(qs);
	}
	ctl_strv_free(cards);
	ctl_hostsnap_fini(&snap);
	*out = root;
	return 0;
}

/* ---- apctl list ------------------------------------------------------------- */
