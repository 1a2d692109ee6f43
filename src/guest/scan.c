// SPDX-License-Identifier: MIT
/*
 * The guest's AP bus scan (guest.h (b)), as Linux 6.12's ap_scan_bus does
 * it from inside a guest (ap-architecture.md §1.9): QCI when the CPU model
 * has facility 12 (a block whose flags word is zero counts as no QCI),
 * the maxima raised to Na/Nd only with the N bit; without QCI every APID
 * 0..63 × APQI 0..15 is probed.  TAPQ carries T = 1 only with APFT; RC
 * 00/02/03/04/05 with a nonzero GR2 means the queue exists.  Types below
 * CEX4 are skipped, types above CEX8 mapped with QACT when QCI has C.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apvirt/host.h>

#include "guest_int.h"

#define RC_OF(gr1) ((uint8_t)((gr1) >> 16))
#define QCI_N 0x40
#define QCI_C 0x20

static int tapq(struct apv_guest *g, apv_apqn q, bool t, uint64_t *gr1,
		uint64_t *gr2, enum apv_pgm *pgm)
{
	struct apv_cpu_regs r = {0};
	struct apv_insn_result res;
	int e;

	r.gr[0] = APV_GR0_FC(APV_PQAP_TAPQ) | (t ? APV_GR0_T : 0) | q;
	e = apv_guest_pqap(g, &r, &res);
	if (e)
		return e;
	*pgm = res.pgm;
	*gr1 = r.gr[1];
	*gr2 = r.gr[2];
	return 0;
}

/* The QCI block, or false (no facility, an exception, zero flags). */
static int qci(struct apv_guest *g, uint8_t blk[APV_QCI_BLOCK_SIZE], bool *ok)
{
	struct apv_cpu_regs r = {0};
	struct apv_insn_result res;
	int e;

	*ok = false;
	if (!(g->cpu & APV_CPU_APQCI))
		return 0;
	r.gr[0] = APV_GR0_FC(APV_PQAP_QCI);
	r.gr[2] = apvg_scratch(g);
	e = apv_guest_pqap(g, &r, &res);
	if (e || res.pgm != APV_PGM_NONE || res.cc != 0)
		return e;
	e = apv_guest_mem_read(g, apvg_scratch(g), blk, APV_QCI_BLOCK_SIZE);
	if (e)
		return e;
	*ok = blk[0] || blk[1] || blk[2] || blk[3];
	return 0;
}

/* QACT: the compatible type of a raw type above CEX8; 0 if none. */
static int qact(struct apv_guest *g, apv_apqn q, int at)
{
	struct apv_cpu_regs r = {0};
	struct apv_insn_result res;

	r.gr[0] = APV_GR0_FC(APV_PQAP_QACT) | q;
	r.gr[1] = (uint64_t)(at & 0xff) << 24;
	if (apv_guest_pqap(g, &r, &res) || res.pgm != APV_PGM_NONE ||
	    res.cc != 0)
		return 0;
	return (int)((r.gr[2] >> 24) & 0xff);
}

static bool info_valid(uint8_t rc, uint64_t gr2)
{
	return (rc <= 0x05 && rc != 0x01) && gr2 != 0;
}

static int add_card(struct apv_guest_view *v, const struct apv_guest_card *c)
{
	struct apv_guest_card *n =
		realloc(v->cards, (v->n_cards + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	v->cards = n;
	n[v->n_cards++] = *c;
	return 0;
}

static int add_queue(struct apv_guest_view *v, const struct apv_guest_queue *q)
{
	struct apv_guest_queue *n =
		realloc(v->queues, (v->n_queues + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	v->queues = n;
	n[v->n_queues++] = *q;
	return 0;
}

static void card_from(struct apv_guest_card *c, unsigned int apid, uint8_t rc,
		      uint64_t gr2, bool apft)
{
	uint32_t f = apft ? (uint32_t)(gr2 >> 32) : 0;

	memset(c, 0, sizeof(*c));
	c->apid = apid;
	c->type = (int)((gr2 >> 24) & 0xff);
	c->functions = f;
	c->mode = f & APV_FUNC_CCA  ? APV_MODE_CCA :
		  f & APV_FUNC_EP11 ? APV_MODE_EP11 :
				      APV_MODE_ACCEL;
	c->qd = (unsigned int)(gr2 & 0xf);
	c->ml = (unsigned int)((gr2 >> 8) & 0xf);
	c->configured = rc != 0x03;
	c->chkstop = rc == 0x04;
	c->usable = apft &&
		    (f & (APV_FUNC_ACCEL | APV_FUNC_CCA | APV_FUNC_EP11));
}

int apv_guest_scan(struct apv_guest *g, struct apv_guest_view *v)
{
	uint8_t blk[APV_QCI_BLOCK_SIZE];
	struct apv_bitmap apm, aqm;
	uint64_t gr1, gr2;
	enum apv_pgm pgm;
	bool have_qci;
	int e;

	if (!g || !v)
		return -EINVAL;
	memset(v, 0, sizeof(*v));
	/* Linux's ap_instructions_available(): TAPQ 00.0000 */
	e = tapq(g, 0, false, &gr1, &gr2, &pgm);
	if (e)
		return e;
	if (pgm == APV_PGM_OPERATION)
		return -EOPNOTSUPP;
	e = qci(g, blk, &have_qci);
	if (e)
		return e;
	v->qci = have_qci;
	v->apft = g->cpu & APV_CPU_APFT;
	v->max_apid = 63;
	v->max_apqi = 15;
	if (have_qci) {
		if ((blk[0] & QCI_N) && blk[4] && blk[5]) {
			v->max_apid = blk[4];
			v->max_apqi = blk[5];
		}
		apv_bm_from_bytes(&apm, blk + 16);
		apv_bm_from_bytes(&aqm, blk + 48);
		apv_bm_from_bytes(&v->adm, blk + 80);
	} else {
		apv_bm_zero(&apm);
		apv_bm_zero(&aqm);
		apv_bm_set_range(&apm, 0, 63);
		apv_bm_set_range(&aqm, 0, 15);
	}
	apv_bm_limit(&apm, v->max_apid);
	apv_bm_limit(&aqm, v->max_apqi);
	if (have_qci) {
		v->apm = apm;
		v->aqm = aqm;
	}
	for (int a = apv_bm_next(&apm, 0); a >= 0;
	     a = apv_bm_next(&apm, (unsigned int)a + 1)) {
		struct apv_guest_card card;
		bool have_card = false, skip = false;

		for (int d = apv_bm_next(&aqm, 0); d >= 0 && !skip;
		     d = apv_bm_next(&aqm, (unsigned int)d + 1)) {
			apv_apqn q = APV_APQN(a, d);
			struct apv_guest_queue qu = {0};
			uint8_t rc;

			e = tapq(g, q, v->apft, &gr1, &gr2, &pgm);
			if (e)
				goto fail;
			rc = RC_OF(gr1);
			if (pgm != APV_PGM_NONE || !info_valid(rc, gr2))
				continue;
			if (!have_card) {
				card_from(&card, (unsigned int)a, rc, gr2,
					  v->apft);
				if (card.type > APV_TYPE_CEX8)
					card.type =
						have_qci && (blk[0] & QCI_C) ?
							qact(g, q, card.type) :
							0;
				if (card.type < APV_TYPE_CEX4 ||
				    card.type > APV_TYPE_CEX8) {
					skip = true; /* not supported */
					continue;
				}
				have_card = true;
				e = add_card(v, &card);
				if (e)
					goto fail;
				if (!have_qci)
					apv_bm_set(&v->apm, (unsigned int)a);
			}
			if (!have_qci)
				apv_bm_set(&v->aqm, (unsigned int)d);
			qu.apqn = q;
			qu.rc = rc;
			qu.status = (uint32_t)gr1;
			qu.online = card.usable && rc != 0x03 && rc != 0x04;
			e = add_queue(v, &qu);
			if (e)
				goto fail;
		}
	}
	return 0;
fail:
	apv_guest_view_fini(v);
	return e;
}

void apv_guest_view_fini(struct apv_guest_view *v)
{
	if (!v)
		return;
	free(v->cards);
	free(v->queues);
	v->cards = NULL;
	v->queues = NULL;
	v->n_cards = v->n_queues = 0;
}

const char *apv_guest_card_name(const struct apv_guest_card *c, char buf[16])
{
	static const char suffix[] = {'A', 'C', 'P'};

	if (c->type < APV_TYPE_CEX4 || c->type > APV_TYPE_CEX8) {
		snprintf(buf, 16, "unknown");
		return buf;
	}
	if (!c->functions)
		snprintf(buf, 16, "CEX%d", c->type - APV_TYPE_CEX4 + 4);
	else
		snprintf(buf, 16, "CEX%d%c", c->type - APV_TYPE_CEX4 + 4,
			 suffix[c->mode <= APV_MODE_EP11 ? c->mode : 0]);
	return buf;
}
