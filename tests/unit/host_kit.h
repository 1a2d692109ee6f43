/* SPDX-License-Identifier: MIT */
/*
 * Helpers for unit tests that need a whole simulated host: a config builder,
 * bitmap literals, and assertion-friendly queries of the bus, the machine,
 * vfio_ap and the log.  Include after <cmocka.h>.
 */
#ifndef APVIRT_TESTS_HOST_KIT_H
#define APVIRT_TESTS_HOST_KIT_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <apvirt/bitmap.h>
#include <apvirt/bus.h>
#include <apvirt/host.h>
#include <apvirt/kvm.h>
#include <apvirt/log.h>
#include <apvirt/parse.h>
#include <apvirt/reason.h>
#include <apvirt/vfio_ap.h>

/* ---- bitmaps ----------------------------------------------------------- */

#define KIT_END (-1)

static inline struct apv_bitmap kit_bm_list(const int *ids)
{
	struct apv_bitmap m;

	apv_bm_zero(&m);
	for (; *ids != KIT_END; ids++)
		apv_bm_set(&m, (unsigned int)*ids);
	return m;
}

/* BM(4, 0x47) = {4, 71}; BM0() = {} */
#define BM(...) kit_bm_list((const int[]){__VA_ARGS__, KIT_END})

static inline struct apv_bitmap BM0(void)
{
	struct apv_bitmap m;

	apv_bm_zero(&m);
	return m;
}

static inline struct apv_bitmap BM_FULL(void)
{
	struct apv_bitmap m;

	apv_bm_fill(&m);
	return m;
}

/* Membership test on a mask returned by value. */
static inline bool bm_has(struct apv_bitmap m, unsigned int id)
{
	return apv_bm_test(&m, id);
}

static inline void kit_bm_hex(const struct apv_bitmap *m, char out[65])
{
	for (int w = 0; w < APV_BM_WORDS; w++)
		snprintf(out + 16 * (size_t)w, 17, "%016llx",
			 (unsigned long long)m->w[w]);
}

/* Fails with both masks in hex, at the caller's line. */
#define assert_bm_equal(a, b)                                                \
	do {                                                                 \
		struct apv_bitmap x_ = (a), y_ = (b);                        \
		if (!apv_bm_equal(&x_, &y_)) {                               \
			char hx_[65], hy_[65];                               \
			kit_bm_hex(&x_, hx_);                                \
			kit_bm_hex(&y_, hy_);                                \
			fail_msg("masks differ:\n  0x%s\n  0x%s", hx_, hy_); \
		}                                                            \
	} while (0)

/* ---- host builder ------------------------------------------------------ */

#define KIT_MAX_ADAPTERS 32

struct kit {
	struct apv_host_config cfg;
	struct apv_adapter_spec ad[KIT_MAX_ADAPTERS];
	size_t n;
};

/* Default host (QCI, APXA, Na = Nd = 255), no adapters, no domains. */
static inline void kit_init(struct kit *k, enum apv_kernel kernel)
{
	memset(k, 0, sizeof(*k));
	apv_host_config_init(&k->cfg);
	k->cfg.kernel = kernel;
}

static inline struct apv_adapter_spec *kit_adapter(struct kit *k,
						   unsigned int id, int type,
						   enum apv_mode mode)
{
	struct apv_adapter_spec *s;

	assert_true(k->n < KIT_MAX_ADAPTERS);
	s = &k->ad[k->n++];
	memset(s, 0, sizeof(*s));
	s->id = id;
	s->type = type;
	s->mode = mode;
	return s;
}

static inline int kit_try_boot(struct kit *k, struct apv_host **out)
{
	k->cfg.adapters = k->n ? k->ad : NULL;
	k->cfg.n_adapters = k->n;
	return apv_host_new(&k->cfg, out);
}

static inline struct apv_host *kit_boot(struct kit *k)
{
	struct apv_host *h = NULL;
	int rc = kit_try_boot(k, &h);

	if (rc)
		fail_msg("boot failed: %d (%s)", rc, apv_reason_last()->msg);
	assert_non_null(h);
	return h;
}

/*
 * The host of spec §7: QCI with APXA, Na = Nd = 255, adapters 05 and 06
 * (CEX7, CCA), usage domains 04 and 47, default masks, vfio_ap loaded.
 */
static inline struct apv_host *kit_canonical(enum apv_kernel kernel)
{
	struct kit k;

	kit_init(&k, kernel);
	kit_adapter(&k, 5, APV_TYPE_CEX7, APV_MODE_CCA);
	kit_adapter(&k, 6, APV_TYPE_CEX7, APV_MODE_CCA);
	k.cfg.domains = BM(4, 0x47);
	k.cfg.control_domains = BM(4, 0x47);
	return kit_boot(&k);
}

/* ---- queries ----------------------------------------------------------- */

/* Driver of a device: its name, "" when unbound, "<none>" without device. */
static inline const char *kit_driver(struct apv_host *h, const char *dev,
				     char buf[32])
{
	if (apv_bus_device_driver(h, dev, buf, 32) != 0)
		snprintf(buf, 32, "<none>");
	return buf;
}

#define assert_driver(h, dev, expected)                                      \
	do {                                                                 \
		char drvbuf_[32];                                            \
		assert_string_equal(kit_driver((h), (dev), drvbuf_),         \
				    (expected));                             \
	} while (0)

static inline struct apv_host_stats kit_stats(struct apv_host *h)
{
	struct apv_host_stats s;

	apv_host_stats(h, &s);
	return s;
}

static inline uint64_t kit_zapq(struct apv_host *h)
{
	return kit_stats(h).zapq;
}

static inline struct apv_bitmap kit_cards(struct apv_host *h)
{
	struct apv_bitmap m;

	apv_bus_cards(h, &m);
	return m;
}

/* Queue APQIs of card apid; the empty set when the card does not exist. */
static inline struct apv_bitmap kit_queues(struct apv_host *h,
					   unsigned int apid)
{
	struct apv_bitmap m;

	if (apv_bus_card_queues(h, apid, &m) != 0)
		apv_bm_zero(&m);
	return m;
}

static inline struct apv_bitmap kit_apmask(struct apv_host *h)
{
	struct apv_bitmap a;

	apv_bus_masks(h, &a, NULL);
	return a;
}

static inline struct apv_bitmap kit_aqmask(struct apv_host *h)
{
	struct apv_bitmap q;

	apv_bus_masks(h, NULL, &q);
	return q;
}

#define assert_bindings(h, exp_bound, exp_total, exp_complete)               \
	do {                                                                 \
		unsigned int b_, t_;                                         \
		bool c_;                                                     \
		apv_bus_bindings((h), &b_, &t_, &c_);                        \
		assert_int_equal(b_, (exp_bound));                           \
		assert_int_equal(t_, (exp_total));                           \
		assert_int_equal(c_, (exp_complete));                        \
	} while (0)

static inline int kit_store(struct apv_host *h, bool is_apmask,
			    const char *s)
{
	return apv_bus_store_mask(h, is_apmask, s, strlen(s));
}

static inline struct apv_qci kit_qci(struct apv_host *h)
{
	struct apv_qci q;

	apv_hw_qci(h, &q);
	return q;
}

static inline struct apv_adapter_state kit_adapter_state(struct apv_host *h,
							 unsigned int apid)
{
	struct apv_adapter_state st;

	assert_int_equal(apv_hw_adapter_state(h, apid, &st), 0);
	return st;
}

/* ---- vfio_ap ----------------------------------------------------------- */

/* A deterministic UUID for test mdev number n. */
static inline void kit_uuid(uint8_t u[16], unsigned int n)
{
	static const uint8_t base[16] = {0x4b, 0x0c, 0x3d, 0x2e, 0x11, 0x22,
					 0x43, 0x44, 0x95, 0x66, 0x77, 0x88,
					 0x99, 0xaa, 0xbb, 0x00};

	memcpy(u, base, 16);
	u[15] = (uint8_t)n;
}

static inline const char *kit_uuid_str(const uint8_t u[16], char buf[37])
{
	return apv_uuid_str(u, buf);
}

/* Create an mdev and assign apm x aqm (and adm), asserting success. */
static inline void kit_mdev(struct apv_host *h, const uint8_t u[16],
			    struct apv_bitmap apm, struct apv_bitmap aqm,
			    struct apv_bitmap adm)
{
	int rc = apv_mdev_create(h, u);

	if (rc)
		fail_msg("mdev create: %d (%s)", rc, apv_reason_last()->msg);
	apv_bm_for_each(a, &apm) {
		rc = apv_mdev_assign_adapter(h, u, (unsigned long)a);
		if (rc)
			fail_msg("assign adapter %d: %d (%s)", a, rc,
				 apv_reason_last()->msg);
	}
	apv_bm_for_each(d, &aqm) {
		rc = apv_mdev_assign_domain(h, u, (unsigned long)d);
		if (rc)
			fail_msg("assign domain %d: %d (%s)", d, rc,
				 apv_reason_last()->msg);
	}
	apv_bm_for_each(d, &adm) {
		rc = apv_mdev_assign_control_domain(h, u, (unsigned long)d);
		if (rc)
			fail_msg("assign control domain %d: %d (%s)", d, rc,
				 apv_reason_last()->msg);
	}
}

static inline struct apv_mdev_info kit_info(struct apv_host *h,
					    const uint8_t u[16])
{
	struct apv_mdev_info mi;

	assert_int_equal(apv_mdev_info(h, u, &mi), 0);
	return mi;
}

/* A guest with the default CPU model that has mdev u open. */
static inline struct apv_kvm *kit_guest(struct apv_host *h, const char *name,
					const uint8_t u[16])
{
	struct apv_kvm *kvm = NULL;

	assert_int_equal(apv_kvm_new(h, name, APV_CPU_DEFAULT, &kvm), 0);
	assert_int_equal(apv_mdev_set_kvm(h, u, kvm), 0);
	assert_int_equal(apv_mdev_open(h, u), 0);
	return kvm;
}

static inline struct apv_apcb kit_apcb(struct apv_kvm *kvm)
{
	struct apv_apcb c;

	apv_kvm_apcb(kvm, &c);
	return c;
}

/* ---- log --------------------------------------------------------------- */

#define KIT_LOG_MAX 64

/* Entries logged after seq `since`; returns the count. */
static inline size_t kit_log(struct apv_host *h, uint64_t since,
			     struct apv_log_entry out[KIT_LOG_MAX])
{
	return apv_log_read(h, since, out, KIT_LOG_MAX);
}

#endif /* APVIRT_TESTS_HOST_KIT_H */
