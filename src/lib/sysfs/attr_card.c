// SPDX-License-Identifier: MIT
/* An AP card device, /sys/devices/ap/cardXX (§1.4). */
#include <errno.h>
#include <stdint.h>

#include "model.h"
#include "sysfs_int.h"

static bool card_zcrypt(const struct actx *c)
{
	return c->card->driver != NULL;
}

static int card_hwtype_show(struct actx *c, struct apv_strbuf *sb)
{
	return show_int(sb, c->card->type);
}

static int card_raw_hwtype_show(struct actx *c, struct apv_strbuf *sb)
{
	return show_int(sb, c->card->raw_type);
}

static int card_depth_show(struct actx *c, struct apv_strbuf *sb)
{
	/* 6.1: the raw TAPQ qd field; 6.12: the real depth qd + 1 */
	return show_int(sb, (int)c->card->qd + (apv_is_61(c->host) ? 0 : 1));
}

static int card_functions_show(struct actx *c, struct apv_strbuf *sb)
{
	return apv_sb_printf(sb, "0x%08X\n", c->card->functions);
}

static int card_request_count_show(struct actx *c, struct apv_strbuf *sb)
{
	return apv_sb_printf(sb, "%llu\n",
			     (unsigned long long)c->card->request_count);
}

static int card_request_count_store(struct actx *c, const char *buf, size_t len)
{
	struct apv_card *card = c->card;

	card->request_count = 0;
	for (unsigned int d = 0; d < APV_MAX_IDS; d++)
		if (card->q[d])
			card->q[d]->request_count = 0;
	return 0;
}

static int card_modalias_show(struct actx *c, struct apv_strbuf *sb)
{
	return apv_sb_printf(sb, "ap:t%02X\n", (unsigned int)c->card->type);
}

static int card_config_show(struct actx *c, struct apv_strbuf *sb)
{
	return show_bool(sb, c->card->config);
}

static int card_config_store(struct actx *c, const char *buf, size_t len)
{
	struct apv_host *host = c->host;
	unsigned int apid = c->card->id;
	bool on = false;
	int rc;

	rc = apv_sysfs_parse_01(c, buf, len, &on);
	if (rc || on == c->card->config)
		return rc;
	/*
	 * SCLP (de)configure.  6.12 rescans on the configuration-change
	 * notification that follows (the card may be recreated: do not touch
	 * c->card afterwards); 6.1 only records the new state on the card,
	 * its queues follow at the next scan.
	 */
	rc = apv_hw_adapter_configure_locked(
		host, apid, on, apv_is_61(host) ? APV_EV_NOSCAN : 0);
	if (rc)
		return rc;
	if (apv_is_61(host))
		c->card->config = on;
	return 0;
}

static int card_chkstop_show(struct actx *c, struct apv_strbuf *sb)
{
	return show_bool(sb, c->card->chkstop);
}

static int card_max_msg_size_show(struct actx *c, struct apv_strbuf *sb)
{
	unsigned int ml = c->card->ml;

	return apv_sb_printf(sb, "%u\n", ml ? ml * 4096u : 12288u);
}

/* zcrypt card name: CEXn + A (accelerator) / C (CCA) / P (EP11). */
static int card_type_show(struct actx *c, struct apv_strbuf *sb)
{
	const struct apv_card *card = c->card;
	uint32_t f = card->functions;

	switch (card->type) {
	case APV_TYPE_CEX2A:
		return apv_sb_puts(sb, "CEX2A\n");
	case APV_TYPE_CEX2C:
		return apv_sb_puts(sb, "CEX2C\n");
	case APV_TYPE_CEX3A:
		return apv_sb_puts(sb, "CEX3A\n");
	case APV_TYPE_CEX3C:
		return apv_sb_puts(sb, "CEX3C\n");
	default:
		break;
	}
	return apv_sb_printf(sb, "CEX%d%s\n", card->type - APV_TYPE_CEX4 + 4,
			     (f & APV_FUNC_ACCEL) ? "A" :
			     (f & APV_FUNC_CCA)	  ? "C" :
			     (f & APV_FUNC_EP11)  ? "P" :
						    "");
}

/* zcrypt: online is shown as config && online */
static int card_online_show(struct actx *c, struct apv_strbuf *sb)
{
	return show_bool(sb, c->card->config && c->card->online);
}

static int card_online_store(struct actx *c, const char *buf, size_t len)
{
	struct apv_card *card = c->card;
	bool on = false;
	int rc;

	rc = apv_sysfs_parse_01(c, buf, len, &on);
	if (rc)
		return rc;
	if (on && !card->config) {
		apv_sysfs_fail(c, -ENODEV, APV_RULE_DECONFIGURED,
			       "card%02x is configured off", card->id);
		apv_reason_id(card->id);
		return -ENODEV;
	}
	card->online = on;
	/* zcrypt_card_online_store: ONLINE= on the card (always), then on
	 * each zcrypt queue whose state changed (zcrypt_queue_force_online) */
	apv_devev_card(c->host, APV_DEVEV_CHANGE, card->id,
		       card->driver ? card->driver->name : NULL,
		       APV_DEVCHG_ONLINE, on);
	/* the card's zcrypt queues follow */
	for (unsigned int d = 0; d < APV_MAX_IDS; d++) {
		struct apv_queue *q = card->q[d];

		if (q && q->driver && (q->driver->flags & APV_DRV_DEFAULT) &&
		    q->online != on) {
			q->online = on;
			apv_devev_queue(c->host, APV_DEVEV_CHANGE, q->apqn,
					q->driver->name, APV_DEVCHG_ONLINE, on);
		}
	}
	return 0;
}

static int card_uevent_show(struct actx *c, struct apv_strbuf *sb)
{
	const struct apv_card *card = c->card;
	int rc;

	rc = apv_sb_puts(sb, "DEVTYPE=ap_card\n");
	if (!rc)
		rc = apv_sysfs_uevent_driver(sb, card->driver);
	if (!rc)
		rc = apv_sb_printf(sb, "DEV_TYPE=%04X\nMODALIAS=ap:t%02X\n",
				   (unsigned int)card->type,
				   (unsigned int)card->type);
	return rc ? rc : apv_sysfs_uevent_mode(sb, card);
}

static const struct adef card_attrs[] = {
	{"hwtype", APV_ATTR_RO, card_hwtype_show, NULL, NULL},
	{"raw_hwtype", APV_ATTR_RO, card_raw_hwtype_show, NULL, NULL},
	{"depth", APV_ATTR_RO, card_depth_show, NULL, NULL},
	{"ap_functions", APV_ATTR_RO, card_functions_show, NULL, NULL},
	{"request_count", APV_ATTR_RW, card_request_count_show,
	 card_request_count_store, NULL},
	{"requestq_count", APV_ATTR_RO, show_zero, NULL, NULL},
	{"pendingq_count", APV_ATTR_RO, show_zero, NULL, NULL},
	{"modalias", APV_ATTR_RO, card_modalias_show, NULL, NULL},
	{"config", APV_ATTR_RW, card_config_show, card_config_store, NULL},
	{"chkstop", APV_ATTR_RO, card_chkstop_show, NULL, NULL},
	{"max_msg_size", APV_ATTR_RO, card_max_msg_size_show, NULL, NULL},
	{"type", APV_ATTR_RO, card_type_show, NULL, card_zcrypt},
	{"online", APV_ATTR_RW, card_online_show, card_online_store,
	 card_zcrypt},
	{"load", APV_ATTR_RO, show_zero, NULL, card_zcrypt},
	{"uevent", APV_ATTR_RW, card_uevent_show, apv_sysfs_uevent_store, NULL},
};

const struct apv_sysfs_table apv_sysfs_card = APV_SYSFS_TABLE(card_attrs);
