// SPDX-License-Identifier: MIT
/*
 * apctl migrate-check A B: can every mdev active on host A move to host B?
 * A and B are `apctl host --json` files; ctl_host_facts() adds to that
 * output what the check needs (AP bus facts, cards, mdevs).
 *
 * An mdev can move if, on B, each APQN of its assigned matrix is free for
 * vfio_ap (not reserved for the host, not assigned to another mdev) and
 * exists where it existed on A; the cards of its adapters have the same
 * type and mode and a superset of the functions; its control domains are
 * in B's configuration; its ids fit B's maximum ids (APXA); B has AP
 * interrupts if A had them, and the AP bus features of A.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queues.h"

/* ---- the facts added to `apctl host --json` ------------------------------------ */

static json_t *cdoms_json(const char *uuid)
{
	struct apv_bitmap ids;

	ctl_mdev_read_cdoms(uuid, &ids);
	return ctl_idlist_json(&ids);
}

/* A card attribute that reads "0" or "1": 0, 1, or -1 (unreadable). */
static int card_bool(const char *card, const char *attr)
{
	char *v = ctl_card_attr(card, attr);
	int r = -1;

	if (v)
		r = !strcmp(v, "1") ? 1 : !strcmp(v, "0") ? 0 : -1;
	free(v);
	return r;
}

/*
 * What a card is to the host: deconfigured (SCLP config 0), checkstopped,
 * else online or offline (its zcrypt online attribute); NULL: unknown.
 */
static const char *card_state(const char *card)
{
	int online = card_bool(card, "online");

	if (!card_bool(card, "config"))
		return "deconfigured";
	if (card_bool(card, "chkstop") == 1)
		return "checkstopped";
	return online < 0 ? NULL : online ? "online" : "offline";
}

static json_t *card_facts(const char *card)
{
	static const char *const modes[] = {"cca", "accel", "ep11"};
	char *hw = ctl_card_attr(card, "hwtype");
	char *raw = ctl_card_attr(card, "raw_hwtype");
	char *fn = ctl_card_attr(card, "ap_functions");
	char *type = ctl_card_attr(card, "type");
	const char *mode = NULL;
	unsigned long f = 0;
	json_t *o;

	if (fn)
		f = strtoul(fn, NULL, 16);
	/* ap_functions, MSB0: bit 3 CCA, 4 accelerator, 5 EP11. */
	for (int b = 0; b < 3; b++)
		if (f >> (31 - 3 - b) & 1)
			mode = modes[b];
	o = json_pack("{s:i,s:o,s:o,s:s?,s:s?,s:s?,s:s?}", "id",
		      (int)strtol(card + 4, NULL, 16), "hwtype",
		      hw ? json_integer(atoi(hw)) : json_null(), "raw_hwtype",
		      raw ? json_integer(atoi(raw)) : json_null(), "mode", mode,
		      "functions", fn, "type", type, "state", card_state(card));
	free(hw);
	free(raw);
	free(fn);
	free(type);
	return o;
}

void ctl_host_facts(json_t *root)
{
	char *p = ctl_sys_path("bus/ap/ap_interrupts"), *v = NULL;
	json_t *bus = json_object(), *cards = json_array();
	json_t *mdevs = json_array(), *feats = json_null();
	struct ctl_mdev_view *mv;
	char **names = NULL;
	size_t n;

	json_object_set_new(bus, "ap_interrupts",
			    ctl_read_file(p, &v) ?
				    json_null() :
				    json_boolean(!strcmp(v, "1")));
	free(p);
	free(v);
	json_object_set_new(bus, "max_adapter_id",
			    json_integer(ctl_max_id("ap_max_adapter_id")));
	json_object_set_new(bus, "max_domain_id",
			    json_integer(ctl_max_id("ap_max_domain_id")));
	p = ctl_sys_path("bus/ap/features");
	if (!ctl_read_file(p, &v)) {
		char *save = NULL;

		feats = json_array();
		for (char *w = strtok_r(v, " ", &save); w;
		     w = strtok_r(NULL, " ", &save))
			if (strcmp(w, "-"))
				json_array_append_new(feats, json_string(w));
		free(v);
	}
	free(p);
	json_object_set_new(bus, "features", feats);
	json_object_set_new(root, "bus", bus);

	if (ctl_list_cards(&names, NULL) >= 0)
		for (char **c = names; *c; c++)
			json_array_append_new(cards, card_facts(*c));
	ctl_strv_free(names);
	json_object_set_new(root, "cards", cards);

	mv = ctl_mdevs_load(&n);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(
			mdevs,
			json_pack("{s:s,s:o,s:o,s:o,s:b}", "uuid", mv[i].uuid,
				  "adapters", ctl_idlist_json(&mv[i].apm),
				  "domains", ctl_idlist_json(&mv[i].aqm),
				  "control_domains", cdoms_json(mv[i].uuid),
				  "guest", mv[i].guest));
	free(mv);
	json_object_set_new(root, "mdevs", mdevs);
}

/* ---- one host as the file shows it ------------------------------------------------- */

struct host {
	const char *file;
	json_t *root;
	struct apv_bitmap apmask, aqmask, cdoms;
	json_t *queues, *cards, *mdevs, *bus;
};

static int ids_of(const struct host *h, json_t *o, const char *key,
		  struct apv_bitmap *ids, struct ctl_err *e)
{
	json_t *a = json_object_get(o, key), *v;
	size_t i;

	memset(ids, 0, sizeof(*ids));
	if (!json_is_array(a))
		return ctl_fail(e, EINVAL, "%s: '%s' missing or not an array",
				h->file, key);
	json_array_foreach(a, i, v)
	{
		json_int_t n = json_integer_value(v);

		if (!json_is_integer(v) || n < 0 || n >= APV_MAX_IDS)
			return ctl_fail(e, EINVAL, "%s: %s[%zu]: not an id",
					h->file, key, i);
		apv_bm_set(ids, (unsigned int)n);
	}
	return 0;
}

static int host_load(struct host *h, const char *file, struct ctl_err *e)
{
	json_error_t jerr;

	memset(h, 0, sizeof(*h));
	h->file = file;
	h->root = json_load_file(file, 0, &jerr);
	if (!h->root) {
		if (jerr.line < 0)
			return ctl_fail(e, errno ? errno : EIO, "%s: %s", file,
					jerr.text);
		return ctl_fail(e, EINVAL, "%s: line %d, column %d: %s", file,
				jerr.line, jerr.column, jerr.text);
	}
	if (!json_is_object(h->root))
		return ctl_fail(e, EINVAL, "%s: not apctl host --json output",
				file);
	h->queues = json_object_get(h->root, "queues");
	h->cards = json_object_get(h->root, "cards");
	h->mdevs = json_object_get(h->root, "mdevs");
	h->bus = json_object_get(h->root, "bus");
	if (!json_is_array(h->queues) || !json_is_array(h->cards) ||
	    !json_is_array(h->mdevs) || !json_is_object(h->bus))
		return ctl_fail(e, EINVAL,
				"%s: no queues, cards, mdevs or bus "
				"(not written by apctl host --json?)",
				file);
	return ids_of(h, h->root, "apmask", &h->apmask, e) ||
	       ids_of(h, h->root, "aqmask", &h->aqmask, e) ||
	       ids_of(h, h->root, "control_domains", &h->cdoms, e);
}

static json_t *find_by(json_t *arr, const char *key, json_t *val)
{
	size_t i;
	json_t *o;

	json_array_foreach(arr, i, o)
	{
		if (json_equal(json_object_get(o, key), val))
			return o;
	}
	return NULL;
}

static json_t *queue_of(const struct host *h, const char *apqn)
{
	json_t *k = json_string(apqn), *q = find_by(h->queues, "apqn", k);

	json_decref(k);
	return q;
}

static json_t *card_of(const struct host *h, unsigned int id)
{
	json_t *k = json_integer(id), *c = find_by(h->cards, "id", k);

	json_decref(k);
	return c;
}

static const char *str_or(json_t *o, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : dflt;
}

/* ---- the check ---------------------------------------------------------------------- */

static void block(json_t *list, const char *apqn, const char *rule,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void block(json_t *list, const char *apqn, const char *rule,
		  const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	json_array_append_new(list, json_pack("{s:s?,s:s,s:s}", "apqn", apqn,
					      "rule", rule, "reason", msg));
	free(msg);
}

static void check_card(const struct host *a, const struct host *b,
		       unsigned int id, json_t *bl)
{
	json_t *ca = card_of(a, id), *cb = card_of(b, id);
	char name[8];
	unsigned long fa, fb, miss;

	snprintf(name, sizeof(name), "%02x.", id);
	if (!ca)
		return; /* over-provisioned on A: nothing to compare */
	if (!cb) {
		block(bl, name, "card-missing", "adapter %02x: no card on B",
		      id);
		return;
	}
	if (!json_equal(json_object_get(ca, "hwtype"),
			json_object_get(cb, "hwtype")))
		block(bl, name, "card-type",
		      "adapter %02x: type %" JSON_INTEGER_FORMAT
		      " on A, %" JSON_INTEGER_FORMAT " on B",
		      id, json_integer_value(json_object_get(ca, "hwtype")),
		      json_integer_value(json_object_get(cb, "hwtype")));
	if (strcmp(str_or(ca, "mode", "-"), str_or(cb, "mode", "-")))
		block(bl, name, "card-mode", "adapter %02x: %s on A, %s on B",
		      id, str_or(ca, "mode", "-"), str_or(cb, "mode", "-"));
	fa = strtoul(str_or(ca, "functions", "0"), NULL, 16);
	fb = strtoul(str_or(cb, "functions", "0"), NULL, 16);
	/* The APXA bit (MSB0 bit 6) is checked with the ids below. */
	miss = fa & ~fb & ~(1UL << (31 - 6));
	if (miss)
		block(bl, name, "card-functions",
		      "adapter %02x: functions 0x%08lX on A, 0x%08lX on B "
		      "(missing 0x%08lX)",
		      id, fa, fb, miss);
}

static void check_apqn(const struct host *a, const struct host *b,
		       const char *uuid, unsigned int ap, unsigned int dom,
		       json_t *bl)
{
	char apqn[8];
	json_t *qa, *qb;
	const char *owner;

	snprintf(apqn, sizeof(apqn), "%02x.%04x", ap, dom);
	if (apv_bm_test(&b->apmask, ap) && apv_bm_test(&b->aqmask, dom)) {
		block(bl, apqn, "apqn-host-reserved",
		      "%s is reserved for the host on B (apmask/aqmask)", apqn);
		return;
	}
	qa = queue_of(a, apqn);
	qb = queue_of(b, apqn);
	if (qa && !qb) {
		block(bl, apqn, "apqn-missing", "%s does not exist on B", apqn);
		return;
	}
	owner = qb ? json_string_value(json_object_get(qb, "mdev")) : NULL;
	if (owner && strcmp(owner, uuid)) {
		block(bl, apqn, "apqn-in-use", "%s is assigned to mdev %s on B",
		      apqn, owner);
		return;
	}
	if (qb && strcmp(str_or(qb, "driver", "-"), "vfio_ap"))
		block(bl, apqn, "apqn-not-vfio",
		      "%s is bound to %s on B, not vfio_ap", apqn,
		      str_or(qb, "driver", "no driver"));
}

static bool feature(json_t *bus, const char *f)
{
	json_t *v = json_string(f);
	size_t i;
	json_t *x;
	bool r = false;

	json_array_foreach(json_object_get(bus, "features"), i, x)
	{
		if (json_equal(x, v))
			r = true;
	}
	json_decref(v);
	return r;
}

static int check_mdev(const struct host *a, const struct host *b, json_t *m,
		      json_t *bl, struct ctl_err *e)
{
	const char *uuid = str_or(m, "uuid", "?");
	struct apv_bitmap apm, aqm, adm;
	unsigned int max_ap = 0, max_dom = 0;
	json_t *other, *key;

	if (ids_of(a, m, "adapters", &apm, e) ||
	    ids_of(a, m, "domains", &aqm, e) ||
	    ids_of(a, m, "control_domains", &adm, e))
		return -1;
	for (unsigned int i = 0; i < APV_MAX_IDS; i++) {
		if (apv_bm_test(&apm, i)) {
			max_ap = i;
			check_card(a, b, i, bl);
		}
		if (apv_bm_test(&aqm, i) || apv_bm_test(&adm, i))
			max_dom = i;
		if (apv_bm_test(&adm, i) && !apv_bm_test(&b->cdoms, i))
			block(bl, NULL, "control-domain-missing",
			      "control domain %04x is not in B's "
			      "configuration",
			      i);
	}
	for (unsigned int ap = 0; ap <= max_ap; ap++)
		for (unsigned int d = 0; d < APV_MAX_IDS; d++)
			if (apv_bm_test(&apm, ap) && apv_bm_test(&aqm, d))
				check_apqn(a, b, uuid, ap, d, bl);
	if (max_ap > json_integer_value(
			     json_object_get(b->bus, "max_adapter_id")) ||
	    max_dom > json_integer_value(
			      json_object_get(b->bus, "max_domain_id")))
		block(bl, NULL, "apxa",
		      "ids up to adapter %02x, domain %04x; B's maximum is "
		      "%02x, %04x (APXA)",
		      max_ap, max_dom,
		      (unsigned int)json_integer_value(
			      json_object_get(b->bus, "max_adapter_id")),
		      (unsigned int)json_integer_value(
			      json_object_get(b->bus, "max_domain_id")));
	if (json_is_true(json_object_get(a->bus, "ap_interrupts")) &&
	    !json_is_true(json_object_get(b->bus, "ap_interrupts")))
		block(bl, NULL, "interrupts",
		      "A has AP interrupts (AQIC), B has not");
	if (json_is_array(json_object_get(a->bus, "features")) &&
	    json_is_array(json_object_get(b->bus, "features"))) {
		size_t i;
		json_t *f;

		json_array_foreach(json_object_get(a->bus, "features"), i, f)
		{
			const char *s = json_string_value(f);

			if (s && strcmp(s, "APXA") && !feature(b->bus, s))
				block(bl, NULL, "feature",
				      "B's AP bus lacks %s", s);
		}
	}
	key = json_string(uuid);
	other = find_by(b->mdevs, "uuid", key);
	json_decref(key);
	if (other) {
		json_t *oa = json_object_get(other, "adapters");
		json_t *od = json_object_get(other, "domains");

		if (!json_equal(oa, json_object_get(m, "adapters")) ||
		    !json_equal(od, json_object_get(m, "domains")))
			block(bl, NULL, "mdev-differs",
			      "B already has mdev %s with another matrix",
			      uuid);
	}
	return 0;
}

int cmd_migrate_check(const struct args *a, json_t **out, struct ctl_err *e)
{
	struct host ha, hb;
	json_t *res = NULL, *list, *m;
	bool all_ok = true;
	size_t i;
	int r = -1;

	memset(&hb, 0, sizeof(hb));
	if (host_load(&ha, a->operands[0], e) ||
	    host_load(&hb, a->operands[1], e))
		goto out;
	list = json_array();
	json_array_foreach(ha.mdevs, i, m)
	{
		json_t *bl = json_array();
		const char *uuid = str_or(m, "uuid", "?");
		size_t k;
		json_t *b;

		if (check_mdev(&ha, &hb, m, bl, e)) {
			json_decref(bl);
			json_decref(list);
			goto out;
		}
		all_ok &= !json_array_size(bl);
		if (!a->json) {
			printf("%s %s\n", uuid,
			       json_array_size(bl) ? "blocked" : "ok");
			json_array_foreach(bl, k, b)
			{
				printf("  %s\n", str_or(b, "reason", ""));
			}
		}
		json_array_append_new(
			list, json_pack("{s:s,s:b,s:o}", "uuid", uuid, "ok",
					!json_array_size(bl), "blockers", bl));
	}
	if (!a->json && !json_array_size(ha.mdevs))
		printf("no active mdevs on %s\n", ha.file);
	res = json_pack("{s:b,s:o}", "ok", all_ok, "mdevs", list);
	if (!all_ok)
		e->exit_code = 3;
	*out = res;
	r = 0;
out:
	json_decref(ha.root);
	json_decref(hb.root);
	return r;
}
