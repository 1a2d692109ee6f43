// SPDX-License-Identifier: MIT
/*
 * The no-loss test (tests/integration/noloss.sh): guest processes keep
 * accelerator queues full of RSA requests while the host unplugs and plugs
 * adapters, domains and queues, configures adapters off, check-stops,
 * removes and restores them, and the guests reset their own queues and
 * close and reopen their device.
 *
 *   noloss run --mdevs U,U,.. --adapters AA,.. --domains DD,..
 *              [--events N] [--seed S]
 *
 * `run` is the driver.  It starts one guest process per mdev (this program
 * again, `noloss guest ...`), lets them work, injects N disruptions (each
 * undone after a few milliseconds; a third of them nest a second one),
 * undoes everything, checks that every mdev's guest_matrix is its matrix
 * again, stops the guests and adds up their counts.  Mdev i starts with
 * domains 2i and 2i+1 of --domains and every adapter.
 *
 * A guest sends type 50 MEB1 requests (1024-bit modulus, 64-bit exponent,
 * operands from the seed; results computed with libcrypto beforehand) to
 * every APQN of --adapters x --domains that it finds in its configuration,
 * up to the queue depth (TAPQ qd + 1) each, with PSMIDs (pid << 32) | n
 * that stay unique across its reconnects.  The invariant, per guest: every
 * request NQAP accepted (CC 0) gets exactly one reply on its queue, with
 * its own PSMID and the right result, or its loss is visible to the guest
 * on that queue after the NQAP: a response code 01, 02, 03 or 04, a DQAP
 * RC 10 with E set (nothing outstanding: Linux takes the requests as
 * gone), or the guest's own ZAPQ/RAPQ or close.  Violations: a reply with
 * another process's PSMID, a PSMID never accepted, a duplicate, a reply
 * after its loss was signalled, a reply overtaking an older request that
 * is later answered after all (queues answer in order), a reply on the
 * wrong queue, wrong bytes, an error reply, RC 10 "queue full" while the
 * guest has fewer requests out than the depth (the queue holds entries
 * that are not the guest's), and a hang: requests outstanding on a queue
 * with nothing happening on it for HANG_MS, or left after the drain.
 *
 * RC 02 (reset in progress) occurs when apsim runs with --reset-delay
 * (noloss.sh: 2 ms): after a guest's own ZAPQ/RAPQ its NQAP, DQAP and TAPQ
 * answer RC 02 for a while.  The reset has already made the requests out
 * visibly lost then, so RC 02 rarely adds a loss of its own; how often it
 * was seen is counted ("rc02-seen").  apsim has no VFIO reset request: a
 * guest's close and reopen of its device (the close path zeroizes its
 * queues, as QEMU's exit and VFIO reset do) stands in for it.
 *
 * Output: one line per guest and a total; exit 0, or 1 on a violation or a
 * failed check of the host's state, 2 on a usage or setup error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>

#include <apvirt/engine.h>
#include <apvirt/guest.h>

#define MAX_IDS 16
#define MAX_GUESTS 8
#define MAX_QUEUES (MAX_IDS * MAX_IDS)
#define MAX_DEPTH 16
#define N_MSGS 16
#define MOD_LEN 128
#define REQ_LEN 400
#define HANG_MS 20000
#define DRAIN_MS 30000
#define MATRIX "/sys/devices/vfio_ap/matrix"
#define VFIO_DRV "/sys/bus/ap/drivers/vfio_ap"

/* ---- common ----------------------------------------------------------- */

static uint64_t rng_next(uint64_t *s) /* splitmix64 */
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static unsigned int rng_below(uint64_t *s, unsigned int n)
{
	return n ? (unsigned int)(rng_next(s) % n) : 0;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void sleep_us(long us)
{
	struct timespec ts = {us / 1000000, (us % 1000000) * 1000};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("noloss: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* "10,11,0x12" -> ids; returns the count. */
static unsigned int parse_ids(const char *s, unsigned int *ids)
{
	unsigned int n = 0;

	while (s && *s) {
		char *end;
		unsigned long v = strtoul(s, &end, 16);

		if (end == s || v > 255 || n == MAX_IDS)
			die("bad id list '%s'", s);
		ids[n++] = (unsigned int)v;
		s = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			die("bad id list at '%s'", end);
	}
	return n;
}

/* ---- the guest ---------------------------------------------------------- */

enum st {
	ST_NONE,
	ST_OUT,
	ST_DONE,
	ST_LOST,
	ST_OVERTAKEN
};

/* How a loss became visible. */
enum vis {
	VIS_RC01,
	VIS_RC02,
	VIS_RC03,
	VIS_RC04,
	VIS_E,
	VIS_RESET,
	VIS_CLOSE,
	N_VIS
};
static const char *const vis_names[N_VIS] = {"rc01", "rc02",  "rc03", "rc04",
					     "e10",  "reset", "close"};

struct gq {
	apv_apqn apqn;
	unsigned int depth; /* 0: not known yet */
	uint32_t fifo[MAX_DEPTH];
	unsigned int head, count;
	uint32_t *ghosts; /* overtaken, loss not yet visible */
	size_t n_ghosts, cap_ghosts;
	bool absent; /* RC 01: skipped until a cfg_change or retry_at */
	double retry_at;
	double last_event; /* last sign of life while requests are out */
};

struct guest {
	int index;
	const char *mdev;
	uint64_t rng;
	struct apv_guest *g;
	uint32_t pid;
	uint32_t next_n;
	uint8_t *st; /* per n */
	size_t st_cap;
	struct gq q[MAX_QUEUES];
	unsigned int nq;
	uint8_t req[N_MSGS][REQ_LEN];
	uint8_t want[N_MSGS][MOD_LEN];
	uint64_t cfg_seen;
	/* counts */
	unsigned long sent, replied, lost, lost_by[N_VIS], overtaken;
	unsigned long resets, reconnects, violations, full_rc, busy_rc, hung;
	unsigned long rc02_seen;
};

static void __attribute__((format(printf, 2, 3)))
violation(struct guest *G, const char *fmt, ...)
{
	va_list ap;

	if (G->violations++ < 20) {
		fprintf(stderr, "noloss: guest %d: VIOLATION: ", G->index);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
}

static void set_st(struct guest *G, uint32_t n, enum st s)
{
	if (n >= G->st_cap) {
		size_t cap = G->st_cap ? G->st_cap * 2 : 65536;
		uint8_t *p;

		while (cap <= n)
			cap *= 2;
		p = realloc(G->st, cap);
		if (!p)
			die("out of memory");
		memset(p + G->st_cap, ST_NONE, cap - G->st_cap);
		G->st = p;
		G->st_cap = cap;
	}
	G->st[n] = (uint8_t)s;
}

static enum st get_st(const struct guest *G, uint32_t n)
{
	return n < G->st_cap ? (enum st)G->st[n] : ST_NONE;
}

static void put_be(uint8_t *field, size_t w, const BIGNUM *b)
{
	if (BN_bn2binpad(b, field, (int)w) < 0)
		die("BN_bn2binpad");
}

/* Operands from the seed, results from libcrypto. */
static void make_requests(struct guest *G)
{
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *n = BN_new(), *e = BN_new(), *m = BN_new(), *r = BN_new();
	uint8_t buf[MOD_LEN];

	if (!ctx || !n || !e || !m || !r)
		die("out of memory");
	for (size_t i = 0; i < MOD_LEN; i += 8) {
		uint64_t v = rng_next(&G->rng);

		memcpy(buf + i, &v, 8);
	}
	buf[0] |= 0x80;
	buf[MOD_LEN - 1] |= 1; /* odd */
	BN_bin2bn(buf, MOD_LEN, n);
	{
		uint64_t v = rng_next(&G->rng) | UINT64_C(1) << 63;

		for (int i = 0; i < 8; i++)
			buf[i] = (uint8_t)(v >> (56 - 8 * i));
		BN_bin2bn(buf, 8, e);
	}
	for (int k = 0; k < N_MSGS; k++) {
		uint8_t *q = G->req[k];

		for (size_t i = 0; i < MOD_LEN; i += 8) {
			uint64_t v = rng_next(&G->rng);

			memcpy(buf + i, &v, 8);
		}
		BN_bin2bn(buf, MOD_LEN, m);
		if (!BN_mod(m, m, n, ctx) || !BN_mod_exp(r, m, e, n, ctx))
			die("libcrypto failed");
		put_be(G->want[k], MOD_LEN, r);
		/* type 50 MEB1 (ap-architecture.md §3.1) */
		memset(q, 0, APV_TYPE50_HDR_LEN);
		q[1] = APV_TYPE50;
		q[2] = REQ_LEN >> 8;
		q[3] = REQ_LEN & 0xff;
		q[9] = APV_KB_MEB1;
		put_be(q + 16, MOD_LEN, e);
		put_be(q + 16 + MOD_LEN, MOD_LEN, n);
		put_be(q + 16 + (size_t)2 * MOD_LEN, MOD_LEN, m);
	}
	BN_free(n), BN_free(e), BN_free(m), BN_free(r);
	BN_CTX_free(ctx);
}

/* Every request out on q, and the overtaken ones, are visibly lost. */
static void lose_all(struct guest *G, struct gq *q, enum vis why)
{
	for (unsigned int i = 0; i < q->count; i++) {
		set_st(G, q->fifo[(q->head + i) % MAX_DEPTH], ST_LOST);
		G->lost++;
		G->lost_by[why]++;
	}
	for (size_t i = 0; i < q->n_ghosts; i++) {
		set_st(G, q->ghosts[i], ST_LOST);
		G->lost++;
		G->lost_by[why]++;
	}
	q->head = q->count = 0;
	q->n_ghosts = 0;
}

/* A response code seen on q: 1 when it was a loss signal. */
static int saw_rc(struct guest *G, struct gq *q, uint8_t rc)
{
	switch (rc) {
	case 0x01:
		lose_all(G, q, VIS_RC01);
		q->absent = true;
		q->retry_at = now_ms() + 50;
		return 1;
	case 0x02:
		G->rc02_seen++;
		lose_all(G, q, VIS_RC02);
		return 1;
	case 0x03:
	case 0x04:
		lose_all(G, q, rc == 3 ? VIS_RC03 : VIS_RC04);
		/* configured off or check-stopped: look again later */
		q->absent = true;
		q->retry_at = now_ms() + 2;
		return 1;
	case 0x05:
		G->busy_rc++;
		return 0;
	default:
		violation(G, "%02x.%04x: unexpected response code %02x",
			  apv_apqn_apid(q->apqn), apv_apqn_apqi(q->apqn), rc);
		return 0;
	}
}

static int tapq(struct guest *G, struct gq *q)
{
	struct apv_cpu_regs r = {0};
	struct apv_insn_result res;
	int e;

	r.gr[0] = APV_GR0_FC(APV_PQAP_TAPQ) | q->apqn;
	e = apv_guest_pqap(G->g, &r, &res);
	if (e)
		die("guest %d: TAPQ: %s", G->index, strerror(-e));
	if (res.pgm != APV_PGM_NONE)
		die("guest %d: TAPQ: program exception %d", G->index, res.pgm);
	if (res.cc == 0) {
		q->depth = (unsigned int)(r.gr[2] & 0x0f) + 1;
		if (q->depth > MAX_DEPTH)
			q->depth = MAX_DEPTH;
		return 0;
	}
	saw_rc(G, q, (uint8_t)(r.gr[1] >> 16));
	return -1;
}

/* One NQAP; 1 when it was accepted. */
static int send_one(struct guest *G, struct gq *q)
{
	struct apv_cpu_regs r = {0};
	struct apv_insn_result res;
	uint32_t n = G->next_n;
	uint8_t rc;
	int e;

	r.gr[0] = APV_GR0_NQAP_L | q->apqn;
	r.gr[4] = G->pid;
	r.gr[5] = n;
	r.gr[6] = 0x10000;
	r.gr[7] = REQ_LEN;
	e = apv_guest_nqap_msg(G->g, &r, 4, 6, G->req[n % N_MSGS], REQ_LEN,
			       &res);
	if (e)
		die("guest %d: NQAP: %s", G->index, strerror(-e));
	if (res.pgm != APV_PGM_NONE)
		die("guest %d: NQAP: program exception %d", G->index, res.pgm);
	if (res.cc == 0) {
		G->next_n++;
		set_st(G, n, ST_OUT);
		q->fifo[(q->head + q->count) % MAX_DEPTH] = n;
		q->count++;
		q->last_event = now_ms();
		G->sent++;
		return 1;
	}
	rc = (uint8_t)(r.gr[1] >> 16);
	if (rc == 0x10) {
		/* full: only the guest's own requests may fill its queue */
		G->full_rc++;
		if (q->count < q->depth)
			violation(G,
				  "%02x.%04x: RC 10 queue full with %u of "
				  "%u entries the guest's",
				  apv_apqn_apid(q->apqn),
				  apv_apqn_apqi(q->apqn), q->count, q->depth);
		return 0;
	}
	saw_rc(G, q, rc);
	return 0;
}

static void add_ghost(struct gq *q, uint32_t n)
{
	if (q->n_ghosts == q->cap_ghosts) {
		size_t cap = q->cap_ghosts ? q->cap_ghosts * 2 : 16;
		uint32_t *p = realloc(q->ghosts, cap * sizeof(*p));

		if (!p)
			die("out of memory");
		q->ghosts = p;
		q->cap_ghosts = cap;
	}
	q->ghosts[q->n_ghosts++] = n;
}

/* A reply with psmid on q: check it against what was sent. */
static void got_reply(struct guest *G, struct gq *q, uint64_t psmid,
		      const uint8_t *out, int e, uint8_t rc)
{
	uint32_t n = (uint32_t)psmid;
	unsigned int a = apv_apqn_apid(q->apqn), d = apv_apqn_apqi(q->apqn);
	unsigned int pos;

	q->last_event = now_ms();
	if ((psmid >> 32) != G->pid) {
		violation(G,
			  "%02x.%04x: reply with another process's PSMID "
			  "0x%016llx",
			  a, d, (unsigned long long)psmid);
		return;
	}
	switch (get_st(G, n)) {
	case ST_NONE:
		violation(G, "%02x.%04x: reply to PSMID n=%u never accepted", a,
			  d, n);
		return;
	case ST_DONE:
		violation(G, "%02x.%04x: duplicate reply to n=%u", a, d, n);
		return;
	case ST_LOST:
		violation(G,
			  "%02x.%04x: reply to n=%u after its loss was "
			  "signalled",
			  a, d, n);
		return;
	case ST_OVERTAKEN:
		violation(G, "%02x.%04x: reply to n=%u after a newer one", a, d,
			  n);
		return;
	case ST_OUT:
		break;
	}
	for (pos = 0; pos < q->count; pos++)
		if (q->fifo[(q->head + pos) % MAX_DEPTH] == n)
			break;
	if (pos == q->count) {
		violation(G, "%02x.%04x: reply to n=%u sent to another queue",
			  a, d, n);
		set_st(G, n, ST_DONE);
		return;
	}
	/* the older ones were lost without a sign yet (queues are FIFO) */
	for (unsigned int i = 0; i < pos; i++) {
		uint32_t o = q->fifo[(q->head + i) % MAX_DEPTH];

		set_st(G, o, ST_OVERTAKEN);
		add_ghost(q, o);
		G->overtaken++;
	}
	q->head = (q->head + pos + 1) % MAX_DEPTH;
	q->count -= pos + 1;
	set_st(G, n, ST_DONE);
	G->replied++;
	if (e)
		violation(G, "%02x.%04x: n=%u: error reply (%s, code %02x)", a,
			  d, n, strerror(-e), rc);
	else if (memcmp(out, G->want[n % N_MSGS], MOD_LEN))
		violation(G, "%02x.%04x: n=%u: wrong result bytes", a, d, n);
}

/* DQAPs on q until nothing is ready; 1 if something happened. */
static int recv_some(struct guest *G, struct gq *q)
{
	int any = 0;

	for (unsigned int i = 0; i <= MAX_DEPTH; i++) {
		uint8_t out[MOD_LEN], rc = 0;
		uint64_t psmid = 0;
		int e = apv_guest_rsa_recv(G->g, q->apqn, out, MOD_LEN, &psmid,
					   &rc);

		switch (e) {
		case 0:
		case -EBADMSG:
		case -EPROTO:
			got_reply(G, q, psmid, out, e, rc);
			any = 1;
			continue;
		case -EAGAIN:
			return any;
		case -ENOENT: /* RC 10 with E: nothing outstanding */
			q->last_event = now_ms();
			lose_all(G, q, VIS_E);
			return 1;
		case -EIO:
			q->last_event = now_ms();
			return saw_rc(G, q, rc) | any;
		default:
			die("guest %d: DQAP: %s", G->index, strerror(-e));
		}
	}
	return any;
}

/* The guest's own ZAPQ or RAPQ on q. */
static void own_reset(struct guest *G, struct gq *q)
{
	struct apv_cpu_regs r = {0};
	struct apv_insn_result res;
	int zap = rng_below(&G->rng, 2) != 0;
	int e;

	r.gr[0] = APV_GR0_FC(zap ? APV_PQAP_ZAPQ : APV_PQAP_RAPQ) | q->apqn;
	e = apv_guest_pqap(G->g, &r, &res);
	if (e)
		die("guest %d: %s: %s", G->index, zap ? "ZAPQ" : "RAPQ",
		    strerror(-e));
	if (res.pgm != APV_PGM_NONE)
		die("guest %d: reset: program exception %d", G->index, res.pgm);
	G->resets++;
	if (res.cc == 0)
		lose_all(G, q, VIS_RESET);
	else
		saw_rc(G, q, (uint8_t)(r.gr[1] >> 16));
}

static void guest_open(struct guest *G)
{
	struct apv_guest_opts o = {.mdev = G->mdev};
	char name[32], err[256] = "";
	double t0 = now_ms();
	int e;

	snprintf(name, sizeof(name), "noloss-%d", G->index);
	o.name = name;
	o.err = err;
	o.err_len = sizeof(err);
	/* after a close, apsim may not have seen the old connection end */
	while ((e = apv_guest_open(&o, &G->g)) == -EBUSY || e == -EPERM ||
	       e == -EEXIST) {
		if (now_ms() - t0 > 10000)
			break;
		sleep_us(1000);
	}
	if (e)
		die("guest %d: open %s: %s: %s", G->index, G->mdev,
		    strerror(-e), err);
	G->cfg_seen = 0;
}

/* Close and reopen the device (QEMU restarted): everything out is gone. */
static void reconnect(struct guest *G)
{
	apv_guest_close(G->g);
	G->g = NULL;
	for (unsigned int i = 0; i < G->nq; i++) {
		lose_all(G, &G->q[i], VIS_CLOSE);
		G->q[i].absent = false;
	}
	G->reconnects++;
	guest_open(G);
}

static bool stop_requested(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	return poll(&p, 1, 0) > 0; /* EOF or data: stop */
}

/* A hang (a violation): stop waiting for what q has out. */
static void forget_all(struct guest *G, struct gq *q)
{
	for (unsigned int i = 0; i < q->count; i++)
		set_st(G, q->fifo[(q->head + i) % MAX_DEPTH], ST_LOST);
	for (size_t i = 0; i < q->n_ghosts; i++)
		set_st(G, q->ghosts[i], ST_LOST);
	G->hung += q->count + q->n_ghosts;
	q->head = q->count = 0;
	q->n_ghosts = 0;
}

static void hang_check(struct guest *G, struct gq *q, double t)
{
	if ((q->count || q->n_ghosts) && t - q->last_event > HANG_MS) {
		violation(G,
			  "%02x.%04x: %u requests out, nothing for %d ms "
			  "(hang)",
			  apv_apqn_apid(q->apqn), apv_apqn_apqi(q->apqn),
			  q->count + (unsigned int)q->n_ghosts, HANG_MS);
		forget_all(G, q);
	}
}

static int guest_main(int index, const char *mdev, uint64_t seed, int stop_fd,
		      int res_fd, const char *adapters, const char *domains)
{
	static struct guest G0;
	struct guest *G = &G0;
	unsigned int ad[MAX_IDS], dom[MAX_IDS], na, nd;
	long backoff = 20;
	char line[512];
	int len;

	G->index = index;
	G->mdev = mdev;
	G->rng = seed * 1000003u + (uint64_t)index;
	G->pid = (uint32_t)getpid();
	G->next_n = 1;
	na = parse_ids(adapters, ad);
	nd = parse_ids(domains, dom);
	for (unsigned int i = 0; i < na; i++)
		for (unsigned int j = 0; j < nd; j++)
			G->q[G->nq++].apqn = APV_APQN(ad[i], dom[j]);
	make_requests(G);
	guest_open(G);
	snprintf(line, sizeof(line), "ready %d\n", index);
	if (write(res_fd, line, strlen(line)) < 0)
		die("guest %d: write: %s", index, strerror(errno));

	while (!stop_requested(stop_fd)) {
		struct apv_guest_events ev;
		int progress = 0;
		double t = now_ms();

		apv_guest_events(G->g, &ev);
		if (ev.cfg_change != G->cfg_seen) {
			/* the guest's AP bus rescans: every queue again */
			G->cfg_seen = ev.cfg_change;
			for (unsigned int i = 0; i < G->nq; i++)
				G->q[i].absent = false;
		}
		for (unsigned int i = 0; i < G->nq; i++) {
			struct gq *q = &G->q[i];

			if (q->absent && t < q->retry_at)
				continue;
			q->absent = false;
			if (!q->depth && tapq(G, q))
				continue;
			while (!q->absent && q->count < q->depth) {
				if (!send_one(G, q))
					break;
				progress = 1;
				/*
				 * now and then the guest resets the queue and
				 * goes on sending: RC 02 while the reset is in
				 * progress (--reset-delay)
				 */
				if (rng_below(&G->rng, 512) == 0)
					own_reset(G, q);
				if (rng_below(&G->rng, 8192) == 0) {
					reconnect(G);
					break;
				}
			}
			if (q->count || q->n_ghosts)
				progress |= recv_some(G, q);
			hang_check(G, q, t);
		}
		if (progress) {
			backoff = 20;
		} else {
			sleep_us(backoff);
			if (backoff < 2000)
				backoff *= 2;
		}
	}

	/* drain: every request answered or visibly lost, in bounded time */
	{
		double end = now_ms() + DRAIN_MS;
		bool left = true;

		while (left && now_ms() < end) {
			left = false;
			for (unsigned int i = 0; i < G->nq; i++) {
				struct gq *q = &G->q[i];

				if (!q->count && !q->n_ghosts)
					continue;
				recv_some(G, q);
				left |= q->count || q->n_ghosts;
			}
			if (left)
				sleep_us(500);
		}
		for (unsigned int i = 0; i < G->nq; i++) {
			struct gq *q = &G->q[i];

			if (!q->count && !q->n_ghosts)
				continue;
			violation(G,
				  "%02x.%04x: %u requests neither answered "
				  "nor visibly lost after the drain",
				  apv_apqn_apid(q->apqn),
				  apv_apqn_apqi(q->apqn),
				  q->count + (unsigned int)q->n_ghosts);
			forget_all(G, q);
		}
	}
	apv_guest_close(G->g);

	len = snprintf(line, sizeof(line),
		       "result %d sent %lu replied %lu lost %lu "
		       "overtaken %lu resets %lu reconnects %lu full %lu "
		       "hung %lu violations %lu",
		       index, G->sent, G->replied, G->lost, G->overtaken,
		       G->resets, G->reconnects, G->full_rc, G->hung,
		       G->violations);
	for (int v = 0; v < N_VIS; v++)
		len += snprintf(line + len, sizeof(line) - (size_t)len,
				" %s %lu", vis_names[v], G->lost_by[v]);
	len += snprintf(line + len, sizeof(line) - (size_t)len,
			" rc02-seen %lu", G->rc02_seen);
	line[len++] = '\n';
	if (write(res_fd, line, (size_t)len) < 0)
		die("guest %d: write: %s", index, strerror(errno));
	for (unsigned int i = 0; i < G->nq; i++)
		free(G->q[i].ghosts);
	free(G->st);
	return G->violations ? 1 : 0;
}

/* ---- the driver --------------------------------------------------------- */

struct drv {
	const char *mdevs[MAX_GUESTS];
	unsigned int n_mdevs;
	unsigned int ad[MAX_IDS], dom[MAX_IDS], na, nd;
	int ctl;
	char *rbuf;
	size_t rlen, rcap;
	uint64_t rng;
	unsigned long applied[16], refused;
	int owner[MAX_IDS]; /* mdev of domain index */
};

static int sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t w;
	int e = 0;

	if (fd < 0)
		return -errno;
	w = write(fd, val, strlen(val));
	if (w < 0)
		e = -errno;
	close(fd);
	return e;
}

static int sysfs_read(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	size_t n = 0;
	ssize_t r;

	buf[0] = '\0';
	if (fd < 0)
		return -errno;
	while (n + 1 < size && (r = read(fd, buf + n, size - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	close(fd);
	return 0;
}

static void ctl_connect(struct drv *D)
{
	const char *path = getenv("APSIM_SOCKET");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	if (!path || strlen(path) >= sizeof(sa.sun_path))
		die("APSIM_SOCKET is not set (run under apsim exec)");
	memcpy(sa.sun_path, path, strlen(path) + 1);
	D->ctl = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (D->ctl < 0 ||
	    connect(D->ctl, (const struct sockaddr *)&sa, sizeof(sa)))
		die("connect %s: %s", path, strerror(errno));
}

/* One request line; 0 when the response says "ok": true, else -1. */
static int ctl_call(struct drv *D, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int ctl_call(struct drv *D, const char *fmt, ...)
{
	char req[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(req, sizeof(req) - 1, fmt, ap);
	va_end(ap);
	req[n++] = '\n';
	if (write(D->ctl, req, (size_t)n) != n)
		die("control socket: write: %s", strerror(errno));
	D->rlen = 0;
	for (;;) {
		ssize_t r;
		char *nl;

		if (D->rcap - D->rlen < 4096) {
			D->rcap = D->rcap ? D->rcap * 2 : 65536;
			D->rbuf = realloc(D->rbuf, D->rcap);
			if (!D->rbuf)
				die("out of memory");
		}
		r = read(D->ctl, D->rbuf + D->rlen, D->rcap - D->rlen - 1);
		if (r <= 0)
			die("control socket: %s",
			    r ? strerror(errno) : "closed");
		D->rlen += (size_t)r;
		D->rbuf[D->rlen] = '\0';
		nl = strchr(D->rbuf, '\n');
		if (nl) {
			*nl = '\0';
			break;
		}
	}
	return strstr(D->rbuf, "\"ok\":true") ||
			       strstr(D->rbuf, "\"ok\": true") ?
		       0 :
		       -1;
}

enum ev_kind {
	EV_UNASSIGN_ADAPTER,
	EV_UNASSIGN_DOMAIN,
	EV_MOVE_DOMAIN,
	EV_UNBIND,
	EV_CONFIG_OFF,
	EV_CHECKSTOP,
	EV_REMOVE,
	EV_DOMAIN_REMOVE,
	N_EV
};
static const char *const ev_names[N_EV] = {
	"unassign-adapter", "unassign-domain", "move-domain", "unbind",
	"config-off",	    "checkstop",       "remove",      "domain-remove"};

struct ev {
	enum ev_kind kind;
	unsigned int ai, di; /* indices into ad[] / dom[] */
	int from, to;	     /* mdevs */
	bool applied;
};

static void mdev_attr(const struct drv *D, int m, const char *attr, char *path,
		      size_t size)
{
	snprintf(path, size, MATRIX "/%s/%s", D->mdevs[m], attr);
}

static int mdev_put(const struct drv *D, int m, const char *attr,
		    unsigned int id)
{
	char path[256], val[16];

	mdev_attr(D, m, attr, path, sizeof(path));
	snprintf(val, sizeof(val), "0x%02x", id);
	return sysfs_write(path, val);
}

/* Apply (undo = false) or undo an event; 0 or -1 (refused). */
static int ev_do(struct drv *D, struct ev *e, bool undo)
{
	unsigned int a = D->ad[e->ai], d = D->dom[e->di];
	char apqn[16];
	int rc = 0;

	snprintf(apqn, sizeof(apqn), "%02x.%04x", a, d);
	switch (e->kind) {
	case EV_UNASSIGN_ADAPTER:
		rc = mdev_put(D, e->from,
			      undo ? "assign_adapter" : "unassign_adapter", a);
		break;
	case EV_UNASSIGN_DOMAIN:
		rc = mdev_put(D, e->from,
			      undo ? "assign_domain" : "unassign_domain", d);
		break;
	case EV_MOVE_DOMAIN:
		rc = mdev_put(D, undo ? e->to : e->from, "unassign_domain", d);
		if (!rc)
			rc = mdev_put(D, undo ? e->from : e->to,
				      "assign_domain", d);
		if (!rc)
			D->owner[e->di] = undo ? e->from : e->to;
		break;
	case EV_UNBIND:
		rc = sysfs_write(undo ? VFIO_DRV "/bind" : VFIO_DRV "/unbind",
				 apqn);
		break;
	case EV_CONFIG_OFF:
		rc = ctl_call(D,
			      "{\"cmd\":\"adapter-configure\",\"id\":%u,"
			      "\"on\":%s}",
			      a, undo ? "true" : "false");
		break;
	case EV_CHECKSTOP:
		rc = ctl_call(D,
			      "{\"cmd\":\"adapter-checkstop\",\"id\":%u,"
			      "\"on\":%s}",
			      a, undo ? "false" : "true");
		break;
	case EV_REMOVE:
		rc = ctl_call(D, "{\"cmd\":\"adapter-%s\",\"id\":%u}",
			      undo ? "restore" : "remove", a);
		break;
	case EV_DOMAIN_REMOVE:
		rc = ctl_call(D, "{\"cmd\":\"domain-%s\",\"id\":%u}",
			      undo ? "add" : "remove", d);
		break;
	default:
		break;
	}
	return rc ? -1 : 0;
}

static void ev_pick(struct drv *D, struct ev *e)
{
	memset(e, 0, sizeof(*e));
	e->kind = (enum ev_kind)rng_below(&D->rng, N_EV);
	e->ai = rng_below(&D->rng, D->na);
	e->di = rng_below(&D->rng, D->nd);
	e->from = D->owner[e->di];
	e->to = D->n_mdevs ? (int)((unsigned int)(e->from + 1 +
						  rng_below(&D->rng,
							    D->n_mdevs - 1)) %
				   D->n_mdevs) :
			     0;
	if (e->kind == EV_MOVE_DOMAIN && D->n_mdevs < 2)
		e->kind = EV_UNASSIGN_DOMAIN;
}

static void ev_apply(struct drv *D, struct ev *e, bool undo)
{
	if (undo && !e->applied)
		return;
	if (ev_do(D, e, undo)) {
		D->refused++;
		return;
	}
	if (!undo) {
		e->applied = true;
		D->applied[e->kind]++;
	}
}

/* mdev m's matrix and guest_matrix, and what they should be. */
static int check_mdev(const struct drv *D, int m)
{
	char path[256], mat[4096], gm[4096], want[4096] = "";
	size_t w = 0;

	for (unsigned int i = 0; i < D->na; i++)
		for (unsigned int j = 0; j < D->nd; j++)
			if (D->owner[j] == m)
				w += (size_t)snprintf(want + w,
						      sizeof(want) - w,
						      "%02x.%04x\n", D->ad[i],
						      D->dom[j]);
	mdev_attr(D, m, "matrix", path, sizeof(path));
	sysfs_read(path, mat, sizeof(mat));
	mdev_attr(D, m, "guest_matrix", path, sizeof(path));
	sysfs_read(path, gm, sizeof(gm));
	if (strcmp(mat, want) || strcmp(gm, want)) {
		fprintf(stderr,
			"noloss: mdev %s after the events:\nmatrix:\n%s"
			"guest_matrix:\n%swanted:\n%s",
			D->mdevs[m], mat, gm, want);
		return -1;
	}
	return 0;
}

static int run_main(struct drv *D, unsigned int events, uint64_t seed)
{
	pid_t pids[MAX_GUESTS];
	int stop[2], res[2];
	unsigned long tot[9] = {0}, by[N_VIS] = {0}, rc02_seen = 0;
	unsigned int ready = 0, results = 0;
	int failed = 0;
	char exe[4096], adl[64] = "", doml[64] = "";
	ssize_t el = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	FILE *rf;
	char line[512];
	double t0 = now_ms();

	if (el <= 0)
		die("readlink /proc/self/exe: %s", strerror(errno));
	exe[el] = '\0';
	for (unsigned int i = 0; i < D->na; i++)
		snprintf(adl + strlen(adl), sizeof(adl) - strlen(adl), "%s%02x",
			 i ? "," : "", D->ad[i]);
	for (unsigned int i = 0; i < D->nd; i++)
		snprintf(doml + strlen(doml), sizeof(doml) - strlen(doml),
			 "%s%02x", i ? "," : "", D->dom[i]);
	for (unsigned int j = 0; j < D->nd; j++)
		D->owner[j] =
			(int)(j / 2 < D->n_mdevs ? j / 2 : D->n_mdevs - 1);
	D->rng = seed;
	ctl_connect(D);
	if (pipe(stop) || pipe(res))
		die("pipe: %s", strerror(errno));
	fflush(NULL);
	for (unsigned int i = 0; i < D->n_mdevs; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			die("fork: %s", strerror(errno));
		if (pids[i] == 0) {
			char idx[8], sd[24], sfd[8], rfd[8];

			close(stop[1]);
			close(res[0]);
			snprintf(idx, sizeof(idx), "%u", i);
			snprintf(sd, sizeof(sd), "%llu",
				 (unsigned long long)seed);
			snprintf(sfd, sizeof(sfd), "%d", stop[0]);
			snprintf(rfd, sizeof(rfd), "%d", res[1]);
			execl(exe, exe, "guest", idx, D->mdevs[i], sd, sfd, rfd,
			      adl, doml, (char *)NULL);
			_exit(127);
		}
	}
	close(stop[0]);
	close(res[1]);
	rf = fdopen(res[0], "r");
	if (!rf)
		die("fdopen: %s", strerror(errno));
	while (ready < D->n_mdevs && fgets(line, sizeof(line), rf))
		if (!strncmp(line, "ready ", 6))
			ready++;
	if (ready < D->n_mdevs)
		die("only %u of %u guests started", ready, D->n_mdevs);
	printf("# %u guests working, %u events (seed %llu)\n", D->n_mdevs,
	       events, (unsigned long long)seed);
	fflush(stdout);
	sleep_us(100000);

	for (unsigned int k = 0; k < events; k++) {
		struct ev e1, e2;
		bool nest = rng_below(&D->rng, 3) == 0;

		ev_pick(D, &e1);
		ev_apply(D, &e1, false);
		sleep_us((long)rng_below(&D->rng, 8000));
		if (nest) {
			/* a second one on another adapter and domain */
			for (int t = 0; t < 20; t++) {
				ev_pick(D, &e2);
				if (e2.ai != e1.ai && e2.di != e1.di)
					break;
			}
			if (e2.ai != e1.ai && e2.di != e1.di) {
				ev_apply(D, &e2, false);
				sleep_us((long)rng_below(&D->rng, 8000));
				ev_apply(D, &e2, true);
			}
		}
		ev_apply(D, &e1, true);
		sleep_us((long)rng_below(&D->rng, 4000));
	}
	printf("# events done in %.1f s:", (now_ms() - t0) / 1e3);
	for (int k = 0; k < N_EV; k++)
		printf(" %s %lu", ev_names[k], D->applied[k]);
	printf(", refused %lu\n", D->refused);

	/* everything is back: same matrices, guests get everything again */
	for (unsigned int m = 0; m < D->n_mdevs; m++)
		if (check_mdev(D, (int)m))
			failed = 1;
	printf("%s - every guest_matrix is its matrix again\n",
	       failed ? "not ok" : "ok");
	fflush(stdout);
	sleep_us(300000);
	close(stop[1]); /* stop */

	while (results < D->n_mdevs && fgets(line, sizeof(line), rf)) {
		unsigned long v[9], b[N_VIS], seen;
		int idx;

		if (strncmp(line, "result ", 7))
			continue;
		if (sscanf(line,
			   "result %d sent %lu replied %lu lost %lu overtaken "
			   "%lu resets %lu reconnects %lu full %lu hung %lu "
			   "violations %lu rc01 %lu rc02 %lu rc03 %lu rc04 "
			   "%lu e10 %lu reset %lu close %lu rc02-seen %lu",
			   &idx, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
			   &v[6], &v[7], &v[8], &b[0], &b[1], &b[2], &b[3],
			   &b[4], &b[5], &b[6], &seen) != 18)
			die("bad result line: %s", line);
		printf("# guest %s", line + 7);
		for (int k = 0; k < 9; k++)
			tot[k] += v[k];
		for (int k = 0; k < N_VIS; k++)
			by[k] += b[k];
		rc02_seen += seen;
		if (v[1] == 0) {
			printf("not ok - guest %d got no reply at all\n", idx);
			failed = 1;
		}
		results++;
	}
	fclose(rf);
	for (unsigned int i = 0; i < D->n_mdevs; i++) {
		int status;

		if (waitpid(pids[i], &status, 0) != pids[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			printf("not ok - guest %u exited with status 0x%x\n", i,
			       status);
			failed = 1;
		}
	}
	if (results < D->n_mdevs)
		failed = 1;
	printf("# total: sent %lu replied %lu lost-visibly %lu "
	       "(rc01 %lu rc02 %lu rc03 %lu rc04 %lu e10 %lu own-reset %lu "
	       "own-close %lu), overtaken %lu, guest resets %lu, "
	       "reconnects %lu, rc10-full %lu, hung %lu, violations %lu, "
	       "rc02-seen %lu\n",
	       tot[0], tot[1], tot[2], by[0], by[1], by[2], by[3], by[4], by[5],
	       by[6], tot[3], tot[4], tot[5], tot[6], tot[7], tot[8],
	       rc02_seen);
	printf("%s - sent = replied + lost-visibly (%lu = %lu + %lu)\n",
	       tot[0] == tot[1] + tot[2] ? "ok" : "not ok", tot[0], tot[1],
	       tot[2]);
	if (tot[0] != tot[1] + tot[2])
		failed = 1;
	printf("%s - no violations (%lu)\n", tot[8] ? "not ok" : "ok", tot[8]);
	if (tot[8])
		failed = 1;
	printf("# %.1f s\n", (now_ms() - t0) / 1e3);
	free(D->rbuf);
	close(D->ctl);
	return failed;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"mdevs", required_argument, NULL, 'm'},
		{"adapters", required_argument, NULL, 'a'},
		{"domains", required_argument, NULL, 'd'},
		{"events", required_argument, NULL, 'e'},
		{"seed", required_argument, NULL, 's'},
		{NULL, 0, NULL, 0},
	};
	static struct drv D;
	unsigned int events = 300;
	uint64_t seed = 1;
	char *mdevs = NULL;
	int c;

	signal(SIGPIPE, SIG_IGN);
	if (argc == 9 && !strcmp(argv[1], "guest"))
		return guest_main(atoi(argv[2]), argv[3],
				  strtoull(argv[4], NULL, 10), atoi(argv[5]),
				  atoi(argv[6]), argv[7], argv[8]);
	if (argc < 2 || strcmp(argv[1], "run"))
		goto usage;
	optind = 2;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'm':
			mdevs = optarg;
			break;
		case 'a':
			D.na = parse_ids(optarg, D.ad);
			break;
		case 'd':
			D.nd = parse_ids(optarg, D.dom);
			break;
		case 'e':
			events = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 10);
			break;
		default:
			goto usage;
		}
	}
	for (char *s = mdevs, *save = NULL, *t; s || save;) {
		t = strtok_r(s, ",", &save);
		s = NULL;
		if (!t)
			break;
		if (D.n_mdevs == MAX_GUESTS)
			die("at most %d mdevs", MAX_GUESTS);
		D.mdevs[D.n_mdevs++] = t;
	}
	if (!D.n_mdevs || !D.na || D.nd < D.n_mdevs)
		goto usage;
	return run_main(&D, events, seed);
usage:
	fprintf(stderr, "usage: noloss run --mdevs U,.. --adapters AA,.. "
			"--domains DD,.. [--events N] [--seed S]\n");
	return 2;
}
