// SPDX-License-Identifier: MIT
/*
 * `apsim guest`: a guest as a process on the command line (docs/guest.md
 * "Guests as processes").
 *
 *   apsim guest --mdev UUID [--cpu LIST] [--name G] [--mem SIZE]
 *               [--socket PATH] [--json] [lsap]
 *
 * Without an operand it is a console: one command per line on stdin
 * (guest_line.h), one result line per command on stdout; a line that
 * cannot be parsed or executed prints "error: line N: ..." and the
 * console goes on; the exit status is 1 if any line failed.  The vCPU's
 * registers persist from line to line.  `lsap` prints the guest's AP bus
 * as lszcrypt would (--json: the whole scan).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <apvirt/guest.h>
#include <apvirt/proto/guest_wire.h>
#include <apvirt/strbuf.h>

#include "guest_line.h"
#include "sim.h"

static void usage(FILE *f)
{
	fputs("usage: apsim guest --mdev UUID [--cpu LIST] [--name NAME] "
	      "[--mem SIZE]\n"
	      "                   [--socket PATH] [--json] [lsap]\n"
	      "  --cpu   features, comma-separated: ap,apqci,apft,apqi,msa3 "
	      "(default all)\n"
	      "  --mem   guest memory in bytes, K or M suffix (default 1M)\n"
	      "  lsap    print the guest's AP bus like lszcrypt and exit\n"
	      "Without lsap: a console reading one command per line from "
	      "stdin\n"
	      "(docs/guest.md): pqap nqap dqap mem irq lsap events regs\n",
	      f);
}

static int parse_cpu(const char *s, unsigned int *out)
{
	const size_t n = sizeof(apv_gw_cpu_names) / sizeof(*apv_gw_cpu_names);
	char buf[128], *save = NULL;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, strlen(s) + 1);
	*out = 0;
	for (char *t = strtok_r(buf, ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < n; i++)
			if (!strcmp(t, apv_gw_cpu_names[i].name))
				break;
		if (i == n) {
			fprintf(stderr,
				"apsim guest: --cpu: unknown feature "
				"'%s' (ap, apqci, apft, apqi, msa3)\n",
				t);
			return -EINVAL;
		}
		*out |= apv_gw_cpu_names[i].bit;
	}
	return *out ? 0 : -EINVAL;
}

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno)
		return -EINVAL;
	if (*end == 'K' || *end == 'k')
		v <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		v <<= 20, end++;
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

/* ---- lsap --------------------------------------------------------------- */

static const char *mode_name(const struct apv_guest_card *c)
{
	if (!c->functions)
		return "-";
	return c->mode == APV_MODE_CCA	? "CCA-Coproc" :
	       c->mode == APV_MODE_EP11 ? "EP11-Coproc" :
					  "Accelerator";
}

static bool card_online(const struct apv_guest_card *c)
{
	return c->usable && c->configured && !c->chkstop;
}

static const struct apv_guest_card *card_of(const struct apv_guest_view *v,
					    apv_apqn q)
{
	for (size_t i = 0; i < v->n_cards; i++)
		if (v->cards[i].apid == apv_apqn_apid(q))
			return &v->cards[i];
	return NULL;
}

static void lsap_text(const struct apv_guest_view *v)
{
	char name[16], apqn[APV_APQN_STRLEN];

	printf("%-8s %-5s %-11s %s\n", "CARD.DOM", "TYPE", "MODE", "STATUS");
	printf("----------------------------------\n");
	for (size_t i = 0; i < v->n_cards; i++) {
		const struct apv_guest_card *c = &v->cards[i];
		char id[8];

		snprintf(id, sizeof(id), "%02x", c->apid);
		printf("%-8s %-5s %-11s %s\n", id, apv_guest_card_name(c, name),
		       mode_name(c), card_online(c) ? "online" : "offline");
		for (size_t k = 0; k < v->n_queues; k++) {
			const struct apv_guest_queue *q = &v->queues[k];

			if (apv_apqn_apid(q->apqn) != c->apid)
				continue;
			printf("%-8s %-5s %-11s %s\n",
			       apv_apqn_str(q->apqn, apqn), name, mode_name(c),
			       q->online ? "online" : "offline");
		}
	}
}

static json_t *ids(const struct apv_bitmap *b)
{
	json_t *a = json_array();

	for (int i = apv_bm_next(b, 0); a && i >= 0;
	     i = apv_bm_next(b, (unsigned int)i + 1))
		json_array_append_new(a, json_integer(i));
	return a;
}

static int lsap_json(const struct apv_guest_view *v)
{
	json_t *o = json_object(), *cards = json_array(), *qs = json_array();
	char name[16], buf[24], apqn[APV_APQN_STRLEN];
	char *s;

	if (!o || !cards || !qs)
		return -ENOMEM;
	for (size_t i = 0; i < v->n_cards; i++) {
		const struct apv_guest_card *c = &v->cards[i];

		snprintf(buf, sizeof(buf), "0x%08x", c->functions);
		json_array_append_new(
			cards,
			json_pack(
				"{s:i,s:s,s:i,s:s,s:s,s:i,s:i,s:b,s:b,s:b,s:s}",
				"id", c->apid, "type",
				apv_guest_card_name(c, name), "raw_type",
				c->type, "mode", mode_name(c), "functions", buf,
				"qd", c->qd, "ml", c->ml, "configured",
				c->configured, "chkstop", c->chkstop, "usable",
				c->usable, "status",
				card_online(c) ? "online" : "offline"));
	}
	for (size_t i = 0; i < v->n_queues; i++) {
		const struct apv_guest_queue *q = &v->queues[i];
		const struct apv_guest_card *c = card_of(v, q->apqn);

		snprintf(buf, sizeof(buf), "0x%08x", q->status);
		json_array_append_new(
			qs, json_pack("{s:s,s:s,s:i,s:s,s:s}", "apqn",
				      apv_apqn_str(q->apqn, apqn), "type",
				      c ? apv_guest_card_name(c, name) : "",
				      "rc", q->rc, "sw", buf, "status",
				      q->online ? "online" : "offline"));
	}
	json_object_set_new(o, "qci", json_boolean(v->qci));
	json_object_set_new(o, "apft", json_boolean(v->apft));
	json_object_set_new(o, "max_apid", json_integer(v->max_apid));
	json_object_set_new(o, "max_apqi", json_integer(v->max_apqi));
	json_object_set_new(o, "apm", ids(&v->apm));
	json_object_set_new(o, "aqm", ids(&v->aqm));
	json_object_set_new(o, "adm", ids(&v->adm));
	json_object_set_new(o, "cards", cards);
	json_object_set_new(o, "queues", qs);
	s = json_dumps(o, JSON_INDENT(2));
	json_decref(o);
	if (!s)
		return -ENOMEM;
	printf("%s\n", s);
	free(s);
	return 0;
}

static int lsap(struct apv_guest *g, bool json)
{
	struct apv_guest_view v;
	int rc = apv_guest_scan(g, &v);

	if (rc)
		return rc;
	if (json)
		rc = lsap_json(&v);
	else
		lsap_text(&v);
	apv_guest_view_fini(&v);
	return rc;
}

/* ---- the console ------------------------------------------------------ */

struct console {
	struct apv_guest *g;
	struct apv_cpu_regs cpu; /* the vCPU, kept from line to line */
	unsigned long line;
	bool json;
	bool failed;
};

static void line_error(struct console *k, const char *what, int rc)
{
	const char *e = apv_guest_error(k->g);

	printf("error: line %lu: %s: %s\n", k->line, what,
	       e && *e ? e : strerror(-rc));
	k->failed = true;
}

static void run_insn(struct console *k, struct apsim_gl_cmd *c)
{
	static uint8_t data[65536];
	struct apv_cpu_regs r = k->cpu, before;
	struct apv_insn_result res;
	struct apv_strbuf sb = APV_STRBUF_INIT;
	size_t stored = 0;
	int rc;

	for (unsigned int n = 0; n < 16; n++)
		if (c->set & (1u << n))
			r.gr[n] = c->gr[n];
	if (c->cc >= 0)
		r.cc = (uint8_t)c->cc;
	r.problem_state = c->problem == 1;
	before = r;
	switch (c->op) {
	case APSIM_GL_PQAP:
		rc = apv_guest_pqap(k->g, &r, &res);
		break;
	case APSIM_GL_NQAP:
		rc = c->data ? apv_guest_nqap_msg(k->g, &r, c->r1, c->r2,
						  c->data, c->data_len, &res) :
			       apv_guest_nqap(k->g, &r, c->r1, c->r2, &res);
		break;
	default:
		rc = apv_guest_dqap_data(k->g, &r, c->r1, c->r2, data,
					 sizeof(data), &stored, &res);
		if (!rc && res.pgm == APV_PGM_NONE)
			stored = (size_t)(r.gr[c->r2] - before.gr[c->r2]);
		break;
	}
	if (rc) {
		line_error(k,
			   c->op == APSIM_GL_PQAP ? "pqap" :
			   c->op == APSIM_GL_NQAP ? "nqap" :
						    "dqap",
			   rc);
		return;
	}
	r.problem_state = false;
	k->cpu = r;
	apsim_gl_result(&sb, c->op, &before, &r, &res, c->r2, data,
			stored <= sizeof(data) ? stored : 0, c->dump);
	printf("%s\n", apv_sb_str(&sb));
	apv_sb_free(&sb);
}

static void run(struct console *k, struct apsim_gl_cmd *c)
{
	struct apv_guest_events ev;
	unsigned int iscs;
	int rc;

	switch (c->op) {
	case APSIM_GL_NOP:
		return;
	case APSIM_GL_PQAP:
	case APSIM_GL_NQAP:
	case APSIM_GL_DQAP:
		run_insn(k, c);
		return;
	case APSIM_GL_MEM_WRITE:
		rc = apv_guest_mem_write(k->g, c->addr, c->data, c->data_len);
		if (rc)
			line_error(k, "mem write", rc);
		else
			printf("mem 0x%llx written=%zu\n",
			       (unsigned long long)c->addr, c->data_len);
		return;
	case APSIM_GL_MEM_READ: {
		uint8_t *b = malloc(c->len);

		rc = b ? apv_guest_mem_read(k->g, c->addr, b, c->len) : -ENOMEM;
		if (rc) {
			line_error(k, "mem read", rc);
		} else {
			printf("mem 0x%llx ", (unsigned long long)c->addr);
			for (size_t i = 0; i < c->len; i++)
				printf("%02x", b[i]);
			printf("\n");
		}
		free(b);
		return;
	}
	case APSIM_GL_IRQ:
		rc = apv_guest_wait_irq(k->g, c->timeout_ms, &iscs);
		if (rc < 0) {
			line_error(k, "irq", rc);
		} else if (!rc) {
			printf("irq none\n");
		} else {
			const char *sep = "";

			printf("irq isc=");
			for (unsigned int i = 0; i < 32; i++)
				if (iscs & (1u << i)) {
					printf("%s%u", sep, i);
					sep = ",";
				}
			printf("\n");
		}
		return;
	case APSIM_GL_LSAP:
		rc = lsap(k->g, k->json);
		if (rc)
			line_error(k, "lsap", rc);
		return;
	case APSIM_GL_EVENTS:
		rc = apv_guest_sync(k->g);
		if (rc) {
			line_error(k, "events", rc);
			return;
		}
		apv_guest_events(k->g, &ev);
		printf("events cfg_change=%llu request=%llu irqs=%llu\n",
		       (unsigned long long)ev.cfg_change,
		       (unsigned long long)ev.request,
		       (unsigned long long)ev.irqs);
		return;
	case APSIM_GL_REGS:
		printf("regs");
		for (unsigned int n = 0; n < 16; n++)
			printf(" gr%u=0x%016llx", n,
			       (unsigned long long)k->cpu.gr[n]);
		printf(" cc=%u\n", k->cpu.cc);
		return;
	}
}

static int console(struct apv_guest *g, bool json)
{
	struct console k = {.g = g, .json = json};
	char *line = NULL;
	size_t cap = 0;

	while (getline(&line, &cap, stdin) >= 0) {
		struct apsim_gl_cmd c;
		char err[256];

		k.line++;
		if (apsim_gl_parse(line, &c, err, sizeof(err))) {
			printf("error: line %lu: %s\n", k.line, err);
			k.failed = true;
		} else {
			run(&k, &c);
			apsim_gl_free(&c);
		}
		fflush(stdout);
	}
	free(line);
	return k.failed ? 1 : 0;
}

int apsim_guest_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"mdev", required_argument, NULL, 'u'},
		{"cpu", required_argument, NULL, 'c'},
		{"name", required_argument, NULL, 'n'},
		{"mem", required_argument, NULL, 'm'},
		{"socket", required_argument, NULL, 's'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct apv_guest_opts o = {0};
	struct apv_guest *g;
	char err[256] = "";
	bool json = false, do_lsap = false;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+u:c:n:m:s:jh", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 'u':
			o.mdev = optarg;
			break;
		case 'c':
			if (parse_cpu(optarg, &o.cpu))
				return 2;
			break;
		case 'n':
			o.name = optarg;
			break;
		case 'm':
			if (parse_size(optarg, &o.mem_size)) {
				fprintf(stderr, "apsim guest: --mem: expected "
						"a size like 1M\n");
				return 2;
			}
			break;
		case 's':
			o.socket = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc && !strcmp(argv[optind], "lsap")) {
		do_lsap = true;
		optind++;
	}
	if (optind < argc || !o.mdev) {
		fprintf(stderr, "apsim guest: %s\n",
			o.mdev ? "unexpected arguments" : "--mdev is required");
		usage(stderr);
		return 2;
	}
	o.err = err;
	o.err_len = sizeof(err);
	rc = apv_guest_open(&o, &g);
	if (rc) {
		fprintf(stderr, "apsim guest: cannot attach to mdev %s: %s\n",
			o.mdev, *err ? err : strerror(-rc));
		return rc == -ENOENT || rc == -ECONNREFUSED || rc == -EPROTO ?
			       3 :
			       1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (do_lsap) {
		rc = lsap(g, json);
		if (rc)
			fprintf(stderr, "apsim guest: lsap: %s\n",
				*apv_guest_error(g) ? apv_guest_error(g) :
						      strerror(-rc));
		apv_guest_close(g);
		return rc ? 1 : 0;
	}
	rc = console(g, json);
	apv_guest_close(g);
	return rc;
}
